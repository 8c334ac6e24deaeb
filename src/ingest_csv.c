/*
 * src/ingest_csv.c - CSV with a header row, through libcsv.
 *
 * libcsv does not report positions, so the input is fed one physical line
 * at a time (a segment ends at each '\n' or '\r'); when the parser is
 * between rows at the start of a segment, a row that starts in the segment
 * starts on that line.  Quoted fields may span lines.  Cells of the
 * current row are copied into one reused buffer, so there is no
 * allocation per field.
 *
 * libcsv keeps its field buffer with the C library's realloc/free (its
 * hooks take no context, so they cannot reach the store's allocator).
 */
#include "ingest.h"

#include <csv.h>

/* libcsv's parser states (struct csv_parser.pstate; fixed by libcsv). */
#define CSV_ROW_NOT_BEGUN 0
#define CSV_FIELD_BEGUN 2

typedef struct cell {
    size_t off, len;
} cell;

typedef struct cscan {
    toll__ingest *in;
    struct csv_parser p;
    toll__buf bytes;   /* cells of the current row, each followed by NUL */
    cell *cells;
    size_t ncells, cells_cap;
    toll__buf hdr;     /* header names, each followed by NUL */
    cell *hcells;
    size_t nhdr, hcells_cap;
    int have_header;
    long line;         /* line of the next byte */
    long row_line;     /* line where the current row starts */
    toll_status st;    /* first fatal status: stops the load */
} cscan;

static void on_field(void *s, size_t len, void *data)
{
    cscan *c = data;
    if (c->st)
        return;
    if (toll__grow(&c->in->r->alloc, (void **)&c->cells, &c->cells_cap,
                   c->ncells + 1, sizeof *c->cells) ||
        toll__buf_append(&c->bytes, s ? (const char *)s : "", len) ||
        toll__buf_putc(&c->bytes, '\0')) {
        c->st = toll__nomem(c->in->err);
        return;
    }
    c->cells[c->ncells].off = c->bytes.len - len - 1;
    c->cells[c->ncells].len = len;
    c->ncells++;
}

/* The header row: names, duplicates, binding. */
static toll_status header(cscan *c)
{
    toll__ingest *in = c->in;
    /* Keep the names: the row buffer is reused. */
    if (toll__buf_append(&c->hdr, c->bytes.data ? c->bytes.data : "",
                         c->bytes.len) ||
        toll__grow(&in->r->alloc, (void **)&c->hcells, &c->hcells_cap,
                   c->ncells ? c->ncells : 1, sizeof *c->hcells))
        return toll__nomem(in->err);
    memcpy(c->hcells, c->cells, c->ncells * sizeof *c->cells);
    c->nhdr = c->ncells;
    c->have_header = 1;
    if (TOLL__GROW(in, in->m, in->m_cap, c->nhdr ? c->nhdr : 1))
        return toll__nomem(in->err);
    for (size_t j = 0; j < c->nhdr; j++) {
        toll__member *mb = &in->m[j];
        memset(mb, 0, sizeof *mb);
        mb->key = c->hdr.data + c->hcells[j].off;
        mb->klen = c->hcells[j].len;
        if (!toll__utf8_valid(mb->key, mb->klen, NULL))
            return toll__ingest_fail(in, TOLL_EPARSE, c->row_line,
                                     "invalid UTF-8 in the name of column "
                                     "%zu",
                                     j + 1);
        for (size_t k = 0; k < j && mb->klen; k++)
            if (in->m[k].klen == mb->klen &&
                memcmp(in->m[k].key, mb->key, mb->klen) == 0)
                return toll__ingest_fail(in, TOLL_EREPORT, c->row_line,
                                         "column '%s' appears twice in the "
                                         "header",
                                         mb->key);
    }
    in->line = c->row_line;
    in->record = -1;
    toll_status st = toll__bind(in, &in->bind, in->m, c->nhdr, 1);
    if (st == TOLL_EREPORT) {
        /* a map column missing from the header: fatal for the load */
        in->rec.record = -1;
        if (in->err)
            *in->err = in->rec;
    }
    return st;
}

/* One data row. */
static toll_status row(cscan *c)
{
    toll__ingest *in = c->in;
    in->line = c->row_line;
    in->record++;
    int blank = 1;
    for (size_t j = 0; j < c->ncells && blank; j++)
        if (c->cells[j].len)
            blank = 0;
    if (blank) {
        in->record--; /* rows of empty cells (",,,") are skipped */
        return TOLL_OK;
    }
    if (c->ncells != c->nhdr) {
        toll__rec_err(in, TOLL_EREPORT, NULL, NULL, 0,
                      "the row has %zu cells but the header has %zu",
                      c->ncells, c->nhdr);
        return toll__ingest_reject(in);
    }
    for (size_t j = 0; j < c->nhdr; j++) {
        toll__member *mb = &in->m[j];
        const char *s = c->bytes.data + c->cells[j].off;
        size_t len = c->cells[j].len;
        if (!toll__utf8_valid(s, len, NULL)) {
            toll__rec_err(in, TOLL_EPARSE, mb->key, NULL, 0,
                          "invalid UTF-8");
            return toll__ingest_reject(in);
        }
        mb->v.type = TOLL__V_TEXT;
        mb->v.s = s;
        mb->v.len = len;
        mb->v.json = NULL;
    }
    return toll__ingest_record(in, &in->bind, in->m, c->nhdr);
}

static void on_row(int term, void *data)
{
    cscan *c = data;
    (void)term;
    if (!c->st)
        c->st = c->have_header ? row(c) : header(c);
    c->ncells = 0;
    c->bytes.len = 0;
}

/* Feed one segment to libcsv. */
static toll_status feed(cscan *c, const char *p, size_t n)
{
    size_t done = csv_parse(&c->p, p, n, on_field, on_row, c);
    if (c->st)
        return c->st;
    if (done != n) {
        int e = csv_error(&c->p);
        if (e == CSV_ENOMEM)
            return toll__nomem(c->in->err);
        return toll__ingest_fail(c->in, e == CSV_ETOOBIG ? TOLL_ERANGE
                                                         : TOLL_EPARSE,
                                 c->line, "%s", csv_strerror(e));
    }
    return TOLL_OK;
}

toll_status toll__load_csv(toll__ingest *in, toll__input *src)
{
    cscan c;
    memset(&c, 0, sizeof c);
    c.in = in;
    c.line = 1;
    c.row_line = 1;
    toll__buf_init(&c.bytes, &in->r->alloc);
    toll__buf_init(&c.hdr, &in->r->alloc);
    toll_status st = TOLL_OK;
    if (csv_init(&c.p, CSV_APPEND_NULL) != 0)
        return toll__nomem(in->err);
    csv_set_delim(&c.p, (unsigned char)(in->opts->csv_delimiter
                                            ? in->opts->csv_delimiter
                                            : ','));
    int after_cr = 0;
    for (;;) {
        const char *p;
        size_t n;
        if ((st = toll__input_read(src, &p, &n))) {
            st = st == TOLL_ENOMEM
                     ? toll__nomem(in->err)
                     : toll__ingest_fail(in, TOLL_EIO, c.line, "read error");
            goto cleanup;
        }
        if (n == 0)
            break;
        size_t i = 0;
        while (i < n) {
            if (after_cr) {
                after_cr = 0;
                if (p[i] == '\n') {
                    /* the '\n' of "\r\n": same line end */
                    if ((st = feed(&c, p + i, 1)))
                        goto cleanup;
                    i++;
                    continue;
                }
            }
            if (c.p.pstate == CSV_ROW_NOT_BEGUN)
                c.row_line = c.line;
            const char *lf = memchr(p + i, '\n', n - i);
            size_t stop = lf ? (size_t)(lf - p) : n;
            const char *cr = memchr(p + i, '\r', stop - i);
            if (cr)
                stop = (size_t)(cr - p);
            size_t end = stop < n ? stop + 1 : n;
            if ((st = feed(&c, p + i, end - i)))
                goto cleanup;
            if (stop < n) {
                c.line++;
                after_cr = p[stop] == '\r';
            }
            i = end;
        }
    }
    if (c.p.pstate == CSV_FIELD_BEGUN && c.p.quoted) {
        st = toll__ingest_fail(in, TOLL_EPARSE, c.row_line,
                               "unterminated quoted field (the row starts "
                               "here)");
        goto cleanup;
    }
    csv_fini(&c.p, on_field, on_row, &c);
    st = c.st;
cleanup:
    csv_free(&c.p);
    toll__buf_free(&c.bytes);
    toll__buf_free(&c.hdr);
    toll__free(&in->r->alloc, c.cells, c.cells_cap * sizeof *c.cells);
    toll__free(&in->r->alloc, c.hcells, c.hcells_cap * sizeof *c.hcells);
    return st;
}
