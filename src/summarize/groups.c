/*
 * src/summarize/groups.c - the group table: key tuples and their
 * accumulators, found through a dense index or a hash table of slots
 * (lookup: group_of in src/summarize/summarize_int.h).
 */
#include "summarize/summarize_int.h"

void toll__groups_free(const toll_allocator *a, groups *g)
{
    toll__free(a, g->keys, keys_size(g, g->cap));
    toll__free(a, g->acc, g->cap * sizeof *g->acc);
    toll__free(a, g->slots, 2 * g->slots_cap * sizeof *g->slots);
    toll__free(a, g->index, g->index_n * sizeof *g->index);
    g->keys = NULL;
    g->acc = NULL;
    g->slots = NULL;
    g->index = NULL;
    g->n = g->cap = g->slots_cap = g->index_n = 0;
}

/* The message of a grouping pass that failed with `st`: out of memory,
 * or more groups / key values than the numbering holds. */
void toll__group_fail(toll_status st, toll_error *err)
{
    if (st == TOLL_ENOMEM)
        toll__nomem(err);
    else
        toll__err(err, st, "too many groups or key values to summarize");
}

toll_status toll__rows_fail(const struct ctx *c, toll_error *err)
{
    char keys[160];
    toll__keys_text(c, keys, sizeof keys);
    return toll__seterr(err, TOLL_ERANGE, NULL, 0, -1, "max_rows", NULL, 0,
                        "the summary by %s would have more than %zu rows "
                        "(max_rows): use fewer or coarser keys, filters, or "
                        "a larger max_rows",
                        keys, c->max_rows);
}

/* Double the group arrays (new blocks; the old ones stay on failure). */
toll_status toll__groups_grow(const toll_allocator *a, groups *g)
{
    size_t ncap = g->cap ? g->cap * 2 : 64;
    size_t nk = g->nk ? g->nk : 1;
    if (ncap > SIZE_MAX / (nk * sizeof(uint32_t)) ||
        ncap > SIZE_MAX / sizeof(gacc))
        return TOLL_ENOMEM;
    uint32_t *keys = toll__alloc(a, keys_size(g, ncap));
    gacc *acc = toll__alloc(a, ncap * sizeof *acc);
    if (!keys || !acc) {
        toll__free(a, keys, keys_size(g, ncap));
        toll__free(a, acc, ncap * sizeof *acc);
        return TOLL_ENOMEM;
    }
    if (g->n) {
        memcpy(keys, g->keys, keys_size(g, g->n));
        memcpy(acc, g->acc, g->n * sizeof *acc);
    }
    toll__free(a, g->keys, keys_size(g, g->cap));
    toll__free(a, g->acc, g->cap * sizeof *g->acc);
    g->keys = keys;
    g->acc = acc;
    g->cap = ncap;
    return TOLL_OK;
}

toll_status toll__groups_rehash(const toll_allocator *a, groups *g,
                                size_t ncap)
{
    uint32_t *s = toll__calloc(a, 2 * ncap, sizeof *s);
    if (!s)
        return TOLL_ENOMEM;
    for (size_t k = 0; k < g->n; k++) {
        uint32_t h = g->acc[k].hash;
        size_t i = h & (ncap - 1);
        while (s[2 * i])
            i = (i + 1) & (ncap - 1);
        s[2 * i] = (uint32_t)k + 1;
        s[2 * i + 1] = h;
    }
    toll__free(a, g->slots, 2 * g->slots_cap * sizeof *g->slots);
    g->slots = s;
    g->slots_cap = ncap;
    return TOLL_OK;
}

/* Make room in the dense index for tuple k: rebuild it with wider bits,
 * or leave dense mode (hash table) when the tuples need more than
 * DENSE_BITS bits. */
toll_status toll__dense_widen(const toll_allocator *a, groups *g,
                              const uint32_t *k)
{
    unsigned bits[MAX_KEYS], total = 0;
    for (size_t i = 0; i < g->nk; i++) {
        unsigned b = g->bits[i];
        while (b < 32 && (k[i] >> b))
            b++;
        bits[i] = b;
        total += b;
    }
    if (total > DENSE_BITS) {
        size_t cap = 64;
        while (cap < 2 * (g->n + 1))
            cap *= 2;
        if (toll__groups_rehash(a, g, cap))
            return TOLL_ENOMEM;
        toll__free(a, g->index, g->index_n * sizeof *g->index);
        g->index = NULL;
        g->index_n = 0;
        g->dense = 0;
        return TOLL_OK;
    }
    size_t n = (size_t)1 << total;
    uint32_t *index = toll__calloc(a, n, sizeof *index);
    if (!index)
        return TOLL_ENOMEM;
    toll__free(a, g->index, g->index_n * sizeof *g->index);
    g->index = index;
    g->index_n = n;
    for (size_t i = 0, sh = 0; i < g->nk; i++) {
        g->bits[i] = bits[i];
        g->shift[i] = (unsigned)sh;
        sh += bits[i];
    }
    for (size_t c = 0; c < g->n; c++)
        g->index[dense_pos(g, g->keys + c * g->nk)] = (uint32_t)c + 1;
    return TOLL_OK;
}
