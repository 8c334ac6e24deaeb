/*
 * python/_core.h - private declarations shared by the files of the
 * toll._core extension module (CPython C API, multi-phase init).
 *
 * Object model:
 *   Reports   wraps toll_reports*   (GC: has a __dict__; weak-referenceable)
 *   Incidents wraps toll_incidents* and holds a strong reference to the
 *             Reports it came from, so the store outlives it (GC)
 *   Table     wraps toll_table* (immutable, owns its memory; not GC)
 *   Column    a read-only buffer exporter over one table column; keeps
 *             its Table alive (memoryview / numpy.frombuffer zero-copy)
 *   Lexicon   wraps toll_lexicon*
 *
 * Every heap type is created with PyType_FromModuleAndSpec and stored in
 * the module state together with the exception classes.
 *
 * Concurrency: the GIL is released around every library call that does real
 * work.  The guards below are only read and written with the GIL held:
 *   Reports.loading   - a load is running (exclusive)
 *   Reports.readers   - reconciles running (shared)
 *   Reports.n_derived - live Incidents that refer to the store; the library
 *                       forbids loading while any exist
 *   Lexicon.busy      - calls currently using the lexicon without the GIL
 */
#ifndef TOLL_PY_CORE_H
#define TOLL_PY_CORE_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <pythread.h>
#include <structmember.h>

#include "toll/toll.h"

typedef struct {
    PyTypeObject *Reports_Type;
    PyTypeObject *Incidents_Type;
    PyTypeObject *Table_Type;
    PyTypeObject *Column_Type;
    PyTypeObject *Lexicon_Type;
    PyObject *TollError;   /* base: Exception */
    PyObject *ParseError;  /* TollError, ValueError: TOLL_EPARSE */
    PyObject *ReportError; /* TollError, ValueError: TOLL_EREPORT */
    PyObject *OptionError; /* TollError, ValueError: TOLL_EINVAL/ENOTFOUND */
    PyObject *ModelError;  /* TollError, ValueError: TOLL_EMODEL */
} toll_state;

typedef struct {
    PyObject_HEAD
    toll_reports *r;
    PyObject *dict;
    PyObject *weakrefs;
    int loading;
    Py_ssize_t readers;
    Py_ssize_t n_derived;
    PyThread_type_lock lock; /* serialises C calls on the store: see
                                toll_py_store_lock */
} ReportsObject;

typedef struct {
    PyObject_HEAD
    toll_incidents *inc;
    ReportsObject *reports; /* strong reference */
    PyObject *dict;
    PyObject *weakrefs;
    toll_reconcile_options opts;
} IncidentsObject;

typedef struct {
    PyObject_HEAD
    toll_table *t;
    PyObject *weakrefs;
} TableObject;

typedef struct {
    PyObject_HEAD
    TableObject *table; /* strong reference */
    Py_ssize_t j;
    Py_ssize_t shape;
    Py_ssize_t stride;
    PyObject *weakrefs;
} ColumnObject;

typedef struct {
    PyObject_HEAD
    toll_lexicon *lex;
    Py_ssize_t busy;
    PyObject *weakrefs;
} LexiconObject;

/* ---- the store lock ---------------------------------------------------------- */

/*
 * toll_reconcile interns derived actor sets and regions into the store's
 * pools, so C calls that read or write one store (load, reconcile, and the
 * incidents' summarize/table/links/MSE, which read the pools) run one at a
 * time per Reports: take the lock (waiting without the GIL) before
 * Py_BEGIN_ALLOW_THREADS and release it after Py_END_ALLOW_THREADS.
 * Different Reports run in parallel; tables own their data and need none.
 */
static inline void toll_py_store_lock(ReportsObject *r)
{
    if (!PyThread_acquire_lock(r->lock, NOWAIT_LOCK)) {
        Py_BEGIN_ALLOW_THREADS
        PyThread_acquire_lock(r->lock, WAIT_LOCK);
        Py_END_ALLOW_THREADS
    }
}

static inline void toll_py_store_unlock(ReportsObject *r)
{
    PyThread_release_lock(r->lock);
}

/* ---- module state --------------------------------------------------------- */

static inline toll_state *toll_py_state_of_type(PyTypeObject *tp)
{
    return (toll_state *)PyType_GetModuleState(tp);
}
#define TOLL_PY_STATE(self) toll_py_state_of_type(Py_TYPE(self))

/* ---- errors (python/_core.c) ---------------------------------------------- */

/*
 * THE mapping from a toll status and error to a Python exception.  Sets the
 * exception and returns NULL.  `filename` (may be NULL) is used for OSError;
 * `sys_errno` is the C errno saved right after the failing call (0: none).
 *   TOLL_ENOMEM          -> MemoryError
 *   TOLL_EIO             -> OSError(errno, message, filename)
 *   TOLL_EPARSE          -> toll.ParseError  (TollError, ValueError)
 *   TOLL_EREPORT         -> toll.ReportError (TollError, ValueError)
 *   TOLL_EINVAL/NOTFOUND -> toll.OptionError (TollError, ValueError)
 *   TOLL_EMODEL          -> toll.ModelError  (TollError, ValueError)
 *   anything else        -> toll.TollError
 * The exception carries code, file, line, record, field, text, message.
 */
PyObject *toll_py_raise(toll_state *st, toll_status status,
                        const toll_error *err, PyObject *filename,
                        int sys_errno);

/* As toll_py_raise for an option error: the option name is put in
 * err->field (when empty) and in front of the message (when missing). */
PyObject *toll_py_raise_option(toll_state *st, const char *option,
                               toll_status status, toll_error *err);

/* Build an option error of our own (TOLL_EINVAL) and raise it. */
PyObject *toll_py_option_error(toll_state *st, const char *option,
                               const char *text, const char *fmt, ...);

/* A toll_error as a dict (rejects). */
PyObject *toll_py_error_dict(const toll_error *err);

/* Decode library text (UTF-8, invalid bytes replaced). */
PyObject *toll_py_str(const char *s);

/* ---- converters ----------------------------------------------------------- */

/* "O&" converter: None -> NULL, str/bytes/PathLike -> bytes (fs encoding). */
int toll_py_opt_path(PyObject *obj, void *out);

/*
 * Resolve a `lexicon` argument: None -> NULL, a Lexicon -> its lexicon (busy
 * count raised; *owner receives a new reference to release with
 * toll_py_lexicon_release), a str -> a new preset lexicon (*tmp owns it).
 * Returns 0 or -1 with an exception set.
 */
int toll_py_lexicon_acquire(toll_state *st, PyObject *arg,
                            const toll_lexicon **lex, PyObject **owner,
                            toll_lexicon **tmp);
void toll_py_lexicon_release(PyObject *owner, toll_lexicon *tmp);

/* ---- type specs ------------------------------------------------------------ */

extern PyType_Spec toll_py_reports_spec;
extern PyType_Spec toll_py_incidents_spec;
extern PyType_Spec toll_py_table_spec;
extern PyType_Spec toll_py_column_spec;
extern PyType_Spec toll_py_lexicon_spec;

/* New Table object owning `t` (on failure `t` is freed). */
PyObject *toll_py_table_new(toll_state *st, toll_table *t);

/* ---- multiple systems estimation and intervals (python/_mse.c) ----------- */

/* Add the MseData type and the interval functions to the module. */
int toll_py_mse_init(PyObject *m);

/* Interval keywords of summarize (each may be NULL or None) into *o;
 * qbuf holds TOLL_INTERVAL_MAX_QUANTILES doubles for the quantiles.
 * Returns 0 or -1 with an exception set (OptionError naming the option). */
int toll_py_interval_options(toll_state *st, PyObject *interval,
                             PyObject *dist, PyObject *draws, PyObject *seed,
                             PyObject *open_cap, PyObject *quantiles,
                             PyObject *engine, toll_interval_options *o,
                             double *qbuf);

#endif /* TOLL_PY_CORE_H */
