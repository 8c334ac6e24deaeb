/*
 * src/base/base.h - the foundation every stage builds on: allocation
 * through the per-object toll_allocator, growable buffers, errors
 * (toll_error filled through toll__seterr), the string pool and the
 * actor-set pool.  Nothing here is public API; internal names use the
 * toll__ prefix.
 *
 * Memory: every object carries a copy of its toll_allocator; all memory goes
 * through toll__alloc / toll__realloc / toll__free with that allocator.
 * Errors: functions return toll_status and fill toll_error via toll__seterr.
 */
#ifndef TOLL_SRC_BASE_BASE_H
#define TOLL_SRC_BASE_BASE_H

#include "toll/toll.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* ---- allocation ------------------------------------------------------- */

/* Copy `a` (or the default allocator if NULL) into *dst. */
void toll__alloc_init(toll_allocator *dst, const toll_allocator *a);
void *toll__alloc(const toll_allocator *a, size_t size);
void *toll__calloc(const toll_allocator *a, size_t n, size_t size);
void *toll__realloc(const toll_allocator *a, void *p, size_t old_size,
                    size_t new_size);
void toll__free(const toll_allocator *a, void *p, size_t size);
/* Duplicate `len` bytes of `s` plus a NUL. */
char *toll__strndup(const toll_allocator *a, const char *s, size_t len);

/*
 * Grow the array *data (element size `elem`, capacity *cap) so it holds at
 * least `need` elements.  Doubles the capacity.  On failure returns
 * TOLL_ENOMEM and leaves *data and *cap unchanged.  Overflow-checked.
 */
toll_status toll__grow(const toll_allocator *a, void **data, size_t *cap,
                       size_t need, size_t elem);

/* A growable byte buffer (used by renderers and readers). */
typedef struct toll__buf {
    char *data;
    size_t len, cap;
    const toll_allocator *alloc;
} toll__buf;
void toll__buf_init(toll__buf *b, const toll_allocator *a);
toll_status toll__buf_append(toll__buf *b, const char *s, size_t len);
toll_status toll__buf_appendf(toll__buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
toll_status toll__buf_putc(toll__buf *b, char c);
void toll__buf_free(toll__buf *b);
/* Append the whole file at `path` to b: the one reader of the small JSON
 * files (lexicon, column map, link model, place-name table).
 * TOLL_ENOTFOUND / TOLL_EIO naming the file ("cannot open: REASON",
 * "read error"), TOLL_ENOMEM; b may then hold part of the file. */
toll_status toll__buf_read_file(toll__buf *b, const char *path,
                                toll_error *err);

/* ---- errors ----------------------------------------------------------- */

/*
 * Fill `err` (may be NULL) and return `code`.  `file` may be NULL; line 0
 * and record -1 mean "not applicable"; `field`/`text` may be NULL.  The
 * message is built as
 *   FILE:LINE: field 'FIELD': <fmt...>
 * with parts omitted when absent ("FILE: record N: ..." when only the
 * record is known).  `text` is copied to err->text (truncated).
 */
toll_status toll__seterr(toll_error *err, toll_status code, const char *file,
                         long line, long record, const char *field,
                         const char *text, size_t text_len, const char *fmt,
                         ...) __attribute__((format(printf, 9, 10)));
/* Shorthand for errors without a location: message only. */
toll_status toll__err(toll_error *err, toll_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* TOLL_ENOMEM with message "out of memory". */
toll_status toll__nomem(toll_error *err);
/* Re-locate an error produced without location (e.g. by the quantity
 * parser): set file/line/record/field and rebuild the message prefix,
 * keeping the original message as the tail. */
void toll__err_locate(toll_error *err, const char *file, long line,
                      long record, const char *field);

/* ---- string pool (interning) ------------------------------------------ */

/*
 * Interns byte strings; each distinct string gets a dense uint32 id.
 * Id 0 is reserved for "none" (the empty string "" also maps to 0).
 * Strings are stored NUL-terminated in chunks, so pointers stay valid for
 * the life of the pool.  Open addressing (linear probing) over slots that
 * hold (id, hash) pairs, load factor at most 3/4; hashing is in
 * src/strhash.h (8 bytes at a time), which also declares the prefetching
 * and pre-hashed intern used by the ingest hot path.
 */
typedef struct toll__strpool {
    const toll_allocator *alloc;
    /* id -> string */
    const char **str;   /* str[id] */
    uint32_t *len;      /* len[id] */
    uint32_t *hash;     /* hash[id] */
    size_t count, cap;  /* count includes id 0 */
    /* hash table of ids (0 = empty slot) */
    uint32_t *table;
    size_t table_cap;   /* number of slots, a power of two */
    /* storage chunks */
    char **chunks;
    size_t nchunks, chunks_cap;
    size_t chunk_used, chunk_size;
} toll__strpool;

toll_status toll__strpool_init(toll__strpool *p, const toll_allocator *a);
void toll__strpool_free(toll__strpool *p);
/* Intern; *id receives the id (0 for len == 0). */
toll_status toll__strpool_intern(toll__strpool *p, const char *s, size_t len,
                                 uint32_t *id);
/* Look up without interning: returns 1 and *id if present, else 0. */
int toll__strpool_find(const toll__strpool *p, const char *s, size_t len,
                       uint32_t *id);
static inline const char *toll__str(const toll__strpool *p, uint32_t id)
{
    return p->str[id];
}
static inline size_t toll__strlen(const toll__strpool *p, uint32_t id)
{
    return p->len[id];
}
/* Roll back to `count` strings (drop the newer ones).  Used when a strict
 * load fails. */
void toll__strpool_truncate(toll__strpool *p, size_t count);

/* ---- actor-set pool ---------------------------------------------------- */

/*
 * Interns sets of string ids (actor names).  Each set is stored sorted by
 * the actors' names (byte order) with duplicates removed; set id 0 is the
 * empty set.  `label[id]` is the string id of the names joined with " + "
 * (interned in the string pool passed to intern).
 */
typedef struct toll__setpool {
    const toll_allocator *alloc;
    uint32_t *begin;    /* begin[id]: offset into members */
    uint32_t *size;     /* size[id] */
    uint32_t *label;    /* label[id]: string id of "A + B" */
    uint32_t *hash;
    size_t count, cap;
    uint32_t *members;  /* flattened member string ids */
    size_t nmembers, members_cap;
    uint32_t *table;    /* hash table of set ids, 0 = empty */
    size_t table_cap;
} toll__setpool;

toll_status toll__setpool_init(toll__setpool *p, const toll_allocator *a);
void toll__setpool_free(toll__setpool *p);
/* Intern the set of `n` string ids (any order, duplicates allowed). */
toll_status toll__setpool_intern(toll__setpool *p, toll__strpool *strings,
                                 const uint32_t *ids, size_t n, uint32_t *id);
/*
 * Intern the set of `n` names (string ids of `names`) into `p`, which
 * extends `base` (may be NULL): a set that `base` has gets its id there;
 * another gets base->count + (its id in p) - 1, so that one id space
 * covers both (src/reconcile/reconcile.h).  A new set's label is interned
 * into `labels` (its id there, in p->label).  With base NULL and labels ==
 * names this is toll__setpool_intern.
 */
toll_status toll__setpool_intern_over(toll__setpool *p,
                                      const toll__setpool *base,
                                      const toll__strpool *names,
                                      toll__strpool *labels,
                                      const uint32_t *ids, size_t n,
                                      uint32_t *id);
static inline size_t toll__set_size(const toll__setpool *p, uint32_t id)
{
    return p->size[id];
}
static inline const uint32_t *toll__set_members(const toll__setpool *p,
                                                uint32_t id)
{
    return p->members + p->begin[id];
}
/* 1 if string id `s` is a member of set `id`. */
int toll__set_contains(const toll__setpool *p, uint32_t id, uint32_t s);
void toll__setpool_truncate(toll__setpool *p, size_t count);

/* ---- actor identity (src/base/fold.c) ----------------------------------- */

/*
 * Append to `out` the identity key of the actor name s[0..len): two names
 * are the same actor exactly when their keys are equal.  The key is the
 * name under NFKC_Casefold (Unicode NFKC, full case folding, default
 * ignorable code points removed) with white space trimmed and each run of
 * it collapsed to one space; src/base/fold.c has the details.  Memory for
 * `out` and for the work comes from out->alloc.  TOLL_ENOMEM (out may hold
 * part of the key) or TOLL_ERANGE (a name of more than PTRDIFF_MAX / 8
 * bytes).
 */
toll_status toll__actor_fold(const char *s, size_t len, toll__buf *out);

/* ---- small helpers ------------------------------------------------------ */

/* ASCII case-insensitive compare of s[0..n) with NUL-terminated word. */
int toll__strncaseeq(const char *s, size_t n, const char *word);

/* What toll trims around values.  Spaces are ASCII white space (space, tab,
 * LF, VT, FF, CR): around every value read from an input file and around
 * the words of quantity, date and lexicon texts.  Blanks are space and tab:
 * around the items of option texts (`--by`, `--where`, `--stratify-by`,
 * MSE list names), where a line break would be a mistake to report. */
static inline int toll__is_space(unsigned char c)
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

static inline int toll__is_blank(unsigned char c)
{
    return c == ' ' || c == '\t';
}

/* Trim spaces (toll__is_space) from both ends of s[0..*len). */
static inline void toll__trim_space(const char **s, size_t *len)
{
    const unsigned char *p = (const unsigned char *)*s;
    size_t n = *len;
    if (!n || (p[0] > ' ' && p[n - 1] > ' '))
        return; /* nothing to trim (the common case) */
    while (n && toll__is_space(*p)) {
        p++;
        n--;
    }
    while (n && toll__is_space(p[n - 1]))
        n--;
    *s = (const char *)p;
    *len = n;
}

/* Trim blanks (toll__is_blank) from both ends of s[0..*len). */
static inline void toll__trim_blank(const char **s, size_t *len)
{
    const unsigned char *p = (const unsigned char *)*s;
    size_t n = *len;
    while (n && toll__is_blank(*p)) {
        p++;
        n--;
    }
    while (n && toll__is_blank(p[n - 1]))
        n--;
    *s = (const char *)p;
    *len = n;
}

#endif /* TOLL_SRC_BASE_BASE_H */
