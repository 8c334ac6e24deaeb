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

/* ---- import: reports from an Arrow stream ------------------------------- */

#ifdef __cplusplus
}
#endif

#endif /* TOLL_ARROW_H */
