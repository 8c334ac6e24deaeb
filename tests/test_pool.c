/* tests/test_pool.c - string and actor-set interning. */
#include "store/store.h"
#include "reconcile/reconcile.h"
#include "render/render.h"
#include "base/strhash.h"
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

START_TEST(strpool_should_give_equal_strings_one_id)
{
    toll__strpool p;
    ck_assert_int_eq(toll__strpool_init(&p, toll_default_allocator()), TOLL_OK);
    uint32_t a, b, c;
    ck_assert_int_eq(toll__strpool_intern(&p, "Russia", 6, &a), TOLL_OK);
    ck_assert_int_eq(toll__strpool_intern(&p, "Syria", 5, &b), TOLL_OK);
    ck_assert_int_eq(toll__strpool_intern(&p, "Russia!", 6, &c), TOLL_OK);
    ck_assert_uint_ne(a, 0);
    ck_assert_uint_ne(a, b);
    ck_assert_uint_eq(a, c);
    ck_assert_str_eq(toll__str(&p, b), "Syria");
    ck_assert_uint_eq(toll__strlen(&p, b), 5);
    toll__strpool_free(&p);
}
END_TEST

START_TEST(strpool_should_map_the_empty_string_to_id_zero)
{
    toll__strpool p;
    toll__strpool_init(&p, toll_default_allocator());
    uint32_t id = 7;
    ck_assert_int_eq(toll__strpool_intern(&p, "", 0, &id), TOLL_OK);
    ck_assert_uint_eq(id, 0);
    ck_assert_str_eq(toll__str(&p, 0), "");
    toll__strpool_free(&p);
}
END_TEST

START_TEST(strpool_should_keep_pointers_stable_while_growing)
{
    toll__strpool p;
    toll__strpool_init(&p, toll_default_allocator());
    uint32_t first;
    toll__strpool_intern(&p, "first", 5, &first);
    const char *ptr = toll__str(&p, first);
    char buf[32];
    for (int i = 0; i < 100000; i++) {
        int n = snprintf(buf, sizeof buf, "s%d", i);
        uint32_t id;
        ck_assert_int_eq(toll__strpool_intern(&p, buf, (size_t)n, &id), TOLL_OK);
    }
    ck_assert_ptr_eq(toll__str(&p, first), ptr);
    ck_assert_str_eq(ptr, "first");
    uint32_t id;
    ck_assert(toll__strpool_find(&p, "s99999", 6, &id));
    ck_assert_str_eq(toll__str(&p, id), "s99999");
    ck_assert(!toll__strpool_find(&p, "s100000", 7, &id));
    toll__strpool_free(&p);
}
END_TEST

START_TEST(strpool_truncate_should_forget_newer_strings)
{
    toll__strpool p;
    toll__strpool_init(&p, toll_default_allocator());
    uint32_t a, b, again;
    toll__strpool_intern(&p, "kept", 4, &a);
    size_t mark = p.count;
    toll__strpool_intern(&p, "dropped", 7, &b);
    toll__strpool_truncate(&p, mark);
    ck_assert(!toll__strpool_find(&p, "dropped", 7, &again));
    ck_assert(toll__strpool_find(&p, "kept", 4, &again));
    ck_assert_uint_eq(again, a);
    toll__strpool_intern(&p, "new", 3, &again);
    ck_assert_uint_eq(again, b);
    ck_assert_str_eq(toll__str(&p, again), "new");
    toll__strpool_free(&p);
}
END_TEST

START_TEST(setpool_should_sort_dedupe_and_label_sets)
{
    toll__strpool s;
    toll__setpool p;
    toll__strpool_init(&s, toll_default_allocator());
    toll__setpool_init(&p, toll_default_allocator());
    uint32_t syria, russia;
    toll__strpool_intern(&s, "Syria", 5, &syria);
    toll__strpool_intern(&s, "Russia", 6, &russia);
    uint32_t ids1[] = {syria, russia, syria}, ids2[] = {russia, syria};
    uint32_t set1, set2, empty;
    ck_assert_int_eq(toll__setpool_intern(&p, &s, ids1, 3, &set1), TOLL_OK);
    ck_assert_int_eq(toll__setpool_intern(&p, &s, ids2, 2, &set2), TOLL_OK);
    ck_assert_uint_eq(set1, set2);
    ck_assert_uint_eq(toll__set_size(&p, set1), 2);
    ck_assert_uint_eq(toll__set_members(&p, set1)[0], russia);
    ck_assert_str_eq(toll__str(&s, p.label[set1]), "Russia + Syria");
    ck_assert(toll__set_contains(&p, set1, syria));
    ck_assert_int_eq(toll__setpool_intern(&p, &s, NULL, 0, &empty), TOLL_OK);
    ck_assert_uint_eq(empty, 0);
    toll__setpool_free(&p);
    toll__strpool_free(&s);
}
END_TEST

START_TEST(setpool_should_handle_many_sets_and_large_sets)
{
    toll__strpool s;
    toll__setpool p;
    toll__strpool_init(&s, toll_default_allocator());
    toll__setpool_init(&p, toll_default_allocator());
    uint32_t ids[40];
    char buf[16];
    for (int i = 0; i < 40; i++) {
        int n = snprintf(buf, sizeof buf, "a%02d", 39 - i);
        toll__strpool_intern(&s, buf, (size_t)n, &ids[i]);
    }
    uint32_t big;
    ck_assert_int_eq(toll__setpool_intern(&p, &s, ids, 40, &big), TOLL_OK);
    ck_assert_uint_eq(toll__set_size(&p, big), 40);
    ck_assert_str_eq(toll__str(&s, toll__set_members(&p, big)[0]), "a00");
    for (int i = 0; i < 39; i++) {
        uint32_t pair[2] = {ids[i], ids[i + 1]}, id;
        ck_assert_int_eq(toll__setpool_intern(&p, &s, pair, 2, &id), TOLL_OK);
    }
    ck_assert_uint_eq(p.count, 1 + 1 + 39);
    toll__setpool_free(&p);
    toll__strpool_free(&s);
}
END_TEST

START_TEST(pools_should_report_enomem_and_leak_nothing)
{
    for (long n = 1; n < 200; n++) {
        failing_alloc f;
        failing_alloc_init(&f, n);
        toll__strpool s;
        toll__setpool p;
        toll_status st = toll__strpool_init(&s, &f.a);
        if (st == TOLL_OK) {
            st = toll__setpool_init(&p, &f.a);
            if (st == TOLL_OK) {
                char buf[16];
                uint32_t ids[3] = {0, 0, 0};
                for (int i = 0; i < 300 && st == TOLL_OK; i++) {
                    int k = snprintf(buf, sizeof buf, "x%d", i);
                    st = toll__strpool_intern(&s, buf, (size_t)k, &ids[i % 3]);
                    if (st == TOLL_OK && i % 3 == 2) {
                        uint32_t id;
                        st = toll__setpool_intern(&p, &s, ids, 3, &id);
                    }
                }
                toll__setpool_free(&p);
            }
            toll__strpool_free(&s);
        }
        ck_assert(st == TOLL_OK || st == TOLL_ENOMEM);
        ck_assert_int_eq(f.live, 0);
    }
}
END_TEST


/* ---- growth, collisions, failures ------------------------------------------ */

/* Key i of the growth tests: "key-<i>", short like the incident keys. */
static size_t growth_key(char *buf, size_t cap, unsigned i)
{
    return (size_t)snprintf(buf, cap, "key-%08u", i);
}

/* 250,000 keys take the table past 4 MiB (the size advised for huge pages
 * with the default allocator).  Each key is interned, then every third
 * earlier key again: new keys get 1, 2, 3, ... in first-seen order and
 * repeats their first id, across every rehash. */
static void check_first_seen_order(const toll_allocator *a)
{
    enum { N = 250000 };
    toll__strpool p;
    ck_assert_int_eq(toll__strpool_init(&p, a), TOLL_OK);
    char buf[32];
    for (unsigned i = 0; i < N; i++) {
        uint32_t id;
        size_t n = growth_key(buf, sizeof buf, i);
        ck_assert_int_eq(toll__strpool_intern(&p, buf, n, &id), TOLL_OK);
        ck_assert_uint_eq(id, i + 1);
        unsigned j = i / 3;
        n = growth_key(buf, sizeof buf, j);
        uint32_t h = toll__hash_bytes(buf, n);
        toll__strpool_prefetch(&p, h);
        ck_assert_int_eq(toll__strpool_intern_hashed(&p, buf, n, h, &id),
                         TOLL_OK);
        ck_assert_uint_eq(id, j + 1);
    }
    ck_assert_uint_eq(p.count, N + 1);
    ck_assert_uint_ge(2 * p.table_cap * sizeof(uint32_t), (size_t)4 << 20);
    for (unsigned i = 0; i < N; i += 997) {
        uint32_t id;
        size_t n = growth_key(buf, sizeof buf, i);
        ck_assert(toll__strpool_find(&p, buf, n, &id));
        ck_assert_uint_eq(id, i + 1);
        ck_assert_str_eq(toll__str(&p, id), buf);
        ck_assert_uint_eq(toll__strlen(&p, id), n);
    }
    uint32_t id;
    ck_assert(!toll__strpool_find(&p, "key-99999999", 12, &id));
    toll__strpool_free(&p);
}

START_TEST(strpool_should_give_ids_in_first_seen_order_across_growth)
{
    check_first_seen_order(toll_default_allocator());
}
END_TEST

START_TEST(strpool_should_grow_past_four_mib_with_a_callers_allocator)
{
    failing_alloc f;
    failing_alloc_init(&f, 0);
    check_first_seen_order(&f.a);
    ck_assert_int_eq(f.live, 0);
}
END_TEST

typedef struct hashed_key {
    uint32_t hash;
    unsigned i;
} hashed_key;

static int cmp_hashed_key(const void *a, const void *b)
{
    const hashed_key *x = a, *y = b;
    if (x->hash != y->hash)
        return x->hash < y->hash ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

START_TEST(strpool_should_tell_apart_keys_with_the_same_hash)
{
    /* Find two short keys with the same 32-bit hash (about ten pairs are
     * expected among 300,000 keys; the hash is fixed, so this is
     * deterministic). */
    enum { N = 300000 };
    hashed_key *k = malloc(N * sizeof *k);
    ck_assert_ptr_nonnull(k);
    char a[32], b[32];
    for (unsigned i = 0; i < N; i++) {
        size_t n = growth_key(a, sizeof a, i);
        k[i].hash = toll__hash_bytes(a, n);
        k[i].i = i;
    }
    qsort(k, N, sizeof *k, cmp_hashed_key);
    size_t pairs = 0;
    toll__strpool p;
    ck_assert_int_eq(toll__strpool_init(&p, toll_default_allocator()),
                     TOLL_OK);
    for (size_t j = 1; j < N; j++) {
        if (k[j].hash != k[j - 1].hash)
            continue;
        size_t na = growth_key(a, sizeof a, k[j - 1].i);
        size_t nb = growth_key(b, sizeof b, k[j].i);
        ck_assert_uint_eq(toll__hash_bytes(a, na), toll__hash_bytes(b, nb));
        uint32_t ia, ib, again;
        ck_assert_int_eq(toll__strpool_intern(&p, a, na, &ia), TOLL_OK);
        ck_assert_int_eq(toll__strpool_intern(&p, b, nb, &ib), TOLL_OK);
        ck_assert_uint_ne(ia, ib);
        ck_assert_str_eq(toll__str(&p, ia), a);
        ck_assert_str_eq(toll__str(&p, ib), b);
        ck_assert_int_eq(toll__strpool_intern(&p, a, na, &again), TOLL_OK);
        ck_assert_uint_eq(again, ia);
        ck_assert(toll__strpool_find(&p, b, nb, &again));
        ck_assert_uint_eq(again, ib);
        pairs++;
    }
    ck_assert_uint_gt(pairs, 0);
    /* and still apart after the table has grown around them */
    for (unsigned i = 0; i < 50000; i++) {
        uint32_t id;
        size_t n = (size_t)snprintf(a, sizeof a, "other-%u", i);
        ck_assert_int_eq(toll__strpool_intern(&p, a, n, &id), TOLL_OK);
    }
    uint32_t next = 1;
    for (size_t j = 1; j < N; j++) {
        if (k[j].hash != k[j - 1].hash)
            continue;
        size_t na = growth_key(a, sizeof a, k[j - 1].i);
        size_t nb = growth_key(b, sizeof b, k[j].i);
        uint32_t ia, ib;
        ck_assert(toll__strpool_find(&p, a, na, &ia));
        ck_assert(toll__strpool_find(&p, b, nb, &ib));
        ck_assert_uint_eq(ia, next);
        ck_assert_uint_eq(ib, next + 1);
        next += 2;
    }
    toll__strpool_free(&p);
    free(k);
}
END_TEST

START_TEST(strpool_should_compare_short_keys_by_every_byte_and_length)
{
    /* Keys of 1 to 24 bytes that differ only in their last byte, in an
     * embedded NUL, or in a trailing NUL: all distinct. */
    toll__strpool p;
    ck_assert_int_eq(toll__strpool_init(&p, toll_default_allocator()),
                     TOLL_OK);
    char k[32];
    uint32_t ids[25][3];
    for (size_t len = 1; len <= 24; len++) {
        memset(k, 'x', sizeof k);
        ck_assert_int_eq(toll__strpool_intern(&p, k, len, &ids[len][0]),
                         TOLL_OK);
        k[len - 1] = 'y';
        ck_assert_int_eq(toll__strpool_intern(&p, k, len, &ids[len][1]),
                         TOLL_OK);
        k[len - 1] = 'x';
        k[len / 2] = '\0';
        ck_assert_int_eq(toll__strpool_intern(&p, k, len, &ids[len][2]),
                         TOLL_OK);
    }
    ck_assert_uint_eq(p.count, 1 + 24 * 3);
    for (size_t len = 1; len <= 24; len++) {
        uint32_t id;
        memset(k, 'x', sizeof k);
        ck_assert(toll__strpool_find(&p, k, len, &id));
        ck_assert_uint_eq(id, ids[len][0]);
        ck_assert_uint_eq(toll__strlen(&p, id), len);
        k[len / 2] = '\0';
        ck_assert(toll__strpool_find(&p, k, len, &id));
        ck_assert_uint_eq(id, ids[len][2]);
        ck_assert(memcmp(toll__str(&p, id), k, len) == 0);
        /* a trailing NUL makes another key */
        memset(k, 'x', sizeof k);
        k[len] = '\0';
        ck_assert_int_eq(toll__strpool_intern(&p, k, len + 1, &id), TOLL_OK);
        ck_assert_uint_ne(id, ids[len][0]);
        ck_assert_uint_eq(toll__strlen(&p, id), len + 1);
        ck_assert(memcmp(toll__str(&p, id), k, len + 1) == 0);
    }
    toll__strpool_free(&p);
}
END_TEST

START_TEST(strpool_should_stay_usable_after_enomem_while_growing)
{
    /* Fail every allocation from the n-th on, for n over the whole run:
     * the failing intern reports TOLL_ENOMEM and changes nothing; with
     * allocations allowed again the same key gets the next id, and every
     * earlier key keeps its own. */
    enum { N = 3000 };
    char buf[32];
    for (long n = 1; n < 80; n++) {
        failing_alloc f;
        failing_alloc_init(&f, 0);
        toll__strpool p;
        ck_assert_int_eq(toll__strpool_init(&p, &f.a), TOLL_OK);
        f.fail_at = f.count + n;
        unsigned failed = N;
        for (unsigned i = 0; i < N; i++) {
            uint32_t id;
            size_t k = growth_key(buf, sizeof buf, i);
            toll_status st = toll__strpool_intern(&p, buf, k, &id);
            if (st != TOLL_OK) {
                ck_assert_int_eq(st, TOLL_ENOMEM);
                ck_assert_uint_eq(p.count, i + 1);
                ck_assert(!toll__strpool_find(&p, buf, k, &id));
                failed = i;
                break;
            }
            ck_assert_uint_eq(id, i + 1);
        }
        f.fail_at = 0;
        for (unsigned i = failed; i < N; i++) {
            uint32_t id;
            size_t k = growth_key(buf, sizeof buf, i);
            ck_assert_int_eq(toll__strpool_intern(&p, buf, k, &id), TOLL_OK);
            ck_assert_uint_eq(id, i + 1);
        }
        for (unsigned i = 0; i < N; i++) {
            uint32_t id;
            size_t k = growth_key(buf, sizeof buf, i);
            ck_assert(toll__strpool_find(&p, buf, k, &id));
            ck_assert_uint_eq(id, i + 1);
        }
        toll__strpool_free(&p);
        ck_assert_int_eq(f.live, 0);
    }
}
END_TEST

START_TEST(strpool_truncate_should_keep_a_grown_table_consistent)
{
    toll__strpool p;
    ck_assert_int_eq(toll__strpool_init(&p, toll_default_allocator()),
                     TOLL_OK);
    char buf[32];
    uint32_t id;
    for (unsigned i = 0; i < 20000; i++) {
        size_t n = growth_key(buf, sizeof buf, i);
        ck_assert_int_eq(toll__strpool_intern(&p, buf, n, &id), TOLL_OK);
    }
    toll__strpool_truncate(&p, 5001); /* keeps ids 1..5000 */
    for (unsigned i = 0; i < 20000; i++) {
        size_t n = growth_key(buf, sizeof buf, 19999 - i);
        int there = toll__strpool_find(&p, buf, n, &id);
        ck_assert_int_eq(there, 19999 - i < 5000);
        if (there)
            ck_assert_uint_eq(id, 20000 - i);
    }
    /* dropped keys come back with new ids, in the new order */
    for (unsigned i = 0; i < 15000; i++) {
        size_t n = growth_key(buf, sizeof buf, 19999 - i);
        ck_assert_int_eq(toll__strpool_intern(&p, buf, n, &id), TOLL_OK);
        ck_assert_uint_eq(id, 5001 + i);
    }
    toll__strpool_free(&p);
}
END_TEST

static Suite *pool_suite(void)
{
    Suite *s = suite_create("pool");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, strpool_should_give_equal_strings_one_id);
    tcase_add_test(tc, strpool_should_map_the_empty_string_to_id_zero);
    tcase_add_test(tc, strpool_should_keep_pointers_stable_while_growing);
    tcase_add_test(tc, strpool_truncate_should_forget_newer_strings);
    tcase_add_test(tc, setpool_should_sort_dedupe_and_label_sets);
    tcase_add_test(tc, setpool_should_handle_many_sets_and_large_sets);
    tcase_add_test(tc, pools_should_report_enomem_and_leak_nothing);
    suite_add_tcase(s, tc);
    TCase *tg = tcase_create("growth");
    tcase_set_timeout(tg, 120);
    tcase_add_test(tg, strpool_should_give_ids_in_first_seen_order_across_growth);
    tcase_add_test(tg, strpool_should_grow_past_four_mib_with_a_callers_allocator);
    tcase_add_test(tg, strpool_should_tell_apart_keys_with_the_same_hash);
    tcase_add_test(tg, strpool_should_compare_short_keys_by_every_byte_and_length);
    tcase_add_test(tg, strpool_should_stay_usable_after_enomem_while_growing);
    tcase_add_test(tg, strpool_truncate_should_keep_a_grown_table_consistent);
    suite_add_tcase(s, tg);
    return s;
}

int main(void) { return toll_test_run(pool_suite()); }
