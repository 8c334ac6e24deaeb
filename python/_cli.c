/*
 * python/_cli.c - the Python package's `toll` command and `python -m toll`
 * (python/toll/__main__.py): the program of src/cli/main.c, run in this
 * process with the arguments given.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#include <stdio.h>

#include "_core.h"

/* src/cli/commands.h (linked in from the CMake build's toll_cli_lib) */
int toll_cli_main(int argc, char **argv);

PyObject *toll_py_cli_main(PyObject *module, PyObject *arg)
{
    (void)module;
    PyObject *seq = PySequence_Fast(arg, "cli_main needs a list of str");
    if (!seq)
        return NULL;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    if (n < 1 || n > INT_MAX - 1) {
        Py_DECREF(seq);
        PyErr_SetString(PyExc_ValueError,
                        "cli_main needs the program name and its arguments");
        return NULL;
    }
    PyObject **bytes = PyMem_Calloc((size_t)n, sizeof *bytes);
    char **argv = PyMem_Calloc((size_t)n + 1, sizeof *argv);
    PyObject *result = NULL;
    if (!bytes || !argv) {
        PyErr_NoMemory();
        goto done;
    }
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *s = PySequence_Fast_GET_ITEM(seq, i);
        if (!PyUnicode_Check(s)) {
            PyErr_Format(PyExc_TypeError,
                         "cli_main: argument %zd is a %.80s, not a str", i,
                         Py_TYPE(s)->tp_name);
            goto done;
        }
        /* file names as the OS has them (surrogateescape) */
        if (!(bytes[i] = PyUnicode_EncodeFSDefault(s)))
            goto done;
        argv[i] = PyBytes_AS_STRING(bytes[i]);
    }
    int rc;
    Py_BEGIN_ALLOW_THREADS
    rc = toll_cli_main((int)n, argv);
    fflush(stdout);
    fflush(stderr);
    Py_END_ALLOW_THREADS
    result = PyLong_FromLong(rc);
done:
    for (Py_ssize_t i = 0; bytes && i < n; i++)
        Py_XDECREF(bytes[i]);
    PyMem_Free(bytes);
    PyMem_Free(argv);
    Py_DECREF(seq);
    return result;
}
