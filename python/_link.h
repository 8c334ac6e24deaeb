/*
 * python/_link.h - linking in toll._core: the reconcile keywords and
 * Incidents.links() (python/_link.c); Reports.link() and the Links type
 * (python/_links.c).
 */
#ifndef TOLL_PY_LINK_H
#define TOLL_PY_LINK_H

#include "_core.h"

/*
 * Apply Reports.reconcile's linking keywords to *o.  Each may be NULL or
 * None for the default: link ("none" / "auto"), link_days (int >= 0),
 * link_level (int >= -1; -1: the whole path), link_actors ("overlap" /
 * "ignore"), link_max_span (int >= 0; 0: no limit).  Returns 0, or -1 with
 * OptionError / TypeError set.
 */
int toll_py_link_options(toll_state *st, const char *link, PyObject *days,
                         PyObject *level, const char *actors,
                         PyObject *max_span, toll_reconcile_options *o);

/* Add the Links type to the module and to st->Links_Type (python/_links.c). */
int toll_py_links_init(PyObject *m, toll_state *st);

/*
 * Reports.link(*, window, upper, lower, same_source, max_span, model_json,
 * model_file, names_file, labels, seed, threads) -> Links: run the
 * probabilistic linker (toll_link_reports).  model_json (JSON text) or
 * model_file: a model used as given; labels: (report_a, report_b, match)
 * tuples with 0-based report indices, from which the model is fitted
 * (toll_link_fit_labelled).  Values are checked by the library
 * (toll_link_options_check ...): OptionError with its message.
 */
PyObject *toll_py_reports_link(ReportsObject *self, PyObject *args,
                               PyObject *kwds);

/* Incidents.links(): the links table (toll_incidents_links_table). */
PyObject *toll_py_incidents_links(IncidentsObject *self,
                                  PyObject *Py_UNUSED(ignored));

#define TOLL_PY_LINKS_DOC                                                    \
    "links()\n--\n\n"                                                        \
    "Why reports were linked (reconcile(link='auto' or 'rule')): a Table\n" \
    "with one row per link - incident, report_a, report_b, source_a,\n"    \
    "source_b, days_apart, region, shared_actors, explanation.  Empty\n"   \
    "without linking."

#endif /* TOLL_PY_LINK_H */
