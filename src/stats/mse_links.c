/*
 * src/stats/mse_links.c - capture histories from scored record links
 * (toll_mse_linkage): at a threshold, the links at or above it join
 * records (union-find), each connected component is an individual and
 * its lists are its capture history; and the sensitivity of N-hat to the
 * threshold (toll_mse_linkage_sensitivity, toll_mse_sensitivity_table).
 */
#include "stats/mse.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>

struct toll_mse_linkage {
    toll_allocator alloc;
    int K;
    char *names[TOLL_MSE_MAX_LISTS];
    char *fields[6];          /* id, list, stratum, id_a, id_b, score */
    toll__strpool ids;        /* record i has id i + 1 */
    toll__strpool strata;     /* stratum names; 0 = unnamed */
    unsigned char *rec_list;  /* list of each record */
    uint32_t *rec_stratum;    /* stratum id of each record */
    size_t nrec, rec_cap;
    uint32_t *la, *lb;        /* records of each link */
    double *lscore;
    size_t nlink, link_cap;
};

enum { F_ID, F_LIST, F_STRATUM, F_ID_A, F_ID_B, F_SCORE };

static const char *const default_fields[6] = {"id",   "list", "stratum",
                                              "id_a", "id_b", "score"};

/* An error about record or link `num` (1-based), field `f`, text `text`. */
static toll_status item_err(toll_error *err, const toll_mse_linkage *lk,
                            const char *what, size_t num, int f,
                            const char *text, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));
static toll_status item_err(toll_error *err, const toll_mse_linkage *lk,
                            const char *what, size_t num, int f,
                            const char *text, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    toll__err(err, TOLL_EINVAL, "%s %zu: field '%s': %s", what, num,
              lk->fields[f], msg);
    if (err) {
        err->record = (long)num - 1;
        snprintf(err->field, sizeof err->field, "%s", lk->fields[f]);
        snprintf(err->text, sizeof err->text, "%s", text ? text : "");
    }
    return TOLL_EINVAL;
}

void toll_mse_linkage_free(toll_mse_linkage *lk)
{
    if (!lk)
        return;
    const toll_allocator *a = &lk->alloc;
    for (int j = 0; j < TOLL_MSE_MAX_LISTS; j++)
        if (lk->names[j])
            toll__free(a, lk->names[j], strlen(lk->names[j]) + 1);
    for (int f = 0; f < 6; f++)
        if (lk->fields[f])
            toll__free(a, lk->fields[f], strlen(lk->fields[f]) + 1);
    toll__strpool_free(&lk->ids);
    toll__strpool_free(&lk->strata);
    toll__free(a, lk->rec_list, lk->rec_cap * sizeof *lk->rec_list);
    toll__free(a, lk->rec_stratum, lk->rec_cap * sizeof *lk->rec_stratum);
    toll__free(a, lk->la, lk->link_cap * sizeof *lk->la);
    toll__free(a, lk->lb, lk->link_cap * sizeof *lk->lb);
    toll__free(a, lk->lscore, lk->link_cap * sizeof *lk->lscore);
    toll_allocator copy = lk->alloc;
    toll__free(&copy, lk, sizeof *lk);
}

toll_status toll_mse_linkage_new(int nlists, const char *const *names,
                                 const toll_mse_linkage_fields *fields,
                                 const toll_allocator *alloc,
                                 toll_mse_linkage **out, toll_error *err)
{
    if (!out)
        return toll__err(err, TOLL_EINVAL,
                         "toll_mse_linkage_new: out is NULL");
    *out = NULL;
    if (nlists == 0)
        return toll__err(err, TOLL_EINVAL,
                         "a linkage needs its lists (2 to %d names)",
                         TOLL_MSE_MAX_LISTS);
    /* The rules of list names live in toll_mse_data_new. */
    toll_mse_data *probe = NULL;
    toll_status st = toll_mse_data_new(nlists, names, alloc, &probe, err);
    toll_mse_data_free(probe);
    if (st)
        return st;
    toll_allocator a;
    toll__alloc_init(&a, alloc);
    toll_mse_linkage *lk = toll__calloc(&a, 1, sizeof *lk);
    if (!lk)
        return toll__nomem(err);
    lk->alloc = a;
    lk->K = nlists;
    st = toll__strpool_init(&lk->ids, &lk->alloc);
    if (!st)
        st = toll__strpool_init(&lk->strata, &lk->alloc);
    for (int j = 0; j < nlists && !st; j++) {
        lk->names[j] = toll__strndup(&lk->alloc, names[j], strlen(names[j]));
        if (!lk->names[j])
            st = TOLL_ENOMEM;
    }
    const char *given[6] = {NULL};
    if (fields) {
        given[F_ID] = fields->id;
        given[F_LIST] = fields->list;
        given[F_STRATUM] = fields->stratum;
        given[F_ID_A] = fields->id_a;
        given[F_ID_B] = fields->id_b;
        given[F_SCORE] = fields->score;
    }
    for (int f = 0; f < 6 && !st; f++) {
        const char *s = given[f] && given[f][0] ? given[f] : default_fields[f];
        lk->fields[f] = toll__strndup(&lk->alloc, s, strlen(s));
        if (!lk->fields[f])
            st = TOLL_ENOMEM;
    }
    if (st) {
        toll_mse_linkage_free(lk);
        return toll__nomem(err);
    }
    *out = lk;
    return TOLL_OK;
}

size_t toll_mse_linkage_nrecords(const toll_mse_linkage *lk)
{
    return lk ? lk->nrec : 0;
}

size_t toll_mse_linkage_nlinks(const toll_mse_linkage *lk)
{
    return lk ? lk->nlink : 0;
}

static toll_status grow_records(toll_mse_linkage *lk)
{
    if (lk->nrec < lk->rec_cap)
        return TOLL_OK;
    size_t cap = lk->rec_cap ? lk->rec_cap * 2 : 64;
    if (cap > UINT32_MAX - 1)
        return TOLL_ERANGE;
    unsigned char *l = toll__alloc(&lk->alloc, cap * sizeof *l);
    uint32_t *s = toll__alloc(&lk->alloc, cap * sizeof *s);
    if (!l || !s) {
        toll__free(&lk->alloc, l, l ? cap * sizeof *l : 0);
        toll__free(&lk->alloc, s, s ? cap * sizeof *s : 0);
        return TOLL_ENOMEM;
    }
    if (lk->nrec) {
        memcpy(l, lk->rec_list, lk->nrec * sizeof *l);
        memcpy(s, lk->rec_stratum, lk->nrec * sizeof *s);
    }
    toll__free(&lk->alloc, lk->rec_list, lk->rec_cap * sizeof *l);
    toll__free(&lk->alloc, lk->rec_stratum, lk->rec_cap * sizeof *s);
    lk->rec_list = l;
    lk->rec_stratum = s;
    lk->rec_cap = cap;
    return TOLL_OK;
}

toll_status toll_mse_linkage_add_record(toll_mse_linkage *lk, const char *id,
                                        const char *list, const char *stratum,
                                        toll_error *err)
{
    if (!lk)
        return toll__err(err, TOLL_EINVAL,
                         "toll_mse_linkage_add_record: linkage is NULL");
    size_t num = lk->nrec + 1;
    size_t idlen = id ? strlen(id) : 0;
    if (idlen == 0)
        return item_err(err, lk, "record", num, F_ID, "",
                        "the id is empty");
    if (idlen > UINT32_MAX / 2)
        return item_err(err, lk, "record", num, F_ID, "", "id too long");
    uint32_t have;
    if (toll__strpool_find(&lk->ids, id, idlen, &have))
        return item_err(err, lk, "record", num, F_ID, id,
                        "id \"%s\" repeats record %u", id, (unsigned)have);
    int j = -1;
    for (int k = 0; list && k < lk->K; k++)
        if (strcmp(lk->names[k], list) == 0)
            j = k;
    if (j < 0) {
        char names[600];
        size_t used = 0;
        names[0] = '\0';
        for (int k = 0; k < lk->K && used < sizeof names; k++)
            used += (size_t)snprintf(names + used, sizeof names - used,
                                     "%s%s", k ? ", " : "", lk->names[k]);
        return item_err(err, lk, "record", num, F_LIST, list ? list : "",
                        "unknown list \"%s\" (lists: %s)", list ? list : "",
                        names);
    }
    toll_status st = grow_records(lk);
    if (st)
        return st == TOLL_ENOMEM ? toll__nomem(err)
                                 : toll__err(err, st, "too many records");
    size_t sid_count = lk->strata.count;
    uint32_t sid = 0, rid = 0;
    size_t slen = stratum ? strlen(stratum) : 0;
    st = toll__strpool_intern(&lk->strata, stratum ? stratum : "", slen,
                              &sid);
    if (!st) {
        st = toll__strpool_intern(&lk->ids, id, idlen, &rid);
        if (st)
            toll__strpool_truncate(&lk->strata, sid_count);
    }
    if (st)
        return toll__nomem(err);
    lk->rec_list[lk->nrec] = (unsigned char)j;
    lk->rec_stratum[lk->nrec] = sid;
    lk->nrec++;
    return TOLL_OK;
}

toll_status toll_mse_linkage_add_link(toll_mse_linkage *lk, const char *id_a,
                                      const char *id_b, double score,
                                      toll_error *err)
{
    if (!lk)
        return toll__err(err, TOLL_EINVAL,
                         "toll_mse_linkage_add_link: linkage is NULL");
    size_t num = lk->nlink + 1;
    const char *ids[2] = {id_a ? id_a : "", id_b ? id_b : ""};
    uint32_t rec[2];
    for (int k = 0; k < 2; k++) {
        size_t len = strlen(ids[k]);
        if (!len || !toll__strpool_find(&lk->ids, ids[k], len, &rec[k]))
            return item_err(err, lk, "link", num, k ? F_ID_B : F_ID_A,
                            ids[k], "unknown record id \"%s\"", ids[k]);
    }
    if (!isfinite(score)) {
        char text[32];
        snprintf(text, sizeof text, "%g", score);
        return item_err(err, lk, "link", num, F_SCORE, text,
                        "the score is %s (a link needs a finite score)",
                        isnan(score) ? "not a number" : text);
    }
    if (lk->nlink == lk->link_cap) {
        size_t cap = lk->link_cap ? lk->link_cap * 2 : 64;
        uint32_t *a = toll__alloc(&lk->alloc, cap * sizeof *a);
        uint32_t *b = toll__alloc(&lk->alloc, cap * sizeof *b);
        double *s = toll__alloc(&lk->alloc, cap * sizeof *s);
        if (!a || !b || !s) {
            toll__free(&lk->alloc, a, a ? cap * sizeof *a : 0);
            toll__free(&lk->alloc, b, b ? cap * sizeof *b : 0);
            toll__free(&lk->alloc, s, s ? cap * sizeof *s : 0);
            return toll__nomem(err);
        }
        if (lk->nlink) {
            memcpy(a, lk->la, lk->nlink * sizeof *a);
            memcpy(b, lk->lb, lk->nlink * sizeof *b);
            memcpy(s, lk->lscore, lk->nlink * sizeof *s);
        }
        toll__free(&lk->alloc, lk->la, lk->link_cap * sizeof *a);
        toll__free(&lk->alloc, lk->lb, lk->link_cap * sizeof *b);
        toll__free(&lk->alloc, lk->lscore, lk->link_cap * sizeof *s);
        lk->la = a;
        lk->lb = b;
        lk->lscore = s;
        lk->link_cap = cap;
    }
    lk->la[lk->nlink] = rec[0] - 1;
    lk->lb[lk->nlink] = rec[1] - 1;
    lk->lscore[lk->nlink] = score;
    lk->nlink++;
    return TOLL_OK;
}

/* ---- union-find --------------------------------------------------------- */

static size_t uf_find(size_t *up, size_t x)
{
    while (up[x] != x) {
        up[x] = up[up[x]];
        x = up[x];
    }
    return x;
}

/* comp[i]: the individual of record i (numbered by first record). */
static toll_status components(const toll_mse_linkage *lk, double t,
                              size_t *comp, size_t *nind, toll_error *err)
{
    if (isnan(t) || isinf(t))
        return toll__err(err, TOLL_EINVAL,
                         "threshold %g: a threshold must be a finite number",
                         t);
    size_t n = lk->nrec;
    size_t *up = toll__alloc(&lk->alloc, (n ? n : 1) * sizeof *up);
    if (!up)
        return toll__nomem(err);
    for (size_t i = 0; i < n; i++)
        up[i] = i;
    for (size_t k = 0; k < lk->nlink; k++) {
        if (!(lk->lscore[k] >= t))
            continue;
        size_t ra = uf_find(up, lk->la[k]), rb = uf_find(up, lk->lb[k]);
        if (ra == rb)
            continue;
        /* the smaller index is the root: a root is its component's first
         * record */
        if (ra < rb)
            up[rb] = ra;
        else
            up[ra] = rb;
    }
    size_t count = 0;
    for (size_t i = 0; i < n; i++) {
        size_t r = uf_find(up, i);
        if (r == i)
            comp[i] = count++;
        else
            comp[i] = comp[r]; /* r < i: numbered already */
    }
    toll__free(&lk->alloc, up, (n ? n : 1) * sizeof *up);
    *nind = count;
    return TOLL_OK;
}

toll_status toll_mse_linkage_components(const toll_mse_linkage *lk,
                                        double threshold, size_t *comp,
                                        size_t ncomp, size_t *nindividuals,
                                        toll_error *err)
{
    if (!lk || (!comp && lk->nrec))
        return toll__err(err, TOLL_EINVAL,
                         "toll_mse_linkage_components: argument is NULL");
    if (ncomp < lk->nrec)
        return toll__err(err, TOLL_EINVAL,
                         "toll_mse_linkage_components: %zu entries for %zu "
                         "records",
                         ncomp, lk->nrec);
    size_t nind = 0;
    toll_status st = components(lk, threshold, comp, &nind, err);
    if (!st && nindividuals)
        *nindividuals = nind;
    return st;
}

toll_status toll_mse_linkage_data(const toll_mse_linkage *lk,
                                  double threshold,
                                  const unsigned char *keep, size_t nkeep,
                                  const toll_allocator *alloc,
                                  toll_mse_data **out, toll_error *err)
{
    if (out)
        *out = NULL;
    if (!lk || !out)
        return toll__err(err, TOLL_EINVAL,
                         "toll_mse_linkage_data: argument is NULL");
    size_t n = lk->nrec;
    size_t *comp = toll__alloc(&lk->alloc, (n ? n : 1) * sizeof *comp);
    if (!comp)
        return toll__nomem(err);
    size_t nind = 0;
    unsigned char *mask = NULL;
    uint32_t *first_stratum = NULL;
    toll_mse_data *d = NULL;
    int64_t *cells = NULL;
    unsigned char *seen = NULL; /* strata met so far */
    size_t nstr = lk->strata.count; /* stratum ids 0 .. nstr-1 */
    unsigned ncells = 1u << lk->K;
    toll_status st = components(lk, threshold, comp, &nind, err);
    if (st)
        goto done;
    if (keep && nkeep != nind) {
        st = toll__err(err, TOLL_EINVAL,
                       "toll_mse_linkage_data: %zu keep flags for %zu "
                       "individuals at threshold %g",
                       nkeep, nind, threshold);
        goto done;
    }
    mask = toll__calloc(&lk->alloc, nind ? nind : 1, 1);
    first_stratum =
        toll__alloc(&lk->alloc, (nind ? nind : 1) * sizeof *first_stratum);
    cells = toll__calloc(&lk->alloc, nstr * ncells, sizeof *cells);
    seen = toll__calloc(&lk->alloc, nstr, 1);
    if (!mask || !first_stratum || !cells || !seen) {
        st = toll__nomem(err);
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        size_t c = comp[i];
        if (!mask[c])
            first_stratum[c] = lk->rec_stratum[i];
        mask[c] |= (unsigned char)(1u << lk->rec_list[i]);
    }
    for (size_t c = 0; c < nind; c++)
        if (!keep || keep[c])
            cells[(size_t)first_stratum[c] * ncells + mask[c]]++;
    /* strata in order of first appearance among the counted individuals */
    size_t nord = 0;
    uint32_t *ord = toll__alloc(&lk->alloc, (nstr ? nstr : 1) * sizeof *ord);
    if (!ord) {
        st = toll__nomem(err);
        goto done;
    }
    for (size_t c = 0; c < nind; c++) {
        uint32_t s = first_stratum[c];
        if ((!keep || keep[c]) && !seen[s]) {
            seen[s] = 1;
            ord[nord++] = s;
        }
    }
    st = toll_mse_data_new(lk->K, (const char *const *)lk->names,
                           alloc ? alloc : &lk->alloc, &d, err);
    char pattern[TOLL_MSE_MAX_LISTS + 1];
    for (size_t k = 0; k < nord && !st; k++) {
        uint32_t s = ord[k];
        const char *name = s ? toll__str(&lk->strata, s) : "";
        for (unsigned p = 1; p < ncells && !st; p++) {
            int64_t cnt = cells[(size_t)s * ncells + p];
            if (!cnt)
                continue;
            for (int j = 0; j < lk->K; j++)
                pattern[j] = (p >> j & 1u) ? '1' : '0';
            pattern[lk->K] = '\0';
            st = toll_mse_data_add_pattern(d, name, pattern, cnt, err);
        }
    }
    toll__free(&lk->alloc, ord, (nstr ? nstr : 1) * sizeof *ord);
done:
    toll__free(&lk->alloc, comp, (n ? n : 1) * sizeof *comp);
    toll__free(&lk->alloc, mask, mask ? (nind ? nind : 1) : 0);
    toll__free(&lk->alloc, first_stratum,
               first_stratum ? (nind ? nind : 1) * sizeof *first_stratum : 0);
    toll__free(&lk->alloc, cells, cells ? nstr * ncells * sizeof *cells : 0);
    toll__free(&lk->alloc, seen, seen ? nstr : 0);
    if (st) {
        toll_mse_data_free(d);
        return st;
    }
    *out = d;
    return TOLL_OK;
}

/* ---- sensitivity -------------------------------------------------------- */

void toll_mse_sensitivity_options_init(toll_mse_sensitivity_options *o)
{
    if (!o)
        return;
    memset(o, 0, sizeof *o);
    o->kind = TOLL_MSE_SENS_MODEL;
    o->criterion = TOLL_MSE_AIC;
    toll_mse_options_init(&o->est);
}

/* The estimate of opts at one threshold into *e.  TOLL_EMODEL leaves *e
 * with the observed count, NaN estimates and the message as warning. */
static toll_status estimate_one(const toll_mse_data *d,
                                const toll_mse_sensitivity_options *o,
                                toll_mse_estimate *e, toll_error *err)
{
    toll_status st;
    toll_error local;
    toll_error_clear(&local);
    /* no individual at all: nothing to fit, said in the row */
    int empty = toll_mse_data_observed(d, TOLL_MSE_TOTAL) == 0;
    if (o->kind == TOLL_MSE_SENS_MODEL) {
        toll_mse_model m = 0;
        st = toll_mse_model_parse(d, o->model ? o->model : "", &m, err);
        if (st)
            return st;
        st = toll_mse_loglinear(d, TOLL_MSE_TOTAL, m, &o->est, e, &local);
        if (st == TOLL_EMODEL || (st == TOLL_EINVAL && empty)) {
            toll__mse_est_init(e, TOLL_MSE_LOGLINEAR, TOLL_MSE_TOTAL);
            toll_mse_model_format(d, m, e->model_name, sizeof e->model_name);
        }
    } else {
        toll_mse_results *r = NULL;
        st = toll_mse_search(d, TOLL_MSE_TOTAL, o->criterion, &o->est, NULL,
                             &r, &local);
        if (!st) {
            const toll_mse_estimate *x = o->kind == TOLL_MSE_SENS_BEST
                                             ? toll_mse_results_get(r, 0)
                                             : toll_mse_results_average(r);
            *e = *x;
        } else if (st == TOLL_EMODEL || (st == TOLL_EINVAL && empty)) {
            toll__mse_est_init(e, o->kind == TOLL_MSE_SENS_BEST
                                      ? TOLL_MSE_LOGLINEAR
                                      : TOLL_MSE_MODEL_AVERAGE,
                               TOLL_MSE_TOTAL);
            snprintf(e->model_name, sizeof e->model_name, "%s",
                     o->kind == TOLL_MSE_SENS_BEST ? "best model" : "");
        }
        toll_mse_results_free(r);
    }
    if (st == TOLL_EMODEL || (st == TOLL_EINVAL && empty)) {
        /* nothing to fit at this threshold (no data, no overlap ...) */
        e->observed = (double)toll_mse_data_observed(d, TOLL_MSE_TOTAL);
        e->n_hat = e->se = e->lo = e->hi = e->n_profile = NAN;
        e->interval = TOLL_MSE_CI_NONE;
        size_t len = strlen(local.message);
        if (len >= sizeof e->warning)
            len = sizeof e->warning - 1;
        memcpy(e->warning, local.message, len);
        e->warning[len] = '\0';
        return TOLL_OK;
    }
    if (st && err)
        *err = local;
    return st;
}

/* Build the table: threshold, observed, then est's table minus observed. */
static toll_status build_table(const toll_mse_data *const *data,
                               const double *thr, const toll_mse_estimate *est,
                               size_t n, const toll_allocator *alloc,
                               toll_table **out, toll_error *err)
{
    /* the data set whose table has a stratum column, if any */
    const toll_mse_data *ref = data[0];
    for (size_t i = 0; i < n; i++)
        if (toll_mse_data_nstrata(data[i]) > 1)
            ref = data[i];
    const toll_mse_estimate **ptr =
        toll__alloc(&ref->alloc, n * sizeof *ptr);
    if (!ptr)
        return toll__nomem(err);
    for (size_t i = 0; i < n; i++)
        ptr[i] = &est[i];
    toll_table *t = NULL, *o = NULL;
    toll_status st =
        toll_mse_estimates_table(ref, ptr, n, 0, alloc, &t, err);
    toll__free(&ref->alloc, ptr, n * sizeof *ptr);
    if (st)
        return st;
    size_t nc = toll_table_ncols(t);
    size_t obs = toll_table_column_index(t, "observed");
    st = toll__table_new(alloc, nc + 1, n, &o);
    if (!st)
        st = toll__table_set_column(o, 0, "threshold", TOLL_COL_DOUBLE);
    if (!st)
        st = toll__table_set_column(o, 1, "observed", TOLL_COL_DOUBLE);
    size_t dst = 2;
    for (size_t j = 0; j < nc && !st; j++) {
        if (j == obs)
            continue;
        st = toll__table_set_column(o, dst, toll_table_column_name(t, j),
                                    toll_table_column_type(t, j));
        for (size_t r = 0; r < n && !st; r++) {
            if (toll_table_column_type(t, j) == TOLL_COL_STRING) {
                const char *s = toll_table_string(t, j, r);
                uint32_t code;
                st = toll__table_dict_add(o, dst, s ? s : "",
                                          s ? strlen(s) : 0, &code);
                if (!st)
                    ((uint32_t *)o->cols[dst].data)[r] = code;
            } else {
                /* a threshold without an estimate: no statistic either */
                ((double *)o->cols[dst].data)[r] =
                    isnan(est[r].n_hat) ? NAN : toll_table_double(t, j)[r];
            }
        }
        dst++;
    }
    for (size_t r = 0; r < n && !st; r++) {
        ((double *)o->cols[0].data)[r] = thr[r];
        ((double *)o->cols[1].data)[r] = est[r].observed;
    }
    if (!st) {
        char cap[160];
        snprintf(cap, sizeof cap,
                 "multiple systems estimation at %zu linkage threshold%s",
                 n, n == 1 ? "" : "s");
        st = toll__table_set_caption(o, cap);
    }
    toll_table_free(t);
    if (st) {
        toll_table_free(o);
        return st == TOLL_ENOMEM ? toll__nomem(err)
                                 : toll__err(err, st, "cannot build the "
                                                      "sensitivity table");
    }
    o->nkeys = 1;
    *out = o;
    return TOLL_OK;
}

toll_status
toll_mse_sensitivity_table(const toll_mse_data *const *data,
                           const double *thresholds, size_t n,
                           const toll_mse_sensitivity_options *opts,
                           const toll_allocator *alloc, toll_table **out,
                           toll_error *err)
{
    if (out)
        *out = NULL;
    if (!data || !thresholds || !out)
        return toll__err(err, TOLL_EINVAL,
                         "toll_mse_sensitivity_table: argument is NULL");
    if (n == 0)
        return toll__err(err, TOLL_EINVAL,
                         "a sensitivity table needs at least one threshold");
    toll_mse_sensitivity_options o;
    if (opts)
        o = *opts;
    else
        toll_mse_sensitivity_options_init(&o);
    if (o.kind != TOLL_MSE_SENS_MODEL && o.kind != TOLL_MSE_SENS_BEST &&
        o.kind != TOLL_MSE_SENS_AVERAGE)
        return toll__err(err, TOLL_EINVAL,
                         "unknown sensitivity estimate kind %d", (int)o.kind);
    for (size_t i = 0; i < n; i++) {
        if (!data[i])
            return toll__err(err, TOLL_EINVAL,
                             "toll_mse_sensitivity_table: data %zu is NULL",
                             i);
        if (isnan(thresholds[i]))
            return toll__err(err, TOLL_EINVAL,
                             "threshold %zu is not a number", i + 1);
    }
    toll_mse_options checked;
    toll_status st = toll__mse_opts(&o.est, &checked, err);
    if (st)
        return st;
    const toll_allocator *a = alloc ? alloc : &data[0]->alloc;
    toll_mse_estimate *est = toll__calloc(a, n, sizeof *est);
    if (!est)
        return toll__nomem(err);
    for (size_t i = 0; i < n && !st; i++)
        st = estimate_one(data[i], &o, &est[i], err);
    if (!st)
        st = build_table(data, thresholds, est, n, a, out, err);
    toll__free(a, est, n * sizeof *est);
    return st;
}

toll_status toll_mse_linkage_sensitivity(
    const toll_mse_linkage *lk, const double *thresholds, size_t n,
    const toll_mse_sensitivity_options *opts, const toll_allocator *alloc,
    toll_table **out, toll_error *err)
{
    if (out)
        *out = NULL;
    if (!lk || !thresholds || !out)
        return toll__err(err, TOLL_EINVAL,
                         "toll_mse_linkage_sensitivity: argument is NULL");
    if (n == 0)
        return toll__err(err, TOLL_EINVAL,
                         "a sensitivity table needs at least one threshold");
    toll_mse_data **d = toll__calloc(&lk->alloc, n, sizeof *d);
    if (!d)
        return toll__nomem(err);
    toll_status st = TOLL_OK;
    for (size_t i = 0; i < n && !st; i++)
        st = toll_mse_linkage_data(lk, thresholds[i], NULL, 0, NULL, &d[i],
                                   err);
    if (!st)
        st = toll_mse_sensitivity_table((const toll_mse_data *const *)d,
                                        thresholds, n, opts,
                                        alloc ? alloc : &lk->alloc, out, err);
    for (size_t i = 0; i < n; i++)
        toll_mse_data_free(d[i]);
    toll__free(&lk->alloc, d, n * sizeof *d);
    return st;
}
