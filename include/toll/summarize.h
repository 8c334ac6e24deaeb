/*
 * toll/summarize.h - aggregate reconciled incidents into tables by actor,
 * region, period, category and grade.
 */
#ifndef TOLL_SUMMARIZE_H
#define TOLL_SUMMARIZE_H

#include "common.h"
#include "intervals.h"
#include "reconcile.h"
#include "table.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum toll_attribution {
    TOLL_ATTR_JOINT = 0, /* key = sorted actor set joined with " + " */
    TOLL_ATTR_SPLIT,     /* each actor gets 1/n of low, best and high */
    TOLL_ATTR_EACH       /* each actor gets the full counts (non-additive) */
} toll_attribution;

typedef enum toll_span {
    TOLL_SPAN_START = 0, /* an incident counts in the period where it starts */
    TOLL_SPAN_PRORATE    /* split across periods in proportion to days */
} toll_span;

TOLL_API toll_status toll_attribution_parse(const char *s,
                                            toll_attribution *out,
                                            toll_error *err);
TOLL_API toll_status toll_span_parse(const char *s, toll_span *out,
                                     toll_error *err);
TOLL_API const char *toll_attribution_name(toll_attribution a);
TOLL_API const char *toll_span_name(toll_span s);

typedef struct toll_summarize_options {
    /* Group keys, comma-separated: actor, region, region:K,
     * period:day|week|month|quarter|year, category, grade, or the name of
     * a kept field (type_of_violence; at most 8 keys).  NULL or "" : one
     * row for everything. */
    const char *by;
    /* Category to total ("killed").  NULL: "killed", unless `by` contains
     * `category`, in which case every category. */
    const char *category;
    toll_attribution attribution; /* default joint */
    toll_span span;               /* default start */
    /* Filters (all optional). */
    toll_grade min_grade;         /* TOLL_GRADE_NONE: no filter */
    const char *date_from;        /* "YYYY-MM-DD" (or partial), inclusive */
    const char *date_to;          /* inclusive; a partial date includes its
                                     whole month/year */
    const char *region_prefix;    /* "Syria/Idlib": level-wise prefix */
    const char *const *actors;    /* keep incidents naming any of these */
    size_t n_actors;
    /* Probabilistic interval of each row (toll/intervals.h,
     * docs/intervals.md): method none (default), independent or
     * comonotone.  When set, the quantile columns (q025, q500, q975 by
     * default) and q_engine are appended after the measures. */
    toll_interval_options interval;
    /* Kept fields (columns that are not report fields, such as UCDP's
     * type_of_violence; docs/importers.md).  An incident's value is that
     * of its first report that keeps the field.  `by` may also name a kept
     * field: the key column is named after it.
     * where: items "FIELD=VALUE" (values compared ASCII case-insensitively;
     * "FIELD=" keeps incidents without the field).  Items on the same
     * field are alternatives, items on different fields must all hold. */
    const char *const *where;
    size_t n_where;
    /* Grades that come from the data (kept field data_grade, e.g.
     * Airwars' grading): keep incidents graded this or stronger on
     * confirmed > fair > weak > contested > discounted.  NULL: no filter. */
    const char *min_data_grade;
} toll_summarize_options;

TOLL_API void toll_summarize_options_init(toll_summarize_options *opts);

/*
 * Aggregate.  Key columns come first, named actor, region, period,
 * category, grade (in the order given in `by`), followed by the measures
 *   incidents, reports, low, best, high, open, denied, contested
 * and, when opts->interval.method is set, the quantile columns (DOUBLE,
 * named by toll_interval_column_name: q025, q500, q975) and q_engine
 * (STRING: exact, normal or simulate; docs/intervals.md)
 * (incidents/reports/open/denied/contested are INT64 counts; low, best and
 * high are DOUBLE sums, integral unless attribution is split or span is
 * prorate for best).  Rows are sorted by the keys (periods chronologically).
 * Incidents with no date are grouped under an empty period; with no region
 * under an empty region; with no actor under "unknown".
 * *out owns a new table allocated with `alloc` (NULL: the incidents').
 * Bad options give TOLL_EINVAL naming the option and text.
 */
TOLL_API toll_status toll_summarize(const toll_incidents *incidents,
                                    const toll_summarize_options *opts,
                                    const toll_allocator *alloc,
                                    toll_table **out, toll_error *err);

#ifdef __cplusplus
}
#endif
#endif /* TOLL_SUMMARIZE_H */
