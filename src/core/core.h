/*
 * src/core/core.h - the domain's own rules, shared by every stage: the
 * vague-word lexicon's layout (lexicon.c owns it, quantity.c reads it) and
 * dates in user-given formats (date.c).  Nothing here is public API.
 */
#ifndef TOLL_SRC_CORE_CORE_H
#define TOLL_SRC_CORE_CORE_H

#include "base/base.h"

/* One lexicon entry.  `word` is NUL-terminated, `len` its length in bytes.
 * high == TOLL_OPEN: open.  best < 0: no best. */
typedef struct toll__lexentry {
    const char *word;
    size_t len;
    int64_t low, high;
    double best;
} toll__lexentry;

/* One scale abbreviation of a lexicon ("mn" -> 1,000,000), read after
 * digits like the built-in k, m, mln and bn. */
typedef struct toll__lexscale {
    const char *word; /* NUL-terminated ASCII letters */
    size_t len;
    int64_t scale;
} toll__lexscale;

struct toll_lexicon {
    toll_allocator alloc;
    toll__lexentry *e; /* owned; e[i].word owned (len + 1 bytes) */
    size_t n, cap;
    toll__lexscale *sc; /* owned; sc[i].word owned (len + 1 bytes) */
    size_t nsc, sccap;
};

/* The built-in default lexicon: a static const table (never allocated, so
 * the parser can use it without an allocator and from any thread). */
void toll__lexicon_default(const toll__lexentry **entries, size_t *n);

/*
 * Length in bytes of the longest prefix of s[0..n) matched by `word`
 * (ASCII case-insensitive; a space in `word` matches one or more
 * whitespace bytes in s), ending on a word boundary (end of text or a
 * byte that is not an ASCII letter or digit).  0 when it does not match.
 */
size_t toll__match_phrase(const char *s, size_t n, const char *word,
                          size_t wlen);

/* 1 when a word of `lex` begins with a digit (after whitespace), so that a
 * text of digits ("92") may read as that word rather than as a number;
 * 0 for NULL, the default lexicon (src/core/lexicon.c). */
int toll__lexicon_digit_led(const toll_lexicon *lex);

/* ---- quantities (core/quantity.c) -------------------------------------------------- */

/*
 * The largest count accepted anywhere (TOLL_COUNT_MAX, 2^53): every whole
 * number up to it is exact in the doubles that tables hold.  Every reader
 * of a count (the quantity parser, JSON numbers, CSV LOW..HIGH columns,
 * Python numbers, lexicon entries, toll_quantity_make) checks it with
 * toll__count_ok (a count) or toll__best_ok (a best estimate) and words
 * the error with TOLL__COUNT_MAX_TEXT.
 */
#define TOLL__COUNT_MAX TOLL_COUNT_MAX
#define TOLL__COUNT_MAX_TEXT "9007199254740992 (2^53)"
int toll__count_ok(int64_t v);
int toll__best_ok(double v);

/*
 * The forms of a quantity's text that the loaders read without the full
 * parser, by the parser's own code: a plain count of ASCII digits ("92")
 * and a range of two such counts with a '-' ("85-92", low <= high), with
 * nothing else (no spaces, signs, separators or words) and counts of at
 * most 18 digits and at most TOLL__COUNT_MAX.  Returns TOLL__QFAST_COUNT or TOLL__QFAST_RANGE with
 * *low, *high and *best (the count, or the range's midpoint) when `text`
 * is one of them, TOLL__QFAST_NO when toll_quantity_parse must read it.
 * Valid only where toll__lexicon_digit_led(lexicon) is 0;
 * toll_quantity_parse itself starts with it on those terms.
 */
enum { TOLL__QFAST_NO = 0, TOLL__QFAST_COUNT, TOLL__QFAST_RANGE };
int toll__quantity_fast(const char *text, size_t len, int64_t *low,
                        int64_t *high, double *best);

/* What a number's text reads as (toll__number_count, toll__number_decimal). */
enum { TOLL__NUM_OK = 0, TOLL__NUM_BAD, TOLL__NUM_NEGATIVE,
       TOLL__NUM_FRACTION, TOLL__NUM_BIG };

/*
 * A JSON number as written ("12", "12.0", "1.2e1", "1e3", "-0"), read
 * exactly (no floating point) as a count of people: TOLL__NUM_OK with
 * *out, or why not (not a number, negative, not whole, above
 * TOLL__COUNT_MAX).
 */
int toll__number_count(const char *s, size_t len, int64_t *out);

/* A JSON number as a best estimate (a non-negative decimal, optional
 * exponent, at most TOLL__COUNT_MAX): TOLL__NUM_OK with *out, or why not. */
int toll__number_decimal(const char *s, size_t len, double *out);

/* A count given as ASCII digits alone (a bound in a LOW..HIGH column
 * map; len >= 1): TOLL__NUM_OK with *out, TOLL__NUM_NEGATIVE for a
 * leading '-', TOLL__NUM_BAD for any other non-digit, TOLL__NUM_BIG above
 * TOLL__COUNT_MAX. */
int toll__number_digits(const char *s, size_t len, int64_t *out);

/* A JSON number as a quantity, by toll__number_count: the exact count
 * [n, n] (best n, rule "exact", or "none" for 0) made as the parser makes
 * a plain count; returns the TOLL__NUM_* code of the reading (*out is
 * unknown unless TOLL__NUM_OK). */
int toll__quantity_number(const char *s, size_t len, toll_quantity *out);

/* 1 when the parser reads the whole of w[0..len) by its grammar alone
 * (no lexicon): a number, a range, "about a dozen", "none", "unknown",
 * "n/a", "" or a lone dash.  Such text may not be a lexicon word
 * (src/core/lexicon.c): the word would redefine what the parser reads. */
int toll__quantity_reads(const char *w, size_t len);

/* 1 when the letters w[0..n) are a word the parser reads as part of a
 * number (a number word, a scale word or a built-in abbreviation): no
 * scale word of a lexicon may be one. */
int toll__number_word(const char *w, size_t n);

/* 1 when the text is one of the parser's words for unknown ("unknown",
 * "unclear", "NA", "N/A", "n/a", a lone "-", ""): a LOW..HIGH column
 * map reads such a cell as empty (src/io/record.c). */
int toll__quantity_unknown(const char *s, size_t len);

/* "is negative", "is not a whole number", ... for a TOLL__NUM_* code. */
const char *toll__number_problem(int code);

/* ---- dates in given formats (core/date.c) ------------------------------------------ */

/* TOLL_EINVAL naming the format when `formats` ('|'-separated) has an
 * unknown directive or no year. */
toll_status toll__date_format_check(const char *formats, toll_error *err);
/* Parse text with the first matching format, else as an ISO date.
 * TOLL_EPARSE naming the text (no location) when none matches. */
toll_status toll__date_parse_formats(const char *formats, const char *text,
                                     size_t len, int32_t *first,
                                     int32_t *last, toll_error *err);

/* Years before 1 are no dates (toll_date_parse and formats reject them). */
#define TOLL__DATE_MIN_YEAR 1
/* The default first year of the window of plausible dates; the default
 * last is the current year + 1 (UTC). */
#define TOLL__DATE_WINDOW_FROM 1900

/* The window of plausible dates of a load: every date a report gives must
 * lie in [first, last] (years from_year..to_year). */
typedef struct toll__date_window {
    int32_t first, last;
    int from_year, to_year;
} toll__date_window;

/* The window for the years from_year..to_year; 0 for either takes its
 * default.  TOLL_EINVAL (field "date_window") when FROM > TO or a year is
 * out of 1..9999. */
toll_status toll__date_window_init(toll__date_window *w, int from_year,
                                   int to_year, toll_error *err);
/* The one rule for dates in reports: parse text (with `formats`, NULL for
 * ISO only) and check it lies in window `w` (NULL: no window).  An
 * unreadable date is TOLL_EPARSE, a date outside the window TOLL_EREPORT,
 * naming the text (no location). */
toll_status toll__date_read(const char *formats, const toll__date_window *w,
                            const char *text, size_t len, int32_t *first,
                            int32_t *last, toll_error *err);

#endif /* TOLL_SRC_CORE_CORE_H */
