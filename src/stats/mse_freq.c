/*
 * src/stats/mse_freq.c - heterogeneity models on capture-frequency data:
 * M0, Mh Chao (lower bound), Mh Poisson2, Mh Darroch and Mh Gamma3.5 in
 * the log-linear form of Rivest and Baillargeon, as Rcapture's closedp.0
 * fits them.  The fits are the Poisson IRLS of the log-linear models
 * (toll__mse_poisson_fit, src/stats/mse_loglin.c); the CSV is read by the
 * report loader's tokenizer (src/io/csv/csvscan.c); the output table is
 * toll_mse_estimates_table's.  Formulas and references: docs/mse.md.
 */
#include "stats/mse.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "io/csv/csvscan.h"
#include "io/csv/delimiter.h"

#include <gsl/gsl_sf_gamma.h>

struct toll_mse_freq {
    toll_allocator alloc;
    int K;
    int64_t f[TOLL_MSE_FREQ_MAX_OCCASIONS + 1]; /* f[i], i = 1..K; f[0] = 0 */
    int64_t n;
};

/* Rcapture's heterogeneity term, theta = 3.5 for the Gamma model. */
#define GAMMA_THETA 3.5

static const char *const model_names[TOLL_MSE_FREQ_NMODELS] = {
    "M0", "Mh Chao (LB)", "Mh Poisson2", "Mh Darroch", "Mh Gamma3.5"};

const char *toll_mse_freq_model_name(toll_mse_freq_model m)
{
    if ((int)m < 0 || (int)m >= TOLL_MSE_FREQ_NMODELS)
        return NULL;
    return model_names[m];
}

toll_status toll_mse_freq_model_parse(const char *s, toll_mse_freq_model *out,
                                      toll_error *err)
{
    static const struct {
        const char *name;
        toll_mse_freq_model m;
    } names[] = {{"m0", TOLL_MSE_FREQ_M0},
                 {"chao", TOLL_MSE_FREQ_CHAO},
                 {"poisson2", TOLL_MSE_FREQ_POISSON2},
                 {"poisson", TOLL_MSE_FREQ_POISSON2},
                 {"darroch", TOLL_MSE_FREQ_DARROCH},
                 {"gamma", TOLL_MSE_FREQ_GAMMA},
                 {"gamma3.5", TOLL_MSE_FREQ_GAMMA}};
    if (!s || !out)
        return toll__err(err, TOLL_EINVAL,
                         "toll_mse_freq_model_parse: argument is NULL");
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (toll__strncaseeq(s, strlen(s), names[i].name)) {
            *out = names[i].m;
            return TOLL_OK;
        }
    return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "estimator", s,
                        strlen(s),
                        "unknown capture-frequency model \"%.60s\" (m0, "
                        "chao, poisson2, darroch or gamma)", s);
}

/* ---- data ------------------------------------------------------------------- */

static toll_status check_occasions(int K, toll_error *err)
{
    if (K < TOLL_MSE_FREQ_MIN_OCCASIONS || K > TOLL_MSE_FREQ_MAX_OCCASIONS)
        return toll__err(err, TOLL_EINVAL,
                         "%d capture occasions: capture-frequency models "
                         "need %d to %d occasions", K,
                         TOLL_MSE_FREQ_MIN_OCCASIONS,
                         TOLL_MSE_FREQ_MAX_OCCASIONS);
    return TOLL_OK;
}

toll_status toll_mse_freq_new(int occasions, const int64_t *counts,
                              const toll_allocator *alloc,
                              toll_mse_freq **out, toll_error *err)
{
    if (out)
        *out = NULL;
    if (!counts || !out)
        return toll__err(err, TOLL_EINVAL,
                         "toll_mse_freq_new: argument is NULL");
    toll_status st = check_occasions(occasions, err);
    if (st)
        return st;
    int64_t n = 0;
    for (int i = 1; i <= occasions; i++) {
        int64_t c = counts[i - 1];
        if (c < 0)
            return toll__err(err, TOLL_EINVAL,
                             "the number caught %d time%s is negative "
                             "(%lld)", i, i == 1 ? "" : "s", (long long)c);
        if (n > INT64_MAX - c)
            return toll__err(err, TOLL_ERANGE,
                             "the total of the capture frequencies "
                             "overflows");
        n += c;
    }
    if (n == 0)
        return toll__err(err, TOLL_EINVAL,
                         "every capture frequency is zero: no individual "
                         "was caught");
    toll_allocator a;
    toll__alloc_init(&a, alloc);
    toll_mse_freq *F = toll__calloc(&a, 1, sizeof *F);
    if (!F)
        return toll__nomem(err);
    F->alloc = a;
    F->K = occasions;
    for (int i = 1; i <= occasions; i++)
        F->f[i] = counts[i - 1];
    F->n = n;
    *out = F;
    return TOLL_OK;
}

void toll_mse_freq_free(toll_mse_freq *F)
{
    if (!F)
        return;
    toll_allocator a = F->alloc;
    toll__free(&a, F, sizeof *F);
}

int toll_mse_freq_occasions(const toll_mse_freq *F) { return F ? F->K : 0; }

int64_t toll_mse_freq_count(const toll_mse_freq *F, int times)
{
    if (!F || times < 1 || times > F->K)
        return 0;
    return F->f[times];
}

int64_t toll_mse_freq_observed(const toll_mse_freq *F)
{
    return F ? F->n : 0;
}

/* ---- CSV -------------------------------------------------------------------- */

typedef struct fcsv {
    const char *name;
    int K;
    toll_error *err;
    int header_done;
    long col_times, col_count;
    const char *times_name, *count_name; /* as the header spells them */
    char times_buf[32], count_buf[32];
    int64_t f[TOLL_MSE_FREQ_MAX_OCCASIONS + 1];
    long line_of[TOLL_MSE_FREQ_MAX_OCCASIONS + 1]; /* 0: no row yet */
    long nrec;
} fcsv;

static void cell_text(const toll__csvscan *sc, size_t j, const char **p,
                      size_t *n)
{
    *p = toll__csv_cell(sc, j);
    *n = sc->cells[j].len;
    toll__trim_blank(p, n);
}

/* A non-negative whole number in digits; 0 if it is not one. */
static int read_whole(const char *p, size_t n, long long *v)
{
    char tmp[32];
    if (n == 0 || n >= sizeof tmp)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (p[i] < '0' || p[i] > '9')
            return 0;
    memcpy(tmp, p, n);
    tmp[n] = '\0';
    errno = 0;
    char *end;
    *v = strtoll(tmp, &end, 10);
    return errno == 0 && *end == '\0';
}

static void keep_name(char *buf, size_t cap, const char *p, size_t n)
{
    if (n >= cap)
        n = cap - 1;
    memcpy(buf, p, n);
    buf[n] = '\0';
}

static toll_status fcsv_header(fcsv *c, const toll__csvscan *sc)
{
    c->col_times = c->col_count = -1;
    for (size_t j = 0; j < sc->ncells; j++) {
        const char *p;
        size_t n;
        cell_text(sc, j, &p, &n);
        if (c->col_times < 0 && (toll__strncaseeq(p, n, "times") ||
                                 toll__strncaseeq(p, n, "nbcap"))) {
            c->col_times = (long)j;
            keep_name(c->times_buf, sizeof c->times_buf, p, n);
        } else if (c->col_count < 0 && (toll__strncaseeq(p, n, "count") ||
                                        toll__strncaseeq(p, n, "freq"))) {
            c->col_count = (long)j;
            keep_name(c->count_buf, sizeof c->count_buf, p, n);
        }
    }
    if (c->col_times < 0 || c->col_count < 0)
        return toll__seterr(c->err, TOLL_EPARSE, c->name, sc->row_line, -1,
                            c->col_times < 0 ? "times" : "count", NULL, 0,
                            "missing column '%s': a capture-frequency table "
                            "has the columns times,count (or nbcap,freq)",
                            c->col_times < 0 ? "times" : "count");
    c->times_name = c->times_buf;
    c->count_name = c->count_buf;
    return TOLL_OK;
}

static toll_status fcsv_row(void *vctx, const toll__csvscan *sc)
{
    fcsv *c = vctx;
    if (!c->header_done) {
        c->header_done = 1;
        return fcsv_header(c, sc);
    }
    c->nrec++;
    long line = sc->row_line;
    if ((size_t)c->col_times >= sc->ncells ||
        (size_t)c->col_count >= sc->ncells)
        return toll__seterr(c->err, TOLL_EPARSE, c->name, line, c->nrec,
                            NULL, NULL, 0,
                            "row has %zu fields: the '%s' or '%s' column is "
                            "missing", sc->ncells, c->times_name,
                            c->count_name);
    const char *tp, *cp;
    size_t tn, cn;
    cell_text(sc, (size_t)c->col_times, &tp, &tn);
    cell_text(sc, (size_t)c->col_count, &cp, &cn);
    long long t = 0, v = 0;
    int tw = (int)(tn > 60 ? 60 : tn), cw = (int)(cn > 60 ? 60 : cn);
    if (!read_whole(tp, tn, &t) || t < 1 || t > c->K)
        return toll__seterr(
            c->err, TOLL_EPARSE, c->name, line, c->nrec, c->times_name, tp, tn,
            "\"%.*s\" is not a number of captures of %d occasions (a whole "
            "number from 1 to %d)", tw, tp, c->K, c->K);
    if (c->line_of[t])
        return toll__seterr(c->err, TOLL_EPARSE, c->name, line, c->nrec,
                            c->times_name, tp, tn,
                            "%lld captures are on lines %ld and %ld: a "
                            "capture-frequency table has one row per number "
                            "of captures", t, c->line_of[t], line);
    if (!read_whole(cp, cn, &v))
        return toll__seterr(c->err, TOLL_EPARSE, c->name, line, c->nrec,
                            c->count_name, cp, cn,
                            "cannot read \"%.*s\" as a non-negative whole "
                            "number", cw, cp);
    c->line_of[t] = line;
    c->f[t] = (int64_t)v;
    return TOLL_OK;
}

toll_status toll_mse_freq_load_buffer(int occasions, const char *text,
                                      size_t len, const char *name,
                                      char delimiter,
                                      const toll_allocator *alloc,
                                      toll_mse_freq **out, toll_error *err)
{
    if (out)
        *out = NULL;
    if (!out || (!text && len))
        return toll__err(err, TOLL_EINVAL,
                         "toll_mse_freq_load_buffer: argument is NULL");
    toll_status st = check_occasions(occasions, err);
    if (st)
        return st;
    if (delimiter &&
        (st = toll__csv_delimiter_check(delimiter, "delimiter", err)))
        return st;
    toll_allocator a;
    toll__alloc_init(&a, alloc);
    fcsv *c = toll__calloc(&a, 1, sizeof *c);
    if (!c)
        return toll__nomem(err);
    c->name = name ? name : "<buffer>";
    c->K = occasions;
    c->err = err;
    toll__csvscan sc;
    toll__csv_init(&sc, &a, delimiter ? delimiter : ',');
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
        text += 3; /* UTF-8 byte-order mark */
        len -= 3;
    }
    st = toll__csv_feed(&sc, text ? text : "", len, fcsv_row, c);
    if (!st)
        st = toll__csv_finish(&sc, fcsv_row, c);
    if (st && sc.own_error)
        st = st == TOLL_ENOMEM
                 ? toll__nomem(err)
                 : toll__seterr(err, TOLL_EPARSE, c->name, sc.row_line, -1,
                                NULL, NULL, 0,
                                "malformed CSV (unterminated quoted field; "
                                "the row starts here)");
    if (!st && !c->header_done)
        st = toll__seterr(err, TOLL_EPARSE, c->name, 0, -1, NULL, NULL, 0,
                          "empty file: expected a header row with the "
                          "columns times,count");
    if (!st && c->nrec == 0)
        st = toll__seterr(err, TOLL_EPARSE, c->name, 0, -1, NULL, NULL, 0,
                          "no capture frequencies (only a header row)");
    if (!st) {
        st = toll_mse_freq_new(occasions, c->f + 1, &a, out, err);
        if (st == TOLL_EINVAL) /* all zero: say where */
            st = toll__seterr(err, TOLL_EINVAL, c->name, 0, -1, NULL, NULL,
                              0, "every count is zero: no individual was "
                                 "caught");
    }
    toll__csv_free(&sc);
    toll__free(&a, c, sizeof *c);
    return st;
}

toll_status toll_mse_freq_load_file(int occasions, const char *path,
                                    char delimiter,
                                    const toll_allocator *alloc,
                                    toll_mse_freq **out, toll_error *err)
{
    if (out)
        *out = NULL;
    if (!path || !out)
        return toll__err(err, TOLL_EINVAL,
                         "toll_mse_freq_load_file: argument is NULL");
    FILE *f = fopen(path, "rb");
    if (!f)
        return toll__seterr(err, TOLL_EIO, path, 0, -1, NULL, NULL, 0,
                            "cannot open: %s", strerror(errno));
    toll_allocator a;
    toll__alloc_init(&a, alloc);
    /* a capture-frequency table has at most a few hundred short rows:
     * read the file whole, up to a bound */
    const size_t cap = (size_t)1 << 20;
    char *buf = toll__alloc(&a, cap);
    if (!buf) {
        fclose(f);
        return toll__nomem(err);
    }
    size_t n = fread(buf, 1, cap, f);
    int bad = ferror(f);
    int more = !bad && n == cap && fgetc(f) != EOF;
    fclose(f);
    toll_status st;
    if (bad)
        st = toll__seterr(err, TOLL_EIO, path, 0, -1, NULL, NULL, 0,
                          "read error");
    else if (more)
        st = toll__seterr(err, TOLL_EPARSE, path, 0, -1, NULL, NULL, 0,
                          "larger than 1 MiB: not a capture-frequency "
                          "table");
    else
        st = toll_mse_freq_load_buffer(occasions, buf, n, path, delimiter,
                                       &a, out, err);
    toll__free(&a, buf, cap);
    return st;
}

/* ---- models ------------------------------------------------------------------ */

/* Heterogeneity column of the Poisson2, Darroch and Gamma models. */
static double h_term(toll_mse_freq_model m, int i)
{
    switch (m) {
    case TOLL_MSE_FREQ_POISSON2: return ldexp(1.0, i) - 1.0;
    case TOLL_MSE_FREQ_DARROCH: return 0.5 * (double)i * (double)i;
    case TOLL_MSE_FREQ_GAMMA:
        return log(GAMMA_THETA) - log(GAMMA_THETA + (double)i);
    default: return 0.0;
    }
}

/* Work of one fit: the rows i = 1..K and the columns in use. */
typedef struct ffit {
    const toll_allocator *a;
    size_t n, pmax;
    double *X, *Xa, *off, *y, *beta, *cov, *mu;
} ffit;

static void ffit_free(ffit *w)
{
    size_t n = w->n, p = w->pmax;
    toll__free(w->a, w->X, n * p * sizeof(double));
    toll__free(w->a, w->Xa, n * p * sizeof(double));
    toll__free(w->a, w->off, n * sizeof(double));
    toll__free(w->a, w->y, n * sizeof(double));
    toll__free(w->a, w->beta, p * sizeof(double));
    toll__free(w->a, w->cov, p * p * sizeof(double));
    toll__free(w->a, w->mu, n * sizeof(double));
}

/* Fit with the columns of `use` (use[k] != 0) of the full design. */
static toll_status ffit_run(ffit *w, const unsigned char *use, size_t *p,
                            const toll_mse_options *o, double *dev,
                            int *iters)
{
    size_t q = 0;
    for (size_t k = 0; k < w->pmax; k++)
        q += use[k] != 0;
    for (size_t r = 0; r < w->n; r++) {
        size_t kk = 0;
        for (size_t k = 0; k < w->pmax; k++)
            if (use[k])
                w->Xa[r * q + kk++] = w->X[r * w->pmax + k];
    }
    *p = q;
    return toll__mse_poisson_fit(w->a, w->n, q, w->Xa, w->off, w->y, o,
                                 w->beta, w->cov, w->mu, dev, iters);
}

static toll_status fit_error(toll_status st, const char *mname, int max_iter,
                             toll_error *err)
{
    if (st == TOLL_ENOMEM)
        return toll__nomem(err);
    if (st == TOLL_EMODEL)
        return toll__err(err, TOLL_EMODEL,
                         "model %s cannot be fitted: its design is rank "
                         "deficient on these frequencies", mname);
    return toll__err(err, TOLL_ENUMERIC,
                     "model %s: IRLS did not converge in %d iterations "
                     "(the estimate may not exist for these frequencies)",
                     mname, max_iter);
}

toll_status toll_mse_freq_fit(const toll_mse_freq *F, toll_mse_freq_model m,
                              int max_times, const toll_mse_options *opts,
                              toll_mse_estimate *out, toll_error *err)
{
    if (!F || !out)
        return toll__err(err, TOLL_EINVAL,
                         "toll_mse_freq_fit: argument is NULL");
    const char *mname = toll_mse_freq_model_name(m);
    if (!mname)
        return toll__err(err, TOLL_EINVAL,
                         "capture-frequency model %d is out of range",
                         (int)m);
    toll_mse_options o;
    toll_status st = toll__mse_opts(opts, &o, err);
    if (st)
        return st;
    int K = F->K;
    if (max_times != 0 && (max_times < 2 || max_times > K)) {
        char text[16];
        snprintf(text, sizeof text, "%d", max_times);
        return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "max_captures",
                            text, strlen(text),
                            "%d frequencies to fit: give 2 to the %d "
                            "occasions (0: all)", max_times, K);
    }
    int T = max_times ? max_times : K; /* rows fitted: f_1 .. f_T */
    double n = (double)F->n;
    toll__mse_est_init(out, TOLL_MSE_LOGLINEAR, 0);
    snprintf(out->model_name, sizeof out->model_name, "%s", mname);
    out->observed = n;
    if (m != TOLL_MSE_FREQ_M0 && T < 3)
        return toll__err(err, TOLL_EMODEL,
                         "model %s needs the frequencies of at least 3 "
                         "numbers of captures (with %d, only M0 can be "
                         "fitted)", mname, T);
    int64_t multi = 0;
    for (int i = 2; i <= T; i++)
        multi += F->f[i];
    if (multi == 0)
        return toll__err(err, TOLL_EMODEL,
                         "model %s: no individual was caught 2 to %d times, "
                         "so the number never caught cannot be estimated",
                         mname, T);

    /* columns: intercept, i, then the heterogeneity term(s) */
    ffit w;
    memset(&w, 0, sizeof w);
    w.a = &F->alloc;
    w.n = (size_t)T;
    w.pmax = m == TOLL_MSE_FREQ_M0 ? 2
             : m == TOLL_MSE_FREQ_CHAO ? (size_t)T
                                       : 3;
    size_t N = w.n, P = w.pmax;
    w.X = toll__alloc(w.a, N * P * sizeof(double));
    w.Xa = toll__alloc(w.a, N * P * sizeof(double));
    w.off = toll__alloc(w.a, N * sizeof(double));
    w.y = toll__alloc(w.a, N * sizeof(double));
    w.beta = toll__alloc(w.a, P * sizeof(double));
    w.cov = toll__alloc(w.a, P * P * sizeof(double));
    w.mu = toll__alloc(w.a, N * sizeof(double));
    unsigned char use[TOLL_MSE_FREQ_MAX_OCCASIONS];
    if (!w.X || !w.Xa || !w.off || !w.y || !w.beta || !w.cov || !w.mu) {
        ffit_free(&w);
        return toll__nomem(err);
    }
    for (int i = 1; i <= T; i++) {
        size_t r = (size_t)(i - 1);
        double *x = w.X + r * P;
        x[0] = 1.0;
        x[1] = (double)i;
        if (m == TOLL_MSE_FREQ_CHAO)
            for (int j = 3; j <= T; j++)
                x[j - 1] = i - j + 1 > 0 ? (double)(i - j + 1) : 0.0;
        else if (m != TOLL_MSE_FREQ_M0)
            x[2] = h_term(m, i);
        w.off[r] = gsl_sf_lnchoose((unsigned)K, (unsigned)i);
        w.y[r] = (double)F->f[i];
    }
    for (size_t k = 0; k < P; k++)
        use[k] = 1;

    size_t p = 0;
    double dev = 0.0;
    int iters = 0, removed = 0, kept_failed = 0;
    st = ffit_run(&w, use, &p, &o, &dev, &iters);
    if (st) {
        st = fit_error(st, mname, o.max_iter, err);
        goto done;
    }
    if (m == TOLL_MSE_FREQ_CHAO) {
        /* Rcapture's neg = TRUE: drop the first negative eta and refit,
         * until none is negative; if a refit fails, keep the last fit */
        for (;;) {
            size_t k = 0, col = 0;
            int found = 0;
            for (size_t c = 0; c < P; c++) {
                if (!use[c])
                    continue;
                if (c >= 2 && w.beta[k] < 0) {
                    col = c;
                    found = 1;
                    break;
                }
                k++;
            }
            if (!found)
                break;
            /* a failed refit leaves w.beta, w.cov and w.mu as they were */
            double sdev = dev;
            int sit = iters;
            size_t sp = p;
            use[col] = 0;
            st = ffit_run(&w, use, &p, &o, &dev, &iters);
            if (st == TOLL_ENOMEM) {
                st = toll__nomem(err);
                goto done;
            }
            if (st) {
                use[col] = 1;
                dev = sdev;
                iters = sit;
                p = sp;
                kept_failed = 1;
                st = TOLL_OK;
            } else {
                removed++;
            }
            if (kept_failed)
                break;
        }
    }

    double b0 = w.beta[0], mu0 = exp(b0);
    if (!isfinite(mu0) || mu0 > 1e15) {
        st = toll__err(err, TOLL_EMODEL,
                       "model %s: the estimated number never caught is "
                       "unbounded (intercept %g)", mname, b0);
        goto done;
    }
    double var = mu0 + mu0 * mu0 * w.cov[0];
    double loglik = 0.0;
    for (size_t r = 0; r < N; r++)
        loglik += (w.y[r] > 0 ? w.y[r] * log(w.mu[r]) : 0.0) - w.mu[r] -
                  gsl_sf_lngamma(w.y[r] + 1.0);
    out->n_hat = n + mu0;
    out->n_profile = out->n_hat;
    out->se = sqrt(var);
    out->deviance = dev;
    out->npar = (int)p;
    out->df = T - (int)p;
    out->loglik = loglik;
    out->aic = -2.0 * loglik + 2.0 * (double)p;
    out->bic = -2.0 * loglik + (double)p * log(n);
    out->iterations = iters;
    toll__mse_lognormal_ci(n, out->n_hat, var, o.level, &out->lo, &out->hi);
    out->interval = TOLL_MSE_CI_LOGNORMAL;
    if (out->df == 0)
        toll__mse_warn(out, TOLL_MSE_W_DF0,
                       "df = 0: the model reproduces the frequencies "
                       "exactly, so its fit cannot be checked");
    if (removed)
        toll__mse_warn(out, 0, "%d negative eta parameter%s set to zero",
                       removed, removed == 1 ? "" : "s");
    if (kept_failed)
        toll__mse_warn(out, 0, "a negative eta parameter was kept: the fit "
                               "without it failed");
    if (out->n_hat > 10.0 * n)
        toll__mse_warn(out, TOLL_MSE_W_SPARSE,
                       "estimate is more than 10 times the observed count");
    st = TOLL_OK;
done:
    ffit_free(&w);
    return st;
}

/* ---- table -------------------------------------------------------------------- */

toll_status toll_mse_freq_table(const toll_mse_freq *F,
                                const toll_mse_estimate *const *est, size_t n,
                                const toll_allocator *alloc, toll_table **out,
                                toll_error *err)
{
    if (out)
        *out = NULL;
    if (!F || !out)
        return toll__err(err, TOLL_EINVAL,
                         "toll_mse_freq_table: argument is NULL");
    const toll_allocator *a = alloc ? alloc : &F->alloc;
    /* the columns are those of every MSE estimate: one rule, one home */
    toll_mse_data *d = NULL;
    toll_status st = toll_mse_data_new(0, NULL, a, &d, err);
    if (!st)
        st = toll_mse_estimates_table(d, est, n, 0, a, out, err);
    toll_mse_data_free(d);
    if (st)
        return st;
    char cap[160];
    snprintf(cap, sizeof cap,
             "heterogeneity models on capture frequencies: %d occasions, "
             "%lld observed", F->K, (long long)F->n);
    st = toll__table_set_caption(*out, cap);
    if (st) {
        toll_table_free(*out);
        *out = NULL;
        return toll__nomem(err);
    }
    return TOLL_OK;
}
