/*
 * tests/fuzz/fuzz_lexicon.c - libFuzzer harness: the lexicon JSON loader.
 *
 * Loads the input into a default lexicon (sometimes with an allocation
 * made to fail) and checks: an error fills toll_error and leaves the
 * lexicon exactly as it was (same entries); success gives valid entries
 * (low >= 0, high open or >= low, best absent or inside); the parser then
 * reads each word, and "WORD civilians", with the new lexicon without
 * breaking its own contract; no block is live after the free.
 */
#include "fuzz_common.h"

#include <math.h>

typedef struct snap {
    size_t n;
    char words[64][64];
    int64_t low[64], high[64];
    double best[64];
} snap;

static void take(const toll_lexicon *lex, snap *s)
{
    s->n = toll_lexicon_count(lex);
    for (size_t i = 0; i < s->n && i < 64; i++) {
        const char *w;
        FUZZ_CHECK(toll_lexicon_entry(lex, i, &w, &s->low[i], &s->high[i],
                                      &s->best[i]) == TOLL_OK);
        snprintf(s->words[i], sizeof s->words[i], "%s", w);
    }
}

static int same(const snap *a, const snap *b)
{
    if (a->n != b->n)
        return 0;
    for (size_t i = 0; i < a->n && i < 64; i++)
        if (strcmp(a->words[i], b->words[i]) || a->low[i] != b->low[i] ||
            a->high[i] != b->high[i] || a->best[i] != b->best[i])
            return 0;
    return 1;
}

static void parse_check(const char *s, size_t len, const toll_lexicon *lex)
{
    toll_parse_options o;
    toll_parse_options_init(&o);
    o.lexicon = lex;
    toll_quantity q;
    toll_error e;
    toll_status st = toll_quantity_parse(s, len, &o, &q, &e);
    FUZZ_CHECK(st == TOLL_OK || st == TOLL_EPARSE);
    if (st == TOLL_OK)
        fuzz_check_quantity(&q);
    else
        fuzz_check_error(&e, st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint64_t h = fuzz_hash(data, size);
    fuzz_alloc f;
    fuzz_alloc_init(&f);
    toll_lexicon *lex = NULL;
    toll_error e;
    if (toll_lexicon_new_preset((h & 2) ? "acled" : "default", &f.a, &lex,
                                &e) != TOLL_OK)
        abort();
    snap before, after;
    take(lex, &before);
    if (((h >> 2) & 7) == 0)
        f.fail_at = f.count + 1 + (long)((h >> 5) % 64);
    char *copy = malloc(size ? size : 1);
    memcpy(copy, data, size);
    toll_status st = toll_lexicon_load_json(lex, copy, size, "fuzz.json", &e);
    free(copy);
    f.fail_at = 0;
    FUZZ_CHECK(st == TOLL_OK || st == TOLL_EPARSE || st == TOLL_ENOMEM);
    if (st) {
        fuzz_check_error(&e, st);
        take(lex, &after);
        FUZZ_CHECK(same(&before, &after));
    } else {
        size_t n = toll_lexicon_count(lex);
        for (size_t i = 0; i < n; i++) {
            const char *w;
            int64_t lo, hi;
            double best;
            FUZZ_CHECK(toll_lexicon_entry(lex, i, &w, &lo, &hi, &best) ==
                       TOLL_OK);
            FUZZ_CHECK(w && w[0]);
            FUZZ_CHECK(lo >= 0);
            FUZZ_CHECK(hi == TOLL_OPEN || hi >= lo);
            FUZZ_CHECK(best < 0 || (isfinite(best) && best >= (double)lo &&
                                    (hi == TOLL_OPEN || best <= (double)hi)));
            parse_check(w, strlen(w), lex);
            char buf[300];
            int k = snprintf(buf, sizeof buf, "%s civilians", w);
            if (k > 0 && (size_t)k < sizeof buf)
                parse_check(buf, (size_t)k, lex);
        }
    }
    toll_lexicon_free(lex);
    FUZZ_CHECK(f.live == 0);
    return 0;
}
