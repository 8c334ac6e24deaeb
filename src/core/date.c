/*
 * src/core/date.c - day numbers, partial dates, ISO weeks.
 *
 * Day numbers count days since 1970-01-01 in the proleptic Gregorian
 * calendar.  The conversions follow the structure of Howard Hinnant's
 * days_from_civil / civil_from_days: shift the year so it starts on
 * 1 March (the leap day then falls last), split it into 400-year eras of
 * 146097 days, and count within the era.
 */
#define _POSIX_C_SOURCE 200809L /* gmtime_r */
#include "core/core.h"

#include <stdio.h>
#include <time.h>

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
    char tmp[48]; /* room for any int64 year: no truncation warnings */
    snprintf(tmp, sizeof tmp, "%04lld-%02d-%02d", (long long)y, m, d);
    size_t n = strlen(tmp) < 15 ? strlen(tmp) : 15;
    memcpy(buf, tmp, n);
    buf[n] = '\0';
}

/* ---- parsing ------------------------------------------------------------ */

static int is_digit(char c) { return c >= '0' && c <= '9'; }

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
    toll__trim_space(&s, &n);
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
    if (year < TOLL__DATE_MIN_YEAR)
        return toll__seterr(err, TOLL_EPARSE, NULL, 0, -1, NULL, text, len,
                            "\"%.*s\" is not a valid date (years start at "
                            "%d)",
                            show, text, TOLL__DATE_MIN_YEAR);
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

/* ---- dates in a given format (load option date_format) -------------------- */

/*
 * strptime-like formats, without the C library's locale: %Y (four-digit
 * year), %y (two digits: 69-99 -> 1969-1999, 00-68 -> 2000-2068, the POSIX
 * pivot), %m (month 1-12, one or two digits), %d / %e (day, one or two
 * digits), %b / %B / %h (English month name, full or three letters, any
 * case), %H %M %S (time, checked and ignored), %% (a '%').  A blank in the
 * format matches any run of blanks (or none); other characters match
 * themselves, letters in any case.  Without a day the date spans its month,
 * without a month its year.
 */

static const char *const month_names[12] = {
    "january", "february", "march",     "april",   "may",      "june",
    "july",    "august",   "september", "october", "november", "december"};

static int lower(char c)
{
    return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* Read 1..max digits; -1 if none. */
static int read_upto(const char *s, size_t len, size_t *i, int max)
{
    int v = 0, n = 0;
    while (n < max && *i < len && is_digit(s[*i])) {
        v = v * 10 + (s[*i] - '0');
        (*i)++;
        n++;
    }
    return n ? v : -1;
}

/* An English month name (full, or its first three letters; "Sept" too). */
static int read_month_name(const char *s, size_t len, size_t *i)
{
    size_t n = 0;
    while (*i + n < len && ((s[*i + n] >= 'a' && s[*i + n] <= 'z') ||
                            (s[*i + n] >= 'A' && s[*i + n] <= 'Z')))
        n++;
    if (n < 3)
        return -1;
    for (int m = 0; m < 12; m++) {
        const char *name = month_names[m];
        size_t nl = strlen(name), k = 0;
        if (n > nl)
            continue;
        while (k < n && lower(s[*i + k]) == name[k])
            k++;
        if (k == n && (n == 3 || n == nl || (m == 8 && n == 4))) {
            *i += n;
            return m + 1;
        }
    }
    return -1;
}

/* One format f[0..fl) against s[0..len) (already trimmed). */
static int match_format(const char *f, size_t fl, const char *s, size_t len,
                        int32_t *first, int32_t *last)
{
    size_t i = 0;
    int year = -1, month = -1, day = -1, v;
    for (size_t k = 0; k < fl; k++) {
        char c = f[k];
        if (toll__is_space(c)) {
            while (i < len && toll__is_space(s[i]))
                i++;
            continue;
        }
        if (c != '%' || k + 1 >= fl) {
            if (i >= len || lower(s[i]) != lower(c))
                return 0;
            i++;
            continue;
        }
        c = f[++k];
        switch (c) {
        case 'Y':
            if ((year = read_digits(s, len, &i, 4)) < 0)
                return 0;
            break;
        case 'y':
            if ((v = read_digits(s, len, &i, 2)) < 0)
                return 0;
            year = v >= 69 ? 1900 + v : 2000 + v;
            break;
        case 'm':
            if ((month = read_upto(s, len, &i, 2)) < 1 || month > 12)
                return 0;
            break;
        case 'e':
            if (i < len && s[i] == ' ')
                i++;
            /* fall through */
        case 'd':
            if ((day = read_upto(s, len, &i, 2)) < 1)
                return 0;
            break;
        case 'b':
        case 'B':
        case 'h':
            if ((month = read_month_name(s, len, &i)) < 0)
                return 0;
            break;
        case 'H':
            if ((v = read_upto(s, len, &i, 2)) < 0 || v > 24)
                return 0;
            break;
        case 'M':
            if ((v = read_upto(s, len, &i, 2)) < 0 || v > 59)
                return 0;
            break;
        case 'S':
            if ((v = read_upto(s, len, &i, 2)) < 0 || v > 60)
                return 0;
            break;
        case '%':
            if (i >= len || s[i] != '%')
                return 0;
            i++;
            break;
        default:
            return 0;
        }
    }
    if (i != len || year < TOLL__DATE_MIN_YEAR || (day >= 0 && month < 0))
        return 0;
    if (day >= 0) {
        if (!toll_date_valid(year, month, day))
            return 0;
        *first = *last = toll_date_from_ymd(year, month, day);
    } else if (month >= 0) {
        *first = toll_date_from_ymd(year, month, 1);
        *last = toll_date_from_ymd(year, month, days_in_month(year, month));
    } else {
        *first = toll_date_from_ymd(year, 1, 1);
        *last = toll_date_from_ymd(year, 12, 31);
    }
    return 1;
}

toll_status toll__date_format_check(const char *formats, toll_error *err)
{
    const char *p = formats;
    for (;;) {
        const char *bar = strchr(p, '|');
        size_t fl = bar ? (size_t)(bar - p) : strlen(p);
        int has_year = 0, has_day = 0, has_month = 0;
        for (size_t k = 0; k < fl; k++) {
            if (p[k] != '%')
                continue;
            char c = k + 1 < fl ? p[++k] : '\0';
            if (c == 'Y' || c == 'y')
                has_year = 1;
            else if (c == 'd' || c == 'e')
                has_day = 1;
            else if (c == 'm' || c == 'b' || c == 'B' || c == 'h')
                has_month = 1;
            else if (c != 'H' && c != 'M' && c != 'S' && c != '%')
                return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1,
                                    "date_format", formats, strlen(formats),
                                    "date format \"%.*s\": unknown directive "
                                    "'%%%c' (expected %%Y %%y %%m %%d %%e %%b "
                                    "%%B %%H %%M %%S %%%%)",
                                    (int)fl, p, c ? c : ' ');
        }
        if (!has_year || (has_day && !has_month))
            return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "date_format",
                                formats, strlen(formats),
                                "date format \"%.*s\" needs a year (%%Y or "
                                "%%y)%s",
                                (int)fl, p,
                                has_year ? " and a month with the day" : "");
        if (!bar)
            break;
        p = bar + 1;
    }
    return TOLL_OK;
}

toll_status toll__date_parse_formats(const char *formats, const char *text,
                                     size_t len, int32_t *first,
                                     int32_t *last, toll_error *err)
{
    const char *s = text;
    size_t n = len;
    toll__trim_space(&s, &n);
    int32_t a = 0, b = 0;
    const char *p = formats;
    for (;;) {
        const char *bar = strchr(p, '|');
        size_t fl = bar ? (size_t)(bar - p) : strlen(p);
        if (match_format(p, fl, s, n, &a, &b)) {
            if (first)
                *first = a;
            if (last)
                *last = b;
            return TOLL_OK;
        }
        if (!bar)
            break;
        p = bar + 1;
    }
    if (toll_date_parse(s, n, first, last, NULL) == TOLL_OK)
        return TOLL_OK;
    int show = (int)(len < DATE_SHOW ? len : DATE_SHOW);
    return toll__seterr(err, TOLL_EPARSE, NULL, 0, -1, NULL, text, len,
                        "cannot read \"%.*s\" as a date (%s, or YYYY-MM-DD)",
                        show, text, formats);
}

/* ---- the window of plausible dates ---------------------------------------- */

toll_status toll__date_window_init(toll__date_window *w, int from_year,
                                   int to_year, toll_error *err)
{
    if (from_year == 0)
        from_year = TOLL__DATE_WINDOW_FROM;
    if (to_year == 0) {
        time_t now = time(NULL);
        struct tm tm;
        to_year = now != (time_t)-1 && gmtime_r(&now, &tm)
                      ? tm.tm_year + 1900 + 1
                      : 9999;
    }
    if (from_year < TOLL__DATE_MIN_YEAR || to_year > 9999 ||
        from_year > to_year)
        return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "date_window",
                            NULL, 0,
                            "date window %d..%d: expected two years FROM <= "
                            "TO between %d and 9999",
                            from_year, to_year, TOLL__DATE_MIN_YEAR);
    w->from_year = from_year;
    w->to_year = to_year;
    w->first = toll_date_from_ymd(from_year, 1, 1);
    w->last = toll_date_from_ymd(to_year, 12, 31);
    return TOLL_OK;
}

toll_status toll__date_read(const char *formats, const toll__date_window *w,
                            const char *text, size_t len, int32_t *first,
                            int32_t *last, toll_error *err)
{
    int32_t a = 0, b = 0;
    toll_status st =
        formats ? toll__date_parse_formats(formats, text, len, &a, &b, err)
                : toll_date_parse(text, len, &a, &b, err);
    if (st)
        return st;
    if (w && (a < w->first || b > w->last)) {
        const char *s = text;
        size_t n = len;
        toll__trim_space(&s, &n);
        int show = (int)(n < DATE_SHOW ? n : DATE_SHOW);
        return toll__seterr(err, TOLL_EREPORT, NULL, 0, -1, NULL, s, n,
                            "date \"%.*s\" is outside the window of "
                            "plausible dates, %d to %d (widen it with the "
                            "load option date_window, --date-window "
                            "FROM:TO)",
                            show, s, w->from_year, w->to_year);
    }
    if (first)
        *first = a;
    if (last)
        *last = b;
    return TOLL_OK;
}
