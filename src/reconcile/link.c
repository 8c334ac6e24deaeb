/*
 * src/reconcile/link.c - the links of a reconcile.  link=rule: group
 * reports that carry no incident key by date window, region prefix and
 * shared actors; record why each pair was linked.  link=auto: take the
 * incidents of the probabilistic linker (src/link/) and record its merged
 * pairs.
 *
 * The rules are those of include/toll/link.h; docs/linking.md explains them
 * and gives the measured cost.
 *
 * Algorithm (exact, not a heuristic):
 *   1. Every linkable report (unkeyed, dated, with a region at least as
 *      deep as the level, and - when actors are required - with actors)
 *      gets a bucket: the string id of its region prefix at the level.
 *      A vague report (span longer than link_max_span) gets a group of
 *      its own kind: (bucket, start, end).
 *   2. Sort the linkable reports by (vague, bucket, start, end, index).
 *   3. Sweep each group (a bucket; for vague reports a bucket and span)
 *      in that order.  For a report j starting at s_j,
 *      an earlier report i (s_i <= s_j) is within the window exactly when
 *      e_i >= s_j - d, and because s_j only grows, a report that falls out
 *      of the window never comes back.  So for each actor m it is enough
 *      to remember ONE report: among the reports of the group seen so far
 *      that name m, the one that ends last.  Invariant: every report naming
 *      m that can still be in some later report's window is already in the
 *      same cluster as that one, and that one is in the window whenever
 *      any of them is.  Report j is unioned with the remembered report of
 *      each of its actors that is still in the window, and replaces it
 *      when j ends later (or when it has left the window).
 *      Every union is between two reports that meet all three conditions,
 *      and every pair that meets them ends up in one cluster, so the
 *      clusters are exactly the connected components of the link graph.
 *      With link_require_actor = 0 all reports share one slot.
 *   4. Union-find with path compression and union by rank; each union
 *      that merges two clusters is recorded as a link.
 * Cost: O(n log n) for the sort, then O(sum of actor-set sizes) finds and
 * unions - independent of how many reports share a window.
 *
 * Memory: scratch from the reconcile allocator; the links live in the
 * incidents object (toll__incidents_x, src/reconcile/link.h).  Region
 * prefixes and "auto:FILE:LINE" keys get ids in the incidents' id space
 * (toll__inc_intern: the store's id, else one of the incidents' own pool;
 * src/reconcile/reconcile.h); the store is only read.
 */
#include "reconcile/link.h"
#include "link/pipeline.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>

/* ---- the incidents block ------------------------------------------------ */

toll_incidents *toll__incidents_new(const toll_allocator *a)
{
    toll__incidents_x *x = toll__calloc(a, 1, sizeof *x);
    if (!x)
        return NULL;
    x->base.alloc = *a;
    return &x->base;
}

void toll__incidents_delete(toll_incidents *inc)
{
    if (!inc)
        return;
    toll_allocator a = inc->alloc;
    toll__links *l = toll__incidents_links(inc);
    toll__free(&a, l->v, l->cap * sizeof *l->v);
    toll__free(&a, inc, sizeof(toll__incidents_x));
}

/* ---- names and options -------------------------------------------------- */

const char *toll_link_mode_name(toll_link_mode mode)
{
    switch (mode) {
    case TOLL_LINK_NONE:
        return "none";
    case TOLL_LINK_AUTO:
        return "auto";
    case TOLL_LINK_RULE:
        return "rule";
    }
    return "";
}

#define NAME_QUOTE_MAX 64

toll_status toll_link_mode_parse(const char *s, toll_link_mode *out,
                                 toll_error *err)
{
    if (!out)
        return toll__err(err, TOLL_EINVAL,
                         "toll_link_mode_parse: out is NULL");
    if (!s)
        return toll__err(err, TOLL_EINVAL,
                         "link mode is NULL; expected \"none\", \"auto\" or "
                         "\"rule\"");
    size_t n = strlen(s);
    if (toll__strncaseeq(s, n, "none")) {
        *out = TOLL_LINK_NONE;
        return TOLL_OK;
    }
    if (toll__strncaseeq(s, n, "auto")) {
        *out = TOLL_LINK_AUTO;
        return TOLL_OK;
    }
    if (toll__strncaseeq(s, n, "rule")) {
        *out = TOLL_LINK_RULE;
        return TOLL_OK;
    }
    int shown = n > NAME_QUOTE_MAX ? NAME_QUOTE_MAX : (int)n;
    return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "link", s, n,
                        "unknown link mode \"%.*s%s\"; expected \"none\", "
                        "\"auto\" or \"rule\"",
                        shown, s, n > NAME_QUOTE_MAX ? "..." : "");
}

toll_status toll__link_check(const toll_reconcile_options *o, toll_error *err)
{
    if ((unsigned)o->link > TOLL_LINK_RULE)
        return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "link", NULL, 0,
                            "toll_reconcile: unknown link mode %d",
                            (int)o->link);
    if (o->link == TOLL_LINK_AUTO)
        return o->links ? TOLL_OK : toll_link_options_check(&o->linker, err);
    if (o->link == TOLL_LINK_NONE)
        return TOLL_OK;
    if (o->link_days < 0 || o->link_days > TOLL_LINK_MAX_DAYS)
        return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "link_days", NULL,
                            0, "link_days must be from 0 to %d, not %d",
                            TOLL_LINK_MAX_DAYS, o->link_days);
    if (o->link_max_span < 0 || o->link_max_span > TOLL_LINK_MAX_DAYS)
        return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "link_max_span",
                            NULL, 0,
                            "link_max_span must be from 0 (no limit) to "
                            "%d, not %d",
                            TOLL_LINK_MAX_DAYS, o->link_max_span);
    if (o->link_region_level < TOLL_LINK_FULL_PATH)
        return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1,
                            "link_region_level", NULL, 0,
                            "link_region_level must be -1 (the whole path) "
                            "or a level >= 0, not %d",
                            o->link_region_level);
    return TOLL_OK;
}

/* ---- linking ------------------------------------------------------------ */

/* A linkable report: its bucket (region prefix id), span and index;
 * `vague` when the span is longer than link_max_span. */
typedef struct item {
    uint32_t bucket;
    int32_t start, end;
    uint32_t rep : 31;
    uint32_t vague : 1;
} item;

static int item_cmp(const void *pa, const void *pb)
{
    const item *x = pa, *y = pb;
    if (x->vague != y->vague)
        return x->vague < y->vague ? -1 : 1;
    if (x->bucket != y->bucket)
        return x->bucket < y->bucket ? -1 : 1;
    if (x->start != y->start)
        return x->start < y->start ? -1 : 1;
    if (x->vague && x->end != y->end)
        return x->end < y->end ? -1 : 1;
    return x->rep < y->rep ? -1 : x->rep > y->rep;
}

/* 1 if sorted items x and y (y after x) are in different groups. */
static int new_group(const item *x, const item *y)
{
    return x->vague != y->vague || x->bucket != y->bucket ||
           (y->vague && (x->start != y->start || x->end != y->end));
}

/* The span of report i: [start, end], a lone end standing for both.
 * Returns 0 when the report has no date. */
static int report_span(const toll_reports *r, size_t i, int32_t *s,
                       int32_t *e)
{
    int32_t a = r->date_start[i], b = r->date_end[i];
    if (a == TOLL_NO_DATE && b == TOLL_NO_DATE)
        return 0;
    if (a == TOLL_NO_DATE)
        a = b;
    if (b == TOLL_NO_DATE || b < a)
        b = a;
    *s = a;
    *e = b;
    return 1;
}

static uint32_t uf_find(uint32_t *parent, uint32_t x)
{
    uint32_t root = x;
    while (parent[root] != root)
        root = parent[root];
    while (parent[x] != root) { /* path compression */
        uint32_t next = parent[x];
        parent[x] = root;
        x = next;
    }
    return root;
}

/* Union by rank; 1 if x and y were in different clusters. */
static int uf_union(uint32_t *parent, uint8_t *rank, uint32_t x, uint32_t y)
{
    x = uf_find(parent, x);
    y = uf_find(parent, y);
    if (x == y)
        return 0;
    if (rank[x] < rank[y]) {
        uint32_t t = x;
        x = y;
        y = t;
    }
    parent[y] = x;
    if (rank[x] == rank[y])
        rank[x]++;
    return 1;
}

/* The string id of the first level+1 levels of region g into *prefix
 * (interned when new); *coarse = 1 when the region has fewer levels (too
 * coarse to link).  Level < 0: the whole path. */
static toll_status region_prefix(toll_incidents *inc, uint32_t g, int level,
                                 uint32_t *prefix, int *coarse)
{
    const toll_reports *r = inc->reports;
    *coarse = 0;
    *prefix = g;
    if (level < 0)
        return TOLL_OK;
    const char *s = toll__str(&r->strings, g);
    size_t len = toll__strlen(&r->strings, g), cut = len;
    long seps = 0;
    for (size_t p = 0; p < len; p++) {
        if (s[p] == '/' && ++seps == (long)level + 1) {
            cut = p;
            break;
        }
    }
    if (cut == len) {
        if (seps < level) /* fewer than level + 1 levels */
            *coarse = 1;
        return TOLL_OK;
    }
    return toll__inc_intern(inc, s, cut, prefix);
}

static toll_status add_link(const toll_allocator *a, toll__links *l,
                            uint32_t x, uint32_t y, uint32_t region)
{
    if (toll__grow(a, (void **)&l->v, &l->cap, l->n + 1, sizeof *l->v))
        return TOLL_ENOMEM;
    toll__link *k = &l->v[l->n++];
    k->a = x < y ? x : y;
    k->b = x < y ? y : x;
    k->region = region;
    k->incident = 0;
    k->p = NAN;
    k->why = 0;
    return TOLL_OK;
}

toll_status toll__link_reports(toll_incidents *inc,
                               const toll_reconcile_options *o,
                               const toll_allocator *a, uint32_t *first,
                               toll_error *err)
{
    const toll_reports *r = inc->reports;
    toll__links *links = toll__incidents_links(inc);
    const size_t nrep = r->n, nstr = r->strings.count;
    const size_t nsets = r->actor_sets.count;
    const int64_t d = o->link_days, max_span = o->link_max_span;
    const int by_actor = o->link_require_actor != 0;
    toll_status st = TOLL_OK;

    for (size_t i = 0; i < nrep; i++)
        first[i] = (uint32_t)i;
    if (nrep == 0)
        return TOLL_OK;
    if (nrep > INT32_MAX)
        return toll__err(err, TOLL_ERANGE, "too many reports to link (%zu)",
                         nrep);

    size_t nn = nrep, ns = nstr ? nstr : 1;
    uint32_t *prefix_of = toll__calloc(a, ns, sizeof *prefix_of);
    item *items = toll__alloc(a, nn * sizeof *items);
    uint32_t *parent = toll__alloc(a, nn * sizeof *parent);
    uint8_t *rank = toll__calloc(a, nn, sizeof *rank);
    uint32_t *low = toll__alloc(a, nn * sizeof *low);
    uint32_t *last = toll__alloc(a, ns * sizeof *last);
    uint32_t *stamp = toll__calloc(a, ns, sizeof *stamp);
    if (!prefix_of || !items || !parent || !rank || !low || !last ||
        !stamp) {
        st = toll__nomem(err);
        goto cleanup;
    }

    /* 1. The linkable reports and their buckets.  prefix_of caches
     *    region id -> prefix id + 2 (1: too coarse). */
    size_t m = 0;
    for (size_t i = 0; i < nrep; i++) {
        int32_t s, e;
        uint32_t g = r->region[i], set = r->actors[i];
        if (r->incident[i] || !g || g >= nstr || !report_span(r, i, &s, &e))
            continue;
        if (by_actor && (!set || set >= nsets ||
                         toll__set_size(&r->actor_sets, set) == 0))
            continue;
        if (!prefix_of[g]) {
            uint32_t p;
            int coarse;
            st = region_prefix(inc, g, o->link_region_level, &p, &coarse);
            if (st == TOLL_ENOMEM) {
                st = toll__nomem(err);
                goto cleanup;
            }
            if (st) {
                st = toll__err(err, st, "cannot intern a region prefix: %s",
                               toll_strerror(st));
                goto cleanup;
            }
            prefix_of[g] = coarse ? 1 : p + 2;
        }
        if (prefix_of[g] == 1)
            continue;
        items[m].bucket = prefix_of[g] - 2;
        items[m].start = s;
        items[m].end = e;
        items[m].rep = (uint32_t)i & 0x7fffffffu;
        items[m].vague = max_span > 0 && (int64_t)e - s + 1 > max_span;
        m++;
    }

    /* 2. Sort; 3. sweep each group. */
    if (m > 1)
        qsort(items, m, sizeof *items, item_cmp);
    for (size_t i = 0; i < nrep; i++)
        parent[i] = (uint32_t)i;
    uint32_t bstamp = 0;
    size_t slot = 0; /* the one slot when actors are not compared */
    for (size_t k = 0; k < m; k++) {
        const item *it = &items[k];
        if (k == 0 || new_group(&items[k - 1], it)) {
            bstamp++;
            slot = k;
            if (!by_actor)
                continue;
        }
        const int64_t lo = (int64_t)it->start - d;
        if (!by_actor) {
            const item *p = &items[slot];
            if (p->end >= lo) {
                if (uf_union(parent, rank, p->rep, it->rep) &&
                    add_link(a, links, p->rep, it->rep, it->bucket))
                    goto nomem;
                if (it->end > p->end)
                    slot = k;
            } else {
                slot = k;
            }
            continue;
        }
        uint32_t set = r->actors[it->rep];
        size_t sz = toll__set_size(&r->actor_sets, set);
        const uint32_t *mem = toll__set_members(&r->actor_sets, set);
        for (size_t q = 0; q < sz; q++) {
            uint32_t am = mem[q];
            if (am >= nstr)
                continue; /* cannot happen: ids come from the pool */
            if (stamp[am] != bstamp) {
                stamp[am] = bstamp;
                last[am] = (uint32_t)k;
                continue;
            }
            const item *p = &items[last[am]];
            if (p->end >= lo) {
                if (uf_union(parent, rank, p->rep, it->rep) &&
                    add_link(a, links, p->rep, it->rep, it->bucket))
                    goto nomem;
                if (it->end > p->end)
                    last[am] = (uint32_t)k;
            } else {
                last[am] = (uint32_t)k;
            }
        }
    }

    /* 4. Each report's cluster is named by its lowest report index. */
    for (size_t i = 0; i < nrep; i++)
        low[i] = UINT32_MAX;
    for (size_t i = 0; i < nrep; i++) {
        if (parent[i] == i && rank[i] == 0)
            continue; /* a root that never took a child: alone */
        uint32_t root = uf_find(parent, (uint32_t)i);
        if (low[root] == UINT32_MAX)
            low[root] = (uint32_t)i;
        first[i] = low[root];
    }
    goto cleanup;

nomem:
    st = toll__nomem(err);
cleanup:
    toll__free(a, prefix_of, ns * sizeof *prefix_of);
    toll__free(a, items, nn * sizeof *items);
    toll__free(a, parent, nn * sizeof *parent);
    toll__free(a, rank, nn * sizeof *rank);
    toll__free(a, low, nn * sizeof *low);
    toll__free(a, last, ns * sizeof *last);
    toll__free(a, stamp, ns * sizeof *stamp);
    return st;
}

/* ---- after grouping ----------------------------------------------------- */

static int link_cmp(const void *pa, const void *pb)
{
    const toll__link *x = pa, *y = pb;
    if (x->incident != y->incident)
        return x->incident < y->incident ? -1 : 1;
    if (x->a != y->a)
        return x->a < y->a ? -1 : 1;
    return x->b < y->b ? -1 : x->b > y->b;
}

/* "FILE:LINE" of report `rep` appended to b ("LINE" without a file). */
static toll_status append_report(toll__buf *b, const toll_reports *r,
                                 uint32_t rep)
{
    return toll__reports_locate(r, rep, b);
}

toll_status toll__link_finish(toll_incidents *inc, const uint32_t *inc_of,
                              toll_error *err)
{
    toll__links *l = toll__incidents_links(inc);
    for (size_t k = 0; k < l->n; k++)
        l->v[k].incident = inc_of[l->v[k].a];
    if (l->n > 1)
        qsort(l->v, l->n, sizeof *l->v, link_cmp);

    toll__buf b;
    toll__buf_init(&b, &inc->alloc);
    toll_status st = TOLL_OK;
    for (size_t c = 0; c < inc->n && !st; c++) {
        if (inc->key[c] || inc->r_count[c] < 2)
            continue;
        b.len = 0;
        st = toll__buf_append(&b, "auto:", 5);
        if (!st)
            st = append_report(&b, inc->reports, inc->first_report[c]);
        if (!st)
            st = toll__inc_intern(inc, b.data, b.len, &inc->key[c]);
    }
    toll__buf_free(&b);
    if (st == TOLL_ENOMEM)
        return toll__nomem(err);
    if (st)
        return toll__err(err, st, "cannot name a linked incident: %s",
                         toll_strerror(st));
    return TOLL_OK;
}

/* ---- accessors ---------------------------------------------------------- */

size_t toll_incidents_link_count(const toll_incidents *inc)
{
    return inc ? toll__incidents_links_c(inc)->n : 0;
}

static const char *str_or_empty(const toll_reports *r, uint32_t id)
{
    return id && id < r->strings.count ? toll__str(&r->strings, id) : "";
}

/* The same for an id of the incidents' id space (link regions). */
static const char *inc_str_or_empty(const toll_incidents *inc, uint32_t id)
{
    return id && id < toll__inc_nstrings(inc) ? toll__inc_str(inc, id) : "";
}

/* Days between the spans of reports x and y (0 when they overlap). */
static int32_t days_apart(const toll_reports *r, uint32_t x, uint32_t y)
{
    int32_t sx = 0, ex = 0, sy = 0, ey = 0;
    if (!report_span(r, x, &sx, &ex) || !report_span(r, y, &sy, &ey))
        return 0;
    int64_t gap = (int64_t)(sx > sy ? sx : sy) - (ex < ey ? ex : ey);
    return gap > 0 ? (int32_t)gap : 0;
}

static int name_cmp(const toll__strpool *s, uint32_t a, uint32_t b)
{
    size_t la = s->len[a], lb = s->len[b];
    int c = memcmp(s->str[a], s->str[b], la < lb ? la : lb);
    if (c)
        return c;
    return la < lb ? -1 : la > lb;
}

/* Walk the actors both reports name (sets are sorted by name; one string
 * id per actor however it is spelled, src/store/store.c): calls
 * stop when `want` >= 0 and the want-th shared actor is reached.  Returns
 * the count (or, with want >= 0, the actor's id in *found, 0 if none). */
static size_t shared_actors(const toll_reports *r, uint32_t x, uint32_t y,
                            long want, uint32_t *found)
{
    const toll__setpool *p = &r->actor_sets;
    uint32_t sx = r->actors[x], sy = r->actors[y];
    size_t n = 0;
    if (found)
        *found = 0;
    if (!sx || !sy || sx >= p->count || sy >= p->count)
        return 0;
    const uint32_t *mx = toll__set_members(p, sx),
                   *my = toll__set_members(p, sy);
    size_t nx = toll__set_size(p, sx), ny = toll__set_size(p, sy);
    for (size_t i = 0, j = 0; i < nx && j < ny;) {
        int c = mx[i] == my[j] ? 0 : name_cmp(&r->strings, mx[i], my[j]);
        if (c < 0) {
            i++;
        } else if (c > 0) {
            j++;
        } else {
            if (want >= 0 && (size_t)want == n) {
                *found = mx[i];
                return n + 1;
            }
            n++;
            i++;
            j++;
        }
    }
    return n;
}

toll_status toll_incidents_link(const toll_incidents *inc, size_t i,
                                toll_link *out, toll_error *err)
{
    if (!inc || !out)
        return toll__err(err, TOLL_EINVAL,
                         "toll_incidents_link: incidents or out is NULL");
    const toll__links *l = toll__incidents_links_c(inc);
    if (i >= l->n)
        return toll__err(err, TOLL_ERANGE,
                         "link %zu is out of range (%zu links)", i, l->n);
    const toll__link *k = &l->v[i];
    const toll_reports *r = inc->reports;
    memset(out, 0, sizeof *out);
    out->incident = k->incident;
    out->report_a = k->a;
    out->report_b = k->b;
    out->file_a = str_or_empty(r, r->file[k->a]);
    out->file_b = str_or_empty(r, r->file[k->b]);
    out->line_a = (long)r->line[k->a];
    out->line_b = (long)r->line[k->b];
    out->source_a = str_or_empty(r, r->source[k->a]);
    out->source_b = str_or_empty(r, r->source[k->b]);
    out->days_apart = days_apart(r, k->a, k->b);
    out->region = inc_str_or_empty(inc, k->region);
    out->n_shared_actors = shared_actors(r, k->a, k->b, -1, NULL);
    return TOLL_OK;
}

const char *toll_incidents_link_shared_actor(const toll_incidents *inc,
                                             size_t i, size_t k)
{
    if (!inc)
        return NULL;
    const toll__links *l = toll__incidents_links_c(inc);
    if (i >= l->n || k > (size_t)LONG_MAX)
        return NULL;
    uint32_t found = 0;
    const toll_reports *r = inc->reports;
    shared_actors(r, l->v[i].a, l->v[i].b, (long)k, &found);
    return found ? toll__str(&r->strings, found) : NULL;
}

/* ---- the links table ---------------------------------------------------- */

#define LINK_TABLE_COLUMNS(X)                                                 \
    X(INCIDENT, "incident", STRING)                                           \
    X(REPORT_A, "report_a", STRING)                                           \
    X(REPORT_B, "report_b", STRING)                                           \
    X(SOURCE_A, "source_a", STRING)                                           \
    X(SOURCE_B, "source_b", STRING)                                           \
    X(DAYS_APART, "days_apart", INT64)                                        \
    X(REGION, "region", STRING)                                               \
    X(SHARED_ACTORS, "shared_actors", STRING)                                 \
    X(EXPLANATION, "explanation", STRING)

enum {
#define COL_ENUM(id, name, type) COL_##id,
    LINK_TABLE_COLUMNS(COL_ENUM)
#undef COL_ENUM
    NCOLS
};

static const struct {
    const char *name;
    toll_coltype type;
} columns[NCOLS] = {
#define COL_DEF(id, name, type) {name, TOLL_COL_##type},
    LINK_TABLE_COLUMNS(COL_DEF)
#undef COL_DEF
};

/* Row i of string column j = b->data[from..b->len) (empty: missing). */
static toll_status put_buf(toll_table *t, size_t j, size_t i,
                           const toll__buf *b, size_t from)
{
    return toll__table_put_str(t, j, i, b->data + from, b->len - from);
}

/* The row of link k.  b is scratch: the parts are appended one after the
 * other and the explanation is assembled at the end. */
static toll_status link_row(toll_table *t, size_t row,
                            const toll_incidents *inc, const toll__link *k,
                            const toll_reconcile_options *o, toll__buf *b,
                            toll__buf *why)
{
    const toll_reports *r = inc->reports;
    toll_status st;
    uint32_t c = k->incident;
    b->len = 0;
    why->len = 0;

    /* incident: its key, else its first report (as toll_incidents_table) */
    if (c < inc->n && inc->key[c]) {
        st = toll__inc_put_id(t, COL_INCIDENT, row, inc, inc->key[c]);
    } else {
        st = c < inc->n ? append_report(b, r, inc->first_report[c])
                        : TOLL_OK;
        if (!st)
            st = put_buf(t, COL_INCIDENT, row, b, 0);
        b->len = 0;
    }
    if (st)
        return st;

    /* reports; the explanation starts "A ~ B: " */
    if ((st = append_report(b, r, k->a)) ||
        (st = put_buf(t, COL_REPORT_A, row, b, 0)) ||
        (st = toll__buf_append(why, b->data, b->len)))
        return st;
    b->len = 0;
    if ((st = append_report(b, r, k->b)) ||
        (st = put_buf(t, COL_REPORT_B, row, b, 0)) ||
        (st = toll__buf_append(why, " ~ ", 3)) ||
        (st = toll__buf_append(why, b->data, b->len)))
        return st;
    if ((st = toll__inc_put_id(t, COL_SOURCE_A, row, inc, r->source[k->a])) ||
        (st = toll__inc_put_id(t, COL_SOURCE_B, row, inc, r->source[k->b])) ||
        (st = toll__inc_put_id(t, COL_REGION, row, inc, k->region)))
        return st;

    int32_t days = days_apart(r, k->a, k->b);
    ((int64_t *)t->cols[COL_DAYS_APART].data)[row] = days;
    if (o->link == TOLL_LINK_AUTO) {
        ((double *)t->cols[NCOLS].data)[row] = k->p;
        if ((st = toll__buf_append(why, ": ", 2)) ||
            (st = toll__buf_append(why, inc_str_or_empty(inc, k->why),
                                   k->why ? toll__inc_strlen(inc, k->why)
                                          : 0)))
            return st;
    } else if ((st = toll__buf_appendf(why, ": %ld day%s apart, same region %s",
                                (long)days, days == 1 ? "" : "s",
                                inc_str_or_empty(inc, k->region))))
        return st;

    /* shared actors */
    b->len = 0;
    size_t n = shared_actors(r, k->a, k->b, -1, NULL);
    for (size_t q = 0; q < n; q++) {
        uint32_t id;
        shared_actors(r, k->a, k->b, (long)q, &id);
        if ((q && (st = toll__buf_append(b, " + ", 3))) ||
            (st = toll__buf_append(b, toll__str(&r->strings, id),
                                   toll__strlen(&r->strings, id))))
            return st;
    }
    if ((st = put_buf(t, COL_SHARED_ACTORS, row, b, 0)))
        return st;
    if (o->link == TOLL_LINK_AUTO)
        st = TOLL_OK;
    else if (n)
        st = toll__buf_appendf(why, ", shared actor%s %.*s", n == 1 ? "" : "s",
                               (int)b->len, b->data);
    else if (!o->link_require_actor)
        st = toll__buf_append(why, ", actors not compared", 21);
    if (st)
        return st;
    return put_buf(t, COL_EXPLANATION, row, why, 0);
}

toll_status toll_incidents_links_table(const toll_incidents *inc,
                                       const toll_allocator *alloc,
                                       toll_table **out, toll_error *err)
{
    if (!out)
        return toll__err(err, TOLL_EINVAL,
                         "toll_incidents_links_table: out is NULL");
    *out = NULL;
    if (!inc)
        return toll__err(err, TOLL_EINVAL,
                         "toll_incidents_links_table: incidents is NULL");
    const toll__links *l = toll__incidents_links_c(inc);
    toll_table *t = NULL;
    toll__buf b, why;
    toll__buf_init(&b, NULL); /* no allocator until the table exists */
    toll__buf_init(&why, NULL);
    toll_status st;

    /* link=auto adds the column match_probability */
    const int with_p = inc->opts.link == TOLL_LINK_AUTO;
    st = toll__table_new(alloc ? alloc : &inc->alloc, NCOLS + with_p, l->n,
                         &t);
    if (st)
        goto cleanup;
    b.alloc = why.alloc = &t->alloc;
    for (size_t j = 0; j < NCOLS && !st; j++)
        st = toll__table_set_column(t, j, columns[j].name, columns[j].type);
    if (!st && with_p)
        st = toll__table_set_column(t, NCOLS, "match_probability",
                                    TOLL_COL_DOUBLE);
    if (st)
        goto cleanup;
    t->nkeys = 0;
    t->is_summary = 0;
    t->additive = 1;
    for (size_t k = 0; k < l->n && !st; k++)
        st = link_row(t, k, inc, &l->v[k], &inc->opts, &b, &why);
    if (st)
        goto cleanup;
    *out = t;
    t = NULL;

cleanup:
    toll__buf_free(&b); /* before the table: they use its allocator */
    toll__buf_free(&why);
    toll_table_free(t);
    if (st == TOLL_ENOMEM)
        return toll__nomem(err);
    if (st)
        return toll__err(err, st, "cannot build the links table: %s",
                         toll_strerror(st));
    return TOLL_OK;
}

/* ---- link=auto ---------------------------------------------------------- */

/* The string id of the longest common prefix of whole levels of regions
 * x and y (store ids), interned in the incidents' id space; 0 when they
 * share no level. */
static toll_status common_region(toll_incidents *inc, uint32_t x, uint32_t y,
                                 uint32_t *out)
{
    const toll_reports *r = inc->reports;
    *out = 0;
    if (!x || !y || x >= r->strings.count || y >= r->strings.count)
        return TOLL_OK;
    if (x == y) {
        *out = x;
        return TOLL_OK;
    }
    const char *sx = toll__str(&r->strings, x), *sy = toll__str(&r->strings, y);
    size_t lx = toll__strlen(&r->strings, x), ly = toll__strlen(&r->strings, y);
    size_t cut = 0;
    for (size_t i = 0;; i++) {
        int endx = i == lx || sx[i] == '/', endy = i == ly || sy[i] == '/';
        if (endx || endy) {
            if (endx && endy)
                cut = i;
            if (i == lx || i == ly || !(endx && endy))
                break;
            continue;
        }
        if (sx[i] != sy[i])
            break;
    }
    return cut ? toll__inc_intern(inc, sx, cut, out) : TOLL_OK;
}

/* The explanation of merged pair q: each comparison's level and weight,
 * the prior's weight and the match probability. */
static toll_status explain(const toll_links *l, const toll__lk_pair *q,
                           toll__buf *b)
{
    uint8_t lv[TOLL_LINK_NCOMPARISONS];
    double per[TOLL_LINK_NCOMPARISONS];
    toll__lk_unpack(q->code, lv);
    toll__lk_weight(l->model, lv, per);
    toll_status st = TOLL_OK;
    for (int c = 0; c < TOLL_LINK_NCOMPARISONS && !st; c++)
        st = toll__buf_appendf(b, "%s%s %s (%+.2f)", c ? ", " : "",
                               toll_link_comparison_name(c),
                               toll_link_level_name(c, lv[c]), per[c]);
    if (!st)
        st = toll__buf_appendf(b, ", prior (%+.2f): match probability %.4f",
                               toll__lk_prior_weight(l->model),
                               toll__lk_pair_p(l, q));
    return st;
}

toll_status toll__link_auto(toll_incidents *inc,
                            const toll_reconcile_options *o,
                            const toll_allocator *a, uint32_t *inc_of,
                            size_t *n, toll_error *err)
{
    const toll_reports *r = inc->reports;
    const toll_links *l = o->links;
    toll_links *own = NULL;
    toll_status st;
    if (l && (l->store != (const void *)r || l->nreports != r->n))
        return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "links", NULL, 0,
                            "toll_reconcile: the links were made from %s "
                            "(%zu reports), not from these reports (%zu)",
                            l->store == (const void *)r ? "this store"
                                                        : "another store",
                            l->nreports, r->n);
    if (!l) {
        if ((st = toll_link_reports(r, &o->linker, a, &own, err)))
            return st;
        l = own;
    }
    for (size_t i = 0; i < r->n; i++)
        inc_of[i] = l->incident_of[i];
    *n = l->nincidents;

    toll__links *links = toll__incidents_links(inc);
    toll__buf b;
    toll__buf_init(&b, a);
    st = TOLL_OK;
    for (size_t i = 0; i < l->npairs && !st; i++) {
        const toll__lk_pair *q = &l->pairs[i];
        if (q->decision != TOLL__LK_MERGED)
            continue;
        uint32_t x = l->node_first[q->a], y = l->node_first[q->b];
        uint32_t region = 0, why = 0;
        b.len = 0;
        if ((st = common_region(inc, r->region[x], r->region[y], &region)) ||
            (st = explain(l, q, &b)) ||
            (st = toll__inc_intern(inc, b.data, b.len, &why)) ||
            (st = add_link(a, links, x, y, region)))
            break;
        links->v[links->n - 1].p = toll__lk_pair_p(l, q);
        links->v[links->n - 1].why = why;
    }
    toll__buf_free(&b);
    toll_links_free(own);
    if (st == TOLL_ENOMEM)
        return toll__nomem(err);
    if (st)
        return toll__err(err, st, "cannot record the merged pairs: %s",
                         toll_strerror(st));
    return TOLL_OK;
}
