/* tests/test_quantity.c - the quantity parser, toll_quantity_make and
 * toll_quantity_format. */
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 34)
#include <pthread.h>
#define HAVE_PTHREAD_IN_LIBC 1
#endif

/* ---- helpers ----------------------------------------------------------- */

static toll_quantity parse_with(const char *text, const toll_parse_options *o)
{
    toll_quantity q;
    toll_error err;
    toll_error_clear(&err);
    toll_status st = toll_quantity_parse(text, strlen(text), o, &q, &err);
    ck_assert_msg(st == TOLL_OK, "parse \"%s\" failed: %s", text, err.message);
    return q;
}

static toll_quantity parse(const char *text) { return parse_with(text, NULL); }

/* Assert text parses to [low, high] with the given rule. */
static void expect(const char *text, int64_t low, int64_t high,
                   const char *rule)
{
    toll_quantity q = parse(text);
    ck_assert_msg(q.known == 1, "\"%s\": not known", text);
    ck_assert_msg(q.low == low && q.high == high,
                  "\"%s\": got [%lld, %lld], want [%lld, %lld]", text,
                  (long long)q.low, (long long)q.high, (long long)low,
                  (long long)high);
    ck_assert_msg(strcmp(q.rule, rule) == 0, "\"%s\": rule '%s', want '%s'",
                  text, q.rule, rule);
}

static void expect_exact(const char *text, int64_t v)
{
    expect(text, v, v, v == 0 ? "none" : "exact");
}

/* Assert text fails with TOLL_EPARSE; returns the error. */
static toll_error expect_error(const char *text)
{
    toll_quantity q;
    toll_error err;
    toll_error_clear(&err);
    toll_status st = toll_quantity_parse(text, strlen(text), NULL, &q, &err);
    ck_assert_msg(st == TOLL_EPARSE, "\"%s\": status %s, want TOLL_EPARSE",
                  text, toll_status_name(st));
    ck_assert_int_eq(err.code, TOLL_EPARSE);
    ck_assert_int_eq(q.known, 0);
    return err;
}

static void expect_unknown(const char *text, size_t len)
{
    toll_quantity q;
    toll_error err;
    q.known = 7;
    ck_assert_int_eq(toll_quantity_parse(text, len, NULL, &q, &err), TOLL_OK);
    ck_assert_int_eq(q.known, 0);
    ck_assert_int_eq(q.low, 0);
    ck_assert_int_eq(q.high, 0);
    ck_assert_int_eq(q.has_best, 0);
    ck_assert_str_eq(q.rule, "unknown");
}

/* ---- exact values -------------------------------------------------------- */

START_TEST(quantity_should_read_digits_as_exact)
{
    expect_exact("92", 92);
    expect_exact("7", 7);
    expect_exact("007", 7);
    expect_exact("9007199254740992", TOLL_COUNT_MAX);
}
END_TEST

START_TEST(quantity_should_read_comma_thousands_separators)
{
    expect_exact("1,450", 1450);
    expect_exact("12,345,678", 12345678);
    expect_exact("1,000", 1000);
}
END_TEST

START_TEST(quantity_should_reject_malformed_comma_groups)
{
    expect_error("1,45");
    expect_error("1,4500");
    expect_error("1450,000");
}
END_TEST

START_TEST(quantity_should_read_unit_and_teen_words)
{
    expect_exact("four", 4);
    expect_exact("one", 1);
    expect_exact("nine", 9);
    expect_exact("ten", 10);
    expect_exact("eleven", 11);
    expect_exact("fourteen", 14);
    expect_exact("nineteen", 19);
}
END_TEST

START_TEST(quantity_should_read_tens_words_hyphenated_or_spaced)
{
    expect_exact("twenty", 20);
    expect_exact("twenty-three", 23);
    expect_exact("twenty three", 23);
    expect_exact("ninety-nine", 99);
    expect_exact("forty", 40);
}
END_TEST

START_TEST(quantity_should_read_hundred_thousand_million_words)
{
    expect_exact("one hundred and fifty", 150);
    expect_exact("one hundred fifty", 150);
    expect_exact("a hundred", 100);
    expect_exact("three hundred", 300);
    expect_exact("a thousand and one", 1001);
    expect_exact("one thousand two hundred and five", 1205);
    expect_exact("two million", 2000000);
    expect_exact("a hundred thousand", 100000);
}
END_TEST

START_TEST(quantity_should_read_dozen_forms)
{
    expect_exact("a dozen", 12);
    expect_exact("dozen", 12);
    expect_exact("two dozen", 24);
    expect_exact("2 dozen", 24);
}
END_TEST

START_TEST(quantity_should_read_multiplier_words_after_digits)
{
    expect_exact("2 thousand", 2000);
    expect_exact("3 million", 3000000);
    expect_exact("2 hundred", 200);
    expect_exact("2 hundred thousand", 200000);
    expect_exact("1.5 million", 1500000);
}
END_TEST

START_TEST(quantity_should_read_four_children_as_exact)
{
    expect_exact("four children", 4);
}
END_TEST

/* ---- ranges ---------------------------------------------------------------- */

START_TEST(quantity_should_read_hyphen_range)
{
    expect("85-92", 85, 92, "range");
    expect("85 - 92", 85, 92, "range");
    expect("1,098-1,450", 1098, 1450, "range");
}
END_TEST

START_TEST(quantity_should_read_to_range)
{
    expect("85 to 92", 85, 92, "range");
    expect("eighty-five to ninety-two", 85, 92, "range");
}
END_TEST

START_TEST(quantity_should_read_between_and_range)
{
    expect("between 85 and 92", 85, 92, "range");
    expect("between 85 to 92", 85, 92, "range");
    expect("between 85-92", 85, 92, "range");
    expect("between five and ten", 5, 10, "range");
}
END_TEST

START_TEST(quantity_should_read_or_range)
{
    expect("5 or 6", 5, 6, "range");
    expect("one or two", 1, 2, "range");
}
END_TEST

START_TEST(quantity_should_accept_unicode_dashes_in_ranges)
{
    static const char *const dashes[] = {
        "\xE2\x80\x90", "\xE2\x80\x91", "\xE2\x80\x92", "\xE2\x80\x93",
        "\xE2\x80\x94", "\xE2\x80\x95", "\xE2\x88\x92"};
    for (size_t i = 0; i < sizeof dashes / sizeof dashes[0]; i++) {
        char text[32];
        snprintf(text, sizeof text, "85%s92", dashes[i]);
        expect(text, 85, 92, "range");
        snprintf(text, sizeof text, "85 %s 92", dashes[i]);
        expect(text, 85, 92, "range");
    }
    expect("between 5\xE2\x80\x93" "10", 5, 10, "range");
}
END_TEST

START_TEST(quantity_should_apply_trailing_multiplier_to_both_range_ends)
{
    expect("2-3 thousand", 2000, 3000, "range");
    expect("two to three hundred", 200, 300, "range");
    expect("500-3 thousand", 500, 3000, "range");
}
END_TEST

START_TEST(quantity_should_reject_range_with_low_above_high)
{
    toll_error err = expect_error("92-85");
    ck_assert_str_eq(err.message, "cannot read \"92-85\" as a quantity: "
                                  "low 92 is greater than high 85");
    ck_assert_str_eq(err.text, "92-85");
    expect_error("between 10 and 5");
}
END_TEST

START_TEST(quantity_should_take_range_midpoint_as_derived_best)
{
    toll_quantity q = parse("85-92");
    ck_assert_double_eq(q.best, 88.5);
    ck_assert_int_eq(q.has_best, 0);
}
END_TEST

/* ---- open and bounded forms -------------------------------------------------- */

START_TEST(quantity_should_read_at_least_as_open_range)
{
    expect("at least 150", 150, TOLL_OPEN, "at least");
}
END_TEST

START_TEST(quantity_should_read_no_fewer_than_as_open_range)
{
    expect("no fewer than 20", 20, TOLL_OPEN, "at least");
    expect("no less than 20", 20, TOLL_OPEN, "at least");
}
END_TEST

START_TEST(quantity_should_read_or_more_as_open_range)
{
    expect("150 or more", 150, TOLL_OPEN, "at least");
}
END_TEST

START_TEST(quantity_should_read_plus_as_open_range)
{
    expect("150+", 150, TOLL_OPEN, "at least");
    expect("1,000+ dead", 1000, TOLL_OPEN, "at least");
}
END_TEST

START_TEST(quantity_should_take_open_low_bound_as_derived_best)
{
    toll_quantity q = parse("at least 150");
    ck_assert_double_eq(q.best, 150.0);
    ck_assert_int_eq(q.has_best, 0);
}
END_TEST

START_TEST(quantity_should_read_more_than_as_open_above_n)
{
    expect("more than 100", 101, TOLL_OPEN, "more than");
}
END_TEST

START_TEST(quantity_should_read_over_as_open_above_n)
{
    expect("over 100", 101, TOLL_OPEN, "more than");
}
END_TEST

START_TEST(quantity_should_read_upwards_of_as_open_above_n)
{
    expect("upwards of 100", 101, TOLL_OPEN, "more than");
}
END_TEST

START_TEST(quantity_should_reject_more_than_int64_max)
{
    expect_error("more than 9223372036854775807");
}
END_TEST

START_TEST(quantity_should_read_up_to_as_zero_to_n)
{
    expect("up to 40", 0, 40, "up to");
    toll_quantity q = parse("up to 40");
    ck_assert_double_eq(q.best, 20.0);
    ck_assert_int_eq(q.has_best, 0);
}
END_TEST

START_TEST(quantity_should_read_as_many_as_as_zero_to_n)
{
    expect("as many as 40", 0, 40, "up to");
}
END_TEST

START_TEST(quantity_should_read_at_most_as_zero_to_n)
{
    expect("at most 40", 0, 40, "up to");
    expect("40 or fewer", 0, 40, "up to");
}
END_TEST

START_TEST(quantity_should_reject_range_after_bound_words)
{
    expect_error("up to 5-10");
    expect_error("at least 5 to 10");
}
END_TEST

/* ---- about / nearly ------------------------------------------------------------ */

START_TEST(quantity_should_read_about_with_ten_percent)
{
    expect("about 350", 315, 385, "about");
    toll_quantity q = parse("about 350");
    ck_assert_double_eq(q.best, 350.0);
    ck_assert_int_eq(q.has_best, 1);
}
END_TEST

START_TEST(quantity_should_read_each_about_synonym)
{
    expect("around 100", 90, 110, "about");
    expect("approximately 100", 90, 110, "about");
    expect("roughly 100", 90, 110, "about");
    expect("some 100", 90, 110, "about");
    expect("an estimated 100", 90, 110, "about");
    expect("about 100", 90, 110, "about");
}
END_TEST

START_TEST(quantity_should_round_about_bounds)
{
    /* 0.9 * 25 = 22.5 -> 23 (half away from zero), 1.1 * 25 = 27.5 -> 28 */
    expect("about 25", 23, 28, "about");
    expect("about 3", 3, 3, "about");
}
END_TEST

START_TEST(quantity_should_use_about_tolerance_option)
{
    toll_parse_options o;
    toll_parse_options_init(&o);
    ck_assert_double_eq(o.about_tolerance, 0.1);
    ck_assert_ptr_null(o.lexicon);
    o.about_tolerance = 0.25;
    toll_quantity q = parse_with("about 200", &o);
    ck_assert_int_eq(q.low, 150);
    ck_assert_int_eq(q.high, 250);
    ck_assert_double_eq(q.best, 200.0);
    o.about_tolerance = 0.0;
    q = parse_with("around 200", &o);
    ck_assert_int_eq(q.low, 200);
    ck_assert_int_eq(q.high, 200);
}
END_TEST

START_TEST(quantity_should_reject_invalid_about_tolerance)
{
    toll_parse_options o;
    toll_parse_options_init(&o);
    toll_quantity q;
    toll_error err;
    o.about_tolerance = -0.1;
    ck_assert_int_eq(toll_quantity_parse("about 5", 7, &o, &q, &err),
                     TOLL_EINVAL);
    o.about_tolerance = NAN;
    ck_assert_int_eq(toll_quantity_parse("about 5", 7, &o, &q, &err),
                     TOLL_EINVAL);
    o.about_tolerance = 1.0;
    ck_assert_int_eq(toll_quantity_parse("about 5", 7, &o, &q, &err),
                     TOLL_EINVAL);
}
END_TEST

START_TEST(quantity_should_read_nearly_as_just_below_n)
{
    expect("nearly 100", 90, 99, "nearly");
    toll_quantity q = parse("nearly 100");
    ck_assert_double_eq(q.best, 94.5);
    ck_assert_int_eq(q.has_best, 0);
}
END_TEST

START_TEST(quantity_should_read_almost_as_nearly)
{
    expect("almost 100", 90, 99, "nearly");
}
END_TEST

START_TEST(quantity_should_clamp_nearly_low_for_small_n)
{
    expect("nearly 2", 1, 1, "nearly");
    expect("nearly 5", 4, 4, "nearly");
    expect("almost 10", 9, 9, "nearly");
}
END_TEST

START_TEST(quantity_should_reject_nearly_below_two)
{
    expect_error("nearly 1");
    expect_error("almost 0");
}
END_TEST

/* ---- none / unknown ------------------------------------------------------------- */

START_TEST(quantity_should_read_none_words_as_zero)
{
    expect("none", 0, 0, "none");
    expect("no", 0, 0, "none");
    expect("zero", 0, 0, "none");
    expect("0", 0, 0, "none");
    expect("no one", 0, 0, "none");
    expect("no-one", 0, 0, "none");
    expect("nobody", 0, 0, "none");
    toll_quantity q = parse("none");
    ck_assert_int_eq(q.has_best, 1);
    ck_assert_double_eq(q.best, 0.0);
}
END_TEST

START_TEST(quantity_should_read_no_casualties_as_zero)
{
    expect("no casualties", 0, 0, "none");
    expect("No civilians were killed", 0, 0, "none");
}
END_TEST

START_TEST(quantity_should_not_let_no_swallow_no_fewer_than)
{
    expect("no fewer than 7", 7, TOLL_OPEN, "at least");
}
END_TEST

START_TEST(quantity_should_read_unknown_words_as_unknown)
{
    expect_unknown("unknown", 7);
    expect_unknown("unclear", 7);
    expect_unknown("Unknown number", 14);
}
END_TEST

START_TEST(quantity_should_read_empty_text_as_unknown)
{
    expect_unknown("", 0);
    expect_unknown("   \t\n", 5);
    expect_unknown(NULL, 0);
}
END_TEST

START_TEST(quantity_should_keep_zero_distinct_from_unknown)
{
    toll_quantity q = parse("0");
    ck_assert_int_eq(q.known, 1);
    q = parse("unknown");
    ck_assert_int_eq(q.known, 0);
}
END_TEST

/* ---- lexicon words (default lexicon) ----------------------------------------------- */

START_TEST(quantity_should_read_default_lexicon_words)
{
    expect("a couple", 2, 2, "lexicon: a couple");
    expect("a few", 2, 5, "lexicon: a few");
    expect("a handful", 2, 5, "lexicon: a handful");
    expect("several", 3, 9, "lexicon: several");
    expect("dozens", 24, 99, "lexicon: dozens");
    expect("scores", 40, 99, "lexicon: scores");
    expect("tens", 20, 99, "lexicon: tens");
    expect("hundreds", 200, 999, "lexicon: hundreds");
    expect("thousands", 2000, 9999, "lexicon: thousands");
    expect("many", 10, TOLL_OPEN, "lexicon: many");
}
END_TEST

START_TEST(quantity_should_read_dozens_of_casualties_from_lexicon)
{
    expect("dozens of casualties", 24, 99, "lexicon: dozens");
    toll_quantity q = parse("dozens of casualties");
    ck_assert_double_eq(q.best, 36.0);
    ck_assert_int_eq(q.has_best, 1);
}
END_TEST

START_TEST(quantity_should_apply_best_rules_to_lexicon_entries)
{
    toll_quantity q = parse("a couple"); /* no best: midpoint, derived */
    ck_assert_double_eq(q.best, 2.0);
    ck_assert_int_eq(q.has_best, 0);
    q = parse("many"); /* no best, open: low bound, derived */
    ck_assert_double_eq(q.best, 10.0);
    ck_assert_int_eq(q.has_best, 0);
    q = parse("several"); /* lexicon best */
    ck_assert_double_eq(q.best, 5.0);
    ck_assert_int_eq(q.has_best, 1);
}
END_TEST

START_TEST(quantity_should_scale_lexicon_word_before_multiplier)
{
    expect("several hundred", 300, 900, "lexicon: several");
    expect("tens of thousands", 20000, 99000, "lexicon: tens");
    expect("hundreds of thousands", 200000, 999000, "lexicon: hundreds");
    toll_quantity q = parse("several hundred");
    ck_assert_double_eq(q.best, 500.0);
}
END_TEST

START_TEST(quantity_should_scale_lexicon_word_before_dozen)
{
    expect("a few dozen", 24, 60, "lexicon: a few");
    expect("several dozen", 36, 108, "lexicon: several");
}
END_TEST

START_TEST(quantity_should_reject_number_right_after_quantity)
{
    /* a space or no-break space as thousands separator is not read as 1 */
    expect_error("1 000");
    expect_error("1\xC2\xA0" "000");
    expect_error("1\xE2\x80\xAF" "000");
    expect_error("at least 5 6");
    expect("5 (3 children)", 5, 5, "exact"); /* a remark in brackets */
}
END_TEST

START_TEST(quantity_should_not_match_lexicon_word_inside_longer_word)
{
    /* "manyfold" is not "many"; "tense" is not "tens" */
    expect_error("manyfold");
    expect_error("tense");
}
END_TEST

/* ---- case, whitespace, trailing words ----------------------------------------------- */

START_TEST(quantity_should_ignore_case)
{
    expect("AT LEAST 150", 150, TOLL_OPEN, "at least");
    expect("About 100", 90, 110, "about");
    expect("Twenty-Three", 23, 23, "exact");
    expect("DOZENS", 24, 99, "lexicon: dozens");
    expect("NONE", 0, 0, "none");
    expect("Between 5 AND 10", 5, 10, "range");
    expect("A Dozen", 12, 12, "exact");
}
END_TEST

START_TEST(quantity_should_ignore_leading_and_trailing_whitespace)
{
    expect("  92  ", 92, 92, "exact");
    expect("\tat  least\n150 ", 150, TOLL_OPEN, "at least");
}
END_TEST

START_TEST(quantity_should_ignore_trailing_words)
{
    expect("at least 150 civilians", 150, TOLL_OPEN, "at least");
    expect("85-92 killed", 85, 92, "range");
    expect("92 people, including 40 children", 92, 92, "exact");
    expect("5-year-old killed", 5, 5, "exact");
    expect("about 350 (source: ministry)", 315, 385, "about");
}
END_TEST

/* ---- errors ---------------------------------------------------------------------- */

START_TEST(quantity_should_report_unreadable_text_with_exact_message)
{
    toll_error err = expect_error("at leest 5");
    ck_assert_str_eq(err.message,
                     "cannot read \"at leest 5\" as a quantity");
    ck_assert_str_eq(err.text, "at leest 5");
    ck_assert_str_eq(err.file, "");
    ck_assert_str_eq(err.field, "");
}
END_TEST

START_TEST(quantity_should_reject_fractional_numbers)
{
    toll_error err = expect_error("3.5");
    ck_assert_ptr_nonnull(strstr(err.message, "cannot read \"3.5\""));
    expect_exact("0.5 million people", 500000); /* whole: fine */
}
END_TEST

START_TEST(quantity_should_reject_fraction_that_stays_fractional)
{
    expect_error("1.0000005 million");
    expect_error("about 2.5");
}
END_TEST

START_TEST(quantity_should_reject_negative_numbers)
{
    expect_error("-4");
    expect_error("\xE2\x88\x92" "4"); /* U+2212 MINUS SIGN */
    expect_error("at least -4");
}
END_TEST

START_TEST(quantity_should_reject_int64_overflow)
{
    expect_error("99999999999999999999");
    expect_error("9223372036854775808");
    expect_error("9,223,372,036,854,775,808");
    expect_error("9223372036854775807 thousand");
    expect_error("999999999999 billion");
}
END_TEST

START_TEST(quantity_should_reject_garbage)
{
    expect_error("garbage");
    expect_error("92abc");
    expect_error("about");
    expect_error("at least");
    expect_error("between 5");
    expect_error("between 5 and");
    expect_error("?");
    expect_error("some civilians");
}
END_TEST

START_TEST(quantity_should_survive_invalid_utf8)
{
    expect_error("\xFF");
    expect_error("\xE2\x80"); /* truncated dash */
    expect_error("\xC3");
    expect_exact("5\xFF", 5);
    expect_exact("5 \xE2\x80", 5);
    expect("5\xE2\x80\x93\xFF", 5, 5, "exact");
}
END_TEST

START_TEST(quantity_should_truncate_long_text_in_error)
{
    char text[2000];
    memset(text, 'x', sizeof text - 1);
    text[sizeof text - 1] = '\0';
    toll_error err = expect_error(text);
    ck_assert_uint_lt(strlen(err.message), sizeof err.message);
    ck_assert_uint_eq(strlen(err.text), sizeof err.text - 1);
    ck_assert_ptr_nonnull(strstr(err.message, "...\" as a quantity"));
}
END_TEST

START_TEST(quantity_should_clear_output_on_error)
{
    toll_quantity q;
    toll_error err;
    memset(&q, 0x55, sizeof q);
    ck_assert_int_eq(toll_quantity_parse("garbage", 7, NULL, &q, &err),
                     TOLL_EPARSE);
    ck_assert_int_eq(q.known, 0);
    ck_assert_int_eq(q.low, 0);
    ck_assert_int_eq(q.has_best, 0);
}
END_TEST

START_TEST(quantity_should_accept_null_error_pointer)
{
    toll_quantity q;
    ck_assert_int_eq(toll_quantity_parse("garbage", 7, NULL, &q, NULL),
                     TOLL_EPARSE);
    ck_assert_int_eq(toll_quantity_parse("5", 1, NULL, &q, NULL), TOLL_OK);
    ck_assert_int_eq(toll_quantity_parse("5", 1, NULL, NULL, NULL),
                     TOLL_EINVAL);
}
END_TEST

START_TEST(quantity_should_never_read_past_len)
{
    toll_quantity q;
    toll_error err;
    /* only "92" of "92-85" */
    ck_assert_int_eq(toll_quantity_parse("92-85", 2, NULL, &q, &err), TOLL_OK);
    ck_assert_int_eq(q.low, 92);
    ck_assert_int_eq(q.high, 92);
    /* "at least 1" of "at least 150" */
    ck_assert_int_eq(toll_quantity_parse("at least 150", 10, NULL, &q, &err),
                     TOLL_OK);
    ck_assert_int_eq(q.low, 1);
    /* exact-size heap buffers without NUL: ASan catches any over-read */
    static const char *const texts[] = {
        "92", "85-92", "at least 150", "twenty-three", "one hundred and",
        "85\xE2\x80\x93", "dozens", "a", "no", "1,450", "1,", "3.", "5+",
        "between 5 and", "a dozen", "several hundred", "\xE2\x80"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        size_t n = strlen(texts[i]);
        char *b = malloc(n ? n : 1);
        ck_assert_ptr_nonnull(b);
        memcpy(b, texts[i], n);
        toll_quantity_parse(b, n, NULL, &q, &err);
        free(b);
    }
}
END_TEST

#ifdef HAVE_PTHREAD_IN_LIBC
static void *parse_many(void *arg)
{
    (void)arg;
    for (int i = 0; i < 2000; i++) {
        toll_quantity q;
        if (toll_quantity_parse("dozens of people", 16, NULL, &q, NULL) ||
            q.low != 24)
            return (void *)1;
        if (toll_quantity_parse("about 350", 9, NULL, &q, NULL) ||
            q.low != 315)
            return (void *)1;
    }
    return NULL;
}

START_TEST(quantity_should_parse_concurrently_with_default_lexicon)
{
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        ck_assert_int_eq(pthread_create(&t[i], NULL, parse_many, NULL), 0);
    for (int i = 0; i < 4; i++) {
        void *r;
        pthread_join(t[i], &r);
        ck_assert_ptr_null(r);
    }
}
END_TEST
#endif

/* ---- best rule for exact values ------------------------------------------------ */

START_TEST(quantity_should_give_exact_value_as_best)
{
    toll_quantity q = parse("92");
    ck_assert_double_eq(q.best, 92.0);
    ck_assert_int_eq(q.has_best, 1);
}
END_TEST

/* ---- toll_quantity_make ------------------------------------------------------------ */

START_TEST(make_should_build_closed_range_with_best)
{
    toll_quantity q;
    toll_error err;
    ck_assert_int_eq(toll_quantity_make(3, 9, 1, 4.5, &q, &err), TOLL_OK);
    ck_assert_int_eq(q.known, 1);
    ck_assert_int_eq(q.low, 3);
    ck_assert_int_eq(q.high, 9);
    ck_assert_double_eq(q.best, 4.5);
    ck_assert_int_eq(q.has_best, 1);
    ck_assert_str_eq(q.rule, "object");
}
END_TEST

START_TEST(make_should_derive_midpoint_without_best)
{
    toll_quantity q;
    ck_assert_int_eq(toll_quantity_make(3, 9, 0, 0, &q, NULL), TOLL_OK);
    ck_assert_double_eq(q.best, 6.0);
    ck_assert_int_eq(q.has_best, 0);
    ck_assert_int_eq(toll_quantity_make(TOLL_COUNT_MAX - 2, TOLL_COUNT_MAX,
                                        0, 0, &q, NULL),
                     TOLL_OK);
    ck_assert_double_eq(q.best, (double)(TOLL_COUNT_MAX - 1));
}
END_TEST

START_TEST(make_should_derive_low_bound_for_open_range)
{
    toll_quantity q;
    ck_assert_int_eq(toll_quantity_make(150, TOLL_OPEN, 0, 0, &q, NULL),
                     TOLL_OK);
    ck_assert_int_eq(q.high, TOLL_OPEN);
    ck_assert_double_eq(q.best, 150.0);
    ck_assert_int_eq(q.has_best, 0);
    ck_assert_int_eq(toll_quantity_make(150, TOLL_OPEN, 1, 400, &q, NULL),
                     TOLL_OK);
    ck_assert_double_eq(q.best, 400.0);
}
END_TEST

START_TEST(make_should_reject_low_above_high)
{
    toll_quantity q;
    toll_error err;
    ck_assert_int_eq(toll_quantity_make(9, 5, 0, 0, &q, &err), TOLL_EREPORT);
    ck_assert_str_eq(err.message, "low 9 is greater than high 5");
    ck_assert_int_eq(q.known, 0);
}
END_TEST

START_TEST(make_should_reject_best_outside_range)
{
    toll_quantity q;
    toll_error err;
    ck_assert_int_eq(toll_quantity_make(3, 9, 1, 12.5, &q, &err),
                     TOLL_EREPORT);
    ck_assert_str_eq(err.message, "best 12.5 is outside [3, 9]");
    ck_assert_int_eq(toll_quantity_make(3, 9, 1, 2.0, &q, &err),
                     TOLL_EREPORT);
    ck_assert_int_eq(toll_quantity_make(3, TOLL_OPEN, 1, 2.0, &q, &err),
                     TOLL_EREPORT);
    ck_assert_str_eq(err.message, "best 2 is outside [3, open)");
}
END_TEST

START_TEST(make_should_reject_non_finite_best)
{
    toll_quantity q;
    toll_error err;
    ck_assert_int_eq(toll_quantity_make(3, 9, 1, NAN, &q, &err), TOLL_EREPORT);
    ck_assert_int_eq(toll_quantity_make(3, TOLL_OPEN, 1, INFINITY, &q, &err),
                     TOLL_EREPORT);
    /* without has_best the value is ignored */
    ck_assert_int_eq(toll_quantity_make(3, 9, 0, NAN, &q, &err), TOLL_OK);
}
END_TEST

START_TEST(make_should_reject_negative_counts)
{
    toll_quantity q;
    toll_error err;
    ck_assert_int_eq(toll_quantity_make(-4, 9, 0, 0, &q, &err), TOLL_EREPORT);
    ck_assert_str_eq(err.message, "negative count -4");
    ck_assert_int_eq(toll_quantity_make(0, -5, 0, 0, &q, &err), TOLL_EREPORT);
    ck_assert_str_eq(err.message, "negative count -5");
}
END_TEST

/* ---- toll_quantity_format ------------------------------------------------------ */

static const char *fmt(toll_quantity q, int thousands)
{
    static char buf[64];
    size_t n = toll_quantity_format(&q, thousands, buf, sizeof buf);
    ck_assert_uint_eq(n, strlen(buf));
    return buf;
}

START_TEST(format_should_write_exact_range_open_and_unknown)
{
    ck_assert_str_eq(fmt(parse("92"), 0), "92");
    ck_assert_str_eq(fmt(parse("85-92"), 0), "85\xE2\x80\x93" "92");
    ck_assert_str_eq(fmt(parse("at least 150"), 0), "150+");
    ck_assert_str_eq(fmt(parse("unknown"), 0), "unknown");
    ck_assert_str_eq(fmt(parse("none"), 0), "0");
}
END_TEST

START_TEST(format_should_add_thousands_separators_when_asked)
{
    ck_assert_str_eq(fmt(parse("1098-1450"), 1), "1,098\xE2\x80\x93" "1,450");
    ck_assert_str_eq(fmt(parse("1098-1450"), 0), "1098\xE2\x80\x93" "1450");
    ck_assert_str_eq(fmt(parse("2 million"), 1), "2,000,000");
    ck_assert_str_eq(fmt(parse("999"), 1), "999");
    ck_assert_str_eq(fmt(parse("1000+"), 1), "1,000+");
    ck_assert_str_eq(fmt(parse("9007199254740992"), 1),
                     "9,007,199,254,740,992");
}
END_TEST

START_TEST(format_should_truncate_and_return_needed_length)
{
    toll_quantity q = parse("1098-1450");
    char buf[5];
    size_t n = toll_quantity_format(&q, 1, buf, sizeof buf);
    ck_assert_uint_eq(n, strlen("1,098\xE2\x80\x93" "1,450"));
    ck_assert_str_eq(buf, "1,09");
    ck_assert_uint_eq(toll_quantity_format(&q, 0, NULL, 0), 11);
    ck_assert_uint_eq(toll_quantity_format(NULL, 0, buf, sizeof buf), 7);
    ck_assert_str_eq(buf, "unkn");
}
END_TEST

/* ---- forms of the hardening round ---------------------------------------------- */

START_TEST(quantity_should_read_none_words_only_when_no_number_follows)
{
    expect("none", 0, 0, "none");
    expect("no one was hurt", 0, 0, "none");
    expect("none to 5", 0, 5, "range");
    expect_error("no 5");
    expect_error("none of the 5 passengers");
    expect_error("nobody, 3 injured");
}
END_TEST

START_TEST(quantity_should_read_no_more_than_as_zero_to_n)
{
    expect("no more than 50 civilians", 0, 50, "up to");
    expect("not more than 50", 0, 50, "up to");
    expect("no greater than 5", 0, 5, "up to");
    expect("not greater than 5", 0, 5, "up to");
    expect("no higher than 5", 0, 5, "up to");
    expect("not higher than 5", 0, 5, "up to");
}
END_TEST

START_TEST(quantity_should_read_not_fewer_than_as_open_range)
{
    expect("not fewer than 7", 7, TOLL_OPEN, "at least");
    expect("not less than 7", 7, TOLL_OPEN, "at least");
}
END_TEST

START_TEST(quantity_should_read_fewer_than_as_zero_to_n_minus_one)
{
    expect("fewer than 50", 0, 49, "fewer than");
    expect("less than 50 people", 0, 49, "fewer than");
    expect("less than 1", 0, 0, "fewer than");
    toll_error err = expect_error("fewer than 0");
    ck_assert_ptr_nonnull(strstr(err.message, "leaves no whole number"));
}
END_TEST

START_TEST(quantity_should_read_tilde_as_about)
{
    expect("~50", 45, 55, "about");
    expect("~ 50 killed", 45, 55, "about");
    ck_assert_double_eq(parse("~50").best, 50.0);
}
END_TEST

START_TEST(quantity_should_read_na_forms_as_unknown)
{
    expect_unknown("NA", 2);
    expect_unknown("N/A", 3);
    expect_unknown("n/a", 3);
    expect_unknown("-", 1);
    expect_unknown(" - ", 3);
    expect_unknown("\xE2\x80\x93", 3); /* EN DASH alone */
}
END_TEST

START_TEST(quantity_should_read_trillion_lakh_and_crore)
{
    expect_exact("2 trillion", INT64_C(2000000000000));
    expect_exact("two trillion", INT64_C(2000000000000));
    expect_exact("3 lakh", 300000);
    expect_exact("2 crore", 20000000);
    expect_exact("one crore twenty lakh", 12000000);
    expect("several lakh", 300000, 900000, "lexicon: several");
}
END_TEST

START_TEST(quantity_should_read_scale_abbreviations_after_digits)
{
    expect_exact("5k", 5000);
    expect_exact("5 k killed", 5000);
    expect_exact("2m", 2000000);
    expect_exact("2.5m", 2500000);
    expect_exact("2 mln", 2000000);
    expect_exact("2 bn", 2000000000);
    expect_exact("2bn", 2000000000);
    expect("2-3k", 2000, 3000, "range");
    expect_error("5x");
    expect_error("five k"); /* abbreviations only after digits */
}
END_TEST

START_TEST(quantity_should_read_a_range_of_lexicon_words)
{
    expect("dozens to hundreds", 24, 999, "lexicon: dozens to hundreds");
    expect("dozens-hundreds", 24, 999, "lexicon: dozens to hundreds");
    expect("tens to thousands", 20, 9999, "lexicon: tens to thousands");
    ck_assert_int_eq(parse("dozens to hundreds").has_best, 0);
    toll_error err = expect_error("thousands to dozens");
    ck_assert_ptr_nonnull(strstr(err.message, "greater than high"));
}
END_TEST

START_TEST(quantity_should_reject_number_like_words_after_quantity)
{
    static const char *const bad[] = {
        "2 zillion", "2 gazillions", "12, 000", "one point five million",
        "5 million million", "2 millions", "2 mn", "5 dozens",
        "at least 5 6", "3 thousand thousand", "40 several"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        toll_error err = expect_error(bad[i]);
        ck_assert_msg(strstr(err.message, "after the quantity looks like "
                                          "part of a number") != NULL,
                      "\"%s\": %s", bad[i], err.message);
    }
    toll_error err = expect_error("2 zillion");
    ck_assert_str_eq(err.message,
                     "cannot read \"2 zillion\" as a quantity: \"zillion\" "
                     "after the quantity looks like part of a number");
}
END_TEST

START_TEST(quantity_should_cap_counts_at_two_to_the_53)
{
    expect_exact("9007199254740992", TOLL_COUNT_MAX);
    expect("at least 9007199254740992", TOLL_COUNT_MAX, TOLL_OPEN,
           "at least");
    static const char *const bad[] = {
        "9007199254740993", "at least 5000000000000000000",
        "more than 9007199254740992", "10000 trillion", "5-9007199254740993",
        "about 9007199254740992", "9,007,199,254,740,993",
        "9223372036854775807"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        toll_error err = expect_error(bad[i]);
        ck_assert_msg(strstr(err.message, "largest count accepted, "
                                          "9007199254740992 (2^53)") != NULL,
                      "\"%s\": %s", bad[i], err.message);
        ck_assert_ptr_nonnull(strstr(err.message, bad[i]));
    }
}
END_TEST

START_TEST(make_should_reject_counts_above_the_cap)
{
    toll_quantity q;
    toll_error err;
    ck_assert_int_eq(toll_quantity_make(0, TOLL_COUNT_MAX, 0, 0, &q, &err),
                     TOLL_OK);
    ck_assert_int_eq(
        toll_quantity_make(0, TOLL_COUNT_MAX + 1, 0, 0, &q, &err),
        TOLL_EREPORT);
    ck_assert_ptr_nonnull(strstr(err.message, "9007199254740993"));
    ck_assert_ptr_nonnull(strstr(err.message, "(2^53)"));
    ck_assert_int_eq(toll_quantity_make(TOLL_COUNT_MAX + 1, TOLL_OPEN, 0, 0,
                                        &q, &err),
                     TOLL_EREPORT);
    ck_assert_int_eq(toll_quantity_make(5, TOLL_OPEN, 1, 1e300, &q, &err),
                     TOLL_EREPORT);
    ck_assert_ptr_nonnull(strstr(err.message, "(2^53)"));
}
END_TEST

/* ---- parse(format(q)) == q ------------------------------------------------------- */

/* A seeded xorshift: the same cases on every run. */
static uint64_t rng_next(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

/* A count of 1 to 16 digits, at most TOLL_COUNT_MAX. */
static int64_t rng_count(uint64_t *x)
{
    int digits = 1 + (int)(rng_next(x) % 16);
    uint64_t m = 1;
    for (int k = 0; k < digits; k++)
        m *= 10;
    return (int64_t)(rng_next(x) % m % (uint64_t)(TOLL_COUNT_MAX + 1));
}

START_TEST(format_then_parse_should_give_back_the_quantity)
{
    uint64_t x = UINT64_C(0x9E3779B97F4A7C15);
    char buf[96];
    for (int i = 0; i < 20000; i++) {
        toll_quantity q;
        int64_t a = rng_count(&x), b = rng_count(&x);
        int kind = (int)(rng_next(&x) % 4);
        if (kind == 0)
            b = a; /* exact */
        else if (kind == 1)
            b = TOLL_OPEN;
        else if (a > b) {
            int64_t t = a;
            a = b;
            b = t;
        }
        ck_assert_int_eq(toll_quantity_make(a, b, 0, 0, &q, NULL), TOLL_OK);
        if (kind == 3 && i % 8 == 0)
            q.known = 0;
        int thousands = (int)(rng_next(&x) % 2);
        size_t n = toll_quantity_format(&q, thousands, buf, sizeof buf);
        ck_assert_uint_lt(n, sizeof buf);
        toll_quantity p;
        toll_error err;
        toll_error_clear(&err);
        ck_assert_msg(toll_quantity_parse(buf, n, NULL, &p, &err) == TOLL_OK,
                      "\"%s\": %s", buf, err.message);
        ck_assert_msg(p.known == q.known &&
                          (!q.known || (p.low == q.low && p.high == q.high)),
                      "[%lld, %lld] known %d formats as \"%s\", reads back "
                      "[%lld, %lld] known %d",
                      (long long)q.low, (long long)q.high, q.known, buf,
                      (long long)p.low, (long long)p.high, p.known);
    }
}
END_TEST

static Suite *quantity_suite(void)
{
    Suite *s = suite_create("quantity");
    TCase *t = tcase_create("parse");
    tcase_add_test(t, quantity_should_read_digits_as_exact);
    tcase_add_test(t, quantity_should_read_comma_thousands_separators);
    tcase_add_test(t, quantity_should_reject_malformed_comma_groups);
    tcase_add_test(t, quantity_should_read_unit_and_teen_words);
    tcase_add_test(t, quantity_should_read_tens_words_hyphenated_or_spaced);
    tcase_add_test(t, quantity_should_read_hundred_thousand_million_words);
    tcase_add_test(t, quantity_should_read_dozen_forms);
    tcase_add_test(t, quantity_should_read_multiplier_words_after_digits);
    tcase_add_test(t, quantity_should_read_four_children_as_exact);
    tcase_add_test(t, quantity_should_read_hyphen_range);
    tcase_add_test(t, quantity_should_read_to_range);
    tcase_add_test(t, quantity_should_read_between_and_range);
    tcase_add_test(t, quantity_should_read_or_range);
    tcase_add_test(t, quantity_should_accept_unicode_dashes_in_ranges);
    tcase_add_test(t,
                   quantity_should_apply_trailing_multiplier_to_both_range_ends);
    tcase_add_test(t, quantity_should_reject_range_with_low_above_high);
    tcase_add_test(t, quantity_should_take_range_midpoint_as_derived_best);
    tcase_add_test(t, quantity_should_read_at_least_as_open_range);
    tcase_add_test(t, quantity_should_read_no_fewer_than_as_open_range);
    tcase_add_test(t, quantity_should_read_or_more_as_open_range);
    tcase_add_test(t, quantity_should_read_plus_as_open_range);
    tcase_add_test(t, quantity_should_take_open_low_bound_as_derived_best);
    tcase_add_test(t, quantity_should_read_more_than_as_open_above_n);
    tcase_add_test(t, quantity_should_read_over_as_open_above_n);
    tcase_add_test(t, quantity_should_read_upwards_of_as_open_above_n);
    tcase_add_test(t, quantity_should_reject_more_than_int64_max);
    tcase_add_test(t, quantity_should_read_up_to_as_zero_to_n);
    tcase_add_test(t, quantity_should_read_as_many_as_as_zero_to_n);
    tcase_add_test(t, quantity_should_read_at_most_as_zero_to_n);
    tcase_add_test(t, quantity_should_reject_range_after_bound_words);
    tcase_add_test(t, quantity_should_read_about_with_ten_percent);
    tcase_add_test(t, quantity_should_read_each_about_synonym);
    tcase_add_test(t, quantity_should_round_about_bounds);
    tcase_add_test(t, quantity_should_use_about_tolerance_option);
    tcase_add_test(t, quantity_should_reject_invalid_about_tolerance);
    tcase_add_test(t, quantity_should_read_nearly_as_just_below_n);
    tcase_add_test(t, quantity_should_read_almost_as_nearly);
    tcase_add_test(t, quantity_should_clamp_nearly_low_for_small_n);
    tcase_add_test(t, quantity_should_reject_nearly_below_two);
    tcase_add_test(t, quantity_should_read_none_words_as_zero);
    tcase_add_test(t, quantity_should_read_no_casualties_as_zero);
    tcase_add_test(t, quantity_should_not_let_no_swallow_no_fewer_than);
    tcase_add_test(t, quantity_should_read_unknown_words_as_unknown);
    tcase_add_test(t, quantity_should_read_empty_text_as_unknown);
    tcase_add_test(t, quantity_should_keep_zero_distinct_from_unknown);
    tcase_add_test(t, quantity_should_read_default_lexicon_words);
    tcase_add_test(t, quantity_should_read_dozens_of_casualties_from_lexicon);
    tcase_add_test(t, quantity_should_apply_best_rules_to_lexicon_entries);
    tcase_add_test(t, quantity_should_scale_lexicon_word_before_multiplier);
    tcase_add_test(t, quantity_should_scale_lexicon_word_before_dozen);
    tcase_add_test(t, quantity_should_reject_number_right_after_quantity);
    tcase_add_test(t,
                   quantity_should_not_match_lexicon_word_inside_longer_word);
    tcase_add_test(t, quantity_should_ignore_case);
    tcase_add_test(t, quantity_should_ignore_leading_and_trailing_whitespace);
    tcase_add_test(t, quantity_should_ignore_trailing_words);
    tcase_add_test(t,
                   quantity_should_report_unreadable_text_with_exact_message);
    tcase_add_test(t, quantity_should_reject_fractional_numbers);
    tcase_add_test(t, quantity_should_reject_fraction_that_stays_fractional);
    tcase_add_test(t, quantity_should_reject_negative_numbers);
    tcase_add_test(t, quantity_should_reject_int64_overflow);
    tcase_add_test(t, quantity_should_reject_garbage);
    tcase_add_test(t, quantity_should_survive_invalid_utf8);
    tcase_add_test(t, quantity_should_truncate_long_text_in_error);
    tcase_add_test(t, quantity_should_clear_output_on_error);
    tcase_add_test(t, quantity_should_accept_null_error_pointer);
    tcase_add_test(t, quantity_should_never_read_past_len);
#ifdef HAVE_PTHREAD_IN_LIBC
    tcase_add_test(t, quantity_should_parse_concurrently_with_default_lexicon);
#endif
    tcase_add_test(t, quantity_should_give_exact_value_as_best);
    tcase_add_test(t, quantity_should_read_none_words_only_when_no_number_follows);
    tcase_add_test(t, quantity_should_read_no_more_than_as_zero_to_n);
    tcase_add_test(t, quantity_should_read_not_fewer_than_as_open_range);
    tcase_add_test(t, quantity_should_read_fewer_than_as_zero_to_n_minus_one);
    tcase_add_test(t, quantity_should_read_tilde_as_about);
    tcase_add_test(t, quantity_should_read_na_forms_as_unknown);
    tcase_add_test(t, quantity_should_read_trillion_lakh_and_crore);
    tcase_add_test(t, quantity_should_read_scale_abbreviations_after_digits);
    tcase_add_test(t, quantity_should_read_a_range_of_lexicon_words);
    tcase_add_test(t, quantity_should_reject_number_like_words_after_quantity);
    tcase_add_test(t, quantity_should_cap_counts_at_two_to_the_53);
    suite_add_tcase(s, t);

    TCase *m = tcase_create("make");
    tcase_add_test(m, make_should_build_closed_range_with_best);
    tcase_add_test(m, make_should_derive_midpoint_without_best);
    tcase_add_test(m, make_should_derive_low_bound_for_open_range);
    tcase_add_test(m, make_should_reject_low_above_high);
    tcase_add_test(m, make_should_reject_best_outside_range);
    tcase_add_test(m, make_should_reject_non_finite_best);
    tcase_add_test(m, make_should_reject_negative_counts);
    tcase_add_test(m, make_should_reject_counts_above_the_cap);
    suite_add_tcase(s, m);

    TCase *f = tcase_create("format");
    tcase_add_test(f, format_should_write_exact_range_open_and_unknown);
    tcase_add_test(f, format_should_add_thousands_separators_when_asked);
    tcase_add_test(f, format_should_truncate_and_return_needed_length);
    tcase_add_test(f, format_then_parse_should_give_back_the_quantity);
    suite_add_tcase(s, f);
    return s;
}

int main(void) { return toll_test_run(quantity_suite()); }
