/*
 * src/core/period.h - calendar periods (day, ISO week, month, quarter,
 * year): their unit names, the period number of a day, the days a period
 * covers and its label.  The one home of these rules: summaries by period
 * (src/summarize/keys.c) and MSE strata by period
 * (src/stats/mse_incidents.c) both use it.  Nothing here is public API;
 * all functions are pure and thread-safe.
 *
 * Period numbers order periods in time, one unit apart:
 *   day      the day number itself (include/toll/date.h)
 *   week     ISO year * 100 + ISO week (1-53)
 *   month    year * 12 + (month - 1)
 *   quarter  year * 4 + (quarter - 1)
 *   year     the year
 * Week numbers skip between years (202053 is followed by 202101), so only
 * their order, not their differences, is meaningful.
 */
#ifndef TOLL_SRC_CORE_PERIOD_H
#define TOLL_SRC_CORE_PERIOD_H

#include "base/base.h"

/* The units are toll_period_unit (toll/date.h), numbered 0 .. 4 in the
 * order day, week, month, quarter, year (src/summarize/kernel.h counts on
 * it). */
#define TOLL__PERIOD_UNITS 5

/* The period number of "no date": after every real period; label "". */
#define TOLL__NO_PERIOD INT64_MAX

/* Periods cover the days of the years 1 .. 9999 (labels have four-digit
 * years and no sign): a day outside them has no period (TOLL__NO_PERIOD,
 * like no date), and the functions below treat a period number outside
 * them as TOLL__NO_PERIOD. */
#define TOLL__PERIOD_MIN_YEAR 1
#define TOLL__PERIOD_MAX_YEAR 9999

/* A buffer this large holds any label. */
#define TOLL__PERIOD_LABEL_SIZE 48

/* The name of a unit: "day", "week", "month", "quarter", "year". */
const char *toll__period_unit_name(toll_period_unit u);

/*
 * The unit named by name[0..len) (ASCII case-insensitive).  An unknown
 * name gives TOLL_EINVAL; *u is left alone.  err's field is `field` (may
 * be NULL); its text is ctx[0..ctx_len), the text the name was read from
 * (e.g. the group key "period:fortnight"), or the name itself when ctx is
 * NULL; its message names the name and ctx and lists the units:
 *   unknown period unit 'fortnight' in 'period:fortnight' (expected day,
 *   week, month, quarter or year)
 */
toll_status toll__period_unit_parse(const char *name, size_t len,
                                    const char *field, const char *ctx,
                                    size_t ctx_len, toll_period_unit *u,
                                    toll_error *err);

/* The number of the period of unit u that holds day `day`;
 * TOLL__NO_PERIOD for TOLL_NO_DATE and days outside the years 1 .. 9999. */
int64_t toll__period_number(toll_period_unit u, int32_t day);

/* The number of periods of unit u that days first..last touch: the rows
 * prorating such a span makes; 0 when last < first or either day has no
 * period. */
uint64_t toll__period_count(toll_period_unit u, int32_t first, int32_t last);

/* The first and the last day of period `num` (a number
 * toll__period_number gives); TOLL_NO_DATE for TOLL__NO_PERIOD or any
 * number outside the years 1 .. 9999. */
int32_t toll__period_first(toll_period_unit u, int64_t num);
int32_t toll__period_last(toll_period_unit u, int64_t num);

/*
 * The label of period `num` into buf (size bytes, NUL-terminated,
 * truncated to fit): 2016-09-25, 2016-W38, 2016-09, 2016-Q3, 2016; ""
 * for TOLL__NO_PERIOD.  Returns the label's length as written.
 */
size_t toll__period_label(toll_period_unit u, int64_t num, char *buf,
                          size_t size);

/*
 * The inverse of toll__period_label: the number of the period of unit u
 * whose label is s[0..len) into *num (TOLL__NO_PERIOD for "").  Returns 1,
 * or 0 when the text is no label of unit u (*num is left alone).
 */
int toll__period_from_label(toll_period_unit u, const char *s, size_t len,
                            int64_t *num);

#endif /* TOLL_SRC_CORE_PERIOD_H */
