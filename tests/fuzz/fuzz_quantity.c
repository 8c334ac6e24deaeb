/*
 * tests/fuzz/fuzz_quantity.c - libFuzzer harness: the quantity parser.
 *
 * Parses the input with the built-in default lexicon, the "acled" preset
 * and a lexicon with multi-word and open entries, at two "about"
 * tolerances, and checks the contract: TOLL_OK (known or unknown) or
 * TOLL_EPARSE with err->text and a "cannot read" message; a known result
 * is a valid range ([low, high], best inside); formatting it into a small
 * and a large buffer agrees with the length returned.  Inputs of 24 bytes
 * or more are also read as (low, high, best) for toll_quantity_make.
 */
#include "fuzz_common.h"

#include <math.h>

static toll_lexicon *lex_acled, *lex_custom;

static void check_format(const toll_quantity *q)
{
    char big[128], small[6];
    for (int th = 0; th < 2; th++) {
        size_t need = toll_quantity_format(q, th, big, sizeof big);
        FUZZ_CHECK(need < sizeof big);
        FUZZ_CHECK(strlen(big) == need);
        size_t need2 = toll_quantity_format(q, th, small, sizeof small);
        FUZZ_CHECK(need2 == need);
        FUZZ_CHECK(strlen(small) < sizeof small);
        FUZZ_CHECK(strncmp(small, big, strlen(small)) == 0);
    }
}

static void parse_one(const char *text, size_t len, const toll_lexicon *lex,
                      double tol)
{
    toll_parse_options o;
    toll_parse_options_init(&o);
    o.lexicon = lex;
    o.about_tolerance = tol;
    toll_quantity q;
    toll_error e;
    memset(&q, 0x5a, sizeof q);
    toll_status st = toll_quantity_parse(text, len, &o, &q, &e);
    FUZZ_CHECK(st == TOLL_OK || st == TOLL_EPARSE || st == TOLL_ERANGE);
    if (st == TOLL_OK) {
        fuzz_check_quantity(&q);
        check_format(&q);
        /* A known result round-trips through toll_quantity_make. */
        if (q.known) {
            toll_quantity q2;
            toll_status st2 = toll_quantity_make(q.low, q.high, 1, q.best,
                                                 &q2, &e);
            FUZZ_CHECK(st2 == TOLL_OK);
            FUZZ_CHECK(q2.low == q.low && q2.high == q.high);
        }
    } else {
        fuzz_check_error(&e, st);
        FUZZ_CHECK(strstr(e.message, "cannot read \"") == e.message);
    }
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    toll_error e;
    if (toll_lexicon_new_preset("acled", NULL, &lex_acled, &e) ||
        toll_lexicon_new_preset("default", NULL, &lex_custom, &e) ||
        toll_lexicon_set(lex_custom, "a great many", 50, TOLL_OPEN, -1, &e) ||
        toll_lexicon_set(lex_custom, "scores upon scores", 100, 999, 200,
                         &e) ||
        toll_lexicon_set(lex_custom, "x", 0, 0, 0, &e))
        abort();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Copy so ASan catches any read past the end (no NUL is given). */
    char *text = malloc(size ? size : 1);
    memcpy(text, data, size);
    uint64_t h = fuzz_hash(data, size);
    double tol = (h & 1) ? 0.1 : (double)((h >> 1) % 100) / 100.0;
    parse_one(text, size, NULL, tol);
    parse_one(text, size, lex_acled, 0.1);
    parse_one(text, size, lex_custom, tol);
    free(text);

    if (size >= 24) {
        int64_t lo, hi;
        double best;
        memcpy(&lo, data, 8);
        memcpy(&hi, data + 8, 8);
        memcpy(&best, data + 16, 8);
        toll_quantity q;
        toll_error e;
        toll_status st = toll_quantity_make(lo, hi, (int)(h >> 8) & 1, best,
                                            &q, &e);
        FUZZ_CHECK(st == TOLL_OK || st == TOLL_EREPORT);
        if (st == TOLL_OK) {
            fuzz_check_quantity(&q);
            check_format(&q);
        } else {
            fuzz_check_error(&e, st);
        }
    }
    return 0;
}
