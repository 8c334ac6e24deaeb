/*
 * python/_core.c - the toll._core extension module: module definition
 * (multi-phase init, per-module state), the one error-mapping function,
 * quantity parsing and the Lexicon type.
 *
 * Reports / Incidents live in _reports.c, Table / Column in _table.c.
 */
#include "_core.h"
#include "_link.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <gsl/gsl_errno.h>

/* ======================================================================== */
/* Errors                                                                    */
/* ======================================================================== */

PyObject *toll_py_str(const char *s)
{
    if (!s)
        Py_RETURN_NONE;
    return PyUnicode_DecodeUTF8(s, (Py_ssize_t)strlen(s), "replace");
}

static PyObject *str_or_none(const char *s)
{
    if (!s || !s[0])
        Py_RETURN_NONE;
    return toll_py_str(s);
}

/* Fill the detail attributes shared by exceptions and reject dicts. */
static int put_details(PyObject *target, int is_dict, toll_status code,
                       const toll_error *err, const char *message)
{
    struct {
        const char *name;
        PyObject *value;
    } items[7];
    int n = 0;
    items[n].name = "code";
    items[n++].value = PyUnicode_FromString(toll_status_name(code));
    items[n].name = "file";
    items[n++].value = str_or_none(err ? err->file : NULL);
    items[n].name = "line";
    items[n++].value = (err && err->line > 0) ? PyLong_FromLong(err->line)
                                              : (Py_INCREF(Py_None), Py_None);
    items[n].name = "record";
    items[n++].value = (err && err->record >= 0)
                           ? PyLong_FromLong(err->record)
                           : (Py_INCREF(Py_None), Py_None);
    items[n].name = "field";
    items[n++].value = str_or_none(err ? err->field : NULL);
    items[n].name = "text";
    items[n++].value = str_or_none(err ? err->text : NULL);
    items[n].name = "message";
    items[n++].value = toll_py_str(message);
    int rc = 0;
    for (int i = 0; i < n; i++) {
        if (rc == 0) {
            if (!items[i].value)
                rc = -1;
            else if (is_dict)
                rc = PyDict_SetItemString(target, items[i].name,
                                          items[i].value);
            else
                rc = PyObject_SetAttrString(target, items[i].name,
                                            items[i].value);
        }
        Py_XDECREF(items[i].value);
    }
    return rc;
}

PyObject *toll_py_error_dict(const toll_error *err)
{
    PyObject *d = PyDict_New();
    if (!d)
        return NULL;
    const char *msg = err->message[0] ? err->message : toll_strerror(err->code);
    if (put_details(d, 1, err->code, err, msg) < 0) {
        Py_DECREF(d);
        return NULL;
    }
    return d;
}

PyObject *toll_py_error_list(const void *obj, size_t n,
                             const toll_error *(*at)(const void *, size_t))
{
    PyObject *list = PyList_New((Py_ssize_t)n);
    for (size_t i = 0; list && i < n; i++) {
        const toll_error *e = at(obj, i);
        PyObject *d = Py_None;
        if (e)
            d = toll_py_error_dict(e);
        else
            Py_INCREF(d);
        if (!d)
            Py_CLEAR(list);
        else
            PyList_SET_ITEM(list, (Py_ssize_t)i, d);
    }
    return list;
}

PyObject *toll_py_raise(toll_state *st, toll_status status,
                        const toll_error *err, PyObject *filename,
                        int sys_errno)
{
    const char *msg = (err && err->message[0]) ? err->message
                                               : toll_strerror(status);
    toll_status code = status; /* reported as exc.code */
    if (status == TOLL_ENOMEM) {
        PyErr_SetString(PyExc_MemoryError, msg);
        return NULL;
    }
    PyObject *cls;
    switch (status) {
    case TOLL_EPARSE:
        cls = st->ParseError;
        break;
    case TOLL_EREPORT:
        cls = st->ReportError;
        break;
    case TOLL_ENOTFOUND:
        /* on a call that opens a file: the file does not exist */
        if (filename) {
            status = TOLL_EIO;
            if (sys_errno <= 0)
                sys_errno = ENOENT;
            cls = PyExc_OSError;
            break;
        }
        cls = st->OptionError;
        break;
    case TOLL_EINVAL:
        cls = st->OptionError;
        break;
    case TOLL_EMODEL:
        cls = st->ModelError;
        break;
    case TOLL_EIO:
        cls = PyExc_OSError;
        break;
    default:
        cls = st->TollError;
        break;
    }
    PyObject *pymsg = toll_py_str(msg);
    if (!pymsg)
        return NULL;
    PyObject *exc = NULL;
    if (status == TOLL_EIO) {
        PyObject *fname = NULL;
        if (filename && filename != Py_None) {
            /* bytes paths (from PyUnicode_FSConverter) back to str */
            if (PyBytes_Check(filename))
                fname = PyUnicode_DecodeFSDefault(PyBytes_AS_STRING(filename));
            else {
                fname = filename;
                Py_INCREF(fname);
            }
        } else if (err && err->file[0]) {
            fname = PyUnicode_DecodeFSDefault(err->file);
        } else {
            fname = Py_None;
            Py_INCREF(fname);
        }
        if (!fname) {
            Py_DECREF(pymsg);
            return NULL;
        }
        /* OSError(errno, message) picks FileNotFoundError & co.; the
         * message already names the file, so filename is set afterwards
         * (str(exc) stays "[Errno 2] reports.csv: cannot open: ..."). */
        if (sys_errno > 0)
            exc = PyObject_CallFunction(PyExc_OSError, "iO", sys_errno,
                                        pymsg);
        else
            exc = PyObject_CallOneArg(PyExc_OSError, pymsg);
        if (exc && PyObject_SetAttrString(exc, "filename", fname) < 0)
            Py_CLEAR(exc);
        Py_DECREF(fname);
    } else {
        exc = PyObject_CallOneArg(cls, pymsg);
    }
    Py_DECREF(pymsg);
    if (!exc)
        return NULL;
    if (put_details(exc, 0, code, err, msg) < 0) {
        Py_DECREF(exc);
        return NULL;
    }
    PyErr_SetObject((PyObject *)Py_TYPE(exc), exc);
    Py_DECREF(exc);
    return NULL;
}

PyObject *toll_py_raise_option(toll_state *st, const char *option,
                               toll_status status, toll_error *err)
{
    if (status == TOLL_ENOMEM || status == TOLL_EIO)
        return toll_py_raise(st, status, err, NULL, 0);
    if (!err->message[0])
        snprintf(err->message, sizeof err->message, "%s",
                 toll_strerror(status));
    if (!err->field[0])
        snprintf(err->field, sizeof err->field, "%s", option);
    if (!strstr(err->message, option)) {
        char buf[sizeof err->message];
        snprintf(buf, sizeof buf, "option '%.40s': %.580s", option,
                 err->message);
        memcpy(err->message, buf, sizeof buf);
    }
    err->code = status;
    return toll_py_raise(st, status, err, NULL, 0);
}

PyObject *toll_py_option_error(toll_state *st, const char *option,
                               const char *text, const char *fmt, ...)
{
    toll_error err;
    toll_error_clear(&err);
    err.code = TOLL_EINVAL;
    snprintf(err.field, sizeof err.field, "%s", option);
    snprintf(err.text, sizeof err.text, "%s", text ? text : "");
    char tail[sizeof err.message];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tail, sizeof tail, fmt, ap);
    va_end(ap);
    snprintf(err.message, sizeof err.message, "option '%s': %.560s", option,
             tail);
    return toll_py_raise(st, TOLL_EINVAL, &err, NULL, 0);
}

int toll_py_opt_path(PyObject *obj, void *out)
{
    PyObject **res = (PyObject **)out;
    if (obj == NULL) { /* cleanup call */
        Py_CLEAR(*res);
        return 1;
    }
    if (obj == Py_None) {
        *res = NULL;
        return 1;
    }
    int rc = PyUnicode_FSConverter(obj, res);
    return rc ? Py_CLEANUP_SUPPORTED : 0;
}

/* ======================================================================== */
/* Lexicon                                                                   */
/* ======================================================================== */

static int lexicon_check_free(LexiconObject *self)
{
    if (!self->lex) {
        PyErr_SetString(PyExc_ValueError, "lexicon is not initialised");
        return -1;
    }
    if (self->busy > 0) {
        PyErr_SetString(PyExc_RuntimeError,
                        "cannot modify a Lexicon while another thread is "
                        "parsing with it");
        return -1;
    }
    return 0;
}

int toll_py_lexicon_acquire(toll_state *st, PyObject *arg,
                            const toll_lexicon **lex, PyObject **owner,
                            toll_lexicon **tmp)
{
    *lex = NULL;
    *owner = NULL;
    *tmp = NULL;
    if (!arg || arg == Py_None)
        return 0;
    if (PyObject_TypeCheck(arg, st->Lexicon_Type)) {
        LexiconObject *lo = (LexiconObject *)arg;
        if (!lo->lex) {
            PyErr_SetString(PyExc_ValueError, "lexicon is not initialised");
            return -1;
        }
        lo->busy++;
        Py_INCREF(arg);
        *owner = arg;
        *lex = lo->lex;
        return 0;
    }
    if (PyUnicode_Check(arg)) {
        const char *name = PyUnicode_AsUTF8(arg);
        if (!name)
            return -1;
        toll_error err;
        toll_error_clear(&err);
        toll_status s = toll_lexicon_new_preset(name, NULL, tmp, &err);
        if (s != TOLL_OK) {
            *tmp = NULL;
            toll_py_raise_option(st, "lexicon", s, &err);
            return -1;
        }
        *lex = *tmp;
        return 0;
    }
    PyErr_Format(PyExc_TypeError,
                 "lexicon must be a toll Lexicon, a preset name or None, "
                 "not %.100s",
                 Py_TYPE(arg)->tp_name);
    return -1;
}

void toll_py_lexicon_release(PyObject *owner, toll_lexicon *tmp)
{
    if (owner) {
        ((LexiconObject *)owner)->busy--;
        Py_DECREF(owner);
    }
    toll_lexicon_free(tmp);
}

static PyObject *Lexicon_new(PyTypeObject *type, PyObject *args,
                             PyObject *kwds)
{
    static char *kwlist[] = {"preset", NULL};
    const char *preset = "default";
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|s:Lexicon", kwlist,
                                     &preset))
        return NULL;
    toll_state *st = toll_py_state_of_type(type);
    if (!st)
        return NULL;
    LexiconObject *self = (LexiconObject *)type->tp_alloc(type, 0);
    if (!self)
        return NULL;
    toll_error err;
    toll_error_clear(&err);
    toll_status s = toll_lexicon_new_preset(preset, NULL, &self->lex, &err);
    if (s != TOLL_OK) {
        self->lex = NULL;
        Py_DECREF(self);
        return toll_py_raise_option(st, "preset", s, &err);
    }
    return (PyObject *)self;
}

static void Lexicon_dealloc(LexiconObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    if (self->weakrefs)
        PyObject_ClearWeakRefs((PyObject *)self);
    toll_lexicon_free(self->lex);
    self->lex = NULL;
    tp->tp_free((PyObject *)self);
    Py_DECREF(tp);
}

static Py_ssize_t Lexicon_len(LexiconObject *self)
{
    return self->lex ? (Py_ssize_t)toll_lexicon_count(self->lex) : 0;
}

static PyObject *Lexicon_load_json(LexiconObject *self, PyObject *args,
                                   PyObject *kwds)
{
    static char *kwlist[] = {"text", "name", NULL};
    Py_buffer buf;
    const char *name = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "s*|z:load_json", kwlist,
                                     &buf, &name))
        return NULL;
    toll_state *st = TOLL_PY_STATE(self);
    if (lexicon_check_free(self) < 0) {
        PyBuffer_Release(&buf);
        return NULL;
    }
    toll_error err;
    toll_error_clear(&err);
    toll_status s = toll_lexicon_load_json(
        self->lex, buf.buf, (size_t)buf.len, name ? name : "<lexicon>", &err);
    PyBuffer_Release(&buf);
    if (s != TOLL_OK)
        return toll_py_raise(st, s, &err, NULL, 0);
    Py_RETURN_NONE;
}

static PyObject *Lexicon_load_file(LexiconObject *self, PyObject *args,
                                   PyObject *kwds)
{
    static char *kwlist[] = {"path", NULL};
    PyObject *path = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O&:load_file", kwlist,
                                     PyUnicode_FSConverter, &path))
        return NULL;
    toll_state *st = TOLL_PY_STATE(self);
    if (lexicon_check_free(self) < 0) {
        Py_DECREF(path);
        return NULL;
    }
    toll_error err;
    toll_error_clear(&err);
    errno = 0;
    toll_status s = toll_lexicon_load_file(self->lex, PyBytes_AS_STRING(path),
                                           &err);
    int e = errno;
    PyObject *res = NULL;
    if (s != TOLL_OK)
        toll_py_raise(st, s, &err, path, e);
    else {
        res = Py_None;
        Py_INCREF(res);
    }
    Py_DECREF(path);
    return res;
}

static int get_bound(PyObject *o, int64_t *out, int64_t none_value,
                     const char *what)
{
    if (!o || o == Py_None) {
        *out = none_value;
        return 0;
    }
    long long v = PyLong_AsLongLong(o);
    if (v == -1 && PyErr_Occurred())
        return -1;
    if (v < 0) {
        PyErr_Format(PyExc_ValueError, "%s must be >= 0, got %lld", what, v);
        return -1;
    }
    *out = (int64_t)v;
    return 0;
}

static PyObject *Lexicon_set(LexiconObject *self, PyObject *args,
                             PyObject *kwds)
{
    static char *kwlist[] = {"word", "low", "high", "best", NULL};
    const char *word;
    PyObject *low_o, *high_o = Py_None, *best_o = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "sO|OO:set", kwlist, &word,
                                     &low_o, &high_o, &best_o))
        return NULL;
    toll_state *st = TOLL_PY_STATE(self);
    if (lexicon_check_free(self) < 0)
        return NULL;
    int64_t low, high;
    if (get_bound(low_o, &low, 0, "low") < 0 ||
        get_bound(high_o, &high, TOLL_OPEN, "high") < 0)
        return NULL;
    double best = -1.0;
    if (best_o != Py_None) {
        best = PyFloat_AsDouble(best_o);
        if (best == -1.0 && PyErr_Occurred())
            return NULL;
    }
    toll_error err;
    toll_error_clear(&err);
    toll_status s = toll_lexicon_set(self->lex, word, low, high, best, &err);
    if (s != TOLL_OK)
        return toll_py_raise(st, s, &err, NULL, 0);
    Py_RETURN_NONE;
}

static PyObject *Lexicon_entries(LexiconObject *self, PyObject *Py_UNUSED(a))
{
    if (!self->lex)
        return PyList_New(0);
    size_t n = toll_lexicon_count(self->lex);
    PyObject *list = PyList_New((Py_ssize_t)n);
    if (!list)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        const char *word = NULL;
        int64_t low = 0, high = 0;
        double best = -1;
        toll_status s = toll_lexicon_entry(self->lex, i, &word, &low, &high,
                                           &best);
        PyObject *item;
        if (s != TOLL_OK)
            item = toll_py_raise(TOLL_PY_STATE(self), s, NULL, NULL, 0);
        else
            item = Py_BuildValue(
                "(NLNN)", toll_py_str(word), (long long)low,
                high == TOLL_OPEN ? (Py_INCREF(Py_None), Py_None)
                                  : PyLong_FromLongLong(high),
                best < 0 ? (Py_INCREF(Py_None), Py_None)
                         : PyFloat_FromDouble(best));
        if (!item) {
            Py_DECREF(list);
            return NULL;
        }
        PyList_SET_ITEM(list, (Py_ssize_t)i, item);
    }
    return list;
}

static PyObject *Lexicon_repr(LexiconObject *self)
{
    return PyUnicode_FromFormat("<toll.Lexicon with %zd entries>",
                                Lexicon_len(self));
}

static PyMethodDef Lexicon_methods[] = {
    {"load_json", (PyCFunction)(void (*)(void))Lexicon_load_json,
     METH_VARARGS | METH_KEYWORDS,
     "load_json(text, name=None)\n--\n\n"
     "Add (or, with \"replace\": true, replace) entries from JSON text.\n"
     "On error the lexicon is unchanged."},
    {"load_file", (PyCFunction)(void (*)(void))Lexicon_load_file,
     METH_VARARGS | METH_KEYWORDS,
     "load_file(path)\n--\n\nAs load_json, reading the file at path."},
    {"set", (PyCFunction)(void (*)(void))Lexicon_set,
     METH_VARARGS | METH_KEYWORDS,
     "set(word, low, high=None, best=None)\n--\n\n"
     "Add or replace one entry; high None means open."},
    {"entries", (PyCFunction)Lexicon_entries, METH_NOARGS,
     "entries()\n--\n\nList of (word, low, high or None, best or None)."},
    {NULL, NULL, 0, NULL}};

static PyMemberDef Lexicon_members[] = {
    {"__weaklistoffset__", T_PYSSIZET, offsetof(LexiconObject, weakrefs),
     READONLY, NULL},
    {NULL, 0, 0, 0, NULL}};

static PyType_Slot Lexicon_slots[] = {
    {Py_tp_doc,
     "Lexicon(preset='default')\n--\n\n"
     "A vague-word lexicon (\"dozens\" -> 24..99, best 36).  Presets:\n"
     "'default', 'acled', 'empty'."},
    {Py_tp_new, Lexicon_new},
    {Py_tp_dealloc, Lexicon_dealloc},
    {Py_tp_repr, Lexicon_repr},
    {Py_tp_methods, Lexicon_methods},
    {Py_tp_members, Lexicon_members},
    {Py_sq_length, Lexicon_len},
    {0, NULL}};

PyType_Spec toll_py_lexicon_spec = {
    .name = "toll._core.Lexicon",
    .basicsize = sizeof(LexiconObject),
    .flags = Py_TPFLAGS_DEFAULT,
    .slots = Lexicon_slots,
};

/* ======================================================================== */
/* Quantities                                                                */
/* ======================================================================== */

static PyObject *quantity_tuple(const toll_quantity *q)
{
    if (!q->known)
        Py_RETURN_NONE;
    PyObject *high = q->high == TOLL_OPEN ? (Py_INCREF(Py_None), Py_None)
                                          : PyLong_FromLongLong(q->high);
    if (!high)
        return NULL;
    return Py_BuildValue("(LNdN)", (long long)q->low, high, q->best,
                         toll_py_str(q->rule));
}

static int check_tolerance(toll_state *st, double t)
{
    if (!(t >= 0.0 && t < 1.0)) {
        char text[64];
        snprintf(text, sizeof text, "%g", t);
        toll_py_option_error(st, "about_tolerance", text,
                             "must be at least 0 and below 1, got %s", text);
        return -1;
    }
    return 0;
}

static PyObject *core_parse_quantity(PyObject *module, PyObject *args,
                                     PyObject *kwds)
{
    static char *kwlist[] = {"text", "lexicon", "about_tolerance", NULL};
    const char *text;
    Py_ssize_t len;
    PyObject *lexicon = Py_None;
    double tol = 0.1;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "s#|Od:parse_quantity",
                                     kwlist, &text, &len, &lexicon, &tol))
        return NULL;
    toll_state *st = PyModule_GetState(module);
    if (check_tolerance(st, tol) < 0)
        return NULL;
    toll_parse_options po;
    toll_parse_options_init(&po);
    po.about_tolerance = tol;
    PyObject *owner;
    toll_lexicon *tmp;
    if (toll_py_lexicon_acquire(st, lexicon, &po.lexicon, &owner, &tmp) < 0)
        return NULL;
    toll_quantity q;
    toll_error err;
    toll_error_clear(&err);
    memset(&q, 0, sizeof q);
    /* One short string: the GIL is kept (releasing costs more than the
     * parse).  parse_quantities releases it for many values. */
    toll_status s = toll_quantity_parse(text, (size_t)len, &po, &q, &err);
    toll_py_lexicon_release(owner, tmp);
    if (s != TOLL_OK)
        return toll_py_raise(st, s, &err, NULL, 0);
    return quantity_tuple(&q);
}

static PyObject *core_parse_quantities(PyObject *module, PyObject *args,
                                       PyObject *kwds)
{
    static char *kwlist[] = {"texts", "lexicon", "about_tolerance", "errors",
                             NULL};
    PyObject *texts;
    PyObject *lexicon = Py_None;
    double tol = 0.1;
    const char *errors = "raise";
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|Ods:parse_quantities",
                                     kwlist, &texts, &lexicon, &tol,
                                     &errors))
        return NULL;
    toll_state *st = PyModule_GetState(module);
    int coerce;
    if (strcmp(errors, "raise") == 0)
        coerce = 0;
    else if (strcmp(errors, "coerce") == 0)
        coerce = 1;
    else
        return toll_py_option_error(st, "errors", errors,
                                    "expected \"raise\" or \"coerce\", got "
                                    "\"%s\"",
                                    errors);
    if (check_tolerance(st, tol) < 0)
        return NULL;
    PyObject *seq = PySequence_Fast(texts, "texts must be a sequence");
    if (!seq)
        return NULL;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    const char **ptr = PyMem_Calloc((size_t)n + 1, sizeof *ptr);
    Py_ssize_t *lens = PyMem_Calloc((size_t)n + 1, sizeof *lens);
    toll_quantity *qs = PyMem_Calloc((size_t)n + 1, sizeof *qs);
    PyObject *result = NULL, *owner = NULL;
    toll_lexicon *tmp = NULL;
    if (!ptr || !lens || !qs) {
        PyErr_NoMemory();
        goto cleanup;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *o = PySequence_Fast_GET_ITEM(seq, i);
        if (o == Py_None)
            continue;
        if (!PyUnicode_Check(o)) {
            PyErr_Format(PyExc_TypeError,
                         "texts[%zd] must be str or None, not %.100s", i,
                         Py_TYPE(o)->tp_name);
            goto cleanup;
        }
        ptr[i] = PyUnicode_AsUTF8AndSize(o, &lens[i]);
        if (!ptr[i])
            goto cleanup;
    }
    toll_parse_options po;
    toll_parse_options_init(&po);
    po.about_tolerance = tol;
    if (toll_py_lexicon_acquire(st, lexicon, &po.lexicon, &owner, &tmp) < 0)
        goto cleanup;
    toll_error err;
    toll_error_clear(&err);
    toll_status bad = TOLL_OK;
    Py_ssize_t bad_i = -1;
    Py_BEGIN_ALLOW_THREADS
    for (Py_ssize_t i = 0; i < n; i++) {
        if (!ptr[i]) {
            qs[i].known = 0;
            continue;
        }
        toll_error e1;
        toll_status s = toll_quantity_parse(ptr[i], (size_t)lens[i], &po,
                                            &qs[i], coerce ? NULL : &e1);
        if (s != TOLL_OK) {
            qs[i].known = 0;
            if (!coerce || s == TOLL_ENOMEM) {
                bad = s;
                bad_i = i;
                if (!coerce)
                    err = e1;
                break;
            }
        }
    }
    Py_END_ALLOW_THREADS
    if (bad == TOLL_ENOMEM) {
        PyErr_NoMemory();
        goto cleanup;
    }
    if (bad != TOLL_OK) {
        char tail[sizeof err.message];
        snprintf(tail, sizeof tail, "%s", err.message);
        err.record = (long)bad_i;
        snprintf(err.file, sizeof err.file, "<values>");
        snprintf(err.message, sizeof err.message, "<values>: record %zd: %.580s",
                 bad_i, tail);
        toll_py_raise(st, bad, &err, NULL, 0);
        goto cleanup;
    }
    result = PyList_New(n);
    if (!result)
        goto cleanup;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *t = quantity_tuple(&qs[i]);
        if (!t) {
            Py_CLEAR(result);
            goto cleanup;
        }
        PyList_SET_ITEM(result, i, t);
    }
cleanup:
    toll_py_lexicon_release(owner, tmp);
    PyMem_Free(ptr);
    PyMem_Free(lens);
    PyMem_Free(qs);
    Py_DECREF(seq);
    return result;
}

static PyObject *core_format_quantity(PyObject *module, PyObject *args,
                                      PyObject *kwds)
{
    static char *kwlist[] = {"low", "high", "best", "thousands", NULL};
    PyObject *low_o, *high_o = Py_None, *best_o = Py_None;
    int thousands = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|OO$p:format_quantity",
                                     kwlist, &low_o, &high_o, &best_o,
                                     &thousands))
        return NULL;
    toll_state *st = PyModule_GetState(module);
    toll_quantity q;
    memset(&q, 0, sizeof q);
    if (low_o != Py_None) {
        int64_t low, high;
        if (get_bound(low_o, &low, 0, "low") < 0 ||
            get_bound(high_o, &high, TOLL_OPEN, "high") < 0)
            return NULL;
        double best = 0;
        int has_best = best_o != Py_None;
        if (has_best) {
            best = PyFloat_AsDouble(best_o);
            if (best == -1.0 && PyErr_Occurred())
                return NULL;
        }
        toll_error err;
        toll_error_clear(&err);
        toll_status s = toll_quantity_make(low, high, has_best, best, &q, &err);
        if (s != TOLL_OK)
            return toll_py_raise(st, s, &err, NULL, 0);
    }
    char buf[128];
    size_t need = toll_quantity_format(&q, thousands, buf, sizeof buf);
    if (need >= sizeof buf)
        need = sizeof buf - 1;
    return PyUnicode_DecodeUTF8(buf, (Py_ssize_t)strlen(buf), "replace");
}

static PyObject *core_link_label_match(PyObject *module, PyObject *arg)
{
    toll_state *st = PyModule_GetState(module);
    const char *s = PyUnicode_AsUTF8(arg);
    if (!s)
        return NULL;
    toll_error err;
    toll_error_clear(&err);
    int match = 0;
    toll_status rc = toll_link_label_match_parse(s, &match, &err);
    if (rc != TOLL_OK)
        return toll_py_raise(st, rc, &err, NULL, 0);
    return PyBool_FromLong(match);
}

static PyObject *core_status_name(PyObject *module, PyObject *arg)
{
    long v = PyLong_AsLong(arg);
    if (v == -1 && PyErr_Occurred())
        return NULL;
    return PyUnicode_FromString(toll_status_name((toll_status)v));
}

static PyMethodDef core_methods[] = {
    {"parse_quantity", (PyCFunction)(void (*)(void))core_parse_quantity,
     METH_VARARGS | METH_KEYWORDS,
     "parse_quantity(text, lexicon=None, about_tolerance=0.1)\n--\n\n"
     "Parse English text into (low, high, best, rule); high is None when the\n"
     "range is open; unknown text (\"unknown\", \"\") gives None.  Raises\n"
     "ParseError naming the text when it cannot be read."},
    {"parse_quantities", (PyCFunction)(void (*)(void))core_parse_quantities,
     METH_VARARGS | METH_KEYWORDS,
     "parse_quantities(texts, lexicon=None, about_tolerance=0.1, "
     "errors='raise')\n--\n\n"
     "Parse a sequence of str/None without holding the GIL.  Returns a list\n"
     "of tuples or None.  errors='coerce' turns unreadable text into None."},
    {"format_quantity", (PyCFunction)(void (*)(void))core_format_quantity,
     METH_VARARGS | METH_KEYWORDS,
     "format_quantity(low, high=None, best=None, *, thousands=False)\n--\n\n"
     "Display form of a range: '92', '85\xe2\x80\x93" "92', '150+', "
     "'unknown'\n(low None).  Bounds are validated (ReportError)."},
    {"status_name", core_status_name, METH_O,
     "status_name(code)\n--\n\nSymbolic name of a toll_status code."},
    {"link_label_match", core_link_label_match, METH_O,
     "link_label_match(text)\n--\n\nA label's judgement as the CLI reads "
     "it: 1/true/yes/y/t -> True,\n0/false/no/n/f -> False (any case); "
     "else OptionError naming the text."},
    {"cli_main", toll_py_cli_main, METH_O,
     "cli_main(argv)\n--\n\nRun the toll command (argv[0] is its name) in "
     "this process,\nwithout the GIL; returns its exit status.  Its output "
     "goes to the C\nstandard streams (python -m toll, the toll script)."},
    {NULL, NULL, 0, NULL}};

/* ======================================================================== */
/* Module                                                                    */
/* ======================================================================== */

static int add_type(PyObject *m, PyType_Spec *spec, PyTypeObject **slot)
{
    PyObject *tp = PyType_FromModuleAndSpec(m, spec, NULL);
    if (!tp)
        return -1;
    *slot = (PyTypeObject *)tp;
    /* PyModule_AddType adds its own reference */
    return PyModule_AddType(m, (PyTypeObject *)tp);
}

static PyObject *new_exception(PyObject *m, const char *name, const char *doc,
                               PyObject *base1, PyObject *base2)
{
    PyObject *bases = base2 ? PyTuple_Pack(2, base1, base2)
                            : PyTuple_Pack(1, base1);
    if (!bases)
        return NULL;
    PyObject *exc = PyErr_NewExceptionWithDoc(name, doc, bases, NULL);
    Py_DECREF(bases);
    if (!exc)
        return NULL;
    const char *short_name = strrchr(name, '.') + 1;
    Py_INCREF(exc);
    if (PyModule_AddObject(m, short_name, exc) < 0) {
        Py_DECREF(exc);
        Py_DECREF(exc);
        return NULL;
    }
    return exc; /* the module state's reference */
}

static int core_exec(PyObject *m)
{
    toll_state *st = PyModule_GetState(m);
    /* GSL's default handler aborts; the library relies on return codes. */
    gsl_set_error_handler_off();
    /* JSON loads parse into a per-load arena when toll's cJSON hooks are
     * installed (toll/reports.h); outside toll's own parses they are plain
     * malloc/free, so other cJSON users in the process are unaffected. */
    cJSON_Hooks hooks = {toll_json_hook_malloc, toll_json_hook_free};
    cJSON_InitHooks(&hooks);

    st->TollError = new_exception(
        m, "toll.TollError",
        "Base class of toll's errors.  Attributes: code ('TOLL_EPARSE'...),\n"
        "file, line, record, field, text (None when not applicable) and\n"
        "message (the whole formatted message, also str(err)).",
        PyExc_Exception, NULL);
    if (!st->TollError)
        return -1;
    st->ParseError = new_exception(
        m, "toll.ParseError",
        "Text that cannot be read: a quantity, a date, malformed JSON/CSV.",
        st->TollError, PyExc_ValueError);
    if (!st->ParseError)
        return -1;
    st->ReportError = new_exception(
        m, "toll.ReportError",
        "A report that breaks the report format (missing source, low > "
        "high...).",
        st->TollError, PyExc_ValueError);
    if (!st->ReportError)
        return -1;
    st->OptionError = new_exception(
        m, "toll.OptionError",
        "A bad option value (policy, attribution, column map, preset...).",
        st->TollError, PyExc_ValueError);
    if (!st->OptionError)
        return -1;
    st->ModelError = new_exception(
        m, "toll.ModelError",
        "A statistical model that cannot be fitted to the data (a saturated\n"
        "or unidentifiable log-linear model, lists that do not overlap...).",
        st->TollError, PyExc_ValueError);
    if (!st->ModelError)
        return -1;

    if (add_type(m, &toll_py_lexicon_spec, &st->Lexicon_Type) < 0 ||
        add_type(m, &toll_py_table_spec, &st->Table_Type) < 0 ||
        add_type(m, &toll_py_column_spec, &st->Column_Type) < 0 ||
        add_type(m, &toll_py_reports_spec, &st->Reports_Type) < 0 ||
        add_type(m, &toll_py_incidents_spec, &st->Incidents_Type) < 0)
        return -1;
    if (toll_py_mse_init(m) < 0) /* python/_mse.c */
        return -1;
    if (toll_py_links_init(m, st) < 0) /* python/_links.c */
        return -1;

    if (PyModule_AddStringConstant(m, "library_version", toll_version()) < 0)
        return -1;
    if (PyModule_AddIntConstant(m, "OPEN", (long)TOLL_OPEN) < 0)
        return -1;
    return 0;
}

static int core_traverse(PyObject *m, visitproc visit, void *arg)
{
    toll_state *st = PyModule_GetState(m);
    if (!st)
        return 0;
    Py_VISIT(st->Reports_Type);
    Py_VISIT(st->Incidents_Type);
    Py_VISIT(st->Table_Type);
    Py_VISIT(st->Column_Type);
    Py_VISIT(st->Lexicon_Type);
    Py_VISIT(st->Links_Type);
    Py_VISIT(st->TollError);
    Py_VISIT(st->ParseError);
    Py_VISIT(st->ReportError);
    Py_VISIT(st->OptionError);
    Py_VISIT(st->ModelError);
    return 0;
}

static int core_clear(PyObject *m)
{
    toll_state *st = PyModule_GetState(m);
    if (!st)
        return 0;
    Py_CLEAR(st->Reports_Type);
    Py_CLEAR(st->Incidents_Type);
    Py_CLEAR(st->Table_Type);
    Py_CLEAR(st->Column_Type);
    Py_CLEAR(st->Lexicon_Type);
    Py_CLEAR(st->Links_Type);
    Py_CLEAR(st->TollError);
    Py_CLEAR(st->ParseError);
    Py_CLEAR(st->ReportError);
    Py_CLEAR(st->OptionError);
    Py_CLEAR(st->ModelError);
    return 0;
}

static void core_free(void *m) { core_clear((PyObject *)m); }

static PyModuleDef_Slot core_slots[] = {{Py_mod_exec, (void *)core_exec},
                                        {0, NULL}};

static struct PyModuleDef core_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "toll._core",
    .m_doc = "C core of toll: the report store, reconciliation, summaries "
             "and tables.\nUse the `toll` package; this module is its "
             "implementation.",
    .m_size = sizeof(toll_state),
    .m_methods = core_methods,
    .m_slots = core_slots,
    .m_traverse = core_traverse,
    .m_clear = core_clear,
    .m_free = core_free,
};

/* The module's entry point, looked up by name by the interpreter: declared
 * here because no header can (-Wmissing-prototypes). */
PyMODINIT_FUNC PyInit__core(void);
PyMODINIT_FUNC PyInit__core(void) { return PyModuleDef_Init(&core_module); }
