/*
 * tests/test_json_arena.c - cJSON trees in a per-load arena (src/io/json/arena.c)
 * and the JSON loads that use it: reuse, growth, allocation failures,
 * cJSON's process-wide hooks replaced by someone else, other cJSON users,
 * loads on two threads at once.
 *
 * The tests that replace cJSON's hooks come last: without fork (CK_FORK=no)
 * they leave the process in malloc mode for the tests after them.
 */
#include "io/json/arena.h"
#include "store/store.h"
#include "testutil.h"

#include <check.h>
#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void install_toll_hooks(void);

/* ---- inputs ------------------------------------------------------------------------ */

/* Reports of several shapes, a bad line (syntax) and a bad report. */
static const char LINES[] =
    "{\"incident\":\"a1\",\"source\":\"Reuters\",\"source_kind\":\"media\","
    "\"date\":\"2014-01-01\",\"region\":\"Syria/Idlib\",\"actor\":\"Syria\","
    "\"killed\":12}\n"
    "{\"incident\":\"a1\",\"source\":\"SOHR\",\"date\":\"2014-01-01\","
    "\"region\":[\"Syria\",\"Idlib\"],\"actor\":[\"Syria\",\"Russia\"],"
    "\"killed\":{\"low\":10,\"high\":14},\"injured\":\"dozens\"}\n"
    "{\"incident\":\"b\\u00e9\",\"source\":\"A \\\"quoted\\\" one\","
    "\"date\":\"2015-02\",\"region\":\"Iraq\",\"killed\":\"at least 5\"}\n"
    "{\"incident\":\"c\",\"source\":\"X\",\"killed\": oops}\n"
    "\n"
    "{\"incident\":\"d\",\"source\":\"Y\",\"date\":\"2016\",\"killed\":-3}\n"
    "  {\"incident\" : \"e\" , \"source\" : \"Z\" , \"killed\" : 7 }  \r\n"
    "[1,2]\n"
    "{\"incident\":\"f\",\"source\":\"W\",\"date\":\"2017-05-06\","
    "\"killed\":0,\"note\":null,\"url\":\"http://x/\"}\n";

/* A JSON Lines text: LINES `times` over, then one line with `wide`
 * members (a document far larger than the arena's first block). */
static char *make_input(int times, int wide)
{
    size_t cap = sizeof LINES * (size_t)times + (size_t)wide * 40 + 200;
    char *s = malloc(cap);
    ck_assert_ptr_nonnull(s);
    size_t n = 0;
    for (int i = 0; i < times; i++) {
        memcpy(s + n, LINES, sizeof LINES - 1);
        n += sizeof LINES - 1;
    }
    if (wide) {
        n += (size_t)sprintf(s + n, "{\"incident\":\"wide\",\"source\":\"V\","
                                    "\"killed\":4");
        for (int k = 0; k < wide; k++)
            n += (size_t)sprintf(s + n, ",\"x%d\":\"v%d\"", k, k);
        n += (size_t)sprintf(s + n, "}\n");
    }
    s[n] = '\0';
    return s;
}

/* ---- the store's fingerprint --------------------------------------------------------- */

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

/* Count, categories, rejects (unless !rejects) and the incidents table as
 * one string (malloc'd). */
static char *fingerprint(const toll_reports *r, int rejects)
{
    char *s = NULL;
    char line[64];
    snprintf(line, sizeof line, "%zu reports, %zu rejects\n",
             toll_reports_count(r), rejects ? toll_reports_reject_count(r) : 0);
    buf_write(&s, line, strlen(line));
    for (size_t i = 0; i < toll_reports_category_count(r); i++) {
        buf_write(&s, toll_reports_category(r, i),
                  strlen(toll_reports_category(r, i)));
        buf_write(&s, "\n", 1);
    }
    for (size_t i = 0; rejects && i < toll_reports_reject_count(r); i++) {
        const toll_error *e = toll_reports_reject(r, i);
        buf_write(&s, e->message, strlen(e->message));
        buf_write(&s, "\n", 1);
    }
    toll_incidents *inc = NULL;
    toll_error e;
    ck_assert_int_eq(toll_reconcile(r, NULL, toll_default_allocator(), &inc,
                                    &e),
                     TOLL_OK);
    toll_table *t = NULL;
    ck_assert_int_eq(
        toll_incidents_table(inc, toll_default_allocator(), &t, &e), TOLL_OK);
    ck_assert_int_eq(toll_table_render(t, TOLL_RENDER_CSV, 0, buf_write, &s,
                                       &e),
                     TOLL_OK);
    toll_table_free(t);
    toll_incidents_free(inc);
    return s;
}

/* Load `data` (lenient, one thread) into r; the status. */
static toll_status load(toll_reports *r, const char *data, toll_error *e)
{
    toll_load_options o;
    toll_load_options_init(&o);
    o.lenient = 1;
    o.format = TOLL_FORMAT_JSONL;
    o.threads = 1;
    return toll_reports_load_buffer(r, data, strlen(data), "t.jsonl", &o,
                                    NULL, e);
}

/* The fingerprint of `data` loaded into a fresh store (malloc'd). */
static char *load_print(const char *data)
{
    toll_reports *r = NULL;
    toll_error e;
    ck_assert_int_eq(toll_reports_new(NULL, &r, &e), TOLL_OK);
    ck_assert_int_eq(load(r, data, &e), TOLL_OK);
    char *s = fingerprint(r, 1);
    toll_reports_free(r);
    return s;
}

/* The same data loaded as a JSON array: the other reader of the arena. */
static char *array_print(const char *data)
{
    toll_reports *r = NULL;
    toll_error e;
    ck_assert_int_eq(toll_reports_new(NULL, &r, &e), TOLL_OK);
    toll_load_options o;
    toll_load_options_init(&o);
    o.lenient = 1;
    o.format = TOLL_FORMAT_JSON;
    ck_assert_int_eq(toll_reports_load_buffer(r, data, strlen(data), "t.jsonl",
                                              &o, NULL, &e),
                     TOLL_OK);
    char *s = fingerprint(r, 1);
    toll_reports_free(r);
    return s;
}

/* ---- the arena itself ----------------------------------------------------------------- */

START_TEST(arena_should_be_reused_across_lines)
{
    toll__json_arena a;
    toll__json_arena_init(&a, toll_default_allocator());
    const char *docs[] = {"{\"a\":1,\"b\":\"x\"}", "{\"a\":2,\"b\":\"yy\"}",
                          "[1,2,3]"};
    cJSON *first = NULL;
    size_t size = 0;
    for (int i = 0; i < 3000; i++) {
        const char *d = docs[i % 3];
        cJSON *root = NULL;
        const char *end = NULL;
        ck_assert_int_eq(toll__json_arena_parse(&a, d, strlen(d), &end, &root),
                         TOLL__JP_OK);
        ck_assert_ptr_eq(end, d + strlen(d));
        ck_assert_ptr_nonnull(root->child);
        if (i % 3 == 1)
            ck_assert_str_eq(cJSON_GetObjectItem(root, "b")->valuestring, "yy");
        if (i == 0) {
            first = root;
            size = toll__json_arena_size(&a);
        }
        /* the same memory every time: reset, not allocated anew */
        ck_assert_ptr_eq(root, first);
        ck_assert_uint_eq(toll__json_arena_size(&a), size);
        toll__json_arena_release(&a, root);
    }
    ck_assert_int_eq(toll__json_arena_is_off(&a), 0);
    toll__json_arena_free(&a);
    ck_assert_uint_eq(toll__json_arena_size(&a), 0);
}
END_TEST

START_TEST(arena_should_report_syntax_errors_with_their_position)
{
    toll__json_arena a;
    toll__json_arena_init(&a, toll_default_allocator());
    const char *d = "{\"a\":[1,2,}";
    cJSON *root = NULL;
    const char *end = NULL;
    ck_assert_int_eq(toll__json_arena_parse(&a, d, strlen(d), &end, &root),
                     TOLL__JP_SYNTAX);
    ck_assert_ptr_null(root);
    ck_assert_ptr_eq(end, d + 10);
    toll__json_arena_release(&a, root);
    /* and the arena still works */
    ck_assert_int_eq(toll__json_arena_parse(&a, "{}", 2, &end, &root),
                     TOLL__JP_OK);
    toll__json_arena_release(&a, root);
    toll__json_arena_free(&a);
}
END_TEST

START_TEST(large_document_should_grow_the_arena)
{
    char *big = make_input(0, 20000); /* ~450 KB, ~40,000 nodes */
    size_t len = strlen(big);
    toll__json_arena a;
    toll__json_arena_init(&a, toll_default_allocator());
    cJSON *root = NULL;
    ck_assert_int_eq(toll__json_arena_parse(&a, "{}", 2, NULL, &root),
                     TOLL__JP_OK);
    toll__json_arena_release(&a, root);
    size_t small = toll__json_arena_size(&a);
    ck_assert_uint_gt(small, 0);

    ck_assert_int_eq(toll__json_arena_parse(&a, big, len, NULL, &root),
                     TOLL__JP_OK);
    int n = 0;
    const cJSON *c;
    cJSON_ArrayForEach(c, root)
    {
        if (n >= 3) {
            char k[16], v[16];
            snprintf(k, sizeof k, "x%d", n - 3);
            snprintf(v, sizeof v, "v%d", n - 3);
            ck_assert_str_eq(c->string, k);
            ck_assert_str_eq(c->valuestring, v);
        }
        n++;
    }
    ck_assert_int_eq(n, 20003);
    size_t grown = toll__json_arena_size(&a);
    ck_assert_uint_gt(grown, small);
    toll__json_arena_release(&a, root);

    /* after the reset the main block alone holds such a document */
    ck_assert_int_eq(toll__json_arena_parse(&a, big, len, NULL, &root),
                     TOLL__JP_OK);
    size_t again = toll__json_arena_size(&a);
    toll__json_arena_release(&a, root);
    ck_assert_int_eq(toll__json_arena_parse(&a, big, len, NULL, &root),
                     TOLL__JP_OK);
    ck_assert_uint_eq(toll__json_arena_size(&a), again);
    toll__json_arena_release(&a, root);
    toll__json_arena_free(&a);

    /* and a load with such a line reads it and the lines after it */
    char *in = make_input(2, 20000);
    size_t n1 = strlen(in);
    in = realloc(in, n1 + sizeof LINES);
    memcpy(in + n1, LINES, sizeof LINES);
    toll_reports *r = NULL;
    toll_error e;
    ck_assert_int_eq(toll_reports_new(NULL, &r, &e), TOLL_OK);
    ck_assert_int_eq(load(r, in, &e), TOLL_OK);
    /* LINES: 5 reports, 3 rejects (syntax, not an object, -3) */
    ck_assert_uint_eq(toll_reports_count(r), 3 * 5 + 1);
    ck_assert_uint_eq(toll_reports_reject_count(r), 3 * 3);
    toll_reports_free(r);
    free(in);
    free(big);
}
END_TEST

/* An allocator failing only its Nth call (failing_alloc fails every call
 * from the Nth on): a failure the load may survive, such as the arena's
 * growth inside cJSON, must not turn into a syntax error. */
typedef struct once_alloc {
    long count, fail_at, live;
    toll_allocator a;
} once_alloc;

static void *once_malloc(void *ctx, size_t size)
{
    once_alloc *o = ctx;
    if (++o->count == o->fail_at)
        return NULL;
    o->live++;
    return malloc(size ? size : 1);
}

static void *once_realloc(void *ctx, void *p, size_t old, size_t size)
{
    once_alloc *o = ctx;
    (void)old;
    if (++o->count == o->fail_at)
        return NULL;
    if (!p)
        o->live++;
    return realloc(p, size ? size : 1);
}

static void once_free(void *ctx, void *p, size_t size)
{
    once_alloc *o = ctx;
    (void)size;
    if (p) {
        o->live--;
        free(p);
    }
}

/* Load LINES, then `in` with allocation number 1, 2, ... of the second
 * load failing (every later one too unless `once`): TOLL_ENOMEM with the
 * store as before, or TOLL_OK with exactly the reports of a clean load;
 * never a syntax error, never a partial load; nothing leaked. */
static void oom_sweep(const char *in, int once)
{
    char *want = NULL, *before = NULL;
    {
        toll_reports *r = NULL;
        toll_error e;
        ck_assert_int_eq(toll_reports_new(NULL, &r, &e), TOLL_OK);
        ck_assert_int_eq(load(r, LINES, &e), TOLL_OK);
        before = fingerprint(r, 0);
        ck_assert_int_eq(load(r, in, &e), TOLL_OK);
        want = fingerprint(r, 1);
        toll_reports_free(r);
    }
    long fail_at, failures = 0;
    for (fail_at = 1; fail_at < 100000; fail_at++) {
        failing_alloc f;
        failing_alloc_init(&f, 0);
        once_alloc o = {0, 0, 0, {once_malloc, once_realloc, once_free, NULL}};
        o.a.ctx = &o;
        toll_reports *r = NULL;
        toll_error e;
        ck_assert_int_eq(toll_reports_new(once ? &o.a : &f.a, &r, &e),
                         TOLL_OK);
        ck_assert_int_eq(load(r, LINES, &e), TOLL_OK);
        if (once)
            o.fail_at = o.count + fail_at;
        else
            f.fail_at = f.count + fail_at;
        long start = once ? o.count : f.count;
        toll_status st = load(r, in, &e);
        long made = (once ? o.count : f.count) - start;
        f.fail_at = o.fail_at = 0;
        char *got = fingerprint(r, st == TOLL_OK);
        if (st == TOLL_OK) {
            ck_assert_str_eq(got, want);
        } else {
            ck_assert_msg(st == TOLL_ENOMEM, "allocation %ld: status %d (%s)",
                          fail_at, (int)st, e.message);
            ck_assert_str_eq(got, before);
            failures++;
        }
        free(got);
        toll_reports_free(r);
        ck_assert_int_eq(once ? o.live : f.live, 0);
        if (made < fail_at)
            break; /* the load made fewer allocations: all were tried */
    }
    ck_assert_int_gt(failures, 10);
    free(want);
    free(before);
}

START_TEST(oom_sweep_should_leave_the_store_as_before)
{
    char *in = make_input(3, 6000); /* the wide line grows the arena */
    oom_sweep(in, 0);
    free(in);
}
END_TEST

START_TEST(arena_out_of_memory_should_be_enomem_not_a_syntax_error)
{
    char *in = make_input(3, 6000);
    oom_sweep(in, 1);
    free(in);
}
END_TEST

/* cJSON skips control bytes as blanks; the raw walk does not: the string
 * after one keeps its own length (fuzz corpus, json/21b7e0a8). */
START_TEST(control_byte_before_a_value_should_keep_the_string_intact)
{
    const char *d = "{\"incident\":\"x\",\"source_kind\":\x1e\"rescue\","
                    "\"source\":\"S\",\"killed\":1}\n"
                    "{\"incident\":\"y\",\"source\":\x1f\"T\",\"note\":\"n\","
                    "\"killed\":2}\n";
    toll_reports *r = NULL;
    toll_error e;
    ck_assert_int_eq(toll_reports_new(NULL, &r, &e), TOLL_OK);
    toll_load_options o;
    toll_load_options_init(&o);
    o.format = TOLL_FORMAT_JSONL;
    ck_assert_msg(toll_reports_load_buffer(r, d, strlen(d), "c.jsonl", &o,
                                           NULL, &e) == TOLL_OK,
                  "%s", e.message);
    ck_assert_uint_eq(toll_reports_count(r), 2);
    ck_assert_int_eq(r->source_kind[0], TOLL_SOURCE_RESCUE);
    ck_assert_str_eq(toll__str(&r->strings, r->source[1]), "T");
    toll_reports_free(r);
}
END_TEST

/* The JSON array reader uses the arena too: same reports as JSON Lines. */
START_TEST(json_array_should_read_the_same_reports_through_the_arena)
{
    const char *arr =
        "[{\"incident\":\"a1\",\"source\":\"Reuters\",\"killed\":12},\n"
        " {\"incident\":\"a1\",\"source\":\"SOHR\",\"killed\":{\"low\":10,"
        "\"high\":14}},\n"
        " {\"incident\":\"b\",\"source\":\"X\",\"killed\":\"at least 5\"}]";
    const char *lines =
        "{\"incident\":\"a1\",\"source\":\"Reuters\",\"killed\":12}\n"
        "{\"incident\":\"a1\",\"source\":\"SOHR\",\"killed\":{\"low\":10,"
        "\"high\":14}}\n"
        "{\"incident\":\"b\",\"source\":\"X\",\"killed\":\"at least 5\"}\n";
    char *a = array_print(arr), *l = load_print(lines);
    ck_assert_str_eq(a, l);
    free(a);
    free(l);
}
END_TEST

#if defined(__SANITIZE_ADDRESS__)
/* The arena's free part is poisoned under ASan: a tree read after its
 * release is reported (and the process exits with ASan's status 1). */
START_TEST(asan_should_catch_a_tree_read_after_release)
{
    toll__json_arena a;
    toll__json_arena_init(&a, toll_default_allocator());
    cJSON *root = NULL;
    ck_assert_int_eq(toll__json_arena_parse(&a, "{\"k\":\"v\"}", 9, NULL,
                                            &root),
                     TOLL__JP_OK);
    toll__json_arena_release(&a, root);
    /* a forked child: keep ASan's report out of the test log */
    if (!freopen("/dev/null", "w", stderr))
        ck_abort_msg("cannot silence stderr");
    volatile int type = root->child->type; /* use after reset */
    (void)type;
    toll__json_arena_free(&a);
}
END_TEST
#endif

/* ---- other cJSON users and threads --------------------------------------------------- */

/* cJSON used the way another part of the program would: default hooks
 * expected (cJSON_malloc memory can go to free, trees to cJSON_Delete). */
static void other_user_round(int i)
{
    char text[128];
    snprintf(text, sizeof text, "{\"n\":%d,\"s\":\"str%d\",\"a\":[1,{}]}", i,
             i);
    cJSON *t = cJSON_Parse(text);
    ck_assert_ptr_nonnull(t);
    ck_assert_int_eq(cJSON_GetObjectItem(t, "n")->valueint, i);
    char *out = cJSON_PrintUnformatted(t);
    ck_assert_str_eq(out, text);
    cJSON_free(out);
    cJSON_Delete(t);
    void *p = cJSON_malloc(24);
    ck_assert_ptr_nonnull(p);
    memset(p, 1, 24);
    free(p); /* malloc's memory, as with cJSON's default hooks */
}

static void *other_user_thread(void *arg)
{
    int *stop = arg;
    for (int i = 0; i < 200000 && !__atomic_load_n(stop, __ATOMIC_ACQUIRE);
         i++)
        other_user_round(i);
    return NULL;
}

START_TEST(other_cjson_users_should_be_unaffected)
{
    /* after a load the hooks are installed: this thread has no arena */
    char *in = make_input(20, 0);
    char *a = load_print(in);
    for (int i = 0; i < 1000; i++)
        other_user_round(i);
    /* and another thread using cJSON while this one loads */
    int stop = 0;
    pthread_t tid;
    ck_assert_int_eq(pthread_create(&tid, NULL, other_user_thread, &stop), 0);
    for (int k = 0; k < 5; k++) {
        char *b = load_print(in);
        ck_assert_str_eq(a, b);
        free(b);
    }
    __atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
    pthread_join(tid, NULL);
    free(a);
    free(in);
}
END_TEST

typedef struct job {
    const char *data;
    char *print;
} job;

static void *load_thread(void *arg)
{
    job *j = arg;
    for (int k = 0; k < 3; k++) {
        free(j->print);
        j->print = load_print(j->data);
    }
    return NULL;
}

START_TEST(two_threads_loading_two_stores_should_match_serial)
{
    char *in1 = make_input(50, 3000);
    char *in2 = make_input(70, 0);
    char *s1 = load_print(in1), *s2 = load_print(in2);
    job j1 = {in1, NULL}, j2 = {in2, NULL};
    pthread_t t1, t2;
    ck_assert_int_eq(pthread_create(&t1, NULL, load_thread, &j1), 0);
    ck_assert_int_eq(pthread_create(&t2, NULL, load_thread, &j2), 0);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    ck_assert_str_eq(j1.print, s1);
    ck_assert_str_eq(j2.print, s2);
    free(j1.print);
    free(j2.print);
    free(s1);
    free(s2);
    free(in1);
    free(in2);
}
END_TEST

/* Without toll's hooks (a program that did not install them) every load
 * uses malloc: the same reports, and the arena is never used. */
START_TEST(loads_without_the_hooks_should_give_the_same_reports_with_malloc)
{
    char *in = make_input(20, 3000);
    char *want = load_print(in);
    cJSON_InitHooks(NULL);
    char *got = load_print(in);
    toll__json_arena a;
    toll__json_arena_init(&a, toll_default_allocator());
    cJSON *root = NULL;
    ck_assert_int_eq(toll__json_arena_parse(&a, "{\"a\":1}", 7, NULL, &root),
                     TOLL__JP_OK);
    ck_assert_int_eq(toll__json_arena_is_off(&a), 1);
    toll__json_arena_release(&a, root);
    toll__json_arena_free(&a);
    install_toll_hooks();
    ck_assert_str_eq(got, want);
    free(in);
    free(want);
    free(got);
}
END_TEST

/* ---- cJSON's hooks replaced by someone else (last: see the top) -------------------- */

/* An allocator that replaces cJSON's hooks with malloc/free (what a
 * cJSON_InitHooks(NULL) elsewhere in the program does) at its first call
 * from the Nth on that is not for an arena block (those are 64 KiB or
 * more and may be made inside cJSON's parse, where replacing the hooks
 * is not supported): in the middle of a load, between two reports. */
typedef struct swapping {
    long n, at;
    int swapped;
    toll_allocator a;
} swapping;

static void maybe_swap(swapping *s, size_t size)
{
    if (++s->n >= s->at && s->at && !s->swapped && size < 64 * 1024) {
        cJSON_InitHooks(NULL);
        s->swapped = 1;
    }
}

static void *sw_malloc(void *ctx, size_t size)
{
    maybe_swap(ctx, size);
    return malloc(size ? size : 1);
}

static void *sw_realloc(void *ctx, void *p, size_t old, size_t size)
{
    (void)old;
    maybe_swap(ctx, size);
    return realloc(p, size ? size : 1);
}

static void sw_free(void *ctx, void *p, size_t size)
{
    (void)ctx;
    (void)size;
    free(p);
}

START_TEST(hooks_replaced_by_another_caller_should_still_give_right_results)
{
    char *in = make_input(40, 3000);
    char *want = load_print(in);

    /* count the allocations of that load, then swap half way through */
    swapping sw = {0, 0, 0, {sw_malloc, sw_realloc, sw_free, NULL}};
    sw.a.ctx = &sw;
    toll_reports *r = NULL;
    toll_error e;
    ck_assert_int_eq(toll_reports_new(&sw.a, &r, &e), TOLL_OK);
    long base = sw.n;
    ck_assert_int_eq(load(r, in, &e), TOLL_OK);
    long per_load = sw.n - base;
    toll_reports_free(r);
    ck_assert_int_gt(per_load, 4);

    ck_assert_int_eq(toll_reports_new(&sw.a, &r, &e), TOLL_OK);
    sw.at = sw.n + 3; /* a few reports in */
    ck_assert_int_eq(load(r, in, &e), TOLL_OK);
    ck_assert_int_eq(sw.swapped, 1); /* the swap happened in the load */
    char *got = fingerprint(r, 1);
    ck_assert_str_eq(got, want);
    free(got);
    toll_reports_free(r);

    /* the next loads: malloc's trees, freed by cJSON_Delete */
    got = load_print(in);
    ck_assert_str_eq(got, want);
    free(got);
    got = array_print("[{\"incident\":\"z\",\"source\":\"Q\",\"killed\":3}]");
    ck_assert_ptr_nonnull(strstr(got, "1 reports"));
    free(got);

    /* the arena sees that its trees are not its own */
    toll__json_arena a;
    toll__json_arena_init(&a, toll_default_allocator());
    cJSON *root = NULL;
    ck_assert_int_eq(toll__json_arena_parse(&a, "{\"k\":[1,2]}", 11, NULL,
                                            &root),
                     TOLL__JP_OK);
    ck_assert_int_eq(toll__json_arena_is_off(&a), 1);
    ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(root, "k")), 2);
    toll__json_arena_release(&a, root);
    toll__json_arena_free(&a);
    other_user_round(1);
    free(want);
    free(in);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("json_arena");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, arena_should_be_reused_across_lines);
    tcase_add_test(tc, arena_should_report_syntax_errors_with_their_position);
    tcase_add_test(tc, large_document_should_grow_the_arena);
    tcase_add_test(tc, oom_sweep_should_leave_the_store_as_before);
    tcase_add_test(tc, arena_out_of_memory_should_be_enomem_not_a_syntax_error);
    tcase_add_test(tc, json_array_should_read_the_same_reports_through_the_arena);
    tcase_add_test(tc, control_byte_before_a_value_should_keep_the_string_intact);
#if defined(__SANITIZE_ADDRESS__)
    const char *fork = getenv("CK_FORK");
    if (!fork || strcmp(fork, "no") != 0)
        tcase_add_exit_test(tc, asan_should_catch_a_tree_read_after_release,
                            1);
#endif
    tcase_add_test(tc, other_cjson_users_should_be_unaffected);
    tcase_add_test(tc,
                   loads_without_the_hooks_should_give_the_same_reports_with_malloc);
    tcase_add_test(tc, two_threads_loading_two_stores_should_match_serial);
    tcase_add_test(tc,
                   hooks_replaced_by_another_caller_should_still_give_right_results);
    suite_add_tcase(s, tc);
    return s;
}

/* toll's hooks, as an application installs them (toll/reports.h). */
static void install_toll_hooks(void)
{
    cJSON_Hooks h = {toll_json_hook_malloc, toll_json_hook_free};
    cJSON_InitHooks(&h);
}

int main(void)
{
    install_toll_hooks(); /* inherited by the forked tests */
    return toll_test_run(suite());
}
