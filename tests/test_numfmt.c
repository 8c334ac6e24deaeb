/* tests/test_numfmt.c - src/render/numfmt.c: number formatting without printf
 * must give what snprintf gives, byte for byte, for every double. */
#include "render/numfmt.h"
#include "testutil.h"

#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Random values per test: TOLL_NUMFMT_N (default 300,000, so each test compares over a million; valgrind runs
 * may set it lower). */
static long count(void)
{
    const char *e = getenv("TOLL_NUMFMT_N");
    long n = e ? atol(e) : 300000;
    return n > 0 ? n : 300000;
}

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint64_t rnd(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static double from_bits(uint64_t b)
{
    double v;
    memcpy(&v, &b, sizeof v);
    return v;
}

static long mismatches;

/* Compare toll__fmt_fixed with snprintf for v and d; the first few
 * mismatches are printed. */
static void check(double v, int d)
{
    char a[512], b[512];
    memset(a, 'x', sizeof a);
    size_t la = toll__fmt_fixed(a, sizeof a, v, d);
    int lb = snprintf(b, sizeof b, "%.*f", d, v);
    if (lb < 0 || la != (size_t)lb || strcmp(a, b) != 0) {
        if (mismatches++ < 5)
            fprintf(stderr, "v=%a d=%d: got \"%s\", snprintf \"%s\"\n", v, d,
                    a, b);
    }
}

static int rnd_dec(void) { return (int)(rnd() % 21); } /* 0..20 decimals */

START_TEST(fmt_fixed_should_match_snprintf_on_random_bit_patterns)
{
    mismatches = 0;
    for (long i = 0, n = count(); i < n; i++) {
        double v = from_bits(rnd());
        if (isnan(v) || isinf(v))
            continue;
        check(v, rnd_dec());
        check(v, 2);
    }
    ck_assert_int_eq(mismatches, 0);
}
END_TEST

START_TEST(fmt_fixed_should_match_snprintf_on_integers)
{
    mismatches = 0;
    static const double fixed[] = {0.0,  1.0,  9.0,  10.0, 99.0, 100.0,
                                   1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
                                   0x1p52, 0x1p53, 0x1p53 + 2, 0x1p63,
                                   0x1p64, 0x1p64 - 2048, 0x1p65, 1e300,
                                   DBL_MAX, 18446744073709549568.0};
    for (size_t k = 0; k < sizeof fixed / sizeof *fixed; k++)
        for (int d = 0; d <= 20; d++) {
            check(fixed[k], d);
            check(-fixed[k], d);
        }
    for (long i = 0, n = count(); i < n; i++) {
        int shift = (int)(rnd() % 64);
        double v = (double)(rnd() >> shift);
        if (rnd() & 1)
            v = -v;
        check(v, rnd_dec());
        check(nextafter(v, INFINITY), rnd_dec());
    }
    ck_assert_int_eq(mismatches, 0);
}
END_TEST

START_TEST(fmt_fixed_should_round_ties_half_even_like_snprintf)
{
    mismatches = 0;
    /* exact ties in binary: k / 2^n with n decimals' worth of halves */
    ck_assert_int_eq(toll__fmt_fixed((char[32]){0}, 32, 0.125, 2), 4);
    char buf[32];
    toll__fmt_fixed(buf, sizeof buf, 0.125, 2);
    ck_assert_str_eq(buf, "0.12");
    toll__fmt_fixed(buf, sizeof buf, 0.375, 2);
    ck_assert_str_eq(buf, "0.38");
    toll__fmt_fixed(buf, sizeof buf, 2.675, 2); /* below the tie */
    ck_assert_str_eq(buf, "2.67");
    toll__fmt_fixed(buf, sizeof buf, 2.5, 0);
    ck_assert_str_eq(buf, "2");
    toll__fmt_fixed(buf, sizeof buf, 3.5, 0);
    ck_assert_str_eq(buf, "4");
    toll__fmt_fixed(buf, sizeof buf, -0.5, 0);
    ck_assert_str_eq(buf, "-0");
    for (long i = 0, n = count(); i < n; i++) {
        int nb = 1 + (int)(rnd() % 60);
        double v = ldexp((double)(int64_t)(rnd() % (1ull << 40)) -
                             (double)(1ull << 39),
                         -nb);
        check(v, (int)(rnd() % (unsigned)(nb < 20 ? nb + 1 : 21)));
        check(v, nb < 20 ? nb - 1 : 19); /* one decimal short: a tie */
    }
    ck_assert_int_eq(mismatches, 0);
}
END_TEST

START_TEST(fmt_fixed_should_match_snprintf_near_half_ulp_boundaries)
{
    mismatches = 0;
    for (long i = 0, n = count(); i < n; i++) {
        int d = rnd_dec();
        /* a decimal tie x.yyy5 at d decimals, then its neighbours */
        double scale = pow(10.0, (double)(d + 1));
        double t = ((double)(rnd() % 100000000) * 10.0 + 5.0) / scale;
        if (rnd() & 1)
            t = -t;
        double lo = nextafter(t, -INFINITY), hi = nextafter(t, INFINITY);
        check(t, d);
        check(lo, d);
        check(hi, d);
        check(nextafter(lo, -INFINITY), d);
        check(nextafter(hi, INFINITY), d);
    }
    ck_assert_int_eq(mismatches, 0);
}
END_TEST

START_TEST(fmt_fixed_should_match_snprintf_from_1e15_to_1e22)
{
    mismatches = 0;
    for (long i = 0, n = count(); i < n; i++) {
        double e = 15.0 + 7.0 * (double)(rnd() % 1000000) / 1e6;
        double v = pow(10.0, e);
        if (rnd() & 1)
            v = -v;
        check(v, rnd_dec());
        check(nextafter(v, 0.0), 2);
        check(floor(v) + 0.5, 2); /* .5 where it still fits */
    }
    ck_assert_int_eq(mismatches, 0);
}
END_TEST

START_TEST(fmt_fixed_should_print_negative_zero_and_tiny_values_like_snprintf)
{
    mismatches = 0;
    static const double v[] = {-0.0,   0.0,    -0.001, 0.001, -0.004999,
                               -0.005, 0.005,  -0.5,   DBL_MIN, -DBL_MIN,
                               4.9406564584124654e-324, -4.9406564584124654e-324,
                               0x1p-64, 0x1p-65, 0x1.0000000000001p-64};
    for (size_t k = 0; k < sizeof v / sizeof *v; k++)
        for (int d = 0; d <= 20; d++)
            check(v[k], d);
    for (long i = 0, n = count() / 4; i < n; i++) {
        double t = ldexp((double)(rnd() >> 11), -(int)(rnd() % 1100));
        check(rnd() & 1 ? -t : t, rnd_dec());
    }
    char buf[16];
    toll__fmt_fixed(buf, sizeof buf, -0.0, 2);
    ck_assert_str_eq(buf, "-0.00");
    ck_assert_int_eq(mismatches, 0);
}
END_TEST

START_TEST(fmt_fixed_should_fall_back_to_snprintf_for_nan_and_inf)
{
    mismatches = 0;
    static const double v[] = {NAN, -NAN, INFINITY, -INFINITY};
    for (size_t k = 0; k < 4; k++)
        for (int d = 0; d <= 3; d++)
            check(v[k], d);
    check(1.5, 25); /* more decimals than the fast path takes */
    ck_assert_int_eq(mismatches, 0);
}
END_TEST

START_TEST(fmt_fixed_should_truncate_like_snprintf_when_the_buffer_is_short)
{
    for (size_t size = 0; size <= 12; size++) {
        char a[16], b[16];
        memset(a, 'x', sizeof a);
        memset(b, 'x', sizeof b);
        size_t la = toll__fmt_fixed(a, size, -1234.5678, 3);
        int lb = snprintf(b, size, "%.*f", 3, -1234.5678);
        ck_assert_int_eq((int)la, lb);
        ck_assert_mem_eq(a, b, sizeof a);
    }
}
END_TEST

START_TEST(fmt_i64_should_match_snprintf)
{
    char a[32], b[32];
    static const int64_t fixed[] = {0, 1, -1, 9, 10, 99, 100, -100,
                                    INT64_MAX, INT64_MIN, INT64_MIN + 1};
    for (size_t k = 0; k < sizeof fixed / sizeof *fixed; k++) {
        size_t la = toll__fmt_i64(a, fixed[k]);
        snprintf(b, sizeof b, "%" PRId64, fixed[k]);
        ck_assert_str_eq(a, b);
        ck_assert_uint_eq(la, strlen(b));
    }
    for (long i = 0, n = count(); i < n; i++) {
        int64_t v = (int64_t)(rnd() >> (rnd() % 64));
        if (rnd() & 1)
            v = -v;
        size_t la = toll__fmt_i64(a, v);
        snprintf(b, sizeof b, "%" PRId64, v);
        ck_assert_uint_eq(la, strlen(b));
        ck_assert_str_eq(a, b);
    }
}
END_TEST

static Suite *numfmt_suite(void)
{
    Suite *s = suite_create("numfmt");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, fmt_fixed_should_match_snprintf_on_random_bit_patterns);
    tcase_add_test(tc, fmt_fixed_should_match_snprintf_on_integers);
    tcase_add_test(tc, fmt_fixed_should_round_ties_half_even_like_snprintf);
    tcase_add_test(tc, fmt_fixed_should_match_snprintf_near_half_ulp_boundaries);
    tcase_add_test(tc, fmt_fixed_should_match_snprintf_from_1e15_to_1e22);
    tcase_add_test(tc,
                   fmt_fixed_should_print_negative_zero_and_tiny_values_like_snprintf);
    tcase_add_test(tc, fmt_fixed_should_fall_back_to_snprintf_for_nan_and_inf);
    tcase_add_test(tc,
                   fmt_fixed_should_truncate_like_snprintf_when_the_buffer_is_short);
    tcase_add_test(tc, fmt_i64_should_match_snprintf);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return toll_test_run(numfmt_suite()); }
