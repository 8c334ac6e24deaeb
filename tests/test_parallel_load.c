/*
 * tests/test_parallel_load.c - split loads (src/io/split.c): a CSV
 * or JSON Lines input loaded on two threads must leave the store exactly as
 * a one-thread load does (reports, string and actor-set ids, kept fields,
 * repairs, rejects and messages), and fail the same way.
 */
#define _POSIX_C_SOURCE 200809L
#include "testutil.h"

#include "io/split.h"
#include "store/store.h"
#include "reconcile/reconcile.h"
#include "render/render.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- comparison of two stores -------------------------------------------------- */

#define SAME(cond, ...)                                                        \
    do {                                                                       \
        if (!(cond))                                                           \
            ck_abort_msg(__VA_ARGS__);                                         \
    } while (0)

static void same_error(const toll_error *x, const toll_error *y,
                       const char *what, size_t i)
{
    SAME(x->code == y->code, "%s %zu: code %d vs %d", what, i, x->code,
         y->code);
    SAME(x->line == y->line, "%s %zu: line %ld vs %ld", what, i, x->line,
         y->line);
    SAME(x->record == y->record, "%s %zu: record %ld vs %ld", what, i,
         x->record, y->record);
    SAME(strcmp(x->file, y->file) == 0, "%s %zu: file", what, i);
    SAME(strcmp(x->field, y->field) == 0, "%s %zu: field %s vs %s", what, i,
         x->field, y->field);
    SAME(strcmp(x->text, y->text) == 0, "%s %zu: text", what, i);
    SAME(strcmp(x->message, y->message) == 0, "%s %zu: '%s' vs '%s'", what, i,
         x->message, y->message);
}

/* Every column, pool, category, reject and repair of a equals b's. */
static void assert_same_store(const toll_reports *a, const toll_reports *b)
{
    SAME(a->strings.count == b->strings.count, "strings: %zu vs %zu",
         a->strings.count, b->strings.count);
    for (size_t i = 1; i < a->strings.count; i++)
        SAME(a->strings.len[i] == b->strings.len[i] &&
                 memcmp(a->strings.str[i], b->strings.str[i],
                        a->strings.len[i]) == 0,
             "string %zu: '%s' vs '%s'", i, a->strings.str[i],
             b->strings.str[i]);
    SAME(a->actor_sets.count == b->actor_sets.count, "sets: %zu vs %zu",
         a->actor_sets.count, b->actor_sets.count);
    for (size_t k = 1; k < a->actor_sets.count; k++) {
        SAME(a->actor_sets.size[k] == b->actor_sets.size[k] &&
                 a->actor_sets.label[k] == b->actor_sets.label[k],
             "set %zu", k);
        SAME(memcmp(toll__set_members(&a->actor_sets, (uint32_t)k),
                    toll__set_members(&b->actor_sets, (uint32_t)k),
                    a->actor_sets.size[k] * sizeof(uint32_t)) == 0,
             "set %zu members", k);
    }
    SAME(a->n == b->n, "reports: %zu vs %zu", a->n, b->n);
#define COL(c)                                                                 \
    for (size_t i = 0; i < a->n; i++)                                          \
        SAME((a->c ? a->c[i] : 0) == (b->c ? b->c[i] : 0),                     \
             "report %zu: " #c " %lld vs %lld", i,                             \
             (long long)(a->c ? a->c[i] : 0), (long long)(b->c ? b->c[i] : 0));
    COL(incident) COL(source) COL(source_kind) COL(source_actor)
    COL(date_start) COL(date_end) COL(region) COL(actors) COL(id) COL(url)
    COL(note) COL(file) COL(line) COL(q_begin) COL(q_count) COL(x_begin)
    COL(x_count)
#undef COL
    SAME(a->nq == b->nq, "cells: %zu vs %zu", a->nq, b->nq);
    for (size_t i = 0; i < a->nq; i++)
        SAME(a->q[i].category == b->q[i].category && a->q[i].low == b->q[i].low &&
                 a->q[i].high == b->q[i].high &&
                 memcmp(&a->q[i].best, &b->q[i].best, sizeof(double)) == 0,
             "cell %zu", i);
    SAME(a->nx == b->nx, "extras: %zu vs %zu", a->nx, b->nx);
    for (size_t i = 0; i < a->nx; i++)
        SAME(a->x[i].key == b->x[i].key && a->x[i].len == b->x[i].len,
             "extra %zu", i);
    for (size_t i = 0; i < a->n && i < b->n; i++) { /* kept values: text */
        toll__kept_iter ia, ib;
        uint32_t ka, kb;
        const char *sa, *sb;
        size_t la, lb;
        toll__kept_begin(a, i, &ia);
        toll__kept_begin(b, i, &ib);
        while (toll__kept_next(&ia, &ka, &sa, &la)) {
            SAME(toll__kept_next(&ib, &kb, &sb, &lb) && la == lb &&
                     memcmp(sa, sb, la) == 0,
                 "report %zu: kept value", i);
        }
    }
    SAME(a->ncategories == b->ncategories, "categories");
    for (size_t i = 0; i < a->ncategories; i++)
        SAME(a->categories[i] == b->categories[i], "category %zu", i);
    SAME(toll_reports_reject_count(a) == toll_reports_reject_count(b),
         "rejects: %zu vs %zu", toll_reports_reject_count(a),
         toll_reports_reject_count(b));
    for (size_t i = 0; i < toll_reports_reject_count(a); i++)
        same_error(toll_reports_reject(a, i), toll_reports_reject(b, i),
                   "reject", i);
    SAME(toll_reports_repair_count(a) == toll_reports_repair_count(b),
         "repairs: %zu vs %zu", toll_reports_repair_count(a),
         toll_reports_repair_count(b));
    for (size_t i = 0; i < toll_reports_repair_count(a); i++) {
        toll_error x, y;
        ck_assert_int_eq(toll_reports_repair(a, i, &x), TOLL_OK);
        ck_assert_int_eq(toll_reports_repair(b, i, &y), TOLL_OK);
        same_error(&x, &y, "repair", i);
        SAME(a->repairs[i].report == b->repairs[i].report &&
                 a->repairs[i].value == b->repairs[i].value,
             "repair %zu ids", i);
    }
}

/* ---- loading ---------------------------------------------------------------------- */

typedef struct result {
    toll_reports *r;
    toll_status st;
    size_t n;
    toll_error err;
} result;

/* Load `text` (after `pre`, if given, loaded on one thread) with `threads`. */
static result load_text(const char *pre, const char *text, size_t len,
                        const char *name, const toll_load_options *base,
                        size_t threads)
{
    result res;
    memset(&res, 0, sizeof res);
    ck_assert_int_eq(toll_reports_new(NULL, &res.r, NULL), TOLL_OK);
    toll_load_options o;
    if (base)
        o = *base;
    else
        toll_load_options_init(&o);
    if (pre) {
        toll_load_options p = o;
        p.threads = 1;
        p.lenient = 0;
        ck_assert_int_eq(toll_reports_load_buffer(res.r, pre, strlen(pre),
                                                  "pre.csv", &p, NULL, NULL),
                         TOLL_OK);
    }
    o.threads = threads;
    toll_error_clear(&res.err);
    res.st = toll_reports_load_buffer(res.r, text, len, name, &o, &res.n,
                                      &res.err);
    return res;
}

static void result_free(result *res) { toll_reports_free(res->r); }

/* Serial and split loads of the same text agree in every way; `how` is
 * what the split load did (toll__par_last). */
static int assert_split_equals_serial(const char *pre, const char *text,
                                      size_t len, const char *name,
                                      const toll_load_options *o)
{
    result s = load_text(pre, text, len, name, o, 1);
    ck_assert_int_eq(toll__par_last(), 0);
    result p = load_text(pre, text, len, name, o, 2);
    int how = toll__par_last();
    ck_assert_msg(s.st == p.st, "status %d vs %d (%s | %s)", s.st, p.st,
                  s.err.message, p.err.message);
    ck_assert_uint_eq(s.n, p.n);
    if (s.st)
        same_error(&s.err, &p.err, "error", 0);
    assert_same_store(s.r, p.r);
    result_free(&s);
    result_free(&p);
    return how;
}

/* ---- generated inputs ------------------------------------------------------------- */

static const char *const ACTORS[] = {"ISIS", "HTS", "Russia", "US-led Coalition",
                                     "SAA", "Unknown"};
static const char *const REGIONS[] = {"Syria/Aleppo/Azaz", "Syria/Idlib",
                                      "Syria/Deir ez-Zor/Mayadin",
                                      "Iraq/Nineveh/Mosul", "Syria/Damascus"};
static const char *const SOURCES[] = {"SOHR", "Airwars", "SNHR", "Reuters",
                                      "Syrian Civil Defence"};

static unsigned long rng = 1;
static unsigned rnd(unsigned n)
{
    rng = rng * 6364136223846793005UL + 1442695040888963407UL;
    return (unsigned)((rng >> 33) % n);
}

/* A CSV of n rows (header included); every `quote_every` rows a note with
 * a quoted line end; bad rows every `bad_every` (0: none). */
static char *gen_csv(size_t n, size_t quote_every, size_t bad_every,
                     size_t *len)
{
    size_t cap = 256 + n * 200;
    char *b = malloc(cap);
    size_t o = (size_t)snprintf(b, cap,
                                "incident,source,source_kind,date_start,"
                                "region,actor,killed,injured,note\n");
    rng = 7;
    for (size_t i = 0; i < n; i++) {
        char actor[64];
        unsigned a1 = rnd(6), a2 = rnd(6);
        if (rnd(3) == 0)
            snprintf(actor, sizeof actor, "%s;%s", ACTORS[a1], ACTORS[a2]);
        else
            snprintf(actor, sizeof actor, "%s", ACTORS[a1]);
        char killed[32];
        if (bad_every && i % bad_every == bad_every - 1)
            snprintf(killed, sizeof killed, "at leest %u", rnd(50));
        else if (rnd(4) == 0)
            snprintf(killed, sizeof killed, "%u-%u", rnd(10), 10 + rnd(10));
        else
            snprintf(killed, sizeof killed, "%u", rnd(60));
        char note[64] = "";
        if (quote_every && i % quote_every == 0)
            snprintf(note, sizeof note, "\"line one\nline \"\"two\"\" %zu\"", i);
        else if (rnd(5) == 0)
            snprintf(note, sizeof note, "note %u", rnd(1000));
        o += (size_t)snprintf(b + o, cap - o,
                              "inc-%06u,%s,monitor,2015-%02u-%02u,%s,%s,%s,%u,%s\n",
                              rnd((unsigned)n / 2 + 1), SOURCES[rnd(5)],
                              1 + rnd(12), 1 + rnd(28), REGIONS[rnd(5)], actor,
                              killed, rnd(5), note);
    }
    *len = o;
    return b;
}

/* The same reports as JSON Lines, with a blank line every `blank_every`
 * lines (0: none) and bad records every `bad_every`. */
static char *gen_jsonl(size_t n, size_t blank_every, size_t bad_every,
                       size_t *len)
{
    size_t cap = 256 + n * 260;
    char *b = malloc(cap);
    size_t o = 0;
    rng = 11;
    for (size_t i = 0; i < n; i++) {
        if (blank_every && i % blank_every == 0)
            o += (size_t)snprintf(b + o, cap - o, "   \n");
        char killed[32];
        if (bad_every && i % bad_every == bad_every - 1)
            snprintf(killed, sizeof killed, "\"at leest %u\"", rnd(50));
        else
            snprintf(killed, sizeof killed, "%u", rnd(60));
        o += (size_t)snprintf(
            b + o, cap - o,
            "{\"incident\":\"inc-%06u\",\"source\":\"%s\",\"date\":\"2016-%02u-%02u\","
            "\"region\":\"%s\",\"actor\":[\"%s\",\"%s\"],\"killed\":%s,"
            "\"grade\":\"g%u\"}\n",
            rnd((unsigned)n / 2 + 1), SOURCES[rnd(5)], 1 + rnd(12), 1 + rnd(28),
            REGIONS[rnd(5)], ACTORS[rnd(6)], ACTORS[rnd(6)], killed, rnd(4));
    }
    *len = o;
    return b;
}

static void small_limits(void)
{
    toll__par_set_limits((size_t)-1, 0);
    toll__par_set_split(0);
}

/* ---- tests ------------------------------------------------------------------------ */

START_TEST(parallel_csv_load_should_equal_serial_load)
{
    small_limits();
    size_t len;
    char *csv = gen_csv(3000, 0, 0, &len);
    ck_assert_int_eq(assert_split_equals_serial(NULL, csv, len, "r.csv", NULL),
                     1);
    free(csv);
}
END_TEST

START_TEST(parallel_jsonl_load_should_equal_serial_load)
{
    small_limits();
    size_t len;
    char *j = gen_jsonl(3000, 0, 0, &len);
    ck_assert_int_eq(assert_split_equals_serial(NULL, j, len, "r.jsonl", NULL),
                     1);
    free(j);
}
END_TEST


/* Split at every line end in turn; each load equals the serial one.
 * Returns how many splits went through the merge (how 1) and how many
 * fell back (how 2) in *merged / *again. */
static void sweep_splits(const char *text, size_t len, const char *name,
                         const toll_load_options *o, size_t step,
                         int *merged, int *again)
{
    *merged = *again = 0;
    toll__par_set_limits((size_t)-1, 0);
    for (size_t at = 1; at < len; at += step) {
        toll__par_set_split(at);
        int how = assert_split_equals_serial(NULL, text, len, name, o);
        *merged += how == 1;
        *again += how == 2;
    }
    toll__par_set_split(0);
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    ck_assert_uint_eq(fread(b, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return b;
}

static void write_file(const char *path, const char *text, size_t len)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(text, 1, len, f), len);
    fclose(f);
}

/* Line (1-based) of byte offset `off` in text. */
static long line_of(const char *text, size_t off)
{
    long line = 1;
    for (size_t i = 0; i < off; i++)
        line += text[i] == '\n';
    return line;
}

/* Offset of the n-th (0-based) occurrence of `needle`. */
static size_t nth(const char *text, const char *needle, int n)
{
    const char *p = text;
    for (int k = 0;; k++) {
        p = strstr(p, needle);
        ck_assert_ptr_nonnull(p);
        if (k == n)
            return (size_t)(p - text);
        p++;
    }
}

/* The quote-count rule of the CSV split is defeated by a quote that is
 * data in an unquoted cell: `b` gets such a row after its header. */
static size_t add_stray_quote(char *b, size_t len)
{
    const char *stray = "inc-q,SOHR,monitor,2015-01-01,Syria,ISIS,3,0,a 5\" shell\n";
    size_t hdr = (size_t)(strchr(b, '\n') - b) + 1, k = strlen(stray);
    memmove(b + hdr + k, b + hdr, len - hdr);
    memcpy(b + hdr, stray, k);
    return len + k;
}

/* gen_csv(rows) with one long quoted cell of many lines (`extra` bytes)
 * in a row of its own before row `at`, and, with `stray`, a quote as data
 * after the header.  *len: the text's length; *cut: where that row
 * starts. */
static char *with_long_quoted_cell(size_t rows, int at, size_t extra,
                                   int stray, size_t *len, size_t *cut)
{
    size_t n;
    char *csv = gen_csv(rows, 0, 0, &n);
    size_t c = nth(csv, "\ninc-", at) + 1;
    char *b = malloc(n + extra + 128);
    memcpy(b, csv, c);
    size_t o = c;
    o += (size_t)sprintf(b + o, "inc-x,SOHR,monitor,2015-01-01,Syria,ISIS,3,0,\"");
    for (size_t k = 0; k < extra / 8; k++)
        o += (size_t)sprintf(b + o, "ab\ncd, \n");
    o += (size_t)sprintf(b + o, "\"\n");
    memcpy(b + o, csv + c, n - c);
    o += n - c;
    free(csv);
    if (stray) {
        size_t shift = add_stray_quote(b, o) - o;
        o += shift;
        c += shift;
    }
    *len = o;
    *cut = c;
    return b;
}

/* ---- progress (toll_load_options.progress) ---- */

typedef struct progress_log {
    uint64_t done[4096];
    uint64_t total[4096];
    size_t n;
    int other_thread;
    pthread_t owner;
} progress_log;

static void log_progress(void *ctx, uint64_t done, uint64_t total)
{
    progress_log *l = ctx;
    if (!pthread_equal(pthread_self(), l->owner))
        l->other_thread = 1;
    if (l->n < 4096) {
        l->done[l->n] = done;
        l->total[l->n] = total;
        l->n++;
    }
}

/* Load path with `threads`; check the progress calls: on the caller's
 * thread, rising, the last equal to the file's size. */
static void assert_progress(const char *path, size_t size, size_t threads)
{
    progress_log *l = calloc(1, sizeof *l);
    ck_assert_ptr_nonnull(l);
    l->owner = pthread_self();
    toll_reports *r = NULL;
    toll_error err;
    ck_assert_int_eq(toll_reports_new(NULL, &r, &err), TOLL_OK);
    toll_load_options o;
    toll_load_options_init(&o);
    o.threads = threads;
    o.progress = log_progress;
    o.progress_ctx = l;
    ck_assert_msg(toll_reports_load_file(r, path, &o, NULL, &err) == TOLL_OK,
                  "%s", err.message);
    ck_assert_uint_ge(l->n, 2);
    ck_assert_int_eq(l->other_thread, 0);
    for (size_t i = 0; i < l->n; i++) {
        ck_assert_uint_eq(l->total[i], size);
        if (i)
            ck_assert_uint_gt(l->done[i], l->done[i - 1]);
    }
    ck_assert_uint_eq(l->done[l->n - 1], size);
    toll_reports_free(r);
    free(l);
}

START_TEST(progress_should_rise_to_the_file_size_on_the_callers_thread)
{
    size_t len;
    char *csv = gen_csv(60000, 0, 0, &len);
    ck_assert_uint_gt(len, (size_t)3 << 20); /* several MiB: several calls */
    char dir[] = "/tmp/toll-progress-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char path[64];
    snprintf(path, sizeof path, "%s/r.csv", dir);
    write_file(path, csv, len);
    small_limits();
    assert_progress(path, len, 1); /* one thread */
    assert_progress(path, len, 2); /* both parts counted, shown here */
    unlink(path);
    rmdir(dir);
    free(csv);
}
END_TEST

/* A split inside a quoted cell: the file is read again from its start on
 * one thread, and the calls still only rise, once at the file's size. */
START_TEST(progress_should_rise_when_the_split_load_reads_the_file_again)
{
    size_t o, cut;
    char *b = with_long_quoted_cell(60000, 30000, 8000, 1, &o, &cut);
    char dir[] = "/tmp/toll-progress-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char path[64];
    snprintf(path, sizeof path, "%s/q.csv", dir);
    write_file(path, b, o);
    toll__par_set_limits((size_t)-1, 0);
    toll__par_set_split(cut + 4000);
    assert_progress(path, o, 2);
    ck_assert_int_eq(toll__par_last(), 2); /* loaded again on one thread */
    toll__par_set_split(0);
    unlink(path);
    rmdir(dir);
    free(b);
}
END_TEST

START_TEST(a_failed_load_should_report_only_what_it_read)
{
    const char *csv = "source,killed\na,5\nb,at leest 5\n";
    progress_log *l = calloc(1, sizeof *l);
    l->owner = pthread_self();
    toll_reports *r = NULL;
    toll_error err;
    ck_assert_int_eq(toll_reports_new(NULL, &r, &err), TOLL_OK);
    toll_load_options o;
    toll_load_options_init(&o);
    o.progress = log_progress;
    o.progress_ctx = l;
    ck_assert_int_ne(toll_reports_load_buffer(r, csv, strlen(csv), "b.csv",
                                              &o, NULL, &err),
                     TOLL_OK);
    /* the one read of the buffer; no call for the end of the load */
    ck_assert_uint_eq(l->n, 1);
    ck_assert_uint_eq(l->done[0], strlen(csv));
    toll_reports_free(r);
    free(l);
}
END_TEST

START_TEST(quoted_newline_across_the_split_should_give_the_serial_result)
{
    size_t len;
    char *csv = gen_csv(60, 2, 0, &len); /* every other row: quoted LF */
    int merged, again;
    sweep_splits(csv, len, "q.csv", NULL, 7, &merged, &again);
    /* the quote count moves every cut past the quoted line ends */
    ck_assert_int_gt(merged, 0);
    ck_assert_int_eq(again, 0);
    free(csv);
}
END_TEST

/* A quote that is data (inside an unquoted cell) puts the quote count
 * out by one: cuts then land inside quoted cells, and the first part's
 * check loads the input again, still as the serial load does. */
START_TEST(quote_as_data_before_the_split_should_give_the_serial_result)
{
    size_t len;
    char *rows = gen_csv(60, 2, 0, &len);
    const char *stray = "inc-q,SOHR,monitor,2015-01-01,Syria,ISIS,3,0,a 5\" shell\n";
    size_t hdr = (size_t)(strchr(rows, '\n') - rows) + 1;
    char *csv = malloc(len + strlen(stray) + 1);
    memcpy(csv, rows, hdr);
    strcpy(csv + hdr, stray);
    memcpy(csv + hdr + strlen(stray), rows + hdr, len - hdr);
    len += strlen(stray);
    int merged, again;
    sweep_splits(csv, len, "q.csv", NULL, 7, &merged, &again);
    ck_assert_int_gt(again, 0);
    free(csv);
    free(rows);
}
END_TEST

/* Actor identity (src/store/merge.c): a part that spells an actor of an
 * earlier part otherwise loads again on one thread (a one-thread load
 * stores the first spelling only); the same spelling merges. */
START_TEST(actor_spelled_otherwise_across_the_split_should_give_the_serial_result)
{
    char text[4096];
    size_t o = 0;
    for (int i = 0; i < 40; i++)
        o += (size_t)snprintf(text + o, sizeof text - o,
                              "{\"source\":\"s%d\",\"source_actor\":\"%s\","
                              "\"actor\":[\"%s\",\"Syria\"],\"killed\":%d}\n",
                              i % 3, i < 20 ? "Russia" : "RUSSIA",
                              i < 20 ? "Russia" : " russia", i);
    int merged, again;
    sweep_splits(text, o, "a.jsonl", NULL, 11, &merged, &again);
    ck_assert_int_gt(merged, 0); /* part two starts with "Russia" */
    ck_assert_int_gt(again, 0);  /* part two starts with "RUSSIA" */
}
END_TEST

START_TEST(split_inside_a_quoted_cell_should_fall_back_to_one_thread)
{
    /* one long quoted cell of many lines in the middle; a quote as data
     * before it defeats the quote count */
    size_t o, cut;
    char *b = with_long_quoted_cell(200, 100, 4000, 1, &o, &cut);
    toll__par_set_limits((size_t)-1, 0);
    toll__par_set_split(cut + 2000);
    ck_assert_int_eq(assert_split_equals_serial(NULL, b, o, "q.csv", NULL), 2);
    toll__par_set_split(0);
    free(b);
}
END_TEST

/* No quote in the first MiB after the header: the quote count is skipped
 * and the cut is the first line end after the middle, checked as ever: a
 * cut inside a quoted cell further on loads the input again. */
START_TEST(quotes_first_seen_past_the_first_mib_should_be_cut_by_the_check)
{
    size_t o, cut;
    char *b = with_long_quoted_cell(60000, 30000, 8000, 0, &o, &cut);
    ck_assert_uint_gt(cut, (size_t)2 << 20);
    toll__par_set_limits((size_t)-1, 0);
    toll__par_set_split(cut + 4000);
    ck_assert_int_eq(assert_split_equals_serial(NULL, b, o, "q.csv", NULL), 2);
    toll__par_set_split(cut - 100); /* before the quotes: two threads */
    ck_assert_int_eq(assert_split_equals_serial(NULL, b, o, "q.csv", NULL), 1);
    toll__par_set_split(0);
    free(b);
}
END_TEST

START_TEST(strict_error_only_in_part_two_should_name_its_line_and_keep_earlier_data)
{
    small_limits();
    size_t len;
    char *csv = gen_csv(3000, 0, 2000, &len); /* bad row 1999 only */
    const char *pre = "incident,source,killed\npre-1,SOHR,4\npre-2,SNHR,5\n";
    result p = load_text(pre, csv, len, "r.csv", NULL, 2);
    ck_assert_int_eq(toll__par_last(), 1);
    ck_assert_int_eq(p.st, TOLL_EPARSE);
    ck_assert_int_eq(p.err.line, line_of(csv, nth(csv, "at leest", 0)));
    ck_assert_int_eq(p.err.record, 1999);
    ck_assert_msg(strstr(p.err.message, "r.csv:2001: field 'killed'") != NULL,
                  "%s", p.err.message);
    ck_assert_uint_eq(toll_reports_count(p.r), 2);
    ck_assert_uint_eq(p.n, 0);
    result_free(&p);
    ck_assert_int_eq(assert_split_equals_serial(pre, csv, len, "r.csv", NULL), 1);
    free(csv);
}
END_TEST

START_TEST(strict_errors_in_both_parts_should_report_the_first)
{
    small_limits();
    size_t len;
    char *csv = gen_csv(3000, 0, 1000, &len); /* rows 999, 1999, 2999 */
    result p = load_text(NULL, csv, len, "r.csv", NULL, 2);
    ck_assert_int_eq(p.st, TOLL_EPARSE);
    ck_assert_int_eq(p.err.line, 1001);
    result_free(&p);
    ck_assert_int_eq(assert_split_equals_serial(NULL, csv, len, "r.csv", NULL), 1);
    free(csv);
}
END_TEST

START_TEST(lenient_rejects_in_both_parts_should_be_listed_in_file_order)
{
    small_limits();
    size_t len;
    char *csv = gen_csv(3000, 5, 97, &len);
    toll_load_options o;
    toll_load_options_init(&o);
    o.lenient = 1;
    result p = load_text(NULL, csv, len, "r.csv", &o, 2);
    ck_assert_int_eq(p.st, TOLL_OK);
    size_t n = toll_reports_reject_count(p.r);
    ck_assert_uint_eq(n, 3000 / 97);
    for (size_t i = 1; i < n; i++) {
        ck_assert_int_gt(toll_reports_reject(p.r, i)->line,
                         toll_reports_reject(p.r, i - 1)->line);
        ck_assert_int_gt(toll_reports_reject(p.r, i)->record,
                         toll_reports_reject(p.r, i - 1)->record);
    }
    ck_assert_int_eq(toll_reports_reject(p.r, n - 1)->record, 96 + 97 * (long)(n - 1));
    result_free(&p);
    ck_assert_int_eq(assert_split_equals_serial(NULL, csv, len, "r.csv", &o), 1);
    free(csv);
}
END_TEST

START_TEST(part_two_spanning_many_pages_should_equal_serial_load)
{
    /* the merge maps the second store's pages ahead on a helper thread
     * while it interns the strings: every column spans many pages */
    small_limits();
    size_t len;
    char *csv = gen_csv(40000, 0, 0, &len);
    ck_assert_int_eq(assert_split_equals_serial(NULL, csv, len, "p.csv", NULL),
                     1);
    free(csv);
}
END_TEST

START_TEST(part_two_of_only_rejected_records_should_equal_serial_load)
{
    /* the second part adds no reports, only rejects */
    size_t cap = 100000, o = 0;
    char *b = malloc(cap);
    o += (size_t)sprintf(b + o, "incident,source,killed\n");
    for (int i = 0; i < 300; i++)
        o += (size_t)sprintf(b + o, "i%d,S%d,%d\n", i % 50, i % 3, i);
    size_t at = o;
    for (int i = 0; i < 300; i++)
        o += (size_t)sprintf(b + o, "i%d,S%d,at leest %d\n", i, i % 3, i);
    toll_load_options opt;
    toll_load_options_init(&opt);
    opt.lenient = 1;
    toll__par_set_limits((size_t)-1, 0);
    toll__par_set_split(at);
    ck_assert_int_eq(assert_split_equals_serial(NULL, b, o, "j.csv", &opt), 1);
    result p = load_text(NULL, b, o, "j.csv", &opt, 2);
    ck_assert_uint_eq(toll_reports_count(p.r), 300);
    ck_assert_uint_eq(toll_reports_reject_count(p.r), 300);
    result_free(&p);
    toll__par_set_split(0);
    free(b);
}
END_TEST

START_TEST(repairs_and_kept_fields_should_equal_serial_load)
{
    /* figures out of order (low > high): repaired, each listed with its
     * record number; unknown columns kept */
    size_t cap = 400000, o = 0;
    char *b = malloc(cap);
    o += (size_t)sprintf(b + o, "incident,source,date,kmin,kmax,grade,note\n");
    rng = 3;
    for (int i = 0; i < 2000; i++) {
        unsigned lo = rnd(30), hi = rnd(30);
        o += (size_t)sprintf(b + o, "i%u,S%u,2020-01-%02u,%u,%u,g%u,%s\n",
                             rnd(700), rnd(4), 1 + rnd(28), lo, hi, rnd(5),
                             i % 3 ? "" : "\"a\nb\"");
    }
    toll_colmap *map = NULL;
    ck_assert_int_eq(toll_colmap_new(NULL, &map, NULL), TOLL_OK);
    ck_assert_int_eq(toll_colmap_parse(map, "killed=kmin..kmax,keep:grade=grade", NULL),
                     TOLL_OK);
    toll_load_options opt;
    toll_load_options_init(&opt);
    opt.colmap = map;
    opt.repair = TOLL_REPAIR_ON;
    small_limits();
    ck_assert_int_eq(assert_split_equals_serial(NULL, b, o, "k.csv", &opt), 1);
    result p = load_text(NULL, b, o, "k.csv", &opt, 2);
    ck_assert_uint_gt(toll_reports_repair_count(p.r), 500);
    ck_assert_ptr_nonnull(report_extra(p.r, 1999, "grade"));
    result_free(&p);
    toll_colmap_free(map);
    free(b);
}
END_TEST

START_TEST(preset_samples_should_equal_serial_load_at_every_split)
{
    static const struct {
        const char *file, *preset;
    } samples[] = {{"acled_sample.csv", "acled"},
                   {"airwars_sample.csv", "airwars"},
                   {"ibc_sample.csv", "ibc"}};
    for (size_t k = 0; k < sizeof samples / sizeof samples[0]; k++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", TOLL_TEST_DATA_DIR, samples[k].file);
        size_t len;
        char *text = read_file(path, &len);
        toll_load_options o;
        toll_load_options_init(&o);
        o.preset = samples[k].preset;
        for (int lenient = 0; lenient <= 1; lenient++) {
            o.lenient = lenient;
            int merged, again;
            sweep_splits(text, len, samples[k].file, &o, 1, &merged, &again);
            ck_assert_int_gt(merged, 0);
        }
        free(text);
    }
}
END_TEST

START_TEST(latin1_csv_should_equal_serial_load)
{
    size_t len;
    char *csv = gen_csv(2000, 0, 0, &len);
    for (size_t i = 200; i < len; i += 37) /* é, ÿ and windows-1252 bytes */
        if (csv[i] >= 'a' && csv[i] <= 'z')
            csv[i] = (char)(i % 2 ? 0xE9 : 0x93);
    toll_load_options o;
    toll_load_options_init(&o);
    o.lenient = 1;
    o.encoding = "latin-1";
    small_limits();
    ck_assert_int_eq(assert_split_equals_serial(NULL, csv, len, "l.csv", &o), 1);
    o.encoding = "windows-1252";
    ck_assert_int_eq(assert_split_equals_serial(NULL, csv, len, "l.csv", &o), 1);
    free(csv);
}
END_TEST

START_TEST(jsonl_with_blank_lines_should_equal_serial_load)
{
    small_limits();
    size_t len;
    char *j = gen_jsonl(3000, 7, 113, &len);
    toll_load_options o;
    toll_load_options_init(&o);
    o.lenient = 1;
    ck_assert_int_eq(assert_split_equals_serial(NULL, j, len, "b.jsonl", &o), 1);
    o.lenient = 0;
    ck_assert_int_eq(assert_split_equals_serial(NULL, j, len, "b.jsonl", &o), 1);
    free(j);
}
END_TEST

START_TEST(parts_without_reports_should_merge_as_serial_load)
{
    /* a header, then blank lines only: both parts hold nothing (the merge
     * copies no column; found by tests/fuzz/fuzz_split.c under UBSan) */
    small_limits();
    size_t len = 200000;
    char *csv = malloc(len);
    ck_assert_ptr_nonnull(csv);
    memset(csv, '\n', len);
    memcpy(csv, "source,killed", 13);
    ck_assert_int_eq(assert_split_equals_serial(NULL, csv, len, "e.csv", NULL),
                     1);
    free(csv);
}
END_TEST

START_TEST(long_header_should_be_found_and_split_as_serial_load)
{
    /* a quoted column name of 512 KiB (the header search reads it in one
     * pass), then rows with one more (empty) cell */
    small_limits();
    size_t hdr = (size_t)512 << 10;
    size_t len;
    char *rows = gen_csv(2000, 0, 0, &len);
    char *csv = malloc(2 * len + hdr + 16);
    ck_assert_ptr_nonnull(csv);
    size_t n = 0;
    int header = 1;
    for (size_t i = 0; i < len; i++) {
        if (rows[i] == '\n' && header) {
            memcpy(csv + n, ",\"h", 3);
            n += 3;
            memset(csv + n, 'x', hdr);
            n += hdr;
            csv[n++] = '"';
            header = 0;
        } else if (rows[i] == '\n') {
            csv[n++] = ',';
        }
        csv[n++] = rows[i];
    }
    ck_assert_int_eq(assert_split_equals_serial(NULL, csv, n, "h.csv", NULL),
                     1);
    free(csv);
    free(rows);
}
END_TEST

START_TEST(crlf_line_ends_should_equal_serial_load)
{
    size_t len;
    char *csv = gen_csv(800, 3, 50, &len);
    char *b = malloc(2 * len + 1);
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        if (csv[i] == '\n')
            b[o++] = '\r';
        b[o++] = csv[i];
    }
    toll_load_options opt;
    toll_load_options_init(&opt);
    opt.lenient = 1;
    int merged, again;
    sweep_splits(b, o, "crlf.csv", &opt, 997, &merged, &again);
    ck_assert_int_gt(merged, 0);
    free(b);
    free(csv);
}
END_TEST

START_TEST(quoted_header_and_blank_lines_before_it_should_equal_serial_load)
{
    size_t len;
    char *csv = gen_csv(500, 0, 0, &len);
    size_t hdr = (size_t)(strchr(csv, '\n') - csv) + 1;
    const char *head = "\n  \n\"incident\",source,source_kind,date_start,region,"
                       "actor,killed,injured,\"no\nte\"\n";
    size_t hl = strlen(head);
    char *b = malloc(len + hl);
    memcpy(b, head, hl);
    memcpy(b + hl, csv + hdr, len - hdr);
    int merged, again;
    sweep_splits(b, hl + len - hdr, "h.csv", NULL, 331, &merged, &again);
    ck_assert_int_gt(merged, 0);
    free(b);
    free(csv);
}
END_TEST

START_TEST(unterminated_quote_at_the_end_should_fail_as_serial_load)
{
    size_t len;
    char *csv = gen_csv(1000, 0, 0, &len);
    char *b = malloc(len + 64);
    memcpy(b, csv, len);
    size_t o = len + (size_t)sprintf(b + len, "inc-z,SOHR,monitor,2015-01-01,x,y,1,2,\"open\n");
    small_limits();
    ck_assert_int_eq(assert_split_equals_serial(NULL, b, o, "u.csv", NULL), 1);
    free(b);
    free(csv);
}
END_TEST

START_TEST(split_file_load_should_equal_serial_file_load)
{
    toll__par_set_limits((size_t)-1, 0);
    size_t len;
    char *csv = gen_csv(4000, 11, 301, &len);
    char path[] = "/tmp/toll_par_XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    /* with a byte-order mark, lenient and strict */
    char *b = malloc(len + 3);
    memcpy(b, "\xEF\xBB\xBF", 3);
    memcpy(b + 3, csv, len);
    write_file(path, b, len + 3);
    /* the middle, then a cut inside a quoted cell (moved past it) */
    size_t inside = 3 + nth(csv, "\"line one", 200) + 3;
    for (int k = 0; k < 4; k++) {
        int lenient = k % 2;
        toll__par_set_split(k < 2 ? 0 : inside);
        toll_load_options o;
        toll_load_options_init(&o);
        o.lenient = lenient;
        o.format = TOLL_FORMAT_CSV;
        toll_reports *r1 = NULL, *r2 = NULL;
        toll_error e1, e2;
        size_t n1 = 0, n2 = 0;
        ck_assert_int_eq(toll_reports_new(NULL, &r1, NULL), TOLL_OK);
        ck_assert_int_eq(toll_reports_new(NULL, &r2, NULL), TOLL_OK);
        o.threads = 1;
        toll_status s1 = toll_reports_load_file(r1, path, &o, &n1, &e1);
        o.threads = 2;
        toll_status s2 = toll_reports_load_file(r2, path, &o, &n2, &e2);
        ck_assert_int_eq(toll__par_last(), 1);
        ck_assert_int_eq(s1, s2);
        ck_assert_uint_eq(n1, n2);
        if (s1)
            same_error(&e1, &e2, "error", 0);
        else
            ck_assert_uint_gt(n1, 3000);
        assert_same_store(r1, r2);
        toll_reports_free(r1);
        toll_reports_free(r2);
    }
    toll__par_set_split(0);
    unlink(path);
    free(b);
    free(csv);
}
END_TEST

START_TEST(file_smaller_than_the_threshold_should_load_on_one_thread)
{
    toll__par_set_limits((size_t)-1, (size_t)-1);
    size_t len;
    char *csv = gen_csv(3000, 0, 0, &len); /* ~200 KB < 4 MiB */
    result p = load_text(NULL, csv, len, "r.csv", NULL, 0);
    ck_assert_int_eq(p.st, TOLL_OK);
    ck_assert_int_eq(toll__par_last(), 0);
    result_free(&p);
    /* at the auto threshold: split */
    toll__par_set_limits(len, (size_t)-1);
    p = load_text(NULL, csv, len, "r.csv", NULL, 0);
    ck_assert_int_eq(toll__par_last(), 1);
    result_free(&p);
    toll__par_set_limits((size_t)-1, (size_t)-1);
    free(csv);
}
END_TEST

START_TEST(threads_one_should_load_on_one_thread)
{
    toll__par_set_limits(0, 0);
    size_t len;
    char *csv = gen_csv(3000, 0, 0, &len);
    result p = load_text(NULL, csv, len, "r.csv", NULL, 1);
    ck_assert_int_eq(p.st, TOLL_OK);
    ck_assert_int_eq(toll__par_last(), 0);
    result_free(&p);
    toll__par_set_limits((size_t)-1, (size_t)-1);
    free(csv);
}
END_TEST

START_TEST(json_array_should_load_on_one_thread)
{
    small_limits();
    const char *j = "[{\"incident\":\"a\",\"source\":\"S\",\"killed\":3},\n"
                    "{\"incident\":\"b\",\"source\":\"T\",\"killed\":4}\n]\n";
    result p = load_text(NULL, j, strlen(j), "a.json", NULL, 2);
    ck_assert_int_eq(p.st, TOLL_OK);
    ck_assert_uint_eq(p.n, 2);
    ck_assert_int_eq(toll__par_last(), 0);
    result_free(&p);
}
END_TEST

START_TEST(custom_allocator_should_default_to_one_thread)
{
    toll__par_set_limits(0, 0);
    size_t len;
    char *csv = gen_csv(2000, 0, 0, &len);
    locked_alloc l;
    locked_alloc_init(&l);
    for (size_t threads = 0; threads <= 2; threads += 2) {
        toll_reports *r = NULL;
        ck_assert_int_eq(toll_reports_new(&l.a, &r, NULL), TOLL_OK);
        toll_load_options o;
        toll_load_options_init(&o);
        o.threads = threads;
        ck_assert_int_eq(toll_reports_load_buffer(r, csv, len, "c.csv", &o,
                                                  NULL, NULL),
                         TOLL_OK);
        ck_assert_int_eq(toll__par_last(), threads ? 1 : 0);
        toll_reports_free(r);
    }
    ck_assert_int_eq(l.f.live, 0);
    locked_alloc_destroy(&l);
    toll__par_set_limits((size_t)-1, (size_t)-1);
    free(csv);
}
END_TEST

static void oom_sweep(const char *text, size_t len, const char *name,
                      const toll_load_options *base)
{
    const char *pre = "incident,source,killed,note\np1,SOHR,4,x\np2,SNHR,5,y\n";
    result ref; /* the state before */
    memset(&ref, 0, sizeof ref);
    ck_assert_int_eq(toll_reports_new(NULL, &ref.r, NULL), TOLL_OK);
    {
        toll_load_options p = *base;
        p.threads = 1;
        ck_assert_int_eq(toll_reports_load_buffer(ref.r, pre, strlen(pre),
                                                  "pre.csv", &p, NULL, NULL),
                         TOLL_OK);
    }
    result full = load_text(pre, text, len, name, base, 1);
    ck_assert_int_eq(full.st, TOLL_OK);
    int split_failures = 0;
    for (long k = 1;; k++) {
        locked_alloc l;
        locked_alloc_init(&l);
        toll_reports *r = NULL;
        ck_assert_int_eq(toll_reports_new(&l.a, &r, NULL), TOLL_OK);
        toll_load_options o = *base;
        o.threads = 1;
        ck_assert_int_eq(toll_reports_load_buffer(r, pre, strlen(pre), "pre.csv",
                                                  &o, NULL, NULL),
                         TOLL_OK);
        o.threads = 2;
        l.f.fail_at = l.f.count + k;
        size_t n = 99;
        toll_error e;
        toll_status st = toll_reports_load_buffer(r, text, len, name, &o, &n, &e);
        int hit = l.f.count >= l.f.fail_at;
        if (st) {
            ck_assert_msg(st == TOLL_ENOMEM, "k=%ld: %s", k, e.message);
            ck_assert_uint_eq(n, 0);
            ck_assert_uint_eq(toll_reports_reject_count(r), 0);
            assert_same_store(ref.r, r);
            split_failures += toll__par_last() == 1;
        } else {
            ck_assert_uint_eq(n, full.n);
            assert_same_store(full.r, r);
        }
        toll_reports_free(r);
        ck_assert_int_eq(l.f.live, 0);
        locked_alloc_destroy(&l);
        if (!hit)
            break;
    }
    ck_assert_int_gt(split_failures, 0);
    result_free(&ref);
    result_free(&full);
}

START_TEST(oom_sweep_under_two_threads_should_leave_the_store_unchanged)
{
    toll__par_set_limits(0, 0);
    toll__par_set_split(0);
    size_t len;
    char *csv = gen_csv(120, 4, 0, &len);
    toll_load_options o;
    toll_load_options_init(&o);
    oom_sweep(csv, len, "o.csv", &o);
    o.lenient = 1;
    free(csv);
    char *j = gen_jsonl(120, 5, 17, &len);
    oom_sweep(j, len, "o.jsonl", &o);
    free(j);
    toll__par_set_limits((size_t)-1, (size_t)-1);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("parallel_load");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, parallel_csv_load_should_equal_serial_load);
    tcase_add_test(tc,
                   progress_should_rise_to_the_file_size_on_the_callers_thread);
    tcase_add_test(tc,
                   progress_should_rise_when_the_split_load_reads_the_file_again);
    tcase_add_test(tc, a_failed_load_should_report_only_what_it_read);
    tcase_add_test(tc, parallel_jsonl_load_should_equal_serial_load);
    tcase_add_test(tc, quoted_newline_across_the_split_should_give_the_serial_result);
    tcase_add_test(tc, quote_as_data_before_the_split_should_give_the_serial_result);
    tcase_add_test(tc, split_inside_a_quoted_cell_should_fall_back_to_one_thread);
    tcase_add_test(tc, quotes_first_seen_past_the_first_mib_should_be_cut_by_the_check);
    tcase_add_test(tc,
        actor_spelled_otherwise_across_the_split_should_give_the_serial_result);
    tcase_add_test(tc, strict_error_only_in_part_two_should_name_its_line_and_keep_earlier_data);
    tcase_add_test(tc, strict_errors_in_both_parts_should_report_the_first);
    tcase_add_test(tc, lenient_rejects_in_both_parts_should_be_listed_in_file_order);
    tcase_add_test(tc, part_two_spanning_many_pages_should_equal_serial_load);
    tcase_add_test(tc, part_two_of_only_rejected_records_should_equal_serial_load);
    tcase_add_test(tc, repairs_and_kept_fields_should_equal_serial_load);
    tcase_add_test(tc, preset_samples_should_equal_serial_load_at_every_split);
    tcase_add_test(tc, latin1_csv_should_equal_serial_load);
    tcase_add_test(tc, jsonl_with_blank_lines_should_equal_serial_load);
    tcase_add_test(tc, crlf_line_ends_should_equal_serial_load);
    tcase_add_test(tc, parts_without_reports_should_merge_as_serial_load);
    tcase_add_test(tc, long_header_should_be_found_and_split_as_serial_load);
    tcase_add_test(tc, quoted_header_and_blank_lines_before_it_should_equal_serial_load);
    tcase_add_test(tc, unterminated_quote_at_the_end_should_fail_as_serial_load);
    tcase_add_test(tc, split_file_load_should_equal_serial_file_load);
    tcase_add_test(tc, file_smaller_than_the_threshold_should_load_on_one_thread);
    tcase_add_test(tc, threads_one_should_load_on_one_thread);
    tcase_add_test(tc, json_array_should_load_on_one_thread);
    tcase_add_test(tc, custom_allocator_should_default_to_one_thread);
    tcase_add_test(tc, oom_sweep_under_two_threads_should_leave_the_store_unchanged);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return toll_test_run(suite()); }
