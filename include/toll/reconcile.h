/*
 * toll/reconcile.h - reconcile the reports of each incident into one range
 * per casualty category, with provenance, flags and a grade.
 *
 * Rules (README, "Reconciling an incident"):
 *  - A self-report is one whose source_actor is among the incident's alleged
 *    actors.  By default it is excluded from the bounds but kept as the
 *    party's own figure and used for flags and grades.
 *  - envelope: low = min of lows; high = max over reports of (high, or low
 *    where open); best = median of bests.  conservative: low = high = best
 *    = min of lows.
 *  - Flags: denied, open, contested; place and date conflicts.
 *  - Grades: confirmed > corroborated > single > self-only.
 */
#ifndef TOLL_RECONCILE_H
#define TOLL_RECONCILE_H

#include "common.h"
#include "link.h"
#include "reports.h"
#include "table.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct toll_incidents toll_incidents;

typedef enum toll_policy {
    TOLL_POLICY_ENVELOPE = 0,
    TOLL_POLICY_CONSERVATIVE
} toll_policy;

typedef enum toll_self_reports {
    TOLL_SELF_EXCLUDE = 0,
    TOLL_SELF_INCLUDE
} toll_self_reports;

/* Grades, in increasing order of strength.  TOLL_GRADE_NONE (0) is used as
 * "no minimum" in filters. */
typedef enum toll_grade {
    TOLL_GRADE_NONE = 0,
    TOLL_GRADE_SELF_ONLY,
    TOLL_GRADE_SINGLE,
    TOLL_GRADE_CORROBORATED,
    TOLL_GRADE_CONFIRMED
} toll_grade;

/* Incident flags (bit set). */
#define TOLL_FLAG_OPEN            0x01u /* an included report's high is open */
#define TOLL_FLAG_DENIED          0x02u /* a self-report gives 0 while an
                                           included report gives > 0 */
#define TOLL_FLAG_CONTESTED       0x04u /* non-self reports name different
                                           actor sets */
#define TOLL_FLAG_PLACE_CONFLICT  0x08u /* regions not on one path */
#define TOLL_FLAG_DATE_CONFLICT   0x10u /* spans do not intersect */

/* Static names: "envelope", "conservative", "exclude", "include",
 * "self-only", "single", "corroborated", "confirmed", "" for NONE. */
TOLL_API const char *toll_policy_name(toll_policy p);
TOLL_API const char *toll_grade_name(toll_grade g);
/* Parse names (case-insensitive).  TOLL_EINVAL naming the text if unknown. */
TOLL_API toll_status toll_policy_parse(const char *s, toll_policy *out,
                                       toll_error *err);
TOLL_API toll_status toll_self_reports_parse(const char *s,
                                             toll_self_reports *out,
                                             toll_error *err);
TOLL_API toll_status toll_grade_parse(const char *s, toll_grade *out,
                                      toll_error *err);

typedef struct toll_reconcile_options {
    toll_policy policy;           /* default envelope */
    toll_self_reports self_reports; /* default exclude */
    /* Linking reports of one incident (toll/link.h, docs/linking.md). */
    toll_link_mode link;          /* default TOLL_LINK_NONE */
    /* link = TOLL_LINK_RULE: */
    int link_days;                /* date window +/- days, default 1 */
    int link_region_level;        /* agree on the first K+1 region levels
                                     (0: country), default 1; -1: the
                                     whole path */
    int link_require_actor;       /* default 1: actor sets must overlap;
                                     0: actors are not compared */
    int link_max_span;            /* default 7: a report spanning more days
                                     links only to reports with the very
                                     same span; 0: no limit */
    /* link = TOLL_LINK_AUTO: */
    toll_link_options linker;     /* toll_link_options_init's defaults;
                                     checked by toll_link_options_check */
    const toll_links *links;      /* NULL (default): toll_link_reports runs
                                     with `linker`.  Else precomputed links
                                     (borrowed for the call), which must
                                     come from the same store with the
                                     same report count (TOLL_EINVAL) */
    size_t threads;               /* 0 (default) auto: two threads when
                                     there are at least 65,536 incidents
                                     and the allocator is the default one;
                                     1: one thread; N >= 2: two.  The
                                     result is the same either way.  With
                                     N >= 2 the allocator is called from
                                     two threads at once and must be
                                     thread-safe. */
} toll_reconcile_options;

TOLL_API void toll_reconcile_options_init(toll_reconcile_options *opts);

/*
 * Reconcile every incident in `reports`.  Reports sharing an `incident` key
 * form one incident; a report without a key is an incident of its own,
 * unless opts->link links it (toll/link.h): TOLL_LINK_RULE joins unkeyed
 * reports by the earlier rule; TOLL_LINK_AUTO takes the incidents of the
 * probabilistic linker (keyed reports too, one node per key: an incident
 * is keyed by the first key among its reports, else "auto:FILE:LINE"
 * after its first report when it holds two or more reports).
 * `opts` may be NULL for defaults; `alloc` may be NULL for the allocator of
 * `reports`.  On success *out owns a new toll_incidents, which refers to
 * `reports` (the reports must outlive it) and owns every value it derives
 * (an incident's actor set, the union of its reports' sets; a common region
 * prefix; the keys of linked incidents): `reports` is only read.  Free it
 * with toll_incidents_free.
 * Loading more reports into `reports` while the incidents exist is
 * allowed: they keep describing exactly the reports they were made from
 * (summaries, listings, links and MSE data are as before the load, a
 * failed strict load included); reconcile again to see the new reports.
 * Thread safety: several toll_reconcile calls, and reads of incidents, may
 * run on one store at once.  A load into `reports` must not run
 * concurrently with a toll_reconcile on it, nor with a read of incidents
 * made from it, from another thread; after the load both work again.  A
 * toll_incidents is read-only and may be read from several threads at
 * once.
 */
TOLL_API toll_status toll_reconcile(const toll_reports *reports,
                                    const toll_reconcile_options *opts,
                                    const toll_allocator *alloc,
                                    toll_incidents **out, toll_error *err);

/* Free.  Accepts NULL. */
TOLL_API void toll_incidents_free(toll_incidents *incidents);

/* Number of incidents. */
TOLL_API size_t toll_incidents_count(const toll_incidents *incidents);

/* The store these incidents were reconciled from (after a later load it
 * holds more reports than the incidents describe: those they describe are
 * its first ones, as many as it held when they were made). */
TOLL_API const toll_reports *toll_incidents_reports(
    const toll_incidents *incidents);

/*
 * The reconciled incidents as a table, one row per incident and category
 * that any of its reports gives (known or unknown), in incident order, and
 * categories in first-seen order.  Columns:
 *   incident, category, date_start, date_end, region, actor, grade,
 *   reports, sources, low, best, high, open, denied, contested,
 *   place_conflict, date_conflict, low_source, low_report, high_source,
 *   high_report, self_source, self_low, self_best, self_high
 * (low_report/high_report are "file:line" of the report that set the
 * bound; self_* are the party's own figure, missing/NaN when none; low,
 * best and high are NaN when no included report gives a known figure).
 * An incident whose reports give no category gets one row with category
 * missing.
 * *out owns a new table allocated with `alloc` (NULL: the incidents').
 */
TOLL_API toll_status toll_incidents_table(const toll_incidents *incidents,
                                          const toll_allocator *alloc,
                                          toll_table **out, toll_error *err);

#ifdef __cplusplus
}
#endif
#endif /* TOLL_RECONCILE_H */
