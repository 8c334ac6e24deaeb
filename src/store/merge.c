/*
 * src/store/merge.c - append one store to another, as if its input had
 * been loaded after the other's (the merge of a split load,
 * src/io/split.c).
 *
 * b's string ids and actor-set ids are re-interned in b's id order, which
 * is the order b first saw them: ids new to r come out in the order a
 * one-thread load would have given them, ids r already had map to those.
 * Actor names are interned by their identity (src/store/store.c): b's
 * keys new to r are added in b's order with b's first spellings; a key
 * that r has with another spelling is a conflict (a one-thread load would
 * have stored b's names, and the labels made of them, as r's spelling).
 * Repair texts carry their record number ("RECORD\x1fFIELD\x1f..."): they
 * are interned with the number moved on by the records before b's input.
 */
#include "store/store.h"

#include "base/strhash.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

/* 1 if a string id of b other than a repair text is marked in `isrep`. */
static int repair_text_reused(const toll_reports *b, const uint8_t *isrep)
{
    const uint32_t *cols[] = {b->incident, b->source, b->source_actor,
                              b->region,   b->id,     b->url,
                              b->note,     b->location, b->file};
    for (size_t c = 0; c < sizeof cols / sizeof cols[0]; c++)
        for (size_t i = 0; cols[c] && i < b->n; i++) /* (NULL: all none) */
            if (isrep[cols[c][i]])
                return 1;
    for (size_t i = 0; i < b->nq; i++)
        if (isrep[b->q[i].category])
            return 1;
    for (size_t i = 0; i < b->nx; i++)
        if (isrep[b->x[i].key]) /* (values are text, not string ids) */
            return 1;
    for (size_t i = 0; i < b->actor_sets.nmembers; i++)
        if (isrep[b->actor_sets.members[i]])
            return 1;
    for (size_t i = 0; i < b->actor_sets.count; i++)
        if (isrep[b->actor_sets.label[i]])
            return 1;
    return 0;
}

/* 1 if an actor key of b is one of r's with another first spelling. */
static int actor_spelling_differs(const toll_reports *r,
                                  const toll_reports *b)
{
    const toll__strpool *bk = &b->actor_keys;
    for (size_t k = 1; k < bk->count; k++) {
        uint32_t kid;
        if (!toll__strpool_find(&r->actor_keys, bk->str[k], bk->len[k], &kid))
            continue;
        uint32_t x = r->actor_first[kid], y = b->actor_first[k];
        if (r->strings.len[x] != b->strings.len[y] ||
            memcmp(r->strings.str[x], b->strings.str[y], b->strings.len[y]))
            return 1;
    }
    return 0;
}

/* Intern b's repair text s[0..len) with its record number moved on. */
static toll_status intern_repair(toll__strpool *p, const char *s, size_t len,
                                 long rec_off, uint32_t *id)
{
    char buf[2048];
    char *end = NULL;
    long rec = strtol(s, &end, 10);
    size_t head = (size_t)(end - s);
    int k = snprintf(buf, sizeof buf, "%ld", rec + rec_off);
    if (k < 0 || len - head > sizeof buf - (size_t)k)
        return toll__strpool_intern(p, s, len, id); /* cannot happen */
    memcpy(buf + k, s + head, len - head);
    return toll__strpool_intern(p, buf, (size_t)k + (len - head), id);
}

#define AHEAD 8

/*
 * The rows are copied in two steps.  While this thread re-interns b's
 * strings and actor sets, a helper thread ("early") copies the columns
 * that need no id map (dates, lines, kinds, counts, offsets) and touches
 * the fresh pages the mapped columns will be written to, so that the page
 * faults (most of the copy's cost on a large merge) are taken on the other
 * core.  The mapped columns are then written in two halves ("part" 0 and
 * 1), the second on a thread of its own.  Column by column, so that each
 * loop streams through two arrays.
 */
typedef struct rows_job {
    toll_reports *r;
    const toll_reports *b;
    const uint32_t *smap, *setmap;
    size_t o, q0, x0;      /* where b's rows, cells and extras go in r */
    size_t t0;             /* r's chunk of kept text for b's chunk 0 */
    int part;              /* 0, 1: the mapped columns; 2: early */
} rows_job;

static void map_col(uint32_t *dst, const uint32_t *src, size_t n,
                    const uint32_t *map)
{
    for (size_t i = 0; i < n; i++)
        dst[i] = map[src[i]];
}

/* The same for an optional column (src/store/store.h): none when b's is
 * not allocated; nothing to write when r's is not (b's is not either). */
static void map_opt(uint32_t *dst, const uint32_t *src, size_t n,
                    const uint32_t *map)
{
    if (!dst)
        return;
    if (!src)
        memset(dst, 0, n * sizeof *dst);
    else
        map_col(dst, src, n, map);
}

/* Write a zero byte into each page of p[0..bytes) (not yet used: its
 * contents are written later), so that the page is mapped now. */
static void touch(void *p, size_t bytes)
{
    unsigned char *c = p;
    for (size_t k = 0; k < bytes; k += 4096)
        c[k] = 0;
}

static void *rows_run(void *arg)
{
    rows_job *j = arg;
    toll_reports *r = j->r;
    const toll_reports *b = j->b;
    const uint32_t *smap = j->smap;
    size_t n = b->n, o = j->o, q0 = j->q0, x0 = j->x0, t0 = j->t0;
    if (n == 0)
        return NULL; /* nothing to copy (and the columns may be NULL) */
    if (j->part == 2) {
        memcpy(r->source_kind + o, b->source_kind, n * sizeof *b->source_kind);
        memcpy(r->date_start + o, b->date_start, n * sizeof *b->date_start);
        memcpy(r->date_end + o, b->date_end, n * sizeof *b->date_end);
        memcpy(r->line + o, b->line, n * sizeof *b->line);
        memcpy(r->line_rec + o, b->line_rec, n * sizeof *b->line_rec);
        memcpy(r->lat + o, b->lat, n * sizeof *b->lat);
        memcpy(r->lon + o, b->lon, n * sizeof *b->lon);
        memcpy(r->precision_km + o, b->precision_km,
               n * sizeof *b->precision_km);
        memcpy(r->q_count + o, b->q_count, n * sizeof *b->q_count);
        memcpy(r->x_count + o, b->x_count, n * sizeof *b->x_count);
        for (size_t i = 0; i < n; i++)
            r->q_begin[o + i] = (uint32_t)(b->q_begin[i] + q0);
        for (size_t i = 0; i < n; i++)
            r->x_begin[o + i] = (uint32_t)(b->x_begin[i] + x0);
        for (size_t i = 0; i < n; i++) /* b's chunks move in after r's */
            r->x_text[o + i] =
                TOLL__XT(TOLL__XT_CHUNK(b->x_text[i]) + t0,
                         TOLL__XT_OFF(b->x_text[i]));
        uint32_t *cols[] = {r->incident, r->source, r->region, r->actors,
                            r->source_actor, r->id, r->url, r->note,
                            r->location, r->file};
        for (size_t c = 0; c < sizeof cols / sizeof cols[0]; c++)
            if (cols[c])
                touch(cols[c] + o, n * sizeof *cols[c]);
        if (b->nq)
            touch(r->q + q0, b->nq * sizeof *r->q);
        if (b->nx)
            touch(r->x + x0, b->nx * sizeof *r->x);
        return NULL;
    }
    if (j->part == 0) {
        for (size_t i = 0; i < b->nq; i++) {
            r->q[q0 + i] = b->q[i];
            r->q[q0 + i].category = smap[b->q[i].category];
        }
        map_col(r->incident + o, b->incident, n, smap);
        return NULL;
    }
    map_col(r->source + o, b->source, n, smap);
    map_col(r->region + o, b->region, n, smap);
    map_col(r->actors + o, b->actors, n, j->setmap);
    map_opt(r->source_actor ? r->source_actor + o : NULL, b->source_actor, n,
            smap);
    map_opt(r->id ? r->id + o : NULL, b->id, n, smap);
    map_opt(r->url ? r->url + o : NULL, b->url, n, smap);
    map_opt(r->note ? r->note + o : NULL, b->note, n, smap);
    map_col(r->location + o, b->location, n, smap);
    map_col(r->file + o, b->file, n, smap);
    for (size_t i = 0; i < b->nx; i++) {
        r->x[x0 + i].key = smap[b->x[i].key];
        r->x[x0 + i].len = b->x[i].len;
    }
    return NULL;
}

toll_status toll__reports_merge(toll_reports *r, toll_reports *b,
                                long rec_off, int two_threads, int *conflict)
{
    const toll_allocator *a = &r->alloc;
    const toll__strpool *bs = &b->strings;
    const toll__setpool *bp = &b->actor_sets;
    size_t ns = bs->count, nsets = bp->count;
    uint32_t *smap = NULL, *setmap = NULL, *tmp = NULL;
    size_t tmp_cap = 0;
    uint8_t *isrep = NULL;
    toll_status st = TOLL_OK;
    rows_job jobs[3];
    pthread_t early_tid;
    int early = 0; /* the early copy runs on early_tid */
    *conflict = 0;

    if (r->n + b->n >= UINT32_MAX - 1 || r->nq + b->nq >= UINT32_MAX ||
        r->nx + b->nx >= UINT32_MAX)
        return TOLL_ERANGE;
    smap = toll__alloc(a, (ns ? ns : 1) * sizeof *smap);
    setmap = toll__alloc(a, (nsets ? nsets : 1) * sizeof *setmap);
    if (!smap || !setmap) {
        st = TOLL_ENOMEM;
        goto cleanup;
    }
    if (b->nrepairs) {
        if (!(isrep = toll__calloc(a, ns ? ns : 1, 1))) {
            st = TOLL_ENOMEM;
            goto cleanup;
        }
        for (size_t i = 0; i < b->nrepairs; i++)
            isrep[b->repairs[i].value] = 1;
        isrep[0] = 0;
        if (repair_text_reused(b, isrep)) {
            *conflict = 1;
            goto cleanup;
        }
    }

    if (actor_spelling_differs(r, b)) {
        *conflict = 1;
        goto cleanup;
    }

    /* room for the rows first: the early copy writes into it while the
     * strings are interned */
    /* r's open chunk of kept text is sealed and b's chunks move in after
     * it (room made here, moved once nothing can fail) */
    size_t nchunks = r->nxchunks + 1 + b->nxchunks + 1;
    if (nchunks >= ((size_t)1 << (64 - TOLL__XT_BITS))) {
        st = TOLL_ERANGE;
        goto cleanup;
    }
    if (toll__reports_reserve(r, r->n + b->n, r->nq + b->nq, r->nx + b->nx) ||
        toll__grow(a, (void **)&r->xchunk, &r->xchunks_cap, nchunks,
                   sizeof *r->xchunk) ||
        (b->source_actor &&
         toll__reports_opt_column(r, &r->source_actor)) ||
        (b->id && toll__reports_opt_column(r, &r->id)) ||
        (b->url && toll__reports_opt_column(r, &r->url)) ||
        (b->note && toll__reports_opt_column(r, &r->note)) ||
        toll__grow(a, (void **)&r->repairs, &r->repairs_cap,
                   r->nrepairs + b->nrepairs, sizeof *r->repairs) ||
        toll__grow(a, (void **)&r->rejects, &r->rejects_cap,
                   r->nrejects + b->nrejects, sizeof *r->rejects)) {
        st = TOLL_ENOMEM;
        goto cleanup;
    }
    for (int k = 0; k < 3; k++) {
        jobs[k].r = r;
        jobs[k].b = b;
        jobs[k].smap = smap;
        jobs[k].setmap = setmap;
        jobs[k].o = r->n;
        jobs[k].q0 = r->nq;
        jobs[k].x0 = r->nx;
        jobs[k].t0 = r->nxchunks + 1;
        jobs[k].part = k;
    }
    early = two_threads &&
            pthread_create(&early_tid, NULL, rows_run, &jobs[2]) == 0;

    /* strings, in b's id order */
    smap[0] = 0;
    for (size_t i = 1; i < ns && !st; i++) {
        if (i + AHEAD < ns)
            toll__strpool_prefetch(&r->strings, bs->hash[i + AHEAD]);
        if (isrep && isrep[i])
            st = intern_repair(&r->strings, bs->str[i], bs->len[i], rec_off,
                               &smap[i]);
        else
            st = toll__strpool_intern_hashed(&r->strings, bs->str[i],
                                             bs->len[i], bs->hash[i],
                                             &smap[i]);
    }
    if (st)
        goto cleanup;

    /* actor keys, in b's id order: those new to r with b's first
     * spellings (interned above); the others have the same spelling */
    for (size_t k = 1; k < b->actor_keys.count && !st; k++) {
        uint32_t f = b->actor_first[k], id;
        st = toll__reports_intern_actor_key(r, b->actor_keys.str[k],
                                            b->actor_keys.len[k], bs->str[f],
                                            bs->len[f], &id);
    }
    if (st)
        goto cleanup;

    /* actor sets, in b's id order (their labels are strings already) */
    setmap[0] = 0;
    for (size_t k = 1; k < nsets && !st; k++) {
        size_t m = bp->size[k];
        if (toll__grow(a, (void **)&tmp, &tmp_cap, m ? m : 1, sizeof *tmp)) {
            st = TOLL_ENOMEM;
            break;
        }
        const uint32_t *mem = bp->members + bp->begin[k];
        for (size_t j = 0; j < m; j++)
            tmp[j] = smap[mem[j]];
        st = toll__setpool_intern(&r->actor_sets, &r->strings, tmp, m,
                                  &setmap[k]);
    }
    if (st)
        goto cleanup;

    /* categories, first seen order */
    for (size_t k = 0; k < b->ncategories; k++) {
        uint32_t c = smap[b->categories[k]];
        size_t j = 0;
        while (j < r->ncategories && r->categories[j] != c)
            j++;
        if (j < r->ncategories)
            continue;
        if (toll__grow(a, (void **)&r->categories, &r->categories_cap,
                       r->ncategories + 1, sizeof *r->categories)) {
            st = TOLL_ENOMEM;
            goto cleanup;
        }
        r->categories[r->ncategories++] = c;
    }

    /* rows: the early part done (or done here), then the mapped columns
     * in two groups, the second on a thread of its own when one can be
     * started */
    if (early)
        pthread_join(early_tid, NULL);
    else
        rows_run(&jobs[2]);
    early = 0;
    size_t n0 = r->n;
    pthread_t tid;
    int helper = two_threads &&
                 pthread_create(&tid, NULL, rows_run, &jobs[1]) == 0;
    rows_run(&jobs[0]);
    if (helper)
        pthread_join(tid, NULL);
    else
        rows_run(&jobs[1]);
    for (size_t i = 0; i < b->nrepairs; i++) {
        r->repairs[r->nrepairs + i].report =
            (uint32_t)(b->repairs[i].report + n0);
        r->repairs[r->nrepairs + i].value = smap[b->repairs[i].value];
    }
    for (size_t i = 0; i < b->nrejects; i++) {
        toll_error *e = &r->rejects[r->nrejects + i];
        *e = b->rejects[i];
        if (e->record >= 0 && rec_off) {
            if (e->line > 0)
                e->record += rec_off;
            else
                toll__err_locate(e, NULL, 0, e->record + rec_off, NULL);
        }
    }
    r->n += b->n;
    r->nq += b->nq;
    r->nx += b->nx;
    /* the kept text: r's open chunk sealed, b's chunks moved in */
    r->xchunk[r->nxchunks++] = (toll__xchunk){r->xtext, r->nxtext,
                                              r->xtext_cap};
    for (size_t c = 0; c < b->nxchunks; c++)
        r->xchunk[r->nxchunks++] = b->xchunk[c];
    r->xchunk[r->nxchunks++] = (toll__xchunk){b->xtext, b->nxtext,
                                              b->xtext_cap};
    r->xtext = NULL;
    r->nxtext = r->xtext_cap = 0;
    b->nxchunks = 0;
    b->xtext = NULL;
    b->nxtext = b->xtext_cap = 0;
    r->nrepairs += b->nrepairs;
    r->nrejects += b->nrejects;

cleanup:
    if (early) /* a failure while it ran: it only wrote past r's counts */
        pthread_join(early_tid, NULL);
    toll__free(a, smap, (ns ? ns : 1) * sizeof *smap);
    toll__free(a, setmap, (nsets ? nsets : 1) * sizeof *setmap);
    toll__free(a, isrep, ns ? ns : 1);
    toll__free(a, tmp, tmp_cap * sizeof *tmp);
    return st;
}
