/*
 * src/io/csv/csvscan.c - the CSV tokenizer (see src/io/csv/csvscan.h for what it reads).
 *
 * Two ways to read a row, both starting where the row starts:
 *   - the fast path, for rows whose cells are all unquoted (the common
 *     case): find the delimiters, quotes and line ends 64 bytes at a time
 *     (SSE2 compares into a bit mask, walked bit by bit; 8 bytes at a time
 *     without SSE2, and near the end of the input), trim the blanks at
 *     both ends of each cell, and record where it is in the input.
 *     Nothing is copied.
 *   - the state machine, byte by byte, with libcsv's four states (row not
 *     begun, field not begun, field begun, field might have ended), which
 *     copies the row's cells into `unq`.  It reads rows with quoted cells
 *     and rows under a delimiter the fast path cannot take (a blank, a
 *     quote, CR or LF).
 * A row that does not end in the chunk is handed to the state machine,
 * which reads it from its start to the end of the chunk and keeps its
 * state (sc->m) to go on where it stopped when the next chunk comes: no
 * byte of a row is read more than twice (the fast path, then the state
 * machine), however many chunks the row spans, so every input is read in
 * linear time (tests/test_complexity.c).  With a read-ahead hook, rows of unquoted cells wait in a
 * ring of TOLL__CSV_AHEAD rows (they refer to the chunk, which stays valid
 * until toll__csv_feed returns; the ring is emptied before that).
 */
#include "io/csv/csvscan.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define QUOTE '"'

enum { R_ROW, R_NONE, R_MORE, R_OPEN, R_NOMEM };

void toll__csv_init(toll__csvscan *sc, const toll_allocator *a, char delim)
{
    memset(sc, 0, sizeof *sc);
    sc->alloc = a;
    sc->delim = (unsigned char)delim;
    sc->fast = delim != ' ' && delim != '\t' && delim != QUOTE &&
               delim != '\r' && delim != '\n';
    sc->line = 1;
    sc->row_base = "";
    toll__buf_init(&sc->unq, a);
}

void toll__csv_free(toll__csvscan *sc)
{
    toll__free(sc->alloc, sc->work, sc->work_cap * sizeof *sc->work);
    sc->work = NULL;
    sc->work_cap = sc->nwork = 0;
    toll__free(sc->alloc, sc->ring,
               TOLL__CSV_AHEAD * sc->ring_w * sizeof *sc->ring);
    sc->ring = NULL;
    sc->ring_w = sc->ring_len = 0;
    toll__buf_free(&sc->unq);
}

/* Room for one more cell: rare (the cells are kept from row to row). */
#if defined(__GNUC__)
__attribute__((noinline, cold))
#endif
static int grow_work(toll__csvscan *sc)
{
    return toll__grow(sc->alloc, (void **)&sc->work, &sc->work_cap,
                      sc->nwork + 1, sizeof *sc->work)
               ? -1
               : 0;
}

static inline int push_cell(toll__csvscan *sc, size_t off, size_t len)
{
    if (sc->nwork == sc->work_cap && grow_work(sc))
        return -1;
    sc->work[sc->nwork].off = off;
    sc->work[sc->nwork].len = len;
    sc->nwork++;
    return 0;
}

static int is_blank(unsigned char c) { return c == ' ' || c == '\t'; }
static int is_term(unsigned char c) { return c == '\r' || c == '\n'; }

/* ---- the fast path -------------------------------------------------------- */

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ &&  \
    defined(__GNUC__)
#define SWAR 1
#define ONES UINT64_C(0x0101010101010101)
#define HIGHS UINT64_C(0x8080808080808080)
/* High bit set in the lowest byte of x that is zero (bytes above it may be
 * flagged too; only the lowest is used). */
static inline uint64_t zero_byte(uint64_t x) { return (x - ONES) & ~x & HIGHS; }
#endif

/* The first delimiter, quote, CR or LF in s[i..n), or n. */
static inline size_t find_special(const unsigned char *s, size_t i, size_t n,
                                  unsigned char delim)
{
#ifdef SWAR
    const uint64_t bd = ONES * delim, bq = ONES * QUOTE, bcr = ONES * '\r',
                   blf = ONES * '\n';
    while (i + 8 <= n) {
        uint64_t x;
        memcpy(&x, s + i, 8);
        uint64_t m = zero_byte(x ^ bd) | zero_byte(x ^ bq) |
                     zero_byte(x ^ bcr) | zero_byte(x ^ blf);
        if (m)
            return i + ((size_t)__builtin_ctzll(m) >> 3);
        i += 8;
    }
#endif
    while (i < n && s[i] != delim && s[i] != QUOTE && !is_term(s[i]))
        i++;
    return i;
}

/* The first quote or line end in s[i..n) (n when none): inside quotes the
 * delimiter is data. */
static size_t quote_at(const unsigned char *s, size_t i, size_t n,
                       unsigned char delim)
{
    i = find_special(s, i, n, delim);
    while (i < n && s[i] == delim)
        i = find_special(s, i + 1, n, delim);
    return i;
}

/* Append s[0..len) to b: in place while it has room (most cells of a
 * copied row), else through toll__buf_append, which grows it.  b stays
 * NUL-terminated either way. */
static inline toll_status unq_put(toll__buf *b, const unsigned char *s,
                                  size_t len)
{
    if (b->data && b->cap - b->len > len) {
        memcpy(b->data + b->len, s, len);
        b->len += len;
        b->data[b->len] = '\0';
        return TOLL_OK;
    }
    return toll__buf_append(b, (const char *)s, len);
}

/*
 * The rest of a row that fast_row began, from s[i] (the opening quote of a
 * cell with a doubled quote in it), copied to sc->unq: the cells read so
 * far first, then each cell unquoted.  The same contract as fast_row; -1
 * (the state machine) for a line end inside quotes or text after a
 * closing quote, which the machine reads as libcsv does.
 */
static int copy_row(toll__csvscan *sc, const unsigned char *s, size_t n,
                    size_t i, size_t *end, long *nl, int *cr)
{
    const unsigned char delim = sc->delim;
    toll__buf *b = &sc->unq;
    b->len = 0;
    for (size_t k = 0; k < sc->nwork; k++) {
        size_t off = b->len;
        if (unq_put(b, s + sc->work[k].off, sc->work[k].len))
            return R_NOMEM;
        sc->work[k].off = off;
    }
    for (;;) {
        while (i < n && is_blank(s[i]))
            i++;
        if (i == n)
            return R_MORE;
        size_t off = b->len;
        unsigned char after;
        if (s[i] == QUOTE) {
            size_t j = i + 1;
            for (;;) { /* runs of data up to a quote; "" is one quote */
                size_t q = quote_at(s, j, n, delim);
                if (q < n && is_term(s[q]))
                    return -1;
                if (q + 1 >= n)
                    return R_MORE;
                if (unq_put(b, s + j, q - j))
                    return R_NOMEM;
                if (s[q + 1] != QUOTE) {
                    after = s[q + 1];
                    i = q + 2;
                    break;
                }
                if (unq_put(b, s + q, 1))
                    return R_NOMEM;
                j = q + 2;
            }
            if (after != delim && !is_term(after))
                return -1;
        } else { /* as in fast_row */
            size_t cs = i, j = find_special(s, i, n, delim);
            while (j < n && s[j] == QUOTE)
                j = find_special(s, j + 1, n, delim);
            if (j == n)
                return R_MORE;
            size_t ce = j;
            while (ce > cs && is_blank(s[ce - 1]))
                ce--;
            if (unq_put(b, s + cs, ce - cs))
                return R_NOMEM;
            after = s[j];
            i = j + 1;
        }
        if (push_cell(sc, off, b->len - off))
            return R_NOMEM;
        if (after == delim)
            continue;
        *end = i; /* CR or LF: one line, as in fast_row */
        *nl = 1;
        *cr = after == '\r';
        sc->copied = 1;
        return R_ROW;
    }
}

/*
 * A row of plain cells starting at s[start] (not a blank, not a line
 * end).  R_ROW with *end after the line end, *nl the lines it ends and
 * *cr whether its last byte is CR; R_MORE when the row does not end in
 * s[0..n); -1 when a cell needs the state machine; R_NOMEM.  A quoted cell
 * is plain when it holds no quote and no line end and its closing quote is
 * followed by the delimiter or the line end: its text is the span between
 * the quotes, as the state machine reads it (UCDP quotes every cell).  A
 * quoted cell with doubled quotes in it has the row copied unquoted
 * (copy_row: sc->copied).
 */
static int fast_row(toll__csvscan *sc, const unsigned char *s, size_t n,
                    size_t start, size_t *end, long *nl, int *cr)
{
    const unsigned char delim = sc->delim;
    size_t i = start;
    sc->nwork = 0;
    for (;;) {
        while (i < n && is_blank(s[i]))
            i++;
        if (i == n)
            return R_MORE;
        if (s[i] == QUOTE) {
            size_t qs = i + 1, qe = quote_at(s, qs, n, delim);
            if (qe < n && is_term(s[qe]))
                return -1;
            if (qe + 1 >= n)
                return R_MORE;
            unsigned char after = s[qe + 1];
            if (after == QUOTE) /* "" in the cell: unquote a copy */
                return copy_row(sc, s, n, i, end, nl, cr);
            if (after != delim && !is_term(after))
                return -1; /* text after the closing quote */
            if (push_cell(sc, qs, qe - qs))
                return R_NOMEM;
            if (after == delim) {
                i = qe + 2;
                continue;
            }
            *end = qe + 2; /* CR or LF: one line, as below */
            *nl = 1;
            *cr = after == '\r';
            return R_ROW;
        }
        size_t cs = i, j = find_special(s, i, n, delim);
        while (j < n && s[j] == QUOTE) /* a quote inside: data */
            j = find_special(s, j + 1, n, delim);
        if (j == n)
            return R_MORE;
        size_t ce = j;
        while (ce > cs && is_blank(s[ce - 1]))
            ce--;
        if (push_cell(sc, cs, ce - cs))
            return R_NOMEM;
        if (s[j] == delim) {
            i = j + 1;
            continue;
        }
        /* CR or LF: the row ends.  The byte before is not a CR (a CR would
         * have ended the row), so this ends exactly one line. */
        *end = j + 1;
        *nl = 1;
        *cr = s[j] == '\r';
        return R_ROW;
    }
}

/* A row read by block_row may have this many cells with doubled quotes;
 * a row with more goes to fast_row. */
#define BLOCK_ESC 32

/*
 * The row s[start..end) whose cells esc[0..nesc) are quoted with doubled
 * quotes inside: copied to sc->unq in one piece, its cells moved there,
 * and each of those cells unquoted in place ("" -> ", which only
 * shortens it).  The result is copy_row's: the same cells in sc->unq.
 */
static int unquote_row(toll__csvscan *sc, const unsigned char *s,
                       size_t start, size_t end, const size_t *esc,
                       size_t nesc)
{
    toll__buf *b = &sc->unq;
    b->len = 0;
    if (toll__buf_append(b, (const char *)s + start, end - start))
        return R_NOMEM;
    for (size_t k = 0; k < sc->nwork; k++)
        sc->work[k].off -= start;
    for (size_t e = 0; e < nesc; e++) {
        toll__csvcell *cell = &sc->work[esc[e]];
        char *p = b->data + cell->off;
        size_t w = 0;
        for (size_t r = 0; r < cell->len; r++) {
            p[w++] = p[r];
            r += p[r] == QUOTE; /* the pair's second quote */
        }
        cell->len = w;
    }
    sc->copied = 1;
    return 0;
}

#if defined(__SSE2__) && defined(__GNUC__)
/*
 * The same as fast_row, 64 bytes at a time: a bit mask of the delimiters,
 * quotes and line ends of each block (SSE2 compares), walked bit by bit,
 * so each cell costs a few instructions and no unpredictable branch.
 * Quoted cells are read here too (UCDP quotes every cell): the opening
 * quote starts the cell (after blanks), and the next quote closes it and
 * is followed by the delimiter or a line end ("" inside is one quote: the
 * row is then copied and such cells unquoted in place, unquote_row); a
 * line end inside quotes and text after a closing quote return -1 (the
 * state machine), as fast_row does.
 * A quote inside an unquoted cell, and a row that runs into the last 64
 * bytes of the input, go to fast_row from the row's start.
 */
static int block_row(toll__csvscan *sc, const unsigned char *s, size_t n,
                     size_t start, size_t *end, long *nl, int *cr)
{
    const unsigned char delim = sc->delim;
    const __m128i vd = _mm_set1_epi8((char)delim), vq = _mm_set1_epi8(QUOTE),
                  vcr = _mm_set1_epi8('\r'), vlf = _mm_set1_epi8('\n');
    size_t i = start, cs = start;
    size_t qs = 0, qe = 0; /* the quoted cell's text [qs, qe) */
    int inq = 0;           /* inside the quotes of a cell */
    int quoted = 0;        /* the cell's quotes are closed at qe */
    int doubled = 0;       /* the quoted cell holds a doubled quote */
    size_t skip = 0;       /* the second quote of a pair: passed over */
    size_t esc[BLOCK_ESC]; /* the cells with doubled quotes */
    size_t nesc = 0;
    sc->nwork = 0;
    while (i + 64 <= n) {
        uint64_t m = 0;
        for (int k = 0; k < 4; k++) {
            __m128i x = _mm_loadu_si128((const __m128i *)(s + i + 16 * k));
            __m128i e = _mm_or_si128(
                _mm_or_si128(_mm_cmpeq_epi8(x, vd), _mm_cmpeq_epi8(x, vq)),
                _mm_or_si128(_mm_cmpeq_epi8(x, vcr), _mm_cmpeq_epi8(x, vlf)));
            m |= (uint64_t)(uint16_t)_mm_movemask_epi8(e) << (16 * k);
        }
        while (m) {
            size_t j = i + (size_t)__builtin_ctzll(m);
            m &= m - 1;
            if (j < skip)
                continue;
            unsigned char c = s[j];
            if (inq) {
                if (c == delim)
                    continue; /* data inside the quotes */
                if (c != QUOTE)
                    return -1; /* a line end inside quotes */
                if (j + 1 >= n)
                    return fast_row(sc, s, n, start, end, nl, cr);
                unsigned char after = s[j + 1];
                if (after == QUOTE) { /* "" in the cell: one quote */
                    doubled = 1;
                    skip = j + 2;
                    continue;
                }
                if (after != delim && !is_term(after))
                    return -1; /* text after the closing quote */
                inq = 0;
                quoted = 1;
                qe = j;
                continue;
            }
            if (c == QUOTE) {
                size_t a = cs;
                while (a < j && is_blank(s[a]))
                    a++;
                if (a != j || quoted)
                    return fast_row(sc, s, n, start, end, nl, cr);
                inq = 1;
                qs = j + 1;
                continue;
            }
            size_t a, b;
            if (quoted) {
                a = qs;
                b = qe;
                quoted = 0;
                if (doubled) {
                    if (nesc == BLOCK_ESC)
                        return fast_row(sc, s, n, start, end, nl, cr);
                    esc[nesc++] = sc->nwork;
                    doubled = 0;
                }
            } else {
                a = cs;
                b = j;
                while (a < b && is_blank(s[a]))
                    a++;
                while (b > a && is_blank(s[b - 1]))
                    b--;
            }
            if (push_cell(sc, a, b - a))
                return R_NOMEM;
            if (c == delim) {
                cs = j + 1;
                continue;
            }
            *end = j + 1; /* CR or LF: one line, as in fast_row */
            *nl = 1;
            *cr = c == '\r';
            if (nesc && unquote_row(sc, s, start, j + 1, esc, nesc))
                return R_NOMEM;
            return R_ROW;
        }
        i += 64;
    }
    return fast_row(sc, s, n, start, end, nl, cr);
}
#define FAST_ROW block_row
#else
#define FAST_ROW fast_row
#endif

/* ---- the state machine ---------------------------------------------------- */

enum { S_ROW_NOT_BEGUN, S_FIELD_NOT_BEGUN, S_FIELD_BEGUN, S_MIGHT_HAVE_ENDED };

/* Start reading a row with the state machine. */
static void machine_begin(toll__csvscan *sc)
{
    memset(&sc->m, 0, sizeof sc->m);
    sc->m.state = S_ROW_NOT_BEGUN;
    sc->unq.len = 0;
    sc->nwork = 0;
}

#define PUT(ch)                                                               \
    do {                                                                      \
        if (toll__buf_putc(b, (char)(ch)))                                    \
            return R_NOMEM;                                                   \
    } while (0)
#define SUBMIT()                                                              \
    do {                                                                      \
        if (!m.quoted)                                                        \
            b->len -= m.spaces;                                               \
        if (push_cell(sc, m.fstart, b->len - m.fstart))                       \
            return R_NOMEM;                                                   \
        m.fstart = b->len;                                                    \
        m.quoted = 0;                                                         \
        m.spaces = 0;                                                         \
        m.state = S_FIELD_NOT_BEGUN;                                          \
    } while (0)
#define ROW_DONE(at)                                                          \
    do {                                                                      \
        sc->nread += (at) - start;                                            \
        *end = (at);                                                          \
        *nl = m.lines;                                                        \
        *cr = m.prev_cr;                                                      \
        return R_ROW;                                                         \
    } while (0)

/*
 * Go on reading the row begun by machine_begin with s[start..n): the
 * same contract as fast_row, cells to sc->unq.  R_MORE
 * leaves the state in sc->m, to go on with the next chunk where this one
 * ended: a row is read once, however many chunks it spans.
 */
static int machine_run(toll__csvscan *sc, const unsigned char *s, size_t n,
                       size_t start, size_t *end, long *nl, int *cr)
{
    const unsigned char delim = sc->delim;
    toll__buf *b = &sc->unq;
    toll__csvmachine m = sc->m; /* in locals while the loop runs */

    for (size_t i = start; i < n; i++) {
        unsigned char c = s[i];
        if (c == '\n') {
            if (!m.prev_cr)
                m.lines++;
            m.prev_cr = 0;
        } else if (c == '\r') {
            m.lines++;
            m.prev_cr = 1;
        } else {
            m.prev_cr = 0;
        }
        switch (m.state) {
        case S_ROW_NOT_BEGUN:
        case S_FIELD_NOT_BEGUN:
            if (is_blank(c) && c != delim)
                continue;
            if (is_term(c)) {
                if (m.state == S_FIELD_NOT_BEGUN) {
                    SUBMIT();
                    ROW_DONE(i + 1);
                }
                continue; /* an empty line */
            }
            if (c == delim) {
                SUBMIT();
            } else if (c == QUOTE) {
                m.state = S_FIELD_BEGUN;
                m.quoted = 1;
            } else {
                m.state = S_FIELD_BEGUN;
                m.quoted = 0;
                PUT(c);
            }
            break;
        case S_FIELD_BEGUN:
            if (c != QUOTE && !is_term(c) &&
                (m.quoted || (c != delim && !is_blank(c)))) {
                /* a run of bytes that are data whatever follows: copied
                 * at once (a long cell costs a scan and a copy) */
                size_t j = i + 1;
                if (m.quoted)
                    while (j < n && s[j] != QUOTE && !is_term(s[j]))
                        j++;
                else
                    while (j < n && s[j] != QUOTE && s[j] != delim &&
                           !is_term(s[j]) && !is_blank(s[j]))
                        j++;
                if (toll__buf_append(b, (const char *)s + i, j - i))
                    return R_NOMEM;
                m.spaces = 0;
                i = j - 1;
            } else if (c == QUOTE) {
                PUT(c);
                if (m.quoted)
                    m.state = S_MIGHT_HAVE_ENDED;
                else
                    m.spaces = 0;
            } else if (c == delim) {
                if (m.quoted)
                    PUT(c);
                else
                    SUBMIT();
            } else if (is_term(c)) {
                if (!m.quoted) {
                    SUBMIT();
                    ROW_DONE(i + 1);
                }
                PUT(c);
            } else if (!m.quoted && is_blank(c)) {
                PUT(c);
                m.spaces++;
            } else {
                PUT(c);
                m.spaces = 0;
            }
            break;
        case S_MIGHT_HAVE_ENDED:
        default:
            /* the last byte put is a quote that may close the cell */
            if (c == delim) {
                b->len -= m.spaces + 1;
                SUBMIT();
            } else if (is_term(c)) {
                b->len -= m.spaces + 1;
                SUBMIT();
                ROW_DONE(i + 1);
            } else if (is_blank(c)) {
                PUT(c);
                m.spaces++;
            } else if (c == QUOTE) {
                if (m.spaces) {
                    m.spaces = 0;
                    PUT(c);
                } else {
                    m.state = S_FIELD_BEGUN; /* "" : one quote, kept */
                }
            } else {
                m.state = S_FIELD_BEGUN;
                m.spaces = 0;
                PUT(c);
            }
            break;
        }
    }
    sc->m = m;
    sc->nread += n - start;
    return R_MORE;
}

/* End of input in the row the state machine is reading, without a line
 * end (libcsv's csv_fini): R_ROW, R_NONE, R_OPEN (a quoted cell is open)
 * or R_NOMEM. */
static int machine_end(toll__csvscan *sc, long *nl, int *cr)
{
    toll__buf *b = &sc->unq;
    toll__csvmachine m = sc->m;
    size_t start = 0, at = 0, *end = &at;
    switch (m.state) {
    case S_ROW_NOT_BEGUN:
        return R_NONE;
    case S_MIGHT_HAVE_ENDED:
        b->len -= m.spaces + 1;
        SUBMIT();
        ROW_DONE(0);
    case S_FIELD_BEGUN:
        if (m.quoted)
            return R_OPEN;
        /* fall through */
    default:
        SUBMIT();
        ROW_DONE(0);
    }
}
#undef PUT
#undef SUBMIT
#undef ROW_DONE

/* ---- rows ------------------------------------------------------------------ */

/*
 * The next row in s[*pos..n).  Blank lines before it are consumed (and
 * counted) whatever happens.  R_ROW: the row is in sc->work (with
 * work_base, work_line, work_end) and *pos is after it.  R_NONE: nothing
 * but blank lines.  R_MORE: the row does not end before n; the state
 * machine has read it to n and goes on with the next chunk (sc->open).
 * *fast: the row refers to s (else to sc->unq).
 */
static int scan_row(toll__csvscan *sc, const char *str, size_t n, size_t *pos,
                    int *fast)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = *pos;
    while (i < n) {
        unsigned char c = s[i];
        if (c == '\n') {
            if (!sc->after_cr)
                sc->line++;
            sc->after_cr = 0;
        } else if (c == '\r') {
            sc->line++;
            sc->after_cr = 1;
        } else if (is_blank(c) && c != sc->delim) {
            sc->after_cr = 0;
        } else {
            break;
        }
        i++;
    }
    *pos = i;
    if (i == n)
        return R_NONE;
    sc->work_line = sc->line;
    size_t end = i;
    long nl = 0;
    int cr = 0;
    sc->copied = 0;
    int r = sc->fast ? FAST_ROW(sc, s, n, i, &end, &nl, &cr) : -1;
    *fast = r == R_ROW && !sc->copied;
    sc->nread += r == R_ROW ? end - i : r == R_MORE ? n - i : 0;
    if (r == R_ROW) {
        sc->work_base = !sc->copied ? str : sc->unq.data ? sc->unq.data : "";
    } else if (r < 0 || r == R_MORE) {
        /* a quoted cell, or the row goes on in the next chunk */
        machine_begin(sc);
        r = machine_run(sc, s, n, i, &end, &nl, &cr);
        sc->open = r == R_MORE;
        sc->work_base = sc->unq.data ? sc->unq.data : "";
    }
    if (r == R_ROW) {
        sc->line += nl;
        sc->after_cr = cr;
        sc->work_end = end;
        *pos = end;
    }
    return r;
}

static toll_status scan_status(toll__csvscan *sc, int r)
{
    sc->own_error = 1;
    return r == R_NOMEM ? TOLL_ENOMEM : r == R_OPEN ? TOLL_EPARSE : TOLL_OK;
}

/* Show the row just read as the current row. */
static void show_work(toll__csvscan *sc)
{
    sc->cells = sc->work;
    sc->ncells = sc->nwork;
    sc->row_base = sc->work_base;
    sc->row_line = sc->work_line;
    sc->row_end = sc->work_end;
    sc->row_tagged = 0;
}

/* Show the oldest row read ahead as the current row, and drop it. */
static void show_ring(toll__csvscan *sc)
{
    size_t k = sc->ring_head;
    sc->cells = sc->ring + k * sc->ring_w;
    sc->ncells = sc->ring_n[k];
    sc->row_base = sc->ring_base;
    sc->row_line = sc->ring_line[k];
    sc->row_end = sc->ring_end[k];
    sc->row_tagged = 1;
    sc->row_tag = sc->ring_tag[k];
    sc->ring_head = (k + 1) % TOLL__CSV_AHEAD;
    sc->ring_len--;
}

/* Hand over the rows read ahead, oldest first. */
static toll_status flush_ring(toll__csvscan *sc, toll__csv_row_fn fn,
                              void *ctx)
{
    while (sc->ring_len) {
        show_ring(sc);
        toll_status st = fn(ctx, sc);
        if (st)
            return st;
    }
    return TOLL_OK;
}

/* The row just read: to the hook and the ring (a row of unquoted cells
 * in the chunk, with a hook), else straight to the callback. */
static toll_status deliver(toll__csvscan *sc, int fast, toll__csv_row_fn fn,
                           void *ctx)
{
    toll_status st;
    if (!fast || !sc->ahead) {
        if ((st = flush_ring(sc, fn, ctx)))
            return st;
        show_work(sc);
        return fn(ctx, sc);
    }
    if (sc->nwork > sc->ring_w) {
        /* wider slots: empty the ring first */
        if ((st = flush_ring(sc, fn, ctx)))
            return st;
        size_t w = sc->nwork, old = TOLL__CSV_AHEAD * sc->ring_w;
        toll__csvcell *ring = toll__realloc(sc->alloc, sc->ring,
                                            old * sizeof *ring,
                                            TOLL__CSV_AHEAD * w *
                                                sizeof *ring);
        if (!ring)
            return scan_status(sc, R_NOMEM);
        sc->ring = ring;
        sc->ring_w = w;
        sc->ring_head = 0;
    }
    show_work(sc);
    uint32_t tag = sc->ahead(sc->ahead_ctx, sc);
    if (sc->ring_len == TOLL__CSV_AHEAD) {
        /* hand over the oldest row */
        show_ring(sc);
        if ((st = fn(ctx, sc)))
            return st;
    }
    size_t k = (sc->ring_head + sc->ring_len) % TOLL__CSV_AHEAD;
    memcpy(sc->ring + k * sc->ring_w, sc->work, sc->nwork * sizeof *sc->work);
    sc->ring_n[k] = sc->nwork;
    sc->ring_line[k] = sc->work_line;
    sc->ring_end[k] = sc->work_end;
    sc->ring_tag[k] = tag;
    sc->ring_base = sc->work_base; /* the chunk: the same for every row */
    sc->ring_len++;
    return TOLL_OK;
}

toll_status toll__csv_feed(toll__csvscan *sc, const char *p, size_t n,
                           toll__csv_row_fn fn, void *ctx)
{
    size_t i = 0;
    int fast;
    toll_status st;
    if (sc->open) {
        /* the row cut by the last chunk: the state machine goes on where
         * it stopped */
        size_t end = 0;
        long nl = 0;
        int cr = 0;
        int r = machine_run(sc, (const unsigned char *)p, n, 0, &end, &nl,
                            &cr);
        if (r == R_MORE)
            return TOLL_OK; /* it goes on in the next chunk */
        if (r != R_ROW)
            return scan_status(sc, r);
        sc->open = 0;
        sc->line += nl;
        sc->after_cr = cr;
        sc->work_base = sc->unq.data ? sc->unq.data : "";
        sc->work_end = end;
        i = end;
        show_work(sc);
        if ((st = fn(ctx, sc)))
            return st;
    }
    for (;;) {
        int r = scan_row(sc, p, n, &i, &fast);
        if (r == R_ROW) {
            if ((st = deliver(sc, fast, fn, ctx)))
                return st;
            continue;
        }
        /* the end of the chunk: rows read ahead refer to it */
        if ((st = flush_ring(sc, fn, ctx)))
            return st;
        if (r == R_NONE || r == R_MORE)
            return TOLL_OK;
        return scan_status(sc, r);
    }
}

toll_status toll__csv_finish(toll__csvscan *sc, toll__csv_row_fn fn, void *ctx)
{
    toll_status st = flush_ring(sc, fn, ctx);
    if (st || !sc->open)
        return st;
    sc->open = 0;
    long nl = 0;
    int cr = 0;
    int r = machine_end(sc, &nl, &cr);
    if (r == R_NONE)
        return TOLL_OK;
    if (r != R_ROW) {
        sc->row_line = sc->work_line; /* where the open row starts */
        return scan_status(sc, r);
    }
    sc->line += nl;
    sc->after_cr = cr;
    sc->work_base = sc->unq.data ? sc->unq.data : "";
    sc->work_end = 0;
    show_work(sc);
    return fn(ctx, sc);
}
