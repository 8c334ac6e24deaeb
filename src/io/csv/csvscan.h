/*
 * src/io/csv/csvscan.h - the CSV tokenizer of the ingest module (src/io/csv/csvscan.c).
 * Nothing here is public API.
 *
 * It reads exactly what libcsv 3.0.3 reads with the options the ingest used
 * (CSV_APPEND_NULL only, non-strict): blanks (space, tab) around unquoted
 * cells are dropped; a cell that starts with '"' is quoted ("" is a quote,
 * delimiters and line ends inside are data; a quote followed by anything
 * but blanks and a delimiter or line end is data too, and the cell goes on
 * as quoted); a quote inside an unquoted cell is data; a row ends at an
 * unquoted CR or LF; empty lines and lines of blanks are skipped.  On top
 * of that it tells the line where each row starts (CR, LF and CRLF each
 * end one line).
 *
 * Why not libcsv: libcsv copies every byte into its field buffer and calls
 * back per field; with those callbacks it took over a quarter of the CSV
 * job (bench/profile.md).  Here most cells are not copied at all: a row made of
 * plain cells (unquoted, or quoted with no quote or line end inside)
 * refers to the input bytes; only a row with another quoted cell is
 * copied, by a byte-by-byte state machine equal to libcsv's.
 *
 * Input comes in chunks (toll__csv_feed); a row cut by a chunk boundary is
 * read on by the state machine, which keeps its state from one chunk to
 * the next: a row is never read again from its start, so any input,
 * however long its rows, is read in linear time.  Rows are handed to a callback.  With an
 * `ahead` hook, rows of plain cells are handed over TOLL__CSV_AHEAD rows
 * after they were read, and the hook sees each row as soon as it is read:
 * time to prefetch what the row will need (the ingest prefetches the hash
 * slot of its incident key, a cache miss on a large load).
 */
#ifndef TOLL_SRC_IO_CSV_CSVSCAN_H
#define TOLL_SRC_IO_CSV_CSVSCAN_H

#include "base/base.h"

typedef struct toll__csvcell {
    size_t off; /* from toll__csvscan.row_base */
    size_t len;
} toll__csvcell;

#define TOLL__CSV_AHEAD 8

typedef struct toll__csvscan toll__csvscan;

/* The state machine's state in a row (src/io/csv/csvscan.c). */
typedef struct toll__csvmachine {
    int state, quoted, prev_cr;
    size_t spaces, fstart;
    long lines;
} toll__csvmachine;

/* Called once per row; a non-zero status stops the scan and is returned
 * by toll__csv_feed / toll__csv_finish. */
typedef toll_status (*toll__csv_row_fn)(void *ctx, const toll__csvscan *sc);
/* Sees a row as soon as it is read (it must not change the load); what
 * it returns comes back with the row as row_tag (row_tagged set). */
typedef uint32_t (*toll__csv_ahead_fn)(void *ctx, const toll__csvscan *sc);

struct toll__csvscan {
    const toll_allocator *alloc;
    unsigned char delim;
    int fast;           /* the delimiter allows the unquoted fast path */
    long line;          /* line of the next byte (1-based) */
    int after_cr;       /* the last byte consumed was '\r' */
    /* the row handed to the callback (or the hook) */
    long row_line;      /* line where the row starts */
    size_t row_end;     /* offset just after the row (its line end) in the
                           chunk given to toll__csv_feed; 0 in
                           toll__csv_finish */
    const char *row_base;
    const toll__csvcell *cells;
    size_t ncells;
    int row_tagged;     /* the row went through the hook ... */
    uint32_t row_tag;   /* ... which returned this */
    /* optional hook (set after init) */
    toll__csv_ahead_fn ahead;
    void *ahead_ctx;
    /* the row being read */
    toll__csvcell *work;
    size_t nwork, work_cap;
    long work_line;
    const char *work_base;
    int copied;         /* the fast row reader copied the row to unq (a
                           quoted cell with doubled quotes) */
    size_t work_end;
    /* rows read ahead: TOLL__CSV_AHEAD slots of ring_w cells */
    toll__csvcell *ring;
    size_t ring_w, ring_head, ring_len;
    size_t ring_n[TOLL__CSV_AHEAD];
    long ring_line[TOLL__CSV_AHEAD];
    size_t ring_end[TOLL__CSV_AHEAD];
    uint32_t ring_tag[TOLL__CSV_AHEAD];
    const char *ring_base;
    /* scratch */
    toll__buf unq;      /* cells of a row read by the state machine */
    toll__csvmachine m; /* its state in a row cut by the end of a chunk */
    int open;           /* such a row is being read (sc->m, work_line) */
    size_t nread;       /* bytes read by the fast path (rows it ends or runs
                           to the end of the chunk) and the state machine:
                           at most twice the input (tests/test_csvscan.c) */
    int own_error;      /* the last failure is the tokenizer's (ENOMEM, an
                           open quote), not the callback's */
};

void toll__csv_init(toll__csvscan *sc, const toll_allocator *a, char delim);
void toll__csv_free(toll__csvscan *sc);

/* Scan the next chunk of input. */
toll_status toll__csv_feed(toll__csvscan *sc, const char *p, size_t n,
                           toll__csv_row_fn fn, void *ctx);
/* End of input: the last row, if it has no line end.  TOLL_EPARSE when a
 * quoted cell is still open (sc->row_line: where its row starts). */
toll_status toll__csv_finish(toll__csvscan *sc, toll__csv_row_fn fn,
                             void *ctx);

/* The text of cell j of the current row (not NUL-terminated). */
static inline const char *toll__csv_cell(const toll__csvscan *sc, size_t j)
{
    return sc->row_base + sc->cells[j].off;
}

#endif /* TOLL_SRC_IO_CSV_CSVSCAN_H */
