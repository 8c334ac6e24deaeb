/*
 * src/summarize/summarize.c - aggregate reconciled incidents into a summary table.
 *
 * One pass over the incidents.  For each incident that passes the filters,
 * the codes of its single-valued keys (region, grade, and actor/period when
 * they do not expand) are looked up once; the keys that expand (actor under
 * split/each attribution, period under prorating, category when it is a
 * key) are enumerated; each resulting tuple of key codes is found in (or
 * added to) an open-addressing hash map of groups, whose accumulators are
 * updated.  Groups are then sorted by the rank of each key code and
 * written out as a table.
 *
 * Only cells with TOLL__C_KNOWN contribute: an incident whose only figures
 * are self-reports or unknown does not enter the totals (not even its
 * `incidents` count).
 */
#include "core/period.h" /* period numbers and labels */
#include "reconcile/reconcile.h"
#include "render/render.h"
#include "stats/intervals.h" /* probabilistic intervals */
#include "summarize/kept.h"               /* kept fields: by-keys, where */
#include "summarize/kernel.h"   /* the columnar fast path */

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define NO_CODE UINT32_MAX
#define MAX_KEYS 8 /* group keys, kept fields included */

/* ---- names ------------------------------------------------------------------ */

toll_status toll_attribution_parse(const char *s, toll_attribution *out,
                                   toll_error *err)
{
    if (!s || !out)
        return toll__err(err, TOLL_EINVAL,
                         "toll_attribution_parse: argument is NULL");
    size_t n = strlen(s);
    if (toll__strncaseeq(s, n, "joint"))
        *out = TOLL_ATTR_JOINT;
    else if (toll__strncaseeq(s, n, "split"))
        *out = TOLL_ATTR_SPLIT;
    else if (toll__strncaseeq(s, n, "each"))
        *out = TOLL_ATTR_EACH;
    else
        return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "attribution", s,
                            n, "unknown attribution '%s' (expected joint, "
                               "split or each)", s);
    return TOLL_OK;
}

toll_status toll_span_parse(const char *s, toll_span *out, toll_error *err)
{
    if (!s || !out)
        return toll__err(err, TOLL_EINVAL, "toll_span_parse: argument is NULL");
    size_t n = strlen(s);
    if (toll__strncaseeq(s, n, "start"))
        *out = TOLL_SPAN_START;
    else if (toll__strncaseeq(s, n, "prorate"))
        *out = TOLL_SPAN_PRORATE;
    else
        return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "span", s, n,
                            "unknown span '%s' (expected start or prorate)",
                            s);
    return TOLL_OK;
}

const char *toll_attribution_name(toll_attribution a)
{
    switch (a) {
    case TOLL_ATTR_JOINT: return "joint";
    case TOLL_ATTR_SPLIT: return "split";
    case TOLL_ATTR_EACH: return "each";
    }
    return "";
}

const char *toll_span_name(toll_span s)
{
    switch (s) {
    case TOLL_SPAN_START: return "start";
    case TOLL_SPAN_PRORATE: return "prorate";
    }
    return "";
}

void toll_summarize_options_init(toll_summarize_options *opts)
{
    if (!opts)
        return;
    memset(opts, 0, sizeof *opts);
    opts->by = NULL;
    opts->category = NULL;
    opts->attribution = TOLL_ATTR_JOINT;
    opts->span = TOLL_SPAN_START;
    opts->min_grade = TOLL_GRADE_NONE;
    opts->date_from = NULL;
    opts->date_to = NULL;
    opts->region_prefix = NULL;
    opts->actors = NULL;
    opts->n_actors = 0;
    toll_interval_options_init(&opts->interval);
}

/* Grade labels, by toll_grade value (kept here so that summarize does not
 * depend on another module for four words). */
static const char *grade_label(unsigned g)
{
    static const char *const names[] = {"", "self-only", "single",
                                        "corroborated", "confirmed"};
    return g < sizeof names / sizeof *names ? names[g] : "";
}

/* ---- hashing ------------------------------------------------------------------ */

static uint32_t mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    x ^= x >> 33;
    return (uint32_t)x;
}

static uint32_t hash_str(const char *s, size_t len)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 16777619u;
    }
    return h;
}

/* ---- key dimensions ----------------------------------------------------------- */

enum dim_kind {
    DIM_ACTOR, DIM_REGION, DIM_PERIOD, DIM_CATEGORY, DIM_GRADE,
    DIM_FIELD /* a kept field (src/summarize/kept.c) */
};

static const char *const dim_names[] = {"actor", "region", "period",
                                        "category", "grade", "field"};

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
    uint32_t *fvals;        /* DIM_FIELD: value (string id) per incident */
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

/* The name of key k as written in messages ("actor", or the field). */
static int key_name_len(const toll_group_key *k)
{
    return k->kind == TOLL_KEY_FIELD ? (int)k->field_len
                                     : (int)strlen(dim_names[k->kind]);
}
static const char *key_name(const toll_group_key *k)
{
    return k->kind == TOLL_KEY_FIELD ? k->field : dim_names[k->kind];
}

static int keys_same(const toll_group_key *a, const toll_group_key *b)
{
    return a->kind == b->kind &&
           (a->kind != TOLL_KEY_FIELD ||
            (a->field_len == b->field_len &&
             memcmp(a->field, b->field, a->field_len) == 0));
}

/* The one parser of the text form of `by`.  Key names are
 * case-insensitive. */
toll_status toll_summarize_by_parse(const char *by, toll_group_key *keys,
                                    size_t cap, size_t *n_keys,
                                    toll_error *err)
{
    static const char expected[] =
        "(expected actor, region, region:K, "
        "period:day|week|month|quarter|year, category, grade)";
    if (!n_keys || (cap && !keys))
        return toll__err(err, TOLL_EINVAL,
                         "toll_summarize_by_parse: keys or n_keys is NULL");
    *n_keys = 0;
    if (!by)
        return TOLL_OK;
    const char *p = by;
    /* All blank: no keys. */
    while (toll__is_blank((unsigned char)*p))
        p++;
    if (!*p)
        return TOLL_OK;
    p = by;
    for (;;) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        const char *s = p;
        toll__trim_blank(&s, &n);
        if (n == 0)
            return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "by", by,
                                strlen(by), "empty group key in '%s' %s", by,
                                expected);
        const char *colon = memchr(s, ':', n);
        size_t nn = colon ? (size_t)(colon - s) : n;
        const char *arg = colon ? colon + 1 : NULL;
        size_t alen = colon ? n - nn - 1 : 0;
        toll_group_key d;
        memset(&d, 0, sizeof d);
        if (toll__strncaseeq(s, nn, "actor") && !colon) {
            d.kind = TOLL_KEY_ACTOR;
        } else if (toll__strncaseeq(s, nn, "category") && !colon) {
            d.kind = TOLL_KEY_CATEGORY;
        } else if (toll__strncaseeq(s, nn, "grade") && !colon) {
            d.kind = TOLL_KEY_GRADE;
        } else if (toll__strncaseeq(s, nn, "region")) {
            d.kind = TOLL_KEY_REGION;
            if (colon) {
                long k = 0;
                size_t i = 0;
                for (; i < alen && arg[i] >= '0' && arg[i] <= '9' && k < 1000;
                     i++)
                    k = k * 10 + (arg[i] - '0');
                if (alen == 0 || i != alen)
                    return toll__seterr(
                        err, TOLL_EINVAL, NULL, 0, -1, "by", s, n,
                        "bad region level in group key '%.*s' (expected "
                        "region:K with K = 0, 1, 2 ...: the first K+1 levels)",
                        (int)n, s);
                d.levels = (int)k + 1;
            }
        } else if (toll__strncaseeq(s, nn, "period")) {
            d.kind = TOLL_KEY_PERIOD;
            if (!colon)
                return toll__seterr(
                    err, TOLL_EINVAL, NULL, 0, -1, "by", s, n,
                    "group key 'period' needs a unit: "
                    "period:day|week|month|quarter|year");
            toll_status st = toll__period_unit_parse(arg, alen, "by", s, n,
                                                     &d.unit, err);
            if (st)
                return st;
        } else if (!colon) {
            /* a kept field, checked against the reports by summarize */
            d.kind = TOLL_KEY_FIELD;
            d.field = s;
            d.field_len = n;
        } else {
            return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "by", s, n,
                                "unknown group key '%.*s' %s", (int)n, s,
                                expected);
        }
        for (size_t k = 0; k < *n_keys; k++)
            if (keys_same(&keys[k], &d))
                return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "by", s, n,
                                    "group key '%.*s' given twice in '%s'",
                                    key_name_len(&d), key_name(&d), by);
        if (*n_keys == cap)
            return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "by", by,
                                strlen(by), "too many group keys in '%s' (at "
                                "most %zu)", by, cap);
        keys[(*n_keys)++] = d;
        if (!e)
            break;
        p = e + 1;
    }
    return TOLL_OK;
}

/* The group keys (struct form) as dims; TOLL_EINVAL names the option
 * "keys" and the bad key. */
static toll_status dims_from_keys(const toll_group_key *keys, size_t n,
                                  dim *dims, size_t *ndims, toll_error *err)
{
    *ndims = 0;
    if (n && !keys)
        return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "keys", NULL, 0,
                            "n_keys is %zu but keys is NULL", n);
    if (n > MAX_KEYS)
        return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "keys", NULL, 0,
                            "too many group keys (%zu; at most %d)", n,
                            MAX_KEYS);
    for (size_t k = 0; k < n; k++) {
        const toll_group_key *g = &keys[k];
        if ((unsigned)g->kind > TOLL_KEY_FIELD)
            return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "keys", NULL,
                                0, "group key %zu: unknown kind %d", k,
                                (int)g->kind);
        if (g->kind == TOLL_KEY_FIELD && (!g->field || !g->field_len))
            return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "keys", NULL,
                                0, "group key %zu: a kept field needs a name",
                                k);
        if (g->kind == TOLL_KEY_PERIOD &&
            (unsigned)g->unit > TOLL_PERIOD_YEAR)
            return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "keys", NULL,
                                0, "group key %zu: unknown period unit %d", k,
                                (int)g->unit);
        if (g->kind == TOLL_KEY_REGION && (g->levels < 0 || g->levels > 1000))
            return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "keys", NULL,
                                0, "group key %zu: bad region levels %d", k,
                                g->levels);
        for (size_t j = 0; j < k; j++)
            if (keys_same(&keys[j], g))
                return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "keys",
                                    key_name(g), (size_t)key_name_len(g),
                                    "group key '%.*s' given twice",
                                    key_name_len(g), key_name(g));
        dim d;
        memset(&d, 0, sizeof d);
        d.kind = (enum dim_kind)g->kind;
        d.levels = g->kind == TOLL_KEY_REGION ? g->levels : 0;
        d.unit = g->kind == TOLL_KEY_PERIOD ? g->unit : TOLL_PERIOD_DAY;
        if (g->kind == TOLL_KEY_FIELD) {
            d.fname = g->field;
            d.fname_len = g->field_len;
        }
        dims[(*ndims)++] = d;
    }
    return TOLL_OK;
}

static void dim_free(const toll_allocator *a, dim *d)
{
    toll__free(a, d->fvals, d->fvals_n * sizeof *d->fvals);
    d->fvals = NULL;
    toll__free(a, d->vals, d->cap * sizeof *d->vals);
    toll__free(a, d->by_id, d->by_id_n * sizeof *d->by_id);
    toll__free(a, d->slots, d->slots_cap * sizeof *d->slots);
    toll__free(a, d->rank, (d->n ? d->n : 1) * sizeof *d->rank);
    toll__free(a, d->cache, DAY_CACHE * sizeof *d->cache);
    d->cache = NULL;
    d->vals = NULL;
    d->by_id = NULL;
    d->slots = NULL;
    d->rank = NULL;
}

/* Add a value; *code receives its new code. */
static toll_status dim_push(const toll_allocator *a, dim *d, dim_val v,
                            uint32_t *code)
{
    if (d->n >= NO_CODE - 1)
        return TOLL_ERANGE;
    if (toll__grow(a, (void **)&d->vals, &d->cap, d->n + 1, sizeof *d->vals))
        return TOLL_ENOMEM;
    d->vals[d->n] = v;
    *code = (uint32_t)d->n++;
    return TOLL_OK;
}

static int dim_val_eq(const dim *d, uint32_t code, const dim_val *v)
{
    const dim_val *w = &d->vals[code];
    if (w->hash != v->hash)
        return 0;
    if (d->kind == DIM_PERIOD)
        return w->num == v->num;
    return w->len == v->len && memcmp(w->s, v->s, v->len) == 0;
}

/* Find or add a value by content (regions, periods). */
static toll_status dim_find_add(const toll_allocator *a, dim *d, dim_val v,
                                uint32_t *code)
{
    if ((d->n + 1) * 2 > d->slots_cap) {
        size_t ncap = d->slots_cap ? d->slots_cap * 2 : 64;
        uint32_t *s = toll__calloc(a, ncap, sizeof *s);
        if (!s)
            return TOLL_ENOMEM;
        for (size_t k = 0; k < d->n; k++) {
            size_t i = d->vals[k].hash & (ncap - 1);
            while (s[i])
                i = (i + 1) & (ncap - 1);
            s[i] = (uint32_t)k + 1;
        }
        toll__free(a, d->slots, d->slots_cap * sizeof *d->slots);
        d->slots = s;
        d->slots_cap = ncap;
    }
    size_t mask = d->slots_cap - 1, i = v.hash & mask;
    for (; d->slots[i]; i = (i + 1) & mask)
        if (dim_val_eq(d, d->slots[i] - 1, &v)) {
            *code = d->slots[i] - 1;
            return TOLL_OK;
        }
    toll_status st = dim_push(a, d, v, code);
    if (!st)
        d->slots[i] = *code + 1;
    return st;
}

/* ---- periods (numbers and labels: src/core/period.c) ------------------------ */

static toll_status period_code(const toll_allocator *a, dim *d, int64_t num,
                               uint32_t *code)
{
    dim_val v = {NULL, 0, num, mix64((uint64_t)num)};
    return dim_find_add(a, d, v, code);
}

/* Code of the period holding day `day`, and its last day, through a
 * direct-mapped cache of recent days (calendar arithmetic is the costly
 * part of a period key). */
static toll_status day_code(const toll_allocator *a, dim *d, int32_t day,
                            uint32_t *code, int32_t *last)
{
    day_cache *e = &d->cache[(uint32_t)day & (DAY_CACHE - 1)];
    if (e->day == day) {
        *code = e->code;
        *last = e->last;
        return TOLL_OK;
    }
    int64_t num = toll__period_number(d->unit, day);
    toll_status st = period_code(a, d, num, code);
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
    int dense;            /* 1: the dense index is in use */
    uint32_t *index;      /* dense: 1 << (sum of bits) entries */
    size_t index_n;
    unsigned bits[MAX_KEYS], shift[MAX_KEYS];
} groups;

static size_t keys_size(const groups *g, size_t cap)
{
    return cap * (g->nk ? g->nk : 1) * sizeof(uint32_t);
}

static void groups_free(const toll_allocator *a, groups *g)
{
    toll__free(a, g->keys, keys_size(g, g->cap));
    toll__free(a, g->acc, g->cap * sizeof *g->acc);
    toll__free(a, g->slots, 2 * g->slots_cap * sizeof *g->slots);
    toll__free(a, g->index, g->index_n * sizeof *g->index);
    g->keys = NULL;
    g->acc = NULL;
    g->slots = NULL;
    g->index = NULL;
    g->n = g->cap = g->slots_cap = g->index_n = 0;
}

static uint32_t hash_key(const uint32_t *k, size_t nk)
{
    uint64_t h = 0x9E3779B97F4A7C15ull;
    for (size_t i = 0; i < nk; i++)
        h = (h ^ k[i]) * 0x100000001B3ull + 0x9E3779B9u;
    return mix64(h);
}

/* Double the group arrays (new blocks; the old ones stay on failure). */
/* The message of a grouping pass that failed with `st`: out of memory,
 * or more groups / key values than the numbering holds. */
static void group_fail(toll_status st, toll_error *err)
{
    if (st == TOLL_ENOMEM)
        toll__nomem(err);
    else
        toll__err(err, st, "too many groups or key values to summarize");
}

static toll_status groups_grow(const toll_allocator *a, groups *g)
{
    size_t ncap = g->cap ? g->cap * 2 : 64;
    size_t nk = g->nk ? g->nk : 1;
    if (ncap > SIZE_MAX / (nk * sizeof(uint32_t)) ||
        ncap > SIZE_MAX / sizeof(gacc))
        return TOLL_ENOMEM;
    uint32_t *keys = toll__alloc(a, keys_size(g, ncap));
    gacc *acc = toll__alloc(a, ncap * sizeof *acc);
    if (!keys || !acc) {
        toll__free(a, keys, keys_size(g, ncap));
        toll__free(a, acc, ncap * sizeof *acc);
        return TOLL_ENOMEM;
    }
    if (g->n) {
        memcpy(keys, g->keys, keys_size(g, g->n));
        memcpy(acc, g->acc, g->n * sizeof *acc);
    }
    toll__free(a, g->keys, keys_size(g, g->cap));
    toll__free(a, g->acc, g->cap * sizeof *g->acc);
    g->keys = keys;
    g->acc = acc;
    g->cap = ncap;
    return TOLL_OK;
}

static toll_status groups_rehash(const toll_allocator *a, groups *g,
                                 size_t ncap)
{
    uint32_t *s = toll__calloc(a, 2 * ncap, sizeof *s);
    if (!s)
        return TOLL_ENOMEM;
    for (size_t k = 0; k < g->n; k++) {
        uint32_t h = g->acc[k].hash;
        size_t i = h & (ncap - 1);
        while (s[2 * i])
            i = (i + 1) & (ncap - 1);
        s[2 * i] = (uint32_t)k + 1;
        s[2 * i + 1] = h;
    }
    toll__free(a, g->slots, 2 * g->slots_cap * sizeof *g->slots);
    g->slots = s;
    g->slots_cap = ncap;
    return TOLL_OK;
}

static int keys_equal(const uint32_t *x, const uint32_t *y, size_t nk)
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

/* Make room in the dense index for tuple k: rebuild it with wider bits,
 * or leave dense mode (hash table) when the tuples need more than
 * DENSE_BITS bits. */
static toll_status dense_widen(const toll_allocator *a, groups *g,
                               const uint32_t *k)
{
    unsigned bits[MAX_KEYS], total = 0;
    for (size_t i = 0; i < g->nk; i++) {
        unsigned b = g->bits[i];
        while (b < 32 && (k[i] >> b))
            b++;
        bits[i] = b;
        total += b;
    }
    if (total > DENSE_BITS) {
        size_t cap = 64;
        while (cap < 2 * (g->n + 1))
            cap *= 2;
        if (groups_rehash(a, g, cap))
            return TOLL_ENOMEM;
        toll__free(a, g->index, g->index_n * sizeof *g->index);
        g->index = NULL;
        g->index_n = 0;
        g->dense = 0;
        return TOLL_OK;
    }
    size_t n = (size_t)1 << total;
    uint32_t *index = toll__calloc(a, n, sizeof *index);
    if (!index)
        return TOLL_ENOMEM;
    toll__free(a, g->index, g->index_n * sizeof *g->index);
    g->index = index;
    g->index_n = n;
    for (size_t i = 0, sh = 0; i < g->nk; i++) {
        g->bits[i] = bits[i];
        g->shift[i] = (unsigned)sh;
        sh += bits[i];
    }
    for (size_t c = 0; c < g->n; c++)
        g->index[dense_pos(g, g->keys + c * g->nk)] = (uint32_t)c + 1;
    return TOLL_OK;
}

/* Find or add the group of key tuple k; returns its accumulator or NULL
 * with *st set. */
static gacc *group_of(const toll_allocator *a, groups *g, const uint32_t *k,
                      toll_status *st)
{
    size_t nk = g->nk, pos = 0, i = 0;
    uint32_t h = 0;
    if (g->dense) {
        for (size_t j = 0; j < nk; j++)
            if (k[j] >> g->bits[j]) {
                if (dense_widen(a, g, k)) {
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
    if (g->n >= (size_t)UINT32_MAX - 1) {
        *st = TOLL_ERANGE;
        return NULL;
    }
    if ((g->n + 1 > g->cap && groups_grow(a, g)) ||
        (!g->dense && (g->n + 1) * 2 > g->slots_cap &&
         groups_rehash(a, g, g->slots_cap * 2))) {
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

typedef struct sort_val {
    const dim_val *v;
    enum dim_kind kind;
    uint32_t code;
} sort_val;

static int cmp_bytes(const char *a, size_t la, const char *b, size_t lb)
{
    int c = memcmp(a, b, la < lb ? la : lb);
    if (c)
        return c;
    return la < lb ? -1 : la > lb;
}

/* 1 and *v when s[0..len) is a whole number ("12", "-3"). */
static int as_int(const char *s, size_t len, long long *v)
{
    size_t i = len && s[0] == '-';
    if (i == len || len - i > 18)
        return 0;
    long long x = 0;
    for (size_t k = i; k < len; k++) {
        if (s[k] < '0' || s[k] > '9')
            return 0;
        x = x * 10 + (s[k] - '0');
    }
    *v = i ? -x : x;
    return 1;
}

/* Kept-field values: numbers by value, before text; text by bytes; the
 * empty value (no such field) last. */
static int cmp_natural(const char *a, size_t la, const char *b, size_t lb)
{
    long long x = 0, y = 0;
    if (!la || !lb)
        return (la == 0) - (lb == 0);
    int ia = as_int(a, la, &x), ib = as_int(b, lb, &y);
    if (ia && ib)
        return x < y ? -1 : x > y;
    if (ia != ib)
        return ia ? -1 : 1;
    return cmp_bytes(a, la, b, lb);
}

static int cmp_sort_val(const void *pa, const void *pb)
{
    const sort_val *a = pa, *b = pb;
    switch (a->kind) {
    case DIM_PERIOD:
        return a->v->num < b->v->num ? -1 : a->v->num > b->v->num;
    case DIM_GRADE: /* strongest first */
        return a->v->num > b->v->num ? -1 : a->v->num < b->v->num;
    case DIM_FIELD: /* data grades strongest first; numbers as numbers */
        if (a->v->num != b->v->num)
            return a->v->num < b->v->num ? -1 : 1;
        return cmp_natural(a->v->s, a->v->len, b->v->s, b->v->len);
    default:
        return cmp_bytes(a->v->s, a->v->len, b->v->s, b->v->len);
    }
}

/* rank[code] = position of the code in the dimension's order. */
static toll_status dim_rank(const toll_allocator *a, dim *d)
{
    sort_val *sv = toll__alloc(a, (d->n ? d->n : 1) * sizeof *sv);
    d->rank = toll__alloc(a, (d->n ? d->n : 1) * sizeof *d->rank);
    if (!sv || !d->rank) {
        toll__free(a, sv, (d->n ? d->n : 1) * sizeof *sv);
        return TOLL_ENOMEM;
    }
    for (size_t k = 0; k < d->n; k++) {
        sv[k].v = &d->vals[k];
        sv[k].kind = d->kind;
        sv[k].code = (uint32_t)k;
    }
    if (d->n > 1)
        qsort(sv, d->n, sizeof *sv, cmp_sort_val);
    for (size_t k = 0; k < d->n; k++)
        d->rank[sv[k].code] = (uint32_t)k;
    toll__free(a, sv, (d->n ? d->n : 1) * sizeof *sv);
    return TOLL_OK;
}

typedef struct row_order {
    uint32_t rank[MAX_KEYS];
    uint32_t group;
} row_order;

static int cmp_row_order(const void *pa, const void *pb)
{
    const row_order *a = pa, *b = pb;
    for (size_t k = 0; k < MAX_KEYS; k++)
        if (a->rank[k] != b->rank[k])
            return a->rank[k] < b->rank[k] ? -1 : 1;
    return 0;
}

typedef struct keyed_row {
    uint64_t key;
    uint32_t row;
} keyed_row;

/*
 * Sort rows as cmp_row_order does, when the ranks of all keys fit in one
 * 64-bit number (rank of the first key in the high bits): an LSD radix
 * sort on 16-bit digits, linear in the rows (qsort with the 8-rank
 * comparison dominated tables of 10^5 rows and more).  The ranks of two
 * rows always differ, so the order is the same.  TOLL_OK: sorted;
 * TOLL_ENOMEM; *fits = 0 when the ranks do not fit (nothing done: use
 * qsort).
 */
static toll_status sort_rows_radix(const toll_allocator *a, const dim *dims,
                           size_t nk, row_order *ord, size_t n, int *fits)
{
    unsigned bits[MAX_KEYS], total = 0;
    *fits = 0;
    for (size_t k = 0; k < nk; k++) {
        unsigned b = 0;
        while (b < 32 && (((uint64_t)dims[k].n - 1) >> b))
            b++;
        bits[k] = b;
        total += b;
    }
    if (total > 64)
        return TOLL_OK;
    *fits = 1;
    keyed_row *x = toll__alloc(a, n * sizeof *x);
    keyed_row *y = toll__alloc(a, n * sizeof *y);
    row_order *sorted = toll__alloc(a, n * sizeof *sorted);
    uint32_t *count = toll__alloc(a, 65536 * sizeof *count);
    toll_status st = TOLL_OK;
    if (!x || !y || !sorted || !count) {
        st = TOLL_ENOMEM;
        goto cleanup;
    }
    for (size_t r = 0; r < n; r++) {
        uint64_t key = 0;
        for (size_t k = 0; k < nk; k++)
            key = bits[k] ? (key << bits[k]) | ord[r].rank[k] : key;
        x[r].key = key;
        x[r].row = (uint32_t)r;
    }
    for (unsigned shift = 0; shift < total; shift += 16) {
        memset(count, 0, 65536 * sizeof *count);
        for (size_t r = 0; r < n; r++)
            count[(x[r].key >> shift) & 0xFFFF]++;
        uint32_t sum = 0;
        for (size_t d = 0; d < 65536; d++) {
            uint32_t t = count[d];
            count[d] = sum;
            sum += t;
        }
        for (size_t r = 0; r < n; r++)
            y[count[(x[r].key >> shift) & 0xFFFF]++] = x[r];
        keyed_row *t = x;
        x = y;
        y = t;
    }
    for (size_t r = 0; r < n; r++)
        sorted[r] = ord[x[r].row];
    memcpy(ord, sorted, n * sizeof *ord);
cleanup:
    toll__free(a, x, n * sizeof *x);
    toll__free(a, y, n * sizeof *y);
    toll__free(a, sorted, n * sizeof *sorted);
    toll__free(a, count, 65536 * sizeof *count);
    return st;
}

/* ---- the summary ------------------------------------------------------------------ */

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
    double low, best, high, share;
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
    groups g;
    actor_part *aparts;
    size_t aparts_cap;
    period_part *pparts;
    size_t pparts_cap;
    toll__iv *iv;            /* interval accumulator (src/stats/intervals.c) */
    pending pend[PENDING];   /* contributions not yet applied */
    size_t npend;
    int rows_sorted;         /* 1: the groups are in the table's order and
                                each dim's rank is set (fast_cached) */
    struct kpacc *kacc;      /* fast_cached: the groups' sums (g->acc
                                unused), kacc_n allocated */
    size_t kacc_n;
} ctx;

/* Code of string id `id` in dim d (actor labels/members, categories). */
static toll_status string_code(ctx *c, dim *d, uint32_t id, uint32_t *code)
{
    if (d->by_id[id]) {
        *code = d->by_id[id] - 1;
        return TOLL_OK;
    }
    dim_val v;
    if (d->kind == DIM_ACTOR && id == 0) {
        v.s = "unknown";
        v.len = 7;
    } else { /* the incidents' id space (src/reconcile/reconcile.h) */
        v.s = toll__inc_str(c->inc, id);
        v.len = toll__inc_strlen(c->inc, id);
    }
    v.num = 0;
    v.hash = 0;
    if (d->kind == DIM_FIELD && d->data_grade) /* strongest first */
        v.num = 5 - toll__data_grade_rank(v.s, v.len);
    toll_status st = dim_push(c->ta, d, v, code);
    if (!st)
        d->by_id[id] = *code + 1;
    return st;
}

/* Code of region string id `id` (truncated to d->levels levels). */
static toll_status region_code(ctx *c, dim *d, uint32_t id, uint32_t *code)
{
    if (d->by_id[id]) {
        *code = d->by_id[id] - 1;
        return TOLL_OK;
    }
    const char *s = toll__inc_str(c->inc, id);
    size_t len = toll__inc_strlen(c->inc, id);
    if (d->levels > 0) {
        int seen = 0;
        for (size_t i = 0; i < len; i++)
            if (s[i] == '/' && ++seen == d->levels) {
                len = i;
                break;
            }
    }
    dim_val v = {s, len, 0, hash_str(s, len)};
    toll_status st = dim_find_add(c->ta, d, v, code);
    if (!st)
        d->by_id[id] = *code + 1;
    return st;
}

static int region_matches(const ctx *c, uint32_t id)
{
    size_t len = toll__inc_strlen(c->inc, id);
    const char *s = toll__inc_str(c->inc, id);
    if (len < c->prefix_len || memcmp(s, c->prefix, c->prefix_len) != 0)
        return 0;
    return len == c->prefix_len || s[c->prefix_len] == '/';
}

static int actors_match(const ctx *c, uint32_t set)
{
    if (set == 0)
        return c->filter_unknown;
    for (size_t k = 0; k < c->n_filter_actors; k++)
        if (c->filter_actors[k] &&
            toll__inc_set_contains(c->inc, set, c->filter_actors[k]))
            return 1;
    return 0;
}

/* Split integer `total` over the parts in proportion to days (of `tdays`):
 * floor(total * days_i / tdays) each, remainder to the first part. */
static void split_int(int64_t total, const period_part *pp, size_t np,
                      int64_t tdays, int64_t *out)
{
    int64_t q = total / tdays, r = total % tdays, sum = 0;
    for (size_t k = 0; k < np; k++) {
        out[k] = q * pp[k].days + (r * pp[k].days) / tdays;
        sum += out[k];
    }
    if (np)
        out[0] += total - sum;
}

#if defined(__GNUC__)
#define PREFETCH(p) __builtin_prefetch((const void *)(p))
#else
#define PREFETCH(p) ((void)(p))
#endif

/* Apply one contribution to its group. */
static toll_status apply(ctx *c, const pending *p)
{
    toll_status st = TOLL_OK;
    gacc *ga = group_of(c->ta, &c->g, p->key, &st);
    if (!ga)
        return st;
    ga->incidents += 1;
    ga->reports += p->reports;
    ga->open += (p->cf & TOLL__C_OPEN) != 0;
    ga->denied += (p->cf & TOLL__C_DENIED) != 0;
    ga->contested += p->contested;
    ga->low += p->low * p->share;
    ga->best += p->best * p->share;
    ga->high += p->high * p->share;
    if (c->iv) /* probabilistic interval */
        st = toll__iv_add(c->iv, (size_t)(ga - c->g.acc), (int64_t)p->low,
                          (int64_t)p->high, p->best, p->share,
                          (p->cf & TOLL__C_OPEN) != 0);
    return st;
}

/* Apply the pending contributions, in order, after prefetching their
 * groups' slots. */
static toll_status flush_pending(ctx *c)
{
    groups *g = &c->g;
    toll_status st = TOLL_OK;
    for (size_t k = 0; k < c->npend; k++) {
        const uint32_t *key = c->pend[k].key;
        if (g->dense) {
            size_t j = 0;
            while (j < g->nk && !(key[j] >> g->bits[j]))
                j++;
            if (j == g->nk)
                PREFETCH(g->index + dense_pos(g, key));
        } else {
            uint32_t h = hash_key(key, g->nk);
            PREFETCH(g->slots + 2 * (h & (g->slots_cap - 1)));
        }
    }
    for (size_t k = 0; k < c->npend && !st; k++)
        st = apply(c, &c->pend[k]);
    c->npend = 0;
    return st;
}

static toll_status aggregate(ctx *c, toll_error *err)
{
    const toll_incidents *inc = c->inc;
    const toll_allocator *a = c->ta;
    toll_status st = TOLL_OK;
    int64_t *psplit = NULL, *plow = NULL, *phigh = NULL;
    size_t psplit_cap = 0; /* parts; psplit holds 2 * psplit_cap */
    uint32_t key[MAX_KEYS] = {0};

    for (size_t i = 0; i < inc->n; i++) {
        /* ---- filters ---- */
        if (inc->grade[i] < c->min_grade)
            continue;
        int32_t ds = inc->date_start[i];
        if (c->from != TOLL_NO_DATE || c->to != TOLL_NO_DATE) {
            if (ds == TOLL_NO_DATE)
                continue;
            if (c->from != TOLL_NO_DATE && ds < c->from)
                continue;
            if (c->to != TOLL_NO_DATE && ds > c->to)
                continue;
        }
        if (c->prefix_len && !region_matches(c, inc->region[i]))
            continue;
        if (c->n_filter_actors && !actors_match(c, inc->actors[i]))
            continue;
        if (toll__where_active(&c->where) && !toll__where_match(&c->where, i))
            continue;
        /* Cells that count. */
        size_t cb = inc->c_begin[i], cn = inc->c_count[i], nknown = 0;
        for (size_t k = cb; k < cb + cn; k++)
            if ((inc->c_flags[k] & TOLL__C_KNOWN) &&
                (c->all_categories || inc->c_category[k] == c->category))
                nknown++;
        if (nknown == 0)
            continue;

        /* ---- single-valued keys ---- */
        uint32_t set = inc->actors[i];
        if (c->region_dim >= 0 &&
            (st = region_code(c, &c->dims[c->region_dim], inc->region[i],
                              &key[c->region_dim])))
            goto fail;
        if (c->grade_dim >= 0) {
            dim *d = &c->dims[c->grade_dim];
            unsigned gr = inc->grade[i] < 5 ? inc->grade[i] : 0;
            if (!d->by_id[gr]) {
                const char *l = grade_label(gr);
                dim_val v = {l, strlen(l), (int64_t)gr, 0};
                uint32_t code;
                if ((st = dim_push(a, d, v, &code)))
                    goto fail;
                d->by_id[gr] = code + 1;
            }
            key[c->grade_dim] = d->by_id[gr] - 1;
        }
        for (size_t k = 0; k < c->ndims; k++) /* kept fields */
            if (c->dims[k].kind == DIM_FIELD &&
                (st = string_code(c, &c->dims[k], c->dims[k].fvals[i],
                                  &key[k])))
                goto fail;

        /* ---- actors: parts ---- */
        size_t na = 1;
        double ashare = 1.0;
        if (c->actor_dim >= 0) {
            dim *d = &c->dims[c->actor_dim];
            if (c->attribution == TOLL_ATTR_JOINT || set == 0) {
                uint32_t lid =
                    set ? toll__inc_set_label(inc, set) : c->unknown_actor;
                if ((st = string_code(c, d, lid, &c->aparts[0].code)))
                    goto fail;
            } else {
                na = toll__inc_set_size(inc, set);
                if (na > c->aparts_cap &&
                    (st = toll__grow(a, (void **)&c->aparts, &c->aparts_cap,
                                     na, sizeof *c->aparts)))
                    goto fail;
                const uint32_t *m = toll__inc_set_members(inc, set);
                for (size_t k = 0; k < na; k++)
                    if ((st = string_code(c, d, m[k], &c->aparts[k].code)))
                        goto fail;
                if (c->attribution == TOLL_ATTR_SPLIT)
                    ashare = 1.0 / (double)na;
            }
        }

        /* ---- periods: parts ---- */
        size_t np = 1;
        int64_t tdays = 1;
        c->pparts[0].days = 1;
        if (c->period_dim >= 0) {
            dim *d = &c->dims[c->period_dim];
            int32_t de = inc->date_end[i];
            if (ds == TOLL_NO_DATE) {
                if ((st = period_code(a, d, TOLL__NO_PERIOD,
                                      &c->pparts[0].code)))
                    goto fail;
            } else if (c->span == TOLL_SPAN_START || de == TOLL_NO_DATE ||
                       de <= ds) {
                int32_t last;
                if ((st = day_code(a, d, ds, &c->pparts[0].code, &last)))
                    goto fail;
            } else {
                tdays = (int64_t)de - ds + 1;
                np = 0;
                for (int64_t day = ds; day <= de;) {
                    int32_t last;
                    if (np + 1 > c->pparts_cap &&
                        (st = toll__grow(a, (void **)&c->pparts,
                                         &c->pparts_cap, np + 1,
                                         sizeof *c->pparts)))
                        goto fail;
                    if ((st = day_code(a, d, (int32_t)day,
                                       &c->pparts[np].code, &last)))
                        goto fail;
                    int64_t end = last < de ? last : de;
                    c->pparts[np].days = end - day + 1;
                    np++;
                    day = end + 1;
                }
                if (np > psplit_cap) {
                    size_t ncap = c->pparts_cap;
                    int64_t *p2 = toll__alloc(a, 2 * ncap * sizeof *p2);
                    if (!p2) {
                        st = TOLL_ENOMEM;
                        goto fail;
                    }
                    toll__free(a, psplit, 2 * psplit_cap * sizeof *psplit);
                    psplit = p2;
                    psplit_cap = ncap;
                    plow = psplit;
                    phigh = psplit + ncap;
                }
            }
        }

        /* ---- enumerate and accumulate ---- */
        int64_t r_count = inc->r_count[i];
        int contested = (inc->flags[i] & TOLL_FLAG_CONTESTED) != 0;
        for (size_t k = cb; k < cb + cn; k++) {
            uint8_t cf = inc->c_flags[k];
            if (!(cf & TOLL__C_KNOWN) ||
                !(c->all_categories || inc->c_category[k] == c->category))
                continue;
            if (c->category_dim >= 0 &&
                (st = string_code(c, &c->dims[c->category_dim],
                                  inc->c_category[k], &key[c->category_dim])))
                goto fail;
            int64_t lo = inc->c_low[k], hi = inc->c_high[k];
            double best = inc->c_best[k];
            toll__kclamp(&lo, &hi, &best);
            if (np > 1) {
                split_int(lo, c->pparts, np, tdays, plow);
                split_int(hi, c->pparts, np, tdays, phigh);
            }
            for (size_t pi = 0; pi < np; pi++) {
                double plo = np > 1 ? (double)plow[pi] : (double)lo;
                double phi = np > 1 ? (double)phigh[pi] : (double)hi;
                double pbe = np > 1 ? best * (double)c->pparts[pi].days /
                                          (double)tdays
                                    : best;
                if (c->period_dim >= 0)
                    key[c->period_dim] = c->pparts[pi].code;
                for (size_t ai = 0; ai < na; ai++) {
                    if (c->actor_dim >= 0)
                        key[c->actor_dim] = c->aparts[ai].code;
                    pending *p = &c->pend[c->npend++];
                    memcpy(p->key, key, sizeof p->key);
                    p->low = plo;
                    p->best = pbe;
                    p->high = phi;
                    p->share = ashare;
                    p->reports = r_count;
                    p->cf = cf;
                    p->contested = (uint8_t)contested;
                    if (c->npend == PENDING && (st = flush_pending(c)))
                        goto fail;
                }
            }
        }
    }
    if ((st = flush_pending(c)))
        goto fail;
    goto cleanup;
fail:
    group_fail(st, err);
cleanup:
    toll__free(a, psplit, 2 * psplit_cap * sizeof *psplit);
    return st;
}

/* ---- fast path: columnar passes (src/summarize/kernel.c) ------------------------ */

/*
 * The common case -- no filters, no intervals, no kept-field keys, joint
 * attribution (or no actor key), span start (or no period key) -- runs as
 * columnar passes instead of aggregate():
 *   1. records (src/summarize/kernel.h): one per known cell in the
 *      category (in every category when `category` is a key); per record
 *      its key codes, through tables made for the call (actor set ->
 *      code, region string id -> code, day -> code), and its values (low,
 *      best, high, reports, flags) as columns;
 *   2. groups: a record's key codes as one mixed-radix number; when the
 *      product of the keys' cardinalities is small that number is the
 *      group (dense accumulators), otherwise groups are numbered through a
 *      hash table of the numbers (first-seen order);
 *   3. toll__kernel_accumulate: branch-free sums into 48-byte accumulators;
 *   4. the non-empty groups are compacted into c->g for build_table.
 * The results are those of aggregate(): each key gets the same set of
 * values (maybe under other codes, but build_table orders codes, rows and
 * dictionaries by value), each contribution is one record with share 1
 * (x * 1.0 == x), and each group's sums are added in record order, which is
 * aggregate()'s order (incident, then cell).
 */
#if defined(__GNUC__)
#define TOLL__UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define TOLL__UNLIKELY(x) (x)
#endif
#define FAST_DENSE_MIN ((uint64_t)1 << 16) /* dense up to this many groups */
#define FAST_DENSE_MAX ((uint64_t)1 << 21) /* or up to 2 per record */
#define FAST_DAYS_MAX ((int64_t)1 << 22)   /* span of the day table */

static int fast_applies(const ctx *c)
{
    if (c->iv || c->min_grade > TOLL_GRADE_NONE || c->from != TOLL_NO_DATE ||
        c->to != TOLL_NO_DATE || c->prefix_len || c->n_filter_actors ||
        toll__where_active(&c->where))
        return 0;
    if (c->actor_dim >= 0 && c->attribution != TOLL_ATTR_JOINT)
        return 0;
    if (c->period_dim >= 0 && c->span != TOLL_SPAN_START)
        return 0;
    /* The mixed-radix numbers must fit in 63 bits: bound each key's
     * values by its sources and by the records. */
    uint64_t prod = 1, recs = (uint64_t)c->inc->nc + 1;
    for (size_t k = 0; k < c->ndims; k++) {
        uint64_t b;
        switch (c->dims[k].kind) {
        case DIM_ACTOR: b = (uint64_t)toll__inc_nsets(c->inc) + 1; break;
        case DIM_REGION: b = (uint64_t)toll__inc_nstrings(c->inc); break;
        case DIM_PERIOD: b = (uint64_t)c->inc->n + 1; break;
        case DIM_CATEGORY: b = (uint64_t)toll__inc_nstrings(c->inc); break;
        case DIM_GRADE: b = 5; break;
        default: return 0; /* kept fields */
        }
        b = b < recs ? b : recs;
        b = b ? b : 1;
        if (prod > ((uint64_t)1 << 62) / b)
            return 0;
        prod *= b;
    }
    return 1;
}

/* The mixed-radix number of each record: into out64, or into out32 when
 * it fits (dense).  Unrolled for up to 4 keys. */
static void fast_compose(uint32_t *const *rc, const uint64_t *stride,
                         size_t nk, size_t nr, uint64_t *out64,
                         uint32_t *out32)
{
#define COMPOSE(expr)                                                         \
    do {                                                                      \
        if (out32)                                                            \
            for (size_t r = 0; r < nr; r++)                                   \
                out32[r] = (uint32_t)(expr);                                  \
        else                                                                  \
            for (size_t r = 0; r < nr; r++)                                   \
                out64[r] = (expr);                                            \
    } while (0)
    const uint32_t *r0 = nk > 0 ? rc[0] : NULL, *r1 = nk > 1 ? rc[1] : NULL,
                   *r2 = nk > 2 ? rc[2] : NULL, *r3 = nk > 3 ? rc[3] : NULL;
    uint64_t s0 = nk > 0 ? stride[0] : 0, s1 = nk > 1 ? stride[1] : 0,
             s2 = nk > 2 ? stride[2] : 0;
    switch (nk) {
    case 0: COMPOSE((uint64_t)0); break;
    case 1: COMPOSE((uint64_t)r0[r]); break; /* stride 1 */
    case 2: COMPOSE(r0[r] * s0 + r1[r]); break;
    case 3: COMPOSE(r0[r] * s0 + r1[r] * s1 + r2[r]); break;
    case 4: COMPOSE(r0[r] * s0 + r1[r] * s1 + r2[r] * s2 + r3[r]); break;
    default: {
        uint64_t x;
        for (size_t r = 0; r < nr; r++) {
            x = 0;
            for (size_t k = 0; k < nk; k++)
                x += rc[k][r] * stride[k];
            if (out32)
                out32[r] = (uint32_t)x;
            else
                out64[r] = x;
        }
    }
    }
#undef COMPOSE
}

/* The string ids the fast path looks up in a key's by_id are the
 * incidents' regions, the actor sets' labels (and "unknown") and the
 * cells' categories: by_id need only reach the largest of them, instead of
 * spanning (and zeroing) the whole string pool on every call. */
static size_t fast_by_id_n(const ctx *c, const dim *d)
{
    const toll_incidents *inc = c->inc;
    uint32_t mx = 0;
    switch (d->kind) {
    case DIM_ACTOR:
        mx = c->unknown_actor;
        for (size_t s = 0, ns = toll__inc_nsets(inc); s < ns; s++) {
            uint32_t l = toll__inc_set_label(inc, (uint32_t)s);
            mx = l > mx ? l : mx;
        }
        break;
    case DIM_REGION:
        for (size_t i = 0; i < inc->n; i++)
            mx = inc->region[i] > mx ? inc->region[i] : mx;
        break;
    case DIM_CATEGORY:
        for (size_t k = 0; k < inc->nc; k++)
            mx = inc->c_category[k] > mx ? inc->c_category[k] : mx;
        break;
    default: /* not a fast-path key: the whole pool */
        return toll__inc_nstrings(inc);
    }
    return (size_t)mx + 1;
}

static toll_status fast_aggregate(ctx *c, int *used, toll_error *err)
{
    const toll_incidents *inc = c->inc;
    const toll_allocator *a = c->ta;
    groups *g = &c->g;
    size_t n = inc->n, nk = c->ndims, cap = inc->nc + 1, nr = 0, ng = 0;
    toll_status st = TOLL_OK;
    uint32_t *rc[MAX_KEYS] = {NULL}; /* per record: code of each key */
    uint32_t *amap = NULL, *pmap = NULL; /* set / day - dmin -> code + 1 */
    size_t amap_n = 0, pmap_n = 0;
    int32_t dmin = 0;
    uint64_t *gk = NULL, stride[MAX_KEYS], card[MAX_KEYS];
    uint32_t *gfirst = NULL; /* hashed: first record of each group */
    uint64_t prod = 1;
    toll__kacc *acc = NULL;
    size_t acc_n = 0;
    uint32_t *group = NULL; /* per record: its group */
    dim *dA = c->actor_dim >= 0 ? &c->dims[c->actor_dim] : NULL;
    dim *dR = c->region_dim >= 0 ? &c->dims[c->region_dim] : NULL;
    dim *dP = c->period_dim >= 0 ? &c->dims[c->period_dim] : NULL;
    dim *dC = c->category_dim >= 0 ? &c->dims[c->category_dim] : NULL;
    dim *dG = c->grade_dim >= 0 ? &c->dims[c->grade_dim] : NULL;
    uint32_t *rA = NULL, *rR = NULL, *rP = NULL, *rC = NULL, *rG = NULL;
    uint32_t *rec_cell = NULL, *rec_inc = NULL; /* per record */

    if (!(rec_cell = toll__alloc(a, cap * sizeof *rec_cell)) ||
        !(rec_inc = toll__alloc(a, cap * sizeof *rec_inc)) ||
        !(group = toll__alloc(a, cap * sizeof *group)))
        goto nomem;
    for (size_t k = 0; k < nk; k++)
        if (!(rc[k] = toll__alloc(a, cap * sizeof *rc[k])))
            goto nomem;
    rA = dA ? rc[c->actor_dim] : NULL;
    rR = dR ? rc[c->region_dim] : NULL;
    rP = dP ? rc[c->period_dim] : NULL;
    rC = dC ? rc[c->category_dim] : NULL;
    rG = dG ? rc[c->grade_dim] : NULL;
    if (dA) {
        amap_n = toll__inc_nsets(inc);
        if (!(amap = toll__calloc(a, amap_n, sizeof *amap)))
            goto nomem;
    }
    if (dP) { /* a table over the days of the incidents, if not too wide */
        int32_t lo = INT32_MAX, hi = INT32_MIN;
        for (size_t i = 0; i < n; i++) {
            int32_t ds = inc->date_start[i];
            if (ds != TOLL_NO_DATE) {
                lo = ds < lo ? ds : lo;
                hi = ds > hi ? ds : hi;
            }
        }
        if (lo > hi) /* no dates: only the empty period */
            lo = hi = 0;
        if ((int64_t)hi - lo < FAST_DAYS_MAX) {
            dmin = lo;
            pmap_n = (size_t)((int64_t)hi - lo + 2); /* + no date */
            if (!(pmap = toll__calloc(a, pmap_n, sizeof *pmap)))
                goto nomem;
        }
    }

    /* ---- 1. records: the cells that count (rec_cell, rec_inc) ---- */
    {
        const uint32_t cat = c->category;
        const int all = c->all_categories;
        for (size_t i = 0; i < n; i++) {
            size_t cb = inc->c_begin[i], ce = cb + inc->c_count[i];
            for (size_t k = cb; k < ce; k++) {
                int ok = (inc->c_flags[k] & TOLL__C_KNOWN) &&
                         (all || inc->c_category[k] == cat);
                rec_cell[nr] = (uint32_t)k;
                rec_inc[nr] = (uint32_t)i;
                nr += (size_t)ok;
            }
        }
    }
    /* their key codes, key by key, through the tables of the call (codes
     * are made on first sight, as aggregate() makes them) */
    if (dA)
        for (size_t r = 0; r < nr; r++) {
            uint32_t set = inc->actors[rec_inc[r]], v = amap[set];
            if (TOLL__UNLIKELY(!v)) {
                uint32_t lid =
                    set ? toll__inc_set_label(inc, set) : c->unknown_actor;
                if ((st = string_code(c, dA, lid, &v)))
                    goto fail;
                amap[set] = ++v;
            }
            rA[r] = v - 1;
        }
    if (dR)
        for (size_t r = 0; r < nr; r++) {
            uint32_t id = inc->region[rec_inc[r]], v = dR->by_id[id];
            if (TOLL__UNLIKELY(!v)) {
                if ((st = region_code(c, dR, id, &v)))
                    goto fail;
                v++;
            }
            rR[r] = v - 1;
        }
    if (dP)
        for (size_t r = 0; r < nr; r++) {
            int32_t ds = inc->date_start[rec_inc[r]], last;
            /* the table's last entry is the empty period (no date) */
            size_t x = ds == TOLL_NO_DATE ? pmap_n - 1
                       : pmap              ? (size_t)((int64_t)ds - dmin)
                                           : 0;
            uint32_t v = pmap ? pmap[x] : 0;
            if (TOLL__UNLIKELY(!v)) {
                if (ds == TOLL_NO_DATE)
                    st = period_code(a, dP, TOLL__NO_PERIOD, &v);
                else
                    st = day_code(a, dP, ds, &v, &last);
                if (st)
                    goto fail;
                v++;
                if (pmap)
                    pmap[x] = v;
            }
            rP[r] = v - 1;
        }
    if (dG)
        for (size_t r = 0; r < nr; r++) {
            unsigned gr = inc->grade[rec_inc[r]];
            gr = gr < 5 ? gr : 0;
            if (TOLL__UNLIKELY(!dG->by_id[gr])) {
                const char *l = grade_label(gr);
                dim_val v = {l, strlen(l), (int64_t)gr, 0};
                uint32_t code;
                if ((st = dim_push(a, dG, v, &code)))
                    goto fail;
                dG->by_id[gr] = code + 1;
            }
            rG[r] = dG->by_id[gr] - 1;
        }
    if (dC)
        for (size_t r = 0; r < nr; r++) {
            uint32_t id = inc->c_category[rec_cell[r]], v = dC->by_id[id];
            if (TOLL__UNLIKELY(!v)) {
                if ((st = string_code(c, dC, id, &v)))
                    goto fail;
                v++;
            }
            rC[r] = v - 1;
        }

    /* ---- 2. groups: mixed-radix numbers ---- */
    for (size_t k = nk; k-- > 0;) {
        card[k] = c->dims[k].n ? c->dims[k].n : 1;
        stride[k] = prod;
        prod *= card[k]; /* fits: fast_applies bounded it */
    }
    if (prod <= FAST_DENSE_MIN ||
        (prod <= FAST_DENSE_MAX && prod <= 2 * (uint64_t)nr)) {
        fast_compose(rc, stride, nk, nr, NULL, group);
        acc_n = (size_t)prod;
        *used = TOLL__AGG_USED_DENSE;
    } else {
        if (!(gk = toll__alloc(a, cap * sizeof *gk)) ||
            !(gfirst = toll__alloc(a, cap * sizeof *gfirst)))
            goto nomem;
        fast_compose(rc, stride, nk, nr, gk, NULL);
        if ((st = toll__kernel_group_hash(a, gk, nr, group, gfirst, &ng)))
            goto fail;
        acc_n = ng ? ng : 1;
        *used = TOLL__AGG_USED_HASH;
    }
    toll__free(a, gk, cap * sizeof *gk);
    gk = NULL;

    /* ---- 3. accumulate ---- */
    if (!(acc = toll__calloc(a, acc_n, sizeof *acc)))
        goto nomem;
    {
        toll__krecs recs = {nr, group, rec_cell, rec_inc};
        toll__kernel_accumulate(acc, &recs, inc);
    }

    /* ---- 4. compact into the groups ---- */
    if (!gfirst) { /* dense: the positions that received a record */
        ng = 0;
        for (size_t p = 0; p < acc_n; p++)
            ng += acc[p].incidents != 0;
    } /* hashed: groups in first-seen order */
    if (ng) {
        g->cap = ng; /* groups_free frees with this size */
        if (ng > SIZE_MAX / sizeof(gacc) ||
            !(g->keys = toll__alloc(a, keys_size(g, ng))) ||
            !(g->acc = toll__alloc(a, ng * sizeof *g->acc)))
            goto nomem;
        uint32_t digit[MAX_KEYS] = {0}; /* dense: the codes of position p */
        for (size_t p = 0, out = 0; out < ng; p++) {
            const toll__kacc *s = &acc[p];
            if (gfirst) { /* the codes of the group's first record */
                for (size_t k = 0; k < nk; k++)
                    g->keys[out * nk + k] = rc[k][gfirst[p]];
            } else {
                if (p) /* next position: count in mixed radix */
                    for (size_t k = nk; k-- > 0;) {
                        if (++digit[k] < card[k])
                            break;
                        digit[k] = 0;
                    }
                if (!s->incidents)
                    continue;
                for (size_t k = 0; k < nk; k++)
                    g->keys[out * nk + k] = digit[k];
            }
            gacc *d = &g->acc[out++];
            *d = (gacc){.incidents = s->incidents,
                        .reports = (int64_t)s->reports,
                        .open = s->open,
                        .denied = s->denied,
                        .contested = s->contested,
                        .low = s->low,
                        .best = s->best,
                        .high = s->high,
                        .hash = 0};
        }
        g->n = ng;
    }
    goto cleanup;
nomem:
    st = TOLL_ENOMEM;
fail:
    group_fail(st, err);
cleanup:
    for (size_t k = 0; k < nk; k++)
        toll__free(a, rc[k], cap * sizeof *rc[k]);
    toll__free(a, rec_cell, cap * sizeof *rec_cell);
    toll__free(a, rec_inc, cap * sizeof *rec_inc);
    toll__free(a, group, cap * sizeof *group);
    toll__free(a, amap, amap_n * sizeof *amap);
    toll__free(a, pmap, pmap_n * sizeof *pmap);
    toll__free(a, gk, cap * sizeof *gk);
    toll__free(a, gfirst, cap * sizeof *gfirst);
    toll__free(a, acc, acc_n * sizeof *acc);
    return st;
}

/* ---- fast path over cached key codes (src/summarize/kernel.h) ---------------- */

/*
 * Each key's codes come from a column cached on the incidents object
 * (built by the first call that needs it, numbered in value order), so a
 * call only gathers codes, makes mixed-radix numbers and adds.  The groups
 * come out in the table's order: dense positions are visited in increasing
 * number, and hashed groups are put in increasing number before the
 * accumulation.  The values a call uses become its dims' values (in code
 * order, so their ranks are their codes) and build_table runs as for the
 * other paths.  Same records, same order of addition, same values as
 * aggregate() (see fast_aggregate).
 */

typedef struct klabel {
    const char *s;
    size_t len;
    uint32_t sid;
} klabel;

static int cmp_klabel(const void *pa, const void *pb)
{
    const klabel *a = pa, *b = pb;
    return cmp_bytes(a->s, a->len, b->s, b->len);
}

/* The label of source id `sid` for the key of `slot`. */
static klabel klabel_of(const ctx *c, int slot, uint32_t sid)
{
    klabel l = {NULL, 0, sid};
    if (slot == TOLL__KC_ACTOR) {
        if (sid == 0) {
            l.s = "unknown";
            l.len = 7;
            return l;
        }
        sid = toll__inc_set_label(c->inc, sid);
    }
    l.s = toll__inc_str(c->inc, sid); /* src/reconcile/reconcile.h */
    l.len = toll__inc_strlen(c->inc, sid);
    if (slot > TOLL__KC_REGION) { /* region:K: the first levels */
        int levels = slot - TOLL__KC_REGION, seen = 0;
        for (size_t i = 0; i < l.len; i++)
            if (l.s[i] == '/' && ++seen == levels) {
                l.len = i;
                break;
            }
    }
    return l;
}

/* A label column: entry e's value is the label of source id sid[e]. */
static toll_status kcol_build_labels(const ctx *c, int slot,
                                     const uint32_t *sid, size_t n,
                                     toll__kcol **out)
{
    const toll_allocator *a = &c->inc->alloc;
    uint32_t mx = 0, *map = NULL;
    klabel *items = NULL;
    size_t nu = 0, nv = 0;
    toll__kcol *col = NULL;
    toll_status st = TOLL_OK;
    for (size_t e = 0; e < n; e++)
        mx = sid[e] > mx ? sid[e] : mx;
    if (!(map = toll__calloc(a, (size_t)mx + 1, sizeof *map)))
        goto nomem;
    for (size_t e = 0; e < n; e++)
        map[sid[e]] = 1;
    for (size_t s = 0; s <= mx; s++)
        nu += map[s];
    if (!(items = toll__alloc(a, (nu ? nu : 1) * sizeof *items)))
        goto nomem;
    for (size_t s = 0, j = 0; s <= mx; s++)
        if (map[s])
            items[j++] = klabel_of(c, slot, (uint32_t)s);
    if (nu > 1)
        qsort(items, nu, sizeof *items, cmp_klabel);
    for (size_t j = 0; j < nu; j++)
        nv += j == 0 || cmp_klabel(&items[j - 1], &items[j]) != 0;
    if (!(col = toll__kcol_new(a, n, nv, 1)))
        goto nomem;
    for (size_t j = 0, v = 0; j < nu; j++) {
        if (j && cmp_klabel(&items[j - 1], &items[j]) != 0)
            v++;
        col->str[v] = items[j].s;
        col->len[v] = items[j].len;
        map[items[j].sid] = (uint32_t)v;
    }
    for (size_t e = 0; e < n; e++)
        col->code[e] = map[sid[e]];
    *out = col;
    col = NULL;
    goto cleanup;
nomem:
    st = TOLL_ENOMEM;
cleanup:
    toll__free(a, map, ((size_t)mx + 1) * sizeof *map);
    toll__free(a, items, (nu ? nu : 1) * sizeof *items);
    toll__kcol_free(a, col);
    return st;
}

/* A period column: the incidents' start days by period (code NULL when
 * the days span more than FAST_DAYS_MAX). */
static toll_status kcol_build_period(const ctx *c, toll_period_unit u,
                                     toll__kcol **out)
{
    const toll_incidents *inc = c->inc;
    const toll_allocator *a = &inc->alloc;
    size_t n = inc->n, nd = 0, nv = 0;
    int32_t lo = INT32_MAX, hi = INT32_MIN;
    int nodate = 0;
    uint32_t *dmap = NULL; /* day - lo -> code + 1 (0: no incident) */
    toll__kcol *col = NULL;
    toll_status st = TOLL_OK;
    for (size_t i = 0; i < n; i++) {
        int32_t ds = inc->date_start[i];
        if (ds == TOLL_NO_DATE) {
            nodate = 1;
        } else {
            lo = ds < lo ? ds : lo;
            hi = ds > hi ? ds : hi;
        }
    }
    if (lo <= hi && (int64_t)hi - lo >= FAST_DAYS_MAX) {
        if (!(col = toll__calloc(a, 1, sizeof *col)))
            goto nomem;
        *out = col; /* not cacheable: code NULL */
        return TOLL_OK;
    }
    nd = lo <= hi ? (size_t)((int64_t)hi - lo + 1) : 0;
    if (!(dmap = toll__calloc(a, nd ? nd : 1, sizeof *dmap)))
        goto nomem;
    for (size_t i = 0; i < n; i++)
        if (inc->date_start[i] != TOLL_NO_DATE)
            dmap[inc->date_start[i] - lo] = 1;
    /* days in order give period numbers in order */
    int64_t prev = 0;
    for (size_t d = 0; d < nd; d++)
        if (dmap[d]) {
            int64_t num = toll__period_number(u, (int32_t)(lo + (int64_t)d));
            nv += nv == 0 || num != prev;
            prev = num;
            dmap[d] = (uint32_t)nv; /* code + 1 */
        }
    if (!(col = toll__kcol_new(a, n, nv + (size_t)nodate, 0)))
        goto nomem;
    for (size_t d = 0; d < nd; d++)
        if (dmap[d])
            col->num[dmap[d] - 1] =
                toll__period_number(u, (int32_t)(lo + (int64_t)d));
    if (nodate)
        col->num[nv] = TOLL__NO_PERIOD; /* sorts last */
    for (size_t i = 0; i < n; i++) {
        int32_t ds = inc->date_start[i];
        col->code[i] = ds == TOLL_NO_DATE ? (uint32_t)nv : dmap[ds - lo] - 1;
    }
    *out = col;
    col = NULL;
    goto cleanup;
nomem:
    st = TOLL_ENOMEM;
cleanup:
    toll__free(a, dmap, (nd ? nd : 1) * sizeof *dmap);
    toll__kcol_free(a, col);
    return st;
}

/* Per cell: its incident. */
static toll_status kcol_build_cell_inc(const ctx *c, toll__kcol **out)
{
    const toll_incidents *inc = c->inc;
    toll__kcol *col = toll__kcol_new(&inc->alloc, inc->nc, 0, 0);
    if (!col)
        return TOLL_ENOMEM;
    for (size_t i = 0; i < inc->n; i++) {
        size_t cb = inc->c_begin[i], ce = cb + inc->c_count[i];
        for (size_t k = cb; k < ce; k++)
            col->code[k] = (uint32_t)i;
    }
    *out = col;
    return TOLL_OK;
}

/* The records: known cells by category code (stable), offsets in num. */
static toll_status kcol_build_recs(const ctx *c, const toll__kcol *cat,
                                   toll__kcol **out)
{
    const toll_incidents *inc = c->inc;
    size_t nrec = 0, nv = cat->ncodes;
    for (size_t k = 0; k < inc->nc; k++)
        nrec += (inc->c_flags[k] & TOLL__C_KNOWN) != 0;
    toll__kcol *col = toll__kcol_new(&inc->alloc, nrec, nv + 1, 0);
    if (!col)
        return TOLL_ENOMEM;
    int64_t *off = col->num;
    memset(off, 0, (nv + 1) * sizeof *off);
    for (size_t k = 0; k < inc->nc; k++)
        if (inc->c_flags[k] & TOLL__C_KNOWN)
            off[cat->code[k] + 1]++;
    for (size_t v = 0; v < nv; v++)
        off[v + 1] += off[v];
    for (size_t k = 0; k < inc->nc; k++)
        if (inc->c_flags[k] & TOLL__C_KNOWN)
            col->code[off[cat->code[k]]++] = (uint32_t)k;
    for (size_t v = nv; v > 0; v--) /* back to the starts */
        off[v] = off[v - 1];
    off[0] = 0;
    *out = col;
    return TOLL_OK;
}

/* The cached column of `slot` (recs, cell_inc), built if needed; NULL on
 * ENOMEM. */
static const toll__kcol *kcol_slot(const ctx *c, int slot,
                                   const toll__kcol *cat)
{
    const toll__kcol *have = toll__kcache_get(c->inc, slot);
    if (have)
        return have;
    toll__kcol *made = NULL;
    if ((slot == TOLL__KC_RECS ? kcol_build_recs(c, cat, &made)
                               : kcol_build_cell_inc(c, &made)))
        return NULL;
    return toll__kcache_put(c->inc, slot, made);
}

_Static_assert(TOLL__KC_PERIOD + TOLL__PERIOD_UNITS == TOLL__KC_REGION,
               "one cached period column per unit");

/* The cached column for dim d: *col NULL when d cannot be cached. */
static toll_status kcol_for(const ctx *c, const dim *d,
                            const toll__kcol **col)
{
    const toll_incidents *inc = c->inc;
    int slot;
    *col = NULL;
    switch (d->kind) {
    case DIM_ACTOR: slot = TOLL__KC_ACTOR; break;
    case DIM_CATEGORY: slot = TOLL__KC_CATEGORY; break;
    case DIM_PERIOD: slot = TOLL__KC_PERIOD + (int)d->unit; break;
    case DIM_REGION:
        if (d->levels > TOLL__KC_MAX_LEVELS)
            return TOLL_OK;
        slot = TOLL__KC_REGION + d->levels;
        break;
    default: return TOLL_OK;
    }
    const toll__kcol *have = toll__kcache_get(inc, slot);
    if (!have) {
        toll__kcol *made = NULL;
        toll_status st;
        if (d->kind == DIM_PERIOD)
            st = kcol_build_period(c, d->unit, &made);
        else if (d->kind == DIM_CATEGORY)
            st = kcol_build_labels(c, slot, inc->c_category, inc->nc, &made);
        else
            st = kcol_build_labels(c, slot,
                                   d->kind == DIM_ACTOR ? inc->actors
                                                        : inc->region,
                                   inc->n, &made);
        if (st)
            return st;
        if (!(have = toll__kcache_put(inc, slot, made)))
            return TOLL_ENOMEM;
    }
    *col = have->code ? have : NULL;
    return TOLL_OK;
}

/* Accumulator of the cached path (48 bytes): the counts in pairs of 32-bit
 * halves (records < 2^32, checked). */
typedef struct kpacc {
    double low, best, high;
    uint64_t reports;
    uint64_t inc_open;   /* incidents | open << 32 */
    uint64_t den_cont;   /* denied | contested << 32 */
} kpacc;

static inline void kpadd(kpacc *restrict g, int64_t lo, int64_t hi, double be,
                         unsigned cf, uint64_t reports, uint64_t cont)
{
    double dlo, dhi, dbe;
    toll__kbounds(lo, hi, be, &dlo, &dhi, &dbe);
    g->low += dlo;
    g->best += dbe;
    g->high += dhi;
    g->reports += reports;
    g->inc_open += 1 | (uint64_t)(cf & TOLL__C_OPEN) << 32;
    g->den_cont += ((cf & TOLL__C_DENIED) != 0) | cont;
}

typedef struct kplan {
    size_t nik;                   /* incident-level keys with a column */
    const uint32_t *ic[MAX_KEYS];
    uint64_t is[MAX_KEYS];
    const uint32_t *cc;           /* category codes per cell, or NULL */
    uint64_t cs;
    int grade;                    /* grade key */
    uint64_t gs;
} kplan;

/* The number of the record of cell k (incident i), `nik` incident keys
 * (a constant where inlined), `off` the category's part. */
#if defined(__GNUC__)
#define KINLINE static inline __attribute__((always_inline))
#else
#define KINLINE static inline
#endif
KINLINE uint64_t knum(const kplan *p, const toll_incidents *inc, size_t i,
                      uint64_t off, size_t nik)
{
    uint64_t b = off;
    for (size_t j = 0; j < nik; j++)
        b += p->ic[j][i] * p->is[j];
    if (p->grade) { /* strongest first: code 4 - grade */
        unsigned gr = inc->grade[i];
        b += (uint64_t)(4 - (gr < 5 ? gr : 0)) * p->gs;
    }
    return b;
}

/* Dense: records recs[r0..r1) (cells; cinc: their incidents) added to
 * acc[their number].  The plan is copied into locals (nik a constant
 * where inlined: up to 3 keys unrolled, in registers). */
KINLINE void kdense_run(kpacc *restrict acc, const kplan *p,
                        const toll_incidents *inc, const uint32_t *recs,
                        const uint32_t *cinc, size_t r0, size_t r1,
                        uint64_t off, size_t nik, int has_grade)
{
    const int64_t *restrict c_low = inc->c_low, *restrict c_high = inc->c_high;
    const double *restrict c_best = inc->c_best;
    const uint8_t *restrict c_flags = inc->c_flags, *restrict fl = inc->flags,
                  *restrict grade = inc->grade;
    const uint32_t *restrict r_count = inc->r_count;
    const uint32_t *restrict i0 = nik > 0 ? p->ic[0] : NULL,
                   *restrict i1 = nik > 1 ? p->ic[1] : NULL,
                   *restrict i2 = nik > 2 ? p->ic[2] : NULL;
    const uint64_t s0 = nik > 0 ? p->is[0] : 0, s1 = nik > 1 ? p->is[1] : 0,
                   s2 = nik > 2 ? p->is[2] : 0, gs = p->gs;
    const int generic = nik > 3;
    for (size_t r = r0; r < r1; r++) {
        uint32_t k = recs[r], i = cinc[k];
        uint64_t x;
        if (generic) {
            x = knum(p, inc, i, off, nik);
        } else {
            x = off;
            if (nik > 0)
                x += i0[i] * s0;
            if (nik > 1)
                x += i1[i] * s1;
            if (nik > 2)
                x += i2[i] * s2;
            if (has_grade) { /* strongest first: code 4 - grade */
                unsigned gr = grade[i];
                x += (uint64_t)(4 - (gr < 5 ? gr : 0)) * gs;
            }
        }
        uint64_t cont = (uint64_t)((fl[i] & TOLL_FLAG_CONTESTED) != 0) << 32;
        kpadd(&acc[x], c_low[k], c_high[k], c_best[k], c_flags[k],
              r_count[i], cont);
    }
}

static void kdense(kpacc *restrict acc, const kplan *p,
                   const toll_incidents *inc, const uint32_t *recs,
                   const uint32_t *cinc, size_t r0, size_t r1, uint64_t off)
{
#define KD(nik, g) kdense_run(acc, p, inc, recs, cinc, r0, r1, off, nik, g)
    int g = p->grade != 0;
    switch (p->nik * 2 + (size_t)g) {
    case 0: KD(0, 0); break;
    case 1: KD(0, 1); break;
    case 2: KD(1, 0); break;
    case 3: KD(1, 1); break;
    case 4: KD(2, 0); break;
    case 5: KD(2, 1); break;
    case 6: KD(3, 0); break;
    case 7: KD(3, 1); break;
    default: KD(p->nik, g); break;
    }
#undef KD
}

/* The values used by the groups (keys: global codes) become the dims'
 * values, in code order; the keys are renumbered; ranks are the codes. */
static toll_status kdims(ctx *c, const toll__kcol *const *col,
                         const uint64_t *card)
{
    const toll_allocator *a = c->ta;
    groups *g = &c->g;
    size_t nk = c->ndims;
    for (size_t k = 0; k < nk; k++) {
        dim *d = &c->dims[k];
        uint32_t *loc = toll__calloc(a, (size_t)card[k], sizeof *loc);
        if (!loc)
            return TOLL_ENOMEM;
        for (size_t r = 0; r < g->n; r++)
            loc[g->keys[r * nk + k]] = 1;
        toll_status st = TOLL_OK;
        for (size_t v = 0; v < card[k] && !st; v++) {
            if (!loc[v])
                continue;
            dim_val dv = {NULL, 0, 0, 0};
            if (d->kind == DIM_PERIOD) {
                dv.num = col[k]->num[v];
            } else if (d->kind == DIM_GRADE) {
                dv.num = 4 - (int64_t)v;
                dv.s = grade_label((unsigned)dv.num);
                dv.len = strlen(dv.s);
            } else {
                dv.s = col[k]->str[v];
                dv.len = col[k]->len[v];
            }
            uint32_t code = 0;
            st = dim_push(a, d, dv, &code);
            loc[v] = code;
        }
        if (!st && !(d->rank = toll__alloc(a, (d->n ? d->n : 1) *
                                                  sizeof *d->rank)))
            st = TOLL_ENOMEM;
        if (!st) {
            for (size_t v = 0; v < d->n; v++)
                d->rank[v] = (uint32_t)v;
            for (size_t r = 0; r < g->n; r++)
                g->keys[r * nk + k] = loc[g->keys[r * nk + k]];
        }
        toll__free(a, loc, (size_t)card[k] * sizeof *loc);
        if (st)
            return st;
    }
    return TOLL_OK;
}

/* Room for the keys of ng groups in c->g (their sums stay in c->kacc). */
static toll_status kgroups(ctx *c, size_t ng)
{
    groups *g = &c->g;
    g->cap = ng ? ng : 1;
    if (!(g->keys = toll__alloc(c->ta, keys_size(g, g->cap))))
        return TOLL_ENOMEM;
    return TOLL_OK;
}

/* Sort pairs (key[i], val[i]) by key, the low `bits` bits (LSD radix, 11
 * bits a pass, stable). */
static toll_status ksort_pairs(const toll_allocator *a, uint64_t *key,
                               uint32_t *val, size_t n, unsigned bits)
{
    enum { DIG = 11, NB = 1 << DIG };
    uint64_t *k2 = NULL;
    uint32_t *v2 = NULL, *count = NULL;
    toll_status st = TOLL_OK;
    if (n < 2 || bits == 0)
        return TOLL_OK;
    if (!(k2 = toll__alloc(a, n * sizeof *k2)) ||
        !(v2 = toll__alloc(a, n * sizeof *v2)) ||
        !(count = toll__alloc(a, NB * sizeof *count))) {
        st = TOLL_ENOMEM;
        goto cleanup;
    }
    uint64_t *ka = key, *kb = k2;
    uint32_t *va = val, *vb = v2;
    for (unsigned sh = 0; sh < bits; sh += DIG) {
        memset(count, 0, NB * sizeof *count);
        for (size_t i = 0; i < n; i++)
            count[(ka[i] >> sh) & (NB - 1)]++;
        uint32_t sum = 0;
        for (size_t d = 0; d < NB; d++) {
            uint32_t t = count[d];
            count[d] = sum;
            sum += t;
        }
        for (size_t i = 0; i < n; i++) {
            uint32_t at = count[(ka[i] >> sh) & (NB - 1)]++;
            kb[at] = ka[i];
            vb[at] = va[i];
        }
        uint64_t *tk = ka;
        ka = kb;
        kb = tk;
        uint32_t *tv = va;
        va = vb;
        vb = tv;
    }
    if (ka != key) {
        memcpy(key, ka, n * sizeof *key);
        memcpy(val, va, n * sizeof *val);
    }
cleanup:
    toll__free(a, k2, n * sizeof *k2);
    toll__free(a, v2, n * sizeof *v2);
    toll__free(a, count, NB * sizeof *count);
    return st;
}

/* The codes of group r (global) from its number, key k at bit shift[k]
 * (bit-packed numbers) or counted digit by digit (dense positions). */
static void kkeys(groups *g, size_t r, uint64_t num, const unsigned *shift,
                  const uint64_t *card, size_t nk)
{
    for (size_t k = 0; k < nk; k++)
        g->keys[r * nk + k] =
            (uint32_t)((num >> shift[k]) & (card[k] - 1));
}

/*
 * The fast path over cached key codes.  *applies = 0 (and nothing done)
 * when a key cannot be cached (region:K beyond TOLL__KC_MAX_LEVELS, days
 * too far apart) or the numbers would not fit: fast_aggregate runs then.
 * Dense: the number is mixed-radix (the last key varies fastest); hashed:
 * bit-packed (key k at bits shift[k]).  Both order groups as the table.
 */
static toll_status fast_cached(ctx *c, int *applies, int *used,
                               toll_error *err)
{
    const toll_incidents *inc = c->inc;
    const toll_allocator *a = c->ta;
    groups *g = &c->g;
    size_t nk = c->ndims, nr = 0, ng = 0;
    const toll__kcol *col[MAX_KEYS] = {NULL};
    uint64_t card[MAX_KEYS], stride[MAX_KEYS], pcard[MAX_KEYS], prod = 1;
    unsigned shift[MAX_KEYS], bits = 0;
    kplan p;
    kpacc *acc = NULL;
    size_t acc_n = 0;
    uint64_t *num = NULL, *gnum = NULL;
    uint32_t *group = NULL, *gfirst = NULL, *pos = NULL;
    size_t cap = inc->nc + 1;
    toll_status st = TOLL_OK;
    *applies = 0;
    if (inc->nc >= (size_t)UINT32_MAX - 1)
        return TOLL_OK;
    for (size_t k = 0; k < nk; k++) {
        if (c->dims[k].kind == DIM_GRADE) {
            card[k] = 5;
            continue;
        }
        if ((st = kcol_for(c, &c->dims[k], &col[k])))
            goto fail;
        if (!col[k])
            return TOLL_OK;
        card[k] = col[k]->ncodes ? col[k]->ncodes : 1;
    }
    for (size_t k = nk; k-- > 0;) {
        unsigned b = 0;
        while (((card[k] - 1) >> b) != 0)
            b++;
        shift[k] = bits;
        pcard[k] = (uint64_t)1 << b;
        bits += b;
        stride[k] = prod;
        if (prod > ((uint64_t)1 << 62) / card[k])
            return TOLL_OK;
        prod *= card[k];
    }
    int dense = prod <= FAST_DENSE_MIN ||
                (prod <= FAST_DENSE_MAX && prod <= 2 * (uint64_t)inc->nc);
    if (!dense && bits > 63)
        return TOLL_OK;
    /* the records, by category */
    const toll__kcol *ccol = NULL, *recs = NULL, *cinc = NULL;
    {
        dim cd;
        memset(&cd, 0, sizeof cd);
        cd.kind = DIM_CATEGORY;
        if ((st = kcol_for(c, &cd, &ccol)))
            goto fail;
        if (!(recs = kcol_slot(c, TOLL__KC_RECS, ccol)) ||
            !(cinc = kcol_slot(c, TOLL__KC_CELL_INC, NULL)))
            goto nomem;
    }
    size_t v0 = 0, v1 = ccol->ncodes; /* category codes to take */
    if (!c->all_categories) {
        const char *cs = toll__str(&c->rep->strings, c->category);
        size_t cl = toll__strlen(&c->rep->strings, c->category), lo = 0,
               hi = ccol->ncodes;
        while (lo < hi) { /* the labels are in byte order */
            size_t mid = lo + (hi - lo) / 2;
            if (cmp_bytes(ccol->str[mid], ccol->len[mid], cs, cl) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        v0 = lo;
        v1 = lo < ccol->ncodes &&
                     cmp_bytes(ccol->str[lo], ccol->len[lo], cs, cl) == 0
                 ? lo + 1
                 : lo;
    }
    *applies = 1;
    memset(&p, 0, sizeof p);
    for (size_t k = 0; k < nk; k++) {
        enum dim_kind kind = c->dims[k].kind;
        uint64_t s = dense ? stride[k] : (uint64_t)1 << shift[k];
        if (kind == DIM_GRADE) {
            p.grade = 1;
            p.gs = s;
        } else if (kind == DIM_CATEGORY) {
            p.cc = col[k]->code;
            p.cs = s;
        } else {
            p.ic[p.nik] = col[k]->code;
            p.is[p.nik++] = s;
        }
    }

    if (dense) {
        /* ---- dense: positions in number order ---- */
        *used = TOLL__AGG_USED_DENSE;
        acc_n = (size_t)prod;
        if (!(acc = toll__calloc(a, acc_n, sizeof *acc)))
            goto nomem;
        for (size_t v = v0; v < v1; v++)
            kdense(acc, &p, inc, recs->code, cinc->code,
                   (size_t)recs->num[v], (size_t)recs->num[v + 1],
                   p.cc ? v * p.cs : 0);
        for (size_t q = 0; q < prod; q++)
            ng += (acc[q].inc_open & 0xFFFFFFFFu) != 0;
        if ((st = kgroups(c, ng)))
            goto fail;
        uint32_t digit[MAX_KEYS] = {0};
        for (size_t q = 0, r = 0; q < prod; q++) {
            if (q) /* next position: count in mixed radix */
                for (size_t k = nk; k-- > 0;) {
                    if (++digit[k] < card[k])
                        break;
                    digit[k] = 0;
                }
            if (!(acc[q].inc_open & 0xFFFFFFFFu))
                continue;
            memcpy(g->keys + r * nk, digit, nk * sizeof *digit);
            acc[r++] = acc[q]; /* compacted in place (r <= q) */
        }
        g->n = ng;
    } else {
        /* ---- hashed: groups numbered first-seen, then put in number
         * order; records added in record order ---- */
        *used = TOLL__AGG_USED_HASH;
        size_t rb = (size_t)recs->num[v0], re = (size_t)recs->num[v1];
        nr = re - rb;
        if (!(num = toll__alloc(a, cap * sizeof *num)))
            goto nomem;
        for (size_t v = v0; v < v1; v++) {
            uint64_t off = p.cc ? v * p.cs : 0;
            for (size_t r = (size_t)recs->num[v]; r < (size_t)recs->num[v + 1];
                 r++)
                num[r - rb] = knum(&p, inc, cinc->code[recs->code[r]], off,
                                   p.nik);
        }
        if (!(group = toll__alloc(a, cap * sizeof *group)) ||
            !(gfirst = toll__alloc(a, cap * sizeof *gfirst)))
            goto nomem;
        if ((st = toll__kernel_group_hash(a, num, nr, group, gfirst, &ng)))
            goto fail;
        if (!(gnum = toll__alloc(a, (ng ? ng : 1) * sizeof *gnum)))
            goto nomem;
        for (size_t q = 0; q < ng; q++) {
            gnum[q] = num[gfirst[q]];
            gfirst[q] = (uint32_t)q; /* below: the group at sorted place q */
        }
        toll__free(a, num, cap * sizeof *num);
        num = NULL;
        if ((st = ksort_pairs(a, gnum, gfirst, ng, bits)))
            goto fail;
        if (!(pos = toll__alloc(a, (ng ? ng : 1) * sizeof *pos)))
            goto nomem;
        for (size_t q = 0; q < ng; q++)
            pos[gfirst[q]] = (uint32_t)q;
        toll__free(a, gfirst, cap * sizeof *gfirst);
        gfirst = NULL;
        acc_n = ng ? ng : 1;
        if (!(acc = toll__calloc(a, acc_n, sizeof *acc)))
            goto nomem;
        {   /* the records again, in order, into their sorted places */
            const int64_t *c_low = inc->c_low, *c_high = inc->c_high;
            const double *c_best = inc->c_best;
            const uint8_t *c_flags = inc->c_flags;
            const uint32_t *rc = recs->code + rb, *ci = cinc->code;
            for (size_t r = 0; r < nr; r++)
                group[r] = pos[group[r]];
            for (size_t r = 0; r < nr; r++) {
                if (r + 16 < nr)
                    PREFETCH(&acc[group[r + 16]]);
                uint32_t k = rc[r], i = ci[k];
                kpadd(&acc[group[r]], c_low[k], c_high[k], c_best[k],
                      c_flags[k], inc->r_count[i],
                      (uint64_t)((inc->flags[i] & TOLL_FLAG_CONTESTED) != 0)
                          << 32);
            }
        }
        if ((st = kgroups(c, ng)))
            goto fail;
        for (size_t q = 0; q < ng; q++)
            kkeys(g, q, gnum[q], shift, pcard, nk);
        g->n = ng;
    }
    if ((st = kdims(c, col, card)))
        goto fail;
    c->rows_sorted = 1;
    c->kacc = acc; /* build_table reads the sums from here */
    c->kacc_n = acc_n;
    acc = NULL;
    goto cleanup;
nomem:
    st = TOLL_ENOMEM;
fail:
    group_fail(st, err);
cleanup:
    toll__free(a, acc, acc_n * sizeof *acc);
    toll__free(a, num, cap * sizeof *num);
    toll__free(a, group, cap * sizeof *group);
    toll__free(a, gfirst, cap * sizeof *gfirst);
    toll__free(a, gnum, (ng ? ng : 1) * sizeof *gnum);
    toll__free(a, pos, (ng ? ng : 1) * sizeof *pos);
    return st;
}

/* ---- the table ------------------------------------------------------------------ */

static const char *const measure_names[] = {
    "incidents", "reports", "low", "best", "high", "open", "denied",
    "contested"};

static toll_status build_table(ctx *c, const toll_allocator *alloc,
                               const char *caption, toll_table **out)
{
    const toll_allocator *a = c->ta;
    groups *g = &c->g;
    size_t nk = c->ndims, nrows = g->n;
    toll_status st = TOLL_OK;
    toll_table *t = NULL;
    row_order *ord = NULL;
    uint32_t **dcodes = NULL; /* per dim: rank -> table dictionary code */

    for (size_t k = 0; k < nk; k++)
        if (!c->dims[k].rank && (st = dim_rank(a, &c->dims[k])))
            goto cleanup;
    ord = c->rows_sorted ? NULL
                         : toll__alloc(a, (nrows ? nrows : 1) * sizeof *ord);
    if (!ord && !c->rows_sorted) {
        st = TOLL_ENOMEM;
        goto cleanup;
    }
    for (size_t r = 0; ord && r < nrows; r++) {
        memset(ord[r].rank, 0, sizeof ord[r].rank);
        for (size_t k = 0; k < nk; k++)
            ord[r].rank[k] = c->dims[k].rank[g->keys[r * nk + k]];
        ord[r].group = (uint32_t)r;
    }
    if (c->rows_sorted) {
        /* in order already */
    } else if (nrows > 4096) {
        int fits;
        if ((st = sort_rows_radix(a, c->dims, nk, ord, nrows, &fits)))
            goto cleanup;
        if (!fits)
            qsort(ord, nrows, sizeof *ord, cmp_row_order);
    } else if (nrows > 1) {
        qsort(ord, nrows, sizeof *ord, cmp_row_order);
    }

    if ((st = toll__table_new(alloc, nk + 8 + toll__iv_ncols(c->iv), nrows,
                              &t)))
        goto cleanup;
    /* rows in order (fast_cached): every row of the key and measure
     * columns is written below, so they need no zeroing */
    toll_status (*set_col)(toll_table *, size_t, const char *,
                           toll_coltype) =
        c->rows_sorted ? toll__table_set_column_raw : toll__table_set_column;
    for (size_t k = 0; k < nk; k++) {
        char fname[256]; /* a kept field's column is named after it */
        snprintf(fname, sizeof fname, "%.*s", (int)c->dims[k].fname_len,
                 c->dims[k].fname ? c->dims[k].fname : "");
        if ((st = set_col(t, k,
                                         c->dims[k].kind == DIM_FIELD
                                             ? fname
                                             : dim_names[c->dims[k].kind],
                                         TOLL_COL_STRING)))
            goto cleanup;
    }
    for (size_t m = 0; m < 8; m++)
        if ((st = set_col(
                 t, nk + m, measure_names[m],
                 (m >= 2 && m <= 4) ? TOLL_COL_DOUBLE : TOLL_COL_INT64)))
            goto cleanup;
    if (c->iv && (st = toll__iv_columns(c->iv, t, nk + 8)))
        goto cleanup;

    /* Dictionaries are filled in key order, so dictionary codes follow the
     * sort order; dcodes[k] maps a rank to the dictionary code. */
    dcodes = toll__calloc(a, nk ? nk : 1, sizeof *dcodes);
    if (!dcodes) {
        st = TOLL_ENOMEM;
        goto cleanup;
    }
    for (size_t k = 0; k < nk; k++) {
        dim *d = &c->dims[k];
        dcodes[k] = toll__alloc(a, (d->n ? d->n : 1) * sizeof **dcodes);
        if (!dcodes[k]) {
            st = TOLL_ENOMEM;
            goto cleanup;
        }
        /* Add in rank order. */
        uint32_t *by_rank = toll__alloc(a, (d->n ? d->n : 1) * sizeof *by_rank);
        if (!by_rank) {
            st = TOLL_ENOMEM;
            goto cleanup;
        }
        for (size_t code = 0; code < d->n; code++)
            by_rank[d->rank[code]] = (uint32_t)code;
        for (size_t rk = 0; rk < d->n && !st; rk++) {
            const dim_val *v = &d->vals[by_rank[rk]];
            char buf[64];
            if (d->kind == DIM_PERIOD) {
                size_t blen = toll__period_label(d->unit, v->num, buf,
                                                 sizeof buf);
                st = toll__table_dict_add(t, k, buf, blen, &dcodes[k][rk]);
            } else {
                st = toll__table_dict_add(t, k, v->s, v->len, &dcodes[k][rk]);
            }
        }
        toll__free(a, by_rank, (d->n ? d->n : 1) * sizeof *by_rank);
        if (st)
            goto cleanup;
    }
    if (c->rows_sorted) { /* fast_cached: rows in order, ranks = codes */
        const struct kpacc *ka = c->kacc;
        for (size_t k = 0; k < nk; k++) {
            uint32_t *col = t->cols[k].data;
            const uint32_t *dc = dcodes[k];
            for (size_t r = 0; r < nrows; r++)
                col[r] = dc[g->keys[r * nk + k]];
        }
        int64_t *inc_c = t->cols[nk + 0].data, *rep_c = t->cols[nk + 1].data,
                *open_c = t->cols[nk + 5].data, *den_c = t->cols[nk + 6].data,
                *con_c = t->cols[nk + 7].data;
        double *low_c = t->cols[nk + 2].data, *best_c = t->cols[nk + 3].data,
               *high_c = t->cols[nk + 4].data;
        for (size_t r = 0; r < nrows; r++) {
            const struct kpacc *s = &ka[r];
            inc_c[r] = (int64_t)(s->inc_open & 0xFFFFFFFFu);
            open_c[r] = (int64_t)(s->inc_open >> 32);
            den_c[r] = (int64_t)(s->den_cont & 0xFFFFFFFFu);
            con_c[r] = (int64_t)(s->den_cont >> 32);
            rep_c[r] = (int64_t)s->reports;
            low_c[r] = s->low;
            best_c[r] = s->best;
            high_c[r] = s->high;
        }
    }
    for (size_t r = 0; ord && r < nrows; r++) {
        if (r + 8 < nrows) /* the groups are read in sorted order */
            PREFETCH(&g->acc[ord[r + 8].group]);
        const gacc *ac = &g->acc[ord[r].group];
        for (size_t k = 0; k < nk; k++)
            ((uint32_t *)t->cols[k].data)[r] = dcodes[k][ord[r].rank[k]];
        ((int64_t *)t->cols[nk + 0].data)[r] = ac->incidents;
        ((int64_t *)t->cols[nk + 1].data)[r] = ac->reports;
        ((double *)t->cols[nk + 2].data)[r] = ac->low;
        ((double *)t->cols[nk + 3].data)[r] = ac->best;
        ((double *)t->cols[nk + 4].data)[r] = ac->high;
        ((int64_t *)t->cols[nk + 5].data)[r] = ac->open;
        ((int64_t *)t->cols[nk + 6].data)[r] = ac->denied;
        ((int64_t *)t->cols[nk + 7].data)[r] = ac->contested;
    }
    for (size_t r = 0; ord && c->iv && r < nrows; r++) /* intervals */
        if ((st = toll__iv_fill(c->iv, t, nk, nk + 8, r, ord[r].group)))
            goto cleanup;
    t->nkeys = nk;
    t->is_summary = 1;
    t->additive = !(c->actor_dim >= 0 && c->attribution == TOLL_ATTR_EACH);
    if ((st = toll__table_set_caption(t, caption)))
        goto cleanup;
    *out = t;
    t = NULL;
cleanup:
    if (dcodes) {
        for (size_t k = 0; k < nk; k++)
            toll__free(a, dcodes[k],
                       (c->dims[k].n ? c->dims[k].n : 1) * sizeof **dcodes);
        toll__free(a, dcodes, (nk ? nk : 1) * sizeof *dcodes);
    }
    toll__free(a, ord, (nrows ? nrows : 1) * sizeof *ord);
    toll_table_free(t);
    return st;
}

/* "killed; policy envelope; self-reports exclude; attribution joint; span
 * start", followed by the filters in use. */
static toll_status make_caption(const ctx *c, const toll_summarize_options *o,
                                toll__buf *b)
{
    const toll_reconcile_options *ro = &c->inc->opts;
    toll_status st = toll__buf_appendf(
        b, "%s; policy %s; self-reports %s; attribution %s; span %s",
        c->all_categories ? "all categories"
                          : (o->category && o->category[0] ? o->category
                                                           : "killed"),
        ro->policy == TOLL_POLICY_CONSERVATIVE ? "conservative" : "envelope",
        ro->self_reports == TOLL_SELF_INCLUDE ? "include" : "exclude",
        toll_attribution_name(c->attribution), toll_span_name(c->span));
    if (!st && c->min_grade > TOLL_GRADE_NONE)
        st = toll__buf_appendf(b, "; grade >= %s", grade_label(c->min_grade));
    if (!st && (c->from != TOLL_NO_DATE || c->to != TOLL_NO_DATE)) {
        char f[16], t[16];
        toll_date_format(c->from, f);
        toll_date_format(c->to, t);
        st = toll__buf_appendf(b, "; dates %s..%s", f, t);
    }
    if (!st && c->prefix_len)
        st = toll__buf_appendf(b, "; region %.*s", (int)c->prefix_len,
                               c->prefix);
    for (size_t k = 0; !st && k < o->n_actors; k++)
        st = toll__buf_appendf(b, "%s%s", k ? ", " : "; actors ",
                               o->actors[k]);
    if (!st) /* kept fields */
        st = toll__where_caption(&c->where, o->min_data_grade, b);
    return st;
}

static toll_status parse_date_opt(const char *s, const char *field, int last,
                                  int32_t *out, toll_error *err)
{
    *out = TOLL_NO_DATE;
    if (!s || !*s)
        return TOLL_OK;
    int32_t first, final;
    toll_status st = toll_date_parse(s, strlen(s), &first, &final, err);
    if (st) {
        if (err) {
            toll__err_locate(err, NULL, 0, -1, field);
            err->code = TOLL_EINVAL;
        }
        return TOLL_EINVAL;
    }
    *out = last ? final : first;
    return TOLL_OK;
}

toll_status toll_summarize(const toll_incidents *incidents,
                           const toll_summarize_options *opts,
                           const toll_allocator *alloc, toll_table **out,
                           toll_error *err)
{
    return toll__summarize_path(incidents, opts, alloc, TOLL__AGG_AUTO, NULL,
                                out, err);
}

toll_status toll__summarize_path(const toll_incidents *incidents,
                                 const toll_summarize_options *opts,
                                 const toll_allocator *alloc, int path,
                                 int *used, toll_table **out,
                                 toll_error *err)
{
    int used_path = 0;
    if (used)
        *used = 0;
    if (out)
        *out = NULL;
    if (!incidents || !out)
        return toll__err(err, TOLL_EINVAL,
                         "toll_summarize: incidents or out is NULL");
    toll_summarize_options defaults;
    if (!opts) {
        toll_summarize_options_init(&defaults);
        opts = &defaults;
    }
    toll_status st = TOLL_OK;
    ctx c;
    memset(&c, 0, sizeof c);
    c.inc = incidents;
    c.rep = incidents->reports;
    c.ta = &incidents->alloc;
    c.actor_dim = c.region_dim = c.period_dim = c.category_dim =
        c.grade_dim = -1;
    toll__buf caption;
    toll__buf_init(&caption, c.ta);
    toll_where_item *where_items = NULL; /* the text form of where, parsed */

    /* ---- options ---- */
    if ((unsigned)opts->attribution > TOLL_ATTR_EACH)
        return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "attribution",
                            NULL, 0, "unknown attribution value %d",
                            (int)opts->attribution);
    if ((unsigned)opts->span > TOLL_SPAN_PRORATE)
        return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "span", NULL, 0,
                            "unknown span value %d", (int)opts->span);
    if ((unsigned)opts->min_grade > TOLL_GRADE_CONFIRMED)
        return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "min_grade", NULL,
                            0, "unknown grade value %d", (int)opts->min_grade);
    if (opts->n_actors && !opts->actors)
        return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "actors", NULL, 0,
                            "n_actors is %zu but actors is NULL",
                            opts->n_actors);
    for (size_t k = 0; k < opts->n_actors; k++)
        if (!opts->actors[k])
            return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "actors", NULL,
                                0, "actor %zu of the filter is NULL", k);
    c.attribution = opts->attribution;
    c.span = opts->span;
    c.min_grade = (unsigned)opts->min_grade;
    if (opts->by && opts->n_keys)
        return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "by", opts->by,
                            strlen(opts->by),
                            "both by ('%s') and keys (%zu group keys) are "
                            "given: give one of them",
                            opts->by, opts->n_keys);
    if (opts->n_where && opts->n_where_items)
        return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "where", NULL, 0,
                            "both where (%zu items) and where_items (%zu "
                            "items) are given: give one of them",
                            opts->n_where, opts->n_where_items);
    {
        toll_group_key keys[MAX_KEYS];
        const toll_group_key *kp = opts->keys;
        size_t nk = opts->n_keys;
        if (opts->by) {
            if ((st = toll_summarize_by_parse(opts->by, keys, MAX_KEYS, &nk,
                                              err)))
                return st;
            kp = keys;
        }
        if ((st = dims_from_keys(kp, nk, c.dims, &c.ndims, err)))
            return st;
    }
    for (size_t k = 0; k < c.ndims; k++) {
        int *slot[] = {&c.actor_dim, &c.region_dim, &c.period_dim,
                       &c.category_dim, &c.grade_dim};
        if (c.dims[k].kind != DIM_FIELD) /* kept fields: several */
            *slot[c.dims[k].kind] = (int)k;
    }
    if ((st = parse_date_opt(opts->date_from, "date_from", 0, &c.from, err)) ||
        (st = parse_date_opt(opts->date_to, "date_to", 1, &c.to, err)))
        return st;
    if (c.from != TOLL_NO_DATE && c.to != TOLL_NO_DATE && c.from > c.to)
        return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "date_from",
                            opts->date_from, strlen(opts->date_from),
                            "date_from '%s' is after date_to '%s'",
                            opts->date_from, opts->date_to);
    if (opts->region_prefix) {
        c.prefix = opts->region_prefix;
        c.prefix_len = strlen(c.prefix);
        while (c.prefix_len && c.prefix[c.prefix_len - 1] == '/')
            c.prefix_len--;
    }
    /* names are looked up in the incidents' id space, and the categories
     * are those of their reports (src/reconcile/reconcile.h) */
    const toll__strpool *sp = &c.rep->strings;
    const size_t ncat = incidents->ncategories;
    if (!toll__inc_find(incidents, "unknown", 7, &c.unknown_actor))
        c.unknown_actor = 0;
    if (opts->category && opts->category[0]) {
        const char *cat = opts->category;
        uint32_t id = 0;
        int found = toll__inc_find(incidents, cat, strlen(cat), &id);
        int listed = 0;
        for (size_t k = 0; k < ncat; k++)
            listed |= found && c.rep->categories[k] == id;
        if (ncat && !listed) {
            toll__buf names;
            toll__buf_init(&names, c.ta);
            for (size_t k = 0; k < ncat && !st; k++)
                st = toll__buf_appendf(&names, "%s%s", k ? ", " : "",
                                       toll__str(sp, c.rep->categories[k]));
            toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "category", cat,
                         strlen(cat), "unknown category '%s' (categories: %s)",
                         cat, st ? "?" : names.data);
            toll__buf_free(&names);
            return TOLL_EINVAL;
        }
        c.category = found ? id : 0;
        c.category_absent = !found;
    } else if (c.category_dim >= 0) {
        c.all_categories = 1;
    } else {
        uint32_t id = 0;
        c.category_absent = !toll__inc_find(incidents, "killed", 6, &id);
        c.category = id;
    }
    if (opts->n_actors) {
        c.filter_actors = toll__calloc(c.ta, opts->n_actors,
                                       sizeof *c.filter_actors);
        if (!c.filter_actors)
            goto nomem;
        for (size_t k = 0; k < opts->n_actors; k++) {
            const char *nm = opts->actors[k];
            uint32_t id = 0;
            if (!toll__inc_find(incidents, nm, strlen(nm), &id))
                id = 0;
            c.filter_actors[k] = id;
            if (strcmp(nm, "unknown") == 0)
                c.filter_unknown = 1;
        }
        c.n_filter_actors = opts->n_actors;
    }

    /* ---- kept fields: group keys and filters (src/summarize/kept.c) ---- */
    for (size_t k = 0; k < c.ndims; k++) {
        dim *d = &c.dims[k];
        uint32_t fkey = 0;
        if (d->kind != DIM_FIELD)
            continue;
        if (!toll__kept_find(c.rep, d->fname, d->fname_len, &fkey)) {
            toll__buf names;
            toll__buf_init(&names, c.ta);
            st = toll__kept_list(c.rep, &names, 40);
            toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "by", d->fname,
                         d->fname_len,
                         "unknown group key '%.*s' (expected actor, region, "
                         "region:K, period:day|week|month|quarter|year, "
                         "category, grade), nor a kept field of the "
                         "reports (kept fields: %s)",
                         (int)d->fname_len, d->fname, st ? "?" : names.data);
            toll__buf_free(&names);
            if (st)
                goto nomem;
            st = TOLL_EINVAL;
            goto cleanup;
        }
        d->data_grade = d->fname_len == sizeof TOLL__DATA_GRADE - 1 &&
                        memcmp(d->fname, TOLL__DATA_GRADE, d->fname_len) == 0;
        if (toll__kept_incident_values(incidents, fkey, c.ta, &d->fvals))
            goto nomem;
        d->fvals_n = incidents->n ? incidents->n : 1;
    }
    if (opts->n_where) {
        /* the text form, through its one parser */
        if (!opts->where) {
            st = toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "where", NULL, 0,
                              "n_where is %zu but where is NULL",
                              opts->n_where);
            goto cleanup;
        }
        where_items = toll__calloc(c.ta, opts->n_where, sizeof *where_items);
        if (!where_items)
            goto nomem;
        for (size_t k = 0; k < opts->n_where; k++) {
            if (!opts->where[k]) {
                st = toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "where",
                                  NULL, 0, "where item %zu is NULL", k);
                goto cleanup;
            }
            if ((st = toll_summarize_where_parse(opts->where[k],
                                                 &where_items[k], err)))
                goto cleanup;
        }
    }
    if ((st = toll__where_init(&c.where, incidents,
                               opts->n_where ? where_items
                                             : opts->where_items,
                               opts->n_where ? opts->n_where
                                             : opts->n_where_items,
                               opts->n_where ? opts->where : NULL,
                               opts->min_data_grade, c.ta, err)))
        goto cleanup;

    if ((st = toll__iv_new(c.ta, &opts->interval, &c.iv, err)))
        goto cleanup;
    int fast = !c.category_absent && path != TOLL__AGG_GENERAL &&
               fast_applies(&c);
    int done = 0; /* aggregated by fast_cached */
    if (fast && path == TOLL__AGG_AUTO) {
        c.g.nk = c.ndims;
        if ((st = fast_cached(&c, &done, &used_path, err)))
            goto cleanup;
        used_path |= done ? TOLL__AGG_USED_CACHED : 0;
    }

    /* ---- working memory ---- */
    for (size_t k = 0; k < c.ndims && !done; k++) {
        dim *d = &c.dims[k];
        if (d->kind == DIM_PERIOD) {
            d->cache = toll__alloc(c.ta, DAY_CACHE * sizeof *d->cache);
            if (!d->cache)
                goto nomem;
            for (size_t i = 0; i < DAY_CACHE; i++)
                d->cache[i].day = TOLL_NO_DATE;
            continue;
        }
        d->by_id_n = d->kind == DIM_GRADE ? 5
                     : fast              ? fast_by_id_n(&c, d)
                                         : toll__inc_nstrings(incidents);
        d->by_id = toll__calloc(c.ta, d->by_id_n, sizeof *d->by_id);
        if (!d->by_id)
            goto nomem;
    }
    c.g.nk = c.ndims;
    if (!done) {
        c.g.dense = 1; /* all bits 0: one entry */
        c.g.index_n = 1;
        if (toll__grow(c.ta, (void **)&c.aparts, &c.aparts_cap, 1,
                       sizeof *c.aparts) ||
            toll__grow(c.ta, (void **)&c.pparts, &c.pparts_cap, 1,
                       sizeof *c.pparts) ||
            !(c.g.index = toll__calloc(c.ta, 1, sizeof *c.g.index)))
            goto nomem;
    }

    if (!c.category_absent && !done) {
        if (fast) {
            st = fast_aggregate(&c, &used_path, err);
        } else {
            used_path = TOLL__AGG_USED_GENERAL;
            st = aggregate(&c, err);
        }
        if (st)
            goto cleanup;
    }
    if ((st = make_caption(&c, opts, &caption)))
        goto nomem;
    if (c.iv && (st = toll__iv_caption(c.iv, &caption)))
        goto nomem;
    if ((st = build_table(&c, alloc ? alloc : &incidents->alloc, caption.data,
                          out))) {
        if (st == TOLL_ENOMEM)
            goto nomem;
        if (!toll__iv_error(c.iv, err))
            toll__err(err, st, "cannot build the summary table");
        goto cleanup;
    }
    goto cleanup;
nomem:
    st = toll__nomem(err);
cleanup:
    for (size_t k = 0; k < c.ndims; k++)
        dim_free(c.ta, &c.dims[k]);
    groups_free(c.ta, &c.g);
    toll__free(c.ta, c.kacc, c.kacc_n * sizeof *c.kacc);
    toll__free(c.ta, c.aparts, c.aparts_cap * sizeof *c.aparts);
    toll__free(c.ta, c.pparts, c.pparts_cap * sizeof *c.pparts);
    toll__free(c.ta, c.filter_actors,
               opts->n_actors * sizeof *c.filter_actors);
    toll__where_free(&c.where);
    toll__free(c.ta, where_items, opts->n_where * sizeof *where_items);
    toll__iv_free(c.iv);
    toll__buf_free(&caption);
    if (used && !st)
        *used = used_path;
    return st;
}
