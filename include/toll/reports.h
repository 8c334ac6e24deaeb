/*
 * toll/reports.h - the report store: load casualty claims from JSON, JSON
 * Lines and CSV into a columnar store.
 *
 * A report is one source's claim about one incident (see README, "Report
 * format").  A toll_reports handle owns every report loaded into it and all
 * their strings; it can be loaded from several files in turn.
 *
 * Thread safety: the read-only accessors, toll_reconcile and everything
 * that reads incidents made from the store may run in several threads at
 * once (none of them writes to the store).  A load needs exclusive access:
 * it must not run concurrently with any other call on the same store, nor
 * with a read of incidents made from it, from another thread.  To read
 * while loading, load into a copy (toll_reports_copy) and switch readers
 * to it once the load is done.
 *
 * Loading into a store whose incidents (toll_incidents) are alive is
 * allowed: a load only appends (a failed strict load removes only what it
 * added), so existing incidents keep describing exactly the reports they
 * were made from, with the same results as before the load.  Reconcile
 * again to see the new reports.
 */
#ifndef TOLL_REPORTS_H
#define TOLL_REPORTS_H

#include "common.h"
#include "quantity.h"
#include "table.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct toll_reports toll_reports;

/* A column map: how a CSV's (or JSON object's) own column names map onto
 * the report fields.  Opaque; owned by whoever created it. */
typedef struct toll_colmap toll_colmap;

typedef enum toll_format {
    TOLL_FORMAT_AUTO = 0, /* from the file name: .json, .jsonl/.ndjson, .csv;
                             for buffers: sniffed from the first byte */
    TOLL_FORMAT_JSON,     /* a JSON array of report objects */
    TOLL_FORMAT_JSONL,    /* one JSON object per line */
    TOLL_FORMAT_CSV       /* CSV with a header row */
} toll_format;

typedef enum toll_source_kind {
    TOLL_SOURCE_OTHER = 0,
    TOLL_SOURCE_MONITOR,
    TOLL_SOURCE_RESCUE,
    TOLL_SOURCE_MEDIA,
    TOLL_SOURCE_PARTY,
    TOLL_SOURCE_UN,
    TOLL_SOURCE_NGO
} toll_source_kind;

/* "monitor", "rescue", ... ; static strings.  Unknown values: "other". */
TOLL_API const char *toll_source_kind_name(toll_source_kind kind);
/* Parse a kind name (case-insensitive) into *out (NULL: only check it).
 * TOLL_EINVAL if unknown or NULL; err (may be NULL) then names the text
 * and the accepted names. */
TOLL_API toll_status toll_source_kind_parse(const char *name,
                                            toll_source_kind *out,
                                            toll_error *err);

/*
 * A load's progress: `done` bytes of the input read of `total` (0 when the
 * size is not known, as for standard input; for compressed input both
 * count compressed bytes).  Called on the thread that called the load,
 * about once per MiB read, and with done == total once the input is read
 * (at the end of a successful load at the latest; a load that fails has
 * reported no more than it read).  A two-thread load reports both parts'
 * bytes.  It must not call back into the store being loaded.
 */
typedef void (*toll_progress_fn)(void *ctx, uint64_t done, uint64_t total);

/* Options for loading.  Initialise with toll_load_options_init. */
typedef struct toll_load_options {
    toll_format format;            /* default TOLL_FORMAT_AUTO */
    int lenient;                   /* 0 (default): strict - one bad record
                                      fails the load and nothing is added.
                                      1: valid records load; each rejected
                                      record is listed (toll_reports_reject) */
    const toll_colmap *colmap;     /* NULL: the report fields by their names */
    toll_parse_options parse;      /* lexicon and "about" tolerance */
    char csv_delimiter;            /* default ',' */
    char actor_separator;          /* separator of actors written as text
                                      (a CSV cell, a JSON string), default
                                      ';' */
    char region_separator;         /* `region` level separator, default '/' */
    /* Importers (docs/importers.md).  All optional; init leaves them
     * NULL / TOLL_REPAIR_DEFAULT. */
    const char *preset;            /* NULL, or an import preset: "ucdp-ged",
                                      "acled", "airwars", "ibc" (see
                                      toll/presets.h).  Its column map comes
                                      first; `colmap` entries override it. */
    int repair;                    /* toll_repair_mode: repair figures out of
                                      order (low > high, best outside) by
                                      widening, and listed as repairs */
    const char *encoding;          /* NULL or "utf-8" (default); "latin-1"
                                      (ISO-8859-1) or "windows-1252":
                                      transcoded to UTF-8 while reading */
    const char *date_format;       /* NULL: ISO dates only.  Else formats
                                      like "%d-%b-%y", several separated by
                                      '|', tried in order before ISO */
    int date_window_from;          /* the window of plausible dates: every
                                      date a report gives must lie in the
                                      years date_window_from ..
                                      date_window_to, or the record is
                                      rejected (TOLL_EREPORT naming the
                                      field and text).  0 (default): 1900 */
    int date_window_to;            /* 0 (default): the current year + 1
                                      (UTC).  Years 1..9999, FROM <= TO,
                                      else the load fails with TOLL_EINVAL */
    size_t threads;                /* CSV and JSON Lines loads: 0 (default)
                                      auto - two threads when the input is
                                      at least 4 MiB and the store uses the
                                      default allocator; 1: one thread;
                                      N >= 2: up to N (two are used).  The
                                      input is split at a record boundary,
                                      each part loaded into its own store
                                      and merged in order: the store ends
                                      exactly as after a one-thread load.
                                      With N >= 2 a caller's allocator is
                                      called from two threads at once and
                                      must be thread-safe.  JSON arrays and
                                      inputs that cannot be split load on
                                      one thread; so does a load whose
                                      thread cannot be started. */
    toll_progress_fn progress;     /* NULL (default), or called as the
                                      input is read: see toll_progress_fn */
    void *progress_ctx;            /* passed to `progress` */
} toll_load_options;

/* toll_load_options.repair. */
typedef enum toll_repair_mode {
    TOLL_REPAIR_DEFAULT = 0, /* the preset's choice; off without a preset */
    TOLL_REPAIR_OFF,         /* a record out of order is rejected */
    TOLL_REPAIR_ON           /* widen low/high to take in every figure given
                                (best kept); cut a region level that holds
                                the level separator; each repair listed */
} toll_repair_mode;

TOLL_API void toll_load_options_init(toll_load_options *opts);

/*
 * cJSON allocation hooks for faster JSON loads (docs/json-arena.md).  With
 * them installed, a JSON or JSON Lines load parses each report into an
 * arena owned by the load (through the store's allocator, reset after each
 * report) instead of a malloc per node.  cJSON's hooks are process-wide,
 * so toll never installs them itself: an application opts in once, before
 * loading (the toll CLI and the Python module do), with
 *
 *     cJSON_Hooks h = {toll_json_hook_malloc, toll_json_hook_free};
 *     cJSON_InitHooks(&h);
 *
 * Outside toll's own parse calls they are plain malloc and free, on every
 * thread, so other cJSON users in the program are unaffected.  Without
 * them (or after the program replaces them) loads use malloc: the same
 * results, slower.  A store's allocator must not call cJSON_InitHooks.
 */
TOLL_API void *toll_json_hook_malloc(size_t size);
TOLL_API void toll_json_hook_free(void *ptr);

/*
 * Create an empty report store using `alloc` (NULL: default allocator).
 * On success *out owns the store; free it with toll_reports_free.
 */
TOLL_API toll_status toll_reports_new(const toll_allocator *alloc,
                                      toll_reports **out, toll_error *err);

/* Free the store and everything it owns.  Accepts NULL.  Objects derived
 * from it (toll_incidents) must be freed first.  Loads may run while they
 * exist (see the top of this file). */
TOLL_API void toll_reports_free(toll_reports *reports);

/*
 * A deep copy of `src`: every report, quantity, kept field, category,
 * reject and repair, and the strings and actor sets with the same ids.
 * The copy shares nothing with `src`: either may be loaded into or freed
 * while the other lives.  `alloc` NULL: src's allocator.  On success *out
 * owns the copy (free it with toll_reports_free); on failure *out is NULL
 * and nothing is allocated (TOLL_ENOMEM, TOLL_EINVAL for a NULL src or
 * out).  It only reads `src`, so it may run while other threads read src
 * (not while one loads into it).  With it a caller can load into a copy
 * while other threads keep reading the original, then switch to the copy
 * (the Python module does so).
 */
TOLL_API toll_status toll_reports_copy(const toll_reports *src,
                                       const toll_allocator *alloc,
                                       toll_reports **out, toll_error *err);

/*
 * Load the file at `path`, appending its reports to the store.  `opts` may
 * be NULL for defaults.  In strict mode a bad record makes the call fail
 * with TOLL_EREPORT / TOLL_EPARSE and the store is exactly as before.  In
 * lenient mode the call succeeds; rejected records are listed by
 * toll_reports_reject_count/toll_reports_reject until the next load.
 * On TOLL_ENOMEM or TOLL_EIO the store is exactly as before the call.
 * *n_loaded (may be NULL) receives the number of reports added.
 */
TOLL_API toll_status toll_reports_load_file(toll_reports *reports,
                                            const char *path,
                                            const toll_load_options *opts,
                                            size_t *n_loaded, toll_error *err);

/* What a load in chunks calls with each chunk of reports (see
 * toll_reports_load_chunked); a status other than TOLL_OK stops the load
 * with that status (err, when set, says why). */
typedef toll_status (*toll_reports_chunk_fn)(toll_reports *reports,
                                             void *ctx, toll_error *err);

/*
 * Load the file at `path` (NULL: standard input, named "<stdin>", which
 * stays open) in chunks of `chunk` reports (0: 65536), on one thread:
 * each time the store holds `chunk` reports, and once at the end for the
 * rest, fn(reports, ctx, err) is called with them as the store's reports
 * 0 .. toll_reports_count - 1, after which their rows are dropped (their
 * quantities, kept fields and repairs too); the strings, actor sets and
 * categories stay, so string and set ids keep their values from chunk to
 * chunk.  The memory of the store is thus one chunk of reports plus the
 * distinct strings.  The store must hold no reports (TOLL_EINVAL).
 * Records, options and messages are those of toll_reports_load_file
 * (lenient rejects and warnings readable afterwards); on failure (a load
 * error or fn's status) the store is as before the call, but what fn did
 * with earlier chunks is the caller's to undo.  *n_loaded (may be NULL)
 * receives the number of reports read.
 */
TOLL_API toll_status toll_reports_load_chunked(toll_reports *reports,
                                               const char *path,
                                               const toll_load_options *opts,
                                               size_t chunk,
                                               toll_reports_chunk_fn fn,
                                               void *ctx, size_t *n_loaded,
                                               toll_error *err);

/*
 * As toll_reports_load_file, for `len` bytes of `data` (no NUL needed).
 * `name` names the input in error messages (NULL: "<buffer>").  With
 * TOLL_FORMAT_AUTO the format is sniffed: '[' JSON, '{' JSON Lines, else CSV.
 */
TOLL_API toll_status toll_reports_load_buffer(toll_reports *reports,
                                              const char *data, size_t len,
                                              const char *name,
                                              const toll_load_options *opts,
                                              size_t *n_loaded,
                                              toll_error *err);

/* --- Records given as values ------------------------------------------ */

/* The type of one member value of a record. */
typedef enum toll_value_type {
    TOLL_VALUE_NULL = 0, /* missing, as JSON null */
    TOLL_VALUE_BOOL,     /* `boolean` */
    TOLL_VALUE_NUMBER,   /* `text`: the number written as in JSON ("92",
                            "2.5", "1e3") */
    TOLL_VALUE_STRING,   /* `text`: len bytes of UTF-8 */
    TOLL_VALUE_LIST,     /* items[0..n_items): strings of item_lens bytes
                            (UTF-8), as a JSON array of strings */
    TOLL_VALUE_JSON      /* `text`: any JSON value, read as a JSON load
                            reads it (e.g. {"low": 5, "high": 9}) */
} toll_value_type;

typedef struct toll_value {
    toll_value_type type;
    int boolean;
    const char *text;
    size_t len;
    const char *const *items;
    const size_t *item_lens;
    size_t n_items;
} toll_value;

/* One member of a record: key (len bytes of UTF-8) and value. */
typedef struct toll_member {
    const char *key;
    size_t key_len;
    toll_value value;
} toll_member;

/* One record: members[0..n_members), as the members of a JSON object. */
typedef struct toll_record {
    const toll_member *members;
    size_t n_members;
} toll_record;

/*
 * Append records[0..n) to the store, exactly as a load of the same records
 * written as a JSON array would (the same options, presets, column maps,
 * strict / lenient semantics and messages), with record i located at line
 * i + 1 of the input `name` (NULL: "<records>").  The options format,
 * encoding, csv_delimiter and threads do not apply.  Every text is
 * borrowed for the call only: the store keeps copies.  Results, rejects and
 * rollback as for toll_reports_load_file.
 */
TOLL_API toll_status toll_reports_load_records(toll_reports *reports,
                                               const toll_record *records,
                                               size_t n, const char *name,
                                               const toll_load_options *opts,
                                               size_t *n_loaded,
                                               toll_error *err);

/* Number of reports in the store. */
TOLL_API size_t toll_reports_count(const toll_reports *reports);

/* Rejected records from the last lenient load.  The returned pointer is
 * owned by the store and valid until the next load or free. */
TOLL_API size_t toll_reports_reject_count(const toll_reports *reports);
TOLL_API const toll_error *toll_reports_reject(const toll_reports *reports,
                                               size_t i);

/* Warnings of the last load (strict or lenient): problems that do not
 * stop it, such as a load in which no report carries any casualty
 * category (the message lists the kept fields and suggests a column map).
 * Each has the shape of a reject (file, line, record, field, text,
 * message; code TOLL_OK).  The returned pointer is owned by the store and
 * valid until the next load or free; NULL when i is out of range.  A
 * failed load leaves none. */
TOLL_API size_t toll_reports_warning_count(const toll_reports *reports);
TOLL_API const toll_error *toll_reports_warning(const toll_reports *reports,
                                                size_t i);

/* Repairs (toll_load_options.repair) of the reports in the store, in
 * report order: one per repaired figure or region.  A repair stays with its
 * report (it is not cleared by the next load).  toll_reports_repair fills
 * *out with the location (file, line, field: the category or "region"),
 * the original text (err->text, e.g. "low 46, best 37, high 31") and a
 * message saying what changed; out->code is TOLL_OK.  TOLL_ERANGE when i
 * is out of range. */
TOLL_API size_t toll_reports_repair_count(const toll_reports *reports);
TOLL_API toll_status toll_reports_repair(const toll_reports *reports,
                                         size_t i, toll_error *out);

/* Distinct casualty categories seen ("killed", "children_killed", ...),
 * in first-seen order.  Strings owned by the store, valid until it is
 * freed. */
TOLL_API size_t toll_reports_category_count(const toll_reports *reports);
TOLL_API const char *toll_reports_category(const toll_reports *reports,
                                           size_t i);

/*
 * The stored reports as a table, one row per report in store order:
 * report ("FILE:LINE"), incident, source, source_kind, source_actor,
 * date_start, date_end, region, actor ("A + B"), id, url, note (STRING;
 * missing: TOLL_NULL_CODE), lat, lon (DOUBLE, WGS84 degrees; NaN when
 * none), location (STRING), precision_km (DOUBLE, the radius in km within
 * which lat/lon are known; NaN when not stated), then CATEGORY_low, CATEGORY_best and
 * CATEGORY_high for each category in toll_reports_category order (DOUBLE;
 * NaN when the report gives no figure or an unknown one; high is +inf for
 * an open range), then one STRING column per kept field, named after it
 * ("keep:NAME" when a column before it has the name, as GED's `region` and
 * ACLED's `source` do), in first-seen order.  On success *out owns a new table allocated with
 * `alloc` (NULL: the store's allocator) holding copies of every string, so
 * it outlives the store; free it with toll_table_free.
 */
TOLL_API toll_status toll_reports_table(const toll_reports *reports,
                                        const toll_allocator *alloc,
                                        toll_table **out, toll_error *err);

/* --- Column maps ------------------------------------------------------- */

/* Create an empty column map.  *out owns it; free with toll_colmap_free. */
TOLL_API toll_status toll_colmap_new(const toll_allocator *alloc,
                                     toll_colmap **out, toll_error *err);
TOLL_API void toll_colmap_free(toll_colmap *map);

/*
 * Add mappings from a spec string:
 *   "killed=civilian_deaths_min..civilian_deaths_max,actor=alleged_belligerent"
 * Each item is TARGET=SOURCE, where TARGET is a report field (source, date,
 * region, actor, killed, children_killed, ...) and SOURCE is a column name,
 * LOW..HIGH (two columns making one quantity), or for `region`
 * COL1/COL2/COL3 (levels from several columns), or a constant 'TEXT' in
 * single quotes (source='Airwars').  Targets match in any case
 * ("Killed" is killed).  Each target may be given once per spec: a
 * repeated one is TOLL_EINVAL, as in a JSON map.  Items of a later call
 * (a later spec, or a JSON map) override earlier ones for the same target.
 * TOLL_EINVAL names the bad item; the map is then unchanged.
 */
TOLL_API toll_status toll_colmap_parse(toll_colmap *map, const char *spec,
                                       toll_error *err);

/*
 * Add mappings from JSON text: {"killed": "civilian_deaths",
 * "injured": {"low": "inj_min", "high": "inj_max"},
 * "region": ["country", "adm_1"], "actor": "belligerent",
 * "source": {"value": "Airwars"}} ({"value": ...} is a constant).
 * A target given twice (in any case) is TOLL_EINVAL.
 */
TOLL_API toll_status toll_colmap_load_json(toll_colmap *map, const char *json,
                                           size_t len, const char *name,
                                           toll_error *err);

/* Same, from a file. */
TOLL_API toll_status toll_colmap_load_file(toll_colmap *map, const char *path,
                                           toll_error *err);

#ifdef __cplusplus
}
#endif
#endif /* TOLL_REPORTS_H */
