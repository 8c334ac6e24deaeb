/*
 * python/_links.c - the probabilistic linker in toll._core (see
 * python/_link.h): Reports.link() and the Links type.
 *
 * A Links object owns a toll_links (toll/link.h) and holds the store
 * holder of the reports it was made from and a strong reference to the
 * Reports (GC), so that reconcile(links=...) can check it against them.
 * It is read-only: any number of threads may read it at once.
 */
#include "_link.h"

#include <limits.h>
#include <string.h>

/* ---- options ---------------------------------------------------------------- */

/* An int keyword in [lo, hi] into *out; NULL/None leaves *out.  The range
 * of the linker's own fields is checked by toll_link_options_check; lo/hi
 * only keep the value inside an int. */
static int int_kw(const char *name, PyObject *v, long lo, long hi, int *out)
{
    if (!v || v == Py_None)
        return 0;
    if (!PyLong_Check(v) || PyBool_Check(v)) {
        PyErr_Format(PyExc_TypeError, "%s must be an int, not %.100s", name,
                     Py_TYPE(v)->tp_name);
        return -1;
    }
    int overflow = 0;
    long x = PyLong_AsLongAndOverflow(v, &overflow);
    if (x == -1 && PyErr_Occurred())
        return -1;
    if (overflow || x < lo || x > hi)
        x = x < 0 || overflow < 0 ? lo : hi; /* out of range: the check names it */
    *out = (int)x;
    return 0;
}

/* A float keyword into *out; NULL/None leaves *out. */
static int double_kw(const char *name, PyObject *v, double *out)
{
    if (!v || v == Py_None)
        return 0;
    if (PyBool_Check(v) || !(PyFloat_Check(v) || PyLong_Check(v))) {
        PyErr_Format(PyExc_TypeError, "%s must be a number, not %.100s",
                     name, Py_TYPE(v)->tp_name);
        return -1;
    }
    double x = PyFloat_AsDouble(v);
    if (x == -1.0 && PyErr_Occurred())
        return -1;
    *out = x;
    return 0;
}

/* What Reports.link's keywords made (freed by linker_free). */
typedef struct linker_kw {
    toll_link_options o;
    toll_link_model *model;
    toll_link_names *names;
    toll_link_label *labels;
    size_t n_labels;
} linker_kw;

static void linker_free(linker_kw *k)
{
    toll_link_model_free(k->model);
    toll_link_names_free(k->names);
    PyMem_Free(k->labels);
    memset(k, 0, sizeof *k);
}

/* labels: a sequence of (report_a, report_b, match) with 0-based report
 * indices (python/toll/_api.py turns FILE:LINE into indices). */
static int labels_kw(PyObject *v, linker_kw *k)
{
    if (!v || v == Py_None)
        return 0;
    PyObject *seq = PySequence_Fast(v, "labels must be a sequence of "
                                       "(report_a, report_b, match)");
    if (!seq)
        return -1;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    k->labels = PyMem_Calloc(n ? (size_t)n : 1, sizeof *k->labels);
    if (!k->labels) {
        Py_DECREF(seq);
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *item = PySequence_Fast_GET_ITEM(seq, i);
        unsigned long long a = 0, b = 0;
        int match = 0;
        if (!PyTuple_Check(item) ||
            !PyArg_ParseTuple(item, "KKp", &a, &b, &match)) {
            if (!PyErr_Occurred() ||
                PyErr_ExceptionMatches(PyExc_TypeError)) {
                PyErr_Clear();
                PyErr_Format(PyExc_TypeError,
                             "labels[%zd] must be a tuple (report_a, "
                             "report_b, match) of two ints and a bool",
                             i);
            }
            Py_DECREF(seq);
            return -1;
        }
        k->labels[i].report_a = (size_t)a;
        k->labels[i].report_b = (size_t)b;
        k->labels[i].match = match;
    }
    k->n_labels = (size_t)n;
    Py_DECREF(seq);
    return 0;
}

/* ---- the Links type ------------------------------------------------------------ */

static int links_check(LinksObject *self)
{
    if (!self->links) {
        PyErr_SetString(PyExc_ValueError,
                        "Links object is empty (not created by "
                        "Reports.link)");
        return -1;
    }
    return 0;
}

static void links_release(LinksObject *self)
{
    toll_links_free(self->links);
    self->links = NULL;
    toll_py_store_unref(self->store);
    self->store = NULL;
    if (self->reports) {
        ReportsObject *r = self->reports;
        self->reports = NULL;
        Py_DECREF(r);
    }
}

static int Links_traverse(LinksObject *self, visitproc visit, void *arg)
{
    Py_VISIT(Py_TYPE(self));
    Py_VISIT((PyObject *)self->reports);
    return 0;
}

static int Links_clear(LinksObject *self)
{
    links_release(self);
    return 0;
}

static void Links_dealloc(LinksObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    PyObject_GC_UnTrack(self);
    if (self->weakrefs)
        PyObject_ClearWeakRefs((PyObject *)self);
    links_release(self);
    tp->tp_free((PyObject *)self);
    Py_DECREF(tp);
}

static Py_ssize_t Links_len(LinksObject *self)
{
    if (links_check(self) < 0)
        return -1;
    return (Py_ssize_t)toll_links_report_count(self->links);
}

static PyObject *Links_repr(LinksObject *self)
{
    if (!self->links)
        return PyUnicode_FromString("<toll._core.Links>");
    return PyUnicode_FromFormat(
        "<toll._core.Links: %zu reports in %zu incidents, %zu pairs>",
        toll_links_report_count(self->links),
        toll_links_incident_count(self->links),
        toll_links_pair_count(self->links));
}

static PyObject *Links_assignments(LinksObject *self,
                                   PyObject *Py_UNUSED(ignored))
{
    toll_state *st = TOLL_PY_STATE(self);
    if (links_check(self) < 0)
        return NULL;
    toll_table *t = NULL;
    toll_error err;
    toll_error_clear(&err);
    toll_status s;
    Py_BEGIN_ALLOW_THREADS
    s = toll_links_assignments(self->links, NULL, &t, &err);
    Py_END_ALLOW_THREADS
    if (s != TOLL_OK)
        return toll_py_raise(st, s, &err, NULL, 0);
    return toll_py_table_new(st, t);
}

static PyObject *Links_pairs(LinksObject *self, PyObject *args,
                             PyObject *kwds)
{
    static char *kwlist[] = {"which", NULL};
    const char *which = "all";
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|s:pairs", kwlist, &which))
        return NULL;
    toll_state *st = TOLL_PY_STATE(self);
    if (links_check(self) < 0)
        return NULL;
    toll_link_pairs_which w;
    if (strcmp(which, "all") == 0)
        w = TOLL_LINK_PAIRS_ALL;
    else if (strcmp(which, "review") == 0)
        w = TOLL_LINK_PAIRS_REVIEW;
    else if (strcmp(which, "merged") == 0)
        w = TOLL_LINK_PAIRS_MERGED;
    else
        return toll_py_option_error(st, "which", which,
                                    "expected \"all\", \"review\" or "
                                    "\"merged\", got \"%.100s\"",
                                    which);
    toll_table *t = NULL;
    toll_error err;
    toll_error_clear(&err);
    toll_status s;
    Py_BEGIN_ALLOW_THREADS
    s = toll_links_pairs(self->links, w, NULL, &t, &err);
    Py_END_ALLOW_THREADS
    if (s != TOLL_OK)
        return toll_py_raise(st, s, &err, NULL, 0);
    return toll_py_table_new(st, t);
}

/* A growing buffer for toll_link_model_write_json. */
typedef struct text_buf {
    char *p;
    size_t n, cap;
} text_buf;

static int text_write(void *ctx, const char *data, size_t len)
{
    text_buf *b = ctx;
    if (b->n + len > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        while (cap < b->n + len)
            cap *= 2;
        char *np = PyMem_RawRealloc(b->p, cap);
        if (!np)
            return 1;
        b->p = np;
        b->cap = cap;
    }
    memcpy(b->p + b->n, data, len);
    b->n += len;
    return 0;
}

static PyObject *Links_model_json(LinksObject *self,
                                  PyObject *Py_UNUSED(ignored))
{
    toll_state *st = TOLL_PY_STATE(self);
    if (links_check(self) < 0)
        return NULL;
    text_buf b = {NULL, 0, 0};
    toll_error err;
    toll_error_clear(&err);
    toll_status s = toll_link_model_write_json(toll_links_model(self->links),
                                               text_write, &b, &err);
    PyObject *res = NULL;
    if (s != TOLL_OK)
        toll_py_raise(st, s, &err, NULL, 0);
    else
        res = PyUnicode_DecodeUTF8(b.p ? b.p : "", (Py_ssize_t)b.n,
                                   "replace");
    PyMem_RawFree(b.p);
    return res;
}

static PyObject *Links_get_count(LinksObject *self, void *which)
{
    if (links_check(self) < 0)
        return NULL;
    size_t n = which == (void *)0 ? toll_links_incident_count(self->links)
                                  : toll_links_pair_count(self->links);
    return PyLong_FromSize_t(n);
}

static PyObject *Links_get_reports(LinksObject *self, void *Py_UNUSED(c))
{
    if (!self->reports)
        Py_RETURN_NONE;
    Py_INCREF(self->reports);
    return (PyObject *)self->reports;
}

static PyMethodDef Links_methods[] = {
    {"assignments", (PyCFunction)Links_assignments, METH_NOARGS,
     "assignments() -> Table: one row per report (toll_links_assignments):\n"
     "report, id, source, incident, match_probability, status."},
    {"pairs", (PyCFunction)(void (*)(void))Links_pairs,
     METH_VARARGS | METH_KEYWORDS,
     "pairs(which='all') -> Table: the scored candidate pairs, strongest\n"
     "first (toll_links_pairs); which: 'all', 'review' or 'merged'."},
    {"model_json", (PyCFunction)Links_model_json, METH_NOARGS,
     "model_json() -> str: the model the pairs were scored with, as JSON\n"
     "(toll_link_model_write_json)."},
    {NULL, NULL, 0, NULL}};

static PyGetSetDef Links_getset[] = {
    {"n_incidents", (getter)Links_get_count, NULL,
     "Number of incidents the reports were put in.", (void *)0},
    {"n_pairs", (getter)Links_get_count, NULL,
     "Number of scored candidate pairs.", (void *)1},
    {"reports", (getter)Links_get_reports, NULL,
     "The Reports that were linked.", NULL},
    {NULL, NULL, NULL, NULL, NULL}};

static PyMemberDef Links_members[] = {
    {"__weaklistoffset__", T_PYSSIZET, offsetof(LinksObject, weakrefs),
     READONLY, NULL},
    {NULL, 0, 0, 0, NULL}};

static PyType_Slot Links_slots[] = {
    {Py_tp_dealloc, Links_dealloc},
    {Py_tp_traverse, Links_traverse},
    {Py_tp_clear, Links_clear},
    {Py_tp_repr, Links_repr},
    {Py_tp_methods, Links_methods},
    {Py_tp_getset, Links_getset},
    {Py_tp_members, Links_members},
    {Py_sq_length, Links_len},
    {Py_tp_doc, "Linked reports (from Reports.link)."},
    {0, NULL}};

static PyType_Spec Links_spec = {
    .name = "toll._core.Links",
    .basicsize = sizeof(LinksObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .slots = Links_slots,
};

int toll_py_links_init(PyObject *m, toll_state *st)
{
    PyObject *tp = PyType_FromModuleAndSpec(m, &Links_spec, NULL);
    if (!tp)
        return -1;
    st->Links_Type = (PyTypeObject *)tp; /* the state's reference */
    return PyModule_AddType(m, (PyTypeObject *)tp);
}

/* ---- Reports.link ------------------------------------------------------------- */

PyObject *toll_py_reports_link(ReportsObject *self, PyObject *args,
                               PyObject *kwds)
{
    static char *kwlist[] = {"window",     "upper",      "lower",
                             "same_source", "max_span",  "model_json",
                             "model_file", "names_file", "labels",
                             "seed",       "threads",    NULL};
    PyObject *window = NULL, *upper = NULL, *lower = NULL, *max_span = NULL,
             *labels = NULL, *seed = NULL, *threads = NULL;
    PyObject *model_file = NULL, *names_file = NULL;
    const char *same_source = NULL, *model_json = NULL;
    Py_ssize_t model_len = 0;
    if (!PyArg_ParseTupleAndKeywords(
            args, kwds, "|$OOOzOz#O&O&OOO:link", kwlist, &window, &upper,
            &lower, &same_source, &max_span, &model_json, &model_len,
            toll_py_opt_path, &model_file, toll_py_opt_path, &names_file,
            &labels, &seed, &threads))
        return NULL;
    toll_state *st = TOLL_PY_STATE(self);
    PyObject *res = NULL;
    linker_kw k;
    memset(&k, 0, sizeof k);
    toll_link_options_init(&k.o);
    toll_error err;
    toll_error_clear(&err);
    toll_status s = TOLL_OK;
    toll_py_store *h = NULL;
    LinksObject *obj = NULL;
    toll_links *out = NULL;

    if (!self->store) {
        PyErr_SetString(PyExc_ValueError, "Reports is not initialised");
        goto done;
    }
    if (int_kw("window", window, INT_MIN, INT_MAX, &k.o.window_days) < 0 ||
        int_kw("max_span", max_span, INT_MIN, INT_MAX, &k.o.max_span) < 0 ||
        double_kw("upper", upper, &k.o.upper) < 0 ||
        double_kw("lower", lower, &k.o.lower) < 0)
        goto done;
    if (same_source &&
        (s = toll_link_same_source_parse(same_source, &k.o.same_source,
                                         &err))) {
        toll_py_raise_option(st, "same_source", s, &err);
        goto done;
    }
    if (seed && seed != Py_None) {
        if (!PyLong_Check(seed) || PyBool_Check(seed)) {
            PyErr_Format(PyExc_TypeError, "seed must be an int, not %.100s",
                         Py_TYPE(seed)->tp_name);
            goto done;
        }
        k.o.seed = PyLong_AsUnsignedLongLong(seed);
        if (PyErr_Occurred()) {
            PyErr_Clear();
            toll_py_option_error(st, "seed", "", "must be from 0 to %llu",
                                 ULLONG_MAX);
            goto done;
        }
    }
    if (threads && threads != Py_None) {
        Py_ssize_t t = PyNumber_AsSsize_t(threads, PyExc_OverflowError);
        if (t == -1 && PyErr_Occurred())
            goto done;
        if (t < 0) {
            toll_py_option_error(st, "threads", "", "must be >= 0, got %zd",
                                 t);
            goto done;
        }
        k.o.threads = (size_t)t;
    }
    if ((s = toll_link_options_check(&k.o, &err)) != TOLL_OK) {
        toll_py_raise(st, s, &err, NULL, 0);
        goto done;
    }
    if (labels_kw(labels, &k) < 0)
        goto done;
    if ((model_json || model_file) && k.labels) {
        toll_py_option_error(st, "model", "",
                             "a model is used as given: give model or "
                             "labels, not both");
        goto done;
    }
    if (names_file) {
        if ((s = toll_link_names_new(NULL, &k.names, &err)) == TOLL_OK) {
            Py_BEGIN_ALLOW_THREADS
            s = toll_link_names_load_file(k.names, PyBytes_AS_STRING(names_file),
                                          &err);
            Py_END_ALLOW_THREADS
        }
        if (s != TOLL_OK) {
            toll_py_raise(st, s, &err, names_file, 0);
            goto done;
        }
        k.o.names = k.names;
    }
    if (model_json || model_file) {
        if ((s = toll_link_model_new(NULL, &k.model, &err)) == TOLL_OK) {
            if (model_file) {
                Py_BEGIN_ALLOW_THREADS
                s = toll_link_model_load_file(
                    k.model, PyBytes_AS_STRING(model_file), &err);
                Py_END_ALLOW_THREADS
            } else {
                s = toll_link_model_load_json(k.model, model_json,
                                              (size_t)model_len, "<model>",
                                              &err);
            }
        }
        if (s != TOLL_OK) {
            toll_py_raise(st, s, &err, model_file, 0);
            goto done;
        }
        k.o.model = k.model;
    }

    obj = (LinksObject *)st->Links_Type->tp_alloc(st->Links_Type, 0);
    if (!obj)
        goto done;
    h = toll_py_store_ref(self->store);
    Py_BEGIN_ALLOW_THREADS
    if (k.labels) {
        toll_link_model *fitted = NULL;
        s = toll_link_fit_labelled(h->r, &k.o, k.labels, k.n_labels, NULL,
                                   &fitted, &err);
        if (s == TOLL_OK) {
            toll_link_model_free(k.model);
            k.model = fitted;
            k.o.model = fitted;
        }
    }
    if (s == TOLL_OK)
        s = toll_link_reports(h->r, &k.o, NULL, &out, &err);
    Py_END_ALLOW_THREADS
    if (s != TOLL_OK) {
        toll_py_store_unref(h);
        toll_py_raise(st, s, &err, NULL, 0);
        goto done;
    }
    obj->links = out;
    obj->store = h;
    Py_INCREF(self);
    obj->reports = self;
    res = (PyObject *)obj;
    obj = NULL;
done:
    Py_XDECREF(obj);
    Py_XDECREF(model_file);
    Py_XDECREF(names_file);
    linker_free(&k);
    return res;
}
