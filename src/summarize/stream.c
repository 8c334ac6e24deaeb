/*
 * src/summarize/stream.c - the one-pass summary (toll_summarize_stream,
 * `toll summarize --stream`): the inputs are read in chunks of reports
 * into a store that is cleared between chunks (toll_reports_load_chunked),
 * and each chunk is folded into per-incident state, found through the
 * incident key's string id (the store's string pool is the hash table
 * keyed by incident, so the input need not be grouped by incident).  At
 * the end the state is reconciled by the rules of toll_reconcile
 * (toll__reconcile_rows, src/reconcile/reconcile.c) and summarized by
 * toll_summarize: no rule of the domain is restated here.  That is done a
 * batch of incidents at a time, each batch's summary merged into the
 * result by toll_table_merge (src/summarize/merge.c), so that the
 * reconciled incidents of one batch are held beside the state, not those
 * of all (see batched).
 *
 * The state of an incident is a list of rows (src/reconcile/reconcile.h,
 * toll__rrow), each standing for the reports that share its values:
 *   - place and time rows: the distinct (region, date_start, date_end);
 *   - source rows: the distinct (source, source_actor, actor set), each
 *     with the distinct quantity cells of its reports and how many reports
 *     give each (the best figure of an incident is a median over its
 *     reports, so every report's figure counts).
 * The rules read an incident's rows as sets (the union of actor sets, the
 * distinct sources of rows that are not self-reports, whether such rows
 * name different sets, the regions, the dates), so a row found again adds
 * nothing but its cells; rows are looked for among the incident's most
 * recent ones only (LOOK_BACK), and a row added twice changes no result.
 * What is not kept: each report's identity, file and line, id, url, note,
 * location, coordinates, source kind and kept fields (columns that are
 * not report fields); repairs are seen by on_chunk only.
 */
#include "summarize/summarize_int.h"

#include "toll/summarize.h"

#include <math.h>
#include <stdio.h>

/* Rows of an incident compared with a new report's (the most recent). */
#define LOOK_BACK 16

/* srow.qhead of a place and time row. */
#define PLACE_ROW UINT32_MAX

typedef struct srow {
    uint32_t next;  /* the incident's next row (0: none; rows[0] unused) */
    uint32_t qhead; /* source row: its first cell (0: none); PLACE_ROW */
    uint32_t a, b, c; /* source row: source, source_actor, actor set;
                         place row: region, date_start, date_end */
} srow;

/* A quantity cell in 24 bytes: low, high and best as they are when they
 * fit (whole numbers of 32 bits, a best whose float has the same bits as
 * its double: the counts of reports, and their halves), else low is
 * WIDE_CELL and high the index of the figures in stream.wide. */
typedef struct scell {
    int32_t low, high;
    float best;
    uint32_t category;
    uint32_t next;  /* the row's next cell (0: none; cells[0] unused) */
    uint32_t mult;  /* the reports of the row that give this very cell */
} scell;

#define WIDE_CELL INT32_MIN

/* The figures of a cell that do not fit in a scell. */
typedef struct wcell {
    int64_t low, high;
    double best;
} wcell;

typedef struct stream {
    const toll_allocator *a;
    const toll_stream_options *so;
    toll_reports *r;       /* the chunk store (its strings stay) */
    uint32_t *inc_of;      /* key string id -> incident + 1 */
    size_t inc_of_n;
    size_t n;              /* incidents, in order of first appearance */
    uint32_t *key, *count, *head; /* key string id, reports, first row */
    size_t key_cap, count_cap, head_cap;
    srow *rows;
    size_t nrows, rows_cap;
    scell *cells;
    size_t ncells, cells_cap;
    wcell *wide;
    size_t nwide, wide_cap;
    toll__rrow *rr;        /* toll__rows_fn scratch */
    size_t rr_cap;
    toll__qcell *qq;
    size_t qq_cap;
    size_t base;           /* rows_of: the first incident of the batch */
    /* the summary's warning when no report carries a category (the rule
     * in src/store/store.c), made from the first chunk while its rows are
     * there (src/summarize/summarize.c makes it from the store's rows) */
    toll_error nocat;
    int nocat_set;
} stream;

static void stream_free(stream *s)
{
    const toll_allocator *a = s->a;
    toll__free(a, s->inc_of, s->inc_of_n * sizeof *s->inc_of);
    toll__free(a, s->key, s->key_cap * sizeof *s->key);
    toll__free(a, s->count, s->count_cap * sizeof *s->count);
    toll__free(a, s->head, s->head_cap * sizeof *s->head);
    toll__free(a, s->rows, s->rows_cap * sizeof *s->rows);
    toll__free(a, s->cells, s->cells_cap * sizeof *s->cells);
    toll__free(a, s->wide, s->wide_cap * sizeof *s->wide);
    toll__free(a, s->rr, s->rr_cap * sizeof *s->rr);
    toll__free(a, s->qq, s->qq_cap * sizeof *s->qq);
}

/* Room for one more incident. */
static toll_status new_incident(stream *s, uint32_t key, uint32_t *c)
{
    if (s->n >= UINT32_MAX - 1)
        return TOLL_ERANGE;
    if (toll__grow(s->a, (void **)&s->key, &s->key_cap, s->n + 1,
                   sizeof *s->key) ||
        toll__grow(s->a, (void **)&s->count, &s->count_cap, s->n + 1,
                   sizeof *s->count) ||
        toll__grow(s->a, (void **)&s->head, &s->head_cap, s->n + 1,
                   sizeof *s->head))
        return TOLL_ENOMEM;
    *c = (uint32_t)s->n++;
    s->key[*c] = key;
    s->count[*c] = 0;
    s->head[*c] = 0;
    return TOLL_OK;
}

/* The incident's row (a, b, c) of kind place (qhead PLACE_ROW) or source:
 * found among its LOOK_BACK most recent rows, else added. */
static toll_status row_of(stream *s, uint32_t inc, int place, uint32_t a,
                          uint32_t b, uint32_t c, uint32_t *out)
{
    unsigned k = 0;
    for (uint32_t i = s->head[inc]; i && k < LOOK_BACK; i = s->rows[i].next) {
        const srow *w = &s->rows[i];
        if ((w->qhead == PLACE_ROW) == place && w->a == a && w->b == b &&
            w->c == c) {
            *out = i;
            return TOLL_OK;
        }
        k++;
    }
    if (s->nrows + 1 >= UINT32_MAX)
        return TOLL_ERANGE;
    if (toll__grow(s->a, (void **)&s->rows, &s->rows_cap, s->nrows + 1,
                   sizeof *s->rows))
        return TOLL_ENOMEM;
    uint32_t i = (uint32_t)s->nrows++;
    s->rows[i] = (srow){s->head[inc], place ? PLACE_ROW : 0, a, b, c};
    s->head[inc] = i;
    *out = i;
    return TOLL_OK;
}

/* The quantity cell that cell e stands for. */
static toll__qcell cell_value(const stream *s, const scell *e)
{
    if (e->low == WIDE_CELL) {
        const wcell *w = &s->wide[e->high];
        return (toll__qcell){e->category, w->low, w->high, w->best};
    }
    return (toll__qcell){e->category, e->low, e->high, (double)e->best};
}

/* Whether q is the quantity cell e stands for (the same bits of best). */
static int same_cell(const stream *s, const scell *e, const toll__qcell *q)
{
    if (e->category != q->category)
        return 0;
    toll__qcell v = cell_value(s, e);
    return v.low == q->low && v.high == q->high &&
           memcmp(&v.best, &q->best, sizeof v.best) == 0;
}

/* Add quantity cell q to source row `row`: one more report of a cell
 * among the row's LOOK_BACK most recent ones with the same category and
 * figures (the same bits of best), else a new cell. */
static toll_status add_cell(stream *s, uint32_t row, const toll__qcell *q)
{
    unsigned k = 0;
    for (uint32_t i = s->rows[row].qhead; i && k < LOOK_BACK;
         i = s->cells[i].next, k++) {
        scell *e = &s->cells[i];
        if (e->mult < UINT32_MAX && same_cell(s, e, q)) {
            e->mult++;
            return TOLL_OK;
        }
    }
    if (s->ncells + 1 >= UINT32_MAX)
        return TOLL_ERANGE;
    if (toll__grow(s->a, (void **)&s->cells, &s->cells_cap, s->ncells + 1,
                   sizeof *s->cells))
        return TOLL_ENOMEM;
    scell c = {WIDE_CELL, 0, 0, q->category, s->rows[row].qhead, 1};
    if (q->low > INT32_MIN && q->low <= INT32_MAX && q->high >= INT32_MIN &&
        q->high <= INT32_MAX && (isnan(q->best) || fabs(q->best) <= 0x1p24)) {
        float f = (float)q->best;
        double back = (double)f;
        if (memcmp(&back, &q->best, sizeof back) == 0)
            c = (scell){(int32_t)q->low, (int32_t)q->high, f, q->category,
                        s->rows[row].qhead, 1};
    }
    if (c.low == WIDE_CELL) {
        if (s->nwide >= INT32_MAX)
            return TOLL_ERANGE;
        if (toll__grow(s->a, (void **)&s->wide, &s->wide_cap, s->nwide + 1,
                       sizeof *s->wide))
            return TOLL_ENOMEM;
        s->wide[s->nwide] = (wcell){q->low, q->high, q->best};
        c.high = (int32_t)s->nwide++;
    }
    uint32_t ci = (uint32_t)s->ncells++;
    s->cells[ci] = c;
    s->rows[row].qhead = ci;
    return TOLL_OK;
}

/* Fold the store's reports (one chunk) into the incidents' state. */
static toll_status fold_chunk(toll_reports *r, void *arg, toll_error *err)
{
    stream *s = arg;
    toll_status st = TOLL_OK;
    if (!s->nocat_set && !r->ncategories && r->n &&
        toll__reports_no_category(r, 0, r->n, NULL, &s->nocat_set,
                                  &s->nocat))
        return toll__nomem(err);
    if (r->strings.count > s->inc_of_n) {
        size_t old = s->inc_of_n;
        if (toll__grow(s->a, (void **)&s->inc_of, &s->inc_of_n,
                       r->strings.count, sizeof *s->inc_of))
            return toll__nomem(err);
        memset(s->inc_of + old, 0, (s->inc_of_n - old) * sizeof *s->inc_of);
    }
    for (size_t i = 0; i < r->n; i++) {
        uint32_t key = r->incident[i], inc, row;
        if (key && s->inc_of[key]) {
            inc = s->inc_of[key] - 1;
        } else {
            if ((st = new_incident(s, key, &inc)))
                break;
            if (key)
                s->inc_of[key] = inc + 1;
        }
        if (s->count[inc] == UINT32_MAX) {
            st = TOLL_ERANGE;
            break;
        }
        s->count[inc]++;
        if (r->region[i] || r->date_start[i] != TOLL_NO_DATE ||
            r->date_end[i] != TOLL_NO_DATE) {
            if ((st = row_of(s, inc, 1, r->region[i],
                             (uint32_t)r->date_start[i],
                             (uint32_t)r->date_end[i], &row)))
                break;
        }
        if ((st = row_of(s, inc, 0, r->source[i],
                         toll__reports_opt(r->source_actor, i), r->actors[i],
                         &row)))
            break;
        for (uint32_t j = 0; j < r->q_count[i] && !st; j++)
            st = add_cell(s, row, &r->q[r->q_begin[i] + j]);
        if (st)
            break;
    }
    if (st == TOLL_ENOMEM)
        return toll__nomem(err);
    if (st)
        return toll__err(err, st, "the one-pass summary holds at most %u "
                         "incidents, rows and quantity cells",
                         (unsigned)(UINT32_MAX - 2));
    if (s->so->on_chunk)
        s->so->on_chunk(r, s->so->ctx);
    return TOLL_OK;
}

/* Fetch the row after row i, and its first cell, into the cache. */
static void prefetch_row(const stream *s, uint32_t i)
{
    const srow *w = &s->rows[i];
    if (w->next)
        PREFETCH(&s->rows[w->next]);
    if (w->qhead && w->qhead != PLACE_ROW)
        PREFETCH(&s->cells[w->qhead]);
}

/* toll__rows_fn: the rows of incident c. */
static toll_status rows_of(void *arg, size_t c, const toll__rrow **out,
                           size_t *n, toll_error *err)
{
    stream *s = arg;
    size_t m = 0, nq = 0;
    c += s->base;
    /* the rows of an incident are scattered over the state (appended as
     * its reports came): fetch those of the incidents ahead, a row
     * further each step */
    if (c + 16 < s->n && s->head[c + 16])
        PREFETCH(&s->rows[s->head[c + 16]]);
    if (c + 8 < s->n && s->head[c + 8])
        prefetch_row(s, s->head[c + 8]);
    if (c + 4 < s->n && s->head[c + 4] && s->rows[s->head[c + 4]].next)
        prefetch_row(s, s->rows[s->head[c + 4]].next);
    for (uint32_t i = s->head[c]; i; i = s->rows[i].next) {
        m++;
        if (s->rows[i].qhead != PLACE_ROW)
            for (uint32_t q = s->rows[i].qhead; q; q = s->cells[q].next)
                nq += s->cells[q].mult;
    }
    if (toll__grow(s->a, (void **)&s->rr, &s->rr_cap, m ? m : 1,
                   sizeof *s->rr) ||
        toll__grow(s->a, (void **)&s->qq, &s->qq_cap, nq ? nq : 1,
                   sizeof *s->qq))
        return toll__nomem(err);
    size_t k = 0, pos = 0;
    for (uint32_t i = s->head[c]; i; i = s->rows[i].next, k++) {
        const srow *w = &s->rows[i];
        toll__rrow *o = &s->rr[k];
        if (w->qhead == PLACE_ROW) {
            *o = (toll__rrow){0, UINT32_MAX, 0, w->a, (int32_t)w->b,
                              (int32_t)w->c, NULL, 0};
            continue;
        }
        *o = (toll__rrow){w->c, w->a, w->b, 0, TOLL_NO_DATE, TOLL_NO_DATE,
                          s->qq + pos, 0};
        for (uint32_t q = w->qhead; q; q = s->cells[q].next) {
            const scell *e = &s->cells[q];
            toll__qcell v = cell_value(s, e);
            for (uint32_t k2 = 0; k2 < e->mult; k2++)
                s->qq[pos++] = v;
            o->q_count += e->mult;
        }
    }
    *out = s->rr;
    *n = m;
    return TOLL_OK;
}

/* What one pass cannot give: linking, and kept fields (columns that are
 * not report fields), which the stream does not keep.  TOLL_EINVAL naming
 * the option. */
static toll_status refuse(const toll_reconcile_options *rec,
                          const toll_summarize_options *o, toll_error *err)
{
    static const char why[] =
        "is not available in the one-pass summary (stream), which keeps "
        "no report beyond its chunk; summarize without stream";
    if (rec && (rec->link != TOLL_LINK_NONE || rec->links))
        return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "link", NULL, 0,
                            "linking (link %s) %s",
                            rec->link == TOLL_LINK_RULE ? "rule" : "auto",
                            why);
    if (!o)
        return TOLL_OK;
    toll_group_key keys[MAX_KEYS];
    const toll_group_key *kp = o->keys;
    size_t nk = o->n_keys;
    toll_status st;
    if (o->by) {
        if ((st = toll_summarize_by_parse(o->by, keys, MAX_KEYS, &nk, err)))
            return st;
        kp = keys;
    }
    for (size_t k = 0; kp && k < nk; k++)
        if (kp[k].kind == TOLL_KEY_FIELD)
            return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "by",
                                kp[k].field, kp[k].field_len,
                                "the group key '%.*s' (a kept field) %s",
                                (int)kp[k].field_len, kp[k].field, why);
    for (size_t k = 0; k < o->n_where + o->n_where_items; k++) {
        toll_where_item it;
        if (k < o->n_where) {
            if (!o->where || !o->where[k])
                return TOLL_OK; /* toll_summarize names it */
            if ((st = toll_summarize_where_parse(o->where[k], &it, err)))
                return st;
        } else {
            if (!o->where_items)
                return TOLL_OK;
            it = o->where_items[k - o->n_where];
        }
        if (!(it.field_len == 5 && toll__strncaseeq(it.field, 5, "actor")))
            return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "where",
                                it.field, it.field_len,
                                "the filter where %.*s=... (a kept field) %s",
                                (int)it.field_len, it.field, why);
    }
    if (o->min_data_grade)
        return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "min_data_grade",
                            o->min_data_grade, strlen(o->min_data_grade),
                            "the filter min_data_grade (the kept field "
                            "data_grade) %s",
                            why);
    return TOLL_OK;
}

void toll_stream_options_init(toll_stream_options *opts)
{
    if (!opts)
        return;
    memset(opts, 0, sizeof *opts);
    opts->chunk = TOLL_STREAM_DEFAULT_CHUNK;
}

/* Whether the summary of `o` may be made a batch of incidents at a time:
 * not under attribution split or span prorate (fractions of figures,
 * whose sums depend on their order in the last bits) nor with an interval
 * (its quantiles do not add up). */
static int may_batch(const toll_summarize_options *o)
{
    return !o || (o->attribution != TOLL_ATTR_SPLIT &&
                  o->span == TOLL_SPAN_START &&
                  o->interval.method == TOLL_INTERVAL_NONE);
}

/* Whether every sum of table t is added exactly in any order: each double
 * of its measures a multiple of 2^-10 below 2^42 in magnitude (the
 * figures are whole numbers, and their medians halves and quarters; a
 * lexicon's word or a JSON figure could give others).  Then partial sums
 * merged in another order give the same bits as the whole. */
static int sums_exact(const toll_table *t)
{
    for (size_t j = t->nkeys; j < t->ncols; j++) {
        if (t->cols[j].type != TOLL_COL_DOUBLE)
            continue;
        const double *v = t->cols[j].data;
        for (size_t r = 0; r < t->nrows; r++) {
            double x = v[r] * 1024.0;
            if (!(fabs(v[r]) < 0x1p42) || x != floor(x))
                return 0;
        }
    }
    return 1;
}

/* The summary of incidents [0, s->n) of the state, a batch of `batch` at
 * a time, merged (*done 1); *done 0 (nothing made, nothing failed) when
 * the sums would not be exact, or the merged table breaks a bound the
 * whole summary checks (max_rows, the 2^53 of a sum): the caller then
 * makes it in one go, which gives the table or the summary's own error. */
static toll_status batched(stream *s, const toll_reconcile_options *rec,
                           const toll_summarize_options *opts,
                           const toll_allocator *alloc, size_t batch,
                           int *any_cat, toll_table **out, int *done,
                           toll_error *err)
{
    toll_table *acc = NULL;
    toll_status st = TOLL_OK;
    size_t max_rows = toll__max_rows(opts);
    int exact = 1;
    *done = 0;
    for (size_t lo = 0; lo < s->n && exact && !st; lo += batch) {
        size_t nb = s->n - lo < batch ? s->n - lo : batch;
        toll_incidents *inc = NULL;
        toll_table *part = NULL, *m = NULL;
        s->base = lo;
        st = toll__reconcile_rows(s->r, rec, alloc, nb, s->key + lo,
                                  s->count + lo, rows_of, s, &inc, err);
        if (!st) {
            *any_cat |= inc->ncategories != 0;
            st = toll_summarize(inc, opts, alloc, &part, err);
        }
        toll_incidents_free(inc);
        if (st)
            break;
        exact = sums_exact(part);
        if (exact && acc) {
            toll_error merr;
            if (toll_table_merge(acc, part, alloc, &m, &merr) == TOLL_ENOMEM)
                st = toll__nomem(err);
            exact = m && sums_exact(m) && toll_table_nrows(m) <= max_rows;
            toll_table_free(part);
            toll_table_free(acc);
            acc = m;
        } else if (exact) {
            acc = part;
        } else {
            toll_table_free(part);
        }
    }
    s->base = 0;
    if (st || !exact) {
        toll_table_free(acc);
        return st;
    }
    *out = acc;
    *done = 1;
    return TOLL_OK;
}

toll_status toll_summarize_stream(const char *const *paths, size_t n_paths,
                                  const toll_load_options *load,
                                  const toll_reconcile_options *rec,
                                  const toll_summarize_options *opts,
                                  const toll_stream_options *sopts,
                                  const toll_allocator *alloc,
                                  toll_table **out, toll_error *err)
{
    if (out)
        *out = NULL;
    if (!out || (n_paths && !paths))
        return toll__err(err, TOLL_EINVAL,
                         "toll_summarize_stream: out or paths is NULL");
    toll_stream_options so;
    toll_stream_options_init(&so);
    if (sopts)
        so = *sopts;
    toll_status st = refuse(rec, opts, err);
    if (st)
        return st;
    stream s;
    memset(&s, 0, sizeof s);
    toll_allocator a;
    toll__alloc_init(&a, alloc);
    s.a = &a;
    s.so = &so;
    s.nrows = s.ncells = 1; /* index 0: none */
    toll_incidents *inc = NULL;
    if ((st = toll_reports_new(alloc, &s.r, err)))
        return st;
    for (size_t i = 0; i < n_paths && !st; i++) {
        st = toll_reports_load_chunked(s.r, paths[i], load, so.chunk,
                                       fold_chunk, &s, NULL, err);
        if (so.on_input)
            so.on_input(s.r, paths[i], so.ctx);
    }
    /* batches: the reconciled incidents of one a sixteenth of the state's
     * size at most, and few enough that the fixed cost of a summary (and
     * of a merge) stays small */
    size_t batch = so.batch ? so.batch
                   : s.n / 16 > TOLL_STREAM_MIN_BATCH ? s.n / 16
                                                      : TOLL_STREAM_MIN_BATCH;
    int done = 0, any_cat = 0, nocat = 0;
    toll_error w = s.nocat;
    if (!st && s.n > batch && may_batch(opts))
        st = batched(&s, rec, opts, alloc, batch, &any_cat, out, &done, err);
    if (!st && done)
        nocat = s.nocat_set && !any_cat;
    else if (!st)
        st = toll__reconcile_rows(s.r, rec, alloc, s.n, s.key, s.count,
                                  rows_of, &s, &inc, err);
    if (!st && !done) {
        /* the state is read: its memory goes back before the summary's */
        toll_reports *r = s.r;
        nocat = s.nocat_set && inc->n && !inc->ncategories;
        stream_free(&s);
        memset(&s, 0, sizeof s);
        s.a = &a;
        s.r = r;
        st = toll_summarize(inc, opts, alloc, out, err);
    }
    if (!st && nocat && toll__table_add_warning(*out, &w)) {
        toll_table_free(*out);
        *out = NULL;
        st = toll__nomem(err);
    }
    toll_incidents_free(inc);
    stream_free(&s);
    toll_reports_free(s.r);
    return st;
}
