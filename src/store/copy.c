/*
 * src/store/copy.c - a deep copy of a report store (toll_reports_copy).
 * Arrays are copied whole with their capacities, so the copy grows on its
 * next load exactly as the source would; the hash tables keep their size
 * and slots, so nothing is rehashed.  The string bytes go into one chunk
 * of the copy (runs of strings stored back to back are copied with one
 * memcpy each); string and actor-set ids are those of the source.
 */
#include "store/store.h"

/* A copy of `n` elements of `elem` bytes into a new block of `cap`
 * elements (cap >= n).  NULL when `src` is NULL or on failure (*fail
 * set then). */
static void *dup_array(const toll_allocator *a, const void *src, size_t n,
                       size_t cap, size_t elem, int *fail)
{
    if (!src || !cap)
        return NULL;
    void *d = toll__alloc(a, cap * elem);
    if (!d) {
        *fail = 1;
        return NULL;
    }
    if (n)
        memcpy(d, src, n * elem);
    return d;
}

/* The string bytes of ids 1 .. count-1 (each NUL-terminated) into one
 * chunk of `d`; d->str of those ids point into it. */
static toll_status copy_string_bytes(toll__strpool *d, const toll__strpool *s)
{
    size_t total = 0;
    for (size_t id = 1; id < s->count; id++)
        total += (size_t)s->len[id] + 1;
    if (!total)
        return TOLL_OK;
    d->chunks = toll__alloc(d->alloc, sizeof *d->chunks);
    if (!d->chunks)
        return TOLL_ENOMEM;
    d->chunks_cap = 1;
    char *c = toll__alloc(d->alloc, total);
    if (!c)
        return TOLL_ENOMEM;
    d->chunks[0] = c;
    d->nchunks = 1;
    d->chunk_size = total;
    d->chunk_used = total;
    /* Runs of ids whose bytes follow each other in the source (one chunk,
     * no rolled-back strings between them) move with one memcpy; their
     * pointers move by the same offset. */
    size_t id = 1;
    while (id < s->count) {
        size_t end = id + 1;
        const char *run = s->str[id];
        size_t bytes = (size_t)s->len[id] + 1;
        while (end < s->count && s->str[end] == run + bytes) {
            bytes += (size_t)s->len[end] + 1;
            end++;
        }
        memcpy(c, run, bytes);
        for (size_t k = id; k < end; k++)
            d->str[k] = c + (s->str[k] - run);
        c += bytes;
        id = end;
    }
    return TOLL_OK;
}

static toll_status copy_strpool(toll__strpool *d, const toll__strpool *s,
                                const toll_allocator *a)
{
    int fail = 0;
    memset(d, 0, sizeof *d);
    d->alloc = a;
    /* (str is filled by copy_string_bytes: its pointers change) */
    d->str = dup_array(a, s->str, 1, s->cap, sizeof *d->str, &fail);
    d->len = dup_array(a, s->len, s->count, s->cap, sizeof *d->len, &fail);
    d->hash = dup_array(a, s->hash, s->count, s->cap, sizeof *d->hash, &fail);
    d->table = dup_array(a, s->table, 2 * s->table_cap, 2 * s->table_cap,
                         sizeof *d->table, &fail);
    /* the sizes first, so that a partial copy frees with the right ones */
    d->cap = s->cap;
    d->table_cap = s->table_cap;
    if (fail)
        return TOLL_ENOMEM;
    d->count = s->count;
    d->str[0] = "";
    return copy_string_bytes(d, s);
}

static toll_status copy_setpool(toll__setpool *d, const toll__setpool *s,
                                const toll_allocator *a)
{
    int fail = 0;
    memset(d, 0, sizeof *d);
    d->alloc = a;
    d->cap = s->cap;
    d->members_cap = s->members_cap;
    d->table_cap = s->table_cap;
    d->begin = dup_array(a, s->begin, s->count, s->cap, sizeof *d->begin,
                         &fail);
    d->size = dup_array(a, s->size, s->count, s->cap, sizeof *d->size, &fail);
    d->label = dup_array(a, s->label, s->count, s->cap, sizeof *d->label,
                         &fail);
    d->hash = dup_array(a, s->hash, s->count, s->cap, sizeof *d->hash, &fail);
    d->members = dup_array(a, s->members, s->nmembers, s->members_cap,
                           sizeof *d->members, &fail);
    d->table = dup_array(a, s->table, s->table_cap, s->table_cap,
                         sizeof *d->table, &fail);
    if (fail)
        return TOLL_ENOMEM;
    d->count = s->count;
    d->nmembers = s->nmembers;
    return TOLL_OK;
}

#define REPORT_COLUMNS(X)                                                     \
    X(incident) X(source) X(source_kind) X(source_actor) X(date_start)        \
    X(date_end) X(region) X(actors) X(id) X(url) X(note) X(lat) X(lon)      \
    X(location) X(precision_km) X(file) X(line) X(line_rec) X(q_begin)      \
    X(q_count) X(x_begin) X(x_count) X(x_text)

toll_status toll_reports_copy(const toll_reports *src,
                              const toll_allocator *alloc, toll_reports **out,
                              toll_error *err)
{
    if (!out)
        return toll__err(err, TOLL_EINVAL, "toll_reports_copy: out is NULL");
    *out = NULL;
    if (!src)
        return toll__err(err, TOLL_EINVAL,
                         "toll_reports_copy: reports is NULL");
    toll_allocator a;
    toll__alloc_init(&a, alloc ? alloc : &src->alloc);
    toll_reports *r = toll__calloc(&a, 1, sizeof *r);
    if (!r)
        return toll__nomem(err);
    r->alloc = a;
    const toll_allocator *ra = &r->alloc;
    int fail = 0;
    /* Every capacity is set before its array is allocated, so that
     * toll_reports_free frees a partial copy with the right sizes (it
     * skips the NULL arrays). */
    r->cap = src->cap;
#define COPY_COL(c)                                                           \
    r->c = dup_array(ra, src->c, src->n, src->cap, sizeof *r->c, &fail);
    REPORT_COLUMNS(COPY_COL)
#undef COPY_COL
    r->q_cap = src->q_cap;
    r->q = dup_array(ra, src->q, src->nq, src->q_cap, sizeof *r->q, &fail);
    r->x_cap = src->x_cap;
    r->x = dup_array(ra, src->x, src->nx, src->x_cap, sizeof *r->x, &fail);
    r->xtext_cap = src->xtext_cap;
    r->xtext = dup_array(ra, src->xtext, src->nxtext, src->xtext_cap, 1,
                         &fail);
    r->xchunks_cap = src->xchunks_cap;
    r->xchunk = dup_array(ra, src->xchunk, 0, src->xchunks_cap,
                          sizeof *r->xchunk, &fail);
    for (size_t c = 0; c < src->nxchunks && r->xchunk; c++) {
        const toll__xchunk *s = &src->xchunk[c];
        r->xchunk[c].p = dup_array(ra, s->p, s->len, s->len, 1, &fail);
        r->xchunk[c].len = s->len;
        r->xchunk[c].cap = s->len;
        r->nxchunks = c + 1; /* freed with the copy if a later one fails */
    }
    r->categories_cap = src->categories_cap;
    r->categories = dup_array(ra, src->categories, src->ncategories,
                              src->categories_cap, sizeof *r->categories,
                              &fail);
    r->rejects_cap = src->rejects_cap;
    r->rejects = dup_array(ra, src->rejects, src->nrejects, src->rejects_cap,
                           sizeof *r->rejects, &fail);
    r->warnings_cap = src->warnings_cap;
    r->warnings = dup_array(ra, src->warnings, src->nwarnings,
                            src->warnings_cap, sizeof *r->warnings, &fail);
    r->repairs_cap = src->repairs_cap;
    r->repairs = dup_array(ra, src->repairs, src->nrepairs, src->repairs_cap,
                           sizeof *r->repairs, &fail);
    r->actor_first_cap = src->actor_first_cap;
    r->actor_first = dup_array(ra, src->actor_first, src->actor_keys.count,
                               src->actor_first_cap, sizeof *r->actor_first,
                               &fail);
    if (fail || copy_strpool(&r->strings, &src->strings, ra) ||
        copy_setpool(&r->actor_sets, &src->actor_sets, ra) ||
        copy_strpool(&r->actor_keys, &src->actor_keys, ra)) {
        toll_reports_free(r);
        return toll__nomem(err);
    }
    r->n = src->n;
    r->nq = src->nq;
    r->nx = src->nx;
    r->nxtext = src->nxtext;
    r->ncategories = src->ncategories;
    r->nrejects = src->nrejects;
    r->nwarnings = src->nwarnings;
    r->nrepairs = src->nrepairs;
    *out = r;
    return TOLL_OK;
}
