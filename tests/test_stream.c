/* tests/test_stream.c - toll_summarize_stream, the one-pass summary: the
 * same table as load + reconcile + summarize (synthetic reports in the
 * shape of bench/gen.py, grouped, shuffled and repeated, in chunks of
 * every size; the real files of the shared datasets with their presets),
 * the options it refuses, bad input, and memory that follows the incidents
 * rather than the reports (src/summarize/stream.c). */
#define _DEFAULT_SOURCE
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- synthetic reports ---------------------------------------------------- */

static uint64_t rng_state;
static uint32_t rnd(uint32_t n)
{
    rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)((rng_state >> 33) % n);
}

static const char *const ACTORS[] = {"Syria", "Russia", "Coalition", "ISIS",
                                     "Turkey"};
static const char *const PARTY[] = {"Syrian MoD", "Russian MoD", "CJTF-OIR",
                                    "Amaq", "Turkish MoD"};
static const char *const OTHERS[] = {"SOHR", "SNHR", "VDC", "Reuters",
                                     "UN"};

/* n_inc incidents of 1 to 5 reports each (some unkeyed, some with a
 * conflicting region or date, party self-reports and denials, several
 * categories, figures as integers, ranges and words), as CSV lines
 * without the header into lines[] (*n of them; each malloc'd). */
static char **make_reports(size_t n_inc, uint64_t seed, size_t *n)
{
    rng_state = seed;
    size_t cap = n_inc * 5, k = 0;
    char **lines = calloc(cap, sizeof *lines);
    ck_assert_ptr_nonnull(lines);
    for (size_t i = 0; i < n_inc; i++) {
        size_t nr = 1 + rnd(5);
        int a1 = (int)rnd(5), a2 = rnd(10) == 0 ? (int)rnd(5) : -1;
        int gov = (int)rnd(6), dist = (int)rnd(4);
        int day = 1 + (int)rnd(28), mon = 1 + (int)rnd(12);
        int year = 2014 + (int)rnd(6), span = rnd(20) == 0 ? 1 + (int)rnd(9)
                                                            : 0;
        int unkeyed = rnd(25) == 0;
        for (size_t r = 0; r < nr; r++) {
            char key[32], actors[64], region[64], date[96], q[64], inj[32],
                source[64], sactor[32];
            snprintf(key, sizeof key, unkeyed ? "" : "inc-%zu", i);
            int self = rnd(12) == 0;
            int who = rnd(2) || a2 < 0 ? a1 : a2;
            snprintf(source, sizeof source, "%s",
                     self ? PARTY[who] : OTHERS[rnd(5)]);
            snprintf(sactor, sizeof sactor, "%s", self ? ACTORS[who] : "");
            if (a2 >= 0 && a2 != a1 && rnd(3))
                snprintf(actors, sizeof actors, "%s;%s", ACTORS[a1],
                         ACTORS[a2]);
            else
                snprintf(actors, sizeof actors, "%s",
                         rnd(15) == 0 ? "" : ACTORS[rnd(4) == 0 ? who : a1]);
            if (rnd(20) == 0)
                snprintf(region, sizeof region, "Syria/G%d", (gov + 1) % 6);
            else if (rnd(4) == 0)
                snprintf(region, sizeof region, "Syria/G%d", gov);
            else
                snprintf(region, sizeof region, "Syria/G%d/D%d", gov, dist);
            int d = rnd(15) == 0 ? day + 1 + (int)rnd(3) : day;
            if (d > 28)
                d = 28;
            if (rnd(30) == 0)
                snprintf(date, sizeof date, ",");
            else
                snprintf(date, sizeof date, "%d-%02d-%02d,%d-%02d-%02d", year,
                         mon, d, year, mon,
                         span ? (d + span > 28 ? 28 : d + span) : d);
            int v = (int)rnd(40);
            switch (self ? (rnd(2) ? 4 : 0) : rnd(6)) {
            case 0: snprintf(q, sizeof q, "%d", v); break;
            case 1: snprintf(q, sizeof q, "%d-%d", v, v + (int)rnd(9)); break;
            case 2: snprintf(q, sizeof q, "at least %d", v); break;
            case 3: snprintf(q, sizeof q, "about %d", v + 10); break;
            case 4: snprintf(q, sizeof q, "0"); break;
            default: snprintf(q, sizeof q, "%d", v + 1); break;
            }
            if (rnd(3) == 0)
                snprintf(inj, sizeof inj, "%d", (int)rnd(50));
            else
                inj[0] = '\0';
            char line[640];
            snprintf(line, sizeof line, "%s,%s,%s,%s,%s,%s,\"%s\",%s,%s\n",
                     key, source, sactor, date, region, actors, q, inj,
                     rnd(7) == 0 ? "x" : "");
            if (k == cap) {
                cap *= 2;
                lines = realloc(lines, cap * sizeof *lines);
                ck_assert_ptr_nonnull(lines);
            }
            lines[k++] = strdup(line);
        }
    }
    *n = k;
    return lines;
}

static void free_lines(char **lines, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(lines[i]);
    free(lines);
}

static const char HEADER[] = "incident,source,source_actor,date_start,"
                             "date_end,region,actor,killed,injured,note\n";

/* A new temporary .csv file, open for writing; its path into path. */
static FILE *temp_csv(char *path, size_t size)
{
    const char *dir = getenv("TMPDIR");
    snprintf(path, size, "%s/toll_stream_XXXXXX.csv", dir ? dir : "/tmp");
    int fd = mkstemps(path, 4);
    ck_assert_int_ge(fd, 0);
    FILE *f = fdopen(fd, "w");
    ck_assert_ptr_nonnull(f);
    return f;
}

/* Write HEADER and lines[order[i]] for i < n (order NULL: in order),
 * `times` times over, to a new temporary file; its path into path. */
static void write_file(char *path, size_t size, char **lines, size_t n,
                       const size_t *order, int times)
{
    FILE *f = temp_csv(path, size);
    fputs(HEADER, f);
    for (int t = 0; t < times; t++)
        for (size_t i = 0; i < n; i++)
            fputs(lines[order ? order[i] : i], f);
    ck_assert_int_eq(fclose(f), 0);
}

/* ---- the two paths --------------------------------------------------------- */

/* The table of load + reconcile + summarize, as text and CSV with the
 * caption, and the bits of every double of its measures (the text shows
 * them rounded). */
static char *render(const toll_table *t)
{
    char *csv = NULL, *txt = NULL;
    size_t lc = 0, lt = 0;
    toll_error err;
    ck_assert_msg(toll_table_render_string(t, TOLL_RENDER_CSV, 1, &csv, &lc,
                                           &err) == TOLL_OK, "%s",
                  err.message);
    ck_assert_msg(toll_table_render_string(t, TOLL_RENDER_TEXT, 0, &txt,
                                           &lt, &err) == TOLL_OK, "%s",
                  err.message);
    const char *cap = toll_table_caption(t);
    size_t nd = 0, nr = toll_table_nrows(t);
    for (size_t j = 0; j < toll_table_ncols(t); j++)
        nd += toll_table_column_type(t, j) == TOLL_COL_DOUBLE;
    size_t size = (cap ? strlen(cap) : 0) + lc + lt + nd * (nr + 1) * 32 + 3;
    char *all = malloc(size);
    ck_assert_ptr_nonnull(all);
    int k = snprintf(all, size, "%s\n%.*s%.*s", cap ? cap : "", (int)lc, csv,
                     (int)lt, txt);
    ck_assert_int_gt(k, 0);
    size_t used = (size_t)k;
    for (size_t j = 0; j < toll_table_ncols(t); j++) {
        if (toll_table_column_type(t, j) != TOLL_COL_DOUBLE)
            continue;
        const double *v = toll_table_double(t, j);
        for (size_t r = 0; r < nr; r++) {
            k = snprintf(all + used, size - used, "%a ", v[r]);
            ck_assert(k > 0 && (size_t)k < size - used);
            used += (size_t)k;
        }
        all[used++] = '\n';
        all[used] = '\0';
    }
    toll_table_buffer_free(t, csv);
    toll_table_buffer_free(t, txt);
    return all;
}

static char *default_path(const char *path, const toll_load_options *lo,
                          const toll_reconcile_options *ro,
                          const toll_summarize_options *so)
{
    toll_reports *rep = NULL;
    toll_incidents *inc = NULL;
    toll_table *t = NULL;
    toll_error err;
    ck_assert_int_eq(toll_reports_new(NULL, &rep, NULL), TOLL_OK);
    ck_assert_msg(toll_reports_load_file(rep, path, lo, NULL, &err) ==
                      TOLL_OK, "%s", err.message);
    ck_assert_msg(toll_reconcile(rep, ro, NULL, &inc, &err) == TOLL_OK, "%s",
                  err.message);
    ck_assert_msg(toll_summarize(inc, so, NULL, &t, &err) == TOLL_OK, "%s",
                  err.message);
    char *s = render(t);
    toll_table_free(t);
    toll_incidents_free(inc);
    toll_reports_free(rep);
    return s;
}

static char *stream_path(const char *path, const toll_load_options *lo,
                         const toll_reconcile_options *ro,
                         const toll_summarize_options *so, size_t chunk,
                         size_t batch, const toll_allocator *alloc)
{
    toll_stream_options sopts;
    toll_stream_options_init(&sopts);
    sopts.chunk = chunk;
    sopts.batch = batch;
    toll_table *t = NULL;
    toll_error err;
    const char *paths[1] = {path};
    ck_assert_msg(toll_summarize_stream(paths, 1, lo, ro, so, &sopts, alloc,
                                        &t, &err) == TOLL_OK,
                  "%s", err.message);
    char *s = render(t);
    toll_table_free(t);
    return s;
}

/* The option sets compared: by lists x policy, self-reports, attribution,
 * span, filters, intervals. */
static void option_set(int k, toll_reconcile_options *ro,
                       toll_summarize_options *so)
{
    static const char *const by[] = {"actor,period:month",
                                     "region:1,period:year", "actor,region",
                                     "category,grade", ""};
    static const char *const actors[] = {"Russia"};
    toll_reconcile_options_init(ro);
    toll_summarize_options_init(so);
    so->by = by[k % 5];
    switch (k / 5) {
    case 0: break;
    case 1: ro->policy = TOLL_POLICY_CONSERVATIVE; break;
    case 2: ro->self_reports = TOLL_SELF_INCLUDE; break;
    case 3: so->attribution = TOLL_ATTR_SPLIT; break;
    case 4: so->attribution = TOLL_ATTR_EACH; break;
    case 5:
        so->span = TOLL_SPAN_PRORATE;
        so->attribution = TOLL_ATTR_SPLIT;
        break;
    case 6:
        so->min_grade = TOLL_GRADE_SINGLE;
        so->date_from = "2015";
        so->date_to = "2018-06";
        so->region_prefix = "Syria/G1";
        so->actors = actors;
        so->n_actors = 1;
        break;
    default:
        so->interval.method = TOLL_INTERVAL_INDEPENDENT;
        so->interval.seed = 7;
        break;
    }
}
#define N_OPTION_SETS 40

/* Every option set, stream (chunks of `chunk` reports, batches of `batch`
 * incidents; 0: the defaults) against default. */
static void compare_all(const char *path, size_t chunk, size_t batch)
{
    for (int k = 0; k < N_OPTION_SETS; k++) {
        toll_reconcile_options ro;
        toll_summarize_options so;
        option_set(k, &ro, &so);
        char *a = default_path(path, NULL, &ro, &so);
        char *b = stream_path(path, NULL, &ro, &so, chunk, batch, NULL);
        ck_assert_msg(strcmp(a, b) == 0,
                      "option set %d, chunk %zu, batch %zu: the stream "
                      "table differs:\n%s\n-- stream --\n%s",
                      k, chunk, batch, a, b);
        free(a);
        free(b);
    }
}

START_TEST(stream_equals_default_grouped)
{
    size_t n;
    char **lines = make_reports(400, 11, &n);
    char path[4096];
    write_file(path, sizeof path, lines, n, NULL, 1);
    compare_all(path, 0, 0);  /* one chunk, one batch */
    compare_all(path, 7, 0);  /* many chunks, cutting incidents apart */
    compare_all(path, 1, 0);
    compare_all(path, 7, 37); /* batches of incidents, merged */
    compare_all(path, 0, 1);
    unlink(path);
    free_lines(lines, n);
}
END_TEST

START_TEST(stream_equals_default_shuffled)
{
    size_t n;
    char **lines = make_reports(400, 12, &n);
    size_t *order = calloc(n, sizeof *order);
    ck_assert_ptr_nonnull(order);
    for (size_t i = 0; i < n; i++)
        order[i] = i;
    for (size_t i = n; i > 1; i--) { /* Fisher-Yates */
        size_t j = rnd((uint32_t)i);
        size_t t = order[i - 1];
        order[i - 1] = order[j];
        order[j] = t;
    }
    char path[4096];
    write_file(path, sizeof path, lines, n, order, 1);
    compare_all(path, 0, 0);
    compare_all(path, 13, 0);
    compare_all(path, 13, 29);
    unlink(path);
    free(order);
    free_lines(lines, n);
}
END_TEST

START_TEST(stream_equals_default_repeated)
{
    /* every report three times over: medians over repeated figures */
    size_t n;
    char **lines = make_reports(150, 13, &n);
    char path[4096];
    write_file(path, sizeof path, lines, n, NULL, 3);
    compare_all(path, 0, 0);
    compare_all(path, 5, 0);
    compare_all(path, 5, 16);
    unlink(path);
    free_lines(lines, n);
}
END_TEST

START_TEST(stream_equals_default_several_inputs)
{
    size_t n;
    char **lines = make_reports(200, 14, &n);
    char p1[4096], p2[4096];
    /* the incidents of the second file continue those of the first */
    write_file(p1, sizeof p1, lines, n / 2, NULL, 1);
    write_file(p2, sizeof p2, lines + n / 2, n - n / 2, NULL, 1);
    toll_reports *rep = NULL;
    toll_incidents *inc = NULL;
    toll_table *t = NULL, *u = NULL;
    toll_error err;
    ck_assert_int_eq(toll_reports_new(NULL, &rep, NULL), TOLL_OK);
    ck_assert_int_eq(toll_reports_load_file(rep, p1, NULL, NULL, &err), 0);
    ck_assert_int_eq(toll_reports_load_file(rep, p2, NULL, NULL, &err), 0);
    ck_assert_int_eq(toll_reconcile(rep, NULL, NULL, &inc, &err), TOLL_OK);
    ck_assert_int_eq(toll_summarize(inc, NULL, NULL, &t, &err), TOLL_OK);
    const char *paths[2] = {p1, p2};
    toll_stream_options so;
    toll_stream_options_init(&so);
    so.chunk = 9;
    ck_assert_msg(toll_summarize_stream(paths, 2, NULL, NULL, NULL, &so, NULL,
                                        &u, &err) == TOLL_OK,
                  "%s", err.message);
    char *a = render(t), *b = render(u);
    ck_assert_str_eq(a, b);
    free(a);
    free(b);
    toll_table_free(t);
    toll_table_free(u);
    toll_incidents_free(inc);
    toll_reports_free(rep);
    unlink(p1);
    unlink(p2);
    free_lines(lines, n);
}
END_TEST

/* ---- the real files ----------------------------------------------------------- */

/* The files of the shared datasets that hold reports (the VDC files are
 * daily counts by column and the MSE files capture lists), read with
 * their presets, leniently and with repairs as `toll summarize --lenient
 * --repair` reads them. */
static const struct {
    const char *rel, *preset;
} REAL[] = {
    {"ucdp/ucdp_ged_myanmar.csv", "ucdp-ged"},
    {"ucdp/ucdp_ged_mexico.csv", "ucdp-ged"},
    {"ucdp/ucdp_ged_syria_2016_2019.csv", "ucdp-ged"},
    {"airwars/airwars_syria_incidents_normalized_996.csv", "airwars"},
    {"ibc/ibc_esoc_incidents_2003_2009.csv", "ibc"},
};

START_TEST(stream_equals_default_real_files)
{
    char path[4096];
    /* under valgrind (scripts/valgrind-tests.sh sets TOLL_STREAM_QUICK)
     * the real files are left to the plain and sanitizer runs: 28 loads
     * of up to 12 MB take most of an hour there */
    const char *quick = getenv("TOLL_STREAM_QUICK");
    if (quick && *quick && strcmp(quick, "0") != 0)
        return;
    if (!toll_test_shared_path(path, sizeof path, REAL[_i].rel))
        return;
    toll_load_options lo;
    toll_load_options_init(&lo);
    lo.preset = REAL[_i].preset;
    lo.lenient = 1;              /* as `toll summarize --lenient --repair` */
    lo.repair = TOLL_REPAIR_ON;
    for (int k = 0; k < N_OPTION_SETS; k += 3) {
        toll_reconcile_options ro;
        toll_summarize_options so;
        option_set(k, &ro, &so);
        so.region_prefix = NULL; /* the synthetic files' regions */
        so.actors = NULL;
        so.n_actors = 0;
        char *a = default_path(path, &lo, &ro, &so);
        /* batches of 499 incidents: several for every file */
        char *b = stream_path(path, &lo, &ro, &so, 1000, 499, NULL);
        ck_assert_msg(strcmp(a, b) == 0, "%s, option set %d: differs",
                      REAL[_i].rel, k);
        free(a);
        free(b);
    }
}
END_TEST

/* ---- refused options, bad input ---------------------------------------------- */

static toll_status stream_status(const char *path,
                                 const toll_reconcile_options *ro,
                                 const toll_summarize_options *so,
                                 toll_error *err, toll_table **t)
{
    const char *paths[1] = {path};
    return toll_summarize_stream(paths, 1, NULL, ro, so, NULL, NULL, t, err);
}

static const char TINY[] = "incident,source,actor,killed,kind\n"
                           "a,SOHR,Russia,3,1\n"
                           "a,SNHR,Russia,5,1\n";

static void tiny_file(char *path, size_t size, const char *text)
{
    FILE *f = temp_csv(path, size);
    ck_assert_int_ge(fputs(text, f), 0);
    ck_assert_int_eq(fclose(f), 0);
}

START_TEST(stream_refuses_linking)
{
    char path[4096];
    tiny_file(path, sizeof path, TINY);
    toll_reconcile_options ro;
    toll_reconcile_options_init(&ro);
    ro.link = TOLL_LINK_RULE;
    toll_table *t = (toll_table *)1;
    toll_error err;
    ck_assert_int_eq(stream_status(path, &ro, NULL, &err, &t), TOLL_EINVAL);
    ck_assert_ptr_null(t);
    ck_assert_str_eq(err.field, "link");
    ck_assert_ptr_nonnull(strstr(err.message, "one-pass"));
    unlink(path);
}
END_TEST

START_TEST(stream_refuses_kept_fields)
{
    char path[4096];
    tiny_file(path, sizeof path, TINY);
    toll_summarize_options so;
    toll_table *t = NULL;
    toll_error err;
    toll_summarize_options_init(&so);
    so.by = "actor,kind";
    ck_assert_int_eq(stream_status(path, NULL, &so, &err, &t), TOLL_EINVAL);
    ck_assert_str_eq(err.field, "by");
    toll_summarize_options_init(&so);
    const char *where[] = {"kind=1"};
    so.where = where;
    so.n_where = 1;
    ck_assert_int_eq(stream_status(path, NULL, &so, &err, &t), TOLL_EINVAL);
    ck_assert_str_eq(err.field, "where");
    toll_summarize_options_init(&so);
    so.min_data_grade = "fair";
    ck_assert_int_eq(stream_status(path, NULL, &so, &err, &t), TOLL_EINVAL);
    ck_assert_str_eq(err.field, "min_data_grade");
    /* where actor=... is the actor filter, not a kept field */
    toll_summarize_options_init(&so);
    const char *actor[] = {"actor=russia"};
    so.where = actor;
    so.n_where = 1;
    ck_assert_int_eq(stream_status(path, NULL, &so, &err, &t), TOLL_OK);
    ck_assert_int_eq(toll_table_nrows(t), 1);
    toll_table_free(t);
    unlink(path);
}
END_TEST

START_TEST(stream_bad_record_names_file_line_field)
{
    char path[4096];
    tiny_file(path, sizeof path,
              "incident,source,killed\na,x,3\nb,y,4\nc,z,lots and lots\n");
    toll_table *t = (toll_table *)1;
    toll_error err;
    toll_stream_options so;
    toll_stream_options_init(&so);
    so.chunk = 1; /* two chunks folded before the bad record */
    const char *paths[1] = {path};
    toll_status st = toll_summarize_stream(paths, 1, NULL, NULL, NULL, &so,
                                           NULL, &t, &err);
    ck_assert(st == TOLL_EPARSE || st == TOLL_EREPORT);
    ck_assert_ptr_null(t);
    ck_assert_str_eq(err.file, path);
    ck_assert_int_eq(err.line, 4);
    ck_assert_str_eq(err.field, "killed");
    ck_assert_ptr_nonnull(strstr(err.message, "lots and lots"));
    unlink(path);
}
END_TEST

START_TEST(stream_warns_as_the_summary_when_no_category)
{
    char path[4096];
    tiny_file(path, sizeof path, "incident,source,deaths\na,x,3\nb,y,4\n");
    toll_reports *rep = NULL;
    toll_incidents *inc = NULL;
    toll_table *t = NULL, *u = NULL;
    toll_error err;
    ck_assert_int_eq(toll_reports_new(NULL, &rep, NULL), TOLL_OK);
    ck_assert_int_eq(toll_reports_load_file(rep, path, NULL, NULL, &err), 0);
    ck_assert_int_eq(toll_reconcile(rep, NULL, NULL, &inc, &err), TOLL_OK);
    ck_assert_int_eq(toll_summarize(inc, NULL, NULL, &t, &err), TOLL_OK);
    ck_assert_int_eq(stream_status(path, NULL, NULL, &err, &u), TOLL_OK);
    ck_assert_uint_eq(toll_table_warning_count(t), 1);
    ck_assert_uint_eq(toll_table_warning_count(u), 1);
    ck_assert_str_eq(toll_table_warning(t, 0)->message,
                     toll_table_warning(u, 0)->message);
    toll_table_free(t);
    toll_table_free(u);
    toll_incidents_free(inc);
    toll_reports_free(rep);
    unlink(path);
}
END_TEST

/* An allocator that counts live bytes and their peak, and fails the n-th
 * allocation (0: never). */
typedef struct counting {
    size_t live, peak;
    long n, fail_at;
} counting;
static void *c_malloc(void *ctx, size_t size)
{
    counting *c = ctx;
    if (++c->n == c->fail_at)
        return NULL;
    void *p = malloc(size ? size : 1);
    if (p && (c->live += size) > c->peak)
        c->peak = c->live;
    return p;
}
static void *c_realloc(void *ctx, void *ptr, size_t old, size_t size)
{
    counting *c = ctx;
    if (++c->n == c->fail_at)
        return NULL;
    void *p = realloc(ptr, size ? size : 1);
    if (p) {
        c->live = c->live - old + size;
        if (c->live > c->peak)
            c->peak = c->live;
    }
    return p;
}
static void c_free(void *ctx, void *ptr, size_t size)
{
    counting *c = ctx;
    if (ptr)
        c->live -= size;
    free(ptr);
}

/* The bytes a plain load of `path` leaves counted as live by the counting
 * allocator once the store is freed: blocks of the loader that are not
 * given back through the store's allocator (a constant of the loader, not
 * of the stream; leaks proper are LeakSanitizer's to find). */
static size_t loader_rest(const char *path)
{
    counting c = {0, 0, 0, 0};
    toll_allocator a = {c_malloc, c_realloc, c_free, &c};
    toll_reports *rep = NULL;
    toll_error err;
    ck_assert_int_eq(toll_reports_new(&a, &rep, &err), TOLL_OK);
    ck_assert_int_eq(toll_reports_load_file(rep, path, NULL, NULL, &err),
                     TOLL_OK);
    toll_reports_free(rep);
    return c.live;
}

START_TEST(stream_failure_leaves_nothing)
{
    /* every allocation failing in turn: an error, no table, no leak */
    char path[4096];
    size_t n;
    char **lines = make_reports(30, 15, &n);
    write_file(path, sizeof path, lines, n, NULL, 1);
    toll_stream_options so;
    toll_stream_options_init(&so);
    so.chunk = 8;
    const char *paths[1] = {path};
    size_t rest = loader_rest(path);
    for (int pass = 0; pass < 2; pass++) {
        so.batch = pass ? 4 : 0; /* one batch, then batches merged */
        int ok = 0;
        for (long k = 1; !ok && k < 100000; k++) {
            counting c = {0, 0, 0, k};
            toll_allocator a = {c_malloc, c_realloc, c_free, &c};
            toll_table *t = NULL;
            toll_error err;
            toll_status st = toll_summarize_stream(paths, 1, NULL, NULL, NULL,
                                                   &so, &a, &t, &err);
            if (st == TOLL_OK) {
                ok = 1;
                toll_table_free(t);
            } else {
                ck_assert_int_eq(st, TOLL_ENOMEM);
                ck_assert_ptr_null(t);
            }
            ck_assert_msg(c.live <= rest,
                          "batch %zu, allocation %ld failing: %zu bytes left "
                          "(a load: %zu)",
                          so.batch, k, c.live, rest);
        }
        ck_assert(ok);
    }
    unlink(path);
    free_lines(lines, n);
}
END_TEST

/* ---- memory grows with the incidents, not the reports -------------------------- */

/* The peak of the bytes allocated by the one-pass summary of `path`
 * (batches of `batch` incidents, 0 the default). */
static size_t stream_peak(const char *path, size_t batch)
{
    counting c = {0, 0, 0, 0};
    toll_allocator a = {c_malloc, c_realloc, c_free, &c};
    toll_stream_options so;
    toll_stream_options_init(&so);
    so.chunk = 1024;
    so.batch = batch;
    toll_table *t = NULL;
    toll_error err;
    const char *paths[1] = {path};
    ck_assert_msg(toll_summarize_stream(paths, 1, NULL, NULL, NULL, &so, &a,
                                        &t, &err) == TOLL_OK,
                  "%s", err.message);
    toll_table_free(t);
    ck_assert_uint_le(c.live, loader_rest(path));
    return c.peak;
}

START_TEST(stream_memory_follows_incidents_not_reports)
{
    /* the same incidents, each report given once and ten times (the whole
     * file over again: ungrouped) */
    size_t n;
    char **lines = make_reports(3000, 16, &n);
    char p1[4096], p10[4096];
    write_file(p1, sizeof p1, lines, n, NULL, 1);
    write_file(p10, sizeof p10, lines, n, NULL, 10);
    size_t m1 = stream_peak(p1, 0), m10 = stream_peak(p10, 0);
    ck_assert_msg((double)m10 < 1.3 * (double)m1,
                  "peak %zu bytes for %zu reports, %zu for ten times as many",
                  m1, n, m10);
    /* and ten times the incidents take more: the measure can fail */
    size_t n2;
    char **more = make_reports(30000, 16, &n2);
    char pm[4096];
    write_file(pm, sizeof pm, more, n2, NULL, 1);
    size_t mm = stream_peak(pm, 0);
    ck_assert_msg((double)mm > 4.0 * (double)m1,
                  "peak %zu bytes for ten times the incidents vs %zu", mm,
                  m1);
    unlink(p1);
    unlink(p10);
    unlink(pm);
    free_lines(lines, n);
    free_lines(more, n2);
}
END_TEST

START_TEST(stream_batches_hold_the_incidents_of_one_batch_at_a_time)
{
    /* 30,000 incidents reconciled in one batch, then in batches of 1,000:
     * the reconciled incidents of all are no longer held beside the
     * state */
    size_t n;
    char **lines = make_reports(30000, 17, &n);
    char path[4096];
    write_file(path, sizeof path, lines, n, NULL, 1);
    size_t one = stream_peak(path, SIZE_MAX), batched = stream_peak(path, 1000);
    ck_assert_msg((double)batched < 0.9 * (double)one,
                  "peak %zu bytes in batches of 1,000 incidents, %zu in one",
                  batched, one);
    unlink(path);
    free_lines(lines, n);
}
END_TEST

/* A file of `n` incidents, one report each, whose figure is figure(i). */
static void figures_file(char *path, size_t size, int n,
                         const char *(*figure)(int))
{
    FILE *f = temp_csv(path, size);
    fputs("incident,source,actor,killed\n", f);
    for (int i = 0; i < n; i++)
        fprintf(f, "i%d,SOHR,A%d,%s\n", i, i % 3, figure(i));
    ck_assert_int_eq(fclose(f), 0);
}

static const char *fractional(int i) { return i % 7 ? "trace" : "3"; }

static const char *beyond_32_bits(int i)
{
    return i % 5 == 0   ? "3000000000-3000000007"
           : i % 5 == 1 ? "at least 5000000001"
                        : "12";
}

START_TEST(stream_batches_give_the_same_bits_with_fractional_figures)
{
    /* a lexicon word whose best is 0.1: sums of such figures depend on
     * their order in the last bits, so the batches are not merged (the
     * table is made in one go) and the table is the default's */
    toll_lexicon *lex = NULL;
    toll_error err;
    ck_assert_int_eq(toll_lexicon_new(NULL, &lex, &err), TOLL_OK);
    ck_assert_int_eq(toll_lexicon_set(lex, "trace", 0, 1, 0.1, &err),
                     TOLL_OK);
    char path[4096];
    figures_file(path, sizeof path, 3000, fractional);
    toll_load_options lo;
    toll_load_options_init(&lo);
    lo.parse.lexicon = lex;
    toll_reconcile_options ro;
    toll_summarize_options so;
    toll_reconcile_options_init(&ro);
    toll_summarize_options_init(&so);
    so.by = "actor";
    char *a = default_path(path, &lo, &ro, &so);
    char *b = stream_path(path, &lo, &ro, &so, 100, 7, NULL);
    ck_assert_msg(strcmp(a, b) == 0, "the stream table differs:\n%s\n-- "
                  "stream --\n%s", a, b);
    free(a);
    free(b);
    unlink(path);
    toll_lexicon_free(lex);
}
END_TEST

START_TEST(stream_keeps_figures_beyond_32_bits)
{
    /* the state keeps figures of 32 bits in a short cell, others beside
     * it: both kinds, in one batch and in batches merged */
    char path[4096];
    figures_file(path, sizeof path, 3000, beyond_32_bits);
    toll_summarize_options so;
    toll_summarize_options_init(&so);
    so.by = "actor";
    char *a = default_path(path, NULL, NULL, &so);
    for (size_t batch = 0; batch <= 7; batch += 7) {
        char *b = stream_path(path, NULL, NULL, &so, 100, batch, NULL);
        ck_assert_msg(strcmp(a, b) == 0, "batch %zu: the stream table "
                      "differs:\n%s\n-- stream --\n%s", batch, a, b);
        free(b);
    }
    ck_assert_ptr_nonnull(strstr(a, "1600000008100")); /* an actor's best */
    free(a);
    unlink(path);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("stream");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, stream_equals_default_grouped);
    tcase_add_test(tc, stream_equals_default_shuffled);
    tcase_add_test(tc, stream_equals_default_repeated);
    tcase_add_test(tc, stream_equals_default_several_inputs);
    tcase_add_loop_test(tc, stream_equals_default_real_files, 0,
                        (int)(sizeof REAL / sizeof REAL[0]));
    tcase_add_test(tc, stream_refuses_linking);
    tcase_add_test(tc, stream_refuses_kept_fields);
    tcase_add_test(tc, stream_bad_record_names_file_line_field);
    tcase_add_test(tc, stream_warns_as_the_summary_when_no_category);
    tcase_add_test(tc, stream_failure_leaves_nothing);
    tcase_add_test(tc, stream_memory_follows_incidents_not_reports);
    tcase_add_test(tc, stream_batches_hold_the_incidents_of_one_batch_at_a_time);
    tcase_add_test(tc, stream_batches_give_the_same_bits_with_fractional_figures);
    tcase_add_test(tc, stream_keeps_figures_beyond_32_bits);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return toll_test_run(suite()); }
