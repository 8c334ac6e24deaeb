/*
 * tests/fuzz/fuzz_split.c - libFuzzer harness: the two-thread split load
 * (src/io/split.c) against the one-thread load of the same bytes.
 *
 * The input is expanded to at least 4 MiB, where a load is split on two
 * threads: its first line (the CSV header) once, then copies of the rest
 * before and after the split point, padded with blank lines (expand).
 * In the input, byte 0x01 followed by a count byte c stands for the byte
 * before it repeated (c + 1) * 4096 times, so a short input holds lines
 * that run over the 1 MiB read chunks, the split point and the header
 * search.  The custom mutator (LLVMFuzzerCustomMutator) grows lines: it
 * inserts such runs, or lets libFuzzer mutate as usual.  Options come from
 * a hash of the input: CSV or JSON Lines, the CSV delimiter, strict or
 * lenient, from a file (1 MiB chunks) or a buffer.
 *
 * Per input: load the expanded bytes with threads = 1 and threads = 2 into
 * fresh stores; both must give the same status and error, the same count
 * of reports, the same rejects, and the same store (toll_reports_table
 * rendered to CSV, compared by length and hash).
 */
#include "fuzz_common.h"

#include "io/split.h"

#include <unistd.h>

#define MIN_SIZE ((size_t)4 << 20)
#define MAX_SIZE ((size_t)16 << 20)
#define RUN_UNIT 4096

size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max_size);

typedef struct grow {
    char *p;
    size_t len, cap;
} grow;

static void put(grow *g, const void *s, size_t n)
{
    if (g->len + n > MAX_SIZE)
        n = MAX_SIZE - g->len;
    if (g->len + n > g->cap) {
        size_t cap = g->cap ? g->cap : 1 << 16;
        while (cap < g->len + n)
            cap *= 2;
        g->p = realloc(g->p, cap);
        FUZZ_CHECK(g->p != NULL);
        g->cap = cap;
    }
    memcpy(g->p + g->len, s, n);
    g->len += n;
}

/* data[0..n) with its runs (0x01 c) expanded. */
static void put_expanded(grow *g, const uint8_t *data, size_t n)
{
    for (size_t i = 0; i < n && g->len < MAX_SIZE; i++) {
        if (data[i] != 1 || i + 1 == n) {
            put(g, data + i, 1);
            continue;
        }
        char c = g->len ? g->p[g->len - 1] : 'x';
        size_t k = ((size_t)data[i + 1] + 1) * RUN_UNIT;
        char block[RUN_UNIT];
        memset(block, c, sizeof block);
        for (size_t done = 0; done < k && g->len < MAX_SIZE; done += RUN_UNIT)
            put(g, block, RUN_UNIT);
        i++;
    }
}

/* Blank lines up to `size` bytes (cheap to load: both readers skip them). */
static void pad(grow *g, size_t size)
{
    char blank[4096];
    memset(blank, '\n', sizeof blank);
    while (g->len < size) {
        size_t k = size - g->len < sizeof blank ? size - g->len : sizeof blank;
        put(g, blank, k);
    }
}

/* Up to 16 copies of body, while under 1 MiB more. */
static void copies(grow *g, const uint8_t *body, size_t n)
{
    size_t start = g->len;
    for (int k = 0; k < 16 && g->len < start + ((size_t)1 << 20) &&
                    g->len < MAX_SIZE;
         k++)
        put_expanded(g, body, n);
}

/*
 * The bytes to load, MIN_SIZE at least: the first line once, then copies
 * of the rest, blank lines to just past the split point (52% of the
 * input), copies again, and blank lines to MIN_SIZE.  An input without a
 * line end is repeated: one long first line.
 */
static void expand(grow *g, const uint8_t *data, size_t n)
{
    const uint8_t *lf = memchr(data, '\n', n);
    if (!lf) {
        while (g->len < MIN_SIZE)
            put_expanded(g, data, n);
        return;
    }
    size_t head = (size_t)(lf - data) + 1;
    put_expanded(g, data, head);
    copies(g, data + head, n - head);
    pad(g, MIN_SIZE / 16 * 9);
    copies(g, data + head, n - head);
    pad(g, MIN_SIZE);
}

/* ---- one load ------------------------------------------------------------------ */

typedef struct outcome {
    toll_status st;
    toll_error err;
    size_t n_loaded, count, nrejects;
    toll_error *rejects;
    size_t table_len;
    uint64_t table_hash;
    int split; /* toll__par_last() */
} outcome;

static int hash_sink(void *ctx, const char *data, size_t len)
{
    outcome *o = ctx;
    for (size_t i = 0; i < len; i++) {
        o->table_hash ^= (unsigned char)data[i];
        o->table_hash *= UINT64_C(1099511628211);
    }
    o->table_len += len;
    return 0;
}

static char path[64];

static void load(const grow *g, const toll_load_options *tmpl, int from_file,
                 size_t threads, outcome *o)
{
    memset(o, 0, sizeof *o);
    o->table_hash = UINT64_C(1469598103934665603);
    toll_reports *r = NULL;
    toll_error e;
    FUZZ_CHECK(toll_reports_new(NULL, &r, &e) == TOLL_OK);
    toll_load_options opts = *tmpl;
    opts.threads = threads;
    o->st = from_file ? toll_reports_load_file(r, path, &opts, &o->n_loaded,
                                               &o->err)
                      : toll_reports_load_buffer(r, g->p, g->len, path, &opts,
                                                 &o->n_loaded, &o->err);
    o->split = toll__par_last();
    if (o->st)
        fuzz_check_error(&o->err, o->st);
    o->count = toll_reports_count(r);
    o->nrejects = toll_reports_reject_count(r);
    if (o->nrejects) {
        o->rejects = malloc(o->nrejects * sizeof *o->rejects);
        FUZZ_CHECK(o->rejects != NULL);
        for (size_t i = 0; i < o->nrejects; i++)
            o->rejects[i] = *toll_reports_reject(r, i);
    }
    toll_table *t = NULL;
    if (toll_reports_table(r, NULL, &t, &e) == TOLL_OK) {
        FUZZ_CHECK(toll_table_render(t, TOLL_RENDER_CSV, 0, hash_sink, o,
                                     &e) == TOLL_OK);
        toll_table_free(t);
    }
    toll_reports_free(r);
}

static void same_error(const toll_error *a, const toll_error *b)
{
    FUZZ_CHECK(a->code == b->code);
    FUZZ_CHECK(a->line == b->line);
    FUZZ_CHECK(a->record == b->record);
    FUZZ_CHECK(strcmp(a->field, b->field) == 0);
    FUZZ_CHECK(strcmp(a->text, b->text) == 0);
    FUZZ_CHECK(strcmp(a->message, b->message) == 0);
}

/* How the split loads went (toll__par_last), shown at exit. */
static size_t tally[3];

static void show_tally(void)
{
    fprintf(stderr,
            "fuzz_split: %zu loads split and merged, %zu split then loaded "
            "again on one thread, %zu on one thread\n",
            tally[1], tally[2], tally[0]);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    snprintf(path, sizeof path, "/tmp/toll-fuzz-split-%ld.data",
             (long)getpid());
    atexit(show_tally);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    uint64_t h = fuzz_hash(data, size);
    grow g = {NULL, 0, 0};
    expand(&g, data, size);
    toll_load_options opts;
    toll_load_options_init(&opts);
    opts.format = h & 1 ? TOLL_FORMAT_JSONL : TOLL_FORMAT_CSV;
    static const char delims[] = {',', ';', '\t', '|'};
    opts.csv_delimiter = delims[(h >> 1) & 3];
    opts.lenient = (h >> 3) & 1;
    int from_file = (h >> 4) & 3 ? 1 : 0; /* a quarter from a buffer */
    if (from_file) {
        FILE *f = fopen(path, "wb");
        FUZZ_CHECK(f != NULL);
        FUZZ_CHECK(fwrite(g.p, 1, g.len, f) == g.len);
        FUZZ_CHECK(fclose(f) == 0);
    }
    outcome one, two;
    load(&g, &opts, from_file, 1, &one);
    load(&g, &opts, from_file, 2, &two);
    FUZZ_CHECK(one.split == 0);
    tally[two.split]++;
    FUZZ_CHECK(one.st == two.st);
    if (one.st)
        same_error(&one.err, &two.err);
    FUZZ_CHECK(one.n_loaded == two.n_loaded);
    FUZZ_CHECK(one.count == two.count);
    FUZZ_CHECK(one.nrejects == two.nrejects);
    for (size_t i = 0; i < one.nrejects; i++)
        same_error(&one.rejects[i], &two.rejects[i]);
    FUZZ_CHECK(one.table_len == two.table_len);
    FUZZ_CHECK(one.table_hash == two.table_hash);
    free(one.rejects);
    free(two.rejects);
    free(g.p);
    if (from_file)
        unlink(path);
    return 0;
}

/* Grow a line: insert a run (0x01 c) after a random byte, or mutate as
 * libFuzzer does. */
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max_size,
                               unsigned int seed)
{
    uint32_t x = seed * 2654435761u + 1;
    if (size >= 1 && size + 2 <= max_size && (x >> 28) < 5) {
        size_t at = ((x >> 8) % size) + 1;
        memmove(data + at + 2, data + at, size - at);
        data[at] = 1;
        data[at + 1] = (uint8_t)(x * 7919u >> 24); /* up to 1 MiB */
        return size + 2;
    }
    return LLVMFuzzerMutate(data, size, max_size);
}
