/* tests/test_records.c - toll_reports_load_records: records given as
 * values load as the same records in a JSON array do. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#define STR(k, v) {k, sizeof k - 1, {TOLL_VALUE_STRING, 0, v, sizeof v - 1, NULL, NULL, 0}}
#define NUM(k, v) {k, sizeof k - 1, {TOLL_VALUE_NUMBER, 0, v, sizeof v - 1, NULL, NULL, 0}}
#define JSN(k, v) {k, sizeof k - 1, {TOLL_VALUE_JSON, 0, v, sizeof v - 1, NULL, NULL, 0}}
#define NUL_(k) {k, sizeof k - 1, {TOLL_VALUE_NULL, 0, NULL, 0, NULL, NULL, 0}}
#define BOOL_(k, b) {k, sizeof k - 1, {TOLL_VALUE_BOOL, b, NULL, 0, NULL, NULL, 0}}
#define LIST(k, items, lens, n) {k, sizeof k - 1, {TOLL_VALUE_LIST, 0, NULL, 0, items, lens, n}}

static const char *const ACTORS[] = {"Syria", "Russia"};
static const size_t ACTOR_LENS[] = {5, 6};
static const char *const LEVELS[] = {"Syria", "Idlib", "Saraqib"};
static const size_t LEVEL_LENS[] = {5, 5, 7};

static const toll_member R0[] = {
    STR("incident", "e1"), STR("source", "SNHR"),
    STR("source_kind", "monitor"), STR("date", "2016-09-25"),
    LIST("actor", ACTORS, ACTOR_LENS, 2), LIST("region", LEVELS, LEVEL_LENS, 3),
    NUM("killed", "92"), STR("injured", "dozens"), NUM("tv", "1")};
static const toll_member R1[] = {
    STR("incident", "e1"), STR("source", "AFP"), NUL_("date"),
    JSN("killed", "{\"low\": 80, \"high\": 95}"), BOOL_("verified", 1),
    STR("note", "<b>\"q\"</b>")};
static const toll_member R2[] = {
    STR("source", "UN"), STR("date_start", "2016-10-01"),
    STR("date_end", "2016-10-03"), STR("killed", "at least 5"),
    LIST("actor", ACTORS, ACTOR_LENS, 0), BOOL_("verified", 0)};
static const toll_record RECS[] = {{R0, 9}, {R1, 6}, {R2, 6}};

/* The same records as a JSON array, one record per line. */
static const char *const RECS_JSON =
    "[{\"incident\":\"e1\",\"source\":\"SNHR\",\"source_kind\":\"monitor\","
    "\"date\":\"2016-09-25\",\"actor\":[\"Syria\",\"Russia\"],"
    "\"region\":[\"Syria\",\"Idlib\",\"Saraqib\"],\"killed\":92,"
    "\"injured\":\"dozens\",\"tv\":1},\n"
    "{\"incident\":\"e1\",\"source\":\"AFP\",\"date\":null,"
    "\"killed\":{\"low\": 80, \"high\": 95},\"verified\":true,"
    "\"note\":\"<b>\\\"q\\\"</b>\"},\n"
    "{\"source\":\"UN\",\"date_start\":\"2016-10-01\","
    "\"date_end\":\"2016-10-03\",\"killed\":\"at least 5\",\"actor\":[],"
    "\"verified\":false}]\n";

static char *table_csv(const toll_reports *r)
{
    toll_table *t = NULL;
    ck_assert_int_eq(toll_reports_table(r, NULL, &t, NULL), TOLL_OK);
    char *buf = NULL;
    size_t len = 0;
    ck_assert_int_eq(toll_table_render_string(t, TOLL_RENDER_CSV, 0, &buf,
                                              &len, NULL),
                     TOLL_OK);
    char *copy = malloc(len + 1);
    ck_assert_ptr_nonnull(copy);
    memcpy(copy, buf, len + 1);
    toll_table_buffer_free(t, buf);
    toll_table_free(t);
    return copy;
}

static toll_reports *load_records(const toll_record *recs, size_t n,
                                  const toll_load_options *o)
{
    toll_reports *r = NULL;
    toll_error err;
    ck_assert_int_eq(toll_reports_new(NULL, &r, NULL), TOLL_OK);
    size_t got = 0;
    ck_assert_msg(toll_reports_load_records(r, recs, n, NULL, o, &got,
                                            &err) == TOLL_OK,
                  "%s", err.message);
    ck_assert_uint_eq(got, toll_reports_count(r));
    return r;
}

START_TEST(records_should_load_as_the_same_json_array)
{
    toll_reports *a = load_records(RECS, 3, NULL);
    toll_reports *b = NULL;
    toll_error err;
    ck_assert_int_eq(toll_reports_new(NULL, &b, NULL), TOLL_OK);
    ck_assert_msg(toll_reports_load_buffer(b, RECS_JSON, strlen(RECS_JSON),
                                           "<records>", NULL, NULL,
                                           &err) == TOLL_OK,
                  "%s", err.message);
    ck_assert_uint_eq(toll_reports_count(a), 3);
    char *ta = table_csv(a), *tb = table_csv(b);
    ck_assert_str_eq(ta, tb);
    ck_assert_ptr_nonnull(strstr(ta, "<records>:2,e1,AFP"));
    free(ta);
    free(tb);
    toll_reports_free(a);
    toll_reports_free(b);
}
END_TEST

START_TEST(records_should_use_the_column_map_and_keep_other_fields)
{
    static const toll_member m[] = {STR("who", "AFP"), NUM("dead", "7"),
                                    STR("dyad", "955")};
    static const toll_record rec[] = {{m, 3}};
    toll_colmap *map = NULL;
    ck_assert_int_eq(toll_colmap_new(NULL, &map, NULL), TOLL_OK);
    ck_assert_int_eq(toll_colmap_parse(map, "source=who,killed=dead", NULL),
                     TOLL_OK);
    toll_load_options o;
    toll_load_options_init(&o);
    o.colmap = map;
    toll_reports *r = load_records(rec, 1, &o);
    char *t = table_csv(r);
    ck_assert_ptr_nonnull(strstr(t, "dyad"));
    ck_assert_ptr_nonnull(strstr(t, "<records>:1,,AFP,other,,,,,,,,,,,,,7,7,7,955"));
    free(t);
    toll_reports_free(r);
    toll_colmap_free(map);
}
END_TEST

START_TEST(strict_records_should_fail_naming_record_and_field)
{
    static const toll_member bad[] = {STR("source", "b"),
                                      STR("killed", "at leest 5")};
    toll_record recs[] = {RECS[0], {bad, 2}};
    toll_reports *r = load_records(RECS, 1, NULL);
    toll_error err;
    size_t got = 9;
    ck_assert_int_eq(toll_reports_load_records(r, recs, 2, NULL, NULL, &got,
                                               &err),
                     TOLL_EPARSE);
    ck_assert_uint_eq(got, 0);
    ck_assert_uint_eq(toll_reports_count(r), 1);
    ck_assert_int_eq(err.record, 1);
    ck_assert_int_eq(err.line, 2);
    ck_assert_str_eq(err.file, "<records>");
    ck_assert_str_eq(err.field, "killed");
    ck_assert_str_eq(err.text, "at leest 5");
    toll_reports_free(r);
}
END_TEST

START_TEST(lenient_records_should_list_the_rejected_record_numbers)
{
    static const toll_member nosrc[] = {NUM("killed", "3")};
    static const toll_member badnum[] = {STR("source", "x"),
                                         NUM("killed", "1x")};
    toll_record recs[] = {{nosrc, 1}, RECS[0], {badnum, 2}, RECS[2]};
    toll_load_options o;
    toll_load_options_init(&o);
    o.lenient = 1;
    toll_reports *r = load_records(recs, 4, &o);
    ck_assert_uint_eq(toll_reports_count(r), 2);
    ck_assert_uint_eq(toll_reports_reject_count(r), 2);
    const toll_error *e0 = toll_reports_reject(r, 0);
    const toll_error *e1 = toll_reports_reject(r, 1);
    ck_assert_int_eq(e0->record, 0);
    ck_assert_int_eq(e0->code, TOLL_EREPORT);
    ck_assert_ptr_nonnull(strstr(e0->message, "source"));
    ck_assert_int_eq(e1->record, 2);
    ck_assert_str_eq(e1->field, "killed");
    ck_assert_str_eq(e1->text, "1x");
    toll_reports_free(r);
}
END_TEST

START_TEST(bad_texts_should_reject_the_record_naming_them)
{
    static const toll_member utf8[] = {STR("source", "a\xff")};
    static const toll_member dup[] = {STR("source", "a"), STR("source", "b")};
    static const toll_member json[] = {STR("source", "a"),
                                       JSN("killed", "{\"low\": 1")};
    static const toll_member sneaky[] = {STR("source", "a"),
                                         JSN("killed", "1],[2")};
    const toll_record cases[][1] = {{{utf8, 1}}, {{dup, 2}}, {{json, 2}},
                                    {{sneaky, 2}}};
    const char *const needles[] = {"invalid UTF-8 in \"a\\xFF\"",
                                   "key 'source' appears twice",
                                   "invalid JSON in a value",
                                   "invalid JSON in a value"};
    for (size_t c = 0; c < 4; c++) {
        toll_reports *r = NULL;
        ck_assert_int_eq(toll_reports_new(NULL, &r, NULL), TOLL_OK);
        toll_error err;
        toll_error_clear(&err);
        ck_assert_int_ne(toll_reports_load_records(r, cases[c], 1, "recs",
                                                   NULL, NULL, &err),
                         TOLL_OK);
        ck_assert_msg(strstr(err.message, needles[c]) != NULL,
                      "case %zu: '%s' lacks '%s'", c, err.message,
                      needles[c]);
        ck_assert_str_eq(err.file, "recs");
        ck_assert_uint_eq(toll_reports_count(r), 0);
        toll_reports_free(r);
    }
}
END_TEST

START_TEST(records_should_survive_every_allocation_failure)
{
    for (long k = 1; k < 2000; k++) {
        failing_alloc fa;
        failing_alloc_init(&fa, k);
        toll_reports *r = NULL;
        toll_status st = toll_reports_new(&fa.a, &r, NULL);
        if (st == TOLL_OK) {
            toll_error err;
            st = toll_reports_load_records(r, RECS, 3, NULL, NULL, NULL,
                                           &err);
            ck_assert(st == TOLL_OK || st == TOLL_ENOMEM);
            if (st == TOLL_ENOMEM)
                ck_assert_uint_eq(toll_reports_count(r), 0);
            toll_reports_free(r);
        }
        ck_assert_int_eq(fa.live, 0);
        if (st == TOLL_OK)
            break;
    }
}
END_TEST

START_TEST(records_should_apply_the_date_window_and_names_in_any_case)
{
    static const toll_member A[] = {STR("Source", "a"), STR("Killed", "3"),
                                    STR("date", "8306-01-01")};
    static const toll_member B[] = {STR("source", "b"), STR("killed", "1"),
                                    STR("KILLED", "2")};
    static const toll_record RS[] = {{A, 3}, {B, 3}};
    toll_reports *r = NULL;
    toll_error err;
    size_t n = 0;
    ck_assert_int_eq(toll_reports_new(NULL, &r, NULL), TOLL_OK);
    ck_assert_int_eq(toll_reports_load_records(r, RS, 1, NULL, NULL, &n, &err),
                     TOLL_EREPORT);
    ck_assert_str_eq(err.field, "date");
    ck_assert_int_eq(err.line, 1);
    toll_load_options o;
    toll_load_options_init(&o);
    o.lenient = 1;
    o.date_window_to = 9000;
    ck_assert_int_eq(toll_reports_load_records(r, RS, 2, NULL, &o, &n, &err),
                     TOLL_OK);
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_eq(toll_reports_category_count(r), 1);
    ck_assert_str_eq(toll_reports_category(r, 0), "killed");
    ck_assert_uint_eq(toll_reports_reject_count(r), 1);
    ck_assert_ptr_nonnull(strstr(toll_reports_reject(r, 0)->message,
                                 "'killed' and 'KILLED' both name"));
    toll_reports_free(r);
}
END_TEST

static Suite *records_suite(void)
{
    Suite *s = suite_create("records");
    TCase *tc = tcase_create("load");
    tcase_add_test(tc, records_should_load_as_the_same_json_array);
    tcase_add_test(tc, records_should_use_the_column_map_and_keep_other_fields);
    tcase_add_test(tc, strict_records_should_fail_naming_record_and_field);
    tcase_add_test(tc, lenient_records_should_list_the_rejected_record_numbers);
    tcase_add_test(tc, bad_texts_should_reject_the_record_naming_them);
    tcase_add_test(tc, records_should_survive_every_allocation_failure);
    tcase_add_test(tc, records_should_apply_the_date_window_and_names_in_any_case);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return toll_test_run(records_suite()); }
