/*
 * src/stats/intervals.h - the interval accumulator used by summarize
 * (src/summarize/aggregate.c and src/summarize/summarize.c call these
 * hooks; src/stats/intervals.c implements them).
 *
 * Usage by a summary:
 *   toll__iv_new(alloc, &opts->interval, &iv, err)   (iv NULL: no interval)
 *   for every contribution of an incident to group g:
 *       toll__iv_add(iv, g, low, high, best, share, open)
 *   when building the table (nrows rows, columns col0 .. col0+ncols-1):
 *       toll__iv_columns(iv, t, col0)
 *       toll__iv_fill(iv, t, nkeys, col0, row, group) for every row, once
 *       the row's key columns are filled
 *   toll__iv_caption(iv, &caption); toll__iv_free(iv)
 * The RNG stream of a row is derived from the seed and the row's key
 * values, so a row's numbers depend only on its incidents, its keys and
 * the seed (not on the other rows or on filters).  toll__iv_fill may
 * simulate a large row on several threads (interval.threads; see
 * src/stats/simulate.c, "Chunks and threads"): it starts and joins them within
 * the call, calling the accumulator's allocator from them; the numbers do
 * not depend on the number of threads.
 */
#ifndef TOLL_SRC_STATS_INTERVALS_H
#define TOLL_SRC_STATS_INTERVALS_H

#include "reconcile/reconcile.h"
#include "render/render.h"
#include "toll/intervals.h"

typedef struct toll__iv toll__iv;

/* The largest total a summary or an interval gives: 2^53, beyond which
 * doubles no longer count exactly (and int64 sums of draws could wrap).
 * Every total is checked against it (TOLL_ERANGE naming the row and the
 * column; docs/intervals.md, docs/aggregation.md). */
#define TOLL__SUM_MAX 9007199254740992.0

/* The key cells of row `row` of a summary table t (its first nkeys
 * columns) as "actor=A, period=2016-01" ("all rows" without keys) into
 * buf (size bytes, NUL-terminated): how errors name a row. */
void toll__row_keys_text(const toll_table *t, size_t nkeys, size_t row,
                         char *buf, size_t size);

/* Validate `o` and create an accumulator; *out = NULL (and TOLL_OK) when
 * o is NULL or o->method is TOLL_INTERVAL_NONE.  Bad options: TOLL_EINVAL
 * naming the option (field "interval", "draws", "open_cap", ...). */
toll_status toll__iv_new(const toll_allocator *a,
                         const toll_interval_options *o, toll__iv **out,
                         toll_error *err);
void toll__iv_free(toll__iv *iv);

/* One incident's contribution to group `group`: its range, best value,
 * share (of attribution, 1 or 1/n, times that of prorating) and whether
 * the high is open.  Only TOLL_ENOMEM / TOLL_ERANGE (group beyond 2^32):
 * a capped high too large for int64 marks the group, whose fill then
 * fails like any group with a bound beyond TOLL__SUM_MAX. */
toll_status toll__iv_add(toll__iv *iv, size_t group, int64_t low,
                         int64_t high, double best, double share, int open);

/* Number of columns the interval adds (quantiles + "q_engine"). */
size_t toll__iv_ncols(const toll__iv *iv);
/* Name and type the columns col0 .. col0 + ncols - 1 of t. */
toll_status toll__iv_columns(toll__iv *iv, toll_table *t, size_t col0);
/* Compute the interval of `group` and write it to row `row` of t (whose
 * first `nkeys` columns are the keys).  On failure the error is kept in
 * the accumulator (toll__iv_error): TOLL_ERANGE naming the row when a
 * bound of its total is beyond TOLL__SUM_MAX. */
toll_status toll__iv_fill(toll__iv *iv, toll_table *t, size_t nkeys,
                          size_t col0, size_t row, size_t group);
/* If a fill failed, copy its error into err (may be NULL) and return 1. */
int toll__iv_error(const toll__iv *iv, toll_error *err);
/* Append "; interval independent uniform (...)" to a caption. */
toll_status toll__iv_caption(const toll__iv *iv, toll__buf *b);

#endif /* TOLL_SRC_STATS_INTERVALS_H */
