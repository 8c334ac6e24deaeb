/*
 * src/io/csv/reader.c - CSV with a header row, through the tokenizer of
 * src/io/csv/csvscan.c (which reads what libcsv reads, and tells the line where
 * each row starts).  Cells of a row made of unquoted cells are read in
 * place from the input chunk; there is no allocation per row or field.
 *
 * The tokenizer hands each row to the ingest after reading a few rows
 * ahead, to prefetch the incident key's slot in the string pool (a cache
 * miss on large loads); the row brings the key's hash along.
 *
 * (A reader thread that tokenized into batches for the ingest thread was
 * tried and measured slower on two cores: the ingest thread then reads
 * every row from the other core's cache; see bench/profile.md.)
 */
#include "io/io.h"

#include "io/csv/csvscan.h"
#include "io/csv/plan.h"
#include "base/strhash.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* One row as the ingest reads it. */
typedef struct rowview {
    const char *base;            /* cells are base + off */
    const toll__csvcell *cells;
    size_t ncells;
    long line;
    int hashed;                  /* key_hash: the hash of the key cell */
    uint32_t key_hash;
} rowview;

typedef struct cscan {
    toll__ingest *in;
    toll__buf hdr;     /* header names, each followed by NUL */
    size_t nhdr;
    int have_header;
    long key_col;      /* the column of the incident key, or -1 */
    toll__plan plan;   /* the header's plan (src/io/csv/plan.h) */
} cscan;

static const char *cell_text(const rowview *v, size_t j)
{
    return v->base + v->cells[j].off;
}

/* 1 when s[0..n) is ASCII without a NUL byte (so valid UTF-8, no NUL). */
static inline int plain_ascii(const char *s, size_t n)
{
    size_t i = 0;
#if defined(__SSE2__)
    const __m128i zero = _mm_setzero_si128();
    if (n >= 16) {
        /* 16 bytes at a time, the last block overlapping the one before */
        for (;; i += 16) {
            if (i + 16 > n)
                i = n - 16;
            __m128i x =
                _mm_loadu_si128((const __m128i *)(const void *)(s + i));
            if (_mm_movemask_epi8(_mm_or_si128(x, _mm_cmpeq_epi8(x, zero))))
                return 0;
            if (i + 16 == n)
                return 1;
        }
    }
#endif
    for (; i < n; i++)
        if ((unsigned)(unsigned char)s[i] - 1u >= 0x7Fu)
            return 0;
    return 1;
}

/* The hash of the row's incident key (0: none), with its slot in the
 * string pool's table prefetched. */
static uint32_t key_prefetch(const cscan *c, const char *base,
                             const toll__csvcell *cells, size_t ncells)
{
    if (c->key_col < 0 || (size_t)c->key_col >= ncells)
        return 0;
    const char *s = base + cells[c->key_col].off;
    size_t len = cells[c->key_col].len;
    toll__trim_space(&s, &len);
    if (!len)
        return 0;
    uint32_t h = toll__hash_bytes(s, len);
    toll__strpool_prefetch(&c->in->r->strings, h);
    return h;
}

/* The tokenizer's read-ahead hook (one thread). */
static uint32_t key_ahead(void *ctx, const toll__csvscan *sc)
{
    return key_prefetch(ctx, sc->row_base, sc->cells, sc->ncells);
}

/* The header row: names, duplicates, binding. */
static toll_status header(cscan *c, const rowview *v)
{
    toll__ingest *in = c->in;
    size_t n = v->ncells;
    /* Keep the names (NUL-terminated): the row's bytes are not kept. */
    size_t *off = toll__alloc(&in->r->alloc, (n ? n : 1) * sizeof *off);
    if (!off)
        return toll__nomem(in->err);
    toll_status st = TOLL_OK;
    for (size_t j = 0; j < n && !st; j++) {
        off[j] = c->hdr.len;
        if (toll__buf_append(&c->hdr, cell_text(v, j), v->cells[j].len) ||
            toll__buf_putc(&c->hdr, '\0'))
            st = toll__nomem(in->err);
    }
    if (!st && TOLL__GROW(in, in->m, in->m_cap, n ? n : 1))
        st = toll__nomem(in->err);
    if (st)
        goto cleanup;
    c->nhdr = n;
    c->have_header = 1;
    for (size_t j = 0; j < n; j++) {
        toll__member *mb = &in->m[j];
        memset(mb, 0, sizeof *mb);
        mb->key = c->hdr.data + off[j];
        mb->klen = v->cells[j].len;
        if (!toll__utf8_valid(mb->key, mb->klen, NULL)) {
            st = toll__ingest_fail(in, TOLL_EPARSE, v->line,
                                   "invalid UTF-8 in the name of column %zu",
                                   j + 1);
            goto cleanup;
        }
        if (memchr(mb->key, '\0', mb->klen)) {
            st = toll__ingest_fail(in, TOLL_EPARSE, v->line,
                                   "NUL byte in the name of column %zu",
                                   j + 1);
            goto cleanup;
        }
    }
    const toll__member *dup = toll__member_repeated(in, in->m, n, 1, &st);
    if (st)
        goto cleanup;
    if (dup) {
        st = toll__ingest_fail(in, TOLL_EREPORT, v->line,
                               "column '%s' appears twice in the header",
                               dup->key);
        goto cleanup;
    }
    in->line = v->line;
    in->record = -1;
    st = toll__bind(in, &in->bind, in->m, c->nhdr, 1);
    /* the incident key read from one column by name or map: hashed ahead */
    for (size_t k = 0; !st && k < in->bind.nslots; k++) {
        const toll__slot *sl = &in->bind.slot[k];
        if (sl->field == TOLL__F_INCIDENT && sl->shape == TOLL__CM_COLUMN &&
            sl->ncols == 1)
            c->key_col = sl->col[0];
    }
    if (!st)
        toll__plan_build(in, &c->plan, c->nhdr);
    if (st == TOLL_EREPORT) {
        /* a map column missing from the header: fatal for the load */
        in->rec.record = -1;
        if (in->err)
            *in->err = in->rec;
    }
cleanup:
    toll__free(&in->r->alloc, off, (n ? n : 1) * sizeof *off);
    return st;
}

/* One data row. */
static toll_status row(cscan *c, const rowview *v)
{
    toll__ingest *in = c->in;
    size_t n = v->ncells;
    in->line = v->line;
    in->record++;
    int blank = 1;
    for (size_t j = 0; j < n && blank; j++)
        if (v->cells[j].len)
            blank = 0;
    if (blank) {
        in->record--; /* rows of empty cells (",,,") are skipped */
        return TOLL_OK;
    }
    if (n != c->nhdr) {
        toll__rec_err(in, TOLL_EREPORT, NULL, NULL, 0,
                      "the row has %zu cells but the header has %zu", n,
                      c->nhdr);
        return toll__ingest_reject(in);
    }
    /* The cells lie in order in one span, separated by ASCII bytes (the
     * delimiter, blanks): the span is valid UTF-8 exactly when every cell
     * is.  Only a bad span is checked cell by cell, to name the field. */
    const char *first = cell_text(v, 0);
    const char *last = cell_text(v, n - 1) + v->cells[n - 1].len;
    /* A NUL byte would cut the value short wherever it is read as a C
     * string: reject the record rather than lose the rest silently.
     * (Plain ASCII without NUL, the common case, is both checks at once.) */
    int valid = 1, has_nul = 0;
    if (!plain_ascii(first, (size_t)(last - first))) {
        valid = toll__utf8_valid(first, (size_t)(last - first), NULL);
        has_nul = memchr(first, '\0', (size_t)(last - first)) != NULL;
    }
    if (valid && !has_nul && c->plan.ok) {
        /* the plan; when it gives up, the generic path below */
        int done;
        in->key_s = NULL;
        in->key_len = 0;
        if (v->hashed && c->key_col >= 0) {
            in->key_s = cell_text(v, (size_t)c->key_col);
            in->key_len = v->cells[c->key_col].len;
            toll__trim_space(&in->key_s, &in->key_len);
            in->key_hash = v->key_hash;
        }
        done = toll__plan_row(in, &c->plan, v->base, v->cells, n);
        in->key_s = NULL;
        in->key_len = 0;
        if (done)
            return TOLL_OK;
    }
    for (size_t j = 0; j < n; j++) {
        toll__member *mb = &in->m[j];
        const char *s = cell_text(v, j);
        size_t len = v->cells[j].len;
        if (!valid && !toll__utf8_valid(s, len, NULL)) {
            char shown[96];
            size_t k = toll__escape_bytes(s, len, shown, sizeof shown);
            toll__rec_err(in, TOLL_EPARSE, mb->key, shown, k,
                          "invalid UTF-8 in \"%s\"", shown);
            return toll__ingest_reject(in);
        }
        if (has_nul && memchr(s, '\0', len)) {
            toll__rec_err(in, TOLL_EPARSE, mb->key, NULL, 0,
                          "NUL byte in the value");
            return toll__ingest_reject(in);
        }
        mb->v.type = TOLL__V_TEXT;
        mb->v.s = s;
        mb->v.len = len;
        mb->v.json = NULL;
    }
    if (v->hashed && c->key_col >= 0) {
        in->key_s = cell_text(v, (size_t)c->key_col);
        in->key_len = v->cells[c->key_col].len;
        toll__trim_space(&in->key_s, &in->key_len);
        in->key_hash = v->key_hash;
    }
    toll_status st = toll__ingest_record(in, &in->bind, in->m, c->nhdr);
    in->key_s = NULL;
    in->key_len = 0;
    return st;
}

static toll_status dispatch(cscan *c, const rowview *v)
{
    if (!c->have_header)
        return header(c, v);
    toll_status st = row(c, v);
    return st ? st : toll__ingest_flush(c->in);
}

/* The tokenizer's callback (one thread). */
static toll_status on_row(void *ctx, const toll__csvscan *sc)
{
    rowview v;
    v.base = sc->row_base;
    v.cells = sc->cells;
    v.ncells = sc->ncells;
    v.line = sc->row_line;
    v.hashed = sc->row_tagged && sc->row_tag;
    v.key_hash = sc->row_tag;
    return dispatch(ctx, &v);
}

/* A failure of the tokenizer itself: memory, or an open quote at the end
 * (`line`: where its row starts). */
static toll_status scan_fail(toll__ingest *in, toll_status st, long line)
{
    if (st == TOLL_ENOMEM)
        return toll__nomem(in->err);
    in->csv_open_quote = 1;
    return toll__ingest_fail(in, TOLL_EPARSE, line,
                             "unterminated quoted field (the row starts "
                             "here)");
}

/* A failure to read the input (`line`: that of the next byte). */
static toll_status read_fail(toll__ingest *in, const toll__input *src,
                             toll_status st, long line)
{
    return st == TOLL_ENOMEM ? toll__nomem(in->err)
                             : toll__ingest_fail(in, TOLL_EIO, line, "%s",
                                                 toll__input_what(src));
}

static toll_status load_rows(toll__ingest *in, toll__input *src, cscan *c,
                             char delim)
{
    toll__csvscan sc;
    toll__csv_init(&sc, &in->r->alloc, delim);
    sc.ahead = key_ahead;
    sc.ahead_ctx = c;
    if (in->start_line > 0)
        sc.line = in->start_line; /* a part of a split load */
    toll_status st = TOLL_OK;
    for (;;) {
        const char *p;
        size_t n;
        if ((st = toll__input_read(src, &p, &n))) {
            st = read_fail(in, src, st, sc.line);
            goto cleanup;
        }
        if (n == 0)
            break;
        /* Statuses from on_row are already reported; the tokenizer's own
         * are reported here. */
        if ((st = toll__csv_feed(&sc, p, n, on_row, c))) {
            if (sc.own_error)
                st = scan_fail(in, st, sc.row_line);
            goto cleanup;
        }
    }
    if ((st = toll__csv_finish(&sc, on_row, c)) && sc.own_error)
        st = scan_fail(in, st, sc.row_line);
cleanup:
    toll__csv_free(&sc);
    return st;
}


toll_status toll__load_csv(toll__ingest *in, toll__input *src)
{
    cscan c;
    memset(&c, 0, sizeof c);
    c.in = in;
    c.key_col = -1;
    toll__buf_init(&c.hdr, &in->r->alloc);
    char delim = in->opts->csv_delimiter ? in->opts->csv_delimiter : ',';
    toll_status st = load_rows(in, src, &c, delim);
    toll__plan_free(in, &c.plan);
    toll__buf_free(&c.hdr);
    return st;
}
