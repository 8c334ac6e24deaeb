/* tests/test_link_model.c - the Fellegi-Sunter model of the linker
 * (src/link/model.c): defaults, accessors, weights and probabilities, u
 * from random pairs, EM, the labelled fit, the JSON round trip and every
 * JSON error. */
#define _POSIX_C_SOURCE 200809L /* clock_gettime, mkstemp, write, unlink */
#include "testutil.h"
#include "link/link_int.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define NC TOLL_LINK_NCOMPARISONS

/* ---- helpers ----------------------------------------------------------- */

static toll_link_model *new_model(void)
{
    toll_link_model *m = NULL;
    toll_error e;
    ck_assert_int_eq(toll_link_model_new(NULL, &m, &e), TOLL_OK);
    ck_assert_ptr_nonnull(m);
    return m;
}

/* A small PRNG (splitmix64): the simulations are the same on every run. */
typedef struct rng {
    uint64_t s;
} rng;
static uint64_t rng_next(rng *r)
{
    uint64_t z = (r->s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
static double rng_unif(rng *r)
{
    return (double)(rng_next(r) >> 11) * (1.0 / 9007199254740992.0);
}
/* A level drawn from the distribution p[0..n). */
static uint8_t draw(rng *r, const double *p, size_t n)
{
    double x = rng_unif(r), acc = 0.0;
    for (size_t l = 0; l + 1 < n; l++) {
        acc += p[l];
        if (x < acc)
            return (uint8_t)l;
    }
    return (uint8_t)(n - 1);
}

/* The truth of the simulations: every row sums to 1. */
static const double true_m[NC][TOLL_LINK_MAX_LEVELS] = {
    {0.60, 0.20, 0.10, 0.05, 0.05},
    {0.40, 0.20, 0.10, 0.05, 0.25},
    {0.50, 0.08, 0.07, 0.05, 0.10, 0.20},
    {0.75, 0.12, 0.05, 0.08},
    {0.60, 0.15, 0.10, 0.15},
    {0.55, 0.20, 0.10, 0.15},
    {0.97, 0.03},
};
static const double true_u[NC][TOLL_LINK_MAX_LEVELS] = {
    {0.10, 0.20, 0.30, 0.30, 0.10},
    {0.01, 0.04, 0.15, 0.55, 0.25},
    {0.03, 0.02, 0.03, 0.05, 0.67, 0.20},
    {0.10, 0.30, 0.52, 0.08},
    {0.20, 0.10, 0.55, 0.15},
    {0.15, 0.20, 0.50, 0.15},
    {0.65, 0.35},
};

/* n level vectors (n * NC bytes, caller frees) from the mixture of m and
 * u with P(match) = prior; is_match (may be NULL) receives the class. */
static uint8_t *simulate(const double m[NC][TOLL_LINK_MAX_LEVELS],
                         const double u[NC][TOLL_LINK_MAX_LEVELS],
                         double prior, size_t n, uint64_t seed,
                         uint8_t **is_match)
{
    rng r = {seed};
    uint8_t *lv = malloc(n * NC);
    uint8_t *cls = malloc(n ? n : 1);
    ck_assert_ptr_nonnull(lv);
    ck_assert_ptr_nonnull(cls);
    for (size_t i = 0; i < n; i++) {
        int match = rng_unif(&r) < prior;
        cls[i] = (uint8_t)match;
        for (int c = 0; c < NC; c++)
            lv[i * NC + c] =
                draw(&r, match ? m[c] : u[c], toll_link_level_count(c));
    }
    if (is_match)
        *is_match = cls;
    else
        free(cls);
    return lv;
}

/* The distinct vectors of lv[0..n) with their counts (caller frees). */
static size_t distinct(const uint8_t *lv, size_t n, uint8_t **pat,
                       uint64_t **cnt)
{
    size_t space = 1;
    for (int c = 0; c < NC; c++)
        space *= toll_link_level_count(c);
    uint64_t *by = calloc(space, sizeof *by);
    ck_assert_ptr_nonnull(by);
    for (size_t i = 0; i < n; i++) {
        size_t code = 0;
        for (int c = 0; c < NC; c++)
            code = code * toll_link_level_count(c) + lv[i * NC + c];
        by[code]++;
    }
    size_t k = 0;
    for (size_t code = 0; code < space; code++)
        k += by[code] != 0;
    *pat = malloc(k * NC);
    *cnt = malloc(k * sizeof **cnt);
    size_t j = 0;
    for (size_t code = 0; code < space; code++) {
        if (!by[code])
            continue;
        size_t x = code;
        for (int c = NC - 1; c >= 0; c--) {
            (*pat)[j * NC + c] = (uint8_t)(x % toll_link_level_count(c));
            x /= toll_link_level_count(c);
        }
        (*cnt)[j++] = by[code];
    }
    free(by);
    return k;
}

static void set_truth_u(toll_link_model *m)
{
    for (int c = 0; c < NC; c++)
        for (size_t l = 0; l < toll_link_level_count(c); l++)
            m->u[c][l] = true_u[c][l];
}

/* Run EM over 20,000 simulated vectors (prior 0.2) from `model` and check
 * every m within 0.03 of the truth and the prior within 0.01. */
static void em_recovers(toll_link_model *model, uint64_t seed)
{
    uint8_t *lv = simulate(true_m, true_u, 0.2, 20000, seed, NULL);
    uint8_t *pat;
    uint64_t *cnt;
    size_t k = distinct(lv, 20000, &pat, &cnt);
    int iters = 0;
    toll_error e;
    ck_assert_int_eq(toll__lk_em(model, pat, cnt, k, NULL, 1000, 1e-9,
                                 &iters, &e),
                     TOLL_OK);
    ck_assert_int_gt(iters, 1);
    ck_assert_msg(fabs(model->prior - 0.2) < 0.01, "prior %g, want 0.2",
                  model->prior);
    for (int c = 0; c < NC; c++)
        for (size_t l = 0; l < toll_link_level_count(c); l++)
            ck_assert_msg(fabs(model->m[c][l] - true_m[c][l]) < 0.03,
                          "m of %s/%s: %g, want %g",
                          toll_link_comparison_name(c),
                          toll_link_level_name(c, l), model->m[c][l],
                          true_m[c][l]);
    free(lv);
    free(pat);
    free(cnt);
}

typedef struct sink {
    char *data;
    size_t len, cap;
    int fail;
} sink;
static int sink_write(void *ctx, const char *d, size_t n)
{
    sink *s = ctx;
    if (s->fail)
        return 1;
    if (s->len + n + 1 > s->cap) {
        s->cap = (s->len + n + 1) * 2;
        s->data = realloc(s->data, s->cap);
        ck_assert_ptr_nonnull(s->data);
    }
    memcpy(s->data + s->len, d, n);
    s->len += n;
    s->data[s->len] = '\0';
    return 0;
}

static char *to_json(const toll_link_model *m)
{
    sink s = {0};
    toll_error e;
    ck_assert_int_eq(toll_link_model_write_json(m, sink_write, &s, &e),
                     TOLL_OK);
    return s.data;
}

static int same_model(const toll_link_model *a, const toll_link_model *b)
{
    return memcmp(&a->prior, &b->prior, sizeof a->prior) == 0 &&
           memcmp(a->m, b->m, sizeof a->m) == 0 &&
           memcmp(a->u, b->u, sizeof a->u) == 0;
}

/* Write `m`, load the text into a fresh model, compare bit for bit. */
static void round_trip(const toll_link_model *m)
{
    char *j = to_json(m);
    toll_link_model *b = new_model();
    toll_error e;
    toll_status st = toll_link_model_load_json(b, j, strlen(j), "rt.json", &e);
    ck_assert_msg(st == TOLL_OK, "%s", e.message);
    ck_assert(same_model(m, b));
    char *j2 = to_json(b);
    ck_assert_str_eq(j, j2);
    free(j);
    free(j2);
    toll_link_model_free(b);
}

/* The default model's JSON as a cJSON tree, to be edited by a test. */
static cJSON *default_tree(void)
{
    toll_link_model *m = new_model();
    char *j = to_json(m);
    cJSON *t = cJSON_Parse(j);
    ck_assert_ptr_nonnull(t);
    free(j);
    toll_link_model_free(m);
    return t;
}

static cJSON *level_of(cJSON *t, const char *cmp, const char *level)
{
    cJSON *c = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(t, "comparisons"), cmp);
    ck_assert_ptr_nonnull(c);
    cJSON *l = cJSON_GetObjectItemCaseSensitive(c, level);
    ck_assert_ptr_nonnull(l);
    return l;
}

/* Load `json` into a model holding a fitted (non-default) state: the load
 * must fail with `code`, name the input, hold `n1` and `n2` (NULL: none)
 * in the message, and leave the model as it was. */
static void expect_load_error(const char *json, toll_status code,
                              const char *n1, const char *n2)
{
    toll_link_model *m = new_model();
    m->prior = 0.123;
    m->m[TOLL_LINK_DATE][0] = 0.654;
    toll_link_model *before = NULL;
    toll_error e;
    ck_assert_int_eq(toll_link_model_copy(m, NULL, &before, &e), TOLL_OK);
    toll_status st = toll_link_model_load_json(m, json, strlen(json),
                                               "bad-model.json", &e);
    ck_assert_msg(st == code, "status %d, want %d (%s) for %s", st, code,
                  e.message, json);
    ck_assert_int_eq(e.code, code);
    ck_assert_msg(strstr(e.message, "bad-model.json"), "%s", e.message);
    if (n1)
        ck_assert_msg(strstr(e.message, n1), "'%s' not in: %s", n1,
                      e.message);
    if (n2)
        ck_assert_msg(strstr(e.message, n2), "'%s' not in: %s", n2,
                      e.message);
    ck_assert(same_model(m, before));
    toll_link_model_free(before);
    toll_link_model_free(m);
}

static void expect_tree_error(cJSON *t, toll_status code, const char *n1,
                              const char *n2)
{
    char *j = cJSON_PrintUnformatted(t);
    expect_load_error(j, code, n1, n2);
    free(j);
    cJSON_Delete(t);
}

/* ---- defaults and accessors ---------------------------------------------- */

START_TEST(default_model_should_have_prior_005_and_rows_summing_to_1)
{
    toll_link_model *m = new_model();
    ck_assert_double_eq(toll_link_model_prior(m), 0.05);
    for (int c = 0; c < NC; c++) {
        double sm = 0, su = 0;
        for (size_t l = 0; l < toll_link_level_count(c); l++) {
            double mm, uu;
            toll_error e;
            ck_assert_int_eq(toll_link_model_level(m, c, l, &mm, &uu, &e),
                             TOLL_OK);
            ck_assert(mm > 0 && mm < 1 && uu > 0 && uu < 1);
            sm += mm;
            su += uu;
        }
        ck_assert_msg(fabs(sm - 1) < 1e-12 && fabs(su - 1) < 1e-12,
                      "%s: sum m %g, sum u %g", toll_link_comparison_name(c),
                      sm, su);
    }
    toll_link_model_free(m);
}
END_TEST

START_TEST(default_unknown_levels_should_weigh_0)
{
    toll_link_model *m = new_model();
    const char *unk[][2] = {{"date", "unknown"},    {"distance", "unknown"},
                            {"place", "unknown"},   {"region", "unknown"},
                            {"actors", "unnamed"},  {"figures", "unknown"}};
    for (size_t i = 0; i < sizeof unk / sizeof unk[0]; i++) {
        int c;
        size_t l;
        ck_assert_int_eq(toll_link_comparison_parse(unk[i][0], &c, NULL),
                         TOLL_OK);
        ck_assert_int_eq(toll_link_level_parse(c, unk[i][1], &l, NULL),
                         TOLL_OK);
        ck_assert_double_eq(toll_link_model_weight(m, c, l), 0.0);
    }
    toll_link_model_free(m);
}
END_TEST

START_TEST(default_agreement_should_weigh_for_and_same_source_against)
{
    toll_link_model *m = new_model();
    for (int c = 0; c < TOLL_LINK_SOURCE; c++)
        ck_assert_msg(toll_link_model_weight(m, c, 0) > 1.0, "%s",
                      toll_link_comparison_name(c));
    ck_assert_str_eq(toll_link_level_name(TOLL_LINK_SOURCE, 1), "same");
    ck_assert(toll_link_model_weight(m, TOLL_LINK_SOURCE, 1) < -1.0);
    ck_assert(toll_link_model_weight(m, TOLL_LINK_DATE, 3) < -1.0);
    ck_assert(toll_link_model_weight(m, TOLL_LINK_DISTANCE, 3) < -1.0);
    toll_link_model_free(m);
}
END_TEST

START_TEST(set_prior_should_refuse_values_outside_0_1)
{
    toll_link_model *m = new_model();
    toll_error e;
    double bad[] = {0.0, 1.0, -0.1, 1.5, NAN, INFINITY};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_int_eq(toll_link_model_set_prior(m, bad[i], &e),
                         TOLL_EINVAL);
        ck_assert_ptr_nonnull(strstr(e.message, "prior"));
    }
    ck_assert_double_eq(toll_link_model_prior(m), 0.05);
    ck_assert_int_eq(toll_link_model_set_prior(m, 0.3, &e), TOLL_OK);
    ck_assert_double_eq(toll_link_model_prior(m), 0.3);
    toll_link_model_free(m);
}
END_TEST

START_TEST(set_level_should_refuse_probabilities_outside_0_1)
{
    toll_link_model *m = new_model();
    toll_error e;
    ck_assert_int_eq(toll_link_model_set_level(m, TOLL_LINK_PLACE, 1, 0.0,
                                               0.5, &e),
                     TOLL_EINVAL);
    ck_assert_ptr_nonnull(strstr(e.message, "sounds-alike"));
    ck_assert_ptr_nonnull(strstr(e.message, "place"));
    ck_assert_int_eq(toll_link_model_set_level(m, TOLL_LINK_PLACE, 1, 0.5,
                                               1.0, &e),
                     TOLL_EINVAL);
    ck_assert_ptr_nonnull(strstr(e.message, "u 1"));
    ck_assert_int_eq(toll_link_model_set_level(m, TOLL_LINK_PLACE, 1, NAN,
                                               0.5, &e),
                     TOLL_EINVAL);
    double mm, uu;
    toll_link_model_level(m, TOLL_LINK_PLACE, 1, &mm, &uu, &e);
    ck_assert_double_eq(mm, 0.05);
    ck_assert_int_eq(toll_link_model_set_level(m, TOLL_LINK_PLACE, 1, 0.25,
                                               0.125, &e),
                     TOLL_OK);
    ck_assert_double_eq(toll_link_model_weight(m, TOLL_LINK_PLACE, 1), 1.0);
    toll_link_model_free(m);
}
END_TEST

START_TEST(level_accessors_should_refuse_out_of_range_indices)
{
    toll_link_model *m = new_model();
    toll_error e;
    double mm;
    ck_assert_int_eq(toll_link_model_level(m, NC, 0, &mm, NULL, &e),
                     TOLL_ERANGE);
    ck_assert_int_eq(toll_link_model_level(m, -1, 0, &mm, NULL, &e),
                     TOLL_ERANGE);
    ck_assert_int_eq(toll_link_model_level(m, TOLL_LINK_SOURCE, 2, &mm,
                                           NULL, &e),
                     TOLL_ERANGE);
    ck_assert_ptr_nonnull(strstr(e.message, "source"));
    ck_assert_int_eq(toll_link_model_set_level(m, TOLL_LINK_REGION, 4, 0.5,
                                               0.5, &e),
                     TOLL_ERANGE);
    ck_assert_ptr_nonnull(strstr(e.message, "region"));
    ck_assert_double_eq(toll_link_model_weight(m, NC, 0), 0.0);
    ck_assert_double_eq(toll_link_model_weight(m, TOLL_LINK_DATE, 5), 0.0);
    toll_link_model_free(m);
}
END_TEST

START_TEST(copy_should_be_equal_and_independent)
{
    failing_alloc f;
    failing_alloc_init(&f, 0);
    toll_link_model *m = new_model(), *c = NULL;
    toll_error e;
    m->prior = 0.31;
    ck_assert_int_eq(toll_link_model_copy(m, &f.a, &c, &e), TOLL_OK);
    ck_assert_int_eq(f.live, 1);
    ck_assert(same_model(m, c));
    toll_link_model_set_prior(c, 0.2, &e);
    ck_assert_double_eq(m->prior, 0.31);
    toll_link_model_free(c);
    ck_assert_int_eq(f.live, 0);
    failing_alloc_init(&f, 1);
    ck_assert_int_eq(toll_link_model_copy(m, &f.a, &c, &e), TOLL_ENOMEM);
    ck_assert_ptr_null(c);
    ck_assert_int_eq(toll_link_model_new(&f.a, &c, &e), TOLL_ENOMEM);
    toll_link_model_free(m);
}
END_TEST

/* ---- weights and probabilities ------------------------------------------ */

START_TEST(weight_should_sum_log2_m_over_u)
{
    toll_link_model *m = new_model();
    uint8_t lv[NC] = {0, 1, 4, 2, 0, 3, 1};
    double per[NC];
    double w = toll__lk_weight(m, lv, per);
    double want = 0;
    for (int c = 0; c < NC; c++) {
        double x = log2(m->m[c][lv[c]] / m->u[c][lv[c]]);
        ck_assert_double_eq_tol(per[c], x, 1e-15);
        want += x;
    }
    ck_assert_double_eq_tol(w, want, 1e-12);
    ck_assert_double_eq(toll__lk_weight(m, lv, NULL), w);
    ck_assert_double_eq_tol(toll__lk_prior_weight(m), log2(0.05 / 0.95),
                            1e-15);
    toll_link_model_free(m);
}
END_TEST

START_TEST(probability_should_be_half_at_0_monotone_and_finite)
{
    ck_assert(toll__lk_probability(0.0) == 0.5);
    ck_assert_double_eq_tol(toll__lk_probability(1.0), 2.0 / 3.0, 1e-15);
    ck_assert_double_eq_tol(toll__lk_probability(-1.0), 1.0 / 3.0, 1e-15);
    double prev = -1.0;
    for (double w = -2000.0; w <= 2000.0; w += 0.25) {
        double p = toll__lk_probability(w);
        ck_assert_msg(isfinite(p) && p >= 0.0 && p <= 1.0, "p(%g) = %g", w,
                      p);
        ck_assert_msg(p >= prev, "p(%g) = %g < %g", w, p, prev);
        prev = p;
    }
    ck_assert(toll__lk_probability(2000.0) == 1.0);
    ck_assert(toll__lk_probability(-2000.0) >= 0.0);
    ck_assert(toll__lk_probability(-20.0) > 0.0);
    /* symmetric: p(w) + p(-w) = 1 */
    ck_assert_double_eq_tol(toll__lk_probability(3.7) +
                                toll__lk_probability(-3.7),
                            1.0, 1e-15);
}
END_TEST

/* ---- u from random pairs ------------------------------------------------ */

START_TEST(set_u_should_recover_u_from_random_pairs)
{
    size_t n = 50000;
    uint8_t *lv = simulate(true_u, true_u, 0.0, n, 7, NULL);
    toll_link_model *m = new_model();
    toll_error e;
    ck_assert_int_eq(toll__lk_set_u(m, lv, n, &e), TOLL_OK);
    for (int c = 0; c < NC; c++)
        for (size_t l = 0; l < toll_link_level_count(c); l++)
            ck_assert_msg(fabs(m->u[c][l] - true_u[c][l]) < 0.01,
                          "u of %s/%s: %g, want %g",
                          toll_link_comparison_name(c),
                          toll_link_level_name(c, l), m->u[c][l],
                          true_u[c][l]);
    free(lv);
    toll_link_model_free(m);
}
END_TEST

START_TEST(set_u_should_smooth_levels_never_seen)
{
    uint8_t lv[2 * NC] = {0};
    toll_link_model *m = new_model();
    toll_error e;
    ck_assert_int_eq(toll__lk_set_u(m, lv, 2, &e), TOLL_OK);
    /* date has 5 levels: (2 + 0.5) / (2 + 2.5), (0 + 0.5) / 4.5 */
    ck_assert_double_eq_tol(m->u[TOLL_LINK_DATE][0], 2.5 / 4.5, 1e-15);
    ck_assert_double_eq_tol(m->u[TOLL_LINK_DATE][4], 0.5 / 4.5, 1e-15);
    ck_assert_double_eq_tol(m->u[TOLL_LINK_SOURCE][1], 0.5 / 3.0, 1e-15);
    toll_link_model_free(m);
}
END_TEST

START_TEST(set_u_should_refuse_no_pairs_and_bad_levels)
{
    toll_link_model *m = new_model(), *before = NULL;
    toll_error e;
    toll_link_model_copy(m, NULL, &before, &e);
    uint8_t lv[2 * NC] = {0};
    ck_assert_int_eq(toll__lk_set_u(m, lv, 0, &e), TOLL_EINVAL);
    lv[NC + TOLL_LINK_REGION] = 4;
    ck_assert_int_eq(toll__lk_set_u(m, lv, 2, &e), TOLL_EINVAL);
    ck_assert_ptr_nonnull(strstr(e.message, "region"));
    ck_assert(same_model(m, before));
    toll_link_model_free(before);
    toll_link_model_free(m);
}
END_TEST

/* ---- the labelled fit ---------------------------------------------------- */

START_TEST(fit_m_should_take_smoothed_shares_among_matches)
{
    uint8_t lv[4 * NC] = {0};
    uint8_t is_match[4] = {1, 1, 1, 0};
    lv[1 * NC + TOLL_LINK_DATE] = 1;
    lv[3 * NC + TOLL_LINK_DATE] = 3; /* a non-match: not counted */
    lv[2 * NC + TOLL_LINK_SOURCE] = 1;
    toll_link_model *m = new_model();
    toll_error e;
    ck_assert_int_eq(toll__lk_fit_m(m, lv, is_match, 4, &e), TOLL_OK);
    ck_assert_double_eq_tol(m->m[TOLL_LINK_DATE][0], 2.5 / 5.5, 1e-15);
    ck_assert_double_eq_tol(m->m[TOLL_LINK_DATE][1], 1.5 / 5.5, 1e-15);
    ck_assert_double_eq_tol(m->m[TOLL_LINK_DATE][3], 0.5 / 5.5, 1e-15);
    ck_assert_double_eq_tol(m->m[TOLL_LINK_SOURCE][1], 1.5 / 4.0, 1e-15);
    ck_assert_double_eq(m->prior, 0.05);
    ck_assert_double_eq(m->u[TOLL_LINK_DATE][0], 0.15);
    toll_link_model_free(m);
}
END_TEST

START_TEST(fit_m_should_recover_m_from_labelled_pairs)
{
    uint8_t *cls;
    uint8_t *lv = simulate(true_m, true_u, 0.3, 40000, 11, &cls);
    toll_link_model *m = new_model();
    toll_error e;
    ck_assert_int_eq(toll__lk_fit_m(m, lv, cls, 40000, &e), TOLL_OK);
    for (int c = 0; c < NC; c++)
        for (size_t l = 0; l < toll_link_level_count(c); l++)
            ck_assert(fabs(m->m[c][l] - true_m[c][l]) < 0.015);
    free(lv);
    free(cls);
    toll_link_model_free(m);
}
END_TEST

START_TEST(fit_m_should_refuse_no_match)
{
    uint8_t lv[2 * NC] = {0}, is_match[2] = {0, 0};
    toll_link_model *m = new_model();
    toll_error e;
    ck_assert_int_eq(toll__lk_fit_m(m, lv, is_match, 2, &e), TOLL_EINVAL);
    ck_assert_ptr_nonnull(strstr(e.message, "no labelled match"));
    ck_assert_int_eq(toll__lk_fit_m(m, lv, is_match, 0, &e), TOLL_EINVAL);
    ck_assert_double_eq(m->m[TOLL_LINK_DATE][0], 0.70);
    toll_link_model_free(m);
}
END_TEST

/* ---- EM ------------------------------------------------------------------- */

START_TEST(em_should_recover_m_and_prior_from_the_truth)
{
    toll_link_model *m = new_model();
    set_truth_u(m);
    memcpy(m->m, true_m, sizeof m->m);
    m->prior = 0.2;
    em_recovers(m, 2024);
    toll_link_model_free(m);
}
END_TEST

START_TEST(em_should_recover_m_and_prior_from_the_defaults)
{
    toll_link_model *m = new_model();
    set_truth_u(m);
    em_recovers(m, 99);
    toll_link_model_free(m);
}
END_TEST

START_TEST(em_should_never_raise_m_of_same_source_above_its_start)
{
    /* The data say a shared source is a sign of a match (m 0.5, u 0.35);
     * from the default start (m 0.05) "same" stays at 0.05. */
    double mm[NC][TOLL_LINK_MAX_LEVELS], uu[NC][TOLL_LINK_MAX_LEVELS];
    memcpy(mm, true_m, sizeof mm);
    memcpy(uu, true_u, sizeof uu);
    mm[TOLL_LINK_SOURCE][0] = 0.5;
    mm[TOLL_LINK_SOURCE][1] = 0.5;
    uint8_t *lv = simulate(mm, uu, 0.2, 20000, 5, NULL);
    uint8_t *pat;
    uint64_t *cnt;
    size_t k = distinct(lv, 20000, &pat, &cnt);
    toll_link_model *m = new_model();
    set_truth_u(m);
    toll_error e;
    ck_assert_int_eq(toll__lk_em(m, pat, cnt, k, NULL, 500, 1e-9, NULL, &e),
                     TOLL_OK);
    ck_assert_double_eq(m->m[TOLL_LINK_SOURCE][1], 0.05);
    ck_assert_double_eq_tol(m->m[TOLL_LINK_SOURCE][0], 0.95, 1e-12);
    ck_assert(toll_link_model_weight(m, TOLL_LINK_SOURCE, 1) < 0.0);
    /* the other comparisons are still estimated */
    ck_assert(fabs(m->m[TOLL_LINK_DATE][0] - 0.60) < 0.04);
    /* started above the truth, the guard does not bind: m falls to it */
    toll_link_model *m2 = new_model();
    set_truth_u(m2);
    m2->m[TOLL_LINK_SOURCE][0] = 0.3;
    m2->m[TOLL_LINK_SOURCE][1] = 0.7;
    ck_assert_int_eq(toll__lk_em(m2, pat, cnt, k, NULL, 500, 1e-9, NULL,
                                 &e),
                     TOLL_OK);
    ck_assert_msg(fabs(m2->m[TOLL_LINK_SOURCE][1] - 0.5) < 0.03, "%g",
                  m2->m[TOLL_LINK_SOURCE][1]);
    free(lv);
    free(pat);
    free(cnt);
    toll_link_model_free(m);
    toll_link_model_free(m2);
}
END_TEST

START_TEST(em_should_keep_m_and_prior_inside_the_clamp)
{
    /* every pair agrees on everything: EM drives m and the prior to the
     * edge, which the clamp holds at [1e-6, 1 - 1e-6] */
    uint8_t pat[NC] = {0};
    uint64_t cnt[1] = {1000};
    toll_link_model *m = new_model();
    toll_error e;
    int it = 0;
    ck_assert_int_eq(toll__lk_em(m, pat, cnt, 1, NULL, 10000, 0.0, &it, &e),
                     TOLL_OK);
    ck_assert_int_lt(it, 10000); /* stops once nothing moves */
    ck_assert(m->prior <= 1 - 1e-6 && m->prior >= 1e-6);
    for (int c = 0; c < NC; c++)
        for (size_t l = 0; l < toll_link_level_count(c); l++)
            ck_assert_msg(m->m[c][l] >= 1e-6 && m->m[c][l] <= 1 - 1e-6,
                          "%s/%zu: %g", toll_link_comparison_name(c), l,
                          m->m[c][l]);
    ck_assert_double_eq(m->m[TOLL_LINK_DATE][1], 1e-6);
    toll_link_model_free(m);
}
END_TEST

START_TEST(em_should_stop_at_max_iter_or_tol)
{
    uint8_t *lv = simulate(true_m, true_u, 0.2, 5000, 3, NULL);
    uint8_t *pat;
    uint64_t *cnt;
    size_t k = distinct(lv, 5000, &pat, &cnt);
    toll_link_model *m = new_model();
    toll_error e;
    int it = 0;
    ck_assert_int_eq(toll__lk_em(m, pat, cnt, k, NULL, 3, 0.0, &it, &e),
                     TOLL_OK);
    ck_assert_int_eq(it, 3);
    toll_link_model *m2 = new_model();
    ck_assert_int_eq(toll__lk_em(m2, pat, cnt, k, NULL, 100000, 1e-3, &it,
                                 &e),
                     TOLL_OK);
    ck_assert_int_gt(it, 3);
    ck_assert_int_lt(it, 100000);
    free(lv);
    free(pat);
    free(cnt);
    toll_link_model_free(m);
    toll_link_model_free(m2);
}
END_TEST

START_TEST(em_should_refuse_no_pairs_and_leave_the_model)
{
    toll_link_model *m = new_model(), *before = NULL;
    toll_error e;
    toll_link_model_copy(m, NULL, &before, &e);
    uint8_t pat[NC] = {0};
    uint64_t cnt[1] = {0};
    ck_assert_int_eq(toll__lk_em(m, pat, cnt, 0, NULL, 10, 1e-6, NULL, &e),
                     TOLL_EINVAL);
    ck_assert_int_eq(toll__lk_em(m, pat, cnt, 1, NULL, 10, 1e-6, NULL, &e),
                     TOLL_EINVAL);
    cnt[0] = 3;
    pat[TOLL_LINK_ACTORS] = 9;
    ck_assert_int_eq(toll__lk_em(m, pat, cnt, 1, NULL, 10, 1e-6, NULL, &e),
                     TOLL_EINVAL);
    ck_assert_ptr_nonnull(strstr(e.message, "actors"));
    ck_assert(same_model(m, before));
    toll_link_model_free(before);
    toll_link_model_free(m);
}
END_TEST

START_TEST(em_should_fail_cleanly_without_memory)
{
    uint8_t *lv = simulate(true_m, true_u, 0.2, 1000, 4, NULL);
    uint64_t *cnt = malloc(1000 * sizeof *cnt);
    for (size_t i = 0; i < 1000; i++)
        cnt[i] = 1;
    failing_alloc f;
    failing_alloc_init(&f, 0);
    toll_link_model *m = NULL, *before = NULL;
    toll_error e;
    ck_assert_int_eq(toll_link_model_new(&f.a, &m, &e), TOLL_OK);
    toll_link_model_copy(m, toll_default_allocator(), &before, &e);
    f.fail_at = f.count + 1;
    ck_assert_int_eq(toll__lk_em(m, lv, cnt, 1000, NULL, 10, 1e-6, NULL, &e),
                     TOLL_ENOMEM);
    ck_assert(same_model(m, before));
    f.fail_at = 0;
    ck_assert_int_eq(toll__lk_em(m, lv, cnt, 1000, &f.a, 10, 1e-6, NULL, &e),
                     TOLL_OK);
    toll_link_model_free(m);
    ck_assert_int_eq(f.live, 0);
    toll_link_model_free(before);
    free(lv);
    free(cnt);
}
END_TEST

START_TEST(em_should_time_a_million_patterns)
{
    size_t n = 1000000;
    uint8_t *lv = simulate(true_m, true_u, 0.1, n, 17, NULL);
    uint64_t *cnt = malloc(n * sizeof *cnt);
    for (size_t i = 0; i < n; i++)
        cnt[i] = 1 + (i & 3);
    toll_link_model *m = new_model();
    set_truth_u(m);
    toll_error e;
    int it = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    ck_assert_int_eq(toll__lk_em(m, lv, cnt, n, NULL, 10, 0.0, &it, &e),
                     TOLL_OK);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (double)(t1.tv_sec - t0.tv_sec) +
               (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
    printf("EM over 10^6 patterns: %d iterations in %.3f s (%.1f ms per "
           "iteration)\n",
           it, s, 1000.0 * s / it);
    ck_assert_int_eq(it, 10);
    free(lv);
    free(cnt);
    toll_link_model_free(m);
}
END_TEST

/* ---- JSON ------------------------------------------------------------------ */

START_TEST(json_should_round_trip_the_default_model_bit_for_bit)
{
    toll_link_model *m = new_model();
    round_trip(m);
    toll_link_model_free(m);
}
END_TEST

START_TEST(json_should_round_trip_a_fitted_model_bit_for_bit)
{
    uint8_t *lv = simulate(true_m, true_u, 0.2, 3000, 8, NULL);
    uint8_t *pat;
    uint64_t *cnt;
    size_t k = distinct(lv, 3000, &pat, &cnt);
    toll_link_model *m = new_model();
    toll_error e;
    ck_assert_int_eq(toll__lk_set_u(m, lv, 3000, &e), TOLL_OK);
    ck_assert_int_eq(toll__lk_em(m, pat, cnt, k, NULL, 200, 1e-12, NULL, &e),
                     TOLL_OK);
    m->m[TOLL_LINK_PLACE][2] = 1e-6;             /* the clamp's edge */
    m->u[TOLL_LINK_PLACE][3] = 0.1 + 0.2;        /* not 0.3 */
    m->u[TOLL_LINK_FIGURES][0] = 4.9406564584124654e-324 + 0.5; /* 0.5 */
    m->u[TOLL_LINK_FIGURES][1] = 5e-324;         /* the least subnormal */
    m->m[TOLL_LINK_FIGURES][2] = nextafter(1.0, 0.0);
    round_trip(m);
    free(lv);
    free(pat);
    free(cnt);
    toll_link_model_free(m);
}
END_TEST

START_TEST(json_should_be_written_in_the_documented_form)
{
    toll_link_model *m = new_model();
    char *j = to_json(m);
    ck_assert_ptr_nonnull(strstr(j, "{\"toll_link_model\": 1,\n"));
    ck_assert_ptr_nonnull(strstr(j, "\"prior\": 0.050000000000000003,"));
    ck_assert_ptr_nonnull(
        strstr(j, "\"4+\": {\"m\": 0.02, \"u\": 0.20000000000000001}"));
    free(j);
    sink s = {0};
    s.fail = 1;
    toll_error e;
    ck_assert_int_eq(toll_link_model_write_json(m, sink_write, &s, &e),
                     TOLL_EIO);
    toll_link_model_free(m);
}
END_TEST

START_TEST(json_should_read_names_in_any_case_and_levels_in_any_order)
{
    const char *j =
        "{\"comparisons\": {"
        "\"SOURCE\": {\"same\": {\"u\": 0.4, \"m\": 0.1}, \"different\": "
        "{\"m\": 0.9, \"u\": 0.6}},"
        "\"date\": {\"unknown\": {\"m\": 0.1, \"u\": 0.1}, \"0\": {\"m\": "
        "0.5, \"u\": 0.1}, \"1\": {\"m\": 0.2, \"u\": 0.2}, \"2-3\": {\"m\": "
        "0.1, \"u\": 0.3}, \"4+\": {\"m\": 0.1, \"u\": 0.3}},"
        "\"distance\": {\"<1km\": {\"m\": 0.2, \"u\": 0.2}, \"<5km\": {\"m\": "
        "0.2, \"u\": 0.2}, \"<25km\": {\"m\": 0.2, \"u\": 0.2}, \"25km+\": "
        "{\"m\": 0.2, \"u\": 0.2}, \"Unknown\": {\"m\": 0.2, \"u\": 0.2}},"
        "\"place\": {\"same\": {\"m\": 0.2, \"u\": 0.2}, \"sounds-alike\": "
        "{\"m\": 0.2, \"u\": 0.2}, \"close\": {\"m\": 0.2, \"u\": 0.2}, "
        "\"similar\": {\"m\": 0.2, \"u\": 0.2}, \"different\": {\"m\": 0.1, "
        "\"u\": 0.1}, \"unknown\": {\"m\": 0.1, \"u\": 0.1}},"
        "\"region\": {\"same\": {\"m\": 0.25, \"u\": 0.25}, \"district\": "
        "{\"m\": 0.25, \"u\": 0.25}, \"governorate\": {\"m\": 0.25, \"u\": "
        "0.25}, \"unknown\": {\"m\": 0.25, \"u\": 0.25}},"
        "\"actors\": {\"same\": {\"m\": 0.25, \"u\": 0.25}, \"overlap\": "
        "{\"m\": 0.25, \"u\": 0.25}, \"disjoint\": {\"m\": 0.25, \"u\": "
        "0.25}, \"unnamed\": {\"m\": 0.25, \"u\": 0.25}},"
        "\"figures\": {\"overlap\": {\"m\": 0.25, \"u\": 0.25}, \"close\": "
        "{\"m\": 0.25, \"u\": 0.25}, \"far\": {\"m\": 0.25, \"u\": 0.25}, "
        "\"unknown\": {\"m\": 0.25, \"u\": 0.25}}},"
        " \"prior\": 0.02, \"toll_link_model\": 1}\n";
    toll_link_model *m = new_model();
    toll_error e;
    toll_status st = toll_link_model_load_json(m, j, strlen(j), NULL, &e);
    ck_assert_msg(st == TOLL_OK, "%s", e.message);
    ck_assert_double_eq(m->prior, 0.02);
    ck_assert_double_eq(m->m[TOLL_LINK_SOURCE][1], 0.1);
    ck_assert_double_eq(m->u[TOLL_LINK_SOURCE][1], 0.4);
    ck_assert_double_eq(m->m[TOLL_LINK_DATE][0], 0.5);
    toll_link_model_free(m);
}
END_TEST

START_TEST(json_should_load_a_file_and_name_a_missing_one)
{
    toll_link_model *m = new_model();
    m->prior = 0.25;
    char *j = to_json(m);
    char path[] = "/tmp/toll_model_XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, j, strlen(j)), (ssize_t)strlen(j));
    close(fd);
    toll_link_model *b = new_model();
    toll_error e;
    ck_assert_int_eq(toll_link_model_load_file(b, path, &e), TOLL_OK);
    ck_assert(same_model(m, b));
    unlink(path);
    ck_assert_int_eq(toll_link_model_load_file(b, path, &e), TOLL_ENOTFOUND);
    ck_assert_ptr_nonnull(strstr(e.message, path));
    free(j);
    toll_link_model_free(b);
    toll_link_model_free(m);
}
END_TEST

START_TEST(json_load_should_refuse_invalid_json)
{
    expect_load_error("{\"toll_link_model\": 1,", TOLL_EPARSE, "invalid JSON",
                      NULL);
    expect_load_error("", TOLL_EPARSE, "empty", NULL);
    expect_load_error("{} x", TOLL_EPARSE, "after the JSON value", NULL);
}
END_TEST

START_TEST(json_load_should_refuse_a_value_not_an_object)
{
    expect_load_error("[1, 2]", TOLL_EPARSE, "must be a JSON object",
                      "an array");
}
END_TEST

START_TEST(json_load_should_refuse_a_missing_version)
{
    cJSON *t = default_tree();
    cJSON_DeleteItemFromObject(t, "toll_link_model");
    expect_tree_error(t, TOLL_EPARSE, "\"toll_link_model\"", "missing");
}
END_TEST

START_TEST(json_load_should_refuse_a_version_other_than_1)
{
    cJSON *t = default_tree();
    cJSON_ReplaceItemInObject(t, "toll_link_model", cJSON_CreateNumber(2));
    expect_tree_error(t, TOLL_EPARSE, "\"toll_link_model\" is 2", NULL);
    t = default_tree();
    cJSON_ReplaceItemInObject(t, "toll_link_model", cJSON_CreateString("1"));
    expect_tree_error(t, TOLL_EPARSE, "\"toll_link_model\" is \"1\"", NULL);
}
END_TEST

START_TEST(json_load_should_refuse_a_missing_prior)
{
    cJSON *t = default_tree();
    cJSON_DeleteItemFromObject(t, "prior");
    expect_tree_error(t, TOLL_EPARSE, "\"prior\" is missing", NULL);
}
END_TEST

START_TEST(json_load_should_refuse_a_prior_outside_0_1)
{
    double bad[] = {0.0, 1.0, -0.5, 2.0};
    for (size_t i = 0; i < 4; i++) {
        cJSON *t = default_tree();
        cJSON_ReplaceItemInObject(t, "prior", cJSON_CreateNumber(bad[i]));
        expect_tree_error(t, TOLL_EINVAL, "prior", "outside (0, 1)");
    }
    cJSON *t = default_tree();
    cJSON_ReplaceItemInObject(t, "prior", cJSON_CreateString("0.1"));
    expect_tree_error(t, TOLL_EPARSE, "\"prior\" must be a number",
                      "\"0.1\"");
    expect_load_error("{\"toll_link_model\": 1, \"prior\": 1e400}",
                      TOLL_EINVAL, "prior", "outside (0, 1)");
}
END_TEST

START_TEST(json_load_should_refuse_an_unknown_comparison)
{
    cJSON *t = default_tree();
    cJSON *c = cJSON_GetObjectItemCaseSensitive(t, "comparisons");
    cJSON_AddItemToObject(c, "weather", cJSON_CreateObject());
    expect_tree_error(t, TOLL_EPARSE, "unknown comparison 'weather'", NULL);
}
END_TEST

START_TEST(json_load_should_refuse_a_missing_comparison)
{
    cJSON *t = default_tree();
    cJSON_DeleteItemFromObject(
        cJSON_GetObjectItemCaseSensitive(t, "comparisons"), "figures");
    expect_tree_error(t, TOLL_EPARSE, "comparison figures is missing", NULL);
    t = default_tree();
    cJSON_DeleteItemFromObject(t, "comparisons");
    expect_tree_error(t, TOLL_EPARSE, "\"comparisons\" is missing", NULL);
}
END_TEST

START_TEST(json_load_should_refuse_a_comparison_given_twice)
{
    cJSON *t = default_tree();
    cJSON *c = cJSON_GetObjectItemCaseSensitive(t, "comparisons");
    cJSON_AddItemToObject(
        c, "Date",
        cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(c, "date"), 1));
    expect_tree_error(t, TOLL_EPARSE, "comparison date is given twice", NULL);
}
END_TEST

START_TEST(json_load_should_refuse_an_unknown_level)
{
    cJSON *t = default_tree();
    cJSON *c = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(t, "comparisons"), "date");
    cJSON_AddItemToObject(c, "5-6",
                          cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(
                                              c, "0"),
                                          1));
    expect_tree_error(t, TOLL_EPARSE, "unknown level '5-6'", "date");
}
END_TEST

START_TEST(json_load_should_refuse_a_missing_level)
{
    cJSON *t = default_tree();
    cJSON_DeleteItemFromObject(
        cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(t, "comparisons"), "actors"),
        "unnamed");
    expect_tree_error(t, TOLL_EPARSE,
                      "level \"unnamed\" of comparison actors is missing",
                      NULL);
}
END_TEST

START_TEST(json_load_should_refuse_a_missing_m_or_u)
{
    cJSON *t = default_tree();
    cJSON_DeleteItemFromObject(level_of(t, "place", "close"), "m");
    expect_tree_error(t, TOLL_EPARSE,
                      "level \"close\" of comparison place: \"m\" is missing",
                      NULL);
    t = default_tree();
    cJSON_DeleteItemFromObject(level_of(t, "region", "same"), "u");
    expect_tree_error(t, TOLL_EPARSE,
                      "level \"same\" of comparison region: \"u\" is missing",
                      NULL);
}
END_TEST

START_TEST(json_load_should_refuse_an_m_or_u_not_a_number)
{
    cJSON *t = default_tree();
    cJSON_ReplaceItemInObject(level_of(t, "figures", "far"), "u",
                              cJSON_CreateString("0.3"));
    expect_tree_error(t, TOLL_EPARSE,
                      "level \"far\" of comparison figures: \"u\" must be a "
                      "number",
                      "\"0.3\"");
    t = default_tree();
    cJSON_ReplaceItemInObject(level_of(t, "date", "1"), "m",
                              cJSON_CreateNull());
    expect_tree_error(t, TOLL_EPARSE, "\"m\" must be a number, not null",
                      "comparison date");
}
END_TEST

START_TEST(json_load_should_refuse_an_m_or_u_outside_0_1)
{
    cJSON *t = default_tree();
    cJSON_ReplaceItemInObject(level_of(t, "distance", "<1km"), "m",
                              cJSON_CreateNumber(1.0));
    expect_tree_error(t, TOLL_EINVAL,
                      "level \"<1km\" of comparison distance: m 1 is outside "
                      "(0, 1)",
                      NULL);
    t = default_tree();
    cJSON_ReplaceItemInObject(level_of(t, "source", "same"), "u",
                              cJSON_CreateNumber(-0.25));
    expect_tree_error(t, TOLL_EINVAL,
                      "level \"same\" of comparison source: u -0.25 is "
                      "outside (0, 1)",
                      NULL);
}
END_TEST

START_TEST(json_load_should_refuse_a_level_not_an_object)
{
    cJSON *t = default_tree();
    cJSON_ReplaceItemInObject(
        cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(t, "comparisons"), "source"),
        "same", cJSON_CreateNumber(0.5));
    expect_tree_error(t, TOLL_EPARSE,
                      "level \"same\" of comparison source must be an object",
                      NULL);
    t = default_tree();
    cJSON_ReplaceItemInObject(cJSON_GetObjectItemCaseSensitive(t,
                                                               "comparisons"),
                              "source", cJSON_CreateArray());
    expect_tree_error(t, TOLL_EPARSE, "comparison source must be an object",
                      NULL);
}
END_TEST

START_TEST(json_load_should_refuse_an_unknown_top_level_key)
{
    cJSON *t = default_tree();
    cJSON_AddItemToObject(t, "priors", cJSON_CreateNumber(0.1));
    expect_tree_error(t, TOLL_EPARSE, "unknown key \"priors\"", NULL);
}
END_TEST

START_TEST(json_load_should_refuse_an_unknown_key_in_a_level)
{
    cJSON *t = default_tree();
    cJSON_AddItemToObject(level_of(t, "region", "district"), "w",
                          cJSON_CreateNumber(0.1));
    expect_tree_error(t, TOLL_EPARSE,
                      "level \"district\" of comparison region: unknown key "
                      "\"w\"",
                      NULL);
}
END_TEST

START_TEST(json_load_should_refuse_a_key_given_twice)
{
    expect_load_error("{\"prior\": 0.1, \"prior\": 0.2}", TOLL_EPARSE,
                      "\"prior\" is given twice", NULL);
    cJSON *t = default_tree();
    cJSON_AddItemToObject(level_of(t, "date", "0"), "m",
                          cJSON_CreateNumber(0.2));
    expect_tree_error(t, TOLL_EPARSE, "\"m\" is given twice", "date");
}
END_TEST

START_TEST(json_load_should_refuse_an_escaped_nul)
{
    cJSON *t = default_tree();
    char *j = cJSON_PrintUnformatted(t);
    cJSON_Delete(t);
    /* "prior" -> "prior\u0000x" would read as "prior" */
    char buf[8192];
    char *at = strstr(j, "\"prior\"");
    ck_assert_ptr_nonnull(at);
    snprintf(buf, sizeof buf, "%.*s\"prior\\u0000x\"%s", (int)(at - j), j,
             at + 7);
    expect_load_error(buf, TOLL_EPARSE, "\\u0000", NULL);
    free(j);
}
END_TEST

START_TEST(label_match_words_should_read_in_any_case_and_refuse_the_rest)
{
    const char *yes[] = {"1", "true", "Yes", " y ", "T", "TRUE"};
    const char *no[] = {"0", "false", "NO", "n", " f", "False"};
    int m = -1;
    for (size_t i = 0; i < 6; i++) {
        ck_assert_int_eq(toll_link_label_match_parse(yes[i], &m, NULL),
                         TOLL_OK);
        ck_assert_int_eq(m, 1);
        ck_assert_int_eq(toll_link_label_match_parse(no[i], &m, NULL),
                         TOLL_OK);
        ck_assert_int_eq(m, 0);
    }
    toll_error err;
    const char *bad[] = {"", "2", "maybe", "yess", "-1", NULL};
    for (size_t i = 0; i < 6; i++) {
        ck_assert_int_eq(toll_link_label_match_parse(bad[i], &m, &err),
                         TOLL_EINVAL);
        ck_assert_ptr_nonnull(strstr(err.message, "is not a match label"));
    }
}
END_TEST

static Suite *link_model_suite(void)
{
    Suite *s = suite_create("link_model");
    TCase *d = tcase_create("defaults");
    tcase_add_test(d, default_model_should_have_prior_005_and_rows_summing_to_1);
    tcase_add_test(d, default_unknown_levels_should_weigh_0);
    tcase_add_test(d, default_agreement_should_weigh_for_and_same_source_against);
    tcase_add_test(d, set_prior_should_refuse_values_outside_0_1);
    tcase_add_test(d, set_level_should_refuse_probabilities_outside_0_1);
    tcase_add_test(d, level_accessors_should_refuse_out_of_range_indices);
    tcase_add_test(d, copy_should_be_equal_and_independent);
    tcase_add_test(d,
                   label_match_words_should_read_in_any_case_and_refuse_the_rest);
    suite_add_tcase(s, d);

    TCase *w = tcase_create("weights");
    tcase_add_test(w, weight_should_sum_log2_m_over_u);
    tcase_add_test(w, probability_should_be_half_at_0_monotone_and_finite);
    suite_add_tcase(s, w);

    TCase *f = tcase_create("fit");
    tcase_set_timeout(f, 120);
    tcase_add_test(f, set_u_should_recover_u_from_random_pairs);
    tcase_add_test(f, set_u_should_smooth_levels_never_seen);
    tcase_add_test(f, set_u_should_refuse_no_pairs_and_bad_levels);
    tcase_add_test(f, fit_m_should_take_smoothed_shares_among_matches);
    tcase_add_test(f, fit_m_should_recover_m_from_labelled_pairs);
    tcase_add_test(f, fit_m_should_refuse_no_match);
    tcase_add_test(f, em_should_recover_m_and_prior_from_the_truth);
    tcase_add_test(f, em_should_recover_m_and_prior_from_the_defaults);
    tcase_add_test(f, em_should_never_raise_m_of_same_source_above_its_start);
    tcase_add_test(f, em_should_keep_m_and_prior_inside_the_clamp);
    tcase_add_test(f, em_should_stop_at_max_iter_or_tol);
    tcase_add_test(f, em_should_refuse_no_pairs_and_leave_the_model);
    tcase_add_test(f, em_should_fail_cleanly_without_memory);
    tcase_add_test(f, em_should_time_a_million_patterns);
    suite_add_tcase(s, f);

    TCase *j = tcase_create("json");
    tcase_add_test(j, json_should_round_trip_the_default_model_bit_for_bit);
    tcase_add_test(j, json_should_round_trip_a_fitted_model_bit_for_bit);
    tcase_add_test(j, json_should_be_written_in_the_documented_form);
    tcase_add_test(j, json_should_read_names_in_any_case_and_levels_in_any_order);
    tcase_add_test(j, json_should_load_a_file_and_name_a_missing_one);
    tcase_add_test(j, json_load_should_refuse_invalid_json);
    tcase_add_test(j, json_load_should_refuse_a_value_not_an_object);
    tcase_add_test(j, json_load_should_refuse_a_missing_version);
    tcase_add_test(j, json_load_should_refuse_a_version_other_than_1);
    tcase_add_test(j, json_load_should_refuse_a_missing_prior);
    tcase_add_test(j, json_load_should_refuse_a_prior_outside_0_1);
    tcase_add_test(j, json_load_should_refuse_an_unknown_comparison);
    tcase_add_test(j, json_load_should_refuse_a_missing_comparison);
    tcase_add_test(j, json_load_should_refuse_a_comparison_given_twice);
    tcase_add_test(j, json_load_should_refuse_an_unknown_level);
    tcase_add_test(j, json_load_should_refuse_a_missing_level);
    tcase_add_test(j, json_load_should_refuse_a_missing_m_or_u);
    tcase_add_test(j, json_load_should_refuse_an_m_or_u_not_a_number);
    tcase_add_test(j, json_load_should_refuse_an_m_or_u_outside_0_1);
    tcase_add_test(j, json_load_should_refuse_a_level_not_an_object);
    tcase_add_test(j, json_load_should_refuse_an_unknown_top_level_key);
    tcase_add_test(j, json_load_should_refuse_an_unknown_key_in_a_level);
    tcase_add_test(j, json_load_should_refuse_a_key_given_twice);
    tcase_add_test(j, json_load_should_refuse_an_escaped_nul);
    suite_add_tcase(s, j);
    return s;
}

int main(void) { return toll_test_run(link_model_suite()); }
