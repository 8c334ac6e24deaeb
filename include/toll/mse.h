/*
 * toll/mse.h - multiple systems estimation (capture-recapture).
 *
 * Several lists (sources) each document part of one population: victims,
 * deaths, incidents.  The pattern of overlaps between the lists estimates
 * how many were documented by none of them.  This module holds the
 * capture histories and the estimators:
 *
 *   two lists     Lincoln-Petersen, Chapman (Seber's variance)
 *   any K         Chao's lower bound (bias-corrected when f2 = 0)
 *   K lists       Poisson log-linear models on the 2^K - 1 observed cells:
 *                 main effects plus any set of two-way interactions, one
 *                 named model or a search over all of them (K <= 5) ranked
 *                 by AIC or BIC, with profile-likelihood intervals and an
 *                 AIC/BIC-weighted model average.
 *   K lists       the latent-class Bayesian model (LCMCR, Manrique-Vallier
 *                 2016): posterior draws of N by Gibbs sampling on
 *                 threads, median, mean, credible interval, ESS, R-hat.
 *
 * Capture histories.  The K lists (2 <= K <= TOLL_MSE_MAX_LISTS) have
 * names ("A", "SNHR", ...).  A capture history is written as a pattern of
 * K characters '0'/'1', character j telling whether an individual is on
 * list j: with lists A,B,C, "110" means on A and B but not on C.  In the
 * C API a pattern is also a bit mask: bit j (value 1u << j) set means "on
 * list j"; "110" is 0x3.  Pattern 0 (on no list) is the unobserved cell.
 *
 * Strata.  Every history belongs to a stratum (a region, a period), named
 * by a string; NULL or "" is the unnamed stratum.  Estimators take a
 * stratum index, or TOLL_MSE_TOTAL: the estimate is then made in every
 * stratum separately and the strata are summed (estimates add, variances
 * add; see docs/mse.md for the interval of a total).
 *
 * Estimates are returned in plain structs (toll_mse_estimate) owned by the
 * caller.  No result is ever NaN: a model that cannot be fitted is an
 * error (TOLL_EMODEL, with a message naming the model and the reason), a
 * numerical failure is TOLL_ENUMERIC; softer problems are reported in the
 * estimate's `warnings` flags and `warning` text.  An interval bound that
 * does not exist (a flat likelihood) is +INFINITY, never NaN.
 *
 * Thread safety: a toll_mse_data may be read (every const function here)
 * from several threads at once, provided no thread modifies it at the
 * same time.  Results are independent values.  Nothing here touches
 * process-wide state (in particular, the GSL error handler is never set:
 * callers that do not want GSL's default handler to abort should call
 * gsl_set_error_handler_off() themselves; toll never triggers a GSL error
 * on purpose, it checks inputs before calling GSL).
 *
 * Method notes, formulas and references: docs/mse.md.
 */
#ifndef TOLL_MSE_H
#define TOLL_MSE_H

#include "common.h"
#include "reconcile.h"
#include "table.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Number of lists supported (K): 2..TOLL_MSE_MAX_LISTS. */
#define TOLL_MSE_MIN_LISTS 2
#define TOLL_MSE_MAX_LISTS 8
/* Largest K for which toll_mse_search enumerates every model. */
#define TOLL_MSE_SEARCH_MAX_LISTS 5
/* Stratum argument meaning "every stratum, summed". */
#define TOLL_MSE_TOTAL ((size_t)-1)
/* toll_mse_data_stratum_index: no stratum of that name.  Passed as a
 * stratum it is out of range (TOLL_EINVAL), never the total. */
#define TOLL_MSE_NO_STRATUM ((size_t)-2)

/* ---- capture-history data ----------------------------------------------- */

typedef struct toll_mse_data toll_mse_data;

/*
 * Create an empty data set for `nlists` lists called names[0..nlists-1].
 * Names must be non-empty, distinct (case-sensitive), at most 63 bytes,
 * must not be all digits and must not contain spaces or the characters
 * + * : , (they are used in model strings).  The names are copied.
 * nlists = 0 (names NULL) creates a data set without lists: its first
 * successful toll_mse_data_load_buffer / _load_file gives it its lists
 * (see there); until then it holds no data and everything but loading
 * fails with TOLL_EINVAL.
 * `alloc` (NULL = default) is used for all memory of the data set.
 * On success *out owns a new object to free with toll_mse_data_free.
 * Errors: TOLL_EINVAL (bad K or names), TOLL_ENOMEM.
 */
TOLL_API toll_status toll_mse_data_new(int nlists, const char *const *names,
                                       const toll_allocator *alloc,
                                       toll_mse_data **out, toll_error *err);

/* Free a data set and everything it owns.  Accepts NULL. */
TOLL_API void toll_mse_data_free(toll_mse_data *data);

/* K, the number of lists (0 for a data set without lists yet). */
TOLL_API int toll_mse_data_nlists(const toll_mse_data *data);
/* Name of list j (owned by the data set), or NULL if j is out of range. */
TOLL_API const char *toll_mse_data_list_name(const toll_mse_data *data,
                                             int j);
/* Index of the list called `name`, or -1. */
TOLL_API int toll_mse_data_list_index(const toll_mse_data *data,
                                      const char *name);
/* Number of strata seen so far (0 for an empty data set).  Strata are
 * numbered in order of first appearance. */
TOLL_API size_t toll_mse_data_nstrata(const toll_mse_data *data);
/* Name of stratum s ("" for the unnamed stratum; owned by the data set,
 * valid until the data set is modified or freed), or NULL if out of
 * range. */
TOLL_API const char *toll_mse_data_stratum_name(const toll_mse_data *data,
                                                size_t s);
/* Index of the stratum called `name` (NULL = ""), or TOLL_MSE_NO_STRATUM
 * if absent. */
TOLL_API size_t toll_mse_data_stratum_index(const toll_mse_data *data,
                                            const char *name);

/*
 * Add `count` individuals with capture history `pattern` (K characters
 * '0'/'1', at least one '1') to stratum `stratum` (NULL or "" = unnamed;
 * created on first use).  Counts accumulate.
 * Errors: TOLL_EINVAL (bad pattern, all-zero pattern, count < 0),
 * TOLL_ERANGE (total count would overflow), TOLL_ENOMEM.  On error the
 * data set is unchanged.
 */
TOLL_API toll_status toll_mse_data_add_pattern(toll_mse_data *data,
                                               const char *stratum,
                                               const char *pattern,
                                               int64_t count,
                                               toll_error *err);

/*
 * Add one individual (a record) to stratum `stratum`: flags[j] != 0 means
 * the individual is on list j.  `nflags` must equal K and at least one
 * flag must be set.  Errors as for toll_mse_data_add_pattern.
 */
TOLL_API toll_status toll_mse_data_add_record(toll_mse_data *data,
                                              const char *stratum,
                                              const unsigned char *flags,
                                              size_t nflags,
                                              toll_error *err);

/*
 * The count in cell `pattern` (bit mask, 1 .. 2^K - 1) of stratum `s`, or
 * of all strata summed when s == TOLL_MSE_TOTAL.  0 when out of range.
 */
TOLL_API int64_t toll_mse_data_count(const toll_mse_data *data, size_t s,
                                     unsigned pattern);
/* Individuals observed (on at least one list) in stratum s or in total. */
TOLL_API int64_t toll_mse_data_observed(const toll_mse_data *data,
                                        size_t s);

/*
 * Lists of stratum s (or of all strata summed when s == TOLL_MSE_TOTAL)
 * that have records but share none with any other list, as a bit mask
 * (bit j: list j); 0 when every list with records overlaps another.  The
 * log-linear fits and LCMCR carry it as a warning (TOLL_MSE_W_ISOLATED,
 * TOLL_MSE_LCMCR_W_ISOLATED).
 */
TOLL_API unsigned toll_mse_data_isolated(const toll_mse_data *data,
                                         size_t s);
/*
 * TOLL_EMODEL when no record of stratum s is on two lists (in any stratum
 * when s == TOLL_MSE_TOTAL): multiple systems estimation then has nothing
 * to go on, and the message names the lists (and the stratum).
 * TOLL_EINVAL for a bad stratum; TOLL_OK otherwise, also when nothing was
 * observed.  The log-linear fits, the model search and LCMCR check it.
 */
TOLL_API toll_status toll_mse_data_check_overlap(const toll_mse_data *data,
                                                 size_t s, toll_error *err);

/* ---- loading ------------------------------------------------------------ */

typedef struct toll_mse_load_options {
    const char *const *lists; /* the 0/1 column of each list (see
                                 toll_mse_data_load_file); NULL: the
                                 list names themselves */
    size_t nlists;            /* number of entries in `lists` */
    const char *stratum_column; /* NULL: "stratum" (case-insensitive);
                                   "" : no stratum column */
    char delimiter;             /* field delimiter; 0: ','.  Tab or a
                                   printable ASCII character other than
                                   '"' (toll_csv_delimiter_check); else
                                   TOLL_EINVAL */
} toll_mse_load_options;

/* Fill `opts` with the defaults above. */
TOLL_API void toll_mse_load_options_init(toll_mse_load_options *opts);

/*
 * Read capture histories from a CSV file with a header row, read as the
 * report loader reads CSV (quoted cells with "" for a quote, CR, LF or
 * CRLF line ends, an optional UTF-8 byte-order mark; blanks around
 * unquoted cells are dropped, blank lines skipped).  Two forms:
 *
 *  - membership columns: one row per individual, a 0/1 column per list
 *    (also accepted: true/false, yes/no, case-insensitive).
 *    opts->lists[j] names the column of list j of the data set; with
 *    opts->lists NULL the list names themselves are the columns.  Other
 *    columns are ignored.
 *  - a table of `pattern,count` columns (pattern as above, count a
 *    non-negative whole number written in digits: "1.5", "2.0", "-1" and
 *    "" are errors); opts->lists is not used.  Chosen when the header has
 *    both a "pattern" and a "count" column.  A table has one row per
 *    capture history and stratum: a repeated one is TOLL_EPARSE naming
 *    the pattern and both lines (counts are never summed silently).
 *
 * Either form may have a stratum column (opts->stratum_column; by default
 * an optional "stratum" column; empty = unnamed stratum).  A named stratum
 * column that the header lacks: TOLL_EPARSE naming it.
 *
 * A data set without lists (toll_mse_data_new with nlists 0) takes its
 * lists from the load: opts->lists names them (and their columns); with
 * opts->lists NULL a pattern,count table names them "A", "B", "C", ... by
 * the width of its first pattern, and membership columns are an error
 * (TOLL_EINVAL: the lists must be named).
 *
 * opts->nlists must be K when opts->lists != NULL (on a data set without
 * lists: 2..TOLL_MSE_MAX_LISTS).  `opts` NULL: the defaults.  The load is
 * transactional: on any error the data set is left as it was (lists
 * included).  Nothing of `opts` is kept after the call.  Errors name the file, line and field:
 *   reports.csv:12: field 'B': cannot read "2" as 0 or 1.
 * Errors: TOLL_EIO (cannot read the file), TOLL_EPARSE (bad CSV, missing
 * column, bad value, a row on no list), TOLL_EINVAL, TOLL_ENOMEM.
 */
TOLL_API toll_status toll_mse_data_load_file(toll_mse_data *data,
                                             const char *path,
                                             const toll_mse_load_options *opts,
                                             toll_error *err);

/* The same from `len` bytes at `text` (not NUL-terminated; the caller
 * keeps them); `name` is used in messages (NULL: "<buffer>"). */
TOLL_API toll_status toll_mse_data_load_buffer(
    toll_mse_data *data, const char *text, size_t len, const char *name,
    const toll_mse_load_options *opts, toll_error *err);

/* ---- models --------------------------------------------------------------- */

/*
 * A log-linear model is the main effects of every list plus a set of
 * two-way interactions, held as a bit set: bit toll_mse_pair_bit(i, j)
 * set means the interaction of lists i and j.  0 is the independence
 * model.  There are K(K-1)/2 <= 28 pairs, so a uint32_t holds any model.
 */
typedef uint32_t toll_mse_model;

/* The bit index of the pair (i, j), i != j, both < TOLL_MSE_MAX_LISTS;
 * -1 if invalid.  Pairs are numbered (0,1),(0,2),(1,2),(0,3),(1,3),... */
TOLL_API int toll_mse_pair_bit(int i, int j);

/*
 * Parse a model string against the data set's list names.  Terms are
 * separated by '+'; a term is one list (a main effect, always included
 * anyway) or two lists joined by '*' or ':' (their interaction).  Lists
 * are named by name or by 1-based index ("A*B + C*D", "1*2 + 3:4").  ""
 * or "independence" is the independence model.  A term of three or more
 * lists is a higher-order interaction: TOLL_EMODEL (only two-way models
 * are supported; with all K lists it is the saturated model, which is not
 * identifiable).  Unknown names, and a term naming one list twice
 * ("A*A", "A*B*A"): TOLL_EINVAL.
 */
TOLL_API toll_status toll_mse_model_parse(const toll_mse_data *data,
                                          const char *spec,
                                          toll_mse_model *out,
                                          toll_error *err);

/*
 * Write the model as "A + B + C + A*B" into buf (size bytes, always
 * NUL-terminated when size > 0).  Returns the length the full string
 * needs (excluding the NUL), like snprintf.
 */
TOLL_API size_t toll_mse_model_format(const toll_mse_data *data,
                                      toll_mse_model model, char *buf,
                                      size_t size);

/* ---- options and results -------------------------------------------------- */

typedef struct toll_mse_options {
    double level;       /* confidence level of intervals; default 0.95 */
    int profile;        /* 1 (default): profile-likelihood intervals for
                           log-linear models; 0: log-normal intervals from
                           the standard error (faster) */
    int max_iter;       /* IRLS iterations per fit; default 100 */
    double tol;         /* IRLS convergence: relative deviance change;
                           default 1e-10 */
    double profile_delta; /* toll_mse_search: profile intervals are
                           computed for models within this criterion
                           distance of the best (others get log-normal
                           intervals); default 10 */
} toll_mse_options;

/* Fill `opts` with the defaults above. */
TOLL_API void toll_mse_options_init(toll_mse_options *opts);

typedef enum toll_mse_method {
    TOLL_MSE_LINCOLN_PETERSEN = 0,
    TOLL_MSE_CHAPMAN,
    TOLL_MSE_CHAO,
    TOLL_MSE_LOGLINEAR,
    TOLL_MSE_MODEL_AVERAGE
} toll_mse_method;

/* Static name: "lincoln-petersen", "chapman", "chao", "loglinear",
 * "model-average". */
TOLL_API const char *toll_mse_method_name(toll_mse_method method);

typedef enum toll_mse_interval {
    TOLL_MSE_CI_NONE = 0,
    TOLL_MSE_CI_LOGNORMAL, /* observed + (N-hat - observed) * C^{+-1},
                              Chao (1987); see docs/mse.md */
    TOLL_MSE_CI_PROFILE    /* multinomial profile likelihood */
} toll_mse_interval;

/* Warning flags of an estimate (also spelled out in `warning`). */
#define TOLL_MSE_W_DF0         0x0001u /* df = 0: exact fit, no GOF check */
#define TOLL_MSE_W_ZERO_CELLS  0x0002u /* some observed cells are 0 */
#define TOLL_MSE_W_F2_ZERO     0x0004u /* Chao: f2 = 0, bias-corrected form */
#define TOLL_MSE_W_UNBOUNDED   0x0008u /* upper bound is +infinity */
#define TOLL_MSE_W_AT_OBSERVED 0x0010u /* lower bound is the observed count */
#define TOLL_MSE_W_APPROX_CI   0x0020u /* log-normal instead of profile CI */
#define TOLL_MSE_W_SPARSE      0x0040u /* little overlap: N-hat > 10 x observed */
#define TOLL_MSE_W_STRATA      0x0080u /* a stratum of a total has warnings */
#define TOLL_MSE_W_ISOLATED    0x0100u /* a list shares no record with
                                           any other list */

typedef struct toll_mse_estimate {
    toll_mse_method method;
    size_t stratum;        /* stratum index, or TOLL_MSE_TOTAL */
    toll_mse_model model;  /* log-linear models: the interactions */
    char model_name[160];  /* "A + B + C + A*B"; for two-list estimators
                              "A,B"; "" otherwise */
    int lists[2];          /* two-list estimators: the two lists; else -1 */
    double observed;       /* individuals observed (S or n) */
    double n_hat;          /* estimated population size */
    double se;             /* its standard error */
    double lo, hi;         /* interval at the requested level; hi may be
                              +INFINITY (TOLL_MSE_W_UNBOUNDED) */
    toll_mse_interval interval;
    double n_profile;      /* profile-likelihood maximiser (profile CI),
                              else = n_hat */
    /* log-linear fit statistics (0 for other methods) */
    double deviance;       /* G^2 against the saturated observed-cell fit */
    int df;                /* (2^K - 1) - npar (summed over strata) */
    int npar;              /* parameters incl. intercept (summed) */
    double loglik;         /* Poisson log-likelihood of the observed cells */
    double aic, bic;       /* -2 loglik + 2 npar; -2 loglik + npar log(n) */
    double weight;         /* toll_mse_search: Akaike (or BIC) weight */
    double delta;          /* toll_mse_search: criterion - best criterion */
    int iterations;        /* IRLS iterations of the (last) fit */
    unsigned warnings;     /* TOLL_MSE_W_* */
    char warning[256];     /* the warnings as text, "" if none */
} toll_mse_estimate;

/* ---- two-list and nonparametric estimators ------------------------------- */

/*
 * Lincoln-Petersen N = n1 n2 / m for lists a and b (individuals on neither
 * a nor b are ignored), with variance n1 n2 (n1-m)(n2-m)/m^3 and a
 * log-normal interval.  m = 0: TOLL_EMODEL.  `opts` may be NULL.
 */
TOLL_API toll_status toll_mse_lincoln_petersen(const toll_mse_data *data,
                                               size_t stratum, int a, int b,
                                               const toll_mse_options *opts,
                                               toll_mse_estimate *out,
                                               toll_error *err);

/*
 * Chapman N = (n1+1)(n2+1)/(m+1) - 1 with Seber's (1970) variance
 * (n1+1)(n2+1)(n1-m)(n2-m) / ((m+1)^2 (m+2)) and a log-normal interval.
 */
TOLL_API toll_status toll_mse_chapman(const toll_mse_data *data,
                                      size_t stratum, int a, int b,
                                      const toll_mse_options *opts,
                                      toll_mse_estimate *out,
                                      toll_error *err);

/*
 * Chao's lower bound over all K lists: S + f1^2/(2 f2) with Chao's (1987)
 * variance, f_k = individuals on exactly k lists; when f2 = 0 the
 * bias-corrected S + f1(f1-1)/2 (TOLL_MSE_W_F2_ZERO).  Log-normal interval.
 */
TOLL_API toll_status toll_mse_chao(const toll_mse_data *data,
                                   size_t stratum,
                                   const toll_mse_options *opts,
                                   toll_mse_estimate *out, toll_error *err);

/* ---- log-linear models --------------------------------------------------- */

/*
 * Fit log-linear model `model` by IRLS on the 2^K - 1 observed cells.
 * N-hat = n + exp(intercept); se from Var = mu0 + mu0^2 Var(intercept)
 * (docs/mse.md); interval by profile likelihood (opts->profile) or
 * log-normal.  Errors: TOLL_EMODEL (saturated or non-identifiable model,
 * an interaction or list with no records, an estimate that does not exist
 * because of zero cells), TOLL_ENUMERIC (no convergence), TOLL_EINVAL,
 * TOLL_ENOMEM.  Memory: temporary, through the data set's allocator.
 */
TOLL_API toll_status toll_mse_loglinear(const toll_mse_data *data,
                                        size_t stratum, toll_mse_model model,
                                        const toll_mse_options *opts,
                                        toll_mse_estimate *out,
                                        toll_error *err);

/*
 * Details of a log-linear fit in one stratum (stratum TOLL_MSE_TOTAL is
 * accepted only when there is one stratum), for checks against other
 * software.  Any output pointer may be NULL.
 *   fitted[p], p = 1 .. 2^K - 1: fitted count of cell p (bit mask order);
 *     fitted[0] = exp(intercept), the estimated unobserved count.
 *     nfitted must be >= 2^K when fitted != NULL.
 *   coef[k], coef_se[k], k < npar: coefficients and standard errors in
 *     the order intercept, main effects of lists 0..K-1, interactions in
 *     pair-bit order; ncoef must be >= npar when they are given.
 *   *npar: the number of parameters.
 */
TOLL_API toll_status toll_mse_loglinear_detail(const toll_mse_data *data,
                                               size_t stratum,
                                               toll_mse_model model,
                                               const toll_mse_options *opts,
                                               double *fitted, size_t nfitted,
                                               double *coef, double *coef_se,
                                               size_t ncoef, size_t *npar,
                                               toll_error *err);

/* ---- model search and averaging ------------------------------------------ */

typedef enum toll_mse_criterion {
    TOLL_MSE_AIC = 0,
    TOLL_MSE_BIC
} toll_mse_criterion;

/* Parse a criterion name: "aic" or "bic" (any case).  Errors:
 * TOLL_EINVAL naming the text (field "criterion"). */
TOLL_API toll_status toll_mse_criterion_parse(const char *s,
                                              toll_mse_criterion *out,
                                              toll_error *err);

typedef struct toll_mse_results toll_mse_results;

/*
 * Fit every model with two-way interactions (2^(K(K-1)/2) models; K <= 5)
 * in `stratum` (TOLL_MSE_TOTAL: the same model in every stratum, criteria
 * summed over strata), rank them by `criterion` (smallest first) and
 * average them with weights exp(-delta/2) (Buckland et al. 1997).
 * Models that cannot be fitted (TOLL_EMODEL) are skipped and counted;
 * other errors stop the search.  `alloc` (NULL: the data set's) is used
 * for the results object.  *out must be freed with toll_mse_results_free.
 * Errors: TOLL_EINVAL (K > 5, no data), TOLL_EMODEL (no model could be
 * fitted), TOLL_ENUMERIC, TOLL_ENOMEM.
 */
TOLL_API toll_status toll_mse_search(const toll_mse_data *data,
                                     size_t stratum,
                                     toll_mse_criterion criterion,
                                     const toll_mse_options *opts,
                                     const toll_allocator *alloc,
                                     toll_mse_results **out,
                                     toll_error *err);

/* Free the results.  Accepts NULL. */
TOLL_API void toll_mse_results_free(toll_mse_results *results);
/* Number of fitted models. */
TOLL_API size_t toll_mse_results_count(const toll_mse_results *results);
/* The i-th best model (0 = best), or NULL if out of range.  Owned by the
 * results. */
TOLL_API const toll_mse_estimate *
toll_mse_results_get(const toll_mse_results *results, size_t i);
/*
 * The model average: n_hat = sum w_i N_i, se = Buckland et al. (1997)
 * unconditional se  sum w_i sqrt(se_i^2 + (N_i - n_hat)^2), log-normal
 * interval.  Owned by the results.
 */
TOLL_API const toll_mse_estimate *
toll_mse_results_average(const toll_mse_results *results);
/* Models skipped because they could not be fitted, and the message of
 * the first one ("" if none; owned by the results). */
TOLL_API size_t toll_mse_results_skipped(const toll_mse_results *results);
TOLL_API const char *
toll_mse_results_skip_message(const toll_mse_results *results);
TOLL_API toll_mse_criterion
toll_mse_results_criterion(const toll_mse_results *results);

/* ---- capture histories from reconciled incidents ------------------------- */

/*
 * Build capture histories from reconciled incidents: an incident is an
 * individual, and the lists are the sources.  Its capture history is the
 * set of its non-self sources (a report is a self-report when its
 * source_actor is among the incident's actors; those are left out).  The
 * estimate is then the number of incidents, including those that no
 * source reported.  Every report counts, whatever its figures.
 *
 *   lists       source names (nlists of them, 2..8, distinct); NULL: every
 *               non-self source of the incidents, in byte order of their
 *               names (TOLL_EINVAL if there are more than 8 or fewer than
 *               2).  A named source that no report has: TOLL_EINVAL.
 *               Incidents reported by none of the lists are not counted.
 *   stratify_by NULL or "": one stratum; "region" (the whole path),
 *               "region:K" (the first K+1 levels, as in summaries), or
 *               "period:day|week|month|quarter|year" (of the incident's
 *               start; no date: the unnamed stratum).  Strata are created
 *               in byte order of their names (periods: chronological).
 *
 * List names are the source names with spaces and the characters + * : ,
 * replaced by '_' (an all-digit name gets an 'S' in front, names are cut
 * to 63 bytes, and a clash gets "_2", "_3"...); toll_mse_data_list_name
 * gives them.  `alloc` (NULL: default) is the data set's allocator.
 * Errors: TOLL_EINVAL (bad lists or stratify_by, naming them), TOLL_ENOMEM.
 */
TOLL_API toll_status toll_mse_data_from_incidents(
    const toll_incidents *incidents, const char *const *lists, size_t nlists,
    const char *stratify_by, const toll_allocator *alloc, toll_mse_data **out,
    toll_error *err);

/* ---- capture histories from scored record links ----------------------- */

/*
 * A linkage: records, each on one list (and optionally in a stratum), and
 * scored links between pairs of records (a match score of any scale:
 * 1..5, a probability ...).  toll_mse_linkage_data builds the capture
 * histories at a threshold t: the links with score >= t join their
 * records (transitively: the connected components of the graph), each
 * component is one individual, and its capture history is the set of
 * lists of its records.  Two records of one list in one component are a
 * within-list duplicate: the individual is on that list once.  A record
 * without a link at or above t is an individual on its own.  Raising t
 * never adds a link, so the number of individuals observed never falls.
 *
 * Strata: a component takes the stratum of its first record (in the order
 * the records were added); records of other strata joined to it count in
 * that stratum.  Strata are created in order of first appearance of the
 * records that give them.
 *
 * Messages name the record or link by its 1-based number in the order of
 * the calls, the field (the names in toll_mse_linkage_fields) and the
 * offending text:
 *   record 3: field 'list': unknown list "XX" (lists: A, B, C)
 *   link 7: field 'score': not a number
 */
typedef struct toll_mse_linkage toll_mse_linkage;

/* Field names used in messages.  NULL members: "id", "list", "stratum",
 * "id_a", "id_b", "score". */
typedef struct toll_mse_linkage_fields {
    const char *id, *list, *stratum, *id_a, *id_b, *score;
} toll_mse_linkage_fields;

/*
 * Create an empty linkage for `nlists` lists called names[0..nlists-1]
 * (the rules of toll_mse_data_new: 2..TOLL_MSE_MAX_LISTS names, checked
 * there).  `fields` (NULL: the defaults; copied) names the fields in
 * messages.  `alloc` (NULL: default) is used for all memory of the
 * linkage.  On success *out owns a new object to free with
 * toll_mse_linkage_free.  Errors: TOLL_EINVAL (bad lists), TOLL_ENOMEM.
 */
TOLL_API toll_status toll_mse_linkage_new(
    int nlists, const char *const *names,
    const toll_mse_linkage_fields *fields, const toll_allocator *alloc,
    toll_mse_linkage **out, toll_error *err);

/* Free a linkage and everything it owns.  Accepts NULL. */
TOLL_API void toll_mse_linkage_free(toll_mse_linkage *linkage);

/*
 * Add a record: its id (non-empty, unique among the records), the name of
 * its list (one of the linkage's lists, case-sensitive) and its stratum
 * (NULL or "": the unnamed stratum).  The strings are copied.  Errors
 * (TOLL_EINVAL, the linkage unchanged): an empty or repeated id, a list
 * that is not among the lists; TOLL_ENOMEM.
 */
TOLL_API toll_status toll_mse_linkage_add_record(toll_mse_linkage *linkage,
                                                 const char *id,
                                                 const char *list,
                                                 const char *stratum,
                                                 toll_error *err);

/*
 * Add a link between records id_a and id_b, which must have been added
 * already, with its score (a finite number).  A link may appear more than
 * once (both directions, say); a record linked to itself is accepted and
 * changes nothing.  Errors (TOLL_EINVAL, the linkage unchanged): an
 * unknown id, a NaN or infinite score; TOLL_ENOMEM.
 */
TOLL_API toll_status toll_mse_linkage_add_link(toll_mse_linkage *linkage,
                                               const char *id_a,
                                               const char *id_b, double score,
                                               toll_error *err);

/* Records and links added so far. */
TOLL_API size_t toll_mse_linkage_nrecords(const toll_mse_linkage *linkage);
TOLL_API size_t toll_mse_linkage_nlinks(const toll_mse_linkage *linkage);

/*
 * The component of every record at threshold t: comp[i] (ncomp entries,
 * ncomp >= toll_mse_linkage_nrecords) receives the index of the
 * individual record i belongs to, individuals numbered 0, 1, ... in order
 * of their first record.  *nindividuals (may be NULL) receives their
 * number.  For callers that keep or drop individuals by their records'
 * other fields before counting.  Errors: TOLL_EINVAL (NaN threshold,
 * short array), TOLL_ENOMEM.
 */
TOLL_API toll_status toll_mse_linkage_components(
    const toll_mse_linkage *linkage, double threshold, size_t *comp,
    size_t ncomp, size_t *nindividuals, toll_error *err);

/*
 * The capture histories at threshold t (links with score >= t join
 * records; see above) as a new data set allocated with `alloc` (NULL: the
 * linkage's).  `keep` (NULL: every individual) has one entry per
 * individual as numbered by toll_mse_linkage_components (nkeep of them):
 * individuals with keep[i] == 0 are not counted.  *out must be freed with
 * toll_mse_data_free.  Errors: TOLL_EINVAL (NaN or infinite threshold,
 * nkeep not the number of individuals), TOLL_ENOMEM.
 */
TOLL_API toll_status toll_mse_linkage_data(const toll_mse_linkage *linkage,
                                           double threshold,
                                           const unsigned char *keep,
                                           size_t nkeep,
                                           const toll_allocator *alloc,
                                           toll_mse_data **out,
                                           toll_error *err);

/* What toll_mse_linkage_sensitivity estimates at each threshold. */
typedef enum toll_mse_sensitivity_kind {
    TOLL_MSE_SENS_MODEL = 0, /* the log-linear model `model` */
    TOLL_MSE_SENS_BEST,      /* the best model of toll_mse_search */
    TOLL_MSE_SENS_AVERAGE    /* the model average of toll_mse_search */
} toll_mse_sensitivity_kind;

typedef struct toll_mse_sensitivity_options {
    toll_mse_sensitivity_kind kind; /* default TOLL_MSE_SENS_MODEL */
    const char *model;      /* TOLL_MSE_SENS_MODEL: a model string
                               (toll_mse_model_parse); NULL or "": the
                               independence model */
    toll_mse_criterion criterion; /* the search's; default TOLL_MSE_AIC */
    toll_mse_options est;   /* level, intervals ...: toll_mse_options_init */
} toll_mse_sensitivity_options;

/* Fill `opts` with the defaults above. */
TOLL_API void
toll_mse_sensitivity_options_init(toll_mse_sensitivity_options *opts);

/*
 * Estimate N-hat (all strata summed) at each of thresholds[0..n), in that
 * order, into one table: one row per threshold with columns
 *   threshold, observed, then the columns of toll_mse_estimates_table
 *   (model, method, [stratum,] n_hat, se, lower, upper, interval,
 *   deviance, df, aic, bic, warning) without its observed column.
 * The stratum column is there when a threshold's data has several strata.
 * A threshold at which the model cannot be fitted (TOLL_EMODEL: no
 * overlap left, say) gives a row with its observed count, empty (NaN)
 * estimates and fit statistics and the reason in `warning`; other errors
 * stop.  *out owns a
 * new table allocated with `alloc` (NULL: the linkage's).  `opts` NULL:
 * the defaults.  Errors: TOLL_EINVAL (n = 0, a NaN threshold, a bad
 * model string, naming it), TOLL_ENUMERIC, TOLL_ENOMEM.
 */
TOLL_API toll_status toll_mse_linkage_sensitivity(
    const toll_mse_linkage *linkage, const double *thresholds, size_t n,
    const toll_mse_sensitivity_options *opts, const toll_allocator *alloc,
    toll_table **out, toll_error *err);

/*
 * The sensitivity table of data sets built elsewhere (capture histories
 * from incidents linked at several thresholds, say): data[i] is the data
 * at thresholds[i]; same table and rules as toll_mse_linkage_sensitivity.
 * `alloc` NULL: the first data set's.
 */
TOLL_API toll_status toll_mse_sensitivity_table(
    const toll_mse_data *const *data, const double *thresholds, size_t n,
    const toll_mse_sensitivity_options *opts, const toll_allocator *alloc,
    toll_table **out, toll_error *err);

/* ---- estimates as tables ---------------------------------------------------- */

/*
 * The estimates est[0..n) as a table, one row each, with columns
 *   model, method, [stratum,] observed, n_hat, se, lower, upper, interval,
 *   deviance, df, aic, bic, [weight, delta,] warning
 * (stratum when the data set has more than one stratum: its name, or
 * "total"; weight and delta when `ranked` is non-zero).  Numbers are
 * DOUBLE; statistics that do not apply to a method (deviance, df, AIC, BIC
 * of two-list and Chao estimates) are NaN (missing); an unbounded upper
 * end is +inf.  `interval` is "profile", "log-normal" or "".
 * *out owns a new table allocated with `alloc` (NULL: the data set's).
 */
TOLL_API toll_status toll_mse_estimates_table(
    const toll_mse_data *data, const toll_mse_estimate *const *est, size_t n,
    int ranked, const toll_allocator *alloc, toll_table **out,
    toll_error *err);

/* A search's models, best first, then the model average (model
 * "model average"), as toll_mse_estimates_table with ranked = 1. */
TOLL_API toll_status toll_mse_results_table(const toll_mse_data *data,
                                            const toll_mse_results *results,
                                            const toll_allocator *alloc,
                                            toll_table **out,
                                            toll_error *err);

/* ---- latent-class Bayesian MSE (LCMCR) ------------------------------------ */

/*
 * Manrique-Vallier (2016): the population is a Dirichlet-process mixture
 * of latent classes, truncated to K* classes by stick-breaking; within a
 * class the lists capture independently (list j captures with
 * probability lambda_jk in class k).  A data-augmented Gibbs sampler
 * draws the classes of the individuals, the capture probabilities (prior
 * Beta(1, 1)), the stick-breaking weights, the concentration alpha (prior
 * Gamma(alpha_shape, alpha_rate)) and the unobserved count n0 with the
 * classes of the unobserved individuals; N = observed + n0.  The work is
 * per distinct capture pattern, not per individual.  Method notes and
 * the simulation check: docs/mse.md.
 *
 * Each chain has its own random number generator (GSL's taus2, a
 * maximally equidistributed combined Tausworthe generator) seeded
 * from (seed, stratum, chain), so the draws depend on the seed and the
 * options only, never on the number of threads or their scheduling; a
 * stratum's draws are the same whether it is estimated alone or as part
 * of a total.
 */
typedef struct toll_mse_lcmcr_options {
    int kstar;          /* latent classes K* (truncation), >= 2; default 10 */
    size_t burnin;      /* iterations discarded per chain; default 10000 */
    size_t samples;     /* draws kept per chain, >= 2; default 1000 */
    size_t thin;        /* iterations per kept draw, >= 1; default 100
                           (successive iterations are strongly
                           correlated) */
    int chains;         /* chains, 1 .. 64; default 4 */
    uint64_t seed;      /* any value; default 1 */
    int threads;        /* threads running the chains; 0 (default): one
                           per chain, at most the number of CPUs online */
    double level;       /* credible level, in (0, 1); default 0.95 */
    double alpha_shape; /* Gamma prior of alpha: shape, default 0.25 */
    double alpha_rate;  /*   and rate, default 0.25 */
} toll_mse_lcmcr_options;

/* Fill `opts` with the defaults above. */
TOLL_API void toll_mse_lcmcr_options_init(toll_mse_lcmcr_options *opts);

/* Warning flags of an LCMCR summary (also spelled out in `warning`). */
#define TOLL_MSE_LCMCR_W_RHAT 0x0001u /* split-R-hat > 1.05 */
#define TOLL_MSE_LCMCR_W_ESS  0x0002u /* effective sample size < 400 */
#define TOLL_MSE_LCMCR_W_CAP  0x0004u /* n0 reached TOLL_MSE_LCMCR_N0_CAP */
#define TOLL_MSE_LCMCR_W_STRATA 0x0008u /* a total: some of its strata
                                           have warnings (in their own
                                           summaries, not repeated) */
#define TOLL_MSE_LCMCR_W_ISOLATED 0x0010u /* a list shares no record with
                                              any other list */
/* Largest unobserved count a draw may take (a draw above it is cut to
 * it and TOLL_MSE_LCMCR_W_CAP set: the lists hardly overlap). */
#define TOLL_MSE_LCMCR_N0_CAP 1000000000.0

typedef struct toll_mse_lcmcr_summary {
    size_t stratum;     /* stratum index, or TOLL_MSE_TOTAL */
    double observed;    /* individuals observed */
    double median;      /* posterior median of N: the estimate */
    double mean;        /* posterior mean of N */
    double lo, hi;      /* equal-tailed credible interval at `level` */
    double level;
    double ess;         /* effective sample size of the pooled draws */
    double rhat;        /* split-R-hat across chains (1 chain: its halves) */
    unsigned warnings;  /* TOLL_MSE_LCMCR_W_* */
    char warning[256];  /* the warnings as text, "" if none */
} toll_mse_lcmcr_summary;

typedef struct toll_mse_lcmcr_result toll_mse_lcmcr_result;

/*
 * Run the LCMCR sampler in `stratum`, or (TOLL_MSE_TOTAL) in every
 * stratum separately: the draws of the total are the sums of the strata's
 * draws, draw by draw (the strata are independent a posteriori).
 * `opts` NULL: the defaults.  `alloc` NULL: the data set's allocator,
 * used for the result.  On success *out owns a new result to free with
 * toll_mse_lcmcr_free.
 * Errors: TOLL_EINVAL (bad options, naming the option and its value; a
 * stratum out of range; no data), TOLL_EMODEL (a list that records no one
 * in the stratum, naming the list; more than 2^31 observed), TOLL_ENOMEM.
 * Nothing is printed.
 */
TOLL_API toll_status toll_mse_lcmcr(const toll_mse_data *data, size_t stratum,
                                    const toll_mse_lcmcr_options *opts,
                                    const toll_allocator *alloc,
                                    toll_mse_lcmcr_result **out,
                                    toll_error *err);

/* Free a result.  Accepts NULL. */
TOLL_API void toll_mse_lcmcr_free(toll_mse_lcmcr_result *result);

/* Parts of a result: 1 for one stratum (or a data set with one stratum);
 * for a total over S > 1 strata, S + 1: the strata in order, then the
 * total (part S). */
TOLL_API size_t toll_mse_lcmcr_parts(const toll_mse_lcmcr_result *result);
/* Chains, and draws kept per chain. */
TOLL_API size_t toll_mse_lcmcr_chains(const toll_mse_lcmcr_result *result);
TOLL_API size_t toll_mse_lcmcr_samples(const toll_mse_lcmcr_result *result);
/* The options the result was made with (owned by the result). */
TOLL_API const toll_mse_lcmcr_options *
toll_mse_lcmcr_options_used(const toll_mse_lcmcr_result *result);

/* The summary of part `part`, or NULL if out of range (owned by the
 * result). */
TOLL_API const toll_mse_lcmcr_summary *
toll_mse_lcmcr_summary_get(const toll_mse_lcmcr_result *result, size_t part);

/* The draws of N of part `part`, chain `chain`, in order: samples
 * values, owned by the result; NULL if out of range. */
TOLL_API const double *
toll_mse_lcmcr_draws(const toll_mse_lcmcr_result *result, size_t part,
                     size_t chain);

/*
 * The summaries as a table, one row per part, with columns
 *   method ("lcmcr"), [stratum,] observed, median, mean, lower, upper,
 *   level, ess, rhat, warning
 * (stratum when the data set has more than one stratum: its name or
 * "total").  *out owns a new table allocated with `alloc` (NULL: the data
 * set's).
 */
TOLL_API toll_status toll_mse_lcmcr_table(const toll_mse_data *data,
                                          const toll_mse_lcmcr_result *result,
                                          const toll_allocator *alloc,
                                          toll_table **out, toll_error *err);

#ifdef __cplusplus
}
#endif
#endif /* TOLL_MSE_H */
