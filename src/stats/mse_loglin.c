/*
 * src/stats/mse_loglin.c - Poisson log-linear models for multiple systems
 * estimation: IRLS fits on the observed cells (GSL QR), the multinomial
 * profile likelihood for N (GSL Brent root finding), and the search over
 * all two-way models with AIC/BIC model averaging.  docs/mse.md has the
 * formulas and references.
 *
 * No GSL call here can reach the GSL error handler on valid input: sizes
 * are consistent by construction, triangular factors are checked for
 * (near-)zero diagonals before they are inverted, and root brackets are
 * checked before gsl_root_fsolver_set.  Every GSL status is still checked.
 * No GSL function that allocates is used: matrices are views on memory
 * from the data set's allocator, and the Brent solver's state is
 * allocated there too.
 */
#include "stats/mse.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_roots.h>
#include <gsl/gsl_sf_gamma.h>
#include <gsl/gsl_sf_psi.h>

/* A fitted count below this, in a cell with count 0, means the fit is
 * running off to the boundary: the MLE does not exist. */
#define BOUNDARY_MU 1e-8
/* Relative size of an R diagonal element below which the design is
 * taken to be rank deficient. */
#define RANK_TOL 1e-10
/* An estimate of the unobserved count beyond this is treated as
 * unbounded. */
#define MU0_MAX 1e15

/* ---- workspace -------------------------------------------------------------- */

typedef struct fitws {
    const toll_allocator *a;
    int K;
    size_t ncell;   /* 2^K rows of the complete table */
    size_t p;       /* parameters */
    double *X;      /* ncell x p design, row c = cell c */
    const double *off; /* offset of each row (NULL: none; general fits) */
    double *A;      /* ncell x p weighted design / QR */
    double *y, *mu, *eta, *z, *resid;
    double *tau, *beta, *beta_new, *beta_hat, *cov;
    void *brent;    /* Brent solver state */
    size_t brent_size;
} fitws;

static void ws_free(fitws *w)
{
    const toll_allocator *a = w->a;
    if (!a)
        return;
    size_t n = w->ncell, p = w->p;
    toll__free(a, w->X, n * p * sizeof(double));
    toll__free(a, w->A, n * p * sizeof(double));
    toll__free(a, w->y, n * sizeof(double));
    toll__free(a, w->mu, n * sizeof(double));
    toll__free(a, w->eta, n * sizeof(double));
    toll__free(a, w->z, n * sizeof(double));
    toll__free(a, w->resid, n * sizeof(double));
    toll__free(a, w->tau, p * sizeof(double));
    toll__free(a, w->beta, p * sizeof(double));
    toll__free(a, w->beta_new, p * sizeof(double));
    toll__free(a, w->beta_hat, p * sizeof(double));
    toll__free(a, w->cov, p * p * sizeof(double));
    toll__free(a, w->brent, w->brent_size);
    memset(w, 0, sizeof *w);
}

static int model_npar(int K, toll_mse_model m)
{
    return 1 + K + __builtin_popcount(m);
}

size_t toll__mse_design_row(int K, toll_mse_model model, unsigned cell,
                            double *x)
{
    /* design: intercept, main effects, interactions in pair-bit order */
    size_t k = 0;
    x[k++] = 1.0;
    for (int j = 0; j < K; j++)
        x[k++] = (double)((cell >> j) & 1u);
    for (int b = 0; b < toll__mse_npairs(K); b++) {
        if (!(model & ((toll_mse_model)1 << b)))
            continue;
        /* decode pair bit b = j(j-1)/2 + i */
        int j = 1;
        while ((j + 1) * j / 2 <= b)
            j++;
        int i = b - j * (j - 1) / 2;
        x[k++] = (double)(((cell >> i) & 1u) & ((cell >> j) & 1u));
    }
    return k;
}

static toll_status ws_init(fitws *w, const toll_allocator *a, int K,
                           toll_mse_model model, toll_error *err)
{
    memset(w, 0, sizeof *w);
    w->a = a;
    w->K = K;
    w->ncell = (size_t)1 << K;
    w->p = (size_t)model_npar(K, model);
    size_t n = w->ncell, p = w->p;
    w->X = toll__alloc(a, n * p * sizeof(double));
    w->A = toll__alloc(a, n * p * sizeof(double));
    w->y = toll__alloc(a, n * sizeof(double));
    w->mu = toll__alloc(a, n * sizeof(double));
    w->eta = toll__alloc(a, n * sizeof(double));
    w->z = toll__alloc(a, n * sizeof(double));
    w->resid = toll__alloc(a, n * sizeof(double));
    w->tau = toll__alloc(a, p * sizeof(double));
    w->beta = toll__alloc(a, p * sizeof(double));
    w->beta_new = toll__alloc(a, p * sizeof(double));
    w->beta_hat = toll__alloc(a, p * sizeof(double));
    w->cov = toll__alloc(a, p * p * sizeof(double));
    if (!w->X || !w->A || !w->y || !w->mu || !w->eta || !w->z || !w->resid ||
        !w->tau || !w->beta || !w->beta_new || !w->beta_hat || !w->cov) {
        ws_free(w);
        return toll__nomem(err);
    }
    for (size_t c = 0; c < n; c++)
        toll__mse_design_row(K, model, (unsigned)c, w->X + c * p);
    return TOLL_OK;
}

/* ---- IRLS ------------------------------------------------------------------ */

static double poisson_dev(const double *y, const double *mu, size_t n)
{
    double d = 0.0;
    for (size_t r = 0; r < n; r++) {
        if (y[r] > 0)
            d += 2.0 * (y[r] * log(y[r] / mu[r]) - (y[r] - mu[r]));
        else
            d += 2.0 * mu[r];
    }
    return d;
}

/* QR-factor sqrt(W) X into w->A (n x p) and check the diagonal of R.
 * Returns TOLL_OK, TOLL_EMODEL (rank deficient) or TOLL_ENUMERIC. */
static toll_status weighted_qr(fitws *w, size_t n, const double *X,
                               const double *wt, int fill_rhs)
{
    size_t p = w->p;
    for (size_t r = 0; r < n; r++) {
        double sw = sqrt(wt[r]);
        const double *x = X + r * p;
        double *arow = w->A + r * p;
        for (size_t k = 0; k < p; k++)
            arow[k] = sw * x[k];
        if (fill_rhs)
            w->z[r] = sw * (w->eta[r] - (w->off ? w->off[r] : 0.0) +
                            (w->y[r] - w->mu[r]) / w->mu[r]);
    }
    gsl_matrix_view Av = gsl_matrix_view_array(w->A, n, p);
    gsl_vector_view tv = gsl_vector_view_array(w->tau, p);
    if (gsl_linalg_QR_decomp(&Av.matrix, &tv.vector) != GSL_SUCCESS)
        return TOLL_ENUMERIC;
    double maxd = 0.0;
    for (size_t k = 0; k < p; k++) {
        double v = fabs(w->A[k * p + k]);
        if (!isfinite(v))
            return TOLL_ENUMERIC;
        if (v > maxd)
            maxd = v;
    }
    if (!(maxd > 0.0))
        return TOLL_EMODEL;
    for (size_t k = 0; k < p; k++)
        if (fabs(w->A[k * p + k]) <= RANK_TOL * maxd)
            return TOLL_EMODEL;
    return TOLL_OK;
}

/* eta = X beta (+ offset), mu = exp(eta); 0 if something overflows. */
static int linpred(fitws *w, size_t n, const double *X, const double *beta)
{
    size_t p = w->p;
    for (size_t r = 0; r < n; r++) {
        double e = w->off ? w->off[r] : 0.0;
        const double *x = X + r * p;
        for (size_t k = 0; k < p; k++)
            e += x[k] * beta[k];
        if (!isfinite(e) || e > 700.0)
            return 0;
        w->eta[r] = e;
        w->mu[r] = exp(e);
    }
    return 1;
}

/*
 * Fit the Poisson model y ~ X (n rows, w->y) by IRLS.  start: 0 = cold
 * (mu = y + 0.5), 1 = from w->beta.  On success w->beta, w->mu, w->eta
 * hold the fit, *dev the deviance and *iters the iterations.  Errors:
 * TOLL_EMODEL (design rank deficient), TOLL_ENUMERIC (no convergence).
 */
static toll_status irls(fitws *w, size_t n, const double *X, int start,
                        const toll_mse_options *o, double *dev, int *iters)
{
    size_t p = w->p;
    int have_beta = 0;
    if (start && linpred(w, n, X, w->beta)) {
        have_beta = 1;
    } else {
        for (size_t r = 0; r < n; r++) {
            w->mu[r] = w->y[r] + 0.5;
            w->eta[r] = log(w->mu[r]);
        }
    }
    double dold = poisson_dev(w->y, w->mu, n);
    /* deviance noise grows with the counts: allow increases this small */
    double ysum = 0.0;
    for (size_t r = 0; r < n; r++)
        ysum += w->y[r];
    double slack = 1e-11 * (1.0 + ysum);
    for (int it = 1; it <= o->max_iter; it++) {
        toll_status st = weighted_qr(w, n, X, w->mu, 1);
        if (st)
            return st;
        gsl_matrix_view Av = gsl_matrix_view_array(w->A, n, p);
        gsl_vector_view tv = gsl_vector_view_array(w->tau, p);
        gsl_vector_view bv = gsl_vector_view_array(w->z, n);
        gsl_vector_view xv = gsl_vector_view_array(w->beta_new, p);
        gsl_vector_view rv = gsl_vector_view_array(w->resid, n);
        if (gsl_linalg_QR_lssolve(&Av.matrix, &tv.vector, &bv.vector,
                                  &xv.vector, &rv.vector) != GSL_SUCCESS)
            return TOLL_ENUMERIC;
        /* size of the full step, for the convergence test */
        double dmax = 0.0, bmax = 0.0;
        if (have_beta)
            for (size_t k = 0; k < p; k++) {
                double dk = fabs(w->beta_new[k] - w->beta[k]);
                if (dk > dmax)
                    dmax = dk;
                if (fabs(w->beta[k]) > bmax)
                    bmax = fabs(w->beta[k]);
            }
        double dnew = INFINITY;
        int accepted = 0;
        for (int half = 0; half < 40; half++) {
            int ok = 1;
            for (size_t k = 0; k < p; k++)
                if (!isfinite(w->beta_new[k]))
                    ok = 0;
            if (ok && linpred(w, n, X, w->beta_new)) {
                dnew = poisson_dev(w->y, w->mu, n);
                if (isfinite(dnew) &&
                    (!have_beta || dnew <= dold * (1.0 + 1e-12) + slack)) {
                    accepted = 1;
                    break;
                }
            }
            if (!have_beta)
                break;
            for (size_t k = 0; k < p; k++)
                w->beta_new[k] = 0.5 * (w->beta_new[k] + w->beta[k]);
        }
        if (!accepted) {
            if (!have_beta)
                return TOLL_ENUMERIC;
            /* no step improves the fit: converged if the full step was
             * negligible, else stuck */
            linpred(w, n, X, w->beta);
            if (dmax <= 1e-8 * (1.0 + bmax)) {
                *dev = dold;
                *iters = it;
                return TOLL_OK;
            }
            return TOLL_ENUMERIC;
        }
        memcpy(w->beta, w->beta_new, p * sizeof(double));
        have_beta = 1;
        *iters = it;
        if (fabs(dnew - dold) / (fabs(dnew) + 0.1) < o->tol ||
            (it > 1 && dmax <= 1e-10 * (1.0 + bmax))) {
            *dev = dnew;
            return TOLL_OK;
        }
        dold = dnew;
    }
    return TOLL_ENUMERIC;
}

/* Covariance (X' W X)^-1 at the current fit into w->cov. */
static toll_status fit_cov(fitws *w, size_t n, const double *X)
{
    size_t p = w->p;
    toll_status st = weighted_qr(w, n, X, w->mu, 0);
    if (st)
        return st;
    gsl_matrix_view Av = gsl_matrix_view_array(w->A, n, p);
    gsl_matrix_view R = gsl_matrix_submatrix(&Av.matrix, 0, 0, p, p);
    if (gsl_linalg_tri_invert(CblasUpper, CblasNonUnit, &R.matrix) !=
        GSL_SUCCESS)
        return TOLL_ENUMERIC;
    /* cov = Rinv Rinv' ; Rinv upper triangular */
    for (size_t i = 0; i < p; i++)
        for (size_t j = i; j < p; j++) {
            double s = 0.0;
            for (size_t k = j; k < p; k++)
                s += w->A[i * p + k] * w->A[j * p + k];
            if (!isfinite(s))
                return TOLL_ENUMERIC;
            w->cov[i * p + j] = w->cov[j * p + i] = s;
        }
    return TOLL_OK;
}

/* ---- general Poisson fits (capture frequencies) --------------------------- */

toll_status toll__mse_poisson_fit(const toll_allocator *a, size_t n, size_t p,
                                  const double *X, const double *off,
                                  const double *y, const toll_mse_options *o,
                                  double *beta, double *cov, double *mu,
                                  double *dev, int *iters)
{
    if (p == 0 || n < p)
        return TOLL_EMODEL;
    fitws w;
    memset(&w, 0, sizeof w);
    w.a = a;
    w.ncell = n;
    w.p = p;
    w.X = toll__alloc(a, n * p * sizeof(double));
    w.A = toll__alloc(a, n * p * sizeof(double));
    w.y = toll__alloc(a, n * sizeof(double));
    w.mu = toll__alloc(a, n * sizeof(double));
    w.eta = toll__alloc(a, n * sizeof(double));
    w.z = toll__alloc(a, n * sizeof(double));
    w.resid = toll__alloc(a, n * sizeof(double));
    w.tau = toll__alloc(a, p * sizeof(double));
    w.beta = toll__alloc(a, p * sizeof(double));
    w.beta_new = toll__alloc(a, p * sizeof(double));
    w.beta_hat = toll__alloc(a, p * sizeof(double));
    w.cov = toll__alloc(a, p * p * sizeof(double));
    if (!w.X || !w.A || !w.y || !w.mu || !w.eta || !w.z || !w.resid ||
        !w.tau || !w.beta || !w.beta_new || !w.beta_hat || !w.cov) {
        ws_free(&w);
        return TOLL_ENOMEM;
    }
    memcpy(w.X, X, n * p * sizeof(double));
    memcpy(w.y, y, n * sizeof(double));
    w.off = off;
    /* the design itself must have full rank */
    for (size_t r = 0; r < n; r++)
        w.mu[r] = 1.0;
    toll_status st = weighted_qr(&w, n, w.X, w.mu, 0);
    if (!st)
        st = irls(&w, n, w.X, 0, o, dev, iters);
    if (!st)
        st = fit_cov(&w, n, w.X);
    if (!st) {
        if (*dev < 0)
            *dev = 0.0;
        memcpy(beta, w.beta, p * sizeof(double));
        if (cov)
            memcpy(cov, w.cov, p * p * sizeof(double));
        if (mu)
            memcpy(mu, w.mu, n * sizeof(double));
    }
    ws_free(&w);
    return st;
}

/* ---- profile likelihood ---------------------------------------------------- */

typedef struct prof_ctx {
    fitws *w;
    const toll_mse_options *o;
    double n;        /* observed */
    double lmax;     /* profile maximum */
    double half_q;   /* chi2 quantile / 2 */
    toll_status st;  /* first failure inside a callback */
    int evals;
} prof_ctx;

/*
 * Profile log-likelihood l(N) (multinomial, up to a constant) and its
 * derivative g(N) = psi(N+1) - psi(N-n+1) + log(mu0/N) (envelope theorem):
 * fit the complete 2^K table with the unobserved cell set to N - n.
 */
static toll_status prof_eval(prof_ctx *c, double N, double *l, double *g)
{
    fitws *w = c->w;
    double z0 = N - c->n;
    if (z0 < 0)
        z0 = 0;
    w->y[0] = z0;
    /* deterministic start: the observed-cell fit with its intercept */
    memcpy(w->beta, w->beta_hat, w->p * sizeof(double));
    double dev;
    int it;
    toll_status st = irls(w, w->ncell, w->X, 1, c->o, &dev, &it);
    if (st) {
        memcpy(w->beta, w->beta_hat, w->p * sizeof(double));
        st = irls(w, w->ncell, w->X, 0, c->o, &dev, &it);
        if (st)
            return st;
    }
    c->evals++;
    double sum = 0.0;
    for (size_t r = 0; r < w->ncell; r++)
        if (w->y[r] > 0)
            sum += w->y[r] * log(w->mu[r] / N);
    *l = gsl_sf_lngamma(N + 1.0) - gsl_sf_lngamma(z0 + 1.0) + sum;
    if (g)
        *g = gsl_sf_psi(N + 1.0) - gsl_sf_psi(z0 + 1.0) + log(w->mu[0] / N);
    if (!isfinite(*l) || (g && !isfinite(*g)))
        return TOLL_ENUMERIC;
    return TOLL_OK;
}

static double prof_g(double N, void *vc)
{
    prof_ctx *c = vc;
    double l, g;
    if (c->st)
        return 0.0;
    toll_status st = prof_eval(c, N, &l, &g);
    if (st) {
        c->st = st;
        return 0.0;
    }
    return g;
}

static double prof_h(double N, void *vc)
{
    prof_ctx *c = vc;
    double l;
    if (c->st)
        return 0.0;
    toll_status st = prof_eval(c, N, &l, NULL);
    if (st) {
        c->st = st;
        return 0.0;
    }
    return l - c->lmax + c->half_q;
}

/* Brent root of f in [lo, hi], given f(lo) and f(hi) of opposite signs
 * (checked here, so gsl_root_fsolver_set cannot fail on the bracket). */
static toll_status brent_root(prof_ctx *c, double (*f)(double, void *),
                              double lo, double flo, double hi, double fhi,
                              double *root)
{
    fitws *w = c->w;
    if (flo == 0.0) {
        *root = lo;
        return TOLL_OK;
    }
    if (fhi == 0.0) {
        *root = hi;
        return TOLL_OK;
    }
    if (!(lo < hi) || (flo > 0) == (fhi > 0))
        return TOLL_ENUMERIC;
    if (!w->brent) {
        w->brent_size = gsl_root_fsolver_brent->size;
        w->brent = toll__alloc(w->a, w->brent_size ? w->brent_size : 1);
        if (!w->brent)
            return TOLL_ENOMEM;
    }
    gsl_root_fsolver s;
    s.type = gsl_root_fsolver_brent;
    s.state = w->brent;
    s.function = NULL;
    s.root = s.x_lower = s.x_upper = 0.0;
    gsl_function F;
    F.function = f;
    F.params = c;
    /* The solver re-evaluates both ends; the evaluations are
     * deterministic, so the signs are those checked above. */
    if (gsl_root_fsolver_set(&s, &F, lo, hi) != GSL_SUCCESS || c->st)
        return c->st ? c->st : TOLL_ENUMERIC;
    for (int it = 0; it < 200; it++) {
        if (gsl_root_fsolver_iterate(&s) != GSL_SUCCESS || c->st)
            return c->st ? c->st : TOLL_ENUMERIC;
        double a = gsl_root_fsolver_x_lower(&s);
        double b = gsl_root_fsolver_x_upper(&s);
        if (gsl_root_test_interval(a, b, 1e-9, 1e-10) == GSL_SUCCESS) {
            *root = gsl_root_fsolver_root(&s);
            return TOLL_OK;
        }
    }
    return TOLL_ENUMERIC;
}

/*
 * Profile-likelihood interval around the observed-cell fit (w->beta_hat,
 * n_hat, se).  Sets out->n_profile, lo, hi, interval and warnings.
 */
static toll_status profile_ci(fitws *w, const toll_mse_options *o, double n,
                              double n_hat, double se,
                              toll_mse_estimate *out)
{
    prof_ctx c;
    memset(&c, 0, sizeof c);
    c.w = w;
    c.o = o;
    c.n = n;
    c.half_q = gsl_cdf_chisq_Pinv(o->level, 1.0) / 2.0;
    double step = se > 1.0 ? se : 1.0;
    double cap = (n_hat + 1.0) * 1e6;
    if (cap < 1e9)
        cap = 1e9;
    toll_status st;

    /* 1. the profile maximum: root of g */
    double a = n_hat, la, ga;
    st = prof_eval(&c, a, &la, &ga);
    if (st)
        return st;
    double nml, lmax;
    if (ga == 0.0) {
        nml = a;
    } else if (ga < 0.0) {
        /* maximum below n_hat (the usual case) */
        double b = a, gb = ga, lb;
        double width = a - n;
        int found = 0;
        for (int k = 1; k <= 60; k++) {
            b = n + width * pow(0.5, k);
            st = prof_eval(&c, b, &lb, &gb);
            if (st)
                return st;
            if (gb > 0.0) {
                found = 1;
                break;
            }
            a = b;
            ga = gb;
        }
        if (!found) {
            nml = n; /* maximum at the boundary */
        } else {
            st = brent_root(&c, prof_g, b, gb, a, ga, &nml);
            if (st)
                return st;
        }
    } else {
        double b = a, gb = ga, lb;
        int found = 0;
        for (int k = 0; k < 80; k++) {
            b = a + step * pow(2.0, k);
            if (b > cap)
                break;
            st = prof_eval(&c, b, &lb, &gb);
            if (st)
                return st;
            if (gb < 0.0) {
                found = 1;
                break;
            }
        }
        if (!found)
            return TOLL_ENUMERIC;
        /* shrink the left end to the last positive point */
        st = brent_root(&c, prof_g, n_hat, ga, b, gb, &nml);
        if (st)
            return st;
    }
    st = prof_eval(&c, nml, &lmax, NULL);
    if (st)
        return st;
    c.lmax = lmax;
    out->n_profile = nml;

    /* 2. lower bound */
    double hn = prof_h(n, &c);
    if (c.st)
        return c.st;
    double lo;
    if (hn >= 0.0) {
        lo = n;
        toll__mse_warn(out, TOLL_MSE_W_AT_OBSERVED,
                       "profile interval reaches the observed count");
    } else if (nml <= n) {
        lo = n;
    } else {
        st = brent_root(&c, prof_h, n, hn, nml, c.half_q, &lo);
        if (st)
            return st;
    }

    /* 3. upper bound */
    double hi = INFINITY, b = nml, hb = c.half_q;
    double ustep = se > 1.0 ? se : (nml - n > 1.0 ? nml - n : 1.0);
    int found = 0;
    double prev = nml, hprev = c.half_q;
    for (int k = 0; k < 80; k++) {
        b = nml + ustep * pow(2.0, k);
        if (b > cap)
            break;
        hb = prof_h(b, &c);
        if (c.st)
            return c.st;
        if (hb < 0.0) {
            found = 1;
            break;
        }
        prev = b;
        hprev = hb;
    }
    if (found) {
        st = brent_root(&c, prof_h, prev, hprev, b, hb, &hi);
        if (st)
            return st;
    } else {
        toll__mse_warn(out, TOLL_MSE_W_UNBOUNDED,
                       "profile likelihood does not fall below the cut-off: "
                       "the upper bound is unbounded");
    }
    out->lo = lo;
    out->hi = hi;
    out->interval = TOLL_MSE_CI_PROFILE;
    return TOLL_OK;
}

/* ---- one log-linear fit ----------------------------------------------------- */

typedef struct ll_arg {
    toll_mse_model model;
    int profile;
    /* detail outputs (single stratum only) */
    double *fitted;
    double *coef, *coef_se;
    size_t *npar;
} ll_arg;

static void pattern_str(const toll_mse_data *d, unsigned p, char *buf)
{
    for (int j = 0; j < d->K; j++)
        buf[j] = ((p >> j) & 1u) ? '1' : '0';
    buf[d->K] = '\0';
}

static toll_status ll_one(const toll_mse_data *d, size_t s, const void *varg,
                          const toll_mse_options *o, toll_mse_estimate *out,
                          toll_error *err)
{
    const ll_arg *arg = varg;
    toll_mse_model model = arg->model;
    const int64_t *row = d->counts + (size_t)s * d->ncells;
    char mname[sizeof out->model_name];
    size_t need = toll_mse_model_format(d, model, mname, sizeof mname);
    if (need >= sizeof mname)
        memcpy(mname + sizeof mname - 4, "...", 4);
    toll__mse_est_init(out, TOLL_MSE_LOGLINEAR, s);
    out->model = model;
    memcpy(out->model_name, mname, sizeof mname);

    int K = d->K;
    size_t ncells = d->ncells;
    double n = 0.0, nlist[TOLL_MSE_MAX_LISTS] = {0};
    int zero_cells = 0;
    for (unsigned p = 1; p < ncells; p++) {
        double v = (double)row[p];
        n += v;
        if (row[p] == 0)
            zero_cells++;
        for (int j = 0; j < K; j++)
            if ((p >> j) & 1u)
                nlist[j] += v;
    }
    out->observed = n;
    int npar = model_npar(K, model);
    if (n <= 0)
        return toll__err(err, TOLL_EMODEL, "model %s: no individual observed",
                         mname);
    for (int j = 0; j < K; j++)
        if (nlist[j] == 0)
            return toll__err(err, TOLL_EMODEL,
                             "model %s: list '%s' has no records, so its main "
                             "effect cannot be estimated", mname, d->names[j]);
    if ((size_t)npar > ncells - 1)
        return toll__err(err, TOLL_EMODEL,
                         "model %s is saturated: %d parameters for %u "
                         "observed cells, so the unobserved cell is not "
                         "identifiable", mname, npar, (unsigned)(ncells - 1));
    for (int jj = 1; jj < K; jj++)
        for (int ii = 0; ii < jj; ii++) {
            if (!(model & ((toll_mse_model)1 << toll_mse_pair_bit(ii, jj))))
                continue;
            double m = 0.0;
            for (unsigned p = 1; p < ncells; p++)
                if (((p >> ii) & 1u) && ((p >> jj) & 1u))
                    m += (double)row[p];
            if (m == 0)
                return toll__err(err, TOLL_EMODEL,
                                 "model %s: estimate does not exist: "
                                 "interaction %s*%s has an all-zero margin "
                                 "(no record is on both %s and %s), so it is "
                                 "not identifiable", mname,
                                 d->names[ii], d->names[jj], d->names[ii],
                                 d->names[jj]);
        }
    fitws w;
    toll_status st = ws_init(&w, &d->alloc, K, model, err);
    if (st)
        return st;
    size_t nobs = ncells - 1;
    const double *Xo = w.X + w.p; /* rows of cells 1 .. 2^K - 1 */
    double dev = 0.0;
    int iters = 0;

    /* identifiability of the design itself */
    for (size_t r = 0; r < nobs; r++)
        w.mu[r] = 1.0;
    st = weighted_qr(&w, nobs, Xo, w.mu, 0);
    if (st == TOLL_EMODEL) {
        st = toll__err(err, TOLL_EMODEL,
                       "model %s is not identifiable: its design matrix on "
                       "the observed cells is rank deficient", mname);
        goto cleanup;
    } else if (st) {
        st = toll__err(err, TOLL_ENUMERIC, "model %s: QR decomposition "
                                           "failed", mname);
        goto cleanup;
    }

    /* zero cells can put the MLE at infinity (Fienberg and Rinaldo
     * 2012): decide before fitting, never report a runaway fit */
    int exists = 1;
    char why[256];
    st = toll__mse_exists_row(d, row, model, &exists, why, sizeof why, err);
    if (st)
        goto cleanup;
    if (!exists) {
        st = toll__err(err, TOLL_EMODEL,
                       "model %s: estimate does not exist: %s", mname, why);
        goto cleanup;
    }

    /* the fit uses w.y/mu/eta from offset 0 with n = nobs rows: shift the
     * observed cells into place */
    for (unsigned p = 1; p < ncells; p++)
        w.y[p - 1] = (double)row[p];
    st = irls(&w, nobs, Xo, 0, o, &dev, &iters);
    if (st == TOLL_EMODEL) {
        st = toll__err(err, TOLL_EMODEL,
                       "model %s: the fit became rank deficient (zero cells "
                       "leave some parameters without information)", mname);
        goto cleanup;
    } else if (st) {
        st = toll__err(err, TOLL_ENUMERIC,
                       "model %s: IRLS did not converge in %d iterations",
                       mname, o->max_iter);
        goto cleanup;
    }
    for (unsigned p = 1; p < ncells; p++) {
        if (row[p] == 0 && w.mu[p - 1] < BOUNDARY_MU) {
            char pat[TOLL_MSE_MAX_LISTS + 1];
            pattern_str(d, p, pat);
            st = toll__err(err, TOLL_EMODEL,
                           "model %s: the maximum-likelihood estimate does "
                           "not exist: the fitted count of the empty cell %s "
                           "tends to zero (too many zero cells for this "
                           "model)", mname, pat);
            goto cleanup;
        }
    }
    double b0 = w.beta[0];
    double mu0 = exp(b0);
    if (!isfinite(mu0) || mu0 > MU0_MAX) {
        st = toll__err(err, TOLL_EMODEL,
                       "model %s: the estimated number unobserved is "
                       "unbounded (intercept %g)", mname, b0);
        goto cleanup;
    }
    st = fit_cov(&w, nobs, Xo);
    if (st) {
        st = toll__err(err, st == TOLL_EMODEL ? TOLL_EMODEL : TOLL_ENUMERIC,
                       "model %s: the information matrix is singular", mname);
        goto cleanup;
    }
    double var0 = w.cov[0];
    double var = mu0 + mu0 * mu0 * var0;
    double loglik = 0.0;
    for (size_t r = 0; r < nobs; r++)
        loglik += (w.y[r] > 0 ? w.y[r] * log(w.mu[r]) : 0.0) - w.mu[r] -
                  gsl_sf_lngamma(w.y[r] + 1.0);

    out->n_hat = n + mu0;
    out->n_profile = out->n_hat;
    out->se = sqrt(var);
    out->deviance = dev < 0 ? 0.0 : dev;
    out->npar = npar;
    out->df = (int)nobs - npar;
    out->loglik = loglik;
    out->aic = -2.0 * loglik + 2.0 * npar;
    out->bic = -2.0 * loglik + npar * log(n);
    out->iterations = iters;
    if (out->df == 0)
        toll__mse_warn(out, TOLL_MSE_W_DF0,
                       "df = 0: the model reproduces the observed cells "
                       "exactly, so its fit cannot be checked");
    if (zero_cells)
        toll__mse_warn(out, TOLL_MSE_W_ZERO_CELLS,
                       "%d of %u observed cells are zero", zero_cells,
                       (unsigned)nobs);
    if (out->n_hat > 10.0 * n)
        toll__mse_warn(out, TOLL_MSE_W_SPARSE,
                       "estimate is more than 10 times the observed count");
    char iso[320];
    if (toll__mse_isolated_text(d, s, iso, sizeof iso))
        toll__mse_warn(out, TOLL_MSE_W_ISOLATED, "%s", iso);

    if (arg->fitted) {
        arg->fitted[0] = mu0;
        for (unsigned p = 1; p < ncells; p++)
            arg->fitted[p] = w.mu[p - 1];
    }
    if (arg->coef)
        for (size_t k = 0; k < w.p; k++)
            arg->coef[k] = w.beta[k];
    if (arg->coef_se)
        for (size_t k = 0; k < w.p; k++)
            arg->coef_se[k] = sqrt(w.cov[k * w.p + k]);
    if (arg->npar)
        *arg->npar = w.p;

    if (arg->profile && o->profile) {
        /* complete table: cell 0 first, then the observed cells */
        memcpy(w.beta_hat, w.beta, w.p * sizeof(double));
        for (unsigned p = 1; p < ncells; p++)
            w.y[p] = (double)row[p];
        w.y[0] = mu0;
        st = profile_ci(&w, o, n, out->n_hat, out->se, out);
        if (st == TOLL_ENOMEM) {
            st = toll__nomem(err);
            goto cleanup;
        }
        double tol_in = 1e-6 * out->n_hat;
        if (st || !(out->lo <= out->n_hat + tol_in) ||
            !(out->hi >= out->n_hat - tol_in)) {
            /* a constrained fit failed, or the profile is irregular
             * (typically a nearly flat likelihood): fall back */
            out->warnings &= ~(TOLL_MSE_W_AT_OBSERVED | TOLL_MSE_W_UNBOUNDED);
            out->n_profile = out->n_hat;
            toll__mse_lognormal_ci(n, out->n_hat, var, o->level, &out->lo,
                                   &out->hi);
            out->interval = TOLL_MSE_CI_LOGNORMAL;
            toll__mse_warn(out, TOLL_MSE_W_APPROX_CI,
                           st ? "the profile likelihood could not be "
                                "computed; log-normal interval used"
                              : "the profile likelihood is irregular (its "
                                "interval excludes the estimate); "
                                "log-normal interval used");
            st = TOLL_OK;
        }
    } else {
        toll__mse_lognormal_ci(n, out->n_hat, var, o->level, &out->lo,
                               &out->hi);
        out->interval = TOLL_MSE_CI_LOGNORMAL;
    }
    st = TOLL_OK;
cleanup:
    ws_free(&w);
    return st;
}

static toll_status check_model(const toll_mse_data *d, toll_mse_model model,
                               toll_error *err)
{
    int np = toll__mse_npairs(d->K);
    if (np < 32 && (model >> np) != 0)
        return toll__err(err, TOLL_EINVAL,
                         "model bits 0x%x name pairs beyond the %d pairs of "
                         "%d lists", (unsigned)model, np, d->K);
    return TOLL_OK;
}

toll_status toll_mse_loglinear(const toll_mse_data *d, size_t stratum,
                               toll_mse_model model,
                               const toll_mse_options *opts,
                               toll_mse_estimate *out, toll_error *err)
{
    if (!out)
        return toll__err(err, TOLL_EINVAL, "output estimate is NULL");
    toll_status st = toll_mse_data_check_overlap(d, stratum, err);
    if (st)
        return st;
    if ((st = check_model(d, model, err)))
        return st;
    toll_mse_options o;
    if ((st = toll__mse_opts(opts, &o, err)))
        return st;
    ll_arg a;
    memset(&a, 0, sizeof a);
    a.model = model;
    a.profile = 1;
    return toll__mse_total(d, stratum, ll_one, &a, &o, out, err);
}

toll_status toll_mse_loglinear_detail(const toll_mse_data *d, size_t stratum,
                                      toll_mse_model model,
                                      const toll_mse_options *opts,
                                      double *fitted, size_t nfitted,
                                      double *coef, double *coef_se,
                                      size_t ncoef, size_t *npar,
                                      toll_error *err)
{
    toll_status st = toll_mse_data_check_overlap(d, stratum, err);
    if (st)
        return st;
    if ((st = check_model(d, model, err)))
        return st;
    if (stratum == TOLL_MSE_TOTAL) {
        if (d->nstrata != 1)
            return toll__err(err, TOLL_EINVAL,
                             "fit details are per stratum: name one of the "
                             "%zu strata", d->nstrata);
        stratum = 0;
    }
    size_t p = (size_t)model_npar(d->K, model);
    if (fitted && nfitted < d->ncells)
        return toll__err(err, TOLL_EINVAL,
                         "fitted needs %u entries, got %zu",
                         (unsigned)d->ncells, nfitted);
    if ((coef || coef_se) && ncoef < p)
        return toll__err(err, TOLL_EINVAL,
                         "coefficients need %zu entries, got %zu", p, ncoef);
    toll_mse_options o;
    if ((st = toll__mse_opts(opts, &o, err)))
        return st;
    ll_arg a;
    memset(&a, 0, sizeof a);
    a.model = model;
    a.profile = 0;
    a.fitted = fitted;
    a.coef = coef;
    a.coef_se = coef_se;
    a.npar = npar;
    toll_mse_estimate e;
    return ll_one(d, stratum, &a, &o, &e, err);
}

/* ---- search and model averaging ---------------------------------------------- */

struct toll_mse_results {
    toll_allocator alloc;
    toll_mse_criterion crit;
    size_t n, cap;
    toll_mse_estimate *est;
    toll_mse_estimate avg;
    size_t skipped;
    char skip_msg[640];
    /* each skipped model: its name and why (owned strings) */
    struct skip_ent {
        char *name, *reason;
        size_t name_len, reason_len;
    } *skips;
    size_t skips_cap;
};

/* Record skipped model `name` and the message of its failure, without
 * the "model NAME: " that the message repeats. */
static toll_status skip_add(toll_mse_results *r, const char *name,
                            const char *msg, toll_error *err)
{
    if (toll__grow(&r->alloc, (void **)&r->skips, &r->skips_cap,
                   r->skipped + 1, sizeof *r->skips))
        return toll__nomem(err);
    char pre[200];
    snprintf(pre, sizeof pre, "model %s: ", name);
    const char *at = strstr(msg, pre);
    char buf[sizeof ((toll_error *)0)->message];
    if (at)
        snprintf(buf, sizeof buf, "%.*s%s", (int)(at - msg), msg,
                 at + strlen(pre));
    else
        snprintf(buf, sizeof buf, "%s", msg);
    struct skip_ent *e = &r->skips[r->skipped];
    e->name_len = strlen(name);
    e->reason_len = strlen(buf);
    e->name = toll__strndup(&r->alloc, name, e->name_len);
    e->reason = toll__strndup(&r->alloc, buf, e->reason_len);
    if (!e->name || !e->reason) {
        toll__free(&r->alloc, e->name, e->name ? e->name_len + 1 : 0);
        toll__free(&r->alloc, e->reason, e->reason ? e->reason_len + 1 : 0);
        return toll__nomem(err);
    }
    r->skipped++;
    return TOLL_OK;
}

const char *toll_mse_results_skipped_model(const toll_mse_results *r,
                                           size_t i, const char **reason)
{
    if (!r || i >= r->skipped) {
        if (reason)
            *reason = NULL;
        return NULL;
    }
    if (reason)
        *reason = r->skips[i].reason;
    return r->skips[i].name;
}

void toll_mse_results_free(toll_mse_results *r)
{
    if (!r)
        return;
    toll_allocator a = r->alloc;
    for (size_t i = 0; i < r->skipped; i++) {
        toll__free(&a, r->skips[i].name, r->skips[i].name_len + 1);
        toll__free(&a, r->skips[i].reason, r->skips[i].reason_len + 1);
    }
    toll__free(&a, r->skips, r->skips_cap * sizeof *r->skips);
    toll__free(&a, r->est, r->cap * sizeof *r->est);
    toll__free(&a, r, sizeof *r);
}

size_t toll_mse_results_count(const toll_mse_results *r)
{
    return r ? r->n : 0;
}

const toll_mse_estimate *toll_mse_results_get(const toll_mse_results *r,
                                              size_t i)
{
    if (!r || i >= r->n)
        return NULL;
    return &r->est[i];
}

const toll_mse_estimate *toll_mse_results_average(const toll_mse_results *r)
{
    return r ? &r->avg : NULL;
}

size_t toll_mse_results_skipped(const toll_mse_results *r)
{
    return r ? r->skipped : 0;
}

const char *toll_mse_results_skip_message(const toll_mse_results *r)
{
    return r ? r->skip_msg : "";
}

toll_mse_criterion toll_mse_results_criterion(const toll_mse_results *r)
{
    return r ? r->crit : TOLL_MSE_AIC;
}

static int cmp_est(const toll_mse_estimate *x, const toll_mse_estimate *y,
                   double cx, double cy)
{
    if (cx < cy)
        return -1;
    if (cx > cy)
        return 1;
    if (x->npar != y->npar)
        return x->npar < y->npar ? -1 : 1;
    return x->model < y->model ? -1 : (x->model > y->model);
}

static int cmp_aic(const void *a, const void *b)
{
    const toll_mse_estimate *x = a, *y = b;
    return cmp_est(x, y, x->aic, y->aic);
}

static int cmp_bic(const void *a, const void *b)
{
    const toll_mse_estimate *x = a, *y = b;
    return cmp_est(x, y, x->bic, y->bic);
}

toll_status toll_mse_search(const toll_mse_data *d, size_t stratum,
                            toll_mse_criterion criterion,
                            const toll_mse_options *opts,
                            const toll_allocator *alloc,
                            toll_mse_results **out, toll_error *err)
{
    if (!out)
        return toll__err(err, TOLL_EINVAL, "toll_mse_search: out is NULL");
    *out = NULL;
    toll_status st = toll_mse_data_check_overlap(d, stratum, err);
    if (st)
        return st;
    if (criterion != TOLL_MSE_AIC && criterion != TOLL_MSE_BIC)
        return toll__err(err, TOLL_EINVAL, "unknown model criterion %d",
                         (int)criterion);
    if (d->K > TOLL_MSE_SEARCH_MAX_LISTS)
        return toll__err(err, TOLL_EINVAL,
                         "the model search covers up to %d lists (%d models); "
                         "with %d lists name a model instead",
                         TOLL_MSE_SEARCH_MAX_LISTS,
                         1 << toll__mse_npairs(TOLL_MSE_SEARCH_MAX_LISTS),
                         d->K);
    toll_mse_options o;
    if ((st = toll__mse_opts(opts, &o, err)))
        return st;
    toll_allocator a;
    toll__alloc_init(&a, alloc ? alloc : &d->alloc);
    toll_mse_results *r = toll__calloc(&a, 1, sizeof *r);
    if (!r)
        return toll__nomem(err);
    r->alloc = a;
    r->crit = criterion;
    size_t nmodels = (size_t)1 << toll__mse_npairs(d->K);
    r->est = toll__alloc(&r->alloc, nmodels * sizeof *r->est);
    if (!r->est) {
        st = toll__nomem(err);
        goto cleanup;
    }
    r->cap = nmodels;
    ll_arg arg;
    memset(&arg, 0, sizeof arg);
    for (size_t m = 0; m < nmodels; m++) {
        toll_error e1;
        toll_error_clear(&e1);
        arg.model = (toll_mse_model)m;
        arg.profile = 0;
        st = toll__mse_total(d, stratum, ll_one, &arg, &o, &r->est[r->n], &e1);
        if (st == TOLL_EMODEL || st == TOLL_ENUMERIC) {
            if (r->skipped == 0)
                snprintf(r->skip_msg, sizeof r->skip_msg, "%s", e1.message);
            char mname[sizeof r->est[0].model_name];
            size_t need = toll_mse_model_format(d, arg.model, mname,
                                                sizeof mname);
            if (need >= sizeof mname)
                memcpy(mname + sizeof mname - 4, "...", 4);
            if ((st = skip_add(r, mname, e1.message, err)))
                goto cleanup;
            continue;
        }
        if (st) {
            if (err)
                *err = e1;
            goto cleanup;
        }
        r->n++;
    }
    if (r->n == 0) {
        st = toll__err(err, TOLL_EMODEL, "no model could be fitted: %s",
                       r->skip_msg);
        goto cleanup;
    }
    qsort(r->est, r->n, sizeof *r->est,
          criterion == TOLL_MSE_AIC ? cmp_aic : cmp_bic);
    double best = criterion == TOLL_MSE_AIC ? r->est[0].aic : r->est[0].bic;
    double wsum = 0.0;
    for (size_t i = 0; i < r->n; i++) {
        double c = criterion == TOLL_MSE_AIC ? r->est[i].aic : r->est[i].bic;
        r->est[i].delta = c - best;
        r->est[i].weight = exp(-0.5 * r->est[i].delta);
        wsum += r->est[i].weight;
    }
    for (size_t i = 0; i < r->n; i++)
        r->est[i].weight /= wsum;
    /* profile intervals for the models that matter */
    int can_profile = o.profile &&
                      (stratum != TOLL_MSE_TOTAL || d->nstrata == 1);
    for (size_t i = 0; i < r->n; i++) {
        if (r->est[i].delta > o.profile_delta)
            continue;
        if (!can_profile)
            continue;
        toll_mse_estimate e = r->est[i];
        toll_error e1;
        toll_error_clear(&e1);
        arg.model = e.model;
        arg.profile = 1;
        st = toll__mse_total(d, stratum, ll_one, &arg, &o, &r->est[i], &e1);
        if (st == TOLL_ENOMEM) {
            if (err)
                *err = e1;
            goto cleanup;
        }
        if (st)
            r->est[i] = e; /* keep the fit without a profile interval */
        r->est[i].weight = e.weight;
        r->est[i].delta = e.delta;
    }
    for (size_t i = 0; i < r->n; i++) {
        if (r->est[i].interval == TOLL_MSE_CI_PROFILE || !o.profile ||
            (r->est[i].warnings & TOLL_MSE_W_APPROX_CI))
            continue;
        if (can_profile)
            toll__mse_warn(&r->est[i], TOLL_MSE_W_APPROX_CI,
                           "log-normal interval (profile intervals are "
                           "computed for models within %g of the best)",
                           o.profile_delta);
        else
            toll__mse_warn(&r->est[i], TOLL_MSE_W_APPROX_CI,
                           "interval of the total is log-normal from the "
                           "summed variances");
    }
    /* model average (Buckland et al. 1997) */
    toll_mse_estimate *av = &r->avg;
    toll__mse_est_init(av, TOLL_MSE_MODEL_AVERAGE, stratum);
    av->observed = r->est[0].observed;
    double nbar = 0.0;
    for (size_t i = 0; i < r->n; i++)
        nbar += r->est[i].weight * r->est[i].n_hat;
    double se = 0.0;
    for (size_t i = 0; i < r->n; i++) {
        double dv = r->est[i].n_hat - nbar;
        se += r->est[i].weight * sqrt(r->est[i].se * r->est[i].se + dv * dv);
    }
    av->n_hat = nbar;
    av->n_profile = nbar;
    av->se = se;
    toll__mse_lognormal_ci(av->observed, nbar, se * se, o.level, &av->lo,
                           &av->hi);
    av->interval = TOLL_MSE_CI_LOGNORMAL;
    av->weight = 1.0;
    snprintf(av->model_name, sizeof av->model_name,
             "%s-weighted average of %zu models",
             criterion == TOLL_MSE_AIC ? "AIC" : "BIC", r->n);
    if (av->n_hat > 10.0 * av->observed)
        toll__mse_warn(av, TOLL_MSE_W_SPARSE,
                       "estimate is more than 10 times the observed count");
    char iso[320];
    if (stratum != TOLL_MSE_TOTAL || d->nstrata == 1) {
        if (toll__mse_isolated_text(d, stratum, iso, sizeof iso))
            toll__mse_warn(av, TOLL_MSE_W_ISOLATED, "%s", iso);
    } else {
        for (size_t s = 0; s < d->nstrata; s++)
            if (toll__mse_isolated_text(d, s, iso, sizeof iso))
                toll__mse_warn(av, TOLL_MSE_W_ISOLATED, "stratum '%s': %s",
                               d->strata[s], iso);
    }
    *out = r;
    r = NULL;
    st = TOLL_OK;
cleanup:
    toll_mse_results_free(r);
    return st;
}
