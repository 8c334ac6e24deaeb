/*
 * src/reconcile/reconcile.c - reports -> incidents: grouping, self-reports, policies,
 * provenance, flags, grades, place and time.
 *
 * The rules are those of include/toll/reconcile.h; every rule is applied to
 * each casualty category separately.  The incidents listing (toll_incidents_
 * table) lives in src/reconcile/incidents_table.c.
 *
 * Cost: O(reports + quantity cells + strings) time and memory, plus a sort
 * of each incident's own quantity cells; no pairwise loops over reports.
 *
 * Derived values: an incident's actor set is the union of its reports'
 * sets, and its region may be the common prefix of its reports' regions.
 * When the union (or the prefix) is not in the store's pools, it is
 * interned into the incidents' own pools (src/reconcile/reconcile.h,
 * "Derived values"); the store is only read, so several toll_reconcile,
 * summarize and accessor calls may read one store at the same time.
 */
#include "reconcile/reconcile.h"
#include "base/strhash.h"
#include "render/render.h"
#include "reconcile/link.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>

/* ---- names ---------------------------------------------------------------- */

const char *toll_policy_name(toll_policy p)
{
    switch (p) {
    case TOLL_POLICY_ENVELOPE:
        return "envelope";
    case TOLL_POLICY_CONSERVATIVE:
        return "conservative";
    }
    return "";
}

const char *toll_grade_name(toll_grade g)
{
    switch (g) {
    case TOLL_GRADE_NONE:
        return "";
    case TOLL_GRADE_SELF_ONLY:
        return "self-only";
    case TOLL_GRADE_SINGLE:
        return "single";
    case TOLL_GRADE_CORROBORATED:
        return "corroborated";
    case TOLL_GRADE_CONFIRMED:
        return "confirmed";
    }
    return "";
}

/* Longest text quoted in a parse error. */
#define NAME_QUOTE_MAX 64

static toll_status bad_name(toll_error *err, const char *what, const char *s,
                            const char *accepted)
{
    size_t len = s ? strlen(s) : 0;
    int shown = len > NAME_QUOTE_MAX ? NAME_QUOTE_MAX : (int)len;
    if (!s)
        return toll__err(err, TOLL_EINVAL, "%s is NULL; expected %s", what,
                         accepted);
    return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, NULL, s, len,
                        "unknown %s \"%.*s%s\"; expected %s", what, shown, s,
                        len > NAME_QUOTE_MAX ? "..." : "", accepted);
}

toll_status toll_policy_parse(const char *s, toll_policy *out, toll_error *err)
{
    static const char accepted[] = "\"envelope\" or \"conservative\"";
    if (!out)
        return toll__err(err, TOLL_EINVAL, "toll_policy_parse: out is NULL");
    if (s) {
        size_t n = strlen(s);
        if (toll__strncaseeq(s, n, "envelope")) {
            *out = TOLL_POLICY_ENVELOPE;
            return TOLL_OK;
        }
        if (toll__strncaseeq(s, n, "conservative")) {
            *out = TOLL_POLICY_CONSERVATIVE;
            return TOLL_OK;
        }
    }
    return bad_name(err, "policy", s, accepted);
}

toll_status toll_self_reports_parse(const char *s, toll_self_reports *out,
                                    toll_error *err)
{
    static const char accepted[] = "\"exclude\" or \"include\"";
    if (!out)
        return toll__err(err, TOLL_EINVAL,
                         "toll_self_reports_parse: out is NULL");
    if (s) {
        size_t n = strlen(s);
        if (toll__strncaseeq(s, n, "exclude")) {
            *out = TOLL_SELF_EXCLUDE;
            return TOLL_OK;
        }
        if (toll__strncaseeq(s, n, "include")) {
            *out = TOLL_SELF_INCLUDE;
            return TOLL_OK;
        }
    }
    return bad_name(err, "self-report handling", s, accepted);
}

toll_status toll_grade_parse(const char *s, toll_grade *out, toll_error *err)
{
    static const char accepted[] =
        "\"self-only\", \"single\", \"corroborated\", \"confirmed\" or "
        "\"none\"";
    if (!out)
        return toll__err(err, TOLL_EINVAL, "toll_grade_parse: out is NULL");
    if (s) {
        size_t n = strlen(s);
        static const struct {
            const char *name;
            toll_grade g;
        } names[] = {
            {"", TOLL_GRADE_NONE},
            {"none", TOLL_GRADE_NONE},
            {"self-only", TOLL_GRADE_SELF_ONLY},
            {"self_only", TOLL_GRADE_SELF_ONLY},
            {"single", TOLL_GRADE_SINGLE},
            {"corroborated", TOLL_GRADE_CORROBORATED},
            {"confirmed", TOLL_GRADE_CONFIRMED},
        };
        for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
            if (toll__strncaseeq(s, n, names[k].name)) {
                *out = names[k].g;
                return TOLL_OK;
            }
        }
    }
    return bad_name(err, "grade", s, accepted);
}

void toll_reconcile_options_init(toll_reconcile_options *opts)
{
    if (!opts)
        return;
    memset(opts, 0, sizeof *opts);
    opts->policy = TOLL_POLICY_ENVELOPE;
    opts->self_reports = TOLL_SELF_EXCLUDE;
    opts->link = TOLL_LINK_NONE;
    opts->link_days = TOLL_LINK_DEFAULT_DAYS;
    opts->link_region_level = TOLL_LINK_DEFAULT_LEVEL;
    opts->link_require_actor = 1;
    opts->link_max_span = TOLL_LINK_DEFAULT_MAX_SPAN;
    toll_link_options_init(&opts->linker);
    opts->links = NULL;
}

/* ---- the incidents object --------------------------------------------------- */

/* Every array is allocated with at least one element, so that NULL always
 * means failure; it is freed with the same count. */
static size_t n_or_1(size_t n) { return n ? n : 1; }

#define INCIDENT_COLUMNS(X)                                                   \
    X(key) X(first_report) X(r_begin) X(r_count) X(n_sources) X(region)       \
    X(date_start) X(date_end) X(actors) X(grade) X(flags) X(c_begin)          \
    X(c_count)

#define CELL_COLUMNS(X)                                                       \
    X(c_category) X(c_low) X(c_high) X(c_best) X(c_flags) X(c_low_report)     \
    X(c_high_report) X(c_n_reports) X(c_self_low) X(c_self_high)              \
    X(c_self_best) X(c_self_report)

/* Free an incidents object whose arrays were allocated for inc->n
 * incidents, inc->nc cells and `nrep` report indices (any may be NULL). */
static void incidents_destroy(toll_incidents *inc, size_t nrep)
{
    if (!inc)
        return;
    toll_allocator a = inc->alloc;
#define FREE_INC(c) toll__free(&a, inc->c, n_or_1(inc->n) * sizeof *inc->c);
    INCIDENT_COLUMNS(FREE_INC)
#undef FREE_INC
#define FREE_CELL(c) toll__free(&a, inc->c, n_or_1(inc->nc) * sizeof *inc->c);
    CELL_COLUMNS(FREE_CELL)
#undef FREE_CELL
    toll__free(&a, inc->report_idx, n_or_1(nrep) * sizeof *inc->report_idx);
    if (inc->ext) {
        toll__incext *x = inc->ext->summarize;
        if (x)
            x->destroy(&a, x);
        toll__free(&a, inc->ext, sizeof *inc->ext);
    }
    toll__setpool_free(&inc->own_sets);
    toll__strpool_free(&inc->own_strings);
    toll__incidents_delete(inc); /* the block and its links (src/reconcile/link.c) */
}

void toll_incidents_free(toll_incidents *inc)
{
    if (!inc)
        return;
    incidents_destroy(inc, inc->nidx);
}

size_t toll_incidents_count(const toll_incidents *inc)
{
    return inc ? inc->n : 0;
}

const toll_reports *toll_incidents_reports(const toll_incidents *inc)
{
    return inc ? inc->reports : NULL;
}

/* ---- helpers ----------------------------------------------------------------- */

/* One quantity cell of the incident being reconciled. */
typedef struct entry {
    uint32_t rank;   /* category rank (global first-seen order) */
    uint32_t seq;    /* position in the incident (input order) */
    uint32_t report; /* its row among the incident's gathered reports */
    uint32_t q;      /* index into the gathered cells */
} entry;

static int entry_cmp(const void *pa, const void *pb)
{
    const entry *a = pa, *b = pb;
    if (a->rank != b->rank)
        return a->rank < b->rank ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static int double_cmp(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return a < b ? -1 : a > b;
}

/* Sort the entries (by rank, then input order); insertion sort for the
 * usual handful, qsort beyond. */
static void sort_entries(entry *e, size_t m)
{
    if (m > 16) {
        qsort(e, m, sizeof *e, entry_cmp);
        return;
    }
    for (size_t i = 1; i < m; i++) {
        entry x = e[i];
        size_t j = i;
        while (j > 0 && entry_cmp(&e[j - 1], &x) > 0) {
            e[j] = e[j - 1];
            j--;
        }
        e[j] = x;
    }
}

/* Median of v[0..n) (sorts v); n > 0.  Even count: mean of the middle two. */
static double median(double *v, size_t n)
{
    if (n == 1)
        return v[0];
    if (n <= 16) {
        for (size_t i = 1; i < n; i++) {
            double x = v[i];
            size_t j = i;
            while (j > 0 && double_cmp(&v[j - 1], &x) > 0) {
                v[j] = v[j - 1];
                j--;
            }
            v[j] = x;
        }
    } else {
        qsort(v, n, sizeof *v, double_cmp);
    }
    if (n % 2)
        return v[n / 2];
    return (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

/* 1 if path p[0..pl) is a level-wise prefix of q[0..ql) ("Syria/Idlib" of
 * "Syria/Idlib/Ariha"; not "Syria/Id" of "Syria/Idlib"). */
static int level_prefix(const char *p, size_t pl, const char *q, size_t ql)
{
    return pl <= ql && memcmp(p, q, pl) == 0 && (pl == ql || q[pl] == '/');
}

/* Length of the longest common level-wise prefix of p[0..pl) and q[0..ql). */
static size_t common_levels(const char *p, size_t pl, const char *q,
                            size_t ql)
{
    size_t i = 0;
    while (i < pl && i < ql && p[i] == q[i])
        i++;
    if ((i == pl || p[i] == '/') && (i == ql || q[i] == '/'))
        return i;
    while (i > 0 && p[i - 1] != '/')
        i--;
    return i ? i - 1 : 0; /* drop the separator itself */
}

/* ---- the incidents' id space (src/reconcile/reconcile.h) --------------- */

int toll__inc_find(const toll_incidents *inc, const char *s, size_t len,
                   uint32_t *id)
{
    uint32_t local;
    /* an id at or past nstr was added to the store after the incidents */
    if (toll__strpool_find(&inc->reports->strings, s, len, id) &&
        *id < inc->nstr)
        return 1;
    if (!toll__strpool_find(&inc->own_strings, s, len, &local))
        return 0;
    *id = local ? (uint32_t)(inc->nstr + local - 1) : 0;
    return 1;
}

toll_status toll__inc_intern(toll_incidents *inc, const char *s, size_t len,
                             uint32_t *id)
{
    uint32_t local;
    if (toll__strpool_find(&inc->reports->strings, s, len, id) &&
        *id < inc->nstr)
        return TOLL_OK;
    /* own_strings: found or added, the bytes hashed once */
    toll_status st = toll__strpool_intern_hashed(
        &inc->own_strings, s, len, toll__hash_bytes(s, len), &local);
    if (st)
        return st;
    *id = local ? (uint32_t)(inc->nstr + local - 1) : 0;
    return TOLL_OK;
}

/* The id of the actor set of the names ids[0..n) (store string ids): the
 * store's set when it has it, else one of own_sets, whose label is then
 * given its id in the incidents' id space. */
static toll_status intern_set(toll_incidents *inc, const uint32_t *ids,
                              size_t n, uint32_t *id)
{
    const toll_reports *r = inc->reports;
    size_t before = inc->own_sets.count;
    toll_status st = toll__setpool_intern_over(&inc->own_sets, &r->actor_sets,
                                               &r->strings, &inc->own_strings,
                                               ids, n, id);
    if (st || inc->own_sets.count == before)
        return st;
    /* new: its label, interned into own_strings, gets its id in the id
     * space (the store's when the store has the text) */
    uint32_t local = (uint32_t)(*id - inc->nsets + 1);
    uint32_t l = inc->own_sets.label[local], g;
    const char *ls = toll__str(&inc->own_strings, l);
    size_t ll = toll__strlen(&inc->own_strings, l);
    if (toll__strpool_find(&r->strings, ls, ll, &g) && g < inc->nstr)
        inc->own_sets.label[local] = g;
    else
        inc->own_sets.label[local] = (uint32_t)(inc->nstr + l - 1);
    return TOLL_OK;
}

/* ---- reports gathered in incident order --------------------------------------- */

/*
 * Step 3 visits the incidents in order of first appearance and reads each
 * one's reports: scattered reads through report_idx, which at 10^7
 * reports miss every cache level (the columns of the reports in flight
 * span hundreds of megabytes).  So the reports of a block of incidents are
 * first gathered, in incident order, into a small buffer that stays in
 * cache: one pass of independent loads (prefetched ahead, many misses in
 * flight at once) instead of misses met one after another inside the
 * per-incident logic.  Their quantity cells are gathered the same way.
 */
typedef struct grow {
    uint32_t report;       /* report index */
    uint32_t actors;       /* actor set id */
    uint32_t source;       /* string id */
    uint32_t source_actor; /* string id */
    uint32_t region;       /* string id */
    int32_t date_start, date_end;
    uint32_t q;            /* its first cell in the block's cell buffer */
    uint16_t q_count;
    uint8_t is_self;       /* set by reconcile_one */
} grow;

/* Reports per block (at least one incident per block, whatever its size):
 * the block's rows and cells stay well inside a 1 MiB L2. */
#define BLOCK_REPORTS 2048
/* How far ahead (in reports) the gather prefetches. */
#define GATHER_AHEAD 16

#if defined(__GNUC__)
#define PREFETCH(p) __builtin_prefetch((const void *)(p))
#else
#define PREFETCH(p) ((void)(p))
#endif

/* The reconciled region of rows g[0..rc): the longest when all lie on one
 * path, else their longest common level-wise prefix and a conflict. */
static toll_status reconcile_region(toll_incidents *inc, const grow *g,
                                    uint32_t rc, int may_intern,
                                    uint32_t *region, int *conflict,
                                    int *deferred)
{
    const toll__strpool *sp = &inc->reports->strings; /* reports' regions */
    uint32_t longest = 0;
    *region = 0;
    *conflict = 0;
    for (uint32_t k = 0; k < rc; k++) {
        uint32_t r = g[k].region;
        if (r && (!longest || toll__strlen(sp, r) > toll__strlen(sp, longest)))
            longest = r;
    }
    if (!longest)
        return TOLL_OK;
    const char *ls = toll__str(sp, longest);
    size_t ll = toll__strlen(sp, longest), cl = ll;
    for (uint32_t k = 0; k < rc; k++) {
        uint32_t r = g[k].region;
        if (!r || r == longest)
            continue;
        const char *gs = toll__str(sp, r);
        size_t gl = toll__strlen(sp, r);
        if (!level_prefix(gs, gl, ls, ll))
            *conflict = 1;
        cl = common_levels(ls, cl, gs, gl);
    }
    if (!*conflict) {
        *region = longest;
        return TOLL_OK;
    }
    if (cl == 0)
        return TOLL_OK;
    if (!may_intern) { /* read-only: a lookup, else later (see below) */
        if (!toll__inc_find(inc, ls, cl, region))
            *deferred = 1;
        return TOLL_OK;
    }
    return toll__inc_intern(inc, ls, cl, region);
}

/* Dates of rows g[0..rc): the intersection of their spans when it is not
 * empty, else the union and a conflict.  Reports without dates are
 * ignored; a report with only one end spans that one day. */
static void reconcile_dates(const grow *g, uint32_t rc, int32_t *start,
                            int32_t *end, int *conflict)
{
    int any = 0;
    int32_t is = 0, ie = 0, us = 0, ue = 0;
    for (uint32_t k = 0; k < rc; k++) {
        int32_t s = g[k].date_start, e = g[k].date_end;
        if (s == TOLL_NO_DATE && e == TOLL_NO_DATE)
            continue;
        if (s == TOLL_NO_DATE)
            s = e;
        if (e == TOLL_NO_DATE)
            e = s;
        if (!any) {
            is = us = s;
            ie = ue = e;
            any = 1;
            continue;
        }
        if (s > is)
            is = s;
        if (e < ie)
            ie = e;
        if (s < us)
            us = s;
        if (e > ue)
            ue = e;
    }
    *conflict = 0;
    if (!any) {
        *start = *end = TOLL_NO_DATE;
    } else if (is <= ie) {
        *start = is;
        *end = ie;
    } else {
        *start = us;
        *end = ue;
        *conflict = 1;
    }
}

/* ---- reconcile ------------------------------------------------------------- */

/* What one incident's reconciliation reads and writes (shared by the
 * threads of one call). */
typedef struct rctx {
    const toll_reports *r;
    toll_incidents *inc;     /* its own pools may be extended */
    toll_policy policy;
    int include_self;
    size_t nstr;
    const uint32_t *cat_rank;/* category string id -> rank + 1 */
} rctx;

/* Per-thread scratch of step 3. */
typedef struct tscratch {
    const toll_allocator *a;
    uint32_t *smap;      /* string id -> stamp (actors) (nstr) */
    uint32_t *src_stamp; /* string id -> stamp (sources) (nstr) */
    uint32_t *ubuf;      /* union of actor sets */
    size_t ubuf_cap;
    entry *ent;          /* an incident's quantity cells */
    size_t ent_cap;
    double *vals;        /* its bests: included then self (2 * ent_cap) */
    size_t vals_cap;
    grow *g;             /* the block's reports, in incident order */
    size_t g_cap;
    toll__qcell *gq;     /* their quantity cells, in the same order */
    size_t gq_cap;
    uint32_t *deferred;  /* incidents left for the serial pass */
    size_t ndeferred, deferred_cap;
    size_t begin, end;   /* the incidents of this thread */
    toll_status st;
    toll_error err;
    const rctx *x;
} tscratch;

/* Scratch space of one toll_reconcile call (freed at cleanup). */
typedef struct scratch {
    uint32_t *inc_of;    /* report -> incident (nrep) */
    uint32_t *smap;      /* string id -> incident + 1 (keys, then actors) */
    uint32_t *src_stamp; /* string id -> incident + 1 (sources) */
    uint32_t *cat_rank;  /* category string id -> rank + 1 */
    uint32_t *rank_stamp;/* rank -> incident + 1 */
    uint32_t *link_first;/* link=rule: report -> first report of its
                            cluster (nrep; src/reconcile/link.c) */
    uint64_t *rmask;     /* incident -> bit per category rank (n) */
    size_t rmask_n;
} scratch;

/* Gather the reports of incidents c0..c1 (c0 < c1) and their cells into
 * t->g / t->gq, in incident order. */
static toll_status gather_block(const rctx *x, tscratch *t, size_t c0,
                                size_t c1)
{
    const toll_reports *r = x->r;
    const toll_incidents *inc = x->inc;
    size_t p0 = inc->r_begin[c0];
    size_t m = (size_t)inc->r_begin[c1 - 1] + inc->r_count[c1 - 1] - p0;
    const uint32_t *ri = inc->report_idx + p0;
    if (toll__grow(t->a, (void **)&t->g, &t->g_cap, n_or_1(m), sizeof *t->g))
        return toll__nomem(&t->err);
    grow *g = t->g;
    size_t nq = 0;
    for (size_t k = 0; k < m; k++) {
        if (k + GATHER_AHEAD < m) {
            uint32_t j = ri[k + GATHER_AHEAD];
            PREFETCH(r->actors + j);
            PREFETCH(r->source + j);
            if (r->source_actor)
                PREFETCH(r->source_actor + j);
            PREFETCH(r->region + j);
            PREFETCH(r->date_start + j);
            PREFETCH(r->date_end + j);
            PREFETCH(r->q_begin + j);
            PREFETCH(r->q_count + j);
        }
        uint32_t i = ri[k];
        g[k].report = i;
        g[k].actors = r->actors[i];
        g[k].source = r->source[i];
        g[k].source_actor = toll__reports_opt(r->source_actor, i);
        g[k].region = r->region[i];
        g[k].date_start = r->date_start[i];
        g[k].date_end = r->date_end[i];
        g[k].q = r->q_begin[i]; /* the store's, for the pass below */
        g[k].q_count = r->q_count[i];
        g[k].is_self = 0;
        nq += g[k].q_count;
        if (g[k].q_count) /* r->q is NULL when no report has a category */
            PREFETCH(r->q + g[k].q); /* read by the pass below */
    }
    if (toll__grow(t->a, (void **)&t->gq, &t->gq_cap, n_or_1(nq),
                   sizeof *t->gq))
        return toll__nomem(&t->err);
    toll__qcell *gq = t->gq;
    size_t pos = 0;
    for (size_t k = 0; k < m; k++) {
        uint32_t from = g[k].q;
        g[k].q = (uint32_t)pos;
        for (uint32_t j = 0; j < g[k].q_count; j++)
            gq[pos++] = r->q[from + j];
    }
    return TOLL_OK;
}

/* The end of the block of incidents that starts at c0 (before `end`):
 * at least one incident, then as many as keep it within BLOCK_REPORTS. */
static size_t block_end(const toll_incidents *inc, size_t c0, size_t end)
{
    size_t c1 = c0 + 1, m = inc->r_count[c0];
    while (c1 < end && m + inc->r_count[c1] <= BLOCK_REPORTS)
        m += inc->r_count[c1++];
    return c1;
}

/*
 * Reconcile incident c into inc (its cells at inc->c_begin[c]), from its
 * gathered rows g[0..r_count[c]) and the cells they point to in t->gq,
 * stamping the scratch maps with `stamp` (unique per visit of an incident
 * by this scratch).  With may_intern 0 nothing is written to the store's
 * pools: when the incident needs a new actor set or region prefix,
 * *deferred is set and the incident must be visited again with may_intern
 * 1 (its outputs are then all rewritten).
 */
static toll_status reconcile_one(const rctx *x, tscratch *t, size_t c,
                                 grow *g, uint32_t rc, uint32_t stamp,
                                 int may_intern, int *deferred,
                                 toll_error *err)
{
    const toll_reports *r = x->r;
    toll_incidents *inc = x->inc;
    const size_t nstr = x->nstr;
    const toll__qcell *gq = t->gq;
    uint8_t flags = 0;
    toll_status st;
    *deferred = 0;

    /* Actors: the union of the reports' sets.  Reuse a report's set when it
     * is the union (it then has the union's size). */
    size_t nu = 0, max_size = 0;
    uint32_t max_set = 0;
    for (uint32_t k = 0; k < rc; k++) {
        uint32_t set = g[k].actors;
        if (!set || set >= r->actor_sets.count)
            continue;
        size_t sz = toll__set_size(&r->actor_sets, set);
        const uint32_t *mem = toll__set_members(&r->actor_sets, set);
        if (sz > max_size) {
            max_size = sz;
            max_set = set;
        }
        for (size_t j = 0; j < sz; j++) {
            uint32_t m = mem[j];
            if (m >= nstr || t->smap[m] == stamp)
                continue;
            t->smap[m] = stamp;
            if (toll__grow(t->a, (void **)&t->ubuf, &t->ubuf_cap, nu + 1,
                           sizeof *t->ubuf))
                return toll__nomem(err);
            t->ubuf[nu++] = m;
        }
    }
    uint32_t uset = 0;
    if (nu && nu == max_size) {
        uset = max_set;
    } else if (nu && !may_intern) {
        *deferred = 1;
        return TOLL_OK;
    } else if (nu) {
        st = intern_set(inc, t->ubuf, nu, &uset);
        if (st == TOLL_ENOMEM)
            return toll__nomem(err);
        if (st)
            return toll__err(err, st, "incident %zu: cannot intern its "
                             "actor set: %s", c + 1, toll_strerror(st));
    }
    inc->actors[c] = uset;

    /* Self-reports, distinct non-self sources, contested blame.  An actor
     * is one string id however it is spelled (the store interns actor
     * names by identity: src/store/store.c, toll__reports_intern_actor),
     * so a source_actor is compared with the actors by id. */
    uint32_t n_src = 0, first_set = 0;
    int has_self = 0;
    size_t total = 0; /* the incident's quantity cells */
    for (uint32_t k = 0; k < rc; k++) {
        uint32_t sa = g[k].source_actor;
        total += g[k].q_count;
        g[k].is_self = (uint8_t)(sa && sa < nstr && t->smap[sa] == stamp);
        if (g[k].is_self) {
            has_self = 1;
            continue;
        }
        uint32_t src = g[k].source;
        if (src < nstr && t->src_stamp[src] != stamp) {
            t->src_stamp[src] = stamp;
            n_src++;
        }
        uint32_t set = g[k].actors;
        if (set) {
            if (!first_set)
                first_set = set;
            else if (set != first_set)
                flags |= TOLL_FLAG_CONTESTED;
        }
    }
    inc->n_sources[c] = n_src;

    /* Place and time. */
    int conflict;
    st = reconcile_region(inc, g, rc, may_intern, &inc->region[c], &conflict,
                          deferred);
    if (st == TOLL_ENOMEM)
        return toll__nomem(err);
    if (st)
        return toll__err(err, st, "incident %zu: cannot intern its region: "
                         "%s", c + 1, toll_strerror(st));
    if (*deferred)
        return TOLL_OK;
    if (conflict)
        flags |= TOLL_FLAG_PLACE_CONFLICT;
    reconcile_dates(g, rc, &inc->date_start[c], &inc->date_end[c], &conflict);
    if (conflict)
        flags |= TOLL_FLAG_DATE_CONFLICT;

    /* Cells: the incident's quantities grouped by category (global
     * first-seen order), reports in input order within a category. */
    if (toll__grow(t->a, (void **)&t->ent, &t->ent_cap, n_or_1(total),
                   sizeof *t->ent) ||
        toll__grow(t->a, (void **)&t->vals, &t->vals_cap, 2 * n_or_1(total),
                   sizeof *t->vals))
        return toll__nomem(err);
    entry *ent = t->ent;
    size_t m = 0;
    for (uint32_t k = 0; k < rc; k++) {
        for (uint32_t j = 0; j < g[k].q_count; j++) {
            uint32_t qi = g[k].q + j;
            uint32_t cat = gq[qi].category;
            if (cat >= nstr)
                continue;
            ent[m].rank = x->cat_rank[cat] - 1;
            ent[m].seq = (uint32_t)m;
            ent[m].report = k; /* the row */
            ent[m].q = qi;
            m++;
        }
    }
    sort_entries(ent, m);

    int confirmed = 0;
    size_t cell = inc->c_begin[c];
    for (size_t g0 = 0, g1; g0 < m; g0 = g1) {
        for (g1 = g0 + 1; g1 < m && ent[g1].rank == ent[g0].rank; g1++)
            ;
        int64_t low = -1, high = -1, slow = -1, shigh = -1;
        uint32_t low_rep = UINT32_MAX, high_rep = UINT32_MAX;
        uint32_t self_rep = UINT32_MAX, n_known = 0;
        size_t nb = 0, nsb = 0;
        double *bests = t->vals, *sbests = t->vals + n_or_1(total);
        uint8_t cf = 0;
        int self_zero = 0, incl_pos = 0;
        for (size_t e = g0; e < g1; e++) {
            const toll__qcell *q = &gq[ent[e].q];
            const grow *row = &g[ent[e].report];
            uint32_t i = row->report;
            if (q->low < 0)
                continue; /* unknown: a cell, but no figure */
            int open = q->high == TOLL_OPEN;
            int64_t hi = open || q->high < q->low ? q->low : q->high;
            double b = isnan(q->best) ? (double)q->low : q->best;
            if (row->is_self) {
                cf |= TOLL__C_HAS_SELF;
                if (q->low > 0)
                    confirmed = 1;
                if (q->low == 0 && q->high == 0)
                    self_zero = 1;
                if (self_rep == UINT32_MAX)
                    self_rep = i;
                if (slow < 0 || q->low < slow)
                    slow = q->low;
                if (hi > shigh)
                    shigh = hi;
                sbests[nsb++] = b;
            }
            if (row->is_self && !x->include_self)
                continue;
            cf |= TOLL__C_KNOWN;
            n_known++;
            if (open)
                cf |= TOLL__C_OPEN;
            if (q->low > 0)
                incl_pos = 1;
            if (low < 0 || q->low < low) {
                low = q->low;
                low_rep = i;
            }
            if (hi > high) {
                high = hi;
                high_rep = i;
            }
            bests[nb++] = b;
        }
        if (self_zero && incl_pos)
            cf |= TOLL__C_DENIED;
        inc->c_category[cell] = gq[ent[g0].q].category;
        inc->c_n_reports[cell] = n_known;
        inc->c_flags[cell] = cf;
        if (!n_known) {
            inc->c_low[cell] = inc->c_high[cell] = -1;
            inc->c_best[cell] = NAN;
            inc->c_low_report[cell] = inc->c_high_report[cell] = UINT32_MAX;
        } else if (x->policy == TOLL_POLICY_CONSERVATIVE) {
            inc->c_low[cell] = inc->c_high[cell] = low;
            inc->c_best[cell] = (double)low;
            inc->c_low_report[cell] = inc->c_high_report[cell] = low_rep;
        } else {
            inc->c_low[cell] = low;
            inc->c_high[cell] = high;
            inc->c_best[cell] = median(bests, nb);
            inc->c_low_report[cell] = low_rep;
            inc->c_high_report[cell] = high_rep;
        }
        inc->c_self_low[cell] = slow;
        inc->c_self_high[cell] = shigh;
        inc->c_self_best[cell] = nsb ? median(sbests, nsb) : NAN;
        inc->c_self_report[cell] = self_rep;
        if (cf & TOLL__C_OPEN)
            flags |= TOLL_FLAG_OPEN;
        if (cf & TOLL__C_DENIED)
            flags |= TOLL_FLAG_DENIED;
        cell++;
    }

    /* Grade (over all categories). */
    if (confirmed)
        inc->grade[c] = TOLL_GRADE_CONFIRMED;
    else if (n_src >= 2)
        inc->grade[c] = TOLL_GRADE_CORROBORATED;
    else if (n_src == 1)
        inc->grade[c] = TOLL_GRADE_SINGLE;
    else
        inc->grade[c] = has_self ? TOLL_GRADE_SELF_ONLY : TOLL_GRADE_NONE;
    inc->flags[c] = flags;
    return TOLL_OK;
}

/* Incidents t->begin..t->end with may_intern (serial) or without (one of
 * two threads: those that need the pools are listed in t->deferred). */
static toll_status reconcile_range(tscratch *t, int may_intern)
{
    const rctx *x = t->x;
    const toll_incidents *inc = x->inc;
    for (size_t c0 = t->begin, c1; c0 < t->end; c0 = c1) {
        c1 = block_end(inc, c0, t->end);
        toll_status st = gather_block(x, t, c0, c1);
        if (st)
            return st;
        for (size_t c = c0; c < c1; c++) {
            int deferred;
            grow *g = t->g + (inc->r_begin[c] - inc->r_begin[c0]);
            st = reconcile_one(x, t, c, g, inc->r_count[c], (uint32_t)c + 1,
                               may_intern, &deferred, &t->err);
            if (st)
                return st;
            if (deferred) {
                if (toll__grow(t->a, (void **)&t->deferred,
                               &t->deferred_cap, t->ndeferred + 1,
                               sizeof *t->deferred))
                    return toll__nomem(&t->err);
                t->deferred[t->ndeferred++] = (uint32_t)c;
            }
        }
    }
    return TOLL_OK;
}

static void copy_err(toll_error *dst, const toll_error *src)
{
    if (dst)
        *dst = *src;
}

static void *reconcile_thread(void *arg)
{
    tscratch *t = arg;
    t->st = reconcile_range(t, 0);
    return NULL;
}

/* Below this many incidents step 3 runs on one thread. */
#define THREAD_MIN_INCIDENTS 65536

/* Two threads or one: opts->threads (0: auto, two when the incidents are
 * many and the allocator is the default one, which is thread-safe). */
static int use_threads(const toll_reconcile_options *o,
                       const toll_allocator *a, size_t n)
{
    if (o->threads == 1 || n < 2 || n >= UINT32_MAX / 2)
        return 1;
    if (o->threads >= 2)
        return 2;
    const toll_allocator *d = toll_default_allocator();
    int dflt = a->malloc == d->malloc && a->realloc == d->realloc &&
               a->free == d->free;
    return dflt && n >= THREAD_MIN_INCIDENTS ? 2 : 1;
}

static void tscratch_free(tscratch *t)
{
    toll__free(t->a, t->ubuf, t->ubuf_cap * sizeof *t->ubuf);
    toll__free(t->a, t->ent, t->ent_cap * sizeof *t->ent);
    toll__free(t->a, t->vals, t->vals_cap * sizeof *t->vals);
    toll__free(t->a, t->g, t->g_cap * sizeof *t->g);
    toll__free(t->a, t->gq, t->gq_cap * sizeof *t->gq);
    toll__free(t->a, t->deferred, t->deferred_cap * sizeof *t->deferred);
}

/*
 * Step 3 over all incidents.  On one thread: in order, interning as it
 * goes.  On two: the incidents are split in halves, each reconciled by one
 * thread without writing to the store's pools (lookups only); an incident
 * that needs a new actor set or region prefix is left for a serial pass
 * that visits those incidents in order after both threads are done, so
 * that new pool entries get exactly the ids a one-thread run gives them.
 * The results are identical either way.
 */
static toll_status reconcile_incidents(const rctx *x, scratch *s,
                                       const toll_allocator *a, int threads,
                                       toll_error *err)
{
    const size_t n = x->inc->n;
    tscratch t[2];
    memset(t, 0, sizeof t);
    t[0].a = t[1].a = a;
    t[0].x = t[1].x = x;
    t[0].smap = s->smap;
    t[0].src_stamp = s->src_stamp;
    t[0].begin = 0;
    t[0].end = n;
    toll_status st = TOLL_OK;
    pthread_t tid;
    int started = 0;
    if (threads >= 2) {
        t[1].smap = toll__calloc(a, x->nstr ? x->nstr : 1, sizeof *t[1].smap);
        t[1].src_stamp = toll__calloc(a, x->nstr ? x->nstr : 1,
                                      sizeof *t[1].src_stamp);
        if (t[1].smap && t[1].src_stamp) {
            t[0].end = t[1].begin = n / 2;
            t[1].end = n;
            started = pthread_create(&tid, NULL, reconcile_thread, &t[1]) == 0;
            if (!started)
                t[0].end = n; /* no thread: all on this one */
        }
    }
    if (!started) {
        st = reconcile_range(&t[0], 1);
        if (st)
            copy_err(err, &t[0].err);
        goto done;
    }
    st = reconcile_range(&t[0], 0);
    pthread_join(tid, NULL);
    if (st || t[1].st) {
        /* the first failing part in incident order */
        tscratch *f = st ? &t[0] : &t[1];
        st = f->st ? f->st : st;
        copy_err(err, &f->err);
        goto done;
    }
    /* The serial pass, in incident order, with stamps no visit used. */
    for (int k = 0; k < 2 && !st; k++) {
        for (size_t j = 0; j < t[k].ndeferred; j++) {
            size_t c = t[k].deferred[j];
            int deferred;
            st = gather_block(x, &t[0], c, c + 1);
            if (!st)
                st = reconcile_one(x, &t[0], c, t[0].g, x->inc->r_count[c],
                                   (uint32_t)(n + c + 1), 1, &deferred,
                                   &t[0].err);
            if (st) {
                copy_err(err, &t[0].err);
                break;
            }
        }
    }
done:
    tscratch_free(&t[0]);
    tscratch_free(&t[1]);
    if (t[1].smap)
        toll__free(a, t[1].smap, (x->nstr ? x->nstr : 1) * sizeof *t[1].smap);
    if (t[1].src_stamp)
        toll__free(a, t[1].src_stamp,
                   (x->nstr ? x->nstr : 1) * sizeof *t[1].src_stamp);
    return st;
}

toll_status toll_reconcile(const toll_reports *reports,
                           const toll_reconcile_options *opts,
                           const toll_allocator *alloc, toll_incidents **out,
                           toll_error *err)
{
    if (!out)
        return toll__err(err, TOLL_EINVAL, "toll_reconcile: out is NULL");
    *out = NULL;
    if (!reports)
        return toll__err(err, TOLL_EINVAL, "toll_reconcile: reports is NULL");

    const toll_reports *r = reports;
    toll_reconcile_options o;
    toll_reconcile_options_init(&o);
    if (opts)
        o = *opts;
    if ((unsigned)o.policy > TOLL_POLICY_CONSERVATIVE)
        return toll__err(err, TOLL_EINVAL, "toll_reconcile: unknown policy %d",
                         (int)o.policy);
    if ((unsigned)o.self_reports > TOLL_SELF_INCLUDE)
        return toll__err(err, TOLL_EINVAL,
                         "toll_reconcile: unknown self-report handling %d",
                         (int)o.self_reports);
    if (toll__link_check(&o, err) != TOLL_OK)
        return TOLL_EINVAL;
    int include_self = o.self_reports == TOLL_SELF_INCLUDE;

    toll_allocator a;
    toll__alloc_init(&a, alloc ? alloc : &r->alloc);

    const size_t nrep = r->n;
    const size_t nstr = r->strings.count; /* ids used by reports are < nstr */
    toll_status st = TOLL_OK;
    toll_incidents *inc = NULL;
    scratch s;
    memset(&s, 0, sizeof s);

    s.inc_of = toll__alloc(&a, n_or_1(nrep) * sizeof *s.inc_of);
    s.smap = toll__calloc(&a, nstr, sizeof *s.smap);
    s.src_stamp = toll__calloc(&a, nstr, sizeof *s.src_stamp);
    s.cat_rank = toll__calloc(&a, nstr, sizeof *s.cat_rank);
    s.rank_stamp = toll__calloc(&a, nstr, sizeof *s.rank_stamp);
    inc = toll__incidents_new(&a); /* room for the links (src/reconcile/link.c) */
    if (o.link == TOLL_LINK_RULE)
        s.link_first = toll__alloc(&a, n_or_1(nrep) * sizeof *s.link_first);
    if (!s.inc_of || !s.smap || !s.src_stamp || !s.cat_rank ||
        !s.rank_stamp || !inc ||
        (o.link == TOLL_LINK_RULE && !s.link_first)) {
        st = toll__nomem(err);
        goto cleanup;
    }
    inc->alloc = a;
    inc->reports = r;
    inc->opts = o;
    /* borrowed for the call only */
    inc->opts.links = NULL;
    inc->opts.linker.model = NULL;
    inc->opts.linker.names = NULL;
    inc->nstr = nstr;
    inc->nsets = r->actor_sets.count;
    inc->ncategories = r->ncategories;
    if (toll__strpool_init(&inc->own_strings, &inc->alloc) ||
        toll__setpool_init(&inc->own_sets, &inc->alloc) ||
        !(inc->ext = toll__calloc(&a, 1, sizeof *inc->ext))) {
        st = toll__nomem(err);
        goto cleanup;
    }

    /* 1. Group: reports sharing a key form one incident, in order of first
     *    appearance; an unkeyed report is an incident of its own, unless
     *    link=rule put it in a cluster (src/reconcile/link.c): it then joins
     *    the incident of the cluster's first report.  link=auto takes the
     *    incidents of the probabilistic linker (src/link/), whose numbering
     *    is the same order of first appearance. */
    if (o.link == TOLL_LINK_RULE &&
        (st = toll__link_reports(inc, &o, &a, s.link_first, err)))
        goto cleanup;
    size_t n = 0;
    if (o.link == TOLL_LINK_AUTO &&
        (st = toll__link_auto(inc, &o, &a, s.inc_of, &n, err)))
        goto cleanup;
    for (size_t i = 0; o.link != TOLL_LINK_AUTO && i < nrep; i++) {
        uint32_t key = r->incident[i];
        if (key && key < nstr && s.smap[key]) {
            s.inc_of[i] = s.smap[key] - 1;
            continue;
        }
        if (!key && s.link_first && s.link_first[i] != i) {
            s.inc_of[i] = s.inc_of[s.link_first[i]];
            continue;
        }
        s.inc_of[i] = (uint32_t)n++;
        if (key && key < nstr)
            s.smap[key] = (uint32_t)n;
    }

#define ALLOC_INC(c)                                                          \
    if (!(inc->c = toll__calloc(&a, n_or_1(n), sizeof *inc->c)))              \
        goto nomem;
    inc->n = n;
    INCIDENT_COLUMNS(ALLOC_INC)
#undef ALLOC_INC
    s.rmask_n = n_or_1(n);
    if (!(s.rmask = toll__calloc(&a, s.rmask_n, sizeof *s.rmask)))
        goto nomem;
    if (!(inc->report_idx = toll__alloc(&a, n_or_1(nrep) *
                                                sizeof *inc->report_idx)))
        goto nomem;
    inc->nidx = nrep;

    /* report_idx: each incident's reports in input order (counting sort). */
    for (size_t i = 0; i < nrep; i++) {
        uint32_t c = s.inc_of[i];
        if (inc->r_count[c]++ == 0) {
            inc->key[c] = r->incident[i];
            inc->first_report[c] = (uint32_t)i;
        } else if (!inc->key[c]) { /* link=auto: the first key given */
            inc->key[c] = r->incident[i];
        }
    }
    for (size_t c = 0, pos = 0; c < n; c++) {
        inc->r_begin[c] = (uint32_t)pos;
        pos += inc->r_count[c];
        inc->r_count[c] = 0;
    }
    for (size_t i = 0; i < nrep; i++) {
        uint32_t c = s.inc_of[i];
        inc->report_idx[inc->r_begin[c] + inc->r_count[c]++] = (uint32_t)i;
    }
    if (o.link != TOLL_LINK_NONE &&
        (st = toll__link_finish(inc, s.inc_of, err)))
        goto cleanup;

    /* 2. Category ranks (the store's first-seen order) and the number of
     *    (incident, category) cells. */
    uint32_t nranks = 0;
    for (size_t k = 0; k < r->ncategories; k++) {
        uint32_t cat = r->categories[k];
        if (cat < nstr && !s.cat_rank[cat])
            s.cat_rank[cat] = ++nranks;
    }
    /* With at most 64 categories, all noted by the store (always, for
     * stores built by the loaders), one pass in report order (sequential
     * reads) sets a bit per rank in each incident's mask; otherwise the
     * reports are visited incident by incident. */
    int by_mask = nranks <= 64;
    for (size_t i = 0; by_mask && i < nrep; i++) {
        for (uint32_t j = 0; j < r->q_count[i]; j++) {
            uint32_t cat = r->q[r->q_begin[i] + j].category;
            if (cat >= nstr || !s.cat_rank[cat]) {
                by_mask = 0;
                break;
            }
            s.rmask[s.inc_of[i]] |= UINT64_C(1) << (s.cat_rank[cat] - 1);
        }
    }
    size_t nc = 0;
    for (size_t c = 0; c < n; c++) {
        size_t cells = 0;
        if (by_mask) {
            for (uint64_t bits = s.rmask[c]; bits; bits &= bits - 1)
                cells++;
        } else {
            for (uint32_t k = 0; k < inc->r_count[c]; k++) {
                uint32_t i = inc->report_idx[inc->r_begin[c] + k];
                for (uint32_t j = 0; j < r->q_count[i]; j++) {
                    uint32_t cat = r->q[r->q_begin[i] + j].category;
                    if (cat >= nstr)
                        continue; /* cannot happen: ids come from the pool */
                    if (!s.cat_rank[cat]) /* not noted by the store */
                        s.cat_rank[cat] = ++nranks;
                    uint32_t rank = s.cat_rank[cat] - 1;
                    if (s.rank_stamp[rank] != c + 1) {
                        s.rank_stamp[rank] = (uint32_t)c + 1;
                        cells++;
                    }
                }
            }
        }
        if (cells > UINT16_MAX) {
            st = toll__err(err, TOLL_ERANGE,
                           "incident %zu has more than %u categories", c + 1,
                           (unsigned)UINT16_MAX);
            goto cleanup;
        }
        inc->c_begin[c] = (uint32_t)nc;
        inc->c_count[c] = (uint16_t)cells;
        nc += cells;
    }
    if (nc > UINT32_MAX) {
        st = toll__err(err, TOLL_ERANGE, "too many incident cells");
        goto cleanup;
    }

    /* No longer needed: give the memory back before the cells take theirs
     * (a lower peak on large loads). */
    toll__free(&a, s.inc_of, n_or_1(nrep) * sizeof *s.inc_of);
    s.inc_of = NULL;
    toll__free(&a, s.rmask, s.rmask_n * sizeof *s.rmask);
    s.rmask = NULL;

#define ALLOC_CELL(c)                                                         \
    if (!(inc->c = toll__calloc(&a, n_or_1(nc), sizeof *inc->c)))             \
        goto nomem;
    inc->nc = nc;
    CELL_COLUMNS(ALLOC_CELL)
#undef ALLOC_CELL

    /* 3. Each incident: on two threads for large inputs (each incident's
     *    cells are its own; see reconcile_range for the pools). */
    memset(s.smap, 0, nstr * sizeof *s.smap); /* now: actor stamps */
    {
        rctx x = {r, inc, o.policy, include_self, nstr, s.cat_rank};
        st = reconcile_incidents(&x, &s, &a, use_threads(&o, &a, n), err);
        if (st)
            goto cleanup;
    }

    *out = inc;
    inc = NULL;
    goto cleanup;

nomem:
    st = toll__nomem(err);
cleanup:
    if (inc)
        incidents_destroy(inc, nrep);
    toll__free(&a, s.inc_of, n_or_1(nrep) * sizeof *s.inc_of);
    toll__free(&a, s.smap, nstr * sizeof *s.smap);
    toll__free(&a, s.src_stamp, nstr * sizeof *s.src_stamp);
    toll__free(&a, s.cat_rank, nstr * sizeof *s.cat_rank);
    toll__free(&a, s.rank_stamp, nstr * sizeof *s.rank_stamp);
    toll__free(&a, s.link_first, n_or_1(nrep) * sizeof *s.link_first);
    toll__free(&a, s.rmask, s.rmask_n * sizeof *s.rmask);
    return st;
}

/* ---- incidents from rows (src/summarize/stream.c) --------------------------- */

/* The rows of one incident as step 3 reads them (t->g, t->gq; *ng of
 * them).  A row of more cells than a report may have (UINT16_MAX) is
 * given as several rows with its values (the rules read rows as sets). */
static toll_status gather_rows(tscratch *t, const toll__rrow *rw, size_t m,
                               size_t *ng)
{
    size_t nq = 0, ngrow = 0;
    for (size_t k = 0; k < m; k++) {
        nq += rw[k].q_count;
        ngrow += rw[k].q_count ? (rw[k].q_count + UINT16_MAX - 1) / UINT16_MAX
                               : 1;
    }
    if (toll__grow(t->a, (void **)&t->g, &t->g_cap, n_or_1(ngrow),
                   sizeof *t->g) ||
        toll__grow(t->a, (void **)&t->gq, &t->gq_cap, n_or_1(nq),
                   sizeof *t->gq))
        return toll__nomem(&t->err);
    size_t pos = 0, n = 0;
    for (size_t k = 0; k < m; k++) {
        size_t done = 0;
        do {
            size_t part = rw[k].q_count - done;
            if (part > UINT16_MAX)
                part = UINT16_MAX;
            grow *g = &t->g[n++];
            g->report = UINT32_MAX;
            g->actors = rw[k].actors;
            g->source = rw[k].source;
            g->source_actor = rw[k].source_actor;
            g->region = rw[k].region;
            g->date_start = rw[k].date_start;
            g->date_end = rw[k].date_end;
            g->q = (uint32_t)pos;
            g->q_count = (uint16_t)part;
            g->is_self = 0;
            for (size_t j = 0; j < part; j++)
                t->gq[pos++] = rw[k].q[done + j];
            done += part;
        } while (done < rw[k].q_count);
    }
    *ng = n;
    return TOLL_OK;
}

toll_status toll__reconcile_rows(const toll_reports *r,
                                 const toll_reconcile_options *opts,
                                 const toll_allocator *alloc, size_t n,
                                 const uint32_t *key, const uint32_t *r_count,
                                 toll__rows_fn rows, void *ctx,
                                 toll_incidents **out, toll_error *err)
{
    if (!out || !r || !rows || (n && (!key || !r_count)))
        return toll__err(err, TOLL_EINVAL,
                         "toll__reconcile_rows: a required argument is NULL");
    *out = NULL;
    toll_reconcile_options o;
    toll_reconcile_options_init(&o);
    if (opts)
        o = *opts;
    if ((unsigned)o.policy > TOLL_POLICY_CONSERVATIVE ||
        (unsigned)o.self_reports > TOLL_SELF_INCLUDE)
        return toll__err(err, TOLL_EINVAL,
                         "toll__reconcile_rows: unknown policy or self-report "
                         "handling");
    if (o.link != TOLL_LINK_NONE || o.links)
        return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "link", NULL, 0,
                            "incidents made from rows are not linked");
    if (n >= UINT32_MAX)
        return toll__err(err, TOLL_ERANGE, "too many incidents (%zu)", n);
    toll_allocator a;
    toll__alloc_init(&a, alloc ? alloc : &r->alloc);
    const size_t nstr = r->strings.count;
    toll_status st = TOLL_OK;
    uint32_t *cat_rank = toll__calloc(&a, nstr, sizeof *cat_rank);
    uint32_t *rank_stamp = toll__calloc(&a, nstr, sizeof *rank_stamp);
    tscratch t;
    memset(&t, 0, sizeof t);
    t.a = &a;
    t.smap = toll__calloc(&a, nstr, sizeof *t.smap);
    t.src_stamp = toll__calloc(&a, nstr, sizeof *t.src_stamp);
    toll_incidents *inc = toll__incidents_new(&a);
    if (!cat_rank || !rank_stamp || !t.smap || !t.src_stamp || !inc)
        goto nomem;
    inc->alloc = a;
    inc->reports = r;
    inc->opts = o;
    inc->opts.linker.model = NULL;
    inc->opts.linker.names = NULL;
    inc->nstr = nstr;
    inc->nsets = r->actor_sets.count;
    inc->ncategories = r->ncategories;
    if (toll__strpool_init(&inc->own_strings, &inc->alloc) ||
        toll__setpool_init(&inc->own_sets, &inc->alloc) ||
        !(inc->ext = toll__calloc(&a, 1, sizeof *inc->ext)))
        goto nomem;
#define ALLOC_INC(c)                                                          \
    if (!(inc->c = toll__calloc(&a, n_or_1(n), sizeof *inc->c)))              \
        goto nomem;
    inc->n = n;
    INCIDENT_COLUMNS(ALLOC_INC)
#undef ALLOC_INC
    if (!(inc->report_idx = toll__calloc(&a, 1, sizeof *inc->report_idx)))
        goto nomem;
    inc->nidx = 0;

    /* Category ranks: the store's first-seen order, then as step 2 of
     * toll_reconcile finds them. */
    uint32_t nranks = 0;
    for (size_t k = 0; k < r->ncategories; k++) {
        uint32_t cat = r->categories[k];
        if (cat < nstr && !cat_rank[cat])
            cat_rank[cat] = ++nranks;
    }
    size_t nc = 0;
    for (size_t c = 0; c < n; c++) {
        const toll__rrow *rw;
        size_t m, cells = 0;
        if ((st = rows(ctx, c, &rw, &m, err)))
            goto cleanup;
        inc->key[c] = key[c];
        inc->r_count[c] = r_count[c];
        inc->first_report[c] = UINT32_MAX;
        for (size_t k = 0; k < m; k++) {
            for (size_t j = 0; j < rw[k].q_count; j++) {
                uint32_t cat = rw[k].q[j].category;
                if (cat >= nstr)
                    continue;
                if (!cat_rank[cat])
                    cat_rank[cat] = ++nranks;
                uint32_t rank = cat_rank[cat] - 1;
                if (rank_stamp[rank] != c + 1) {
                    rank_stamp[rank] = (uint32_t)c + 1;
                    cells++;
                }
            }
        }
        if (cells > UINT16_MAX) {
            st = toll__err(err, TOLL_ERANGE,
                           "incident %zu has more than %u categories", c + 1,
                           (unsigned)UINT16_MAX);
            goto cleanup;
        }
        inc->c_begin[c] = (uint32_t)nc;
        inc->c_count[c] = (uint16_t)cells;
        nc += cells;
    }
    if (nc > UINT32_MAX) {
        st = toll__err(err, TOLL_ERANGE, "too many incident cells");
        goto cleanup;
    }
#define ALLOC_CELL(c)                                                         \
    if (!(inc->c = toll__calloc(&a, n_or_1(nc), sizeof *inc->c)))             \
        goto nomem;
    inc->nc = nc;
    CELL_COLUMNS(ALLOC_CELL)
#undef ALLOC_CELL

    /* Step 3 of toll_reconcile, incident by incident, on one thread. */
    rctx x = {r, inc, o.policy, o.self_reports == TOLL_SELF_INCLUDE, nstr,
              cat_rank};
    t.x = &x;
    for (size_t c = 0; c < n; c++) {
        const toll__rrow *rw;
        size_t m;
        int deferred;
        if ((st = rows(ctx, c, &rw, &m, err)))
            goto cleanup;
        size_t ng = 0;
        st = gather_rows(&t, rw, m, &ng);
        if (!st && ng >= UINT32_MAX)
            st = toll__err(&t.err, TOLL_ERANGE,
                           "incident %zu has too many rows", c + 1);
        if (!st)
            st = reconcile_one(&x, &t, c, t.g, (uint32_t)ng, (uint32_t)c + 1,
                               1, &deferred, &t.err);
        if (st) {
            copy_err(err, &t.err);
            goto cleanup;
        }
    }
    *out = inc;
    inc = NULL;
    goto cleanup;
nomem:
    st = toll__nomem(err);
cleanup:
    if (inc)
        incidents_destroy(inc, 0);
    tscratch_free(&t);
    toll__free(&a, t.smap, nstr * sizeof *t.smap);
    toll__free(&a, t.src_stamp, nstr * sizeof *t.src_stamp);
    toll__free(&a, cat_rank, nstr * sizeof *cat_rank);
    toll__free(&a, rank_stamp, nstr * sizeof *rank_stamp);
    return st;
}
