/* tests/test_lexicon.c - the vague-word lexicon: default entries, presets,
 * toll_lexicon_set, the JSON loader, and the parser using a lexicon. */
#define _POSIX_C_SOURCE 200809L /* mkstemp, write, unlink */
#include "testutil.h"

#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- helpers ----------------------------------------------------------- */

static toll_lexicon *new_default(void)
{
    toll_lexicon *lex = NULL;
    toll_error err;
    ck_assert_int_eq(toll_lexicon_new(NULL, &lex, &err), TOLL_OK);
    ck_assert_ptr_nonnull(lex);
    return lex;
}

/* Index of `word` in lex, or -1. */
static long find(const toll_lexicon *lex, const char *word)
{
    for (size_t i = 0; i < toll_lexicon_count(lex); i++) {
        const char *w;
        toll_lexicon_entry(lex, i, &w, NULL, NULL, NULL);
        if (strcmp(w, word) == 0)
            return (long)i;
    }
    return -1;
}

static void expect_entry(const toll_lexicon *lex, const char *word,
                         int64_t low, int64_t high, double best)
{
    long i = find(lex, word);
    ck_assert_msg(i >= 0, "word \"%s\" missing", word);
    const char *w;
    int64_t l, h;
    double b;
    ck_assert_int_eq(toll_lexicon_entry(lex, (size_t)i, &w, &l, &h, &b),
                     TOLL_OK);
    ck_assert_msg(l == low && h == high,
                  "\"%s\": [%lld, %lld], want [%lld, %lld]", word,
                  (long long)l, (long long)h, (long long)low,
                  (long long)high);
    if (best < 0)
        ck_assert_msg(b < 0, "\"%s\": best %g, want none", word, b);
    else
        ck_assert_double_eq(b, best);
}

static void expect_default_entries(const toll_lexicon *lex)
{
    ck_assert_uint_eq(toll_lexicon_count(lex), 10);
    expect_entry(lex, "a couple", 2, 2, -1);
    expect_entry(lex, "a few", 2, 5, 3);
    expect_entry(lex, "a handful", 2, 5, 3);
    expect_entry(lex, "several", 3, 9, 5);
    expect_entry(lex, "dozens", 24, 99, 36);
    expect_entry(lex, "scores", 40, 99, 60);
    expect_entry(lex, "tens", 20, 99, 30);
    expect_entry(lex, "hundreds", 200, 999, 300);
    expect_entry(lex, "thousands", 2000, 9999, 3000);
    expect_entry(lex, "many", 10, TOLL_OPEN, -1);
}

static toll_quantity parse_lex(const char *text, const toll_lexicon *lex)
{
    toll_parse_options o;
    toll_parse_options_init(&o);
    o.lexicon = lex;
    toll_quantity q;
    toll_error err;
    toll_status st = toll_quantity_parse(text, strlen(text), &o, &q, &err);
    ck_assert_msg(st == TOLL_OK, "parse \"%s\": %s", text, err.message);
    return q;
}

static toll_status load(toll_lexicon *lex, const char *json, toll_error *err)
{
    return toll_lexicon_load_json(lex, json, strlen(json), "lex.json", err);
}

/* Load must fail with EPARSE, leave the default lexicon unchanged, and the
 * message must contain each of the given fragments. */
static void expect_load_error(const char *json, const char *frag1,
                              const char *frag2)
{
    toll_lexicon *lex = new_default();
    toll_error err;
    toll_error_clear(&err);
    ck_assert_int_eq(load(lex, json, &err), TOLL_EPARSE);
    ck_assert_str_eq(err.file, "lex.json");
    ck_assert_msg(strncmp(err.message, "lex.json", 8) == 0, "message: %s",
                  err.message);
    if (frag1)
        ck_assert_msg(strstr(err.message, frag1), "'%s' not in: %s", frag1,
                      err.message);
    if (frag2)
        ck_assert_msg(strstr(err.message, frag2), "'%s' not in: %s", frag2,
                      err.message);
    expect_default_entries(lex);
    toll_lexicon_free(lex);
}

/* ---- default and presets ------------------------------------------------- */

START_TEST(lexicon_should_hold_default_entries_in_order)
{
    toll_lexicon *lex = new_default();
    expect_default_entries(lex);
    static const char *const order[] = {
        "a couple", "a few", "scores"};
    ck_assert_int_eq(find(lex, order[0]), 0);
    ck_assert_int_eq(find(lex, order[1]), 1);
    ck_assert_int_eq(find(lex, order[2]), 5);
    toll_lexicon_free(lex);
}
END_TEST

START_TEST(lexicon_should_give_default_preset_like_new)
{
    toll_lexicon *lex = NULL;
    ck_assert_int_eq(toll_lexicon_new_preset("default", NULL, &lex, NULL),
                     TOLL_OK);
    expect_default_entries(lex);
    toll_lexicon_free(lex);
}
END_TEST

START_TEST(lexicon_should_give_acled_point_values)
{
    toll_lexicon *lex = NULL;
    ck_assert_int_eq(toll_lexicon_new_preset("acled", NULL, &lex, NULL),
                     TOLL_OK);
    ck_assert_uint_eq(toll_lexicon_count(lex), 6);
    expect_entry(lex, "several", 10, 10, 10);
    expect_entry(lex, "many", 10, 10, 10);
    expect_entry(lex, "tens", 10, 10, 10);
    expect_entry(lex, "dozens", 12, 12, 12);
    expect_entry(lex, "hundreds", 100, 100, 100);
    expect_entry(lex, "thousands", 1000, 1000, 1000);
    toll_lexicon_free(lex);
}
END_TEST

START_TEST(lexicon_should_parse_with_acled_preset)
{
    toll_lexicon *lex = NULL;
    ck_assert_int_eq(toll_lexicon_new_preset("acled", NULL, &lex, NULL),
                     TOLL_OK);
    toll_quantity q = parse_lex("dozens of civilians", lex);
    ck_assert_int_eq(q.low, 12);
    ck_assert_int_eq(q.high, 12);
    ck_assert_double_eq(q.best, 12.0);
    ck_assert_int_eq(q.has_best, 1);
    ck_assert_str_eq(q.rule, "lexicon: dozens");
    q = parse_lex("Many", lex);
    ck_assert_int_eq(q.low, 10);
    ck_assert_int_eq(q.high, 10);
    toll_lexicon_free(lex);
}
END_TEST

START_TEST(lexicon_should_give_empty_preset)
{
    toll_lexicon *lex = NULL;
    ck_assert_int_eq(toll_lexicon_new_preset("empty", NULL, &lex, NULL),
                     TOLL_OK);
    ck_assert_uint_eq(toll_lexicon_count(lex), 0);
    /* with no words, "dozens" cannot be read; numbers still can */
    toll_parse_options o;
    toll_parse_options_init(&o);
    o.lexicon = lex;
    toll_quantity q;
    ck_assert_int_eq(toll_quantity_parse("dozens", 6, &o, &q, NULL),
                     TOLL_EPARSE);
    ck_assert_int_eq(toll_quantity_parse("a dozen", 7, &o, &q, NULL),
                     TOLL_OK);
    ck_assert_int_eq(q.low, 12);
    toll_lexicon_free(lex);
}
END_TEST

START_TEST(lexicon_should_match_preset_names_case_insensitively)
{
    toll_lexicon *lex = NULL;
    ck_assert_int_eq(toll_lexicon_new_preset("ACLED", NULL, &lex, NULL),
                     TOLL_OK);
    ck_assert_uint_eq(toll_lexicon_count(lex), 6);
    toll_lexicon_free(lex);
}
END_TEST

START_TEST(lexicon_should_reject_unknown_preset_by_name)
{
    toll_lexicon *lex = (toll_lexicon *)1;
    toll_error err;
    ck_assert_int_eq(toll_lexicon_new_preset("ucdp", NULL, &lex, &err),
                     TOLL_ENOTFOUND);
    ck_assert_ptr_null(lex);
    ck_assert_ptr_nonnull(strstr(err.message, "\"ucdp\""));
    ck_assert_int_eq(toll_lexicon_new_preset(NULL, NULL, &lex, &err),
                     TOLL_EINVAL);
}
END_TEST

START_TEST(lexicon_should_accept_null_in_free_and_count)
{
    toll_lexicon_free(NULL);
    ck_assert_uint_eq(toll_lexicon_count(NULL), 0);
    ck_assert_int_eq(toll_lexicon_new(NULL, NULL, NULL), TOLL_EINVAL);
}
END_TEST

START_TEST(lexicon_should_reject_entry_index_out_of_range)
{
    toll_lexicon *lex = new_default();
    const char *w = NULL;
    ck_assert_int_eq(toll_lexicon_entry(lex, 10, &w, NULL, NULL, NULL),
                     TOLL_ENOTFOUND);
    ck_assert_int_eq(toll_lexicon_entry(NULL, 0, &w, NULL, NULL, NULL),
                     TOLL_ENOTFOUND);
    toll_lexicon_free(lex);
}
END_TEST

/* ---- toll_lexicon_set ------------------------------------------------------ */

START_TEST(lexicon_should_add_new_word_at_end)
{
    toll_lexicon *lex = new_default();
    ck_assert_int_eq(toll_lexicon_set(lex, "a slew", 5, 15, 8, NULL), TOLL_OK);
    ck_assert_uint_eq(toll_lexicon_count(lex), 11);
    ck_assert_int_eq(find(lex, "a slew"), 10);
    expect_entry(lex, "a slew", 5, 15, 8);
    toll_lexicon_free(lex);
}
END_TEST

START_TEST(lexicon_should_replace_existing_word_case_insensitively)
{
    toll_lexicon *lex = new_default();
    ck_assert_int_eq(toll_lexicon_set(lex, "DOZENS", 13, 60, 20, NULL),
                     TOLL_OK);
    ck_assert_uint_eq(toll_lexicon_count(lex), 10);
    expect_entry(lex, "dozens", 13, 60, 20);
    toll_lexicon_free(lex);
}
END_TEST

START_TEST(lexicon_should_store_negative_best_as_none)
{
    toll_lexicon *lex = new_default();
    ck_assert_int_eq(toll_lexicon_set(lex, "loads", 10, TOLL_OPEN, -1, NULL),
                     TOLL_OK);
    expect_entry(lex, "loads", 10, TOLL_OPEN, -1);
    toll_quantity q = parse_lex("loads", lex);
    ck_assert_int_eq(q.has_best, 0);
    ck_assert_double_eq(q.best, 10.0);
    toll_lexicon_free(lex);
}
END_TEST

START_TEST(lexicon_should_trim_word_in_set)
{
    toll_lexicon *lex = new_default();
    ck_assert_int_eq(toll_lexicon_set(lex, "  a slew ", 5, 15, 8, NULL),
                     TOLL_OK);
    expect_entry(lex, "a slew", 5, 15, 8);
    toll_lexicon_free(lex);
}
END_TEST

START_TEST(lexicon_should_validate_set_and_stay_unchanged)
{
    toll_lexicon *lex = new_default();
    toll_error err;
    ck_assert_int_eq(toll_lexicon_set(lex, "dozens", -3, 5, -1, &err),
                     TOLL_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.message, "dozens"));
    ck_assert_ptr_nonnull(strstr(err.message, "-3"));
    ck_assert_int_eq(toll_lexicon_set(lex, "dozens", 9, 5, -1, &err),
                     TOLL_EINVAL);
    ck_assert_str_eq(err.message,
                     "word \"dozens\": low 9 is greater than high 5");
    ck_assert_int_eq(toll_lexicon_set(lex, "dozens", 3, 9, 12.5, &err),
                     TOLL_EINVAL);
    ck_assert_str_eq(err.message,
                     "word \"dozens\": best 12.5 is outside [3, 9]");
    ck_assert_int_eq(toll_lexicon_set(lex, "dozens", 3, TOLL_OPEN, 2, &err),
                     TOLL_EINVAL);
    ck_assert_int_eq(toll_lexicon_set(lex, "dozens", 3, 9, NAN, &err),
                     TOLL_EINVAL);
    ck_assert_int_eq(toll_lexicon_set(lex, "dozens", 3, -7, -1, &err),
                     TOLL_EINVAL);
    ck_assert_int_eq(toll_lexicon_set(lex, "   ", 3, 9, -1, &err),
                     TOLL_EINVAL);
    ck_assert_int_eq(toll_lexicon_set(lex, NULL, 3, 9, -1, &err),
                     TOLL_EINVAL);
    expect_default_entries(lex);
    toll_lexicon_free(lex);
}
END_TEST

/* ---- JSON ---------------------------------------------------------------------- */

START_TEST(lexicon_should_extend_from_wrapped_json)
{
    toll_lexicon *lex = new_default();
    toll_error err;
    ck_assert_int_eq(
        load(lex,
             "{\"replace\": false, \"words\": {"
             "\"dozens\": {\"low\": 13, \"high\": 50, \"best\": 20},"
             "\"a slew\": {\"low\": 5, \"high\": 15}}}",
             &err),
        TOLL_OK);
    ck_assert_uint_eq(toll_lexicon_count(lex), 11);
    expect_entry(lex, "dozens", 13, 50, 20);
    expect_entry(lex, "a slew", 5, 15, -1);
    expect_entry(lex, "several", 3, 9, 5);
    toll_lexicon_free(lex);
}
END_TEST

START_TEST(lexicon_should_extend_from_flat_json)
{
    toll_lexicon *lex = new_default();
    toll_error err;
    ck_assert_int_eq(load(lex,
                          "{\"a slew\": {\"low\": 5, \"high\": 15, "
                          "\"best\": 8}}",
                          &err),
                     TOLL_OK);
    ck_assert_uint_eq(toll_lexicon_count(lex), 11);
    expect_entry(lex, "a slew", 5, 15, 8);
    toll_lexicon_free(lex);
}
END_TEST

START_TEST(lexicon_should_replace_from_json_when_asked)
{
    toll_lexicon *lex = new_default();
    toll_error err;
    ck_assert_int_eq(load(lex,
                          "{\"replace\": true, \"words\": {"
                          "\"dozens\": {\"low\": 12, \"high\": 12}}}",
                          &err),
                     TOLL_OK);
    ck_assert_uint_eq(toll_lexicon_count(lex), 1);
    expect_entry(lex, "dozens", 12, 12, -1);
    ck_assert_int_eq(find(lex, "several"), -1);
    toll_lexicon_free(lex);
}
END_TEST

START_TEST(lexicon_should_read_null_high_as_open)
{
    toll_lexicon *lex = new_default();
    ck_assert_int_eq(load(lex,
                          "{\"loads\": {\"low\": 10, \"high\": null, "
                          "\"best\": 30}}",
                          NULL),
                     TOLL_OK);
    expect_entry(lex, "loads", 10, TOLL_OPEN, 30);
    toll_quantity q = parse_lex("loads of people", lex);
    ck_assert_int_eq(q.low, 10);
    ck_assert_int_eq(q.high, TOLL_OPEN);
    ck_assert_double_eq(q.best, 30.0);
    ck_assert_int_eq(q.has_best, 1);
    toll_lexicon_free(lex);
}
END_TEST

START_TEST(lexicon_should_read_number_as_point_entry)
{
    toll_lexicon *lex = new_default();
    ck_assert_int_eq(load(lex, "{\"dozens\": 12}", NULL), TOLL_OK);
    expect_entry(lex, "dozens", 12, 12, 12);
    toll_lexicon_free(lex);
}
END_TEST

START_TEST(lexicon_should_accept_empty_words_object)
{
    toll_lexicon *lex = new_default();
    ck_assert_int_eq(load(lex, "{}", NULL), TOLL_OK);
    expect_default_entries(lex);
    ck_assert_int_eq(load(lex, "{\"replace\": true}", NULL), TOLL_OK);
    ck_assert_uint_eq(toll_lexicon_count(lex), 0);
    toll_lexicon_free(lex);
}
END_TEST

START_TEST(lexicon_should_leave_lexicon_unchanged_on_invalid_json)
{
    expect_load_error("{\"dozens\": {\"low\": 1,", "invalid JSON", NULL);
    expect_load_error("not json", "invalid JSON", NULL);
    expect_load_error("", "empty", NULL);
    expect_load_error("[1, 2]", "object", NULL);
    expect_load_error("{} x", "unexpected text", NULL);
}
END_TEST

START_TEST(lexicon_should_name_input_word_and_value_on_bad_entry)
{
    toll_lexicon *lex = new_default();
    toll_error err;
    ck_assert_int_eq(load(lex,
                          "{\"replace\": true, \"words\": {\"ok\": 3, "
                          "\"dozens\": {\"low\": -3, \"high\": 5}}}",
                          &err),
                     TOLL_EPARSE);
    ck_assert_str_eq(err.message,
                     "lex.json:1: word \"dozens\": low -3 is negative");
    ck_assert_str_eq(err.text, "dozens");
    expect_default_entries(lex); /* replace did not happen either */
    toll_lexicon_free(lex);
}
END_TEST

START_TEST(lexicon_should_reject_invalid_entries_unchanged)
{
    expect_load_error("{\"dozens\": {\"low\": 9, \"high\": 5}}", "\"dozens\"",
                      "low 9 is greater than high 5");
    expect_load_error("{\"dozens\": {\"low\": 3, \"high\": 9, \"best\": 12}}",
                      "\"dozens\"", "best 12 is outside [3, 9]");
    expect_load_error("{\"dozens\": {\"low\": 3, \"high\": null, "
                      "\"best\": 1}}",
                      "\"dozens\"", "best 1");
    expect_load_error("{\"dozens\": {\"low\": 2.5, \"high\": 9}}", "\"dozens\"",
                      "2.5");
    expect_load_error("{\"dozens\": {\"low\": \"3\", \"high\": 9}}",
                      "\"dozens\"", "low is not a number");
    expect_load_error("{\"dozens\": {\"low\": 3}}", "\"dozens\"", "high");
    expect_load_error("{\"dozens\": {\"high\": 3}}", "\"dozens\"", "low");
    expect_load_error("{\"dozens\": {\"low\": 3, \"hihg\": 9}}", "\"dozens\"",
                      "hihg");
    expect_load_error("{\"dozens\": {\"low\": 3, \"high\": 9, "
                      "\"best\": \"x\"}}",
                      "\"dozens\"", "best");
    expect_load_error("{\"dozens\": [3, 9]}", "\"dozens\"", NULL);
    expect_load_error("{\"dozens\": -4}", "\"dozens\"", "-4");
    expect_load_error("{\"dozens\": 1e300}", "\"dozens\"", "too large");
    expect_load_error("{\"\": 3}", "empty", NULL);
    expect_load_error("{\"words\": [1]}", "words", NULL);
    expect_load_error("{\"replace\": 1, \"words\": {}}", "replace", NULL);
    expect_load_error("{\"replace\": true, \"words\": {}, \"x\": 1}", "\"x\"",
                      NULL);
    /* a later bad entry after good ones: nothing is applied */
    expect_load_error("{\"a slew\": 5, \"dozens\": {\"low\": -1, "
                      "\"high\": 3}}",
                      "\"dozens\"", NULL);
}
END_TEST

START_TEST(lexicon_should_never_read_json_past_len)
{
    toll_lexicon *lex = new_default();
    const char *json = "{\"dozens\": 12}GARBAGE";
    ck_assert_int_eq(toll_lexicon_load_json(lex, json, 14, "x", NULL),
                     TOLL_OK);
    expect_entry(lex, "dozens", 12, 12, 12);
    /* an exact-size heap copy with no NUL */
    const char *j2 = "{\"a slew\": {\"low\": 5, \"high\": 15}}";
    size_t n = strlen(j2);
    char *b = malloc(n);
    ck_assert_ptr_nonnull(b);
    memcpy(b, j2, n);
    ck_assert_int_eq(toll_lexicon_load_json(lex, b, n, "x", NULL), TOLL_OK);
    free(b);
    expect_entry(lex, "a slew", 5, 15, -1);
    toll_lexicon_free(lex);
}
END_TEST

START_TEST(lexicon_should_load_file)
{
    char path[] = "/tmp/toll_lexicon_XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    const char *json = "{\"words\": {\"a slew\": {\"low\": 5, \"high\": 15}}}";
    ck_assert_int_eq(write(fd, json, strlen(json)), (ssize_t)strlen(json));
    close(fd);
    toll_lexicon *lex = new_default();
    toll_error err;
    ck_assert_int_eq(toll_lexicon_load_file(lex, path, &err), TOLL_OK);
    expect_entry(lex, "a slew", 5, 15, -1);
    /* errors name the file */
    fd = open(path, O_WRONLY | O_TRUNC);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, "{\"x\": -1}", 9), 9);
    close(fd);
    ck_assert_int_eq(toll_lexicon_load_file(lex, path, &err), TOLL_EPARSE);
    ck_assert_str_eq(err.file, path);
    ck_assert_ptr_nonnull(strstr(err.message, path));
    unlink(path);
    toll_lexicon_free(lex);
}
END_TEST

START_TEST(lexicon_should_report_missing_file_by_path)
{
    toll_lexicon *lex = new_default();
    toll_error err;
    ck_assert_int_eq(
        toll_lexicon_load_file(lex, "/nonexistent/toll/lex.json", &err),
        TOLL_ENOTFOUND);
    ck_assert_ptr_nonnull(strstr(err.message, "/nonexistent/toll/lex.json"));
    expect_default_entries(lex);
    toll_lexicon_free(lex);
}
END_TEST

/* ---- the parser with a custom lexicon ---------------------------------------- */

START_TEST(lexicon_should_be_used_by_parser)
{
    toll_lexicon *lex = new_default();
    ck_assert_int_eq(toll_lexicon_set(lex, "a slew", 5, 15, 8, NULL), TOLL_OK);
    toll_quantity q = parse_lex("A Slew of casualties", lex);
    ck_assert_int_eq(q.low, 5);
    ck_assert_int_eq(q.high, 15);
    ck_assert_double_eq(q.best, 8.0);
    ck_assert_int_eq(q.has_best, 1);
    ck_assert_str_eq(q.rule, "lexicon: a slew");
    /* the default (NULL) lexicon does not know it */
    toll_quantity q2;
    ck_assert_int_eq(toll_quantity_parse("a slew", 6, NULL, &q2, NULL),
                     TOLL_EPARSE);
    toll_lexicon_free(lex);
}
END_TEST

START_TEST(lexicon_should_match_longest_entry_first)
{
    toll_lexicon *lex = new_default();
    ck_assert_int_eq(
        toll_lexicon_set(lex, "dozens and dozens", 50, 150, 80, NULL),
        TOLL_OK);
    toll_quantity q = parse_lex("dozens and dozens of people", lex);
    ck_assert_str_eq(q.rule, "lexicon: dozens and dozens");
    ck_assert_int_eq(q.low, 50);
    q = parse_lex("dozens and more", lex);
    ck_assert_str_eq(q.rule, "lexicon: dozens");
    toll_lexicon_free(lex);
}
END_TEST

START_TEST(lexicon_should_match_whole_words_only)
{
    toll_lexicon *lex = new_default();
    ck_assert_int_eq(toll_lexicon_set(lex, "lot", 5, 50, -1, NULL), TOLL_OK);
    toll_parse_options o;
    toll_parse_options_init(&o);
    o.lexicon = lex;
    toll_quantity q;
    ck_assert_int_eq(toll_quantity_parse("lots", 4, &o, &q, NULL),
                     TOLL_EPARSE);
    ck_assert_int_eq(toll_quantity_parse("lot.", 4, &o, &q, NULL), TOLL_OK);
    toll_lexicon_free(lex);
}
END_TEST

START_TEST(lexicon_should_let_longer_word_beat_keyword)
{
    toll_lexicon *lex = new_default();
    ck_assert_int_eq(
        toll_lexicon_set(lex, "at least a few", 3, TOLL_OPEN, -1, NULL),
        TOLL_OK);
    toll_quantity q = parse_lex("at least a few", lex);
    ck_assert_str_eq(q.rule, "lexicon: at least a few");
    ck_assert_int_eq(q.low, 3);
    ck_assert_int_eq(q.high, TOLL_OPEN);
    toll_lexicon_free(lex);
}
END_TEST

START_TEST(lexicon_should_fall_back_from_keyword_to_same_word)
{
    /* "some" is a keyword ("some 50") and here also a lexicon word */
    toll_lexicon *lex = new_default();
    ck_assert_int_eq(toll_lexicon_set(lex, "some", 2, 9, 4, NULL), TOLL_OK);
    toll_quantity q = parse_lex("some 50", lex);
    ck_assert_str_eq(q.rule, "about");
    q = parse_lex("some civilians", lex);
    ck_assert_str_eq(q.rule, "lexicon: some");
    ck_assert_int_eq(q.low, 2);
    toll_lexicon_free(lex);
}
END_TEST

/* ---- allocation failures -------------------------------------------------------- */

START_TEST(lexicon_new_should_fail_cleanly_at_every_allocation)
{
    int ok = 0;
    for (long n = 1; n < 1000 && !ok; n++) {
        failing_alloc f;
        failing_alloc_init(&f, n);
        toll_lexicon *lex = (toll_lexicon *)1;
        toll_error err;
        toll_status st = toll_lexicon_new(&f.a, &lex, &err);
        if (st == TOLL_OK) {
            expect_default_entries(lex);
            toll_lexicon_free(lex);
            ok = 1;
        } else {
            ck_assert_int_eq(st, TOLL_ENOMEM);
            ck_assert_int_eq(err.code, TOLL_ENOMEM);
            ck_assert_ptr_null(lex);
        }
        ck_assert_int_eq(f.live, 0);
    }
    ck_assert(ok);
}
END_TEST

START_TEST(lexicon_preset_should_fail_cleanly_at_every_allocation)
{
    int ok = 0;
    for (long n = 1; n < 1000 && !ok; n++) {
        failing_alloc f;
        failing_alloc_init(&f, n);
        toll_lexicon *lex = NULL;
        toll_status st = toll_lexicon_new_preset("acled", &f.a, &lex, NULL);
        if (st == TOLL_OK) {
            ck_assert_uint_eq(toll_lexicon_count(lex), 6);
            toll_lexicon_free(lex);
            ok = 1;
        } else {
            ck_assert_int_eq(st, TOLL_ENOMEM);
        }
        ck_assert_int_eq(f.live, 0);
    }
    ck_assert(ok);
}
END_TEST

START_TEST(lexicon_load_json_should_fail_cleanly_at_every_allocation)
{
    static const char *const inputs[] = {
        /* extend */
        "{\"dozens\": {\"low\": 13, \"high\": 50, \"best\": 20},"
        " \"a slew\": {\"low\": 5, \"high\": 15}, \"loads\": 40}",
        /* replace */
        "{\"replace\": true, \"words\": {\"a\": 1, \"b\": 2, \"c\": 3},"
        " \"scales\": {\"mn\": 1000000, \"lac\": 100000}}"};
    for (size_t k = 0; k < 2; k++) {
        int ok = 0;
        for (long n = 1; n < 1000 && !ok; n++) {
            failing_alloc f;
            failing_alloc_init(&f, 0);
            toll_lexicon *lex = NULL;
            ck_assert_int_eq(toll_lexicon_new(&f.a, &lex, NULL), TOLL_OK);
            f.fail_at = f.count + n;
            toll_error err;
            toll_status st = toll_lexicon_load_json(
                lex, inputs[k], strlen(inputs[k]), "lex.json", &err);
            if (st == TOLL_OK) {
                ck_assert_uint_eq(toll_lexicon_count(lex), k == 0 ? 12 : 3);
                ck_assert_uint_eq(toll_lexicon_scale_count(lex), k == 0 ? 0 : 2);
                ok = 1;
            } else {
                ck_assert_int_eq(st, TOLL_ENOMEM);
                ck_assert_int_eq(err.code, TOLL_ENOMEM);
                expect_default_entries(lex);
            }
            f.fail_at = 0;
            toll_lexicon_free(lex);
            ck_assert_int_eq(f.live, 0);
        }
        ck_assert(ok);
    }
}
END_TEST

START_TEST(lexicon_set_should_fail_cleanly_on_allocation_failure)
{
    failing_alloc f;
    failing_alloc_init(&f, 0);
    toll_lexicon *lex = NULL;
    ck_assert_int_eq(toll_lexicon_new(&f.a, &lex, NULL), TOLL_OK);
    f.fail_at = f.count + 1;
    toll_error err;
    ck_assert_int_eq(toll_lexicon_set(lex, "a slew", 5, 15, 8, &err),
                     TOLL_ENOMEM);
    expect_default_entries(lex);
    f.fail_at = 0;
    toll_lexicon_free(lex);
    ck_assert_int_eq(f.live, 0);
}
END_TEST

/* ---- words the loader refuses ------------------------------------------------ */

/* The load fails naming lex.json, the line and the word. */
static void expect_word_error(const char *json, long line, const char *word,
                              const char *frag)
{
    toll_lexicon *lex = new_default();
    toll_error err;
    toll_error_clear(&err);
    ck_assert_int_eq(load(lex, json, &err), TOLL_EPARSE);
    ck_assert_str_eq(err.file, "lex.json");
    ck_assert_int_eq(err.line, line);
    char where[32];
    snprintf(where, sizeof where, "lex.json:%ld: ", line);
    ck_assert_msg(strncmp(err.message, where, strlen(where)) == 0,
                  "message: %s", err.message);
    ck_assert_msg(strstr(err.message, word), "'%s' not in: %s", word,
                  err.message);
    ck_assert_msg(strstr(err.message, frag), "'%s' not in: %s", frag,
                  err.message);
    expect_default_entries(lex);
    toll_lexicon_free(lex);
}

START_TEST(lexicon_load_should_refuse_a_word_holding_nul)
{
    expect_word_error("{\n\"a few\": 3,\n\"lo\\u0000ts\": 9\n}", 3,
                      "lo\\u0000ts", "NUL");
}
END_TEST

START_TEST(lexicon_load_should_refuse_a_word_given_twice)
{
    expect_word_error("{\n\"lots\": 9,\n\"heaps\": 7,\n\"Lots \": 12\n}", 4,
                      "\"Lots\"", "given twice");
    expect_word_error("{\"words\": {\n\"dozens\": 30,\n\"dozens\": 40}}", 3,
                      "\"dozens\"", "given twice");
}
END_TEST

START_TEST(lexicon_load_should_refuse_a_word_the_parser_reads)
{
    expect_word_error("{\n\"5\": 7\n}", 2, "\"5\"", "the parser reads");
    expect_word_error("{\"ok\": 3,\n\"twenty\": 25}", 2, "\"twenty\"",
                      "the parser reads");
    expect_word_error("{\n\n\"none\": 1}", 3, "\"none\"", "the parser reads");
    expect_word_error("{\"unknown\": 1}", 1, "\"unknown\"",
                      "the parser reads");
    expect_word_error("{\"n/a\": 1}", 1, "\"n/a\"", "the parser reads");
    expect_word_error("{\"85-92\": 1}", 1, "\"85-92\"", "the parser reads");
    expect_word_error("{\"about a dozen\": 1}", 1, "\"about a dozen\"",
                      "the parser reads");
}
END_TEST

START_TEST(lexicon_set_should_refuse_a_word_the_parser_reads)
{
    toll_lexicon *lex = new_default();
    toll_error err;
    static const char *const bad[] = {"5", "twenty", "none", "no one",
                                      "unknown", "NA", "-", "2 thousand"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_int_eq(toll_lexicon_set(lex, bad[i], 1, 2, -1, &err),
                         TOLL_EINVAL);
        ck_assert_ptr_nonnull(strstr(err.message, "the parser reads"));
    }
    expect_default_entries(lex);
    /* words that merely begin like a number stay allowed */
    ck_assert_int_eq(toll_lexicon_set(lex, "twenty odd", 20, 29, -1, &err),
                     TOLL_OK);
    ck_assert_int_eq(toll_lexicon_set(lex, "9/11", 2977, 2977, -1, &err),
                     TOLL_OK);
    toll_quantity q = parse_lex("twenty-three", lex);
    ck_assert_int_eq(q.low, 23);
    q = parse_lex("twenty odd", lex);
    ck_assert_int_eq(q.high, 29);
    toll_lexicon_free(lex);
}
END_TEST

START_TEST(lexicon_scale_words_should_multiply_the_number_before_them)
{
    toll_lexicon *lex = new_default();
    toll_error err;
    ck_assert_int_eq(toll_lexicon_set_scale(lex, "mn", 1000000, &err),
                     TOLL_OK);
    ck_assert_int_eq(load(lex, "{\"scales\": {\"lac\": 100000}}", &err),
                     TOLL_OK);
    ck_assert_uint_eq(toll_lexicon_scale_count(lex), 2);
    const char *w;
    int64_t sc;
    ck_assert_int_eq(toll_lexicon_scale_entry(lex, 1, &w, &sc), TOLL_OK);
    ck_assert_str_eq(w, "lac");
    ck_assert_int_eq(sc, 100000);
    ck_assert_int_eq(toll_lexicon_scale_entry(lex, 2, &w, &sc),
                     TOLL_ENOTFOUND);
    ck_assert_uint_eq(toll_lexicon_count(lex), 10); /* words unchanged */
    toll_quantity q = parse_lex("2 mn", lex);
    ck_assert_int_eq(q.low, 2000000);
    q = parse_lex("2.5MN killed", lex);
    ck_assert_int_eq(q.low, 2500000);
    q = parse_lex("3 lac", lex);
    ck_assert_int_eq(q.high, 300000);
    /* without the lexicon the word is number-like: an error */
    ck_assert_int_eq(toll_quantity_parse("2 mn", 4, NULL, &q, &err),
                     TOLL_EPARSE);
    /* and after a quantity it is number-like too */
    toll_parse_options o;
    toll_parse_options_init(&o);
    o.lexicon = lex;
    ck_assert_int_eq(toll_quantity_parse("2 mn thousand", 13, &o, &q, &err),
                     TOLL_EPARSE);
    /* "replace" drops the scale words */
    ck_assert_int_eq(load(lex, "{\"replace\": true, \"words\": {}}", &err),
                     TOLL_OK);
    ck_assert_uint_eq(toll_lexicon_scale_count(lex), 0);
    toll_lexicon_free(lex);
}
END_TEST

START_TEST(lexicon_should_refuse_bad_scale_words)
{
    toll_lexicon *lex = new_default();
    toll_error err;
    ck_assert_int_eq(toll_lexicon_set_scale(lex, "k", 1000000, &err),
                     TOLL_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.message, "\"k\""));
    ck_assert_int_eq(toll_lexicon_set_scale(lex, "thousand", 10, &err),
                     TOLL_EINVAL);
    ck_assert_int_eq(toll_lexicon_set_scale(lex, "m2", 10, &err),
                     TOLL_EINVAL);
    ck_assert_int_eq(toll_lexicon_set_scale(lex, "mn", 1, &err),
                     TOLL_EINVAL);
    ck_assert_int_eq(
        toll_lexicon_set_scale(lex, "mn", TOLL_COUNT_MAX + 1, &err),
        TOLL_EINVAL);
    ck_assert_uint_eq(toll_lexicon_scale_count(lex), 0);
    toll_lexicon_free(lex);
    expect_word_error("{\"scales\": {\n\"mn\": 1000000,\n\"MN\": 10}}", 3,
                      "\"MN\"", "given twice");
    expect_word_error("{\"scales\": {\n\"million\": 1000000}}", 2,
                      "\"million\"", "the parser reads");
    expect_word_error("{\"scales\": {\"mn\": 2.5}}", 1, "\"mn\"",
                      "not a whole number");
    expect_load_error("{\"scales\": [1]}", "\"scales\" must be an object",
                      NULL);
}
END_TEST

START_TEST(lexicon_should_refuse_counts_above_the_cap)
{
    toll_lexicon *lex = new_default();
    toll_error err;
    ck_assert_int_eq(toll_lexicon_set(lex, "lots", 1, TOLL_COUNT_MAX + 1, -1,
                                      &err),
                     TOLL_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.message, "9007199254740993"));
    ck_assert_ptr_nonnull(strstr(err.message, "(2^53)"));
    ck_assert_int_eq(toll_lexicon_set(lex, "lots", 1, TOLL_COUNT_MAX, -1,
                                      &err),
                     TOLL_OK);
    toll_lexicon_free(lex);
    expect_load_error("{\"lots\": {\"low\": 1, \"high\": 9007199254740994}}",
                      "\"lots\"", "(2^53)");
    expect_load_error("{\"lots\": {\"low\": 1, \"high\": null, "
                      "\"best\": 1e300}}",
                      "\"lots\"", "(2^53)");
    /* a scaled open entry whose best passes the cap is an error too */
    lex = new_default();
    ck_assert_int_eq(toll_lexicon_set(lex, "heaps", 1, TOLL_OPEN, 1e9, NULL),
                     TOLL_OK);
    toll_parse_options o;
    toll_parse_options_init(&o);
    o.lexicon = lex;
    toll_quantity q;
    ck_assert_int_eq(toll_quantity_parse("heaps of billions", 17, &o, &q, &err),
                     TOLL_EPARSE);
    ck_assert_ptr_nonnull(strstr(err.message, "(2^53)"));
    toll_lexicon_free(lex);
}
END_TEST

static Suite *lexicon_suite(void)
{
    Suite *s = suite_create("lexicon");
    TCase *t = tcase_create("presets");
    tcase_add_test(t, lexicon_should_hold_default_entries_in_order);
    tcase_add_test(t, lexicon_should_give_default_preset_like_new);
    tcase_add_test(t, lexicon_should_give_acled_point_values);
    tcase_add_test(t, lexicon_should_parse_with_acled_preset);
    tcase_add_test(t, lexicon_should_give_empty_preset);
    tcase_add_test(t, lexicon_should_match_preset_names_case_insensitively);
    tcase_add_test(t, lexicon_should_reject_unknown_preset_by_name);
    tcase_add_test(t, lexicon_should_accept_null_in_free_and_count);
    tcase_add_test(t, lexicon_should_reject_entry_index_out_of_range);
    suite_add_tcase(s, t);

    TCase *st = tcase_create("set");
    tcase_add_test(st, lexicon_should_add_new_word_at_end);
    tcase_add_test(st, lexicon_should_replace_existing_word_case_insensitively);
    tcase_add_test(st, lexicon_should_store_negative_best_as_none);
    tcase_add_test(st, lexicon_should_trim_word_in_set);
    tcase_add_test(st, lexicon_should_validate_set_and_stay_unchanged);
    suite_add_tcase(s, st);

    TCase *j = tcase_create("json");
    tcase_add_test(j, lexicon_should_extend_from_wrapped_json);
    tcase_add_test(j, lexicon_should_extend_from_flat_json);
    tcase_add_test(j, lexicon_should_replace_from_json_when_asked);
    tcase_add_test(j, lexicon_should_read_null_high_as_open);
    tcase_add_test(j, lexicon_should_read_number_as_point_entry);
    tcase_add_test(j, lexicon_should_accept_empty_words_object);
    tcase_add_test(j, lexicon_should_leave_lexicon_unchanged_on_invalid_json);
    tcase_add_test(j, lexicon_should_name_input_word_and_value_on_bad_entry);
    tcase_add_test(j, lexicon_should_reject_invalid_entries_unchanged);
    tcase_add_test(j, lexicon_should_never_read_json_past_len);
    tcase_add_test(j, lexicon_should_load_file);
    tcase_add_test(j, lexicon_should_report_missing_file_by_path);
    suite_add_tcase(s, j);

    TCase *w = tcase_create("words");
    tcase_add_test(w, lexicon_load_should_refuse_a_word_holding_nul);
    tcase_add_test(w, lexicon_load_should_refuse_a_word_given_twice);
    tcase_add_test(w, lexicon_load_should_refuse_a_word_the_parser_reads);
    tcase_add_test(w, lexicon_set_should_refuse_a_word_the_parser_reads);
    tcase_add_test(w, lexicon_should_refuse_counts_above_the_cap);
    tcase_add_test(w, lexicon_scale_words_should_multiply_the_number_before_them);
    tcase_add_test(w, lexicon_should_refuse_bad_scale_words);
    suite_add_tcase(s, w);

    TCase *p = tcase_create("parser");
    tcase_add_test(p, lexicon_should_be_used_by_parser);
    tcase_add_test(p, lexicon_should_match_longest_entry_first);
    tcase_add_test(p, lexicon_should_match_whole_words_only);
    tcase_add_test(p, lexicon_should_let_longer_word_beat_keyword);
    tcase_add_test(p, lexicon_should_fall_back_from_keyword_to_same_word);
    suite_add_tcase(s, p);

    TCase *m = tcase_create("alloc");
    tcase_add_test(m, lexicon_new_should_fail_cleanly_at_every_allocation);
    tcase_add_test(m, lexicon_preset_should_fail_cleanly_at_every_allocation);
    tcase_add_test(m, lexicon_load_json_should_fail_cleanly_at_every_allocation);
    tcase_add_test(m, lexicon_set_should_fail_cleanly_on_allocation_failure);
    suite_add_tcase(s, m);
    return s;
}

int main(void) { return toll_test_run(lexicon_suite()); }
