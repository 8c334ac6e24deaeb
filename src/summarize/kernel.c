/*
 * src/summarize/kernel.c - the columnar aggregation kernel of the
 * summarize fast path (see src/summarize/kernel.h and src/summarize/fast.c).
 */
#include "summarize/kernel.h"

#if defined(__GNUC__)
#define KPREFETCH(p) __builtin_prefetch((const void *)(p))
#define KPREFETCHW(p) __builtin_prefetch((const void *)(p), 1)
#else
#define KPREFETCH(p) ((void)(p))
#define KPREFETCHW(p) ((void)(p))
#endif

#define AHEAD 16 /* records looked ahead for prefetching */

/* One record into its group (see the header): the values are read into
 * locals before the accumulator is touched (no reload after a store). */
static inline void kadd(toll__kacc *restrict g, int64_t lo, int64_t hi,
                        double be, unsigned cf, uint32_t reports,
                        unsigned iflags)
{
    double dlo, dhi, dbe;
    toll__kbounds(lo, hi, be, &dlo, &dhi, &dbe);
    g->low += dlo;
    g->best += dbe;
    g->high += dhi;
    g->reports += reports;
    g->incidents += 1;
    g->open += (cf & TOLL__C_OPEN) != 0;
    g->denied += (cf & TOLL__C_DENIED) != 0;
    g->contested += (iflags & TOLL_FLAG_CONTESTED) != 0;
}

void toll__kernel_accumulate(toll__kacc *restrict acc, const toll__krecs *r,
                             const toll_incidents *inc)
{
    const uint32_t *restrict grp = r->group, *restrict cell = r->cell,
                   *restrict ix = r->inc;
    const int64_t *restrict c_low = inc->c_low, *restrict c_high = inc->c_high;
    const double *restrict c_best = inc->c_best;
    const uint8_t *restrict c_flags = inc->c_flags, *restrict iflags = inc->flags;
    const uint32_t *restrict r_count = inc->r_count;
    size_t n = r->n, j = 0;
    for (; j + AHEAD < n; j++) {
        KPREFETCHW(&acc[grp[j + AHEAD]]);
        uint32_t k = cell[j], i = ix[j];
        kadd(&acc[grp[j]], c_low[k], c_high[k], c_best[k], c_flags[k],
             r_count[i], iflags[i]);
    }
    for (; j < n; j++) {
        uint32_t k = cell[j], i = ix[j];
        kadd(&acc[grp[j]], c_low[k], c_high[k], c_best[k], c_flags[k],
             r_count[i], iflags[i]);
    }
}

static inline uint64_t kmix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    x ^= x >> 33;
    return x;
}

typedef struct kslot {
    uint64_t key;
    uint32_t group; /* group + 1; 0: empty */
    uint32_t pad;
} kslot;

/* Rehash into `ncap` slots (a power of two). */
static toll_status kgrow(const toll_allocator *a, kslot **slots, size_t *cap,
                         size_t ncap, const uint64_t *keys,
                         const uint32_t *first, size_t ng)
{
    if (ncap > SIZE_MAX / sizeof(kslot))
        return TOLL_ENOMEM;
    kslot *s = toll__calloc(a, ncap, sizeof *s);
    if (!s)
        return TOLL_ENOMEM;
    for (size_t g = 0; g < ng; g++) {
        uint64_t k = keys[first[g]];
        size_t i = (size_t)kmix(k) & (ncap - 1);
        while (s[i].group)
            i = (i + 1) & (ncap - 1);
        s[i].key = k;
        s[i].group = (uint32_t)g + 1;
    }
    toll__free(a, *slots, *cap * sizeof **slots);
    *slots = s;
    *cap = ncap;
    return TOLL_OK;
}

toll_status toll__kernel_group_hash(const toll_allocator *a,
                                    const uint64_t *keys, size_t n,
                                    uint32_t *group, uint32_t *first,
                                    size_t *ngroups)
{
    kslot *slots = NULL;
    size_t cap = 0, ng = 0;
    uint64_t ring[AHEAD]; /* hashes of the records ahead */
    toll_status st = TOLL_OK;
    *ngroups = 0;
    if (n >= (size_t)UINT32_MAX)
        return TOLL_ERANGE;
    size_t cap0 = 1024; /* a slot per record; grows past load 3/4 */
    while (cap0 < n && cap0 < ((size_t)1 << 40))
        cap0 *= 2;
    if ((st = kgrow(a, &slots, &cap, cap0, keys, first, 0)))
        goto cleanup;
    for (size_t r = 0; r < n && r < AHEAD; r++)
        ring[r] = kmix(keys[r]);
    for (size_t r = 0; r < n; r++) {
        uint64_t h = ring[r % AHEAD];
        if (r + AHEAD < n) {
            uint64_t h2 = kmix(keys[r + AHEAD]);
            ring[r % AHEAD] = h2;
            KPREFETCH(&slots[(size_t)h2 & (cap - 1)]);
        }
        uint64_t k = keys[r];
        size_t mask = cap - 1, i = (size_t)h & mask;
        for (;;) {
            kslot *s = &slots[i];
            if (s->key == k && s->group) {
                group[r] = s->group - 1;
                break;
            }
            if (!s->group) {
                if ((ng + 1) * 4 > cap * 3) { /* load factor 3/4 */
                    if ((st = kgrow(a, &slots, &cap, cap * 2, keys, first,
                                    ng)))
                        goto cleanup;
                    mask = cap - 1;
                    i = (size_t)h & mask;
                    continue;
                }
                s->key = k;
                s->group = (uint32_t)ng + 1;
                first[ng] = (uint32_t)r;
                group[r] = (uint32_t)ng++;
                break;
            }
            i = (i + 1) & mask;
        }
    }
    *ngroups = ng;
cleanup:
    toll__free(a, slots, cap * sizeof *slots);
    return st;
}

/* ---- key codes cached per incidents object ------------------------------ */

toll__kcol *toll__kcol_new(const toll_allocator *a, size_t n, size_t ncodes,
                           int labels)
{
    toll__kcol *col = toll__calloc(a, 1, sizeof *col);
    if (!col)
        return NULL;
    col->n = n;
    col->ncodes = ncodes;
    size_t m = ncodes ? ncodes : 1;
    col->code = toll__alloc(a, (n ? n : 1) * sizeof *col->code);
    if (labels) {
        col->str = toll__alloc(a, m * sizeof *col->str);
        col->len = toll__alloc(a, m * sizeof *col->len);
    } else {
        col->num = toll__alloc(a, m * sizeof *col->num);
    }
    if (!col->code || (labels ? !col->str || !col->len : !col->num)) {
        toll__kcol_free(a, col);
        return NULL;
    }
    return col;
}

void toll__kcol_free(const toll_allocator *a, toll__kcol *col)
{
    if (!col)
        return;
    size_t m = col->ncodes ? col->ncodes : 1;
    toll__free(a, col->code, (col->n ? col->n : 1) * sizeof *col->code);
    toll__free(a, col->str, m * sizeof *col->str);
    toll__free(a, col->len, m * sizeof *col->len);
    toll__free(a, col->num, m * sizeof *col->num);
    toll__free(a, col, sizeof *col);
}

/* The cache pointer and its columns are written once each (NULL -> built)
 * by compare-and-swap and read with acquire loads. */
#if defined(__GNUC__)
#define KLOAD(p) __atomic_load_n((p), __ATOMIC_ACQUIRE)
#define KCAS(p, expected, desired)                                            \
    __atomic_compare_exchange_n((p), (expected), (desired), 0,                \
                                __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)
#else /* no atomics known: single-threaded use only */
#define KLOAD(p) (*(p))
#define KCAS(p, expected, desired)                                            \
    (*(p) == *(expected) ? (*(p) = (desired), 1) : (*(expected) = *(p), 0))
#endif

/* Free the cache and its columns (its toll__incext destroy, called by
 * toll_incidents_free). */
static void aggcache_destroy(const toll_allocator *a, toll__incext *self)
{
    struct toll__aggcache *c = (struct toll__aggcache *)(void *)self;
    for (int k = 0; k < TOLL__KC_N; k++)
        toll__kcol_free(a, c->col[k]);
    toll__free(a, c, sizeof *c);
}

/* The published cache, or NULL (the incidents' summarize cell,
 * src/reconcile/reconcile.h). */
static struct toll__aggcache *aggcache_get(const toll_incidents *inc)
{
    toll__incext *x = KLOAD(&inc->ext->summarize);
    return (struct toll__aggcache *)(void *)x;
}

const toll__kcol *toll__kcache_get(const toll_incidents *inc, int slot)
{
    struct toll__aggcache *c = aggcache_get(inc);
    return c ? KLOAD(&c->col[slot]) : NULL;
}

const toll__kcol *toll__kcache_put(const toll_incidents *inc, int slot,
                                   toll__kcol *col)
{
    const toll_allocator *a = &inc->alloc;
    struct toll__aggcache *c = aggcache_get(inc);
    if (!c) {
        struct toll__aggcache *fresh = toll__calloc(a, 1, sizeof *fresh);
        if (!fresh) {
            toll__kcol_free(a, col);
            return NULL;
        }
        fresh->ext.destroy = aggcache_destroy;
        toll__incext *expected = NULL;
        if (KCAS(&inc->ext->summarize, &expected, &fresh->ext)) {
            c = fresh;
        } else { /* another thread's is in place */
            toll__free(a, fresh, sizeof *fresh);
            c = (struct toll__aggcache *)(void *)expected;
        }
    }
    toll__kcol *expected = NULL;
    if (KCAS(&c->col[slot], &expected, col))
        return col;
    toll__kcol_free(a, col);
    return expected;
}
