/* tests/test_ingest_json.c - JSON arrays and JSON Lines into the store. */
#define _POSIX_C_SOURCE 200809L
#include "testutil.h"

#include "store/store.h"
#include "reconcile/reconcile.h"
#include "render/render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- helpers --------------------------------------------------------------- */

static toll_reports *new_store(void)
{
    toll_reports *r = NULL;
    ck_assert_int_eq(toll_reports_new(NULL, &r, NULL), TOLL_OK);
    return r;
}

static toll_status load_fmt(toll_reports *r, const char *text, toll_format fmt,
                            int lenient, size_t *n, toll_error *err)
{
    toll_load_options o;
    toll_load_options_init(&o);
    o.format = fmt;
    o.lenient = lenient;
    return toll_reports_load_buffer(r, text, strlen(text), "<test>", &o, n,
                                    err);
}

/* Sniffed format, strict. */
static toll_status load(toll_reports *r, const char *text, toll_error *err)
{
    return load_fmt(r, text, TOLL_FORMAT_AUTO, 0, NULL, err);
}

static const char *S(const toll_reports *r, uint32_t id)
{
    return toll__str(&r->strings, id);
}




/* A strict load of `text` must fail with `code` and a message containing
 * `want`. */
static void assert_fails(const char *text, toll_status code, const char *want)
{
    toll_reports *r = new_store();
    toll_error err;
    toll_error_clear(&err);
    toll_status st = load(r, text, &err);
    ck_assert_msg(st == code, "got %s (%s), want %s", toll_status_name(st),
                  err.message, toll_status_name(code));
    ck_assert_msg(strstr(err.message, want) != NULL,
                  "message \"%s\" lacks \"%s\"", err.message, want);
    ck_assert_uint_eq(toll_reports_count(r), 0);
    toll_reports_free(r);
}

/* ---- fields ----------------------------------------------------------------- */

static const char *FULL =
    "[{\"incident\": \"aleppo-1\", \"source\": \"SOHR\", \"source_kind\": "
    "\"monitor\", \"source_actor\": \"\", \"date\": \"2016-09-25\", "
    "\"region\": \"Syria/Aleppo/Bustan al-Qasr\", \"actor\": [\"Russia\", "
    "\"Syria\"], \"killed\": 92, \"injured\": \"dozens\", "
    "\"children_killed\": {\"low\": 3, \"high\": null}, \"id\": \"r-17\", "
    "\"url\": \"https://example.org/a\", \"note\": \"headline says 85\"},\n"
    " {\"source\": \"Defence ministry\", \"source_kind\": \"PARTY\", "
    "\"source_actor\": \"Russia\", \"incident\": \"aleppo-1\", \"killed\": "
    "0, \"actor\": \"Russia\"}]";

START_TEST(json_array_should_load_every_field)
{
    toll_reports *r = new_store();
    toll_error err;
    size_t n = 0;
    ck_assert_int_eq(load_fmt(r, FULL, TOLL_FORMAT_AUTO, 0, &n, &err),
                     TOLL_OK);
    ck_assert_uint_eq(n, 2);
    ck_assert_uint_eq(toll_reports_count(r), 2);
    ck_assert_str_eq(S(r, r->incident[0]), "aleppo-1");
    ck_assert_str_eq(S(r, r->source[0]), "SOHR");
    ck_assert_int_eq(r->source_kind[0], TOLL_SOURCE_MONITOR);
    ck_assert_uint_eq(r->source_actor[0], 0);
    ck_assert_int_eq(r->date_start[0], toll_date_from_ymd(2016, 9, 25));
    ck_assert_int_eq(r->date_end[0], toll_date_from_ymd(2016, 9, 25));
    ck_assert_str_eq(S(r, r->region[0]), "Syria/Aleppo/Bustan al-Qasr");
    ck_assert_str_eq(S(r, r->actor_sets.label[r->actors[0]]),
                     "Russia + Syria");
    ck_assert_str_eq(S(r, r->id[0]), "r-17");
    ck_assert_str_eq(S(r, r->url[0]), "https://example.org/a");
    ck_assert_str_eq(S(r, r->note[0]), "headline says 85");
    ck_assert_str_eq(S(r, r->file[0]), "<test>");
    ck_assert_uint_eq(r->line[0], 1);
    ck_assert_uint_eq(r->line[1], 2);
    assert_qcell(report_cell(r, 0, "killed"), 92, 92, 92);
    ck_assert_int_eq(report_cell(r, 0, "injured")->low, 24);
    assert_qcell(report_cell(r, 0, "children_killed"), 3, TOLL_OPEN, 3);
    ck_assert_uint_eq(r->x_count[0], 0);
    ck_assert_int_eq(r->source_kind[1], TOLL_SOURCE_PARTY);
    ck_assert_str_eq(S(r, r->source_actor[1]), "Russia");
    ck_assert_int_eq(r->date_start[1], TOLL_NO_DATE);
    ck_assert_uint_eq(r->region[1], 0);
    ck_assert_str_eq(S(r, r->actor_sets.label[r->actors[1]]), "Russia");
    assert_qcell(report_cell(r, 1, "killed"), 0, 0, 0);
    ck_assert_uint_eq(toll_reports_category_count(r), 3);
    ck_assert_str_eq(toll_reports_category(r, 0), "killed");
    toll_reports_free(r);
}
END_TEST

START_TEST(jsonl_should_load_one_object_per_line)
{
    toll_reports *r = new_store();
    toll_error err;
    size_t n = 0;
    const char *text = "{\"source\": \"a\", \"killed\": 1}\n"
                       "\n"
                       "   \n"
                       "{\"source\": \"b\", \"killed\": 2}\n"
                       "{\"source\": \"c\", \"killed\": 3}";
    ck_assert_int_eq(load_fmt(r, text, TOLL_FORMAT_AUTO, 0, &n, &err),
                     TOLL_OK);
    ck_assert_uint_eq(n, 3);
    ck_assert_uint_eq(r->line[0], 1);
    ck_assert_uint_eq(r->line[1], 4);
    ck_assert_uint_eq(r->line[2], 5);
    ck_assert_str_eq(S(r, r->source[2]), "c");
    toll_reports_free(r);
}
END_TEST

START_TEST(json_should_read_quantity_forms)
{
    toll_reports *r = new_store();
    toll_error err;
    ck_assert_int_eq(
        load(r,
             "{\"source\": \"s\", \"killed\": 92, \"injured\": null, "
             "\"a_killed\": \"at least 150\", \"b_killed\": {\"low\": 85, "
             "\"high\": 92}, \"c_killed\": {\"low\": 1, \"high\": 5, "
             "\"best\": 2.5}, \"d_killed\": \"\", \"e_killed\": 1e2, "
             "\"f_killed\": 12.0, \"g_killed\": 9007199254740992}",
             &err),
        TOLL_OK);
    assert_qcell(report_cell(r, 0, "killed"), 92, 92, 92);
    ck_assert_int_eq(report_cell(r, 0, "injured")->low, -1);
    assert_qcell(report_cell(r, 0, "a_killed"), 150, TOLL_OPEN, 150);
    assert_qcell(report_cell(r, 0, "b_killed"), 85, 92, 88.5);
    assert_qcell(report_cell(r, 0, "c_killed"), 1, 5, 2.5);
    ck_assert_int_eq(report_cell(r, 0, "d_killed")->low, -1);
    assert_qcell(report_cell(r, 0, "e_killed"), 100, 100, 100);
    assert_qcell(report_cell(r, 0, "f_killed"), 12, 12, 12);
    ck_assert_int_eq(report_cell(r, 0, "g_killed")->low, TOLL_COUNT_MAX);
    toll_reports_free(r);
}
END_TEST

START_TEST(json_should_reject_bad_numbers_naming_field_and_text)
{
    assert_fails("{\"source\": \"s\", \"killed\": -5}", TOLL_EREPORT,
                 "<test>:1: field 'killed': -5 is negative");
    assert_fails("{\"source\": \"s\", \"killed\": 1.5}", TOLL_EREPORT,
                 "field 'killed': 1.5 is not a whole number");
    assert_fails("{\"source\": \"s\", \"killed\": 1e999}", TOLL_EREPORT,
                 "field 'killed': 1e999 is too large");
    assert_fails("{\"source\": \"s\", \"killed\": 9223372036854775808}",
                 TOLL_EREPORT, "9223372036854775808 is too large");
    assert_fails("{\"source\": \"s\", \"killed\": true}", TOLL_EREPORT,
                 "field 'killed': expected a count");
    assert_fails("{\"source\": \"s\", \"killed\": [1]}", TOLL_EREPORT,
                 "field 'killed'");
}
END_TEST

START_TEST(json_should_validate_quantity_objects)
{
    assert_fails("{\"source\": \"s\", \"killed\": {\"low\": 9, \"high\": 5}}",
                 TOLL_EREPORT, "field 'killed': low 9");
    assert_fails("{\"source\": \"s\", \"killed\": {\"low\": 1, \"high\": 5, "
                 "\"best\": 7}}",
                 TOLL_EREPORT, "field 'killed'");
    assert_fails("{\"source\": \"s\", \"killed\": {\"low\": 1}}",
                 TOLL_EREPORT, "needs \"low\" and \"high\"");
    assert_fails("{\"source\": \"s\", \"killed\": {\"low\": 1, \"high\": 2, "
                 "\"max\": 3}}",
                 TOLL_EREPORT, "unknown key \"max\"");
    assert_fails("{\"source\": \"s\", \"killed\": {\"low\": \"1\", "
                 "\"high\": 2}}",
                 TOLL_EREPORT, "\"low\" must be a number");
    assert_fails("{\"source\": \"s\", \"killed\": {\"low\": -1, "
                 "\"high\": 2}}",
                 TOLL_EREPORT, "-1 is negative");
}
END_TEST

START_TEST(json_should_give_the_exact_message_for_unreadable_quantities)
{
    toll_reports *r = new_store();
    toll_error err;
    const char *text = "{\"source\": \"a\", \"killed\": 1}\n"
                       "{\"source\": \"b\", \"killed\": 2}\n"
                       "{\"source\": \"c\", \"killed\": \"at leest 5\"}\n";
    ck_assert_int_eq(load(r, text, &err), TOLL_EPARSE);
    ck_assert_str_eq(err.message,
                     "<test>:3: field 'killed': cannot read \"at leest 5\" "
                     "as a quantity");
    ck_assert_str_eq(err.file, "<test>");
    ck_assert_int_eq(err.line, 3);
    ck_assert_int_eq(err.record, 2);
    ck_assert_str_eq(err.field, "killed");
    ck_assert_str_eq(err.text, "at leest 5");
    ck_assert_uint_eq(toll_reports_count(r), 0);
    toll_reports_free(r);
}
END_TEST

START_TEST(json_array_errors_should_give_the_line_where_the_element_starts)
{
    toll_reports *r = new_store();
    toll_error err;
    const char *text = "[\n"
                       "  {\n"
                       "    \"source\": \"a\",\n"
                       "    \"killed\": 1\n"
                       "  },\n"
                       "  {\n"
                       "    \"source\": \"b\",\n"
                       "    \"killed\": \"at leest 5\"\n"
                       "  }\n"
                       "]\n";
    ck_assert_int_eq(load(r, text, &err), TOLL_EPARSE);
    ck_assert_str_eq(err.message,
                     "<test>:6: field 'killed': cannot read \"at leest 5\" "
                     "as a quantity");
    ck_assert_int_eq(err.record, 1);
    toll_reports_free(r);
}
END_TEST

START_TEST(json_syntax_errors_should_name_the_record_and_line)
{
    toll_reports *r = new_store();
    toll_error err;
    const char *text = "[\n"
                       " {\"source\": \"a\"},\n"
                       " {\"source\": \"b\",\n"
                       "  \"killed\": tru}\n"
                       "]";
    ck_assert_int_eq(load(r, text, &err), TOLL_EPARSE);
    ck_assert_ptr_nonnull(strstr(err.message, "<test>:3: invalid JSON"));
    ck_assert_ptr_nonnull(strstr(err.message, "line 4"));
    /* lenient: the element is rejected, the others load */
    size_t n = 0;
    ck_assert_int_eq(load_fmt(r, text, TOLL_FORMAT_AUTO, 1, &n, &err),
                     TOLL_OK);
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_eq(toll_reports_reject_count(r), 1);
    ck_assert_int_eq(toll_reports_reject(r, 0)->line, 3);
    toll_reports_free(r);
}
END_TEST

START_TEST(json_array_structure_errors_should_fail_even_when_lenient)
{
    toll_reports *r = new_store();
    toll_error err;
    size_t n = 9;
    ck_assert_int_eq(load_fmt(r, "[{\"source\": \"a\"}\n {\"source\": \"b\"}]",
                              TOLL_FORMAT_AUTO, 1, &n, &err),
                     TOLL_EPARSE);
    ck_assert_ptr_nonnull(strstr(err.message, "<test>:2: expected ','"));
    ck_assert_uint_eq(n, 0);
    ck_assert_uint_eq(toll_reports_count(r), 0);
    ck_assert_int_eq(load_fmt(r, "[{\"source\": \"a\"},\n", TOLL_FORMAT_AUTO,
                              1, &n, &err),
                     TOLL_EPARSE);
    ck_assert_ptr_nonnull(strstr(err.message, "not closed"));
    ck_assert_int_eq(load_fmt(r, "[{\"source\": \"a\"},]", TOLL_FORMAT_AUTO,
                              1, &n, &err),
                     TOLL_EPARSE);
    ck_assert_int_eq(load_fmt(r, "[{\"source\": \"a\"}] x", TOLL_FORMAT_AUTO,
                              1, &n, &err),
                     TOLL_EPARSE);
    ck_assert_ptr_nonnull(strstr(err.message, "after the JSON array"));
    ck_assert_int_eq(load_fmt(r, "{\"source\": \"a\"}", TOLL_FORMAT_JSON, 1,
                              &n, &err),
                     TOLL_EPARSE);
    ck_assert_ptr_nonnull(strstr(err.message, "expected '['"));
    ck_assert_uint_eq(toll_reports_count(r), 0);
    toll_reports_free(r);
}
END_TEST

START_TEST(json_elements_that_are_not_objects_should_be_rejected)
{
    assert_fails("[{\"source\": \"a\"}, 42]", TOLL_EREPORT,
                 "<test>:1: record 2: a report must be a JSON object, "
                 "not a number");
    assert_fails("[\"x\"]", TOLL_EREPORT, "not a string");
    assert_fails("[[1]]", TOLL_EREPORT, "not an array");
    assert_fails("{\"source\": \"a\"} {\"source\": \"b\"}\n", TOLL_EPARSE,
                 "unexpected text after the report");
}
END_TEST

/* ---- transactions ---------------------------------------------------------------- */

START_TEST(strict_failure_should_leave_earlier_data_intact)
{
    toll_reports *r = new_store();
    toll_error err;
    ck_assert_int_eq(load(r,
                          "{\"source\": \"a\", \"killed\": 1, \"x\": \"y\"}\n"
                          "{\"source\": \"b\", \"injured\": 2}\n",
                          &err),
                     TOLL_OK);
    size_t nstrings = r->strings.count, nsets = r->actor_sets.count;
    size_t nq = r->nq, nx = r->nx;
    size_t n = 7;
    ck_assert_int_eq(load_fmt(r,
                              "{\"source\": \"c\", \"new_killed\": 5, "
                              "\"actor\": [\"Q\"], \"z\": 1}\n"
                              "{\"source\": \"d\", \"killed\": -1}\n",
                              TOLL_FORMAT_AUTO, 0, &n, &err),
                     TOLL_EREPORT);
    ck_assert_uint_eq(n, 0);
    ck_assert_uint_eq(toll_reports_count(r), 2);
    ck_assert_uint_eq(r->strings.count, nstrings);
    ck_assert_uint_eq(r->actor_sets.count, nsets);
    ck_assert_uint_eq(r->nq, nq);
    ck_assert_uint_eq(r->nx, nx);
    ck_assert_uint_eq(toll_reports_category_count(r), 2);
    uint32_t id;
    ck_assert(!toll__strpool_find(&r->strings, "new_killed", 10, &id));
    /* the store still works */
    ck_assert_int_eq(load(r, "{\"source\": \"c\", \"new_killed\": 5}", &err),
                     TOLL_OK);
    ck_assert_uint_eq(toll_reports_count(r), 3);
    ck_assert_str_eq(S(r, r->source[2]), "c");
    ck_assert_uint_eq(toll_reports_category_count(r), 3);
    toll_reports_free(r);
}
END_TEST

START_TEST(lenient_load_should_list_rejects_with_reasons)
{
    toll_reports *r = new_store();
    toll_error err;
    size_t n = 0;
    const char *text = "{\"source\": \"a\", \"killed\": 1}\n"
                       "{\"killed\": 2}\n"
                       "{\"source\": \"c\", \"killed\": \"at leest 5\"}\n"
                       "{\"source\": \"d\", \"date\": \"2015-02-30\"}\n"
                       "{\"source\": \"e\"\n"
                       "{\"source\": \"f\", \"killed\": 6}\n";
    ck_assert_int_eq(load_fmt(r, text, TOLL_FORMAT_AUTO, 1, &n, &err),
                     TOLL_OK);
    ck_assert_uint_eq(n, 2);
    ck_assert_uint_eq(toll_reports_count(r), 2);
    ck_assert_str_eq(S(r, r->source[1]), "f");
    ck_assert_uint_eq(r->line[1], 6);
    ck_assert_uint_eq(toll_reports_reject_count(r), 4);
    ck_assert_str_eq(toll_reports_reject(r, 0)->message,
                     "<test>:2: missing required field 'source'");
    ck_assert_str_eq(toll_reports_reject(r, 0)->field, "source");
    ck_assert_int_eq(toll_reports_reject(r, 0)->code, TOLL_EREPORT);
    ck_assert_str_eq(toll_reports_reject(r, 1)->message,
                     "<test>:3: field 'killed': cannot read \"at leest 5\" "
                     "as a quantity");
    ck_assert_int_eq(toll_reports_reject(r, 1)->code, TOLL_EPARSE);
    ck_assert_ptr_nonnull(
        strstr(toll_reports_reject(r, 2)->message,
               "<test>:4: field 'date': \"2015-02-30\" is not a valid date"));
    ck_assert_int_eq(toll_reports_reject(r, 3)->line, 5);
    ck_assert_ptr_null(toll_reports_reject(r, 4));
    /* the next load clears the list */
    ck_assert_int_eq(load(r, "{\"source\": \"g\"}", &err), TOLL_OK);
    ck_assert_uint_eq(toll_reports_reject_count(r), 0);
    toll_reports_free(r);
}
END_TEST

/* ---- validation --------------------------------------------------------------------- */

START_TEST(json_should_reject_duplicate_keys_naming_the_key)
{
    assert_fails("{\"source\": \"a\", \"killed\": 1, \"killed\": 2}",
                 TOLL_EREPORT,
                 "<test>:1: field 'killed': key 'killed' appears twice");
    /* many keys: the sorted check */
    char buf[4096];
    size_t n = (size_t)snprintf(buf, sizeof buf, "{\"source\": \"a\"");
    for (int i = 0; i < 50; i++)
        n += (size_t)snprintf(buf + n, sizeof buf - n, ", \"k%d\": %d", i, i);
    snprintf(buf + n, sizeof buf - n, ", \"k7\": 1}");
    assert_fails(buf, TOLL_EREPORT, "key 'k7' appears twice");
}
END_TEST

START_TEST(json_should_require_a_source)
{
    assert_fails("{\"killed\": 1}", TOLL_EREPORT,
                 "<test>:1: missing required field 'source'");
    assert_fails("{\"source\": \"  \"}", TOLL_EREPORT,
                 "missing required field 'source'");
    assert_fails("{\"source\": null}", TOLL_EREPORT,
                 "missing required field 'source'");
}
END_TEST

START_TEST(json_should_reject_wrong_types)
{
    assert_fails("{\"source\": 12}", TOLL_EREPORT,
                 "<test>:1: field 'source': expected a string, not a number");
    assert_fails("{\"source\": \"a\", \"region\": 3}", TOLL_EREPORT,
                 "field 'region': expected a string");
    assert_fails("{\"source\": \"a\", \"region\": [\"Syria\", 3]}",
                 TOLL_EREPORT, "field 'region': region levels must be");
    assert_fails("{\"source\": \"a\", \"actor\": {\"a\": 1}}", TOLL_EREPORT,
                 "field 'actor': expected a string, not an object");
    assert_fails("{\"source\": \"a\", \"actor\": [\"x\", null]}",
                 TOLL_EREPORT, "field 'actor': actors must be strings");
    assert_fails("{\"source\": \"a\", \"date\": true}", TOLL_EREPORT,
                 "field 'date': expected a string, not true/false");
    assert_fails("{\"source\": [\"a\"]}", TOLL_EREPORT,
                 "field 'source': expected a string, not an array");
}
END_TEST

START_TEST(json_should_accept_numbers_for_incident_and_id)
{
    toll_reports *r = new_store();
    toll_error err;
    ck_assert_int_eq(
        load(r, "{\"source\": \"a\", \"incident\": 48528, \"id\": 7}", &err),
        TOLL_OK);
    ck_assert_str_eq(S(r, r->incident[0]), "48528");
    ck_assert_str_eq(S(r, r->id[0]), "7");
    toll_reports_free(r);
}
END_TEST

/* A number where a date is expected reads as its text would in a CSV: a
 * whole number is a year; anything else fails the date rule. */
START_TEST(json_should_read_a_number_date_as_its_text)
{
    toll_reports *r = new_store();
    toll_error err;
    ck_assert_int_eq(
        load(r, "{\"source\": \"a\", \"date\": 2015}", &err), TOLL_OK);
    ck_assert_int_eq(r->date_start[0], toll_date_from_ymd(2015, 1, 1));
    ck_assert_int_eq(r->date_end[0], toll_date_from_ymd(2015, 12, 31));
    toll_reports_free(r);
    assert_fails("{\"source\": \"a\", \"date\": 2015.5}", TOLL_EPARSE,
                 "<test>:1: field 'date': cannot read \"2015.5\" as a date");
    assert_fails("{\"source\": \"a\", \"date\": -3}", TOLL_EPARSE,
                 "<test>:1: field 'date': cannot read \"-3\" as a date");
}
END_TEST

START_TEST(json_should_check_source_kinds)
{
    assert_fails("{\"source\": \"a\", \"source_kind\": \"blog\"}",
                 TOLL_EREPORT,
                 "field 'source_kind': unknown source kind \"blog\"");
    toll_reports *r = new_store();
    toll_error err;
    ck_assert_int_eq(load(r,
                          "{\"source\": \"a\", \"source_kind\": \"Rescue\"}\n"
                          "{\"source\": \"b\", \"source_kind\": \"\"}\n"
                          "{\"source\": \"c\", \"source_kind\": \"UN\"}\n",
                          &err),
                     TOLL_OK);
    ck_assert_int_eq(r->source_kind[0], TOLL_SOURCE_RESCUE);
    ck_assert_int_eq(r->source_kind[1], TOLL_SOURCE_OTHER);
    ck_assert_int_eq(r->source_kind[2], TOLL_SOURCE_UN);
    toll_reports_free(r);
}
END_TEST

START_TEST(json_regions_should_be_normalised)
{
    toll_reports *r = new_store();
    toll_error err;
    ck_assert_int_eq(
        load(r,
             "{\"source\": \"a\", \"region\": \" Syria / Idlib /Khan "
             "Shaykhun \"}\n"
             "{\"source\": \"b\", \"region\": [\"Syria\", \" Idlib\"]}\n"
             "{\"source\": \"c\", \"region\": []}\n"
             "{\"source\": \"d\", \"region\": \"\"}\n",
             &err),
        TOLL_OK);
    ck_assert_str_eq(S(r, r->region[0]), "Syria/Idlib/Khan Shaykhun");
    ck_assert_str_eq(S(r, r->region[1]), "Syria/Idlib");
    ck_assert_uint_eq(r->region[2], 0);
    ck_assert_uint_eq(r->region[3], 0);
    toll_reports_free(r);
    assert_fails("{\"source\": \"a\", \"region\": \"Syria//Idlib\"}",
                 TOLL_EREPORT,
                 "field 'region': region \"Syria//Idlib\" has an empty level");
    assert_fails("{\"source\": \"a\", \"region\": \"Syria/\"}", TOLL_EREPORT,
                 "has an empty level");
    assert_fails("{\"source\": \"a\", \"region\": [\"Syria\", \"\"]}",
                 TOLL_EREPORT, "has an empty level");
    assert_fails("{\"source\": \"a\", \"region\": [\"Syria\", \"A/B\"]}",
                 TOLL_EREPORT, "contains '/'");
}
END_TEST

START_TEST(json_actor_strings_should_split_at_the_actor_separator)
{
    toll_reports *r = new_store();
    toll_error err;
    ck_assert_int_eq(load(r,
                          "{\"source\": \"a\", \"actor\": \"Russia; Syria\"}\n"
                          "{\"source\": \"b\", \"actor\": [\"Syria\", "
                          "\"Russia\", \"Syria\", \" \"]}\n"
                          "{\"source\": \"c\", \"actor\": []}\n",
                          &err),
                     TOLL_OK);
    /* a string is split as a CSV cell is; an array is taken as given */
    ck_assert_uint_eq(toll__set_size(&r->actor_sets, r->actors[0]), 2);
    ck_assert_uint_eq(r->actors[0], r->actors[1]);
    ck_assert_str_eq(S(r, r->actor_sets.label[r->actors[1]]),
                     "Russia + Syria");
    ck_assert_uint_eq(r->actors[2], 0);
    toll_reports_free(r);
}
END_TEST

START_TEST(json_unknown_fields_should_be_kept_as_extras)
{
    toll_reports *r = new_store();
    toll_error err;
    ck_assert_int_eq(
        load(r,
             "{\"source\": \"a\", \"n\": 1.50, \"big\": 1E+3, \"flag\": "
             "true, \"off\": false, \"nothing\": null, \"empty\": \"\", "
             "\"obj\": { \"k\" : [1, 2 , \"a b\"] }, \"list\": [ ], "
             "\"text\": \"hello\"}",
             &err),
        TOLL_OK);
    ck_assert_str_eq(report_extra(r, 0, "n"), "1.50");
    ck_assert_str_eq(report_extra(r, 0, "big"), "1E+3");
    ck_assert_str_eq(report_extra(r, 0, "flag"), "true");
    ck_assert_str_eq(report_extra(r, 0, "off"), "false");
    ck_assert_ptr_null(report_extra(r, 0, "nothing"));
    ck_assert_ptr_null(report_extra(r, 0, "empty"));
    ck_assert_str_eq(report_extra(r, 0, "obj"), "{\"k\":[1,2,\"a b\"]}");
    ck_assert_str_eq(report_extra(r, 0, "list"), "[]");
    ck_assert_str_eq(report_extra(r, 0, "text"), "hello");
    ck_assert_uint_eq(r->x_count[0], 7);
    toll_reports_free(r);
}
END_TEST

START_TEST(json_dates_should_span_partial_dates)
{
    toll_reports *r = new_store();
    toll_error err;
    ck_assert_int_eq(
        load(r,
             "{\"source\": \"a\", \"date\": \"2016-02\"}\n"
             "{\"source\": \"b\", \"date_start\": \"2015-03\", \"date_end\": "
             "\"2015\"}\n"
             "{\"source\": \"c\", \"date_start\": \"2015-03-04\"}\n"
             "{\"source\": \"d\", \"date_end\": \"2015-06\"}\n"
             "{\"source\": \"e\", \"date\": \"2015-03-04 00:00:00.000\"}\n",
             &err),
        TOLL_OK);
    ck_assert_int_eq(r->date_start[0], toll_date_from_ymd(2016, 2, 1));
    ck_assert_int_eq(r->date_end[0], toll_date_from_ymd(2016, 2, 29));
    ck_assert_int_eq(r->date_start[1], toll_date_from_ymd(2015, 3, 1));
    ck_assert_int_eq(r->date_end[1], toll_date_from_ymd(2015, 12, 31));
    ck_assert_int_eq(r->date_start[2], toll_date_from_ymd(2015, 3, 4));
    ck_assert_int_eq(r->date_end[2], toll_date_from_ymd(2015, 3, 4));
    ck_assert_int_eq(r->date_start[3], toll_date_from_ymd(2015, 6, 1));
    ck_assert_int_eq(r->date_end[3], toll_date_from_ymd(2015, 6, 30));
    ck_assert_int_eq(r->date_start[4], toll_date_from_ymd(2015, 3, 4));
    toll_reports_free(r);
}
END_TEST

START_TEST(json_date_errors_should_name_record_and_fields)
{
    assert_fails("{\"source\": \"a\"}\n{\"source\": \"b\", \"date\": "
                 "\"2015-02-30\"}",
                 TOLL_EPARSE,
                 "<test>:2: field 'date': \"2015-02-30\" is not a valid date");
    assert_fails("{\"source\": \"a\", \"date_start\": \"2015-13\"}",
                 TOLL_EPARSE, "field 'date_start'");
    assert_fails("{\"source\": \"a\", \"date\": \"last week\"}", TOLL_EPARSE,
                 "cannot read \"last week\" as a date");
    assert_fails("{\"source\": \"a\", \"date_start\": \"2015-03-05\", "
                 "\"date_end\": \"2015-03-01\"}",
                 TOLL_EREPORT,
                 "<test>:1: field 'date_end': date_end (2015-03-01) is "
                 "before date_start (2015-03-05)");
    assert_fails("{\"source\": \"a\", \"date\": \"2015\", \"date_end\": "
                 "\"2015\"}",
                 TOLL_EREPORT, "field 'date': give either 'date' or");
}
END_TEST

/* ---- encoding and structure ------------------------------------------------------------- */

START_TEST(json_should_skip_a_bom)
{
    toll_reports *r = new_store();
    toll_error err;
    ck_assert_int_eq(load(r, "\xEF\xBB\xBF[{\"source\": \"a\"}]", &err),
                     TOLL_OK);
    ck_assert_int_eq(load(r, "\xEF\xBB\xBF{\"source\": \"b\"}\n", &err),
                     TOLL_OK);
    ck_assert_uint_eq(toll_reports_count(r), 2);
    ck_assert_str_eq(S(r, r->source[0]), "a");
    ck_assert_str_eq(S(r, r->source[1]), "b");
    toll_reports_free(r);
}
END_TEST

START_TEST(jsonl_should_accept_crlf_and_cr_line_ends)
{
    toll_reports *r = new_store();
    toll_error err;
    ck_assert_int_eq(load(r,
                          "{\"source\": \"a\"}\r\n\r\n{\"source\": \"b\"}\r\n"
                          "{\"source\": \"c\"}\r{\"source\": \"d\"}\r",
                          &err),
                     TOLL_OK);
    ck_assert_uint_eq(toll_reports_count(r), 4);
    ck_assert_uint_eq(r->line[0], 1);
    ck_assert_uint_eq(r->line[1], 3);
    ck_assert_uint_eq(r->line[2], 4);
    ck_assert_uint_eq(r->line[3], 5);
    ck_assert_int_eq(load(r,
                          "{\"source\": \"a\"}\r\n{\"source\": 5}\r\n", &err),
                     TOLL_EREPORT);
    ck_assert_int_eq(err.line, 2);
    /* CR-only inside a pretty-printed array */
    ck_assert_int_eq(load(r, "[\r{\"source\": \"a\"},\r\r{\"source\": 1}]",
                          &err),
                     TOLL_EREPORT);
    ck_assert_int_eq(err.line, 4);
    toll_reports_free(r);
}
END_TEST

START_TEST(json_should_reject_invalid_utf8_naming_the_field)
{
    assert_fails("{\"source\": \"a\", \"note\": \"caf\xC3\"}", TOLL_EPARSE,
                 "<test>:1: field 'note': invalid UTF-8");
    assert_fails("{\"source\": \"\xFF\"}", TOLL_EPARSE,
                 "field 'source': invalid UTF-8");
    assert_fails("{\"source\": \"a\", \"x\": [\"\xED\xA0\x80\"]}",
                 TOLL_EPARSE, "field 'x': invalid UTF-8");
    assert_fails("{\"source\": \"a\", \"k\xC0\xAF\": 1}", TOLL_EPARSE,
                 "invalid UTF-8 in a key");
    toll_reports *r = new_store();
    toll_error err;
    ck_assert_int_eq(load(r, "{\"source\": \"caf\xC3\xA9 \xE2\x80\x94 "
                             "\xF0\x9F\x98\x80\"}",
                          &err),
                     TOLL_OK);
    toll_reports_free(r);
}
END_TEST

static char *deep_json(int depth, int as_array)
{
    size_t len = (size_t)depth * 2 + 128;
    char *s = malloc(len);
    ck_assert_ptr_nonnull(s);
    size_t n = 0;
    n += (size_t)sprintf(s + n, "%s{\"source\": \"ok\"}%s",
                         as_array ? "[" : "", as_array ? ",\n" : "\n");
    n += (size_t)sprintf(s + n, "{\"source\": \"deep\", \"x\": ");
    for (int i = 0; i < depth; i++)
        s[n++] = '[';
    for (int i = 0; i < depth; i++)
        s[n++] = ']';
    n += (size_t)sprintf(s + n, "}%s{\"source\": \"after\"}%s",
                         as_array ? ",\n" : "\n", as_array ? "]" : "\n");
    return s;
}

START_TEST(json_deep_nesting_should_be_a_record_error)
{
    for (int as_array = 0; as_array < 2; as_array++) {
        char *text = deep_json(10000, as_array);
        toll_reports *r = new_store();
        toll_error err;
        ck_assert_int_eq(load(r, text, &err), TOLL_EPARSE);
        ck_assert_ptr_nonnull(strstr(err.message, "<test>:2: JSON nested "
                                                  "deeper than"));
        ck_assert_int_eq(err.record, 1);
        size_t n = 0;
        ck_assert_int_eq(load_fmt(r, text, TOLL_FORMAT_AUTO, 1, &n, &err),
                         TOLL_OK);
        ck_assert_uint_eq(n, 2);
        ck_assert_uint_eq(toll_reports_reject_count(r), 1);
        ck_assert_str_eq(S(r, r->source[1]), "after");
        ck_assert_uint_eq(r->line[1], 3);
        toll_reports_free(r);
        free(text);
    }
}
END_TEST

START_TEST(empty_inputs_should_load_nothing)
{
    toll_reports *r = new_store();
    toll_error err;
    size_t n = 9;
    const char *empties[] = {"", "  \n\t\n", "[]", " [ \n ] \n",
                             "\xEF\xBB\xBF"};
    for (size_t i = 0; i < sizeof empties / sizeof empties[0]; i++) {
        ck_assert_int_eq(load_fmt(r, empties[i], TOLL_FORMAT_AUTO, 0, &n,
                                  &err),
                         TOLL_OK);
        ck_assert_uint_eq(n, 0);
    }
    ck_assert_int_eq(load_fmt(r, "", TOLL_FORMAT_JSON, 0, &n, &err), TOLL_OK);
    ck_assert_int_eq(load_fmt(r, "\n\n", TOLL_FORMAT_JSONL, 0, &n, &err),
                     TOLL_OK);
    ck_assert_uint_eq(toll_reports_count(r), 0);
    toll_reports_free(r);
}
END_TEST

START_TEST(json_should_apply_a_column_map)
{
    toll_reports *r = new_store();
    toll_colmap *map = NULL;
    toll_error err;
    ck_assert_int_eq(toll_colmap_new(NULL, &map, &err), TOLL_OK);
    ck_assert_int_eq(toll_colmap_parse(map,
                                       "source=outlet,killed=lo..hi,"
                                       "region=country/province,"
                                       "source_kind='media'",
                                       &err),
                     TOLL_OK);
    toll_load_options o;
    toll_load_options_init(&o);
    o.colmap = map;
    const char *text =
        "{\"outlet\": \"AFP\", \"lo\": 3, \"hi\": \"7\", \"country\": "
        "\"Syria\", \"province\": \"Idlib\", \"killed\": \"old\"}\n"
        "{\"outlet\": \"AP\", \"lo\": null, \"hi\": 4}\n";
    ck_assert_int_eq(toll_reports_load_buffer(r, text, strlen(text), "<test>",
                                              &o, NULL, &err),
                     TOLL_OK);
    ck_assert_str_eq(S(r, r->source[0]), "AFP");
    ck_assert_int_eq(r->source_kind[0], TOLL_SOURCE_MEDIA);
    assert_qcell(report_cell(r, 0, "killed"), 3, 7, 5);
    ck_assert_str_eq(S(r, r->region[0]), "Syria/Idlib");
    ck_assert_str_eq(report_extra(r, 0, "killed"), "old");
    assert_qcell(report_cell(r, 1, "killed"), 0, 4, 2);
    ck_assert_uint_eq(r->region[1], 0);
    toll_reports_free(r);
    toll_colmap_free(map);
}
END_TEST

/* ---- files and chunks --------------------------------------------------------------- */

static void write_file(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, len, f), len);
    fclose(f);
}

/* Records with long notes so that many of them straddle 1 MiB chunks. */
static char *big_input(int as_array, size_t nrec, size_t *len)
{
    size_t note = 100000, cap = nrec * (note + 200) + 16;
    char *s = malloc(cap);
    ck_assert_ptr_nonnull(s);
    size_t n = 0;
    if (as_array)
        s[n++] = '[';
    for (size_t i = 0; i < nrec; i++) {
        if (as_array && i)
            s[n++] = ',';
        n += (size_t)sprintf(s + n, "\r\n{\"source\": \"s%zu\",\r\n"
                                    " \"killed\": %zu, \"note\": \"",
                             i, i);
        memset(s + n, 'a' + (int)(i % 26), note);
        n += note;
        n += (size_t)sprintf(s + n, "\\\"}\"}");
        if (!as_array)
            n += (size_t)sprintf(s + n, "\n");
    }
    if (as_array)
        n += (size_t)sprintf(s + n, "]\n");
    *len = n;
    return s;
}

START_TEST(files_should_stream_records_across_chunks)
{
    char path[64];
    for (int as_array = 0; as_array < 2; as_array++) {
        size_t nrec = 40, len;
        char *data = big_input(as_array, nrec, &len);
        if (!as_array) {
            /* JSON Lines: one record per line, no newline inside */
            size_t k = 0;
            for (size_t i = 0; i < len; i++)
                if (!(i + 2 < len && data[i] == '\r' &&
                      data[i + 1] == '\n' && data[i + 2] == ' '))
                    data[k++] = data[i];
                else
                    i++;
            len = k;
        }
        snprintf(path, sizeof path, "/tmp/toll_ingest_%ld.%s",
                 (long)getpid(), as_array ? "json" : "JSONL");
        write_file(path, data, len);
        toll_reports *r = new_store();
        toll_error err;
        size_t n = 0;
        ck_assert_int_eq(toll_reports_load_file(r, path, NULL, &n, &err),
                         TOLL_OK);
        ck_assert_uint_eq(n, nrec);
        for (size_t i = 0; i < nrec; i++) {
            char want[32];
            snprintf(want, sizeof want, "s%zu", i);
            ck_assert_str_eq(S(r, r->source[i]), want);
            ck_assert_int_eq(report_cell(r, i, "killed")->low, (int64_t)i);
            ck_assert_uint_eq(toll__strlen(&r->strings, r->note[i]), 100002);
            /* array: "[\r\n{" starts line 2, each record spans 2 lines;
             * JSON Lines: a blank line ("\r\n") before each record. */
            ck_assert_uint_eq(r->line[i], 2 + 2 * i);
        }
        ck_assert_str_eq(S(r, r->file[0]), path);
        toll_reports_free(r);
        remove(path);
        free(data);
    }
}
END_TEST

START_TEST(load_file_should_report_missing_files)
{
    toll_reports *r = new_store();
    toll_error err;
    ck_assert_int_eq(toll_reports_load_file(r, "/nonexistent/x.json", NULL,
                                            NULL, &err),
                     TOLL_ENOTFOUND);
    ck_assert_ptr_nonnull(strstr(err.message, "/nonexistent/x.json"));
    ck_assert_int_eq(toll_reports_load_file(NULL, "x", NULL, NULL, &err),
                     TOLL_EINVAL);
    ck_assert_int_eq(toll_reports_load_buffer(r, NULL, 3, NULL, NULL, NULL,
                                              &err),
                     TOLL_EINVAL);
    toll_reports_free(r);
}
END_TEST

START_TEST(json_files_starting_with_an_object_should_read_as_lines)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/toll_ingest_%ld.json", (long)getpid());
    const char *text = "{\"source\": \"a\"}\n{\"source\": \"b\"}\n";
    write_file(path, text, strlen(text));
    toll_reports *r = new_store();
    toll_error err;
    size_t n = 0;
    ck_assert_int_eq(toll_reports_load_file(r, path, NULL, &n, &err),
                     TOLL_OK);
    ck_assert_uint_eq(n, 2);
    toll_reports_free(r);
    remove(path);
}
END_TEST

/* ---- allocation failure ----------------------------------------------------------- */

static const char *SMALL =
    "{\"incident\": \"i1\", \"source\": \"SOHR\", \"region\": \"Syria/Aleppo\","
    " \"actor\": [\"Russia\", \"Syria\"], \"killed\": 92, \"injured\": "
    "\"dozens\", \"x\": {\"a\": 1}, \"date\": \"2016-09\"}\n"
    "{\"source\": \"b\", \"children_killed\": {\"low\": 1, \"high\": null}, "
    "\"y\": \"z\", \"killed\": \"unknown\"}\n";

static const char *SMALL_ARRAY =
    "[{\"source\": \"a\", \"region\": [\"Syria\", \"Idlib\"], "
    "\"killed\": {\"low\": 1, \"high\": 9, \"best\": 2}},\n"
    " {\"source\": \"b\", \"actor\": \"X\", \"x\": [1, 2]}]";

START_TEST(out_of_memory_should_fail_cleanly_at_every_allocation)
{
    const char *text = _i == 0 ? SMALL : SMALL_ARRAY;
    int succeeded = 0;
    for (long k = 1; k < 10000 && !succeeded; k++) {
        failing_alloc f;
        failing_alloc_init(&f, 0);
        toll_reports *r = NULL;
        ck_assert_int_eq(toll_reports_new(&f.a, &r, NULL), TOLL_OK);
        f.fail_at = f.count + k;
        toll_error err;
        size_t n = 9;
        toll_status st = load_fmt(r, text, TOLL_FORMAT_AUTO, k % 2, &n, &err);
        if (st == TOLL_OK) {
            succeeded = 1;
            ck_assert_uint_eq(n, 2);
            ck_assert_uint_eq(toll_reports_count(r), 2);
        } else {
            ck_assert_msg(st == TOLL_ENOMEM, "k=%ld: %s", k, err.message);
            ck_assert_uint_eq(n, 0);
            ck_assert_uint_eq(toll_reports_count(r), 0);
            ck_assert_uint_eq(r->strings.count, 1);
            ck_assert_uint_eq(toll_reports_category_count(r), 0);
            ck_assert_uint_eq(toll_reports_reject_count(r), 0);
        }
        toll_reports_free(r);
        ck_assert_int_eq(f.live, 0);
    }
    ck_assert(succeeded);
}
END_TEST

START_TEST(out_of_memory_should_keep_existing_data)
{
    int succeeded = 0;
    for (long k = 1; k < 10000 && !succeeded; k++) {
        failing_alloc f;
        failing_alloc_init(&f, 0);
        toll_reports *r = NULL;
        toll_error err;
        ck_assert_int_eq(toll_reports_new(&f.a, &r, NULL), TOLL_OK);
        ck_assert_int_eq(load(r, "{\"source\": \"first\", \"killed\": 5}",
                              &err),
                         TOLL_OK);
        size_t nstrings = r->strings.count;
        f.fail_at = f.count + k;
        toll_status st = load(r, SMALL, &err);
        if (st == TOLL_OK) {
            succeeded = 1;
            ck_assert_uint_eq(toll_reports_count(r), 3);
        } else {
            ck_assert_int_eq(st, TOLL_ENOMEM);
            ck_assert_uint_eq(toll_reports_count(r), 1);
            ck_assert_uint_eq(r->strings.count, nstrings);
            ck_assert_str_eq(S(r, r->source[0]), "first");
            assert_qcell(report_cell(r, 0, "killed"), 5, 5, 5);
            ck_assert_uint_eq(toll_reports_category_count(r), 1);
            /* the store is usable again once memory is back */
            f.fail_at = 0;
            ck_assert_int_eq(load(r, "{\"source\": \"again\"}", &err),
                             TOLL_OK);
            ck_assert_uint_eq(toll_reports_count(r), 2);
        }
        toll_reports_free(r);
        ck_assert_int_eq(f.live, 0);
    }
    ck_assert(succeeded);
}
END_TEST


/* ---- minified arrays, names in any case -------------------------------------- */

static const char *MINIFIED =
    "[{\"source\":\"a\",\"killed\":1},{\"source\":\"b\",\"killed\":2},"
    "{\"source\":\"c\",\"killed\":3},{\"source\":\"d\",\"killed\":\"x\"}]";

START_TEST(json_minified_array_messages_should_name_the_record)
{
    toll_reports *r = new_store();
    toll_error err;
    size_t n = 0;
    ck_assert_int_eq(load(r, MINIFIED, &err), TOLL_EPARSE);
    ck_assert_int_eq(err.line, 1);
    ck_assert_int_eq(err.record, 3);
    ck_assert_msg(strncmp(err.message, "<test>:1: record 4: field 'killed'",
                          34) == 0,
                  "%s", err.message);
    ck_assert_int_eq(load_fmt(r, MINIFIED, TOLL_FORMAT_AUTO, 1, &n, &err),
                     TOLL_OK);
    ck_assert_uint_eq(n, 3);
    ck_assert_uint_eq(toll_reports_reject_count(r), 1);
    ck_assert_ptr_nonnull(strstr(toll_reports_reject(r, 0)->message,
                                 "<test>:1: record 4:"));
    /* one record per line: messages as before, "F:LINE:" */
    ck_assert_int_eq(load(r, "[\n{\"source\": \"a\"},\n{\"killed\": 1}\n]",
                          &err),
                     TOLL_EREPORT);
    ck_assert_msg(strncmp(err.message, "<test>:3: missing", 17) == 0, "%s",
                  err.message);
    toll_reports_free(r);
}
END_TEST

START_TEST(json_minified_array_keyless_incidents_should_get_unique_names)
{
    toll_reports *r = new_store();
    toll_error err;
    ck_assert_int_eq(load_fmt(r, MINIFIED, TOLL_FORMAT_AUTO, 1, NULL, &err),
                     TOLL_OK);
    ck_assert_int_eq(load(r, "[\n{\"source\": \"e\", \"killed\": 4}\n]", &err),
                     TOLL_OK);
    toll_table *t = NULL;
    ck_assert_int_eq(toll_reports_table(r, NULL, &t, &err), TOLL_OK);
    size_t j = toll_table_column_index(t, "report");
    ck_assert_str_eq(toll_table_string(t, j, 0), "<test>:1");
    ck_assert_str_eq(toll_table_string(t, j, 1), "<test>:1#2");
    ck_assert_str_eq(toll_table_string(t, j, 2), "<test>:1#3");
    ck_assert_str_eq(toll_table_string(t, j, 3), "<test>:2");
    toll_table_free(t);
    toll_incidents *inc = NULL;
    ck_assert_int_eq(toll_reconcile(r, NULL, NULL, &inc, &err), TOLL_OK);
    ck_assert_int_eq(toll_incidents_table(inc, NULL, &t, &err), TOLL_OK);
    j = toll_table_column_index(t, "incident");
    ck_assert_uint_eq(toll_table_nrows(t), 4);
    for (size_t i = 0; i < 4; i++)
        for (size_t k = 0; k < i; k++)
            ck_assert_str_ne(toll_table_string(t, j, i),
                             toll_table_string(t, j, k));
    toll_table_free(t);
    toll_incidents_free(inc);
    toll_reports_free(r);
}
END_TEST

START_TEST(json_keys_should_match_standard_names_in_any_case)
{
    toll_reports *r = new_store();
    toll_error err;
    size_t n = 0;
    ck_assert_int_eq(
        load(r, "{\"Source\": \"a\", \"KILLED\": 4, \"Date\": \"2020\"}\n",
             &err),
        TOLL_OK);
    assert_qcell(report_cell(r, 0, "killed"), 4, 4, 4);
    ck_assert_str_eq(S(r, r->source[0]), "a");
    /* two keys naming one field: a record error naming both */
    const char *two = "{\"source\": \"a\", \"killed\": 1, \"Killed\": 2}\n"
                      "{\"source\": \"b\", \"killed\": 3}\n";
    ck_assert_int_eq(load(r, two, &err), TOLL_EREPORT);
    ck_assert_int_eq(err.line, 1);
    ck_assert_ptr_nonnull(strstr(err.message, "'killed' and 'Killed' both "
                                              "name the field 'killed'"));
    ck_assert_int_eq(load_fmt(r, two, TOLL_FORMAT_AUTO, 1, &n, &err), TOLL_OK);
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_eq(toll_reports_reject_count(r), 1);
    toll_reports_free(r);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("ingest_json");
    TCase *tc = tcase_create("json");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, json_array_should_load_every_field);
    tcase_add_test(tc, jsonl_should_load_one_object_per_line);
    tcase_add_test(tc, json_should_read_quantity_forms);
    tcase_add_test(tc, json_should_reject_bad_numbers_naming_field_and_text);
    tcase_add_test(tc, json_should_validate_quantity_objects);
    tcase_add_test(tc,
                   json_should_give_the_exact_message_for_unreadable_quantities);
    tcase_add_test(tc,
                   json_array_errors_should_give_the_line_where_the_element_starts);
    tcase_add_test(tc, json_syntax_errors_should_name_the_record_and_line);
    tcase_add_test(tc,
                   json_array_structure_errors_should_fail_even_when_lenient);
    tcase_add_test(tc, json_elements_that_are_not_objects_should_be_rejected);
    tcase_add_test(tc, strict_failure_should_leave_earlier_data_intact);
    tcase_add_test(tc, lenient_load_should_list_rejects_with_reasons);
    tcase_add_test(tc, json_should_reject_duplicate_keys_naming_the_key);
    tcase_add_test(tc, json_should_require_a_source);
    tcase_add_test(tc, json_should_reject_wrong_types);
    tcase_add_test(tc, json_should_accept_numbers_for_incident_and_id);
    tcase_add_test(tc, json_should_read_a_number_date_as_its_text);
    tcase_add_test(tc, json_should_check_source_kinds);
    tcase_add_test(tc, json_regions_should_be_normalised);
    tcase_add_test(tc, json_actor_strings_should_split_at_the_actor_separator);
    tcase_add_test(tc, json_unknown_fields_should_be_kept_as_extras);
    tcase_add_test(tc, json_dates_should_span_partial_dates);
    tcase_add_test(tc, json_date_errors_should_name_record_and_fields);
    tcase_add_test(tc, json_should_skip_a_bom);
    tcase_add_test(tc, jsonl_should_accept_crlf_and_cr_line_ends);
    tcase_add_test(tc, json_should_reject_invalid_utf8_naming_the_field);
    tcase_add_test(tc, json_deep_nesting_should_be_a_record_error);
    tcase_add_test(tc, empty_inputs_should_load_nothing);
    tcase_add_test(tc, json_should_apply_a_column_map);
    tcase_add_test(tc, files_should_stream_records_across_chunks);
    tcase_add_test(tc, load_file_should_report_missing_files);
    tcase_add_test(tc, json_files_starting_with_an_object_should_read_as_lines);
    tcase_add_loop_test(tc,
                        out_of_memory_should_fail_cleanly_at_every_allocation,
                        0, 2);
    tcase_add_test(tc, out_of_memory_should_keep_existing_data);
    tcase_add_test(tc, json_minified_array_messages_should_name_the_record);
    tcase_add_test(tc,
                   json_minified_array_keyless_incidents_should_get_unique_names);
    tcase_add_test(tc, json_keys_should_match_standard_names_in_any_case);
    suite_add_tcase(s, tc);
    return toll_test_run(s);
}
