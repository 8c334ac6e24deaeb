/*
 * src/io/split.c - split loads: a CSV or JSON Lines input cut in two
 * at a record boundary, the first part loaded by the calling thread into
 * the store itself, the second by a second thread into a store of its own
 * (private string and actor-set pools, memo, scratch), then merged after
 * the first (src/store/merge.c) so that the store ends exactly as after a
 * one-thread load.
 *
 *   - Where: JSON Lines at any LF after the middle (a JSON string holds no
 *     raw line end).  CSV at the first LF after the middle with an even
 *     count of quote characters before it (csv_split; when the first MiB
 *     after the header holds a quote): a guess only when a quote is data
 *     inside an unquoted cell, or when the quotes start later.  The first part's tokenizer
 *     must end outside quotes at the split, else the second part is thrown
 *     away and the whole input is loaded again on one thread.  The CSV header is
 *     read by both threads: the second one is handed the header's bytes
 *     before its part.
 *   - Line numbers: the second thread first counts the line ends of the
 *     first part (CR, LF and CRLF each end one, as the readers count) and
 *     starts its reader on the right line, so messages need no rewriting.
 *     Record numbers (the first part's records are only known once it has
 *     been read) are moved on at the merge: rejects, a strict error and
 *     repair texts.
 *   - Errors: the first part's error wins (it comes first in the file);
 *     the second's is reported only when the first part loaded cleanly.
 *     The caller rolls the store back on any failure.
 * Why not a reader thread feeding one ingest thread: measured slower
 * (bench/profile.md).
 */
#define _POSIX_C_SOURCE 200809L
#include "io/split.h"

#include "io/csv/csvscan.h"

#include <pthread.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* Inputs of at least PAR_AUTO_MIN bytes are split with threads = 0 (auto):
 * below it the second thread's set-up and the merge cost more than they
 * save.  With threads >= 2, PAR_FORCED_MIN. */
#define PAR_AUTO_MIN ((size_t)4 << 20)
#define PAR_FORCED_MIN ((size_t)64 << 10)
/* The CSV header must end within the first HDR_MAX bytes. */
#define HDR_MAX ((size_t)1 << 20)
/* How far past the middle a line end is looked for. */
#define SEEK_MAX ((size_t)16 << 20)
/* The first part's share of the input, in 1/1024: the second thread also
 * counts the first part's lines and starts with cold pools (measured
 * thread CPU times at 10^6 and 10^7 reports, bench/out). */
#define FIRST_SHARE_CSV 532u
#define FIRST_SHARE_JSONL 516u

/* The merge copies the columns on two threads from this many reports. */
#define MERGE_PAR_MIN 65536u

/* Test hooks: written by tests before loads, read during them. */
static size_t hook_auto_min = PAR_AUTO_MIN, hook_forced_min = PAR_FORCED_MIN;
static size_t hook_split_at;
static int hook_last;

void toll__par_set_limits(size_t auto_min, size_t forced_min)
{
    __atomic_store_n(&hook_auto_min,
                     auto_min == (size_t)-1 ? PAR_AUTO_MIN : auto_min,
                     __ATOMIC_RELAXED);
    __atomic_store_n(&hook_forced_min,
                     forced_min == (size_t)-1 ? PAR_FORCED_MIN : forced_min,
                     __ATOMIC_RELAXED);
}

void toll__par_set_split(size_t at)
{
    __atomic_store_n(&hook_split_at, at, __ATOMIC_RELAXED);
}

int toll__par_last(void) { return __atomic_load_n(&hook_last, __ATOMIC_RELAXED); }

static void set_last(int v) { __atomic_store_n(&hook_last, v, __ATOMIC_RELAXED); }

/* ---- counting line ends ------------------------------------------------------- */

/* Occurrences of byte c in p[0..n). */
static size_t count_byte(const unsigned char *p, size_t n, unsigned char c)
{
    size_t total = 0, i = 0;
#if defined(__SSE2__)
    const __m128i needle = _mm_set1_epi8((char)c);
    const __m128i zero = _mm_setzero_si128();
    while (i + 16 <= n) {
        __m128i acc = zero;
        size_t stop = n - i >= 255 * 16 ? i + 255 * 16 : i + (n - i) / 16 * 16;
        for (; i < stop; i += 16) {
            __m128i v = _mm_loadu_si128((const __m128i *)(p + i));
            acc = _mm_sub_epi8(acc, _mm_cmpeq_epi8(v, needle));
        }
        __m128i s = _mm_sad_epu8(acc, zero);
        total += (size_t)_mm_cvtsi128_si32(s) +
                 (size_t)_mm_cvtsi128_si32(_mm_srli_si128(s, 8));
    }
#endif
    for (; i < n; i++)
        total += p[i] == c;
    return total;
}

/* Line ends as the readers count them: each CR, and each LF not right
 * after a CR.  *prev_cr carries the last byte across calls. */
static size_t count_lines(const char *s, size_t n, int *prev_cr)
{
    if (!n)
        return 0;
    const unsigned char *p = (const unsigned char *)s;
    size_t lf = count_byte(p, n, '\n');
    if (!memchr(p, '\r', n)) {
        *prev_cr = 0;
        return lf;
    }
    size_t lines = 0;
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '\r')
            lines++;
        else if (p[i] == '\n' && !(i ? p[i - 1] == '\r' : *prev_cr))
            lines++;
    }
    *prev_cr = p[n - 1] == '\r';
    return lines;
}

/* ---- the second part ---------------------------------------------------------- */

typedef struct part2 {
    toll_reports *store;   /* private store */
    toll__ingest in;
    toll__input src;
    toll_error err;
    toll_format fmt;
    toll_status st;
    /* lines of the input before the part: count [count_from, split) */
    const char *buf;       /* buffer mode: the whole input */
    FILE *fp;              /* file mode: own handle */
    size_t count_from, split;
    long base_line;        /* line of the first byte counted */
    int cancel;            /* set by the first thread when it failed */
} part2;

static void *part2_run(void *arg)
{
    part2 *t = arg;
    int prev_cr = 0;
    size_t lines = 0;
    if (t->fp) {
        /* read the first part (page-cached by now or soon) to count */
        if (fseek(t->fp, (long)t->count_from, SEEK_SET)) {
            t->st = toll__seterr(&t->err, TOLL_EIO, t->in.name, 0, -1, NULL,
                                 NULL, 0, "read error");
            return NULL;
        }
        size_t left = t->split - t->count_from;
        while (left) {
            if (__atomic_load_n(&t->cancel, __ATOMIC_RELAXED)) {
                t->st = TOLL_EIO; /* thrown away */
                return NULL;
            }
            size_t want = left < t->src.chunk_cap ? left : t->src.chunk_cap;
            size_t got = fread(t->src.chunk, 1, want, t->fp);
            if (got == 0) {
                t->st = toll__seterr(&t->err, TOLL_EIO, t->in.name, 0, -1,
                                     NULL, NULL, 0, "read error");
                return NULL;
            }
            lines += count_lines(t->src.chunk, got, &prev_cr);
            left -= got;
        }
    } else {
        lines = count_lines(t->buf + t->count_from, t->split - t->count_from,
                            &prev_cr);
    }
    t->in.start_line = t->base_line + (long)lines;
    t->st = t->fmt == TOLL_FORMAT_CSV ? toll__load_csv(&t->in, &t->src)
                                      : toll__load_jsonl(&t->in, &t->src);
    return NULL;
}

/* A fresh ingest like `tmpl` (the options of the load) on store r. */
static void ingest_like(toll__ingest *dst, const toll__ingest *tmpl,
                        toll_reports *r, toll_error *err)
{
    memset(dst, 0, sizeof *dst);
    dst->r = r;
    dst->opts = tmpl->opts;
    dst->preset = tmpl->preset;
    dst->key_prefix = tmpl->key_prefix;
    dst->name = tmpl->name;
    dst->err = err;
    dst->record = -1;
    dst->repair = tmpl->repair;
    dst->date_format = tmpl->date_format;
    dst->date_window = tmpl->date_window;
    dst->num_fast = tmpl->num_fast;
    toll_error_clear(&dst->rec);
    toll__buf_init(&dst->text, &r->alloc);
    toll__buf_init(&dst->bkeys, &r->alloc);
}

/* ---- finding the split ------------------------------------------------------------ */

/* The input's bytes, from a buffer or a file (pread: the FILE's own
 * position is set again before each part is read). */
typedef struct rawin {
    const char *buf;
    int fd;
    size_t size;
} rawin;

/* Up to n bytes at offset off into dst (file) or *out (buffer): the count. */
static size_t raw_read(const rawin *in, size_t off, size_t n, char *dst,
                       const char **out)
{
    if (off >= in->size)
        return 0;
    if (n > in->size - off)
        n = in->size - off;
    if (in->buf) {
        *out = in->buf + off;
        return n;
    }
    size_t got = 0;
    while (got < n) {
        ssize_t k = pread(in->fd, dst + got, n - got, (off_t)(off + got));
        if (k <= 0)
            break;
        got += (size_t)k;
    }
    *out = dst;
    return got;
}

/* The first LF or CR in p[0..n) (n when none); memchr: a long line is
 * passed over at memory speed. */
static size_t plain_end(const char *p, size_t n)
{
    const char *lf = memchr(p, '\n', n);
    const char *c = memchr(p, '\r', lf ? (size_t)(lf - p) : n);
    return c ? (size_t)(c - p) : lf ? (size_t)(lf - p) : n;
}

/* The first LF or CR in p[0..n) outside quotes, *odd telling whether the
 * bytes before p left a quote open (n when none; *odd then updated). */
static size_t quoted_end(const char *p, size_t n, int *odd)
{
    for (size_t i = 0; i < n; i++) {
        if (p[i] == '"')
            *odd ^= 1;
        else if (!*odd && (p[i] == '\n' || p[i] == '\r'))
            return i;
    }
    return n;
}

/* The offset just after the first line end (LF, CR or CRLF) at or after
 * `from`; with `quotes`, the first one outside quotes, `odd` telling
 * whether a quote is open at `from`.  0 when there is none within
 * SEEK_MAX. */
static size_t line_end(const rawin *in, size_t from, int quotes, int odd,
                       char *tmp, size_t tmp_cap)
{
    size_t off = from, limit = from + SEEK_MAX;
    int cr = 0; /* the window before ended with the line end's CR */
    while (off < in->size && off < limit) {
        const char *p;
        size_t n = raw_read(in, off, in->buf ? SEEK_MAX : tmp_cap, tmp, &p);
        if (!n)
            return 0;
        if (cr)
            return off + (p[0] == '\n'); /* after CR or CRLF */
        size_t i = quotes ? quoted_end(p, n, &odd) : plain_end(p, n);
        if (i < n) {
            if (p[i] == '\n')
                return off + i + 1;
            if (i + 1 < n)
                return off + i + 1 + (p[i + 1] == '\n');
            cr = 1; /* the window ends with the CR */
        }
        off += n;
    }
    return 0;
}

static size_t next_lf(const rawin *in, size_t from, char *tmp, size_t tmp_cap)
{
    return line_end(in, from, 0, 0, tmp, tmp_cap);
}

/* Quote characters in [from, to) of the input, read through tmp. */
static size_t count_quotes(const rawin *in, size_t from, size_t to, char *tmp,
                           size_t tmp_cap)
{
    size_t total = 0;
    while (from < to) {
        const char *p;
        size_t n = raw_read(in, from, in->buf ? to - from : tmp_cap, tmp, &p);
        if (!n)
            break;
        if (n > to - from)
            n = to - from;
        total += count_byte((const unsigned char *)p, n, '"');
        from += n;
    }
    return total;
}

/*
 * The CSV split: the first line end at or after `at` with an even number
 * of quote characters between the header's end and it.  In well-formed
 * CSV every quote opens or closes a quoted cell or is one of a doubled
 * pair, so an even count means the line end is outside quotes: a line end
 * inside a quoted cell (GED's source texts hold many) is passed over
 * instead of costing a load on one thread.  A quote inside an unquoted
 * cell (data) breaks the rule; the first part's check at the split still
 * catches that.  One pass: quotes counted up to `at`, then the bytes from
 * `at` walked to that line end.  0 when there is none within SEEK_MAX.
 */
static size_t csv_split(const rawin *in, size_t hdr_end, size_t at, char *tmp,
                        size_t tmp_cap)
{
    int odd = (int)(count_quotes(in, hdr_end, at, tmp, tmp_cap) & 1);
    return line_end(in, at, 1, odd, tmp, tmp_cap);
}

static toll_status header_seen(void *ctx, const toll__csvscan *sc)
{
    *(size_t *)ctx = sc->row_end;
    return TOLL_ERANGE; /* stop: the header is all we want */
}

/*
 * The CSV header row in p[0..n): *end receives the offset after it (after
 * its line end), 0 when it does not end within p.  Read by the tokenizer
 * itself, so that quotes and blank lines count as they do in the load, in
 * one pass over p (a header that does not end in p is read once, not once
 * per byte).
 */
static toll_status header_end(const toll_allocator *a, const char *p, size_t n,
                              char delim, size_t *end)
{
    toll__csvscan sc;
    toll__csv_init(&sc, a, delim);
    size_t e = 0;
    toll_status st = toll__csv_feed(&sc, p, n, header_seen, &e);
    *end = 0;
    if (e) {
        st = TOLL_OK;
        if (p[e - 1] == '\r' && e < n && p[e] == '\n')
            e++;
        else if (p[e - 1] == '\r' && e == n)
            e = 0; /* cannot tell whether an LF follows */
        *end = e;
    }
    toll__csv_free(&sc);
    return st == TOLL_ENOMEM ? TOLL_ENOMEM : TOLL_OK;
}

/* ---- the split load ---------------------------------------------------------------- */

static int default_alloc(const toll_allocator *a)
{
    const toll_allocator *d = toll_default_allocator();
    return a->malloc == d->malloc && a->realloc == d->realloc &&
           a->free == d->free;
}

/* Move a record number on by `off` and rebuild the message's prefix when
 * it shows the record. */
static void shift_record(toll_error *e, long off)
{
    if (e->record < 0 || !off)
        return;
    if (e->line > 0)
        e->record += off;
    else
        toll__err_locate(e, NULL, 0, e->record + off, NULL);
}

int toll__load_split(toll__ingest *in, toll__input *src, toll_format fmt,
                     const char *path, const toll__mark *mark,
                     toll_status *pst)
{
    const toll_load_options *opts = in->opts;
    toll_reports *r = in->r;
    const toll_allocator *a = &r->alloc;
    size_t threads = opts->threads;
    set_last(0);
    if (threads == 1)
        return 0;
    if (threads == 0 && !default_alloc(a))
        return 0;
    if ((src->fp && !path) || src->unpack)
        return 0; /* compressed input is read in one stream */

    rawin raw;
    memset(&raw, 0, sizeof raw);
    if (src->fp) {
        struct stat sb;
        raw.fd = fileno(src->fp);
        if (raw.fd < 0 || fstat(raw.fd, &sb) || !S_ISREG(sb.st_mode) ||
            sb.st_size <= 0)
            return 0;
        raw.size = (size_t)sb.st_size;
    } else {
        raw.buf = src->data;
        raw.size = src->len;
        raw.fd = -1;
    }
    size_t min = threads == 0
                     ? __atomic_load_n(&hook_auto_min, __ATOMIC_RELAXED)
                     : __atomic_load_n(&hook_forced_min, __ATOMIC_RELAXED);
    if (raw.size < min || raw.size < 2)
        return 0;

    int done = 0;
    toll_status st = TOLL_OK;
    char *tmp = NULL;      /* file mode: the first bytes (the header) */
    size_t tmp_cap = 0;
    char *win = NULL;      /* file mode: a window to look for a line end */
    size_t win_cap = 0;
    part2 *t = NULL;
    int started = 0;
    toll_error e1;
    toll_error *caller_err = in->err;
    toll_error_clear(&e1);

    if (src->fp) {
        tmp_cap = HDR_MAX < raw.size ? HDR_MAX : raw.size;
        win_cap = (size_t)64 << 10;
        if (!(tmp = toll__alloc(a, tmp_cap)) || !(win = toll__alloc(a, win_cap)))
            goto decline;
    }

    /* the byte-order mark, skipped by the driver (UTF-8 only) */
    const char *head;
    size_t nhead = raw_read(&raw, 0, HDR_MAX, tmp, &head);
    size_t bom = src->encoding == TOLL__ENC_UTF8 && nhead >= 3 &&
                         memcmp(head, "\xEF\xBB\xBF", 3) == 0
                     ? 3
                     : 0;
    size_t hdr_end = bom;
    char delim = opts->csv_delimiter ? opts->csv_delimiter : ',';
    if (fmt == TOLL_FORMAT_CSV) {
        if (header_end(a, head + bom, nhead - bom, delim, &hdr_end))
            goto decline;
        if (!hdr_end)
            goto decline;
        hdr_end += bom;
        /* handed to the second part as they are: no transcoding then */
        if (src->encoding != TOLL__ENC_UTF8)
            for (size_t i = bom; i < hdr_end; i++)
                if ((unsigned char)head[i] >= 0x80)
                    goto decline;
    }
    size_t at = __atomic_load_n(&hook_split_at, __ATOMIC_RELAXED);
    if (!at)
        at = bom + (size_t)((double)(raw.size - bom) *
                            (fmt == TOLL_FORMAT_CSV ? FIRST_SHARE_CSV
                                                    : FIRST_SHARE_JSONL) /
                            1024.0);
    if (at < hdr_end)
        at = hdr_end;
    /* the quote count only when the first bytes after the header hold a
     * quote (files without quotes, as the bench's, skip its pass; one
     * whose quotes start later is cut by the guess and its check) */
    int quotes = fmt == TOLL_FORMAT_CSV && nhead > hdr_end &&
                 memchr(head + hdr_end, '"', nhead - hdr_end);
    size_t split = quotes ? csv_split(&raw, hdr_end, at, win, win_cap)
                          : next_lf(&raw, at, win, win_cap);
    if (split == 0 || split >= raw.size || split <= hdr_end)
        goto decline;

    /* the second part: its store, ingest and input */
    if (!(t = toll__calloc(a, 1, sizeof *t)))
        goto decline;
    if (toll_reports_new(a, &t->store, NULL))
        goto decline;
    ingest_like(&t->in, in, t->store, &t->err);
    t->fmt = fmt;
    t->buf = raw.buf;
    t->split = split;
    t->count_from = fmt == TOLL_FORMAT_CSV ? hdr_end : bom;
    t->base_line = 1;
    t->src.alloc = &t->store->alloc;
    t->src.encoding = src->encoding;
    t->src.cancel = &t->cancel;
    t->src.progress = src->progress; /* counted, shown by this thread */
    if (fmt == TOLL_FORMAT_CSV) {
        /* the header's bytes first (from the file: kept in tmp) */
        t->src.peek = head + bom;
        t->src.peek_len = hdr_end - bom;
    }
    if (src->fp) {
        t->src.chunk_cap = TOLL__CHUNK;
        if (!(t->src.chunk = toll__alloc(a, t->src.chunk_cap)))
            goto decline;
        if (!(t->fp = fopen(path, "rb")))
            goto decline;
        t->src.fp = t->fp;
    } else {
        t->src.data = raw.buf + split;
        t->src.len = raw.size - split;
    }
    if (toll__strpool_intern(&t->store->strings, in->name, strlen(in->name),
                             &t->in.file_id))
        goto decline;

    /* the first part: this thread, into the store itself; the bytes the
     * driver peeked are read again */
    if (src->progress)
        toll__progress_rewind(src->progress, bom);
    if (src->fp) {
        if (fseek(src->fp, (long)bom, SEEK_SET))
            goto restore;
        src->peek = NULL;
        src->peek_len = 0;
        src->limited = 1;
        src->remain = split - bom;
    } else {
        src->peek = NULL;
        src->peek_len = 0;
        src->data = raw.buf + bom;
        src->len = split - bom;
        src->done = 0;
    }

    /* Room for the reports ahead, from the line ends of the first bytes
     * (a hint: the merge then appends without moving the columns; pages
     * never written are never touched) */
    {
        size_t nl = count_byte((const unsigned char *)head, nhead, '\n');
        if (nl >= 4) {
            double per = (double)nl / (double)nhead;
            size_t all = (size_t)((double)raw.size * per * 1.03) + 64;
            size_t two = (size_t)((double)(raw.size - split) * per * 1.03) + 64;
            (void)toll__reports_reserve(r, r->n + all, r->nq + all, r->nx);
            (void)toll__reports_reserve(t->store, two, two, 0);
        }
    }

    pthread_t tid;
    if (pthread_create(&tid, NULL, part2_run, t))
        goto restore; /* no thread: one thread it is */
    started = 1;
    done = 1;
    in->err = &e1;
    st = fmt == TOLL_FORMAT_CSV ? toll__load_csv(in, src)
                                : toll__load_jsonl(in, src);
    in->err = caller_err;
    if (st)
        __atomic_store_n(&t->cancel, 1, __ATOMIC_RELAXED);
    pthread_join(tid, NULL);

    int again = 0;
    if (st && fmt == TOLL_FORMAT_CSV && in->csv_open_quote) {
        again = 1; /* the split was inside a quoted cell */
    } else if (st) {
        if (caller_err)
            *caller_err = e1;
    } else if (t->st) {
        st = t->st;
        if (caller_err) {
            *caller_err = t->err;
            shift_record(caller_err, in->record + 1);
        }
    } else {
        int conflict = 0;
        /* the columns on two threads from MERGE_PAR_MIN reports (tests:
         * always, with the small limits) */
        int two = t->store->n >= MERGE_PAR_MIN ||
                  __atomic_load_n(&hook_forced_min, __ATOMIC_RELAXED) == 0;
        st = toll__reports_merge(r, t->store, in->record + 1, two, &conflict);
        if (st == TOLL_ERANGE)
            st = toll__err(caller_err, TOLL_ERANGE,
                           "%s: too many distinct strings or reports",
                           in->name);
        else if (st)
            st = toll__nomem(caller_err);
        else if (conflict)
            again = 1;
        else
            in->n_loaded += t->in.n_loaded;
    }
    if (!again) {
        set_last(1);
        goto cleanup;
    }
    /* Load again on one thread, from the start. */
    set_last(2);
    toll__reports_rollback(r, mark);
    toll__reports_clear_rejects(r);
    {
        toll__ingest keep = *in;
        toll__ingest_free(in);
        ingest_like(in, &keep, r, caller_err);
        if (toll__strpool_intern(&r->strings, in->name, strlen(in->name),
                                 &in->file_id)) {
            st = toll__nomem(caller_err);
            goto cleanup;
        }
    }
    done = 0;
    st = TOLL_OK;

restore:
    /* the input from its start (after the mark), as the driver peeked it */
    if (src->progress)
        toll__progress_rewind(src->progress, bom);
    if (src->fp) {
        src->limited = 0;
        src->remain = 0;
        src->peek = NULL;
        src->peek_len = 0;
        if (fseek(src->fp, (long)bom, SEEK_SET)) {
            done = 1;
            st = toll__seterr(caller_err, TOLL_EIO, in->name, 0, -1, NULL,
                              NULL, 0, "read error");
            goto cleanup;
        }
    } else {
        src->peek = NULL;
        src->peek_len = 0;
        src->data = raw.buf + bom;
        src->len = raw.size - bom;
        src->done = 0;
    }
    if (!started)
        goto decline;
    goto cleanup;

decline:
    set_last(0);
    done = 0;
cleanup:
    if (t) {
        if (t->in.r)
            toll__ingest_free(&t->in);
        if (t->fp)
            fclose(t->fp);
        toll__free(a, t->src.chunk, t->src.chunk_cap);
        toll__free(a, t->src.xbuf, t->src.xcap);
        toll_reports_free(t->store);
        toll__free(a, t, sizeof *t);
    }
    toll__free(a, tmp, tmp_cap);
    toll__free(a, win, win_cap);
    if (done)
        *pst = st;
    return done;
}
