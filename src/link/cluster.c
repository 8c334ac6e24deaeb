/*
 * src/link/cluster.c - scoring and clustering, and the entry points
 * toll_link_reports, toll_link_fit and toll_link_fit_labelled
 * (docs/linking.md, "Clustering").
 *
 * Scoring: every candidate pair (src/link/block.c) is put in a level of
 * each comparison (toll__lk_compare); the level vector is packed in 16
 * bits, and a pair's weight is the prior weight plus its levels' weights,
 * looked up per vector.  On two threads the pairs are split in halves:
 * the same levels either way.
 *
 * Clustering: the pairs are ordered strongest first (by weight; equal
 * weights by level vector, then in an order fixed by the blocking, which
 * is deterministic), and each pair at or above `upper` merges the clusters
 * of its nodes unless
 *   (a) the two clusters share a source (same_source forbid), or
 *   (b) some node of one and some node of the other are not a candidate
 *       pair at or above `lower` (an unscored pair counts as below), so
 *       that an incident never chains A~B~C when A and C disagree.
 * Pairs in [lower, upper) are left for review.  Incidents are numbered in
 * the order of their first report.
 */
#include "link/pipeline.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>

/* ---- level vectors ------------------------------------------------------ */

static const uint8_t radix[TOLL_LINK_NCOMPARISONS] = {5, 5, 6, 4, 4, 4, 2};

uint16_t toll__lk_pack(const uint8_t levels[TOLL_LINK_NCOMPARISONS])
{
    uint32_t code = 0;
    for (int c = TOLL_LINK_NCOMPARISONS; c-- > 0;)
        code = code * radix[c] +
               (levels[c] < radix[c] ? levels[c] : radix[c] - 1u);
    return (uint16_t)code;
}

void toll__lk_unpack(uint16_t code, uint8_t levels[TOLL_LINK_NCOMPARISONS])
{
    uint32_t x = code;
    for (int c = 0; c < TOLL_LINK_NCOMPARISONS; c++) {
        levels[c] = (uint8_t)(x % radix[c]);
        x /= radix[c];
    }
}

/* ---- scoring ------------------------------------------------------------ */

#define THREAD_MIN_PAIRS 65536

int toll__lk_use_threads(size_t threads, size_t npairs)
{
    if (threads == 1 || npairs < 2)
        return 0;
    return threads >= 2 || npairs >= THREAD_MIN_PAIRS;
}

typedef struct score_job {
    const toll__lk_nodes *nd;
    toll__lk_pair *v;
    size_t n;
} score_job;

static void score_range(const score_job *j)
{
    uint8_t lv[TOLL_LINK_NCOMPARISONS];
    toll__lk_memo memo; /* pairs in blocking order repeat their names */
    memset(&memo, 0, sizeof memo);
    for (size_t i = 0; i < j->n; i++) {
        toll__lk_pair *p = &j->v[i];
        toll__lk_compare_memo(&j->nd->feat[p->a], &j->nd->feat[p->b], &memo,
                              lv);
        p->code = toll__lk_pack(lv);
    }
}

static void *score_thread(void *arg)
{
    score_range(arg);
    return NULL;
}

void toll__lk_score(const toll__lk_nodes *nd, toll__lk_pairs *p, int threads)
{
    score_job j0 = {nd, p->v, p->n}, j1 = {nd, NULL, 0};
    pthread_t tid;
    int started = 0;
    if (threads >= 2 && p->n >= 2) {
        j0.n = p->n / 2;
        j1.v = p->v + j0.n;
        j1.n = p->n - j0.n;
        started = pthread_create(&tid, NULL, score_thread, &j1) == 0;
        if (!started) {
            j0.n = p->n;
            j1.n = 0;
        }
    }
    score_range(&j0);
    if (started)
        pthread_join(tid, NULL);
}

/* ---- shared steps ---------------------------------------------------- */

typedef struct prep {
    toll__lk_nodes nd;
    toll__lk_pairs pairs;
} prep;

static void prep_free(prep *p, const toll_allocator *a)
{
    toll__lk_nodes_free(&p->nd);
    toll__free(a, p->pairs.v, p->pairs.cap * sizeof *p->pairs.v);
    memset(p, 0, sizeof *p);
}

/* Nodes, candidate pairs and their levels. */
static toll_status prepare(const toll_reports *r, const toll_link_options *o,
                           const toll_allocator *a, prep *p, toll_error *err)
{
    memset(p, 0, sizeof *p);
    toll_status st = toll__lk_nodes_build(r, o->names, o->max_span, a,
                                          &p->nd, err);
    if (!st)
        st = toll__lk_block(&p->nd, o->window_days, a, &p->pairs, err);
    if (st) {
        prep_free(p, a);
        return st;
    }
    toll__lk_score(&p->nd, &p->pairs,
                   toll__lk_use_threads(o->threads, p->pairs.n) ? 2 : 1);
    return TOLL_OK;
}

static toll_status check_args(const toll_reports *r,
                              const toll_link_options *opts,
                              toll_link_options *o, const char *fn,
                              toll_error *err)
{
    if (!r)
        return toll__err(err, TOLL_EINVAL, "%s: reports is NULL", fn);
    toll_link_options_init(o);
    if (opts)
        *o = *opts;
    return toll_link_options_check(o, err);
}

toll_status toll_link_fit(const toll_reports *reports,
                          const toll_link_options *opts,
                          const toll_allocator *alloc, toll_link_model **out,
                          toll_error *err)
{
    if (!out)
        return toll__err(err, TOLL_EINVAL, "toll_link_fit: out is NULL");
    *out = NULL;
    toll_link_options o;
    toll_status st = check_args(reports, opts, &o, "toll_link_fit", err);
    if (st)
        return st;
    toll_allocator a;
    toll__alloc_init(&a, alloc ? alloc : &reports->alloc);
    toll_link_model *m = NULL;
    st = o.model ? toll_link_model_copy(o.model, &a, &m, err)
                 : toll_link_model_new(&a, &m, err);
    if (st)
        return st;
    prep p;
    if ((st = prepare(reports, &o, &a, &p, err))) {
        toll_link_model_free(m);
        return st;
    }
    st = toll__lk_fit(&p.nd, &p.pairs, o.seed, m, &a, err);
    prep_free(&p, &a);
    if (st) {
        toll_link_model_free(m);
        return st;
    }
    *out = m;
    return TOLL_OK;
}

static int pair_cmp_ab(const void *pa, const void *pb)
{
    const toll__lk_pair *x = pa, *y = pb;
    if (x->a != y->a)
        return x->a < y->a ? -1 : 1;
    return x->b < y->b ? -1 : x->b > y->b;
}

toll_status toll_link_fit_labelled(const toll_reports *reports,
                                   const toll_link_options *opts,
                                   const toll_link_label *labels, size_t n,
                                   const toll_allocator *alloc,
                                   toll_link_model **out, toll_error *err)
{
    if (!out)
        return toll__err(err, TOLL_EINVAL,
                         "toll_link_fit_labelled: out is NULL");
    *out = NULL;
    toll_link_options o;
    toll_status st =
        check_args(reports, opts, &o, "toll_link_fit_labelled", err);
    if (st)
        return st;
    if (n && !labels)
        return toll__err(err, TOLL_EINVAL,
                         "toll_link_fit_labelled: labels is NULL");
    size_t nm = 0;
    for (size_t i = 0; i < n; i++) {
        const toll_link_label *l = &labels[i];
        if (l->report_a >= reports->n || l->report_b >= reports->n)
            return toll__seterr(
                err, TOLL_EINVAL, NULL, 0, (long)i, "label", NULL, 0,
                "label %zu names report %zu, but there are %zu reports", i,
                l->report_a >= reports->n ? l->report_a : l->report_b,
                reports->n);
        nm += l->match != 0;
    }
    if (nm == 0 || nm == n)
        return toll__err(err, TOLL_EINVAL,
                         "toll_link_fit_labelled: the %zu labels hold no %s",
                         n, nm == 0 ? "match" : "non-match");
    toll_allocator a;
    toll__alloc_init(&a, alloc ? alloc : &reports->alloc);
    toll_link_model *m = NULL;
    st = o.model ? toll_link_model_copy(o.model, &a, &m, err)
                 : toll_link_model_new(&a, &m, err);
    if (st)
        return st;
    prep p;
    uint8_t *lv = NULL, *is = NULL;
    if ((st = prepare(reports, &o, &a, &p, err))) {
        toll_link_model_free(m);
        return st;
    }
    lv = toll__alloc(&a, n * TOLL_LINK_NCOMPARISONS);
    is = toll__alloc(&a, n);
    if (!lv || !is) {
        st = toll__nomem(err);
        goto done;
    }
    if ((st = toll__lk_fit_u(&p.nd, o.seed, m, &a, err)) ||
        (st = toll__lk_blocked_u(&p.pairs, m, &a, err)))
        goto done;
    if (p.pairs.n > 1)
        qsort(p.pairs.v, p.pairs.n, sizeof *p.pairs.v, pair_cmp_ab);
    size_t ncand = 0, ncand_m = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t x = p.nd.node_of[labels[i].report_a];
        uint32_t y = p.nd.node_of[labels[i].report_b];
        toll__lk_compare(&p.nd.feat[x], &p.nd.feat[y],
                         lv + i * TOLL_LINK_NCOMPARISONS);
        is[i] = labels[i].match != 0;
        toll__lk_pair key = {x < y ? x : y, x < y ? y : x, 0, 0};
        if (x != y && p.pairs.n &&
            bsearch(&key, p.pairs.v, p.pairs.n, sizeof key, pair_cmp_ab)) {
            ncand++;
            ncand_m += is[i];
        }
    }
    if ((st = toll__lk_fit_m(m, lv, is, n, err)))
        goto done;
    double prior = ncand && ncand_m ? (double)ncand_m / (double)ncand
                                    : (double)nm / (double)n;
    if (prior < 1e-6)
        prior = 1e-6;
    if (prior > 1.0 - 1e-6)
        prior = 1.0 - 1e-6;
    st = toll_link_model_set_prior(m, prior, err);
done:
    toll__free(&a, lv, n * TOLL_LINK_NCOMPARISONS);
    toll__free(&a, is, n);
    prep_free(&p, &a);
    if (st) {
        toll_link_model_free(m);
        return st;
    }
    *out = m;
    return TOLL_OK;
}

/* ---- clustering --------------------------------------------------------- */

typedef struct clus {
    uint32_t *parent, *next, *head_tail; /* union-find; member lists */
    uint32_t *adj_begin, *adj;           /* node -> neighbours >= lower */
} clus;

static uint32_t find(uint32_t *parent, uint32_t x)
{
    uint32_t root = x;
    while (parent[root] != root)
        root = parent[root];
    while (parent[x] != root) {
        uint32_t nx = parent[x];
        parent[x] = root;
        x = nx;
    }
    return root;
}

static int adjacent(const clus *c, uint32_t x, uint32_t y)
{
    const uint32_t *v = c->adj + c->adj_begin[x];
    size_t lo = 0, hi = c->adj_begin[x + 1] - c->adj_begin[x];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid] < y)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < c->adj_begin[x + 1] - c->adj_begin[x] && v[lo] == y;
}

/* Do the clusters of roots x and y share a source? */
static int share_source(const toll__lk_nodes *nd, const clus *c, uint32_t x,
                        uint32_t y)
{
    for (uint32_t i = x; i != UINT32_MAX; i = c->next[i])
        for (uint32_t j = y; j != UINT32_MAX; j = c->next[j]) {
            const uint32_t *si = nd->srcs + nd->src_begin[i];
            const uint32_t *sj = nd->srcs + nd->src_begin[j];
            uint32_t p = 0, q = 0, ni = nd->src_count[i],
                     nj = nd->src_count[j];
            while (p < ni && q < nj) {
                if (si[p] == sj[q])
                    return 1;
                if (si[p] < sj[q])
                    p++;
                else
                    q++;
            }
        }
    return 0;
}

static int compatible(const clus *c, uint32_t x, uint32_t y)
{
    for (uint32_t i = x; i != UINT32_MAX; i = c->next[i])
        for (uint32_t j = y; j != UINT32_MAX; j = c->next[j])
            if (!adjacent(c, i, j))
                return 0;
    return 1;
}

static int cmp_u32(const void *pa, const void *pb)
{
    uint32_t x = *(const uint32_t *)pa, y = *(const uint32_t *)pb;
    return x < y ? -1 : x > y;
}

/* Order the pairs strongest first: by the rank of their level vector's
 * weight, in place (a bucket permutation: each pair is moved at most once
 * into its rank's range), so that no second array of pairs is needed.
 * The order within a rank is a fixed function of the blocking order. */
static toll_status order_pairs(toll__lk_pairs *p, const double *weight,
                               const toll_allocator *a, toll_error *err)
{
    if (p->n < 2)
        return TOLL_OK;
    uint32_t *codes = toll__alloc(a, TOLL__LK_NCODES * sizeof *codes);
    uint32_t *rank_of = toll__alloc(a, TOLL__LK_NCODES * sizeof *rank_of);
    size_t *next = toll__calloc(a, TOLL__LK_NCODES + 1, sizeof *next);
    size_t *end = toll__alloc(a, TOLL__LK_NCODES * sizeof *end);
    toll_status st = TOLL_OK;
    if (!codes || !rank_of || !next || !end) {
        st = toll__nomem(err);
        goto done;
    }
    /* the level vectors by weight, descending (equal weights by code) */
    for (uint32_t k = 0; k < TOLL__LK_NCODES; k++)
        codes[k] = k;
    for (size_t gap = TOLL__LK_NCODES / 2; gap > 0; gap /= 2) /* Shell */
        for (size_t i = gap; i < TOLL__LK_NCODES; i++) {
            uint32_t x = codes[i];
            size_t j = i;
            while (j >= gap &&
                   (weight[codes[j - gap]] < weight[x] ||
                    (weight[codes[j - gap]] == weight[x] &&
                     codes[j - gap] > x))) {
                codes[j] = codes[j - gap];
                j -= gap;
            }
            codes[j] = x;
        }
    for (uint32_t k = 0; k < TOLL__LK_NCODES; k++)
        rank_of[codes[k]] = k;
    for (size_t i = 0; i < p->n; i++)
        next[rank_of[p->v[i].code] + 1]++;
    for (size_t k = 0; k < TOLL__LK_NCODES; k++) {
        next[k + 1] += next[k];
        end[k] = next[k + 1];
    }
    for (size_t r = 0; r < TOLL__LK_NCODES; r++)
        while (next[r] < end[r]) {
            toll__lk_pair x = p->v[next[r]];
            uint32_t b = rank_of[x.code];
            if (b == r) {
                next[r]++;
                continue;
            }
            while (b != r) { /* carry x to its range, take what was there */
                toll__lk_pair y = p->v[next[b]];
                p->v[next[b]++] = x;
                x = y;
                b = rank_of[x.code];
            }
            p->v[next[r]++] = x;
        }
done:
    toll__free(a, codes, TOLL__LK_NCODES * sizeof *codes);
    toll__free(a, rank_of, TOLL__LK_NCODES * sizeof *rank_of);
    toll__free(a, next, (TOLL__LK_NCODES + 1) * sizeof *next);
    toll__free(a, end, TOLL__LK_NCODES * sizeof *end);
    return st;
}

/* Decide every pair (sorted strongest first) and set parent[] to the
 * clusters.  weight[]: per level vector, prior included. */
static toll_status cluster(const toll__lk_nodes *nd, toll__lk_pairs *p,
                           const double *weight, const toll_link_options *o,
                           uint32_t *parent, const toll_allocator *a,
                           toll_error *err)
{
    const size_t n = nd->n, n1 = n ? n : 1;
    clus c;
    memset(&c, 0, sizeof c);
    c.parent = parent;
    c.next = toll__alloc(a, n1 * sizeof *c.next);
    c.head_tail = toll__alloc(a, n1 * sizeof *c.head_tail);
    c.adj_begin = toll__calloc(a, n + 1, sizeof *c.adj_begin);
    size_t nadj = 0;
    const double lw = log2(o->lower / (1.0 - o->lower));
    const double uw = log2(o->upper / (1.0 - o->upper));
    for (size_t i = 0; i < p->n && weight[p->v[i].code] >= lw; i++)
        nadj += 2;
    c.adj = toll__alloc(a, (nadj ? nadj : 1) * sizeof *c.adj);
    if (!c.next || !c.head_tail || !c.adj_begin || !c.adj) {
        toll_status st = toll__nomem(err);
        toll__free(a, c.next, n1 * sizeof *c.next);
        toll__free(a, c.head_tail, n1 * sizeof *c.head_tail);
        toll__free(a, c.adj_begin, (n + 1) * sizeof *c.adj_begin);
        toll__free(a, c.adj, (nadj ? nadj : 1) * sizeof *c.adj);
        return st;
    }
    size_t nstrong = nadj / 2; /* pairs at or above lower: a prefix */
    for (size_t i = 0; i < nstrong; i++) {
        c.adj_begin[p->v[i].a + 1]++;
        c.adj_begin[p->v[i].b + 1]++;
    }
    for (size_t k = 0; k < n; k++)
        c.adj_begin[k + 1] += c.adj_begin[k];
    for (size_t k = 0; k < n; k++)
        c.next[k] = c.adj_begin[k]; /* fill positions */
    for (size_t i = 0; i < nstrong; i++) {
        c.adj[c.next[p->v[i].a]++] = p->v[i].b;
        c.adj[c.next[p->v[i].b]++] = p->v[i].a;
    }
    for (size_t k = 0; k < n; k++) {
        size_t b = c.adj_begin[k], e = c.adj_begin[k + 1];
        if (e - b > 32) {
            qsort(c.adj + b, e - b, sizeof *c.adj, cmp_u32);
        } else {
            for (size_t i = b + 1; i < e; i++) { /* insertion: short lists */
                uint32_t x = c.adj[i];
                size_t j = i;
                while (j > b && c.adj[j - 1] > x) {
                    c.adj[j] = c.adj[j - 1];
                    j--;
                }
                c.adj[j] = x;
            }
        }
        parent[k] = (uint32_t)k;
        c.next[k] = UINT32_MAX;
        c.head_tail[k] = (uint32_t)k; /* root -> last member */
    }
    const int forbid = o->same_source == TOLL_LINK_SAME_SOURCE_FORBID;
    for (size_t i = 0; i < p->n; i++) {
        toll__lk_pair *q = &p->v[i];
        double w = weight[q->code];
        if (w < lw) {
            q->decision = TOLL__LK_BELOW;
            continue;
        }
        uint32_t x = find(parent, q->a), y = find(parent, q->b);
        if (x == y)
            q->decision = TOLL__LK_SAME_INCIDENT;
        else if (w < uw)
            q->decision = TOLL__LK_REVIEW;
        else if (forbid && share_source(nd, &c, x, y))
            q->decision = TOLL__LK_SAME_SOURCE;
        else if (!compatible(&c, x, y))
            q->decision = TOLL__LK_INCOMPATIBLE;
        else {
            q->decision = TOLL__LK_MERGED;
            /* the lower index becomes the root; lists are concatenated */
            uint32_t root = x < y ? x : y, child = x < y ? y : x;
            parent[child] = root;
            c.next[c.head_tail[root]] = child;
            c.head_tail[root] = c.head_tail[child];
        }
    }
    for (size_t k = 0; k < n; k++)
        parent[k] = find(parent, (uint32_t)k);
    toll__free(a, c.next, n1 * sizeof *c.next);
    toll__free(a, c.head_tail, n1 * sizeof *c.head_tail);
    toll__free(a, c.adj_begin, (n + 1) * sizeof *c.adj_begin);
    toll__free(a, c.adj, (nadj ? nadj : 1) * sizeof *c.adj);
    return TOLL_OK;
}

/* ---- toll_link_reports -------------------------------------------------- */

void toll_links_free(toll_links *l)
{
    if (!l)
        return;
    toll_allocator a = l->alloc;
    size_t nr = l->nreports ? l->nreports : 1;
    size_t ni = l->nincidents ? l->nincidents : 1;
    size_t nn = l->nnodes ? l->nnodes : 1;
    toll_link_model_free(l->model);
    toll__strpool_free(&l->strings);
    toll__free(&a, l->node_of, nr * sizeof *l->node_of);
    toll__free(&a, l->loc, nr * sizeof *l->loc);
    toll__free(&a, l->id, nr * sizeof *l->id);
    toll__free(&a, l->source, nr * sizeof *l->source);
    toll__free(&a, l->incident_of, nr * sizeof *l->incident_of);
    toll__free(&a, l->key, ni * sizeof *l->key);
    toll__free(&a, l->inc_nodes, ni * sizeof *l->inc_nodes);
    toll__free(&a, l->node_first, nn * sizeof *l->node_first);
    toll__free(&a, l->node_review, nn * sizeof *l->node_review);
    toll__free(&a, l->node_p, nn * sizeof *l->node_p);
    toll__free(&a, l->pairs, (l->npairs ? l->npairs : 1) * sizeof *l->pairs);
    toll__free(&a, l, sizeof *l);
}

/* Copy a store string into the links' pool. */
static toll_status copy_str(toll_links *l, const toll_reports *r, uint32_t g,
                            uint32_t *id)
{
    if (!g || g >= r->strings.count) {
        *id = 0;
        return TOLL_OK;
    }
    return toll__strpool_intern(&l->strings, toll__str(&r->strings, g),
                                toll__strlen(&r->strings, g), id);
}

/* The incidents, keys and per-report columns of l from the clusters
 * (parent: node -> root). */
static toll_status fill_links(toll_links *l, const toll_reports *r,
                              const toll__lk_nodes *nd,
                              const uint32_t *parent, toll_error *err)
{
    const toll_allocator *a = &l->alloc;
    const size_t nr = r->n ? r->n : 1, nn = nd->n ? nd->n : 1;
    uint32_t *inc_of_root = toll__alloc(a, nn * sizeof *inc_of_root);
    toll__buf b;
    toll__buf_init(&b, a);
    toll_status st = TOLL_OK;
    l->node_of = toll__alloc(a, nr * sizeof *l->node_of);
    l->loc = toll__alloc(a, nr * sizeof *l->loc);
    l->id = toll__alloc(a, nr * sizeof *l->id);
    l->source = toll__alloc(a, nr * sizeof *l->source);
    l->incident_of = toll__alloc(a, nr * sizeof *l->incident_of);
    l->node_first = toll__alloc(a, nn * sizeof *l->node_first);
    if (!inc_of_root || !l->node_of || !l->loc || !l->id || !l->source ||
        !l->incident_of || !l->node_first)
        goto nomem;
    for (size_t k = 0; k < nd->n; k++) {
        inc_of_root[k] = UINT32_MAX;
        l->node_first[k] = nd->first[k];
    }
    size_t ninc = 0;
    for (size_t i = 0; i < r->n; i++) {
        uint32_t root = parent[nd->node_of[i]];
        if (inc_of_root[root] == UINT32_MAX)
            inc_of_root[root] = (uint32_t)ninc++;
        l->incident_of[i] = inc_of_root[root];
        l->node_of[i] = nd->node_of[i];
    }
    l->nincidents = ninc;
    size_t ni = ninc ? ninc : 1;
    l->key = toll__calloc(a, ni, sizeof *l->key);
    l->inc_nodes = toll__calloc(a, ni, sizeof *l->inc_nodes);
    uint32_t *first_rep = toll__alloc(a, ni * sizeof *first_rep);
    if (!l->key || !l->inc_nodes || !first_rep) {
        toll__free(a, first_rep, ni * sizeof *first_rep);
        goto nomem;
    }
    for (size_t c = 0; c < ninc; c++)
        first_rep[c] = UINT32_MAX;
    for (size_t k = 0; k < nd->n; k++)
        l->inc_nodes[inc_of_root[parent[k]]]++;
    for (size_t i = 0; i < r->n && !st; i++) {
        uint32_t c = l->incident_of[i];
        if (first_rep[c] == UINT32_MAX)
            first_rep[c] = (uint32_t)i;
        b.len = 0;
        if ((st = toll__reports_locate(r, i, &b)) ||
            (st = toll__strpool_intern(&l->strings, b.data, b.len,
                                       &l->loc[i])) ||
            (st = copy_str(l, r, toll__reports_opt(r->id, i), &l->id[i])) ||
            (st = copy_str(l, r, r->source[i], &l->source[i])))
            break;
        if (!l->key[c] && r->incident[i])
            st = copy_str(l, r, r->incident[i], &l->key[c]);
    }
    for (size_t c = 0; c < ninc && !st; c++) {
        if (l->key[c])
            continue;
        b.len = 0;
        if (!(st = toll__buf_append(&b, "auto:", 5)) &&
            !(st = toll__reports_locate(r, first_rep[c], &b)))
            st = toll__strpool_intern(&l->strings, b.data, b.len,
                                      &l->key[c]);
    }
    toll__free(a, first_rep, ni * sizeof *first_rep);
    toll__free(a, inc_of_root, nn * sizeof *inc_of_root);
    toll__buf_free(&b);
    if (st == TOLL_ENOMEM)
        return toll__nomem(err);
    if (st)
        return toll__err(err, st, "cannot copy the reports' texts: %s",
                         toll_strerror(st));
    return TOLL_OK;
nomem:
    toll__free(a, inc_of_root, nn * sizeof *inc_of_root);
    toll__buf_free(&b);
    return toll__nomem(err);
}

toll_status toll_link_reports(const toll_reports *reports,
                              const toll_link_options *opts,
                              const toll_allocator *alloc, toll_links **out,
                              toll_error *err)
{
    if (!out)
        return toll__err(err, TOLL_EINVAL, "toll_link_reports: out is NULL");
    *out = NULL;
    toll_link_options o;
    toll_status st = check_args(reports, opts, &o, "toll_link_reports", err);
    if (st)
        return st;
    toll_allocator a;
    toll__alloc_init(&a, alloc ? alloc : &reports->alloc);
    toll_links *l = toll__calloc(&a, 1, sizeof *l);
    if (!l)
        return toll__nomem(err);
    l->alloc = a;
    l->store = reports;
    l->lower = o.lower;
    l->upper = o.upper;
    l->nreports = reports->n;
    uint32_t *parent = NULL;
    prep p;
    memset(&p, 0, sizeof p);
    if (toll__strpool_init(&l->strings, &l->alloc)) {
        toll__free(&a, l, sizeof *l);
        return toll__nomem(err);
    }
    st = o.model ? toll_link_model_copy(o.model, &a, &l->model, err)
                 : toll_link_model_new(&a, &l->model, err);
    if (st || (st = prepare(reports, &o, &a, &p, err)))
        goto fail;
    if (!o.model &&
        (st = toll__lk_fit(&p.nd, &p.pairs, o.seed, l->model, &a, err)))
        goto fail;

    /* weights of every level vector, prior included */
    double pw = toll__lk_prior_weight(l->model);
    uint8_t lv[TOLL_LINK_NCOMPARISONS];
    for (uint32_t code = 0; code < TOLL__LK_NCODES; code++) {
        toll__lk_unpack((uint16_t)code, lv);
        l->weight[code] = pw + toll__lk_weight(l->model, lv, NULL);
    }
    if ((st = order_pairs(&p.pairs, l->weight, &a, err)))
        goto fail;
    size_t nn = p.nd.n ? p.nd.n : 1;
    if (!(parent = toll__alloc(&a, nn * sizeof *parent))) {
        st = toll__nomem(err);
        goto fail;
    }
    if ((st = cluster(&p.nd, &p.pairs, l->weight, &o, parent, &a, err)) ||
        (st = fill_links(l, reports, &p.nd, parent, err)))
        goto fail;

    l->nnodes = p.nd.n;
    l->node_review = toll__calloc(&a, nn, sizeof *l->node_review);
    l->node_p = toll__alloc(&a, nn * sizeof *l->node_p);
    if (!l->node_review || !l->node_p) {
        st = toll__nomem(err);
        goto fail;
    }
    for (size_t k = 0; k < p.nd.n; k++)
        l->node_p[k] = NAN;
    for (size_t i = 0; i < p.pairs.n; i++) {
        const toll__lk_pair *q = &p.pairs.v[i];
        if (q->decision == TOLL__LK_REVIEW)
            l->node_review[q->a] = l->node_review[q->b] = 1;
        if (q->decision != TOLL__LK_MERGED)
            continue;
        double pr = toll__lk_pair_p(l, q);
        if (!(l->node_p[q->a] <= pr))
            l->node_p[q->a] = pr;
        if (!(l->node_p[q->b] <= pr))
            l->node_p[q->b] = pr;
    }
    /* the pairs move into the links, trimmed to their count */
    l->npairs = p.pairs.n;
    if (p.pairs.n) {
        l->pairs = toll__realloc(&a, p.pairs.v,
                                 p.pairs.cap * sizeof *p.pairs.v,
                                 p.pairs.n * sizeof *p.pairs.v);
        if (!l->pairs) {
            l->npairs = 0;
            st = toll__nomem(err);
            goto fail;
        }
    } else {
        l->pairs = toll__alloc(&a, sizeof *l->pairs);
        if (!l->pairs) {
            st = toll__nomem(err);
            goto fail;
        }
        toll__free(&a, p.pairs.v, p.pairs.cap * sizeof *p.pairs.v);
    }
    p.pairs.v = NULL;
    p.pairs.cap = p.pairs.n = 0;
    toll__free(&a, parent, nn * sizeof *parent);
    prep_free(&p, &a);
    *out = l;
    return TOLL_OK;

fail:
    l->nnodes = p.nd.n;
    toll__free(&a, parent, (p.nd.n ? p.nd.n : 1) * sizeof *parent);
    prep_free(&p, &a);
    toll_links_free(l);
    return st;
}
