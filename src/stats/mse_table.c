/*
 * src/stats/mse_table.c - MSE estimates as toll tables (for the CLI's csv, json,
 * markdown and text output, and for Python).
 */
#include "stats/mse.h"

#include <math.h>
#include <stdio.h>

enum {
    C_MODEL, C_METHOD, C_STRATUM, C_OBSERVED, C_NHAT, C_SE, C_LOWER,
    C_UPPER, C_INTERVAL, C_DEVIANCE, C_DF, C_AIC, C_BIC, C_WEIGHT, C_DELTA,
    C_WARNING, C_COUNT
};

static const char *const col_names[C_COUNT] = {
    "model", "method", "stratum", "observed", "n_hat", "se", "lower",
    "upper", "interval", "deviance", "df", "aic", "bic", "weight", "delta",
    "warning"};

static int col_is_string(int c)
{
    return c == C_MODEL || c == C_METHOD || c == C_STRATUM ||
           c == C_INTERVAL || c == C_WARNING;
}

static toll_status put_str(toll_table *t, size_t j, size_t r, const char *s)
{
    uint32_t code;
    toll_status st = toll__table_dict_add(t, j, s, strlen(s), &code);
    if (!st)
        ((uint32_t *)t->cols[j].data)[r] = code;
    return st;
}

/* The caption of every MSE table: the lists, strata and observed. */
static toll_status set_caption(const toll_mse_data *d, toll_table *t)
{
    toll__buf cap;
    toll__buf_init(&cap, &d->alloc);
    toll_status st = toll__buf_appendf(
        &cap, "multiple systems estimation: %d lists (", d->K);
    for (int j = 0; j < d->K && !st; j++)
        st = toll__buf_appendf(&cap, "%s%s", j ? ", " : "", d->names[j]);
    if (!st)
        st = toll__buf_appendf(
            &cap, "), %zu strat%s, %lld observed", d->nstrata,
            d->nstrata == 1 ? "um" : "a",
            (long long)toll_mse_data_observed(d, TOLL_MSE_TOTAL));
    if (!st)
        st = toll__table_set_caption(t, cap.data);
    toll__buf_free(&cap);
    return st;
}

/* The table built (st TOLL_OK) captioned into *out, or freed with the
 * error named after `what`. */
static toll_status table_done(const toll_mse_data *d, toll_table *t,
                              toll_status st, const char *what,
                              toll_table **out, toll_error *err)
{
    if (!st)
        st = set_caption(d, t);
    if (st) {
        toll_table_free(t);
        return st == TOLL_ENOMEM ? toll__nomem(err)
                                 : toll__err(err, st, "cannot build the %s "
                                                      "table", what);
    }
    t->nkeys = 0;
    *out = t;
    return TOLL_OK;
}

toll_status toll_mse_estimates_table(const toll_mse_data *d,
                                     const toll_mse_estimate *const *est,
                                     size_t n, int ranked,
                                     const toll_allocator *alloc,
                                     toll_table **out, toll_error *err)
{
    if (out)
        *out = NULL;
    if (!d || !out || (n && !est))
        return toll__err(err, TOLL_EINVAL,
                         "toll_mse_estimates_table: argument is NULL");
    for (size_t i = 0; i < n; i++)
        if (!est[i])
            return toll__err(err, TOLL_EINVAL,
                             "toll_mse_estimates_table: estimate %zu is NULL",
                             i);
    int strata = d->nstrata > 1;
    int map[C_COUNT]; /* output column of each kind, -1: absent */
    size_t ncols = 0;
    for (int c = 0; c < C_COUNT; c++) {
        int on = (c != C_STRATUM || strata) &&
                 ((c != C_WEIGHT && c != C_DELTA) || ranked);
        map[c] = on ? (int)ncols++ : -1;
    }
    toll_table *t = NULL;
    toll_status st = toll__table_new(alloc ? alloc : &d->alloc, ncols, n, &t);
    for (int c = 0; c < C_COUNT && !st; c++)
        if (map[c] >= 0)
            st = toll__table_set_column(t, (size_t)map[c], col_names[c],
                                        col_is_string(c) ? TOLL_COL_STRING
                                                         : TOLL_COL_DOUBLE);
    for (size_t r = 0; r < n && !st; r++) {
        const toll_mse_estimate *e = est[r];
        const char *model = e->model_name;
        if (e->method == TOLL_MSE_MODEL_AVERAGE)
            model = "model average";
        else if (e->method == TOLL_MSE_CHAO && !model[0])
            model = "all lists";
        const char *stratum = "total";
        if (e->stratum != TOLL_MSE_TOTAL) {
            const char *nm = toll_mse_data_stratum_name(d, e->stratum);
            stratum = nm ? nm : "";
        }
        const char *interval =
            e->interval == TOLL_MSE_CI_PROFILE
                ? "profile"
                : e->interval == TOLL_MSE_CI_LOGNORMAL ? "log-normal" : "";
        double num[C_COUNT];
        for (int c = 0; c < C_COUNT; c++)
            num[c] = NAN;
        num[C_OBSERVED] = e->observed;
        num[C_NHAT] = e->n_hat;
        num[C_SE] = e->se;
        num[C_LOWER] = e->lo;
        num[C_UPPER] = e->hi;
        if (e->method == TOLL_MSE_LOGLINEAR) {
            num[C_DEVIANCE] = e->deviance;
            num[C_DF] = (double)e->df;
            num[C_AIC] = e->aic;
            num[C_BIC] = e->bic;
        }
        if (ranked) {
            num[C_WEIGHT] = e->method == TOLL_MSE_MODEL_AVERAGE ? 1.0
                                                                : e->weight;
            num[C_DELTA] = e->method == TOLL_MSE_MODEL_AVERAGE ? NAN
                                                               : e->delta;
        }
        for (int c = 0; c < C_COUNT && !st; c++) {
            if (map[c] < 0)
                continue;
            size_t j = (size_t)map[c];
            switch (c) {
            case C_MODEL: st = put_str(t, j, r, model); break;
            case C_METHOD:
                st = put_str(t, j, r, toll_mse_method_name(e->method));
                break;
            case C_STRATUM: st = put_str(t, j, r, stratum); break;
            case C_INTERVAL: st = put_str(t, j, r, interval); break;
            case C_WARNING: st = put_str(t, j, r, e->warning); break;
            default: ((double *)t->cols[j].data)[r] = num[c]; break;
            }
        }
    }
    return table_done(d, t, st, "estimates", out, err);
}

toll_status toll_mse_results_table(const toll_mse_data *d,
                                   const toll_mse_results *res,
                                   const toll_allocator *alloc,
                                   toll_table **out, toll_error *err)
{
    if (out)
        *out = NULL;
    if (!d || !res || !out)
        return toll__err(err, TOLL_EINVAL,
                         "toll_mse_results_table: argument is NULL");
    size_t n = toll_mse_results_count(res);
    const toll_mse_estimate **v =
        toll__alloc(&d->alloc, (n + 1) * sizeof *v);
    if (!v)
        return toll__nomem(err);
    for (size_t i = 0; i < n; i++)
        v[i] = toll_mse_results_get(res, i);
    v[n] = toll_mse_results_average(res);
    size_t m = v[n] ? n + 1 : n;
    toll_status st = toll_mse_estimates_table(d, v, m, 1, alloc, out, err);
    toll__free(&d->alloc, v, (n + 1) * sizeof *v);
    return st;
}

/* ---- leave-one-list-out ----------------------------------------------------- */

enum {
    O_DROPPED, O_LISTS, O_MODEL, O_STRATUM, O_OBSERVED, O_NHAT, O_SE,
    O_LOWER, O_UPPER, O_INTERVAL, O_WARNING, O_COUNT
};

static const char *const loo_cols[O_COUNT] = {
    "dropped", "lists", "model", "stratum", "observed", "n_hat", "se",
    "lower", "upper", "interval", "warning"};

toll_status toll__mse_loo_table(const toll_mse_data *d,
                                const toll__mse_loo_row *rows, size_t n,
                                const toll_allocator *alloc, toll_table **out,
                                toll_error *err)
{
    int strata = d->nstrata > 1;
    int map[O_COUNT];
    size_t ncols = 0;
    for (int c = 0; c < O_COUNT; c++)
        map[c] = (c != O_STRATUM || strata) ? (int)ncols++ : -1;
    toll_table *t = NULL;
    toll_status st = toll__table_new(alloc ? alloc : &d->alloc, ncols, n, &t);
    for (int c = 0; c < O_COUNT && !st; c++) {
        int str = c <= O_STRATUM || c == O_INTERVAL || c == O_WARNING;
        if (map[c] >= 0)
            st = toll__table_set_column(t, (size_t)map[c], loo_cols[c],
                                        str ? TOLL_COL_STRING
                                            : TOLL_COL_DOUBLE);
    }
    for (size_t r = 0; r < n && !st; r++) {
        const toll__mse_loo_row *row = &rows[r];
        const toll_mse_estimate *e = &row->est;
        const char *stratum = "total";
        if (e->stratum != TOLL_MSE_TOTAL) {
            const char *nm = toll_mse_data_stratum_name(d, e->stratum);
            stratum = nm ? nm : "";
        }
        const char *interval =
            e->interval == TOLL_MSE_CI_PROFILE
                ? "profile"
                : e->interval == TOLL_MSE_CI_LOGNORMAL ? "log-normal" : "";
        double num[O_COUNT];
        num[O_OBSERVED] = e->observed;
        num[O_NHAT] = e->n_hat;
        num[O_SE] = e->se;
        num[O_LOWER] = e->lo;
        num[O_UPPER] = e->hi;
        for (int c = 0; c < O_COUNT && !st; c++) {
            if (map[c] < 0)
                continue;
            size_t j = (size_t)map[c];
            switch (c) {
            case O_DROPPED: st = put_str(t, j, r, row->dropped); break;
            case O_LISTS: st = put_str(t, j, r, row->lists); break;
            case O_MODEL: st = put_str(t, j, r, e->model_name); break;
            case O_STRATUM: st = put_str(t, j, r, stratum); break;
            case O_INTERVAL: st = put_str(t, j, r, interval); break;
            case O_WARNING: st = put_str(t, j, r, row->warning); break;
            default: ((double *)t->cols[j].data)[r] = num[c]; break;
            }
        }
    }
    return table_done(d, t, st, "leave-one-list-out", out, err);
}

/* ---- LCMCR summaries ------------------------------------------------------ */

enum {
    L_METHOD, L_STRATUM, L_OBSERVED, L_MEDIAN, L_MEAN, L_LOWER, L_UPPER,
    L_LEVEL, L_ESS, L_RHAT, L_WARNING, L_COUNT
};

static const char *const lcmcr_cols[L_COUNT] = {
    "method", "stratum", "observed", "median", "mean", "lower", "upper",
    "level", "ess", "rhat", "warning"};

toll_status toll_mse_lcmcr_table(const toll_mse_data *d,
                                 const toll_mse_lcmcr_result *res,
                                 const toll_allocator *alloc,
                                 toll_table **out, toll_error *err)
{
    if (out)
        *out = NULL;
    if (!d || !res || !out)
        return toll__err(err, TOLL_EINVAL,
                         "toll_mse_lcmcr_table: argument is NULL");
    size_t n = toll_mse_lcmcr_parts(res);
    int strata = d->nstrata > 1;
    int map[L_COUNT];
    size_t ncols = 0;
    for (int c = 0; c < L_COUNT; c++)
        map[c] = c != L_STRATUM || strata ? (int)ncols++ : -1;
    toll_table *t = NULL;
    toll_status st = toll__table_new(alloc ? alloc : &d->alloc, ncols, n, &t);
    for (int c = 0; c < L_COUNT && !st; c++)
        if (map[c] >= 0)
            st = toll__table_set_column(
                t, (size_t)map[c], lcmcr_cols[c],
                c == L_METHOD || c == L_STRATUM || c == L_WARNING
                    ? TOLL_COL_STRING
                    : TOLL_COL_DOUBLE);
    for (size_t r = 0; r < n && !st; r++) {
        const toll_mse_lcmcr_summary *e = toll_mse_lcmcr_summary_get(res, r);
        const char *stratum = "total";
        if (e->stratum != TOLL_MSE_TOTAL) {
            const char *nm = toll_mse_data_stratum_name(d, e->stratum);
            stratum = nm ? nm : "";
        }
        double num[L_COUNT] = {0};
        num[L_OBSERVED] = e->observed;
        num[L_MEDIAN] = e->median;
        num[L_MEAN] = e->mean;
        num[L_LOWER] = e->lo;
        num[L_UPPER] = e->hi;
        num[L_LEVEL] = e->level;
        num[L_ESS] = e->ess;
        num[L_RHAT] = e->rhat;
        for (int c = 0; c < L_COUNT && !st; c++) {
            if (map[c] < 0)
                continue;
            size_t j = (size_t)map[c];
            switch (c) {
            case L_METHOD: st = put_str(t, j, r, "lcmcr"); break;
            case L_STRATUM: st = put_str(t, j, r, stratum); break;
            case L_WARNING: st = put_str(t, j, r, e->warning); break;
            default: ((double *)t->cols[j].data)[r] = num[c]; break;
            }
        }
    }
    return table_done(d, t, st, "LCMCR", out, err);
}

/* ---- bootstrap intervals and selection frequencies ------------------------ */

enum {
    B_ESTIMATE, B_MODEL, B_METHOD, B_STRATUM, B_OBSERVED, B_NHAT, B_MEDIAN,
    B_LOWER, B_UPPER, B_LEVEL, B_REPLICATES, B_FAILED, B_COUNT
};

static const char *const boot_cols[B_COUNT] = {
    "estimate", "model", "method", "stratum", "observed", "n_hat", "median",
    "lower", "upper", "level", "replicates", "failed"};


toll_status toll_mse_boot_table(const toll_mse_data *d,
                                const toll_mse_boot_result *res,
                                const toll_allocator *alloc,
                                toll_table **out, toll_error *err)
{
    if (out)
        *out = NULL;
    if (!d || !res || !out)
        return toll__err(err, TOLL_EINVAL,
                         "toll_mse_boot_table: argument is NULL");
    const toll_mse_boot_summary *s = toll_mse_boot_summary_get(res);
    int strata = d->nstrata > 1;
    int map[B_COUNT];
    size_t ncols = 0;
    for (int c = 0; c < B_COUNT; c++)
        map[c] = c != B_STRATUM || strata ? (int)ncols++ : -1;
    toll_table *t = NULL;
    toll_status st = toll__table_new(alloc ? alloc : &d->alloc, ncols, 2, &t);
    for (int c = 0; c < B_COUNT && !st; c++)
        if (map[c] >= 0)
            st = toll__table_set_column(
                t, (size_t)map[c], boot_cols[c],
                c <= B_STRATUM ? TOLL_COL_STRING : TOLL_COL_DOUBLE);
    const char *stratum = "total";
    if (s->stratum != TOLL_MSE_TOTAL) {
        const char *nm = toll_mse_data_stratum_name(d, s->stratum);
        stratum = nm ? nm : "";
    }
    char avg_name[64];
    snprintf(avg_name, sizeof avg_name, "%s-weighted average",
             s->criterion == TOLL_MSE_AIC ? "AIC" : "BIC");
    for (size_t r = 0; r < 2 && !st; r++) {
        double num[B_COUNT] = {0};
        num[B_OBSERVED] = s->observed;
        num[B_NHAT] = r ? s->avg_n_hat : s->n_hat;
        num[B_MEDIAN] = r ? s->avg_median : s->median;
        num[B_LOWER] = r ? s->avg_lo : s->lo;
        num[B_UPPER] = r ? s->avg_hi : s->hi;
        num[B_LEVEL] = s->level;
        num[B_REPLICATES] = (double)s->replicates;
        num[B_FAILED] = (double)s->failed;
        for (int c = 0; c < B_COUNT && !st; c++) {
            if (map[c] < 0)
                continue;
            size_t j = (size_t)map[c];
            switch (c) {
            case B_ESTIMATE:
                st = put_str(t, j, r,
                             r ? "model average"
                               : s->select ? "selected model" : "model");
                break;
            case B_MODEL:
                st = put_str(t, j, r, r && s->select ? avg_name
                                                     : s->model_name);
                break;
            case B_METHOD:
                st = put_str(t, j, r, toll_mse_boot_method_name(s->method));
                break;
            case B_STRATUM: st = put_str(t, j, r, stratum); break;
            default: ((double *)t->cols[j].data)[r] = num[c]; break;
            }
        }
    }
    return table_done(d, t, st, "bootstrap", out, err);
}

toll_status toll_mse_boot_selection_table(const toll_mse_data *d,
                                          const toll_mse_boot_result *res,
                                          const toll_allocator *alloc,
                                          toll_table **out, toll_error *err)
{
    if (out)
        *out = NULL;
    if (!d || !res || !out)
        return toll__err(err, TOLL_EINVAL,
                         "toll_mse_boot_selection_table: argument is NULL");
    size_t n = toll_mse_boot_nselected(res);
    toll_table *t = NULL;
    toll_status st = toll__table_new(alloc ? alloc : &d->alloc, 3, n, &t);
    if (!st)
        st = toll__table_set_column(t, 0, "model", TOLL_COL_STRING);
    if (!st)
        st = toll__table_set_column(t, 1, "selected", TOLL_COL_DOUBLE);
    if (!st)
        st = toll__table_set_column(t, 2, "share", TOLL_COL_DOUBLE);
    for (size_t r = 0; r < n && !st; r++) {
        const toll_mse_boot_selection *e = toll_mse_boot_selection_get(res, r);
        st = put_str(t, 0, r, e->model_name);
        ((double *)t->cols[1].data)[r] = (double)e->count;
        ((double *)t->cols[2].data)[r] = e->share;
    }
    return table_done(d, t, st, "model selection", out, err);
}
