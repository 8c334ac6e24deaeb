/*
 * src/stats/mse_exist.c - does the maximum-likelihood estimate of a
 * log-linear model exist?  A small dense two-phase simplex (Bland's rule)
 * and the linear programme of Fienberg and Rinaldo (2012): the MLE of a
 * Poisson log-linear model with design A on the observed cells and counts
 * n exists iff some strictly positive y has A'y = A'n, i.e. iff the
 * observed margins lie in the relative interior of the marginal cone.
 * docs/mse.md ("Does the estimate exist?") has the details and why no
 * external LP library is used.
 */
#include "stats/mse.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>

/* ---- simplex --------------------------------------------------------------- */

/* Pivot the tableau (rows x cols, last column the right-hand side) on
 * entry (r, q) and record q as the basic variable of row r. */
static void pivot(double *T, size_t rows, size_t cols, size_t r, size_t q,
                  size_t *basis)
{
    double *pr = T + r * cols;
    double pv = pr[q];
    for (size_t j = 0; j < cols; j++)
        pr[j] /= pv;
    pr[q] = 1.0;
    for (size_t i = 0; i < rows; i++) {
        if (i == r)
            continue;
        double *ri = T + i * cols;
        double f = ri[q];
        if (f == 0.0)
            continue;
        for (size_t j = 0; j < cols; j++)
            ri[j] -= f * pr[j];
        ri[q] = 0.0;
    }
    basis[r] = q;
}

/*
 * Simplex iterations on the tableau (m constraint rows and the reduced
 * costs in row m; a column enters when its reduced cost is > tol).  Only
 * columns < ncand may enter.  Bland's rule: the first improving column
 * enters; among the rows of least ratio the one whose basic variable has
 * the smallest index leaves.  Returns 0 optimal, 1 unbounded, -1 the
 * iteration cap.
 */
static int simplex_run(double *T, size_t m, size_t cols, size_t ncand,
                       size_t *basis, double tol, size_t cap)
{
    size_t rhs = cols - 1;
    for (size_t it = 0; it < cap; it++) {
        const double *d = T + m * cols;
        size_t q = SIZE_MAX;
        for (size_t j = 0; j < ncand; j++)
            if (d[j] > tol) {
                q = j;
                break;
            }
        if (q == SIZE_MAX)
            return 0;
        size_t r = SIZE_MAX;
        double best = 0.0;
        for (size_t i = 0; i < m; i++) {
            double a = T[i * cols + q];
            if (!(a > tol))
                continue;
            double v = T[i * cols + rhs];
            double ratio = (v > 0.0 ? v : 0.0) / a;
            double slack = 1e-12 * (1.0 + fabs(best));
            if (r == SIZE_MAX || ratio < best - slack ||
                (ratio <= best + slack && basis[i] < basis[r])) {
                if (r == SIZE_MAX || ratio < best)
                    best = ratio;
                r = i;
            }
        }
        if (r == SIZE_MAX)
            return 1;
        pivot(T, m + 1, cols, r, q, basis);
    }
    return -1;
}

toll_status toll__lp_solve(const toll_allocator *a, size_t m, size_t n,
                           const double *A, const double *b, const double *c,
                           double tol, toll__lp_result *res, double *x,
                           double *obj, toll_error *err)
{
    size_t N = n + m, cols = N + 1, rows = m + 1;
    if (m == 0 || n == 0 || !(tol > 0.0))
        return toll__err(err, TOLL_EINVAL,
                         "linear programme: %zu rows, %zu columns, "
                         "tolerance %g", m, n, tol);
    if (rows > SIZE_MAX / sizeof(double) / cols)
        return toll__nomem(err);
    double *T = toll__calloc(a, rows * cols, sizeof *T);
    size_t *basis = toll__alloc(a, m * sizeof *basis);
    if (!T || !basis) {
        toll__free(a, T, rows * cols * sizeof *T);
        toll__free(a, basis, m * sizeof *basis);
        return toll__nomem(err);
    }
    toll_status st = TOLL_OK;
    size_t cap = 50 * (m + N) + 1000;
    /* phase 1: an artificial variable per row, b made non-negative;
     * maximise minus their sum */
    double bsum = 0.0;
    for (size_t i = 0; i < m; i++) {
        double sg = b[i] < 0.0 ? -1.0 : 1.0;
        double *ti = T + i * cols;
        for (size_t j = 0; j < n; j++)
            ti[j] = sg * A[i * n + j];
        ti[n + i] = 1.0;
        ti[N] = sg * b[i];
        bsum += fabs(b[i]);
        basis[i] = n + i;
    }
    double *d = T + m * cols;
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < n; j++)
            d[j] += T[i * cols + j];
    d[N] = bsum;
    int rc = simplex_run(T, m, cols, n, basis, tol, cap);
    if (rc < 0)
        goto capped;
    if (d[N] > tol * (1.0 + bsum)) {
        *res = TOLL__LP_INFEASIBLE;
        goto done;
    }
    /* drive the artificial variables out of the basis; a row where no
     * original column can replace it is redundant and keeps it (at 0) */
    for (size_t i = 0; i < m; i++) {
        if (basis[i] < n)
            continue;
        size_t q = SIZE_MAX;
        double big = tol;
        for (size_t j = 0; j < n; j++)
            if (fabs(T[i * cols + j]) > big) {
                big = fabs(T[i * cols + j]);
                q = j;
            }
        if (q != SIZE_MAX)
            pivot(T, rows, cols, i, q, basis);
    }
    /* phase 2: reduced costs of the original objective */
    for (size_t j = 0; j < cols; j++)
        d[j] = j < n ? c[j] : 0.0;
    for (size_t i = 0; i < m; i++) {
        double cb = basis[i] < n ? c[basis[i]] : 0.0;
        if (cb == 0.0)
            continue;
        for (size_t j = 0; j < cols; j++)
            d[j] -= cb * T[i * cols + j];
    }
    for (size_t i = 0; i < m; i++)
        if (basis[i] < n)
            d[basis[i]] = 0.0;
    rc = simplex_run(T, m, cols, n, basis, tol, cap);
    if (rc < 0)
        goto capped;
    if (rc == 1) {
        *res = TOLL__LP_UNBOUNDED;
        goto done;
    }
    *res = TOLL__LP_OPTIMAL;
    double val = 0.0;
    if (x)
        for (size_t j = 0; j < n; j++)
            x[j] = 0.0;
    for (size_t i = 0; i < m; i++) {
        if (basis[i] >= n)
            continue;
        double v = T[i * cols + N];
        if (v < 0.0)
            v = 0.0;
        if (x)
            x[basis[i]] = v;
        val += c[basis[i]] * v;
    }
    if (obj)
        *obj = val;
    goto done;
capped:
    st = toll__err(err, TOLL_ENUMERIC,
                   "linear programme: no solution after %zu simplex "
                   "iterations", cap);
done:
    toll__free(a, T, rows * cols * sizeof *T);
    toll__free(a, basis, m * sizeof *basis);
    return st;
}

/* ---- existence of the log-linear MLE --------------------------------------- */

/* Entries below this are zero in the simplex (the design is 0/1, the
 * right-hand sides are margins of whole counts). */
#define LP_TOL 1e-9

/* The optimum of max s (or of max y_target when target > 0), with
 * A'y = A'n, y >= 0 and the bound s <= 1 (y_target <= 1), in *val. */
static toll_status exist_lp(const toll_mse_data *d, const int64_t *row,
                            toll_mse_model model, unsigned target,
                            double *val, toll_error *err)
{
    const toll_allocator *a = &d->alloc;
    int K = d->K;
    size_t M = d->ncells - 1;
    size_t p = 1 + (size_t)K + (size_t)__builtin_popcount(model);
    size_t m = p + 1;
    /* columns: y or z for the M cells, then s (LP 1 only), then the
     * slack of the bound */
    size_t n = target ? M + 1 : M + 2;
    double *X = toll__alloc(a, M * p * sizeof *X);
    double *A = toll__calloc(a, m * n, sizeof *A);
    double *b = toll__calloc(a, m, sizeof *b);
    double *c = toll__calloc(a, n, sizeof *c);
    toll_status st = TOLL_OK;
    if (!X || !A || !b || !c) {
        st = toll__nomem(err);
        goto done;
    }
    for (size_t r = 0; r < M; r++)
        toll__mse_design_row(K, model, (unsigned)(r + 1), X + r * p);
    for (size_t k = 0; k < p; k++) {
        double *ak = A + k * n;
        double margin = 0.0, ones = 0.0;
        for (size_t r = 0; r < M; r++) {
            double x = X[r * p + k];
            ak[r] = x;
            margin += x * (double)row[r + 1];
            ones += x;
        }
        if (!target)
            ak[M] = ones; /* y = z + s 1 */
        b[k] = margin;
    }
    double *bound = A + p * n;
    if (target) {
        bound[target - 1] = 1.0;
        bound[M] = 1.0;
        c[target - 1] = 1.0;
    } else {
        bound[M] = 1.0;
        bound[M + 1] = 1.0;
        c[M] = 1.0;
    }
    b[p] = 1.0;
    toll__lp_result res;
    double v = 0.0;
    st = toll__lp_solve(a, m, n, A, b, c, LP_TOL, &res, NULL, &v, err);
    if (!st && res != TOLL__LP_OPTIMAL)
        /* y = n (s = 0) is feasible and the bound caps the objective */
        st = toll__err(err, TOLL_ENUMERIC,
                       "existence check: the linear programme came out %s",
                       res == TOLL__LP_INFEASIBLE ? "infeasible"
                                                  : "unbounded");
    if (!st)
        *val = v;
done:
    toll__free(a, X, M * p * sizeof *X);
    toll__free(a, A, m * n * sizeof *A);
    toll__free(a, b, m * sizeof *b);
    toll__free(a, c, n * sizeof *c);
    return st;
}

toll_status toll__mse_exists_row(const toll_mse_data *d, const int64_t *row,
                                 toll_mse_model model, int *exists,
                                 char *why, size_t cap, toll_error *err)
{
    size_t M = d->ncells - 1;
    double total = 0.0;
    int zeros = 0;
    for (size_t r = 1; r <= M; r++) {
        total += (double)row[r];
        if (row[r] == 0)
            zeros++;
    }
    if (why && cap)
        why[0] = '\0';
    *exists = 1;
    if (zeros == 0)
        return TOLL_OK; /* y = n itself is strictly positive */
    /* A positive optimum is a vertex value, a ratio of whole numbers with
     * a small denominator; rounding in the tableau grows with the
     * margins.  Between the two lies the cut-off. */
    double tol = 1e-9 * (1.0 + total);
    if (tol > 1e-4)
        tol = 1e-4;
    double s = 0.0;
    toll_status st = exist_lp(d, row, model, 0, &s, err);
    if (st)
        return st;
    if (s > tol)
        return TOLL_OK;
    /* on the boundary: the zero cells that every table with these
     * margins leaves at zero (the complement of the facial set) */
    char list[4 * (TOLL_MSE_MAX_LISTS + 2) + 1];
    size_t len = 0, nforced = 0, shown = 0;
    for (unsigned p = 1; p <= M; p++) {
        if (row[p] != 0)
            continue;
        double v = 0.0;
        st = exist_lp(d, row, model, p, &v, err);
        if (st)
            return st;
        if (v > tol)
            continue;
        if (nforced++ < 4) {
            if (shown++)
                list[len++] = ',', list[len++] = ' ';
            for (int j = 0; j < d->K; j++)
                list[len++] = ((p >> j) & 1u) ? '1' : '0';
        }
    }
    list[len] = '\0';
    if (nforced == 0)
        return TOLL_OK; /* every zero cell can be made positive */
    *exists = 0;
    if (why && cap) {
        char more[32] = "";
        if (nforced > shown)
            snprintf(more, sizeof more, " and %zu more", nforced - shown);
        snprintf(why, cap,
                 "the observed margins of the model force empty cell%s %s%s "
                 "to zero in every table that has them",
                 nforced == 1 ? "" : "s", list, more);
    }
    return TOLL_OK;
}

toll_status toll_mse_estimate_exists(const toll_mse_data *d, size_t stratum,
                                     toll_mse_model model, int *exists,
                                     char *why, size_t cap, toll_error *err)
{
    if (!d || !exists)
        return toll__err(err, TOLL_EINVAL,
                         "toll_mse_estimate_exists: argument is NULL");
    if (why && cap)
        why[0] = '\0';
    toll_status st = toll__mse_check_stratum(d, stratum, err);
    if (st)
        return st;
    int np = toll__mse_npairs(d->K);
    if (np < 32 && (model >> np) != 0)
        return toll__err(err, TOLL_EINVAL,
                         "model bits 0x%x name pairs beyond the %d pairs of "
                         "%d lists", (unsigned)model, np, d->K);
    size_t first = stratum, last = stratum;
    if (stratum == TOLL_MSE_TOTAL) {
        first = 0;
        last = d->nstrata - 1;
    }
    *exists = 1;
    for (size_t s = first; s <= last; s++) {
        const int64_t *row = d->counts + s * d->ncells;
        char buf[512];
        int ok = 1;
        st = toll__mse_exists_row(d, row, model, &ok, buf, sizeof buf, err);
        if (st)
            return st;
        if (ok)
            continue;
        *exists = 0;
        if (why && cap) {
            if (stratum == TOLL_MSE_TOTAL && d->nstrata > 1)
                snprintf(why, cap, "stratum '%s': %s", d->strata[s], buf);
            else
                snprintf(why, cap, "%s", buf);
        }
        break;
    }
    return TOLL_OK;
}
