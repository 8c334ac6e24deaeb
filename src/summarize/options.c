/*
 * src/summarize/options.c - the names and options of a summary: attribution
 * and span names, toll_summarize_options_init, the text form of the group
 * keys (toll_summarize_by_parse) and the group keys as key dimensions.
 */
#include "summarize/summarize_int.h"

#include <stdio.h>

/* ---- names ------------------------------------------------------------------ */

toll_status toll_attribution_parse(const char *s, toll_attribution *out,
                                   toll_error *err)
{
    if (!s || !out)
        return toll__err(err, TOLL_EINVAL,
                         "toll_attribution_parse: argument is NULL");
    size_t n = strlen(s);
    if (toll__strncaseeq(s, n, "joint"))
        *out = TOLL_ATTR_JOINT;
    else if (toll__strncaseeq(s, n, "split"))
        *out = TOLL_ATTR_SPLIT;
    else if (toll__strncaseeq(s, n, "each"))
        *out = TOLL_ATTR_EACH;
    else
        return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "attribution", s,
                            n, "unknown attribution '%s' (expected joint, "
                               "split or each)", s);
    return TOLL_OK;
}

toll_status toll_span_parse(const char *s, toll_span *out, toll_error *err)
{
    if (!s || !out)
        return toll__err(err, TOLL_EINVAL, "toll_span_parse: argument is NULL");
    size_t n = strlen(s);
    if (toll__strncaseeq(s, n, "start"))
        *out = TOLL_SPAN_START;
    else if (toll__strncaseeq(s, n, "prorate"))
        *out = TOLL_SPAN_PRORATE;
    else
        return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "span", s, n,
                            "unknown span '%s' (expected start or prorate)",
                            s);
    return TOLL_OK;
}

const char *toll_attribution_name(toll_attribution a)
{
    switch (a) {
    case TOLL_ATTR_JOINT: return "joint";
    case TOLL_ATTR_SPLIT: return "split";
    case TOLL_ATTR_EACH: return "each";
    }
    return "";
}

const char *toll_span_name(toll_span s)
{
    switch (s) {
    case TOLL_SPAN_START: return "start";
    case TOLL_SPAN_PRORATE: return "prorate";
    }
    return "";
}

void toll_summarize_options_init(toll_summarize_options *opts)
{
    if (!opts)
        return;
    memset(opts, 0, sizeof *opts);
    opts->by = NULL;
    opts->category = NULL;
    opts->attribution = TOLL_ATTR_JOINT;
    opts->span = TOLL_SPAN_START;
    opts->max_rows = TOLL_SUMMARIZE_DEFAULT_MAX_ROWS;
    opts->min_grade = TOLL_GRADE_NONE;
    opts->date_from = NULL;
    opts->date_to = NULL;
    opts->region_prefix = NULL;
    opts->actors = NULL;
    opts->n_actors = 0;
    toll_interval_options_init(&opts->interval);
}

/* The name of key k as written in messages ("actor", or the field). */
static int key_name_len(const toll_group_key *k)
{
    return k->kind == TOLL_KEY_FIELD ? (int)k->field_len
                                     : (int)strlen(toll__dim_names[k->kind]);
}
static const char *key_name(const toll_group_key *k)
{
    return k->kind == TOLL_KEY_FIELD ? k->field : toll__dim_names[k->kind];
}

static int keys_same(const toll_group_key *a, const toll_group_key *b)
{
    return a->kind == b->kind &&
           (a->kind != TOLL_KEY_FIELD ||
            (a->field_len == b->field_len &&
             memcmp(a->field, b->field, a->field_len) == 0));
}

/* The one parser of the text form of `by`.  Key names are
 * case-insensitive. */
toll_status toll_summarize_by_parse(const char *by, toll_group_key *keys,
                                    size_t cap, size_t *n_keys,
                                    toll_error *err)
{
    static const char expected[] =
        "(expected actor, region, region:K, "
        "period:day|week|month|quarter|year, category, grade, a kept "
        "field's name, or keep:NAME)";
    if (!n_keys || (cap && !keys))
        return toll__err(err, TOLL_EINVAL,
                         "toll_summarize_by_parse: keys or n_keys is NULL");
    *n_keys = 0;
    if (!by)
        return TOLL_OK;
    const char *p = by;
    /* All blank: no keys. */
    while (toll__is_blank((unsigned char)*p))
        p++;
    if (!*p)
        return TOLL_OK;
    p = by;
    for (;;) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        const char *s = p;
        toll__trim_blank(&s, &n);
        if (n == 0)
            return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "by", by,
                                strlen(by), "empty group key in '%s' %s", by,
                                expected);
        const char *colon = memchr(s, ':', n);
        size_t nn = colon ? (size_t)(colon - s) : n;
        const char *arg = colon ? colon + 1 : NULL;
        size_t alen = colon ? n - nn - 1 : 0;
        toll_group_key d;
        memset(&d, 0, sizeof d);
        if (toll__strncaseeq(s, nn, "actor") && !colon) {
            d.kind = TOLL_KEY_ACTOR;
        } else if (toll__strncaseeq(s, nn, "category") && !colon) {
            d.kind = TOLL_KEY_CATEGORY;
        } else if (toll__strncaseeq(s, nn, "grade") && !colon) {
            d.kind = TOLL_KEY_GRADE;
        } else if (toll__strncaseeq(s, nn, "region")) {
            d.kind = TOLL_KEY_REGION;
            if (colon) {
                long k = 0;
                size_t i = 0;
                for (; i < alen && arg[i] >= '0' && arg[i] <= '9' && k < 1000;
                     i++)
                    k = k * 10 + (arg[i] - '0');
                if (alen == 0 || i != alen)
                    return toll__seterr(
                        err, TOLL_EINVAL, NULL, 0, -1, "by", s, n,
                        "bad region level in group key '%.*s' (expected "
                        "region:K with K = 0, 1, 2 ...: the first K+1 levels)",
                        (int)n, s);
                d.levels = (int)k + 1;
            }
        } else if (toll__strncaseeq(s, nn, "period")) {
            d.kind = TOLL_KEY_PERIOD;
            if (!colon)
                return toll__seterr(
                    err, TOLL_EINVAL, NULL, 0, -1, "by", s, n,
                    "group key 'period' needs a unit: "
                    "period:day|week|month|quarter|year");
            toll_status st = toll__period_unit_parse(arg, alen, "by", s, n,
                                                     &d.unit, err);
            if (st)
                return st;
        } else if (!colon) {
            /* a kept field, checked against the reports by summarize */
            d.kind = TOLL_KEY_FIELD;
            d.field = s;
            d.field_len = n;
        } else if (toll__strncaseeq(s, nn, "keep") && alen) {
            /* keep:NAME: the kept field NAME, even one named as a key */
            d.kind = TOLL_KEY_FIELD;
            d.field = arg;
            d.field_len = alen;
        } else {
            return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "by", s, n,
                                "unknown group key '%.*s' %s", (int)n, s,
                                expected);
        }
        for (size_t k = 0; k < *n_keys; k++)
            if (keys_same(&keys[k], &d))
                return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "by", s, n,
                                    "group key '%.*s' given twice in '%s'",
                                    key_name_len(&d), key_name(&d), by);
        if (*n_keys == cap)
            return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "by", by,
                                strlen(by), "too many group keys in '%s' (at "
                                "most %zu)", by, cap);
        keys[(*n_keys)++] = d;
        if (!e)
            break;
        p = e + 1;
    }
    return TOLL_OK;
}

/* The group keys (struct form) as dims; TOLL_EINVAL names the option
 * "keys" and the bad key. */
toll_status toll__dims_from_keys(const toll_group_key *keys, size_t n,
                                 dim *dims, size_t *ndims, toll_error *err)
{
    *ndims = 0;
    if (n && !keys)
        return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "keys", NULL, 0,
                            "n_keys is %zu but keys is NULL", n);
    if (n > MAX_KEYS)
        return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "keys", NULL, 0,
                            "too many group keys (%zu; at most %d)", n,
                            MAX_KEYS);
    for (size_t k = 0; k < n; k++) {
        const toll_group_key *g = &keys[k];
        if ((unsigned)g->kind > TOLL_KEY_FIELD)
            return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "keys", NULL,
                                0, "group key %zu: unknown kind %d", k,
                                (int)g->kind);
        if (g->kind == TOLL_KEY_FIELD && (!g->field || !g->field_len))
            return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "keys", NULL,
                                0, "group key %zu: a kept field needs a name",
                                k);
        if (g->kind == TOLL_KEY_PERIOD &&
            (unsigned)g->unit > TOLL_PERIOD_YEAR)
            return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "keys", NULL,
                                0, "group key %zu: unknown period unit %d", k,
                                (int)g->unit);
        if (g->kind == TOLL_KEY_REGION && (g->levels < 0 || g->levels > 1000))
            return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "keys", NULL,
                                0, "group key %zu: bad region levels %d", k,
                                g->levels);
        for (size_t j = 0; j < k; j++)
            if (keys_same(&keys[j], g))
                return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "keys",
                                    key_name(g), (size_t)key_name_len(g),
                                    "group key '%.*s' given twice",
                                    key_name_len(g), key_name(g));
        dim d;
        memset(&d, 0, sizeof d);
        d.kind = (enum dim_kind)g->kind;
        d.levels = g->kind == TOLL_KEY_REGION ? g->levels : 0;
        d.unit = g->kind == TOLL_KEY_PERIOD ? g->unit : TOLL_PERIOD_DAY;
        if (g->kind == TOLL_KEY_FIELD) {
            d.fname = g->field;
            d.fname_len = g->field_len;
        }
        dims[(*ndims)++] = d;
    }
    return TOLL_OK;
}

void toll__keys_text(const struct ctx *c, char *buf, size_t size)
{
    size_t n = 0;
    if (!size)
        return;
    buf[0] = '\0';
    for (size_t k = 0; k < c->ndims && n + 1 < size; k++) {
        const dim *d = &c->dims[k];
        const char *sep = k ? "," : "";
        int w;
        if (d->kind == DIM_FIELD) {
            w = snprintf(buf + n, size - n, "%s", sep);
            if (w >= 0 && (size_t)w < size - n)
                w += toll__field_key_name(d->fname ? d->fname : "",
                                          d->fname_len, buf + n + (size_t)w,
                                          size - n - (size_t)w);
        }
        else if (d->kind == DIM_PERIOD)
            w = snprintf(buf + n, size - n, "%speriod:%s", sep,
                         toll__period_unit_name(d->unit));
        else if (d->kind == DIM_REGION && d->levels)
            w = snprintf(buf + n, size - n, "%sregion:%d", sep,
                         d->levels - 1);
        else
            w = snprintf(buf + n, size - n, "%s%s", sep,
                         toll__dim_names[d->kind]);
        if (w < 0)
            break;
        n += (size_t)w < size - n ? (size_t)w : size - n - 1;
    }
    if (!c->ndims)
        snprintf(buf, size, "(no keys)");
}
