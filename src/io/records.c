/*
 * src/io/records.c - records given as values (toll_reports_load_records).
 *
 * Each record becomes the array of toll__member that a JSON object with
 * the same members gives in src/io/json/reader.c, and goes through the
 * same binding and ingestion (toll__bind, toll__ingest_record), so the
 * results, rejects and messages are those of a JSON array load.  Keys and
 * texts are copied, NUL-terminated, into one scratch buffer per record;
 * the lists of a record are written as one JSON array of arrays of strings
 * and parsed in the load's cJSON arena, which gives each list member the
 * raw text and the tree a JSON load gives it.
 */
#include "io/io.h"
#include "io/json/arena.h"

#include <cjson/cJSON.h>

/* Where a member's texts lie in the scratch buffer (offsets: the buffer
 * may move while it grows). */
typedef struct mspan {
    size_t key, val, val_len;
} mspan;

typedef struct rscan {
    toll__buf sb;          /* keys and texts of the current record */
    mspan *sp;
    size_t sp_cap;
    toll__json_arena arena;
} rscan;

/* 1 if s[0..len) is a number as JSON writes it. */
static int json_number(const char *s, size_t len)
{
    size_t i = 0;
    if (i < len && s[i] == '-')
        i++;
    if (i < len && s[i] == '0')
        i++;
    else if (i < len && s[i] >= '1' && s[i] <= '9')
        while (i < len && s[i] >= '0' && s[i] <= '9')
            i++;
    else
        return 0;
    if (i < len && s[i] == '.') {
        size_t d = ++i;
        while (i < len && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == d)
            return 0;
    }
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        if (i < len && (s[i] == '+' || s[i] == '-'))
            i++;
        size_t d = i;
        while (i < len && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == d)
            return 0;
    }
    return i == len;
}

/* A number given as a value is one as JSON writes it (src/io/io.h). */
int toll__number_ok(toll__ingest *in, const char *field, const char *s,
                    size_t len)
{
    if (json_number(s, len))
        return 0;
    toll__rec_err(in, TOLL_EPARSE, field, s, len, "not a number: \"%.*s\"",
                  (int)(len < 64 ? len : 64), s);
    return -1;
}

/* Append s[0..len) as a JSON string. */
static toll_status put_json_string(toll__buf *b, const char *s, size_t len)
{
    toll_status st = toll__buf_putc(b, '"');
    size_t run = 0;
    for (size_t i = 0; i < len && !st; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        st = toll__buf_append(b, s + run, i - run);
        if (!st)
            st = c == '"' || c == '\\'
                     ? toll__buf_appendf(b, "\\%c", (char)c)
                     : toll__buf_appendf(b, "\\u%04x", (unsigned)c);
        run = i + 1;
    }
    if (!st)
        st = toll__buf_append(b, s + run, len - run);
    if (!st)
        st = toll__buf_putc(b, '"');
    return st;
}

/* The text of a string, a key or a list item is valid (src/io/io.h). */
int toll__text_ok(toll__ingest *in, const char *field, const char *s,
                  size_t len)
{
    size_t bad = 0;
    if (memchr(s, 0, len)) {
        toll__rec_err(in, TOLL_EPARSE, field, NULL, 0,
                      "NUL character in a %s", field ? "value" : "key");
        return -1;
    }
    if (!toll__utf8_valid(s, len, &bad)) {
        if (!field) {
            toll__rec_err(in, TOLL_EPARSE, NULL, NULL, 0,
                          "invalid UTF-8 in a key");
        } else {
            char shown[96];
            size_t k = toll__escape_bytes(s, len, shown, sizeof shown);
            toll__rec_err(in, TOLL_EPARSE, field, shown, k,
                          "invalid UTF-8 in \"%s\"", shown);
        }
        return -1;
    }
    return 0;
}

/* 1 if text[0..len) is one JSON value and nothing else (parsed in the
 * arena; -1 when out of memory). */
static int json_value_ok(toll__json_arena *ar, const char *text, size_t len)
{
    const char *end = NULL;
    cJSON *c = NULL;
    if (toll__json_arena_parse(ar, text, len, &end, &c) == TOLL__JP_NOMEM)
        return -1;
    int ok = c && end && end >= text && end <= text + len &&
             toll__json_skip_ws(text, len, (size_t)(end - text)) == len;
    toll__json_arena_release(ar, c);
    return ok;
}

/* A TOLL_VALUE_JSON member that is not JSON (text[0..len), NULL when no
 * one member is to blame): the record is rejected, the text quoted. */
static toll_status bad_json(toll__ingest *in, const char *key, size_t klen,
                            const char *text, size_t len)
{
    char field[128], shown[96];
    size_t k = klen < sizeof field - 1 ? klen : sizeof field - 1;
    if (key)
        memcpy(field, key, k);
    field[k] = '\0';
    if (!text) {
        toll__rec_err(in, TOLL_EPARSE, key ? field : NULL, NULL, 0,
                      "invalid JSON in a value");
        return toll__ingest_reject(in);
    }
    size_t n = toll__escape_bytes(text, len, shown, sizeof shown);
    toll__rec_err(in, TOLL_EPARSE, key ? field : NULL, shown, n,
                  "invalid JSON in a value: \"%s\"", shown);
    return toll__ingest_reject(in);
}

/* One record: members, checks, binding, ingestion. */
static toll_status one_record(toll__ingest *in, rscan *rs,
                              const toll_record *rec)
{
    size_t n = rec->n_members;
    const toll_member *mm = rec->members;
    toll__buf *sb = &rs->sb;
    toll_status st = TOLL_OK;
    cJSON *root = NULL;
    in->line = in->record + 2;
    in->record++;
    if (n && !mm)
        return toll__ingest_fail(in, TOLL_EINVAL, in->line,
                                 "record %ld: n_members is %zu but members "
                                 "is NULL",
                                 in->record, n);
    if (TOLL__GROW(in, in->m, in->m_cap, n ? n : 1) ||
        TOLL__GROW(in, rs->sp, rs->sp_cap, n ? n : 1))
        return toll__nomem(in->err);

    /* Keys and texts, NUL-terminated; then the lists as one JSON text. */
    sb->len = 0;
    for (size_t i = 0; i < n && !st; i++) {
        const toll_member *m = &mm[i];
        const toll_value *v = &m->value;
        if ((!m->key && m->key_len) ||
            ((v->type == TOLL_VALUE_STRING || v->type == TOLL_VALUE_NUMBER ||
              v->type == TOLL_VALUE_JSON) &&
             !v->text && v->len) ||
            (v->type == TOLL_VALUE_LIST && v->n_items &&
             (!v->items || !v->item_lens)) ||
            (unsigned)v->type > TOLL_VALUE_JSON)
            return toll__ingest_fail(in, TOLL_EINVAL, in->line,
                                     "record %ld, member %zu: bad value "
                                     "(type %d, or a NULL text)",
                                     in->record, i, (int)v->type);
        rs->sp[i].key = sb->len;
        st = toll__buf_append(sb, m->key ? m->key : "", m->key_len);
        if (!st)
            st = toll__buf_putc(sb, '\0');
        rs->sp[i].val = sb->len;
        rs->sp[i].val_len = 0;
        if (!st && (v->type == TOLL_VALUE_STRING ||
                    v->type == TOLL_VALUE_NUMBER)) {
            st = toll__buf_append(sb, v->text ? v->text : "", v->len);
            rs->sp[i].val_len = v->len;
            if (!st)
                st = toll__buf_putc(sb, '\0');
        }
    }
    size_t lists = sb->len, nlists = 0;
    for (size_t i = 0; i < n && !st; i++) {
        const toll_value *v = &mm[i].value;
        if (v->type != TOLL_VALUE_LIST && v->type != TOLL_VALUE_JSON)
            continue;
        st = toll__buf_putc(sb, nlists++ ? ',' : '[');
        rs->sp[i].val = sb->len;
        if (v->type == TOLL_VALUE_JSON) {
            if (!st && (!v->len || memchr(v->text, 0, v->len)))
                return bad_json(in, mm[i].key, mm[i].key_len, v->text,
                                v->len);
            if (!st)
                st = toll__buf_append(sb, v->text, v->len);
            rs->sp[i].val_len = v->len;
            continue;
        }
        for (size_t k = 0; k < v->n_items && !st; k++) {
            if (!v->items[k] && v->item_lens[k])
                return toll__ingest_fail(in, TOLL_EINVAL, in->line,
                                         "record %ld, member %zu: list item "
                                         "%zu is NULL",
                                         in->record, i, k);
            st = toll__buf_putc(sb, k ? ',' : '[');
            if (!st)
                st = put_json_string(sb, v->items[k] ? v->items[k] : "",
                                     v->item_lens[k]);
        }
        if (!st)
            st = toll__buf_putc(sb, v->n_items ? ']' : '[');
        if (!st && !v->n_items)
            st = toll__buf_putc(sb, ']');
        rs->sp[i].val_len = sb->len - rs->sp[i].val;
    }
    if (!st && nlists)
        st = toll__buf_putc(sb, ']');
    if (st)
        return toll__nomem(in->err);

    /* The members, pointing into the buffer (now where it stays). */
    const char *base = sb->data;
    for (size_t i = 0; i < n; i++) {
        const toll_value *v = &mm[i].value;
        toll__member *mb = &in->m[i];
        mb->key = base + rs->sp[i].key;
        mb->klen = mm[i].key_len;
        memset(&mb->v, 0, sizeof mb->v);
        mb->v.s = base + rs->sp[i].val;
        mb->v.len = rs->sp[i].val_len;
        switch (v->type) {
        case TOLL_VALUE_NULL:
            mb->v.type = TOLL__V_NULL;
            mb->v.s = "null";
            mb->v.len = 4;
            break;
        case TOLL_VALUE_BOOL:
            mb->v.type = TOLL__V_BOOL;
            mb->v.s = v->boolean ? "true" : "false";
            mb->v.len = v->boolean ? 4 : 5;
            break;
        case TOLL_VALUE_NUMBER:
            mb->v.type = TOLL__V_NUMBER;
            break;
        case TOLL_VALUE_STRING:
            mb->v.type = TOLL__V_TEXT;
            break;
        case TOLL_VALUE_LIST:
            mb->v.type = TOLL__V_ARRAY;
            break;
        case TOLL_VALUE_JSON: /* typed from its tree, below */
            break;
        }
    }

    /* Checks, in member order, as a JSON load makes them. */
    for (size_t i = 0; i < n; i++) {
        const toll_value *v = &mm[i].value;
        toll__member *mb = &in->m[i];
        if (toll__text_ok(in, NULL, mb->key, mb->klen) < 0)
            return toll__ingest_reject(in);
        if (v->type == TOLL_VALUE_STRING &&
            toll__text_ok(in, mb->key, mb->v.s, mb->v.len) < 0)
            return toll__ingest_reject(in);
        for (size_t k = 0; v->type == TOLL_VALUE_LIST && k < v->n_items; k++)
            if (toll__text_ok(in, mb->key, v->items[k] ? v->items[k] : "",
                        v->item_lens[k]) < 0)
                return toll__ingest_reject(in);
        if (v->type == TOLL_VALUE_NUMBER &&
            toll__number_ok(in, mb->key, mb->v.s, mb->v.len) < 0)
            return toll__ingest_reject(in);
    }
    toll_status dst;
    const toll__member *dup = toll__member_repeated(in, in->m, n, 0, &dst);
    if (dst)
        return dst;
    if (dup) {
        toll__rec_err(in, TOLL_EREPORT, dup->key, dup->key, dup->klen,
                      "key '%s' appears twice in one report", dup->key);
        return toll__ingest_reject(in);
    }

    /* The lists' trees. */
    if (nlists) {
        const char *end = NULL;
        toll__jparse jp = toll__json_arena_parse(
            &rs->arena, base + lists, sb->len - lists, &end, &root);
        if (jp == TOLL__JP_NOMEM)
            return toll__nomem(in->err);
        size_t tlen = sb->len - lists;
        if (!root || !end || end < base + lists || end > base + sb->len ||
            toll__json_skip_ws(base + lists, tlen,
                               (size_t)(end - (base + lists))) != tlen ||
            cJSON_GetArraySize(root) != (int)nlists) {
            /* a JSON value that is not one: name the first such member */
            toll__json_arena_release(&rs->arena, root);
            for (size_t i = 0; i < n; i++) {
                if (mm[i].value.type != TOLL_VALUE_JSON)
                    continue;
                int ok = json_value_ok(&rs->arena, mm[i].value.text,
                                       mm[i].value.len);
                if (ok < 0)
                    return toll__nomem(in->err);
                if (!ok)
                    return bad_json(in, mm[i].key, mm[i].key_len,
                                    mm[i].value.text, mm[i].value.len);
            }
            return bad_json(in, NULL, 0, NULL, 0);
        }
        const cJSON *c = root->child;
        for (size_t i = 0; i < n && c; i++) {
            toll__member *mb = &in->m[i];
            if (mm[i].value.type == TOLL_VALUE_LIST) {
                mb->v.json = c;
            } else if (mm[i].value.type == TOLL_VALUE_JSON) {
                mb->v.json = c;
                switch (c->type & 0xFF) {
                case cJSON_String:
                    mb->v.type = TOLL__V_TEXT;
                    mb->v.s = c->valuestring ? c->valuestring : "";
                    mb->v.len = strlen(mb->v.s);
                    break;
                case cJSON_Number: mb->v.type = TOLL__V_NUMBER; break;
                case cJSON_True:
                case cJSON_False: mb->v.type = TOLL__V_BOOL; break;
                case cJSON_NULL: mb->v.type = TOLL__V_NULL; break;
                case cJSON_Array: mb->v.type = TOLL__V_ARRAY; break;
                default: mb->v.type = TOLL__V_OBJECT; break;
                }
            } else {
                continue;
            }
            c = c->next;
        }
    }

    st = toll__bind(in, &in->bind, in->m, n, 0);
    if (st == TOLL_EREPORT) /* keys naming one field */
        st = toll__ingest_reject(in);
    else if (!st)
        st = toll__ingest_record(in, &in->bind, in->m, n);
    toll__json_arena_release(&rs->arena, root);
    return st;
}

toll_status toll__load_records(toll__ingest *in, const toll_record *recs,
                               size_t n)
{
    rscan rs;
    memset(&rs, 0, sizeof rs);
    toll__buf_init(&rs.sb, &in->r->alloc);
    toll__json_arena_init(&rs.arena, &in->r->alloc);
    toll_status st = TOLL_OK;
    for (size_t i = 0; i < n && !st; i++)
        st = one_record(in, &rs, &recs[i]);
    toll__buf_free(&rs.sb);
    toll__free(&in->r->alloc, rs.sp, rs.sp_cap * sizeof *rs.sp);
    toll__json_arena_free(&rs.arena);
    return st;
}
