/* tests/test_reconcile_threads.c - toll_reconcile on two threads must give
 * exactly what one thread gives: the same incidents, cells, provenance,
 * flags and grades, and the same new entries in the store's pools (actor
 * set unions and region prefixes) with the same ids.
 *
 * The inputs are generated (seeded) JSON Lines with many incidents whose
 * reports disagree on actors and places, so that both threads meet
 * incidents that need new pool entries. */
#include "store/store.h"
#include "reconcile/reconcile.h"
#include "render/render.h"
#include "testutil.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

/* ---- input ------------------------------------------------------------------ */

static uint64_t rng_next(uint64_t *s)
{
    *s = *s * UINT64_C(6364136223846793005) + UINT64_C(1442695040888963407);
    return *s >> 33;
}

static const char *ACTORS[] = {"Russia", "Syria", "ISIS", "HTS", "SDF",
                               "Turkey", "US-led Coalition"};
static const char *REGIONS[] = {"Syria", "Syria/Idlib", "Syria/Idlib/Ariha",
                                "Syria/Idlib/Saraqib", "Syria/Aleppo",
                                "Syria/Aleppo/Azaz", "Iraq/Nineveh/Mosul",
                                "Iraq/Nineveh/Tal Afar", "Iraq/Anbar"};

/* JSON Lines: `incidents` incidents of 1-5 reports each; actor lists of
 * 1-3 actors drawn per report (so unions are often new sets), regions
 * drawn from a small tree (conflicts give prefixes), self-reports (the
 * source actor among the actors), two categories, ranges, open and unknown
 * figures, spans. */
static char *make_input(size_t incidents, uint64_t seed, size_t *len)
{
    size_t cap = incidents * 5 * 400 + 64, n = 0;
    char *buf = malloc(cap);
    ck_assert_ptr_nonnull(buf);
    uint64_t s = seed;
    for (size_t c = 0; c < incidents; c++) {
        size_t nrep = 1 + rng_next(&s) % 5;
        for (size_t k = 0; k < nrep; k++) {
            char actors[128] = "";
            size_t na = 1 + rng_next(&s) % 3;
            for (size_t j = 0; j < na; j++) {
                if (j)
                    strcat(actors, ";");
                strcat(actors, ACTORS[rng_next(&s) % 7]);
            }
            const char *self = rng_next(&s) % 10 == 0
                                   ? ACTORS[rng_next(&s) % 7] : "";
            const char *region = REGIONS[rng_next(&s) % 9];
            int day = 1 + (int)(rng_next(&s) % 28);
            int span = rng_next(&s) % 8 == 0;
            char killed[32], injured[48] = "";
            uint64_t kind = rng_next(&s) % 10;
            int lo = (int)(rng_next(&s) % 60);
            if (kind < 6)
                snprintf(killed, sizeof killed, "\"%d\"", lo);
            else if (kind < 8)
                snprintf(killed, sizeof killed, "\"%d-%d\"", lo,
                         lo + (int)(rng_next(&s) % 20));
            else if (kind < 9)
                snprintf(killed, sizeof killed, "\"at least %d\"", lo);
            else
                snprintf(killed, sizeof killed, "\"unknown\"");
            if (rng_next(&s) % 3 == 0)
                snprintf(injured, sizeof injured, ",\"injured\":\"%d\"",
                         (int)(rng_next(&s) % 100));
            int w = snprintf(
                buf + n, cap - n,
                "{\"incident\":\"i%zu\",\"source\":\"src%d\","
                "\"source_actor\":\"%s\",\"actor\":\"%s\",\"region\":\"%s\","
                "\"date_start\":\"2020-03-%02d\",\"date_end\":\"2020-0%d-%02d\","
                "\"killed\":%s%s}\n",
                c, (int)(rng_next(&s) % 6), self, actors, region, day,
                span ? 4 : 3, day, killed, injured);
            ck_assert(w > 0 && (size_t)w < cap - n);
            n += (size_t)w;
        }
    }
    *len = n;
    return buf;
}

static toll_reports *load(const char *buf, size_t len,
                          const toll_allocator *alloc)
{
    toll_reports *r = NULL;
    toll_error e;
    ck_assert_int_eq(toll_reports_new(alloc, &r, &e), TOLL_OK);
    toll_load_options lo;
    toll_load_options_init(&lo);
    lo.threads = 1;
    toll_status st = toll_reports_load_buffer(r, buf, len, "gen.jsonl", &lo,
                                              NULL, &e);
    ck_assert_msg(st == TOLL_OK, "%s", e.message);
    return r;
}

/* The incidents table rendered as CSV (every column of every incident). */
static char *listing(const toll_incidents *inc)
{
    toll_table *t = NULL;
    char *out = NULL, *copy;
    size_t len = 0;
    ck_assert_int_eq(toll_incidents_table(inc, NULL, &t, NULL), TOLL_OK);
    ck_assert_int_eq(toll_table_render_string(t, TOLL_RENDER_CSV, 0, &out,
                                              &len, NULL),
                     TOLL_OK);
    copy = malloc(len + 1);
    ck_assert_ptr_nonnull(copy);
    memcpy(copy, out, len + 1);
    toll_table_buffer_free(t, out);
    toll_table_free(t);
    return copy;
}

static toll_incidents *rec(toll_reports *r, size_t threads,
                           toll_policy policy, toll_self_reports self)
{
    toll_reconcile_options o;
    toll_reconcile_options_init(&o);
    o.threads = threads;
    o.policy = policy;
    o.self_reports = self;
    toll_incidents *inc = NULL;
    toll_error e;
    toll_status st = toll_reconcile(r, &o, NULL, &inc, &e);
    ck_assert_msg(st == TOLL_OK, "%s", e.message);
    return inc;
}

/* Same strings and actor sets, with the same ids, in the incidents' id
 * spaces (src/reconcile/reconcile.h). */
static void assert_same_pools(const toll_incidents *a,
                              const toll_incidents *b)
{
    ck_assert_uint_eq(toll__inc_nstrings(a), toll__inc_nstrings(b));
    for (size_t i = 0; i < toll__inc_nstrings(a); i++)
        ck_assert_str_eq(toll__inc_str(a, (uint32_t)i),
                         toll__inc_str(b, (uint32_t)i));
    ck_assert_uint_eq(toll__inc_nsets(a), toll__inc_nsets(b));
    for (uint32_t i = 1; i < toll__inc_nsets(a); i++) {
        size_t n = toll__inc_set_size(a, i);
        ck_assert_uint_eq(n, toll__inc_set_size(b, i));
        ck_assert_uint_eq(toll__inc_set_label(a, i), toll__inc_set_label(b, i));
        ck_assert(memcmp(toll__inc_set_members(a, i),
                         toll__inc_set_members(b, i),
                         n * sizeof(uint32_t)) == 0);
    }
}

static void check_equal(size_t incidents, uint64_t seed, toll_policy policy,
                        toll_self_reports self)
{
    size_t len;
    char *buf = make_input(incidents, seed, &len);
    toll_reports *r1 = load(buf, len, NULL), *r2 = load(buf, len, NULL);
    size_t sets_before = r2->actor_sets.count;
    toll_incidents *i1 = rec(r1, 1, policy, self);
    toll_incidents *i2 = rec(r2, 2, policy, self);
    /* the input must make reconcile add sets (to the incidents' own pool;
     * the store is left as it was), or the test proves little */
    ck_assert_uint_eq(r2->actor_sets.count, sets_before);
    if (incidents >= 100)
        ck_assert_uint_gt(toll__inc_nsets(i2), sets_before);
    ck_assert_uint_eq(toll_incidents_count(i1), incidents);
    ck_assert_uint_eq(toll_incidents_count(i2), incidents);
    char *l1 = listing(i1), *l2 = listing(i2);
    ck_assert_str_eq(l1, l2);
    assert_same_pools(i1, i2);
    free(l1);
    free(l2);
    toll_incidents_free(i1);
    toll_incidents_free(i2);
    toll_reports_free(r1);
    toll_reports_free(r2);
    free(buf);
}

/* ---- tests ------------------------------------------------------------------- */

START_TEST(two_threads_should_give_the_one_thread_incidents_and_pools)
{
    check_equal(3000, 1, TOLL_POLICY_ENVELOPE, TOLL_SELF_EXCLUDE);
    check_equal(2999, 2, TOLL_POLICY_ENVELOPE, TOLL_SELF_EXCLUDE);
}
END_TEST

START_TEST(two_threads_should_agree_under_conservative_and_self_include)
{
    check_equal(2000, 3, TOLL_POLICY_CONSERVATIVE, TOLL_SELF_EXCLUDE);
    check_equal(2000, 4, TOLL_POLICY_ENVELOPE, TOLL_SELF_INCLUDE);
}
END_TEST

START_TEST(two_threads_should_handle_fewer_incidents_than_threads)
{
    check_equal(1, 5, TOLL_POLICY_ENVELOPE, TOLL_SELF_EXCLUDE);
    check_equal(2, 6, TOLL_POLICY_ENVELOPE, TOLL_SELF_EXCLUDE);
}
END_TEST

START_TEST(two_threads_should_give_the_same_ids_when_reconciled_twice)
{
    /* A second reconcile finds the unions and prefixes the first added. */
    size_t len;
    char *buf = make_input(1500, 7, &len);
    toll_reports *r1 = load(buf, len, NULL), *r2 = load(buf, len, NULL);
    toll_incidents *a1 = rec(r1, 1, TOLL_POLICY_ENVELOPE, TOLL_SELF_EXCLUDE);
    toll_incidents *a2 = rec(r2, 2, TOLL_POLICY_ENVELOPE, TOLL_SELF_EXCLUDE);
    size_t count = r2->strings.count, sets = r2->actor_sets.count;
    toll_incidents *b2 = rec(r2, 2, TOLL_POLICY_ENVELOPE, TOLL_SELF_EXCLUDE);
    ck_assert_uint_eq(r2->strings.count, count);
    ck_assert_uint_eq(r2->actor_sets.count, sets);
    char *l1 = listing(a1), *l2 = listing(b2);
    ck_assert_str_eq(l1, l2);
    free(l1);
    free(l2);
    toll_incidents_free(a1);
    toll_incidents_free(a2);
    toll_incidents_free(b2);
    toll_reports_free(r1);
    toll_reports_free(r2);
    free(buf);
}
END_TEST

START_TEST(threads_option_should_default_to_auto)
{
    toll_reconcile_options o;
    toll_reconcile_options_init(&o);
    ck_assert_uint_eq(o.threads, 0);
}
END_TEST

START_TEST(two_threads_should_fail_cleanly_at_every_allocation)
{
    size_t len;
    char *buf = make_input(300, 8, &len);
    toll_reports *ref = load(buf, len, NULL);
    toll_incidents *iref = rec(ref, 1, TOLL_POLICY_ENVELOPE,
                               TOLL_SELF_EXCLUDE);
    char *lref = listing(iref);
    int ok = 0;
    for (long n = 1; !ok && n < 100000; n++) {
        locked_alloc l;
        locked_alloc_init(&l);
        toll_reports *r = load(buf, len, &l.a);
        size_t strings = r->strings.count, sets = r->actor_sets.count;
        pthread_mutex_lock(&l.mu);
        l.f.fail_at = l.f.count + n;
        pthread_mutex_unlock(&l.mu);
        toll_reconcile_options o;
        toll_reconcile_options_init(&o);
        o.threads = 2;
        toll_incidents *inc = NULL;
        toll_error e;
        toll_status st = toll_reconcile(r, &o, NULL, &inc, &e);
        ck_assert_msg(st == TOLL_OK || st == TOLL_ENOMEM, "n=%ld: status %d",
                      n, (int)st);
        if (st == TOLL_OK) {
            ok = 1;
            l.f.fail_at = 0; /* the listing allocates too */
            char *l2 = listing(inc);
            ck_assert_str_eq(lref, l2);
            free(l2);
        } else {
            ck_assert_ptr_null(inc);
            ck_assert_int_eq(e.code, TOLL_ENOMEM);
            /* pools only grow, and only with entries a retry reuses */
            ck_assert_uint_ge(r->strings.count, strings);
            ck_assert_uint_ge(r->actor_sets.count, sets);
        }
        toll_incidents_free(inc);
        toll_reports_free(r);
        ck_assert_int_eq(l.f.live, 0);
        locked_alloc_destroy(&l);
    }
    ck_assert(ok);
    free(lref);
    toll_incidents_free(iref);
    toll_reports_free(ref);
    free(buf);
}
END_TEST

static Suite *reconcile_threads_suite(void)
{
    Suite *s = suite_create("reconcile_threads");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc,
                   two_threads_should_give_the_one_thread_incidents_and_pools);
    tcase_add_test(tc,
                   two_threads_should_agree_under_conservative_and_self_include);
    tcase_add_test(tc, two_threads_should_handle_fewer_incidents_than_threads);
    tcase_add_test(tc,
                   two_threads_should_give_the_same_ids_when_reconciled_twice);
    tcase_add_test(tc, threads_option_should_default_to_auto);
    tcase_add_test(tc, two_threads_should_fail_cleanly_at_every_allocation);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return toll_test_run(reconcile_threads_suite()); }
