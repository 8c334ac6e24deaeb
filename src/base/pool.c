/*
 * src/base/pool.c - string interning and actor-set interning.
 */
#if defined(__linux__) && !defined(_DEFAULT_SOURCE)
#define _DEFAULT_SOURCE /* madvise, MADV_HUGEPAGE */
#endif
#include "base/base.h"
#include "base/strhash.h"

#if defined(__linux__)
#include <sys/mman.h>
#endif

/* The byte-string hash (src/base/strhash.h). */
static uint32_t hash_bytes(const char *s, size_t len)
{
    return toll__hash_bytes(s, len);
}

/* ---- string pool ----------------------------------------------------------- */

#define STRPOOL_CHUNK 65536u

toll_status toll__strpool_init(toll__strpool *p, const toll_allocator *a)
{
    memset(p, 0, sizeof *p);
    p->alloc = a;
    p->cap = 64;
    p->str = toll__alloc(a, p->cap * sizeof *p->str);
    p->len = toll__alloc(a, p->cap * sizeof *p->len);
    p->hash = toll__alloc(a, p->cap * sizeof *p->hash);
    p->table_cap = 128;
    p->table = toll__calloc(a, 2 * p->table_cap, sizeof *p->table);
    if (!p->str || !p->len || !p->hash || !p->table) {
        toll__strpool_free(p);
        return TOLL_ENOMEM;
    }
    p->str[0] = "";
    p->len[0] = 0;
    p->hash[0] = 0;
    p->count = 1;
    return TOLL_OK;
}

void toll__strpool_free(toll__strpool *p)
{
    const toll_allocator *a = p->alloc;
    if (!a)
        return;
    for (size_t i = 0; i < p->nchunks; i++)
        toll__free(a, p->chunks[i], 0);
    toll__free(a, p->chunks, p->chunks_cap * sizeof *p->chunks);
    toll__free(a, p->str, p->cap * sizeof *p->str);
    toll__free(a, p->len, p->cap * sizeof *p->len);
    toll__free(a, p->hash, p->cap * sizeof *p->hash);
    toll__free(a, p->table, 2 * p->table_cap * sizeof *p->table);
    memset(p, 0, sizeof *p);
}

/*
 * The table has table_cap slots of two uint32: the id (0: empty) and its
 * hash, so that a probe compares hashes without reaching the id's own
 * arrays (one cache miss per lookup instead of three on a large pool).
 */
static size_t probe_find(const toll__strpool *p, const char *s, size_t len,
                         uint32_t h, uint32_t *found)
{
    size_t mask = p->table_cap - 1;
    size_t i = h & mask;
    for (;;) {
        uint32_t id = p->table[2 * i];
        if (id == 0) {
            *found = 0;
            return i;
        }
        if (p->table[2 * i + 1] == h && p->len[id] == len &&
            memcmp(p->str[id], s, len) == 0) {
            *found = id;
            return i;
        }
        i = (i + 1) & mask;
    }
}

/* Insert ids 1..count-1 into the zeroed table t of ncap slots. */
static void fill_table(const toll__strpool *p, uint32_t *t, size_t ncap)
{
    size_t mask = ncap - 1;
    for (size_t id = 1; id < p->count; id++) {
        uint32_t h = p->hash[id];
        size_t i = h & mask;
        while (t[2 * i])
            i = (i + 1) & mask;
        t[2 * i] = (uint32_t)id;
        t[2 * i + 1] = h;
    }
}

/*
 * A zeroed table of ncap slots.  A large one (4 MiB and more: 512 Ki
 * slots, about 390,000 strings) is probed at random, one slot per lookup,
 * over thousands of 4 KiB pages (more than the TLB holds beside the rest
 * of a load), and each page is a fault when first touched; when the
 * memory comes from the default allocator (the C library's malloc: private
 * anonymous memory, ours until freed), the 2 MiB-aligned part of the block
 * is advised for transparent huge pages before it is first touched.  The
 * advice is only a hint (the kernel may ignore it, and its failure is
 * ignored); memory from a caller's allocator is never advised, since what
 * it is (a shared mapping, an arena the caller reuses) is not ours to know.
 */
#define HUGE_PAGE ((uintptr_t)2 << 20)

static uint32_t *table_alloc(const toll__strpool *p, size_t ncap)
{
    if (ncap > SIZE_MAX / (2 * sizeof(uint32_t)))
        return NULL;
    size_t bytes = 2 * ncap * sizeof(uint32_t);
    uint32_t *t = toll__alloc(p->alloc, bytes);
    if (!t)
        return NULL;
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (bytes >= 2 * HUGE_PAGE &&
        p->alloc->malloc == toll_default_allocator()->malloc) {
        uintptr_t b = ((uintptr_t)t + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
        uintptr_t e = ((uintptr_t)t + bytes) & ~(HUGE_PAGE - 1);
        if (e > b)
            (void)madvise((void *)b, (size_t)(e - b), MADV_HUGEPAGE);
    }
#endif
    memset(t, 0, bytes);
    return t;
}

/*
 * Twice the slots.  The old table is walked in slot order (not in id
 * order, as fill_table does): an entry in old slot i (home h & (cap - 1) at
 * or just before i) goes to new home h & (2 cap - 1), i.e. near i or near
 * i + cap, so the new table is written in two nearly sequential streams
 * instead of at random.  The placement differs from an id-order fill only
 * in the order of keys within a cluster; ids never change.
 */
static toll_status rehash(toll__strpool *p, size_t ncap)
{
    uint32_t *t = table_alloc(p, ncap);
    if (!t)
        return TOLL_ENOMEM;
    const uint32_t *o = p->table;
    size_t mask = ncap - 1;
    for (size_t k = 0; k < p->table_cap; k++) {
        uint32_t id = o[2 * k];
        if (!id)
            continue;
        uint32_t h = o[2 * k + 1];
        size_t i = h & mask;
        while (t[2 * i])
            i = (i + 1) & mask;
        t[2 * i] = id;
        t[2 * i + 1] = h;
    }
    toll__free(p->alloc, p->table, 2 * p->table_cap * sizeof *p->table);
    p->table = t;
    p->table_cap = ncap;
    return TOLL_OK;
}

int toll__strpool_find(const toll__strpool *p, const char *s, size_t len,
                       uint32_t *id)
{
    if (len == 0) {
        *id = 0;
        return 1;
    }
    uint32_t found;
    probe_find(p, s, len, hash_bytes(s, len), &found);
    *id = found;
    return found != 0;
}

static char *store_bytes(toll__strpool *p, const char *s, size_t len)
{
    size_t need = len + 1;
    if (p->nchunks == 0 || p->chunk_used + need > p->chunk_size) {
        size_t size = need > STRPOOL_CHUNK ? need : STRPOOL_CHUNK;
        if (toll__grow(p->alloc, (void **)&p->chunks, &p->chunks_cap,
                       p->nchunks + 1, sizeof *p->chunks))
            return NULL;
        char *c = toll__alloc(p->alloc, size);
        if (!c)
            return NULL;
        p->chunks[p->nchunks++] = c;
        p->chunk_size = size;
        p->chunk_used = 0;
    }
    char *d = p->chunks[p->nchunks - 1] + p->chunk_used;
    memcpy(d, s, len);
    d[len] = '\0';
    p->chunk_used += need;
    return d;
}

toll_status toll__strpool_intern(toll__strpool *p, const char *s, size_t len,
                                 uint32_t *id)
{
    return toll__strpool_intern_hashed(p, s, len,
                                       len ? hash_bytes(s, len) : 0, id);
}

void toll__strpool_prefetch(const toll__strpool *p, uint32_t h)
{
#if defined(__GNUC__)
    __builtin_prefetch(p->table + 2 * (h & (p->table_cap - 1)));
#else
    (void)p;
    (void)h;
#endif
}

toll_status toll__strpool_intern_hashed(toll__strpool *p, const char *s,
                                        size_t len, uint32_t h, uint32_t *id)
{
    if (len == 0) {
        *id = 0;
        return TOLL_OK;
    }
    if (len > UINT32_MAX || p->count >= UINT32_MAX - 1)
        return TOLL_ERANGE;
    uint32_t found;
    size_t slot = probe_find(p, s, len, h, &found);
    if (found) {
        *id = found;
        return TOLL_OK;
    }
    /* Make room: arrays, then the table (load factor <= 3/4). */
    if (p->count + 1 > p->cap) {
        size_t ncap = p->cap * 2;
        const char **str = toll__realloc(p->alloc, p->str, p->cap * sizeof *str,
                                         ncap * sizeof *str);
        if (!str)
            return TOLL_ENOMEM;
        p->str = str;
        uint32_t *ln = toll__realloc(p->alloc, p->len, p->cap * sizeof *ln,
                                     ncap * sizeof *ln);
        if (!ln)
            return TOLL_ENOMEM;
        p->len = ln;
        uint32_t *hs = toll__realloc(p->alloc, p->hash, p->cap * sizeof *hs,
                                     ncap * sizeof *hs);
        if (!hs)
            return TOLL_ENOMEM;
        p->hash = hs;
        p->cap = ncap;
    }
    if ((p->count + 1) * 4 > p->table_cap * 3) { /* load factor <= 3/4 */
        if (rehash(p, p->table_cap * 2))
            return TOLL_ENOMEM;
        slot = probe_find(p, s, len, h, &found);
    }
    char *d = store_bytes(p, s, len);
    if (!d)
        return TOLL_ENOMEM;
    uint32_t nid = (uint32_t)p->count++;
    p->str[nid] = d;
    p->len[nid] = (uint32_t)len;
    p->hash[nid] = h;
    p->table[2 * slot] = nid;
    p->table[2 * slot + 1] = h;
    *id = nid;
    return TOLL_OK;
}

void toll__strpool_truncate(toll__strpool *p, size_t count)
{
    if (count >= p->count || count < 1)
        return;
    /* Remove ids >= count from the hash table, then rebuild it in place:
     * linear probing needs a rebuild after deletions. */
    p->count = count;
    memset(p->table, 0, 2 * p->table_cap * sizeof *p->table);
    fill_table(p, p->table, p->table_cap);
    /* The chunk bytes of dropped strings stay allocated (they are reused by
     * nothing, but freed with the pool); correctness is unaffected. */
}

/* ---- actor-set pool --------------------------------------------------------- */

toll_status toll__setpool_init(toll__setpool *p, const toll_allocator *a)
{
    memset(p, 0, sizeof *p);
    p->alloc = a;
    p->cap = 16;
    p->begin = toll__alloc(a, p->cap * sizeof *p->begin);
    p->size = toll__alloc(a, p->cap * sizeof *p->size);
    p->label = toll__alloc(a, p->cap * sizeof *p->label);
    p->hash = toll__alloc(a, p->cap * sizeof *p->hash);
    p->table_cap = 32;
    p->table = toll__calloc(a, p->table_cap, sizeof *p->table);
    if (!p->begin || !p->size || !p->label || !p->hash || !p->table) {
        toll__setpool_free(p);
        return TOLL_ENOMEM;
    }
    p->begin[0] = 0;
    p->size[0] = 0;
    p->label[0] = 0;
    p->hash[0] = 0;
    p->count = 1;
    return TOLL_OK;
}

void toll__setpool_free(toll__setpool *p)
{
    const toll_allocator *a = p->alloc;
    if (!a)
        return;
    toll__free(a, p->begin, p->cap * sizeof *p->begin);
    toll__free(a, p->size, p->cap * sizeof *p->size);
    toll__free(a, p->label, p->cap * sizeof *p->label);
    toll__free(a, p->hash, p->cap * sizeof *p->hash);
    toll__free(a, p->members, p->members_cap * sizeof *p->members);
    toll__free(a, p->table, p->table_cap * sizeof *p->table);
    memset(p, 0, sizeof *p);
}

static int name_cmp(const toll__strpool *s, uint32_t a, uint32_t b)
{
    size_t la = s->len[a], lb = s->len[b];
    int c = memcmp(s->str[a], s->str[b], la < lb ? la : lb);
    if (c)
        return c;
    return la < lb ? -1 : la > lb;
}

static uint32_t hash_ids(const uint32_t *ids, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) {
        h ^= ids[i];
        h *= 16777619u;
    }
    return h ? h : 1u;
}

static int set_equal(const toll__setpool *p, uint32_t id, const uint32_t *ids,
                     size_t n)
{
    return p->size[id] == n &&
           memcmp(p->members + p->begin[id], ids, n * sizeof *ids) == 0;
}

static size_t set_probe(const toll__setpool *p, const uint32_t *ids, size_t n,
                        uint32_t h, uint32_t *found)
{
    size_t mask = p->table_cap - 1, i = h & mask;
    for (;;) {
        uint32_t id = p->table[i];
        if (id == 0) {
            *found = 0;
            return i;
        }
        if (p->hash[id] == h && set_equal(p, id, ids, n)) {
            *found = id;
            return i;
        }
        i = (i + 1) & mask;
    }
}

static toll_status set_rehash(toll__setpool *p, size_t ncap)
{
    uint32_t *t = toll__calloc(p->alloc, ncap, sizeof *t);
    if (!t)
        return TOLL_ENOMEM;
    size_t mask = ncap - 1;
    for (size_t id = 1; id < p->count; id++) {
        size_t i = p->hash[id] & mask;
        while (t[i])
            i = (i + 1) & mask;
        t[i] = (uint32_t)id;
    }
    toll__free(p->alloc, p->table, p->table_cap * sizeof *p->table);
    p->table = t;
    p->table_cap = ncap;
    return TOLL_OK;
}

#define SET_SMALL 16

/* Sort the names ids[0..n) into tmp (room for n): by name, duplicates and
 * empty names dropped; returns how many are left. */
static size_t set_sort(const toll__strpool *names, const uint32_t *ids,
                       size_t n, uint32_t *tmp)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        uint32_t v = ids[i];
        if (v == 0)
            continue;
        size_t j = m;
        int dup = 0;
        while (j > 0) {
            int c = name_cmp(names, tmp[j - 1], v);
            if (c == 0) {
                dup = 1;
                break;
            }
            if (c < 0)
                break;
            j--;
        }
        if (dup)
            continue;
        memmove(tmp + j + 1, tmp + j, (m - j) * sizeof *tmp);
        tmp[j] = v;
        m++;
    }
    return m;
}

toll_status toll__setpool_intern(toll__setpool *p, toll__strpool *strings,
                                 const uint32_t *ids, size_t n, uint32_t *id)
{
    return toll__setpool_intern_over(p, NULL, strings, strings, ids, n, id);
}

toll_status toll__setpool_intern_over(toll__setpool *p,
                                      const toll__setpool *base,
                                      const toll__strpool *names,
                                      toll__strpool *labels,
                                      const uint32_t *ids, size_t n,
                                      uint32_t *id)
{
    uint32_t small[SET_SMALL], *tmp = small;
    size_t m;
    toll_status st = TOLL_OK;
    if (n > SET_SMALL) {
        tmp = toll__alloc(p->alloc, n * sizeof *tmp);
        if (!tmp)
            return TOLL_ENOMEM;
    }
    /* Insertion sort by name, dropping duplicates and empty names. */
    m = set_sort(names, ids, n, tmp);
    if (m == 0) {
        *id = 0;
        goto cleanup;
    }
    /* p first: it is small (and in cache) when it extends a base, and a
     * set is in at most one of the two */
    uint32_t h = hash_ids(tmp, m), found;
    size_t slot = set_probe(p, tmp, m, h, &found);
    if (found) {
        *id = (uint32_t)(base ? base->count + found - 1 : found);
        goto cleanup;
    }
    if (base) {
        set_probe(base, tmp, m, h, &found);
        if (found) {
            *id = found;
            goto cleanup;
        }
    }
    /* Label "A + B". */
    toll__buf label;
    toll__buf_init(&label, p->alloc);
    for (size_t i = 0; i < m && !st; i++) {
        if (i)
            st = toll__buf_append(&label, " + ", 3);
        if (!st)
            st = toll__buf_append(&label, toll__str(names, tmp[i]),
                                  toll__strlen(names, tmp[i]));
    }
    uint32_t label_id = 0;
    if (!st)
        st = toll__strpool_intern(labels, label.data, label.len, &label_id);
    toll__buf_free(&label);
    if (st)
        goto cleanup;
    if (p->count + 1 > p->cap) {
        size_t ncap = p->cap * 2, oc = p->cap;
        uint32_t **arrs[] = {&p->begin, &p->size, &p->label, &p->hash};
        for (size_t k = 0; k < 4; k++) {
            uint32_t *a2 = toll__realloc(p->alloc, *arrs[k], oc * sizeof(uint32_t),
                                         ncap * sizeof(uint32_t));
            if (!a2) {
                /* Arrays already grown keep the new size; shrink cap
                 * bookkeeping is impossible, so grow the rest lazily: we
                 * keep cap unchanged and fail.  Grown blocks are simply
                 * larger than needed, and freed with the old size, which
                 * the allocator contract tolerates (size is a hint). */
                st = TOLL_ENOMEM;
                goto cleanup;
            }
            *arrs[k] = a2;
        }
        p->cap = ncap;
    }
    if ((p->count + 1) * 2 > p->table_cap) {
        if ((st = set_rehash(p, p->table_cap * 2)))
            goto cleanup;
        slot = set_probe(p, tmp, m, h, &found);
    }
    if ((st = toll__grow(p->alloc, (void **)&p->members, &p->members_cap,
                         p->nmembers + m, sizeof *p->members)))
        goto cleanup;
    uint32_t nid = (uint32_t)p->count++;
    p->begin[nid] = (uint32_t)p->nmembers;
    p->size[nid] = (uint32_t)m;
    p->label[nid] = label_id;
    p->hash[nid] = h;
    memcpy(p->members + p->nmembers, tmp, m * sizeof *tmp);
    p->nmembers += m;
    p->table[slot] = nid;
    *id = (uint32_t)(base ? base->count + nid - 1 : nid);
cleanup:
    if (tmp != small)
        toll__free(p->alloc, tmp, n * sizeof *tmp);
    return st;
}

int toll__set_contains(const toll__setpool *p, uint32_t id, uint32_t s)
{
    const uint32_t *m = toll__set_members(p, id);
    for (size_t i = 0; i < p->size[id]; i++)
        if (m[i] == s)
            return 1;
    return 0;
}

void toll__setpool_truncate(toll__setpool *p, size_t count)
{
    if (count >= p->count || count < 1)
        return;
    p->nmembers = count > 1 ? p->begin[count - 1] + p->size[count - 1] : 0;
    p->count = count;
    memset(p->table, 0, p->table_cap * sizeof *p->table);
    size_t mask = p->table_cap - 1;
    for (size_t id = 1; id < p->count; id++) {
        size_t i = p->hash[id] & mask;
        while (p->table[i])
            i = (i + 1) & mask;
        p->table[i] = (uint32_t)id;
    }
}
