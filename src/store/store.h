/*
 * src/store/store.h - the columnar report store (struct toll_reports).
 * The columns are the store's interface: later stages read them directly;
 * only the store's own functions and the loaders (through
 * toll__reports_append and toll__reports_merge) write them.
 */
#ifndef TOLL_SRC_STORE_STORE_H
#define TOLL_SRC_STORE_STORE_H

#include "base/base.h"

#include <math.h> /* signbit */

/* ---- the report store ---------------------------------------------------- */

/* A quantity as stored: low < 0 means unknown; high == TOLL_OPEN open. */
typedef struct toll__qcell {
    uint32_t category; /* string id ("killed") */
    int64_t low;       /* -1: unknown */
    int64_t high;      /* TOLL_OPEN: open */
    double best;
} toll__qcell;

/*
 * One kept field (a column no map, preset or option reads: unknown keys,
 * preset fields like type_of_violence).  Its name is interned; its value is
 * not: it is `len` bytes of the store's kept text, copied as read (CSV
 * unquoted, JSON arrays and objects compacted), the values of a report one
 * after the other from toll_reports.x_text[report].  The kept text is held
 * in chunks: loads append to the open one (toll_reports.xtext); a merge
 * (the second part of a split load) moves the other store's chunks in
 * rather than copying them.
 * Loading a kept field thus costs a copy, no hashing; a value becomes a
 * string only where it is read (toll__kept_next, toll__reports_kept_value),
 * and readers that want ids intern one column at once into a pool of
 * their own (src/summarize/kept.c).
 */
typedef struct toll__kv {
    uint32_t key; /* string id of the field's name */
    uint32_t len; /* bytes of the value (never 0: empty values are not kept) */
} toll__kv;

/* A sealed chunk of kept text. */
typedef struct toll__xchunk {
    char *p;
    size_t len, cap;
} toll__xchunk;

/* toll_reports.x_text: the chunk (high 24 bits) and the offset in it. */
#define TOLL__XT_BITS 40
#define TOLL__XT(chunk, off) (((uint64_t)(chunk) << TOLL__XT_BITS) | (off))
#define TOLL__XT_CHUNK(v) ((size_t)((v) >> TOLL__XT_BITS))
#define TOLL__XT_OFF(v) ((size_t)((v) & (((uint64_t)1 << TOLL__XT_BITS) - 1)))

/* A row to append, already parsed and interned. */
typedef struct toll__row {
    uint32_t incident;     /* string id; 0: none (own incident) */
    uint32_t source;       /* string id; required (non-zero) */
    uint8_t source_kind;   /* toll_source_kind */
    uint32_t source_actor; /* string id; 0 none */
    int32_t date_start, date_end; /* TOLL_NO_DATE when absent */
    uint32_t region;       /* string id of the normalised path "A/B/C" */
    uint32_t actors;       /* actor set id (0 = none given) */
    uint32_t id, url, note;/* string ids, 0 none */
    double lat, lon;       /* WGS84 degrees; NaN when none */
    uint32_t location;     /* string id of the place name, 0 none */
    float precision_km;    /* radius of the coordinates in km; 0 when not
                              stated (see toll__precision_stated) */
    uint32_t file;         /* string id of the input name */
    uint32_t line;         /* 1-based line (or record number + 1) */
    uint32_t line_rec;     /* 1-based record number when the record starts
                              on the line where the previous one ends (a
                              minified JSON array), else 0 */
    const toll__qcell *q;  size_t nq;
    const toll__kv *x;     size_t nx;
    const char *xtext;     /* the values of x[0..nx), one after the other
                              (their lens summed); may be the text staged
                              by toll__reports_xtext_stage */
} toll__row;

/* One repair of one report: `value` is the interned text
 * "RECORD\x1fFIELD\x1fTEXT\x1fMESSAGE" (see toll_reports_repair). */
typedef struct toll__repair {
    uint32_t report; /* report index */
    uint32_t value;  /* string id */
} toll__repair;

struct toll_reports {
    toll_allocator alloc;
    toll__strpool strings;
    toll__setpool actor_sets;

    /* Actor identity: the keys of the actor names (toll__actor_fold) and,
     * per key id, the string id of the first spelling of that key, which
     * every actor name with the key is stored as (in actor sets and in
     * source_actor); see toll__reports_intern_actor. */
    toll__strpool actor_keys;
    uint32_t *actor_first;
    size_t actor_first_cap;

    size_t n, cap;          /* reports */
    uint32_t *incident;
    uint32_t *source;
    uint8_t *source_kind;
    uint32_t *source_actor;
    int32_t *date_start, *date_end;
    uint32_t *region;
    uint32_t *actors;
    uint32_t *id, *url, *note;
                            /* source_actor, id, url, note: NULL while every
                               report has none (allocated, zeroed, at the
                               first value): read them through
                               toll__reports_opt */
    double *lat, *lon;      /* WGS84 degrees; NaN when none (both or
                               neither) */
    uint32_t *location;     /* string id of the place name, 0 none */
    float *precision_km;    /* radius within which lat/lon are known, km;
                               0 when not stated (toll__precision_stated) */
    uint32_t *file, *line;
    uint32_t *line_rec;     /* toll__row.line_rec */
    uint32_t *q_begin;      /* first quantity of report i */
    uint16_t *q_count;
    uint32_t *x_begin;      /* first extra of report i */
    uint16_t *x_count;
    uint64_t *x_text;       /* where report i's first value is:
                               TOLL__XT_CHUNK and TOLL__XT_OFF */

    size_t nq, q_cap;       /* quantity cells, in report order */
    toll__qcell *q;

    size_t nx, x_cap;       /* extra fields, in report order */
    toll__kv *x;

    /* the kept fields' values (toll__kv): chunks 0 .. nxchunks-1 are
     * sealed (xchunk), chunk nxchunks is the open one (xtext) */
    struct toll__xchunk *xchunk;
    size_t nxchunks, xchunks_cap;
    size_t nxtext, xtext_cap;
    char *xtext;

    /* distinct categories, first-seen order (string ids) */
    uint32_t *categories;
    size_t ncategories, categories_cap;

    /* rejects of the last lenient load */
    toll_error *rejects;
    size_t nrejects, rejects_cap;

    /* warnings of the last load (toll_reports_warning) */
    toll_error *warnings;
    size_t nwarnings, warnings_cap;

    /* repairs made while loading (toll_load_options.repair), in report
     * order; they stay with their reports */
    toll__repair *repairs;
    size_t nrepairs, repairs_cap;
};

/*
 * precision_km: 0 when not stated, which every reader of the radius takes
 * as it comes (an exact place).  A stated radius of 0 (an exact place, UCDP
 * where_prec 1) is stored as TOLL__PRECISION_ZERO, -0.0f: equal to 0 for
 * every comparison and sum, and told apart from "not stated" by its sign,
 * so that the reports table can show NaN for a radius not stated.
 */
#define TOLL__PRECISION_ZERO (-0.0f)
static inline float toll__precision_store(double km)
{
    return km == 0 ? TOLL__PRECISION_ZERO : (float)km;
}
static inline int toll__precision_stated(float km)
{
    return km != 0 || signbit(km);
}

/* Report i's string id in an optional column (source_actor, id, url,
 * note): 0 when the column is not allocated (no report has a value). */
static inline uint32_t toll__reports_opt(const uint32_t *col, size_t i)
{
    return col ? col[i] : 0;
}

/* A checkpoint of the store, for rollback of a failed strict load. */
typedef struct toll__mark {
    size_t n, nq, nx, nxchunks, nxtext, ncategories, nstrings, nsets,
        nrepairs, nactor_keys;
} toll__mark;

/* ---- kept fields: the one way their values are read ---------------------- */

/* The kept fields of one report, in order (toll__kept_begin). */
typedef struct toll__kept_iter {
    const toll__kv *kv, *end;
    const char *s; /* the value of *kv */
} toll__kept_iter;

static inline void toll__kept_begin(const toll_reports *r, size_t rep,
                                    toll__kept_iter *it)
{
    uint64_t v = r->x_text[rep];
    size_t c = TOLL__XT_CHUNK(v);
    const char *base = c == r->nxchunks ? r->xtext : r->xchunk[c].p;
    if (!r->x) { /* no kept field in the store */
        it->kv = it->end = NULL;
        it->s = NULL;
        return;
    }
    it->kv = r->x + r->x_begin[rep];
    it->end = it->kv + r->x_count[rep];
    it->s = base ? base + TOLL__XT_OFF(v) : NULL;
}
/* 1 and the next field (*key its name's string id, s[0..len) its value,
 * not NUL-terminated); 0 past the last. */
static inline int toll__kept_next(toll__kept_iter *it, uint32_t *key,
                                  const char **s, size_t *len)
{
    if (it->kv == it->end)
        return 0;
    *key = it->kv->key;
    *s = it->s;
    *len = it->kv->len;
    it->s += it->kv->len;
    it->kv++;
    return 1;
}
/* 1 when report rep keeps the field named by string id `key`, with its
 * value s[0..len); else 0. */
static inline int toll__reports_kept_value(const toll_reports *r, size_t rep,
                                           uint32_t key, const char **s,
                                           size_t *len)
{
    toll__kept_iter it;
    uint32_t k;
    toll__kept_begin(r, rep, &it);
    while (toll__kept_next(&it, &k, s, len))
        if (k == key)
            return 1;
    return 0;
}
/*
 * Stage the kept text of a row being built: room for `len` more bytes after
 * the `used` bytes already staged, at the end of r->xtext (so that appending
 * the row copies nothing: toll__row.xtext = r->xtext + r->nxtext).  The
 * pointer stays valid until the store's next change.  NULL: out of memory
 * (or the text would pass 2^32 bytes in one row, 2^40 in one chunk).
 */
char *toll__reports_xtext_stage(toll_reports *r, size_t used, size_t len);

void toll__reports_mark(const toll_reports *r, toll__mark *m);
/* Drop every report row (quantities, kept fields and text, repairs with
 * them); the strings, actor sets and categories stay, so ids already given
 * keep their values (a load in chunks, src/io/load.c). */
void toll__reports_drop_rows(toll_reports *r);
void toll__reports_rollback(toll_reports *r, const toll__mark *m);
/* Allocate the optional column *col (source_actor, id, url or note; all
 * zero) for the store's capacity, unless it is allocated or there is no
 * capacity yet.  TOLL_ENOMEM. */
toll_status toll__reports_opt_column(toll_reports *r, uint32_t **col);
/* Append one validated row (copies q, x and x's text).  On ENOMEM the
 * store is as before. */
toll_status toll__reports_append(toll_reports *r, const toll__row *row,
                                 toll_error *err);
/*
 * Intern the actor name s[0..len) (trimmed) by its identity: *id is the
 * string id of the first spelling interned with the same key
 * (toll__actor_fold), s itself when the key is new.  The one way actor
 * names (actor sets' members, source_actor) enter the store, so that
 * comparing actors is comparing string ids.  TOLL_ENOMEM or TOLL_ERANGE:
 * the store may hold new strings, no new key.
 */
toll_status toll__reports_intern_actor(toll_reports *r, const char *s,
                                       size_t len, uint32_t *id);
/* The same with the key already made: key[0..klen) is the key of the
 * spelling s[0..len). */
toll_status toll__reports_intern_actor_key(toll_reports *r, const char *key,
                                           size_t klen, const char *s,
                                           size_t len, uint32_t *id);
/*
 * Find the actor that the name s[0..len) (e.g. typed in a filter) is:
 * *found = 1 and *id the string id of its first spelling, or *found = 0
 * and *id 0.  `a` allocates the key while it is made.  TOLL_ENOMEM.
 */
toll_status toll__reports_find_actor(const toll_reports *r,
                                     const toll_allocator *a, const char *s,
                                     size_t len, uint32_t *id, int *found);
/* Record a rejected record (lenient mode). */
toll_status toll__reports_add_reject(toll_reports *r, const toll_error *e);
void toll__reports_clear_rejects(toll_reports *r);
/* Append the location of report `rep` to b: "FILE:LINE", or
 * "FILE:LINE#RECORD" when the record starts on the line where the
 * previous one ends (several records on one line); "LINE" without a
 * file.  The one form of a
 * report's location: report columns and names of keyless incidents. */
toll_status toll__reports_locate(const toll_reports *r, size_t rep,
                                 toll__buf *b);
/* Record a warning of the load in progress; cleared when a load begins. */
toll_status toll__reports_add_warning(toll_reports *r, const toll_error *e);
void toll__reports_clear_warnings(toll_reports *r);
/*
 * The rule "no report carries any casualty category" for reports
 * [first, last): *applies = 1 when there is at least one and none of them
 * gives a figure for any category; *out (code TOLL_OK, file `file`, may be
 * NULL) then says so, lists the first kept fields of those reports and
 * suggests a column map.  Loads (src/io/load.c) and summaries
 * (src/summarize/summarize.c) warn with it.  TOLL_ENOMEM only.
 */
toll_status toll__reports_no_category(const toll_reports *r, size_t first,
                                      size_t last, const char *file,
                                      int *applies, toll_error *out);
/* Record a repair (string id `value`) of report `report`. */
toll_status toll__reports_add_repair(toll_reports *r, uint32_t report,
                                     uint32_t value);
/* Room for n reports, nq quantity cells, nx extras in all (rows written
 * directly by a merge; `n` etc. unchanged).  TOLL_ENOMEM: as before. */
toll_status toll__reports_reserve(toll_reports *r, size_t n, size_t nq,
                                  size_t nx);

/*
 * Merge store `b` (loaded from the part of a split load after the one loaded into `r`)
 * into `r`: strings and actor sets re-interned in b's id order, reports,
 * quantities, extras, categories, repairs and rejects appended, b's kept
 * text moved to r (not copied: b is left without it, to be freed); record
 * numbers of b's repairs and rejects moved on by `rec_off`.  With
 * `two_threads` a helper thread copies the unmapped columns and maps the
 * fresh pages while this one re-interns the strings, then the mapped
 * columns are copied by this thread and one more (one thread when a
 * thread cannot be started).  *conflict set
 * (and nothing merged) when a repair text of b is also used as another
 * value (the merge could not tell them apart), or when an actor of b is
 * one of r's spelled otherwise (a one-thread load would have stored b's
 * spellings as r's).  TOLL_ENOMEM: r may hold
 * new strings and rows past its count (roll back to a mark).
 */
toll_status toll__reports_merge(toll_reports *r, toll_reports *b,
                                long rec_off, int two_threads,
                                int *conflict);

#endif /* TOLL_SRC_STORE_STORE_H */
