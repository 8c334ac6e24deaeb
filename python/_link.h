/*
 * python/_link.h - link=auto in toll._core: the reconcile keywords and
 * Incidents.links() (python/_link.c).
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

/* Incidents.links(): the links table (toll_incidents_links_table). */
PyObject *toll_py_incidents_links(IncidentsObject *self,
                                  PyObject *Py_UNUSED(ignored));

#define TOLL_PY_LINKS_DOC                                                    \
    "links()\n--\n\n"                                                        \
    "Why reports were linked (reconcile(link='auto')): a Table with one\n"  \
    "row per link - incident, report_a, report_b, source_a, source_b,\n"    \
    "days_apart, region, shared_actors, explanation.  Empty without\n"      \
    "linking."

#endif /* TOLL_PY_LINK_H */
