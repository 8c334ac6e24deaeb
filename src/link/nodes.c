/*
 * src/link/nodes.c - the nodes of the probabilistic linker and their
 * features (docs/linking.md, "Nodes").
 *
 * A node is a report without an `incident` key, or all the reports that
 * share one key (a dataset's own grouping is kept: its reports are linked
 * as one).  A node's features:
 *   date      the union of its reports' spans (a lone start or end stands
 *             for both); none when no report is dated
 *   region    the first region given (store order)
 *   lat, lon  the first coordinates given, with that report's precision
 *   place     the first place name given, normalised
 *             (toll__lk_place_normalise) with its phonetic key
 *   actors    the union of its reports' actors (string ids, ascending)
 *   figure    the first `killed` figure given (unknown: low < 0)
 *   source    its first report's source; `srcs` lists all its sources
 * A node is linkable when it has a date span of at most max_span days
 * (max_span 0: any); other nodes stay incidents of their own.
 */
#include "link/pipeline.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

/* FNV-1a of s[0..n), never 0. */
static uint64_t hash_bytes(const char *s, size_t n)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ull;
    }
    return h ? h : 1;
}

/* Hashes of the first level and the first two levels of a region path. */
static void region_keys(const char *s, size_t n, uint64_t *country,
                        uint64_t *gov)
{
    *country = *gov = 0;
    if (!s || !n)
        return;
    size_t p = 0;
    while (p < n && s[p] != '/')
        p++;
    *country = hash_bytes(s, p);
    if (p >= n)
        return;
    size_t q = p + 1;
    while (q < n && s[q] != '/')
        q++;
    if (q > p + 1)
        *gov = hash_bytes(s, q);
}

static int cmp_u32(const void *pa, const void *pb)
{
    uint32_t x = *(const uint32_t *)pa, y = *(const uint32_t *)pb;
    return x < y ? -1 : x > y;
}

/* Sort and deduplicate v[0..n); returns the new count. */
static uint32_t sort_unique(uint32_t *v, uint32_t n)
{
    if (n < 2)
        return n;
    if (n < 16) {
        for (uint32_t i = 1; i < n; i++) {
            uint32_t x = v[i], j = i;
            while (j > 0 && v[j - 1] > x) {
                v[j] = v[j - 1];
                j--;
            }
            v[j] = x;
        }
    } else {
        qsort(v, n, sizeof *v, cmp_u32);
    }
    uint32_t m = 1;
    for (uint32_t i = 1; i < n; i++)
        if (v[i] != v[m - 1])
            v[m++] = v[i];
    return m;
}

void toll__lk_nodes_free(toll__lk_nodes *nd)
{
    if (!nd || !nd->a)
        return;
    const toll_allocator *a = nd->a;
    size_t n1 = nd->n ? nd->n : 1;
    toll__free(a, nd->first, n1 * sizeof *nd->first);
    toll__free(a, nd->key, n1 * sizeof *nd->key);
    toll__free(a, nd->linkable, n1 * sizeof *nd->linkable);
    toll__free(a, nd->feat, n1 * sizeof *nd->feat);
    toll__free(a, nd->country, n1 * sizeof *nd->country);
    toll__free(a, nd->gov, n1 * sizeof *nd->gov);
    toll__free(a, nd->src_begin, n1 * sizeof *nd->src_begin);
    toll__free(a, nd->src_count, n1 * sizeof *nd->src_count);
    toll__free(a, nd->srcs, nd->nsrcs * sizeof *nd->srcs);
    toll__free(a, nd->actors, nd->nactors * sizeof *nd->actors);
    toll__free(a, nd->places, nd->places_len);
    toll__free(a, nd->node_of, nd->nrep_alloc * sizeof *nd->node_of);
    memset(nd, 0, sizeof *nd);
}

/* The span of report i into [*s, *e]; 0 when it has no date. */
static int report_span(const toll_reports *r, size_t i, int32_t *s,
                       int32_t *e)
{
    int32_t x = r->date_start[i], y = r->date_end[i];
    if (x == TOLL_NO_DATE && y == TOLL_NO_DATE)
        return 0;
    if (x == TOLL_NO_DATE)
        x = y;
    if (y == TOLL_NO_DATE || y < x)
        y = x;
    *s = x;
    *e = y;
    return 1;
}

toll_status toll__lk_nodes_build(const toll_reports *r,
                                 const toll_link_names *names, int max_span,
                                 const toll_allocator *a, toll__lk_nodes *nd,
                                 toll_error *err)
{
    memset(nd, 0, sizeof *nd);
    nd->a = a;
    const size_t nrep = r->n, nstr = r->strings.count ? r->strings.count : 1;
    if (nrep >= UINT32_MAX / 2)
        return toll__err(err, TOLL_ERANGE, "too many reports to link (%zu)",
                         nrep);
    toll_status st = TOLL_OK;
    size_t n = 0;
    uint32_t *keynode = toll__calloc(a, nstr, sizeof *keynode);
    /* location string id -> 1 + the node whose place it gave first: each
     * distinct place name is normalised once (an empty result is not
     * remembered) */
    uint32_t *locnode = toll__calloc(a, nstr, sizeof *locnode);
    uint32_t *place_off = NULL;
    toll__buf norm, all;
    toll__buf_init(&norm, a);
    toll__buf_init(&all, a);
    nd->nrep_alloc = nrep ? nrep : 1;
    nd->node_of = toll__alloc(a, nd->nrep_alloc * sizeof *nd->node_of);
    if (!keynode || !locnode || !nd->node_of)
        goto nomem;

    /* 1. Nodes: one per key (first appearance), one per unkeyed report. */
    for (size_t i = 0; i < nrep; i++) {
        uint32_t k = r->incident[i];
        if (k && k < nstr && keynode[k]) {
            nd->node_of[i] = keynode[k] - 1;
            continue;
        }
        nd->node_of[i] = (uint32_t)n++;
        if (k && k < nstr)
            keynode[k] = (uint32_t)n;
    }
    nd->n = n;
#define NODE_ARRAY(f) (nd->f = toll__calloc(a, n ? n : 1, sizeof *nd->f))
    if (!NODE_ARRAY(first) || !NODE_ARRAY(key) || !NODE_ARRAY(linkable) ||
        !NODE_ARRAY(feat) || !NODE_ARRAY(country) || !NODE_ARRAY(gov) ||
        !NODE_ARRAY(src_begin) || !NODE_ARRAY(src_count))
        goto nomem;
#undef NODE_ARRAY
    if (!(place_off = toll__calloc(a, n ? n : 1, sizeof *place_off)))
        goto nomem;

    uint32_t killed = 0;
    toll__strpool_find(&r->strings, "killed", 6, &killed);

    /* 2. Features, report by report in store order; counts of actors and
     *    sources per node. */
    for (size_t k = 0; k < n; k++) {
        toll__lk_feat *f = &nd->feat[k];
        f->d0 = f->d1 = TOLL_NO_DATE;
        f->lat = f->lon = NAN;
        f->low = -1;
        f->high = -1;
        nd->first[k] = UINT32_MAX;
    }
    size_t nact = 0;
    for (size_t i = 0; i < nrep; i++) {
        uint32_t k = nd->node_of[i];
        toll__lk_feat *f = &nd->feat[k];
        if (nd->first[k] == UINT32_MAX) {
            nd->first[k] = (uint32_t)i;
            nd->key[k] = r->incident[i];
            f->source = r->source[i];
        }
        int32_t s, e;
        if (report_span(r, i, &s, &e)) {
            if (f->d0 == TOLL_NO_DATE || s < f->d0)
                f->d0 = s;
            if (f->d1 == TOLL_NO_DATE || e > f->d1)
                f->d1 = e;
        }
        uint32_t g = r->region[i];
        if (!f->region && g && g < r->strings.count)
            toll__lk_feat_region(f, toll__str(&r->strings, g),
                                 toll__strlen(&r->strings, g));
        if (isnan(f->lat) && !isnan(r->lat[i]) && !isnan(r->lon[i])) {
            f->lat = r->lat[i];
            f->lon = r->lon[i];
            f->tol_km = r->precision_km[i] > 0 ? r->precision_km[i] : 0;
        }
        uint32_t loc = r->location[i];
        if (!place_off[k] && loc && loc < r->strings.count &&
            locnode[loc]) { /* normalised already, for node locnode - 1 */
            uint32_t k2 = locnode[loc] - 1;
            place_off[k] = place_off[k2];
            f->place_len = nd->feat[k2].place_len;
            f->place_phon = nd->feat[k2].place_phon;
        } else if (!place_off[k] && loc && loc < r->strings.count) {
            if ((st = toll__lk_place_normalise(
                     names, toll__str(&r->strings, loc),
                     toll__strlen(&r->strings, loc), &norm))) {
                if (st == TOLL_ENOMEM)
                    goto nomem;
                goto fail;
            }
            if (norm.len) {
                locnode[loc] = k + 1;
                place_off[k] = (uint32_t)all.len + 1;
                f->place_len = (uint32_t)norm.len;
                f->place_phon = toll__lk_phonetic(norm.data, norm.len);
                if (toll__buf_append(&all, norm.data, norm.len) ||
                    toll__buf_putc(&all, '\0'))
                    goto nomem;
            }
        }
        if (f->low < 0 && killed) {
            for (uint32_t q = 0; q < r->q_count[i]; q++) {
                const toll__qcell *c = &r->q[r->q_begin[i] + q];
                if (c->category == killed && c->low >= 0) {
                    f->low = c->low;
                    f->high = c->high;
                    break;
                }
            }
        }
        uint32_t set = r->actors[i];
        if (set && set < r->actor_sets.count)
            nact += toll__set_size(&r->actor_sets, set);
        nd->src_count[k]++;
    }

    /* 3. Actors and sources per node: counting sort by node, then sort and
     *    deduplicate each node's run. */
    uint32_t *acount = toll__calloc(a, n ? n : 1, sizeof *acount);
    if (!acount)
        goto nomem;
    nd->nactors = nact ? nact : 1;
    nd->nsrcs = nrep ? nrep : 1;
    nd->actors = toll__alloc(a, nd->nactors * sizeof *nd->actors);
    nd->srcs = toll__alloc(a, nd->nsrcs * sizeof *nd->srcs);
    if (!nd->actors || !nd->srcs) {
        toll__free(a, acount, (n ? n : 1) * sizeof *acount);
        goto nomem;
    }
    for (size_t i = 0; i < nrep; i++) {
        uint32_t set = r->actors[i];
        if (set && set < r->actor_sets.count)
            acount[nd->node_of[i]] +=
                (uint32_t)toll__set_size(&r->actor_sets, set);
    }
    size_t apos = 0, spos = 0;
    for (size_t k = 0; k < n; k++) {
        uint32_t c = acount[k];
        acount[k] = (uint32_t)apos; /* fill position */
        nd->feat[k].n_actors = 0;
        apos += c;
        nd->src_begin[k] = (uint32_t)spos;
        spos += nd->src_count[k];
        nd->src_count[k] = 0;
    }
    for (size_t i = 0; i < nrep; i++) {
        uint32_t k = nd->node_of[i];
        nd->srcs[nd->src_begin[k] + nd->src_count[k]++] = r->source[i];
        uint32_t set = r->actors[i];
        if (set && set < r->actor_sets.count) {
            size_t sz = toll__set_size(&r->actor_sets, set);
            const uint32_t *mem = toll__set_members(&r->actor_sets, set);
            for (size_t q = 0; q < sz; q++)
                nd->actors[acount[k] + nd->feat[k].n_actors++] = mem[q];
        }
    }
    for (size_t k = 0; k < n; k++) {
        toll__lk_feat *f = &nd->feat[k];
        uint32_t *av = nd->actors + acount[k];
        f->n_actors = sort_unique(av, f->n_actors);
        f->actors = f->n_actors ? av : NULL;
        nd->src_count[k] =
            sort_unique(nd->srcs + nd->src_begin[k], nd->src_count[k]);
    }
    toll__free(a, acount, (n ? n : 1) * sizeof *acount);

    /* 4. The place names move to their final buffer; linkability and the
     *    blocking keys. */
    nd->places_len = all.len ? all.len : 1;
    if (!(nd->places = toll__alloc(a, nd->places_len)))
        goto nomem;
    if (all.len)
        memcpy(nd->places, all.data, all.len);
    for (size_t k = 0; k < n; k++) {
        toll__lk_feat *f = &nd->feat[k];
        if (place_off[k])
            f->place = nd->places + place_off[k] - 1;
        nd->linkable[k] =
            f->d0 != TOLL_NO_DATE &&
            (max_span <= 0 || (int64_t)f->d1 - f->d0 + 1 <= max_span);
        region_keys(f->region, f->region_len, &nd->country[k], &nd->gov[k]);
    }
    goto done;

nomem:
    st = toll__nomem(err);
    goto done;
fail:
    st = toll__err(err, st, "cannot normalise a place name: %s",
                   toll_strerror(st));
done:
    toll__free(a, keynode, nstr * sizeof *keynode);
    toll__free(a, locnode, nstr * sizeof *locnode);
    toll__free(a, place_off, (n ? n : 1) * sizeof *place_off);
    toll__buf_free(&norm);
    toll__buf_free(&all);
    if (st)
        toll__lk_nodes_free(nd);
    return st;
}
