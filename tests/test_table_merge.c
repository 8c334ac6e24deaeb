/* tests/test_table_merge.c - toll_table_merge: summaries of two parts of
 * the incidents merged into the summary of all of them.
 *
 * The reports are loaded through the public API from the CSV below; a
 * part is the reports of the incidents whose number has a given parity,
 * so the two parts hold disjoint incidents. */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- fixture --------------------------------------------------------------- */

static const char HEADER[] =
    "incident,source,source_kind,date,region,actor,killed,injured,kind\n";

/* Each row starts with "aN,": incident N. */
static const char *const ROWS[] = {
    "a1,SNHR,monitor,2016-09-25,Syria/Aleppo,Russia,92,10,1\n",
    "a1,SOHR,monitor,2016-09-25,Syria/Aleppo,Russia,96,,1\n",
    "a2,SNHR,monitor,2016-10-02,Syria/Aleppo/East,Russia;Syria,12,3,2\n",
    "a3,Reuters,media,2016-09-30,Syria/Idlib,Syria,5-7,,10\n",
    "a3,AFP,media,2016-09-30,Syria/Idlib,Syria,at least 6,,10\n",
    "a4,MoD,party,2016-11-01,Syria/Homs,Russia,0,,2\n",
    "a4,SOHR,monitor,2016-11-01,Syria/Homs,Russia,3,,2\n",
    "a5,SNHR,monitor,,Syria/Homs,,4,,1\n",
    "a6,SOHR,monitor,2017-01-15,Iraq/Mosul,Coalition,20-25,5,3\n",
    "a7,Airwars,monitor,2017-01-20,Iraq/Mosul,Coalition;Iraq,8,,3\n",
    "a8,SNHR,monitor,2016-12-31,,Syria,about 15,,\n",
    "a9,SOHR,monitor,2017-02-03,Syria/Idlib,Russia,2,1,10\n",
    "a9,UN,un,2017-02-04,Syria/Idlib,Russia,1-3,,10\n",
    "a10,SNHR,monitor,2017-02-28,Syria/Aleppo,Russia;Syria,7,,2\n",
    "a11,SOHR,monitor,2016-09-26,Syria/Aleppo,Russia,11,,1\n",
};
#define NROWS (sizeof ROWS / sizeof *ROWS)

#define ALL (-1)

/* The incidents of part `part` (0: even numbers, 1: odd; ALL: every
 * incident), reconciled with the default options. */
static toll_incidents *incidents_of(int part, toll_reports **rep)
{
    size_t cap = sizeof HEADER;
    for (size_t i = 0; i < NROWS; i++)
        cap += strlen(ROWS[i]);
    char *csv = malloc(cap);
    ck_assert_ptr_nonnull(csv);
    strcpy(csv, HEADER);
    for (size_t i = 0; i < NROWS; i++)
        if (part == ALL || atoi(ROWS[i] + 1) % 2 == part)
            strcat(csv, ROWS[i]);
    toll_load_options o;
    toll_load_options_init(&o);
    o.format = TOLL_FORMAT_CSV;
    toll_error err;
    ck_assert_int_eq(toll_reports_new(NULL, rep, NULL), TOLL_OK);
    ck_assert_msg(toll_reports_load_buffer(*rep, csv, strlen(csv), "in", &o,
                                           NULL, &err) == TOLL_OK,
                  "%s", err.message);
    free(csv);
    toll_incidents *inc = NULL;
    ck_assert_msg(toll_reconcile(*rep, NULL, NULL, &inc, &err) == TOLL_OK,
                  "%s", err.message);
    return inc;
}

/* The summary of part `part` with options o (NULL: defaults). */
static toll_table *summary_of(int part, const toll_summarize_options *o)
{
    toll_reports *rep = NULL;
    toll_incidents *inc = incidents_of(part, &rep);
    toll_table *t = NULL;
    toll_error err;
    ck_assert_msg(toll_summarize(inc, o, NULL, &t, &err) == TOLL_OK, "%s",
                  err.message);
    toll_incidents_free(inc);
    toll_reports_free(rep);
    return t;
}

static toll_summarize_options opts_by(const char *by)
{
    toll_summarize_options o;
    toll_summarize_options_init(&o);
    o.by = by;
    return o;
}

/* a and b are the same table: shape, keys, caption and every cell (text
 * compared as text; numbers exactly, or as rendered when `rendered`). */
static void ck_same_table(const toll_table *a, const toll_table *b,
                          int rendered)
{
    ck_assert_uint_eq(toll_table_nrows(a), toll_table_nrows(b));
    ck_assert_uint_eq(toll_table_ncols(a), toll_table_ncols(b));
    ck_assert_uint_eq(toll_table_nkeys(a), toll_table_nkeys(b));
    ck_assert_int_eq(toll_table_additive(a), toll_table_additive(b));
    ck_assert_str_eq(toll_table_caption(a), toll_table_caption(b));
    for (size_t j = 0; j < toll_table_ncols(a); j++) {
        ck_assert_str_eq(toll_table_column_name(a, j),
                         toll_table_column_name(b, j));
        ck_assert_int_eq(toll_table_column_type(a, j),
                         toll_table_column_type(b, j));
        for (size_t i = 0; i < toll_table_nrows(a); i++) {
            switch (toll_table_column_type(a, j)) {
            case TOLL_COL_STRING: {
                const char *x = toll_table_string(a, j, i);
                const char *y = toll_table_string(b, j, i);
                ck_assert_msg((!x && !y) || (x && y && !strcmp(x, y)),
                              "row %zu column %s: '%s' and '%s'", i,
                              toll_table_column_name(a, j), x ? x : "(null)",
                              y ? y : "(null)");
                break;
            }
            case TOLL_COL_INT64:
                ck_assert_msg(toll_table_int64(a, j)[i] ==
                                  toll_table_int64(b, j)[i],
                              "row %zu column %s", i,
                              toll_table_column_name(a, j));
                break;
            case TOLL_COL_DOUBLE:
                if (!rendered)
                    ck_assert_msg(toll_table_double(a, j)[i] ==
                                      toll_table_double(b, j)[i],
                                  "row %zu column %s: %.17g and %.17g", i,
                                  toll_table_column_name(a, j),
                                  toll_table_double(a, j)[i],
                                  toll_table_double(b, j)[i]);
                break;
            }
        }
    }
    char *x = NULL, *y = NULL;
    ck_assert_int_eq(toll_table_render_string(a, TOLL_RENDER_CSV, 1, &x,
                                              NULL, NULL),
                     TOLL_OK);
    ck_assert_int_eq(toll_table_render_string(b, TOLL_RENDER_CSV, 1, &y,
                                              NULL, NULL),
                     TOLL_OK);
    ck_assert_str_eq(x, y);
    toll_table_buffer_free(a, x);
    toll_table_buffer_free(b, y);
}

static toll_table *merged(const toll_table *a, const toll_table *b)
{
    toll_table *m = NULL;
    toll_error err;
    ck_assert_msg(toll_table_merge(a, b, NULL, &m, &err) == TOLL_OK, "%s",
                  err.message);
    ck_assert_ptr_nonnull(m);
    return m;
}

/* Summaries of the two halves, merged both ways, equal the summary of
 * all incidents. */
static void ck_halves(const toll_summarize_options *o, int rendered)
{
    toll_table *whole = summary_of(ALL, o);
    toll_table *even = summary_of(0, o), *odd = summary_of(1, o);
    toll_table *m1 = merged(even, odd), *m2 = merged(odd, even);
    ck_assert_uint_gt(toll_table_nrows(whole), 0);
    ck_same_table(m1, whole, rendered);
    ck_same_table(m2, whole, rendered);
    toll_table_free(m1);
    toll_table_free(m2);
    toll_table_free(even);
    toll_table_free(odd);
    toll_table_free(whole);
}

/* ---- tests ------------------------------------------------------------------ */

START_TEST(merge_of_two_halves_should_equal_the_whole)
{
    static const char *const bys[] = {
        "actor",         "actor,period:month", "region:0,period:year",
        "region",        "period:week,actor",  "period:day",
        "grade,category", "kind",              "category,kind,actor",
        "period:quarter"};
    for (size_t k = 0; k < sizeof bys / sizeof *bys; k++) {
        toll_summarize_options o = opts_by(bys[k]);
        ck_halves(&o, 0);
    }
}
END_TEST

START_TEST(merge_without_keys_should_add_the_one_row)
{
    toll_summarize_options o = opts_by(NULL);
    ck_halves(&o, 0);
}
END_TEST

START_TEST(merge_should_keep_attribution_each_non_additive)
{
    toll_summarize_options o = opts_by("actor,period:year");
    o.attribution = TOLL_ATTR_EACH;
    ck_halves(&o, 0);
    toll_table *t = summary_of(0, &o);
    toll_table *m = merged(t, t);
    ck_assert_int_eq(toll_table_additive(m), 0);
    toll_table_free(m);
    toll_table_free(t);
}
END_TEST

START_TEST(merge_of_split_and_prorated_halves_should_render_as_the_whole)
{
    toll_summarize_options o = opts_by("actor,period:month");
    o.attribution = TOLL_ATTR_SPLIT;
    o.span = TOLL_SPAN_PRORATE;
    ck_halves(&o, 1);
}
END_TEST

START_TEST(merge_should_carry_keys_present_on_one_side_only)
{
    toll_summarize_options o = opts_by("actor");
    toll_table *even = summary_of(0, &o), *odd = summary_of(1, &o);
    toll_table *m = merged(even, odd);
    /* "Coalition" (a6) only in the even part; "Coalition + Iraq" (a7)
     * only in the odd one; "Russia" in both (a4; a1, a9, a11) */
    size_t inc = toll_table_column_index(m, "incidents");
    size_t best = toll_table_column_index(m, "best");
    int seen = 0;
    for (size_t i = 0; i < toll_table_nrows(m); i++) {
        const char *actor = toll_table_string(m, 0, i);
        if (!strcmp(actor, "Coalition")) {
            ck_assert_int_eq(toll_table_int64(m, inc)[i], 1);
            ck_assert_double_eq(toll_table_double(m, best)[i], 22.5);
            seen |= 1;
        } else if (!strcmp(actor, "Coalition + Iraq")) {
            ck_assert_int_eq(toll_table_int64(m, inc)[i], 1);
            ck_assert_double_eq(toll_table_double(m, best)[i], 8);
            seen |= 2;
        } else if (!strcmp(actor, "Russia")) {
            ck_assert_int_eq(toll_table_int64(m, inc)[i], 4);
            seen |= 4;
        }
    }
    ck_assert_int_eq(seen, 7);
    toll_table_free(m);
    toll_table_free(even);
    toll_table_free(odd);
}
END_TEST

START_TEST(merge_should_refuse_interval_columns_naming_the_column)
{
    toll_summarize_options o = opts_by("actor");
    o.interval.method = TOLL_INTERVAL_INDEPENDENT;
    toll_table *even = summary_of(0, &o), *odd = summary_of(1, &o);
    toll_table *m = (toll_table *)1;
    toll_error err;
    ck_assert_int_eq(toll_table_merge(even, odd, NULL, &m, &err),
                     TOLL_EINVAL);
    ck_assert_ptr_null(m);
    ck_assert_str_eq(err.field, "q025");
    ck_assert_ptr_nonnull(strstr(err.message, "'q025'"));
    toll_table_free(even);
    toll_table_free(odd);
}
END_TEST

START_TEST(merge_should_refuse_summaries_by_different_keys)
{
    toll_summarize_options o1 = opts_by("actor,region:0");
    toll_summarize_options o2 = opts_by("actor,region:1");
    toll_table *a = summary_of(0, &o1), *b = summary_of(1, &o2);
    toll_table *m = NULL;
    toll_error err;
    ck_assert_int_eq(toll_table_merge(a, b, NULL, &m, &err), TOLL_EINVAL);
    ck_assert_ptr_null(m);
    ck_assert_str_eq(err.field, "by");
    ck_assert_ptr_nonnull(strstr(err.message, "actor,region:0"));
    ck_assert_ptr_nonnull(strstr(err.message, "actor,region:1"));
    toll_table_free(a);
    toll_table_free(b);
}
END_TEST

START_TEST(merge_should_refuse_summaries_with_different_options)
{
    toll_summarize_options o1 = opts_by("actor"), o2 = opts_by("actor");
    o2.attribution = TOLL_ATTR_SPLIT;
    toll_table *a = summary_of(0, &o1), *b = summary_of(1, &o2);
    toll_table *m = NULL;
    toll_error err;
    ck_assert_int_eq(toll_table_merge(a, b, NULL, &m, &err), TOLL_EINVAL);
    ck_assert_ptr_null(m);
    ck_assert_str_eq(err.field, "caption");
    ck_assert_ptr_nonnull(strstr(err.message, "'attribution joint'"));
    ck_assert_ptr_nonnull(strstr(err.message, "'attribution split'"));
    toll_table_free(b);
    /* a filter only one of them has */
    o2 = opts_by("actor");
    o2.date_from = "2016-10-01";
    b = summary_of(1, &o2);
    ck_assert_int_eq(toll_table_merge(a, b, NULL, &m, &err), TOLL_EINVAL);
    ck_assert_str_eq(err.field, "caption");
    ck_assert_ptr_nonnull(strstr(err.message, "dates 2016-10-01.."));
    toll_table_free(b);
    /* another category */
    o2 = opts_by("actor");
    o2.category = "injured";
    b = summary_of(1, &o2);
    ck_assert_int_eq(toll_table_merge(b, a, NULL, &m, &err), TOLL_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.message, "'injured'"));
    ck_assert_ptr_nonnull(strstr(err.message, "'killed'"));
    toll_table_free(b);
    toll_table_free(a);
}
END_TEST

START_TEST(merge_should_refuse_tables_that_are_not_summaries)
{
    toll_reports *rep = NULL;
    toll_incidents *inc = incidents_of(ALL, &rep);
    toll_table *listing = NULL, *m = NULL;
    ck_assert_int_eq(toll_incidents_table(inc, NULL, &listing, NULL),
                     TOLL_OK);
    toll_table *s = summary_of(ALL, NULL);
    toll_error err;
    ck_assert_int_eq(toll_table_merge(s, listing, NULL, &m, &err),
                     TOLL_EINVAL);
    ck_assert_ptr_null(m);
    ck_assert_str_eq(err.field, "table");
    ck_assert_ptr_nonnull(strstr(err.message, "second table"));
    ck_assert_int_eq(toll_table_merge(NULL, s, NULL, &m, &err), TOLL_EINVAL);
    ck_assert_int_eq(toll_table_merge(s, s, NULL, NULL, &err), TOLL_EINVAL);
    toll_table_free(s);
    toll_table_free(listing);
    toll_incidents_free(inc);
    toll_reports_free(rep);
}
END_TEST

START_TEST(merge_should_fail_cleanly_when_memory_runs_out)
{
    toll_summarize_options o = opts_by("actor,period:month,kind");
    toll_table *even = summary_of(0, &o), *odd = summary_of(1, &o);
    toll_table *whole = summary_of(ALL, &o);
    int done = 0;
    for (long n = 1; !done && n < 100000; n++) {
        failing_alloc f;
        failing_alloc_init(&f, n);
        toll_table *m = (toll_table *)1;
        toll_error err;
        toll_status st = toll_table_merge(even, odd, &f.a, &m, &err);
        if (st == TOLL_OK) {
            f.fail_at = 0; /* rendering (ck_same_table) allocates too */
            ck_same_table(m, whole, 0);
            toll_table_free(m);
            done = 1;
        } else {
            ck_assert_int_eq(st, TOLL_ENOMEM);
            ck_assert_int_eq(err.code, TOLL_ENOMEM);
            ck_assert_ptr_null(m);
        }
        ck_assert_int_eq(f.live, 0);
    }
    ck_assert(done);
    toll_table_free(whole);
    toll_table_free(even);
    toll_table_free(odd);
}
END_TEST

START_TEST(merge_with_an_empty_summary_should_give_the_other)
{
    toll_summarize_options o = opts_by("actor,period:month");
    toll_summarize_options none = o;
    none.date_from = "2030-01-01";
    toll_table *all = summary_of(ALL, &o);
    toll_table *empty = summary_of(ALL, &none);
    ck_assert_uint_eq(toll_table_nrows(empty), 0);
    /* the same options but for the filter: caption differs */
    toll_table *m = NULL;
    ck_assert_int_eq(toll_table_merge(all, empty, NULL, &m, NULL),
                     TOLL_EINVAL);
    toll_table *e2 = merged(empty, empty);
    ck_assert_uint_eq(toll_table_nrows(e2), 0);
    ck_same_table(e2, empty, 0);
    toll_table_free(e2);
    toll_table_free(empty);
    toll_table_free(all);
    /* a part with no incidents at all */
    toll_reports *rep = NULL;
    ck_assert_int_eq(toll_reports_new(NULL, &rep, NULL), TOLL_OK);
    toll_load_options lo;
    toll_load_options_init(&lo);
    lo.format = TOLL_FORMAT_CSV;
    ck_assert_int_eq(toll_reports_load_buffer(rep, HEADER, strlen(HEADER),
                                              "in", &lo, NULL, NULL),
                     TOLL_OK);
    toll_incidents *inc = NULL;
    ck_assert_int_eq(toll_reconcile(rep, NULL, NULL, &inc, NULL), TOLL_OK);
    toll_table *nothing = NULL;
    ck_assert_int_eq(toll_summarize(inc, &o, NULL, &nothing, NULL), TOLL_OK);
    all = summary_of(ALL, &o);
    m = merged(nothing, all);
    ck_same_table(m, all, 0);
    toll_table_free(m);
    toll_table_free(all);
    toll_table_free(nothing);
    toll_incidents_free(inc);
    toll_reports_free(rep);
}
END_TEST

START_TEST(merge_should_refuse_a_total_beyond_2_53)
{
    static const char csv0[] = "incident,source,actor,killed\n"
                               "b0,SNHR,Russia,5000000000000000\n";
    static const char csv1[] = "incident,source,actor,killed\n"
                               "b1,SNHR,Russia,5000000000000000\n";
    const char *csv[2] = {csv0, csv1};
    toll_table *t[2];
    toll_reports *rep[2];
    toll_incidents *inc[2];
    toll_summarize_options o = opts_by("actor");
    for (int s = 0; s < 2; s++) {
        toll_load_options lo;
        toll_load_options_init(&lo);
        lo.format = TOLL_FORMAT_CSV;
        ck_assert_int_eq(toll_reports_new(NULL, &rep[s], NULL), TOLL_OK);
        ck_assert_int_eq(toll_reports_load_buffer(rep[s], csv[s],
                                                  strlen(csv[s]), "in", &lo,
                                                  NULL, NULL),
                         TOLL_OK);
        ck_assert_int_eq(toll_reconcile(rep[s], NULL, NULL, &inc[s], NULL),
                         TOLL_OK);
        ck_assert_int_eq(toll_summarize(inc[s], &o, NULL, &t[s], NULL),
                         TOLL_OK);
    }
    toll_table *m = NULL;
    toll_error err;
    ck_assert_int_eq(toll_table_merge(t[0], t[1], NULL, &m, &err),
                     TOLL_ERANGE);
    ck_assert_ptr_null(m);
    ck_assert_str_eq(err.field, "low");
    ck_assert_ptr_nonnull(strstr(err.message, "actor=Russia"));
    for (int s = 0; s < 2; s++) {
        toll_table_free(t[s]);
        toll_incidents_free(inc[s]);
        toll_reports_free(rep[s]);
    }
}
END_TEST

START_TEST(merge_should_take_a_merged_summary_and_not_see_overlaps)
{
    /* a merged summary merges again; the whole overlaps the halves, and
     * nothing tells: every incident is counted twice (docs/scaling.md) */
    toll_summarize_options o = opts_by("region:0,actor");
    toll_table *even = summary_of(0, &o), *odd = summary_of(1, &o);
    toll_table *whole = summary_of(ALL, &o);
    toll_table *m = merged(even, odd);
    toll_table *doubled = merged(m, whole);
    size_t inc = toll_table_column_index(whole, "incidents");
    ck_assert_uint_eq(toll_table_nrows(doubled), toll_table_nrows(whole));
    for (size_t i = 0; i < toll_table_nrows(whole); i++)
        ck_assert_int_eq(toll_table_int64(doubled, inc)[i],
                         2 * toll_table_int64(whole, inc)[i]);
    toll_table_free(doubled);
    toll_table_free(m);
    toll_table_free(whole);
    toll_table_free(even);
    toll_table_free(odd);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("table_merge");
    TCase *tc = tcase_create("merge");
    tcase_add_test(tc, merge_of_two_halves_should_equal_the_whole);
    tcase_add_test(tc, merge_without_keys_should_add_the_one_row);
    tcase_add_test(tc, merge_should_keep_attribution_each_non_additive);
    tcase_add_test(tc,
                   merge_of_split_and_prorated_halves_should_render_as_the_whole);
    tcase_add_test(tc, merge_should_carry_keys_present_on_one_side_only);
    tcase_add_test(tc, merge_should_refuse_interval_columns_naming_the_column);
    tcase_add_test(tc, merge_should_refuse_summaries_by_different_keys);
    tcase_add_test(tc, merge_should_refuse_summaries_with_different_options);
    tcase_add_test(tc, merge_should_refuse_tables_that_are_not_summaries);
    tcase_add_test(tc, merge_should_fail_cleanly_when_memory_runs_out);
    tcase_add_test(tc, merge_with_an_empty_summary_should_give_the_other);
    tcase_add_test(tc, merge_should_refuse_a_total_beyond_2_53);
    tcase_add_test(tc, merge_should_take_a_merged_summary_and_not_see_overlaps);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return toll_test_run(suite()); }
