/*
 * tests/test_mse.c - multiple systems estimation (toll/mse.h).
 *
 * Published figures used below, and where each comes from:
 *
 *  [SEBER]   Seber (1982), The Estimation of Animal Abundance, p. 107:
 *            two samples, n11 = 167, n10 = 781, n01 = 254.  Rcapture's
 *            saved example output (tests/Examples/Rcapture-Ex.Rout.save,
 *            closedp.t, model Mt) prints abundance 2389.9, stderr 130.4,
 *            deviance 0, df 0, AIC 28.831; closedp.bc (Mt) prints the
 *            bias-corrected (Chapman) 2382.8, stderr 129.1.
 *  [DARROCH] Darroch, Fienberg, Glonek & Junker (1993), JASA 88:1137-48,
 *            the R3 data (111..001 = 72,155,7,71,13,53,43), as analysed in
 *            Rivest (2011), Int. J. Biostatistics 7(1) art. 23, and checked
 *            in Rcapture's inst/tests/testPapersResults.R: model with all
 *            two-way interactions N = 1240, se 451; model [12][23]
 *            N = 850, se 186, deviance 3.8, df 1.
 *  [CORMACK] Cormack, Chang & Smith (2000), Int. J. Epidemiol.
 *            29:1053-1059, Table 3b (three lists, 111..001 =
 *            72,5,29,54,24,3,14), checked in the same Rcapture test file:
 *            independence N = 209, deviance 75.1, df 3, 95% profile
 *            interval (203, 217); [23]: deviance 1.2, df 2, lower bound
 *            210; [13][23]: N = 233, df 1, lower bound 204; all pairs:
 *            deviance 0, df 0.
 *  [BRUNO]   Bruno et al. (1994), diabetes data of Casale Monferrato, four
 *            lists (histories 1111..0001 = 58,157,18,104,46,650,12,709,
 *            14,20,7,74,8,182,10), figures of Rivest (2011) in the same
 *            Rcapture test file: all pairs but [14] (Bruno et al.'s model)
 *            N = 2771, se 145, deviance 7.62, df 5; Rivest's chosen set
 *            [13][24][34]: N = 2472, se 53, deviance 21.97, df 7.
 *
 * Figures are matched to the precision they were published with.
 */
#define _POSIX_C_SOURCE 200809L /* mkstemp, fdopen */
#include "testutil.h"
#include "toll/mse.h"

#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DATA_DIR TOLL_TEST_DATA_DIR "/mse"

static const char *L2[] = {"A", "B"};
static const char *L3[] = {"A", "B", "C"};
static const char *L4[] = {"A", "B", "C", "D"};
static const char *P3[] = {"111", "110", "101", "100", "011", "010", "001"};
static const char *P4[] = {"1111", "1110", "1101", "1100", "1011",
                           "1010", "1001", "1000", "0111", "0110",
                           "0101", "0100", "0011", "0010", "0001"};
static const long DARROCH[] = {72, 155, 7, 71, 13, 53, 43};
static const long CORMACK[] = {72, 5, 29, 54, 24, 3, 14};
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

static toll_mse_estimate fit(const toll_mse_data *d, const char *spec,
                             const toll_mse_options *o)
{
    toll_error err;
    toll_mse_model m;
    toll_mse_estimate e;
    ck_assert_msg(toll_mse_model_parse(d, spec, &m, &err) == TOLL_OK, "%s",
                  err.message);
    ck_assert_msg(toll_mse_loglinear(d, TOLL_MSE_TOTAL, m, o, &e, &err) ==
                      TOLL_OK,
                  "%s", err.message);
    return e;
}

static double round_to(double x, double unit) { return floor(x / unit + 0.5) * unit; }

/* ---- two-list estimators ----------------------------------------------- */

/* Hand-computed: n1 = 50, n2 = 40, m = 10.
 * LP  N = 50*40/10 = 200, Var = 50*40*40*30/10^3 = 2400.
 * Chapman N = 51*41/11 - 1 = 189.090909..., Seber
 * Var = 51*41*40*30/(11^2 * 12) = 2509200/1452 = 1728.099174... */
static toll_mse_data *hand_two(void)
{
    static const char *p[] = {"11", "10", "01"};
    static const long c[] = {10, 40, 30};
    return make(2, L2, p, c, 3, NULL);
}

START_TEST(lincoln_petersen_should_match_hand_computed_example)
{
    toll_mse_data *d = hand_two();
    toll_mse_estimate e;
    toll_error err;
    ck_assert_int_eq(toll_mse_lincoln_petersen(d, TOLL_MSE_TOTAL, 0, 1, NULL,
                                               &e, &err), TOLL_OK);
    ck_assert_double_eq_tol(e.n_hat, 200.0, 1e-12);
    ck_assert_double_eq_tol(e.se, sqrt(2400.0), 1e-9);
    ck_assert_double_eq(e.observed, 80.0);
    ck_assert(e.lo > 80.0 && e.lo < 200.0 && e.hi > 200.0);
    ck_assert_int_eq(e.interval, TOLL_MSE_CI_LOGNORMAL);
    ck_assert_str_eq(e.model_name, "A,B");
    toll_mse_data_free(d);
}
END_TEST

START_TEST(chapman_should_use_seber_variance)
{
    toll_mse_data *d = hand_two();
    toll_mse_estimate e;
    toll_error err;
    ck_assert_int_eq(toll_mse_chapman(d, TOLL_MSE_TOTAL, 0, 1, NULL, &e,
                                      &err), TOLL_OK);
    ck_assert_double_eq_tol(e.n_hat, 51.0 * 41.0 / 11.0 - 1.0, 1e-12);
    ck_assert_double_eq_tol(e.se * e.se, 2509200.0 / 1452.0, 1e-9);
    /* the 95% interval is the log-normal one of docs/mse.md */
    double t = e.n_hat - 80.0;
    double c = exp(1.959963984540054 *
                   sqrt(log(1.0 + e.se * e.se / (t * t))));
    ck_assert_double_eq_tol(e.lo, 80.0 + t / c, 1e-6);
    ck_assert_double_eq_tol(e.hi, 80.0 + t * c, 1e-6);
    toll_mse_data_free(d);
}
END_TEST

START_TEST(chapman_should_match_rcapture_bias_corrected_seber_example)
{
    static const char *p[] = {"11", "10", "01"};
    static const long c[] = {167, 781, 254};
    toll_mse_data *d = make(2, L2, p, c, 3, NULL);
    toll_mse_estimate e;
    toll_error err;
    ck_assert_int_eq(toll_mse_chapman(d, TOLL_MSE_TOTAL, 0, 1, NULL, &e,
                                      &err), TOLL_OK);
    /* [SEBER] closedp.bc Mt: 2382.8, stderr 129.1 */
    ck_assert_double_eq_tol(round_to(e.n_hat, 0.1), 2382.8, 1e-9);
    ck_assert_double_eq_tol(round_to(e.se, 0.1), 129.1, 1e-9);
    toll_mse_data_free(d);
}
END_TEST

START_TEST(lincoln_petersen_without_overlap_should_fail_with_emodel)
{
    static const char *p[] = {"10", "01"};
    static const long c[] = {40, 30};
    toll_mse_data *d = make(2, L2, p, c, 2, NULL);
    toll_mse_estimate e;
    toll_error err;
    ck_assert_int_eq(toll_mse_lincoln_petersen(d, TOLL_MSE_TOTAL, 0, 1, NULL,
                                               &e, &err), TOLL_EMODEL);
    ck_assert_ptr_nonnull(strstr(err.message, "no record is on both"));
    /* Chapman is defined */
    ck_assert_int_eq(toll_mse_chapman(d, TOLL_MSE_TOTAL, 0, 1, NULL, &e,
                                      &err), TOLL_OK);
    ck_assert_double_eq_tol(e.n_hat, 41.0 * 31.0 - 1.0, 1e-9);
    ck_assert(isfinite(e.hi));
    toll_mse_data_free(d);
}
END_TEST

/* ---- Chao --------------------------------------------------------------- */

START_TEST(chao_should_give_lower_bound_when_f2_positive)
{
    /* f1 = 6 + 4 = 10, f2 = 5, S = 15: N = 15 + 100/10 = 25,
     * Var = 5 (2^4/4 + 2^3 + 2^2/2) = 70 (Chao 1987) */
    static const char *p[] = {"10", "01", "11"};
    static const long c[] = {6, 4, 5};
    toll_mse_data *d = make(2, L2, p, c, 3, NULL);
    toll_mse_estimate e;
    toll_error err;
    ck_assert_int_eq(toll_mse_chao(d, TOLL_MSE_TOTAL, NULL, &e, &err),
                     TOLL_OK);
    ck_assert_double_eq_tol(e.n_hat, 25.0, 1e-12);
    ck_assert_double_eq_tol(e.se * e.se, 70.0, 1e-9);
    ck_assert_uint_eq(e.warnings & TOLL_MSE_W_F2_ZERO, 0);
    ck_assert(e.lo >= 15.0 && e.lo < 25.0 && e.hi > 25.0);
    toll_mse_data_free(d);
}
END_TEST

START_TEST(chao_should_use_bias_corrected_form_when_f2_zero)
{
    /* f1 = 4, f2 = 0, f3 = 3, S = 7: N = 7 + 4*3/2 = 13,
     * Var = 4*3/2 + 4*7^2/4 - 4^4/(4*13) = 55 - 64/13 */
    static const char *p[] = {"100", "010", "001", "111"};
    static const long c[] = {2, 1, 1, 3};
    toll_mse_data *d = make(3, L3, p, c, 4, NULL);
    toll_mse_estimate e;
    toll_error err;
    ck_assert_int_eq(toll_mse_chao(d, TOLL_MSE_TOTAL, NULL, &e, &err),
                     TOLL_OK);
    ck_assert_double_eq_tol(e.n_hat, 13.0, 1e-12);
    ck_assert_double_eq_tol(e.se * e.se, 55.0 - 64.0 / 13.0, 1e-9);
    ck_assert_uint_ne(e.warnings & TOLL_MSE_W_F2_ZERO, 0);
    ck_assert_ptr_nonnull(strstr(e.warning, "f2 = 0"));
    toll_mse_data_free(d);
}
END_TEST

/* ---- log-linear models --------------------------------------------------- */

START_TEST(loglinear_independence_on_two_lists_should_reproduce_lincoln_petersen)
{
    static const char *p[] = {"11", "10", "01"};
    static const long c[] = {167, 781, 254};
    toll_mse_data *d = make(2, L2, p, c, 3, NULL);
    toll_mse_estimate ll = fit(d, "", NULL), lp;
    toll_error err;
    ck_assert_int_eq(toll_mse_lincoln_petersen(d, TOLL_MSE_TOTAL, 0, 1, NULL,
                                               &lp, &err), TOLL_OK);
    /* the identity: N = n1 n2 / m, with the same variance */
    ck_assert_double_eq_tol(ll.n_hat, lp.n_hat, 1e-8 * lp.n_hat);
    ck_assert_double_eq_tol(ll.se, lp.se, 1e-6 * lp.se);
    ck_assert_double_eq_tol(ll.n_hat, 948.0 * 421.0 / 167.0, 1e-7);
    /* [SEBER] Rcapture closedp.t Mt: 2389.9, 130.4, deviance 0, df 0,
     * AIC 28.831 */
    ck_assert_double_eq_tol(round_to(ll.n_hat, 0.1), 2389.9, 1e-9);
    ck_assert_double_eq_tol(round_to(ll.se, 0.1), 130.4, 1e-9);
    ck_assert_int_eq(ll.df, 0);
    ck_assert_double_eq_tol(ll.deviance, 0.0, 1e-8);
    ck_assert_double_eq_tol(round_to(ll.aic, 0.001), 28.831, 1e-9);
    ck_assert_uint_ne(ll.warnings & TOLL_MSE_W_DF0, 0);
    toll_mse_data_free(d);
}
END_TEST

START_TEST(loglinear_should_match_rivest_2011_darroch_r3)
{
    toll_mse_data *d = make(3, L3, P3, DARROCH, 7, NULL);
    toll_mse_estimate e = fit(d, "A*B + A*C + B*C", NULL);
    ck_assert_double_eq(round(e.n_hat), 1240.0);
    ck_assert_double_eq(round(e.se), 451.0);
    ck_assert_int_eq(e.df, 0);
    e = fit(d, "A*B + B*C", NULL);
    ck_assert_double_eq(round(e.n_hat), 850.0);
    ck_assert_double_eq(round(e.se), 186.0);
    ck_assert_double_eq_tol(round_to(e.deviance, 0.1), 3.8, 1e-9);
    ck_assert_int_eq(e.df, 1);
    ck_assert_int_eq(e.npar, 6);
    toll_mse_data_free(d);
}
END_TEST

START_TEST(loglinear_should_match_cormack_2000_table_3b)
{
    toll_mse_data *d = make(3, L3, P3, CORMACK, 7, NULL);
    toll_mse_estimate e = fit(d, "independence", NULL);
    ck_assert_double_eq(round(e.n_hat), 209.0);
    ck_assert_double_eq_tol(round_to(e.deviance, 0.1), 75.1, 1e-9);
    ck_assert_int_eq(e.df, 3);
    ck_assert_int_eq(e.interval, TOLL_MSE_CI_PROFILE);
    ck_assert_double_eq(round(e.lo), 203.0);
    ck_assert_double_eq(round(e.hi), 217.0);
    e = fit(d, "B*C", NULL);
    ck_assert_double_eq_tol(round_to(e.deviance, 0.1), 1.2, 1e-9);
    ck_assert_int_eq(e.df, 2);
    ck_assert_double_eq(round(e.lo), 210.0);
    e = fit(d, "A*C + B*C", NULL);
    ck_assert_double_eq(round(e.n_hat), 233.0);
    ck_assert_int_eq(e.df, 1);
    ck_assert_double_eq(round(e.lo), 204.0);
    e = fit(d, "A*B + A*C + B*C", NULL);
    ck_assert_double_eq_tol(round_to(e.deviance, 0.1), 0.0, 1e-9);
    ck_assert_int_eq(e.df, 0);
    toll_mse_data_free(d);
}
END_TEST

START_TEST(loglinear_should_match_bruno_1994_diabetes_models)
{
    toll_mse_data *d = make(4, L4, P4, BRUNO, 15, NULL);
    toll_mse_estimate e = fit(d, "A*B + A*C + B*C + B*D + C*D", NULL);
    ck_assert_double_eq(round(e.n_hat), 2771.0);
    ck_assert_double_eq(round(e.se), 145.0);
    ck_assert_double_eq_tol(round_to(e.deviance, 0.01), 7.62, 1e-9);
    ck_assert_int_eq(e.df, 5);
    e = fit(d, "A*C + B*D + C*D", NULL);
    ck_assert_double_eq(round(e.n_hat), 2472.0);
    ck_assert_double_eq(round(e.se), 53.0);
    ck_assert_double_eq_tol(round_to(e.deviance, 0.01), 21.97, 1e-9);
    ck_assert_int_eq(e.df, 7);
    toll_mse_data_free(d);
}
END_TEST

START_TEST(loglinear_detail_should_agree_with_statsmodels)
{
    /* Reference: statsmodels 0.15 GLM(Poisson) on the 7 observed cells of
     * [CORMACK] with design 1, A, B, C, B:C (tol 1e-14). */
    toll_mse_data *d = make(3, L3, P3, CORMACK, 7, NULL);
    toll_mse_model m;
    toll_error err;
    ck_assert_int_eq(toll_mse_model_parse(d, "B*C", &m, &err), TOLL_OK);
    double fitted[8], coef[5], se[5];
    size_t np = 0;
    ck_assert_int_eq(toll_mse_loglinear_detail(d, 0, m, NULL, fitted, 8, coef,
                                               se, 5, &np, &err), TOLL_OK);
    ck_assert_uint_eq(np, 5);
    static const double sm_fitted[8] = {
        20.886792452830182, 54.00000000000006, 2.2312925170067994,
        5.768707482993195,  11.993197278911564, 31.006802721088476,
        26.775510204081662, 69.22448979591854};
    static const double sm_coef[5] = {3.0391170192, 0.9498670274,
                                      -2.2365359976, -0.5547774235,
                                      3.0396840733};
    static const double sm_se[5] = {0.2287853244, 0.1839135833, 0.3822953795,
                                    0.2107263003, 0.4240545222};
    for (int i = 0; i < 8; i++)
        ck_assert_double_eq_tol(fitted[i], sm_fitted[i], 1e-6);
    for (int k = 0; k < 5; k++) {
        ck_assert_double_eq_tol(coef[k], sm_coef[k], 1e-8);
        ck_assert_double_eq_tol(se[k], sm_se[k], 1e-8);
    }
    toll_mse_estimate e = fit(d, "B*C", NULL);
    ck_assert_double_eq_tol(e.deviance, 1.2053769328944361, 1e-6);
    ck_assert_double_eq_tol(e.aic, 44.34726385426435, 1e-6);
    ck_assert_double_eq_tol(e.n_hat, 201.0 + sm_fitted[0], 1e-6);
    toll_mse_data_free(d);
}
END_TEST

START_TEST(profile_interval_should_contain_estimate_and_be_asymmetric)
{
    toll_mse_data *d = make(3, L3, P3, DARROCH, 7, NULL);
    toll_mse_estimate e = fit(d, "A*B + B*C", NULL);
    ck_assert_int_eq(e.interval, TOLL_MSE_CI_PROFILE);
    ck_assert(e.lo < e.n_hat && e.n_hat < e.hi);
    ck_assert(e.lo < e.n_profile && e.n_profile < e.hi);
    ck_assert(e.lo > e.observed);
    /* right-skewed, as the likelihood of an abundance is */
    ck_assert(e.hi - e.n_hat > 1.5 * (e.n_hat - e.lo));
    /* and it differs from the symmetric Wald interval */
    ck_assert(e.hi > e.n_hat + 1.96 * e.se);
    toll_mse_options o;
    toll_mse_options_init(&o);
    o.profile = 0;
    toll_mse_estimate f = fit(d, "A*B + B*C", &o);
    ck_assert_int_eq(f.interval, TOLL_MSE_CI_LOGNORMAL);
    ck_assert_double_eq_tol(f.n_hat, e.n_hat, 1e-9);
    /* a wider level gives a wider interval */
    o.profile = 1;
    o.level = 0.99;
    f = fit(d, "A*B + B*C", &o);
    ck_assert(f.lo < e.lo && f.hi > e.hi);
    toll_mse_data_free(d);
}
END_TEST

START_TEST(saturated_model_should_fail_with_emodel)
{
    static const char *p[] = {"11", "10", "01"};
    static const long c[] = {167, 781, 254};
    toll_mse_data *d = make(2, L2, p, c, 3, NULL);
    toll_mse_model m;
    toll_mse_estimate e;
    toll_error err;
    ck_assert_int_eq(toll_mse_model_parse(d, "A*B", &m, &err), TOLL_OK);
    ck_assert_int_eq(toll_mse_loglinear(d, TOLL_MSE_TOTAL, m, NULL, &e, &err),
                     TOLL_EMODEL);
    ck_assert_ptr_nonnull(strstr(err.message, "A + B + A*B"));
    ck_assert_ptr_nonnull(strstr(err.message, "saturated"));
    toll_mse_data_free(d);

    d = make(3, L3, P3, CORMACK, 7, NULL);
    ck_assert_int_eq(toll_mse_model_parse(d, "A*B*C", &m, &err), TOLL_EMODEL);
    ck_assert_ptr_nonnull(strstr(err.message, "saturated"));
    ck_assert_ptr_nonnull(strstr(err.message, "A*B*C"));
    toll_mse_data_free(d);
}
END_TEST

START_TEST(zero_margin_interaction_should_fail_with_emodel)
{
    /* nobody is on both A and C */
    static const char *p[] = {"110", "011", "100", "010", "001"};
    static const long c[] = {10, 6, 30, 25, 20};
    toll_mse_data *d = make(3, L3, p, c, 5, NULL);
    toll_mse_model m;
    toll_mse_estimate e;
    toll_error err;
    ck_assert_int_eq(toll_mse_model_parse(d, "A*C", &m, &err), TOLL_OK);
    ck_assert_int_eq(toll_mse_loglinear(d, TOLL_MSE_TOTAL, m, NULL, &e, &err),
                     TOLL_EMODEL);
    ck_assert_ptr_nonnull(strstr(err.message, "A + B + C + A*C"));
    ck_assert_ptr_nonnull(strstr(err.message, "all-zero margin"));
    toll_mse_data_free(d);
}
END_TEST

START_TEST(zero_cells_should_be_fitted_without_nan)
{
    /* 111 is empty but every margin is positive */
    static const char *p[] = {"110", "101", "011", "100", "010", "001"};
    static const long c[] = {10, 8, 6, 30, 25, 20};
    toll_mse_data *d = make(3, L3, p, c, 6, NULL);
    toll_mse_estimate e = fit(d, "A*B", NULL);
    ck_assert(isfinite(e.n_hat) && isfinite(e.se) && isfinite(e.lo) &&
              isfinite(e.hi) && isfinite(e.deviance) && isfinite(e.aic));
    ck_assert_uint_ne(e.warnings & TOLL_MSE_W_ZERO_CELLS, 0);
    ck_assert_ptr_nonnull(strstr(e.warning, "1 of 7 observed cells are zero"));
    /* the all-pairs model would need the empty cell to vanish: no MLE */
    toll_mse_model m;
    toll_error err;
    ck_assert_int_eq(toll_mse_model_parse(d, "A*B+A*C+B*C", &m, &err),
                     TOLL_OK);
    ck_assert_int_eq(toll_mse_loglinear(d, TOLL_MSE_TOTAL, m, NULL, &e, &err),
                     TOLL_EMODEL);
    ck_assert_ptr_nonnull(strstr(err.message, "does not exist"));
    ck_assert_ptr_nonnull(strstr(err.message, "111"));
    toll_mse_data_free(d);
}
END_TEST

START_TEST(no_overlap_should_fail_with_emodel)
{
    static const char *p[] = {"100", "010", "001"};
    static const long c[] = {30, 25, 20};
    toll_mse_data *d = make(3, L3, p, c, 3, NULL);
    toll_mse_estimate e;
    toll_error err;
    ck_assert_int_eq(toll_mse_loglinear(d, TOLL_MSE_TOTAL, 0, NULL, &e, &err),
                     TOLL_EMODEL);
    ck_assert_ptr_nonnull(strstr(err.message, "no record is on two lists: "
                                              "the lists 'A', 'B' and 'C' "
                                              "do not overlap"));
    toll_mse_data_free(d);
}
END_TEST

/* A, B overlap; C shares no record with them. */
static const char *ISO_P[] = {"110", "100", "010", "001"};
static const long ISO_C[] = {20, 30, 25, 15};

START_TEST(list_sharing_no_record_should_be_named_in_a_warning)
{
    toll_mse_data *d = make(3, L3, ISO_P, ISO_C, 4, NULL);
    ck_assert_uint_eq(toll_mse_data_isolated(d, TOLL_MSE_TOTAL), 4u);
    toll_mse_estimate e = fit(d, "A+B+C", NULL);
    ck_assert_uint_ne(e.warnings & TOLL_MSE_W_ISOLATED, 0);
    ck_assert_ptr_nonnull(strstr(e.warning, "list 'C' shares no record with "
                                            "any other list"));
    toll_mse_data_free(d);
}
END_TEST

START_TEST(overlapping_lists_should_carry_no_isolation_warning)
{
    toll_mse_data *d = make(3, L3, P3, DARROCH, 7, NULL);
    ck_assert_uint_eq(toll_mse_data_isolated(d, TOLL_MSE_TOTAL), 0u);
    toll_mse_estimate e = fit(d, "A*B", NULL);
    ck_assert_uint_eq(e.warnings & TOLL_MSE_W_ISOLATED, 0);
    toll_error err;
    ck_assert_int_eq(toll_mse_data_check_overlap(d, TOLL_MSE_TOTAL, &err),
                     TOLL_OK);
    toll_mse_data_free(d);
}
END_TEST

START_TEST(no_overlap_in_one_stratum_should_fail_naming_the_stratum)
{
    static const char *p[] = {"100", "010", "001"};
    static const long c[] = {30, 25, 20};
    toll_mse_data *d = make(3, L3, P3, DARROCH, 7, "north");
    toll_error err;
    for (int i = 0; i < 3; i++)
        ck_assert_int_eq(toll_mse_data_add_pattern(d, "south", p[i], c[i],
                                                   &err), TOLL_OK);
    ck_assert_int_eq(toll_mse_data_check_overlap(d, 0, &err), TOLL_OK);
    toll_mse_results *r = NULL;
    ck_assert_int_eq(toll_mse_search(d, TOLL_MSE_TOTAL, TOLL_MSE_AIC, NULL,
                                     NULL, &r, &err), TOLL_EMODEL);
    ck_assert_ptr_null(r);
    ck_assert_str_eq(err.message,
                     "stratum 'south': no record is on two lists: the lists "
                     "'A', 'B' and 'C' do not overlap, so multiple systems "
                     "estimation has nothing to go on");
    toll_mse_data_free(d);
}
END_TEST

START_TEST(list_sharing_no_record_in_a_stratum_should_warn_on_the_total)
{
    toll_mse_data *d = make(3, L3, P3, DARROCH, 7, "north");
    toll_error err;
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(toll_mse_data_add_pattern(d, "south", ISO_P[i],
                                                   ISO_C[i], &err), TOLL_OK);
    ck_assert_uint_eq(toll_mse_data_isolated(d, 1), 4u);
    toll_mse_results *r = NULL;
    ck_assert_msg(toll_mse_search(d, TOLL_MSE_TOTAL, TOLL_MSE_AIC, NULL, NULL,
                                  &r, &err) == TOLL_OK, "%s", err.message);
    const toll_mse_estimate *av = toll_mse_results_average(r);
    ck_assert_uint_ne(av->warnings & TOLL_MSE_W_ISOLATED, 0);
    ck_assert_ptr_nonnull(strstr(av->warning, "stratum 'south': list 'C' "
                                              "shares no record"));
    const toll_mse_estimate *best = toll_mse_results_get(r, 0);
    ck_assert_uint_ne(best->warnings & TOLL_MSE_W_ISOLATED, 0);
    toll_mse_results_free(r);
    toll_mse_data_free(d);
}
END_TEST

static toll_mse_lcmcr_options short_lcmcr(void)
{
    toll_mse_lcmcr_options o;
    toll_mse_lcmcr_options_init(&o);
    o.burnin = 200;
    o.samples = 50;
    o.thin = 2;
    o.chains = 2;
    o.threads = 1;
    return o;
}

START_TEST(lcmcr_should_fail_when_no_record_is_on_two_lists)
{
    static const char *p[] = {"100", "010", "001"};
    static const long c[] = {30, 25, 20};
    toll_mse_data *d = make(3, L3, p, c, 3, NULL);
    toll_mse_lcmcr_options o = short_lcmcr();
    toll_mse_lcmcr_result *r = NULL;
    toll_error err;
    ck_assert_int_eq(toll_mse_lcmcr(d, TOLL_MSE_TOTAL, &o, NULL, &r, &err),
                     TOLL_EMODEL);
    ck_assert_ptr_null(r);
    ck_assert_ptr_nonnull(strstr(err.message, "no record is on two lists"));
    toll_mse_data_free(d);
}
END_TEST

START_TEST(lcmcr_should_warn_of_a_list_sharing_no_record)
{
    toll_mse_data *d = make(3, L3, ISO_P, ISO_C, 4, NULL);
    toll_mse_lcmcr_options o = short_lcmcr();
    toll_mse_lcmcr_result *r = NULL;
    toll_error err;
    ck_assert_msg(toll_mse_lcmcr(d, TOLL_MSE_TOTAL, &o, NULL, &r, &err) ==
                      TOLL_OK, "%s", err.message);
    const toll_mse_lcmcr_summary *s = toll_mse_lcmcr_summary_get(r, 0);
    ck_assert_uint_ne(s->warnings & TOLL_MSE_LCMCR_W_ISOLATED, 0);
    ck_assert_ptr_nonnull(strstr(s->warning, "list 'C' shares no record"));
    toll_mse_lcmcr_free(r);
    toll_mse_data_free(d);
}
END_TEST

START_TEST(nonconvergence_should_fail_with_enumeric)
{
    toll_mse_data *d = make(3, L3, P3, CORMACK, 7, NULL);
    toll_mse_options o;
    toll_mse_options_init(&o);
    o.max_iter = 1;
    toll_mse_estimate e;
    toll_error err;
    ck_assert_int_eq(toll_mse_loglinear(d, TOLL_MSE_TOTAL, 0, &o, &e, &err),
                     TOLL_ENUMERIC);
    ck_assert_ptr_nonnull(strstr(err.message, "did not converge"));
    ck_assert_ptr_nonnull(strstr(err.message, "A + B + C"));
    toll_mse_data_free(d);
}
END_TEST

START_TEST(eight_lists_should_be_fitted)
{
    static const char *names[] = {"A", "B", "C", "D", "E", "F", "G", "H"};
    static const double pj[] = {0.3, 0.25, 0.2, 0.35, 0.3, 0.2, 0.25, 0.3};
    toll_mse_data *d = NULL;
    toll_error err;
    ck_assert_int_eq(toll_mse_data_new(8, names, NULL, &d, &err), TOLL_OK);
    /* expected counts of N = 100000 independent individuals, rounded */
    for (unsigned c = 1; c < 256; c++) {
        double v = 100000.0;
        unsigned char flags[8];
        for (int j = 0; j < 8; j++) {
            flags[j] = (c >> j) & 1u;
            v *= flags[j] ? pj[j] : 1.0 - pj[j];
        }
        long n = (long)floor(v + 0.5);
        for (long k = 0; k < n && k < 3; k++)
            ck_assert_int_eq(toll_mse_data_add_record(d, "", flags, 8, &err),
                             TOLL_OK);
        if (n > 3) {
            char pat[9];
            for (int j = 0; j < 8; j++)
                pat[j] = flags[j] ? '1' : '0';
            pat[8] = '\0';
            ck_assert_int_eq(toll_mse_data_add_pattern(d, NULL, pat, n - 3,
                                                       &err), TOLL_OK);
        }
    }
    toll_mse_estimate e = fit(d, "", NULL);
    ck_assert_int_eq(e.df, 255 - 9);
    ck_assert_double_eq_tol(e.n_hat, 100000.0, 100.0);
    ck_assert(e.lo < 100000.0 && e.hi > 100000.0);
    e = fit(d, "A*B + G*H + 7*8", NULL);
    ck_assert_int_eq(e.npar, 11);
    ck_assert_str_eq(e.model_name, "A + B + C + D + E + F + G + H + A*B + G*H");
    toll_mse_results *r = NULL;
    ck_assert_int_eq(toll_mse_search(d, TOLL_MSE_TOTAL, TOLL_MSE_AIC, NULL,
                                     NULL, &r, &err), TOLL_EINVAL);
    ck_assert_ptr_null(r);
    toll_mse_data_free(d);
}
END_TEST

/* ---- search and averaging --------------------------------------------------- */

START_TEST(search_by_aic_should_rank_models_and_pick_the_best)
{
    toll_mse_data *d = make(3, L3, P3, CORMACK, 7, NULL);
    toll_mse_results *r = NULL;
    toll_error err;
    ck_assert_int_eq(toll_mse_search(d, TOLL_MSE_TOTAL, TOLL_MSE_AIC, NULL,
                                     NULL, &r, &err), TOLL_OK);
    ck_assert_uint_eq(toll_mse_results_count(r) + toll_mse_results_skipped(r),
                      8);
    double wsum = 0.0;
    for (size_t i = 0; i < toll_mse_results_count(r); i++) {
        const toll_mse_estimate *e = toll_mse_results_get(r, i);
        if (i)
            ck_assert(e->aic >= toll_mse_results_get(r, i - 1)->aic);
        wsum += e->weight;
    }
    ck_assert_double_eq_tol(wsum, 1.0, 1e-12);
    /* [CORMACK]: with their deviances (indep 75.1/3 df, [23] 1.2/2,
     * [12][23] 0.6/1, [13][23] 0.3/1, all pairs 0/0) AIC = dev + 2 npar
     * is smallest for [23] = WCC*MOSH, i.e. B*C here */
    const toll_mse_estimate *best = toll_mse_results_get(r, 0);
    ck_assert_str_eq(best->model_name, "A + B + C + B*C");
    ck_assert_double_eq(best->delta, 0.0);
    ck_assert_int_eq(best->interval, TOLL_MSE_CI_PROFILE);
    const toll_mse_estimate *av = toll_mse_results_average(r);
    ck_assert_int_eq(av->method, TOLL_MSE_MODEL_AVERAGE);
    ck_assert(av->n_hat > 209.0 && av->n_hat < 248.0);
    /* model-selection uncertainty widens the interval */
    ck_assert(av->se > best->se);
    ck_assert(av->hi - av->lo > best->hi - best->lo);
    toll_mse_results_free(r);
    toll_mse_data_free(d);
}
END_TEST

START_TEST(search_by_bic_should_pick_rivest_interaction_set)
{
    toll_mse_data *d = make(4, L4, P4, BRUNO, 15, NULL);
    toll_mse_results *r = NULL;
    toll_error err;
    ck_assert_int_eq(toll_mse_search(d, TOLL_MSE_TOTAL, TOLL_MSE_BIC, NULL,
                                     NULL, &r, &err), TOLL_OK);
    ck_assert_uint_eq(toll_mse_results_count(r), 64);
    ck_assert_int_eq(toll_mse_results_criterion(r), TOLL_MSE_BIC);
    /* [BRUNO]: BIC's best is the set Rivest (2011) chose, [13][24][34] */
    ck_assert_str_eq(toll_mse_results_get(r, 0)->model_name,
                     "A + B + C + D + A*C + B*D + C*D");
    toll_mse_results_free(r);
    /* and AIC's best is Bruno et al.'s model, all pairs but [14] */
    ck_assert_int_eq(toll_mse_search(d, TOLL_MSE_TOTAL, TOLL_MSE_AIC, NULL,
                                     NULL, &r, &err), TOLL_OK);
    ck_assert_str_eq(toll_mse_results_get(r, 0)->model_name,
                     "A + B + C + D + A*B + A*C + B*C + B*D + C*D");
    toll_mse_results_free(r);
    toll_mse_data_free(d);
}
END_TEST

START_TEST(search_over_five_lists_should_rank_all_1024_models)
{
    static const char *names[] = {"A", "B", "C", "D", "E"};
    static const double pj[] = {0.3, 0.25, 0.2, 0.35, 0.3};
    toll_mse_data *d = NULL;
    toll_error err;
    ck_assert_int_eq(toll_mse_data_new(5, names, NULL, &d, &err), TOLL_OK);
    for (unsigned c = 1; c < 32; c++) {
        double v = 10000.0;
        char pat[6];
        for (int j = 0; j < 5; j++) {
            int x = (c >> j) & 1u;
            pat[j] = x ? '1' : '0';
            v *= x ? pj[j] : 1.0 - pj[j];
        }
        pat[5] = '\0';
        if ((c & 3u) == 3u)
            v *= 1.5; /* A and B are positively dependent */
        ck_assert_int_eq(toll_mse_data_add_pattern(d, NULL, pat,
                                                   (long)floor(v + 0.5), &err),
                         TOLL_OK);
    }
    toll_mse_results *r = NULL;
    ck_assert_int_eq(toll_mse_search(d, TOLL_MSE_TOTAL, TOLL_MSE_AIC, NULL,
                                     NULL, &r, &err), TOLL_OK);
    ck_assert_uint_eq(toll_mse_results_count(r), 1024);
    ck_assert_str_eq(toll_mse_results_get(r, 0)->model_name,
                     "A + B + C + D + E + A*B");
    toll_mse_results_free(r);
    toll_mse_data_free(d);
}
END_TEST

/* ---- strata ------------------------------------------------------------- */

START_TEST(strata_should_sum_estimates_and_add_variances)
{
    toll_mse_data *d = make(3, L3, P3, CORMACK, 7, "north");
    for (int i = 0; i < 7; i++) {
        toll_error err;
        ck_assert_int_eq(toll_mse_data_add_pattern(d, "south", P3[i],
                                                   DARROCH[i], &err), TOLL_OK);
    }
    ck_assert_uint_eq(toll_mse_data_nstrata(d), 2);
    ck_assert_str_eq(toll_mse_data_stratum_name(d, 1), "south");
    ck_assert_int_eq(toll_mse_data_stratum_index(d, "north"), 0);
    ck_assert_int_eq(toll_mse_data_observed(d, TOLL_MSE_TOTAL), 201 + 414);
    toll_mse_model m;
    toll_error err;
    ck_assert_int_eq(toll_mse_model_parse(d, "B*C", &m, &err), TOLL_OK);
    toll_mse_estimate a, b, t;
    ck_assert_int_eq(toll_mse_loglinear(d, 0, m, NULL, &a, &err), TOLL_OK);
    ck_assert_int_eq(toll_mse_loglinear(d, 1, m, NULL, &b, &err), TOLL_OK);
    ck_assert_int_eq(toll_mse_loglinear(d, TOLL_MSE_TOTAL, m, NULL, &t, &err),
                     TOLL_OK);
    ck_assert_int_eq(t.stratum, TOLL_MSE_TOTAL);
    ck_assert_double_eq_tol(t.n_hat, a.n_hat + b.n_hat, 1e-9);
    ck_assert_double_eq_tol(t.se * t.se, a.se * a.se + b.se * b.se, 1e-6);
    ck_assert_double_eq(t.observed, 615.0);
    ck_assert_int_eq(t.df, a.df + b.df);
    ck_assert_double_eq_tol(t.aic, a.aic + b.aic, 1e-9);
    ck_assert(t.lo < t.n_hat && t.hi > t.n_hat);
    ck_assert_uint_ne(t.warnings & TOLL_MSE_W_APPROX_CI, 0);
    ck_assert_int_eq(toll_mse_chapman(d, TOLL_MSE_TOTAL, 0, 1, NULL, &t, &err),
                     TOLL_OK);
    ck_assert_int_eq(toll_mse_chapman(d, 0, 0, 1, NULL, &a, &err), TOLL_OK);
    ck_assert_int_eq(toll_mse_chapman(d, 1, 0, 1, NULL, &b, &err), TOLL_OK);
    ck_assert_double_eq_tol(t.n_hat, a.n_hat + b.n_hat, 1e-9);
    ck_assert_double_eq_tol(t.se * t.se, a.se * a.se + b.se * b.se, 1e-6);
    ck_assert_int_eq(toll_mse_chao(d, 5, NULL, &t, &err), TOLL_EINVAL);
    toll_mse_data_free(d);
}
END_TEST

START_TEST(stratum_failure_should_name_the_stratum)
{
    static const char *p[] = {"10", "01"};
    static const long c[] = {4, 3};
    static const char *q[] = {"11", "10", "01"};
    static const long e2[] = {5, 4, 3};
    toll_mse_data *d = make(2, L2, q, e2, 3, "2023");
    toll_error err;
    for (int i = 0; i < 2; i++)
        ck_assert_int_eq(toll_mse_data_add_pattern(d, "2024", p[i], c[i],
                                                   &err), TOLL_OK);
    toll_mse_estimate e;
    ck_assert_int_eq(toll_mse_lincoln_petersen(d, TOLL_MSE_TOTAL, 0, 1, NULL,
                                               &e, &err), TOLL_EMODEL);
    ck_assert_ptr_nonnull(strstr(err.message, "stratum '2024': "));
    toll_mse_data_free(d);
}
END_TEST

/* ---- input ---------------------------------------------------------------- */

START_TEST(load_file_should_read_membership_columns)
{
    toll_mse_data *d = NULL;
    toll_error err;
    ck_assert_int_eq(toll_mse_data_new(3, L3, NULL, &d, &err), TOLL_OK);
    ck_assert_msg(toll_mse_data_load_file(d, DATA_DIR "/records.csv", NULL,
                                          &err) == TOLL_OK, "%s", err.message);
    ck_assert_uint_eq(toll_mse_data_nstrata(d), 3);
    size_t north = toll_mse_data_stratum_index(d, "north");
    size_t south = toll_mse_data_stratum_index(d, "south");
    size_t none = toll_mse_data_stratum_index(d, "");
    ck_assert(north < 3 && south < 3 && none < 3);
    ck_assert_uint_eq(toll_mse_data_stratum_index(d, "west"),
                      TOLL_MSE_NO_STRATUM);
    ck_assert_int_eq(toll_mse_data_count(d, north, 0x1), 1);   /* 100 */
    ck_assert_int_eq(toll_mse_data_count(d, north, 0x3), 1);   /* 110 */
    ck_assert_int_eq(toll_mse_data_count(d, south, 0x6), 1);   /* 011 */
    ck_assert_int_eq(toll_mse_data_count(d, south, 0x5), 1);   /* 101 */
    ck_assert_int_eq(toll_mse_data_count(d, none, 0x4), 1);    /* 001 */
    ck_assert_int_eq(toll_mse_data_observed(d, TOLL_MSE_TOTAL), 5);
    toll_mse_data_free(d);

    /* columns named explicitly, mapped onto other list names */
    static const char *names[] = {"x", "y", "z"};
    static const char *cols[] = {"A", "B", "C"};
    ck_assert_int_eq(toll_mse_data_new(3, names, NULL, &d, &err), TOLL_OK);
    toll_mse_load_options o;
    toll_mse_load_options_init(&o);
    o.lists = cols;
    o.nlists = 3;
    ck_assert_int_eq(toll_mse_data_load_file(d, DATA_DIR "/records.csv", &o,
                                             &err), TOLL_OK);
    ck_assert_int_eq(toll_mse_data_observed(d, TOLL_MSE_TOTAL), 5);
    toll_mse_data_free(d);
}
END_TEST

START_TEST(load_file_should_read_pattern_count_table)
{
    toll_mse_data *d = NULL;
    toll_error err;
    ck_assert_int_eq(toll_mse_data_new(3, L3, NULL, &d, &err), TOLL_OK);
    ck_assert_msg(toll_mse_data_load_file(d, DATA_DIR "/patterns.csv", NULL,
                                          &err) == TOLL_OK, "%s", err.message);
    ck_assert_uint_eq(toll_mse_data_nstrata(d), 1);
    ck_assert_int_eq(toll_mse_data_observed(d, 0), 201);
    ck_assert_int_eq(toll_mse_data_count(d, 0, 0x7), 72);
    toll_mse_estimate e = fit(d, "", NULL);
    ck_assert_double_eq(round(e.n_hat), 209.0);
    toll_mse_data_free(d);
}
END_TEST

START_TEST(load_should_report_file_line_and_field)
{
    toll_mse_data *d = make(2, L2, (const char *[]){"11"}, (const long[]){7},
                            1, NULL);
    toll_error err;
    const char *bad = "A,B\n1,0\r\n2,1\n";
    ck_assert_int_eq(toll_mse_data_load_buffer(d, bad, strlen(bad), "x.csv",
                                               NULL, &err), TOLL_EPARSE);
    ck_assert_str_eq(err.message,
                     "x.csv:3: field 'A': cannot read \"2\" as 0 or 1");
    ck_assert_int_eq(err.line, 3);
    ck_assert_str_eq(err.field, "A");
    /* the load is transactional: the good row 2 was rolled back */
    ck_assert_int_eq(toll_mse_data_observed(d, TOLL_MSE_TOTAL), 7);

    const char *none = "stratum,A,B\nx,0,0\n";
    ck_assert_int_eq(toll_mse_data_load_buffer(d, none, strlen(none), "y.csv",
                                               NULL, &err), TOLL_EPARSE);
    ck_assert_str_eq(err.message, "y.csv:2: record is on none of the lists");
    ck_assert_uint_eq(toll_mse_data_nstrata(d), 1);

    const char *missing = "A,C\n1,1\n";
    ck_assert_int_eq(toll_mse_data_load_buffer(d, missing, strlen(missing),
                                               "z.csv", NULL, &err),
                     TOLL_EPARSE);
    ck_assert_ptr_nonnull(strstr(err.message, "z.csv:1: field 'B': missing "
                                              "column 'B'"));

    const char *tab = "pattern,count\n11,3\n1x,2\n";
    ck_assert_int_eq(toll_mse_data_load_buffer(d, tab, strlen(tab), "t.csv",
                                               NULL, &err), TOLL_EPARSE);
    ck_assert_str_eq(err.message, "t.csv:3: field 'pattern': cannot read "
                                  "\"1x\" as a capture history of 2 lists "
                                  "(0/1 each)");
    const char *bom = "\xEF\xBB\xBFpattern,count\n01,1\n";
    ck_assert_int_eq(toll_mse_data_load_buffer(d, bom, strlen(bom), "b.csv",
                                               NULL, &err), TOLL_OK);
    ck_assert_int_eq(toll_mse_data_count(d, 0, 0x2), 1);
    const char *cnt = "pattern,count\n11,-3\n";
    ck_assert_int_eq(toll_mse_data_load_buffer(d, cnt, strlen(cnt), "c.csv",
                                               NULL, &err), TOLL_EPARSE);
    ck_assert_str_eq(err.message, "c.csv:2: field 'count': cannot read \"-3\" "
                                  "as a non-negative whole number");
    const char *quote = "A,B\n\"1,0\n";
    ck_assert_int_eq(toll_mse_data_load_buffer(d, quote, strlen(quote),
                                               "q.csv", NULL, &err),
                     TOLL_EPARSE);
    ck_assert_ptr_nonnull(strstr(err.message, "q.csv:"));
    /* a field longer than the CSV parser's first buffer */
    char longcsv[1200];
    int k = snprintf(longcsv, sizeof longcsv, "stratum,A,B\n\"");
    for (int i = 0; i < 1000; i++)
        longcsv[k++] = (char)('a' + i % 26);
    snprintf(longcsv + k, sizeof longcsv - (size_t)k, "\",1,1\n");
    ck_assert_int_eq(toll_mse_data_load_buffer(d, longcsv, strlen(longcsv),
                                               "l.csv", NULL, &err),
                     TOLL_OK);
    ck_assert_uint_eq(toll_mse_data_nstrata(d), 2);
    ck_assert_uint_eq(strlen(toll_mse_data_stratum_name(d, 1)), 1000);
    ck_assert_int_eq(toll_mse_data_count(d, 1, 0x3), 1);
    ck_assert_int_eq(toll_mse_data_load_file(d, DATA_DIR "/nonexistent.csv",
                                             NULL, &err), TOLL_EIO);
    ck_assert_int_eq(toll_mse_data_observed(d, TOLL_MSE_TOTAL), 9);
    toll_mse_data_free(d);
}
END_TEST

START_TEST(add_pattern_should_reject_bad_histories)
{
    toll_mse_data *d = NULL;
    toll_error err;
    ck_assert_int_eq(toll_mse_data_new(3, L3, NULL, &d, &err), TOLL_OK);
    ck_assert_int_eq(toll_mse_data_add_pattern(d, NULL, "000", 3, &err),
                     TOLL_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.message, "on no list"));
    ck_assert_int_eq(toll_mse_data_add_pattern(d, NULL, "10", 3, &err),
                     TOLL_EINVAL);
    ck_assert_int_eq(toll_mse_data_add_pattern(d, NULL, "1a0", 3, &err),
                     TOLL_EINVAL);
    ck_assert_int_eq(toll_mse_data_add_pattern(d, NULL, "100", -1, &err),
                     TOLL_EINVAL);
    unsigned char fl[3] = {0, 0, 0};
    ck_assert_int_eq(toll_mse_data_add_record(d, NULL, fl, 3, &err),
                     TOLL_EINVAL);
    ck_assert_int_eq(toll_mse_data_add_record(d, NULL, fl, 2, &err),
                     TOLL_EINVAL);
    ck_assert_uint_eq(toll_mse_data_nstrata(d), 0);
    toll_mse_estimate e;
    ck_assert_int_eq(toll_mse_chao(d, TOLL_MSE_TOTAL, NULL, &e, &err),
                     TOLL_EINVAL);
    toll_mse_data_free(d);
    toll_mse_data_free(NULL);
    toll_mse_results_free(NULL);

    static const char *dup[] = {"A", "A"};
    static const char *sp[] = {"A B", "C"};
    static const char *num[] = {"12", "C"};
    ck_assert_int_eq(toll_mse_data_new(2, dup, NULL, &d, &err), TOLL_EINVAL);
    ck_assert_int_eq(toll_mse_data_new(2, sp, NULL, &d, &err), TOLL_EINVAL);
    ck_assert_int_eq(toll_mse_data_new(2, num, NULL, &d, &err), TOLL_EINVAL);
    ck_assert_int_eq(toll_mse_data_new(1, L3, NULL, &d, &err), TOLL_EINVAL);
    ck_assert_int_eq(toll_mse_data_new(9, L3, NULL, &d, &err), TOLL_EINVAL);
    ck_assert_ptr_null(d);
}
END_TEST

START_TEST(model_strings_should_accept_names_and_indices)
{
    toll_mse_data *d = make(4, L4, P4, BRUNO, 15, NULL);
    toll_mse_model a, b;
    toll_error err;
    ck_assert_int_eq(toll_mse_model_parse(d, "A*B + C:D", &a, &err), TOLL_OK);
    ck_assert_int_eq(toll_mse_model_parse(d, " 1*2+4*3 + A ", &b, &err),
                     TOLL_OK);
    ck_assert_uint_eq(a, b);
    ck_assert_uint_eq(a, (1u << toll_mse_pair_bit(0, 1)) |
                             (1u << toll_mse_pair_bit(2, 3)));
    char buf[128];
    size_t n = toll_mse_model_format(d, a, buf, sizeof buf);
    ck_assert_str_eq(buf, "A + B + C + D + A*B + C*D");
    ck_assert_uint_eq(n, strlen(buf));
    ck_assert_int_eq(toll_mse_model_parse(d, buf, &b, &err), TOLL_OK);
    ck_assert_uint_eq(a, b);
    char small[6];
    ck_assert_uint_eq(toll_mse_model_format(d, a, small, sizeof small), n);
    ck_assert_str_eq(small, "A + B");
    ck_assert_int_eq(toll_mse_model_parse(d, "independence", &b, &err),
                     TOLL_OK);
    ck_assert_uint_eq(b, 0);
    ck_assert_int_eq(toll_mse_model_parse(d, "A*Q", &b, &err), TOLL_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.message, "unknown list \"Q\""));
    ck_assert_int_eq(toll_mse_model_parse(d, "A*B +", &b, &err), TOLL_EINVAL);
    ck_assert_int_eq(toll_mse_model_parse(d, "5*1", &b, &err), TOLL_EINVAL);
    ck_assert_int_eq(toll_mse_model_parse(d, "A*B*C", &b, &err), TOLL_EMODEL);
    ck_assert_ptr_nonnull(strstr(err.message, "3-way"));
    ck_assert_int_eq(toll_mse_pair_bit(1, 1), -1);
    ck_assert_int_eq(toll_mse_pair_bit(2, 0), 1);
    toll_mse_estimate e;
    ck_assert_int_eq(toll_mse_loglinear(d, TOLL_MSE_TOTAL, 1u << 6, NULL, &e,
                                        &err), TOLL_EINVAL);
    toll_mse_data_free(d);
}
END_TEST

/* ---- allocation failures -------------------------------------------------- */

static toll_status sweep_once(failing_alloc *f)
{
    toll_mse_data *d = NULL;
    toll_mse_results *r = NULL;
    toll_error err;
    toll_status st;
    toll_mse_estimate e;
    if ((st = toll_mse_data_new(3, L3, &f->a, &d, &err)))
        goto out;
    for (int i = 0; i < 7; i++)
        if ((st = toll_mse_data_add_pattern(d, "north", P3[i], CORMACK[i],
                                            &err)))
            goto out;
    const char *csv = "stratum,A,B,C\nsouth,1,1,0\nsouth,0,1,1\n"
                      "east,1,0,1\nwest,1,1,1\nsouth,1,0,0\n"
                      "west,1,1,1,\"a note longer than the parser's first "
                      "buffer of 256 bytes: ..................................."
                      "........................................................"
                      "........................................................"
                      "........................................................"
                      "...........\"\n";
    if ((st = toll_mse_data_load_buffer(d, csv, strlen(csv), "s.csv", NULL,
                                        &err)))
        goto out;
    ck_assert_uint_eq(toll_mse_data_nstrata(d), 4);
    if ((st = toll_mse_loglinear(d, 0, 1u << 2, NULL, &e, &err)))
        goto out;
    if ((st = toll_mse_chapman(d, TOLL_MSE_TOTAL, 0, 1, NULL, &e, &err)))
        goto out;
    if ((st = toll_mse_search(d, 0, TOLL_MSE_AIC, NULL, NULL, &r, &err)))
        goto out;
    ck_assert_uint_eq(toll_mse_results_count(r), 8);
out:
    toll_mse_results_free(r);
    toll_mse_data_free(d);
    return st;
}

START_TEST(allocation_failures_should_give_enomem_and_leak_nothing)
{
    long n;
    for (n = 1; n < 100000; n++) {
        failing_alloc f;
        failing_alloc_init(&f, n);
        toll_status st = sweep_once(&f);
        ck_assert_msg(st == TOLL_OK || st == TOLL_ENOMEM,
                      "fail_at %ld: status %s", n, toll_status_name(st));
        ck_assert_msg(f.live == 0, "fail_at %ld: %ld blocks leaked", n,
                      f.live);
        if (st == TOLL_OK && f.count < n)
            break;
    }
    ck_assert(n > 10);
}
END_TEST


/* ---- capture histories from incidents ----------------------------------- */

/* Five incidents: a (A, B, and a self-report by the accused), b (A),
 * c (B, C), d (A, B, C), e (only the accused's own statement), plus f
 * reported by D alone.  Regions and years differ for strata. */
static const char INC_JSONL[] =
    "{\"incident\":\"a\",\"source\":\"A\",\"date\":\"2015-03-01\","
    "\"region\":\"Syria/Aleppo/X\",\"actor\":\"R\",\"killed\":5}\n"
    "{\"incident\":\"a\",\"source\":\"B\",\"date\":\"2015-03-01\","
    "\"region\":\"Syria/Aleppo/X\",\"actor\":\"R\",\"killed\":6}\n"
    "{\"incident\":\"a\",\"source\":\"MoD\",\"source_actor\":\"R\","
    "\"date\":\"2015-03-01\",\"actor\":\"R\",\"killed\":0}\n"
    "{\"incident\":\"b\",\"source\":\"A\",\"date\":\"2016-01-02\","
    "\"region\":\"Syria/Idlib\",\"actor\":\"S\",\"killed\":2}\n"
    "{\"incident\":\"c\",\"source\":\"B\",\"date\":\"2016-05-02\","
    "\"region\":\"Syria/Aleppo/Y\",\"actor\":\"S\",\"killed\":1}\n"
    "{\"incident\":\"c\",\"source\":\"C D\",\"date\":\"2016-05-02\","
    "\"region\":\"Syria/Aleppo/Y\",\"actor\":\"S\"}\n"
    "{\"incident\":\"d\",\"source\":\"A\",\"date\":\"2016-07-01\","
    "\"region\":\"Syria/Idlib\",\"actor\":\"R\",\"killed\":3}\n"
    "{\"incident\":\"d\",\"source\":\"B\",\"date\":\"2016-07-01\","
    "\"region\":\"Syria/Idlib\",\"actor\":\"R\",\"killed\":3}\n"
    "{\"incident\":\"d\",\"source\":\"C D\",\"date\":\"2016-07-01\","
    "\"region\":\"Syria/Idlib\",\"actor\":\"R\",\"killed\":4}\n"
    "{\"incident\":\"e\",\"source\":\"MoD\",\"source_actor\":\"R\","
    "\"date\":\"2016-08-01\",\"actor\":\"R\",\"killed\":0}\n";

typedef struct ifx {
    toll_reports *r;
    toll_incidents *inc;
} ifx;

static ifx ifx_load(const char *text)
{
    ifx f;
    toll_error err;
    ck_assert_int_eq(toll_reports_new(NULL, &f.r, &err), TOLL_OK);
    toll_load_options lo;
    toll_load_options_init(&lo);
    lo.format = TOLL_FORMAT_JSONL;
    ck_assert_msg(toll_reports_load_buffer(f.r, text, strlen(text), "i.jsonl",
                                           &lo, NULL, &err) == TOLL_OK,
                  "%s", err.message);
    ck_assert_msg(toll_reconcile(f.r, NULL, NULL, &f.inc, &err) == TOLL_OK,
                  "%s", err.message);
    return f;
}

static void ifx_free(ifx *f)
{
    toll_incidents_free(f->inc);
    toll_reports_free(f->r);
}

START_TEST(from_incidents_should_use_non_self_sources_as_lists)
{
    ifx f = ifx_load(INC_JSONL);
    toll_mse_data *d = NULL;
    toll_error err;
    ck_assert_msg(toll_mse_data_from_incidents(f.inc, NULL, 0, NULL, NULL,
                                               &d, &err) == TOLL_OK,
                  "%s", err.message);
    /* MoD only ever reports about its own side: not a list */
    ck_assert_int_eq(toll_mse_data_nlists(d), 3);
    ck_assert_str_eq(toll_mse_data_list_name(d, 0), "A");
    ck_assert_str_eq(toll_mse_data_list_name(d, 1), "B");
    ck_assert_str_eq(toll_mse_data_list_name(d, 2), "C_D");
    ck_assert_uint_eq(toll_mse_data_nstrata(d), 1);
    /* a: A+B, b: A, c: B+C, d: A+B+C; e is on no list */
    ck_assert_int_eq(toll_mse_data_count(d, TOLL_MSE_TOTAL, 0x3), 1);
    ck_assert_int_eq(toll_mse_data_count(d, TOLL_MSE_TOTAL, 0x1), 1);
    ck_assert_int_eq(toll_mse_data_count(d, TOLL_MSE_TOTAL, 0x6), 1);
    ck_assert_int_eq(toll_mse_data_count(d, TOLL_MSE_TOTAL, 0x7), 1);
    ck_assert_int_eq(toll_mse_data_observed(d, TOLL_MSE_TOTAL), 4);
    toll_mse_data_free(d);
    ifx_free(&f);
}
END_TEST

START_TEST(from_incidents_should_take_the_lists_in_the_order_named)
{
    ifx f = ifx_load(INC_JSONL);
    toll_mse_data *d = NULL;
    toll_error err;
    const char *lists[] = {"C D", "A"};
    ck_assert_msg(toll_mse_data_from_incidents(f.inc, lists, 2, NULL, NULL,
                                               &d, &err) == TOLL_OK,
                  "%s", err.message);
    ck_assert_str_eq(toll_mse_data_list_name(d, 0), "C_D");
    /* a: A (bit 1), b: A, c: C D (bit 0), d: both */
    ck_assert_int_eq(toll_mse_data_count(d, TOLL_MSE_TOTAL, 0x2), 2);
    ck_assert_int_eq(toll_mse_data_count(d, TOLL_MSE_TOTAL, 0x1), 1);
    ck_assert_int_eq(toll_mse_data_count(d, TOLL_MSE_TOTAL, 0x3), 1);
    toll_mse_data_free(d);
    ifx_free(&f);
}
END_TEST

START_TEST(from_incidents_should_stratify_by_region_and_period)
{
    ifx f = ifx_load(INC_JSONL);
    toll_mse_data *d = NULL;
    toll_error err;
    ck_assert_msg(toll_mse_data_from_incidents(f.inc, NULL, 0, "region:1",
                                               NULL, &d, &err) == TOLL_OK,
                  "%s", err.message);
    ck_assert_uint_eq(toll_mse_data_nstrata(d), 2);
    ck_assert_str_eq(toll_mse_data_stratum_name(d, 0), "Syria/Aleppo");
    ck_assert_str_eq(toll_mse_data_stratum_name(d, 1), "Syria/Idlib");
    ck_assert_int_eq(toll_mse_data_observed(d, 0), 2);
    ck_assert_int_eq(toll_mse_data_observed(d, 1), 2);
    toll_mse_data_free(d);
    ck_assert_int_eq(toll_mse_data_from_incidents(f.inc, NULL, 0,
                                                  "period:year", NULL, &d,
                                                  &err),
                     TOLL_OK);
    ck_assert_uint_eq(toll_mse_data_nstrata(d), 2);
    ck_assert_str_eq(toll_mse_data_stratum_name(d, 0), "2015");
    ck_assert_str_eq(toll_mse_data_stratum_name(d, 1), "2016");
    ck_assert_int_eq(toll_mse_data_observed(d, 1), 3);
    toll_mse_data_free(d);
    ck_assert_int_eq(toll_mse_data_from_incidents(f.inc, NULL, 0,
                                                  "period:month", NULL, &d,
                                                  &err),
                     TOLL_OK);
    ck_assert_uint_eq(toll_mse_data_nstrata(d), 4);
    ck_assert_str_eq(toll_mse_data_stratum_name(d, 0), "2015-03");
    ck_assert_str_eq(toll_mse_data_stratum_name(d, 3), "2016-07");
    toll_mse_data_free(d);
    ifx_free(&f);
}
END_TEST

START_TEST(from_incidents_should_refuse_bad_lists_and_keys)
{
    ifx f = ifx_load(INC_JSONL);
    toll_mse_data *d = NULL;
    toll_error err;
    const char *unknown[] = {"A", "Nobody"};
    ck_assert_int_eq(toll_mse_data_from_incidents(f.inc, unknown, 2, NULL,
                                                  NULL, &d, &err),
                     TOLL_EINVAL);
    ck_assert_ptr_null(d);
    ck_assert_str_eq(err.field, "lists");
    ck_assert_ptr_nonnull(strstr(err.message, "'Nobody'"));
    const char *twice[] = {"A", "A"};
    ck_assert_int_eq(toll_mse_data_from_incidents(f.inc, twice, 2, NULL, NULL,
                                                  &d, &err),
                     TOLL_EINVAL);
    const char *one[] = {"A"};
    ck_assert_int_eq(toll_mse_data_from_incidents(f.inc, one, 1, NULL, NULL,
                                                  &d, &err),
                     TOLL_EINVAL);
    ck_assert_int_eq(toll_mse_data_from_incidents(f.inc, NULL, 0, "actor",
                                                  NULL, &d, &err),
                     TOLL_EINVAL);
    ck_assert_str_eq(err.field, "stratify_by");
    ck_assert_int_eq(toll_mse_data_from_incidents(f.inc, NULL, 0,
                                                  "period:fortnight", NULL,
                                                  &d, &err),
                     TOLL_EINVAL);
    ifx_free(&f);
    /* nine sources: too many without naming them */
    char text[4096] = "";
    for (int k = 0; k < 9; k++) {
        char line[160];
        snprintf(line, sizeof line,
                 "{\"incident\":\"x\",\"source\":\"S%d\",\"killed\":1}\n", k);
        strcat(text, line);
    }
    f = ifx_load(text);
    ck_assert_int_eq(toll_mse_data_from_incidents(f.inc, NULL, 0, NULL, NULL,
                                                  &d, &err),
                     TOLL_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.message, "9 non-self sources"));
    ifx_free(&f);
}
END_TEST

START_TEST(from_incidents_should_survive_every_allocation_failure)
{
    ifx f = ifx_load(INC_JSONL);
    long n;
    for (n = 1; n < 400; n++) {
        failing_alloc fa;
        failing_alloc_init(&fa, n);
        toll_mse_data *d = NULL;
        toll_error err;
        toll_status st = toll_mse_data_from_incidents(f.inc, NULL, 0,
                                                      "period:month", &fa.a,
                                                      &d, &err);
        ck_assert_msg(st == TOLL_OK || st == TOLL_ENOMEM, "%s",
                      toll_status_name(st));
        toll_mse_data_free(d);
        ck_assert_int_eq(fa.live, 0);
        if (st == TOLL_OK)
            break;
    }
    ck_assert(n > 2);
    ifx_free(&f);
}
END_TEST

/* ---- loading with options ------------------------------------------------- */

static toll_mse_data *listless(void)
{
    toll_mse_data *d = NULL;
    toll_error err;
    ck_assert_int_eq(toll_mse_data_new(0, NULL, NULL, &d, &err), TOLL_OK);
    ck_assert_int_eq(toll_mse_data_nlists(d), 0);
    return d;
}

static toll_status load_text(toll_mse_data *d, const char *text,
                             const char *name, toll_error *err)
{
    return toll_mse_data_load_buffer(d, text, strlen(text), name, NULL, err);
}

START_TEST(load_should_refuse_a_repeated_pattern_naming_both_lines)
{
    toll_mse_data *d = listless();
    toll_error err;
    ck_assert_int_eq(load_text(d, "pattern,count\n10,3\n01,2\n11,4\n10,5\n",
                               "dup.csv", &err),
                     TOLL_EPARSE);
    ck_assert_str_eq(err.message,
                     "dup.csv:5: field 'pattern': capture history \"10\" is "
                     "on lines 2 and 5: a pattern table has one row per "
                     "capture history");
    ck_assert_int_eq(toll_mse_data_nlists(d), 0); /* nothing kept */
    toll_mse_data_free(d);
}
END_TEST

START_TEST(load_should_refuse_a_repeated_pattern_within_a_stratum_only)
{
    toll_mse_data *d = listless();
    toll_error err;
    ck_assert_int_eq(load_text(d, "stratum,pattern,count\nx,10,3\ny,10,3\n"
                                  "x,01,1\ny,11,1\n",
                               "s.csv", &err),
                     TOLL_OK);
    ck_assert_int_eq(toll_mse_data_count(d, TOLL_MSE_TOTAL, 1u), 6);
    toll_mse_data_free(d);
    d = listless();
    ck_assert_int_eq(load_text(d, "stratum,pattern,count\nx,10,3\ny,10,3\n"
                                  " x ,10,2\n",
                               "s.csv", &err),
                     TOLL_EPARSE);
    ck_assert_str_eq(err.message,
                     "s.csv:4: field 'pattern': capture history \"10\" in "
                     "stratum \"x\" is on lines 2 and 4: a pattern table has "
                     "one row per capture history and stratum");
    toll_mse_data_free(d);
}
END_TEST

START_TEST(load_should_refuse_a_count_that_is_not_a_whole_number)
{
    static const char *const counts[] = {"1.5", "2.0", "-1", "", "1e3",
                                         "0x10", "inf"};
    for (size_t i = 0; i < sizeof counts / sizeof *counts; i++) {
        char text[64];
        snprintf(text, sizeof text, "pattern,count\n11,%s\n", counts[i]);
        toll_mse_data *d = listless();
        toll_error err;
        ck_assert_int_eq(load_text(d, text, "f.csv", &err), TOLL_EPARSE);
        ck_assert_msg(strstr(err.message, "field 'count'") &&
                          strstr(err.message, "non-negative whole number"),
                      "%s: %s", counts[i], err.message);
        toll_mse_data_free(d);
    }
}
END_TEST

START_TEST(load_should_refuse_a_delimiter_that_breaks_rows_or_quotes)
{
    static const char bad[] = {'"', '\n', '\r', '\0' + 1, (char)0xC3};
    for (size_t i = 0; i < sizeof bad; i++) {
        toll_mse_data *d = listless();
        toll_mse_load_options lo;
        toll_mse_load_options_init(&lo);
        lo.delimiter = bad[i];
        toll_error err;
        ck_assert_int_eq(toll_mse_data_load_buffer(d, "pattern,count\n11,1\n",
                                                   19, "d.csv", &lo, &err),
                         TOLL_EINVAL);
        ck_assert_msg(strstr(err.message, "is not allowed: the delimiter is "
                                          "tab or one printable ASCII"),
                      "%s", err.message);
        toll_mse_data_free(d);
    }
}
END_TEST

START_TEST(csv_delimiter_check_should_allow_tab_and_printable_ascii_but_quote)
{
    toll_error err;
    for (int c = 0; c < 256; c++) {
        int allowed = c == '\t' || (c >= 0x20 && c < 0x7F && c != '"');
        ck_assert_int_eq(toll_csv_delimiter_check((char)c, &err),
                         allowed ? TOLL_OK : TOLL_EINVAL);
    }
    ck_assert_int_eq(toll_csv_delimiter_check('\n', &err), TOLL_EINVAL);
    ck_assert_str_eq(err.message,
                     "CSV delimiter '\\n' is not allowed: the delimiter is "
                     "tab or one printable ASCII character other than '\"' "
                     "(not a quote, a line end, NUL, another control "
                     "character or a non-ASCII byte)");
    ck_assert_int_eq(toll_csv_delimiter_check('\0', &err), TOLL_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.message, "CSV delimiter NUL"));
}
END_TEST

START_TEST(model_parse_should_refuse_a_term_naming_a_list_twice)
{
    toll_mse_data *d = listless();
    toll_error err;
    toll_mse_model m = 0;
    ck_assert_int_eq(load_text(d, "pattern,count\n110,1\n011,1\n101,1\n",
                               "m.csv", &err),
                     TOLL_OK);
    ck_assert_int_eq(toll_mse_model_parse(d, "A*A", &m, &err), TOLL_EINVAL);
    ck_assert_str_eq(err.message,
                     "field 'model': model \"A*A\": the term \"A*A\" names "
                     "list A twice (an interaction joins different lists)");
    ck_assert_int_eq(toll_mse_model_parse(d, "A*B + 2:2", &m, &err),
                     TOLL_EINVAL);
    ck_assert_int_eq(toll_mse_model_parse(d, "A*B*A", &m, &err), TOLL_EINVAL);
    ck_assert_int_eq(toll_mse_model_parse(d, "A*B + A*B", &m, &err), TOLL_OK);
    toll_mse_data_free(d);
}
END_TEST

START_TEST(criterion_parse_should_take_aic_or_bic_in_any_case)
{
    toll_mse_criterion c = TOLL_MSE_BIC;
    toll_error err;
    ck_assert_int_eq(toll_mse_criterion_parse("Aic", &c, &err), TOLL_OK);
    ck_assert_int_eq(c, TOLL_MSE_AIC);
    ck_assert_int_eq(toll_mse_criterion_parse("BIC", &c, &err), TOLL_OK);
    ck_assert_int_eq(c, TOLL_MSE_BIC);
    ck_assert_int_eq(toll_mse_criterion_parse("cic", &c, &err), TOLL_EINVAL);
    ck_assert_str_eq(err.message, "field 'criterion': criterion \"cic\" is "
                                  "not aic or bic");
}
END_TEST

START_TEST(estimators_should_refuse_a_level_outside_0_1_naming_it)
{
    toll_mse_data *d = hand_two();
    toll_mse_options o;
    toll_mse_options_init(&o);
    toll_mse_estimate e;
    toll_error err;
    double bad[] = {0.0, 1.0, 1.5, -0.5, NAN};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        o.level = bad[i];
        ck_assert_int_eq(toll_mse_chao(d, TOLL_MSE_TOTAL, &o, &e, &err),
                         TOLL_EINVAL);
        ck_assert_str_eq(err.field, "level");
        ck_assert_ptr_nonnull(strstr(err.message, "confidence level must be "
                                                  "between 0 and 1"));
    }
    toll_mse_data_free(d);
}
END_TEST

START_TEST(estimators_should_refuse_bad_fit_options_naming_them)
{
    /* a bad max_iter, tol or profile_delta is an error, never the default */
    toll_mse_data *d = hand_two();
    toll_mse_estimate e;
    toll_error err;
    static const char *const fields[] = {"max_iter", "tol", "tol", "tol",
                                         "profile_delta", "profile_delta"};
    for (int i = 0; i < 6; i++) {
        toll_mse_options o;
        toll_mse_options_init(&o);
        switch (i) {
        case 0: o.max_iter = -3; break;
        case 1: o.tol = 0.0; break;
        case 2: o.tol = -1e-9; break;
        case 3: o.tol = INFINITY; break;
        case 4: o.profile_delta = -1.0; break;
        default: o.profile_delta = NAN; break;
        }
        ck_assert_int_eq(toll_mse_chao(d, TOLL_MSE_TOTAL, &o, &e, &err),
                         TOLL_EINVAL);
        ck_assert_str_eq(err.field, fields[i]);
        ck_assert_ptr_nonnull(strstr(err.message, fields[i]));
    }
    toll_mse_data_free(d);
}
END_TEST

START_TEST(strata_should_be_found_by_name_after_an_undone_load)
{
    toll_mse_data *d = listless();
    toll_error err;
    ck_assert_int_eq(load_text(d, "stratum,pattern,count\na,10,1\nb,01,2\n",
                               "1.csv", &err),
                     TOLL_OK);
    /* a failed load creates strata x, y, then is undone */
    ck_assert_int_eq(load_text(d, "stratum,pattern,count\nx,10,1\ny,01,2\n"
                                  "y,01,3\n",
                               "2.csv", &err),
                     TOLL_EPARSE);
    ck_assert_uint_eq(toll_mse_data_nstrata(d), 2);
    ck_assert_uint_eq(toll_mse_data_stratum_index(d, "x"),
                      TOLL_MSE_NO_STRATUM);
    /* the indices of x and y are reused by y and z */
    ck_assert_int_eq(load_text(d, "stratum,pattern,count\ny,10,5\nz,11,7\n"
                                  "a,11,1\n",
                               "3.csv", &err),
                     TOLL_OK);
    ck_assert_uint_eq(toll_mse_data_nstrata(d), 4);
    ck_assert_uint_eq(toll_mse_data_stratum_index(d, "a"), 0);
    ck_assert_uint_eq(toll_mse_data_stratum_index(d, "b"), 1);
    ck_assert_uint_eq(toll_mse_data_stratum_index(d, "y"), 2);
    ck_assert_uint_eq(toll_mse_data_stratum_index(d, "z"), 3);
    ck_assert_uint_eq(toll_mse_data_stratum_index(d, "x"),
                      TOLL_MSE_NO_STRATUM);
    ck_assert_int_eq(toll_mse_data_count(d, 2, 1u), 5);
    ck_assert_int_eq(toll_mse_data_count(d, 0, 3u), 1);
    toll_mse_data_free(d);
}
END_TEST

START_TEST(load_of_many_strata_should_find_each_by_its_name)
{
    /* 200,000 strata (their growth is timed in test_complexity.c) */
    enum { N = 200000 };
    static char text[N * 24 + 64];
    size_t n = (size_t)snprintf(text, sizeof text, "stratum,pattern,count\n");
    for (long i = 0; i < N; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "s%ld,11,1\n", i);
    toll_mse_data *d = listless();
    toll_error err;
    ck_assert_int_eq(toll_mse_data_load_buffer(d, text, n, "many.csv", NULL,
                                               &err),
                     TOLL_OK);
    ck_assert_uint_eq(toll_mse_data_nstrata(d), N);
    ck_assert_uint_eq(toll_mse_data_stratum_index(d, "s123456"), 123456);
    ck_assert_uint_eq(toll_mse_data_stratum_index(d, "s199999"), 199999);
    toll_mse_data_free(d);
}
END_TEST

START_TEST(load_should_name_lists_by_the_pattern_width)
{
    for (int w = 2; w <= TOLL_MSE_MAX_LISTS; w++) {
        char text[64], pat[16];
        for (int j = 0; j < w; j++)
            pat[j] = j % 2 ? '0' : '1';
        pat[w] = '\0';
        snprintf(text, sizeof text, "pattern,count\n%s,3\n", pat);
        toll_mse_data *d = listless();
        toll_error err;
        ck_assert_msg(load_text(d, text, "w.csv", &err) == TOLL_OK, "%s",
                      err.message);
        ck_assert_int_eq(toll_mse_data_nlists(d), w);
        for (int j = 0; j < w; j++) {
            char want[2] = {(char)('A' + j), '\0'};
            ck_assert_str_eq(toll_mse_data_list_name(d, j), want);
        }
        unsigned m = 0;
        for (int j = 0; j < w; j += 2)
            m |= 1u << j;
        ck_assert_int_eq(toll_mse_data_count(d, 0, m), 3);
        toll_mse_data_free(d);
    }
}
END_TEST

START_TEST(load_should_refuse_a_width_that_names_no_lists)
{
    static const struct {
        const char *text, *message;
    } cases[] = {
        {"pattern,count\n1,3\n", "w.csv:2: field 'pattern': capture history "
                                 "\"1\" is 1 characters wide (multiple "
                                 "systems estimation needs 2 to 8 lists)"},
        {"pattern,count\n101010101,3\n",
         "w.csv:2: field 'pattern': capture history \"101010101\" is 9 "
         "characters wide (multiple systems estimation needs 2 to 8 lists)"},
        {"pattern,count\n1x1,3\n", "w.csv:2: field 'pattern': cannot read "
                                   "\"1x1\" as a capture history (0/1 for "
                                   "each list)"},
        {"pattern,count\n", "w.csv: no capture histories: the number of "
                            "lists cannot be told (name the lists)"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        toll_mse_data *d = listless();
        toll_error err;
        ck_assert_int_eq(load_text(d, cases[i].text, "w.csv", &err),
                         TOLL_EPARSE);
        ck_assert_str_eq(err.message, cases[i].message);
        ck_assert_int_eq(toll_mse_data_nlists(d), 0);
        ck_assert_uint_eq(toll_mse_data_nstrata(d), 0);
        toll_mse_data_free(d);
    }
}
END_TEST

START_TEST(load_should_keep_the_bad_pattern_error_after_naming_lists)
{
    toll_mse_data *d = listless();
    toll_error err;
    ck_assert_int_eq(load_text(d, "pattern,count\n110,3\n1x0,2\n", "t.csv",
                               &err), TOLL_EPARSE);
    ck_assert_str_eq(err.message, "t.csv:3: field 'pattern': cannot read "
                                  "\"1x0\" as a capture history of 3 lists "
                                  "(0/1 each)");
    ck_assert_int_eq(toll_mse_data_nlists(d), 0); /* the lists rolled back */
    ck_assert_int_eq(load_text(d, "pattern,count\n11,3\n", "t.csv", &err),
                     TOLL_OK);
    ck_assert_int_eq(toll_mse_data_nlists(d), 2);
    toll_mse_data_free(d);
}
END_TEST

START_TEST(load_without_list_names_should_refuse_membership_columns)
{
    toll_mse_data *d = listless();
    toll_error err;
    ck_assert_int_eq(toll_mse_data_load_file(d, DATA_DIR "/records.csv", NULL,
                                             &err), TOLL_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.message, "records.csv:1: name the lists"));
    ck_assert_int_eq(toll_mse_data_nlists(d), 0);
    /* a data set without lists holds nothing and estimates nothing */
    ck_assert_int_eq(toll_mse_data_add_pattern(d, NULL, "11", 1, &err),
                     TOLL_EINVAL);
    unsigned char fl[2] = {1, 1};
    ck_assert_int_eq(toll_mse_data_add_record(d, NULL, fl, 0, &err),
                     TOLL_EINVAL);
    toll_mse_estimate e;
    ck_assert_int_eq(toll_mse_chao(d, TOLL_MSE_TOTAL, NULL, &e, &err),
                     TOLL_EINVAL);
    toll_mse_data_free(d);
}
END_TEST

START_TEST(load_should_name_lists_from_the_options)
{
    static const char *cols[] = {"A", "B", "C"};
    toll_mse_data *d = listless();
    toll_error err;
    toll_mse_load_options o;
    toll_mse_load_options_init(&o);
    o.lists = cols;
    o.nlists = 3;
    ck_assert_msg(toll_mse_data_load_file(d, DATA_DIR "/records.csv", &o,
                                          &err) == TOLL_OK, "%s", err.message);
    ck_assert_int_eq(toll_mse_data_nlists(d), 3);
    ck_assert_str_eq(toll_mse_data_list_name(d, 2), "C");
    ck_assert_int_eq(toll_mse_data_observed(d, TOLL_MSE_TOTAL), 5);
    toll_mse_data_free(d);

    static const char *bad[] = {"A", "A"};
    d = listless();
    o.lists = bad;
    o.nlists = 2;
    ck_assert_int_eq(toll_mse_data_load_file(d, DATA_DIR "/records.csv", &o,
                                             &err), TOLL_EINVAL);
    ck_assert_str_eq(err.message, "list name \"A\" is given twice");
    ck_assert_int_eq(toll_mse_data_nlists(d), 0);
    toll_mse_data_free(d);
}
END_TEST

START_TEST(load_should_read_quoted_names_and_cells)
{
    static const char text[] = "\"A\", \"B\" ,\"stra\"\"tum\",stratum\n"
                               "\"1\",\"0\",\"x\",\"north, \"\"far\"\"\"\n"
                               "0,1,y,\"two\nlines\"\n"
                               "1,x,z,south\n";
    toll_mse_data *d = make(2, L2, (const char *[]){"11"}, (const long[]){1},
                            1, NULL);
    toll_error err;
    ck_assert_int_eq(load_text(d, text, "q.csv", &err), TOLL_EPARSE);
    /* the row after the quoted line break is on line 5 */
    ck_assert_str_eq(err.message,
                     "q.csv:5: field 'B': cannot read \"x\" as 0 or 1");
    ck_assert_int_eq(toll_mse_data_observed(d, TOLL_MSE_TOTAL), 1);
    size_t n = strlen(text) - strlen("1,x,z,south\n");
    ck_assert_int_eq(toll_mse_data_load_buffer(d, text, n, "q.csv", NULL,
                                               &err), TOLL_OK);
    ck_assert_str_eq(toll_mse_data_stratum_name(d, 1), "north, \"far\"");
    ck_assert_str_eq(toll_mse_data_stratum_name(d, 2), "two\nlines");
    ck_assert_int_eq(toll_mse_data_count(d, 1, 0x1), 1);
    ck_assert_int_eq(toll_mse_data_count(d, 2, 0x2), 1);
    toll_mse_data_free(d);
}
END_TEST

START_TEST(load_should_count_lines_ended_by_crlf_cr_or_lf_and_skip_blank_ones)
{
    static const char *texts[] = {
        "pattern,count\r\n11,1\r\n\r\n10,x\r\n",
        "pattern,count\r11,1\r\r10,x\r",
        "pattern,count\n11,1\n  \n10,x\n",
    };
    for (int i = 0; i < 3; i++) {
        toll_mse_data *d = listless();
        toll_error err;
        ck_assert_int_eq(load_text(d, texts[i], "l.csv", &err), TOLL_EPARSE);
        ck_assert_str_eq(err.message, "l.csv:4: field 'count': cannot read "
                                      "\"x\" as a non-negative whole number");
        toll_mse_data_free(d);
    }
}
END_TEST

START_TEST(load_should_skip_a_byte_order_mark_before_naming_lists)
{
    toll_mse_data *d = listless();
    toll_error err;
    ck_assert_int_eq(load_text(d, "\xEF\xBB\xBFpattern,count\n011,4\n",
                               "b.csv", &err), TOLL_OK);
    ck_assert_int_eq(toll_mse_data_nlists(d), 3);
    ck_assert_int_eq(toll_mse_data_count(d, 0, 0x6), 4);
    toll_mse_data_free(d);
}
END_TEST

START_TEST(load_should_report_an_open_quote_where_its_row_starts)
{
    toll_mse_data *d = listless();
    toll_error err;
    ck_assert_int_eq(load_text(d, "pattern,count\n11,1\n\"10,\n2\n",
                               "o.csv", &err), TOLL_EPARSE);
    ck_assert_str_eq(err.message, "o.csv:3: malformed CSV (unterminated "
                                  "quoted field; the row starts here)");
    ck_assert_int_eq(toll_mse_data_nlists(d), 0);
    toll_mse_data_free(d);
}
END_TEST

START_TEST(load_should_read_quotes_inside_unquoted_cells_as_data)
{
    /* the report loader's reading: a quote inside an unquoted cell, or
     * after a closing quote, is data */
    toll_mse_data *d = listless();
    toll_error err;
    ck_assert_msg(load_text(d, "note,pattern,count,stratum\n5\" tall,11,2,"
                               "\"a\"b\"\n",
                            "d.csv", &err) == TOLL_OK, "%s", err.message);
    ck_assert_str_eq(toll_mse_data_stratum_name(d, 0), "a\"b");
    ck_assert_int_eq(toll_mse_data_count(d, 0, 0x3), 2);
    toll_mse_data_free(d);
}
END_TEST

START_TEST(load_file_should_read_rows_across_its_chunks)
{
    /* a file larger than the loader's reads, quoted strata straddling
     * their ends (one row per stratum: a pattern table has one row per
     * capture history and stratum) */
    char path[] = "/tmp/toll_mse_chunksXXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    FILE *f = fdopen(fd, "w");
    ck_assert_ptr_nonnull(f);
    fputs("stratum,pattern,count\r\n", f);
    long rows = 0;
    for (long i = 0; i < 12000; i++, rows++)
        fprintf(f, "\"s%ld, \"\"q\"\"\nx\",%s,%ld\r\n", i,
                i % 3 ? "110" : "011", i % 5);
    fclose(f);
    toll_mse_data *a = listless(), *b = make(3, L3, NULL, NULL, 0, NULL);
    toll_error err;
    ck_assert_msg(toll_mse_data_load_file(a, path, NULL, &err) == TOLL_OK,
                  "%s", err.message);
    ck_assert_uint_eq(toll_mse_data_nstrata(a), (size_t)rows);
    int64_t want = 0;
    for (long i = 0; i < rows; i++)
        want += i % 5;
    ck_assert_int_eq(toll_mse_data_observed(a, TOLL_MSE_TOTAL), want);
    ck_assert_str_eq(toll_mse_data_stratum_name(a, 3), "s3, \"q\"\nx");
    /* the same as one buffer */
    f = fopen(path, "rb");
    ck_assert_ptr_nonnull(f);
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    remove(path);
    ck_assert_int_eq(toll_mse_data_load_buffer(b, buf, n, "c.csv", NULL,
                                               &err), TOLL_OK);
    for (size_t s = 0; s < 7; s++)
        for (unsigned p = 1; p < 8; p++)
            ck_assert_int_eq(toll_mse_data_count(a, s, p),
                             toll_mse_data_count(b, s, p));
    toll_mse_data_free(a);
    toll_mse_data_free(b);
}
END_TEST

START_TEST(load_should_take_a_stratum_column_and_delimiter)
{
    static const char text[] = "A;B;where;x\n1;0;north;z\n1;1;south;z\n"
                               "0;1;north;z\n";
    toll_mse_data *d = NULL;
    toll_error err;
    ck_assert_int_eq(toll_mse_data_new(2, L2, NULL, &d, &err), TOLL_OK);
    toll_mse_load_options o;
    toll_mse_load_options_init(&o);
    o.stratum_column = "where";
    o.delimiter = ';';
    ck_assert_msg(toll_mse_data_load_buffer(d, text, strlen(text), "s.csv", &o,
                                            &err) == TOLL_OK,
                  "%s", err.message);
    ck_assert_uint_eq(toll_mse_data_nstrata(d), 2);
    ck_assert_str_eq(toll_mse_data_stratum_name(d, 0), "north");
    ck_assert_int_eq(toll_mse_data_count(d, 0, 0x1), 1);
    ck_assert_int_eq(toll_mse_data_count(d, 1, 0x3), 1);
    o.stratum_column = "region";
    ck_assert_int_eq(toll_mse_data_load_buffer(d, text, strlen(text), "s.csv",
                                               &o, &err),
                     TOLL_EPARSE);
    ck_assert_str_eq(err.field, "region");
    ck_assert_int_eq(toll_mse_data_observed(d, TOLL_MSE_TOTAL), 3);
    toll_mse_data_free(d);
}
END_TEST

/* ---- tables ------------------------------------------------------------------- */

START_TEST(estimates_table_should_hold_one_row_per_estimate)
{
    toll_mse_data *d = make(3, L3, P3, CORMACK, 7, NULL);
    toll_mse_estimate e1 = fit(d, "", NULL), e2;
    toll_error err;
    ck_assert_int_eq(toll_mse_lincoln_petersen(d, TOLL_MSE_TOTAL, 0, 1, NULL,
                                               &e2, &err), TOLL_OK);
    const toll_mse_estimate *v[2] = {&e1, &e2};
    toll_table *t = NULL;
    ck_assert_int_eq(toll_mse_estimates_table(d, v, 2, 0, NULL, &t, &err),
                     TOLL_OK);
    ck_assert_uint_eq(toll_table_nrows(t), 2);
    ck_assert_int_eq(toll_table_column_index(t, "weight"), -1);
    ck_assert_int_eq(toll_table_column_index(t, "stratum"), -1);
    long jn = toll_table_column_index(t, "n_hat");
    long jd = toll_table_column_index(t, "deviance");
    long ji = toll_table_column_index(t, "interval");
    ck_assert_double_eq_tol(toll_table_double(t, (size_t)jn)[0], e1.n_hat,
                            1e-9);
    ck_assert_double_eq_tol(toll_table_double(t, (size_t)jd)[0], 75.14, 0.01);
    ck_assert(isnan(toll_table_double(t, (size_t)jd)[1]));
    ck_assert_str_eq(toll_table_string(t, (size_t)ji, 0), "profile");
    ck_assert_str_eq(toll_table_string(t, (size_t)ji, 1), "log-normal");
    ck_assert_str_eq(toll_table_string(t, 0, 1), "A,B");
    toll_table_free(t);
    toll_mse_data_free(d);
}
END_TEST

START_TEST(results_table_should_rank_models_and_end_with_the_average)
{
    toll_mse_data *d = make(3, L3, P3, CORMACK, 7, NULL);
    toll_mse_results *res = NULL;
    toll_error err;
    ck_assert_int_eq(toll_mse_search(d, TOLL_MSE_TOTAL, TOLL_MSE_AIC, NULL,
                                     NULL, &res, &err), TOLL_OK);
    toll_table *t = NULL;
    ck_assert_int_eq(toll_mse_results_table(d, res, NULL, &t, &err), TOLL_OK);
    size_t n = toll_mse_results_count(res);
    ck_assert_uint_eq(toll_table_nrows(t), n + 1);
    ck_assert_str_eq(toll_table_string(t, 0, n), "model average");
    ck_assert_str_eq(toll_table_string(t, 0, 0), "A + B + C + B*C");
    long jw = toll_table_column_index(t, "weight");
    ck_assert(jw >= 0);
    double sw = 0;
    for (size_t i = 0; i < n; i++)
        sw += toll_table_double(t, (size_t)jw)[i];
    ck_assert_double_eq_tol(sw, 1.0, 1e-9);
    char *text = NULL;
    size_t len = 0;
    ck_assert_int_eq(toll_table_render_string(t, TOLL_RENDER_CSV, 0, &text,
                                              &len, &err),
                     TOLL_OK);
    ck_assert_ptr_nonnull(strstr(text, "model,method,observed,n_hat,se,"));
    toll_table_buffer_free(t, text);
    toll_table_free(t);
    toll_mse_results_free(res);
    toll_mse_data_free(d);
}
END_TEST

static Suite *mse_suite(void)
{
    Suite *s = suite_create("mse");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, lincoln_petersen_should_match_hand_computed_example);
    tcase_add_test(tc, chapman_should_use_seber_variance);
    tcase_add_test(tc, chapman_should_match_rcapture_bias_corrected_seber_example);
    tcase_add_test(tc, lincoln_petersen_without_overlap_should_fail_with_emodel);
    tcase_add_test(tc, chao_should_give_lower_bound_when_f2_positive);
    tcase_add_test(tc, chao_should_use_bias_corrected_form_when_f2_zero);
    tcase_add_test(tc, loglinear_independence_on_two_lists_should_reproduce_lincoln_petersen);
    tcase_add_test(tc, loglinear_should_match_rivest_2011_darroch_r3);
    tcase_add_test(tc, loglinear_should_match_cormack_2000_table_3b);
    tcase_add_test(tc, loglinear_should_match_bruno_1994_diabetes_models);
    tcase_add_test(tc, loglinear_detail_should_agree_with_statsmodels);
    tcase_add_test(tc, profile_interval_should_contain_estimate_and_be_asymmetric);
    tcase_add_test(tc, saturated_model_should_fail_with_emodel);
    tcase_add_test(tc, zero_margin_interaction_should_fail_with_emodel);
    tcase_add_test(tc, zero_cells_should_be_fitted_without_nan);
    tcase_add_test(tc, no_overlap_should_fail_with_emodel);
    tcase_add_test(tc, list_sharing_no_record_should_be_named_in_a_warning);
    tcase_add_test(tc, overlapping_lists_should_carry_no_isolation_warning);
    tcase_add_test(tc, no_overlap_in_one_stratum_should_fail_naming_the_stratum);
    tcase_add_test(tc, list_sharing_no_record_in_a_stratum_should_warn_on_the_total);
    tcase_add_test(tc, lcmcr_should_fail_when_no_record_is_on_two_lists);
    tcase_add_test(tc, lcmcr_should_warn_of_a_list_sharing_no_record);
    tcase_add_test(tc, nonconvergence_should_fail_with_enumeric);
    tcase_add_test(tc, eight_lists_should_be_fitted);
    tcase_add_test(tc, search_by_aic_should_rank_models_and_pick_the_best);
    tcase_add_test(tc, search_by_bic_should_pick_rivest_interaction_set);
    tcase_add_test(tc, search_over_five_lists_should_rank_all_1024_models);
    tcase_add_test(tc, strata_should_sum_estimates_and_add_variances);
    tcase_add_test(tc, stratum_failure_should_name_the_stratum);
    tcase_add_test(tc, load_file_should_read_membership_columns);
    tcase_add_test(tc, load_file_should_read_pattern_count_table);
    tcase_add_test(tc, load_should_report_file_line_and_field);
    tcase_add_test(tc, add_pattern_should_reject_bad_histories);
    tcase_add_test(tc, model_strings_should_accept_names_and_indices);
    tcase_add_test(tc, allocation_failures_should_give_enomem_and_leak_nothing);
    suite_add_tcase(s, tc);
    TCase *ti = tcase_create("incidents and tables");
    tcase_add_test(ti, from_incidents_should_use_non_self_sources_as_lists);
    tcase_add_test(ti, from_incidents_should_take_the_lists_in_the_order_named);
    tcase_add_test(ti, from_incidents_should_stratify_by_region_and_period);
    tcase_add_test(ti, from_incidents_should_refuse_bad_lists_and_keys);
    tcase_add_test(ti, from_incidents_should_survive_every_allocation_failure);
    tcase_add_test(ti, load_should_take_a_stratum_column_and_delimiter);
    tcase_add_test(ti, load_should_name_lists_by_the_pattern_width);
    tcase_add_test(ti, strata_should_be_found_by_name_after_an_undone_load);
    tcase_add_test(ti, load_of_many_strata_should_find_each_by_its_name);
    tcase_add_test(ti, load_should_refuse_a_repeated_pattern_naming_both_lines);
    tcase_add_test(ti, load_should_refuse_a_repeated_pattern_within_a_stratum_only);
    tcase_add_test(ti, load_should_refuse_a_count_that_is_not_a_whole_number);
    tcase_add_test(ti, load_should_refuse_a_delimiter_that_breaks_rows_or_quotes);
    tcase_add_test(ti, csv_delimiter_check_should_allow_tab_and_printable_ascii_but_quote);
    tcase_add_test(ti, model_parse_should_refuse_a_term_naming_a_list_twice);
    tcase_add_test(ti, criterion_parse_should_take_aic_or_bic_in_any_case);
    tcase_add_test(ti, estimators_should_refuse_a_level_outside_0_1_naming_it);
    tcase_add_test(ti, estimators_should_refuse_bad_fit_options_naming_them);
    tcase_add_test(ti, load_should_refuse_a_width_that_names_no_lists);
    tcase_add_test(ti, load_should_keep_the_bad_pattern_error_after_naming_lists);
    tcase_add_test(ti, load_without_list_names_should_refuse_membership_columns);
    tcase_add_test(ti, load_should_name_lists_from_the_options);
    tcase_add_test(ti, load_should_read_quoted_names_and_cells);
    tcase_add_test(ti, load_should_count_lines_ended_by_crlf_cr_or_lf_and_skip_blank_ones);
    tcase_add_test(ti, load_should_skip_a_byte_order_mark_before_naming_lists);
    tcase_add_test(ti, load_should_report_an_open_quote_where_its_row_starts);
    tcase_add_test(ti, load_should_read_quotes_inside_unquoted_cells_as_data);
    tcase_add_test(ti, load_file_should_read_rows_across_its_chunks);
    tcase_add_test(ti, estimates_table_should_hold_one_row_per_estimate);
    tcase_add_test(ti, results_table_should_rank_models_and_end_with_the_average);
    suite_add_tcase(s, ti);
    return s;
}

int main(void)
{
    gsl_set_error_handler_off();
    return toll_test_run(mse_suite());
}
