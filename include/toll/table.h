/*
 * toll/table.h - result tables: typed columns, rendering to CSV, JSON,
 * Markdown and aligned text.
 *
 * A toll_table is immutable once built and owns all of its memory,
 * including copies of every string, so it outlives the reports and
 * incidents it came from.  It may be read from several threads at once.
 *
 * Columns are typed:
 *   TOLL_COL_STRING - dictionary-encoded: a uint32 code per row indexing the
 *                     column's dictionary of distinct strings; TOLL_NULL_CODE
 *                     marks a missing value.
 *   TOLL_COL_INT64  - int64_t per row.
 *   TOLL_COL_DOUBLE - double per row; NaN marks a missing value.
 * The column buffers are contiguous, so bindings can wrap them without
 * copying.
 */
#ifndef TOLL_TABLE_H
#define TOLL_TABLE_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct toll_table toll_table;

typedef enum toll_coltype {
    TOLL_COL_STRING = 0,
    TOLL_COL_INT64,
    TOLL_COL_DOUBLE
} toll_coltype;

#define TOLL_NULL_CODE UINT32_MAX

/*
 * What a column's values mean, beyond their storage type; bindings and the
 * Arrow export (toll/arrow.h) read it, the renderers do not.
 *   TOLL_KIND_PLAIN - no more than the type says.
 *   TOLL_KIND_DATE  - a STRING column of calendar days "YYYY-MM-DD".
 *   TOLL_KIND_COUNT - whole counts: an INT64 column, or a DOUBLE column
 *                     whose values are whole numbers or NaN (missing).
 *   TOLL_KIND_FLAG  - an INT64 column of 0 and 1 (false and true).
 */
typedef enum toll_colkind {
    TOLL_KIND_PLAIN = 0,
    TOLL_KIND_DATE,
    TOLL_KIND_COUNT,
    TOLL_KIND_FLAG
} toll_colkind;

typedef enum toll_render_format {
    TOLL_RENDER_CSV = 0,
    TOLL_RENDER_JSON,     /* an array of row objects */
    TOLL_RENDER_MARKDOWN, /* ranges as "1,098–1,450", with a totals row */
    TOLL_RENDER_TEXT      /* aligned columns, ranges, a totals row */
} toll_render_format;

/* Parse "csv", "json", "md"/"markdown", "text" (case-insensitive) into
 * *out.  TOLL_EINVAL if unknown or NULL; err (may be NULL) then names the
 * text and the accepted names. */
TOLL_API toll_status toll_render_format_parse(const char *name,
                                              toll_render_format *out,
                                              toll_error *err);

/* Free a table.  Accepts NULL.  An Arrow export of the table
 * (toll_table_export_arrow) holds a reference to it: the memory is then
 * freed when the last exported stream or array is released as well. */
TOLL_API void toll_table_free(toll_table *table);

TOLL_API size_t toll_table_nrows(const toll_table *table);
TOLL_API size_t toll_table_ncols(const toll_table *table);

/* Column name (owned by the table).  NULL if j is out of range. */
TOLL_API const char *toll_table_column_name(const toll_table *table, size_t j);
TOLL_API toll_coltype toll_table_column_type(const toll_table *table, size_t j);
/* The column's kind (TOLL_KIND_PLAIN if j is out of range). */
TOLL_API toll_colkind toll_table_column_kind(const toll_table *table,
                                             size_t j);
/* Index of the column called `name`, or TOLL_NPOS (also for a NULL table
 * or name). */
TOLL_API size_t toll_table_column_index(const toll_table *table,
                                        const char *name);

/* Column data.  Each returns NULL if j is out of range or of another type.
 * Pointers are owned by the table and valid until it is freed. */
TOLL_API const int64_t *toll_table_int64(const toll_table *table, size_t j);
TOLL_API const double *toll_table_double(const toll_table *table, size_t j);
TOLL_API const uint32_t *toll_table_codes(const toll_table *table, size_t j);
/* The dictionary of a string column: *n_out entries; entry k is the string
 * of code k.  Returns NULL for other column types. */
TOLL_API const char *const *toll_table_dict(const toll_table *table, size_t j,
                                            size_t *n_out);
/* Convenience: the string in row i of string column j, or NULL if missing. */
TOLL_API const char *toll_table_string(const toll_table *table, size_t j,
                                       size_t i);

/*
 * Row i of column j as text, as the text renderer shows it in a summary:
 * numbers with thousands separators ("1,098"), doubles rounded to one
 * decimal ("12.5", integral ones without), strings as they are; a missing
 * value (and j or i out of range) gives "".  Writes at most size - 1 bytes
 * and a NUL into buf (buf may be NULL when size is 0); returns the length
 * of the whole text.
 */
TOLL_API size_t toll_table_cell_text(const toll_table *table, size_t j,
                                     size_t i, char *buf, size_t size);

/*
 * Number of leading group-key columns (actor, region, period, ...); the
 * measures follow.  For incident listings this is 0.
 */
TOLL_API size_t toll_table_nkeys(const toll_table *table);

/* 0 when the rows must not be added up: attribution "each" counts every
 * incident once per actor.  Renderers print a note; bindings expose it. */
TOLL_API int toll_table_additive(const toll_table *table);

/* A short caption stored with the table ("killed; attribution joint ..."),
 * or "" - owned by the table. */
TOLL_API const char *toll_table_caption(const toll_table *table);

/* Warnings of the call that made the table (a summary in which no report
 * carries any casualty category, ...), with the shape of a load's rejects
 * (file, line, record, field, text, message; code TOLL_OK).  The pointer
 * is owned by the table and valid until it is freed; NULL when i is out
 * of range. */
TOLL_API size_t toll_table_warning_count(const toll_table *table);
TOLL_API const toll_error *toll_table_warning(const toll_table *table,
                                              size_t i);

/*
 * Render the table to `write`.  `totals` adds a totals row to CSV and JSON;
 * Markdown and text always show one (for summary tables).  Integral doubles
 * print without decimals; others with up to 2 decimals.
 */
TOLL_API toll_status toll_table_render(const toll_table *table,
                                       toll_render_format format, int totals,
                                       toll_write_fn write, void *ctx,
                                       toll_error *err);

/*
 * Render into a new NUL-terminated buffer allocated with the table's
 * allocator; the caller frees it with toll_table_buffer_free(table, buf).
 */
TOLL_API toll_status toll_table_render_string(const toll_table *table,
                                              toll_render_format format,
                                              int totals, char **out,
                                              size_t *len, toll_error *err);
TOLL_API void toll_table_buffer_free(const toll_table *table, char *buf);

#ifdef __cplusplus
}
#endif
#endif /* TOLL_TABLE_H */
