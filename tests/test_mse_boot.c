/*
 * tests/test_mse_boot.c - bootstrap intervals with model selection
 * (toll_mse_bootstrap, include/toll/mse.h; src/stats/mse_boot.c).
 *
 * No published bootstrap figures exist for these lists, so the intervals
 * are checked by construction (percentiles of the draws by hand),
 * determinism (seeds, threads) and simulation: populations drawn from a
 * known log-linear model must be covered by the interval most of the
 * time.  The Kosovo check (TOLL_SHARED_DATA) only asks that the interval
 * bracket the search's estimate and that the search's choice be the
 * model selected most often.
 */
#include "testutil.h"
#include "toll/mse.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
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

/* Three lists with plenty of overlap and an A-B dependence. */
static const char SMALL[] = "pattern,count\n"
                            "100,300\n010,280\n001,260\n110,190\n"
                            "101,100\n011,95\n111,60\n";

static toll_mse_boot_result *boot(const toll_mse_data *d, size_t stratum,
                                  const toll_mse_boot_options *o)
{
    toll_error err;
    toll_mse_boot_result *r = NULL;
    toll_status st = toll_mse_bootstrap(d, stratum, TOLL_MSE_AIC, o, NULL, &r,
                                        &err);
    ck_assert_msg(st == TOLL_OK, "%s", err.message);
    return r;
}

/* ---- determinism ------------------------------------------------------------ */

START_TEST(same_seed_should_give_identical_draws_whatever_the_threads)
{
    toll_mse_data *d = data_from(SMALL);
    toll_mse_boot_options o;
    toll_mse_boot_options_init(&o);
    o.replicates = 60;
    o.seed = 42;
    o.threads = 1;
    toll_mse_boot_result *a = boot(d, TOLL_MSE_TOTAL, &o);
    o.threads = 3;
    toll_mse_boot_result *b = boot(d, TOLL_MSE_TOTAL, &o);
    for (int avg = 0; avg < 2; avg++) {
        size_t na = 0, nb = 0;
        const double *x = toll_mse_boot_draws(a, avg, &na);
        const double *y = toll_mse_boot_draws(b, avg, &nb);
        ck_assert_uint_eq(na, 60);
        ck_assert_uint_eq(na, nb);
        ck_assert_int_eq(memcmp(x, y, na * sizeof *x), 0);
    }
    ck_assert_uint_eq(toll_mse_boot_nselected(a), toll_mse_boot_nselected(b));
    for (size_t i = 0; i < toll_mse_boot_nselected(a); i++)
        ck_assert_uint_eq(toll_mse_boot_selection_get(a, i)->count,
                          toll_mse_boot_selection_get(b, i)->count);
    toll_mse_boot_free(a);
    toll_mse_boot_free(b);
    toll_mse_data_free(d);
}
END_TEST

START_TEST(another_seed_should_give_other_draws)
{
    toll_mse_data *d = data_from(SMALL);
    toll_mse_boot_options o;
    toll_mse_boot_options_init(&o);
    o.replicates = 20;
    o.seed = 1;
    toll_mse_boot_result *a = boot(d, TOLL_MSE_TOTAL, &o);
    o.seed = 2;
    toll_mse_boot_result *b = boot(d, TOLL_MSE_TOTAL, &o);
    size_t n = 0;
    const double *x = toll_mse_boot_draws(a, 0, &n);
    const double *y = toll_mse_boot_draws(b, 0, NULL);
    ck_assert_int_ne(memcmp(x, y, n * sizeof *x), 0);
    toll_mse_boot_free(a);
    toll_mse_boot_free(b);
    toll_mse_data_free(d);
}
END_TEST

/* ---- what is reported ------------------------------------------------------- */

START_TEST(selection_counts_should_sum_to_replicates_minus_failures)
{
    toll_mse_data *d = data_from(SMALL);
    toll_mse_boot_options o;
    toll_mse_boot_options_init(&o);
    o.replicates = 150;
    toll_mse_boot_result *r = boot(d, TOLL_MSE_TOTAL, &o);
    const toll_mse_boot_summary *s = toll_mse_boot_summary_get(r);
    size_t sum = 0;
    double share = 0.0;
    ck_assert_uint_gt(toll_mse_boot_nselected(r), 0);
    for (size_t i = 0; i < toll_mse_boot_nselected(r); i++) {
        const toll_mse_boot_selection *e = toll_mse_boot_selection_get(r, i);
        sum += e->count;
        share += e->share;
        if (i)
            ck_assert_uint_le(e->count,
                              toll_mse_boot_selection_get(r, i - 1)->count);
        ck_assert_msg(e->model_name[0] != '\0', "model %zu has no name", i);
    }
    ck_assert_uint_eq(sum, s->replicates - s->failed);
    ck_assert_double_eq_tol(share, 1.0, 1e-12);
    ck_assert_ptr_null(toll_mse_boot_selection_get(r, 1000));
    toll_mse_boot_free(r);
    toll_mse_data_free(d);
}
END_TEST

/* The documented rule: sorted draws x(0..m-1), quantile q at h = q (m-1),
 * x(floor h) + (h - floor h) (x(floor h + 1) - x(floor h)). */
static double by_hand(const double *sorted, size_t m, double q)
{
    double h = q * (double)(m - 1);
    size_t i = (size_t)floor(h);
    if (i + 1 >= m)
        return sorted[m - 1];
    return sorted[i] + (h - (double)i) * (sorted[i + 1] - sorted[i]);
}

START_TEST(percentile_interval_should_interpolate_the_sorted_draws)
{
    toll_mse_data *d = data_from(SMALL);
    toll_mse_boot_options o;
    toll_mse_boot_options_init(&o);
    o.replicates = 7;
    o.level = 0.8;
    toll_mse_boot_result *r = boot(d, TOLL_MSE_TOTAL, &o);
    const toll_mse_boot_summary *s = toll_mse_boot_summary_get(r);
    for (int avg = 0; avg < 2; avg++) {
        size_t m = 0;
        const double *x = toll_mse_boot_draws(r, avg, &m);
        ck_assert_uint_eq(m, 7);
        double v[7];
        memcpy(v, x, sizeof v);
        /* insertion sort: no help from the code under test */
        for (size_t i = 1; i < 7; i++)
            for (size_t j = i; j > 0 && v[j - 1] > v[j]; j--) {
                double t = v[j];
                v[j] = v[j - 1];
                v[j - 1] = t;
            }
        /* h = 0.1 * 6 = 0.6 and 0.9 * 6 = 5.4 */
        double lo = v[0] + 0.6 * (v[1] - v[0]);
        double hi = v[5] + 0.4 * (v[6] - v[5]);
        ck_assert_double_eq_tol(lo, by_hand(v, 7, 0.1), 1e-9);
        ck_assert_double_eq_tol(avg ? s->avg_lo : s->lo, lo, 1e-9 * lo);
        ck_assert_double_eq_tol(avg ? s->avg_hi : s->hi, hi, 1e-9 * hi);
        ck_assert_double_eq_tol(avg ? s->avg_median : s->median, v[3],
                                1e-9 * v[3]);
    }
    toll_mse_boot_free(r);
    toll_mse_data_free(d);
}
END_TEST

START_TEST(estimate_on_the_data_should_be_the_search_s)
{
    toll_error err;
    toll_mse_data *d = data_from(SMALL);
    toll_mse_results *res = NULL;
    ck_assert_int_eq(toll_mse_search(d, TOLL_MSE_TOTAL, TOLL_MSE_AIC, NULL,
                                     NULL, &res, &err),
                     TOLL_OK);
    toll_mse_boot_options o;
    toll_mse_boot_options_init(&o);
    o.replicates = 10;
    toll_mse_boot_result *r = boot(d, TOLL_MSE_TOTAL, &o);
    const toll_mse_boot_summary *s = toll_mse_boot_summary_get(r);
    const toll_mse_estimate *best = toll_mse_results_get(res, 0);
    ck_assert_double_eq(s->n_hat, best->n_hat);
    ck_assert_str_eq(s->model_name, best->model_name);
    ck_assert_double_eq(s->avg_n_hat, toll_mse_results_average(res)->n_hat);
    ck_assert_double_eq(toll_mse_boot_estimate(r)->lo, best->lo);
    ck_assert_uint_eq(
        toll_mse_results_count(toll_mse_boot_results(r)),
        toll_mse_results_count(res));
    toll_mse_results_free(res);
    toll_mse_boot_free(r);
    toll_mse_data_free(d);
}
END_TEST

START_TEST(fixed_model_should_be_the_only_one_selected)
{
    toll_error err;
    toll_mse_data *d = data_from(SMALL);
    toll_mse_boot_options o;
    toll_mse_boot_options_init(&o);
    o.replicates = 30;
    o.select = 0;
    ck_assert_int_eq(toll_mse_model_parse(d, "A*C", &o.model, &err), TOLL_OK);
    toll_mse_boot_result *r = boot(d, TOLL_MSE_TOTAL, &o);
    ck_assert_ptr_null(toll_mse_boot_results(r));
    ck_assert_uint_eq(toll_mse_boot_nselected(r), 1);
    const toll_mse_boot_selection *e = toll_mse_boot_selection_get(r, 0);
    ck_assert_str_eq(e->model_name, "A + B + C + A*C");
    ck_assert_uint_eq(e->count, 30);
    size_t n = 0;
    const double *x = toll_mse_boot_draws(r, 0, &n);
    const double *y = toll_mse_boot_draws(r, 1, NULL);
    ck_assert_int_eq(memcmp(x, y, n * sizeof *x), 0);
    toll_mse_boot_free(r);
    toll_mse_data_free(d);
}
END_TEST

START_TEST(resamples_without_overlap_should_be_counted_as_failed)
{
    /* one record on both lists: about a third of the resamples have none */
    toll_mse_data *d = data_from("pattern,count\n10,60\n01,60\n11,1\n");
    toll_mse_boot_options o;
    toll_mse_boot_options_init(&o);
    o.replicates = 80;
    toll_mse_boot_result *r = boot(d, TOLL_MSE_TOTAL, &o);
    const toll_mse_boot_summary *s = toll_mse_boot_summary_get(r);
    ck_assert_uint_gt(s->failed, 10);
    ck_assert_uint_lt(s->failed, 60);
    size_t n = 0;
    toll_mse_boot_draws(r, 0, &n);
    ck_assert_uint_eq(n, 80 - s->failed);
    ck_assert_msg(strstr(toll_mse_boot_fail_message(r), "replicate ") != NULL,
                  "%s", toll_mse_boot_fail_message(r));
    size_t sum = 0;
    for (size_t i = 0; i < toll_mse_boot_nselected(r); i++)
        sum += toll_mse_boot_selection_get(r, i)->count;
    ck_assert_uint_eq(sum, n);
    toll_mse_boot_free(r);
    toll_mse_data_free(d);
}
END_TEST

START_TEST(total_should_resample_every_stratum_and_search_the_total)
{
    toll_error err;
    toll_mse_data *d = data_from(
        "stratum,pattern,count\n"
        "north,100,300\nnorth,010,280\nnorth,001,260\nnorth,110,190\n"
        "north,101,100\nnorth,011,95\nnorth,111,60\n"
        "south,100,150\nsouth,010,120\nsouth,001,140\nsouth,110,60\n"
        "south,101,70\nsouth,011,50\nsouth,111,30\n");
    toll_mse_results *res = NULL;
    ck_assert_int_eq(toll_mse_search(d, TOLL_MSE_TOTAL, TOLL_MSE_AIC, NULL,
                                     NULL, &res, &err),
                     TOLL_OK);
    toll_mse_boot_options o;
    toll_mse_boot_options_init(&o);
    o.replicates = 40;
    toll_mse_boot_result *r = boot(d, TOLL_MSE_TOTAL, &o);
    const toll_mse_boot_summary *s = toll_mse_boot_summary_get(r);
    ck_assert_double_eq(s->n_hat, toll_mse_results_get(res, 0)->n_hat);
    ck_assert_double_eq(s->observed, 1905.0);
    ck_assert(s->lo < s->n_hat && s->n_hat < s->hi);
    /* one stratum alone starts from that stratum's search */
    toll_mse_boot_result *one = boot(d, 1, &o);
    ck_assert_double_eq(toll_mse_boot_summary_get(one)->observed, 620.0);
    ck_assert_uint_eq(toll_mse_boot_summary_get(one)->stratum, 1);
    toll_mse_boot_free(one);
    toll_mse_results_free(res);
    toll_mse_boot_free(r);
    toll_mse_data_free(d);
}
END_TEST

START_TEST(parametric_draws_should_centre_on_the_selected_model)
{
    toll_mse_data *d = data_from(SMALL);
    toll_mse_boot_options o;
    toll_mse_boot_options_init(&o);
    o.replicates = 200;
    o.method = TOLL_MSE_BOOT_PARAMETRIC;
    o.select = 0;
    toll_mse_boot_result *r = boot(d, TOLL_MSE_TOTAL, &o);
    const toll_mse_boot_summary *s = toll_mse_boot_summary_get(r);
    /* the observed count varies: draws differ from a fixed-n resampling */
    ck_assert_msg(fabs(s->median - s->n_hat) < 0.03 * s->n_hat,
                  "median %g vs N-hat %g", s->median, s->n_hat);
    ck_assert(s->lo < s->n_hat && s->n_hat < s->hi);
    ck_assert_str_eq(toll_mse_boot_method_name(s->method), "parametric");
    toll_mse_boot_free(r);
    toll_mse_data_free(d);
}
END_TEST

/* ---- bad input -------------------------------------------------------------- */

START_TEST(bad_options_should_be_refused_naming_the_option)
{
    toll_error err;
    toll_mse_data *d = data_from(SMALL);
    struct {
        size_t B;
        int threads;
        double level;
        const char *field, *text;
    } cases[] = {{0, 0, 0.95, "replicates", "0"},
                 {2000000, 0, 0.95, "replicates", "2000000"},
                 {10, -1, 0.95, "threads", "-1"},
                 {10, 65, 0.95, "threads", "65"},
                 {10, 0, 1.5, "level", "1.5"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        toll_mse_boot_options o;
        toll_mse_boot_options_init(&o);
        o.replicates = cases[i].B;
        o.threads = cases[i].threads;
        o.level = cases[i].level;
        toll_mse_boot_result *r = NULL;
        toll_error_clear(&err);
        ck_assert_int_eq(toll_mse_bootstrap(d, TOLL_MSE_TOTAL, TOLL_MSE_AIC,
                                            &o, NULL, &r, &err),
                         TOLL_EINVAL);
        ck_assert_ptr_null(r);
        ck_assert_str_eq(err.field, cases[i].field);
        ck_assert_msg(strstr(err.message, cases[i].text) != NULL, "%s",
                      err.message);
    }
    toll_mse_boot_method m;
    ck_assert_int_eq(toll_mse_boot_method_parse("Parametric", &m, &err),
                     TOLL_OK);
    ck_assert_int_eq(m, TOLL_MSE_BOOT_PARAMETRIC);
    ck_assert_int_eq(toll_mse_boot_method_parse("jackknife", &m, &err),
                     TOLL_EINVAL);
    ck_assert_msg(strstr(err.message, "jackknife") != NULL, "%s",
                  err.message);
    toll_mse_boot_result *r = NULL;
    ck_assert_int_eq(toll_mse_bootstrap(d, 5, TOLL_MSE_AIC, NULL, NULL, &r,
                                        &err),
                     TOLL_EINVAL);
    toll_mse_data_free(d);
}
END_TEST

START_TEST(tables_should_have_the_intervals_and_the_frequencies)
{
    toll_error err;
    toll_mse_data *d = data_from(SMALL);
    toll_mse_boot_options o;
    toll_mse_boot_options_init(&o);
    o.replicates = 25;
    toll_mse_boot_result *r = boot(d, TOLL_MSE_TOTAL, &o);
    toll_table *t = NULL, *u = NULL;
    ck_assert_int_eq(toll_mse_boot_table(d, r, NULL, &t, &err), TOLL_OK);
    ck_assert_int_eq(toll_mse_boot_selection_table(d, r, NULL, &u, &err),
                     TOLL_OK);
    char *text = NULL;
    size_t len = 0;
    ck_assert_int_eq(toll_table_render_string(t, TOLL_RENDER_CSV, 0, &text,
                                              &len, &err),
                     TOLL_OK);
    static const char head[] = "estimate,model,method,observed,n_hat,"
                               "median,lower,upper,level,replicates,"
                               "failed\n";
    ck_assert_msg(strncmp(text, head, sizeof head - 1) == 0, "%s", text);
    ck_assert_msg(strstr(text, "selected model") && strstr(text,
                                                           "model average"),
                  "%s", text);
    toll_table_buffer_free(t, text);
    ck_assert_int_eq(toll_table_render_string(u, TOLL_RENDER_CSV, 0, &text,
                                              &len, &err),
                     TOLL_OK);
    ck_assert_msg(strncmp(text, "model,selected,share", 20) == 0, "%s", text);
    toll_table_buffer_free(u, text);
    toll_table_free(t);
    toll_table_free(u);
    toll_mse_boot_free(r);
    toll_mse_data_free(d);
}
END_TEST

/* ---- simulation ----------------------------------------------------------- */

/* A population of N from the log-linear model with main effects a[] and
 * an A-B interaction ab, its K = 3 cells drawn multinomially. */
static toll_mse_data *simulate(gsl_rng *g, unsigned N, double ab)
{
    const double a[3] = {log(0.3 / 0.7), log(0.25 / 0.75), log(0.3 / 0.7)};
    double p[8];
    for (unsigned c = 0; c < 8; c++) {
        double eta = 0.0;
        for (int j = 0; j < 3; j++)
            eta += ((c >> j) & 1u) ? a[j] : 0.0;
        if ((c & 3u) == 3u)
            eta += ab;
        p[c] = exp(eta);
    }
    unsigned n[8];
    gsl_ran_multinomial(g, 8, N, p, n);
    toll_error err;
    toll_mse_data *d = NULL;
    const char *names[] = {"A", "B", "C"};
    ck_assert_int_eq(toll_mse_data_new(3, names, NULL, &d, &err), TOLL_OK);
    for (unsigned c = 1; c < 8; c++) {
        char pat[4] = {(c & 1u) ? '1' : '0', (c & 2u) ? '1' : '0',
                       (c & 4u) ? '1' : '0', '\0'};
        ck_assert_int_eq(toll_mse_data_add_pattern(d, NULL, pat, n[c], &err),
                         TOLL_OK);
    }
    return d;
}

START_TEST(simulated_populations_should_mostly_be_covered)
{
    gsl_rng *g = gsl_rng_alloc(gsl_rng_taus2);
    gsl_rng_set(g, 2026);
    const unsigned N = 2000;
    int runs = 30, covered = 0;
    for (int i = 0; i < runs; i++) {
        toll_mse_data *d = simulate(g, N, 0.8);
        toll_mse_boot_options o;
        toll_mse_boot_options_init(&o);
        o.replicates = 100;
        o.seed = (uint64_t)i + 1;
        o.threads = 2;
        toll_mse_boot_result *r = boot(d, TOLL_MSE_TOTAL, &o);
        const toll_mse_boot_summary *s = toll_mse_boot_summary_get(r);
        covered += s->lo <= N && N <= s->hi;
        toll_mse_boot_free(r);
        toll_mse_data_free(d);
    }
    gsl_rng_free(g);
    /* nominal 95%: 30 runs cover at least 23 times unless the interval
     * is badly wrong (a binomial(30, 0.95) is below 23 with probability
     * 2e-4) */
    ck_assert_msg(covered >= 23, "covered %d of %d", covered, runs);
}
END_TEST

START_TEST(kosovo_interval_should_bracket_the_search_estimate)
{
    char path[4096];
    if (!toll_test_shared_path(path, sizeof path, "mse/kosovo_lists.csv"))
        return;
    toll_error err;
    toll_mse_data *d = NULL;
    ck_assert_int_eq(toll_mse_data_new(0, NULL, NULL, &d, &err), TOLL_OK);
    ck_assert_int_eq(toll_mse_data_load_file(d, path, NULL, &err), TOLL_OK);
    toll_mse_boot_options o;
    toll_mse_boot_options_init(&o);
    o.replicates = 200;
    toll_mse_boot_result *r = boot(d, TOLL_MSE_TOTAL, &o);
    const toll_mse_boot_summary *s = toll_mse_boot_summary_get(r);
    ck_assert_uint_eq(s->failed, 0);
    ck_assert(s->lo < s->n_hat && s->n_hat < s->hi);
    ck_assert(s->avg_lo < s->avg_n_hat && s->avg_n_hat < s->avg_hi);
    ck_assert_str_eq(toll_mse_boot_selection_get(r, 0)->model_name,
                     s->model_name);
    ck_assert_msg(s->lo > 11000.0 && s->hi < 18000.0, "%g .. %g", s->lo,
                  s->hi);
    toll_mse_boot_free(r);
    toll_mse_data_free(d);
}
END_TEST

static Suite *boot_suite(void)
{
    Suite *s = suite_create("mse_boot");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, same_seed_should_give_identical_draws_whatever_the_threads);
    tcase_add_test(tc, another_seed_should_give_other_draws);
    tcase_add_test(tc, selection_counts_should_sum_to_replicates_minus_failures);
    tcase_add_test(tc, percentile_interval_should_interpolate_the_sorted_draws);
    tcase_add_test(tc, estimate_on_the_data_should_be_the_search_s);
    tcase_add_test(tc, fixed_model_should_be_the_only_one_selected);
    tcase_add_test(tc, resamples_without_overlap_should_be_counted_as_failed);
    tcase_add_test(tc, total_should_resample_every_stratum_and_search_the_total);
    tcase_add_test(tc, parametric_draws_should_centre_on_the_selected_model);
    tcase_add_test(tc, bad_options_should_be_refused_naming_the_option);
    tcase_add_test(tc, tables_should_have_the_intervals_and_the_frequencies);
    suite_add_tcase(s, tc);
    TCase *sim = tcase_create("simulation");
    tcase_set_timeout(sim, 600);
    tcase_add_test(sim, simulated_populations_should_mostly_be_covered);
    tcase_add_test(sim, kosovo_interval_should_bracket_the_search_estimate);
    suite_add_tcase(s, sim);
    return s;
}

int main(void)
{
    return toll_test_run(boot_suite());
}
