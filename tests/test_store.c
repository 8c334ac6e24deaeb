/* tests/test_store.c - the columnar report store: append, rollback, rejects. */
#include "store/store.h"
#include "reconcile/reconcile.h"
#include "render/render.h"
#include "testutil.h"

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
    toll__kv x = {S(r, "dyad"), S(r, "955")};
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
    ck_assert_str_eq(toll__str(&r->strings, r->x[r->x_begin[2]].value), "955");
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
    return s;
}

int main(void) { return toll_test_run(store_suite()); }
