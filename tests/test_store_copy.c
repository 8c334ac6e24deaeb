/* tests/test_store_copy.c - toll_reports_copy (src/store/copy.c): the copy
 * holds the same reports, strings and actor sets with the same ids, gives
 * the same results, shares nothing with its source, and fails cleanly. */
#include "store/store.h"
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char JSONL[] =
    "{\"incident\":\"a\",\"source\":\"S1\",\"actor\":\"Russia\","
    "\"region\":\"Syria/Idlib/Ariha\",\"date\":\"2020-03-01\","
    "\"killed\":\"5\",\"weapon\":\"air\"}\n"
    "{\"incident\":\"a\",\"source\":\"S2\",\"actor\":\"Syria;Russia\","
    "\"region\":\"Syria/Idlib/Saraqib\",\"date\":\"2020-03-01\","
    "\"killed\":\"7-9\",\"injured\":\"about 20\"}\n"
    "{\"incident\":\"b\",\"source\":\"S1\",\"actor\":\"ISIS\","
    "\"region\":\"Iraq/Nineveh/Mosul\",\"date\":\"2020-03-02\","
    "\"killed\":\"3\"}\n";

/* Lenient, with repairs (lo > hi) and one rejected record. */
static const char CSV[] = "incident,source,actor,region,date,lo,hi\n"
                          "c,S3,HTS,Syria/Aleppo/Azaz,2020-03-05,9,4\n"
                          "c,S4,HTS;US,Syria/Aleppo,2020-03-05,2,2\n"
                          "d,S4,US,Syria,2020-03-0x,1,1\n"
                          "e,S5,Turkey,Syria/Raqqa,2020-04-01,3,6\n";

/* A strict load that fails on its second record. */
static const char BAD[] =
    "{\"incident\":\"f\",\"source\":\"S9\",\"actor\":\"SDF\","
    "\"region\":\"Syria/Raqqa/Tabqa\",\"date\":\"2020-04-01\","
    "\"killed\":\"4\",\"missing\":\"2\"}\n"
    "{\"incident\":\"f\",\"source\":\"S9\",\"killed\":\"at leest 5\"}\n";

static const char MORE[] =
    "{\"incident\":\"g\",\"source\":\"S7\",\"actor\":\"Wagner\","
    "\"region\":\"Libya/Sirte\",\"date\":\"2020-05-01\","
    "\"killed\":\"11\"}\n";

static toll_status load_jsonl(toll_reports *r, const char *text)
{
    toll_error e;
    return toll_reports_load_buffer(r, text, strlen(text), "in.jsonl", NULL,
                                    NULL, &e);
}

static toll_status load_csv(toll_reports *r)
{
    toll_colmap *m = NULL;
    ck_assert_int_eq(toll_colmap_new(NULL, &m, NULL), TOLL_OK);
    ck_assert_int_eq(toll_colmap_parse(m, "killed=lo..hi", NULL), TOLL_OK);
    toll_load_options o;
    toll_load_options_init(&o);
    o.colmap = m;
    o.lenient = 1;
    o.repair = TOLL_REPAIR_ON;
    toll_error e;
    toll_status st = toll_reports_load_buffer(r, CSV, strlen(CSV), "in.csv",
                                              &o, NULL, &e);
    toll_colmap_free(m);
    return st;
}

/* A store with extras, actor sets, several categories, a rolled-back
 * strict load (string bytes nobody uses between used ones), repairs and
 * rejects. */
static toll_reports *sample(const toll_allocator *a)
{
    toll_reports *r = NULL;
    ck_assert_int_eq(toll_reports_new(a, &r, NULL), TOLL_OK);
    ck_assert_int_eq(load_jsonl(r, JSONL), TOLL_OK);
    ck_assert_int_ne(load_jsonl(r, BAD), TOLL_OK);
    ck_assert_int_eq(load_csv(r), TOLL_OK);
    ck_assert_uint_eq(toll_reports_count(r), 6);
    ck_assert_uint_eq(toll_reports_reject_count(r), 1);
    ck_assert_uint_ge(toll_reports_repair_count(r), 1);
    return r;
}

static toll_reports *copy_of(const toll_reports *r)
{
    toll_reports *c = NULL;
    toll_error e;
    toll_status st = toll_reports_copy(r, NULL, &c, &e);
    ck_assert_msg(st == TOLL_OK, "%s", e.message);
    ck_assert_ptr_nonnull(c);
    return c;
}

static void append(char **s, const char *text, size_t len)
{
    size_t old = *s ? strlen(*s) : 0;
    char *n = realloc(*s, old + len + 2);
    ck_assert_ptr_nonnull(n);
    memcpy(n + old, text, len);
    n[old + len] = '\n';
    n[old + len + 1] = '\0';
    *s = n;
}

static void append_table(char **s, toll_table *t, toll_status st,
                         const toll_error *e)
{
    ck_assert_msg(st == TOLL_OK, "%s", e->message);
    char *buf = NULL;
    size_t len = 0;
    ck_assert_int_eq(toll_table_render_string(t, TOLL_RENDER_CSV, 1, &buf,
                                              &len, NULL),
                     TOLL_OK);
    append(s, buf, len);
    toll_table_buffer_free(t, buf);
    toll_table_free(t);
}

/* The store's table, categories, rejects and repairs, as text. */
static char *dump(const toll_reports *r)
{
    char *s = NULL;
    toll_table *t = NULL;
    toll_error e;
    toll_status st = toll_reports_table(r, NULL, &t, &e);
    append_table(&s, t, st, &e);
    for (size_t i = 0; i < toll_reports_category_count(r); i++) {
        const char *c = toll_reports_category(r, i);
        append(&s, c, strlen(c));
    }
    for (size_t i = 0; i < toll_reports_reject_count(r); i++) {
        const char *m = toll_reports_reject(r, i)->message;
        append(&s, m, strlen(m));
    }
    for (size_t i = 0; i < toll_reports_repair_count(r); i++) {
        ck_assert_int_eq(toll_reports_repair(r, i, &e), TOLL_OK);
        append(&s, e.message, strlen(e.message));
    }
    return s;
}

/* The incidents' table and two summaries, as text. */
static char *results(const toll_reports *r)
{
    toll_reconcile_options ro;
    toll_reconcile_options_init(&ro);
    toll_incidents *inc = NULL;
    toll_error e;
    ck_assert_int_eq(toll_reconcile(r, &ro, NULL, &inc, &e), TOLL_OK);
    char *s = NULL;
    toll_table *t = NULL;
    toll_status st = toll_incidents_table(inc, NULL, &t, &e);
    append_table(&s, t, st, &e);
    const char *bys[] = {"actor,region", "region:1,period:month,category"};
    for (size_t k = 0; k < 2; k++) {
        toll_summarize_options so;
        toll_summarize_options_init(&so);
        so.by = bys[k];
        st = toll_summarize(inc, &so, NULL, &t, &e);
        append_table(&s, t, st, &e);
    }
    toll_incidents_free(inc);
    return s;
}

/* 1 if p points into one of the pool's chunks (by address range of the
 * chunk's used bytes, which every string of the pool lies within). */
static int in_own_chunks(const toll__strpool *p, const char *s)
{
    for (size_t k = 0; k < p->nchunks; k++)
        if (s >= p->chunks[k] && s < p->chunks[k] + p->chunk_size)
            return 1;
    return 0;
}

/* ---- tests ------------------------------------------------------------- */

START_TEST(copy_should_list_the_same_reports_rejects_and_repairs)
{
    toll_reports *r = sample(NULL);
    toll_reports *c = copy_of(r);
    char *a = dump(r), *b = dump(c);
    ck_assert_str_eq(b, a);
    ck_assert_uint_eq(toll_reports_count(c), toll_reports_count(r));
    free(a);
    free(b);
    toll_reports_free(c);
    toll_reports_free(r);
}
END_TEST

START_TEST(copy_should_reconcile_and_summarize_the_same)
{
    toll_reports *r = sample(NULL);
    toll_reports *c = copy_of(r);
    char *a = results(r), *b = results(c);
    ck_assert_str_eq(b, a);
    free(a);
    free(b);
    toll_reports_free(c);
    toll_reports_free(r);
}
END_TEST

START_TEST(copy_should_keep_string_and_set_ids_in_its_own_memory)
{
    toll_reports *r = sample(NULL);
    toll_reports *c = copy_of(r);
    ck_assert_uint_eq(c->strings.count, r->strings.count);
    for (size_t id = 1; id < r->strings.count; id++) {
        ck_assert_uint_eq(toll__strlen(&c->strings, (uint32_t)id),
                          toll__strlen(&r->strings, (uint32_t)id));
        ck_assert_str_eq(toll__str(&c->strings, (uint32_t)id),
                         toll__str(&r->strings, (uint32_t)id));
        ck_assert(in_own_chunks(&c->strings, c->strings.str[id]));
        uint32_t found = 0;
        const char *s = toll__str(&r->strings, (uint32_t)id);
        ck_assert(toll__strpool_find(&c->strings, s, strlen(s), &found));
        ck_assert_uint_eq(found, id);
    }
    ck_assert_uint_eq(c->actor_sets.count, r->actor_sets.count);
    for (size_t id = 0; id < r->actor_sets.count; id++) {
        size_t n = toll__set_size(&r->actor_sets, (uint32_t)id);
        ck_assert_uint_eq(toll__set_size(&c->actor_sets, (uint32_t)id), n);
        ck_assert_uint_eq(c->actor_sets.label[id], r->actor_sets.label[id]);
        ck_assert(n == 0 ||
                  !memcmp(toll__set_members(&c->actor_sets, (uint32_t)id),
                          toll__set_members(&r->actor_sets, (uint32_t)id),
                          n * sizeof(uint32_t)));
    }
    for (size_t i = 0; i < r->n; i++) {
        ck_assert_uint_eq(c->source[i], r->source[i]);
        ck_assert_uint_eq(c->actors[i], r->actors[i]);
        ck_assert_uint_eq(c->region[i], r->region[i]);
    }
    toll_reports_free(c);
    toll_reports_free(r);
}
END_TEST

START_TEST(loading_into_the_copy_should_leave_the_source_as_it_was)
{
    toll_reports *r = sample(NULL);
    char *before = dump(r);
    toll_reports *c = copy_of(r);
    ck_assert_int_eq(load_jsonl(c, MORE), TOLL_OK);
    ck_assert_int_eq(load_csv(c), TOLL_OK);
    ck_assert_uint_eq(toll_reports_count(c), 10);
    ck_assert_uint_eq(toll_reports_count(r), 6);
    char *after = dump(r);
    ck_assert_str_eq(after, before);
    uint32_t id;
    ck_assert(!toll__strpool_find(&r->strings, "Wagner", 6, &id));
    ck_assert(toll__strpool_find(&c->strings, "Wagner", 6, &id));
    free(before);
    free(after);
    toll_reports_free(c);
    toll_reports_free(r);
}
END_TEST

START_TEST(loading_into_the_source_should_leave_the_copy_as_it_was)
{
    toll_reports *r = sample(NULL);
    toll_reports *c = copy_of(r);
    char *before = dump(c);
    ck_assert_int_eq(load_jsonl(r, MORE), TOLL_OK);
    ck_assert_int_ne(load_jsonl(r, BAD), TOLL_OK);
    char *after = dump(c);
    ck_assert_str_eq(after, before);
    ck_assert_uint_eq(toll_reports_count(r), 7);
    free(before);
    free(after);
    toll_reports_free(c);
    toll_reports_free(r);
}
END_TEST

START_TEST(copy_should_stay_valid_after_its_source_is_freed)
{
    toll_reports *r = sample(NULL);
    char *before = dump(r);
    char *res = results(r);
    toll_reports *c = copy_of(r);
    toll_reports_free(r);
    char *after = dump(c);
    ck_assert_str_eq(after, before);
    char *res2 = results(c);
    ck_assert_str_eq(res2, res);
    /* and it can be loaded into again, and copied again */
    ck_assert_int_eq(load_jsonl(c, MORE), TOLL_OK);
    toll_reports *c2 = copy_of(c);
    toll_reports_free(c);
    ck_assert_uint_eq(toll_reports_count(c2), 7);
    free(before);
    free(after);
    free(res);
    free(res2);
    toll_reports_free(c2);
}
END_TEST

START_TEST(copy_of_an_empty_store_should_be_empty_and_loadable)
{
    toll_reports *r = NULL;
    ck_assert_int_eq(toll_reports_new(NULL, &r, NULL), TOLL_OK);
    toll_reports *c = copy_of(r);
    ck_assert_uint_eq(toll_reports_count(c), 0);
    ck_assert_uint_eq(toll_reports_category_count(c), 0);
    ck_assert_uint_eq(toll_reports_reject_count(c), 0);
    ck_assert_uint_eq(toll_reports_repair_count(c), 0);
    ck_assert_int_eq(load_jsonl(c, JSONL), TOLL_OK);
    ck_assert_uint_eq(toll_reports_count(c), 3);
    ck_assert_uint_eq(toll_reports_count(r), 0);
    toll_reports_free(c);
    toll_reports_free(r);
}
END_TEST

START_TEST(copy_should_refuse_null_arguments)
{
    toll_reports *c = (toll_reports *)1;
    toll_error e;
    ck_assert_int_eq(toll_reports_copy(NULL, NULL, &c, &e), TOLL_EINVAL);
    ck_assert_ptr_null(c);
    ck_assert_ptr_nonnull(strstr(e.message, "toll_reports_copy"));
    toll_reports *r = NULL;
    ck_assert_int_eq(toll_reports_new(NULL, &r, NULL), TOLL_OK);
    ck_assert_int_eq(toll_reports_copy(r, NULL, NULL, &e), TOLL_EINVAL);
    toll_reports_free(r);
}
END_TEST

START_TEST(copy_should_use_the_allocator_given_or_the_sources)
{
    failing_alloc fs, fc;
    failing_alloc_init(&fs, 0);
    failing_alloc_init(&fc, 0);
    toll_reports *r = sample(&fs.a);
    long src_live = fs.live;
    toll_reports *c = NULL;
    ck_assert_int_eq(toll_reports_copy(r, &fc.a, &c, NULL), TOLL_OK);
    ck_assert_int_eq(fs.live, src_live);
    ck_assert_int_gt(fc.live, 0);
    toll_reports_free(c);
    ck_assert_int_eq(fc.live, 0);
    ck_assert_int_eq(toll_reports_copy(r, NULL, &c, NULL), TOLL_OK);
    ck_assert_int_gt(fs.live, src_live);
    toll_reports_free(c);
    toll_reports_free(r);
    ck_assert_int_eq(fs.live, 0);
}
END_TEST

START_TEST(copy_should_fail_cleanly_at_every_allocation)
{
    toll_reports *r = sample(NULL);
    char *want = dump(r);
    failing_alloc f;
    failing_alloc_init(&f, 0);
    toll_reports *c = NULL;
    ck_assert_int_eq(toll_reports_copy(r, &f.a, &c, NULL), TOLL_OK);
    long total = f.count;
    toll_reports_free(c);
    ck_assert_int_gt(total, 20);
    for (long k = 1; k <= total; k++) {
        failing_alloc_init(&f, k);
        c = (toll_reports *)1;
        toll_error e;
        ck_assert_int_eq(toll_reports_copy(r, &f.a, &c, &e), TOLL_ENOMEM);
        ck_assert_ptr_null(c);
        ck_assert_int_eq(e.code, TOLL_ENOMEM);
        ck_assert_int_eq(f.live, 0);
    }
    char *got = dump(r);
    ck_assert_str_eq(got, want);
    free(want);
    free(got);
    toll_reports_free(r);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("store_copy");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, copy_should_list_the_same_reports_rejects_and_repairs);
    tcase_add_test(tc, copy_should_reconcile_and_summarize_the_same);
    tcase_add_test(tc, copy_should_keep_string_and_set_ids_in_its_own_memory);
    tcase_add_test(tc, loading_into_the_copy_should_leave_the_source_as_it_was);
    tcase_add_test(tc, loading_into_the_source_should_leave_the_copy_as_it_was);
    tcase_add_test(tc, copy_should_stay_valid_after_its_source_is_freed);
    tcase_add_test(tc, copy_of_an_empty_store_should_be_empty_and_loadable);
    tcase_add_test(tc, copy_should_refuse_null_arguments);
    tcase_add_test(tc, copy_should_use_the_allocator_given_or_the_sources);
    tcase_add_test(tc, copy_should_fail_cleanly_at_every_allocation);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return toll_test_run(suite()); }
