/*
 * src/io/input.c - input bytes for the loaders: a whole buffer, or a file
 * read in chunks (a part of a split load reads a byte range), transcoded
 * to UTF-8 from Latin-1 or Windows-1252 when the load option says so.
 */
#include "io/io.h"

#include <errno.h>
#include <stdio.h>

/* ---- input ------------------------------------------------------------------------------- */

/* Windows-1252 0x80..0x9F (the five unassigned bytes map to the C1
 * controls, as Latin-1 has them). */
static const uint16_t cp1252_c1[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021,
    0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008D, 0x017D, 0x008F,
    0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014,
    0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};

/* Transcode p[0..n) from a single-byte encoding into src->xbuf. */
static toll_status transcode(toll__input *src, const char **p, size_t *n)
{
    const unsigned char *in = (const unsigned char *)*p;
    size_t len = *n;
    if (len > SIZE_MAX / 3)
        return TOLL_ENOMEM;
    if (src->xcap < 3 * len) {
        size_t cap = src->xcap;
        if (toll__grow(src->alloc, (void **)&src->xbuf, &cap, 3 * len, 1))
            return TOLL_ENOMEM;
        src->xcap = cap;
    }
    unsigned char *o = (unsigned char *)src->xbuf;
    for (size_t i = 0; i < len; i++) {
        unsigned c = in[i];
        if (c < 0x80) {
            *o++ = (unsigned char)c;
            continue;
        }
        if (src->encoding == TOLL__ENC_CP1252 && c < 0xA0)
            c = cp1252_c1[c - 0x80];
        if (c < 0x800) {
            *o++ = (unsigned char)(0xC0 | (c >> 6));
            *o++ = (unsigned char)(0x80 | (c & 0x3F));
        } else {
            *o++ = (unsigned char)(0xE0 | (c >> 12));
            *o++ = (unsigned char)(0x80 | ((c >> 6) & 0x3F));
            *o++ = (unsigned char)(0x80 | (c & 0x3F));
        }
    }
    *p = src->xbuf;
    *n = (size_t)(o - (unsigned char *)src->xbuf);
    return TOLL_OK;
}

void toll__progress_add(toll__progress *p, uint64_t n)
{
    uint64_t done = __atomic_add_fetch(&p->done, n, __ATOMIC_RELAXED);
    if (!pthread_equal(pthread_self(), p->owner))
        return;
    if (p->total && done > p->total)
        done = p->total;
    /* after a rewind (toll__progress_rewind) nothing is shown again until
     * the count passes what was shown: the calls only rise */
    if (done <= p->shown ||
        (done - p->shown < ((uint64_t)1 << 20) && done != p->total))
        return;
    p->shown = done;
    p->fn(p->ctx, done, p->total);
}

void toll__progress_rewind(toll__progress *p, uint64_t to)
{
    __atomic_store_n(&p->done, to, __ATOMIC_RELAXED);
}

toll_status toll__input_read(toll__input *src, const char **p, size_t *n)
{
    if (src->peek) {
        *p = src->peek;
        *n = src->peek_len;
        src->peek = NULL;
        src->peek_len = 0;
        return TOLL_OK;
    }
    if (src->unpack) {
        uint64_t before = src->progress ? toll__unpack_consumed(src) : 0;
        toll_status st = toll__unpack_read(src, p, n);
        if (st)
            return st;
        if (src->progress)
            toll__progress_add(src->progress,
                               toll__unpack_consumed(src) - before);
    } else if (!src->fp) {
        *p = src->data;
        *n = src->done ? 0 : src->len;
        src->done = 1;
    } else {
        size_t want = src->chunk_cap;
        if (src->limited && want > src->remain)
            want = src->remain;
        if (src->cancel && __atomic_load_n(src->cancel, __ATOMIC_RELAXED))
            want = 0;
        *p = src->chunk;
        *n = want ? fread(src->chunk, 1, want, src->fp) : 0;
        if (*n == 0 && want && ferror(src->fp))
            return TOLL_EIO;
        if (src->limited)
            src->remain -= *n;
    }
    if (src->progress && !src->unpack && *n)
        toll__progress_add(src->progress, *n);
    if (src->encoding != TOLL__ENC_UTF8 && *n)
        return transcode(src, p, n);
    return TOLL_OK;
}
