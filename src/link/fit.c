/*
 * src/link/fit.c - fitting the model to the reports being linked
 * (docs/linking.md, "Fitting").
 *
 * u: the level shares among random pairs of nodes (almost all of which
 * describe different incidents): every pair when there are at most
 * U_PAIRS of them, else U_PAIRS pairs drawn with a seeded generator
 * (splitmix64), through toll__lk_compare and toll__lk_set_u.
 *
 * The blocking makes date and region alike in every candidate pair, so
 * their u is taken from the candidate pairs instead (toll__lk_blocked_u below).
 *
 * m: EM (toll__lk_em) over the level patterns of candidate pairs, in two
 * sessions on pairs where matches are common, each estimating only the
 * comparisons its selection does not constrain (the others are taken out
 * of the likelihood, see session()):
 *   A. pairs on the same day, in the same region, naming the same actors:
 *      the m of place and distance;
 *   B. pairs at one place (place "same", "sounds-alike" or "close", or
 *      distance "<1km"): the m of date, region, actors, figures and
 *      source.
 * EM over all candidate pairs, or over governorate-day blocks, learns
 * "same place and actor" rather than "same incident" and gives almost no
 * weight to a shared source; on the bench data (bench/link/) these two
 * sessions link within 0.01 of the pairwise F1 of a model fitted with
 * every candidate pair labelled (docs/linking.md, "Fitting").
 * The prior of a candidate pair: the mean posterior over all candidate
 * pairs, m and u fixed, iterated to a fixed point.
 */
#include "link/pipeline.h"

#include <math.h>

#define U_PAIRS 1000000u
#define EM_MAX_ITER 200
#define EM_TOL 1e-6
#define PRIOR_ITER 200

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

toll_status toll__lk_fit_u(const toll__lk_nodes *nd, unsigned long long seed,
                           toll_link_model *model, const toll_allocator *a,
                           toll_error *err)
{
    const size_t n = nd->n;
    if (n < 2)
        return TOLL_OK; /* nothing to learn from: u stays as it is */
    double all = (double)n * (double)(n - 1) / 2.0;
    size_t np = all <= (double)U_PAIRS ? (size_t)all : U_PAIRS;
    uint8_t *lv = toll__alloc(a, np * TOLL_LINK_NCOMPARISONS);
    if (!lv)
        return toll__nomem(err);
    if (all <= (double)U_PAIRS) {
        size_t q = 0;
        for (size_t i = 0; i < n; i++)
            for (size_t j = i + 1; j < n; j++, q++)
                toll__lk_compare(&nd->feat[i], &nd->feat[j],
                                 lv + q * TOLL_LINK_NCOMPARISONS);
    } else {
        uint64_t x = seed;
        for (size_t q = 0; q < np; q++) {
            uint64_t i, j;
            do {
                i = splitmix64(&x) % n;
                j = splitmix64(&x) % n;
            } while (i == j);
            toll__lk_compare(&nd->feat[i], &nd->feat[j],
                             lv + q * TOLL_LINK_NCOMPARISONS);
        }
    }
    toll_status st = toll__lk_set_u(model, lv, np, err);
    toll__free(a, lv, np * TOLL_LINK_NCOMPARISONS);
    return st;
}

/* Which candidate pairs a session runs on (levels of the pair). */
typedef int (*select_fn)(const uint8_t *lv);

static int select_same_day(const uint8_t *lv)
{
    return lv[TOLL_LINK_DATE] == 0 && lv[TOLL_LINK_REGION] == 0 &&
           lv[TOLL_LINK_ACTORS] == 0;
}

static int select_same_place(const uint8_t *lv)
{
    return lv[TOLL_LINK_PLACE] <= 2 || lv[TOLL_LINK_DISTANCE] == 0;
}

/* hist[code]: the number of candidate pairs with level vector `code`. */
static void histogram(const toll__lk_pairs *p, uint64_t *hist)
{
    memset(hist, 0, TOLL__LK_NCODES * sizeof *hist);
    for (size_t i = 0; i < p->n; i++)
        hist[p->v[i].code]++;
}

/*
 * Run EM on the selected pairs' patterns and keep the new m of the
 * comparisons with keep[c] set.  The other comparisons are taken out of
 * the likelihood: their level is set to 0 in every pattern, with
 * m = u = 1 - 1e-6 for it, so that they weigh nothing (a selection on the
 * date makes every date alike; counting it would make every selected pair
 * a match).  EM runs on a copy of the model; the prior is not kept.
 */
static toll_status session(const uint64_t *hist, select_fn sel,
                           const int keep[TOLL_LINK_NCOMPARISONS],
                           toll_link_model *model, const toll_allocator *a,
                           toll_error *err)
{
    uint64_t *count = toll__calloc(a, TOLL__LK_NCODES, sizeof *count);
    if (!count)
        return toll__nomem(err);
    uint8_t lv[TOLL_LINK_NCOMPARISONS];
    size_t npat = 0;
    for (uint32_t code = 0; code < TOLL__LK_NCODES; code++) {
        if (!hist[code])
            continue;
        toll__lk_unpack((uint16_t)code, lv);
        if (!sel(lv))
            continue;
        for (int c = 0; c < TOLL_LINK_NCOMPARISONS; c++)
            if (!keep[c])
                lv[c] = 0;
        uint16_t k = toll__lk_pack(lv);
        if (count[k] == 0)
            npat++;
        count[k] += hist[code];
    }
    toll_status st = TOLL_OK;
    uint8_t *pat = NULL;
    uint64_t *pc = NULL;
    if (npat < 2) /* too little to learn from: the model stays */
        goto done;
    pat = toll__alloc(a, npat * TOLL_LINK_NCOMPARISONS);
    pc = toll__alloc(a, npat * sizeof *pc);
    if (!pat || !pc) {
        st = toll__nomem(err);
        goto done;
    }
    size_t q = 0;
    for (uint32_t code = 0; code < TOLL__LK_NCODES; code++) {
        if (!count[code])
            continue;
        toll__lk_unpack((uint16_t)code, pat + q * TOLL_LINK_NCOMPARISONS);
        pc[q++] = count[code];
    }
    toll_link_model work = *model;
    for (int c = 0; c < TOLL_LINK_NCOMPARISONS; c++) {
        if (keep[c])
            continue;
        for (size_t k = 0; k < TOLL_LINK_MAX_LEVELS; k++)
            work.m[c][k] = work.u[c][k] = 1e-6;
        work.m[c][0] = work.u[c][0] = 1.0 - 1e-6;
    }
    st = toll__lk_em(&work, pat, pc, npat, a, EM_MAX_ITER, EM_TOL, NULL,
                     err);
    if (!st)
        for (int c = 0; c < TOLL_LINK_NCOMPARISONS; c++)
            if (keep[c])
                memcpy(model->m[c], work.m[c], sizeof model->m[c]);
done:
    toll__free(a, count, TOLL__LK_NCODES * sizeof *count);
    if (pat)
        toll__free(a, pat, npat * TOLL_LINK_NCOMPARISONS);
    if (pc)
        toll__free(a, pc, npat * sizeof *pc);
    return st;
}

/* The prior: the mean match probability of the n candidate pairs, m and
 * u fixed, iterated to a fixed point. */
static toll_status fit_prior(const uint64_t *hist, size_t n,
                             toll_link_model *model, const toll_allocator *a,
                             toll_error *err)
{
    if (!n)
        return TOLL_OK;
    double *w = toll__alloc(a, TOLL__LK_NCODES * sizeof *w);
    if (!w)
        return toll__nomem(err);
    uint8_t lv[TOLL_LINK_NCOMPARISONS];
    for (uint32_t code = 0; code < TOLL__LK_NCODES; code++) {
        if (!hist[code])
            continue;
        toll__lk_unpack((uint16_t)code, lv);
        w[code] = toll__lk_weight(model, lv, NULL);
    }
    double prior = model->prior;
    for (int it = 0; it < PRIOR_ITER; it++) {
        double pw = log2(prior / (1.0 - prior)), sum = 0.0;
        for (uint32_t code = 0; code < TOLL__LK_NCODES; code++)
            if (hist[code])
                sum += (double)hist[code] *
                       toll__lk_probability(pw + w[code]);
        double next = sum / (double)n;
        if (next < 1e-6)
            next = 1e-6;
        if (next > 1.0 - 1e-6)
            next = 1.0 - 1e-6;
        int done = fabs(next - prior) < EM_TOL;
        prior = next;
        if (done)
            break;
    }
    toll__free(a, w, TOLL__LK_NCODES * sizeof *w);
    return toll_link_model_set_prior(model, prior, err);
}

/*
 * u of the comparisons the blocking constrains (date, region): every
 * candidate pair is within the window and mostly in one governorate, so
 * random pairs say nothing of how candidate non-matches compare there.
 * Their u is the level shares among the n candidate pairs (mostly
 * non-matches: a few per cent match on the bench data), smoothed as
 * toll__lk_set_u smooths.
 */
static void blocked_u(const uint64_t *hist, size_t n, toll_link_model *model)
{
    static const int blocked[] = {TOLL_LINK_DATE, TOLL_LINK_REGION};
    double count[TOLL_LINK_NCOMPARISONS][TOLL_LINK_MAX_LEVELS] = {{0}};
    uint8_t lv[TOLL_LINK_NCOMPARISONS];
    if (n == 0)
        return;
    for (uint32_t code = 0; code < TOLL__LK_NCODES; code++) {
        if (!hist[code])
            continue;
        toll__lk_unpack((uint16_t)code, lv);
        for (size_t b = 0; b < 2; b++)
            count[blocked[b]][lv[blocked[b]]] += (double)hist[code];
    }
    for (size_t b = 0; b < 2; b++) {
        int c = blocked[b];
        size_t nl = toll_link_level_count(c);
        double sum = (double)n + 0.5 * (double)nl;
        for (size_t k = 0; k < nl; k++) {
            double v = (count[c][k] + 0.5) / sum;
            model->u[c][k] = v < 1e-6 ? 1e-6 : v > 1.0 - 1e-6 ? 1.0 - 1e-6 : v;
        }
    }
}

toll_status toll__lk_blocked_u(const toll__lk_pairs *p, toll_link_model *model,
                               const toll_allocator *a, toll_error *err)
{
    uint64_t *hist = toll__alloc(a, TOLL__LK_NCODES * sizeof *hist);
    if (!hist)
        return toll__nomem(err);
    histogram(p, hist);
    blocked_u(hist, p->n, model);
    toll__free(a, hist, TOLL__LK_NCODES * sizeof *hist);
    return TOLL_OK;
}

toll_status toll__lk_fit(const toll__lk_nodes *nd, const toll__lk_pairs *p,
                         unsigned long long seed, toll_link_model *model,
                         const toll_allocator *a, toll_error *err)
{
    static const int keep_a[TOLL_LINK_NCOMPARISONS] = {
        [TOLL_LINK_DISTANCE] = 1, [TOLL_LINK_PLACE] = 1};
    static const int keep_b[TOLL_LINK_NCOMPARISONS] = {
        [TOLL_LINK_DATE] = 1, [TOLL_LINK_REGION] = 1,
        [TOLL_LINK_ACTORS] = 1, [TOLL_LINK_FIGURES] = 1,
        [TOLL_LINK_SOURCE] = 1};
    toll_status st;
    if ((st = toll__lk_fit_u(nd, seed, model, a, err)))
        return st;
    uint64_t *hist = toll__alloc(a, TOLL__LK_NCODES * sizeof *hist);
    if (!hist)
        return toll__nomem(err);
    histogram(p, hist);
    blocked_u(hist, p->n, model);
    if (!(st = session(hist, select_same_day, keep_a, model, a, err)) &&
        !(st = session(hist, select_same_place, keep_b, model, a, err)))
        st = fit_prior(hist, p->n, model, a, err);
    toll__free(a, hist, TOLL__LK_NCODES * sizeof *hist);
    return st;
}
