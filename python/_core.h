/*
 * python/_core.h - private declarations shared by the files of the
 * toll._core extension module (CPython C API, multi-phase init).
 *
 * Object model:
 *   Reports   holds its C store through a store holder (toll_py_store,
 *             below) that it replaces on every load (GC: has a __dict__;
 *             weak-referenceable)
 *   Incidents wraps toll_incidents*, holds the store holder of the reports
 *             it was made from and a strong reference to the Reports (GC)
 *   Table     wraps toll_table* (immutable, owns its memory; not GC)
 *   Column    a read-only buffer exporter over one table column; keeps
 *             its Table alive (memoryview / numpy.frombuffer zero-copy)
 *   Lexicon   wraps toll_lexicon*
 *   Links     wraps toll_links* (python/_links.c), holds the store holder
 *             of the reports it linked and a strong reference to the
 *             Reports (GC)
 *
 * Every heap type is created with PyType_FromModuleAndSpec and stored in
 * the module state together with the exception classes.
 *
 * Concurrency: the GIL is released around every library call that does real
 * work, and no call on a Reports waits for another.  A store that a holder
 * has published is never written again, so any number of threads read it
 * at once: a reader (len, rejects, reconcile, table) takes a reference to
 * the Reports' current holder with the GIL held, works on that store and
 * drops the reference; Incidents keep the holder they were made from, so
 * their summarize/table/links/MSE see the reports they were made from
 * whatever is loaded later.  A load copies the current store
 * (toll_reports_copy; a new empty store when it is empty), loads into the
 * copy without the GIL and publishes it in a new holder if the Reports
 * still has the holder it copied; otherwise (another load was published
 * meanwhile) it loads again from the newer store, so concurrent loads all
 * land and a read during a load sees the store before or after it.
 * Another object's guard:
 *   Lexicon.busy      - calls currently using the lexicon without the GIL
 *                       (read and written with the GIL held)
 */
#ifndef TOLL_PY_CORE_H
#define TOLL_PY_CORE_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>

#include "toll/toll.h"

typedef struct {
    PyTypeObject *Reports_Type;
    PyTypeObject *Incidents_Type;
    PyTypeObject *Table_Type;
    PyTypeObject *Column_Type;
    PyTypeObject *Lexicon_Type;
    PyTypeObject *Links_Type; /* python/_links.c */
    PyObject *TollError;   /* base: Exception */
    PyObject *ParseError;  /* TollError, ValueError: TOLL_EPARSE */
    PyObject *ReportError; /* TollError, ValueError: TOLL_EREPORT */
    PyObject *OptionError; /* TollError, ValueError: TOLL_EINVAL/ENOTFOUND */
    PyObject *ModelError;  /* TollError, ValueError: TOLL_EMODEL */
} toll_state;

/*
 * A store holder: owns one published toll_reports, shared by the Reports
 * that publishes it, the readers running on it and the Incidents made from
 * it; the last reference frees the store.  `refs` is read and written with
 * the GIL held only.  The store is never written once published.
 */
typedef struct toll_py_store {
    Py_ssize_t refs;
    toll_reports *r;
} toll_py_store;

typedef struct {
    PyObject_HEAD
    toll_py_store *store; /* the current store; never NULL once created */
    PyObject *dict;
    PyObject *weakrefs;
} ReportsObject;

typedef struct {
    PyObject_HEAD
    toll_incidents *inc;
    toll_py_store *store;   /* the store inc was made from (a reference) */
    ReportsObject *reports; /* strong reference (Incidents.reports) */
    PyObject *dict;
    PyObject *weakrefs;
    toll_reconcile_options opts;
    PyObject *links;        /* the Links of reconcile(links=...), or NULL */
} IncidentsObject;

typedef struct {
    PyObject_HEAD
    toll_links *links;
    toll_py_store *store;   /* the store linked (a reference) */
    ReportsObject *reports; /* strong reference (Links.reports) */
    PyObject *weakrefs;
} LinksObject;

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

/* ---- store holders ----------------------------------------------------------- */

/* A holder owning `r` with one reference, or NULL (MemoryError set; r is
 * then not freed).  With the GIL held. */
static inline toll_py_store *toll_py_store_new(toll_reports *r)
{
    toll_py_store *s = PyMem_Malloc(sizeof *s);
    if (!s) {
        PyErr_NoMemory();
        return NULL;
    }
    s->refs = 1;
    s->r = r;
    return s;
}

/* A new reference to `s`.  With the GIL held. */
static inline toll_py_store *toll_py_store_ref(toll_py_store *s)
{
    s->refs++;
    return s;
}

/* Drop a reference (NULL accepted); the last one frees the store.  With
 * the GIL held. */
static inline void toll_py_store_unref(toll_py_store *s)
{
    if (s && --s->refs == 0) {
        toll_reports_free(s->r);
        PyMem_Free(s);
    }
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

/* The n errors at(obj, 0..n-1) (rejects, warnings) as a new list of
 * dicts; a NULL error is None. */
PyObject *toll_py_error_list(const void *obj, size_t n,
                             const toll_error *(*at)(const void *, size_t));

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

/* cli_main(argv): run the `toll` program in this process, return its exit
 * status (python/_cli.c). */
PyObject *toll_py_cli_main(PyObject *module, PyObject *arg);

/* Interval keywords of summarize (each may be NULL or None) into *o;
 * qbuf holds TOLL_INTERVAL_MAX_QUANTILES doubles for the quantiles.
 * Returns 0 or -1 with an exception set (OptionError naming the option). */
int toll_py_interval_options(toll_state *st, PyObject *interval,
                             PyObject *dist, PyObject *draws, PyObject *seed,
                             PyObject *open_cap, PyObject *quantiles,
                             PyObject *engine, toll_interval_options *o,
                             double *qbuf);

#endif /* TOLL_PY_CORE_H */
