/*
 * src/quantity_internal.h - private layout of the vague-word lexicon, shared
 * by src/lexicon.c (owner) and src/quantity.c (the parser reads it).
 * Nothing here is public API.
 */
#ifndef TOLL_QUANTITY_INTERNAL_H
#define TOLL_QUANTITY_INTERNAL_H

#include "internal.h"

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

#endif /* TOLL_QUANTITY_INTERNAL_H */
