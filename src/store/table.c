/*
 * src/store/table.c - the stored reports as a toll_table
 * (toll_reports_table): one row per report, in store order.
 *
 * Columns: report ("FILE:LINE"), incident, source, source_kind,
 * source_actor, date_start, date_end, region, actor (the actor set as
 * "A + B"), id, url, note, lat, lon (DOUBLE: NaN when none), location,
 * precision_km (DOUBLE: NaN when not stated); then for each category, in first-seen order,
 * CATEGORY_low, CATEGORY_best and CATEGORY_high (DOUBLE: NaN when the
 * report has no figure or an unknown one, high +inf when the range is
 * open; low of kind TOLL_KIND_COUNT); then each kept field, in first-seen
 * order, as a string column named after it (keep:NAME when an earlier
 * column has the name: GED's region); date_start and date_end are of
 * kind TOLL_KIND_DATE.  Missing strings are TOLL_NULL_CODE.  Every string is
 * copied, so the table outlives the store.
 */
#include "store/store.h"
#include "render/render.h"

#include "toll/date.h"
#include "toll/reports.h"

#include <math.h>
#include <string.h>

#define NFIXED 16
static const char *const fixed_names[NFIXED] = {
    "report", "incident", "source", "source_kind", "source_actor",
    "date_start", "date_end", "region", "actor", "id", "url", "note",
    "lat", "lon", "location", "precision_km"};
enum { C_REPORT, C_INCIDENT, C_SOURCE, C_KIND, C_SOURCE_ACTOR, C_DATE_START,
       C_DATE_END, C_REGION, C_ACTOR, C_ID, C_URL, C_NOTE, C_LAT, C_LON,
       C_LOCATION, C_PRECISION };

static int fixed_is_double(size_t j)
{
    return j == C_LAT || j == C_LON || j == C_PRECISION;
}

/* Row i of string column j = string id `id` of the store (0: missing). */
static toll_status put_id(toll_table *t, size_t j, size_t i,
                          const toll_reports *r, uint32_t id)
{
    if (!id || id >= r->strings.count)
        return TOLL_OK;
    return toll__table_put_str(t, j, i, toll__str(&r->strings, id),
                   toll__strlen(&r->strings, id));
}

static toll_status put_date(toll_table *t, size_t j, size_t i, int32_t d)
{
    char buf[16];
    if (d == TOLL_NO_DATE)
        return TOLL_OK;
    toll_date_format(d, buf);
    return toll__table_put_str(t, j, i, buf, strlen(buf));
}

/* Row i: every column of report i. */
static toll_status put_row(toll_table *t, const toll_reports *r, size_t i,
                           const uint32_t *cat_slot, const uint32_t *kept_col,
                           size_t first_cat_col, toll__buf *b)
{
    toll_status st = TOLL_OK;
    b->len = 0;
    st = toll__reports_locate(r, i, b);
    if (!st)
        st = toll__table_put_str(t, C_REPORT, i, b->data, b->len);
    if (!st)
        st = put_id(t, C_INCIDENT, i, r, r->incident[i]);
    if (!st)
        st = put_id(t, C_SOURCE, i, r, r->source[i]);
    if (!st) {
        const char *k = toll_source_kind_name(
            (toll_source_kind)r->source_kind[i]);
        st = toll__table_put_str(t, C_KIND, i, k, strlen(k));
    }
    if (!st)
        st = put_id(t, C_SOURCE_ACTOR, i, r, toll__reports_opt(r->source_actor, i));
    if (!st)
        st = put_date(t, C_DATE_START, i, r->date_start[i]);
    if (!st)
        st = put_date(t, C_DATE_END, i, r->date_end[i]);
    if (!st)
        st = put_id(t, C_REGION, i, r, r->region[i]);
    if (!st && r->actors[i] && r->actors[i] < r->actor_sets.count)
        st = put_id(t, C_ACTOR, i, r, r->actor_sets.label[r->actors[i]]);
    if (!st)
        st = put_id(t, C_ID, i, r, toll__reports_opt(r->id, i));
    if (!st)
        st = put_id(t, C_URL, i, r, toll__reports_opt(r->url, i));
    if (!st)
        st = put_id(t, C_NOTE, i, r, toll__reports_opt(r->note, i));
    ((double *)t->cols[C_LAT].data)[i] = r->lat[i];
    ((double *)t->cols[C_LON].data)[i] = r->lon[i];
    if (!st)
        st = put_id(t, C_LOCATION, i, r, r->location[i]);
    ((double *)t->cols[C_PRECISION].data)[i] =
        toll__precision_stated(r->precision_km[i])
            ? (double)r->precision_km[i] + 0.0 /* -0: 0 */
            : NAN;

    for (size_t k = 0; k < r->q_count[i] && !st; k++) {
        const toll__qcell *q = &r->q[r->q_begin[i] + k];
        if (q->category >= r->strings.count || q->low < 0)
            continue;
        size_t j = first_cat_col + 3 * (size_t)cat_slot[q->category];
        ((double *)t->cols[j].data)[i] = (double)q->low;
        ((double *)t->cols[j + 1].data)[i] = q->best;
        ((double *)t->cols[j + 2].data)[i] =
            q->high == TOLL_OPEN ? INFINITY : (double)q->high;
    }
    toll__kept_iter it;
    uint32_t key;
    const char *s;
    size_t len;
    toll__kept_begin(r, i, &it);
    while (!st && toll__kept_next(&it, &key, &s, &len))
        if (key < r->strings.count && kept_col[key] != UINT32_MAX)
            st = toll__table_put_str(t, kept_col[key], i, s, len);
    return st;
}

toll_status toll_reports_table(const toll_reports *r,
                               const toll_allocator *alloc, toll_table **out,
                               toll_error *err)
{
    if (!out)
        return toll__err(err, TOLL_EINVAL, "toll_reports_table: out is NULL");
    *out = NULL;
    if (!r)
        return toll__err(err, TOLL_EINVAL,
                         "toll_reports_table: reports is NULL");
    const toll_allocator *a = alloc ? alloc : &r->alloc;
    size_t nstr = r->strings.count;
    toll_table *t = NULL;
    toll__buf b;
    toll__buf_init(&b, a);
    toll_status st = TOLL_OK;
    /* string id -> category slot / kept-field column */
    uint32_t *cat_slot = toll__alloc(a, (nstr ? nstr : 1) * sizeof *cat_slot);
    uint32_t *kept_col = toll__alloc(a, (nstr ? nstr : 1) * sizeof *kept_col);
    uint32_t *kept_keys = NULL;
    size_t nkept = 0, kept_cap = 0;
    if (!cat_slot || !kept_col) {
        st = TOLL_ENOMEM;
        goto cleanup;
    }
    memset(cat_slot, 0xff, nstr * sizeof *cat_slot);
    memset(kept_col, 0xff, nstr * sizeof *kept_col);
    size_t ncat = r->ncategories;
    for (size_t k = 0; k < ncat; k++)
        if (r->categories[k] < nstr)
            cat_slot[r->categories[k]] = (uint32_t)k;
    size_t first_kept = NFIXED + 3 * ncat;
    for (size_t k = 0; k < r->nx; k++) {
        uint32_t key = r->x[k].key;
        if (key >= nstr || kept_col[key] != UINT32_MAX)
            continue;
        st = toll__grow(a, (void **)&kept_keys, &kept_cap, nkept + 1,
                        sizeof *kept_keys);
        if (st)
            goto cleanup;
        kept_col[key] = (uint32_t)(first_kept + nkept);
        kept_keys[nkept++] = key;
    }

    st = toll__table_new(a, first_kept + nkept, r->n, &t);
    for (size_t j = 0; j < NFIXED && !st; j++)
        if (!(st = toll__table_set_column(t, j, fixed_names[j],
                                          fixed_is_double(j)
                                              ? TOLL_COL_DOUBLE
                                              : TOLL_COL_STRING)) &&
            (j == C_DATE_START || j == C_DATE_END))
            st = toll__table_set_kind(t, j, TOLL_KIND_DATE);
    static const char *const part[3] = {"_low", "_best", "_high"};
    for (size_t k = 0; k < ncat && !st; k++)
        for (size_t m = 0; m < 3 && !st; m++) {
            b.len = 0;
            st = toll__buf_appendf(&b, "%s%s",
                                   toll__str(&r->strings, r->categories[k]),
                                   part[m]);
            if (!st)
                st = toll__table_set_column(t, NFIXED + 3 * k + m, b.data,
                                            TOLL_COL_DOUBLE);
            if (!st && m == 0) /* high is +inf for an open range */
                st = toll__table_set_kind(t, NFIXED + 3 * k,
                                          TOLL_KIND_COUNT);
            if (!st) {
                double *d = t->cols[NFIXED + 3 * k + m].data;
                for (size_t i = 0; i < r->n; i++)
                    d[i] = NAN;
            }
        }
    for (size_t k = 0; k < nkept && !st; k++) {
        /* a kept field named as a column before it (GED's `region`,
         * ACLED's `source`) is named keep:NAME, as a map writes it */
        const char *name = toll__str(&r->strings, kept_keys[k]);
        int clash = 0;
        for (size_t j = 0; j < first_kept && !clash; j++)
            clash = strcmp(t->cols[j].name, name) == 0;
        b.len = 0;
        st = toll__buf_appendf(&b, "%s%s", clash ? "keep:" : "", name);
        if (!st)
            st = toll__table_set_column(t, first_kept + k, b.data,
                                        TOLL_COL_STRING);
    }
    if (st)
        goto cleanup;
    t->nkeys = 0;
    t->is_summary = 0;
    t->additive = 1;
    for (size_t i = 0; i < r->n && !st; i++)
        st = put_row(t, r, i, cat_slot, kept_col, NFIXED, &b);
    if (!st) {
        *out = t;
        t = NULL;
    }

cleanup:
    toll__buf_free(&b);
    toll_table_free(t);
    if (cat_slot)
        toll__free(a, cat_slot, (nstr ? nstr : 1) * sizeof *cat_slot);
    if (kept_col)
        toll__free(a, kept_col, (nstr ? nstr : 1) * sizeof *kept_col);
    if (kept_keys)
        toll__free(a, kept_keys, kept_cap * sizeof *kept_keys);
    if (st == TOLL_ENOMEM)
        return toll__nomem(err);
    if (st)
        return toll__err(err, st, "cannot build the reports table: %s",
                         toll_strerror(st));
    return TOLL_OK;
}
