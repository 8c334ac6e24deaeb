/*
 * src/date.c - day numbers, partial dates, ISO weeks.
 *
 * Day numbers count days since 1970-01-01 in the proleptic Gregorian
 * calendar.  The conversions follow the structure of Howard Hinnant's
 * days_from_civil / civil_from_days: shift the year so it starts on
 * 1 March (the leap day then falls last), split it into 400-year eras of
 * 146097 days, and count within the era.
 */
#include "internal.h"

#include <stdio.h>

/* Floor division for 64-bit values. */
static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0)))
        q--;
    return q;
}

static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
    if (m <= 2)
        y -= 1;                              /* year starts in March */
    int64_t era = floor_div(y, 400);
    int64_t yoe = y - era * 400;             /* [0, 399] */
    int64_t mp = m > 2 ? m - 3 : m + 9;      /* March = 0 ... February = 11 */
    int64_t doy = (153 * mp + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;      /* 719468: 0000-03-01 to 1970 */
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = floor_div(z, 146097);
    int64_t doe = z - era * 146097;          /* [0, 146096] */
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

static int is_leap(int64_t y)
{
    return (y % 4 == 0) && (y % 100 != 0 || y % 400 == 0);
}

static int days_in_month(int64_t y, int m)
{
    static const int dim[12] = {31, 28, 31, 30, 31, 30,
                                31, 31, 30, 31, 30, 31};
    if (m == 2 && is_leap(y))
        return 29;
    return dim[m - 1];
}

int32_t toll_date_from_ymd(int year, int month, int day)
{
    return (int32_t)days_from_civil(year, month, day);
}

void toll_date_to_ymd(int32_t days, int *year, int *month, int *day)
{
    int64_t y;
    int m, d;
    civil_from_days(days, &y, &m, &d);
    if (year)
        *year = (int)y;
    if (month)
        *month = m;
    if (day)
        *day = d;
}

int toll_date_valid(int year, int month, int day)
{
    if (month < 1 || month > 12 || day < 1)
        return 0;
    return day <= days_in_month(year, month);
}

int toll_date_weekday(int32_t days)
{
    /* 1970-01-01 was a Thursday (4). */
    int64_t w = ((int64_t)days % 7 + 7 + 3) % 7;
    return (int)w + 1;
}

void toll_date_iso_week(int32_t days, int *iso_year, int *week)
{
    /* The ISO year of a day is the calendar year of the Thursday of its
     * week; the week number counts that Thursday's weeks from 1 January. */
    int64_t thursday = (int64_t)days - toll_date_weekday(days) + 4;
    int64_t y;
    int m, d;
    civil_from_days(thursday, &y, &m, &d);
    int64_t doy = thursday - days_from_civil(y, 1, 1);
    if (iso_year)
        *iso_year = (int)y;
    if (week)
        *week = (int)(doy / 7 + 1);
}

void toll_date_format(int32_t days, char buf[16])
{
    if (days == TOLL_NO_DATE) {
        buf[0] = '\0';
        return;
    }
    int64_t y;
    int m, d;
    civil_from_days(days, &y, &m, &d);
    snprintf(buf, 16, "%04lld-%02d-%02d", (long long)y, m, d);
}

/* ---- parsing ------------------------------------------------------------ */

static int is_digit(char c) { return c >= '0' && c <= '9'; }

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' ||
           c == '\v';
}

/* Read exactly n digits at s[*i]; returns -1 if they are not digits. */
static int read_digits(const char *s, size_t len, size_t *i, int n)
{
    if (len - *i < (size_t)n)
        return -1;
    int v = 0;
    for (int k = 0; k < n; k++) {
        char c = s[*i + (size_t)k];
        if (!is_digit(c))
            return -1;
        v = v * 10 + (c - '0');
    }
    *i += (size_t)n;
    return v;
}

/*
 * A time of day after a full date: HH:MM[:SS[.fff]] with an optional
 * zone (Z, +HH:MM, +HHMM, -HH).  Only its shape is checked; it is ignored.
 */
static int skip_time(const char *s, size_t len, size_t i)
{
    int hh = read_digits(s, len, &i, 2);
    if (hh < 0 || hh > 24 || i >= len || s[i] != ':')
        return 0;
    i++;
    int mm = read_digits(s, len, &i, 2);
    if (mm < 0 || mm > 59)
        return 0;
    if (i < len && s[i] == ':') {
        i++;
        int ss = read_digits(s, len, &i, 2);
        if (ss < 0 || ss > 60)
            return 0;
        if (i < len && (s[i] == '.' || s[i] == ',')) {
            i++;
            size_t start = i;
            while (i < len && is_digit(s[i]))
                i++;
            if (i == start)
                return 0;
        }
    }
    if (i < len && s[i] == 'Z') {
        i++;
    } else if (i < len && (s[i] == '+' || s[i] == '-')) {
        i++;
        if (read_digits(s, len, &i, 2) < 0)
            return 0;
        if (i < len && s[i] == ':')
            i++;
        if (i < len && read_digits(s, len, &i, 2) < 0)
            return 0;
    }
    return i == len;
}

#define DATE_SHOW 80 /* bytes of the text shown in messages */

toll_status toll_date_parse(const char *text, size_t len, int32_t *first,
                            int32_t *last, toll_error *err)
{
    if (!text && len)
        return toll__err(err, TOLL_EINVAL, "toll_date_parse: text is NULL");
    const char *s = text;
    size_t n = len;
    while (n && is_space(s[0])) {
        s++;
        n--;
    }
    while (n && is_space(s[n - 1]))
        n--;
    int show = (int)(len < DATE_SHOW ? len : DATE_SHOW);

    size_t i = 0;
    int year = read_digits(s, n, &i, 4), month = 0, day = 0;
    int has_month = 0, has_day = 0;
    if (year < 0)
        goto unreadable;
    if (i < n && s[i] == '-') {
        i++;
        month = read_digits(s, n, &i, 2);
        if (month < 0)
            goto unreadable;
        has_month = 1;
        if (i < n && s[i] == '-') {
            i++;
            day = read_digits(s, n, &i, 2);
            if (day < 0)
                goto unreadable;
            has_day = 1;
            if (i < n) {
                if ((s[i] != ' ' && s[i] != 'T') || !skip_time(s, n, i + 1))
                    goto unreadable;
                i = n;
            }
        }
    }
    if (i != n)
        goto unreadable;
    if ((has_month && (month < 1 || month > 12)) ||
        (has_day && !toll_date_valid(year, month, day)))
        return toll__seterr(err, TOLL_EPARSE, NULL, 0, -1, NULL, text, len,
                            "\"%.*s\" is not a valid date", show, text);

    int32_t a, b;
    if (has_day) {
        a = b = toll_date_from_ymd(year, month, day);
    } else if (has_month) {
        a = toll_date_from_ymd(year, month, 1);
        b = toll_date_from_ymd(year, month, days_in_month(year, month));
    } else {
        a = toll_date_from_ymd(year, 1, 1);
        b = toll_date_from_ymd(year, 12, 31);
    }
    if (first)
        *first = a;
    if (last)
        *last = b;
    return TOLL_OK;

unreadable:
    return toll__seterr(err, TOLL_EPARSE, NULL, 0, -1, NULL, text, len,
                        "cannot read \"%.*s\" as a date (YYYY-MM-DD, "
                        "YYYY-MM or YYYY)",
                        show, text);
}
