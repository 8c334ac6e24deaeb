/*
 * src/stats/lcmcr.c - latent-class Bayesian multiple systems estimation
 * (LCMCR; Manrique-Vallier 2016, Biometrics 72(4)): a Dirichlet-process
 * mixture of independent-Bernoulli latent classes, truncated to K*
 * classes by stick-breaking, sampled by data-augmented Gibbs.
 *
 * The individuals of one capture pattern are exchangeable, so the sampler
 * keeps, per pattern, only how many of them are in each class (a
 * multinomial draw), and only the per-class sums the other updates need:
 * class sizes n_k and per-class captures s_jk.  One iteration:
 *
 *   1. classes of the observed: for each pattern p with count c_p,
 *      (m_p1..m_pK) ~ Multinomial(c_p; pi_k prod_j lambda_jk^x_pj
 *                                        (1 - lambda_jk)^(1 - x_pj))
 *   2. the unobserved: with p0 = sum_k pi_k prod_j (1 - lambda_jk),
 *      n0 ~ NegBin(n, 1 - p0) (failures before n successes; the prior
 *      on N is 1/N), drawn as Poisson(Gamma(n, p0 / (1 - p0))) and cut
 *      at TOLL_MSE_LCMCR_N0_CAP, and their classes ~ Multinomial(n0;
 *      pi_k prod_j (1 - lambda_jk))
 *   3. lambda_jk ~ Beta(1 + s_jk, 1 + n_k - s_jk)
 *   4. nu_k ~ Beta(1 + n_k, alpha + sum_{l>k} n_l), k < K*, nu_K* = 1,
 *      drawn in logarithms (1 - nu_k may be far below the precision of
 *      nu_k); pi_k = nu_k prod_{l<k} (1 - nu_l)
 *   5. alpha ~ Gamma(a + K* - 1, rate b - sum_{k<K*} log(1 - nu_k))
 *
 * and N = n + n0 is kept every `thin` iterations after the burn-in.
 * Chains run on POSIX threads, each with its own GSL generator (taus2)
 * seeded from (seed, stratum, chain), so the draws never depend on
 * scheduling.
 * Summaries: quantiles of the pooled draws, the multi-chain effective
 * sample size and split-R-hat of Vehtari et al. (2021) (without rank
 * normalisation).  Method notes: docs/mse.md.
 */
#include "stats/mse.h"

#include <gsl/gsl_fft_complex.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <float.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define MAX_KSTAR 1000
#define MAX_CHAINS 64
#define MAX_THREADS 64
/* Largest observed count of a stratum: class counts are unsigned int
 * (GSL's binomial), and n + n0 must fit. */
#define MAX_OBSERVED ((int64_t)1 << 31)
#define RHAT_LIMIT 1.05
#define ESS_LIMIT 400.0

struct toll_mse_lcmcr_result {
    toll_allocator alloc;
    toll_mse_lcmcr_options opts;
    size_t nparts, chains, samples;
    double *draws;                /* nparts * chains * samples */
    toll_mse_lcmcr_summary *sum;  /* nparts */
};

void toll_mse_lcmcr_options_init(toll_mse_lcmcr_options *o)
{
    if (!o)
        return;
    o->kstar = 10;
    o->burnin = 10000;
    o->samples = 1000;
    o->thin = 100;
    o->chains = 4;
    o->seed = 1;
    o->threads = 0;
    o->level = 0.95;
    o->alpha_shape = 0.25;
    o->alpha_rate = 0.25;
}

toll_status toll__mse_bad_opt(toll_error *err, const char *field,
                              const char *text, const char *what)
{
    return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, field, text,
                        strlen(text), "%s must be %s, not %s", field, what,
                        text);
}

static toll_status check_opts(const toll_mse_lcmcr_options *o,
                              toll_error *err)
{
    char t[64];
    if (o->kstar < 2 || o->kstar > MAX_KSTAR) {
        snprintf(t, sizeof t, "%d", o->kstar);
        return toll__mse_bad_opt(err, "kstar", t, "2 to 1000 latent classes");
    }
    if (o->samples < 2) {
        snprintf(t, sizeof t, "%zu", o->samples);
        return toll__mse_bad_opt(err, "samples", t, "at least 2");
    }
    if (o->thin < 1) {
        snprintf(t, sizeof t, "%zu", o->thin);
        return toll__mse_bad_opt(err, "thin", t, "at least 1");
    }
    if (o->chains < 1 || o->chains > MAX_CHAINS) {
        snprintf(t, sizeof t, "%d", o->chains);
        return toll__mse_bad_opt(err, "chains", t, "1 to 64");
    }
    if (o->threads < 0 || o->threads > MAX_THREADS) {
        snprintf(t, sizeof t, "%d", o->threads);
        return toll__mse_bad_opt(err, "threads", t, "0 (one per chain) to 64");
    }
    if (!(o->level > 0.0 && o->level < 1.0)) {
        snprintf(t, sizeof t, "%g", o->level);
        return toll__mse_bad_opt(err, "level", t, "between 0 and 1");
    }
    if (!(o->alpha_shape > 0.0 && isfinite(o->alpha_shape))) {
        snprintf(t, sizeof t, "%g", o->alpha_shape);
        return toll__mse_bad_opt(err, "alpha_shape", t, "a positive number");
    }
    if (!(o->alpha_rate > 0.0 && isfinite(o->alpha_rate))) {
        snprintf(t, sizeof t, "%g", o->alpha_rate);
        return toll__mse_bad_opt(err, "alpha_rate", t, "a positive number");
    }
    if (o->samples > (SIZE_MAX - o->burnin) / o->thin ||
        o->samples > SIZE_MAX / sizeof(double) / (MAX_CHAINS + 16)) {
        snprintf(t, sizeof t, "%zu", o->samples);
        return toll__mse_bad_opt(err, "samples", t,
                       "small enough that burnin + samples x thin fits");
    }
    return TOLL_OK;
}

/* ---- one chain ------------------------------------------------------------ */

/* The observed patterns of one stratum. */
typedef struct lc_input {
    size_t stratum;
    int J;               /* lists */
    size_t npat;         /* patterns with a non-zero count */
    unsigned *mask;      /* npat capture patterns */
    unsigned *count;     /* npat counts */
    double n;            /* observed */
    double rate[TOLL_MSE_MAX_LISTS]; /* share of the observed on list j,
                                        in (0, 1) */
} lc_input;

typedef struct lc_job {
    const lc_input *in;
    const toll_mse_lcmcr_options *o;
    uint64_t seed;
    double *out;         /* o->samples draws of N */
    /* workspace, allocated before the threads start */
    double *lam, *oml;   /* K* x J: lambda_jk and 1 - lambda_jk */
    double *pi, *w;      /* K* */
    unsigned *cnt;       /* K* */
    int *order;          /* K*: the classes by decreasing weight pi_k */
    double *tab;         /* K* x 2^J: pi_k P(pattern m | class k) */
    uint64_t *nk, *sk;   /* K*; K* x J */
    int capped;
    int failed;          /* the generator could not be allocated */
} lc_job;

static uint64_t splitmix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ull;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

uint64_t toll__mse_stream_seed(uint64_t seed, size_t stratum, size_t chain)
{
    return splitmix64(seed ^ splitmix64(splitmix64((uint64_t)stratum) ^
                                        ((uint64_t)chain << 1 | 1u)));
}

/* The logarithm of a Gamma(a, 1) draw, also where the draw itself would
 * underflow: for a < 1, Gamma(a) = Gamma(1 + a) U^(1/a). */
static double log_gamma_draw(gsl_rng *r, double a)
{
    if (a >= 1.0)
        return log(gsl_ran_gamma(r, a, 1.0));
    return log(gsl_ran_gamma(r, 1.0 + a, 1.0)) +
           log(gsl_rng_uniform_pos(r)) / a;
}

/* Multinomial(n; w / tot) into cnt[0..K): binomials in class order, the
 * remainder to the last class of positive weight. */
static void multinomial(gsl_rng *r, unsigned n, const double *w, double tot,
                        int K, unsigned *cnt)
{
    int last = -1;
    for (int k = 0; k < K; k++) {
        cnt[k] = 0;
        if (w[k] > 0.0)
            last = k;
    }
    if (last < 0 || !(tot > 0.0)) {
        cnt[0] = n; /* not reached: some class always has weight */
        return;
    }
    for (int k = 0; k < last && n > 0; k++) {
        if (w[k] > 0.0) {
            double p = w[k] / tot;
            unsigned c = p >= 1.0 ? n : gsl_ran_binomial(r, p, n);
            cnt[k] = c;
            n -= c;
        }
        tot -= w[k];
        if (!(tot > 0.0))
            tot = w[last];
    }
    cnt[last] += n;
}

static void run_chain(lc_job *jb)
{
    const lc_input *in = jb->in;
    const toll_mse_lcmcr_options *o = jb->o;
    const int K = o->kstar, J = in->J;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
    if (!r) {
        jb->failed = 1;
        return;
    }
    gsl_rng_set(r, (unsigned long)(jb->seed & 0xffffffffu));
    double *lam = jb->lam, *oml = jb->oml, *pi = jb->pi, *w = jb->w;
    unsigned *cnt = jb->cnt;
    int *order = jb->order;
    double *tab = jb->tab;
    const size_t ncells = (size_t)1 << J;
    uint64_t *nk = jb->nk, *sk = jb->sk;
    const double n = in->n;
    const unsigned nobs = (unsigned)in->n;

    /* start: alpha = 1, stick-breaking weights from their prior, every
     * class capturing at each list's observed rate (the share of the
     * observed that it records) */
    double alpha = 1.0, rest = 1.0;
    for (int k = 0; k < K; k++) {
        order[k] = k;
        double nu = k < K - 1 ? gsl_ran_beta(r, 1.0, alpha) : 1.0;
        pi[k] = rest * nu;
        rest *= 1.0 - nu;
        for (int j = 0; j < J; j++) {
            lam[k * J + j] = in->rate[j];
            oml[k * J + j] = 1.0 - in->rate[j];
        }
    }
    size_t total = o->burnin + o->samples * o->thin, kept = 0;
    for (size_t it = 1; it <= total; it++) {
        for (int k = 0; k < K; k++)
            nk[k] = 0;
        for (int kj = 0; kj < K * J; kj++)
            sk[kj] = 0;
        /* the multinomials visit the classes by decreasing weight, so
         * that the count is used up before the nearly empty classes
         * (insertion sort from the last order: it changes little) */
        for (int i = 1; i < K; i++) {
            int c = order[i], at = i;
            while (at > 0 && pi[order[at - 1]] < pi[c]) {
                order[at] = order[at - 1];
                at--;
            }
            order[at] = c;
        }
        /* the weight of every pattern in every class, pi_k prod_j
         * lambda_jk^x_j (1 - lambda_jk)^(1 - x_j): from the unobserved
         * pattern's, one list at a time (a pattern is the one without its
         * lowest list, times that list's odds) */
        for (int k = 0; k < K; k++) {
            double *tk = tab + (size_t)k * ncells, odds[TOLL_MSE_MAX_LISTS];
            double v = pi[k];
            for (int j = 0; j < J; j++) {
                v *= oml[k * J + j];
                odds[j] = lam[k * J + j] / oml[k * J + j];
            }
            tk[0] = v;
            for (size_t m = 1; m < ncells; m++) {
                int low = __builtin_ctz((unsigned)m);
                tk[m] = tk[m & (m - 1)] * odds[low];
            }
        }
        /* 1. classes of the observed, pattern by pattern (w, cnt are
         * indexed in visiting order) */
        for (size_t p = 0; p < in->npat; p++) {
            unsigned m = in->mask[p];
            double tot = 0.0;
            for (int i = 0; i < K; i++) {
                double v = tab[(size_t)order[i] * ncells + m];
                w[i] = v;
                tot += v;
            }
            multinomial(r, in->count[p], w, tot, K, cnt);
            for (int i = 0; i < K; i++) {
                if (!cnt[i])
                    continue;
                int k = order[i];
                nk[k] += cnt[i];
                for (int j = 0; j < J; j++)
                    if ((m >> j) & 1u)
                        sk[k * J + j] += cnt[i];
            }
        }
        /* 2. the unobserved count and its classes */
        double p0 = 0.0;
        for (int i = 0; i < K; i++) {
            double v = tab[(size_t)order[i] * ncells];
            w[i] = v;
            p0 += v;
        }
        unsigned n0 = 0;
        if (p0 > 0.0) {
            double g = p0 < 1.0 ? gsl_ran_gamma(r, n, p0 / (1.0 - p0))
                                : INFINITY;
            if (!(g <= TOLL_MSE_LCMCR_N0_CAP)) {
                n0 = (unsigned)TOLL_MSE_LCMCR_N0_CAP;
                jb->capped = 1;
            } else {
                double x = (double)gsl_ran_poisson(r, g);
                if (x > TOLL_MSE_LCMCR_N0_CAP) {
                    x = TOLL_MSE_LCMCR_N0_CAP;
                    jb->capped = 1;
                }
                n0 = (unsigned)x;
            }
            if (n0) {
                multinomial(r, n0, w, p0, K, cnt);
                for (int i = 0; i < K; i++)
                    nk[order[i]] += cnt[i];
            }
        }
        /* 3. capture probabilities; an empty class draws from the prior
         * Beta(1, 1), the uniform distribution, directly */
        for (int k = 0; k < K; k++)
            for (int j = 0; j < J; j++) {
                double s = (double)sk[k * J + j];
                double l = nk[k] ? gsl_ran_beta(r, 1.0 + s,
                                                1.0 + (double)nk[k] - s)
                                 : gsl_rng_uniform_pos(r);
                /* 1 - lambda > 0, so that the odds are finite */
                if (l > 1.0 - 1e-12)
                    l = 1.0 - 1e-12;
                lam[k * J + j] = l;
                oml[k * J + j] = 1.0 - l;
            }
        /* 4. stick-breaking weights */
        uint64_t tail = nobs + (uint64_t)n0;
        double slog = 0.0;
        rest = 1.0;
        for (int k = 0; k < K - 1; k++) {
            tail -= nk[k];
            double b = alpha + (double)tail, nu, lg;
            if (nk[k]) {
                /* Beta(1 + n_k, b) as G1 / (G1 + G2) in logarithms: with
                 * b small (alpha small, no later individual) 1 - nu is
                 * far below the precision of nu itself */
                double l1 = log_gamma_draw(r, 1.0 + (double)nk[k]);
                double l2 = log_gamma_draw(r, b);
                double mx = l1 > l2 ? l1 : l2;
                double ls = mx + log(exp(l1 - mx) + exp(l2 - mx));
                nu = exp(l1 - ls);
                lg = l2 - ls;
            } else {
                /* an empty class: Beta(1, b) by inversion, 1 - U^(1/b),
                 * whose log(1 - nu) is log(U) / b exactly */
                lg = log(gsl_rng_uniform_pos(r)) / b;
                nu = -expm1(lg);
            }
            slog += lg;
            pi[k] = rest * nu;
            rest *= exp(lg);
        }
        pi[K - 1] = rest;
        /* 5. the concentration */
        alpha = gsl_ran_gamma(r, o->alpha_shape + (double)(K - 1),
                              1.0 / (o->alpha_rate - slog));
        if (!(alpha >= DBL_MIN))
            alpha = DBL_MIN;
        if (it > o->burnin && (it - o->burnin) % o->thin == 0)
            jb->out[kept++] = n + (double)n0;
    }
    gsl_rng_free(r);
}

static void *chain_thread(void *arg);

typedef struct lc_pool {
    lc_job *jobs;
    size_t njobs, nthreads;
} lc_pool;

typedef struct lc_worker {
    lc_pool *pool;
    size_t first;
    pthread_t tid;
    int started;
} lc_worker;

/* Worker t runs jobs t, t + T, t + 2T, ...: each job's draws depend only
 * on its seed, so any assignment gives the same numbers. */
static void *chain_thread(void *arg)
{
    lc_worker *wk = arg;
    for (size_t i = wk->first; i < wk->pool->njobs;
         i += wk->pool->nthreads)
        run_chain(&wk->pool->jobs[i]);
    return NULL;
}

/* ---- summaries ------------------------------------------------------------ */

/* Mean and variance (n - 1 denominator) of x[0..n). */
static void mean_var(const double *x, size_t n, double *mean, double *var)
{
    *mean = gsl_stats_mean(x, 1, n);
    *var = n > 1 ? gsl_stats_variance_m(x, 1, n, *mean) : 0.0;
}

/* Split-R-hat of M chains of n draws (chain c at x + c * n). */
static double split_rhat(const double *x, size_t M, size_t n)
{
    size_t h = n / 2, m = 2 * M;
    double W = 0.0, mm = 0.0, B = 0.0;
    double means[2 * MAX_CHAINS];
    for (size_t c = 0; c < M; c++)
        for (size_t half = 0; half < 2; half++) {
            const double *seg = x + c * n + (half ? n - h : 0);
            double mu, v;
            mean_var(seg, h, &mu, &v);
            means[2 * c + half] = mu;
            W += v;
            mm += mu;
        }
    W /= (double)m;
    mm /= (double)m;
    for (size_t i = 0; i < m; i++)
        B += (means[i] - mm) * (means[i] - mm);
    B = B / (double)(m - 1); /* B / h in the usual notation */
    double vplus = (double)(h - 1) / (double)h * W + B;
    if (!(W > 0.0))
        return B > 0.0 ? INFINITY : 1.0;
    return sqrt(vplus / W);
}

/* The smallest power of two >= 2n: the length of the zero-padded
 * transform whose circular correlation is the linear one. */
static size_t fft_len(size_t n)
{
    size_t L = 1;
    while (L < 2 * n)
        L *= 2;
    return L;
}

/* Effective sample size of M chains of n draws: Geyer's initial
 * monotone sequence on the multi-chain autocorrelations
 * rho_t = 1 - (W - mean_c acov_c(t)) / var+, the autocovariances by FFT
 * (O(n log n) per chain, however slowly the chains mix).  `acov` holds
 * n doubles and `fft` 2 fft_len(n). */
static double ess(const double *x, size_t M, size_t n, double *acov,
                  double *fft)
{
    double means[MAX_CHAINS], W = 0.0, mm = 0.0, B = 0.0;
    for (size_t c = 0; c < M; c++) {
        double v;
        mean_var(x + c * n, n, &means[c], &v);
        W += v;
        mm += means[c];
    }
    W /= (double)M;
    mm /= (double)M;
    if (M > 1) {
        for (size_t c = 0; c < M; c++)
            B += (means[c] - mm) * (means[c] - mm);
        B /= (double)(M - 1);
    }
    double vplus = (double)(n - 1) / (double)n * W + B;
    double total = (double)M * (double)n;
    if (!(vplus > 0.0) || !(W > 0.0))
        return total;
    size_t L = fft_len(n);
    for (size_t t = 0; t < n; t++)
        acov[t] = 0.0;
    for (size_t c = 0; c < M; c++) {
        const double *y = x + c * n;
        for (size_t i = 0; i < L; i++) {
            fft[2 * i] = i < n ? y[i] - means[c] : 0.0;
            fft[2 * i + 1] = 0.0;
        }
        gsl_fft_complex_radix2_forward(fft, 1, L);
        for (size_t i = 0; i < L; i++) {
            double re = fft[2 * i], im = fft[2 * i + 1];
            fft[2 * i] = re * re + im * im;
            fft[2 * i + 1] = 0.0;
        }
        gsl_fft_complex_radix2_inverse(fft, 1, L);
        for (size_t t = 0; t < n; t++)
            acov[t] += fft[2 * t] / (double)n / (double)M;
    }
    double sum = 0.0, prev = INFINITY;
    for (size_t t = 0; t + 1 < n; t += 2) {
        double r0 = t == 0 ? 1.0 : 1.0 - (W - acov[t]) / vplus;
        double r1 = 1.0 - (W - acov[t + 1]) / vplus;
        double P = r0 + r1;
        if (!(P > 0.0))
            break;
        if (P > prev)
            P = prev;
        sum += P;
        prev = P;
    }
    double tau = -1.0 + 2.0 * sum;
    double cap = total * log10(total);
    if (!(tau > 0.0) || total / tau > cap)
        return cap;
    return total / tau;
}

static void warn(toll_mse_lcmcr_summary *s, unsigned flag, const char *fmt,
                 ...) __attribute__((format(printf, 3, 4)));

static void warn(toll_mse_lcmcr_summary *s, unsigned flag, const char *fmt,
                 ...)
{
    s->warnings |= flag;
    size_t len = strlen(s->warning);
    if (len + 3 >= sizeof s->warning)
        return;
    if (len) {
        memcpy(s->warning + len, "; ", 3);
        len += 2;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(s->warning + len, sizeof s->warning - len, fmt, ap);
    va_end(ap);
}

/* Summarise the chains x (M x n) into s; scratch: `sorted` M n doubles,
 * `acov` n and `fft` 2 fft_len(n). */
static void summarise(const double *x, size_t M, size_t n, double level,
                      double *sorted, double *acov, double *fft,
                      toll_mse_lcmcr_summary *s)
{
    size_t N = M * n;
    memcpy(sorted, x, N * sizeof *x);
    gsl_sort(sorted, 1, N);
    s->level = level;
    s->median = gsl_stats_quantile_from_sorted_data(sorted, 1, N, 0.5);
    s->lo = gsl_stats_quantile_from_sorted_data(sorted, 1, N,
                                                (1.0 - level) / 2.0);
    s->hi = gsl_stats_quantile_from_sorted_data(sorted, 1, N,
                                                (1.0 + level) / 2.0);
    s->mean = gsl_stats_mean(x, 1, N);
    s->ess = ess(x, M, n, acov, fft);
    s->rhat = split_rhat(x, M, n);
    if (s->rhat > RHAT_LIMIT)
        warn(s, TOLL_MSE_LCMCR_W_RHAT,
             "split-R-hat %.3g > 1.05: the chains disagree (more burn-in "
             "or samples)", s->rhat);
    if (s->ess < ESS_LIMIT)
        warn(s, TOLL_MSE_LCMCR_W_ESS,
             "effective sample size %.0f < 400 (more samples or thinning)",
             s->ess);
}

/* ---- the estimator -------------------------------------------------------- */

static void free_inputs(const toll_allocator *a, lc_input *in, size_t n,
                        unsigned ncells)
{
    if (!in)
        return;
    for (size_t i = 0; i < n; i++) {
        if (in[i].mask)
            toll__free(a, in[i].mask, ncells * sizeof *in[i].mask);
        if (in[i].count)
            toll__free(a, in[i].count, ncells * sizeof *in[i].count);
    }
    toll__free(a, in, n * sizeof *in);
}

static void stratum_prefix(const toll_mse_data *d, size_t s, int many,
                           char *buf, size_t size)
{
    if (many)
        snprintf(buf, size, "stratum '%s': ", d->strata[s]);
    else
        buf[0] = '\0';
}

static toll_status make_input(const toll_mse_data *d, size_t s, int many,
                              lc_input *in, toll_error *err)
{
    const int64_t *row = d->counts + s * d->ncells;
    char pre[160];
    stratum_prefix(d, s, many, pre, sizeof pre);
    in->stratum = s;
    in->J = d->K;
    int64_t obs = 0, onlist[TOLL_MSE_MAX_LISTS] = {0};
    for (unsigned p = 1; p < d->ncells; p++) {
        obs += row[p];
        for (int j = 0; j < d->K; j++)
            if ((p >> j) & 1u)
                onlist[j] += row[p];
    }
    if (obs == 0)
        return toll__err(err, TOLL_EMODEL, "%sLCMCR: no individual is "
                         "observed", pre);
    for (int j = 0; j < d->K; j++)
        if (onlist[j] == 0)
            return toll__err(err, TOLL_EMODEL, "%sLCMCR: list '%s' records "
                             "no one (every capture history has 0 for it)",
                             pre, d->names[j]);
    if (obs > MAX_OBSERVED)
        return toll__err(err, TOLL_EMODEL, "%sLCMCR: %lld observed, more "
                         "than the 2^31 the sampler counts", pre,
                         (long long)obs);
    in->n = (double)obs;
    for (int j = 0; j < d->K; j++) {
        /* a list that records everyone starts just below 1 */
        double f = (double)onlist[j] / (double)obs;
        in->rate[j] = f < 0.99 ? f : 0.99;
    }
    for (unsigned p = 1; p < d->ncells; p++)
        if (row[p] > 0) {
            in->mask[in->npat] = p;
            in->count[in->npat] = (unsigned)row[p];
            in->npat++;
        }
    return TOLL_OK;
}

size_t toll__mse_cpus_online(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : (size_t)n;
}

toll_status toll_mse_lcmcr(const toll_mse_data *d, size_t stratum,
                           const toll_mse_lcmcr_options *opts,
                           const toll_allocator *alloc,
                           toll_mse_lcmcr_result **out, toll_error *err)
{
    if (out)
        *out = NULL;
    if (!out)
        return toll__err(err, TOLL_EINVAL, "toll_mse_lcmcr: out is NULL");
    toll_status st = toll_mse_data_check_overlap(d, stratum, err);
    if (st)
        return st;
    toll_mse_lcmcr_options o;
    if (opts)
        o = *opts;
    else
        toll_mse_lcmcr_options_init(&o);
    if ((st = check_opts(&o, err)))
        return st;

    const toll_allocator *ta = &d->alloc;
    int many = stratum == TOLL_MSE_TOTAL && d->nstrata > 1;
    size_t nin = stratum == TOLL_MSE_TOTAL ? d->nstrata : 1;
    size_t M = (size_t)o.chains, n = o.samples, K = (size_t)o.kstar;
    size_t J = (size_t)d->K;
    size_t nparts = many ? nin + 1 : 1;
    size_t njobs = nin * M;
    lc_input *in = NULL;
    lc_job *jobs = NULL;
    lc_worker *wk = NULL;
    double *work = NULL, *sorted = NULL;
    size_t work_len = 0, nthreads = 0, scratch = 0;
    toll_mse_lcmcr_result *res = NULL;

    if (!(in = toll__calloc(ta, nin, sizeof *in)))
        goto nomem;
    for (size_t i = 0; i < nin; i++) {
        in[i].mask = toll__alloc(ta, d->ncells * sizeof *in[i].mask);
        in[i].count = toll__alloc(ta, d->ncells * sizeof *in[i].count);
        if (!in[i].mask || !in[i].count)
            goto nomem;
        size_t s = stratum == TOLL_MSE_TOTAL ? i : stratum;
        if ((st = make_input(d, s, many, &in[i], err)))
            goto cleanup;
    }

    const toll_allocator *ra = alloc ? alloc : &d->alloc;
    if (!(res = toll__calloc(ra, 1, sizeof *res)))
        goto nomem;
    toll__alloc_init(&res->alloc, ra);
    res->opts = o;
    res->nparts = nparts;
    res->chains = M;
    res->samples = n;
    if (nparts > SIZE_MAX / sizeof *res->draws / M / (n + 4))
        goto nomem; /* the draws (and the summaries' scratch) would not fit */
    if (!(res->draws = toll__alloc(ra, nparts * M * n * sizeof *res->draws)) ||
        !(res->sum = toll__calloc(ra, nparts, sizeof *res->sum)))
        goto nomem;

    /* workspace of every chain: lam, oml (K J), pi, w (K) as doubles;
     * cnt, order (K) unsigned and int; nk (K), sk (K J) uint64; tab
     * (K 2^J) doubles */
    size_t per = 2 * K * J + 2 * K + K + K + K + K * J +
                 K * (size_t)d->ncells; /* 8-byte slots */
    work_len = njobs * per;
    if (!(work = toll__alloc(ta, work_len * sizeof *work)) ||
        !(jobs = toll__calloc(ta, njobs, sizeof *jobs)))
        goto nomem;
    for (size_t i = 0; i < nin; i++)
        for (size_t c = 0; c < M; c++) {
            lc_job *jb = &jobs[i * M + c];
            double *base = work + (i * M + c) * per;
            jb->in = &in[i];
            jb->o = &res->opts;
            jb->seed = toll__mse_stream_seed(o.seed, in[i].stratum, c);
            jb->out = res->draws + (i * M + c) * n;
            jb->lam = base;
            jb->oml = base + K * J;
            jb->pi = base + 2 * K * J;
            jb->w = jb->pi + K;
            jb->cnt = (unsigned *)(void *)(jb->w + K);
            jb->order = (int *)(void *)(jb->w + 2 * K);
            jb->nk = (uint64_t *)(void *)(jb->w + 3 * K);
            jb->sk = jb->nk + K;
            jb->tab = (double *)(void *)(jb->sk + K * J);
        }

    nthreads = o.threads > 0 ? (size_t)o.threads : toll__mse_cpus_online();
    if (nthreads > njobs)
        nthreads = njobs;
    if (!(wk = toll__calloc(ta, nthreads, sizeof *wk)))
        goto nomem;
    lc_pool pool = {jobs, njobs, nthreads};
    for (size_t t = 0; t < nthreads; t++) {
        wk[t].pool = &pool;
        wk[t].first = t;
    }
    for (size_t t = 1; t < nthreads; t++)
        wk[t].started =
            pthread_create(&wk[t].tid, NULL, chain_thread, &wk[t]) == 0;
    /* a worker that could not be started: its jobs run here */
    for (size_t t = 0; t < nthreads; t++)
        if (t == 0 || !wk[t].started)
            chain_thread(&wk[t]);
    for (size_t t = 1; t < nthreads; t++)
        if (wk[t].started)
            pthread_join(wk[t].tid, NULL);
    for (size_t i = 0; i < njobs; i++)
        if (jobs[i].failed)
            goto nomem;

    /* the total: draw-by-draw sums of the strata */
    if (many) {
        double *tot = res->draws + nin * M * n;
        for (size_t k = 0; k < M * n; k++) {
            double v = 0.0;
            for (size_t i = 0; i < nin; i++)
                v += res->draws[i * M * n + k];
            tot[k] = v;
        }
    }
    scratch = M * n + n + 2 * fft_len(n);
    if (!(sorted = toll__alloc(ta, scratch * sizeof *sorted)))
        goto nomem;
    for (size_t part = 0; part < nparts; part++) {
        toll_mse_lcmcr_summary *s = &res->sum[part];
        int capped = 0;
        if (part < nin) {
            s->stratum = stratum == TOLL_MSE_TOTAL && !many ? TOLL_MSE_TOTAL
                                                            : in[part].stratum;
            s->observed = in[part].n;
            for (size_t c = 0; c < M; c++)
                capped |= jobs[part * M + c].capped;
        } else {
            s->stratum = TOLL_MSE_TOTAL;
            for (size_t i = 0; i < nin; i++)
                s->observed += in[i].n;
        }
        summarise(res->draws + part * M * n, M, n, o.level, sorted,
                  sorted + M * n, sorted + M * n + n, s);
        if (capped)
            warn(s, TOLL_MSE_LCMCR_W_CAP,
                 "the unobserved count reached its cap of 10^9: the lists "
                 "hardly overlap");
        char iso[320];
        if (part < nin && toll__mse_isolated_text(d, s->stratum, iso,
                                                  sizeof iso))
            warn(s, TOLL_MSE_LCMCR_W_ISOLATED, "%s", iso);
        if (part == nin) {
            size_t nw = 0;
            for (size_t i = 0; i < nin; i++)
                nw += res->sum[i].warnings != 0;
            if (nw)
                warn(s, TOLL_MSE_LCMCR_W_STRATA,
                     "%zu strat%s with warnings (on their rows)", nw,
                     nw == 1 ? "um" : "a");
        }
    }
    *out = res;
    res = NULL;
    st = TOLL_OK;
    goto cleanup;
nomem:
    st = toll__nomem(err);
cleanup:
    if (sorted)
        toll__free(ta, sorted, scratch * sizeof *sorted);
    if (wk)
        toll__free(ta, wk, nthreads * sizeof *wk);
    if (jobs)
        toll__free(ta, jobs, njobs * sizeof *jobs);
    if (work)
        toll__free(ta, work, work_len * sizeof *work);
    free_inputs(ta, in, nin, d->ncells);
    toll_mse_lcmcr_free(res);
    return st;
}

void toll_mse_lcmcr_free(toll_mse_lcmcr_result *r)
{
    if (!r)
        return;
    toll_allocator a = r->alloc;
    if (r->draws)
        toll__free(&a, r->draws,
                   r->nparts * r->chains * r->samples * sizeof *r->draws);
    if (r->sum)
        toll__free(&a, r->sum, r->nparts * sizeof *r->sum);
    toll__free(&a, r, sizeof *r);
}

size_t toll_mse_lcmcr_parts(const toll_mse_lcmcr_result *r)
{
    return r ? r->nparts : 0;
}

size_t toll_mse_lcmcr_chains(const toll_mse_lcmcr_result *r)
{
    return r ? r->chains : 0;
}

size_t toll_mse_lcmcr_samples(const toll_mse_lcmcr_result *r)
{
    return r ? r->samples : 0;
}

const toll_mse_lcmcr_options *
toll_mse_lcmcr_options_used(const toll_mse_lcmcr_result *r)
{
    return r ? &r->opts : NULL;
}

const toll_mse_lcmcr_summary *
toll_mse_lcmcr_summary_get(const toll_mse_lcmcr_result *r, size_t part)
{
    return r && part < r->nparts ? &r->sum[part] : NULL;
}

const double *toll_mse_lcmcr_draws(const toll_mse_lcmcr_result *r,
                                   size_t part, size_t chain)
{
    if (!r || part >= r->nparts || chain >= r->chains)
        return NULL;
    return r->draws + (part * r->chains + chain) * r->samples;
}
