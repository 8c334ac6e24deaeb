/*
 * src/link/compare.c - the comparisons of the probabilistic linker
 * (toll/link_compare.h, docs/linking.md "Comparisons"): one call puts a
 * pair of reports' features in a level of every comparison.  The level
 * indices are those of the names in src/link/levels.c.
 *
 * toll__lk_compare runs on every candidate pair (up to about 10^8): it
 * allocates nothing, computes the distance only when both reports have
 * coordinates and Jaro-Winkler only when the place names are neither equal
 * nor alike in sound.
 */
#include "link/link_int.h"

#include <math.h>
#include <string.h>

/* ---- Jaro-Winkler ------------------------------------------------------- */

/* Longer strings are compared by their first JW_MAX bytes. */
#define JW_MAX 4096

/* Jaro and the Winkler boost from m matches, `half` transposed matches
 * (twice the transpositions) and the common prefix. */
static double jw_score(const char *a, size_t al, const char *b, size_t bl,
                       size_t m, size_t half)
{
    if (m == 0)
        return 0.0;
    double dm = (double)m;
    double jaro = (dm / (double)al + dm / (double)bl +
                   (dm - (double)(half / 2)) / dm) /
                  3.0;
    size_t prefix = 0;
    while (prefix < 4 && prefix < al && a[prefix] == b[prefix])
        prefix++;
    return jaro + (double)prefix * 0.1 * (1.0 - jaro);
}

/* The same for strings of at most 64 bytes (place names): the match flags
 * in one word each, and per byte value the positions where b holds it, so
 * that a[i]'s match (the first unmatched equal byte of b in the window) is
 * the lowest bit of (positions & unmatched & window). */
static double jw_short(const char *a, size_t al, const char *b, size_t bl)
{
    const unsigned char *ua = (const unsigned char *)a,
                        *ub = (const unsigned char *)b;
    uint64_t pos[256]; /* only the entries of a's and b's bytes are read */
    for (size_t i = 0; i < al; i++)
        pos[ua[i]] = 0;
    for (size_t j = 0; j < bl; j++)
        pos[ub[j]] = 0;
    for (size_t j = 0; j < bl; j++)
        pos[ub[j]] |= UINT64_C(1) << j;
    uint64_t am = 0, bm = 0;
    size_t window = (bl > 1 ? bl / 2 : 1) - 1, m = 0;
    for (size_t i = 0; i < al; i++) {
        size_t lo = i > window ? i - window : 0;
        size_t hi = i + window + 1 < bl ? i + window + 1 : bl;
        if (lo >= hi)
            continue;
        uint64_t win = (hi == 64 ? ~UINT64_C(0) : (UINT64_C(1) << hi) - 1) &
                       ~((UINT64_C(1) << lo) - 1);
        uint64_t cand = pos[ua[i]] & ~bm & win;
        if (cand) {
            am |= UINT64_C(1) << i;
            bm |= cand & (~cand + 1); /* the lowest bit */
            m++;
        }
    }
    size_t half = 0;
    for (uint64_t x = am, y = bm; x; x &= x - 1, y &= y - 1)
        half += a[__builtin_ctzll(x)] != b[__builtin_ctzll(y)];
    return jw_score(a, al, b, bl, m, half);
}

/* Jaro-Winkler of a (the shorter, or the smaller of equal lengths) and b. */
static double jw_ordered(const char *a, size_t al, const char *b, size_t bl)
{
    if (al == 0)
        return bl == 0 ? 1.0 : 0.0;
    if (bl <= 64)
        return jw_short(a, al, b, bl);
    uint64_t am[JW_MAX / 64], bm[JW_MAX / 64];
    memset(am, 0, (al + 63) / 64 * sizeof *am);
    memset(bm, 0, (bl + 63) / 64 * sizeof *bm);
    size_t window = (bl > 1 ? bl / 2 : 1) - 1, m = 0;
    for (size_t i = 0; i < al; i++) {
        size_t lo = i > window ? i - window : 0;
        size_t hi = i + window + 1 < bl ? i + window + 1 : bl;
        for (size_t j = lo; j < hi; j++) {
            if ((bm[j / 64] >> (j % 64)) & 1 || a[i] != b[j])
                continue;
            am[i / 64] |= UINT64_C(1) << (i % 64);
            bm[j / 64] |= UINT64_C(1) << (j % 64);
            m++;
            break;
        }
    }
    size_t half = 0, j = 0;
    for (size_t i = 0; i < al && m; i++) {
        if (!((am[i / 64] >> (i % 64)) & 1))
            continue;
        while (!((bm[j / 64] >> (j % 64)) & 1))
            j++;
        half += a[i] != b[j];
        j++;
    }
    return jw_score(a, al, b, bl, m, half);
}

double toll_link_jaro_winkler(const char *a, size_t alen, const char *b,
                              size_t blen)
{
    if (!a)
        alen = 0;
    if (!b)
        blen = 0;
    if (alen > JW_MAX)
        alen = JW_MAX;
    if (blen > JW_MAX)
        blen = JW_MAX;
    /* the same order for (a, b) and (b, a): symmetric by construction */
    int swap = alen > blen;
    if (alen == blen && alen) {
        int c = memcmp(a, b, alen);
        if (c == 0)
            return 1.0;
        swap = c > 0;
    }
    return swap ? jw_ordered(b, blen, a, alen) : jw_ordered(a, alen, b, blen);
}

/* ---- distance ----------------------------------------------------------- */

#define EARTH_KM 6371.0088
#define RAD_PER_DEGREE (3.14159265358979323846 / 180.0)
/* A little under the length of a degree of latitude (111.195 km), so that
 * the bound below stays a lower bound after rounding. */
#define KM_PER_DEGREE 111.19

double toll_link_distance_km(double lat1, double lon1, double lat2,
                             double lon2)
{
    const double r = EARTH_KM, rad = RAD_PER_DEGREE;
    double p1 = lat1 * rad, p2 = lat2 * rad;
    double dp = (lat2 - lat1) * rad, dl = (lon2 - lon1) * rad;
    double s1 = sin(dp / 2), s2 = sin(dl / 2);
    double h = s1 * s1 + cos(p1) * cos(p2) * s2 * s2;
    if (h > 1.0)
        h = 1.0;
    return 2.0 * r * asin(sqrt(h));
}

/* ---- the comparisons ---------------------------------------------------- */

enum { DATE_0, DATE_1, DATE_2_3, DATE_4, DATE_UNKNOWN };
enum { DIST_1, DIST_5, DIST_25, DIST_FAR, DIST_UNKNOWN };
enum { PLACE_SAME, PLACE_SOUNDS, PLACE_CLOSE, PLACE_SIMILAR, PLACE_DIFF,
       PLACE_UNKNOWN };
enum { REGION_SAME, REGION_DISTRICT, REGION_GOV, REGION_UNKNOWN };
enum { ACTORS_SAME, ACTORS_OVERLAP, ACTORS_DISJOINT, ACTORS_UNNAMED };
enum { FIG_OVERLAP, FIG_CLOSE, FIG_FAR, FIG_UNKNOWN };
enum { SOURCE_DIFFERENT, SOURCE_SAME };

static uint8_t cmp_date(const toll__lk_feat *a, const toll__lk_feat *b)
{
    if (a->d0 == TOLL_NO_DATE || b->d0 == TOLL_NO_DATE)
        return DATE_UNKNOWN;
    int64_t lo = a->d0 > b->d0 ? a->d0 : b->d0;
    int64_t hi = a->d1 < b->d1 ? a->d1 : b->d1;
    int64_t gap = lo - hi;
    return gap <= 0 ? DATE_0 : gap == 1 ? DATE_1 : gap <= 3 ? DATE_2_3
                                                            : DATE_4;
}

static uint8_t cmp_distance(const toll__lk_feat *a, const toll__lk_feat *b)
{
    if (isnan(a->lat) || isnan(b->lat) || isnan(a->lon) || isnan(b->lon))
        return DIST_UNKNOWN;
    double tol = (double)a->tol_km + (double)b->tol_km;
    /* the difference of latitudes alone bounds the distance from below:
     * far pairs need no trigonometry */
    if (fabs(a->lat - b->lat) * KM_PER_DEGREE - tol >= 25.0)
        return DIST_FAR;
    double d = toll_link_distance_km(a->lat, a->lon, b->lat, b->lon) - tol;
    return d < 1.0 ? DIST_1 : d < 5.0 ? DIST_5 : d < 25.0 ? DIST_25
                                                          : DIST_FAR;
}

/* The place level of two different names that do not sound alike. */
static uint8_t place_by_jw(const toll__lk_feat *a, const toll__lk_feat *b)
{
    double jw = toll_link_jaro_winkler(a->place, a->place_len, b->place,
                                       b->place_len);
    return jw >= 0.92 ? PLACE_CLOSE : jw >= 0.80 ? PLACE_SIMILAR
                                                 : PLACE_DIFF;
}

static uint8_t cmp_place(const toll__lk_feat *a, const toll__lk_feat *b,
                         toll__lk_memo *memo)
{
    if (!a->place || !b->place || !a->place_len || !b->place_len)
        return PLACE_UNKNOWN;
    if (a->place_len == b->place_len &&
        memcmp(a->place, b->place, a->place_len) == 0)
        return PLACE_SAME;
    if (a->place_phon && a->place_phon == b->place_phon)
        return PLACE_SOUNDS;
    if (!memo)
        return place_by_jw(a, b);
    /* the pair of addresses in order (the level is symmetric), hashed */
    const char *x = a->place, *y = b->place;
    if ((uintptr_t)x > (uintptr_t)y) {
        x = b->place;
        y = a->place;
    }
    uint64_t h = ((uint64_t)(uintptr_t)x * UINT64_C(0x9E3779B97F4A7C15)) ^
                 ((uint64_t)(uintptr_t)y * UINT64_C(0xC2B2AE3D27D4EB4F));
    size_t slot = (size_t)(h >> 54) % TOLL__LK_MEMO;
    if (memo->a[slot] == x && memo->b[slot] == y)
        return memo->level[slot];
    uint8_t level = place_by_jw(a, b);
    memo->a[slot] = x;
    memo->b[slot] = y;
    memo->level[slot] = level;
    return level;
}

/* Length of the first `k` levels of the path p[0..n) ("A/B/C"), and into
 * *levels how many of them there are (at most k). */
static size_t path_prefix(const char *p, size_t n, int k, int *levels)
{
    int got = 0;
    size_t i = 0;
    if (!p || n == 0) {
        *levels = 0;
        return 0;
    }
    for (;;) {
        while (i < n && p[i] != '/')
            i++;
        got++;
        if (got == k || i == n)
            break;
        i++;
    }
    *levels = got;
    return i;
}

void toll__lk_feat_region(toll__lk_feat *f, const char *p, size_t n)
{
    int levels;
    f->region = n ? p : NULL;
    f->region_len = f->region ? (uint32_t)n : 0;
    size_t gov = path_prefix(f->region, f->region_len, 2, &levels);
    f->region_gov = levels == 2 ? (uint32_t)gov : 0;
    size_t dist = path_prefix(f->region, f->region_len, 3, &levels);
    f->region_dist = levels == 3 ? (uint32_t)dist : 0;
}

static uint8_t cmp_region(const toll__lk_feat *a, const toll__lk_feat *b)
{
    if (!a->region_gov || !b->region_gov)
        return REGION_UNKNOWN;
    if (a->region_gov != b->region_gov ||
        memcmp(a->region, b->region, a->region_gov) != 0)
        return REGION_GOV;
    if (a->region_dist && b->region_dist &&
        (a->region_dist != b->region_dist ||
         memcmp(a->region, b->region, a->region_dist) != 0))
        return REGION_DISTRICT;
    return REGION_SAME;
}

static uint8_t cmp_actors(const toll__lk_feat *a, const toll__lk_feat *b)
{
    if (!a->n_actors || !b->n_actors)
        return ACTORS_UNNAMED;
    if (a->n_actors == b->n_actors &&
        memcmp(a->actors, b->actors, a->n_actors * sizeof *a->actors) == 0)
        return ACTORS_SAME;
    uint32_t i = 0, j = 0;
    while (i < a->n_actors && j < b->n_actors) {
        if (a->actors[i] == b->actors[j])
            return ACTORS_OVERLAP;
        if (a->actors[i] < b->actors[j])
            i++;
        else
            j++;
    }
    return ACTORS_DISJOINT;
}

/* Ranges [lo, hi] with hi TOLL_OPEN unbounded: overlap; close when the
 * gap between them is at most max(3, half the larger of the two bounds
 * that face each other); far. */
static uint8_t cmp_figures(const toll__lk_feat *a, const toll__lk_feat *b)
{
    if (a->low < 0 || b->low < 0)
        return FIG_UNKNOWN;
    const toll__lk_feat *x = a, *y = b; /* x the range that starts first */
    if (b->low < a->low) {
        x = b;
        y = a;
    }
    if (x->high == TOLL_OPEN || y->low <= x->high)
        return FIG_OVERLAP;
    /* y->low is the larger facing bound: gap <= y->low / 2 exactly when
     * gap <= y->low - gap = x->high (no overflow) */
    int64_t gap = y->low - x->high;
    return gap <= 3 || gap <= x->high ? FIG_CLOSE : FIG_FAR;
}

void toll__lk_compare(const toll__lk_feat *a, const toll__lk_feat *b,
                      uint8_t levels[TOLL_LINK_NCOMPARISONS])
{
    toll__lk_compare_memo(a, b, NULL, levels);
}

void toll__lk_compare_memo(const toll__lk_feat *a, const toll__lk_feat *b,
                           toll__lk_memo *memo,
                           uint8_t levels[TOLL_LINK_NCOMPARISONS])
{
    levels[TOLL_LINK_DATE] = cmp_date(a, b);
    levels[TOLL_LINK_DISTANCE] = cmp_distance(a, b);
    levels[TOLL_LINK_PLACE] = cmp_place(a, b, memo);
    levels[TOLL_LINK_REGION] = cmp_region(a, b);
    levels[TOLL_LINK_ACTORS] = cmp_actors(a, b);
    levels[TOLL_LINK_FIGURES] = cmp_figures(a, b);
    levels[TOLL_LINK_SOURCE] =
        a->source == b->source ? SOURCE_SAME : SOURCE_DIFFERENT;
}
