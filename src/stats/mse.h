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
