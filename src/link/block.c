/*
 * src/link/block.c - blocking: the candidate pairs of nodes
 * (docs/linking.md, "Blocking").
 *
 * Two linkable nodes (src/link/nodes.c) are a candidate pair when their
 * spans are at most window_days apart (overlapping spans are 0 apart),
 * their regions name the same country (the first level; nodes without a
 * region pair only with each other), and
 *   - they name the same governorate (the second level), or
 *   - one of them names no governorate, or
 *   - both have coordinates within TOLL__LK_CELL_KM km plus both
 *     precision radii (each capped at TOLL__LK_TOL_CAP_KM): a strike near
 *     a boundary may be placed in either governorate.
 * Three sweeps produce the three kinds, each pair once:
 *   1. nodes sorted by (country, governorate, start); each node looks back
 *      at the earlier ones that can still be in its window;
 *   2. each node with a governorate looks up, by binary search, the nodes
 *      of its country without one whose start can be in its window;
 *   3. nodes with coordinates and a governorate sorted by (country, cell,
 *      start) on a grid of CELL_DEG degrees; each node looks at its own
 *      cell (later nodes) and at the neighbouring cells after its own,
 *      far enough to cover the radius, and keeps the pairs in different
 *      governorates.
 * A node ends at most L days after it starts (L: the longest linkable
 * span, below max_span), so a sweep only looks at starts within
 * window_days + L days.  Cost: O(n log n) for the sorts plus the pairs
 * found and the nodes looked at, which the window bounds.
 */
#include "link/pipeline.h"

#include <math.h>
#include <stdlib.h>

#define CELL_DEG 0.5
#define KM_PER_DEG 111.195

typedef struct bitem {
    uint64_t k1, k2;  /* sort keys: (country, governorate) or (country,
                         cell) */
    int32_t s, e;
    uint32_t node;
} bitem;

static int bitem_cmp(const void *pa, const void *pb)
{
    const bitem *x = pa, *y = pb;
    if (x->k1 != y->k1)
        return x->k1 < y->k1 ? -1 : 1;
    if (x->k2 != y->k2)
        return x->k2 < y->k2 ? -1 : 1;
    if (x->s != y->s)
        return x->s < y->s ? -1 : 1;
    return x->node < y->node ? -1 : x->node > y->node;
}

/* The first index in v[0..n) not before (k1, k2, s). */
static size_t lower_bound(const bitem *v, size_t n, uint64_t k1, uint64_t k2,
                          int64_t s)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const bitem *x = &v[mid];
        int before = x->k1 != k1   ? x->k1 < k1
                     : x->k2 != k2 ? x->k2 < k2
                                   : (int64_t)x->s < s;
        if (before)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static toll_status emit(const toll_allocator *a, toll__lk_pairs *out,
                        uint32_t x, uint32_t y)
{
    if (out->n == out->cap &&
        toll__grow(a, (void **)&out->v, &out->cap, out->n + 1,
                   sizeof *out->v))
        return TOLL_ENOMEM;
    toll__lk_pair *p = &out->v[out->n++];
    p->a = x < y ? x : y;
    p->b = x < y ? y : x;
    p->code = 0;
    p->decision = 0;
    return TOLL_OK;
}

/* Days between spans [s1, e1] and [s2, e2] (0 when they overlap). */
static int64_t gap(int64_t s1, int64_t e1, int64_t s2, int64_t e2)
{
    int64_t hi = s1 > s2 ? s1 : s2, lo = e1 < e2 ? e1 : e2;
    return hi > lo ? hi - lo : 0;
}

static double tol_of(const toll__lk_feat *f)
{
    return f->tol_km < TOLL__LK_TOL_CAP_KM ? f->tol_km : TOLL__LK_TOL_CAP_KM;
}

static int64_t cell_of(double deg) { return (int64_t)floor(deg / CELL_DEG); }

toll_status toll__lk_block(const toll__lk_nodes *nd, int window_days,
                           const toll_allocator *a, toll__lk_pairs *out,
                           toll_error *err)
{
    const size_t n = nd->n;
    const int64_t w = window_days;
    size_t m = 0, nz = 0, nc = 0;
    int64_t L = 0;
    for (size_t k = 0; k < n; k++) {
        if (!nd->linkable[k])
            continue;
        const toll__lk_feat *f = &nd->feat[k];
        m++;
        if (nd->country[k] && !nd->gov[k])
            nz++;
        if (nd->gov[k] && !isnan(f->lat) && !isnan(f->lon))
            nc++;
        if ((int64_t)f->d1 - f->d0 > L)
            L = (int64_t)f->d1 - f->d0;
    }
    if (m < 2)
        return TOLL_OK;
    toll_status st = TOLL_OK;
    bitem *all = toll__alloc(a, m * sizeof *all);
    bitem *z = toll__alloc(a, (nz ? nz : 1) * sizeof *z);
    bitem *c = toll__alloc(a, (nc ? nc : 1) * sizeof *c);
    if (!all || !z || !c)
        goto nomem;
    size_t im = 0, iz = 0, ic = 0;
    for (size_t k = 0; k < n; k++) {
        if (!nd->linkable[k])
            continue;
        const toll__lk_feat *f = &nd->feat[k];
        bitem it = {nd->country[k], nd->gov[k], f->d0, f->d1, (uint32_t)k};
        all[im++] = it;
        if (nd->country[k] && !nd->gov[k]) {
            it.k2 = 0;
            z[iz++] = it;
        }
        if (nd->gov[k] && !isnan(f->lat) && !isnan(f->lon)) {
            int64_t row = cell_of(f->lat), col = cell_of(f->lon);
            it.k2 = ((uint64_t)(row + (1 << 20)) << 32) |
                    (uint64_t)(col + (1 << 20));
            c[ic++] = it;
        }
    }
    qsort(all, m, sizeof *all, bitem_cmp);
    if (nz > 1)
        qsort(z, nz, sizeof *z, bitem_cmp);
    if (nc > 1)
        qsort(c, nc, sizeof *c, bitem_cmp);

    /* 1. Same country and governorate (or both without). */
    for (size_t j = 1; j < m; j++) {
        const bitem *y = &all[j];
        const int64_t reach = (int64_t)y->s - w; /* earliest end kept */
        for (size_t i = j; i-- > 0;) {
            const bitem *x = &all[i];
            if (x->k1 != y->k1 || x->k2 != y->k2 ||
                (int64_t)x->s < reach - L)
                break;
            if ((int64_t)x->e >= reach && emit(a, out, x->node, y->node))
                goto nomem;
        }
    }

    /* 2. A node with a governorate and the nodes of its country without. */
    for (size_t j = 0; j < m && nz; j++) {
        const bitem *y = &all[j];
        if (!y->k1 || !y->k2)
            continue;
        size_t i = lower_bound(z, nz, y->k1, 0, (int64_t)y->s - w - L);
        for (; i < nz; i++) {
            const bitem *x = &z[i];
            if (x->k1 != y->k1 || (int64_t)x->s > (int64_t)y->e + w)
                break;
            if (gap(x->s, x->e, y->s, y->e) <= w &&
                emit(a, out, x->node, y->node))
                goto nomem;
        }
    }

    /* 3. Different governorates, coordinates close. */
    const double rmax = TOLL__LK_CELL_KM + 2.0 * TOLL__LK_TOL_CAP_KM;
    const int64_t dr = (int64_t)ceil(rmax / (CELL_DEG * KM_PER_DEG));
    for (size_t p = 0; p < nc; p++) {
        const bitem *y = &c[p];
        const toll__lk_feat *fy = &nd->feat[y->node];
        int64_t row = (int64_t)(y->k2 >> 32) - (1 << 20);
        int64_t col = (int64_t)(y->k2 & 0xffffffffu) - (1 << 20);
        double far_lat = fabs(fy->lat) + (double)(dr + 1) * CELL_DEG;
        double coslat = far_lat >= 89.0 ? 0.0 : cos(far_lat * 3.14159265358979323846 / 180.0);
        int64_t dc = coslat > 0.0 ? (int64_t)ceil(rmax / (CELL_DEG *
                                                         KM_PER_DEG *
                                                         coslat))
                                  : (int64_t)(360.0 / CELL_DEG);
        if (dc > (int64_t)(360.0 / CELL_DEG))
            dc = (int64_t)(360.0 / CELL_DEG);
        for (int64_t r = 0; r <= dr; r++) {
            for (int64_t q = r == 0 ? 0 : -dc; q <= dc; q++) {
                uint64_t k2 = ((uint64_t)(row + r + (1 << 20)) << 32) |
                              (uint64_t)(col + q + (1 << 20));
                size_t i = r == 0 && q == 0
                               ? p + 1
                               : lower_bound(c, nc, y->k1, k2,
                                             (int64_t)y->s - w - L);
                for (; i < nc; i++) {
                    const bitem *x = &c[i];
                    if (x->k1 != y->k1 || x->k2 != k2 ||
                        (int64_t)x->s > (int64_t)y->e + w)
                        break;
                    if (nd->gov[x->node] == nd->gov[y->node] ||
                        gap(x->s, x->e, y->s, y->e) > w)
                        continue;
                    const toll__lk_feat *fx = &nd->feat[x->node];
                    double d = toll_link_distance_km(fx->lat, fx->lon,
                                                     fy->lat, fy->lon);
                    if (d <= TOLL__LK_CELL_KM + tol_of(fx) + tol_of(fy) &&
                        emit(a, out, x->node, y->node))
                        goto nomem;
                }
            }
        }
    }
    goto done;

nomem:
    st = toll__nomem(err);
done:
    toll__free(a, all, m * sizeof *all);
    toll__free(a, z, (nz ? nz : 1) * sizeof *z);
    toll__free(a, c, (nc ? nc : 1) * sizeof *c);
    return st;
}
