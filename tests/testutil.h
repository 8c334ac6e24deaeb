/* tests/testutil.h - helpers shared by the Check suites. */
#ifndef TOLL_TESTUTIL_H
#define TOLL_TESTUTIL_H

#include <check.h>
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

#endif
