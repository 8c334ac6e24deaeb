/* tests/test_csvscan.c - the CSV tokenizer (src/io/csv/csvscan.c): cells, quotes,
 * line ends, chunk boundaries, rows read ahead, and agreement with libcsv,
 * which it replaces (libcsv is linked by the tests only, as this oracle). */
#include "testutil.h"

#include "io/csv/csvscan.h"

#include <csv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- helpers ---------------------------------------------------------------- */

/* Rows rendered as text: "[cell][cell] @LINE\n" per row, "OPEN @LINE\n"
 * for an unterminated quote. */
typedef struct out {
    char *buf;
    size_t len, cap;
} out;

static void put(out *o, const char *s, size_t n)
{
    if (o->len + n + 1 > o->cap) {
        o->cap = (o->len + n + 1) * 2;
        o->buf = realloc(o->buf, o->cap);
        ck_assert_ptr_nonnull(o->buf);
    }
    memcpy(o->buf + o->len, s, n);
    o->len += n;
    o->buf[o->len] = '\0';
}

static void put_line(out *o, long line)
{
    char b[32];
    int n = snprintf(b, sizeof b, " @%ld\n", line);
    put(o, b, (size_t)n);
}

static toll_status on_row(void *ctx, const toll__csvscan *sc)
{
    out *o = ctx;
    for (size_t j = 0; j < sc->ncells; j++) {
        put(o, "[", 1);
        put(o, toll__csv_cell(sc, j), sc->cells[j].len);
        put(o, "]", 1);
    }
    put_line(o, sc->row_line);
    return TOLL_OK;
}

/* The hook tags each row with its line; on_row_tagged checks the tag. */
static uint32_t tag_line(void *ctx, const toll__csvscan *sc)
{
    long *seen = ctx;
    (*seen)++;
    return (uint32_t)sc->row_line;
}

static toll_status on_row_tagged(void *ctx, const toll__csvscan *sc)
{
    if (sc->row_tagged)
        ck_assert_uint_eq(sc->row_tag, (uint32_t)sc->row_line);
    return on_row(ctx, sc);
}

/*
 * Scan text[0..n) fed in pieces: `piece` bytes each (0: all at once), each
 * piece copied to its own block (so that reading past it shows under the
 * sanitizer).  `ahead`: with the read-ahead hook.
 */
static void scan(const char *text, size_t n, char delim, size_t piece,
                 int ahead, out *o)
{
    toll_allocator a;
    toll__alloc_init(&a, NULL);
    toll__csvscan sc;
    long seen = 0;
    toll__csv_init(&sc, &a, delim);
    if (ahead) {
        sc.ahead = tag_line;
        sc.ahead_ctx = &seen;
    }
    toll__csv_row_fn fn = ahead ? on_row_tagged : on_row;
    size_t i = 0;
    while (i < n) {
        size_t k = piece && piece < n - i ? piece : n - i;
        char *b = malloc(k);
        ck_assert_ptr_nonnull(b);
        memcpy(b, text + i, k);
        ck_assert_int_eq(toll__csv_feed(&sc, b, k, fn, o), TOLL_OK);
        free(b);
        i += k;
    }
    toll_status st = toll__csv_finish(&sc, fn, o);
    if (st == TOLL_EPARSE) {
        ck_assert(sc.own_error);
        char b[32];
        int m = snprintf(b, sizeof b, "OPEN @%ld\n", sc.row_line);
        put(o, b, (size_t)m);
    } else {
        ck_assert_int_eq(st, TOLL_OK);
    }
    toll__csv_free(&sc);
}

/* The rows of NUL-terminated text, all at once; the caller frees. */
static char *rows(const char *text, char delim)
{
    out o = {0};
    put(&o, "", 0);
    scan(text, strlen(text), delim, 0, 0, &o);
    return o.buf;
}

#define ck_rows(text, expected)                                               \
    do {                                                                      \
        char *got_ = rows(text, ',');                                         \
        ck_assert_str_eq(got_, expected);                                     \
        free(got_);                                                           \
    } while (0)

/* ---- libcsv as the old ingest drove it ------------------------------------------ */

typedef struct ref {
    out *o;
    out pend; /* cells of the row in progress */
    long line, row_line;
} ref;

static void ref_field(void *s, size_t len, void *data)
{
    ref *r = data;
    put(&r->pend, "[", 1);
    put(&r->pend, s ? s : "", len);
    put(&r->pend, "]", 1);
}

static void ref_row(int c, void *data)
{
    ref *r = data;
    (void)c;
    put(r->o, r->pend.buf ? r->pend.buf : "", r->pend.len);
    r->pend.len = 0;
    put_line(r->o, r->row_line);
}

/* libcsv fed one physical line at a time, the row's line taken when the
 * parser is between rows at the start of a line (an earlier CSV reader). */
static void reference(const char *p, size_t n, char delim, out *o)
{
    struct csv_parser cp;
    ck_assert_int_eq(csv_init(&cp, CSV_APPEND_NULL), 0);
    csv_set_delim(&cp, (unsigned char)delim);
    ref r = {o, {0}, 1, 1};
    size_t i = 0;
    int after_cr = 0;
    while (i < n) {
        if (after_cr) {
            after_cr = 0;
            if (p[i] == '\n') {
                csv_parse(&cp, p + i, 1, ref_field, ref_row, &r);
                i++;
                continue;
            }
        }
        if (cp.pstate == 0)
            r.row_line = r.line;
        const char *lf = memchr(p + i, '\n', n - i);
        size_t stop = lf ? (size_t)(lf - p) : n;
        const char *cr = memchr(p + i, '\r', stop - i);
        if (cr)
            stop = (size_t)(cr - p);
        size_t end = stop < n ? stop + 1 : n;
        csv_parse(&cp, p + i, end - i, ref_field, ref_row, &r);
        if (stop < n) {
            r.line++;
            after_cr = p[stop] == '\r';
        }
        i = end;
    }
    if (cp.pstate == 2 && cp.quoted) {
        char b[32];
        int m = snprintf(b, sizeof b, "OPEN @%ld\n", r.row_line);
        put(o, b, (size_t)m);
    } else {
        csv_fini(&cp, ref_field, ref_row, &r);
    }
    csv_free(&cp);
    free(r.pend.buf);
}

/* ---- cells ------------------------------------------------------------------- */

START_TEST(csvscan_should_read_unquoted_cells)
{
    ck_rows("a,b,c\n1,22,333\n", "[a][b][c] @1\n[1][22][333] @2\n");
}
END_TEST

START_TEST(csvscan_should_read_empty_cells)
{
    ck_rows("a,,c\n,,\n", "[a][][c] @1\n[][][] @2\n");
}
END_TEST

START_TEST(csvscan_should_drop_blanks_around_unquoted_cells)
{
    ck_rows("  a , b\tb\t,\tc  \n", "[a][b\tb][c] @1\n");
}
END_TEST

START_TEST(csvscan_should_unescape_doubled_quotes)
{
    ck_rows("\"say \"\"hi\"\"\",x\n", "[say \"hi\"][x] @1\n");
}
END_TEST

START_TEST(csvscan_should_keep_delimiters_and_line_ends_inside_quotes)
{
    ck_rows("\"a,b\",\"line1\nline2\r\nline3\"\nnext,row\n",
            "[a,b][line1\nline2\r\nline3] @1\n[next][row] @4\n");
}
END_TEST

START_TEST(csvscan_should_keep_blanks_inside_quotes)
{
    ck_rows("\"  a  \" ,b\n", "[  a  ][b] @1\n");
}
END_TEST

START_TEST(csvscan_should_read_plain_quoted_cells_as_the_machine_does)
{
    /* quoted cells with nothing to unescape (the fast path), beside ones
     * that need the state machine, at row ends CR, LF and none */
    ck_rows("\"id\",\"a,b\",\"\"\r\n\"1\", \"x\",\"q\"\"\"\n\"2\",\"y\" ,z\n"
            "\"3\",\"\"\n\"4\"",
            "[id][a,b][] @1\n[1][x][q\"] @2\n[2][y][z] @3\n[3][] @4\n"
            "[4] @5\n");
    /* doubled quotes: the row copied unquoted, the cells before and after
     * kept; a line end inside or text after a closing quote: the machine */
    ck_rows("a, \"b\" ,\"c\"\"d\"\"\",\"\"\"\" , e \n"
            "\"x\"\"\",\"y\nz\"\n\"p\"\"\"q,r\"\n",
            "[a][b][c\"d\"][\"][e] @1\n[x\"][y\nz] @2\n[p\"\"q,r] @4\n");
}
END_TEST

START_TEST(csvscan_should_keep_a_quote_inside_an_unquoted_cell)
{
    ck_rows("ab\"c,5\" tall\n", "[ab\"c][5\" tall] @1\n");
}
END_TEST

START_TEST(csvscan_should_keep_text_after_a_closing_quote)
{
    /* libcsv (non-strict) takes a quote followed by text as data, and the
     * cell stays quoted until a quote before a delimiter or line end */
    ck_rows("\"ab\"cd\",e\n", "[ab\"cd][e] @1\n");
    ck_rows("\"ab\"cd,e\n", "OPEN @1\n");
}
END_TEST

START_TEST(csvscan_should_take_other_delimiters)
{
    char *got = rows("a;b;\"c;d\"\n", ';');
    ck_assert_str_eq(got, "[a][b][c;d] @1\n");
    free(got);
    got = rows("a\tb\t\tc\n", '\t');
    ck_assert_str_eq(got, "[a][b][][c] @1\n");
    free(got);
    got = rows("a b  c\n", ' ');
    ck_assert_str_eq(got, "[a][b][][c] @1\n");
    free(got);
}
END_TEST

/* ---- lines ------------------------------------------------------------------- */

START_TEST(csvscan_should_end_lines_at_lf_cr_and_crlf)
{
    ck_rows("a\nb\rc\r\nd\n", "[a] @1\n[b] @2\n[c] @3\n[d] @4\n");
}
END_TEST

START_TEST(csvscan_should_skip_blank_lines_and_count_them)
{
    ck_rows("\n\na\n  \t \r\n\r\rb\n", "[a] @3\n[b] @7\n");
}
END_TEST

START_TEST(csvscan_should_read_a_last_row_without_line_end)
{
    ck_rows("a,b\nc,d", "[a][b] @1\n[c][d] @2\n");
    ck_rows("a,b\nc,", "[a][b] @1\n[c][] @2\n");
    ck_rows("a,b\n\"c\"", "[a][b] @1\n[c] @2\n");
}
END_TEST

START_TEST(csvscan_should_report_an_open_quote_where_its_row_starts)
{
    ck_rows("a,b\n\"open\nstill\nopen", "[a][b] @1\nOPEN @2\n");
}
END_TEST

/* ---- chunks and rows read ahead ------------------------------------------------- */

static const char sample[] =
    "incident,source,killed\r\n"
    "inc-1,SOHR,12\r\n"
    "inc-2,\"Syrian, Civil Defence\",\"at least\n5\"\r\n"
    "\r\n"
    "inc-3,  Reuters  ,\"\"\"85\"\"-92\"\r\n"
    "inc-4,a quite long source name that runs past sixty-four bytes,7\n"
    "inc-5,x,\"quoted after a long row that runs past sixty-four b\"\n"
    "inc-6,last,0";

START_TEST(csvscan_should_read_the_same_rows_whatever_the_chunks)
{
    size_t n = strlen(sample);
    out whole = {0}, part = {0};
    scan(sample, n, ',', 0, 0, &whole);
    for (size_t piece = 1; piece <= n; piece++) {
        for (int ahead = 0; ahead <= 1; ahead++) {
            part.len = 0;
            scan(sample, n, ',', piece, ahead, &part);
            ck_assert_msg(part.len == whole.len &&
                              memcmp(part.buf, whole.buf, whole.len) == 0,
                          "pieces of %zu (ahead %d):\n%s\nwhole:\n%s", piece,
                          ahead, part.buf, whole.buf);
        }
    }
    free(whole.buf);
    free(part.buf);
}
END_TEST

/* Bytes the tokenizer reads for text[0..n) fed in pieces of `piece`
 * bytes (the rows are dropped). */
static size_t bytes_read(const char *text, size_t n, size_t piece)
{
    toll_allocator a;
    toll__alloc_init(&a, NULL);
    toll__csvscan sc;
    out o = {0};
    toll__csv_init(&sc, &a, ',');
    for (size_t i = 0; i < n; i += piece) {
        size_t k = piece < n - i ? piece : n - i;
        ck_assert_int_eq(toll__csv_feed(&sc, text + i, k, on_row, &o),
                         TOLL_OK);
        o.len = 0;
    }
    toll_status st = toll__csv_finish(&sc, on_row, &o);
    ck_assert(st == TOLL_OK || st == TOLL_EPARSE);
    size_t got = sc.nread;
    toll__csv_free(&sc);
    free(o.buf);
    return got;
}

START_TEST(csvscan_should_read_each_byte_at_most_twice_whatever_the_chunks)
{
    /* rows much longer than the chunks: one unquoted, one quoted, one
     * quote left open to the end (the rule that keeps every CSV load
     * linear: a row cut by a chunk is read on, never again from its
     * start) */
    const size_t len = (size_t)1 << 16;
    static const char *const shapes[] = {"a,", "x,\"", "\""};
    for (size_t k = 0; k < sizeof shapes / sizeof shapes[0]; k++) {
        size_t pre = strlen(shapes[k]), n = pre + len + 1;
        char *text = malloc(n);
        ck_assert_ptr_nonnull(text);
        memcpy(text, shapes[k], pre);
        memset(text + pre, 'x', len);
        text[n - 1] = '\n';
        for (size_t piece = 1; piece <= 4096; piece *= 8) {
            size_t got = bytes_read(text, n, piece);
            ck_assert_msg(got <= 2 * n, "shape %zu, pieces of %zu: %zu bytes "
                                        "read for %zu",
                          k, piece, got, n);
        }
        free(text);
    }
}
END_TEST

static toll_status keep_row_end(void *ctx, const toll__csvscan *sc)
{
    out *o = ctx;
    char b[32];
    int m = snprintf(b, sizeof b, "%zu,", sc->row_end);
    put(o, b, (size_t)m);
    return TOLL_OK;
}

START_TEST(csvscan_should_tell_where_each_row_ends_in_the_chunk)
{
    static const char text[] = "a,b\r\n\n\"c\nd\",e\nf\rg";
    toll_allocator a;
    toll__alloc_init(&a, NULL);
    for (int ahead = 0; ahead <= 1; ahead++) {
        toll__csvscan sc;
        long seen = 0;
        out o = {0};
        put(&o, "", 0);
        toll__csv_init(&sc, &a, ',');
        if (ahead) {
            sc.ahead = tag_line;
            sc.ahead_ctx = &seen;
        }
        ck_assert_int_eq(toll__csv_feed(&sc, text, sizeof text - 1,
                                        keep_row_end, &o),
                         TOLL_OK);
        /* after CR (the LF is a blank line of the next row), after the
         * quoted row's LF, after f's CR; g has no line end yet */
        ck_assert_str_eq(o.buf, "4,14,16,");
        ck_assert_int_eq(toll__csv_finish(&sc, keep_row_end, &o), TOLL_OK);
        ck_assert_str_eq(o.buf, "4,14,16,0,");
        toll__csv_free(&sc);
        free(o.buf);
    }
}
END_TEST

START_TEST(csvscan_should_hand_rows_read_ahead_in_order)
{
    /* 100 rows in one chunk: rows go through the ring, tagged (a quoted
     * cell without quotes or line ends inside is plain: read ahead too) */
    out text = {0}, got = {0}, want = {0};
    for (int i = 1; i <= 100; i++) {
        char b[64];
        int m = snprintf(b, sizeof b, "%d,row %d%s\n", i, i,
                         i % 17 ? "" : ",\"quo\"\"ted\"");
        put(&text, b, (size_t)m);
        m = snprintf(b, sizeof b, "[%d][row %d]%s @%d\n", i, i,
                     i % 17 ? "" : "[quo\"ted]", i);
        put(&want, b, (size_t)m);
    }
    toll_allocator a;
    toll__alloc_init(&a, NULL);
    toll__csvscan sc;
    long seen = 0;
    toll__csv_init(&sc, &a, ',');
    sc.ahead = tag_line;
    sc.ahead_ctx = &seen;
    ck_assert_int_eq(toll__csv_feed(&sc, text.buf, text.len, on_row_tagged,
                                    &got),
                     TOLL_OK);
    ck_assert_int_eq(toll__csv_finish(&sc, on_row_tagged, &got), TOLL_OK);
    toll__csv_free(&sc);
    ck_assert_str_eq(got.buf, want.buf);
    ck_assert_int_eq(seen, 100 - 100 / 17); /* machine rows skip the hook */
    free(text.buf);
    free(got.buf);
    free(want.buf);
}
END_TEST

static toll_status stop_at_third(void *ctx, const toll__csvscan *sc)
{
    int *n = ctx;
    (void)sc;
    return ++*n == 3 ? TOLL_EREPORT : TOLL_OK;
}

START_TEST(csvscan_should_stop_when_the_callback_fails)
{
    const char *text = "a\nb\nc\nd\ne\n";
    for (int ahead = 0; ahead <= 1; ahead++) {
        toll_allocator a;
        toll__alloc_init(&a, NULL);
        toll__csvscan sc;
        long seen = 0;
        int n = 0;
        toll__csv_init(&sc, &a, ',');
        if (ahead) {
            sc.ahead = tag_line;
            sc.ahead_ctx = &seen;
        }
        ck_assert_int_eq(toll__csv_feed(&sc, text, strlen(text),
                                        stop_at_third, &n),
                         TOLL_EREPORT);
        ck_assert_int_eq(n, 3);
        ck_assert(!sc.own_error);
        toll__csv_free(&sc);
    }
}
END_TEST

START_TEST(csvscan_should_fail_cleanly_when_memory_runs_out)
{
    for (long k = 1; k < 40; k++) {
        failing_alloc f;
        failing_alloc_init(&f, k);
        toll__csvscan sc;
        long seen = 0;
        out o = {0};
        toll__csv_init(&sc, &f.a, ',');
        sc.ahead = tag_line;
        sc.ahead_ctx = &seen;
        size_t n = strlen(sample), half = n / 2;
        toll_status st = toll__csv_feed(&sc, sample, half, on_row, &o);
        if (!st)
            st = toll__csv_feed(&sc, sample + half, n - half, on_row, &o);
        if (!st)
            st = toll__csv_finish(&sc, on_row, &o);
        ck_assert(st == TOLL_OK || (st == TOLL_ENOMEM && sc.own_error));
        toll__csv_free(&sc);
        ck_assert_int_eq(f.live, 0);
        free(o.buf);
    }
}
END_TEST

/* ---- agreement with libcsv --------------------------------------------------------- */

START_TEST(csvscan_should_read_what_libcsv_reads)
{
    /* Random texts over the bytes that matter (quotes, delimiters, blanks,
     * CR, LF, NUL, UTF-8), fed in random pieces, under several
     * delimiters; long texts of plain cells with rare specials exercise
     * the 64-byte blocks. */
    static const char special[] = "ab ,\"\r\n\t;x\"\n,\0\xc3\xa9";
    static const char plain[] = "abcdefghijklmnopqrstuvwxyz0123456789,,,,  \n";
    static const char delims[] = ",;\t \"x";
    static char text[3000];
    srand(20240917);
    out want = {0}, got = {0};
    for (long it = 0; it < 20000; it++) {
        size_t n;
        if (it % 4 == 3) {
            n = (size_t)(rand() % 3000);
            for (size_t i = 0; i < n; i++)
                text[i] = plain[rand() % (sizeof plain - 1)];
            for (int e = rand() % 4; e > 0 && n; e--)
                text[rand() % n] = special[rand() % (sizeof special - 1)];
        } else {
            n = (size_t)(rand() % (it % 2 ? 60 : 250));
            for (size_t i = 0; i < n; i++)
                text[i] = special[rand() % (sizeof special - 1)];
        }
        char delim = it % 3 ? ',' : delims[rand() % (sizeof delims - 1)];
        size_t piece = rand() % 5 == 0 ? 0 : (size_t)(1 + rand() % 700);
        want.len = got.len = 0;
        put(&want, "", 0);
        put(&got, "", 0);
        reference(text, n, delim, &want);
        scan(text, n, delim, piece, (int)(it % 2), &got);
        ck_assert_msg(want.len == got.len &&
                          memcmp(want.buf, got.buf, want.len) == 0,
                      "case %ld (delimiter '%c', pieces %zu): libcsv\n%s\n"
                      "csvscan\n%s",
                      it, delim, piece, want.buf, got.buf);
    }
    free(want.buf);
    free(got.buf);
}
END_TEST

/* Feed text[0..n) in pieces of random sizes (1 .. max bytes). */
static void scan_random_pieces(const char *text, size_t n, char delim,
                               size_t max, out *o)
{
    toll_allocator a;
    toll__alloc_init(&a, NULL);
    toll__csvscan sc;
    toll__csv_init(&sc, &a, delim);
    size_t i = 0;
    while (i < n) {
        size_t k = 1 + (size_t)rand() % max;
        if (k > n - i)
            k = n - i;
        char *b = malloc(k);
        ck_assert_ptr_nonnull(b);
        memcpy(b, text + i, k);
        ck_assert_int_eq(toll__csv_feed(&sc, b, k, on_row, o), TOLL_OK);
        free(b);
        i += k;
    }
    toll_status st = toll__csv_finish(&sc, on_row, o);
    if (st == TOLL_EPARSE) {
        char b[32];
        int m = snprintf(b, sizeof b, "OPEN @%ld\n", sc.row_line);
        put(o, b, (size_t)m);
    } else {
        ck_assert_int_eq(st, TOLL_OK);
    }
    toll__csv_free(&sc);
}

/* Append one random cell: empty, unquoted (a quote or blank inside, never
 * at its start), or quoted with doubled quotes, delimiters, blanks and
 * CR, LF, CRLF inside. */
static void random_cell(out *t, char delim)
{
    static const char plain[] = "ab1 \"x";
    static const char inq[] = "a,;|\"\r\n \t";
    switch (rand() % 4) {
    case 0:
        break;
    case 1: {
        int n = 1 + rand() % 6;
        for (int i = 0; i < n; i++) {
            char c = plain[rand() % (sizeof plain - 1)];
            if ((i == 0 || i == n - 1) && (c == ' ' || c == '"'))
                c = 'q';
            if (c == delim)
                c = 'd';
            put(t, &c, 1);
        }
        break;
    }
    default: {
        put(t, "\"", 1);
        for (int n = rand() % 9; n > 0; n--) {
            int r = rand() % 12;
            if (r == 0)
                put(t, "\r\n", 2);
            else if (r == 1)
                put(t, "\"\"", 2);
            else if (r == 2)
                put(t, &delim, 1);
            else
                put(t, &inq[rand() % (sizeof inq - 1)], 1);
        }
        put(t, "\"", 1);
        if (rand() % 8 == 0)
            put(t, " ", 1); /* a blank after the closing quote */
        break;
    }
    }
}

/* A row's end: LF, CR or CRLF; the last row's maybe none. */
static void end_row(out *t, int last)
{
    static const char *const ends[] = {"\n", "\r", "\r\n", ""};
    const char *e = ends[last ? rand() % 4 : rand() % 3];
    put(t, e, strlen(e));
}

/* Scan case `it` in random pieces of up to max_piece bytes and require
 * libcsv's rows; the count of rows. */
static long same_as_libcsv(const out *text, char delim, size_t max_piece,
                           long it, out *want, out *got)
{
    want->len = got->len = 0;
    put(want, "", 0);
    put(got, "", 0);
    reference(text->buf, text->len, delim, want);
    scan_random_pieces(text->buf, text->len, delim, max_piece, got);
    ck_assert_msg(want->len == got->len &&
                      memcmp(want->buf, got->buf, want->len) == 0,
                  "case %ld (delimiter '%c'): input\n%s\nlibcsv\n%s\n"
                  "csvscan\n%s",
                  it, delim, text->buf, want->buf, got->buf);
    long rows = 0;
    for (const char *q = want->buf; (q = strstr(q, " @")); q++)
        rows++;
    return rows;
}

START_TEST(csvscan_should_read_random_cells_as_libcsv_does)
{
    /* Rows of random cells ended by LF, CR or CRLF (the last one maybe by
     * nothing), under several delimiters, fed in random pieces. */
    static const char delims[] = ",;|\t";
    out text = {0}, want = {0}, got = {0};
    srand(20261207);
    long rows_seen = 0;
    for (long it = 0; it < 5000; it++) {
        char delim = delims[it % (sizeof delims - 1)];
        text.len = 0;
        put(&text, "", 0);
        for (int r = 1 + rand() % 12; r > 0; r--) {
            for (int c = 1 + rand() % 5, first = 1; c > 0; c--, first = 0) {
                if (!first)
                    put(&text, &delim, 1);
                random_cell(&text, delim);
            }
            end_row(&text, r == 1);
        }
        rows_seen += same_as_libcsv(&text, delim, it % 2 ? 7 : 300, it,
                                    &want, &got);
    }
    ck_assert_int_gt(rows_seen, 20000); /* the inputs are not degenerate */
    free(text.buf);
    free(want.buf);
    free(got.buf);
}
END_TEST

/* Rows of many cells, most of them quoted and plain, as UCDP writes its
 * files ("12","2019-01-01","Syria"), with now and then a cell that is not
 * plain (random_cell): rows longer than the 64-byte blocks, so that quoted
 * cells are read by the block reader and its hand-overs are exercised. */
START_TEST(csvscan_should_read_long_rows_of_quoted_cells_as_libcsv_does)
{
    static const char word[] = "abcxyz019 -/.:,;";
    out text = {0}, want = {0}, got = {0};
    srand(20261208);
    long rows_seen = 0;
    for (long it = 0; it < 3000; it++) {
        char delim = it % 5 == 4 ? ';' : ',';
        text.len = 0;
        put(&text, "", 0);
        for (int r = 1 + rand() % 6; r > 0; r--) {
            for (int c = 5 + rand() % 40, first = 1; c > 0; c--, first = 0) {
                if (!first)
                    put(&text, &delim, 1);
                int kind = rand() % 40;
                if (kind == 0) {
                    random_cell(&text, delim);
                } else if (kind < 8) { /* unquoted */
                    for (int k = rand() % 8; k > 0; k--) {
                        char ch = word[rand() % 9];
                        put(&text, &ch, 1);
                    }
                } else { /* quoted, plain: the delimiter may be inside */
                    if (rand() % 10 == 0)
                        put(&text, " ", 1);
                    put(&text, "\"", 1);
                    for (int k = rand() % 20; k > 0; k--) {
                        char ch = word[rand() % (sizeof word - 1)];
                        put(&text, &ch, 1);
                    }
                    put(&text, "\"", 1);
                }
            }
            end_row(&text, r == 1);
        }
        rows_seen += same_as_libcsv(&text, delim, it % 3 ? 100000 : 500, it,
                                    &want, &got);
    }
    ck_assert_int_gt(rows_seen, 8000);
    free(text.buf);
    free(want.buf);
    free(got.buf);
}
END_TEST

static Suite *csvscan_suite(void)
{
    Suite *s = suite_create("csvscan");
    TCase *tc = tcase_create("cells");
    tcase_add_test(tc, csvscan_should_read_unquoted_cells);
    tcase_add_test(tc, csvscan_should_read_empty_cells);
    tcase_add_test(tc, csvscan_should_drop_blanks_around_unquoted_cells);
    tcase_add_test(tc, csvscan_should_unescape_doubled_quotes);
    tcase_add_test(tc,
                   csvscan_should_keep_delimiters_and_line_ends_inside_quotes);
    tcase_add_test(tc, csvscan_should_keep_blanks_inside_quotes);
    tcase_add_test(tc,
                   csvscan_should_read_plain_quoted_cells_as_the_machine_does);
    tcase_add_test(tc, csvscan_should_keep_a_quote_inside_an_unquoted_cell);
    tcase_add_test(tc, csvscan_should_keep_text_after_a_closing_quote);
    tcase_add_test(tc, csvscan_should_take_other_delimiters);
    suite_add_tcase(s, tc);
    tc = tcase_create("lines");
    tcase_add_test(tc, csvscan_should_end_lines_at_lf_cr_and_crlf);
    tcase_add_test(tc, csvscan_should_skip_blank_lines_and_count_them);
    tcase_add_test(tc, csvscan_should_read_a_last_row_without_line_end);
    tcase_add_test(tc,
                   csvscan_should_report_an_open_quote_where_its_row_starts);
    suite_add_tcase(s, tc);
    tc = tcase_create("chunks");
    tcase_add_test(tc, csvscan_should_read_the_same_rows_whatever_the_chunks);
    tcase_add_test(tc, csvscan_should_hand_rows_read_ahead_in_order);
    tcase_add_test(
        tc, csvscan_should_read_each_byte_at_most_twice_whatever_the_chunks);
    tcase_add_test(tc, csvscan_should_tell_where_each_row_ends_in_the_chunk);
    tcase_add_test(tc, csvscan_should_stop_when_the_callback_fails);
    tcase_add_test(tc, csvscan_should_fail_cleanly_when_memory_runs_out);
    suite_add_tcase(s, tc);
    tc = tcase_create("libcsv");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, csvscan_should_read_what_libcsv_reads);
    tcase_add_test(tc, csvscan_should_read_random_cells_as_libcsv_does);
    tcase_add_test(tc, csvscan_should_read_long_rows_of_quoted_cells_as_libcsv_does);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return toll_test_run(csvscan_suite()); }
