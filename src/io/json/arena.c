/*
 * src/io/json/arena.c - cJSON trees in a per-load arena: see json_arena.h for
 * the policy on cJSON's process-wide hooks.
 */
#include "io/json/arena.h"

#include <cjson/cJSON.h>
#include <stdint.h>
#include <stdlib.h>

/* ---- poisoning the free part (sanitizers) --------------------------------- */

#if defined(__SANITIZE_ADDRESS__)
#define TOLL__ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TOLL__ASAN 1
#endif
#endif

#if defined(TOLL__ASAN)
#include <sanitizer/asan_interface.h>
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#define UNDEFINED(p, n) ((void)0)
#elif defined(TOLL_ARENA_VALGRIND)
#include <valgrind/memcheck.h>
#define POISON(p, n) ((void)VALGRIND_MAKE_MEM_NOACCESS((p), (n)))
#define UNPOISON(p, n) ((void)VALGRIND_MAKE_MEM_DEFINED((p), (n)))
#define UNDEFINED(p, n) ((void)VALGRIND_MAKE_MEM_UNDEFINED((p), (n)))
#else
#define POISON(p, n) ((void)0)
#define UNPOISON(p, n) ((void)0)
#define UNDEFINED(p, n) ((void)0)
#endif

/* ---- blocks ------------------------------------------------------------------ */

#define ALIGN 16u
#define FIRST_BLOCK (64u * 1024u)

typedef struct toll__jblock {
    struct toll__jblock *next;
    size_t size; /* bytes allocated, this header included */
} jblock;

#define HEADER ((sizeof(jblock) + ALIGN - 1) & ~(size_t)(ALIGN - 1))

static char *block_data(jblock *b) { return (char *)b + HEADER; }
static char *block_end(jblock *b) { return (char *)b + b->size; }

/* A new block with room for at least `room` bytes, made the current one;
 * NULL when it cannot be allocated. */
static jblock *block_add(toll__json_arena *a, size_t room)
{
    if (room > SIZE_MAX - HEADER - ALIGN)
        return NULL;
    size_t size = room + HEADER + ALIGN;
    jblock *b = toll__alloc(a->alloc, size);
    if (!b)
        return NULL;
    b->next = a->blocks;
    b->size = size;
    a->blocks = b;
    /* the allocator may align to less than ALIGN */
    uintptr_t d = (uintptr_t)block_data(b);
    a->cur = block_data(b) + ((ALIGN - (d & (ALIGN - 1))) & (ALIGN - 1));
    a->end = block_end(b);
    POISON(block_data(b), size - HEADER);
    return b;
}

static void block_free(toll__json_arena *a, jblock *b)
{
    UNPOISON(b, b->size);
    toll__free(a->alloc, b, b->size);
}

void toll__json_arena_init(toll__json_arena *a, const toll_allocator *alloc)
{
    memset(a, 0, sizeof *a);
    a->alloc = alloc;
}

void toll__json_arena_free(toll__json_arena *a)
{
    jblock *b = a->blocks;
    while (b) {
        jblock *next = b->next;
        block_free(a, b);
        b = next;
    }
    a->blocks = NULL;
    a->base = a->cur = a->end = NULL;
}

size_t toll__json_arena_size(const toll__json_arena *a)
{
    size_t n = 0;
    for (const jblock *b = a->blocks; b; b = b->next)
        n += b->size;
    return n;
}

int toll__json_arena_is_off(const toll__json_arena *a) { return a->off; }

/* The arena of the parse running on this thread, or NULL. */
static _Thread_local toll__json_arena *active;

/* Slow path of arena_take: a new block for this document.  Kept out of
 * line: the fast path is a handful of instructions per cJSON node. */
#if defined(__GNUC__)
__attribute__((noinline, cold))
#endif
static void *take_slow(toll__json_arena *a, size_t n)
{
    size_t have = toll__json_arena_size(a);
    size_t room = have > n ? have : n; /* doubles the arena */
    /* no arena for cJSON calls the allocator itself might make */
    toll__json_arena *saved = active;
    active = NULL;
    jblock *b = block_add(a, room);
    if (!b && room > n)
        b = block_add(a, room = n);
    active = saved;
    if (!b) {
        a->oom = 1;
        return NULL;
    }
    /* grow the main block to what this document needed, at the reset */
    a->want = have + room;
    char *p = a->cur;
    a->cur += (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
    UNPOISON(p, n);
    UNDEFINED(p, n);
    return p;
}

static void *arena_take(toll__json_arena *a, size_t n)
{
    if (n == 0)
        n = 1;
    if (n > SIZE_MAX / 2) {
        a->oom = 1;
        return NULL;
    }
    size_t need = (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
    if ((size_t)(a->end - a->cur) < need)
        return take_slow(a, n);
    char *p = a->cur;
    a->cur += need;
    UNPOISON(p, n);
    UNDEFINED(p, n);
    return p;
}

/* ---- the hooks ----------------------------------------------------------------- */

void *toll_json_hook_malloc(size_t n)
{
    toll__json_arena *a = active;
    return a ? arena_take(a, n) : malloc(n);
}

void toll_json_hook_free(void *p)
{
    if (!active)
        free(p);
    /* inside a parse: the arena's memory goes at the reset */
}

/* ---- parse and release ------------------------------------------------------------ */

/* 1 if p lies in one of the arena's blocks. */
static int in_arena(const toll__json_arena *a, const void *p)
{
    const char *c = p;
    for (jblock *b = a->blocks; b; b = b->next)
        if (c >= block_data(b) && c < block_end(b))
            return 1;
    return 0;
}

/* Put the arena back to empty: one main block, grown to a->want when the
 * last document needed more (0 if that allocation fails: ENOMEM). */
static int reset(toll__json_arena *a)
{
    jblock *b = a->blocks;
    if (b && !b->next) {
        /* the main block alone: poison what the last document used */
        POISON(a->base, (size_t)(a->cur - a->base));
        a->cur = a->base;
        return 1;
    }
    size_t want = a->want > FIRST_BLOCK ? a->want : FIRST_BLOCK;
    toll__json_arena_free(a);
    if (!block_add(a, want))
        return 0;
    a->base = a->cur;
    a->want = 0;
    return 1;
}

toll__jparse toll__json_arena_parse(toll__json_arena *a, const char *text,
                                    size_t len, const char **end,
                                    cJSON **root)
{
    *root = NULL;
    if (end)
        *end = NULL;
    if (a->off) {
        *root = cJSON_ParseWithLengthOpts(text, len, end, 0);
        return *root ? TOLL__JP_OK : TOLL__JP_SYNTAX;
    }
    if (!a->blocks && !reset(a))
        return TOLL__JP_NOMEM;
    a->oom = 0;
    toll__json_arena *saved = active;
    active = a;
    cJSON *t = cJSON_ParseWithLengthOpts(text, len, end, 0);
    active = saved;
    if (a->oom) {
        /* cJSON freed what it had built (into the arena) */
        reset(a);
        return TOLL__JP_NOMEM;
    }
    if (!t)
        return TOLL__JP_SYNTAX;
    if (!in_arena(a, t)) {
        /* The hooks are not ours any more: the tree came from whoever's
         * are installed now, and so will the next ones. */
        a->off = 1;
    }
    *root = t;
    return TOLL__JP_OK;
}

void toll__json_arena_release(toll__json_arena *a, cJSON *root)
{
    if (root && (a->off || !in_arena(a, root)))
        cJSON_Delete(root);
    if (a->blocks && !a->off)
        (void)reset(a); /* a failed growth is retried by the next parse */
}
