/*
 * src/io/colmap.c - column maps: how an input's own column names map onto
 * the report fields.
 *
 * Spec strings: "killed=deaths_min..deaths_max,actor=belligerent,
 * region=country/adm_1,source='Airwars'".  JSON maps:
 * {"killed": "col", "injured": {"low": "a", "high": "b", "best": "c"},
 *  "region": ["country", "adm_1"], "source": {"value": "Airwars"}}.
 *
 * Entries are appended; the last entry for a target is the one in force.
 * A call that fails removes the entries it added, so the map is unchanged.
 */
#define _POSIX_C_SOURCE 200809L
#include "io/io.h"

#include <cjson/cJSON.h>
#include <stdio.h>

toll_status toll_colmap_new(const toll_allocator *alloc, toll_colmap **out,
                            toll_error *err)
{
    if (!out)
        return toll__err(err, TOLL_EINVAL, "toll_colmap_new: out is NULL");
    *out = NULL;
    toll_allocator a;
    toll__alloc_init(&a, alloc);
    toll_colmap *m = toll__calloc(&a, 1, sizeof *m);
    if (!m)
        return toll__nomem(err);
    m->alloc = a;
    *out = m;
    return TOLL_OK;
}

static void entry_free(toll_colmap *m, toll__cmentry *e)
{
    toll__free(&m->alloc, e->block, e->block_size);
    e->block = NULL;
}

static void truncate_entries(toll_colmap *m, size_t n)
{
    while (m->n > n)
        entry_free(m, &m->e[--m->n]);
}

void toll_colmap_free(toll_colmap *m)
{
    if (!m)
        return;
    truncate_entries(m, 0);
    toll_allocator a = m->alloc;
    toll__free(&a, m->e, m->cap * sizeof *m->e);
    toll__free(&a, m, sizeof *m);
}

const toll__cmentry *toll__colmap_find(const toll_colmap *map, const char *s,
                                       size_t len)
{
    if (!map)
        return NULL;
    for (size_t i = map->n; i-- > 0;) {
        const toll__cmentry *e = &map->e[i];
        if (e->target_len == len && memcmp(e->target, s, len) == 0)
            return e;
    }
    return NULL;
}

int toll__colmap_uses(const toll_colmap *map, const char *s, size_t len)
{
    if (!map)
        return 0;
    for (size_t i = 0; i < map->n; i++) {
        const toll__cmentry *e = &map->e[i];
        if (e->shape == TOLL__CM_CONST ||
            toll__colmap_find(map, e->target, e->target_len) != e)
            continue;
        for (size_t k = 0; k < e->ncols; k++)
            if (e->col_len[k] == len && memcmp(e->col[k], s, len) == 0)
                return 1;
    }
    return 0;
}

/* Append an entry, copying the target and the column names.  The target
 * is stored by its canonical name (standard names match in any case, see
 * toll__field_lookup): a core field's own name, a category in lower
 * case. */
static toll_status add_entry(toll_colmap *m, const char *target, size_t tlen,
                             int field, int shape, const char *const *cols,
                             const size_t *lens, size_t ncols,
                             uint32_t optional_cols)
{
    if (field >= 0 && field < TOLL__F_COUNT) {
        target = toll__field_name(field);
        tlen = strlen(target);
    }
    size_t size = tlen + 1;
    for (size_t k = 0; k < ncols; k++)
        size += lens[k] + 1;
    if (toll__grow(&m->alloc, (void **)&m->e, &m->cap, m->n + 1, sizeof *m->e))
        return TOLL_ENOMEM;
    char *block = toll__alloc(&m->alloc, size);
    if (!block)
        return TOLL_ENOMEM;
    toll__cmentry *e = &m->e[m->n];
    memset(e, 0, sizeof *e);
    e->block = block;
    e->block_size = size;
    memcpy(block, target, tlen);
    block[tlen] = '\0';
    for (size_t i = 0; field == TOLL__F_CATEGORY && i < tlen; i++)
        if (block[i] >= 'A' && block[i] <= 'Z')
            block[i] = (char)(block[i] - 'A' + 'a');
    e->target = block;
    e->target_len = tlen;
    char *p = block + tlen + 1;
    for (size_t k = 0; k < ncols; k++) {
        if (lens[k])
            memcpy(p, cols[k], lens[k]);
        p[lens[k]] = '\0';
        e->col[k] = p;
        e->col_len[k] = lens[k];
        p += lens[k] + 1;
    }
    e->ncols = ncols;
    e->field = field;
    e->shape = shape;
    e->optional_cols = optional_cols;
    m->n++;
    return TOLL_OK;
}

/* The rule for one map (one spec string, one JSON map): each target once.
 * The entry added last, when an entry since n0 has its target; else NULL. */
static const toll__cmentry *repeated_target(const toll_colmap *m, size_t n0)
{
    if (m->n == 0)
        return NULL;
    const toll__cmentry *e = &m->e[m->n - 1];
    for (size_t i = n0; i + 1 < m->n; i++)
        if (m->e[i].target_len == e->target_len &&
            memcmp(m->e[i].target, e->target, e->target_len) == 0)
            return e;
    return NULL;
}

toll_status toll__colmap_append(toll_colmap *dst, const toll_colmap *src)
{
    size_t n0 = dst->n;
    for (size_t i = 0; src && i < src->n; i++) {
        const toll__cmentry *e = &src->e[i];
        if (add_entry(dst, e->target, e->target_len, e->field, e->shape,
                      e->col, e->col_len, e->ncols, e->optional_cols)) {
            truncate_entries(dst, n0);
            return TOLL_ENOMEM;
        }
    }
    return TOLL_OK;
}

/* ---- spec strings ------------------------------------------------------------- */

/* JSON's own white space (RFC 8259), after the map's JSON text. */
static int json_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Index of the first "a" at or after `from` in s[0..len), or len. */
static size_t find_str(const char *s, size_t len, size_t from, const char *a)
{
    size_t al = strlen(a);
    for (size_t i = from; i + al <= len; i++)
        if (memcmp(s + i, a, al) == 0)
            return i;
    return len;
}

/*
 * Split s[0..sl) at every `sep` into trimmed column names, at most `max`,
 * stored in cols and lens with their count in *n.  0 when all is well; 1
 * when there are more than `max`; 2 when a name is empty.
 */
static int split_cols(const char *s, size_t sl, const char *sep, size_t max,
                      const char **cols, size_t *lens, size_t *n)
{
    size_t step = strlen(sep), pos = 0;
    while (pos <= sl) {
        size_t end = find_str(s, sl, pos, sep);
        if (*n == max)
            return 1;
        const char *c = s + pos;
        size_t cl = end - pos;
        toll__trim_space(&c, &cl);
        if (cl == 0)
            return 2;
        cols[*n] = c;
        lens[(*n)++] = cl;
        pos = end + step;
    }
    return 0;
}

#define ITEM_SHOW 120

/* Error about one spec item. */
static toll_status item_err(toll_error *err, const char *item, size_t len,
                            const char *why)
{
    int show = (int)(len < ITEM_SHOW ? len : ITEM_SHOW);
    return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, NULL, item, len,
                        "column map item \"%.*s\": %s", show, item, why);
}

/* The field of a map target: toll__field_lookup, or TOLL__F_KEEP for
 * "keep:NAME" (-2 when NAME is empty). */
static int target_field(const char *t, size_t tl)
{
    if (tl >= TOLL__KEEP_PREFIX_LEN &&
        memcmp(t, TOLL__KEEP_PREFIX, TOLL__KEEP_PREFIX_LEN) == 0) {
        const char *k = t + TOLL__KEEP_PREFIX_LEN;
        size_t kl = tl - TOLL__KEEP_PREFIX_LEN;
        while (kl && toll__is_space((unsigned char)*k)) {
            k++;
            kl--;
        }
        return kl ? TOLL__F_KEEP : -2;
    }
    return toll__field_lookup(t, tl);
}

/*
 * Column names written "NAME?" may be missing from a header: strip the
 * marks (and the space before them) and return the mask of such columns.
 * A name that is only "?" stays as it is (it is a column called "?").
 */
static uint32_t optional_marks(const char **cols, size_t *lens, size_t n)
{
    uint32_t mask = 0;
    for (size_t k = 0; k < n; k++) {
        if (lens[k] < 2 || cols[k][lens[k] - 1] != '?')
            continue;
        size_t l = lens[k] - 1;
        while (l && toll__is_space((unsigned char)cols[k][l - 1]))
            l--;
        if (!l)
            continue;
        lens[k] = l;
        mask |= (uint32_t)1 << k;
    }
    return mask;
}

static toll_status parse_item(toll_colmap *m, const char *item, size_t len,
                              toll_error *err)
{
    size_t eq = find_str(item, len, 0, "=");
    if (eq == len)
        return item_err(err, item, len, "expected TARGET=SOURCE");
    const char *t = item, *s = item + eq + 1;
    size_t tl = eq, sl = len - eq - 1;
    toll__trim_space(&t, &tl);
    toll__trim_space(&s, &sl);
    if (tl == 0)
        return item_err(err, item, len, "the target field is empty");
    int field = target_field(t, tl);
    if (field == -2)
        return item_err(err, item, len,
                        "a kept field needs a name: keep:NAME=COLUMN");
    if (field < 0)
        return item_err(err, item, len,
                        "unknown target field (expected incident, source, "
                        "source_kind, source_actor, date, date_start, "
                        "date_end, region, actor, id, url, note, a "
                        "category ending in killed or injured, or "
                        "keep:NAME for a kept field)");
    if (sl == 0)
        return item_err(err, item, len, "the source column is empty");
    if (!toll__utf8_valid(item, len, NULL))
        return item_err(err, item, len, "invalid UTF-8");

    const char *cols[TOLL__CM_MAX_COLS];
    size_t lens[TOLL__CM_MAX_COLS], n = 0;
    int shape;
    if (s[0] == '\'') {
        if (sl < 2 || s[sl - 1] != '\'')
            return item_err(err, item, len, "unterminated 'constant'");
        cols[0] = s + 1;
        lens[0] = sl - 2;
        n = 1;
        shape = TOLL__CM_CONST;
        if (field == TOLL__F_SOURCE_KIND) {
            char kind[16];
            toll_source_kind k;
            if (lens[0] >= sizeof kind)
                return item_err(err, item, len, "unknown source kind");
            memcpy(kind, cols[0], lens[0]);
            kind[lens[0]] = '\0';
            if (toll_source_kind_parse(kind, &k, NULL))
                return item_err(err, item, len,
                                "unknown source kind (expected monitor, "
                                "rescue, media, party, un, ngo or other)");
        }
    } else if (field == TOLL__F_ACTOR && memchr(s, '+', sl)) {
        /* actor=side_a+side_b: the actors of several columns */
        int r = split_cols(s, sl, "+", TOLL__CM_MAX_COLS, cols, lens, &n);
        if (r)
            return item_err(err, item, len,
                            r == 1 ? "too many actor columns"
                                   : "empty column name");
        shape = TOLL__CM_LEVELS;
    } else if (find_str(s, sl, 0, "..") < sl) {
        if (field != TOLL__F_CATEGORY)
            return item_err(err, item, len,
                            "only casualty categories take LOW..HIGH");
        int r = split_cols(s, sl, "..", 3, cols, lens, &n);
        if (r)
            return item_err(err, item, len,
                            r == 1 ? "expected LOW..HIGH or LOW..BEST..HIGH"
                                   : "empty column name");
        if (n < 2)
            return item_err(err, item, len,
                            "expected LOW..HIGH or LOW..BEST..HIGH");
        shape = n == 2 ? TOLL__CM_RANGE : TOLL__CM_RANGE3;
    } else if (field == TOLL__F_REGION && memchr(s, '/', sl)) {
        int r = split_cols(s, sl, "/", TOLL__CM_MAX_COLS, cols, lens, &n);
        if (r)
            return item_err(err, item, len,
                            r == 1 ? "too many region levels"
                                   : "empty column name");
        shape = TOLL__CM_LEVELS;
    } else {
        cols[0] = s;
        lens[0] = sl;
        n = 1;
        shape = TOLL__CM_COLUMN;
    }
    uint32_t opt = shape == TOLL__CM_CONST ? 0 : optional_marks(cols, lens, n);
    if (add_entry(m, t, tl, field, shape, cols, lens, n, opt))
        return toll__nomem(err);
    return TOLL_OK;
}

toll_status toll_colmap_parse(toll_colmap *map, const char *spec,
                              toll_error *err)
{
    if (!map || !spec)
        return toll__err(err, TOLL_EINVAL,
                         "toll_colmap_parse: map or spec is NULL");
    size_t n0 = map->n, len = strlen(spec), pos = 0;
    toll_status st = TOLL_OK;
    while (pos <= len && !st) {
        /* An item ends at a comma outside 'quotes'. */
        size_t end = pos;
        int quoted = 0;
        while (end < len && (quoted || spec[end] != ',')) {
            if (spec[end] == '\'')
                quoted = !quoted;
            end++;
        }
        const char *item = spec + pos;
        size_t il = end - pos;
        toll__trim_space(&item, &il);
        if (il)
            st = parse_item(map, item, il, err);
        if (!st && il && repeated_target(map, n0))
            st = item_err(err, item, il,
                          "the target is given twice in one column map "
                          "(give each target once)");
        pos = end + 1;
    }
    if (st)
        truncate_entries(map, n0);
    return st;
}

/* ---- JSON maps --------------------------------------------------------------- */

static toll_status json_err(toll_error *err, const char *name,
                            const char *field, const char *why)
{
    return toll__seterr(err, TOLL_EINVAL, name, 0, -1, field, NULL, 0, "%s",
                        why);
}

static toll_status json_string(const cJSON *v, const char *name,
                               const char *field, const char **s, size_t *len,
                               toll_error *err)
{
    if (!cJSON_IsString(v) || !v->valuestring)
        return json_err(err, name, field, "expected a column name (a string)");
    *s = v->valuestring;
    *len = strlen(*s);
    if (*len == 0)
        return json_err(err, name, field, "empty column name");
    if (!toll__utf8_valid(*s, *len, NULL))
        return json_err(err, name, field, "invalid UTF-8");
    return TOLL_OK;
}

static toll_status json_item(toll_colmap *m, const cJSON *it, const char *name,
                             toll_error *err)
{
    const char *t = it->string;
    size_t tl = strlen(t);
    int field = target_field(t, tl);
    if (field < 0 || !toll__utf8_valid(t, tl, NULL))
        return json_err(err, name, toll__utf8_valid(t, tl, NULL) ? t : "",
                        field == -2
                            ? "a kept field needs a name: \"keep:NAME\""
                            : "unknown target field (expected incident, "
                              "source, source_kind, source_actor, date, "
                              "date_start, date_end, region, actor, id, url, "
                              "note, a category ending in killed or injured, "
                              "or keep:NAME for a kept field)");
    const char *cols[TOLL__CM_MAX_COLS];
    size_t lens[TOLL__CM_MAX_COLS], n = 0;
    int shape;
    toll_status st;
    if (cJSON_IsString(it)) {
        if ((st = json_string(it, name, t, &cols[0], &lens[0], err)))
            return st;
        n = 1;
        shape = TOLL__CM_COLUMN;
    } else if (cJSON_IsArray(it)) {
        if (field != TOLL__F_REGION && field != TOLL__F_ACTOR)
            return json_err(err, name, t,
                            "only 'region' and 'actor' take a list of "
                            "columns");
        const cJSON *c;
        cJSON_ArrayForEach(c, it)
        {
            if (n == TOLL__CM_MAX_COLS)
                return json_err(err, name, t,
                                field == TOLL__F_REGION
                                    ? "too many region levels"
                                    : "too many actor columns");
            if ((st = json_string(c, name, t, &cols[n], &lens[n], err)))
                return st;
            n++;
        }
        if (n == 0)
            return json_err(err, name, t, "empty list of columns");
        shape = TOLL__CM_LEVELS;
    } else if (cJSON_IsObject(it)) {
        const cJSON *lo = NULL, *hi = NULL, *best = NULL, *val = NULL, *c;
        cJSON_ArrayForEach(c, it)
        {
            const cJSON **slot = NULL;
            if (strcmp(c->string, "low") == 0)
                slot = &lo;
            else if (strcmp(c->string, "high") == 0)
                slot = &hi;
            else if (strcmp(c->string, "best") == 0)
                slot = &best;
            else if (strcmp(c->string, "value") == 0)
                slot = &val;
            if (!slot)
                return json_err(err, name, t,
                                "unknown key (expected low, high, best or "
                                "value)");
            if (*slot)
                return json_err(err, name, t, "a key appears twice");
            *slot = c;
        }
        if (val) {
            if (lo || hi || best)
                return json_err(err, name, t,
                                "'value' cannot be combined with low/high");
            if (!cJSON_IsString(val) || !val->valuestring ||
                !toll__utf8_valid(val->valuestring, strlen(val->valuestring),
                                  NULL))
                return json_err(err, name, t,
                                "'value' must be a string (UTF-8)");
            cols[0] = val->valuestring;
            lens[0] = strlen(cols[0]);
            n = 1;
            shape = TOLL__CM_CONST;
            if (field == TOLL__F_SOURCE_KIND) {
                toll_source_kind k;
                if (toll_source_kind_parse(cols[0], &k, NULL))
                    return json_err(err, name, t,
                                    "unknown source kind (expected monitor, "
                                    "rescue, media, party, un, ngo or other)");
            }
        } else {
            if (field != TOLL__F_CATEGORY)
                return json_err(err, name, t,
                                "only casualty categories take low/high "
                                "columns");
            if (!lo || !hi)
                return json_err(err, name, t,
                                "expected both 'low' and 'high' columns");
            if ((st = json_string(lo, name, t, &cols[0], &lens[0], err)))
                return st;
            n = 1;
            if (best) {
                if ((st = json_string(best, name, t, &cols[n], &lens[n], err)))
                    return st;
                n++;
            }
            if ((st = json_string(hi, name, t, &cols[n], &lens[n], err)))
                return st;
            n++;
            shape = n == 2 ? TOLL__CM_RANGE : TOLL__CM_RANGE3;
        }
    } else {
        return json_err(err, name, t,
                        "expected a column name, a list of columns or an "
                        "object");
    }
    uint32_t opt = shape == TOLL__CM_CONST ? 0 : optional_marks(cols, lens, n);
    if (add_entry(m, t, tl, field, shape, cols, lens, n, opt))
        return toll__nomem(err);
    return TOLL_OK;
}

toll_status toll_colmap_load_json(toll_colmap *map, const char *json,
                                  size_t len, const char *name,
                                  toll_error *err)
{
    if (!map || (!json && len))
        return toll__err(err, TOLL_EINVAL,
                         "toll_colmap_load_json: map or json is NULL");
    if (!name)
        name = "<colmap>";
    if (len >= 3 && memcmp(json, "\xEF\xBB\xBF", 3) == 0) {
        json += 3;
        len -= 3;
    }
    const char *end = NULL;
    cJSON *root = len ? cJSON_ParseWithLengthOpts(json, len, &end, 0) : NULL;
    size_t n0 = map->n;
    toll_status st = TOLL_OK;
    if (!root) {
        long line = 1;
        size_t off = end && end >= json && end <= json + len
                         ? (size_t)(end - json)
                         : 0;
        for (size_t i = 0; i < off; i++)
            line += json[i] == '\n';
        size_t show = len - off < 20 ? len - off : 20;
        st = toll__seterr(err, TOLL_EINVAL, name, line, -1, NULL, json + off,
                          show, "invalid JSON near \"%.*s\"", (int)show,
                          json + off);
        goto cleanup;
    }
    while (end < json + len && json_ws(*end))
        end++;
    if (end != json + len) {
        st = json_err(err, name, NULL, "unexpected text after the JSON map");
        goto cleanup;
    }
    if (!cJSON_IsObject(root)) {
        st = json_err(err, name, NULL,
                      "a column map must be a JSON object "
                      "{\"target\": \"column\", ...}");
        goto cleanup;
    }
    const cJSON *it;
    cJSON_ArrayForEach(it, root)
    {
        if ((st = json_item(map, it, name, err)))
            goto cleanup;
        if (repeated_target(map, n0)) {
            st = json_err(err, name, it->string,
                          "target given twice (give each target once)");
            goto cleanup;
        }
    }
cleanup:
    cJSON_Delete(root);
    if (st)
        truncate_entries(map, n0);
    return st;
}

toll_status toll_colmap_load_file(toll_colmap *map, const char *path,
                                  toll_error *err)
{
    if (!map || !path)
        return toll__err(err, TOLL_EINVAL,
                         "toll_colmap_load_file: map or path is NULL");
    toll__buf b;
    toll__buf_init(&b, &map->alloc);
    toll_status st = toll__buf_read_file(&b, path, err);
    if (st == TOLL_OK)
        st = toll_colmap_load_json(map, b.data ? b.data : "", b.len, path,
                                   err);
    toll__buf_free(&b);
    return st;
}
