/*
 * src/stats/intervals_int.h - the accumulator's layout, shared by
 * src/stats/intervals.c (options, accumulator, engines, summary hooks)
 * and src/stats/simulate.c (the Monte Carlo engine).  Not an interface:
 * summarize uses src/stats/intervals.h.
 */
#ifndef TOLL_SRC_STATS_INTERVALS_INT_H
#define TOLL_SRC_STATS_INTERVALS_INT_H

#include "stats/intervals.h"

/* One random contribution: X drawn from lo..hi (hi > lo), times share. */
typedef struct iv_item {
    int64_t lo, hi;
    double mode;  /* triangular mode c in [lo, hi + 1] (continuous) */
    double share;
    uint32_t group;
} iv_item;

typedef struct iv_group {
    double fixed;      /* sum of share * value of single-valued ranges */
    double lo, hi;     /* hard bounds of the total (shares applied), as
                          doubles: they cannot wrap, and are checked
                          against TOLL__SUM_MAX before any engine runs */
    size_t nitems;
    int overflow;      /* a capped open high beyond int64 (not an item) */
} iv_group;

struct toll__iv {
    toll_allocator alloc;
    toll_interval_method method;
    toll_interval_dist dist;
    toll_interval_engine engine;
    size_t draws;
    uint64_t seed;
    double open_cap;
    size_t threads;    /* simulation: 0 auto, 1, or up to N */
    double q[TOLL_INTERVAL_MAX_QUANTILES];
    size_t nq;
    size_t qorder[TOLL_INTERVAL_MAX_QUANTILES]; /* indices, by p ascending */

    iv_item *items;
    size_t n, cap;
    iv_group *groups;
    size_t ngroups, groups_cap;

    /* built at the first fill: items of group g are
     * order[begin[g] .. begin[g] + groups[g].nitems) */
    uint32_t *order;
    size_t order_cap;
    size_t *begin;
    size_t begin_cap;
    int built;
    toll_error err;    /* of a failed fill */
    int failed;
    /* scratch */
    double *work;      /* simulation totals / exact pmf */
    size_t work_cap;
    double *pmf;       /* triangular pmf of one item */
    size_t pmf_cap;
};

/* Room for n doubles in iv->work (the simulation's totals, the exact
 * engine's pmf). */
static inline toll_status toll__iv_need_work(toll__iv *iv, size_t n)
{
    return toll__grow(&iv->alloc, (void **)&iv->work, &iv->work_cap, n,
                      sizeof *iv->work);
}

/* The quantiles iv->q of group g's total by simulation (iv->draws totals;
 * `stream` numbers the group's RNG stream), into out[0 .. iv->nq); the
 * index must be built (iv->built).  Uses iv->work; only TOLL_ENOMEM. */
toll_status toll__iv_simulate(toll__iv *iv, size_t g, size_t stream,
                              double *out);

#endif /* TOLL_SRC_STATS_INTERVALS_INT_H */
