/*
 * toll/date.h - calendar helpers.  Dates are day numbers: days since
 * 1970-01-01 in the proleptic Gregorian calendar (int32).  All functions
 * are pure and thread-safe.
 */
#ifndef TOLL_DATE_H
#define TOLL_DATE_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Marks "no date". */
#define TOLL_NO_DATE INT32_MIN

/*
 * Parse `len` bytes of `text` as YYYY-MM-DD, YYYY-MM or YYYY, optionally
 * followed by a time part (" 00:00:00.000" or "T00:00:00", ignored).
 * A partial date spans its whole month or year: *first and *last receive
 * the first and last day it covers.  Impossible dates (2015-02-30) and
 * years before 1 (0000-05-01) give TOLL_EPARSE with a message naming the
 * text.
 */
TOLL_API toll_status toll_date_parse(const char *text, size_t len,
                                     int32_t *first, int32_t *last,
                                     toll_error *err);

/* Day number of a civil date (month 1-12, day 1-31); no validation. */
TOLL_API int32_t toll_date_from_ymd(int year, int month, int day);
/* Civil date of a day number. */
TOLL_API void toll_date_to_ymd(int32_t days, int *year, int *month, int *day);
/* 1 if y-m-d is a real date. */
TOLL_API int toll_date_valid(int year, int month, int day);
/* ISO 8601 week: *iso_year and *week (1-53) of a day number. */
TOLL_API void toll_date_iso_week(int32_t days, int *iso_year, int *week);
/* ISO weekday, 1 = Monday ... 7 = Sunday. */
TOLL_API int toll_date_weekday(int32_t days);

/* Write "YYYY-MM-DD" (11 bytes with NUL) into buf.  TOLL_NO_DATE gives "". */
TOLL_API void toll_date_format(int32_t days, char buf[16]);

/* Calendar periods, as summaries group by them (period:day .. year):
 * days, ISO weeks (Monday to Sunday, numbered in their ISO year), months,
 * quarters and years. */
typedef enum toll_period_unit {
    TOLL_PERIOD_DAY = 0,
    TOLL_PERIOD_WEEK,
    TOLL_PERIOD_MONTH,
    TOLL_PERIOD_QUARTER,
    TOLL_PERIOD_YEAR
} toll_period_unit;

#ifdef __cplusplus
}
#endif
#endif /* TOLL_DATE_H */
