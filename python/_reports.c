/*
 * python/_reports.c - the Reports (toll_reports) and Incidents
 * (toll_incidents) types of toll._core.
 */
#include "_core.h"
#include "_link.h"
#include "_arrow_in.h"

#include <errno.h>
#include <string.h>

/* ======================================================================== */
/* Reports                                                                   */
/* ======================================================================== */

/* A call that uses the store works on the current one (python/_core.h,
 * "Concurrency"); this checks only that there is a store. */
static int reports_check_readable(ReportsObject *self)
{
    if (!self->store) {
        PyErr_SetString(PyExc_ValueError, "Reports is not initialised");
        return -1;
    }
    return 0;
}

static PyObject *Reports_new(PyTypeObject *type, PyObject *args,
                             PyObject *kwds)
{
    static char *kwlist[] = {NULL};
    if (!PyArg_ParseTupleAndKeywords(args, kwds, ":Reports", kwlist))
        return NULL;
    toll_state *st = toll_py_state_of_type(type);
    if (!st)
        return NULL;
    ReportsObject *self = (ReportsObject *)type->tp_alloc(type, 0);
    if (!self)
        return NULL;
    toll_error err;
    toll_error_clear(&err);
    toll_reports *r = NULL;
    toll_status s = toll_reports_new(NULL, &r, &err);
    if (s != TOLL_OK) {
        Py_DECREF(self);
        return toll_py_raise(st, s, &err, NULL, 0);
    }
    if (!(self->store = toll_py_store_new(r))) {
        toll_reports_free(r);
        Py_DECREF(self);
        return NULL;
    }
    return (PyObject *)self;
}

static int Reports_traverse(ReportsObject *self, visitproc visit, void *arg)
{
    Py_VISIT(Py_TYPE(self));
    Py_VISIT(self->dict);
    return 0;
}

static int Reports_clear(ReportsObject *self)
{
    Py_CLEAR(self->dict);
    return 0;
}

static void Reports_dealloc(ReportsObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    PyObject_GC_UnTrack(self);
    if (self->weakrefs)
        PyObject_ClearWeakRefs((PyObject *)self);
    Reports_clear(self);
    /* Incidents and running calls keep their own store references. */
    toll_py_store_unref(self->store);
    self->store = NULL;
    tp->tp_free((PyObject *)self);
    Py_DECREF(tp);
}

/* --- load options ------------------------------------------------------ */

typedef struct {
    toll_load_options opts;
    toll_colmap *map;
    PyObject *lex_owner;
    toll_lexicon *lex_tmp;
} load_ctx;

typedef struct {
    const char *format;
    int lenient;
    PyObject *lexicon;
    double about_tolerance;
    const char *map;
    const char *map_json;
    PyObject *map_file; /* bytes or NULL */
    const char *delimiter;
    const char *actor_sep;
    const char *region_sep;
    const char *preset;      /* importers (docs/importers.md) */
    PyObject *repair;        /* None, True or False */
    const char *encoding;
    const char *date_format;
    PyObject *date_window;   /* None or (FROM, TO) years */
    PyObject *threads;       /* None or an int >= 0 (split loads) */
    PyObject *progress;      /* None or a callable(done, total) */
} load_args;

static void load_args_init(load_args *a)
{
    memset(a, 0, sizeof *a);
    a->lexicon = Py_None;
    a->about_tolerance = 0.1;
    a->repair = Py_None;
    a->date_window = Py_None;
    a->threads = Py_None;
    a->progress = Py_None;
}

/* toll_load_options.progress for a Python callable (the ctx): called with
 * the GIL taken, on the loading thread; its errors are reported as
 * unraisable (they cannot stop the load). */
static void py_progress(void *ctx, uint64_t done, uint64_t total)
{
    PyGILState_STATE g = PyGILState_Ensure();
    PyObject *r = PyObject_CallFunction((PyObject *)ctx, "KK",
                                        (unsigned long long)done,
                                        (unsigned long long)total);
    if (r)
        Py_DECREF(r);
    else
        PyErr_WriteUnraisable((PyObject *)ctx);
    PyGILState_Release(g);
}

static int one_char(toll_state *st, const char *option, const char *v,
                    char *out)
{
    if (!v)
        return 0;
    if (strcmp(v, "tab") == 0 || strcmp(v, "\\t") == 0) {
        *out = '\t';
        return 0;
    }
    if (strcmp(option, "delimiter") == 0 && strlen(v) == 1) {
        /* the library's rule of the CSV delimiter, as for the CLI */
        toll_error err;
        toll_error_clear(&err);
        toll_status s = toll_csv_delimiter_check(v[0], &err);
        if (s != TOLL_OK) {
            toll_py_raise_option(st, option, s, &err);
            return -1;
        }
    }
    if (strlen(v) != 1 || (unsigned char)v[0] >= 0x80 || v[0] == '\n' ||
        v[0] == '\r' || v[0] == '"') {
        toll_py_option_error(st, option, v,
                             "expected one ASCII character (or \"tab\"), "
                             "got \"%.100s\"",
                             v);
        return -1;
    }
    *out = v[0];
    return 0;
}

static int parse_format(toll_state *st, const char *v, toll_format *out)
{
    *out = TOLL_FORMAT_AUTO;
    if (!v || !PyOS_stricmp(v, "auto"))
        return 0;
    if (!PyOS_stricmp(v, "json"))
        *out = TOLL_FORMAT_JSON;
    else if (!PyOS_stricmp(v, "jsonl") || !PyOS_stricmp(v, "ndjson") ||
             !PyOS_stricmp(v, "jsonlines"))
        *out = TOLL_FORMAT_JSONL;
    else if (!PyOS_stricmp(v, "csv"))
        *out = TOLL_FORMAT_CSV;
    else {
        toll_py_option_error(st, "format", v,
                             "expected auto, json, jsonl or csv, got "
                             "\"%.100s\"",
                             v);
        return -1;
    }
    return 0;
}

static void load_ctx_release(load_ctx *c)
{
    toll_colmap_free(c->map);
    c->map = NULL;
    toll_py_lexicon_release(c->lex_owner, c->lex_tmp);
    c->lex_owner = NULL;
    c->lex_tmp = NULL;
}

/* Build the load options (with the GIL).  Returns 0 or -1 (exception). */
static int load_ctx_init(toll_state *st, load_ctx *c, const load_args *a)
{
    memset(c, 0, sizeof *c);
    toll_load_options_init(&c->opts);
    if (parse_format(st, a->format, &c->opts.format) < 0)
        return -1;
    c->opts.lenient = a->lenient ? 1 : 0;
    if (!(a->about_tolerance >= 0.0 && a->about_tolerance < 1.0)) {
        char text[64];
        PyOS_snprintf(text, sizeof text, "%g", a->about_tolerance);
        toll_py_option_error(st, "about_tolerance", text,
                             "must be at least 0 and below 1, got %s", text);
        return -1;
    }
    c->opts.parse.about_tolerance = a->about_tolerance;
    if (one_char(st, "delimiter", a->delimiter, &c->opts.csv_delimiter) < 0 ||
        one_char(st, "actor_sep", a->actor_sep, &c->opts.actor_separator) < 0 ||
        one_char(st, "region_sep", a->region_sep,
                 &c->opts.region_separator) < 0)
        return -1;
    toll_error err;
    toll_error_clear(&err);
    if (a->preset && toll_preset_find(a->preset, NULL, &err) != TOLL_OK) {
        toll_py_raise_option(st, "preset", TOLL_EINVAL, &err);
        return -1;
    }
    c->opts.preset = a->preset;
    if (a->repair != Py_None) {
        int on = PyObject_IsTrue(a->repair);
        if (on < 0)
            return -1;
        c->opts.repair = on ? TOLL_REPAIR_ON : TOLL_REPAIR_OFF;
    }
    c->opts.encoding = a->encoding;
    c->opts.date_format = a->date_format;
    if (a->date_window != Py_None) {
        /* (FROM, TO): the years are checked by the library
         * (src/core/date.c) */
        long y[2] = {-1, -1};
        PyObject *seq = PySequence_Check(a->date_window) &&
                                !PyUnicode_Check(a->date_window)
                            ? PySequence_Fast(a->date_window, "")
                            : NULL;
        if (!seq)
            PyErr_Clear();
        for (int k = 0; seq && k < 2 && PySequence_Fast_GET_SIZE(seq) == 2;
             k++) {
            PyObject *v = PySequence_Fast_GET_ITEM(seq, k);
            if (PyLong_Check(v) && !PyBool_Check(v)) {
                y[k] = PyLong_AsLong(v);
                if (y[k] == -1 && PyErr_Occurred())
                    PyErr_Clear();
            }
        }
        Py_XDECREF(seq);
        if (y[0] < 1 || y[1] < 1 || y[0] > 9999 || y[1] > 9999) {
            toll_py_option_error(st, "date_window", "",
                                 "expected None or (FROM, TO): two years "
                                 "such as (1800, 2100)");
            return -1;
        }
        c->opts.date_window_from = (int)y[0];
        c->opts.date_window_to = (int)y[1];
    }
    if (a->threads != Py_None) {
        Py_ssize_t n = PyLong_Check(a->threads)
                           ? PyLong_AsSsize_t(a->threads)
                           : -1;
        if (n == -1 && PyErr_Occurred())
            PyErr_Clear();
        if (n < 0 || PyBool_Check(a->threads)) {
            toll_py_option_error(st, "threads", "",
                                 "expected None, 0 (auto) or a number of "
                                 "threads >= 1");
            return -1;
        }
        c->opts.threads = (size_t)n;
    }
    if (a->progress != Py_None) {
        if (!PyCallable_Check(a->progress)) {
            toll_py_option_error(st, "progress", "",
                                 "expected None or a callable(done, total)");
            return -1;
        }
        c->opts.progress = py_progress;
        c->opts.progress_ctx = a->progress; /* borrowed: alive in kwargs */
    }
    if (a->map || a->map_json || a->map_file) {
        toll_status s = toll_colmap_new(NULL, &c->map, &err);
        if (s != TOLL_OK) {
            c->map = NULL;
            toll_py_raise(st, s, &err, NULL, 0);
            return -1;
        }
        if (a->map_file) {
            errno = 0;
            s = toll_colmap_load_file(c->map, PyBytes_AS_STRING(a->map_file),
                                      &err);
            int e = errno;
            if (s == TOLL_EIO || s == TOLL_ENOTFOUND) {
                toll_py_raise(st, s, &err, a->map_file, e);
                goto fail;
            }
            if (s != TOLL_OK) {
                toll_py_raise_option(st, "map_file", s, &err);
                goto fail;
            }
        }
        if (a->map_json) {
            s = toll_colmap_load_json(c->map, a->map_json, strlen(a->map_json),
                                      "<map>", &err);
            if (s != TOLL_OK) {
                toll_py_raise_option(st, "map", s, &err);
                goto fail;
            }
        }
        if (a->map) {
            s = toll_colmap_parse(c->map, a->map, &err);
            if (s != TOLL_OK) {
                toll_py_raise_option(st, "map", s, &err);
                goto fail;
            }
        }
        c->opts.colmap = c->map;
    }
    if (toll_py_lexicon_acquire(st, a->lexicon, &c->opts.parse.lexicon,
                                &c->lex_owner, &c->lex_tmp) < 0)
        goto fail;
    return 0;
fail:
    load_ctx_release(c);
    return -1;
}

/* Run one load without the GIL: the file at path when path != NULL, else
 * records[0..nrecs) when records != NULL, else the Arrow batches when
 * arrow != NULL, else the buffer.  The load goes
 * into a private store - a copy of the current one (a new store when that
 * is empty) - published in a new holder when done (python/_core.h,
 * "Concurrency").  When another load was published meanwhile, it runs
 * again from the newer store (the inputs are still there), so no load is
 * lost and nothing waits.  A failed load publishes nothing, except that
 * it clears the rejects of an earlier lenient load as a failed load of
 * the library does (src/io/load.c): it then publishes the copy, rolled
 * back to the same reports without the rejects. */
static PyObject *reports_load(ReportsObject *self, PyObject *path,
                              const char *data, size_t len,
                              const toll_record *records, size_t nrecs,
                              const toll_py_arrow *arrow, const char *name,
                              const load_args *a)
{
    toll_state *st = TOLL_PY_STATE(self);
    if (reports_check_readable(self) < 0)
        return NULL;
    load_ctx c;
    if (load_ctx_init(st, &c, a) < 0)
        return NULL;
    toll_error err;
    size_t n_loaded;
    toll_status s;
    int sys_errno;
    toll_py_store *base;
    toll_reports *mine;
    for (;;) {
        base = toll_py_store_ref(self->store);
        const toll_reports *from = base->r;
        toll_error_clear(&err);
        n_loaded = 0;
        sys_errno = 0;
        mine = NULL;
        Py_BEGIN_ALLOW_THREADS
        if (toll_reports_count(from) == 0)
            s = toll_reports_new(NULL, &mine, &err);
        else
            s = toll_reports_copy(from, NULL, &mine, &err);
        if (s == TOLL_OK) {
            errno = 0;
            if (path)
                s = toll_reports_load_file(mine, PyBytes_AS_STRING(path),
                                           &c.opts, &n_loaded, &err);
            else if (records)
                s = toll_reports_load_records(mine, records, nrecs, name,
                                              &c.opts, &n_loaded, &err);
            else if (arrow) {
                toll_py_replay pos;
                struct ArrowArrayStream stream;
                toll_py_arrow_replay(arrow, &pos, &stream);
                s = toll_reports_load_arrow(mine, &stream, name, &c.opts,
                                            &n_loaded, &err);
                stream.release(&stream);
            }
            else
                s = toll_reports_load_buffer(mine, data, len, name, &c.opts,
                                             &n_loaded, &err);
            sys_errno = errno;
        }
        Py_END_ALLOW_THREADS
        if (self->store == base)
            break;
        /* another load was published meanwhile: load again from it */
        toll_reports_free(mine);
        toll_py_store_unref(base);
    }
    load_ctx_release(&c);
    if (mine &&
        (s == TOLL_OK || toll_reports_reject_count(base->r) > 0)) {
        toll_py_store *h = toll_py_store_new(mine);
        if (!h) {
            toll_reports_free(mine);
            toll_py_store_unref(base);
            return NULL;
        }
        self->store = h;
        toll_py_store_unref(base); /* the Reports' reference */
    } else
        toll_reports_free(mine);
    toll_py_store_unref(base);
    if (s != TOLL_OK)
        return toll_py_raise(st, s, &err, path,
                             s == TOLL_EIO || s == TOLL_ENOTFOUND ? sys_errno
                                                                  : 0);
    return PyLong_FromSize_t(n_loaded);
}

#define LOAD_KWARGS                                                          \
    "format", "lenient", "lexicon", "about_tolerance", "map", "map_json",   \
        "map_file", "delimiter", "actor_sep", "region_sep", "preset",      \
        "repair", "encoding", "date_format", "date_window", "threads",     \
        "progress"
#define LOAD_FMT "$zpOdzzO&zzzzOzzOOO"
#define LOAD_PTRS(a)                                                         \
    &(a).format, &(a).lenient, &(a).lexicon, &(a).about_tolerance,         \
        &(a).map, &(a).map_json, toll_py_opt_path, &(a).map_file,           \
        &(a).delimiter, &(a).actor_sep, &(a).region_sep, &(a).preset,      \
        &(a).repair, &(a).encoding, &(a).date_format, &(a).date_window,     \
        &(a).threads, &(a).progress

static PyObject *Reports_load_file(ReportsObject *self, PyObject *args,
                                   PyObject *kwds)
{
    static char *kwlist[] = {"path", LOAD_KWARGS, NULL};
    PyObject *path = NULL;
    load_args a;
    load_args_init(&a);
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O&|" LOAD_FMT ":load_file",
                                     kwlist, PyUnicode_FSConverter, &path,
                                     LOAD_PTRS(a)))
        return NULL;
    PyObject *res = reports_load(self, path, NULL, 0, NULL, 0, NULL, NULL,
                                 &a);
    Py_DECREF(path);
    Py_XDECREF(a.map_file);
    return res;
}

static PyObject *Reports_load_buffer(ReportsObject *self, PyObject *args,
                                     PyObject *kwds)
{
    static char *kwlist[] = {"data", "name", LOAD_KWARGS, NULL};
    Py_buffer buf;
    const char *name = NULL;
    load_args a;
    load_args_init(&a);
    if (!PyArg_ParseTupleAndKeywords(args, kwds,
                                     "s*|z" LOAD_FMT ":load_buffer", kwlist,
                                     &buf, &name, LOAD_PTRS(a)))
        return NULL;
    PyObject *res = reports_load(self, NULL, buf.buf, (size_t)buf.len, NULL,
                                 0, NULL, name ? name : "<buffer>", &a);
    PyBuffer_Release(&buf);
    Py_XDECREF(a.map_file);
    return res;
}

/* --- records (toll_reports_load_records) ------------------------------ */

/* One member while the records are walked: texts as offsets into the
 * build's bytes (which move while they grow). */
typedef struct rb_member {
    size_t key, klen;
    toll_value_type type;
    int boolean;
    size_t text, len;
    size_t item0, nitems; /* LIST: items[item0 ..] */
} rb_member;

typedef struct rec_build {
    char *bytes;
    size_t nbytes, bytes_cap;
    rb_member *m;
    size_t nm, m_cap;
    size_t *item; /* LIST items: offset, length pairs */
    size_t nitem, item_cap;
    size_t *rec;  /* first member of each record, then the end */
    size_t nrec;
    /* the C view, built by rb_finish */
    toll_member *cm;
    toll_record *cr;
    const char **items;
    size_t *item_lens;
} rec_build;

static void rb_free(rec_build *b)
{
    PyMem_Free(b->bytes);
    PyMem_Free(b->m);
    PyMem_Free(b->item);
    PyMem_Free(b->rec);
    PyMem_Free(b->cm);
    PyMem_Free(b->cr);
    PyMem_Free(b->items);
    PyMem_Free(b->item_lens);
}

/* Grow *p (elements of `size` bytes, capacity *cap) to hold `need`. */
static int rb_grow(void **p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    size_t n = *cap ? *cap : 64;
    while (n < need)
        n *= 2;
    void *q = PyMem_Realloc(*p, n * size);
    if (!q) {
        PyErr_NoMemory();
        return -1;
    }
    *p = q;
    *cap = n;
    return 0;
}

/* Append s[0..len); *off receives where. */
static int rb_bytes(rec_build *b, const char *s, size_t len, size_t *off)
{
    if (rb_grow((void **)&b->bytes, &b->bytes_cap, b->nbytes + len + 1, 1) <
        0)
        return -1;
    *off = b->nbytes;
    memcpy(b->bytes + b->nbytes, s, len);
    b->nbytes += len;
    b->bytes[b->nbytes++] = '\0';
    return 0;
}

static int rb_str(rec_build *b, PyObject *o, size_t *off, size_t *len)
{
    Py_ssize_t n;
    const char *s = PyUnicode_AsUTF8AndSize(o, &n);
    if (!s)
        return -1;
    *len = (size_t)n;
    return rb_bytes(b, s, (size_t)n, off);
}

/* 1 if o is a list or tuple of str only. */
static int all_str(PyObject *o)
{
    Py_ssize_t n = PySequence_Fast_GET_SIZE(o);
    PyObject **it = PySequence_Fast_ITEMS(o);
    for (Py_ssize_t i = 0; i < n; i++)
        if (!PyUnicode_Check(it[i]))
            return 0;
    return 1;
}

/* Member value v: None, bool, int, float, str and lists (tuples) of str
 * are read here; anything else goes through `convert` (python/toll/_api.py)
 * once, which returns one of those or bytes of JSON text. */
static int rb_value(rec_build *b, rb_member *p, PyObject *v,
                    PyObject *convert)
{
    char num[64];
    p->type = TOLL_VALUE_NULL;
    if (v == Py_None)
        return 0;
    if (PyBool_Check(v)) {
        p->type = TOLL_VALUE_BOOL;
        p->boolean = v == Py_True;
        return 0;
    }
    if (PyLong_Check(v)) {
        int overflow = 0;
        long long x = PyLong_AsLongLongAndOverflow(v, &overflow);
        if (x == -1 && PyErr_Occurred())
            return -1;
        p->type = TOLL_VALUE_NUMBER;
        if (!overflow) {
            int k = PyOS_snprintf(num, sizeof num, "%lld", x);
            p->len = (size_t)k;
            return rb_bytes(b, num, (size_t)k, &p->text);
        }
        PyObject *t = PyObject_Str(v);
        if (!t)
            return -1;
        int r = rb_str(b, t, &p->text, &p->len);
        Py_DECREF(t);
        return r;
    }
    if (PyFloat_Check(v)) {
        double d = PyFloat_AS_DOUBLE(v);
        if (d != d) /* NaN: missing */
            return 0;
        p->type = TOLL_VALUE_NUMBER;
        if (d - d != 0) { /* infinities: an error of the C reader, naming
                           * the record and the field */
            p->len = d > 0 ? 3 : 4;
            return rb_bytes(b, d > 0 ? "inf" : "-inf", p->len, &p->text);
        }
        /* integral and below 2^53: its digits (as a JSON load of the
         * same record would read them) */
        if (d < 9007199254740992.0 && d > -9007199254740992.0 &&
            d == (double)(long long)d) {
            int k = PyOS_snprintf(num, sizeof num, "%lld", (long long)d);
            p->len = (size_t)k;
            return rb_bytes(b, num, (size_t)k, &p->text);
        }
        char *t = PyOS_double_to_string(d, 'r', 0, 0, NULL);
        if (!t)
            return -1;
        p->len = strlen(t);
        int r = rb_bytes(b, t, p->len, &p->text);
        PyMem_Free(t);
        return r;
    }
    if (PyUnicode_Check(v)) {
        p->type = TOLL_VALUE_STRING;
        return rb_str(b, v, &p->text, &p->len);
    }
    if ((PyList_Check(v) || PyTuple_Check(v)) && all_str(v)) {
        Py_ssize_t n = PySequence_Fast_GET_SIZE(v);
        PyObject **it = PySequence_Fast_ITEMS(v);
        p->type = TOLL_VALUE_LIST;
        p->item0 = b->nitem;
        p->nitems = (size_t)n;
        if (rb_grow((void **)&b->item, &b->item_cap,
                    2 * (b->nitem + (size_t)n), sizeof *b->item) < 0)
            return -1;
        for (Py_ssize_t i = 0; i < n; i++) {
            size_t *slot = &b->item[2 * (b->nitem + (size_t)i)];
            if (rb_str(b, it[i], &slot[0], &slot[1]) < 0)
                return -1;
        }
        b->nitem += (size_t)n;
        return 0;
    }
    if (PyBytes_Check(v) && !convert) {
        p->type = TOLL_VALUE_JSON;
        p->len = (size_t)PyBytes_GET_SIZE(v);
        return rb_bytes(b, PyBytes_AS_STRING(v), p->len, &p->text);
    }
    if (!convert) {
        PyErr_Format(PyExc_TypeError, "cannot store a %.100s in a report",
                     Py_TYPE(v)->tp_name);
        return -1;
    }
    PyObject *c = PyObject_CallOneArg(convert, v);
    if (!c)
        return -1;
    int r = rb_value(b, p, c, NULL);
    Py_DECREF(c);
    return r;
}

/* One record (a dict, or any mapping). */
static int rb_record(rec_build *b, PyObject *rec, PyObject *convert)
{
    PyObject *items = NULL;
    if (!PyDict_Check(rec)) {
        if (!PyMapping_Check(rec) || PyUnicode_Check(rec) ||
            PyList_Check(rec) || PyTuple_Check(rec)) {
            PyErr_Format(PyExc_TypeError, "must be a dict, not %.100s",
                         Py_TYPE(rec)->tp_name);
            return -1;
        }
        items = PyMapping_Items(rec);
        if (!items)
            return -1;
    }
    Py_ssize_t pos = 0, k = 0;
    PyObject *key, *val;
    int r = 0;
    for (;;) {
        if (items) {
            if (k >= PyList_GET_SIZE(items))
                break;
            PyObject *kv = PyList_GET_ITEM(items, k++);
            if (!PyTuple_Check(kv) || PyTuple_GET_SIZE(kv) != 2) {
                PyErr_SetString(PyExc_TypeError, "items() must give pairs");
                r = -1;
                break;
            }
            key = PyTuple_GET_ITEM(kv, 0);
            val = PyTuple_GET_ITEM(kv, 1);
        } else if (!PyDict_Next(rec, &pos, &key, &val)) {
            break;
        }
        if (rb_grow((void **)&b->m, &b->m_cap, b->nm + 1, sizeof *b->m) < 0) {
            r = -1;
            break;
        }
        rb_member *p = &b->m[b->nm];
        memset(p, 0, sizeof *p);
        Py_INCREF(key);
        Py_INCREF(val);
        PyObject *ks = PyUnicode_Check(key) ? (Py_INCREF(key), key)
                                            : PyObject_Str(key);
        r = ks ? rb_str(b, ks, &p->key, &p->klen) : -1;
        Py_XDECREF(ks);
        if (!r)
            r = rb_value(b, p, val, convert);
        Py_DECREF(key);
        Py_DECREF(val);
        if (r)
            break;
        b->nm++;
    }
    Py_XDECREF(items);
    return r;
}

/* The C view of the walked records (pointers now that nothing moves). */
static int rb_finish(rec_build *b)
{
    b->cm = PyMem_Malloc((b->nm ? b->nm : 1) * sizeof *b->cm);
    b->cr = PyMem_Malloc((b->nrec ? b->nrec : 1) * sizeof *b->cr);
    b->items = PyMem_Malloc((b->nitem ? b->nitem : 1) * sizeof *b->items);
    b->item_lens =
        PyMem_Malloc((b->nitem ? b->nitem : 1) * sizeof *b->item_lens);
    if (!b->cm || !b->cr || !b->items || !b->item_lens) {
        PyErr_NoMemory();
        return -1;
    }
    for (size_t i = 0; i < b->nitem; i++) {
        b->items[i] = b->bytes + b->item[2 * i];
        b->item_lens[i] = b->item[2 * i + 1];
    }
    for (size_t i = 0; i < b->nm; i++) {
        const rb_member *p = &b->m[i];
        toll_member *m = &b->cm[i];
        memset(m, 0, sizeof *m);
        m->key = b->bytes + p->key;
        m->key_len = p->klen;
        m->value.type = p->type;
        m->value.boolean = p->boolean;
        if (p->type == TOLL_VALUE_NUMBER || p->type == TOLL_VALUE_STRING ||
            p->type == TOLL_VALUE_JSON) {
            m->value.text = b->bytes + p->text;
            m->value.len = p->len;
        } else if (p->type == TOLL_VALUE_LIST) {
            m->value.items = b->items + p->item0;
            m->value.item_lens = b->item_lens + p->item0;
            m->value.n_items = p->nitems;
        }
    }
    for (size_t r = 0; r < b->nrec; r++) {
        b->cr[r].members = b->cm + b->rec[r];
        b->cr[r].n_members = b->rec[r + 1] - b->rec[r];
    }
    return 0;
}

/* Reports.load_records(records, convert, name=None, **load options):
 * the dicts walked into members (with the GIL), then loaded by
 * toll_reports_load_records (without it). */
static PyObject *Reports_load_records(ReportsObject *self, PyObject *args,
                                      PyObject *kwds)
{
    static char *kwlist[] = {"records", "convert", "name", LOAD_KWARGS,
                             NULL};
    PyObject *records, *convert;
    const char *name = NULL;
    load_args a;
    load_args_init(&a);
    if (!PyArg_ParseTupleAndKeywords(args, kwds,
                                     "OO|z" LOAD_FMT ":load_records", kwlist,
                                     &records, &convert, &name, LOAD_PTRS(a)))
        return NULL;
    PyObject *res = NULL;
    rec_build b;
    memset(&b, 0, sizeof b);
    PyObject *seq = PySequence_Fast(records, "records must be iterable");
    if (!seq)
        goto done;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    b.rec = PyMem_Malloc(((size_t)n + 1) * sizeof *b.rec);
    if (!b.rec) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        b.rec[i] = b.nm;
        PyObject *rec = PySequence_Fast_GET_ITEM(seq, i);
        Py_INCREF(rec);
        int r = rb_record(&b, rec, convert);
        Py_DECREF(rec);
        if (r < 0) {
            /* a TypeError names the record */
            if (PyErr_ExceptionMatches(PyExc_TypeError)) {
                PyObject *type, *value, *tb;
                PyErr_Fetch(&type, &value, &tb);
                PyErr_NormalizeException(&type, &value, &tb);
                PyObject *msg = value ? PyObject_Str(value) : NULL;
                const char *m = msg ? PyUnicode_AsUTF8(msg) : NULL;
                if (m) {
                    PyErr_Format(PyExc_TypeError,
                                 strncmp(m, "must be", 7) == 0
                                     ? "record %zd %s"
                                     : "record %zd: %s",
                                 i, m);
                    Py_XDECREF(type);
                    Py_XDECREF(value);
                    Py_XDECREF(tb);
                } else {
                    PyErr_Clear();
                    PyErr_Restore(type, value, tb);
                }
                Py_XDECREF(msg);
            }
            goto done;
        }
    }
    b.nrec = (size_t)n;
    b.rec[n] = b.nm;
    if (rb_finish(&b) < 0)
        goto done;
    res = reports_load(self, NULL, NULL, 0, b.cr, b.nrec, NULL,
                       name ? name : "<records>", &a);
done:
    Py_XDECREF(seq);
    rb_free(&b);
    Py_XDECREF(a.map_file);
    return res;
}

/* --- Arrow (toll_reports_load_arrow) ------------------------------------ */

/* Reports.load_arrow(capsule, name=None, **load options): the stream of an
 * __arrow_c_stream__ capsule, taken with the GIL (python/_arrow_in.h) and
 * loaded without it. */
static PyObject *Reports_load_arrow(ReportsObject *self, PyObject *args,
                                    PyObject *kwds)
{
    static char *kwlist[] = {"stream", "name", LOAD_KWARGS, NULL};
    PyObject *capsule;
    const char *name = NULL;
    load_args a;
    load_args_init(&a);
    if (!PyArg_ParseTupleAndKeywords(args, kwds,
                                     "O|z" LOAD_FMT ":load_arrow", kwlist,
                                     &capsule, &name, LOAD_PTRS(a)))
        return NULL;
    PyObject *res = NULL;
    toll_py_arrow arrow;
    if (toll_py_arrow_take(capsule, &arrow) == 0) {
        res = reports_load(self, NULL, NULL, 0, NULL, 0, &arrow,
                           name ? name : "<arrow>", &a);
        toll_py_arrow_free(&arrow);
    }
    Py_XDECREF(a.map_file);
    return res;
}

/* Reports.load_columns(names, columns, name=None, **load options): one
 * Arrow batch made from NumPy column buffers (python/_arrow_in.h), loaded
 * without the GIL. */
static PyObject *Reports_load_columns(ReportsObject *self, PyObject *args,
                                      PyObject *kwds)
{
    static char *kwlist[] = {"names", "columns", "name", LOAD_KWARGS, NULL};
    PyObject *names, *columns;
    const char *name = NULL;
    load_args a;
    load_args_init(&a);
    if (!PyArg_ParseTupleAndKeywords(args, kwds,
                                     "OO|z" LOAD_FMT ":load_columns", kwlist,
                                     &names, &columns, &name, LOAD_PTRS(a)))
        return NULL;
    PyObject *res = NULL;
    toll_py_arrow arrow;
    if (toll_py_arrow_from_columns(names, columns, &arrow) == 0) {
        res = reports_load(self, NULL, NULL, 0, NULL, 0, &arrow,
                           name ? name : "<arrow>", &a);
        toll_py_arrow_free(&arrow);
    }
    Py_XDECREF(a.map_file);
    return res;
}

/* The stored reports as a Table (toll_reports_table), built without the
 * GIL from the current store. */
static PyObject *Reports_table(ReportsObject *self,
                               PyObject *Py_UNUSED(ignored))
{
    toll_state *st = TOLL_PY_STATE(self);
    if (reports_check_readable(self) < 0)
        return NULL;
    toll_table *t = NULL;
    toll_error err;
    toll_error_clear(&err);
    toll_status s;
    toll_py_store *h = toll_py_store_ref(self->store);
    Py_BEGIN_ALLOW_THREADS
    s = toll_reports_table(h->r, NULL, &t, &err);
    Py_END_ALLOW_THREADS
    toll_py_store_unref(h);
    if (s != TOLL_OK)
        return toll_py_raise(st, s, &err, NULL, 0);
    return toll_py_table_new(st, t);
}

static Py_ssize_t Reports_len(ReportsObject *self)
{
    if (reports_check_readable(self) < 0)
        return -1;
    /* the current store: a load running in another thread is not in it */
    return (Py_ssize_t)toll_reports_count(self->store->r);
}

static const toll_error *reject_at(const void *r, size_t i)
{
    return toll_reports_reject(r, i);
}

static PyObject *rejects_list(const toll_reports *r)
{
    return toll_py_error_list(r, toll_reports_reject_count(r), reject_at);
}

static const toll_error *warning_at(const void *r, size_t i)
{
    return toll_reports_warning(r, i);
}

/* The warnings of the last load, as dicts like the rejects. */
static PyObject *warnings_list(const toll_reports *r)
{
    return toll_py_error_list(r, toll_reports_warning_count(r), warning_at);
}

static PyObject *Reports_get_warnings(ReportsObject *self, void *closure)
{
    if (reports_check_readable(self) < 0)
        return NULL;
    toll_py_store *h = toll_py_store_ref(self->store);
    PyObject *res = warnings_list(h->r);
    toll_py_store_unref(h);
    return res;
}

static PyObject *Reports_get_rejects(ReportsObject *self, void *closure)
{
    if (reports_check_readable(self) < 0)
        return NULL;
    /* a reference: building the list may run code that loads into self */
    toll_py_store *h = toll_py_store_ref(self->store);
    PyObject *res = rejects_list(h->r);
    toll_py_store_unref(h);
    return res;
}

/* The repairs of the reports (toll_reports_repair): dicts like rejects. */
static PyObject *repairs_list(const toll_reports *r)
{
    size_t n = toll_reports_repair_count(r);
    PyObject *list = PyList_New((Py_ssize_t)n);
    if (!list)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        toll_error e;
        toll_error_clear(&e);
        PyObject *d;
        if (toll_reports_repair(r, i, &e) == TOLL_OK)
            d = toll_py_error_dict(&e);
        else {
            d = Py_None;
            Py_INCREF(d);
        }
        if (!d) {
            Py_DECREF(list);
            return NULL;
        }
        PyList_SET_ITEM(list, (Py_ssize_t)i, d);
    }
    return list;
}

static PyObject *Reports_get_repairs(ReportsObject *self, void *closure)
{
    if (reports_check_readable(self) < 0)
        return NULL;
    toll_py_store *h = toll_py_store_ref(self->store);
    PyObject *res = repairs_list(h->r);
    toll_py_store_unref(h);
    return res;
}

static PyObject *categories_list(const toll_reports *r)
{
    size_t n = toll_reports_category_count(r);
    PyObject *list = PyList_New((Py_ssize_t)n);
    if (!list)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        PyObject *s = toll_py_str(toll_reports_category(r, i));
        if (!s) {
            Py_DECREF(list);
            return NULL;
        }
        PyList_SET_ITEM(list, (Py_ssize_t)i, s);
    }
    return list;
}

static PyObject *Reports_get_categories(ReportsObject *self, void *closure)
{
    if (reports_check_readable(self) < 0)
        return NULL;
    toll_py_store *h = toll_py_store_ref(self->store);
    PyObject *res = categories_list(h->r);
    toll_py_store_unref(h);
    return res;
}

static PyObject *Reports_reconcile(ReportsObject *self, PyObject *args,
                                   PyObject *kwds)
{
    static char *kwlist[] = {"policy",     "self_reports", "link",
                             "link_days",  "link_level",   "link_actors",
                             "link_max_span", "links",     NULL};
    const char *policy = NULL, *self_reports = NULL, *link = NULL,
               *link_actors = NULL;
    PyObject *link_days = NULL, *link_level = NULL, *link_max_span = NULL,
             *links = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|zzzOOzOO:reconcile",
                                     kwlist, &policy, &self_reports, &link,
                                     &link_days, &link_level, &link_actors,
                                     &link_max_span, &links))
        return NULL;
    toll_state *st = TOLL_PY_STATE(self);
    if (reports_check_readable(self) < 0)
        return NULL;
    toll_reconcile_options opts;
    toll_reconcile_options_init(&opts);
    toll_error err;
    toll_error_clear(&err);
    toll_status s;
    if (policy && (s = toll_policy_parse(policy, &opts.policy, &err)))
        return toll_py_raise_option(st, "policy", s, &err);
    if (self_reports &&
        (s = toll_self_reports_parse(self_reports, &opts.self_reports, &err)))
        return toll_py_raise_option(st, "self_reports", s, &err);
    if (toll_py_link_options(st, link, link_days, link_level, link_actors,
                             link_max_span, &opts) < 0) /* python/_link.c */
        return NULL;
    if (links == Py_None)
        links = NULL;
    if (links) {
        /* the precomputed links of Reports.link (python/_links.c) */
        if (!PyObject_TypeCheck(links, st->Links_Type) ||
            !((LinksObject *)links)->links) {
            PyErr_Format(PyExc_TypeError, "links must be a Links (from "
                         "Reports.link), not %.100s",
                         Py_TYPE(links)->tp_name);
            return NULL;
        }
        if (opts.link != TOLL_LINK_AUTO)
            return toll_py_option_error(st, "links", "",
                                        "links need link=\"auto\"");
        opts.links = ((LinksObject *)links)->links;
    }

    IncidentsObject *inc = (IncidentsObject *)st->Incidents_Type->tp_alloc(
        st->Incidents_Type, 0);
    if (!inc)
        return NULL;
    toll_incidents *out = NULL;
    /* reconcile only reads the store; the incidents keep the holder */
    toll_py_store *h = toll_py_store_ref(self->store);
    Py_BEGIN_ALLOW_THREADS
    s = toll_reconcile(h->r, &opts, NULL, &out, &err);
    Py_END_ALLOW_THREADS
    if (s != TOLL_OK) {
        toll_py_store_unref(h);
        Py_DECREF(inc);
        return toll_py_raise(st, s, &err, NULL, 0);
    }
    inc->inc = out;
    inc->store = h;
    inc->opts = opts;
    Py_XINCREF(links);
    inc->links = links; /* keeps opts.links alive */
    Py_INCREF(self);
    inc->reports = self;
    return (PyObject *)inc;
}

static PyObject *Reports_repr(ReportsObject *self)
{
    if (!self->store)
        return PyUnicode_FromString("<toll._core.Reports>");
    size_t n = toll_reports_count(self->store->r);
    return PyUnicode_FromFormat("<toll._core.Reports: %zu reports>", n);
}

#define LOAD_DOC                                                             \
    "Options (keyword-only): format ('auto', 'json', 'jsonl', 'csv'),\n"    \
    "lenient (keep valid records and list the others in .rejects),\n"       \
    "lexicon (Lexicon or preset name), about_tolerance, map (column-map\n"  \
    "spec 'killed=min..max,actor=side_a'), map_json (the same as JSON),\n"  \
    "map_file (a JSON column-map file), delimiter, actor_sep, region_sep\n" \
    "(one character; 'tab' for a tab).\n"                                   \
    "A strict load that fails raises ParseError/ReportError and leaves\n"   \
    "the store exactly as before.  Returns the number of reports added."

static PyObject *Reports_summarize_stream(ReportsObject *self,
                                          PyObject *args, PyObject *kwds);

static PyMethodDef Reports_methods[] = {
    {"load_records", (PyCFunction)(void (*)(void))Reports_load_records,
     METH_VARARGS | METH_KEYWORDS,
     "load_records(records, convert, name=None, **options) -> int: append "
     "dicts (toll_reports_load_records); convert(value) turns a value that "
     "is not None, bool, int, float, str or a list of str into one, or into "
     "bytes of JSON text."},
    {"load_arrow", (PyCFunction)(void (*)(void))Reports_load_arrow,
     METH_VARARGS | METH_KEYWORDS,
     "load_arrow(stream, name=None, **options) -> int: append the rows of "
     "the Arrow stream in a PyCapsule returned by __arrow_c_stream__() "
     "(toll_reports_load_arrow; the capsule is read to its end)."},
    {"load_columns", (PyCFunction)(void (*)(void))Reports_load_columns,
     METH_VARARGS | METH_KEYWORDS,
     "load_columns(names, columns, name=None, **options) -> int: append "
     "one report per row of columns given as (kind, values) pairs: "
     "('number', a NumPy array of integers, floats or bools), "
     "('timestamp[ns]', a NumPy int64 array; also s, ms, us) or "
     "('string', a sequence of str and None/NaN), loaded as an Arrow "
     "batch (toll_reports_load_arrow)."},
    {"summarize_stream", (PyCFunction)(void (*)(void))Reports_summarize_stream,
     METH_VARARGS | METH_KEYWORDS,
     "summarize_stream(paths, load, reconcile, summarize) -> (Table, "
     "warnings, rejects): the one-pass summary of the files (a path of None: "
     "standard input) without keeping the reports (toll_summarize_stream); "
     "load, reconcile (policy, self_reports, link) and summarize are dicts "
     "of the keywords of load_file, Reports.reconcile and "
     "Incidents.summarize."},
    {"table", (PyCFunction)Reports_table, METH_NOARGS,
     "table() -> Table: one row per stored report (toll_reports_table)."},
    {"load_file", (PyCFunction)(void (*)(void))Reports_load_file,
     METH_VARARGS | METH_KEYWORDS,
     "load_file(path, *, format=None, lenient=False, lexicon=None,\n"
     "          about_tolerance=0.1, map=None, map_json=None, map_file=None,\n"
     "          delimiter=None, actor_sep=None, region_sep=None)\n--\n\n"
     "Append the reports of a .json / .jsonl / .csv file.\n" LOAD_DOC},
    {"load_buffer", (PyCFunction)(void (*)(void))Reports_load_buffer,
     METH_VARARGS | METH_KEYWORDS,
     "load_buffer(data, name=None, *, format=None, lenient=False, ...)\n"
     "--\n\n"
     "Append the reports in data (bytes or str); name names the input in\n"
     "error messages.  With format 'auto' the format is sniffed.\n" LOAD_DOC},
    {"reconcile", (PyCFunction)(void (*)(void))Reports_reconcile,
     METH_VARARGS | METH_KEYWORDS,
     "reconcile(policy='envelope', self_reports='exclude', link='none',\n"
     "          link_days=1, link_level=1, link_actors='overlap',\n"
     "          link_max_span=7, links=None)\n--\n\n"
     "Reconcile every incident; returns Incidents (which keep these\n"
     "Reports alive and keep describing the reports they were made from\n"
     "whatever is loaded later).  link='auto' links the reports of one\n"
     "incident across sources with the probabilistic linker (links: the\n"
     "Links of Reports.link to use); link='rule' links reports without\n"
     "an incident key by the earlier rule (docs/linking.md)."},
    {"link", (PyCFunction)(void (*)(void))toll_py_reports_link,
     METH_VARARGS | METH_KEYWORDS,
     "link(*, window=2, upper=0.9, lower=0.5, same_source='forbid',\n"
     "     max_span=7, model_json=None, model_file=None, names_file=None,\n"
     "     labels=None, seed=1, threads=0)\n--\n\n"
     "Link the reports of one incident across sources with the\n"
     "probabilistic linker (python/_links.c); returns Links."},
    {NULL, NULL, 0, NULL}};

static PyGetSetDef Reports_getset[] = {
    {"rejects", (getter)Reports_get_rejects, NULL,
     "Records rejected by the last lenient load: a list of dicts with code,\n"
     "file, line, record, field, text and message.",
     NULL},
    {"warnings", (getter)Reports_get_warnings, NULL,
     "Warnings of the last load (no report carries any casualty category,\n"
     "...): a list of dicts like the rejects.  toll.read and Reports.load\n"
     "issue each as a toll.TollWarning.",
     NULL},
    {"repairs", (getter)Reports_get_repairs, NULL,
     "repairs of figures out of order and of region levels (dicts)", NULL},
    {"categories", (getter)Reports_get_categories, NULL,
     "Casualty categories seen, in first-seen order.", NULL},
    {"__dict__", PyObject_GenericGetDict, PyObject_GenericSetDict, NULL,
     NULL},
    {NULL, NULL, NULL, NULL, NULL}};

static PyMemberDef Reports_members[] = {
    {"__dictoffset__", T_PYSSIZET, offsetof(ReportsObject, dict), READONLY,
     NULL},
    {"__weaklistoffset__", T_PYSSIZET, offsetof(ReportsObject, weakrefs),
     READONLY, NULL},
    {NULL, 0, 0, 0, NULL}};

static PyType_Slot Reports_slots[] = {
    {Py_tp_doc, "Reports()\n--\n\n"
                "A store of casualty reports (claims), loaded from JSON, JSON "
                "Lines or CSV."},
    {Py_tp_new, Reports_new},
    {Py_tp_dealloc, Reports_dealloc},
    {Py_tp_traverse, Reports_traverse},
    {Py_tp_clear, Reports_clear},
    {Py_tp_repr, Reports_repr},
    {Py_tp_methods, Reports_methods},
    {Py_tp_getset, Reports_getset},
    {Py_tp_members, Reports_members},
    {Py_sq_length, Reports_len},
    {0, NULL}};

PyType_Spec toll_py_reports_spec = {
    .name = "toll._core.Reports",
    .basicsize = sizeof(ReportsObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .slots = Reports_slots,
};

/* ======================================================================== */
/* Incidents                                                                 */
/* ======================================================================== */

static PyObject *no_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    PyErr_Format(PyExc_TypeError, "cannot create '%.100s' instances directly",
                 type->tp_name);
    return NULL;
}

static int incidents_check(IncidentsObject *self)
{
    if (!self->inc || !self->store) {
        PyErr_SetString(PyExc_ValueError,
                        "Incidents object is empty (cleared or not created "
                        "by Reports.reconcile)");
        return -1;
    }
    return 0;
}

/* Free the C incidents before dropping the store they point into. */
static void incidents_release(IncidentsObject *self)
{
    if (self->inc) {
        toll_incidents_free(self->inc);
        self->inc = NULL;
    }
    toll_py_store_unref(self->store);
    self->store = NULL;
    if (self->reports) {
        ReportsObject *r = self->reports;
        self->reports = NULL;
        Py_DECREF(r);
    }
    self->opts.links = NULL;
    Py_CLEAR(self->links);
}

static int Incidents_traverse(IncidentsObject *self, visitproc visit,
                              void *arg)
{
    Py_VISIT(Py_TYPE(self));
    Py_VISIT(self->dict);
    Py_VISIT((PyObject *)self->reports);
    Py_VISIT(self->links);
    return 0;
}

static int Incidents_clear(IncidentsObject *self)
{
    Py_CLEAR(self->dict);
    incidents_release(self);
    return 0;
}

static void Incidents_dealloc(IncidentsObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    PyObject_GC_UnTrack(self);
    if (self->weakrefs)
        PyObject_ClearWeakRefs((PyObject *)self);
    Incidents_clear(self);
    tp->tp_free((PyObject *)self);
    Py_DECREF(tp);
}

static Py_ssize_t Incidents_len(IncidentsObject *self)
{
    if (incidents_check(self) < 0)
        return -1;
    return (Py_ssize_t)toll_incidents_count(self->inc);
}

static PyObject *Incidents_table(IncidentsObject *self,
                                 PyObject *Py_UNUSED(ignored))
{
    toll_state *st = TOLL_PY_STATE(self);
    if (incidents_check(self) < 0)
        return NULL;
    toll_table *t = NULL;
    toll_error err;
    toll_error_clear(&err);
    toll_status s;
    /* the incidents' store is never written: nothing to wait for */
    Py_BEGIN_ALLOW_THREADS
    s = toll_incidents_table(self->inc, NULL, &t, &err);
    Py_END_ALLOW_THREADS
    if (s != TOLL_OK)
        return toll_py_raise(st, s, &err, NULL, 0);
    return toll_py_table_new(st, t);
}

/* by: None, "a,b" or a sequence of str -> new str or NULL (None). */
static int join_by(PyObject *by, PyObject **out)
{
    *out = NULL;
    if (!by || by == Py_None)
        return 0;
    if (PyUnicode_Check(by)) {
        Py_INCREF(by);
        *out = by;
        return 0;
    }
    PyObject *seq = PySequence_Fast(by, "by must be a str or a list of str");
    if (!seq)
        return -1;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *o = PySequence_Fast_GET_ITEM(seq, i);
        if (!PyUnicode_Check(o)) {
            PyErr_Format(PyExc_TypeError, "by[%zd] must be str, not %.100s",
                         i, Py_TYPE(o)->tp_name);
            Py_DECREF(seq);
            return -1;
        }
    }
    PyObject *sep = PyUnicode_FromString(",");
    if (!sep) {
        Py_DECREF(seq);
        return -1;
    }
    *out = PyUnicode_Join(sep, seq);
    Py_DECREF(sep);
    Py_DECREF(seq);
    return *out ? 0 : -1;
}

/* where: None, "FIELD=VALUE" or a sequence of such str -> a new tuple
 * (*seq, kept alive by the caller) and a PyMem array of UTF-8 pointers. */
static int where_items(PyObject *o, PyObject **seq, const char ***items,
                       size_t *n)
{
    *seq = NULL;
    *items = NULL;
    *n = 0;
    if (o == Py_None)
        return 0;
    *seq = PyUnicode_Check(o) ? PyTuple_Pack(1, o)
                              : PySequence_Tuple(o);
    if (!*seq)
        return -1;
    Py_ssize_t k = PyTuple_GET_SIZE(*seq);
    *items = PyMem_Calloc((size_t)k + 1, sizeof **items);
    if (!*items) {
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < k; i++) {
        PyObject *it = PyTuple_GET_ITEM(*seq, i);
        if (!PyUnicode_Check(it)) {
            PyErr_Format(PyExc_TypeError,
                         "where[%zd] must be str ('FIELD=VALUE'), not %.100s",
                         i, Py_TYPE(it)->tp_name);
            return -1;
        }
        if (!((*items)[i] = PyUnicode_AsUTF8(it)))
            return -1;
    }
    *n = (size_t)k;
    return 0;
}

/* What a summary runs on once its options are read: the incidents of
 * Incidents.summarize, or the inputs of Reports.summarize_stream.  Called
 * without the GIL. */
typedef toll_status (*summarize_run)(void *ctx,
                                     const toll_summarize_options *opts,
                                     toll_table **t, toll_error *err,
                                     int *sys_errno);

static toll_status run_incidents(void *ctx, const toll_summarize_options *o,
                                 toll_table **t, toll_error *err,
                                 int *sys_errno)
{
    *sys_errno = 0;
    return toll_summarize(ctx, o, NULL, t, err);
}

/* The summary keywords (those of Incidents.summarize) read into options,
 * then run(ctx, ...): a new Table, or NULL with an exception set (option
 * errors as OptionError naming the option; with `loads`, the errors of
 * the inputs as a load raises them). */
static PyObject *summarize_kwargs(toll_state *st, PyObject *args,
                                  PyObject *kwds, summarize_run run,
                                  void *ctx, int loads)
{
    static char *kwlist[] = {"by",        "category", "attribution",
                             "span",      "min_grade", "date_from",
                             "date_to",   "region",   "actors",
                             "where",     "min_data_grade",
                             /* keyword-only: intervals (python/_mse.c) */
                             "interval",  "dist",     "draws",
                             "seed",      "open_cap", "quantiles",
                             "engine",    "max_rows",
                             NULL};
    PyObject *iv_method = NULL, *iv_dist = NULL, *iv_draws = NULL,
             *iv_seed = NULL, *iv_cap = NULL, *iv_q = NULL, *iv_engine = NULL;
    PyObject *max_rows_o = Py_None; /* toll_summarize_options.max_rows */
    PyObject *by_o = Py_None, *actors_o = Py_None, *where_o = Py_None;
    const char *min_data_grade = NULL; /* kept fields (importers) */
    const char *category = NULL, *attribution = NULL, *span = NULL,
               *min_grade = NULL, *date_from = NULL, *date_to = NULL,
               *region = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwds,
                                     "|OzzzzzzzOOz$OOOOOOOO:summarize",
                                     kwlist, &by_o, &category, &attribution,
                                     &span, &min_grade, &date_from, &date_to,
                                     &region, &actors_o, &where_o,
                                     &min_data_grade, &iv_method, &iv_dist,
                                     &iv_draws, &iv_seed, &iv_cap, &iv_q,
                                     &iv_engine, &max_rows_o))
        return NULL;

    toll_summarize_options opts;
    toll_summarize_options_init(&opts);
    toll_error err;
    toll_error_clear(&err);
    toll_status s;
    PyObject *by = NULL, *actors_seq = NULL, *result = NULL;
    const char **actors = NULL;
    PyObject *where_seq = NULL;
    const char **where = NULL;
    toll_table *t = NULL;
    double iv_qbuf[TOLL_INTERVAL_MAX_QUANTILES];

    if (join_by(by_o, &by) < 0)
        goto cleanup;
    if (max_rows_o != Py_None) { /* 0: the default, as in C */
        if (!PyLong_Check(max_rows_o)) {
            PyErr_Format(PyExc_TypeError, "max_rows must be int, not %.100s",
                         Py_TYPE(max_rows_o)->tp_name);
            goto cleanup;
        }
        size_t v = PyLong_AsSize_t(max_rows_o);
        if (v == (size_t)-1 && PyErr_Occurred())
            goto cleanup;
        opts.max_rows = v;
    }
    if (toll_py_interval_options(st, iv_method, iv_dist, iv_draws, iv_seed,
                                 iv_cap, iv_q, iv_engine, &opts.interval,
                                 iv_qbuf) < 0)
        goto cleanup;
    if (where_items(where_o, &where_seq, &where, &opts.n_where) < 0)
        goto cleanup;
    opts.where = where;
    opts.min_data_grade = min_data_grade;
    if (by && !(opts.by = PyUnicode_AsUTF8(by)))
        goto cleanup;
    opts.category = category;
    if (attribution &&
        (s = toll_attribution_parse(attribution, &opts.attribution, &err))) {
        toll_py_raise_option(st, "attribution", s, &err);
        goto cleanup;
    }
    if (span && (s = toll_span_parse(span, &opts.span, &err))) {
        toll_py_raise_option(st, "span", s, &err);
        goto cleanup;
    }
    if (min_grade && min_grade[0] &&
        (s = toll_grade_parse(min_grade, &opts.min_grade, &err))) {
        toll_py_raise_option(st, "min_grade", s, &err);
        goto cleanup;
    }
    opts.date_from = date_from;
    opts.date_to = date_to;
    opts.region_prefix = region;
    if (actors_o != Py_None) {
        if (PyUnicode_Check(actors_o))
            actors_seq = PyTuple_Pack(1, actors_o);
        else
            actors_seq = PySequence_Fast(actors_o,
                                         "actors must be a str or a list of "
                                         "str");
        if (!actors_seq)
            goto cleanup;
        Py_ssize_t n = PySequence_Fast_GET_SIZE(actors_seq);
        actors = PyMem_Calloc((size_t)n + 1, sizeof *actors);
        if (!actors) {
            PyErr_NoMemory();
            goto cleanup;
        }
        for (Py_ssize_t i = 0; i < n; i++) {
            PyObject *o = PySequence_Fast_GET_ITEM(actors_seq, i);
            if (!PyUnicode_Check(o)) {
                PyErr_Format(PyExc_TypeError,
                             "actors[%zd] must be str, not %.100s", i,
                             Py_TYPE(o)->tp_name);
                goto cleanup;
            }
            if (!(actors[i] = PyUnicode_AsUTF8(o)))
                goto cleanup;
        }
        opts.actors = actors;
        opts.n_actors = (size_t)n;
    }

    int sys_errno = 0;
    Py_BEGIN_ALLOW_THREADS
    s = run(ctx, &opts, &t, &err, &sys_errno);
    Py_END_ALLOW_THREADS
    if (s != TOLL_OK) {
        if (s == TOLL_EINVAL || (s == TOLL_ENOTFOUND && !loads))
            toll_py_raise_option(st, err.field[0] ? err.field : "summarize", s,
                                 &err);
        else {
            /* an input that cannot be opened: OSError naming it */
            PyObject *fn = loads && err.file[0]
                               ? PyUnicode_DecodeFSDefault(err.file)
                               : NULL;
            if (loads && err.file[0] && !fn)
                goto cleanup;
            toll_py_raise(st, s, &err, fn, sys_errno);
            Py_XDECREF(fn);
        }
        goto cleanup;
    }
    result = toll_py_table_new(st, t);
cleanup:
    PyMem_Free((void *)actors);
    Py_XDECREF(actors_seq);
    PyMem_Free((void *)where);
    Py_XDECREF(where_seq);
    Py_XDECREF(by);
    return result;
}

static PyObject *Incidents_summarize(IncidentsObject *self, PyObject *args,
                                     PyObject *kwds)
{
    toll_state *st = TOLL_PY_STATE(self);
    if (incidents_check(self) < 0)
        return NULL;
    return summarize_kwargs(st, args, kwds, run_incidents, self->inc, 0);
}

/* ---- the one-pass summary (toll_summarize_stream) ------------------------ */

typedef struct stream_call {
    const char **paths;
    size_t n;
    const toll_load_options *load;
    const toll_reconcile_options *rec;
    PyObject *warnings, *rejects; /* lists: what the inputs gave */
    int failed;                   /* appending to them failed */
} stream_call;

/* toll_stream_options.on_input: the input's warnings and rejects (the
 * call runs without the GIL). */
static void stream_input(const toll_reports *r, const char *path, void *ctx)
{
    stream_call *c = ctx;
    (void)path;
    PyGILState_STATE g = PyGILState_Ensure();
    PyObject *w = warnings_list(r), *j = rejects_list(r);
    Py_ssize_t end_w = c->warnings ? PyList_GET_SIZE(c->warnings) : 0;
    Py_ssize_t end_j = c->rejects ? PyList_GET_SIZE(c->rejects) : 0;
    if (!w || !j || PyList_SetSlice(c->warnings, end_w, end_w, w) < 0 ||
        PyList_SetSlice(c->rejects, end_j, end_j, j) < 0) {
        c->failed = 1;
        PyErr_Clear();
    }
    Py_XDECREF(w);
    Py_XDECREF(j);
    PyGILState_Release(g);
}

static toll_status run_stream(void *ctx, const toll_summarize_options *o,
                              toll_table **t, toll_error *err,
                              int *sys_errno)
{
    stream_call *c = ctx;
    toll_stream_options so;
    toll_stream_options_init(&so);
    so.on_input = stream_input;
    so.ctx = c;
    errno = 0;
    toll_status s = toll_summarize_stream(c->paths, c->n, c->load, c->rec, o,
                                          &so, NULL, t, err);
    *sys_errno = errno;
    return s;
}

static PyObject *Reports_summarize_stream(ReportsObject *self,
                                          PyObject *args, PyObject *kwds)
{
    static char *kwlist[] = {"paths", "load", "reconcile", "summarize",
                             NULL};
    static char *load_kw[] = {LOAD_KWARGS, NULL};
    static char *rec_kw[] = {"policy", "self_reports", "link", NULL};
    PyObject *paths_o, *load_d, *rec_d, *sum_d;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OO!O!O!:summarize_stream",
                                     kwlist, &paths_o, &PyDict_Type, &load_d,
                                     &PyDict_Type, &rec_d, &PyDict_Type,
                                     &sum_d))
        return NULL;
    toll_state *st = TOLL_PY_STATE(self);
    PyObject *empty = PyTuple_New(0), *seq = NULL, *bytes = NULL;
    PyObject *table = NULL, *result = NULL;
    stream_call c;
    memset(&c, 0, sizeof c);
    load_args la;
    load_args_init(&la);
    load_ctx lc;
    int have_lc = 0;
    const char *policy = NULL, *self_reports = NULL, *link = NULL;
    toll_reconcile_options rec;
    toll_reconcile_options_init(&rec);
    toll_error err;
    toll_error_clear(&err);
    toll_status s;
    if (!empty)
        return NULL;
    if (!PyArg_ParseTupleAndKeywords(empty, load_d, "|" LOAD_FMT ":load",
                                     load_kw, LOAD_PTRS(la)) ||
        !PyArg_ParseTupleAndKeywords(empty, rec_d, "|zzz:reconcile", rec_kw,
                                     &policy, &self_reports, &link))
        goto cleanup;
    if (policy && (s = toll_policy_parse(policy, &rec.policy, &err))) {
        toll_py_raise_option(st, "policy", s, &err);
        goto cleanup;
    }
    if (self_reports &&
        (s = toll_self_reports_parse(self_reports, &rec.self_reports, &err))) {
        toll_py_raise_option(st, "self_reports", s, &err);
        goto cleanup;
    }
    if (toll_py_link_options(st, link, NULL, NULL, NULL, NULL, &rec) < 0)
        goto cleanup;
    if (!(seq = PySequence_Fast(paths_o, "paths must be a list of paths")))
        goto cleanup;
    c.n = (size_t)PySequence_Fast_GET_SIZE(seq);
    if (!(bytes = PyList_New((Py_ssize_t)c.n)))
        goto cleanup;
    c.paths = PyMem_Calloc(c.n ? c.n : 1, sizeof *c.paths);
    if (!c.paths) {
        PyErr_NoMemory();
        goto cleanup;
    }
    for (size_t i = 0; i < c.n; i++) {
        PyObject *b = NULL;
        if (!PyUnicode_FSConverter(PySequence_Fast_GET_ITEM(seq, i), &b))
            goto cleanup;
        PyList_SET_ITEM(bytes, (Py_ssize_t)i, b);
        c.paths[i] = PyBytes_AS_STRING(b);
    }
    if (load_ctx_init(st, &lc, &la) < 0)
        goto cleanup;
    have_lc = 1;
    c.load = &lc.opts;
    c.rec = &rec;
    if (!(c.warnings = PyList_New(0)) || !(c.rejects = PyList_New(0)))
        goto cleanup;
    table = summarize_kwargs(st, empty, sum_d, run_stream, &c, 1);
    if (!table)
        goto cleanup;
    if (c.failed) {
        PyErr_NoMemory();
        goto cleanup;
    }
    result = PyTuple_Pack(3, table, c.warnings, c.rejects);
cleanup:
    if (have_lc)
        load_ctx_release(&lc);
    Py_XDECREF(la.map_file);
    PyMem_Free((void *)c.paths);
    Py_XDECREF(c.warnings);
    Py_XDECREF(c.rejects);
    Py_XDECREF(table);
    Py_XDECREF(bytes);
    Py_XDECREF(seq);
    Py_DECREF(empty);
    return result;
}

static PyObject *Incidents_get_reports(IncidentsObject *self, void *closure)
{
    if (!self->reports)
        Py_RETURN_NONE;
    Py_INCREF(self->reports);
    return (PyObject *)self->reports;
}

static PyObject *Incidents_get_policy(IncidentsObject *self, void *closure)
{
    return toll_py_str(toll_policy_name(self->opts.policy));
}

static PyObject *Incidents_get_self_reports(IncidentsObject *self,
                                            void *closure)
{
    return toll_py_str(self->opts.self_reports == TOLL_SELF_INCLUDE
                           ? "include"
                           : "exclude");
}

static PyObject *Incidents_repr(IncidentsObject *self)
{
    if (!self->inc)
        return PyUnicode_FromString("<toll._core.Incidents (cleared)>");
    return PyUnicode_FromFormat("<toll._core.Incidents: %zu incidents>",
                                toll_incidents_count(self->inc));
}

static PyMethodDef Incidents_methods[] = {
    {"links", (PyCFunction)toll_py_incidents_links, METH_NOARGS,
     TOLL_PY_LINKS_DOC}, /* python/_link.c */
    {"table", (PyCFunction)Incidents_table, METH_NOARGS,
     "table()\n--\n\n"
     "The incidents as a Table: one row per incident and category with\n"
     "bounds, best, grade, flags and provenance."},
    {"summarize", (PyCFunction)(void (*)(void))Incidents_summarize,
     METH_VARARGS | METH_KEYWORDS,
     "summarize(by=None, category=None, attribution='joint', span='start',\n"
     "          min_grade=None, date_from=None, date_to=None, region=None,\n"
     "          actors=None)\n--\n\n"
     "Aggregate into a Table.  by: 'actor,period:month' or a list of keys\n"
     "(actor, region, region:K, period:day|week|month|quarter|year,\n"
     "category, grade).  Bad options raise OptionError naming the option."},
    {NULL, NULL, 0, NULL}};

static PyGetSetDef Incidents_getset[] = {
    {"reports", (getter)Incidents_get_reports, NULL,
     "The Reports these incidents were reconciled from.", NULL},
    {"policy", (getter)Incidents_get_policy, NULL,
     "The reconcile policy ('envelope' or 'conservative').", NULL},
    {"self_reports", (getter)Incidents_get_self_reports, NULL,
     "How self-reports were treated ('exclude' or 'include').", NULL},
    {"__dict__", PyObject_GenericGetDict, PyObject_GenericSetDict, NULL,
     NULL},
    {NULL, NULL, NULL, NULL, NULL}};

static PyMemberDef Incidents_members[] = {
    {"__dictoffset__", T_PYSSIZET, offsetof(IncidentsObject, dict), READONLY,
     NULL},
    {"__weaklistoffset__", T_PYSSIZET, offsetof(IncidentsObject, weakrefs),
     READONLY, NULL},
    {NULL, 0, 0, 0, NULL}};

static PyType_Slot Incidents_slots[] = {
    {Py_tp_doc, "Reconciled incidents (from Reports.reconcile)."},
    {Py_tp_new, no_new},
    {Py_tp_dealloc, Incidents_dealloc},
    {Py_tp_traverse, Incidents_traverse},
    {Py_tp_clear, Incidents_clear},
    {Py_tp_repr, Incidents_repr},
    {Py_tp_methods, Incidents_methods},
    {Py_tp_getset, Incidents_getset},
    {Py_tp_members, Incidents_members},
    {Py_sq_length, Incidents_len},
    {0, NULL}};

PyType_Spec toll_py_incidents_spec = {
    .name = "toll._core.Incidents",
    .basicsize = sizeof(IncidentsObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .slots = Incidents_slots,
};
