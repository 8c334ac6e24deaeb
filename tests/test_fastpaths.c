/* tests/test_fastpaths.c - the speed paths behave as the plain ones: the
 * ingest's memo of recent texts, incident keys hashed ahead, chunked CSV
 * files, reused JSON bindings, the string pool's hashed entry points, the
 * dense group index of summarize and the category count of reconcile. */
#define _POSIX_C_SOURCE 200809L
#include "testutil.h"

#include "store/store.h"
#include "reconcile/reconcile.h"
#include "render/render.h"
#include "base/strhash.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- helpers ------------------------------------------------------------------ */

static toll_reports *new_store(void)
{
    toll_reports *r = NULL;
    ck_assert_int_eq(toll_reports_new(NULL, &r, NULL), TOLL_OK);
    return r;
}

static toll_status load_text(toll_reports *r, const char *text, size_t len,
                             toll_format fmt, const toll_load_options *opts,
                             toll_error *err)
{
    toll_load_options o;
    if (opts)
        o = *opts;
    else
        toll_load_options_init(&o);
    o.format = fmt;
    return toll_reports_load_buffer(r, text, len, "in", &o, NULL, err);
}

static const char *S(const toll_reports *r, uint32_t id)
{
    return toll__str(&r->strings, id);
}

/* A growable text. */
typedef struct text {
    char *s;
    size_t len, cap;
} text;

static void add(text *t, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static void add(text *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (t->len + (size_t)n + 1 > t->cap) {
        t->cap = (t->len + (size_t)n + 1) * 2;
        t->s = realloc(t->s, t->cap);
        ck_assert_ptr_nonnull(t->s);
    }
    va_start(ap, fmt);
    vsnprintf(t->s + t->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    t->len += (size_t)n;
}

/* Two stores hold the same reports (strings compared as text). */
static void ck_same_store(const toll_reports *a, const toll_reports *b)
{
    ck_assert_uint_eq(a->n, b->n);
    ck_assert_uint_eq(a->nq, b->nq);
    ck_assert_uint_eq(a->nx, b->nx);
    for (size_t i = 0; i < a->n; i++) {
        ck_assert_str_eq(S(a, a->incident[i]), S(b, b->incident[i]));
        ck_assert_str_eq(S(a, a->source[i]), S(b, b->source[i]));
        ck_assert_str_eq(S(a, a->region[i]), S(b, b->region[i]));
        ck_assert_str_eq(S(a, toll__reports_opt(a->note, i)),
                         S(b, toll__reports_opt(b->note, i)));
        ck_assert_str_eq(S(a, a->actor_sets.label[a->actors[i]]),
                         S(b, b->actor_sets.label[b->actors[i]]));
        ck_assert_int_eq(a->source_kind[i], b->source_kind[i]);
        ck_assert_int_eq(a->date_start[i], b->date_start[i]);
        ck_assert_int_eq(a->date_end[i], b->date_end[i]);
        ck_assert_uint_eq(a->line[i], b->line[i]);
        ck_assert_uint_eq(a->q_count[i], b->q_count[i]);
    }
    for (size_t k = 0; k < a->nq; k++) {
        ck_assert_int_eq(a->q[k].low, b->q[k].low);
        ck_assert_int_eq(a->q[k].high, b->q[k].high);
        ck_assert(a->q[k].best == b->q[k].best);
        ck_assert_str_eq(S(a, a->q[k].category), S(b, b->q[k].category));
    }
}

/* ---- CSV files in chunks ----------------------------------------------------------- */

START_TEST(csv_file_should_load_as_the_same_text_in_one_buffer)
{
    /* About 3 MiB: rows cut by the 1 MiB chunks, quoted line ends and
     * quotes, CRLF and CR line ends, blanks around keys. */
    text t = {0};
    add(&t, "incident,source,source_kind,date,region,actor,killed,note\r\n");
    static const char *const figures[] = {"12", "85-92", "at least 40",
                                          "about 120", "dozens", "",
                                          "unknown", "\"1,450\""};
    for (int i = 0; t.len < (size_t)3 << 20; i++) {
        const char *end = i % 7 == 0 ? "\r" : i % 3 == 0 ? "\r\n" : "\n";
        if (i % 11 == 0)
            add(&t, "\"  inc-%d \",\"SOHR, \"\"Syria\"\"\",monitor,2016-%02d-%02d,"
                    "Syria/Idlib,\"Russia;Syria\",%s,\"line one\nline two\"%s",
                i / 3, 1 + i % 12, 1 + i % 28, figures[i % 8], end);
        else
            add(&t, "inc-%d, Reuters ,media,2016-%02d,Syria/Aleppo/Afrin,"
                    "Russia,%s,note %d%s",
                i / 3, 1 + i % 12, figures[i % 8], i, end);
    }
    char path[] = "/tmp/toll_fastpaths_XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, t.s, t.len), (ssize_t)t.len);
    close(fd);

    toll_reports *a = new_store(), *b = new_store();
    toll_error err;
    toll_load_options o;
    toll_load_options_init(&o);
    o.format = TOLL_FORMAT_CSV;
    ck_assert_msg(toll_reports_load_file(a, path, &o, NULL, &err) == TOLL_OK,
                  "%s", err.message);
    ck_assert_msg(load_text(b, t.s, t.len, TOLL_FORMAT_CSV, NULL, &err) ==
                      TOLL_OK,
                  "%s", err.message);
    ck_same_store(a, b);
    ck_assert_uint_gt(a->n, 30000);
    /* blanks around a key: the same incident as without */
    uint32_t k1 = 0, k2 = 0;
    ck_assert(toll__strpool_find(&a->strings, "inc-0", 5, &k1));
    ck_assert(!toll__strpool_find(&a->strings, "  inc-0 ", 8, &k2));
    unlink(path);
    toll_reports_free(a);
    toll_reports_free(b);
    free(t.s);
}
END_TEST

START_TEST(csv_should_group_keys_hashed_ahead_as_interned)
{
    /* keys with blanks and keys seen long before: every report of an
     * incident lands in it */
    text t = {0};
    add(&t, "incident,source,killed\n");
    for (int i = 0; i < 2000; i++)
        add(&t, "%sk%d%s,s%d,%d\n", i % 2 ? " " : "", i % 500,
            i % 3 ? "\t" : "", i % 4, i);
    toll_reports *r = new_store();
    toll_error err;
    ck_assert_int_eq(load_text(r, t.s, t.len, TOLL_FORMAT_CSV, NULL, &err),
                     TOLL_OK);
    toll_incidents *inc = NULL;
    ck_assert_int_eq(toll_reconcile(r, NULL, NULL, &inc, &err), TOLL_OK);
    ck_assert_uint_eq(toll_incidents_count(inc), 500);
    for (size_t c = 0; c < inc->n; c++)
        ck_assert_uint_eq(inc->r_count[c], 4);
    toll_incidents_free(inc);
    toll_reports_free(r);
    free(t.s);
}
END_TEST

/* ---- memo of recent texts ------------------------------------------------------------ */

START_TEST(memo_should_list_a_repair_for_every_report_that_needs_one)
{
    const char *csv = "incident,source,region\n"
                      "a,s,Syria;Hama/Homs\n"
                      "b,s,Syria;Hama/Homs\n"
                      "c,s,Syria;Idlib\n"
                      "d,s,Syria;Hama/Homs\n";
    toll_load_options o;
    toll_load_options_init(&o);
    o.region_separator = ';';
    o.repair = TOLL_REPAIR_ON;
    toll_reports *r = new_store();
    toll_error err;
    ck_assert_msg(load_text(r, csv, strlen(csv), TOLL_FORMAT_CSV, &o, &err) ==
                      TOLL_OK,
                  "%s", err.message);
    ck_assert_uint_eq(r->n, 4);
    ck_assert_uint_eq(toll_reports_repair_count(r), 3);
    ck_assert_str_eq(S(r, r->region[0]), "Syria");
    ck_assert_str_eq(S(r, r->region[1]), "Syria");
    ck_assert_str_eq(S(r, r->region[2]), "Syria/Idlib");
    ck_assert_str_eq(S(r, r->region[3]), "Syria");
    toll_reports_free(r);
}
END_TEST

START_TEST(memo_should_reject_every_record_with_a_bad_repeated_text)
{
    const char *csv = "incident,source,date,killed\n"
                      "a,s,2015-02-30,5\n"
                      "b,s,2015-02-28,5\n"
                      "c,s,2015-02-30,5\n"
                      "d,s,2015-02-28,at leest 5\n"
                      "e,s,2015-02-28,at leest 5\n"
                      "f,s,2015-02-28,5\n";
    toll_load_options o;
    toll_load_options_init(&o);
    o.lenient = 1;
    toll_reports *r = new_store();
    toll_error err;
    ck_assert_int_eq(load_text(r, csv, strlen(csv), TOLL_FORMAT_CSV, &o, &err),
                     TOLL_OK);
    ck_assert_uint_eq(r->n, 2);
    ck_assert_uint_eq(toll_reports_reject_count(r), 4);
    long lines[] = {2, 4, 5, 6};
    for (size_t k = 0; k < 4; k++)
        ck_assert_int_eq(toll_reports_reject(r, k)->line, lines[k]);
    ck_assert_str_eq(toll_reports_reject(r, 1)->field, "date");
    ck_assert_str_eq(toll_reports_reject(r, 3)->field, "killed");
    toll_reports_free(r);
}
END_TEST

START_TEST(memo_should_read_long_and_repeated_texts_as_the_first_time)
{
    /* region longer than the memo keeps; actors and figures repeated;
     * the same text in fields of different kinds */
    text t = {0};
    add(&t, "incident,source,source_actor,date,region,actor,killed\n");
    for (int i = 0; i < 600; i++)
        add(&t,
            "i%d,2016-01-0%d,%s,2016-01-0%d,Syria/A governorate with a "
            "rather long name/district %d,%s,%s\n",
            i, 1 + i % 3, i % 2 ? "Russia" : "", 1 + i % 5, i % 4,
            i % 3 ? "Russia ; Syria" : "Syria;Russia;Syria",
            i % 2 ? "about 100" : "dozens");
    toll_reports *r = new_store();
    toll_error err;
    ck_assert_msg(load_text(r, t.s, t.len, TOLL_FORMAT_CSV, NULL, &err) ==
                      TOLL_OK,
                  "%s", err.message);
    for (size_t i = 0; i < r->n; i++) {
        char want[128];
        snprintf(want, sizeof want,
                 "Syria/A governorate with a rather long name/district %zu",
                 i % 4);
        ck_assert_str_eq(S(r, r->region[i]), want);
        snprintf(want, sizeof want, "2016-01-0%zu", 1 + i % 3);
        ck_assert_str_eq(S(r, r->source[i]), want);
        ck_assert_str_eq(S(r, r->source_actor[i]), i % 2 ? "Russia" : "");
        ck_assert_int_eq(r->date_start[i],
                         toll_date_from_ymd(2016, 1, 1 + (int)(i % 5)));
        ck_assert_str_eq(S(r, r->actor_sets.label[r->actors[i]]),
                         "Russia + Syria");
        const toll__qcell *q = &r->q[r->q_begin[i]];
        ck_assert_int_eq(q->low, i % 2 ? 90 : 24);
        ck_assert_int_eq(q->high, i % 2 ? 110 : 99);
        ck_assert(q->best == (i % 2 ? 100.0 : 36.0));
    }
    toll_reports_free(r);
    free(t.s);
}
END_TEST

START_TEST(memo_should_survive_an_allocation_failure)
{
    /* the memo is an optimisation: without memory for it, the load goes
     * on; any failure is a clean ENOMEM */
    const char *csv = "incident,source,date,region,actor,killed\n"
                      "a,s,2016-01-01,Syria/Idlib,Russia,5\n"
                      "b,s,2016-01-01,Syria/Idlib,Russia,5\n";
    for (long k = 1; k < 80; k++) {
        failing_alloc f;
        failing_alloc_init(&f, k);
        toll_reports *r = NULL;
        toll_error err;
        if (toll_reports_new(&f.a, &r, &err) == TOLL_OK) {
            toll_status st =
                load_text(r, csv, strlen(csv), TOLL_FORMAT_CSV, NULL, &err);
            ck_assert(st == TOLL_OK || st == TOLL_ENOMEM);
            if (st == TOLL_OK)
                ck_assert_uint_eq(r->n, 2);
            else
                ck_assert_uint_eq(r->n, 0);
            toll_reports_free(r);
        }
        ck_assert_int_eq(f.live, 0);
    }
}
END_TEST

/* A CSV cell loaded (leniently) as a quantity gives what
 * toll_quantity_parse gives for its text: the same figures, or a reject
 * when the parser refuses it. */
static void ck_quantity_as_parsed(const char *cell,
                                  const toll_lexicon *lex)
{
    text t = {0};
    add(&t, "incident,source,killed\na,s,\"%s\"\n", cell);
    toll_load_options o;
    toll_load_options_init(&o);
    o.lenient = 1;
    o.parse.lexicon = lex;
    toll_reports *r = new_store();
    toll_error err;
    ck_assert_int_eq(load_text(r, t.s, t.len, TOLL_FORMAT_CSV, &o, &err),
                     TOLL_OK);
    toll_quantity q;
    toll_error perr;
    toll_status pst = toll_quantity_parse(cell, strlen(cell), &o.parse, &q,
                                          &perr);
    if (pst) {
        ck_assert_msg(r->n == 0, "\"%s\" loaded, the parser refuses it", cell);
    } else {
        ck_assert_msg(r->n == 1, "\"%s\" rejected, the parser reads it", cell);
        const toll__qcell *c = &r->q[r->q_begin[0]];
        ck_assert_int_eq(c->low, q.known ? q.low : -1);
        if (q.known) {
            ck_assert_int_eq(c->high, q.high);
            ck_assert_msg(c->best == q.best, "\"%s\": best %g, parser %g",
                          cell, c->best, q.best);
        }
    }
    toll_reports_free(r);
    free(t.s);
}

START_TEST(quantity_fast_paths_should_read_as_the_parser)
{
    static const char *const texts[] = {
        "92", "0", "007", "85-92", "5-5", "0-0", "085-092", "92-85",
        "123456789012345678", "1234567890123456789", "999999999999999999-1",
        "1-123456789012345678", "1-1234567890123456789", "85-", "-5",
        "85--92", "85-92a", "85-9 2", "1,450", "about 100", "dozens"};
    for (size_t k = 0; k < sizeof texts / sizeof texts[0]; k++)
        ck_quantity_as_parsed(texts[k], NULL);
}
END_TEST

START_TEST(quantity_fast_paths_should_yield_to_lexicon_words_with_digits)
{
    /* a lexicon word that starts with a digit is read by the parser */
    toll_lexicon *lex = NULL;
    toll_error err;
    ck_assert_int_eq(toll_lexicon_new(NULL, &lex, &err), TOLL_OK);
    ck_assert_int_eq(toll_lexicon_set(lex, "9/11", 1, 2, -1, &err), TOLL_OK);
    ck_assert_int_eq(toll_lexicon_set(lex, "5-7 or so", 50, 70, 60, &err),
                     TOLL_OK);
    static const char *const texts[] = {"9/11", "5-7 or so", "5-7", "92",
                                        "85-92", "3"};
    for (size_t k = 0; k < sizeof texts / sizeof texts[0]; k++)
        ck_quantity_as_parsed(texts[k], lex);
    toll_lexicon_free(lex);
}
END_TEST

/* ---- JSON bindings ------------------------------------------------------------------- */

START_TEST(json_should_follow_keys_that_change_between_records)
{
    const char *jsonl =
        "{\"incident\":\"a\",\"source\":\"s\",\"killed\":1,\"injured\":2}\n"
        "{\"incident\":\"b\",\"source\":\"s\",\"killed\":3,\"injured\":4}\n"
        "{\"source\":\"s\",\"incident\":\"c\",\"injured\":6,\"killed\":5}\n"
        "{\"source\":\"s\",\"incident\":\"d\",\"injured\":8,\"killed\":7}\n"
        "{\"source\":\"s\",\"incident\":\"e\",\"note\":\"n\",\"killed\":9}\n"
        "{\"source\":\"s\",\"incident\":\"f\",\"note\":\"n\",\"x\":\"kept\"}\n";
    toll_reports *r = new_store();
    toll_error err;
    ck_assert_msg(load_text(r, jsonl, strlen(jsonl), TOLL_FORMAT_JSONL, NULL,
                            &err) == TOLL_OK,
                  "%s", err.message);
    ck_assert_uint_eq(r->n, 6);
    int64_t killed[] = {1, 3, 5, 7, 9}, injured[] = {2, 4, 6, 8};
    for (size_t i = 0; i < 5; i++) {
        for (size_t k = 0; k < r->q_count[i]; k++) {
            const toll__qcell *q = &r->q[r->q_begin[i] + k];
            if (strcmp(S(r, q->category), "killed") == 0)
                ck_assert_int_eq(q->low, killed[i]);
            else
                ck_assert_int_eq(q->low, injured[i]);
        }
    }
    ck_assert_uint_eq(r->q_count[4], 1);
    ck_assert_uint_eq(r->q_count[5], 0);
    ck_assert_str_eq(S(r, r->note[4]), "n");
    ck_assert_uint_eq(r->x_count[5], 1);
    ck_assert_str_eq(report_extra(r, 5, "x"), "kept");
    toll_reports_free(r);
}
END_TEST

START_TEST(json_should_name_a_duplicate_key_after_a_reused_binding)
{
    const char *jsonl = "{\"incident\":\"a\",\"source\":\"s\"}\n"
                        "{\"incident\":\"b\",\"source\":\"s\"}\n"
                        "{\"incident\":\"c\",\"incident\":\"s\"}\n";
    toll_reports *r = new_store();
    toll_error err;
    ck_assert_int_eq(
        load_text(r, jsonl, strlen(jsonl), TOLL_FORMAT_JSONL, NULL, &err),
        TOLL_EREPORT);
    ck_assert_int_eq(err.line, 3);
    ck_assert_ptr_nonnull(strstr(err.message, "appears twice"));
    toll_reports_free(r);
}
END_TEST

START_TEST(json_should_name_the_nesting_limit_of_a_deep_line)
{
    text t = {0};
    add(&t, "{\"incident\":\"a\",\"source\":\"s\"}\n{\"source\":\"s\",\"x\":");
    for (int i = 0; i < 1100; i++)
        add(&t, "[");
    for (int i = 0; i < 1100; i++)
        add(&t, "]");
    add(&t, "}\n");
    toll_reports *r = new_store();
    toll_error err;
    ck_assert_int_eq(load_text(r, t.s, t.len, TOLL_FORMAT_JSONL, NULL, &err),
                     TOLL_EPARSE);
    ck_assert_int_eq(err.line, 2);
    ck_assert_ptr_nonnull(strstr(err.message, "nested deeper than"));
    toll_reports_free(r);
    free(t.s);
}
END_TEST

/* ---- string pool ---------------------------------------------------------------- */

START_TEST(strpool_should_intern_the_same_with_a_known_hash)
{
    toll_allocator a;
    toll__alloc_init(&a, NULL);
    toll__strpool p;
    ck_assert_int_eq(toll__strpool_init(&p, &a), TOLL_OK);
    char buf[64];
    uint32_t ids[3000];
    for (int i = 0; i < 3000; i++) {
        int n = snprintf(buf, sizeof buf, "key number %d", i * 7919);
        uint32_t h = toll__hash_bytes(buf, (size_t)n);
        toll__strpool_prefetch(&p, h);
        if (i % 2)
            ck_assert_int_eq(toll__strpool_intern_hashed(&p, buf, (size_t)n, h,
                                                         &ids[i]),
                             TOLL_OK);
        else
            ck_assert_int_eq(toll__strpool_intern(&p, buf, (size_t)n, &ids[i]),
                             TOLL_OK);
    }
    for (int i = 0; i < 3000; i++) {
        int n = snprintf(buf, sizeof buf, "key number %d", i * 7919);
        uint32_t id = 0;
        ck_assert(toll__strpool_find(&p, buf, (size_t)n, &id));
        ck_assert_uint_eq(id, ids[i]);
        ck_assert_uint_eq(id, (uint32_t)i + 1);
    }
    /* after a rollback, earlier strings are found, later ones are not,
     * and interning them again gives the next ids */
    toll__strpool_truncate(&p, 1001);
    for (int i = 0; i < 3000; i++) {
        int n = snprintf(buf, sizeof buf, "key number %d", i * 7919);
        uint32_t id = 0;
        ck_assert_int_eq(toll__strpool_find(&p, buf, (size_t)n, &id),
                         i < 1000);
    }
    uint32_t id = 0;
    ck_assert_int_eq(toll__strpool_intern(&p, "new", 3, &id), TOLL_OK);
    ck_assert_uint_eq(id, 1001);
    ck_assert_int_eq(toll__strpool_intern_hashed(&p, "", 0, 0, &id), TOLL_OK);
    ck_assert_uint_eq(id, 0);
    toll__strpool_free(&p);
}
END_TEST

START_TEST(hash_should_depend_on_every_byte_and_the_length)
{
    /* short and long texts, one byte changed anywhere: another hash (for
     * these texts; the pool compares bytes anyway) */
    char a[40], b[40];
    for (size_t len = 1; len <= sizeof a; len++) {
        memset(a, 'x', len);
        uint32_t ha = toll__hash_bytes(a, len);
        ck_assert_uint_ne(ha, 0);
        for (size_t k = 0; k < len; k++) {
            memcpy(b, a, len);
            b[k] = 'y';
            ck_assert_uint_ne(toll__hash_bytes(b, len), ha);
        }
        if (len > 1)
            ck_assert_uint_ne(toll__hash_bytes(a, len - 1), ha);
    }
}
END_TEST

/* ---- summarize: the dense group index ------------------------------------------------ */

/* Summarize `by` over CSV text; the caller frees the table. */
static toll_table *summary(const char *csv, size_t len, const char *by,
                           toll_reports **rp, toll_incidents **ip)
{
    toll_reports *r = new_store();
    toll_error err;
    ck_assert_msg(load_text(r, csv, len, TOLL_FORMAT_CSV, NULL, &err) ==
                      TOLL_OK,
                  "%s", err.message);
    toll_incidents *inc = NULL;
    ck_assert_int_eq(toll_reconcile(r, NULL, NULL, &inc, &err), TOLL_OK);
    toll_summarize_options o;
    toll_summarize_options_init(&o);
    o.by = by;
    toll_table *t = NULL;
    ck_assert_msg(toll_summarize(inc, &o, NULL, &t, &err) == TOLL_OK, "%s",
                  err.message);
    *rp = r;
    *ip = inc;
    return t;
}

START_TEST(summarize_should_give_every_group_after_leaving_the_dense_index)
{
    /* 600 incidents, each with its own actor, region and day: 10 bits per
     * key, 30 in all, more than the dense index takes; it is left half-way
     * through (after the first 64 values of each key) */
    text t = {0};
    add(&t, "incident,source,date,region,actor,killed\n");
    for (int i = 0; i < 600; i++)
        add(&t, "i%d,s,%s,Syria/R%03d,A%03d,%d\n", i,
            i < 300 ? "2016-01-01" : "2017-06-30", i, i, i + 1);
    /* second reports of some incidents, in another order */
    for (int i = 0; i < 600; i += 7)
        add(&t, "i%d,s2,%s,Syria/R%03d,A%03d,%d\n", i,
            i < 300 ? "2016-01-01" : "2017-06-30", i, i, i + 2);
    toll_reports *r;
    toll_incidents *inc;
    toll_table *tab = summary(t.s, t.len, "actor,region,period:day", &r, &inc);
    ck_assert_uint_eq(toll_table_nrows(tab), 600);
    const int64_t *n = toll_table_int64(tab, 3), *reports = toll_table_int64(tab, 4);
    const double *low = toll_table_double(tab, 5), *high = toll_table_double(tab, 7);
    for (size_t row = 0; row < 600; row++) {
        char want[16];
        snprintf(want, sizeof want, "A%03zu", row);
        ck_assert_str_eq(toll_table_string(tab, 0, row), want);
        snprintf(want, sizeof want, "Syria/R%03zu", row);
        ck_assert_str_eq(toll_table_string(tab, 1, row), want);
        ck_assert_str_eq(toll_table_string(tab, 2, row),
                         row < 300 ? "2016-01-01" : "2017-06-30");
        ck_assert_int_eq(n[row], 1);
        ck_assert_int_eq(reports[row], row % 7 ? 1 : 2);
        ck_assert(low[row] == (double)row + 1);
        ck_assert(high[row] == (double)(row % 7 ? row + 1 : row + 2));
    }
    toll_table_free(tab);
    toll_incidents_free(inc);
    toll_reports_free(r);
    free(t.s);
}
END_TEST

START_TEST(summarize_should_add_up_groups_found_through_the_dense_index)
{
    /* 20 actors x 30 months, codes appearing in a shuffled order so the
     * index is widened several times */
    text t = {0};
    add(&t, "incident,source,date,actor,killed\n");
    for (int i = 0; i < 3000; i++) {
        int a = (i * 7) % 20, m = (i * 11) % 30;
        add(&t, "i%d,s,%d-%02d-15,A%02d,%d\n", i, 2014 + m / 12, 1 + m % 12,
            a, i % 10);
    }
    toll_reports *r;
    toll_incidents *inc;
    toll_table *tab = summary(t.s, t.len, "actor,period:month", &r, &inc);
    /* (i*7)%20 and (i*11)%30 repeat every 60: 60 distinct pairs */
    ck_assert_uint_eq(toll_table_nrows(tab), 60);
    const int64_t *n = toll_table_int64(tab, 2);
    const double *low = toll_table_double(tab, 4);
    int64_t total = 0;
    double sum = 0;
    for (size_t row = 0; row < 60; row++) {
        total += n[row];
        sum += low[row];
        ck_assert_int_eq(n[row], 50);
        if (row)
            ck_assert_int_le(strcmp(toll_table_string(tab, 0, row - 1),
                                    toll_table_string(tab, 0, row)),
                             0);
    }
    ck_assert_int_eq(total, 3000);
    ck_assert(sum == 3000 * 4.5);
    toll_table_free(tab);
    toll_incidents_free(inc);
    toll_reports_free(r);
    free(t.s);
}
END_TEST

START_TEST(summarize_should_sort_many_rows_by_their_keys)
{
    /* 5000 groups met in a shuffled order: sorted through one 64-bit key
     * (actor, region, day: 39 bits), or, when the keys need more than 64
     * bits (two kept fields more: 65), through the comparison */
    text t = {0};
    add(&t, "incident,source,date,region,actor,killed,f1,f2\n");
    for (int i = 0; i < 5000; i++) {
        int p = (int)(((long)i * 7919) % 5000);
        int32_t d = toll_date_from_ymd(2000, 1, 1) + p;
        char date[16];
        toll_date_format(d, date);
        add(&t, "i%d,s,%s,R%05d,A%05d,%d,x%05d,y%05d\n", i, date, p, p, p, p,
            p);
    }
    static const char *const bys[] = {"actor,region,period:day",
                                      "actor,region,period:day,f1,f2"};
    for (size_t b = 0; b < 2; b++) {
        toll_reports *r;
        toll_incidents *inc;
        toll_table *tab = summary(t.s, t.len, bys[b], &r, &inc);
        ck_assert_uint_eq(toll_table_nrows(tab), 5000);
        size_t nk = toll_table_nkeys(tab);
        const double *low = toll_table_double(tab, nk + 2);
        for (size_t row = 0; row < 5000; row++) {
            char want[16];
            snprintf(want, sizeof want, "A%05zu", row);
            ck_assert_str_eq(toll_table_string(tab, 0, row), want);
            snprintf(want, sizeof want, "R%05zu", row);
            ck_assert_str_eq(toll_table_string(tab, 1, row), want);
            ck_assert(low[row] == (double)row);
        }
        toll_table_free(tab);
        toll_incidents_free(inc);
        toll_reports_free(r);
    }
    free(t.s);
}
END_TEST

/* ---- reconcile: cells per incident ---------------------------------------------------- */

START_TEST(reconcile_should_count_cells_beyond_64_categories)
{
    /* 70 categories (more than one 64-bit mask holds): the reports are
     * then visited incident by incident */
    for (int ncat = 3; ncat <= 70; ncat += 67) {
        text t = {0};
        add(&t, "incident,source");
        for (int c = 0; c < ncat; c++)
            add(&t, ",c%d_killed", c);
        add(&t, "\n");
        for (int i = 0; i < 40; i++) {
            add(&t, "i%d,s%d", i % 10, i % 3);
            for (int c = 0; c < ncat; c++)
                add(&t, ",%s", (c + i) % 4 ? "" : "5");
            add(&t, "\n");
        }
        toll_reports *r = new_store();
        toll_error err;
        ck_assert_int_eq(load_text(r, t.s, t.len, TOLL_FORMAT_CSV, NULL, &err),
                         TOLL_OK);
        toll_incidents *inc = NULL;
        ck_assert_int_eq(toll_reconcile(r, NULL, NULL, &inc, &err), TOLL_OK);
        ck_assert_uint_eq(inc->n, 10);
        for (size_t c = 0; c < inc->n; c++) {
            /* incident c has reports i = c, c+10, c+20, c+30: every
             * category is given (a figure or empty, read as unknown) */
            ck_assert_uint_eq(inc->c_count[c], (unsigned)ncat);
            for (size_t k = 0; k < inc->c_count[c]; k++) {
                size_t cell = inc->c_begin[c] + k;
                ck_assert_str_eq(S(r, inc->c_category[cell]),
                                 S(r, r->categories[k]));
            }
        }
        toll_incidents_free(inc);
        toll_reports_free(r);
        free(t.s);
    }
}
END_TEST

static Suite *fastpaths_suite(void)
{
    Suite *s = suite_create("fastpaths");
    TCase *tc = tcase_create("ingest");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, csv_file_should_load_as_the_same_text_in_one_buffer);
    tcase_add_test(tc, csv_should_group_keys_hashed_ahead_as_interned);
    tcase_add_test(tc, memo_should_list_a_repair_for_every_report_that_needs_one);
    tcase_add_test(tc, memo_should_reject_every_record_with_a_bad_repeated_text);
    tcase_add_test(tc, memo_should_read_long_and_repeated_texts_as_the_first_time);
    tcase_add_test(tc, memo_should_survive_an_allocation_failure);
    tcase_add_test(tc, quantity_fast_paths_should_read_as_the_parser);
    tcase_add_test(tc,
                   quantity_fast_paths_should_yield_to_lexicon_words_with_digits);
    tcase_add_test(tc, json_should_follow_keys_that_change_between_records);
    tcase_add_test(tc, json_should_name_a_duplicate_key_after_a_reused_binding);
    tcase_add_test(tc, json_should_name_the_nesting_limit_of_a_deep_line);
    suite_add_tcase(s, tc);
    tc = tcase_create("pool");
    tcase_add_test(tc, strpool_should_intern_the_same_with_a_known_hash);
    tcase_add_test(tc, hash_should_depend_on_every_byte_and_the_length);
    suite_add_tcase(s, tc);
    tc = tcase_create("aggregate");
    tcase_add_test(tc,
                   summarize_should_give_every_group_after_leaving_the_dense_index);
    tcase_add_test(tc,
                   summarize_should_add_up_groups_found_through_the_dense_index);
    tcase_add_test(tc, summarize_should_sort_many_rows_by_their_keys);
    tcase_add_test(tc, reconcile_should_count_cells_beyond_64_categories);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return toll_test_run(fastpaths_suite()); }
