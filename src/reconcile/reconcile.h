/*
 * src/reconcile/reconcile.h - the incidents that reconcile builds
 * (struct toll_incidents): the interface later stages (summarize, stats)
 * read.
 */
#ifndef TOLL_SRC_RECONCILE_RECONCILE_H
#define TOLL_SRC_RECONCILE_RECONCILE_H

#include "store/store.h"

/* ---- incidents ----------------------------------------------------------- */

/* Per-(incident, category) cell flags */
#define TOLL__C_OPEN    0x01u
#define TOLL__C_DENIED  0x02u
#define TOLL__C_HAS_SELF 0x04u /* a self-report gives a known figure */
#define TOLL__C_KNOWN   0x08u  /* an included report gives a known figure */

/*
 * Derived values.  An incident's actor set (the union of its reports'
 * sets), its region (the common prefix of conflicting regions), the key
 * "auto:FILE:LINE" of a linked incident and the region prefixes of the
 * links are values the store may not have.  The incidents never write to
 * the store: they intern such values into pools of their own, and read
 * them through one id space that extends the store's as it was when they
 * were made:
 *   string id g < nstr: the store's string g; g >= nstr: own_strings'
 *     string g - nstr + 1;
 *   set id s < nsets: the store's actor set s; s >= nsets: own_sets' set
 *     s - nsets + 1, whose members are store string ids and whose label
 *     (own_sets.label) is a string id of this id space.
 * A derived value is looked up in the store first, so it has the id it
 * would have had in the store (one hash probe each; a value is interned
 * into the own pools only when the store lacks it, which is rare).  A later
 * load only appends to the store (a failed strict load removes only what
 * it added), so the store's ids below nstr / nsets keep their values and
 * the incidents keep reading exactly the reports they were made from.
 * Read incident regions, actors, keys and link regions only through the
 * toll__inc_* accessors below.
 */

/* What a later stage caches on the incidents (src/summarize/kernel.c):
 * the object starts with this header, whose destroy frees it. */
typedef struct toll__incext toll__incext;
struct toll__incext {
    void (*destroy)(const toll_allocator *a, toll__incext *self);
};

/* A mutable cell allocated with the incidents (a block of its own, so a
 * const toll_incidents * reaches it without a cast).  The pointer is
 * written once (NULL -> object) by an atomic compare-and-swap and read
 * with acquire loads; toll_incidents_free destroys the object. */
typedef struct toll__incext_cell {
    toll__incext *summarize; /* key codes of toll_summarize */
} toll__incext_cell;

struct toll_incidents {
    toll_allocator alloc;
    const toll_reports *reports;
    toll_reconcile_options opts;

    size_t nstr;              /* store strings when made (see above) */
    size_t nsets;             /* store actor sets when made */
    size_t ncategories;       /* store categories when made */
    toll__strpool own_strings;/* derived strings the store lacks */
    toll__setpool own_sets;   /* derived actor sets the store lacks */
    toll__incext_cell *ext;   /* caches of later stages */

    size_t n;                 /* incidents */
    uint32_t *key;            /* incident key string id (toll__inc_str),
                                 0 = unkeyed */
    uint32_t *first_report;   /* report index of the first report */
    uint32_t *r_begin;        /* into report_idx */
    uint32_t *r_count;        /* reports of the incident */
    uint32_t *report_idx;     /* flattened report indices (len = nidx) */
    size_t nidx;              /* elements of report_idx: the reports, or 0
                                 for incidents made from rows
                                 (toll__reconcile_rows: no report_idx) */
    uint32_t *n_sources;      /* distinct non-self sources */
    uint32_t *region;         /* string id of the reconciled region (the
                                 incidents' id space: toll__inc_str) */
    int32_t *date_start, *date_end;
    uint32_t *actors;         /* actor set id: union of reports' actors
                                 (the incidents' id space: toll__inc_set_*) */
    uint8_t *grade;           /* toll_grade */
    uint8_t *flags;           /* TOLL_FLAG_* */
    uint32_t *c_begin;        /* first cell of incident i */
    uint16_t *c_count;

    size_t nc;                /* cells, grouped by incident */
    uint32_t *c_category;     /* string id */
    int64_t *c_low, *c_high;  /* bounds over included reports (high finite) */
    double *c_best;
    uint8_t *c_flags;         /* TOLL__C_* */
    uint32_t *c_low_report, *c_high_report; /* report indices */
    uint32_t *c_n_reports;    /* reports giving a known value (included) */
    int64_t *c_self_low, *c_self_high;      /* party's own figure, -1 none */
    double *c_self_best;
    uint32_t *c_self_report;  /* report index, UINT32_MAX none */
};

/* ---- incidents from rows (src/summarize/stream.c) ------------------------ */

/* One row of an incident as the rules of reconcile read it: a report, or a
 * row standing for several reports. */
typedef struct toll__rrow {
    uint32_t actors;       /* actor set id (0: none) */
    uint32_t source;       /* string id; UINT32_MAX: no source (a row that
                              gives place and time only) */
    uint32_t source_actor; /* string id (0: none) */
    uint32_t region;       /* string id (0: none) */
    int32_t date_start, date_end; /* TOLL_NO_DATE when absent */
    const toll__qcell *q;  /* its quantity cells, q_count of them */
    size_t q_count;
} toll__rrow;

/* The rows of incident c into *rows[0..*n) (valid until the next call). */
typedef toll_status (*toll__rows_fn)(void *ctx, size_t c,
                                     const toll__rrow **rows, size_t *n,
                                     toll_error *err);

/*
 * Reconcile n incidents given by their rows rather than by the reports of
 * the store `r` (whose strings, actor sets and categories the rows name;
 * its report rows are not read), under the rules of toll_reconcile
 * (src/reconcile/reconcile.c, the one home of them).  The rules read an
 * incident's rows as sets: the union of the actor sets, the distinct
 * sources of rows that are not self-reports, whether those rows name
 * different actor sets, the regions, the dates; so rows with the same
 * values may stand for several reports.  Quantities are the exception:
 * each report's cell must be among the rows' cells (the median of the
 * best figures, the count of known figures).  key[c] and r_count[c] (the
 * reports of incident c) are copied.  The incidents have no report
 * indices (report_idx, first_report, the cells' reports: none), and
 * linking is not done (opts->link must be none: TOLL_EINVAL).
 */
toll_status toll__reconcile_rows(const toll_reports *r,
                                 const toll_reconcile_options *opts,
                                 const toll_allocator *alloc, size_t n,
                                 const uint32_t *key, const uint32_t *r_count,
                                 toll__rows_fn rows, void *ctx,
                                 toll_incidents **out, toll_error *err);

/* ---- the incidents' id space (see "Derived values" above) ---------------- */

/* Strings: ids 0 .. toll__inc_nstrings(inc) - 1. */
static inline size_t toll__inc_nstrings(const toll_incidents *inc)
{
    return inc->nstr + inc->own_strings.count - 1;
}
static inline const char *toll__inc_str(const toll_incidents *inc,
                                        uint32_t id)
{
    return id < inc->nstr
               ? toll__str(&inc->reports->strings, id)
               : toll__str(&inc->own_strings, (uint32_t)(id - inc->nstr + 1));
}
static inline size_t toll__inc_strlen(const toll_incidents *inc, uint32_t id)
{
    return id < inc->nstr
               ? toll__strlen(&inc->reports->strings, id)
               : toll__strlen(&inc->own_strings,
                              (uint32_t)(id - inc->nstr + 1));
}
/* Look up s[0..len): 1 and *id when the incidents' id space has it. */
int toll__inc_find(const toll_incidents *inc, const char *s, size_t len,
                   uint32_t *id);

/* Actor sets: ids 0 .. toll__inc_nsets(inc) - 1. */
static inline size_t toll__inc_nsets(const toll_incidents *inc)
{
    return inc->nsets + inc->own_sets.count - 1;
}
static inline const toll__setpool *toll__inc_setpool(const toll_incidents *inc,
                                                     uint32_t *set)
{
    if (*set < inc->nsets)
        return &inc->reports->actor_sets;
    *set = (uint32_t)(*set - inc->nsets + 1);
    return &inc->own_sets;
}
static inline size_t toll__inc_set_size(const toll_incidents *inc,
                                        uint32_t set)
{
    const toll__setpool *p = toll__inc_setpool(inc, &set);
    return toll__set_size(p, set);
}
/* Members: store string ids, sorted by name. */
static inline const uint32_t *toll__inc_set_members(const toll_incidents *inc,
                                                    uint32_t set)
{
    const toll__setpool *p = toll__inc_setpool(inc, &set);
    return toll__set_members(p, set);
}
/* String id (toll__inc_str) of the label "A + B". */
static inline uint32_t toll__inc_set_label(const toll_incidents *inc,
                                           uint32_t set)
{
    const toll__setpool *p = toll__inc_setpool(inc, &set);
    return p->label[set];
}
static inline int toll__inc_set_contains(const toll_incidents *inc,
                                         uint32_t set, uint32_t s)
{
    const toll__setpool *p = toll__inc_setpool(inc, &set);
    return toll__set_contains(p, set, s);
}

/* Intern s[0..len) into the incidents' id space (reconcile only: the store
 * first, else own_strings). */
toll_status toll__inc_intern(toll_incidents *inc, const char *s, size_t len,
                             uint32_t *id);

/* Row i of string column j of a table = string `id` of the incidents' id
 * space (0: missing); src/reconcile/incidents_table.c. */
toll_status toll__inc_put_id(toll_table *t, size_t j, size_t i,
                             const toll_incidents *inc, uint32_t id);

#endif /* TOLL_SRC_RECONCILE_RECONCILE_H */
