/*
 * src/summarize/kept.c - kept fields as group keys and filters (see kept.h).
 */
#include "summarize/kept.h"
#include "summarize/summarize_int.h"

#include <stdio.h>

static int is_toll_key(const char *s, size_t len)
{
    return len >= 5 && memcmp(s, "toll:", 5) == 0;
}

int toll__kept_find(const toll_reports *r, const char *s, size_t len,
                    uint32_t *key)
{
    uint32_t id = 0;
    if (len == 0 || is_toll_key(s, len) ||
        !toll__strpool_find(&r->strings, s, len, &id) || id == 0)
        return 0;
    for (size_t k = 0; k < r->nx; k++)
        if (r->x[k].key == id) {
            *key = id;
            return 1;
        }
    return 0;
}

toll_status toll__kept_list(const toll_reports *r, toll__buf *b, size_t max)
{
    const toll_allocator *a = &r->alloc;
    uint8_t *seen = toll__calloc(a, r->strings.count ? r->strings.count : 1, 1);
    if (!seen)
        return TOLL_ENOMEM;
    toll_status st = TOLL_OK;
    size_t n = 0;
    for (size_t k = 0; k < r->nx && !st; k++) {
        uint32_t id = r->x[k].key;
        const char *s = toll__str(&r->strings, id);
        size_t len = toll__strlen(&r->strings, id);
        if (seen[id] || is_toll_key(s, len))
            continue;
        seen[id] = 1;
        if (n == max) {
            st = toll__buf_append(b, ", ...", 5);
            break;
        }
        st = toll__buf_appendf(b, "%s%s", n ? ", " : "", s);
        n++;
    }
    if (!st && n == 0)
        st = toll__buf_append(b, "none", 4);
    toll__free(a, seen, r->strings.count ? r->strings.count : 1);
    return st;
}

toll_status toll__kept_incident_values(const toll_incidents *inc, uint32_t key,
                                       const toll_allocator *a,
                                       toll__strpool *pool, uint32_t **vals)
{
    const toll_reports *r = inc->reports;
    if (toll__strpool_init(pool, a))
        return TOLL_ENOMEM;
    *vals = toll__calloc(a, inc->n ? inc->n : 1, sizeof **vals);
    if (!*vals) {
        toll__strpool_free(pool);
        memset(pool, 0, sizeof *pool);
        return TOLL_ENOMEM;
    }
    for (size_t i = 0; i < inc->n; i++) {
        uint32_t best_rep = UINT32_MAX;
        const char *val = NULL, *s;
        size_t val_len = 0, len;
        for (size_t j = inc->r_begin[i]; j < inc->r_begin[i] + inc->r_count[i];
             j++) {
            uint32_t rep = inc->report_idx[j];
            if (rep < best_rep &&
                toll__reports_kept_value(r, rep, key, &s, &len)) {
                best_rep = rep;
                val = s;
                val_len = len;
            }
        }
        if (val && toll__strpool_intern(pool, val, val_len, &(*vals)[i])) {
            toll__free(a, *vals, (inc->n ? inc->n : 1) * sizeof **vals);
            *vals = NULL;
            toll__strpool_free(pool);
            memset(pool, 0, sizeof *pool);
            return TOLL_ENOMEM;
        }
    }
    return TOLL_OK;
}

int toll__data_grade_rank(const char *s, size_t len)
{
    static const char *const names[] = {"discounted", "contested", "weak",
                                        "fair", "confirmed"};
    toll__trim_blank(&s, &len);
    for (int k = 0; k < 5; k++)
        if (toll__strncaseeq(s, len, names[k]))
            return k + 1;
    return 0;
}

/* ---- where -------------------------------------------------------------------- */

static toll_status unknown_field(const toll_incidents *inc, const char *opt,
                                 const char *item, const char *name,
                                 size_t len, toll_error *err)
{
    toll__buf names;
    toll__buf_init(&names, &inc->alloc);
    toll_status st = toll__kept_list(inc->reports, &names, 40);
    toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, opt, item, strlen(item),
                 "%s: no report keeps a field '%.*s' (kept fields: %s)", opt,
                 (int)(len < 80 ? len : 80), name, st ? "?" : names.data);
    toll__buf_free(&names);
    return st == TOLL_ENOMEM ? toll__nomem(err) : TOLL_EINVAL;
}

void toll__where_free(toll__where *w)
{
    if (!w->a)
        return;
    for (size_t k = 0; k < w->nf; k++) {
        toll__wfield *f = &w->f[k];
        toll__free(w->a, f->vals, (w->n_inc ? w->n_inc : 1) * sizeof *f->vals);
        if (f->pool.alloc)
            toll__strpool_free(&f->pool);
        toll__free(w->a, f->want, f->want_cap * sizeof *f->want);
        toll__free(w->a, f->want_len, f->want_cap * sizeof *f->want_len);
    }
    toll__free(w->a, w->f, w->f_cap * sizeof *w->f);
    toll__free(w->a, w->dg_vals, (w->n_inc ? w->n_inc : 1) * sizeof *w->dg_vals);
    if (w->dg_pool.alloc)
        toll__strpool_free(&w->dg_pool);
    memset(w, 0, sizeof *w);
}

/* The one parser of the text form of a where item. */
toll_status toll_summarize_where_parse(const char *item, toll_where_item *out,
                                       toll_error *err)
{
    if (!item || !out)
        return toll__err(err, TOLL_EINVAL,
                         "toll_summarize_where_parse: item or out is NULL");
    const char *eq = strchr(item, '=');
    const char *name = item, *val = eq ? eq + 1 : "";
    size_t nl = eq ? (size_t)(eq - item) : strlen(item), vl = strlen(val);
    toll__trim_blank(&name, &nl);
    toll__trim_blank(&val, &vl);
    if (!eq || nl == 0)
        return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "where", item,
                            strlen(item),
                            "where item '%s': expected FIELD=VALUE "
                            "(type_of_violence=1)",
                            item);
    out->field = name;
    out->field_len = nl;
    out->value = val;
    out->value_len = vl;
    return TOLL_OK;
}

toll_status toll__where_init(toll__where *w, const toll_incidents *inc,
                             const toll_where_item *items, size_t n,
                             const char *const *texts,
                             const char *min_data_grade,
                             const toll_allocator *a, toll_error *err)
{
    memset(w, 0, sizeof *w);
    w->a = a;
    w->n_inc = inc->n;
    toll_status st = TOLL_OK;
    toll__buf text;
    toll__buf_init(&text, a);
    if (n && !items)
        return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "where_items",
                            NULL, 0,
                            "n_where_items is %zu but where_items is NULL",
                            n);
    if (n) {
        w->f = toll__calloc(a, n, sizeof *w->f);
        if (!w->f)
            goto nomem;
        w->f_cap = n;
    }
    for (size_t k = 0; k < n; k++) {
        const char *name = items[k].field, *val = items[k].value;
        size_t nl = items[k].field_len, vl = items[k].value_len;
        /* keep:NAME is the kept field NAME, as in `by` (keep:actor too:
         * only a bare "actor" is the actor filter) */
        if (name && nl > 5 && toll__strncaseeq(name, 5, "keep:")) {
            name += 5;
            nl -= 5;
        }
        if (!name || !nl || (vl && !val)) {
            st = toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "where_items",
                              NULL, 0,
                              "where item %zu: %s", k,
                              !name || !nl ? "a field name is needed"
                                           : "value_len is set but value "
                                             "is NULL");
            goto fail;
        }
        if (!vl)
            val = "";
        toll__wfield *f = NULL;
        for (size_t j = 0; j < w->nf; j++)
            if (w->f[j].name_len == nl && memcmp(w->f[j].name, name, nl) == 0)
                f = &w->f[j];
        if (!f) {
            uint32_t key;
            if (!toll__kept_find(inc->reports, name, nl, &key)) {
                /* named as given: the text item, else FIELD=VALUE */
                const char *item = texts ? texts[k] : NULL;
                if (!item) {
                    text.len = 0;
                    if (toll__buf_appendf(&text, "%.*s=%.*s", (int)nl, name,
                                          (int)vl, val))
                        goto nomem;
                    item = text.data;
                }
                st = unknown_field(inc, texts ? "where" : "where_items", item,
                                   name, nl, err);
                goto fail;
            }
            f = &w->f[w->nf++];
            f->name = name;
            f->name_len = nl;
            f->key = key;
            f->want = toll__calloc(a, n, sizeof *f->want);
            f->want_len = toll__calloc(a, n, sizeof *f->want_len);
            if (f->want && f->want_len)
                f->want_cap = n;
            if (!f->want_cap ||
                toll__kept_incident_values(inc, key, a, &f->pool,
                                           &f->vals)) {
                if (!f->want_cap) {
                    toll__free(a, f->want, n * sizeof *f->want);
                    toll__free(a, f->want_len, n * sizeof *f->want_len);
                    f->want = NULL;
                    f->want_len = NULL;
                }
                goto nomem;
            }
        }
        f->want[f->nwant] = val;
        f->want_len[f->nwant++] = vl;
    }
    if (min_data_grade && min_data_grade[0]) {
        w->min_rank = toll__data_grade_rank(min_data_grade,
                                            strlen(min_data_grade));
        if (!w->min_rank) {
            st = toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "min_data_grade",
                              min_data_grade, strlen(min_data_grade),
                              "unknown data grade '%s' (expected confirmed, "
                              "fair, weak, contested or discounted)",
                              min_data_grade);
            goto fail;
        }
        uint32_t key;
        if (!toll__kept_find(inc->reports, TOLL__DATA_GRADE,
                             sizeof TOLL__DATA_GRADE - 1, &key)) {
            st = unknown_field(inc, "min_data_grade", min_data_grade,
                               TOLL__DATA_GRADE, sizeof TOLL__DATA_GRADE - 1,
                               err);
            goto fail;
        }
        if (toll__kept_incident_values(inc, key, a, &w->dg_pool,
                                       &w->dg_vals))
            goto nomem;
    }
    toll__buf_free(&text);
    return TOLL_OK;
nomem:
    st = toll__nomem(err);
fail:
    toll__buf_free(&text);
    toll__where_free(w);
    return st;
}

/* ASCII case-insensitive equality of a[0..n) and b[0..n). */
static int caseeq(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z')
            x = (char)(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = (char)(y - 'A' + 'a');
        if (x != y)
            return 0;
    }
    return 1;
}

int toll__where_active(const toll__where *w)
{
    return w->nf > 0 || w->min_rank > 0;
}

int toll__where_match(const toll__where *w, size_t i)
{
    for (size_t k = 0; k < w->nf; k++) {
        const toll__wfield *f = &w->f[k];
        uint32_t id = f->vals[i];
        const char *s = toll__str(&f->pool, id);
        size_t len = toll__strlen(&f->pool, id);
        int any = 0;
        for (size_t j = 0; j < f->nwant && !any; j++)
            any = f->want_len[j] == len && caseeq(s, f->want[j], len);
        if (!any)
            return 0;
    }
    if (w->min_rank) {
        uint32_t id = w->dg_vals[i];
        if (toll__data_grade_rank(toll__str(&w->dg_pool, id),
                                  toll__strlen(&w->dg_pool, id)) < w->min_rank)
            return 0;
    }
    return 1;
}

toll_status toll__where_caption(const toll__where *w,
                                const char *min_data_grade, toll__buf *b)
{
    toll_status st = TOLL_OK;
    for (size_t k = 0; k < w->nf && !st; k++) {
        const toll__wfield *f = &w->f[k];
        char name[256]; /* keep:region: not toll's region */
        toll__field_key_name(f->name, f->name_len, name, sizeof name);
        st = toll__buf_appendf(b, "%s%s=", k ? ", " : "; where ", name);
        for (size_t j = 0; j < f->nwant && !st; j++)
            st = toll__buf_appendf(b, "%s%.*s", j ? "|" : "",
                                   (int)f->want_len[j], f->want[j]);
    }
    if (!st && w->min_rank)
        st = toll__buf_appendf(b, "; data grade >= %s", min_data_grade);
    return st;
}
