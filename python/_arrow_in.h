/*
 * python/_arrow_in.h - Arrow data brought in for Reports.load_arrow and
 * Reports.load_columns (python/_arrow_in.c, used by python/_reports.c).
 *
 * A load may run more than once (python/_core.h, "Concurrency"), but a
 * producer's stream can be read once only: its schema and batches are
 * taken first, with the GIL, into a toll_py_arrow, and each run of the
 * load reads them through a stream that replays them
 * (toll_reports_load_arrow borrows that stream).
 */
#ifndef TOLL_PY_ARROW_IN_H
#define TOLL_PY_ARROW_IN_H

#include "_core.h"

typedef struct toll_py_arrow {
    struct ArrowSchema schema;
    struct ArrowArray *batch;
    size_t n, cap;
    void *built; /* columns built from NumPy buffers (owned), or NULL */
} toll_py_arrow;

/* Take the schema and every batch of the stream in `capsule` (a PyCapsule
 * named "arrow_array_stream", as __arrow_c_stream__ returns): the stream
 * is moved out of the capsule and released.  0, or -1 with an exception
 * set (*out then holds nothing). */
int toll_py_arrow_take(PyObject *capsule, toll_py_arrow *out);

/* One batch built from DataFrame columns: `names` a sequence of str,
 * `columns` a sequence of (kind, values) with kind "number" (a 1-D NumPy
 * array of integers, floats or bools: its buffer is used, not copied),
 * "timestamp[s|ms|us|ns]" (a 1-D int64 NumPy array; NaT, the smallest
 * int64, is missing) or "string" (a sequence of str and missing values:
 * None, NaN, pandas.NA or NaT).  0, or -1 with an exception set. */
int toll_py_arrow_from_columns(PyObject *names, PyObject *columns,
                               toll_py_arrow *out);

/* A stream replaying a's schema and batches (each handed out as a view:
 * its release does not free a's data).  `pos` holds the stream's position
 * and must outlive it. */
typedef struct toll_py_replay {
    const toll_py_arrow *a;
    size_t next;
} toll_py_replay;
void toll_py_arrow_replay(const toll_py_arrow *a, toll_py_replay *pos,
                          struct ArrowArrayStream *out);

/* Free what a holds (with the GIL). */
void toll_py_arrow_free(toll_py_arrow *a);

#endif /* TOLL_PY_ARROW_IN_H */
