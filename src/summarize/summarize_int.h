/*
 * src/summarize/summarize_int.h - the private layout shared by the files of
 * src/summarize/ (not included from anywhere else): key dimensions (dim),
 * groups and their accumulators (groups, gacc), the state of one summarize
 * call (ctx) and its queue of contributions (pending); the small hot
 * helpers of several files, inline; the functions the files share.
 *
 *   src/summarize/options.c    names, options, group keys (by) -> dims
 *   src/summarize/keys.c       key dimensions, period/string/region codes,
 *                              sorting
 *   src/summarize/groups.c     the group table
 *   src/summarize/aggregate.c  the general aggregation path
 *   src/summarize/fast.c       the columnar fast paths
 *   src/summarize/summarize.c  the table and the entry points
 */
#ifndef TOLL_SRC_SUMMARIZE_SUMMARIZE_INT_H
#define TOLL_SRC_SUMMARIZE_SUMMARIZE_INT_H

#include "core/period.h" /* period numbers and labels */
#include "reconcile/reconcile.h"
#include "render/render.h"
#include "stats/intervals.h" /* probabilistic intervals */
#include "summarize/kept.h"               /* kept fields: by-keys, where */
#include "summarize/kernel.h"   /* the columnar fast path */

#include <string.h>

#define NO_CODE UINT32_MAX
#define MAX_KEYS 8 /* group keys, kept fields included */

/* The row limit of a summary made with options o (max_rows, 0: the
 * default). */
static inline size_t toll__max_rows(const toll_summarize_options *o)
{
    return o && o->max_rows ? o->max_rows : TOLL_SUMMARIZE_DEFAULT_MAX_ROWS;
}

#if defined(__GNUC__)
#define PREFETCH(p) __builtin_prefetch((const void *)(p))
#else
#define PREFETCH(p) ((void)(p))
#endif

/* ---- hashing ------------------------------------------------------------------ */

static inline uint32_t mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    x ^= x >> 33;
    return (uint32_t)x;
}

static inline uint32_t hash_key(const uint32_t *k, size_t nk)
{
    uint64_t h = 0x9E3779B97F4A7C15ull;
    for (size_t i = 0; i < nk; i++)
        h = (h ^ k[i]) * 0x100000001B3ull + 0x9E3779B9u;
    return mix64(h);
}

/* ---- key dimensions ----------------------------------------------------------- */

enum dim_kind {
    DIM_ACTOR, DIM_REGION, DIM_PERIOD, DIM_CATEGORY, DIM_GRADE,
    DIM_FIELD /* a kept field (src/summarize/kept.c) */
};

/* Key names by dim_kind, as table columns and messages name them. */
extern const char *const toll__dim_names[];

/* The name of the key of kept field f[0..len) as the key column and the
 * `by` text give it: the field's name, or "keep:NAME" when the name would
 * be read as another key (actor, region, period, category, grade, or a
 * name with ':'), so that `by` reads back as the same keys.  Written
 * to buf as snprintf writes; returns what snprintf returns. */
int toll__field_key_name(const char *f, size_t len, char *buf, size_t cap);

/* The value behind one dense code of a dimension. */
typedef struct dim_val {
    const char *s; /* label (actor, region, category, grade) */
    size_t len;
    int64_t num;   /* period number (TOLL__NO_PERIOD: no date); grade */
    uint32_t hash; /* of the label (regions) or number (periods) */
} dim_val;

#define DAY_CACHE 4096u

typedef struct day_cache {
    int32_t day;  /* TOLL_NO_DATE: empty */
    int32_t last; /* last day of the period */
    uint32_t code;
} day_cache;

typedef struct dim {
    enum dim_kind kind;
    const char *fname;      /* DIM_FIELD: the kept field's name (into by) */
    size_t fname_len;
    toll__strpool fpool;    /* DIM_FIELD: the field's values (alloc NULL
                               until made: toll__kept_incident_values) */
    uint32_t *fvals;        /* DIM_FIELD: value (fpool id) per incident */
    size_t fvals_n;
    int data_grade;         /* DIM_FIELD data_grade: sorted by grade */
    int levels;             /* region: levels kept; 0 = the whole path */
    toll_period_unit unit;
    dim_val *vals;          /* code -> value */
    size_t n, cap;
    uint32_t *by_id;        /* string id (or grade) -> code + 1; 0 unset
                               (zeroed: pages never touched cost nothing) */
    size_t by_id_n;
    uint32_t *slots;        /* hash of values (regions, periods): code + 1 */
    size_t slots_cap;
    uint32_t *rank;         /* code -> sort rank */
    day_cache *cache;       /* periods: DAY_CACHE entries */
} dim;

/* Grade labels, by toll_grade value. */
const char *toll__grade_label(unsigned g);

/* The group keys (struct form) as dims; TOLL_EINVAL names the option
 * "keys" and the bad key (src/summarize/options.c). */
toll_status toll__dims_from_keys(const toll_group_key *keys, size_t n,
                                 dim *dims, size_t *ndims, toll_error *err);

void toll__dim_free(const toll_allocator *a, dim *d);
/* Add a value; *code receives its new code. */
toll_status toll__dim_push(const toll_allocator *a, dim *d, dim_val v,
                           uint32_t *code);
/* The code of period number num (found or added). */
toll_status toll__period_code(const toll_allocator *a, dim *d, int64_t num,
                              uint32_t *code);

/* Code of the period holding day `day`, and its last day, through a
 * direct-mapped cache of recent days (calendar arithmetic is the costly
 * part of a period key). */
static inline toll_status day_code(const toll_allocator *a, dim *d,
                                   int32_t day, uint32_t *code, int32_t *last)
{
    day_cache *e = &d->cache[(uint32_t)day & (DAY_CACHE - 1)];
    if (e->day == day) {
        *code = e->code;
        *last = e->last;
        return TOLL_OK;
    }
    int64_t num = toll__period_number(d->unit, day);
    toll_status st = toll__period_code(a, d, num, code);
    if (!st) {
        *last = toll__period_last(d->unit, num);
        e->day = day;
        e->code = *code;
        e->last = *last;
    }
    return st;
}

/* ---- groups --------------------------------------------------------------------- */

typedef struct gacc {
    int64_t incidents, reports, open, denied, contested;
    double low, best, high;
    uint32_t hash;
} gacc;

/*
 * Groups are found through a dense index while the key tuples fit in
 * DENSE_BITS bits: each key's codes take bits[k] bits (the bits its
 * largest code needs so far), the tuple's bits together index `index`,
 * which holds group + 1.  A lookup is one load, without hashing or
 * comparing keys.  When a code outgrows its bits the index is rebuilt
 * from the groups (not copied); when the tuples no longer fit, the groups
 * move to the hash table of slots for good.
 */
#define DENSE_BITS 22

typedef struct groups {
    size_t nk;            /* key codes per group */
    size_t n, cap;        /* groups */
    uint32_t *keys;       /* cap * nk (at least cap) */
    gacc *acc;            /* cap */
    uint32_t *slots;      /* hash mode: slots_cap pairs (group + 1, 0
                             empty; hash of its keys) */
    size_t slots_cap;
    size_t max;           /* most groups (max_rows): group_of fails
                             with TOLL_ERANGE at n == max */
    int dense;            /* 1: the dense index is in use */
    uint32_t *index;      /* dense: 1 << (sum of bits) entries */
    size_t index_n;
    unsigned bits[MAX_KEYS], shift[MAX_KEYS];
} groups;

static inline size_t keys_size(const groups *g, size_t cap)
{
    return cap * (g->nk ? g->nk : 1) * sizeof(uint32_t);
}

/* The message of a grouping pass that failed with `st`: out of memory,
 * or more groups / key values than the numbering holds. */
void toll__group_fail(toll_status st, toll_error *err);
struct ctx;
/* The keys of the summary as the text form of `by` ("actor,period:day";
 * "(none)" without keys) into buf (src/summarize/options.c). */
void toll__keys_text(const struct ctx *c, char *buf, size_t size);
/* The error of a summary with more than c->max_rows rows (TOLL_ERANGE),
 * naming the keys (src/summarize/groups.c). */
toll_status toll__rows_fail(const struct ctx *c, toll_error *err);
void toll__groups_free(const toll_allocator *a, groups *g);
/* Double the group arrays (new blocks; the old ones stay on failure). */
toll_status toll__groups_grow(const toll_allocator *a, groups *g);
toll_status toll__groups_rehash(const toll_allocator *a, groups *g,
                                size_t ncap);
/* Make room in the dense index for tuple k: rebuild it with wider bits,
 * or leave dense mode (hash table) when the tuples need more than
 * DENSE_BITS bits. */
toll_status toll__dense_widen(const toll_allocator *a, groups *g,
                              const uint32_t *k);

static inline int keys_equal(const uint32_t *x, const uint32_t *y, size_t nk)
{
    for (size_t i = 0; i < nk; i++)
        if (x[i] != y[i])
            return 0;
    return 1;
}

/* The dense position of key tuple k (which fits the bits). */
static inline size_t dense_pos(const groups *g, const uint32_t *k)
{
    size_t idx = 0;
    for (size_t i = 0; i < g->nk; i++)
        idx |= (size_t)k[i] << g->shift[i];
    return idx;
}

/* Find or add the group of key tuple k; returns its accumulator or NULL
 * with *st set. */
static inline gacc *group_of(const toll_allocator *a, groups *g,
                             const uint32_t *k, toll_status *st)
{
    size_t nk = g->nk, pos = 0, i = 0;
    uint32_t h = 0;
    if (g->dense) {
        for (size_t j = 0; j < nk; j++)
            if (k[j] >> g->bits[j]) {
                if (toll__dense_widen(a, g, k)) {
                    *st = TOLL_ENOMEM;
                    return NULL;
                }
                break;
            }
    }
    if (g->dense) {
        pos = dense_pos(g, k);
        if (g->index[pos])
            return &g->acc[g->index[pos] - 1];
        h = hash_key(k, nk); /* kept, should the groups move to the hash */
    } else {
        h = hash_key(k, nk);
        size_t mask = g->slots_cap - 1;
        for (i = h & mask; g->slots[2 * i]; i = (i + 1) & mask) {
            size_t c = g->slots[2 * i] - 1;
            if (g->slots[2 * i + 1] == h && keys_equal(g->keys + c * nk, k, nk))
                return &g->acc[c];
        }
    }
    if (g->n >= (size_t)UINT32_MAX - 1 || g->n >= g->max) {
        *st = TOLL_ERANGE;
        return NULL;
    }
    if ((g->n + 1 > g->cap && toll__groups_grow(a, g)) ||
        (!g->dense && (g->n + 1) * 2 > g->slots_cap &&
         toll__groups_rehash(a, g, g->slots_cap * 2))) {
        *st = TOLL_ENOMEM;
        return NULL;
    }
    size_t c = g->n++;
    if (nk)
        memcpy(g->keys + c * nk, k, nk * sizeof *k);
    memset(&g->acc[c], 0, sizeof g->acc[c]);
    g->acc[c].hash = h;
    if (g->dense) {
        g->index[pos] = (uint32_t)c + 1;
    } else {
        size_t mask = g->slots_cap - 1;
        for (i = h & mask; g->slots[2 * i]; i = (i + 1) & mask)
            ;
        g->slots[2 * i] = (uint32_t)c + 1;
        g->slots[2 * i + 1] = h;
    }
    return &g->acc[c];
}

/* ---- sorting ---------------------------------------------------------------------- */

static inline int cmp_bytes(const char *a, size_t la, const char *b, size_t lb)
{
    int c = memcmp(a, b, la < lb ? la : lb);
    if (c)
        return c;
    return la < lb ? -1 : la > lb;
}

typedef struct row_order {
    uint32_t rank[MAX_KEYS];
    uint32_t group;
} row_order;

/* Row order: by the ranks of the keys, in key order (a qsort comparator). */
int toll__cmp_row_order(const void *pa, const void *pb);
/* rank[code] = position of the code in the dimension's order. */
toll_status toll__dim_rank(const toll_allocator *a, dim *d);
/* Sort rows as toll__cmp_row_order does, by radix when the ranks fit in
 * 64 bits (*fits = 0 and nothing done otherwise; src/summarize/keys.c). */
toll_status toll__sort_rows_radix(const toll_allocator *a, const dim *dims,
                                  size_t nk, row_order *ord, size_t n,
                                  int *fits);

/* ---- the state of a summarize call ------------------------------------------- */

/* One value of an expanding key for an incident: code and share. */
typedef struct actor_part {
    uint32_t code;
} actor_part;

typedef struct period_part {
    uint32_t code;
    int64_t days;
} period_part;

/*
 * One contribution to a group, waiting in a short queue: its group is
 * looked up PENDING contributions later, after its slot in the index or
 * hash table has been prefetched (with many groups those are cache
 * misses).  Contributions are applied in the order they were made, so
 * groups are created and sums are added in the same order as without the
 * queue.
 */
#define PENDING 32

typedef struct pending {
    uint32_t key[MAX_KEYS];
    int64_t low, high;  /* the incident's whole range (toll__kclamp) */
    double best, share; /* share: of attribution and of prorating; the
                           group adds share * low, best and high */
    int64_t reports;
    uint8_t cf;
    uint8_t contested;
} pending;

typedef struct ctx {
    const toll_incidents *inc;
    const toll_reports *rep;
    const toll_allocator *ta; /* temporaries */
    dim dims[MAX_KEYS];
    size_t ndims;
    int actor_dim, region_dim, period_dim, category_dim, grade_dim; /* -1 */
    toll__where where;       /* filters on kept fields (src/summarize/kept.c) */
    toll_attribution attribution;
    toll_span span;
    size_t max_rows;         /* the row limit (options max_rows) */
    unsigned min_grade;
    uint32_t unknown_actor;  /* string id of "unknown" or 0 */
    uint32_t category;       /* string id; unused when all */
    int all_categories;
    int category_absent;     /* the category names no string: no rows */
    int32_t from, to;        /* TOLL_NO_DATE when open */
    const char *prefix;
    size_t prefix_len;
    uint32_t *filter_actors; /* string ids (0: name not present) */
    size_t n_filter_actors;
    int filter_unknown;      /* "unknown" among the actor filter */
    const toll_where_item *where_all; /* every where item (actor=... too) */
    size_t n_where_all;
    groups g;
    actor_part *aparts;
    size_t aparts_cap;
    period_part *pparts;
    size_t pparts_cap;
    toll__iv *iv;            /* interval accumulator (src/stats/intervals.c) */
    pending pend[PENDING];   /* contributions not yet applied */
    size_t npend;
    int rows_sorted;         /* 1: the groups are in the table's order and
                                each dim's rank is set (toll__fast_cached) */
    struct kpacc *kacc;      /* toll__fast_cached: the groups' sums (g->acc
                                unused), kacc_n allocated */
    size_t kacc_n;
} ctx;

/* Accumulator of the cached path (48 bytes): the counts in pairs of 32-bit
 * halves (records < 2^32, checked). */
typedef struct kpacc {
    double low, best, high;
    uint64_t reports;
    uint64_t inc_open;   /* incidents | open << 32 */
    uint64_t den_cont;   /* denied | contested << 32 */
} kpacc;

/* Code of string id `id` in dim d (actor labels/members, categories). */
toll_status toll__string_code(ctx *c, dim *d, uint32_t id, uint32_t *code);
/* Code of region string id `id` (truncated to d->levels levels). */
toll_status toll__region_code(ctx *c, dim *d, uint32_t id, uint32_t *code);

/* The summary table's low, best and high of every row, and their sums
 * over the rows when the rows add up, below 2^53: TOLL_ERANGE naming the
 * row and the column otherwise (src/summarize/summarize.c; merged
 * summaries too, src/summarize/merge.c).  nk: the key columns. */
toll_status toll__summary_check_totals(const toll_table *t, size_t nk,
                                       toll_error *err);

/* ---- the aggregation paths -------------------------------------------------- */

/* The general path: every filter, attribution and span
 * (src/summarize/aggregate.c). */
toll_status toll__aggregate(ctx *c, toll_error *err);
/* The columnar fast paths (src/summarize/fast.c): whether one applies to
 * the call; the by_id size a fast-path key needs; the pass with codes made
 * for the call; the pass over cached key codes (*applies = 0 when it does
 * not apply). */
int toll__fast_applies(const ctx *c);
size_t toll__fast_by_id_n(const ctx *c, const dim *d);
toll_status toll__fast_aggregate(ctx *c, int *used, toll_error *err);
toll_status toll__fast_cached(ctx *c, int *applies, int *used,
                              toll_error *err);

#endif
