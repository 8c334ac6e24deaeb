/*
 * toll/arrow.h - the Arrow C Data and C Stream Interfaces.
 *
 * Arrow's C Data Interface is an ABI: three plain structs that producer and
 * consumer each declare in their own code, so that no Arrow library is
 * needed on either side.  The declarations below follow the specification
 * (https://arrow.apache.org/docs/format/CDataInterface.html and
 * CStreamInterface.html) and are guarded by the macros the specification
 * names, so this header can be included next to Arrow's own headers or
 * nanoarrow's.
 *
 * Ownership follows the specification: whoever receives a struct filled in
 * by a producer owns it and must call its `release` callback exactly once
 * (after which `release` is NULL); moving a struct moves the obligation.
 */
#ifndef TOLL_ARROW_H
#define TOLL_ARROW_H

#include "common.h"

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#ifndef ARROW_C_DATA_INTERFACE
#define ARROW_C_DATA_INTERFACE

#define ARROW_FLAG_DICTIONARY_ORDERED 1
#define ARROW_FLAG_NULLABLE 2
#define ARROW_FLAG_MAP_KEYS_SORTED 4

/* The type of an array (a format string such as "l" for int64, "u" for
 * UTF-8 strings, "tdD" for date32), its name, and its children. */
struct ArrowSchema {
    const char *format;
    const char *name;
    const char *metadata;
    int64_t flags;
    int64_t n_children;
    struct ArrowSchema **children;
    struct ArrowSchema *dictionary;
    void (*release)(struct ArrowSchema *);
    void *private_data;
};

/* The data of an array: its buffers (validity bitmap first), children and
 * dictionary. */
struct ArrowArray {
    int64_t length;
    int64_t null_count;
    int64_t offset;
    int64_t n_buffers;
    int64_t n_children;
    const void **buffers;
    struct ArrowArray **children;
    struct ArrowArray *dictionary;
    void (*release)(struct ArrowArray *);
    void *private_data;
};

#endif /* ARROW_C_DATA_INTERFACE */

#ifndef ARROW_C_STREAM_INTERFACE
#define ARROW_C_STREAM_INTERFACE

/* A stream of record batches (struct arrays) sharing one schema.
 * get_schema and get_next return 0 or an errno value; get_next marks the
 * end of the stream by leaving out->release NULL; get_last_error describes
 * the last failure (owned by the stream, valid until the next call). */
struct ArrowArrayStream {
    int (*get_schema)(struct ArrowArrayStream *, struct ArrowSchema *out);
    int (*get_next)(struct ArrowArrayStream *, struct ArrowArray *out);
    const char *(*get_last_error)(struct ArrowArrayStream *);
    void (*release)(struct ArrowArrayStream *);
    void *private_data;
};

#endif /* ARROW_C_STREAM_INTERFACE */

/* ---- export: tables, incidents and reports as Arrow streams ------------- */

struct toll_table;

/*
 * Export `table` as an Arrow stream of one record batch (a struct array
 * with a child per column) followed by the end of the stream.  Incidents
 * and reports export through their tables (toll_incidents_table,
 * toll_reports_table).
 *
 * Types (docs/arrow.md): STRING columns are dictionary arrays (int32
 * indices, utf8 dictionary), those of kind TOLL_KIND_DATE date32; INT64
 * columns int64 (kind TOLL_KIND_FLAG: boolean); DOUBLE columns float64,
 * NaN also marked null (kind TOLL_KIND_COUNT: int64, NaN as null).  Fields
 * are named after the columns, a name that an earlier column already has
 * with the first free suffix "_2", "_3", ...; every field is nullable.
 * int64 and float64 arrays point at the table's own column buffers,
 * without copying.
 *
 * Ownership: on TOLL_OK the caller owns *out and must call out->release
 * once.  The stream, and every array it hands out, holds a reference to
 * the table, so the caller may free the table (toll_table_free) at any
 * time: its memory goes when the last of them is released.  Everything
 * the export allocates comes from the table's allocator, which must
 * therefore outlive the exported structs.  On failure out->release is
 * NULL.  A stream's callbacks may be called from any one thread at a
 * time; get_next reports ENOMEM or ERANGE with a message from
 * get_last_error.
 */
TOLL_API toll_status toll_table_export_arrow(const struct toll_table *table,
                                             struct ArrowArrayStream *out,
                                             toll_error *err);

/* The same table as a schema (a "+s" struct schema) and, separately, as
 * one struct array: the C Data Interface pair, with the ownership and
 * types of toll_table_export_arrow (the array holds a reference to the
 * table; the schema copies what it needs).  On failure out->release is
 * NULL. */
TOLL_API toll_status toll_table_export_arrow_schema(
    const struct toll_table *table, struct ArrowSchema *out,
    toll_error *err);
TOLL_API toll_status toll_table_export_arrow_array(
    const struct toll_table *table, struct ArrowArray *out, toll_error *err);

/* ---- import: reports from an Arrow stream ------------------------------- */

typedef struct toll_reports toll_reports;           /* toll/reports.h */
typedef struct toll_load_options toll_load_options; /* toll/reports.h */

/*
 * Append the rows of an Arrow stream to the store: each row one report,
 * each column a member named by the column's name, bound to report fields
 * by the same column map, preset and names as a CSV header is (a map or
 * preset column missing from the schema fails the load).  Every row goes
 * through the reader of CSV and JSON records, so every rule, option,
 * repair, warning and the strict / lenient semantics are those of
 * toll_reports_load_file; row i (from 0) is located at line i + 1, record
 * i, of the input `name` (NULL: "<arrow>").  The options format,
 * encoding, csv_delimiter and threads do not apply.
 *
 * Column types read (each row's value as the loaders of records read it):
 * null; bool (true/false); int8..int64 and uint8..uint64 (numbers);
 * float32 and float64 (numbers written as their shortest round-trip
 * text, integral values below 2^53 as integers; NaN is missing, an
 * infinity is an error of the record, as for records); utf8, large_utf8 and
 * utf8_view (texts, checked as UTF-8 without NUL bytes); date32, date64
 * and timestamp ("YYYY-MM-DD", or "YYYY-MM-DDTHH:MM:SS[.ffffff]" when the
 * time of day is not midnight; a zoned timestamp as its UTC time); and
 * dictionary-encoded columns of any of these.  A null is missing.  A
 * column of any other type (binary, decimal, list, struct, time,
 * duration ...) has no text to read or keep: the load fails with
 * TOLL_EINVAL naming the column and its Arrow format, whether a field
 * reads the column or it would be kept.
 *
 * Ownership: the stream is borrowed; the caller still owns it and must
 * release it (it is read to its end unless the load fails).  The schema
 * and the batches taken from it are released before the call returns.
 * The store keeps copies of every text.  A producer's error (get_schema or
 * get_next failing) gives TOLL_EIO with the producer's message.  Results,
 * rejects and rollback of a failed load as for toll_reports_load_file;
 * *n_loaded (may be NULL) receives the number of reports appended.
 */
TOLL_API toll_status toll_reports_load_arrow(toll_reports *reports,
                                             struct ArrowArrayStream *stream,
                                             const char *name,
                                             const toll_load_options *opts,
                                             size_t *n_loaded,
                                             toll_error *err);

#ifdef __cplusplus
}
#endif

#endif /* TOLL_ARROW_H */
