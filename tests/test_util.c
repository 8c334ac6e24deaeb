/* tests/test_util.c - status names, error formatting, buffers, allocators. */
#include "store/store.h"
#include "reconcile/reconcile.h"
#include "render/render.h"
#include "testutil.h"

START_TEST(strerror_should_name_every_status)
{
    for (int s = 0; s < TOLL_STATUS_COUNT; s++) {
        ck_assert_ptr_nonnull(toll_strerror((toll_status)s));
        ck_assert_str_ne(toll_strerror((toll_status)s), "unknown status");
    }
    ck_assert_str_eq(toll_strerror(TOLL_ENOMEM), "out of memory");
    ck_assert_str_eq(toll_status_name(TOLL_EPARSE), "TOLL_EPARSE");
    ck_assert_str_eq(toll_strerror((toll_status)999), "unknown status");
}
END_TEST

START_TEST(seterr_should_format_file_line_field_and_text)
{
    toll_error e;
    toll_error_clear(&e);
    const char *txt = "at leest 5";
    toll_status st = toll__seterr(&e, TOLL_EPARSE, "reports.csv", 118, 116,
                                  "killed", txt, strlen(txt),
                                  "cannot read \"%s\" as a quantity", txt);
    ck_assert_int_eq(st, TOLL_EPARSE);
    ck_assert_str_eq(e.message, "reports.csv:118: field 'killed': cannot read "
                                "\"at leest 5\" as a quantity");
    ck_assert_str_eq(e.file, "reports.csv");
    ck_assert_int_eq(e.line, 118);
    ck_assert_int_eq(e.record, 116);
    ck_assert_str_eq(e.field, "killed");
    ck_assert_str_eq(e.text, "at leest 5");
}
END_TEST

START_TEST(seterr_should_name_the_record_when_no_line_is_known)
{
    toll_error e;
    toll__seterr(&e, TOLL_EREPORT, "<records>", 0, 4, "source", NULL, 0,
                 "missing required field");
    ck_assert_str_eq(e.message,
                     "<records>: record 5: field 'source': missing required field");
}
END_TEST

START_TEST(seterr_should_accept_a_null_error)
{
    ck_assert_int_eq(toll__err(NULL, TOLL_EINVAL, "x %d", 1), TOLL_EINVAL);
}
END_TEST

START_TEST(err_locate_should_prefix_an_unlocated_message)
{
    toll_error e;
    toll_error_clear(&e);
    toll__seterr(&e, TOLL_EPARSE, NULL, 0, -1, NULL, "x", 1,
                 "cannot read \"x\" as a quantity");
    toll__err_locate(&e, "a.jsonl", 3, 2, "killed");
    ck_assert_str_eq(e.message,
                     "a.jsonl:3: field 'killed': cannot read \"x\" as a quantity");
    ck_assert_str_eq(e.text, "x");
}
END_TEST

START_TEST(error_text_should_be_truncated_not_overflowed)
{
    char big[2000];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    toll_error e;
    toll__seterr(&e, TOLL_EPARSE, big, 1, 0, big, big, strlen(big), "%s", big);
    ck_assert_uint_eq(strlen(e.text), sizeof e.text - 1);
    ck_assert_uint_eq(strlen(e.message), sizeof e.message - 1);
    ck_assert_uint_eq(strlen(e.field), sizeof e.field - 1);
}
END_TEST

START_TEST(buf_should_grow_and_format)
{
    toll__buf b;
    toll__buf_init(&b, toll_default_allocator());
    for (int i = 0; i < 1000; i++)
        ck_assert_int_eq(toll__buf_appendf(&b, "%d,", i), TOLL_OK);
    ck_assert_uint_eq(b.len, strlen(b.data));
    ck_assert(strncmp(b.data, "0,1,2,", 6) == 0);
    char long_fmt[600];
    memset(long_fmt, 'z', 599);
    long_fmt[599] = '\0';
    ck_assert_int_eq(toll__buf_appendf(&b, "%s", long_fmt), TOLL_OK);
    ck_assert_uint_eq(b.len, strlen(b.data));
    toll__buf_free(&b);
}
END_TEST

START_TEST(grow_should_fail_cleanly_when_allocation_fails)
{
    failing_alloc f;
    failing_alloc_init(&f, 1);
    int *data = NULL;
    size_t cap = 0;
    ck_assert_int_eq(toll__grow(&f.a, (void **)&data, &cap, 10, sizeof *data),
                     TOLL_ENOMEM);
    ck_assert_ptr_null(data);
    ck_assert_uint_eq(cap, 0);
}
END_TEST

START_TEST(grow_should_refuse_overflowing_sizes)
{
    char *data = NULL;
    size_t cap = 0;
    ck_assert_int_eq(toll__grow(toll_default_allocator(), (void **)&data, &cap,
                                SIZE_MAX, 8),
                     TOLL_ENOMEM);
}
END_TEST

START_TEST(strncaseeq_should_ignore_ascii_case)
{
    ck_assert(toll__strncaseeq("DoZens", 6, "dozens"));
    ck_assert(!toll__strncaseeq("dozen", 5, "dozens"));
    ck_assert(!toll__strncaseeq("dozens", 6, "dozen"));
}
END_TEST


START_TEST(space_should_be_the_six_ascii_white_space_bytes)
{
    for (int c = 0; c < 256; c++) {
        int want = c == ' ' || c == '\t' || c == '\n' || c == '\v' ||
                   c == '\f' || c == '\r';
        ck_assert_int_eq(toll__is_space((unsigned char)c), want);
        ck_assert_int_eq(toll__is_blank((unsigned char)c),
                         c == ' ' || c == '\t');
    }
}
END_TEST

START_TEST(trim_space_should_drop_white_space_at_both_ends_only)
{
    const char *s = " \t\r\n\v\fa b\f\n";
    size_t n = strlen(s);
    toll__trim_space(&s, &n);
    ck_assert_uint_eq(n, 3);
    ck_assert_int_eq(memcmp(s, "a b", 3), 0);
    const char *e = " \n\t ";
    size_t en = strlen(e);
    toll__trim_space(&e, &en);
    ck_assert_uint_eq(en, 0);
    const char *u = "\xc2\xa0x"; /* bytes >= 0x80 are not white space */
    size_t un = strlen(u);
    toll__trim_space(&u, &un);
    ck_assert_uint_eq(un, 3);
}
END_TEST

START_TEST(trim_blank_should_keep_line_breaks)
{
    const char *s = " \t\nperiod:month\r\t ";
    size_t n = strlen(s);
    toll__trim_blank(&s, &n);
    ck_assert_uint_eq(n, strlen("\nperiod:month\r"));
    ck_assert_int_eq(s[0], '\n');
    const char *e = "";
    size_t en = 0;
    toll__trim_blank(&e, &en);
    ck_assert_uint_eq(en, 0);
}
END_TEST

static Suite *util_suite(void)
{
    Suite *s = suite_create("util");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, strerror_should_name_every_status);
    tcase_add_test(tc, seterr_should_format_file_line_field_and_text);
    tcase_add_test(tc, seterr_should_name_the_record_when_no_line_is_known);
    tcase_add_test(tc, seterr_should_accept_a_null_error);
    tcase_add_test(tc, err_locate_should_prefix_an_unlocated_message);
    tcase_add_test(tc, error_text_should_be_truncated_not_overflowed);
    tcase_add_test(tc, buf_should_grow_and_format);
    tcase_add_test(tc, grow_should_fail_cleanly_when_allocation_fails);
    tcase_add_test(tc, grow_should_refuse_overflowing_sizes);
    tcase_add_test(tc, strncaseeq_should_ignore_ascii_case);
    tcase_add_test(tc, space_should_be_the_six_ascii_white_space_bytes);
    tcase_add_test(tc, trim_space_should_drop_white_space_at_both_ends_only);
    tcase_add_test(tc, trim_blank_should_keep_line_breaks);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return toll_test_run(util_suite()); }
