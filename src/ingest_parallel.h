/*
 * src/ingest_parallel.h - split loads (src/ingest_parallel.c): a CSV or
 * JSON Lines input split at a record boundary, each part loaded on its own
 * thread into a store of its own, the second merged after the first.
 * Nothing here is public API.
 */
#ifndef TOLL_INGEST_PARALLEL_H
#define TOLL_INGEST_PARALLEL_H

#include "ingest.h"

/*
 * Called by the load driver (ingest.c) once the format is known, with the
 * input's first chunk peeked.  Returns 0 when the load should go on on one
 * thread (src and `in` then as they were: the input from its start);
 * 1 when it was done here, *st its status (in->err filled on failure; the
 * caller rolls back to `mark` on failure, as for any load).
 */
int toll__load_split(toll__ingest *in, toll__input *src, toll_format fmt,
                     const char *path, const toll__mark *mark,
                     toll_status *st);

/* Free the scratch of an ingest (ingest.c). */
void toll__ingest_free(toll__ingest *in);

/*
 * Merge store `b` (loaded from the part after the one loaded into `r`)
 * into `r`: strings and actor sets re-interned in b's id order, reports,
 * quantities, extras, categories, repairs and rejects appended; record
 * numbers of b's repairs and rejects moved on by `rec_off`.  With
 * `two_threads` a helper thread copies the unmapped columns and maps the
 * fresh pages while this one re-interns the strings, then the mapped
 * columns are copied by this thread and one more (one thread when a
 * thread cannot be started).  *conflict set
 * (and nothing merged) when a repair text of b is also used as another
 * value (the merge could not tell them apart).  TOLL_ENOMEM: r may hold
 * new strings and rows past its count (roll back to a mark).
 */
toll_status toll__reports_merge(toll_reports *r, const toll_reports *b,
                                long rec_off, int two_threads,
                                int *conflict);

/* ---- test hooks (tests/test_parallel_load.c) -------------------------------- */

/* Inputs smaller than these load on one thread: `auto_min` with threads 0,
 * `forced_min` with threads >= 2.  (size_t)-1: the built-in values. */
void toll__par_set_limits(size_t auto_min, size_t forced_min);
/* Split at the first line end at or after byte `at` (0: the middle). */
void toll__par_set_split(size_t at);
/* How the last load went: 0 one thread, 1 split and merged, 2 split then
 * loaded again on one thread (the split point was inside a quoted cell or
 * the merge could not tell a repair apart). */
int toll__par_last(void);

#endif /* TOLL_INGEST_PARALLEL_H */
