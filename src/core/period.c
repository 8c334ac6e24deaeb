/*
 * src/core/period.c - calendar periods: unit names, period numbers, the
 * days of a period and its label (see src/core/period.h for the
 * numbering).
 */
#include "core/period.h"

#include <stdio.h>
#include <string.h>

static const char *const unit_names[TOLL__PERIOD_UNITS] = {
    "day", "week", "month", "quarter", "year"};

/* Floor division for 64-bit values. */
static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

const char *toll__period_unit_name(toll_period_unit u)
{
    return (unsigned)u < TOLL__PERIOD_UNITS ? unit_names[u] : "";
}

toll_status toll__period_unit_parse(const char *name, size_t len,
                                    const char *field, const char *ctx,
                                    size_t ctx_len, toll_period_unit *u,
                                    toll_error *err)
{
    for (int k = 0; k < TOLL__PERIOD_UNITS; k++)
        if (toll__strncaseeq(name, len, unit_names[k])) {
            *u = (toll_period_unit)k;
            return TOLL_OK;
        }
    static const char expected[] =
        "(expected day, week, month, quarter or year)";
    if (!ctx)
        return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, field, name, len,
                            "unknown period unit '%.*s' %s", (int)len, name,
                            expected);
    return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, field, ctx, ctx_len,
                        "unknown period unit '%.*s' in '%.*s' %s", (int)len,
                        name, (int)ctx_len, ctx, expected);
}

/* The day numbers of 0001-01-01 and 9999-12-31 (tests/test_period.c
 * checks them against toll_date_from_ymd). */
#define DAY_MIN (-719162)
#define DAY_MAX 2932896

/* Whether `day` lies in the years periods cover (TOLL__PERIOD_MIN_YEAR
 * .. TOLL__PERIOD_MAX_YEAR; 0001-01-01 is a Monday, so no ISO week of
 * theirs falls in year 0). */
static int day_covered(int32_t day)
{
    return day != TOLL_NO_DATE && day >= DAY_MIN && day <= DAY_MAX;
}

/* Whether period `num` of unit u lies in the covered years. */
static int num_covered(toll_period_unit u, int64_t num)
{
    int64_t y;
    switch (u) {
    case TOLL_PERIOD_DAY:
        return num >= INT32_MIN && num <= INT32_MAX &&
               day_covered((int32_t)num);
    case TOLL_PERIOD_WEEK: y = floor_div(num, 100); break;
    case TOLL_PERIOD_MONTH: y = floor_div(num, 12); break;
    case TOLL_PERIOD_QUARTER: y = floor_div(num, 4); break;
    case TOLL_PERIOD_YEAR:
    default: y = num; break;
    }
    return y >= TOLL__PERIOD_MIN_YEAR && y <= TOLL__PERIOD_MAX_YEAR;
}

int64_t toll__period_number(toll_period_unit u, int32_t day)
{
    int y, m, d, iy, w;
    if (!day_covered(day))
        return TOLL__NO_PERIOD;
    switch (u) {
    case TOLL_PERIOD_DAY:
        return day;
    case TOLL_PERIOD_WEEK:
        toll_date_iso_week(day, &iy, &w);
        return (int64_t)iy * 100 + w;
    case TOLL_PERIOD_MONTH:
        toll_date_to_ymd(day, &y, &m, &d);
        return (int64_t)y * 12 + (m - 1);
    case TOLL_PERIOD_QUARTER:
        toll_date_to_ymd(day, &y, &m, &d);
        return (int64_t)y * 4 + (m - 1) / 3;
    case TOLL_PERIOD_YEAR:
    default:
        toll_date_to_ymd(day, &y, &m, &d);
        return y;
    }
}

uint64_t toll__period_count(toll_period_unit u, int32_t first, int32_t last)
{
    if (last < first || !day_covered(first) || !day_covered(last))
        return 0;
    if (u == TOLL_PERIOD_WEEK) /* Mondays of the two weeks, 7 days apart */
        return (uint64_t)(((int64_t)last - (toll_date_weekday(last) - 1)) -
                          ((int64_t)first - (toll_date_weekday(first) - 1))) /
                   7u +
               1u;
    return (uint64_t)(toll__period_number(u, last) -
                      toll__period_number(u, first)) +
           1u;
}

/* The Monday of week 1 of ISO year y: the week holding 4 January. */
static int32_t iso_year_start(int64_t y)
{
    int32_t jan4 = toll_date_from_ymd((int)y, 1, 4);
    return jan4 - (toll_date_weekday(jan4) - 1);
}

int32_t toll__period_first(toll_period_unit u, int64_t num)
{
    if (!num_covered(u, num))
        return TOLL_NO_DATE;
    switch (u) {
    case TOLL_PERIOD_DAY:
        return (int32_t)num;
    case TOLL_PERIOD_WEEK: {
        int64_t y = floor_div(num, 100);
        return iso_year_start(y) + (int32_t)(num - y * 100 - 1) * 7;
    }
    case TOLL_PERIOD_MONTH: {
        int64_t y = floor_div(num, 12);
        return toll_date_from_ymd((int)y, (int)(num - y * 12) + 1, 1);
    }
    case TOLL_PERIOD_QUARTER: {
        int64_t y = floor_div(num, 4);
        return toll_date_from_ymd((int)y, (int)(num - y * 4) * 3 + 1, 1);
    }
    case TOLL_PERIOD_YEAR:
    default:
        return toll_date_from_ymd((int)num, 1, 1);
    }
}

int32_t toll__period_last(toll_period_unit u, int64_t num)
{
    if (!num_covered(u, num))
        return TOLL_NO_DATE;
    if (u != TOLL_PERIOD_DAY && u != TOLL_PERIOD_WEEK &&
        !num_covered(u, num + 1)) /* the last month, quarter or year */
        return DAY_MAX;
    switch (u) {
    case TOLL_PERIOD_DAY:
        return (int32_t)num;
    case TOLL_PERIOD_WEEK:
        return toll__period_first(u, num) + 6;
    case TOLL_PERIOD_MONTH:
    case TOLL_PERIOD_QUARTER:
    case TOLL_PERIOD_YEAR:
    default:
        /* the day before the next period (month and quarter numbers run
         * on across years; year numbers are years) */
        return toll__period_first(u, num + 1) - 1;
    }
}

size_t toll__period_label(toll_period_unit u, int64_t num, char *buf,
                          size_t size)
{
    char tmp[TOLL__PERIOD_LABEL_SIZE];
    if (!size)
        return 0;
    if (!num_covered(u, num)) { /* TOLL__NO_PERIOD, or no period */
        tmp[0] = '\0';
    } else {
        switch (u) {
        case TOLL_PERIOD_DAY: {
            char day[16];
            toll_date_format((int32_t)num, day);
            snprintf(tmp, sizeof tmp, "%s", day);
            break;
        }
        case TOLL_PERIOD_WEEK:
            snprintf(tmp, sizeof tmp, "%04lld-W%02lld",
                     (long long)floor_div(num, 100),
                     (long long)(num - floor_div(num, 100) * 100));
            break;
        case TOLL_PERIOD_MONTH:
            snprintf(tmp, sizeof tmp, "%04lld-%02lld",
                     (long long)floor_div(num, 12),
                     (long long)(num - floor_div(num, 12) * 12 + 1));
            break;
        case TOLL_PERIOD_QUARTER:
            snprintf(tmp, sizeof tmp, "%04lld-Q%lld",
                     (long long)floor_div(num, 4),
                     (long long)(num - floor_div(num, 4) * 4 + 1));
            break;
        case TOLL_PERIOD_YEAR:
        default:
            snprintf(tmp, sizeof tmp, "%04lld", (long long)num);
            break;
        }
    }
    size_t n = strlen(tmp);
    if (n >= size)
        n = size - 1;
    memcpy(buf, tmp, n);
    buf[n] = '\0';
    return n;
}

/* The digits s[0..n) as a number; -1 unless they are all digits. */
static int64_t digits(const char *s, size_t n)
{
    int64_t v = 0;
    if (!n)
        return -1;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

int toll__period_from_label(toll_period_unit u, const char *s, size_t len,
                            int64_t *num)
{
    if (!len) {
        *num = TOLL__NO_PERIOD;
        return 1;
    }
    /* every label starts with a four-digit year */
    int64_t y = len >= 4 ? digits(s, 4) : -1, v = -1, n = 0;
    if (y < 0)
        return 0;
    switch (u) {
    case TOLL_PERIOD_DAY:
        if (len != 10 || s[4] != '-' || s[7] != '-')
            return 0;
        v = digits(s + 5, 2);
        if (v < 1 || digits(s + 8, 2) < 1)
            return 0;
        n = toll_date_from_ymd((int)y, (int)v, (int)digits(s + 8, 2));
        if (n == TOLL_NO_DATE)
            return 0;
        break;
    case TOLL_PERIOD_WEEK:
        if (len != 8 || s[4] != '-' || s[5] != 'W' ||
            (v = digits(s + 6, 2)) < 1)
            return 0;
        n = y * 100 + v;
        break;
    case TOLL_PERIOD_MONTH:
        if (len != 7 || s[4] != '-' || (v = digits(s + 5, 2)) < 1)
            return 0;
        n = y * 12 + v - 1;
        break;
    case TOLL_PERIOD_QUARTER:
        if (len != 7 || s[4] != '-' || s[5] != 'Q' ||
            (v = digits(s + 6, 1)) < 1)
            return 0;
        n = y * 4 + v - 1;
        break;
    case TOLL_PERIOD_YEAR:
    default:
        if (len != 4)
            return 0;
        n = y;
        break;
    }
    /* exactly the label of that number: no month 13, week 54, day 31 of
     * a 30-day month, year 0 */
    char back[TOLL__PERIOD_LABEL_SIZE];
    if (toll__period_label(u, n, back, sizeof back) != len ||
        memcmp(back, s, len) != 0)
        return 0;
    *num = n;
    return 1;
}
