/*
 * python/_arrow_in.c - Arrow data for Reports.load_arrow and
 * Reports.load_columns (python/_arrow_in.h): streams taken from
 * __arrow_c_stream__ capsules, and one batch built from the NumPy buffers
 * of a DataFrame's columns when pandas cannot export Arrow itself.
 */
#include "_arrow_in.h"

#include <math.h>
#include <string.h>

/* ---- views: releasing them frees nothing ------------------------------- */

static void view_schema_release(struct ArrowSchema *s) { s->release = NULL; }
static void view_array_release(struct ArrowArray *a) { a->release = NULL; }

static int replay_schema(struct ArrowArrayStream *s, struct ArrowSchema *out)
{
    const toll_py_replay *p = s->private_data;
    *out = p->a->schema;
    out->release = view_schema_release;
    return 0;
}

static int replay_next(struct ArrowArrayStream *s, struct ArrowArray *out)
{
    toll_py_replay *p = s->private_data;
    if (p->next >= p->a->n) {
        memset(out, 0, sizeof *out); /* the end */
        return 0;
    }
    *out = p->a->batch[p->next++];
    out->release = view_array_release;
    return 0;
}

static const char *replay_error(struct ArrowArrayStream *s)
{
    (void)s;
    return NULL;
}

static void replay_release(struct ArrowArrayStream *s) { s->release = NULL; }

void toll_py_arrow_replay(const toll_py_arrow *a, toll_py_replay *pos,
                          struct ArrowArrayStream *out)
{
    pos->a = a;
    pos->next = 0;
    out->get_schema = replay_schema;
    out->get_next = replay_next;
    out->get_last_error = replay_error;
    out->release = replay_release;
    out->private_data = pos;
}

/* ---- streams from capsules ------------------------------------------------ */

static void built_free(void *b);

void toll_py_arrow_free(toll_py_arrow *a)
{
    if (a->built) {
        built_free(a->built);
    } else {
        for (size_t i = 0; i < a->n; i++)
            if (a->batch[i].release)
                a->batch[i].release(&a->batch[i]);
        if (a->schema.release)
            a->schema.release(&a->schema);
    }
    PyMem_Free(a->batch);
    memset(a, 0, sizeof *a);
}

static int producer_failed(struct ArrowArrayStream *s, int rc,
                           const char *what)
{
    const char *msg = s->get_last_error ? s->get_last_error(s) : NULL;
    PyErr_Format(PyExc_OSError, "the Arrow stream failed to give its %s: %s",
                 what, msg && msg[0] ? msg : strerror(rc));
    return -1;
}

int toll_py_arrow_take(PyObject *capsule, toll_py_arrow *out)
{
    memset(out, 0, sizeof *out);
    if (!PyCapsule_IsValid(capsule, "arrow_array_stream")) {
        PyErr_Format(PyExc_TypeError,
                     "__arrow_c_stream__() must return a PyCapsule named "
                     "'arrow_array_stream', not %.100s",
                     Py_TYPE(capsule)->tp_name);
        return -1;
    }
    struct ArrowArrayStream *src =
        PyCapsule_GetPointer(capsule, "arrow_array_stream");
    if (!src || !src->release) {
        PyErr_SetString(PyExc_ValueError,
                        "the Arrow stream was already read");
        return -1;
    }
    struct ArrowArrayStream s = *src; /* moved out of the capsule */
    src->release = NULL;
    int r = -1, rc = s.get_schema(&s, &out->schema);
    if (rc) {
        producer_failed(&s, rc, "schema");
        goto done;
    }
    for (;;) {
        if (out->n == out->cap) {
            size_t cap = out->cap ? 2 * out->cap : 8;
            struct ArrowArray *b =
                PyMem_Realloc(out->batch, cap * sizeof *b);
            if (!b) {
                PyErr_NoMemory();
                goto done;
            }
            out->batch = b;
            out->cap = cap;
        }
        struct ArrowArray *b = &out->batch[out->n];
        memset(b, 0, sizeof *b);
        rc = s.get_next(&s, b);
        if (rc) {
            if (b->release)
                b->release(b);
            producer_failed(&s, rc, "next batch");
            goto done;
        }
        if (!b->release)
            break;
        out->n++;
    }
    r = 0;
done:
    s.release(&s);
    if (r)
        toll_py_arrow_free(out);
    return r;
}

/* ---- one batch from NumPy buffers -------------------------------------------- */

typedef struct bcol {
    struct ArrowSchema schema;
    struct ArrowArray array;
    const void *bufs[3];
    char format[16];
    Py_buffer view;
    int has_view;
    void *own[3]; /* buffers made here (validity, bits, offsets, data) */
} bcol;

typedef struct built {
    size_t n;
    bcol *col;
    struct ArrowSchema **schild;
    struct ArrowArray **achild;
    const void *top[1];
    PyObject *names; /* a list of str: the schema's names point into them */
} built;

static void built_free(void *p)
{
    built *b = p;
    for (size_t j = 0; b->col && j < b->n; j++) {
        bcol *c = &b->col[j];
        if (c->has_view)
            PyBuffer_Release(&c->view);
        for (int k = 0; k < 3; k++)
            PyMem_Free(c->own[k]);
    }
    PyMem_Free(b->col);
    PyMem_Free(b->schild);
    PyMem_Free(b->achild);
    Py_XDECREF(b->names);
    PyMem_Free(b);
}

/* A validity bitmap of n bits, all set. */
static uint8_t *all_valid(Py_ssize_t n)
{
    size_t bytes = ((size_t)n + 7) / 8;
    uint8_t *v = PyMem_Malloc(bytes ? bytes : 1);
    if (!v) {
        PyErr_NoMemory();
        return NULL;
    }
    memset(v, 0xFF, bytes);
    return v;
}

static inline void clear_bit(uint8_t *v, Py_ssize_t i)
{
    v[i >> 3] &= (uint8_t) ~(1u << (i & 7));
}

/* A NumPy array of numbers or bools: its buffer. */
static int number_column(bcol *c, PyObject *name, PyObject *values,
                         Py_ssize_t *rows)
{
    if (PyObject_GetBuffer(values, &c->view,
                           PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0)
        return -1;
    c->has_view = 1;
    const char *f = c->view.format ? c->view.format : "B";
    if (*f == '@' || *f == '=' || *f == '<')
        f++;
    Py_ssize_t w = c->view.itemsize;
    const char *fmt = NULL;
    if (c->view.ndim == 1 && f[0] && !f[1]) {
        static const char sig[] = "bhilq", uns[] = "BHILQ";
        const char *ints[4] = {"c", "s", "i", "l"},
                   *uints[4] = {"C", "S", "I", "L"};
        int k = w == 1 ? 0 : w == 2 ? 1 : w == 4 ? 2 : w == 8 ? 3 : -1;
        if (strchr(sig, f[0]) && k >= 0)
            fmt = ints[k];
        else if (strchr(uns, f[0]) && k >= 0)
            fmt = uints[k];
        else if (f[0] == 'f' && w == 4)
            fmt = "f";
        else if (f[0] == 'd' && w == 8)
            fmt = "g";
        else if (f[0] == '?' && w == 1)
            fmt = "b";
    }
    if (!fmt) {
        PyErr_Format(PyExc_TypeError,
                     "column %R: a buffer of format '%s' (%zd bytes), not "
                     "one of integers, floats or bools",
                     name, c->view.format ? c->view.format : "B", w);
        return -1;
    }
    *rows = c->view.shape ? c->view.shape[0] : 0;
    strcpy(c->format, fmt);
    c->bufs[1] = c->view.buf;
    if (fmt[0] == 'b') { /* bytes to bits */
        size_t bytes = ((size_t)*rows + 7) / 8;
        uint8_t *bits = PyMem_Calloc(bytes ? bytes : 1, 1);
        if (!bits) {
            PyErr_NoMemory();
            return -1;
        }
        const uint8_t *src = c->view.buf;
        for (Py_ssize_t i = 0; i < *rows; i++)
            if (src[i])
                bits[i >> 3] |= (uint8_t)(1u << (i & 7));
        c->own[1] = bits;
        c->bufs[1] = bits;
    }
    return 0;
}

/* A NumPy int64 array of timestamps in `unit`; NaT is missing. */
static int timestamp_column(bcol *c, PyObject *name, PyObject *values,
                            const char *unit, Py_ssize_t *rows)
{
    if (PyObject_GetBuffer(values, &c->view,
                           PyBUF_C_CONTIGUOUS | PyBUF_FORMAT) < 0)
        return -1;
    c->has_view = 1;
    if (c->view.ndim != 1 || c->view.itemsize != 8 ||
        (strcmp(unit, "s") && strcmp(unit, "ms") && strcmp(unit, "us") &&
         strcmp(unit, "ns"))) {
        PyErr_Format(PyExc_TypeError,
                     "column %R: timestamps must be int64 in s, ms, us or "
                     "ns",
                     name);
        return -1;
    }
    *rows = c->view.shape ? c->view.shape[0] : 0;
    PyOS_snprintf(c->format, sizeof c->format, "ts%c:",
                  unit[0] == 's' ? 's' : unit[0]);
    c->bufs[1] = c->view.buf;
    const int64_t *x = c->view.buf;
    for (Py_ssize_t i = 0; i < *rows; i++) {
        if (x[i] != INT64_MIN)
            continue;
        if (!c->own[0] && !(c->own[0] = all_valid(*rows)))
            return -1;
        clear_bit(c->own[0], i);
        c->array.null_count++;
    }
    c->bufs[0] = c->own[0];
    return 0;
}

/* 1 if o stands for a missing value (None, NaN, pandas.NA, NaT). */
static int is_missing(PyObject *o)
{
    if (o == Py_None)
        return 1;
    if (PyFloat_Check(o))
        return isnan(PyFloat_AS_DOUBLE(o));
    const char *t = Py_TYPE(o)->tp_name;
    return !strcmp(t, "NAType") || !strcmp(t, "NaTType");
}

/* A sequence of str and missing values: large_utf8. */
static int string_column(bcol *c, PyObject *name, PyObject *values,
                         Py_ssize_t *rows)
{
    PyObject *seq = PySequence_Fast(values, "string values must be a "
                                            "sequence");
    if (!seq)
        return -1;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    PyObject **it = PySequence_Fast_ITEMS(seq);
    int64_t *off = PyMem_Malloc(((size_t)n + 1) * sizeof *off);
    size_t cap = (size_t)n * 8 + 16, len = 0;
    char *data = PyMem_Malloc(cap);
    c->own[1] = off;
    c->own[2] = data;
    if (!off || !data) {
        Py_DECREF(seq);
        PyErr_NoMemory();
        return -1;
    }
    off[0] = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *o = it[i];
        if (PyUnicode_Check(o)) {
            Py_ssize_t k;
            const char *s = PyUnicode_AsUTF8AndSize(o, &k);
            if (!s) {
                Py_DECREF(seq);
                return -1;
            }
            if (len + (size_t)k > cap) {
                size_t ncap = 2 * cap + (size_t)k;
                char *d = PyMem_Realloc(data, ncap);
                if (!d) {
                    Py_DECREF(seq);
                    PyErr_NoMemory();
                    return -1;
                }
                c->own[2] = data = d;
                cap = ncap;
            }
            memcpy(data + len, s, (size_t)k);
            len += (size_t)k;
        } else if (is_missing(o)) {
            if (!c->own[0] && !(c->own[0] = all_valid(n))) {
                Py_DECREF(seq);
                return -1;
            }
            clear_bit(c->own[0], i);
            c->array.null_count++;
        } else {
            PyErr_Format(PyExc_TypeError,
                         "column %R, row %zd: a %.100s, not a string",
                         name, i, Py_TYPE(o)->tp_name);
            Py_DECREF(seq);
            return -1;
        }
        off[i + 1] = (int64_t)len;
    }
    Py_DECREF(seq);
    *rows = n;
    strcpy(c->format, "U");
    c->bufs[0] = c->own[0];
    c->bufs[1] = off;
    c->bufs[2] = data;
    return 0;
}

int toll_py_arrow_from_columns(PyObject *names, PyObject *columns,
                               toll_py_arrow *out)
{
    memset(out, 0, sizeof *out);
    built *b = PyMem_Calloc(1, sizeof *b);
    if (!b) {
        PyErr_NoMemory();
        return -1;
    }
    out->built = b;
    PyObject *cols = NULL;
    b->names = PySequence_List(names);
    if (!b->names)
        goto fail;
    cols = PySequence_Fast(columns, "columns must be a sequence");
    if (!cols)
        goto fail;
    Py_ssize_t n = PyList_GET_SIZE(b->names);
    if (PySequence_Fast_GET_SIZE(cols) != n) {
        PyErr_SetString(PyExc_ValueError,
                        "as many columns as names are needed");
        goto fail;
    }
    b->col = PyMem_Calloc((size_t)n + 1, sizeof *b->col);
    b->schild = PyMem_Calloc((size_t)n + 1, sizeof *b->schild);
    b->achild = PyMem_Calloc((size_t)n + 1, sizeof *b->achild);
    out->batch = PyMem_Calloc(1, sizeof *out->batch);
    if (!b->col || !b->schild || !b->achild || !out->batch) {
        PyErr_NoMemory();
        goto fail;
    }
    b->n = (size_t)n;
    Py_ssize_t length = -1;
    for (Py_ssize_t j = 0; j < n; j++) {
        bcol *c = &b->col[j];
        PyObject *name = PyList_GET_ITEM(b->names, j);
        PyObject *spec = PySequence_Fast_GET_ITEM(cols, j);
        const char *kind;
        PyObject *values;
        Py_ssize_t rows = 0;
        if (!PyUnicode_Check(name)) {
            PyErr_SetString(PyExc_TypeError, "column names must be str");
            goto fail;
        }
        if (!PyTuple_Check(spec) || PyTuple_GET_SIZE(spec) != 2 ||
            !PyUnicode_Check(PyTuple_GET_ITEM(spec, 0))) {
            PyErr_SetString(PyExc_TypeError,
                            "each column must be a (kind, values) pair");
            goto fail;
        }
        kind = PyUnicode_AsUTF8(PyTuple_GET_ITEM(spec, 0));
        values = PyTuple_GET_ITEM(spec, 1);
        if (!kind)
            goto fail;
        int r;
        if (!strcmp(kind, "number"))
            r = number_column(c, name, values, &rows);
        else if (!strncmp(kind, "timestamp[", 10) && kind[10] &&
                 kind[strlen(kind) - 1] == ']') {
            char unit[4] = {0};
            size_t ul = strlen(kind) - 11;
            if (ul < sizeof unit)
                memcpy(unit, kind + 10, ul);
            r = timestamp_column(c, name, values, unit, &rows);
        } else if (!strcmp(kind, "string"))
            r = string_column(c, name, values, &rows);
        else {
            PyErr_Format(PyExc_ValueError, "column %R: unknown kind '%s'",
                         name, kind);
            r = -1;
        }
        if (r < 0)
            goto fail;
        if (length >= 0 && rows != length) {
            PyErr_Format(PyExc_ValueError,
                         "column %R has %zd values, the first has %zd",
                         name, rows, length);
            goto fail;
        }
        length = rows;
        const char *utf8 = PyUnicode_AsUTF8(name);
        if (!utf8)
            goto fail;
        c->schema.format = c->format;
        c->schema.name = utf8;
        c->schema.flags = ARROW_FLAG_NULLABLE;
        c->schema.release = view_schema_release;
        c->array.length = rows;
        c->array.n_buffers = c->format[0] == 'U' ? 3 : 2;
        c->array.buffers = c->bufs;
        c->array.release = view_array_release;
        b->schild[j] = &c->schema;
        b->achild[j] = &c->array;
    }
    out->schema.format = "+s";
    out->schema.name = "";
    out->schema.n_children = n;
    out->schema.children = b->schild;
    out->schema.release = view_schema_release;
    struct ArrowArray *a = &out->batch[0];
    a->length = length < 0 ? 0 : length;
    a->n_buffers = 1;
    a->buffers = b->top;
    a->n_children = n;
    a->children = b->achild;
    a->release = view_array_release;
    out->n = out->cap = 1;
    Py_DECREF(cols);
    return 0;
fail:
    Py_XDECREF(cols);
    toll_py_arrow_free(out);
    return -1;
}
