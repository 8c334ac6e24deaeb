/*
 * src/summarize_kernel.h - private: the columnar aggregation kernel of the
 * summarize fast path (src/summarize_kernel.c) and the entry point that
 * lets the tests choose the path (src/summarize.c).
 *
 * A "record" is one contribution entering the aggregation: one known cell
 * of one incident (in the chosen category, or in every category when
 * `category` is a key) added to one group.  Under the fast path each
 * incident gives one record per such cell (joint attribution, span start);
 * under the general path attribution split/each gives one record per actor
 * and span prorate one per period.  The `incidents` column of a summary
 * table sums to the number of records.
 */
#ifndef TOLL_SUMMARIZE_KERNEL_H
#define TOLL_SUMMARIZE_KERNEL_H

#include "internal.h"

/* Accumulator of one group (48 bytes). */
typedef struct toll__kacc {
    double low, best, high;
    uint64_t reports;
    uint32_t incidents, open, denied, contested;
} toll__kacc;

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

/* Which aggregation toll__summarize_path runs. */
enum {
    TOLL__AGG_AUTO = 0,   /* the fast path when it applies (toll_summarize) */
    TOLL__AGG_GENERAL = 1 /* always the general path */
};
/* What ran (toll__summarize_path's *used). */
enum {
    TOLL__AGG_USED_GENERAL = 1,
    TOLL__AGG_USED_DENSE = 2, /* fast path, dense mixed-radix groups */
    TOLL__AGG_USED_HASH = 3   /* fast path, hashed groups */
};

/* toll_summarize with the path chosen; *used (may be NULL) tells which
 * ran (0 when nothing was aggregated). */
toll_status toll__summarize_path(const toll_incidents *incidents,
                                 const toll_summarize_options *opts,
                                 const toll_allocator *alloc, int path,
                                 int *used, toll_table **out,
                                 toll_error *err);

#endif /* TOLL_SUMMARIZE_KERNEL_H */
