/*
 * src/io/split.h - split loads (src/io/split.c): a CSV or
 * JSON Lines input split at a record boundary, each part loaded on its own
 * thread into a store of its own, the second merged after the first.
 * Nothing here is public API.
 */
#ifndef TOLL_SRC_IO_SPLIT_H
#define TOLL_SRC_IO_SPLIT_H

#include "io/io.h"

/*
 * Called by the load driver (load.c) once the format is known, with the
 * input's first chunk peeked.  Returns 0 when the load should go on on one
 * thread (src and `in` then as they were: the input from its start);
 * 1 when it was done here, *st its status (in->err filled on failure; the
 * caller rolls back to `mark` on failure, as for any load).
 */
int toll__load_split(toll__ingest *in, toll__input *src, toll_format fmt,
                     const char *path, const toll__mark *mark,
                     toll_status *st);

/* ---- test hooks (tests/test_parallel_load.c) -------------------------------- */

/* Inputs smaller than these load on one thread: `auto_min` with threads 0,
 * `forced_min` with threads >= 2.  (size_t)-1: the built-in values. */
void toll__par_set_limits(size_t auto_min, size_t forced_min);
/* Split at the first line end at or after byte `at` (0: the middle). */
void toll__par_set_split(size_t at);
/* How the last load went: 0 one thread, 1 split and merged, 2 split then
 * loaded again on one thread (the split point was inside a quoted cell or
 * the merge could not tell a repair apart, or an actor of part two was
 * spelled otherwise than in part one). */
int toll__par_last(void);

#endif /* TOLL_SRC_IO_SPLIT_H */
