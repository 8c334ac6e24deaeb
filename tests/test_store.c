/* tests/test_store.c - the columnar report store: append, rollback, rejects. */
#include "store/store.h"
#include "reconcile/reconcile.h"
#include "render/render.h"
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static uint32_t S(toll_reports *r, const char *s)
{
    uint32_t id = 0;
    ck_assert_int_eq(toll__strpool_intern(&r->strings, s, strlen(s), &id), TOLL_OK);
    return id;
}

static toll_status add(toll_reports *r, const char *source, const char *cat,
                       int64_t low, int64_t high)
{
    toll__qcell q = {S(r, cat), low, high, (double)low};
    toll__kv x = {S(r, "dyad"), 3};
    toll__row row;
    memset(&row, 0, sizeof row);
    row.source = S(r, source);
    row.date_start = row.date_end = TOLL_NO_DATE;
    row.file = S(r, "<test>");
    row.line = (uint32_t)r->n + 1;
    row.q = &q;
    row.nq = 1;
    row.x = &x;
    row.nx = 1;
    row.xtext = "955";
    return toll__reports_append(r, &row, NULL);
}

START_TEST(new_store_should_be_empty)
{
    toll_reports *r = NULL;
    ck_assert_int_eq(toll_reports_new(NULL, &r, NULL), TOLL_OK);
    ck_assert_uint_eq(toll_reports_count(r), 0);
    ck_assert_uint_eq(toll_reports_category_count(r), 0);
    ck_assert_uint_eq(toll_reports_reject_count(r), 0);
    ck_assert_ptr_null(toll_reports_reject(r, 0));
    ck_assert_ptr_null(toll_reports_category(r, 0));
    toll_reports_free(r);
}
END_TEST

START_TEST(free_should_accept_null)
{
    toll_reports_free(NULL);
    ck_assert_uint_eq(toll_reports_count(NULL), 0);
}
END_TEST

START_TEST(new_should_reject_a_null_out_pointer)
{
    toll_error e;
    ck_assert_int_eq(toll_reports_new(NULL, NULL, &e), TOLL_EINVAL);
}
END_TEST

START_TEST(append_should_store_columns_and_categories_in_first_seen_order)
{
    toll_reports *r = NULL;
    toll_reports_new(NULL, &r, NULL);
    ck_assert_int_eq(add(r, "SOHR", "killed", 92, 92), TOLL_OK);
    ck_assert_int_eq(add(r, "LCC", "injured", 5, TOLL_OPEN), TOLL_OK);
    ck_assert_int_eq(add(r, "LCC", "killed", 85, 85), TOLL_OK);
    ck_assert_uint_eq(toll_reports_count(r), 3);
    ck_assert_uint_eq(toll_reports_category_count(r), 2);
    ck_assert_str_eq(toll_reports_category(r, 0), "killed");
    ck_assert_str_eq(toll_reports_category(r, 1), "injured");
    ck_assert_str_eq(toll__str(&r->strings, r->source[1]), "LCC");
    ck_assert_int_eq(r->q[r->q_begin[1]].high, TOLL_OPEN);
    ck_assert_uint_eq(r->x_count[2], 1);
    ck_assert_str_eq(report_extra(r, 2, "dyad"), "955");
    toll_reports_free(r);
}
END_TEST

START_TEST(rollback_should_restore_the_store_exactly)
{
    toll_reports *r = NULL;
    toll_reports_new(NULL, &r, NULL);
    add(r, "SOHR", "killed", 92, 92);
    toll__mark m;
    toll__reports_mark(r, &m);
    for (int i = 0; i < 1000; i++)
        add(r, "Other", "children_killed", i, i);
    toll__reports_rollback(r, &m);
    ck_assert_uint_eq(toll_reports_count(r), 1);
    ck_assert_uint_eq(toll_reports_category_count(r), 1);
    uint32_t id;
    ck_assert(!toll__strpool_find(&r->strings, "Other", 5, &id));
    ck_assert_str_eq(toll__str(&r->strings, r->source[0]), "SOHR");
    ck_assert_int_eq(r->q[0].low, 92);
    ck_assert_int_eq(add(r, "Next", "killed", 1, 1), TOLL_OK);
    ck_assert_uint_eq(toll_reports_count(r), 2);
    toll_reports_free(r);
}
END_TEST

START_TEST(rejects_should_be_listed_and_cleared)
{
    toll_reports *r = NULL;
    toll_reports_new(NULL, &r, NULL);
    toll_error e;
    toll__seterr(&e, TOLL_EPARSE, "f.csv", 3, 1, "killed", "x", 1, "bad");
    ck_assert_int_eq(toll__reports_add_reject(r, &e), TOLL_OK);
    ck_assert_uint_eq(toll_reports_reject_count(r), 1);
    ck_assert_str_eq(toll_reports_reject(r, 0)->message, "f.csv:3: field 'killed': bad");
    toll__reports_clear_rejects(r);
    ck_assert_uint_eq(toll_reports_reject_count(r), 0);
    toll_reports_free(r);
}
END_TEST

START_TEST(append_should_fail_with_enomem_and_keep_earlier_rows)
{
    for (long n = 1; n < 400; n++) {
        failing_alloc f;
        failing_alloc_init(&f, 0);
        toll_reports *r = NULL;
        ck_assert_int_eq(toll_reports_new(&f.a, &r, NULL), TOLL_OK);
        ck_assert_int_eq(add(r, "SOHR", "killed", 92, 92), TOLL_OK);
        f.fail_at = f.count + n;
        toll_status st = TOLL_OK;
        int i;
        for (i = 0; i < 300 && st == TOLL_OK; i++) {
            uint32_t src = 0;
            toll__mark m;
            toll__reports_mark(r, &m);
            st = toll__strpool_intern(&r->strings, "Other", 5, &src);
            if (st == TOLL_OK) {
                toll__qcell q = {0, 1, 1, 1.0};
                toll__row row;
                memset(&row, 0, sizeof row);
                row.source = src;
                row.q = &q;
                row.nq = 1;
                st = toll__reports_append(r, &row, NULL);
            }
            if (st)
                toll__reports_rollback(r, &m);
        }
        ck_assert(st == TOLL_OK || st == TOLL_ENOMEM);
        ck_assert_uint_ge(toll_reports_count(r), 1);
        ck_assert_int_eq(r->q[0].low, 92);
        ck_assert_str_eq(toll__str(&r->strings, r->source[0]), "SOHR");
        toll_reports_free(r);
        ck_assert_int_eq(f.live, 0);
    }
}
END_TEST

START_TEST(new_should_report_enomem_and_leak_nothing)
{
    for (long n = 1; n < 20; n++) {
        failing_alloc f;
        failing_alloc_init(&f, n);
        toll_reports *r = NULL;
        toll_error e;
        toll_status st = toll_reports_new(&f.a, &r, &e);
        if (st == TOLL_OK)
            toll_reports_free(r);
        else {
            ck_assert_int_eq(st, TOLL_ENOMEM);
            ck_assert_ptr_null(r);
            ck_assert_str_eq(e.message, "out of memory");
        }
        ck_assert_int_eq(f.live, 0);
    }
}
END_TEST

/* ---- toll_reports_table ------------------------------------------------------ */

static const char *const TABLE_REPORTS =
    "{\"incident\":\"e1\",\"source\":\"SNHR\",\"source_kind\":\"monitor\","
    "\"date\":\"2016-09-25\",\"region\":\"Syria/Idlib\","
    "\"actor\":[\"Syria\",\"Russia\"],\"id\":\"x1\","
    "\"url\":\"http://a\",\"note\":\"n\",\"killed\":\"85-92\","
    "\"injured\":\"at least 4\",\"tv\":\"1\"}\n"
    "{\"source\":\"AFP\",\"date_start\":\"2016-10-01\","
    "\"date_end\":\"2016-10-03\",\"killed\":7,\"dyad\":\"955\"}\n"
    "{\"source\":\"UN\",\"source_actor\":\"Russia\",\"killed\":\"unknown\"}\n";

static toll_table *reports_table(toll_reports **r)
{
    toll_error err;
    ck_assert_int_eq(toll_reports_new(NULL, r, NULL), TOLL_OK);
    ck_assert_msg(toll_reports_load_buffer(*r, TABLE_REPORTS,
                                           strlen(TABLE_REPORTS), "t.jsonl",
                                           NULL, NULL, &err) == TOLL_OK,
                  "%s", err.message);
    toll_table *t = NULL;
    ck_assert_int_eq(toll_reports_table(*r, NULL, &t, &err), TOLL_OK);
    ck_assert_ptr_nonnull(t);
    return t;
}

static const char *cell(const toll_table *t, const char *name, size_t i)
{
    long j = toll_table_column_index(t, name);
    ck_assert_msg(j >= 0, "no column %s", name);
    ck_assert_int_eq(toll_table_column_type(t, (size_t)j), TOLL_COL_STRING);
    return toll_table_string(t, (size_t)j, i);
}

static double num(const toll_table *t, const char *name, size_t i)
{
    long j = toll_table_column_index(t, name);
    ck_assert_msg(j >= 0, "no column %s", name);
    const double *d = toll_table_double(t, (size_t)j);
    ck_assert_ptr_nonnull(d);
    return d[i];
}

START_TEST(reports_table_should_list_the_report_fields_in_order)
{
    toll_reports *r;
    toll_table *t = reports_table(&r);
    static const char *const names[] = {
        "report", "incident", "source", "source_kind", "source_actor",
        "date_start", "date_end", "region", "actor", "id", "url", "note",
        "lat", "lon", "location", "precision_km",
        "killed_low", "killed_best", "killed_high", "injured_low",
        "injured_best", "injured_high", "tv", "dyad"};
    ck_assert_uint_eq(toll_table_ncols(t), 24);
    ck_assert_uint_eq(toll_table_nrows(t), 3);
    for (size_t j = 0; j < 24; j++)
        ck_assert_str_eq(toll_table_column_name(t, j), names[j]);
    ck_assert_uint_eq(toll_table_nkeys(t), 0);
    toll_table_free(t);
    toll_reports_free(r);
}
END_TEST

START_TEST(reports_table_string_columns_should_hold_each_report_or_missing)
{
    toll_reports *r;
    toll_table *t = reports_table(&r);
    ck_assert_str_eq(cell(t, "report", 0), "t.jsonl:1");
    ck_assert_str_eq(cell(t, "report", 2), "t.jsonl:3");
    ck_assert_str_eq(cell(t, "incident", 0), "e1");
    ck_assert_ptr_null(cell(t, "incident", 1));
    ck_assert_str_eq(cell(t, "source", 1), "AFP");
    ck_assert_str_eq(cell(t, "source_kind", 0), "monitor");
    ck_assert_str_eq(cell(t, "source_kind", 1), "other");
    ck_assert_str_eq(cell(t, "source_actor", 2), "Russia");
    ck_assert_ptr_null(cell(t, "source_actor", 0));
    ck_assert_str_eq(cell(t, "region", 0), "Syria/Idlib");
    ck_assert_ptr_null(cell(t, "region", 1));
    ck_assert_str_eq(cell(t, "actor", 0), "Russia + Syria");
    ck_assert_ptr_null(cell(t, "actor", 1));
    ck_assert_str_eq(cell(t, "id", 0), "x1");
    ck_assert_str_eq(cell(t, "url", 0), "http://a");
    ck_assert_str_eq(cell(t, "note", 0), "n");
    ck_assert_ptr_null(cell(t, "note", 2));
    toll_table_free(t);
    toll_reports_free(r);
}
END_TEST

START_TEST(reports_table_date_columns_should_give_start_and_end)
{
    toll_reports *r;
    toll_table *t = reports_table(&r);
    ck_assert_str_eq(cell(t, "date_start", 0), "2016-09-25");
    ck_assert_str_eq(cell(t, "date_end", 0), "2016-09-25");
    ck_assert_str_eq(cell(t, "date_start", 1), "2016-10-01");
    ck_assert_str_eq(cell(t, "date_end", 1), "2016-10-03");
    ck_assert_ptr_null(cell(t, "date_start", 2));
    ck_assert_ptr_null(cell(t, "date_end", 2));
    toll_table_free(t);
    toll_reports_free(r);
}
END_TEST

START_TEST(reports_table_category_columns_should_give_low_best_high)
{
    toll_reports *r;
    toll_table *t = reports_table(&r);
    ck_assert_double_eq(num(t, "killed_low", 0), 85);
    ck_assert_double_eq(num(t, "killed_high", 0), 92);
    ck_assert(num(t, "killed_best", 0) >= 85 &&
              num(t, "killed_best", 0) <= 92);
    ck_assert_double_eq(num(t, "killed_low", 1), 7);
    ck_assert_double_eq(num(t, "killed_best", 1), 7);
    ck_assert_double_eq(num(t, "killed_high", 1), 7);
    /* open range: high +inf */
    ck_assert_double_eq(num(t, "injured_low", 0), 4);
    ck_assert(isinf(num(t, "injured_high", 0)) &&
              num(t, "injured_high", 0) > 0);
    /* no figure, and an unknown one: missing */
    ck_assert(isnan(num(t, "injured_low", 1)));
    ck_assert(isnan(num(t, "injured_best", 1)));
    ck_assert(isnan(num(t, "killed_low", 2)));
    ck_assert(isnan(num(t, "killed_high", 2)));
    toll_table_free(t);
    toll_reports_free(r);
}
END_TEST

START_TEST(reports_table_kept_field_columns_should_hold_their_values)
{
    toll_reports *r;
    toll_table *t = reports_table(&r);
    ck_assert_str_eq(cell(t, "tv", 0), "1");
    ck_assert_ptr_null(cell(t, "tv", 1));
    ck_assert_str_eq(cell(t, "dyad", 1), "955");
    ck_assert_ptr_null(cell(t, "dyad", 0));
    toll_table_free(t);
    toll_reports_free(r);
}
END_TEST

START_TEST(reports_table_should_outlive_the_store_and_use_the_allocator)
{
    toll_reports *r;
    toll_table *t = reports_table(&r);
    toll_table_free(t);
    for (long n = 1; n < 400; n++) {
        failing_alloc f;
        failing_alloc_init(&f, n);
        t = NULL;
        toll_error e;
        toll_status st = toll_reports_table(r, &f.a, &t, &e);
        if (st == TOLL_OK) {
            toll_reports_free(r);
            r = NULL;
            ck_assert_str_eq(cell(t, "source", 1), "AFP");
            toll_table_free(t);
            ck_assert_int_eq(f.live, 0);
            break;
        }
        ck_assert_int_eq(st, TOLL_ENOMEM);
        ck_assert_ptr_null(t);
        ck_assert_int_eq(f.live, 0);
    }
    ck_assert_ptr_null(r);
}
END_TEST

START_TEST(reports_table_of_an_empty_store_should_have_no_rows)
{
    toll_reports *r = NULL;
    ck_assert_int_eq(toll_reports_new(NULL, &r, NULL), TOLL_OK);
    toll_table *t = NULL;
    ck_assert_int_eq(toll_reports_table(r, NULL, &t, NULL), TOLL_OK);
    ck_assert_uint_eq(toll_table_nrows(t), 0);
    ck_assert_uint_eq(toll_table_ncols(t), 16);
    toll_table_free(t);
    toll_error e;
    ck_assert_int_eq(toll_reports_table(NULL, NULL, &t, &e), TOLL_EINVAL);
    ck_assert_ptr_null(t);
    toll_reports_free(r);
}
END_TEST

/* ---- actor identity (src/base/fold.c, toll__reports_intern_actor) ---- */

/* The identity key of `name`, in one of two static buffers (used in
 * turn, so that one assertion may compare two keys). */
static const char *key_of(const char *name)
{
    static char bufs[2][256];
    static int turn;
    char *out = bufs[turn ^= 1];
    toll__buf b;
    toll__buf_init(&b, toll_default_allocator());
    ck_assert_int_eq(toll__actor_fold(name, strlen(name), &b), TOLL_OK);
    ck_assert_uint_lt(b.len, sizeof bufs[0]);
    memcpy(out, b.data ? b.data : "", b.len);
    out[b.len] = '\0';
    toll__buf_free(&b);
    return out;
}

static uint32_t actor(toll_reports *r, const char *name)
{
    uint32_t id = 0;
    ck_assert_int_eq(toll__reports_intern_actor(r, name, strlen(name), &id),
                     TOLL_OK);
    return id;
}

START_TEST(actor_key_should_lower_case_and_collapse_white_space)
{
    ck_assert_str_eq(key_of("Russia"), "russia");
    ck_assert_str_eq(key_of("  Russian \t\n Federation  "),
                     "russian federation");
}
END_TEST

START_TEST(actor_key_should_fold_non_ascii_case)
{
    ck_assert_str_eq(key_of("ÖSTERREICH"), "österreich");
    ck_assert_str_eq(key_of("österreich"), "österreich");
    ck_assert_str_eq(key_of("Straße"), "strasse"); /* full folding */
    ck_assert_str_eq(key_of("ΣΥΡΊΑ"), key_of("συρία"));
}
END_TEST

START_TEST(actor_key_should_normalise_compatibility_forms_and_ignorables)
{
    ck_assert_str_eq(key_of("O\xcc\x88" "sterreich"), "österreich"); /* NFC */
    ck_assert_str_eq(key_of("\xef\xbc\xb2" "ussia"), "russia"); /* fullwidth R */
    ck_assert_str_eq(key_of("Rus\xc2\xad" "sia"), "russia");    /* soft hyphen */
    ck_assert_str_eq(key_of("Russian\xc2\xa0 Federation"),   /* no-break */
                     "russian federation");
    ck_assert_str_eq(key_of("Russian\xe2\x80\x83" "Federation"), /* em space */
                     "russian federation");
}
END_TEST

START_TEST(actor_key_should_keep_dotted_capital_i_apart_from_i)
{
    /* Unicode default folding, not Turkish: U+0130 is i + U+0307 */
    ck_assert_str_eq(key_of("\xc4\xb0" "zmir"), "i\xcc\x87" "zmir");
    ck_assert_str_eq(key_of("\xc4\xb0" "zmir"), key_of("i\xcc\x87" "ZMIR"));
    ck_assert_str_ne(key_of("\xc4\xb0" "zmir"), key_of("Izmir"));
}
END_TEST

START_TEST(actor_key_of_a_long_name_should_fold_every_letter)
{
    char name[2 * 300 + 1], want[2 * 300 + 1];
    for (int i = 0; i < 300; i++) {
        memcpy(name + 2 * i, "\xc3\x96", 2); /* Ö */
        memcpy(want + 2 * i, "\xc3\xb6", 2); /* ö */
    }
    name[600] = want[600] = '\0';
    toll__buf b;
    toll__buf_init(&b, toll_default_allocator());
    ck_assert_int_eq(toll__actor_fold(name, 600, &b), TOLL_OK);
    ck_assert_uint_eq(b.len, 600);
    ck_assert_mem_eq(b.data, want, 600);
    toll__buf_free(&b);
}
END_TEST

START_TEST(actor_key_of_text_that_is_not_utf8_should_be_its_bytes_lowered)
{
    ck_assert_str_eq(key_of("\xff" "ABC  D"), "\xff" "abc d");
    ck_assert_str_eq(key_of("\xe2\x80\x8b"), "\xe2\x80\x8b"); /* only a ZWSP */
}
END_TEST

START_TEST(actor_spellings_should_intern_as_one_id)
{
    toll_reports *r = NULL;
    ck_assert_int_eq(toll_reports_new(NULL, &r, NULL), TOLL_OK);
    uint32_t a = actor(r, "Russia");
    ck_assert_uint_ne(a, 0);
    ck_assert_uint_eq(actor(r, "russia"), a);
    ck_assert_uint_eq(actor(r, "RUSSIA"), a);
    ck_assert_uint_eq(actor(r, " Russia  "), a);
    ck_assert_uint_ne(actor(r, "Russian Federation"), a);
    uint32_t id;
    int found;
    ck_assert_int_eq(toll__reports_find_actor(r, &r->alloc, "rUssIa", 6, &id,
                                              &found),
                     TOLL_OK);
    ck_assert_int_eq(found, 1);
    ck_assert_uint_eq(id, a);
    ck_assert_int_eq(toll__reports_find_actor(r, &r->alloc, "Syria", 5, &id,
                                              &found),
                     TOLL_OK);
    ck_assert_int_eq(found, 0);
    toll_reports_free(r);
}
END_TEST

START_TEST(actor_label_should_keep_the_first_spelling)
{
    toll_reports *r = NULL;
    ck_assert_int_eq(toll_reports_new(NULL, &r, NULL), TOLL_OK);
    uint32_t a = actor(r, "russia");
    ck_assert_uint_eq(actor(r, "Russia"), a);
    ck_assert_str_eq(toll__str(&r->strings, a), "russia");
    /* the other spelling is not stored at all */
    uint32_t id;
    ck_assert(!toll__strpool_find(&r->strings, "Russia", 6, &id));
    toll_reports_free(r);
}
END_TEST

START_TEST(rollback_should_forget_actors_added_after_the_mark)
{
    toll_reports *r = NULL;
    ck_assert_int_eq(toll_reports_new(NULL, &r, NULL), TOLL_OK);
    uint32_t syria = actor(r, "Syria");
    toll__mark m;
    toll__reports_mark(r, &m);
    actor(r, "russia");
    toll__reports_rollback(r, &m);
    uint32_t a = actor(r, "Russia");
    ck_assert_str_eq(toll__str(&r->strings, a), "Russia");
    ck_assert_uint_eq(actor(r, "SYRIA"), syria);
    toll_reports_free(r);
}
END_TEST

START_TEST(copy_should_keep_actor_identity)
{
    toll_reports *r = NULL, *c = NULL;
    ck_assert_int_eq(toll_reports_new(NULL, &r, NULL), TOLL_OK);
    uint32_t a = actor(r, "Russia");
    ck_assert_int_eq(toll_reports_copy(r, NULL, &c, NULL), TOLL_OK);
    ck_assert_uint_eq(actor(c, "RUSSIA"), a);
    ck_assert_uint_ne(actor(c, "Syria"), a);
    toll_reports_free(c);
    toll_reports_free(r);
}
END_TEST

/* A load stores source_actor and the actors' names by identity, on the
 * generic path (JSON Lines) and on the CSV plan. */
static void assert_loaded_as_one_actor(const char *text, const char *name)
{
    toll_reports *r = NULL;
    toll_error err;
    ck_assert_int_eq(toll_reports_new(NULL, &r, NULL), TOLL_OK);
    ck_assert_msg(toll_reports_load_buffer(r, text, strlen(text), name, NULL,
                                           NULL, &err) == TOLL_OK,
                  "%s", err.message);
    ck_assert_uint_eq(r->n, 3);
    uint32_t first = r->source_actor[0];
    ck_assert_str_eq(toll__str(&r->strings, first), "russia");
    for (size_t i = 0; i < r->n; i++) {
        ck_assert_uint_eq(r->actors[i], r->actors[0]);
        ck_assert_uint_eq(r->source_actor[i], first);
    }
    ck_assert_uint_eq(toll__set_size(&r->actor_sets, r->actors[0]), 1);
    ck_assert_uint_eq(toll__set_members(&r->actor_sets, r->actors[0])[0],
                      first);
    toll_reports_free(r);
}

START_TEST(json_lines_load_should_store_each_actor_once_in_any_spelling)
{
    assert_loaded_as_one_actor(
        "{\"source\":\"a\",\"source_actor\":\"russia\",\"actor\":\"Russia\"}\n"
        "{\"source\":\"b\",\"source_actor\":\"RUSSIA \",\"actor\":[\"russia\","
        "\" Russia\"]}\n"
        "{\"source\":\"c\",\"source_actor\":\"Russia\",\"actor\":\"RUSSIA\"}\n",
        "a.jsonl");
}
END_TEST

START_TEST(csv_load_should_store_each_actor_once_in_any_spelling)
{
    assert_loaded_as_one_actor("source,source_actor,actor,killed\n"
                               "a,russia,Russia,1\n"
                               "b,RUSSIA ,russia; Russia,2\n"
                               "c,Russia,RUSSIA,3\n",
                               "a.csv");
}
END_TEST

/* ---- kept fields: text in the store, interned only where read ----------- */

static toll_reports *load_text(const char *text, const char *name,
                               toll_status want)
{
    toll_reports *r = NULL;
    toll_error err;
    ck_assert_int_eq(toll_reports_new(NULL, &r, NULL), TOLL_OK);
    ck_assert_msg(toll_reports_load_buffer(r, text, strlen(text), name, NULL,
                                           NULL, &err) == want,
                  "%s", err.message);
    return r;
}

static int interned(const toll_reports *r, const char *s)
{
    uint32_t id;
    return toll__strpool_find(&r->strings, s, strlen(s), &id);
}

static const char *const KEPT_CSV =
    "source,killed,dyad,note2,tv\n"
    "G,1,428,\"a \"\"quoted\"\", text\",1\n"
    "G,2,,plain,3\n"
    "G,3,11018,\"two\nlines\",1\n";

START_TEST(kept_values_should_read_back_after_load_without_being_interned)
{
    toll_reports *r = load_text(KEPT_CSV, "k.csv", TOLL_OK);
    ck_assert_uint_eq(r->n, 3);
    ck_assert_str_eq(report_extra(r, 0, "dyad"), "428");
    ck_assert_str_eq(report_extra(r, 0, "note2"), "a \"quoted\", text");
    ck_assert_ptr_null(report_extra(r, 1, "dyad")); /* empty: not kept */
    ck_assert_str_eq(report_extra(r, 2, "note2"), "two\nlines");
    ck_assert_str_eq(report_extra(r, 2, "tv"), "1");
    ck_assert(interned(r, "dyad")); /* names are ids */
    ck_assert(!interned(r, "11018")); /* values are text */
    ck_assert(!interned(r, "plain"));
    toll_reports_free(r);
}
END_TEST

START_TEST(kept_values_of_json_arrays_should_read_back_compacted)
{
    toll_reports *r = load_text(
        "{\"source\":\"G\",\"killed\":1,\"tags\":[\"a\", \"b c\"],"
        "\"n\":12}\n",
        "k.jsonl", TOLL_OK);
    ck_assert_str_eq(report_extra(r, 0, "tags"), "[\"a\",\"b c\"]");
    ck_assert_str_eq(report_extra(r, 0, "n"), "12");
    toll_reports_free(r);
}
END_TEST

START_TEST(a_failed_load_should_keep_the_earlier_kept_fields_readable)
{
    toll_reports *r = load_text(KEPT_CSV, "k.csv", TOLL_OK);
    size_t nxtext = r->nxtext;
    /* kept text staged and appended, then a bad record: rolled back */
    const char *bad = "source,killed,dyad\nH,1,999\nH,2,998\nH,x y z,997\n";
    toll_error err;
    ck_assert_int_ne(toll_reports_load_buffer(r, bad, strlen(bad), "b.csv",
                                              NULL, NULL, &err),
                     TOLL_OK);
    ck_assert_uint_eq(r->n, 3);
    ck_assert_uint_eq(r->nxtext, nxtext);
    ck_assert_str_eq(report_extra(r, 0, "note2"), "a \"quoted\", text");
    ck_assert_str_eq(report_extra(r, 2, "dyad"), "11018");
    /* a later load appends after them */
    const char *good = "source,killed,dyad\nH,1,777\n";
    ck_assert_int_eq(toll_reports_load_buffer(r, good, strlen(good), "g.csv",
                                              NULL, NULL, &err),
                     TOLL_OK);
    ck_assert_str_eq(report_extra(r, 3, "dyad"), "777");
    ck_assert_str_eq(report_extra(r, 2, "note2"), "two\nlines");
    toll_reports_free(r);
}
END_TEST

START_TEST(copy_should_keep_kept_fields)
{
    toll_reports *r = load_text(KEPT_CSV, "k.csv", TOLL_OK), *c = NULL;
    ck_assert_int_eq(toll_reports_copy(r, NULL, &c, NULL), TOLL_OK);
    toll_reports_free(r); /* the copy owns its text */
    ck_assert_str_eq(report_extra(c, 0, "note2"), "a \"quoted\", text");
    ck_assert_str_eq(report_extra(c, 2, "dyad"), "11018");
    ck_assert_ptr_null(report_extra(c, 1, "dyad"));
    toll_reports_free(c);
}
END_TEST

START_TEST(merge_should_keep_both_stores_kept_fields)
{
    toll_reports *r = load_text(KEPT_CSV, "k.csv", TOLL_OK);
    toll_reports *b = load_text("source,killed,tv,extra\nH,4,2,x\nH,5,,y\n",
                                "b.csv", TOLL_OK);
    int conflict = 1;
    ck_assert_int_eq(toll__reports_merge(r, b, 3, 0, &conflict), TOLL_OK);
    ck_assert_int_eq(conflict, 0);
    toll_reports_free(b);
    ck_assert_uint_eq(r->n, 5);
    ck_assert_str_eq(report_extra(r, 0, "note2"), "a \"quoted\", text");
    ck_assert_str_eq(report_extra(r, 2, "dyad"), "11018");
    ck_assert_str_eq(report_extra(r, 3, "tv"), "2");
    ck_assert_str_eq(report_extra(r, 3, "extra"), "x");
    ck_assert_ptr_null(report_extra(r, 4, "tv"));
    ck_assert_str_eq(report_extra(r, 4, "extra"), "y");
    toll_reports_free(r);
}
END_TEST

START_TEST(rollback_over_a_merge_should_keep_the_earlier_kept_fields)
{
    toll_reports *r = load_text(KEPT_CSV, "k.csv", TOLL_OK);
    toll_reports *b = load_text("source,killed,tv\nH,4,2\n", "b.csv",
                                TOLL_OK);
    toll__mark m;
    toll__reports_mark(r, &m);
    int conflict = 1;
    ck_assert_int_eq(toll__reports_merge(r, b, 3, 0, &conflict), TOLL_OK);
    toll_reports_free(b);
    toll__reports_rollback(r, &m);
    ck_assert_uint_eq(r->n, 3);
    ck_assert_str_eq(report_extra(r, 2, "note2"), "two\nlines");
    const char *more = "source,killed,dyad\nH,1,777\n";
    toll_error err;
    ck_assert_int_eq(toll_reports_load_buffer(r, more, strlen(more), "m.csv",
                                              NULL, NULL, &err),
                     TOLL_OK);
    ck_assert_str_eq(report_extra(r, 3, "dyad"), "777");
    ck_assert_str_eq(report_extra(r, 0, "dyad"), "428");
    toll_reports_free(r);
}
END_TEST

/* ---- optional columns: allocated at the first value ---------------------- */

/* An allocator that counts the bytes it holds. */
typedef struct counting_alloc {
    size_t live;
    toll_allocator a;
} counting_alloc;

static void *count_malloc(void *ctx, size_t size)
{
    ((counting_alloc *)ctx)->live += size;
    return malloc(size);
}
static void *count_realloc(void *ctx, void *p, size_t old, size_t size)
{
    counting_alloc *c = ctx;
    void *q = realloc(p, size);
    if (q)
        c->live += size - old;
    return q;
}
static void count_free(void *ctx, void *p, size_t size)
{
    if (p)
        ((counting_alloc *)ctx)->live -= size;
    free(p);
}

/* Bytes a store holds after loading 1000 CSV reports with an `id` column
 * that is empty except, when `one_id`, in the last report. */
static size_t bytes_with_ids(int one_id, toll_reports **out)
{
    counting_alloc *c = calloc(1, sizeof *c);
    ck_assert_ptr_nonnull(c);
    c->a = (toll_allocator){count_malloc, count_realloc, count_free, c};
    toll_reports *r = NULL;
    ck_assert_int_eq(toll_reports_new(&c->a, &r, NULL), TOLL_OK);
    char *text = malloc(64 * 1024);
    ck_assert_ptr_nonnull(text);
    size_t n = (size_t)sprintf(text, "source,killed,id,url,note\n");
    for (int i = 0; i < 1000; i++)
        n += (size_t)sprintf(text + n, "s%d,%d,%s,,\n", i % 7, i,
                             one_id && i == 999 ? "x" : "");
    toll_error err;
    ck_assert_msg(toll_reports_load_buffer(r, text, n, "ids.csv", NULL, NULL,
                                           &err) == TOLL_OK,
                  "%s", err.message);
    free(text);
    *out = r;
    return c->live;
}

START_TEST(an_all_empty_id_column_should_allocate_nothing)
{
    toll_reports *none, *one;
    size_t b_none = bytes_with_ids(0, &none);
    size_t b_one = bytes_with_ids(1, &one);
    ck_assert_ptr_null(none->id);
    ck_assert_ptr_null(none->url);
    ck_assert_ptr_null(none->note);
    ck_assert_ptr_null(none->source_actor);
    ck_assert_ptr_nonnull(one->id);
    /* the first id allocates the whole column, zeroed */
    ck_assert_uint_ge(b_one, b_none + 1000 * sizeof(uint32_t));
    ck_assert_uint_eq(toll__reports_opt(one->id, 0), 0);
    ck_assert_str_eq(toll__str(&one->strings, one->id[999]), "x");
    ck_assert_uint_eq(toll__reports_opt(none->id, 999), 0);
    counting_alloc *c0 = none->alloc.ctx, *c1 = one->alloc.ctx;
    toll_reports_free(none);
    toll_reports_free(one);
    free(c0);
    free(c1);
}
END_TEST

START_TEST(merge_should_fill_an_optional_column_only_one_store_has)
{
    toll_reports *r = load_text("source,killed,note\nA,1,\nB,2,\n", "a.csv",
                                TOLL_OK);
    toll_reports *b = load_text("source,killed,note\nC,3,hi\n", "b.csv",
                                TOLL_OK);
    ck_assert_ptr_null(r->note);
    int conflict = 1;
    ck_assert_int_eq(toll__reports_merge(r, b, 2, 0, &conflict), TOLL_OK);
    toll_reports_free(b);
    ck_assert_ptr_nonnull(r->note);
    ck_assert_uint_eq(r->note[0], 0);
    ck_assert_uint_eq(r->note[1], 0);
    ck_assert_str_eq(toll__str(&r->strings, r->note[2]), "hi");
    /* and back: b without the column, r with it */
    toll_reports *c = load_text("source,killed\nD,4\n", "c.csv", TOLL_OK);
    ck_assert_int_eq(toll__reports_merge(r, c, 3, 0, &conflict), TOLL_OK);
    toll_reports_free(c);
    ck_assert_uint_eq(r->n, 4);
    ck_assert_uint_eq(r->note[3], 0);
    toll_reports_free(r);
}
END_TEST

static Suite *store_suite(void)
{
    Suite *s = suite_create("store");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, new_store_should_be_empty);
    tcase_add_test(tc, free_should_accept_null);
    tcase_add_test(tc, new_should_reject_a_null_out_pointer);
    tcase_add_test(tc, append_should_store_columns_and_categories_in_first_seen_order);
    tcase_add_test(tc, rollback_should_restore_the_store_exactly);
    tcase_add_test(tc, rejects_should_be_listed_and_cleared);
    tcase_add_test(tc, append_should_fail_with_enomem_and_keep_earlier_rows);
    tcase_add_test(tc, new_should_report_enomem_and_leak_nothing);
    suite_add_tcase(s, tc);
    TCase *tt = tcase_create("table");
    tcase_add_test(tt, reports_table_should_list_the_report_fields_in_order);
    tcase_add_test(tt, reports_table_string_columns_should_hold_each_report_or_missing);
    tcase_add_test(tt, reports_table_date_columns_should_give_start_and_end);
    tcase_add_test(tt, reports_table_category_columns_should_give_low_best_high);
    tcase_add_test(tt, reports_table_kept_field_columns_should_hold_their_values);
    tcase_add_test(tt, reports_table_should_outlive_the_store_and_use_the_allocator);
    tcase_add_test(tt, reports_table_of_an_empty_store_should_have_no_rows);
    suite_add_tcase(s, tt);
    TCase *ta = tcase_create("actors");
    tcase_add_test(ta, actor_key_should_lower_case_and_collapse_white_space);
    tcase_add_test(ta, actor_key_should_fold_non_ascii_case);
    tcase_add_test(ta,
        actor_key_should_normalise_compatibility_forms_and_ignorables);
    tcase_add_test(ta, actor_key_should_keep_dotted_capital_i_apart_from_i);
    tcase_add_test(ta, actor_key_of_a_long_name_should_fold_every_letter);
    tcase_add_test(ta,
        actor_key_of_text_that_is_not_utf8_should_be_its_bytes_lowered);
    tcase_add_test(ta, actor_spellings_should_intern_as_one_id);
    tcase_add_test(ta, actor_label_should_keep_the_first_spelling);
    tcase_add_test(ta, rollback_should_forget_actors_added_after_the_mark);
    tcase_add_test(ta, copy_should_keep_actor_identity);
    tcase_add_test(ta,
        json_lines_load_should_store_each_actor_once_in_any_spelling);
    tcase_add_test(ta, csv_load_should_store_each_actor_once_in_any_spelling);
    suite_add_tcase(s, ta);
    TCase *tk = tcase_create("kept");
    tcase_add_test(tk,
        kept_values_should_read_back_after_load_without_being_interned);
    tcase_add_test(tk, kept_values_of_json_arrays_should_read_back_compacted);
    tcase_add_test(tk, a_failed_load_should_keep_the_earlier_kept_fields_readable);
    tcase_add_test(tk, copy_should_keep_kept_fields);
    tcase_add_test(tk, merge_should_keep_both_stores_kept_fields);
    tcase_add_test(tk, rollback_over_a_merge_should_keep_the_earlier_kept_fields);
    suite_add_tcase(s, tk);
    TCase *to = tcase_create("optional columns");
    tcase_add_test(to, an_all_empty_id_column_should_allocate_nothing);
    tcase_add_test(to, merge_should_fill_an_optional_column_only_one_store_has);
    suite_add_tcase(s, to);
    return s;
}

int main(void) { return toll_test_run(store_suite()); }
