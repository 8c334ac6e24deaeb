/*
 * tests/fuzz/fuzz_common.h - helpers shared by the libFuzzer harnesses
 * (tests/fuzz/fuzz_*.c).  Not part of the library.
 *
 * - A counting allocator that can fail the n-th allocation, so the
 *   harnesses fuzz the out-of-memory paths too; every harness checks that
 *   no block is live after the objects are freed.
 * - fuzz_hash: options (strict/lenient, delimiters, which allocation fails)
 *   come from a hash of the input, so seed files stay plain input files and
 *   every mutation also tries other options.
 * - FUZZ_CHECK: an invariant; a failure aborts (libFuzzer records the input
 *   as a crash).
 */
#ifndef TOLL_FUZZ_COMMON_H
#define TOLL_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "toll/toll.h"

#define FUZZ_CHECK(cond)                                                     \
    do {                                                                     \
        if (!(cond)) {                                                       \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__,       \
                    __LINE__, #cond);                                        \
            abort();                                                         \
        }                                                                    \
    } while (0)

typedef struct fuzz_alloc {
    long fail_at; /* fail allocation number fail_at and later; 0: never */
    long count;   /* allocations so far */
    long live;    /* blocks live */
    toll_allocator a;
} fuzz_alloc;

static void *fuzz_malloc(void *ctx, size_t size)
{
    fuzz_alloc *f = ctx;
    f->count++;
    if (f->fail_at && f->count >= f->fail_at)
        return NULL;
    void *p = malloc(size ? size : 1);
    if (p)
        f->live++;
    return p;
}

static void *fuzz_realloc(void *ctx, void *p, size_t old_size, size_t size)
{
    fuzz_alloc *f = ctx;
    (void)old_size;
    f->count++;
    if (f->fail_at && f->count >= f->fail_at)
        return NULL;
    void *q = realloc(p, size ? size : 1);
    if (q && !p)
        f->live++;
    return q;
}

static void fuzz_free(void *ctx, void *p, size_t size)
{
    fuzz_alloc *f = ctx;
    (void)size;
    if (p) {
        f->live--;
        free(p);
    }
}

static inline void fuzz_alloc_init(fuzz_alloc *f)
{
    memset(f, 0, sizeof *f);
    f->a.malloc = fuzz_malloc;
    f->a.realloc = fuzz_realloc;
    f->a.free = fuzz_free;
    f->a.ctx = f;
}

/* FNV-1a of the input: a stable source of option bits. */
static inline uint64_t fuzz_hash(const uint8_t *data, size_t size)
{
    uint64_t h = UINT64_C(1469598103934665603);
    for (size_t i = 0; i < size; i++) {
        h ^= data[i];
        h *= UINT64_C(1099511628211);
    }
    return h;
}

/* Checks every error has a code, a NUL-terminated non-empty message. */
static inline void fuzz_check_error(const toll_error *e, toll_status st)
{
    FUZZ_CHECK(e->code == st);
    FUZZ_CHECK(memchr(e->message, '\0', sizeof e->message) != NULL);
    FUZZ_CHECK(memchr(e->file, '\0', sizeof e->file) != NULL);
    FUZZ_CHECK(memchr(e->field, '\0', sizeof e->field) != NULL);
    FUZZ_CHECK(memchr(e->text, '\0', sizeof e->text) != NULL);
    FUZZ_CHECK(e->message[0] != '\0');
}

static inline void fuzz_check_quantity(const toll_quantity *q)
{
    FUZZ_CHECK(memchr(q->rule, '\0', sizeof q->rule) != NULL);
    if (!q->known)
        return;
    FUZZ_CHECK(q->low >= 0);
    FUZZ_CHECK(q->high == TOLL_OPEN || q->high >= q->low);
    FUZZ_CHECK(q->best == q->best); /* not NaN */
    FUZZ_CHECK(q->best >= (double)q->low);
    FUZZ_CHECK(q->high == TOLL_OPEN || q->best <= (double)q->high);
}

/* A write sink that discards the output but counts it. */
static inline int fuzz_sink(void *ctx, const char *data, size_t len)
{
    (void)data;
    *(size_t *)ctx += len;
    return 0;
}

#endif
