/* tests/test_date.c - day numbers, partial dates, ISO weeks. */
#include "testutil.h"

#include "io/io.h" /* toll__date_parse_formats, toll__date_format_check */

#include <string.h>

static int32_t ymd(int y, int m, int d) { return toll_date_from_ymd(y, m, d); }

static toll_status parse(const char *s, int32_t *a, int32_t *b,
                         toll_error *err)
{
    return toll_date_parse(s, strlen(s), a, b, err);
}

static void check_week(int y, int m, int d, int want_year, int want_week)
{
    int iy = 0, w = 0;
    toll_date_iso_week(ymd(y, m, d), &iy, &w);
    ck_assert_msg(iy == want_year && w == want_week,
                  "%04d-%02d-%02d: got %d-W%02d, want %d-W%02d", y, m, d, iy,
                  w, want_year, want_week);
}

START_TEST(date_should_count_days_from_1970)
{
    ck_assert_int_eq(ymd(1970, 1, 1), 0);
    ck_assert_int_eq(ymd(1970, 1, 2), 1);
    ck_assert_int_eq(ymd(1969, 12, 31), -1);
    ck_assert_int_eq(ymd(2000, 3, 1), 11017);
    ck_assert_int_eq(ymd(2016, 9, 25), 17069);
    ck_assert_int_eq(ymd(1600, 1, 1), -135140);
}
END_TEST

START_TEST(date_should_round_trip_every_day_over_centuries)
{
    for (int32_t d = ymd(1599, 1, 1); d <= ymd(2401, 12, 31); d++) {
        int y, m, dd;
        toll_date_to_ymd(d, &y, &m, &dd);
        ck_assert(toll_date_valid(y, m, dd));
        ck_assert_int_eq(ymd(y, m, dd), d);
    }
}
END_TEST

START_TEST(date_should_know_leap_years)
{
    ck_assert(toll_date_valid(2016, 2, 29));
    ck_assert(toll_date_valid(2000, 2, 29));
    ck_assert(!toll_date_valid(1900, 2, 29));
    ck_assert(!toll_date_valid(2015, 2, 29));
    ck_assert(!toll_date_valid(2015, 2, 30));
    ck_assert(!toll_date_valid(2015, 13, 1));
    ck_assert(!toll_date_valid(2015, 0, 1));
    ck_assert(!toll_date_valid(2015, 4, 31));
    ck_assert(!toll_date_valid(2015, 1, 0));
    ck_assert_int_eq(ymd(2016, 3, 1) - ymd(2016, 2, 28), 2);
    ck_assert_int_eq(ymd(2015, 3, 1) - ymd(2015, 2, 28), 1);
}
END_TEST

START_TEST(date_should_parse_full_dates)
{
    int32_t a, b;
    toll_error err;
    ck_assert_int_eq(parse("2016-09-25", &a, &b, &err), TOLL_OK);
    ck_assert_int_eq(a, ymd(2016, 9, 25));
    ck_assert_int_eq(b, a);
    ck_assert_int_eq(parse("  2016-02-29 ", &a, &b, &err), TOLL_OK);
    ck_assert_int_eq(a, ymd(2016, 2, 29));
}
END_TEST

START_TEST(date_should_ignore_time_suffixes)
{
    int32_t a, b;
    toll_error err;
    ck_assert_int_eq(parse("2016-09-25 00:00:00.000", &a, &b, &err),
                     TOLL_OK);
    ck_assert_int_eq(a, ymd(2016, 9, 25));
    ck_assert_int_eq(b, a);
    ck_assert_int_eq(parse("2016-09-25T00:00:00", &a, &b, &err), TOLL_OK);
    ck_assert_int_eq(a, ymd(2016, 9, 25));
    ck_assert_int_eq(parse("2016-09-25T13:45:10Z", &a, &b, &err), TOLL_OK);
    ck_assert_int_eq(parse("2016-09-25T13:45+02:00", &a, &b, &err), TOLL_OK);
    ck_assert_int_eq(parse("2016-09-25 noon", &a, &b, &err), TOLL_EPARSE);
    ck_assert_int_eq(parse("2016-09-25T", &a, &b, &err), TOLL_EPARSE);
    ck_assert_int_eq(parse("2016-09T00:00:00", &a, &b, &err), TOLL_EPARSE);
}
END_TEST

START_TEST(date_should_span_a_whole_month_for_year_month)
{
    int32_t a, b;
    toll_error err;
    ck_assert_int_eq(parse("2016-02", &a, &b, &err), TOLL_OK);
    ck_assert_int_eq(a, ymd(2016, 2, 1));
    ck_assert_int_eq(b, ymd(2016, 2, 29));
    ck_assert_int_eq(parse("2015-02", &a, &b, &err), TOLL_OK);
    ck_assert_int_eq(b, ymd(2015, 2, 28));
    ck_assert_int_eq(parse("2015-12", &a, &b, &err), TOLL_OK);
    ck_assert_int_eq(b, ymd(2015, 12, 31));
}
END_TEST

START_TEST(date_should_span_a_whole_year_for_year_alone)
{
    int32_t a, b;
    toll_error err;
    ck_assert_int_eq(parse("2015", &a, &b, &err), TOLL_OK);
    ck_assert_int_eq(a, ymd(2015, 1, 1));
    ck_assert_int_eq(b, ymd(2015, 12, 31));
}
END_TEST

START_TEST(date_should_reject_impossible_dates_naming_the_text)
{
    int32_t a = 7, b = 7;
    toll_error err;
    ck_assert_int_eq(parse("2015-02-30", &a, &b, &err), TOLL_EPARSE);
    ck_assert_ptr_nonnull(strstr(err.message, "\"2015-02-30\""));
    ck_assert_str_eq(err.text, "2015-02-30");
    ck_assert_int_eq(a, 7); /* outputs untouched on failure */
    ck_assert_int_eq(parse("2015-13", &a, &b, &err), TOLL_EPARSE);
    ck_assert_ptr_nonnull(strstr(err.message, "2015-13"));
    ck_assert_int_eq(parse("2015-00", &a, &b, &err), TOLL_EPARSE);
    ck_assert_int_eq(parse("2015-04-31", &a, &b, &err), TOLL_EPARSE);
    ck_assert_int_eq(parse("2015-01-00", &a, &b, &err), TOLL_EPARSE);
    ck_assert_int_eq(parse("2015-02-29", &a, &b, &err), TOLL_EPARSE);
}
END_TEST

START_TEST(date_should_reject_unreadable_text)
{
    int32_t a, b;
    toll_error err;
    const char *bad[] = {"",          "15-03-01",   "2015/03/01", "2015-3-1",
                         "March 2015", "2015-03-01x", "20150301",  "2015-",
                         "2015-03-",  "yesterday"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_msg(parse(bad[i], &a, &b, &err) == TOLL_EPARSE, "%s",
                      bad[i]);
        ck_assert_ptr_nonnull(strstr(err.message, "as a date"));
    }
}
END_TEST

START_TEST(date_should_give_iso_weeks_at_year_ends)
{
    check_week(2015, 12, 31, 2015, 53);
    check_week(2016, 1, 3, 2015, 53);
    check_week(2016, 1, 4, 2016, 1);
    check_week(2018, 12, 31, 2019, 1);
    check_week(2020, 12, 31, 2020, 53);
    check_week(2021, 1, 3, 2020, 53);
    check_week(2021, 1, 4, 2021, 1);
    check_week(2016, 9, 25, 2016, 38);
    check_week(2008, 12, 29, 2009, 1);
}
END_TEST

START_TEST(date_should_give_iso_weekdays)
{
    ck_assert_int_eq(toll_date_weekday(ymd(1970, 1, 1)), 4); /* Thursday */
    ck_assert_int_eq(toll_date_weekday(ymd(2016, 1, 4)), 1); /* Monday */
    ck_assert_int_eq(toll_date_weekday(ymd(2016, 1, 3)), 7); /* Sunday */
    ck_assert_int_eq(toll_date_weekday(ymd(1969, 12, 29)), 1);
    ck_assert_int_eq(toll_date_weekday(ymd(1900, 1, 1)), 1);
}
END_TEST

START_TEST(date_should_format_as_iso)
{
    char buf[16];
    toll_date_format(ymd(2016, 9, 5), buf);
    ck_assert_str_eq(buf, "2016-09-05");
    toll_date_format(ymd(1, 1, 1), buf);
    ck_assert_str_eq(buf, "0001-01-01");
    toll_date_format(TOLL_NO_DATE, buf);
    ck_assert_str_eq(buf, "");
}
END_TEST

/* ---- formats (load option date_format) ------------------------------------------------ */

static toll_status fparse(const char *fmt, const char *s, int32_t *a,
                          int32_t *b, toll_error *err)
{
    return toll__date_parse_formats(fmt, s, strlen(s), a, b, err);
}

START_TEST(date_format_should_read_day_month_abbreviation_and_short_year)
{
    int32_t a, b;
    ck_assert_int_eq(fparse("%d-%b-%y", "20-Mar-03", &a, &b, NULL), TOLL_OK);
    ck_assert_int_eq(a, ymd(2003, 3, 20));
    ck_assert_int_eq(b, a);
    ck_assert_int_eq(fparse("%d-%b-%y", "9-apr-03", &a, &b, NULL), TOLL_OK);
    ck_assert_int_eq(a, ymd(2003, 4, 9));
    ck_assert_int_eq(fparse("%d-%b-%y", " 1-SEPT-05 ", &a, &b, NULL), TOLL_OK);
    ck_assert_int_eq(a, ymd(2005, 9, 1));
}
END_TEST

START_TEST(date_format_short_years_should_pivot_at_69)
{
    int32_t a, b;
    ck_assert_int_eq(fparse("%d-%b-%y", "31-Dec-68", &a, &b, NULL), TOLL_OK);
    ck_assert_int_eq(a, ymd(2068, 12, 31));
    ck_assert_int_eq(fparse("%d-%b-%y", "1-Jan-69", &a, &b, NULL), TOLL_OK);
    ck_assert_int_eq(a, ymd(1969, 1, 1));
    ck_assert_int_eq(fparse("%d-%b-%y", "1-Jan-00", &a, &b, NULL), TOLL_OK);
    ck_assert_int_eq(a, ymd(2000, 1, 1));
    ck_assert_int_eq(fparse("%d-%b-%y", "1-Jan-99", &a, &b, NULL), TOLL_OK);
    ck_assert_int_eq(a, ymd(1999, 1, 1));
}
END_TEST

START_TEST(date_format_should_read_full_month_names_and_numbers)
{
    int32_t a, b;
    ck_assert_int_eq(fparse("%d %B %Y", "15 January 2023", &a, &b, NULL),
                     TOLL_OK);
    ck_assert_int_eq(a, ymd(2023, 1, 15));
    ck_assert_int_eq(fparse("%d %B %Y", "15   january   2023", &a, &b, NULL),
                     TOLL_OK); /* a blank matches any run of blanks */
    ck_assert_int_eq(fparse("%m/%d/%Y %H:%M", "2/29/2016 13:05", &a, &b,
                            NULL),
                     TOLL_OK);
    ck_assert_int_eq(a, ymd(2016, 2, 29));
    ck_assert_int_eq(fparse("%Y%m%d", "20160929", &a, &b, NULL), TOLL_OK);
    ck_assert_int_eq(a, ymd(2016, 9, 29));
    ck_assert_int_eq(fparse("%e.%m.%Y", " 5.10.2016", &a, &b, NULL), TOLL_OK);
    ck_assert_int_eq(a, ymd(2016, 10, 5));
}
END_TEST

START_TEST(date_format_without_a_day_should_span_the_month_or_year)
{
    int32_t a, b;
    ck_assert_int_eq(fparse("%b %Y", "Feb 2016", &a, &b, NULL), TOLL_OK);
    ck_assert_int_eq(a, ymd(2016, 2, 1));
    ck_assert_int_eq(b, ymd(2016, 2, 29));
    ck_assert_int_eq(fparse("FY%Y", "fy2015", &a, &b, NULL), TOLL_OK);
    ck_assert_int_eq(a, ymd(2015, 1, 1));
    ck_assert_int_eq(b, ymd(2015, 12, 31));
}
END_TEST

START_TEST(date_formats_should_be_tried_in_order_then_iso)
{
    int32_t a, b;
    const char *f = "%d/%m/%Y|%d %B %Y";
    ck_assert_int_eq(fparse(f, "03/04/2005", &a, &b, NULL), TOLL_OK);
    ck_assert_int_eq(a, ymd(2005, 4, 3)); /* day first: the first format */
    ck_assert_int_eq(fparse(f, "3 April 2005", &a, &b, NULL), TOLL_OK);
    ck_assert_int_eq(a, ymd(2005, 4, 3));
    ck_assert_int_eq(fparse(f, "2005-04-03 00:00:00.000", &a, &b, NULL),
                     TOLL_OK);
    ck_assert_int_eq(a, ymd(2005, 4, 3));
}
END_TEST

START_TEST(date_format_should_reject_impossible_and_unmatched_dates)
{
    int32_t a = 7, b = 7;
    toll_error err;
    ck_assert_int_eq(fparse("%d-%b-%y", "30-Feb-03", &a, &b, &err),
                     TOLL_EPARSE);
    ck_assert_str_eq(err.message, "cannot read \"30-Feb-03\" as a date "
                                  "(%d-%b-%y, or YYYY-MM-DD)");
    ck_assert_str_eq(err.text, "30-Feb-03");
    ck_assert_int_eq(fparse("%d-%b-%y", "20-Mzr-03", &a, &b, &err),
                     TOLL_EPARSE);
    ck_assert_int_eq(fparse("%d-%b-%y", "20-Mar-2003", &a, &b, &err),
                     TOLL_EPARSE); /* trailing digits */
    ck_assert_int_eq(fparse("%d-%b-%y", "20-Ma-03", &a, &b, &err),
                     TOLL_EPARSE);
    ck_assert_int_eq(fparse("%d/%m/%Y", "1/13/2003", &a, &b, &err),
                     TOLL_EPARSE);
    ck_assert_int_eq(fparse("%d-%b-%y", "", &a, &b, &err), TOLL_EPARSE);
}
END_TEST

START_TEST(date_format_check_should_name_bad_formats)
{
    toll_error err;
    ck_assert_int_eq(toll__date_format_check("%d-%b-%y|%Y-%m", &err), TOLL_OK);
    ck_assert_int_eq(toll__date_format_check("%d-%b-%y|%d.%q", &err),
                     TOLL_EINVAL);
    ck_assert_str_eq(err.field, "date_format");
    ck_assert_ptr_nonnull(strstr(err.message, "\"%d.%q\": unknown directive "
                                              "'%q'"));
    ck_assert_int_eq(toll__date_format_check("%d %m", &err), TOLL_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.message, "needs a year"));
    ck_assert_int_eq(toll__date_format_check("%d %Y", &err), TOLL_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.message, "and a month with the day"));
    ck_assert_int_eq(toll__date_format_check("%Y%", &err), TOLL_EINVAL);
}
END_TEST

START_TEST(date_years_before_1_should_be_rejected)
{
    toll_error err;
    int32_t a, b;
    ck_assert_int_eq(parse("0000-05-01", &a, &b, &err), TOLL_EPARSE);
    ck_assert_ptr_nonnull(strstr(err.message, "years start at 1"));
    ck_assert_str_eq(err.text, "0000-05-01");
    ck_assert_int_eq(parse("0000", &a, &b, &err), TOLL_EPARSE);
    ck_assert_int_eq(parse("0001-01-01", &a, &b, &err), TOLL_OK);
    ck_assert_int_eq(toll__date_parse_formats("%d/%m/%Y", "01/05/0000", 10,
                                              &a, &b, &err),
                     TOLL_EPARSE);
}
END_TEST

START_TEST(date_window_should_default_to_1900_and_next_year)
{
    toll__date_window w;
    toll_error err;
    ck_assert_int_eq(toll__date_window_init(&w, 0, 0, &err), TOLL_OK);
    ck_assert_int_eq(w.from_year, 1900);
    ck_assert_int_ge(w.to_year, 2026);
    ck_assert_int_eq(w.first, ymd(1900, 1, 1));
    ck_assert_int_eq(w.last, ymd(w.to_year, 12, 31));
    ck_assert_int_eq(toll__date_window_init(&w, 1800, 2100, &err), TOLL_OK);
    ck_assert_int_eq(w.last, ymd(2100, 12, 31));
    ck_assert_int_eq(toll__date_window_init(&w, 2000, 1999, &err),
                     TOLL_EINVAL);
    ck_assert_str_eq(err.field, "date_window");
    ck_assert_int_eq(toll__date_window_init(&w, -5, 2000, &err), TOLL_EINVAL);
    ck_assert_int_eq(toll__date_window_init(&w, 1, 10000, &err), TOLL_EINVAL);
}
END_TEST

START_TEST(date_read_should_reject_dates_outside_the_window)
{
    toll__date_window w;
    toll_error err;
    int32_t a = 0, b = 0;
    ck_assert_int_eq(toll__date_window_init(&w, 1900, 2030, &err), TOLL_OK);
    ck_assert_int_eq(toll__date_read(NULL, &w, "2030-12-31", 10, &a, &b, &err),
                     TOLL_OK);
    ck_assert_int_eq(toll__date_read(NULL, &w, " 8306-05-01", 11, &a, &b,
                                     &err),
                     TOLL_EREPORT);
    ck_assert_str_eq(err.text, "8306-05-01");
    ck_assert_ptr_nonnull(strstr(err.message, "1900 to 2030"));
    /* a partial date must lie in it whole; formats too */
    ck_assert_int_eq(toll__date_read(NULL, &w, "1899", 4, &a, &b, &err),
                     TOLL_EREPORT);
    ck_assert_int_eq(toll__date_read("%d-%b-%y", &w, "01-Jan-99", 9, &a, &b,
                                     &err),
                     TOLL_OK);
    ck_assert_int_eq(toll__date_read("%Y", &w, "2031", 4, &a, &b, &err),
                     TOLL_EREPORT);
    /* unreadable stays a parse error; no window: any year from 1 */
    ck_assert_int_eq(toll__date_read(NULL, &w, "soon", 4, &a, &b, &err),
                     TOLL_EPARSE);
    ck_assert_int_eq(toll__date_read(NULL, NULL, "8306", 4, &a, &b, &err),
                     TOLL_OK);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("date");
    TCase *tc = tcase_create("date");
    tcase_add_test(tc, date_should_count_days_from_1970);
    tcase_add_test(tc, date_years_before_1_should_be_rejected);
    tcase_add_test(tc, date_window_should_default_to_1900_and_next_year);
    tcase_add_test(tc, date_read_should_reject_dates_outside_the_window);
    tcase_add_test(tc, date_should_round_trip_every_day_over_centuries);
    tcase_add_test(tc, date_should_know_leap_years);
    tcase_add_test(tc, date_should_parse_full_dates);
    tcase_add_test(tc, date_should_ignore_time_suffixes);
    tcase_add_test(tc, date_should_span_a_whole_month_for_year_month);
    tcase_add_test(tc, date_should_span_a_whole_year_for_year_alone);
    tcase_add_test(tc, date_should_reject_impossible_dates_naming_the_text);
    tcase_add_test(tc, date_should_reject_unreadable_text);
    tcase_add_test(tc, date_should_give_iso_weeks_at_year_ends);
    tcase_add_test(tc, date_should_give_iso_weekdays);
    tcase_add_test(tc, date_should_format_as_iso);
    tcase_add_test(tc,
                   date_format_should_read_day_month_abbreviation_and_short_year);
    tcase_add_test(tc, date_format_short_years_should_pivot_at_69);
    tcase_add_test(tc, date_format_should_read_full_month_names_and_numbers);
    tcase_add_test(tc, date_format_without_a_day_should_span_the_month_or_year);
    tcase_add_test(tc, date_formats_should_be_tried_in_order_then_iso);
    tcase_add_test(tc, date_format_should_reject_impossible_and_unmatched_dates);
    tcase_add_test(tc, date_format_check_should_name_bad_formats);
    suite_add_tcase(s, tc);
    return toll_test_run(s);
}
