/*
 * src/core/lexicon.c - the vague-word lexicon: built-in default table, presets
 * ("default", "acled", "empty"), entries, and the JSON loader.
 *
 * A lexicon owns its entries and their words through its allocator.  The
 * parser (src/core/quantity.c) reads entries through src/core/core.h;
 * with no lexicon it uses the static default table below, which is never
 * allocated or modified.
 */
#include "core/core.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>

/* ---- built-in tables ------------------------------------------------------ */

#define NO_BEST (-1.0)

/* Default lexicon: word, low, high, best (NO_BEST: none). */
static const toll__lexentry default_table[] = {
    {"a couple", 8, 2, 2, NO_BEST},
    {"a few", 5, 2, 5, 3},
    {"a handful", 9, 2, 5, 3},
    {"several", 7, 3, 9, 5},
    {"dozens", 6, 24, 99, 36},
    {"scores", 6, 40, 99, 60},
    {"tens", 4, 20, 99, 30},
    {"hundreds", 8, 200, 999, 300},
    {"thousands", 9, 2000, 9999, 3000},
    {"many", 4, 10, TOLL_OPEN, NO_BEST},
};

/*
 * ACLED preset: the fixed point values ACLED codes for vague reports
 * (low = high = best).  Where they come from:
 *  - tens 10, dozens 12, hundreds 100: ACLED's knowledge-base article
 *    "Fatalities" (Uses and limitations of ACLED data, published
 *    2023-02-27, updated 2024-05-07), which says that for estimates such
 *    as "tens", "dozens" or "hundreds" ACLED codes 10, 12 and 100 "and so
 *    on" (the ACLED Codebook's "Reported fatalities" section is the
 *    primary source; we could not read its text here).
 *  - thousands 1000: our reading of that "and so on".
 *  - several 10, many 10: the codebook rule for reports that give no
 *    number but say "several", "many" or use a plural (10; 3 in older
 *    codebooks), as ACLED's methodology is commonly summarised in
 *    secondary descriptions of the dataset (the codebook's own text could
 *    not be consulted).
 * A bare plural ("civilians were killed") cannot be matched by a word
 * list; callers can add words of their own with toll_lexicon_set.
 */
static const toll__lexentry acled_table[] = {
    {"several", 7, 10, 10, 10},
    {"many", 4, 10, 10, 10},
    {"tens", 4, 10, 10, 10},
    {"dozens", 6, 12, 12, 12},
    {"hundreds", 8, 100, 100, 100},
    {"thousands", 9, 1000, 1000, 1000},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

void toll__lexicon_default(const toll__lexentry **entries, size_t *n)
{
    *entries = default_table;
    *n = COUNT(default_table);
}

/* ---- matching ------------------------------------------------------------- */

static int is_alnum(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9');
}

static unsigned char lower(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') ? (unsigned char)(c - 'A' + 'a') : c;
}

/* 1 if a[0..n) and b[0..n) are equal, ASCII case-insensitively. */
static int lower_eq(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (lower((unsigned char)a[i]) != lower((unsigned char)b[i]))
            return 0;
    return 1;
}

size_t toll__match_phrase(const char *s, size_t n, const char *word,
                          size_t wlen)
{
    size_t i = 0, j = 0;
    if (wlen == 0)
        return 0;
    while (j < wlen) {
        unsigned char w = (unsigned char)word[j];
        if (toll__is_space(w)) {
            if (i >= n || !toll__is_space((unsigned char)s[i]))
                return 0;
            while (i < n && toll__is_space((unsigned char)s[i]))
                i++;
            while (j < wlen && toll__is_space((unsigned char)word[j]))
                j++;
            continue;
        }
        if (i >= n || lower((unsigned char)s[i]) != lower(w))
            return 0;
        i++;
        j++;
    }
    /* whole word: the text may not continue a word that the entry ended */
    if (i < n && is_alnum((unsigned char)word[wlen - 1]) &&
        is_alnum((unsigned char)s[i]))
        return 0;
    return i;
}

int toll__lexicon_digit_led(const toll_lexicon *lex)
{
    if (!lex)
        return 0;
    for (size_t k = 0; k < lex->n; k++) {
        const char *w = lex->e[k].word;
        while (toll__is_space((unsigned char)*w))
            w++;
        if (*w >= '0' && *w <= '9')
            return 1;
    }
    return 0;
}

/* ---- entries ---------------------------------------------------------------- */

/*
 * A word the parser reads by itself ("5", "twenty", "none", "unknown",
 * "about a dozen") may not be a lexicon word: it would redefine the number
 * or swallow longer ones ("twenty" in "twenty-three"), or never be used.
 * On failure write the reason into why and return 0.
 */
static int check_word(const char *w, size_t len, char *why, size_t size)
{
    if (toll__quantity_reads(w, len)) {
        snprintf(why, size,
                 "the parser reads \"%.*s\" itself (a lexicon word may not "
                 "be a number, a range or a word such as \"none\" or "
                 "\"unknown\")",
                 (int)(len > 100 ? 100 : len), w);
        return 0;
    }
    return 1;
}

/* Validate one entry; on failure write the reason into why and return 0. */
static int check_entry(int64_t low, int64_t high, double best, int has_best,
                       char *why, size_t size)
{
    if (low < 0) {
        snprintf(why, size, "low %lld is negative", (long long)low);
        return 0;
    }
    if (high != TOLL_OPEN && high < 0) {
        snprintf(why, size, "high %lld is negative", (long long)high);
        return 0;
    }
    if (!toll__count_ok(low) || (high != TOLL_OPEN && !toll__count_ok(high))) {
        snprintf(why, size,
                 "%s %lld is too large (above the largest count accepted, "
                 TOLL__COUNT_MAX_TEXT ")",
                 toll__count_ok(low) ? "high" : "low",
                 (long long)(toll__count_ok(low) ? high : low));
        return 0;
    }
    if (high != TOLL_OPEN && low > high) {
        snprintf(why, size, "low %lld is greater than high %lld",
                 (long long)low, (long long)high);
        return 0;
    }
    if (has_best) {
        if (!isfinite(best)) {
            snprintf(why, size, "best %g is not a finite number", best);
            return 0;
        }
        if (!toll__best_ok(best) && best >= 0) {
            snprintf(why, size,
                     "best %.17g is too large (above the largest count "
                     "accepted, " TOLL__COUNT_MAX_TEXT ")",
                     best);
            return 0;
        }
        if (best < (double)low || (high != TOLL_OPEN && best > (double)high)) {
            if (high == TOLL_OPEN)
                snprintf(why, size, "best %g is outside [%lld, open)", best,
                         (long long)low);
            else
                snprintf(why, size, "best %g is outside [%lld, %lld]", best,
                         (long long)low, (long long)high);
            return 0;
        }
    }
    return 1;
}

/* s[0..*n) trimmed (toll__trim_space). */
static const char *trim(const char *s, size_t *n)
{
    toll__trim_space(&s, n);
    return s;
}

static size_t find_word(const toll_lexicon *lex, const char *w, size_t len)
{
    for (size_t i = 0; i < lex->n; i++)
        if (lex->e[i].len == len && toll__strncaseeq(w, len, lex->e[i].word))
            return i;
    return SIZE_MAX;
}

/* Add or update (already validated).  On ENOMEM lex is unchanged. */
static toll_status put_entry(toll_lexicon *lex, const char *w, size_t len,
                             int64_t low, int64_t high, double best)
{
    size_t i = find_word(lex, w, len);
    if (i == SIZE_MAX) {
        char *copy = toll__strndup(&lex->alloc, w, len);
        if (!copy)
            return TOLL_ENOMEM;
        if (toll__grow(&lex->alloc, (void **)&lex->e, &lex->cap, lex->n + 1,
                       sizeof *lex->e) != TOLL_OK) {
            toll__free(&lex->alloc, copy, len + 1);
            return TOLL_ENOMEM;
        }
        i = lex->n++;
        lex->e[i].word = copy;
        lex->e[i].len = len;
    }
    lex->e[i].low = low;
    lex->e[i].high = high;
    lex->e[i].best = best < 0 ? NO_BEST : best;
    return TOLL_OK;
}

static void clear_entries(toll_lexicon *lex)
{
    for (size_t i = 0; i < lex->n; i++)
        toll__free(&lex->alloc, (void *)lex->e[i].word, lex->e[i].len + 1);
    toll__free(&lex->alloc, lex->e, lex->cap * sizeof *lex->e);
    lex->e = NULL;
    lex->n = lex->cap = 0;
    for (size_t i = 0; i < lex->nsc; i++)
        toll__free(&lex->alloc, (void *)lex->sc[i].word, lex->sc[i].len + 1);
    toll__free(&lex->alloc, lex->sc, lex->sccap * sizeof *lex->sc);
    lex->sc = NULL;
    lex->nsc = lex->sccap = 0;
}

/* Add or update a scale word (already validated).  On ENOMEM lex is
 * unchanged. */
static toll_status put_scale(toll_lexicon *lex, const char *w, size_t len,
                             int64_t scale)
{
    for (size_t i = 0; i < lex->nsc; i++)
        if (lex->sc[i].len == len && lower_eq(lex->sc[i].word, w, len)) {
            lex->sc[i].scale = scale;
            return TOLL_OK;
        }
    char *copy = toll__strndup(&lex->alloc, w, len);
    if (!copy)
        return TOLL_ENOMEM;
    if (toll__grow(&lex->alloc, (void **)&lex->sc, &lex->sccap, lex->nsc + 1,
                   sizeof *lex->sc) != TOLL_OK) {
        toll__free(&lex->alloc, copy, len + 1);
        return TOLL_ENOMEM;
    }
    lex->sc[lex->nsc].word = copy;
    lex->sc[lex->nsc].len = len;
    lex->sc[lex->nsc].scale = scale;
    lex->nsc++;
    return TOLL_OK;
}

/*
 * A scale word must be ASCII letters, not a word the parser reads as part
 * of a number already ("k", "million", "zillion"), with a scale from 2 to
 * TOLL_COUNT_MAX.  On failure write why and return 0.
 */
static int check_scale(const char *w, size_t len, int64_t scale, char *why,
                       size_t size)
{
    for (size_t i = 0; i < len; i++)
        if (!((w[i] >= 'a' && w[i] <= 'z') || (w[i] >= 'A' && w[i] <= 'Z'))) {
            snprintf(why, size, "a scale word must be ASCII letters only");
            return 0;
        }
    if (toll__number_word(w, len)) {
        snprintf(why, size, "the parser reads \"%.*s\" itself as part of a "
                            "number",
                 (int)(len > 100 ? 100 : len), w);
        return 0;
    }
    if (scale < 2 || !toll__count_ok(scale)) {
        snprintf(why, size,
                 "scale %lld is not from 2 to the largest count accepted, "
                 TOLL__COUNT_MAX_TEXT,
                 (long long)scale);
        return 0;
    }
    return 1;
}

static toll_status add_table(toll_lexicon *lex, const toll__lexentry *t,
                             size_t n)
{
    if (n && toll__grow(&lex->alloc, (void **)&lex->e, &lex->cap, lex->n + n,
                        sizeof *lex->e) != TOLL_OK)
        return TOLL_ENOMEM;
    for (size_t i = 0; i < n; i++)
        if (put_entry(lex, t[i].word, t[i].len, t[i].low, t[i].high,
                      t[i].best) != TOLL_OK)
            return TOLL_ENOMEM;
    return TOLL_OK;
}

/* ---- construction ------------------------------------------------------------ */

static toll_status lexicon_create(const toll_allocator *alloc,
                                  const toll__lexentry *t, size_t n,
                                  toll_lexicon **out, toll_error *err)
{
    toll_status st = TOLL_OK;
    toll_allocator a;
    toll__alloc_init(&a, alloc);
    toll_lexicon *lex = toll__alloc(&a, sizeof *lex);
    if (!lex) {
        st = toll__nomem(err);
        goto cleanup;
    }
    lex->alloc = a;
    lex->e = NULL;
    lex->n = lex->cap = 0;
    lex->sc = NULL;
    lex->nsc = lex->sccap = 0;
    if (add_table(lex, t, n) != TOLL_OK) {
        st = toll__nomem(err);
        goto cleanup;
    }
    *out = lex;
    lex = NULL;

cleanup:
    toll_lexicon_free(lex);
    return st;
}

toll_status toll_lexicon_new(const toll_allocator *alloc, toll_lexicon **out,
                             toll_error *err)
{
    if (!out)
        return toll__err(err, TOLL_EINVAL, "toll_lexicon_new: out is NULL");
    *out = NULL;
    return lexicon_create(alloc, default_table, COUNT(default_table), out,
                          err);
}

toll_status toll_lexicon_new_preset(const char *name,
                                    const toll_allocator *alloc,
                                    toll_lexicon **out, toll_error *err)
{
    if (!out || !name)
        return toll__err(err, TOLL_EINVAL,
                         "toll_lexicon_new_preset: %s is NULL",
                         out ? "name" : "out");
    *out = NULL;
    size_t len = strlen(name);
    if (toll__strncaseeq(name, len, "default"))
        return lexicon_create(alloc, default_table, COUNT(default_table), out,
                              err);
    if (toll__strncaseeq(name, len, "acled"))
        return lexicon_create(alloc, acled_table, COUNT(acled_table), out,
                              err);
    if (toll__strncaseeq(name, len, "empty"))
        return lexicon_create(alloc, NULL, 0, out, err);
    return toll__seterr(err, TOLL_ENOTFOUND, NULL, 0, -1, NULL, name, len,
                        "unknown lexicon preset \"%.100s\" (known: default, "
                        "acled, empty)",
                        name);
}

void toll_lexicon_free(toll_lexicon *lex)
{
    if (!lex)
        return;
    clear_entries(lex);
    toll_allocator a = lex->alloc;
    toll__free(&a, lex, sizeof *lex);
}

size_t toll_lexicon_count(const toll_lexicon *lex)
{
    return lex ? lex->n : 0;
}

toll_status toll_lexicon_entry(const toll_lexicon *lex, size_t i,
                               const char **word, int64_t *low, int64_t *high,
                               double *best)
{
    if (!lex || i >= lex->n)
        return TOLL_ENOTFOUND;
    const toll__lexentry *e = &lex->e[i];
    if (word)
        *word = e->word;
    if (low)
        *low = e->low;
    if (high)
        *high = e->high;
    if (best)
        *best = e->best;
    return TOLL_OK;
}

toll_status toll_lexicon_set(toll_lexicon *lex, const char *word, int64_t low,
                             int64_t high, double best, toll_error *err)
{
    if (!lex || !word)
        return toll__err(err, TOLL_EINVAL, "toll_lexicon_set: %s is NULL",
                         lex ? "word" : "lexicon");
    size_t len = strlen(word);
    const char *w = trim(word, &len);
    if (len == 0)
        return toll__err(err, TOLL_EINVAL, "lexicon word is empty");
    char why[160];
    /* best < 0 means "no best"; NaN is rejected */
    int has_best = !(best < 0);
    if (!check_word(w, len, why, sizeof why) ||
        !check_entry(low, high, best, has_best, why, sizeof why))
        return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, NULL, w, len,
                            "word \"%.*s\": %s", (int)(len > 100 ? 100 : len),
                            w, why);
    if (put_entry(lex, w, len, low, high, has_best ? best : NO_BEST) !=
        TOLL_OK)
        return toll__nomem(err);
    return TOLL_OK;
}

toll_status toll_lexicon_set_scale(toll_lexicon *lex, const char *word,
                                   int64_t scale, toll_error *err)
{
    if (!lex || !word)
        return toll__err(err, TOLL_EINVAL,
                         "toll_lexicon_set_scale: %s is NULL",
                         lex ? "word" : "lexicon");
    size_t len = strlen(word);
    const char *w = trim(word, &len);
    if (len == 0)
        return toll__err(err, TOLL_EINVAL, "scale word is empty");
    char why[160];
    if (!check_scale(w, len, scale, why, sizeof why))
        return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, NULL, w, len,
                            "scale word \"%.*s\": %s",
                            (int)(len > 100 ? 100 : len), w, why);
    if (put_scale(lex, w, len, scale) != TOLL_OK)
        return toll__nomem(err);
    return TOLL_OK;
}

size_t toll_lexicon_scale_count(const toll_lexicon *lex)
{
    return lex ? lex->nsc : 0;
}

toll_status toll_lexicon_scale_entry(const toll_lexicon *lex, size_t i,
                                     const char **word, int64_t *scale)
{
    if (!lex || i >= lex->nsc)
        return TOLL_ENOTFOUND;
    if (word)
        *word = lex->sc[i].word;
    if (scale)
        *scale = lex->sc[i].scale;
    return TOLL_OK;
}

/* ---- JSON ---------------------------------------------------------------- */

/* Read a whole count from item; on failure write why and return 0. */
static int json_count(const cJSON *item, const char *key, int64_t *v,
                      char *why, size_t size)
{
    if (!cJSON_IsNumber(item)) {
        snprintf(why, size, "%s is not a number", key);
        return 0;
    }
    double d = item->valuedouble;
    if (!isfinite(d) || d != floor(d)) {
        snprintf(why, size, "%s %g is not a whole number", key, d);
        return 0;
    }
    if (d < 0) {
        snprintf(why, size, "%s %g is negative", key, d);
        return 0;
    }
    if (d > (double)TOLL__COUNT_MAX) {
        snprintf(why, size,
                 "%s %.17g is too large (above the largest count "
                 "accepted, " TOLL__COUNT_MAX_TEXT ")",
                 key, d);
        return 0;
    }
    *v = (int64_t)d;
    return 1;
}

/* Parse one entry value (a number or {"low","high","best"}). */
static int json_entry(const cJSON *v, int64_t *low, int64_t *high,
                      double *best, int *has_best, char *why, size_t size)
{
    *has_best = 0;
    *best = NO_BEST;
    if (cJSON_IsNumber(v)) { /* a point value: 12 -> [12, 12], best 12 */
        if (!json_count(v, "value", low, why, size))
            return 0;
        *high = *low;
        *best = (double)*low;
        *has_best = 1;
        return 1;
    }
    if (!cJSON_IsObject(v)) {
        snprintf(why, size, "entry is not an object or a number");
        return 0;
    }
    const cJSON *jl = NULL, *jh = NULL, *jb = NULL, *c;
    cJSON_ArrayForEach(c, v)
    {
        const char *k = c->string ? c->string : "";
        if (strcmp(k, "low") == 0)
            jl = c;
        else if (strcmp(k, "high") == 0)
            jh = c;
        else if (strcmp(k, "best") == 0)
            jb = c;
        else {
            snprintf(why, size, "unknown key \"%.60s\" (expected low, high, best)",
                     k);
            return 0;
        }
    }
    if (!jl) {
        snprintf(why, size, "missing \"low\"");
        return 0;
    }
    if (!json_count(jl, "low", low, why, size))
        return 0;
    if (!jh) {
        snprintf(why, size, "missing \"high\" (use null for an open range)");
        return 0;
    }
    if (cJSON_IsNull(jh))
        *high = TOLL_OPEN;
    else if (!json_count(jh, "high", high, why, size))
        return 0;
    if (jb && !cJSON_IsNull(jb)) {
        if (!cJSON_IsNumber(jb)) {
            snprintf(why, size, "best is not a number");
            return 0;
        }
        *best = jb->valuedouble;
        *has_best = 1;
    }
    return check_entry(*low, *high, *best, *has_best, why, size);
}

/* 1-based line and column of byte offset `off` in json. */
static void line_col(const char *json, size_t len, size_t off, long *line,
                     long *col)
{
    *line = 1;
    *col = 1;
    for (size_t i = 0; i < off && i < len; i++) {
        if (json[i] == '\n') {
            (*line)++;
            *col = 1;
        } else {
            (*col)++;
        }
    }
}

/*
 * The first string of the JSON text holding the escape \u0000 (cJSON would
 * cut the string there): 1 with its byte offset and length, quotes
 * included; 0 when there is none.
 */
static int find_nul_string(const char *json, size_t len, size_t *at,
                           size_t *slen)
{
    size_t start = 0;
    int in = 0, nul = 0;
    for (size_t i = 0; i < len; i++) {
        char ch = json[i];
        if (!in) {
            if (ch == '"') {
                in = 1;
                nul = 0;
                start = i;
            }
        } else if (ch == '\\' && i + 1 < len) {
            if (json[i + 1] == 'u' && i + 5 < len &&
                memcmp(json + i + 2, "0000", 4) == 0)
                nul = 1;
            i++;
        } else if (ch == '"') {
            in = 0;
            if (nul) {
                *at = start;
                *slen = i + 1 - start;
                return 1;
            }
        }
    }
    return 0;
}

/* Byte offset of the object key "key" (written without escapes) in json at
 * or after `from`, or SIZE_MAX. */
static size_t key_offset(const char *json, size_t len, const char *key,
                         size_t from)
{
    size_t kl = strlen(key);
    for (size_t i = from; i + kl + 2 <= len; i++) {
        if (json[i] != '"' || memcmp(json + i + 1, key, kl) != 0 ||
            json[i + 1 + kl] != '"')
            continue;
        size_t j = i + kl + 2;
        while (j < len && toll__is_space((unsigned char)json[j]))
            j++;
        if (j < len && json[j] == ':')
            return i;
    }
    return SIZE_MAX;
}

toll_status toll_lexicon_load_json(toll_lexicon *lex, const char *json,
                                   size_t len, const char *name,
                                   toll_error *err)
{
    toll_status st = TOLL_OK;
    cJSON *root = NULL;
    toll_lexicon tmp;
    char why[200];

    if (!lex || (!json && len))
        return toll__err(err, TOLL_EINVAL,
                         "toll_lexicon_load_json: %s is NULL",
                         lex ? "json" : "lexicon");
    if (!name)
        name = "<lexicon>";
    tmp.alloc = lex->alloc;
    tmp.e = NULL;
    tmp.n = tmp.cap = 0;
    tmp.sc = NULL;
    tmp.nsc = tmp.sccap = 0;

    const char *end = NULL;
    if (len == 0) {
        st = toll__seterr(err, TOLL_EPARSE, name, 0, -1, NULL, NULL, 0,
                          "empty input (expected a JSON object)");
        goto cleanup;
    }
    {
        size_t at, sl;
        if (find_nul_string(json, len, &at, &sl)) {
            long line, col;
            line_col(json, len, at, &line, &col);
            st = toll__seterr(err, TOLL_EPARSE, name, line, -1, NULL,
                              json + at, sl,
                              "%.*s%s holds \\u0000 (NUL), which no lexicon "
                              "word may contain",
                              (int)(sl > 100 ? 100 : sl), json + at,
                              sl > 100 ? "..." : "");
            goto cleanup;
        }
    }
    root = cJSON_ParseWithLengthOpts(json, len, &end, 0);
    if (!root) {
        long line, col;
        size_t off = (end && end >= json && end <= json + len)
                         ? (size_t)(end - json)
                         : 0;
        line_col(json, len, off, &line, &col);
        st = toll__seterr(err, TOLL_EPARSE, name, line, -1, NULL, NULL, 0,
                          "invalid JSON at column %ld", col);
        goto cleanup;
    }
    if (end) { /* only whitespace may follow the value */
        size_t off = (size_t)(end - json);
        while (off < len && toll__is_space((unsigned char)json[off]))
            off++;
        if (off < len) {
            long line, col;
            line_col(json, len, off, &line, &col);
            st = toll__seterr(err, TOLL_EPARSE, name, line, -1, NULL, NULL, 0,
                              "unexpected text after the JSON value at "
                              "column %ld",
                              col);
            goto cleanup;
        }
    }
    if (!cJSON_IsObject(root)) {
        st = toll__seterr(err, TOLL_EPARSE, name, 0, -1, NULL, NULL, 0,
                          "a lexicon must be a JSON object");
        goto cleanup;
    }

    /* Wrapped form {"replace": bool, "words": {...}, "scales": {...}} or
     * flat {...}. */
    const cJSON *words = root;
    int replace = 0;
    const cJSON *jw = cJSON_GetObjectItemCaseSensitive(root, "words");
    const cJSON *jr = cJSON_GetObjectItemCaseSensitive(root, "replace");
    const cJSON *js = cJSON_GetObjectItemCaseSensitive(root, "scales");
    if (jw || jr || js) {
        const cJSON *c;
        cJSON_ArrayForEach(c, root)
        {
            const char *k = c->string ? c->string : "";
            if (strcmp(k, "words") != 0 && strcmp(k, "replace") != 0 &&
                strcmp(k, "scales") != 0) {
                st = toll__seterr(err, TOLL_EPARSE, name, 0, -1, NULL, k,
                                  strlen(k),
                                  "unknown key \"%.100s\" (expected "
                                  "\"replace\", \"words\" and \"scales\")",
                                  k);
                goto cleanup;
            }
        }
        if (js && !cJSON_IsObject(js)) {
            st = toll__seterr(err, TOLL_EPARSE, name, 0, -1, NULL, NULL, 0,
                              "\"scales\" must be an object");
            goto cleanup;
        }
        if (jr) {
            if (!cJSON_IsBool(jr)) {
                st = toll__seterr(err, TOLL_EPARSE, name, 0, -1, NULL, NULL, 0,
                                  "\"replace\" must be true or false");
                goto cleanup;
            }
            replace = cJSON_IsTrue(jr);
        }
        if (jw && !cJSON_IsObject(jw)) {
            st = toll__seterr(err, TOLL_EPARSE, name, 0, -1, NULL, NULL, 0,
                              "\"words\" must be an object");
            goto cleanup;
        }
        words = jw;
    }

    /* Build the new entry list in tmp; swap it in only on success. */
    if (!replace && lex->n) {
        if (add_table(&tmp, lex->e, lex->n) != TOLL_OK) {
            st = toll__nomem(err);
            goto cleanup;
        }
    }
    for (size_t i = 0; !replace && i < lex->nsc; i++)
        if (put_scale(&tmp, lex->sc[i].word, lex->sc[i].len,
                      lex->sc[i].scale) != TOLL_OK) {
            st = toll__nomem(err);
            goto cleanup;
        }
    if (js) {
        const cJSON *c;
        size_t pos = 0;
        cJSON_ArrayForEach(c, js)
        {
            const char *k = c->string ? c->string : "";
            size_t klen = strlen(k);
            const char *w = trim(k, &klen);
            long line = 0, col;
            size_t at = key_offset(json, len, k, pos);
            if (at != SIZE_MAX) {
                line_col(json, len, at, &line, &col);
                pos = at + 1;
            }
            int64_t scale = 0;
            int ok = klen > 0;
            if (!ok)
                snprintf(why, sizeof why, "empty scale word");
            for (const cJSON *p = js->child; ok && p && p != c; p = p->next) {
                size_t pl = strlen(p->string ? p->string : "");
                const char *pw = trim(p->string ? p->string : "", &pl);
                if (pl == klen && lower_eq(pw, w, klen)) {
                    snprintf(why, sizeof why, "given twice");
                    ok = 0;
                }
            }
            if (ok)
                ok = json_count(c, "scale", &scale, why, sizeof why) &&
                     check_scale(w, klen, scale, why, sizeof why);
            if (!ok) {
                st = toll__seterr(err, TOLL_EPARSE, name, line, -1, NULL, w,
                                  klen, "scale word \"%.*s\": %s",
                                  (int)(klen > 100 ? 100 : klen), w, why);
                goto cleanup;
            }
            if (put_scale(&tmp, w, klen, scale) != TOLL_OK) {
                st = toll__nomem(err);
                goto cleanup;
            }
        }
    }
    if (words) {
        const cJSON *c;
        size_t pos = 0;
        cJSON_ArrayForEach(c, words)
        {
            const char *k = c->string ? c->string : "";
            size_t klen = strlen(k);
            const char *w = trim(k, &klen);
            int64_t low = 0, high = 0;
            double best = NO_BEST;
            int has_best = 0;
            long line = 0, col;
            size_t at = key_offset(json, len, k, pos);
            if (at != SIZE_MAX) {
                line_col(json, len, at, &line, &col);
                pos = at + 1;
            }
            if (klen == 0) {
                st = toll__seterr(err, TOLL_EPARSE, name, line, -1, NULL, k,
                                  strlen(k), "empty lexicon word");
                goto cleanup;
            }
            /* a word given twice in one lexicon (in any case or spacing
             * around it) is an error, not "the last one wins" */
            for (const cJSON *p = words->child; p && p != c; p = p->next) {
                size_t pl = strlen(p->string ? p->string : "");
                const char *pw = trim(p->string ? p->string : "", &pl);
                if (pl == klen && lower_eq(pw, w, klen)) {
                    st = toll__seterr(err, TOLL_EPARSE, name, line, -1, NULL,
                                      w, klen,
                                      "word \"%.*s\" is given twice",
                                      (int)(klen > 100 ? 100 : klen), w);
                    goto cleanup;
                }
            }
            if (!check_word(w, klen, why, sizeof why) ||
                !json_entry(c, &low, &high, &best, &has_best, why,
                            sizeof why)) {
                st = toll__seterr(err, TOLL_EPARSE, name, line, -1, NULL, w,
                                  klen, "word \"%.*s\": %s",
                                  (int)(klen > 100 ? 100 : klen), w, why);
                goto cleanup;
            }
            if (put_entry(&tmp, w, klen, low, high,
                          has_best ? best : NO_BEST) != TOLL_OK) {
                st = toll__nomem(err);
                goto cleanup;
            }
        }
    }

    /* success: swap */
    {
        toll_lexicon old = *lex;
        lex->e = tmp.e;
        lex->n = tmp.n;
        lex->cap = tmp.cap;
        lex->sc = tmp.sc;
        lex->nsc = tmp.nsc;
        lex->sccap = tmp.sccap;
        tmp = old;
    }

cleanup:
    clear_entries(&tmp);
    cJSON_Delete(root);
    return st;
}

toll_status toll_lexicon_load_file(toll_lexicon *lex, const char *path,
                                   toll_error *err)
{
    if (!lex || !path)
        return toll__err(err, TOLL_EINVAL,
                         "toll_lexicon_load_file: %s is NULL",
                         lex ? "path" : "lexicon");
    toll__buf b;
    toll__buf_init(&b, &lex->alloc);
    toll_status st = toll__buf_read_file(&b, path, err);
    if (st == TOLL_OK)
        st = toll_lexicon_load_json(lex, b.data ? b.data : "", b.len, path,
                                    err);
    toll__buf_free(&b);
    return st;
}
