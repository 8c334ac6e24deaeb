/*
 * tests/test_mse_loo.c - leave-one-list-out (toll_mse_leave_one_out).
 *
 * Each row must be the log-linear fit of the data with one list merged
 * away, so rows are checked against fits of data sets built by hand, and
 * the two-list rows against Lincoln-Petersen (the independence model on
 * two lists is N = n1 n2 / m exactly).  The Kosovo lists are read from
 * $TOLL_SHARED_DATA (skipped without it).
 */
#include "testutil.h"
#include "toll/mse.h"

#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static const char *L3[] = {"A", "B", "C"};
static const char *L4[] = {"A", "B", "C", "D"};
static const char *P4[] = {"1111", "1110", "1101", "1100", "1011",
                           "1010", "1001", "1000", "0111", "0110",
                           "0101", "0100", "0011", "0010", "0001"};
/* Bruno et al. (1994), as in tests/test_mse.c */
static const long BRUNO[] = {58, 157, 18, 104, 46, 650, 12, 709,
                             14, 20,  7,  74,  8,  182, 10};

static toll_mse_data *make(int K, const char **names, const char **pats,
                           const long *counts, int n, const char *stratum)
{
    toll_mse_data *d = NULL;
    toll_error err;
    ck_assert_int_eq(toll_mse_data_new(K, names, NULL, &d, &err), TOLL_OK);
    for (int i = 0; i < n; i++)
        ck_assert_msg(toll_mse_data_add_pattern(d, stratum, pats[i],
                                                counts[i], &err) == TOLL_OK,
                      "%s", err.message);
    return d;
}

static toll_table *loo(const toll_mse_data *d, size_t s, const char *model)
{
    toll_table *t = NULL;
    toll_error err;
    ck_assert_msg(toll_mse_leave_one_out(d, s, model, NULL, NULL, &t, &err) ==
                      TOLL_OK, "%s", err.message);
    return t;
}

static double num(const toll_table *t, const char *col, size_t r)
{
    long j = (long)toll_table_column_index(t, col);
    ck_assert_msg(j >= 0, "no column %s", col);
    return toll_table_double(t, (size_t)j)[r];
}

static const char *str(const toll_table *t, const char *col, size_t r)
{
    long j = (long)toll_table_column_index(t, col);
    ck_assert_msg(j >= 0, "no column %s", col);
    return toll_table_string(t, (size_t)j, r);
}

START_TEST(leave_one_out_should_have_one_row_per_list_with_its_columns)
{
    toll_mse_data *d = make(4, L4, P4, BRUNO, 15, NULL);
    toll_table *t = loo(d, TOLL_MSE_TOTAL, NULL);
    ck_assert_uint_eq(toll_table_nrows(t), 4);
    static const char *cols[] = {"dropped", "lists", "model", "observed",
                                 "n_hat", "se", "lower", "upper",
                                 "interval", "warning"};
    ck_assert_uint_eq(toll_table_ncols(t), 10);
    for (size_t j = 0; j < 10; j++)
        ck_assert_str_eq(toll_table_column_name(t, j), cols[j]);
    ck_assert_str_eq(str(t, "dropped", 0), "A");
    ck_assert_str_eq(str(t, "lists", 0), "B, C, D");
    ck_assert_str_eq(str(t, "model", 0), "B + C + D");
    ck_assert_str_eq(str(t, "dropped", 3), "D");
    ck_assert_str_eq(str(t, "lists", 3), "A, B, C");
    ck_assert_str_eq(str(t, "interval", 3), "profile");
    toll_table_free(t);
    toll_mse_data_free(d);
}
END_TEST

START_TEST(leave_one_out_should_merge_histories_over_the_dropped_list)
{
    /* Bruno's four lists without D: the histories 1110 and 1111 become
     * 111, and so on; those only on D (0001: 10) disappear */
    toll_mse_data *d = make(4, L4, P4, BRUNO, 15, NULL);
    toll_mse_data *abc = NULL;
    toll_error err;
    ck_assert_int_eq(toll_mse_data_new(3, L3, NULL, &abc, &err), TOLL_OK);
    for (int i = 0; i < 15; i++) {
        char p3[4];
        memcpy(p3, P4[i], 3);
        p3[3] = '\0';
        if (strcmp(p3, "000") != 0)
            ck_assert_int_eq(toll_mse_data_add_pattern(abc, NULL, p3,
                                                       BRUNO[i], &err),
                             TOLL_OK);
    }
    toll_table *t = loo(d, TOLL_MSE_TOTAL, NULL);
    toll_mse_estimate e;
    ck_assert_int_eq(toll_mse_loglinear(abc, TOLL_MSE_TOTAL, 0, NULL, &e,
                                        &err), TOLL_OK);
    ck_assert_double_eq(num(t, "observed", 3), 2069.0 - 10.0);
    ck_assert_double_eq(num(t, "observed", 3), e.observed);
    ck_assert_double_eq_tol(num(t, "n_hat", 3), e.n_hat, 1e-9 * e.n_hat);
    ck_assert_double_eq_tol(num(t, "se", 3), e.se, 1e-9 * e.se);
    ck_assert_double_eq_tol(num(t, "lower", 3), e.lo, 1e-6 * e.lo);
    ck_assert_double_eq_tol(num(t, "upper", 3), e.hi, 1e-6 * e.hi);
    toll_table_free(t);
    toll_mse_data_free(abc);
    toll_mse_data_free(d);
}
END_TEST

START_TEST(leave_one_out_of_three_lists_should_give_lincoln_petersen)
{
    /* n_AB = 10 + 5 (111 and 110), only A 40 + 6 (100, 101), only B 30 +
     * 4 (010, 011), only C 20 (001, disappears) */
    static const char *p[] = {"111", "110", "101", "100", "011", "010",
                              "001"};
    static const long c[] = {5, 10, 6, 40, 4, 30, 20};
    toll_mse_data *d = make(3, L3, p, c, 7, NULL);
    toll_table *t = loo(d, TOLL_MSE_TOTAL, NULL);
    toll_mse_estimate lp;
    toll_error err;
    ck_assert_int_eq(toll_mse_lincoln_petersen(d, TOLL_MSE_TOTAL, 0, 1, NULL,
                                               &lp, &err), TOLL_OK);
    /* n1 = 61, n2 = 49, m = 15: 61 * 49 / 15 */
    ck_assert_double_eq_tol(lp.n_hat, 61.0 * 49.0 / 15.0, 1e-9);
    ck_assert_str_eq(str(t, "dropped", 2), "C");
    ck_assert_double_eq(num(t, "observed", 2), 95.0);
    ck_assert_double_eq_tol(num(t, "n_hat", 2), lp.n_hat, 1e-6);
    ck_assert_double_eq_tol(num(t, "se", 2), lp.se, 1e-6);
    toll_table_free(t);
    toll_mse_data_free(d);
}
END_TEST

START_TEST(leave_one_out_should_drop_the_interactions_of_the_dropped_list)
{
    toll_mse_data *d = make(4, L4, P4, BRUNO, 15, NULL);
    toll_table *t = loo(d, TOLL_MSE_TOTAL, "A*B + B*C + C*D");
    ck_assert_str_eq(str(t, "model", 0), "B + C + D + B*C + C*D");
    ck_assert_str_eq(str(t, "model", 1), "A + C + D + C*D");
    ck_assert_str_eq(str(t, "model", 2), "A + B + D + A*B");
    ck_assert_str_eq(str(t, "model", 3), "A + B + C + A*B + B*C");
    toll_table_free(t);
    toll_mse_data_free(d);
}
END_TEST

START_TEST(leave_one_out_should_report_a_row_without_estimate_in_its_warning)
{
    /* A and B share no record: without C nothing overlaps */
    static const char *p[] = {"101", "100", "011", "010", "001"};
    static const long c[] = {8, 30, 6, 25, 20};
    toll_mse_data *d = make(3, L3, p, c, 5, NULL);
    toll_table *t = loo(d, TOLL_MSE_TOTAL, NULL);
    ck_assert_uint_eq(toll_table_nrows(t), 3);
    ck_assert(isnan(num(t, "n_hat", 2)));
    ck_assert(isnan(num(t, "se", 2)));
    ck_assert(isnan(num(t, "lower", 2)));
    ck_assert(isnan(num(t, "upper", 2)));
    ck_assert_str_eq(str(t, "interval", 2), "");
    ck_assert_double_eq(num(t, "observed", 2), 69.0);
    ck_assert_ptr_nonnull(strstr(str(t, "warning", 2), "'A'"));
    /* the other rows are estimates */
    ck_assert(isfinite(num(t, "n_hat", 0)) && isfinite(num(t, "n_hat", 1)));
    toll_table_free(t);
    /* a model whose estimate does not exist without a list: with A*B
     * the row of dropped C keeps A*B on two lists, a saturated model */
    toll_mse_data_free(d);
    static const char *p2[] = {"111", "110", "101", "100", "011", "010",
                               "001"};
    static const long c2[] = {0, 4, 8, 30, 6, 25, 20};
    d = make(3, L3, p2, c2, 7, NULL);
    t = loo(d, TOLL_MSE_TOTAL, "A*C + B*C");
    /* dropping A leaves B*C with n_11 = 0 + 6 > 0; dropping B leaves
     * A*C: 0 + 8; both two-list models are saturated */
    ck_assert(isnan(num(t, "n_hat", 0)));
    ck_assert_ptr_nonnull(strstr(str(t, "warning", 0), "saturated"));
    toll_table_free(t);
    toll_mse_data_free(d);
}
END_TEST

START_TEST(leave_one_out_should_refuse_fewer_than_three_lists)
{
    static const char *L2[] = {"A", "B"};
    static const char *p[] = {"11", "10", "01"};
    static const long c[] = {10, 40, 30};
    toll_mse_data *d = make(2, L2, p, c, 3, NULL);
    toll_table *t = (toll_table *)1;
    toll_error err;
    ck_assert_int_eq(toll_mse_leave_one_out(d, TOLL_MSE_TOTAL, NULL, NULL,
                                            NULL, &t, &err), TOLL_EINVAL);
    ck_assert_ptr_null(t);
    ck_assert_ptr_nonnull(strstr(err.message, "at least 3 lists"));
    toll_mse_data_free(d);
}
END_TEST

START_TEST(leave_one_out_should_refuse_a_bad_model_or_stratum)
{
    toll_mse_data *d = make(4, L4, P4, BRUNO, 15, NULL);
    toll_table *t = NULL;
    toll_error err;
    ck_assert_int_eq(toll_mse_leave_one_out(d, TOLL_MSE_TOTAL, "A*Q", NULL,
                                            NULL, &t, &err), TOLL_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.message, "Q"));
    ck_assert_int_eq(toll_mse_leave_one_out(d, TOLL_MSE_TOTAL, "A*B*C", NULL,
                                            NULL, &t, &err), TOLL_EMODEL);
    ck_assert_int_eq(toll_mse_leave_one_out(d, 3, NULL, NULL, NULL, &t, &err),
                     TOLL_EINVAL);
    ck_assert_ptr_null(t);
    toll_mse_data_free(d);
}
END_TEST

START_TEST(leave_one_out_of_a_total_should_sum_the_strata)
{
    static const char *p[] = {"111", "110", "101", "100", "011", "010",
                              "001"};
    static const long c1[] = {5, 10, 6, 40, 4, 30, 20};
    static const long c2[] = {7, 12, 3, 33, 9, 28, 15};
    toll_mse_data *d = make(3, L3, p, c1, 7, "north");
    toll_error err;
    for (int i = 0; i < 7; i++)
        ck_assert_int_eq(toll_mse_data_add_pattern(d, "south", p[i], c2[i],
                                                   &err), TOLL_OK);
    toll_table *tt = loo(d, TOLL_MSE_TOTAL, NULL);
    toll_table *tn = loo(d, 0, NULL);
    toll_table *ts = loo(d, 1, NULL);
    ck_assert_str_eq(str(tt, "stratum", 0), "total");
    ck_assert_str_eq(str(tn, "stratum", 0), "north");
    ck_assert_str_eq(str(ts, "stratum", 1), "south");
    for (size_t r = 0; r < 3; r++) {
        ck_assert_double_eq_tol(num(tt, "n_hat", r),
                                num(tn, "n_hat", r) + num(ts, "n_hat", r),
                                1e-6);
        ck_assert_double_eq(num(tt, "observed", r),
                            num(tn, "observed", r) + num(ts, "observed", r));
    }
    toll_table_free(tt);
    toll_table_free(tn);
    toll_table_free(ts);
    toll_mse_data_free(d);
}
END_TEST

START_TEST(leave_one_out_should_fail_cleanly_without_memory)
{
    toll_mse_data *d = make(4, L4, P4, BRUNO, 15, NULL);
    int hit = 0;
    for (long k = 1; k < 400; k++) {
        failing_alloc f;
        failing_alloc_init(&f, k);
        toll_table *t = NULL;
        toll_error err;
        toll_mse_options o;
        toll_mse_options_init(&o);
        o.profile = 0;
        toll_status st = toll_mse_leave_one_out(d, TOLL_MSE_TOTAL, "A*B", &o,
                                                &f.a, &t, &err);
        if (st == TOLL_OK) {
            toll_table_free(t);
            ck_assert_int_eq(f.live, 0);
            break;
        }
        ck_assert_int_eq(st, TOLL_ENOMEM);
        ck_assert_ptr_null(t);
        ck_assert_int_eq(f.live, 0);
        hit++;
    }
    ck_assert_int_gt(hit, 0);
    toll_mse_data_free(d);
}
END_TEST

START_TEST(leave_one_out_should_run_on_the_kosovo_lists)
{
    char path[4096];
    if (!toll_test_shared_path(path, sizeof path, "mse/kosovo_lists.csv"))
        return;
    toll_mse_data *d = NULL;
    toll_error err;
    ck_assert_int_eq(toll_mse_data_new(0, NULL, NULL, &d, &err), TOLL_OK);
    ck_assert_msg(toll_mse_data_load_file(d, path, NULL, &err) == TOLL_OK,
                  "%s", err.message);
    ck_assert_int_eq(toll_mse_data_observed(d, TOLL_MSE_TOTAL), 4400);
    toll_table *t = loo(d, TOLL_MSE_TOTAL, NULL);
    /* observed without list j: 4400 minus those only on j (1000: 1131,
     * 0100: 845, 0010: 936, 0001: 306) */
    static const double obs[] = {3269, 3555, 3464, 4094};
    for (size_t r = 0; r < 4; r++) {
        ck_assert_double_eq(num(t, "observed", r), obs[r]);
        double n = num(t, "n_hat", r);
        ck_assert(isfinite(n) && n > obs[r]);
        ck_assert(num(t, "lower", r) < n && n < num(t, "upper", r));
        ck_assert_str_eq(str(t, "interval", r), "profile");
    }
    /* and each row is the fit of the three lists left */
    toll_mse_data *bcd = NULL;
    static const char *Lbcd[] = {"B", "C", "D"};
    ck_assert_int_eq(toll_mse_data_new(3, Lbcd, NULL, &bcd, &err), TOLL_OK);
    for (unsigned p = 1; p < 16; p++) {
        unsigned q = p >> 1;
        int64_t k = toll_mse_data_count(d, TOLL_MSE_TOTAL, p);
        if (!q || !k)
            continue;
        char pat[4];
        for (int j = 0; j < 3; j++)
            pat[j] = ((q >> j) & 1u) ? '1' : '0';
        pat[3] = '\0';
        ck_assert_int_eq(toll_mse_data_add_pattern(bcd, NULL, pat, k, &err),
                         TOLL_OK);
    }
    toll_mse_estimate e;
    ck_assert_int_eq(toll_mse_loglinear(bcd, TOLL_MSE_TOTAL, 0, NULL, &e,
                                        &err), TOLL_OK);
    ck_assert_double_eq_tol(num(t, "n_hat", 0), e.n_hat, 1e-9 * e.n_hat);
    toll_mse_data_free(bcd);
    toll_table_free(t);
    toll_mse_data_free(d);
}
END_TEST

static Suite *loo_suite(void)
{
    Suite *s = suite_create("mse_loo");
    TCase *tc = tcase_create("leave-one-list-out");
    tcase_add_test(tc, leave_one_out_should_have_one_row_per_list_with_its_columns);
    tcase_add_test(tc, leave_one_out_should_merge_histories_over_the_dropped_list);
    tcase_add_test(tc, leave_one_out_of_three_lists_should_give_lincoln_petersen);
    tcase_add_test(tc, leave_one_out_should_drop_the_interactions_of_the_dropped_list);
    tcase_add_test(tc, leave_one_out_should_report_a_row_without_estimate_in_its_warning);
    tcase_add_test(tc, leave_one_out_should_refuse_fewer_than_three_lists);
    tcase_add_test(tc, leave_one_out_should_refuse_a_bad_model_or_stratum);
    tcase_add_test(tc, leave_one_out_of_a_total_should_sum_the_strata);
    tcase_add_test(tc, leave_one_out_should_fail_cleanly_without_memory);
    tcase_add_test(tc, leave_one_out_should_run_on_the_kosovo_lists);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    gsl_set_error_handler_off();
    return toll_test_run(loo_suite());
}
