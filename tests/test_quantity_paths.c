/* tests/test_quantity_paths.c - every reader of a quantity's text reads it
 * as toll_quantity_parse does: the same texts go through the parser, a
 * JSON array load, a JSON Lines load, a CSV load (with the per-header plan
 * and, through the test hook toll__plan_set_enabled(0), without it) and a
 * CSV load through a column map, and each must give the parser's cell
 * (low, high, best; unknown; open) or its error status.  Also: the fast
 * path of plain counts and ranges (toll__quantity_fast), lexicons with
 * words that begin with a digit, and JSON numbers. */
#define _POSIX_C_SOURCE 200809L
#include "testutil.h"

#include "core/core.h"
#include "io/csv/plan.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the texts ------------------------------------------------------------ */

static const char *const texts[] = {
    /* plain counts */
    "0", "1", "7", "92", "100", "1306", "007", "000", "0000000000000000001",
    "999999999999999999", "1000000000000000000", "9223372036854775807",
    "9223372036854775808", "99999999999999999999",
    /* thousands separators */
    "1,306", "12,345,678", "1,000,000", "1,45", "1450,000", "1,3060",
    "1,306.5", "1.306", "1'306", "1_306", "1 306", "1 000",
    "1\xC2\xA0" "000", "1\xE2\x80\xAF" "000", ",306", "1,",
    /* ranges */
    "85-92", "85 - 92", "85 -92", "85- 92", "85\t-\t92", "0-0", "5-5",
    "00-01", "92-85", "1,000-2,000", "85\xE2\x80\x93" "92",
    "85\xE2\x80\x94" "92", "85\xE2\x88\x92" "92", "85\xE2\x80\x90" "92",
    "85 to 92", "85 or 92", "85 To 92", "85to92", "between 85 and 92",
    "between 85-92", "between 85 to 92", "Between 85 And 92", "between 85",
    "2-3 thousand", "2 - 3 thousand", "1.5-2 million",
    "123456789012345678-123456789012345679",
    "1234567890123456789-1234567890123456790",
    "999999999999999999-1000000000000000000", "85-", "-92", "85--92",
    "85-92-100", "85-92 killed", "85-92abc", "85_92", "85..92", "85/92",
    "85 - 92 - 100", "85 -", "- 92",
    /* keywords */
    "at least 40", "At Least 40", "AT LEAST 40", "at  least\t40",
    "no fewer than 40", "no less than 40", "40 or more", "40+", "40 +",
    "more than 40", "over 40", "upwards of 40", "up to 40", "as many as 40",
    "at most 40", "40 or fewer", "40 or less", "about 120", "around 120",
    "approximately 120", "roughly 120", "some 120", "an estimated 120",
    "estimated 120", "about 0", "about 1", "about 5", "About 1,200",
    "about two hundred", "nearly 50", "almost 50", "nearly 1", "nearly 2",
    "nearly 0", "at least", "about", "over", "more than 9223372036854775807",
    "at least 9223372036854775807", "about 9223372036854775807",
    "at least 40-50", "up to 40 to 50", "more than forty", "at least a dozen",
    "over 1,000", "40 or so", "40 or more people",
    /* number words */
    "none", "None", "NONE", "no", "no one", "no-one", "nobody", "unknown",
    "Unknown", "unclear", "zero", "one", "twelve", "twenty-three",
    "twenty three", "one hundred", "one hundred and fifty", "a hundred",
    "a dozen", "two dozen", "dozen", "three thousand", "a thousand",
    "one million", "two billion", "ten", "forty-two", "ninety-nine",
    "eleven hundred", "a", "an", "twenty-zero", "one two", "hundred",
    "thousand", "nine billion billion", "one hundred thousand",
    "two hundred and", "Twenty-Three",
    /* the default lexicon */
    "dozens", "Dozens", "DOZENS", "several", "a few", "a couple",
    "a handful", "scores", "tens", "hundreds", "thousands", "many",
    "several hundred", "dozens of", "tens of thousands",
    "hundreds of thousands", "several dozen", "many thousands",
    "dozens killed", "severalfold", "a few dozen",
    /* digits with multiplier words */
    "2 thousand", "1.5 million", "2.5 dozen", "1.5 dozen", "3 hundred",
    "2 hundred thousand", "1.25 thousand", "0.5 million", "1.0001 thousand",
    "2thousand", "2 Thousand", "1.5 billion", "3 million million",
    /* decimals */
    "1.5", "12.0", "0.0", "3.14", "92.", "92.5", ".5", "1.",
    /* JSON-number forms, as text */
    "1e3", "1E3", "1.2e1", "-0", "-5", "-5.5", "1e999", "-1e3", "+5",
    "0x10", "12e", "1e-3", "5e0",
    /* trailing text */
    "92 killed", "92 people", "92 (est.)", "about 120 civilians",
    "at least 40 people killed", "92abc", "92 abc", "92,", "92;", "92!",
    "92?", "92%", "92 / 100", "92 of them",
    /* whitespace */
    " 92", "92 ", "  92  ", "\t92", "92\t", "\t 92 \t", "\n92", "92\n",
    "\r\n92\r\n", " 85-92 ", "  at least 40  ", "", " ", "\t", "   \t  ",
    "\v92\f", "92\xC2\xA0",
    /* bad texts */
    "abc", "?", "n/a", "N/A", "-", "--", "+", "x", "null", "NaN", "inf",
    "92 85", "some", "\"92\"", "'92'", "92'", "\\92", "#92", "=92",
    "\xD9\xA9\xD9\xA2", "\xE2\x88\x92" "92", "\xE2\x80\x93", "~92",
    "one hundred and", "between", "between and", "to 92", "or 92",
    "dozens-hundreds",
    /* the forms and errors of the hardening round */
    "no more than 50 civilians", "not more than 50", "no greater than 5",
    "no higher than 5", "none to 5", "no 5", "none of the 5", "fewer than 50",
    "less than 50", "less than 1", "fewer than 0", "~50", "~ 50 killed",
    "NA", "na", "n/a ", " - ", "2 trillion", "3 lakh", "2 crore", "2 mln",
    "2 bn", "2bn", "5k", "5K", "5 k", "2m", "2.5m", "2-3k",
    "dozens to hundreds", "12, 000", "one point five million",
    "5 million million", "2 zillion", "2 millions", "2 mn", "5 dozens",
    "92 people, including 40 children", "5 (3 children)",
    "9007199254740992", "9007199254740993", "0-9007199254740992",
    "0-9007199254740993", "at least 5000000000000000000",
};

#define NTEXTS (sizeof texts / sizeof texts[0])

/* ---- the reference: the parser ------------------------------------------- */

typedef struct reading {
    toll_status st; /* TOLL_OK or the error status */
    int known;
    int64_t low, high;
    double best;
} reading;

static reading parse_reading(const char *text, const toll_parse_options *po)
{
    toll_quantity q;
    reading r;
    memset(&r, 0, sizeof r);
    r.st = toll_quantity_parse(text, strlen(text), po, &q, NULL);
    if (r.st == TOLL_OK && q.known) {
        r.known = 1;
        r.low = q.low;
        r.high = q.high;
        r.best = q.best;
    }
    return r;
}

/* ---- the loads ------------------------------------------------------------- */

typedef struct buf {
    char *s;
    size_t len, cap;
} buf;

static void put(buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        b->cap = (b->len + n + 1) * 2;
        b->s = realloc(b->s, b->cap);
        ck_assert_ptr_nonnull(b->s);
    }
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

static void puts_(buf *b, const char *s) { put(b, s, strlen(s)); }

/* `text` as a JSON string. */
static void put_json_string(buf *b, const char *text)
{
    puts_(b, "\"");
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        char esc[8];
        if (*p == '"' || *p == '\\') {
            esc[0] = '\\';
            esc[1] = (char)*p;
            put(b, esc, 2);
        } else if (*p < 0x20) {
            snprintf(esc, sizeof esc, "\\u%04x", *p);
            puts_(b, esc);
        } else {
            put(b, (const char *)p, 1);
        }
    }
    puts_(b, "\"");
}

/* `text` as a quoted CSV cell. */
static void put_csv_cell(buf *b, const char *text)
{
    puts_(b, "\"");
    for (const char *p = text; *p; p++)
        put(b, p, 1 + (*p == '"')); /* a quote is doubled */
    puts_(b, "\"");
}

enum path {
    P_JSON, P_JSONL, P_CSV, P_CSV_GENERIC, P_CSV_MAP, NPATHS
};

static const char *const path_name[NPATHS] = {
    "JSON array", "JSON Lines", "CSV", "CSV without the plan",
    "CSV through a column map"};

/* The input of one report whose quantity is `text`, for `path`; when
 * `raw`, `text` is written into JSON as it is (a JSON number). */
static void make_input(buf *b, enum path path, const char *text, int raw)
{
    b->len = 0;
    switch (path) {
    case P_JSON:
    case P_JSONL:
        puts_(b, path == P_JSON ? "[{\"source\": \"s\", \"killed\": "
                                : "{\"source\": \"s\", \"killed\": ");
        if (raw)
            puts_(b, text);
        else
            put_json_string(b, text);
        puts_(b, path == P_JSON ? "}]\n" : "}\n");
        break;
    default:
        puts_(b, path == P_CSV_MAP ? "source,deaths\n" : "source,killed\n");
        puts_(b, "s,");
        put_csv_cell(b, text);
        puts_(b, "\n");
        break;
    }
}

static reading load_reading(enum path path, const char *text, int raw,
                            const toll_lexicon *lex)
{
    buf b = {NULL, 0, 0};
    make_input(&b, path, text, raw);
    toll_reports *r = NULL;
    ck_assert_int_eq(toll_reports_new(NULL, &r, NULL), TOLL_OK);
    toll_load_options o;
    toll_load_options_init(&o);
    o.format = path == P_JSON    ? TOLL_FORMAT_JSON
               : path == P_JSONL ? TOLL_FORMAT_JSONL
                                 : TOLL_FORMAT_CSV;
    o.parse.lexicon = lex;
    toll_colmap *map = NULL;
    if (path == P_CSV_MAP) {
        ck_assert_int_eq(toll_colmap_new(NULL, &map, NULL), TOLL_OK);
        ck_assert_int_eq(toll_colmap_parse(map, "killed=deaths", NULL),
                         TOLL_OK);
        o.colmap = map;
    }
    if (path == P_CSV_GENERIC)
        toll__plan_set_enabled(0);
    reading out;
    memset(&out, 0, sizeof out);
    out.st = toll_reports_load_buffer(r, b.s, b.len, "<test>", &o, NULL, NULL);
    toll__plan_set_enabled(1);
    if (out.st == TOLL_OK) {
        ck_assert_uint_eq(toll_reports_count(r), 1);
        const toll__qcell *c = report_cell(r, 0, "killed");
        if (c && c->low >= 0) {
            out.known = 1;
            out.low = c->low;
            out.high = c->high;
            out.best = c->best;
        }
    }
    toll_colmap_free(map);
    toll_reports_free(r);
    free(b.s);
    return out;
}

static void put_reading(char *s, size_t size, const reading *r)
{
    if (r->st != TOLL_OK)
        snprintf(s, size, "error %d", (int)r->st);
    else if (!r->known)
        snprintf(s, size, "unknown");
    else if (r->high == TOLL_OPEN)
        snprintf(s, size, "[%lld, open) best %.17g", (long long)r->low,
                 r->best);
    else
        snprintf(s, size, "[%lld, %lld] best %.17g", (long long)r->low,
                 (long long)r->high, r->best);
}

/* The parser's error statuses are TOLL_EPARSE; a load words the same
 * error for its record with the same status. */
static void assert_same(const reading *want, const reading *got,
                        const char *what, const char *text)
{
    char a[96], b[96];
    put_reading(a, sizeof a, want);
    put_reading(b, sizeof b, got);
    ck_assert_msg(want->st == got->st && want->known == got->known &&
                      want->low == got->low && want->high == got->high &&
                      want->best == got->best,
                  "%s reads \"%s\" as %s, the parser as %s", what, text, b,
                  a);
}

/* ---- tests ----------------------------------------------------------------- */

START_TEST(the_texts_should_be_two_hundred_or_more)
{
    ck_assert_uint_ge(NTEXTS, 200);
}
END_TEST

START_TEST(parser_should_fail_only_with_a_parse_error)
{
    for (size_t i = 0; i < NTEXTS; i++) {
        reading p = parse_reading(texts[i], NULL);
        ck_assert_msg(p.st == TOLL_OK || p.st == TOLL_EPARSE,
                      "\"%s\": status %d", texts[i], (int)p.st);
    }
}
END_TEST

START_TEST(json_array_load_should_read_each_text_as_the_parser)
{
    for (size_t i = 0; i < NTEXTS; i++) {
        reading want = parse_reading(texts[i], NULL);
        reading got = load_reading(P_JSON, texts[i], 0, NULL);
        assert_same(&want, &got, path_name[P_JSON], texts[i]);
    }
}
END_TEST

START_TEST(json_lines_load_should_read_each_text_as_the_parser)
{
    for (size_t i = 0; i < NTEXTS; i++) {
        reading want = parse_reading(texts[i], NULL);
        reading got = load_reading(P_JSONL, texts[i], 0, NULL);
        assert_same(&want, &got, path_name[P_JSONL], texts[i]);
    }
}
END_TEST

START_TEST(csv_load_should_read_each_text_as_the_parser)
{
    for (size_t i = 0; i < NTEXTS; i++) {
        reading want = parse_reading(texts[i], NULL);
        reading got = load_reading(P_CSV, texts[i], 0, NULL);
        assert_same(&want, &got, path_name[P_CSV], texts[i]);
    }
}
END_TEST

START_TEST(csv_load_without_plan_should_read_each_text_as_the_parser)
{
    for (size_t i = 0; i < NTEXTS; i++) {
        reading want = parse_reading(texts[i], NULL);
        reading got = load_reading(P_CSV_GENERIC, texts[i], 0, NULL);
        assert_same(&want, &got, path_name[P_CSV_GENERIC], texts[i]);
    }
}
END_TEST

START_TEST(csv_load_through_column_map_should_read_each_text_as_the_parser)
{
    for (size_t i = 0; i < NTEXTS; i++) {
        reading want = parse_reading(texts[i], NULL);
        reading got = load_reading(P_CSV_MAP, texts[i], 0, NULL);
        assert_same(&want, &got, path_name[P_CSV_MAP], texts[i]);
    }
}
END_TEST

/* One CSV of every text the parser accepts, each twice: the second time
 * is read from the memos (src/io/memo.h and the plan's own tables). */
START_TEST(csv_load_should_read_a_repeated_text_as_the_first_time)
{
    buf b = {NULL, 0, 0};
    size_t want_n = 0;
    size_t *which = calloc(2 * NTEXTS, sizeof *which);
    ck_assert_ptr_nonnull(which);
    puts_(&b, "source,killed\n");
    for (int round = 0; round < 2; round++)
        for (size_t i = 0; i < NTEXTS; i++) {
            if (parse_reading(texts[i], NULL).st != TOLL_OK)
                continue;
            puts_(&b, "s,");
            put_csv_cell(&b, texts[i]);
            puts_(&b, "\n");
            which[want_n++] = i;
        }
    toll_reports *r = NULL;
    ck_assert_int_eq(toll_reports_new(NULL, &r, NULL), TOLL_OK);
    ck_assert_int_eq(toll_reports_load_buffer(r, b.s, b.len, "<test>", NULL,
                                              NULL, NULL),
                     TOLL_OK);
    ck_assert_uint_eq(toll_reports_count(r), want_n);
    for (size_t k = 0; k < want_n; k++) {
        reading want = parse_reading(texts[which[k]], NULL);
        reading got;
        memset(&got, 0, sizeof got);
        const toll__qcell *c = report_cell(r, k, "killed");
        if (c && c->low >= 0) {
            got.known = 1;
            got.low = c->low;
            got.high = c->high;
            got.best = c->best;
        }
        assert_same(&want, &got, k < want_n / 2 ? "CSV row" : "CSV repeat",
                    texts[which[k]]);
    }
    toll_reports_free(r);
    free(which);
    free(b.s);
}
END_TEST

/* Options whose lexicon is the default one plus a word that begins with a
 * digit and matches no text here: toll_quantity_parse then reads every
 * text by its grammar alone, without toll__quantity_fast. */
static toll_lexicon *grammar_only(toll_parse_options *po)
{
    toll_lexicon *lex = NULL;
    ck_assert_int_eq(toll_lexicon_new(NULL, &lex, NULL), TOLL_OK);
    ck_assert_int_eq(toll_lexicon_set(lex, "0zzz", 1, 1, 1, NULL), TOLL_OK);
    toll_parse_options_init(po);
    po->lexicon = lex;
    return lex;
}

/* Whatever toll__quantity_fast reads, the parser's grammar reads the
 * same (the quantity, its best and its rule). */
START_TEST(fast_path_should_read_as_the_grammar_or_leave_the_text)
{
    toll_parse_options po;
    toll_lexicon *lex = grammar_only(&po);
    size_t taken = 0;
    for (size_t i = 0; i < NTEXTS; i++) {
        int64_t lo = -7, hi = -7;
        double best = -7;
        const char *t = texts[i];
        int kind = toll__quantity_fast(t, strlen(t), &lo, &hi, &best);
        if (kind == TOLL__QFAST_NO)
            continue;
        taken++;
        toll_quantity q;
        ck_assert_int_eq(toll_quantity_parse(t, strlen(t), &po, &q, NULL),
                         TOLL_OK);
        ck_assert_msg(q.known && q.low == lo && q.high == hi &&
                          q.best == best,
                      "\"%s\": fast [%lld, %lld] %g, parser [%lld, %lld] %g",
                      t, (long long)lo, (long long)hi, best,
                      (long long)q.low, (long long)q.high, q.best);
        ck_assert_int_eq(q.has_best, kind == TOLL__QFAST_COUNT);
        ck_assert_str_eq(q.rule, kind == TOLL__QFAST_RANGE ? "range"
                                 : lo == 0                 ? "none"
                                                           : "exact");
    }
    ck_assert_uint_ge(taken, 10);
    toll_lexicon_free(lex);
}
END_TEST

/* The parser with its fast path reads every text (quantity, best, rule,
 * has_best, error status) as its grammar alone does. */
START_TEST(parser_should_read_each_text_as_its_grammar_alone)
{
    toll_parse_options po;
    toll_lexicon *lex = grammar_only(&po);
    for (size_t i = 0; i < NTEXTS; i++) {
        const char *t = texts[i];
        toll_quantity a, b;
        toll_status sa = toll_quantity_parse(t, strlen(t), NULL, &a, NULL);
        toll_status sb = toll_quantity_parse(t, strlen(t), &po, &b, NULL);
        ck_assert_msg(sa == sb && a.known == b.known && a.low == b.low &&
                          a.high == b.high && a.best == b.best &&
                          a.has_best == b.has_best &&
                          strcmp(a.rule, b.rule) == 0,
                      "\"%s\": [%lld, %lld] %g %s with the fast path, "
                      "[%lld, %lld] %g %s without",
                      t, (long long)a.low, (long long)a.high, a.best, a.rule,
                      (long long)b.low, (long long)b.high, b.best, b.rule);
    }
    toll_lexicon_free(lex);
}
END_TEST

START_TEST(fast_path_should_take_plain_counts_and_dash_ranges_only)
{
    int64_t lo, hi;
    double best;
    ck_assert_int_eq(toll__quantity_fast("92", 2, &lo, &hi, &best),
                     TOLL__QFAST_COUNT);
    ck_assert_int_eq(lo, 92);
    ck_assert_int_eq(toll__quantity_fast("85-92", 5, &lo, &hi, &best),
                     TOLL__QFAST_RANGE);
    ck_assert_int_eq(hi, 92);
    ck_assert_double_eq(best, 88.5);
    ck_assert_int_eq(toll__quantity_fast("5-5", 3, &lo, &hi, &best),
                     TOLL__QFAST_RANGE);
    const char *no[] = {"", " 92", "92 ", "85 - 92", "1,306", "92-85",
                        "85-", "-92", "1.5", "1000000000000000000",
                        "92abc", "85\xE2\x80\x93" "92"};
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        ck_assert_msg(toll__quantity_fast(no[i], strlen(no[i]), &lo, &hi,
                                          &best) == TOLL__QFAST_NO,
                      "\"%s\" taken", no[i]);
    /* a length tells where the text ends: no byte past it is read */
    ck_assert_int_eq(toll__quantity_fast("92-85", 2, &lo, &hi, &best),
                     TOLL__QFAST_COUNT);
}
END_TEST

START_TEST(lexicon_digit_led_should_tell_words_that_begin_with_a_digit)
{
    toll_lexicon *lex = NULL;
    ck_assert_int_eq(toll__lexicon_digit_led(NULL), 0);
    ck_assert_int_eq(toll_lexicon_new(NULL, &lex, NULL), TOLL_OK);
    ck_assert_int_eq(toll__lexicon_digit_led(lex), 0);
    ck_assert_int_eq(toll_lexicon_set(lex, "9/11", 2977, 2977, 2977, NULL),
                     TOLL_OK);
    ck_assert_int_eq(toll__lexicon_digit_led(lex), 1);
    toll_lexicon_free(lex);
    ck_assert_int_eq(toll_lexicon_new_preset("acled", NULL, &lex, NULL),
                     TOLL_OK);
    ck_assert_int_eq(toll__lexicon_digit_led(lex), 0);
    toll_lexicon_free(lex);
}
END_TEST

/* A lexicon word that begins with digits is read as the word by every
 * path, and the counts and ranges it begins with stay counts and ranges
 * (a word the parser reads itself, "92", cannot be a lexicon word). */
START_TEST(every_path_should_read_a_digit_word_of_the_lexicon_as_the_word)
{
    toll_lexicon *lex = NULL;
    ck_assert_int_eq(toll_lexicon_new(NULL, &lex, NULL), TOLL_OK);
    ck_assert_int_eq(toll_lexicon_set(lex, "92", 1, 3, 2, NULL), TOLL_EINVAL);
    ck_assert_int_eq(toll_lexicon_set(lex, "92 or so", 1, 3, 2, NULL),
                     TOLL_OK);
    ck_assert_int_eq(toll_lexicon_set(lex, "85-92 or so", 4, 6, 5, NULL),
                     TOLL_OK);
    toll_parse_options po;
    toll_parse_options_init(&po);
    po.lexicon = lex;
    const char *t[] = {"92 or so", "85-92 or so", "92", "85-92", "93",
                       "85-93", "dozens", " 92 "};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        reading want = parse_reading(t[i], &po);
        for (int p = 0; p < NPATHS; p++) {
            reading got = load_reading((enum path)p, t[i], 0, lex);
            assert_same(&want, &got, path_name[p], t[i]);
        }
    }
    reading w = parse_reading("92 or so", &po);
    ck_assert_int_eq(w.low, 1);
    ck_assert_int_eq(w.high, 3);
    w = parse_reading("85-92 or so", &po);
    ck_assert_int_eq(w.low, 4);
    w = parse_reading("92", &po);
    ck_assert_int_eq(w.low, 92);
    toll_lexicon_free(lex);
}
END_TEST

/* A JSON number that is a whole count reads as the text of its count. */
START_TEST(json_numbers_should_read_as_the_text_of_their_count)
{
    static const struct {
        const char *number, *count;
    } forms[] = {
        {"0", "0"},       {"-0", "0"},      {"92", "92"},   {"1306", "1306"},
        {"12.0", "12"},   {"1e2", "100"},   {"1E2", "100"}, {"1.2e1", "12"},
        {"1e+2", "100"},  {"0.0", "0"},     {"120e-1", "12"},
        {"9007199254740992", "9007199254740992"},
        {"900719925474099.2e1", "9007199254740992"},
    };
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        reading want = parse_reading(forms[i].count, NULL);
        for (int p = P_JSON; p <= P_JSONL; p++) {
            reading got = load_reading((enum path)p, forms[i].number, 1, NULL);
            assert_same(&want, &got, path_name[p], forms[i].number);
        }
    }
}
END_TEST

/* A JSON number that is no count (negative, not whole, too large) is an
 * error of the report, as the text of it is an error of the parser. */
START_TEST(json_numbers_that_are_no_count_should_fail)
{
    static const char *const bad[] = {
        "-5",   "-1e3", "1.5",  "12.25", "1e-3", "0.5e0",
        "9223372036854775808", "1e19", "1e999", "123456789012345678901234",
        "9007199254740993", "9.007199254740993e15", "1e16"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_int_eq(parse_reading(bad[i], NULL).st, TOLL_EPARSE);
        for (int p = P_JSON; p <= P_JSONL; p++)
            ck_assert_msg(load_reading((enum path)p, bad[i], 1, NULL).st ==
                              TOLL_EREPORT,
                          "%s: number %s loads", path_name[p], bad[i]);
    }
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("quantity_paths");
    TCase *tc = tcase_create("paths");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, the_texts_should_be_two_hundred_or_more);
    tcase_add_test(tc, parser_should_fail_only_with_a_parse_error);
    tcase_add_test(tc, json_array_load_should_read_each_text_as_the_parser);
    tcase_add_test(tc, json_lines_load_should_read_each_text_as_the_parser);
    tcase_add_test(tc, csv_load_should_read_each_text_as_the_parser);
    tcase_add_test(tc,
                   csv_load_without_plan_should_read_each_text_as_the_parser);
    tcase_add_test(
        tc, csv_load_through_column_map_should_read_each_text_as_the_parser);
    tcase_add_test(tc, csv_load_should_read_a_repeated_text_as_the_first_time);
    tcase_add_test(tc, fast_path_should_read_as_the_grammar_or_leave_the_text);
    tcase_add_test(tc, parser_should_read_each_text_as_its_grammar_alone);
    tcase_add_test(tc,
                   fast_path_should_take_plain_counts_and_dash_ranges_only);
    tcase_add_test(tc,
                   lexicon_digit_led_should_tell_words_that_begin_with_a_digit);
    tcase_add_test(
        tc, every_path_should_read_a_digit_word_of_the_lexicon_as_the_word);
    tcase_add_test(tc, json_numbers_should_read_as_the_text_of_their_count);
    tcase_add_test(tc, json_numbers_that_are_no_count_should_fail);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return toll_test_run(suite()); }
