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
 *               (in batches; in chunks of 2^16 items, on one or more
 *               threads, with the same numbers), quantiles by selection
 *               (no sort): src/stats/simulate.c
 *
 * Determinism: integers are drawn with Lemire's multiply-shift method with
 * rejection (exactly uniform; integer arithmetic only), triangular draws
 * through the inverse CDF with sqrt (correctly rounded in IEEE 754; the
 * library is compiled as ISO C, so no multiply-add is contracted), and
 * each row's generator is seeded from (seed, hash of the row's keys) with
 * integer mixing, so a seed gives the same numbers on every platform.
 * Formulas and the engine criteria: docs/intervals.md.
 */
#include "stats/intervals_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <gsl/gsl_cdf.h>

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

toll_status toll_interval_options_check(const toll_interval_options *o,
                                       toll_error *err)
{
    if (!o)
        return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, NULL, NULL, 0,
                            "no interval options given");
    if ((unsigned)o->method > TOLL_INTERVAL_COMONOTONE)
        return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "interval", NULL,
                            0, "unknown interval method %d", (int)o->method);
    if ((unsigned)o->dist > TOLL_DIST_TRIANGULAR)
        return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "dist", NULL, 0,
                            "unknown interval distribution %d", (int)o->dist);
    if ((unsigned)o->engine > TOLL_ENGINE_SIMULATE)
        return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "engine", NULL, 0,
                            "unknown interval engine %d", (int)o->engine);
    char text[32];
    if (o->draws < 1 || o->draws > MAX_DRAWS) {
        snprintf(text, sizeof text, "%zu", o->draws);
        return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "draws", text,
                            strlen(text),
                            "draws must be a whole number from 1 to %u, got "
                            "%s",
                            MAX_DRAWS, text);
    }
    if (!(o->open_cap >= 1.0) || !isfinite(o->open_cap)) {
        snprintf(text, sizeof text, "%g", o->open_cap);
        return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "open_cap", text,
                            strlen(text),
                            "open_cap must be a finite number >= 1, got %s",
                            text);
    }
    if (o->quantiles && o->n_quantiles == 0)
        return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "quantiles", NULL,
                            0, "no quantiles given");
    if (o->quantiles)
        return check_quantiles(o->quantiles, o->n_quantiles, err);
    return TOLL_OK;
}

toll_status toll__iv_new(const toll_allocator *a,
                         const toll_interval_options *o, toll__iv **out,
                         toll_error *err)
{
    *out = NULL;
    if (!o)
        return TOLL_OK;
    /* checked even when no interval is asked for: every door (C, the CLI,
     * Python) refuses the same values */
    toll_status st = toll_interval_options_check(o, err);
    if (st || o->method == TOLL_INTERVAL_NONE)
        return st;
    size_t draws = o->draws;
    double cap = o->open_cap;
    const double *q = o->quantiles ? o->quantiles : default_quantiles;
    size_t nq = o->quantiles ? o->n_quantiles : 3;
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

/* The capped high of an open range: max(high, ceil(cap * low)); *dout
 * receives it as a double; TOLL_ERANGE when it is too large for int64. */
static toll_status cap_high(double cap, int64_t lo, int64_t hi, int open,
                            int64_t *out, double *dout)
{
    *dout = (double)hi;
    if (!open) {
        *out = hi;
        return TOLL_OK;
    }
    double c = ceil(cap * (double)lo);
    *dout = c > (double)hi ? c : (double)hi;
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
    int64_t hi = high;
    double dhi;
    int too_big = cap_high(iv->open_cap, low, high, open, &hi, &dhi) != 0;
    if (group >= iv->ngroups) {
        if (toll__grow(&iv->alloc, (void **)&iv->groups, &iv->groups_cap,
                       group + 1, sizeof *iv->groups))
            return TOLL_ENOMEM;
        memset(iv->groups + iv->ngroups, 0,
               (group + 1 - iv->ngroups) * sizeof *iv->groups);
        iv->ngroups = group + 1;
    }
    iv_group *g = &iv->groups[group];
    double a = share * (double)low, b = share * dhi;
    g->lo += a;
    g->hi += b;
    if (too_big) { /* reported by the fill, naming the row */
        g->overflow = 1;
        return TOLL_OK;
    }
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
    toll_status st = toll__iv_need_work(iv, W + 1);
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

/* ---- a group's interval ------------------------------------------------- */

/* The quantiles of group g; `stream` numbers its RNG stream. */
/* Whether the bounds of group g's total are within TOLL__SUM_MAX (else
 * the error, naming `row`: the row's keys, or "" for one sum). */
static toll_status check_bounds(const toll__iv *iv, size_t g,
                                const char *row, toll_error *err)
{
    const iv_group *gr = &iv->groups[g];
    if (!gr->overflow && gr->lo <= TOLL__SUM_MAX && gr->hi <= TOLL__SUM_MAX)
        return TOLL_OK;
    int low = !(gr->lo <= TOLL__SUM_MAX);
    return toll__seterr(
        err, TOLL_ERANGE, NULL, 0, -1, low ? "low" : "high", NULL, 0,
        "the interval%s%s: the %s bound of the total, %.17g%s, is beyond "
        "2^53 (9007199254740992), where sums of counts stop being exact",
        row[0] ? " of " : "", row, low ? "low" : "high",
        low ? gr->lo : gr->hi,
        gr->overflow && !low ? " (an open high capped at open_cap x low)"
                             : "");
}

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
        st = toll__iv_simulate(iv, g, stream, out);
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

void toll__row_keys_text(const toll_table *t, size_t nkeys, size_t row,
                         char *buf, size_t size)
{
    size_t n = 0;
    if (!size)
        return;
    buf[0] = '\0';
    if (!nkeys) {
        snprintf(buf, size, "all rows");
        return;
    }
    for (size_t k = 0; k < nkeys && n + 1 < size; k++) {
        const toll__column *c = &t->cols[k];
        const char *s = "";
        if (c->type == TOLL_COL_STRING && c->data) {
            uint32_t code = ((const uint32_t *)c->data)[row];
            if (code < c->ndict && c->dict[code])
                s = c->dict[code];
        }
        int w = snprintf(buf + n, size - n, "%s%s=%s", k ? ", " : "",
                         c->name ? c->name : "", s);
        if (w < 0)
            break;
        n += (size_t)w < size - n ? (size_t)w : size - n - 1;
    }
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
        char keys[200];
        toll__row_keys_text(t, nkeys, row, keys, sizeof keys);
        st = check_bounds(iv, group, keys, &iv->err);
        if (!st)
            st = group_interval(iv, group, row_stream(t, nkeys, row), q,
                                &used, &iv->err);
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
                                    best ? best[i] : NAN, sh, op)))
            toll__nomem(err); /* group 0: only ENOMEM */
    }
    if (!st && iv->ngroups)
        st = check_bounds(iv, 0, "", err);
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
