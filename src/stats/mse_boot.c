/*
 * src/stats/mse_boot.c - bootstrap intervals that include the choice of
 * the log-linear model (toll_mse_bootstrap, include/toll/mse.h).
 *
 * Every replicate resamples the counts of a copy of the data set (one
 * copy per thread: same lists and strata, counts overwritten) and runs
 * toll_mse_search on it (or toll_mse_loglinear for a fixed model): the
 * search has one home, src/stats/mse_loglin.c.  Replicate b of stratum s
 * draws from its own GSL taus2 generator seeded with
 * toll__mse_stream_seed(seed, s, b), and its results go to slot b, so
 * the numbers do not depend on the threads.  Method notes: docs/mse.md.
 */
#include "stats/mse.h"

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sort.h>
#include <gsl/gsl_statistics_double.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_THREADS 64
/* Largest population a parametric replicate draws (GSL's multinomial
 * counts are unsigned int). */
#define MAX_POPULATION 2147483648.0

struct toll_mse_boot_result {
    toll_allocator alloc;
    toll_mse_boot_summary sum;
    toll_mse_results *res;   /* the search on the data (select 1) */
    toll_mse_estimate est;   /* the selected (or given) model on the data */
    size_t nok;              /* B - failed */
    double *draws;           /* 2 x nok: selected, then average */
    size_t nsel;
    toll_mse_boot_selection *sel;
    char fail_msg[640];
};

const char *toll_mse_boot_method_name(toll_mse_boot_method m)
{
    return m == TOLL_MSE_BOOT_PARAMETRIC ? "parametric" : "multinomial";
}

toll_status toll_mse_boot_method_parse(const char *s,
                                       toll_mse_boot_method *out,
                                       toll_error *err)
{
    if (!s || !out)
        return toll__err(err, TOLL_EINVAL, "toll_mse_boot_method_parse: "
                                           "NULL argument");
    size_t n = strlen(s);
    if (toll__strncaseeq(s, n, "multinomial"))
        *out = TOLL_MSE_BOOT_MULTINOMIAL;
    else if (toll__strncaseeq(s, n, "parametric"))
        *out = TOLL_MSE_BOOT_PARAMETRIC;
    else
        return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "method", s, n,
                            "bootstrap method \"%s\" is not multinomial or "
                            "parametric", s);
    return TOLL_OK;
}

void toll_mse_boot_options_init(toll_mse_boot_options *o)
{
    if (!o)
        return;
    memset(o, 0, sizeof *o);
    o->replicates = 1000;
    o->seed = 1;
    o->threads = 0;
    o->level = 0.95;
    o->method = TOLL_MSE_BOOT_MULTINOMIAL;
    o->select = 1;
    o->model = 0;
}

static toll_status check_opts(const toll_mse_boot_options *o,
                              toll_error *err)
{
    char t[48];
    if (o->replicates < 1 || o->replicates > TOLL_MSE_BOOT_MAX_REPLICATES) {
        snprintf(t, sizeof t, "%zu", o->replicates);
        return toll__mse_bad_opt(err, "replicates", t, "1 to 1000000");
    }
    if (o->threads < 0 || o->threads > MAX_THREADS) {
        snprintf(t, sizeof t, "%d", o->threads);
        return toll__mse_bad_opt(err, "threads", t, "0 (the CPUs online) to 64");
    }
    if (!(o->level > 0.0 && o->level < 1.0)) {
        snprintf(t, sizeof t, "%g", o->level);
        return toll__mse_bad_opt(err, "level", t, "between 0 and 1 (exclusive)");
    }
    if (o->method != TOLL_MSE_BOOT_MULTINOMIAL &&
        o->method != TOLL_MSE_BOOT_PARAMETRIC) {
        snprintf(t, sizeof t, "%d", (int)o->method);
        return toll__mse_bad_opt(err, "method", t, "multinomial or parametric");
    }
    if (o->select != 0 && o->select != 1) {
        snprintf(t, sizeof t, "%d", o->select);
        return toll__mse_bad_opt(err, "select", t, "0 or 1");
    }
    return TOLL_OK;
}

/* ---- one replicate ------------------------------------------------------- */

/* What replicates draw from, per stratum of the estimate. */
typedef struct bt_stratum {
    size_t index;        /* stratum of the data set */
    size_t ncat;         /* categories of the multinomial */
    unsigned *cell;      /* ncat cells (patterns; parametric: all 2^K) */
    double *p;           /* ncat weights */
    unsigned n;          /* individuals drawn */
} bt_stratum;

typedef struct bt_shared {
    const toll_mse_data *d;
    const toll_mse_boot_options *o;
    toll_mse_criterion crit;
    const bt_stratum *st;
    size_t nst;
    size_t B, nthreads;
    double *sel, *avg;       /* B each */
    toll_mse_model *model;   /* B */
    unsigned char *failed;   /* B */
} bt_shared;

typedef struct bt_worker {
    bt_shared *sh;
    size_t first;
    toll_mse_data *rd;       /* this thread's copy */
    unsigned *cnt;           /* 2^K */
    pthread_t tid;
    int started;
    toll_status fatal;       /* an error other than a failed fit */
    size_t fatal_b, fail_b;  /* the replicate of each (first) */
    toll_error fatal_err;
    char fail_msg[640];
} bt_worker;

static toll_status one_replicate(bt_worker *w, size_t b, gsl_rng *r,
                                 toll_error *err)
{
    bt_shared *sh = w->sh;
    toll_mse_data *rd = w->rd;
    for (size_t i = 0; i < sh->nst; i++) {
        const bt_stratum *s = &sh->st[i];
        gsl_rng_set(r, (unsigned long)(toll__mse_stream_seed(
                                           sh->o->seed, s->index, b) &
                                       0xffffffffu));
        int64_t *row = rd->counts + i * rd->ncells;
        memset(row, 0, rd->ncells * sizeof *row);
        if (s->ncat == 0)
            continue;
        gsl_ran_multinomial(r, s->ncat, s->n, s->p, w->cnt);
        for (size_t c = 0; c < s->ncat; c++)
            if (s->cell[c] != 0)
                row[s->cell[c]] = (int64_t)w->cnt[c];
    }
    size_t at = sh->nst > 1 ? TOLL_MSE_TOTAL : 0;
    toll_mse_options fo;
    toll_mse_options_init(&fo);
    fo.profile = 0; /* only N-hat is kept */
    toll_status st;
    if (sh->o->select) {
        toll_mse_results *res = NULL;
        st = toll_mse_search(rd, at, sh->crit, &fo, NULL, &res, err);
        if (!st) {
            const toll_mse_estimate *best = toll_mse_results_get(res, 0);
            sh->sel[b] = best->n_hat;
            sh->model[b] = best->model;
            sh->avg[b] = toll_mse_results_average(res)->n_hat;
        }
        toll_mse_results_free(res);
    } else {
        toll_mse_estimate e;
        st = toll_mse_loglinear(rd, at, sh->o->model, &fo, &e, err);
        if (!st) {
            sh->sel[b] = sh->avg[b] = e.n_hat;
            sh->model[b] = sh->o->model;
        }
    }
    return st;
}

static void *boot_thread(void *arg)
{
    bt_worker *w = arg;
    bt_shared *sh = w->sh;
    gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
    if (!r) {
        w->fatal = toll__nomem(&w->fatal_err);
        w->fatal_b = w->first;
        return NULL;
    }
    for (size_t b = w->first; b < sh->B; b += sh->nthreads) {
        toll_error e;
        toll_error_clear(&e);
        toll_status st = one_replicate(w, b, r, &e);
        if (st == TOLL_EMODEL || st == TOLL_ENUMERIC) {
            sh->failed[b] = 1;
            if (w->fail_b == (size_t)-1) {
                w->fail_b = b;
                snprintf(w->fail_msg, sizeof w->fail_msg, "%s", e.message);
            }
        } else if (st) {
            w->fatal = st;
            w->fatal_b = b;
            w->fatal_err = e;
            break;
        }
    }
    gsl_rng_free(r);
    return NULL;
}

/* ---- setting up ------------------------------------------------------------ */

/* The multinomial categories of stratum s: its observed patterns
 * (nonparametric), or every cell with the model's fitted probabilities
 * (parametric; cell 0 is drawn and dropped). */
static toll_status make_stratum(const toll_mse_data *d, size_t s,
                                const toll_mse_boot_options *o,
                                toll_mse_model model, double *fitted,
                                bt_stratum *out, toll_error *err)
{
    out->index = s;
    out->ncat = 0;
    const int64_t *row = d->counts + s * d->ncells;
    if (o->method == TOLL_MSE_BOOT_MULTINOMIAL) {
        int64_t n = 0;
        for (unsigned p = 1; p < d->ncells; p++)
            if (row[p] > 0) {
                out->cell[out->ncat] = p;
                out->p[out->ncat] = (double)row[p];
                out->ncat++;
                n += row[p];
            }
        if ((double)n >= MAX_POPULATION)
            return toll__err(err, TOLL_EMODEL,
                             "bootstrap: stratum '%s' has %lld observed, "
                             "more than the 2^31 a resample can draw",
                             d->strata[s], (long long)n);
        out->n = (unsigned)n;
        return TOLL_OK;
    }
    toll_mse_options fo;
    toll_mse_options_init(&fo);
    fo.profile = 0;
    toll_status st = toll_mse_loglinear_detail(d, s, model, &fo, fitted,
                                               d->ncells, NULL, NULL, 0,
                                               NULL, err);
    if (st)
        return st;
    double N = 0.0;
    for (unsigned p = 0; p < d->ncells; p++)
        N += fitted[p];
    if (!(N < MAX_POPULATION))
        return toll__err(err, TOLL_EMODEL,
                         "parametric bootstrap: N-hat %.6g of stratum '%s' "
                         "is above the 2^31 a resample can draw", N,
                         d->strata[s]);
    for (unsigned p = 0; p < d->ncells; p++) {
        out->cell[p] = p;
        out->p[p] = fitted[p] > 0.0 ? fitted[p] : 0.0;
    }
    out->ncat = d->ncells;
    out->n = (unsigned)llround(N);
    return TOLL_OK;
}

/* A copy of the lists and of the strata `st` of d, with zero counts. */
static toll_status copy_shape(const toll_mse_data *d, const bt_stratum *st,
                              size_t nst, toll_mse_data **out,
                              toll_error *err)
{
    toll_mse_data *rd = NULL;
    toll_status s = toll_mse_data_new(d->K, (const char *const *)d->names,
                                      &d->alloc, &rd, err);
    for (size_t i = 0; !s && i < nst; i++) {
        const char *nm = d->strata[st[i].index];
        size_t idx = 0;
        s = toll__mse_stratum_get(rd, nm, strlen(nm), &idx, err);
    }
    if (s) {
        toll_mse_data_free(rd);
        return s;
    }
    *out = rd;
    return TOLL_OK;
}

static int cmp_model(const void *a, const void *b)
{
    toll_mse_model x = *(const toll_mse_model *)a,
                   y = *(const toll_mse_model *)b;
    return x < y ? -1 : x > y;
}

static int cmp_sel(const void *a, const void *b)
{
    const toll_mse_boot_selection *x = a, *y = b;
    if (x->count != y->count)
        return x->count > y->count ? -1 : 1;
    return x->model < y->model ? -1 : x->model > y->model;
}

static void percentile(double *sorted, size_t n, double level, double *med,
                       double *lo, double *hi)
{
    gsl_sort(sorted, 1, n);
    *med = gsl_stats_quantile_from_sorted_data(sorted, 1, n, 0.5);
    *lo = gsl_stats_quantile_from_sorted_data(sorted, 1, n,
                                              (1.0 - level) / 2.0);
    *hi = gsl_stats_quantile_from_sorted_data(sorted, 1, n,
                                              (1.0 + level) / 2.0);
}

toll_status toll_mse_bootstrap(const toll_mse_data *d, size_t stratum,
                               toll_mse_criterion criterion,
                               const toll_mse_boot_options *opts,
                               const toll_allocator *alloc,
                               toll_mse_boot_result **out, toll_error *err)
{
    if (out)
        *out = NULL;
    if (!out || !d)
        return toll__err(err, TOLL_EINVAL,
                         "toll_mse_bootstrap: argument is NULL");
    toll_mse_boot_options o;
    if (opts)
        o = *opts;
    else
        toll_mse_boot_options_init(&o);
    toll_status st = check_opts(&o, err);
    if (st)
        return st;
    if (criterion != TOLL_MSE_AIC && criterion != TOLL_MSE_BIC)
        return toll__err(err, TOLL_EINVAL, "unknown model criterion %d",
                         (int)criterion);
    if ((st = toll__mse_check_stratum(d, stratum, err)))
        return st;

    const toll_allocator *ta = &d->alloc;
    toll_mse_boot_result *res = NULL;
    bt_stratum *sts = NULL;
    unsigned *cells = NULL;
    double *ps = NULL, *fitted = NULL, *sorted = NULL;
    double *sel = NULL, *avg = NULL;
    toll_mse_model *model = NULL;
    unsigned char *failed = NULL;
    bt_worker *wk = NULL;
    size_t nst = stratum == TOLL_MSE_TOTAL ? d->nstrata : 1;
    size_t B = o.replicates, nthreads = 0, nok = 0;
    size_t nc = d->ncells;

    const toll_allocator *ra = alloc ? alloc : &d->alloc;
    if (!(res = toll__calloc(ra, 1, sizeof *res)))
        goto nomem;
    toll__alloc_init(&res->alloc, ra);

    /* the estimate on the data */
    toll_mse_options fo;
    toll_mse_options_init(&fo);
    fo.level = o.level;
    if (o.select) {
        st = toll_mse_search(d, stratum, criterion, &fo, ra, &res->res, err);
        if (st)
            goto cleanup;
        res->est = *toll_mse_results_get(res->res, 0);
    } else {
        st = toll_mse_loglinear(d, stratum, o.model, &fo, &res->est, err);
        if (st)
            goto cleanup;
    }
    toll_mse_boot_summary *S = &res->sum;
    S->stratum = stratum;
    S->method = o.method;
    S->criterion = criterion;
    S->select = o.select;
    S->level = o.level;
    S->replicates = B;
    S->observed = res->est.observed;
    snprintf(S->model_name, sizeof S->model_name, "%s",
             res->est.model_name);
    S->n_hat = res->est.n_hat;
    S->avg_n_hat = o.select ? toll_mse_results_average(res->res)->n_hat
                            : res->est.n_hat;

    /* what the replicates draw from */
    if (!(sts = toll__calloc(ta, nst, sizeof *sts)) ||
        !(cells = toll__alloc(ta, nst * nc * sizeof *cells)) ||
        !(ps = toll__alloc(ta, nst * nc * sizeof *ps)) ||
        !(fitted = toll__alloc(ta, nc * sizeof *fitted)))
        goto nomem;
    for (size_t i = 0; i < nst; i++) {
        sts[i].cell = cells + i * nc;
        sts[i].p = ps + i * nc;
        size_t s = stratum == TOLL_MSE_TOTAL ? i : stratum;
        if ((st = make_stratum(d, s, &o, res->est.model, fitted, &sts[i],
                               err)))
            goto cleanup;
    }

    /* the replicates, on threads */
    if (!(sel = toll__alloc(ta, B * sizeof *sel)) ||
        !(avg = toll__alloc(ta, B * sizeof *avg)) ||
        !(model = toll__alloc(ta, B * sizeof *model)) ||
        !(failed = toll__calloc(ta, B, sizeof *failed)))
        goto nomem;
    nthreads = o.threads > 0 ? (size_t)o.threads : toll__mse_cpus_online();
    if (nthreads > B)
        nthreads = B;
    if (!(wk = toll__calloc(ta, nthreads, sizeof *wk)))
        goto nomem;
    bt_shared sh = {d, &o, criterion, sts, nst, B, nthreads,
                    sel, avg, model, failed};
    for (size_t t = 0; t < nthreads; t++) {
        wk[t].sh = &sh;
        wk[t].first = t;
        wk[t].fail_b = (size_t)-1;
        if (!(wk[t].cnt = toll__alloc(ta, nc * sizeof *wk[t].cnt)))
            goto nomem;
        if ((st = copy_shape(d, sts, nst, &wk[t].rd, err)))
            goto cleanup;
    }
    for (size_t t = 1; t < nthreads; t++)
        wk[t].started =
            pthread_create(&wk[t].tid, NULL, boot_thread, &wk[t]) == 0;
    /* a worker that could not be started: its replicates run here */
    for (size_t t = 0; t < nthreads; t++)
        if (t == 0 || !wk[t].started)
            boot_thread(&wk[t]);
    for (size_t t = 1; t < nthreads; t++)
        if (wk[t].started)
            pthread_join(wk[t].tid, NULL);
    size_t fb = (size_t)-1, ft = 0, xb = (size_t)-1, xt = 0;
    for (size_t t = 0; t < nthreads; t++) {
        if (wk[t].fatal && wk[t].fatal_b < xb)
            xb = wk[t].fatal_b, xt = t;
        if (wk[t].fail_b < fb)
            fb = wk[t].fail_b, ft = t;
    }
    if (xb != (size_t)-1) {
        st = wk[xt].fatal;
        if (err)
            *err = wk[xt].fatal_err;
        goto cleanup;
    }
    if (fb != (size_t)-1)
        snprintf(res->fail_msg, sizeof res->fail_msg, "replicate %zu: %.600s",
                 fb + 1, wk[ft].fail_msg);

    /* draws, selection frequencies, intervals */
    for (size_t b = 0; b < B; b++)
        nok += !failed[b];
    S->failed = B - nok;
    if (nok == 0) {
        st = toll__err(err, TOLL_EMODEL, "bootstrap: no model could be "
                                         "fitted in any of the %zu "
                                         "resamples (%s)", B, res->fail_msg);
        goto cleanup;
    }
    if (!(res->draws = toll__alloc(ra, 2 * nok * sizeof *res->draws)))
        goto nomem;
    res->nok = nok;
    for (size_t b = 0, k = 0; b < B; b++)
        if (!failed[b]) {
            res->draws[k] = sel[b];
            res->draws[nok + k] = avg[b];
            model[k] = model[b];
            k++;
        }
    /* count by model: sort a copy of the models */
    qsort(model, nok, sizeof *model, cmp_model);
    size_t nsel = 0;
    for (size_t k = 0; k < nok; k++)
        nsel += k == 0 || model[k] != model[k - 1];
    if (!(res->sel = toll__calloc(ra, nsel, sizeof *res->sel)))
        goto nomem;
    res->nsel = nsel;
    for (size_t k = 0, i = (size_t)-1; k < nok; k++) {
        if (k == 0 || model[k] != model[k - 1]) {
            i++;
            res->sel[i].model = model[k];
            toll_mse_model_format(d, model[k], res->sel[i].model_name,
                                  sizeof res->sel[i].model_name);
        }
        res->sel[i].count++;
    }
    for (size_t i = 0; i < nsel; i++)
        res->sel[i].share = (double)res->sel[i].count / (double)nok;
    qsort(res->sel, nsel, sizeof *res->sel, cmp_sel);
    if (!(sorted = toll__alloc(ta, nok * sizeof *sorted)))
        goto nomem;
    memcpy(sorted, res->draws, nok * sizeof *sorted);
    percentile(sorted, nok, o.level, &S->median, &S->lo, &S->hi);
    memcpy(sorted, res->draws + nok, nok * sizeof *sorted);
    percentile(sorted, nok, o.level, &S->avg_median, &S->avg_lo,
               &S->avg_hi);

    *out = res;
    res = NULL;
    st = TOLL_OK;
    goto cleanup;
nomem:
    st = toll__nomem(err);
cleanup:
    if (wk) {
        for (size_t t = 0; t < nthreads; t++) {
            toll_mse_data_free(wk[t].rd);
            if (wk[t].cnt)
                toll__free(ta, wk[t].cnt, nc * sizeof *wk[t].cnt);
        }
        toll__free(ta, wk, nthreads * sizeof *wk);
    }
    if (sorted)
        toll__free(ta, sorted, nok * sizeof *sorted);
    if (sel)
        toll__free(ta, sel, B * sizeof *sel);
    if (avg)
        toll__free(ta, avg, B * sizeof *avg);
    if (model)
        toll__free(ta, model, B * sizeof *model);
    if (failed)
        toll__free(ta, failed, B * sizeof *failed);
    if (fitted)
        toll__free(ta, fitted, nc * sizeof *fitted);
    if (ps)
        toll__free(ta, ps, nst * nc * sizeof *ps);
    if (cells)
        toll__free(ta, cells, nst * nc * sizeof *cells);
    if (sts)
        toll__free(ta, sts, nst * sizeof *sts);
    toll_mse_boot_free(res);
    return st;
}

void toll_mse_boot_free(toll_mse_boot_result *r)
{
    if (!r)
        return;
    toll_allocator a = r->alloc;
    toll_mse_results_free(r->res);
    if (r->draws)
        toll__free(&a, r->draws, 2 * r->nok * sizeof *r->draws);
    if (r->sel)
        toll__free(&a, r->sel, r->nsel * sizeof *r->sel);
    toll__free(&a, r, sizeof *r);
}

const toll_mse_boot_summary *
toll_mse_boot_summary_get(const toll_mse_boot_result *r)
{
    return r ? &r->sum : NULL;
}

const toll_mse_results *toll_mse_boot_results(const toll_mse_boot_result *r)
{
    return r ? r->res : NULL;
}

const toll_mse_estimate *
toll_mse_boot_estimate(const toll_mse_boot_result *r)
{
    return r ? &r->est : NULL;
}

const double *toll_mse_boot_draws(const toll_mse_boot_result *r, int average,
                                  size_t *n)
{
    if (n)
        *n = r ? r->nok : 0;
    if (!r || !r->nok)
        return NULL;
    return r->draws + (average ? r->nok : 0);
}

size_t toll_mse_boot_nselected(const toll_mse_boot_result *r)
{
    return r ? r->nsel : 0;
}

const toll_mse_boot_selection *
toll_mse_boot_selection_get(const toll_mse_boot_result *r, size_t i)
{
    return r && i < r->nsel ? &r->sel[i] : NULL;
}

const char *toll_mse_boot_fail_message(const toll_mse_boot_result *r)
{
    return r ? r->fail_msg : "";
}
