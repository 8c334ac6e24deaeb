/*
 * src/io/load.c - the public entry points toll_reports_load_file,
 * toll_reports_load_buffer, toll_reports_load_records and
 * toll_reports_load_arrow: the options in force (presets applied),
 * compressed input recognised by its first bytes (compressed.c), the
 * format chosen (by option, extension or first byte), a split load on two
 * threads when it pays (split.c), and the rollback of a failed strict
 * load.
 */
#define _POSIX_C_SOURCE 200809L
#include "io/io.h"
#include "io/split.h"
#include "io/csv/delimiter.h"
#include "core/core.h" /* toll__lexicon_digit_led, for num_fast */
#include "toll/arrow.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

void toll_load_options_init(toll_load_options *opts)
{
    if (!opts)
        return;
    memset(opts, 0, sizeof *opts);
    opts->format = TOLL_FORMAT_AUTO;
    opts->lenient = 0;
    opts->colmap = NULL;
    toll_parse_options_init(&opts->parse);
    opts->csv_delimiter = ',';
    opts->actor_separator = ';';
    opts->region_separator = '/';
}

/* The encoding named by the load option (NULL: UTF-8); -1 if unknown. */
static int encoding_parse(const char *name)
{
    static const struct {
        const char *name;
        int enc;
    } names[] = {{"utf-8", TOLL__ENC_UTF8},         {"utf8", TOLL__ENC_UTF8},
                 {"latin-1", TOLL__ENC_LATIN1},     {"latin1", TOLL__ENC_LATIN1},
                 {"iso-8859-1", TOLL__ENC_LATIN1},  {"iso8859-1", TOLL__ENC_LATIN1},
                 {"windows-1252", TOLL__ENC_CP1252}, {"cp1252", TOLL__ENC_CP1252}};
    if (!name || !name[0])
        return TOLL__ENC_UTF8;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (toll__strncaseeq(name, strlen(name), names[i].name))
            return names[i].enc;
    return -1;
}

static int ext_is(const char *path, const char *ext)
{
    size_t pl = strlen(path), el = strlen(ext);
    return pl > el && toll__strncaseeq(path + pl - el, el, ext);
}

/* The file extensions that tell the format (TOLL_FORMAT_AUTO). */
#define KNOWN_EXTENSIONS ".json, .jsonl, .ndjson or .csv"

/* What toll reads, for the error about a format it does not. */
#define READABLE                                                              \
    "toll reads CSV, JSON and JSON Lines, plain, gzip-compressed or in a "    \
    "ZIP archive"

/* The format told by the extension of `path`; TOLL_FORMAT_AUTO for .json
 * (an array or JSON Lines, told by the first byte); -1 when the extension
 * is not a known one. */
static int ext_format(const char *path)
{
    if (ext_is(path, ".jsonl") || ext_is(path, ".ndjson"))
        return TOLL_FORMAT_JSONL;
    if (ext_is(path, ".json"))
        return TOLL_FORMAT_AUTO;
    if (ext_is(path, ".csv"))
        return TOLL_FORMAT_CSV;
    return -1;
}

/* The format from the first non-blank byte of the input. */
static toll_format sniff(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char c = p[i];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' ||
            c == '\v')
            continue;
        if (c == '[')
            return TOLL_FORMAT_JSON;
        if (c == '{')
            return TOLL_FORMAT_JSONL;
        return TOLL_FORMAT_CSV;
    }
    return TOLL_FORMAT_CSV;
}

/*
 * The options in force: `opts` with the preset (if any) applied.  *eff is
 * filled; *pmap receives the column map built for a preset (free it).
 * Bad options give TOLL_EINVAL naming the option.
 */
static toll_status effective_options(toll_reports *r,
                                     const toll_load_options *opts,
                                     toll_load_options *eff,
                                     toll_colmap **pmap,
                                     const toll_preset **ppreset,
                                     const char **key_prefix, int *repair,
                                     int *encoding, toll_error *err)
{
    *eff = *opts;
    *pmap = NULL;
    *ppreset = NULL;
    *key_prefix = NULL;
    const toll_preset *preset = NULL;
    toll_status st;
    if (opts->preset && opts->preset[0]) {
        if (toll_preset_find(opts->preset, &preset, err)) {
            if (err)
                err->code = TOLL_EINVAL;
            return TOLL_EINVAL;
        }
        if ((st = toll_colmap_new(&r->alloc, pmap, err)))
            return st;
        st = toll_colmap_parse(*pmap, preset->colmap, err);
        size_t npreset = (*pmap)->n;
        if (!st && opts->colmap)
            st = toll__colmap_append(*pmap, opts->colmap) ? toll__nomem(err)
                                                          : TOLL_OK;
        if (st)
            return st;
        eff->colmap = *pmap;
        *ppreset = preset;
        /* the preset's place columns may be missing (older extracts) */
        for (size_t i = 0; i < npreset; i++) {
            int f = (*pmap)->e[i].field;
            (*pmap)->e[i].optional = f == TOLL__F_LAT || f == TOLL__F_LON ||
                                     f == TOLL__F_LOCATION;
        }
        /* keys the preset assigns are qualified by its dataset; a key
         * column the caller maps is the caller's */
        const toll__cmentry *key = toll__colmap_find(*pmap, "incident", 8);
        if (key && key < (*pmap)->e + npreset)
            *key_prefix = preset->key_prefix;
        if ((eff->actor_separator == ';' || !eff->actor_separator) &&
            preset->actor_separator)
            eff->actor_separator = preset->actor_separator;
        if (!eff->date_format)
            eff->date_format = preset->date_format;
        if (!eff->encoding)
            eff->encoding = preset->encoding;
    }
    switch (opts->repair) {
    case TOLL_REPAIR_DEFAULT:
        *repair = preset && preset->repair == TOLL_REPAIR_ON;
        break;
    case TOLL_REPAIR_OFF:
        *repair = 0;
        break;
    case TOLL_REPAIR_ON:
        *repair = 1;
        break;
    default:
        return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "repair", NULL, 0,
                            "unknown repair mode %d", opts->repair);
    }
    if ((*encoding = encoding_parse(eff->encoding)) < 0)
        return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "encoding",
                            eff->encoding, strlen(eff->encoding),
                            "unknown encoding '%s' (expected utf-8, latin-1 "
                            "or windows-1252)",
                            eff->encoding);
    if (eff->csv_delimiter &&
        (st = toll__csv_delimiter_check(eff->csv_delimiter, "csv_delimiter",
                                        err)))
        return st;
    if (eff->date_format && !eff->date_format[0])
        eff->date_format = NULL;
    if (eff->date_format &&
        (st = toll__date_format_check(eff->date_format, err)))
        return st;
    return TOLL_OK;
}

/* What every load sets up: the options in force and the ingest. */
typedef struct load_setup {
    toll_load_options defaults, eff;
    toll_colmap *pmap;
    const toll_preset *preset;
    const char *key_prefix;
    int encoding;
    toll__mark mark;
} load_setup;

/*
 * Begin a load into r: the options in force (ls->eff), rejects cleared,
 * a mark for rollback and *in ready to ingest records named `name`.  On
 * failure nothing needs to be undone (finish_load is not called).
 */
static toll_status begin_load(toll_reports *r, const char *name,
                              const toll_load_options *opts, load_setup *ls,
                              toll__ingest *in, toll_error *err)
{
    if (!opts) {
        toll_load_options_init(&ls->defaults);
        opts = &ls->defaults;
    }
    int repair = 0;
    ls->encoding = TOLL__ENC_UTF8;
    toll_status st = effective_options(r, opts, &ls->eff, &ls->pmap,
                                       &ls->preset, &ls->key_prefix, &repair,
                                       &ls->encoding, err);
    if (st) {
        toll_colmap_free(ls->pmap);
        ls->pmap = NULL;
        return st;
    }
    opts = &ls->eff;
    toll__reports_clear_rejects(r);
    toll__reports_clear_warnings(r);
    toll__reports_mark(r, &ls->mark);

    memset(in, 0, sizeof *in);
    in->r = r;
    in->opts = opts;
    in->preset = ls->preset;
    in->key_prefix = ls->key_prefix;
    in->name = name;
    in->err = err;
    in->record = -1;
    in->repair = repair;
    in->date_format = ls->eff.date_format;
    if ((st = toll__date_window_init(&in->date_window, opts->date_window_from,
                                     opts->date_window_to, err))) {
        toll_colmap_free(ls->pmap);
        ls->pmap = NULL;
        return st;
    }
    in->num_fast = !toll__lexicon_digit_led(opts->parse.lexicon);
    toll_error_clear(&in->rec);
    toll__buf_init(&in->text, &r->alloc);
    toll__buf_init(&in->bkeys, &r->alloc);
    return TOLL_OK;
}

/* The warnings of a load that succeeded: its reports carry no casualty
 * category (the rule in src/store/store.c). */
static toll_status load_warnings(toll_reports *r, const load_setup *ls,
                                 toll__ingest *in)
{
    toll_error w;
    int applies = 0;
    if (toll__reports_no_category(r, ls->mark.n, r->n, in->name, &applies,
                                  &w))
        return toll__nomem(in->err);
    if (applies && toll__reports_add_warning(r, &w))
        return toll__nomem(in->err);
    return TOLL_OK;
}

/* End a load begun by begin_load with status st: its warnings, free the
 * ingest, roll back on failure, report the count. */
static toll_status finish_load(toll_reports *r, load_setup *ls,
                               toll__ingest *in, toll_status st,
                               size_t *n_loaded)
{
    if (!st)
        st = load_warnings(r, ls, in);
    toll__ingest_free(in);
    toll_colmap_free(ls->pmap);
    ls->pmap = NULL;
    if (st) {
        toll__reports_rollback(r, &ls->mark);
        toll__reports_clear_rejects(r);
        toll__reports_clear_warnings(r);
    }
    if (n_loaded)
        *n_loaded = st ? 0 : in->n_loaded;
    return st;
}

/*
 * The load: `fmt` is the format to use (AUTO: sniff), `path_hint` the file
 * name used for the extension, or NULL.
 */
/* A load in chunks (toll_reports_load_chunked). */
typedef struct chunking {
    toll_reports_chunk_fn fn;
    void *ctx;
    size_t chunk;
} chunking;

static toll_status load(toll_reports *r, toll__input *src, const char *name,
                        const char *path_hint, const toll_load_options *opts,
                        const chunking *ck, size_t *n_loaded,
                        toll_error *err)
{
    load_setup ls;
    toll__ingest in;
    toll_status st = begin_load(r, name, opts, &ls, &in, err);
    if (st)
        return st;
    if (ck) {
        in.chunk_fn = ck->fn;
        in.chunk_ctx = ck->ctx;
        in.chunk = ck->chunk;
    }
    opts = &ls.eff;
    src->encoding = ls.encoding;
    /* progress: bytes of the input (compressed bytes for packed input) */
    toll__progress prog;
    if (opts->progress) {
        memset(&prog, 0, sizeof prog);
        prog.fn = opts->progress;
        prog.ctx = opts->progress_ctx;
        prog.owner = pthread_self();
        if (src->unpack) {
            prog.total = toll__unpack_size(src);
        } else if (src->fp) {
            struct stat sb;
            if (fstat(fileno(src->fp), &sb) == 0 && S_ISREG(sb.st_mode))
                prog.total = (uint64_t)sb.st_size;
        } else {
            prog.total = src->len;
        }
        src->progress = &prog;
    }

    st = toll__strpool_intern(&r->strings, name, strlen(name), &in.file_id);
    if (st) {
        st = toll__ingest_fatal(&in, st);
        goto cleanup;
    }

    /* First chunk: skip a BOM, sniff the format. */
    const char *p;
    size_t n;
    if ((st = toll__input_read(src, &p, &n))) {
        st = st == TOLL_ENOMEM
                 ? toll__nomem(err)
                 : toll__seterr(err, TOLL_EIO, name, 0, -1, NULL, NULL, 0,
                                "%s", toll__input_what(src));
        goto cleanup;
    }
    if (n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) {
        p += 3;
        n -= 3;
    }
    src->peek = p;
    src->peek_len = n;
    toll_format fmt = opts->format;
    if (fmt == TOLL_FORMAT_AUTO && path_hint) {
        int ef = ext_format(path_hint);
        if (ef == TOLL_FORMAT_AUTO)
            fmt = sniff(p, n) == TOLL_FORMAT_JSONL ? TOLL_FORMAT_JSONL
                                                   : TOLL_FORMAT_JSON;
        else
            fmt = (toll_format)ef;
    }
    if (fmt == TOLL_FORMAT_AUTO)
        fmt = sniff(p, n);

    /* Two threads, each loading a part of the input into a store of its
     * own, merged in order (src/io/split.c); else one thread. */
    if (!ck && (fmt == TOLL_FORMAT_CSV || fmt == TOLL_FORMAT_JSONL) &&
        toll__load_split(&in, src, fmt, path_hint, &ls.mark, &st))
        goto cleanup;

    switch (fmt) {
    case TOLL_FORMAT_JSON:
        st = toll__load_json_array(&in, src);
        break;
    case TOLL_FORMAT_JSONL:
        st = toll__load_jsonl(&in, src);
        break;
    case TOLL_FORMAT_CSV:
        st = toll__load_csv(&in, src);
        break;
    default:
        st = toll__err(err, TOLL_EINVAL, "unknown input format %d", (int)fmt);
        break;
    }

    if (!st && ck) {
        /* the last chunk; the warning of a load without categories first,
         * while the rows of the last chunk are there to name its fields */
        if (r->ncategories == ls.mark.ncategories)
            st = load_warnings(r, &ls, &in);
        if (!st)
            st = toll__ingest_flush_now(&in, 1);
    }

cleanup:
    toll__free(&r->alloc, src->xbuf, src->xcap);
    src->xbuf = NULL;
    src->xcap = 0;
    if (src->progress == &prog) {
        src->progress = NULL;
        uint64_t done = __atomic_load_n(&prog.done, __ATOMIC_RELAXED);
        uint64_t end = prog.total ? prog.total : done;
        if (!st && prog.shown != end)
            prog.fn(prog.ctx, end, prog.total);
    }
    return finish_load(r, &ls, &in, st, n_loaded);
}

/*
 * The load of compressed input: src inflated as it is read.  A gzip
 * stream's format comes from `path` without its ".gz" (sniffed when that
 * does not tell it); a ZIP archive's from its data file, named in messages
 * and provenance as "NAME/MEMBER".
 */
static toll_status load_packed(toll_reports *r, toll__input *src,
                               toll__pack kind, const char *name,
                               const char *path, const toll_load_options *opts,
                               const chunking *ck, size_t *n_loaded,
                               toll_error *err)
{
    const char *member = NULL;
    toll_status st = toll__unpack_open(src, kind, name, &member, err);
    if (st)
        return st;
    const char *hint = NULL, *shown = name;
    char *buf = NULL;
    size_t cap = 0;
    if (kind == TOLL__PACK_ZIP) {
        size_t nl = strlen(name), ml = strlen(member);
        cap = nl + ml + 2;
        if (!(buf = toll__alloc(&r->alloc, cap))) {
            toll__unpack_close(src);
            return toll__nomem(err);
        }
        memcpy(buf, name, nl);
        buf[nl] = '/';
        memcpy(buf + nl + 1, member, ml + 1);
        shown = buf;
        hint = member;
    } else if (path && ext_is(path, ".gz")) {
        cap = strlen(path) - 2;
        if (!(buf = toll__alloc(&r->alloc, cap))) {
            toll__unpack_close(src);
            return toll__nomem(err);
        }
        memcpy(buf, path, cap - 1);
        buf[cap - 1] = '\0';
        hint = ext_format(buf) >= 0 ? buf : NULL;
    }
    st = load(r, src, shown, hint, opts, ck, n_loaded, err);
    toll__unpack_close(src);
    if (buf)
        toll__free(&r->alloc, buf, cap);
    return st;
}

toll_status toll_reports_load_records(toll_reports *reports,
                                      const toll_record *records, size_t n,
                                      const char *name,
                                      const toll_load_options *opts,
                                      size_t *n_loaded, toll_error *err)
{
    if (n_loaded)
        *n_loaded = 0;
    if (!reports || (n && !records))
        return toll__err(err, TOLL_EINVAL,
                         "toll_reports_load_records: reports or records is "
                         "NULL");
    if (!name)
        name = "<records>";
    load_setup ls;
    toll__ingest in;
    toll_status st = begin_load(reports, name, opts, &ls, &in, err);
    if (st)
        return st;
    st = toll__strpool_intern(&reports->strings, name, strlen(name),
                              &in.file_id);
    if (st)
        st = toll__ingest_fatal(&in, st);
    else
        st = toll__load_records(&in, records, n);
    return finish_load(reports, &ls, &in, st, n_loaded);
}

toll_status toll_reports_load_arrow(toll_reports *reports,
                                    struct ArrowArrayStream *stream,
                                    const char *name,
                                    const toll_load_options *opts,
                                    size_t *n_loaded, toll_error *err)
{
    if (n_loaded)
        *n_loaded = 0;
    if (!reports || !stream || !stream->get_schema || !stream->get_next ||
        !stream->release)
        return toll__err(err, TOLL_EINVAL,
                         "toll_reports_load_arrow: reports or stream is "
                         "NULL, or the stream is released");
    if (!name)
        name = "<arrow>";
    load_setup ls;
    toll__ingest in;
    toll_status st = begin_load(reports, name, opts, &ls, &in, err);
    if (st)
        return st;
    st = toll__strpool_intern(&reports->strings, name, strlen(name),
                              &in.file_id);
    if (st)
        st = toll__ingest_fatal(&in, st);
    else
        st = toll__load_arrow(&in, stream);
    return finish_load(reports, &ls, &in, st, n_loaded);
}

toll_status toll_reports_load_buffer(toll_reports *reports, const char *data,
                                     size_t len, const char *name,
                                     const toll_load_options *opts,
                                     size_t *n_loaded, toll_error *err)
{
    if (n_loaded)
        *n_loaded = 0;
    if (!reports || (!data && len))
        return toll__err(err, TOLL_EINVAL,
                         "toll_reports_load_buffer: reports or data is NULL");
    toll__input src;
    memset(&src, 0, sizeof src);
    src.data = data ? data : "";
    src.len = len;
    src.alloc = &reports->alloc;
    if (!name)
        name = "<buffer>";
    const char *other;
    toll__pack kind = toll__pack_sniff(src.data, len, &other);
    if (other)
        return toll__seterr(err, TOLL_EPARSE, name, 0, -1, NULL, NULL, 0,
                            "this is %s, not CSV or JSON (" READABLE ")",
                            other);
    if (kind == TOLL__PACK_NONE)
        return load(reports, &src, name, NULL, opts, NULL, n_loaded, err);
    return load_packed(reports, &src, kind, name, NULL, opts, NULL, n_loaded,
                       err);
}

/*
 * Open `path` for a load into *src (file mode) and tell *kind from its
 * first bytes.  Errors name the path: it cannot be opened, is a
 * directory, is a binary format toll does not read, is named .gz or .zip
 * without being one, or (plain, without a format option) has an extension
 * that does not tell the format.  On error src->fp is closed.
 */
static toll_status open_input(const char *path, const toll_load_options *opts,
                              toll__input *src, toll__pack *kind,
                              toll_error *err)
{
    *kind = TOLL__PACK_NONE;
    src->fp = fopen(path, "rb");
    if (!src->fp) {
        int e = errno;
        char msg[128];
        if (strerror_r(e, msg, sizeof msg))
            snprintf(msg, sizeof msg, "error %d", e);
        return toll__seterr(err, e == ENOENT ? TOLL_ENOTFOUND : TOLL_EIO,
                            path, 0, -1, NULL, NULL, 0, "cannot open: %s",
                            msg);
    }
    struct stat sb;
    int stat_ok = fstat(fileno(src->fp), &sb) == 0;
    const char *why = NULL, *other = NULL;
    toll_status code = TOLL_EPARSE;
    if (stat_ok && S_ISDIR(sb.st_mode)) {
        fclose(src->fp);
        src->fp = NULL;
        errno = EISDIR; /* as a read of it would (bindings use errno) */
        return toll__seterr(err, TOLL_EIO, path, 0, -1, NULL, NULL, 0,
                            "is a directory, not a file of reports");
    }
    /* What the first bytes say: gzip, ZIP, or a binary format toll does
     * not read (told by name rather than misread as CSV). */
    char head[16];
    ssize_t hn = stat_ok && S_ISREG(sb.st_mode)
                     ? pread(fileno(src->fp), head, sizeof head, 0)
                     : 0;
    *kind = toll__pack_sniff(head, hn > 0 ? (size_t)hn : 0, &other);
    int gz = ext_is(path, ".gz");
    if (other)
        why = "this is %s, not CSV or JSON (" READABLE ")";
    else if (*kind == TOLL__PACK_NONE && (gz || ext_is(path, ".zip")))
        why = gz ? "the name says gzip, but the file does not start as gzip "
                   "data does"
                 : "the name says ZIP, but the file does not start as a ZIP "
                   "archive does";
    else if (*kind == TOLL__PACK_NONE &&
             (!opts || opts->format == TOLL_FORMAT_AUTO) &&
             ext_format(path) < 0)
        code = TOLL_EINVAL; /* without a format, the extension must tell */
    if (!why && code == TOLL_EPARSE)
        return TOLL_OK;
    fclose(src->fp);
    src->fp = NULL;
    if (why)
        return toll__seterr(err, code, path, 0, -1, NULL, NULL, 0, why,
                            other);
    const char *slash = strrchr(path, '/');
    const char *dot = strrchr(slash ? slash + 1 : path, '.');
    return toll__seterr(err, TOLL_EINVAL, path, 0, -1, NULL, dot ? dot : "",
                        dot ? strlen(dot) : 0,
                        "unknown file extension%s%s%s (known: %s), and not "
                        "gzip or ZIP data; give the format (--format-in, "
                        "Python format=)",
                        dot ? " '" : "", dot ? dot : "", dot ? "'" : "",
                        KNOWN_EXTENSIONS);
}

/* The load of an opened input (open_input): inflated when packed, else
 * read in chunks of the input's own buffer. */
static toll_status load_opened(toll_reports *r, toll__input *src,
                               toll__pack kind, const char *name,
                               const char *path, const toll_load_options *opts,
                               const chunking *ck, size_t *n_loaded,
                               toll_error *err)
{
    if (kind != TOLL__PACK_NONE)
        return load_packed(r, src, kind, name, path, opts, ck, n_loaded, err);
    src->chunk_cap = TOLL__CHUNK;
    src->chunk = toll__alloc(&r->alloc, src->chunk_cap);
    if (!src->chunk)
        return toll__nomem(err);
    toll_status st = load(r, src, name, path, opts, ck, n_loaded, err);
    toll__free(&r->alloc, src->chunk, src->chunk_cap);
    src->chunk = NULL;
    return st;
}

toll_status toll_reports_load_file(toll_reports *reports, const char *path,
                                   const toll_load_options *opts,
                                   size_t *n_loaded, toll_error *err)
{
    if (n_loaded)
        *n_loaded = 0;
    if (!reports || !path)
        return toll__err(err, TOLL_EINVAL,
                         "toll_reports_load_file: reports or path is NULL");
    toll__input src;
    memset(&src, 0, sizeof src);
    src.alloc = &reports->alloc;
    toll__pack kind;
    toll_status st = open_input(path, opts, &src, &kind, err);
    if (st)
        return st;
    st = load_opened(reports, &src, kind, path, path, opts, NULL, n_loaded,
                     err);
    fclose(src.fp);
    return st;
}

toll_status toll_reports_load_chunked(toll_reports *reports, const char *path,
                                      const toll_load_options *opts,
                                      size_t chunk, toll_reports_chunk_fn fn,
                                      void *ctx, size_t *n_loaded,
                                      toll_error *err)
{
    if (n_loaded)
        *n_loaded = 0;
    if (!reports || !fn)
        return toll__err(err, TOLL_EINVAL,
                         "toll_reports_load_chunked: reports or fn is NULL");
    if (reports->n)
        return toll__err(err, TOLL_EINVAL,
                         "toll_reports_load_chunked: the store holds %zu "
                         "reports; a load in chunks needs an empty one",
                         reports->n);
    chunking ck = {fn, ctx, chunk ? chunk : 65536};
    toll__input src;
    memset(&src, 0, sizeof src);
    src.alloc = &reports->alloc;
    const char *name = path ? path : "<stdin>";
    toll__pack kind = TOLL__PACK_NONE;
    toll_status st;
    if (path) {
        if ((st = open_input(path, opts, &src, &kind, err)))
            return st;
    } else {
        src.fp = stdin;
    }
    st = load_opened(reports, &src, kind, name, path, opts, &ck, n_loaded,
                     err);
    if (path)
        fclose(src.fp);
    return st;
}
