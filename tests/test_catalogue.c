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
    snprintf(prefix, sizeof prefix, "%s:%ld: ", r->path, e->line);
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

/* The same bytes from a buffer (one piece, no chunks; named like the file)
 * give the outcome listed for the file (read in 1 MiB chunks). */
START_TEST(catalogue_row_should_load_the_same_from_a_buffer)
{
    outcome o;
    run_load(&rows[_i], 0, 1, &o);
    check_strict(&rows[_i], &o);
    run_load(&rows[_i], 1, 1, &o);
    check_lenient(&rows[_i], &o);
}
END_TEST

/* Every input file in tests/catalogue is listed in the table. */
START_TEST(catalogue_should_list_every_input_file)
{
    DIR *d = opendir(CATALOGUE_DIR);
    ck_assert_ptr_nonnull(d);
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        const char *f = de->d_name;
        if (f[0] == '.' || strcmp(f, "catalogue.tsv") == 0 ||
            strcmp(f, "good.jsonl") == 0)
            continue;
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
    if (read_table() != 0 || nrows == 0) {
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
    int rc = toll_test_run(s);
    remove_tmpdir();
    free(rows);
    free(table_text);
    return rc;
}
