/*
 * bench/ceilings.c - how fast the parsers under toll's loaders run by
 * themselves, on one core, with the input already in memory.
 *
 *   toll_ceilings FILE [--runs N]
 *
 * FILE ending in .jsonl: for each line,
 *   split         find the line ends (memchr) and nothing else
 *   cjson-malloc  cJSON_ParseWithLength + cJSON_Delete, cJSON's default
 *                 malloc/free hooks
 *   cjson-arena   the same parse through toll's per-load arena
 *                 (toll_json_hook_malloc/free installed, as the CLI does;
 *                 src/io/json/arena.c), the tree dropped by resetting it
 *   cjson-walk    cjson-arena, then each member of the record visited by
 *                 iterating the children (the string or number read), as
 *                 the loader does before it does any work of its own
 * FILE ending in .csv:
 *   split         find the line ends (memchr)
 *   csvscan       toll's CSV tokenizer (src/io/csv/csvscan.c) fed 1 MiB chunks,
 *                 a callback that only counts the cells
 *   libcsv        libcsv's csv_parse over the same chunks, with field and
 *                 row callbacks that only count
 *
 * Each figure is the best of N runs (default 5): seconds, MB/s (input size
 * over time) and ns per record.  These are ceilings for the loaders: a
 * load does all of this and then its own work per record.  Not installed.
 */
#define _POSIX_C_SOURCE 200809L
#include <toll/toll.h>

#include "io/csv/csvscan.h"
#include "store/store.h"
#include "reconcile/reconcile.h"
#include "render/render.h"
#include "io/json/arena.h"

#include <cjson/cJSON.h>
#include <csv.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

typedef struct input {
    char *data;
    size_t len;
    size_t records; /* lines (JSONL) or lines after the header (CSV) */
} input;

static int read_all(const char *path, input *in)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "toll_ceilings: cannot open %s\n", path);
        return -1;
    }
    size_t cap = 1 << 20, len = 0;
    char *buf = malloc(cap + 1);
    for (;;) {
        if (!buf) {
            fclose(f);
            fprintf(stderr, "toll_ceilings: out of memory\n");
            return -1;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (len < cap)
            break;
        cap *= 2;
        char *nb = realloc(buf, cap + 1);
        if (!nb)
            free(buf);
        buf = nb;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        fprintf(stderr, "toll_ceilings: cannot read %s\n", path);
        return -1;
    }
    buf[len] = '\0';
    in->data = buf;
    in->len = len;
    return 0;
}

typedef double (*pass_fn)(const input *in, size_t *sink);

/* ---- passes ------------------------------------------------------------- */

static double pass_split(const input *in, size_t *sink)
{
    double t0 = now();
    const char *p = in->data, *end = in->data + in->len;
    size_t n = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            nl = end;
        n += (size_t)(nl - p) > 0;
        p = nl + 1;
    }
    *sink += n;
    return now() - t0;
}

static size_t walk(const cJSON *root)
{
    size_t acc = 0;
    for (const cJSON *c = root ? root->child : NULL; c; c = c->next) {
        acc += (size_t)(unsigned char)c->string[0];
        if (cJSON_IsString(c))
            acc += (size_t)(unsigned char)c->valuestring[0];
        else if (cJSON_IsNumber(c))
            acc += (size_t)c->valuedouble;
        else if (cJSON_IsObject(c))
            for (const cJSON *k = c->child; k; k = k->next)
                acc += (size_t)k->valuedouble;
    }
    return acc;
}

static double json_pass(const input *in, size_t *sink, int mode)
{
    toll__json_arena ar;
    toll__json_arena_init(&ar, toll_default_allocator());
    double t0 = now();
    const char *p = in->data, *end = in->data + in->len;
    size_t acc = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            nl = end;
        size_t n = (size_t)(nl - p);
        if (n) {
            if (mode == 0) {
                cJSON *root = cJSON_ParseWithLength(p, n);
                acc += root != NULL;
                cJSON_Delete(root);
            } else {
                cJSON *root = NULL;
                const char *e = NULL;
                if (toll__json_arena_parse(&ar, p, n, &e, &root) ==
                    TOLL__JP_OK) {
                    acc += mode == 2 ? walk(root) : 1u;
                }
                toll__json_arena_release(&ar, root);
            }
        }
        p = nl + 1;
    }
    double dt = now() - t0;
    if (toll__json_arena_is_off(&ar))
        fprintf(stderr, "toll_ceilings: the arena is off (hooks not ours)\n");
    toll__json_arena_free(&ar);
    *sink += acc;
    return dt;
}

static double pass_cjson_malloc(const input *in, size_t *sink)
{
    cJSON_InitHooks(NULL);
    return json_pass(in, sink, 0);
}

static double pass_cjson_arena(const input *in, size_t *sink)
{
    cJSON_Hooks h = {toll_json_hook_malloc, toll_json_hook_free};
    cJSON_InitHooks(&h);
    return json_pass(in, sink, 1);
}

static double pass_cjson_walk(const input *in, size_t *sink)
{
    cJSON_Hooks h = {toll_json_hook_malloc, toll_json_hook_free};
    cJSON_InitHooks(&h);
    return json_pass(in, sink, 2);
}

#define CHUNK ((size_t)1 << 20)

static toll_status count_row(void *ctx, const toll__csvscan *sc)
{
    *(size_t *)ctx += sc->ncells;
    return TOLL_OK;
}

static double pass_csvscan(const input *in, size_t *sink)
{
    toll__csvscan sc;
    toll__csv_init(&sc, toll_default_allocator(), ',');
    size_t cells = 0;
    double t0 = now();
    for (size_t off = 0; off < in->len; off += CHUNK) {
        size_t n = in->len - off < CHUNK ? in->len - off : CHUNK;
        if (toll__csv_feed(&sc, in->data + off, n, count_row, &cells))
            break;
    }
    toll__csv_finish(&sc, count_row, &cells);
    double dt = now() - t0;
    toll__csv_free(&sc);
    *sink += cells;
    return dt;
}

static void lib_field(void *s, size_t n, void *ctx)
{
    (void)s;
    *(size_t *)ctx += n + 1;
}

static void lib_row(int c, void *ctx)
{
    (void)c;
    *(size_t *)ctx += 1;
}

static double pass_libcsv(const input *in, size_t *sink)
{
    struct csv_parser p;
    if (csv_init(&p, CSV_APPEND_NULL) != 0)
        return -1.0;
    size_t acc = 0;
    double t0 = now();
    for (size_t off = 0; off < in->len; off += CHUNK) {
        size_t n = in->len - off < CHUNK ? in->len - off : CHUNK;
        if (csv_parse(&p, in->data + off, n, lib_field, lib_row, &acc) != n)
            break;
    }
    csv_fini(&p, lib_field, lib_row, &acc);
    double dt = now() - t0;
    csv_free(&p);
    *sink += acc;
    return dt;
}

/* ---- main --------------------------------------------------------------- */

static int ends_with(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && !strcmp(s + a - b, suf);
}

int main(int argc, char **argv)
{
    const char *file = NULL;
    int runs = 5;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--runs") && i + 1 < argc)
            runs = atoi(argv[++i]);
        else if (!file)
            file = argv[i];
        else {
            fprintf(stderr, "usage: toll_ceilings FILE [--runs N]\n");
            return 2;
        }
    }
    if (!file || runs < 1) {
        fprintf(stderr, "usage: toll_ceilings FILE [--runs N]\n");
        return 2;
    }
    int json = ends_with(file, ".jsonl");
    if (!json && !ends_with(file, ".csv")) {
        fprintf(stderr, "toll_ceilings: %s: expected .jsonl or .csv\n", file);
        return 2;
    }
    input in = {0};
    if (read_all(file, &in))
        return 1;
    size_t sink = 0;
    pass_split(&in, &sink);
    in.records = sink - (json ? 0u : 1u); /* CSV: minus the header */

    static const struct {
        const char *name;
        pass_fn fn;
    } jpasses[] = {{"split", pass_split},
                   {"cjson-malloc", pass_cjson_malloc},
                   {"cjson-arena", pass_cjson_arena},
                   {"cjson-walk", pass_cjson_walk}},
      cpasses[] = {{"split", pass_split},
                   {"csvscan", pass_csvscan},
                   {"libcsv", pass_libcsv}};
    size_t np = json ? sizeof jpasses / sizeof *jpasses
                     : sizeof cpasses / sizeof *cpasses;
    printf("file %s\nbytes %zu\nrecords %zu\n", file, in.len, in.records);
    for (size_t k = 0; k < np; k++) {
        const char *name = json ? jpasses[k].name : cpasses[k].name;
        pass_fn fn = json ? jpasses[k].fn : cpasses[k].fn;
        double best = 1e30;
        for (int r = 0; r < runs; r++) {
            double dt = fn(&in, &sink);
            if (dt >= 0 && dt < best)
                best = dt;
        }
        printf("%s_s %.4f\n%s_mb_s %.0f\n%s_ns_record %.1f\n", name, best,
               name, (double)in.len / 1e6 / best, name,
               best * 1e9 / (double)(in.records ? in.records : 1));
    }
    fprintf(stderr, "(checksum %zu)\n", sink);
    free(in.data);
    return 0;
}
