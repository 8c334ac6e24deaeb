/*
 * src/stats/simulate.c - the simulate engine of the intervals
 * (src/stats/intervals.c chooses the engine and calls toll__iv_simulate).
 *
 * A group's `draws` totals are drawn from GSL's taus2 through
 * gsl_rng_get, one taus2 stream per chunk of 2^16 items (chunk 0 has the
 * row's stream), the chunks drawn on one or more threads and added in
 * chunk order, so the numbers do not depend on the number of threads;
 * the quantiles are taken by selection (no sort).  Determinism and the
 * formulas: src/stats/intervals.c and docs/intervals.md.
 */
#define _POSIX_C_SOURCE 200809L /* pthreads */
#define HAVE_INLINE 1 /* gsl_rng_get as an inline call */
#include "stats/intervals_int.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>

#include <gsl/gsl_rng.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

/*
 * The generator: GSL's taus2, seeded with gsl_rng_set and read through
 * gsl_rng_get (inline, HAVE_INLINE), RNG_BATCH outputs at a time into a
 * buffer so that the draw loops below can take several at once.  (Computing
 * taus2's recurrence here from GSL's state would be about 1.6x faster at
 * 200 draws, but it would be a copy of GSL's generator; it is not done.)
 */
#define RNG_BATCH 64

typedef struct rng {
    gsl_rng r;
    unsigned pos;      /* next unread output of out[] */
    uint32_t out[RNG_BATCH];
    uint32_t buf;      /* spare 16-bit half of the last output */
    int have;
} rng;

/* Seed g (whose r.type and r.state are set) with `seed`: GSL's seeding. */
static void rng_seed(rng *g, unsigned long seed)
{
    gsl_rng_set(&g->r, seed);
    g->pos = RNG_BATCH;
    g->have = 0;
}

static void rng_refill(rng *g)
{
    for (unsigned k = 0; k < RNG_BATCH; k++)
        g->out[k] = (uint32_t)gsl_rng_get(&g->r);
    g->pos = 0;
}

static inline uint32_t next32(rng *g)
{
    if (g->pos == RNG_BATCH)
        rng_refill(g);
    return g->out[g->pos++];
}

static inline uint32_t next16(rng *g)
{
    if (!g->have) {
        uint32_t x = next32(g);
        g->buf = x >> 16;
        g->have = 1;
        return x & 0xffffu;
    }
    g->have = 0;
    return g->buf;
}

/* Uniform on 0 .. m-1 (Lemire 2019, multiply-shift with rejection). */
static inline uint32_t uniform16(rng *g, uint32_t m, uint32_t thr)
{
    uint32_t p = next16(g) * m;
    while ((p & 0xffffu) < thr)
        p = next16(g) * m;
    return p >> 16;
}

static inline uint64_t uniform32(rng *g, uint64_t m, uint32_t thr)
{
    uint64_t p = (uint64_t)next32(g) * m;
    while ((uint32_t)p < thr)
        p = (uint64_t)next32(g) * m;
    return p >> 32;
}

static uint64_t uniform64(rng *g, uint64_t m)
{
    uint64_t mask = m - 1;
    mask |= mask >> 1;
    mask |= mask >> 2;
    mask |= mask >> 4;
    mask |= mask >> 8;
    mask |= mask >> 16;
    mask |= mask >> 32;
    for (;;) {
        uint64_t hi = next32(g), lo = next32(g);
        uint64_t x = ((hi << 32) | lo) & mask;
        if (x < m)
            return x;
    }
}

/* The RNG seed of stream `stream`: splitmix64 of (seed, stream), folded to
 * 32 bits (taus2 is a 32-bit generator; the fold is the same on every
 * platform). */
static unsigned long stream_seed(uint64_t seed, size_t stream)
{
    uint64_t z = seed + 0x9E3779B97F4A7C15ull * ((uint64_t)stream + 1u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    uint32_t s = (uint32_t)(z ^ (z >> 32));
    return s ? (unsigned long)s : 1ul;
}

/* k-th smallest of v[0..n) moved to v[k]; smaller ones before it, larger
 * after (Hoare partition, median of three). */
static void select_k(double *v, size_t n, size_t k)
{
    ptrdiff_t lo = 0, hi = (ptrdiff_t)n - 1, kk = (ptrdiff_t)k;
    while (hi > lo) {
        ptrdiff_t mid = lo + (hi - lo) / 2;
        double t;
#define SWAP(i, j) (t = v[i], v[i] = v[j], v[j] = t)
        if (v[mid] < v[lo])
            SWAP(mid, lo);
        if (v[hi] < v[lo])
            SWAP(hi, lo);
        if (v[hi] < v[mid])
            SWAP(hi, mid);
        double pivot = v[mid];
        ptrdiff_t i = lo, j = hi;
        while (i <= j) {
            while (v[i] < pivot)
                i++;
            while (v[j] > pivot)
                j--;
            if (i <= j) {
                SWAP(i, j);
                i++;
                j--;
            }
        }
#undef SWAP
        if (kk <= j)
            hi = j;
        else if (kk >= i)
            lo = i;
        else
            return;
    }
}

/* One pair of 16-bit draws from one generator output (low half first),
 * each by multiply-shift with rejection (a rejected half is redrawn from
 * next16): the values, below m. */
static inline void pair16(rng *g, uint32_t m32, uint32_t thr, uint32_t *v0,
                          uint32_t *v1)
{
    uint32_t x = next32(g);
    uint32_t p0 = (x & 0xffffu) * m32, p1 = (x >> 16) * m32;
    while ((p0 & 0xffffu) < thr) /* rare: rejection */
        p0 = next16(g) * m32;
    while ((p1 & 0xffffu) < thr)
        p1 = next16(g) * m32;
    *v0 = p0 >> 16;
    *v1 = p1 >> 16;
}

/*
 * Draws d, d + 1, ... of one item in pairs (pair16) while two or more
 * remain; returns the next draw.  isum != NULL: unit share, the values are
 * added to isum[]; else dsum[] += share * (lo + value).  With SSE2, four
 * buffered outputs (eight draws) at a time when none of them is rejected:
 * the same values in the same order as pair16 (pmulhuw is (x * m) >> 16,
 * pmullw its low half; the double path does the same multiply and add per
 * draw as the scalar one).
 */
static size_t pairs16(rng *g, size_t d, size_t D, uint32_t m32,
                      uint32_t thr, int64_t *isum, double *dsum, int64_t lo,
                      double share)
{
#ifdef __SSE2__
    int simd = m32 < 65536u && (isum || (lo >= 0 && lo < INT32_MAX - 65536));
    const __m128i mv = _mm_set1_epi16((short)m32);
    const __m128i tv = _mm_set1_epi16((short)thr);
    const __m128i zero = _mm_setzero_si128();
    const __m128i lov = _mm_set1_epi32((int32_t)(simd && !isum ? lo : 0));
    const __m128d shv = _mm_set1_pd(share);
#endif
    while (d + 1 < D) {
#ifdef __SSE2__
        if (g->pos == RNG_BATCH)
            rng_refill(g);
        if (simd && d + 8 <= D && g->pos + 4 <= RNG_BATCH) {
            __m128i x = _mm_loadu_si128((const __m128i *)(g->out + g->pos));
            __m128i low = _mm_mullo_epi16(x, mv);
            __m128i rej = _mm_cmpeq_epi16(_mm_subs_epu16(tv, low), zero);
            if (_mm_movemask_epi8(rej) == 0xffff) { /* no rejection */
                __m128i v = _mm_mulhi_epu16(x, mv);
                __m128i a = _mm_unpacklo_epi16(v, zero); /* draws 0-3 */
                __m128i b = _mm_unpackhi_epi16(v, zero); /* draws 4-7 */
                if (isum) {
                    __m128i *p = (__m128i *)(isum + d);
                    _mm_storeu_si128(p, _mm_add_epi64(_mm_loadu_si128(p),
                                         _mm_unpacklo_epi32(a, zero)));
                    _mm_storeu_si128(p + 1,
                                     _mm_add_epi64(_mm_loadu_si128(p + 1),
                                         _mm_unpackhi_epi32(a, zero)));
                    _mm_storeu_si128(p + 2,
                                     _mm_add_epi64(_mm_loadu_si128(p + 2),
                                         _mm_unpacklo_epi32(b, zero)));
                    _mm_storeu_si128(p + 3,
                                     _mm_add_epi64(_mm_loadu_si128(p + 3),
                                         _mm_unpackhi_epi32(b, zero)));
                } else {
                    a = _mm_add_epi32(a, lov);
                    b = _mm_add_epi32(b, lov);
                    __m128d t0 = _mm_mul_pd(shv, _mm_cvtepi32_pd(a));
                    __m128d t1 = _mm_mul_pd(
                        shv, _mm_cvtepi32_pd(_mm_srli_si128(a, 8)));
                    __m128d t2 = _mm_mul_pd(shv, _mm_cvtepi32_pd(b));
                    __m128d t3 = _mm_mul_pd(
                        shv, _mm_cvtepi32_pd(_mm_srli_si128(b, 8)));
                    double *p = dsum + d;
                    _mm_storeu_pd(p, _mm_add_pd(_mm_loadu_pd(p), t0));
                    _mm_storeu_pd(p + 2, _mm_add_pd(_mm_loadu_pd(p + 2), t1));
                    _mm_storeu_pd(p + 4, _mm_add_pd(_mm_loadu_pd(p + 4), t2));
                    _mm_storeu_pd(p + 6, _mm_add_pd(_mm_loadu_pd(p + 6), t3));
                }
                g->pos += 4;
                d += 8;
                continue;
            }
        }
#endif
        uint32_t v0, v1;
        pair16(g, m32, thr, &v0, &v1);
        if (isum) {
            isum[d] += v0;
            isum[d + 1] += v1;
        } else {
            double t0 = share * (double)(lo + (int64_t)v0);
            double t1 = share * (double)(lo + (int64_t)v1);
            dsum[d] += t0;
            dsum[d + 1] += t1;
        }
        d += 2;
    }
    return d;
}

/*
 * The draws of items ord[begin .. end) of a group (one chunk) from g0,
 * seeded for the chunk: unit-share items add their value minus lo to
 * isum[] (integers: exact, in any order); other items add share * value
 * to dsum[] (NULL when every item of the group has a unit share), in item
 * order.  Returns the sum of the unit-share items' lows.
 */
static int64_t draw_chunk(const toll__iv *iv, const uint32_t *ord,
                          size_t begin, size_t end, size_t D, rng *g0,
                          int64_t *isum, double *dsum)
{
    int64_t ibase = 0;
    for (size_t r = begin; r < end; r++) {
        const iv_item *it = &iv->items[ord[r]];
        uint64_t m = (uint64_t)(it->hi - it->lo) + 1u;
        int unit = it->share == 1.0;
        if (unit)
            ibase += it->lo;
        if (iv->dist == TOLL_DIST_TRIANGULAR) {
            double a = (double)it->lo, b = (double)it->hi + 1.0;
            double c = it->mode, fc = (c - a) / (b - a);
            double k1 = (b - a) * (c - a), k2 = (b - a) * (b - c);
            size_t d = 0;
#ifdef __SSE2__
            /* two draws at a time, without branches: the same operations
             * per draw as below (IEEE sqrt is correctly rounded, so
             * sqrtpd gives sqrt's values); y < 2^31 for cvttpd2dq */
            if (b < 2147483647.0) {
                const __m128d fcv = _mm_set1_pd(fc), k1v = _mm_set1_pd(k1),
                              k2v = _mm_set1_pd(k2), av = _mm_set1_pd(a),
                              bv = _mm_set1_pd(b), one = _mm_set1_pd(1.0);
                for (; d + 1 < D; d += 2) {
                    double u0 = ((double)next32(g0) + 0.5) * 0x1p-32;
                    double u1 = ((double)next32(g0) + 0.5) * 0x1p-32;
                    __m128d u = _mm_set_pd(u1, u0);
                    __m128d left = _mm_cmplt_pd(u, fcv);
                    __m128d vl = _mm_mul_pd(u, k1v);
                    __m128d vr = _mm_mul_pd(_mm_sub_pd(one, u), k2v);
                    __m128d v = _mm_or_pd(_mm_and_pd(left, vl),
                                          _mm_andnot_pd(left, vr));
                    __m128d rt = _mm_sqrt_pd(v);
                    __m128d y = _mm_or_pd(
                        _mm_and_pd(left, _mm_add_pd(av, rt)),
                        _mm_andnot_pd(left, _mm_sub_pd(bv, rt)));
                    __m128i xi = _mm_cvttpd_epi32(y);
                    int64_t x0 = _mm_cvtsi128_si32(xi);
                    int64_t x1 = _mm_cvtsi128_si32(_mm_srli_si128(xi, 4));
                    x0 = x0 < it->lo ? it->lo : x0;
                    x0 = x0 > it->hi ? it->hi : x0;
                    x1 = x1 < it->lo ? it->lo : x1;
                    x1 = x1 > it->hi ? it->hi : x1;
                    if (unit) {
                        isum[d] += x0 - it->lo;
                        isum[d + 1] += x1 - it->lo;
                    } else {
                        double t0 = it->share * (double)x0;
                        double t1 = it->share * (double)x1;
                        dsum[d] += t0;
                        dsum[d + 1] += t1;
                    }
                }
            }
#endif
            for (; d < D; d++) {
                /* inverse CDF; y >= 0, so truncation is floor */
                double u = ((double)next32(g0) + 0.5) * 0x1p-32;
                int left = u < fc;
                double v = left ? u * k1 : (1.0 - u) * k2;
                double rt = sqrt(v);
                double y = left ? a + rt : b - rt;
                int64_t x = (int64_t)y;
                x = x < it->lo ? it->lo : x;
                x = x > it->hi ? it->hi : x;
                if (unit) {
                    isum[d] += x - it->lo;
                } else {
                    double t = it->share * (double)x;
                    dsum[d] += t;
                }
            }
        } else if (m <= 65536u) {
            /* two 16-bit draws per generator output */
            uint32_t m32 = (uint32_t)m, thr = (65536u - m32) % m32;
            size_t d = 0;
            if (g0->have) { /* use up a spare half first */
                uint32_t x = uniform16(g0, m32, thr);
                if (unit) {
                    isum[0] += x;
                } else {
                    double t = it->share * (double)(it->lo + (int64_t)x);
                    dsum[0] += t;
                }
                d = 1;
            }
            d = unit ? pairs16(g0, d, D, m32, thr, isum, NULL, 0, 0.0)
                     : pairs16(g0, d, D, m32, thr, NULL, dsum, it->lo,
                               it->share);
            for (; d < D; d++) {
                uint32_t x = uniform16(g0, m32, thr);
                if (unit) {
                    isum[d] += x;
                } else {
                    double t = it->share * (double)(it->lo + (int64_t)x);
                    dsum[d] += t;
                }
            }
        } else if (m <= ((uint64_t)1 << 32)) {
            uint32_t thr = m == ((uint64_t)1 << 32)
                               ? 0u
                               : (uint32_t)(((uint64_t)1 << 32) % m);
            for (size_t d = 0; d < D; d++) {
                int64_t x = (int64_t)uniform32(g0, m, thr);
                if (unit) {
                    isum[d] += x;
                } else {
                    double t = it->share * (double)(it->lo + x);
                    dsum[d] += t;
                }
            }
        } else {
            for (size_t d = 0; d < D; d++) {
                int64_t x = (int64_t)uniform64(g0, m);
                if (unit) {
                    isum[d] += x;
                } else {
                    double t = it->share * (double)(it->lo + x);
                    dsum[d] += t;
                }
            }
        }
    }
    return ibase;
}

/*
 * Chunks and threads.  A group's items (in order) are cut into chunks of
 * SIM_CHUNK; chunk c draws from its own taus2 stream (chunk_seed; chunk 0
 * has the group's stream, so a group of one chunk draws exactly as before
 * chunking).  The draws' integer parts are summed per thread (exact, in
 * any order); the fractional-share parts of a chunk go to a slot of
 * D doubles that is added to the group's totals strictly in chunk order
 * (total = ((c0 + c1) + c2) + ...), so the totals are the same bits for
 * any number of threads.  Threads take the next chunk from a shared
 * counter; a thread may run at most SIM_WINDOW(T) chunks ahead of the
 * lowest chunk not yet added (one slot per chunk in flight).
 */
#define SIM_CHUNK ((size_t)1 << 16)
#define SIM_MAX_THREADS 64
/* auto: threads when the group has at least this many item-draws */
#define SIM_AUTO_MIN_WORK 4194304.0
#define SIM_WINDOW(T) (2 * (T))

/* The seed of chunk c of stream `stream`: chunk 0 the stream's own seed;
 * chunk c >= 1 splitmix64 of (the stream's 64-bit hash + c x gamma),
 * folded to 32 bits. */
static uint64_t splitmix_mix(uint64_t z)
{
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static unsigned long chunk_seed(uint64_t seed, size_t stream, size_t c)
{
    if (c == 0)
        return stream_seed(seed, stream);
    uint64_t h = splitmix_mix(seed +
                              0x9E3779B97F4A7C15ull * ((uint64_t)stream + 1u));
    uint64_t z = splitmix_mix(h + 0x9E3779B97F4A7C15ull * (uint64_t)c);
    uint32_t s = (uint32_t)(z ^ (z >> 32));
    return s ? (unsigned long)s : 1ul;
}

typedef struct sim_shared {
    const toll__iv *iv;
    const uint32_t *ord;
    size_t n, D, nchunks;
    uint64_t seed;
    size_t stream;
    double *total;      /* D: the group's fractional-share totals */
    double *slots;      /* W x D (W = 1 and slots = total when one chunk);
                           NULL when every share is 1 */
    size_t W;
    size_t *slot_chunk; /* W: the chunk a slot holds, SIZE_MAX if none */
    unsigned char *slot_done;
    int threaded;       /* lock below */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    size_t next;        /* next chunk to draw */
    size_t merged;      /* chunks added to total */
    int abort;          /* a thread failed: stop */
} sim_shared;

typedef struct sim_thread {
    sim_shared *sh;
    pthread_t tid;
    int started;
    toll_status st;
    int64_t *isum;      /* D, allocated by the thread */
    int64_t ibase;
} sim_thread;

static void sim_lock(sim_shared *sh)
{
    if (sh->threaded)
        pthread_mutex_lock(&sh->mu);
}

static void sim_unlock(sim_shared *sh)
{
    if (sh->threaded)
        pthread_mutex_unlock(&sh->mu);
}

/* Add finished slots to the totals in chunk order (lock held). */
static void sim_merge(sim_shared *sh)
{
    while (sh->merged < sh->nchunks) {
        size_t s = sh->merged % sh->W;
        if (!sh->slot_done[s] || sh->slot_chunk[s] != sh->merged)
            break;
        if (sh->slots != sh->total) {
            const double *p = sh->slots + s * sh->D;
            for (size_t d = 0; d < sh->D; d++)
                sh->total[d] += p[d];
        }
        sh->slot_done[s] = 0;
        sh->slot_chunk[s] = SIZE_MAX;
        sh->merged++;
    }
}

/* One thread: its generator and integer sums, then chunks until none is
 * left.  Allocation failure: st = TOLL_ENOMEM and every thread stops. */
static void *sim_run(void *arg)
{
    sim_thread *th = arg;
    sim_shared *sh = th->sh;
    const toll_allocator *a = &sh->iv->alloc;
    size_t ssize = gsl_rng_taus2->size ? gsl_rng_taus2->size : 1;
    rng g0;
    memset(&g0, 0, sizeof g0);
    g0.r.type = gsl_rng_taus2;
    g0.r.state = toll__alloc(a, ssize);
    th->isum = toll__calloc(a, sh->D, sizeof *th->isum);
    int64_t ibase = 0; /* kept here: th[] is shared by the threads */
    if (!g0.r.state || !th->isum) {
        th->st = TOLL_ENOMEM;
        sim_lock(sh);
        sh->abort = 1;
        if (sh->threaded)
            pthread_cond_broadcast(&sh->cv);
        sim_unlock(sh);
        goto cleanup;
    }
    for (;;) {
        sim_lock(sh);
        while (sh->threaded && !sh->abort && sh->next < sh->nchunks &&
               sh->slots &&
               sh->next >= sh->merged + sh->W)
            pthread_cond_wait(&sh->cv, &sh->mu); /* only when threaded */
        if (sh->abort || sh->next >= sh->nchunks) {
            sim_unlock(sh);
            break;
        }
        size_t c = sh->next++;
        sim_unlock(sh);
        double *dsum = NULL;
        if (sh->slots) {
            dsum = sh->slots == sh->total ? sh->total
                                          : sh->slots + (c % sh->W) * sh->D;
            if (dsum != sh->total)
                memset(dsum, 0, sh->D * sizeof *dsum);
        }
        size_t b = c * SIM_CHUNK;
        size_t e = sh->n - b < SIM_CHUNK ? sh->n : b + SIM_CHUNK;
        rng_seed(&g0, chunk_seed(sh->seed, sh->stream, c));
        ibase += draw_chunk(sh->iv, sh->ord, b, e, sh->D, &g0, th->isum,
                            dsum);
        if (sh->slots) {
            sim_lock(sh);
            sh->slot_chunk[c % sh->W] = c;
            sh->slot_done[c % sh->W] = 1;
            sim_merge(sh);
            if (sh->threaded)
                pthread_cond_broadcast(&sh->cv);
            sim_unlock(sh);
        }
    }
    th->ibase = ibase;
cleanup:
    if (g0.r.state)
        toll__free(a, g0.r.state, ssize);
    return NULL;
}

/* How many threads draw a group of n items, nchunks chunks, D draws. */
static size_t sim_threads(const toll__iv *iv, size_t n, size_t nchunks,
                          size_t D)
{
    size_t t = iv->threads;
    if (t == 1 || nchunks < 2)
        return 1;
    if (t == 0) {
        const toll_allocator *d = toll_default_allocator();
        int dflt = iv->alloc.malloc == d->malloc &&
                   iv->alloc.realloc == d->realloc &&
                   iv->alloc.free == d->free;
        t = dflt && (double)n * (double)D >= SIM_AUTO_MIN_WORK ? 2 : 1;
    }
    if (t > SIM_MAX_THREADS)
        t = SIM_MAX_THREADS;
    return t < nchunks ? t : nchunks;
}

toll_status toll__iv_simulate(toll__iv *iv, size_t g, size_t stream,
                              double *out)
{
    const size_t n = iv->groups[g].nitems, D = iv->draws;
    const iv_group *gr = &iv->groups[g];
    const toll_allocator *a = &iv->alloc;
    sim_shared sh;
    memset(&sh, 0, sizeof sh);
    sh.iv = iv;
    sh.ord = iv->order + iv->begin[g];
    sh.n = n;
    sh.D = D;
    sh.nchunks = (n + SIM_CHUNK - 1) / SIM_CHUNK;
    sh.seed = iv->seed;
    sh.stream = stream;
    size_t T = sim_threads(iv, n, sh.nchunks, D);
    sim_thread *th = NULL;
    size_t slot_bytes = 0;
    toll_status st = toll__iv_need_work(iv, D);
    if (st)
        return st;
    sh.total = iv->work;
    memset(sh.total, 0, D * sizeof *sh.total);
    int frac = 0;
    for (size_t r = 0; r < n && !frac; r++)
        frac = iv->items[sh.ord[r]].share != 1.0;
    sh.W = sh.nchunks == 1 ? 1 : SIM_WINDOW(T);
    size_t ctl = sh.W * (sizeof *sh.slot_chunk + sizeof *sh.slot_done);
    unsigned char *ctlmem = NULL;
    if (frac) {
        if (sh.nchunks == 1) {
            sh.slots = sh.total; /* one chunk: straight into the totals */
        } else {
            slot_bytes = sh.W * D * sizeof *sh.slots;
            if (D > SIZE_MAX / sizeof *sh.slots / sh.W ||
                !(sh.slots = toll__alloc(a, slot_bytes))) {
                slot_bytes = 0;
                st = TOLL_ENOMEM;
                goto cleanup;
            }
        }
        if (!(ctlmem = toll__alloc(a, ctl))) {
            st = TOLL_ENOMEM;
            goto cleanup;
        }
        sh.slot_chunk = (size_t *)(void *)ctlmem;
        sh.slot_done = ctlmem + sh.W * sizeof *sh.slot_chunk;
        for (size_t s = 0; s < sh.W; s++) {
            sh.slot_chunk[s] = SIZE_MAX;
            sh.slot_done[s] = 0;
        }
    }
    if (!(th = toll__calloc(a, T, sizeof *th))) {
        st = TOLL_ENOMEM;
        goto cleanup;
    }
    for (size_t k = 0; k < T; k++)
        th[k].sh = &sh;
    size_t run = T; /* threads to start (fewer if the lock fails) */
    if (run > 1) {
        if (pthread_mutex_init(&sh.mu, NULL) != 0)
            run = 1;
        else if (pthread_cond_init(&sh.cv, NULL) != 0) {
            pthread_mutex_destroy(&sh.mu);
            run = 1;
        }
    }
    if (run > 1) {
        sh.threaded = 1;
        /* a thread that cannot be started leaves its chunks to the others
         * (the same numbers) */
        for (size_t k = 1; k < run; k++)
            th[k].started =
                pthread_create(&th[k].tid, NULL, sim_run, &th[k]) == 0;
    }
    sim_run(&th[0]);
    for (size_t k = 1; k < run; k++)
        if (th[k].started)
            pthread_join(th[k].tid, NULL);
    if (sh.threaded) {
        pthread_cond_destroy(&sh.cv);
        pthread_mutex_destroy(&sh.mu);
    }
    for (size_t k = 0; k < T && !st; k++)
        st = th[k].st;
    if (st)
        goto cleanup;
    /* the integer parts: the threads' sums (exact, in any order) */
    int64_t *isum = th[0].isum, ibase = th[0].ibase;
    for (size_t k = 1; k < T; k++) {
        if (!th[k].started)
            continue;
        for (size_t d = 0; d < D; d++)
            isum[d] += th[k].isum[d];
        ibase += th[k].ibase;
    }
    double *dsum = sh.total;
    for (size_t d = 0; d < D; d++) {
        double t = (double)(isum[d] + ibase);
        dsum[d] += t;
        dsum[d] += gr->fixed;
    }
    /* quantiles by selection, ascending p: each selection works on the
     * part above the previous order statistic */
    size_t from = 0;
    for (size_t kk = 0; kk < iv->nq; kk++) {
        size_t k = iv->qorder[kk];
        double pos = iv->q[k] * (double)D;
        double c = ceil(pos - 1e-9 - 1e-12 * pos);
        size_t idx = c < 1.0 ? 0 : (size_t)c - 1;
        if (idx >= D)
            idx = D - 1;
        if (idx < from)
            idx = from; /* same order statistic as the previous one */
        else
            select_k(dsum + from, D - from, idx - from);
        out[k] = dsum[idx];
        from = idx;
    }
cleanup:
    if (th) {
        for (size_t k = 0; k < T; k++)
            if (th[k].isum)
                toll__free(a, th[k].isum, D * sizeof *th[k].isum);
        toll__free(a, th, T * sizeof *th);
    }
    if (ctlmem)
        toll__free(a, ctlmem, ctl);
    if (slot_bytes)
        toll__free(a, sh.slots, slot_bytes);
    return st;
}
