/*
 * tests/test_catalogue.c - the catalogue of bad input through the C API.
 *
 * Reads tests/catalogue/catalogue.tsv at run time (one row per input file;
 * the columns are described at the top of that file) and, for every row:
 *  - strict: loads good.jsonl, then the file; checks the status, the count
 *    added (OK rows), the error's file, line, record, field and text and
 *    its message (FILE:LINE: prefix, the fragment, the text), and that a
 *    failed load added nothing;
 *  - lenient: the reports added, and the line of every rejected record;
 *  - the same bytes loaded from a buffer (whole, no chunks) give the
 *    outcome listed for the file (read in 1 MiB chunks).
 * NAME.in files are templates (each @MB@: 1 MiB of 'x'; @FILL-N@: 'x' up to N
 * bytes before the 1 MiB chunk boundary), written to a temporary
 * directory.
 */
#define _POSIX_C_SOURCE 200809L
#include "testutil.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef TOLL_TEST_DATA_DIR
#error "TOLL_TEST_DATA_DIR must be defined"
#endif
#define CATALOGUE_DIR TOLL_TEST_DATA_DIR "/../catalogue"
#define MB (1u << 20)

enum {
    C_NAME, C_FILE, C_FORMAT, C_OPTIONS, C_STATUS, C_COUNT, C_LINE,
    C_RECORD, C_FIELD, C_TEXT, C_MESSAGE, C_LENIENT, C_REJECTS, NCOLS
};

typedef struct row {
    char *col[NCOLS];
    char path[512]; /* the input to load (generated for .in templates) */
} row;

static row *rows;
static size_t nrows;
static char *table_text;
static char tmpdir[256];

/* ---- reading the table ------------------------------------------------- */

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf) {
        buf[n < cap ? n : cap - 1] = '\0';
        if (len)
            *len = n;
    }
    return buf;
}

/*
 * Write the template `in` expanded to `out`: each "@MB@" becomes 1 MiB of
 * 'x'; "@FILL-N@" becomes as many 'x' as put the text after it N bytes
 * before the 1 MiB mark (where a file load starts its second chunk).
 */
static void put_xs(FILE *f, size_t fill)
{
    char xs[4096];
    memset(xs, 'x', sizeof xs);
    for (size_t left = fill; left > 0;) {
        size_t k = left < sizeof xs ? left : sizeof xs;
        fwrite(xs, 1, k, f);
        left -= k;
    }
}

static int expand_template(const char *in, const char *out)
{
    size_t len;
    char *t = slurp(in, &len);
    if (!t)
        return -1;
    size_t fill = 0, skip = 0;
    char *at = strstr(t, "@FILL-");
    if (at && !strstr(t, "@MB@")) {
        char *end;
        long n = strtol(at + 6, &end, 10);
        if (*end != '@' || n < 0 || (size_t)(at - t) + (size_t)n > MB) {
            free(t);
            return -1;
        }
        fill = MB - (size_t)n - (size_t)(at - t);
        skip = (size_t)(end + 1 - at);
    } else {
        at = NULL;
    }
    FILE *f = fopen(out, "wb");
    if (!f) {
        free(t);
        return -1;
    }
    if (at) {
        fwrite(t, 1, (size_t)(at - t), f);
        put_xs(f, fill);
        fwrite(at + skip, 1, len - (size_t)(at - t) - skip, f);
    } else {
        /* every @MB@ */
        const char *p = t;
        while ((at = strstr(p, "@MB@")) != NULL) {
            fwrite(p, 1, (size_t)(at - p), f);
            put_xs(f, MB);
            p = at + 4;
        }
        fwrite(p, 1, len - (size_t)(p - t), f);
    }
    free(t);
    return fclose(f);
}

static int read_table(void)
{
    table_text = slurp(CATALOGUE_DIR "/catalogue.tsv", NULL);
    if (!table_text) {
        fprintf(stderr, "cannot read %s\n", CATALOGUE_DIR "/catalogue.tsv");
        return -1;
    }
    size_t cap = 0;
    for (char *line = table_text; line && *line;) {
        char *next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        if (line[0] == '#' || line[0] == '\0' ||
            strncmp(line, "name\t", 5) == 0) {
            line = next;
            continue;
        }
        if (nrows == cap) {
            cap = cap ? cap * 2 : 64;
            rows = realloc(rows, cap * sizeof *rows);
            if (!rows)
                return -1;
        }
        row *r = &rows[nrows];
        memset(r, 0, sizeof *r);
        char *p = line;
        for (int c = 0; c < NCOLS; c++) {
            r->col[c] = p;
            char *tab = p ? strchr(p, '\t') : NULL;
            if (tab) {
                *tab = '\0';
                p = tab + 1;
            } else {
                p = NULL;
            }
            if (!r->col[c]) {
                fprintf(stderr, "catalogue row %zu has too few columns\n",
                        nrows + 1);
                return -1;
            }
        }
        const char *file = r->col[C_FILE];
        size_t fl = strlen(file);
        if (fl > 3 && strcmp(file + fl - 3, ".in") == 0) {
            char in[512];
            snprintf(in, sizeof in, "%s/%s", CATALOGUE_DIR, file);
            snprintf(r->path, sizeof r->path, "%s/%.*s", tmpdir,
                     (int)(fl - 3), file);
            if (expand_template(in, r->path) != 0) {
                fprintf(stderr, "cannot write %s\n", r->path);
                return -1;
            }
        } else {
            snprintf(r->path, sizeof r->path, "%s/%s", CATALOGUE_DIR, file);
        }
        nrows++;
        line = next;
    }
    return 0;
}

/* ---- one row ---------------------------------------------------------- */

static int is_dash(const char *s) { return strcmp(s, "-") == 0; }

static toll_status status_of(const char *name)
{
    char full[32];
    snprintf(full, sizeof full, "TOLL_%s", name);
    for (int s = 0; s < TOLL_STATUS_COUNT; s++)
        if (strcmp(toll_status_name((toll_status)s), full) == 0)
            return (toll_status)s;
    ck_abort_msg("unknown status %s in the catalogue", name);
    return TOLL_OK;
}

static toll_format format_of(const row *r)
{
    const char *f = r->col[C_FORMAT];
    if (strcmp(f, "json") == 0)
        return TOLL_FORMAT_JSON;
    if (strcmp(f, "jsonl") == 0)
        return TOLL_FORMAT_JSONL;
    if (strcmp(f, "csv") == 0)
        return TOLL_FORMAT_CSV;
    return TOLL_FORMAT_AUTO;
}

/* The format a file load picks from the extension (for buffer loads). */
static toll_format format_for_buffer(const row *r)
{
    toll_format f = format_of(r);
    if (f != TOLL_FORMAT_AUTO)
        return f;
    const char *p = r->path;
    size_t n = strlen(p);
    if (n > 4 && strcmp(p + n - 4, ".csv") == 0)
        return TOLL_FORMAT_CSV;
    if (n > 6 && strcmp(p + n - 6, ".jsonl") == 0)
        return TOLL_FORMAT_JSONL;
    return TOLL_FORMAT_AUTO; /* .json: sniffed ('[' array, '{' lines) */
}

typedef struct outcome {
    toll_status st;
    size_t n_loaded, count;
    toll_error err;
    size_t nrej;
    long rej_line[16];
    char rej_msg[16][sizeof ((toll_error *)0)->message];
} outcome;

/* Load good.jsonl then the row's input (file or buffer) into a new store. */
static void run_load(const row *r, int lenient, int from_buffer,
                     outcome *o)
{
    toll_reports *rep = NULL;
    toll_colmap *map = NULL;
    toll_error err;
    memset(o, 0, sizeof *o);
    ck_assert_int_eq(toll_reports_new(NULL, &rep, &err), TOLL_OK);
    size_t n = 0;
    ck_assert_msg(toll_reports_load_file(rep, CATALOGUE_DIR "/good.jsonl",
                                         NULL, &n, &err) == TOLL_OK,
                  "good.jsonl: %s", err.message);
    ck_assert_uint_eq(n, 2);

    toll_load_options opts;
    char preset[64];
    toll_load_options_init(&opts);
    opts.lenient = lenient;
    opts.format = from_buffer ? format_for_buffer(r) : format_of(r);
    if (!is_dash(r->col[C_OPTIONS])) {
        char buf[512];
        snprintf(buf, sizeof buf, "%s", r->col[C_OPTIONS]);
        for (char *save = NULL, *opt = strtok_r(buf, " ", &save); opt;
             opt = strtok_r(NULL, " ", &save)) {
            if (strncmp(opt, "map=", 4) == 0) {
                if (!map)
                    ck_assert_int_eq(toll_colmap_new(NULL, &map, &err),
                                     TOLL_OK);
                ck_assert_msg(toll_colmap_parse(map, opt + 4, &err) ==
                                  TOLL_OK,
                              "%s: map: %s", r->col[C_NAME], err.message);
                opts.colmap = map;
            } else if (strncmp(opt, "preset=", 7) == 0) {
                snprintf(preset, sizeof preset, "%s", opt + 7);
                opts.preset = preset;
            } else {
                ck_abort_msg("%s: unknown option %s", r->col[C_NAME], opt);
            }
        }
    }
    toll_error_clear(&o->err);
    if (from_buffer) {
        size_t len = 0;
        char *data = slurp(r->path, &len);
        ck_assert_ptr_nonnull(data);
        o->st = toll_reports_load_buffer(rep, data, len, r->path, &opts,
                                         &o->n_loaded, &o->err);
        free(data);
    } else {
        o->st = toll_reports_load_file(rep, r->path, &opts, &o->n_loaded,
                                       &o->err);
    }
    o->count = toll_reports_count(rep);
    o->nrej = toll_reports_reject_count(rep);
    for (size_t i = 0; i < o->nrej && i < 16; i++) {
        const toll_error *e = toll_reports_reject(rep, i);
        ck_assert_ptr_nonnull(e);
        o->rej_line[i] = e->line;
        snprintf(o->rej_msg[i], sizeof o->rej_msg[i], "%s", e->message);
        ck_assert_str_eq(e->file, r->path);
        char prefix[600];
        snprintf(prefix, sizeof prefix, "%s:%ld: ", r->path, e->line);
        ck_assert_msg(strncmp(e->message, prefix, strlen(prefix)) == 0,
                      "%s: reject %zu message '%s' does not start with '%s'",
                      r->col[C_NAME], i, e->message, prefix);
        ck_assert_msg(e->code == TOLL_EPARSE || e->code == TOLL_EREPORT,
                      "%s: reject %zu has code %s", r->col[C_NAME], i,
                      toll_status_name(e->code));
    }
    toll_reports_free(rep);
    toll_colmap_free(map);
}

static void check_strict(const row *r, const outcome *o)
{
    const char *name = r->col[C_NAME];
    toll_status want = status_of(r->col[C_STATUS]);
    ck_assert_msg(o->st == want, "%s: status %s, expected %s (%s)", name,
                  toll_status_name(o->st), toll_status_name(want),
                  o->err.message);
    ck_assert_msg(o->nrej == 0, "%s: strict load listed rejects", name);
    if (want == TOLL_OK) {
        long n = atol(r->col[C_COUNT]);
        ck_assert_msg((long)o->n_loaded == n, "%s: loaded %zu, expected %ld",
                      name, o->n_loaded, n);
        ck_assert_uint_eq(o->count, 2 + (size_t)n);
        return;
    }
    /* nothing added */
    ck_assert_msg(o->count == 2, "%s: failed strict load left %zu reports",
                  name, o->count);
    ck_assert_uint_eq(o->n_loaded, 0);
    const toll_error *e = &o->err;
    ck_assert_int_eq(e->code, o->st);
    ck_assert_str_eq(e->file, r->path);
    ck_assert_msg(e->line == atol(r->col[C_LINE]), "%s: line %ld, expected %s",
                  name, e->line, r->col[C_LINE]);
    ck_assert_msg(e->record == atol(r->col[C_RECORD]),
                  "%s: record %ld, expected %s", name, e->record,
                  r->col[C_RECORD]);
    const char *field = is_dash(r->col[C_FIELD]) ? "" : r->col[C_FIELD];
    ck_assert_msg(strcmp(e->field, field) == 0,
                  "%s: field '%s', expected '%s'", name, e->field, field);
    const char *text = is_dash(r->col[C_TEXT]) ? "" : r->col[C_TEXT];
    ck_assert_msg(strcmp(e->text, text) == 0, "%s: text '%s', expected '%s'",
                  name, e->text, text);
    char prefix[600];
    if (e->line > 0)
        snprintf(prefix, sizeof prefix, "%s:%ld: ", r->path, e->line);
    else /* an error of the whole file (line 0) */
        snprintf(prefix, sizeof prefix, "%s: ", r->path);
    ck_assert_msg(strncmp(e->message, prefix, strlen(prefix)) == 0,
                  "%s: message '%s' does not start with '%s'", name,
                  e->message, prefix);
    ck_assert_msg(strstr(e->message, r->col[C_MESSAGE]) != NULL,
                  "%s: message '%s' lacks '%s'", name, e->message,
                  r->col[C_MESSAGE]);
    ck_assert_msg(strstr(e->message, e->text) != NULL,
                  "%s: message '%s' lacks the text '%s'", name, e->message,
                  e->text);
    if (e->field[0]) {
        char quoted[80];
        snprintf(quoted, sizeof quoted, "'%s'", e->field);
        ck_assert_msg(strstr(e->message, quoted) != NULL,
                      "%s: message '%s' does not name the field %s", name,
                      e->message, quoted);
    }
}

static void check_lenient(const row *r, const outcome *o)
{
    const char *name = r->col[C_NAME];
    if (strcmp(r->col[C_LENIENT], "fail") == 0) {
        ck_assert_msg(o->st == status_of(r->col[C_STATUS]),
                      "%s: lenient status %s, expected %s", name,
                      toll_status_name(o->st), r->col[C_STATUS]);
        ck_assert_uint_eq(o->count, 2);
        ck_assert_uint_eq(o->nrej, 0);
        return;
    }
    ck_assert_msg(o->st == TOLL_OK, "%s: lenient load failed: %s", name,
                  o->err.message);
    long n = atol(r->col[C_LENIENT]);
    ck_assert_msg((long)o->n_loaded == n, "%s: lenient loaded %zu, expected %ld",
                  name, o->n_loaded, n);
    ck_assert_uint_eq(o->count, 2 + (size_t)n);
    size_t k = 0;
    if (!is_dash(r->col[C_REJECTS])) {
        char buf[256];
        snprintf(buf, sizeof buf, "%s", r->col[C_REJECTS]);
        for (char *save = NULL, *t = strtok_r(buf, ",", &save); t;
             t = strtok_r(NULL, ",", &save), k++) {
            ck_assert_msg(k < o->nrej, "%s: %zu rejects, expected more", name,
                          o->nrej);
            ck_assert_msg(o->rej_line[k] == atol(t),
                          "%s: reject %zu on line %ld, expected %s (%s)",
                          name, k, o->rej_line[k], t, o->rej_msg[k]);
        }
    }
    ck_assert_msg(o->nrej == k, "%s: %zu rejects, expected %zu", name,
                  o->nrej, k);
    /* the first reject is the strict load's error */
    if (k > 0)
        ck_assert_msg(strstr(o->rej_msg[0], r->col[C_MESSAGE]) != NULL,
                      "%s: first reject '%s' lacks '%s'", name, o->rej_msg[0],
                      r->col[C_MESSAGE]);
}

START_TEST(catalogue_row_should_fail_strictly_with_a_located_error)
{
    outcome o;
    run_load(&rows[_i], 0, 0, &o);
    check_strict(&rows[_i], &o);
}
END_TEST

START_TEST(catalogue_row_should_keep_valid_records_when_lenient)
{
    outcome o;
    run_load(&rows[_i], 1, 0, &o);
    check_lenient(&rows[_i], &o);
}
END_TEST

/* 1 if the row's outcome comes from its file name, not its bytes: a
 * directory, or an extension that does not tell the format (no buffer
 * load to compare). */
static int by_file_name(const row *r)
{
    struct stat sb;
    const char *dot = strrchr(r->path, '.');
    return (stat(r->path, &sb) == 0 && S_ISDIR(sb.st_mode)) || !dot ||
           (strcmp(dot, ".csv") != 0 && strcmp(dot, ".json") != 0 &&
            strcmp(dot, ".jsonl") != 0 && strcmp(dot, ".ndjson") != 0);
}

/* The same bytes from a buffer (one piece, no chunks; named like the file)
 * give the outcome listed for the file (read in 1 MiB chunks); not for
 * rows decided by the file name. */
START_TEST(catalogue_row_should_load_the_same_from_a_buffer)
{
    outcome o;
    if (by_file_name(&rows[_i]))
        return;
    run_load(&rows[_i], 0, 1, &o);
    check_strict(&rows[_i], &o);
    run_load(&rows[_i], 1, 1, &o);
    check_lenient(&rows[_i], &o);
}
END_TEST

/* Every input file in tests/catalogue is listed in the table. */
/* ==== summaries.tsv: summaries of catalogue inputs ========================
 * One row per case (columns described at the top of
 * tests/catalogue/summaries.tsv): load the file, reconcile, toll_summarize
 * with the options of the row, and check the status and the assertions. */

enum { S_NAME, S_FILE, S_LOAD, S_OPTIONS, S_STATUS, S_CHECK, S_NCOLS };

typedef struct srow {
    const char *col[S_NCOLS];
} srow;

static srow *srows;
static size_t nsrows;
static char *stable_text;

static int read_summaries(void)
{
    stable_text = slurp(CATALOGUE_DIR "/summaries.tsv", NULL);
    if (!stable_text) {
        fprintf(stderr, "cannot read %s\n", CATALOGUE_DIR "/summaries.tsv");
        return -1;
    }
    size_t cap = 0;
    for (char *save = NULL, *line = strtok_r(stable_text, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        if (line[0] == '#' || strncmp(line, "name\t", 5) == 0)
            continue;
        if (nsrows == cap) {
            cap = cap ? 2 * cap : 16;
            srows = realloc(srows, cap * sizeof *srows);
            if (!srows)
                return -1;
        }
        srow *r = &srows[nsrows];
        size_t k = 0;
        for (char *p = line; k < S_NCOLS; k++) {
            r->col[k] = p;
            char *tab = strchr(p, '\t');
            if (!tab) {
                k++;
                break;
            }
            *tab = '\0';
            p = tab + 1;
        }
        if (k != S_NCOLS) {
            fprintf(stderr, "summaries.tsv: row %s has %zu columns\n",
                    r->col[0], k);
            return -1;
        }
        nsrows++;
    }
    return 0;
}

/* Whether `file` is the input of a summaries.tsv row. */
static int in_summaries(const char *file)
{
    for (size_t i = 0; i < nsrows; i++)
        if (strcmp(srows[i].col[S_FILE], file) == 0)
            return 1;
    return 0;
}

/* Set one summarize option KEY=VALUE (the Python keyword names). */
static void summary_option(toll_summarize_options *o, char *kv,
                           const char **period, const char *where[],
                           size_t *nwhere)
{
    char *eq = strchr(kv, '=');
    ck_assert_msg(eq != NULL, "summary option '%s' has no '='", kv);
    *eq = '\0';
    const char *k = kv, *v = eq + 1;
    toll_error err;
    if (strcmp(k, "by") == 0)
        o->by = v;
    else if (strcmp(k, "period") == 0)
        *period = v;
    else if (strcmp(k, "category") == 0)
        o->category = v;
    else if (strcmp(k, "span") == 0)
        ck_assert_int_eq(toll_span_parse(v, &o->span, &err), TOLL_OK);
    else if (strcmp(k, "attribution") == 0)
        ck_assert_int_eq(toll_attribution_parse(v, &o->attribution, &err),
                         TOLL_OK);
    else if (strcmp(k, "interval") == 0)
        ck_assert_int_eq(toll_interval_method_parse(v, &o->interval.method,
                                                    &err),
                         TOLL_OK);
    else if (strcmp(k, "engine") == 0)
        ck_assert_int_eq(toll_interval_engine_parse(v, &o->interval.engine,
                                                    &err),
                         TOLL_OK);
    else if (strcmp(k, "draws") == 0)
        o->interval.draws = (size_t)strtoull(v, NULL, 10);
    else if (strcmp(k, "max_rows") == 0)
        o->max_rows = (size_t)strtoull(v, NULL, 10);
    else if (strcmp(k, "where") == 0 && *nwhere < 8)
        where[(*nwhere)++] = v;
    else if (strcmp(k, "actors") == 0 && !o->actors) {
        static const char *actor[1];
        actor[0] = v;
        o->actors = actor;
        o->n_actors = 1;
    } else
        ck_abort_msg("unknown summary option '%s'", k);
}

/* The row of t whose key cells are keys ("K1|K2"), or TOLL_NPOS. */
static size_t summary_row(const toll_table *t, const char *keys)
{
    for (size_t r = 0; r < toll_table_nrows(t); r++) {
        const char *p = keys;
        size_t k = 0;
        for (; k < toll_table_nkeys(t); k++) {
            const char *s = toll_table_string(t, k, r);
            size_t n = strcspn(p, "|");
            if (!s || strlen(s) != n || strncmp(s, p, n) != 0)
                break;
            p += n + (p[n] == '|');
        }
        if (k == toll_table_nkeys(t) && !*p)
            return r;
    }
    return TOLL_NPOS;
}

/* Does a warning of the load or of the summary contain frag? */
static int summary_warned(const toll_reports *rep, const toll_table *t,
                          const char *frag)
{
    for (size_t i = 0; i < toll_reports_warning_count(rep); i++)
        if (strstr(toll_reports_warning(rep, i)->message, frag))
            return 1;
    for (size_t i = 0; i < toll_table_warning_count(t); i++)
        if (strstr(toll_table_warning(t, i)->message, frag))
            return 1;
    return 0;
}

static void summary_check(const srow *r, const toll_reports *rep,
                          const toll_table *t, char *check)
{
    size_t lo = toll_table_column_index(t, "low");
    size_t be = toll_table_column_index(t, "best");
    size_t hi = toll_table_column_index(t, "high");
    for (char *save = NULL, *c = strtok_r(check, ";", &save); c;
         c = strtok_r(NULL, ";", &save)) {
        if (strcmp(c, "invariant") == 0) {
            for (size_t i = 0; i < toll_table_nrows(t); i++) {
                double l = toll_table_double(t, lo)[i],
                       b = toll_table_double(t, be)[i],
                       h = toll_table_double(t, hi)[i];
                ck_assert_msg(l <= b && b <= h,
                              "%s: row %zu has low %.17g best %.17g high "
                              "%.17g",
                              r->col[S_NAME], i, l, b, h);
            }
        } else if (strncmp(c, "rows=", 5) == 0) {
            ck_assert_msg(toll_table_nrows(t) == strtoull(c + 5, NULL, 10),
                          "%s: %zu rows, expected %s", r->col[S_NAME],
                          toll_table_nrows(t), c + 5);
        } else if (strncmp(c, "row:", 4) == 0) {
            char *keys = c + 4, *colon = strrchr(keys, ':');
            ck_assert_ptr_nonnull(colon);
            *colon = '\0';
            char *eq = strchr(colon + 1, '=');
            ck_assert_ptr_nonnull(eq);
            *eq = '\0';
            size_t i = summary_row(t, keys);
            ck_assert_msg(i != TOLL_NPOS, "%s: no row %s", r->col[S_NAME],
                          keys);
            size_t j = toll_table_column_index(t, colon + 1);
            ck_assert_msg(j != TOLL_NPOS, "%s: no column %s",
                          r->col[S_NAME], colon + 1);
            double want = strtod(eq + 1, NULL), got;
            const double *d = toll_table_double(t, j);
            const int64_t *n = toll_table_int64(t, j);
            got = d ? d[i] : (double)n[i];
            ck_assert_msg(fabs(got - want) <= 1e-6 * (1.0 + fabs(want)),
                          "%s: row %s %s = %.17g, expected %s",
                          r->col[S_NAME], keys, colon + 1, got, eq + 1);
        } else if (strncmp(c, "warning:", 8) == 0) {
            ck_assert_msg(summary_warned(rep, t, c + 8),
                          "%s: no load or summary warning contains '%s'",
                          r->col[S_NAME], c + 8);
        } else {
            ck_abort_msg("%s: unknown check '%s'", r->col[S_NAME], c);
        }
    }
}

START_TEST(summaries_row_should_give_its_status_and_pass_its_checks)
{
    const srow *r = &srows[_i];
    char path[512], opts_buf[512], check[512];
    toll_error err;
    toll_error_clear(&err);
    snprintf(path, sizeof path, "%s/%s", CATALOGUE_DIR, r->col[S_FILE]);
    ck_assert_msg(strcmp(r->col[S_LOAD], "-") == 0,
                  "%s: load options are not supported by this runner",
                  r->col[S_NAME]);
    toll_reports *rep = NULL;
    toll_incidents *inc = NULL;
    ck_assert_int_eq(toll_reports_new(NULL, &rep, &err), TOLL_OK);
    ck_assert_msg(toll_reports_load_file(rep, path, NULL, NULL, &err) ==
                      TOLL_OK,
                  "%s: %s", r->col[S_NAME], err.message);
    ck_assert_int_eq(toll_reconcile(rep, NULL, NULL, &inc, &err), TOLL_OK);

    toll_summarize_options o;
    toll_summarize_options_init(&o);
    const char *period = NULL, *where[8];
    size_t nwhere = 0;
    snprintf(opts_buf, sizeof opts_buf, "%s", r->col[S_OPTIONS]);
    if (strcmp(opts_buf, "-") != 0)
        for (char *save = NULL, *kv = strtok_r(opts_buf, " ", &save); kv;
             kv = strtok_r(NULL, " ", &save))
            summary_option(&o, kv, &period, where, &nwhere);
    char by[256];
    if (period && o.by) { /* a bare "period" key takes the unit */
        by[0] = '\0';
        char tmp[256];
        snprintf(tmp, sizeof tmp, "%s", o.by);
        for (char *save = NULL, *k = strtok_r(tmp, ",", &save); k;
             k = strtok_r(NULL, ",", &save))
            snprintf(by + strlen(by), sizeof by - strlen(by), "%s%s%s%s",
                     by[0] ? "," : "", k, strcmp(k, "period") ? "" : ":",
                     strcmp(k, "period") ? "" : period);
        o.by = by;
    }
    o.where = nwhere ? where : NULL;
    o.n_where = nwhere;
    toll_table *t = NULL;
    toll_status st = toll_summarize(inc, &o, NULL, &t, &err);
    snprintf(check, sizeof check, "%s", r->col[S_CHECK]);
    if (strcmp(r->col[S_STATUS], "OK") == 0) {
        ck_assert_msg(st == TOLL_OK, "%s: %s", r->col[S_NAME], err.message);
        summary_check(r, rep, t, check);
    } else {
        ck_assert_msg(st == status_of(r->col[S_STATUS]),
                      "%s: status %s, expected %s (%s)", r->col[S_NAME],
                      toll_status_name(st), r->col[S_STATUS], err.message);
        ck_assert_ptr_null(t);
        ck_assert_msg(strncmp(check, "error:", 6) == 0 &&
                          strstr(err.message, check + 6) != NULL,
                      "%s: message '%s' lacks '%s'", r->col[S_NAME],
                      err.message, check);
    }
    toll_table_free(t);
    toll_incidents_free(inc);
    toll_reports_free(rep);
}
END_TEST
/* ==== end of summaries.tsv ================================================ */

START_TEST(catalogue_should_list_every_input_file)
{
    DIR *d = opendir(CATALOGUE_DIR);
    ck_assert_ptr_nonnull(d);
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        const char *f = de->d_name;
        size_t fl = strlen(f);
        if (f[0] == '.' || strcmp(f, "good.jsonl") == 0 ||
            (fl > 4 && strcmp(f + fl - 4, ".tsv") == 0)) /* the tables */
            continue;
        /* tests/catalogue/mse.tsv and its inputs (mse_*, lexicon_*): the
         * mse block below */
        if (strcmp(f, "mse.tsv") == 0 || strncmp(f, "mse_", 4) == 0 ||
            strncmp(f, "lexicon_", 8) == 0)
            continue;
        if (strcmp(f, "summaries.tsv") == 0 || in_summaries(f))
            continue; /* summaries.tsv and its inputs */
        int found = 0;
        for (size_t i = 0; i < nrows && !found; i++)
            found = strcmp(rows[i].col[C_FILE], f) == 0;
        ck_assert_msg(found, "%s is not in catalogue.tsv", f);
    }
    closedir(d);
}
END_TEST

/* The cases the robustness issue asks for are all there. */
START_TEST(catalogue_should_cover_the_required_cases)
{
    static const char *const need[] = {
        "utf8_invalid_jsonl", "bom_csv", "crlf_csv", "cr_csv",
        "csv_quoted_newlines", "empty_csv", "csv_header_only",
        "long_line_jsonl", "json_deep_jsonl", "json_duplicate_key",
        "count_nan_text", "count_negative_json", "count_fraction_json",
        "count_overflow_json", "low_gt_high_json", "best_outside_json",
        "date_impossible_jsonl", "date_end_before_start_jsonl",
        "source_missing_jsonl", "unknown_fields_kept_jsonl",
        "quantity_misspelt_csv", "region_empty_level_jsonl"};
    for (size_t k = 0; k < sizeof need / sizeof need[0]; k++) {
        int found = 0;
        for (size_t i = 0; i < nrows && !found; i++)
            found = strcmp(rows[i].col[C_NAME], need[k]) == 0;
        ck_assert_msg(found, "no catalogue row %s", need[k]);
    }
}
END_TEST

/* ---- quantities.tsv: quantity texts (begin) ---------------------------- */

/* tests/catalogue/quantities.tsv (columns described at its top): each text
 * through toll_quantity_parse with the default lexicon. */
enum { Q_NAME, Q_TEXT, Q_EXPECT, QCOLS };

static char *qtable_text;
static char *(*qrows)[QCOLS];
static size_t nqrows;

static int read_quantity_table(void)
{
    qtable_text = slurp(CATALOGUE_DIR "/quantities.tsv", NULL);
    if (!qtable_text) {
        fprintf(stderr, "cannot read %s\n", CATALOGUE_DIR "/quantities.tsv");
        return -1;
    }
    size_t cap = 0;
    for (char *line = qtable_text; line && *line;) {
        char *next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        if (line[0] != '#' && line[0] != '\0' &&
            strncmp(line, "name\t", 5) != 0) {
            if (nqrows == cap) {
                cap = cap ? cap * 2 : 64;
                qrows = realloc(qrows, cap * sizeof *qrows);
                if (!qrows)
                    return -1;
            }
            char *p = line;
            for (int c = 0; c < QCOLS; c++) {
                if (!p) {
                    fprintf(stderr, "quantities row %zu has too few "
                                    "columns\n", nqrows + 1);
                    return -1;
                }
                qrows[nqrows][c] = p;
                char *tab = strchr(p, '\t');
                p = tab ? (*tab = '\0', tab + 1) : NULL;
            }
            nqrows++;
        }
        line = next;
    }
    return 0;
}

/* "LOW..BEST..HIGH" into its parts; "-" best: none, "-" high: open. */
static void split_expect(const char *e, int64_t *low, int *has_best,
                         double *best, int64_t *high)
{
    char b[64], h[64];
    long long l;
    ck_assert_msg(sscanf(e, "%lld..%63[^.]..%63s", &l, b, h) == 3,
                  "bad expect '%s'", e);
    *low = l;
    *has_best = strcmp(b, "-") != 0;
    *best = *has_best ? strtod(b, NULL) : 0;
    *high = strcmp(h, "-") == 0 ? TOLL_OPEN : (int64_t)strtoll(h, NULL, 10);
}

START_TEST(quantities_row_should_read_as_listed)
{
    const char *name = qrows[_i][Q_NAME], *text = qrows[_i][Q_TEXT];
    const char *expect = qrows[_i][Q_EXPECT];
    toll_quantity q;
    toll_error err;
    toll_error_clear(&err);
    toll_status st = toll_quantity_parse(text, strlen(text), NULL, &q, &err);
    if (strncmp(expect, "error:", 6) == 0) {
        ck_assert_msg(st == TOLL_EPARSE, "%s: \"%s\" reads, want an error",
                      name, text);
        ck_assert_msg(strstr(err.message, expect + 6) != NULL,
                      "%s: message '%s' lacks '%s'", name, err.message,
                      expect + 6);
        ck_assert_msg(strstr(err.message, text) != NULL,
                      "%s: message '%s' does not name the text", name,
                      err.message);
        return;
    }
    ck_assert_msg(st == TOLL_OK, "%s: \"%s\": %s", name, text, err.message);
    if (strcmp(expect, "unknown") == 0) {
        ck_assert_msg(!q.known, "%s: \"%s\" is known", name, text);
        return;
    }
    int64_t low, high;
    int has_best;
    double best;
    split_expect(expect, &low, &has_best, &best, &high);
    ck_assert_msg(q.known && q.low == low && q.high == high &&
                      q.has_best == has_best && (!has_best || q.best == best),
                  "%s: \"%s\" reads [%lld, %lld] best %g (%s), want %s", name,
                  text, (long long)q.low, (long long)q.high, q.best,
                  q.has_best ? "given" : "derived", expect);
}
END_TEST

static void add_quantity_rows(Suite *s)
{
    if (read_quantity_table() != 0)
        nqrows = 0;
    TCase *tq = tcase_create("quantities");
    tcase_add_loop_test(tq, quantities_row_should_read_as_listed, 0,
                        (int)nqrows);
    suite_add_tcase(s, tq);
}

static void free_quantity_rows(void)
{
    free(qrows);
    free(qtable_text);
}

/* ---- quantities.tsv (end) ---------------------------------------------- */

/* ==== tests/catalogue/mse.tsv: multiple systems estimation and option
 * values (columns described in its header) ============================== */

typedef struct mse_row {
    char name[64], cmd[16], file[64], key[16], value[64], status[16],
        message[160];
} mse_row;

static mse_row mse_rows[64];
static size_t n_mse_rows;

/* VALUE with \n, \r, \t (and \\) decoded. */
static void mse_unescape(char *s)
{
    char *o = s;
    for (const char *p = s; *p; p++) {
        if (*p == '\\' && p[1]) {
            p++;
            *o++ = *p == 'n' ? '\n' : *p == 'r' ? '\r' : *p == 't' ? '\t' : *p;
        } else {
            *o++ = *p;
        }
    }
    *o = '\0';
}

static int mse_read_table(void)
{
    FILE *f = fopen(CATALOGUE_DIR "/mse.tsv", "r");
    if (!f)
        return -1;
    char line[512];
    while (fgets(line, sizeof line, f) && n_mse_rows < 64) {
        line[strcspn(line, "\n")] = '\0';
        if (!line[0] || line[0] == '#' || strncmp(line, "name\t", 5) == 0)
            continue;
        mse_row *r = &mse_rows[n_mse_rows];
        char args[160];
        if (sscanf(line, "%63[^\t]\t%159[^\t]\t%15[^\t]\t%159[^\n]", r->name,
                   args, r->status, r->message) != 4)
            continue;
        char kv[100] = "";
        if (sscanf(args, "%15s %63s %99s", r->cmd, r->file, kv) < 2)
            continue;
        char *eq = strchr(kv, '=');
        if (eq) {
            *eq = '\0';
            snprintf(r->key, sizeof r->key, "%.15s", kv);
            snprintf(r->value, sizeof r->value, "%.63s", eq + 1);
            mse_unescape(r->value);
        }
        n_mse_rows++;
    }
    fclose(f);
    return 0;
}

/* Run one row through the C API; the status, the message in err. */
static toll_status mse_run_row(const mse_row *r, toll_error *err)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", CATALOGUE_DIR, r->file);
    toll_status st;
    if (strcmp(r->cmd, "mse") == 0) {
        toll_mse_data *d = NULL;
        ck_assert_int_eq(toll_mse_data_new(0, NULL, NULL, &d, err), TOLL_OK);
        toll_mse_load_options lo;
        toll_mse_load_options_init(&lo);
        if (strcmp(r->key, "delimiter") == 0)
            lo.delimiter = r->value[0];
        st = toll_mse_data_load_file(d, path, &lo, err);
        toll_mse_model m;
        if (!st && strcmp(r->key, "model") == 0)
            st = toll_mse_model_parse(d, r->value, &m, err);
        toll_mse_data_free(d);
        return st;
    }
    if (strcmp(r->cmd, "lexicon") == 0) {
        toll_lexicon *lex = NULL;
        ck_assert_int_eq(toll_lexicon_new(NULL, &lex, err), TOLL_OK);
        st = toll_lexicon_load_file(lex, path, err);
        toll_lexicon_free(lex);
        return st;
    }
    ck_assert_str_eq(r->cmd, "summarize");
    toll_reports *rep = NULL;
    toll_incidents *inc = NULL;
    toll_table *t = NULL;
    toll_colmap *map = NULL;
    toll_load_options lo;
    toll_load_options_init(&lo);
    if (strcmp(r->key, "delimiter") == 0)
        lo.csv_delimiter = r->value[0];
    st = toll_reports_new(NULL, &rep, err);
    if (!st && strcmp(r->key, "map") == 0) {
        st = toll_colmap_new(NULL, &map, err);
        if (!st)
            st = toll_colmap_parse(map, r->value, err);
        lo.colmap = map;
    }
    if (!st)
        st = toll_reports_load_file(rep, path, &lo, NULL, err);
    if (!st)
        st = toll_reconcile(rep, NULL, NULL, &inc, err);
    if (!st) {
        toll_summarize_options so;
        toll_summarize_options_init(&so);
        if (strcmp(r->key, "region") == 0)
            so.region_prefix = r->value;
        st = toll_summarize(inc, &so, NULL, &t, err);
    }
    toll_table_free(t);
    toll_incidents_free(inc);
    toll_reports_free(rep);
    toll_colmap_free(map);
    return st;
}

START_TEST(mse_catalogue_row_should_fail_with_its_status_and_message)
{
    const mse_row *r = &mse_rows[_i];
    toll_error err;
    toll_error_clear(&err);
    toll_status st = mse_run_row(r, &err);
    ck_assert_msg(st == status_of(r->status), "%s: %s, expected %s (%s)",
                  r->name, toll_status_name(st), r->status, err.message);
    ck_assert_msg(strstr(err.message, r->message) != NULL,
                  "%s: '%s' does not contain '%s'", r->name, err.message,
                  r->message);
}
END_TEST

START_TEST(mse_catalogue_should_cover_the_required_cases)
{
    static const char *const need[] = {
        "mse_bad_pattern", "mse_nine_lists", "mse_duplicate_rows",
        "mse_model_repeats_list", "mse_fractional_count",
        "mse_delimiter_quote", "mse_delimiter_newline",
        "load_delimiter_quote", "summarize_region_empty_level",
        "load_map_target_twice", "lexicon_word_nul", "lexicon_word_twice",
        "lexicon_word_digit", "lexicon_word_number", "lexicon_word_none",
        "lexicon_word_unknown"};
    for (size_t k = 0; k < sizeof need / sizeof need[0]; k++) {
        int found = 0;
        for (size_t i = 0; i < n_mse_rows && !found; i++)
            found = strcmp(mse_rows[i].name, need[k]) == 0;
        ck_assert_msg(found, "no mse.tsv row %s", need[k]);
    }
}
END_TEST

/* Every mse_* input of the directory is used by a row of mse.tsv. */
START_TEST(mse_catalogue_should_use_every_mse_input_file)
{
    DIR *d = opendir(CATALOGUE_DIR);
    ck_assert_ptr_nonnull(d);
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (strncmp(de->d_name, "mse_", 4) != 0)
            continue;
        int found = 0;
        for (size_t i = 0; i < n_mse_rows && !found; i++)
            found = strcmp(mse_rows[i].file, de->d_name) == 0;
        ck_assert_msg(found, "%s is not in mse.tsv", de->d_name);
    }
    closedir(d);
}
END_TEST

static void mse_catalogue_add(Suite *s)
{
    if (mse_read_table() != 0) /* then the cover test fails */
        fprintf(stderr, "cannot read %s/mse.tsv\n", CATALOGUE_DIR);
    TCase *tc = tcase_create("mse");
    tcase_add_loop_test(tc,
                        mse_catalogue_row_should_fail_with_its_status_and_message,
                        0, (int)n_mse_rows);
    tcase_add_test(tc, mse_catalogue_should_cover_the_required_cases);
    tcase_add_test(tc, mse_catalogue_should_use_every_mse_input_file);
    suite_add_tcase(s, tc);
}

/* ==== end of the mse.tsv block ========================================== */

static void remove_tmpdir(void)
{
    for (size_t i = 0; i < nrows; i++)
        if (strncmp(rows[i].path, tmpdir, strlen(tmpdir)) == 0)
            unlink(rows[i].path);
    rmdir(tmpdir);
}

int main(void)
{
    const char *t = getenv("TMPDIR");
    snprintf(tmpdir, sizeof tmpdir, "%s/toll-catalogue.XXXXXX",
             t && *t ? t : "/tmp");
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return EXIT_FAILURE;
    }
    if (read_table() != 0 || nrows == 0 || read_summaries() != 0 ||
        nsrows == 0) {
        remove_tmpdir();
        return EXIT_FAILURE;
    }
    Suite *s = suite_create("catalogue");
    TCase *tc = tcase_create("rows");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc,
                        catalogue_row_should_fail_strictly_with_a_located_error,
                        0, (int)nrows);
    tcase_add_loop_test(tc, catalogue_row_should_keep_valid_records_when_lenient,
                        0, (int)nrows);
    tcase_add_loop_test(tc, catalogue_row_should_load_the_same_from_a_buffer,
                        0, (int)nrows);
    suite_add_tcase(s, tc);
    TCase *tt = tcase_create("table");
    tcase_add_test(tt, catalogue_should_list_every_input_file);
    tcase_add_test(tt, catalogue_should_cover_the_required_cases);
    suite_add_tcase(s, tt);
    mse_catalogue_add(s); /* tests/catalogue/mse.tsv */
    TCase *ts = tcase_create("summaries");
    tcase_set_timeout(ts, 120);
    tcase_add_loop_test(ts,
                        summaries_row_should_give_its_status_and_pass_its_checks,
                        0, (int)nsrows);
    suite_add_tcase(s, ts);
    add_quantity_rows(s); /* tests/catalogue/quantities.tsv */
    int rc = toll_test_run(s);
    free_quantity_rows();
    remove_tmpdir();
    free(rows);
    free(table_text);
    free(srows);
    free(stable_text);
    return rc;
}
