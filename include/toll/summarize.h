/*
 * toll/summarize.h - aggregate reconciled incidents into tables by actor,
 * region, period, category and grade.
 */
#ifndef TOLL_SUMMARIZE_H
#define TOLL_SUMMARIZE_H

#include "common.h"
#include "date.h"
#include "intervals.h"
#include "reconcile.h"
#include "reports.h"
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
    TOLL_SPAN_PRORATE    /* low, best and high split across periods in
                            proportion to days; date-conflicted incidents
                            count where they start (docs/aggregation.md) */
} toll_span;

TOLL_API toll_status toll_attribution_parse(const char *s,
                                            toll_attribution *out,
                                            toll_error *err);
TOLL_API toll_status toll_span_parse(const char *s, toll_span *out,
                                     toll_error *err);
TOLL_API const char *toll_attribution_name(toll_attribution a);
TOLL_API const char *toll_span_name(toll_span s);

/* ---- group keys and where items as structs ---------------------------- */

/* Most group keys in one summary. */
#define TOLL_SUMMARIZE_MAX_KEYS 8

typedef enum toll_key_kind {
    TOLL_KEY_ACTOR = 0,
    TOLL_KEY_REGION,   /* levels: see toll_group_key */
    TOLL_KEY_PERIOD,   /* unit: see toll_group_key */
    TOLL_KEY_CATEGORY,
    TOLL_KEY_GRADE,
    TOLL_KEY_FIELD     /* a kept field, named by field/field_len */
} toll_key_kind;

/* One group key.  Only the members of its kind are read. */
typedef struct toll_group_key {
    toll_key_kind kind;
    int levels;            /* REGION: the first `levels` levels (the text
                              form region:K is K + 1); 0: the whole path */
    toll_period_unit unit; /* PERIOD */
    const char *field;     /* FIELD: the kept field's name, field_len bytes
                              (need not be NUL-terminated); borrowed */
    size_t field_len;
} toll_group_key;

/* One filter on a kept field: incidents whose field `field` has the value
 * `value` (ASCII case-insensitive; value_len 0: incidents without the
 * field).  Both texts are borrowed and need not be NUL-terminated. */
typedef struct toll_where_item {
    const char *field;
    size_t field_len;
    const char *value;
    size_t value_len;
} toll_where_item;

/*
 * Parse the text form of `by` ("actor,period:month,region:1", the
 * toll_summarize_options.by syntax) into keys[0..*n_keys), at most `cap`
 * keys.  Nothing is allocated: the field of a kept-field key points into
 * `text`, which must outlive the keys.  NULL or blank text gives no keys.
 * TOLL_EINVAL names the option "by" and the offending text (an unknown
 * key, a bad unit or level, a key given twice, more than `cap` keys).
 * Kept-field names are checked against the reports by toll_summarize.
 */
TOLL_API toll_status toll_summarize_by_parse(const char *text,
                                             toll_group_key *keys, size_t cap,
                                             size_t *n_keys, toll_error *err);

/*
 * Parse one where item "FIELD=VALUE" (blanks around either part are
 * dropped; "FIELD=" keeps incidents without the field) into *out, whose
 * texts point into `item` (which must outlive it).  TOLL_EINVAL names the
 * option "where" and the item when it has no '=' or no field name.
 */
TOLL_API toll_status toll_summarize_where_parse(const char *item,
                                                toll_where_item *out,
                                                toll_error *err);

typedef struct toll_summarize_options {
    /* Group keys, comma-separated: actor, region, region:K,
     * period:day|week|month|quarter|year, category, grade, or the name of
     * a kept field (type_of_violence), or keep:NAME for a kept field named
     * as a key (keep:region: GED's own region column; the key column is
     * then keep:NAME too; at most 8 keys).  NULL or "" : one row for
     * everything. */
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
    const char *const *actors;    /* keep incidents naming any of these,
                                     matched by actor identity (any case,
                                     white space collapsed, NFKC; README);
                                     "unknown": incidents without actors */
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
     * field are alternatives, items on different fields must all hold.
     * The field "actor" (any case) is not a kept field: its items are
     * names for the actor filter, as `actors` (with it: any of them). */
    const char *const *where;
    size_t n_where;
    /* The same as structs (all optional; init leaves them NULL / 0):
     * keys[0..n_keys) instead of `by`, where_items[0..n_where_items)
     * instead of `where` (toll_summarize_by_parse and
     * toll_summarize_where_parse turn the text forms into these).  Giving
     * a form as text and as structs at once is TOLL_EINVAL naming both. */
    const toll_group_key *keys;
    size_t n_keys;
    const toll_where_item *where_items;
    size_t n_where_items;
    /* Grades that come from the data (kept field data_grade, e.g.
     * Airwars' grading): keep incidents graded this or stronger on
     * confirmed > fair > weak > contested > discounted.  NULL: no filter. */
    const char *min_data_grade;
    /* Most rows the summary may have (init: TOLL_SUMMARIZE_DEFAULT_MAX_ROWS;
     * 0 means the default too).  A summary that would have more stops
     * with TOLL_ERANGE naming the keys and the limit (field "max_rows"),
     * before it allocates the rows: under span prorate already at an
     * incident whose span alone covers more periods than this
     * (docs/aggregation.md). */
    size_t max_rows;
} toll_summarize_options;

/* The default of toll_summarize_options.max_rows. */
#define TOLL_SUMMARIZE_DEFAULT_MAX_ROWS ((size_t)10000000)

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
 * prorate; every row has low <= best <= high, and so do its quantiles).
 * Rows are sorted by the keys (periods chronologically).
 * Incidents with no date are grouped under an empty period; with no region
 * under an empty region; with no actor under "unknown".
 * *out owns a new table allocated with `alloc` (NULL: the incidents').
 * Bad options give TOLL_EINVAL naming the option and text.  Totals are
 * checked: a low, best or high (or interval bound) of a row beyond 2^53
 * (9,007,199,254,740,992, where doubles stop counting exactly) gives
 * TOLL_ERANGE naming the row's keys and the column, not a rounded number;
 * more rows than max_rows give TOLL_ERANGE (field "max_rows").
 */
TOLL_API toll_status toll_summarize(const toll_incidents *incidents,
                                    const toll_summarize_options *opts,
                                    const toll_allocator *alloc,
                                    toll_table **out, toll_error *err);

/*
 * Merge two summaries of disjoint sets of incidents into the summary of
 * their union (docs/scaling.md): rows with the same keys are added
 * column by column, a row whose keys only one table has is carried over,
 * and the rows come in the order toll_summarize gives (by the keys,
 * periods chronologically).  With integral low, best and high (attribution
 * joint or each, span start) the result equals the summary of the union
 * cell for cell; with attribution split or span prorate the sums of
 * fractions may differ from it in the last bits of a double (they are
 * added in another order).  Partial summaries can be merged in any order
 * and grouping: the result is the same (up to those last bits).
 *
 * Both tables must come from toll_summarize (or from this function) with
 * the same keys, columns and options (the caption: category, policy,
 * attribution, span, filters); anything else is TOLL_EINVAL naming what
 * differs (field "by", "caption" or the column).  Only columns whose rows
 * are sums over incidents can be merged: a summary with the quantile
 * columns of an interval (q025, q500, q975, q_engine) is TOLL_EINVAL
 * naming the column - summarize the partitions without an interval.
 * Attribution "each" merges (each row is a sum over its incidents; the
 * result is non-additive across rows, as the inputs).  A sum beyond the
 * range of its column (2^53 for low, best and high) is TOLL_ERANGE, as
 * toll_summarize reports it.
 *
 * toll cannot tell whether the two tables counted an incident twice: the
 * caller partitions the reports so that all the reports of an incident
 * are in one part (by incident key; by country and month when linking).
 *
 * a and b are only read (the caller keeps them); *out owns a new table
 * allocated with `alloc` (NULL: a's allocator), with a's caption and the
 * warnings of both (each once).  On failure *out is NULL.
 */
TOLL_API toll_status toll_table_merge(const toll_table *a,
                                      const toll_table *b,
                                      const toll_allocator *alloc,
                                      toll_table **out, toll_error *err);

/* ---- the one-pass summary (docs/scaling.md) ----------------------------- */

/* Reports per chunk of toll_summarize_stream unless told otherwise. */
#define TOLL_STREAM_DEFAULT_CHUNK ((size_t)65536)
/* The fewest incidents per batch of toll_summarize_stream unless told
 * otherwise (toll_stream_options.batch). */
#define TOLL_STREAM_MIN_BATCH ((size_t)65536)

typedef struct toll_stream_options {
    /* Reports read into the store before they are folded into the
     * incidents' state and dropped (init: TOLL_STREAM_DEFAULT_CHUNK; 0
     * means the default too). */
    size_t chunk;
    /* Incidents reconciled and summarized at a time at the end (init 0:
     * a sixteenth of the incidents, and at least TOLL_STREAM_MIN_BATCH):
     * each batch's summary is merged into the result (toll_table_merge),
     * so that the reconciled incidents of one batch are held beside the
     * state at a time, not those of all.  The table is the same for any
     * batch, to the bit: where merged sums could differ in the last bits
     * of a double (attribution split, span prorate, figures that are not
     * multiples of 1/1024) or cannot be merged (an interval), or where the
     * merged table breaks a limit (max_rows), all the incidents are one
     * batch. */
    size_t batch;
    /* Called (when not NULL) after each input is read, whether or not the
     * read succeeded, with the store the inputs are read into (it holds no
     * reports then: read its rejects and warnings, toll_reports_reject and
     * toll_reports_warning; borrowed for the call) and the input's path
     * (NULL: standard input).  ctx is passed through. */
    void (*on_input)(const toll_reports *reports, const char *path,
                     void *ctx);
    /* Called (when not NULL) with each chunk, after it is folded and
     * before its rows are dropped: the store holds the chunk's reports
     * and their repairs (toll_reports_repair; borrowed for the call). */
    void (*on_chunk)(const toll_reports *reports, void *ctx);
    void *ctx; /* passed to on_input and on_chunk */
} toll_stream_options;

TOLL_API void toll_stream_options_init(toll_stream_options *opts);

/*
 * The one-pass summary: the summary toll_summarize would give of the
 * incidents toll_reconcile makes of the reports of paths[0..n_paths)
 * (loaded in turn with `load`, as toll_reports_load_file does; a NULL path
 * reads standard input), without keeping the reports.  Each input is read
 * in chunks of reports into a store that is cleared between chunks
 * (toll_reports_load_chunked); each chunk is folded into per-incident
 * state found by the incident key (the input need not be grouped by
 * incident), and at the end the state is reconciled by the rules of
 * toll_reconcile and summarized by toll_summarize, a batch of incidents
 * at a time (sopts->batch).  The table (rows, columns, caption, warnings
 * of the summary) is the one those give.
 *
 * Memory is that of the incidents, the distinct strings and the distinct
 * figures of each incident (the best figure of an incident is the median
 * of its reports', so each distinct figure is kept with its count), not
 * that of the reports: provenance is reduced to what the summary needs.  Not kept: each report's identity (file, line, id,
 * url, note, location, coordinates, source kind), the kept fields
 * (columns that are not report fields); the repairs made while loading
 * are there for on_chunk only.
 *
 * What one pass cannot do is refused with TOLL_EINVAL naming the option:
 * linking (rec->link rule or auto, field "link"), and everything that
 * reads kept fields: a kept field in opts->by or opts->keys (field "by"),
 * where items on a field other than "actor" (field "where"),
 * min_data_grade.  rec and opts may be NULL (defaults); sopts may be NULL
 * (toll_stream_options_init).
 *
 * Bad input fails as the load would (file, line, field and text named in
 * err); a failed call leaves nothing behind (no table, no state).  *out
 * owns a new table allocated with `alloc` (NULL: the default allocator),
 * which also allocates the state; NULL on failure.
 */
TOLL_API toll_status toll_summarize_stream(const char *const *paths,
                                           size_t n_paths,
                                           const toll_load_options *load,
                                           const toll_reconcile_options *rec,
                                           const toll_summarize_options *opts,
                                           const toll_stream_options *sopts,
                                           const toll_allocator *alloc,
                                           toll_table **out, toll_error *err);

#ifdef __cplusplus
}
#endif
#endif /* TOLL_SUMMARIZE_H */
