/*
 * src/io/json/reader.c - JSON arrays of reports and JSON Lines.
 *
 * A JSON array is never parsed as a whole: a small scanner of our own
 * (strings, escapes, nesting depth, line numbers) finds where each element
 * starts and ends, and each element is parsed on its own with cJSON.  This
 * gives every record the line where it starts, lets lenient loads skip a
 * bad element, and streams: only the current element is kept in memory
 * (in `carry` when it spans input chunks).  JSON Lines are read line by
 * line the same way.  Each element's cJSON tree lives in the load's arena
 * (src/io/json/arena.c, docs/json-arena.md), reset after the element; its
 * members are read by iterating the children, never by key lookups.
 */
#include "io/io.h"
#include "io/json/arena.h"
#include "base/strhash.h"

#include <cjson/cJSON.h>
#include <stdlib.h>

/* ---- one element ---------------------------------------------------------------- */

/* Raw spans of the members of a JSON object validated by cJSON; kesc /
 * vesc: the key / the (string) value holds an escape. */
typedef struct span {
    size_t ks, ke, vs, ve;
    int kesc, vesc;
} span;

static inline int json_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static inline size_t skip_ws(const char *s, size_t len, size_t i)
{
    /* compact JSON: no blank at all (every blank is <= ' ') */
    if (i < len && (unsigned char)s[i] > ' ')
        return i;
    while (i < len && json_ws(s[i]))
        i++;
    return i;
}

/* The end of the string starting at s[i] == '"' (after its closing quote,
 * or len); *esc: it holds an escape. */
static inline size_t skip_string(const char *s, size_t len, size_t i,
                                 int *esc)
{
    *esc = 0;
    for (i = toll__json_quote_or_escape(s, len, i + 1); i < len;
         i = toll__json_quote_or_escape(s, len, i + 2)) {
        if (s[i] == '"')
            return i + 1;
        *esc = 1;
    }
    return len;
}

/* 1 if a JSON value can start at s[i]. */
static inline int value_start(const char *s, size_t len, size_t i)
{
    if (i >= len)
        return 0;
    char c = s[i];
    return c == '"' || c == '{' || c == '[' || c == '-' ||
           (c >= '0' && c <= '9') || c == 't' || c == 'f' || c == 'n';
}

/* Next member of the object at s (after *pos); 0 at the end.  Same spans
 * as toll__json_skip_ws / toll__json_skip_value give. */
static int next_member(const char *s, size_t len, size_t *pos, span *sp)
{
    size_t i = skip_ws(s, len, *pos);
    if (i < len && (s[i] == '{' || s[i] == ','))
        i = skip_ws(s, len, i + 1);
    if (i >= len || s[i] != '"')
        return 0;
    sp->ks = i;
    sp->ke = skip_string(s, len, i, &sp->kesc);
    i = skip_ws(s, len, sp->ke);
    if (i < len && s[i] == ':')
        i++;
    i = skip_ws(s, len, i);
    sp->vs = i;
    sp->vesc = 0;
    if (i < len && s[i] == '"') {
        sp->ve = skip_string(s, len, i, &sp->vesc);
    } else if (i < len && (s[i] == '{' || s[i] == '[')) {
        sp->ve = toll__json_skip_value(s, len, i);
    } else {
        while (i < len && s[i] != ',' && s[i] != '}' && s[i] != ']' &&
               !json_ws(s[i]))
            i++;
        sp->ve = i;
    }
    *pos = sp->ve;
    return 1;
}

static const char *json_type(const cJSON *v)
{
    if (cJSON_IsArray(v))
        return "an array";
    if (cJSON_IsString(v))
        return "a string";
    if (cJSON_IsNumber(v))
        return "a number";
    if (cJSON_IsBool(v))
        return "true/false";
    if (cJSON_IsNull(v))
        return "null";
    return "something else";
}

/* Line number of offset `off` in text (which starts on line `line`). */
static long line_at(const char *text, size_t off, long line)
{
    for (size_t i = 0; i < off; i++) {
        if (text[i] == '\n')
            line++;
        else if (text[i] == '\r' && (i + 1 >= off || text[i + 1] != '\n'))
            line++;
    }
    return line;
}

#define SHOW 40

/* The deepest nesting of brackets and braces in p[0..len) (outside
 * strings). */
static long json_depth(const char *p, size_t len)
{
    long depth = 0, maxdepth = 0;
    int in_str = 0;
    for (size_t k = 0; k < len; k++) {
        char c = p[k];
        if (in_str) {
            if (c == '\\')
                k++;
            else if (c == '"')
                in_str = 0;
        } else if (c == '"') {
            in_str = 1;
        } else if (c == '{' || c == '[') {
            if (++depth > maxdepth)
                maxdepth = depth;
        } else if (c == '}' || c == ']') {
            depth--;
        }
    }
    return maxdepth;
}

/*
 * The binding of the previous record serves this one when the keys are
 * the same, in the same order (the rule in JSON Lines): a binding depends
 * on the keys alone, and those keys had no duplicate.  Slots read by name
 * point at the member's key, so those names are refreshed.  1 if reused.
 */
static int bind_reuse(toll__ingest *in, const toll__member *m, size_t n)
{
    if (!in->bkeys_valid || in->bkn != n)
        return 0;
    size_t off = 0;
    for (size_t j = 0; j < n; j++) {
        if (in->bklen[j] != m[j].klen ||
            memcmp(in->bkeys.data + off, m[j].key, m[j].klen) != 0)
            return 0;
        off += m[j].klen;
    }
    for (size_t k = 0; k < in->bind.nslots; k++) {
        toll__slot *sl = &in->bind.slot[k];
        if (!sl->entry && sl->ncols == 1 && sl->col[0] >= 0)
            sl->name = m[sl->col[0]].key;
    }
    return 1;
}

/* Bind the members m[0..n) (keys without duplicates) and remember their
 * keys for bind_reuse. */
static toll_status bind_members(toll__ingest *in, const toll__member *m,
                                size_t n)
{
    in->bkeys_valid = 0;
    toll_status st = toll__bind(in, &in->bind, m, n, 0);
    if (st)
        return st;
    /* Remember the keys (a failure here only costs the reuse). */
    in->bkeys.len = 0;
    if (TOLL__GROW(in, in->bklen, in->bklen_cap, n ? n : 1))
        return TOLL_OK;
    for (size_t j = 0; j < n; j++) {
        if (toll__buf_append(&in->bkeys, m[j].key, m[j].klen))
            return TOLL_OK;
        in->bklen[j] = m[j].klen;
    }
    in->bkn = n;
    in->bkeys_valid = 1;
    return TOLL_OK;
}

/*
 * Parse and ingest one record: text[0..len) starting on `line`; maxdepth
 * is the deepest nesting the scanner saw in it (-1: not known; then it is
 * only worked out when cJSON refuses the record).
 */
/* 1 if the raw JSON text s[0..len) holds a NUL: a raw 0 byte (not valid
 * JSON anyway) or the escape \u0000, which cJSON would decode into a C
 * string cut short - the rest of the value would be lost silently. */
static int json_has_nul(const char *s, size_t len)
{
    /* Neither a 0 byte nor "\\u0000" anywhere (the common case): no NUL
     * (the loop below then answers 0 too). */
    const char *e = s + len, *b = s;
    if (!memchr(s, 0, len)) {
        for (;;) {
            b = memchr(b, '\\', (size_t)(e - b));
            if (!b || e - b < 6)
                return 0;
            if (memcmp(b + 1, "u0000", 5) == 0)
                break;
            b++;
        }
    }
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '\0')
            return 1;
        if (s[i] == '\\' && i + 1 < len) {
            if (s[i + 1] == 'u' && i + 5 < len &&
                memcmp(s + i + 2, "0000", 4) == 0)
                return 1;
            i++;
        }
    }
    return 0;
}

static toll_status json_record(toll__ingest *in, toll__json_arena *ar,
                               const char *text, size_t len, long line,
                               long maxdepth)
{
    toll_status st = TOLL_OK;
    in->line = line;
    in->record++;
    size_t bad = 0;
    int utf8_ok = toll__utf8_valid(text, len, &bad);
    int has_nul = json_has_nul(text, len);
    const char *end = NULL;
    cJSON *root = NULL;
    /* the tree lives in the load's arena until toll__json_arena_release */
    toll__jparse jp = toll__json_arena_parse(ar, text, len, &end, &root);
    if (jp == TOLL__JP_NOMEM)
        return toll__nomem(in->err);
    if (!root) {
        if (maxdepth < 0)
            maxdepth = json_depth(text, len);
        if (maxdepth >= CJSON_NESTING_LIMIT) {
            toll__rec_err(in, TOLL_EPARSE, NULL, NULL, 0,
                          "JSON nested deeper than %d levels",
                          CJSON_NESTING_LIMIT);
        } else {
            size_t off = end && end >= text && end <= text + len
                             ? (size_t)(end - text)
                             : 0;
            size_t show = len - off < SHOW ? len - off : SHOW;
            /* Stop the excerpt at the end of its line. */
            for (size_t k = 0; k < show; k++)
                if (text[off + k] == '\n' || text[off + k] == '\r') {
                    show = k;
                    break;
                }
            long eline = line_at(text, off, line);
            if (off >= len)
                toll__rec_err(in, TOLL_EPARSE, NULL, NULL, 0,
                              "invalid JSON: unexpected end of the report");
            else if (eline != line)
                toll__rec_err(in, TOLL_EPARSE, NULL, text + off, show,
                              "invalid JSON at line %ld near \"%.*s\"",
                              eline, (int)show, text + off);
            else
                toll__rec_err(in, TOLL_EPARSE, NULL, text + off, show,
                              "invalid JSON near \"%.*s\"", (int)show,
                              text + off);
        }
        return toll__ingest_reject(in);
    }
    size_t off = end ? (size_t)(end - text) : len;
    off = toll__json_skip_ws(text, len, off);
    if (off < len) {
        size_t show = len - off < SHOW ? len - off : SHOW;
        toll__rec_err(in, TOLL_EPARSE, NULL, text + off, show,
                      "unexpected text after the report: \"%.*s\"",
                      (int)show, text + off);
        st = toll__ingest_reject(in);
        goto cleanup;
    }
    if (!cJSON_IsObject(root)) {
        toll__rec_err(in, TOLL_EREPORT, NULL, NULL, 0,
                      "a report must be a JSON object, not %s",
                      json_type(root));
        st = toll__ingest_reject(in);
        goto cleanup;
    }

    /* Members: decoded keys and strings from cJSON, raw text of numbers,
     * arrays and objects from our own walk (same order). */
    size_t n = 0;
    for (const cJSON *c = root->child; c; c = c->next)
        n++;
    if (TOLL__GROW(in, in->m, in->m_cap, n ? n : 1)) {
        st = toll__nomem(in->err);
        goto cleanup;
    }
    size_t pos = 0, i = 0;
    const toll__member *bad_member = NULL;
    int bad_in_key = 0;
    /* The walk sees the tokens cJSON saw until a value starts with
     * something else: a control byte, which cJSON skips as blank and the
     * walk does not (spans are then kept as they always were, but string
     * lengths come from strlen). */
    int aligned = 1;
    for (const cJSON *c = root->child; c; c = c->next, i++) {
        span sp;
        if (!next_member(text, len, &pos, &sp)) {
            toll__rec_err(in, TOLL_EPARSE, NULL, NULL, 0, "invalid JSON");
            st = toll__ingest_reject(in);
            goto cleanup;
        }
        if (aligned && !value_start(text, len, sp.vs))
            aligned = 0;
        toll__member *mb = &in->m[i];
        /* Without an escape a string decodes to its raw bytes: the length
         * is known without strlen (a NUL, from \u0000, is an escape). */
        mb->key = c->string ? c->string : "";
        mb->klen = c->string && aligned && !sp.kesc ? sp.ke - sp.ks - 2
                                                    : strlen(mb->key);
        memset(&mb->v, 0, sizeof mb->v);
        mb->v.json = c;
        mb->v.s = text + sp.vs;
        mb->v.len = sp.ve - sp.vs;
        /* the tests of cJSON_IsString ... cJSON_IsArray, inline */
        switch (c->type & 0xFF) {
        case cJSON_String:
            mb->v.type = TOLL__V_TEXT;
            if (c->valuestring) {
                mb->v.s = c->valuestring;
                mb->v.len = aligned && !sp.vesc && text[sp.vs] == '"' &&
                                    sp.ve - sp.vs >= 2
                                ? sp.ve - sp.vs - 2
                                : strlen(c->valuestring);
            } else {
                mb->v.s = "";
                mb->v.len = 0;
            }
            break;
        case cJSON_Number:
            mb->v.type = TOLL__V_NUMBER;
            break;
        case cJSON_True:
        case cJSON_False:
            mb->v.type = TOLL__V_BOOL;
            break;
        case cJSON_NULL:
            mb->v.type = TOLL__V_NULL;
            break;
        case cJSON_Array:
            mb->v.type = TOLL__V_ARRAY;
            break;
        default:
            mb->v.type = TOLL__V_OBJECT;
            break;
        }
        if (!utf8_ok && !bad_member && bad >= sp.ks && bad < sp.ve) {
            bad_member = mb;
            bad_in_key = bad < sp.ke;
        }
        if (has_nul && json_has_nul(text + sp.ks, sp.ve - sp.ks)) {
            int in_key = json_has_nul(text + sp.ks, sp.ke - sp.ks);
            toll__rec_err(in, TOLL_EPARSE, in_key ? NULL : mb->key, NULL, 0,
                          "NUL character in a %s", in_key ? "key" : "value");
            st = toll__ingest_reject(in);
            goto cleanup;
        }
    }
    if (!utf8_ok) {
        if (bad_member && !bad_in_key) {
            char shown[96];
            size_t k = toll__escape_bytes(bad_member->v.s, bad_member->v.len,
                                          shown, sizeof shown);
            toll__rec_err(in, TOLL_EPARSE, bad_member->key, shown, k,
                          "invalid UTF-8 in \"%s\"", shown);
        }
        else
            toll__rec_err(in, TOLL_EPARSE, NULL, NULL, 0,
                          "invalid UTF-8 in a key");
        st = toll__ingest_reject(in);
        goto cleanup;
    }
    if (!bind_reuse(in, in->m, n)) {
        const toll__member *dup = toll__member_repeated(in, in->m, n, 0, &st);
        if (st)
            goto cleanup;
        if (dup) {
            toll__rec_err(in, TOLL_EREPORT, dup->key, dup->key, dup->klen,
                          "key '%s' appears twice in one report", dup->key);
            st = toll__ingest_reject(in);
            goto cleanup;
        }
        if ((st = bind_members(in, in->m, n))) {
            if (st == TOLL_EREPORT) /* keys naming one field */
                st = toll__ingest_reject(in);
            goto cleanup;
        }
    }
    st = toll__ingest_record(in, &in->bind, in->m, n);
    if (!st)
        st = toll__ingest_flush(in);
cleanup:
    toll__json_arena_release(ar, root);
    return st;
}

/* ---- JSON arrays ------------------------------------------------------------------ */

enum {
    A_BEFORE,     /* before '[' */
    A_FIRST,      /* after '[': an element or ']' */
    A_NEXT,       /* after ',': an element */
    A_ELEM,       /* inside an element */
    A_AFTER,      /* after an element: ',' or ']' */
    A_DONE        /* after ']' */
};

typedef struct ascan {
    int mode;
    int in_str, esc, scalar;
    long depth, maxdepth;
    long line;        /* line of the next byte */
    int after_cr;     /* the previous byte was '\r' */
    long elem_line;   /* line where the current element starts */
    long prev_line;   /* line where the previous element ends (0: none) */
    toll__buf carry;  /* the current element when it spans chunks */
    int carrying;
    toll__json_arena arena; /* the elements' cJSON trees */
} ascan;

static toll_status process_elem(toll__ingest *in, ascan *a, const char *p,
                                size_t len)
{
    /* A scalar element ends at ',' or ']' : drop trailing blanks. */
    while (len && (p[len - 1] == ' ' || p[len - 1] == '\t' ||
                   p[len - 1] == '\r' || p[len - 1] == '\n'))
        len--;
    toll_status st =
        json_record(in, &a->arena, p, len, a->elem_line, a->maxdepth);
    a->carrying = 0;
    a->carry.len = 0;
    return st;
}

toll_status toll__load_json_array(toll__ingest *in, toll__input *src)
{
    ascan a;
    memset(&a, 0, sizeof a);
    a.mode = A_BEFORE;
    a.line = 1;
    toll__buf_init(&a.carry, &in->r->alloc);
    toll__json_arena_init(&a.arena, &in->r->alloc);
    toll_status st = TOLL_OK;
    for (;;) {
        const char *p;
        size_t n;
        if ((st = toll__input_read(src, &p, &n))) {
            st = st == TOLL_ENOMEM
                     ? toll__nomem(in->err)
                     : toll__ingest_fail(in, TOLL_EIO, a.line, "%s",
                                             toll__input_what(src));
            goto cleanup;
        }
        if (n == 0)
            break;
        size_t start = 0; /* start of the current element in this chunk */
        for (size_t i = 0; i < n; i++) {
            char c = p[i];
            long here = a.line;
            if (c == '\n') {
                if (!a.after_cr)
                    a.line++;
            } else if (c == '\r') {
                a.line++;
            }
            a.after_cr = c == '\r';
            int ws = c == ' ' || c == '\t' || c == '\n' || c == '\r';
            switch (a.mode) {
            case A_BEFORE:
                if (ws)
                    break;
                if (c != '[') {
                    st = toll__ingest_fail(in, TOLL_EPARSE, here,
                                           "expected '[' to start a JSON "
                                           "array of reports");
                    goto cleanup;
                }
                a.mode = A_FIRST;
                break;
            case A_AFTER:
                if (ws)
                    break;
                if (c == ',') {
                    a.mode = A_NEXT;
                } else if (c == ']') {
                    a.mode = A_DONE;
                } else {
                    st = toll__ingest_fail(in, TOLL_EPARSE, here,
                                           "expected ',' or ']' after a "
                                           "report, found '%c'",
                                           c);
                    goto cleanup;
                }
                break;
            case A_DONE:
                if (ws)
                    break;
                st = toll__ingest_fail(in, TOLL_EPARSE, here,
                                       "unexpected text after the JSON array");
                goto cleanup;
            case A_FIRST:
            case A_NEXT:
                if (ws)
                    break;
                if (c == ']') {
                    if (a.mode == A_NEXT) {
                        st = toll__ingest_fail(in, TOLL_EPARSE, here,
                                               "expected a report after ','");
                        goto cleanup;
                    }
                    a.mode = A_DONE;
                    break;
                }
                /* An element starts here. */
                a.mode = A_ELEM;
                a.elem_line = here;
                /* a record starting on the line where the previous one
                 * ends (minified arrays): messages name it, and so does
                 * its location FILE:LINE#RECORD (src/io/record.c) */
                in->record_in_message = here == a.prev_line;
                a.depth = a.maxdepth = 0;
                a.in_str = a.esc = 0;
                a.scalar = c != '{' && c != '[';
                a.carrying = 0;
                start = i;
                /* fall through */
            case A_ELEM:
                if (a.in_str) {
                    if (a.esc)
                        a.esc = 0;
                    else if (c == '\\')
                        a.esc = 1;
                    else if (c == '"')
                        a.in_str = 0;
                    break;
                }
                if (c == '"') {
                    a.in_str = 1;
                } else if (a.scalar) {
                    if (c == ',' || c == ']') {
                        /* the scalar ended just before c */
                        if (a.carrying) {
                            if (toll__buf_append(&a.carry, p + start,
                                                 i - start)) {
                                st = toll__nomem(in->err);
                                goto cleanup;
                            }
                            st = process_elem(in, &a, a.carry.data,
                                              a.carry.len);
                        } else {
                            st = process_elem(in, &a, p + start, i - start);
                        }
                        if (st)
                            goto cleanup;
                        a.mode = c == ',' ? A_NEXT : A_DONE;
                        a.prev_line = here;
                    }
                } else if (c == '{' || c == '[') {
                    if (++a.depth > a.maxdepth)
                        a.maxdepth = a.depth;
                } else if (c == '}' || c == ']') {
                    if (--a.depth == 0) {
                        if (a.carrying) {
                            if (toll__buf_append(&a.carry, p + start,
                                                 i + 1 - start)) {
                                st = toll__nomem(in->err);
                                goto cleanup;
                            }
                            st = process_elem(in, &a, a.carry.data,
                                              a.carry.len);
                        } else {
                            st = process_elem(in, &a, p + start,
                                              i + 1 - start);
                        }
                        if (st)
                            goto cleanup;
                        a.mode = A_AFTER;
                        a.prev_line = here;
                    }
                }
                break;
            default:
                break;
            }
        }
        if (a.mode == A_ELEM) {
            /* The element continues in the next chunk. */
            if (toll__buf_append(&a.carry, p + start, n - start)) {
                st = toll__nomem(in->err);
                goto cleanup;
            }
            a.carrying = 1;
        }
    }
    if (a.mode == A_ELEM)
        st = toll__ingest_fail(in, TOLL_EPARSE, a.elem_line,
                               "unexpected end of input inside a report "
                               "(the JSON array is not closed)");
    else if (a.mode != A_DONE && a.mode != A_BEFORE)
        st = toll__ingest_fail(in, TOLL_EPARSE, a.line,
                               "unexpected end of input: the JSON array is "
                               "not closed");
cleanup:
    toll__buf_free(&a.carry);
    toll__json_arena_free(&a.arena);
    return st;
}

/* ---- JSON Lines ---------------------------------------------------------------------- */

/* Ingest one line unless it is blank. */
static toll_status jsonl_line(toll__ingest *in, toll__json_arena *ar,
                              const char *p, size_t len, long line)
{
    size_t i = toll__json_skip_ws(p, len, 0);
    if (i == len)
        return TOLL_OK;
    return json_record(in, ar, p + i, len - i, line, -1);
}

/*
 * A line read ahead: when it starts with the key "incident" and a plain
 * string (no escape), prefetch that key's slot in the string pool's
 * table, a cache miss on large loads.  Only a hint: nothing is read from
 * it but the hash.
 */
static void prefetch_key(const toll__ingest *in, const char *p, size_t n)
{
    size_t i = toll__json_skip_ws(p, n, 0);
    if (i >= n || p[i] != '{')
        return;
    i = toll__json_skip_ws(p, n, i + 1);
    if (n - i < 10 || memcmp(p + i, "\"incident\"", 10) != 0)
        return;
    i = toll__json_skip_ws(p, n, i + 10);
    if (i >= n || p[i] != ':')
        return;
    i = toll__json_skip_ws(p, n, i + 1);
    if (i >= n || p[i] != '"')
        return;
    size_t b = i + 1, e = b;
    while (e < n && p[e] != '"' && p[e] != '\\')
        e++;
    if (e >= n || p[e] != '"')
        return;
    /* trimmed as text fields are */
    while (b < e && (p[b] == ' ' || (p[b] >= '\t' && p[b] <= '\r')))
        b++;
    while (e > b && (p[e - 1] == ' ' || (p[e - 1] >= '\t' && p[e - 1] <= '\r')))
        e--;
    if (e > b)
        toll__strpool_prefetch(&in->r->strings, toll__hash_bytes(p + b, e - b));
}

#define LINES_AHEAD 8

toll_status toll__load_jsonl(toll__ingest *in, toll__input *src)
{
    toll__buf carry;
    toll__buf_init(&carry, &in->r->alloc);
    toll__json_arena ar; /* the lines' cJSON trees */
    toll__json_arena_init(&ar, &in->r->alloc);
    long line = in->start_line > 0 ? in->start_line : 1;
    int skip_lf = 0, carrying = 0;
    toll_status st = TOLL_OK;
    for (;;) {
        const char *p;
        size_t n;
        if ((st = toll__input_read(src, &p, &n))) {
            st = st == TOLL_ENOMEM
                     ? toll__nomem(in->err)
                     : toll__ingest_fail(in, TOLL_EIO, line, "%s",
                                             toll__input_what(src));
            goto cleanup;
        }
        if (n == 0)
            break;
        size_t i = 0, ahead = 0, nahead = 0;
        /* the next LF and CR at or after i (n: none in the chunk), each
         * looked for again only once i has passed it: a chunk of many
         * short lines ending in CR alone is read once, not once per line */
        size_t lf_at = 0, cr_at = 0;
        int lf_known = 0, cr_known = 0;
        if (skip_lf && p[0] == '\n')
            i = 1; /* the '\n' of a "\r\n" split across chunks */
        skip_lf = 0;
        while (i < n) {
            /* keep LINES_AHEAD lines (up to LF) prefetched ahead of i */
            if (ahead < i) {
                ahead = i;
                nahead = 0;
            }
            while (nahead < LINES_AHEAD && ahead < n) {
                const char *e = memchr(p + ahead, '\n', n - ahead);
                size_t stop = e ? (size_t)(e - p) : n;
                prefetch_key(in, p + ahead, stop - ahead);
                ahead = stop + 1;
                nahead++;
            }
            if (nahead)
                nahead--;
            /* the next line terminator */
            if (!lf_known || lf_at < i) {
                const char *lf = memchr(p + i, '\n', n - i);
                lf_at = lf ? (size_t)(lf - p) : n;
                lf_known = 1;
            }
            if (!cr_known || cr_at < i) {
                const char *cr = memchr(p + i, '\r', n - i);
                cr_at = cr ? (size_t)(cr - p) : n;
                cr_known = 1;
            }
            size_t stop = lf_at < cr_at ? lf_at : cr_at;
            if (stop == n) { /* no terminator in this chunk */
                if (toll__buf_append(&carry, p + i, n - i)) {
                    st = toll__nomem(in->err);
                    goto cleanup;
                }
                carrying = 1;
                break;
            }
            if (carrying) {
                if (toll__buf_append(&carry, p + i, stop - i)) {
                    st = toll__nomem(in->err);
                    goto cleanup;
                }
                st = jsonl_line(in, &ar, carry.data, carry.len, line);
                carry.len = 0;
                carrying = 0;
            } else {
                st = jsonl_line(in, &ar, p + i, stop - i, line);
            }
            if (st)
                goto cleanup;
            line++;
            i = stop + 1;
            if (p[stop] == '\r') {
                if (i < n && p[i] == '\n')
                    i++;
                else if (i == n)
                    skip_lf = 1;
            }
        }
    }
    if (carrying)
        st = jsonl_line(in, &ar, carry.data, carry.len, line);
cleanup:
    toll__buf_free(&carry);
    toll__json_arena_free(&ar);
    return st;
}
