/*
 * src/summarize/kernel.h - private: the columnar aggregation kernel of the
 * summarize fast path (src/summarize/kernel.c) and the entry point that
 * lets the tests choose the path (src/summarize/summarize.c).
 *
 * A "record" is one contribution entering the aggregation: one known cell
 * of one incident (in the chosen category, or in every category when
 * `category` is a key) added to one group.  Under the fast path each
 * incident gives one record per such cell (joint attribution, span start);
 * under the general path attribution split/each gives one record per actor
 * and span prorate one per period.  The `incidents` column of a summary
 * table sums to the number of records.
 */
#ifndef TOLL_SRC_SUMMARIZE_KERNEL_H
#define TOLL_SRC_SUMMARIZE_KERNEL_H

#include "reconcile/reconcile.h"
#include "render/render.h"

#include <math.h>

/* Accumulator of one group (48 bytes). */
typedef struct toll__kacc {
    double low, best, high;
    uint64_t reports;
    uint32_t incidents, open, denied, contested;
} toll__kacc;

/* The bounds one record adds: low max(lo, 0), high max(hi, low), best
 * `be` (low when NaN) held within [low, high], in place, so that every
 * record, and so every sum of records, has low <= best <= high.  The one
 * home of the rule, shared by the kernel's accumulator here, the cached
 * path's packed one and the general path (toll__aggregate) in
 * src/summarize/aggregate.c. */
static inline void toll__kclamp(int64_t *lo, int64_t *hi, double *be)
{
    *lo = *lo > 0 ? *lo : 0;
    *hi = *hi > *lo ? *hi : *lo;
    if (isnan(*be) || *be < (double)*lo)
        *be = (double)*lo;
    else if (*be > (double)*hi)
        *be = (double)*hi;
}

/* toll__kclamp, as doubles. */
static inline void toll__kbounds(int64_t lo, int64_t hi, double be,
                                 double *dlo, double *dhi, double *dbe)
{
    toll__kclamp(&lo, &hi, &be);
    *dlo = (double)lo;
    *dhi = (double)hi;
    *dbe = be;
}

/* The records, as columns: record r is cell cell[r] of incident inc[r]
 * (both non-decreasing), added to group group[r]. */
typedef struct toll__krecs {
    size_t n;
    const uint32_t *group; /* group (dense: mixed-radix position) */
    const uint32_t *cell, *inc;
} toll__krecs;

/*
 * acc[group[r]] += record r, for r in order (so each group's sums are
 * added in record order), reading the incidents' cell and incident
 * columns: low max(c_low, 0), high max(c_high, low), best c_best (low
 * when NaN), reports r_count, incidents 1, open / denied from c_flags,
 * contested from flags.  Branch-free; the accumulator 16 records ahead is
 * prefetched.
 */
void toll__kernel_accumulate(toll__kacc *restrict acc, const toll__krecs *r,
                             const toll_incidents *inc);

/*
 * Give each distinct 64-bit key of keys[0..n) a group number in
 * first-seen order: group[r] receives the group of keys[r], first[g] the
 * first record of group g (first holds n entries), *ngroups the count.
 * Open addressing (a slot per record to start, doubled past load 3/4), the
 * slot of the key 16 records ahead prefetched.  TOLL_ENOMEM on allocation
 * failure (nothing leaks).
 */
toll_status toll__kernel_group_hash(const toll_allocator *a,
                                    const uint64_t *keys, size_t n,
                                    uint32_t *group, uint32_t *first,
                                    size_t *ngroups);

/*
 * ---- key codes cached per incidents object ----
 * toll_summarize's fast path gives each incident (each cell, for the
 * category) the code of its value for a key, once per incidents object:
 * a dictionary-encoded key column.  Codes are numbered in the order of
 * the values (the order of the table's rows and dictionaries), so a group's
 * mixed-radix number orders groups as the table does.  Columns are built on
 * the first summarize call that needs them and published with an atomic
 * compare-and-swap (a racing thread frees its own copy and uses the one
 * published), so concurrent summarize calls on one incidents object stay
 * safe.  The cache lives in the incidents' summarize cell
 * (src/reconcile/reconcile.h, toll__incext_cell): its header's destroy is
 * how toll_incidents_free frees it.
 */
enum {
    TOLL__KC_ACTOR = 0,       /* per incident: actor set label */
    TOLL__KC_CATEGORY = 1,    /* per cell: category */
    TOLL__KC_PERIOD = 2,      /* + toll_period_unit: per incident */
    TOLL__KC_MAX_LEVELS = 16, /* region:K cached for K + 1 <= this */
    TOLL__KC_REGION = 7,      /* + levels (0: the whole path) */
    /* the records: code = the known cells, by category code then cell;
     * num[v] .. num[v + 1] those of category code v (ncodes + 1 entries) */
    TOLL__KC_RECS = TOLL__KC_REGION + TOLL__KC_MAX_LEVELS + 1,
    TOLL__KC_CELL_INC,        /* per cell: its incident (code) */
    TOLL__KC_N
};

typedef struct toll__kcol {
    size_t n;          /* entries of code (incidents; cells for category) */
    uint32_t *code;    /* code of each entry; NULL: cannot be cached */
    size_t ncodes;     /* distinct values */
    const char **str;  /* labels by code (actor, region, category) */
    size_t *len;
    int64_t *num;      /* periods: number by code (INT64_MAX: no date) */
} toll__kcol;

struct toll__aggcache {
    toll__incext ext;            /* first: the cell holds &ext */
    toll__kcol *col[TOLL__KC_N]; /* NULL: not built yet */
};

/* A new column with room for n codes and ncodes values (labels when
 * `labels`, else numbers); NULL on ENOMEM. */
toll__kcol *toll__kcol_new(const toll_allocator *a, size_t n, size_t ncodes,
                           int labels);
void toll__kcol_free(const toll_allocator *a, toll__kcol *col);
/* The published column of `slot`, or NULL. */
const toll__kcol *toll__kcache_get(const toll_incidents *inc, int slot);
/* Publish `col` (owned) in `slot`; returns the column now in place (col,
 * or the one another thread published first, col then freed).  NULL on
 * ENOMEM (col freed). */
const toll__kcol *toll__kcache_put(const toll_incidents *inc, int slot,
                                   toll__kcol *col);

/* Which aggregation toll__summarize_path runs. */
enum {
    TOLL__AGG_AUTO = 0,    /* the fast path when it applies (toll_summarize):
                              over cached key codes when they can be */
    TOLL__AGG_GENERAL = 1, /* always the general path */
    TOLL__AGG_UNCACHED = 2 /* the fast path, codes made for the call */
};
/* What ran (toll__summarize_path's *used). */
enum {
    TOLL__AGG_USED_GENERAL = 1,
    TOLL__AGG_USED_DENSE = 2, /* fast path, dense mixed-radix groups */
    TOLL__AGG_USED_HASH = 3,  /* fast path, hashed groups */
    TOLL__AGG_USED_CACHED = 16 /* or'ed: over cached key codes */
};

/* toll_summarize with the path chosen; *used (may be NULL) tells which
 * ran (0 when nothing was aggregated). */
toll_status toll__summarize_path(const toll_incidents *incidents,
                                 const toll_summarize_options *opts,
                                 const toll_allocator *alloc, int path,
                                 int *used, toll_table **out,
                                 toll_error *err);

#endif /* TOLL_SRC_SUMMARIZE_KERNEL_H */
