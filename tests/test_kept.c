/* tests/test_kept.c - kept fields in toll_summarize: grouping on them
 * (by), filtering on them (where) and on grades from the data
 * (min_data_grade). */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* UCDP-like reports: kept fields tv (type of violence), dyad, active. */
static const char *const EVENTS =
    "{\"incident\":\"e1\",\"source\":\"G\",\"date\":\"2019-01-05\","
    "\"killed\":{\"low\":1,\"best\":2,\"high\":3},\"tv\":\"1\","
    "\"dyad\":\"428\",\"active\":\"TRUE\"}\n"
    "{\"incident\":\"e2\",\"source\":\"G\",\"date\":\"2019-06-05\","
    "\"killed\":4,\"tv\":\"1\",\"dyad\":\"11018\",\"active\":\"TRUE\"}\n"
    "{\"incident\":\"e3\",\"source\":\"G\",\"date\":\"2020-01-05\","
    "\"killed\":5,\"tv\":\"3\",\"dyad\":\"428\",\"active\":\"FALSE\"}\n"
    "{\"incident\":\"e4\",\"source\":\"G\",\"date\":\"2020-02-05\","
    "\"killed\":6,\"tv\":\"1\",\"dyad\":\"428\",\"active\":\"true\"}\n"
    "{\"incident\":\"e5\",\"source\":\"G\",\"date\":\"2020-03-05\","
    "\"killed\":7}\n";

/* Airwars-like incidents with a data_grade. */
static const char *const GRADED =
    "{\"incident\":\"a\",\"source\":\"Airwars\",\"killed\":\"1-2\","
    "\"data_grade\":\"Fair\",\"actor\":[\"R\"]}\n"
    "{\"incident\":\"b\",\"source\":\"Airwars\",\"killed\":3,"
    "\"data_grade\":\"Confirmed\",\"actor\":[\"T\"]}\n"
    "{\"incident\":\"c\",\"source\":\"Airwars\",\"killed\":4,"
    "\"data_grade\":\"Contested\",\"actor\":[\"R\",\"T\"]}\n"
    "{\"incident\":\"d\",\"source\":\"Airwars\",\"killed\":5,"
    "\"data_grade\":\"Weak\",\"actor\":[\"R\"]}\n"
    "{\"incident\":\"e\",\"source\":\"Airwars\",\"killed\":6,"
    "\"data_grade\":\"discounted\",\"actor\":[\"T\"]}\n"
    "{\"incident\":\"f\",\"source\":\"Airwars\",\"killed\":7,"
    "\"actor\":[\"T\"]}\n";

typedef struct fixture {
    toll_reports *r;
    toll_incidents *inc;
} fixture;

static fixture load(const char *jsonl)
{
    fixture f = {NULL, NULL};
    toll_error err;
    ck_assert_int_eq(toll_reports_new(NULL, &f.r, NULL), TOLL_OK);
    toll_load_options o;
    toll_load_options_init(&o);
    o.format = TOLL_FORMAT_JSONL;
    ck_assert_msg(toll_reports_load_buffer(f.r, jsonl, strlen(jsonl), "r.jsonl",
                                           &o, NULL, &err) == TOLL_OK,
                  "%s", err.message);
    ck_assert_int_eq(toll_reconcile(f.r, NULL, NULL, &f.inc, &err), TOLL_OK);
    return f;
}

static void fixture_free(fixture *f)
{
    toll_incidents_free(f->inc);
    toll_reports_free(f->r);
}

/* The summary as CSV (caller frees with free()), or NULL with *st set. */
static char *summary(const fixture *f, const toll_summarize_options *o,
                     toll_status *st, toll_error *err)
{
    toll_table *t = NULL;
    *st = toll_summarize(f->inc, o, NULL, &t, err);
    if (*st)
        return NULL;
    char *buf = NULL;
    size_t len = 0;
    ck_assert_int_eq(toll_table_render_string(t, TOLL_RENDER_CSV, 0, &buf,
                                              &len, err),
                     TOLL_OK);
    char *copy = malloc(len + 1);
    ck_assert_ptr_nonnull(copy);
    memcpy(copy, buf, len + 1);
    toll_table_buffer_free(t, buf);
    toll_table_free(t);
    return copy;
}

static void assert_summary(const fixture *f, const toll_summarize_options *o,
                           const char *want)
{
    toll_status st;
    toll_error err;
    char *got = summary(f, o, &st, &err);
    ck_assert_msg(st == TOLL_OK, "%s", err.message);
    ck_assert_str_eq(got, want);
    free(got);
}

static void assert_option_error(const fixture *f,
                                const toll_summarize_options *o,
                                const char *field, const char *want)
{
    toll_status st;
    toll_error err;
    char *got = summary(f, o, &st, &err);
    ck_assert_ptr_null(got);
    ck_assert_int_eq(st, TOLL_EINVAL);
    ck_assert_str_eq(err.field, field);
    ck_assert_msg(strstr(err.message, want) != NULL,
                  "message \"%s\" lacks \"%s\"", err.message, want);
}

#define HEAD "incidents,reports,low,best,high,open,denied,contested\n"

START_TEST(by_should_group_on_a_kept_field_named_after_it)
{
    fixture f = load(EVENTS);
    toll_summarize_options o;
    toll_summarize_options_init(&o);
    o.by = "dyad,period:year";
    /* numbers sort as numbers (428 before 11018); no value sorts last */
    assert_summary(&f, &o,
                   "dyad,period," HEAD "428,2019,1,1,1,2,3,0,0,0\n"
                   "428,2020,2,2,11,11,11,0,0,0\n"
                   "11018,2019,1,1,4,4,4,0,0,0\n"
                   ",2020,1,1,7,7,7,0,0,0\n");
    o.by = "tv";
    assert_summary(&f, &o,
                   "tv," HEAD "1,3,3,11,12,13,0,0,0\n"
                   "3,1,1,5,5,5,0,0,0\n"
                   ",1,1,7,7,7,0,0,0\n");
    o.by = "tv, dyad";
    assert_summary(&f, &o,
                   "tv,dyad," HEAD "1,428,2,2,7,8,9,0,0,0\n"
                   "1,11018,1,1,4,4,4,0,0,0\n"
                   "3,428,1,1,5,5,5,0,0,0\n"
                   ",,1,1,7,7,7,0,0,0\n");
    fixture_free(&f);
}
END_TEST

/* GED-like reports whose continent column is a kept field named
 * `region`, like toll's region (the map keep:region=continent), and a kept
 * field named `source`, like the report's source. */
static fixture load_named_as_keys(void)
{
    static const char *const rows =
        "{\"incident\":\"e1\",\"source\":\"G\",\"date\":\"2019-01-05\","
        "\"place\":\"Syria/Aleppo\",\"continent\":\"Middle East\","
        "\"src\":\"AFP\",\"killed\":2}\n"
        "{\"incident\":\"e2\",\"source\":\"G\",\"date\":\"2019-06-05\","
        "\"place\":\"Myanmar\",\"continent\":\"Asia\",\"killed\":4}\n"
        "{\"incident\":\"e3\",\"source\":\"G\",\"date\":\"2020-01-05\","
        "\"place\":\"Syria/Idlib\",\"continent\":\"Middle East\","
        "\"killed\":5}\n";
    fixture f = {NULL, NULL};
    toll_error err;
    toll_colmap *map = NULL;
    ck_assert_int_eq(toll_colmap_new(NULL, &map, NULL), TOLL_OK);
    ck_assert_msg(toll_colmap_parse(map, "region=place,keep:region=continent,"
                                         "keep:source=src",
                                    &err) == TOLL_OK,
                  "%s", err.message);
    ck_assert_int_eq(toll_reports_new(NULL, &f.r, NULL), TOLL_OK);
    toll_load_options o;
    toll_load_options_init(&o);
    o.format = TOLL_FORMAT_JSONL;
    o.colmap = map;
    ck_assert_msg(toll_reports_load_buffer(f.r, rows, strlen(rows), "r.jsonl",
                                           &o, NULL, &err) == TOLL_OK,
                  "%s", err.message);
    toll_colmap_free(map);
    ck_assert_int_eq(toll_reconcile(f.r, NULL, NULL, &f.inc, &err), TOLL_OK);
    return f;
}

START_TEST(keep_prefix_should_group_on_a_kept_field_named_as_a_key)
{
    fixture f = load_named_as_keys();
    toll_summarize_options o;
    toll_summarize_options_init(&o);
    o.by = "region:0";
    assert_summary(&f, &o,
                   "region," HEAD "Myanmar,1,1,4,4,4,0,0,0\n"
                   "Syria,2,2,7,7,7,0,0,0\n");
    /* the key column is keep:region, so that `by` reads back */
    o.by = "KEEP:region,region:0";
    assert_summary(&f, &o,
                   "keep:region,region," HEAD
                   "Asia,Myanmar,1,1,4,4,4,0,0,0\n"
                   "Middle East,Syria,2,2,7,7,7,0,0,0\n");
    o.by = "source";
    assert_summary(&f, &o,
                   "source," HEAD "AFP,1,1,2,2,2,0,0,0\n"
                   ",2,2,9,9,9,0,0,0\n");
    fixture_free(&f);
}
END_TEST

START_TEST(keep_prefix_should_filter_on_a_kept_field_named_as_a_key)
{
    fixture f = load_named_as_keys();
    toll_summarize_options o;
    toll_summarize_options_init(&o);
    o.by = "region:0";
    const char *where[] = {"keep:region=asia"};
    o.where = where;
    o.n_where = 1;
    assert_summary(&f, &o, "region," HEAD "Myanmar,1,1,4,4,4,0,0,0\n");
    const char *plain[] = {"region=Middle East"}; /* where: kept fields */
    o.where = plain;
    assert_summary(&f, &o, "region," HEAD "Syria,2,2,7,7,7,0,0,0\n");
    fixture_free(&f);
}
END_TEST

START_TEST(keep_prefix_keys_should_survive_a_table_merge)
{
    fixture f = load_named_as_keys();
    toll_summarize_options o;
    toll_summarize_options_init(&o);
    o.by = "keep:region";
    toll_table *a = NULL, *m = NULL;
    toll_error err;
    ck_assert_int_eq(toll_summarize(f.inc, &o, NULL, &a, &err), TOLL_OK);
    ck_assert_str_eq(toll_table_column_name(a, 0), "keep:region");
    /* (the same incidents twice: the merge reads the keys back from the
     * tables' `by`, which is what is tested here) */
    toll_table *b = NULL;
    ck_assert_int_eq(toll_summarize(f.inc, &o, NULL, &b, &err), TOLL_OK);
    ck_assert_msg(toll_table_merge(a, b, NULL, &m, &err) == TOLL_OK, "%s",
                  err.message);
    ck_assert_uint_eq(toll_table_nrows(m), 2);
    ck_assert_str_eq(toll_table_column_name(m, 0), "keep:region");
    toll_table_free(a);
    toll_table_free(b);
    toll_table_free(m);
    fixture_free(&f);
}
END_TEST

START_TEST(reports_table_should_name_kept_fields_named_as_columns_keep)
{
    fixture f = load_named_as_keys();
    toll_table *t = NULL;
    toll_error err;
    ck_assert_int_eq(toll_reports_table(f.r, NULL, &t, &err), TOLL_OK);
    size_t nregion = 0, nsource = 0;
    for (size_t j = 0; j < toll_table_ncols(t); j++) {
        nregion += strcmp(toll_table_column_name(t, j), "region") == 0;
        nsource += strcmp(toll_table_column_name(t, j), "source") == 0;
    }
    ck_assert_uint_eq(nregion, 1);
    ck_assert_uint_eq(nsource, 1);
    ck_assert_uint_ne(toll_table_column_index(t, "keep:region"), TOLL_NPOS);
    ck_assert_uint_ne(toll_table_column_index(t, "keep:source"), TOLL_NPOS);
    toll_table_free(t);
    fixture_free(&f);
}
END_TEST

START_TEST(where_should_and_fields_and_or_values)
{
    fixture f = load(EVENTS);
    toll_summarize_options o;
    toll_summarize_options_init(&o);
    o.by = "dyad";
    const char *w1[] = {"tv=1"};
    o.where = w1;
    o.n_where = 1;
    assert_summary(&f, &o,
                   "dyad," HEAD "428,2,2,7,8,9,0,0,0\n"
                   "11018,1,1,4,4,4,0,0,0\n");
    /* AND across fields; values case-insensitive (TRUE, true) */
    const char *w2[] = {"tv=1", " active = TRUE ", "dyad=428"};
    o.where = w2;
    o.n_where = 3;
    assert_summary(&f, &o, "dyad," HEAD "428,2,2,7,8,9,0,0,0\n");
    /* OR within a field */
    const char *w3[] = {"tv=3", "tv=1", "dyad=428"};
    o.where = w3;
    o.n_where = 3;
    assert_summary(&f, &o, "dyad," HEAD "428,3,3,12,13,14,0,0,0\n");
    /* FIELD= keeps incidents without the field; a value nobody has: none */
    const char *w4[] = {"tv="};
    o.where = w4;
    o.n_where = 1;
    assert_summary(&f, &o, "dyad," HEAD ",1,1,7,7,7,0,0,0\n");
    const char *w5[] = {"tv=2"};
    o.where = w5;
    assert_summary(&f, &o, "dyad," HEAD);
    fixture_free(&f);
}
END_TEST

START_TEST(where_should_show_in_the_caption)
{
    fixture f = load(EVENTS);
    toll_summarize_options o;
    toll_summarize_options_init(&o);
    const char *w[] = {"tv=1", "tv=3", "dyad=428"};
    o.where = w;
    o.n_where = 3;
    toll_table *t = NULL;
    ck_assert_int_eq(toll_summarize(f.inc, &o, NULL, &t, NULL), TOLL_OK);
    ck_assert_ptr_nonnull(
        strstr(toll_table_caption(t), "; where tv=1|3, dyad=428"));
    toll_table_free(t);
    fixture_free(&f);
}
END_TEST

START_TEST(unknown_kept_fields_should_be_option_errors_listing_the_fields)
{
    fixture f = load(EVENTS);
    toll_summarize_options o;
    toll_summarize_options_init(&o);
    o.by = "dyads";
    assert_option_error(&f, &o, "by",
                        "unknown group key 'dyads' (expected actor, region, "
                        "region:K, period:day|week|month|quarter|year, "
                        "category, grade), nor a kept field of the reports "
                        "(kept fields: tv, dyad, active)");
    o.by = "dyad,dyad";
    assert_option_error(&f, &o, "by", "group key 'dyad' given twice");
    o.by = "a,b,c,d,e,f,g,h,i";
    assert_option_error(&f, &o, "by", "too many group keys");
    o.by = "foo:bar";
    assert_option_error(&f, &o, "by", "unknown group key 'foo:bar'");
    o.by = NULL;
    const char *w1[] = {"violence=1"};
    o.where = w1;
    o.n_where = 1;
    assert_option_error(&f, &o, "where",
                        "where: no report keeps a field 'violence' (kept "
                        "fields: tv, dyad, active)");
    const char *w2[] = {"tv"};
    o.where = w2;
    assert_option_error(&f, &o, "where", "expected FIELD=VALUE");
    const char *w3[] = {NULL};
    o.where = w3;
    assert_option_error(&f, &o, "where", "where item 0 is NULL");
    o.where = NULL;
    assert_option_error(&f, &o, "where", "n_where is 1 but where is NULL");
    o.n_where = 0;
    o.min_data_grade = "fair";
    assert_option_error(&f, &o, "min_data_grade",
                        "no report keeps a field 'data_grade'");
    fixture_free(&f);
}
END_TEST

START_TEST(data_grades_should_sort_strongest_first_and_filter)
{
    fixture f = load(GRADED);
    toll_summarize_options o;
    toll_summarize_options_init(&o);
    o.by = "data_grade";
    assert_summary(&f, &o,
                   "data_grade," HEAD "Confirmed,1,1,3,3,3,0,0,0\n"
                   "Fair,1,1,1,1.5,2,0,0,0\n"
                   "Weak,1,1,5,5,5,0,0,0\n"
                   "Contested,1,1,4,4,4,0,0,0\n"
                   "discounted,1,1,6,6,6,0,0,0\n"
                   ",1,1,7,7,7,0,0,0\n");
    o.by = "actor";
    o.min_data_grade = "FAIR";
    assert_summary(&f, &o, "actor," HEAD "R,1,1,1,1.5,2,0,0,0\n"
                                         "T,1,1,3,3,3,0,0,0\n");
    o.min_data_grade = "contested";
    o.attribution = TOLL_ATTR_SPLIT;
    assert_summary(&f, &o, "actor," HEAD "R,3,3,8,8.5,9,0,0,0\n"
                                         "T,2,2,5,5,5,0,0,0\n");
    toll_table *t = NULL;
    ck_assert_int_eq(toll_summarize(f.inc, &o, NULL, &t, NULL), TOLL_OK);
    ck_assert_ptr_nonnull(
        strstr(toll_table_caption(t), "; data grade >= contested"));
    toll_table_free(t);
    o.min_data_grade = "good";
    assert_option_error(&f, &o, "min_data_grade",
                        "unknown data grade 'good' (expected confirmed, "
                        "fair, weak, contested or discounted)");
    /* where on data_grade: the same as listing the grades */
    o.min_data_grade = NULL;
    o.attribution = TOLL_ATTR_JOINT;
    o.by = "";
    const char *w[] = {"data_grade=fair", "data_grade=confirmed"};
    o.where = w;
    o.n_where = 2;
    assert_summary(&f, &o, HEAD "2,2,4,4.5,5,0,0,0\n");
    fixture_free(&f);
}
END_TEST

START_TEST(an_incident_should_take_the_value_of_its_first_report)
{
    fixture f = load(
        "{\"incident\":\"x\",\"source\":\"A\",\"killed\":1}\n"
        "{\"incident\":\"x\",\"source\":\"B\",\"killed\":3,\"k\":\"one\"}\n"
        "{\"incident\":\"x\",\"source\":\"C\",\"killed\":2,\"k\":\"two\"}\n"
        "{\"incident\":\"y\",\"source\":\"A\",\"killed\":5,\"k\":\"two\"}\n");
    toll_summarize_options o;
    toll_summarize_options_init(&o);
    o.by = "k";
    assert_summary(&f, &o, "k," HEAD "one,1,3,1,2,3,0,0,0\n"
                                     "two,1,1,5,5,5,0,0,0\n");
    fixture_free(&f);
}
END_TEST

START_TEST(toll_repairs_should_not_be_kept_fields)
{
    toll_reports *r = NULL;
    toll_incidents *inc = NULL;
    toll_error err;
    ck_assert_int_eq(toll_reports_new(NULL, &r, NULL), TOLL_OK);
    toll_load_options o;
    toll_load_options_init(&o);
    o.repair = TOLL_REPAIR_ON;
    const char *text = "{\"source\":\"S\",\"killed\":{\"low\":5,\"high\":2}}\n";
    ck_assert_int_eq(toll_reports_load_buffer(r, text, strlen(text), "r.jsonl",
                                              &o, NULL, &err),
                     TOLL_OK);
    ck_assert_uint_eq(toll_reports_repair_count(r), 1);
    ck_assert_int_eq(toll_reconcile(r, NULL, NULL, &inc, &err), TOLL_OK);
    toll_summarize_options so;
    toll_summarize_options_init(&so);
    const char *w[] = {"toll:repair=x"};
    so.where = w;
    so.n_where = 1;
    toll_table *t = NULL;
    ck_assert_int_eq(toll_summarize(inc, &so, NULL, &t, &err), TOLL_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.message, "(kept fields: none)"));
    toll_incidents_free(inc);
    toll_reports_free(r);
}
END_TEST

START_TEST(kept_field_summaries_out_of_memory_should_fail_cleanly)
{
    int succeeded = 0;
    for (long k = 1; k < 5000 && !succeeded; k++) {
        failing_alloc fa;
        failing_alloc_init(&fa, 0);
        toll_reports *r = NULL;
        toll_incidents *inc = NULL;
        toll_table *t = NULL;
        toll_error err;
        ck_assert_int_eq(toll_reports_new(&fa.a, &r, NULL), TOLL_OK);
        ck_assert_int_eq(toll_reports_load_buffer(r, EVENTS, strlen(EVENTS),
                                                  "r.jsonl", NULL, NULL, &err),
                         TOLL_OK);
        ck_assert_int_eq(toll_reconcile(r, NULL, NULL, &inc, &err), TOLL_OK);
        fa.fail_at = fa.count + k;
        toll_summarize_options o;
        toll_summarize_options_init(&o);
        o.by = "dyad,tv";
        const char *w[] = {"active=true", "tv=1"};
        o.where = w;
        o.n_where = 2;
        toll_status st = toll_summarize(inc, &o, NULL, &t, &err);
        if (st == TOLL_OK) {
            succeeded = 1;
            ck_assert_uint_eq(toll_table_nrows(t), 2);
        } else {
            ck_assert_msg(st == TOLL_ENOMEM, "k=%ld: %s", k, err.message);
        }
        toll_table_free(t);
        toll_incidents_free(inc);
        toll_reports_free(r);
        ck_assert_int_eq(fa.live, 0);
    }
    ck_assert(succeeded);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("kept");
    TCase *tc = tcase_create("kept");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, by_should_group_on_a_kept_field_named_after_it);
    tcase_add_test(tc, keep_prefix_should_group_on_a_kept_field_named_as_a_key);
    tcase_add_test(tc, keep_prefix_should_filter_on_a_kept_field_named_as_a_key);
    tcase_add_test(tc, keep_prefix_keys_should_survive_a_table_merge);
    tcase_add_test(tc, reports_table_should_name_kept_fields_named_as_columns_keep);
    tcase_add_test(tc, where_should_and_fields_and_or_values);
    tcase_add_test(tc, where_should_show_in_the_caption);
    tcase_add_test(tc,
                   unknown_kept_fields_should_be_option_errors_listing_the_fields);
    tcase_add_test(tc, data_grades_should_sort_strongest_first_and_filter);
    tcase_add_test(tc, an_incident_should_take_the_value_of_its_first_report);
    tcase_add_test(tc, toll_repairs_should_not_be_kept_fields);
    tcase_add_test(tc, kept_field_summaries_out_of_memory_should_fail_cleanly);
    suite_add_tcase(s, tc);
    return toll_test_run(s);
}
