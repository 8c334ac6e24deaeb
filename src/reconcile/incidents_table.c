/*
 * src/reconcile/incidents_table.c - the incidents listing: reconciled incidents as a
 * toll_table, one row per (incident, category) cell.
 *
 * Rows come in incident order, an incident's cells in the store's category
 * first-seen order; an incident without cells gets one row whose category
 * (and cell measures) are missing.  Every string is copied into the table,
 * so it outlives the incidents and the reports.  Missing strings are
 * TOLL_NULL_CODE, missing numbers NaN.
 */
#include "reconcile/reconcile.h"
#include "render/render.h"

#include <math.h>

/* The columns, in order: name, type and kind (toll/table.h). */
#define INCIDENT_TABLE_COLUMNS(X)                                             \
    X(INCIDENT, "incident", STRING, PLAIN)                                    \
    X(CATEGORY, "category", STRING, PLAIN)                                    \
    X(DATE_START, "date_start", STRING, DATE)                                 \
    X(DATE_END, "date_end", STRING, DATE)                                     \
    X(REGION, "region", STRING, PLAIN)                                        \
    X(ACTOR, "actor", STRING, PLAIN)                                          \
    X(GRADE, "grade", STRING, PLAIN)                                          \
    X(REPORTS, "reports", INT64, COUNT)                                       \
    X(SOURCES, "sources", INT64, COUNT)                                       \
    X(LOW, "low", DOUBLE, COUNT)                                              \
    X(BEST, "best", DOUBLE, PLAIN)                                            \
    X(HIGH, "high", DOUBLE, COUNT)                                            \
    X(OPEN, "open", INT64, FLAG)                                              \
    X(DENIED, "denied", INT64, FLAG)                                          \
    X(CONTESTED, "contested", INT64, FLAG)                                    \
    X(PLACE_CONFLICT, "place_conflict", INT64, FLAG)                          \
    X(DATE_CONFLICT, "date_conflict", INT64, FLAG)                            \
    X(LOW_SOURCE, "low_source", STRING, PLAIN)                                \
    X(LOW_REPORT, "low_report", STRING, PLAIN)                                \
    X(HIGH_SOURCE, "high_source", STRING, PLAIN)                              \
    X(HIGH_REPORT, "high_report", STRING, PLAIN)                              \
    X(SELF_SOURCE, "self_source", STRING, PLAIN)                              \
    X(SELF_LOW, "self_low", DOUBLE, COUNT)                                    \
    X(SELF_BEST, "self_best", DOUBLE, PLAIN)                                  \
    X(SELF_HIGH, "self_high", DOUBLE, COUNT)

enum {
#define COL_ENUM(id, name, type, kind) COL_##id,
    INCIDENT_TABLE_COLUMNS(COL_ENUM)
#undef COL_ENUM
    NCOLS
};

static const struct {
    const char *name;
    toll_coltype type;
    toll_colkind kind;
} columns[NCOLS] = {
#define COL_DEF(id, name, type, kind)                                        \
    {name, TOLL_COL_##type, TOLL_KIND_##kind},
    INCIDENT_TABLE_COLUMNS(COL_DEF)
#undef COL_DEF
};

toll_status toll__inc_put_id(toll_table *t, size_t j, size_t i,
                             const toll_incidents *inc, uint32_t id)
{
    if (!id || id >= toll__inc_nstrings(inc))
        return TOLL_OK;
    return toll__table_put_str(t, j, i, toll__inc_str(inc, id),
                               toll__inc_strlen(inc, id));
}

/* Row i of string column j = "FILE:LINE" of report `rep` (none: missing;
 * a report without a file name gives just "LINE"). */
static toll_status put_report(toll_table *t, size_t j, size_t i,
                              const toll_reports *r, uint32_t rep,
                              toll__buf *b)
{
    if (rep >= r->n)
        return TOLL_OK;
    b->len = 0;
    toll_status st = toll__reports_locate(r, rep, b);
    if (!st)
        st = toll__table_put_str(t, j, i, b->data, b->len);
    return st;
}

static toll_status put_date(toll_table *t, size_t j, size_t i, int32_t d)
{
    char buf[16];
    if (d == TOLL_NO_DATE)
        return TOLL_OK;
    toll_date_format(d, buf);
    return toll__table_put_str(t, j, i, buf, strlen(buf));
}

static double as_double(int64_t v) { return v < 0 ? NAN : (double)v; }

toll_status toll_incidents_table(const toll_incidents *inc,
                                 const toll_allocator *alloc,
                                 toll_table **out, toll_error *err)
{
    if (!out)
        return toll__err(err, TOLL_EINVAL,
                         "toll_incidents_table: out is NULL");
    *out = NULL;
    if (!inc)
        return toll__err(err, TOLL_EINVAL,
                         "toll_incidents_table: incidents is NULL");
    const toll_reports *r = inc->reports;
    toll_table *t = NULL;
    toll__buf b;
    toll__buf_init(&b, NULL); /* no allocator until the table exists */
    toll_status st;

    size_t nrows = 0;
    for (size_t c = 0; c < inc->n; c++)
        nrows += inc->c_count[c] ? inc->c_count[c] : 1;

    st = toll__table_new(alloc ? alloc : &inc->alloc, NCOLS, nrows, &t);
    if (st)
        goto cleanup;
    b.alloc = &t->alloc;
    for (size_t j = 0; j < NCOLS && !st; j++)
        if (!(st = toll__table_set_column(t, j, columns[j].name,
                                          columns[j].type)))
            st = toll__table_set_kind(t, j, columns[j].kind);
    if (st)
        goto cleanup;
    t->nkeys = 0;
    t->is_summary = 0;
    t->additive = 1;

    int64_t *i64[NCOLS];
    double *dbl[NCOLS];
    for (size_t j = 0; j < NCOLS; j++) {
        i64[j] = columns[j].type == TOLL_COL_INT64 ? t->cols[j].data : NULL;
        dbl[j] = columns[j].type == TOLL_COL_DOUBLE ? t->cols[j].data : NULL;
    }

    size_t row = 0;
    for (size_t c = 0; c < inc->n; c++) {
        size_t ncell = inc->c_count[c];
        uint8_t fl = inc->flags[c];
        const char *grade = toll_grade_name((toll_grade)inc->grade[c]);
        for (size_t k = 0; k < (ncell ? ncell : 1); k++, row++) {
            /* incident-level columns */
            if (inc->key[c])
                st = toll__inc_put_id(t, COL_INCIDENT, row, inc, inc->key[c]);
            else
                st = put_report(t, COL_INCIDENT, row, r,
                                inc->first_report[c], &b);
            if (!st)
                st = put_date(t, COL_DATE_START, row, inc->date_start[c]);
            if (!st)
                st = put_date(t, COL_DATE_END, row, inc->date_end[c]);
            if (!st)
                st = toll__inc_put_id(t, COL_REGION, row, inc, inc->region[c]);
            if (!st && inc->actors[c] &&
                inc->actors[c] < toll__inc_nsets(inc))
                st = toll__inc_put_id(t, COL_ACTOR, row, inc,
                            toll__inc_set_label(inc, inc->actors[c]));
            if (!st)
                st = toll__table_put_str(t, COL_GRADE, row, grade, strlen(grade));
            if (st)
                goto cleanup;
            i64[COL_REPORTS][row] = inc->r_count[c];
            i64[COL_SOURCES][row] = inc->n_sources[c];
            i64[COL_CONTESTED][row] = (fl & TOLL_FLAG_CONTESTED) != 0;
            i64[COL_PLACE_CONFLICT][row] = (fl & TOLL_FLAG_PLACE_CONFLICT) != 0;
            i64[COL_DATE_CONFLICT][row] = (fl & TOLL_FLAG_DATE_CONFLICT) != 0;

            if (!ncell) {
                dbl[COL_LOW][row] = dbl[COL_BEST][row] = NAN;
                dbl[COL_HIGH][row] = NAN;
                dbl[COL_SELF_LOW][row] = dbl[COL_SELF_BEST][row] = NAN;
                dbl[COL_SELF_HIGH][row] = NAN;
                continue;
            }
            /* cell columns */
            size_t cell = inc->c_begin[c] + k;
            uint8_t cf = inc->c_flags[cell];
            int known = (cf & TOLL__C_KNOWN) != 0;
            int self = inc->c_self_report[cell] != UINT32_MAX;
            i64[COL_OPEN][row] = (cf & TOLL__C_OPEN) != 0;
            i64[COL_DENIED][row] = (cf & TOLL__C_DENIED) != 0;
            dbl[COL_LOW][row] = known ? (double)inc->c_low[cell] : NAN;
            dbl[COL_BEST][row] = known ? inc->c_best[cell] : NAN;
            dbl[COL_HIGH][row] = known ? (double)inc->c_high[cell] : NAN;
            dbl[COL_SELF_LOW][row] = self ? as_double(inc->c_self_low[cell])
                                          : NAN;
            dbl[COL_SELF_BEST][row] = self ? inc->c_self_best[cell] : NAN;
            dbl[COL_SELF_HIGH][row] = self ? as_double(inc->c_self_high[cell])
                                           : NAN;
            st = toll__inc_put_id(t, COL_CATEGORY, row, inc, inc->c_category[cell]);
            if (!st && known) {
                uint32_t lr = inc->c_low_report[cell];
                uint32_t hr = inc->c_high_report[cell];
                if (lr < r->n)
                    st = toll__inc_put_id(t, COL_LOW_SOURCE, row, inc, r->source[lr]);
                if (!st)
                    st = put_report(t, COL_LOW_REPORT, row, r, lr, &b);
                if (!st && hr < r->n)
                    st = toll__inc_put_id(t, COL_HIGH_SOURCE, row, inc, r->source[hr]);
                if (!st)
                    st = put_report(t, COL_HIGH_REPORT, row, r, hr, &b);
            }
            if (!st && self && inc->c_self_report[cell] < r->n)
                st = toll__inc_put_id(t, COL_SELF_SOURCE, row, inc,
                            r->source[inc->c_self_report[cell]]);
            if (st)
                goto cleanup;
        }
    }
    *out = t;
    t = NULL;

cleanup:
    toll__buf_free(&b); /* before the table: it uses the table's allocator */
    toll_table_free(t);
    if (st == TOLL_ENOMEM)
        return toll__nomem(err);
    if (st)
        return toll__err(err, st, "cannot build the incidents table: %s",
                         toll_strerror(st));
    return TOLL_OK;
}
