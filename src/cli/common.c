/*
 * src/cli/common.c - what the `toll` commands share (see common.h): the
 * lexicon, load and reconcile options, loading the files (or the bundled
 * example) with the importers' repairs and presets, writing the output.
 */
#define _POSIX_C_SOURCE 200809L
#include "common.h"

#include <errno.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#ifndef TOLL_SOURCE_EXAMPLE_DIR
#define TOLL_SOURCE_EXAMPLE_DIR ""
#endif
#ifndef TOLL_EXAMPLE_DIR
#define TOLL_EXAMPLE_DIR ""
#endif
#define EXAMPLE_FILE "seeds.jsonl"

/* ---- output ---------------------------------------------------------------- */

int toll_cli_write_file(void *ctx, const char *data, size_t len)
{
    return fwrite(data, 1, len, (FILE *)ctx) != len;
}

int toll_cli_finish_output(void)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fputs("toll: error writing the output\n", stderr);
        return CLI_DATA;
    }
    return CLI_OK;
}

int toll_cli_status_exit(toll_status st)
{
    return st == TOLL_EINVAL ? CLI_USAGE : CLI_DATA;
}

int toll_cli_output_failed(const toll_error *err)
{
    fflush(stdout);
    fprintf(stderr, "%s\n", err->message[0] ? err->message
                                            : "toll: error writing the output");
    return CLI_DATA;
}

int toll_cli_render(const toll_table *table, toll_render_format format,
                    int totals)
{
    toll_error err;
    toll_error_clear(&err);
    if (toll_table_render(table, format, totals, toll_cli_write_file, stdout,
                          &err) != TOLL_OK)
        return toll_cli_output_failed(&err);
    return toll_cli_finish_output();
}

/* ---- importers: repairs and presets (docs/importers.md) -------------------- */

/* Print each repair as "repair: MESSAGE", then "toll: N figure(s) or
 * region(s) repaired"; nothing when there are none. */
size_t toll_cli_print_repair_lines(const toll_reports *reports, FILE *out)
{
    size_t n = toll_reports_repair_count(reports);
    for (size_t i = 0; i < n; i++) {
        toll_error e;
        toll_error_clear(&e);
        if (toll_reports_repair(reports, i, &e) == TOLL_OK)
            fprintf(out, "repair: %s\n", e.message);
    }
    return n;
}

static void print_repairs(const toll_reports *reports, FILE *out)
{
    size_t n = toll_cli_print_repair_lines(reports, out);
    if (n)
        fprintf(out, "toll: %zu figure(s) or region(s) repaired\n", n);
}

/* Print the import presets, one per line ("  ucdp-ged  UCDP ..."). */
static void print_presets(FILE *out)
{
    for (size_t i = 0; i < toll_preset_count(); i++) {
        const toll_preset *p = toll_preset_at(i);
        fprintf(out, "  %-9s %s\n", p->name, p->description);
    }
}

/* ---- reading quantities ---------------------------------------------------- */

int toll_cli_reading_option(toll_cli_reading *r, const toll_cli_args *a,
                            const toll_cli_opt *o, const char *val)
{
    switch (o->id) {
    case O_LEXICON: r->lexicon_file = val; break;
    case O_LEXICON_PRESET: r->lexicon_preset = val; break;
    case O_TOLERANCE: {
        double t;
        if (!toll_cli_parse_double(val, &t) || !(t >= 0.0 && t < 1.0))
            return toll_cli_bad_value(a, o, val,
                                      "a number from 0 to below 1");
        r->about_tolerance = t;
        r->have_tolerance = 1;
        break;
    }
    default: return CLI_NOT_MINE;
    }
    return CLI_OK;
}

int toll_cli_parse_options(const toll_cli_reading *r, toll_lexicon **lex,
                           toll_parse_options *popts)
{
    toll_error err;
    toll_error_clear(&err);
    toll_parse_options_init(popts);
    if (r->have_tolerance)
        popts->about_tolerance = r->about_tolerance;
    *lex = NULL;
    if (!r->lexicon_preset && !r->lexicon_file)
        return CLI_OK;
    const char *preset = r->lexicon_preset ? r->lexicon_preset : "default";
    toll_status st = toll_lexicon_new_preset(preset, NULL, lex, &err);
    if (st == TOLL_ENOTFOUND || st == TOLL_EINVAL) {
        fprintf(stderr, "toll: unknown lexicon preset '%s' (default, acled "
                "or empty)\n", preset);
        return CLI_USAGE;
    }
    if (st != TOLL_OK) {
        fprintf(stderr, "%s\n", err.message);
        return CLI_DATA;
    }
    if (r->lexicon_file &&
        toll_lexicon_load_file(*lex, r->lexicon_file, &err) != TOLL_OK) {
        fprintf(stderr, "%s\n", err.message);
        toll_lexicon_free(*lex);
        *lex = NULL;
        return CLI_DATA;
    }
    popts->lexicon = *lex;
    return CLI_OK;
}

/* ---- load and reconcile options ------------------------------------------- */

void toll_cli_input_init(toll_cli_input *in)
{
    memset(in, 0, sizeof *in);
    in->format_in = TOLL_FORMAT_AUTO;
    toll_reconcile_options_init(&in->rec);
    toll_cli_linker_init(&in->linker);
}

static int parse_format_in(const char *s, toll_format *out)
{
    if (strcmp(s, "json") == 0) *out = TOLL_FORMAT_JSON;
    else if (strcmp(s, "jsonl") == 0 || strcmp(s, "ndjson") == 0)
        *out = TOLL_FORMAT_JSONL;
    else if (strcmp(s, "csv") == 0) *out = TOLL_FORMAT_CSV;
    else if (strcmp(s, "auto") == 0) *out = TOLL_FORMAT_AUTO;
    else return 0;
    return 1;
}

/* --link-days, --link-level. */
static int link_number(toll_cli_input *in, const toll_cli_args *a,
                       const toll_cli_opt *o, const char *val)
{
    long v = 0;
    int level = o->id == O_LINK_LEVEL;
    int full = level && strcmp(val, "full") == 0;
    if (!full && (!toll_cli_parse_long(val, &v) || v < (level ? -1 : 0) ||
                  v > TOLL_LINK_MAX_DAYS))
        return toll_cli_bad_value(a, o, val,
                                  level ? "a level >= 0, or -1 or full for "
                                          "the whole path"
                                        : "a whole number of days >= 0");
    if (o->id == O_LINK_DAYS)
        in->rec.link_days = (int)v;
    else
        in->rec.link_region_level = full ? TOLL_LINK_FULL_PATH : (int)v;
    in->link_tuned = 1;
    return CLI_OK;
}

int toll_cli_input_option(toll_cli_input *in, const toll_cli_args *a,
                          const toll_cli_opt *o, const char *val)
{
    toll_error err;
    toll_error_clear(&err);
    switch (o->id) {
    case O_MAP_FILE: in->map_file = val; break;
    case O_LENIENT: in->lenient = 1; break;
    case O_NO_PROGRESS: in->no_progress = 1; break;
    case O_POLICY:
        if (toll_policy_parse(val, &in->rec.policy, &err) != TOLL_OK)
            return toll_cli_value_error(a, o, val, &err);
        break;
    case O_SELF:
        if (toll_self_reports_parse(val, &in->rec.self_reports, &err) !=
            TOLL_OK)
            return toll_cli_value_error(a, o, val, &err);
        break;
    case O_FORMAT_IN:
        if (!parse_format_in(val, &in->format_in))
            return toll_cli_bad_value(a, o, val, "json, jsonl or csv");
        break;
    case O_ACTOR_SEP: return toll_cli_char_value(a, o, val, &in->actor_sep);
    case O_REGION_SEP: return toll_cli_char_value(a, o, val, &in->region_sep);
    case O_DELIMITER: return toll_cli_char_value(a, o, val, &in->delimiter);
    case O_LINK:
        if (toll_link_mode_parse(val, &in->rec.link, &err) != TOLL_OK)
            return toll_cli_bad_value(a, o, val, "none, auto or rule");
        break;
    case O_LINK_DAYS:
    case O_LINK_LEVEL: return link_number(in, a, o, val);
    case O_LINK_MAX_SPAN: { /* both linkers */
        int rc = toll_cli_linker_option(&in->linker, a, o, val);
        in->rec.link_max_span = in->linker.opts.max_span;
        return rc;
    }
    case O_LINK_ACTORS:
        if (strcmp(val, "overlap") == 0)
            in->rec.link_require_actor = 1;
        else if (strcmp(val, "ignore") == 0)
            in->rec.link_require_actor = 0;
        else
            return toll_cli_bad_value(a, o, val, "overlap or ignore");
        in->link_tuned = 1;
        break;
    case O_IMPORT_PRESET:
        if (toll_preset_find(val, NULL, &err) != TOLL_OK) {
            fprintf(stderr, "toll: %s; the presets:\n", err.message);
            print_presets(stderr);
            return CLI_USAGE;
        }
        in->import_preset = val;
        break;
    case O_REPAIR: in->repair = TOLL_REPAIR_ON; break;
    case O_NO_REPAIR: in->repair = TOLL_REPAIR_OFF; break;
    case O_ENCODING: in->encoding = val; break;
    case O_DATE_FORMAT: in->date_format = val; break;
    case O_DATE_WINDOW: {
        /* FROM:TO; the library checks the years (src/core/date.c) */
        char from[32];
        const char *colon = strchr(val, ':');
        long lo = 0, hi = 0;
        size_t fl = colon ? (size_t)(colon - val) : 0;
        if (colon && fl < sizeof from) {
            memcpy(from, val, fl);
            from[fl] = '\0';
        }
        if (!colon || fl >= sizeof from || !toll_cli_parse_long(from, &lo) ||
            !toll_cli_parse_long(colon + 1, &hi) || lo < 1 || hi < 1 ||
            lo > 9999 || hi > 9999)
            return toll_cli_bad_value(a, o, val,
                                      "FROM:TO, two years such as 1800:2100");
        in->date_window_from = (int)lo;
        in->date_window_to = (int)hi;
        break;
    }
    case O_THREADS: {
        long v;
        if (!toll_cli_parse_long(val, &v) || v < 0 || v > 64)
            return toll_cli_bad_value(a, o, val, "0 for auto, 1, 2, ...");
        in->threads = (size_t)v;
        in->rec.threads = (size_t)v;
        break;
    }
    default: {
        int rc = toll_cli_linker_option(&in->linker, a, o, val);
        if (rc != CLI_NOT_MINE)
            return rc;
        return toll_cli_reading_option(&in->reading, a, o, val);
    }
    }
    return CLI_OK;
}

int toll_cli_input_check(const toll_cli_input *in, const toll_cli_args *a)
{
    if (in->link_tuned && in->rec.link != TOLL_LINK_RULE)
        return toll_cli_usage(a->cmd_name, "--link-days, --link-level and "
                              "--link-actors need --link rule");
    return CLI_OK;
}

int toll_cli_input_linker_check(const toll_cli_input *in,
                                const toll_cli_args *a)
{
    return toll_cli_linker_check(&in->linker, in->rec.link, a);
}

/* ---- loading ----------------------------------------------------------------- */

static int file_exists(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    fclose(f);
    return 1;
}

/* argv[0], for finding the example next to an installed binary. */
static const char *g_argv0 = "";

void toll_cli_set_argv0(const char *argv0)
{
    g_argv0 = argv0;
}

/* The bundled example: $TOLL_EXAMPLE, else the source tree's data/, else the
 * installed share/toll/, else ../share/toll/ next to this binary (when the
 * install was moved).  Writes the path into buf; 0 if none exists. */
static int find_example(char *buf, size_t size)
{
    const char *env = getenv("TOLL_EXAMPLE");
    if (env && env[0]) {
        snprintf(buf, size, "%s", env);
        return 1; /* a missing file is reported by the load itself */
    }
    const char *dirs[] = {TOLL_SOURCE_EXAMPLE_DIR, TOLL_EXAMPLE_DIR};
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        if (!dirs[i][0])
            continue;
        snprintf(buf, size, "%s/%s", dirs[i], EXAMPLE_FILE);
        if (file_exists(buf))
            return 1;
    }
    const char *slash = strrchr(g_argv0, '/');
    if (slash) {
        int dirlen = (int)(slash - g_argv0);
        snprintf(buf, size, "%.*s/../share/toll/%s", dirlen, g_argv0,
                 EXAMPLE_FILE);
        if (file_exists(buf))
            return 1;
    }
    return 0;
}

/* Read all of `f` into a new buffer (free it); NULL on a read error or
 * when memory runs out. */
static char *read_all(FILE *f, size_t *len)
{
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap);
    if (!buf)
        return NULL;
    for (;;) {
        if (n == cap) {
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                return NULL;
            }
            buf = nb;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}

/* The last component of a path. */
static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* Load `path` into `reports`.  "-" reads standard input (named "<stdin>"
 * in messages).  With `short_name`, the file is read here and loaded as a
 * buffer named by its base name, so that messages and provenance say
 * "seeds.jsonl:3" whatever the directory it was found in. */
static toll_status load_one(toll_reports *reports, const char *path,
                            int short_name, const toll_load_options *lopts,
                            toll_error *err)
{
    if (strcmp(path, "-") != 0 && !short_name)
        return toll_reports_load_file(reports, path, lopts, NULL, err);

    FILE *f = stdin;
    const char *name = "<stdin>";
    if (strcmp(path, "-") != 0) {
        name = base_name(path);
        f = fopen(path, "rb");
        if (!f) {
            snprintf(err->message, sizeof err->message, "%s: cannot open: %s",
                     path, strerror(errno));
            err->code = TOLL_EIO;
            return TOLL_EIO;
        }
    }
    size_t len = 0;
    char *data = read_all(f, &len);
    if (f != stdin)
        fclose(f);
    if (!data) {
        snprintf(err->message, sizeof err->message, "%s: cannot read it",
                 f == stdin ? name : path);
        err->code = TOLL_EIO;
        return TOLL_EIO;
    }
    toll_load_options o = *lopts;
    if (o.format == TOLL_FORMAT_AUTO && strcmp(path, "-") != 0) {
        /* the file name tells the format, as toll_reports_load_file does */
        const char *dot = strrchr(name, '.');
        if (dot && strcmp(dot, ".csv") == 0) o.format = TOLL_FORMAT_CSV;
        else if (dot && strcmp(dot, ".json") == 0) o.format = TOLL_FORMAT_JSON;
        else if (dot && (strcmp(dot, ".jsonl") == 0 ||
                         strcmp(dot, ".ndjson") == 0))
            o.format = TOLL_FORMAT_JSONL;
    }
    toll_status st = toll_reports_load_buffer(reports, data, len, name, &o,
                                              NULL, err);
    free(data);
    return st;
}

/* Print the rejects of the last (lenient) load; add them to *total. */
static void print_rejects(const toll_reports *reports, size_t *total)
{
    size_t n = toll_reports_reject_count(reports);
    for (size_t i = 0; i < n; i++) {
        const toll_error *e = toll_reports_reject(reports, i);
        if (e)
            fprintf(stderr, "warning: %s\n", e->message);
    }
    *total += n;
}

/* Print the warnings of the last load as "toll: warning: MESSAGE". */
static void print_warnings(const toll_reports *reports)
{
    size_t n = toll_reports_warning_count(reports);
    for (size_t i = 0; i < n; i++) {
        const toll_error *e = toll_reports_warning(reports, i);
        if (e)
            fprintf(stderr, "toll: warning: %s\n", e->message);
    }
}

void toll_cli_print_table_warnings(const toll_table *table)
{
    size_t n = toll_table_warning_count(table);
    for (size_t i = 0; i < n; i++) {
        const toll_error *e = toll_table_warning(table, i);
        if (e)
            fprintf(stderr, "toll: warning: %s\n", e->message);
    }
}

/* ---- the progress bar of a load (stderr on a terminal) ---- */

typedef struct progress_bar {
    const char *name;
    double start; /* seconds (CLOCK_MONOTONIC) when the load began */
    double last;  /* when the bar was last drawn */
    double delay; /* seconds before the bar shows: 1, or
                     $TOLL_PROGRESS_DELAY */
    int drawn;
} progress_bar;

static progress_bar g_bar;

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A load begins: the bar is drawn once it has run for a second. */
static void bar_start(const char *name)
{
    g_bar.name = name;
    g_bar.start = now_seconds();
    g_bar.drawn = 0;
    const char *d = getenv("TOLL_PROGRESS_DELAY");
    char *end = NULL;
    double v = d && *d ? strtod(d, &end) : 1.0;
    g_bar.delay = end && *end == '\0' && v >= 0 ? v : 1.0;
}

/* A load ended (however): clear the bar's line. */
static void bar_end(void)
{
    if (g_bar.drawn)
        fputs("\r\033[K", stderr);
    g_bar.drawn = 0;
}

static void bar_progress(void *ctx, uint64_t done, uint64_t total)
{
    progress_bar *b = ctx;
    if (total && done >= total) {
        bar_end();
        return;
    }
    double now = now_seconds();
    if (now - b->start < b->delay || (b->drawn && now - b->last < 0.2))
        return;
    b->last = now;
    double mb = (double)done / 1e6;
    if (total)
        fprintf(stderr, "\r\033[Ktoll: reading %s  %3.0f%%  %.0f of %.0f MB",
                b->name ? b->name : "", 100.0 * (double)done / (double)total,
                mb, (double)total / 1e6);
    else
        fprintf(stderr, "\r\033[Ktoll: reading %s  %.0f MB",
                b->name ? b->name : "", mb);
    fflush(stderr);
    b->drawn = 1;
}

int toll_cli_load_options(const toll_cli_input *in, const toll_cli_args *a,
                          const toll_parse_options *popts,
                          toll_load_options *lopts, toll_colmap **map_out)
{
    toll_error err;
    toll_error_clear(&err);
    toll_colmap *map = NULL;
    size_t nmaps = 0;
    const char *const *maps = toll_cli_args_list(a, O_MAP, &nmaps);
    toll_status st;
    *map_out = NULL;
    toll_load_options_init(lopts);
    lopts->format = in->format_in;
    lopts->lenient = in->lenient;
    lopts->parse = *popts;
    if (in->delimiter) lopts->csv_delimiter = in->delimiter;
    if (in->actor_sep) lopts->actor_separator = in->actor_sep;
    if (in->region_sep) lopts->region_separator = in->region_sep;
    lopts->preset = in->import_preset; /* docs/importers.md */
    lopts->repair = in->repair;
    lopts->encoding = in->encoding;
    lopts->date_format = in->date_format;
    lopts->date_window_from = in->date_window_from;
    lopts->date_window_to = in->date_window_to;
    lopts->threads = in->threads;
    if (!in->no_progress && isatty(fileno(stderr))) {
        lopts->progress = bar_progress;
        lopts->progress_ctx = &g_bar;
        bar_start(NULL);
    }

    if (in->map_file || nmaps > 0) {
        int bad_spec = 0; /* a bad --map SPEC is a usage error */
        st = toll_colmap_new(NULL, &map, &err);
        if (st == TOLL_OK && in->map_file)
            st = toll_colmap_load_file(map, in->map_file, &err);
        for (size_t i = 0; st == TOLL_OK && i < nmaps; i++) {
            st = toll_colmap_parse(map, maps[i], &err);
            bad_spec = st == TOLL_EINVAL;
        }
        if (st != TOLL_OK) {
            fprintf(stderr, "%s\n", err.message);
            toll_colmap_free(map);
            return bad_spec ? CLI_USAGE : CLI_DATA;
        }
        lopts->colmap = map;
    }
    *map_out = map;
    return CLI_OK;
}

void toll_cli_print_load_notes(const toll_reports *reports, int lenient,
                               size_t *rejected)
{
    if (lenient)
        print_rejects(reports, rejected);
    print_warnings(reports);
}

/* Load every FILE (or the example) into a new store *out. */
static int load_reports(const toll_cli_input *in, const toll_cli_args *a,
                        const toll_parse_options *popts, toll_reports **out)
{
    toll_error err;
    toll_error_clear(&err);
    toll_colmap *map = NULL;
    toll_reports *reports = NULL;
    char example[4096];
    const char *example_arg[1];
    const char *const *files = a->pos;
    size_t nfiles = a->npos, rejected = 0;
    int rc = CLI_OK;
    toll_status st;

    if (nfiles == 0) {
        if (!find_example(example, sizeof example)) {
            fprintf(stderr, "toll: cannot find the bundled example (%s) in "
                    "%s or %s; give a FILE or set TOLL_EXAMPLE\n",
                    EXAMPLE_FILE, TOLL_SOURCE_EXAMPLE_DIR, TOLL_EXAMPLE_DIR);
            return CLI_DATA;
        }
        example_arg[0] = example;
        files = example_arg;
        nfiles = 1;
    }

    toll_load_options lopts;
    rc = toll_cli_load_options(in, a, popts, &lopts, &map);
    if (rc != CLI_OK)
        goto cleanup;

    st = toll_reports_new(NULL, &reports, &err);
    if (st != TOLL_OK) {
        fprintf(stderr, "%s\n", err.message);
        rc = CLI_DATA;
        goto cleanup;
    }
    for (size_t i = 0; i < nfiles; i++) {
        bar_start(files[i]);
        st = load_one(reports, files[i], a->npos == 0, &lopts, &err);
        bar_end();
        if (st != TOLL_OK) {
            fprintf(stderr, "%s\n", err.message);
            rc = CLI_DATA;
            goto cleanup;
        }
        toll_cli_print_load_notes(reports, in->lenient, &rejected);
    }
    if (rejected > 0)
        fprintf(stderr, "toll: %zu record(s) rejected\n", rejected);
    print_repairs(reports, stderr);
    *out = reports;
    reports = NULL;

cleanup:
    toll_reports_free(reports);
    toll_colmap_free(map);
    return rc;
}

int toll_cli_data_load_reports(toll_cli_data *d, const toll_cli_input *in,
                               const toll_cli_args *a)
{
    toll_parse_options popts;
    memset(d, 0, sizeof *d);
    int rc = toll_cli_parse_options(&in->reading, &d->lexicon, &popts);
    if (rc != CLI_OK)
        return rc;
    return load_reports(in, a, &popts, &d->reports);
}

int toll_cli_data_load(toll_cli_data *d, const toll_cli_input *in,
                       const toll_cli_args *a)
{
    toll_error err;
    toll_error_clear(&err);
    int rc = toll_cli_data_load_reports(d, in, a);
    if (rc != CLI_OK)
        return rc;
    toll_reconcile_options rec = in->rec;
    if (rec.link == TOLL_LINK_AUTO) {
        rc = toll_cli_linker_prepare(&in->linker, d->reports, &d->linker,
                                     &rec.linker);
        if (rc != CLI_OK)
            return rc;
        rec.linker.threads = in->threads;
    }
    toll_status st = toll_reconcile(d->reports, &rec, NULL, &d->incidents,
                                    &err);
    if (st != TOLL_OK) {
        fprintf(stderr, "%s\n", err.message);
        return toll_cli_status_exit(st);
    }
    return CLI_OK;
}

void toll_cli_data_free(toll_cli_data *d)
{
    toll_incidents_free(d->incidents);
    toll_cli_linker_free(&d->linker);
    toll_reports_free(d->reports);
    toll_lexicon_free(d->lexicon);
    memset(d, 0, sizeof *d);
}
