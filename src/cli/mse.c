/*
 * src/cli/mse.c - `toll mse`: multiple systems estimation from the command
 * line, and the interval options of `toll summarize`.
 *
 *   toll mse FILE --lists A,B,C [--model "A*B" | --search aic|bic |
 *            --estimator lincoln-petersen|chapman|chao|lcmcr] [--format F]
 *            [--bootstrap B [--bootstrap-method M] [--seed N] [--threads T]]
 *   toll mse FILE --sensitivity lists [--model SPEC]
 *   toll mse --from-incidents REPORTS... [--lists SOURCES]
 *   toll mse FILE --capture-frequencies K [--estimator
 *            m0|chao|poisson2|darroch|gamma] [--max-captures T0]
 *
 * Uses the public API only; options are parsed by src/cli/args.c.  Exit
 * status: 0 success, 1 bad data or a model that cannot be fitted, 2 usage
 * error.
 */
#include "mse.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "linker.h"

enum { X_OK = CLI_OK, X_DATA = CLI_DATA, X_USAGE = CLI_USAGE };

const char TOLL_CLI_MSE_HELP[] =
    "usage: toll mse FILE [options]\n"
    "       toll mse --from-incidents REPORTS... [options]\n"
    "       toll mse FILE --capture-frequencies K [options]\n"
    "\n"
    "Multiple systems estimation (capture-recapture): from the overlaps of\n"
    "several lists, estimate how many individuals (deaths, incidents) no\n"
    "list recorded.  FILE is CSV: one row per individual with a 0/1 column\n"
    "per list (also yes/no, true/false), or a table of 'pattern' and\n"
    "'count' columns (pattern \"110\": on lists 1 and 2, not 3).  With no\n"
    "model named, the independence model is fitted and N-hat, its standard\n"
    "error and the 95% profile-likelihood interval are printed.\n"
    "\n"
    "Input:\n"
    "  --lists A,B,C          the lists: the 0/1 columns of FILE (required\n"
    "                         for records; for a pattern table, their names,\n"
    "                         default A, B, C...); with --from-incidents, the\n"
    "                         sources to use as lists (default: every\n"
    "                         non-self source, at most 8)\n"
    "  --stratum-column NAME  column giving each row's stratum (default:\n"
    "                         'stratum' when there is one)\n"
    "  --delimiter C          CSV field delimiter (default ','; 'tab'; a\n"
    "                         printable ASCII character other than '\"')\n"
    "  --from-incidents       the files are reports (json, jsonl or csv):\n"
    "                         reconcile them; each incident's non-self\n"
    "                         sources are its capture history, so the\n"
    "                         estimate counts incidents no source reported\n"
    "  --stratify-by KEY      with --from-incidents: region, region:K or\n"
    "                         period:day|week|month|quarter|year\n"
    "  --link MODE            with --from-incidents: link reports into\n"
    "                         incidents: none (default), rule or auto (the\n"
    "                         probabilistic linker, default thresholds)\n"
    "  --link-thresholds P,Q  with --link auto: estimate at each match\n"
    "                         probability threshold (each in (0, 1),\n"
    "                         distinct): reports are merged by pairs at or\n"
    "                         above it; one row per threshold, threshold\n"
    "                         first (with --search: the model average)\n"
    "  --link-window, --link-upper, --link-lower, --link-same-source,\n"
    "  --link-max-span, --link-model, --link-names, --link-labels\n"
    "                         the linker's options, as for 'toll incidents'\n"
    "                         (see 'toll link --help'; --seed is LCMCR's\n"
    "                         here)\n"
    "  --stratum NAME         estimate in this stratum only (default: every\n"
    "                         stratum separately, summed)\n"
    "\n"
    "Estimation:\n"
    "  --model SPEC           log-linear model with these two-way\n"
    "                         interactions, e.g. \"A*B + C*D\" (names or\n"
    "                         1-based indices; default: independence)\n"
    "  --search aic|bic       fit every model with two-way interactions\n"
    "                         (up to 5 lists), best first, each with N-hat,\n"
    "                         SE, deviance, df, AIC, BIC and weight; the\n"
    "                         weighted model average last; models whose\n"
    "                         estimate does not exist (zero cells) are\n"
    "                         skipped and listed on stderr\n"
    "  --sensitivity lists    leave-one-list-out: N-hat with each list\n"
    "                         dropped in turn (its histories merged over\n"
    "                         it), for the independence model or --model\n"
    "                         without the interactions of the dropped list\n"
    "                         (at least 3 lists)\n"
    "  --estimator E          loglinear (default), lincoln-petersen or\n"
    "                         chapman (two lists: see --pair), chao, or\n"
    "                         lcmcr (latent-class Bayesian model: posterior\n"
    "                         median, mean and credible interval of N);\n"
    "                         with --capture-frequencies, one of m0, chao\n"
    "                         (there: Mh Chao, the lower-bound log-linear\n"
    "                         model), poisson2, darroch or gamma\n"
    "  --pair A,B             the two lists of a two-list estimator\n"
    "                         (default: the first two)\n"
    "  --level L              confidence level (default 0.95)\n"
    "  --lognormal            log-normal instead of profile-likelihood\n"
    "                         intervals for log-linear models\n"
    "\n"
    "Capture frequencies (Rcapture's closedp.0 models):\n"
    "  --capture-frequencies K\n"
    "                         FILE is a table of how many individuals were\n"
    "                         caught 1, 2, ... K times over K occasions (or\n"
    "                         lists), columns times,count (or nbcap,freq);\n"
    "                         K is 2 to 100.  Prints M0, Mh Chao (LB),\n"
    "                         Mh Poisson2, Mh Darroch and Mh Gamma3.5 (only\n"
    "                         M0 when K = 2), each with N-hat, SE, a\n"
    "                         log-normal interval, deviance, df, AIC and BIC;\n"
    "                         --estimator names one of them\n"
    "  --max-captures T0      fit the frequencies of 1 to T0 captures only\n"
    "                         (Rcapture's t0; 2 <= T0 <= K; default K)\n"
    "\n"
    "LCMCR (--estimator lcmcr; warnings about convergence go to stderr):\n"
    "  --kstar K              latent classes (default 10, at least 2)\n"
    "  --burnin B             iterations discarded per chain (default 10000)\n"
    "  --samples S            draws kept per chain (default 1000)\n"
    "  --thin T               iterations per kept draw (default 100)\n"
    "  --chains C             chains, run on threads (default 4)\n"
    "  --seed N               random seed, 0 to 2^64-1 (default 1); the\n"
    "                         draws depend on it, never on --threads\n"
    "  --threads N            threads (default: one per chain, at most the\n"
    "                         CPUs)\n"
    "\n"
    "Bootstrap (log-linear models; also takes --seed, --threads, --level):\n"
    "  --bootstrap B          resample the data B times (1 to 1000000) and\n"
    "                         estimate again in every resample: with --search\n"
    "                         the search is re-run each time, so the interval\n"
    "                         includes the choice of the model; with --model\n"
    "                         (or neither: the independence model printed\n"
    "                         without --bootstrap) that model is refitted.\n"
    "                         Prints the estimates as without it, then the\n"
    "                         percentile intervals of the selected model's\n"
    "                         and of the model average's N-hat, then how\n"
    "                         often each model was selected (model, selected,\n"
    "                         share).  --format json: one object with\n"
    "                         \"models\", \"bootstrap\" and \"selection\".\n"
    "                         --seed (default 1) fixes the resamples, which\n"
    "                         never depend on --threads (default, or 0: the\n"
    "                         CPUs online)\n"
    "  --bootstrap-method M   multinomial (default: the observed individuals\n"
    "                         drawn with replacement; assumes no model) or\n"
    "                         parametric (a population drawn from the\n"
    "                         selected model's fitted cells, unobserved\n"
    "                         ones dropped)\n"
    "\n"
    "Output:\n"
    "  --format F             text (default), csv, json or md\n"
    "\n"
    "An option given twice counts with its last value; an empty value is an\n"
    "error except for --stratum, --stratum-column and --model.\n"
    "\n"
    "Method notes and references: docs/mse.md.\n";

/* ---- small helpers ------------------------------------------------------ */

static int usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int usage(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = toll_cli_vusage("mse", fmt, ap);
    va_end(ap);
    return rc;
}

/* At most this many comma-separated items are split; how many lists
 * there may be is the library's rule (toll_mse_data_new). */
#define MAX_ITEMS 64

/* Split "A,B,C" into at most max trimmed items (pointers into a copy that
 * the caller frees); an empty item stays, for the library to name.
 * Returns the count, or -1 when there are more than max (or no memory). */
static int split_list(const char *s, char **copy, const char **items, int max)
{
    *copy = malloc(strlen(s) + 1);
    if (!*copy)
        return -1;
    strcpy(*copy, s);
    int n = 0;
    char *p = *copy;
    for (;;) {
        char *e = strchr(p, ',');
        if (e)
            *e = '\0';
        while (*p == ' ' || *p == '\t')
            p++;
        size_t len = strlen(p);
        while (len && (p[len - 1] == ' ' || p[len - 1] == '\t'))
            p[--len] = '\0';
        if (n >= max)
            return -1;
        items[n++] = p;
        if (!e)
            break;
        p = e + 1;
    }
    return n;
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        if (n == cap) {
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    if (buf && ferror(f)) {
        free(buf);
        buf = NULL;
    }
    if (f != stdin)
        fclose(f);
    *len = n;
    return buf;
}

/* ---- options ------------------------------------------------------------ */

typedef struct mse_cli {
    const char **files; /* the positional arguments */
    size_t nfiles;
    const char *lists;
    const char *stratum_column;
    const char *stratum;
    const char *stratify_by;
    const char *model;
    const char *search;
    const char *sensitivity;
    const char *estimator;
    const char *pair;
    char delimiter;
    int from_incidents;
    int lognormal;
    double level;
    int have_level;
    toll_render_format format;
    toll_mse_lcmcr_options lc; /* --kstar ... --threads */
    int have_lc;               /* one of them was given */
    int have_seed_threads;     /* --seed or --threads was given */
    int have_threads;          /* --threads was given */
    const char *bootstrap;     /* --bootstrap B, as given */
    const char *boot_method;   /* --bootstrap-method */
    int freq_k;                /* --capture-frequencies K (0: not given) */
    int max_captures;          /* --max-captures T0 (0: K) */
    int have_max_captures;
    const char *link;          /* --link */
    const char *link_thresholds; /* --link-thresholds */
    toll_cli_linker linker;    /* --link-window ... (src/cli/linker.h) */
    int link_upper_given;      /* --link-upper */
    const toll_cli_args *args;
} mse_cli;

static int apply(void *ctx, const toll_cli_args *a, const toll_cli_opt *o,
                 const char *val)
{
    mse_cli *c = ctx;
    /* the linker's options; --seed and --threads are LCMCR's here */
    if (o->id != O_SEED && o->id != O_THREADS) {
        int r = toll_cli_linker_option(&c->linker, a, o, val);
        if (r != CLI_NOT_MINE) {
            c->link_upper_given |= o->id == O_LINK_UPPER;
            return r;
        }
    }
    switch (o->id) {
    case O_LISTS: c->lists = val; break;
    case O_STRATUM_COLUMN: c->stratum_column = val; break;
    case O_STRATUM: c->stratum = val; break;
    case O_STRATIFY_BY: c->stratify_by = val; break;
    case O_MODEL: c->model = val; break;
    case O_SEARCH: c->search = val; break;
    case O_SENSITIVITY: c->sensitivity = val; break;
    case O_ESTIMATOR: c->estimator = val; break;
    case O_PAIR: c->pair = val; break;
    case O_FROM_INCIDENTS: c->from_incidents = 1; break;
    case O_LINK: c->link = val; break;
    case O_LINK_THRESHOLDS: c->link_thresholds = val; break;
    case O_LOGNORMAL: c->lognormal = 1; break;
    case O_BOOTSTRAP: c->bootstrap = val; break;
    case O_BOOTSTRAP_METHOD: c->boot_method = val; break;
    case O_DELIMITER: return toll_cli_char_value(a, o, val, &c->delimiter);
    case O_FORMAT: return toll_cli_format_value(a, o, val, &c->format);
    case O_KSTAR:
    case O_CHAINS:
    case O_THREADS: {
        /* the range is the library's rule (toll_mse_lcmcr_options) */
        long v = 0;
        if (!toll_cli_parse_long(val, &v) || v < INT_MIN || v > INT_MAX)
            return toll_cli_bad_value(a, o, val, "a whole number");
        if (o->id == O_KSTAR)
            c->lc.kstar = (int)v;
        else if (o->id == O_CHAINS)
            c->lc.chains = (int)v;
        else
            c->lc.threads = (int)v;
        if (o->id == O_THREADS)
            c->have_seed_threads = c->have_threads = 1;
        else
            c->have_lc = 1;
        break;
    }
    case O_BURNIN:
    case O_SAMPLES:
    case O_THIN:
    case O_SEED: {
        unsigned long long v = 0;
        if (!toll_cli_parse_ullong(val, &v) ||
            (o->id != O_SEED && v > SIZE_MAX))
            return toll_cli_bad_value(a, o, val,
                                      o->id == O_SEED
                                          ? "a whole number from 0 to "
                                            "18446744073709551615"
                                          : "a whole number >= 0");
        if (o->id == O_BURNIN)
            c->lc.burnin = (size_t)v;
        else if (o->id == O_SAMPLES)
            c->lc.samples = (size_t)v;
        else if (o->id == O_THIN)
            c->lc.thin = (size_t)v;
        else
            c->lc.seed = (uint64_t)v;
        if (o->id == O_SEED)
            c->have_seed_threads = 1;
        else
            c->have_lc = 1;
        break;
    }
    case O_CAPTURE_FREQUENCIES:
    case O_MAX_CAPTURES: {
        /* the range is the library's rule (toll_mse_freq_*) */
        long v = 0;
        if (!toll_cli_parse_long(val, &v) || v < 1 || v > INT_MAX)
            return toll_cli_bad_value(a, o, val, "a whole number >= 1");
        if (o->id == O_CAPTURE_FREQUENCIES) {
            c->freq_k = (int)v;
        } else {
            c->max_captures = (int)v;
            c->have_max_captures = 1;
        }
        break;
    }
    case O_LEVEL: {
        double l = 0.0;
        if (!toll_cli_parse_double(val, &l))
            return toll_cli_bad_value(a, o, val, "a number between 0 and 1");
        /* the range is the library's rule (toll_mse_options.level) */
        c->level = l;
        c->have_level = 1;
        break;
    }
    default: break;
    }
    return X_OK;
}

/* ---- data --------------------------------------------------------------- */

static int load_records(const mse_cli *c, toll_mse_data **out)
{
    toll_error err;
    toll_error_clear(&err);
    const char *items[MAX_ITEMS + 1];
    char *copy = NULL;
    int K = 0, rc = X_OK;
    size_t len = 0;
    char *text = NULL;
    toll_mse_data *d = NULL;
    const char *path = c->files[0];

    text = read_file(path, &len);
    if (!text) {
        fprintf(stderr, "%s: cannot read: %s\n", path, strerror(errno));
        return X_DATA;
    }
    if (c->lists) {
        K = split_list(c->lists, &copy, items, MAX_ITEMS);
        if (K < 0) {
            rc = usage("--lists names more than %d lists (multiple systems "
                       "estimation needs 2 to %d)", MAX_ITEMS,
                       TOLL_MSE_MAX_LISTS);
            goto cleanup;
        }
    }
    /* without --lists the load names them A, B, ... from a pattern table */
    toll_status st = toll_mse_data_new(K, K ? items : NULL, NULL, &d, &err);
    if (st) {
        fprintf(stderr, "toll: --lists: %s\n", err.message);
        rc = X_USAGE;
        goto cleanup;
    }
    toll_mse_load_options lo;
    toll_mse_load_options_init(&lo);
    lo.stratum_column = c->stratum_column;
    lo.delimiter = c->delimiter;
    st = toll_mse_data_load_buffer(d, text, len,
                                   strcmp(path, "-") ? path : "<stdin>", &lo,
                                   &err);
    /* the one error of a header that --lists would cure: membership
     * columns with nothing naming the lists (no field, a line) */
    if (st == TOLL_EINVAL && !c->lists && !err.field[0] && err.line > 0) {
        rc = usage("%s; use --lists A,B,C", err.message);
        goto cleanup;
    }
    if (st) {
        fprintf(stderr, "%s\n", err.message);
        rc = st == TOLL_EINVAL ? X_USAGE : X_DATA;
        goto cleanup;
    }
    *out = d;
    d = NULL;
cleanup:
    toll_mse_data_free(d);
    free(copy);
    free(text);
    return rc;
}

/* The reconcile options of --link and the linker's options for the
 * loaded reports `r`: the model and names of --link-model, --link-names
 * and --link-labels go to *ld (free with toll_cli_linker_free).  Returns
 * X_OK or an exit status after printing why. */
static int link_options(const mse_cli *c, const toll_reports *r,
                        toll_cli_linker_data *ld, toll_reconcile_options *ro)
{
    toll_error err;
    toll_error_clear(&err);
    toll_reconcile_options_init(ro);
    if (c->link && toll_link_mode_parse(c->link, &ro->link, &err) != TOLL_OK)
        return usage("--link: %s", err.message);
    if (c->linker.max_span_given)
        ro->link_max_span = c->linker.opts.max_span;
    if (ro->link != TOLL_LINK_AUTO)
        return X_OK;
    return toll_cli_linker_prepare(&c->linker, r, ld, &ro->linker);
}

static int load_incidents(const mse_cli *c, toll_mse_data **out)
{
    toll_error err;
    toll_error_clear(&err);
    toll_reports *r = NULL;
    toll_incidents *inc = NULL;
    const char *items[MAX_ITEMS + 1];
    char *copy = NULL;
    int K = 0, rc = X_OK;
    toll_status st = toll_reports_new(NULL, &r, &err);
    for (size_t i = 0; !st && i < c->nfiles; i++)
        st = toll_reports_load_file(r, c->files[i], NULL, NULL, &err);
    toll_reconcile_options ro;
    toll_cli_linker_data ld;
    memset(&ld, 0, sizeof ld);
    if (!st && (rc = link_options(c, r, &ld, &ro)) != X_OK) {
        toll_cli_linker_free(&ld);
        goto cleanup;
    }
    if (!st)
        st = toll_reconcile(r, &ro, NULL, &inc, &err);
    toll_cli_linker_free(&ld);
    if (st) {
        fprintf(stderr, "%s\n", err.message);
        rc = X_DATA;
        goto cleanup;
    }
    if (c->lists) {
        K = split_list(c->lists, &copy, items, MAX_ITEMS);
        if (K < 0) {
            rc = usage("--lists names more than %d sources (multiple "
                       "systems estimation needs 2 to %d)", MAX_ITEMS,
                       TOLL_MSE_MAX_LISTS);
            goto cleanup;
        }
    }
    st = toll_mse_data_from_incidents(inc, c->lists ? items : NULL,
                                      (size_t)K, c->stratify_by, NULL, out,
                                      &err);
    if (st) {
        fprintf(stderr, "toll: %s\n", err.message);
        rc = st == TOLL_EINVAL ? X_USAGE : X_DATA;
    }
cleanup:
    free(copy);
    toll_incidents_free(inc);
    toll_reports_free(r);
    return rc;
}

/* ---- estimation --------------------------------------------------------- */

/* On stderr: the lists that share no record with any other list, in
 * `stratum` or in each stratum (toll_mse_data_isolated). */
static void warn_isolated(const toll_mse_data *d, size_t stratum)
{
    size_t ns = toll_mse_data_nstrata(d);
    int each = stratum == TOLL_MSE_TOTAL && ns > 1;
    for (size_t s = 0; s < (each ? ns : 1); s++) {
        size_t at = each ? s : stratum;
        unsigned iso = toll_mse_data_isolated(d, at);
        for (int j = 0; j < toll_mse_data_nlists(d); j++) {
            if (!((iso >> j) & 1u))
                continue;
            if (ns > 1 && at != TOLL_MSE_TOTAL)
                fprintf(stderr, "toll: warning: stratum '%s': list '%s' "
                        "shares no record with any other list\n",
                        toll_mse_data_stratum_name(d, at),
                        toll_mse_data_list_name(d, j));
            else
                fprintf(stderr, "toll: warning: list '%s' shares no record "
                        "with any other list\n",
                        toll_mse_data_list_name(d, j));
        }
    }
}

/* --bootstrap and its options into *bo (usage errors name the flag). */
static int boot_options(const mse_cli *c, int lcmcr, toll_mse_boot_options *bo)
{
    toll_error err;
    toll_error_clear(&err);
    if (lcmcr || (c->estimator && strcmp(c->estimator, "loglinear") != 0))
        return usage("--bootstrap applies to log-linear models (--search, "
                     "--model or the default), not --estimator %s",
                     c->estimator);
    if (c->lognormal)
        return usage("--lognormal does not apply with --bootstrap");
    unsigned long long b = 0;
    if (!toll_cli_parse_ullong(c->bootstrap, &b) || b < 1 ||
        b > TOLL_MSE_BOOT_MAX_REPLICATES)
        return usage("invalid value for --bootstrap: '%s' (the number of "
                     "resamples, a whole number from 1 to %zu)",
                     c->bootstrap, TOLL_MSE_BOOT_MAX_REPLICATES);
    bo->replicates = (size_t)b;
    if (c->boot_method &&
        toll_mse_boot_method_parse(c->boot_method, &bo->method, &err))
        return usage("invalid value for --bootstrap-method: '%s' "
                     "(multinomial or parametric)", c->boot_method);
    /* its range (0: the CPUs online) is the library's rule: an error
     * from toll_mse_bootstrap names --threads */
    bo->threads = c->lc.threads;
    bo->seed = c->lc.seed;
    if (c->have_level)
        bo->level = c->level;
    bo->select = c->search != NULL;
    return X_OK;
}

/* The estimates, the bootstrap intervals and the selection frequencies;
 * in JSON one object with "models", "bootstrap" and "selection". */
static toll_status render_boot(const toll_mse_data *d, const toll_table *t,
                               const toll_mse_boot_result *br,
                               toll_render_format f, toll_error *err)
{
    toll_table *bt = NULL, *sel = NULL;
    toll_status st = toll_mse_boot_table(d, br, NULL, &bt, err);
    if (!st)
        st = toll_mse_boot_selection_table(d, br, NULL, &sel, err);
    const toll_table *parts[3] = {t, bt, sel};
    static const char *const keys[3] = {"models", "bootstrap", "selection"};
    const toll_mse_boot_summary *s = toll_mse_boot_summary_get(br);
    for (int i = 0; i < 3 && !st; i++) {
        if (f == TOLL_RENDER_JSON)
            printf("%s\"%s\": ", i ? ",\n" : "{\n", keys[i]);
        else if (i && f == TOLL_RENDER_CSV)
            printf("\n");
        else if (i == 1)
            printf("\nbootstrap: %zu %s resamples%s, %zu failed; %g%% "
                   "percentile intervals\n",
                   s->replicates, toll_mse_boot_method_name(s->method),
                   s->select ? " with the model search re-run" : "",
                   s->failed, 100.0 * s->level);
        else if (i == 2)
            printf("\nmodels selected in the resamples:\n");
        st = toll_table_render(parts[i], f, 0, toll_cli_write_file, stdout,
                               err);
    }
    if (!st && f == TOLL_RENDER_JSON)
        printf("}\n");
    toll_table_free(sel);
    toll_table_free(bt);
    return st;
}

/* ---- capture frequencies -------------------------------------------------- */

/* `toll mse FILE --capture-frequencies K`: the closedp.0 models. */
static int run_freq(const mse_cli *c)
{
    if (c->nfiles > 1)
        return usage("'mse' takes one FILE");
    if (c->from_incidents || c->lists || c->model || c->search || c->pair ||
        c->stratum || c->stratum_column || c->lognormal || c->have_lc ||
        c->bootstrap || c->boot_method || c->sensitivity ||
        c->have_seed_threads)
        return usage("--capture-frequencies takes none of --from-incidents, "
                     "--lists, --model, --search, --pair, --stratum, "
                     "--stratum-column, --lognormal, --bootstrap, "
                     "--sensitivity, --seed, --threads or the LCMCR "
                     "options");
    if (c->freq_k < TOLL_MSE_FREQ_MIN_OCCASIONS ||
        c->freq_k > TOLL_MSE_FREQ_MAX_OCCASIONS)
        return usage("--capture-frequencies: %d occasions (2 to %d)",
                     c->freq_k, TOLL_MSE_FREQ_MAX_OCCASIONS);
    if (c->have_max_captures &&
        (c->max_captures < 2 || c->max_captures > c->freq_k))
        return usage("--max-captures: %d is not from 2 to the %d occasions",
                     c->max_captures, c->freq_k);
    toll_error err;
    toll_error_clear(&err);
    toll_mse_freq_model only = TOLL_MSE_FREQ_M0;
    if (c->estimator &&
        toll_mse_freq_model_parse(c->estimator, &only, &err) != TOLL_OK)
        return usage("invalid value for --estimator with "
                     "--capture-frequencies: '%s' (m0, chao, poisson2, "
                     "darroch or gamma)", c->estimator);
    toll_mse_options o;
    toll_mse_options_init(&o);
    if (c->have_level)
        o.level = c->level;

    const char *path = c->files[0];
    size_t len = 0;
    char *text = read_file(path, &len);
    if (!text) {
        fprintf(stderr, "%s: cannot read: %s\n", path, strerror(errno));
        return X_DATA;
    }
    toll_mse_freq *F = NULL;
    toll_table *t = NULL;
    int rc = X_OK;
    toll_status st = toll_mse_freq_load_buffer(
        c->freq_k, text, len, strcmp(path, "-") ? path : "<stdin>",
        c->delimiter, NULL, &F, &err);
    free(text);
    if (st) {
        fprintf(stderr, "%s\n", err.message);
        return X_DATA;
    }
    int T = c->have_max_captures ? c->max_captures : c->freq_k;
    toll_mse_estimate e[TOLL_MSE_FREQ_NMODELS];
    const toll_mse_estimate *v[TOLL_MSE_FREQ_NMODELS];
    size_t n = 0;
    for (int m = 0; m < TOLL_MSE_FREQ_NMODELS; m++) {
        if (c->estimator && m != (int)only)
            continue;
        /* as Rcapture: with t0 = 2 only M0 */
        if (!c->estimator && T < 3 && m != TOLL_MSE_FREQ_M0)
            continue;
        st = toll_mse_freq_fit(F, (toll_mse_freq_model)m,
                               c->have_max_captures ? c->max_captures : 0,
                               &o, &e[n], &err);
        if (st == TOLL_EINVAL) { /* an option out of range (--level) */
            rc = usage("%s", err.message);
            goto cleanup;
        }
        if (st == TOLL_ENOMEM) {
            fprintf(stderr, "toll: %s\n", err.message);
            rc = X_DATA;
            goto cleanup;
        }
        if (st) {
            fprintf(stderr, "toll: %s\n", err.message);
            continue;
        }
        v[n] = &e[n];
        n++;
    }
    if (n == 0) {
        rc = X_DATA;
        goto cleanup;
    }
    st = toll_mse_freq_table(F, v, n, NULL, &t, &err);
    if (st) {
        fprintf(stderr, "toll: %s\n", err.message);
        rc = X_DATA;
        goto cleanup;
    }
    if (c->format == TOLL_RENDER_TEXT && T == 2 && !c->estimator)
        printf("(with 2 capture frequencies, only M0 is fitted)\n");
    if (c->have_level && c->level != 0.95 && c->format == TOLL_RENDER_TEXT)
        printf("(intervals at the %g%% level)\n", 100.0 * c->level);
    st = toll_table_render(t, c->format, 0, toll_cli_write_file, stdout,
                           &err);
    if (st) {
        rc = toll_cli_output_failed(&err);
        goto cleanup;
    }
    rc = toll_cli_finish_output();
cleanup:
    toll_table_free(t);
    toll_mse_freq_free(F);
    return rc;
}

/* ---- estimates at several linkage thresholds ---------------------------- */

#define MAX_THRESHOLDS 64

/* Parse --link-thresholds: comma-separated match probabilities, each in
 * (0, 1) and distinct.  Returns the count or -1 after a usage error. */
static int parse_thresholds(const char *s, double *out)
{
    const char *items[MAX_THRESHOLDS + 1];
    char *copy = NULL;
    int n = split_list(s, &copy, items, MAX_THRESHOLDS);
    if (n < 0) {
        free(copy);
        usage("--link-thresholds: more than %d thresholds", MAX_THRESHOLDS);
        return -1;
    }
    for (int i = 0; i < n; i++) {
        double v = 0.0;
        if (!toll_cli_parse_double(items[i], &v) || !(v > 0.0 && v < 1.0)) {
            usage("invalid value for --link-thresholds: '%s' (match "
                  "probabilities between 0 and 1, both excluded)",
                  items[i]);
            free(copy);
            return -1;
        }
        for (int j = 0; j < i; j++)
            if (out[j] == v) {
                usage("invalid value for --link-thresholds: '%s' is given "
                      "twice", items[i]);
                free(copy);
                return -1;
            }
        out[i] = v;
    }
    free(copy);
    return n;
}

/*
 * --from-incidents --link auto --link-thresholds: the reports are loaded
 * once and the linker's model fitted once; at each threshold t they are
 * reconciled with the linker merging pairs of match probability >= t
 * (its upper threshold; its lower one lowered to t when above it), the
 * capture histories are built (toll_mse_data_from_incidents) and
 * estimated, into one table (toll_mse_sensitivity_table).
 */
static int run_thresholds(const mse_cli *c, toll_mse_criterion crit)
{
    double thr[MAX_THRESHOLDS];
    int n = parse_thresholds(c->link_thresholds, thr);
    if (n < 0)
        return X_USAGE;
    toll_error err;
    toll_error_clear(&err);
    toll_reports *r = NULL;
    toll_link_model *model = NULL;
    toll_cli_linker_data ld;
    memset(&ld, 0, sizeof ld);
    toll_mse_data *d[MAX_THRESHOLDS] = {NULL};
    toll_table *t = NULL;
    const char *items[MAX_ITEMS + 1];
    char *copy = NULL;
    int K = 0, rc = X_OK;
    if (c->lists) {
        K = split_list(c->lists, &copy, items, MAX_ITEMS);
        if (K < 0) {
            rc = usage("--lists names more than %d sources (multiple "
                       "systems estimation needs 2 to %d)", MAX_ITEMS,
                       TOLL_MSE_MAX_LISTS);
            goto cleanup;
        }
    }
    toll_status st = toll_reports_new(NULL, &r, &err);
    for (size_t i = 0; !st && i < c->nfiles; i++)
        st = toll_reports_load_file(r, c->files[i], NULL, NULL, &err);
    toll_reconcile_options ro;
    if (st) {
        fprintf(stderr, "%s\n", err.message);
        rc = X_DATA;
        goto cleanup;
    }
    if ((rc = link_options(c, r, &ld, &ro)) != X_OK)
        goto cleanup;
    /* one model for every threshold: the given one, or fitted once */
    if (!ro.linker.model) {
        st = toll_link_fit(r, &ro.linker, NULL, &model, &err);
        if (st) {
            fprintf(stderr, "%s\n", err.message);
            rc = X_DATA;
            goto cleanup;
        }
        ro.linker.model = model;
    }
    double lower = ro.linker.lower;
    for (int i = 0; i < n; i++) {
        toll_incidents *inc = NULL;
        ro.linker.upper = thr[i];
        ro.linker.lower = lower < thr[i] ? lower : thr[i];
        st = toll_reconcile(r, &ro, NULL, &inc, &err);
        if (!st)
            st = toll_mse_data_from_incidents(inc, c->lists ? items : NULL,
                                              (size_t)K, c->stratify_by,
                                              NULL, &d[i], &err);
        toll_incidents_free(inc);
        if (st) {
            fprintf(stderr, "toll: %s\n", err.message);
            rc = st == TOLL_EINVAL ? X_USAGE : X_DATA;
            goto cleanup;
        }
    }
    toll_mse_sensitivity_options so;
    toll_mse_sensitivity_options_init(&so);
    if (c->have_level)
        so.est.level = c->level;
    if (c->lognormal)
        so.est.profile = 0;
    if (c->search) {
        so.kind = TOLL_MSE_SENS_AVERAGE;
        so.criterion = crit;
    }
    so.model = c->model;
    if (c->model) {
        toll_mse_model m;
        if (toll_mse_model_parse(d[0], c->model, &m, &err) != TOLL_OK) {
            fprintf(stderr, "toll: --model: %s\n", err.message);
            rc = X_USAGE;
            goto cleanup;
        }
    }
    st = toll_mse_sensitivity_table((const toll_mse_data *const *)d, thr,
                                    (size_t)n, &so, NULL, &t, &err);
    if (st) {
        fprintf(stderr, "toll: %s\n", err.message);
        rc = st == TOLL_EINVAL ? X_USAGE : X_DATA;
        goto cleanup;
    }
    if (c->have_level && c->level != 0.95 && c->format == TOLL_RENDER_TEXT)
        printf("(intervals at the %g%% level)\n", 100.0 * c->level);
    st = toll_table_render(t, c->format, 0, toll_cli_write_file, stdout,
                           &err);
    rc = st ? toll_cli_output_failed(&err) : toll_cli_finish_output();
cleanup:
    toll_table_free(t);
    for (int i = 0; i < n; i++)
        toll_mse_data_free(d[i]);
    toll_link_model_free(model);
    toll_cli_linker_free(&ld);
    toll_reports_free(r);
    free(copy);
    return rc;
}

static int run(const mse_cli *c)
{
    toll_error err;
    toll_error_clear(&err);
    toll_mse_data *d = NULL;
    toll_mse_results *res = NULL;
    const toll_mse_results *res_notes = NULL;
    toll_mse_lcmcr_result *lc = NULL;
    toll_mse_boot_result *br = NULL;
    toll_table *t = NULL;
    int rc;
    toll_status st = TOLL_OK;

    if (c->nfiles == 0)
        return usage("'mse' needs a FILE");
    if (c->freq_k)
        return run_freq(c);
    if (c->have_max_captures)
        return usage("--max-captures applies to --capture-frequencies");
    if (!c->from_incidents && c->nfiles > 1)
        return usage("'mse' takes one FILE (or several with "
                     "--from-incidents)");
    if (c->stratify_by && !c->from_incidents)
        return usage("--stratify-by applies to --from-incidents (use "
                     "--stratum-column for a FILE)");
    int nmodes = (c->model != NULL) + (c->search != NULL) +
                 (c->estimator && strcmp(c->estimator, "loglinear") != 0);
    if (nmodes > 1)
        return usage("--model, --search and --estimator (other than "
                     "loglinear) exclude each other");
    if (c->sensitivity && strcmp(c->sensitivity, "lists") != 0)
        return usage("invalid value for --sensitivity: '%s' (lists)",
                     c->sensitivity);
    if (c->sensitivity && (c->search || c->estimator))
        return usage("--sensitivity lists takes --model, not --search or "
                     "--estimator");
    if (c->sensitivity && c->bootstrap)
        return usage("--sensitivity lists and --bootstrap exclude each "
                     "other");
    toll_mse_criterion crit = TOLL_MSE_AIC;
    if (c->search &&
        toll_mse_criterion_parse(c->search, &crit, &err) != TOLL_OK)
        return usage("--search: %s", err.message);
    toll_mse_method method = TOLL_MSE_LOGLINEAR;
    int lcmcr = c->estimator && strcmp(c->estimator, "lcmcr") == 0;
    if (c->have_lc && !lcmcr)
        return usage("--kstar, --burnin, --samples, --thin and --chains "
                     "apply to --estimator lcmcr");
    if (c->have_seed_threads && !lcmcr && !c->bootstrap)
        return usage("--seed and --threads apply to --estimator lcmcr and "
                     "--bootstrap");
    toll_mse_boot_options bo;
    toll_mse_boot_options_init(&bo);
    if (c->boot_method && !c->bootstrap)
        return usage("--bootstrap-method applies to --bootstrap");
    if (c->bootstrap) {
        int rc0 = boot_options(c, lcmcr, &bo);
        if (rc0 != X_OK)
            return rc0;
    }
    if (lcmcr && c->lognormal)
        return usage("--lognormal does not apply to --estimator lcmcr");
    if (c->estimator && !lcmcr) {
        if (strcmp(c->estimator, "loglinear") == 0)
            method = TOLL_MSE_LOGLINEAR;
        else if (strcmp(c->estimator, "lincoln-petersen") == 0)
            method = TOLL_MSE_LINCOLN_PETERSEN;
        else if (strcmp(c->estimator, "chapman") == 0)
            method = TOLL_MSE_CHAPMAN;
        else if (strcmp(c->estimator, "chao") == 0)
            method = TOLL_MSE_CHAO;
        else
            return usage("invalid value for --estimator: '%s' (loglinear, "
                         "lincoln-petersen, chapman, chao or lcmcr)",
                         c->estimator);
    }
    if (c->pair && method != TOLL_MSE_LINCOLN_PETERSEN &&
        method != TOLL_MSE_CHAPMAN)
        return usage("--pair applies to --estimator lincoln-petersen or "
                     "chapman");
    if (c->link && !c->from_incidents)
        return usage("--link applies to --from-incidents");
    toll_link_mode lm = TOLL_LINK_NONE;
    if (c->link && toll_link_mode_parse(c->link, &lm, &err) != TOLL_OK)
        return usage("--link: %s", err.message);
    rc = toll_cli_linker_check(&c->linker, lm, c->args);
    if (rc != CLI_OK)
        return rc;
    if (c->link_thresholds) {
        if (lm != TOLL_LINK_AUTO)
            return usage("--link-thresholds needs --from-incidents --link "
                         "auto");
        if (c->link_upper_given)
            return usage("--link-upper does not combine with "
                         "--link-thresholds (each threshold is the "
                         "linker's upper one in turn)");
        if (c->estimator || c->stratum)
            return usage("--link-thresholds estimates log-linear models "
                         "(--model or --search) over all strata: not with "
                         "--estimator or --stratum");
        if (c->bootstrap || c->sensitivity)
            return usage("--link-thresholds does not combine with "
                         "--bootstrap or --sensitivity");
        return run_thresholds(c, crit);
    }

    rc = c->from_incidents ? load_incidents(c, &d) : load_records(c, &d);
    if (rc != X_OK)
        return rc;

    size_t stratum = TOLL_MSE_TOTAL;
    if (c->stratum) {
        stratum = toll_mse_data_stratum_index(d, c->stratum);
        if (stratum == TOLL_MSE_NO_STRATUM) {
            rc = usage("no stratum '%s' in the data", c->stratum);
            goto cleanup;
        }
    }
    toll_mse_options o;
    toll_mse_options_init(&o);
    if (c->have_level)
        o.level = c->level;
    if (c->lognormal)
        o.profile = 0;

    if (lcmcr) {
        toll_mse_lcmcr_options lo = c->lc;
        if (c->have_level)
            lo.level = c->level;
        st = toll_mse_lcmcr(d, stratum, &lo, NULL, &lc, &err);
        if (!st)
            st = toll_mse_lcmcr_table(d, lc, NULL, &t, &err);
        if (st == TOLL_EINVAL && err.field[0]) {
            /* an option out of range: name it as the command spells it
             * (the message without its "field 'kstar': " prefix) */
            const char *m = err.message, *e = strstr(m, "': ");
            if (strncmp(m, "field '", 7) == 0 && e)
                m = e + 3;
            rc = usage("--%s: %s", err.field, m);
            goto cleanup;
        }
    } else if (c->bootstrap) {
        if (c->model) {
            st = toll_mse_model_parse(d, c->model, &bo.model, &err);
            if (st) {
                fprintf(stderr, "toll: --model: %s\n", err.message);
                rc = X_USAGE;
                goto cleanup;
            }
        }
        st = toll_mse_bootstrap(d, stratum, crit, &bo, NULL, &br, &err);
        if (!st && toll_mse_boot_results(br))
            st = toll_mse_results_table(d, toll_mse_boot_results(br), NULL,
                                        &t, &err);
        else if (!st) {
            const toll_mse_estimate *v[1] = {toll_mse_boot_estimate(br)};
            st = toll_mse_estimates_table(d, v, 1, 0, NULL, &t, &err);
        }
        if (st == TOLL_EINVAL && err.field[0]) {
            const char *m = err.message, *e = strstr(m, "': ");
            if (strncmp(m, "field '", 7) == 0 && e)
                m = e + 3;
            rc = usage("--%s: %s", err.field, m);
            goto cleanup;
        }
    } else if (c->sensitivity) {
        toll_mse_model m;
        if (c->model && toll_mse_model_parse(d, c->model, &m, &err)) {
            fprintf(stderr, "toll: --model: %s\n", err.message);
            rc = X_USAGE;
            goto cleanup;
        }
        st = toll_mse_leave_one_out(d, stratum, c->model, &o, NULL, &t,
                                    &err);
    } else if (c->search) {
        st = toll_mse_search(d, stratum, crit, &o, NULL, &res, &err);
        if (!st)
            st = toll_mse_results_table(d, res, NULL, &t, &err);
    } else {
        toll_mse_estimate e;
        if (method == TOLL_MSE_LOGLINEAR) {
            toll_mse_model m = 0;
            if (c->model) {
                st = toll_mse_model_parse(d, c->model, &m, &err);
                if (st) {
                    fprintf(stderr, "toll: --model: %s\n", err.message);
                    rc = X_USAGE;
                    goto cleanup;
                }
            }
            st = toll_mse_loglinear(d, stratum, m, &o, &e, &err);
        } else if (method == TOLL_MSE_CHAO) {
            st = toll_mse_chao(d, stratum, &o, &e, &err);
        } else {
            int a = 0, b = 1;
            if (c->pair) {
                const char *items[3];
                char *copy = NULL;
                int n = split_list(c->pair, &copy, items, 2);
                if (n == 2) {
                    a = toll_mse_data_list_index(d, items[0]);
                    b = toll_mse_data_list_index(d, items[1]);
                }
                free(copy);
                if (n != 2 || a < 0 || b < 0 || a == b) {
                    rc = usage("--pair needs two different lists of the data, "
                               "not '%s'", c->pair);
                    goto cleanup;
                }
            }
            st = method == TOLL_MSE_CHAPMAN
                     ? toll_mse_chapman(d, stratum, a, b, &o, &e, &err)
                     : toll_mse_lincoln_petersen(d, stratum, a, b, &o, &e,
                                                 &err);
        }
        if (!st) {
            const toll_mse_estimate *v[1] = {&e};
            st = toll_mse_estimates_table(d, v, 1, 0, NULL, &t, &err);
        }
    }
    if (st) {
        fprintf(stderr, "toll: %s\n", err.message[0] ? err.message
                                                     : toll_strerror(st));
        rc = st == TOLL_EINVAL ? X_USAGE : X_DATA;
        goto cleanup;
    }
    if (c->have_level && c->level != 0.95 && c->format == TOLL_RENDER_TEXT)
        printf("(intervals at the %g%% level)\n", 100.0 * c->level);
    if (br)
        st = render_boot(d, t, br, c->format, &err);
    else
        st = toll_table_render(t, c->format, 0, toll_cli_write_file, stdout,
                               &err);
    if (st) {
        rc = toll_cli_output_failed(&err);
        goto cleanup;
    }
    for (size_t i = 0; lc && i < toll_mse_lcmcr_parts(lc); i++) {
        const toll_mse_lcmcr_summary *s = toll_mse_lcmcr_summary_get(lc, i);
        /* a total's own warnings; its strata's are on their rows */
        unsigned own = s->warnings & ~TOLL_MSE_LCMCR_W_STRATA;
        if (!own)
            continue;
        if (s->stratum == TOLL_MSE_TOTAL || toll_mse_data_nstrata(d) < 2)
            fprintf(stderr, "toll: warning: %s%s\n",
                    toll_mse_lcmcr_parts(lc) > 1 ? "total: " : "",
                    s->warning);
        else
            fprintf(stderr, "toll: warning: stratum '%s': %s\n",
                    toll_mse_data_stratum_name(d, s->stratum), s->warning);
    }
    /* the log-linear estimates carry it in their warnings (LCMCR's
     * summaries too, printed above); the two-list and Chao estimators
     * do not use the overlap of every list */
    if (!lcmcr && (c->search || c->bootstrap || method == TOLL_MSE_LOGLINEAR))
        warn_isolated(d, stratum);
    if (br && toll_mse_boot_summary_get(br)->failed > 0)
        fprintf(stderr, "toll: note: %zu of %zu resamples could not be "
                "fitted and were left out (first: %s)\n",
                toll_mse_boot_summary_get(br)->failed,
                toll_mse_boot_summary_get(br)->replicates,
                toll_mse_boot_fail_message(br));
    if (br && toll_mse_boot_results(br))
        res_notes = toll_mse_boot_results(br);
    else
        res_notes = res;
    for (size_t i = 0; res_notes && i < toll_mse_results_skipped(res_notes);
         i++) {
        const char *why = NULL;
        const char *name = toll_mse_results_skipped_model(res_notes, i, &why);
        fprintf(stderr, "toll: note: model %s skipped: %s\n", name, why);
    }
    rc = toll_cli_finish_output();
cleanup:
    toll_table_free(t);
    toll_mse_boot_free(br);
    toll_mse_lcmcr_free(lc);
    toll_mse_results_free(res);
    toll_mse_data_free(d);
    return rc;
}

int toll_cli_mse(const char *name, int argc, char **argv)
{
    mse_cli c;
    memset(&c, 0, sizeof c);
    c.format = TOLL_RENDER_TEXT;
    toll_mse_lcmcr_options_init(&c.lc);
    toll_cli_linker_init(&c.linker);
    toll_cli_args a;
    int rc = toll_cli_args_parse(&a, CLI_MSE, name, argc, argv, apply, &c);
    c.files = a.pos;
    c.nfiles = a.npos;
    c.args = &a;
    if (rc == X_OK && a.help) {
        fputs(TOLL_CLI_MSE_HELP, stdout);
        rc = toll_cli_finish_output();
    } else if (rc == X_OK) {
        rc = run(&c);
    }
    toll_cli_args_free(&a);
    return rc;
}
