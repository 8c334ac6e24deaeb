/*
 * src/cli/explain.c - `toll incidents --explain` in text format: the links
 * table (toll/link.h) as one sentence per link, grouped by incident.
 * Other formats render the table itself (src/cli/main.c).
 */
#include "explain.h"

#include <string.h>

int toll_cli_print_links(const toll_table *links, FILE *out)
{
    long jinc = toll_table_column_index(links, "incident");
    long jwhy = toll_table_column_index(links, "explanation");
    if (jinc < 0 || jwhy < 0)
        return -1;
    const char *prev = NULL;
    for (size_t i = 0; i < toll_table_nrows(links); i++) {
        const char *inc = toll_table_string(links, (size_t)jinc, i);
        const char *why = toll_table_string(links, (size_t)jwhy, i);
        if (!inc)
            inc = "";
        if (!prev || strcmp(prev, inc) != 0) {
            if (prev && fputc('\n', out) == EOF)
                return -1;
            if (fprintf(out, "%s\n", inc) < 0)
                return -1;
            prev = inc;
        }
        if (fprintf(out, "  %s\n", why ? why : "") < 0)
            return -1;
    }
    return 0;
}
