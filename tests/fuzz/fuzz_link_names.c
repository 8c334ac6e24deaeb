/*
 * tests/fuzz/fuzz_link_names.c - libFuzzer harness: place-name
 * normalisation, its JSON table, the phonetic key and Jaro-Winkler
 * (src/link/names.c, src/link/compare.c).
 *
 * The input is cut at its first NUL byte: the text before it is loaded as
 * a JSON table into a default table (sometimes with an allocation made to
 * fail); the whole input is then normalised with the default table and
 * with the loaded one.  Checks: a failed load fills toll_error and leaves
 * the table as it was (the normalised form of the input is the same as
 * before); a normalised name is valid output of the rules (no space at
 * either end, no two spaces in a row, no NUL, no ASCII capital or
 * punctuation) whose phonetic key is 0 exactly when it is empty; the
 * length returned for a zero-size buffer and truncation agree with the
 * full result; Jaro-Winkler is in [0, 1], symmetric and 1 on equal strings; no
 * block is live after the free.
 */
#include "fuzz_common.h"

#include "link/link_int.h"

static void check_norm(const char *s, size_t n)
{
    FUZZ_CHECK(n == 0 || (s[0] != ' ' && s[n - 1] != ' '));
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        FUZZ_CHECK(c != '\0');
        FUZZ_CHECK(!(c == ' ' && i + 1 < n && s[i + 1] == ' '));
        FUZZ_CHECK(c >= 0x80 || c == ' ' || (c >= 'a' && c <= 'z') ||
                   (c >= '0' && c <= '9'));
    }
    FUZZ_CHECK((toll__lk_phonetic(s, n) == 0) == (n == 0));
}

static void check_jw(const char *a, size_t al, const char *b, size_t bl)
{
    double x = toll_link_jaro_winkler(a, al, b, bl);
    double y = toll_link_jaro_winkler(b, bl, a, al);
    FUZZ_CHECK(x >= 0.0 && x <= 1.0);
    FUZZ_CHECK(x == y);
    FUZZ_CHECK(toll_link_jaro_winkler(a, al, a, al) == 1.0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint64_t h = fuzz_hash(data, size);
    const char *text = (const char *)data;
    const uint8_t *nul = memchr(data, 0, size);
    size_t jlen = nul ? (size_t)(nul - data) : size;

    /* the default table */
    char small[16];
    size_t n = toll_link_names_normalise(NULL, text, size, NULL, 0);
    char *full = malloc(n + 1);
    FUZZ_CHECK(toll_link_names_normalise(NULL, text, size, full, n + 1) ==
               n);
    check_norm(full, n);
    size_t k = toll_link_names_normalise(NULL, text, size, small,
                                         sizeof small);
    FUZZ_CHECK(k == n);
    FUZZ_CHECK(strlen(small) == (n < sizeof small ? n : sizeof small - 1));
    FUZZ_CHECK(memcmp(small, full, strlen(small)) == 0);
    check_jw(text, size, full, n);
    check_jw(text, jlen, text + jlen, size - jlen);

    /* a loaded table */
    fuzz_alloc f;
    fuzz_alloc_init(&f);
    toll_link_names *t = NULL;
    toll_error e;
    if (toll_link_names_new(&f.a, &t, &e) != TOLL_OK)
        abort();
    if (((h >> 2) & 7) == 0)
        f.fail_at = f.count + 1 + (long)((h >> 5) % 32);
    char *copy = malloc(jlen ? jlen : 1);
    memcpy(copy, data, jlen);
    toll_status st = toll_link_names_load_json(t, copy, jlen, "fuzz.json", &e);
    free(copy);
    f.fail_at = 0;
    FUZZ_CHECK(st == TOLL_OK || st == TOLL_EPARSE || st == TOLL_EINVAL ||
               st == TOLL_ENOMEM);
    size_t m = toll_link_names_normalise(t, text, size, NULL, 0);
    char *mine = malloc(m + 1);
    FUZZ_CHECK(toll_link_names_normalise(t, text, size, mine, m + 1) == m);
    if (st) {
        fuzz_check_error(&e, st);
        FUZZ_CHECK(m == n && memcmp(mine, full, n) == 0);
    } else {
        /* a loaded table may map a letter to anything folded: still no
         * capitals, punctuation or double spaces */
        check_norm(mine, m);
    }
    check_jw(full, n, mine, m);
    free(mine);
    free(full);
    toll_link_names_free(t);
    FUZZ_CHECK(f.live == 0);
    return 0;
}
