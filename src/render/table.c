/*
 * src/render/table.c - typed result tables and their rendering to CSV, JSON,
 * Markdown and aligned text.
 *
 * A table is allocated as a private `table_impl` whose first member is the
 * shared `struct toll_table` (src/render/render.h); the private part holds one
 * hash index per column for deduplicating dictionary strings.  Tables must
 * therefore be created with toll__table_new.
 */
#include "render/render.h"
#include "render/numfmt.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>

/* ---- private layout -------------------------------------------------------- */

typedef struct dict_entry {
    size_t len;    /* byte length of dictionary entry k */
    uint32_t hash; /* its hash */
} dict_entry;

typedef struct dict_index {
    uint32_t *slots;   /* code + 1; 0 = empty; capacity a power of two */
    size_t cap;
    dict_entry *ent;   /* per dictionary entry */
    size_t ent_cap;
} dict_index;

typedef struct table_impl {
    struct toll_table t; /* must stay first */
    dict_index *idx;     /* ncols entries */
    toll_error *warnings; /* toll_table_warning */
    size_t nwarnings, warnings_cap;
    size_t refs;          /* references (toll__table_retain); atomic */
} table_impl;

static table_impl *impl_of(toll_table *t) { return (table_impl *)t; }

static uint32_t hash_bytes(const char *s, size_t len)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 16777619u;
    }
    return h;
}

static size_t coltype_size(toll_coltype type);

/* Bytes of a column's data block (at least one element). */
static size_t col_bytes(const toll_table *t, toll_coltype type)
{
    return (t->nrows ? t->nrows : 1) * coltype_size(type);
}

static size_t coltype_size(toll_coltype type)
{
    switch (type) {
    case TOLL_COL_INT64:
        return sizeof(int64_t);
    case TOLL_COL_DOUBLE:
        return sizeof(double);
    default:
        return sizeof(uint32_t);
    }
}

/* ---- builder ------------------------------------------------------------- */

static void column_clear(toll_table *t, size_t j)
{
    toll__column *c = &t->cols[j];
    dict_index *x = &impl_of(t)->idx[j];
    const toll_allocator *a = &t->alloc;
    toll__free(a, c->name, c->name ? strlen(c->name) + 1 : 0);
    if (c->data)
        toll__free(a, c->data, col_bytes(t, c->type));
    for (size_t k = 0; k < c->ndict; k++)
        toll__free(a, c->dict[k], x->ent[k].len + 1);
    toll__free(a, c->dict, c->dict_cap * sizeof *c->dict);
    toll__free(a, x->slots, x->cap * sizeof *x->slots);
    toll__free(a, x->ent, x->ent_cap * sizeof *x->ent);
    memset(c, 0, sizeof *c);
    memset(x, 0, sizeof *x);
}

void toll_table_free(toll_table *t)
{
    if (!t)
        return;
    table_impl *ti = impl_of(t);
    if (__atomic_sub_fetch(&ti->refs, 1, __ATOMIC_ACQ_REL) != 0)
        return;
    toll_allocator a = t->alloc;
    if (t->cols && ti->idx)
        for (size_t j = 0; j < t->ncols; j++)
            column_clear(t, j);
    toll__free(&a, t->cols, t->ncols * sizeof *t->cols);
    toll__free(&a, ti->idx, t->ncols * sizeof *ti->idx);
    toll__free(&a, t->caption, t->caption ? strlen(t->caption) + 1 : 0);
    toll__free(&a, t->by, t->by ? strlen(t->by) + 1 : 0);
    toll__free(&a, ti->warnings, ti->warnings_cap * sizeof *ti->warnings);
    toll__free(&a, ti, sizeof *ti);
}

toll_status toll__table_new(const toll_allocator *a, size_t ncols,
                            size_t nrows, toll_table **out)
{
    *out = NULL;
    toll_allocator al;
    toll__alloc_init(&al, a);
    if (nrows > SIZE_MAX / sizeof(double) || nrows > UINT32_MAX)
        return TOLL_ENOMEM;
    table_impl *ti = toll__calloc(&al, 1, sizeof *ti);
    if (!ti)
        return TOLL_ENOMEM;
    toll_table *t = &ti->t;
    ti->refs = 1;
    t->alloc = al;
    t->nrows = nrows;
    t->additive = 1;
    t->caption = toll__strndup(&al, "", 0);
    if (ncols) {
        t->cols = toll__calloc(&al, ncols, sizeof *t->cols);
        ti->idx = toll__calloc(&al, ncols, sizeof *ti->idx);
    }
    t->ncols = ncols;
    if (!t->caption || (ncols && (!t->cols || !ti->idx))) {
        toll_table_free(t);
        return TOLL_ENOMEM;
    }
    *out = t;
    return TOLL_OK;
}

static toll_status set_column(toll_table *t, size_t j, const char *name,
                              toll_coltype type, int raw);

toll_status toll__table_set_column(toll_table *t, size_t j, const char *name,
                                   toll_coltype type)
{
    return set_column(t, j, name, type, 0);
}

toll_status toll__table_set_column_raw(toll_table *t, size_t j,
                                       const char *name, toll_coltype type)
{
    return set_column(t, j, name, type, 1);
}

/* raw: the data are left as allocated (the caller writes every row). */
static toll_status set_column(toll_table *t, size_t j, const char *name,
                              toll_coltype type, int raw)
{
    if (!t || j >= t->ncols || !name ||
        (type != TOLL_COL_STRING && type != TOLL_COL_INT64 &&
         type != TOLL_COL_DOUBLE))
        return TOLL_EINVAL;
    const toll_allocator *a = &t->alloc;
    char *nm = toll__strndup(a, name, strlen(name));
    void *data = raw ? toll__alloc(a, (t->nrows ? t->nrows : 1) *
                                          coltype_size(type))
                     : toll__calloc(a, t->nrows ? t->nrows : 1,
                                    coltype_size(type));
    if (!nm || !data) {
        toll__free(a, nm, nm ? strlen(nm) + 1 : 0);
        toll__free(a, data, col_bytes(t, type));
        return TOLL_ENOMEM;
    }
    column_clear(t, j);
    toll__column *c = &t->cols[j];
    c->name = nm;
    c->type = type;
    c->data = data;
    if (type == TOLL_COL_STRING && !raw) {
        uint32_t *codes = data;
        for (size_t i = 0; i < t->nrows; i++)
            codes[i] = TOLL_NULL_CODE;
    }
    return TOLL_OK;
}

toll_status toll__table_set_kind(toll_table *t, size_t j, toll_colkind kind)
{
    if (!t || j >= t->ncols)
        return TOLL_EINVAL;
    toll_coltype ty = t->cols[j].type;
    int fits = kind == TOLL_KIND_PLAIN ||
               (kind == TOLL_KIND_DATE && ty == TOLL_COL_STRING) ||
               (kind == TOLL_KIND_COUNT && ty != TOLL_COL_STRING) ||
               (kind == TOLL_KIND_FLAG && ty == TOLL_COL_INT64);
    if (!fits)
        return TOLL_EINVAL;
    t->cols[j].kind = kind;
    return TOLL_OK;
}

size_t toll__table_dict_len(const toll_table *t, size_t j, size_t k)
{
    const dict_index *x = &((const table_impl *)t)->idx[j];
    return k < t->cols[j].ndict ? x->ent[k].len : 0;
}

void toll__table_retain(const toll_table *t)
{
    /* the count lives in the private part, not in the table's contents */
    table_impl *ti = (table_impl *)(uintptr_t)t;
    __atomic_add_fetch(&ti->refs, 1, __ATOMIC_RELAXED);
}

static toll_status index_rehash(const toll_allocator *a, dict_index *x,
                                size_t ndict, size_t ncap)
{
    uint32_t *s = toll__calloc(a, ncap, sizeof *s);
    if (!s)
        return TOLL_ENOMEM;
    size_t mask = ncap - 1;
    for (size_t k = 0; k < ndict; k++) {
        size_t i = x->ent[k].hash & mask;
        while (s[i])
            i = (i + 1) & mask;
        s[i] = (uint32_t)k + 1;
    }
    toll__free(a, x->slots, x->cap * sizeof *x->slots);
    x->slots = s;
    x->cap = ncap;
    return TOLL_OK;
}

toll_status toll__table_put_str(toll_table *t, size_t j, size_t i,
                                const char *s, size_t len)
{
    if (!len)
        return TOLL_OK;
    uint32_t code;
    toll_status st = toll__table_dict_add(t, j, s, len, &code);
    if (!st)
        ((uint32_t *)t->cols[j].data)[i] = code;
    return st;
}

toll_status toll__table_dict_add(toll_table *t, size_t j, const char *s,
                                 size_t len, uint32_t *code)
{
    if (!t || j >= t->ncols || t->cols[j].type != TOLL_COL_STRING ||
        !t->cols[j].data || (!s && len))
        return TOLL_EINVAL;
    if (!s)
        s = "";
    toll__column *c = &t->cols[j];
    dict_index *x = &impl_of(t)->idx[j];
    const toll_allocator *a = &t->alloc;
    uint32_t h = hash_bytes(s, len);
    size_t slot = 0;
    if (x->cap) {
        size_t mask = x->cap - 1;
        for (slot = h & mask; x->slots[slot]; slot = (slot + 1) & mask) {
            uint32_t k = x->slots[slot] - 1;
            if (x->ent[k].hash == h && x->ent[k].len == len &&
                memcmp(c->dict[k], s, len) == 0) {
                *code = k;
                return TOLL_OK;
            }
        }
    }
    if (c->ndict >= (size_t)UINT32_MAX - 1)
        return TOLL_ERANGE;
    /* Room first, so a failure leaves the dictionary unchanged. */
    if (toll__grow(a, (void **)&c->dict, &c->dict_cap, c->ndict + 1,
                   sizeof *c->dict))
        return TOLL_ENOMEM;
    if (toll__grow(a, (void **)&x->ent, &x->ent_cap, c->ndict + 1,
                   sizeof *x->ent))
        return TOLL_ENOMEM;
    if ((c->ndict + 1) * 2 > x->cap) {
        if (index_rehash(a, x, c->ndict, x->cap ? x->cap * 2 : 32))
            return TOLL_ENOMEM;
        size_t mask = x->cap - 1;
        for (slot = h & mask; x->slots[slot]; slot = (slot + 1) & mask)
            ;
    }
    char *d = toll__strndup(a, s, len);
    if (!d)
        return TOLL_ENOMEM;
    size_t k = c->ndict++;
    c->dict[k] = d;
    x->ent[k].hash = h;
    x->ent[k].len = len;
    x->slots[slot] = (uint32_t)k + 1;
    *code = (uint32_t)k;
    return TOLL_OK;
}

toll_status toll__table_set_caption(toll_table *t, const char *caption)
{
    if (!t)
        return TOLL_EINVAL;
    if (!caption)
        caption = "";
    char *d = toll__strndup(&t->alloc, caption, strlen(caption));
    if (!d)
        return TOLL_ENOMEM;
    toll__free(&t->alloc, t->caption, t->caption ? strlen(t->caption) + 1 : 0);
    t->caption = d;
    return TOLL_OK;
}

toll_status toll__table_set_by(toll_table *t, const char *by)
{
    if (!t)
        return TOLL_EINVAL;
    char *d = by ? toll__strndup(&t->alloc, by, strlen(by)) : NULL;
    if (by && !d)
        return TOLL_ENOMEM;
    toll__free(&t->alloc, t->by, t->by ? strlen(t->by) + 1 : 0);
    t->by = d;
    return TOLL_OK;
}

toll_status toll__table_add_warning(toll_table *t, const toll_error *w)
{
    table_impl *ti = impl_of(t);
    if (toll__grow(&t->alloc, (void **)&ti->warnings, &ti->warnings_cap,
                   ti->nwarnings + 1, sizeof *ti->warnings))
        return TOLL_ENOMEM;
    ti->warnings[ti->nwarnings++] = *w;
    return TOLL_OK;
}

/* ---- accessors ------------------------------------------------------------- */

size_t toll_table_warning_count(const toll_table *t)
{
    return t ? ((const table_impl *)t)->nwarnings : 0;
}

const toll_error *toll_table_warning(const toll_table *t, size_t i)
{
    const table_impl *ti = (const table_impl *)t;
    return (ti && i < ti->nwarnings) ? &ti->warnings[i] : NULL;
}

size_t toll_table_nrows(const toll_table *t) { return t ? t->nrows : 0; }
size_t toll_table_ncols(const toll_table *t) { return t ? t->ncols : 0; }
size_t toll_table_nkeys(const toll_table *t) { return t ? t->nkeys : 0; }
int toll_table_additive(const toll_table *t) { return t ? t->additive : 1; }

const char *toll_table_caption(const toll_table *t)
{
    return (t && t->caption) ? t->caption : "";
}

const char *toll_table_column_name(const toll_table *t, size_t j)
{
    return (t && j < t->ncols) ? t->cols[j].name : NULL;
}

toll_coltype toll_table_column_type(const toll_table *t, size_t j)
{
    return (t && j < t->ncols) ? t->cols[j].type : TOLL_COL_STRING;
}

toll_colkind toll_table_column_kind(const toll_table *t, size_t j)
{
    return (t && j < t->ncols) ? t->cols[j].kind : TOLL_KIND_PLAIN;
}

size_t toll_table_column_index(const toll_table *t, const char *name)
{
    if (!t || !name)
        return TOLL_NPOS;
    for (size_t j = 0; j < t->ncols; j++)
        if (t->cols[j].name && strcmp(t->cols[j].name, name) == 0)
            return j;
    return TOLL_NPOS;
}

const int64_t *toll_table_int64(const toll_table *t, size_t j)
{
    return (t && j < t->ncols && t->cols[j].type == TOLL_COL_INT64)
               ? (const int64_t *)t->cols[j].data
               : NULL;
}

const double *toll_table_double(const toll_table *t, size_t j)
{
    return (t && j < t->ncols && t->cols[j].type == TOLL_COL_DOUBLE)
               ? (const double *)t->cols[j].data
               : NULL;
}

const uint32_t *toll_table_codes(const toll_table *t, size_t j)
{
    return (t && j < t->ncols && t->cols[j].type == TOLL_COL_STRING)
               ? (const uint32_t *)t->cols[j].data
               : NULL;
}

const char *const *toll_table_dict(const toll_table *t, size_t j,
                                   size_t *n_out)
{
    if (!t || j >= t->ncols || t->cols[j].type != TOLL_COL_STRING) {
        if (n_out)
            *n_out = 0;
        return NULL;
    }
    if (n_out)
        *n_out = t->cols[j].ndict;
    return (const char *const *)t->cols[j].dict;
}

/* The string of row i of string column j, or NULL when missing. */
static const char *cell_str(const toll_table *t, size_t j, size_t i)
{
    const toll__column *c = &t->cols[j];
    if (c->type != TOLL_COL_STRING || !c->data || i >= t->nrows)
        return NULL;
    uint32_t code = ((const uint32_t *)c->data)[i];
    return code < c->ndict ? c->dict[code] : NULL;
}

const char *toll_table_string(const toll_table *t, size_t j, size_t i)
{
    if (!t || j >= t->ncols)
        return NULL;
    return cell_str(t, j, i);
}

#define FORMAT_QUOTE_MAX 64

toll_status toll_render_format_parse(const char *name,
                                     toll_render_format *out, toll_error *err)
{
    static const char accepted[] = "csv, json, md (markdown) or text";
    if (!out)
        return toll__err(err, TOLL_EINVAL,
                         "toll_render_format_parse: out is NULL");
    if (!name)
        return toll__err(err, TOLL_EINVAL,
                         "output format is NULL; expected %s", accepted);
    size_t n = strlen(name);
    if (toll__strncaseeq(name, n, "csv"))
        *out = TOLL_RENDER_CSV;
    else if (toll__strncaseeq(name, n, "json"))
        *out = TOLL_RENDER_JSON;
    else if (toll__strncaseeq(name, n, "md") ||
             toll__strncaseeq(name, n, "markdown"))
        *out = TOLL_RENDER_MARKDOWN;
    else if (toll__strncaseeq(name, n, "text"))
        *out = TOLL_RENDER_TEXT;
    else {
        int shown = n > FORMAT_QUOTE_MAX ? FORMAT_QUOTE_MAX : (int)n;
        return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, NULL, name, n,
                            "unknown output format \"%.*s%s\"; expected %s",
                            shown, name, n > FORMAT_QUOTE_MAX ? "..." : "",
                            accepted);
    }
    return TOLL_OK;
}

/* ---- output sink ----------------------------------------------------------- */

typedef struct sink {
    toll_write_fn fn;
    void *ctx;
    int failed;
    size_t n;
    char buf[4096];
} sink;

static void sink_flush(sink *s)
{
    if (!s->failed && s->n && s->fn(s->ctx, s->buf, s->n))
        s->failed = 1;
    s->n = 0;
}

static void put(sink *s, const char *p, size_t len)
{
    if (len <= sizeof s->buf - s->n) { /* the common case: room left */
        memcpy(s->buf + s->n, p, len);
        s->n += len;
        return;
    }
    while (len && !s->failed) {
        if (s->n == sizeof s->buf)
            sink_flush(s);
        size_t k = sizeof s->buf - s->n;
        if (k > len)
            k = len;
        memcpy(s->buf + s->n, p, k);
        s->n += k;
        p += k;
        len -= k;
    }
}

static void puts_(sink *s, const char *p) { put(s, p, strlen(p)); }

static void putc_(sink *s, char c) { put(s, &c, 1); }

static void put_repeat(sink *s, char c, size_t n)
{
    char run[64];
    memset(run, c, sizeof run);
    while (n) {
        size_t k = n < sizeof run ? n : sizeof run;
        put(s, run, k);
        n -= k;
    }
}

/* ---- number formatting ------------------------------------------------------ */

#define NUMBUF 512

/* Integral doubles without decimals; others with up to 2 decimals, trailing
 * zeros trimmed.  Non-finite values other than NaN print as inf / -inf;
 * NaN gives "" (callers print it as missing).  The text is what
 * snprintf "%.0f" / "%.2f" gives (src/render/numfmt.c formats it exactly without
 * printf where it can).  Returns the length. */
static size_t fmt_double(char *buf, double v)
{
    if (isnan(v)) {
        buf[0] = '\0';
        return 0;
    }
    if (isinf(v)) {
        strcpy(buf, v < 0 ? "-inf" : "inf");
        return v < 0 ? 4 : 3;
    }
    /* integral and within int64: its digits ("%.0f"; no "-0") */
    if (v > -0x1p63 && v < 0x1p63 && (double)(int64_t)v == v)
        return toll__fmt_i64(buf, (int64_t)v);
    if (v == floor(v))
        return toll__fmt_fixed(buf, NUMBUF, v, 0);
    size_t n = toll__fmt_fixed(buf, NUMBUF, v, 2);
    /* non-integral, so |v| < 2^52 and "%.2f" has a point: trim zeros */
    char *dot = memchr(buf, '.', n);
    if (dot) {
        char *e = buf + n;
        while (e > dot + 1 && e[-1] == '0')
            *--e = '\0';
        if (e == dot + 1)
            *--e = '\0';
        n = (size_t)(e - buf);
    }
    if (n == 2 && buf[0] == '-' && buf[1] == '0') {
        buf[0] = '0';
        buf[1] = '\0';
        n = 1;
    }
    return n;
}

static size_t fmt_int(char *buf, int64_t v) { return toll__fmt_i64(buf, v); }

/* Insert thousands separators into the integer part of a formatted number
 * (in place; buf has NUMBUF bytes). */
static void add_separators(char *buf)
{
    char tmp[NUMBUF];
    const char *p = buf;
    size_t o = 0;
    if (*p == '-')
        tmp[o++] = *p++;
    size_t digits = 0;
    while (p[digits] >= '0' && p[digits] <= '9')
        digits++;
    for (size_t i = 0; i < digits && o < NUMBUF - 2; i++) {
        if (i && (digits - i) % 3 == 0)
            tmp[o++] = ',';
        tmp[o++] = p[i];
    }
    p += digits;
    while (*p && o < NUMBUF - 1)
        tmp[o++] = *p++;
    tmp[o] = '\0';
    memcpy(buf, tmp, o + 1);
}

/* For Markdown/text summaries: rounded to one decimal; integral results
 * without decimals; thousands separators. */
static void fmt_pretty_double(char *buf, double v)
{
    if (isnan(v)) {
        buf[0] = '\0';
        return;
    }
    if (isinf(v)) {
        strcpy(buf, v < 0 ? "-inf" : "inf");
        return;
    }
    double r = round(v * 10.0) / 10.0;
    if (!isfinite(r))
        r = v;
    if (r == 0)
        r = 0; /* no "-0" */
    if (r > -0x1p63 && r < 0x1p63 && (double)(int64_t)r == r)
        toll__fmt_i64(buf, (int64_t)r);
    else
        toll__fmt_fixed(buf, NUMBUF, r, r == floor(r) ? 0 : 1);
    add_separators(buf);
}

static void fmt_pretty_int(char *buf, int64_t v)
{
    fmt_int(buf, v);
    add_separators(buf);
}

/* One cell as the text renderer writes a summary cell (the bindings'
 * displays use it). */
size_t toll_table_cell_text(const toll_table *t, size_t j, size_t i,
                            char *buf, size_t size)
{
    char num[NUMBUF];
    const char *s = "";
    if (t && j < t->ncols && i < t->nrows) {
        const toll__column *c = &t->cols[j];
        if (c->type == TOLL_COL_STRING) {
            s = cell_str(t, j, i);
            if (!s)
                s = "";
        } else if (c->type == TOLL_COL_INT64) {
            fmt_pretty_int(num, ((const int64_t *)c->data)[i]);
            s = num;
        } else {
            fmt_pretty_double(num, ((const double *)c->data)[i]);
            s = num;
        }
    }
    size_t n = strlen(s);
    if (buf && size) {
        size_t k = n < size - 1 ? n : size - 1;
        memcpy(buf, s, k);
        buf[k] = '\0';
    }
    return n;
}

/* ---- totals ------------------------------------------------------------------ */

/* Sums of every numeric column (NaN skipped; NaN when every value is NaN
 * and there is at least one row).  Columns marked no_total (quantiles)
 * get NaN, shown as empty/null: their rows do not add up. */
typedef struct totals {
    int64_t *i;
    double *d;
} totals;

static toll_status totals_compute(const toll_table *t, totals *tot)
{
    size_t n = t->ncols ? t->ncols : 1;
    tot->i = toll__calloc(&t->alloc, n, sizeof *tot->i);
    tot->d = toll__calloc(&t->alloc, n, sizeof *tot->d);
    if (!tot->i || !tot->d)
        return TOLL_ENOMEM;
    for (size_t j = 0; j < t->ncols; j++) {
        const toll__column *c = &t->cols[j];
        if (c->type == TOLL_COL_STRING) {
            continue;
        } else if (!toll__column_adds_up(c)) {
            tot->d[j] = NAN;
        } else if (c->type == TOLL_COL_INT64) {
            uint64_t s = 0; /* wraps instead of overflowing */
            const int64_t *v = c->data;
            for (size_t r = 0; r < t->nrows; r++)
                s += (uint64_t)v[r];
            tot->i[j] = (int64_t)s;
        } else if (c->type == TOLL_COL_DOUBLE) {
            const double *v = c->data;
            double s = 0;
            size_t known = 0;
            for (size_t r = 0; r < t->nrows; r++)
                if (!isnan(v[r])) {
                    s += v[r];
                    known++;
                }
            tot->d[j] = (t->nrows && !known) ? NAN : s;
        }
    }
    return TOLL_OK;
}

static void totals_free(const toll_table *t, totals *tot)
{
    size_t n = t->ncols ? t->ncols : 1;
    toll__free(&t->alloc, tot->i, n * sizeof *tot->i);
    toll__free(&t->alloc, tot->d, n * sizeof *tot->d);
    tot->i = NULL;
    tot->d = NULL;
}

/* The string of a cell of the totals row: "Total" in column 0 when it is a
 * string column, NULL (missing) in other string columns. */
static const char *totals_str(size_t j) { return j == 0 ? "Total" : NULL; }

/* ---- CSV ------------------------------------------------------------------- */

static void csv_field(sink *s, const char *v)
{
    if (!v)
        return;
    size_t k = strcspn(v, ",\"\r\n"); /* the length, or the first special */
    if (!v[k]) {
        put(s, v, k);
        return;
    }
    putc_(s, '"');
    for (const char *p = v; *p; p++) {
        if (*p == '"')
            putc_(s, '"');
        putc_(s, *p);
    }
    putc_(s, '"');
}

/* Where a number of up to NUMBUF bytes can be formatted in place. */
static char *num_room(sink *s)
{
    if (sizeof s->buf - s->n < NUMBUF)
        sink_flush(s);
    return s->buf + s->n;
}

static void csv_row(sink *s, const toll_table *t, size_t r,
                    const totals *tot)
{
    for (size_t j = 0; j < t->ncols && !s->failed; j++) {
        if (j)
            putc_(s, ',');
        const toll__column *c = &t->cols[j];
        switch (c->type) {
        case TOLL_COL_STRING:
            csv_field(s, tot ? totals_str(j) : cell_str(t, j, r));
            break;
        case TOLL_COL_INT64:
            s->n += fmt_int(num_room(s), tot ? tot->i[j]
                                             : ((const int64_t *)c->data)[r]);
            break;
        case TOLL_COL_DOUBLE:
            s->n += fmt_double(num_room(s),
                               tot ? tot->d[j] : ((const double *)c->data)[r]);
            break;
        }
    }
    putc_(s, '\n');
}

static void render_csv(sink *s, const toll_table *t, const totals *tot)
{
    for (size_t j = 0; j < t->ncols; j++) {
        if (j)
            putc_(s, ',');
        csv_field(s, t->cols[j].name ? t->cols[j].name : "");
    }
    putc_(s, '\n');
    for (size_t r = 0; r < t->nrows && !s->failed; r++)
        csv_row(s, t, r, NULL);
    if (tot)
        csv_row(s, t, 0, tot);
}

/* ---- JSON ------------------------------------------------------------------ */

/* Length of the valid UTF-8 sequence at p (1-4), or 0 if invalid. */
static size_t utf8_seq(const unsigned char *p)
{
    unsigned char c = p[0];
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        return (p[1] & 0xC0) == 0x80 ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if ((p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80)
            return 0;
        if (c == 0xE0 && p[1] < 0xA0)
            return 0; /* overlong */
        if (c == 0xED && p[1] >= 0xA0)
            return 0; /* surrogate */
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if ((p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 ||
            (p[3] & 0xC0) != 0x80)
            return 0;
        if (c == 0xF0 && p[1] < 0x90)
            return 0;
        if (c == 0xF4 && p[1] >= 0x90)
            return 0;
        return 4;
    }
    return 0;
}

/* A JSON string: quotes, backslashes and control characters escaped;
 * valid UTF-8 passed through; invalid bytes replaced by U+FFFD. */
static void json_string(sink *s, const char *v)
{
    putc_(s, '"');
    const unsigned char *p = (const unsigned char *)v;
    while (*p && !s->failed) {
        unsigned char c = *p;
        if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
            /* a run of plain ASCII goes out as it is */
            const unsigned char *e = p + 1;
            while (*e >= 0x20 && *e < 0x80 && *e != '"' && *e != '\\')
                e++;
            put(s, (const char *)p, (size_t)(e - p));
            p = e;
        } else if (c == '"' || c == '\\') {
            putc_(s, '\\');
            putc_(s, (char)c);
            p++;
        } else if (c < 0x20) {
            char e[8];
            switch (c) {
            case '\b': strcpy(e, "\\b"); break;
            case '\f': strcpy(e, "\\f"); break;
            case '\n': strcpy(e, "\\n"); break;
            case '\r': strcpy(e, "\\r"); break;
            case '\t': strcpy(e, "\\t"); break;
            default: snprintf(e, sizeof e, "\\u%04x", c); break;
            }
            puts_(s, e);
            p++;
        } else {
            size_t k = utf8_seq(p);
            if (k == 0) {
                puts_(s, "\xEF\xBF\xBD");
                p++;
            } else {
                put(s, (const char *)p, k);
                p += k;
            }
        }
    }
    putc_(s, '"');
}

static void json_row(sink *s, const toll_table *t, size_t r,
                     const totals *tot)
{
    char num[NUMBUF];
    puts_(s, "  {");
    for (size_t j = 0; j < t->ncols && !s->failed; j++) {
        const toll__column *c = &t->cols[j];
        if (j)
            puts_(s, ", ");
        json_string(s, c->name ? c->name : "");
        puts_(s, ": ");
        switch (c->type) {
        case TOLL_COL_STRING: {
            const char *v = tot ? totals_str(j) : cell_str(t, j, r);
            if (v)
                json_string(s, v);
            else
                puts_(s, "null");
            break;
        }
        case TOLL_COL_INT64:
            put(s, num,
                fmt_int(num, tot ? tot->i[j] : ((const int64_t *)c->data)[r]));
            break;
        case TOLL_COL_DOUBLE: {
            double v = tot ? tot->d[j] : ((const double *)c->data)[r];
            if (!isfinite(v)) {
                puts_(s, "null");
            } else {
                put(s, num, fmt_double(num, v));
            }
            break;
        }
        }
    }
    putc_(s, '}');
}

static void render_json(sink *s, const toll_table *t, const totals *tot)
{
    size_t n = t->nrows + (tot ? 1 : 0);
    if (n == 0) {
        puts_(s, "[]\n");
        return;
    }
    puts_(s, "[\n");
    for (size_t r = 0; r < t->nrows && !s->failed; r++) {
        json_row(s, t, r, NULL);
        puts_(s, r + 1 < n ? ",\n" : "\n");
    }
    if (tot) {
        json_row(s, t, 0, tot);
        putc_(s, '\n');
    }
    puts_(s, "]\n");
}

/* ---- Markdown and text ---------------------------------------------------- */

enum view_kind { V_STRING, V_INT, V_DOUBLE, V_RANGE };

/* One output column of a Markdown/text rendering. */
typedef struct view {
    enum view_kind kind;
    size_t j, j2;     /* source column(s); j2 = high for ranges */
    const char *head;
    int right;        /* right-aligned (numeric) */
    size_t width;     /* display width */
} view;

static const char NON_ADDITIVE_NOTE[] =
    "Note: attribution 'each' counts an incident once for every actor it "
    "names; rows do not add up.";

static view view_of_column(const toll_table *t, size_t j)
{
    view v;
    memset(&v, 0, sizeof v);
    v.j = v.j2 = j;
    v.head = t->cols[j].name ? t->cols[j].name : "";
    switch (t->cols[j].type) {
    case TOLL_COL_INT64:
        v.kind = V_INT;
        v.right = 1;
        break;
    case TOLL_COL_DOUBLE:
        v.kind = V_DOUBLE;
        v.right = 1;
        break;
    default:
        v.kind = V_STRING;
        break;
    }
    return v;
}

/* Choose the output columns.  *nv receives the count (<= ncols). */
static void choose_views(const toll_table *t, view *vs, size_t *nv)
{
    size_t n = 0;
    if (!t->is_summary) {
        for (size_t j = 0; j < t->ncols; j++)
            vs[n++] = view_of_column(t, j);
        *nv = n;
        return;
    }
    size_t nkeys = t->nkeys <= t->ncols ? t->nkeys : t->ncols;
    for (size_t j = 0; j < nkeys; j++)
        vs[n++] = view_of_column(t, j);
    static const char *const order[] = {"incidents", "reports", "range",
                                        "best",      "open",    "denied",
                                        "contested"};
    size_t lo = toll_table_column_index(t, "low");
    size_t hi = toll_table_column_index(t, "high");
    int have_range = lo != TOLL_NPOS && hi != TOLL_NPOS && lo >= nkeys &&
                     hi >= nkeys && t->cols[lo].type != TOLL_COL_STRING &&
                     t->cols[hi].type != TOLL_COL_STRING;
    for (size_t k = 0; k < sizeof order / sizeof *order; k++) {
        if (strcmp(order[k], "range") == 0) {
            if (have_range) {
                view v;
                memset(&v, 0, sizeof v);
                v.kind = V_RANGE;
                v.j = lo;
                v.j2 = hi;
                v.head = "range";
                v.right = 1;
                vs[n++] = v;
            }
            continue;
        }
        size_t j = toll_table_column_index(t, order[k]);
        if (j != TOLL_NPOS && j >= nkeys)
            vs[n++] = view_of_column(t, j);
    }
    /* Any other measure columns, plainly, in table order. */
    for (size_t j = nkeys; j < t->ncols; j++) {
        int seen = 0;
        for (size_t k = 0; k < n && !seen; k++)
            seen = (vs[k].kind != V_RANGE && vs[k].j == j) ||
                   (vs[k].kind == V_RANGE && (vs[k].j == j || vs[k].j2 == j));
        if (!seen)
            vs[n++] = view_of_column(t, j);
    }
    *nv = n;
}

static double num_at(const toll_table *t, size_t j, size_t r,
                     const totals *tot)
{
    const toll__column *c = &t->cols[j];
    if (c->type == TOLL_COL_INT64)
        return (double)(tot ? tot->i[j] : ((const int64_t *)c->data)[r]);
    return tot ? tot->d[j] : ((const double *)c->data)[r];
}

/* Format one cell into cells (appending); pretty = summary formatting. */
static toll_status format_cell(toll__buf *cells, const toll_table *t,
                               const view *v, size_t r, const totals *tot,
                               int pretty, int markdown)
{
    char a[NUMBUF], b[NUMBUF];
    const toll__column *c = &t->cols[v->j];
    switch (v->kind) {
    case V_STRING: {
        const char *s = tot ? totals_str(v->j) : cell_str(t, v->j, r);
        if (!s)
            return TOLL_OK;
        for (const char *p = s; *p;) {
            /* a run of plain characters at once */
            const char *e = p;
            while ((unsigned char)*e >= 0x20 && !(markdown && *e == '|'))
                e++;
            toll_status st = TOLL_OK;
            if (e > p)
                st = toll__buf_append(cells, p, (size_t)(e - p));
            p = e;
            if (!st && *p) {
                if ((unsigned char)*p < 0x20)
                    st = toll__buf_putc(cells, ' ');
                else
                    st = toll__buf_append(cells, "\\|", 2);
                p++;
            }
            if (st)
                return st;
        }
        return TOLL_OK;
    }
    case V_INT: {
        int64_t x = tot ? tot->i[v->j] : ((const int64_t *)c->data)[r];
        if (pretty)
            fmt_pretty_int(a, x);
        else
            fmt_int(a, x);
        return toll__buf_append(cells, a, strlen(a));
    }
    case V_DOUBLE: {
        double x = tot ? tot->d[v->j] : ((const double *)c->data)[r];
        if (pretty)
            fmt_pretty_double(a, x);
        else
            fmt_double(a, x);
        return toll__buf_append(cells, a, strlen(a));
    }
    case V_RANGE: {
        double lo = num_at(t, v->j, r, tot), hi = num_at(t, v->j2, r, tot);
        fmt_pretty_double(a, lo);
        fmt_pretty_double(b, hi);
        if (isnan(lo) || isnan(hi) || strcmp(a, b) == 0)
            return toll__buf_append(cells, isnan(lo) ? b : a,
                                    strlen(isnan(lo) ? b : a));
        toll_status st = toll__buf_append(cells, a, strlen(a));
        if (!st)
            st = toll__buf_append(cells, "\xE2\x80\x93", 3); /* EN DASH */
        if (!st)
            st = toll__buf_append(cells, b, strlen(b));
        return st;
    }
    }
    return TOLL_OK;
}

/* Display width: UTF-8 code points. */
static size_t display_width(const char *s, size_t len)
{
    size_t w = 0;
    for (size_t i = 0; i < len; i++)
        if (((unsigned char)s[i] & 0xC0) != 0x80)
            w++;
    return w;
}

static void put_padded(sink *s, const char *p, size_t len, size_t width,
                       int right, int last)
{
    size_t w = display_width(p, len);
    size_t pad = width > w ? width - w : 0;
    if (last && len == 0)
        return; /* no trailing blanks */
    if (right)
        put_repeat(s, ' ', pad);
    put(s, p, len);
    if (!right && !last)
        put_repeat(s, ' ', pad);
}

static toll_status render_grid(sink *s, const toll_table *t, int markdown,
                               toll_error *err)
{
    toll_status st = TOLL_OK;
    const toll_allocator *a = &t->alloc;
    view *vs = NULL;
    size_t *off = NULL, nv = 0, noff = 0;
    toll__buf cells;
    totals tot = {NULL, NULL};
    toll__buf_init(&cells, a);

    int summary = t->is_summary != 0;
    /* A totals row needs a key column to carry its label. */
    int with_totals = summary && t->nkeys > 0;
    size_t nlines = t->nrows + 1 + (with_totals ? 1 : 0);

    vs = toll__calloc(a, t->ncols ? t->ncols : 1, sizeof *vs);
    if (!vs)
        goto nomem;
    choose_views(t, vs, &nv);
    if (with_totals && totals_compute(t, &tot))
        goto nomem;
    if (nv && nlines > (SIZE_MAX / sizeof *off - 1) / nv)
        goto nomem;
    noff = nlines * nv + 1;
    off = toll__alloc(a, noff * sizeof *off);
    if (!off)
        goto nomem;

    /* Cell texts, row-major, header first. */
    size_t k = 0;
    for (size_t line = 0; line < nlines; line++) {
        for (size_t c = 0; c < nv; c++) {
            off[k++] = cells.len;
            if (line == 0)
                st = toll__buf_append(&cells, vs[c].head, strlen(vs[c].head));
            else if (line - 1 < t->nrows)
                st = format_cell(&cells, t, &vs[c], line - 1, NULL, summary,
                                 markdown);
            else
                st = format_cell(&cells, t, &vs[c], 0, &tot, summary,
                                 markdown);
            if (st)
                goto nomem;
        }
    }
    off[k] = cells.len;
    for (size_t c = 0; c < nv; c++) {
        size_t w = markdown ? 3 : 0;
        for (size_t line = 0; line < nlines; line++) {
            size_t i = line * nv + c;
            size_t cw = display_width(cells.data + off[i], off[i + 1] - off[i]);
            if (cw > w)
                w = cw;
        }
        vs[c].width = w;
    }

    if (t->caption && t->caption[0]) {
        puts_(s, t->caption);
        puts_(s, markdown ? "\n\n" : "\n");
    }
    for (size_t line = 0; line < nlines && !s->failed; line++) {
        /* Text: no trailing blanks - stop after the last non-empty cell. */
        size_t end = nv;
        if (!markdown)
            while (end > 1 && off[line * nv + end] == off[line * nv + end - 1])
                end--;
        if (markdown)
            puts_(s, "|");
        for (size_t c = 0; c < end; c++) {
            size_t i = line * nv + c;
            if (markdown)
                putc_(s, ' ');
            else if (c)
                puts_(s, "  ");
            put_padded(s, cells.data + off[i], off[i + 1] - off[i],
                       vs[c].width, vs[c].right, !markdown && c + 1 == end);
            if (markdown)
                puts_(s, " |");
        }
        putc_(s, '\n');
        if (line == 0) {
            /* Header rule. */
            if (markdown)
                putc_(s, '|');
            for (size_t c = 0; c < nv; c++) {
                if (markdown) {
                    putc_(s, ' ');
                    put_repeat(s, '-', vs[c].width - (vs[c].right ? 1 : 0));
                    if (vs[c].right)
                        putc_(s, ':');
                    puts_(s, " |");
                } else {
                    if (c)
                        puts_(s, "  ");
                    put_repeat(s, '-', vs[c].width);
                }
            }
            putc_(s, '\n');
        }
    }
    if (!t->additive) {
        if (markdown) {
            puts_(s, "\n*");
            puts_(s, NON_ADDITIVE_NOTE);
            puts_(s, "*\n");
        } else {
            puts_(s, NON_ADDITIVE_NOTE);
            putc_(s, '\n');
        }
    }
    goto cleanup;
nomem:
    st = toll__nomem(err);
cleanup:
    if (with_totals)
        totals_free(t, &tot);
    toll__free(a, off, noff * sizeof *off);
    toll__free(a, vs, (t->ncols ? t->ncols : 1) * sizeof *vs);
    toll__buf_free(&cells);
    return st;
}

/* ---- entry points ------------------------------------------------------------ */

toll_status toll_table_render(const toll_table *t, toll_render_format format,
                              int totals_row, toll_write_fn write, void *ctx,
                              toll_error *err)
{
    if (!t || !write)
        return toll__err(err, TOLL_EINVAL,
                         "toll_table_render: table or write function is NULL");
    if (format != TOLL_RENDER_CSV && format != TOLL_RENDER_JSON &&
        format != TOLL_RENDER_MARKDOWN && format != TOLL_RENDER_TEXT)
        return toll__err(err, TOLL_EINVAL,
                         "toll_table_render: unknown format %d", (int)format);
    toll_status st = TOLL_OK;
    totals tot = {NULL, NULL};
    int have_tot = 0;
    sink *s = toll__alloc(&t->alloc, sizeof *s);
    if (!s)
        return toll__nomem(err);
    s->fn = write;
    s->ctx = ctx;
    s->failed = 0;
    s->n = 0;
    if (format == TOLL_RENDER_CSV || format == TOLL_RENDER_JSON) {
        if (totals_row) {
            have_tot = 1;
            if (totals_compute(t, &tot)) {
                st = toll__nomem(err);
                goto cleanup;
            }
        }
        if (format == TOLL_RENDER_CSV)
            render_csv(s, t, have_tot ? &tot : NULL);
        else
            render_json(s, t, have_tot ? &tot : NULL);
    } else {
        st = render_grid(s, t, format == TOLL_RENDER_MARKDOWN, err);
        if (st)
            goto cleanup;
    }
    sink_flush(s);
    if (s->failed)
        st = toll__err(err, TOLL_EIO, "cannot write the rendered table: "
                                      "the write callback failed");
cleanup:
    if (have_tot)
        totals_free(t, &tot);
    toll__free(&t->alloc, s, sizeof *s);
    return st;
}

typedef struct string_sink {
    toll__buf buf;
    int nomem;
} string_sink;

static int string_write(void *ctx, const char *data, size_t len)
{
    string_sink *ss = ctx;
    if (toll__buf_append(&ss->buf, data, len)) {
        ss->nomem = 1;
        return 1;
    }
    return 0;
}

toll_status toll_table_render_string(const toll_table *t,
                                     toll_render_format format, int totals_row,
                                     char **out, size_t *len, toll_error *err)
{
    if (out)
        *out = NULL;
    if (len)
        *len = 0;
    if (!t || !out)
        return toll__err(err, TOLL_EINVAL,
                         "toll_table_render_string: table or out is NULL");
    string_sink ss;
    toll__buf_init(&ss.buf, &t->alloc);
    ss.nomem = 0;
    toll_status st = toll_table_render(t, format, totals_row, string_write,
                                       &ss, err);
    if (st == TOLL_EIO && ss.nomem)
        st = toll__nomem(err);
    if (!st && !ss.buf.data && toll__buf_append(&ss.buf, "", 0))
        st = toll__nomem(err);
    if (st) {
        toll__buf_free(&ss.buf);
        return st;
    }
    *out = ss.buf.data;
    if (len)
        *len = ss.buf.len;
    return TOLL_OK;
}

void toll_table_buffer_free(const toll_table *t, char *buf)
{
    if (!buf)
        return;
    /* The block's size is not known here: 0 ("unknown") per the allocator
     * contract. */
    toll__free(t ? &t->alloc : toll_default_allocator(), buf, 0);
}
