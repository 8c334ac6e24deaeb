/*
 * src/io/csv/plan.c - the per-header plan of the CSV reader (see
 * src/io/csv/plan.h): each data row runs the binding's slots as a list of
 * steps over its cells, reading through the memos of src/io/memo.h,
 * and appends itself; anything out of the common case gives the row back
 * to the generic path, which does it all again from the start.
 *
 * Each step does exactly what the generic path (build_row in src/io/record.c)
 * does for that slot when the read succeeds without an error or a repair,
 * and in the same order, so the strings are interned in the same order
 * and get the same ids.
 */
#include "io/csv/plan.h"

#include "io/memo.h"
#include "base/strhash.h"

enum {
    PLAN_TEXT = 0,  /* incident, id, url, note: trimmed, interned */
    PLAN_SOURCE_ACTOR, /* source_actor: an actor, through its memo */
    PLAN_SOURCE,    /* source (remembered for the "missing" check) */
    PLAN_KIND,      /* source_kind */
    PLAN_REGION,
    PLAN_ACTOR,
    PLAN_QTY,       /* a category read from one column */
    PLAN_GEO        /* lat, lon, precision_km (arg: TOLL__GEO_*) */
};

/* Where each text field goes in the row. */
enum {
    DST_INCIDENT = 0, DST_SOURCE, DST_SOURCE_ACTOR, DST_ID, DST_URL,
    DST_NOTE, DST_LOCATION, DST_COUNT
};


/* ---- the steps' own memo of short texts -------------------------------------
 *
 * On top of the memo of recent texts (src/io/memo.h, shared with the
 * generic path), each step that reads through it keeps a direct-mapped
 * table of what its own texts of 1 to 16 bytes read as, keyed by the text
 * itself: two words and the length hold every byte of such a text, so a
 * lookup is a multiply and three compares, with no hashing loop and no
 * byte compare.  Filled after every successful read; an optimisation
 * only (a table that cannot be allocated is simply not used). */

#define FAST_BITS 10
#define FAST_SLOTS (1u << FAST_BITS)
#define FAST_MAX 16

typedef struct toll__plan_fast {
    uint64_t a, b;   /* the text's words (see fast_key) */
    uint32_t len;    /* 0: empty slot */
    uint32_t id;     /* string or set id, kind; dates: given */
    int64_t lo, hi;  /* quantities: low, high; dates: first, last */
    double best;     /* quantities */
} fast_ent;

/* The words of a text of 1 to FAST_MAX bytes: with the length, they hold
 * every byte (the two loads overlap when the text is shorter than their
 * sum), and only bytes of the text are read. */
static inline void fast_key(const char *s, size_t len, uint64_t *a,
                            uint64_t *b)
{
    if (len >= 8) {
        *a = toll__load64(s);
        *b = toll__load64(s + len - 8);
    } else if (len >= 4) {
        *a = toll__load32(s);
        *b = toll__load32(s + len - 4);
    } else {
        *a = (uint64_t)(unsigned char)s[0] |
             (uint64_t)(unsigned char)s[len / 2] << 8 |
             (uint64_t)(unsigned char)s[len - 1] << 16;
        *b = 0;
    }
}

/* The slot of s[0..len) in table t (a hit or the one to fill), or NULL
 * when there is no table or the text does not fit. */
static inline fast_ent *fast_slot(fast_ent *t, const char *s, size_t len,
                                  uint64_t *a, uint64_t *b)
{
    if (!t || len - 1 >= FAST_MAX) /* len 0 wraps: never looked up */
        return NULL;
    fast_key(s, len, a, b);
    uint64_t h = (*a ^ (*b * UINT64_C(0xC2B2AE3D27D4EB4F) + len)) *
                 UINT64_C(0x9E3779B97F4A7C15);
    return &t[h >> (64 - FAST_BITS)];
}

static inline int fast_hit(const fast_ent *f, uint64_t a, uint64_t b,
                           size_t len)
{
    return f && f->len == len && f->a == a && f->b == b;
}

static inline void fast_fill(fast_ent *f, uint64_t a, uint64_t b, size_t len)
{
    f->a = a;
    f->b = b;
    f->len = (uint32_t)len;
}

static fast_ent *fast_new(toll__ingest *in)
{
    return toll__calloc(&in->r->alloc, FAST_SLOTS, sizeof(fast_ent));
}

static int add_step(toll__ingest *in, toll__plan *p, int op, int arg,
                    long col, uint32_t category)
{
    if (col < 0 || TOLL__GROW(in, p->step, p->step_cap, p->nstep + 1))
        return -1;
    toll__plan_step *s = &p->step[p->nstep++];
    /* the steps that read through a memo get a table of their own */
    s->fast = op == PLAN_TEXT || op == PLAN_GEO ? NULL : fast_new(in);
    s->op = (uint8_t)op;
    s->arg = (uint8_t)arg;
    s->col = (uint32_t)col;
    s->category = category;
    return 0;
}

static int plan_enabled = 1;

void toll__plan_set_enabled(int on) { plan_enabled = on != 0; }

void toll__plan_build(toll__ingest *in, toll__plan *p, size_t ncols)
{
    const toll__binding *b = &in->bind;
    p->ok = 0;
    p->nstep = 0;
    p->nq = 0;
    p->nx = 0;
    p->date_col[0] = p->date_col[1] = p->date_col[2] = -1;
    if (!plan_enabled || b->nmembers != ncols ||
        ncols > UINT32_MAX || in->key_prefix)
        return; /* (qualified keys: the generic path) */
    for (size_t i = 0; i < b->nslots; i++) {
        const toll__slot *sl = &b->slot[i];
        if (sl->shape != TOLL__CM_COLUMN || sl->ncols != 1 || sl->col[0] < 0 ||
            (size_t)sl->col[0] >= ncols)
            return; /* ranges, levels, constants: the generic path */
        long c = sl->col[0];
        int rc;
        switch (sl->field) {
        case TOLL__F_INCIDENT:
            rc = add_step(in, p, PLAN_TEXT, DST_INCIDENT, c, 0);
            break;
        case TOLL__F_SOURCE:
            rc = add_step(in, p, PLAN_SOURCE, DST_SOURCE, c, 0);
            break;
        case TOLL__F_SOURCE_KIND:
            rc = add_step(in, p, PLAN_KIND, 0, c, 0);
            break;
        case TOLL__F_SOURCE_ACTOR:
            rc = add_step(in, p, PLAN_SOURCE_ACTOR, DST_SOURCE_ACTOR, c, 0);
            break;
        case TOLL__F_DATE:
        case TOLL__F_DATE_START:
        case TOLL__F_DATE_END:
            /* read after the other fields (the last slot wins) */
            p->date_col[sl->field - TOLL__F_DATE] = c;
            if (!p->date_fast[sl->field - TOLL__F_DATE])
                p->date_fast[sl->field - TOLL__F_DATE] = fast_new(in);
            rc = 0;
            break;
        case TOLL__F_REGION:
            rc = add_step(in, p, PLAN_REGION, 0, c, 0);
            break;
        case TOLL__F_ACTOR:
            rc = add_step(in, p, PLAN_ACTOR, 0, c, 0);
            break;
        case TOLL__F_ID:
            rc = add_step(in, p, PLAN_TEXT, DST_ID, c, 0);
            break;
        case TOLL__F_URL:
            rc = add_step(in, p, PLAN_TEXT, DST_URL, c, 0);
            break;
        case TOLL__F_NOTE:
            rc = add_step(in, p, PLAN_TEXT, DST_NOTE, c, 0);
            break;
        case TOLL__F_LOCATION:
            rc = add_step(in, p, PLAN_TEXT, DST_LOCATION, c, 0);
            break;
        case TOLL__F_LAT:
        case TOLL__F_LON:
        case TOLL__F_PRECISION_KM:
            if (sl->coded)
                return; /* a preset's codes: the generic path */
            rc = add_step(in, p, PLAN_GEO,
                          sl->field == TOLL__F_LAT   ? TOLL__GEO_LAT
                          : sl->field == TOLL__F_LON ? TOLL__GEO_LON
                                                     : TOLL__GEO_PRECISION,
                          c, 0);
            break;
        case TOLL__F_CATEGORY:
            rc = add_step(in, p, PLAN_QTY, 0, c, sl->category);
            p->nq++;
            break;
        default:
            return; /* kept fields (keep:NAME): the generic path */
        }
        if (rc)
            return;
    }
    /* extras, in column order, with a name */
    for (size_t j = 0; j < ncols; j++) {
        if (!b->extra[j] || !in->m[j].klen)
            continue;
        if (TOLL__GROW(in, p->xcol, p->xcol_cap, p->nx + 1) ||
            TOLL__GROW(in, p->xkey, p->xkey_cap, p->nx + 1))
            return;
        p->xcol[p->nx] = (uint32_t)j;
        p->xkey[p->nx] = 0;
        p->nx++;
    }
    if (p->nq > UINT16_MAX || p->nx > UINT16_MAX ||
        (p->nq && TOLL__GROW(in, in->q, in->q_cap, p->nq)) ||
        (p->nx && TOLL__GROW(in, in->x, in->x_cap, p->nx)))
        return;
    p->ok = 1;
}

void toll__plan_free(toll__ingest *in, toll__plan *p)
{
    const toll_allocator *a = &in->r->alloc;
    for (size_t i = 0; i < p->nstep; i++)
        toll__free(a, p->step[i].fast, FAST_SLOTS * sizeof(fast_ent));
    for (int k = 0; k < 3; k++)
        toll__free(a, p->date_fast[k], FAST_SLOTS * sizeof(fast_ent));
    toll__free(a, p->step, p->step_cap * sizeof *p->step);
    toll__free(a, p->xcol, p->xcol_cap * sizeof *p->xcol);
    toll__free(a, p->xkey, p->xkey_cap * sizeof *p->xkey);
    memset(p, 0, sizeof *p);
}

/* A quantity's text through its memo, or a plain count or range by the
 * parser's fast path (toll__quantity_fast, src/core/quantity.c); 0 when
 * the full parser is needed. */
static inline int plan_qty(toll__ingest *in, const char *s, size_t len,
                           toll__qcell *c)
{
    uint32_t h = 0;
    memo_ent *e = memo_slot(in, TOLL__MEMO_QTY, s, len, &h);
    if (memo_hit(e, h, s, len)) {
        if (e->flag) {
            c->low = e->lo;
            c->high = e->hi;
            c->best = e->best;
        } else {
            c->low = -1;
            c->high = TOLL_OPEN;
            c->best = 0;
        }
        return 1;
    }
    if (!in->num_fast ||
        !toll__quantity_fast(s, len, &c->low, &c->high, &c->best))
        return 0;
    if (e) {
        memo_fill(e, h, s, len);
        e->flag = 1;
        e->lo = c->low;
        e->hi = c->high;
        e->best = c->best;
    }
    return 1;
}

/* A region text its memo has not seen, read as region_read (src/io/record.c)
 * reads one text: levels at the separator, each trimmed, joined with '/';
 * 0 on anything it would word as an error or repair. */
static int plan_region(toll__ingest *in, const char *s, size_t len,
                       uint32_t *id)
{
    char sep = in->opts->region_separator ? in->opts->region_separator : '/';
    size_t pos = 0;
    toll__trim_space(&s, &len);
    *id = 0;
    if (!len)
        return 1;
    in->text.len = 0;
    while (pos <= len) {
        const char *q = memchr(s + pos, sep, len - pos);
        size_t end = q ? (size_t)(q - s) : len;
        const char *l = s + pos;
        size_t ll = end - pos;
        toll__trim_space(&l, &ll);
        if (!ll || memchr(l, '/', ll))
            return 0;
        if ((in->text.len && toll__buf_putc(&in->text, '/')) ||
            toll__buf_append(&in->text, l, ll))
            return 0;
        pos = end + 1;
    }
    return toll__strpool_intern(&in->r->strings, in->text.data, in->text.len,
                                id) == TOLL_OK;
}

/* An actor text its memo has not seen, read as actor_value (src/io/record.c)
 * reads CSV text: names at the separator, trimmed, empty ones skipped. */
static int plan_actor(toll__ingest *in, const char *s, size_t len,
                      uint32_t *set)
{
    char sep = in->opts->actor_separator ? in->opts->actor_separator : ';';
    size_t pos = 0, n = 0;
    toll__trim_space(&s, &len);
    *set = 0;
    while (pos <= len) {
        const char *q = memchr(s + pos, sep, len - pos);
        size_t end = q ? (size_t)(q - s) : len;
        const char *a = s + pos;
        size_t al = end - pos;
        toll__trim_space(&a, &al);
        pos = end + 1;
        if (!al)
            continue;
        if (TOLL__GROW(in, in->ids, in->ids_cap, n + 1) ||
            toll__reports_intern_actor(in->r, a, al, &in->ids[n]))
            return 0;
        n++;
    }
    return !n || toll__setpool_intern(&in->r->actor_sets, &in->r->strings,
                                      in->ids, n, set) == TOLL_OK;
}

/* A text field: trimmed and interned (with the hash read ahead when it is
 * the incident key). */
static inline int plan_text(toll__ingest *in, const char *s, size_t len,
                            uint32_t *id)
{
    toll__trim_space(&s, &len);
    if (!len) {
        *id = 0;
        return 1;
    }
    toll_status st;
    if (s == in->key_s && len == in->key_len)
        st = toll__strpool_intern_hashed(&in->r->strings, s, len,
                                         in->key_hash, id);
    else
        st = toll__strpool_intern(&in->r->strings, s, len, id);
    return st == TOLL_OK;
}

/* source_actor: trimmed, interned as an actor (src/store/store.c). */
static int plan_source_actor(toll__ingest *in, const char *s, size_t len,
                             uint32_t *id)
{
    toll__trim_space(&s, &len);
    return toll__reports_intern_actor(in->r, s, len, id) == TOLL_OK;
}

int toll__plan_row(toll__ingest *in, toll__plan *p, const char *base,
                   const toll__csvcell *cells, size_t ncells)
{
    toll__row row;
    uint32_t text[DST_COUNT] = {0};
    double geo[3];
    int geo_given[3] = {0, 0, 0};
    size_t nq = 0, nx = 0;
    (void)ncells;
    row.source_kind = 0;
    row.region = 0;
    row.actors = 0;
    in->nrep = 0;
    in->field = NULL;
    for (size_t i = 0; i < p->nstep; i++) {
        const toll__plan_step *st = &p->step[i];
        const char *s = base + cells[st->col].off;
        size_t len = cells[st->col].len;
        uint64_t fa = 0, fb = 0;
        fast_ent *f;
        if (st->op == PLAN_TEXT) {
            if (!plan_text(in, s, len, &text[st->arg]))
                return 0;
            continue;
        }
        if (st->op == PLAN_GEO) {
            /* the rule of src/io/record.c; any problem is the generic
             * path's to word */
            toll__trim_space(&s, &len);
            geo_given[st->arg] = len > 0;
            if (len && toll__geo_number(st->arg, s, len, &geo[st->arg]))
                return 0;
            continue;
        }
        f = fast_slot(st->fast, s, len, &fa, &fb);
        if (st->op == PLAN_QTY) {
            toll__qcell *c = &in->q[nq++];
            c->category = st->category;
            if (fast_hit(f, fa, fb, len)) {
                c->low = f->lo;
                c->high = f->hi;
                c->best = f->best;
                continue;
            }
            if (!plan_qty(in, s, len, c))
                return 0;
            if (f) {
                fast_fill(f, fa, fb, len);
                f->lo = c->low;
                f->hi = c->high;
                f->best = c->best;
            }
            continue;
        }
        uint32_t id = 0; /* a string or set id, or a kind */
        if (fast_hit(f, fa, fb, len)) {
            id = f->id;
        } else if (len) {
            uint32_t h = 0;
            int kind = st->op == PLAN_REGION  ? TOLL__MEMO_REGION
                       : st->op == PLAN_ACTOR ? TOLL__MEMO_ACTOR
                       : st->op == PLAN_KIND  ? TOLL__MEMO_KIND
                       : st->op == PLAN_SOURCE_ACTOR ? TOLL__MEMO_SOURCE_ACTOR
                                                     : TOLL__MEMO_TEXT;
            memo_ent *e = memo_slot(in, kind, s, len, &h);
            if (memo_hit(e, h, s, len)) {
                id = e->id;
            } else {
                int ok = st->op == PLAN_REGION  ? plan_region(in, s, len, &id)
                         : st->op == PLAN_ACTOR ? plan_actor(in, s, len, &id)
                         : st->op == PLAN_KIND  ? 0 /* the generic path */
                         : st->op == PLAN_SOURCE_ACTOR
                             ? plan_source_actor(in, s, len, &id)
                             : plan_text(in, s, len, &id);
                if (!ok)
                    return 0;
                if (e) {
                    memo_fill(e, h, s, len);
                    e->id = id;
                }
            }
            if (f) {
                fast_fill(f, fa, fb, len);
                f->id = id;
            }
        }
        switch (st->op) {
        case PLAN_KIND:
            row.source_kind = (uint8_t)id;
            break;
        case PLAN_REGION:
            row.region = id;
            break;
        case PLAN_ACTOR:
            row.actors = id;
            break;
        default: /* PLAN_SOURCE, PLAN_SOURCE_ACTOR */
            text[st->arg] = id;
            break;
        }
    }
    if (text[DST_SOURCE] == 0)
        return 0; /* missing source: the generic path words it */
    if (toll__geo_check(geo_given[0], geo_given[1], geo_given[2]))
        return 0;
    row.lat = geo_given[0] ? geo[0] : NAN;
    row.lon = geo_given[0] ? geo[1] : NAN;
    row.precision_km = geo_given[2] ? toll__precision_store(geo[2]) : 0;

    /* dates, as dates() in src/io/record.c */
    int32_t first[3], last[3];
    int given[3];
    for (int k = 0; k < 3; k++) {
        given[k] = 0;
        first[k] = last[k] = 0;
        long c = p->date_col[k];
        if (c < 0)
            continue;
        const char *s = base + cells[c].off;
        size_t len = cells[c].len;
        if (!len)
            continue;
        uint64_t fa = 0, fb = 0;
        fast_ent *f = fast_slot(p->date_fast[k], s, len, &fa, &fb);
        if (fast_hit(f, fa, fb, len)) {
            given[k] = (int)f->id;
            first[k] = (int32_t)f->lo;
            last[k] = (int32_t)f->hi;
            continue;
        }
        uint32_t h = 0;
        memo_ent *e = memo_slot(in, TOLL__MEMO_DATE, s, len, &h);
        if (memo_hit(e, h, s, len)) {
            given[k] = e->flag;
            first[k] = (int32_t)e->lo;
            last[k] = (int32_t)e->hi;
        } else {
            /* as date_value (src/io/record.c); an error is the generic path's */
            const char *t = s;
            size_t tl = len;
            toll__trim_space(&t, &tl);
            given[k] = tl > 0;
            if (tl && toll__date_read(in->date_format, &in->date_window, t,
                                      tl, &first[k], &last[k], &in->rec))
                return 0;
            if (e) {
                memo_fill(e, h, s, len);
                e->flag = (uint8_t)given[k];
                e->lo = given[k] ? first[k] : 0;
                e->hi = given[k] ? last[k] : 0;
            }
        }
        if (f) {
            fast_fill(f, fa, fb, len);
            f->id = (uint32_t)given[k];
            f->lo = given[k] ? first[k] : 0;
            f->hi = given[k] ? last[k] : 0;
        }
    }
    row.date_start = row.date_end = TOLL_NO_DATE;
    if (given[0]) {
        if (given[1] || given[2])
            return 0;
        row.date_start = first[0];
        row.date_end = last[0];
    } else if (given[1] && given[2]) {
        if (last[2] < first[1])
            return 0;
        row.date_start = first[1];
        row.date_end = last[2];
    } else if (given[1]) {
        row.date_start = first[1];
        row.date_end = last[1];
    } else if (given[2]) {
        row.date_start = first[2];
        row.date_end = last[2];
    }

    /* extras: name then value, as add_extra (src/io/record.c) */
    size_t xused = 0;
    for (size_t k = 0; k < p->nx; k++) {
        const toll__csvcell *c = &cells[p->xcol[k]];
        if (!c->len)
            continue;
        toll__kv *kv = &in->x[nx];
        if (!p->xkey[k]) {
            const toll__member *mb = &in->m[p->xcol[k]];
            if (toll__strpool_intern(&in->r->strings, mb->key, mb->klen,
                                     &p->xkey[k]))
                return 0;
        }
        kv->key = p->xkey[k];
        char *t = toll__reports_xtext_stage(in->r, xused, c->len);
        if (!t)
            return 0;
        memcpy(t, base + c->off, c->len);
        xused += c->len;
        kv->len = (uint32_t)c->len;
        nx++;
    }

    row.incident = text[DST_INCIDENT];
    row.source = text[DST_SOURCE];
    row.source_actor = text[DST_SOURCE_ACTOR];
    row.id = text[DST_ID];
    row.url = text[DST_URL];
    row.note = text[DST_NOTE];
    row.location = text[DST_LOCATION];
    row.file = in->file_id;
    row.line_rec = 0;
    row.line = in->line > 0 && in->line < (long)UINT32_MAX
                   ? (uint32_t)in->line
                   : (uint32_t)(in->record + 1);
    row.q = in->q;
    row.nq = nq;
    row.x = in->x;
    row.nx = nx;
    row.xtext = in->r->xtext ? in->r->xtext + in->r->nxtext : NULL;
    if (toll__reports_append(in->r, &row, NULL))
        return 0;
    in->n_loaded++;
    return 1;
}
