/* tests/test_period.c - calendar periods: unit names, numbers, first and
 * last days, labels (src/core/period.c). */
#include "testutil.h"

#include "core/period.h"

#include <string.h>

static int32_t ymd(int y, int m, int d) { return toll_date_from_ymd(y, m, d); }

static const toll_period_unit ALL_UNITS[] = {
    TOLL_PERIOD_DAY, TOLL_PERIOD_WEEK, TOLL_PERIOD_MONTH,
    TOLL_PERIOD_QUARTER, TOLL_PERIOD_YEAR};

static const char *label(toll_period_unit u, int64_t num)
{
    static char buf[TOLL__PERIOD_LABEL_SIZE];
    size_t n = toll__period_label(u, num, buf, sizeof buf);
    ck_assert_uint_eq(n, strlen(buf));
    return buf;
}

static void check_range(toll_period_unit u, int64_t num, int32_t first,
                        int32_t last)
{
    char a[16], b[16], fa[16], fb[16];
    toll_date_format(toll__period_first(u, num), a);
    toll_date_format(toll__period_last(u, num), b);
    toll_date_format(first, fa);
    toll_date_format(last, fb);
    ck_assert_msg(strcmp(a, fa) == 0 && strcmp(b, fb) == 0,
                  "%s %lld: got %s .. %s, want %s .. %s",
                  toll__period_unit_name(u), (long long)num, a, b, fa, fb);
}

/* ---- numbering ---------------------------------------------------------- */

START_TEST(period_day_number_should_be_the_day_number)
{
    ck_assert_int_eq(toll__period_number(TOLL_PERIOD_DAY, 0), 0);
    ck_assert_int_eq(toll__period_number(TOLL_PERIOD_DAY, ymd(2016, 9, 25)),
                     ymd(2016, 9, 25));
    ck_assert_int_eq(toll__period_number(TOLL_PERIOD_DAY, -1), -1);
}
END_TEST

START_TEST(period_week_number_should_be_iso_year_times_100_plus_week)
{
    ck_assert_int_eq(toll__period_number(TOLL_PERIOD_WEEK, ymd(2016, 9, 25)),
                     201638);
    ck_assert_int_eq(toll__period_number(TOLL_PERIOD_WEEK, ymd(2016, 9, 26)),
                     201639);
}
END_TEST

START_TEST(period_week_should_take_the_iso_year_at_year_ends)
{
    ck_assert_int_eq(toll__period_number(TOLL_PERIOD_WEEK, ymd(2020, 12, 31)),
                     202053);
    ck_assert_int_eq(toll__period_number(TOLL_PERIOD_WEEK, ymd(2021, 1, 1)),
                     202053);
    ck_assert_int_eq(toll__period_number(TOLL_PERIOD_WEEK, ymd(2021, 1, 3)),
                     202053);
    ck_assert_int_eq(toll__period_number(TOLL_PERIOD_WEEK, ymd(2021, 1, 4)),
                     202101);
    ck_assert_int_eq(toll__period_number(TOLL_PERIOD_WEEK, ymd(2019, 12, 30)),
                     202001);
    ck_assert_int_eq(toll__period_number(TOLL_PERIOD_WEEK, ymd(2008, 12, 29)),
                     200901);
}
END_TEST

START_TEST(period_month_number_should_be_year_times_12_plus_month_minus_1)
{
    ck_assert_int_eq(toll__period_number(TOLL_PERIOD_MONTH, ymd(2016, 1, 1)),
                     2016 * 12);
    ck_assert_int_eq(toll__period_number(TOLL_PERIOD_MONTH, ymd(2016, 9, 25)),
                     2016 * 12 + 8);
    ck_assert_int_eq(toll__period_number(TOLL_PERIOD_MONTH,
                                         ymd(2016, 12, 31)),
                     2016 * 12 + 11);
    ck_assert_int_eq(toll__period_number(TOLL_PERIOD_MONTH,
                                         ymd(1969, 12, 31)),
                     1969 * 12 + 11);
}
END_TEST

START_TEST(period_quarter_number_should_be_year_times_4_plus_quarter_minus_1)
{
    ck_assert_int_eq(toll__period_number(TOLL_PERIOD_QUARTER,
                                         ymd(2016, 3, 31)),
                     2016 * 4);
    ck_assert_int_eq(toll__period_number(TOLL_PERIOD_QUARTER,
                                         ymd(2016, 9, 30)),
                     2016 * 4 + 2);
    ck_assert_int_eq(toll__period_number(TOLL_PERIOD_QUARTER,
                                         ymd(2016, 10, 1)),
                     2016 * 4 + 3);
}
END_TEST

START_TEST(period_year_number_should_be_the_year)
{
    ck_assert_int_eq(toll__period_number(TOLL_PERIOD_YEAR, ymd(2016, 12, 31)),
                     2016);
    ck_assert_int_eq(toll__period_number(TOLL_PERIOD_YEAR, ymd(2017, 1, 1)),
                     2017);
    ck_assert_int_eq(toll__period_number(TOLL_PERIOD_YEAR, ymd(1969, 1, 1)),
                     1969);
}
END_TEST

START_TEST(period_of_no_date_should_be_no_period)
{
    for (size_t k = 0; k < sizeof ALL_UNITS / sizeof *ALL_UNITS; k++)
        ck_assert(toll__period_number(ALL_UNITS[k], TOLL_NO_DATE) ==
                  TOLL__NO_PERIOD);
}
END_TEST

/* Every day from 1899 to 2031 lies in its period, periods follow each
 * other in number order, and a new one starts on its first day. */
START_TEST(period_numbers_should_rise_with_days_and_hold_them)
{
    for (size_t k = 0; k < sizeof ALL_UNITS / sizeof *ALL_UNITS; k++) {
        toll_period_unit u = ALL_UNITS[k];
        int64_t prev = toll__period_number(u, ymd(1899, 1, 1) - 1);
        for (int32_t d = ymd(1899, 1, 1); d <= ymd(2031, 12, 31); d++) {
            int64_t num = toll__period_number(u, d);
            int32_t first = toll__period_first(u, num);
            int32_t last = toll__period_last(u, num);
            ck_assert_msg(first <= d && d <= last && num >= prev &&
                              (num != prev) == (d == first),
                          "%s: day %d in %lld (%d .. %d) after %lld",
                          toll__period_unit_name(u), (int)d, (long long)num,
                          (int)first, (int)last, (long long)prev);
            prev = num;
        }
    }
}
END_TEST

/* ---- first and last days ------------------------------------------------ */

START_TEST(period_day_should_span_one_day)
{
    int32_t d = ymd(2016, 2, 29);
    check_range(TOLL_PERIOD_DAY, d, d, d);
}
END_TEST

START_TEST(period_week_should_span_monday_to_sunday_across_years)
{
    check_range(TOLL_PERIOD_WEEK, 201638, ymd(2016, 9, 19),
                ymd(2016, 9, 25));
    check_range(TOLL_PERIOD_WEEK, 202053, ymd(2020, 12, 28),
                ymd(2021, 1, 3));
    check_range(TOLL_PERIOD_WEEK, 202101, ymd(2021, 1, 4),
                ymd(2021, 1, 10));
    check_range(TOLL_PERIOD_WEEK, 200901, ymd(2008, 12, 29),
                ymd(2009, 1, 4));
}
END_TEST

START_TEST(period_month_should_span_its_days_with_leap_february)
{
    check_range(TOLL_PERIOD_MONTH, 2016 * 12 + 1, ymd(2016, 2, 1),
                ymd(2016, 2, 29));
    check_range(TOLL_PERIOD_MONTH, 2015 * 12 + 1, ymd(2015, 2, 1),
                ymd(2015, 2, 28));
    check_range(TOLL_PERIOD_MONTH, 2000 * 12 + 1, ymd(2000, 2, 1),
                ymd(2000, 2, 29));
    check_range(TOLL_PERIOD_MONTH, 1900 * 12 + 1, ymd(1900, 2, 1),
                ymd(1900, 2, 28));
    check_range(TOLL_PERIOD_MONTH, 2016 * 12 + 11, ymd(2016, 12, 1),
                ymd(2016, 12, 31));
    check_range(TOLL_PERIOD_MONTH, 1969 * 12 + 11, ymd(1969, 12, 1),
                ymd(1969, 12, 31));
}
END_TEST

START_TEST(period_quarter_should_span_three_months)
{
    check_range(TOLL_PERIOD_QUARTER, 2016 * 4, ymd(2016, 1, 1),
                ymd(2016, 3, 31));
    check_range(TOLL_PERIOD_QUARTER, 2016 * 4 + 2, ymd(2016, 7, 1),
                ymd(2016, 9, 30));
    check_range(TOLL_PERIOD_QUARTER, 2016 * 4 + 3, ymd(2016, 10, 1),
                ymd(2016, 12, 31));
}
END_TEST

START_TEST(period_year_should_span_january_to_december)
{
    check_range(TOLL_PERIOD_YEAR, 2016, ymd(2016, 1, 1), ymd(2016, 12, 31));
    check_range(TOLL_PERIOD_YEAR, 1969, ymd(1969, 1, 1), ymd(1969, 12, 31));
}
END_TEST

/* ---- labels ------------------------------------------------------------- */

START_TEST(period_labels_should_name_each_unit)
{
    int32_t d = ymd(2016, 9, 25);
    ck_assert_str_eq(label(TOLL_PERIOD_DAY,
                           toll__period_number(TOLL_PERIOD_DAY, d)),
                     "2016-09-25");
    ck_assert_str_eq(label(TOLL_PERIOD_WEEK,
                           toll__period_number(TOLL_PERIOD_WEEK, d)),
                     "2016-W38");
    ck_assert_str_eq(label(TOLL_PERIOD_MONTH,
                           toll__period_number(TOLL_PERIOD_MONTH, d)),
                     "2016-09");
    ck_assert_str_eq(label(TOLL_PERIOD_QUARTER,
                           toll__period_number(TOLL_PERIOD_QUARTER, d)),
                     "2016-Q3");
    ck_assert_str_eq(label(TOLL_PERIOD_YEAR,
                           toll__period_number(TOLL_PERIOD_YEAR, d)),
                     "2016");
}
END_TEST

START_TEST(period_labels_should_pad_weeks_months_and_years)
{
    ck_assert_str_eq(label(TOLL_PERIOD_WEEK, 202101), "2021-W01");
    ck_assert_str_eq(label(TOLL_PERIOD_WEEK, 202053), "2020-W53");
    ck_assert_str_eq(label(TOLL_PERIOD_MONTH, 2016 * 12), "2016-01");
    ck_assert_str_eq(label(TOLL_PERIOD_MONTH, 2016 * 12 + 11), "2016-12");
    ck_assert_str_eq(label(TOLL_PERIOD_QUARTER, 2016 * 4 + 3), "2016-Q4");
    ck_assert_str_eq(label(TOLL_PERIOD_YEAR, 812), "0812");
}
END_TEST

START_TEST(period_label_of_no_period_should_be_empty)
{
    for (size_t k = 0; k < sizeof ALL_UNITS / sizeof *ALL_UNITS; k++)
        ck_assert_str_eq(label(ALL_UNITS[k], TOLL__NO_PERIOD), "");
}
END_TEST

START_TEST(period_label_should_truncate_to_the_buffer)
{
    char buf[5] = "xxxx";
    ck_assert_uint_eq(toll__period_label(TOLL_PERIOD_MONTH, 2016 * 12 + 8,
                                         buf, sizeof buf),
                      4);
    ck_assert_str_eq(buf, "2016");
    ck_assert_uint_eq(toll__period_label(TOLL_PERIOD_MONTH, 2016 * 12 + 8,
                                         buf, 0),
                      0);
    ck_assert_str_eq(buf, "2016");
}
END_TEST

/* ---- unit names --------------------------------------------------------- */

START_TEST(period_unit_parse_should_read_every_name_in_any_case)
{
    toll_error err;
    toll_period_unit u = TOLL_PERIOD_DAY;
    for (size_t k = 0; k < sizeof ALL_UNITS / sizeof *ALL_UNITS; k++) {
        const char *name = toll__period_unit_name(ALL_UNITS[k]);
        ck_assert_int_eq(toll__period_unit_parse(name, strlen(name), NULL,
                                                 NULL, 0, &u, &err),
                         TOLL_OK);
        ck_assert_int_eq(u, ALL_UNITS[k]);
    }
    ck_assert_int_eq(toll__period_unit_parse("Quarter", 7, NULL, NULL, 0, &u,
                                             &err),
                     TOLL_OK);
    ck_assert_int_eq(u, TOLL_PERIOD_QUARTER);
    /* only the given bytes count */
    ck_assert_int_eq(toll__period_unit_parse("weekly", 4, NULL, NULL, 0, &u,
                                             &err),
                     TOLL_OK);
    ck_assert_int_eq(u, TOLL_PERIOD_WEEK);
}
END_TEST

START_TEST(period_unit_names_should_be_the_five_units)
{
    ck_assert_str_eq(toll__period_unit_name(TOLL_PERIOD_DAY), "day");
    ck_assert_str_eq(toll__period_unit_name(TOLL_PERIOD_WEEK), "week");
    ck_assert_str_eq(toll__period_unit_name(TOLL_PERIOD_MONTH), "month");
    ck_assert_str_eq(toll__period_unit_name(TOLL_PERIOD_QUARTER), "quarter");
    ck_assert_str_eq(toll__period_unit_name(TOLL_PERIOD_YEAR), "year");
}
END_TEST

START_TEST(period_unit_parse_should_reject_unknown_names_naming_the_text)
{
    toll_error err;
    toll_period_unit u = TOLL_PERIOD_MONTH;
    ck_assert_int_eq(toll__period_unit_parse("fortnight", 9, "by", NULL, 0,
                                             &u, &err),
                     TOLL_EINVAL);
    ck_assert_int_eq(u, TOLL_PERIOD_MONTH);
    ck_assert_str_eq(err.field, "by");
    ck_assert_str_eq(err.text, "fortnight");
    ck_assert_str_eq(err.message,
                     "field 'by': unknown period unit 'fortnight' (expected "
                     "day, week, month, quarter or year)");
    ck_assert_int_eq(toll__period_unit_parse("days", 4, NULL, NULL, 0, &u,
                                             &err),
                     TOLL_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.message, "'days'"));
}
END_TEST

START_TEST(period_unit_parse_error_should_name_the_text_it_came_from)
{
    toll_error err;
    toll_period_unit u;
    const char *key = "period:fortnight";
    ck_assert_int_eq(toll__period_unit_parse(key + 7, 9, "stratify_by", key,
                                             strlen(key), &u, &err),
                     TOLL_EINVAL);
    ck_assert_str_eq(err.field, "stratify_by");
    ck_assert_str_eq(err.text, "period:fortnight");
    ck_assert_str_eq(err.message,
                     "field 'stratify_by': unknown period unit 'fortnight' in "
                     "'period:fortnight' (expected day, week, month, quarter "
                     "or year)");
    ck_assert_int_eq(toll__period_unit_parse("", 0, "by", "period:", 7, &u,
                                             &err),
                     TOLL_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.message, "unknown period unit '' in "
                                              "'period:'"));
}
END_TEST

START_TEST(periods_should_cover_only_the_years_1_to_9999)
{
    int32_t first = toll_date_from_ymd(1, 1, 1);
    int32_t last = toll_date_from_ymd(9999, 12, 31);
    for (size_t k = 0; k < sizeof ALL_UNITS / sizeof *ALL_UNITS; k++) {
        toll_period_unit u = ALL_UNITS[k];
        ck_assert_int_ne(toll__period_number(u, first), TOLL__NO_PERIOD);
        ck_assert_int_ne(toll__period_number(u, last), TOLL__NO_PERIOD);
        ck_assert_int_eq(toll__period_number(u, first - 1), TOLL__NO_PERIOD);
        ck_assert_int_eq(toll__period_number(u, last + 1), TOLL__NO_PERIOD);
        ck_assert_int_eq(toll__period_first(u, toll__period_number(u, first)),
                         first);
        ck_assert_int_ge(toll__period_last(u, toll__period_number(u, last)),
                         last);
    }
    /* 0001-01-01 is a Monday: week 1 of ISO year 1, never year 0 */
    ck_assert_str_eq(label(TOLL_PERIOD_WEEK,
                           toll__period_number(TOLL_PERIOD_WEEK, first)),
                     "0001-W01");
}
END_TEST

START_TEST(period_functions_should_be_total_on_numbers_before_year_1)
{
    /* -001-W52 and the like never appear: no label, no day */
    static const int64_t nums[] = {-152, -1, INT64_MIN, INT64_MAX - 1};
    for (size_t k = 0; k < sizeof ALL_UNITS / sizeof *ALL_UNITS; k++)
        for (size_t j = 0; j < sizeof nums / sizeof *nums; j++) {
            toll_period_unit u = ALL_UNITS[k];
            if (u == TOLL_PERIOD_DAY && nums[j] > INT32_MIN &&
                nums[j] < INT32_MAX)
                continue; /* day numbers near 0 are 1970 */
            ck_assert_str_eq(label(u, nums[j]), "");
            ck_assert_int_eq(toll__period_first(u, nums[j]), TOLL_NO_DATE);
            ck_assert_int_eq(toll__period_last(u, nums[j]), TOLL_NO_DATE);
        }
    ck_assert_str_eq(label(TOLL_PERIOD_YEAR, 0), "");
    ck_assert_str_eq(label(TOLL_PERIOD_WEEK, 52), "");
}
END_TEST

START_TEST(period_count_should_count_the_periods_a_span_touches)
{
    int32_t a = ymd(2016, 1, 3), b = ymd(2016, 1, 5); /* Sun .. Tue */
    ck_assert_uint_eq(toll__period_count(TOLL_PERIOD_DAY, a, b), 3);
    ck_assert_uint_eq(toll__period_count(TOLL_PERIOD_WEEK, a, b), 2);
    ck_assert_uint_eq(toll__period_count(TOLL_PERIOD_MONTH, a, b), 1);
    ck_assert_uint_eq(toll__period_count(TOLL_PERIOD_MONTH, ymd(2016, 1, 1),
                                         ymd(2016, 12, 31)),
                      12);
    ck_assert_uint_eq(toll__period_count(TOLL_PERIOD_YEAR, ymd(2016, 1, 1),
                                         ymd(8306, 12, 31)),
                      6291);
    ck_assert_uint_eq(toll__period_count(TOLL_PERIOD_DAY, b, a), 0);
    ck_assert_uint_eq(toll__period_count(TOLL_PERIOD_DAY, ymd(0, 12, 31), a),
                      0);
}
END_TEST

START_TEST(period_from_label_should_invert_the_label)
{
    int32_t days[] = {ymd(1, 1, 1), ymd(2016, 2, 29), ymd(2020, 12, 31),
                      ymd(2021, 1, 3), ymd(9999, 12, 31)};
    for (size_t u = 0; u < sizeof ALL_UNITS / sizeof *ALL_UNITS; u++)
        for (size_t k = 0; k < sizeof days / sizeof *days; k++) {
            int64_t num = toll__period_number(ALL_UNITS[u], days[k]), back = 0;
            const char *s = label(ALL_UNITS[u], num);
            ck_assert_msg(toll__period_from_label(ALL_UNITS[u], s, strlen(s),
                                                  &back) &&
                              back == num,
                          "%s %s", toll__period_unit_name(ALL_UNITS[u]), s);
        }
    int64_t none = 0;
    ck_assert(toll__period_from_label(TOLL_PERIOD_MONTH, "", 0, &none));
    ck_assert(none == TOLL__NO_PERIOD);
}
END_TEST

START_TEST(period_from_label_should_reject_what_no_label_is)
{
    static const struct {
        toll_period_unit u;
        const char *s;
    } bad[] = {{TOLL_PERIOD_DAY, "2016-02-30"}, {TOLL_PERIOD_DAY, "2016-9-25"},
               {TOLL_PERIOD_WEEK, "2016-W5"},   {TOLL_PERIOD_WEEK, "2016-09"},
               {TOLL_PERIOD_MONTH, "2016-13"},  {TOLL_PERIOD_MONTH, "2016-00"},
               {TOLL_PERIOD_QUARTER, "2016-Q5"}, {TOLL_PERIOD_YEAR, "0000"},
               {TOLL_PERIOD_YEAR, "16"},        {TOLL_PERIOD_YEAR, "2016 "},
               {TOLL_PERIOD_MONTH, "2016-09-25"}};
    for (size_t k = 0; k < sizeof bad / sizeof *bad; k++) {
        int64_t num = 7;
        ck_assert_msg(!toll__period_from_label(bad[k].u, bad[k].s,
                                               strlen(bad[k].s), &num),
                      "%s", bad[k].s);
        ck_assert(num == 7);
    }
}
END_TEST


int main(void)
{
    Suite *s = suite_create("period");
    TCase *tc = tcase_create("period");
    tcase_add_test(tc, period_day_number_should_be_the_day_number);
    tcase_add_test(tc, period_week_number_should_be_iso_year_times_100_plus_week);
    tcase_add_test(tc, period_week_should_take_the_iso_year_at_year_ends);
    tcase_add_test(tc,
                   period_month_number_should_be_year_times_12_plus_month_minus_1);
    tcase_add_test(
        tc, period_quarter_number_should_be_year_times_4_plus_quarter_minus_1);
    tcase_add_test(tc, period_year_number_should_be_the_year);
    tcase_add_test(tc, period_of_no_date_should_be_no_period);
    tcase_add_test(tc, period_numbers_should_rise_with_days_and_hold_them);
    tcase_add_test(tc, period_day_should_span_one_day);
    tcase_add_test(tc, period_week_should_span_monday_to_sunday_across_years);
    tcase_add_test(tc, period_month_should_span_its_days_with_leap_february);
    tcase_add_test(tc, period_quarter_should_span_three_months);
    tcase_add_test(tc, period_year_should_span_january_to_december);
    tcase_add_test(tc, period_labels_should_name_each_unit);
    tcase_add_test(tc, period_labels_should_pad_weeks_months_and_years);
    tcase_add_test(tc, period_label_of_no_period_should_be_empty);
    tcase_add_test(tc, period_label_should_truncate_to_the_buffer);
    tcase_add_test(tc, period_unit_parse_should_read_every_name_in_any_case);
    tcase_add_test(tc, period_unit_names_should_be_the_five_units);
    tcase_add_test(tc,
                   period_unit_parse_should_reject_unknown_names_naming_the_text);
    tcase_add_test(tc, period_unit_parse_error_should_name_the_text_it_came_from);
    tcase_add_test(tc, periods_should_cover_only_the_years_1_to_9999);
    tcase_add_test(tc, period_functions_should_be_total_on_numbers_before_year_1);
    tcase_add_test(tc, period_count_should_count_the_periods_a_span_touches);
    tcase_add_test(tc, period_from_label_should_invert_the_label);
    tcase_add_test(tc, period_from_label_should_reject_what_no_label_is);
    suite_add_tcase(s, tc);
    return toll_test_run(s);
}
