/*
 * python/_link.c - link=auto in toll._core (see python/_link.h).
 */
#include "_link.h"

#include <limits.h>
#include <string.h>

/* An int option in [lo, hi] into *out; None/NULL leaves *out. */
static int int_option(toll_state *st, const char *name, PyObject *v, long lo,
                      long hi, int *out)
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
    if (overflow || x < lo || x > hi) {
        PyObject *s = PyObject_Str(v);
        const char *text = s ? PyUnicode_AsUTF8(s) : NULL;
        if (!text) {
            Py_XDECREF(s);
            return -1;
        }
        toll_py_option_error(st, name, text, "must be from %ld to %ld, got %s",
                             lo, hi, text);
        Py_DECREF(s);
        return -1;
    }
    *out = (int)x;
    return 0;
}

int toll_py_link_options(toll_state *st, const char *link, PyObject *days,
                         PyObject *level, const char *actors,
                         PyObject *max_span, toll_reconcile_options *o)
{
    toll_error err;
    toll_error_clear(&err);
    toll_status s;
    if (link && (s = toll_link_mode_parse(link, &o->link, &err))) {
        toll_py_raise_option(st, "link", s, &err);
        return -1;
    }
    if (int_option(st, "link_days", days, 0, TOLL_LINK_MAX_DAYS,
                   &o->link_days) < 0 ||
        int_option(st, "link_level", level, TOLL_LINK_FULL_PATH, INT_MAX,
                   &o->link_region_level) < 0 ||
        int_option(st, "link_max_span", max_span, 0, TOLL_LINK_MAX_DAYS,
                   &o->link_max_span) < 0)
        return -1;
    if (actors) {
        if (strcmp(actors, "overlap") == 0) {
            o->link_require_actor = 1;
        } else if (strcmp(actors, "ignore") == 0) {
            o->link_require_actor = 0;
        } else {
            toll_py_option_error(st, "link_actors", actors,
                                 "expected \"overlap\" or \"ignore\", got "
                                 "\"%.100s\"",
                                 actors);
            return -1;
        }
    }
    return 0;
}

PyObject *toll_py_incidents_links(IncidentsObject *self,
                                  PyObject *Py_UNUSED(ignored))
{
    toll_state *st = TOLL_PY_STATE(self);
    if (!self->inc || !self->store) {
        PyErr_SetString(PyExc_ValueError,
                        "Incidents object is empty (cleared or not created "
                        "by Reports.reconcile)");
        return NULL;
    }
    toll_table *t = NULL;
    toll_error err;
    toll_error_clear(&err);
    toll_status s;
    Py_BEGIN_ALLOW_THREADS
    s = toll_incidents_links_table(self->inc, NULL, &t, &err);
    Py_END_ALLOW_THREADS
    if (s != TOLL_OK)
        return toll_py_raise(st, s, &err, NULL, 0);
    return toll_py_table_new(st, t);
}
