/*
 * src/summarize/merge.c - toll_table_merge: two summaries of disjoint
 * sets of incidents into the summary of their union.
 *
 * The key values of both tables are ranked together by the rule of a
 * summary's row order (toll__dim_rank, src/summarize/keys.c), from the
 * keys the tables record (toll_table.by) and their labels; the rows of
 * each table, already in that order, are then merged in one pass, adding
 * the measures of rows with the same keys.  The cost is linear in the
 * rows, plus sorting the distinct values of each key.
 */
#include "summarize/summarize_int.h"
#include "core/period.h"

#include <stdio.h>
#include <stdlib.h>

static const char *const side_name[2] = {"first", "second"};

/* One input table and its rows' ranks. */
typedef struct side {
    const toll_table *t;
    uint32_t *map[MAX_KEYS]; /* key k: dictionary code -> union code */
    size_t map_n[MAX_KEYS];
    row_order *ord;          /* per row: the ranks of its keys */
} side;

/* ---- what may be merged ---------------------------------------------------- */

static const char *shown_by(const char *by)
{
    return by[0] ? by : "(no keys)";
}

/* The first "; "-separated item of two different captions that differs:
 * x[0..*nx) and y[0..*ny) (one of them empty when the other caption has
 * an item more). */
static void caption_diff(const char **x, size_t *nx, const char **y,
                         size_t *ny)
{
    const char *p = *x, *q = *y;
    for (;;) {
        size_t lp = strcspn(p, ";"), lq = strcspn(q, ";");
        if (lp == lq && memcmp(p, q, lp) == 0) {
            if (p[lp] && q[lq]) {
                p += lp + 1 + (p[lp + 1] == ' ');
                q += lq + 1 + (q[lq + 1] == ' ');
                continue;
            }
            if (p[lp]) { /* x has an item more */
                p += lp + 1 + (p[lp + 1] == ' ');
                lp = strcspn(p, ";");
                q += lq;
                lq = 0;
            } else {
                q += lq + 1 + (q[lq + 1] == ' ');
                lq = strcspn(q, ";");
                p += lp;
                lp = 0;
            }
        }
        *x = p;
        *nx = lp;
        *y = q;
        *ny = lq;
        return;
    }
}

static const char *coltype_label(toll_coltype ty)
{
    return ty == TOLL_COL_INT64    ? "int64"
           : ty == TOLL_COL_DOUBLE ? "double"
                                   : "string";
}

/* TOLL_EINVAL naming what keeps a and b from being merged. */
static toll_status check_tables(const toll_table *const t[2],
                                toll_error *err)
{
    for (int s = 0; s < 2; s++)
        if (!t[s]->is_summary || !t[s]->by)
            return toll__seterr(
                err, TOLL_EINVAL, NULL, 0, -1, "table", NULL, 0,
                "cannot merge: the %s table is not a summary "
                "(toll_summarize); only summaries can be merged",
                side_name[s]);
    if (strcmp(t[0]->by, t[1]->by) != 0)
        return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "by", t[1]->by,
                            strlen(t[1]->by),
                            "cannot merge summaries by different keys: %s "
                            "in the first table, %s in the second",
                            shown_by(t[0]->by), shown_by(t[1]->by));
    size_t nc = t[0]->ncols > t[1]->ncols ? t[0]->ncols : t[1]->ncols;
    for (size_t j = 0; j < nc; j++) {
        int s = j >= t[0]->ncols ? 1 : j >= t[1]->ncols ? 0 : -1;
        if (s >= 0)
            return toll__seterr(
                err, TOLL_EINVAL, NULL, 0, -1, t[s]->cols[j].name, NULL, 0,
                "cannot merge: only the %s table has the column '%s'",
                side_name[s], t[s]->cols[j].name);
        const toll__column *c0 = &t[0]->cols[j], *c1 = &t[1]->cols[j];
        if (strcmp(c0->name, c1->name) != 0 || c0->type != c1->type)
            return toll__seterr(
                err, TOLL_EINVAL, NULL, 0, -1, c1->name, NULL, 0,
                "cannot merge: column %zu is '%s' (%s) in the first table, "
                "'%s' (%s) in the second",
                j + 1, c0->name, coltype_label(c0->type), c1->name,
                coltype_label(c1->type));
    }
    if (t[0]->nkeys != t[1]->nkeys || t[0]->nkeys > MAX_KEYS ||
        t[0]->nkeys > t[0]->ncols)
        return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "by", NULL, 0,
                            "cannot merge: the tables' key columns differ "
                            "(%zu and %zu)",
                            t[0]->nkeys, t[1]->nkeys);
    if (strcmp(t[0]->caption, t[1]->caption) != 0) {
        const char *x = t[0]->caption, *y = t[1]->caption;
        size_t nx, ny;
        caption_diff(&x, &nx, &y, &ny);
        return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "caption", y, ny,
                            "cannot merge summaries made with different "
                            "options: '%.*s' in the first table, '%.*s' in "
                            "the second",
                            (int)nx, x, (int)ny, y);
    }
    for (size_t j = t[0]->nkeys; j < t[0]->ncols; j++)
        if (!toll__column_adds_up(&t[0]->cols[j]))
            return toll__seterr(
                err, TOLL_EINVAL, NULL, 0, -1, t[0]->cols[j].name, NULL, 0,
                "cannot merge: the column '%s' does not add up (the "
                "quantiles of an interval and q_engine are not sums over "
                "incidents); summarize the parts without an interval",
                t[0]->cols[j].name);
    return TOLL_OK;
}

/* ---- the keys ---------------------------------------------------------------- */

/* The dims of the tables' keys (by), checked against the key columns. */
static toll_status key_dims(const toll_table *t, dim *dims, size_t *nd,
                            toll_group_key *keys, toll_error *err)
{
    size_t nk = 0;
    toll_status st = toll_summarize_by_parse(t->by, keys, MAX_KEYS, &nk, err);
    if (!st)
        st = toll__dims_from_keys(keys, nk, dims, nd, err);
    if (st)
        return st;
    int same = *nd == t->nkeys;
    for (size_t k = 0; same && k < *nd; k++) {
        const dim *d = &dims[k];
        const char *name = t->cols[k].name;
        char fname[256];
        if (d->kind == DIM_FIELD)
            toll__field_key_name(d->fname, d->fname_len, fname, sizeof fname);
        same = t->cols[k].type == TOLL_COL_STRING &&
               strcmp(name, d->kind == DIM_FIELD ? fname
                                                 : toll__dim_names[d->kind]) ==
                   0;
    }
    if (!same)
        return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "by", t->by,
                            strlen(t->by),
                            "cannot merge: the keys '%s' do not name the "
                            "tables' key columns",
                            t->by);
    for (size_t k = 0; k < *nd; k++)
        dims[k].data_grade =
            dims[k].kind == DIM_FIELD &&
            dims[k].fname_len == sizeof TOLL__DATA_GRADE - 1 &&
            memcmp(dims[k].fname, TOLL__DATA_GRADE, dims[k].fname_len) == 0;
    return TOLL_OK;
}

/* The value of label s[0..len) of dim d, as summarize orders it
 * (src/summarize/keys.c): its period number, grade or data grade. */
static toll_status key_value(const dim *d, const char *s, size_t len,
                             dim_val *v, toll_error *err)
{
    v->s = s;
    v->len = len;
    v->num = 0;
    v->hash = 0;
    if (d->kind == DIM_PERIOD) {
        if (!toll__period_from_label(d->unit, s, len, &v->num))
            return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "period", s,
                                len, "cannot merge: '%.*s' is no %s label",
                                (int)len, s,
                                toll__period_unit_name(d->unit));
    } else if (d->kind == DIM_GRADE) {
        unsigned g = 0;
        while (g <= TOLL_GRADE_CONFIRMED &&
               !(strlen(toll__grade_label(g)) == len &&
                 memcmp(toll__grade_label(g), s, len) == 0))
            g++;
        if (g > TOLL_GRADE_CONFIRMED)
            return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "grade", s,
                                len, "cannot merge: '%.*s' is no grade",
                                (int)len, s);
        v->num = g;
    } else if (d->kind == DIM_FIELD && d->data_grade) {
        v->num = 5 - toll__data_grade_rank(s, len); /* strongest first */
    }
    return TOLL_OK;
}

/* The union of the key values of both tables in u (one string column per
 * key), each side's map from its codes to the union's, and the dims'
 * values and ranks. */
static toll_status key_union(side sd[2], toll_table *u, dim *dims, size_t nk,
                             const toll_allocator *ta, toll_error *err)
{
    toll_status st = TOLL_OK;
    for (size_t k = 0; k < nk; k++) {
        if ((st = toll__table_set_column(u, k, "key", TOLL_COL_STRING)))
            return st;
        for (int s = 0; s < 2; s++) {
            const toll__column *c = &sd[s].t->cols[k];
            /* one entry more: missing cells, as the empty value */
            sd[s].map_n[k] = c->ndict + 1;
            sd[s].map[k] = toll__alloc(ta, sd[s].map_n[k] * sizeof(uint32_t));
            if (!sd[s].map[k])
                return TOLL_ENOMEM;
            for (size_t i = 0; i < c->ndict && !st; i++)
                st = toll__table_dict_add(u, k, c->dict[i], strlen(c->dict[i]),
                                          &sd[s].map[k][i]);
            const uint32_t *codes = c->data;
            int missing = 0;
            for (size_t r = 0; r < sd[s].t->nrows && !missing; r++)
                missing = codes[r] >= c->ndict;
            if (!st && missing)
                st = toll__table_dict_add(u, k, "", 0,
                                          &sd[s].map[k][c->ndict]);
            if (st)
                return st;
        }
        const toll__column *uc = &u->cols[k];
        for (size_t i = 0; i < uc->ndict; i++) {
            dim_val v;
            uint32_t code;
            if ((st = key_value(&dims[k], uc->dict[i], strlen(uc->dict[i]),
                                &v, err)))
                return st;
            if ((st = toll__dim_push(ta, &dims[k], v, &code)))
                return st == TOLL_ERANGE ? TOLL_ENOMEM : st;
        }
        if ((st = toll__dim_rank(ta, &dims[k])))
            return st;
    }
    return TOLL_OK;
}

/* The ranks of a side's rows, in order: TOLL_EINVAL when two rows have
 * the same keys. */
static toll_status side_order(side *sd, int s, const dim *dims, size_t nk,
                              const toll_allocator *ta, toll_error *err)
{
    const toll_table *t = sd->t;
    sd->ord = toll__alloc(ta, (t->nrows ? t->nrows : 1) * sizeof *sd->ord);
    if (!sd->ord)
        return TOLL_ENOMEM;
    int sorted = 1;
    for (size_t r = 0; r < t->nrows; r++) {
        row_order *o = &sd->ord[r];
        memset(o->rank, 0, sizeof o->rank);
        for (size_t k = 0; k < nk; k++) {
            const toll__column *c = &t->cols[k];
            uint32_t code = ((const uint32_t *)c->data)[r];
            o->rank[k] = dims[k].rank[sd->map[k][code < c->ndict ? code
                                                                  : c->ndict]];
        }
        o->group = (uint32_t)r;
        sorted = sorted && (r == 0 || toll__cmp_row_order(o - 1, o) < 0);
    }
    if (!sorted && t->nrows > 1)
        qsort(sd->ord, t->nrows, sizeof *sd->ord, toll__cmp_row_order);
    for (size_t r = 1; r < t->nrows; r++)
        if (toll__cmp_row_order(&sd->ord[r - 1], &sd->ord[r]) == 0) {
            char keys[200];
            toll__row_keys_text(t, nk, sd->ord[r].group, keys, sizeof keys);
            return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "by", NULL, 0,
                                "cannot merge: the %s table has two rows "
                                "with the keys %s",
                                side_name[s], keys);
        }
    return TOLL_OK;
}

/* ---- the merged table ----------------------------------------------------- */

/* Column j (a measure) of the merged table: row r sums row ra[r] of a
 * and row rb[r] of b (NO_CODE: none). */
static toll_status fill_column(toll_table *t, const side sd[2], size_t nk,
                               size_t j, const uint32_t *ra,
                               const uint32_t *rb, toll_error *err)
{
    const void *x = sd[0].t->cols[j].data, *y = sd[1].t->cols[j].data;
    if (t->cols[j].type == TOLL_COL_INT64) {
        const int64_t *xi = x, *yi = y;
        int64_t *o = t->cols[j].data;
        for (size_t r = 0; r < t->nrows; r++) {
            int64_t p = ra[r] != NO_CODE ? xi[ra[r]] : 0;
            int64_t q = rb[r] != NO_CODE ? yi[rb[r]] : 0;
            if ((q > 0 && p > INT64_MAX - q) ||
                (q < 0 && p < INT64_MIN - q)) {
                char keys[200];
                toll__row_keys_text(t, nk, r, keys, sizeof keys);
                return toll__seterr(err, TOLL_ERANGE, NULL, 0, -1,
                                    t->cols[j].name, NULL, 0,
                                    "the %s of the row %s overflow a "
                                    "64-bit count when merged",
                                    t->cols[j].name, keys);
            }
            o[r] = p + q;
        }
    } else {
        const double *xd = x, *yd = y;
        double *o = t->cols[j].data;
        for (size_t r = 0; r < t->nrows; r++)
            o[r] = ra[r] == NO_CODE   ? yd[rb[r]]
                   : rb[r] == NO_CODE ? xd[ra[r]]
                                      : xd[ra[r]] + yd[rb[r]];
    }
    return TOLL_OK;
}

static int same_warning(const toll_error *x, const toll_error *y)
{
    return x->code == y->code && x->line == y->line &&
           x->record == y->record && strcmp(x->file, y->file) == 0 &&
           strcmp(x->field, y->field) == 0 && strcmp(x->text, y->text) == 0 &&
           strcmp(x->message, y->message) == 0;
}

static toll_status add_warnings(toll_table *t, const toll_table *from)
{
    for (size_t i = 0; i < toll_table_warning_count(from); i++) {
        const toll_error *w = toll_table_warning(from, i);
        int seen = 0;
        for (size_t k = 0; k < toll_table_warning_count(t) && !seen; k++)
            seen = same_warning(toll_table_warning(t, k), w);
        if (!seen && toll__table_add_warning(t, w))
            return TOLL_ENOMEM;
    }
    return TOLL_OK;
}

toll_status toll_table_merge(const toll_table *a, const toll_table *b,
                             const toll_allocator *alloc, toll_table **out,
                             toll_error *err)
{
    if (out)
        *out = NULL;
    if (!a || !b || !out)
        return toll__err(err, TOLL_EINVAL,
                         "toll_table_merge: a table or out is NULL");
    const toll_table *const in[2] = {a, b};
    toll_status st = check_tables(in, err);
    if (st)
        return st;
    toll_allocator ta;
    toll__alloc_init(&ta, alloc ? alloc : &a->alloc);
    size_t nk = 0, n = 0, rows_n = 0;
    uint32_t *ra = NULL, *rb = NULL; /* per merged row: the rows it sums */
    dim dims[MAX_KEYS];
    toll_group_key keys[MAX_KEYS];
    side sd[2];
    toll_table *u = NULL, *t = NULL;
    uint32_t *ocode[MAX_KEYS];
    size_t ocode_n[MAX_KEYS];
    int reported = 0;
    memset(dims, 0, sizeof dims);
    memset(sd, 0, sizeof sd);
    memset(ocode, 0, sizeof ocode);
    memset(ocode_n, 0, sizeof ocode_n);
    sd[0].t = a;
    sd[1].t = b;

    if ((st = key_dims(a, dims, &nk, keys, err))) {
        reported = 1;
        goto cleanup;
    }
    if ((st = toll__table_new(&ta, nk, 0, &u)))
        goto cleanup;
    if ((st = key_union(sd, u, dims, nk, &ta, err))) {
        reported = st != TOLL_ENOMEM;
        goto cleanup;
    }
    for (int s = 0; s < 2; s++)
        if ((st = side_order(&sd[s], s, dims, nk, &ta, err))) {
            reported = st != TOLL_ENOMEM;
            goto cleanup;
        }

    /* the rows of the union: one per distinct key tuple */
    for (size_t i = 0, j = 0; i < a->nrows || j < b->nrows; n++) {
        int c = i == a->nrows   ? 1
                : j == b->nrows ? -1
                                : toll__cmp_row_order(&sd[0].ord[i],
                                                      &sd[1].ord[j]);
        i += c <= 0;
        j += c >= 0;
    }
    if ((st = toll__table_new(&ta, a->ncols, n, &t)))
        goto cleanup;
    for (size_t j = 0; j < a->ncols; j++)
        if ((st = toll__table_set_column_raw(t, j, a->cols[j].name,
                                             a->cols[j].type)) ||
            (st = toll__table_set_kind(t, j, a->cols[j].kind)))
            goto cleanup;
    /* dictionaries in key order, as summarize fills them */
    for (size_t k = 0; k < nk; k++) {
        const dim *d = &dims[k];
        ocode_n[k] = d->n ? d->n : 1;
        ocode[k] = toll__alloc(&ta, ocode_n[k] * sizeof **ocode);
        if (!ocode[k]) {
            st = TOLL_ENOMEM;
            goto cleanup;
        }
        for (size_t i = 0; i < d->n; i++)
            ocode[k][d->rank[i]] = (uint32_t)i; /* rank -> union code */
        for (size_t rk = 0; rk < d->n && !st; rk++) {
            const dim_val *v = &d->vals[ocode[k][rk]];
            st = toll__table_dict_add(t, k, v->s, v->len, &ocode[k][rk]);
        }
        if (st)
            goto cleanup;
    }
    /* the rows: keys, and which rows of a and b each sums */
    rows_n = n ? n : 1;
    ra = toll__alloc(&ta, rows_n * sizeof *ra);
    rb = toll__alloc(&ta, rows_n * sizeof *rb);
    if (!ra || !rb) {
        st = TOLL_ENOMEM;
        goto cleanup;
    }
    for (size_t i = 0, j = 0, r = 0; r < n; r++) {
        int c = i == a->nrows   ? 1
                : j == b->nrows ? -1
                                : toll__cmp_row_order(&sd[0].ord[i],
                                                      &sd[1].ord[j]);
        const row_order *o = c <= 0 ? &sd[0].ord[i] : &sd[1].ord[j];
        ra[r] = c <= 0 ? sd[0].ord[i].group : NO_CODE;
        rb[r] = c >= 0 ? sd[1].ord[j].group : NO_CODE;
        for (size_t k = 0; k < nk; k++)
            ((uint32_t *)t->cols[k].data)[r] = ocode[k][o->rank[k]];
        i += c <= 0;
        j += c >= 0;
    }
    for (size_t j = nk; j < a->ncols; j++)
        if ((st = fill_column(t, sd, nk, j, ra, rb, err))) {
            reported = 1;
            goto cleanup;
        }
    t->nkeys = nk;
    t->is_summary = 1;
    t->additive = a->additive && b->additive;
    if ((st = toll__table_set_caption(t, a->caption)) ||
        (st = toll__table_set_by(t, a->by)) || (st = add_warnings(t, a)) ||
        (st = add_warnings(t, b)))
        goto cleanup;
    if ((st = toll__summary_check_totals(t, nk, err))) {
        reported = 1;
        goto cleanup;
    }
    *out = t;
    t = NULL;
cleanup:
    toll__free(&ta, ra, rows_n * sizeof *ra);
    toll__free(&ta, rb, rows_n * sizeof *rb);
    for (size_t k = 0; k < MAX_KEYS; k++) {
        toll__free(&ta, ocode[k], ocode_n[k] * sizeof **ocode);
        toll__dim_free(&ta, &dims[k]);
        for (int s = 0; s < 2; s++)
            toll__free(&ta, sd[s].map[k], sd[s].map_n[k] * sizeof(uint32_t));
    }
    for (int s = 0; s < 2; s++)
        toll__free(&ta, sd[s].ord,
                   (sd[s].t->nrows ? sd[s].t->nrows : 1) * sizeof *sd[s].ord);
    toll_table_free(u);
    toll_table_free(t);
    if (st == TOLL_ENOMEM)
        toll__nomem(err);
    else if (st && !reported)
        toll__err(err, st, "cannot merge the summaries");
    return st;
}
