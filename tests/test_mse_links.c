/*
 * tests/test_mse_links.c - capture histories from scored record links and
 * the sensitivity of N-hat to the linkage threshold (toll_mse_linkage_*,
 * toll_mse_sensitivity_table in toll/mse.h).
 *
 * The cases are small graphs worked by hand; the estimates are checked
 * against toll_mse_loglinear and toll_mse_search on the same histories
 * (their own published checks are in test_mse.c).
 */
#include "testutil.h"
#include "toll/mse.h"

#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *const ABC[] = {"A", "B", "C"};

static toll_mse_linkage *new_linkage(const toll_allocator *a)
{
    toll_mse_linkage *lk = NULL;
    toll_error err;
    ck_assert_int_eq(toll_mse_linkage_new(3, ABC, NULL, a, &lk, &err),
                     TOLL_OK);
    return lk;
}

static void add_rec(toll_mse_linkage *lk, const char *id, const char *list,
                    const char *stratum)
{
    toll_error err;
    toll_status st = toll_mse_linkage_add_record(lk, id, list, stratum, &err);
    ck_assert_msg(st == TOLL_OK, "%s", err.message);
}

static void add_link(toll_mse_linkage *lk, const char *a, const char *b,
                     double score)
{
    toll_error err;
    toll_status st = toll_mse_linkage_add_link(lk, a, b, score, &err);
    ck_assert_msg(st == TOLL_OK, "%s", err.message);
}

/* a1 b1 c1 a2 b2 c2 a3; links a1-b1 .9, b1-c1 .6, a2-b2 .8, a3-a1 .95 */
static toll_mse_linkage *hand_case(void)
{
    toll_mse_linkage *lk = new_linkage(NULL);
    add_rec(lk, "a1", "A", NULL);
    add_rec(lk, "b1", "B", NULL);
    add_rec(lk, "c1", "C", NULL);
    add_rec(lk, "a2", "A", NULL);
    add_rec(lk, "b2", "B", NULL);
    add_rec(lk, "c2", "C", NULL);
    add_rec(lk, "a3", "A", NULL);
    add_link(lk, "a1", "b1", 0.9);
    add_link(lk, "b1", "c1", 0.6);
    add_link(lk, "a2", "b2", 0.8);
    add_link(lk, "a3", "a1", 0.95);
    return lk;
}

static toll_mse_data *at(const toll_mse_linkage *lk, double t)
{
    toll_mse_data *d = NULL;
    toll_error err;
    toll_status st = toll_mse_linkage_data(lk, t, NULL, 0, NULL, &d, &err);
    ck_assert_msg(st == TOLL_OK, "%s", err.message);
    return d;
}

/* cell counts 100,010,110,001,101,011,111 (bit-mask order 1..7) */
static void assert_cells(const toll_mse_data *d, const int64_t want[7])
{
    for (unsigned p = 1; p < 8; p++)
        ck_assert_msg(toll_mse_data_count(d, TOLL_MSE_TOTAL, p) ==
                          want[p - 1],
                      "cell %u: %lld, want %lld", p,
                      (long long)toll_mse_data_count(d, TOLL_MSE_TOTAL, p),
                      (long long)want[p - 1]);
}

START_TEST(data_should_join_records_linked_at_or_above_the_threshold)
{
    toll_mse_linkage *lk = hand_case();
    ck_assert_uint_eq(toll_mse_linkage_nrecords(lk), 7);
    ck_assert_uint_eq(toll_mse_linkage_nlinks(lk), 4);
    /* 0.5: {a1,b1,c1,a3} 111, {a2,b2} 110, {c2} 001 */
    toll_mse_data *d = at(lk, 0.5);
    const int64_t w05[7] = {0, 0, 1, 1, 0, 0, 1};
    assert_cells(d, w05);
    toll_mse_data_free(d);
    /* 0.6 is "at or above": b1-c1 still joins */
    d = at(lk, 0.6);
    assert_cells(d, w05);
    toll_mse_data_free(d);
    /* 0.7: {a1,b1,a3} 110, {c1} 001, {a2,b2} 110, {c2} 001 */
    d = at(lk, 0.7);
    const int64_t w07[7] = {0, 0, 2, 2, 0, 0, 0};
    assert_cells(d, w07);
    ck_assert_int_eq(toll_mse_data_observed(d, TOLL_MSE_TOTAL), 4);
    toll_mse_data_free(d);
    /* 0.99: every record alone */
    d = at(lk, 0.99);
    const int64_t w99[7] = {3, 2, 0, 2, 0, 0, 0};
    assert_cells(d, w99);
    toll_mse_data_free(d);
    toll_mse_linkage_free(lk);
}
END_TEST

START_TEST(data_should_count_a_within_list_duplicate_once)
{
    toll_mse_linkage *lk = new_linkage(NULL);
    add_rec(lk, "a1", "A", NULL);
    add_rec(lk, "a2", "A", NULL);
    add_rec(lk, "b1", "B", NULL);
    add_link(lk, "a1", "a2", 5);
    add_link(lk, "a2", "b1", 3);
    toll_mse_data *d = at(lk, 5);
    const int64_t w5[7] = {1, 1, 0, 0, 0, 0, 0};
    assert_cells(d, w5);
    toll_mse_data_free(d);
    d = at(lk, 3);
    const int64_t w3[7] = {0, 0, 1, 0, 0, 0, 0};
    assert_cells(d, w3);
    toll_mse_data_free(d);
    toll_mse_linkage_free(lk);
}
END_TEST

START_TEST(data_should_ignore_a_record_linked_to_itself)
{
    toll_mse_linkage *lk = new_linkage(NULL);
    add_rec(lk, "a1", "A", NULL);
    add_rec(lk, "b1", "B", NULL);
    add_link(lk, "a1", "a1", 1);
    add_link(lk, "b1", "a1", 0.2);
    add_link(lk, "a1", "b1", 0.2); /* both directions */
    toll_mse_data *d = at(lk, 0.5);
    const int64_t w[7] = {1, 1, 0, 0, 0, 0, 0};
    assert_cells(d, w);
    toll_mse_data_free(d);
    d = at(lk, 0.2);
    const int64_t w2[7] = {0, 0, 1, 0, 0, 0, 0};
    assert_cells(d, w2);
    toll_mse_data_free(d);
    toll_mse_linkage_free(lk);
}
END_TEST

START_TEST(components_should_number_individuals_by_their_first_record)
{
    toll_mse_linkage *lk = hand_case();
    size_t comp[7], n = 0;
    toll_error err;
    ck_assert_int_eq(toll_mse_linkage_components(lk, 0.7, comp, 7, &n, &err),
                     TOLL_OK);
    ck_assert_uint_eq(n, 4);
    const size_t want[7] = {0, 0, 1, 2, 2, 3, 0};
    for (int i = 0; i < 7; i++)
        ck_assert_uint_eq(comp[i], want[i]);
    ck_assert_int_eq(toll_mse_linkage_components(lk, 0.7, comp, 6, &n, &err),
                     TOLL_EINVAL);
    toll_mse_linkage_free(lk);
}
END_TEST

START_TEST(data_should_count_only_the_individuals_kept)
{
    toll_mse_linkage *lk = hand_case();
    /* 0.7: individuals 0 {a1,b1,a3} 110, 1 {c1}, 2 {a2,b2} 110, 3 {c2} */
    const unsigned char keep[4] = {1, 0, 0, 1};
    toll_mse_data *d = NULL;
    toll_error err;
    ck_assert_int_eq(toll_mse_linkage_data(lk, 0.7, keep, 4, NULL, &d, &err),
                     TOLL_OK);
    const int64_t w[7] = {0, 0, 1, 1, 0, 0, 0};
    assert_cells(d, w);
    toll_mse_data_free(d);
    ck_assert_int_eq(toll_mse_linkage_data(lk, 0.7, keep, 3, NULL, &d, &err),
                     TOLL_EINVAL);
    ck_assert_ptr_null(d);
    ck_assert_ptr_nonnull(strstr(err.message, "3 keep flags for 4"));
    toll_mse_linkage_free(lk);
}
END_TEST

START_TEST(data_should_put_a_component_in_the_stratum_of_its_first_record)
{
    toll_mse_linkage *lk = new_linkage(NULL);
    add_rec(lk, "a1", "A", "north");
    add_rec(lk, "b1", "B", "south");
    add_rec(lk, "b2", "B", "south");
    add_rec(lk, "c2", "C", "south");
    add_link(lk, "a1", "b1", 1);
    add_link(lk, "b2", "c2", 1);
    toll_mse_data *d = at(lk, 1);
    ck_assert_uint_eq(toll_mse_data_nstrata(d), 2);
    ck_assert_str_eq(toll_mse_data_stratum_name(d, 0), "north");
    ck_assert_str_eq(toll_mse_data_stratum_name(d, 1), "south");
    ck_assert_int_eq(toll_mse_data_count(d, 0, 0x3), 1);
    ck_assert_int_eq(toll_mse_data_count(d, 1, 0x6), 1);
    ck_assert_int_eq(toll_mse_data_observed(d, 1), 1);
    toll_mse_data_free(d);
    toll_mse_linkage_free(lk);
}
END_TEST

/* A random graph: observed individuals never fall as the threshold rises,
 * and each cell count comes from whole components. */
START_TEST(observed_should_never_fall_as_the_threshold_rises)
{
    toll_mse_linkage *lk = new_linkage(NULL);
    char id[32], id2[32];
    uint64_t x = 88172645463325252ull;
    for (int i = 0; i < 300; i++) {
        snprintf(id, sizeof id, "r%d", i);
        add_rec(lk, id, ABC[i % 3], NULL);
    }
    for (int k = 0; k < 400; k++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        int a = (int)(x % 300);
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        int b = (int)(x % 300);
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        snprintf(id, sizeof id, "r%d", a);
        snprintf(id2, sizeof id2, "r%d", b);
        add_link(lk, id, id2, (double)(x % 1000) / 1000.0);
    }
    int64_t prev = 0;
    for (int t = 0; t <= 20; t++) {
        toll_mse_data *d = at(lk, t / 20.0);
        int64_t obs = toll_mse_data_observed(d, TOLL_MSE_TOTAL);
        ck_assert_msg(obs >= prev, "threshold %g: %lld after %lld", t / 20.0,
                      (long long)obs, (long long)prev);
        size_t n = 0, comp[300];
        toll_error err;
        ck_assert_int_eq(toll_mse_linkage_components(lk, t / 20.0, comp, 300,
                                                     &n, &err),
                         TOLL_OK);
        ck_assert_int_eq(obs, (int64_t)n);
        prev = obs;
        toll_mse_data_free(d);
    }
    ck_assert_int_eq(prev, 300);
    toll_mse_linkage_free(lk);
}
END_TEST

START_TEST(add_record_should_refuse_bad_records_naming_number_field_and_text)
{
    toll_mse_linkage_fields f = {.list = "source"};
    toll_mse_linkage *lk = NULL;
    toll_error err;
    ck_assert_int_eq(toll_mse_linkage_new(3, ABC, &f, NULL, &lk, &err),
                     TOLL_OK);
    add_rec(lk, "a1", "A", NULL);
    ck_assert_int_eq(toll_mse_linkage_add_record(lk, "x", "XX", NULL, &err),
                     TOLL_EINVAL);
    ck_assert_str_eq(err.message, "record 2: field 'source': unknown list "
                                  "\"XX\" (lists: A, B, C)");
    ck_assert_str_eq(err.field, "source");
    ck_assert_str_eq(err.text, "XX");
    ck_assert_int_eq(toll_mse_linkage_add_record(lk, "a1", "B", NULL, &err),
                     TOLL_EINVAL);
    ck_assert_str_eq(err.message,
                     "record 2: field 'id': id \"a1\" repeats record 1");
    ck_assert_int_eq(toll_mse_linkage_add_record(lk, "", "B", NULL, &err),
                     TOLL_EINVAL);
    ck_assert_str_eq(err.message, "record 2: field 'id': the id is empty");
    ck_assert_uint_eq(toll_mse_linkage_nrecords(lk), 1);
    toll_mse_linkage_free(lk);
}
END_TEST

START_TEST(add_link_should_refuse_unknown_ids_and_scores_that_are_not_finite)
{
    toll_mse_linkage *lk = hand_case();
    toll_error err;
    ck_assert_int_eq(toll_mse_linkage_add_link(lk, "a1", "zz", 1, &err),
                     TOLL_EINVAL);
    ck_assert_str_eq(err.message,
                     "link 5: field 'id_b': unknown record id \"zz\"");
    ck_assert_str_eq(err.text, "zz");
    ck_assert_int_eq(toll_mse_linkage_add_link(lk, "q", "a1", 1, &err),
                     TOLL_EINVAL);
    ck_assert_str_eq(err.field, "id_a");
    ck_assert_int_eq(toll_mse_linkage_add_link(lk, "a1", "b1", NAN, &err),
                     TOLL_EINVAL);
    ck_assert_str_eq(err.message, "link 5: field 'score': the score is not "
                                  "a number (a link needs a finite score)");
    ck_assert_int_eq(
        toll_mse_linkage_add_link(lk, "a1", "b1", INFINITY, &err),
        TOLL_EINVAL);
    ck_assert_str_eq(err.field, "score");
    ck_assert_uint_eq(toll_mse_linkage_nlinks(lk), 4);
    toll_mse_data *d = NULL;
    ck_assert_int_eq(toll_mse_linkage_data(lk, NAN, NULL, 0, NULL, &d, &err),
                     TOLL_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.message, "finite"));
    toll_mse_linkage_free(lk);
}
END_TEST

START_TEST(new_should_refuse_bad_lists)
{
    const char *const dup[] = {"A", "A"};
    toll_mse_linkage *lk = NULL;
    toll_error err;
    ck_assert_int_eq(toll_mse_linkage_new(2, dup, NULL, NULL, &lk, &err),
                     TOLL_EINVAL);
    ck_assert_ptr_null(lk);
    ck_assert_int_eq(toll_mse_linkage_new(0, NULL, NULL, NULL, &lk, &err),
                     TOLL_EINVAL);
}
END_TEST

/* A larger case with overlaps at every threshold. */
static toll_mse_linkage *bigger_case(void)
{
    toll_mse_linkage *lk = new_linkage(NULL);
    char a[32], b[32];
    /* 120 on A, 100 on B, 90 on C; A_i ~ B_i for i < 60 (score by i),
     * B_i ~ C_i for i < 40, A_i ~ C_i for 20 <= i < 50 */
    const int n[3] = {120, 100, 90};
    for (int j = 0; j < 3; j++)
        for (int i = 0; i < n[j]; i++) {
            snprintf(a, sizeof a, "%s%d", ABC[j], i);
            add_rec(lk, a, ABC[j], NULL);
        }
    for (int i = 0; i < 60; i++) {
        snprintf(a, sizeof a, "A%d", i);
        snprintf(b, sizeof b, "B%d", i);
        add_link(lk, a, b, 0.3 + 0.01 * i);
    }
    for (int i = 0; i < 40; i++) {
        snprintf(a, sizeof a, "B%d", i);
        snprintf(b, sizeof b, "C%d", i);
        add_link(lk, a, b, 0.95 - 0.01 * i);
    }
    for (int i = 20; i < 50; i++) {
        snprintf(a, sizeof a, "A%d", i);
        snprintf(b, sizeof b, "C%d", i);
        add_link(lk, a, b, 0.5);
    }
    return lk;
}

START_TEST(sensitivity_should_estimate_each_threshold_as_the_model_does)
{
    toll_mse_linkage *lk = bigger_case();
    const double thr[3] = {0.4, 0.6, 0.8};
    toll_mse_sensitivity_options o;
    toll_mse_sensitivity_options_init(&o);
    o.model = "B*C";
    toll_table *t = NULL;
    toll_error err;
    toll_status st = toll_mse_linkage_sensitivity(lk, thr, 3, &o, NULL, &t,
                                                  &err);
    ck_assert_msg(st == TOLL_OK, "%s", err.message);
    ck_assert_uint_eq(toll_table_nrows(t), 3);
    ck_assert_str_eq(toll_table_column_name(t, 0), "threshold");
    ck_assert_str_eq(toll_table_column_name(t, 1), "observed");
    ck_assert_str_eq(toll_table_column_name(t, 2), "model");
    size_t jn = toll_table_column_index(t, "n_hat");
    size_t jl = toll_table_column_index(t, "lower");
    ck_assert_uint_eq(toll_table_column_index(t, "observed"), 1);
    for (size_t i = 0; i < 3; i++) {
        toll_mse_data *d = at(lk, thr[i]);
        toll_mse_model m;
        ck_assert_int_eq(toll_mse_model_parse(d, "B*C", &m, &err), TOLL_OK);
        toll_mse_estimate e;
        ck_assert_int_eq(toll_mse_loglinear(d, TOLL_MSE_TOTAL, m, NULL, &e,
                                            &err),
                         TOLL_OK);
        ck_assert_double_eq(toll_table_double(t, 0)[i], thr[i]);
        ck_assert_double_eq(toll_table_double(t, 1)[i],
                            (double)toll_mse_data_observed(d,
                                                           TOLL_MSE_TOTAL));
        ck_assert_double_eq_tol(toll_table_double(t, jn)[i], e.n_hat, 1e-9);
        ck_assert_double_eq_tol(toll_table_double(t, jl)[i], e.lo, 1e-9);
        ck_assert_str_eq(toll_table_string(t, 2, i), "A + B + C + B*C");
        toll_mse_data_free(d);
    }
    /* stricter matching: more individuals observed */
    ck_assert(toll_table_double(t, 1)[0] < toll_table_double(t, 1)[2]);
    toll_table_free(t);
    toll_mse_linkage_free(lk);
}
END_TEST

START_TEST(sensitivity_should_give_the_search_average_and_best)
{
    toll_mse_linkage *lk = bigger_case();
    const double thr[2] = {0.45, 0.7};
    toll_mse_sensitivity_options o;
    toll_mse_sensitivity_options_init(&o);
    o.est.profile = 0;
    for (int kind = 1; kind <= 2; kind++) {
        o.kind = kind == 1 ? TOLL_MSE_SENS_BEST : TOLL_MSE_SENS_AVERAGE;
        o.criterion = TOLL_MSE_BIC;
        toll_table *t = NULL;
        toll_error err;
        ck_assert_int_eq(
            toll_mse_linkage_sensitivity(lk, thr, 2, &o, NULL, &t, &err),
            TOLL_OK);
        size_t jn = toll_table_column_index(t, "n_hat");
        for (size_t i = 0; i < 2; i++) {
            toll_mse_data *d = at(lk, thr[i]);
            toll_mse_results *r = NULL;
            ck_assert_int_eq(toll_mse_search(d, TOLL_MSE_TOTAL, TOLL_MSE_BIC,
                                             &o.est, NULL, &r, &err),
                             TOLL_OK);
            const toll_mse_estimate *e = kind == 1
                                             ? toll_mse_results_get(r, 0)
                                             : toll_mse_results_average(r);
            ck_assert_double_eq_tol(toll_table_double(t, jn)[i], e->n_hat,
                                    1e-9);
            ck_assert_str_eq(toll_table_string(t, 2, i),
                             kind == 1 ? e->model_name : "model average");
            toll_mse_results_free(r);
            toll_mse_data_free(d);
        }
        toll_table_free(t);
    }
    toll_mse_linkage_free(lk);
}
END_TEST

START_TEST(sensitivity_should_report_a_threshold_without_overlap_in_its_row)
{
    toll_mse_linkage *lk = hand_case();
    const double thr[2] = {0.5, 0.99};
    toll_table *t = NULL;
    toll_error err;
    toll_status st = toll_mse_linkage_sensitivity(lk, thr, 2, NULL, NULL, &t,
                                                  &err);
    ck_assert_msg(st == TOLL_OK, "%s", err.message);
    size_t jn = toll_table_column_index(t, "n_hat");
    size_t jw = toll_table_column_index(t, "warning");
    ck_assert(isnan(toll_table_double(t, jn)[1]));
    size_t ja = toll_table_column_index(t, "aic");
    size_t jd = toll_table_column_index(t, "df");
    ck_assert(isnan(toll_table_double(t, ja)[1])); /* no statistics */
    ck_assert(isnan(toll_table_double(t, jd)[1]));
    ck_assert_double_eq(toll_table_double(t, 1)[1], 7);
    ck_assert_ptr_nonnull(toll_table_string(t, jw, 1));
    ck_assert_msg(strlen(toll_table_string(t, jw, 1)) > 10, "%s",
                  toll_table_string(t, jw, 1));
    toll_table_free(t);
    ck_assert_int_eq(toll_mse_linkage_sensitivity(lk, thr, 0, NULL, NULL, &t,
                                                  &err),
                     TOLL_EINVAL);
    toll_mse_sensitivity_options o;
    toll_mse_sensitivity_options_init(&o);
    o.model = "A*D";
    ck_assert_int_eq(toll_mse_linkage_sensitivity(lk, thr, 2, &o, NULL, &t,
                                                  &err),
                     TOLL_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.message, "D"));
    toll_mse_linkage_free(lk);
}
END_TEST

START_TEST(linkage_should_survive_every_allocation_failure)
{
    long n;
    for (n = 1; n < 2000; n++) {
        failing_alloc fa;
        failing_alloc_init(&fa, n);
        toll_mse_linkage *lk = NULL;
        toll_error err;
        toll_status st = toll_mse_linkage_new(3, ABC, NULL, &fa.a, &lk, &err);
        const char *ids[5] = {"a1", "b1", "c1", "a2", "b2"};
        for (int i = 0; i < 5 && !st; i++)
            st = toll_mse_linkage_add_record(lk, ids[i], ABC[i % 3],
                                             i < 3 ? "x" : "y", &err);
        if (!st)
            st = toll_mse_linkage_add_link(lk, "a1", "b1", 1, &err);
        if (!st)
            st = toll_mse_linkage_add_link(lk, "b1", "c1", 1, &err);
        if (!st)
            st = toll_mse_linkage_add_link(lk, "a2", "b2", 1, &err);
        toll_table *t = NULL;
        const double thr[2] = {0.5, 2};
        if (!st)
            st = toll_mse_linkage_sensitivity(lk, thr, 2, NULL, NULL, &t,
                                              &err);
        ck_assert_msg(st == TOLL_OK || st == TOLL_ENOMEM, "%ld: %s", n,
                      err.message);
        toll_table_free(t);
        toll_mse_linkage_free(lk);
        ck_assert_int_eq(fa.live, 0);
        if (st == TOLL_OK)
            break;
    }
    ck_assert(n > 5 && n < 2000);
}
END_TEST

static Suite *links_suite(void)
{
    Suite *s = suite_create("mse_links");
    TCase *tc = tcase_create("linkage");
    tcase_add_test(tc, data_should_join_records_linked_at_or_above_the_threshold);
    tcase_add_test(tc, data_should_count_a_within_list_duplicate_once);
    tcase_add_test(tc, data_should_ignore_a_record_linked_to_itself);
    tcase_add_test(tc, components_should_number_individuals_by_their_first_record);
    tcase_add_test(tc, data_should_count_only_the_individuals_kept);
    tcase_add_test(tc, data_should_put_a_component_in_the_stratum_of_its_first_record);
    tcase_add_test(tc, observed_should_never_fall_as_the_threshold_rises);
    tcase_add_test(tc, add_record_should_refuse_bad_records_naming_number_field_and_text);
    tcase_add_test(tc, add_link_should_refuse_unknown_ids_and_scores_that_are_not_finite);
    tcase_add_test(tc, new_should_refuse_bad_lists);
    tcase_add_test(tc, sensitivity_should_estimate_each_threshold_as_the_model_does);
    tcase_add_test(tc, sensitivity_should_give_the_search_average_and_best);
    tcase_add_test(tc, sensitivity_should_report_a_threshold_without_overlap_in_its_row);
    tcase_add_test(tc, linkage_should_survive_every_allocation_failure);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    gsl_set_error_handler_off();
    return toll_test_run(links_suite());
}
