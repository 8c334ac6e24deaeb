/*
 * src/link/model.c - the Fellegi-Sunter model of the probabilistic linker
 * (toll/link_model.h, docs/linking.md "The model"): the default weights,
 * the model's JSON (read with cJSON, written with 17 significant digits),
 * weights and match probabilities, u from random pairs, EM for m and the
 * prior, and m from labelled pairs.
 */
#include "link/link_int.h"

#include <cjson/cJSON.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* m and u are kept inside [PROB_MIN, PROB_MAX] by the estimators. */
#define PROB_MIN 1e-6
#define PROB_MAX (1.0 - 1e-6)

/* Additive smoothing of the shares toll__lk_set_u and toll__lk_fit_m
 * compute: (count + SMOOTH) / (n + SMOOTH * levels). */
#define SMOOTH 0.5

/* The level "same" of the `source` comparison (src/link/levels.c). */
#define SOURCE_SAME 1

/*
 * The default weights (docs/linking.md, "The model", gives the reasons).
 * Each row sums to 1; a level "unknown"/"unnamed" has m == u (weight 0).
 */
static const double default_m[TOLL_LINK_NCOMPARISONS][TOLL_LINK_MAX_LEVELS] = {
    /* date: 0, 1, 2-3, 4+, unknown */
    {0.70, 0.17, 0.06, 0.02, 0.05},
    /* distance: <1km, <5km, <25km, 25km+, unknown */
    {0.35, 0.15, 0.12, 0.08, 0.30},
    /* place: same, sounds-alike, close, similar, different, unknown */
    {0.45, 0.05, 0.05, 0.05, 0.15, 0.25},
    /* region: same, district, governorate, unknown */
    {0.80, 0.08, 0.04, 0.08},
    /* actors: same, overlap, disjoint, unnamed */
    {0.55, 0.20, 0.10, 0.15},
    /* figures: overlap, close, far, unknown */
    {0.50, 0.25, 0.10, 0.15},
    /* source: different, same */
    {0.95, 0.05},
};
static const double default_u[TOLL_LINK_NCOMPARISONS][TOLL_LINK_MAX_LEVELS] = {
    {0.15, 0.25, 0.35, 0.20, 0.05},
    {0.005, 0.02, 0.10, 0.575, 0.30},
    {0.02, 0.005, 0.01, 0.03, 0.685, 0.25},
    {0.15, 0.30, 0.47, 0.08},
    {0.25, 0.10, 0.50, 0.15},
    {0.15, 0.20, 0.50, 0.15},
    {0.70, 0.30},
};
#define DEFAULT_PRIOR 0.05

static void set_defaults(toll_link_model *m)
{
    m->prior = DEFAULT_PRIOR;
    memcpy(m->m, default_m, sizeof m->m);
    memcpy(m->u, default_u, sizeof m->u);
}

static int in_unit(double p) { return p > 0.0 && p < 1.0; }

static double clamp(double p)
{
    return p < PROB_MIN ? PROB_MIN : p > PROB_MAX ? PROB_MAX : p;
}

/* ---- the object ----------------------------------------------------------- */

toll_status toll_link_model_new(const toll_allocator *alloc,
                                toll_link_model **out, toll_error *err)
{
    if (!out)
        return toll__err(err, TOLL_EINVAL, "toll_link_model_new: out is NULL");
    *out = NULL;
    toll_allocator a;
    toll__alloc_init(&a, alloc);
    toll_link_model *m = toll__alloc(&a, sizeof *m);
    if (!m)
        return toll__nomem(err);
    memset(m, 0, sizeof *m);
    m->alloc = a;
    set_defaults(m);
    *out = m;
    return TOLL_OK;
}

toll_status toll_link_model_copy(const toll_link_model *src,
                                 const toll_allocator *alloc,
                                 toll_link_model **out, toll_error *err)
{
    if (!src || !out)
        return toll__err(err, TOLL_EINVAL, "toll_link_model_copy: %s is NULL",
                         src ? "out" : "src");
    *out = NULL;
    toll_allocator a;
    toll__alloc_init(&a, alloc ? alloc : &src->alloc);
    toll_link_model *m = toll__alloc(&a, sizeof *m);
    if (!m)
        return toll__nomem(err);
    *m = *src;
    m->alloc = a;
    *out = m;
    return TOLL_OK;
}

void toll_link_model_free(toll_link_model *model)
{
    if (model) {
        toll_allocator a = model->alloc;
        toll__free(&a, model, sizeof *model);
    }
}

double toll_link_model_prior(const toll_link_model *model)
{
    return model ? model->prior : NAN;
}

toll_status toll_link_model_set_prior(toll_link_model *model, double prior,
                                      toll_error *err)
{
    if (!model)
        return toll__err(err, TOLL_EINVAL,
                         "toll_link_model_set_prior: model is NULL");
    if (!in_unit(prior))
        return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "prior", NULL, 0,
                            "the prior %.17g is outside (0, 1)", prior);
    model->prior = prior;
    return TOLL_OK;
}

/* TOLL_ERANGE unless (cmp, level) names a level. */
static toll_status check_level(int cmp, size_t level, toll_error *err)
{
    if (cmp < 0 || cmp >= TOLL_LINK_NCOMPARISONS)
        return toll__err(err, TOLL_ERANGE,
                         "comparison %d is out of range (0..%d)", cmp,
                         TOLL_LINK_NCOMPARISONS - 1);
    size_t nl = toll_link_level_count(cmp);
    if (level >= nl)
        return toll__seterr(err, TOLL_ERANGE, NULL, 0, -1,
                            toll_link_comparison_name(cmp), NULL, 0,
                            "level %zu of comparison %s is out of range "
                            "(0..%zu)",
                            level, toll_link_comparison_name(cmp), nl - 1);
    return TOLL_OK;
}

toll_status toll_link_model_level(const toll_link_model *model, int cmp,
                                  size_t level, double *m, double *u,
                                  toll_error *err)
{
    if (!model)
        return toll__err(err, TOLL_EINVAL,
                         "toll_link_model_level: model is NULL");
    toll_status st = check_level(cmp, level, err);
    if (st)
        return st;
    if (m)
        *m = model->m[cmp][level];
    if (u)
        *u = model->u[cmp][level];
    return TOLL_OK;
}

toll_status toll_link_model_set_level(toll_link_model *model, int cmp,
                                      size_t level, double m, double u,
                                      toll_error *err)
{
    if (!model)
        return toll__err(err, TOLL_EINVAL,
                         "toll_link_model_set_level: model is NULL");
    toll_status st = check_level(cmp, level, err);
    if (st)
        return st;
    if (!in_unit(m) || !in_unit(u)) {
        const char *cn = toll_link_comparison_name(cmp);
        int bad_m = !in_unit(m);
        return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, cn, NULL, 0,
                            "level '%s' of comparison %s: %s %.17g is "
                            "outside (0, 1)",
                            toll_link_level_name(cmp, level), cn,
                            bad_m ? "m" : "u", bad_m ? m : u);
    }
    model->m[cmp][level] = m;
    model->u[cmp][level] = u;
    return TOLL_OK;
}

double toll_link_model_weight(const toll_link_model *model, int cmp,
                              size_t level)
{
    if (!model || cmp < 0 || cmp >= TOLL_LINK_NCOMPARISONS ||
        level >= toll_link_level_count(cmp))
        return 0.0;
    return log2(model->m[cmp][level] / model->u[cmp][level]);
}

/* ---- weights and probabilities --------------------------------------------- */

double toll__lk_weight(const toll_link_model *model, const uint8_t *levels,
                       double *per_cmp)
{
    double total = 0.0;
    for (int c = 0; c < TOLL_LINK_NCOMPARISONS; c++) {
        double w = toll_link_model_weight(model, c, levels[c]);
        if (per_cmp)
            per_cmp[c] = w;
        total += w;
    }
    return total;
}

double toll__lk_prior_weight(const toll_link_model *model)
{
    return log2(model->prior / (1.0 - model->prior));
}

double toll__lk_probability(double w)
{
    /* 2^-w overflows for w below about -1024: use the other form there. */
    if (w >= 0.0)
        return 1.0 / (1.0 + exp2(-w));
    double e = exp2(w);
    return e / (1.0 + e);
}

/* ---- estimation --------------------------------------------------------------- */

/* TOLL_EINVAL unless every level of the vector is in range. */
static toll_status check_vector(const uint8_t *lv, size_t i, const char *what,
                                toll_error *err)
{
    for (int c = 0; c < TOLL_LINK_NCOMPARISONS; c++)
        if (lv[c] >= toll_link_level_count(c))
            return toll__seterr(err, TOLL_EINVAL, NULL, 0, (long)i,
                                toll_link_comparison_name(c), NULL, 0,
                                "%s %zu: level %u of comparison %s is out "
                                "of range (0..%zu)",
                                what, i, (unsigned)lv[c],
                                toll_link_comparison_name(c),
                                toll_link_level_count(c) - 1);
    return TOLL_OK;
}

/* Each level's smoothed share of the counts cnt[c][*] over `total`. */
static void shares(double out[TOLL_LINK_NCOMPARISONS][TOLL_LINK_MAX_LEVELS],
                   const double cnt[TOLL_LINK_NCOMPARISONS]
                                   [TOLL_LINK_MAX_LEVELS],
                   double total)
{
    for (int c = 0; c < TOLL_LINK_NCOMPARISONS; c++) {
        size_t nl = toll_link_level_count(c);
        for (size_t l = 0; l < nl; l++)
            out[c][l] = (cnt[c][l] + SMOOTH) / (total + SMOOTH * (double)nl);
    }
}

toll_status toll__lk_set_u(toll_link_model *model, const uint8_t *levels,
                           size_t n, toll_error *err)
{
    if (n == 0)
        return toll__err(err, TOLL_EINVAL,
                         "no random pairs to estimate u from");
    double cnt[TOLL_LINK_NCOMPARISONS][TOLL_LINK_MAX_LEVELS] = {{0}};
    for (size_t i = 0; i < n; i++) {
        const uint8_t *lv = levels + i * TOLL_LINK_NCOMPARISONS;
        toll_status st = check_vector(lv, i, "random pair", err);
        if (st)
            return st;
        for (int c = 0; c < TOLL_LINK_NCOMPARISONS; c++)
            cnt[c][lv[c]] += 1.0;
    }
    shares(model->u, cnt, (double)n);
    return TOLL_OK;
}

toll_status toll__lk_fit_m(toll_link_model *model, const uint8_t *levels,
                           const uint8_t *is_match, size_t n, toll_error *err)
{
    double cnt[TOLL_LINK_NCOMPARISONS][TOLL_LINK_MAX_LEVELS] = {{0}};
    size_t matches = 0;
    for (size_t i = 0; i < n; i++) {
        const uint8_t *lv = levels + i * TOLL_LINK_NCOMPARISONS;
        toll_status st = check_vector(lv, i, "labelled pair", err);
        if (st)
            return st;
        if (!is_match[i])
            continue;
        matches++;
        for (int c = 0; c < TOLL_LINK_NCOMPARISONS; c++)
            cnt[c][lv[c]] += 1.0;
    }
    if (matches == 0)
        return toll__err(err, TOLL_EINVAL,
                         "no labelled match among %zu pairs to estimate m "
                         "from",
                         n);
    shares(model->m, cnt, (double)matches);
    return TOLL_OK;
}

/*
 * EM of the two-class mixture with conditional independence, u fixed.
 * Each pattern's log u term is computed once; an iteration computes the
 * table of log m (at most 7 x 6 logs) and, per pattern, its 7 lookups, one
 * exp for the posterior and the sums of the M step.
 *
 * Guard (docs/linking.md, "The model"): the m of the level "same" of the
 * `source` comparison never rises above its starting value.  A source
 * rarely reports one incident twice; without the guard EM can settle on a
 * class of "same place, same actor, same outlet" pairs, in which a shared
 * source would look like a sign of a match.
 */
toll_status toll__lk_em(toll_link_model *model, const uint8_t *levels,
                        const uint64_t *counts, size_t n_patterns,
                        const toll_allocator *a, int max_iter, double tol,
                        int *iterations, toll_error *err)
{
    if (iterations)
        *iterations = 0;
    double total = 0.0;
    for (size_t p = 0; p < n_patterns; p++) {
        toll_status st =
            check_vector(levels + p * TOLL_LINK_NCOMPARISONS, p, "pattern",
                         err);
        if (st)
            return st;
        total += (double)counts[p];
    }
    if (n_patterns == 0 || total <= 0.0)
        return toll__err(err, TOLL_EINVAL, "no pairs to run EM on");
    if (!a)
        a = &model->alloc;
    double *lu = toll__alloc(a, n_patterns * sizeof *lu);
    if (!lu)
        return toll__nomem(err);

    /* The u side and the starting point. */
    double logu[TOLL_LINK_NCOMPARISONS][TOLL_LINK_MAX_LEVELS];
    for (int c = 0; c < TOLL_LINK_NCOMPARISONS; c++)
        for (size_t l = 0; l < toll_link_level_count(c); l++)
            logu[c][l] = log(model->u[c][l]);
    for (size_t p = 0; p < n_patterns; p++) {
        const uint8_t *lv = levels + p * TOLL_LINK_NCOMPARISONS;
        double s = 0.0;
        for (int c = 0; c < TOLL_LINK_NCOMPARISONS; c++)
            s += logu[c][lv[c]];
        lu[p] = s;
    }
    double m[TOLL_LINK_NCOMPARISONS][TOLL_LINK_MAX_LEVELS];
    memcpy(m, model->m, sizeof m);
    double prior = clamp(model->prior);
    const double source_same_cap = clamp(model->m[TOLL_LINK_SOURCE]
                                                 [SOURCE_SAME]);
    for (int c = 0; c < TOLL_LINK_NCOMPARISONS; c++)
        for (size_t l = 0; l < toll_link_level_count(c); l++)
            m[c][l] = clamp(m[c][l]);

    int it = 0;
    while (it < max_iter) {
        double logm[TOLL_LINK_NCOMPARISONS][TOLL_LINK_MAX_LEVELS];
        for (int c = 0; c < TOLL_LINK_NCOMPARISONS; c++)
            for (size_t l = 0; l < toll_link_level_count(c); l++)
                logm[c][l] = log(m[c][l]);
        const double logit = log(prior) - log1p(-prior);
        double msum[TOLL_LINK_NCOMPARISONS][TOLL_LINK_MAX_LEVELS] = {{0}};
        double rsum = 0.0;
        for (size_t p = 0; p < n_patterns; p++) {
            const uint8_t *lv = levels + p * TOLL_LINK_NCOMPARISONS;
            double s = logit - lu[p];
            for (int c = 0; c < TOLL_LINK_NCOMPARISONS; c++)
                s += logm[c][lv[c]];
            /* posterior P(match | pattern) = 1 / (1 + e^-s), stably */
            double r;
            if (s >= 0.0) {
                r = 1.0 / (1.0 + exp(-s));
            } else {
                double e = exp(s);
                r = e / (1.0 + e);
            }
            double w = r * (double)counts[p];
            rsum += w;
            for (int c = 0; c < TOLL_LINK_NCOMPARISONS; c++)
                msum[c][lv[c]] += w;
        }
        it++;
        if (!(rsum > 0.0)) /* every pair a non-match: nothing to estimate */
            break;
        double moved = 0.0;
        double np = clamp(rsum / total);
        moved = fabs(np - prior);
        prior = np;
        for (int c = 0; c < TOLL_LINK_NCOMPARISONS; c++) {
            size_t nl = toll_link_level_count(c);
            double nm[TOLL_LINK_MAX_LEVELS];
            for (size_t l = 0; l < nl; l++)
                nm[l] = clamp(msum[c][l] / rsum);
            if (c == TOLL_LINK_SOURCE && nm[SOURCE_SAME] > source_same_cap) {
                /* the guard: hold "same" at its cap and give the rest to
                 * the other level(s) in their estimated proportions */
                double rest = 0.0;
                for (size_t l = 0; l < nl; l++)
                    if (l != SOURCE_SAME)
                        rest += nm[l];
                for (size_t l = 0; l < nl; l++)
                    nm[l] = l == SOURCE_SAME
                                ? source_same_cap
                                : clamp(nm[l] / rest *
                                        (1.0 - source_same_cap));
            }
            for (size_t l = 0; l < nl; l++) {
                double d = fabs(nm[l] - m[c][l]);
                if (d > moved)
                    moved = d;
                m[c][l] = nm[l];
            }
        }
        if (moved <= tol)
            break;
    }
    toll__free(a, lu, n_patterns * sizeof *lu);
    memcpy(model->m, m, sizeof m);
    model->prior = prior;
    if (iterations)
        *iterations = it;
    return TOLL_OK;
}

/* ---- JSON ------------------------------------------------------------------------- */

/* A short description of a JSON value for an error message. */
static void describe(const cJSON *v, char *buf, size_t n)
{
    if (!v)
        snprintf(buf, n, "nothing");
    else if (cJSON_IsNumber(v))
        snprintf(buf, n, "%.17g", v->valuedouble);
    else if (cJSON_IsString(v))
        snprintf(buf, n, "\"%.60s\"", v->valuestring ? v->valuestring : "");
    else if (cJSON_IsBool(v))
        snprintf(buf, n, "%s", cJSON_IsTrue(v) ? "true" : "false");
    else if (cJSON_IsNull(v))
        snprintf(buf, n, "null");
    else if (cJSON_IsArray(v))
        snprintf(buf, n, "an array");
    else
        snprintf(buf, n, "an object");
}

/* 1 when an earlier sibling of `c` has the same key. */
static int key_seen(const cJSON *parent, const cJSON *c)
{
    for (const cJSON *p = parent->child; p && p != c; p = p->next)
        if (p->string && c->string && strcmp(p->string, c->string) == 0)
            return 1;
    return 0;
}

static toll_status unknown_key(toll_error *err, const char *name,
                               const char *where, const char *k,
                               const char *expected)
{
    size_t kl = strlen(k);
    return toll__seterr(err, TOLL_EPARSE, name, 0, -1, where, k, kl,
                        "unknown key \"%.64s\" (expected %s)", k, expected);
}

static toll_status given_twice(toll_error *err, const char *name,
                               const char *where, const char *k)
{
    return toll__seterr(err, TOLL_EPARSE, name, 0, -1, where, k, strlen(k),
                        "key \"%.64s\" is given twice", k);
}

/* Read {"m": .., "u": ..} of level `l` of comparison `c` into tmp. */
static toll_status load_level(toll_link_model *tmp, int c, size_t l,
                              const cJSON *v, const char *name,
                              toll_error *err)
{
    const char *cn = toll_link_comparison_name(c);
    const char *ln = toll_link_level_name(c, l);
    char text[96];
    if (!cJSON_IsObject(v)) {
        describe(v, text, sizeof text);
        return toll__seterr(err, TOLL_EPARSE, name, 0, -1, cn, text,
                            strlen(text),
                            "level \"%s\" of comparison %s must be an object "
                            "{\"m\": .., \"u\": ..}, not %s",
                            ln, cn, text);
    }
    const cJSON *jm = NULL, *ju = NULL, *k;
    cJSON_ArrayForEach(k, v)
    {
        const char *key = k->string ? k->string : "";
        if (key_seen(v, k))
            return given_twice(err, name, cn, key);
        if (strcmp(key, "m") == 0)
            jm = k;
        else if (strcmp(key, "u") == 0)
            ju = k;
        else
            return toll__seterr(err, TOLL_EPARSE, name, 0, -1, cn, key,
                                strlen(key),
                                "level \"%s\" of comparison %s: unknown key "
                                "\"%.64s\" (expected \"m\" and \"u\")",
                                ln, cn, key);
    }
    const cJSON *jp[2] = {jm, ju};
    const char *pn[2] = {"m", "u"};
    double *dst[2] = {&tmp->m[c][l], &tmp->u[c][l]};
    for (int i = 0; i < 2; i++) {
        if (!jp[i])
            return toll__seterr(err, TOLL_EPARSE, name, 0, -1, cn, NULL, 0,
                                "level \"%s\" of comparison %s: \"%s\" is "
                                "missing",
                                ln, cn, pn[i]);
        describe(jp[i], text, sizeof text);
        if (!cJSON_IsNumber(jp[i]))
            return toll__seterr(err, TOLL_EPARSE, name, 0, -1, cn, text,
                                strlen(text),
                                "level \"%s\" of comparison %s: \"%s\" must "
                                "be a number, not %s",
                                ln, cn, pn[i], text);
        if (!in_unit(jp[i]->valuedouble))
            return toll__seterr(err, TOLL_EINVAL, name, 0, -1, cn, text,
                                strlen(text),
                                "level \"%s\" of comparison %s: %s %s is "
                                "outside (0, 1)",
                                ln, cn, pn[i], text);
        *dst[i] = jp[i]->valuedouble;
    }
    return TOLL_OK;
}

/* Read comparison c's object of levels into tmp. */
static toll_status load_comparison(toll_link_model *tmp, int c,
                                   const cJSON *v, const char *name,
                                   toll_error *err)
{
    const char *cn = toll_link_comparison_name(c);
    char text[96];
    if (!cJSON_IsObject(v)) {
        describe(v, text, sizeof text);
        return toll__seterr(err, TOLL_EPARSE, name, 0, -1, cn, text,
                            strlen(text),
                            "comparison %s must be an object of levels, "
                            "not %s",
                            cn, text);
    }
    int seen[TOLL_LINK_MAX_LEVELS] = {0};
    const cJSON *k;
    cJSON_ArrayForEach(k, v)
    {
        const char *key = k->string ? k->string : "";
        size_t l;
        toll_error e2;
        if (toll_link_level_parse(c, key, &l, &e2) != TOLL_OK)
            return toll__seterr(err, TOLL_EPARSE, name, 0, -1, cn, key,
                                strlen(key), "%s", e2.message);
        if (seen[l])
            return toll__seterr(err, TOLL_EPARSE, name, 0, -1, cn, key,
                                strlen(key),
                                "level \"%s\" of comparison %s is given "
                                "twice",
                                toll_link_level_name(c, l), cn);
        seen[l] = 1;
        toll_status st = load_level(tmp, c, l, k, name, err);
        if (st)
            return st;
    }
    for (size_t l = 0; l < toll_link_level_count(c); l++)
        if (!seen[l])
            return toll__seterr(err, TOLL_EPARSE, name, 0, -1, cn, NULL, 0,
                                "level \"%s\" of comparison %s is missing",
                                toll_link_level_name(c, l), cn);
    return TOLL_OK;
}

toll_status toll_link_model_load_json(toll_link_model *model,
                                      const char *json, size_t len,
                                      const char *name, toll_error *err)
{
    if (!model || (!json && len))
        return toll__err(err, TOLL_EINVAL,
                         "toll_link_model_load_json: %s is NULL",
                         model ? "json" : "model");
    if (!name)
        name = "<model>";
    if (len == 0)
        return toll__seterr(err, TOLL_EPARSE, name, 0, -1, NULL, NULL, 0,
                            "empty input (expected a JSON object)");
    /* cJSON would cut a string at an escaped NUL; no key of a model holds
     * a backslash, so any escape \u0000 is refused outright. */
    for (size_t i = 0; i + 6 <= len; i++)
        if (json[i] == '\\' && memcmp(json + i + 1, "u0000", 5) == 0)
            return toll__seterr(err, TOLL_EPARSE, name, 0, -1, NULL,
                                json + i, 6,
                                "\\u0000 (NUL) at byte %zu: no key of a "
                                "model holds it",
                                i);

    toll_status st = TOLL_OK;
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(json, len, &end, 0);
    if (!root) {
        size_t off = (end && end >= json && end <= json + len)
                         ? (size_t)(end - json)
                         : 0;
        return toll__seterr(err, TOLL_EPARSE, name, 0, -1, NULL,
                            json + off, len - off > 40 ? 40 : len - off,
                            "invalid JSON at byte %zu", off);
    }
    if (end) {
        size_t off = (size_t)(end - json);
        while (off < len && toll__is_space((unsigned char)json[off]))
            off++;
        if (off < len) {
            st = toll__seterr(err, TOLL_EPARSE, name, 0, -1, NULL, json + off,
                              len - off > 40 ? 40 : len - off,
                              "unexpected text after the JSON value at byte "
                              "%zu",
                              off);
            goto done;
        }
    }
    if (!cJSON_IsObject(root)) {
        char text[96];
        describe(root, text, sizeof text);
        st = toll__seterr(err, TOLL_EPARSE, name, 0, -1, NULL, text,
                          strlen(text),
                          "a model must be a JSON object, not %s", text);
        goto done;
    }

    toll_link_model tmp = *model;
    const cJSON *jv = NULL, *jp = NULL, *jc = NULL, *k;
    cJSON_ArrayForEach(k, root)
    {
        const char *key = k->string ? k->string : "";
        if (key_seen(root, k)) {
            st = given_twice(err, name, NULL, key);
            goto done;
        }
        if (strcmp(key, "toll_link_model") == 0)
            jv = k;
        else if (strcmp(key, "prior") == 0)
            jp = k;
        else if (strcmp(key, "comparisons") == 0)
            jc = k;
        else {
            st = unknown_key(err, name, NULL, key,
                             "\"toll_link_model\", \"prior\" and "
                             "\"comparisons\"");
            goto done;
        }
    }
    char text[96];
    if (!jv || !cJSON_IsNumber(jv) || jv->valuedouble != 1.0) {
        describe(jv, text, sizeof text);
        st = toll__seterr(err, TOLL_EPARSE, name, 0, -1, "toll_link_model",
                          jv ? text : NULL, jv ? strlen(text) : 0,
                          jv ? "\"toll_link_model\" is %s (expected 1, the "
                               "version of the format)"
                             : "\"toll_link_model\": %s (expected 1: is "
                               "this a toll link model?)",
                          jv ? text : "missing");
        goto done;
    }
    if (!jp) {
        st = toll__seterr(err, TOLL_EPARSE, name, 0, -1, "prior", NULL, 0,
                          "\"prior\" is missing");
        goto done;
    }
    describe(jp, text, sizeof text);
    if (!cJSON_IsNumber(jp)) {
        st = toll__seterr(err, TOLL_EPARSE, name, 0, -1, "prior", text,
                          strlen(text), "\"prior\" must be a number, not %s",
                          text);
        goto done;
    }
    if (!in_unit(jp->valuedouble)) {
        st = toll__seterr(err, TOLL_EINVAL, name, 0, -1, "prior", text,
                          strlen(text), "the prior %s is outside (0, 1)",
                          text);
        goto done;
    }
    tmp.prior = jp->valuedouble;
    if (!jc || !cJSON_IsObject(jc)) {
        describe(jc, text, sizeof text);
        st = toll__seterr(err, TOLL_EPARSE, name, 0, -1, "comparisons",
                          jc ? text : NULL, jc ? strlen(text) : 0,
                          "\"comparisons\" %s%s", jc ? "must be an object, "
                                                       "not "
                                                     : "is missing",
                          jc ? text : "");
        goto done;
    }
    int seen[TOLL_LINK_NCOMPARISONS] = {0};
    cJSON_ArrayForEach(k, jc)
    {
        const char *key = k->string ? k->string : "";
        int c;
        toll_error e2;
        if (toll_link_comparison_parse(key, &c, &e2) != TOLL_OK) {
            st = toll__seterr(err, TOLL_EPARSE, name, 0, -1, "comparisons",
                              key, strlen(key), "%s", e2.message);
            goto done;
        }
        if (seen[c]) {
            st = toll__seterr(err, TOLL_EPARSE, name, 0, -1,
                              toll_link_comparison_name(c), key, strlen(key),
                              "comparison %s is given twice",
                              toll_link_comparison_name(c));
            goto done;
        }
        seen[c] = 1;
        st = load_comparison(&tmp, c, k, name, err);
        if (st)
            goto done;
    }
    for (int c = 0; c < TOLL_LINK_NCOMPARISONS; c++)
        if (!seen[c]) {
            st = toll__seterr(err, TOLL_EPARSE, name, 0, -1,
                              toll_link_comparison_name(c), NULL, 0,
                              "comparison %s is missing",
                              toll_link_comparison_name(c));
            goto done;
        }
    *model = tmp;

done:
    cJSON_Delete(root);
    return st;
}

toll_status toll_link_model_load_file(toll_link_model *model,
                                      const char *path, toll_error *err)
{
    if (!model || !path)
        return toll__err(err, TOLL_EINVAL,
                         "toll_link_model_load_file: %s is NULL",
                         model ? "path" : "model");
    toll__buf b;
    toll__buf_init(&b, &model->alloc);
    toll_status st = toll__buf_read_file(&b, path, err);
    if (st == TOLL_OK)
        st = toll_link_model_load_json(model, b.data ? b.data : "", b.len,
                                       path, err);
    toll__buf_free(&b);
    return st;
}

/* v with 17 significant digits, a '.' whatever the locale. */
static int fmt17(char *buf, size_t n, double v)
{
    int k = snprintf(buf, n, "%.17g", v);
    for (int i = 0; i < k && (size_t)i < n; i++)
        if (buf[i] == ',')
            buf[i] = '.';
    return k;
}

toll_status toll_link_model_write_json(const toll_link_model *model,
                                       toll_write_fn fn, void *ctx,
                                       toll_error *err)
{
    if (!model || !fn)
        return toll__err(err, TOLL_EINVAL,
                         "toll_link_model_write_json: %s is NULL",
                         model ? "fn" : "model");
    char line[512], a[32], b[32];
    int k;
#define PUT(s, n)                                                            \
    do {                                                                     \
        if (fn(ctx, (s), (size_t)(n)))                                       \
            return toll__err(err, TOLL_EIO, "cannot write the model");       \
    } while (0)
    fmt17(a, sizeof a, model->prior);
    k = snprintf(line, sizeof line,
                 "{\"toll_link_model\": 1,\n \"prior\": %s,\n"
                 " \"comparisons\": {\n",
                 a);
    PUT(line, k);
    for (int c = 0; c < TOLL_LINK_NCOMPARISONS; c++) {
        k = snprintf(line, sizeof line, "  \"%s\": {\n",
                     toll_link_comparison_name(c));
        PUT(line, k);
        size_t nl = toll_link_level_count(c);
        for (size_t l = 0; l < nl; l++) {
            fmt17(a, sizeof a, model->m[c][l]);
            fmt17(b, sizeof b, model->u[c][l]);
            k = snprintf(line, sizeof line,
                         "    \"%s\": {\"m\": %s, \"u\": %s}%s\n",
                         toll_link_level_name(c, l), a, b,
                         l + 1 < nl ? "," : "");
            PUT(line, k);
        }
        k = snprintf(line, sizeof line, "  }%s\n",
                     c + 1 < TOLL_LINK_NCOMPARISONS ? "," : "");
        PUT(line, k);
    }
    PUT("}}\n", 3);
#undef PUT
    return TOLL_OK;
}
