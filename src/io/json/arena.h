/*
 * src/io/json/arena.h - cJSON trees in a per-load arena (private).
 *
 * A JSON load parses one document (a JSON Lines line, an element of a JSON
 * array) at a time with cJSON.  With cJSON's default hooks every node and
 * string is a malloc and cJSON_Delete frees them one by one: more time than
 * the parse itself.  Here each document's tree is carved out of an arena
 * that belongs to the load and is reset after each document.
 *
 * cJSON's hooks are process-wide, so the library never installs them: an
 * application that wants the arena installs toll_json_hook_malloc /
 * toll_json_hook_free (toll/reports.h) with cJSON_InitHooks, once, before
 * loading (the toll CLI and the Python module do).  They dispatch through
 * a thread-local pointer: only a thread inside toll__json_arena_parse
 * allocates from an arena (and frees nothing); on every other thread, and
 * on this one outside the parse, they forward to malloc / free, so other
 * cJSON users in the process see cJSON behave as with its default hooks.
 * When they are not installed (or someone replaced them), the tree of a
 * parse does not lie in the arena: it is freed with cJSON_Delete and the
 * load carries on with malloc for the rest of it (same results, slower).
 * Replacing the hooks while a parse runs is not supported: from another
 * thread it is a data race inside cJSON; on this thread it could only
 * come from the store's allocator, which the arena calls inside the parse
 * when a report needs more memory (that allocator must not call
 * cJSON_InitHooks).
 *
 * Under AddressSanitizer the free part of the arena is poisoned: reading a
 * tree after the arena was reset is reported like a use after free.
 * Compile with -DTOLL_ARENA_VALGRIND for the same under valgrind.
 */
#ifndef TOLL_SRC_IO_JSON_ARENA_H
#define TOLL_SRC_IO_JSON_ARENA_H

#include "base/base.h"

#include <stddef.h>

struct cJSON;
struct toll__jblock;

typedef struct toll__json_arena {
    const toll_allocator *alloc;
    struct toll__jblock *blocks; /* newest first; the last one is the main */
    char *base;                  /* start of the main block's data */
    char *cur, *end;             /* free part of the newest block */
    size_t want;                 /* size the main block should grow to */
    int oom;                     /* the current parse ran out of memory */
    int off;                     /* malloc mode (hooks not ours) */
} toll__json_arena;

/* An arena for a load, allocating through `alloc` (nothing is allocated
 * until the first parse). */
void toll__json_arena_init(toll__json_arena *a, const toll_allocator *alloc);
/* Free everything (the arena can be initialised again). */
void toll__json_arena_free(toll__json_arena *a);

typedef enum toll__jparse {
    TOLL__JP_OK = 0,   /* *root is the tree */
    TOLL__JP_SYNTAX,   /* cJSON refused the text; *end where (may be NULL) */
    TOLL__JP_NOMEM     /* out of memory (arena or its growth) */
} toll__jparse;

/*
 * Parse text[0..len) with cJSON (cJSON_ParseWithLengthOpts, not requiring
 * the end of the text: *end receives where the value ended, or where the
 * syntax error is).  The tree lives until toll__json_arena_release.
 */
toll__jparse toll__json_arena_parse(toll__json_arena *a, const char *text,
                                    size_t len, const char **end,
                                    struct cJSON **root);
/* Done with the tree of the last parse (NULL allowed): reset the arena. */
void toll__json_arena_release(toll__json_arena *a, struct cJSON *root);

/* Bytes held by the arena (tests). */
size_t toll__json_arena_size(const toll__json_arena *a);
/* 1 if the arena is in malloc mode (the hooks were replaced; tests). */
int toll__json_arena_is_off(const toll__json_arena *a);

#endif /* TOLL_SRC_IO_JSON_ARENA_H */
