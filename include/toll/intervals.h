/*
 * toll/intervals.h - probabilistic intervals for totals of ranges.
 *
 * A total of reconciled incidents has hard bounds [sum of lows, sum of
 * highs].  This module adds a probabilistic interval: each incident's true
 * count is treated as a random draw from its range, and the quantiles of
 * the total are reported (by default the 2.5 %, 50 % and 97.5 % points).
 *
 *   distribution  uniform on the integers low..high (default), or a
 *                 discretised triangular with its mode at the best value;
 *   dependence    independent across incidents (default), or comonotone:
 *                 every incident at the same quantile (the most spread-out
 *                 total the ranges allow for a given distribution);
 *   open ranges   an incident whose high is open ("at least 150") gets a
 *                 high of max(high, ceil(open_cap x low)), open_cap = 2 by
 *                 default: [150, open) becomes [150, 300].
 *
 * How the quantiles are computed (the `engine`): comonotone totals are
 * exact (the quantile of the sum is the sum of the quantiles).  For
 * independent draws, `auto` uses the exact distribution of the sum
 * (convolution) when that is cheap, else a normal approximation with a
 * Cornish-Fisher correction from the exact first four cumulants when no
 * few incidents dominate the variance, else simulation with `draws` draws
 * from GSL's taus2 generator seeded with `seed` (the same seed gives the
 * same numbers on every platform).  Formulas, criteria and accuracy:
 * docs/intervals.md.
 *
 * Summaries use these options through toll_summarize_options.interval
 * (toll/summarize.h); toll_interval_sum computes the quantiles of one sum.
 */
#ifndef TOLL_INTERVALS_H
#define TOLL_INTERVALS_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum toll_interval_method {
    TOLL_INTERVAL_NONE = 0,    /* no probabilistic interval (default) */
    TOLL_INTERVAL_INDEPENDENT, /* incidents drawn independently */
    TOLL_INTERVAL_COMONOTONE   /* all incidents at the same quantile */
} toll_interval_method;

typedef enum toll_interval_dist {
    TOLL_DIST_UNIFORM = 0,     /* uniform on the integers low..high */
    TOLL_DIST_TRIANGULAR       /* triangular, mode at best (discretised) */
} toll_interval_dist;

typedef enum toll_interval_engine {
    TOLL_ENGINE_AUTO = 0,      /* exact, else normal, else simulate */
    TOLL_ENGINE_EXACT,         /* exact distribution (may be refused as too
                                  costly: TOLL_ERANGE) */
    TOLL_ENGINE_NORMAL,        /* normal + Cornish-Fisher approximation */
    TOLL_ENGINE_SIMULATE       /* Monte Carlo with `draws` draws */
} toll_interval_engine;

/* At most this many quantiles per interval. */
#define TOLL_INTERVAL_MAX_QUANTILES 16
/* Defaults. */
#define TOLL_INTERVAL_DEFAULT_DRAWS 10000
#define TOLL_INTERVAL_DEFAULT_OPEN_CAP 2.0
#define TOLL_INTERVAL_DEFAULT_SEED 1

typedef struct toll_interval_options {
    toll_interval_method method;  /* default TOLL_INTERVAL_NONE */
    toll_interval_dist dist;      /* default uniform */
    toll_interval_engine engine;  /* default auto */
    size_t draws;                 /* simulation draws, 1 to 10^8; default
                                     10000 */
    uint64_t seed;                /* RNG seed; default 1 */
    double open_cap;              /* factor for open highs, finite and
                                     >= 1; default 2.0 */
    const double *quantiles;      /* probabilities in (0, 1), distinct;
                                     NULL: 0.025, 0.5, 0.975 */
    size_t n_quantiles;           /* <= TOLL_INTERVAL_MAX_QUANTILES */
    size_t threads;               /* simulation of a group of more than
                                     65,536 ranges: 0 (default) auto - two
                                     threads when the group has at least
                                     2^22 range-draws and the allocator is
                                     the default one; 1: one thread;
                                     N >= 2: up to N (at most one per
                                     chunk of 65,536 ranges, at most 64).
                                     The numbers are the same either way.
                                     With N >= 2 the allocator is called
                                     from several threads at once and must
                                     be thread-safe. */
} toll_interval_options;

/* Fill `opts` with the defaults above (method none). */
TOLL_API void toll_interval_options_init(toll_interval_options *opts);

/*
 * Check interval options: the method, distribution and engine are known,
 * draws is 1 to 10^8, open_cap finite and >= 1, and quantiles (when given)
 * distinct probabilities in (0, 1), at most TOLL_INTERVAL_MAX_QUANTILES.
 * TOLL_EINVAL naming the field and the value; the one check behind
 * toll_summarize, toll_interval_sum, the CLI and Python.  `opts` is only
 * read.
 */
TOLL_API toll_status toll_interval_options_check(
    const toll_interval_options *opts, toll_error *err);

/* Parse / name the enums (case-insensitive; "none", "independent",
 * "comonotone"; "uniform", "triangular"; "auto", "exact", "normal",
 * "simulate").  TOLL_EINVAL naming the text if unknown.  Names are
 * static strings. */
TOLL_API toll_status toll_interval_method_parse(const char *s,
                                                toll_interval_method *out,
                                                toll_error *err);
TOLL_API toll_status toll_interval_dist_parse(const char *s,
                                              toll_interval_dist *out,
                                              toll_error *err);
TOLL_API toll_status toll_interval_engine_parse(const char *s,
                                                toll_interval_engine *out,
                                                toll_error *err);
TOLL_API const char *toll_interval_method_name(toll_interval_method m);
TOLL_API const char *toll_interval_dist_name(toll_interval_dist d);
TOLL_API const char *toll_interval_engine_name(toll_interval_engine e);

/*
 * Parse a comma-separated list of probabilities ("0.025,0.5,0.975") into
 * out[0..max).  *n receives the count.  Each must be in (0, 1), at most 6
 * decimals apart (distinct column names), and there may be at most `max`.
 * TOLL_EINVAL naming the bad item.
 */
TOLL_API toll_status toll_interval_quantiles_parse(const char *s, double *out,
                                                   size_t max, size_t *n,
                                                   toll_error *err);

/*
 * The column name of quantile p: "q" followed by the decimal digits of p
 * after "0.", at least three: 0.025 -> "q025", 0.5 -> "q500", 0.975 ->
 * "q975", 0.0125 -> "q0125", 0.9995 -> "q9995" (p rounded to 6 decimals).
 * Writes into buf (size bytes, NUL-terminated when size > 0) and returns
 * the length needed, like snprintf.
 */
TOLL_API size_t toll_interval_column_name(double p, char *buf, size_t size);

/*
 * Quantiles of the total  sum_i share[i] * X_i  where X_i is drawn from
 * [low[i], high[i]] (integers) as opts says.  high[i] < 0 (TOLL_OPEN) or
 * open[i] != 0 marks an open high, capped at max(high, ceil(open_cap x
 * low)) (high < 0: ceil(open_cap x low)).  best (NULL: none) is the mode
 * of the triangular distribution (NaN: the midpoint); share (NULL: all 1)
 * weights must be > 0; open may be NULL.  low[i] must be >= 0 and
 * high[i] >= low[i] unless open.  opts->method must be independent or
 * comonotone.  out receives one value per quantile, in the order of
 * opts->quantiles (default: 3 values).  *used (may be NULL) receives the
 * engine used (comonotone: TOLL_ENGINE_EXACT).  Simulation uses the RNG
 * stream of a summary row without keys (a summary with `by` empty gives
 * the same numbers for the same ranges in the same order).  `alloc`
 * (NULL: default) is used for temporaries.
 * Errors: TOLL_EINVAL (bad options or ranges), TOLL_ERANGE (engine exact
 * refused as too costly, or a bound of the total - the sum of share x low
 * or of share x capped high - beyond 2^53, where sums of counts stop being
 * exact: field "low" or "high"; docs/intervals.md), TOLL_ENOMEM.
 */
TOLL_API toll_status toll_interval_sum(const int64_t *low, const int64_t *high,
                                       const double *best,
                                       const unsigned char *open,
                                       const double *share, size_t n,
                                       const toll_interval_options *opts,
                                       const toll_allocator *alloc,
                                       double *out,
                                       toll_interval_engine *used,
                                       toll_error *err);

#ifdef __cplusplus
}
#endif
#endif /* TOLL_INTERVALS_H */
