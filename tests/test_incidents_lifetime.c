/* tests/test_incidents_lifetime.c - incidents outlive later loads into their
 * store: they own what they derive (src/reconcile/reconcile.h, "Derived
 * values"), so a load (CSV, JSON Lines, a strict load that fails and rolls
 * back) leaves every listing and summary of them as it was, and a new
 * reconcile sees the new reports. */
#include "store/store.h"
#include "reconcile/reconcile.h"
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The first load: a union of actor sets the store lacks ("Russia + Syria"),
 * a common region prefix it lacks ("Syria/Idlib"), and two unkeyed reports
 * that link=auto joins (an "auto:first.jsonl:4" key the store lacks). */
static const char FIRST[] =
    "{\"incident\":\"a\",\"source\":\"S1\",\"actor\":\"Russia\","
    "\"region\":\"Syria/Idlib/Ariha\",\"date\":\"2020-03-01\","
    "\"killed\":\"5\"}\n"
    "{\"incident\":\"a\",\"source\":\"S2\",\"actor\":\"Syria\","
    "\"region\":\"Syria/Idlib/Saraqib\",\"date\":\"2020-03-01\","
    "\"killed\":\"7-9\"}\n"
    "{\"incident\":\"b\",\"source\":\"S1\",\"actor\":\"ISIS\","
    "\"region\":\"Iraq/Nineveh/Mosul\",\"date\":\"2020-03-02\","
    "\"killed\":\"3\"}\n"
    "{\"source\":\"S3\",\"actor\":\"HTS\",\"region\":\"Syria/Aleppo/Azaz\","
    "\"date\":\"2020-03-05\",\"killed\":\"2\"}\n"
    "{\"source\":\"S4\",\"actor\":\"HTS\",\"region\":\"Syria/Aleppo/Azaz\","
    "\"date\":\"2020-03-05\",\"killed\":\"at least 4\"}\n";

/* The second load (CSV): more reports of incident a, the derived values of
 * the first reconcile now as values of the store (with ids past the ones
 * the first incidents use), a new category and a report that links. */
static const char SECOND[] =
    "incident,source,actor,region,date,killed,injured\n"
    "a,S5,US,Syria,2020-03-01,9,2\n"
    "c,S1,Russia;Syria,Syria/Idlib,2020-03-03,1,\n"
    "d,S2,HTS,auto:first.jsonl:4,2020-03-04,1,\n"
    ",S6,HTS,Syria/Aleppo/Azaz,2020-03-06,3,\n";

/* A strict JSON Lines load that fails on its last record, after new
 * strings, sets and a category were added: it must roll back. */
static const char BAD[] =
    "{\"incident\":\"e\",\"source\":\"S9\",\"actor\":\"Turkey;SDF\","
    "\"region\":\"Syria/Raqqa/Tabqa\",\"date\":\"2020-04-01\","
    "\"killed\":\"4\",\"missing\":\"2\"}\n"
    "{\"incident\":\"e\",\"source\":\"S9\",\"killed\":\"at leest 5\"}\n";

static toll_reports *store(void)
{
    toll_reports *r = NULL;
    toll_error e;
    ck_assert_int_eq(toll_reports_new(NULL, &r, &e), TOLL_OK);
    return r;
}

static toll_status load(toll_reports *r, const char *text, const char *name,
                        size_t *n)
{
    toll_error e;
    return toll_reports_load_buffer(r, text, strlen(text), name, NULL, n, &e);
}

static toll_incidents *rec(const toll_reports *r)
{
    toll_reconcile_options o;
    toll_reconcile_options_init(&o);
    o.link = TOLL_LINK_RULE;
    toll_incidents *inc = NULL;
    toll_error e;
    toll_status st = toll_reconcile(r, &o, NULL, &inc, &e);
    ck_assert_msg(st == TOLL_OK, "%s", e.message);
    return inc;
}

/* Append the CSV of table t (freed) to the malloc'd string *s. */
static void append_csv(char **s, toll_table *t, toll_status st,
                       const toll_error *e)
{
    ck_assert_msg(st == TOLL_OK, "%s", e->message);
    char *buf = NULL;
    size_t len = 0;
    toll_error re;
    ck_assert_int_eq(toll_table_render_string(t, TOLL_RENDER_CSV, 1, &buf,
                                              &len, &re),
                     TOLL_OK);
    size_t old = *s ? strlen(*s) : 0;
    char *n = realloc(*s, old + len + 2);
    ck_assert_ptr_nonnull(n);
    memcpy(n + old, buf, len);
    n[old + len] = '\n';
    n[old + len + 1] = '\0';
    *s = n;
    toll_table_buffer_free(t, buf);
    toll_table_free(t);
}

static void append_summary(char **s, const toll_incidents *inc,
                           const char *by, const char *actor,
                           const char *prefix)
{
    toll_summarize_options o;
    toll_summarize_options_init(&o);
    o.by = by;
    o.actors = actor ? &actor : NULL;
    o.n_actors = actor ? 1 : 0;
    o.region_prefix = prefix;
    toll_table *t = NULL;
    toll_error e;
    toll_status st = toll_summarize(inc, &o, NULL, &t, &e);
    append_csv(s, t, st, &e);
}

/* Every listing and summary of the incidents, as text. */
static char *snapshot(const toll_incidents *inc)
{
    char *s = NULL;
    toll_table *t = NULL;
    toll_error e;
    toll_status st = toll_incidents_table(inc, NULL, &t, &e);
    append_csv(&s, t, st, &e);
    st = toll_incidents_links_table(inc, NULL, &t, &e);
    append_csv(&s, t, st, &e);
    append_summary(&s, inc, "actor,region", NULL, NULL);
    append_summary(&s, inc, "region:1,period:month,category", NULL, NULL);
    append_summary(&s, inc, "actor", "Syria", "Syria/Idlib");
    append_summary(&s, inc, "region", "HTS", NULL);
    return s;
}

/* ---- tests ------------------------------------------------------------- */

START_TEST(incidents_should_own_their_derived_values_and_leave_the_store)
{
    toll_reports *r = store();
    ck_assert_int_eq(load(r, FIRST, "first.jsonl", NULL), TOLL_OK);
    size_t nstr = r->strings.count, nsets = r->actor_sets.count;
    toll_incidents *inc = rec(r);
    ck_assert_uint_eq(r->strings.count, nstr);
    ck_assert_uint_eq(r->actor_sets.count, nsets);
    char *s = snapshot(inc);
    ck_assert_ptr_nonnull(strstr(s, "Russia + Syria"));
    ck_assert_ptr_nonnull(strstr(s, "Syria/Idlib,"));
    ck_assert_ptr_nonnull(strstr(s, "auto:first.jsonl:4"));
    free(s);
    toll_incidents_free(inc);
    toll_reports_free(r);
}
END_TEST

START_TEST(old_incidents_should_be_unchanged_by_a_csv_load)
{
    toll_reports *r = store();
    ck_assert_int_eq(load(r, FIRST, "first.jsonl", NULL), TOLL_OK);
    toll_incidents *inc = rec(r);
    char *before = snapshot(inc);
    size_t n = 0;
    ck_assert_int_eq(load(r, SECOND, "second.csv", &n), TOLL_OK);
    ck_assert_uint_eq(n, 4);
    char *after = snapshot(inc);
    ck_assert_str_eq(after, before);
    ck_assert_uint_eq(toll_incidents_count(inc), 3);
    free(before);
    free(after);
    toll_incidents_free(inc);
    toll_reports_free(r);
}
END_TEST

START_TEST(old_incidents_should_be_unchanged_by_a_jsonl_load)
{
    toll_reports *r = store();
    ck_assert_int_eq(load(r, FIRST, "first.jsonl", NULL), TOLL_OK);
    toll_incidents *inc = rec(r);
    char *before = snapshot(inc);
    ck_assert_int_eq(load(r, FIRST, "again.jsonl", NULL), TOLL_OK);
    char *after = snapshot(inc);
    ck_assert_str_eq(after, before);
    free(before);
    free(after);
    toll_incidents_free(inc);
    toll_reports_free(r);
}
END_TEST

START_TEST(a_failed_strict_load_should_roll_back_only_what_it_added)
{
    toll_reports *r = store();
    ck_assert_int_eq(load(r, FIRST, "first.jsonl", NULL), TOLL_OK);
    toll_incidents *old = rec(r);
    ck_assert_int_eq(load(r, SECOND, "second.csv", NULL), TOLL_OK);
    toll_incidents *mid = rec(r);
    char *old_before = snapshot(old), *mid_before = snapshot(mid);
    size_t n = r->n, nstr = r->strings.count, nsets = r->actor_sets.count;
    ck_assert_int_eq(load(r, BAD, "bad.jsonl", NULL), TOLL_EPARSE);
    ck_assert_uint_eq(r->n, n);
    ck_assert_uint_eq(r->strings.count, nstr);
    ck_assert_uint_eq(r->actor_sets.count, nsets);
    char *old_after = snapshot(old), *mid_after = snapshot(mid);
    ck_assert_str_eq(old_after, old_before);
    ck_assert_str_eq(mid_after, mid_before);
    /* and a load after the rollback leaves them as they were too */
    ck_assert_int_eq(load(r, SECOND, "third.csv", NULL), TOLL_OK);
    free(old_after);
    free(mid_after);
    old_after = snapshot(old);
    mid_after = snapshot(mid);
    ck_assert_str_eq(old_after, old_before);
    ck_assert_str_eq(mid_after, mid_before);
    free(old_before);
    free(mid_before);
    free(old_after);
    free(mid_after);
    toll_incidents_free(old);
    toll_incidents_free(mid);
    toll_reports_free(r);
}
END_TEST

START_TEST(reconcile_after_a_load_should_see_the_new_reports)
{
    toll_reports *r = store();
    ck_assert_int_eq(load(r, FIRST, "first.jsonl", NULL), TOLL_OK);
    toll_incidents *old = rec(r);
    ck_assert_int_eq(load(r, SECOND, "second.csv", NULL), TOLL_OK);
    toll_incidents *now = rec(r);
    /* a, b, the linked pair (with the new HTS report), c, d */
    ck_assert_uint_eq(toll_incidents_count(old), 3);
    ck_assert_uint_eq(toll_incidents_count(now), 5);
    ck_assert_uint_eq(now->r_count[0], 3); /* a: S1, S2 and S5 */
    ck_assert_str_eq(toll__inc_str(now, toll__inc_set_label(now,
                                                            now->actors[0])),
                     "Russia + Syria + US");
    ck_assert_str_eq(toll__inc_str(now, now->region[0]), "Syria");
    /* the same text, one id: "Russia + Syria" is the store's set now */
    ck_assert_uint_lt(now->actors[3], now->nsets);
    ck_assert_str_eq(toll__inc_str(now, toll__inc_set_label(now,
                                                            now->actors[3])),
                     "Russia + Syria");
    char *s = snapshot(now);
    ck_assert_ptr_nonnull(strstr(s, "injured"));
    free(s);
    toll_incidents_free(old);
    toll_incidents_free(now);
    toll_reports_free(r);
}
END_TEST

START_TEST(names_added_by_a_later_load_should_not_reach_old_incidents)
{
    toll_reports *r = store();
    ck_assert_int_eq(load(r, FIRST, "first.jsonl", NULL), TOLL_OK);
    toll_incidents *inc = rec(r);
    ck_assert_int_eq(load(r, SECOND, "second.csv", NULL), TOLL_OK);
    uint32_t id;
    /* "US" and "injured" are the store's now, not the incidents' */
    ck_assert(toll__strpool_find(&r->strings, "US", 2, &id));
    ck_assert(!toll__inc_find(inc, "US", 2, &id));
    ck_assert(!toll__inc_find(inc, "injured", 7, &id));
    /* a category of the later reports is unknown to them, as before */
    toll_summarize_options o;
    toll_summarize_options_init(&o);
    o.category = "injured";
    toll_table *t = NULL;
    toll_error e;
    ck_assert_int_eq(toll_summarize(inc, &o, NULL, &t, &e), TOLL_EINVAL);
    ck_assert_ptr_nonnull(strstr(e.message, "unknown category 'injured'"));
    /* derived values keep the ids they had, past the store's at the time */
    ck_assert(toll__inc_find(inc, "Syria/Idlib", 11, &id));
    ck_assert_uint_ge(id, inc->nstr);
    toll_incidents_free(inc);
    toll_reports_free(r);
}
END_TEST

static Suite *lifetime_suite(void)
{
    Suite *s = suite_create("incidents_lifetime");
    TCase *tc = tcase_create("loads");
    tcase_add_test(
        tc, incidents_should_own_their_derived_values_and_leave_the_store);
    tcase_add_test(tc, old_incidents_should_be_unchanged_by_a_csv_load);
    tcase_add_test(tc, old_incidents_should_be_unchanged_by_a_jsonl_load);
    tcase_add_test(tc,
                   a_failed_strict_load_should_roll_back_only_what_it_added);
    tcase_add_test(tc, reconcile_after_a_load_should_see_the_new_reports);
    tcase_add_test(tc,
                   names_added_by_a_later_load_should_not_reach_old_incidents);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return toll_test_run(lifetime_suite()); }
