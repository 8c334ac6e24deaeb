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
 * because of zero cells: decided before the fit by
 * toll_mse_estimate_exists's rule, the message saying "estimate does not
 * exist" and naming the model, the cells and, for a total, the stratum),
 * TOLL_ENUMERIC (no convergence), TOLL_EINVAL,
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

/* ---- does the estimate exist? ----------------------------------------------- */

/*
 * Whether the maximum-likelihood estimate of log-linear model `model`
 * exists in stratum `stratum` (TOLL_MSE_TOTAL: in every stratum; the
 * estimate of a total exists only if it exists in each of them).  Zero
 * cells can make it infinite: by Fienberg and Rinaldo (2012) it exists iff
 * some strictly positive table on the 2^K - 1 observed cells has the
 * model's margins (the observed margins lie in the interior of the
 * marginal cone), decided by a small linear programme (docs/mse.md).  A
 * data set without zero cells needs no programme.
 * On TOLL_OK *exists is 1 or 0; when it is 0 and `why` is not NULL, why
 * (cap bytes, always NUL-terminated when cap > 0, owned by the caller)
 * names the empty cells the margins force to zero (and the stratum of a
 * total), e.g. "the observed margins of the model force empty cell 111 to
 * zero in every table that has them"; "" when the estimate exists.
 * toll_mse_loglinear and toll_mse_search use the same check.
 * Errors: TOLL_EINVAL (NULL argument, bad stratum or model bits, no
 * data), TOLL_ENUMERIC, TOLL_ENOMEM.  Memory: temporary, through the data
 * set's allocator.
 */
TOLL_API toll_status toll_mse_estimate_exists(const toll_mse_data *data,
                                              size_t stratum,
                                              toll_mse_model model,
                                              int *exists, char *why,
                                              size_t cap, toll_error *err);

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
 * Models that cannot be fitted (TOLL_EMODEL, TOLL_ENUMERIC), among them
 * those whose estimate does not exist (toll_mse_estimate_exists), are
 * skipped: not ranked, not averaged, and listed with their reasons
 * (toll_mse_results_skipped_model); other errors stop the search.  `alloc` (NULL: the data set's) is used
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
/*
 * Skipped model i (0 <= i < toll_mse_results_skipped), in the order of
 * the search: returns its name ("A + B + C + A*B") and sets *reason
 * (when reason is not NULL) to why it was skipped, e.g. "estimate does
 * not exist: the observed margins of the model force empty cell 111 to
 * zero in every table that has them" (a total's reason starts with the
 * stratum: "stratum 'north': ...").  Both strings are owned by the
 * results.  Out of range: NULL (and *reason NULL).
 */
TOLL_API const char *
toll_mse_results_skipped_model(const toll_mse_results *results, size_t i,
                               const char **reason);
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

/* ---- leave-one-list-out ------------------------------------------------------ */

/*
 * Sensitivity of the log-linear estimate to each list: drop list j (for
 * each j in turn), merge the capture histories over it (individuals seen
 * only by list j disappear) and fit the model again on the K - 1 lists
 * left, in `stratum` (TOLL_MSE_TOTAL: every stratum, summed, as
 * toll_mse_loglinear does).  `model` is a model string as for
 * toll_mse_model_parse, read against the K lists; NULL or "" is the
 * independence model.  Without list j the model keeps its interactions
 * that do not involve j.  `opts` NULL: the defaults (profile intervals).
 *
 * *out is a table with one row per dropped list, in list order, with
 * columns
 *   dropped, lists, model, [stratum,] observed, n_hat, se, lower, upper,
 *   interval, warning
 * (lists: the lists kept, "B, C, D"; stratum when the data set has more
 * than one: its name or "total").  A row whose estimate cannot be made
 * (the estimate does not exist, the lists left share no record, ...) is
 * not an error for the table: its numbers are NaN (missing), interval ""
 * and warning says why.  *out is allocated with `alloc` (NULL: the data
 * set's) and freed with toll_table_free.
 * Errors: TOLL_EINVAL (fewer than 3 lists, bad stratum, bad model string,
 * bad options), TOLL_EMODEL (a model string with a higher-order term),
 * TOLL_ENOMEM.  Memory: temporary data sets through the data set's
 * allocator.
 */
TOLL_API toll_status toll_mse_leave_one_out(const toll_mse_data *data,
                                            size_t stratum,
                                            const char *model,
                                            const toll_mse_options *opts,
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

/* ---- bootstrap with model selection --------------------------------------- */

/*
 * The intervals of a search (profile, model average) take the selected
 * model as given.  The bootstrap resamples the capture histories B times
 * and re-runs toll_mse_search in every resample, so that the spread of
 * its estimates includes the choice of the model.  Two ways to resample:
 *
 *   TOLL_MSE_BOOT_MULTINOMIAL (the default)  nonparametric: the n
 *       observed individuals are drawn with replacement, i.e. the counts
 *       of the distinct observed capture histories are one
 *       Multinomial(n; count / n) draw (per stratum).  It assumes no
 *       model, so it stays valid when the selected model fits badly.
 *   TOLL_MSE_BOOT_PARAMETRIC  a population of round(N-hat) individuals is
 *       drawn, Multinomial over all 2^K cells with the probabilities
 *       fitted by the model selected on the data (the unobserved cell
 *       included), and the unobserved ones are dropped: the observed
 *       count varies from resample to resample.  It trusts that model.
 *
 * In every resample the best model's N-hat ("selected") and the model
 * average's are kept; intervals are percentile intervals of those draws:
 * the (1 - level)/2 and (1 + level)/2 quantiles of the sorted draws x(0)
 * <= ... <= x(m-1) with linear interpolation, x(h) + (h - floor h)
 * (x(floor h + 1) - x(floor h)) at h = q (m - 1) (R's type 7, GSL's
 * gsl_stats_quantile_from_sorted_data).  A resample in which no model
 * can be fitted (TOLL_EMODEL: e.g. no record on two lists) is counted as
 * failed, with its message, and left out of the draws.
 *
 * Each replicate has its own GSL taus2 generator seeded from (seed,
 * stratum, replicate) as LCMCR seeds its chains, so the draws depend on
 * the seed and the options only, never on the number of threads.  With
 * TOLL_MSE_TOTAL every stratum is resampled within itself (its own
 * generator) and the search fits the same model in every stratum, as
 * toll_mse_search does for a total.  Method notes: docs/mse.md.
 */
typedef enum toll_mse_boot_method {
    TOLL_MSE_BOOT_MULTINOMIAL = 0,
    TOLL_MSE_BOOT_PARAMETRIC
} toll_mse_boot_method;

/* Static name: "multinomial", "parametric". */
TOLL_API const char *toll_mse_boot_method_name(toll_mse_boot_method m);
/* Parse "multinomial" or "parametric" (any case).  Errors: TOLL_EINVAL
 * naming the text (field "method"). */
TOLL_API toll_status toll_mse_boot_method_parse(const char *s,
                                                toll_mse_boot_method *out,
                                                toll_error *err);

/* Largest number of replicates. */
#define TOLL_MSE_BOOT_MAX_REPLICATES ((size_t)1000000)

typedef struct toll_mse_boot_options {
    size_t replicates;  /* B, 1 .. TOLL_MSE_BOOT_MAX_REPLICATES; default
                           1000 */
    uint64_t seed;      /* any value; default 1 */
    int threads;        /* 1 .. 64 threads, or 0 (default): the CPUs
                           online */
    double level;       /* of the percentile intervals (and of the
                           intervals of the fits on the data), in (0, 1);
                           default 0.95 */
    toll_mse_boot_method method; /* default TOLL_MSE_BOOT_MULTINOMIAL */
    int select;         /* 1 (default): run the search in every resample;
                           0: refit `model` only (no model choice) */
    toll_mse_model model; /* the model when select is 0 */
} toll_mse_boot_options;

/* Fill `opts` with the defaults above. */
TOLL_API void toll_mse_boot_options_init(toll_mse_boot_options *opts);

typedef struct toll_mse_boot_summary {
    size_t stratum;     /* stratum index, or TOLL_MSE_TOTAL */
    toll_mse_boot_method method;
    toll_mse_criterion criterion;
    int select;         /* as in the options */
    double level;
    size_t replicates;  /* B */
    size_t failed;      /* replicates in which no model could be fitted */
    double observed;    /* individuals observed in the data */
    char model_name[160]; /* the model selected on the data (or given) */
    double n_hat;       /* its N-hat on the data */
    double median;      /* median of the selected models' N-hat draws */
    double lo, hi;      /* their percentile interval */
    double avg_n_hat;   /* the model average on the data (select 1; else
                           = n_hat) */
    double avg_median;  /* median of the model-average draws */
    double avg_lo, avg_hi; /* their percentile interval */
} toll_mse_boot_summary;

typedef struct toll_mse_boot_selection {
    toll_mse_model model;
    char model_name[160];
    size_t count;       /* resamples in which it was the best model */
    double share;       /* count / (B - failed) */
} toll_mse_boot_selection;

typedef struct toll_mse_boot_result toll_mse_boot_result;

/*
 * Bootstrap the estimate of `stratum` (or TOLL_MSE_TOTAL): the search by
 * `criterion` (or the fixed model, opts->select 0) on the data, then
 * opts->replicates resamples, each searched again (without profile
 * intervals, which the draws do not need).  `opts` NULL: the defaults.
 * `alloc` (NULL: the data set's) is used for the result; the fits in the
 * resamples allocate through the data set's allocator from several
 * threads at once, so it must be thread-safe (the default is).
 * On success *out owns a new result to free with toll_mse_boot_free.
 * Errors: TOLL_EINVAL (bad options, naming the option and its value; a
 * stratum out of range; K > 5 with select 1), TOLL_EMODEL (no model can
 * be fitted on the data, or in any resample; a parametric population
 * above 2^31), TOLL_ENUMERIC, TOLL_ENOMEM.  Nothing is printed.
 */
TOLL_API toll_status toll_mse_bootstrap(const toll_mse_data *data,
                                        size_t stratum,
                                        toll_mse_criterion criterion,
                                        const toll_mse_boot_options *opts,
                                        const toll_allocator *alloc,
                                        toll_mse_boot_result **out,
                                        toll_error *err);

/* Free a result.  Accepts NULL. */
TOLL_API void toll_mse_boot_free(toll_mse_boot_result *result);

/* The summary (owned by the result). */
TOLL_API const toll_mse_boot_summary *
toll_mse_boot_summary_get(const toll_mse_boot_result *result);

/* The search on the data (owned by the result), or NULL with select 0. */
TOLL_API const toll_mse_results *
toll_mse_boot_results(const toll_mse_boot_result *result);

/* The estimate of the selected (or given) model on the data, with its
 * profile-likelihood or log-normal interval (owned by the result). */
TOLL_API const toll_mse_estimate *
toll_mse_boot_estimate(const toll_mse_boot_result *result);

/* The draws of N-hat, one per replicate that did not fail, in replicate
 * order: of the selected model (average 0) or of the model average
 * (average 1).  *n (may be NULL) receives their number, B - failed.
 * Owned by the result; NULL if there are none. */
TOLL_API const double *toll_mse_boot_draws(const toll_mse_boot_result *result,
                                           int average, size_t *n);

/* Models selected at least once, most often first (ties: in model bit
 * order), and the i-th of them (owned by the result; NULL if out of
 * range). */
TOLL_API size_t toll_mse_boot_nselected(const toll_mse_boot_result *result);
TOLL_API const toll_mse_boot_selection *
toll_mse_boot_selection_get(const toll_mse_boot_result *result, size_t i);

/* The message of the first failed replicate ("" if none; owned by the
 * result). */
TOLL_API const char *
toll_mse_boot_fail_message(const toll_mse_boot_result *result);

/*
 * The bootstrap intervals as a table of two rows, "selected model" and
 * "model average", with columns
 *   estimate, model, method, [stratum,] observed, n_hat, median, lower,
 *   upper, level, replicates, failed
 * (method: "multinomial" or "parametric"; n_hat: the estimate on the
 * data; median, lower, upper: of the draws).  *out owns a new table
 * allocated with `alloc` (NULL: the data set's).
 */
TOLL_API toll_status toll_mse_boot_table(const toll_mse_data *data,
                                         const toll_mse_boot_result *result,
                                         const toll_allocator *alloc,
                                         toll_table **out, toll_error *err);

/* The selection frequencies as a table: model, selected (count), share;
 * one row per model selected at least once, most often first. */
TOLL_API toll_status toll_mse_boot_selection_table(
    const toll_mse_data *data, const toll_mse_boot_result *result,
    const toll_allocator *alloc, toll_table **out, toll_error *err);

/* ---- heterogeneity models on capture frequencies --------------------------- */

/*
 * Capture-frequency data (Rcapture's closedp.0 forms, Rivest and
 * Baillargeon): K capture occasions (or lists) and f_1 .. f_K, the numbers
 * of individuals caught exactly 1, 2, ..., K times.  Who was caught when
 * is not known, so only models whose capture probabilities do not depend
 * on the occasion can be fitted: M0 and the Mh heterogeneity models.
 * Each is a Poisson log-linear model on the K frequencies,
 *   log E f_i = log C(K, i) + a + b i + h-terms(i),
 * and N-hat = n + exp(a); method notes and formulas: docs/mse.md.
 */
#define TOLL_MSE_FREQ_MIN_OCCASIONS 2
/* Largest K accepted (the Chao lower-bound model has K - 2 eta terms). */
#define TOLL_MSE_FREQ_MAX_OCCASIONS 100

typedef struct toll_mse_freq toll_mse_freq;

typedef enum toll_mse_freq_model {
    TOLL_MSE_FREQ_M0 = 0,   /* "M0": no heterogeneity */
    TOLL_MSE_FREQ_CHAO,     /* "Mh Chao (LB)": eta_j max(i - j + 1, 0),
                               j = 3..K; negative etas set to zero */
    TOLL_MSE_FREQ_POISSON2, /* "Mh Poisson2": tau (2^i - 1) */
    TOLL_MSE_FREQ_DARROCH,  /* "Mh Darroch": tau i^2 / 2 */
    TOLL_MSE_FREQ_GAMMA     /* "Mh Gamma3.5": tau (log 3.5 - log(3.5 + i)) */
} toll_mse_freq_model;
#define TOLL_MSE_FREQ_NMODELS 5

/* Static display name: "M0", "Mh Chao (LB)", "Mh Poisson2", "Mh Darroch",
 * "Mh Gamma3.5"; NULL if out of range. */
TOLL_API const char *toll_mse_freq_model_name(toll_mse_freq_model model);

/* Parse a model name: "m0", "chao", "poisson2" (also "poisson"),
 * "darroch", "gamma" (also "gamma3.5"), any case.  Errors: TOLL_EINVAL
 * naming the text (field "estimator"). */
TOLL_API toll_status toll_mse_freq_model_parse(const char *s,
                                               toll_mse_freq_model *out,
                                               toll_error *err);

/*
 * New capture-frequency data for `occasions` occasions (K, 2 ..
 * TOLL_MSE_FREQ_MAX_OCCASIONS) with counts f_1..f_K from counts[0..K)
 * (each >= 0, not all zero; copied).  `alloc` (NULL = default) is used for
 * all memory of the object.  On success *out owns a new object to free
 * with toll_mse_freq_free.
 * Errors: TOLL_EINVAL (K out of range, naming the bound; a negative
 * count; all counts zero), TOLL_ERANGE (total overflows), TOLL_ENOMEM.
 */
TOLL_API toll_status toll_mse_freq_new(int occasions, const int64_t *counts,
                                       const toll_allocator *alloc,
                                       toll_mse_freq **out, toll_error *err);

/*
 * Read capture frequencies for `occasions` occasions from CSV (read as
 * toll_mse_data_load_file reads it: the same tokenizer, header row,
 * quoting, line ends, byte-order mark): columns `times,count` or
 * `nbcap,freq` (names in any case; other columns ignored), one row per
 * number of captures; times missing from the file count 0.  `delimiter`
 * 0 means ','.  Errors name the file, line, field and text:
 *   hare.csv:4: field 'times': "7" is not a number of captures of 6
 *   occasions (a whole number from 1 to 6)
 * Errors: TOLL_EIO (cannot read the file), TOLL_EPARSE (missing columns;
 * times not a whole number in 1..K; a repeated times, naming both lines;
 * a count that is not a non-negative whole number; no rows; a file over
 * 1 MiB), TOLL_EINVAL (K out of range, all counts zero, bad delimiter),
 * TOLL_ERANGE (the total overflows), TOLL_ENOMEM.  On success *out owns a
 * new object (allocated with `alloc`, NULL = default); on error *out is
 * NULL.
 */
TOLL_API toll_status toll_mse_freq_load_file(int occasions, const char *path,
                                             char delimiter,
                                             const toll_allocator *alloc,
                                             toll_mse_freq **out,
                                             toll_error *err);
/* The same from `len` bytes at `text` (the caller keeps them); `name` is
 * used in messages (NULL: "<buffer>"). */
TOLL_API toll_status toll_mse_freq_load_buffer(
    int occasions, const char *text, size_t len, const char *name,
    char delimiter, const toll_allocator *alloc, toll_mse_freq **out,
    toll_error *err);

/* Free the data.  Accepts NULL. */
TOLL_API void toll_mse_freq_free(toll_mse_freq *freq);
/* K, the number of occasions. */
TOLL_API int toll_mse_freq_occasions(const toll_mse_freq *freq);
/* f_times (0 if times is out of 1..K). */
TOLL_API int64_t toll_mse_freq_count(const toll_mse_freq *freq, int times);
/* n, the individuals caught at least once. */
TOLL_API int64_t toll_mse_freq_observed(const toll_mse_freq *freq);

/*
 * Fit one model as Rcapture's closedp.0 does (its estimates, standard
 * errors, deviance, df, AIC and BIC).  `max_times` is Rcapture's t0: the
 * model is fitted to f_1 .. f_t0 only (the Chao model then has etas
 * 3..t0), while n still counts everyone; 0 means K (every frequency),
 * else 2 <= t0 <= K.  The result is a log-linear estimate (method
 * TOLL_MSE_LOGLINEAR, model_name the model's display name, stratum 0)
 * with a log-normal interval at opts->level (opts NULL: the defaults;
 * opts->profile is not used).  As in Rcapture, with t0 = 2 only M0 can be
 * fitted: the Mh models need t0 >= 3 (TOLL_EMODEL).
 * Errors: TOLL_EMODEL (no individual caught 2 to t0 times, a model that
 * cannot be fitted, naming it), TOLL_ENUMERIC (no convergence),
 * TOLL_EINVAL (t0 out of range, naming it), TOLL_ENOMEM.  Memory:
 * temporary, through the data's allocator.
 */
TOLL_API toll_status toll_mse_freq_fit(const toll_mse_freq *freq,
                                       toll_mse_freq_model model,
                                       int max_times,
                                       const toll_mse_options *opts,
                                       toll_mse_estimate *out,
                                       toll_error *err);

/*
 * Estimates est[0..n) of capture-frequency models as a table, with the
 * columns of toll_mse_estimates_table (no stratum, weight or delta) and a
 * caption naming K and n.  *out owns a new table allocated with `alloc`
 * (NULL: the data's).
 */
TOLL_API toll_status toll_mse_freq_table(const toll_mse_freq *freq,
                                         const toll_mse_estimate *const *est,
                                         size_t n,
                                         const toll_allocator *alloc,
                                         toll_table **out, toll_error *err);

#ifdef __cplusplus
}
#endif
#endif /* TOLL_MSE_H */
