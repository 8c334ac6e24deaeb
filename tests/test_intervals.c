/* tests/test_intervals.c - probabilistic intervals of totals of ranges
 * (toll/intervals.h) and their columns in summaries.
 *
 * Each engine is checked against a brute-force reference written here:
 * the exact distribution by direct enumeration / convolution, the normal
 * approximation and the simulation against each other and against the
 * exact quantiles. */
#include "store/store.h"
#include "reconcile/reconcile.h"
#include "render/render.h"
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

/* ---- helpers ------------------------------------------------------------ */

static toll_interval_options opts_of(toll_interval_method m,
                                     toll_interval_dist d,
                                     toll_interval_engine e)
{
    toll_interval_options o;
    toll_interval_options_init(&o);
    o.method = m;
    o.dist = d;
    o.engine = e;
    return o;
}

/* Quantiles of sum_i share*X_i by the library; asserts success. */
static void sum_q(const int64_t *lo, const int64_t *hi, const double *best,
                  size_t n, const toll_interval_options *o, double *out,
                  toll_interval_engine *used)
{
    toll_error err;
    toll_error_clear(&err);
    toll_status st = toll_interval_sum(lo, hi, best, NULL, NULL, n, o, NULL,
                                       out, used, &err);
    ck_assert_msg(st == TOLL_OK, "toll_interval_sum: %s", err.message);
}

/* Reference pmf of one range: uniform, or triangular on [lo, hi+1) with
 * mode c, floored (written independently of the library). */
static void ref_pmf(int64_t lo, int64_t hi, double best, int tri, double *p)
{
    size_t m = (size_t)(hi - lo + 1);
    if (!tri) {
        for (size_t k = 0; k < m; k++)
            p[k] = 1.0 / (double)m;
        return;
    }
    double a = (double)lo, b = (double)hi + 1.0, c;
    if (isnan(best))
        c = (a + b) / 2.0;
    else if (best <= a)
        c = a;
    else if (best >= (double)hi)
        c = b;
    else
        c = best + 0.5;
    for (size_t k = 0; k < m; k++) {
        /* integrate the density over [lo+k, lo+k+1] with Simpson's rule
         * on both sides of the mode (exact for piecewise linear) */
        double x0 = a + (double)k, x1 = x0 + 1.0, s = 0.0;
        double cuts[3] = {x0, c > x0 && c < x1 ? c : x0, x1};
        for (int part = 0; part < 2; part++) {
            double u = cuts[part], v = cuts[part + 1];
            if (v <= u)
                continue;
            double f[3], xs[3] = {u, (u + v) / 2.0, v};
            for (int j = 0; j < 3; j++) {
                double x = xs[j];
                f[j] = x <= c ? (c > a ? 2.0 * (x - a) / ((b - a) * (c - a))
                                       : 2.0 / (b - a))
                              : (b > c ? 2.0 * (b - x) / ((b - a) * (b - c))
                                       : 0.0);
            }
            s += (v - u) / 6.0 * (f[0] + 4.0 * f[1] + f[2]);
        }
        p[k] = s;
    }
}

/* Reference exact quantiles of sum X_i by plain convolution. */
static void ref_exact(const int64_t *lo, const int64_t *hi, const double *best,
                      size_t n, int tri, const double *q, size_t nq,
                      double *out)
{
    size_t W = 0;
    int64_t base = 0;
    for (size_t i = 0; i < n; i++) {
        W += (size_t)(hi[i] - lo[i]);
        base += lo[i];
    }
    double *f = calloc(W + 1, sizeof *f), *g = calloc(W + 1, sizeof *g);
    double *p = malloc((W + 1) * sizeof *p);
    ck_assert(f && g && p);
    f[0] = 1.0;
    size_t cur = 0;
    for (size_t i = 0; i < n; i++) {
        size_t m = (size_t)(hi[i] - lo[i] + 1);
        ref_pmf(lo[i], hi[i], best ? best[i] : NAN, tri, p);
        memset(g, 0, (W + 1) * sizeof *g);
        for (size_t x = 0; x <= cur; x++)
            for (size_t j = 0; j < m; j++)
                g[x + j] += f[x] * p[j];
        cur += m - 1;
        memcpy(f, g, (W + 1) * sizeof *f);
    }
    for (size_t k = 0; k < nq; k++) {
        double cum = 0.0;
        size_t x = 0;
        while (x < cur && cum + f[x] < q[k] * (1.0 - 1e-12)) {
            cum += f[x];
            x++;
        }
        out[k] = (double)(base + (int64_t)x);
    }
    free(f);
    free(g);
    free(p);
}

static const double Q3[3] = {0.025, 0.5, 0.975};

/* ---- names and options -------------------------------------------------- */

START_TEST(options_init_should_set_the_documented_defaults)
{
    toll_interval_options o;
    memset(&o, 0xff, sizeof o);
    toll_interval_options_init(&o);
    ck_assert_int_eq(o.method, TOLL_INTERVAL_NONE);
    ck_assert_int_eq(o.dist, TOLL_DIST_UNIFORM);
    ck_assert_int_eq(o.engine, TOLL_ENGINE_AUTO);
    ck_assert_uint_eq(o.draws, 10000);
    ck_assert_uint_eq(o.seed, 1);
    ck_assert_double_eq(o.open_cap, 2.0);
    ck_assert_ptr_null(o.quantiles);
    toll_summarize_options so;
    memset(&so, 0xff, sizeof so);
    toll_summarize_options_init(&so);
    ck_assert_int_eq(so.interval.method, TOLL_INTERVAL_NONE);
    ck_assert_uint_eq(so.interval.draws, 10000);
}
END_TEST

START_TEST(names_should_parse_case_insensitively_and_round_trip)
{
    toll_interval_method m;
    toll_interval_dist d;
    toll_interval_engine e;
    ck_assert_int_eq(toll_interval_method_parse("Comonotone", &m, NULL), 0);
    ck_assert_int_eq(m, TOLL_INTERVAL_COMONOTONE);
    ck_assert_str_eq(toll_interval_method_name(m), "comonotone");
    ck_assert_int_eq(toll_interval_dist_parse("TRIANGULAR", &d, NULL), 0);
    ck_assert_str_eq(toll_interval_dist_name(d), "triangular");
    ck_assert_int_eq(toll_interval_engine_parse("simulate", &e, NULL), 0);
    ck_assert_str_eq(toll_interval_engine_name(e), "simulate");
    toll_error err;
    ck_assert_int_eq(toll_interval_method_parse("bayesian", &m, &err),
                     TOLL_EINVAL);
    ck_assert_str_eq(err.field, "interval");
    ck_assert_ptr_nonnull(strstr(err.message, "'bayesian'"));
    ck_assert_int_eq(toll_interval_dist_parse("normal", &d, &err),
                     TOLL_EINVAL);
    ck_assert_str_eq(err.field, "dist");
}
END_TEST

START_TEST(column_names_should_spell_the_probability_digits)
{
    char b[32];
    const struct {
        double p;
        const char *name;
    } cases[] = {{0.025, "q025"},   {0.5, "q500"},   {0.975, "q975"},
                 {0.0125, "q0125"}, {0.9995, "q9995"}, {0.05, "q050"},
                 {0.001, "q001"},   {0.1, "q100"}};
    for (size_t k = 0; k < sizeof cases / sizeof *cases; k++) {
        ck_assert_uint_eq(toll_interval_column_name(cases[k].p, b, sizeof b),
                          strlen(cases[k].name));
        ck_assert_str_eq(b, cases[k].name);
    }
    ck_assert_uint_eq(toll_interval_column_name(0.025, b, 3), 4);
    ck_assert_str_eq(b, "q0");
}
END_TEST

START_TEST(quantiles_parse_should_read_a_list_and_reject_bad_items)
{
    double q[16];
    size_t n = 0;
    toll_error err;
    ck_assert_int_eq(
        toll_interval_quantiles_parse(" 0.05, 0.5 ,0.95", q, 16, &n, &err), 0);
    ck_assert_uint_eq(n, 3);
    ck_assert_double_eq(q[0], 0.05);
    ck_assert_double_eq(q[2], 0.95);
    const char *bad[] = {"0", "1", "0.5,", "abc", "0.5,0.5", "-0.1", "",
                         "0.10,0.1"};
    for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
        toll_error_clear(&err);
        ck_assert_msg(toll_interval_quantiles_parse(bad[k], q, 16, &n,
                                                    &err) == TOLL_EINVAL,
                      "accepted '%s'", bad[k]);
        ck_assert_str_eq(err.field, "quantiles");
    }
    ck_assert_int_eq(toll_interval_quantiles_parse("0.1,0.2,0.3", q, 2, &n,
                                                   &err),
                     TOLL_EINVAL);
}
END_TEST

START_TEST(bad_options_should_be_refused_naming_the_option)
{
    int64_t lo[1] = {1}, hi[1] = {5};
    double out[16];
    toll_error err;
    toll_interval_options o = opts_of(TOLL_INTERVAL_NONE, 0, 0);
    ck_assert_int_eq(toll_interval_sum(lo, hi, NULL, NULL, NULL, 1, &o, NULL,
                                       out, NULL, &err),
                     TOLL_EINVAL);
    ck_assert_str_eq(err.field, "interval");
    o = opts_of(TOLL_INTERVAL_INDEPENDENT, 0, 0);
    o.open_cap = 0.5;
    ck_assert_int_eq(toll_interval_sum(lo, hi, NULL, NULL, NULL, 1, &o, NULL,
                                       out, NULL, &err),
                     TOLL_EINVAL);
    ck_assert_str_eq(err.field, "open_cap");
    o = opts_of(TOLL_INTERVAL_INDEPENDENT, 0, 0);
    double bad_q[2] = {0.5, 1.5};
    o.quantiles = bad_q;
    o.n_quantiles = 2;
    ck_assert_int_eq(toll_interval_sum(lo, hi, NULL, NULL, NULL, 1, &o, NULL,
                                       out, NULL, &err),
                     TOLL_EINVAL);
    ck_assert_str_eq(err.field, "quantiles");
    o = opts_of(TOLL_INTERVAL_INDEPENDENT, 0, 0);
    o.draws = 1000000000;
    ck_assert_int_eq(toll_interval_sum(lo, hi, NULL, NULL, NULL, 1, &o, NULL,
                                       out, NULL, &err),
                     TOLL_EINVAL);
    ck_assert_str_eq(err.field, "draws");
    o = opts_of(TOLL_INTERVAL_INDEPENDENT, 0, 0);
    int64_t blo[1] = {9}, bhi[1] = {3};
    ck_assert_int_eq(toll_interval_sum(blo, bhi, NULL, NULL, NULL, 1, &o,
                                       NULL, out, NULL, &err),
                     TOLL_EINVAL);
    double share[1] = {-1.0};
    ck_assert_int_eq(toll_interval_sum(lo, hi, NULL, NULL, share, 1, &o, NULL,
                                       out, NULL, &err),
                     TOLL_EINVAL);
    ck_assert_str_eq(err.field, "share");
}
END_TEST

/* ---- comonotone: sum of quantiles --------------------------------------- */

START_TEST(comonotone_uniform_should_sum_the_quantiles)
{
    int64_t lo[3] = {0, 0, 0}, hi[3] = {9, 9, 9};
    double out[3];
    toll_interval_engine used;
    toll_interval_options o = opts_of(TOLL_INTERVAL_COMONOTONE, 0, 0);
    sum_q(lo, hi, NULL, 3, &o, out, &used);
    /* each: smallest k with (k+1)/10 >= p: 0, 4, 9 */
    ck_assert_double_eq(out[0], 0.0);
    ck_assert_double_eq(out[1], 12.0);
    ck_assert_double_eq(out[2], 27.0);
    ck_assert_int_eq(used, TOLL_ENGINE_EXACT);
}
END_TEST

START_TEST(comonotone_should_be_exact_against_brute_force)
{
    /* brute force: with every X_i = F_i^-1(U), the total is the sum, and
     * its quantile is found by scanning U on a fine grid */
    int64_t lo[4] = {3, 0, 10, 7}, hi[4] = {8, 20, 10, 30};
    double best[4] = {4, 2, 10, 25};
    for (int tri = 0; tri < 2; tri++) {
        toll_interval_options o = opts_of(TOLL_INTERVAL_COMONOTONE, tri, 0);
        double out[3];
        sum_q(lo, hi, best, 4, &o, out, NULL);
        for (int k = 0; k < 3; k++) {
            /* the p-quantile of T = sum F_i^-1(U): T is nondecreasing in U,
             * so it is sum F_i^-1(p); check each F_i^-1(p) from the pmf */
            double t = 0;
            for (int i = 0; i < 4; i++) {
                double p[64];
                ref_pmf(lo[i], hi[i], best[i], tri, p);
                double cum = 0;
                int64_t x = lo[i];
                while (x < hi[i] && cum + p[x - lo[i]] < Q3[k] * (1 - 1e-9)) {
                    cum += p[x - lo[i]];
                    x++;
                }
                t += (double)x;
            }
            ck_assert_msg(out[k] == t, "tri %d q%d: %g != %g", tri, k, out[k],
                          t);
        }
    }
}
END_TEST

START_TEST(open_high_should_be_capped_at_the_factor_of_low)
{
    /* [150, open) -> [150, 300]: median 150 + 75 */
    int64_t lo[1] = {150}, hi[1] = {TOLL_OPEN};
    double out[3];
    toll_interval_options o = opts_of(TOLL_INTERVAL_COMONOTONE, 0, 0);
    sum_q(lo, hi, NULL, 1, &o, out, NULL);
    ck_assert_double_eq(out[1], 225.0);
    ck_assert_double_eq(out[2], 150.0 + ceil(0.975 * 151) - 1);
    /* a reconciled range [85, 150] flagged open: cap max(150, 170) */
    int64_t lo2[1] = {85}, hi2[1] = {150};
    unsigned char open[1] = {1};
    double q1[1] = {0.999};
    o.quantiles = q1;
    o.n_quantiles = 1;
    ck_assert_int_eq(toll_interval_sum(lo2, hi2, NULL, open, NULL, 1, &o,
                                       NULL, out, NULL, NULL),
                     TOLL_OK);
    ck_assert_double_eq(out[0], 170.0);
    /* factor 3 */
    o.open_cap = 3.0;
    ck_assert_int_eq(toll_interval_sum(lo2, hi2, NULL, open, NULL, 1, &o,
                                       NULL, out, NULL, NULL),
                     TOLL_OK);
    ck_assert_double_eq(out[0], 255.0);
    /* not open: unchanged */
    open[0] = 0;
    ck_assert_int_eq(toll_interval_sum(lo2, hi2, NULL, open, NULL, 1, &o,
                                       NULL, out, NULL, NULL),
                     TOLL_OK);
    ck_assert_double_eq(out[0], 150.0);
}
END_TEST

START_TEST(interval_sum_beyond_2_53_should_be_an_error_not_a_wrap)
{
    /* a single 2^63 - 1 gave q025 = q500 = q975 = 0; many counts under
     * 2^53 can still add up past it */
    int64_t lo[4] = {0, 0, 0, 0};
    int64_t hi[4] = {INT64_MAX, INT64_C(1) << 52, INT64_C(1) << 52,
                     INT64_C(1) << 52};
    double out[3];
    toll_error err;
    for (int m = TOLL_INTERVAL_INDEPENDENT; m <= TOLL_INTERVAL_COMONOTONE;
         m++) {
        toll_interval_options o = opts_of((toll_interval_method)m, 0, 0);
        o.engine = m == TOLL_INTERVAL_INDEPENDENT ? TOLL_ENGINE_SIMULATE
                                                  : TOLL_ENGINE_AUTO;
        o.draws = 100;
        toll_error_clear(&err);
        ck_assert_int_eq(toll_interval_sum(lo, hi, NULL, NULL, NULL, 1, &o,
                                           NULL, out, NULL, &err),
                         TOLL_ERANGE);
        ck_assert_ptr_nonnull(strstr(err.message, "beyond 2^53"));
        toll_error_clear(&err);
        ck_assert_int_eq(toll_interval_sum(lo + 1, hi + 1, NULL, NULL, NULL,
                                           3, &o, NULL, out, NULL, &err),
                         TOLL_ERANGE);
        ck_assert_str_eq(err.field, "high");
        ck_assert_int_eq(toll_interval_sum(lo + 1, hi + 1, NULL, NULL, NULL,
                                           1, &o, NULL, out, NULL, &err),
                         TOLL_OK);
    }
}
END_TEST

START_TEST(open_high_capped_beyond_int64_should_be_a_range_error)
{
    /* 4000 x 2^52 does not fit int64: the message names the cap */
    int64_t lo[1] = {INT64_C(1) << 52}, hi[1] = {TOLL_OPEN};
    double out[3];
    toll_error err;
    toll_error_clear(&err);
    toll_interval_options o = opts_of(TOLL_INTERVAL_INDEPENDENT, 0, 0);
    o.open_cap = 4000.0;
    ck_assert_int_eq(toll_interval_sum(lo, hi, NULL, NULL, NULL, 1, &o, NULL,
                                       out, NULL, &err),
                     TOLL_ERANGE);
    ck_assert_ptr_nonnull(strstr(err.message, "open_cap x low"));
}
END_TEST

START_TEST(triangular_mode_at_an_end_should_put_the_mass_there)
{
    int64_t lo[1] = {10}, hi[1] = {20};
    double best[1] = {10}, out[3];
    toll_interval_options o =
        opts_of(TOLL_INTERVAL_COMONOTONE, TOLL_DIST_TRIANGULAR, 0);
    sum_q(lo, hi, best, 1, &o, out, NULL);
    /* density falling from 10: P(X = 10) = 1 - (10/11)^2 = 0.174 */
    ck_assert_double_eq(out[0], 10.0);
    ck_assert(out[1] <= 13.0);
    best[0] = 20;
    sum_q(lo, hi, best, 1, &o, out, NULL);
    ck_assert_double_eq(out[2], 20.0);
    ck_assert(out[1] >= 17.0);
}
END_TEST

/* ---- independent: exact convolution ------------------------------------- */

START_TEST(exact_uniform_should_match_enumeration)
{
    /* enumerate every outcome of three small uniform ranges */
    int64_t lo[3] = {0, 1, 5}, hi[3] = {2, 4, 9};
    int64_t cnt[20] = {0};
    for (int a = 0; a <= 2; a++)
        for (int b = 1; b <= 4; b++)
            for (int c = 5; c <= 9; c++)
                cnt[a + b + c]++;
    double ps[5] = {0.025, 0.1, 0.5, 0.9, 0.975};
    toll_interval_options o =
        opts_of(TOLL_INTERVAL_INDEPENDENT, 0, TOLL_ENGINE_EXACT);
    o.quantiles = ps;
    o.n_quantiles = 5;
    double out[5];
    toll_interval_engine used;
    sum_q(lo, hi, NULL, 3, &o, out, &used);
    ck_assert_int_eq(used, TOLL_ENGINE_EXACT);
    for (int k = 0; k < 5; k++) {
        int64_t cum = 0;
        int x = 0;
        while (cum + cnt[x] < ps[k] * 60 - 1e-9)
            cum += cnt[x++];
        ck_assert_msg(out[k] == x, "p %g: %g != %d", ps[k], out[k], x);
    }
}
END_TEST

START_TEST(exact_should_match_a_reference_convolution)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 7);
    double ps[7] = {0.01, 0.025, 0.1, 0.5, 0.8, 0.975, 0.999};
    for (int rep = 0; rep < 20; rep++) {
        size_t n = 1 + gsl_rng_uniform_int(r, 12);
        int64_t lo[12], hi[12];
        double best[12];
        for (size_t i = 0; i < n; i++) {
            lo[i] = (int64_t)gsl_rng_uniform_int(r, 50);
            hi[i] = lo[i] + (int64_t)gsl_rng_uniform_int(r, 40);
            best[i] = (double)lo[i] +
                      floor(gsl_rng_uniform(r) * (double)(hi[i] - lo[i] + 1));
        }
        for (int tri = 0; tri < 2; tri++) {
            toll_interval_options o =
                opts_of(TOLL_INTERVAL_INDEPENDENT, tri, TOLL_ENGINE_EXACT);
            o.quantiles = ps;
            o.n_quantiles = 7;
            double out[7], ref[7];
            sum_q(lo, hi, best, n, &o, out, NULL);
            ref_exact(lo, hi, best, n, tri, ps, 7, ref);
            for (int k = 0; k < 7; k++)
                ck_assert_msg(out[k] == ref[k],
                              "rep %d tri %d p %g: %g != %g", rep, tri, ps[k],
                              out[k], ref[k]);
        }
    }
    gsl_rng_free(r);
}
END_TEST

START_TEST(auto_should_choose_exact_for_small_groups)
{
    int64_t lo[5] = {1, 2, 3, 4, 5}, hi[5] = {10, 20, 30, 40, 50};
    double out[3];
    toll_interval_engine used;
    toll_interval_options o = opts_of(TOLL_INTERVAL_INDEPENDENT, 0, 0);
    sum_q(lo, hi, NULL, 5, &o, out, &used);
    ck_assert_int_eq(used, TOLL_ENGINE_EXACT);
    ck_assert(out[0] < out[1] && out[1] < out[2]);
    ck_assert(out[0] >= 15 && out[2] <= 150);
}
END_TEST

START_TEST(exact_should_be_refused_when_too_costly)
{
    size_t n = 3000;
    int64_t *lo = calloc(n, sizeof *lo), *hi = calloc(n, sizeof *hi);
    for (size_t i = 0; i < n; i++)
        hi[i] = 20000;
    toll_interval_options o =
        opts_of(TOLL_INTERVAL_INDEPENDENT, 0, TOLL_ENGINE_EXACT);
    double out[3];
    toll_error err;
    ck_assert_int_eq(toll_interval_sum(lo, hi, NULL, NULL, NULL, n, &o, NULL,
                                       out, NULL, &err),
                     TOLL_ERANGE);
    ck_assert_ptr_nonnull(strstr(err.message, "exact"));
    free(lo);
    free(hi);
}
END_TEST

/* ---- independent: normal approximation ---------------------------------- */

START_TEST(normal_should_use_the_exact_mean_and_variance)
{
    /* 400 ranges [0, 2k]: symmetric, mean sum k, variance
     * sum ((2k+1)^2 - 1)/12 */
    size_t n = 400;
    int64_t lo[400], hi[400];
    double mean = 0, var = 0;
    for (size_t i = 0; i < n; i++) {
        lo[i] = 0;
        hi[i] = 2 * (int64_t)(i % 7 + 1);
        double m = (double)hi[i] + 1;
        mean += (double)hi[i] / 2;
        var += (m * m - 1) / 12;
    }
    double ps[3] = {0.5, 0.8413447460685429, 0.15865525393145707};
    toll_interval_options o =
        opts_of(TOLL_INTERVAL_INDEPENDENT, 0, TOLL_ENGINE_NORMAL);
    o.quantiles = ps;
    o.n_quantiles = 3;
    double out[3];
    sum_q(lo, hi, NULL, n, &o, out, NULL);
    ck_assert_double_eq(out[0], mean); /* integer mean: the median */
    /* +-1 sd, within the continuity correction and the kurtosis term */
    ck_assert_msg(fabs(out[1] - (mean + sqrt(var))) <= 1.0, "%g vs %g",
                  out[1], mean + sqrt(var));
    ck_assert_msg(fabs(out[2] - (mean - sqrt(var))) <= 1.0, "%g vs %g",
                  out[2], mean - sqrt(var));
}
END_TEST

START_TEST(normal_should_agree_with_exact_for_many_ranges)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 11);
    size_t n = 200;
    int64_t lo[200], hi[200];
    double best[200];
    double ps[5] = {0.01, 0.025, 0.5, 0.975, 0.99};
    for (int tri = 0; tri < 2; tri++) {
        for (size_t i = 0; i < n; i++) {
            lo[i] = (int64_t)gsl_rng_uniform_int(r, 100);
            hi[i] = lo[i] + (int64_t)gsl_rng_uniform_int(r, 60);
            best[i] = (double)lo[i] + 0.2 * (double)(hi[i] - lo[i]);
        }
        toll_interval_options o =
            opts_of(TOLL_INTERVAL_INDEPENDENT, tri, TOLL_ENGINE_NORMAL);
        o.quantiles = ps;
        o.n_quantiles = 5;
        double nq[5], eq[5];
        sum_q(lo, hi, best, n, &o, nq, NULL);
        o.engine = TOLL_ENGINE_EXACT;
        sum_q(lo, hi, best, n, &o, eq, NULL);
        double sd = (eq[3] - eq[1]) / (2 * 1.96);
        for (int k = 0; k < 5; k++)
            ck_assert_msg(fabs(nq[k] - eq[k]) <= 0.01 * sd + 1.0,
                          "tri %d p %g: normal %g exact %g (sd %g)", tri,
                          ps[k], nq[k], eq[k], sd);
    }
    gsl_rng_free(r);
}
END_TEST

START_TEST(auto_should_choose_normal_for_large_groups_and_simulate_when_one_dominates)
{
    size_t n = 5000;
    int64_t *lo = calloc(n, sizeof *lo), *hi = calloc(n, sizeof *hi);
    for (size_t i = 0; i < n; i++)
        hi[i] = 100 + (int64_t)(i % 50);
    toll_interval_options o = opts_of(TOLL_INTERVAL_INDEPENDENT, 0, 0);
    o.draws = 2000;
    double out[3];
    toll_interval_engine used;
    sum_q(lo, hi, NULL, n, &o, out, &used);
    ck_assert_int_eq(used, TOLL_ENGINE_NORMAL);
    /* one range dominating the variance: simulation */
    hi[0] = 10000000;
    sum_q(lo, hi, NULL, n, &o, out, &used);
    ck_assert_int_eq(used, TOLL_ENGINE_SIMULATE);
    free(lo);
    free(hi);
}
END_TEST

/* ---- independent: simulation -------------------------------------------- */

START_TEST(simulation_should_agree_with_exact)
{
    int64_t lo[6] = {0, 5, 10, 0, 3, 40}, hi[6] = {30, 9, 60, 100, 3, 41};
    double best[6] = {10, 9, 12, 90, 3, 40};
    double ps[5] = {0.025, 0.1, 0.5, 0.9, 0.975};
    for (int tri = 0; tri < 2; tri++) {
        toll_interval_options o =
            opts_of(TOLL_INTERVAL_INDEPENDENT, tri, TOLL_ENGINE_SIMULATE);
        o.quantiles = ps;
        o.n_quantiles = 5;
        o.draws = 200000;
        double sq[5], eq[5];
        toll_interval_engine used;
        sum_q(lo, hi, best, 6, &o, sq, &used);
        ck_assert_int_eq(used, TOLL_ENGINE_SIMULATE);
        ref_exact(lo, hi, best, 6, tri, ps, 5, eq);
        for (int k = 0; k < 5; k++)
            ck_assert_msg(fabs(sq[k] - eq[k]) <= 2.0,
                          "tri %d p %g: simulated %g exact %g", tri, ps[k],
                          sq[k], eq[k]);
    }
}
END_TEST

START_TEST(simulation_should_handle_shares_and_wide_ranges)
{
    /* shares 1/2 and ranges beyond 16 and 32 bits */
    int64_t lo[3] = {0, 1000, 0}, hi[3] = {100000, 1000 + 99999, 9000000000LL};
    double share[3] = {0.5, 1.0, 1.0 / 3.0};
    toll_interval_options o =
        opts_of(TOLL_INTERVAL_INDEPENDENT, 0, TOLL_ENGINE_SIMULATE);
    o.draws = 50000;
    double q[1] = {0.5};
    o.quantiles = q;
    o.n_quantiles = 1;
    double out[1];
    ck_assert_int_eq(toll_interval_sum(lo, hi, NULL, NULL, share, 3, &o,
                                       NULL, out, NULL, NULL),
                     TOLL_OK);
    double mean = 0.5 * 50000 + 1000 + 49999.5 + 9e9 / 6;
    /* the median of a sum dominated by a uniform is near its mean */
    ck_assert_msg(fabs(out[0] - mean) < 0.03 * mean, "%g vs %g", out[0],
                  mean);
}
END_TEST

START_TEST(simulation_should_be_reproducible_from_the_seed)
{
    int64_t lo[4] = {0, 10, 20, 5}, hi[4] = {100, 50, 25, 500};
    double ps[3] = {0.025, 0.5, 0.975};
    toll_interval_options o =
        opts_of(TOLL_INTERVAL_INDEPENDENT, 0, TOLL_ENGINE_SIMULATE);
    o.quantiles = ps;
    o.n_quantiles = 3;
    o.draws = 999;
    o.seed = 42;
    double a[3], b[3], c[3];
    sum_q(lo, hi, NULL, 4, &o, a, NULL);
    sum_q(lo, hi, NULL, 4, &o, b, NULL);
    ck_assert(memcmp(a, b, sizeof a) == 0);
    o.seed = 43;
    sum_q(lo, hi, NULL, 4, &o, c, NULL);
    ck_assert(memcmp(a, c, sizeof a) != 0);
    /* Golden values: the same on every platform (integer-only draws
     * from taus2).  A change here changes every published number. */
    o.seed = 42;
    double t[3];
    o.dist = TOLL_DIST_UNIFORM;
    sum_q(lo, hi, NULL, 4, &o, t, NULL);
    ck_assert_double_eq(t[0], 105.0);
    ck_assert_double_eq(t[1], 354.0);
    ck_assert_double_eq(t[2], 609.0);
    o.dist = TOLL_DIST_TRIANGULAR;
    sum_q(lo, hi, NULL, 4, &o, t, NULL);
    ck_assert_double_eq(t[0], 148.0);
    ck_assert_double_eq(t[1], 354.0);
    ck_assert_double_eq(t[2], 551.0);
}
END_TEST

/* ---- the simulation's draws, written out with gsl_rng_get ------------- */

/* The documented simulation (docs/intervals.md, "Reproducible draws"),
 * written here from the description with GSL's taus2 through gsl_rng_get:
 * the stream of a sum without keys (splitmix64 of the seed, folded to 32
 * bits), uniform integers by Lemire's multiply-shift with rejection, two
 * 16-bit draws per output when a range has at most 65,536 values (a spare
 * half is used first by the next range), the order statistics of the
 * totals as quantiles. */
typedef struct ref_rng {
    gsl_rng *r;
    uint32_t buf;
    int have;
} ref_rng;

static uint32_t ref_next16(ref_rng *g)
{
    if (g->have) {
        g->have = 0;
        return g->buf;
    }
    uint32_t x = (uint32_t)gsl_rng_get(g->r);
    g->buf = x >> 16;
    g->have = 1;
    return x & 0xffffu;
}

static uint32_t ref_uniform16(ref_rng *g, uint32_t m, uint32_t thr)
{
    uint32_t p = ref_next16(g) * m;
    while ((p & 0xffffu) < thr)
        p = ref_next16(g) * m;
    return p >> 16;
}

static uint64_t ref_uniform(ref_rng *g, uint64_t m)
{
    if (m <= ((uint64_t)1 << 32)) {
        uint32_t thr = m == ((uint64_t)1 << 32)
                           ? 0u
                           : (uint32_t)(((uint64_t)1 << 32) % m);
        uint64_t p = (uint64_t)(uint32_t)gsl_rng_get(g->r) * m;
        while ((uint32_t)p < thr)
            p = (uint64_t)(uint32_t)gsl_rng_get(g->r) * m;
        return p >> 32;
    }
    uint64_t mask = m - 1;
    for (int k = 1; k < 64; k *= 2)
        mask |= mask >> k;
    for (;;) {
        uint64_t h = (uint32_t)gsl_rng_get(g->r);
        uint64_t l = (uint32_t)gsl_rng_get(g->r);
        uint64_t x = ((h << 32) | l) & mask;
        if (x < m)
            return x;
    }
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static uint64_t ref_mix(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* The seed of chunk c of a sum without keys (docs/intervals.md, "Chunks
 * and threads"): chunk 0 splitmix64(seed + gamma) folded to 32 bits;
 * chunk c >= 1 splitmix64(that 64-bit hash + c gamma), folded. */
static unsigned long ref_chunk_seed(uint64_t seed, size_t c)
{
    uint64_t z = ref_mix(seed + 0x9E3779B97F4A7C15ull);
    if (c > 0)
        z = ref_mix(z + 0x9E3779B97F4A7C15ull * (uint64_t)c);
    uint32_t s32 = (uint32_t)(z ^ (z >> 32));
    return s32 ? s32 : 1;
}

#define REF_CHUNK 65536u /* ranges with more than one value per chunk */

static void ref_simulate(const int64_t *lo, const int64_t *hi,
                         const double *share, size_t n, size_t D,
                         uint64_t seed, const double *ps, size_t nq,
                         double *out)
{
    ref_rng g = {gsl_rng_alloc(gsl_rng_taus2), 0, 0};
    ck_assert_ptr_nonnull(g.r);
    gsl_rng_set(g.r, ref_chunk_seed(seed, 0));
    double *total = calloc(D, sizeof *total), fixed = 0.0;
    double *dsum = calloc(D, sizeof *dsum); /* the chunk's shares */
    int64_t *isum = calloc(D, sizeof *isum), ibase = 0;
    size_t items = 0;
    for (size_t i = 0; i < n; i++) {
        double sh = share ? share[i] : 1.0;
        uint64_t m = (uint64_t)(hi[i] - lo[i]) + 1u;
        if (m == 1) {
            fixed += sh * (double)lo[i];
            continue;
        }
        if (items > 0 && items % REF_CHUNK == 0) {
            /* a new chunk: its own stream; the finished chunk's
             * fractional-share sums are added to the totals in order */
            for (size_t d = 0; d < D; d++) {
                total[d] += dsum[d];
                dsum[d] = 0.0;
            }
            gsl_rng_set(g.r, ref_chunk_seed(seed, items / REF_CHUNK));
            g.have = 0;
        }
        items++;
        int unit = sh == 1.0;
        if (unit)
            ibase += lo[i];
        for (size_t d = 0; d < D; d++) {
            uint64_t x;
            if (m <= 65536u && d == 0 && g.have) { /* a spare first */
                x = ref_uniform16(&g, (uint32_t)m,
                                  (65536u - (uint32_t)m) % (uint32_t)m);
            } else if (m <= 65536u && d + 1 < D) {
                /* a pair from one output: low half, then high half */
                uint32_t m32 = (uint32_t)m, thr = (65536u - m32) % m32;
                uint32_t w = (uint32_t)gsl_rng_get(g.r);
                uint32_t p0 = (w & 0xffffu) * m32, p1 = (w >> 16) * m32;
                while ((p0 & 0xffffu) < thr)
                    p0 = ref_next16(&g) * m32;
                while ((p1 & 0xffffu) < thr)
                    p1 = ref_next16(&g) * m32;
                uint64_t x1 = p1 >> 16;
                x = p0 >> 16;
                if (unit) {
                    isum[d] += (int64_t)x;
                } else {
                    double t = sh * (double)(lo[i] + (int64_t)x);
                    dsum[d] += t;
                }
                d++;
                x = x1;
            } else if (m <= 65536u) {
                x = ref_uniform16(&g, (uint32_t)m,
                                  (65536u - (uint32_t)m) % (uint32_t)m);
            } else {
                x = ref_uniform(&g, m);
            }
            if (unit) {
                isum[d] += (int64_t)x;
            } else {
                double t = sh * (double)(lo[i] + (int64_t)x);
                dsum[d] += t;
            }
        }
    }
    for (size_t d = 0; d < D; d++) {
        total[d] += dsum[d];
        double t = (double)(isum[d] + ibase);
        total[d] += t;
        total[d] += fixed;
    }
    qsort(total, D, sizeof *total, cmp_double);
    for (size_t k = 0; k < nq; k++) {
        double pos = ps[k] * (double)D;
        double c = ceil(pos - 1e-9 - 1e-12 * pos);
        size_t idx = c < 1.0 ? 0 : (size_t)c - 1;
        out[k] = total[idx < D ? idx : D - 1];
    }
    gsl_rng_free(g.r);
    free(total);
    free(dsum);
    free(isum);
}

START_TEST(simulation_should_draw_the_gsl_rng_get_taus2_stream)
{
    /* widths: tiny, frequent rejection (40,000 values: 39 %), the 16-bit
     * limit and just past it, 32-bit and wider; unit and split shares;
     * draw counts odd, even, below and across the 4-output batches */
    static const uint64_t widths[] = {1,     2,     3,      39,     40000,
                                      65534, 65535, 65536,  300000,
                                      ((uint64_t)1 << 32) - 1,
                                      (uint64_t)1 << 33};
    static const size_t draws[] = {1, 2, 3, 7, 8, 9, 16, 17, 200, 1001};
    static const double ps[5] = {0.01, 0.025, 0.5, 0.975, 0.99};
    uint64_t s = 99;
    for (int trial = 0; trial < 60; trial++) {
        size_t n = 1 + (size_t)(trial * 7 % 50);
        int64_t lo[50], hi[50];
        double share[50];
        for (size_t i = 0; i < n; i++) {
            s = s * 6364136223846793005ull + 1442695040888963407ull;
            lo[i] = (int64_t)((s >> 33) % 1000);
            uint64_t w = widths[(s >> 20) % (sizeof widths / sizeof *widths)];
            hi[i] = lo[i] + (int64_t)((s >> 12) % w);
            share[i] = (s >> 50) % 3 == 0 ? 0.5 : (s >> 50) % 3 == 1 ? 1.0
                                                                   : 1.0 / 3;
        }
        toll_interval_options o =
            opts_of(TOLL_INTERVAL_INDEPENDENT, 0, TOLL_ENGINE_SIMULATE);
        o.draws = draws[trial % 10];
        o.seed = (uint64_t)trial * 1000003u;
        o.quantiles = ps;
        o.n_quantiles = 5;
        const double *sh = trial % 2 ? share : NULL;
        double got[5], want[5];
        toll_error err;
        ck_assert_int_eq(toll_interval_sum(lo, hi, NULL, NULL, sh, n, &o,
                                           NULL, got, NULL, &err),
                         TOLL_OK);
        ref_simulate(lo, hi, sh, n, o.draws, o.seed, ps, 5, want);
        for (int k = 0; k < 5; k++)
            ck_assert_msg(got[k] == want[k],
                          "trial %d quantile %d: %.17g, expected %.17g",
                          trial, k, got[k], want[k]);
    }
}
END_TEST

START_TEST(quantiles_should_come_out_in_the_order_asked)
{
    int64_t lo[3] = {0, 0, 0}, hi[3] = {50, 60, 70};
    double ps[3] = {0.9, 0.1, 0.5};
    for (int e = TOLL_ENGINE_EXACT; e <= TOLL_ENGINE_SIMULATE; e++) {
        toll_interval_options o = opts_of(TOLL_INTERVAL_INDEPENDENT, 0, e);
        o.quantiles = ps;
        o.n_quantiles = 3;
        o.draws = 5000;
        double out[3];
        sum_q(lo, hi, NULL, 3, &o, out, NULL);
        ck_assert_msg(out[1] < out[2] && out[2] < out[0],
                      "engine %d: %g %g %g", e, out[0], out[1], out[2]);
    }
}
END_TEST

START_TEST(single_values_should_give_a_point_interval)
{
    int64_t lo[3] = {4, 7, 9}, hi[3] = {4, 7, 9};
    double out[3];
    toll_interval_engine used;
    for (int e = TOLL_ENGINE_AUTO; e <= TOLL_ENGINE_SIMULATE; e++) {
        toll_interval_options o = opts_of(TOLL_INTERVAL_INDEPENDENT, 1, e);
        sum_q(lo, hi, NULL, 3, &o, out, &used);
        ck_assert_double_eq(out[0], 20.0);
        ck_assert_double_eq(out[2], 20.0);
    }
    toll_interval_options o = opts_of(TOLL_INTERVAL_INDEPENDENT, 0, 0);
    sum_q(lo, hi, NULL, 0, &o, out, NULL);
    ck_assert_double_eq(out[1], 0.0);
}
END_TEST

START_TEST(options_check_should_refuse_zero_draws_and_a_bad_open_cap)
{
    /* 0 is not "the default": draws 0, an open_cap below 1 or not finite
     * are errors naming the field, even with no interval asked for */
    toll_error err;
    toll_interval_options o;
    toll_interval_options_init(&o);
    ck_assert_int_eq(toll_interval_options_check(&o, &err), TOLL_OK);
    o.draws = 0;
    ck_assert_int_eq(toll_interval_options_check(&o, &err), TOLL_EINVAL);
    ck_assert_str_eq(err.field, "draws");
    ck_assert_str_eq(err.text, "0");
    o.draws = 100000001;
    ck_assert_int_eq(toll_interval_options_check(&o, &err), TOLL_EINVAL);
    ck_assert_str_eq(err.field, "draws");
    toll_interval_options_init(&o);
    double bad[] = {0.0, 0.5, -1.0, INFINITY, NAN};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        o.open_cap = bad[i];
        ck_assert_int_eq(toll_interval_options_check(&o, &err), TOLL_EINVAL);
        ck_assert_str_eq(err.field, "open_cap");
    }
}
END_TEST

START_TEST(interval_sum_should_survive_every_allocation_failure)
{
    int64_t lo[4] = {0, 10, 20, 5}, hi[4] = {100, 50, 25, 500};
    for (int e = TOLL_ENGINE_EXACT; e <= TOLL_ENGINE_SIMULATE; e++) {
        toll_interval_options o = opts_of(TOLL_INTERVAL_INDEPENDENT, 1, e);
        o.draws = 100;
        for (long k = 1; k < 200; k++) {
            failing_alloc f;
            failing_alloc_init(&f, k);
            double out[3];
            toll_error err;
            toll_status st = toll_interval_sum(lo, hi, NULL, NULL, NULL, 4,
                                               &o, &f.a, out, NULL, &err);
            ck_assert(st == TOLL_OK || st == TOLL_ENOMEM);
            ck_assert_int_eq(f.live, 0);
            if (st == TOLL_OK)
                break;
        }
    }
}
END_TEST

/* ---- summaries ---------------------------------------------------------- */

static const char SUMMARY_JSONL[] =
    "{\"incident\":\"a\",\"source\":\"S1\",\"date\":\"2016-09-25\","
    "\"region\":\"Syria/Aleppo\",\"actor\":\"Russia\",\"killed\":92}\n"
    "{\"incident\":\"a\",\"source\":\"S2\",\"date\":\"2016-09-25\","
    "\"region\":\"Syria/Aleppo\",\"actor\":\"Russia\",\"killed\":85}\n"
    "{\"incident\":\"a\",\"source\":\"S3\",\"date\":\"2016-09-25\","
    "\"region\":\"Syria/Aleppo\",\"actor\":\"Russia\","
    "\"killed\":\"at least 150\"}\n"
    "{\"incident\":\"b\",\"source\":\"S1\",\"date\":\"2016-10-03\","
    "\"region\":\"Syria/Idlib\",\"actor\":\"Syria\",\"killed\":\"27-33\"}\n"
    "{\"incident\":\"c\",\"source\":\"S2\",\"date\":\"2016-10-09\","
    "\"region\":\"Syria/Idlib\",\"actor\":\"Syria\",\"killed\":\"10-20\"}\n"
    "{\"incident\":\"d\",\"source\":\"S2\",\"date\":\"2016-11-02\","
    "\"region\":\"Syria/Homs\",\"actor\":[\"Russia\",\"Syria\"],"
    "\"killed\":\"12-15\"}\n";

typedef struct sfx {
    toll_reports *r;
    toll_incidents *inc;
} sfx;

static sfx sfx_load(void)
{
    sfx f;
    toll_error err;
    ck_assert_int_eq(toll_reports_new(NULL, &f.r, &err), TOLL_OK);
    toll_load_options lo;
    toll_load_options_init(&lo);
    lo.format = TOLL_FORMAT_JSONL;
    ck_assert_msg(toll_reports_load_buffer(f.r, SUMMARY_JSONL,
                                           strlen(SUMMARY_JSONL), "t.jsonl",
                                           &lo, NULL, &err) == TOLL_OK,
                  "%s", err.message);
    ck_assert_int_eq(toll_reconcile(f.r, NULL, NULL, &f.inc, &err), TOLL_OK);
    return f;
}

static void sfx_free(sfx *f)
{
    toll_incidents_free(f->inc);
    toll_reports_free(f->r);
}

static double cell(const toll_table *t, const char *col, size_t r)
{
    long j = toll_table_column_index(t, col);
    ck_assert_msg(j >= 0, "no column %s", col);
    return toll_table_double(t, (size_t)j)[r];
}

START_TEST(summary_without_interval_should_have_no_quantile_columns)
{
    sfx f = sfx_load();
    toll_table *t = NULL;
    ck_assert_int_eq(toll_summarize(f.inc, NULL, NULL, &t, NULL), TOLL_OK);
    ck_assert_uint_eq(toll_table_ncols(t), 8);
    ck_assert_int_eq(toll_table_column_index(t, "q500"), -1);
    toll_table_free(t);
    sfx_free(&f);
}
END_TEST

START_TEST(summary_interval_should_append_quantile_columns_after_the_measures)
{
    sfx f = sfx_load();
    toll_summarize_options o;
    toll_summarize_options_init(&o);
    o.by = "actor";
    o.interval.method = TOLL_INTERVAL_INDEPENDENT;
    toll_table *t = NULL;
    toll_error err;
    ck_assert_msg(toll_summarize(f.inc, &o, NULL, &t, &err) == TOLL_OK, "%s",
                  err.message);
    ck_assert_uint_eq(toll_table_ncols(t), 1 + 8 + 4);
    const char *names[] = {"actor", "incidents", "reports", "low", "best",
                           "high", "open", "denied", "contested", "q025",
                           "q500", "q975", "q_engine"};
    for (size_t j = 0; j < 13; j++)
        ck_assert_str_eq(toll_table_column_name(t, j), names[j]);
    ck_assert_int_eq(toll_table_column_type(t, 12), TOLL_COL_STRING);
    for (size_t r = 0; r < toll_table_nrows(t); r++) {
        double lo = cell(t, "low", r);
        double a = cell(t, "q025", r), b = cell(t, "q500", r),
               c = cell(t, "q975", r);
        ck_assert(lo <= a && a <= b && b <= c);
        ck_assert_str_eq(toll_table_string(t, 12, r), "exact");
    }
    /* Russia: incident a is [85, 150] open -> [85, 170], plus half of
     * nothing (joint attribution keeps "Russia + Syria" apart) */
    ck_assert_str_eq(toll_table_string(t, 0, 0), "Russia");
    ck_assert(cell(t, "q975", 0) > 150.0 && cell(t, "q975", 0) <= 170.0);
    ck_assert_ptr_nonnull(
        strstr(toll_table_caption(t), "interval independent"));
    toll_table_free(t);
    sfx_free(&f);
}
END_TEST

START_TEST(summary_interval_should_equal_interval_sum_of_the_same_ranges)
{
    sfx f = sfx_load();
    toll_summarize_options o;
    toll_summarize_options_init(&o);
    o.interval.method = TOLL_INTERVAL_INDEPENDENT;
    o.interval.engine = TOLL_ENGINE_SIMULATE;
    o.interval.draws = 777;
    o.interval.dist = TOLL_DIST_TRIANGULAR;
    toll_table *t = NULL;
    ck_assert_int_eq(toll_summarize(f.inc, &o, NULL, &t, NULL), TOLL_OK);
    ck_assert_uint_eq(toll_table_nrows(t), 1);
    /* the incidents' ranges in input order: a [85,150] open best 92,
     * b [27,33] best 30, c [10,20] best 15, d [12,15] best 13.5 */
    int64_t lo[4] = {85, 27, 10, 12}, hi[4] = {150, 33, 20, 15};
    double best[4] = {92, 30, 15, 13.5};
    unsigned char open[4] = {1, 0, 0, 0};
    double out[3];
    ck_assert_int_eq(toll_interval_sum(lo, hi, best, open, NULL, 4,
                                       &o.interval, NULL, out, NULL, NULL),
                     TOLL_OK);
    ck_assert_double_eq(cell(t, "q025", 0), out[0]);
    ck_assert_double_eq(cell(t, "q500", 0), out[1]);
    ck_assert_double_eq(cell(t, "q975", 0), out[2]);
    ck_assert_str_eq(toll_table_string(t, toll_table_ncols(t) - 1, 0),
                     "simulate");
    toll_table_free(t);
    sfx_free(&f);
}
END_TEST

START_TEST(summary_rows_should_not_depend_on_other_rows)
{
    /* a row's stream comes from its keys: filtering other rows out does
     * not change its simulated numbers */
    sfx f = sfx_load();
    toll_summarize_options o;
    toll_summarize_options_init(&o);
    o.by = "region";
    o.interval.method = TOLL_INTERVAL_INDEPENDENT;
    o.interval.engine = TOLL_ENGINE_SIMULATE;
    o.interval.draws = 501;
    toll_table *all = NULL, *one = NULL;
    ck_assert_int_eq(toll_summarize(f.inc, &o, NULL, &all, NULL), TOLL_OK);
    o.region_prefix = "Syria/Idlib";
    ck_assert_int_eq(toll_summarize(f.inc, &o, NULL, &one, NULL), TOLL_OK);
    ck_assert_uint_eq(toll_table_nrows(one), 1);
    size_t r = 0;
    while (strcmp(toll_table_string(all, 0, r), "Syria/Idlib") != 0)
        r++;
    ck_assert_double_eq(cell(all, "q500", r), cell(one, "q500", 0));
    ck_assert_double_eq(cell(all, "q975", r), cell(one, "q975", 0));
    toll_table_free(all);
    toll_table_free(one);
    sfx_free(&f);
}
END_TEST

START_TEST(summary_comonotone_should_sum_the_incident_quantiles)
{
    sfx f = sfx_load();
    toll_summarize_options o;
    toll_summarize_options_init(&o);
    o.interval.method = TOLL_INTERVAL_COMONOTONE;
    double qs[2] = {0.5, 0.999999};
    o.interval.quantiles = qs;
    o.interval.n_quantiles = 2;
    toll_table *t = NULL;
    ck_assert_int_eq(toll_summarize(f.inc, &o, NULL, &t, NULL), TOLL_OK);
    /* near-1 quantile: the sum of the capped highs 170 + 33 + 20 + 15 */
    ck_assert_double_eq(cell(t, "q999999", 0), 238.0);
    /* medians: 85+42, 27+3, 10+5, 12+1 */
    ck_assert_double_eq(cell(t, "q500", 0), 127.0 + 30 + 15 + 13);
    toll_table_free(t);
    sfx_free(&f);
}
END_TEST

START_TEST(summary_split_attribution_should_weight_the_draws)
{
    sfx f = sfx_load();
    toll_summarize_options o;
    toll_summarize_options_init(&o);
    o.by = "actor";
    o.attribution = TOLL_ATTR_SPLIT;
    o.interval.method = TOLL_INTERVAL_COMONOTONE;
    toll_table *t = NULL;
    ck_assert_int_eq(toll_summarize(f.inc, &o, NULL, &t, NULL), TOLL_OK);
    for (size_t r = 0; r < toll_table_nrows(t); r++) {
        ck_assert(cell(t, "q025", r) >= cell(t, "low", r) - 1e-9);
        ck_assert(cell(t, "q500", r) <= cell(t, "high", r) + 20.0 + 1e-9);
    }
    /* Syria: b [27,33], c [10,20] and half of d [12,15] */
    size_t r = 0;
    while (strcmp(toll_table_string(t, 0, r), "Syria") != 0)
        r++;
    ck_assert_double_eq(cell(t, "q500", r), 30.0 + 15.0 + 0.5 * 13.0);
    toll_table_free(t);
    sfx_free(&f);
}
END_TEST

START_TEST(summary_bad_interval_options_should_name_the_option)
{
    sfx f = sfx_load();
    toll_summarize_options o;
    toll_summarize_options_init(&o);
    o.interval.method = TOLL_INTERVAL_INDEPENDENT;
    o.interval.open_cap = 0.25;
    toll_table *t = NULL;
    toll_error err;
    ck_assert_int_eq(toll_summarize(f.inc, &o, NULL, &t, &err), TOLL_EINVAL);
    ck_assert_ptr_null(t);
    ck_assert_str_eq(err.field, "open_cap");
    sfx_free(&f);
}
END_TEST

START_TEST(summary_with_interval_should_survive_every_allocation_failure)
{
    sfx f = sfx_load();
    toll_summarize_options o;
    toll_summarize_options_init(&o);
    o.by = "actor,region";
    o.interval.method = TOLL_INTERVAL_INDEPENDENT;
    o.interval.engine = TOLL_ENGINE_SIMULATE;
    o.interval.draws = 50;
    for (long k = 1; k < 500; k++) {
        failing_alloc fa;
        failing_alloc_init(&fa, k);
        toll_table *t = NULL;
        toll_error err;
        toll_status st = toll_summarize(f.inc, &o, &fa.a, &t, &err);
        ck_assert(st == TOLL_OK || st == TOLL_ENOMEM);
        toll_table_free(t);
        ck_assert_int_eq(fa.live, 0);
        if (st == TOLL_OK)
            break;
    }
    sfx_free(&f);
}
END_TEST

/* ---- chunks and threads ------------------------------------------------- */

/* n ranges of 1 to 40 values (some single values), best values and
 * shares 1/2, 1, 1/3 from an LCG: the ranges of the values pinned below. */
typedef struct big_ranges {
    size_t n;
    int64_t *lo, *hi;
    double *best, *share;
} big_ranges;

static big_ranges big_make(size_t n, uint64_t s)
{
    big_ranges b = {n, malloc(n * sizeof(int64_t)), malloc(n * sizeof(int64_t)),
                    malloc(n * sizeof(double)), malloc(n * sizeof(double))};
    ck_assert(b.lo && b.hi && b.best && b.share);
    for (size_t i = 0; i < n; i++) {
        s = s * 6364136223846793005ull + 1442695040888963407ull;
        b.lo[i] = (int64_t)((s >> 33) % 50);
        int64_t w = (int64_t)((s >> 40) % 40);
        b.hi[i] = b.lo[i] + w;
        b.best[i] = (s >> 20) % 4 == 0
                        ? NAN
                        : (double)(b.lo[i] +
                                   (int64_t)((s >> 24) % (uint64_t)(w + 1)));
        b.share[i] = (s >> 50) % 3 == 0 ? 0.5 : (s >> 50) % 3 == 1 ? 1.0
                                                                    : 1.0 / 3;
    }
    return b;
}

static void big_free(big_ranges *b)
{
    free(b->lo);
    free(b->hi);
    free(b->best);
    free(b->share);
}

static toll_status big_sum(const big_ranges *b, int dist, int shares,
                           size_t draws, size_t threads,
                           const toll_allocator *a, double *out,
                           toll_error *err)
{
    static const double ps[5] = {0.01, 0.025, 0.5, 0.975, 0.99};
    toll_interval_options o =
        opts_of(TOLL_INTERVAL_INDEPENDENT, dist, TOLL_ENGINE_SIMULATE);
    o.draws = draws;
    o.seed = 5;
    o.quantiles = ps;
    o.n_quantiles = 5;
    o.threads = threads;
    return toll_interval_sum(b->lo, b->hi, b->best, NULL,
                             shares ? b->share : NULL, b->n, &o, a, out,
                             NULL, err);
}

START_TEST(simulation_should_give_the_same_bits_on_one_and_two_threads)
{
    /* 300,000 ranges: 4.5 chunks of 65,536, so the fractional-share
     * slots are reused; 9 draws: batched and single draws */
    big_ranges b = big_make(300000, 3);
    for (int dist = 0; dist < 2; dist++)
        for (int shares = 0; shares < 2; shares++) {
            double one[5], two[5], three[5];
            toll_error err;
            ck_assert_int_eq(big_sum(&b, dist, shares, 9, 1, NULL, one, &err),
                             TOLL_OK);
            ck_assert_int_eq(big_sum(&b, dist, shares, 9, 2, NULL, two, &err),
                             TOLL_OK);
            ck_assert_int_eq(
                big_sum(&b, dist, shares, 9, 3, NULL, three, &err), TOLL_OK);
            for (int k = 0; k < 5; k++) {
                ck_assert_msg(memcmp(&one[k], &two[k], sizeof one[k]) == 0 &&
                                  memcmp(&one[k], &three[k],
                                         sizeof one[k]) == 0,
                              "dist %d shares %d quantile %d: %.17g (1 "
                              "thread) %.17g (2) %.17g (3)",
                              dist, shares, k, one[k], two[k], three[k]);
            }
        }
    big_free(&b);
}
END_TEST

START_TEST(simulation_should_draw_each_chunk_from_its_own_stream)
{
    /* 140,000 ranges, of which about 136,500 have more than one value:
     * three chunks, counted in those ranges; unit and split shares */
    static const double ps[5] = {0.01, 0.025, 0.5, 0.975, 0.99};
    big_ranges b = big_make(140000, 17);
    for (int shares = 0; shares < 2; shares++)
        for (size_t threads = 1; threads <= 2; threads++) {
            toll_interval_options o =
                opts_of(TOLL_INTERVAL_INDEPENDENT, 0, TOLL_ENGINE_SIMULATE);
            o.draws = 11;
            o.seed = 77;
            o.quantiles = ps;
            o.n_quantiles = 5;
            o.threads = threads;
            double got[5], want[5];
            const double *sh = shares ? b.share : NULL;
            ck_assert_int_eq(toll_interval_sum(b.lo, b.hi, NULL, NULL, sh,
                                               b.n, &o, NULL, got, NULL,
                                               NULL),
                             TOLL_OK);
            ref_simulate(b.lo, b.hi, sh, b.n, o.draws, o.seed, ps, 5, want);
            for (int k = 0; k < 5; k++)
                ck_assert_msg(got[k] == want[k],
                              "shares %d threads %zu quantile %d: %.17g, "
                              "expected %.17g",
                              shares, threads, k, got[k], want[k]);
        }
    big_free(&b);
}
END_TEST

START_TEST(groups_smaller_than_a_chunk_should_draw_as_before_chunking)
{
    /* Values computed before chunking existed (one stream per group):
     * 60,000 ranges (one chunk) and 7 ranges, seed 5, 201 draws. */
    static const double want60k[4][3] = {
        {2047259, 2050327, 2053745},
        {1252546.5000000002, 1254201.8333333342, 1256401.9999999998},
        {2049189, 2051859, 2053902},
        {1253320.1666666681, 1255099.3333333349, 1256775.6666666693}};
    static const double want7[4][3] = {
        {218, 256, 300},
        {86.5, 108.16666666666667, 131.33333333333331},
        {231, 261, 287},
        {94.5, 112.16666666666666, 126.83333333333331}};
    for (int big = 0; big < 2; big++) {
        big_ranges b = big_make(big ? 60000 : 7, 11);
        for (int dist = 0; dist < 2; dist++)
            for (int shares = 0; shares < 2; shares++) {
                toll_interval_options o = opts_of(TOLL_INTERVAL_INDEPENDENT,
                                                  dist, TOLL_ENGINE_SIMULATE);
                o.draws = 201;
                o.seed = 5;
                o.threads = 2; /* one chunk: one thread anyway */
                double q[3];
                ck_assert_int_eq(
                    toll_interval_sum(b.lo, b.hi, b.best, NULL,
                                      shares ? b.share : NULL, b.n, &o, NULL,
                                      q, NULL, NULL),
                    TOLL_OK);
                const double *w = big ? want60k[dist * 2 + shares]
                                      : want7[dist * 2 + shares];
                for (int k = 0; k < 3; k++)
                    ck_assert_msg(q[k] == w[k],
                                  "n %zu dist %d shares %d quantile %d: "
                                  "%.17g, expected %.17g",
                                  b.n, dist, shares, k, q[k], w[k]);
            }
        big_free(&b);
    }
}
END_TEST

/* An allocator (behind locked_alloc) that records whether any allocation
 * came from a thread other than the test's, and can fail those. */
typedef struct thread_alloc {
    locked_alloc l;
    pthread_t main;
    int fail_others;   /* fail allocations from other threads */
    int other_calls;   /* allocations seen from other threads */
    toll_allocator a;
} thread_alloc;

static int ta_other(thread_alloc *t)
{
    if (pthread_equal(pthread_self(), t->main))
        return 0;
    pthread_mutex_lock(&t->l.mu);
    t->other_calls++;
    pthread_mutex_unlock(&t->l.mu);
    return 1;
}

static void *ta_malloc(void *ctx, size_t n)
{
    thread_alloc *t = ctx;
    if (ta_other(t) && t->fail_others)
        return NULL;
    return t->l.a.malloc(t->l.a.ctx, n);
}

static void *ta_realloc(void *ctx, void *p, size_t o, size_t n)
{
    thread_alloc *t = ctx;
    if (ta_other(t) && t->fail_others)
        return NULL;
    return t->l.a.realloc(t->l.a.ctx, p, o, n);
}

static void ta_free(void *ctx, void *p, size_t n)
{
    thread_alloc *t = ctx;
    t->l.a.free(t->l.a.ctx, p, n);
}

static void thread_alloc_init(thread_alloc *t, int fail_others)
{
    memset(t, 0, sizeof *t);
    locked_alloc_init(&t->l);
    t->main = pthread_self();
    t->fail_others = fail_others;
    t->a.malloc = ta_malloc;
    t->a.realloc = ta_realloc;
    t->a.free = ta_free;
    t->a.ctx = t;
}

START_TEST(worker_thread_out_of_memory_should_be_reported_without_leaks)
{
    big_ranges b = big_make(200000, 5);
    for (int dist = 0; dist < 2; dist++)
        for (int shares = 0; shares < 2; shares++) {
            thread_alloc t;
            thread_alloc_init(&t, 1);
            double out[5];
            toll_error err;
            toll_error_clear(&err);
            toll_status st = big_sum(&b, dist, shares, 20, 2, &t.a, out,
                                     &err);
            ck_assert_int_eq(st, TOLL_ENOMEM);
            ck_assert_int_gt(t.other_calls, 0);
            ck_assert_ptr_nonnull(strstr(err.message, "memory"));
            ck_assert_int_eq(t.l.f.live, 0);
            locked_alloc_destroy(&t.l);
        }
    big_free(&b);
}
END_TEST

START_TEST(threaded_simulation_should_survive_every_allocation_failure)
{
    big_ranges b = big_make(140000, 9);
    for (int shares = 0; shares < 2; shares++) {
        int ok = 0;
        for (long k = 1; k < 400 && !ok; k++) {
            locked_alloc l;
            locked_alloc_init(&l);
            l.f.fail_at = k;
            double out[5];
            toll_error err;
            toll_error_clear(&err);
            toll_status st = big_sum(&b, 0, shares, 4, 2, &l.a, out, &err);
            ck_assert_msg(st == TOLL_OK || st == TOLL_ENOMEM,
                          "allocation %ld: status %d", k, (int)st);
            if (st == TOLL_ENOMEM)
                ck_assert_msg(err.message[0] != '\0', "allocation %ld", k);
            ck_assert_int_eq(l.f.live, 0);
            ok = st == TOLL_OK;
            locked_alloc_destroy(&l);
        }
        ck_assert(ok);
    }
    big_free(&b);
}
END_TEST

START_TEST(auto_threads_should_use_one_thread_with_a_custom_allocator)
{
    /* 10^6 range-draws over 3 chunks is above the auto threshold: with
     * the default allocator auto would use two threads; with a caller's
     * allocator (maybe not thread-safe) it must not */
    big_ranges b = big_make(140000, 21);
    thread_alloc t;
    thread_alloc_init(&t, 0);
    double a0[5], a2[5];
    toll_error err;
    ck_assert_int_eq(big_sum(&b, 0, 1, 40, 0, &t.a, a0, &err), TOLL_OK);
    ck_assert_int_eq(t.other_calls, 0);
    /* the probe works: asked for two threads, the other one allocates */
    ck_assert_int_eq(big_sum(&b, 0, 1, 40, 2, &t.a, a2, &err), TOLL_OK);
    ck_assert_int_gt(t.other_calls, 0);
    ck_assert(memcmp(a0, a2, sizeof a0) == 0);
    ck_assert_int_eq(t.l.f.live, 0);
    locked_alloc_destroy(&t.l);
    big_free(&b);
}
END_TEST

START_TEST(summary_interval_should_not_depend_on_threads)
{
    /* one row of 70,000 incidents (two chunks) and rows by actor */
    size_t n = 70000;
    char *buf = malloc(n * 120);
    ck_assert_ptr_nonnull(buf);
    size_t len = 0;
    for (size_t i = 0; i < n; i++)
        len += (size_t)sprintf(buf + len,
                               "{\"incident\":\"i%zu\",\"source\":\"S\","
                               "\"actor\":\"%s\",\"killed\":\"%zu-%zu\"}\n",
                               i, i % 3 ? "A" : "B", i % 50,
                               i % 50 + 1 + i % 7);
    toll_reports *r = NULL;
    toll_incidents *inc = NULL;
    toll_error err;
    ck_assert_int_eq(toll_reports_new(NULL, &r, &err), TOLL_OK);
    toll_load_options lo;
    toll_load_options_init(&lo);
    lo.format = TOLL_FORMAT_JSONL;
    ck_assert_msg(toll_reports_load_buffer(r, buf, len, "t.jsonl", &lo, NULL,
                                           &err) == TOLL_OK,
                  "%s", err.message);
    ck_assert_int_eq(toll_reconcile(r, NULL, NULL, &inc, &err), TOLL_OK);
    const char *bys[2] = {NULL, "actor"};
    for (int k = 0; k < 2; k++) {
        toll_table *t[2] = {NULL, NULL};
        for (int th = 0; th < 2; th++) {
            toll_summarize_options o;
            toll_summarize_options_init(&o);
            o.by = bys[k];
            o.interval.method = TOLL_INTERVAL_INDEPENDENT;
            o.interval.engine = TOLL_ENGINE_SIMULATE;
            o.interval.draws = 30;
            o.interval.threads = th ? 2 : 1;
            ck_assert_msg(toll_summarize(inc, &o, NULL, &t[th], &err) ==
                              TOLL_OK,
                          "%s", err.message);
        }
        ck_assert_uint_eq(toll_table_nrows(t[0]), k ? 2 : 1);
        for (size_t row = 0; row < toll_table_nrows(t[0]); row++)
            for (int q = 0; q < 3; q++) {
                const char *col = q == 0 ? "q025" : q == 1 ? "q500" : "q975";
                double x = cell(t[0], col, row), y = cell(t[1], col, row);
                ck_assert_msg(memcmp(&x, &y, sizeof x) == 0,
                              "by %s row %zu %s: %.17g vs %.17g",
                              bys[k] ? bys[k] : "-", row, col, x, y);
            }
        toll_table_free(t[0]);
        toll_table_free(t[1]);
    }
    toll_incidents_free(inc);
    toll_reports_free(r);
    free(buf);
}
END_TEST

/* ---- speed (generous bounds; timings are reported by bench/) ------------ */

START_TEST(large_groups_should_be_fast)
{
    size_t n = 100000;
    int64_t *lo = malloc(n * sizeof *lo), *hi = malloc(n * sizeof *hi);
    for (size_t i = 0; i < n; i++) {
        lo[i] = (int64_t)(i % 97);
        hi[i] = lo[i] + (int64_t)(i % 13);
    }
    toll_interval_options o = opts_of(TOLL_INTERVAL_INDEPENDENT, 0, 0);
    double out[3];
    toll_interval_engine used;
    sum_q(lo, hi, NULL, n, &o, out, &used); /* 10^5 x 10^4: normal */
    ck_assert_int_eq(used, TOLL_ENGINE_NORMAL);
    o.engine = TOLL_ENGINE_SIMULATE;
    o.draws = 200;
    double sim[3];
    sum_q(lo, hi, NULL, n, &o, sim, &used);
    for (int k = 0; k < 3; k++)
        ck_assert_msg(fabs(sim[k] - out[k]) < 0.2 * (out[2] - out[0]),
                      "%g vs %g", sim[k], out[k]);
    free(lo);
    free(hi);
}
END_TEST

static Suite *intervals_suite(void)
{
    Suite *s = suite_create("intervals");
    TCase *a = tcase_create("options");
    tcase_add_test(a, options_init_should_set_the_documented_defaults);
    tcase_add_test(a, names_should_parse_case_insensitively_and_round_trip);
    tcase_add_test(a, column_names_should_spell_the_probability_digits);
    tcase_add_test(a, quantiles_parse_should_read_a_list_and_reject_bad_items);
    tcase_add_test(a, bad_options_should_be_refused_naming_the_option);
    suite_add_tcase(s, a);

    TCase *c = tcase_create("comonotone");
    tcase_add_test(c, comonotone_uniform_should_sum_the_quantiles);
    tcase_add_test(c, comonotone_should_be_exact_against_brute_force);
    tcase_add_test(c, open_high_should_be_capped_at_the_factor_of_low);
    tcase_add_test(c, interval_sum_beyond_2_53_should_be_an_error_not_a_wrap);
    tcase_add_test(c, open_high_capped_beyond_int64_should_be_a_range_error);
    tcase_add_test(c, triangular_mode_at_an_end_should_put_the_mass_there);
    suite_add_tcase(s, c);

    TCase *e = tcase_create("independent");
    tcase_add_test(e, exact_uniform_should_match_enumeration);
    tcase_add_test(e, exact_should_match_a_reference_convolution);
    tcase_add_test(e, auto_should_choose_exact_for_small_groups);
    tcase_add_test(e, exact_should_be_refused_when_too_costly);
    tcase_add_test(e, normal_should_use_the_exact_mean_and_variance);
    tcase_add_test(e, normal_should_agree_with_exact_for_many_ranges);
    tcase_add_test(
        e,
        auto_should_choose_normal_for_large_groups_and_simulate_when_one_dominates);
    tcase_add_test(e, simulation_should_agree_with_exact);
    tcase_add_test(e, simulation_should_handle_shares_and_wide_ranges);
    tcase_add_test(e, simulation_should_be_reproducible_from_the_seed);
    tcase_add_test(e, simulation_should_draw_the_gsl_rng_get_taus2_stream);
    tcase_add_test(e, quantiles_should_come_out_in_the_order_asked);
    tcase_add_test(e, single_values_should_give_a_point_interval);
    tcase_add_test(e, options_check_should_refuse_zero_draws_and_a_bad_open_cap);
    tcase_add_test(e, interval_sum_should_survive_every_allocation_failure);
    tcase_add_test(e, large_groups_should_be_fast);
    suite_add_tcase(s, e);

    TCase *m = tcase_create("summaries");
    tcase_add_test(m, summary_without_interval_should_have_no_quantile_columns);
    tcase_add_test(
        m, summary_interval_should_append_quantile_columns_after_the_measures);
    tcase_add_test(m,
                   summary_interval_should_equal_interval_sum_of_the_same_ranges);
    tcase_add_test(m, summary_rows_should_not_depend_on_other_rows);
    tcase_add_test(m, summary_comonotone_should_sum_the_incident_quantiles);
    tcase_add_test(m, summary_split_attribution_should_weight_the_draws);
    tcase_add_test(m, summary_bad_interval_options_should_name_the_option);
    tcase_add_test(m,
                   summary_with_interval_should_survive_every_allocation_failure);
    suite_add_tcase(s, m);

    /* draws over many chunks: slow under valgrind */
    TCase *t = tcase_create("chunks and threads");
    tcase_set_timeout(t, 300);
    tcase_add_test(t,
                   simulation_should_give_the_same_bits_on_one_and_two_threads);
    tcase_add_test(t, simulation_should_draw_each_chunk_from_its_own_stream);
    tcase_add_test(t,
                   groups_smaller_than_a_chunk_should_draw_as_before_chunking);
    tcase_add_test(t,
                   worker_thread_out_of_memory_should_be_reported_without_leaks);
    tcase_add_test(t,
                   threaded_simulation_should_survive_every_allocation_failure);
    tcase_add_test(t,
                   auto_threads_should_use_one_thread_with_a_custom_allocator);
    tcase_add_test(t, summary_interval_should_not_depend_on_threads);
    suite_add_tcase(s, t);
    return s;
}

int main(void) { return toll_test_run(intervals_suite()); }
