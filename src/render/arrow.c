/*
 * src/render/arrow.c - tables as Arrow C Data / C Stream Interface structs
 * (toll/arrow.h).
 *
 * A table becomes one record batch: a struct array ("+s") with a child per
 * column.  The mapping (docs/arrow.md):
 *   STRING           dictionary: int32 indices ("i"), utf8 dictionary ("u")
 *                    copied from the column's dictionary; TOLL_NULL_CODE is
 *                    null
 *   STRING, DATE     date32 ("tdD"), parsed from the dictionary once per
 *                    entry
 *   INT64            int64 ("l") over the table's buffer, no copy
 *   INT64, FLAG      boolean ("b"), bit-packed
 *   DOUBLE           float64 ("g") over the table's buffer, no copy; a NaN
 *                    is also null (a validity bitmap beside the buffer)
 *   DOUBLE, COUNT    int64 ("l"), copied; NaN (and an infinity) is null
 * Field names are the columns' (a repeated name gets a suffix, see
 * column_schema).  The stream, and every exported array that points into
 * the table, holds a reference to the table (toll__table_retain), so it
 * may be released after the caller has freed the table.  Everything else an export allocates
 * comes from the table's allocator and is freed by the release callbacks.
 */
#include "render/render.h"

#include "toll/arrow.h"
#include "toll/date.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>

/* ---- private data of an exported array ---------------------------------- */

typedef struct arr_priv {
    toll_allocator alloc;
    toll_table *table;      /* a reference, or NULL */
    const void *buffers[3];
    void *owned[3];         /* buffers allocated here, owned_size bytes */
    size_t owned_size[3];
    struct ArrowArray **children; /* n_children separately allocated */
    size_t nchildren;
} arr_priv;

static void array_release(struct ArrowArray *a)
{
    if (!a || !a->release)
        return;
    arr_priv *p = a->private_data;
    toll_allocator al = p->alloc;
    for (size_t k = 0; k < p->nchildren; k++) {
        struct ArrowArray *c = p->children[k];
        if (c && c->release)
            c->release(c);
        toll__free(&al, c, sizeof *c);
    }
    toll__free(&al, p->children, p->nchildren * sizeof *p->children);
    if (a->dictionary) {
        if (a->dictionary->release)
            a->dictionary->release(a->dictionary);
        toll__free(&al, a->dictionary, sizeof *a->dictionary);
    }
    for (int b = 0; b < 3; b++)
        if (p->owned[b])
            toll__free(&al, p->owned[b], p->owned_size[b]);
    toll_table_free(p->table); /* drops the reference */
    toll__free(&al, p, sizeof *p);
    a->release = NULL;
    a->private_data = NULL;
}

/* Start array *a of `length` rows and `nbuf` buffers; `t` (may be NULL)
 * gets a reference held until the release. */
static toll_status array_begin(struct ArrowArray *a, const toll_allocator *al,
                               const toll_table *t, int64_t length, int nbuf)
{
    memset(a, 0, sizeof *a);
    arr_priv *p = toll__calloc(al, 1, sizeof *p);
    if (!p)
        return TOLL_ENOMEM;
    p->alloc = *al;
    if (t) {
        toll__table_retain(t);
        p->table = (toll_table *)(uintptr_t)t;
    }
    a->length = length;
    a->n_buffers = nbuf;
    a->buffers = p->buffers;
    a->private_data = p;
    a->release = array_release;
    return TOLL_OK;
}

/* A buffer of `size` bytes (at least 1) owned by array a as buffer b. */
static void *array_own(struct ArrowArray *a, int b, size_t size, int zero)
{
    arr_priv *p = a->private_data;
    size_t n = size ? size : 1;
    void *m = zero ? toll__calloc(&p->alloc, 1, n) : toll__alloc(&p->alloc, n);
    if (!m)
        return NULL;
    p->owned[b] = m;
    p->owned_size[b] = n;
    p->buffers[b] = m;
    return m;
}

static void bit_set(uint8_t *bits, size_t i)
{
    bits[i >> 3] |= (uint8_t)(1u << (i & 7));
}

/* ---- columns ------------------------------------------------------------ */

/* The utf8 dictionary of string column j. */
static toll_status dict_array(const toll_table *t, size_t j,
                              struct ArrowArray *d)
{
    const toll__column *c = &t->cols[j];
    size_t total = 0;
    for (size_t k = 0; k < c->ndict; k++)
        total += toll__table_dict_len(t, j, k);
    if (total > INT32_MAX || c->ndict > INT32_MAX)
        return TOLL_ERANGE; /* beyond utf8 offsets or int32 indices */
    toll_status st = array_begin(d, &t->alloc, NULL, (int64_t)c->ndict, 3);
    if (st)
        return st;
    int32_t *off = array_own(d, 1, (c->ndict + 1) * sizeof *off, 0);
    char *data = off ? array_own(d, 2, total, 0) : NULL;
    if (!data)
        return TOLL_ENOMEM;
    size_t at = 0;
    for (size_t k = 0; k < c->ndict; k++) {
        size_t len = toll__table_dict_len(t, j, k);
        off[k] = (int32_t)at;
        memcpy(data + at, c->dict[k], len);
        at += len;
    }
    off[c->ndict] = (int32_t)at;
    return TOLL_OK;
}

static toll_status string_array(const toll_table *t, size_t j,
                                struct ArrowArray *a)
{
    size_t n = t->nrows;
    const uint32_t *codes = t->cols[j].data;
    uint8_t *valid = array_own(a, 0, (n + 7) / 8, 1);
    int32_t *idx = valid ? array_own(a, 1, n * sizeof *idx, 0) : NULL;
    if (!idx)
        return TOLL_ENOMEM;
    int64_t nulls = 0;
    for (size_t i = 0; i < n; i++) {
        if (codes[i] == TOLL_NULL_CODE) {
            idx[i] = 0;
            nulls++;
        } else {
            idx[i] = (int32_t)codes[i];
            bit_set(valid, i);
        }
    }
    a->null_count = nulls;
    a->dictionary = toll__calloc(&t->alloc, 1, sizeof *a->dictionary);
    if (!a->dictionary)
        return TOLL_ENOMEM;
    return dict_array(t, j, a->dictionary);
}

static toll_status date_array(const toll_table *t, size_t j,
                              struct ArrowArray *a)
{
    const toll__column *c = &t->cols[j];
    size_t n = t->nrows;
    const uint32_t *codes = c->data;
    int32_t *day = toll__alloc(&t->alloc,
                               (c->ndict ? c->ndict : 1) * sizeof *day);
    if (!day)
        return TOLL_ENOMEM;
    for (size_t k = 0; k < c->ndict; k++) {
        int32_t first, last;
        if (toll_date_parse(c->dict[k], toll__table_dict_len(t, j, k), &first,
                            &last, NULL) ||
            first != last)
            first = TOLL_NO_DATE; /* not one calendar day: null */
        day[k] = first;
    }
    uint8_t *valid = array_own(a, 0, (n + 7) / 8, 1);
    int32_t *out = valid ? array_own(a, 1, n * sizeof *out, 0) : NULL;
    if (!out) {
        toll__free(&t->alloc, day, (c->ndict ? c->ndict : 1) * sizeof *day);
        return TOLL_ENOMEM;
    }
    int64_t nulls = 0;
    for (size_t i = 0; i < n; i++) {
        int32_t d = codes[i] < c->ndict ? day[codes[i]] : TOLL_NO_DATE;
        if (d == TOLL_NO_DATE) {
            out[i] = 0;
            nulls++;
        } else {
            out[i] = d;
            bit_set(valid, i);
        }
    }
    a->null_count = nulls;
    toll__free(&t->alloc, day, (c->ndict ? c->ndict : 1) * sizeof *day);
    return TOLL_OK;
}

static toll_status flag_array(const toll_table *t, size_t j,
                              struct ArrowArray *a)
{
    size_t n = t->nrows;
    const int64_t *v = t->cols[j].data;
    uint8_t *bits = array_own(a, 1, (n + 7) / 8, 1);
    if (!bits)
        return TOLL_ENOMEM;
    for (size_t i = 0; i < n; i++)
        if (v[i])
            bit_set(bits, i);
    return TOLL_OK;
}

/* DOUBLE of kind COUNT: int64 with NaN (and infinities) as nulls. */
static toll_status count_array(const toll_table *t, size_t j,
                               struct ArrowArray *a)
{
    size_t n = t->nrows;
    const double *v = t->cols[j].data;
    uint8_t *valid = array_own(a, 0, (n + 7) / 8, 1);
    int64_t *out = valid ? array_own(a, 1, n * sizeof *out, 0) : NULL;
    if (!out)
        return TOLL_ENOMEM;
    int64_t nulls = 0;
    for (size_t i = 0; i < n; i++) {
        if (isfinite(v[i]) && fabs(v[i]) < 9223372036854775808.0) {
            out[i] = (int64_t)v[i];
            bit_set(valid, i);
        } else {
            out[i] = 0;
            nulls++;
        }
    }
    a->null_count = nulls;
    return TOLL_OK;
}

/* DOUBLE: the table's buffer; a validity bitmap when some value is NaN. */
static toll_status double_array(const toll_table *t, size_t j,
                                struct ArrowArray *a)
{
    size_t n = t->nrows;
    const double *v = t->cols[j].data;
    arr_priv *p = a->private_data;
    p->buffers[1] = v;
    int64_t nulls = 0;
    for (size_t i = 0; i < n; i++)
        nulls += isnan(v[i]) != 0;
    if (nulls) {
        uint8_t *valid = array_own(a, 0, (n + 7) / 8, 1);
        if (!valid)
            return TOLL_ENOMEM;
        for (size_t i = 0; i < n; i++)
            if (!isnan(v[i]))
                bit_set(valid, i);
    }
    a->null_count = nulls;
    return TOLL_OK;
}

/* The Arrow format string of column j (toll/arrow.h). */
static const char *column_format(const toll__column *c)
{
    switch (c->type) {
    case TOLL_COL_STRING:
        return c->kind == TOLL_KIND_DATE ? "tdD" : "i";
    case TOLL_COL_INT64:
        return c->kind == TOLL_KIND_FLAG ? "b" : "l";
    default:
        return c->kind == TOLL_KIND_COUNT ? "l" : "g";
    }
}

static toll_status column_array(const toll_table *t, size_t j,
                                struct ArrowArray *a)
{
    const toll__column *c = &t->cols[j];
    toll_status st = array_begin(a, &t->alloc, t, (int64_t)t->nrows, 2);
    if (st)
        return st;
    switch (c->type) {
    case TOLL_COL_STRING:
        return c->kind == TOLL_KIND_DATE ? date_array(t, j, a)
                                         : string_array(t, j, a);
    case TOLL_COL_INT64:
        if (c->kind == TOLL_KIND_FLAG)
            return flag_array(t, j, a);
        ((arr_priv *)a->private_data)->buffers[1] = c->data; /* no copy */
        return TOLL_OK;
    default:
        return c->kind == TOLL_KIND_COUNT ? count_array(t, j, a)
                                          : double_array(t, j, a);
    }
}

static toll_status export_error(toll_status st, const toll_table *t,
                                size_t j, toll_error *err)
{
    if (st == TOLL_ENOMEM)
        return toll__nomem(err);
    if (st == TOLL_ERANGE)
        return toll__err(err, st,
                         "cannot export column %s to Arrow: its %zu "
                         "distinct strings exceed what int32 dictionary "
                         "indices and utf8 offsets reach (2^31 - 1 strings, "
                         "2 GiB)",
                         t->cols[j].name, t->cols[j].ndict);
    return toll__err(err, st, "cannot export the table to Arrow: %s",
                     toll_strerror(st));
}

toll_status toll_table_export_arrow_array(const toll_table *t,
                                          struct ArrowArray *out,
                                          toll_error *err)
{
    if (!out)
        return toll__err(err, TOLL_EINVAL,
                         "toll_table_export_arrow_array: out is NULL");
    out->release = NULL;
    if (!t)
        return toll__err(err, TOLL_EINVAL,
                         "toll_table_export_arrow_array: table is NULL");
    toll_status st = array_begin(out, &t->alloc, NULL, (int64_t)t->nrows, 1);
    if (st)
        return export_error(st, t, 0, err);
    arr_priv *p = out->private_data;
    size_t j = 0;
    if (t->ncols) {
        p->children = toll__calloc(&t->alloc, t->ncols, sizeof *p->children);
        if (!p->children) {
            st = TOLL_ENOMEM;
            goto fail;
        }
        p->nchildren = t->ncols;
    }
    out->children = p->children;
    out->n_children = (int64_t)t->ncols;
    for (j = 0; j < t->ncols; j++) {
        p->children[j] = toll__calloc(&t->alloc, 1, sizeof *p->children[j]);
        if (!p->children[j]) {
            st = TOLL_ENOMEM;
            goto fail;
        }
        if ((st = column_array(t, j, p->children[j])))
            goto fail;
    }
    return TOLL_OK;

fail:
    array_release(out);
    return export_error(st, t, j, err);
}

/* ---- schemas ------------------------------------------------------------ */

typedef struct schema_priv {
    toll_allocator alloc;
    char *name;                    /* owned copy, or NULL */
    struct ArrowSchema **children; /* nchildren separately allocated */
    size_t nchildren;
} schema_priv;

static void schema_release(struct ArrowSchema *s)
{
    if (!s || !s->release)
        return;
    schema_priv *p = s->private_data;
    toll_allocator al = p->alloc;
    for (size_t k = 0; k < p->nchildren; k++) {
        struct ArrowSchema *c = p->children[k];
        if (c && c->release)
            c->release(c);
        toll__free(&al, c, sizeof *c);
    }
    toll__free(&al, p->children, p->nchildren * sizeof *p->children);
    if (s->dictionary) {
        if (s->dictionary->release)
            s->dictionary->release(s->dictionary);
        toll__free(&al, s->dictionary, sizeof *s->dictionary);
    }
    toll__free(&al, p->name, p->name ? strlen(p->name) + 1 : 0);
    toll__free(&al, p, sizeof *p);
    s->release = NULL;
    s->private_data = NULL;
}

static toll_status schema_begin(struct ArrowSchema *s,
                                const toll_allocator *al, const char *format,
                                const char *name, int64_t flags)
{
    memset(s, 0, sizeof *s);
    schema_priv *p = toll__calloc(al, 1, sizeof *p);
    if (!p)
        return TOLL_ENOMEM;
    p->alloc = *al;
    s->private_data = p;
    s->release = schema_release;
    s->format = format;
    s->flags = flags;
    s->name = "";
    if (name) {
        p->name = toll__strndup(al, name, strlen(name));
        if (!p->name)
            return TOLL_ENOMEM;
        s->name = p->name;
    }
    return TOLL_OK;
}

/* Is `name` the field name of one of the first j children, or (others:
 * 1) the name of any column of t? */
static int name_taken(const toll_table *t, struct ArrowSchema *const *ch,
                      size_t j, const char *name, int others)
{
    for (size_t k = 0; k < j; k++)
        if (strcmp(ch[k]->name, name) == 0)
            return 1;
    for (size_t k = 0; others && k < t->ncols; k++)
        if (strcmp(t->cols[k].name, name) == 0)
            return 1;
    return 0;
}

/* The field of column j: named after the column, or, when an earlier
 * field already has that name (a kept field of a reports table named like
 * a fixed column, src/store/table.c), after it with the first free suffix
 * "_2", "_3", ... so that consumers that need unique names (polars) read
 * the table. */
static toll_status column_schema(const toll_table *t, size_t j,
                                 struct ArrowSchema *const *ch,
                                 struct ArrowSchema *s)
{
    const toll__column *c = &t->cols[j];
    const char *name = c->name;
    char *alt = NULL;
    size_t alt_size = strlen(c->name) + 24;
    if (name_taken(t, ch, j, name, 0)) {
        alt = toll__alloc(&t->alloc, alt_size);
        if (!alt)
            return TOLL_ENOMEM;
        for (size_t k = 2;; k++) {
            snprintf(alt, alt_size, "%s_%zu", c->name, k);
            if (!name_taken(t, ch, j, alt, 1))
                break;
        }
        name = alt;
    }
    toll_status st = schema_begin(s, &t->alloc, column_format(c), name,
                                  ARROW_FLAG_NULLABLE);
    toll__free(&t->alloc, alt, alt ? alt_size : 0);
    if (st || c->type != TOLL_COL_STRING || c->kind == TOLL_KIND_DATE)
        return st;
    s->dictionary = toll__calloc(&t->alloc, 1, sizeof *s->dictionary);
    if (!s->dictionary)
        return TOLL_ENOMEM;
    return schema_begin(s->dictionary, &t->alloc, "u", NULL, 0);
}

toll_status toll_table_export_arrow_schema(const toll_table *t,
                                           struct ArrowSchema *out,
                                           toll_error *err)
{
    if (!out)
        return toll__err(err, TOLL_EINVAL,
                         "toll_table_export_arrow_schema: out is NULL");
    out->release = NULL;
    if (!t)
        return toll__err(err, TOLL_EINVAL,
                         "toll_table_export_arrow_schema: table is NULL");
    toll_status st = schema_begin(out, &t->alloc, "+s", NULL, 0);
    if (st)
        goto fail;
    schema_priv *p = out->private_data;
    if (t->ncols) {
        p->children = toll__calloc(&t->alloc, t->ncols, sizeof *p->children);
        if (!p->children) {
            st = TOLL_ENOMEM;
            goto fail;
        }
        p->nchildren = t->ncols;
    }
    out->children = p->children;
    out->n_children = (int64_t)t->ncols;
    for (size_t j = 0; j < t->ncols; j++) {
        p->children[j] = toll__calloc(&t->alloc, 1, sizeof *p->children[j]);
        if (!p->children[j]) {
            st = TOLL_ENOMEM;
            goto fail;
        }
        if ((st = column_schema(t, j, p->children, p->children[j])))
            goto fail;
    }
    return TOLL_OK;

fail:
    schema_release(out);
    return export_error(st, t, 0, err);
}

/* ---- the stream --------------------------------------------------------- */

typedef struct stream_priv {
    toll_allocator alloc;
    toll_table *table; /* a reference */
    int done;          /* the one batch was handed out */
    char message[640]; /* get_last_error */
} stream_priv;

static int stream_status(stream_priv *p, toll_status st, const toll_error *e)
{
    if (!st) {
        p->message[0] = '\0';
        return 0;
    }
    snprintf(p->message, sizeof p->message, "%s", e->message);
    return st == TOLL_ENOMEM ? ENOMEM : st == TOLL_ERANGE ? ERANGE : EINVAL;
}

static int stream_get_schema(struct ArrowArrayStream *s,
                             struct ArrowSchema *out)
{
    stream_priv *p = s->private_data;
    toll_error e = {0};
    return stream_status(p, toll_table_export_arrow_schema(p->table, out, &e),
                         &e);
}

static int stream_get_next(struct ArrowArrayStream *s, struct ArrowArray *out)
{
    stream_priv *p = s->private_data;
    if (p->done) {
        memset(out, 0, sizeof *out); /* release NULL: the end */
        return 0;
    }
    toll_error e = {0};
    int rc = stream_status(p, toll_table_export_arrow_array(p->table, out, &e),
                           &e);
    if (!rc)
        p->done = 1;
    return rc;
}

static const char *stream_last_error(struct ArrowArrayStream *s)
{
    stream_priv *p = s->private_data;
    return p->message[0] ? p->message : NULL;
}

static void stream_release(struct ArrowArrayStream *s)
{
    if (!s || !s->release)
        return;
    stream_priv *p = s->private_data;
    toll_allocator al = p->alloc;
    toll_table_free(p->table); /* drops the reference */
    toll__free(&al, p, sizeof *p);
    s->release = NULL;
    s->private_data = NULL;
}

toll_status toll_table_export_arrow(const toll_table *t,
                                    struct ArrowArrayStream *out,
                                    toll_error *err)
{
    if (!out)
        return toll__err(err, TOLL_EINVAL,
                         "toll_table_export_arrow: out is NULL");
    memset(out, 0, sizeof *out);
    if (!t)
        return toll__err(err, TOLL_EINVAL,
                         "toll_table_export_arrow: table is NULL");
    stream_priv *p = toll__calloc(&t->alloc, 1, sizeof *p);
    if (!p)
        return toll__nomem(err);
    p->alloc = t->alloc;
    toll__table_retain(t);
    p->table = (toll_table *)(uintptr_t)t;
    out->get_schema = stream_get_schema;
    out->get_next = stream_get_next;
    out->get_last_error = stream_last_error;
    out->release = stream_release;
    out->private_data = p;
    return TOLL_OK;
}
