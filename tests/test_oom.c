/*
 * tests/test_oom.c - allocation-failure suite of the main paths, in the
 * way SQLite's and libuv's tests do it: run a path with an allocator that
 * fails the n-th allocation, for n = 1, 2, ... until the path succeeds.
 *
 * Two failure modes for each sweep:
 *   persistent  the n-th allocation and every later one fail (SQLite's
 *               "persistent" mode; the error must propagate out);
 *   once        only the n-th fails (recovery code runs with memory
 *               available again: nothing may be half-done or lost).
 * Every failure must return TOLL_ENOMEM, leak nothing (live blocks are
 * counted; the suite also runs under ASan and valgrind), and leave earlier
 * data intact: file A is loaded fully, then B is loaded into the same
 * store with failures; after each failure the store must equal the A-only
 * store (same count, and the same reconcile/summarize output rendered to
 * CSV).  A success (possible in "once" mode when the failure hit a path
 * with a fallback) must give the same result as a run without failures.
 *
 * cJSON (global hooks) and libcsv (no allocator context) allocate with the
 * C library directly; those allocations are not counted here.
 */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- a counting allocator with persistent or one-shot failures ------------- */

typedef struct oom {
    long fail_at; /* allocation number to fail; 0 = never */
    int once;     /* 1: fail only allocation fail_at */
    long count, live, failures;
    toll_allocator a;
} oom;

static int oom_fails(oom *o)
{
    o->count++;
    if (!o->fail_at)
        return 0;
    if (o->once ? o->count == o->fail_at : o->count >= o->fail_at) {
        o->failures++;
        return 1;
    }
    return 0;
}

static void *oom_malloc(void *ctx, size_t size)
{
    oom *o = ctx;
    if (oom_fails(o))
        return NULL;
    void *p = malloc(size ? size : 1);
    if (p)
        o->live++;
    return p;
}

static void *oom_realloc(void *ctx, void *p, size_t old_size, size_t size)
{
    oom *o = ctx;
    (void)old_size;
    if (oom_fails(o))
        return NULL;
    void *q = realloc(p, size ? size : 1);
    if (q && !p)
        o->live++;
    return q;
}

static void oom_free(void *ctx, void *p, size_t size)
{
    oom *o = ctx;
    (void)size;
    if (p) {
        o->live--;
        free(p);
    }
}

static void oom_init(oom *o, int once)
{
    memset(o, 0, sizeof *o);
    o->once = once;
    o->a.malloc = oom_malloc;
    o->a.realloc = oom_realloc;
    o->a.free = oom_free;
    o->a.ctx = o;
}

/* Arm: fail the n-th allocation from now on. */
static void oom_arm(oom *o, long n) { o->fail_at = o->count + n; }
static void oom_disarm(oom *o) { o->fail_at = 0; }

#define MAX_STEPS 200000L

/* ---- test data ---------------------------------------------------------------- */

static const char A_JSONL[] =
    "{\"incident\":\"aleppo-1\",\"source\":\"SNHR\",\"source_kind\":\"monitor\","
    "\"date\":\"2016-09-25\",\"region\":\"Syria/Aleppo\",\"actor\":[\"Russia\"],"
    "\"killed\":92}\n"
    "{\"incident\":\"aleppo-1\",\"source\":\"White Helmets\",\"source_kind\":"
    "\"rescue\",\"date\":\"2016-09-25\",\"region\":\"Syria/Aleppo\",\"actor\":"
    "[\"Russia\"],\"killed\":\"at least 150\",\"injured\":\"dozens\"}\n"
    "{\"incident\":\"aleppo-1\",\"source\":\"MoD\",\"source_kind\":\"party\","
    "\"source_actor\":\"Russia\",\"actor\":[\"Russia\"],\"killed\":0}\n"
    "{\"incident\":\"idlib-2\",\"source\":\"SOHR\",\"date_start\":\"2016-10-03\","
    "\"date_end\":\"2016-10-05\",\"region\":\"Syria/Idlib\",\"actor\":"
    "[\"Syria\"],\"killed\":\"about 30\",\"children_killed\":\"four\"}\n"
    "{\"source\":\"AFP\",\"date\":\"2016-11-02\",\"region\":\"Syria/Homs\","
    "\"actor\":[\"Russia\",\"Syria\"],\"killed\":\"12-15\"}\n";

/* B: new strings, categories, actor sets, regions, extras. */
static const char B_JSONL[] =
    "{\"incident\":\"homs-9\",\"source\":\"Airwars\",\"source_kind\":\"ngo\","
    "\"date\":\"2017-03\",\"region\":[\"Syria\",\"Homs\",\"Talbiseh\"],"
    "\"actor\":[\"Coalition\",\"USA\"],\"killed\":{\"low\":4,\"high\":11,"
    "\"best\":7},\"civilians_injured\":\"several\",\"weather\":\"rain\","
    "\"extra\":{\"k\":[1, 2, 3]},\"url\":\"http://x\",\"note\":\"n\"}\n"
    "{\"incident\":\"homs-9\",\"source\":\"Local Council\",\"date\":\"2017-03-02\","
    "\"region\":\"Syria/Homs\",\"actor\":\"USA\",\"killed\":\"nearly 20\","
    "\"id\":17}\n"
    "{\"incident\":\"aleppo-1\",\"source\":\"UN\",\"source_kind\":\"un\","
    "\"date\":\"2016-09-25\",\"actor\":[\"Russia\",\"Syria\"],"
    "\"killed\":\"85-120\",\"women_killed\":3}\n";

static const char B_JSON[] =
    "[\n {\"incident\":\"deir-4\",\"source\":\"DEZ24\",\"date\":\"2018-01-05\","
    "\"region\":\"Syria/Deir ez-Zor\",\"actor\":[\"Iran\"],\"killed\":6},\n"
    " {\"incident\":\"deir-4\",\"source\":\"SANA\",\"source_kind\":\"media\","
    "\"source_actor\":\"Iran\",\"actor\":[\"Iran\"],\"killed\":0,"
    "\"injured\":\"a few\"}\n]\n";

static const char B_CSV[] =
    "id,event_date,country,adm1,adm2,side_a,deaths_min,deaths_best,deaths_max,"
    "comment\n"
    "1,2016-09-25,Syria,Aleppo,,Russia;Syria,80,92,150,ok\n"
    "2,2016-10-04,Syria,Idlib,Maarrat,Syria,3,,9,\n"
    "3,2019-12,Yemen,Taiz,,Coalition,12,14,20,\"quoted, comma\"\n";
static const char B_CSV_MAP[] =
    "killed=deaths_min..deaths_best..deaths_max,actor=side_a,"
    "region=country/adm1/adm2,date=event_date,source='UCDP',incident=id";

/* Lenient B with rejects between valid records. */
static const char B_LENIENT[] =
    "source,killed,date,region\n"
    "A,5,2016-01-01,Syria/Idlib\n"
    "B,at leest 5,2016-01-02,Syria\n"
    "C,dozens,2016-02-30,Syria\n"
    "D,about 40,2016-03-01,Syria//Homs\n"
    "E,7,2016-03-02,Iraq/Mosul\n";

/* ---- the store's fingerprint --------------------------------------------------- */

static int buf_write(void *ctx, const char *data, size_t len)
{
    char **s = ctx;
    size_t n = *s ? strlen(*s) : 0;
    char *t = realloc(*s, n + len + 1);
    if (!t)
        return 1;
    memcpy(t + n, data, len);
    t[n + len] = '\0';
    *s = t;
    return 0;
}

/* Count, categories, incidents table and two summaries as one string
 * (malloc'd).  Runs with allocations disarmed. */
static char *fingerprint(toll_reports *r, oom *o)
{
    long saved = o ? o->fail_at : 0;
    if (o)
        oom_disarm(o);
    char *s = NULL;
    char head[64];
    snprintf(head, sizeof head, "%zu reports\n", toll_reports_count(r));
    buf_write(&s, head, strlen(head));
    for (size_t i = 0; i < toll_reports_category_count(r); i++) {
        buf_write(&s, toll_reports_category(r, i),
                  strlen(toll_reports_category(r, i)));
        buf_write(&s, "\n", 1);
    }
    toll_incidents *inc = NULL;
    toll_error e;
    ck_assert_int_eq(toll_reconcile(r, NULL, toll_default_allocator(), &inc,
                                    &e),
                     TOLL_OK);
    toll_table *t = NULL;
    ck_assert_int_eq(toll_incidents_table(inc, toll_default_allocator(), &t,
                                          &e),
                     TOLL_OK);
    ck_assert_int_eq(toll_table_render(t, TOLL_RENDER_CSV, 0, buf_write, &s,
                                       &e),
                     TOLL_OK);
    toll_table_free(t);
    toll_summarize_options so;
    toll_summarize_options_init(&so);
    so.by = "actor,region:1,period:month,category";
    so.attribution = TOLL_ATTR_SPLIT;
    so.span = TOLL_SPAN_PRORATE;
    ck_assert_int_eq(toll_summarize(inc, &so, toll_default_allocator(), &t,
                                    &e),
                     TOLL_OK);
    ck_assert_int_eq(toll_table_render(t, TOLL_RENDER_CSV, 1, buf_write, &s,
                                       &e),
                     TOLL_OK);
    toll_table_free(t);
    toll_incidents_free(inc);
    if (o)
        o->fail_at = saved;
    return s;
}

/* ---- loads ------------------------------------------------------------------------ */

typedef struct load_case {
    const char *name;
    const char *data; /* buffer, or NULL for `path` */
    const char *path;
    toll_format format;
    const char *map;
    int lenient;
} load_case;

static toll_status do_load(toll_reports *r, const load_case *c, oom *o,
                           size_t *n, toll_error *e)
{
    toll_load_options opts;
    toll_load_options_init(&opts);
    opts.format = c->format;
    opts.lenient = c->lenient;
    toll_colmap *map = NULL;
    toll_status st;
    if (c->map) {
        /* the map itself is built without failures (swept separately) */
        long saved = o->fail_at;
        oom_disarm(o);
        ck_assert_int_eq(toll_colmap_new(toll_default_allocator(), &map, e),
                         TOLL_OK);
        ck_assert_int_eq(toll_colmap_parse(map, c->map, e), TOLL_OK);
        o->fail_at = saved;
        opts.colmap = map;
    }
    if (c->data)
        st = toll_reports_load_buffer(r, c->data, strlen(c->data), c->name,
                                      &opts, n, e);
    else
        st = toll_reports_load_file(r, c->path, &opts, n, e);
    toll_colmap_free(map);
    return st;
}

static toll_reports *store_with_a(oom *o)
{
    toll_reports *r = NULL;
    toll_error e;
    ck_assert_int_eq(toll_reports_new(&o->a, &r, &e), TOLL_OK);
    load_case a = {"a.jsonl", A_JSONL, NULL, TOLL_FORMAT_JSONL, NULL, 0};
    size_t n = 0;
    ck_assert_int_eq(do_load(r, &a, o, &n, &e), TOLL_OK);
    ck_assert_uint_eq(n, 5);
    return r;
}

/* Sweep the load of B into a store holding A. */
static void sweep_load(const load_case *b, int once)
{
    /* references: A alone, and A + B without failures */
    oom o;
    oom_init(&o, once);
    toll_reports *r = store_with_a(&o);
    char *ref_a = fingerprint(r, &o);
    toll_error e;
    size_t n_ref = 0;
    ck_assert_msg(do_load(r, b, &o, &n_ref, &e) == TOLL_OK, "%s: %s", b->name,
                  e.message);
    size_t rej_ref = toll_reports_reject_count(r);
    char *ref_ab = fingerprint(r, &o);
    toll_reports_free(r);
    ck_assert_int_eq(o.live, 0);

    long step;
    int done = 0;
    for (step = 1; step < MAX_STEPS && !done; step++) {
        oom_init(&o, once);
        r = store_with_a(&o);
        oom_arm(&o, step);
        size_t n = 99;
        toll_error_clear(&e);
        toll_status st = do_load(r, b, &o, &n, &e);
        int failed = o.failures > 0;
        oom_disarm(&o);
        char *fp = fingerprint(r, &o);
        if (st == TOLL_OK) {
            /* success: identical to the run without failures */
            ck_assert_msg(strcmp(fp, ref_ab) == 0,
                          "%s (%s, step %ld): success after a failed "
                          "allocation gave a different store:\n%s\n"
                          "expected:\n%s",
                          b->name, once ? "once" : "persistent", step, fp,
                          ref_ab);
            ck_assert_uint_eq(n, n_ref);
            ck_assert_uint_eq(toll_reports_reject_count(r), rej_ref);
            done = !failed;
        } else {
            ck_assert_msg(st == TOLL_ENOMEM,
                          "%s (step %ld): status %s (%s), expected ENOMEM",
                          b->name, step, toll_status_name(st), e.message);
            ck_assert_int_eq(e.code, TOLL_ENOMEM);
            ck_assert_str_eq(e.message, "out of memory");
            ck_assert_uint_eq(n, 0);
            ck_assert_uint_eq(toll_reports_reject_count(r), 0);
            ck_assert_msg(strcmp(fp, ref_a) == 0,
                          "%s (%s, step %ld): the store changed after a "
                          "failed load:\n%s\nexpected:\n%s",
                          b->name, once ? "once" : "persistent", step, fp,
                          ref_a);
        }
        free(fp);
        /* the store still loads B afterwards */
        if (st != TOLL_OK) {
            ck_assert_int_eq(do_load(r, b, &o, &n, &e), TOLL_OK);
            fp = fingerprint(r, &o);
            ck_assert_str_eq(fp, ref_ab);
            free(fp);
        }
        toll_reports_free(r);
        ck_assert_msg(o.live == 0, "%s (step %ld): %ld blocks leaked",
                      b->name, step, o.live);
    }
    ck_assert_msg(done, "%s: no success after %ld steps", b->name, step);
    if (getenv("TOLL_OOM_VERBOSE"))
        fprintf(stderr, "load %s (%s): %ld steps\n", b->name,
                once ? "once" : "persistent", step - 1);
    free(ref_a);
    free(ref_ab);
}

/* 120 reports with distinct strings, actor sets and regions: the store's
 * columns, string pool and actor-set pool all have to grow. */
static char *MANY;

static void make_many(void)
{
    size_t cap = 120 * 256, n = 0;
    MANY = malloc(cap);
    ck_assert_ptr_nonnull(MANY);
    for (int i = 0; i < 120; i++)
        n += (size_t)snprintf(
            MANY + n, cap - n,
            "{\"incident\":\"inc-%d\",\"source\":\"src %d\",\"date\":"
            "\"2016-%02d-%02d\",\"region\":\"Country %d/Province %d\","
            "\"actor\":[\"actor %d\",\"actor %d\"],\"killed\":\"%d-%d\","
            "\"cat%d_killed\":%d,\"x%d\":\"extra %d\"}\n",
            i / 3, i, 1 + i % 12, 1 + i % 28, i % 7, i, i % 11, i % 5, i,
            i + 10, i % 9, i, i % 4, i);
}

static const load_case LOADS[] = {
    {"many.jsonl", NULL, NULL, TOLL_FORMAT_JSONL, NULL, 0},
    {"b.jsonl", B_JSONL, NULL, TOLL_FORMAT_JSONL, NULL, 0},
    {"b.json", B_JSON, NULL, TOLL_FORMAT_JSON, NULL, 0},
    {"b.csv", B_CSV, NULL, TOLL_FORMAT_CSV, B_CSV_MAP, 0},
    {"lenient.csv", B_LENIENT, NULL, TOLL_FORMAT_CSV, NULL, 1},
    {NULL, NULL, TOLL_TEST_DATA_DIR "/../catalogue/crlf.jsonl",
     TOLL_FORMAT_AUTO, NULL, 1},
    {NULL, NULL, TOLL_TEST_DATA_DIR "/../catalogue/quoted_newline.csv",
     TOLL_FORMAT_AUTO, NULL, 1},
};
#define NLOADS (int)(sizeof LOADS / sizeof LOADS[0])

static load_case load_case_at(int i)
{
    load_case c = LOADS[i];
    if (!c.name)
        c.name = c.path;
    else if (!c.data && !c.path) {
        if (!MANY)
            make_many();
        c.data = MANY;
    }
    return c;
}

START_TEST(load_should_fail_with_enomem_and_keep_earlier_data)
{
    load_case c = load_case_at(_i);
    sweep_load(&c, 0);
}
END_TEST

START_TEST(load_should_survive_one_failed_allocation_and_keep_earlier_data)
{
    load_case c = load_case_at(_i);
    sweep_load(&c, 1);
}
END_TEST

/* A strict load that fails on bad data after ENOMEM-free allocations still
 * rolls back completely under failures (the error wins or ENOMEM does). */
START_TEST(failed_strict_load_should_roll_back_under_failures)
{
    static const char bad[] =
        "{\"source\":\"N1\",\"killed\":1,\"actor\":[\"New actor\"],"
        "\"region\":\"New/Region\",\"new_killed\":2,\"x\":\"y\"}\n"
        "{\"source\":\"N2\",\"killed\":\"at leest 5\"}\n";
    oom o;
    oom_init(&o, 0);
    toll_reports *r = store_with_a(&o);
    char *ref_a = fingerprint(r, &o);
    toll_reports_free(r);
    int done = 0;
    for (long step = 1; step < MAX_STEPS && !done; step++) {
        oom_init(&o, _i);
        r = store_with_a(&o);
        oom_arm(&o, step);
        toll_error e;
        load_case c = {"bad.jsonl", bad, NULL, TOLL_FORMAT_JSONL, NULL, 0};
        size_t n = 0;
        toll_status st = do_load(r, &c, &o, &n, &e);
        done = o.failures == 0;
        oom_disarm(&o);
        ck_assert_msg(st == TOLL_ENOMEM || st == TOLL_EPARSE,
                      "step %ld: %s", step, toll_status_name(st));
        if (st == TOLL_EPARSE)
            ck_assert_str_eq(e.message, "bad.jsonl:2: field 'killed': cannot "
                                        "read \"at leest 5\" as a quantity");
        char *fp = fingerprint(r, &o);
        ck_assert_str_eq(fp, ref_a);
        free(fp);
        toll_reports_free(r);
        ck_assert_int_eq(o.live, 0);
    }
    ck_assert(done);
    free(ref_a);
}
END_TEST

START_TEST(reports_new_should_fail_cleanly)
{
    for (long step = 1; step < 1000; step++) {
        oom o;
        oom_init(&o, 0);
        oom_arm(&o, step);
        toll_reports *r = (toll_reports *)&o; /* must be reset */
        toll_error e;
        toll_status st = toll_reports_new(&o.a, &r, &e);
        if (st == TOLL_OK) {
            toll_reports_free(r);
            ck_assert_int_eq(o.live, 0);
            if (o.failures == 0)
                return;
            continue;
        }
        ck_assert_int_eq(st, TOLL_ENOMEM);
        ck_assert_int_eq(o.live, 0);
    }
    ck_abort_msg("toll_reports_new never succeeded");
}
END_TEST

/* ---- reconcile, tables, summaries ------------------------------------------------ */

static toll_reports *full_store(oom *o)
{
    toll_reports *r = store_with_a(o);
    toll_error e;
    size_t n;
    load_case b = {"b.jsonl", B_JSONL, NULL, TOLL_FORMAT_JSONL, NULL, 0};
    ck_assert_int_eq(do_load(r, &b, o, &n, &e), TOLL_OK);
    load_case c = {"b.csv", B_CSV, NULL, TOLL_FORMAT_CSV, B_CSV_MAP, 0};
    ck_assert_int_eq(do_load(r, &c, o, &n, &e), TOLL_OK);
    return r;
}

static char *render_csv(const toll_table *t)
{
    char *s = NULL;
    toll_error e;
    ck_assert_int_eq(toll_table_render(t, TOLL_RENDER_CSV, 1, buf_write, &s,
                                       &e),
                     TOLL_OK);
    return s;
}

static char *incidents_csv(const toll_incidents *inc)
{
    toll_table *t = NULL;
    toll_error e;
    ck_assert_int_eq(toll_incidents_table(inc, toll_default_allocator(), &t,
                                          &e),
                     TOLL_OK);
    char *s = render_csv(t);
    toll_table_free(t);
    return s;
}

/* _i: 0 the store's allocator fails (reconcile adds to its pools), 1 the
 * incidents' own allocator fails; 2, 3 the same in "once" mode. */
START_TEST(reconcile_should_fail_with_enomem_and_leave_the_reports_usable)
{
    int own = _i & 1, once = _i >> 1;
    static const toll_policy pol[] = {TOLL_POLICY_ENVELOPE,
                                      TOLL_POLICY_CONSERVATIVE};
    for (int p = 0; p < 2; p++) {
        toll_reconcile_options ro;
        toll_reconcile_options_init(&ro);
        ro.policy = pol[p];
        ro.self_reports = p ? TOLL_SELF_INCLUDE : TOLL_SELF_EXCLUDE;
        oom so, io;
        oom_init(&so, once);
        oom_init(&io, once);
        toll_reports *r = full_store(&so);
        toll_incidents *inc = NULL;
        toll_error e;
        ck_assert_int_eq(toll_reconcile(r, &ro, &io.a, &inc, &e), TOLL_OK);
        char *ref = incidents_csv(inc);
        toll_incidents_free(inc);
        ck_assert_int_eq(io.live, 0);
        int done = 0;
        long step;
        for (step = 1; step < MAX_STEPS && !done; step++) {
            oom *f = own ? &io : &so;
            oom_arm(f, step);
            inc = NULL;
            toll_status st = toll_reconcile(r, &ro, &io.a, &inc, &e);
            int failed = f->failures > 0;
            f->failures = 0;
            oom_disarm(f);
            if (st == TOLL_OK) {
                char *s = incidents_csv(inc);
                ck_assert_msg(strcmp(s, ref) == 0, "step %ld:\n%s\n---\n%s",
                              step, s, ref);
                free(s);
                toll_incidents_free(inc);
                done = !failed;
            } else {
                ck_assert_msg(st == TOLL_ENOMEM, "step %ld: %s", step,
                              toll_status_name(st));
                ck_assert_ptr_null(inc);
                ck_assert_str_eq(e.message, "out of memory");
            }
            ck_assert_msg(io.live == 0, "step %ld: %ld blocks leaked", step,
                          io.live);
        }
        ck_assert(done);
        /* the reports still reconcile to the same result */
        ck_assert_int_eq(toll_reconcile(r, &ro, NULL, &inc, &e), TOLL_OK);
        char *s = incidents_csv(inc);
        ck_assert_str_eq(s, ref);
        free(s);
        toll_incidents_free(inc);
        free(ref);
        toll_reports_free(r);
        ck_assert_int_eq(so.live, 0);
    }
}
END_TEST

static const char *const BYS[] = {
    "", "actor,period:month", "region:0,period:week,category",
    "grade,period:quarter", "region,actor,period:year,category,grade"};
#define NBYS (int)(sizeof BYS / sizeof BYS[0])

START_TEST(summarize_should_fail_with_enomem_and_leak_nothing)
{
    oom so;
    oom_init(&so, 0);
    toll_reports *r = full_store(&so);
    toll_incidents *inc = NULL;
    toll_error e;
    ck_assert_int_eq(toll_reconcile(r, NULL, NULL, &inc, &e), TOLL_OK);
    for (int once = 0; once < 2; once++) {
        for (int attr = 0; attr < 3; attr++) {
            toll_summarize_options opts;
            toll_summarize_options_init(&opts);
            opts.by = BYS[_i];
            opts.attribution = (toll_attribution)attr;
            opts.span = attr == 1 ? TOLL_SPAN_PRORATE : TOLL_SPAN_START;
            static const char *const actors[] = {"Russia", "USA"};
            if (attr == 2) {
                opts.actors = actors;
                opts.n_actors = 2;
                opts.date_from = "2016";
                opts.region_prefix = "Syria";
                opts.min_grade = TOLL_GRADE_SINGLE;
            }
            toll_table *t = NULL;
            ck_assert_int_eq(toll_summarize(inc, &opts, NULL, &t, &e),
                             TOLL_OK);
            char *ref = render_csv(t);
            toll_table_free(t);
            int done = 0;
            for (long step = 1; step < MAX_STEPS && !done; step++) {
                oom to;
                oom_init(&to, once);
                oom_arm(&to, step);
                t = NULL;
                toll_status st = toll_summarize(inc, &opts, &to.a, &t, &e);
                int failed = to.failures > 0;
                oom_disarm(&to);
                if (st == TOLL_OK) {
                    char *s = render_csv(t);
                    ck_assert_msg(strcmp(s, ref) == 0, "by '%s' step %ld",
                                  BYS[_i], step);
                    free(s);
                    toll_table_free(t);
                    done = !failed;
                } else {
                    ck_assert_msg(st == TOLL_ENOMEM, "by '%s' step %ld: %s",
                                  BYS[_i], step, toll_status_name(st));
                    ck_assert_ptr_null(t);
                }
                ck_assert_msg(to.live == 0, "by '%s' step %ld: %ld leaked",
                              BYS[_i], step, to.live);
            }
            ck_assert(done);
            free(ref);
        }
    }
    toll_incidents_free(inc);
    toll_reports_free(r);
    ck_assert_int_eq(so.live, 0);
}
END_TEST

START_TEST(incidents_table_and_rendering_should_fail_with_enomem)
{
    oom so;
    oom_init(&so, 0);
    toll_reports *r = full_store(&so);
    toll_incidents *inc = NULL;
    toll_error e;
    ck_assert_int_eq(toll_reconcile(r, NULL, NULL, &inc, &e), TOLL_OK);
    char *ref = incidents_csv(inc);
    for (int once = 0; once < 2; once++) {
        /* the table */
        int done = 0;
        for (long step = 1; step < MAX_STEPS && !done; step++) {
            oom to;
            oom_init(&to, once);
            oom_arm(&to, step);
            toll_table *t = NULL;
            toll_status st = toll_incidents_table(inc, &to.a, &t, &e);
            int failed = to.failures > 0;
            oom_disarm(&to);
            if (st == TOLL_OK) {
                char *s = render_csv(t);
                ck_assert_str_eq(s, ref);
                free(s);
                toll_table_free(t);
                done = !failed;
            } else {
                ck_assert_int_eq(st, TOLL_ENOMEM);
                ck_assert_ptr_null(t);
            }
            ck_assert_int_eq(to.live, 0);
        }
        ck_assert(done);
        /* rendering into a string, every format */
        for (int fmt = 0; fmt < 4; fmt++) {
            oom to;
            oom_init(&to, once);
            toll_table *t = NULL;
            ck_assert_int_eq(toll_incidents_table(inc, &to.a, &t, &e),
                             TOLL_OK);
            char *want = NULL;
            size_t wlen = 0;
            ck_assert_int_eq(toll_table_render_string(
                                 t, (toll_render_format)fmt, 1, &want, &wlen,
                                 &e),
                             TOLL_OK);
            done = 0;
            for (long step = 1; step < MAX_STEPS && !done; step++) {
                oom_arm(&to, step);
                char *out = NULL;
                size_t len = 0;
                long live = to.live;
                toll_status st = toll_table_render_string(
                    t, (toll_render_format)fmt, 1, &out, &len, &e);
                int failed = to.failures > 0;
                to.failures = 0;
                oom_disarm(&to);
                if (st == TOLL_OK) {
                    ck_assert_uint_eq(len, wlen);
                    ck_assert_str_eq(out, want);
                    toll_table_buffer_free(t, out);
                    done = !failed;
                } else {
                    ck_assert_int_eq(st, TOLL_ENOMEM);
                }
                ck_assert_int_eq(to.live, live);
            }
            ck_assert(done);
            toll_table_buffer_free(t, want);
            toll_table_free(t);
            ck_assert_int_eq(to.live, 0);
        }
    }
    free(ref);
    toll_incidents_free(inc);
    toll_reports_free(r);
    ck_assert_int_eq(so.live, 0);
}
END_TEST

/* ---- lexicon and column maps ------------------------------------------------------- */

static char *lexicon_dump(const toll_lexicon *lex)
{
    char *s = NULL;
    for (size_t i = 0; i < toll_lexicon_count(lex); i++) {
        const char *w;
        int64_t lo, hi;
        double best;
        ck_assert_int_eq(toll_lexicon_entry(lex, i, &w, &lo, &hi, &best),
                         TOLL_OK);
        char line[200];
        snprintf(line, sizeof line, "%s %lld %lld %g\n", w, (long long)lo,
                 (long long)hi, best);
        buf_write(&s, line, strlen(line));
    }
    return s;
}

START_TEST(lexicon_load_should_fail_with_enomem_and_keep_the_lexicon)
{
    static const char *const json[] = {
        "{\"dozens\": {\"low\": 24, \"high\": 99, \"best\": 36},"
        " \"a great many\": {\"low\": 50, \"high\": null}, \"tens\": 12}",
        "{\"replace\": true, \"words\": {\"many\": {\"low\": 10, "
        "\"high\": null}, \"few\": {\"low\": 2, \"high\": 5}}}"};
    for (int once = 0; once < 2; once++) {
        oom o;
        oom_init(&o, once);
        toll_lexicon *lex = NULL;
        toll_error e;
        ck_assert_int_eq(toll_lexicon_new(&o.a, &lex, &e), TOLL_OK);
        char *before = lexicon_dump(lex);
        ck_assert_int_eq(toll_lexicon_load_json(lex, json[_i],
                                                strlen(json[_i]), "l.json",
                                                &e),
                         TOLL_OK);
        char *after = lexicon_dump(lex);
        toll_lexicon_free(lex);
        int done = 0;
        for (long step = 1; step < MAX_STEPS && !done; step++) {
            oom_init(&o, once);
            ck_assert_int_eq(toll_lexicon_new(&o.a, &lex, &e), TOLL_OK);
            oom_arm(&o, step);
            toll_status st = toll_lexicon_load_json(lex, json[_i],
                                                    strlen(json[_i]),
                                                    "l.json", &e);
            int failed = o.failures > 0;
            oom_disarm(&o);
            char *now = lexicon_dump(lex);
            if (st == TOLL_OK) {
                ck_assert_str_eq(now, after);
                done = !failed;
            } else {
                ck_assert_int_eq(st, TOLL_ENOMEM);
                ck_assert_str_eq(now, before);
            }
            free(now);
            toll_lexicon_free(lex);
            ck_assert_int_eq(o.live, 0);
        }
        ck_assert(done);
        free(before);
        free(after);
    }
}
END_TEST

START_TEST(lexicon_presets_and_set_should_fail_cleanly)
{
    static const char *const presets[] = {"default", "acled", "empty"};
    for (int p = 0; p < 3; p++) {
        int done = 0;
        for (long step = 1; step < 10000 && !done; step++) {
            oom o;
            oom_init(&o, 0);
            oom_arm(&o, step);
            toll_lexicon *lex = NULL;
            toll_error e;
            toll_status st = toll_lexicon_new_preset(presets[p], &o.a, &lex,
                                                     &e);
            done = o.failures == 0;
            oom_disarm(&o);
            if (st == TOLL_OK) {
                char *d = lexicon_dump(lex);
                toll_lexicon *ref = NULL;
                ck_assert_int_eq(toll_lexicon_new_preset(presets[p], NULL,
                                                         &ref, &e),
                                 TOLL_OK);
                char *rd = lexicon_dump(ref);
                ck_assert_str_eq(d ? d : "", rd ? rd : "");
                free(d);
                free(rd);
                toll_lexicon_free(ref);
                /* set: a new word and a replaced one */
                oom_arm(&o, 1);
                st = toll_lexicon_set(lex, "a great many", 50, TOLL_OPEN, -1,
                                      &e);
                ck_assert_int_eq(st, TOLL_ENOMEM);
                oom_disarm(&o);
                ck_assert_int_eq(toll_lexicon_set(lex, "a great many", 50,
                                                  TOLL_OPEN, -1, &e),
                                 TOLL_OK);
                toll_lexicon_free(lex);
            } else {
                ck_assert_int_eq(st, TOLL_ENOMEM);
                ck_assert_ptr_null(lex);
            }
            ck_assert_int_eq(o.live, 0);
        }
        ck_assert(done);
    }
}
END_TEST

START_TEST(colmap_parse_should_fail_with_enomem_and_keep_the_map)
{
    int done = 0;
    for (long step = 1; step < MAX_STEPS && !done; step++) {
        oom o;
        oom_init(&o, _i);
        toll_colmap *map = NULL;
        toll_error e;
        ck_assert_int_eq(toll_colmap_new(&o.a, &map, &e), TOLL_OK);
        ck_assert_int_eq(toll_colmap_parse(map, "killed=k", &e), TOLL_OK);
        oom_arm(&o, step);
        toll_status st = toll_colmap_parse(map, B_CSV_MAP, &e);
        done = o.failures == 0;
        oom_disarm(&o);
        ck_assert(st == TOLL_OK || st == TOLL_ENOMEM);
        /* the map works and is either the old one or the new one */
        toll_reports *r = NULL;
        ck_assert_int_eq(toll_reports_new(NULL, &r, &e), TOLL_OK);
        toll_load_options lo;
        toll_load_options_init(&lo);
        lo.colmap = map;
        lo.format = TOLL_FORMAT_CSV;
        size_t n = 0;
        if (st == TOLL_OK) {
            ck_assert_int_eq(toll_reports_load_buffer(r, B_CSV, strlen(B_CSV),
                                                      "b.csv", &lo, &n, &e),
                             TOLL_OK);
            ck_assert_uint_eq(n, 3);
        } else {
            static const char old[] = "source,k\nA,5\n";
            ck_assert_int_eq(toll_reports_load_buffer(r, old, strlen(old),
                                                      "old.csv", &lo, &n, &e),
                             TOLL_OK);
            ck_assert_uint_eq(n, 1);
        }
        toll_reports_free(r);
        toll_colmap_free(map);
        ck_assert_int_eq(o.live, 0);
    }
    ck_assert(done);
}
END_TEST

/* ---- MSE ------------------------------------------------------------------------------ */

static const char MSE_RECORDS[] =
    "id,stratum,A,B,C\n1,north,1,0,0\n2,north,1,1,0\n3,south,0,1,1\n"
    "4,south,yes,no,TRUE\n5,,0,0,1\n6,east,1,1,1\n7,north,0,1,0\n";
static const char MSE_PATTERNS[] =
    "pattern,count\n111,72\n110,5\n101,29\n100,54\n011,24\n010,3\n001,14\n";

static char *mse_dump(const toll_mse_data *d)
{
    char *s = NULL;
    for (size_t st = 0; st < toll_mse_data_nstrata(d); st++) {
        char line[128];
        snprintf(line, sizeof line, "[%s]", toll_mse_data_stratum_name(d, st));
        buf_write(&s, line, strlen(line));
        for (unsigned p = 1; p < 8; p++) {
            snprintf(line, sizeof line, " %lld",
                     (long long)toll_mse_data_count(d, (long)st, p));
            buf_write(&s, line, strlen(line));
        }
        buf_write(&s, "\n", 1);
    }
    return s ? s : calloc(1, 1);
}

static toll_mse_data *mse_new(oom *o)
{
    static const char *const names[] = {"A", "B", "C"};
    toll_mse_data *d = NULL;
    toll_error e;
    ck_assert_int_eq(toll_mse_data_new(3, names, &o->a, &d, &e), TOLL_OK);
    return d;
}

START_TEST(mse_load_should_fail_with_enomem_and_keep_earlier_data)
{
    const char *first = _i & 1 ? MSE_PATTERNS : MSE_RECORDS;
    const char *second = _i & 1 ? MSE_RECORDS : MSE_PATTERNS;
    int once = _i >> 1;
    oom o;
    oom_init(&o, once);
    toll_mse_data *d = mse_new(&o);
    toll_error e;
    ck_assert_int_eq(toll_mse_data_load_buffer(d, first, strlen(first),
                                               "a.csv", NULL, &e),
                     TOLL_OK);
    char *ref_a = mse_dump(d);
    ck_assert_int_eq(toll_mse_data_load_buffer(d, second, strlen(second),
                                               "b.csv", NULL, &e),
                     TOLL_OK);
    char *ref_ab = mse_dump(d);
    toll_mse_data_free(d);
    int done = 0;
    for (long step = 1; step < MAX_STEPS && !done; step++) {
        oom_init(&o, once);
        d = mse_new(&o);
        ck_assert_int_eq(toll_mse_data_load_buffer(d, first, strlen(first),
                                                   "a.csv", NULL, &e),
                         TOLL_OK);
        oom_arm(&o, step);
        toll_status st = toll_mse_data_load_buffer(d, second, strlen(second),
                                                   "b.csv", NULL, &e);
        int failed = o.failures > 0;
        oom_disarm(&o);
        char *now = mse_dump(d);
        if (st == TOLL_OK) {
            ck_assert_str_eq(now, ref_ab);
            done = !failed;
        } else {
            ck_assert_msg(st == TOLL_ENOMEM, "step %ld: %s", step, e.message);
            ck_assert_msg(strcmp(now, ref_a) == 0,
                          "step %ld: data changed:\n%s\nexpected\n%s", step,
                          now, ref_a);
        }
        free(now);
        toll_mse_data_free(d);
        ck_assert_int_eq(o.live, 0);
    }
    ck_assert(done);
    free(ref_a);
    free(ref_ab);
}
END_TEST

static void est_eq(const toll_mse_estimate *a, const toll_mse_estimate *b)
{
    ck_assert_double_eq(a->n_hat, b->n_hat);
    ck_assert_double_eq(a->lo, b->lo);
    ck_assert_double_eq(a->hi, b->hi);
    ck_assert_str_eq(a->model_name, b->model_name);
}

START_TEST(mse_estimators_should_fail_with_enomem_and_leak_nothing)
{
    int once = _i;
    oom o;
    oom_init(&o, once);
    toll_mse_data *d = mse_new(&o);
    toll_error e;
    ck_assert_int_eq(toll_mse_data_load_buffer(d, MSE_PATTERNS,
                                               strlen(MSE_PATTERNS), "p.csv",
                                               NULL, &e),
                     TOLL_OK);
    toll_mse_options opts;
    toll_mse_options_init(&opts);
    toll_mse_model m;
    ck_assert_int_eq(toll_mse_model_parse(d, "A*B", &m, &e), TOLL_OK);
    for (int what = 0; what < 4; what++) {
        toll_mse_estimate ref, est;
        toll_status st;
        switch (what) {
        case 0: st = toll_mse_loglinear(d, 0, m, &opts, &ref, &e); break;
        case 1: st = toll_mse_loglinear(d, TOLL_MSE_TOTAL, 0, &opts, &ref, &e); break;
        case 2: st = toll_mse_chao(d, 0, &opts, &ref, &e); break;
        default: st = toll_mse_chapman(d, 0, 0, 1, &opts, &ref, &e); break;
        }
        ck_assert_int_eq(st, TOLL_OK);
        int done = 0;
        for (long step = 1; step < MAX_STEPS && !done; step++) {
            long live = o.live;
            oom_arm(&o, step);
            switch (what) {
            case 0: st = toll_mse_loglinear(d, 0, m, &opts, &est, &e); break;
            case 1: st = toll_mse_loglinear(d, TOLL_MSE_TOTAL, 0, &opts, &est, &e); break;
            case 2: st = toll_mse_chao(d, 0, &opts, &est, &e); break;
            default: st = toll_mse_chapman(d, 0, 0, 1, &opts, &est, &e); break;
            }
            int failed = o.failures > 0;
            o.failures = 0;
            oom_disarm(&o);
            if (st == TOLL_OK) {
                est_eq(&est, &ref);
                done = !failed;
            } else {
                ck_assert_msg(st == TOLL_ENOMEM, "what %d step %ld: %s", what,
                              step, e.message);
            }
            ck_assert_int_eq(o.live, live);
        }
        ck_assert(done);
    }
    /* model search: the results object on its own allocator */
    toll_mse_results *ref = NULL;
    opts.profile = 0;
    ck_assert_int_eq(toll_mse_search(d, 0, TOLL_MSE_AIC, &opts, NULL, &ref,
                                     &e),
                     TOLL_OK);
    int done = 0;
    for (long step = 1; step < MAX_STEPS && !done; step++) {
        oom ro;
        oom_init(&ro, once);
        long live = o.live;
        oom_arm(&ro, step);
        toll_mse_results *res = NULL;
        toll_status st = toll_mse_search(d, 0, TOLL_MSE_AIC, &opts, &ro.a,
                                         &res, &e);
        int failed = ro.failures > 0;
        oom_disarm(&ro);
        if (st == TOLL_OK) {
            ck_assert_uint_eq(toll_mse_results_count(res),
                              toll_mse_results_count(ref));
            est_eq(toll_mse_results_average(res),
                   toll_mse_results_average(ref));
            toll_mse_results_free(res);
            done = !failed;
        } else {
            ck_assert_int_eq(st, TOLL_ENOMEM);
            ck_assert_ptr_null(res);
        }
        ck_assert_int_eq(ro.live, 0);
        ck_assert_int_eq(o.live, live);
    }
    ck_assert(done);
    toll_mse_results_free(ref);
    toll_mse_data_free(d);
    ck_assert_int_eq(o.live, 0);
}
END_TEST

static Suite *oom_suite(void)
{
    Suite *s = suite_create("oom");
    TCase *tc = tcase_create("load");
    tcase_set_timeout(tc, 600);
    tcase_add_loop_test(tc, load_should_fail_with_enomem_and_keep_earlier_data,
                        0, NLOADS);
    tcase_add_loop_test(
        tc, load_should_survive_one_failed_allocation_and_keep_earlier_data, 0,
        NLOADS);
    tcase_add_loop_test(tc, failed_strict_load_should_roll_back_under_failures,
                        0, 2);
    tcase_add_test(tc, reports_new_should_fail_cleanly);
    suite_add_tcase(s, tc);

    TCase *tr = tcase_create("results");
    tcase_set_timeout(tr, 600);
    tcase_add_loop_test(
        tr, reconcile_should_fail_with_enomem_and_leave_the_reports_usable, 0,
        4);
    tcase_add_loop_test(tr, summarize_should_fail_with_enomem_and_leak_nothing,
                        0, NBYS);
    tcase_add_test(tr, incidents_table_and_rendering_should_fail_with_enomem);
    suite_add_tcase(s, tr);

    TCase *tl = tcase_create("lexicon_colmap");
    tcase_set_timeout(tl, 600);
    tcase_add_loop_test(tl,
                        lexicon_load_should_fail_with_enomem_and_keep_the_lexicon,
                        0, 2);
    tcase_add_test(tl, lexicon_presets_and_set_should_fail_cleanly);
    tcase_add_loop_test(tl, colmap_parse_should_fail_with_enomem_and_keep_the_map,
                        0, 2);
    suite_add_tcase(s, tl);

    TCase *tm = tcase_create("mse");
    tcase_set_timeout(tm, 600);
    tcase_add_loop_test(tm, mse_load_should_fail_with_enomem_and_keep_earlier_data,
                        0, 4);
    tcase_add_loop_test(tm, mse_estimators_should_fail_with_enomem_and_leak_nothing,
                        0, 2);
    suite_add_tcase(s, tm);
    return s;
}

int main(void)
{
    return toll_test_run(oom_suite());
}
