/*
 * src/stats/mse.h - private layout and helpers of the MSE module
 * (src/stats/mse.c: data, CSV, two-list and Chao estimators, model strings;
 *  src/stats/mse_loglin.c: log-linear fits, profile likelihood, search).
 */
#ifndef TOLL_SRC_STATS_MSE_H
#define TOLL_SRC_STATS_MSE_H

#include "reconcile/reconcile.h"
#include "render/render.h"
#include "toll/mse.h"

struct toll_mse_data {
    toll_allocator alloc;
    int K;               /* lists */
    unsigned ncells;     /* 2^K, cell 0 unused (unobserved) */
    char *names[TOLL_MSE_MAX_LISTS];
    size_t nstrata, strata_cap;
    char **strata;       /* owned names, "" = unnamed */
    int64_t *counts;     /* counts_cap rows of ncells counts */
    size_t counts_cap;   /* rows allocated in counts */
    /* stratum names -> index, so that a load of many strata stays linear:
     * open addressing, a slot holds index + 1 (0: empty); a slot whose
     * index is past nstrata (left by an undone load) matches nothing */
    size_t *slots;
    size_t nslots, nused;
};

/* Number of pairs of K lists. */
static inline int toll__mse_npairs(int K) { return K * (K - 1) / 2; }

/* Counts of stratum s, or the sum over strata into `buf`
 * (ncells entries) when s == TOLL_MSE_TOTAL.  Returns the row. */
const int64_t *toll__mse_row(const toll_mse_data *d, size_t s, int64_t *buf);

/* One estimate in one stratum (never TOLL_MSE_TOTAL); used through
 * toll__mse_total. */
typedef toll_status (*toll__mse_one_fn)(const toll_mse_data *d, size_t s,
                                        const void *arg,
                                        const toll_mse_options *o,
                                        toll_mse_estimate *out,
                                        toll_error *err);
/* Run `fn` in stratum `stratum`, or (TOLL_MSE_TOTAL) in every stratum and
 * sum: estimates, variances, deviances, df, npar, log-likelihoods and
 * criteria add; the interval of a sum is log-normal. */
toll_status toll__mse_total(const toll_mse_data *d, size_t stratum,
                            toll__mse_one_fn fn, const void *arg,
                            const toll_mse_options *o, toll_mse_estimate *out,
                            toll_error *err);

/* Index of stratum `name` (len bytes), created (with zero counts) if
 * absent.  TOLL_ENOMEM only. */
toll_status toll__mse_stratum_get(toll_mse_data *d, const char *name,
                                  size_t len, size_t *idx, toll_error *err);

/* Check a stratum argument: TOLL_EINVAL if out of range or no data. */
toll_status toll__mse_check_stratum(const toll_mse_data *d, size_t s,
                                    toll_error *err);

/* The names of the lists of `mask` as "'A'", "'A' and 'B'" or
 * "'A', 'B' and 'C'" into buf (cap bytes, truncated); returns the length
 * it needs (snprintf's rule). */
size_t toll__mse_isolated_names(const toll_mse_data *d, unsigned mask,
                                char *buf, size_t cap);
/* The warning about lists of stratum s (or the pooled counts) that share
 * no record with another list (toll_mse_data_isolated), into buf (cap
 * bytes; "" if none); returns their mask. */
unsigned toll__mse_isolated_text(const toll_mse_data *d, size_t s,
                                 char *buf, size_t cap);

/* Fill an estimate with neutral values. */
void toll__mse_est_init(toll_mse_estimate *e, toll_mse_method m, size_t s);
/* Set flag and append the text to e->warning ("; "-separated). */
void toll__mse_warn(toll_mse_estimate *e, unsigned flag, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Chao (1987) log-normal interval: observed + T/C .. observed + T*C with
 * T = n_hat - observed, C = exp(z sqrt(log(1 + var / T^2))). */
void toll__mse_lognormal_ci(double observed, double n_hat, double var,
                            double level, double *lo, double *hi);
/* Resolve options (NULL = defaults) into *o, validating them. */
toll_status toll__mse_opts(const toll_mse_options *in, toll_mse_options *o,
                           toll_error *err);

/* The seed of random stream `index` of stratum `stratum` under the user's
 * `seed` (splitmix64 mixing; src/stats/lcmcr.c): LCMCR's chains and the
 * bootstrap's replicates, so that draws never depend on threads. */
uint64_t toll__mse_stream_seed(uint64_t seed, size_t stratum, size_t index);
/* The CPUs online (at least 1): the default number of threads. */
size_t toll__mse_cpus_online(void);
/* TOLL_EINVAL for option `field` given as `text`: "FIELD must be WHAT, not
 * TEXT", with the field and text recorded in err (src/stats/lcmcr.c). */
toll_status toll__mse_bad_opt(toll_error *err, const char *field,
                              const char *text, const char *what);

/* ---- log-linear design and the existence of the estimate (mse_exist.c) -- */

/* Row `cell` (bit mask, 0 .. 2^K - 1) of the design of `model` into x:
 * intercept, main effects of lists 0..K-1, interactions in pair-bit
 * order.  Returns the number of parameters written (1 + K + pairs). */
size_t toll__mse_design_row(int K, toll_mse_model model, unsigned cell,
                            double *x);

/* Outcome of toll__lp_solve. */
typedef enum toll__lp_result {
    TOLL__LP_OPTIMAL = 0,
    TOLL__LP_INFEASIBLE,
    TOLL__LP_UNBOUNDED
} toll__lp_result;

/*
 * Maximise c'x subject to A x = b and x >= 0 (A: m rows of n entries,
 * row-major) by the two-phase dense simplex method with Bland's rule (no
 * cycling).  `tol` (> 0) is the size below which a pivot entry, a reduced
 * cost or a phase-1 residual counts as zero.  On TOLL_OK *res says what
 * was found; when it is TOLL__LP_OPTIMAL, x (n entries, may be NULL) and
 * *obj (may be NULL) hold an optimal vertex and its value.  Redundant
 * equality rows are allowed.  Errors: TOLL_ENOMEM, TOLL_ENUMERIC (the
 * iteration cap was reached, which Bland's rule rules out in exact
 * arithmetic).  Memory: temporary, through `a`.
 */
toll_status toll__lp_solve(const toll_allocator *a, size_t m, size_t n,
                           const double *A, const double *b, const double *c,
                           double tol, toll__lp_result *res, double *x,
                           double *obj, toll_error *err);

/*
 * Does the maximum-likelihood estimate of `model` exist for the observed
 * counts row[1 .. 2^K - 1] (Fienberg and Rinaldo 2012)?  *exists is 1 or
 * 0; when 0 and why != NULL, why (cap bytes) says which observed cells
 * every table with the model's margins leaves at zero.  Errors:
 * TOLL_ENOMEM, TOLL_ENUMERIC.
 */
toll_status toll__mse_exists_row(const toll_mse_data *d, const int64_t *row,
                                 toll_mse_model model, int *exists,
                                 char *why, size_t cap, toll_error *err);

/* ---- leave-one-list-out (mse_loo.c, table in mse_table.c) --------------- */

/* One row of a leave-one-list-out table: the estimate without list
 * `dropped` (numbers NaN and interval TOLL_MSE_CI_NONE when it could not
 * be made; `warning` then says why). */
typedef struct toll__mse_loo_row {
    const char *dropped;                 /* name of the dropped list */
    char lists[TOLL_MSE_MAX_LISTS * 66]; /* the lists kept, ", "-separated */
    toll_mse_estimate est;
    char warning[640];
} toll__mse_loo_row;

toll_status toll__mse_loo_table(const toll_mse_data *d,
                                const toll__mse_loo_row *rows, size_t n,
                                const toll_allocator *alloc, toll_table **out,
                                toll_error *err);

/*
 * Poisson log-linear fit of y[0..n) on the design X (n x p, row-major,
 * copied) with offset off (n values, NULL: none; kept only during the
 * call), by the IRLS of the log-linear models (src/stats/mse_loglin.c).
 * On success beta[p], cov[p*p] ((X'WX)^-1; NULL: not wanted), mu[n]
 * (NULL: not wanted), the deviance and the iterations.  Memory:
 * temporary, through `a`.  Returns TOLL_EMODEL (rank-deficient design or
 * fit), TOLL_ENUMERIC (no convergence) or TOLL_ENOMEM, without a message:
 * the caller names the model.
 */
toll_status toll__mse_poisson_fit(const toll_allocator *a, size_t n, size_t p,
                                  const double *X, const double *off,
                                  const double *y, const toll_mse_options *o,
                                  double *beta, double *cov, double *mu,
                                  double *dev, int *iters);

#endif /* TOLL_SRC_STATS_MSE_H */
