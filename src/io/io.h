/*
 * src/io/io.h - private declarations of the loaders (record.c, input.c,
 * load.c, colmap.c, presets.c, csv/, json/).  Nothing here is public API.
 *
 * Every input format turns one record into an array of toll__member
 * (key, value) pairs; a toll__binding says which members feed which report
 * field (by name, or through a column map); toll__ingest_record then
 * validates the values and appends one row to the store.
 */
#ifndef TOLL_SRC_IO_IO_H
#define TOLL_SRC_IO_IO_H

#include "store/store.h"
#include "core/core.h"
#include "base/strhash.h" /* toll__load64 */

#include <pthread.h>
#include <stdio.h>

struct cJSON;

/* ---- report fields -------------------------------------------------------- */

typedef enum toll__field {
    TOLL__F_INCIDENT = 0,
    TOLL__F_SOURCE,
    TOLL__F_SOURCE_KIND,
    TOLL__F_SOURCE_ACTOR,
    TOLL__F_DATE,
    TOLL__F_DATE_START,
    TOLL__F_DATE_END,
    TOLL__F_REGION,
    TOLL__F_ACTOR,
    TOLL__F_ID,
    TOLL__F_URL,
    TOLL__F_NOTE,
    TOLL__F_LAT,
    TOLL__F_LON,
    TOLL__F_LOCATION,
    TOLL__F_PRECISION_KM,
    TOLL__F_COUNT,
    /* a casualty category: a key ending in "killed" or "injured" */
    TOLL__F_CATEGORY = TOLL__F_COUNT,
    /* a kept field renamed by the map: target "keep:NAME" */
    TOLL__F_KEEP
} toll__field;

/* The prefix of kept-field targets in column maps ("keep:data_grade"). */
#define TOLL__KEEP_PREFIX "keep:"
#define TOLL__KEEP_PREFIX_LEN 5


/* The report field named s[0..len): a toll__field, TOLL__F_CATEGORY for a
 * category name, or -1 when it is not a report field. */
int toll__field_lookup(const char *s, size_t len);
/* 1 if s[0..len) names a casualty category (ends in killed/injured). */
int toll__is_category(const char *s, size_t len);
/* Static name of a core field ("source", ...). */
const char *toll__field_name(int field);

/* 1 if s[0..len) is valid UTF-8 (no overlongs, no surrogates, <= U+10FFFF);
 * otherwise 0 and *bad (may be NULL) receives the offset of the first bad
 * byte. */
int toll__utf8_valid(const char *s, size_t len, size_t *bad);

/* Raw JSON text already validated by cJSON: the index after the blanks at
 * s[i], and the index after the value (string, number, literal, array or
 * object) starting at s[i]. */
size_t toll__json_skip_ws(const char *s, size_t len, size_t i);
size_t toll__json_skip_value(const char *s, size_t len, size_t i);

/* The first '"' or '\\' in s[i..len), or len. */
static inline size_t toll__json_quote_or_escape(const char *s, size_t len,
                                                size_t i)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ &&  \
    defined(__GNUC__)
    const uint64_t ones = UINT64_C(0x0101010101010101),
                   highs = UINT64_C(0x8080808080808080),
                   bq = ones * '"', bb = ones * '\\';
    while (i + 8 <= len) {
        uint64_t x = toll__load64(s + i), q = x ^ bq, b = x ^ bb;
        /* high bit of the lowest byte equal to '"' or '\\' */
        uint64_t m = ((q - ones) & ~q & highs) | ((b - ones) & ~b & highs);
        if (m)
            return i + ((size_t)__builtin_ctzll(m) >> 3);
        i += 8;
    }
#endif
    while (i < len && s[i] != '"' && s[i] != '\\')
        i++;
    return i;
}

/* ---- column maps ---------------------------------------------------------- */

#define TOLL__CM_MAX_COLS 16

typedef enum toll__cmshape {
    TOLL__CM_COLUMN = 0, /* one column, read as the field itself */
    TOLL__CM_RANGE,      /* LOW..HIGH: col[0] low, col[1] high */
    TOLL__CM_RANGE3,     /* LOW..BEST..HIGH: col[0] low, col[1] best, col[2] high */
    TOLL__CM_LEVELS,     /* region levels, one column each; for `actor`:
                            several columns of actors (side_a+side_b) */
    TOLL__CM_CONST       /* a constant value: col[0] is the text */
} toll__cmshape;

typedef struct toll__cmentry {
    const char *target; /* report field name */
    size_t target_len;
    int field;          /* toll__field (TOLL__F_CATEGORY for categories) */
    int shape;          /* toll__cmshape */
    size_t ncols;
    const char *col[TOLL__CM_MAX_COLS]; /* column names (NUL-terminated) */
    size_t col_len[TOLL__CM_MAX_COLS];
    int optional;       /* a CSV header may lack its columns (a preset's
                           lat, lon and location: older extracts) */
    uint32_t optional_cols; /* bit k: the header may lack col[k] (written
                               "COLUMN?" in the map, src/io/colmap.c) */
    char *block;        /* owns target and col strings */
    size_t block_size;
} toll__cmentry;

struct toll_colmap {
    toll_allocator alloc;
    toll__cmentry *e;   /* later entries override earlier ones */
    size_t n, cap;
};

/* The entry in force for target s[0..len) (the last one), or NULL. */
const toll__cmentry *toll__colmap_find(const toll_colmap *map, const char *s,
                                       size_t len);
/* 1 if column s[0..len) is the source of some entry in force. */
int toll__colmap_uses(const toll_colmap *map, const char *s, size_t len);
/* Append copies of the entries of `src` to `dst` (so that they override
 * dst's).  On ENOMEM dst is unchanged. */
toll_status toll__colmap_append(toll_colmap *dst, const toll_colmap *src);

/* ---- presets (presets.c) --------------------------------------------------- */

/* The preset named `name` (case-insensitive), or NULL. */
const toll_preset *toll__preset_lookup(const char *name);

/* The precision radius (km) of the precision code s[0..len) (trimmed) of
 * preset p: 1 and *km set when p's table has the code ("2", or a number
 * equal to it, "2.0"), else 0. */
int toll__preset_precision(const toll_preset *p, const char *s, size_t len,
                           double *km);
/* The codes of p's table as "1, 2, 3" into buf (NUL-terminated,
 * truncated to size), for messages. */
void toll__preset_codes(const toll_preset *p, char *buf, size_t size);

/* ---- coordinates (record.c) ------------------------------------------------- */

/* Which number toll__geo_number reads. */
enum { TOLL__GEO_LAT = 0, TOLL__GEO_LON, TOLL__GEO_PRECISION };

/* What is wrong with a coordinate or precision, or with their set. */
enum {
    TOLL__GEO_OK = 0,
    TOLL__GEO_NOT_NUMBER,   /* not a decimal number (NaN, inf, words) */
    TOLL__GEO_RANGE,        /* lat outside [-90, 90], lon outside
                               [-180, 180], precision outside
                               [0, TOLL__PRECISION_MAX_KM] */
    TOLL__GEO_LAT_ALONE,    /* lat given without lon */
    TOLL__GEO_LON_ALONE,    /* lon given without lat */
    TOLL__GEO_PREC_ALONE    /* precision given without coordinates */
};

/* Half the Earth's circumference: the largest precision radius, km. */
#define TOLL__PRECISION_MAX_KM 20037.5

/*
 * The rule of one number of a report's place: s[0..len) (trimmed,
 * non-empty) read as the number `which` (TOLL__GEO_*) into *out.
 * Returns TOLL__GEO_OK, TOLL__GEO_NOT_NUMBER or TOLL__GEO_RANGE.  The one
 * reader of lat, lon and precision_km (src/io/record.c, src/io/csv/plan.c).
 */
int toll__geo_number(int which, const char *s, size_t len, double *out);
/*
 * The rule of the set: coordinates come as a pair, and a precision only
 * with them.  has_* say which were given; TOLL__GEO_OK or the problem
 * (TOLL__GEO_LAT_ALONE, TOLL__GEO_LON_ALONE, TOLL__GEO_PREC_ALONE).
 */
int toll__geo_check(int has_lat, int has_lon, int has_precision);

/* ---- record values ---------------------------------------------------------- */

typedef enum toll__vtype {
    TOLL__V_ABSENT = 0,
    TOLL__V_NULL,   /* JSON null */
    TOLL__V_TEXT,   /* a JSON string or a CSV cell: s/len decoded UTF-8 */
    TOLL__V_NUMBER, /* JSON number: s/len the number as written */
    TOLL__V_BOOL,   /* JSON true/false: s/len "true" or "false" */
    TOLL__V_ARRAY,  /* JSON array: s/len the raw text, json the node */
    TOLL__V_OBJECT  /* JSON object: s/len the raw text, json the node */
} toll__vtype;

typedef struct toll__val {
    int type;
    const char *s;
    size_t len;
    const struct cJSON *json;
} toll__val;

typedef struct toll__member {
    const char *key;
    size_t klen;
    toll__val v;
} toll__member;

/* One report field (or category) fed by one to TOLL__CM_MAX_COLS members. */
typedef struct toll__slot {
    int field;                     /* toll__field or TOLL__F_CATEGORY */
    int shape;                     /* toll__cmshape */
    const char *name;              /* target name (categories: the key) */
    size_t name_len;
    uint32_t category;             /* interned category name */
    const toll__cmentry *entry;    /* the map entry, NULL when by name */
    int coded;                     /* precision_km from a preset's code
                                      column (toll_preset.precision_column):
                                      read through its code table */
    size_t ncols;
    long col[TOLL__CM_MAX_COLS];   /* member index, -1 when absent */
} toll__slot;

/* Which members feed which fields.  Built once per CSV header, once per
 * JSON object. */
typedef struct toll__binding {
    toll__slot *slot;
    size_t nslots, slot_cap;
    uint8_t *extra;                /* extra[i]: member i is kept as an extra */
    size_t nmembers, extra_cap;
    size_t nextra;                 /* members kept as extras */
} toll__binding;

/* ---- a load in progress ----------------------------------------------------- */

/* Kinds of field with a memo of recent texts (see src/io/record.c). */
enum {
    TOLL__MEMO_TEXT = 0, /* source: string id */
    TOLL__MEMO_SOURCE_ACTOR, /* source_actor: string id of the actor */
    TOLL__MEMO_KIND,     /* source_kind */
    TOLL__MEMO_DATE,     /* date, date_start, date_end: first and last day */
    TOLL__MEMO_REGION,   /* region text: string id of the path */
    TOLL__MEMO_ACTOR,    /* actor text: actor set id */
    TOLL__MEMO_QTY,      /* a quantity's text */
    TOLL__MEMO_ACTOR_NAME, /* one actor's name: its string id */
    TOLL__MEMO_KINDS
};
struct toll__memo_ent;

typedef struct toll__ingest {
    toll_reports *r;
    const toll_load_options *opts;
    const toll_preset *preset; /* the load's preset, or NULL */
    /* keys of the preset's `incident` column are qualified by its dataset
     * ("ucdp-ged:300380", toll_preset.key_prefix); NULL when there is no
     * preset or the caller's column map gives `incident` */
    const char *key_prefix;
    const char *name;     /* input name used in messages */
    uint32_t file_id;     /* interned name */
    toll_error *err;      /* caller's error (may be NULL) */
    toll_error rec;       /* the current record's error */
    size_t n_loaded;
    long line, record;    /* location of the current record */
    int repair;           /* repair figures out of order and bad levels */
    const char *date_format; /* NULL: ISO dates */
    toll__date_window date_window; /* dates must lie in it (src/core/date.c) */
    /* JSON arrays: the current record starts on the line where the
     * previous one ends, so its messages name it ("F:1: record 4:") and
     * its location is FILE:LINE#RECORD (src/io/json/reader.c) */
    int record_in_message;
    const char *field;    /* the category being read (repair messages) */
    /* repairs of the current record (string ids), listed once it is appended */
    uint32_t *rep;
    size_t nrep, rep_cap;

    /* scratch, reused from record to record */
    toll__binding bind;
    toll__qcell *q;
    size_t q_cap;
    toll__kv *x;
    size_t x_cap;
    size_t xused;         /* kept text staged for the current record
                             (toll__reports_xtext_stage) */
    uint32_t *xkey;       /* per member of `bind`: string id of its name as
                             a kept field, 0 until first kept (reset by
                             toll__bind) */
    size_t xkey_cap;
    uint32_t *ids;
    size_t ids_cap;
    toll__buf text;
    toll__member *m;
    size_t m_cap;
    /* what recent texts read as, by kind of field (src/io/record.c): NULL until
     * first used, and left NULL when it cannot be allocated */
    struct toll__memo_ent *memo[TOLL__MEMO_KINDS];
    int memo_off;         /* an allocation failed: no memo for this load */
    /* the hash of the incident key of the current record, when the reader
     * computed it ahead (to prefetch): key_s/key_len are the trimmed text */
    const char *key_s;
    size_t key_len;
    uint32_t key_hash;
    /* quantities made of digits ("92", "85-92") may be read without the
     * parser: no lexicon word starts with a digit (src/io/load.c) */
    int num_fast;
    /* JSON: the keys `bind` was built for (reused while records repeat
     * them, src/io/json/reader.c) */
    toll__buf bkeys;
    size_t *bklen;
    size_t bklen_cap, bkn;
    int bkeys_valid;
    /* a part of a split load (src/io/split.c): the line its input
     * starts on (0: 1); the CSV tokenizer ended inside a quoted cell */
    long start_line;
    int csv_open_quote;
    /* a load in chunks (toll_reports_load_chunked, src/io/load.c): after
     * every `chunk` reports chunk_fn is called with them, then their rows
     * are dropped (toll__reports_drop_rows); NULL: a whole load */
    toll_reports_chunk_fn chunk_fn;
    void *chunk_ctx;
    size_t chunk;
} toll__ingest;

/*
 * Bind the members m[0..n) (keys only are used) to report fields, using
 * in->opts->colmap.  With `require` non-zero (CSV headers) a map column
 * missing from the members is an error (located at in->line).
 * Record errors come back as TOLL_EREPORT in in->rec; other statuses are
 * fatal.
 */
toll_status toll__bind(toll__ingest *in, toll__binding *b,
                       const toll__member *m, size_t n, int require);

/*
 * Validate the record m[0..n) bound by `b` and append it, located at
 * in->line / in->record.  Returns TOLL_OK when the record was loaded or,
 * in lenient mode, rejected; the record's TOLL_EREPORT / TOLL_EPARSE in
 * strict mode (details in in->err); fatal statuses (TOLL_ENOMEM) always.
 */
toll_status toll__ingest_record(toll__ingest *in, const toll__binding *b,
                                const toll__member *m, size_t n);

/*
 * Handle a record error already described in in->rec: in lenient mode add
 * it to the store's rejects and return TOLL_OK (or TOLL_ENOMEM); in strict
 * mode copy it to in->err and return its code.
 */
toll_status toll__ingest_reject(toll__ingest *in);

/* A load in chunks: when the store holds in->chunk reports (or, with
 * `all`, any), hand them to in->chunk_fn and drop their rows.  TOLL_OK
 * when the load is not in chunks. */
toll_status toll__ingest_flush_now(toll__ingest *in, int all);
static inline toll_status toll__ingest_flush(toll__ingest *in)
{
    return in->chunk_fn && in->r->n >= in->chunk
               ? toll__ingest_flush_now(in, 0)
               : TOLL_OK;
}

/* A fatal status of the load (TOLL_ENOMEM, or a full string pool) to the
 * caller's err, with its message. */
toll_status toll__ingest_fatal(toll__ingest *in, toll_status st);

/* Free the scratch of an ingest (record.c). */
void toll__ingest_free(toll__ingest *in);

/* Write s[0..len) into out (NUL-terminated, truncated to fit `size`),
 * with control bytes and bytes >= 0x80 as \xHH: a printable form of a
 * text holding invalid UTF-8, for error messages.  Returns the length. */
size_t toll__escape_bytes(const char *s, size_t len, char *out, size_t size);

/* The first of m[0..n) (in order) whose name (key) an earlier member has
 * too, or NULL; names of length 0 are skipped when skip_empty (CSV
 * headers).  O(n log n): a record or header of many names is not
 * quadratic.  *st = TOLL_ENOMEM (err set) when out of memory.  The one
 * check behind JSON keys, record members and CSV column names. */
const toll__member *toll__member_repeated(toll__ingest *in,
                                          const toll__member *m, size_t n,
                                          int skip_empty, toll_status *st);

/* Fill in->rec for the current record (file, line, record, field). */
toll_status toll__rec_err(toll__ingest *in, toll_status code,
                          const char *field, const char *text,
                          size_t text_len, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* A fatal error (ENOMEM, EIO, structural syntax) to the caller's err. */
toll_status toll__ingest_fail(toll__ingest *in, toll_status code,
                              long line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* ---- byte sources --------------------------------------------------------- */

#define TOLL__CHUNK (1u << 20)

typedef struct toll__unpack toll__unpack;

/* A load's progress (toll_load_options.progress): bytes read by every
 * thread of the load, reported on the thread that started it. */
typedef struct toll__progress {
    toll_progress_fn fn;
    void *ctx;
    uint64_t total;
    uint64_t done;       /* atomic: both parts of a split load add to it */
    uint64_t shown;      /* owner only: `done` when fn was last called */
    pthread_t owner;
} toll__progress;

/* Count n more bytes read; call fn when on the owner's thread. */
void toll__progress_add(toll__progress *p, uint64_t n);

/* The input is read again from byte `to`: count from there.  Only while one
 * thread reads.  Calls resume once the count passes what was shown. */
void toll__progress_rewind(toll__progress *p, uint64_t to);

/* Input bytes: a whole buffer, or a file read in chunks; either may be
 * compressed (then `unpack` inflates it, src/io/compressed.c). */
typedef struct toll__input {
    const char *data;     /* buffer mode */
    size_t len;
    int done;
    FILE *fp;             /* file mode */
    char *chunk;
    size_t chunk_cap;
    const toll_allocator *alloc;
    /* bytes read ahead for sniffing, returned by the next read */
    const char *peek;
    size_t peek_len;
    /* transcoding to UTF-8 (load option `encoding`) */
    int encoding;         /* TOLL__ENC_* */
    char *xbuf;           /* transcoded bytes of the last read */
    size_t xcap;
    /* file mode, a part of a split load (src/io/split.c): read at
     * most `remain` more bytes when `limited`; end early (as at the end of
     * the input) once *cancel is set */
    int limited;
    size_t remain;
    const int *cancel;
    toll__unpack *unpack; /* gzip or ZIP input: its decompressor */
    toll__progress *progress; /* NULL, or where bytes read are counted */
} toll__input;

enum { TOLL__ENC_UTF8 = 0, TOLL__ENC_LATIN1, TOLL__ENC_CP1252 };

/* Next chunk of input: *p and *n; *n == 0 at the end.  TOLL_EIO on a read
 * error (toll__input_what says what went wrong). */
toll_status toll__input_read(toll__input *src, const char **p, size_t *n);
/* What a failed toll__input_read met: "read error", or the
 * decompressor's message ("corrupt compressed data: ..."). */
const char *toll__input_what(const toll__input *src);

/* ---- compressed and archived input (src/io/compressed.c) ---- */

typedef enum toll__pack {
    TOLL__PACK_NONE = 0, /* plain bytes */
    TOLL__PACK_GZIP,     /* a gzip stream */
    TOLL__PACK_ZIP       /* a ZIP archive */
} toll__pack;

/* What the first n bytes at p are: gzip, ZIP, or neither; for a binary
 * format toll does not read (Parquet, xz, PDF, ...) *other names it ("a
 * Parquet file"), else it is NULL. */
toll__pack toll__pack_sniff(const char *p, size_t n, const char **other);
/* Make src (a regular file at offset 0, or a buffer) read as the
 * decompressed bytes of a `kind` input: toll__input_read then returns
 * them.  For a ZIP archive, *member receives the name of the one data file
 * it holds (owned by src until toll__unpack_close); an archive holding
 * none or several, an Excel workbook, an encrypted or damaged member is an
 * error naming `name`.  On error src is left as it was. */
toll_status toll__unpack_open(toll__input *src, toll__pack kind,
                              const char *name, const char **member,
                              toll_error *err);
/* The next decompressed bytes (toll__input_read calls it). */
toll_status toll__unpack_read(toll__input *src, const char **p, size_t *n);
/* Compressed bytes consumed so far, and in all (the file or buffer). */
uint64_t toll__unpack_consumed(const toll__input *src);
uint64_t toll__unpack_size(const toll__input *src);
/* Free src's decompressor, if any. */
void toll__unpack_close(toll__input *src);

/* Format readers (src/io/json/reader.c, src/io/csv/reader.c). */
toll_status toll__load_json_array(toll__ingest *in, toll__input *src);
toll_status toll__load_jsonl(toll__ingest *in, toll__input *src);
toll_status toll__load_csv(toll__ingest *in, toll__input *src);
/* Records given as values (toll_reports_load_records, src/io/records.c):
 * each turned into members as a JSON object's and ingested. */
toll_status toll__load_records(toll__ingest *in, const toll_record *recs,
                               size_t n);

/* The text of a value, a key or a list item given as a value (records,
 * Arrow columns) is valid: 0, or -1 with the record error set ("NUL
 * character in a value", "invalid UTF-8 in ..."; field: the member's key,
 * NULL for a key itself).  src/io/records.c. */
int toll__text_ok(toll__ingest *in, const char *field, const char *s,
                  size_t len);

/* A number given as a value (records, Arrow columns) is written as JSON
 * writes numbers ("inf" is not): 0, or -1 with the record error set ("not
 * a number: ..."; field: the member's key).  src/io/records.c. */
int toll__number_ok(toll__ingest *in, const char *field, const char *s,
                    size_t len);

/* The rows of an Arrow stream (toll_reports_load_arrow,
 * src/io/arrow.c): the schema bound as a CSV header, each row's values
 * read from the column buffers into members and ingested. */
struct ArrowArrayStream;
toll_status toll__load_arrow(toll__ingest *in,
                             struct ArrowArrayStream *stream);

/* Scratch growth helper: make *arr hold `need` elements. */
#define TOLL__GROW(in, arr, cap, need)                                       \
    toll__grow(&(in)->r->alloc, (void **)&(arr), &(cap), (need),            \
               sizeof *(arr))

#endif /* TOLL_SRC_IO_IO_H */
