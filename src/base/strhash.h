/*
 * src/base/strhash.h - the byte-string hash of the string pool (src/base/pool.c),
 * shared with the ingest's memo of recent values (src/io/record.c).
 * Nothing here is public API.
 */
#ifndef TOLL_SRC_BASE_STRHASH_H
#define TOLL_SRC_BASE_STRHASH_H

#include "toll/common.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline uint64_t toll__load64(const char *s)
{
    uint64_t v;
    memcpy(&v, s, 8);
    return v;
}

static inline uint32_t toll__load32(const char *s)
{
    uint32_t v;
    memcpy(&v, s, 4);
    return v;
}

static inline uint64_t toll__hash_mix(uint64_t h, uint64_t w)
{
    h ^= w * UINT64_C(0xff51afd7ed558ccd);
    h = (h << 29) | (h >> 35);
    return h * UINT64_C(0x9E3779B97F4A7C15);
}

/*
 * 8 bytes at a time: each word multiplied and rotated into the state, the
 * last partial word read as an overlapping word (or from 4-byte and single
 * byte reads under 8 bytes), the length in the seed, and a final
 * avalanche (the finaliser of MurmurHash3) so that the low bits, which
 * pick a slot, depend on every byte.  Never 0 (0 marks an empty slot).
 */
static inline uint32_t toll__hash_bytes(const char *s, size_t len)
{
    uint64_t h = UINT64_C(0x243F6A8885A308D3) ^
                 ((uint64_t)len * UINT64_C(0xC2B2AE3D27D4EB4F));
    if (len >= 8) {
        size_t i = 0;
        for (; i + 8 <= len; i += 8)
            h = toll__hash_mix(h, toll__load64(s + i));
        if (i < len)
            h = toll__hash_mix(h, toll__load64(s + len - 8));
    } else if (len >= 4) {
        h = toll__hash_mix(h, (uint64_t)toll__load32(s) |
                                  ((uint64_t)toll__load32(s + len - 4) << 32));
    } else if (len > 0) {
        h = toll__hash_mix(h, (uint64_t)(unsigned char)s[0] |
                                  ((uint64_t)(unsigned char)s[len / 2] << 8) |
                                  ((uint64_t)(unsigned char)s[len - 1] << 16));
    }
    h ^= h >> 33;
    h *= UINT64_C(0xff51afd7ed558ccd);
    h ^= h >> 33;
    h *= UINT64_C(0xc4ceb9fe1a85ec53);
    h ^= h >> 33;
    uint32_t r = (uint32_t)h;
    return r ? r : 1u;
}

/* ---- string pool entry points that take the hash (src/base/pool.c) ----------
 * (they belong with toll__strpool_* in src/base/base.h) */

struct toll__strpool;
/* Prefetch the table slot of hash h (a lookup of that hash follows). */
void toll__strpool_prefetch(const struct toll__strpool *p, uint32_t h);
/* toll__strpool_intern with h = toll__hash_bytes(s, len) already known. */
toll_status toll__strpool_intern_hashed(struct toll__strpool *p, const char *s,
                                        size_t len, uint32_t h, uint32_t *id);

#endif /* TOLL_SRC_BASE_STRHASH_H */
