/*
 * src/summarize/fast.c - the columnar fast paths of a summary: codes made
 * for the call (toll__fast_aggregate) and codes cached on the incidents
 * (toll__fast_cached), both over the kernel of src/summarize/kernel.c.
 */
#include "summarize/summarize_int.h"

#include <stdlib.h>

/* ---- fast path: columnar passes (src/summarize/kernel.c) ------------------------ */

/*
 * The common case -- no filters, no intervals, no kept-field keys, joint
 * attribution (or no actor key), span start (or no period key) -- runs as
 * columnar passes instead of toll__aggregate():
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
 * The results are those of toll__aggregate(): each key gets the same set of
 * values (maybe under other codes, but build_table orders codes, rows and
 * dictionaries by value), each contribution is one record with share 1
 * (x * 1.0 == x), and each group's sums are added in record order, which is
 * toll__aggregate()'s order (incident, then cell).
 */
#if defined(__GNUC__)
#define TOLL__UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define TOLL__UNLIKELY(x) (x)
#endif
#define FAST_DENSE_MIN ((uint64_t)1 << 16) /* dense up to this many groups */
#define FAST_DENSE_MAX ((uint64_t)1 << 21) /* or up to 2 per record */
#define FAST_DAYS_MAX ((int64_t)1 << 22)   /* span of the day table */

int toll__fast_applies(const ctx *c)
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
size_t toll__fast_by_id_n(const ctx *c, const dim *d)
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

toll_status toll__fast_aggregate(ctx *c, int *used, toll_error *err)
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
     * are made on first sight, as toll__aggregate() makes them) */
    if (dA)
        for (size_t r = 0; r < nr; r++) {
            uint32_t set = inc->actors[rec_inc[r]], v = amap[set];
            if (TOLL__UNLIKELY(!v)) {
                uint32_t lid =
                    set ? toll__inc_set_label(inc, set) : c->unknown_actor;
                if ((st = toll__string_code(c, dA, lid, &v)))
                    goto fail;
                amap[set] = ++v;
            }
            rA[r] = v - 1;
        }
    if (dR)
        for (size_t r = 0; r < nr; r++) {
            uint32_t id = inc->region[rec_inc[r]], v = dR->by_id[id];
            if (TOLL__UNLIKELY(!v)) {
                if ((st = toll__region_code(c, dR, id, &v)))
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
                    st = toll__period_code(a, dP, TOLL__NO_PERIOD, &v);
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
                const char *l = toll__grade_label(gr);
                dim_val v = {l, strlen(l), (int64_t)gr, 0};
                uint32_t code;
                if ((st = toll__dim_push(a, dG, v, &code)))
                    goto fail;
                dG->by_id[gr] = code + 1;
            }
            rG[r] = dG->by_id[gr] - 1;
        }
    if (dC)
        for (size_t r = 0; r < nr; r++) {
            uint32_t id = inc->c_category[rec_cell[r]], v = dC->by_id[id];
            if (TOLL__UNLIKELY(!v)) {
                if ((st = toll__string_code(c, dC, id, &v)))
                    goto fail;
                v++;
            }
            rC[r] = v - 1;
        }

    /* ---- 2. groups: mixed-radix numbers ---- */
    for (size_t k = nk; k-- > 0;) {
        card[k] = c->dims[k].n ? c->dims[k].n : 1;
        stride[k] = prod;
        prod *= card[k]; /* fits: toll__fast_applies bounded it */
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
    toll__group_fail(st, err);
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
 * toll__aggregate() (see toll__fast_aggregate).
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
                dv.s = toll__grade_label((unsigned)dv.num);
                dv.len = strlen(dv.s);
            } else {
                dv.s = col[k]->str[v];
                dv.len = col[k]->len[v];
            }
            uint32_t code = 0;
            st = toll__dim_push(a, d, dv, &code);
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
 * too far apart) or the numbers would not fit: toll__fast_aggregate runs then.
 * Dense: the number is mixed-radix (the last key varies fastest); hashed:
 * bit-packed (key k at bits shift[k]).  Both order groups as the table.
 */
toll_status toll__fast_cached(ctx *c, int *applies, int *used,
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
    toll__group_fail(st, err);
cleanup:
    toll__free(a, acc, acc_n * sizeof *acc);
    toll__free(a, num, cap * sizeof *num);
    toll__free(a, group, cap * sizeof *group);
    toll__free(a, gfirst, cap * sizeof *gfirst);
    toll__free(a, gnum, (ng ? ng : 1) * sizeof *gnum);
    toll__free(a, pos, (ng ? ng : 1) * sizeof *pos);
    return st;
}
