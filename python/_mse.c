/*
 * python/_mse.c - multiple systems estimation (toll/mse.h) and interval
 * sums (toll/intervals.h) for toll._core:
 *
 *   MseData        wraps toll_mse_data* (capture histories and estimators)
 *   MseFreq        wraps toll_mse_freq* (capture frequencies and the
 *                  heterogeneity models)
 *   interval_sum() quantiles of a sum of ranges
 *
 * plus toll_py_interval_options(), which Incidents.summarize uses for its
 * interval keywords.  The Python face is python/toll/mse.py.
 *
 * Estimates are returned as dicts (python/toll/mse.py makes them
 * Estimate objects).  The GIL is released around fits and searches; a data
 * set being estimated from (readers > 0) cannot be modified.
 */
#include "_core.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <string.h>

typedef struct {
    PyObject_HEAD
    toll_mse_data *d;
    Py_ssize_t readers; /* estimations running without the GIL */
    int writing;        /* a load running without the GIL */
    PyObject *weakrefs;
} MseDataObject;

static int data_ready(MseDataObject *self)
{
    if (!self->d) {
        PyErr_SetString(PyExc_ValueError, "MseData is not initialised");
        return -1;
    }
    if (self->writing) {
        PyErr_SetString(PyExc_RuntimeError,
                        "MseData is being loaded in another thread");
        return -1;
    }
    return 0;
}

static int data_writable(MseDataObject *self)
{
    if (data_ready(self) < 0)
        return -1;
    if (self->readers > 0) {
        PyErr_SetString(PyExc_RuntimeError,
                        "cannot modify MseData while another thread "
                        "estimates from it");
        return -1;
    }
    return 0;
}

/* ---- arguments ---------------------------------------------------------- */

/* A sequence of str into a NULL-terminated array of UTF-8 pointers
 * (owned by the objects in *seq, which the caller releases). */
static int str_list(PyObject *obj, const char *what, PyObject **seq,
                    const char ***out, Py_ssize_t *n)
{
    *seq = NULL;
    *out = NULL;
    *n = 0;
    if (obj == Py_None)
        return 0;
    if (PyUnicode_Check(obj)) {
        PyErr_Format(PyExc_TypeError, "%s must be a list of str, not a str",
                     what);
        return -1;
    }
    *seq = PySequence_Fast(obj, "must be a sequence of str");
    if (!*seq)
        return -1;
    *n = PySequence_Fast_GET_SIZE(*seq);
    *out = PyMem_Calloc((size_t)*n + 1, sizeof **out);
    if (!*out) {
        Py_CLEAR(*seq);
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < *n; i++) {
        PyObject *o = PySequence_Fast_GET_ITEM(*seq, i);
        if (!PyUnicode_Check(o)) {
            PyErr_Format(PyExc_TypeError, "%s[%zd] must be str, not %.100s",
                         what, i, Py_TYPE(o)->tp_name);
            goto fail;
        }
        if (!((*out)[i] = PyUnicode_AsUTF8(o)))
            goto fail;
    }
    return 0;
fail:
    PyMem_Free(*out);
    *out = NULL;
    Py_CLEAR(*seq);
    return -1;
}

/* Stratum argument: None -> TOTAL, str -> by name, int -> index. */
/* The model named by `model` (NULL: independence) into *m; -1 with the
 * exception set when the C parser refuses it. */
static int model_arg(toll_state *st, MseDataObject *self, const char *model,
                     toll_mse_model *m)
{
    *m = 0;
    if (!model)
        return 0;
    toll_error err;
    toll_error_clear(&err);
    toll_status ps = toll_mse_model_parse(self->d, model, m, &err);
    if (ps != TOLL_OK) {
        toll_py_raise(st, ps, &err, NULL, 0);
        return -1;
    }
    return 0;
}

static int stratum_arg(toll_state *st, MseDataObject *self, PyObject *obj,
                       size_t *out)
{
    *out = TOLL_MSE_TOTAL;
    if (!obj || obj == Py_None)
        return 0;
    if (PyUnicode_Check(obj)) {
        const char *nm = PyUnicode_AsUTF8(obj);
        if (!nm)
            return -1;
        size_t s = toll_mse_data_stratum_index(self->d, nm);
        if (s == TOLL_MSE_NO_STRATUM) {
            toll_py_option_error(st, "stratum", nm, "no stratum named '%s'",
                                 nm);
            return -1;
        }
        *out = s;
        return 0;
    }
    long s = PyLong_AsLong(obj);
    if (s == -1 && PyErr_Occurred())
        return -1;
    if (s < 0 || (size_t)s >= toll_mse_data_nstrata(self->d)) {
        char text[32];
        snprintf(text, sizeof text, "%ld", s);
        toll_py_option_error(st, "stratum", text,
                             "stratum %ld does not exist (there are %zu)", s,
                             toll_mse_data_nstrata(self->d));
        return -1;
    }
    *out = (size_t)s;
    return 0;
}

/* A list argument: None -> dflt, str -> by name, int -> index. */
static int list_arg(toll_state *st, MseDataObject *self, PyObject *obj,
                    int dflt, int *out)
{
    *out = dflt;
    if (!obj || obj == Py_None)
        return 0;
    int K = toll_mse_data_nlists(self->d);
    if (PyUnicode_Check(obj)) {
        const char *nm = PyUnicode_AsUTF8(obj);
        if (!nm)
            return -1;
        int j = toll_mse_data_list_index(self->d, nm);
        if (j < 0) {
            toll_py_option_error(st, "lists", nm, "no list named '%s'", nm);
            return -1;
        }
        *out = j;
        return 0;
    }
    long j = PyLong_AsLong(obj);
    if (j == -1 && PyErr_Occurred())
        return -1;
    if (j < 0 || j >= K) {
        char text[32];
        snprintf(text, sizeof text, "%ld", j);
        toll_py_option_error(st, "lists", text,
                             "list %ld does not exist (there are %d)", j, K);
        return -1;
    }
    *out = (int)j;
    return 0;
}

static int fill_opts(toll_state *st, double level, int profile,
                     toll_mse_options *o)
{
    (void)st; /* the level's range is checked by the library */
    toll_mse_options_init(o);
    o->level = level;
    o->profile = profile;
    return 0;
}

/* ---- estimates as dicts ------------------------------------------------- */

static PyObject *num(double v)
{
    return PyFloat_FromDouble(v);
}

static PyObject *estimate_dict(MseDataObject *self, const toll_mse_estimate *e)
{
    PyObject *d = PyDict_New();
    if (!d)
        return NULL;
    const char *stratum = NULL;
    if (self && e->stratum != TOLL_MSE_TOTAL) /* self NULL: MseFreq */
        stratum = toll_mse_data_stratum_name(self->d, e->stratum);
    int loglin = e->method == TOLL_MSE_LOGLINEAR;
    const char *interval = e->interval == TOLL_MSE_CI_PROFILE ? "profile"
                           : e->interval == TOLL_MSE_CI_LOGNORMAL
                               ? "log-normal"
                               : "";
    struct {
        const char *k;
        PyObject *v;
    } items[] = {
        {"method", toll_py_str(toll_mse_method_name(e->method))},
        {"model", toll_py_str(e->method == TOLL_MSE_MODEL_AVERAGE
                                  ? "model average"
                              : (e->method == TOLL_MSE_CHAO &&
                                 !e->model_name[0])
                                  ? "all lists"
                                  : e->model_name)},
        {"model_bits", PyLong_FromUnsignedLong(e->model)},
        {"stratum", stratum ? toll_py_str(stratum)
                            : (Py_INCREF(Py_None), Py_None)},
        {"observed", num(e->observed)},
        {"n_hat", num(e->n_hat)},
        {"se", num(e->se)},
        {"lower", num(e->lo)},
        {"upper", num(e->hi)},
        {"interval", toll_py_str(interval)},
        {"n_profile", num(e->n_profile)},
        {"deviance", num(loglin ? e->deviance : NAN)},
        {"df", loglin ? PyLong_FromLong(e->df)
                      : (Py_INCREF(Py_None), Py_None)},
        {"npar", loglin ? PyLong_FromLong(e->npar)
                        : (Py_INCREF(Py_None), Py_None)},
        {"loglik", num(loglin ? e->loglik : NAN)},
        {"aic", num(loglin ? e->aic : NAN)},
        {"bic", num(loglin ? e->bic : NAN)},
        {"weight", num(e->weight)},
        {"delta", num(e->delta)},
        {"iterations", PyLong_FromLong(e->iterations)},
        {"warning_flags", PyLong_FromUnsignedLong(e->warnings)},
        {"warning", toll_py_str(e->warning)},
    };
    int rc = 0;
    for (size_t i = 0; i < sizeof items / sizeof *items; i++) {
        if (rc == 0)
            rc = items[i].v ? PyDict_SetItemString(d, items[i].k, items[i].v)
                            : -1;
        Py_XDECREF(items[i].v);
    }
    if (rc < 0) {
        Py_DECREF(d);
        return NULL;
    }
    return d;
}

/* ---- the type ----------------------------------------------------------- */

static PyObject *MseData_new(PyTypeObject *type, PyObject *args,
                             PyObject *kwds)
{
    static char *kwlist[] = {"lists", NULL};
    PyObject *lists_o = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|O:MseData", kwlist,
                                     &lists_o))
        return NULL;
    toll_state *st = toll_py_state_of_type(type);
    if (!st)
        return NULL;
    PyObject *seq;
    const char **names;
    Py_ssize_t n;
    if (str_list(lists_o, "lists", &seq, &names, &n) < 0)
        return NULL;
    MseDataObject *self = (MseDataObject *)type->tp_alloc(type, 0);
    if (!self) {
        PyMem_Free(names);
        Py_XDECREF(seq);
        return NULL;
    }
    toll_error err;
    toll_error_clear(&err);
    /* no lists: the first load names them */
    toll_status s = toll_mse_data_new((int)(n > 100 ? 100 : n),
                                      seq ? names : NULL, NULL, &self->d,
                                      &err);
    PyMem_Free(names);
    Py_XDECREF(seq);
    if (s != TOLL_OK) {
        self->d = NULL;
        Py_DECREF(self);
        return toll_py_raise_option(st, "lists", s, &err);
    }
    return (PyObject *)self;
}

static void MseData_dealloc(MseDataObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    if (self->weakrefs)
        PyObject_ClearWeakRefs((PyObject *)self);
    toll_mse_data_free(self->d);
    self->d = NULL;
    tp->tp_free((PyObject *)self);
    Py_DECREF(tp);
}

static PyObject *MseData_from_incidents(PyObject *cls, PyObject *args,
                                        PyObject *kwds)
{
    static char *kwlist[] = {"incidents", "lists", "stratify_by", NULL};
    PyObject *inc_o, *lists_o = Py_None;
    const char *stratify_by = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O|Oz:from_incidents",
                                     kwlist, &inc_o, &lists_o, &stratify_by))
        return NULL;
    PyTypeObject *type = (PyTypeObject *)cls;
    toll_state *st = toll_py_state_of_type(type);
    if (!st)
        return NULL;
    if (!PyObject_TypeCheck(inc_o, st->Incidents_Type)) {
        PyErr_Format(PyExc_TypeError,
                     "incidents must be toll._core.Incidents, not %.100s",
                     Py_TYPE(inc_o)->tp_name);
        return NULL;
    }
    IncidentsObject *io = (IncidentsObject *)inc_o;
    if (!io->inc) {
        PyErr_SetString(PyExc_ValueError, "Incidents is not initialised");
        return NULL;
    }
    PyObject *seq;
    const char **names;
    Py_ssize_t n;
    if (str_list(lists_o, "lists", &seq, &names, &n) < 0)
        return NULL;
    MseDataObject *self = (MseDataObject *)type->tp_alloc(type, 0);
    if (!self) {
        PyMem_Free(names);
        Py_XDECREF(seq);
        return NULL;
    }
    toll_error err;
    toll_error_clear(&err);
    toll_status s;
    Py_INCREF(io);
    Py_BEGIN_ALLOW_THREADS
    s = toll_mse_data_from_incidents(io->inc, names, (size_t)n, stratify_by,
                                     NULL, &self->d, &err);
    Py_END_ALLOW_THREADS
    Py_DECREF(io);
    PyMem_Free(names);
    Py_XDECREF(seq);
    if (s != TOLL_OK) {
        self->d = NULL;
        Py_DECREF(self);
        return toll_py_raise(st, s, &err, NULL, 0);
    }
    return (PyObject *)self;
}

static PyObject *MseData_add_pattern(MseDataObject *self, PyObject *args,
                                     PyObject *kwds)
{
    static char *kwlist[] = {"pattern", "count", "stratum", NULL};
    const char *pattern, *stratum = NULL;
    long long count = 1;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "s|Lz:add_pattern", kwlist,
                                     &pattern, &count, &stratum))
        return NULL;
    if (data_writable(self) < 0)
        return NULL;
    toll_error err;
    toll_error_clear(&err);
    toll_status s = toll_mse_data_add_pattern(self->d, stratum, pattern,
                                              (int64_t)count, &err);
    if (s != TOLL_OK)
        return toll_py_raise(TOLL_PY_STATE(self), s, &err, NULL, 0);
    Py_RETURN_NONE;
}

/* add_records(flags, strata=None): flags is a bytes-like object of n*K
 * bytes (0 / non-zero), strata None or a sequence of n str/None.  All or
 * nothing: on an error the data set is unchanged. */
static PyObject *MseData_add_records(MseDataObject *self, PyObject *args,
                                     PyObject *kwds)
{
    static char *kwlist[] = {"flags", "strata", NULL};
    Py_buffer buf;
    PyObject *strata_o = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "y*|O:add_records", kwlist,
                                     &buf, &strata_o))
        return NULL;
    toll_state *st = TOLL_PY_STATE(self);
    PyObject *seq = NULL, *result = NULL;
    const char **strata = NULL;
    Py_ssize_t ns = 0;
    toll_mse_data *tmp = NULL;
    if (data_writable(self) < 0)
        goto cleanup;
    int K = toll_mse_data_nlists(self->d);
    if (buf.len % K != 0) {
        PyErr_Format(PyExc_ValueError,
                     "flags has %zd bytes, not a multiple of the %d lists",
                     buf.len, K);
        goto cleanup;
    }
    Py_ssize_t n = buf.len / K;
    if (strata_o != Py_None) {
        seq = PySequence_Fast(strata_o, "strata must be a sequence");
        if (!seq)
            goto cleanup;
        ns = PySequence_Fast_GET_SIZE(seq);
        if (ns != n) {
            PyErr_Format(PyExc_ValueError,
                         "%zd strata given for %zd records", ns, n);
            goto cleanup;
        }
        strata = PyMem_Calloc((size_t)n + 1, sizeof *strata);
        if (!strata) {
            PyErr_NoMemory();
            goto cleanup;
        }
        for (Py_ssize_t i = 0; i < n; i++) {
            PyObject *o = PySequence_Fast_GET_ITEM(seq, i);
            if (o == Py_None)
                continue;
            if (!PyUnicode_Check(o)) {
                PyErr_Format(PyExc_TypeError,
                             "strata[%zd] must be str or None, not %.100s", i,
                             Py_TYPE(o)->tp_name);
                goto cleanup;
            }
            if (!(strata[i] = PyUnicode_AsUTF8(o)))
                goto cleanup;
        }
    }
    /* Add to a copy first (all or nothing), then swap it in. */
    {
        const char *names[TOLL_MSE_MAX_LISTS];
        for (int j = 0; j < K; j++)
            names[j] = toll_mse_data_list_name(self->d, j);
        toll_error err;
        toll_error_clear(&err);
        toll_status s = toll_mse_data_new(K, names, NULL, &tmp, &err);
        for (size_t k = 0; !s && k < toll_mse_data_nstrata(self->d); k++) {
            const char *sn = toll_mse_data_stratum_name(self->d, k);
            for (unsigned p = 1; !s && p < (1u << K); p++) {
                int64_t c = toll_mse_data_count(self->d, k, p);
                if (!c)
                    continue;
                char pat[TOLL_MSE_MAX_LISTS + 1];
                for (int j = 0; j < K; j++)
                    pat[j] = (p >> j) & 1u ? '1' : '0';
                pat[K] = '\0';
                s = toll_mse_data_add_pattern(tmp, sn, pat, c, &err);
            }
        }
        const unsigned char *f = buf.buf;
        Py_ssize_t bad = -1;
        for (Py_ssize_t i = 0; !s && i < n; i++) {
            s = toll_mse_data_add_record(tmp, strata ? strata[i] : NULL,
                                         f + i * K, (size_t)K, &err);
            if (s)
                bad = i;
        }
        if (s) {
            if (bad >= 0) {
                char tail[sizeof err.message];
                snprintf(tail, sizeof tail, "%s", err.message);
                err.record = (long)bad;
                snprintf(err.file, sizeof err.file, "<records>");
                snprintf(err.message, sizeof err.message,
                         "<records>: record %zd: %.580s", bad, tail);
            }
            toll_py_raise(st, s, &err, NULL, 0);
            goto cleanup;
        }
        toll_mse_data *old = self->d;
        self->d = tmp;
        tmp = old;
    }
    result = Py_None;
    Py_INCREF(result);
cleanup:
    toll_mse_data_free(tmp);
    PyMem_Free(strata);
    Py_XDECREF(seq);
    PyBuffer_Release(&buf);
    return result;
}

static int load_opts(toll_state *st, const char *stratum_column,
                     const char *delimiter, toll_mse_load_options *lo)
{
    toll_mse_load_options_init(lo);
    lo->stratum_column = stratum_column;
    if (delimiter && (strcmp(delimiter, "tab") == 0 ||
                      strcmp(delimiter, "\\t") == 0)) {
        lo->delimiter = '\t'; /* as --delimiter tab */
    } else if (delimiter) {
        if (strlen(delimiter) != 1) {
            toll_py_option_error(st, "delimiter", delimiter,
                                 "the delimiter must be one character, not "
                                 "'%s'", delimiter);
            return -1;
        }
        lo->delimiter = delimiter[0]; /* its rule: toll_mse_data_load_* */
    }
    return 0;
}

static PyObject *MseData_load_file(MseDataObject *self, PyObject *args,
                                   PyObject *kwds)
{
    static char *kwlist[] = {"path", "lists", "stratum_column", "delimiter",
                             NULL};
    PyObject *path = NULL, *lists_o = Py_None;
    const char *scol = NULL, *delim = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O&|Ozz:load_file", kwlist,
                                     PyUnicode_FSConverter, &path, &lists_o,
                                     &scol, &delim))
        return NULL;
    toll_state *st = TOLL_PY_STATE(self);
    PyObject *seq = NULL, *result = NULL;
    const char **names = NULL;
    Py_ssize_t n = 0;
    toll_mse_load_options lo;
    if (data_writable(self) < 0 || load_opts(st, scol, delim, &lo) < 0 ||
        str_list(lists_o, "lists", &seq, &names, &n) < 0)
        goto cleanup;
    toll_error err;
    toll_error_clear(&err);
    toll_status s;
    int e;
    self->writing = 1; /* no other use meanwhile */
    Py_BEGIN_ALLOW_THREADS
    errno = 0;
    lo.lists = names;
    lo.nlists = (size_t)n;
    s = toll_mse_data_load_file(self->d, PyBytes_AS_STRING(path), &lo, &err);
    e = errno;
    Py_END_ALLOW_THREADS
    self->writing = 0;
    if (s != TOLL_OK) {
        toll_py_raise(st, s, &err, path, e);
        goto cleanup;
    }
    result = Py_None;
    Py_INCREF(result);
cleanup:
    PyMem_Free(names);
    Py_XDECREF(seq);
    Py_XDECREF(path);
    return result;
}

static PyObject *MseData_load_buffer(MseDataObject *self, PyObject *args,
                                     PyObject *kwds)
{
    static char *kwlist[] = {"data", "name", "lists", "stratum_column",
                             "delimiter", NULL};
    Py_buffer buf;
    const char *name = NULL, *scol = NULL, *delim = NULL;
    PyObject *lists_o = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "s*|zOzz:load_buffer",
                                     kwlist, &buf, &name, &lists_o, &scol,
                                     &delim))
        return NULL;
    toll_state *st = TOLL_PY_STATE(self);
    PyObject *seq = NULL, *result = NULL;
    const char **names = NULL;
    Py_ssize_t n = 0;
    toll_mse_load_options lo;
    if (data_writable(self) < 0 || load_opts(st, scol, delim, &lo) < 0 ||
        str_list(lists_o, "lists", &seq, &names, &n) < 0)
        goto cleanup;
    toll_error err;
    toll_error_clear(&err);
    lo.lists = names;
    lo.nlists = (size_t)n;
    toll_status s = toll_mse_data_load_buffer(self->d, buf.buf,
                                              (size_t)buf.len,
                                              name ? name : "<buffer>", &lo,
                                              &err);
    if (s != TOLL_OK) {
        toll_py_raise(st, s, &err, NULL, 0);
        goto cleanup;
    }
    result = Py_None;
    Py_INCREF(result);
cleanup:
    PyMem_Free(names);
    Py_XDECREF(seq);
    PyBuffer_Release(&buf);
    return result;
}

static PyObject *MseData_get_lists(MseDataObject *self, void *closure)
{
    if (data_ready(self) < 0)
        return NULL;
    int K = toll_mse_data_nlists(self->d);
    PyObject *t = PyTuple_New(K);
    if (!t)
        return NULL;
    for (int j = 0; j < K; j++) {
        PyObject *s = toll_py_str(toll_mse_data_list_name(self->d, j));
        if (!s) {
            Py_DECREF(t);
            return NULL;
        }
        PyTuple_SET_ITEM(t, j, s);
    }
    return t;
}

static PyObject *MseData_get_strata(MseDataObject *self, void *closure)
{
    if (data_ready(self) < 0)
        return NULL;
    size_t n = toll_mse_data_nstrata(self->d);
    PyObject *t = PyTuple_New((Py_ssize_t)n);
    if (!t)
        return NULL;
    for (size_t k = 0; k < n; k++) {
        PyObject *s = toll_py_str(toll_mse_data_stratum_name(self->d, k));
        if (!s) {
            Py_DECREF(t);
            return NULL;
        }
        PyTuple_SET_ITEM(t, (Py_ssize_t)k, s);
    }
    return t;
}

/* counts(stratum=None): list of 2^K counts by bit mask (index 0: 0). */
static PyObject *MseData_counts(MseDataObject *self, PyObject *args,
                                PyObject *kwds)
{
    static char *kwlist[] = {"stratum", NULL};
    PyObject *so = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|O:counts", kwlist, &so))
        return NULL;
    size_t s;
    if (data_ready(self) < 0 ||
        stratum_arg(TOLL_PY_STATE(self), self, so, &s) < 0)
        return NULL;
    unsigned nc = 1u << toll_mse_data_nlists(self->d);
    PyObject *l = PyList_New(nc);
    if (!l)
        return NULL;
    for (unsigned p = 0; p < nc; p++) {
        PyObject *v = PyLong_FromLongLong(
            p ? (long long)toll_mse_data_count(self->d, s, p) : 0);
        if (!v) {
            Py_DECREF(l);
            return NULL;
        }
        PyList_SET_ITEM(l, p, v);
    }
    return l;
}

static PyObject *MseData_observed(MseDataObject *self, PyObject *args,
                                  PyObject *kwds)
{
    static char *kwlist[] = {"stratum", NULL};
    PyObject *so = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|O:observed", kwlist, &so))
        return NULL;
    size_t s;
    if (data_ready(self) < 0 ||
        stratum_arg(TOLL_PY_STATE(self), self, so, &s) < 0)
        return NULL;
    return PyLong_FromLongLong(
        (long long)toll_mse_data_observed(self->d, s));
}

/* ---- estimators --------------------------------------------------------- */

enum est_kind { E_LP, E_CHAPMAN, E_CHAO, E_LOGLIN };

static PyObject *estimate(MseDataObject *self, enum est_kind kind,
                          PyObject *args, PyObject *kwds)
{
    static char *kw_two[] = {"a", "b", "stratum", "level", NULL};
    static char *kw_chao[] = {"stratum", "level", NULL};
    static char *kw_loglin[] = {"model", "stratum", "level", "profile", NULL};
    PyObject *a_o = Py_None, *b_o = Py_None, *so = Py_None;
    const char *model = NULL;
    double level = 0.95;
    int profile = 1;
    int ok;
    switch (kind) {
    case E_LP:
    case E_CHAPMAN:
        ok = PyArg_ParseTupleAndKeywords(args, kwds, "|OOOd:estimate", kw_two,
                                         &a_o, &b_o, &so, &level);
        break;
    case E_CHAO:
        ok = PyArg_ParseTupleAndKeywords(args, kwds, "|Od:chao", kw_chao, &so,
                                         &level);
        break;
    default:
        ok = PyArg_ParseTupleAndKeywords(args, kwds, "|zOdp:loglinear",
                                         kw_loglin, &model, &so, &level,
                                         &profile);
        break;
    }
    if (!ok)
        return NULL;
    toll_state *st = TOLL_PY_STATE(self);
    size_t s;
    int a = 0, b = 1;
    toll_mse_options o;
    if (data_ready(self) < 0 || stratum_arg(st, self, so, &s) < 0 ||
        list_arg(st, self, a_o, 0, &a) < 0 ||
        list_arg(st, self, b_o, 1, &b) < 0 ||
        fill_opts(st, level, profile, &o) < 0)
        return NULL;
    toll_error err;
    toll_error_clear(&err);
    toll_mse_model m;
    if (model_arg(st, self, kind == E_LOGLIN ? model : NULL, &m) < 0)
        return NULL;
    toll_mse_estimate e;
    toll_status r;
    self->readers++;
    Py_BEGIN_ALLOW_THREADS
    switch (kind) {
    case E_LP:
        r = toll_mse_lincoln_petersen(self->d, s, a, b, &o, &e, &err);
        break;
    case E_CHAPMAN:
        r = toll_mse_chapman(self->d, s, a, b, &o, &e, &err);
        break;
    case E_CHAO:
        r = toll_mse_chao(self->d, s, &o, &e, &err);
        break;
    default:
        r = toll_mse_loglinear(self->d, s, m, &o, &e, &err);
        break;
    }
    Py_END_ALLOW_THREADS
    self->readers--;
    if (r != TOLL_OK)
        return toll_py_raise(st, r, &err, NULL, 0);
    return estimate_dict(self, &e);
}

static PyObject *MseData_lincoln_petersen(MseDataObject *self, PyObject *a,
                                          PyObject *k)
{
    return estimate(self, E_LP, a, k);
}

static PyObject *MseData_chapman(MseDataObject *self, PyObject *a,
                                 PyObject *k)
{
    return estimate(self, E_CHAPMAN, a, k);
}

static PyObject *MseData_chao(MseDataObject *self, PyObject *a, PyObject *k)
{
    return estimate(self, E_CHAO, a, k);
}

static PyObject *MseData_loglinear(MseDataObject *self, PyObject *a,
                                   PyObject *k)
{
    return estimate(self, E_LOGLIN, a, k);
}

/* search(criterion='aic', stratum=None, level=0.95, profile=True,
 *        profile_delta=10) -> (models, average, skipped, skip_message),
 * skipped a list of (model, reason) */
static PyObject *MseData_search(MseDataObject *self, PyObject *args,
                                PyObject *kwds)
{
    static char *kwlist[] = {"criterion", "stratum", "level", "profile",
                             "profile_delta", NULL};
    const char *crit_s = "aic";
    PyObject *so = Py_None;
    double level = 0.95, delta = 10.0;
    int profile = 1;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|sOdpd:search", kwlist,
                                     &crit_s, &so, &level, &profile, &delta))
        return NULL;
    toll_state *st = TOLL_PY_STATE(self);
    toll_mse_criterion crit;
    toll_error cerr;
    toll_error_clear(&cerr);
    toll_status cs = toll_mse_criterion_parse(crit_s, &crit, &cerr);
    if (cs != TOLL_OK)
        return toll_py_raise_option(st, "criterion", cs, &cerr);
    size_t s;
    toll_mse_options o;
    if (data_ready(self) < 0 || stratum_arg(st, self, so, &s) < 0 ||
        fill_opts(st, level, profile, &o) < 0)
        return NULL;
    o.profile_delta = delta; /* C refuses a negative or NaN value */
    toll_error err;
    toll_error_clear(&err);
    toll_mse_results *res = NULL;
    toll_status r;
    self->readers++;
    Py_BEGIN_ALLOW_THREADS
    r = toll_mse_search(self->d, s, crit, &o, NULL, &res, &err);
    Py_END_ALLOW_THREADS
    self->readers--;
    if (r != TOLL_OK)
        return toll_py_raise(st, r, &err, NULL, 0);
    PyObject *models = NULL, *avg = NULL, *skipped = NULL, *result = NULL;
    size_t n = toll_mse_results_count(res);
    size_t nskip = toll_mse_results_skipped(res);
    skipped = PyList_New((Py_ssize_t)nskip);
    if (!skipped)
        goto cleanup;
    for (size_t i = 0; i < nskip; i++) {
        const char *why = NULL;
        const char *name = toll_mse_results_skipped_model(res, i, &why);
        PyObject *t = Py_BuildValue("(NN)", toll_py_str(name),
                                    toll_py_str(why));
        if (!t)
            goto cleanup;
        PyList_SET_ITEM(skipped, (Py_ssize_t)i, t);
    }
    models = PyList_New((Py_ssize_t)n);
    if (!models)
        goto cleanup;
    for (size_t i = 0; i < n; i++) {
        PyObject *e = estimate_dict(self, toll_mse_results_get(res, i));
        if (!e)
            goto cleanup;
        PyList_SET_ITEM(models, (Py_ssize_t)i, e);
    }
    avg = estimate_dict(self, toll_mse_results_average(res));
    if (!avg)
        goto cleanup;
    result = Py_BuildValue("(OOON)", models, avg, skipped,
                           toll_py_str(toll_mse_results_skip_message(res)));
cleanup:
    Py_XDECREF(models);
    Py_XDECREF(avg);
    Py_XDECREF(skipped);
    toll_mse_results_free(res);
    return result;
}

/* estimate_exists(model=None, stratum=None) -> (exists, why) */
static PyObject *MseData_estimate_exists(MseDataObject *self, PyObject *args,
                                         PyObject *kwds)
{
    static char *kwlist[] = {"model", "stratum", NULL};
    const char *model = NULL;
    PyObject *so = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|zO:estimate_exists",
                                     kwlist, &model, &so))
        return NULL;
    toll_state *st = TOLL_PY_STATE(self);
    size_t s;
    if (data_ready(self) < 0 || stratum_arg(st, self, so, &s) < 0)
        return NULL;
    toll_error err;
    toll_error_clear(&err);
    toll_mse_model m;
    if (model_arg(st, self, model, &m) < 0)
        return NULL;
    int ok = 0;
    char why[512];
    toll_status r;
    self->readers++;
    Py_BEGIN_ALLOW_THREADS
    r = toll_mse_estimate_exists(self->d, s, m, &ok, why, sizeof why, &err);
    Py_END_ALLOW_THREADS
    self->readers--;
    if (r != TOLL_OK)
        return toll_py_raise(st, r, &err, NULL, 0);
    return Py_BuildValue("(ON)", ok ? Py_True : Py_False, toll_py_str(why));
}

/* leave_one_out(model=None, stratum=None, level=0.95, profile=True)
 * -> Table */
static PyObject *MseData_leave_one_out(MseDataObject *self, PyObject *args,
                                       PyObject *kwds)
{
    static char *kwlist[] = {"model", "stratum", "level", "profile", NULL};
    const char *model = NULL;
    PyObject *so = Py_None;
    double level = 0.95;
    int profile = 1;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|zOdp:leave_one_out",
                                     kwlist, &model, &so, &level, &profile))
        return NULL;
    toll_state *st = TOLL_PY_STATE(self);
    size_t s;
    toll_mse_options o;
    if (data_ready(self) < 0 || stratum_arg(st, self, so, &s) < 0 ||
        fill_opts(st, level, profile, &o) < 0)
        return NULL;
    toll_error err;
    toll_error_clear(&err);
    toll_table *t = NULL;
    toll_status r;
    self->readers++;
    Py_BEGIN_ALLOW_THREADS
    r = toll_mse_leave_one_out(self->d, s, model, &o, NULL, &t, &err);
    Py_END_ALLOW_THREADS
    self->readers--;
    if (r != TOLL_OK)
        return toll_py_raise(st, r, &err, NULL, 0);
    return toll_py_table_new(st, t);
}

/* ---- LCMCR --------------------------------------------------------------- */

/* An int option into *out (range checked by the library, except what
 * must fit the C type). */
static int int_opt(toll_state *st, PyObject *obj, const char *name,
                   long long lo, long long hi, long long *out)
{
    if (!PyLong_Check(obj) || PyBool_Check(obj)) {
        PyObject *r = PyObject_Repr(obj);
        const char *t = r ? PyUnicode_AsUTF8(r) : NULL;
        if (!t) {
            Py_XDECREF(r);
            return -1;
        }
        toll_py_option_error(st, name, t, "%s must be a whole number, not "
                             "%s", name, t);
        Py_DECREF(r);
        return -1;
    }
    int overflow = 0;
    long long v = PyLong_AsLongLongAndOverflow(obj, &overflow);
    if (v == -1 && PyErr_Occurred())
        return -1;
    if (overflow || v < lo || v > hi) {
        PyObject *r = PyObject_Str(obj);
        const char *t = r ? PyUnicode_AsUTF8(r) : NULL;
        if (!t) {
            Py_XDECREF(r);
            return -1;
        }
        toll_py_option_error(st, name, t, "%s must be %lld to %lld, not %s",
                             name, lo, hi, t);
        Py_DECREF(r);
        return -1;
    }
    *out = v;
    return 0;
}

/* A seed: any 64-bit unsigned value (else OptionError naming "seed"). */
static int seed_opt(toll_state *st, PyObject *seo, uint64_t *out)
{
    unsigned long long sv = 0;
    int bad = !PyLong_Check(seo) || PyBool_Check(seo);
    if (!bad) {
        sv = PyLong_AsUnsignedLongLong(seo);
        if (sv == (unsigned long long)-1 && PyErr_Occurred()) {
            if (!PyErr_ExceptionMatches(PyExc_OverflowError))
                return -1;
            PyErr_Clear();
            bad = 1;
        }
    }
    if (bad) {
        PyObject *r = PyObject_Repr(seo);
        const char *t = r ? PyUnicode_AsUTF8(r) : NULL;
        if (!t) {
            Py_XDECREF(r);
            return -1;
        }
        toll_py_option_error(st, "seed", t, "seed must be a whole number "
                             "from 0 to 2**64 - 1, not %s", t);
        Py_DECREF(r);
        return -1;
    }
    *out = (uint64_t)sv;
    return 0;
}

static PyObject *lcmcr_summary_dict(MseDataObject *self,
                                    const toll_mse_lcmcr_summary *s)
{
    const char *stratum = NULL;
    if (s->stratum != TOLL_MSE_TOTAL)
        stratum = toll_mse_data_stratum_name(self->d, s->stratum);
    PyObject *sname = Py_None;
    if (stratum)
        sname = toll_py_str(stratum);
    else
        Py_INCREF(sname);
    return Py_BuildValue(
        "{s:N,s:d,s:d,s:d,s:d,s:d,s:d,s:d,s:d,s:k,s:N}", "stratum",
        sname, "observed",
        s->observed, "median", s->median, "mean", s->mean, "lower", s->lo,
        "upper", s->hi, "level", s->level, "ess", s->ess, "rhat", s->rhat,
        "warning_flags", (unsigned long)s->warnings, "warning",
        toll_py_str(s->warning));
}

/* lcmcr(kstar=10, burnin=10000, samples=1000, thin=100, chains=4, seed=1,
 *       threads=0, stratum=None, level=0.95)
 *   -> [(summary dict, draws), ...] one per part (strata, then the total),
 *      draws as bytes of chains x samples native doubles, chain by chain */
static PyObject *MseData_lcmcr(MseDataObject *self, PyObject *args,
                               PyObject *kwds)
{
    static char *kwlist[] = {"kstar", "burnin", "samples", "thin", "chains",
                             "seed", "threads", "stratum", "level", NULL};
    toll_mse_lcmcr_options o;
    toll_mse_lcmcr_options_init(&o);
    PyObject *ko = NULL, *bo = NULL, *so = NULL, *to = NULL, *co = NULL,
             *seo = NULL, *tho = NULL, *sto = Py_None;
    double level = o.level;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|OOOOOOOOd:lcmcr", kwlist,
                                     &ko, &bo, &so, &to, &co, &seo, &tho,
                                     &sto, &level))
        return NULL;
    toll_state *st = TOLL_PY_STATE(self);
    long long v;
    if (ko) {
        if (int_opt(st, ko, "kstar", INT_MIN, INT_MAX, &v) < 0)
            return NULL;
        o.kstar = (int)v;
    }
    if (co) {
        if (int_opt(st, co, "chains", INT_MIN, INT_MAX, &v) < 0)
            return NULL;
        o.chains = (int)v;
    }
    if (tho) {
        if (int_opt(st, tho, "threads", INT_MIN, INT_MAX, &v) < 0)
            return NULL;
        o.threads = (int)v;
    }
    PyObject *sizes[3] = {bo, so, to};
    const char *snames[3] = {"burnin", "samples", "thin"};
    size_t *sdst[3] = {&o.burnin, &o.samples, &o.thin};
    for (int i = 0; i < 3; i++)
        if (sizes[i]) {
            if (int_opt(st, sizes[i], snames[i], 0, LLONG_MAX, &v) < 0)
                return NULL;
            *sdst[i] = (size_t)v;
        }
    if (seo && seed_opt(st, seo, &o.seed) < 0)
        return NULL;
    o.level = level;
    size_t s;
    if (data_ready(self) < 0 || stratum_arg(st, self, sto, &s) < 0)
        return NULL;
    toll_error err;
    toll_error_clear(&err);
    toll_mse_lcmcr_result *res = NULL;
    toll_status r;
    self->readers++;
    Py_BEGIN_ALLOW_THREADS
    r = toll_mse_lcmcr(self->d, s, &o, NULL, &res, &err);
    Py_END_ALLOW_THREADS
    self->readers--;
    if (r != TOLL_OK)
        return toll_py_raise(st, r, &err, NULL, 0);
    size_t nparts = toll_mse_lcmcr_parts(res);
    size_t M = toll_mse_lcmcr_chains(res), n = toll_mse_lcmcr_samples(res);
    PyObject *out = PyList_New((Py_ssize_t)nparts);
    for (size_t i = 0; out && i < nparts; i++) {
        PyObject *sum =
            lcmcr_summary_dict(self, toll_mse_lcmcr_summary_get(res, i));
        PyObject *bytes = sum ? PyBytes_FromStringAndSize(
                                    NULL, (Py_ssize_t)(M * n * sizeof(double)))
                              : NULL;
        PyObject *item = NULL;
        if (bytes) {
            char *dst = PyBytes_AS_STRING(bytes);
            for (size_t c = 0; c < M; c++)
                memcpy(dst + c * n * sizeof(double),
                       toll_mse_lcmcr_draws(res, i, c), n * sizeof(double));
            item = Py_BuildValue("(OO)", sum, bytes);
        }
        Py_XDECREF(sum);
        Py_XDECREF(bytes);
        if (!item) {
            Py_CLEAR(out);
            break;
        }
        PyList_SET_ITEM(out, (Py_ssize_t)i, item);
    }
    toll_mse_lcmcr_free(res);
    return out;
}

/* ---- bootstrap ----------------------------------------------------------- */

/* bootstrap(B=1000, criterion='aic', seed=1, threads=0,
 *           method='multinomial', level=0.95, stratum=None, model=None)
 *   -> (summary dict, selected draws, average draws, selection, fail
 *       message, estimate dict): draws as bytes of native doubles;
 *      selection [(model name, count, share), ...] most often first.
 *   model given: that model is refitted, no search. */
static PyObject *MseData_bootstrap(MseDataObject *self, PyObject *args,
                                   PyObject *kwds)
{
    static char *kwlist[] = {"B", "criterion", "seed", "threads", "method",
                             "level", "stratum", "model", NULL};
    toll_mse_boot_options o;
    toll_mse_boot_options_init(&o);
    PyObject *bo = NULL, *seo = NULL, *tho = NULL, *sto = Py_None;
    const char *crit_s = "aic", *method_s = "multinomial", *model = NULL;
    double level = o.level;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|OsOOsdOz:bootstrap",
                                     kwlist, &bo, &crit_s, &seo, &tho,
                                     &method_s, &level, &sto, &model))
        return NULL;
    toll_state *st = TOLL_PY_STATE(self);
    long long v;
    if (bo) {
        if (int_opt(st, bo, "replicates", 0, LLONG_MAX, &v) < 0)
            return NULL;
        o.replicates = (size_t)v;
    }
    if (tho) {
        if (int_opt(st, tho, "threads", INT_MIN, INT_MAX, &v) < 0)
            return NULL;
        o.threads = (int)v;
    }
    if (seo && seed_opt(st, seo, &o.seed) < 0)
        return NULL;
    o.level = level;
    toll_error err;
    toll_error_clear(&err);
    toll_mse_criterion crit;
    toll_status cs = toll_mse_criterion_parse(crit_s, &crit, &err);
    if (cs != TOLL_OK)
        return toll_py_raise_option(st, "criterion", cs, &err);
    cs = toll_mse_boot_method_parse(method_s, &o.method, &err);
    if (cs != TOLL_OK)
        return toll_py_raise_option(st, "method", cs, &err);
    size_t s;
    if (data_ready(self) < 0 || stratum_arg(st, self, sto, &s) < 0)
        return NULL;
    if (model) {
        o.select = 0;
        if (model_arg(st, self, model, &o.model) < 0)
            return NULL;
    }
    toll_mse_boot_result *res = NULL;
    toll_status r;
    self->readers++;
    Py_BEGIN_ALLOW_THREADS
    r = toll_mse_bootstrap(self->d, s, crit, &o, NULL, &res, &err);
    Py_END_ALLOW_THREADS
    self->readers--;
    if (r != TOLL_OK)
        return toll_py_raise(st, r, &err, NULL, 0);
    const toll_mse_boot_summary *b = toll_mse_boot_summary_get(res);
    PyObject *sname = Py_None, *sum = NULL, *d0 = NULL, *d1 = NULL,
             *sel = NULL, *est = NULL, *out = NULL;
    if (b->stratum != TOLL_MSE_TOTAL)
        sname = toll_py_str(toll_mse_data_stratum_name(self->d, b->stratum));
    else
        Py_INCREF(sname);
    sum = Py_BuildValue(
        "{s:N,s:s,s:s,s:O,s:d,s:n,s:n,s:d,s:s,s:d,s:d,s:d,s:d,s:d,s:d,s:d,"
        "s:d}",
        "stratum", sname, "method", toll_mse_boot_method_name(b->method),
        "criterion", b->criterion == TOLL_MSE_AIC ? "aic" : "bic", "select",
        b->select ? Py_True : Py_False, "level", b->level, "replicates",
        (Py_ssize_t)b->replicates, "failed", (Py_ssize_t)b->failed,
        "observed", b->observed, "model", b->model_name, "n_hat", b->n_hat,
        "median", b->median, "lower", b->lo, "upper", b->hi, "avg_n_hat",
        b->avg_n_hat, "avg_median", b->avg_median, "avg_lower", b->avg_lo,
        "avg_upper", b->avg_hi);
    size_t n = 0;
    const double *x = toll_mse_boot_draws(res, 0, &n);
    const double *y = toll_mse_boot_draws(res, 1, NULL);
    if (sum)
        d0 = PyBytes_FromStringAndSize((const char *)x,
                                       (Py_ssize_t)(n * sizeof(double)));
    if (d0)
        d1 = PyBytes_FromStringAndSize((const char *)y,
                                       (Py_ssize_t)(n * sizeof(double)));
    size_t ns = toll_mse_boot_nselected(res);
    if (d1)
        sel = PyList_New((Py_ssize_t)ns);
    for (size_t i = 0; sel && i < ns; i++) {
        const toll_mse_boot_selection *e = toll_mse_boot_selection_get(res, i);
        PyObject *item = Py_BuildValue("(snd)", e->model_name,
                                       (Py_ssize_t)e->count, e->share);
        if (!item) {
            Py_CLEAR(sel);
            break;
        }
        PyList_SET_ITEM(sel, (Py_ssize_t)i, item);
    }
    if (sel)
        est = estimate_dict(self, toll_mse_boot_estimate(res));
    if (est)
        out = Py_BuildValue("(OOOOsO)", sum, d0, d1, sel,
                            toll_mse_boot_fail_message(res), est);
    Py_XDECREF(sum);
    Py_XDECREF(d0);
    Py_XDECREF(d1);
    Py_XDECREF(sel);
    Py_XDECREF(est);
    toll_mse_boot_free(res);
    return out;
}

/* fitted(model='', stratum=None) -> (fitted, coef, coef_se) */
static PyObject *MseData_fitted(MseDataObject *self, PyObject *args,
                                PyObject *kwds)
{
    static char *kwlist[] = {"model", "stratum", NULL};
    const char *model = NULL;
    PyObject *so = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|zO:fitted", kwlist, &model,
                                     &so))
        return NULL;
    toll_state *st = TOLL_PY_STATE(self);
    size_t s;
    if (data_ready(self) < 0 || stratum_arg(st, self, so, &s) < 0)
        return NULL;
    toll_error err;
    toll_error_clear(&err);
    toll_mse_model m;
    if (model_arg(st, self, model, &m) < 0)
        return NULL;
    int K = toll_mse_data_nlists(self->d);
    size_t nc = (size_t)1 << K, maxpar = 1 + (size_t)K + 28;
    double fitted[1u << TOLL_MSE_MAX_LISTS], coef[1 + TOLL_MSE_MAX_LISTS + 28],
        se[1 + TOLL_MSE_MAX_LISTS + 28];
    size_t npar = 0;
    toll_status r;
    self->readers++;
    Py_BEGIN_ALLOW_THREADS
    r = toll_mse_loglinear_detail(self->d, s, m, NULL, fitted, nc, coef, se,
                                  maxpar, &npar, &err);
    Py_END_ALLOW_THREADS
    self->readers--;
    if (r != TOLL_OK)
        return toll_py_raise(st, r, &err, NULL, 0);
    PyObject *f = PyList_New((Py_ssize_t)nc), *c = PyList_New((Py_ssize_t)npar),
             *e = PyList_New((Py_ssize_t)npar);
    if (!f || !c || !e)
        goto fail;
    for (size_t p = 0; p < nc; p++) {
        PyObject *v = PyFloat_FromDouble(fitted[p]);
        if (!v)
            goto fail;
        PyList_SET_ITEM(f, (Py_ssize_t)p, v);
    }
    for (size_t k = 0; k < npar; k++) {
        PyObject *v = PyFloat_FromDouble(coef[k]);
        PyObject *w = PyFloat_FromDouble(se[k]);
        if (!v || !w) {
            Py_XDECREF(v);
            Py_XDECREF(w);
            goto fail;
        }
        PyList_SET_ITEM(c, (Py_ssize_t)k, v);
        PyList_SET_ITEM(e, (Py_ssize_t)k, w);
    }
    return Py_BuildValue("(NNN)", f, c, e);
fail:
    Py_XDECREF(f);
    Py_XDECREF(c);
    Py_XDECREF(e);
    return NULL;
}

/* model_name(model) -> the canonical name ("A + B + C + A*B") */
static PyObject *MseData_model_name(MseDataObject *self, PyObject *arg)
{
    const char *spec = PyUnicode_AsUTF8(arg);
    if (!spec || data_ready(self) < 0)
        return NULL;
    toll_error err;
    toll_error_clear(&err);
    toll_mse_model m;
    toll_status r = toll_mse_model_parse(self->d, spec, &m, &err);
    if (r != TOLL_OK)
        return toll_py_raise(TOLL_PY_STATE(self), r, &err, NULL, 0);
    char buf[512];
    toll_mse_model_format(self->d, m, buf, sizeof buf);
    return toll_py_str(buf);
}

/* table(kind, ...) is left to Python: estimates are dicts. */

/* ---- capture histories from scored links (toll_mse_linkage) ------------- */

/* Item i of a fast sequence as UTF-8 text: str as it is, None as "" (the
 * C builder names an empty id); other objects are refused. */
static const char *links_text(PyObject *seq, Py_ssize_t i, const char *what)
{
    PyObject *o = PySequence_Fast_GET_ITEM(seq, i);
    if (o == Py_None)
        return "";
    if (!PyUnicode_Check(o)) {
        PyErr_Format(PyExc_TypeError, "%s[%zd] must be str or None, not "
                     "%.100s", what, i, Py_TYPE(o)->tp_name);
        return NULL;
    }
    return PyUnicode_AsUTF8(o);
}

static PyObject *links_seq(PyObject *o, const char *what, Py_ssize_t *n)
{
    PyObject *seq = PySequence_Fast(o, what);
    if (seq)
        *n = PySequence_Fast_GET_SIZE(seq);
    return seq;
}

/* The keep flags of the individuals at threshold t: keep(components),
 * components being the individual of each record (a list of int), must
 * return one truth value per individual. */
static int links_keep(toll_state *st, const toll_mse_linkage *lk, double t,
                      PyObject *fn, unsigned char **out, size_t *nind)
{
    size_t n = toll_mse_linkage_nrecords(lk);
    size_t *comp = PyMem_Calloc(n + 1, sizeof *comp);
    if (!comp) {
        PyErr_NoMemory();
        return -1;
    }
    toll_error err;
    toll_error_clear(&err);
    toll_status s = toll_mse_linkage_components(lk, t, comp, n, nind, &err);
    if (s != TOLL_OK) {
        PyMem_Free(comp);
        toll_py_raise_option(st, "thresholds", s, &err);
        return -1;
    }
    PyObject *lst = PyList_New((Py_ssize_t)n);
    for (size_t i = 0; lst && i < n; i++) {
        PyObject *v = PyLong_FromSize_t(comp[i]);
        if (!v)
            Py_CLEAR(lst);
        else
            PyList_SET_ITEM(lst, (Py_ssize_t)i, v);
    }
    PyMem_Free(comp);
    if (!lst)
        return -1;
    PyObject *r = PyObject_CallOneArg(fn, lst);
    Py_DECREF(lst);
    if (!r)
        return -1;
    PyObject *seq = PySequence_Fast(r, "keep() must return a sequence");
    Py_DECREF(r);
    if (!seq)
        return -1;
    if ((size_t)PySequence_Fast_GET_SIZE(seq) != *nind) {
        PyErr_Format(PyExc_ValueError, "keep() returned %zd flags for %zu "
                     "individuals", PySequence_Fast_GET_SIZE(seq), *nind);
        Py_DECREF(seq);
        return -1;
    }
    *out = PyMem_Calloc(*nind + 1, 1);
    if (!*out) {
        Py_DECREF(seq);
        PyErr_NoMemory();
        return -1;
    }
    for (size_t i = 0; i < *nind; i++) {
        int b = PyObject_IsTrue(PySequence_Fast_GET_ITEM(seq, (Py_ssize_t)i));
        if (b < 0) {
            PyMem_Free(*out);
            *out = NULL;
            Py_DECREF(seq);
            return -1;
        }
        (*out)[i] = (unsigned char)b;
    }
    Py_DECREF(seq);
    return 0;
}

/* MseData.from_links(lists, ids, record_lists, strata, id_a, id_b, scores,
 * thresholds, fields): one MseData per threshold. */
static PyObject *MseData_from_links(PyObject *cls, PyObject *args,
                                    PyObject *kwds)
{
    static char *kwlist[] = {"lists",  "ids",    "record_lists", "strata",
                             "id_a",   "id_b",   "scores",
                             "thresholds", "fields", "keep", NULL};
    PyObject *lists_o, *ids_o, *rl_o, *strata_o, *a_o, *b_o, *sc_o, *th_o,
        *fields_o = Py_None, *keep_o = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OOOOOOOO|OO:from_links",
                                     kwlist, &lists_o, &ids_o, &rl_o,
                                     &strata_o, &a_o, &b_o, &sc_o, &th_o,
                                     &fields_o, &keep_o))
        return NULL;
    PyTypeObject *type = (PyTypeObject *)cls;
    toll_state *st = toll_py_state_of_type(type);
    if (!st)
        return NULL;
    PyObject *lseq = NULL, *fseq = NULL, *ids = NULL, *rl = NULL,
             *strata = NULL, *ia = NULL, *ib = NULL, *sc = NULL, *th = NULL,
             *result = NULL;
    const char **names = NULL, **fnames = NULL;
    Py_ssize_t nl = 0, nf = 0, nrec = 0, n2 = 0, n3 = 0, nlink = 0, n5 = 0,
               n6 = 0, nth = 0;
    toll_mse_linkage *lk = NULL;
    toll_error err;
    toll_error_clear(&err);
    toll_status s;
    if (keep_o != Py_None && !PyCallable_Check(keep_o)) {
        PyErr_SetString(PyExc_TypeError, "keep must be callable or None");
        return NULL;
    }
    if (str_list(lists_o, "lists", &lseq, &names, &nl) < 0 ||
        str_list(fields_o, "fields", &fseq, &fnames, &nf) < 0)
        goto done;
    if (fseq && nf != 6) {
        PyErr_SetString(PyExc_ValueError, "fields must name 6 fields");
        goto done;
    }
    if (!(ids = links_seq(ids_o, "ids must be a sequence", &nrec)) ||
        !(rl = links_seq(rl_o, "record_lists must be a sequence", &n2)) ||
        !(ia = links_seq(a_o, "id_a must be a sequence", &nlink)) ||
        !(ib = links_seq(b_o, "id_b must be a sequence", &n5)) ||
        !(sc = links_seq(sc_o, "scores must be a sequence", &n6)) ||
        !(th = links_seq(th_o, "thresholds must be a sequence", &nth)))
        goto done;
    if (strata_o != Py_None &&
        !(strata = links_seq(strata_o, "strata must be a sequence", &n3)))
        goto done;
    if (n2 != nrec || (strata && n3 != nrec) || n5 != nlink ||
        n6 != nlink) {
        PyErr_SetString(PyExc_ValueError,
                        "from_links: the record columns (and the link "
                        "columns) must have one length");
        goto done;
    }
    toll_mse_linkage_fields f = {NULL, NULL, NULL, NULL, NULL, NULL};
    if (fseq) {
        f.id = fnames[0];
        f.list = fnames[1];
        f.stratum = fnames[2];
        f.id_a = fnames[3];
        f.id_b = fnames[4];
        f.score = fnames[5];
    }
    s = toll_mse_linkage_new((int)(nl > 100 ? 100 : nl), names, &f, NULL,
                             &lk, &err);
    if (s != TOLL_OK) {
        toll_py_raise_option(st, "lists", s, &err);
        goto done;
    }
    for (Py_ssize_t i = 0; i < nrec; i++) {
        const char *id = links_text(ids, i, "ids");
        const char *l = id ? links_text(rl, i, "record_lists") : NULL;
        const char *sn = l && strata ? links_text(strata, i, "strata") : "";
        if (!id || !l || !sn)
            goto done;
        s = toll_mse_linkage_add_record(lk, id, l, sn, &err);
        if (s != TOLL_OK) {
            toll_py_raise(st, s, &err, NULL, 0);
            goto done;
        }
    }
    for (Py_ssize_t i = 0; i < nlink; i++) {
        const char *a = links_text(ia, i, "id_a");
        const char *b = a ? links_text(ib, i, "id_b") : NULL;
        if (!a || !b)
            goto done;
        PyObject *so = PySequence_Fast_GET_ITEM(sc, i);
        double v = NAN;
        if (so != Py_None) {
            v = PyFloat_AsDouble(so);
            if (v == -1.0 && PyErr_Occurred()) {
                PyErr_Clear();
                PyObject *r = PyObject_Repr(so);
                const char *txt = r ? PyUnicode_AsUTF8(r) : NULL;
                PyErr_Clear();
                char msg[300];
                snprintf(msg, sizeof msg, "link %zd: field '%s': cannot read "
                         "%.200s as a score", i + 1,
                         fseq ? fnames[5] : "score", txt ? txt : "?");
                toll_error e2;
                toll_error_clear(&e2);
                e2.code = TOLL_EINVAL;
                e2.record = (long)i;
                snprintf(e2.field, sizeof e2.field, "%s",
                         fseq ? fnames[5] : "score");
                snprintf(e2.text, sizeof e2.text, "%s", txt ? txt : "");
                snprintf(e2.message, sizeof e2.message, "%s", msg);
                Py_XDECREF(r);
                toll_py_raise(st, TOLL_EINVAL, &e2, NULL, 0);
                goto done;
            }
        }
        s = toll_mse_linkage_add_link(lk, a, b, v, &err);
        if (s != TOLL_OK) {
            toll_py_raise(st, s, &err, NULL, 0);
            goto done;
        }
    }
    result = PyList_New(nth);
    if (!result)
        goto done;
    for (Py_ssize_t i = 0; i < nth; i++) {
        double t = PyFloat_AsDouble(PySequence_Fast_GET_ITEM(th, i));
        if (t == -1.0 && PyErr_Occurred())
            goto fail;
        unsigned char *keep = NULL;
        size_t nind = 0;
        if (keep_o != Py_None && links_keep(st, lk, t, keep_o, &keep,
                                            &nind) < 0)
            goto fail;
        MseDataObject *d = (MseDataObject *)type->tp_alloc(type, 0);
        if (!d) {
            PyMem_Free(keep);
            goto fail;
        }
        PyList_SET_ITEM(result, i, (PyObject *)d);
        Py_BEGIN_ALLOW_THREADS
        s = toll_mse_linkage_data(lk, t, keep, nind, NULL, &d->d, &err);
        Py_END_ALLOW_THREADS
        PyMem_Free(keep);
        if (s != TOLL_OK) {
            toll_py_raise_option(st, "thresholds", s, &err);
            goto fail;
        }
    }
    goto done;
fail:
    Py_CLEAR(result);
done:
    toll_mse_linkage_free(lk);
    PyMem_Free(names);
    PyMem_Free(fnames);
    Py_XDECREF(lseq);
    Py_XDECREF(fseq);
    Py_XDECREF(ids);
    Py_XDECREF(rl);
    Py_XDECREF(strata);
    Py_XDECREF(ia);
    Py_XDECREF(ib);
    Py_XDECREF(sc);
    Py_XDECREF(th);
    return result;
}

/* MseData.sensitivity(data, thresholds, kind, model, criterion, level,
 * profile): toll_mse_sensitivity_table as a Table. */
static PyObject *MseData_sensitivity(PyObject *cls, PyObject *args,
                                     PyObject *kwds)
{
    static char *kwlist[] = {"data",  "thresholds", "kind",    "model",
                             "criterion", "level",  "profile", NULL};
    PyObject *data_o, *th_o;
    const char *kind = "model", *model = NULL, *crit = "aic";
    double level = 0.95;
    int profile = 1;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OO|szsdp:sensitivity",
                                     kwlist, &data_o, &th_o, &kind, &model,
                                     &crit, &level, &profile))
        return NULL;
    PyTypeObject *type = (PyTypeObject *)cls;
    toll_state *st = toll_py_state_of_type(type);
    if (!st)
        return NULL;
    toll_mse_sensitivity_options o;
    toll_mse_sensitivity_options_init(&o);
    if (strcmp(kind, "model") == 0)
        o.kind = TOLL_MSE_SENS_MODEL;
    else if (strcmp(kind, "best") == 0)
        o.kind = TOLL_MSE_SENS_BEST;
    else if (strcmp(kind, "average") == 0)
        o.kind = TOLL_MSE_SENS_AVERAGE;
    else
        return toll_py_option_error(st, "kind", kind,
                                    "expected model, best or average");
    o.model = model;
    if (fill_opts(st, level, profile, &o.est) < 0)
        return NULL;
    toll_error err;
    toll_error_clear(&err);
    toll_status s = toll_mse_criterion_parse(crit, &o.criterion, &err);
    if (s != TOLL_OK)
        return toll_py_raise_option(st, "criterion", s, &err);
    Py_ssize_t n = 0, nt = 0;
    PyObject *dseq = links_seq(data_o, "data must be a sequence", &n);
    PyObject *tseq = dseq ? links_seq(th_o, "thresholds must be a sequence",
                                      &nt)
                          : NULL;
    PyObject *result = NULL;
    const toll_mse_data **d = NULL;
    double *t = NULL;
    if (!tseq)
        goto done;
    if (n != nt) {
        PyErr_SetString(PyExc_ValueError,
                        "sensitivity: one threshold per data set");
        goto done;
    }
    d = PyMem_Calloc((size_t)n + 1, sizeof *d);
    t = PyMem_Calloc((size_t)n + 1, sizeof *t);
    if (!d || !t) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *x = PySequence_Fast_GET_ITEM(dseq, i);
        if (!PyObject_TypeCheck(x, type) || data_ready((MseDataObject *)x) < 0) {
            if (!PyErr_Occurred())
                PyErr_Format(PyExc_TypeError, "data[%zd] must be MseData",
                             i);
            goto done;
        }
        d[i] = ((MseDataObject *)x)->d;
        t[i] = PyFloat_AsDouble(PySequence_Fast_GET_ITEM(tseq, i));
        if (t[i] == -1.0 && PyErr_Occurred())
            goto done;
    }
    toll_table *tab = NULL;
    for (Py_ssize_t i = 0; i < n; i++)
        ((MseDataObject *)PySequence_Fast_GET_ITEM(dseq, i))->readers++;
    Py_BEGIN_ALLOW_THREADS
    s = toll_mse_sensitivity_table(d, t, (size_t)n, &o, NULL, &tab, &err);
    Py_END_ALLOW_THREADS
    for (Py_ssize_t i = 0; i < n; i++)
        ((MseDataObject *)PySequence_Fast_GET_ITEM(dseq, i))->readers--;
    if (s != TOLL_OK) {
        toll_py_raise(st, s, &err, NULL, 0);
        goto done;
    }
    result = toll_py_table_new(st, tab);
done:
    PyMem_Free(d);
    PyMem_Free(t);
    Py_XDECREF(dseq);
    Py_XDECREF(tseq);
    return result;
}

static PyMethodDef MseData_methods[] = {
    {"from_links", (PyCFunction)(void (*)(void))MseData_from_links,
     METH_VARARGS | METH_KEYWORDS | METH_CLASS,
     "from_links(lists, ids, record_lists, strata, id_a, id_b, scores,\n"
     "           thresholds, fields=None, keep=None)\n--\n\n"
     "Capture histories from scored record links, one MseData per "
     "threshold\n(toll_mse_linkage_data)."},
    {"sensitivity", (PyCFunction)(void (*)(void))MseData_sensitivity,
     METH_VARARGS | METH_KEYWORDS | METH_CLASS,
     "sensitivity(data, thresholds, kind='model', model=None,\n"
     "            criterion='aic', level=0.95, profile=True)\n--\n\n"
     "N-hat at each threshold as a Table (toll_mse_sensitivity_table)."},
    {"from_incidents", (PyCFunction)(void (*)(void))MseData_from_incidents,
     METH_VARARGS | METH_KEYWORDS | METH_CLASS,
     "from_incidents(incidents, lists=None, stratify_by=None)\n--\n\n"
     "Capture histories of reconciled incidents: the lists are sources."},
    {"add_pattern", (PyCFunction)(void (*)(void))MseData_add_pattern,
     METH_VARARGS | METH_KEYWORDS,
     "add_pattern(pattern, count=1, stratum=None)\n--\n\n"
     "Add count individuals with capture history pattern ('110')."},
    {"add_records", (PyCFunction)(void (*)(void))MseData_add_records,
     METH_VARARGS | METH_KEYWORDS,
     "add_records(flags, strata=None)\n--\n\n"
     "Add n records: flags holds n*K bytes (0 / non-zero), strata n names\n"
     "or None.  All or nothing."},
    {"load_file", (PyCFunction)(void (*)(void))MseData_load_file,
     METH_VARARGS | METH_KEYWORDS,
     "load_file(path, lists=None, stratum_column=None, delimiter=None)\n--\n\n"
     "Read 0/1 membership columns or a pattern,count table from CSV.\n"
     "Without lists so far, lists names them (default: \"A\", \"B\", ... by\n"
     "the width of the first pattern)."},
    {"load_buffer", (PyCFunction)(void (*)(void))MseData_load_buffer,
     METH_VARARGS | METH_KEYWORDS,
     "load_buffer(data, name=None, lists=None, stratum_column=None, "
     "delimiter=None)\n--\n\nAs load_file, from text."},
    {"counts", (PyCFunction)(void (*)(void))MseData_counts,
     METH_VARARGS | METH_KEYWORDS,
     "counts(stratum=None)\n--\n\nCounts by capture history bit mask."},
    {"observed", (PyCFunction)(void (*)(void))MseData_observed,
     METH_VARARGS | METH_KEYWORDS,
     "observed(stratum=None)\n--\n\nIndividuals on at least one list."},
    {"lincoln_petersen", (PyCFunction)(void (*)(void))MseData_lincoln_petersen,
     METH_VARARGS | METH_KEYWORDS,
     "lincoln_petersen(a=None, b=None, stratum=None, level=0.95)\n--\n\n"},
    {"chapman", (PyCFunction)(void (*)(void))MseData_chapman,
     METH_VARARGS | METH_KEYWORDS,
     "chapman(a=None, b=None, stratum=None, level=0.95)\n--\n\n"},
    {"chao", (PyCFunction)(void (*)(void))MseData_chao,
     METH_VARARGS | METH_KEYWORDS, "chao(stratum=None, level=0.95)\n--\n\n"},
    {"loglinear", (PyCFunction)(void (*)(void))MseData_loglinear,
     METH_VARARGS | METH_KEYWORDS,
     "loglinear(model=None, stratum=None, level=0.95, profile=True)\n--\n\n"},
    {"search", (PyCFunction)(void (*)(void))MseData_search,
     METH_VARARGS | METH_KEYWORDS,
     "search(criterion='aic', stratum=None, level=0.95, profile=True,\n"
     "       profile_delta=10)\n--\n\n"
     "(models best first, model average, [(skipped model, reason)], first\n"
     "skip message)."},
    {"estimate_exists", (PyCFunction)(void (*)(void))MseData_estimate_exists,
     METH_VARARGS | METH_KEYWORDS,
     "estimate_exists(model=None, stratum=None)\n--\n\n"
     "(whether the MLE of the log-linear model exists, why not or '')."},
    {"leave_one_out", (PyCFunction)(void (*)(void))MseData_leave_one_out,
     METH_VARARGS | METH_KEYWORDS,
     "leave_one_out(model=None, stratum=None, level=0.95, profile=True)\n"
     "--\n\nThe leave-one-list-out table (one row per dropped list)."},
    {"lcmcr", (PyCFunction)(void (*)(void))MseData_lcmcr,
     METH_VARARGS | METH_KEYWORDS,
     "lcmcr(kstar=10, burnin=10000, samples=1000, thin=100, chains=4, "
     "seed=1, threads=0, stratum=None, level=0.95) -> [(summary, draws), "
     "...]: the latent-class Bayesian estimate (GIL released)."},
    {"bootstrap", (PyCFunction)(void (*)(void))MseData_bootstrap,
     METH_VARARGS | METH_KEYWORDS,
     "bootstrap(B=1000, criterion='aic', seed=1, threads=0, "
     "method='multinomial', level=0.95, stratum=None, model=None) -> "
     "(summary, selected draws, average draws, selection, fail message, "
     "estimate): bootstrap with the model search re-run in every "
     "resample (GIL released)."},
    {"fitted", (PyCFunction)(void (*)(void))MseData_fitted,
     METH_VARARGS | METH_KEYWORDS,
     "fitted(model=None, stratum=None)\n--\n\n"
     "(fitted by bit mask with [0] the unobserved count, coefficients,\n"
     "standard errors)."},
    {"model_name", (PyCFunction)MseData_model_name, METH_O,
     "model_name(spec)\n--\n\nThe canonical name of a model string."},
    {NULL, NULL, 0, NULL}};

static PyGetSetDef MseData_getset[] = {
    {"lists", (getter)MseData_get_lists, NULL, "List names.", NULL},
    {"strata", (getter)MseData_get_strata, NULL, "Stratum names.", NULL},
    {NULL, NULL, NULL, NULL, NULL}};

static PyMemberDef MseData_members[] = {
    {"__weaklistoffset__", T_PYSSIZET, offsetof(MseDataObject, weakrefs),
     READONLY, NULL},
    {NULL, 0, 0, 0, NULL}};

static PyType_Slot MseData_slots[] = {
    {Py_tp_doc,
     "MseData(lists=None)\n--\n\n"
     "Capture histories over the named lists (2 to 8), by stratum, and the\n"
     "multiple systems estimators; without lists the first load names\n"
     "them.  Use toll.mse.Data."},
    {Py_tp_new, MseData_new},
    {Py_tp_dealloc, MseData_dealloc},
    {Py_tp_methods, MseData_methods},
    {Py_tp_getset, MseData_getset},
    {Py_tp_members, MseData_members},
    {0, NULL}};

static PyType_Spec MseData_spec = {
    .name = "toll._core.MseData",
    .basicsize = sizeof(MseDataObject),
    .flags = Py_TPFLAGS_DEFAULT,
    .slots = MseData_slots,
};

/* ======================================================================== */
/* Capture frequencies                                                       */
/* ======================================================================== */

/* An MseFreq is immutable once made (by load_buffer or load_file), so
 * fits may run from several threads at once without the GIL. */
typedef struct {
    PyObject_HEAD
    toll_mse_freq *f;
} MseFreqObject;

static PyObject *freq_wrap(PyTypeObject *type, toll_mse_freq *f)
{
    MseFreqObject *self = (MseFreqObject *)type->tp_alloc(type, 0);
    if (!self) {
        toll_mse_freq_free(f);
        return NULL;
    }
    self->f = f;
    return (PyObject *)self;
}

static void MseFreq_dealloc(MseFreqObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    toll_mse_freq_free(self->f);
    self->f = NULL;
    tp->tp_free((PyObject *)self);
    Py_DECREF(tp);
}

static int freq_delimiter(toll_state *st, const char *delim, char *out)
{
    toll_mse_load_options lo;
    if (load_opts(st, NULL, delim, &lo) < 0)
        return -1;
    *out = lo.delimiter;
    return 0;
}

/* MseFreq.load_buffer(data, occasions, name=None, delimiter=None) */
static PyObject *MseFreq_load_buffer(PyObject *cls, PyObject *args,
                                     PyObject *kwds)
{
    static char *kwlist[] = {"data", "occasions", "name", "delimiter", NULL};
    Py_buffer buf;
    int K = 0;
    const char *name = NULL, *delim = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "s*i|zz:load_buffer",
                                     kwlist, &buf, &K, &name, &delim))
        return NULL;
    toll_state *st = toll_py_state_of_type((PyTypeObject *)cls);
    char d = 0;
    PyObject *result = NULL;
    if (freq_delimiter(st, delim, &d) == 0) {
        toll_error err;
        toll_error_clear(&err);
        toll_mse_freq *f = NULL;
        toll_status s = toll_mse_freq_load_buffer(
            K, buf.buf, (size_t)buf.len, name ? name : "<buffer>", d, NULL,
            &f, &err);
        if (s != TOLL_OK)
            toll_py_raise(st, s, &err, NULL, 0);
        else
            result = freq_wrap((PyTypeObject *)cls, f);
    }
    PyBuffer_Release(&buf);
    return result;
}

/* MseFreq.load_file(path, occasions, delimiter=None) */
static PyObject *MseFreq_load_file(PyObject *cls, PyObject *args,
                                   PyObject *kwds)
{
    static char *kwlist[] = {"path", "occasions", "delimiter", NULL};
    PyObject *path = NULL;
    int K = 0;
    const char *delim = NULL;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "O&i|z:load_file", kwlist,
                                     PyUnicode_FSConverter, &path, &K,
                                     &delim))
        return NULL;
    toll_state *st = toll_py_state_of_type((PyTypeObject *)cls);
    char d = 0;
    PyObject *result = NULL;
    if (freq_delimiter(st, delim, &d) == 0) {
        toll_error err;
        toll_error_clear(&err);
        toll_mse_freq *f = NULL;
        toll_status s;
        int e;
        Py_BEGIN_ALLOW_THREADS
        errno = 0;
        s = toll_mse_freq_load_file(K, PyBytes_AS_STRING(path), d, NULL, &f,
                                    &err);
        e = errno;
        Py_END_ALLOW_THREADS
        if (s != TOLL_OK)
            toll_py_raise(st, s, &err, path, e);
        else
            result = freq_wrap((PyTypeObject *)cls, f);
    }
    Py_XDECREF(path);
    return result;
}

static int freq_ready(MseFreqObject *self)
{
    if (!self->f) {
        PyErr_SetString(PyExc_ValueError, "MseFreq is not initialised (use "
                                          "MseFreq.load_buffer)");
        return -1;
    }
    return 0;
}

static PyObject *MseFreq_get_occasions(MseFreqObject *self, void *closure)
{
    (void)closure;
    if (freq_ready(self) < 0)
        return NULL;
    return PyLong_FromLong(toll_mse_freq_occasions(self->f));
}

static PyObject *MseFreq_get_observed(MseFreqObject *self, void *closure)
{
    (void)closure;
    if (freq_ready(self) < 0)
        return NULL;
    return PyLong_FromLongLong((long long)toll_mse_freq_observed(self->f));
}

/* counts() -> [f_1, ..., f_K] */
static PyObject *MseFreq_counts(MseFreqObject *self, PyObject *unused)
{
    (void)unused;
    if (freq_ready(self) < 0)
        return NULL;
    int K = toll_mse_freq_occasions(self->f);
    PyObject *l = PyList_New(K);
    if (!l)
        return NULL;
    for (int i = 1; i <= K; i++) {
        PyObject *v =
            PyLong_FromLongLong((long long)toll_mse_freq_count(self->f, i));
        if (!v) {
            Py_DECREF(l);
            return NULL;
        }
        PyList_SET_ITEM(l, i - 1, v);
    }
    return l;
}

/* fit(model, max_captures=0, level=0.95) -> estimate dict */
static PyObject *MseFreq_fit(MseFreqObject *self, PyObject *args,
                             PyObject *kwds)
{
    static char *kwlist[] = {"model", "max_captures", "level", NULL};
    const char *model = NULL;
    int t0 = 0;
    double level = 0.95;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "s|id:fit", kwlist, &model,
                                     &t0, &level))
        return NULL;
    if (freq_ready(self) < 0)
        return NULL;
    toll_state *st = TOLL_PY_STATE(self);
    toll_error err;
    toll_error_clear(&err);
    toll_mse_freq_model m;
    toll_status r = toll_mse_freq_model_parse(model, &m, &err);
    if (r != TOLL_OK)
        return toll_py_raise_option(st, "model", r, &err);
    toll_mse_options o;
    fill_opts(st, level, 0, &o);
    toll_mse_estimate e;
    Py_BEGIN_ALLOW_THREADS
    r = toll_mse_freq_fit(self->f, m, t0, &o, &e, &err);
    Py_END_ALLOW_THREADS
    if (r != TOLL_OK)
        return toll_py_raise(st, r, &err, NULL, 0);
    return estimate_dict(NULL, &e);
}

static PyMethodDef MseFreq_methods[] = {
    {"load_buffer", (PyCFunction)(void (*)(void))MseFreq_load_buffer,
     METH_VARARGS | METH_KEYWORDS | METH_CLASS,
     "load_buffer(data, occasions, name=None, delimiter=None)\n--\n\n"
     "Capture frequencies from CSV text with times,count (or nbcap,freq)\n"
     "columns, for `occasions` capture occasions."},
    {"load_file", (PyCFunction)(void (*)(void))MseFreq_load_file,
     METH_VARARGS | METH_KEYWORDS | METH_CLASS,
     "load_file(path, occasions, delimiter=None)\n--\n\n"
     "Capture frequencies from a CSV file (see load_buffer)."},
    {"counts", (PyCFunction)MseFreq_counts, METH_NOARGS,
     "counts()\n--\n\n[f_1, ..., f_K]: the numbers caught 1..K times."},
    {"fit", (PyCFunction)(void (*)(void))MseFreq_fit,
     METH_VARARGS | METH_KEYWORDS,
     "fit(model, max_captures=0, level=0.95)\n--\n\n"
     "One model (m0, chao, poisson2, darroch or gamma) fitted to the\n"
     "frequencies of 1..max_captures captures (0: all), as a dict."},
    {NULL, NULL, 0, NULL}};

static PyGetSetDef MseFreq_getset[] = {
    {"occasions", (getter)MseFreq_get_occasions, NULL,
     "K, the number of capture occasions.", NULL},
    {"observed", (getter)MseFreq_get_observed, NULL,
     "Individuals caught at least once.", NULL},
    {NULL, NULL, NULL, NULL, NULL}};

static PyType_Slot MseFreq_slots[] = {
    {Py_tp_doc,
     "Capture frequencies f_1..f_K over K occasions and the\n"
     "heterogeneity models of Rcapture's closedp.0.  Made by\n"
     "MseFreq.load_buffer / load_file; use toll.mse.Frequencies."},
    {Py_tp_dealloc, MseFreq_dealloc},
    {Py_tp_methods, MseFreq_methods},
    {Py_tp_getset, MseFreq_getset},
    {0, NULL}};

static PyType_Spec MseFreq_spec = {
    .name = "toll._core.MseFreq",
    .basicsize = sizeof(MseFreqObject),
#ifdef Py_TPFLAGS_DISALLOW_INSTANTIATION
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_DISALLOW_INSTANTIATION,
#else
    .flags = Py_TPFLAGS_DEFAULT,
#endif
    .slots = MseFreq_slots,
};

/* ======================================================================== */
/* Intervals                                                                 */
/* ======================================================================== */

static int enum_arg(toll_state *st, PyObject *o, const char *name,
                    toll_status (*parse)(const char *, void *, toll_error *),
                    void *out)
{
    if (!o || o == Py_None)
        return 0;
    if (!PyUnicode_Check(o)) {
        PyErr_Format(PyExc_TypeError, "%s must be a str, not %.100s", name,
                     Py_TYPE(o)->tp_name);
        return -1;
    }
    const char *s = PyUnicode_AsUTF8(o);
    if (!s)
        return -1;
    toll_error err;
    toll_error_clear(&err);
    toll_status r = parse(s, out, &err);
    if (r != TOLL_OK) {
        toll_py_raise_option(st, name, r, &err);
        return -1;
    }
    return 0;
}

static toll_status parse_method(const char *s, void *o, toll_error *e)
{
    return toll_interval_method_parse(s, o, e);
}
static toll_status parse_dist(const char *s, void *o, toll_error *e)
{
    return toll_interval_dist_parse(s, o, e);
}
static toll_status parse_engine(const char *s, void *o, toll_error *e)
{
    return toll_interval_engine_parse(s, o, e);
}

int toll_py_interval_options(toll_state *st, PyObject *interval,
                             PyObject *dist, PyObject *draws, PyObject *seed,
                             PyObject *open_cap, PyObject *quantiles,
                             PyObject *engine, toll_interval_options *o,
                             double *qbuf)
{
    toll_interval_options_init(o);
    if (enum_arg(st, interval, "interval", parse_method, &o->method) < 0 ||
        enum_arg(st, dist, "dist", parse_dist, &o->dist) < 0 ||
        enum_arg(st, engine, "engine", parse_engine, &o->engine) < 0)
        return -1;
    if (draws && draws != Py_None) {
        /* a whole number >= 0 (Python's own conversion refuses the rest);
         * its range is the library's rule, checked below */
        size_t v = PyLong_AsSize_t(draws);
        if (v == (size_t)-1 && PyErr_Occurred())
            return -1;
        o->draws = v;
    }
    if (seed && seed != Py_None) {
        unsigned long long v = PyLong_AsUnsignedLongLong(seed);
        if (v == (unsigned long long)-1 && PyErr_Occurred())
            return -1;
        o->seed = (uint64_t)v;
    }
    if (open_cap && open_cap != Py_None) {
        double f = PyFloat_AsDouble(open_cap);
        if (f == -1.0 && PyErr_Occurred())
            return -1;
        o->open_cap = f; /* its range: checked below */
    }
    if (quantiles && quantiles != Py_None) {
        PyObject *seq = PySequence_Fast(quantiles,
                                        "quantiles must be a sequence of "
                                        "numbers");
        if (!seq)
            return -1;
        Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
        if (n < 1 || n > TOLL_INTERVAL_MAX_QUANTILES) {
            Py_DECREF(seq);
            char text[32];
            snprintf(text, sizeof text, "%zd", n);
            toll_py_option_error(st, "quantiles", text,
                                 "give 1 to %d quantiles, not %zd",
                                 TOLL_INTERVAL_MAX_QUANTILES, n);
            return -1;
        }
        for (Py_ssize_t i = 0; i < n; i++) {
            double v = PyFloat_AsDouble(PySequence_Fast_GET_ITEM(seq, i));
            if (v == -1.0 && PyErr_Occurred()) {
                Py_DECREF(seq);
                return -1;
            }
            qbuf[i] = v;
        }
        Py_DECREF(seq);
        o->quantiles = qbuf;
        o->n_quantiles = (size_t)n;
    }
    toll_error err;
    toll_error_clear(&err);
    toll_status cs = toll_interval_options_check(o, &err);
    if (cs != TOLL_OK) {
        toll_py_raise_option(st, err.field[0] ? err.field : "interval", cs,
                             &err);
        return -1;
    }
    return 0;
}

/* interval_sum(low, high, best=None, open=None, share=None, *,
 *              interval='independent', dist=None, draws=None, seed=None,
 *              open_cap=None, quantiles=None, engine=None)
 *   -> (list of quantile values, engine used) */
static int doubles_of(PyObject *o, Py_ssize_t n, const char *what,
                      double **out)
{
    *out = NULL;
    if (!o || o == Py_None)
        return 0;
    PyObject *seq = PySequence_Fast(o, "must be a sequence");
    if (!seq)
        return -1;
    if (PySequence_Fast_GET_SIZE(seq) != n) {
        PyErr_Format(PyExc_ValueError, "%s has %zd values, low has %zd",
                     what, PySequence_Fast_GET_SIZE(seq), n);
        Py_DECREF(seq);
        return -1;
    }
    *out = PyMem_Calloc((size_t)n + 1, sizeof **out);
    if (!*out) {
        Py_DECREF(seq);
        PyErr_NoMemory();
        return -1;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *v = PySequence_Fast_GET_ITEM(seq, i);
        double x = v == Py_None ? NAN : PyFloat_AsDouble(v);
        if (x == -1.0 && PyErr_Occurred()) {
            Py_DECREF(seq);
            PyMem_Free(*out);
            *out = NULL;
            return -1;
        }
        (*out)[i] = x;
    }
    Py_DECREF(seq);
    return 0;
}

static PyObject *core_interval_sum(PyObject *module, PyObject *args,
                                   PyObject *kwds)
{
    static char *kwlist[] = {"low",   "high",     "best",      "open",
                             "share", "interval", "dist",      "draws",
                             "seed",  "open_cap", "quantiles", "engine",
                             NULL};
    PyObject *low_o, *high_o, *best_o = Py_None, *open_o = Py_None,
                              *share_o = Py_None, *interval = NULL,
                              *dist = NULL, *draws = NULL, *seed = NULL,
                              *cap = NULL, *qs = NULL, *engine = NULL;
    if (!PyArg_ParseTupleAndKeywords(
            args, kwds, "OO|OOO$OOOOOOO:interval_sum", kwlist, &low_o,
            &high_o, &best_o, &open_o, &share_o, &interval, &dist, &draws,
            &seed, &cap, &qs, &engine))
        return NULL;
    toll_state *st = PyModule_GetState(module);
    toll_interval_options o;
    double qbuf[TOLL_INTERVAL_MAX_QUANTILES];
    if (toll_py_interval_options(st, interval, dist, draws, seed, cap, qs,
                                 engine, &o, qbuf) < 0)
        return NULL;
    if (!interval || interval == Py_None)
        o.method = TOLL_INTERVAL_INDEPENDENT;
    PyObject *lseq = NULL, *hseq = NULL, *oseq = NULL, *result = NULL;
    int64_t *lo = NULL, *hi = NULL;
    unsigned char *op = NULL;
    double *best = NULL, *share = NULL;
    lseq = PySequence_Fast(low_o, "low must be a sequence of int");
    hseq = lseq ? PySequence_Fast(high_o, "high must be a sequence") : NULL;
    if (!hseq)
        goto cleanup;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(lseq);
    if (PySequence_Fast_GET_SIZE(hseq) != n) {
        PyErr_Format(PyExc_ValueError, "high has %zd values, low has %zd",
                     PySequence_Fast_GET_SIZE(hseq), n);
        goto cleanup;
    }
    lo = PyMem_Calloc((size_t)n + 1, sizeof *lo);
    hi = PyMem_Calloc((size_t)n + 1, sizeof *hi);
    op = PyMem_Calloc((size_t)n + 1, 1);
    if (!lo || !hi || !op) {
        PyErr_NoMemory();
        goto cleanup;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        long long a = PyLong_AsLongLong(PySequence_Fast_GET_ITEM(lseq, i));
        if (a == -1 && PyErr_Occurred())
            goto cleanup;
        PyObject *h = PySequence_Fast_GET_ITEM(hseq, i);
        long long b = -1;
        if (h != Py_None) {
            b = PyLong_AsLongLong(h);
            if (b == -1 && PyErr_Occurred())
                goto cleanup;
        } else {
            op[i] = 1; /* None: open */
        }
        lo[i] = a;
        hi[i] = b;
    }
    if (open_o != Py_None) {
        oseq = PySequence_Fast(open_o, "open must be a sequence of bool");
        if (!oseq)
            goto cleanup;
        if (PySequence_Fast_GET_SIZE(oseq) != n) {
            PyErr_Format(PyExc_ValueError, "open has %zd values, low has %zd",
                         PySequence_Fast_GET_SIZE(oseq), n);
            goto cleanup;
        }
        for (Py_ssize_t i = 0; i < n; i++) {
            int t = PyObject_IsTrue(PySequence_Fast_GET_ITEM(oseq, i));
            if (t < 0)
                goto cleanup;
            op[i] |= (unsigned char)t;
        }
    }
    if (doubles_of(best_o, n, "best", &best) < 0 ||
        doubles_of(share_o, n, "share", &share) < 0)
        goto cleanup;
    double out[TOLL_INTERVAL_MAX_QUANTILES];
    toll_interval_engine used = TOLL_ENGINE_EXACT;
    toll_error err;
    toll_error_clear(&err);
    toll_status r;
    Py_BEGIN_ALLOW_THREADS
    r = toll_interval_sum(lo, hi, best, op, share, (size_t)n, &o, NULL, out,
                          &used, &err);
    Py_END_ALLOW_THREADS
    if (r != TOLL_OK) {
        if (r == TOLL_EINVAL)
            toll_py_raise_option(st, err.field[0] ? err.field : "interval", r,
                                 &err);
        else
            toll_py_raise(st, r, &err, NULL, 0);
        goto cleanup;
    }
    size_t nq = o.quantiles ? o.n_quantiles : 3;
    PyObject *l = PyList_New((Py_ssize_t)nq);
    if (!l)
        goto cleanup;
    for (size_t k = 0; k < nq; k++) {
        PyObject *v = PyFloat_FromDouble(out[k]);
        if (!v) {
            Py_DECREF(l);
            goto cleanup;
        }
        PyList_SET_ITEM(l, (Py_ssize_t)k, v);
    }
    result = Py_BuildValue("(NN)", l,
                           toll_py_str(toll_interval_engine_name(used)));
cleanup:
    PyMem_Free(lo);
    PyMem_Free(hi);
    PyMem_Free(op);
    PyMem_Free(best);
    PyMem_Free(share);
    Py_XDECREF(lseq);
    Py_XDECREF(hseq);
    Py_XDECREF(oseq);
    return result;
}

static PyObject *core_interval_column_name(PyObject *module, PyObject *arg)
{
    double p = PyFloat_AsDouble(arg);
    if (p == -1.0 && PyErr_Occurred())
        return NULL;
    char buf[32];
    toll_interval_column_name(p, buf, sizeof buf);
    return PyUnicode_FromString(buf);
}

static PyMethodDef mse_functions[] = {
    {"interval_sum", (PyCFunction)(void (*)(void))core_interval_sum,
     METH_VARARGS | METH_KEYWORDS,
     "interval_sum(low, high, best=None, open=None, share=None, *,\n"
     "             interval='independent', dist=None, draws=None, "
     "seed=None,\n"
     "             open_cap=None, quantiles=None, engine=None)\n--\n\n"
     "Quantiles of a total of ranges: (values, engine used)."},
    {"interval_column_name", core_interval_column_name, METH_O,
     "interval_column_name(p)\n--\n\nThe column name of quantile p: "
     "'q025'."},
    {NULL, NULL, 0, NULL}};

int toll_py_mse_init(PyObject *m)
{
    PyObject *tp = PyType_FromModuleAndSpec(m, &MseData_spec, NULL);
    if (!tp)
        return -1;
    int rc = PyModule_AddType(m, (PyTypeObject *)tp);
    Py_DECREF(tp);
    if (rc < 0)
        return -1;
    if (PyModule_AddFunctions(m, mse_functions) < 0)
        return -1;
    PyObject *ft = PyType_FromModuleAndSpec(m, &MseFreq_spec, NULL);
    if (!ft)
        return -1;
    rc = PyModule_AddType(m, (PyTypeObject *)ft);
    Py_DECREF(ft);
    if (rc < 0)
        return -1;
    if (PyModule_AddIntConstant(m, "MSE_MAX_LISTS", TOLL_MSE_MAX_LISTS) < 0)
        return -1;
    return 0;
}
