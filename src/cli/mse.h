/*
 * src/cli/mse.h - the `toll mse` command and the interval options of
 * `toll summarize` (src/cli/mse.c).
 */
#ifndef TOLL_SRC_CLI_MSE_H
#define TOLL_SRC_CLI_MSE_H

#include "toll/toll.h"

/* `toll mse ARGS...` (argv: the arguments after "mse").  Returns the exit
 * status: 0 success, 1 bad data or a model that cannot be fitted, 2 usage
 * error. */
int toll_cli_mse(int argc, char **argv);

/* The help text of `toll mse`. */
extern const char TOLL_CLI_MSE_HELP[];

/*
 * Apply one interval option of `toll summarize` (name without "--":
 * interval, dist, draws, seed, open-cap, quantiles, engine) to `o`.
 * Quantiles are kept in static storage (the CLI runs one command).
 * Returns 0, or 2 (usage error) after printing a message naming the
 * option.
 */
int toll_cli_interval_option(const char *name, const char *val,
                             toll_interval_options *o);

/* Help lines of the interval options, for `toll summarize --help`. */
#define TOLL_CLI_INTERVAL_HELP                                                 \
    "Intervals (docs/intervals.md):\n"                                       \
    "  --interval M           add a probabilistic interval to each row:\n"   \
    "                         independent (each incident's count drawn on\n" \
    "                         its own) or comonotone (all at the same\n"     \
    "                         quantile); default none\n"                     \
    "  --dist D               uniform (default) on low..high, or triangular\n" \
    "                         with its mode at best\n"                       \
    "  --quantiles P,P,...    default 0.025,0.5,0.975 (columns q025, q500,\n" \
    "                         q975, then q_engine)\n"                        \
    "  --open-cap F           an open high becomes max(high, F x low);\n"    \
    "                         default 2\n"                                   \
    "  --engine E             auto (default: exact, else normal, else\n"     \
    "                         simulate), exact, normal or simulate\n"        \
    "  --draws N              simulation draws (default 10000)\n"            \
    "  --seed S               simulation seed (default 1; the same seed\n"   \
    "                         gives the same numbers on every platform)\n"

#endif /* TOLL_SRC_CLI_MSE_H */
