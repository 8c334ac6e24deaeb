/* tests/test_link_compare.c - the linker's comparisons (src/link/compare.c):
 * every level boundary of every comparison, symmetry, Jaro-Winkler and
 * distance known values; the names of comparisons and levels
 * (src/link/levels.c); place-name normalisation, its table and JSON
 * loader, and the phonetic key (src/link/names.c). */
#define _POSIX_C_SOURCE 200809L /* mkstemp, write, unlink */
#include "link/link_int.h"
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- fixture ------------------------------------------------------------- */

/* A report with nothing known. */
static toll__lk_feat blank(void)
{
    toll__lk_feat f;
    memset(&f, 0, sizeof f);
    f.d0 = f.d1 = TOLL_NO_DATE;
    f.lat = f.lon = NAN;
    f.low = f.high = -1;
    return f;
}

/* The level of comparison `cmp` for (a, b), checked to be the same for
 * (b, a). */
static int level(int cmp, const toll__lk_feat *a, const toll__lk_feat *b)
{
    uint8_t ab[TOLL_LINK_NCOMPARISONS], ba[TOLL_LINK_NCOMPARISONS];
    toll__lk_compare(a, b, ab);
    toll__lk_compare(b, a, ba);
    ck_assert_msg(memcmp(ab, ba, sizeof ab) == 0, "not symmetric");
    return ab[cmp];
}

static size_t lvl(int cmp, const char *name)
{
    size_t k = 99;
    ck_assert_int_eq(toll_link_level_parse(cmp, name, &k, NULL), TOLL_OK);
    return k;
}

#define ck_level(cmp, a, b, name)                                            \
    ck_assert_str_eq(toll_link_level_name(cmp, level(cmp, &(a), &(b))), name)

/* ---- names of comparisons and levels ------------------------------------ */

START_TEST(comparison_names_should_round_trip)
{
    for (int c = 0; c < TOLL_LINK_NCOMPARISONS; c++) {
        int got = -1;
        ck_assert_int_eq(toll_link_comparison_parse(
                             toll_link_comparison_name(c), &got, NULL),
                         TOLL_OK);
        ck_assert_int_eq(got, c);
        for (size_t k = 0; k < toll_link_level_count(c); k++)
            ck_assert_uint_eq(lvl(c, toll_link_level_name(c, k)), k);
    }
    ck_assert_str_eq(toll_link_comparison_name(TOLL_LINK_NCOMPARISONS), "");
    ck_assert_uint_eq(toll_link_level_count(-1), 0);
}
END_TEST

START_TEST(level_parse_should_name_the_text_on_error)
{
    toll_error e;
    size_t k;
    ck_assert_int_eq(toll_link_level_parse(TOLL_LINK_PLACE, "nearby", &k, &e),
                     TOLL_EINVAL);
    ck_assert_ptr_nonnull(strstr(e.message, "nearby"));
    ck_assert_ptr_nonnull(strstr(e.message, "sounds-alike"));
}
END_TEST

START_TEST(level_counts_should_match_the_header)
{
    static const size_t want[] = {5, 5, 6, 4, 4, 4, 2};
    for (int c = 0; c < TOLL_LINK_NCOMPARISONS; c++) {
        ck_assert_uint_eq(toll_link_level_count(c), want[c]);
        ck_assert_uint_le(toll_link_level_count(c), TOLL_LINK_MAX_LEVELS);
        /* the count is the number of names */
        ck_assert_str_ne(toll_link_level_name(c, want[c] - 1), "");
        ck_assert_str_eq(toll_link_level_name(c, want[c]), "");
    }
}
END_TEST

/* ---- date ---------------------------------------------------------------- */

static toll__lk_feat dated(int32_t d0, int32_t d1)
{
    toll__lk_feat f = blank();
    f.d0 = d0;
    f.d1 = d1;
    return f;
}

START_TEST(date_should_be_0_when_spans_overlap_or_touch)
{
    toll__lk_feat a = dated(100, 105), b = dated(105, 110), c = dated(90, 200);
    ck_level(TOLL_LINK_DATE, a, b, "0");
    ck_level(TOLL_LINK_DATE, a, c, "0");
    ck_level(TOLL_LINK_DATE, a, a, "0");
}
END_TEST

START_TEST(date_should_be_1_at_one_day_apart)
{
    toll__lk_feat a = dated(100, 100), b = dated(101, 101);
    ck_level(TOLL_LINK_DATE, a, b, "1");
}
END_TEST

START_TEST(date_should_be_2_3_from_two_to_three_days)
{
    toll__lk_feat a = dated(100, 100), b = dated(102, 102), c = dated(103, 104);
    ck_level(TOLL_LINK_DATE, a, b, "2-3");
    ck_level(TOLL_LINK_DATE, a, c, "2-3");
}
END_TEST

START_TEST(date_should_be_4_plus_from_four_days)
{
    toll__lk_feat a = dated(90, 100), b = dated(104, 104);
    ck_level(TOLL_LINK_DATE, a, b, "4+");
}
END_TEST

START_TEST(date_should_be_unknown_without_a_date)
{
    toll__lk_feat a = dated(100, 100), b = blank();
    ck_level(TOLL_LINK_DATE, a, b, "unknown");
}
END_TEST

/* ---- distance ------------------------------------------------------------ */

static toll__lk_feat at(double lat, double lon, float tol)
{
    toll__lk_feat f = blank();
    f.lat = lat;
    f.lon = lon;
    f.tol_km = tol;
    return f;
}

/* One degree of latitude: 6371.0088 * pi / 180 = 111.195 km. */
#define KM_PER_DEG 111.19508

START_TEST(distance_should_know_london_to_paris)
{
    /* London (51.5074, -0.1278), Paris (48.8566, 2.3522): 343.5 km */
    double d = toll_link_distance_km(51.5074, -0.1278, 48.8566, 2.3522);
    ck_assert_double_eq_tol(d, 343.5, 0.5);
    ck_assert_double_eq_tol(toll_link_distance_km(0, 0, 1, 0), KM_PER_DEG,
                            1e-3);
    ck_assert_double_eq_tol(toll_link_distance_km(0, 0, 0, 180),
                            KM_PER_DEG * 180, 1e-2);
}
END_TEST

START_TEST(distance_should_be_under_1km_below_1km)
{
    toll__lk_feat a = at(36, 37, 0), b = at(36 + 0.99 / KM_PER_DEG, 37, 0);
    ck_level(TOLL_LINK_DISTANCE, a, b, "<1km");
    toll__lk_feat c = at(36 + 1.01 / KM_PER_DEG, 37, 0);
    ck_level(TOLL_LINK_DISTANCE, a, c, "<5km");
}
END_TEST

START_TEST(distance_should_be_under_5km_below_5km)
{
    toll__lk_feat a = at(36, 37, 0), b = at(36 + 4.99 / KM_PER_DEG, 37, 0);
    ck_level(TOLL_LINK_DISTANCE, a, b, "<5km");
    toll__lk_feat c = at(36 + 5.01 / KM_PER_DEG, 37, 0);
    ck_level(TOLL_LINK_DISTANCE, a, c, "<25km");
}
END_TEST

START_TEST(distance_should_be_under_25km_below_25km)
{
    toll__lk_feat a = at(36, 37, 0), b = at(36 + 24.99 / KM_PER_DEG, 37, 0);
    ck_level(TOLL_LINK_DISTANCE, a, b, "<25km");
    toll__lk_feat c = at(36 + 25.01 / KM_PER_DEG, 37, 0);
    ck_level(TOLL_LINK_DISTANCE, a, c, "25km+");
}
END_TEST

START_TEST(distance_should_subtract_both_precision_radii)
{
    /* 30 km apart, radii 10 and 19.5: 0.5 km */
    toll__lk_feat a = at(36, 37, 10), b = at(36 + 30 / KM_PER_DEG, 37, 19.5f);
    ck_level(TOLL_LINK_DISTANCE, a, b, "<1km");
    /* radii larger than the distance: 0, not negative */
    toll__lk_feat c = at(36, 37, 100);
    ck_level(TOLL_LINK_DISTANCE, c, b, "<1km");
}
END_TEST

START_TEST(distance_should_be_unknown_without_coordinates)
{
    toll__lk_feat a = at(36, 37, 0), b = blank();
    ck_level(TOLL_LINK_DISTANCE, a, b, "unknown");
}
END_TEST

/* ---- place --------------------------------------------------------------- */

typedef struct placed {
    toll__lk_feat f;
    char norm[128];
} placed;

static void place(placed *p, const char *name)
{
    p->f = blank();
    size_t n = toll_link_names_normalise(NULL, name, strlen(name), p->norm,
                                         sizeof p->norm);
    ck_assert_uint_lt(n, sizeof p->norm);
    p->f.place = n ? p->norm : NULL;
    p->f.place_len = (uint32_t)n;
    p->f.place_phon = toll__lk_phonetic(p->norm, n);
}

static const char *place_level(const char *x, const char *y)
{
    placed a, b;
    place(&a, x);
    place(&b, y);
    return toll_link_level_name(TOLL_LINK_PLACE,
                                (size_t)level(TOLL_LINK_PLACE, &a.f, &b.f));
}

START_TEST(place_should_be_same_when_normalised_names_are_equal)
{
    ck_assert_str_eq(place_level("Al-Bab", "el Bab"), "same");
}
END_TEST

START_TEST(place_should_sound_alike_when_phonetic_keys_are_equal)
{
    /* "kafr nabl" / "kafranbil" */
    ck_assert_str_eq(place_level("Kafr Nabl", "Kafranbel"), "sounds-alike");
}
END_TEST

START_TEST(place_should_be_close_at_jaro_winkler_092)
{
    /* one consonant changed: the phonetic keys differ (T D F, T D K) */
    ck_assert_str_eq(place_level("Tadif", "Tadik"), "close");
    ck_assert_double_ge(toll_link_jaro_winkler("tadif", 5, "tadik", 5), 0.92);
}
END_TEST

START_TEST(place_should_be_similar_from_jaro_winkler_080)
{
    double jw = toll_link_jaro_winkler("manbij", 6, "mandaj", 6);
    ck_assert_double_ge(jw, 0.80);
    ck_assert_double_lt(jw, 0.92);
    ck_assert_str_eq(place_level("Manbij", "Mandaj"), "similar");
}
END_TEST

START_TEST(place_should_be_different_below_080)
{
    ck_assert_str_eq(place_level("Aleppo", "Idlib"), "different");
    ck_assert_str_eq(place_level("Al-Bab", "Al-Rai"), "different");
}
END_TEST

START_TEST(place_should_be_unknown_without_a_place)
{
    ck_assert_str_eq(place_level("Aleppo", ""), "unknown");
    /* generic words only: no place */
    ck_assert_str_eq(place_level("Aleppo", "village"), "unknown");
}
END_TEST

/* ---- region -------------------------------------------------------------- */

static toll__lk_feat in_region(const char *path)
{
    toll__lk_feat f = blank();
    toll__lk_feat_region(&f, path, path ? strlen(path) : 0);
    return f;
}

START_TEST(region_should_be_same_at_the_deepest_common_level)
{
    toll__lk_feat a = in_region("Syria/Idlib/Ariha"),
                  b = in_region("Syria/Idlib/Ariha"), c = in_region("Syria/Idlib");
    ck_level(TOLL_LINK_REGION, a, b, "same");
    ck_level(TOLL_LINK_REGION, a, c, "same");
}
END_TEST

START_TEST(region_should_be_district_when_third_levels_differ)
{
    toll__lk_feat a = in_region("Syria/Idlib/Ariha"),
                  b = in_region("Syria/Idlib/Harim/Salqin");
    ck_level(TOLL_LINK_REGION, a, b, "district");
}
END_TEST

START_TEST(region_should_be_governorate_when_second_levels_differ)
{
    toll__lk_feat a = in_region("Syria/Idlib/Ariha"),
                  b = in_region("Syria/Aleppo/Ariha"),
                  c = in_region("Iraq/Idlib"), d = in_region("Syria/Idlibx");
    ck_level(TOLL_LINK_REGION, a, b, "governorate");
    ck_level(TOLL_LINK_REGION, a, c, "governorate");
    ck_level(TOLL_LINK_REGION, a, d, "governorate");
}
END_TEST

START_TEST(region_should_be_unknown_without_a_governorate)
{
    toll__lk_feat a = in_region("Syria/Idlib"), b = in_region("Syria"),
                  c = in_region(NULL);
    ck_level(TOLL_LINK_REGION, a, b, "unknown");
    ck_level(TOLL_LINK_REGION, a, c, "unknown");
}
END_TEST

/* ---- actors -------------------------------------------------------------- */

static toll__lk_feat with_actors(const uint32_t *ids, uint32_t n)
{
    toll__lk_feat f = blank();
    f.actors = ids;
    f.n_actors = n;
    return f;
}

START_TEST(actors_should_be_same_when_sets_are_equal)
{
    static const uint32_t x[] = {3, 7}, y[] = {3, 7};
    toll__lk_feat a = with_actors(x, 2), b = with_actors(y, 2);
    ck_level(TOLL_LINK_ACTORS, a, b, "same");
}
END_TEST

START_TEST(actors_should_overlap_when_sharing_one)
{
    static const uint32_t x[] = {3, 7}, y[] = {1, 7, 9}, z[] = {3};
    toll__lk_feat a = with_actors(x, 2), b = with_actors(y, 3),
                  c = with_actors(z, 1);
    ck_level(TOLL_LINK_ACTORS, a, b, "overlap");
    ck_level(TOLL_LINK_ACTORS, a, c, "overlap");
}
END_TEST

START_TEST(actors_should_be_disjoint_when_sharing_none)
{
    static const uint32_t x[] = {3, 7}, y[] = {1, 4, 9};
    toll__lk_feat a = with_actors(x, 2), b = with_actors(y, 3);
    ck_level(TOLL_LINK_ACTORS, a, b, "disjoint");
}
END_TEST

START_TEST(actors_should_be_unnamed_when_one_has_none)
{
    static const uint32_t x[] = {3, 7};
    toll__lk_feat a = with_actors(x, 2), b = blank();
    ck_level(TOLL_LINK_ACTORS, a, b, "unnamed");
}
END_TEST

/* ---- figures ------------------------------------------------------------- */

static toll__lk_feat killed(int64_t low, int64_t high)
{
    toll__lk_feat f = blank();
    f.low = low;
    f.high = high;
    return f;
}

START_TEST(figures_should_overlap_when_ranges_intersect)
{
    toll__lk_feat a = killed(10, 20), b = killed(20, 30), c = killed(5, TOLL_OPEN),
                  d = killed(500, 500);
    ck_level(TOLL_LINK_FIGURES, a, b, "overlap");
    ck_level(TOLL_LINK_FIGURES, c, d, "overlap");
}
END_TEST

START_TEST(figures_should_be_close_within_half_the_larger_bound)
{
    toll__lk_feat a = killed(10, 10), b = killed(14, 14), c = killed(20, 25),
                  d = killed(21, 21);
    ck_level(TOLL_LINK_FIGURES, a, b, "close");
    ck_level(TOLL_LINK_FIGURES, a, c, "close"); /* gap 10 = 20 / 2 */
    ck_level(TOLL_LINK_FIGURES, a, d, "far");   /* gap 11 > 21 / 2 */
}
END_TEST

START_TEST(figures_should_be_close_within_3)
{
    toll__lk_feat a = killed(0, 1), b = killed(4, 4), c = killed(5, 5);
    ck_level(TOLL_LINK_FIGURES, a, b, "close");
    ck_level(TOLL_LINK_FIGURES, a, c, "far");
}
END_TEST

START_TEST(figures_should_be_far_beyond)
{
    toll__lk_feat a = killed(10, 10), b = killed(40, 40);
    ck_level(TOLL_LINK_FIGURES, a, b, "far");
}
END_TEST

START_TEST(figures_should_be_unknown_without_a_figure)
{
    toll__lk_feat a = killed(10, 10), b = blank();
    ck_level(TOLL_LINK_FIGURES, a, b, "unknown");
}
END_TEST

/* ---- source -------------------------------------------------------------- */

START_TEST(source_should_be_same_for_equal_ids_and_different_otherwise)
{
    toll__lk_feat a = blank(), b = blank();
    a.source = b.source = 4;
    ck_level(TOLL_LINK_SOURCE, a, b, "same");
    b.source = 5;
    ck_level(TOLL_LINK_SOURCE, a, b, "different");
}
END_TEST

START_TEST(compare_should_be_symmetric_on_every_comparison)
{
    static const uint32_t x[] = {1, 2}, y[] = {2, 5};
    toll__lk_feat a = with_actors(x, 2), b = with_actors(y, 2);
    a.d0 = 100, a.d1 = 103, b.d0 = 106, b.d1 = 106;
    a.lat = 36, a.lon = 37, b.lat = 36.1, b.lon = 37.05, b.tol_km = 2;
    toll__lk_feat_region(&a, "Syria/Idlib/Ariha", 17);
    toll__lk_feat_region(&b, "Syria/Idlib/Harim", 17);
    a.place = "sarakib", a.place_len = 7;
    b.place = "saraki", b.place_len = 6;
    a.place_phon = toll__lk_phonetic(a.place, 7);
    b.place_phon = toll__lk_phonetic(b.place, 6);
    a.low = 3, a.high = 5, b.low = 9, b.high = TOLL_OPEN;
    a.source = 1, b.source = 2;
    uint8_t ab[TOLL_LINK_NCOMPARISONS], ba[TOLL_LINK_NCOMPARISONS];
    toll__lk_compare(&a, &b, ab);
    toll__lk_compare(&b, &a, ba);
    ck_assert_mem_eq(ab, ba, sizeof ab);
    ck_assert_uint_eq(ab[TOLL_LINK_DATE], lvl(TOLL_LINK_DATE, "2-3"));
    ck_assert_uint_eq(ab[TOLL_LINK_REGION], lvl(TOLL_LINK_REGION, "district"));
    ck_assert_uint_eq(ab[TOLL_LINK_ACTORS], lvl(TOLL_LINK_ACTORS, "overlap"));
    ck_assert_uint_eq(ab[TOLL_LINK_FIGURES], lvl(TOLL_LINK_FIGURES, "close"));
}
END_TEST

/* ---- Jaro-Winkler -------------------------------------------------------- */

START_TEST(jaro_winkler_should_match_known_values)
{
    ck_assert_double_eq_tol(toll_link_jaro_winkler("MARTHA", 6, "MARHTA", 6),
                            0.9611, 1e-4);
    ck_assert_double_eq_tol(toll_link_jaro_winkler("DWAYNE", 6, "DUANE", 5),
                            0.84, 1e-4);
    ck_assert_double_eq_tol(
        toll_link_jaro_winkler("DIXON", 5, "DICKSONX", 8), 0.8133, 1e-4);
    ck_assert_double_eq(toll_link_jaro_winkler("abc", 3, "abc", 3), 1.0);
    ck_assert_double_eq(toll_link_jaro_winkler("abc", 3, "xyz", 3), 0.0);
    ck_assert_double_eq(toll_link_jaro_winkler("", 0, "", 0), 1.0);
    ck_assert_double_eq(toll_link_jaro_winkler("a", 1, "", 0), 0.0);
}
END_TEST

START_TEST(jaro_winkler_should_be_symmetric)
{
    static const char *w[] = {"martha", "marhta", "dwayne", "duane", "dixon",
                              "dicksonx", "abcab", "bacba", "aab", "aba",
                              "kafranbil", "kafr nabl", "a", ""};
    size_t n = sizeof w / sizeof *w;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < n; j++)
            ck_assert_double_eq(
                toll_link_jaro_winkler(w[i], strlen(w[i]), w[j], strlen(w[j])),
                toll_link_jaro_winkler(w[j], strlen(w[j]), w[i], strlen(w[i])));
}
END_TEST

/* Jaro-Winkler as the textbook states it, for the test below. */
static double jw_reference(const char *a, size_t al, const char *b, size_t bl)
{
    if (al > bl || (al == bl && memcmp(a, b, al) > 0))
        return jw_reference(b, bl, a, al);
    if (al == 0)
        return bl == 0 ? 1.0 : 0.0;
    int am[64] = {0}, bm[64] = {0};
    size_t window = (bl > 1 ? bl / 2 : 1) - 1, m = 0, t = 0;
    for (size_t i = 0; i < al; i++)
        for (size_t j = i > window ? i - window : 0;
             j < bl && j <= i + window; j++)
            if (!bm[j] && a[i] == b[j]) {
                am[i] = bm[j] = 1;
                m++;
                break;
            }
    if (m == 0)
        return 0.0;
    for (size_t i = 0, j = 0; i < al; i++)
        if (am[i]) {
            while (!bm[j])
                j++;
            t += a[i] != b[j++];
        }
    double dm = (double)m;
    double jaro = (dm / (double)al + dm / (double)bl +
                   (dm - (double)(t / 2)) / dm) / 3.0;
    size_t prefix = 0;
    while (prefix < 4 && prefix < al && a[prefix] == b[prefix])
        prefix++;
    return jaro + (double)prefix * 0.1 * (1.0 - jaro);
}

START_TEST(jaro_winkler_should_equal_the_textbook_definition_up_to_64_bytes)
{
    /* random strings over a small alphabet (many repeated letters, so
     * the window and the first-unmatched rule decide) of every length */
    uint64_t x = 88172645463325252u;
    char a[65], b[65];
    for (int k = 0; k < 50000; k++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        size_t al = x % 65, bl = (x >> 8) % 65;
        for (size_t i = 0; i < al; i++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            a[i] = (char)('a' + x % 4);
        }
        for (size_t i = 0; i < bl; i++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            b[i] = (char)('a' + x % 4);
        }
        ck_assert_double_eq_tol(toll_link_jaro_winkler(a, al, b, bl),
                                jw_reference(a, al, b, bl), 1e-12);
    }
}
END_TEST

START_TEST(memo_should_give_the_levels_of_the_comparison)
{
    /* 40 names (some alike) in 3,000 random pairs, more pairs of names
     * than the memo has slots: hits, misses and evictions all occur */
    static const char *const names[] = {
        "saraqib", "saraqeb", "sarakib", "ariha", "areeha", "idlib",
        "idleb", "maarat", "marat", "kafr nabl", "kafranbel", "khan shaykhun",
        "khan sheikhoun", "jisr", "jisr ash shughur", "binnish", "benesh",
        "taftanaz", "taftanas", "sarmin", "sermin", "hazano", "hazanu",
        "atarib", "atareb", "darat izza", "daret azza", "anadan", "anadan x",
        "hraytan", "haritan", "tal rifat", "tell rifaat", "azaz", "aazaz",
        "manbij", "menbij", "bab", "al bab", "jarabulus"};
    enum { N = sizeof names / sizeof names[0] };
    toll__lk_feat f[N];
    for (int i = 0; i < N; i++) {
        f[i] = blank();
        f[i].place = names[i];
        f[i].place_len = (uint32_t)strlen(names[i]);
    }
    toll__lk_memo *memo = calloc(1, sizeof *memo);
    ck_assert_ptr_nonnull(memo);
    uint64_t x = 2463534242u;
    for (int k = 0; k < 3000; k++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        const toll__lk_feat *a = &f[x % N], *b = &f[(x >> 20) % N];
        uint8_t want[TOLL_LINK_NCOMPARISONS], got[TOLL_LINK_NCOMPARISONS];
        toll__lk_compare(a, b, want);
        toll__lk_compare_memo(a, b, memo, got);
        ck_assert_mem_eq(got, want, sizeof want);
        toll__lk_compare_memo(b, a, memo, got);
        ck_assert_mem_eq(got, want, sizeof want);
    }
    free(memo);
}
END_TEST

START_TEST(jaro_winkler_should_agree_beyond_64_bytes)
{
    /* 65 bytes, the last differing: 64 matches, no transposition */
    static char a[65], b[65];
    memset(a, 'x', sizeof a);
    memset(b, 'x', sizeof b);
    a[64] = 'y';
    b[64] = 'z';
    double jaro = (64.0 / 65 + 64.0 / 65 + 1.0) / 3;
    ck_assert_double_eq_tol(toll_link_jaro_winkler(a, 65, b, 65),
                            jaro + 0.4 * (1 - jaro), 1e-12);
    /* the same at 64 bytes */
    jaro = (63.0 / 64 + 63.0 / 64 + 1.0) / 3;
    ck_assert_double_eq_tol(toll_link_jaro_winkler(a + 1, 64, b + 1, 64),
                            jaro + 0.4 * (1 - jaro), 1e-12);
}
END_TEST

START_TEST(jaro_winkler_should_handle_long_strings)
{
    static char a[5000], b[5000];
    memset(a, 'x', sizeof a);
    memset(b, 'x', sizeof b);
    b[10] = 'y';
    double jw = toll_link_jaro_winkler(a, sizeof a, b, sizeof b);
    ck_assert(jw > 0.99 && jw < 1.0);
}
END_TEST

/* ---- normalisation ------------------------------------------------------- */

/* The normalised form of s in one of 4 rotating buffers (two calls may be
 * compared). */
static const char *norm(const char *s)
{
    static char buf[4][256];
    static int k;
    k = (k + 1) % 4;
    toll_link_names_normalise(NULL, s, strlen(s), buf[k], sizeof buf[k]);
    return buf[k];
}

static void all_equal(const char *const *names, const char *want)
{
    for (size_t i = 0; names[i]; i++)
        ck_assert_msg(strcmp(norm(names[i]), want) == 0,
                      "\"%s\" -> \"%s\", want \"%s\"", names[i],
                      norm(names[i]), want);
}

START_TEST(normalise_should_fold_case_marks_and_apostrophes)
{
    ck_assert_str_eq(norm("Ma\xca\xbf\x61rrat"), "marat");   /* ʿ */
    ck_assert_str_eq(norm("MA\xe2\x80\x99\x41RRAT"), "marat"); /* ’ */
    ck_assert_str_eq(norm("Ma`arrat"), "marat");
    ck_assert_str_eq(norm("D\xc3\xa2r\xc3\xa2\x61"), "dara"); /* Dârâa */
    ck_assert_str_eq(norm("  Hama.  "), "hama");
}
END_TEST

START_TEST(normalise_should_unify_maarat_al_numan)
{
    static const char *const v[] = {"Ma'arrat al-Nu'man", "Maarat an-Numan",
                                    "Ma\xe2\x80\x99\x61rrat Al Nouman",
                                    "MAARRAT EN-NUMAN", NULL};
    all_equal(v, "marat numan");
}
END_TEST

START_TEST(normalise_should_unify_khan_shaykhun)
{
    static const char *const v[] = {"Khan Shaykhun", "Khan Sheikhoun",
                                    "Han Shaykhun", "Khan Cheikhoun", NULL};
    all_equal(v, "han shayhun");
}
END_TEST

START_TEST(normalise_should_drop_the_article)
{
    static const char *const v[] = {"Al-Bab", "el Bab", "Bab", "al_bab",
                                    "AL BAB", NULL};
    all_equal(v, "bab");
}
END_TEST

START_TEST(normalise_should_unify_deir_ez_zor)
{
    static const char *const v[] = {"Deir ez-Zor", "Dayr al-Zawr",
                                    "Deir Ezzor", "Deir el-Zour", NULL};
    all_equal(v, "dayr zur");
}
END_TEST

START_TEST(normalise_should_unify_saraqib)
{
    static const char *const v[] = {"Saraqib", "Saraqeb", "Sarakib", NULL};
    all_equal(v, "sarakib");
}
END_TEST

START_TEST(normalise_should_strip_a_glued_article_after_the_first_word)
{
    ck_assert_str_eq(norm("Maarrat Alnuman"), "marat numan");
    ck_assert_str_eq(norm("Jisr Ashshughur"), "jisr shughur");
    /* not from the first word, nor before a vowel */
    ck_assert_str_eq(norm("Alnuman"), "alnuman");
    ck_assert_str_eq(norm("Aleppo"), "alipu");
    ck_assert_str_eq(norm("Tal Aleppo"), "tal alipu");
}
END_TEST

START_TEST(normalise_should_keep_a_lone_article)
{
    ck_assert_str_eq(norm("Al"), "al");
    ck_assert_str_eq(norm("village of al"), "al");
}
END_TEST

START_TEST(normalise_should_drop_generic_words)
{
    ck_assert_str_eq(norm("Kafr Nabl village"), "kafr nabl");
    ck_assert_str_eq(norm("the outskirts of Saraqib"), "sarakib");
    ck_assert_str_eq(norm("Countryside of Idlib"), "idlib");
    ck_assert_str_eq(norm("Yarmouk camp"), "yarmuk camp");
}
END_TEST

START_TEST(normalise_should_take_the_first_part_with_a_name)
{
    ck_assert_str_eq(norm("Al-Mohsenli,  countryside of Manbij, Aleppo"),
                     "muhsinli");
    ck_assert_str_eq(norm("village, Saraqib; Idlib"), "sarakib");
    ck_assert_str_eq(norm("Saraqib\xd8\x8c Idlib"), "sarakib"); /* ، */
    ck_assert_str_eq(norm("the neighborhood of Safia in the city of Hasakah"),
                     "safia hasakah");
    ck_assert_str_eq(norm(", , village"), "");
}
END_TEST

START_TEST(normalise_should_keep_different_places_apart)
{
    ck_assert_str_ne(norm("Aleppo"), norm("Idlib"));
    ck_assert_str_ne(norm("Al-Bab"), norm("Al-Rai"));
    ck_assert_str_ne(norm("Ad-Dana"), norm("Al-Atarib"));
    ck_assert_str_ne(norm("Hama"), norm("Homs"));
    ck_assert_str_ne(norm("Tell Abyad"), norm("Tell Tamer"));
    ck_assert_str_ne(norm("Kafr Nabl"), norm("Kafr Takharim"));
}
END_TEST

START_TEST(normalise_should_not_unify_what_vowels_or_spacing_separate)
{
    /* limits of the rules, left to the phonetic key */
    ck_assert_str_ne(norm("Maaret Alnouman"), norm("Maarat al-Numan"));
    ck_assert_str_ne(norm("Kafr Nabl"), norm("Kafranbel"));
    ck_assert_uint_eq(toll__lk_phonetic("marit numan", 11),
                      toll__lk_phonetic("marat numan", 11));
}
END_TEST

START_TEST(normalise_should_keep_non_latin_letters)
{
    /* Arabic script stays as is (folded); its punctuation separates */
    ck_assert_str_eq(norm("\xd8\xa7\xd9\x84\xd8\xa8\xd8\xa7\xd8\xa8"),
                     "\xd8\xa7\xd9\x84\xd8\xa8\xd8\xa7\xd8\xa8");
    ck_assert_str_eq(norm("\xef\xbc\xa8\xef\xbd\x81\xef\xbd\x8d\xef\xbd\x81"),
                     "hama"); /* fullwidth */
}
END_TEST

START_TEST(normalise_should_survive_bytes_that_are_not_utf8)
{
    ck_assert_str_eq(norm("Ham\xff\xfe" "a"), "ham a");
}
END_TEST

START_TEST(normalise_should_truncate_like_snprintf)
{
    char buf[6];
    size_t n = toll_link_names_normalise(NULL, "Khan Shaykhun", 13, buf,
                                         sizeof buf);
    ck_assert_uint_eq(n, strlen("han shayhun"));
    ck_assert_str_eq(buf, "han s");
    ck_assert_uint_eq(toll_link_names_normalise(NULL, "Bab", 3, NULL, 0), 3);
    char one[1] = {'x'};
    ck_assert_uint_eq(toll_link_names_normalise(NULL, "Bab", 3, one, 1), 3);
    ck_assert_int_eq(one[0], '\0');
}
END_TEST

START_TEST(normalise_should_accept_the_static_default_table)
{
    char buf[32];
    ck_assert_uint_eq(toll_link_names_normalise(toll__lk_default_names(),
                                                "Al-Bab", 6, buf, sizeof buf),
                      3);
    ck_assert_str_eq(buf, "bab");
}
END_TEST

START_TEST(place_normalise_should_clear_its_buffer)
{
    toll__buf b;
    toll__buf_init(&b, toll_default_allocator());
    ck_assert_int_eq(toll__buf_append(&b, "junk", 4), TOLL_OK);
    ck_assert_int_eq(toll__lk_place_normalise(NULL, "Al-Bab", 6, &b), TOLL_OK);
    ck_assert_uint_eq(b.len, 3);
    ck_assert_mem_eq(b.data, "bab", 3);
    toll__buf_free(&b);
}
END_TEST

/* ---- the phonetic key ---------------------------------------------------- */

static uint64_t phon(const char *s)
{
    char buf[256];
    size_t n = toll_link_names_normalise(NULL, s, strlen(s), buf, sizeof buf);
    return toll__lk_phonetic(buf, n);
}

START_TEST(phonetic_should_ignore_vowels_and_spaces)
{
    ck_assert_uint_eq(phon("Kafr Nabl"), phon("Kafranbel"));
    ck_assert_uint_eq(phon("Maaret Alnouman"), phon("Ma'arrat al-Nu'man"));
    ck_assert_uint_eq(phon("Idlib"), phon("Edlib"));
    ck_assert_uint_eq(phon("Homs"), phon("Hims"));
}
END_TEST

START_TEST(phonetic_should_group_similar_consonants)
{
    ck_assert_uint_eq(toll__lk_phonetic("bab", 3), toll__lk_phonetic("pap", 3));
    ck_assert_uint_eq(toll__lk_phonetic("kusayr", 6),
                      toll__lk_phonetic("qusair", 6));
    ck_assert_uint_eq(toll__lk_phonetic("shaar", 5),
                      toll__lk_phonetic("shar", 4));
}
END_TEST

START_TEST(phonetic_should_tell_different_skeletons_apart)
{
    ck_assert_uint_ne(phon("Aleppo"), phon("Idlib"));
    ck_assert_uint_ne(phon("Hama"), phon("Hamama"));
    ck_assert_uint_ne(phon("Bab"), phon("Abab"));
    ck_assert_uint_ne(phon("Dana"), phon("Tana"));
}
END_TEST

START_TEST(phonetic_should_be_0_only_for_the_empty_name)
{
    ck_assert_uint_eq(toll__lk_phonetic("", 0), 0);
    ck_assert_uint_eq(toll__lk_phonetic(" ", 1), 0);
    ck_assert_uint_ne(toll__lk_phonetic("a", 1), 0);
    ck_assert_uint_ne(toll__lk_phonetic("\xd8\xa8", 2), 0);
}
END_TEST

/* ---- the JSON table ------------------------------------------------------ */

static toll_link_names *new_names(void)
{
    toll_link_names *t = NULL;
    toll_error e;
    ck_assert_int_eq(toll_link_names_new(NULL, &t, &e), TOLL_OK);
    ck_assert_ptr_nonnull(t);
    return t;
}

static const char *tnorm(const toll_link_names *t, const char *s)
{
    static char buf[256];
    toll_link_names_normalise(t, s, strlen(s), buf, sizeof buf);
    return buf;
}

static toll_status load(toll_link_names *t, const char *json, toll_error *e)
{
    return toll_link_names_load_json(t, json, strlen(json), "names.json", e);
}

START_TEST(names_new_should_hold_the_default_table)
{
    toll_link_names *t = new_names();
    static const char *const w[] = {"Deir Ezzor", "Khan Sheikhoun",
                                    "Al-Mohsenli, Manbij", "Kafranbel", NULL};
    for (size_t i = 0; w[i]; i++)
        ck_assert_str_eq(tnorm(t, w[i]), norm(w[i]));
    toll_link_names_free(t);
    toll_link_names_free(NULL);
}
END_TEST

START_TEST(names_load_json_should_extend_the_table)
{
    toll_link_names *t = new_names();
    toll_error e;
    ck_assert_int_eq(load(t, "{\"articles\": [\"Bani\"], \"generic\": "
                             "[\"Camp\", \"IDP camp\"], \"pairs\": "
                             "[[\"kafr\", \"kfr\"]]}",
                          &e),
                     TOLL_OK);
    ck_assert_str_eq(tnorm(t, "Bani Walid"), "walid");
    ck_assert_str_eq(tnorm(t, "Yarmouk Camp"), "yarmuk");
    ck_assert_str_eq(tnorm(t, "Kafr Nabl"), "kfr nabl");
    ck_assert_str_eq(tnorm(t, "Al-Bab"), "bab"); /* the defaults stay */
    toll_link_names_free(t);
}
END_TEST

START_TEST(names_load_json_should_prefer_the_longest_then_the_last_pair)
{
    toll_link_names *t = new_names();
    ck_assert_int_eq(load(t, "{\"pairs\": [[\"kh\", \"x\"]]}", NULL), TOLL_OK);
    ck_assert_str_eq(tnorm(t, "Khan"), "xan");
    ck_assert_int_eq(load(t, "{\"pairs\": [[\"kha\", \"q\"]]}", NULL),
                     TOLL_OK);
    ck_assert_str_eq(tnorm(t, "Khan"), "qn");
    toll_link_names_free(t);
}
END_TEST

START_TEST(names_load_json_should_replace_the_table)
{
    toll_link_names *t = new_names();
    ck_assert_int_eq(load(t, "{\"replace\": true, \"articles\": [\"al\"]}",
                          NULL),
                     TOLL_OK);
    ck_assert_str_eq(tnorm(t, "Al-Bab el-Sheikh village"),
                     "bab el sheikh vilage");
    ck_assert_int_eq(load(t, "{\"replace\": true}", NULL), TOLL_OK);
    ck_assert_str_eq(tnorm(t, "Al-Bab"), "al bab");
    toll_link_names_free(t);
}
END_TEST

START_TEST(names_load_file_should_read_the_shipped_table)
{
    toll_link_names *t = new_names();
    toll_error e;
    ck_assert_msg(toll_link_names_load_file(
                      t, TOLL_EXAMPLE_DATA_DIR "/link_names.json", &e) ==
                      TOLL_OK,
                  "%s", e.message);
    static const char *const w[] = {"Deir Ezzor", "Khan Sheikhoun",
                                    "Al-Mohsenli, Manbij", "Kafranbel",
                                    "Ma'arrat al-Nu'man", NULL};
    for (size_t i = 0; w[i]; i++)
        ck_assert_str_eq(tnorm(t, w[i]), norm(w[i]));
    ck_assert_int_eq(toll_link_names_load_file(t, "/nonexistent/x.json", &e),
                     TOLL_ENOTFOUND);
    ck_assert_ptr_nonnull(strstr(e.message, "/nonexistent/x.json"));
    toll_link_names_free(t);
}
END_TEST

/* Load `json`, expect `code` with a message holding `want1` and `want2`,
 * and the table unchanged. */
static void expect_load_error(const char *json, toll_status code,
                              const char *want1, const char *want2)
{
    toll_link_names *t = new_names();
    toll_error e;
    ck_assert_int_eq(load(t, json, &e), code);
    ck_assert_msg(strstr(e.message, "names.json") != NULL, "%s", e.message);
    ck_assert_msg(strstr(e.message, want1) != NULL, "%s", e.message);
    ck_assert_msg(!want2 || strstr(e.message, want2) != NULL, "%s",
                  e.message);
    ck_assert_str_eq(tnorm(t, "Deir el-Zour, village"), "dayr zur");
    ck_assert_str_eq(tnorm(t, "Khan Sheikhoun"), "han shayhun");
    toll_link_names_free(t);
}

START_TEST(names_load_json_should_reject_an_unknown_key)
{
    expect_load_error("{\"articles\": [\"x\"], \"words\": []}", TOLL_EINVAL,
                      "words", "unknown key");
}
END_TEST

START_TEST(names_load_json_should_reject_an_item_that_is_not_a_string)
{
    expect_load_error("{\"generic\": [\"x\", 3]}", TOLL_EINVAL, "generic",
                      "item 2");
    expect_load_error("{\"articles\": \"al\"}", TOLL_EINVAL, "articles",
                      "array");
}
END_TEST

START_TEST(names_load_json_should_reject_an_empty_string)
{
    expect_load_error("{\"articles\": [\"\"]}", TOLL_EINVAL, "articles",
                      "empty");
    expect_load_error("{\"generic\": [\" - \"]}", TOLL_EINVAL, "generic",
                      "\" - \"");
}
END_TEST

START_TEST(names_load_json_should_reject_a_bad_pair)
{
    expect_load_error("{\"pairs\": [[\"sh\"]]}", TOLL_EINVAL, "pairs",
                      "item 1");
    expect_load_error("{\"pairs\": [[\"sh\", \"ch\", \"x\"]]}", TOLL_EINVAL,
                      "pairs", "[from, to]");
    expect_load_error("{\"pairs\": [[\"sh\", 1]]}", TOLL_EINVAL, "pairs",
                      "not a string");
    expect_load_error("{\"pairs\": [\"sh\"]}", TOLL_EINVAL, "pairs", "sh");
    expect_load_error("{\"pairs\": [[\"sh\", \"\"]]}", TOLL_EINVAL, "pairs",
                      "empty");
}
END_TEST

START_TEST(names_load_json_should_reject_a_nul_in_a_string)
{
    expect_load_error("{\"generic\": [\"camp\\u0000x\"]}", TOLL_EINVAL,
                      "\"camp\\u0000x\"", "NUL");
}
END_TEST

START_TEST(names_load_json_should_reject_a_multiword_article)
{
    expect_load_error("{\"articles\": [\"bani al\"]}", TOLL_EINVAL,
                      "bani al", "one word");
}
END_TEST

START_TEST(names_load_json_should_reject_bad_json)
{
    expect_load_error("{\"articles\": [", TOLL_EPARSE, "invalid JSON", NULL);
    expect_load_error("[]", TOLL_EPARSE, "object", NULL);
    expect_load_error("{} x", TOLL_EPARSE, "after", NULL);
    expect_load_error("{\"replace\": 1}", TOLL_EINVAL, "replace", NULL);
    toll_link_names *t = new_names();
    toll_error e;
    ck_assert_int_eq(toll_link_names_load_json(t, "", 0, "names.json", &e),
                     TOLL_EPARSE);
    toll_link_names_free(t);
}
END_TEST

START_TEST(names_should_fail_cleanly_at_every_allocation)
{
    static const char json[] =
        "{\"articles\": [\"bani\"], \"pairs\": [[\"kafr\", \"kfr\"]]}";
    for (long k = 1; k < 100; k++) {
        failing_alloc f;
        failing_alloc_init(&f, k);
        toll_link_names *t = NULL;
        toll_error e;
        toll_status st = toll_link_names_new(&f.a, &t, &e);
        if (st == TOLL_OK) {
            st = load(t, json, &e);
            ck_assert(st == TOLL_OK || st == TOLL_ENOMEM);
            f.fail_at = 0;
            ck_assert_str_eq(tnorm(t, "Kafr Nabl"),
                             st == TOLL_OK ? "kfr nabl" : "kafr nabl");
            toll_link_names_free(t);
        } else {
            ck_assert_int_eq(st, TOLL_ENOMEM);
            ck_assert_ptr_null(t);
        }
        ck_assert_int_eq(f.live, 0);
    }
}
END_TEST

static Suite *link_compare_suite(void)
{
    Suite *s = suite_create("link_compare");

    TCase *n = tcase_create("names");
    tcase_add_test(n, comparison_names_should_round_trip);
    tcase_add_test(n, level_parse_should_name_the_text_on_error);
    tcase_add_test(n, level_counts_should_match_the_header);
    suite_add_tcase(s, n);

    TCase *c = tcase_create("levels");
    tcase_add_test(c, date_should_be_0_when_spans_overlap_or_touch);
    tcase_add_test(c, date_should_be_1_at_one_day_apart);
    tcase_add_test(c, date_should_be_2_3_from_two_to_three_days);
    tcase_add_test(c, date_should_be_4_plus_from_four_days);
    tcase_add_test(c, date_should_be_unknown_without_a_date);
    tcase_add_test(c, distance_should_know_london_to_paris);
    tcase_add_test(c, distance_should_be_under_1km_below_1km);
    tcase_add_test(c, distance_should_be_under_5km_below_5km);
    tcase_add_test(c, distance_should_be_under_25km_below_25km);
    tcase_add_test(c, distance_should_subtract_both_precision_radii);
    tcase_add_test(c, distance_should_be_unknown_without_coordinates);
    tcase_add_test(c, place_should_be_same_when_normalised_names_are_equal);
    tcase_add_test(c, place_should_sound_alike_when_phonetic_keys_are_equal);
    tcase_add_test(c, place_should_be_close_at_jaro_winkler_092);
    tcase_add_test(c, place_should_be_similar_from_jaro_winkler_080);
    tcase_add_test(c, place_should_be_different_below_080);
    tcase_add_test(c, place_should_be_unknown_without_a_place);
    tcase_add_test(c, region_should_be_same_at_the_deepest_common_level);
    tcase_add_test(c, region_should_be_district_when_third_levels_differ);
    tcase_add_test(c, region_should_be_governorate_when_second_levels_differ);
    tcase_add_test(c, region_should_be_unknown_without_a_governorate);
    tcase_add_test(c, actors_should_be_same_when_sets_are_equal);
    tcase_add_test(c, actors_should_overlap_when_sharing_one);
    tcase_add_test(c, actors_should_be_disjoint_when_sharing_none);
    tcase_add_test(c, actors_should_be_unnamed_when_one_has_none);
    tcase_add_test(c, figures_should_overlap_when_ranges_intersect);
    tcase_add_test(c, figures_should_be_close_within_half_the_larger_bound);
    tcase_add_test(c, figures_should_be_close_within_3);
    tcase_add_test(c, figures_should_be_far_beyond);
    tcase_add_test(c, figures_should_be_unknown_without_a_figure);
    tcase_add_test(c,
                   source_should_be_same_for_equal_ids_and_different_otherwise);
    tcase_add_test(c, compare_should_be_symmetric_on_every_comparison);
    suite_add_tcase(s, c);

    TCase *j = tcase_create("jaro_winkler");
    tcase_add_test(j, jaro_winkler_should_match_known_values);
    tcase_add_test(j, jaro_winkler_should_be_symmetric);
    tcase_add_test(j, jaro_winkler_should_agree_beyond_64_bytes);
    tcase_add_test(j, jaro_winkler_should_equal_the_textbook_definition_up_to_64_bytes);
    tcase_add_test(j, memo_should_give_the_levels_of_the_comparison);
    tcase_add_test(j, jaro_winkler_should_handle_long_strings);
    suite_add_tcase(s, j);

    TCase *p = tcase_create("normalise");
    tcase_add_test(p, normalise_should_fold_case_marks_and_apostrophes);
    tcase_add_test(p, normalise_should_unify_maarat_al_numan);
    tcase_add_test(p, normalise_should_unify_khan_shaykhun);
    tcase_add_test(p, normalise_should_drop_the_article);
    tcase_add_test(p, normalise_should_unify_deir_ez_zor);
    tcase_add_test(p, normalise_should_unify_saraqib);
    tcase_add_test(p, normalise_should_strip_a_glued_article_after_the_first_word);
    tcase_add_test(p, normalise_should_keep_a_lone_article);
    tcase_add_test(p, normalise_should_drop_generic_words);
    tcase_add_test(p, normalise_should_take_the_first_part_with_a_name);
    tcase_add_test(p, normalise_should_keep_different_places_apart);
    tcase_add_test(p, normalise_should_not_unify_what_vowels_or_spacing_separate);
    tcase_add_test(p, normalise_should_keep_non_latin_letters);
    tcase_add_test(p, normalise_should_survive_bytes_that_are_not_utf8);
    tcase_add_test(p, normalise_should_truncate_like_snprintf);
    tcase_add_test(p, normalise_should_accept_the_static_default_table);
    tcase_add_test(p, place_normalise_should_clear_its_buffer);
    tcase_add_test(p, phonetic_should_ignore_vowels_and_spaces);
    tcase_add_test(p, phonetic_should_group_similar_consonants);
    tcase_add_test(p, phonetic_should_tell_different_skeletons_apart);
    tcase_add_test(p, phonetic_should_be_0_only_for_the_empty_name);
    suite_add_tcase(s, p);

    TCase *t = tcase_create("table");
    tcase_add_test(t, names_new_should_hold_the_default_table);
    tcase_add_test(t, names_load_json_should_extend_the_table);
    tcase_add_test(t, names_load_json_should_prefer_the_longest_then_the_last_pair);
    tcase_add_test(t, names_load_json_should_replace_the_table);
    tcase_add_test(t, names_load_file_should_read_the_shipped_table);
    tcase_add_test(t, names_load_json_should_reject_an_unknown_key);
    tcase_add_test(t, names_load_json_should_reject_an_item_that_is_not_a_string);
    tcase_add_test(t, names_load_json_should_reject_an_empty_string);
    tcase_add_test(t, names_load_json_should_reject_a_bad_pair);
    tcase_add_test(t, names_load_json_should_reject_a_nul_in_a_string);
    tcase_add_test(t, names_load_json_should_reject_a_multiword_article);
    tcase_add_test(t, names_load_json_should_reject_bad_json);
    tcase_add_test(t, names_should_fail_cleanly_at_every_allocation);
    suite_add_tcase(s, t);
    return s;
}

int main(void) { return toll_test_run(link_compare_suite()); }
