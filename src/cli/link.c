/*
 * src/cli/link.c - `toll link`: link the reports of one incident across
 * sources with the probabilistic linker (toll/link.h, docs/linking.md) and
 * list the incident assigned to each report, or the scored candidate
 * pairs (--pairs, --review).
 */
#include "commands.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common.h"

const char TOLL_CLI_LINK_HELP[] =
    "usage: toll link [FILE...] [options]\n"
    "\n"
    "Link the reports of one incident across sources (a UCDP event, an\n"
    "Airwars incident, a news story a day later) with the probabilistic\n"
    "linker: candidate pairs within a date window, scored on date,\n"
    "distance, place name, region, actors, figures and source by a\n"
    "Fellegi-Sunter model fitted to the reports (docs/linking.md).  One row\n"
    "per report: report (FILE:LINE), id, source, incident (the assigned\n"
    "key), match_probability (empty for a report linked to nothing) and\n"
    "status (linked, single or review).\n"
    "\n"
    "Linker options:\n"
    "  --link-max-span N      a report spanning more than N days (default 7)\n"
    "                         is not linked; 0: no limit\n"
    TOLL_CLI_LINKER_HELP TOLL_CLI_LINKER_SEED_HELP
    "  --write-model FILE     write the model used (JSON; read it back with\n"
    "                         --link-model)\n"
    "\n" TOLL_CLI_READ_HELP
    "\n"
    "Output:\n"
    "  --format F             text (default), csv, json or md\n"
    "  --pairs                instead of the reports, the scored candidate\n"
    "                         pairs, strongest first: each comparison's level\n"
    "                         and weight, the prior, the total weight, the\n"
    "                         match probability and the decision (in text, a\n"
    "                         waterfall per pair)\n"
    "  --review               only the pairs between --link-lower and\n"
    "                         --link-upper that were not merged\n";

typedef struct link_cli {
    toll_cli_input in;
    toll_render_format format;
    int pairs, review;
    const char *write_model;
} link_cli;

static int apply(void *ctx, const toll_cli_args *a, const toll_cli_opt *o,
                 const char *val)
{
    link_cli *c = ctx;
    switch (o->id) {
    case O_FORMAT: return toll_cli_format_value(a, o, val, &c->format);
    case O_PAIRS: c->pairs = 1; break;
    case O_REVIEW: c->review = 1; break;
    case O_WRITE_MODEL: c->write_model = val; break;
    default: return toll_cli_input_option(&c->in, a, o, val);
    }
    return CLI_OK;
}

/* A weight as "+1.23" / "-4.56". */
static void weight_text(double w, char *buf, size_t size)
{
    if (isnan(w))
        buf[0] = '\0';
    else
        snprintf(buf, size, "%+.2f", w);
}

/*
 * --pairs and --review in text format: each pair of the pairs table
 * (toll_links_pairs) as a waterfall, e.g.
 *   ged.csv:12 ~ airwars.csv:40  (ucdp-ged:300380 / airwars:SYR123)
 *     comparison  level           weight    total
 *     date        0                +3.12    +3.12
 *     distance    <5km             +5.40    +8.52
 *     ...
 *     prior                        -6.64    +1.88
 *     match probability 0.786: review
 * pairs separated by a blank line.  Returns 0, or -1 on a write error or
 * when a column is missing.
 */
static int print_waterfalls(const toll_table *t, FILE *out)
{
    size_t ra = toll_table_column_index(t, "report_a");
    size_t rb = toll_table_column_index(t, "report_b");
    size_t ia = toll_table_column_index(t, "id_a");
    size_t ib = toll_table_column_index(t, "id_b");
    size_t jprior = toll_table_column_index(t, "prior_weight");
    size_t jw = toll_table_column_index(t, "weight");
    size_t jp = toll_table_column_index(t, "match_probability");
    size_t jdec = toll_table_column_index(t, "decision");
    size_t jlev[TOLL_LINK_NCOMPARISONS], jcw[TOLL_LINK_NCOMPARISONS];
    if (ra == TOLL_NPOS || rb == TOLL_NPOS || ia == TOLL_NPOS ||
        ib == TOLL_NPOS || jprior == TOLL_NPOS || jw == TOLL_NPOS ||
        jp == TOLL_NPOS || jdec == TOLL_NPOS)
        return -1;
    for (int c = 0; c < TOLL_LINK_NCOMPARISONS; c++) {
        char name[64];
        snprintf(name, sizeof name, "%s_weight", toll_link_comparison_name(c));
        jlev[c] = toll_table_column_index(t, toll_link_comparison_name(c));
        jcw[c] = toll_table_column_index(t, name);
        if (jlev[c] == TOLL_NPOS || jcw[c] == TOLL_NPOS ||
            toll_table_column_type(t, jcw[c]) != TOLL_COL_DOUBLE)
            return -1;
    }
    if (toll_table_column_type(t, jprior) != TOLL_COL_DOUBLE ||
        toll_table_column_type(t, jw) != TOLL_COL_DOUBLE ||
        toll_table_column_type(t, jp) != TOLL_COL_DOUBLE)
        return -1;
    const double *prior = toll_table_double(t, jprior);
    const double *total = toll_table_double(t, jw);
    const double *prob = toll_table_double(t, jp);
    for (size_t i = 0; i < toll_table_nrows(t); i++) {
        const char *s[5];
        size_t js[5] = {ra, rb, ia, ib, jdec};
        for (int k = 0; k < 5; k++) {
            s[k] = toll_table_string(t, js[k], i);
            if (!s[k])
                s[k] = "";
        }
        if (i > 0 && fputc('\n', out) == EOF)
            return -1;
        if (fprintf(out, "%s ~ %s", s[0], s[1]) < 0 ||
            ((s[2][0] || s[3][0]) &&
             fprintf(out, "  (%s / %s)", s[2][0] ? s[2] : "-",
                     s[3][0] ? s[3] : "-") < 0) ||
            fprintf(out, "\n  %-11s %-14s %8s %8s\n", "comparison", "level",
                    "weight", "total") < 0)
            return -1;
        double run = 0.0;
        char wt[32], rt[32];
        for (int c = 0; c < TOLL_LINK_NCOMPARISONS; c++) {
            const char *level = toll_table_string(t, jlev[c], i);
            double w = toll_table_double(t, jcw[c])[i];
            if (!isnan(w))
                run += w;
            weight_text(w, wt, sizeof wt);
            weight_text(run, rt, sizeof rt);
            if (fprintf(out, "  %-11s %-14s %8s %8s\n",
                        toll_link_comparison_name(c), level ? level : "", wt,
                        rt) < 0)
                return -1;
        }
        weight_text(prior[i], wt, sizeof wt);
        weight_text(total[i], rt, sizeof rt);
        if (fprintf(out, "  %-11s %-14s %8s %8s\n", "prior", "", wt, rt) < 0 ||
            fprintf(out, "  match probability %.3f: %s\n", prob[i], s[4]) < 0)
            return -1;
    }
    return 0;
}

/* --write-model FILE: the model used, as JSON. */
static int write_model(const toll_links *links, const char *path)
{
    toll_error err;
    toll_error_clear(&err);
    FILE *f = fopen(path, "wb");
    if (!f) {
        fprintf(stderr, "toll: %s: cannot create it\n", path);
        return CLI_DATA;
    }
    toll_status st = toll_link_model_write_json(
        toll_links_model(links), toll_cli_write_file, f, &err);
    int closed = fclose(f);
    if (st != TOLL_OK || closed != 0) {
        fprintf(stderr, "toll: %s: cannot write it%s%s\n", path,
                err.message[0] ? ": " : "", err.message);
        return CLI_DATA;
    }
    return CLI_OK;
}

static int run(const link_cli *c, const toll_cli_args *a)
{
    toll_error err;
    toll_error_clear(&err);
    toll_cli_data d;
    toll_links *links = NULL;
    toll_table *table = NULL;
    toll_link_options opts;
    toll_status st;
    int rc = toll_cli_data_load_reports(&d, &c->in, a);
    if (rc == CLI_OK)
        rc = toll_cli_linker_prepare(&c->in.linker, d.reports, &d.linker,
                                     &opts);
    if (rc != CLI_OK)
        goto cleanup;
    opts.threads = c->in.threads;
    st = toll_link_reports(d.reports, &opts, NULL, &links, &err);
    if (st != TOLL_OK) {
        fprintf(stderr, "%s\n", err.message);
        rc = toll_cli_status_exit(st);
        goto cleanup;
    }
    if (c->write_model && (rc = write_model(links, c->write_model)) != CLI_OK)
        goto cleanup;
    if (c->pairs || c->review)
        st = toll_links_pairs(links,
                              c->review ? TOLL_LINK_PAIRS_REVIEW
                                        : TOLL_LINK_PAIRS_ALL,
                              NULL, &table, &err);
    else
        st = toll_links_assignments(links, NULL, &table, &err);
    if (st != TOLL_OK) {
        fprintf(stderr, "%s\n", err.message);
        rc = toll_cli_status_exit(st);
        goto cleanup;
    }
    if ((c->pairs || c->review) && c->format == TOLL_RENDER_TEXT)
        rc = print_waterfalls(table, stdout) ? toll_cli_output_failed(&err)
                                             : toll_cli_finish_output();
    else
        rc = toll_cli_render(table, c->format, 0);

cleanup:
    toll_table_free(table);
    toll_links_free(links);
    toll_cli_data_free(&d);
    return rc;
}

int toll_cli_link(const char *name, int argc, char **argv)
{
    link_cli c;
    memset(&c, 0, sizeof c);
    toll_cli_input_init(&c.in);
    c.format = TOLL_RENDER_TEXT;
    toll_cli_args a;
    int rc = toll_cli_args_parse(&a, CLI_LINK, name, argc, argv, apply, &c);
    if (rc == CLI_OK && !a.help && c.pairs && c.review)
        rc = toll_cli_usage(name, "--pairs and --review exclude each other "
                            "(--review lists the review pairs only)");
    if (rc == CLI_OK && !a.help)
        rc = toll_cli_input_linker_check(&c.in, &a);
    if (rc == CLI_OK && a.help) {
        fputs(TOLL_CLI_LINK_HELP, stdout);
        rc = toll_cli_finish_output();
    } else if (rc == CLI_OK) {
        rc = run(&c, &a);
    }
    toll_cli_args_free(&a);
    return rc;
}
