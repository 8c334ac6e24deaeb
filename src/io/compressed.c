/*
 * src/io/compressed.c - compressed and archived input: gzip streams
 * (.csv.gz, .jsonl.gz) and ZIP archives holding one data file (the way
 * UCDP ships GED), decompressed with zlib as the loaders read; and the
 * names of binary formats toll does not read, told by their first bytes.
 *
 * zlib does the inflating, through the input's own allocator.  The ZIP
 * container is read here: its end record and central directory (ZIP64
 * too) locate the one member, whose deflated or stored bytes are streamed
 * through zlib and checked against their CRC-32 and sizes.  README.md says
 * why this is not libzip.
 */
#define _POSIX_C_SOURCE 200809L
#include "io/io.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>
#include <zlib.h>

#define IN_CAP ((size_t)256 << 10) /* compressed bytes read at a time */
#define OUT_CAP TOLL__CHUNK        /* decompressed bytes per read */

struct toll__unpack {
    const toll_allocator *alloc;
    toll__pack kind;
    /* the compressed bytes: a file (read with pread) or a buffer */
    int fd;
    const unsigned char *data;
    uint64_t size;
    uint64_t pos, end;   /* next compressed byte to read; end of them */
    unsigned char *in;   /* file mode: compressed bytes read ahead */
    z_stream z;
    int z_open, z_done;
    int stored;          /* a ZIP member stored without compression */
    char *out;
    /* a ZIP member: its name, and what its bytes must come to */
    char *member;
    size_t member_cap;
    uint64_t usize, produced;
    uint32_t crc, crc_want;
    /* the last error, for messages (toll__input_what) */
    char msg[200];
};

/* ---- what the first bytes say ------------------------------------------------------- */

static int starts(const char *p, size_t n, const char *sig, size_t len)
{
    return n >= len && memcmp(p, sig, len) == 0;
}

toll__pack toll__pack_sniff(const char *p, size_t n, const char **other)
{
    *other = NULL;
    if (starts(p, n, "\x1f\x8b", 2))
        return TOLL__PACK_GZIP;
    if (starts(p, n, "PK\x03\x04", 4) || starts(p, n, "PK\x05\x06", 4) ||
        starts(p, n, "PK\x07\x08", 4))
        return TOLL__PACK_ZIP;
    static const struct {
        const char *sig;
        size_t len;
        const char *what;
    } known[] = {
        {"PAR1", 4, "a Parquet file"},
        {"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 8,
         "an OLE2 document (an Excel 97-2003 .xls workbook?)"},
        {"BZh", 3, "bzip2-compressed data"},
        {"\xfd" "7zXZ\x00", 6, "xz-compressed data"},
        {"\x28\xb5\x2f\xfd", 4, "Zstandard-compressed data"},
        {"7z\xbc\xaf\x27\x1c", 6, "a 7-Zip archive"},
        {"Rar!", 4, "a RAR archive"},
        {"%PDF", 4, "a PDF document"},
        {"ARROW1", 6, "an Arrow IPC file"},
        {"SQLite format 3", 16, "an SQLite database"},
        {"\x89HDF", 4, "an HDF5 file"},
    };
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        if (starts(p, n, known[i].sig, known[i].len)) {
            *other = known[i].what;
            return TOLL__PACK_NONE;
        }
    return TOLL__PACK_NONE;
}

/* ---- zlib through the input's allocator ---------------------------------------------- */

/* Each block carries its size in front (the allocator's free needs it). */
#define ZHDR 16

static voidpf z_alloc(voidpf opaque, uInt items, uInt size)
{
    const toll_allocator *a = opaque;
    if (size && items > (SIZE_MAX - ZHDR) / size)
        return Z_NULL;
    size_t n = (size_t)items * size + ZHDR;
    unsigned char *p = toll__alloc(a, n);
    if (!p)
        return Z_NULL;
    memcpy(p, &n, sizeof n);
    return p + ZHDR;
}

static void z_free(voidpf opaque, voidpf address)
{
    if (!address)
        return;
    unsigned char *p = (unsigned char *)address - ZHDR;
    size_t n;
    memcpy(&n, p, sizeof n);
    toll__free(opaque, p, n);
}

/* ---- reading the compressed bytes ------------------------------------------------------- */

/* n bytes at offset off into buf; 0, or -1 when they are not all there
 * (u->msg says why). */
static int read_at(toll__unpack *u, uint64_t off, void *buf, size_t n)
{
    if (off > u->size || n > u->size - off) {
        snprintf(u->msg, sizeof u->msg, "truncated ZIP archive");
        return -1;
    }
    if (u->data) {
        memcpy(buf, u->data + off, n);
        return 0;
    }
    size_t got = 0;
    while (got < n) {
        ssize_t r = pread(u->fd, (char *)buf + got, n - got,
                          (off_t)(off + got));
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            snprintf(u->msg, sizeof u->msg, "%s",
                     r < 0 ? "read error" : "truncated ZIP archive");
            return -1;
        }
        got += (size_t)r;
    }
    return 0;
}

/* The next compressed bytes (up to IN_CAP) from u->pos: *p and *n (0 at
 * u->end); -1 on a read error. */
static int next_in(toll__unpack *u, const unsigned char **p, size_t *n)
{
    uint64_t left = u->end - u->pos;
    size_t want = left < IN_CAP ? (size_t)left : IN_CAP;
    if (u->data) {
        *p = u->data + u->pos;
    } else {
        if (want && read_at(u, u->pos, u->in, want))
            return -1;
        *p = u->in;
    }
    *n = want;
    u->pos += want;
    return 0;
}

static uint16_t le16(const unsigned char *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static uint64_t le64(const unsigned char *p)
{
    return (uint64_t)le32(p) | (uint64_t)le32(p + 4) << 32;
}

/* ---- the ZIP container ------------------------------------------------------------------ */

static int has_ext(const char *s, size_t n, const char *ext)
{
    size_t e = strlen(ext);
    if (n < e)
        return 0;
    for (size_t i = 0; i < e; i++) {
        char c = s[n - e + i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != ext[i])
            return 0;
    }
    return 1;
}

/* A member that holds reports: a .csv, .json, .jsonl or .ndjson file that
 * is not a directory or a macOS resource fork. */
static int data_member(const char *s, size_t n)
{
    if (n && s[n - 1] == '/')
        return 0;
    if (n >= 9 && memcmp(s, "__MACOSX/", 9) == 0)
        return 0;
    const char *base = s;
    for (size_t i = 0; i < n; i++)
        if (s[i] == '/')
            base = s + i + 1;
    if (base[0] == '.' && base + 1 < s + n && base[1] == '_')
        return 0;
    return has_ext(s, n, ".csv") || has_ext(s, n, ".json") ||
           has_ext(s, n, ".jsonl") || has_ext(s, n, ".ndjson");
}

/* Append "name" to a list of names in buf (for messages). */
static void list_name(char *buf, size_t size, const char *s, size_t n)
{
    size_t len = strlen(buf);
    if (len + 8 >= size)
        return;
    if (len + n + 3 >= size) {
        snprintf(buf + len, size - len, "%s...", len ? ", " : "");
        buf[size - 1] = '\0';
        return;
    }
    snprintf(buf + len, size - len, "%s%.*s", len ? ", " : "", (int)n, s);
}

/* The end of central directory: its offset, size and entry count, ZIP64
 * or not. */
static int zip_directory(toll__unpack *u, uint64_t *cd_off, uint64_t *cd_size,
                         uint64_t *entries)
{
    /* the end record is 22 bytes plus a comment of up to 65535 */
    size_t tail = u->size < 22 + 65535 ? (size_t)u->size : 22 + 65535;
    if (tail < 22) {
        snprintf(u->msg, sizeof u->msg, "truncated ZIP archive");
        return -1;
    }
    unsigned char *buf = toll__alloc(u->alloc, tail);
    if (!buf) {
        snprintf(u->msg, sizeof u->msg, "out of memory");
        return -2;
    }
    int rc = read_at(u, u->size - tail, buf, tail);
    long at = -1;
    for (size_t i = tail - 22 + 1; rc == 0 && i-- > 0;)
        if (le32(buf + i) == 0x06054b50u) {
            at = (long)i;
            break;
        }
    if (rc == 0 && at < 0) {
        snprintf(u->msg, sizeof u->msg,
                 "no ZIP directory (truncated or not a ZIP archive)");
        rc = -1;
    }
    if (rc == 0) {
        const unsigned char *e = buf + at;
        *entries = le16(e + 10);
        *cd_size = le32(e + 12);
        *cd_off = le32(e + 16);
        uint64_t eocd = u->size - tail + (uint64_t)at;
        if ((*entries == 0xffff || *cd_size == 0xffffffffu ||
             *cd_off == 0xffffffffu) &&
            eocd >= 20 && (size_t)at >= 20 &&
            le32(buf + at - 20) == 0x07064b50u) {
            uint64_t off64 = le64(buf + at - 20 + 8);
            unsigned char r[56];
            if ((rc = read_at(u, off64, r, sizeof r)) == 0) {
                if (le32(r) != 0x06064b50u) {
                    snprintf(u->msg, sizeof u->msg,
                             "damaged ZIP64 directory record");
                    rc = -1;
                } else {
                    *entries = le64(r + 32);
                    *cd_size = le64(r + 40);
                    *cd_off = le64(r + 48);
                }
            }
        }
    }
    toll__free(u->alloc, buf, tail);
    return rc;
}

/* The ZIP64 extra field of a central directory entry: the 64-bit values
 * of the fields written as 0xFFFFFFFF, in their order. */
static void zip64_extra(const unsigned char *x, size_t n, uint64_t *usize,
                        uint64_t *csize, uint64_t *off)
{
    while (n >= 4) {
        uint16_t id = le16(x), len = le16(x + 2);
        if ((size_t)len + 4 > n)
            return;
        if (id == 0x0001) {
            const unsigned char *p = x + 4, *end = x + 4 + len;
            if (*usize == 0xffffffffu && p + 8 <= end) {
                *usize = le64(p);
                p += 8;
            }
            if (*csize == 0xffffffffu && p + 8 <= end) {
                *csize = le64(p);
                p += 8;
            }
            if (*off == 0xffffffffu && p + 8 <= end)
                *off = le64(p);
            return;
        }
        x += 4 + len;
        n -= 4 + (size_t)len;
    }
}

/* Find the one data member and position u at its bytes. */
static int zip_open_member(toll__unpack *u, const char *name, toll_error *err)
{
    uint64_t cd_off = 0, cd_size = 0, entries = 0;
    int rc = zip_directory(u, &cd_off, &cd_size, &entries);
    if (rc == -2)
        return toll__nomem(err);
    if (rc)
        return toll__seterr(err, TOLL_EPARSE, name, 0, -1, NULL, NULL, 0,
                            "%s", u->msg);
    if (cd_off > u->size || cd_size > u->size - cd_off || cd_size > SIZE_MAX)
        return toll__seterr(err, TOLL_EPARSE, name, 0, -1, NULL, NULL, 0,
                            "damaged ZIP archive (its directory lies "
                            "outside the file)");
    unsigned char *cd = toll__alloc(u->alloc, cd_size ? (size_t)cd_size : 1);
    if (!cd)
        return toll__nomem(err);
    toll_status st = TOLL_OK;
    if (read_at(u, cd_off, cd, (size_t)cd_size)) {
        st = toll__seterr(err, TOLL_EPARSE, name, 0, -1, NULL, NULL, 0, "%s",
                          u->msg);
        goto done;
    }
    char members[160] = "", data[160] = "";
    size_t ndata = 0, pos = 0;
    int xl_types = 0, xl_book = 0;
    uint64_t off = 0, csize = 0, usize = 0;
    uint32_t crc = 0;
    int method = 0, flags = 0;
    const unsigned char *chosen = NULL;
    size_t chosen_len = 0;
    for (uint64_t i = 0; i < entries; i++) {
        if (cd_size - pos < 46 || le32(cd + pos) != 0x02014b50u) {
            st = toll__seterr(err, TOLL_EPARSE, name, 0, -1, NULL, NULL, 0,
                              "damaged ZIP directory (entry %llu)",
                              (unsigned long long)i + 1);
            goto done;
        }
        const unsigned char *e = cd + pos;
        size_t nl = le16(e + 28), xl = le16(e + 30), cl = le16(e + 32);
        if (cd_size - pos < 46 + nl + xl + cl) {
            st = toll__seterr(err, TOLL_EPARSE, name, 0, -1, NULL, NULL, 0,
                              "damaged ZIP directory (entry %llu)",
                              (unsigned long long)i + 1);
            goto done;
        }
        const char *mn = (const char *)e + 46;
        if (nl == 19 && memcmp(mn, "[Content_Types].xml", 19) == 0)
            xl_types = 1;
        if (nl == 15 && memcmp(mn, "xl/workbook.xml", 15) == 0)
            xl_book = 1;
        if (!(nl && mn[nl - 1] == '/'))
            list_name(members, sizeof members, mn, nl);
        if (data_member(mn, nl)) {
            list_name(data, sizeof data, mn, nl);
            if (ndata++ == 0) {
                chosen = e;
                chosen_len = nl;
                flags = le16(e + 8);
                method = le16(e + 10);
                crc = le32(e + 16);
                csize = le32(e + 20);
                usize = le32(e + 24);
                off = le32(e + 42);
                zip64_extra(e + 46 + nl, xl, &usize, &csize, &off);
            }
        }
        pos += 46 + nl + xl + cl;
    }
    if (xl_types && xl_book) {
        st = toll__seterr(err, TOLL_EPARSE, name, 0, -1, NULL, NULL, 0,
                          "this is an Excel workbook (.xlsx), not CSV or "
                          "JSON: save it as CSV, or read it with pandas or "
                          "polars and load the frame");
        goto done;
    }
    if (ndata == 0) {
        st = toll__seterr(err, TOLL_EPARSE, name, 0, -1, NULL, NULL, 0,
                          "the ZIP archive holds no .csv, .json, .jsonl or "
                          ".ndjson file (it holds: %s)",
                          members[0] ? members : "nothing");
        goto done;
    }
    if (ndata > 1) {
        st = toll__seterr(err, TOLL_EPARSE, name, 0, -1, NULL, NULL, 0,
                          "the ZIP archive holds %zu data files (%s); toll "
                          "reads an archive holding one: extract the one "
                          "you need",
                          ndata, data);
        goto done;
    }
    if (toll__grow(u->alloc, (void **)&u->member, &u->member_cap,
                   chosen_len + 1, 1)) {
        st = toll__nomem(err);
        goto done;
    }
    memcpy(u->member, chosen + 46, chosen_len);
    u->member[chosen_len] = '\0';
    if (flags & 1) {
        st = toll__seterr(err, TOLL_EPARSE, name, 0, -1, NULL, u->member,
                          chosen_len, "%s in the ZIP archive is encrypted",
                          u->member);
        goto done;
    }
    if (method != 0 && method != 8) {
        st = toll__seterr(err, TOLL_EPARSE, name, 0, -1, NULL, u->member,
                          chosen_len,
                          "%s in the ZIP archive uses compression method %d "
                          "(toll reads deflated and stored members)",
                          u->member, method);
        goto done;
    }
    unsigned char lh[30];
    if (read_at(u, off, lh, sizeof lh) || le32(lh) != 0x04034b50u) {
        st = toll__seterr(err, TOLL_EPARSE, name, 0, -1, NULL, NULL, 0,
                          "damaged ZIP archive (the header of %s)",
                          u->member);
        goto done;
    }
    uint64_t start = off + 30 + le16(lh + 26) + le16(lh + 28);
    if (start > u->size || csize > u->size - start) {
        st = toll__seterr(err, TOLL_EPARSE, name, 0, -1, NULL, NULL, 0,
                          "truncated ZIP archive (%s)", u->member);
        goto done;
    }
    u->pos = start;
    u->end = start + csize;
    u->usize = usize;
    u->crc_want = crc;
    u->stored = method == 0;
done:
    toll__free(u->alloc, cd, cd_size ? (size_t)cd_size : 1);
    return st;
}

/* ---- opening and reading ------------------------------------------------------------------ */

toll_status toll__unpack_open(toll__input *src, toll__pack kind,
                              const char *name, const char **member,
                              toll_error *err)
{
    const toll_allocator *a = src->alloc;
    *member = NULL;
    toll__unpack *u = toll__alloc(a, sizeof *u);
    if (!u)
        return toll__nomem(err);
    memset(u, 0, sizeof *u);
    u->alloc = a;
    u->kind = kind;
    u->fd = -1;
    u->crc = (uint32_t)crc32(0L, Z_NULL, 0);
    if (src->fp) {
        struct stat sb;
        u->fd = fileno(src->fp);
        if (u->fd < 0 || fstat(u->fd, &sb) || !S_ISREG(sb.st_mode)) {
            toll__free(a, u, sizeof *u);
            return toll__seterr(err, TOLL_EIO, name, 0, -1, NULL, NULL, 0,
                                "compressed input must be a regular file");
        }
        u->size = (uint64_t)sb.st_size;
        if (!(u->in = toll__alloc(a, IN_CAP))) {
            toll__free(a, u, sizeof *u);
            return toll__nomem(err);
        }
    } else {
        u->data = (const unsigned char *)src->data;
        u->size = src->len;
    }
    u->end = u->size;
    src->unpack = u;
    toll_status st = TOLL_OK;
    if (!(u->out = toll__alloc(a, OUT_CAP)))
        st = toll__nomem(err);
    if (!st && kind == TOLL__PACK_ZIP) {
        st = zip_open_member(u, name, err);
        if (!st)
            *member = u->member;
    }
    if (!st && !u->stored) {
        u->z.zalloc = z_alloc;
        u->z.zfree = z_free;
        u->z.opaque = (voidpf)a;
        /* gzip: 16 + 15 (a gzip header); a ZIP member: raw deflate */
        int rc = inflateInit2(&u->z, kind == TOLL__PACK_GZIP ? 16 + 15 : -15);
        if (rc == Z_MEM_ERROR)
            st = toll__nomem(err);
        else if (rc != Z_OK)
            st = toll__seterr(err, TOLL_EIO, name, 0, -1, NULL, NULL, 0,
                              "cannot start zlib: %s",
                              u->z.msg ? u->z.msg : "error");
        else
            u->z_open = 1;
    }
    if (st)
        toll__unpack_close(src);
    return st;
}

void toll__unpack_close(toll__input *src)
{
    toll__unpack *u = src->unpack;
    if (!u)
        return;
    if (u->z_open)
        inflateEnd(&u->z);
    if (u->in)
        toll__free(u->alloc, u->in, IN_CAP);
    if (u->out)
        toll__free(u->alloc, u->out, OUT_CAP);
    if (u->member)
        toll__free(u->alloc, u->member, u->member_cap);
    toll__free(u->alloc, u, sizeof *u);
    src->unpack = NULL;
}

uint64_t toll__unpack_consumed(const toll__input *src)
{
    const toll__unpack *u = src->unpack;
    /* the position in the compressed bytes, less what zlib has yet to
     * take */
    return u->pos - (u->z_open ? u->z.avail_in : 0);
}

uint64_t toll__unpack_size(const toll__input *src)
{
    return src->unpack->size;
}

const char *toll__input_what(const toll__input *src)
{
    return src->unpack && src->unpack->msg[0] ? src->unpack->msg
                                              : "read error";
}

/* Error: TOLL_EIO with u->msg set. */
static toll_status fail(toll__unpack *u, const char *fmt, const char *detail)
{
    snprintf(u->msg, sizeof u->msg, fmt, detail ? detail : "");
    return TOLL_EIO;
}

/* Check a finished ZIP member against its directory entry. */
static toll_status member_end(toll__unpack *u)
{
    if (u->kind != TOLL__PACK_ZIP)
        return TOLL_OK;
    if (u->produced != u->usize)
        return fail(u, "%s in the ZIP archive is damaged (its size differs "
                       "from the directory's)",
                    u->member);
    if (u->crc != u->crc_want)
        return fail(u, "%s in the ZIP archive is damaged (CRC-32 mismatch)",
                    u->member);
    return TOLL_OK;
}

toll_status toll__unpack_read(toll__input *src, const char **p, size_t *n)
{
    toll__unpack *u = src->unpack;
    *p = u->out;
    *n = 0;
    if (u->z_done)
        return TOLL_OK;
    if (u->stored) {
        const unsigned char *q = NULL;
        size_t got;
        uint64_t left = u->end - u->pos;
        size_t want = left < OUT_CAP ? (size_t)left : OUT_CAP;
        uint64_t save = u->end;
        u->end = u->pos + want;
        int rc = next_in(u, &q, &got);
        u->end = save;
        if (rc)
            return TOLL_EIO;
        if (got)
            memcpy(u->out, q, got);
        *n = got;
        u->produced += got;
        u->crc = (uint32_t)crc32(u->crc, (const Bytef *)u->out, (uInt)got);
        if (!got) {
            u->z_done = 1;
            return member_end(u);
        }
        return TOLL_OK;
    }
    u->z.next_out = (Bytef *)u->out;
    u->z.avail_out = (uInt)OUT_CAP;
    while (u->z.avail_out) {
        if (u->z.avail_in == 0) {
            const unsigned char *q = NULL;
            size_t got;
            if (next_in(u, &q, &got))
                return TOLL_EIO;
            if (!got) {
                if (u->z.avail_out < OUT_CAP)
                    break; /* return what there is; the next read fails */
                return fail(u, "truncated %s",
                            u->kind == TOLL__PACK_GZIP ? "gzip data"
                                                       : "ZIP member");
            }
            u->z.next_in = (Bytef *)q;
            u->z.avail_in = (uInt)got;
        }
        int rc = inflate(&u->z, Z_NO_FLUSH);
        if (rc == Z_STREAM_END) {
            if (u->kind == TOLL__PACK_GZIP) {
                /* another gzip member may follow (as gzip -c a b > c) */
                const unsigned char *q = u->z.next_in;
                size_t left = u->z.avail_in;
                if (left == 0 && u->pos < u->end) {
                    if (next_in(u, &q, &left))
                        return TOLL_EIO;
                    u->z.next_in = (Bytef *)q;
                    u->z.avail_in = (uInt)left;
                }
                if (left >= 2 && q[0] == 0x1f && q[1] == 0x8b) {
                    inflateReset(&u->z);
                    continue;
                }
                if (left) {
                    int zeros = 1;
                    for (size_t i = 0; i < left && zeros; i++)
                        zeros = q[i] == 0;
                    if (!zeros || u->pos < u->end)
                        return fail(u, "data after the end of the gzip "
                                       "stream%s",
                                    NULL);
                }
            }
            u->z_done = 1;
            break;
        }
        if (rc == Z_MEM_ERROR)
            return TOLL_ENOMEM;
        if (rc == Z_BUF_ERROR && u->z.avail_in == 0)
            continue; /* needs more input: read it above */
        if (rc != Z_OK)
            return fail(u, "corrupt compressed data: %s",
                        u->z.msg ? u->z.msg : "inflate failed");
    }
    *n = OUT_CAP - u->z.avail_out;
    u->produced += *n;
    if (u->kind == TOLL__PACK_ZIP)
        u->crc = (uint32_t)crc32(u->crc, (const Bytef *)u->out, (uInt)*n);
    if (u->z_done)
        return member_end(u);
    return TOLL_OK;
}
