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
 * work.  A store is guarded by its store lock (below): calls that read it
 * (len, rejects, reconcile, and the incidents' summarize/table/links/MSE)
 * share it, a load has it alone, and a call that cannot have it waits with
 * the GIL released.  Incidents stay valid across later loads (the library
 * keeps them on the reports they were made from), so loading while
 * Incidents are alive is allowed.
 *   Lexicon.busy      - calls currently using the lexicon without the GIL
 *                       (read and written with the GIL held)
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
    /* the store lock (toll_py_store_lock): readers share it, a load has
     * it alone */
    PyThread_type_lock room;      /* held while readers are in, or by a load */
    PyThread_type_lock turnstile; /* a waiting load closes it to new readers */
    PyThread_type_lock mutex;     /* guards nreaders */
    Py_ssize_t nreaders;
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
 * A readers-writer lock per Reports, built from three PyThread locks (a
 * PyThread lock may be released by another thread than the one that took
 * it): the first reader in takes `room` for all readers and the last one
 * out gives it back; a load takes `turnstile` and then `room`, so readers
 * that come after a waiting load queue behind it (no load waits forever).
 * Every wait happens with the GIL released, and no lock is held while the
 * GIL is awaited except by a thread that got its lock first, so a thread
 * holding the GIL never blocks a thread that holds a store lock.  Take the
 * lock before Py_BEGIN_ALLOW_THREADS and release it after
 * Py_END_ALLOW_THREADS, once per call (it is not reentrant).  Different
 * Reports run in parallel; tables own their data and need none.
 */
static inline void toll_py_lock_wait(PyThread_type_lock l)
{
    if (!PyThread_acquire_lock(l, NOWAIT_LOCK)) {
        Py_BEGIN_ALLOW_THREADS
        PyThread_acquire_lock(l, WAIT_LOCK);
        Py_END_ALLOW_THREADS
    }
}

/* Shared: a call that reads the store (or incidents made from it). */
static inline void toll_py_store_lock(ReportsObject *r)
{
    toll_py_lock_wait(r->turnstile); /* not past a waiting load */
    PyThread_release_lock(r->turnstile);
    toll_py_lock_wait(r->mutex);
    if (r->nreaders++ == 0)
        toll_py_lock_wait(r->room);
    PyThread_release_lock(r->mutex);
}

static inline void toll_py_store_unlock(ReportsObject *r)
{
    toll_py_lock_wait(r->mutex);
    if (--r->nreaders == 0)
        PyThread_release_lock(r->room);
    PyThread_release_lock(r->mutex);
}

/* Exclusive: a load. */
static inline void toll_py_store_lock_load(ReportsObject *r)
{
    toll_py_lock_wait(r->turnstile);
    toll_py_lock_wait(r->room);
    PyThread_release_lock(r->turnstile);
}

static inline void toll_py_store_unlock_load(ReportsObject *r)
{
    PyThread_release_lock(r->room);
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
