/*
 * src/io/record.c - from one input record to one row of the store: source
 * kinds, report field names, UTF-8 checks, binding input keys to report
 * fields, reading each field's value (quantities, dates, regions, actors,
 * extras), repairs, and appending the validated row.
 *
 * The format readers (csv/reader.c, json/reader.c) turn each record into
 * toll__member (key, value) pairs and call toll__ingest_record.
 */
#define _POSIX_C_SOURCE 200809L
#include "io/io.h"
#include "core/core.h"
#include "core/region.h" /* the rule of a region path */
#include "base/strhash.h"
#include "io/memo.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* ---- source kinds, options --------------------------------------------------- */

static const char *const kind_names[] = {"other", "monitor", "rescue", "media",
                                         "party", "un",      "ngo"};
#define N_KINDS (sizeof kind_names / sizeof kind_names[0])

const char *toll_source_kind_name(toll_source_kind kind)
{
    if ((unsigned)kind >= N_KINDS)
        return "other";
    return kind_names[kind];
}

static int kind_parse_n(const char *s, size_t len, toll_source_kind *out)
{
    for (size_t k = 0; k < N_KINDS; k++)
        if (toll__strncaseeq(s, len, kind_names[k])) {
            *out = (toll_source_kind)k;
            return 1;
        }
    return 0;
}

#define KIND_QUOTE_MAX 64

toll_status toll_source_kind_parse(const char *name, toll_source_kind *out,
                                   toll_error *err)
{
    static const char accepted[] =
        "monitor, rescue, media, party, un, ngo or other";
    toll_source_kind k;
    if (!name)
        return toll__err(err, TOLL_EINVAL,
                         "source kind is NULL; expected %s", accepted);
    size_t len = strlen(name);
    if (!kind_parse_n(name, len, &k)) {
        int shown = len > KIND_QUOTE_MAX ? KIND_QUOTE_MAX : (int)len;
        return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, NULL, name, len,
                            "unknown source kind \"%.*s%s\"; expected %s",
                            shown, name, len > KIND_QUOTE_MAX ? "..." : "",
                            accepted);
    }
    if (out)
        *out = k;
    return TOLL_OK;
}

/* ---- field names --------------------------------------------------------------- */

static const char *const field_names[TOLL__F_COUNT] = {
    "incident", "source", "source_kind", "source_actor", "date", "date_start",
    "date_end", "region", "actor",       "id",           "url",  "note",
    "lat",      "lon",    "location",    "precision_km"};

const char *toll__field_name(int field)
{
    if (field >= 0 && field < TOLL__F_COUNT)
        return field_names[field];
    return "category";
}

/* Standard field names match in any case (ASCII letters): "Killed" and
 * "DATE" are the fields killed and date; a category is named in lower
 * case (toll__bind). */
static int ends_with(const char *s, size_t len, const char *suffix)
{
    size_t sl = strlen(suffix);
    return len >= sl && toll__strncaseeq(s + len - sl, sl, suffix);
}

int toll__is_category(const char *s, size_t len)
{
    return ends_with(s, len, "killed") || ends_with(s, len, "injured");
}

int toll__field_lookup(const char *s, size_t len)
{
    for (int f = 0; f < TOLL__F_COUNT; f++)
        if (toll__strncaseeq(s, len, field_names[f]))
            return f;
    if (toll__is_category(s, len))
        return TOLL__F_CATEGORY;
    return -1;
}

/* 1 if s[0..len) holds an ASCII capital letter. */
static int has_upper(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] >= 'A' && s[i] <= 'Z')
            return 1;
    return 0;
}

/* ---- UTF-8 ------------------------------------------------------------------- */

int toll__utf8_valid(const char *str, size_t len, size_t *bad)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < len) {
        /* ASCII fast path, 8 bytes at a time. */
        while (i + 8 <= len) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if (w & UINT64_C(0x8080808080808080))
                break;
            i += 8;
        }
        if (i >= len)
            break;
        unsigned char c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t n;
        unsigned lo = 0x80, hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) {
            n = 1;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 2;
            if (c == 0xE0)
                lo = 0xA0; /* no overlongs */
            if (c == 0xED)
                hi = 0x9F; /* no surrogates */
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 3;
            if (c == 0xF0)
                lo = 0x90;
            if (c == 0xF4)
                hi = 0x8F; /* <= U+10FFFF */
        } else {
            goto invalid;
        }
        if (len - i - 1 < n)
            goto invalid;
        if (s[i + 1] < lo || s[i + 1] > hi)
            goto invalid;
        for (size_t k = 2; k <= n; k++)
            if (s[i + k] < 0x80 || s[i + k] > 0xBF)
                goto invalid;
        i += n + 1;
    }
    return 1;
invalid:
    if (bad)
        *bad = i;
    return 0;
}

/* ---- errors --------------------------------------------------------------------- */

size_t toll__escape_bytes(const char *s, size_t len, char *out, size_t size)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        int esc = c < 0x20 || c >= 0x7f;
        if (o + (esc ? 4 : 1) >= size)
            break;
        if (esc) {
            out[o++] = '\\';
            out[o++] = 'x';
            out[o++] = hex[c >> 4];
            out[o++] = hex[c & 15];
        } else {
            out[o++] = (char)c;
        }
    }
    if (size)
        out[o] = '\0';
    return o;
}

toll_status toll__rec_err(toll__ingest *in, toll_status code, const char *field,
                          const char *text, size_t text_len, const char *fmt,
                          ...)
{
    char msg[sizeof in->rec.message];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return toll__seterr(&in->rec, code, in->name, in->line, in->record, field,
                        text, text_len, "%s", msg);
}

/* JSON arrays (in->record_in_message): "F:1: MSG" becomes
 * "F:1: record 4: MSG", as several records may start on line 1. */
static void name_record(toll__ingest *in)
{
    toll_error *e = &in->rec;
    if (!in->record_in_message || e->line <= 0 || e->record < 0)
        return;
    char prefix[sizeof e->file + 32];
    int pl = snprintf(prefix, sizeof prefix, "%s:%ld: ", e->file, e->line);
    if (pl <= 0 || (size_t)pl >= sizeof prefix ||
        strncmp(e->message, prefix, (size_t)pl) != 0)
        return;
    char msg[sizeof e->message];
    snprintf(msg, sizeof msg, "%srecord %ld: %s", prefix, e->record + 1,
             e->message + pl);
    memcpy(e->message, msg, sizeof msg);
}

toll_status toll__ingest_fail(toll__ingest *in, toll_status code, long line,
                              const char *fmt, ...)
{
    char msg[sizeof in->rec.message];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return toll__seterr(in->err, code, in->name, line, -1, NULL, NULL, 0,
                        "%s", msg);
}

toll_status toll__ingest_reject(toll__ingest *in)
{
    name_record(in);
    if (in->opts->lenient) {
        if (toll__reports_add_reject(in->r, &in->rec))
            return toll__nomem(in->err);
        return TOLL_OK;
    }
    if (in->err)
        *in->err = in->rec;
    return in->rec.code;
}

/* A failure that is not the record's fault: out of memory, too many
 * strings.  Goes straight to the caller's error. */
toll_status toll__ingest_fatal(toll__ingest *in, toll_status st)
{
    if (st == TOLL_ENOMEM)
        return toll__nomem(in->err);
    return toll__err(in->err, st, "%s: too many distinct strings or reports",
                     in->name);
}

/* ---- binding --------------------------------------------------------------------- */

static long find_member(const toll__member *m, size_t n, const char *s,
                        size_t len)
{
    for (size_t j = 0; j < n; j++)
        if (m[j].klen == len && memcmp(m[j].key, s, len) == 0)
            return (long)j;
    return -1;
}

static int show_len(const char *s, size_t len);

/* in->text = s[0..len) with ASCII capitals in lower case (NUL-ended). */
static toll_status lower_key(toll__ingest *in, const char *s, size_t len)
{
    in->text.len = 0;
    if (toll__buf_append(&in->text, s, len))
        return toll__ingest_fatal(in, TOLL_ENOMEM);
    for (size_t i = 0; i < len; i++)
        if (in->text.data[i] >= 'A' && in->text.data[i] <= 'Z')
            in->text.data[i] = (char)(in->text.data[i] - 'A' + 'a');
    return TOLL_OK;
}

/* Two members whose names differ only by case name one field: an error
 * naming both, as a column given twice. */
static toll_status same_field(toll__ingest *in, const toll__member *a,
                              const toll__member *b, const char *canon)
{
    return toll__rec_err(in, TOLL_EREPORT, canon, b->key, b->klen,
                         "'%.*s' and '%.*s' both name the field '%s' "
                         "(standard field names match in any case)",
                         show_len(a->key, a->klen), a->key,
                         show_len(b->key, b->klen), b->key, canon);
}

static int cmp_u64(const void *pa, const void *pb)
{
    uint64_t a = *(const uint64_t *)pa, b = *(const uint64_t *)pb;
    return a < b ? -1 : a > b;
}

/* The category slots read by name of b: two of the same category (keys
 * differing only by case) are an error (same_field).  Sorted, so
 * O(n log n) in the number of categories. */
static toll_status same_category(toll__ingest *in, const toll__binding *b,
                                 const toll__member *m)
{
    size_t nc = 0;
    for (size_t k = 0; k < b->nslots; k++)
        nc += b->slot[k].field == TOLL__F_CATEGORY && !b->slot[k].entry;
    uint64_t *v = toll__alloc(&in->r->alloc, (nc ? nc : 1) * sizeof *v);
    if (!v)
        return toll__ingest_fatal(in, TOLL_ENOMEM);
    size_t i = 0;
    for (size_t k = 0; k < b->nslots; k++) {
        const toll__slot *sl = &b->slot[k];
        if (sl->field == TOLL__F_CATEGORY && !sl->entry)
            v[i++] = (uint64_t)sl->category << 32 | (uint64_t)sl->col[0];
    }
    qsort(v, nc, sizeof *v, cmp_u64);
    toll_status st = TOLL_OK;
    for (i = 1; i < nc && !st; i++)
        if (v[i] >> 32 == v[i - 1] >> 32) {
            const toll__member *x = &m[v[i - 1] & UINT32_MAX],
                               *y = &m[v[i] & UINT32_MAX];
            st = same_field(in, x, y,
                            toll__str(&in->r->strings, (uint32_t)(v[i] >> 32)));
        }
    toll__free(&in->r->alloc, v, (nc ? nc : 1) * sizeof *v);
    return st;
}

static toll_status add_slot(toll__ingest *in, toll__binding *b,
                            const toll__slot *s)
{
    if (TOLL__GROW(in, b->slot, b->slot_cap, b->nslots + 1))
        return toll__ingest_fatal(in, TOLL_ENOMEM);
    b->slot[b->nslots++] = *s;
    return TOLL_OK;
}

toll_status toll__bind(toll__ingest *in, toll__binding *b,
                       const toll__member *m, size_t n, int require)
{
    const toll_colmap *map = in->opts->colmap;
    toll_status st;
    b->nslots = 0;
    b->nmembers = n;
    b->nextra = n; /* until counted below */
    if (TOLL__GROW(in, b->extra, b->extra_cap, n ? n : 1) ||
        TOLL__GROW(in, in->xkey, in->xkey_cap, n ? n : 1))
        return toll__ingest_fatal(in, TOLL_ENOMEM);
    if (n) {
        memset(b->extra, 1, n);
        memset(in->xkey, 0, n * sizeof *in->xkey);
    }

    /* The map's entries in force. */
    for (size_t i = 0; map && i < map->n; i++) {
        const toll__cmentry *e = &map->e[i];
        if (toll__colmap_find(map, e->target, e->target_len) != e)
            continue; /* overridden by a later entry */
        toll__slot s;
        memset(&s, 0, sizeof s);
        s.field = e->field;
        s.shape = e->shape;
        s.name = e->target;
        s.name_len = e->target_len;
        s.entry = e;
        s.ncols = e->shape == TOLL__CM_CONST ? 0 : e->ncols;
        size_t found = 0;
        for (size_t k = 0; k < s.ncols; k++) {
            s.col[k] = find_member(m, n, e->col[k], e->col_len[k]);
            if (s.col[k] < 0 && require && !e->optional &&
                !(e->optional_cols >> k & 1))
                return toll__rec_err(in, TOLL_EREPORT, e->target, e->col[k],
                                     e->col_len[k],
                                     "column '%s' of the column map is not "
                                     "in the header",
                                     e->col[k]);
            if (s.col[k] >= 0) {
                b->extra[s.col[k]] = 0;
                found++;
            }
        }
        /* A range's columns come together: half a range would read as an
         * open bound. */
        if (require && found && found < s.ncols &&
            (s.shape == TOLL__CM_RANGE || s.shape == TOLL__CM_RANGE3))
            for (size_t k = 0; k < s.ncols; k++)
                if (s.col[k] < 0)
                    return toll__rec_err(in, TOLL_EREPORT, e->target,
                                         e->col[k], e->col_len[k],
                                         "column '%s' of the column map is "
                                         "not in the header (the other "
                                         "columns of its range are)",
                                         e->col[k]);
        if (s.field == TOLL__F_CATEGORY &&
            (st = toll__strpool_intern(&in->r->strings, e->target,
                                       e->target_len, &s.category)))
            return toll__ingest_fatal(in, st);
        if ((st = add_slot(in, b, &s)))
            return st;
    }

    /* Members read by their own names, in any case: each names its field
     * by its canonical name (a category in lower case). */
    long by_field[TOLL__F_COUNT];
    int upper_category = 0;
    for (int f = 0; f < TOLL__F_COUNT; f++)
        by_field[f] = -1;
    for (size_t j = 0; j < n; j++) {
        int f = toll__field_lookup(m[j].key, m[j].klen);
        if (f < 0)
            continue; /* not a field */
        const char *canon = m[j].key;
        size_t clen = m[j].klen;
        if (f < TOLL__F_COUNT) {
            canon = field_names[f];
            clen = strlen(canon);
        } else if (has_upper(m[j].key, m[j].klen)) {
            if ((st = lower_key(in, m[j].key, m[j].klen)))
                return st;
            canon = in->text.data;
            upper_category = 1;
        }
        if (toll__colmap_find(map, canon, clen))
            continue; /* the field comes from the map */
        if (f < TOLL__F_COUNT && by_field[f] >= 0)
            return same_field(in, &m[by_field[f]], &m[j], canon);
        if (f < TOLL__F_COUNT)
            by_field[f] = (long)j;
        toll__slot s;
        memset(&s, 0, sizeof s);
        s.field = f;
        s.shape = TOLL__CM_COLUMN;
        s.name = m[j].key;
        s.name_len = m[j].klen;
        s.ncols = 1;
        s.col[0] = (long)j;
        b->extra[j] = 0;
        if (f == TOLL__F_CATEGORY &&
            (st = toll__strpool_intern(&in->r->strings, canon, clen,
                                       &s.category)))
            return toll__ingest_fatal(in, st);
        if ((st = add_slot(in, b, &s)))
            return st;
    }
    if (upper_category && (st = same_category(in, b, m)))
        return st;
    /* A preset's precision codes: read into precision_km through its code
     * table, and kept under their own name too (the member stays an
     * extra); a precision_km the input or the caller's map gives wins.
     * Only when the input has a latitude column: the codes describe the
     * coordinates (an extract without them keeps the codes only). */
    const toll_preset *pr = in->preset;
    int has_lat = 0;
    for (size_t k = 0; k < b->nslots; k++)
        has_lat |= b->slot[k].field == TOLL__F_LAT &&
                   b->slot[k].shape != TOLL__CM_CONST && b->slot[k].ncols &&
                   b->slot[k].col[0] >= 0;
    if (pr && pr->precision_column && has_lat &&
        by_field[TOLL__F_PRECISION_KM] < 0 &&
        !toll__colmap_find(map, "precision_km", 12)) {
        long j = find_member(m, n, pr->precision_column,
                             strlen(pr->precision_column));
        if (j >= 0) {
            toll__slot s;
            memset(&s, 0, sizeof s);
            s.field = TOLL__F_PRECISION_KM;
            s.shape = TOLL__CM_COLUMN;
            s.name = pr->precision_column;
            s.name_len = strlen(pr->precision_column);
            s.ncols = 1;
            s.col[0] = j;
            s.coded = 1;
            if ((st = add_slot(in, b, &s)))
                return st;
        }
    }
    b->nextra = 0;
    for (size_t j = 0; j < n; j++)
        b->nextra += b->extra[j];
    return TOLL_OK;
}

/* ---- value helpers ------------------------------------------------------------------ */


static const char *type_name(int type)
{
    switch (type) {
    case TOLL__V_NULL: return "null";
    case TOLL__V_TEXT: return "a string";
    case TOLL__V_NUMBER: return "a number";
    case TOLL__V_BOOL: return "true/false";
    case TOLL__V_ARRAY: return "an array";
    case TOLL__V_OBJECT: return "an object";
    default: return "nothing";
    }
}

#define SHOW 80 /* bytes of offending text shown in messages */

/* How many bytes of s[0..len) to show: at most SHOW, not cutting a UTF-8
 * sequence. */
static int show_len(const char *s, size_t len)
{
    if (len <= SHOW)
        return (int)len;
    size_t n = SHOW;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
        n--;
    return (int)n;
}

/* The value feeding column k of slot s. */
static inline toll__val slot_val(const toll__slot *s, const toll__member *m,
                                 size_t k)
{
    if (s->shape != TOLL__CM_CONST && k < s->ncols && s->col[k] >= 0)
        return m[s->col[k]].v;
    toll__val v;
    memset(&v, 0, sizeof v);
    if (s->shape == TOLL__CM_CONST) {
        v.type = TOLL__V_TEXT;
        v.s = s->entry->col[0];
        v.len = s->entry->col_len[0];
    }
    return v;
}

/* The name to put in messages for column k of slot s: the input's own
 * column name (what the user sees in the file), else the target. */
static const char *slot_field(const toll__slot *s, const toll__member *m,
                              size_t k)
{
    if (s->shape != TOLL__CM_CONST && k < s->ncols && s->col[k] >= 0)
        return m[s->col[k]].key;
    return s->name;
}

/*
 * A string field: *s and *len, trimmed; empty when absent, null or blank.
 * JSON numbers are accepted (as written) when allow_number is set.
 */
static toll_status get_text(toll__ingest *in, const toll__val *v,
                            const char *field, int allow_number,
                            const char **s, size_t *len)
{
    *s = "";
    *len = 0;
    switch (v->type) {
    case TOLL__V_ABSENT:
    case TOLL__V_NULL:
        return TOLL_OK;
    case TOLL__V_TEXT:
        *s = v->s;
        *len = v->len;
        toll__trim_space(s, len);
        return TOLL_OK;
    case TOLL__V_NUMBER:
        if (allow_number) {
            *s = v->s;
            *len = v->len;
            return TOLL_OK;
        }
        /* fall through */
    default:
        return toll__rec_err(in, TOLL_EREPORT, field, v->s, v->len,
                             "expected a string, not %s", type_name(v->type));
    }
}

static toll_status intern(toll__ingest *in, const char *s, size_t len,
                          uint32_t *id)
{
    toll_status st = toll__strpool_intern(&in->r->strings, s, len, id);
    return st ? toll__ingest_fatal(in, st) : TOLL_OK;
}

/* An actor name (trimmed), interned by its identity (src/store/store.c). */
static toll_status intern_actor(toll__ingest *in, const char *s, size_t len,
                                uint32_t *id)
{
    toll_status st = toll__reports_intern_actor(in->r, s, len, id);
    return st ? toll__ingest_fatal(in, st) : TOLL_OK;
}

/* ---- memo of recent texts: src/io/memo.h ---- */

/* A string field, interned; `memo`: remember texts (fields with few
 * distinct values). */
static toll_status text_field(toll__ingest *in, const toll__slot *sl,
                              const toll__member *m, int allow_number,
                              int memo, uint32_t *id)
{
    toll__val v = slot_val(sl, m, 0);
    memo_ent *e = NULL;
    uint32_t h = 0;
    if (memo && v.type == TOLL__V_TEXT) {
        e = memo_slot(in, TOLL__MEMO_TEXT, v.s, v.len, &h);
        if (memo_hit(e, h, v.s, v.len)) {
            *id = e->id;
            return TOLL_OK;
        }
    }
    const char *s;
    size_t len;
    toll_status st = get_text(in, &v, slot_field(sl, m, 0), allow_number, &s,
                              &len);
    if (!st && len && s == in->key_s && len == in->key_len) {
        /* hashed ahead by the reader */
        st = toll__strpool_intern_hashed(&in->r->strings, s, len,
                                         in->key_hash, id);
        if (st)
            st = toll__ingest_fatal(in, st);
    } else if (!st) {
        st = intern(in, s, len, id);
    }
    if (!st && e) {
        memo_fill(e, h, v.s, v.len);
        e->id = *id;
    }
    return st;
}

/* The incident key of a preset's key column, qualified by its dataset:
 * "PREFIX:KEY" (toll_preset.key_prefix); no key stays none. */
static toll_status key_field(toll__ingest *in, const toll__slot *sl,
                             const toll__member *m, uint32_t *id)
{
    toll__val v = slot_val(sl, m, 0);
    const char *s;
    size_t len;
    *id = 0;
    toll_status st = get_text(in, &v, slot_field(sl, m, 0), 1, &s, &len);
    if (st || !len)
        return st;
    in->text.len = 0;
    if (toll__buf_append(&in->text, in->key_prefix, strlen(in->key_prefix)) ||
        toll__buf_append(&in->text, ":", 1) ||
        toll__buf_append(&in->text, s, len))
        return toll__ingest_fatal(in, TOLL_ENOMEM);
    return intern(in, in->text.data, in->text.len, id);
}

/* source_actor: an actor name, through a memo of its own (a source's
 * text and an actor's may be the same text and stand for different ids). */
static toll_status source_actor_field(toll__ingest *in, const toll__slot *sl,
                                      const toll__member *m, uint32_t *id)
{
    toll__val v = slot_val(sl, m, 0);
    memo_ent *e = NULL;
    uint32_t h = 0;
    if (v.type == TOLL__V_TEXT) {
        e = memo_slot(in, TOLL__MEMO_SOURCE_ACTOR, v.s, v.len, &h);
        if (memo_hit(e, h, v.s, v.len)) {
            *id = e->id;
            return TOLL_OK;
        }
    }
    const char *s;
    size_t len;
    toll_status st = get_text(in, &v, slot_field(sl, m, 0), 0, &s, &len);
    if (!st)
        st = intern_actor(in, s, len, id);
    if (!st && e) {
        memo_fill(e, h, v.s, v.len);
        e->id = *id;
    }
    return st;
}

/* ---- quantities ------------------------------------------------------------------------- */

/* Store quantity q (or unknown) into the record's cells. */
static toll_status put_q(toll__ingest *in, size_t *nq, uint32_t cat,
                         const toll_quantity *q)
{
    if (TOLL__GROW(in, in->q, in->q_cap, *nq + 1))
        return toll__ingest_fatal(in, TOLL_ENOMEM);
    toll__qcell *c = &in->q[(*nq)++];
    c->category = cat;
    if (q && q->known) {
        c->low = q->low;
        c->high = q->high;
        c->best = q->best;
    } else {
        c->low = -1;
        c->high = TOLL_OPEN;
        c->best = 0;
    }
    return TOLL_OK;
}

/* ---- repairs ------------------------------------------------------------------------ */

/*
 * Note a repair of the current record, as the interned text
 * "RECORD\x1fFIELD\x1fTEXT\x1fMESSAGE"; once the record is appended it
 * goes to the store's repair list (toll_reports_repair decodes it).
 */
static toll_status add_repair(toll__ingest *in, const char *field,
                              const char *text, size_t text_len,
                              const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static toll_status add_repair(toll__ingest *in, const char *field,
                              const char *text, size_t text_len,
                              const char *fmt, ...)
{
    char msg[sizeof in->rec.message];
    char val[sizeof in->rec.message + sizeof in->rec.text + 96];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    int tl = show_len(text, text_len);
    int n = snprintf(val, sizeof val, "%ld\x1f%s\x1f%.*s\x1f%s", in->record,
                     field ? field : "", tl, text, msg);
    if (n < 0)
        return toll__err(in->err, TOLL_EINVAL, "cannot format a repair");
    size_t len = (size_t)n < sizeof val ? (size_t)n : sizeof val - 1;
    if (TOLL__GROW(in, in->rep, in->rep_cap, in->nrep + 1))
        return toll__ingest_fatal(in, TOLL_ENOMEM);
    toll_status st = intern(in, val, len, &in->rep[in->nrep]);
    if (!st)
        in->nrep++;
    return st;
}

/* "46", "open", "37.5": a bound or best for repair messages. */
static void fmt_bound(char *buf, size_t size, int64_t v)
{
    if (v == TOLL_OPEN)
        snprintf(buf, size, "open");
    else
        snprintf(buf, size, "%lld", (long long)v);
}

/*
 * With repair on, widen [lo, hi] to take in every figure given (low, high
 * and best): low = the smallest, high = the largest, best kept.  Figures
 * already in order are never changed.
 */
static toll_status repair_q(toll__ingest *in, const char *field, int64_t *lo,
                            int64_t *hi, int has_best, double best)
{
    int64_t nlo = *lo, nhi = *hi;
    if (nhi != TOLL_OPEN && nlo > nhi) {
        int64_t t = nlo;
        nlo = nhi;
        nhi = t;
    }
    if (has_best && best == best) {
        if (best < (double)nlo)
            nlo = (int64_t)floor(best);
        if (nhi != TOLL_OPEN && best > (double)nhi && best < 9.2e18)
            nhi = (int64_t)ceil(best);
    }
    if (nlo == *lo && nhi == *hi)
        return TOLL_OK;
    char a[32], b[32], c[48], d[32], e[32], text[160];
    fmt_bound(a, sizeof a, *lo);
    fmt_bound(b, sizeof b, *hi);
    fmt_bound(d, sizeof d, nlo);
    fmt_bound(e, sizeof e, nhi);
    if (has_best) {
        snprintf(c, sizeof c, "%.17g", best);
        snprintf(text, sizeof text, "low %s, best %s, high %s", a, c, b);
    } else {
        c[0] = '\0';
        snprintf(text, sizeof text, "low %s, high %s", a, b);
    }
    toll_status st = add_repair(in, in->field ? in->field : field, text,
                                strlen(text),
                                "%s: out of order; range widened to low %s, "
                                "high %s%s%s%s",
                                text, d, e, has_best ? " (best " : "", c,
                                has_best ? " kept)" : "");
    if (!st) {
        *lo = nlo;
        *hi = nhi;
    }
    return st;
}

/* Run toll_quantity_make and locate its error: the record's field, and
 * text[0..tlen) as the offending text (the value the bounds came from: a
 * quantity object, or the cell of the column at fault), which the message
 * quotes unless it already shows it ("low 9 is greater than high 5" shows
 * the cell "9"). */
static toll_status make_q(toll__ingest *in, const char *field,
                          const char *text, size_t tlen, int64_t lo,
                          int64_t hi, int has_best, double best,
                          toll_quantity *q)
{
    if (in->repair) {
        toll_status rs = repair_q(in, field, &lo, &hi, has_best, best);
        if (rs)
            return rs;
    }
    toll_status st = toll_quantity_make(lo, hi, has_best, best, q, &in->rec);
    if (st == TOLL_ENOMEM)
        return toll__ingest_fatal(in, st);
    if (st) {
        char why[sizeof in->rec.message];
        snprintf(why, sizeof why, "%s", in->rec.message);
        toll__trim_space(&text, &tlen);
        int shown = show_len(text, tlen);
        int quoted = 0;
        for (const char *w = why; shown > 0 && !quoted && *w; w++)
            quoted = strncmp(w, text, (size_t)shown) == 0;
        return toll__rec_err(in, st == TOLL_EPARSE ? st : TOLL_EREPORT, field,
                             text, tlen, quoted || !shown ? "%s" : "%s in %.*s%s",
                             why, shown, text,
                             (size_t)shown < tlen ? "..." : "");
    }
    return TOLL_OK;
}

/* The error for a JSON number that is no count (rc: TOLL__NUM_*). */
static toll_status count_err(toll__ingest *in, const char *field,
                             const char *s, size_t len, int rc)
{
    return toll__rec_err(in, TOLL_EREPORT, field, s, len,
                         "%.*s %s (expected a count of people)",
                         show_len(s, len), s, toll__number_problem(rc));
}

/* A JSON number as a count. */
static toll_status json_count(toll__ingest *in, const char *field,
                              const char *s, size_t len, int64_t *out)
{
    int rc = toll__number_count(s, len, out);
    return rc ? count_err(in, field, s, len, rc) : TOLL_OK;
}

size_t toll__json_skip_ws(const char *s, size_t len, size_t i)
{
    while (i < len && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' ||
                       s[i] == '\n'))
        i++;
    return i;
}

size_t toll__json_skip_value(const char *s, size_t len, size_t i)
{
    if (i >= len)
        return i;
    if (s[i] == '"') {
        for (i = toll__json_quote_or_escape(s, len, i + 1); i < len;
             i = toll__json_quote_or_escape(s, len, i + 2)) {
            if (s[i] == '"')
                return i + 1;
        }
        return len;
    }
    if (s[i] == '{' || s[i] == '[') {
        long depth = 0;
        int in_str = 0;
        for (; i < len; i++) {
            char c = s[i];
            if (in_str) {
                if (c == '\\')
                    i++;
                else if (c == '"')
                    in_str = 0;
            } else if (c == '"') {
                in_str = 1;
            } else if (c == '{' || c == '[') {
                depth++;
            } else if (c == '}' || c == ']') {
                if (--depth == 0)
                    return i + 1;
            }
        }
        return len;
    }
    while (i < len && s[i] != ',' && s[i] != '}' && s[i] != ']' &&
           s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
        i++;
    return i;
}

/* {"low": N, "high": N|null, "best": X}: all from the raw text. */
static toll_status q_object(toll__ingest *in, const char *field,
                            const toll__val *v, toll_quantity *q)
{
    const char *s = v->s;
    size_t len = v->len, i = toll__json_skip_ws(s, len, 0);
    const char *lo = NULL, *hi = NULL, *best = NULL;
    size_t lol = 0, hil = 0, bestl = 0;
    int have_lo = 0, have_hi = 0, have_best = 0;
    if (i < len && s[i] == '{')
        i++;
    for (;;) {
        i = toll__json_skip_ws(s, len, i);
        if (i < len && s[i] == ',')
            i = toll__json_skip_ws(s, len, i + 1);
        if (i >= len || s[i] == '}')
            break;
        size_t ks = i, ke = toll__json_skip_value(s, len, i);
        i = toll__json_skip_ws(s, len, ke);
        if (i < len && s[i] == ':')
            i++;
        i = toll__json_skip_ws(s, len, i);
        size_t vs = i, ve = toll__json_skip_value(s, len, i);
        i = ve;
        const char **dst;
        size_t *dl;
        int *have;
        if (ke - ks == 5 && memcmp(s + ks, "\"low\"", 5) == 0) {
            dst = &lo, dl = &lol, have = &have_lo;
        } else if (ke - ks == 6 && memcmp(s + ks, "\"high\"", 6) == 0) {
            dst = &hi, dl = &hil, have = &have_hi;
        } else if (ke - ks == 6 && memcmp(s + ks, "\"best\"", 6) == 0) {
            dst = &best, dl = &bestl, have = &have_best;
        } else {
            return toll__rec_err(in, TOLL_EREPORT, field, s + ks, ke - ks,
                                 "unknown key %.*s in a quantity object "
                                 "(expected \"low\", \"high\", \"best\")",
                                 show_len(s + ks, ke - ks), s + ks);
        }
        if (*have)
            return toll__rec_err(in, TOLL_EREPORT, field, s + ks, ke - ks,
                                 "key %.*s appears twice in a quantity "
                                 "object",
                                 show_len(s + ks, ke - ks), s + ks);
        *have = 1;
        *dst = s + vs;
        *dl = ve - vs;
        char c = s[vs];
        int is_null = ve - vs == 4 && memcmp(s + vs, "null", 4) == 0;
        int is_num = c == '-' || (c >= '0' && c <= '9');
        if (!is_num && !(is_null && dst != &lo))
            return toll__rec_err(in, TOLL_EREPORT, field, s + vs, ve - vs,
                                 "\"%s\" must be a number%s, not %.*s",
                                 dst == &lo ? "low" : dst == &hi ? "high"
                                                                 : "best",
                                 dst == &lo ? "" : " or null",
                                 show_len(s + vs, ve - vs), s + vs);
        if (is_null)
            *dst = NULL;
    }
    if (!have_lo || !have_hi)
        return toll__rec_err(in, TOLL_EREPORT, field, s, len,
                             "a quantity object needs \"low\" and \"high\" "
                             "(\"high\": null when open)");
    int64_t l = 0, h = TOLL_OPEN;
    double b = 0;
    toll_status st;
    if ((st = json_count(in, field, lo, lol, &l)))
        return st;
    if (hi && (st = json_count(in, field, hi, hil, &h)))
        return st;
    if (best) {
        int rc = toll__number_decimal(best, bestl, &b);
        if (rc)
            return toll__rec_err(in, TOLL_EREPORT, field, best, bestl,
                                 "best %.*s %s", show_len(best, bestl), best,
                                 toll__number_problem(rc));
    }
    return make_q(in, field, s, len, l, h, best != NULL, b, q);
}

/* A quantity from one value. */
static toll_status q_value(toll__ingest *in, const char *field,
                           const toll__val *v, toll_quantity *q)
{
    toll_status st;
    memset(q, 0, sizeof *q);
    switch (v->type) {
    case TOLL__V_NULL:
        return TOLL_OK; /* unknown */
    case TOLL__V_TEXT: {
        memo_ent *e;
        uint32_t h = 0;
        e = memo_slot(in, TOLL__MEMO_QTY, v->s, v->len, &h);
        if (memo_hit(e, h, v->s, v->len)) {
            q->known = e->flag;
            if (q->known) {
                q->low = e->lo;
                q->high = e->hi;
                q->best = e->best;
                q->has_best = 1;
            }
            return TOLL_OK;
        }
        /* plain counts and ranges take the parser's own fast path
         * (toll__quantity_fast, src/core/quantity.c) */
        st = toll_quantity_parse(v->s, v->len, &in->opts->parse, q, &in->rec);
        if (st == TOLL_ENOMEM)
            return toll__ingest_fatal(in, st);
        if (st) {
            in->rec.code = TOLL_EPARSE;
            toll__err_locate(&in->rec, in->name, in->line, in->record, field);
            return TOLL_EPARSE;
        }
        if (e) {
            memo_fill(e, h, v->s, v->len);
            e->flag = (uint8_t)(q->known != 0);
            e->lo = q->known ? q->low : 0;
            e->hi = q->known ? q->high : 0;
            e->best = q->known ? q->best : 0;
        }
        return TOLL_OK;
    }
    case TOLL__V_NUMBER: {
        /* an exact count, made as the parser makes a plain count
         * (src/core/quantity.c) */
        int rc = toll__quantity_number(v->s, v->len, q);
        return rc ? count_err(in, field, v->s, v->len, rc) : TOLL_OK;
    }
    case TOLL__V_OBJECT:
        return q_object(in, field, v, q);
    default:
        return toll__rec_err(in, TOLL_EREPORT, field, v->s, v->len,
                             "expected a count, a text like \"at least 5\" "
                             "or {\"low\", \"high\", \"best\"}, not %s",
                             type_name(v->type));
    }
}

/*
 * One part of a LOW..HIGH or LOW..BEST..HIGH map: *present = 0 when empty.
 * Counts must be whole and non-negative; best may be a decimal.
 */
static toll_status range_part(toll__ingest *in, const toll__slot *sl,
                              const toll__member *m, size_t k, int is_best,
                              int *present, int64_t *count, double *best)
{
    toll__val v = slot_val(sl, m, k);
    const char *field = slot_field(sl, m, k);
    const char *s = v.s;
    size_t len = v.len;
    *present = 0;
    if (v.type == TOLL__V_ABSENT || v.type == TOLL__V_NULL)
        return TOLL_OK;
    if (v.type != TOLL__V_TEXT && v.type != TOLL__V_NUMBER)
        return toll__rec_err(in, TOLL_EREPORT, field, v.s, v.len,
                             "expected a count for '%s', not %s", sl->name,
                             type_name(v.type));
    if (v.type == TOLL__V_TEXT)
        toll__trim_space(&s, &len);
    if (len == 0 || (v.type == TOLL__V_TEXT && (s[0] < '0' || s[0] > '9') &&
                     toll__quantity_unknown(s, len)))
        return TOLL_OK; /* "", "NA", "n/a", "-": unknown (src/core) */
    *present = 1;
    int rc;
    if (is_best)
        rc = toll__number_decimal(s, len, best);
    else if (v.type == TOLL__V_NUMBER)
        rc = toll__number_count(s, len, count);
    else
        rc = toll__number_digits(s, len, count);
    if (rc)
        return toll__rec_err(in, TOLL_EREPORT, field, s, len,
                             "\"%.*s\" %s (expected a count for '%s')",
                             show_len(s, len), s,
                             rc == TOLL__NUM_BAD ? "is not a whole number"
                                                 : toll__number_problem(rc),
                             sl->name);
    return TOLL_OK;
}

static toll_status q_range(toll__ingest *in, const toll__slot *sl,
                           const toll__member *m, toll_quantity *q)
{
    int has_lo, has_hi, has_best = 0;
    int64_t lo = 0, hi = 0, dummy;
    double best = 0, dd;
    toll_status st;
    size_t hk = sl->shape == TOLL__CM_RANGE3 ? 2 : 1;
    memset(q, 0, sizeof *q);
    if ((st = range_part(in, sl, m, 0, 0, &has_lo, &lo, &dd)))
        return st;
    if ((st = range_part(in, sl, m, hk, 0, &has_hi, &hi, &dd)))
        return st;
    if (sl->shape == TOLL__CM_RANGE3 &&
        (st = range_part(in, sl, m, 1, 1, &has_best, &dummy, &best)))
        return st;
    if (!has_lo && !has_hi && !has_best)
        return TOLL_OK; /* unknown */
    if (!has_lo)
        lo = 0;
    if (!has_hi)
        hi = TOLL_OPEN;
    /* Name the column most likely at fault: low when low > high, else
     * best when given, else low. */
    size_t fk = 0;
    if (!(has_lo && has_hi && lo > hi) && has_best)
        fk = 1;
    else if (!has_lo)
        fk = hk;
    toll__val fv = slot_val(sl, m, fk);
    return make_q(in, slot_field(sl, m, fk), fv.s, fv.len, lo, hi, has_best,
                  best, q);
}

/* ---- region, actors ------------------------------------------------------------------- */

/*
 * Append one level to in->text; checks it is non-empty and has no '/'.
 * With repair on, a level holding '/' ("Hkamti district/Naga Hills
 * district": one of two places) ends the region at the level above: *cut
 * is set, the repair noted, and nothing appended.
 */
static toll_status add_level(toll__ingest *in, const char *field,
                             const char *whole, size_t whole_len,
                             const char *s, size_t len, int *cut)
{
    toll__trim_space(&s, &len);
    if (toll__region_level_empty(s, len))
        return toll__rec_err(in, TOLL_EREPORT, field, whole, whole_len,
                             "region \"%.*s\" has an empty level",
                             show_len(whole, whole_len), whole);
    if (memchr(s, '/', len) && in->repair) {
        *cut = 1;
        return add_repair(in, "region", s, len,
                          "region level \"%.*s\" (%s) contains '/': region "
                          "cut to \"%.*s\"",
                          show_len(s, len), s, field,
                          show_len(in->text.data ? in->text.data : "",
                                   in->text.len),
                          in->text.data ? in->text.data : "");
    }
    if (memchr(s, '/', len))
        return toll__rec_err(in, TOLL_EREPORT, field, s, len,
                             "region level \"%.*s\" contains '/'",
                             show_len(s, len), s);
    if ((in->text.len && toll__buf_putc(&in->text, '/')) ||
        toll__buf_append(&in->text, s, len))
        return toll__ingest_fatal(in, TOLL_ENOMEM);
    return TOLL_OK;
}

static toll_status region_read(toll__ingest *in, const toll__slot *sl,
                               const toll__member *m, uint32_t *id);

/* The region, through the memo when it is one text. */
static toll_status region_field(toll__ingest *in, const toll__slot *sl,
                                const toll__member *m, uint32_t *id)
{
    memo_ent *e = NULL;
    uint32_t h = 0;
    toll__val v = slot_val(sl, m, 0);
    if (sl->shape != TOLL__CM_LEVELS && v.type == TOLL__V_TEXT) {
        e = memo_slot(in, TOLL__MEMO_REGION, v.s, v.len, &h);
        if (memo_hit(e, h, v.s, v.len)) {
            *id = e->id;
            return TOLL_OK;
        }
    }
    size_t nrep = in->nrep;
    toll_status st = region_read(in, sl, m, id);
    if (!st && e && in->nrep == nrep) { /* no repair */
        memo_fill(e, h, v.s, v.len);
        e->id = *id;
    }
    return st;
}

static toll_status region_read(toll__ingest *in, const toll__slot *sl,
                               const toll__member *m, uint32_t *id)
{
    toll_status st;
    int cut = 0;
    in->text.len = 0;
    *id = 0;
    if (sl->shape == TOLL__CM_LEVELS) {
        /* One level per column; empty trailing levels are dropped. */
        size_t last = 0; /* number of levels up to the last non-empty */
        const char *s[TOLL__CM_MAX_COLS];
        size_t len[TOLL__CM_MAX_COLS];
        for (size_t k = 0; k < sl->ncols; k++) {
            toll__val v = slot_val(sl, m, k);
            if ((st = get_text(in, &v, slot_field(sl, m, k), 1, &s[k],
                               &len[k])))
                return st;
            if (len[k])
                last = k + 1;
        }
        for (size_t k = 0; k < last && !cut; k++) {
            if (len[k] == 0)
                return toll__rec_err(in, TOLL_EREPORT, slot_field(sl, m, k),
                                     NULL, 0,
                                     "empty region level before a "
                                     "non-empty one");
            if ((st = add_level(in, slot_field(sl, m, k), s[k], len[k], s[k],
                                len[k], &cut)))
                return st;
        }
        return intern(in, in->text.data, in->text.len, id);
    }
    toll__val v = slot_val(sl, m, 0);
    const char *field = slot_field(sl, m, 0);
    if (v.type == TOLL__V_ARRAY) {
        const cJSON *c;
        cJSON_ArrayForEach(c, (const cJSON *)v.json)
        {
            if (!cJSON_IsString(c) || !c->valuestring)
                return toll__rec_err(in, TOLL_EREPORT, field, v.s, v.len,
                                     "region levels must be strings");
            const char *s = c->valuestring;
            size_t len = strlen(s);
            if (!cut && (st = add_level(in, field, v.s, v.len, s, len, &cut)))
                return st;
        }
        return intern(in, in->text.data, in->text.len, id);
    }
    const char *s;
    size_t len;
    if ((st = get_text(in, &v, field, 0, &s, &len)))
        return st;
    if (len == 0)
        return TOLL_OK;
    char sep = in->opts->region_separator ? in->opts->region_separator : '/';
    size_t pos = 0;
    while (pos <= len && !cut) {
        const char *q = memchr(s + pos, sep, len - pos);
        size_t end = q ? (size_t)(q - s) : len;
        if ((st = add_level(in, field, s, len, s + pos, end - pos, &cut)))
            return st;
        pos = end + 1;
    }
    return intern(in, in->text.data, in->text.len, id);
}

/* Add one actor name (trimmed; empty names are skipped). */
static toll_status add_actor(toll__ingest *in, size_t *n, const char *s,
                             size_t len)
{
    toll__trim_space(&s, &len);
    if (len == 0)
        return TOLL_OK;
    if (TOLL__GROW(in, in->ids, in->ids_cap, *n + 1))
        return toll__ingest_fatal(in, TOLL_ENOMEM);
    /* a name seen before is the same actor (its identity is folded once):
     * through the memo, which matters where the actors come in several
     * columns (actor=side_a+side_b) and the whole text is not memoised */
    uint32_t h = 0;
    memo_ent *e = memo_slot(in, TOLL__MEMO_ACTOR_NAME, s, len, &h);
    if (memo_hit(e, h, s, len)) {
        in->ids[(*n)++] = e->id;
        return TOLL_OK;
    }
    uint32_t id;
    toll_status st = intern_actor(in, s, len, &id);
    if (st)
        return st;
    if (e) {
        memo_fill(e, h, s, len);
        e->id = id;
    }
    in->ids[(*n)++] = id;
    return TOLL_OK;
}

/* The actors of one value (a JSON array, or text split at the actor
 * separator in CSV), added to in->ids[*n..]. */
static toll_status actor_value(toll__ingest *in, const toll__val *vp,
                               const char *field, size_t *np)
{
    toll__val v = *vp;
    size_t n = *np;
    toll_status st = TOLL_OK;
    if (v.type == TOLL__V_ARRAY) {
        const cJSON *c;
        cJSON_ArrayForEach(c, (const cJSON *)v.json)
        {
            if (!cJSON_IsString(c) || !c->valuestring)
                return toll__rec_err(in, TOLL_EREPORT, field, v.s, v.len,
                                     "actors must be strings");
            if ((st = add_actor(in, &n, c->valuestring,
                                strlen(c->valuestring))))
                return st;
        }
    } else {
        const char *s;
        size_t len;
        if ((st = get_text(in, &v, field, 0, &s, &len)))
            return st;
        if (v.type == TOLL__V_TEXT) { /* "A;B": actors A and B */
            char sep = in->opts->actor_separator ? in->opts->actor_separator
                                                 : ';';
            size_t pos = 0;
            while (pos <= len) {
                const char *q = memchr(s + pos, sep, len - pos);
                size_t end = q ? (size_t)(q - s) : len;
                if ((st = add_actor(in, &n, s + pos, end - pos)))
                    return st;
                pos = end + 1;
            }
        } else if ((st = add_actor(in, &n, s, len))) {
            return st;
        }
    }
    *np = n;
    return TOLL_OK;
}

static toll_status actor_field(toll__ingest *in, const toll__slot *sl,
                               const toll__member *m, uint32_t *set)
{
    size_t n = 0;
    toll_status st;
    *set = 0;
    /* One text: through the memo. */
    memo_ent *e = NULL;
    uint32_t h = 0;
    toll__val v1 = slot_val(sl, m, 0);
    if (sl->shape != TOLL__CM_LEVELS && v1.type == TOLL__V_TEXT) {
        e = memo_slot(in, TOLL__MEMO_ACTOR, v1.s, v1.len, &h);
        if (memo_hit(e, h, v1.s, v1.len)) {
            *set = e->id;
            return TOLL_OK;
        }
    }
    /* One column, or several (actor=side_a+side_b). */
    size_t ncols = sl->shape == TOLL__CM_LEVELS ? sl->ncols : 1;
    for (size_t k = 0; k < ncols; k++) {
        toll__val v = slot_val(sl, m, k);
        if ((st = actor_value(in, &v, slot_field(sl, m, k), &n)))
            return st;
    }
    if (n && (st = toll__setpool_intern(&in->r->actor_sets, &in->r->strings,
                                        in->ids, n, set)))
        return toll__ingest_fatal(in, st);
    if (e) {
        memo_fill(e, h, v1.s, v1.len);
        e->id = *set;
    }
    return TOLL_OK;
}

/* ---- dates ---------------------------------------------------------------------------- */

typedef struct date_in {
    toll__val v;
    const char *field;
    int given;
} date_in;

/* Parse one date value; *given = 0 when absent or blank. */
static toll_status date_value(toll__ingest *in, date_in *d, int32_t *first,
                              int32_t *last)
{
    const char *s;
    size_t len;
    memo_ent *e = NULL;
    uint32_t h = 0;
    if (d->v.type == TOLL__V_TEXT) {
        e = memo_slot(in, TOLL__MEMO_DATE, d->v.s, d->v.len, &h);
        if (memo_hit(e, h, d->v.s, d->v.len)) {
            d->given = e->flag;
            *first = (int32_t)e->lo;
            *last = (int32_t)e->hi;
            return TOLL_OK;
        }
    }
    toll_status st = get_text(in, &d->v, d->field, 1, &s, &len);
    if (st)
        return st;
    d->given = len > 0;
    if (len) {
        st = toll__date_read(in->date_format, &in->date_window, s, len,
                             first, last, &in->rec);
        if (st) {
            toll__err_locate(&in->rec, in->name, in->line, in->record,
                             d->field);
            return st;
        }
    }
    if (e) {
        memo_fill(e, h, d->v.s, d->v.len);
        e->flag = (uint8_t)d->given;
        e->lo = d->given ? *first : 0;
        e->hi = d->given ? *last : 0;
    }
    return TOLL_OK;
}

static toll_status dates(toll__ingest *in, date_in *date, date_in *start,
                         date_in *end, toll__row *row)
{
    int32_t a, b, a2, b2;
    toll_status st;
    if ((st = date_value(in, date, &a, &b)) ||
        (st = date_value(in, start, &a2, &b2)))
        return st;
    int32_t c = 0, d = 0;
    if ((st = date_value(in, end, &c, &d)))
        return st;
    if (date->given) {
        if (start->given || end->given) {
            const date_in *o = start->given ? start : end;
            const char *ds = date->v.s, *os = o->v.s;
            size_t dl = date->v.len, ol = o->v.len;
            toll__trim_space(&ds, &dl);
            toll__trim_space(&os, &ol);
            return toll__rec_err(in, TOLL_EREPORT, date->field, ds, dl,
                                 "give either 'date' or "
                                 "'date_start'/'date_end', not both "
                                 "(date \"%.*s\", %s \"%.*s\")",
                                 show_len(ds, dl), ds, o->field,
                                 show_len(os, ol), os);
        }
        row->date_start = a;
        row->date_end = b;
        return TOLL_OK;
    }
    if (start->given && end->given) {
        row->date_start = a2;
        row->date_end = d;
    } else if (start->given) {
        row->date_start = a2;
        row->date_end = b2;
    } else if (end->given) {
        row->date_start = c;
        row->date_end = d;
    }
    if (start->given && end->given && d < a2) {
        char sb[16], eb[16];
        toll_date_format(a2, sb);
        toll_date_format(d, eb);
        return toll__rec_err(in, TOLL_EREPORT, end->field, end->v.s,
                             end->v.s ? end->v.len : 0,
                             "%s (%s) is before %s (%s)", end->field, eb,
                             start->field, sb);
    }
    return TOLL_OK;
}

/* ---- place: coordinates and precision ------------------------------------------------ */

/* [+-]digits[.digits] with at most 15 digits in all: *v is the value,
 * as strtod gives it (the digits as an integer are exact in a double, so
 * is 10^k for k <= 15, and one division rounds correctly: Clinger's fast
 * path).  0 for anything else (an exponent, more digits): strtod then. */
static int exact_decimal(const char *s, size_t len, double *v)
{
    static const double p10[] = {1e0, 1e1, 1e2,  1e3,  1e4,  1e5,
                                 1e6, 1e7, 1e8,  1e9,  1e10, 1e11,
                                 1e12, 1e13, 1e14, 1e15};
    size_t i = 0;
    int neg = 0;
    if (s[0] == '+' || s[0] == '-')
        neg = s[i++] == '-';
    uint64_t m = 0;
    int digits = 0, frac = -1;
    for (; i < len; i++) {
        if (s[i] == '.' && frac < 0) {
            frac = 0;
            continue;
        }
        if (s[i] < '0' || s[i] > '9' || ++digits > 15)
            return 0;
        m = m * 10 + (uint64_t)(s[i] - '0');
        if (frac >= 0)
            frac++;
    }
    if (!digits)
        return 0;
    double x = (double)m;
    if (frac > 0)
        x /= p10[frac];
    *v = neg ? -x : x;
    return 1;
}

int toll__geo_number(int which, const char *s, size_t len, double *out)
{
    /* a decimal number: [+-]digits[.digits][e[+-]digits], a digit on at
     * least one side of the point; no NaN, no infinity, no hex */
    size_t i = 0, digits = 0;
    if (i < len && (s[i] == '+' || s[i] == '-'))
        i++;
    while (i < len && s[i] >= '0' && s[i] <= '9')
        i++, digits++;
    if (i < len && s[i] == '.')
        for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++)
            digits++;
    if (!digits)
        return TOLL__GEO_NOT_NUMBER;
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        size_t e0;
        i++;
        if (i < len && (s[i] == '+' || s[i] == '-'))
            i++;
        for (e0 = i; i < len && s[i] >= '0' && s[i] <= '9'; i++)
            ;
        if (i == e0)
            return TOLL__GEO_NOT_NUMBER;
    }
    if (i != len)
        return TOLL__GEO_NOT_NUMBER;
    double v;
    if (!exact_decimal(s, len, &v)) {
        char buf[64];
        if (len >= sizeof buf)
            return TOLL__GEO_NOT_NUMBER;
        memcpy(buf, s, len);
        buf[len] = '\0';
        char *end = NULL;
        v = strtod(buf, &end);
        if (end != buf + len) /* (a locale whose decimal point is not '.') */
            return TOLL__GEO_NOT_NUMBER;
    }
    static const double lo[] = {-90, -180, 0},
                        hi[] = {90, 180, TOLL__PRECISION_MAX_KM};
    if (!(v >= lo[which] && v <= hi[which])) /* also inf */
        return TOLL__GEO_RANGE;
    *out = v + 0.0; /* -0: 0 */
    return TOLL__GEO_OK;
}

int toll__geo_check(int has_lat, int has_lon, int has_precision)
{
    if (has_lat && !has_lon)
        return TOLL__GEO_LAT_ALONE;
    if (has_lon && !has_lat)
        return TOLL__GEO_LON_ALONE;
    if (has_precision && !has_lat)
        return TOLL__GEO_PREC_ALONE;
    return TOLL__GEO_OK;
}

/* One of lat, lon, precision_km as read from its slot. */
typedef struct geo_in {
    const char *field; /* the input's column (or the target) */
    const char *s;     /* the text, trimmed */
    size_t len;
    int given;
    double x;
} geo_in;

static const char *const geo_expect[] = {
    "decimal degrees from -90 to 90", "decimal degrees from -180 to 180",
    "a radius in km from 0 to 20037.5"};

/* Read slot sl (lat, lon or precision_km: `which`) into *g. */
static toll_status geo_value(toll__ingest *in, const toll__slot *sl,
                             const toll__member *m, int which, geo_in *g)
{
    toll__val v = slot_val(sl, m, 0);
    g->field = slot_field(sl, m, 0);
    g->given = 0;
    if (v.type == TOLL__V_ABSENT || v.type == TOLL__V_NULL)
        return TOLL_OK;
    if (v.type != TOLL__V_TEXT && v.type != TOLL__V_NUMBER)
        return toll__rec_err(in, TOLL_EREPORT, g->field, v.s, v.len,
                             "expected a number for '%s' (%s), not %s",
                             sl->coded ? "precision_km" : sl->name,
                             geo_expect[which], type_name(v.type));
    g->s = v.s;
    g->len = v.len;
    toll__trim_space(&g->s, &g->len);
    if (!g->len)
        return TOLL_OK;
    g->given = 1;
    if (sl->coded) {
        if (toll__preset_precision(in->preset, g->s, g->len, &g->x))
            return TOLL_OK;
        char codes[96];
        toll__preset_codes(in->preset, codes, sizeof codes);
        return toll__rec_err(in, TOLL_EREPORT, g->field, g->s, g->len,
                             "unknown %s code \"%.*s\" (the %s preset knows "
                             "%s)",
                             sl->name, show_len(g->s, g->len), g->s,
                             in->preset->name, codes);
    }
    int rc = toll__geo_number(which, g->s, g->len, &g->x);
    if (rc)
        return toll__rec_err(in, TOLL_EREPORT, g->field, g->s, g->len,
                             "%s \"%.*s\" is %s (expected %s)", sl->name,
                             show_len(g->s, g->len), g->s,
                             rc == TOLL__GEO_RANGE ? "out of range"
                                                   : "not a number",
                             geo_expect[which]);
    return TOLL_OK;
}

/* The place of the row from what was read: the rule of the set
 * (toll__geo_check), then the row's columns. */
static toll_status geo_finish(toll__ingest *in, const geo_in g[3],
                              toll__row *row)
{
    switch (toll__geo_check(g[0].given, g[1].given, g[2].given)) {
    case TOLL__GEO_LAT_ALONE:
        return toll__rec_err(in, TOLL_EREPORT, g[1].field, g[0].s, g[0].len,
                             "'%s' is missing: '%s' is given (\"%.*s\") and "
                             "coordinates come as a pair",
                             g[1].field, g[0].field, show_len(g[0].s, g[0].len),
                             g[0].s);
    case TOLL__GEO_LON_ALONE:
        return toll__rec_err(in, TOLL_EREPORT, g[0].field, g[1].s, g[1].len,
                             "'%s' is missing: '%s' is given (\"%.*s\") and "
                             "coordinates come as a pair",
                             g[0].field, g[1].field, show_len(g[1].s, g[1].len),
                             g[1].s);
    case TOLL__GEO_PREC_ALONE:
        return toll__rec_err(in, TOLL_EREPORT, g[2].field, g[2].s, g[2].len,
                             "'%s' (\"%.*s\") is given without coordinates "
                             "(lat, lon)",
                             g[2].field, show_len(g[2].s, g[2].len), g[2].s);
    default:
        break;
    }
    if (g[0].given) {
        row->lat = g[0].x;
        row->lon = g[1].x;
    }
    if (g[2].given)
        row->precision_km = toll__precision_store(g[2].x);
    return TOLL_OK;
}

/* ---- extras ----------------------------------------------------------------------------- */

/* Compact JSON: the raw text without whitespace outside strings. */
static toll_status compact_json(toll__ingest *in, const char *s, size_t len)
{
    in->text.len = 0;
    int in_str = 0;
    size_t run = 0; /* start of the pending run of bytes to copy */
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (in_str) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_str = 0;
        } else if (c == '"') {
            in_str = 1;
        } else if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
            if (i > run && toll__buf_append(&in->text, s + run, i - run))
                return toll__ingest_fatal(in, TOLL_ENOMEM);
            run = i + 1;
        }
    }
    if (len > run && toll__buf_append(&in->text, s + run, len - run))
        return toll__ingest_fatal(in, TOLL_ENOMEM);
    if (!in->text.data && toll__buf_append(&in->text, "", 0))
        return toll__ingest_fatal(in, TOLL_ENOMEM);
    return TOLL_OK;
}

/* Keep member mb as the next kept field: its name interned (*key_cache,
 * when not NULL, holds the name's id once known), its value copied into
 * the store's kept text (src/store/store.h: interned only when read). */
static toll_status add_extra(toll__ingest *in, size_t *nx,
                             const toll__member *mb, uint32_t *key_cache)
{
    const toll__val *v = &mb->v;
    const char *s = v->s;
    size_t len = v->len;
    toll_status st;
    if (mb->klen == 0 || v->type == TOLL__V_ABSENT ||
        v->type == TOLL__V_NULL || (v->type == TOLL__V_TEXT && len == 0))
        return TOLL_OK;
    if (v->type == TOLL__V_ARRAY || v->type == TOLL__V_OBJECT) {
        if ((st = compact_json(in, s, len)))
            return st;
        s = in->text.data;
        len = in->text.len;
    }
    if (len > UINT32_MAX)
        return toll__rec_err(in, TOLL_EREPORT, mb->key, NULL, 0,
                             "value too long (%zu bytes)", len);
    if (TOLL__GROW(in, in->x, in->x_cap, *nx + 1))
        return toll__ingest_fatal(in, TOLL_ENOMEM);
    toll__kv *kv = &in->x[*nx];
    if (key_cache && *key_cache)
        kv->key = *key_cache;
    else if ((st = intern(in, mb->key, mb->klen, &kv->key)))
        return st;
    else if (key_cache)
        *key_cache = kv->key;
    char *t = toll__reports_xtext_stage(in->r, in->xused, len);
    if (!t)
        return toll__ingest_fatal(in, TOLL_ENOMEM);
    memcpy(t, s, len);
    in->xused += len;
    kv->len = (uint32_t)len;
    (*nx)++;
    return TOLL_OK;
}

/*
 * The kept fields of a row whose values are all text (CSV rows, and JSON
 * rows without arrays or objects among them), as add_extra keeps them one
 * by one: names interned in column order, values copied in order, but
 * with one room check for the cells and one for the text.  *done = 0
 * (nothing kept) when a value is not text or is too long: the caller then
 * keeps them with add_extra.
 */
static toll_status add_text_extras(toll__ingest *in, const toll__binding *b,
                                   const toll__member *m, size_t n,
                                   size_t *nx, int *done)
{
    size_t total = 0, cnt = 0;
    *done = 0;
    for (size_t j = 0; j < n; j++) {
        const toll__member *mb = &m[j];
        if (!b->extra[j] || mb->klen == 0 || mb->v.type == TOLL__V_ABSENT ||
            mb->v.type == TOLL__V_NULL)
            continue;
        if (mb->v.type != TOLL__V_TEXT || mb->v.len > UINT32_MAX)
            return TOLL_OK;
        total += mb->v.len;
        cnt += mb->v.len != 0;
    }
    *done = 1;
    if (!cnt)
        return TOLL_OK;
    if (TOLL__GROW(in, in->x, in->x_cap, *nx + cnt))
        return toll__ingest_fatal(in, TOLL_ENOMEM);
    char *t = toll__reports_xtext_stage(in->r, in->xused, total);
    if (!t)
        return toll__ingest_fatal(in, TOLL_ENOMEM);
    uint32_t *cache = b == &in->bind ? in->xkey : NULL;
    size_t ncache = cache ? in->xkey_cap : 0;
    toll_status st;
    for (size_t j = 0; j < n; j++) {
        const toll__member *mb = &m[j];
        size_t len = mb->v.len;
        if (!b->extra[j] || mb->klen == 0 || mb->v.type != TOLL__V_TEXT ||
            len == 0)
            continue;
        toll__kv *kv = &in->x[(*nx)++];
        if (j < ncache && cache[j])
            kv->key = cache[j];
        else if ((st = intern(in, mb->key, mb->klen, &kv->key)))
            return st;
        else if (j < ncache)
            cache[j] = kv->key;
        memcpy(t, mb->v.s, len);
        t += len;
        kv->len = (uint32_t)len;
    }
    in->xused += total;
    return TOLL_OK;
}

/* ---- one record ------------------------------------------------------------------------ */

static toll_status build_row(toll__ingest *in, const toll__binding *b,
                             const toll__member *m, size_t n)
{
    toll__row row;
    memset(&row, 0, sizeof row);
    row.date_start = row.date_end = TOLL_NO_DATE;
    row.lat = row.lon = NAN;
    row.file = in->file_id;
    /* several records on one line: the record tells them apart */
    row.line_rec = in->record_in_message && in->record >= 0 &&
                           in->record < (long)UINT32_MAX
                       ? (uint32_t)(in->record + 1)
                       : 0;
    row.line = in->line > 0 && in->line < (long)UINT32_MAX
                   ? (uint32_t)in->line
                   : (uint32_t)(in->record + 1);
    date_in date = {{0}, "date", 0}, start = {{0}, "date_start", 0},
            end = {{0}, "date_end", 0};
    const toll__slot *source_slot = NULL;
    geo_in geo[3] = {{"lat", "", 0, 0, 0}, {"lon", "", 0, 0, 0},
                     {"precision_km", "", 0, 0, 0}};
    size_t nq = 0, nx = 0;
    toll_status st = TOLL_OK;
    in->nrep = 0;
    in->field = NULL;
    in->xused = 0;

    for (size_t i = 0; i < b->nslots && !st; i++) {
        const toll__slot *sl = &b->slot[i];
        const char *field;
        switch (sl->field) {
        case TOLL__F_INCIDENT:
            st = in->key_prefix ? key_field(in, sl, m, &row.incident)
                                : text_field(in, sl, m, 1, 0, &row.incident);
            break;
        case TOLL__F_SOURCE:
            source_slot = sl;
            st = text_field(in, sl, m, 0, 1, &row.source);
            break;
        case TOLL__F_SOURCE_KIND: {
            toll__val v = slot_val(sl, m, 0);
            const char *s;
            size_t len;
            toll_source_kind k = TOLL_SOURCE_OTHER;
            memo_ent *e = NULL;
            uint32_t h = 0;
            field = slot_field(sl, m, 0);
            if (v.type == TOLL__V_TEXT) {
                e = memo_slot(in, TOLL__MEMO_KIND, v.s, v.len, &h);
                if (memo_hit(e, h, v.s, v.len)) {
                    row.source_kind = (uint8_t)e->id;
                    break;
                }
            }
            st = get_text(in, &v, field, 0, &s, &len);
            if (!st && len && !kind_parse_n(s, len, &k))
                st = toll__rec_err(in, TOLL_EREPORT, field, s, len,
                                   "unknown source kind \"%.*s\" (expected "
                                   "monitor, rescue, media, party, un, ngo "
                                   "or other)",
                                   show_len(s, len), s);
            row.source_kind = (uint8_t)k;
            if (!st && e) {
                memo_fill(e, h, v.s, v.len);
                e->id = (uint32_t)k;
            }
            break;
        }
        case TOLL__F_SOURCE_ACTOR:
            st = source_actor_field(in, sl, m, &row.source_actor);
            break;
        case TOLL__F_DATE:
        case TOLL__F_DATE_START:
        case TOLL__F_DATE_END: {
            date_in *d = sl->field == TOLL__F_DATE         ? &date
                         : sl->field == TOLL__F_DATE_START ? &start
                                                           : &end;
            d->v = slot_val(sl, m, 0);
            d->field = slot_field(sl, m, 0);
            break;
        }
        case TOLL__F_REGION:
            st = region_field(in, sl, m, &row.region);
            break;
        case TOLL__F_ACTOR:
            st = actor_field(in, sl, m, &row.actors);
            break;
        case TOLL__F_ID:
            st = text_field(in, sl, m, 1, 0, &row.id);
            break;
        case TOLL__F_URL:
            st = text_field(in, sl, m, 0, 0, &row.url);
            break;
        case TOLL__F_NOTE:
            st = text_field(in, sl, m, 0, 0, &row.note);
            break;
        case TOLL__F_LOCATION: /* place names repeat: memoised */
            st = text_field(in, sl, m, 0, 1, &row.location);
            break;
        case TOLL__F_LAT:
        case TOLL__F_LON:
        case TOLL__F_PRECISION_KM: {
            int which = sl->field == TOLL__F_LAT   ? TOLL__GEO_LAT
                        : sl->field == TOLL__F_LON ? TOLL__GEO_LON
                                                   : TOLL__GEO_PRECISION;
            st = geo_value(in, sl, m, which, &geo[which]);
            break;
        }
        case TOLL__F_KEEP: {
            /* keep:NAME=COLUMN: the column kept under NAME */
            toll__member mb;
            mb.key = sl->name + TOLL__KEEP_PREFIX_LEN;
            mb.klen = sl->name_len - TOLL__KEEP_PREFIX_LEN;
            while (mb.klen && toll__is_space((unsigned char)mb.key[0])) {
                mb.key++;
                mb.klen--;
            }
            mb.v = slot_val(sl, m, 0);
            st = add_extra(in, &nx, &mb, NULL);
            break;
        }
        case TOLL__F_CATEGORY: {
            toll_quantity q;
            in->field = sl->name;
            field = slot_field(sl, m, 0);
            if (sl->shape == TOLL__CM_RANGE || sl->shape == TOLL__CM_RANGE3) {
                st = q_range(in, sl, m, &q);
            } else {
                toll__val v = slot_val(sl, m, 0);
                if (v.type == TOLL__V_ABSENT)
                    break; /* a mapped column absent from this object */
                st = q_value(in, field, &v, &q);
            }
            if (!st)
                st = put_q(in, &nq, sl->category, &q);
            in->field = NULL;
            break;
        }
        default:
            break;
        }
    }
    if (st)
        return st;
    if (row.source == 0) {
        const char *col = source_slot && source_slot->shape == TOLL__CM_COLUMN
                              ? slot_field(source_slot, m, 0)
                              : NULL;
        if (col && strcmp(col, "source") != 0)
            toll__rec_err(in, TOLL_EREPORT, NULL, NULL, 0,
                          "missing required field 'source' (column '%s' "
                          "is empty)",
                          col);
        else
            toll__rec_err(in, TOLL_EREPORT, NULL, NULL, 0,
                          "missing required field 'source'");
        snprintf(in->rec.field, sizeof in->rec.field, "source");
        return TOLL_EREPORT;
    }
    if ((st = dates(in, &date, &start, &end, &row)) ||
        (st = geo_finish(in, geo, &row)))
        return st;
    int kept = 0;
    if (b->nextra && (st = add_text_extras(in, b, m, n, &nx, &kept)))
        return st;
    for (size_t j = 0; b->nextra && !kept && j < n; j++)
        if (b->extra[j] &&
            (st = add_extra(in, &nx, &m[j],
                            b == &in->bind && j < in->xkey_cap
                                ? &in->xkey[j]
                                : NULL)))
            return st;
    if (nq > UINT16_MAX || nx > UINT16_MAX)
        return toll__rec_err(in, TOLL_EREPORT, NULL, NULL, 0,
                             "too many fields in one report (%zu)",
                             nq > nx ? nq : nx);
    row.q = in->q;
    row.nq = nq;
    row.x = in->x;
    row.nx = nx;
    row.xtext = in->r->xtext ? in->r->xtext + in->r->nxtext : NULL;
    st = toll__reports_append(in->r, &row, in->err);
    if (st)
        return st == TOLL_ENOMEM ? toll__ingest_fatal(in, st) : st;
    /* the record's repairs, listed against it (rolled back with it) */
    for (size_t k = 0; k < in->nrep; k++)
        if (toll__reports_add_repair(in->r, (uint32_t)(in->r->n - 1),
                                     in->rep[k]))
            return toll__ingest_fatal(in, TOLL_ENOMEM);
    in->n_loaded++;
    return TOLL_OK;
}

toll_status toll__ingest_flush_now(toll__ingest *in, int all)
{
    if (!in->chunk_fn || !in->r->n || (!all && in->r->n < in->chunk))
        return TOLL_OK;
    toll_status st = in->chunk_fn(in->r, in->chunk_ctx, in->err);
    if (st)
        return st;
    toll__reports_drop_rows(in->r);
    return TOLL_OK;
}

toll_status toll__ingest_record(toll__ingest *in, const toll__binding *b,
                                const toll__member *m, size_t n)
{
    toll_status st = build_row(in, b, m, n);
    if (st == TOLL_EREPORT || st == TOLL_EPARSE)
        return toll__ingest_reject(in);
    return st;
}

void toll__ingest_free(toll__ingest *in)
{
    const toll_allocator *a = &in->r->alloc;
    toll__free(a, in->bind.slot, in->bind.slot_cap * sizeof *in->bind.slot);
    toll__free(a, in->bind.extra, in->bind.extra_cap);
    toll__free(a, in->q, in->q_cap * sizeof *in->q);
    toll__free(a, in->x, in->x_cap * sizeof *in->x);
    toll__free(a, in->xkey, in->xkey_cap * sizeof *in->xkey);
    toll__free(a, in->ids, in->ids_cap * sizeof *in->ids);
    toll__free(a, in->m, in->m_cap * sizeof *in->m);
    toll__free(a, in->rep, in->rep_cap * sizeof *in->rep);
    for (int k = 0; k < TOLL__MEMO_KINDS; k++)
        toll__free(a, in->memo[k], MEMO_SLOTS * sizeof(memo_ent));
    toll__free(a, in->bklen, in->bklen_cap * sizeof *in->bklen);
    toll__buf_free(&in->bkeys);
    toll__buf_free(&in->text);
}

/* ---- names given twice ---------------------------------------------------- */

static int cmp_keys(const void *a, const void *b)
{
    const toll__member *x = *(const toll__member *const *)a;
    const toll__member *y = *(const toll__member *const *)b;
    size_t n = x->klen < y->klen ? x->klen : y->klen;
    int c = memcmp(x->key, y->key, n);
    if (c)
        return c;
    if (x->klen != y->klen)
        return x->klen < y->klen ? -1 : 1;
    return x < y ? -1 : x > y; /* the earlier first */
}

const toll__member *toll__member_repeated(toll__ingest *in,
                                          const toll__member *m, size_t n,
                                          int skip_empty, toll_status *st)
{
    *st = TOLL_OK;
    if (n <= 32) {
        for (size_t i = 1; i < n; i++)
            for (size_t j = 0; j < i && (m[i].klen || !skip_empty); j++)
                if (m[i].klen == m[j].klen &&
                    memcmp(m[i].key, m[j].key, m[i].klen) == 0)
                    return &m[i];
        return NULL;
    }
    const toll__member **v = toll__alloc(&in->r->alloc, n * sizeof *v);
    if (!v) {
        *st = toll__nomem(in->err);
        return NULL;
    }
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (m[i].klen || !skip_empty)
            v[k++] = &m[i];
    qsort(v, k, sizeof *v, cmp_keys);
    const toll__member *dup = NULL; /* the first in m that repeats a name */
    for (size_t i = 1; i < k; i++)
        if (v[i]->klen == v[i - 1]->klen &&
            memcmp(v[i]->key, v[i - 1]->key, v[i]->klen) == 0 &&
            (!dup || v[i] < dup))
            dup = v[i];
    toll__free(&in->r->alloc, v, n * sizeof *v);
    return dup;
}
