/*
 * src/link/link_int.h - private interface of the probabilistic linker
 * (toll/link.h, toll/link_compare.h, toll/link_model.h):
 *   src/link/names.c    the place-name normalisation table and phonetic key
 *   src/link/compare.c  the comparisons: one function puts a pair of
 *                       reports' features in a level of every comparison
 *   src/link/model.c    the Fellegi-Sunter model: weights, probability,
 *                       u from random pairs, EM, labelled fit, JSON
 *   src/link/ (others)  features from the store, blocking, scoring,
 *                       clustering, the links object and its tables
 */
#ifndef TOLL_SRC_LINK_LINK_INT_H
#define TOLL_SRC_LINK_LINK_INT_H

#include "base/base.h"
#include "toll/date.h"
#include "toll/link.h"
#include "toll/quantity.h"

/* ---- features: what the comparisons read of one report (or node) ------- */

typedef struct toll__lk_feat {
    int32_t d0, d1;           /* date span; TOLL_NO_DATE when none */
    const char *region;       /* normalised region path "A/B/C" (the
                                 store's text), NULL when none; set with
                                 toll__lk_feat_region */
    uint32_t region_len;
    uint32_t region_gov;      /* bytes of its first two levels ("A/B"); 0
                                 when it has fewer */
    uint32_t region_dist;     /* bytes of its first three levels; 0 when
                                 it has fewer */
    double lat, lon;          /* WGS84 degrees; NaN when none */
    float tol_km;             /* precision radius of the coordinates, km
                                 (0: exact or not stated) */
    const char *place;        /* normalised place name
                                 (toll__lk_place_normalise), NULL when none */
    uint32_t place_len;
    uint64_t place_phon;      /* toll__lk_phonetic of place; 0 when none */
    const uint32_t *actors;   /* actor string ids, sorted ascending */
    uint32_t n_actors;
    int64_t low, high;        /* the `killed` figure: low < 0 unknown;
                                 high == TOLL_OPEN open */
    uint32_t source;          /* string id of `source` */
} toll__lk_feat;

/* ---- src/link/names.c -------------------------------------------------- */

/* The table toll_link_names_new fills (the default rules). */
const toll_link_names *toll__lk_default_names(void);

/*
 * Normalise the place name s[0..n) by `names` (NULL: default) into `out`
 * (cleared first; not NUL-terminated unless the buffer is used as a
 * string by the caller): the rules of docs/linking.md, "Place names".
 * The empty result means "no place".  TOLL_ENOMEM only.
 */
toll_status toll__lk_place_normalise(const toll_link_names *names,
                                     const char *s, size_t n, toll__buf *out);

/* The phonetic key of a normalised place name, as a 64-bit hash (never 0
 * for a non-empty name; 0 for the empty one). */
uint64_t toll__lk_phonetic(const char *norm, size_t n);

/* ---- src/link/compare.c ------------------------------------------------ */

/* Set f's region to the path p[0..n) (NULL or n == 0: none) and its
 * prefixes at the governorate and the district, which the region
 * comparison reads on every pair. */
void toll__lk_feat_region(toll__lk_feat *f, const char *p, size_t n);

/* Put the pair (a, b) in a level of every comparison:
 * levels[TOLL_LINK_DATE .. TOLL_LINK_SOURCE] (toll/link_compare.h gives
 * the levels, 0 the strongest agreement).  Symmetric: the same levels
 * for (b, a). */
void toll__lk_compare(const toll__lk_feat *a, const toll__lk_feat *b,
                      uint8_t levels[TOLL_LINK_NCOMPARISONS]);

/* The place levels of recent pairs of names that needed Jaro-Winkler,
 * by the names' addresses (a place name's text is shared by the nodes
 * that wrote it alike: src/link/nodes.c): pairs of nearby reports repeat
 * their names.  One per thread; zero it before use. */
#define TOLL__LK_MEMO 1024
typedef struct toll__lk_memo {
    const char *a[TOLL__LK_MEMO], *b[TOLL__LK_MEMO];
    uint8_t level[TOLL__LK_MEMO];
} toll__lk_memo;

/* toll__lk_compare, with the place level looked up in (and added to)
 * `memo` (NULL: none); the same levels either way. */
void toll__lk_compare_memo(const toll__lk_feat *a, const toll__lk_feat *b,
                           toll__lk_memo *memo,
                           uint8_t levels[TOLL_LINK_NCOMPARISONS]);

/* ---- src/link/model.c -------------------------------------------------- */

struct toll_link_model {
    toll_allocator alloc;
    double prior;                     /* P(match) of a candidate pair */
    double m[TOLL_LINK_NCOMPARISONS][TOLL_LINK_MAX_LEVELS];
    double u[TOLL_LINK_NCOMPARISONS][TOLL_LINK_MAX_LEVELS];
};

/* The total weight sum log2(m/u) of a level vector, without the prior;
 * per_cmp (NULL or TOLL_LINK_NCOMPARISONS entries) receives each
 * comparison's weight. */
double toll__lk_weight(const toll_link_model *model, const uint8_t *levels,
                       double *per_cmp);
/* log2(prior / (1 - prior)). */
double toll__lk_prior_weight(const toll_link_model *model);
/* The match probability of a total weight (prior included):
 * 1 / (1 + 2^-w), computed without overflow. */
double toll__lk_probability(double weight_with_prior);

/*
 * Set u of every comparison from the level vectors of random pairs
 * (levels[i * TOLL_LINK_NCOMPARISONS + c], n pairs): each level's share,
 * with a small additive smoothing so that no u is 0 or 1.  TOLL_EINVAL
 * when n is 0.
 */
toll_status toll__lk_set_u(toll_link_model *model, const uint8_t *levels,
                           size_t n, toll_error *err);

/*
 * Expectation-maximisation for m and the prior, u fixed, over distinct
 * level vectors `levels` (n_patterns of them) with their multiplicities
 * `counts`, started from the model's current m and prior.  Iterates until
 * no parameter moves more than `tol` or `max_iter` iterations; m and the
 * prior are kept inside [1e-6, 1 - 1e-6].  Scratch from `a`.  *iterations
 * (may be NULL) receives the count.  TOLL_ENOMEM, TOLL_EINVAL (no pairs).
 */
toll_status toll__lk_em(toll_link_model *model, const uint8_t *levels,
                        const uint64_t *counts, size_t n_patterns,
                        const toll_allocator *a, int max_iter, double tol,
                        int *iterations, toll_error *err);

/*
 * Set m from labelled level vectors (is_match[i] 1 or 0): each level's
 * share among the matches, smoothed as u is; the prior is left as is.
 * TOLL_EINVAL when there is no match.
 */
toll_status toll__lk_fit_m(toll_link_model *model, const uint8_t *levels,
                           const uint8_t *is_match, size_t n,
                           toll_error *err);

#endif /* TOLL_SRC_LINK_LINK_INT_H */
