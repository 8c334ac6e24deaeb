/*
 * src/stats/mse_loo.c - leave-one-list-out: the log-linear estimate with
 * each list dropped in turn (docs/mse.md, "Leave-one-list-out").  The
 * fits are toll_mse_loglinear's on a data set of the K - 1 lists left.
 */
#include "stats/mse.h"

#include <math.h>
#include <stdio.h>

/* The model without list j, on the K - 1 lists left. */
static toll_mse_model drop_model(int K, toll_mse_model m, int j)
{
    toll_mse_model out = 0;
    for (int b = 1; b < K; b++)
        for (int a = 0; a < b; a++) {
            if (a == j || b == j ||
                !(m & ((toll_mse_model)1 << toll_mse_pair_bit(a, b))))
                continue;
            int a2 = a - (a > j), b2 = b - (b > j);
            out |= (toll_mse_model)1 << toll_mse_pair_bit(a2, b2);
        }
    return out;
}

/* The data set of the lists but j: every stratum (or only stratum s),
 * histories merged over list j. */
static toll_status drop_list(const toll_mse_data *d, size_t s, int j,
                             toll_mse_data **out, toll_error *err)
{
    const char *names[TOLL_MSE_MAX_LISTS];
    int k = 0;
    for (int i = 0; i < d->K; i++)
        if (i != j)
            names[k++] = d->names[i];
    toll_mse_data *sub = NULL;
    toll_status st = toll_mse_data_new(d->K - 1, names, &d->alloc, &sub, err);
    if (st)
        return st;
    size_t first = s == TOLL_MSE_TOTAL ? 0 : s;
    size_t last = s == TOLL_MSE_TOTAL ? d->nstrata - 1 : s;
    unsigned low = (1u << j) - 1u;
    for (size_t t = first; t <= last && !st; t++) {
        const int64_t *row = d->counts + t * d->ncells;
        /* the stratum exists in `sub` even when nothing is left in it */
        size_t idx;
        st = toll__mse_stratum_get(sub, d->strata[t], strlen(d->strata[t]),
                                   &idx, err);
        for (unsigned p = 1; p < d->ncells && !st; p++) {
            unsigned q = (p & low) | ((p >> (j + 1)) << j);
            if (!q || !row[p])
                continue;
            char pat[TOLL_MSE_MAX_LISTS + 1];
            for (int i = 0; i < d->K - 1; i++)
                pat[i] = ((q >> i) & 1u) ? '1' : '0';
            pat[d->K - 1] = '\0';
            st = toll_mse_data_add_pattern(sub, d->strata[t], pat, row[p],
                                           err);
        }
    }
    if (st) {
        toll_mse_data_free(sub);
        return st;
    }
    *out = sub;
    return TOLL_OK;
}

toll_status toll_mse_leave_one_out(const toll_mse_data *d, size_t stratum,
                                   const char *model,
                                   const toll_mse_options *opts,
                                   const toll_allocator *alloc,
                                   toll_table **out, toll_error *err)
{
    if (out)
        *out = NULL;
    if (!out)
        return toll__err(err, TOLL_EINVAL,
                         "toll_mse_leave_one_out: out is NULL");
    toll_status st = toll__mse_check_stratum(d, stratum, err);
    if (st)
        return st;
    if (d->K < 3)
        return toll__err(err, TOLL_EINVAL,
                         "leave-one-list-out needs at least 3 lists (the "
                         "data set has %d): with one list dropped, an "
                         "estimate needs two", d->K);
    toll_mse_options o;
    if ((st = toll__mse_opts(opts, &o, err)))
        return st;
    toll_mse_model m = 0;
    if (model && (st = toll_mse_model_parse(d, model, &m, err)))
        return st;
    int K = d->K;
    toll__mse_loo_row *rows =
        toll__calloc(&d->alloc, (size_t)K, sizeof *rows);
    if (!rows)
        return toll__nomem(err);
    for (int j = 0; j < K && !st; j++) {
        toll__mse_loo_row *r = &rows[j];
        r->dropped = d->names[j];
        size_t len = 0;
        for (int i = 0; i < K; i++) {
            if (i == j)
                continue;
            int w = snprintf(r->lists + len, sizeof r->lists - len, "%s%s",
                             len ? ", " : "", d->names[i]);
            if (w > 0)
                len += (size_t)w;
        }
        toll_mse_data *sub = NULL;
        st = drop_list(d, stratum, j, &sub, err);
        if (st)
            break;
        toll_mse_model mj = drop_model(K, m, j);
        toll_error e1;
        toll_error_clear(&e1);
        st = toll_mse_loglinear(sub, TOLL_MSE_TOTAL, mj, &o, &r->est, &e1);
        if (st == TOLL_EMODEL || st == TOLL_ENUMERIC) {
            toll__mse_est_init(&r->est, TOLL_MSE_LOGLINEAR, TOLL_MSE_TOTAL);
            r->est.model = mj;
            size_t need = toll_mse_model_format(sub, mj, r->est.model_name,
                                                sizeof r->est.model_name);
            if (need >= sizeof r->est.model_name)
                memcpy(r->est.model_name + sizeof r->est.model_name - 4,
                       "...", 4);
            r->est.observed =
                (double)toll_mse_data_observed(sub, TOLL_MSE_TOTAL);
            r->est.n_hat = r->est.se = r->est.lo = r->est.hi = NAN;
            r->est.interval = TOLL_MSE_CI_NONE;
            snprintf(r->warning, sizeof r->warning, "%s", e1.message);
            st = TOLL_OK;
        } else if (st) {
            if (err)
                *err = e1;
        } else {
            snprintf(r->warning, sizeof r->warning, "%s", r->est.warning);
        }
        /* the row belongs to the stratum asked for */
        r->est.stratum = stratum;
        toll_mse_data_free(sub);
    }
    if (!st)
        st = toll__mse_loo_table(d, rows, (size_t)K, alloc, out, err);
    toll__free(&d->alloc, rows, (size_t)K * sizeof *rows);
    return st;
}
