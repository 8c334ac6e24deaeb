/*
 * src/internal.h - private declarations shared by toll's modules.
 * Nothing here is public API.  Internal names use the toll__ prefix.
 *
 * Memory: every object carries a copy of its toll_allocator; all memory goes
 * through toll__alloc / toll__realloc / toll__free with that allocator.
 * Errors: functions return toll_status and fill toll_error via toll__seterr.
 */
#ifndef TOLL_INTERNAL_H
#define TOLL_INTERNAL_H

#include "toll/toll.h"

#include <stdarg.h>
#include <stdbool.h>
#include <string.h>

/* ---- allocation ------------------------------------------------------- */

/* Copy `a` (or the default allocator if NULL) into *dst. */
void toll__alloc_init(toll_allocator *dst, const toll_allocator *a);
void *toll__alloc(const toll_allocator *a, size_t size);
void *toll__calloc(const toll_allocator *a, size_t n, size_t size);
void *toll__realloc(const toll_allocator *a, void *p, size_t old_size,
                    size_t new_size);
void toll__free(const toll_allocator *a, void *p, size_t size);
/* Duplicate `len` bytes of `s` plus a NUL. */
char *toll__strndup(const toll_allocator *a, const char *s, size_t len);

/*
 * Grow the array *data (element size `elem`, capacity *cap) so it holds at
 * least `need` elements.  Doubles the capacity.  On failure returns
 * TOLL_ENOMEM and leaves *data and *cap unchanged.  Overflow-checked.
 */
toll_status toll__grow(const toll_allocator *a, void **data, size_t *cap,
                       size_t need, size_t elem);

/* A growable byte buffer (used by renderers and readers). */
typedef struct toll__buf {
    char *data;
    size_t len, cap;
    const toll_allocator *alloc;
} toll__buf;
void toll__buf_init(toll__buf *b, const toll_allocator *a);
toll_status toll__buf_append(toll__buf *b, const char *s, size_t len);
toll_status toll__buf_appendf(toll__buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
toll_status toll__buf_putc(toll__buf *b, char c);
void toll__buf_free(toll__buf *b);

/* ---- errors ----------------------------------------------------------- */

/*
 * Fill `err` (may be NULL) and return `code`.  `file` may be NULL; line 0
 * and record -1 mean "not applicable"; `field`/`text` may be NULL.  The
 * message is built as
 *   FILE:LINE: field 'FIELD': <fmt...>
 * with parts omitted when absent ("FILE: record N: ..." when only the
 * record is known).  `text` is copied to err->text (truncated).
 */
toll_status toll__seterr(toll_error *err, toll_status code, const char *file,
                         long line, long record, const char *field,
                         const char *text, size_t text_len, const char *fmt,
                         ...) __attribute__((format(printf, 9, 10)));
/* Shorthand for errors without a location: message only. */
toll_status toll__err(toll_error *err, toll_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* TOLL_ENOMEM with message "out of memory". */
toll_status toll__nomem(toll_error *err);
/* Re-locate an error produced without location (e.g. by the quantity
 * parser): set file/line/record/field and rebuild the message prefix,
 * keeping the original message as the tail. */
void toll__err_locate(toll_error *err, const char *file, long line,
                      long record, const char *field);

/* ---- string pool (interning) ------------------------------------------ */

/*
 * Interns byte strings; each distinct string gets a dense uint32 id.
 * Id 0 is reserved for "none" (the empty string "" also maps to 0).
 * Strings are stored NUL-terminated in chunks, so pointers stay valid for
 * the life of the pool.  Open addressing (linear probing) over slots that
 * hold (id, hash) pairs, load factor at most 3/4; hashing is in
 * src/strhash.h (8 bytes at a time), which also declares the prefetching
 * and pre-hashed intern used by the ingest hot path.
 */
typedef struct toll__strpool {
    const toll_allocator *alloc;
    /* id -> string */
    const char **str;   /* str[id] */
    uint32_t *len;      /* len[id] */
    uint32_t *hash;     /* hash[id] */
    size_t count, cap;  /* count includes id 0 */
    /* hash table of ids (0 = empty slot) */
    uint32_t *table;
    size_t table_cap;   /* number of slots, a power of two */
    /* storage chunks */
    char **chunks;
    size_t nchunks, chunks_cap;
    size_t chunk_used, chunk_size;
} toll__strpool;

toll_status toll__strpool_init(toll__strpool *p, const toll_allocator *a);
void toll__strpool_free(toll__strpool *p);
/* Intern; *id receives the id (0 for len == 0). */
toll_status toll__strpool_intern(toll__strpool *p, const char *s, size_t len,
                                 uint32_t *id);
/* Look up without interning: returns 1 and *id if present, else 0. */
int toll__strpool_find(const toll__strpool *p, const char *s, size_t len,
                       uint32_t *id);
static inline const char *toll__str(const toll__strpool *p, uint32_t id)
{
    return p->str[id];
}
static inline size_t toll__strlen(const toll__strpool *p, uint32_t id)
{
    return p->len[id];
}
/* Roll back to `count` strings (drop the newer ones).  Used when a strict
 * load fails. */
void toll__strpool_truncate(toll__strpool *p, size_t count);

/* ---- actor-set pool ---------------------------------------------------- */

/*
 * Interns sets of string ids (actor names).  Each set is stored sorted by
 * the actors' names (byte order) with duplicates removed; set id 0 is the
 * empty set.  `label[id]` is the string id of the names joined with " + "
 * (interned in the string pool passed to intern).
 */
typedef struct toll__setpool {
    const toll_allocator *alloc;
    uint32_t *begin;    /* begin[id]: offset into members */
    uint32_t *size;     /* size[id] */
    uint32_t *label;    /* label[id]: string id of "A + B" */
    uint32_t *hash;
    size_t count, cap;
    uint32_t *members;  /* flattened member string ids */
    size_t nmembers, members_cap;
    uint32_t *table;    /* hash table of set ids, 0 = empty */
    size_t table_cap;
} toll__setpool;

toll_status toll__setpool_init(toll__setpool *p, const toll_allocator *a);
void toll__setpool_free(toll__setpool *p);
/* Intern the set of `n` string ids (any order, duplicates allowed). */
toll_status toll__setpool_intern(toll__setpool *p, toll__strpool *strings,
                                 const uint32_t *ids, size_t n, uint32_t *id);
static inline size_t toll__set_size(const toll__setpool *p, uint32_t id)
{
    return p->size[id];
}
static inline const uint32_t *toll__set_members(const toll__setpool *p,
                                                uint32_t id)
{
    return p->members + p->begin[id];
}
/* 1 if string id `s` is a member of set `id`. */
int toll__set_contains(const toll__setpool *p, uint32_t id, uint32_t s);
void toll__setpool_truncate(toll__setpool *p, size_t count);

/* ---- the report store ---------------------------------------------------- */

/* A quantity as stored: low < 0 means unknown; high == TOLL_OPEN open. */
typedef struct toll__qcell {
    uint32_t category; /* string id ("killed") */
    int64_t low;       /* -1: unknown */
    int64_t high;      /* TOLL_OPEN: open */
    double best;
} toll__qcell;

/* One extra kept field (unknown keys, preset fields like type_of_violence) */
typedef struct toll__kv {
    uint32_t key, value; /* string ids */
} toll__kv;

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
    uint32_t file;         /* string id of the input name */
    uint32_t line;         /* 1-based line (or record number + 1) */
    const toll__qcell *q;  size_t nq;
    const toll__kv *x;     size_t nx;
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

    size_t n, cap;          /* reports */
    uint32_t *incident;
    uint32_t *source;
    uint8_t *source_kind;
    uint32_t *source_actor;
    int32_t *date_start, *date_end;
    uint32_t *region;
    uint32_t *actors;
    uint32_t *id, *url, *note;
    uint32_t *file, *line;
    uint32_t *q_begin;      /* first quantity of report i */
    uint16_t *q_count;
    uint32_t *x_begin;      /* first extra of report i */
    uint16_t *x_count;

    size_t nq, q_cap;       /* quantity cells, in report order */
    toll__qcell *q;

    size_t nx, x_cap;       /* extra fields, in report order */
    toll__kv *x;

    /* distinct categories, first-seen order (string ids) */
    uint32_t *categories;
    size_t ncategories, categories_cap;

    /* rejects of the last lenient load */
    toll_error *rejects;
    size_t nrejects, rejects_cap;

    /* repairs made while loading (toll_load_options.repair), in report
     * order; they stay with their reports */
    toll__repair *repairs;
    size_t nrepairs, repairs_cap;
};

/* A checkpoint of the store, for rollback of a failed strict load. */
typedef struct toll__mark {
    size_t n, nq, nx, ncategories, nstrings, nsets, nrepairs;
} toll__mark;

void toll__reports_mark(const toll_reports *r, toll__mark *m);
void toll__reports_rollback(toll_reports *r, const toll__mark *m);
/* Append one validated row (copies q and x).  On ENOMEM the store is as
 * before. */
toll_status toll__reports_append(toll_reports *r, const toll__row *row,
                                 toll_error *err);
/* Record a rejected record (lenient mode). */
toll_status toll__reports_add_reject(toll_reports *r, const toll_error *e);
void toll__reports_clear_rejects(toll_reports *r);
/* Record a repair (string id `value`) of report `report`. */
toll_status toll__reports_add_repair(toll_reports *r, uint32_t report,
                                     uint32_t value);
/* Room for n reports, nq quantity cells, nx extras in all (rows written
 * directly by a merge; `n` etc. unchanged).  TOLL_ENOMEM: as before. */
toll_status toll__reports_reserve(toll_reports *r, size_t n, size_t nq,
                                  size_t nx);

/* ---- incidents ----------------------------------------------------------- */

/* Per-(incident, category) cell flags */
#define TOLL__C_OPEN    0x01u
#define TOLL__C_DENIED  0x02u
#define TOLL__C_HAS_SELF 0x04u /* a self-report gives a known figure */
#define TOLL__C_KNOWN   0x08u  /* an included report gives a known figure */

struct toll_incidents {
    toll_allocator alloc;
    const toll_reports *reports;
    toll_reconcile_options opts;

    size_t n;                 /* incidents */
    uint32_t *key;            /* incident key string id, 0 = unkeyed */
    uint32_t *first_report;   /* report index of the first report */
    uint32_t *r_begin;        /* into report_idx */
    uint32_t *r_count;        /* reports of the incident */
    uint32_t *report_idx;     /* flattened report indices (len = reports) */
    uint32_t *n_sources;      /* distinct non-self sources */
    uint32_t *region;         /* string id of the reconciled region */
    int32_t *date_start, *date_end;
    uint32_t *actors;         /* actor set id: union of reports' actors */
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
    /* key codes built on demand by toll_summarize (src/summarize_kernel.h),
     * published atomically; NULL until then */
    struct toll__aggcache *agg_cache;
};

/* Free incidents->agg_cache (src/summarize_kernel.c); toll_incidents_free
 * calls it.  Accepts NULL. */
void toll__aggcache_free(toll_incidents *inc);

/* ---- tables ------------------------------------------------------------ */

typedef struct toll__column {
    char *name;
    toll_coltype type;
    void *data;          /* uint32 codes / int64 / double, nrows entries */
    char **dict;         /* string columns: owned copies */
    size_t ndict, dict_cap;
    int no_total;        /* 1: a totals row leaves this column empty (its
                            rows do not add up, e.g. quantiles) */
} toll__column;

/* Create only with toll__table_new (it allocates a private wrapper holding
 * the dictionary indexes). */
struct toll_table {
    toll_allocator alloc;
    size_t nrows, ncols, nkeys;
    toll__column *cols;
    int additive;
    int is_summary;      /* 1: summary table (totals row, ranges) */
    char *caption;
};

/*
 * Build a table with `ncols` columns and `nrows` rows; column data are
 * allocated (zeroed) and filled by the caller through cols[j].data.
 * String columns get their dictionary through toll__table_dict_add.
 */
toll_status toll__table_new(const toll_allocator *a, size_t ncols,
                            size_t nrows, toll_table **out);
toll_status toll__table_set_column(toll_table *t, size_t j, const char *name,
                                   toll_coltype type);
/* toll__table_set_column with the column's data left unwritten (not
 * zeroed): the caller writes every row (src/summarize.c). */
toll_status toll__table_set_column_raw(toll_table *t, size_t j,
                                       const char *name, toll_coltype type);
/* Add a string to column j's dictionary; *code receives its code. */
toll_status toll__table_dict_add(toll_table *t, size_t j, const char *s,
                                 size_t len, uint32_t *code);
toll_status toll__table_set_caption(toll_table *t, const char *caption);

/* ---- small helpers ------------------------------------------------------ */

/* ASCII case-insensitive compare of s[0..n) with NUL-terminated word. */
int toll__strncaseeq(const char *s, size_t n, const char *word);

#endif /* TOLL_INTERNAL_H */
