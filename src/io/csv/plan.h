/*
 * src/io/csv/plan.h - the per-header plan of the CSV reader
 * (src/io/csv/plan.c).  Nothing here is public API.
 *
 * When a CSV header is bound, the binding's slots are compiled into a plan:
 * one step per slot, in the binding's order, each naming its cell and its
 * reader.  A row then runs the steps as one straight loop over its cells,
 * with no toll__member set-up and no generic slot dispatch.
 *
 * Values come from the memo of recent texts (src/io/memo.h) or, for
 * short texts, from each step's own table keyed by the text's bytes; texts
 * neither has seen are read by the plan itself when that cannot fail in a
 * way to word (text fields, ISO or formatted dates, regions, actor lists,
 * plain counts and ranges, coordinates and precision radii).  The plan gives up on anything else: a source
 * kind or a quantity its memo has not seen that needs a parser, any read
 * that fails or would be repaired, an empty source, dates given both ways
 * or out of order, a failed allocation.  Then the row goes through the generic path
 * (toll__ingest_record) from the start.  Everything the plan did before giving up is harmless to
 * repeat: it only interns (idempotent within a load, in the same order as
 * the generic path) and fills memos (an optimisation only).  So the
 * generic path decides every error, repair and reject, and the store is
 * the same either way.
 *
 * Bindings the plan does not take at all (a column map with ranges,
 * levels, constants or kept fields): every row goes through the generic
 * path.
 */
#ifndef TOLL_SRC_IO_CSV_PLAN_H
#define TOLL_SRC_IO_CSV_PLAN_H

#include "io/io.h"
#include "io/csv/csvscan.h"

struct toll__plan_fast;

typedef struct toll__plan_step {
    struct toll__plan_fast *fast; /* the step's own memo of short texts,
                                     or NULL (src/io/csv/plan.c) */
    uint8_t op;        /* PLAN_* (src/io/csv/plan.c) */
    uint8_t arg;       /* text fields: which one (DST_*, src/io/csv/plan.c) */
    uint32_t col;      /* the cell */
    uint32_t category; /* quantities: interned category name */
} toll__plan_step;

typedef struct toll__plan {
    int ok;                  /* 1: rows may run the plan */
    toll__plan_step *step;
    size_t nstep, step_cap;
    long date_col[3];        /* date, date_start, date_end: cell or -1 */
    struct toll__plan_fast *date_fast[3];
    size_t nq;               /* quantity steps */
    uint32_t *xcol;          /* extras: their cells ... */
    uint32_t *xkey;          /* ... and their names' string ids (0: not
                                interned yet in this load) */
    size_t nx, xcol_cap, xkey_cap;
} toll__plan;

/* Compile in->bind (a CSV header's binding over `ncols` columns) into *p.
 * Never fails: p->ok stays 0 when the binding is not one the plan takes
 * or an allocation fails. */
void toll__plan_build(toll__ingest *in, toll__plan *p, size_t ncols);
void toll__plan_free(toll__ingest *in, toll__plan *p);

/* Load one data row (already checked: as many cells as the header, valid
 * UTF-8, no NUL) with the plan, located at in->line / in->record, with
 * in->key_s / key_len / key_hash set as for toll__ingest_record.  Returns
 * 1 when the row was appended, 0 when the plan gave up (the row must go
 * through toll__ingest_record; nothing needs undoing). */
int toll__plan_row(toll__ingest *in, toll__plan *p, const char *base,
                   const toll__csvcell *cells, size_t ncells);

/* Test hook (tests/test_ingest_plan.c): 0 makes every later plan refuse
 * to build, so that loads take the generic path alone; 1 (the default)
 * restores plans.  Set it only while no load runs. */
void toll__plan_set_enabled(int on);

#endif /* TOLL_SRC_IO_CSV_PLAN_H */
