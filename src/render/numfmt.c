/*
 * src/render/numfmt.c - exact number formatting for the renderers (src/render/numfmt.h).
 *
 * A finite double is v = (-1)^s * m * 2^e with m < 2^53 an integer.  With
 * e >= 0 it is the integer m << e; "%.*f" prints its digits and d zeros.
 * With e < 0, write k = -e after removing the trailing zero bits of m: the
 * d-decimal text is the integer q = round(m * 10^d / 2^k) with q / 10^d
 * before the point and q % 10^d (d digits) after it.  When p = m * 10^d
 * fits in 64 bits, q is p >> k rounded half to even on the remainder
 * p mod 2^k, all in exact integer arithmetic: the same rounding glibc's
 * printf applies to the exact decimal expansion of v.  The sign is printed
 * whenever the sign bit is set ("-0.00" for -0.001 and for -0.0), as printf
 * does.
 */
#include "render/numfmt.h"

#include <stdio.h>
#include <string.h>

static const uint64_t pow10_u64[20] = {
    1ull,
    10ull,
    100ull,
    1000ull,
    10000ull,
    100000ull,
    1000000ull,
    10000000ull,
    100000000ull,
    1000000000ull,
    10000000000ull,
    100000000000ull,
    1000000000000ull,
    10000000000000ull,
    100000000000000ull,
    1000000000000000ull,
    10000000000000000ull,
    100000000000000000ull,
    1000000000000000000ull,
    10000000000000000000ull,
};

static const char digit_pairs[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

size_t toll__fmt_u64(char *buf, uint64_t v)
{
    char tmp[TOLL__I64_CHARS];
    char *p = tmp + sizeof tmp;
    while (v >= 100) {
        unsigned r = (unsigned)(v % 100);
        v /= 100;
        p -= 2;
        memcpy(p, digit_pairs + 2 * r, 2);
    }
    if (v >= 10) {
        p -= 2;
        memcpy(p, digit_pairs + 2 * v, 2);
    } else {
        *--p = (char)('0' + v);
    }
    size_t n = (size_t)(tmp + sizeof tmp - p);
    memcpy(buf, p, n);
    buf[n] = '\0';
    return n;
}

size_t toll__fmt_i64(char *buf, int64_t v)
{
    if (v < 0) {
        buf[0] = '-';
        return 1 + toll__fmt_u64(buf + 1, 0u - (uint64_t)v);
    }
    return toll__fmt_u64(buf, (uint64_t)v);
}

/* Exactly d digits of v (v < 10^d), zero-padded. */
static void put_digits(char *p, uint64_t v, int d)
{
    while (d >= 2) {
        unsigned r = (unsigned)(v % 100);
        v /= 100;
        d -= 2;
        memcpy(p + d, digit_pairs + 2 * r, 2);
    }
    if (d)
        p[0] = (char)('0' + v % 10);
}

static size_t fallback(char *buf, size_t size, double v, int d)
{
    int n = snprintf(buf, size, "%.*f", d, v);
    return n < 0 ? 0 : (size_t)n;
}

size_t toll__fmt_fixed(char *buf, size_t size, double v, int d)
{
    if (d < 0 || d > 19)
        return fallback(buf, size, v, d);
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    int neg = (int)(bits >> 63);
    int bexp = (int)((bits >> 52) & 0x7ff);
    uint64_t m = bits & ((1ull << 52) - 1);
    if (bexp == 0x7ff)
        return fallback(buf, size, v, d); /* inf, nan */
    int e;
    if (bexp == 0) {
        e = -1074;
    } else {
        m |= 1ull << 52;
        e = bexp - 1075;
    }
    uint64_t ip, fp = 0; /* integer part; fraction as d digits */
    if (m == 0) {
        ip = 0;
    } else {
        while (e < 0 && !(m & 1)) { /* at most 52 steps */
            m >>= 1;
            e++;
        }
        if (e >= 0) {
            if (e > 11 && (e >= 64 || (m >> (64 - e)) != 0))
                return fallback(buf, size, v, d); /* >= 2^64 */
            ip = m << e;
        } else {
            unsigned k = (unsigned)-e;
            uint64_t scale = pow10_u64[d];
            if (m > UINT64_MAX / scale)
                return fallback(buf, size, v, d);
            uint64_t p = m * scale, q;
            if (k >= 64) {
                /* p < 2^64 <= 2^k: q is 0, or 1 when p / 2^64 > 1/2 */
                q = (k == 64 && p > (1ull << 63)) ? 1 : 0;
            } else {
                q = p >> k;
                uint64_t r = p & ((1ull << k) - 1), half = 1ull << (k - 1);
                if (r > half || (r == half && (q & 1)))
                    q++;
            }
            ip = q / scale;
            fp = q % scale;
        }
    }
    char tmp[TOLL__I64_CHARS + 24];
    size_t n = 0;
    if (neg)
        tmp[n++] = '-';
    n += toll__fmt_u64(tmp + n, ip);
    if (d > 0) {
        tmp[n++] = '.';
        put_digits(tmp + n, fp, d);
        n += (size_t)d;
    }
    if (size) {
        size_t c = n < size - 1 ? n : size - 1;
        memcpy(buf, tmp, c);
        buf[c] = '\0';
    }
    return n;
}
