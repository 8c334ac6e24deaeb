/*
 * python/_table.c - the Table (toll_table) and Column (buffer exporter)
 * types of toll._core.
 *
 * A toll_table is immutable and owns its memory, so its column buffers are
 * exported without copying: Table.column(j) returns a read-only memoryview
 * over a Column object that keeps the Table alive.  numpy.frombuffer and
 * array.array take it as it is.
 */
#include "_core.h"

#include <string.h>

static PyObject *no_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    PyErr_Format(PyExc_TypeError, "cannot create '%.100s' instances directly",
                 type->tp_name);
    return NULL;
}

/* ======================================================================== */
/* Column                                                                    */
/* ======================================================================== */

static char dummy_byte[8];

static int Column_getbuffer(ColumnObject *self, Py_buffer *view, int flags)
{
    if (flags & PyBUF_WRITABLE) {
        PyErr_SetString(PyExc_BufferError, "table columns are read-only");
        view->obj = NULL;
        return -1;
    }
    const toll_table *t = self->table->t;
    size_t j = (size_t)self->j;
    const void *data;
    const char *fmt;
    Py_ssize_t itemsize;
    switch (toll_table_column_type(t, j)) {
    case TOLL_COL_INT64:
        data = toll_table_int64(t, j);
        fmt = "q";
        itemsize = (Py_ssize_t)sizeof(int64_t);
        break;
    case TOLL_COL_DOUBLE:
        data = toll_table_double(t, j);
        fmt = "d";
        itemsize = (Py_ssize_t)sizeof(double);
        break;
    default:
        data = toll_table_codes(t, j);
        fmt = "I";
        itemsize = (Py_ssize_t)sizeof(uint32_t);
        break;
    }
    Py_ssize_t n = (Py_ssize_t)toll_table_nrows(t);
    if (!data && n > 0) {
        PyErr_SetString(PyExc_BufferError, "column has no data");
        view->obj = NULL;
        return -1;
    }
    self->shape = n;
    self->stride = itemsize;
    view->buf = data ? (void *)data : (void *)dummy_byte;
    view->obj = (PyObject *)self;
    Py_INCREF(self);
    view->len = n * itemsize;
    view->readonly = 1;
    view->itemsize = itemsize;
    view->format = (flags & PyBUF_FORMAT) ? (char *)fmt : NULL;
    view->ndim = 1;
    view->shape = (flags & PyBUF_ND) ? &self->shape : NULL;
    view->strides =
        ((flags & PyBUF_STRIDES) == PyBUF_STRIDES) ? &self->stride : NULL;
    view->suboffsets = NULL;
    view->internal = NULL;
    return 0;
}

static void Column_releasebuffer(ColumnObject *self, Py_buffer *view) {}

static void Column_dealloc(ColumnObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    if (self->weakrefs)
        PyObject_ClearWeakRefs((PyObject *)self);
    Py_CLEAR(self->table);
    tp->tp_free((PyObject *)self);
    Py_DECREF(tp);
}

static PyMemberDef Column_members[] = {
    {"__weaklistoffset__", T_PYSSIZET, offsetof(ColumnObject, weakrefs),
     READONLY, NULL},
    {NULL, 0, 0, 0, NULL}};

static PyType_Slot Column_slots[] = {
    {Py_tp_doc, "Read-only buffer over one column of a Table."},
    {Py_tp_new, no_new},
    {Py_tp_dealloc, Column_dealloc},
    {Py_tp_members, Column_members},
    {Py_bf_getbuffer, Column_getbuffer},
    {Py_bf_releasebuffer, Column_releasebuffer},
    {0, NULL}};

PyType_Spec toll_py_column_spec = {
    .name = "toll._core.Column",
    .basicsize = sizeof(ColumnObject),
    .flags = Py_TPFLAGS_DEFAULT,
    .slots = Column_slots,
};

/* ======================================================================== */
/* Table                                                                     */
/* ======================================================================== */

PyObject *toll_py_table_new(toll_state *st, toll_table *t)
{
    TableObject *self =
        (TableObject *)st->Table_Type->tp_alloc(st->Table_Type, 0);
    if (!self) {
        toll_table_free(t);
        return NULL;
    }
    self->t = t;
    return (PyObject *)self;
}

static int table_check(TableObject *self)
{
    if (!self->t) {
        PyErr_SetString(PyExc_ValueError, "Table is empty");
        return -1;
    }
    return 0;
}

static void Table_dealloc(TableObject *self)
{
    PyTypeObject *tp = Py_TYPE(self);
    if (self->weakrefs)
        PyObject_ClearWeakRefs((PyObject *)self);
    toll_table_free(self->t);
    self->t = NULL;
    tp->tp_free((PyObject *)self);
    Py_DECREF(tp);
}

static Py_ssize_t Table_len(TableObject *self)
{
    if (table_check(self) < 0)
        return -1;
    return (Py_ssize_t)toll_table_nrows(self->t);
}

static const char *coltype_name(toll_coltype ty)
{
    switch (ty) {
    case TOLL_COL_INT64:
        return "int64";
    case TOLL_COL_DOUBLE:
        return "double";
    default:
        return "string";
    }
}

/* Column index from an int (negative counts from the end) or a name. */
static int column_index(TableObject *self, PyObject *key, size_t *j)
{
    size_t ncols = toll_table_ncols(self->t);
    if (PyUnicode_Check(key)) {
        const char *name = PyUnicode_AsUTF8(key);
        if (!name)
            return -1;
        size_t k = toll_table_column_index(self->t, name);
        if (k == TOLL_NPOS) {
            PyErr_Format(PyExc_KeyError, "no column %R in this table", key);
            return -1;
        }
        *j = k;
        return 0;
    }
    Py_ssize_t k = PyNumber_AsSsize_t(key, PyExc_IndexError);
    if (k == -1 && PyErr_Occurred()) {
        if (PyErr_ExceptionMatches(PyExc_TypeError)) {
            PyErr_Clear();
            PyErr_Format(PyExc_TypeError,
                         "column must be a name or an index, not %.100s",
                         Py_TYPE(key)->tp_name);
        }
        return -1;
    }
    if (k < 0)
        k += (Py_ssize_t)ncols;
    if (k < 0 || (size_t)k >= ncols) {
        PyErr_Format(PyExc_IndexError, "column index out of range (%zu "
                                       "columns)",
                     ncols);
        return -1;
    }
    *j = (size_t)k;
    return 0;
}

static PyObject *column_view(TableObject *self, size_t j)
{
    toll_state *st = TOLL_PY_STATE(self);
    ColumnObject *col =
        (ColumnObject *)st->Column_Type->tp_alloc(st->Column_Type, 0);
    if (!col)
        return NULL;
    Py_INCREF(self);
    col->table = self;
    col->j = (Py_ssize_t)j;
    PyObject *mv = PyMemoryView_FromObject((PyObject *)col);
    Py_DECREF(col);
    return mv;
}

static PyObject *table_dict(TableObject *self, size_t j)
{
    size_t n = 0;
    const char *const *dict = toll_table_dict(self->t, j, &n);
    PyObject *list = PyList_New((Py_ssize_t)n);
    if (!list)
        return NULL;
    for (size_t k = 0; k < n; k++) {
        PyObject *s = toll_py_str(dict ? dict[k] : "");
        if (!s) {
            Py_DECREF(list);
            return NULL;
        }
        PyList_SET_ITEM(list, (Py_ssize_t)k, s);
    }
    return list;
}

static PyObject *Table_column(TableObject *self, PyObject *key)
{
    size_t j;
    if (table_check(self) < 0 || column_index(self, key, &j) < 0)
        return NULL;
    PyObject *mv = column_view(self, j);
    if (!mv || toll_table_column_type(self->t, j) != TOLL_COL_STRING)
        return mv;
    PyObject *dict = table_dict(self, j);
    if (!dict) {
        Py_DECREF(mv);
        return NULL;
    }
    return Py_BuildValue("(NN)", mv, dict);
}

static PyObject *Table_column_type(TableObject *self, PyObject *key)
{
    size_t j;
    if (table_check(self) < 0 || column_index(self, key, &j) < 0)
        return NULL;
    return PyUnicode_FromString(
        coltype_name(toll_table_column_type(self->t, j)));
}

static PyObject *Table_render(TableObject *self, PyObject *args,
                              PyObject *kwds)
{
    static char *kwlist[] = {"format", "totals", NULL};
    const char *format = "text";
    int totals = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|sp:render", kwlist,
                                     &format, &totals))
        return NULL;
    toll_state *st = TOLL_PY_STATE(self);
    if (table_check(self) < 0)
        return NULL;
    toll_render_format fmt;
    if (toll_render_format_parse(format, &fmt, NULL) != TOLL_OK)
        return toll_py_option_error(st, "format", format,
                                    "expected csv, json, markdown (md) or "
                                    "text, got \"%.100s\"",
                                    format);
    char *buf = NULL;
    size_t len = 0;
    toll_error err;
    toll_error_clear(&err);
    toll_status s;
    Py_BEGIN_ALLOW_THREADS
    s = toll_table_render_string(self->t, fmt, totals, &buf, &len, &err);
    Py_END_ALLOW_THREADS
    if (s != TOLL_OK) {
        if (buf)
            toll_table_buffer_free(self->t, buf);
        return toll_py_raise(st, s, &err, NULL, 0);
    }
    PyObject *res = PyUnicode_DecodeUTF8(buf ? buf : "", (Py_ssize_t)len,
                                         "replace");
    if (buf)
        toll_table_buffer_free(self->t, buf);
    return res;
}

static PyObject *Table_get_nrows(TableObject *self, void *c)
{
    if (table_check(self) < 0)
        return NULL;
    return PyLong_FromSize_t(toll_table_nrows(self->t));
}

static PyObject *Table_get_ncols(TableObject *self, void *c)
{
    if (table_check(self) < 0)
        return NULL;
    return PyLong_FromSize_t(toll_table_ncols(self->t));
}

static PyObject *Table_get_nkeys(TableObject *self, void *c)
{
    if (table_check(self) < 0)
        return NULL;
    return PyLong_FromSize_t(toll_table_nkeys(self->t));
}

static PyObject *Table_get_additive(TableObject *self, void *c)
{
    if (table_check(self) < 0)
        return NULL;
    return PyBool_FromLong(toll_table_additive(self->t));
}

static PyObject *Table_get_caption(TableObject *self, void *c)
{
    if (table_check(self) < 0)
        return NULL;
    const char *cap = toll_table_caption(self->t);
    return toll_py_str(cap ? cap : "");
}

static const toll_error *table_warning_at(const void *t, size_t i)
{
    return toll_table_warning(t, i);
}

static PyObject *Table_get_warnings(TableObject *self, void *c)
{
    if (table_check(self) < 0)
        return NULL;
    return toll_py_error_list(self->t, toll_table_warning_count(self->t),
                              table_warning_at);
}

static PyObject *Table_get_columns(TableObject *self, void *c)
{
    if (table_check(self) < 0)
        return NULL;
    size_t n = toll_table_ncols(self->t);
    PyObject *list = PyList_New((Py_ssize_t)n);
    if (!list)
        return NULL;
    for (size_t j = 0; j < n; j++) {
        const char *name = toll_table_column_name(self->t, j);
        PyObject *s = toll_py_str(name ? name : "");
        if (!s) {
            Py_DECREF(list);
            return NULL;
        }
        PyList_SET_ITEM(list, (Py_ssize_t)j, s);
    }
    return list;
}

static PyObject *Table_get_column_types(TableObject *self, void *c)
{
    if (table_check(self) < 0)
        return NULL;
    size_t n = toll_table_ncols(self->t);
    PyObject *list = PyList_New((Py_ssize_t)n);
    if (!list)
        return NULL;
    for (size_t j = 0; j < n; j++) {
        PyObject *s = PyUnicode_FromString(
            coltype_name(toll_table_column_type(self->t, j)));
        if (!s) {
            Py_DECREF(list);
            return NULL;
        }
        PyList_SET_ITEM(list, (Py_ssize_t)j, s);
    }
    return list;
}

static const char *colkind_name(toll_colkind k)
{
    switch (k) {
    case TOLL_KIND_DATE:
        return "date";
    case TOLL_KIND_COUNT:
        return "count";
    case TOLL_KIND_FLAG:
        return "flag";
    default:
        return "plain";
    }
}

static PyObject *Table_get_column_kinds(TableObject *self, void *c)
{
    if (table_check(self) < 0)
        return NULL;
    size_t n = toll_table_ncols(self->t);
    PyObject *list = PyList_New((Py_ssize_t)n);
    if (!list)
        return NULL;
    for (size_t j = 0; j < n; j++) {
        PyObject *s = PyUnicode_FromString(
            colkind_name(toll_table_column_kind(self->t, j)));
        if (!s) {
            Py_DECREF(list);
            return NULL;
        }
        PyList_SET_ITEM(list, (Py_ssize_t)j, s);
    }
    return list;
}

/* ---- the Arrow PyCapsule interface ---------------------------------------
 * __arrow_c_stream__ returns a capsule named "arrow_array_stream" over a
 * struct ArrowArrayStream (toll_table_export_arrow).  A consumer moves the
 * stream out (leaving release NULL); the capsule's destructor releases a
 * stream nobody consumed and frees the struct.  The stream holds its own
 * reference to the C table, so the capsule may outlive this object. */

static void stream_capsule_free(PyObject *capsule)
{
    struct ArrowArrayStream *s =
        PyCapsule_GetPointer(capsule, "arrow_array_stream");
    if (!s) {
        PyErr_WriteUnraisable(capsule);
        return;
    }
    if (s->release)
        s->release(s);
    PyMem_Free(s);
}

static PyObject *Table_arrow_c_stream(TableObject *self, PyObject *args,
                                      PyObject *kwds)
{
    static char *kwlist[] = {"requested_schema", NULL};
    PyObject *requested = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "|O:__arrow_c_stream__",
                                     kwlist, &requested))
        return NULL;
    /* requested_schema is a request the producer may decline: the
     * table's own types are exported (docs/arrow.md). */
    if (table_check(self) < 0)
        return NULL;
    struct ArrowArrayStream *s = PyMem_Malloc(sizeof *s);
    if (!s)
        return PyErr_NoMemory();
    toll_error err;
    toll_error_clear(&err);
    toll_status st = toll_table_export_arrow(self->t, s, &err);
    if (st != TOLL_OK) {
        PyMem_Free(s);
        return toll_py_raise(TOLL_PY_STATE(self), st, &err, NULL, 0);
    }
    PyObject *cap =
        PyCapsule_New(s, "arrow_array_stream", stream_capsule_free);
    if (!cap) {
        s->release(s);
        PyMem_Free(s);
    }
    return cap;
}

static PyObject *Table_repr(TableObject *self)
{
    if (!self->t)
        return PyUnicode_FromString("<toll._core.Table (empty)>");
    return PyUnicode_FromFormat("<toll._core.Table: %zu rows x %zu columns>",
                                toll_table_nrows(self->t),
                                toll_table_ncols(self->t));
}

/* Table.cells(key, rows): the cells of one column in the given rows as
 * the text renderer shows them (toll_table_cell_text). */
static PyObject *Table_cells(TableObject *self, PyObject *args)
{
    PyObject *key, *rows;
    size_t j;
    if (!PyArg_ParseTuple(args, "OO:cells", &key, &rows))
        return NULL;
    if (table_check(self) < 0 || column_index(self, key, &j) < 0)
        return NULL;
    PyObject *seq = PySequence_Fast(rows, "rows must be a sequence of ints");
    if (!seq)
        return NULL;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    PyObject *out = PyList_New(n);
    char small[128];
    size_t nrows = toll_table_nrows(self->t);
    for (Py_ssize_t k = 0; out && k < n; k++) {
        Py_ssize_t i = PyNumber_AsSsize_t(PySequence_Fast_GET_ITEM(seq, k),
                                          PyExc_IndexError);
        if (i == -1 && PyErr_Occurred()) {
            Py_CLEAR(out);
            break;
        }
        if (i < 0 || (size_t)i >= nrows) {
            PyErr_Format(PyExc_IndexError, "row %zd out of range", i);
            Py_CLEAR(out);
            break;
        }
        size_t len = toll_table_cell_text(self->t, j, (size_t)i, small,
                                          sizeof small);
        PyObject *s;
        if (len < sizeof small) {
            s = PyUnicode_DecodeUTF8(small, (Py_ssize_t)len, "replace");
        } else { /* a long string: its own buffer */
            char *big = PyMem_Malloc(len + 1);
            if (!big) {
                PyErr_NoMemory();
                Py_CLEAR(out);
                break;
            }
            toll_table_cell_text(self->t, j, (size_t)i, big, len + 1);
            s = PyUnicode_DecodeUTF8(big, (Py_ssize_t)len, "replace");
            PyMem_Free(big);
        }
        if (!s) {
            Py_CLEAR(out);
            break;
        }
        PyList_SET_ITEM(out, k, s);
    }
    Py_DECREF(seq);
    return out;
}

/* Table.merge(other): toll_table_merge of two summaries into a new
 * Table. */
static PyObject *Table_merge(TableObject *self, PyObject *other)
{
    toll_state *st = TOLL_PY_STATE(self);
    if (!PyObject_TypeCheck(other, st->Table_Type)) {
        PyErr_Format(PyExc_TypeError, "merge() needs a Table, not %.100s",
                     Py_TYPE(other)->tp_name);
        return NULL;
    }
    TableObject *o = (TableObject *)other;
    if (table_check(self) < 0 || table_check(o) < 0)
        return NULL;
    toll_table *out = NULL;
    toll_error err;
    toll_error_clear(&err);
    toll_status s;
    Py_BEGIN_ALLOW_THREADS
    s = toll_table_merge(self->t, o->t, NULL, &out, &err);
    Py_END_ALLOW_THREADS
    if (s != TOLL_OK)
        return toll_py_raise(st, s, &err, NULL, 0);
    return toll_py_table_new(st, out);
}

static PyMethodDef Table_methods[] = {
    {"cells", (PyCFunction)Table_cells, METH_VARARGS,
     "cells(key, rows)\n--\n\n"
     "The cells of one column in the given rows as text, as the text\n"
     "renderer shows them ('1,098', '12.5'; '' for missing values)."},
    {"column", (PyCFunction)Table_column, METH_O,
     "column(key)\n--\n\n"
     "Column data by name or index, without copying.  Numeric columns: a\n"
     "read-only memoryview (format 'q' int64 or 'd' double; NaN = missing).\n"
     "String columns: (codes, dictionary) where codes is a memoryview of\n"
     "uint32 (format 'I'; 0xFFFFFFFF = missing) indexing the list of\n"
     "distinct strings."},
    {"__arrow_c_stream__", (PyCFunction)(void (*)(void))Table_arrow_c_stream,
     METH_VARARGS | METH_KEYWORDS,
     "__arrow_c_stream__(requested_schema=None)\n--\n\n"
     "The table as an Arrow C stream: a PyCapsule named\n"
     "'arrow_array_stream' (the Arrow PyCapsule interface).  The stream\n"
     "keeps the table's data alive; requested_schema is not applied."},
    {"column_type", (PyCFunction)Table_column_type, METH_O,
     "column_type(key)\n--\n\n'string', 'int64' or 'double'."},
    {"merge", (PyCFunction)Table_merge, METH_O,
     "merge(other)\n--\n\n"
     "The summary of the union of two summaries of disjoint sets of\n"
     "incidents (toll_table_merge): a new Table."},
    {"render", (PyCFunction)(void (*)(void))Table_render,
     METH_VARARGS | METH_KEYWORDS,
     "render(format='text', totals=False)\n--\n\n"
     "Render with the C renderer: 'csv', 'json', 'markdown' ('md') or\n"
     "'text'.  totals adds a totals row to CSV/JSON (Markdown and text\n"
     "always show one for summaries)."},
    {NULL, NULL, 0, NULL}};

static PyGetSetDef Table_getset[] = {
    {"nrows", (getter)Table_get_nrows, NULL, "Number of rows.", NULL},
    {"ncols", (getter)Table_get_ncols, NULL, "Number of columns.", NULL},
    {"nkeys", (getter)Table_get_nkeys, NULL,
     "Number of leading group-key columns.", NULL},
    {"additive", (getter)Table_get_additive, NULL,
     "False when rows must not be added up (attribution 'each').", NULL},
    {"caption", (getter)Table_get_caption, NULL,
     "Short description stored with the table, or ''.", NULL},
    {"warnings", (getter)Table_get_warnings, NULL,
     "Warnings of the call that made the table: dicts like Reports.rejects.",
     NULL},
    {"columns", (getter)Table_get_columns, NULL, "Column names.", NULL},
    {"column_types", (getter)Table_get_column_types, NULL,
     "Column types ('string', 'int64', 'double').", NULL},
    {"column_kinds", (getter)Table_get_column_kinds, NULL,
     "Column kinds ('plain', 'date', 'count', 'flag'): what the values\n"
     "mean beyond their type (toll_table_column_kind).", NULL},
    {NULL, NULL, NULL, NULL, NULL}};

static PyMemberDef Table_members[] = {
    {"__weaklistoffset__", T_PYSSIZET, offsetof(TableObject, weakrefs),
     READONLY, NULL},
    {NULL, 0, 0, 0, NULL}};

static PyType_Slot Table_slots[] = {
    {Py_tp_doc, "An immutable result table with typed columns."},
    {Py_tp_new, no_new},
    {Py_tp_dealloc, Table_dealloc},
    {Py_tp_repr, Table_repr},
    {Py_tp_methods, Table_methods},
    {Py_tp_getset, Table_getset},
    {Py_tp_members, Table_members},
    {Py_sq_length, Table_len},
    {0, NULL}};

PyType_Spec toll_py_table_spec = {
    .name = "toll._core.Table",
    .basicsize = sizeof(TableObject),
    .flags = Py_TPFLAGS_DEFAULT,
    .slots = Table_slots,
};
