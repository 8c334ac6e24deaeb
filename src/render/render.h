/*
 * src/render/render.h - the table builder (struct toll_table): every stage
 * that produces a table (reconcile, stats, summarize) builds it through
 * these functions; the renderers and accessors live beside it.
 */
#ifndef TOLL_SRC_RENDER_RENDER_H
#define TOLL_SRC_RENDER_RENDER_H

#include "base/base.h"

/* ---- tables ------------------------------------------------------------ */

typedef struct toll__column {
    char *name;
    toll_coltype type;
    toll_colkind kind;   /* what the values mean (toll/table.h) */
    void *data;          /* uint32 codes / int64 / double, nrows entries */
    char **dict;         /* string columns: owned copies */
    size_t ndict, dict_cap;
    int no_total;        /* 1: a totals row leaves this column empty (its
                            rows do not add up, e.g. quantiles) */
} toll__column;

/* Do the rows of column c add up (a sum of two rows, or of every row, is
 * meaningful): numeric and not no_total.  The rule of the totals row
 * (src/render/table.c) and of merging summaries (src/summarize/merge.c). */
static inline int toll__column_adds_up(const toll__column *c)
{
    return c->type != TOLL_COL_STRING && !c->no_total;
}

/* Create only with toll__table_new (it allocates a private wrapper holding
 * the dictionary indexes). */
struct toll_table {
    toll_allocator alloc;
    size_t nrows, ncols, nkeys;
    toll__column *cols;
    int additive;
    int is_summary;      /* 1: summary table (totals row, ranges) */
    char *caption;
    char *by;            /* summaries: their group keys in the text form
                            of toll_summarize_options.by ("" without
                            keys), which toll_table_merge reads; NULL for
                            other tables */
};

/*
 * Build a table with `ncols` columns and `nrows` rows; column data are
 * allocated (zeroed) and filled by the caller through cols[j].data.
 * String columns get their dictionary through toll__table_dict_add.
 */
toll_status toll__table_new(const toll_allocator *a, size_t ncols,
                            size_t nrows, toll_table **out);
toll_status toll__table_set_column(toll_table *t, size_t j, const char *name,
                                   toll_coltype type);
/* toll__table_set_column with the column's data left unwritten (not
 * zeroed): the caller writes every row (src/summarize/summarize.c). */
toll_status toll__table_set_column_raw(toll_table *t, size_t j,
                                       const char *name, toll_coltype type);
/* Set column j's kind (after toll__table_set_column, which resets it to
 * TOLL_KIND_PLAIN).  TOLL_EINVAL when the kind does not fit the column's
 * type (toll/table.h). */
toll_status toll__table_set_kind(toll_table *t, size_t j, toll_colkind kind);
/* Byte length of entry k of string column j's dictionary. */
size_t toll__table_dict_len(const toll_table *t, size_t j, size_t k);
/* Take a reference to t: toll_table_free then drops one reference, and
 * frees the table when none is left (src/render/arrow.c). */
void toll__table_retain(const toll_table *t);
/* Add a string to column j's dictionary; *code receives its code. */
toll_status toll__table_dict_add(toll_table *t, size_t j, const char *s,
                                 size_t len, uint32_t *code);
/* Row i of string column j = s[0..len): its dictionary code; an empty
 * string leaves the cell missing. */
toll_status toll__table_put_str(toll_table *t, size_t j, size_t i,
                                const char *s, size_t len);
toll_status toll__table_set_caption(toll_table *t, const char *caption);
/* Set t->by to a copy of `by` (NULL: none). */
toll_status toll__table_set_by(toll_table *t, const char *by);
/* Add a copy of warning w to the table's warnings (toll_table_warning). */
toll_status toll__table_add_warning(toll_table *t, const toll_error *w);

#endif /* TOLL_SRC_RENDER_RENDER_H */
