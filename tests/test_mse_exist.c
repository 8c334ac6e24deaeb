/*
 * tests/test_mse_exist.c - the dense simplex (src/stats/mse_exist.c) and
 * the existence of the log-linear MLE (toll_mse_estimate_exists, and its
 * use by toll_mse_loglinear and toll_mse_search).
 *
 * The existence cases are worked out by hand with the rule of Fienberg
 * and Rinaldo (2012): the MLE fails to exist iff some direction v = X w
 * in the span of the design is >= 0 on every observed cell, 0 on the
 * positive cells and > 0 on some empty cell (those cells are then forced
 * to zero).  Each test says which v, or why none exists.
 */
#include "testutil.h"
#include "toll/mse.h"
#include "stats/mse.h"

#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- simplex ----------------------------------------------------------------- */

static toll__lp_result lp(size_t m, size_t n, const double *A, const double *b,
                          const double *c, double *x, double *obj)
{
    toll_allocator a;
    toll__alloc_init(&a, NULL);
    toll__lp_result res;
    toll_error err;
    ck_assert_msg(toll__lp_solve(&a, m, n, A, b, c, 1e-9, &res, x, obj,
                                 &err) == TOLL_OK, "%s", err.message);
    return res;
}

START_TEST(simplex_should_find_the_optimal_vertex_of_a_feasible_lp)
{
    /* max x1 + x2, x1 + 2 x2 <= 4, 3 x1 + x2 <= 6: optimum 2.8 at
     * (1.6, 1.2) (both constraints tight) */
    const double A[] = {1, 2, 1, 0,
                        3, 1, 0, 1};
    const double b[] = {4, 6}, c[] = {1, 1, 0, 0};
    double x[4], obj;
    ck_assert_int_eq(lp(2, 4, A, b, c, x, &obj), TOLL__LP_OPTIMAL);
    ck_assert_double_eq_tol(obj, 2.8, 1e-12);
    ck_assert_double_eq_tol(x[0], 1.6, 1e-12);
    ck_assert_double_eq_tol(x[1], 1.2, 1e-12);
    ck_assert_double_eq_tol(x[2], 0.0, 1e-12);
    ck_assert_double_eq_tol(x[3], 0.0, 1e-12);
}
END_TEST

START_TEST(simplex_should_report_an_infeasible_lp)
{
    /* x1 + x2 = 1 and x1 + x2 = 2 */
    const double A[] = {1, 1, 1, 1};
    const double b[] = {1, 2}, c[] = {1, 0};
    ck_assert_int_eq(lp(2, 2, A, b, c, NULL, NULL), TOLL__LP_INFEASIBLE);
    /* x1 - x2 = -1 with x2 = 0 forced by x2 + x3 = 0 */
    const double A2[] = {1, -1, 0, 0, 1, 1};
    const double b2[] = {-1, 0}, c2[] = {1, 1, 1};
    ck_assert_int_eq(lp(2, 3, A2, b2, c2, NULL, NULL), TOLL__LP_INFEASIBLE);
}
END_TEST

START_TEST(simplex_should_report_an_unbounded_lp)
{
    /* max x1 with x1 - x2 = 1: x1 = 1 + x2 grows without bound */
    const double A[] = {1, -1};
    const double b[] = {1}, c[] = {1, 0};
    ck_assert_int_eq(lp(1, 2, A, b, c, NULL, NULL), TOLL__LP_UNBOUNDED);
}
END_TEST

START_TEST(simplex_should_not_cycle_on_beales_degenerate_example)
{
    /* Beale (1955): min -3/4 x4 + 150 x5 - 1/50 x6 + 6 x7 with slacks
     * x1..x3; the textbook largest-coefficient rule cycles.  The optimum
     * is -1/20 (x4 = 1/25, x6 = 1, x1 = 3/100). */
    const double A[] = {1, 0, 0, 0.25, -60, -0.04, 9,
                        0, 1, 0, 0.5, -90, -0.02, 3,
                        0, 0, 1, 0, 0, 1, 0};
    const double b[] = {0, 0, 1};
    const double c[] = {0, 0, 0, 0.75, -150, 0.02, -6};
    double x[7], obj;
    ck_assert_int_eq(lp(3, 7, A, b, c, x, &obj), TOLL__LP_OPTIMAL);
    ck_assert_double_eq_tol(obj, 0.05, 1e-12);
    ck_assert_double_eq_tol(x[3], 0.04, 1e-12);
    ck_assert_double_eq_tol(x[5], 1.0, 1e-12);
}
END_TEST

START_TEST(simplex_should_accept_redundant_equality_rows)
{
    /* the second row is twice the first, the third their sum */
    const double A[] = {1, 1, 1,
                        2, 2, 2,
                        3, 3, 3};
    const double b[] = {1, 2, 3}, c[] = {1, 2, 3};
    double x[3], obj;
    ck_assert_int_eq(lp(3, 3, A, b, c, x, &obj), TOLL__LP_OPTIMAL);
    ck_assert_double_eq_tol(obj, 3.0, 1e-12);
    ck_assert_double_eq_tol(x[2], 1.0, 1e-12);
}
END_TEST

/* Solve the m x m system of the columns `cols` of A for b by Gaussian
 * elimination with partial pivoting; 0 if singular. */
static int basic_solution(size_t m, size_t n, const double *A,
                          const double *b, const size_t *cols, double *xb)
{
    double M[4][5];
    for (size_t i = 0; i < m; i++) {
        for (size_t k = 0; k < m; k++)
            M[i][k] = A[i * n + cols[k]];
        M[i][m] = b[i];
    }
    for (size_t k = 0; k < m; k++) {
        size_t p = k;
        for (size_t i = k + 1; i < m; i++)
            if (fabs(M[i][k]) > fabs(M[p][k]))
                p = i;
        if (fabs(M[p][k]) < 1e-9)
            return 0;
        for (size_t j = 0; j <= m; j++) {
            double t = M[k][j];
            M[k][j] = M[p][j];
            M[p][j] = t;
        }
        for (size_t i = 0; i < m; i++) {
            if (i == k)
                continue;
            double f = M[i][k] / M[k][k];
            for (size_t j = k; j <= m; j++)
                M[i][j] -= f * M[k][j];
        }
    }
    for (size_t k = 0; k < m; k++)
        xb[k] = M[k][m] / M[k][k];
    return 1;
}

START_TEST(simplex_should_match_vertex_enumeration_on_random_lps)
{
    /* m = 3 rows (the last: sum x = U, so the region is bounded) and
     * n = 6 columns of small whole numbers; the optimum of a bounded LP
     * is at a basic feasible solution, so enumerating the C(6,3) bases
     * finds it, or shows that there is none */
    srand(12345);
    int feasible = 0, infeasible = 0;
    for (int t = 0; t < 2000; t++) {
        enum { m = 3, n = 6 };
        double A[m * n], b[m], c[n];
        for (size_t i = 0; i < m - 1; i++) {
            for (size_t j = 0; j < n; j++)
                A[i * n + j] = (double)(rand() % 7 - 3);
            b[i] = (double)(rand() % 9 - 4);
        }
        for (size_t j = 0; j < n; j++) {
            A[(m - 1) * n + j] = 1.0;
            c[j] = (double)(rand() % 11 - 5);
        }
        b[m - 1] = (double)(1 + rand() % 5);
        double best = -INFINITY;
        size_t cols[m];
        for (cols[0] = 0; cols[0] < n; cols[0]++)
            for (cols[1] = cols[0] + 1; cols[1] < n; cols[1]++)
                for (cols[2] = cols[1] + 1; cols[2] < n; cols[2]++) {
                    double xb[m];
                    if (!basic_solution(m, n, A, b, cols, xb))
                        continue;
                    int ok = 1;
                    double v = 0.0;
                    for (size_t k = 0; k < m; k++) {
                        if (xb[k] < -1e-9)
                            ok = 0;
                        v += c[cols[k]] * xb[k];
                    }
                    if (ok && v > best)
                        best = v;
                }
        double x[n], obj;
        toll__lp_result res = lp(m, n, A, b, c, x, &obj);
        if (best == -INFINITY) {
            ck_assert_msg(res == TOLL__LP_INFEASIBLE, "LP %d: feasible?", t);
            infeasible++;
            continue;
        }
        feasible++;
        ck_assert_msg(res == TOLL__LP_OPTIMAL, "LP %d: result %d", t,
                      (int)res);
        ck_assert_msg(fabs(obj - best) < 1e-8, "LP %d: %g, vertices %g", t,
                      obj, best);
        /* and x is feasible with that value */
        double v = 0.0;
        for (size_t j = 0; j < n; j++) {
            ck_assert(x[j] >= 0.0);
            v += c[j] * x[j];
        }
        ck_assert_double_eq_tol(v, obj, 1e-9);
        for (size_t i = 0; i < m; i++) {
            double r = 0.0;
            for (size_t j = 0; j < n; j++)
                r += A[i * n + j] * x[j];
            ck_assert_double_eq_tol(r, b[i], 1e-8);
        }
    }
    /* both kinds were drawn */
    ck_assert_int_gt(feasible, 100);
    ck_assert_int_gt(infeasible, 100);
}
END_TEST

START_TEST(simplex_should_fail_cleanly_without_memory)
{
    const double A[] = {1, 2, 1, 0, 3, 1, 0, 1};
    const double b[] = {4, 6}, c[] = {1, 1, 0, 0};
    for (long k = 1; k <= 2; k++) {
        failing_alloc f;
        failing_alloc_init(&f, k);
        toll__lp_result res;
        toll_error err;
        ck_assert_int_eq(toll__lp_solve(&f.a, 2, 4, A, b, c, 1e-9, &res,
                                        NULL, NULL, &err), TOLL_ENOMEM);
        ck_assert_int_eq(f.live, 0);
    }
}
END_TEST

/* ---- existence ---------------------------------------------------------------- */

static const char *L3[] = {"A", "B", "C"};
static const char *L4[] = {"A", "B", "C", "D"};

static toll_mse_data *make(int K, const char **names, const char **pats,
                           const long *counts, int n)
{
    toll_mse_data *d = NULL;
    toll_error err;
    ck_assert_int_eq(toll_mse_data_new(K, names, NULL, &d, &err), TOLL_OK);
    for (int i = 0; i < n; i++)
        ck_assert_msg(toll_mse_data_add_pattern(d, NULL, pats[i], counts[i],
                                                &err) == TOLL_OK,
                      "%s", err.message);
    return d;
}

/* Does model `spec` exist?  The reason goes to why. */
static int exists(const toll_mse_data *d, size_t s, const char *spec,
                  char *why, size_t cap)
{
    toll_mse_model m;
    toll_error err;
    ck_assert_msg(toll_mse_model_parse(d, spec, &m, &err) == TOLL_OK, "%s",
                  err.message);
    int ok = -1;
    ck_assert_msg(toll_mse_estimate_exists(d, s, m, &ok, why, cap, &err) ==
                      TOLL_OK, "%s", err.message);
    ck_assert(ok == 0 || ok == 1);
    if (ok && why && cap)
        ck_assert_str_eq(why, "");
    return ok;
}

START_TEST(exists_should_hold_trivially_without_zero_cells)
{
    static const char *p[] = {"111", "110", "101", "100", "011", "010", "001"};
    static const long c[] = {72, 5, 29, 54, 24, 3, 14};
    toll_mse_data *d = make(3, L3, p, c, 7);
    char why[256];
    ck_assert_int_eq(exists(d, TOLL_MSE_TOTAL, "A*B + A*C + B*C", why,
                            sizeof why), 1);
    ck_assert_int_eq(exists(d, 0, "", why, sizeof why), 1);
    toll_mse_data_free(d);
}
END_TEST

START_TEST(exists_should_fail_for_all_pairs_of_three_lists_with_n111_zero)
{
    /* all pairs on 3 lists: 7 parameters for 7 observed cells, so the
     * margins fix the table and 111 stays 0 (v = the indicator of 111,
     * A*B*C, lies in the span of the design on the observed cells) */
    static const char *p[] = {"110", "101", "100", "011", "010", "001"};
    static const long c[] = {10, 8, 30, 6, 25, 20};
    toll_mse_data *d = make(3, L3, p, c, 6);
    char why[256];
    ck_assert_int_eq(exists(d, TOLL_MSE_TOTAL, "A*B + A*C + B*C", why,
                            sizeof why), 0);
    ck_assert_ptr_nonnull(strstr(why, "empty cell 111 "));
    /* one interaction fewer: 1 df, and the 111 cell can be filled */
    ck_assert_int_eq(exists(d, TOLL_MSE_TOTAL, "A*B + A*C", why, sizeof why),
                     1);
    ck_assert_int_eq(exists(d, TOLL_MSE_TOTAL, "", why, sizeof why), 1);
    toll_mse_data_free(d);
}
END_TEST

START_TEST(exists_should_fail_for_an_interaction_of_two_lists_that_never_overlap)
{
    /* no record on both A and B: v = A*B term is 1 on 110 and 111, both
     * empty; the independence model and A*C are fine */
    static const char *p[] = {"101", "100", "011", "010", "001"};
    static const long c[] = {8, 30, 6, 25, 20};
    toll_mse_data *d = make(3, L3, p, c, 5);
    char why[256];
    ck_assert_int_eq(exists(d, TOLL_MSE_TOTAL, "A*B", why, sizeof why), 0);
    ck_assert_ptr_nonnull(strstr(why, "empty cells 110, 111 "));
    ck_assert_int_eq(exists(d, TOLL_MSE_TOTAL, "", why, sizeof why), 1);
    ck_assert_int_eq(exists(d, TOLL_MSE_TOTAL, "A*C", why, sizeof why), 1);
    /* the fit says so, naming the model */
    toll_mse_model m;
    toll_error err;
    toll_mse_estimate e;
    ck_assert_int_eq(toll_mse_model_parse(d, "A*B", &m, &err), TOLL_OK);
    ck_assert_int_eq(toll_mse_loglinear(d, TOLL_MSE_TOTAL, m, NULL, &e, &err),
                     TOLL_EMODEL);
    ck_assert_ptr_nonnull(strstr(err.message, "estimate does not exist"));
    ck_assert_ptr_nonnull(strstr(err.message, "A + B + C + A*B"));
    toll_mse_data_free(d);
}
END_TEST

START_TEST(exists_should_hold_for_all_pairs_of_four_lists_with_n1111_zero)
{
    /* 15 cells, 11 parameters: the 3-way contrast of A,B,C minus the
     * 4-way contrast is orthogonal to every column of the design, is 0 at
     * the unobserved cell and -2 at 1111: subtracting a little of it
     * fills 1111 and keeps every other cell positive, so the MLE exists */
    static const char *p[] = {"1110", "1101", "1100", "1011", "1010", "1001",
                              "1000", "0111", "0110", "0101", "0100", "0011",
                              "0010", "0001"};
    static const long c[] = {3, 4, 10, 2, 8, 7, 40, 5, 9, 6, 35, 11, 30, 25};
    toll_mse_data *d = make(4, L4, p, c, 14);
    char why[256];
    ck_assert_int_eq(exists(d, TOLL_MSE_TOTAL,
                            "A*B + A*C + A*D + B*C + B*D + C*D", why,
                            sizeof why), 1);
    /* and the fit is finite */
    toll_mse_model m;
    toll_error err;
    toll_mse_estimate e;
    ck_assert_int_eq(toll_mse_model_parse(d, "A*B+A*C+A*D+B*C+B*D+C*D", &m,
                                          &err), TOLL_OK);
    ck_assert_msg(toll_mse_loglinear(d, TOLL_MSE_TOTAL, m, NULL, &e, &err) ==
                      TOLL_OK, "%s", err.message);
    ck_assert(isfinite(e.n_hat) && e.n_hat > e.observed);
    toll_mse_data_free(d);
}
END_TEST

START_TEST(exists_should_fail_for_four_lists_when_only_one_overlap_is_seen)
{
    /* singletons and 1100 positive, every other overlap empty.  With A*B
     * in the model, v = A + B + C + D - 1 - A*B is 0 on the singletons
     * and on 1100 and >= 1 on every other cell: those ten are forced to
     * zero, although the A*B margin (n_1100) is positive.  Under
     * independence v = a + sum b_j c_j must vanish on the singletons
     * (b_j = -a) and at 1100 (-a = 0): only v = 0, so the MLE exists. */
    static const char *p[] = {"1100", "1000", "0100", "0010", "0001"};
    static const long c[] = {12, 40, 35, 30, 25};
    toll_mse_data *d = make(4, L4, p, c, 5);
    char why[256];
    ck_assert_int_eq(exists(d, TOLL_MSE_TOTAL, "A*B", why, sizeof why), 0);
    ck_assert_ptr_nonnull(strstr(why, "empty cells 1010, 0110, 1110, 1001 "
                                      "and 6 more "));
    ck_assert_int_eq(exists(d, TOLL_MSE_TOTAL, "A*B + C*D", why, sizeof why),
                     0);
    ck_assert_int_eq(exists(d, TOLL_MSE_TOTAL, "", why, sizeof why), 1);
    toll_mse_data_free(d);
}
END_TEST

START_TEST(exists_should_hold_for_independence_of_four_lists_with_sparse_overlaps)
{
    /* every singleton and pair positive, the 3- and 4-list cells empty:
     * v = a + sum b_j c_j with v = 0 on the singletons and pairs is 0,
     * so nothing is forced and the independence MLE exists */
    static const char *p[] = {"1100", "1010", "1001", "0110", "0101", "0011",
                              "1000", "0100", "0010", "0001"};
    static const long c[] = {5, 6, 7, 8, 9, 4, 40, 35, 30, 25};
    toll_mse_data *d = make(4, L4, p, c, 10);
    char why[256];
    ck_assert_int_eq(exists(d, TOLL_MSE_TOTAL, "", why, sizeof why), 1);
    ck_assert_int_eq(exists(d, TOLL_MSE_TOTAL, "A*B + C*D", why, sizeof why),
                     1);
    toll_mse_data_free(d);
}
END_TEST

START_TEST(exists_of_a_total_should_fail_when_a_stratum_fails_naming_it)
{
    toll_mse_data *d = NULL;
    toll_error err;
    ck_assert_int_eq(toll_mse_data_new(3, L3, NULL, &d, &err), TOLL_OK);
    static const char *p[] = {"111", "110", "101", "100", "011", "010", "001"};
    static const long full[] = {4, 10, 8, 30, 6, 25, 20};
    for (int i = 0; i < 7; i++) {
        ck_assert_int_eq(toll_mse_data_add_pattern(d, "north", p[i], full[i],
                                                   &err), TOLL_OK);
        if (i) /* no 111 in the south */
            ck_assert_int_eq(toll_mse_data_add_pattern(d, "south", p[i],
                                                       full[i], &err),
                             TOLL_OK);
    }
    char why[256];
    const char *all = "A*B + A*C + B*C";
    ck_assert_int_eq(exists(d, 0, all, why, sizeof why), 1);
    ck_assert_int_eq(exists(d, 1, all, why, sizeof why), 0);
    ck_assert_int_eq(exists(d, TOLL_MSE_TOTAL, all, why, sizeof why), 0);
    ck_assert_ptr_nonnull(strstr(why, "stratum 'south': "));
    /* the fit of the total fails the same way, naming the stratum */
    toll_mse_model m;
    toll_mse_estimate e;
    ck_assert_int_eq(toll_mse_model_parse(d, all, &m, &err), TOLL_OK);
    ck_assert_int_eq(toll_mse_loglinear(d, TOLL_MSE_TOTAL, m, NULL, &e, &err),
                     TOLL_EMODEL);
    ck_assert_ptr_nonnull(strstr(err.message, "stratum 'south'"));
    ck_assert_ptr_nonnull(strstr(err.message, "estimate does not exist"));
    toll_mse_data_free(d);
}
END_TEST

START_TEST(exists_should_refuse_bad_arguments)
{
    static const char *p[] = {"110", "100", "010", "001"};
    static const long c[] = {3, 10, 12, 9};
    toll_mse_data *d = make(3, L3, p, c, 4);
    int ok;
    toll_error err;
    ck_assert_int_eq(toll_mse_estimate_exists(NULL, 0, 0, &ok, NULL, 0, &err),
                     TOLL_EINVAL);
    ck_assert_int_eq(toll_mse_estimate_exists(d, 0, 0, NULL, NULL, 0, &err),
                     TOLL_EINVAL);
    ck_assert_int_eq(toll_mse_estimate_exists(d, 5, 0, &ok, NULL, 0, &err),
                     TOLL_EINVAL);
    ck_assert_int_eq(toll_mse_estimate_exists(d, 0, 0x8u, &ok, NULL, 0, &err),
                     TOLL_EINVAL);
    /* why may be NULL */
    ck_assert_int_eq(toll_mse_estimate_exists(d, 0, 0x7u, &ok, NULL, 0, &err),
                     TOLL_OK);
    ck_assert_int_eq(ok, 0);
    toll_mse_data_free(d);
}
END_TEST

START_TEST(search_should_skip_models_whose_estimate_does_not_exist)
{
    /* 111 empty: of the 8 models of 3 lists only all-pairs fails */
    static const char *p[] = {"110", "101", "100", "011", "010", "001"};
    static const long c[] = {10, 8, 30, 6, 25, 20};
    toll_mse_data *d = make(3, L3, p, c, 6);
    toll_mse_results *r = NULL;
    toll_error err;
    ck_assert_int_eq(toll_mse_search(d, TOLL_MSE_TOTAL, TOLL_MSE_AIC, NULL,
                                     NULL, &r, &err), TOLL_OK);
    ck_assert_uint_eq(toll_mse_results_count(r), 7);
    ck_assert_uint_eq(toll_mse_results_skipped(r), 1);
    const char *reason = NULL;
    const char *name = toll_mse_results_skipped_model(r, 0, &reason);
    ck_assert_str_eq(name, "A + B + C + A*B + A*C + B*C");
    ck_assert_ptr_nonnull(strstr(reason, "estimate does not exist"));
    ck_assert_ptr_null(strstr(reason, name)); /* said once, by the name */
    ck_assert_ptr_null(toll_mse_results_skipped_model(r, 1, &reason));
    for (size_t i = 0; i < toll_mse_results_count(r); i++)
        ck_assert_str_ne(toll_mse_results_get(r, i)->model_name, name);
    ck_assert(isfinite(toll_mse_results_average(r)->n_hat));
    toll_mse_results_free(r);
    toll_mse_data_free(d);
}
END_TEST

START_TEST(exists_should_agree_with_the_fit_on_random_sparse_tables)
{
    /* four lists, about half the cells empty, random models: where the
     * estimate exists the fit converges to a finite N-hat (so the check
     * is not too lenient); where it does not, the fit says so */
    srand(777);
    int yes = 0, no = 0;
    for (int t = 0; t < 300; t++) {
        toll_mse_data *d = NULL;
        toll_error err;
        ck_assert_int_eq(toll_mse_data_new(4, L4, NULL, &d, &err), TOLL_OK);
        for (unsigned p = 1; p < 16; p++) {
            char pat[5];
            for (int j = 0; j < 4; j++)
                pat[j] = ((p >> j) & 1u) ? '1' : '0';
            pat[4] = '\0';
            long c = rand() % 2 ? 1 + rand() % 40 : 0;
            ck_assert_int_eq(toll_mse_data_add_pattern(d, NULL, pat, c, &err),
                             TOLL_OK);
        }
        toll_mse_model m = (toll_mse_model)(rand() % 64);
        if (toll_mse_data_check_overlap(d, TOLL_MSE_TOTAL, &err) != TOLL_OK) {
            toll_mse_data_free(d);
            continue;
        }
        int ok = -1;
        ck_assert_int_eq(toll_mse_estimate_exists(d, TOLL_MSE_TOTAL, m, &ok,
                                                  NULL, 0, &err), TOLL_OK);
        toll_mse_estimate e;
        toll_status st = toll_mse_loglinear(d, TOLL_MSE_TOTAL, m, NULL, &e,
                                            &err);
        if (ok) {
            ck_assert_msg(st == TOLL_OK, "table %d: %s", t, err.message);
            ck_assert(isfinite(e.n_hat) && e.n_hat < 1e12);
            yes++;
        } else {
            ck_assert_int_eq(st, TOLL_EMODEL);
            ck_assert_msg(strstr(err.message, "estimate does not exist") ||
                              strstr(err.message, "has no records"),
                          "table %d: %s", t, err.message);
            no++;
        }
        toll_mse_data_free(d);
    }
    ck_assert_int_gt(yes, 30);
    ck_assert_int_gt(no, 30);
}
END_TEST

static Suite *exist_suite(void)
{
    Suite *s = suite_create("mse_exist");
    TCase *tl = tcase_create("simplex");
    tcase_add_test(tl, simplex_should_find_the_optimal_vertex_of_a_feasible_lp);
    tcase_add_test(tl, simplex_should_report_an_infeasible_lp);
    tcase_add_test(tl, simplex_should_report_an_unbounded_lp);
    tcase_add_test(tl, simplex_should_not_cycle_on_beales_degenerate_example);
    tcase_add_test(tl, simplex_should_accept_redundant_equality_rows);
    tcase_add_test(tl, simplex_should_match_vertex_enumeration_on_random_lps);
    tcase_add_test(tl, simplex_should_fail_cleanly_without_memory);
    suite_add_tcase(s, tl);
    TCase *te = tcase_create("existence");
    tcase_add_test(te, exists_should_hold_trivially_without_zero_cells);
    tcase_add_test(te, exists_should_fail_for_all_pairs_of_three_lists_with_n111_zero);
    tcase_add_test(te, exists_should_fail_for_an_interaction_of_two_lists_that_never_overlap);
    tcase_add_test(te, exists_should_hold_for_all_pairs_of_four_lists_with_n1111_zero);
    tcase_add_test(te, exists_should_fail_for_four_lists_when_only_one_overlap_is_seen);
    tcase_add_test(te, exists_should_hold_for_independence_of_four_lists_with_sparse_overlaps);
    tcase_add_test(te, exists_of_a_total_should_fail_when_a_stratum_fails_naming_it);
    tcase_add_test(te, exists_should_refuse_bad_arguments);
    tcase_add_test(te, exists_should_agree_with_the_fit_on_random_sparse_tables);
    tcase_add_test(te, search_should_skip_models_whose_estimate_does_not_exist);
    suite_add_tcase(s, te);
    return s;
}

int main(void)
{
    gsl_set_error_handler_off();
    return toll_test_run(exist_suite());
}
