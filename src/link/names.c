/*
 * src/link/names.c - place-name normalisation for the linker
 * (toll/link_compare.h, docs/linking.md "Place names") and the phonetic
 * key of a normalised name (src/link/link_int.h).
 *
 * A place name is normalised in these steps:
 *   1. parts: the text is cut at commas and semicolons (also the Arabic
 *      comma U+060C and semicolon U+061B); the result is that of the first
 *      part that is not empty after steps 2-5 ("Al-Mohsenli, countryside
 *      of Manbij, Aleppo" is "mohsinli");
 *   2. folding: each code point is decomposed (NFKD), case-folded and
 *      stripped of its marks (utf8proc); apostrophes and their look-alikes
 *      (' ’ ‘ ` ´ ʿ ʾ ʼ ′ and the fullwidth ') are removed; every other
 *      code point that is not a letter or a digit (hyphens, underscores,
 *      dots, brackets, spaces...) separates words;
 *   3. generic words and phrases of the table ("village", "countryside
 *      of", ...) are dropped, the longest phrase first;
 *   4. the Arabic article: a word of the table's articles ("al", "el",
 *      "an", ...) is dropped when another word follows it in the part; a
 *      word that is not the first word kept loses an article glued to its
 *      front when the rest has at least 3 bytes and the article is
 *      vowel + consonants C and either C is "l" and the rest starts with a
 *      consonant ("Maaret Alnouman") or the rest starts with C, the
 *      assimilated article ("Deir Ezzor");
 *   5. transliteration pairs [from, to] are rewritten in one left-to-right
 *      pass, the longest `from` matching at a position winning (among equal
 *      lengths the one given last); a doubled ASCII letter is written once.
 * The words kept are joined by single spaces.
 *
 * The table is data: the default below, or a JSON file that replaces or
 * extends it.  A loaded table is one allocation (arrays and strings),
 * swapped in only when the whole file is valid.
 */
#include "link/link_int.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>
#include <utf8proc.h>

typedef struct lk_str {
    const char *s;
    size_t n;
} lk_str;

typedef struct lk_pair {
    lk_str from, to;
} lk_pair;

struct toll_link_names {
    toll_allocator alloc;
    const lk_str *articles; /* folded, one word each */
    size_t n_articles;
    const lk_str *generic;  /* folded, words joined by single spaces */
    size_t n_generic;
    const lk_pair *pairs;   /* folded */
    size_t n_pairs;
    void *block;            /* everything above (NULL: the static default) */
    size_t block_size;
};

/* ---- the default table -------------------------------------------------- */

#define S(lit) {lit, sizeof lit - 1}

static const lk_str def_articles[] = {
    S("al"),  S("el"),  S("il"),  S("ul"),  S("ad"),  S("ed"),  S("ud"),
    S("ar"),  S("er"),  S("ur"),  S("as"),  S("es"),  S("us"),  S("at"),
    S("et"),  S("az"),  S("ez"),  S("an"),  S("en"),  S("un"),  S("ash"),
    S("esh"), S("adh"), S("edh"), S("ath"), S("eth"),
};

static const lk_str def_generic[] = {
    S("village"),   S("villages"),      S("town"),
    S("city"),      S("countryside"),   S("near"),
    S("outskirts"), S("suburb"),        S("suburbs"),
    S("district"),  S("subdistrict"),   S("sub district"),
    S("neighbourhood"), S("neighborhood"), S("area"),
    S("vicinity"),  S("province"),      S("governorate"),
    S("the"),       S("of"),            S("in"),
};

static const lk_pair def_pairs[] = {
    {S("ch"), S("sh")}, {S("kh"), S("h")}, {S("ph"), S("f")},
    {S("dj"), S("j")},  {S("q"), S("k")},  {S("ou"), S("u")},
    {S("oo"), S("u")},  {S("aw"), S("u")}, {S("o"), S("u")},
    {S("ee"), S("i")},  {S("ei"), S("ay")}, {S("ey"), S("ay")},
    {S("e"), S("i")},
};

#undef S

static const struct toll_link_names default_names = {
    {NULL, NULL, NULL, NULL},
    def_articles, sizeof def_articles / sizeof *def_articles,
    def_generic,  sizeof def_generic / sizeof *def_generic,
    def_pairs,    sizeof def_pairs / sizeof *def_pairs,
    NULL,         0,
};

const toll_link_names *toll__lk_default_names(void) { return &default_names; }

/* ---- folding (step 2) --------------------------------------------------- */

#define FOLD_FLAGS                                                            \
    (UTF8PROC_STABLE | UTF8PROC_DECOMPOSE | UTF8PROC_COMPAT |                 \
     UTF8PROC_CASEFOLD | UTF8PROC_STRIPMARK | UTF8PROC_IGNORE)

static int is_apostrophe(int32_t c)
{
    return c == 0x27 || c == 0x60 || c == 0xB4 || c == 0x2BC ||
           c == 0x2BE || c == 0x2BF || c == 0x2018 || c == 0x2019 ||
           c == 0x2032 || c == 0xFF07;
}

typedef struct folder {
    toll__buf *out;
    int pending, any;
} folder;

static toll_status fold_emit(folder *f, const char *b, size_t n)
{
    toll_status st = TOLL_OK;
    if (f->pending && f->any)
        st = toll__buf_putc(f->out, ' ');
    f->pending = 0;
    f->any = 1;
    return st ? st : toll__buf_append(f->out, b, n);
}

/* Append the folded words of s[0..n) to out: letters and digits, words
 * separated by single spaces, no space at either end. */
static toll_status fold_words(const char *s, size_t n, toll__buf *out)
{
    folder f = {out, 0, 0};
    toll_status st = TOLL_OK;
    size_t i = 0;
    while (i < n && !st) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x80) { /* ASCII */
            i++;
            if (c == '\'' || c == '`')
                continue;
            if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
                char ch = (char)c;
                st = fold_emit(&f, &ch, 1);
            } else if (c >= 'A' && c <= 'Z') {
                char ch = (char)(c - 'A' + 'a');
                st = fold_emit(&f, &ch, 1);
            } else {
                f.pending = 1;
            }
            continue;
        }
        utf8proc_int32_t cp;
        utf8proc_ssize_t r = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
                                              (utf8proc_ssize_t)(n - i), &cp);
        if (r <= 0) { /* not UTF-8: the byte separates words */
            i++;
            f.pending = 1;
            continue;
        }
        i += (size_t)r;
        if (is_apostrophe(cp))
            continue;
        utf8proc_int32_t d[32];
        int bc = 0;
        utf8proc_ssize_t k = utf8proc_decompose_char(cp, d, 32, FOLD_FLAGS,
                                                     &bc);
        if (k < 0 || k > 32) {
            f.pending = 1;
            continue;
        }
        for (utf8proc_ssize_t j = 0; j < k && !st; j++) {
            if (is_apostrophe(d[j]))
                continue;
            utf8proc_category_t cat = utf8proc_category(d[j]);
            if (cat >= UTF8PROC_CATEGORY_MN && cat <= UTF8PROC_CATEGORY_ME)
                continue;
            if (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_NO) {
                utf8proc_uint8_t enc[4];
                utf8proc_ssize_t el = utf8proc_encode_char(d[j], enc);
                st = fold_emit(&f, (const char *)enc, (size_t)el);
            } else {
                f.pending = 1;
            }
        }
    }
    return st;
}

/* ---- steps 3 and 4: the words kept -------------------------------------- */

static int is_vowel(char c)
{
    return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
}

static int is_consonant(char c)
{
    return c >= 'a' && c <= 'z' && !is_vowel(c);
}

/* Length of the longest generic phrase at w[0..end) that ends at a word
 * boundary, or 0. */
static size_t generic_at(const toll_link_names *t, const char *w, size_t end)
{
    size_t best = 0;
    for (size_t g = 0; g < t->n_generic; g++) {
        size_t gl = t->generic[g].n;
        if (gl > best && gl <= end && memcmp(w, t->generic[g].s, gl) == 0 &&
            (gl == end || w[gl] == ' '))
            best = gl;
    }
    return best;
}

static int is_article(const toll_link_names *t, const char *w, size_t n)
{
    for (size_t a = 0; a < t->n_articles; a++)
        if (t->articles[a].n == n && memcmp(t->articles[a].s, w, n) == 0)
            return 1;
    return 0;
}

/* Bytes of an article glued to the front of the word w[0..n) (rule 4), or
 * 0. */
static size_t glued_article(const toll_link_names *t, const char *w, size_t n)
{
    for (size_t a = 0; a < t->n_articles; a++) {
        const lk_str *p = &t->articles[a];
        if (p->n < 2 || p->n + 3 > n || !is_vowel(p->s[0]) ||
            memcmp(w, p->s, p->n) != 0)
            continue;
        const char *c = p->s + 1, *rest = w + p->n;
        size_t cl = p->n - 1;
        if (cl == 1 && c[0] == 'l' && is_consonant(rest[0]))
            return p->n;
        if (memcmp(rest, c, cl) == 0)
            return p->n;
    }
    return 0;
}

/* The kept words of the folded part w[0..n) into out (joined by spaces). */
static toll_status keep_words(const toll_link_names *t, const char *w,
                              size_t n, toll__buf *out)
{
    toll_status st = TOLL_OK;
    size_t p = 0;
    int kept = 0;
    while (p < n && !st) {
        size_t g = generic_at(t, w + p, n - p);
        if (g) {
            p += g + 1;
            continue;
        }
        size_t e = p;
        while (e < n && w[e] != ' ')
            e++;
        const char *word = w + p;
        size_t wl = e - p;
        p = e + 1;
        if (e < n && is_article(t, word, wl))
            continue;
        if (kept) {
            size_t a = glued_article(t, word, wl);
            word += a;
            wl -= a;
            st = toll__buf_putc(out, ' ');
        }
        if (!st)
            st = toll__buf_append(out, word, wl);
        kept = 1;
    }
    return st;
}

/* ---- step 5: pairs and doubled letters ---------------------------------- */

static toll_status put_collapsed(toll__buf *out, size_t start, char c)
{
    if (out->len > start) {
        char last = out->data[out->len - 1];
        if (last == c && ((c >= 'a' && c <= 'z') || c == ' '))
            return TOLL_OK;
    } else if (c == ' ') {
        return TOLL_OK;
    }
    return toll__buf_putc(out, c);
}

static toll_status rewrite(const toll_link_names *t, const char *w, size_t n,
                           toll__buf *out)
{
    size_t start = out->len;
    toll_status st = TOLL_OK;
    size_t p = 0;
    while (p < n && !st) {
        const lk_pair *best = NULL;
        for (size_t k = 0; k < t->n_pairs; k++) {
            const lk_pair *q = &t->pairs[k];
            if (q->from.n <= n - p && (!best || q->from.n >= best->from.n) &&
                memcmp(w + p, q->from.s, q->from.n) == 0)
                best = q;
        }
        if (best) {
            for (size_t j = 0; j < best->to.n && !st; j++)
                st = put_collapsed(out, start, best->to.s[j]);
            p += best->from.n;
        } else {
            st = put_collapsed(out, start, w[p++]);
        }
    }
    while (!st && out->len > start && out->data[out->len - 1] == ' ')
        out->len--;
    return st;
}

/* ---- normalisation ------------------------------------------------------ */

/* Length of the part starting at s[0..n): up to a comma or semicolon. */
static size_t part_len(const char *s, size_t n, size_t *skip)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] == ',' || s[i] == ';') {
            *skip = 1;
            return i;
        }
        if ((unsigned char)s[i] == 0xD8 && i + 1 < n &&
            ((unsigned char)s[i + 1] == 0x8C ||
             (unsigned char)s[i + 1] == 0x9B)) {
            *skip = 2;
            return i;
        }
    }
    *skip = 0;
    return n;
}

toll_status toll__lk_place_normalise(const toll_link_names *names,
                                     const char *s, size_t n, toll__buf *out)
{
    const toll_link_names *t = names ? names : &default_names;
    out->len = 0;
    if (!s)
        return TOLL_OK;
    toll__buf folded, words;
    toll__buf_init(&folded, out->alloc);
    toll__buf_init(&words, out->alloc);
    toll_status st = TOLL_OK;
    size_t i = 0;
    while (i < n && !st && out->len == 0) {
        size_t skip, pl = part_len(s + i, n - i, &skip);
        folded.len = words.len = 0;
        st = fold_words(s + i, pl, &folded);
        if (!st)
            st = keep_words(t, folded.data, folded.len, &words);
        if (!st)
            st = rewrite(t, words.data, words.len, out);
        i += pl + skip;
    }
    toll__buf_free(&folded);
    toll__buf_free(&words);
    if (st)
        out->len = 0;
    return st;
}

size_t toll_link_names_normalise(const toll_link_names *names,
                                 const char *text, size_t len, char *out,
                                 size_t cap)
{
    toll__buf b;
    /* the static default table has no allocator of its own */
    toll__buf_init(&b, names && names != &default_names
                           ? &names->alloc
                           : toll_default_allocator());
    size_t n = 0;
    if (text && toll__lk_place_normalise(names, text, len, &b) == TOLL_OK)
        n = b.len;
    if (cap) {
        size_t c = n < cap - 1 ? n : cap - 1;
        if (c)
            memcpy(out, b.data, c);
        out[c] = '\0';
    }
    toll__buf_free(&b);
    return n;
}

/* ---- the phonetic key --------------------------------------------------- */

/*
 * The key of a normalised name: spaces ignored; an initial vowel (or y, w)
 * is "A"; then every consonant by its group (b p; f v; c k q x; g gh; j;
 * d dh; t th; s; sh; z; l; r; m; n; h), vowels, y and w skipped, a group
 * repeated without a vowel between written once; digits and non-ASCII
 * bytes as they are.  Hashed with FNV-1a (64 bits); 0 becomes 1.
 */
static char consonant_code(char c)
{
    switch (c) {
    case 'b': case 'p': return 'B';
    case 'f': case 'v': return 'F';
    case 'c': case 'k': case 'q': case 'x': return 'K';
    case 'g': return 'G';
    case 'j': return 'J';
    case 'd': return 'D';
    case 't': return 'T';
    case 's': return 'S';
    case 'z': return 'Z';
    case 'l': return 'L';
    case 'r': return 'R';
    case 'm': return 'M';
    case 'n': return 'N';
    case 'h': return 'H';
    default: return 0;
    }
}

uint64_t toll__lk_phonetic(const char *norm, size_t n)
{
    uint64_t h = UINT64_C(1469598103934665603);
    int any = 0;
    char last = 0;
    for (size_t i = 0; i < n; i++) {
        char c = norm[i], code;
        if (c == ' ')
            continue;
        int first = !any;
        any = 1;
        if (is_vowel(c) || c == 'y' || c == 'w') {
            last = 0;
            if (!first)
                continue;
            code = 'A';
        } else if ((c == 's' || c == 'g' || c == 't' || c == 'd') &&
                   i + 1 < n && norm[i + 1] == 'h') {
            code = c == 's' ? 'X' : consonant_code(c);
            i++;
        } else {
            code = consonant_code(c);
            if (!code)
                code = c; /* digits, bytes of non-ASCII letters */
        }
        if (code == last && (unsigned char)code < 0x80)
            continue;
        last = code;
        h ^= (unsigned char)code;
        h *= UINT64_C(1099511628211);
    }
    if (!any)
        return 0;
    return h ? h : 1;
}

/* ---- tables: new, free, load -------------------------------------------- */

enum { K_ARTICLE, K_GENERIC, K_FROM, K_TO };

typedef struct item {
    int kind;
    size_t off, len;
} item;

typedef struct builder {
    toll__buf text;  /* the strings, back to back */
    toll__buf items; /* item[] */
} builder;

static toll_status add_item(builder *b, int kind, const char *s, size_t n)
{
    item it = {kind, b->text.len, n};
    toll_status st = toll__buf_append(&b->text, s, n);
    return st ? st : toll__buf_append(&b->items, (const char *)&it, sizeof it);
}

static toll_status add_table(builder *b, const toll_link_names *t)
{
    toll_status st = TOLL_OK;
    for (size_t i = 0; i < t->n_articles && !st; i++)
        st = add_item(b, K_ARTICLE, t->articles[i].s, t->articles[i].n);
    for (size_t i = 0; i < t->n_generic && !st; i++)
        st = add_item(b, K_GENERIC, t->generic[i].s, t->generic[i].n);
    for (size_t i = 0; i < t->n_pairs && !st; i++) {
        st = add_item(b, K_FROM, t->pairs[i].from.s, t->pairs[i].from.n);
        if (!st)
            st = add_item(b, K_TO, t->pairs[i].to.s, t->pairs[i].to.n);
    }
    return st;
}

/* Make the table of the builder's items in one block into *t (fields
 * other than alloc). */
static toll_status build(builder *b, toll_link_names *t)
{
    const item *it = (const item *)b->items.data;
    size_t ni = b->items.len / sizeof *it, na = 0, ng = 0, np = 0;
    for (size_t i = 0; i < ni; i++) {
        na += it[i].kind == K_ARTICLE;
        ng += it[i].kind == K_GENERIC;
        np += it[i].kind == K_FROM;
    }
    size_t head = (na + ng) * sizeof(lk_str) + np * sizeof(lk_pair);
    size_t size = head + b->text.len + ni + 1;
    char *block = toll__alloc(&t->alloc, size);
    if (!block)
        return TOLL_ENOMEM;
    lk_str *art = (lk_str *)(void *)block, *gen = art + na;
    lk_pair *pairs = (lk_pair *)(void *)(gen + ng);
    char *text = block + head;
    size_t a = 0, g = 0, p = 0;
    for (size_t i = 0; i < ni; i++) {
        lk_str s = {text, it[i].len};
        if (it[i].len)
            memcpy(text, b->text.data + it[i].off, it[i].len);
        text[it[i].len] = '\0';
        text += it[i].len + 1;
        switch (it[i].kind) {
        case K_ARTICLE: art[a++] = s; break;
        case K_GENERIC: gen[g++] = s; break;
        case K_FROM: pairs[p].from = s; break;
        default: pairs[p++].to = s; break;
        }
    }
    t->articles = art;
    t->n_articles = na;
    t->generic = gen;
    t->n_generic = ng;
    t->pairs = pairs;
    t->n_pairs = np;
    t->block = block;
    t->block_size = size;
    return TOLL_OK;
}

toll_status toll_link_names_new(const toll_allocator *alloc,
                                toll_link_names **out, toll_error *err)
{
    if (!out)
        return toll__err(err, TOLL_EINVAL, "toll_link_names_new: out is NULL");
    *out = NULL;
    toll_allocator a;
    toll__alloc_init(&a, alloc);
    toll_link_names *t = toll__calloc(&a, 1, sizeof *t);
    if (!t)
        return toll__nomem(err);
    t->alloc = a;
    builder b;
    toll__buf_init(&b.text, &t->alloc);
    toll__buf_init(&b.items, &t->alloc);
    toll_status st = add_table(&b, &default_names);
    if (!st)
        st = build(&b, t);
    toll__buf_free(&b.text);
    toll__buf_free(&b.items);
    if (st) {
        toll__free(&a, t, sizeof *t);
        return toll__nomem(err);
    }
    *out = t;
    return TOLL_OK;
}

void toll_link_names_free(toll_link_names *names)
{
    if (!names)
        return;
    toll_allocator a = names->alloc;
    toll__free(&a, names->block, names->block_size);
    toll__free(&a, names, sizeof *names);
}

/* The folded form of a JSON string item into b->text as an item of `kind`;
 * an error names the file, the key and the text. */
static toll_status json_string(builder *b, toll__buf *tmp, int kind,
                               const cJSON *v, const char *name,
                               const char *key, size_t index, toll_error *err)
{
    if (!cJSON_IsString(v) || !v->valuestring)
        return toll__seterr(err, TOLL_EINVAL, name, 0, -1, key, NULL, 0,
                            "item %zu of \"%s\" is not a string%s", index + 1,
                            key, kind >= K_FROM ? " pair" : "");
    const char *s = v->valuestring;
    size_t n = strlen(s);
    int n_show = (int)(n > 100 ? 100 : n);
    if (n == 0)
        return toll__seterr(err, TOLL_EINVAL, name, 0, -1, key, s, n,
                            "item %zu of \"%s\" is the empty string",
                            index + 1, key);
    tmp->len = 0;
    toll_status st = fold_words(s, n, tmp);
    if (st)
        return toll__nomem(err);
    if (tmp->len == 0)
        return toll__seterr(err, TOLL_EINVAL, name, 0, -1, key, s, n,
                            "\"%.*s\" in \"%s\" has no letter or digit",
                            n_show, s, key);
    if (kind == K_ARTICLE && memchr(tmp->data, ' ', tmp->len))
        return toll__seterr(err, TOLL_EINVAL, name, 0, -1, key, s, n,
                            "article \"%.*s\" is more than one word", n_show,
                            s);
    if (add_item(b, kind, tmp->data, tmp->len))
        return toll__nomem(err);
    return TOLL_OK;
}

static toll_status json_list(builder *b, toll__buf *tmp, const cJSON *list,
                             const char *name, const char *key,
                             toll_error *err)
{
    if (!cJSON_IsArray(list))
        return toll__seterr(err, TOLL_EINVAL, name, 0, -1, key, NULL, 0,
                            "\"%s\" must be an array of %s", key,
                            strcmp(key, "pairs") == 0
                                ? "[from, to] string pairs"
                                : "strings");
    size_t i = 0;
    const cJSON *v;
    cJSON_ArrayForEach(v, list)
    {
        toll_status st;
        if (strcmp(key, "pairs") == 0) {
            if (!cJSON_IsArray(v) || cJSON_GetArraySize(v) != 2) {
                const char *txt = cJSON_IsString(v) ? v->valuestring : "";
                size_t tl = strlen(txt);
                return toll__seterr(
                    err, TOLL_EINVAL, name, 0, -1, key, txt, tl,
                    "item %zu of \"pairs\"%s%.*s%s is not a pair [from, to] "
                    "of two strings",
                    i + 1, tl ? " (\"" : "", (int)(tl > 100 ? 100 : tl), txt,
                    tl ? "\")" : "");
            }
            st = json_string(b, tmp, K_FROM, v->child, name, key, i, err);
            if (!st)
                st = json_string(b, tmp, K_TO, v->child->next, name, key, i,
                                 err);
        } else {
            st = json_string(b, tmp,
                             strcmp(key, "articles") == 0 ? K_ARTICLE
                                                          : K_GENERIC,
                             v, name, key, i, err);
        }
        if (st)
            return st;
        i++;
    }
    return TOLL_OK;
}

/* 1 when a JSON string of json[0..len) holds the escape \u0000 (cJSON would
 * cut the string there), with the string (quotes included) in *at, *n. */
static int nul_string(const char *json, size_t len, size_t *at, size_t *n)
{
    int in = 0, nul = 0;
    size_t start = 0;
    for (size_t i = 0; i < len; i++) {
        if (!in) {
            if (json[i] == '"') {
                in = 1;
                nul = 0;
                start = i;
            }
        } else if (json[i] == '\\' && i + 1 < len) {
            if (json[i + 1] == 'u' && i + 5 < len &&
                memcmp(json + i + 2, "0000", 4) == 0)
                nul = 1;
            i++;
        } else if (json[i] == '"') {
            in = 0;
            if (nul) {
                *at = start;
                *n = i + 1 - start;
                return 1;
            }
        }
    }
    return 0;
}

toll_status toll_link_names_load_json(toll_link_names *names,
                                      const char *json, size_t len,
                                      const char *name, toll_error *err)
{
    if (!names || (!json && len))
        return toll__err(err, TOLL_EINVAL,
                         "toll_link_names_load_json: %s is NULL",
                         names ? "json" : "names");
    if (!name)
        name = "<place names>";
    if (len == 0)
        return toll__seterr(err, TOLL_EPARSE, name, 0, -1, NULL, NULL, 0,
                            "empty input (expected a JSON object)");
    size_t at, sl;
    if (nul_string(json, len, &at, &sl))
        return toll__seterr(err, TOLL_EINVAL, name, 0, -1, NULL, json + at,
                            sl, "%.*s%s holds \\u0000 (NUL), which no name "
                            "may contain",
                            (int)(sl > 100 ? 100 : sl), json + at,
                            sl > 100 ? "..." : "");
    toll_status st = TOLL_OK;
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(json, len, &end, 0);
    builder b;
    toll__buf tmp;
    toll__buf_init(&b.text, &names->alloc);
    toll__buf_init(&b.items, &names->alloc);
    toll__buf_init(&tmp, &names->alloc);
    if (!root) {
        size_t off = end && end >= json && end <= json + len
                         ? (size_t)(end - json)
                         : 0;
        st = toll__seterr(err, TOLL_EPARSE, name, 0, -1, NULL, NULL, 0,
                          "invalid JSON at byte %zu", off + 1);
        goto done;
    }
    for (size_t off = end ? (size_t)(end - json) : len; off < len; off++)
        if (!toll__is_space((unsigned char)json[off])) {
            st = toll__seterr(err, TOLL_EPARSE, name, 0, -1, NULL, NULL, 0,
                              "unexpected text after the JSON value at byte "
                              "%zu",
                              off + 1);
            goto done;
        }
    if (!cJSON_IsObject(root)) {
        st = toll__seterr(err, TOLL_EPARSE, name, 0, -1, NULL, NULL, 0,
                          "a place-name table must be a JSON object");
        goto done;
    }
    const cJSON *c, *jr = NULL;
    cJSON_ArrayForEach(c, root)
    {
        const char *k = c->string ? c->string : "";
        if (strcmp(k, "replace") && strcmp(k, "articles") &&
            strcmp(k, "generic") && strcmp(k, "pairs")) {
            st = toll__seterr(err, TOLL_EINVAL, name, 0, -1, k, k, strlen(k),
                              "unknown key \"%.100s\" (expected \"replace\", "
                              "\"articles\", \"generic\" and \"pairs\")",
                              k);
            goto done;
        }
        if (strcmp(k, "replace") == 0)
            jr = c;
    }
    if (jr && !cJSON_IsBool(jr)) {
        st = toll__seterr(err, TOLL_EINVAL, name, 0, -1, "replace", NULL, 0,
                          "\"replace\" must be true or false");
        goto done;
    }
    if (!(jr && cJSON_IsTrue(jr)) && add_table(&b, names)) {
        st = toll__nomem(err);
        goto done;
    }
    cJSON_ArrayForEach(c, root)
    {
        if (c == jr)
            continue;
        st = json_list(&b, &tmp, c, name, c->string, err);
        if (st)
            goto done;
    }
    toll_link_names fresh = *names;
    if (build(&b, &fresh)) {
        st = toll__nomem(err);
        goto done;
    }
    toll__free(&names->alloc, names->block, names->block_size);
    *names = fresh;
done:
    toll__buf_free(&b.text);
    toll__buf_free(&b.items);
    toll__buf_free(&tmp);
    cJSON_Delete(root);
    return st;
}

toll_status toll_link_names_load_file(toll_link_names *names,
                                      const char *path, toll_error *err)
{
    if (!names || !path)
        return toll__err(err, TOLL_EINVAL,
                         "toll_link_names_load_file: %s is NULL",
                         names ? "path" : "names");
    toll__buf b;
    toll__buf_init(&b, &names->alloc);
    toll_status st = toll__buf_read_file(&b, path, err);
    if (st == TOLL_OK)
        st = toll_link_names_load_json(names, b.data ? b.data : "", b.len,
                                       path, err);
    toll__buf_free(&b);
    return st;
}
