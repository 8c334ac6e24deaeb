/* tests/test_pool.c - string and actor-set interning. */
#include "internal.h"
#include "testutil.h"

#include <stdio.h>

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
    return s;
}

int main(void) { return toll_test_run(pool_suite()); }
