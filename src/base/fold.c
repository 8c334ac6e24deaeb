/*
 * src/base/fold.c - actor identity: the key under which two spellings of
 * an actor are the same actor (toll__actor_fold in src/base/base.h).
 *
 * The key of a name is, in this order:
 *   1. NFKC with full Unicode case folding and the default ignorable code
 *      points removed (NFKC_Casefold; utf8proc's decomposition with
 *      UTF8PROC_COMPAT | UTF8PROC_CASEFOLD | UTF8PROC_IGNORE, then
 *      canonical composition), so that "Russia", "RUSSIA" and "ｒｕｓｓｉａ"
 *      agree, "Straße" is "STRASSE", and a soft hyphen or a zero-width
 *      joiner inside a name does not count;
 *   2. white space trimmed from both ends and each run of it inside
 *      collapsed to one space (white space: ASCII space, tab, LF, VT, FF,
 *      CR, U+0085 and the Unicode space and separator categories Zs, Zl,
 *      Zp, e.g. U+00A0 NO-BREAK SPACE).
 * Folding is the Unicode default, not a language's: "İ" (U+0130) folds to
 * "i̇" (i and U+0307), not to "i".  Text that is not valid UTF-8 (which
 * the loaders never pass on) is keyed byte by byte: ASCII letters lowered,
 * white space as above, other bytes as they are.  A name of nothing but
 * default ignorables and white space is its own key (trimmed).
 *
 * utf8proc's allocating entry point (utf8proc_map) is not used: the code
 * points go through a buffer from the caller's allocator.
 */
#include "base/base.h"

#include <utf8proc.h>

/* Decompose + casefold + compat + drop default ignorables; then compose. */
#define FOLD_DECOMPOSE                                                        \
    (UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT |                   \
     UTF8PROC_CASEFOLD | UTF8PROC_IGNORE)
#define FOLD_COMPOSE (UTF8PROC_STABLE | UTF8PROC_COMPOSE)

static int is_fold_space(int32_t c)
{
    if (c < 0x80)
        return toll__is_space((unsigned char)c);
    if (c == 0x85)
        return 1;
    utf8proc_category_t k = utf8proc_category(c);
    return k == UTF8PROC_CATEGORY_ZS || k == UTF8PROC_CATEGORY_ZL ||
           k == UTF8PROC_CATEGORY_ZP;
}

/* Bytes (ASCII, or text that is not UTF-8): lower ASCII letters,
 * collapse white space. */
static toll_status fold_bytes(const char *s, size_t len, toll__buf *out)
{
    int pending = 0, any = 0;
    toll_status st = TOLL_OK;
    for (size_t i = 0; i < len && !st; i++) {
        unsigned char c = (unsigned char)s[i];
        if (toll__is_space(c)) {
            pending = any;
            continue;
        }
        if (pending)
            st = toll__buf_putc(out, ' ');
        pending = 0;
        any = 1;
        if (!st)
            st = toll__buf_putc(out, (char)(c >= 'A' && c <= 'Z'
                                                 ? c - 'A' + 'a'
                                                 : c));
    }
    return st;
}

static toll_status fold(const char *s, size_t len, toll__buf *out);

toll_status toll__actor_fold(const char *s, size_t len, toll__buf *out)
{
    size_t start = out->len;
    toll_status st = fold(s, len, out);
    if (st || out->len > start)
        return st;
    /* nothing left (only ignorables and white space): the name as it is,
     * trimmed, which no other name folds to (folding removes ignorables) */
    toll__trim_space(&s, &len);
    return toll__buf_append(out, s, len);
}

static toll_status fold(const char *s, size_t len, toll__buf *out)
{
    size_t i = 0;
    while (i < len && !((unsigned char)s[i] & 0x80))
        i++;
    if (i == len)
        return fold_bytes(s, len, out);
    if (len > (size_t)PTRDIFF_MAX / 8)
        return TOLL_ERANGE;

    utf8proc_int32_t small[64], *cp = small;
    utf8proc_ssize_t cap = 64, n;
    n = utf8proc_decompose((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len,
                           cp, cap, FOLD_DECOMPOSE);
    if (n > cap) {
        if ((size_t)n > SIZE_MAX / sizeof *cp)
            return TOLL_ERANGE;
        cp = toll__alloc(out->alloc, (size_t)n * sizeof *cp);
        if (!cp)
            return TOLL_ENOMEM;
        cap = n;
        n = utf8proc_decompose((const utf8proc_uint8_t *)s,
                               (utf8proc_ssize_t)len, cp, cap, FOLD_DECOMPOSE);
    }
    toll_status st = TOLL_OK;
    if (n < 0) {
        st = fold_bytes(s, len, out); /* not UTF-8 */
        goto done;
    }
    n = utf8proc_normalize_utf32(cp, n, FOLD_COMPOSE);
    if (n < 0) {
        st = fold_bytes(s, len, out);
        goto done;
    }
    int pending = 0, any = 0;
    for (utf8proc_ssize_t k = 0; k < n && !st; k++) {
        if (is_fold_space(cp[k])) {
            pending = any;
            continue;
        }
        if (pending)
            st = toll__buf_putc(out, ' ');
        pending = 0;
        any = 1;
        utf8proc_uint8_t enc[4];
        utf8proc_ssize_t el = utf8proc_encode_char(cp[k], enc);
        if (!st)
            st = toll__buf_append(out, (const char *)enc, (size_t)el);
    }
done:
    if (cp != small)
        toll__free(out->alloc, cp, (size_t)cap * sizeof *cp);
    return st;
}
