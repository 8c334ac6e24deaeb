/*
 * src/stats/intervals.c - probabilistic intervals for totals of ranges
 * (toll/intervals.h; the summary hooks of src/stats/intervals.h).
 *
 * The total of a group is  T = F + sum_i s_i X_i : F the incidents whose
 * range is a single value, X_i drawn from [lo_i, hi_i] (integers; uniform
 * or discretised triangular), s_i the attribution share.  Its quantiles
 * are computed by one of:
 *
 *   comonotone  q_T(p) = F + sum_i s_i q_i(p)                      (exact)
 *   exact       the distribution of sum X_i by convolution (equal shares)
 *   normal      Cornish-Fisher from the exact cumulants k1..k4 of T
 *   simulate    `draws` totals from GSL's taus2 through gsl_rng_get
 *               (in batches: see "The generator" below; in chunks of
 *               2^16 items, on one or more threads, with the same
 *               numbers: "Chunks and threads"), quantiles by selection
 *               (no sort)
 *
 * Determinism: integers are drawn with Lemire's multiply-shift method with
 * rejection (exactly uniform; integer arithmetic only), triangular draws
 * through the inverse CDF with sqrt (correctly rounded in IEEE 754; the
 * library is compiled as ISO C, so no multiply-add is contracted), and
 * each row's generator is seeded from (seed, hash of the row's keys) with
 * integer mixing, so a seed gives the same numbers on every platform.
 * Formulas and the engine criteria: docs/intervals.md.
 */
#define _POSIX_C_SOURCE 200809L /* pthreads */
#define HAVE_INLINE 1 /* gsl_rng_get as an inline call */
#include "stats/intervals.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_rng.h>

#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* auto: exact when its cost (cells touched) is at most this */
#define EXACT_AUTO_COST 2e7
#define EXACT_AUTO_SUPPORT ((size_t)1 << 22)
/* engine exact asked for: refused beyond these */
#define EXACT_MAX_COST 4e9
#define EXACT_MAX_SUPPORT ((size_t)1 << 25)
/* auto: normal when the effective number of incidents is at least this */
#define NORMAL_MIN_NEFF 30.0
/* triangular cumulants summed exactly up to this many values */
#define TRI_EXACT_WIDTH 256
#define MAX_DRAWS 100000000u

static const double default_quantiles[3] = {0.025, 0.5, 0.975};

/* ---- names and options -------------------------------------------------- */

void toll_interval_options_init(toll_interval_options *o)
{
    if (!o)
        return;
    memset(o, 0, sizeof *o);
    o->method = TOLL_INTERVAL_NONE;
    o->dist = TOLL_DIST_UNIFORM;
    o->engine = TOLL_ENGINE_AUTO;
    o->draws = TOLL_INTERVAL_DEFAULT_DRAWS;
    o->seed = TOLL_INTERVAL_DEFAULT_SEED;
    o->open_cap = TOLL_INTERVAL_DEFAULT_OPEN_CAP;
    o->quantiles = NULL;
    o->n_quantiles = 0;
}

static const char *const method_names[] = {"none", "independent",
                                           "comonotone"};
static const char *const dist_names[] = {"uniform", "triangular"};
static const char *const engine_names[] = {"auto", "exact", "normal",
                                           "simulate"};

const char *toll_interval_method_name(toll_interval_method m)
{
    return (unsigned)m < 3 ? method_names[m] : "";
}

const char *toll_interval_dist_name(toll_interval_dist d)
{
    return (unsigned)d < 2 ? dist_names[d] : "";
}

const char *toll_interval_engine_name(toll_interval_engine e)
{
    return (unsigned)e < 4 ? engine_names[e] : "";
}

static toll_status parse_name(const char *s, const char *const *names,
                              int n, int *out, const char *field,
                              const char *expected, toll_error *err)
{
    if (!s || !out)
        return toll__err(err, TOLL_EINVAL, "%s: argument is NULL", field);
    size_t len = strlen(s);
    for (int k = 0; k < n; k++)
        if (toll__strncaseeq(s, len, names[k])) {
            *out = k;
            return TOLL_OK;
        }
    return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, field, s, len,
                        "unknown %s '%s' (expected %s)", field, s, expected);
}

toll_status toll_interval_method_parse(const char *s,
                                       toll_interval_method *out,
                                       toll_error *err)
{
    int v = 0;
    toll_status st = parse_name(s, method_names, 3, &v, "interval",
                                "none, independent or comonotone", err);
    if (!st)
        *out = (toll_interval_method)v;
    return st;
}

toll_status toll_interval_dist_parse(const char *s, toll_interval_dist *out,
                                     toll_error *err)
{
    int v = 0;
    toll_status st = parse_name(s, dist_names, 2, &v, "dist",
                                "uniform or triangular", err);
    if (!st)
        *out = (toll_interval_dist)v;
    return st;
}

toll_status toll_interval_engine_parse(const char *s,
                                       toll_interval_engine *out,
                                       toll_error *err)
{
    int v = 0;
    toll_status st = parse_name(s, engine_names, 4, &v, "engine",
                                "auto, exact, normal or simulate", err);
    if (!st)
        *out = (toll_interval_engine)v;
    return st;
}

size_t toll_interval_column_name(double p, char *buf, size_t size)
{
    char tmp[32], name[32];
    if (!(p > 0.0 && p < 1.0))
        p = 0.0;
    snprintf(tmp, sizeof tmp, "%.6f", p); /* "0.025000" */
    const char *digits = strchr(tmp, '.');
    digits = digits ? digits + 1 : tmp;
    size_t n = strlen(digits);
    while (n > 3 && digits[n - 1] == '0')
        n--;
    snprintf(name, sizeof name, "q%.*s", (int)n, digits);
    size_t len = strlen(name);
    if (size) {
        size_t k = len < size - 1 ? len : size - 1;
        memcpy(buf, name, k);
        buf[k] = '\0';
    }
    return len;
}

/* Check quantiles: in (0, 1), distinct names, at most the maximum. */
static toll_status check_quantiles(const double *q, size_t n,
                                   toll_error *err)
{
    if (n > TOLL_INTERVAL_MAX_QUANTILES)
        return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "quantiles", NULL,
                            0, "%zu quantiles given; at most %d", n,
                            TOLL_INTERVAL_MAX_QUANTILES);
    for (size_t k = 0; k < n; k++) {
        if (!(q[k] > 0.0 && q[k] < 1.0))
            return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "quantiles",
                                NULL, 0,
                                "quantile %g is not a probability strictly "
                                "between 0 and 1", q[k]);
        char a[32], b[32];
        toll_interval_column_name(q[k], a, sizeof a);
        for (size_t j = 0; j < k; j++) {
            toll_interval_column_name(q[j], b, sizeof b);
            if (strcmp(a, b) == 0)
                return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1,
                                    "quantiles", NULL, 0,
                                    "quantiles %g and %g are the same "
                                    "(column %s)", q[j], q[k], a);
        }
    }
    return TOLL_OK;
}

toll_status toll_interval_quantiles_parse(const char *s, double *out,
                                          size_t max, size_t *n,
                                          toll_error *err)
{
    if (!s || !out || !n)
        return toll__err(err, TOLL_EINVAL,
                         "toll_interval_quantiles_parse: argument is NULL");
    *n = 0;
    const char *p = s;
    for (;;) {
        const char *e = strchr(p, ',');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        toll__trim_blank(&p, &len);
        char tmp[64];
        double v = NAN;
        int ok = len > 0 && len < sizeof tmp;
        if (ok) {
            memcpy(tmp, p, len);
            tmp[len] = '\0';
            char *end = NULL;
            v = strtod(tmp, &end);
            ok = end && *end == '\0' && v > 0.0 && v < 1.0;
        }
        if (!ok)
            return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "quantiles", p,
                                len,
                                "cannot read \"%.*s\" as a probability "
                                "strictly between 0 and 1 (expected e.g. "
                                "0.025,0.5,0.975)",
                                (int)(len > 40 ? 40 : len), p);
        if (*n >= max)
            return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "quantiles", s,
                                strlen(s), "too many quantiles (at most %zu)",
                                max);
        out[(*n)++] = v;
        if (!e)
            break;
        p = e + 1;
    }
    return check_quantiles(out, *n, err);
}

/* ---- the accumulator ---------------------------------------------------- */

/* One random contribution: X drawn from lo..hi (hi > lo), times share. */
typedef struct iv_item {
    int64_t lo, hi;
    double mode;  /* triangular mode c in [lo, hi + 1] (continuous) */
    double share;
    uint32_t group;
} iv_item;

typedef struct iv_group {
    double fixed;      /* sum of share * value of single-valued ranges */
    double lo, hi;     /* hard bounds of the total (shares applied) */
    size_t nitems;
} iv_group;

struct toll__iv {
    toll_allocator alloc;
    toll_interval_method method;
    toll_interval_dist dist;
    toll_interval_engine engine;
    size_t draws;
    uint64_t seed;
    double open_cap;
    size_t threads;    /* simulation: 0 auto, 1, or up to N */
    double q[TOLL_INTERVAL_MAX_QUANTILES];
    size_t nq;
    size_t qorder[TOLL_INTERVAL_MAX_QUANTILES]; /* indices, by p ascending */

    iv_item *items;
    size_t n, cap;
    iv_group *groups;
    size_t ngroups, groups_cap;

    /* built at the first fill: items of group g are
     * order[begin[g] .. begin[g] + groups[g].nitems) */
    uint32_t *order;
    size_t order_cap;
    size_t *begin;
    size_t begin_cap;
    int built;
    toll_error err;    /* of a failed fill */
    int failed;
    /* scratch */
    double *work;      /* simulation totals / exact pmf */
    size_t work_cap;
    double *pmf;       /* triangular pmf of one item */
    size_t pmf_cap;
};

toll_status toll__iv_new(const toll_allocator *a,
                         const toll_interval_options *o, toll__iv **out,
                         toll_error *err)
{
    *out = NULL;
    if (!o || o->method == TOLL_INTERVAL_NONE)
        return TOLL_OK;
    if ((unsigned)o->method > TOLL_INTERVAL_COMONOTONE)
        return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "interval", NULL,
                            0, "unknown interval method %d", (int)o->method);
    if ((unsigned)o->dist > TOLL_DIST_TRIANGULAR)
        return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "dist", NULL, 0,
                            "unknown interval distribution %d", (int)o->dist);
    if ((unsigned)o->engine > TOLL_ENGINE_SIMULATE)
        return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "engine", NULL, 0,
                            "unknown interval engine %d", (int)o->engine);
    size_t draws = o->draws ? o->draws : TOLL_INTERVAL_DEFAULT_DRAWS;
    if (draws > MAX_DRAWS)
        return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "draws", NULL, 0,
                            "%zu draws is too many (at most %u)", draws,
                            MAX_DRAWS);
    double cap = o->open_cap == 0.0 ? TOLL_INTERVAL_DEFAULT_OPEN_CAP
                                    : o->open_cap;
    if (!(cap >= 1.0) || !isfinite(cap))
        return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "open_cap", NULL,
                            0, "open_cap must be a finite number >= 1, got %g",
                            o->open_cap);
    const double *q = o->quantiles ? o->quantiles : default_quantiles;
    size_t nq = o->quantiles ? o->n_quantiles : 3;
    if (o->quantiles && nq == 0)
        return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "quantiles", NULL,
                            0, "no quantiles given");
    toll_status st = check_quantiles(q, nq, err);
    if (st)
        return st;
    toll_allocator al;
    toll__alloc_init(&al, a);
    toll__iv *iv = toll__calloc(&al, 1, sizeof *iv);
    if (!iv)
        return toll__nomem(err);
    iv->alloc = al;
    iv->method = o->method;
    iv->dist = o->dist;
    iv->engine = o->engine;
    iv->draws = draws;
    iv->seed = o->seed;
    iv->open_cap = cap;
    iv->threads = o->threads;
    iv->nq = nq;
    memcpy(iv->q, q, nq * sizeof *q);
    for (size_t k = 0; k < nq; k++)
        iv->qorder[k] = k;
    for (size_t k = 1; k < nq; k++) /* insertion sort by p */
        for (size_t j = k;
             j > 0 && iv->q[iv->qorder[j]] < iv->q[iv->qorder[j - 1]]; j--) {
            size_t t = iv->qorder[j];
            iv->qorder[j] = iv->qorder[j - 1];
            iv->qorder[j - 1] = t;
        }
    *out = iv;
    return TOLL_OK;
}

void toll__iv_free(toll__iv *iv)
{
    if (!iv)
        return;
    const toll_allocator *a = &iv->alloc;
    toll__free(a, iv->items, iv->cap * sizeof *iv->items);
    toll__free(a, iv->groups, iv->groups_cap * sizeof *iv->groups);
    toll__free(a, iv->order, iv->order_cap * sizeof *iv->order);
    toll__free(a, iv->begin, iv->begin_cap * sizeof *iv->begin);
    toll__free(a, iv->work, iv->work_cap * sizeof *iv->work);
    toll__free(a, iv->pmf, iv->pmf_cap * sizeof *iv->pmf);
    toll_allocator al = iv->alloc;
    toll__free(&al, iv, sizeof *iv);
}

/* The triangular mode of [lo, hi] for best value `best`, on the continuous
 * scale [lo, hi + 1) whose floor is the count. */
static double tri_mode(int64_t lo, int64_t hi, double best)
{
    if (isnan(best))
        return ((double)lo + (double)hi + 1.0) / 2.0;
    if (best <= (double)lo)
        return (double)lo;
    if (best >= (double)hi)
        return (double)hi + 1.0;
    return best + 0.5;
}

/* The capped high of an open range: max(high, ceil(cap * low)). */
static toll_status cap_high(double cap, int64_t lo, int64_t hi, int open,
                            int64_t *out)
{
    if (!open) {
        *out = hi;
        return TOLL_OK;
    }
    double c = ceil(cap * (double)lo);
    if (!(c < 9.0e18))
        return TOLL_ERANGE;
    int64_t ci = (int64_t)c;
    *out = ci > hi ? ci : hi;
    if (*out < lo)
        *out = lo;
    return TOLL_OK;
}

toll_status toll__iv_add(toll__iv *iv, size_t group, int64_t low,
                         int64_t high, double best, double share, int open)
{
    if (group >= UINT32_MAX)
        return TOLL_ERANGE;
    if (low < 0)
        low = 0;
    if (high < low && !open)
        high = low;
    int64_t hi;
    toll_status st = cap_high(iv->open_cap, low, high, open, &hi);
    if (st)
        return st;
    if (group >= iv->ngroups) {
        if (toll__grow(&iv->alloc, (void **)&iv->groups, &iv->groups_cap,
                       group + 1, sizeof *iv->groups))
            return TOLL_ENOMEM;
        memset(iv->groups + iv->ngroups, 0,
               (group + 1 - iv->ngroups) * sizeof *iv->groups);
        iv->ngroups = group + 1;
    }
    iv_group *g = &iv->groups[group];
    double a = share * (double)low, b = share * (double)hi;
    g->lo += a;
    g->hi += b;
    if (hi == low) {
        g->fixed += a;
        return TOLL_OK;
    }
    if (toll__grow(&iv->alloc, (void **)&iv->items, &iv->cap, iv->n + 1,
                   sizeof *iv->items))
        return TOLL_ENOMEM;
    iv_item *it = &iv->items[iv->n];
    it->lo = low;
    it->hi = hi;
    it->mode = tri_mode(low, hi, best);
    it->share = share;
    it->group = (uint32_t)group;
    iv->n++;
    g->nitems++;
    iv->built = 0;
    return TOLL_OK;
}

/* Group the items: order[begin[g] ..] are the items of group g, in the
 * order they were added. */
static toll_status build_index(toll__iv *iv)
{
    if (iv->built)
        return TOLL_OK;
    const toll_allocator *a = &iv->alloc;
    toll__free(a, iv->order, iv->order_cap * sizeof *iv->order);
    toll__free(a, iv->begin, iv->begin_cap * sizeof *iv->begin);
    iv->order = NULL;
    iv->begin = NULL;
    iv->order_cap = iv->begin_cap = 0;
    size_t no = iv->n ? iv->n : 1, nb = iv->ngroups + 1;
    iv->order = toll__alloc(a, no * sizeof *iv->order);
    if (!iv->order)
        return TOLL_ENOMEM;
    iv->order_cap = no;
    iv->begin = toll__calloc(a, nb, sizeof *iv->begin);
    if (!iv->begin)
        return TOLL_ENOMEM;
    iv->begin_cap = nb;
    for (size_t g = 0; g < iv->ngroups; g++)
        iv->begin[g + 1] = iv->begin[g] + iv->groups[g].nitems;
    /* fill using begin[] as cursors, then restore */
    for (size_t i = 0; i < iv->n; i++) {
        uint32_t g = iv->items[i].group;
        iv->order[iv->begin[g]++] = (uint32_t)i;
    }
    for (size_t g = iv->ngroups; g > 0; g--)
        iv->begin[g] = iv->begin[g - 1];
    iv->begin[0] = 0;
    iv->built = 1;
    return TOLL_OK;
}

static toll_status need_work(toll__iv *iv, size_t n)
{
    return toll__grow(&iv->alloc, (void **)&iv->work, &iv->work_cap, n,
                      sizeof *iv->work);
}

/* ---- one item: distribution, cumulants, quantiles ----------------------- */

/* Triangular on [a, b] with mode c (a <= c <= b, a < b): CDF and
 * inverse CDF. */
static double tri_cdf(double y, double a, double b, double c)
{
    if (y <= a)
        return 0.0;
    if (y >= b)
        return 1.0;
    if (y <= c)
        return (y - a) * (y - a) / ((b - a) * (c - a));
    return 1.0 - (b - y) * (b - y) / ((b - a) * (b - c));
}

static double tri_inv(double u, double a, double b, double c)
{
    double fc = (c - a) / (b - a);
    if (u < fc)
        return a + sqrt(u * ((b - a) * (c - a)));
    return b - sqrt((1.0 - u) * ((b - a) * (b - c)));
}

/* pmf of a triangular item on lo..hi into iv->pmf (m values). */
static toll_status tri_pmf(toll__iv *iv, const iv_item *it, size_t m)
{
    if (toll__grow(&iv->alloc, (void **)&iv->pmf, &iv->pmf_cap, m,
                   sizeof *iv->pmf))
        return TOLL_ENOMEM;
    double a = (double)it->lo, b = (double)it->hi + 1.0, c = it->mode;
    double prev = 0.0;
    for (size_t k = 0; k < m; k++) {
        double f = tri_cdf(a + (double)k + 1.0, a, b, c);
        iv->pmf[k] = f - prev > 0.0 ? f - prev : 0.0;
        prev = f;
    }
    return TOLL_OK;
}

/* Cumulants k1..k4 of one item (without its share). */
static toll_status item_cumulants(toll__iv *iv, const iv_item *it,
                                  double k[4])
{
    double m = (double)it->hi - (double)it->lo + 1.0;
    if (iv->dist == TOLL_DIST_UNIFORM) {
        double m2 = m * m;
        k[0] = ((double)it->lo + (double)it->hi) / 2.0;
        k[1] = (m2 - 1.0) / 12.0;
        k[2] = 0.0;
        k[3] = -(m2 - 1.0) * (m2 + 1.0) / 120.0;
        return TOLL_OK;
    }
    if (m <= TRI_EXACT_WIDTH) {
        size_t n = (size_t)m;
        toll_status st = tri_pmf(iv, it, n);
        if (st)
            return st;
        double mean = 0.0;
        for (size_t j = 0; j < n; j++)
            mean += iv->pmf[j] * (double)j;
        double m2 = 0.0, m3 = 0.0, m4 = 0.0;
        for (size_t j = 0; j < n; j++) {
            double d = (double)j - mean, p = iv->pmf[j];
            m2 += p * d * d;
            m3 += p * d * d * d;
            m4 += p * d * d * d * d;
        }
        k[0] = (double)it->lo + mean;
        k[1] = m2;
        k[2] = m3;
        k[3] = m4 - 3.0 * m2 * m2;
        return TOLL_OK;
    }
    /* Wide range: the continuous triangular Y on [lo, hi + 1) and
     * X = floor(Y) = Y - U with U ~ U(0,1) nearly independent of X:
     * k_r(X) = k_r(Y) - k_r(U). */
    double a = (double)it->lo, b = (double)it->hi + 1.0, c = it->mode;
    double q = a * a + b * b + c * c - a * b - a * c - b * c;
    double var = q / 18.0;
    k[0] = (a + b + c) / 3.0 - 0.5;
    k[1] = var - 1.0 / 12.0;
    k[2] = (a + b - 2.0 * c) * (2.0 * a - b - c) * (a - 2.0 * b + c) / 270.0;
    k[3] = -0.6 * var * var + 1.0 / 120.0;
    return TOLL_OK;
}

/* The p-quantile of one item (inverse CDF: smallest x with F(x) >= p). */
static int64_t item_quantile(const toll__iv *iv, const iv_item *it, double p)
{
    double m = (double)it->hi - (double)it->lo + 1.0;
    double v;
    if (iv->dist == TOLL_DIST_UNIFORM) {
        v = p * m;
    } else {
        double a = (double)it->lo, b = (double)it->hi + 1.0;
        v = tri_inv(p, a, b, it->mode) - a;
    }
    double k = ceil(v - 1e-9 - 1e-12 * fabs(v)) - 1.0;
    if (k < 0.0)
        k = 0.0;
    if (k > m - 1.0)
        k = m - 1.0;
    return it->lo + (int64_t)k;
}

/* ---- group statistics --------------------------------------------------- */

typedef struct gstats {
    size_t n;          /* random items */
    double k[4];       /* cumulants of sum s_i X_i */
    double k2sq;       /* sum over items of (s_i^2 k2_i)^2 */
    int same_share;    /* every item has the same share */
    double share;
    double lo_x;       /* sum of lo_i (without shares) */
    double width;      /* sum of (m_i - 1): support of sum X_i - 1 */
    double cost;       /* cells touched by the exact convolution */
} gstats;

static toll_status group_stats(toll__iv *iv, size_t g, gstats *s)
{
    memset(s, 0, sizeof *s);
    const uint32_t *ord = iv->order + iv->begin[g];
    size_t n = iv->groups[g].nitems;
    s->n = n;
    s->same_share = 1;
    for (size_t r = 0; r < n; r++) {
        const iv_item *it = &iv->items[ord[r]];
        double k[4];
        toll_status st = item_cumulants(iv, it, k);
        if (st)
            return st;
        double sh = it->share, sh2 = sh * sh;
        s->k[0] += sh * k[0];
        s->k[1] += sh2 * k[1];
        s->k[2] += sh2 * sh * k[2];
        s->k[3] += sh2 * sh2 * k[3];
        s->k2sq += (sh2 * k[1]) * (sh2 * k[1]);
        if (r == 0)
            s->share = sh;
        else if (sh != s->share)
            s->same_share = 0;
        double m = (double)it->hi - (double)it->lo + 1.0;
        s->lo_x += (double)it->lo;
        s->width += m - 1.0;
        s->cost += (s->width + 1.0) *
                   (iv->dist == TOLL_DIST_UNIFORM ? 1.0 : m);
    }
    return TOLL_OK;
}

/* Indices of quantiles in ascending order of p are iv->qorder. */

/* ---- engines ------------------------------------------------------------ */

static void comonotone(toll__iv *iv, size_t g, double *out)
{
    const uint32_t *ord = iv->order + iv->begin[g];
    size_t n = iv->groups[g].nitems;
    for (size_t k = 0; k < iv->nq; k++) {
        double t = iv->groups[g].fixed;
        for (size_t r = 0; r < n; r++) {
            const iv_item *it = &iv->items[ord[r]];
            double v = it->share * (double)item_quantile(iv, it, iv->q[k]);
            t += v;
        }
        out[k] = t;
    }
}

/* Smallest integer x with P(S <= x) >= p under the continuity-corrected
 * Cornish-Fisher approximation, or the continuous quantile. */
static void normal_engine(const toll__iv *iv, const iv_group *gr,
                          const gstats *s, double *out)
{
    double sd = sqrt(s->k[1]);
    double g1 = s->k[1] > 0.0 ? s->k[2] / (s->k[1] * sd) : 0.0;
    double g2 = s->k[1] > 0.0 ? s->k[3] / (s->k[1] * s->k[1]) : 0.0;
    for (size_t k = 0; k < iv->nq; k++) {
        double z = gsl_cdf_ugaussian_Pinv(iv->q[k]);
        double w = z + (z * z - 1.0) * g1 / 6.0 +
                   (z * z * z - 3.0 * z) * g2 / 24.0 -
                   (2.0 * z * z * z - 5.0 * z) * g1 * g1 / 36.0;
        double v;
        if (s->same_share && s->share > 0.0) {
            /* S / share is integer valued: continuity correction */
            double mu = s->k[0] / s->share, sdx = sd / s->share;
            double x = mu + sdx * w - 0.5;
            v = s->share * ceil(x - 1e-9 - 1e-12 * fabs(x));
        } else {
            v = s->k[0] + sd * w;
        }
        v += gr->fixed;
        if (v < gr->lo)
            v = gr->lo;
        if (v > gr->hi)
            v = gr->hi;
        out[k] = v;
    }
}

/* Exact distribution of sum X_i (all shares equal) by convolution. */
static toll_status exact_engine(toll__iv *iv, size_t g, const gstats *s,
                                double *out)
{
    const uint32_t *ord = iv->order + iv->begin[g];
    size_t n = iv->groups[g].nitems;
    size_t W = (size_t)s->width;
    toll_status st = need_work(iv, W + 1);
    if (st)
        return st;
    double *f = iv->work;
    f[0] = 1.0;
    size_t cur = 0; /* support 0..cur */
    for (size_t r = 0; r < n; r++) {
        const iv_item *it = &iv->items[ord[r]];
        size_t m = (size_t)(it->hi - it->lo) + 1;
        size_t nc = cur + m - 1;
        if (iv->dist == TOLL_DIST_UNIFORM) {
            /* prefix sums, then g[x] = (P[x] - P[x-m]) / m, descending */
            for (size_t x = 1; x <= cur; x++)
                f[x] += f[x - 1];
            double total = f[cur];
            for (size_t x = cur + 1; x <= nc; x++)
                f[x] = total;
            double inv = 1.0 / (double)m;
            for (size_t x = nc + 1; x-- > 0;) {
                double hi = f[x], lo = x >= m ? f[x - m] : 0.0;
                double v = (hi - lo) * inv;
                f[x] = v > 0.0 ? v : 0.0;
            }
        } else {
            if ((st = tri_pmf(iv, it, m)))
                return st;
            const double *p = iv->pmf;
            for (size_t x = cur + 1; x <= nc; x++)
                f[x] = 0.0;
            for (size_t x = nc + 1; x-- > 0;) {
                size_t jmin = x > cur ? x - cur : 0;
                size_t jmax = x < m - 1 ? x : m - 1;
                double v = 0.0;
                for (size_t j = jmin; j <= jmax; j++)
                    v += f[x - j] * p[j];
                f[x] = v;
            }
        }
        cur = nc;
    }
    /* quantiles in ascending order of p, one pass over the CDF */
    double total = 0.0;
    for (size_t x = 0; x <= cur; x++)
        total += f[x];
    double cum = 0.0;
    size_t x = 0;
    const iv_group *gr = &iv->groups[g];
    for (size_t kk = 0; kk < iv->nq; kk++) {
        size_t k = iv->qorder[kk];
        double target = iv->q[k] * total * (1.0 - 1e-12);
        while (x < cur && cum + f[x] < target) {
            cum += f[x];
            x++;
        }
        double v = gr->fixed + s->share * (s->lo_x + (double)x);
        out[k] = v;
    }
    return TOLL_OK;
}

/* ---- simulation --------------------------------------------------------- */

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

static toll_status simulate_engine(toll__iv *iv, size_t g, size_t stream,
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
    toll_status st = need_work(iv, D);
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

/* ---- a group's interval ------------------------------------------------- */

/* The quantiles of group g; `stream` numbers its RNG stream. */
static toll_status group_interval(toll__iv *iv, size_t g, size_t stream,
                                  double *out, toll_interval_engine *used,
                                  toll_error *err)
{
    toll_status st = build_index(iv);
    if (st)
        return toll__nomem(err);
    const iv_group *gr = &iv->groups[g];
    if (iv->method == TOLL_INTERVAL_COMONOTONE || gr->nitems == 0) {
        comonotone(iv, g, out);
        *used = TOLL_ENGINE_EXACT;
        return TOLL_OK;
    }
    gstats s;
    if ((st = group_stats(iv, g, &s)))
        return toll__nomem(err);
    toll_interval_engine e = iv->engine;
    if (e == TOLL_ENGINE_AUTO) {
        double neff = s.k2sq > 0.0 ? s.k[1] * s.k[1] / s.k2sq : 0.0;
        if (s.same_share && s.cost <= EXACT_AUTO_COST &&
            s.width < (double)EXACT_AUTO_SUPPORT)
            e = TOLL_ENGINE_EXACT;
        else if (neff >= NORMAL_MIN_NEFF)
            e = TOLL_ENGINE_NORMAL;
        else
            e = TOLL_ENGINE_SIMULATE;
    }
    if (e == TOLL_ENGINE_EXACT) {
        if (!s.same_share)
            return toll__seterr(err, TOLL_ERANGE, NULL, 0, -1, "engine",
                                NULL, 0,
                                "the exact interval needs equal attribution "
                                "shares in a group (use engine auto, normal "
                                "or simulate)");
        if (s.cost > EXACT_MAX_COST || s.width >= (double)EXACT_MAX_SUPPORT)
            return toll__seterr(err, TOLL_ERANGE, NULL, 0, -1, "engine",
                                NULL, 0,
                                "the exact interval of a group of %zu ranges "
                                "would take %.3g steps over %.3g values; use "
                                "engine auto, normal or simulate",
                                s.n, s.cost, s.width + 1.0);
        st = exact_engine(iv, g, &s, out);
    } else if (e == TOLL_ENGINE_NORMAL) {
        normal_engine(iv, gr, &s, out);
    } else {
        st = simulate_engine(iv, g, stream, out);
    }
    if (st)
        return toll__nomem(err);
    *used = e;
    return TOLL_OK;
}

/* ---- summary hooks ------------------------------------------------------ */

size_t toll__iv_ncols(const toll__iv *iv) { return iv ? iv->nq + 1 : 0; }

toll_status toll__iv_columns(toll__iv *iv, toll_table *t, size_t col0)
{
    toll_status st = TOLL_OK;
    char name[32];
    for (size_t k = 0; k < iv->nq && !st; k++) {
        toll_interval_column_name(iv->q[k], name, sizeof name);
        st = toll__table_set_column(t, col0 + k, name, TOLL_COL_DOUBLE);
        if (!st) /* quantiles of row totals do not add up to the total's */
            t->cols[col0 + k].no_total = 1;
    }
    if (!st)
        st = toll__table_set_column(t, col0 + iv->nq, "q_engine",
                                    TOLL_COL_STRING);
    return st;
}

/* FNV-1a over the row's key strings (separated by 0x1f): the row's
 * stream number. */
static size_t row_stream(const toll_table *t, size_t nkeys, size_t row)
{
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t k = 0; k < nkeys; k++) {
        const toll__column *c = &t->cols[k];
        const char *s = "";
        if (c->type == TOLL_COL_STRING && c->data) {
            uint32_t code = ((const uint32_t *)c->data)[row];
            if (code < c->ndict && c->dict[code])
                s = c->dict[code];
        }
        for (; *s; s++) {
            h ^= (unsigned char)*s;
            h *= 0x100000001b3ull;
        }
        h ^= 0x1f;
        h *= 0x100000001b3ull;
    }
    return (size_t)(nkeys ? h : 0);
}

toll_status toll__iv_fill(toll__iv *iv, toll_table *t, size_t nkeys,
                          size_t col0, size_t row, size_t group)
{
    double q[TOLL_INTERVAL_MAX_QUANTILES];
    toll_interval_engine used = TOLL_ENGINE_EXACT;
    toll_status st;
    if (group >= iv->ngroups) {
        /* a group with no contribution (cannot happen from summarize) */
        for (size_t k = 0; k < iv->nq; k++)
            q[k] = 0.0;
    } else {
        toll_error_clear(&iv->err);
        st = group_interval(iv, group, row_stream(t, nkeys, row), q, &used,
                            &iv->err);
        if (st) {
            iv->failed = 1;
            return st;
        }
    }
    for (size_t k = 0; k < iv->nq; k++)
        ((double *)t->cols[col0 + k].data)[row] = q[k];
    const char *name = toll_interval_engine_name(used);
    uint32_t code;
    st = toll__table_dict_add(t, col0 + iv->nq, name, strlen(name), &code);
    if (st) {
        if (st == TOLL_ENOMEM)
            toll__nomem(&iv->err);
        iv->failed = 1;
        return st;
    }
    ((uint32_t *)t->cols[col0 + iv->nq].data)[row] = code;
    return TOLL_OK;
}

int toll__iv_error(const toll__iv *iv, toll_error *err)
{
    if (!iv || !iv->failed)
        return 0;
    if (err)
        *err = iv->err;
    return 1;
}

toll_status toll__iv_caption(const toll__iv *iv, toll__buf *b)
{
    toll_status st = toll__buf_appendf(
        b, "; interval %s %s, open cap %g",
        toll_interval_method_name(iv->method),
        toll_interval_dist_name(iv->dist), iv->open_cap);
    if (!st && iv->method == TOLL_INTERVAL_INDEPENDENT)
        st = toll__buf_appendf(b, ", engine %s, %zu draws, seed %llu",
                               toll_interval_engine_name(iv->engine),
                               iv->draws, (unsigned long long)iv->seed);
    return st;
}

/* ---- one sum ------------------------------------------------------------ */

toll_status toll_interval_sum(const int64_t *low, const int64_t *high,
                              const double *best, const unsigned char *open,
                              const double *share, size_t n,
                              const toll_interval_options *opts,
                              const toll_allocator *alloc, double *out,
                              toll_interval_engine *used, toll_error *err)
{
    if ((n && (!low || !high)) || !opts || !out)
        return toll__err(err, TOLL_EINVAL,
                         "toll_interval_sum: argument is NULL");
    if (opts->method == TOLL_INTERVAL_NONE)
        return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "interval", NULL,
                            0, "interval method is none (expected "
                               "independent or comonotone)");
    toll__iv *iv = NULL;
    toll_status st = toll__iv_new(alloc, opts, &iv, err);
    if (st)
        return st;
    for (size_t i = 0; i < n && !st; i++) {
        int op = (open && open[i]) || high[i] < 0;
        double sh = share ? share[i] : 1.0;
        if (low[i] < 0 || (!op && high[i] < low[i]))
            st = toll__seterr(err, TOLL_EINVAL, NULL, 0, (long)i, "low", NULL,
                              0, "range %zu: [%lld, %lld] is not a range of "
                                 "counts",
                              i, (long long)low[i], (long long)high[i]);
        else if (!(sh > 0.0) || !isfinite(sh))
            st = toll__seterr(err, TOLL_EINVAL, NULL, 0, (long)i, "share",
                              NULL, 0, "range %zu: share %g is not positive",
                              i, sh);
        else if ((st = toll__iv_add(iv, 0, low[i],
                                    high[i] < 0 ? low[i] : high[i],
                                    best ? best[i] : NAN, sh, op))) {
            if (st == TOLL_ENOMEM)
                toll__nomem(err);
            else
                toll__seterr(err, st, NULL, 0, (long)i, "high", NULL, 0,
                             "range %zu: the capped high overflows", i);
        }
    }
    toll_interval_engine e = TOLL_ENGINE_EXACT;
    if (!st) {
        if (iv->ngroups == 0) { /* no ranges: a total of 0 */
            for (size_t k = 0; k < iv->nq; k++)
                out[k] = 0.0;
        } else {
            st = group_interval(iv, 0, 0, out, &e, err);
        }
    }
    if (!st && used)
        *used = e;
    toll__iv_free(iv);
    return st;
}
