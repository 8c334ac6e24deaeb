/*
 * toll/link.h - linking reports of one incident that share no key.
 *
 * Two linkers (docs/linking.md):
 *
 *  - TOLL_LINK_AUTO, the probabilistic linker (toll_link_reports below): a
 *    Fellegi-Sunter model over blocked candidate pairs, fitted without
 *    labels (u from random pairs, m and the prior by EM), then a
 *    clustering that merges the strongest pairs first and never chains:
 *    an incident holds at most one node per source (by default), and
 *    every two of its nodes form a candidate pair at or above the lower
 *    threshold.  A node is a report, or all the reports that share an
 *    `incident` key (keys of presets are qualified by their dataset,
 *    "ucdp-ged:300380", so datasets never collide): keyed reports are
 *    linked too, as one node per key.
 *
 *  - TOLL_LINK_RULE, the earlier rule, for unkeyed reports only: two
 *    such reports are linked when
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
#include "link_compare.h"
#include "link_model.h"
#include "table.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct toll_incidents toll_incidents; /* toll/reconcile.h */

typedef enum toll_link_mode {
    TOLL_LINK_NONE = 0, /* an unkeyed report is an incident of its own */
    TOLL_LINK_AUTO,     /* the probabilistic linker (toll_link_reports) */
    TOLL_LINK_RULE      /* the earlier rule (above), unkeyed reports only */
} toll_link_mode;

#define TOLL_LINK_DEFAULT_DAYS 1
#define TOLL_LINK_DEFAULT_LEVEL 1  /* country/governorate: "Syria/Idlib" */
#define TOLL_LINK_FULL_PATH (-1)   /* link_region_level: the whole path */
#define TOLL_LINK_DEFAULT_MAX_SPAN 7 /* days; longer spans are "vague" */
#define TOLL_LINK_MAX_DAYS 36600   /* upper limit of link_days and
                                      link_max_span */

/* "none", "auto" or "rule" (static); "" for unknown values. */
TOLL_API const char *toll_link_mode_name(toll_link_mode mode);
/* Parse "none" / "auto" / "rule" (case-insensitive).  TOLL_EINVAL naming
 * the text. */
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

/* Number of links (0 unless reconciled with TOLL_LINK_RULE or
 * TOLL_LINK_AUTO).  With TOLL_LINK_AUTO a link is a merged pair of nodes
 * (report_a, report_b: each node's first report; region: the levels both
 * reports' regions share; n_shared_actors: the actors both reports name).
 * Links come in incident order, then by report_a, then report_b. */
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
 * With TOLL_LINK_AUTO one row per merged pair, a last column
 * match_probability, and an explanation naming each comparison's level
 * and weight, then the prior's weight and the probability:
 *   "a.csv:2 ~ b.csv:9: date 0 (+3.10), distance <1km (+6.02), ...,
 *    source different (+0.12), prior (-7.40): match probability 0.9981").
 * *out owns a new table allocated with `alloc` (NULL: the incidents').
 */
TOLL_API toll_status toll_incidents_links_table(
    const toll_incidents *incidents, const toll_allocator *alloc,
    toll_table **out, toll_error *err);


/* --- The probabilistic linker (TOLL_LINK_AUTO) -------------------------- */

typedef struct toll_reports toll_reports; /* toll/reports.h */

/* May one incident hold two nodes of the same source? */
typedef enum toll_link_same_source {
    TOLL_LINK_SAME_SOURCE_FORBID = 0, /* no (default): a source rarely
                                         reports one incident twice */
    TOLL_LINK_SAME_SOURCE_ALLOW       /* yes, when the model says so (a
                                         source's own updates of a toll) */
} toll_link_same_source;

/* "forbid" or "allow" (static); "" for unknown values. */
TOLL_API const char *toll_link_same_source_name(toll_link_same_source v);
/* Parse "forbid" / "allow" (case-insensitive).  TOLL_EINVAL naming the
 * text. */
TOLL_API toll_status toll_link_same_source_parse(const char *s,
                                                 toll_link_same_source *out,
                                                 toll_error *err);

#define TOLL_LINK_DEFAULT_WINDOW 2    /* days, +/- */
#define TOLL_LINK_DEFAULT_UPPER 0.9   /* merge at or above */
#define TOLL_LINK_DEFAULT_LOWER 0.5   /* below: never in one incident */

typedef struct toll_link_options {
    int window_days;     /* blocking: candidate pairs have spans within
                            this many days of each other (overlapping
                            spans are 0 apart); default 2; 0 ..
                            TOLL_LINK_MAX_DAYS */
    double upper;        /* pairs at or above this match probability are
                            merged (strongest first); default 0.9 */
    double lower;        /* every two nodes of an incident must have a
                            candidate pair at or above this; pairs in
                            [lower, upper) that are not merged are listed
                            for review; default 0.5.  0 < lower <= upper
                            < 1, else TOLL_EINVAL naming both */
    toll_link_same_source same_source; /* default forbid */
    int max_span;        /* a report whose span is longer than this many
                            days is not linked (an incident of its own,
                            or of its key); default 7; 0: no limit */
    const toll_link_model *model; /* NULL (default): fitted from the
                            reports being linked (toll_link_fit).  Else
                            used as given (borrowed for the call) */
    const toll_link_names *names; /* NULL: the default normalisation
                            table (borrowed for the call) */
    unsigned long long seed; /* random pairs for u; default 1.  The same
                            seed gives the same result */
    size_t threads;      /* 0 (default) auto; 1: one thread; N >= 2: two.
                            The result is the same either way */
} toll_link_options;

TOLL_API void toll_link_options_init(toll_link_options *opts);
/* The one check of the options, used by toll_link, toll_reconcile, the
 * CLI and Python: TOLL_EINVAL naming the field and its value. */
TOLL_API toll_status toll_link_options_check(const toll_link_options *opts,
                                             toll_error *err);

/* A labelled pair: reports (0-based, store order) and whether they
 * describe one incident. */
typedef struct toll_link_label {
    size_t report_a, report_b;
    int match;
} toll_link_label;

/*
 * Read a label's judgement: 1, true, yes, y or t is a match (*match = 1);
 * 0, false, no, n or f is not (*match = 0); in any case, surrounding
 * blanks ignored.  Anything else (empty included) is TOLL_EINVAL, err
 * naming the text.  The CLI's --link-labels file and Python's labels=
 * both read their match column through it.
 */
TOLL_API toll_status toll_link_label_match_parse(const char *text, int *match,
                                                 toll_error *err);

/*
 * Fit a model to `reports` without labels: u from random pairs (seeded),
 * m and the prior by expectation-maximisation over the blocked candidate
 * pairs, started from opts->model (NULL: the default model).  *out owns
 * the new model (alloc NULL: the store's allocator).
 */
TOLL_API toll_status toll_link_fit(const toll_reports *reports,
                                   const toll_link_options *opts,
                                   const toll_allocator *alloc,
                                   toll_link_model **out, toll_error *err);

/*
 * Fit m directly from labelled pairs (u from random pairs as above; the
 * prior from the share of matches among the labelled candidate pairs).
 * TOLL_EINVAL naming the label whose report is out of range, or when the
 * labels hold no match or no non-match.
 */
TOLL_API toll_status toll_link_fit_labelled(const toll_reports *reports,
                                            const toll_link_options *opts,
                                            const toll_link_label *labels,
                                            size_t n,
                                            const toll_allocator *alloc,
                                            toll_link_model **out,
                                            toll_error *err);

/* The result of linking: incidents assigned to reports, the scored
 * candidate pairs and the model used.  Opaque; owns everything it holds
 * (strings are copied from the store, so it may outlive it). */
typedef struct toll_links toll_links;

/*
 * Link every report of `reports` (opts NULL: defaults): block, fit the
 * model unless opts->model is given, score, cluster.  *out owns the new
 * links (alloc NULL: the store's allocator); free with toll_links_free.
 * `reports` is only read.
 */
TOLL_API toll_status toll_link_reports(const toll_reports *reports,
                                       const toll_link_options *opts,
                                       const toll_allocator *alloc,
                                       toll_links **out, toll_error *err);
/* Free.  Accepts NULL. */
TOLL_API void toll_links_free(toll_links *links);

/* The model the pairs were scored with (owned by `links`). */
TOLL_API const toll_link_model *toll_links_model(const toll_links *links);
/* Number of reports linked (the store's count when toll_link_reports ran). */
TOLL_API size_t toll_links_report_count(const toll_links *links);
/* Number of incidents the reports were put in. */
TOLL_API size_t toll_links_incident_count(const toll_links *links);
/* Number of scored candidate pairs. */
TOLL_API size_t toll_links_pair_count(const toll_links *links);

/*
 * One row per report, in store order.  Columns:
 *   report ("FILE:LINE"), id, source, incident (the assigned key: the
 *   report's own key, else the key of the first keyed node of its
 *   incident, else "auto:FILE:LINE" after its first report),
 *   match_probability (the weakest merged pair that holds the report's
 *   node in its incident; NaN for an incident of one node), status
 *   ("review": the report's node has a pair in [lower, upper) whose
 *   nodes are in different incidents; else "linked": its incident holds
 *   two or more nodes; else "single").
 * *out owns a new table (alloc NULL: the links' allocator).
 */
TOLL_API toll_status toll_links_assignments(const toll_links *links,
                                            const toll_allocator *alloc,
                                            toll_table **out,
                                            toll_error *err);

typedef enum toll_link_pairs_which {
    TOLL_LINK_PAIRS_ALL = 0, /* every scored candidate pair */
    TOLL_LINK_PAIRS_REVIEW,  /* pairs in [lower, upper) not merged */
    TOLL_LINK_PAIRS_MERGED   /* the pairs that merged nodes */
} toll_link_pairs_which;

/*
 * The scored candidate pairs, strongest first.  Columns:
 *   report_a, report_b ("FILE:LINE" of each node's first report), id_a,
 *   id_b, source_a, source_b, then for each comparison CMP (in
 *   toll_link_comparison order) CMP (the level's name) and CMP_weight
 *   (log2 m/u), then prior_weight (log2 prior/(1-prior)), weight (the
 *   total, prior included), match_probability, decision ("merged",
 *   "review", "below", "same incident": its nodes were already in one
 *   incident through stronger pairs, "same source": the two incidents
 *   share a source, "incompatible": merging would put two nodes below
 *   the lower threshold in one incident).
 * *out owns a new table (alloc NULL: the links' allocator).
 */
TOLL_API toll_status toll_links_pairs(const toll_links *links,
                                      toll_link_pairs_which which,
                                      const toll_allocator *alloc,
                                      toll_table **out, toll_error *err);

#ifdef __cplusplus
}
#endif
#endif /* TOLL_LINK_H */
