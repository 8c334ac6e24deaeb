/*
 * src/cli/incidents.c - `toll incidents`: the reconciled incidents, or with
 * --explain why reports were linked.
 */
#include "commands.h"

#include <stdio.h>
#include <string.h>

#include "common.h"

const char TOLL_CLI_INCIDENTS_HELP[] =
    "usage: toll incidents [FILE...] [options]\n"
    "\n"
    "Reconcile the reports of each incident and list the incidents: one row\n"
    "per incident and category, with dates, region, actors, grade, the range\n"
    "low/best/high, flags (open, denied, contested, place and date conflicts),\n"
    "the report that set each bound, and the party's own figure.\n"
    "\n" TOLL_CLI_LOAD_HELP
    "\n"
    "Linker (with --link auto):\n" TOLL_CLI_LINKER_SEED_HELP
    "\n"
    "Output:\n"
    "  --format F             text (default), csv, json or md\n"
    "  --explain              instead of the incidents, list why reports were\n"
    "                         linked (with --link auto or rule): one line per\n"
    "                         link in text, the links table in csv, json and\n"
    "                         md\n";

/*
 * --explain in text format: the links table (toll_incidents_links_table,
 * toll/link.h) as, for each incident, its key on a line of its own, then
 * one explanation per link, indented, e.g.
 *   auto:seeds.jsonl:3
 *     seeds.jsonl:3 ~ seeds.jsonl:7: 0 days apart, same region
 *     Syria/Idlib, shared actor Russia
 * (one line per link), incidents separated by a blank line.  Prints
 * nothing for a table without rows.  Returns 0, or -1 on a write error.
 * Other formats render the table itself.
 */
static int print_links(const toll_table *links, FILE *out)
{
    size_t jinc = toll_table_column_index(links, "incident");
    size_t jwhy = toll_table_column_index(links, "explanation");
    if (jinc == TOLL_NPOS || jwhy == TOLL_NPOS)
        return -1;
    const char *prev = NULL;
    for (size_t i = 0; i < toll_table_nrows(links); i++) {
        const char *inc = toll_table_string(links, jinc, i);
        const char *why = toll_table_string(links, jwhy, i);
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

typedef struct incidents_cli {
    toll_cli_input in;
    toll_render_format format;
    int explain;
} incidents_cli;

static int apply(void *ctx, const toll_cli_args *a, const toll_cli_opt *o,
                 const char *val)
{
    incidents_cli *c = ctx;
    switch (o->id) {
    case O_EXPLAIN: c->explain = 1; break;
    case O_FORMAT: return toll_cli_format_value(a, o, val, &c->format);
    default: return toll_cli_input_option(&c->in, a, o, val);
    }
    return CLI_OK;
}

static int run(const incidents_cli *c, const toll_cli_args *a)
{
    toll_error err;
    toll_error_clear(&err);
    toll_cli_data d;
    toll_table *table = NULL;
    toll_status st;
    int rc = toll_cli_data_load(&d, &c->in, a);
    if (rc != CLI_OK)
        goto cleanup;
    if (c->explain) {
        if (c->in.rec.link == TOLL_LINK_NONE)
            fputs("toll: note: without --link auto or rule no reports are "
                  "linked\n", stderr);
        st = toll_incidents_links_table(d.incidents, NULL, &table, &err);
    } else {
        st = toll_incidents_table(d.incidents, NULL, &table, &err);
    }
    if (st != TOLL_OK) {
        fprintf(stderr, "%s\n", err.message);
        rc = toll_cli_status_exit(st);
        goto cleanup;
    }
    if (c->explain && c->format == TOLL_RENDER_TEXT)
        rc = print_links(table, stdout) ? toll_cli_output_failed(&err)
                                        : toll_cli_finish_output();
    else
        rc = toll_cli_render(table, c->format, 0);

cleanup:
    toll_table_free(table);
    toll_cli_data_free(&d);
    return rc;
}

int toll_cli_incidents(const char *name, int argc, char **argv)
{
    incidents_cli c;
    memset(&c, 0, sizeof c);
    toll_cli_input_init(&c.in);
    c.format = TOLL_RENDER_TEXT;
    toll_cli_args a;
    int rc = toll_cli_args_parse(&a, CLI_INCIDENTS, name, argc, argv, apply,
                                 &c);
    if (rc == CLI_OK && !a.help)
        rc = toll_cli_input_check(&c.in, &a);
    if (rc == CLI_OK && !a.help)
        rc = toll_cli_input_linker_check(&c.in, &a);
    if (rc == CLI_OK && a.help) {
        fputs(TOLL_CLI_INCIDENTS_HELP, stdout);
        rc = toll_cli_finish_output();
    } else if (rc == CLI_OK) {
        rc = run(&c, &a);
    }
    toll_cli_args_free(&a);
    return rc;
}
