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

#ifdef __cplusplus
}
#endif

#endif /* TOLL_ARROW_H */
