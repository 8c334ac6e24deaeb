/*
 * src/cli/summarize.c - `toll summarize`: totals by actor, region, period,
 * category or grade, with probabilistic intervals (docs/intervals.md).
 */
#include "commands.h"

#include <math.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "common.h"

/* Help lines of the interval options. */
#define INTERVAL_HELP                                                        \
    "Intervals (docs/intervals.md):\n"                                       \
    "  --interval M           add a probabilistic interval to each row:\n"   \
    "                         independent (each incident's count drawn on\n" \
    "                         its own) or comonotone (all at the same\n"     \
    "                         quantile); default none\n"                     \
    "  --dist D               uniform (default) on low..high, or triangular\n" \
    "                         with its mode at best\n"                       \
    "  --quantiles P,P,...    default 0.025,0.5,0.975 (columns q025, q500,\n" \
    "                         q975, then q_engine)\n"                        \
    "  --open-cap F           an open high becomes max(high, F x low);\n"    \
    "                         default 2\n"                                   \
    "  --engine E             auto (default: exact, else normal, else\n"     \
    "                         simulate), exact, normal or simulate\n"        \
    "  --draws N              simulation draws (default 10000)\n"            \
    "  --seed S               simulation seed, and with --link auto the\n"  \
    "                         linker's (default 1; the same seed gives the\n" \
    "                         same numbers on every platform)\n"

const char TOLL_CLI_SUMMARIZE_HELP[] =
    "usage: toll summarize [FILE...] [options]\n"
    "\n"
    "Reconcile the reports of each incident and total the incidents by group:\n"
    "incidents, reports, sums of low, best and high, and counts of incidents\n"
    "with an open-ended figure, a denial, or contested blame.\n"
    "\n"
    "Grouping:\n"
    "  --by KEYS              comma-separated keys: actor, region, region:K,\n"
    "                         period:day|week|month|quarter|year, category,\n"
    "                         grade, or a kept field (type_of_violence;\n"
    "                         keep:NAME for one named as a key: keep:region);\n"
    "                         '' for one row (default: actor,period:month)\n"
    "  --category NAME        category to total: killed (default), injured,\n"
    "                         children_killed, ... (all with --by category)\n"
    "  --attribution A        joint (default): one row per set of actors;\n"
    "                         split: each of n actors gets 1/n;\n"
    "                         each: each actor gets the full count (rows then\n"
    "                         do not add up)\n"
    "  --span S               start (default): a multi-day incident counts in\n"
    "                         the period it starts; prorate: low, best and\n"
    "                         high split by days (date-conflicted incidents\n"
    "                         count where they start)\n"
    "  --max-rows N           stop with an error when the summary would have\n"
    "                         more than N rows (default 10000000)\n"
    "  --stream               one pass: read the FILEs ('-': standard input)\n"
    "                         in chunks, folding each into per-incident state\n"
    "                         (input need not be grouped by incident), so\n"
    "                         memory follows the incidents, distinct strings\n"
    "                         and distinct figures, not the reports; the same\n"
    "                         table. Provenance is reduced to what the\n"
    "                         summary needs: no report's file, line, id, url,\n"
    "                         note, place name, coordinates or kept fields\n"
    "                         are kept, so --link rule|auto, a kept field in\n"
    "                         --by or --where, and --min-data-grade are\n"
    "                         refused (docs/scaling.md)\n"
    "\n"
    "Filters:\n"
    "  --min-grade G          self-only, single, corroborated or confirmed\n"
    "  --from DATE            incidents starting on or after DATE\n"
    "                         (YYYY-MM-DD, YYYY-MM or YYYY)\n"
    "  --to DATE              incidents starting on or before DATE (a month\n"
    "                         or year includes all of it)\n"
    "  --region PREFIX        e.g. Syria/Idlib\n"
    "  --actor NAME           incidents naming NAME (repeat for several)\n"
    "  --where FIELD=VALUE    incidents whose kept field FIELD (a column the\n"
    "                         reports keep, e.g. type_of_violence, or\n"
    "                         keep:FIELD) is VALUE;\n"
    "                         repeat: same field OR, different fields AND;\n"
    "                         actor=NAME is --actor NAME\n"
    "  --min-data-grade G     grade from the data (kept field data_grade):\n"
    "                         confirmed, fair, weak, contested or discounted\n"
    "\n" TOLL_CLI_LOAD_HELP
    "\n" INTERVAL_HELP
    "\n"
    "Output:\n"
    "  --format F             text (default), csv, json or md\n"
    "  --totals               add a totals row to csv and json (text and md\n"
    "                         always have one)\n";

typedef struct summarize_cli {
    toll_cli_input in;
    toll_summarize_options sum;
    double quantiles[TOLL_INTERVAL_MAX_QUANTILES]; /* --quantiles */
    toll_render_format format;
    int totals;
    int stream; /* --stream */
} summarize_cli;

/* --interval, --dist, --quantiles, --open-cap, --engine, --draws, --seed.
 * Their messages name the option but do not point to --help. */
static int interval_option(summarize_cli *c, const toll_cli_opt *o,
                           const char *val)
{
    toll_interval_options *io = &c->sum.interval;
    toll_error err;
    toll_error_clear(&err);
    toll_status st = TOLL_OK;
    switch (o->id) {
    case O_INTERVAL:
        st = toll_interval_method_parse(val, &io->method, &err);
        break;
    case O_DIST:
        st = toll_interval_dist_parse(val, &io->dist, &err);
        break;
    case O_ENGINE:
        st = toll_interval_engine_parse(val, &io->engine, &err);
        break;
    case O_QUANTILES: {
        size_t n = 0;
        st = toll_interval_quantiles_parse(val, c->quantiles,
                                           TOLL_INTERVAL_MAX_QUANTILES, &n,
                                           &err);
        if (!st) {
            io->quantiles = c->quantiles;
            io->n_quantiles = n;
        }
        break;
    }
    case O_DRAWS:
    case O_SEED: {
        unsigned long long v = 0;
        if (!toll_cli_parse_ullong(val, &v) || v > SIZE_MAX) {
            fprintf(stderr, "toll: invalid value for --%s: '%s' (a whole "
                    "number >= 0)\n", o->name, val);
            return CLI_USAGE;
        }
        if (o->id == O_DRAWS)
            io->draws = (size_t)v; /* its range: checked below */
        else
            io->seed = c->in.linker.opts.seed = (uint64_t)v;
        break;
    }
    case O_OPEN_CAP: {
        double f = 0.0;
        if (!toll_cli_parse_double(val, &f)) {
            fprintf(stderr, "toll: invalid value for --open-cap: '%s' (a "
                    "number)\n", val);
            return CLI_USAGE;
        }
        io->open_cap = f; /* its range: checked below */
        break;
    }
    default: return CLI_NOT_MINE;
    }
    if (!st && (o->id == O_DRAWS || o->id == O_OPEN_CAP))
        st = toll_interval_options_check(io, &err); /* the library's rule */
    if (st) {
        fprintf(stderr, "toll: --%s: %s\n", o->name, err.message);
        return CLI_USAGE;
    }
    return CLI_OK;
}

static int apply(void *ctx, const toll_cli_args *a, const toll_cli_opt *o,
                 const char *val)
{
    summarize_cli *c = ctx;
    toll_error err;
    toll_error_clear(&err);
    switch (o->id) {
    case O_BY: c->sum.by = val; break;
    case O_CATEGORY: c->sum.category = val; break;
    case O_FROM: c->sum.date_from = val; break;
    case O_TO: c->sum.date_to = val; break;
    case O_REGION: c->sum.region_prefix = val; break;
    case O_TOTALS: c->totals = 1; break;
    case O_STREAM: c->stream = 1; break;
    case O_MIN_DATA_GRADE: c->sum.min_data_grade = val; break;
    case O_MAX_ROWS: {
        unsigned long long v = 0;
        if (!toll_cli_parse_ullong(val, &v) || v == 0 || v > SIZE_MAX) {
            fprintf(stderr, "toll: invalid value for --max-rows: '%s' (a "
                    "whole number >= 1)\n", val);
            return CLI_USAGE;
        }
        c->sum.max_rows = (size_t)v;
        break;
    }
    case O_ATTR:
        if (toll_attribution_parse(val, &c->sum.attribution, &err) != TOLL_OK)
            return toll_cli_value_error(a, o, val, &err);
        break;
    case O_SPAN:
        if (toll_span_parse(val, &c->sum.span, &err) != TOLL_OK)
            return toll_cli_value_error(a, o, val, &err);
        break;
    case O_MIN_GRADE:
        if (toll_grade_parse(val, &c->sum.min_grade, &err) != TOLL_OK)
            return toll_cli_value_error(a, o, val, &err);
        break;
    case O_FORMAT: return toll_cli_format_value(a, o, val, &c->format);
    case O_THREADS: {
        int rc = toll_cli_input_option(&c->in, a, o, val);
        c->sum.interval.threads = c->in.threads;
        return rc;
    }
    default: {
        int rc = interval_option(c, o, val);
        return rc != CLI_NOT_MINE ? rc : toll_cli_input_option(&c->in, a, o,
                                                               val);
    }
    }
    return CLI_OK;
}

/* --stream: after each input, its rejects and warnings. */
typedef struct stream_notes {
    int lenient;
    size_t rejected, repaired;
} stream_notes;

/* --stream: the repairs of each chunk, listed before its rows go. */
static void stream_chunk(const toll_reports *reports, void *ctx)
{
    stream_notes *n = ctx;
    n->repaired += toll_cli_print_repair_lines(reports, stderr);
}

static void stream_input_done(const toll_reports *reports, const char *path,
                              void *ctx)
{
    stream_notes *n = ctx;
    (void)path;
    toll_cli_print_load_notes(reports, n->lenient, &n->rejected);
}

/* `toll summarize --stream`: toll_summarize_stream over the FILEs. */
static int run_stream(summarize_cli *c, const toll_cli_args *a,
                      toll_table **table)
{
    toll_error err;
    toll_error_clear(&err);
    toll_lexicon *lexicon = NULL;
    toll_colmap *map = NULL;
    const char **paths = NULL;
    toll_parse_options popts;
    toll_load_options lopts;
    stream_notes notes = {c->in.lenient, 0, 0};
    if (a->npos == 0) {
        fprintf(stderr, "toll: --stream reads the FILEs given ('-' for "
                "standard input); none given (see 'toll summarize "
                "--help')\n");
        return CLI_USAGE;
    }
    int rc = toll_cli_parse_options(&c->in.reading, &lexicon, &popts);
    if (rc == CLI_OK)
        rc = toll_cli_load_options(&c->in, a, &popts, &lopts, &map);
    if (rc != CLI_OK)
        goto cleanup;
    paths = calloc(a->npos, sizeof *paths);
    if (!paths) {
        fputs("toll: out of memory\n", stderr);
        rc = CLI_DATA;
        goto cleanup;
    }
    for (size_t i = 0; i < a->npos; i++)
        paths[i] = strcmp(a->pos[i], "-") == 0 ? NULL : a->pos[i];
    toll_stream_options so;
    toll_stream_options_init(&so);
    so.on_input = stream_input_done;
    so.on_chunk = stream_chunk;
    so.ctx = &notes;
    toll_status st = toll_summarize_stream(paths, a->npos, &lopts,
                                           &c->in.rec, &c->sum, &so, NULL,
                                           table, &err);
    if (notes.rejected > 0)
        fprintf(stderr, "toll: %zu record(s) rejected\n", notes.rejected);
    if (notes.repaired > 0)
        fprintf(stderr, "toll: %zu figure(s) or region(s) repaired\n",
                notes.repaired);
    if (st != TOLL_OK) {
        fprintf(stderr, "%s\n", err.message);
        rc = toll_cli_status_exit(st);
    }
cleanup:
    free(paths);
    toll_colmap_free(map);
    toll_lexicon_free(lexicon);
    return rc;
}

static int run(summarize_cli *c, const toll_cli_args *a)
{
    toll_error err;
    toll_error_clear(&err);
    toll_cli_data d;
    toll_table *table = NULL;
    int rc;
    memset(&d, 0, sizeof d);
    c->sum.actors = toll_cli_args_list(a, O_ACTOR, &c->sum.n_actors);
    c->sum.where = toll_cli_args_list(a, O_WHERE, &c->sum.n_where);
    if (c->stream) {
        if ((rc = run_stream(c, a, &table)) != CLI_OK)
            goto cleanup;
    } else {
        rc = toll_cli_data_load(&d, &c->in, a);
        if (rc != CLI_OK)
            goto cleanup;
        toll_status st = toll_summarize(d.incidents, &c->sum, NULL, &table,
                                        &err);
        if (st != TOLL_OK) {
            fprintf(stderr, "%s\n", err.message);
            rc = toll_cli_status_exit(st);
            goto cleanup;
        }
    }
    if (!toll_table_additive(table))
        fputs("toll: note: with --attribution each, every incident counts "
              "once for each of its actors, so the rows do not add up\n",
              stderr);
    toll_cli_print_table_warnings(table);
    rc = toll_cli_render(table, c->format, c->totals);

cleanup:
    toll_table_free(table);
    toll_cli_data_free(&d);
    return rc;
}

int toll_cli_summarize(const char *name, int argc, char **argv)
{
    summarize_cli c;
    memset(&c, 0, sizeof c);
    toll_cli_input_init(&c.in);
    toll_summarize_options_init(&c.sum);
    c.sum.by = "actor,period:month";
    c.format = TOLL_RENDER_TEXT;
    toll_cli_args a;
    int rc = toll_cli_args_parse(&a, CLI_SUMMARIZE, name, argc, argv, apply,
                                 &c);
    if (rc == CLI_OK && !a.help)
        rc = toll_cli_input_check(&c.in, &a);
    if (rc == CLI_OK && !a.help)
        rc = toll_cli_input_linker_check(&c.in, &a);
    if (rc == CLI_OK && a.help) {
        fputs(TOLL_CLI_SUMMARIZE_HELP, stdout);
        rc = toll_cli_finish_output();
    } else if (rc == CLI_OK) {
        rc = run(&c, &a);
    }
    toll_cli_args_free(&a);
    return rc;
}
