/*
 * src/core/core.h - the domain's own rules, shared by every stage: the
 * vague-word lexicon's layout (lexicon.c owns it, quantity.c reads it) and
 * dates in user-given formats (date.c).  Nothing here is public API.
 */
#ifndef TOLL_SRC_CORE_CORE_H
#define TOLL_SRC_CORE_CORE_H

#include "base/base.h"

/* One lexicon entry.  `word` is NUL-terminated, `len` its length in bytes.
 * high == TOLL_OPEN: open.  best < 0: no best. */
typedef struct toll__lexentry {
    const char *word;
    size_t len;
    int64_t low, high;
    double best;
} toll__lexentry;

struct toll_lexicon {
    toll_allocator alloc;
    toll__lexentry *e; /* owned; e[i].word owned (len + 1 bytes) */
    size_t n, cap;
};

/* The built-in default lexicon: a static const table (never allocated, so
 * the parser can use it without an allocator and from any thread). */
void toll__lexicon_default(const toll__lexentry **entries, size_t *n);

/*
 * Length in bytes of the longest prefix of s[0..n) matched by `word`
 * (ASCII case-insensitive; a space in `word` matches one or more
 * whitespace bytes in s), ending on a word boundary (end of text or a
 * byte that is not an ASCII letter or digit).  0 when it does not match.
 */
size_t toll__match_phrase(const char *s, size_t n, const char *word,
                          size_t wlen);

/* ---- dates in given formats (core/date.c) ------------------------------------------ */

/* TOLL_EINVAL naming the format when `formats` ('|'-separated) has an
 * unknown directive or no year. */
toll_status toll__date_format_check(const char *formats, toll_error *err);
/* Parse text with the first matching format, else as an ISO date.
 * TOLL_EPARSE naming the text (no location) when none matches. */
toll_status toll__date_parse_formats(const char *formats, const char *text,
                                     size_t len, int32_t *first,
                                     int32_t *last, toll_error *err);

#endif /* TOLL_SRC_CORE_CORE_H */
