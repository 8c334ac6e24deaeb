/*
 * src/io/memo.h - the memo of recent texts of the ingest module, shared
 * by the generic row building (src/io/record.c) and the per-header CSV plan
 * (src/io/csv/plan.c).  Nothing here is public API.
 */
#ifndef TOLL_SRC_IO_MEMO_H
#define TOLL_SRC_IO_MEMO_H

#include "io/io.h"
#include "base/strhash.h"

/* ---- memo of recent texts ---------------------------------------------------------
 *
 * Most columns hold few distinct texts (sources, kinds, dates, regions,
 * actor lists, figures), and reading one (trimming, splitting, parsing,
 * interning) costs far more than recognising it.  Per kind of field, a
 * direct-mapped table remembers what the last texts with each hash read
 * as.  Only successful reads without side effects other than interning
 * are remembered (no error, no repair); interning is idempotent within a
 * load (the pools only roll back when the whole load fails, and the memo
 * lives for one load).  Texts longer than MEMO_KEY are not remembered.
 * The memo is an optimisation only: when it cannot be allocated, the load
 * goes on without it.
 */

#define MEMO_SLOTS 1024u
#define MEMO_KEY 56

typedef struct toll__memo_ent {
    uint32_t hash;   /* 0: empty */
    uint16_t len;
    uint8_t flag;    /* dates: given; quantities: known */
    uint8_t pad;
    uint32_t id;     /* string, kind or set id */
    int64_t lo, hi;  /* dates: first, last; quantities: low, high */
    double best;
    char key[MEMO_KEY];
} memo_ent;

/* A quick hash for the memo: the first and last 8 bytes (or 4, or single
 * bytes) and the length.  Texts that share those collide and evict each
 * other, which costs a reread, never a wrong result (hits compare every
 * byte).  Never 0. */
static inline uint32_t memo_hash(const char *s, size_t len)
{
    uint64_t a, b;
    if (len >= 8) {
        a = toll__load64(s);
        b = toll__load64(s + len - 8);
    } else if (len >= 4) {
        a = toll__load32(s);
        b = toll__load32(s + len - 4);
    } else {
        a = len ? (unsigned char)s[0] : 0;
        b = len ? ((uint64_t)(unsigned char)s[len / 2] << 8 |
                   (uint64_t)(unsigned char)s[len - 1] << 16)
                : 0;
    }
    uint64_t h = (a ^ (uint64_t)len) * UINT64_C(0x9E3779B97F4A7C15) ^
                 (b + (uint64_t)len) * UINT64_C(0xC2B2AE3D27D4EB4F);
    h ^= h >> 32; /* fold the high bits (the last bytes) down */
    h *= UINT64_C(0xff51afd7ed558ccd);
    h ^= h >> 29;
    uint32_t r = (uint32_t)(h ^ (h >> 32));
    return r ? r : 1u;
}

/* s[0..len) == key[0..len): up to 16 bytes without a call. */
static inline int memo_same(const char *key, const char *s, size_t len)
{
    if (len > 16)
        return memcmp(key, s, len) == 0;
    if (len >= 8)
        return toll__load64(key) == toll__load64(s) &&
               toll__load64(key + len - 8) == toll__load64(s + len - 8);
    if (len >= 4)
        return toll__load32(key) == toll__load32(s) &&
               toll__load32(key + len - 4) == toll__load32(s + len - 4);
    for (size_t i = 0; i < len; i++)
        if (key[i] != s[i])
            return 0;
    return 1;
}

/* Allocate memo `kind` (first use); NULL when that fails. */
static inline memo_ent *memo_alloc(toll__ingest *in, int kind)
{
    if (in->memo_off)
        return NULL;
    in->memo[kind] = toll__calloc(&in->r->alloc, MEMO_SLOTS, sizeof(memo_ent));
    if (!in->memo[kind])
        in->memo_off = 1;
    return in->memo[kind];
}

/* The entry for s[0..len) in memo `kind` (a hit or the one to fill), or
 * NULL when there is no memo for it; *h receives the hash. */
static inline memo_ent *memo_slot(toll__ingest *in, int kind, const char *s,
                                  size_t len, uint32_t *h)
{
    memo_ent *t = in->memo[kind];
    if (len > MEMO_KEY || (!t && !(t = memo_alloc(in, kind))))
        return NULL;
    *h = memo_hash(s, len);
    return &t[*h & (MEMO_SLOTS - 1)];
}

static inline int memo_hit(const memo_ent *e, uint32_t h, const char *s,
                           size_t len)
{
    return e && e->hash == h && e->len == len && memo_same(e->key, s, len);
}

static inline void memo_fill(memo_ent *e, uint32_t h, const char *s, size_t len)
{
    e->hash = h;
    e->len = (uint16_t)len;
    memcpy(e->key, s, len);
}

#endif /* TOLL_SRC_IO_MEMO_H */
