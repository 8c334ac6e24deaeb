/*
 * toll/link.h - linking reports that carry no incident key (link=auto).
 *
 * With toll_reconcile_options.link = TOLL_LINK_AUTO, reports without an
 * `incident` key are grouped into incidents: two such reports are linked
 * when
 *   - their date spans come within `link_days` days of each other (a span
 *     [s1, e1] and [s2, e2] are max(0, max(s1, s2) - min(e1, e2)) days
 *     apart; default 1);
 *   - their regions agree on the first `link_region_level` + 1 levels
 *     ("Syria/Idlib" at level 1, the default; 0 is the country; -1 the
 *     whole path);
 *   - their actor sets share at least one actor (unless
 *     `link_require_actor` is 0, when actors are not compared).
 * A report whose span is longer than `link_max_span` days (default 7;
 * 0: no limit) says little about when it happened ("2013" to "2021"): it
 * links only to reports with the very same span, never to shorter ones,
 * so that it cannot chain every incident of its years together.
 * Incidents are the connected components of these links (transitive
 * closure, union-find).  Reports with a key keep it and are never
 * auto-linked; unkeyed reports without a date, without a region, with a
 * region coarser than the level, or (by default) without actors stay
 * incidents of their own.  An incident of two or more linked reports is
 * keyed "auto:FILE:LINE" after its first report (in load order).
 * Cost: a sort of the linkable reports, then one sweep, O(n log n) time
 * and O(n + strings) memory, however dense the window (docs/linking.md).
 *
 * Every union is recorded as a link between two reports that meet all
 * three conditions, so each linked incident has (reports - 1) links that
 * explain why its reports belong together.
 */
#ifndef TOLL_LINK_H
#define TOLL_LINK_H

#include "common.h"
#include "table.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct toll_incidents toll_incidents; /* toll/reconcile.h */

typedef enum toll_link_mode {
    TOLL_LINK_NONE = 0, /* an unkeyed report is an incident of its own */
    TOLL_LINK_AUTO      /* unkeyed reports are linked (above) */
} toll_link_mode;

#define TOLL_LINK_DEFAULT_DAYS 1
#define TOLL_LINK_DEFAULT_LEVEL 1  /* country/governorate: "Syria/Idlib" */
#define TOLL_LINK_FULL_PATH (-1)   /* link_region_level: the whole path */
#define TOLL_LINK_DEFAULT_MAX_SPAN 7 /* days; longer spans are "vague" */
#define TOLL_LINK_MAX_DAYS 36600   /* upper limit of link_days and
                                      link_max_span */

/* "none" or "auto" (static); "" for unknown values. */
TOLL_API const char *toll_link_mode_name(toll_link_mode mode);
/* Parse "none" / "auto" (case-insensitive).  TOLL_EINVAL naming the text. */
TOLL_API toll_status toll_link_mode_parse(const char *s, toll_link_mode *out,
                                          toll_error *err);

/* One link: why two reports were put in one incident.  Strings are owned
 * by the reports store and live as long as it does. */
typedef struct toll_link {
    size_t incident;           /* 0-based incident index */
    size_t report_a, report_b; /* 0-based report indices (load order), a < b */
    const char *file_a, *file_b; /* input names ("" when none) */
    long line_a, line_b;       /* 1-based lines (record number + 1) */
    const char *source_a, *source_b;
    int32_t days_apart;        /* 0 when the spans overlap or touch */
    const char *region;        /* the region prefix both agree on */
    size_t n_shared_actors;    /* actors both name (0 possible only when
                                  actors were not required) */
} toll_link;

/* Number of links (0 unless reconciled with TOLL_LINK_AUTO).  Links come
 * in incident order, then by report_a, then report_b. */
TOLL_API size_t toll_incidents_link_count(const toll_incidents *incidents);

/* Link i into *out.  TOLL_ERANGE when i >= toll_incidents_link_count. */
TOLL_API toll_status toll_incidents_link(const toll_incidents *incidents,
                                         size_t i, toll_link *out,
                                         toll_error *err);

/* The k-th actor (in name order) that both reports of link i name, or NULL
 * when i or k is out of range.  Owned by the store. */
TOLL_API const char *toll_incidents_link_shared_actor(
    const toll_incidents *incidents, size_t i, size_t k);

/*
 * The links as a table, one row per link, in link order.  Columns:
 *   incident, report_a, report_b, source_a, source_b, days_apart, region,
 *   shared_actors, explanation
 * (incident as in toll_incidents_table; report_a/report_b "FILE:LINE";
 * shared_actors joined with " + "; explanation a sentence such as
 *   "seeds.jsonl:3 ~ seeds.jsonl:7: 0 days apart, same region
 *    Syria/Idlib, shared actor Russia").
 * *out owns a new table allocated with `alloc` (NULL: the incidents').
 */
TOLL_API toll_status toll_incidents_links_table(
    const toll_incidents *incidents, const toll_allocator *alloc,
    toll_table **out, toll_error *err);

#ifdef __cplusplus
}
#endif
#endif /* TOLL_LINK_H */
