/*
 * tests/test_mse_freq.c - heterogeneity models on capture frequencies
 * (toll_mse_freq_*, src/stats/mse_freq.c).
 *
 * Published figures used below, and where each comes from.  All are
 * printed by Rcapture (Baillargeon and Rivest 2007) in the saved output of
 * its examples (tests/Examples/Rcapture-Ex.Rout.save of Rcapture 1.3-1);
 * the frequencies are those of the package's data sets (the .rda files of the
 * same version, decoded; the hare frequencies are the row sums of its
 * 68 x 6 capture matrix).
 *
 *  [CATB]  catbird site occupancy, t = 11 occasions, f_1..f_6 =
 *          6,4,5,2,0,2 (19 sites).  closedp.0(catb, t = 11):
 *              model         N     se  deviance df    AIC
 *              M0           20.3   1.4   8.047   9  27.678
 *              Mh Chao (LB) 22.6   3.8   4.939   7  28.570
 *              Mh Poisson2  20.5   1.4   7.647   8  29.278
 *              Mh Darroch   22.3   3.1   6.062   8  27.693
 *              Mh Gamma3.5  24.7   6.4   5.912   8  27.544
 *          and with t0 = 5:
 *              M0           21.3   2.0   2.132   3  19.150
 *              Mh Chao (LB) 22.3   3.5   1.899   2  20.917
 *              Mh Poisson2  20.7   1.9   1.892   2  20.909
 *              Mh Darroch   20.9   2.6   2.104   2  21.122
 *              Mh Gamma3.5  21.2   3.5   2.132   2  21.149
 *  [BBS]   North American Breeding Bird Survey 2001 (Dorazio and Royle
 *          2003), t = 50, f_1..f_36 below (71 species).
 *          closedp.0(BBS2001, t = 50, t0 = 20):
 *              M0           71.1   0.2 214.075  18 270.028
 *              Mh Chao (LB) 87.2  10.9  12.403  14  76.356
 *              Mh Poisson2  71.1   0.3 170.128  17 228.081
 *              Mh Darroch   74.0   2.0  34.733  17  92.687
 *              Mh Gamma3.5 111.1  16.0  18.806  17  76.759
 *  [HARE]  snowshoe hares (Cormack 1989), t = 6, f_1..f_6 =
 *          25,22,13,5,1,2.  closedp.t(hare) prints for M0 and the Mh
 *          models N and se (which depend on the frequencies only; its
 *          deviances are on the 63 capture histories, not comparable):
 *          M0 75.4 (3.5), Chao 79.8 (6.4), Poisson2 81.5 (5.7),
 *          Darroch 90.4 (11.6), Gamma3.5 100.6 (21.7).  Its deviances
 *          (68.516, 58.023, 59.107, 61.600, 62.771; df 61, 58, 60, 60,
 *          60) and AICs (154.707, 150.214, 147.298, 149.791, 150.961)
 *          exceed those on the frequencies by one constant each (the
 *          multinomial spread of the histories within a number of
 *          captures), df by 2^6 - 1 - 6 = 57 (as Rcapture's own
 *          testValidMath.R checks).
 *
 * Figures are matched to the digits printed.
 */
#include "testutil.h"
#include "toll/mse.h"

#include <gsl/gsl_errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const int64_t CATB[11] = {6, 4, 5, 2, 0, 2, 0, 0, 0, 0, 0};
static const int64_t HARE[6] = {25, 22, 13, 5, 1, 2};
static const int64_t BBS[50] = {15, 7, 5, 2, 5, 6, 3, 2, 1, 2, 4, 4, 0,
                                1,  0, 2, 3, 1, 1, 1, 1, 0, 0, 0, 1, 1,
                                0,  1, 0, 1, 0, 0, 0, 0, 0, 1};

typedef struct row {
    double n, se, dev;
    int df;
    double aic;
} row;

static const row CATB_T11[5] = {{20.3, 1.4, 8.047, 9, 27.678},
                                {22.6, 3.8, 4.939, 7, 28.570},
                                {20.5, 1.4, 7.647, 8, 29.278},
                                {22.3, 3.1, 6.062, 8, 27.693},
                                {24.7, 6.4, 5.912, 8, 27.544}};
static const row CATB_T5[5] = {{21.3, 2.0, 2.132, 3, 19.150},
                               {22.3, 3.5, 1.899, 2, 20.917},
                               {20.7, 1.9, 1.892, 2, 20.909},
                               {20.9, 2.6, 2.104, 2, 21.122},
                               {21.2, 3.5, 2.132, 2, 21.149}};
static const row BBS_T20[5] = {{71.1, 0.2, 214.075, 18, 270.028},
                               {87.2, 10.9, 12.403, 14, 76.356},
                               {71.1, 0.3, 170.128, 17, 228.081},
                               {74.0, 2.0, 34.733, 17, 92.687},
                               {111.1, 16.0, 18.806, 17, 76.759}};
static const double HARE_N[5] = {75.4, 79.8, 81.5, 90.4, 100.6};
static const double HARE_SE[5] = {3.5, 6.4, 5.7, 11.6, 21.7};
static const double HARE_T_DEV[5] = {68.516, 58.023, 59.107, 61.600, 62.771};
static const int HARE_T_DF[5] = {61, 58, 60, 60, 60};
static const double HARE_T_AIC[5] = {154.707, 150.214, 147.298, 149.791,
                                     150.961};

/* |x - printed| within half a unit of the last printed digit. */
#define ASSERT_PRINTED(x, printed, unit)                                      \
    ck_assert_msg(fabs((x) - (printed)) <= 0.5 * (unit) + 1e-9,              \
                  "%s = %.6f, printed %.*f", #x, (x),                        \
                  (unit) < 0.01 ? 3 : 1, (printed))

static toll_mse_freq *make(int K, const int64_t *f)
{
    toll_mse_freq *F = NULL;
    toll_error err;
    ck_assert_int_eq(toll_mse_freq_new(K, f, NULL, &F, &err), TOLL_OK);
    return F;
}

static void check_table(const int64_t *f, int K, int t0, const row *want)
{
    toll_mse_freq *F = make(K, f);
    for (int m = 0; m < TOLL_MSE_FREQ_NMODELS; m++) {
        toll_mse_estimate e;
        toll_error err;
        toll_status st =
            toll_mse_freq_fit(F, (toll_mse_freq_model)m, t0, NULL, &e, &err);
        ck_assert_msg(st == TOLL_OK, "%s: %s",
                      toll_mse_freq_model_name((toll_mse_freq_model)m),
                      err.message);
        ck_assert_str_eq(e.model_name,
                         toll_mse_freq_model_name((toll_mse_freq_model)m));
        ASSERT_PRINTED(e.n_hat, want[m].n, 0.1);
        ASSERT_PRINTED(e.se, want[m].se, 0.1);
        ASSERT_PRINTED(e.deviance, want[m].dev, 0.001);
        ck_assert_int_eq(e.df, want[m].df);
        ASSERT_PRINTED(e.aic, want[m].aic, 0.001);
    }
    toll_mse_freq_free(F);
}

START_TEST(closedp0_should_match_rcapture_catbird_table)
{
    check_table(CATB, 11, 0, CATB_T11);
}
END_TEST

START_TEST(closedp0_should_match_rcapture_catbird_table_with_t0_5)
{
    check_table(CATB, 11, 5, CATB_T5);
}
END_TEST

START_TEST(closedp0_should_match_rcapture_bbs2001_table_with_t0_20)
{
    toll_mse_freq *F = make(50, BBS);
    ck_assert_int_eq(toll_mse_freq_observed(F), 71);
    toll_mse_freq_free(F);
    check_table(BBS, 50, 20, BBS_T20);
}
END_TEST

START_TEST(mh_estimates_should_match_rcapture_hare_closedp_t)
{
    toll_mse_freq *F = make(6, HARE);
    for (int m = 0; m < TOLL_MSE_FREQ_NMODELS; m++) {
        toll_mse_estimate e;
        toll_error err;
        ck_assert_int_eq(
            toll_mse_freq_fit(F, (toll_mse_freq_model)m, 0, NULL, &e, &err),
            TOLL_OK);
        ASSERT_PRINTED(e.n_hat, HARE_N[m], 0.1);
        ASSERT_PRINTED(e.se, HARE_SE[m], 0.1);
        ck_assert_double_eq(e.observed, 68.0);
    }
    toll_mse_freq_free(F);
}
END_TEST

START_TEST(frequency_deviances_should_differ_from_rcapture_history_ones_by_a_constant)
{
    toll_mse_freq *F = make(6, HARE);
    double ddev = 0, daic = 0;
    for (int m = 0; m < TOLL_MSE_FREQ_NMODELS; m++) {
        toll_mse_estimate e;
        toll_error err;
        ck_assert_int_eq(
            toll_mse_freq_fit(F, (toll_mse_freq_model)m, 0, NULL, &e, &err),
            TOLL_OK);
        ck_assert_int_eq(HARE_T_DF[m] - e.df, 57);
        if (m == 0) {
            ddev = HARE_T_DEV[0] - e.deviance;
            daic = HARE_T_AIC[0] - e.aic;
        }
        /* each printed to 3 decimals: two roundings */
        ck_assert_double_eq_tol(HARE_T_DEV[m] - e.deviance, ddev, 0.0011);
        ck_assert_double_eq_tol(HARE_T_AIC[m] - e.aic, daic, 0.0011);
    }
    toll_mse_freq_free(F);
}
END_TEST

START_TEST(bic_should_add_log_n_per_parameter_to_minus_two_loglik)
{
    toll_mse_freq *F = make(6, HARE);
    toll_mse_estimate e;
    toll_error err;
    ck_assert_int_eq(
        toll_mse_freq_fit(F, TOLL_MSE_FREQ_DARROCH, 0, NULL, &e, &err),
        TOLL_OK);
    ck_assert_int_eq(e.npar, 3);
    ck_assert_double_eq_tol(e.aic, -2.0 * e.loglik + 6.0, 1e-9);
    ck_assert_double_eq_tol(e.bic, -2.0 * e.loglik + 3.0 * log(68.0), 1e-9);
    ck_assert(e.interval == TOLL_MSE_CI_LOGNORMAL);
    ck_assert(e.lo > 68.0 && e.lo < e.n_hat && e.hi > e.n_hat);
    toll_mse_freq_free(F);
}
END_TEST

START_TEST(chao_should_set_negative_etas_to_zero_and_say_so)
{
    toll_mse_freq *F = make(11, CATB);
    toll_mse_estimate e;
    toll_error err;
    ck_assert_int_eq(
        toll_mse_freq_fit(F, TOLL_MSE_FREQ_CHAO, 0, NULL, &e, &err), TOLL_OK);
    /* 2 + 9 etas, 7 of them dropped: df 7 as Rcapture prints */
    ck_assert_int_eq(e.npar, 4);
    ck_assert_ptr_nonnull(strstr(e.warning, "negative eta"));
    toll_mse_freq_free(F);
}
END_TEST

/* Simulation: N individuals with heterogeneous capture probabilities
 * (Beta(2, 6)), K = 8 occasions; the Mh estimates are near N on average
 * while M0 falls short. */
START_TEST(mh_models_should_recover_a_simulated_population_better_than_m0)
{
    enum { K = 8, N = 2000, REPS = 20 };
    unsigned seed = 12345;
    double mean[TOLL_MSE_FREQ_NMODELS] = {0};
    for (int rep = 0; rep < REPS; rep++) {
        int64_t f[K] = {0};
        for (int a = 0; a < N; a++) {
            /* Beta(2, 6) as X/(X+Y) with gamma draws by sums of
             * exponentials */
            double x = 0, y = 0;
            for (int k = 0; k < 2; k++)
                x -= log((rand_r(&seed) + 1.0) / (RAND_MAX + 2.0));
            for (int k = 0; k < 6; k++)
                y -= log((rand_r(&seed) + 1.0) / (RAND_MAX + 2.0));
            double p = x / (x + y);
            int c = 0;
            for (int j = 0; j < K; j++)
                c += rand_r(&seed) / (RAND_MAX + 1.0) < p;
            if (c)
                f[c - 1]++;
        }
        toll_mse_freq *F = make(K, f);
        for (int m = 0; m < TOLL_MSE_FREQ_NMODELS; m++) {
            toll_mse_estimate e;
            toll_error err;
            ck_assert_int_eq(toll_mse_freq_fit(F, (toll_mse_freq_model)m, 0,
                                               NULL, &e, &err),
                             TOLL_OK);
            ck_assert(isfinite(e.n_hat) && isfinite(e.se));
            mean[m] += e.n_hat / REPS;
        }
        toll_mse_freq_free(F);
    }
    /* P(never caught) = E(1-p)^8 = 0.1 for Beta(2,6)... M0 misses most of
     * them; Chao's lower bound and the Darroch model get much closer */
    ck_assert_msg(mean[TOLL_MSE_FREQ_M0] < 0.95 * N, "M0 %f",
                  mean[TOLL_MSE_FREQ_M0]);
    ck_assert_msg(fabs(mean[TOLL_MSE_FREQ_CHAO] - N) <
                      fabs(mean[TOLL_MSE_FREQ_M0] - N),
                  "Chao %f", mean[TOLL_MSE_FREQ_CHAO]);
    ck_assert_msg(fabs(mean[TOLL_MSE_FREQ_DARROCH] - N) < 0.05 * N,
                  "Darroch %f", mean[TOLL_MSE_FREQ_DARROCH]);
}
END_TEST

/* ---- errors -------------------------------------------------------------- */

START_TEST(new_should_refuse_bad_occasions_negative_and_all_zero_counts)
{
    toll_mse_freq *F = NULL;
    toll_error err;
    int64_t z[3] = {0, 0, 0}, neg[3] = {3, -1, 0};
    ck_assert_int_eq(toll_mse_freq_new(1, z, NULL, &F, &err), TOLL_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.message, "2 to 100"));
    ck_assert_int_eq(
        toll_mse_freq_new(TOLL_MSE_FREQ_MAX_OCCASIONS + 1, z, NULL, &F, &err),
        TOLL_EINVAL);
    ck_assert_int_eq(toll_mse_freq_new(3, z, NULL, &F, &err), TOLL_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.message, "zero"));
    ck_assert_int_eq(toll_mse_freq_new(3, neg, NULL, &F, &err), TOLL_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.message, "negative"));
    ck_assert_ptr_null(F);
}
END_TEST

static toll_status load(int K, const char *text, toll_mse_freq **F,
                        toll_error *err)
{
    return toll_mse_freq_load_buffer(K, text, strlen(text), "f.csv", 0, NULL,
                                     F, err);
}

START_TEST(load_should_read_times_count_and_nbcap_freq_columns)
{
    toll_mse_freq *F = NULL;
    toll_error err;
    ck_assert_int_eq(load(6, "\xEF\xBB\xBFtimes,count\n1,25\n2,22\n3,13\n"
                             "4,5\n5,1\n6,2\n",
                          &F, &err),
                     TOLL_OK);
    ck_assert_int_eq(toll_mse_freq_observed(F), 68);
    ck_assert_int_eq(toll_mse_freq_count(F, 3), 13);
    toll_mse_freq_free(F);
    ck_assert_int_eq(load(11, "site,NBCAP,\"freq\"\nx,6,2\ny, 1 ,6\nz,3,5\n",
                          &F, &err),
                     TOLL_OK);
    ck_assert_int_eq(toll_mse_freq_occasions(F), 11);
    ck_assert_int_eq(toll_mse_freq_count(F, 1), 6);
    ck_assert_int_eq(toll_mse_freq_count(F, 2), 0);
    ck_assert_int_eq(toll_mse_freq_observed(F), 13);
    toll_mse_freq_free(F);
}
END_TEST

START_TEST(load_should_refuse_times_beyond_the_occasions_naming_line_and_text)
{
    toll_mse_freq *F = NULL;
    toll_error err;
    ck_assert_int_eq(load(6, "times,count\n1,25\n7,2\n", &F, &err),
                     TOLL_EPARSE);
    ck_assert_int_eq(err.line, 3);
    ck_assert_str_eq(err.field, "times");
    ck_assert_ptr_nonnull(strstr(err.message, "f.csv:3"));
    ck_assert_ptr_nonnull(strstr(err.message, "\"7\""));
    ck_assert_ptr_nonnull(strstr(err.message, "1 to 6"));
    const char *bad[] = {"0", "-1", "2.5", "two", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char text[64];
        snprintf(text, sizeof text, "times,count\n%s,4\n", bad[i]);
        ck_assert_int_eq(load(6, text, &F, &err), TOLL_EPARSE);
        ck_assert_str_eq(err.field, "times");
        ck_assert_int_eq(err.line, 2);
    }
    ck_assert_ptr_null(F);
}
END_TEST

START_TEST(load_should_refuse_counts_that_are_not_whole_numbers)
{
    toll_mse_freq *F = NULL;
    toll_error err;
    const char *bad[] = {"1.5", "2.0", "-3", "", "many"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char text[64];
        snprintf(text, sizeof text, "nbcap,freq\n1,4\n2,%s\n", bad[i]);
        ck_assert_int_eq(load(3, text, &F, &err), TOLL_EPARSE);
        ck_assert_str_eq(err.field, "freq");
        ck_assert_int_eq(err.line, 3);
        ck_assert_ptr_nonnull(strstr(err.message, "whole number"));
    }
    ck_assert_ptr_null(F);
}
END_TEST

START_TEST(load_should_refuse_a_repeated_times_naming_both_lines)
{
    toll_mse_freq *F = NULL;
    toll_error err;
    ck_assert_int_eq(load(4, "times,count\n2,4\n1,5\n2,1\n", &F, &err),
                     TOLL_EPARSE);
    ck_assert_ptr_nonnull(strstr(err.message, "lines 2 and 4"));
}
END_TEST

START_TEST(load_should_refuse_missing_columns_all_zero_and_bad_occasions)
{
    toll_mse_freq *F = NULL;
    toll_error err;
    ck_assert_int_eq(load(4, "pattern,count\n11,2\n", &F, &err),
                     TOLL_EPARSE);
    ck_assert_ptr_nonnull(strstr(err.message, "times,count"));
    ck_assert_int_eq(load(4, "times,count\n1,0\n2,0\n", &F, &err),
                     TOLL_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.message, "f.csv"));
    ck_assert_int_eq(load(4, "times,count\n", &F, &err), TOLL_EPARSE);
    ck_assert_int_eq(load(4, "", &F, &err), TOLL_EPARSE);
    ck_assert_int_eq(load(1, "times,count\n1,3\n", &F, &err), TOLL_EINVAL);
    ck_assert_int_eq(load(100000, "times,count\n1,3\n", &F, &err),
                     TOLL_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.message, "100"));
    ck_assert_ptr_null(F);
}
END_TEST

START_TEST(fit_should_refuse_mh_models_with_two_occasions_and_no_recaptures)
{
    toll_error err;
    toll_mse_estimate e;
    int64_t two[2] = {30, 5}, once[4] = {9, 0, 0, 0};
    toll_mse_freq *F = make(2, two);
    ck_assert_int_eq(toll_mse_freq_fit(F, TOLL_MSE_FREQ_M0, 0, NULL, &e, &err),
                     TOLL_OK);
    ck_assert_int_eq(
        toll_mse_freq_fit(F, TOLL_MSE_FREQ_DARROCH, 0, NULL, &e, &err),
        TOLL_EMODEL);
    ck_assert_ptr_nonnull(strstr(err.message, "Mh Darroch"));
    toll_mse_freq_free(F);
    F = make(4, once);
    ck_assert_int_eq(toll_mse_freq_fit(F, TOLL_MSE_FREQ_M0, 0, NULL, &e, &err),
                     TOLL_EMODEL);
    ck_assert_ptr_nonnull(strstr(err.message, "2 to 4 times"));
    ck_assert_int_eq(toll_mse_freq_fit(F, TOLL_MSE_FREQ_M0, 5, NULL, &e, &err),
                     TOLL_EINVAL);
    ck_assert_int_eq(toll_mse_freq_fit(F, TOLL_MSE_FREQ_M0, 1, NULL, &e, &err),
                     TOLL_EINVAL);
    toll_mse_freq_free(F);
}
END_TEST

START_TEST(model_parse_should_take_the_names_in_any_case)
{
    toll_mse_freq_model m;
    toll_error err;
    ck_assert_int_eq(toll_mse_freq_model_parse("Chao", &m, &err), TOLL_OK);
    ck_assert_int_eq(m, TOLL_MSE_FREQ_CHAO);
    ck_assert_int_eq(toll_mse_freq_model_parse("GAMMA", &m, &err), TOLL_OK);
    ck_assert_int_eq(m, TOLL_MSE_FREQ_GAMMA);
    ck_assert_int_eq(toll_mse_freq_model_parse("poisson2", &m, &err),
                     TOLL_OK);
    ck_assert_int_eq(m, TOLL_MSE_FREQ_POISSON2);
    ck_assert_int_eq(toll_mse_freq_model_parse("lcmcr", &m, &err),
                     TOLL_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.message, "lcmcr"));
    ck_assert_str_eq(toll_mse_freq_model_name(TOLL_MSE_FREQ_GAMMA),
                     "Mh Gamma3.5");
    ck_assert_ptr_null(toll_mse_freq_model_name((toll_mse_freq_model)9));
}
END_TEST

START_TEST(table_should_hold_one_row_per_model_with_the_fit_statistics)
{
    toll_mse_freq *F = make(6, HARE);
    toll_mse_estimate e[TOLL_MSE_FREQ_NMODELS];
    const toll_mse_estimate *v[TOLL_MSE_FREQ_NMODELS];
    toll_error err;
    for (int m = 0; m < TOLL_MSE_FREQ_NMODELS; m++) {
        ck_assert_int_eq(toll_mse_freq_fit(F, (toll_mse_freq_model)m, 0, NULL,
                                           &e[m], &err),
                         TOLL_OK);
        v[m] = &e[m];
    }
    toll_table *t = NULL;
    ck_assert_int_eq(
        toll_mse_freq_table(F, v, TOLL_MSE_FREQ_NMODELS, NULL, &t, &err),
        TOLL_OK);
    ck_assert_uint_eq(toll_table_nrows(t), TOLL_MSE_FREQ_NMODELS);
    ck_assert_ptr_nonnull(strstr(toll_table_caption(t), "6 occasions"));
    toll_table_free(t);
    toll_mse_freq_free(F);
}
END_TEST

START_TEST(fit_should_survive_every_allocation_failure)
{
    for (long k = 1; k < 200; k++) {
        failing_alloc fa;
        failing_alloc_init(&fa, k);
        toll_mse_freq *F = NULL;
        toll_error err;
        toll_status st = toll_mse_freq_load_buffer(
            11, "nbcap,freq\n1,6\n2,4\n3,5\n4,2\n6,2\n", 31, "x", 0, &fa.a,
            &F, &err);
        if (st == TOLL_OK) {
            toll_mse_estimate e;
            st = toll_mse_freq_fit(F, TOLL_MSE_FREQ_CHAO, 0, NULL, &e, &err);
            ck_assert(st == TOLL_OK || st == TOLL_ENOMEM);
            toll_mse_freq_free(F);
        } else {
            ck_assert_int_eq(st, TOLL_ENOMEM);
        }
        ck_assert_int_eq(fa.live, 0);
    }
}
END_TEST

static Suite *freq_suite(void)
{
    Suite *s = suite_create("mse_freq");
    TCase *tp = tcase_create("published figures");
    tcase_set_timeout(tp, 60);
    tcase_add_test(tp, closedp0_should_match_rcapture_catbird_table);
    tcase_add_test(tp, closedp0_should_match_rcapture_catbird_table_with_t0_5);
    tcase_add_test(tp, closedp0_should_match_rcapture_bbs2001_table_with_t0_20);
    tcase_add_test(tp, mh_estimates_should_match_rcapture_hare_closedp_t);
    tcase_add_test(
        tp,
        frequency_deviances_should_differ_from_rcapture_history_ones_by_a_constant);
    tcase_add_test(tp, bic_should_add_log_n_per_parameter_to_minus_two_loglik);
    tcase_add_test(tp, chao_should_set_negative_etas_to_zero_and_say_so);
    tcase_add_test(tp,
                   mh_models_should_recover_a_simulated_population_better_than_m0);
    suite_add_tcase(s, tp);
    TCase *te = tcase_create("data and errors");
    tcase_add_test(te, new_should_refuse_bad_occasions_negative_and_all_zero_counts);
    tcase_add_test(te, load_should_read_times_count_and_nbcap_freq_columns);
    tcase_add_test(te,
                   load_should_refuse_times_beyond_the_occasions_naming_line_and_text);
    tcase_add_test(te, load_should_refuse_counts_that_are_not_whole_numbers);
    tcase_add_test(te, load_should_refuse_a_repeated_times_naming_both_lines);
    tcase_add_test(te, load_should_refuse_missing_columns_all_zero_and_bad_occasions);
    tcase_add_test(te,
                   fit_should_refuse_mh_models_with_two_occasions_and_no_recaptures);
    tcase_add_test(te, model_parse_should_take_the_names_in_any_case);
    tcase_add_test(te, table_should_hold_one_row_per_model_with_the_fit_statistics);
    tcase_add_test(te, fit_should_survive_every_allocation_failure);
    suite_add_tcase(s, te);
    return s;
}

int main(void)
{
    gsl_set_error_handler_off();
    return toll_test_run(freq_suite());
}
