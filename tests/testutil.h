/* tests/testutil.h - helpers shared by the Check suites. */
#ifndef TOLL_TESTUTIL_H
#define TOLL_TESTUTIL_H

#include <check.h>
#include <pthread.h>
#include <stddef.h>
#include "toll/toll.h"

/* Run `suite` with a runner; returns the process exit code. */
int toll_test_run(Suite *suite);

/* An allocator that fails the n-th allocation (1-based; 0 = never fails)
 * and counts live blocks, for allocation-failure tests. */
typedef struct failing_alloc {
    long fail_at;     /* fail the allocation with this 1-based number */
    long count;       /* allocations made so far */
    long live;        /* blocks currently allocated */
    toll_allocator a; /* points back at this struct through ctx */
} failing_alloc;
void failing_alloc_init(failing_alloc *f, long fail_at);

/* failing_alloc behind a mutex, for code that allocates from two threads
 * at once (split loads, reconcile).  Set f.fail_at under the lock (or
 * before any thread starts); destroy with locked_alloc_destroy. */
typedef struct locked_alloc {
    failing_alloc f;
    pthread_mutex_t mu;
    toll_allocator a; /* points back at this struct through ctx */
} locked_alloc;
void locked_alloc_init(locked_alloc *l);
void locked_alloc_destroy(locked_alloc *l);

/* The path of `rel` inside the shared datasets directory named by the
 * environment variable TOLL_SHARED_DATA, written to buf (size n).  Returns
 * 1 when that file is readable; otherwise prints why the calling test is
 * skipped ("skipped: set TOLL_SHARED_DATA to the shared datasets
 * directory", or the missing file) and returns 0: the test then returns
 * and passes, Check having no skip. */
int toll_test_shared_path(char *buf, size_t n, const char *rel);

/* Store inspection for the ingest suites (they see the stage headers: src/store/store.h and others). */
struct toll__qcell;
/* The quantity cell of report i for category `cat`, or NULL. */
const struct toll__qcell *report_cell(const toll_reports *r, size_t i,
                                      const char *cat);
/* The kept field `key` of report i, or NULL. */
const char *report_extra(const toll_reports *r, size_t i, const char *key);
/* Fail the test unless `c` exists and holds [lo, hi] with best `best`. */
void assert_qcell(const struct toll__qcell *c, int64_t lo, int64_t hi,
                  double best);

#endif
