/*
 * src/store/store.c - the columnar report store: create, append, roll back.
 * Parsing of input formats lives in ingest_*.c.
 */
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>

toll_status toll_reports_new(const toll_allocator *alloc, toll_reports **out,
                             toll_error *err)
{
    if (!out)
        return toll__err(err, TOLL_EINVAL, "toll_reports_new: out is NULL");
    *out = NULL;
    toll_allocator a;
    toll__alloc_init(&a, alloc);
    toll_reports *r = toll__calloc(&a, 1, sizeof *r);
    if (!r)
        return toll__nomem(err);
    r->alloc = a;
    if (toll__strpool_init(&r->strings, &r->alloc)) {
        toll__free(&a, r, sizeof *r);
        return toll__nomem(err);
    }
    if (toll__setpool_init(&r->actor_sets, &r->alloc)) {
        toll__strpool_free(&r->strings);
        toll__free(&a, r, sizeof *r);
        return toll__nomem(err);
    }
    if (toll__strpool_init(&r->actor_keys, &r->alloc)) {
        toll__setpool_free(&r->actor_sets);
        toll__strpool_free(&r->strings);
        toll__free(&a, r, sizeof *r);
        return toll__nomem(err);
    }
    *out = r;
    return TOLL_OK;
}

/* The columns every report fills, and the optional ones (NULL until some
 * report has a value: toll__reports_opt). */
#define REPORT_COLUMNS(X)                                                     \
    X(incident) X(source) X(source_kind) X(date_start) X(date_end)          \
    X(region) X(actors) X(lat) X(lon) X(location) X(precision_km) X(file)   \
    X(line) X(line_rec) X(q_begin) X(q_count) X(x_begin) X(x_count)         \
    X(x_text)
#define OPTIONAL_COLUMNS(X) X(source_actor) X(id) X(url) X(note)

void toll_reports_free(toll_reports *r)
{
    if (!r)
        return;
    toll_allocator a = r->alloc;
#define FREE_COL(c) toll__free(&a, r->c, r->cap * sizeof *r->c);
    REPORT_COLUMNS(FREE_COL)
    OPTIONAL_COLUMNS(FREE_COL)
#undef FREE_COL
    toll__free(&a, r->q, r->q_cap * sizeof *r->q);
    toll__free(&a, r->x, r->x_cap * sizeof *r->x);
    toll__free(&a, r->xtext, r->xtext_cap);
    for (size_t c = 0; c < r->nxchunks; c++)
        toll__free(&a, r->xchunk[c].p, r->xchunk[c].cap);
    toll__free(&a, r->xchunk, r->xchunks_cap * sizeof *r->xchunk);
    toll__free(&a, r->categories, r->categories_cap * sizeof *r->categories);
    toll__free(&a, r->rejects, r->rejects_cap * sizeof *r->rejects);
    toll__free(&a, r->warnings, r->warnings_cap * sizeof *r->warnings);
    toll__free(&a, r->repairs, r->repairs_cap * sizeof *r->repairs);
    toll__free(&a, r->actor_first, r->actor_first_cap * sizeof *r->actor_first);
    toll__strpool_free(&r->actor_keys);
    toll__setpool_free(&r->actor_sets);
    toll__strpool_free(&r->strings);
    toll__free(&a, r, sizeof *r);
}

/* Grow every report column to hold `need` rows.  Columns are grown one by
 * one; a failure leaves some columns larger, which is harmless because
 * `cap` only rises once all of them succeeded. */
static toll_status grow_columns(toll_reports *r, size_t need)
{
    if (need <= r->cap)
        return TOLL_OK;
    size_t ncap = r->cap ? r->cap : 256;
    while (ncap < need)
        ncap *= 2;
#define GROW_COL(c)                                                           \
    {                                                                         \
        void *p = toll__realloc(&r->alloc, r->c, r->cap * sizeof *r->c,       \
                                ncap * sizeof *r->c);                         \
        if (!p)                                                               \
            return TOLL_ENOMEM;                                               \
        r->c = p;                                                             \
    }
    REPORT_COLUMNS(GROW_COL)
#define GROW_OPT(c)                                                           \
    if (r->c)                                                                 \
        GROW_COL(c)
    OPTIONAL_COLUMNS(GROW_OPT)
#undef GROW_OPT
#undef GROW_COL
    r->cap = ncap;
    return TOLL_OK;
}

toll_status toll__reports_opt_column(toll_reports *r, uint32_t **col)
{
    if (*col || !r->cap)
        return TOLL_OK;
    *col = toll__calloc(&r->alloc, r->cap, sizeof **col);
    return *col ? TOLL_OK : TOLL_ENOMEM;
}

void toll__reports_mark(const toll_reports *r, toll__mark *m)
{
    m->n = r->n;
    m->nq = r->nq;
    m->nx = r->nx;
    m->nxchunks = r->nxchunks;
    m->nxtext = r->nxtext;
    m->ncategories = r->ncategories;
    m->nstrings = r->strings.count;
    m->nsets = r->actor_sets.count;
    m->nrepairs = r->nrepairs;
    m->nactor_keys = r->actor_keys.count;
}

void toll__reports_rollback(toll_reports *r, const toll__mark *m)
{
    r->n = m->n;
    r->nq = m->nq;
    r->nx = m->nx;
    if (r->nxchunks > m->nxchunks) { /* merged since: reopen the chunk */
        toll__free(&r->alloc, r->xtext, r->xtext_cap);
        for (size_t c = m->nxchunks + 1; c < r->nxchunks; c++)
            toll__free(&r->alloc, r->xchunk[c].p, r->xchunk[c].cap);
        r->xtext = r->xchunk[m->nxchunks].p;
        r->xtext_cap = r->xchunk[m->nxchunks].cap;
        r->nxchunks = m->nxchunks;
    }
    r->nxtext = m->nxtext;
    r->ncategories = m->ncategories;
    r->nrepairs = m->nrepairs;
    toll__setpool_truncate(&r->actor_sets, m->nsets);
    toll__strpool_truncate(&r->actor_keys, m->nactor_keys);
    toll__strpool_truncate(&r->strings, m->nstrings);
}

void toll__reports_drop_rows(toll_reports *r)
{
    r->n = 0;
    r->nq = 0;
    r->nx = 0;
    if (r->nxchunks) { /* reopen chunk 0, free the others */
        toll__free(&r->alloc, r->xtext, r->xtext_cap);
        for (size_t c = 1; c < r->nxchunks; c++)
            toll__free(&r->alloc, r->xchunk[c].p, r->xchunk[c].cap);
        r->xtext = r->xchunk[0].p;
        r->xtext_cap = r->xchunk[0].cap;
        r->nxchunks = 0;
    }
    r->nxtext = 0;
    r->nrepairs = 0;
}

/* ---- actor identity ---------------------------------------------------------- */

toll_status toll__reports_intern_actor_key(toll_reports *r, const char *key,
                                           size_t klen, const char *s,
                                           size_t len, uint32_t *id)
{
    uint32_t kid;
    if (klen == 0) { /* a blank name: no actor */
        *id = 0;
        return TOLL_OK;
    }
    if (toll__strpool_find(&r->actor_keys, key, klen, &kid)) {
        *id = r->actor_first[kid];
        return TOLL_OK;
    }
    /* a new key: its spelling, room for its first spelling, then the key
     * (so that a key never lacks its first spelling) */
    uint32_t sid;
    toll_status st = toll__strpool_intern(&r->strings, s, len, &sid);
    if (!st)
        st = toll__grow(&r->alloc, (void **)&r->actor_first,
                        &r->actor_first_cap, r->actor_keys.count + 1,
                        sizeof *r->actor_first);
    if (!st)
        st = toll__strpool_intern(&r->actor_keys, key, klen, &kid);
    if (st)
        return st;
    r->actor_first[kid] = sid;
    *id = sid;
    return TOLL_OK;
}

toll_status toll__reports_intern_actor(toll_reports *r, const char *s,
                                       size_t len, uint32_t *id)
{
    if (len == 0) {
        *id = 0;
        return TOLL_OK;
    }
    toll__buf key;
    toll__buf_init(&key, &r->alloc);
    toll_status st = toll__actor_fold(s, len, &key);
    if (!st)
        st = toll__reports_intern_actor_key(r, key.data, key.len, s, len, id);
    toll__buf_free(&key);
    return st;
}

toll_status toll__reports_find_actor(const toll_reports *r,
                                     const toll_allocator *a, const char *s,
                                     size_t len, uint32_t *id, int *found)
{
    *id = 0;
    *found = 0;
    toll__buf key;
    toll__buf_init(&key, a);
    toll_status st = toll__actor_fold(s, len, &key);
    uint32_t kid;
    if (!st && key.len && toll__strpool_find(&r->actor_keys, key.data,
                                             key.len, &kid)) {
        *id = r->actor_first[kid];
        *found = 1;
    }
    toll__buf_free(&key);
    return st;
}

static toll_status note_category(toll_reports *r, uint32_t cat)
{
    for (size_t i = r->ncategories; i-- > 0;)
        if (r->categories[i] == cat)
            return TOLL_OK;
    toll_status st = toll__grow(&r->alloc, (void **)&r->categories,
                                &r->categories_cap, r->ncategories + 1,
                                sizeof *r->categories);
    if (st)
        return st;
    r->categories[r->ncategories++] = cat;
    return TOLL_OK;
}

char *toll__reports_xtext_stage(toll_reports *r, size_t used, size_t len)
{
    size_t need = r->nxtext + used + len;
    if (used + len > UINT32_MAX || need < len ||
        (uint64_t)need >> TOLL__XT_BITS)
        return NULL;
    /* (room for one byte at least: never an offset from NULL) */
    if ((need > r->xtext_cap || !r->xtext) &&
        toll__grow(&r->alloc, (void **)&r->xtext, &r->xtext_cap,
                   need ? need : 1, 1))
        return NULL;
    return r->xtext + r->nxtext + used;
}

toll_status toll__reports_append(toll_reports *r, const toll__row *row,
                                 toll_error *err)
{
    if (row->nq > UINT16_MAX || row->nx > UINT16_MAX)
        return toll__err(err, TOLL_ERANGE, "too many fields in one report");
    if (r->n >= UINT32_MAX - 1 || r->nq + row->nq >= UINT32_MAX ||
        r->nx + row->nx >= UINT32_MAX)
        return toll__err(err, TOLL_ERANGE, "too many reports in one store");
    size_t xlen = 0;
    for (size_t k = 0; k < row->nx; k++)
        xlen += row->x[k].len;
    /* staged text (toll__reports_xtext_stage) is in place already */
    int staged = r->xtext && row->xtext == r->xtext + r->nxtext;
    /* (the room checks inline: a call each per row costs more) */
    if ((r->n + 1 > r->cap && grow_columns(r, r->n + 1)) ||
        (r->nq + row->nq > r->q_cap &&
         toll__grow(&r->alloc, (void **)&r->q, &r->q_cap, r->nq + row->nq,
                    sizeof *r->q)) ||
        (r->nx + row->nx > r->x_cap &&
         toll__grow(&r->alloc, (void **)&r->x, &r->x_cap, r->nx + row->nx,
                    sizeof *r->x)) ||
        (!staged && r->nxtext + xlen > r->xtext_cap &&
         ((uint64_t)(r->nxtext + xlen) >> TOLL__XT_BITS ||
          toll__grow(&r->alloc, (void **)&r->xtext, &r->xtext_cap,
                     r->nxtext + xlen, 1))))
        return toll__nomem(err);
    if ((row->source_actor && toll__reports_opt_column(r, &r->source_actor)) ||
        (row->id && toll__reports_opt_column(r, &r->id)) ||
        (row->url && toll__reports_opt_column(r, &r->url)) ||
        (row->note && toll__reports_opt_column(r, &r->note)))
        return toll__nomem(err);
    size_t ncat = r->ncategories;
    for (size_t k = 0; k < row->nq; k++) {
        /* the last category noted is the common case */
        if (ncat && r->categories[r->ncategories - 1] == row->q[k].category)
            continue;
        if (note_category(r, row->q[k].category)) {
            r->ncategories = ncat;
            return toll__nomem(err);
        }
    }
    size_t i = r->n;
    r->incident[i] = row->incident;
    r->source[i] = row->source;
    r->source_kind[i] = row->source_kind;
    if (r->source_actor)
        r->source_actor[i] = row->source_actor;
    r->date_start[i] = row->date_start;
    r->date_end[i] = row->date_end;
    r->region[i] = row->region;
    r->actors[i] = row->actors;
    if (r->id)
        r->id[i] = row->id;
    if (r->url)
        r->url[i] = row->url;
    if (r->note)
        r->note[i] = row->note;
    r->lat[i] = row->lat;
    r->lon[i] = row->lon;
    r->location[i] = row->location;
    r->precision_km[i] = row->precision_km;
    r->file[i] = row->file;
    r->line[i] = row->line;
    r->line_rec[i] = row->line_rec;
    r->q_begin[i] = (uint32_t)r->nq;
    r->q_count[i] = (uint16_t)row->nq;
    r->x_begin[i] = (uint32_t)r->nx;
    r->x_count[i] = (uint16_t)row->nx;
    r->x_text[i] = TOLL__XT(r->nxchunks, r->nxtext);
    for (size_t k = 0; k < row->nq; k++) /* mostly one or two: no call */
        r->q[r->nq + k] = row->q[k];
    for (size_t k = 0; k < row->nx; k++)
        r->x[r->nx + k] = row->x[k];
    r->nq += row->nq;
    if (xlen && !staged)
        memcpy(r->xtext + r->nxtext, row->xtext, xlen);
    r->nx += row->nx;
    r->nxtext += xlen;
    r->n++;
    return TOLL_OK;
}

toll_status toll__reports_add_reject(toll_reports *r, const toll_error *e)
{
    toll_status st = toll__grow(&r->alloc, (void **)&r->rejects,
                                &r->rejects_cap, r->nrejects + 1,
                                sizeof *r->rejects);
    if (st)
        return st;
    r->rejects[r->nrejects++] = *e;
    return TOLL_OK;
}

void toll__reports_clear_rejects(toll_reports *r) { r->nrejects = 0; }

toll_status toll__reports_add_warning(toll_reports *r, const toll_error *e)
{
    toll_status st = toll__grow(&r->alloc, (void **)&r->warnings,
                                &r->warnings_cap, r->nwarnings + 1,
                                sizeof *r->warnings);
    if (st)
        return st;
    r->warnings[r->nwarnings++] = *e;
    return TOLL_OK;
}

void toll__reports_clear_warnings(toll_reports *r) { r->nwarnings = 0; }

toll_status toll__reports_add_repair(toll_reports *r, uint32_t report,
                                     uint32_t value)
{
    toll_status st = toll__grow(&r->alloc, (void **)&r->repairs,
                                &r->repairs_cap, r->nrepairs + 1,
                                sizeof *r->repairs);
    if (st)
        return st;
    r->repairs[r->nrepairs].report = report;
    r->repairs[r->nrepairs].value = value;
    r->nrepairs++;
    return TOLL_OK;
}

size_t toll_reports_count(const toll_reports *r) { return r ? r->n : 0; }

size_t toll_reports_reject_count(const toll_reports *r)
{
    return r ? r->nrejects : 0;
}

const toll_error *toll_reports_reject(const toll_reports *r, size_t i)
{
    return (r && i < r->nrejects) ? &r->rejects[i] : NULL;
}

toll_status toll__reports_locate(const toll_reports *r, size_t rep,
                                 toll__buf *b)
{
    uint32_t file = r->file[rep];
    int has_file = file && file < r->strings.count;
    toll_status st = TOLL_OK;
    if (has_file)
        st = toll__buf_append(b, toll__str(&r->strings, file),
                              toll__strlen(&r->strings, file));
    if (!st)
        st = toll__buf_appendf(b, "%s%lu", has_file ? ":" : "",
                               (unsigned long)r->line[rep]);
    if (!st && r->line_rec[rep])
        st = toll__buf_appendf(b, "#%lu", (unsigned long)r->line_rec[rep]);
    return st;
}

/* Kept fields listed in the no-category warning. */
#define NO_CATEGORY_FIELDS 12

toll_status toll__reports_no_category(const toll_reports *r, size_t first,
                                      size_t last, const char *file,
                                      int *applies, toll_error *out)
{
    *applies = 0;
    if (last > r->n)
        last = r->n;
    if (first >= last)
        return TOLL_OK;
    for (size_t i = first; i < last; i++)
        if (r->q_count[i])
            return TOLL_OK;
    *applies = 1;
    /* the first distinct kept fields, in first-seen order */
    uint32_t keys[NO_CATEGORY_FIELDS];
    size_t nk = 0;
    int more = 0;
    size_t x0 = r->x_begin[first];
    size_t x1 = r->x_begin[last - 1] + r->x_count[last - 1];
    for (size_t k = x0; k < x1 && !more; k++) {
        uint32_t key = r->x[k].key;
        size_t j = 0;
        while (j < nk && keys[j] != key)
            j++;
        if (j < nk)
            continue;
        if (nk == NO_CATEGORY_FIELDS)
            more = 1;
        else
            keys[nk++] = key;
    }
    toll__buf names;
    toll__buf_init(&names, &r->alloc);
    toll_status st = TOLL_OK;
    for (size_t j = 0; j < nk && !st; j++)
        st = toll__buf_appendf(&names, "%s'%s'", j ? ", " : "",
                               toll__str(&r->strings, keys[j]));
    if (!st && more)
        st = toll__buf_append(&names, ", ...", 5);
    if (!st && !nk)
        st = toll__buf_append(&names, "none", 4);
    if (st) {
        toll__buf_free(&names);
        return TOLL_ENOMEM;
    }
    toll__seterr(out, TOLL_OK, file, 0, -1, NULL, NULL, 0,
                 "no report carries any casualty category (a field whose "
                 "name ends in 'killed' or 'injured'), so there is nothing "
                 "to count; kept fields: %s.  Map the casualty column with "
                 "--map (Python: map=), e.g. --map killed=COLUMN",
                 names.data);
    toll__buf_free(&names);
    return TOLL_OK;
}

size_t toll_reports_warning_count(const toll_reports *r)
{
    return r ? r->nwarnings : 0;
}

const toll_error *toll_reports_warning(const toll_reports *r, size_t i)
{
    return (r && i < r->nwarnings) ? &r->warnings[i] : NULL;
}

size_t toll_reports_category_count(const toll_reports *r)
{
    return r ? r->ncategories : 0;
}

const char *toll_reports_category(const toll_reports *r, size_t i)
{
    return (r && i < r->ncategories) ? toll__str(&r->strings, r->categories[i])
                                     : NULL;
}

/* Room for `n` reports, `nq` quantity cells and `nx` extras in all (a
 * merge of split loads writes them directly; src/io/split.c). */
toll_status toll__reports_reserve(toll_reports *r, size_t n, size_t nq,
                                  size_t nx)
{
    if (grow_columns(r, n) ||
        toll__grow(&r->alloc, (void **)&r->q, &r->q_cap, nq, sizeof *r->q) ||
        toll__grow(&r->alloc, (void **)&r->x, &r->x_cap, nx, sizeof *r->x))
        return TOLL_ENOMEM;
    return TOLL_OK;
}

/* ---- repairs ------------------------------------------------------------------------------ */

size_t toll_reports_repair_count(const toll_reports *r)
{
    return r ? r->nrepairs : 0;
}

/* Split the next part (up to \x1f) off *s / *len. */
static void next_part(const char **s, size_t *len, const char **part,
                      size_t *plen)
{
    const char *sep = memchr(*s, '\x1f', *len);
    *part = *s;
    *plen = sep ? (size_t)(sep - *s) : *len;
    *s += sep ? *plen + 1 : *plen;
    *len -= sep ? *plen + 1 : *plen;
}

toll_status toll_reports_repair(const toll_reports *r, size_t i,
                                toll_error *out)
{
    if (!r)
        return toll__err(out, TOLL_EINVAL,
                         "toll_reports_repair: reports is NULL");
    if (i >= r->nrepairs)
        return toll__err(out, TOLL_ERANGE,
                         "toll_reports_repair: repair %zu of %zu", i,
                         r->nrepairs);
    size_t rep = r->repairs[i].report;
    const char *s = toll__str(&r->strings, r->repairs[i].value);
    size_t len = toll__strlen(&r->strings, r->repairs[i].value);
    const char *rec, *field, *text, *msg;
    size_t rl, fl, tl, ml;
    next_part(&s, &len, &rec, &rl);
    next_part(&s, &len, &field, &fl);
    next_part(&s, &len, &text, &tl);
    msg = s;
    ml = len;
    long record = strtol(rec, NULL, 10);
    char fbuf[64];
    snprintf(fbuf, sizeof fbuf, "%.*s", (int)fl, field);
    toll__seterr(out, TOLL_OK, toll__str(&r->strings, r->file[rep]),
                 (long)r->line[rep], record, fbuf, text, tl, "%.*s", (int)ml,
                 msg);
    return TOLL_OK;
}

