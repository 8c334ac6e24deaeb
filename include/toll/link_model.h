/*
 * toll/link_model.h - the Fellegi-Sunter model of the probabilistic linker
 * (toll/link.h, docs/linking.md, "The model").
 *
 * For each comparison (toll/link_compare.h) and each of its levels the
 * model holds
 *   m = P(level | the two reports describe one incident)
 *   u = P(level | they do not),
 * both in (0, 1), and the prior: the probability that a candidate pair
 * (a pair the blocking proposes) is a match.  A pair's total weight is the
 * sum over comparisons of log2(m / u) for its levels, and its match
 * probability is
 *   p = 1 / (1 + 2^-(log2(prior / (1 - prior)) + total weight)).
 *
 * A model is made with the default weights (toll_link_model_new), fitted
 * from reports (toll_link_fit, toll_link_fit_labelled in toll/link.h), or
 * read from JSON:
 *   {"toll_link_model": 1,
 *    "prior": 0.02,
 *    "comparisons": {
 *      "date": {"0": {"m": 0.85, "u": 0.21}, "1": {...}, ...},
 *      ...}}
 * Every comparison and every level must be given; an unknown comparison
 * or level, or a probability outside (0, 1), is an error naming it.
 *
 * A model is a plain value: it may be read from several threads at once;
 * a write (load, set) needs exclusive access.
 */
#ifndef TOLL_LINK_MODEL_H
#define TOLL_LINK_MODEL_H

#include "common.h"
#include "link_compare.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct toll_link_model toll_link_model;

/* A model with the default weights (docs/linking.md lists them).  *out
 * owns it; free with toll_link_model_free.  `alloc` NULL: default. */
TOLL_API toll_status toll_link_model_new(const toll_allocator *alloc,
                                         toll_link_model **out,
                                         toll_error *err);
/* A copy of `src` (alloc NULL: src's allocator); *out owns it. */
TOLL_API toll_status toll_link_model_copy(const toll_link_model *src,
                                          const toll_allocator *alloc,
                                          toll_link_model **out,
                                          toll_error *err);
/* Free.  Accepts NULL. */
TOLL_API void toll_link_model_free(toll_link_model *model);

/* Replace the model by the one in JSON text (format above).  TOLL_EPARSE
 * or TOLL_EINVAL naming `name` (NULL: "<model>"), the comparison, level
 * or key and the text; the model is then unchanged. */
TOLL_API toll_status toll_link_model_load_json(toll_link_model *model,
                                               const char *json, size_t len,
                                               const char *name,
                                               toll_error *err);
/* Same, from a file (TOLL_EIO naming it). */
TOLL_API toll_status toll_link_model_load_file(toll_link_model *model,
                                               const char *path,
                                               toll_error *err);
/* Write the model as JSON (the format above, which load reads back to the
 * same model: probabilities are written with 17 significant digits)
 * through fn(ctx, ...).  TOLL_EIO when fn fails. */
TOLL_API toll_status toll_link_model_write_json(const toll_link_model *model,
                                                toll_write_fn fn, void *ctx,
                                                toll_error *err);

/* The prior. */
TOLL_API double toll_link_model_prior(const toll_link_model *model);
/* Set the prior: TOLL_EINVAL unless 0 < prior < 1. */
TOLL_API toll_status toll_link_model_set_prior(toll_link_model *model,
                                               double prior, toll_error *err);
/* m and u of a level (either pointer may be NULL).  TOLL_ERANGE naming
 * the comparison or level when out of range. */
TOLL_API toll_status toll_link_model_level(const toll_link_model *model,
                                           int cmp, size_t level, double *m,
                                           double *u, toll_error *err);
/* Set m and u of a level: TOLL_EINVAL unless both are in (0, 1);
 * TOLL_ERANGE when cmp or level is out of range.  Note that the m (and
 * u) of a comparison's levels should sum to 1; toll does not rescale. */
TOLL_API toll_status toll_link_model_set_level(toll_link_model *model,
                                               int cmp, size_t level,
                                               double m, double u,
                                               toll_error *err);
/* The weight log2(m / u) of a level (0 when out of range). */
TOLL_API double toll_link_model_weight(const toll_link_model *model, int cmp,
                                       size_t level);

#ifdef __cplusplus
}
#endif
#endif /* TOLL_LINK_MODEL_H */
