/*
 * toll/common.h - status codes, error details, allocators, visibility.
 *
 * Every fallible toll call returns a toll_status.  When it is not TOLL_OK
 * and the caller passed a non-NULL toll_error, that struct is filled with
 * the details (file, line or record, field, offending text, and a formatted
 * message).  toll_error is a plain value owned by the caller: toll never
 * allocates for it, so it is filled even when memory has run out.
 *
 * The library never prints, exits, aborts or changes process-wide state.
 */
#ifndef TOLL_COMMON_H
#define TOLL_COMMON_H

#include <stddef.h>
#include <stdint.h>

#if defined(_WIN32)
#  if defined(TOLL_BUILDING)
#    define TOLL_API __declspec(dllexport)
#  else
#    define TOLL_API
#  endif
#elif defined(__GNUC__)
#  define TOLL_API __attribute__((visibility("default")))
#else
#  define TOLL_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

#define TOLL_VERSION_MAJOR 0
#define TOLL_VERSION_MINOR 2
#define TOLL_VERSION_PATCH 0
#define TOLL_VERSION_STRING "0.2.0"

/* X-macro table of status codes: one place for names and messages. */
#define TOLL_STATUS_MAP(X)                                                   \
    X(OK, "success")                                                         \
    X(ENOMEM, "out of memory")                                               \
    X(EINVAL, "invalid argument")                                            \
    X(EIO, "input/output error")                                             \
    X(EPARSE, "cannot parse input")                                          \
    X(EREPORT, "invalid report")                                             \
    X(ENOTFOUND, "not found")                                                \
    X(ERANGE, "value out of range")                                          \
    X(EMODEL, "model cannot be fitted")                                      \
    X(ENUMERIC, "numerical failure")

typedef enum toll_status {
#define TOLL__STATUS_ENUM(name, msg) TOLL_##name,
    TOLL_STATUS_MAP(TOLL__STATUS_ENUM)
#undef TOLL__STATUS_ENUM
    TOLL_STATUS_COUNT
} toll_status;

/* A static, never-NULL English description of `status`.
 * Thread-safe; the string is owned by the library and lives forever. */
TOLL_API const char *toll_strerror(toll_status status);

/* A static, never-NULL symbolic name ("TOLL_EPARSE") of `status`. */
TOLL_API const char *toll_status_name(toll_status status);

/*
 * Details of one failure.  A plain value: the caller owns it (stack or heap),
 * toll only writes into it.  Strings are always NUL-terminated and truncated
 * to fit.  Fields that do not apply are empty strings / zero / -1.
 *
 * `message` is the formatted line a user should see, for example
 *   reports.csv:118: field 'killed': cannot read "at leest 5" as a quantity
 */
typedef struct toll_error {
    toll_status code;
    char file[256];    /* input name ("reports.csv", "<records>"), or "" */
    long line;         /* 1-based line of the record in the input, or 0 */
    long record;       /* 0-based record index in the input, or -1 */
    char field[64];    /* the field at fault ("killed", "date_end"), or "" */
    char text[160];    /* the offending text, truncated, or "" */
    char message[640]; /* the whole formatted message */
} toll_error;

/* Reset `err` to "no error".  Accepts NULL. */
TOLL_API void toll_error_clear(toll_error *err);

/*
 * A memory allocator, passed per object.  Every object created with an
 * allocator uses it for all of its memory and for the memory of the results
 * it creates, unless the result's constructor takes an allocator of its own.
 * Pass NULL wherever an allocator is taken for the C library's
 * malloc/realloc/free.  toll copies the struct; `ctx` must stay valid for the
 * life of every object that uses it.
 *
 * realloc receives the old size; free receives the size of the block (0 when
 * unknown), so arena and counting allocators can be written easily.
 * malloc/realloc return NULL on failure; toll then returns TOLL_ENOMEM and
 * leaves the object as it was before the call.
 */
typedef struct toll_allocator {
    void *(*malloc)(void *ctx, size_t size);
    void *(*realloc)(void *ctx, void *ptr, size_t old_size, size_t new_size);
    void (*free)(void *ctx, void *ptr, size_t size);
    void *ctx;
} toll_allocator;

/* The default allocator (C library).  Static; owned by the library. */
TOLL_API const toll_allocator *toll_default_allocator(void);

/*
 * Output sink used by renderers: called with successive chunks of text.
 * Return 0 to continue, non-zero to stop (the call then returns TOLL_EIO).
 */
typedef int (*toll_write_fn)(void *ctx, const char *data, size_t len);

/* "No such index": what index lookups (toll_table_column_index) return
 * when nothing matches. */
#define TOLL_NPOS SIZE_MAX

/*
 * The rule of the CSV field delimiter, shared by every CSV reader (the
 * report loader's toll_load_options.csv_delimiter, the capture-history
 * loader's toll_mse_load_options.delimiter): tab or one printable ASCII
 * character other than '"'.  A quote, CR, LF, NUL, another control
 * character or a non-ASCII byte is TOLL_EINVAL, with a message naming the
 * character and what is allowed.
 */
TOLL_API toll_status toll_csv_delimiter_check(char c, toll_error *err);

/* Library version string, e.g. "0.2.0". Static. */
TOLL_API const char *toll_version(void);

#ifdef __cplusplus
}
#endif
#endif /* TOLL_COMMON_H */
