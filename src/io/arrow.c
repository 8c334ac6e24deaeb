/*
 * src/io/arrow.c - reports from an Arrow C stream (toll_reports_load_arrow,
 * entry point in src/io/load.c).
 *
 * The schema's columns are the members of every row, bound once as a CSV
 * header is (toll__bind, with map columns required).  Each row's values
 * are read from the column buffers into toll__val as the loaders of
 * records give them (src/io/records.c: texts, numbers as digits,
 * true/false, null) and the row goes through toll__ingest_record, the
 * reader of every format (src/io/record.c): no rule of the domain lives
 * here.  Texts point into the Arrow buffers; numbers and dates are written
 * into a small text slot of their column.
 */
#include "io/io.h"
#include "toll/arrow.h"
#include "toll/date.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The column types read (include/toll/arrow.h lists them). */
enum {
    K_BAD = 0, /* no text form: refused */
    K_NULL,
    K_BOOL,
    K_INT,
    K_UINT,
    K_F32,
    K_F64,
    K_UTF8,
    K_LUTF8,
    K_VIEW,
    K_DATE32,
    K_DATE64,
    K_TS,
    K_DICT
};

typedef struct acol {
    int kind;
    int width;          /* K_INT, K_UINT, and K_DICT's index: bytes */
    int index_signed;   /* K_DICT: signed index */
    int64_t per_sec;    /* K_TS: units per second */
    const char *format; /* the Arrow format string, for messages */
    const struct acol *values; /* K_DICT: the dictionary's type */
} acol;

/* Bytes of a column's text slot: the longest number or timestamp text. */
#define SLOT 64

/* An integer format: kind and width; 0 when f is not one. */
static int int_format(const char *f, int *kind, int *width)
{
    static const char codes[] = "cCsSiIlL";
    const char *c = f[0] && !f[1] ? strchr(codes, f[0]) : NULL;
    if (!c)
        return 0;
    size_t k = (size_t)(c - codes);
    *kind = k % 2 ? K_UINT : K_INT;
    *width = 1 << (k / 2);
    return 1;
}

/* The type of format f (not a dictionary). */
static void plain_type(const char *f, acol *c)
{
    c->format = f;
    c->kind = K_BAD;
    if (int_format(f, &c->kind, &c->width))
        return;
    if (!strcmp(f, "n"))
        c->kind = K_NULL;
    else if (!strcmp(f, "b"))
        c->kind = K_BOOL;
    else if (!strcmp(f, "f"))
        c->kind = K_F32;
    else if (!strcmp(f, "g"))
        c->kind = K_F64;
    else if (!strcmp(f, "u"))
        c->kind = K_UTF8;
    else if (!strcmp(f, "U"))
        c->kind = K_LUTF8;
    else if (!strcmp(f, "vu"))
        c->kind = K_VIEW;
    else if (!strcmp(f, "tdD"))
        c->kind = K_DATE32;
    else if (!strcmp(f, "tdm"))
        c->kind = K_DATE64;
    else if (!strncmp(f, "ts", 2) && f[2] && f[3] == ':') {
        static const char units[] = "smun";
        static const int64_t per[] = {1, 1000, 1000000, 1000000000};
        const char *u = strchr(units, f[2]);
        if (u) {
            c->kind = K_TS;
            c->per_sec = per[u - units];
        }
    }
}

/* The type of column schema s: c, and for a dictionary its values' type
 * in *vals. */
static void column_type(const struct ArrowSchema *s, acol *c, acol *vals)
{
    const char *f = s->format ? s->format : "";
    plain_type(f, c);
    if (!s->dictionary)
        return;
    int ik = K_BAD;
    c->kind = K_BAD;
    if (!int_format(f, &ik, &c->width))
        return;
    plain_type(s->dictionary->format ? s->dictionary->format : "", vals);
    if (vals->kind == K_BAD || vals->kind == K_NULL ||
        s->dictionary->dictionary)
        return;
    c->kind = K_DICT;
    c->index_signed = ik == K_INT;
    c->values = vals;
}

/* ---- values ------------------------------------------------------------ */

static inline int bit(const void *bits, int64_t i)
{
    return (((const uint8_t *)bits)[i >> 3] >> (i & 7)) & 1;
}

static inline int64_t get_int(const void *buf, int width, int64_t i)
{
    switch (width) {
    case 1: return ((const int8_t *)buf)[i];
    case 2: return ((const int16_t *)buf)[i];
    case 4: return ((const int32_t *)buf)[i];
    default: return ((const int64_t *)buf)[i];
    }
}

static inline uint64_t get_uint(const void *buf, int width, int64_t i)
{
    switch (width) {
    case 1: return ((const uint8_t *)buf)[i];
    case 2: return ((const uint16_t *)buf)[i];
    case 4: return ((const uint32_t *)buf)[i];
    default: return ((const uint64_t *)buf)[i];
    }
}

static inline int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return q - ((a % b) != 0 && ((a < 0) != (b < 0)));
}

/* The digits of x into slot (no sign); their count. */
static size_t utoa(uint64_t x, char *slot)
{
    char tmp[24];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + x % 10);
        x /= 10;
    } while (x);
    for (size_t k = 0; k < n; k++)
        slot[k] = tmp[n - 1 - k];
    slot[n] = '\0';
    return n;
}

static size_t itoa(int64_t x, char *slot)
{
    if (x >= 0)
        return utoa((uint64_t)x, slot);
    slot[0] = '-';
    return 1 + utoa(-(uint64_t)x, slot + 1);
}

/* A float as a record's number: integral values below 2^53 as integers,
 * others as their shortest text that reads back the same (as Python's
 * repr, python/_reports.c).  single: a float32. */
static size_t float_text(double d, int single, char *slot)
{
    if (d < 9007199254740992.0 && d > -9007199254740992.0 &&
        d == (double)(long long)d)
        return itoa((long long)d, slot);
    if (d - d != 0) /* an infinity: not a number (toll__number_ok) */
        return (size_t)snprintf(slot, SLOT, "%s", d > 0 ? "inf" : "-inf");
    /* Few decimals (33.5, -12.25): d is m / 10^k for the least k <= 6,
     * which is then its shortest text (a division correctly rounded is
     * what reading that text gives). */
    static const double p10[] = {1, 10, 100, 1e3, 1e4, 1e5, 1e6};
    double a = d < 0 ? -d : d;
    if (a >= 1e-4 && a < 1e9) {
        for (int k = 1; k <= 6; k++) {
            double m = (double)(long long)(a * p10[k] + 0.5);
            if (single ? (float)(m / p10[k]) != (float)a : m / p10[k] != a)
                continue;
            long long im = (long long)m, ip = im / (long long)p10[k],
                      fp = im % (long long)p10[k];
            size_t n = 0;
            if (d < 0)
                slot[n++] = '-';
            n += utoa((uint64_t)ip, slot + n);
            slot[n++] = '.';
            for (int q = k - 1; q >= 0; q--) {
                slot[n + (size_t)q] = (char)('0' + fp % 10);
                fp /= 10;
            }
            n += (size_t)k;
            slot[n] = '\0';
            return n;
        }
    }
    for (int prec = single ? 6 : 15; prec <= 17; prec++) {
        snprintf(slot, SLOT, "%.*g", prec, d);
        if (single ? strtof(slot, NULL) == (float)d : strtod(slot, NULL) == d)
            break;
    }
    return strlen(slot);
}

/* The first and last day numbers date texts can have (0001-01-01 and
 * 9999-12-31). */
#define DAY_MIN (-719162)
#define DAY_MAX 2932896

/* x (>= 0) as `width` digits at slot[*n]. */
static void digits(char *slot, int *n, int x, int width)
{
    for (int q = width - 1; q >= 0; q--) {
        slot[*n + q] = (char)('0' + x % 10);
        x /= 10;
    }
    *n += width;
}

/* Day `day` (year 1 to 9999) and, when not midnight, the time of day (sec seconds and frac
 * units of 1/per_sec) as ISO text. */
static size_t date_text(int64_t day, int64_t sec, int64_t frac,
                        int64_t per_sec, char *slot)
{
    int y, m, d;
    toll_date_to_ymd((int32_t)day, &y, &m, &d);
    int n = 0;
    digits(slot, &n, y, 4);
    slot[n++] = '-';
    digits(slot, &n, m, 2);
    slot[n++] = '-';
    digits(slot, &n, d, 2);
    slot[n] = '\0';
    if (!sec && !frac)
        return (size_t)n;
    slot[n++] = 'T';
    digits(slot, &n, (int)(sec / 3600), 2);
    slot[n++] = ':';
    digits(slot, &n, (int)(sec / 60 % 60), 2);
    slot[n++] = ':';
    digits(slot, &n, (int)(sec % 60), 2);
    slot[n] = '\0';
    if (frac && per_sec == 1000000000 && frac % 1000)
        n += snprintf(slot + n, SLOT - (size_t)n, ".%09lld", (long long)frac);
    else if (frac)
        n += snprintf(slot + n, SLOT - (size_t)n, ".%06lld",
                      (long long)(frac * 1000000 / per_sec));
    return (size_t)n;
}

static inline void set_null(toll__val *v)
{
    v->type = TOLL__V_NULL;
    v->s = "null";
    v->len = 4;
}

/*
 * The value at index i (offset applied) of array a of type c, into *v
 * (key: the column's name, for messages; slot: its text slot).  Returns 0,
 * or -1 with the record error set.
 */
static int read_value(toll__ingest *in, const acol *c,
                      const struct ArrowArray *a, int64_t i, const char *key,
                      char *slot, toll__val *v)
{
    v->json = NULL;
    if (c->kind == K_NULL ||
        (a->null_count != 0 && a->buffers[0] && !bit(a->buffers[0], i))) {
        set_null(v);
        return 0;
    }
    const void *b1 = a->buffers[1];
    switch (c->kind) {
    case K_BOOL: {
        int on = bit(b1, i);
        v->type = TOLL__V_BOOL;
        v->s = on ? "true" : "false";
        v->len = on ? 4 : 5;
        return 0;
    }
    case K_INT:
        v->type = TOLL__V_NUMBER;
        v->s = slot;
        v->len = itoa(get_int(b1, c->width, i), slot);
        return 0;
    case K_UINT:
        v->type = TOLL__V_NUMBER;
        v->s = slot;
        v->len = utoa(get_uint(b1, c->width, i), slot);
        return 0;
    case K_F32:
    case K_F64: {
        double d = c->kind == K_F32 ? (double)((const float *)b1)[i]
                                    : ((const double *)b1)[i];
        if (d != d) { /* NaN: missing */
            set_null(v);
            return 0;
        }
        v->type = TOLL__V_NUMBER;
        v->s = slot;
        v->len = float_text(d, c->kind == K_F32, slot);
        return toll__number_ok(in, key, slot, v->len); /* infinities */
    }
    case K_UTF8:
    case K_LUTF8:
    case K_VIEW: {
        const char *s = "";
        int64_t len, start = 0;
        if (c->kind == K_UTF8) {
            const int32_t *o = b1;
            start = o[i];
            len = (int64_t)o[i + 1] - o[i];
        } else if (c->kind == K_LUTF8) {
            const int64_t *o = b1;
            start = o[i];
            len = o[i + 1] - o[i];
        } else {
            const uint8_t *view = (const uint8_t *)b1 + 16 * i;
            int32_t n, buf, off;
            memcpy(&n, view, 4);
            len = n;
            if (n <= 12) {
                s = (const char *)view + 4;
            } else {
                memcpy(&buf, view + 8, 4);
                memcpy(&off, view + 12, 4);
                if (buf < 0 || buf >= a->n_buffers - 3 ||
                    !a->buffers[2 + buf] || off < 0) {
                    toll__rec_err(in, TOLL_EPARSE, key, NULL, 0,
                                  "a string view points outside its "
                                  "buffers");
                    return -1;
                }
                s = (const char *)a->buffers[2 + buf] + off;
            }
        }
        if (len < 0 || start < 0 ||
            (len && c->kind != K_VIEW && !a->buffers[2])) {
            toll__rec_err(in, TOLL_EPARSE, key, NULL, 0,
                          "a string of negative length or without data");
            return -1;
        }
        if (!len)
            s = "";
        else if (c->kind != K_VIEW)
            s = (const char *)a->buffers[2] + start;
        v->type = TOLL__V_TEXT;
        v->s = s;
        v->len = (size_t)len;
        return toll__text_ok(in, key, s, (size_t)len);
    }
    case K_DATE32:
    case K_DATE64:
    case K_TS: {
        int64_t x = c->kind == K_DATE32 ? ((const int32_t *)b1)[i]
                                        : ((const int64_t *)b1)[i];
        int64_t per = c->kind == K_TS ? c->per_sec : 1000;
        int64_t day, sec = 0, frac = 0;
        if (c->kind == K_DATE32) {
            day = x;
        } else {
            int64_t whole = floor_div(x, per);
            frac = x - whole * per;
            day = floor_div(whole, 86400);
            sec = whole - day * 86400;
            if (c->kind == K_DATE64)
                sec = frac = 0;
        }
        if (day < DAY_MIN || day > DAY_MAX) {
            toll__rec_err(in, TOLL_EPARSE, key, NULL, 0,
                          "a date before the year 1 or after 9999 (%s %lld)",
                          c->format, (long long)x);
            return -1;
        }
        v->type = TOLL__V_TEXT;
        v->s = slot;
        v->len = date_text(day, sec, frac, per, slot);
        return 0;
    }
    case K_DICT: {
        const struct ArrowArray *d = a->dictionary;
        int64_t k;
        if (c->index_signed)
            k = get_int(b1, c->width, i);
        else {
            uint64_t u = get_uint(b1, c->width, i);
            k = u > (uint64_t)INT64_MAX ? -1 : (int64_t)u;
        }
        if (k < 0 || k >= d->length) {
            toll__rec_err(in, TOLL_EPARSE, key, NULL, 0,
                          "dictionary index %lld outside the %lld values "
                          "of the dictionary",
                          (long long)k, (long long)d->length);
            return -1;
        }
        return read_value(in, c->values, d, d->offset + k, key, slot, v);
    }
    default:
        set_null(v);
        return 0;
    }
}

/* ---- structure ------------------------------------------------------------- */

/* The buffers array a of type c needs (a string view: at least). */
static int64_t buffers_needed(const acol *c)
{
    switch (c->kind) {
    case K_NULL: return 0;
    case K_UTF8:
    case K_LUTF8: return 3;
    case K_VIEW: return 3;
    default: return 2;
    }
}

/* 1 if array a can be read as type c at indices [0, n) (its offset
 * added). */
static int array_ok(const acol *c, const struct ArrowArray *a, int64_t n)
{
    if (!a || a->length < n || a->offset < 0 || a->length < 0 ||
        a->n_buffers < buffers_needed(c) ||
        (a->n_buffers > 0 && !a->buffers))
        return 0;
    if (c->kind == K_NULL || n == 0)
        return 1;
    if (!a->buffers[1])
        return 0;
    if (c->kind == K_DICT)
        return a->dictionary &&
               array_ok(c->values, a->dictionary, a->dictionary->length);
    return 1;
}

/* A failure of the producer: its message, else the errno value. */
static toll_status producer_error(toll__ingest *in,
                                  struct ArrowArrayStream *stream, int rc,
                                  const char *what)
{
    const char *msg =
        stream->get_last_error ? stream->get_last_error(stream) : NULL;
    if (msg && msg[0])
        return toll__ingest_fail(in, TOLL_EIO, 0,
                                 "the Arrow stream failed to give its %s: %s",
                                 what, msg);
    return toll__ingest_fail(in, TOLL_EIO, 0,
                             "the Arrow stream failed to give its %s "
                             "(error %d: %s)",
                             what, rc, strerror(rc));
}

/* The columns as members (keys), checked as a CSV header's names are, and
 * bound; a column of a type with no text refused. */
static toll_status bind_schema(toll__ingest *in, const struct ArrowSchema *sc,
                               const acol *cols, size_t ncols)
{
    toll_status st = TOLL_OK;
    if (TOLL__GROW(in, in->m, in->m_cap, ncols ? ncols : 1))
        return toll__nomem(in->err);
    for (size_t j = 0; j < ncols; j++) {
        toll__member *mb = &in->m[j];
        memset(mb, 0, sizeof *mb);
        mb->key = sc->children[j]->name ? sc->children[j]->name : "";
        mb->klen = strlen(mb->key);
        if (!toll__utf8_valid(mb->key, mb->klen, NULL))
            return toll__ingest_fail(in, TOLL_EPARSE, 0,
                                     "invalid UTF-8 in the name of column "
                                     "%zu",
                                     j + 1);
    }
    const toll__member *dup =
        toll__member_repeated(in, in->m, ncols, 1, &st);
    if (st)
        return st;
    if (dup)
        return toll__ingest_fail(in, TOLL_EREPORT, 0,
                                 "column '%s' appears twice in the schema",
                                 dup->key);
    in->line = 0;
    in->record = -1;
    st = toll__bind(in, &in->bind, in->m, ncols, 1);
    if (st == TOLL_EREPORT) {
        /* a map column missing from the schema: fatal for the load */
        in->rec.record = -1;
        if (in->err)
            *in->err = in->rec;
        return st;
    }
    if (st)
        return st;
    for (size_t j = 0; j < ncols; j++) {
        if (cols[j].kind != K_BAD)
            continue;
        const char *key = in->m[j].key, *f = cols[j].format;
        if (!in->bind.extra[j])
            return toll__seterr(in->err, TOLL_EINVAL, in->name, 0, -1, key,
                                f, strlen(f),
                                "column '%s' has the Arrow type '%s', which "
                                "toll cannot read (it reads null, bool, "
                                "integers, floats, strings, dates, "
                                "timestamps and dictionaries of these)",
                                key, f);
        return toll__seterr(in->err, TOLL_EINVAL, in->name, 0, -1, key, f,
                            strlen(f),
                            "column '%s' has the Arrow type '%s', which has "
                            "no text to keep as a field: drop the column "
                            "or give it a type toll reads",
                            key, f);
    }
    return TOLL_OK;
}

/* The rows of one batch. */
static toll_status load_batch(toll__ingest *in, const acol *cols,
                              size_t ncols, const struct ArrowArray *b,
                              char *slots)
{
    if (b->length < 0 || b->offset < 0 || b->n_children != (int64_t)ncols ||
        (ncols && !b->children))
        return toll__ingest_fail(in, TOLL_EINVAL, 0,
                                 "an Arrow batch after record %ld is not a "
                                 "struct array of the schema's %zu columns",
                                 in->record + 1, ncols);
    int64_t end = b->offset + b->length;
    for (size_t j = 0; j < ncols; j++)
        if (!array_ok(&cols[j], b->children[j], end))
            return toll__ingest_fail(in, TOLL_EINVAL, 0,
                                     "column '%s' of an Arrow batch after "
                                     "record %ld is not an array of its "
                                     "type '%s' and the batch's length",
                                     in->m[j].key, in->record + 1,
                                     cols[j].format);
    const void *rows_valid = b->n_buffers > 0 && b->buffers &&
                                     b->null_count != 0
                                 ? b->buffers[0]
                                 : NULL;
    toll_status st;
    for (int64_t i = 0; i < b->length; i++) {
        in->record++;
        in->line = in->record + 1;
        int64_t at = b->offset + i;
        int bad = 0;
        for (size_t j = 0; j < ncols && !bad; j++) {
            const struct ArrowArray *a = b->children[j];
            if (rows_valid && !bit(rows_valid, at))
                set_null(&in->m[j].v);
            else
                bad = read_value(in, &cols[j], a, a->offset + at,
                                 in->m[j].key, slots + j * SLOT,
                                 &in->m[j].v) < 0;
        }
        st = bad ? toll__ingest_reject(in)
                 : toll__ingest_record(in, &in->bind, in->m, ncols);
        if (st)
            return st;
    }
    return TOLL_OK;
}

toll_status toll__load_arrow(toll__ingest *in,
                             struct ArrowArrayStream *stream)
{
    const toll_allocator *al = &in->r->alloc;
    struct ArrowSchema sc;
    memset(&sc, 0, sizeof sc);
    int rc = stream->get_schema(stream, &sc);
    if (rc) {
        if (sc.release)
            sc.release(&sc);
        return producer_error(in, stream, rc, "schema");
    }
    if (!sc.release)
        return toll__ingest_fail(in, TOLL_EINVAL, 0,
                                 "the Arrow stream gave a released schema");
    toll_status st = TOLL_OK;
    acol *cols = NULL;
    char *slots = NULL;
    size_t ncols = 0;
    if (!sc.format || strcmp(sc.format, "+s") != 0 || sc.n_children < 0 ||
        (sc.n_children && !sc.children)) {
        st = toll__ingest_fail(in, TOLL_EINVAL, 0,
                               "the Arrow stream's schema is not a struct "
                               "of columns (format '%s')",
                               sc.format ? sc.format : "");
        goto done;
    }
    ncols = (size_t)sc.n_children;
    cols = toll__alloc(al, 2 * (ncols ? ncols : 1) * sizeof *cols);
    slots = toll__alloc(al, (ncols ? ncols : 1) * SLOT);
    if (!cols || !slots) {
        st = toll__nomem(in->err);
        goto done;
    }
    memset(cols, 0, 2 * (ncols ? ncols : 1) * sizeof *cols);
    for (size_t j = 0; j < ncols; j++) {
        if (!sc.children[j]) {
            st = toll__ingest_fail(in, TOLL_EINVAL, 0,
                                   "column %zu of the Arrow schema is NULL",
                                   j + 1);
            goto done;
        }
        column_type(sc.children[j], &cols[j], &cols[ncols + j]);
    }
    if ((st = bind_schema(in, &sc, cols, ncols)))
        goto done;
    for (;;) {
        struct ArrowArray b;
        memset(&b, 0, sizeof b);
        rc = stream->get_next(stream, &b);
        if (rc) {
            if (b.release)
                b.release(&b);
            st = producer_error(in, stream, rc, "next batch");
            break;
        }
        if (!b.release)
            break; /* the end */
        st = load_batch(in, cols, ncols, &b, slots);
        b.release(&b);
        if (st)
            break;
    }
done:
    toll__free(al, cols, 2 * (ncols ? ncols : 1) * sizeof *cols);
    toll__free(al, slots, (ncols ? ncols : 1) * SLOT);
    sc.release(&sc);
    return st;
}
