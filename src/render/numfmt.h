/*
 * src/render/numfmt.h - number to text without the C library's printf, for the
 * table renderers (src/render/table.c).
 *
 * toll__fmt_fixed writes exactly what snprintf(buf, size, "%.*f", d, v)
 * writes (glibc: the exact binary value, rounded half to even on its exact
 * decimal expansion, in the default rounding mode): integer digits for
 * integral values below 2^64, and an exact integer computation of
 * round(m * 10^d / 2^k) for v = m / 2^k when m * 10^d fits in 64 bits.
 * Everything else (NaN, infinities, values of 2^64 and more, products that
 * do not fit) goes to snprintf itself, so the output is the same for every
 * double and every d.
 */
#ifndef TOLL_SRC_RENDER_NUMFMT_H
#define TOLL_SRC_RENDER_NUMFMT_H

#include <stddef.h>
#include <stdint.h>

/* Longest text of toll__fmt_u64 / toll__fmt_i64, with the NUL. */
#define TOLL__I64_CHARS 21

/* Decimal digits of v (no sign), NUL-terminated; returns the length. */
size_t toll__fmt_u64(char *buf, uint64_t v);
/* As snprintf("%" PRId64): a '-' for negative values. */
size_t toll__fmt_i64(char *buf, int64_t v);

/* As snprintf(buf, size, "%.*f", decimals, v) (decimals >= 0): returns the
 * length of the full text (which is truncated to size - 1 bytes like
 * snprintf's when it does not fit). */
size_t toll__fmt_fixed(char *buf, size_t size, double v, int decimals);

#endif /* TOLL_SRC_RENDER_NUMFMT_H */
