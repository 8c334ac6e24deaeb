/*
 * src/cli/imports.c - the CLI side of the importers (see imports.h).
 */
#include "imports.h"

size_t toll_cli_print_repairs(const toll_reports *reports, FILE *out)
{
    size_t n = toll_reports_repair_count(reports);
    for (size_t i = 0; i < n; i++) {
        toll_error e;
        toll_error_clear(&e);
        if (toll_reports_repair(reports, i, &e) == TOLL_OK)
            fprintf(out, "repair: %s\n", e.message);
    }
    if (n)
        fprintf(out, "toll: %zu figure(s) or region(s) repaired\n", n);
    return n;
}

void toll_cli_print_presets(FILE *out)
{
    for (size_t i = 0; i < toll_preset_count(); i++) {
        const toll_preset *p = toll_preset_at(i);
        fprintf(out, "  %-9s %s\n", p->name, p->description);
    }
}
