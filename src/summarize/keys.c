/*
 * src/summarize/keys.c - key dimensions: the dense codes of a key's values
 * (grades, periods, strings, regions), and the order of values and rows
 * (ranks, the radix sort of rows).
 */
#include "summarize/summarize_int.h"

#include <stdio.h>
#include <stdlib.h>

/* Grade labels, by toll_grade value (kept here so that summarize does not
 * depend on another module for four words). */
const char *toll__grade_label(unsigned g)
{
    static const char *const names[] = {"", "self-only", "single",
                                        "corroborated", "confirmed"};
    return g < sizeof names / sizeof *names ? names[g] : "";
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

const char *const toll__dim_names[] = {"actor", "region", "period",
                                       "category", "grade", "field"};

int toll__field_key_name(const char *f, size_t len, char *buf, size_t cap)
{
    static const char *const words[] = {"actor", "region", "period",
                                        "category", "grade"};
    int prefix = memchr(f, ':', len) != NULL;
    for (size_t k = 0; !prefix && k < sizeof words / sizeof words[0]; k++)
        prefix = toll__strncaseeq(f, len, words[k]);
    return snprintf(buf, cap, "%s%.*s", prefix ? "keep:" : "", (int)len, f);
}

void toll__dim_free(const toll_allocator *a, dim *d)
{
    toll__free(a, d->fvals, d->fvals_n * sizeof *d->fvals);
    d->fvals = NULL;
    if (d->fpool.alloc)
        toll__strpool_free(&d->fpool);
    memset(&d->fpool, 0, sizeof d->fpool);
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
toll_status toll__dim_push(const toll_allocator *a, dim *d, dim_val v,
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
    toll_status st = toll__dim_push(a, d, v, code);
    if (!st)
        d->slots[i] = *code + 1;
    return st;
}

/* ---- periods (numbers and labels: src/core/period.c) ------------------------ */

toll_status toll__period_code(const toll_allocator *a, dim *d, int64_t num,
                              uint32_t *code)
{
    dim_val v = {NULL, 0, num, mix64((uint64_t)num)};
    return dim_find_add(a, d, v, code);
}

/* ---- sorting ---------------------------------------------------------------------- */

typedef struct sort_val {
    const dim_val *v;
    enum dim_kind kind;
    uint32_t code;
} sort_val;

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
toll_status toll__dim_rank(const toll_allocator *a, dim *d)
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

int toll__cmp_row_order(const void *pa, const void *pb)
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
 * Sort rows as toll__cmp_row_order does, when the ranks of all keys fit in one
 * 64-bit number (rank of the first key in the high bits): an LSD radix
 * sort on 16-bit digits, linear in the rows (qsort with the 8-rank
 * comparison dominated tables of 10^5 rows and more).  The ranks of two
 * rows always differ, so the order is the same.  TOLL_OK: sorted;
 * TOLL_ENOMEM; *fits = 0 when the ranks do not fit (nothing done: use
 * qsort).
 */
toll_status toll__sort_rows_radix(const toll_allocator *a, const dim *dims,
                                  size_t nk, row_order *ord, size_t n,
                                  int *fits)
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

/* Code of string id `id` in dim d (actor labels/members, categories). */
toll_status toll__string_code(ctx *c, dim *d, uint32_t id, uint32_t *code)
{
    if (d->by_id[id]) {
        *code = d->by_id[id] - 1;
        return TOLL_OK;
    }
    dim_val v;
    if (d->kind == DIM_ACTOR && id == 0) {
        v.s = "unknown";
        v.len = 7;
    } else if (d->kind == DIM_FIELD) { /* the field's own values */
        v.s = toll__str(&d->fpool, id);
        v.len = toll__strlen(&d->fpool, id);
    } else { /* the incidents' id space (src/reconcile/reconcile.h) */
        v.s = toll__inc_str(c->inc, id);
        v.len = toll__inc_strlen(c->inc, id);
    }
    v.num = 0;
    v.hash = 0;
    if (d->kind == DIM_FIELD && d->data_grade) /* strongest first */
        v.num = 5 - toll__data_grade_rank(v.s, v.len);
    toll_status st = toll__dim_push(c->ta, d, v, code);
    if (!st)
        d->by_id[id] = *code + 1;
    return st;
}

/* Code of region string id `id` (truncated to d->levels levels). */
toll_status toll__region_code(ctx *c, dim *d, uint32_t id, uint32_t *code)
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
