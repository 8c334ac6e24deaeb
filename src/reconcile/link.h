/*
 * src/reconcile/link.h - private interface of src/reconcile/link.c
 * (linking unkeyed reports), used by src/reconcile/reconcile.c.
 *
 * The links of a reconcile live next to the incidents: struct
 * toll_incidents (src/reconcile/reconcile.h) has no field for them, so
 * reconcile allocates its incidents object through toll__incidents_new, which places
 * it at the start of a larger block (toll__incidents_x) that also holds the
 * links.  Every toll_incidents comes from toll__incidents_new.
 */
#ifndef TOLL_SRC_RECONCILE_LINK_H
#define TOLL_SRC_RECONCILE_LINK_H

#include "reconcile/reconcile.h"
#include "render/render.h"

/* One link: reports a < b, the region prefix both agree on (string id) and
 * the incident they ended up in; with link=auto also the pair's match
 * probability and its explanation (string id), else NaN and 0. */
typedef struct toll__link {
    uint32_t a, b;
    uint32_t region;
    uint32_t incident;
    double p;
    uint32_t why;
} toll__link;

typedef struct toll__links {
    toll__link *v;
    size_t n, cap;
} toll__links;

typedef struct toll__incidents_x {
    struct toll_incidents base; /* first: a toll_incidents * points here */
    toll__links links;
} toll__incidents_x;

static inline toll__links *toll__incidents_links(toll_incidents *inc)
{
    return &((toll__incidents_x *)(void *)inc)->links;
}
static inline const toll__links *toll__incidents_links_c(
    const toll_incidents *inc)
{
    return &((const toll__incidents_x *)(const void *)inc)->links;
}

/* A zeroed incidents object (with room for links), or NULL. */
toll_incidents *toll__incidents_new(const toll_allocator *a);
/* Free the block and the links (not the incident columns).  Accepts NULL. */
void toll__incidents_delete(toll_incidents *inc);

/* Check the link fields of `o` (TOLL_EINVAL naming the field). */
toll_status toll__link_check(const toll_reconcile_options *o,
                             toll_error *err);

/*
 * link=auto: the incident of every report (inc_of, nrep entries; numbered
 * in the order of their first report) into inc_of and their count into
 * *n, from o->links or from toll_link_reports(inc->reports, &o->linker);
 * each merged pair is appended to the links of `inc` (its two nodes'
 * first reports, the match probability and an explanation naming each
 * comparison's level and weight).  TOLL_EINVAL when o->links was made
 * from another store or another number of reports.
 */
toll_status toll__link_auto(toll_incidents *inc,
                            const toll_reconcile_options *o,
                            const toll_allocator *a, uint32_t *inc_of,
                            size_t *n, toll_error *err);

/*
 * link=rule: link the unkeyed reports of inc->reports by the options `o`.  first[i] (nrep entries) receives the lowest report index of
 * report i's cluster (i itself for a report that is not linked).  Each
 * union is appended to the links of `inc` (incident unset).  Region
 * prefixes get ids in the incidents' id space (toll__inc_intern,
 * src/reconcile/reconcile.h).  Scratch memory comes from `a`.
 */
toll_status toll__link_reports(toll_incidents *inc,
                               const toll_reconcile_options *o,
                               const toll_allocator *a, uint32_t *first,
                               toll_error *err);

/*
 * After grouping: set each link's incident (inc_of: report -> incident),
 * order the links by (incident, a, b), and key every incident of two or
 * more linked reports "auto:FILE:LINE" (an id of the incidents' id space).
 */
toll_status toll__link_finish(toll_incidents *inc, const uint32_t *inc_of,
                              toll_error *err);

#endif /* TOLL_SRC_RECONCILE_LINK_H */
