/*
 * tests/test_lcmcr.c - the latent-class Bayesian MSE (toll_mse_lcmcr,
 * include/toll/mse.h; src/stats/lcmcr.c).
 *
 * Reference for the Kosovo lists (TOLL_SHARED_DATA/mse/kosovo_lists.csv,
 * 4 lists, 4,400 documented killings): Ball et al. (2002), "Killings and
 * Refugee Flow in Kosovo, March-June 1999" (AAAS/ABA), estimated 10,356
 * killings (95% interval 9,002 to 12,122) from these lists with
 * log-linear models; toll's AIC search on the same file ranks models
 * between 9,400 and 14,400 (docs/mse.md).  The LCMCR posterior median
 * must fall in that range.
 */
#include "testutil.h"
#include "toll/mse.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

static toll_mse_data *data_from(const char *csv)
{
    toll_error err;
    toll_mse_data *d = NULL;
    ck_assert_int_eq(toll_mse_data_new(0, NULL, NULL, &d, &err), TOLL_OK);
    toll_status st = toll_mse_data_load_buffer(d, csv, strlen(csv), "t.csv",
                                               NULL, &err);
    ck_assert_msg(st == TOLL_OK, "%s", err.message);
    return d;
}

/* Three lists with plenty of overlap. */
static const char SMALL[] = "pattern,count\n"
                            "100,300\n010,280\n001,260\n110,150\n"
                            "101,140\n011,130\n111,90\n";

static void quick(toll_mse_lcmcr_options *o)
{
    toll_mse_lcmcr_options_init(o);
    o->burnin = 200;
    o->samples = 100;
    o->thin = 2;
    o->chains = 2;
}

/* ---- bad input ------------------------------------------------------------- */

START_TEST(one_list_should_be_refused_naming_the_count)
{
    toll_error err;
    toll_mse_data *d = NULL;
    const char *names[] = {"A"};
    ck_assert_int_eq(toll_mse_data_new(1, names, NULL, &d, &err),
                     TOLL_EINVAL);
    ck_assert_ptr_null(d);
    ck_assert_msg(strstr(err.message, "1") != NULL, "%s", err.message);
    /* a pattern table one character wide */
    ck_assert_int_eq(toll_mse_data_new(0, NULL, NULL, &d, &err), TOLL_OK);
    const char csv[] = "pattern,count\n1,20\n";
    ck_assert_int_ne(
        toll_mse_data_load_buffer(d, csv, strlen(csv), "t.csv", NULL, &err),
        TOLL_OK);
    ck_assert_msg(err.message[0] != '\0', "no message");
    toll_mse_data_free(d);
}
END_TEST

START_TEST(sixteen_lists_should_be_refused_naming_the_count)
{
    toll_error err;
    toll_mse_data *d = NULL;
    ck_assert_int_eq(toll_mse_data_new(0, NULL, NULL, &d, &err), TOLL_OK);
    const char csv[] = "pattern,count\n1000000000000001,20\n";
    ck_assert_int_ne(
        toll_mse_data_load_buffer(d, csv, strlen(csv), "t.csv", NULL, &err),
        TOLL_OK);
    ck_assert_msg(strstr(err.message, "16") != NULL, "%s", err.message);
    toll_mse_data_free(d);
}
END_TEST

START_TEST(a_list_that_records_no_one_should_be_a_model_error_naming_it)
{
    toll_mse_data *d =
        data_from("pattern,count\n100,30\n010,20\n110,10\n");
    toll_error err;
    toll_mse_lcmcr_options o;
    quick(&o);
    toll_mse_lcmcr_result *r = (toll_mse_lcmcr_result *)1;
    ck_assert_int_eq(toll_mse_lcmcr(d, TOLL_MSE_TOTAL, &o, NULL, &r, &err),
                     TOLL_EMODEL);
    ck_assert_ptr_null(r);
    ck_assert_msg(strstr(err.message, "list 'C' records no one"),
                  "%s", err.message);
    toll_mse_data_free(d);
}
END_TEST

START_TEST(non_integer_counts_should_be_refused_naming_the_text)
{
    toll_error err;
    toll_mse_data *d = NULL;
    ck_assert_int_eq(toll_mse_data_new(0, NULL, NULL, &d, &err), TOLL_OK);
    const char csv[] = "pattern,count\n10,1.5\n01,3\n";
    ck_assert_int_eq(
        toll_mse_data_load_buffer(d, csv, strlen(csv), "t.csv", NULL, &err),
        TOLL_EPARSE);
    ck_assert_msg(strstr(err.message, "1.5") != NULL, "%s", err.message);
    toll_mse_data_free(d);
}
END_TEST

/* Run with one option changed; expect TOLL_EINVAL naming the field. */
static void expect_bad(toll_mse_lcmcr_options *o, const char *field,
                       const char *text)
{
    toll_mse_data *d = data_from(SMALL);
    toll_error err;
    toll_mse_lcmcr_result *r = NULL;
    ck_assert_int_eq(toll_mse_lcmcr(d, TOLL_MSE_TOTAL, o, NULL, &r, &err),
                     TOLL_EINVAL);
    ck_assert_ptr_null(r);
    ck_assert_str_eq(err.field, field);
    ck_assert_msg(strstr(err.message, text) != NULL, "%s", err.message);
    toll_mse_data_free(d);
}

START_TEST(kstar_below_two_should_be_refused)
{
    toll_mse_lcmcr_options o;
    quick(&o);
    o.kstar = 1;
    expect_bad(&o, "kstar", "not 1");
}
END_TEST

START_TEST(chains_below_one_should_be_refused)
{
    toll_mse_lcmcr_options o;
    quick(&o);
    o.chains = 0;
    expect_bad(&o, "chains", "not 0");
}
END_TEST

START_TEST(samples_thin_level_and_threads_out_of_range_should_be_refused)
{
    toll_mse_lcmcr_options o;
    quick(&o);
    o.samples = 1;
    expect_bad(&o, "samples", "not 1");
    quick(&o);
    o.thin = 0;
    expect_bad(&o, "thin", "not 0");
    quick(&o);
    o.level = 1.5;
    expect_bad(&o, "level", "1.5");
    quick(&o);
    o.threads = -1;
    expect_bad(&o, "threads", "-1");
    quick(&o);
    o.samples = (size_t)-1 / 4;
    expect_bad(&o, "samples", "fits");
}
END_TEST

START_TEST(every_64_bit_seed_should_be_accepted)
{
    toll_mse_data *d = data_from(SMALL);
    toll_error err;
    toll_mse_lcmcr_options o;
    quick(&o);
    const uint64_t seeds[] = {0, 1, UINT64_MAX};
    for (size_t i = 0; i < 3; i++) {
        o.seed = seeds[i];
        toll_mse_lcmcr_result *r = NULL;
        ck_assert_int_eq(toll_mse_lcmcr(d, TOLL_MSE_TOTAL, &o, NULL, &r,
                                        &err), TOLL_OK);
        toll_mse_lcmcr_free(r);
    }
    toll_mse_data_free(d);
}
END_TEST

START_TEST(stratum_out_of_range_should_be_refused)
{
    toll_mse_data *d = data_from(SMALL);
    toll_error err;
    toll_mse_lcmcr_result *r = NULL;
    ck_assert_int_eq(toll_mse_lcmcr(d, 3, NULL, NULL, &r, &err),
                     TOLL_EINVAL);
    ck_assert_msg(strstr(err.message, "stratum 3"), "%s", err.message);
    toll_mse_data_free(d);
}
END_TEST

/* ---- results ---------------------------------------------------------------- */

START_TEST(summary_should_be_ordered_and_finite)
{
    toll_mse_data *d = data_from(SMALL);
    toll_error err;
    toll_mse_lcmcr_options o;
    quick(&o);
    toll_mse_lcmcr_result *r = NULL;
    ck_assert_int_eq(toll_mse_lcmcr(d, TOLL_MSE_TOTAL, &o, NULL, &r, &err),
                     TOLL_OK);
    ck_assert_uint_eq(toll_mse_lcmcr_parts(r), 1);
    ck_assert_uint_eq(toll_mse_lcmcr_chains(r), 2);
    ck_assert_uint_eq(toll_mse_lcmcr_samples(r), 100);
    const toll_mse_lcmcr_summary *s = toll_mse_lcmcr_summary_get(r, 0);
    ck_assert_ptr_nonnull(s);
    ck_assert_ptr_null(toll_mse_lcmcr_summary_get(r, 1));
    ck_assert_ptr_null(toll_mse_lcmcr_draws(r, 0, 2));
    ck_assert(s->stratum == TOLL_MSE_TOTAL);
    ck_assert_double_eq(s->observed, 1350.0);
    ck_assert(s->lo >= s->observed);
    ck_assert(s->lo <= s->median && s->median <= s->hi);
    ck_assert(isfinite(s->mean) && isfinite(s->hi));
    ck_assert(s->ess > 0.0 && isfinite(s->ess));
    ck_assert(s->rhat > 0.0 && isfinite(s->rhat));
    for (size_t c = 0; c < 2; c++) {
        const double *x = toll_mse_lcmcr_draws(r, 0, c);
        for (size_t i = 0; i < 100; i++)
            ck_assert(x[i] >= 1350.0 && x[i] == floor(x[i]));
    }
    toll_mse_lcmcr_free(r);
    toll_mse_data_free(d);
}
END_TEST

START_TEST(few_effective_draws_should_warn)
{
    toll_mse_data *d = data_from(SMALL);
    toll_error err;
    toll_mse_lcmcr_options o;
    quick(&o); /* 200 draws in all: the ESS is under 400 */
    toll_mse_lcmcr_result *r = NULL;
    ck_assert_int_eq(toll_mse_lcmcr(d, TOLL_MSE_TOTAL, &o, NULL, &r, &err),
                     TOLL_OK);
    const toll_mse_lcmcr_summary *s = toll_mse_lcmcr_summary_get(r, 0);
    ck_assert(s->warnings & TOLL_MSE_LCMCR_W_ESS);
    ck_assert_msg(strstr(s->warning, "effective sample size"), "%s",
                  s->warning);
    toll_mse_lcmcr_free(r);
    toll_mse_data_free(d);
}
END_TEST

static toll_mse_lcmcr_result *run(const toll_mse_data *d, size_t stratum,
                                  const toll_mse_lcmcr_options *o)
{
    toll_error err;
    toll_mse_lcmcr_result *r = NULL;
    toll_status st = toll_mse_lcmcr(d, stratum, o, NULL, &r, &err);
    ck_assert_msg(st == TOLL_OK, "%s", err.message);
    return r;
}

static int same_draws(const toll_mse_lcmcr_result *a, size_t pa,
                      const toll_mse_lcmcr_result *b, size_t pb)
{
    size_t n = toll_mse_lcmcr_samples(a);
    for (size_t c = 0; c < toll_mse_lcmcr_chains(a); c++)
        if (memcmp(toll_mse_lcmcr_draws(a, pa, c),
                   toll_mse_lcmcr_draws(b, pb, c), n * sizeof(double)))
            return 0;
    return 1;
}

START_TEST(same_seed_should_give_same_draws_whatever_the_threads)
{
    toll_mse_data *d = data_from(SMALL);
    toll_mse_lcmcr_options o;
    quick(&o);
    o.chains = 4;
    o.seed = 42;
    o.threads = 1;
    toll_mse_lcmcr_result *a = run(d, TOLL_MSE_TOTAL, &o);
    o.threads = 4;
    toll_mse_lcmcr_result *b = run(d, TOLL_MSE_TOTAL, &o);
    o.threads = 0;
    toll_mse_lcmcr_result *c = run(d, TOLL_MSE_TOTAL, &o);
    ck_assert(same_draws(a, 0, b, 0));
    ck_assert(same_draws(a, 0, c, 0));
    /* chains differ from each other */
    ck_assert(memcmp(toll_mse_lcmcr_draws(a, 0, 0),
                     toll_mse_lcmcr_draws(a, 0, 1), 100 * sizeof(double)));
    toll_mse_lcmcr_free(a);
    toll_mse_lcmcr_free(b);
    toll_mse_lcmcr_free(c);
    toll_mse_data_free(d);
}
END_TEST

START_TEST(another_seed_should_give_other_draws)
{
    toll_mse_data *d = data_from(SMALL);
    toll_mse_lcmcr_options o;
    quick(&o);
    o.seed = 1;
    toll_mse_lcmcr_result *a = run(d, TOLL_MSE_TOTAL, &o);
    o.seed = 2;
    toll_mse_lcmcr_result *b = run(d, TOLL_MSE_TOTAL, &o);
    ck_assert(!same_draws(a, 0, b, 0));
    toll_mse_lcmcr_free(a);
    toll_mse_lcmcr_free(b);
    toll_mse_data_free(d);
}
END_TEST

static const char STRATA[] = "pattern,count,stratum\n"
                             "100,300,north\n010,280,north\n001,260,north\n"
                             "110,150,north\n101,140,north\n011,130,north\n"
                             "111,90,north\n"
                             "100,100,south\n010,90,south\n001,80,south\n"
                             "110,60,south\n101,55,south\n011,50,south\n"
                             "111,40,south\n";

START_TEST(total_should_sum_the_strata_draw_by_draw)
{
    toll_mse_data *d = data_from(STRATA);
    toll_mse_lcmcr_options o;
    quick(&o);
    toll_mse_lcmcr_result *t = run(d, TOLL_MSE_TOTAL, &o);
    ck_assert_uint_eq(toll_mse_lcmcr_parts(t), 3);
    ck_assert(toll_mse_lcmcr_summary_get(t, 0)->stratum == 0);
    ck_assert(toll_mse_lcmcr_summary_get(t, 1)->stratum == 1);
    ck_assert(toll_mse_lcmcr_summary_get(t, 2)->stratum == TOLL_MSE_TOTAL);
    ck_assert_double_eq(toll_mse_lcmcr_summary_get(t, 2)->observed,
                        1350.0 + 475.0);
    for (size_t c = 0; c < 2; c++) {
        const double *a = toll_mse_lcmcr_draws(t, 0, c);
        const double *b = toll_mse_lcmcr_draws(t, 1, c);
        const double *s = toll_mse_lcmcr_draws(t, 2, c);
        for (size_t i = 0; i < 100; i++)
            ck_assert_double_eq(s[i], a[i] + b[i]);
    }
    /* a stratum alone: the same draws as in the total */
    toll_mse_lcmcr_result *south = run(d, 1, &o);
    ck_assert_uint_eq(toll_mse_lcmcr_parts(south), 1);
    ck_assert(toll_mse_lcmcr_summary_get(south, 0)->stratum == 1);
    ck_assert(same_draws(south, 0, t, 1));
    toll_mse_lcmcr_free(south);
    toll_mse_lcmcr_free(t);
    toll_mse_data_free(d);
}
END_TEST

START_TEST(table_should_have_a_row_per_stratum_and_the_total)
{
    toll_mse_data *d = data_from(STRATA);
    toll_mse_lcmcr_options o;
    quick(&o);
    toll_mse_lcmcr_result *r = run(d, TOLL_MSE_TOTAL, &o);
    toll_table *t = NULL;
    toll_error err;
    ck_assert_int_eq(toll_mse_lcmcr_table(d, r, NULL, &t, &err), TOLL_OK);
    ck_assert_uint_eq(toll_table_nrows(t), 3);
    const char *cols[] = {"method", "stratum", "observed", "median", "mean",
                          "lower", "upper", "level", "ess", "rhat",
                          "warning"};
    ck_assert_uint_eq(toll_table_ncols(t), 11);
    for (size_t j = 0; j < 11; j++)
        ck_assert_str_eq(toll_table_column_name(t, j), cols[j]);
    toll_table_free(t);
    toll_mse_lcmcr_free(r);
    toll_mse_data_free(d);
}
END_TEST

START_TEST(allocation_failures_should_fail_cleanly)
{
    toll_mse_data *d = data_from(STRATA);
    toll_mse_lcmcr_options o;
    quick(&o);
    o.samples = 10;
    o.burnin = 10;
    int done = 0;
    for (long n = 1; n < 200 && !done; n++) {
        failing_alloc f;
        failing_alloc_init(&f, n);
        toll_error err;
        toll_mse_lcmcr_result *r = NULL;
        toll_status st = toll_mse_lcmcr(d, TOLL_MSE_TOTAL, &o, &f.a, &r,
                                        &err);
        if (st == TOLL_OK) {
            done = 1;
            toll_mse_lcmcr_free(r);
        } else {
            ck_assert_int_eq(st, TOLL_ENOMEM);
            ck_assert_ptr_null(r);
        }
        ck_assert_int_eq(f.live, 0);
    }
    ck_assert(done);
    toll_mse_data_free(d);
}
END_TEST

/* ---- the estimate ------------------------------------------------------------ */

/* Four lists; a population of N in two latent classes (weights w, 1 - w) with
 * capture probabilities p[c][j] on J lists, drawn with `rng`. */
static toll_mse_data *simulate(gsl_rng *rng, int N, int J, double w,
                               double p[2][4])
{
    const char *names[] = {"A", "B", "C", "D"};
    toll_mse_data *d = NULL;
    toll_error err;
    ck_assert_int_eq(toll_mse_data_new(J, names, NULL, &d, &err), TOLL_OK);
    int64_t cells[16] = {0};
    for (int i = 0; i < N; i++) {
        int c = gsl_rng_uniform(rng) < w ? 0 : 1;
        unsigned m = 0;
        for (int j = 0; j < J; j++)
            if (gsl_rng_uniform(rng) < p[c][j])
                m |= 1u << j;
        cells[m]++;
    }
    for (unsigned m = 1; m < (1u << J); m++) {
        char pat[5];
        for (int j = 0; j < J; j++)
            pat[j] = (m >> j) & 1u ? '1' : '0';
        pat[J] = '\0';
        if (cells[m])
            ck_assert_int_eq(
                toll_mse_data_add_pattern(d, NULL, pat, cells[m], &err),
                TOLL_OK);
    }
    return d;
}

START_TEST(simulated_populations_should_be_covered_by_the_interval)
{
    gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(rng, 2016);
    int sets = 20, covered = 0;
    double err_sum = 0.0;
    toll_mse_lcmcr_options o;
    toll_mse_lcmcr_options_init(&o);
    o.burnin = 2000;
    o.samples = 500;
    o.thin = 20;
    o.chains = 2;
    for (int i = 0; i < sets; i++) {
        int J = 4;
        int N = 2000 + (int)gsl_rng_uniform_int(rng, 3001);
        double w = 0.4 + 0.3 * gsl_rng_uniform(rng), p[2][4];
        for (int j = 0; j < 4; j++) {
            p[0][j] = 0.35 + 0.35 * gsl_rng_uniform(rng);
            p[1][j] = 0.2 + 0.25 * gsl_rng_uniform(rng);
        }
        toll_mse_data *d = simulate(rng, N, J, w, p);
        o.seed = (uint64_t)i;
        toll_mse_lcmcr_result *r = run(d, TOLL_MSE_TOTAL, &o);
        const toll_mse_lcmcr_summary *s = toll_mse_lcmcr_summary_get(r, 0);
        covered += s->lo <= N && N <= s->hi;
        err_sum += fabs(s->median - N) / N;
        toll_mse_lcmcr_free(r);
        toll_mse_data_free(d);
    }
    gsl_rng_free(rng);
    /* 95% intervals: 20 data sets leave 16 or fewer covered with
     * probability < 0.02 (the full check, 200 data sets with longer
     * chains, is bench/lcmcr_sim.py; docs/mse.md) */
    ck_assert_msg(covered >= 17, "%d of %d covered", covered, sets);
    ck_assert_msg(err_sum / sets < 0.05, "mean relative error %g",
                  err_sum / sets);
}
END_TEST

START_TEST(kosovo_median_should_agree_with_the_published_estimates)
{
    char path[4096];
    if (!toll_test_shared_path(path, sizeof path, "mse/kosovo_lists.csv"))
        return;
    toll_error err;
    toll_mse_data *d = NULL;
    ck_assert_int_eq(toll_mse_data_new(0, NULL, NULL, &d, &err), TOLL_OK);
    ck_assert_int_eq(toll_mse_data_load_file(d, path, NULL, &err), TOLL_OK);
    ck_assert_int_eq(toll_mse_data_observed(d, TOLL_MSE_TOTAL), 4400);
    toll_mse_lcmcr_options o;
    toll_mse_lcmcr_options_init(&o);
    o.burnin = 5000;
    o.samples = 500;
    o.thin = 50;
    o.chains = 2;
    toll_mse_lcmcr_result *r = run(d, TOLL_MSE_TOTAL, &o);
    const toll_mse_lcmcr_summary *s = toll_mse_lcmcr_summary_get(r, 0);
    ck_assert_msg(s->median > 9000.0 && s->median < 12500.0, "median %g",
                  s->median);
    ck_assert_msg(s->lo > 7500.0 && s->hi < 20000.0, "interval %g .. %g",
                  s->lo, s->hi);
    toll_mse_lcmcr_free(r);
    toll_mse_data_free(d);
}
END_TEST

static Suite *lcmcr_suite(void)
{
    Suite *s = suite_create("lcmcr");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, one_list_should_be_refused_naming_the_count);
    tcase_add_test(tc, sixteen_lists_should_be_refused_naming_the_count);
    tcase_add_test(tc,
                   a_list_that_records_no_one_should_be_a_model_error_naming_it);
    tcase_add_test(tc, non_integer_counts_should_be_refused_naming_the_text);
    tcase_add_test(tc, kstar_below_two_should_be_refused);
    tcase_add_test(tc, chains_below_one_should_be_refused);
    tcase_add_test(tc,
                   samples_thin_level_and_threads_out_of_range_should_be_refused);
    tcase_add_test(tc, every_64_bit_seed_should_be_accepted);
    tcase_add_test(tc, stratum_out_of_range_should_be_refused);
    tcase_add_test(tc, summary_should_be_ordered_and_finite);
    tcase_add_test(tc, few_effective_draws_should_warn);
    tcase_add_test(tc, same_seed_should_give_same_draws_whatever_the_threads);
    tcase_add_test(tc, another_seed_should_give_other_draws);
    tcase_add_test(tc, total_should_sum_the_strata_draw_by_draw);
    tcase_add_test(tc, table_should_have_a_row_per_stratum_and_the_total);
    tcase_add_test(tc, allocation_failures_should_fail_cleanly);
    tcase_add_test(tc, simulated_populations_should_be_covered_by_the_interval);
    tcase_add_test(tc, kosovo_median_should_agree_with_the_published_estimates);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return toll_test_run(lcmcr_suite());
}
