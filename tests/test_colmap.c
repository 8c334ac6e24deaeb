/* tests/test_colmap.c - column map specs and JSON maps. */
#define _POSIX_C_SOURCE 200809L
#include "testutil.h"

#include "io/io.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static toll_colmap *new_map(void)
{
    toll_colmap *m = NULL;
    ck_assert_int_eq(toll_colmap_new(NULL, &m, NULL), TOLL_OK);
    return m;
}

static const toll__cmentry *find(const toll_colmap *m, const char *target)
{
    return toll__colmap_find(m, target, strlen(target));
}

static void assert_cols(const toll__cmentry *e, int shape, const char *c0,
                        const char *c1, const char *c2)
{
    ck_assert_ptr_nonnull(e);
    ck_assert_int_eq(e->shape, shape);
    const char *want[3] = {c0, c1, c2};
    size_t n = c2 ? 3 : c1 ? 2 : 1;
    ck_assert_uint_eq(e->ncols, n);
    for (size_t k = 0; k < n; k++) {
        ck_assert_str_eq(e->col[k], want[k]);
        ck_assert_uint_eq(e->col_len[k], strlen(want[k]));
    }
}

static void assert_spec_fails(const char *spec, const char *want)
{
    toll_colmap *m = new_map();
    toll_error err;
    ck_assert_int_eq(toll_colmap_parse(m, "actor=who", &err), TOLL_OK);
    ck_assert_int_eq(toll_colmap_parse(m, spec, &err), TOLL_EINVAL);
    ck_assert_msg(strstr(err.message, want) != NULL,
                  "message \"%s\" lacks \"%s\"", err.message, want);
    /* the map is unchanged */
    ck_assert_uint_eq(m->n, 1);
    assert_cols(find(m, "actor"), TOLL__CM_COLUMN, "who", NULL, NULL);
    toll_colmap_free(m);
}

static void assert_json_fails(const char *json, const char *want)
{
    toll_colmap *m = new_map();
    toll_error err;
    ck_assert_int_eq(toll_colmap_load_json(m, json, strlen(json), "map.json",
                                           &err),
                     TOLL_EINVAL);
    ck_assert_msg(strstr(err.message, want) != NULL,
                  "message \"%s\" lacks \"%s\"", err.message, want);
    ck_assert_uint_eq(m->n, 0);
    toll_colmap_free(m);
}

START_TEST(colmap_spec_should_read_every_form)
{
    toll_colmap *m = new_map();
    toll_error err;
    ck_assert_int_eq(
        toll_colmap_parse(m,
                          " killed = civilian_deaths_min..civilian_deaths_max"
                          " , actor=alleged_belligerent,"
                          "injured=lo..best..hi,region=country/adm_1/adm_2,"
                          "source='Airwars, Inc',date=incident date,,",
                          &err),
        TOLL_OK);
    assert_cols(find(m, "killed"), TOLL__CM_RANGE, "civilian_deaths_min",
                "civilian_deaths_max", NULL);
    ck_assert_int_eq(find(m, "killed")->field, TOLL__F_CATEGORY);
    assert_cols(find(m, "actor"), TOLL__CM_COLUMN, "alleged_belligerent", NULL,
                NULL);
    ck_assert_int_eq(find(m, "actor")->field, TOLL__F_ACTOR);
    assert_cols(find(m, "injured"), TOLL__CM_RANGE3, "lo", "best", "hi");
    assert_cols(find(m, "region"), TOLL__CM_LEVELS, "country", "adm_1",
                "adm_2");
    assert_cols(find(m, "source"), TOLL__CM_CONST, "Airwars, Inc", NULL,
                NULL);
    assert_cols(find(m, "date"), TOLL__CM_COLUMN, "incident date", NULL,
                NULL);
    ck_assert(toll__colmap_uses(m, "adm_1", 5));
    ck_assert(!toll__colmap_uses(m, "Airwars, Inc", 12));
    ck_assert(!toll__colmap_uses(m, "killed", 6));
    toll_colmap_free(m);
}
END_TEST

START_TEST(colmap_later_items_should_override_earlier_ones)
{
    toll_colmap *m = new_map();
    toll_error err;
    ck_assert_int_eq(toll_colmap_parse(m, "killed=a,region=x", &err), TOLL_OK);
    ck_assert_int_eq(toll_colmap_parse(m, "killed=b..c", &err), TOLL_OK);
    assert_cols(find(m, "killed"), TOLL__CM_RANGE, "b", "c", NULL);
    ck_assert(!toll__colmap_uses(m, "a", 1));
    ck_assert(toll__colmap_uses(m, "x", 1));
    toll_colmap_free(m);
}
END_TEST

START_TEST(colmap_a_target_repeated_in_one_map_should_be_an_error)
{
    assert_spec_fails("source=src,killed=lo,killed=hi",
                      "item \"killed=hi\": the target is given twice");
    /* targets match in any case */
    assert_spec_fails("killed=lo,Killed=hi", "given twice");
    assert_spec_fails("Date=d,date=e", "given twice");
    toll_colmap *m = new_map();
    toll_error err;
    ck_assert_int_eq(toll_colmap_load_json(m, "{\"killed\": \"a\", "
                                              "\"Killed\": \"b\"}",
                                           30, "m.json", &err),
                     TOLL_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.message, "target given twice"));
    ck_assert_uint_eq(m->n, 0);
    /* a target in canonical form: "Killed" is killed */
    ck_assert_int_eq(toll_colmap_parse(m, "Killed=deaths,SOURCE='x'", &err),
                     TOLL_OK);
    assert_cols(find(m, "killed"), TOLL__CM_COLUMN, "deaths", NULL, NULL);
    ck_assert_ptr_nonnull(find(m, "source"));
    toll_colmap_free(m);
}
END_TEST

START_TEST(colmap_spec_errors_should_name_the_item)
{
    assert_spec_fails("killed=a,oops", "column map item \"oops\": expected "
                                       "TARGET=SOURCE");
    assert_spec_fails("deaths=a", "item \"deaths=a\": unknown target field");
    assert_spec_fails("killed=", "the source column is empty");
    assert_spec_fails("=a", "the target field is empty");
    assert_spec_fails("actor=a..b", "only casualty categories take LOW..HIGH");
    assert_spec_fails("killed=a..b..c..d", "expected LOW..HIGH or "
                                           "LOW..BEST..HIGH");
    assert_spec_fails("killed=a..", "empty column name");
    assert_spec_fails("region=a//b", "empty column name");
    assert_spec_fails("source='Airwars", "unterminated");
    assert_spec_fails("source_kind='blog'", "unknown source kind");
    assert_spec_fails("killed=a,injured=b,date=", "item \"date=\"");
}
END_TEST

START_TEST(colmap_json_should_read_every_form)
{
    toll_colmap *m = new_map();
    toll_error err;
    const char *json =
        "\xEF\xBB\xBF{\"killed\": \"civilian_deaths\",\n"
        " \"injured\": {\"low\": \"inj_min\", \"high\": \"inj_max\"},\n"
        " \"children_killed\": {\"low\": \"a\", \"best\": \"b\", \"high\": "
        "\"c\"},\n"
        " \"region\": [\"country\", \"adm_1\"],\n"
        " \"actor\": \"belligerent\",\n"
        " \"source\": {\"value\": \"UCDP\"},\n"
        " \"date_start\": \"a/b..c\"}\n";
    ck_assert_int_eq(toll_colmap_load_json(m, json, strlen(json), NULL, &err),
                     TOLL_OK);
    assert_cols(find(m, "killed"), TOLL__CM_COLUMN, "civilian_deaths", NULL,
                NULL);
    assert_cols(find(m, "injured"), TOLL__CM_RANGE, "inj_min", "inj_max",
                NULL);
    assert_cols(find(m, "children_killed"), TOLL__CM_RANGE3, "a", "b", "c");
    assert_cols(find(m, "region"), TOLL__CM_LEVELS, "country", "adm_1", NULL);
    assert_cols(find(m, "actor"), TOLL__CM_COLUMN, "belligerent", NULL, NULL);
    assert_cols(find(m, "source"), TOLL__CM_CONST, "UCDP", NULL, NULL);
    /* JSON strings are column names as written */
    assert_cols(find(m, "date_start"), TOLL__CM_COLUMN, "a/b..c", NULL, NULL);
    toll_colmap_free(m);
}
END_TEST

START_TEST(colmap_json_errors_should_leave_the_map_unchanged)
{
    assert_json_fails("{\"killed\": \"a\", \"deaths\": \"b\"}",
                      "map.json: field 'deaths': unknown target field");
    assert_json_fails("[\"killed\"]", "must be a JSON object");
    assert_json_fails("{\"killed\": ", "map.json:1: invalid JSON");
    assert_json_fails("{\"source\": [\"a\", \"b\"]}",
                      "only 'region' and 'actor' take a list");
    assert_json_fails("{\"killed\": {\"low\": \"a\"}}",
                      "expected both 'low' and 'high'");
    assert_json_fails("{\"killed\": {\"low\": \"a\", \"hi\": \"b\"}}",
                      "unknown key");
    assert_json_fails("{\"actor\": {\"low\": \"a\", \"high\": \"b\"}}",
                      "only casualty categories");
    assert_json_fails("{\"killed\": 3}", "expected a column name");
    assert_json_fails("{\"killed\": \"\"}", "empty column name");
    assert_json_fails("{\"killed\": \"a\", \"killed\": \"b\"}",
                      "field 'killed': target given twice");
    assert_json_fails("{\"region\": [\"a\", 1]}", "expected a column name");
    assert_json_fails("{\"source_kind\": {\"value\": \"blog\"}}",
                      "unknown source kind");
    assert_json_fails("{} x", "unexpected text");
    assert_json_fails("", "invalid JSON");
}
END_TEST

START_TEST(colmap_should_load_from_a_file)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/toll_colmap_%ld.json", (long)getpid());
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    fputs("{\"killed\": {\"low\": \"lo\", \"high\": \"hi\"}}", f);
    fclose(f);
    toll_colmap *m = new_map();
    toll_error err;
    ck_assert_int_eq(toll_colmap_load_file(m, path, &err), TOLL_OK);
    assert_cols(find(m, "killed"), TOLL__CM_RANGE, "lo", "hi", NULL);
    remove(path);
    ck_assert_int_eq(toll_colmap_load_file(m, path, &err), TOLL_ENOTFOUND);
    ck_assert_ptr_nonnull(strstr(err.message, path));
    toll_colmap_free(m);
}
END_TEST

START_TEST(colmap_should_check_arguments)
{
    toll_error err;
    ck_assert_int_eq(toll_colmap_new(NULL, NULL, &err), TOLL_EINVAL);
    ck_assert_int_eq(toll_colmap_parse(NULL, "a=b", &err), TOLL_EINVAL);
    toll_colmap *m = new_map();
    ck_assert_int_eq(toll_colmap_parse(m, NULL, &err), TOLL_EINVAL);
    ck_assert_int_eq(toll_colmap_parse(m, "", &err), TOLL_OK);
    ck_assert_uint_eq(m->n, 0);
    toll_colmap_free(m);
    toll_colmap_free(NULL);
}
END_TEST

START_TEST(colmap_out_of_memory_should_fail_cleanly)
{
    int succeeded = 0;
    for (long k = 1; k < 1000 && !succeeded; k++) {
        failing_alloc f;
        failing_alloc_init(&f, k);
        toll_colmap *m = NULL;
        toll_error err;
        toll_status st = toll_colmap_new(&f.a, &m, &err);
        if (!st)
            st = toll_colmap_parse(m, "killed=a..b,region=c/d,actor=e", &err);
        if (st == TOLL_OK) {
            succeeded = 1;
            ck_assert_uint_eq(m->n, 3);
        } else {
            ck_assert_int_eq(st, TOLL_ENOMEM);
            if (m)
                ck_assert_uint_eq(m->n, 0);
        }
        toll_colmap_free(m);
        ck_assert_int_eq(f.live, 0);
    }
    ck_assert(succeeded);
}
END_TEST

START_TEST(source_kinds_should_have_names)
{
    toll_source_kind k;
    ck_assert_str_eq(toll_source_kind_name(TOLL_SOURCE_MONITOR), "monitor");
    ck_assert_str_eq(toll_source_kind_name(TOLL_SOURCE_NGO), "ngo");
    ck_assert_str_eq(toll_source_kind_name((toll_source_kind)99), "other");
    ck_assert_int_eq(toll_source_kind_parse("Party", &k, NULL), TOLL_OK);
    ck_assert_int_eq(k, TOLL_SOURCE_PARTY);
    ck_assert_int_eq(toll_source_kind_parse("un", &k, NULL), TOLL_OK);
    ck_assert_int_eq(k, TOLL_SOURCE_UN);
    ck_assert_int_eq(toll_source_kind_parse("other", &k, NULL), TOLL_OK);
    ck_assert_int_eq(k, TOLL_SOURCE_OTHER);
    ck_assert_int_eq(toll_source_kind_parse("blog", &k, NULL), TOLL_EINVAL);
    ck_assert_int_eq(toll_source_kind_parse("", &k, NULL), TOLL_EINVAL);
    ck_assert_int_eq(toll_source_kind_parse(NULL, &k, NULL), TOLL_EINVAL);
}
END_TEST

START_TEST(source_kind_parse_should_name_the_text_and_the_kinds)
{
    toll_source_kind k;
    toll_error err;
    toll_error_clear(&err);
    ck_assert_int_eq(toll_source_kind_parse("blog", &k, &err), TOLL_EINVAL);
    ck_assert_int_eq(err.code, TOLL_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.message, "\"blog\""));
    ck_assert_ptr_nonnull(strstr(err.message, "monitor, rescue, media"));
}
END_TEST

/* ---- kept fields and actor lists (importers) ------------------------------------------------ */

START_TEST(colmap_should_read_kept_fields_and_actor_column_lists)
{
    toll_colmap *m = new_map();
    toll_error err;
    ck_assert_int_eq(toll_colmap_parse(m,
                                       "keep:data_grade=grading_en,"
                                       "keep:dataset='GED 24.1',"
                                       "actor=side_a + side_b",
                                       &err),
                     TOLL_OK);
    const toll__cmentry *e = find(m, "keep:data_grade");
    assert_cols(e, TOLL__CM_COLUMN, "grading_en", NULL, NULL);
    ck_assert_int_eq(e->field, TOLL__F_KEEP);
    e = find(m, "keep:dataset");
    assert_cols(e, TOLL__CM_CONST, "GED 24.1", NULL, NULL);
    e = find(m, "actor");
    assert_cols(e, TOLL__CM_LEVELS, "side_a", "side_b", NULL);
    ck_assert_int_eq(e->field, TOLL__F_ACTOR);
    toll_colmap_free(m);

    m = new_map();
    const char *json = "{\"keep:grade\": \"grading_en\", "
                       "\"actor\": [\"actor1\", \"actor2\"], "
                       "\"keep:src\": {\"value\": \"ACLED\"}}";
    ck_assert_int_eq(toll_colmap_load_json(m, json, strlen(json), "m.json",
                                           &err),
                     TOLL_OK);
    assert_cols(find(m, "keep:grade"), TOLL__CM_COLUMN, "grading_en", NULL,
                NULL);
    assert_cols(find(m, "actor"), TOLL__CM_LEVELS, "actor1", "actor2", NULL);
    assert_cols(find(m, "keep:src"), TOLL__CM_CONST, "ACLED", NULL, NULL);
    toll_colmap_free(m);
}
END_TEST

START_TEST(colmap_kept_field_errors_should_name_the_item)
{
    assert_spec_fails("keep:=grading_en", "a kept field needs a name");
    assert_spec_fails("keep:g=a..b", "only casualty categories take LOW..HIGH");
    assert_spec_fails("actor=a+", "empty column name");
    assert_spec_fails("grade=grading_en", "or keep:NAME for a kept field");
    toll_colmap *m = new_map();
    toll_error err;
    const char *j1 = "{\"keep:\": \"x\"}";
    ck_assert_int_eq(toll_colmap_load_json(m, j1, strlen(j1), "m.json", &err),
                     TOLL_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.message, "a kept field needs a name"));
    const char *j2 = "{\"keep:g\": [\"x\", \"y\"]}";
    ck_assert_int_eq(toll_colmap_load_json(m, j2, strlen(j2), "m.json", &err),
                     TOLL_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.message, "take a list of columns"));
    ck_assert_uint_eq(m->n, 0);
    toll_colmap_free(m);
}
END_TEST

START_TEST(colmap_append_should_copy_entries_after_the_existing_ones)
{
    toll_colmap *a = new_map(), *b = new_map();
    ck_assert_int_eq(toll_colmap_parse(a, "killed=lo..hi,source='A'", NULL),
                     TOLL_OK);
    ck_assert_int_eq(toll_colmap_parse(b, "source='B',actor=x+y", NULL),
                     TOLL_OK);
    ck_assert_int_eq(toll__colmap_append(a, b), TOLL_OK);
    toll_colmap_free(b); /* the copies own their strings */
    ck_assert_uint_eq(a->n, 4);
    assert_cols(find(a, "source"), TOLL__CM_CONST, "B", NULL, NULL);
    assert_cols(find(a, "actor"), TOLL__CM_LEVELS, "x", "y", NULL);
    assert_cols(find(a, "killed"), TOLL__CM_RANGE, "lo", "hi", NULL);
    ck_assert_int_eq(toll__colmap_append(a, NULL), TOLL_OK);
    toll_colmap_free(a);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("colmap");
    TCase *tc = tcase_create("colmap");
    tcase_add_test(tc, colmap_spec_should_read_every_form);
    tcase_add_test(tc, colmap_later_items_should_override_earlier_ones);
    tcase_add_test(tc, colmap_spec_errors_should_name_the_item);
    tcase_add_test(tc, colmap_json_should_read_every_form);
    tcase_add_test(tc, colmap_json_errors_should_leave_the_map_unchanged);
    tcase_add_test(tc, colmap_should_load_from_a_file);
    tcase_add_test(tc, colmap_should_check_arguments);
    tcase_add_test(tc, colmap_out_of_memory_should_fail_cleanly);
    tcase_add_test(tc, source_kinds_should_have_names);
    tcase_add_test(tc, source_kind_parse_should_name_the_text_and_the_kinds);
    tcase_add_test(tc, colmap_should_read_kept_fields_and_actor_column_lists);
    tcase_add_test(tc, colmap_kept_field_errors_should_name_the_item);
    tcase_add_test(tc, colmap_append_should_copy_entries_after_the_existing_ones);
    tcase_add_test(tc, colmap_a_target_repeated_in_one_map_should_be_an_error);
    suite_add_tcase(s, tc);
    return toll_test_run(s);
}
