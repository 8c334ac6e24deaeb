/*
 * bench/phases.c - time the phases of the benchmark job in one process and
 * print the figures of the speed and memory targets (bench/RESULTS.md).
 *
 *   toll_phases job FILE [--by BY] [--runs N] [--threads N] [--preset P]
 *       load, reconcile, summarize, render (CSV to a sink) and free, each
 *       timed (best of N runs), with MB/s, ns per report and peak RSS;
 *       --threads sets the load's and reconcile's threads (0: auto);
 *       --preset loads with an import preset (e.g. ucdp-ged for the
 *       GED-shaped file of bench/ged.py).
 *   toll_phases agg FILE [--runs N] [--by BY]...
 *       load and reconcile once, then time toll_summarize alone for each
 *       --by list (default: a list giving ~10^4 groups and one giving the
 *       most groups the file allows): records, groups, M records/s.
 *   toll_phases group FILE [--runs N] [--limit K]
 *       the incident keys of a CSV file (first column; the first K rows)
 *       interned in file order into a fresh string pool, plain and with the
 *       hash computed 8 keys ahead and the slot prefetched, as the CSV
 *       reader does: ns per key, distinct keys; "hits": the same keys
 *       again into the filled pool (lookups alone, no growth).
 *       The first run is also printed alone (first_*): it is the run a
 *       CLI process makes, on memory fresh from the kernel; the later runs
 *       reuse memory the C library kept from the first.  Its minor page
 *       faults and system CPU time are printed beside it.
 *   toll_phases pages [--n MB] [--runs R]
 *       what fresh memory costs on this machine: N MB (default 512) of
 *       private anonymous memory mapped and written once (first touch:
 *       page faults and the kernel's zeroing) and then again (warm), with
 *       4 KiB pages and again advised for transparent huge pages; GB/s,
 *       best of R, after a pause of 3 s before each mapping (freed memory
 *       may by then have gone back to the hypervisor).
 *   toll_phases intervals [--n N] [--draws D] [--runs R] [--threads N]
 *       toll_interval_sum over N random ranges of 2 to 41 values (seed 7)
 *       with the simulate engine and D draws: seconds; --threads sets
 *       toll_interval_options.threads (0: auto).
 *
 * Timings are wall clock (CLOCK_MONOTONIC) unless TOLL_BENCH_CPU is set
 * (then process CPU time).  Output is one "key value" line per figure so
 * that bench/run.py can read it.  Not installed; built with the library's
 * warnings.
 */
#define _DEFAULT_SOURCE /* madvise, MAP_ANONYMOUS */
#define _POSIX_C_SOURCE 200809L
#include <toll/toll.h>

#include "store/store.h"
#include "reconcile/reconcile.h"
#include "render/render.h"
#include "base/strhash.h"

#include <cjson/cJSON.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(getenv("TOLL_BENCH_CPU") ? CLOCK_PROCESS_CPUTIME_ID
                                           : CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static long peak_rss_mb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss / 1024;
}

/* Minor page faults and system CPU seconds of the process so far. */
static void faults_sys(long *minflt, double *sys)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    *minflt = ru.ru_minflt;
    *sys = (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec * 1e-6;
}

static int sink(void *ud, const char *s, size_t n)
{
    (void)s;
    *(size_t *)ud += n;
    return 0;
}

static int fail(const char *what, const toll_error *err)
{
    fprintf(stderr, "toll_phases: %s: %s\n", what, err->message);
    return 1;
}

static double file_mb(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return 0;
    return (double)st.st_size / 1e6;
}

/* Options shared by the modes. */
typedef struct opts {
    const char *cmd;
    const char *file;
    const char *preset;
    const char *by[16];
    size_t nby;
    int runs;
    size_t threads;
    size_t n;
    size_t draws;
    size_t limit;
} opts;

static int parse_args(int argc, char **argv, opts *o)
{
    memset(o, 0, sizeof *o);
    o->runs = 3;
    o->n = 1000000;
    o->draws = 200;
    if (argc < 2)
        return -1;
    o->cmd = argv[1];
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--by") && v) {
            if (o->nby < 16)
                o->by[o->nby++] = v;
            i++;
        } else if (!strcmp(a, "--preset") && v) {
            o->preset = v;
            i++;
        } else if (!strcmp(a, "--runs") && v) {
            o->runs = atoi(v);
            i++;
        } else if (!strcmp(a, "--threads") && v) {
            o->threads = (size_t)strtoul(v, NULL, 10);
            i++;
        } else if (!strcmp(a, "--n") && v) {
            o->n = (size_t)strtod(v, NULL);
            i++;
        } else if (!strcmp(a, "--limit") && v) {
            o->limit = (size_t)strtod(v, NULL);
            i++;
        } else if (!strcmp(a, "--draws") && v) {
            o->draws = (size_t)strtoul(v, NULL, 10);
            i++;
        } else if (a[0] != '-' && !o->file) {
            o->file = a;
        } else {
            fprintf(stderr, "toll_phases: unknown argument '%s'\n", a);
            return -1;
        }
    }
    if (o->runs < 1)
        o->runs = 1;
    return 0;
}

static void load_options(const opts *o, toll_load_options *lo)
{
    toll_load_options_init(lo);
    lo->threads = o->threads;
    lo->preset = o->preset;
}

static void reconcile_options(const opts *o, toll_reconcile_options *ro)
{
    toll_reconcile_options_init(ro);
    ro->threads = o->threads;
}

static void summarize_options(toll_summarize_options *so, const char *by)
{
    toll_summarize_options_init(so);
    so->by = by;
    so->category = "killed";
}

/* ---- job ------------------------------------------------------------------ */

static int run_job(const opts *o)
{
    const char *by = o->nby ? o->by[0] : "actor,region:1,period:month";
    double best[5] = {1e30, 1e30, 1e30, 1e30, 1e30}, best_total = 1e30;
    double first[5] = {0}, first_total = 0, sys0 = 0, sys1 = 0;
    long flt0 = 0, flt1 = 0;
    size_t nrep = 0, ninc = 0, nrows = 0, bytes = 0;
    toll_error err;
    for (int k = 0; k < o->runs; k++) {
        toll_reports *r = NULL;
        toll_incidents *inc = NULL;
        toll_table *t = NULL;
        toll_load_options lo;
        toll_summarize_options so;
        load_options(o, &lo);
        summarize_options(&so, by);
        bytes = 0;
        if (k == 0)
            faults_sys(&flt0, &sys0);
        const char *failed = NULL;
        double t0 = now();
        if (toll_reports_new(NULL, &r, &err) ||
            toll_reports_load_file(r, o->file, &lo, &nrep, &err))
            failed = "load";
        double t1 = now();
        toll_reconcile_options ro;
        reconcile_options(o, &ro);
        if (!failed && toll_reconcile(r, &ro, NULL, &inc, &err))
            failed = "reconcile";
        double t2 = now();
        if (!failed && toll_summarize(inc, &so, NULL, &t, &err))
            failed = "summarize";
        double t3 = now();
        if (!failed &&
            toll_table_render(t, TOLL_RENDER_CSV, 0, sink, &bytes, &err))
            failed = "render";
        double t4 = now();
        if (failed) {
            toll_table_free(t);
            toll_incidents_free(inc);
            toll_reports_free(r);
            return fail(failed, &err);
        }
        ninc = toll_incidents_count(inc);
        nrows = toll_table_nrows(t);
        toll_table_free(t);
        toll_incidents_free(inc);
        toll_reports_free(r);
        double t5 = now();
        double ph[5] = {t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4};
        if (k == 0) {
            faults_sys(&flt1, &sys1);
            memcpy(first, ph, sizeof first);
            first_total = t5 - t0;
        }
        for (int i = 0; i < 5; i++)
            if (ph[i] < best[i])
                best[i] = ph[i];
        if (t5 - t0 < best_total)
            best_total = t5 - t0;
    }
    double mb = file_mb(o->file);
    printf("file %s\nmb %.1f\nreports %zu\nincidents %zu\nrows %zu\n"
           "threads %zu\nruns %d\n", o->file, mb, nrep, ninc, nrows,
           o->threads, o->runs);
    printf("load_s %.4f\nload_mb_s %.0f\nload_ns_per_report %.1f\n", best[0],
           mb / best[0], best[0] * 1e9 / (double)nrep);
    printf("reconcile_s %.4f\nreconcile_ns_per_report %.1f\n", best[1],
           best[1] * 1e9 / (double)nrep);
    printf("summarize_s %.4f\nrender_s %.4f\nrender_bytes %zu\nfree_s %.4f\n",
           best[2], best[3], bytes, best[4]);
    printf("total_s %.4f\npeak_rss_mb %ld\n", best_total, peak_rss_mb());
    printf("first_load_s %.4f\nfirst_reconcile_s %.4f\nfirst_summarize_s "
           "%.4f\nfirst_free_s %.4f\nfirst_total_s %.4f\nfirst_minflt %ld\n"
           "first_sys_s %.3f\n", first[0], first[1], first[2], first[4],
           first_total, flt1 - flt0, sys1 - sys0);
    return 0;
}

/* ---- pages ---------------------------------------------------------------- */

/* Map `bytes`, optionally advise huge pages, write it twice: GB/s of the
 * first and the second pass; -1 when the mapping fails. */
static int touch_pass(size_t bytes, int huge, double *first, double *again)
{
    char *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return -1;
#ifdef MADV_HUGEPAGE
    if (huge)
        (void)madvise(p, bytes, MADV_HUGEPAGE);
#else
    (void)huge;
#endif
    double gb = (double)bytes / 1e9;
    double t0 = now();
    memset(p, 1, bytes);
    double t1 = now();
    memset(p, 2, bytes);
    double t2 = now();
    munmap(p, bytes);
    *first = gb / (t1 - t0);
    *again = gb / (t2 - t1);
    return 0;
}

static int run_pages(const opts *o)
{
    size_t mb = o->n == 1000000 ? 512 : o->n; /* --n: megabytes */
    size_t bytes = mb << 20;
    double best[2][2] = {{0, 0}, {0, 0}};
    for (int k = 0; k < o->runs; k++)
        for (int huge = 0; huge < 2; huge++) {
            struct timespec pause = {3, 0};
            nanosleep(&pause, NULL);
            double f, a;
            if (touch_pass(bytes, huge, &f, &a) != 0) {
                fprintf(stderr, "toll_phases: cannot map %zu MB\n", mb);
                return 1;
            }
            if (f > best[huge][0]) best[huge][0] = f;
            if (a > best[huge][1]) best[huge][1] = a;
        }
    printf("pages_mb %zu\nruns %d\nfirst_touch_gb_s %.2f\nrewrite_gb_s %.2f\n"
           "huge_first_touch_gb_s %.2f\nhuge_rewrite_gb_s %.2f\n", mb,
           o->runs, best[0][0], best[0][1], best[1][0], best[1][1]);
    return 0;
}

/* ---- agg ------------------------------------------------------------------ */

/* Records entering the aggregation: incidents with a figure in the
 * category (the "incidents" column summed over the table's rows, which
 * counts an incident once per row it contributes to). */
static size_t table_incident_sum(const toll_table *t)
{
    size_t col = toll_table_column_index(t, "incidents");
    const int64_t *v = col == TOLL_NPOS ? NULL : toll_table_int64(t, col);
    size_t sum = 0;
    for (size_t i = 0; v && i < toll_table_nrows(t); i++)
        sum += (size_t)v[i];
    return sum;
}

static int run_agg(const opts *o)
{
    static const char *defaults[] = {"actor,region:1,period:month",
                                     "actor,region,period:year",
                                     "actor,region,period:day"};
    const char *const *by = o->nby ? (const char *const *)o->by : defaults;
    size_t nby = o->nby ? o->nby : sizeof defaults / sizeof *defaults;
    toll_reports *r = NULL;
    toll_incidents *inc = NULL;
    toll_load_options lo;
    toll_error err;
    size_t nrep = 0;
    load_options(o, &lo);
    if (toll_reports_new(NULL, &r, &err) ||
        toll_reports_load_file(r, o->file, &lo, &nrep, &err))
        return fail("load", &err);
    if (toll_reconcile(r, NULL, NULL, &inc, &err))
        return fail("reconcile", &err);
    printf("file %s\nreports %zu\nincidents %zu\n", o->file, nrep,
           toll_incidents_count(inc));
    /* The first call for a by-list is "cold": it builds the key codes the
     * incidents object caches (for keys no earlier by-list built); the
     * other calls ("warm") reuse them.  Both are printed. */
    for (size_t b = 0; b < nby; b++) {
        double best = 1e30, cold = 0;
        size_t rows = 0, records = 0;
        int runs = o->runs < 2 ? 2 : o->runs;
        for (int k = 0; k < runs; k++) {
            toll_summarize_options so;
            toll_table *t = NULL;
            summarize_options(&so, by[b]);
            double t0 = now();
            if (toll_summarize(inc, &so, NULL, &t, &err))
                return fail("summarize", &err);
            double dt = now() - t0;
            if (k == 0)
                cold = dt;
            else if (dt < best)
                best = dt;
            rows = toll_table_nrows(t);
            records = table_incident_sum(t);
            toll_table_free(t);
        }
        /* s / m_records_s / ns_per_record: warm (best of the calls after
         * the first); cold_*: the first call */
        printf("agg by=%s groups %zu records %zu s %.5f m_records_s %.1f "
               "ns_per_record %.2f cold_s %.5f cold_m_records_s %.1f "
               "cold_ns_per_record %.2f\n", by[b], rows, records, best,
               (double)records / best / 1e6, best * 1e9 / (double)records,
               cold, (double)records / cold / 1e6,
               cold * 1e9 / (double)records);
    }
    toll_incidents_free(inc);
    toll_reports_free(r);
    printf("peak_rss_mb %ld\n", peak_rss_mb());
    return 0;
}

/* ---- group ---------------------------------------------------------------- */

/* The first field of every line after the header (no quotes expected: the
 * generator writes plain keys). */
static int read_keys(const char *path, char **buf, size_t *len,
                     size_t **off, size_t **klen, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "toll_phases: %s: %s\n", path, strerror(errno));
        return 1;
    }
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || st.st_size <= 0) {
        fclose(f);
        return 1;
    }
    *len = (size_t)st.st_size;
    *buf = malloc(*len + 1);
    size_t cap = *len / 16 + 16;
    *off = malloc(cap * sizeof **off);
    *klen = malloc(cap * sizeof **klen);
    if (!*buf || !*off || !*klen || fread(*buf, 1, *len, f) != *len) {
        fclose(f);
        return 1;
    }
    fclose(f);
    (*buf)[*len] = '\n';
    char *p = memchr(*buf, '\n', *len); /* skip the header */
    *n = 0;
    for (p = p ? p + 1 : *buf + *len; p < *buf + *len;) {
        char *e = memchr(p, '\n', (size_t)(*buf + *len + 1 - p));
        char *c = memchr(p, ',', (size_t)(e - p));
        if (!c)
            c = e;
        if (*n == cap)
            break;
        (*off)[*n] = (size_t)(p - *buf);
        (*klen)[*n] = (size_t)(c - p);
        (*n)++;
        p = e + 1;
    }
    return 0;
}

/* Intern keys 0..n-1 as the CSV reader does: each key's hash computed 8
 * keys ahead and its slot prefetched. */
static int intern_ahead(toll__strpool *p, const char *buf, const size_t *off,
                        const size_t *klen, uint32_t *hash, size_t n)
{
    enum { AHEAD = 8 };
    uint32_t id = 0;
    for (size_t i = 0; i < n && i < AHEAD; i++) {
        hash[i] = toll__hash_bytes(buf + off[i], klen[i]);
        toll__strpool_prefetch(p, hash[i]);
    }
    for (size_t i = 0; i < n; i++) {
        if (i + AHEAD < n) {
            size_t j = i + AHEAD;
            hash[j] = toll__hash_bytes(buf + off[j], klen[j]);
            toll__strpool_prefetch(p, hash[j]);
        }
        if (toll__strpool_intern_hashed(p, buf + off[i], klen[i], hash[i],
                                        &id))
            return 1;
    }
    return 0;
}

static int run_group(const opts *o)
{
    char *buf = NULL;
    size_t len = 0, *off = NULL, *klen = NULL, n = 0;
    if (read_keys(o->file, &buf, &len, &off, &klen, &n))
        return 1;
    if (o->limit && o->limit < n)
        n = o->limit;
    uint32_t *hash = malloc((n + 1) * sizeof *hash);
    if (!hash)
        return 1;
    double best_plain = 1e30, best_ahead = 1e30, best_hits = 1e30;
    size_t distinct = 0;
    for (int k = 0; k < o->runs; k++) {
        for (int mode = 0; mode < 2; mode++) {
            toll__strpool p;
            uint32_t id = 0;
            if (toll__strpool_init(&p, toll_default_allocator()) != TOLL_OK)
                return 1;
            double t0 = now();
            if (mode == 0) {
                for (size_t i = 0; i < n; i++)
                    if (toll__strpool_intern(&p, buf + off[i], klen[i], &id))
                        return 1;
            } else if (intern_ahead(&p, buf, off, klen, hash, n)) {
                return 1;
            }
            double dt = now() - t0;
            distinct = p.count - 1;
            if (mode == 1) {
                /* the same keys again into the filled pool: every lookup
                 * a hit, no growth (the cost of a lookup alone) */
                double t2 = now();
                if (intern_ahead(&p, buf, off, klen, hash, n))
                    return 1;
                double dh = now() - t2;
                if (dh < best_hits)
                    best_hits = dh;
            }
            toll__strpool_free(&p);
            if (mode == 0 && dt < best_plain)
                best_plain = dt;
            if (mode == 1 && dt < best_ahead)
                best_ahead = dt;
        }
    }
    printf("file %s\nkeys %zu\ndistinct %zu\n", o->file, n, distinct);
    printf("group_plain_ns_per_key %.1f\ngroup_prefetch_ns_per_key %.1f\n"
           "group_hits_ns_per_key %.1f\n", best_plain * 1e9 / (double)n,
           best_ahead * 1e9 / (double)n, best_hits * 1e9 / (double)n);
    printf("peak_rss_mb %ld\n", peak_rss_mb());
    free(hash);
    free(buf);
    free(off);
    free(klen);
    return 0;
}

/* ---- intervals ------------------------------------------------------------ */

static int run_intervals(const opts *o)
{
    size_t n = o->n;
    int64_t *low = malloc(n * sizeof *low), *high = malloc(n * sizeof *high);
    if (!low || !high)
        return 1;
    uint64_t s = 7;
    for (size_t i = 0; i < n; i++) {
        s = s * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
        /* every range has 2 to 41 values: every incident is drawn */
        int64_t lo = (int64_t)((s >> 33) % 50);
        int64_t w = 1 + (int64_t)((s >> 40) % 40);
        low[i] = lo;
        high[i] = lo + w;
    }
    toll_interval_options io;
    toll_interval_options_init(&io);
    io.method = TOLL_INTERVAL_INDEPENDENT;
    io.engine = TOLL_ENGINE_SIMULATE;
    io.draws = o->draws;
    io.threads = o->threads; /* 0: auto */
    double q[3] = {0, 0, 0}, best = 1e30;
    toll_interval_engine used;
    toll_error err;
    for (int k = 0; k < o->runs; k++) {
        double t0 = now();
        if (toll_interval_sum(low, high, NULL, NULL, NULL, n, &io, NULL, q,
                              &used, &err))
            return fail("intervals", &err);
        double dt = now() - t0;
        if (dt < best)
            best = dt;
    }
    printf("n %zu\ndraws %zu\nthreads %zu\nintervals_s %.4f\n"
           "q %.1f %.1f %.1f\n", n, o->draws, o->threads, best, q[0], q[1],
           q[2]);
    free(low);
    free(high);
    return 0;
}

int main(int argc, char **argv)
{
    opts o;
    if (parse_args(argc, argv, &o) != 0 ||
        (strcmp(o.cmd, "intervals") != 0 && strcmp(o.cmd, "pages") != 0 &&
         !o.file)) {
        fprintf(stderr, "usage: toll_phases job|agg|group FILE [--by BY] "
                        "[--runs N] [--threads N] [--limit K] "
                        "[--preset P]\n"
                        "       toll_phases intervals [--n N] [--draws D] "
                        "[--runs N] [--threads N]\n"
                        "       toll_phases pages [--n MB] [--runs N]\n");
        return 2;
    }
    /* toll's cJSON arena, as the CLI and the Python module install it
     * (docs/json-arena.md): without it JSON loads use malloc per node */
    cJSON_Hooks hooks = {toll_json_hook_malloc, toll_json_hook_free};
    cJSON_InitHooks(&hooks);
    if (!strcmp(o.cmd, "job"))
        return run_job(&o);
    if (!strcmp(o.cmd, "agg"))
        return run_agg(&o);
    if (!strcmp(o.cmd, "group"))
        return run_group(&o);
    if (!strcmp(o.cmd, "intervals"))
        return run_intervals(&o);
    if (!strcmp(o.cmd, "pages"))
        return run_pages(&o);
    fprintf(stderr, "toll_phases: unknown mode '%s'\n", o.cmd);
    return 2;
}
