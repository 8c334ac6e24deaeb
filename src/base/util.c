/*
 * src/base/util.c - allocation, buffers, errors, version and status names.
 */
#define _POSIX_C_SOURCE 200809L /* strerror_r */
#include "base/base.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- status names ------------------------------------------------------ */

const char *toll_strerror(toll_status status)
{
    switch (status) {
#define TOLL__MSG(name, msg) case TOLL_##name: return msg;
        TOLL_STATUS_MAP(TOLL__MSG)
#undef TOLL__MSG
    default:
        return "unknown status";
    }
}

const char *toll_status_name(toll_status status)
{
    switch (status) {
#define TOLL__NAME(name, msg) case TOLL_##name: return "TOLL_" #name;
        TOLL_STATUS_MAP(TOLL__NAME)
#undef TOLL__NAME
    default:
        return "TOLL_UNKNOWN";
    }
}

const char *toll_version(void) { return TOLL_VERSION_STRING; }

/* ---- allocation ---------------------------------------------------------- */

static void *std_malloc(void *ctx, size_t size)
{
    (void)ctx;
    return malloc(size ? size : 1);
}

static void *std_realloc(void *ctx, void *p, size_t old_size, size_t size)
{
    (void)ctx;
    (void)old_size;
    return realloc(p, size ? size : 1);
}

static void std_free(void *ctx, void *p, size_t size)
{
    (void)ctx;
    (void)size;
    free(p);
}

static const toll_allocator default_allocator = {std_malloc, std_realloc,
                                                 std_free, NULL};

const toll_allocator *toll_default_allocator(void) { return &default_allocator; }

void toll__alloc_init(toll_allocator *dst, const toll_allocator *a)
{
    *dst = (a && a->malloc && a->realloc && a->free) ? *a : default_allocator;
}

void *toll__alloc(const toll_allocator *a, size_t size)
{
    return a->malloc(a->ctx, size);
}

void *toll__calloc(const toll_allocator *a, size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return NULL;
    /* The default allocator's calloc: a large block is a fresh mapping the
     * kernel has zeroed, which calloc does not write again, so pages never
     * used are never touched (a first touch costs 0.5-2 GB/s here:
     * `toll_phases pages`, bench/RESULTS.md). */
    if (a->malloc == std_malloc)
        return calloc(n ? n : 1, size ? size : 1);
    void *p = a->malloc(a->ctx, n * size);
    if (p)
        memset(p, 0, n * size);
    return p;
}

void *toll__realloc(const toll_allocator *a, void *p, size_t old_size,
                    size_t new_size)
{
    if (!p)
        return a->malloc(a->ctx, new_size);
    return a->realloc(a->ctx, p, old_size, new_size);
}

void toll__free(const toll_allocator *a, void *p, size_t size)
{
    if (p)
        a->free(a->ctx, p, size);
}

char *toll__strndup(const toll_allocator *a, const char *s, size_t len)
{
    if (len == SIZE_MAX)
        return NULL;
    char *d = toll__alloc(a, len + 1);
    if (!d)
        return NULL;
    if (len)
        memcpy(d, s, len);
    d[len] = '\0';
    return d;
}

toll_status toll__grow(const toll_allocator *a, void **data, size_t *cap,
                       size_t need, size_t elem)
{
    if (need <= *cap)
        return TOLL_OK;
    size_t ncap = *cap ? *cap : 16;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2)
            return TOLL_ENOMEM;
        ncap *= 2;
    }
    if (ncap > SIZE_MAX / elem)
        return TOLL_ENOMEM;
    void *p = toll__realloc(a, *data, *cap * elem, ncap * elem);
    if (!p)
        return TOLL_ENOMEM;
    *data = p;
    *cap = ncap;
    return TOLL_OK;
}

/* ---- byte buffer --------------------------------------------------------- */

void toll__buf_init(toll__buf *b, const toll_allocator *a)
{
    b->data = NULL;
    b->len = b->cap = 0;
    b->alloc = a;
}

toll_status toll__buf_append(toll__buf *b, const char *s, size_t len)
{
    if (len > SIZE_MAX - b->len - 1)
        return TOLL_ENOMEM;
    toll_status st = toll__grow(b->alloc, (void **)&b->data, &b->cap,
                                b->len + len + 1, 1);
    if (st)
        return st;
    if (len)
        memcpy(b->data + b->len, s, len);
    b->len += len;
    b->data[b->len] = '\0';
    return TOLL_OK;
}

toll_status toll__buf_putc(toll__buf *b, char c)
{
    return toll__buf_append(b, &c, 1);
}

toll_status toll__buf_appendf(toll__buf *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return TOLL_EINVAL;
    if ((size_t)n < sizeof small)
        return toll__buf_append(b, small, (size_t)n);
    toll_status st = toll__grow(b->alloc, (void **)&b->data, &b->cap,
                                b->len + (size_t)n + 1, 1);
    if (st)
        return st;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return TOLL_OK;
}

void toll__buf_free(toll__buf *b)
{
    toll__free(b->alloc, b->data, b->cap);
    b->data = NULL;
    b->len = b->cap = 0;
}

/* ---- errors -------------------------------------------------------------- */

void toll_error_clear(toll_error *err)
{
    if (!err)
        return;
    memset(err, 0, sizeof *err);
    err->code = TOLL_OK;
    err->record = -1;
}

static void copy_trunc(char *dst, size_t size, const char *src, size_t len)
{
    if (!src) {
        dst[0] = '\0';
        return;
    }
    if (len >= size)
        len = size - 1;
    memcpy(dst, src, len);
    dst[len] = '\0';
}

/* Build "FILE:LINE: field 'F': " (or the parts that apply) into buf. */
static size_t format_prefix(char *buf, size_t size, const toll_error *e)
{
    size_t n = 0;
    int w;
#define TOLL__PUT(...)                                                      \
    do {                                                                    \
        w = snprintf(buf + n, size - n, __VA_ARGS__);                       \
        if (w > 0)                                                          \
            n = (size_t)w >= size - n ? size - 1 : n + (size_t)w;           \
    } while (0)
    if (e->file[0]) {
        if (e->line > 0)
            TOLL__PUT("%s:%ld: ", e->file, e->line);
        else if (e->record >= 0)
            TOLL__PUT("%s: record %ld: ", e->file, e->record + 1);
        else
            TOLL__PUT("%s: ", e->file);
    } else if (e->line > 0) {
        TOLL__PUT("line %ld: ", e->line);
    } else if (e->record >= 0) {
        TOLL__PUT("record %ld: ", e->record + 1);
    }
    if (e->field[0])
        TOLL__PUT("field '%s': ", e->field);
#undef TOLL__PUT
    return n;
}

static toll_status vseterr(toll_error *err, toll_status code,
                           const char *file, long line, long record,
                           const char *field, const char *text,
                           size_t text_len, const char *fmt, va_list ap)
{
    if (!err)
        return code;
    err->code = code;
    copy_trunc(err->file, sizeof err->file, file, file ? strlen(file) : 0);
    err->line = line;
    err->record = record;
    copy_trunc(err->field, sizeof err->field, field, field ? strlen(field) : 0);
    copy_trunc(err->text, sizeof err->text, text, text ? text_len : 0);
    size_t n = format_prefix(err->message, sizeof err->message, err);
    vsnprintf(err->message + n, sizeof err->message - n, fmt, ap);
    return code;
}

toll_status toll__seterr(toll_error *err, toll_status code, const char *file,
                         long line, long record, const char *field,
                         const char *text, size_t text_len, const char *fmt,
                         ...)
{
    va_list ap;
    va_start(ap, fmt);
    vseterr(err, code, file, line, record, field, text, text_len, fmt, ap);
    va_end(ap);
    return code;
}

toll_status toll__err(toll_error *err, toll_status code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vseterr(err, code, NULL, 0, -1, NULL, NULL, 0, fmt, ap);
    va_end(ap);
    return code;
}

toll_status toll__nomem(toll_error *err)
{
    return toll__err(err, TOLL_ENOMEM, "out of memory");
}

void toll__err_locate(toll_error *err, const char *file, long line,
                      long record, const char *field)
{
    if (!err)
        return;
    /* Strip the old prefix: the tail is what follows the old prefix. */
    char old_prefix[sizeof err->message];
    size_t plen = format_prefix(old_prefix, sizeof old_prefix, err);
    char tail[sizeof err->message];
    if (strncmp(err->message, old_prefix, plen) == 0)
        copy_trunc(tail, sizeof tail, err->message + plen,
                   strlen(err->message + plen));
    else
        copy_trunc(tail, sizeof tail, err->message, strlen(err->message));
    if (file)
        copy_trunc(err->file, sizeof err->file, file, strlen(file));
    if (line > 0)
        err->line = line;
    if (record >= 0)
        err->record = record;
    if (field)
        copy_trunc(err->field, sizeof err->field, field, strlen(field));
    size_t n = format_prefix(err->message, sizeof err->message, err);
    copy_trunc(err->message + n, sizeof err->message - n, tail, strlen(tail));
}

/* ---- helpers --------------------------------------------------------------- */

int toll__strncaseeq(const char *s, size_t n, const char *word)
{
    size_t i = 0;
    for (; i < n && word[i]; i++) {
        unsigned char a = (unsigned char)s[i], b = (unsigned char)word[i];
        if (a >= 'A' && a <= 'Z')
            a = (unsigned char)(a - 'A' + 'a');
        if (b >= 'A' && b <= 'Z')
            b = (unsigned char)(b - 'A' + 'a');
        if (a != b)
            return 0;
    }
    return i == n && word[i] == '\0';
}

toll_status toll__buf_read_file(toll__buf *b, const char *path,
                                toll_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        int e = errno;
        char msg[128];
        if (strerror_r(e, msg, sizeof msg))
            snprintf(msg, sizeof msg, "error %d", e);
        return toll__seterr(err, e == ENOENT ? TOLL_ENOTFOUND : TOLL_EIO,
                            path, 0, -1, NULL, NULL, 0, "cannot open: %s",
                            msg);
    }
    toll_status st = TOLL_OK;
    char chunk[8192];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
        if (toll__buf_append(b, chunk, got) != TOLL_OK) {
            st = toll__nomem(err);
            break;
        }
    if (st == TOLL_OK && ferror(f))
        st = toll__seterr(err, TOLL_EIO, path, 0, -1, NULL, NULL, 0,
                          "read error");
    fclose(f);
    return st;
}
