/*
 * src/summarize/summarize.c - aggregate reconciled incidents into a summary
 * table: the options of a call checked and resolved, the aggregation path
 * chosen (src/summarize/fast.c, src/summarize/aggregate.c), and the table
 * built from the groups (rows and dictionaries in key order).
 */
#include "summarize/summarize_int.h"
#include "render/render.h"
#include "core/region.h"

#include <stdio.h>
#include <stdlib.h>

/* ---- the table ------------------------------------------------------------------ */

static const char *const measure_names[] = {
    "incidents", "reports", "low", "best", "high", "open", "denied",
    "contested"};

/* Is total v (of n incidents) exact?  Sums of counts are exact in doubles
 * below 2^53; a total of exactly 2^53 is exact only as one incident's own
 * figure (2^53 + 1, from two incidents, rounds to 2^53). */
static int total_exact(double v, double n)
{
    return v < TOLL__SUM_MAX || (v == TOLL__SUM_MAX && n <= 1.0);
}

/* Every low, best and high of the table's rows, and their sums over the
 * rows when the rows add up (the totals row), exact (total_exact): a
 * total at or beyond 2^53 is TOLL_ERANGE naming the row and the column,
 * not a rounded double. */
toll_status toll__summary_check_totals(const toll_table *t, size_t nk,
                                       toll_error *err)
{
    static const char *const names[3] = {"low", "best", "high"};
    const double *col[3];
    double sum[3] = {0.0, 0.0, 0.0}, nsum = 0.0;
    char keys[200];
    for (size_t m = 0; m < 3; m++)
        col[m] = t->cols[nk + 2 + m].data;
    const int64_t *ninc = t->cols[nk].data; /* the incidents column */
    for (size_t r = 0; r < t->nrows; r++) {
        nsum += (double)ninc[r];
        for (size_t m = 0; m < 3; m++) {
            if (!total_exact(col[m][r], (double)ninc[r])) {
                toll__row_keys_text(t, nk, r, keys, sizeof keys);
                return toll__seterr(
                    err, TOLL_ERANGE, NULL, 0, -1, names[m], NULL, 0,
                    "the %s total of the row %s is %.17g, at or beyond "
                    "2^53 (9007199254740992), where sums of counts stop "
                    "being exact",
                    names[m], keys, col[m][r]);
            }
            sum[m] += col[m][r];
        }
    }
    for (size_t m = 0; t->additive && m < 3; m++)
        if (!total_exact(sum[m], nsum))
            return toll__seterr(
                err, TOLL_ERANGE, NULL, 0, -1, names[m], NULL, 0,
                "the %s total of all rows (the totals row) is %.17g, at or "
                "beyond 2^53 (9007199254740992), where sums of counts stop "
                "being exact",
                names[m], sum[m]);
    return TOLL_OK;
}

static toll_status build_table(ctx *c, const toll_allocator *alloc,
                               const char *caption, toll_table **out,
                               toll_error *err)
{
    const toll_allocator *a = c->ta;
    groups *g = &c->g;
    size_t nk = c->ndims, nrows = g->n;
    toll_status st = TOLL_OK;
    int reported = 0; /* err is set */
    toll_table *t = NULL;
    row_order *ord = NULL;
    uint32_t **dcodes = NULL; /* per dim: rank -> table dictionary code */

    for (size_t k = 0; k < nk; k++)
        if (!c->dims[k].rank && (st = toll__dim_rank(a, &c->dims[k])))
            goto cleanup;
    ord = c->rows_sorted ? NULL
                         : toll__alloc(a, (nrows ? nrows : 1) * sizeof *ord);
    if (!ord && !c->rows_sorted) {
        st = TOLL_ENOMEM;
        goto cleanup;
    }
    for (size_t r = 0; ord && r < nrows; r++) {
        memset(ord[r].rank, 0, sizeof ord[r].rank);
        for (size_t k = 0; k < nk; k++)
            ord[r].rank[k] = c->dims[k].rank[g->keys[r * nk + k]];
        ord[r].group = (uint32_t)r;
    }
    if (c->rows_sorted) {
        /* in order already */
    } else if (nrows > 4096) {
        int fits;
        if ((st = toll__sort_rows_radix(a, c->dims, nk, ord, nrows, &fits)))
            goto cleanup;
        if (!fits)
            qsort(ord, nrows, sizeof *ord, toll__cmp_row_order);
    } else if (nrows > 1) {
        qsort(ord, nrows, sizeof *ord, toll__cmp_row_order);
    }

    if ((st = toll__table_new(alloc, nk + 8 + toll__iv_ncols(c->iv), nrows,
                              &t)))
        goto cleanup;
    /* rows in order (toll__fast_cached): every row of the key and measure
     * columns is written below, so they need no zeroing */
    toll_status (*set_col)(toll_table *, size_t, const char *,
                           toll_coltype) =
        c->rows_sorted ? toll__table_set_column_raw : toll__table_set_column;
    for (size_t k = 0; k < nk; k++) {
        char fname[256]; /* a kept field's column is named after it */
        toll__field_key_name(c->dims[k].fname ? c->dims[k].fname : "",
                             c->dims[k].fname_len, fname, sizeof fname);
        if ((st = set_col(t, k,
                                         c->dims[k].kind == DIM_FIELD
                                             ? fname
                                             : toll__dim_names[c->dims[k].kind],
                                         TOLL_COL_STRING)))
            goto cleanup;
    }
    for (size_t m = 0; m < 8; m++)
        if ((st = set_col(
                 t, nk + m, measure_names[m],
                 (m >= 2 && m <= 4) ? TOLL_COL_DOUBLE : TOLL_COL_INT64)) ||
            (!(m >= 2 && m <= 4) &&
             (st = toll__table_set_kind(t, nk + m, TOLL_KIND_COUNT))))
            goto cleanup;
    if (c->iv && (st = toll__iv_columns(c->iv, t, nk + 8)))
        goto cleanup;

    /* Dictionaries are filled in key order, so dictionary codes follow the
     * sort order; dcodes[k] maps a rank to the dictionary code. */
    dcodes = toll__calloc(a, nk ? nk : 1, sizeof *dcodes);
    if (!dcodes) {
        st = TOLL_ENOMEM;
        goto cleanup;
    }
    for (size_t k = 0; k < nk; k++) {
        dim *d = &c->dims[k];
        dcodes[k] = toll__alloc(a, (d->n ? d->n : 1) * sizeof **dcodes);
        if (!dcodes[k]) {
            st = TOLL_ENOMEM;
            goto cleanup;
        }
        /* Add in rank order. */
        uint32_t *by_rank = toll__alloc(a, (d->n ? d->n : 1) * sizeof *by_rank);
        if (!by_rank) {
            st = TOLL_ENOMEM;
            goto cleanup;
        }
        for (size_t code = 0; code < d->n; code++)
            by_rank[d->rank[code]] = (uint32_t)code;
        for (size_t rk = 0; rk < d->n && !st; rk++) {
            const dim_val *v = &d->vals[by_rank[rk]];
            char buf[64];
            if (d->kind == DIM_PERIOD) {
                size_t blen = toll__period_label(d->unit, v->num, buf,
                                                 sizeof buf);
                st = toll__table_dict_add(t, k, buf, blen, &dcodes[k][rk]);
            } else {
                st = toll__table_dict_add(t, k, v->s, v->len, &dcodes[k][rk]);
            }
        }
        toll__free(a, by_rank, (d->n ? d->n : 1) * sizeof *by_rank);
        if (st)
            goto cleanup;
    }
    if (c->rows_sorted) { /* toll__fast_cached: rows in order, ranks = codes */
        const struct kpacc *ka = c->kacc;
        for (size_t k = 0; k < nk; k++) {
            uint32_t *col = t->cols[k].data;
            const uint32_t *dc = dcodes[k];
            for (size_t r = 0; r < nrows; r++)
                col[r] = dc[g->keys[r * nk + k]];
        }
        int64_t *inc_c = t->cols[nk + 0].data, *rep_c = t->cols[nk + 1].data,
                *open_c = t->cols[nk + 5].data, *den_c = t->cols[nk + 6].data,
                *con_c = t->cols[nk + 7].data;
        double *low_c = t->cols[nk + 2].data, *best_c = t->cols[nk + 3].data,
               *high_c = t->cols[nk + 4].data;
        for (size_t r = 0; r < nrows; r++) {
            const struct kpacc *s = &ka[r];
            inc_c[r] = (int64_t)(s->inc_open & 0xFFFFFFFFu);
            open_c[r] = (int64_t)(s->inc_open >> 32);
            den_c[r] = (int64_t)(s->den_cont & 0xFFFFFFFFu);
            con_c[r] = (int64_t)(s->den_cont >> 32);
            rep_c[r] = (int64_t)s->reports;
            low_c[r] = s->low;
            best_c[r] = s->best;
            high_c[r] = s->high;
        }
    }
    for (size_t r = 0; ord && r < nrows; r++) {
        if (r + 8 < nrows) /* the groups are read in sorted order */
            PREFETCH(&g->acc[ord[r + 8].group]);
        const gacc *ac = &g->acc[ord[r].group];
        for (size_t k = 0; k < nk; k++)
            ((uint32_t *)t->cols[k].data)[r] = dcodes[k][ord[r].rank[k]];
        ((int64_t *)t->cols[nk + 0].data)[r] = ac->incidents;
        ((int64_t *)t->cols[nk + 1].data)[r] = ac->reports;
        ((double *)t->cols[nk + 2].data)[r] = ac->low;
        ((double *)t->cols[nk + 3].data)[r] = ac->best;
        ((double *)t->cols[nk + 4].data)[r] = ac->high;
        ((int64_t *)t->cols[nk + 5].data)[r] = ac->open;
        ((int64_t *)t->cols[nk + 6].data)[r] = ac->denied;
        ((int64_t *)t->cols[nk + 7].data)[r] = ac->contested;
    }
    t->nkeys = nk;
    t->is_summary = 1;
    t->additive = !(c->actor_dim >= 0 && c->attribution == TOLL_ATTR_EACH);
    if ((st = toll__summary_check_totals(t, nk, err))) {
        reported = 1;
        goto cleanup;
    }
    for (size_t r = 0; ord && c->iv && r < nrows; r++) /* intervals */
        if ((st = toll__iv_fill(c->iv, t, nk, nk + 8, r, ord[r].group))) {
            reported = toll__iv_error(c->iv, err);
            goto cleanup;
        }
    if ((st = toll__table_set_caption(t, caption)))
        goto cleanup;
    {
        /* the keys, for toll_table_merge (src/summarize/merge.c) */
        char by[4096];
        if (nk)
            toll__keys_text(c, by, sizeof by);
        else
            by[0] = '\0';
        if ((st = toll__table_set_by(t, by)))
            goto cleanup;
    }
    *out = t;
    t = NULL;
cleanup:
    if (dcodes) {
        for (size_t k = 0; k < nk; k++)
            toll__free(a, dcodes[k],
                       (c->dims[k].n ? c->dims[k].n : 1) * sizeof **dcodes);
        toll__free(a, dcodes, (nk ? nk : 1) * sizeof *dcodes);
    }
    toll__free(a, ord, (nrows ? nrows : 1) * sizeof *ord);
    toll_table_free(t);
    if (st == TOLL_ENOMEM)
        toll__nomem(err);
    else if (st && !reported)
        toll__err(err, st, "cannot build the summary table");
    return st;
}

/* A where item on the field "actor" (any case): a name for the actor
 * filter, not a kept field. */
static int is_actor_item(const toll_where_item *it)
{
    return it->field && it->field_len == 5 &&
           toll__strncaseeq(it->field, 5, "actor") &&
           (it->value || !it->value_len);
}

/* Entry k of the actor filter: the actor named s[0..len), by its identity
 * (src/base/fold.c: any spelling finds it); "unknown" in any case, or an
 * empty name, keeps the incidents without actors.  TOLL_ENOMEM. */
static toll_status filter_actor(ctx *c, const char *s, size_t len, size_t k)
{
    uint32_t id = 0;
    int found = 0;
    toll__buf key;
    toll__buf_init(&key, c->ta);
    toll_status st = toll__reports_find_actor(c->rep, c->ta, s, len, &id,
                                              &found);
    if (!st)
        st = toll__actor_fold(s, len, &key);
    /* an actor added to the store after the incidents is none of theirs */
    c->filter_actors[k] = found && id < c->inc->nstr ? id : 0;
    if (!st && (key.len == 0 ||
                (key.len == 7 && memcmp(key.data, "unknown", 7) == 0)))
        c->filter_unknown = 1;
    toll__buf_free(&key);
    return st;
}

/* "killed; policy envelope; self-reports exclude; attribution joint; span
 * start", followed by the filters in use. */
static toll_status make_caption(const ctx *c, const toll_summarize_options *o,
                                toll__buf *b)
{
    const toll_reconcile_options *ro = &c->inc->opts;
    toll_status st = toll__buf_appendf(
        b, "%s; policy %s; self-reports %s; attribution %s; span %s",
        c->all_categories ? "all categories"
                          : (o->category && o->category[0] ? o->category
                                                           : "killed"),
        ro->policy == TOLL_POLICY_CONSERVATIVE ? "conservative" : "envelope",
        ro->self_reports == TOLL_SELF_INCLUDE ? "include" : "exclude",
        toll_attribution_name(c->attribution), toll_span_name(c->span));
    if (!st && c->min_grade > TOLL_GRADE_NONE)
        st = toll__buf_appendf(b, "; grade >= %s",
                               toll__grade_label(c->min_grade));
    if (!st && (c->from != TOLL_NO_DATE || c->to != TOLL_NO_DATE)) {
        char f[16], t[16];
        toll_date_format(c->from, f);
        toll_date_format(c->to, t);
        st = toll__buf_appendf(b, "; dates %s..%s", f, t);
    }
    if (!st && c->prefix_len)
        st = toll__buf_appendf(b, "; region %.*s", (int)c->prefix_len,
                               c->prefix);
    size_t na = 0;
    for (size_t k = 0; !st && k < o->n_actors; k++)
        st = toll__buf_appendf(b, "%s%s", na++ ? ", " : "; actors ",
                               o->actors[k]);
    for (size_t k = 0; !st && k < c->n_where_all; k++)
        if (is_actor_item(&c->where_all[k]))
            st = toll__buf_appendf(b, "%s%.*s", na++ ? ", " : "; actors ",
                                   (int)c->where_all[k].value_len,
                                   c->where_all[k].value_len
                                       ? c->where_all[k].value
                                       : "");
    if (!st) /* kept fields */
        st = toll__where_caption(&c->where, o->min_data_grade, b);
    return st;
}

static toll_status parse_date_opt(const char *s, const char *field, int last,
                                  int32_t *out, toll_error *err)
{
    *out = TOLL_NO_DATE;
    if (!s || !*s)
        return TOLL_OK;
    int32_t first, final;
    toll_status st = toll_date_parse(s, strlen(s), &first, &final, err);
    if (st) {
        if (err) {
            toll__err_locate(err, NULL, 0, -1, field);
            err->code = TOLL_EINVAL;
        }
        return TOLL_EINVAL;
    }
    *out = last ? final : first;
    return TOLL_OK;
}

toll_status toll_summarize(const toll_incidents *incidents,
                           const toll_summarize_options *opts,
                           const toll_allocator *alloc, toll_table **out,
                           toll_error *err)
{
    return toll__summarize_path(incidents, opts, alloc, TOLL__AGG_AUTO, NULL,
                                out, err);
}

toll_status toll__summarize_path(const toll_incidents *incidents,
                                 const toll_summarize_options *opts,
                                 const toll_allocator *alloc, int path,
                                 int *used, toll_table **out,
                                 toll_error *err)
{
    int used_path = 0;
    if (used)
        *used = 0;
    if (out)
        *out = NULL;
    if (!incidents || !out)
        return toll__err(err, TOLL_EINVAL,
                         "toll_summarize: incidents or out is NULL");
    toll_summarize_options defaults;
    if (!opts) {
        toll_summarize_options_init(&defaults);
        opts = &defaults;
    }
    toll_status st = TOLL_OK;
    ctx c;
    memset(&c, 0, sizeof c);
    c.inc = incidents;
    c.rep = incidents->reports;
    c.ta = &incidents->alloc;
    c.actor_dim = c.region_dim = c.period_dim = c.category_dim =
        c.grade_dim = -1;
    toll__buf caption;
    toll__buf_init(&caption, c.ta);
    toll_where_item *where_items = NULL; /* the text form of where, parsed */
    toll_where_item *other_items = NULL; /* where items but actor=... */
    const char **other_texts = NULL;
    size_t n_filter = 0;                 /* actor filter: actors, actor=... */

    /* ---- options ---- */
    if ((unsigned)opts->attribution > TOLL_ATTR_EACH)
        return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "attribution",
                            NULL, 0, "unknown attribution value %d",
                            (int)opts->attribution);
    if ((unsigned)opts->span > TOLL_SPAN_PRORATE)
        return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "span", NULL, 0,
                            "unknown span value %d", (int)opts->span);
    if ((unsigned)opts->min_grade > TOLL_GRADE_CONFIRMED)
        return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "min_grade", NULL,
                            0, "unknown grade value %d", (int)opts->min_grade);
    if (opts->n_actors && !opts->actors)
        return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "actors", NULL, 0,
                            "n_actors is %zu but actors is NULL",
                            opts->n_actors);
    for (size_t k = 0; k < opts->n_actors; k++)
        if (!opts->actors[k])
            return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "actors", NULL,
                                0, "actor %zu of the filter is NULL", k);
    c.attribution = opts->attribution;
    c.span = opts->span;
    c.max_rows = toll__max_rows(opts);
    c.g.max = c.max_rows;
    c.min_grade = (unsigned)opts->min_grade;
    if (opts->by && opts->n_keys)
        return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "by", opts->by,
                            strlen(opts->by),
                            "both by ('%s') and keys (%zu group keys) are "
                            "given: give one of them",
                            opts->by, opts->n_keys);
    if (opts->n_where && opts->n_where_items)
        return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "where", NULL, 0,
                            "both where (%zu items) and where_items (%zu "
                            "items) are given: give one of them",
                            opts->n_where, opts->n_where_items);
    {
        toll_group_key keys[MAX_KEYS];
        const toll_group_key *kp = opts->keys;
        size_t nk = opts->n_keys;
        if (opts->by) {
            if ((st = toll_summarize_by_parse(opts->by, keys, MAX_KEYS, &nk,
                                              err)))
                return st;
            kp = keys;
        }
        if ((st = toll__dims_from_keys(kp, nk, c.dims, &c.ndims, err)))
            return st;
    }
    for (size_t k = 0; k < c.ndims; k++) {
        int *slot[] = {&c.actor_dim, &c.region_dim, &c.period_dim,
                       &c.category_dim, &c.grade_dim};
        if (c.dims[k].kind != DIM_FIELD) /* kept fields: several */
            *slot[c.dims[k].kind] = (int)k;
    }
    if ((st = parse_date_opt(opts->date_from, "date_from", 0, &c.from, err)) ||
        (st = parse_date_opt(opts->date_to, "date_to", 1, &c.to, err)))
        return st;
    if (c.from != TOLL_NO_DATE && c.to != TOLL_NO_DATE && c.from > c.to)
        return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "date_from",
                            opts->date_from, strlen(opts->date_from),
                            "date_from '%s' is after date_to '%s'",
                            opts->date_from, opts->date_to);
    if (opts->region_prefix) {
        c.prefix = opts->region_prefix;
        c.prefix_len = strlen(c.prefix);
        while (c.prefix_len && c.prefix[c.prefix_len - 1] == '/')
            c.prefix_len--;
        /* the loaders' rule of a region path (src/core/region.c) */
        if (toll__region_has_empty_level(c.prefix, c.prefix_len, '/', NULL))
            return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "region",
                                c.prefix, c.prefix_len,
                                "region \"%s\" has an empty level",
                                opts->region_prefix);
    }
    /* names are looked up in the incidents' id space, and the categories
     * are those of their reports (src/reconcile/reconcile.h) */
    const toll__strpool *sp = &c.rep->strings;
    const size_t ncat = incidents->ncategories;
    if (!toll__inc_find(incidents, "unknown", 7, &c.unknown_actor))
        c.unknown_actor = 0;
    if (opts->category && opts->category[0]) {
        const char *cat = opts->category;
        uint32_t id = 0;
        int found = toll__inc_find(incidents, cat, strlen(cat), &id);
        int listed = 0;
        for (size_t k = 0; k < ncat; k++)
            listed |= found && c.rep->categories[k] == id;
        if (ncat && !listed) {
            toll__buf names;
            toll__buf_init(&names, c.ta);
            for (size_t k = 0; k < ncat && !st; k++)
                st = toll__buf_appendf(&names, "%s%s", k ? ", " : "",
                                       toll__str(sp, c.rep->categories[k]));
            toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "category", cat,
                         strlen(cat), "unknown category '%s' (categories: %s)",
                         cat, st ? "?" : names.data);
            toll__buf_free(&names);
            return TOLL_EINVAL;
        }
        c.category = found ? id : 0;
        c.category_absent = !found;
    } else if (c.category_dim >= 0) {
        c.all_categories = 1;
    } else {
        uint32_t id = 0;
        c.category_absent = !toll__inc_find(incidents, "killed", 6, &id);
        c.category = id;
    }
    /* ---- kept fields: group keys and filters (src/summarize/kept.c) ---- */
    for (size_t k = 0; k < c.ndims; k++) {
        dim *d = &c.dims[k];
        uint32_t fkey = 0;
        if (d->kind != DIM_FIELD)
            continue;
        if (!toll__kept_find(c.rep, d->fname, d->fname_len, &fkey)) {
            toll__buf names;
            toll__buf_init(&names, c.ta);
            st = toll__kept_list(c.rep, &names, 40);
            toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "by", d->fname,
                         d->fname_len,
                         "unknown group key '%.*s' (expected actor, region, "
                         "region:K, period:day|week|month|quarter|year, "
                         "category, grade), nor a kept field of the "
                         "reports (kept fields: %s)",
                         (int)d->fname_len, d->fname, st ? "?" : names.data);
            toll__buf_free(&names);
            if (st)
                goto nomem;
            st = TOLL_EINVAL;
            goto cleanup;
        }
        d->data_grade = d->fname_len == sizeof TOLL__DATA_GRADE - 1 &&
                        memcmp(d->fname, TOLL__DATA_GRADE, d->fname_len) == 0;
        if (toll__kept_incident_values(incidents, fkey, c.ta, &d->fpool,
                                       &d->fvals))
            goto nomem;
        d->fvals_n = incidents->n ? incidents->n : 1;
    }
    if (opts->n_where) {
        /* the text form, through its one parser */
        if (!opts->where) {
            st = toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "where", NULL, 0,
                              "n_where is %zu but where is NULL",
                              opts->n_where);
            goto cleanup;
        }
        where_items = toll__calloc(c.ta, opts->n_where, sizeof *where_items);
        if (!where_items)
            goto nomem;
        for (size_t k = 0; k < opts->n_where; k++) {
            if (!opts->where[k]) {
                st = toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "where",
                                  NULL, 0, "where item %zu is NULL", k);
                goto cleanup;
            }
            if ((st = toll_summarize_where_parse(opts->where[k],
                                                 &where_items[k], err)))
                goto cleanup;
        }
    }
    /* where items on the field "actor" are the actor filter, as `actors`;
     * the others filter kept fields */
    c.where_all = opts->n_where ? where_items : opts->where_items;
    c.n_where_all = opts->n_where ? opts->n_where : opts->n_where_items;
    const char *const *where_texts = opts->n_where ? opts->where : NULL;
    size_t n_where_actors = 0;
    for (size_t k = 0; c.where_all && k < c.n_where_all; k++)
        n_where_actors += is_actor_item(&c.where_all[k]);
    const toll_where_item *kept_items = c.where_all;
    const char *const *kept_texts = where_texts;
    size_t n_kept_items = c.n_where_all - n_where_actors;
    if (n_where_actors && n_kept_items) {
        other_items = toll__calloc(c.ta, n_kept_items, sizeof *other_items);
        other_texts = toll__calloc(c.ta, n_kept_items, sizeof *other_texts);
        if (!other_items || !other_texts)
            goto nomem;
        for (size_t k = 0, j = 0; k < c.n_where_all; k++) {
            if (is_actor_item(&c.where_all[k]))
                continue;
            other_items[j] = c.where_all[k];
            other_texts[j++] = where_texts ? where_texts[k] : NULL;
        }
        kept_items = other_items;
        kept_texts = where_texts ? other_texts : NULL;
    }
    n_filter = opts->n_actors + n_where_actors;
    if (n_filter) {
        c.filter_actors = toll__calloc(c.ta, n_filter,
                                       sizeof *c.filter_actors);
        if (!c.filter_actors)
            goto nomem;
        c.n_filter_actors = n_filter;
        size_t k = 0;
        for (size_t j = 0; j < opts->n_actors; j++, k++)
            if (filter_actor(&c, opts->actors[j], strlen(opts->actors[j]),
                             k))
                goto nomem;
        for (size_t j = 0; j < c.n_where_all; j++)
            if (is_actor_item(&c.where_all[j]) &&
                filter_actor(&c, c.where_all[j].value,
                             c.where_all[j].value_len, k++))
                goto nomem;
    }
    if ((st = toll__where_init(&c.where, incidents, kept_items, n_kept_items,
                               kept_texts, opts->min_data_grade, c.ta, err)))
        goto cleanup;

    if ((st = toll__iv_new(c.ta, &opts->interval, &c.iv, err)))
        goto cleanup;
    int fast = !c.category_absent && path != TOLL__AGG_GENERAL &&
               toll__fast_applies(&c);
    int done = 0; /* aggregated by toll__fast_cached */
    if (fast && path == TOLL__AGG_AUTO) {
        c.g.nk = c.ndims;
        if ((st = toll__fast_cached(&c, &done, &used_path, err)))
            goto cleanup;
        used_path |= done ? TOLL__AGG_USED_CACHED : 0;
    }

    /* ---- working memory ---- */
    for (size_t k = 0; k < c.ndims && !done; k++) {
        dim *d = &c.dims[k];
        if (d->kind == DIM_PERIOD) {
            d->cache = toll__alloc(c.ta, DAY_CACHE * sizeof *d->cache);
            if (!d->cache)
                goto nomem;
            for (size_t i = 0; i < DAY_CACHE; i++)
                d->cache[i].day = TOLL_NO_DATE;
            continue;
        }
        d->by_id_n = d->kind == DIM_GRADE ? 5
                     : d->kind == DIM_FIELD ? d->fpool.count
                     : fast              ? toll__fast_by_id_n(&c, d)
                                         : toll__inc_nstrings(incidents);
        d->by_id = toll__calloc(c.ta, d->by_id_n, sizeof *d->by_id);
        if (!d->by_id)
            goto nomem;
    }
    c.g.nk = c.ndims;
    if (!done) {
        c.g.dense = 1; /* all bits 0: one entry */
        c.g.index_n = 1;
        if (toll__grow(c.ta, (void **)&c.aparts, &c.aparts_cap, 1,
                       sizeof *c.aparts) ||
            toll__grow(c.ta, (void **)&c.pparts, &c.pparts_cap, 1,
                       sizeof *c.pparts) ||
            !(c.g.index = toll__calloc(c.ta, 1, sizeof *c.g.index)))
            goto nomem;
    }

    if (!c.category_absent && !done) {
        if (fast) {
            st = toll__fast_aggregate(&c, &used_path, err);
        } else {
            used_path = TOLL__AGG_USED_GENERAL;
            st = toll__aggregate(&c, err);
        }
        if (st)
            goto cleanup;
    }
    if (c.g.n > c.max_rows) { /* the fast paths: rows at most the records */
        st = toll__rows_fail(&c, err);
        goto cleanup;
    }
    if ((st = make_caption(&c, opts, &caption)))
        goto nomem;
    if (c.iv && (st = toll__iv_caption(c.iv, &caption)))
        goto nomem;
    if ((st = build_table(&c, alloc ? alloc : &incidents->alloc, caption.data,
                          out, err)))
        goto cleanup;
    {
        /* no report carries a casualty category: the summary counts
         * nothing (the rule in src/store/store.c) */
        toll_error w;
        int applies = 0;
        if ((incidents->n && !incidents->ncategories &&
             toll__reports_no_category(c.rep, 0, c.rep->n, NULL, &applies,
                                       &w)) ||
            (applies && toll__table_add_warning(*out, &w))) {
            toll_table_free(*out);
            *out = NULL;
            goto nomem;
        }
    }
    goto cleanup;
nomem:
    st = toll__nomem(err);
cleanup:
    for (size_t k = 0; k < c.ndims; k++)
        toll__dim_free(c.ta, &c.dims[k]);
    toll__groups_free(c.ta, &c.g);
    toll__free(c.ta, c.kacc, c.kacc_n * sizeof *c.kacc);
    toll__free(c.ta, c.aparts, c.aparts_cap * sizeof *c.aparts);
    toll__free(c.ta, c.pparts, c.pparts_cap * sizeof *c.pparts);
    toll__free(c.ta, c.filter_actors, n_filter * sizeof *c.filter_actors);
    if (other_items) {
        size_t n = c.n_where_all;
        for (size_t k = 0; k < c.n_where_all; k++)
            n -= is_actor_item(&c.where_all[k]);
        toll__free(c.ta, other_items, n * sizeof *other_items);
        toll__free(c.ta, other_texts, n * sizeof *other_texts);
    }
    toll__where_free(&c.where);
    toll__free(c.ta, where_items, opts->n_where * sizeof *where_items);
    toll__iv_free(c.iv);
    toll__buf_free(&caption);
    if (used && !st)
        *used = used_path;
    return st;
}
