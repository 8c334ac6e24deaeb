/*
 * src/stats/mse.c - multiple systems estimation: capture-history data, CSV
 * loading, model strings, and the two-list and Chao estimators.
 * The log-linear models live in src/stats/mse_loglin.c.  Method notes and
 * references: docs/mse.md.
 */
#include "stats/mse.h"

#include "io/csv/csvscan.h"
#include "io/csv/delimiter.h"
#include "base/strhash.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <gsl/gsl_cdf.h>

/* ---- small helpers -------------------------------------------------------- */

static int is_digits(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

static int name_char_ok(char c)
{
    return !(c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '+' ||
             c == '*' || c == ':' || c == ',');
}

int toll_mse_pair_bit(int i, int j)
{
    if (i == j || i < 0 || j < 0 || i >= TOLL_MSE_MAX_LISTS ||
        j >= TOLL_MSE_MAX_LISTS)
        return -1;
    if (i > j) {
        int t = i;
        i = j;
        j = t;
    }
    return j * (j - 1) / 2 + i;
}

toll_status toll_mse_criterion_parse(const char *s,
                                     toll_mse_criterion *out,
                                     toll_error *err)
{
    if (!s || !out)
        return toll__err(err, TOLL_EINVAL, "toll_mse_criterion_parse: NULL "
                                           "argument");
    size_t n = strlen(s);
    if (toll__strncaseeq(s, n, "aic"))
        *out = TOLL_MSE_AIC;
    else if (toll__strncaseeq(s, n, "bic"))
        *out = TOLL_MSE_BIC;
    else
        return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "criterion", s, n,
                            "criterion \"%s\" is not aic or bic", s);
    return TOLL_OK;
}

const char *toll_mse_method_name(toll_mse_method method)
{
    switch (method) {
    case TOLL_MSE_LINCOLN_PETERSEN: return "lincoln-petersen";
    case TOLL_MSE_CHAPMAN: return "chapman";
    case TOLL_MSE_CHAO: return "chao";
    case TOLL_MSE_LOGLINEAR: return "loglinear";
    case TOLL_MSE_MODEL_AVERAGE: return "model-average";
    }
    return "unknown";
}

void toll_mse_options_init(toll_mse_options *opts)
{
    if (!opts)
        return;
    opts->level = 0.95;
    opts->profile = 1;
    opts->max_iter = 100;
    opts->tol = 1e-10;
    opts->profile_delta = 10.0;
}

toll_status toll__mse_opts(const toll_mse_options *in, toll_mse_options *o,
                           toll_error *err)
{
    toll_mse_options_init(o);
    if (!in)
        return TOLL_OK;
    *o = *in;
    if (!(o->level > 0.0 && o->level < 1.0)) {
        char text[32];
        snprintf(text, sizeof text, "%g", o->level);
        return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "level", text,
                            strlen(text),
                            "confidence level must be between 0 and 1 "
                            "(exclusive), got %s", text);
    }
    /* a bad value is an error, never quietly the default */
    const char *field = NULL, *want = NULL;
    char text[32];
    if (o->max_iter <= 0) {
        field = "max_iter", want = "at least 1";
        snprintf(text, sizeof text, "%d", o->max_iter);
    } else if (!(o->tol > 0.0) || !isfinite(o->tol)) {
        field = "tol", want = "a finite number above 0";
        snprintf(text, sizeof text, "%g", o->tol);
    } else if (!(o->profile_delta >= 0.0) || !isfinite(o->profile_delta)) {
        field = "profile_delta", want = "a finite number, 0 or more";
        snprintf(text, sizeof text, "%g", o->profile_delta);
    }
    if (field)
        return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, field, text,
                            strlen(text), "%s must be %s, got %s", field,
                            want, text);
    return TOLL_OK;
}

void toll__mse_est_init(toll_mse_estimate *e, toll_mse_method m, size_t s)
{
    memset(e, 0, sizeof *e);
    e->method = m;
    e->stratum = s;
    e->lists[0] = e->lists[1] = -1;
    e->interval = TOLL_MSE_CI_NONE;
}

void toll__mse_warn(toll_mse_estimate *e, unsigned flag, const char *fmt, ...)
{
    e->warnings |= flag;
    size_t n = strlen(e->warning);
    if (n + 3 >= sizeof e->warning)
        return;
    if (n) {
        memcpy(e->warning + n, "; ", 3);
        n += 2;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->warning + n, sizeof e->warning - n, fmt, ap);
    va_end(ap);
}

void toll__mse_lognormal_ci(double observed, double n_hat, double var,
                            double level, double *lo, double *hi)
{
    double t = n_hat - observed;
    if (!(t > 0.0) || !(var > 0.0) || !isfinite(var)) {
        *lo = *hi = n_hat;
        return;
    }
    double z = gsl_cdf_ugaussian_Pinv(0.5 + level / 2.0);
    double c = exp(z * sqrt(log(1.0 + var / (t * t))));
    *lo = observed + t / c;
    *hi = observed + t * c;
    if (!isfinite(*hi))
        *hi = INFINITY;
}

/* ---- data set --------------------------------------------------------------- */

/* Check K list names (toll_mse_data_new's rules). */
static toll_status check_names(int nlists, const char *const *names,
                               toll_error *err)
{
    if (nlists < TOLL_MSE_MIN_LISTS || nlists > TOLL_MSE_MAX_LISTS)
        return toll__err(err, TOLL_EINVAL,
                         "multiple systems estimation needs 2 to %d lists, "
                         "got %d", TOLL_MSE_MAX_LISTS, nlists);
    if (!names)
        return toll__err(err, TOLL_EINVAL, "list names are missing");
    for (int j = 0; j < nlists; j++) {
        const char *nm = names[j];
        if (!nm || !*nm)
            return toll__err(err, TOLL_EINVAL, "list %d has no name", j + 1);
        if (strlen(nm) > 63)
            return toll__err(err, TOLL_EINVAL,
                             "list name \"%.40s...\" is longer than 63 bytes",
                             nm);
        if (is_digits(nm))
            return toll__err(err, TOLL_EINVAL,
                             "list name \"%s\" is all digits (digits name "
                             "lists by position in model strings)", nm);
        for (const char *c = nm; *c; c++)
            if (!name_char_ok(*c))
                return toll__err(err, TOLL_EINVAL,
                                 "list name \"%s\" contains '%c' (names may "
                                 "not contain spaces or + * : ,)", nm, *c);
        for (int k = 0; k < j; k++)
            if (strcmp(names[k], nm) == 0)
                return toll__err(err, TOLL_EINVAL,
                                 "list name \"%s\" is given twice", nm);
    }
    return TOLL_OK;
}

/* Drop the lists (and so every count) of a data set: it is then a data
 * set without lists. */
static void clear_lists(toll_mse_data *d)
{
    for (size_t s = 0; s < d->nstrata; s++)
        toll__free(&d->alloc, d->strata[s], strlen(d->strata[s]) + 1);
    toll__free(&d->alloc, d->strata, d->strata_cap * sizeof *d->strata);
    toll__free(&d->alloc, d->counts,
               d->counts_cap * d->ncells * sizeof *d->counts);
    toll__free(&d->alloc, d->slots, d->nslots * sizeof *d->slots);
    d->slots = NULL;
    d->nslots = d->nused = 0;
    d->strata = NULL;
    d->counts = NULL;
    d->nstrata = d->strata_cap = d->counts_cap = 0;
    for (int j = 0; j < d->K; j++)
        if (d->names[j])
            toll__free(&d->alloc, d->names[j], strlen(d->names[j]) + 1);
    memset(d->names, 0, sizeof d->names);
    d->K = 0;
    d->ncells = 1;
}

/* Give a data set without lists its K lists (names checked). */
static toll_status set_lists(toll_mse_data *d, int nlists,
                             const char *const *names, toll_error *err)
{
    d->K = nlists;
    d->ncells = 1u << nlists;
    for (int j = 0; j < nlists; j++) {
        d->names[j] = toll__strndup(&d->alloc, names[j], strlen(names[j]));
        if (!d->names[j]) {
            clear_lists(d);
            return toll__nomem(err);
        }
    }
    return TOLL_OK;
}

toll_status toll_mse_data_new(int nlists, const char *const *names,
                              const toll_allocator *alloc,
                              toll_mse_data **out, toll_error *err)
{
    if (!out)
        return toll__err(err, TOLL_EINVAL, "toll_mse_data_new: out is NULL");
    *out = NULL;
    toll_status st;
    if (nlists != 0 && (st = check_names(nlists, names, err)))
        return st;
    toll_allocator a;
    toll__alloc_init(&a, alloc);
    toll_mse_data *d = toll__calloc(&a, 1, sizeof *d);
    if (!d)
        return toll__nomem(err);
    d->alloc = a;
    d->ncells = 1;
    if (nlists != 0 && (st = set_lists(d, nlists, names, err))) {
        toll__free(&a, d, sizeof *d);
        return st;
    }
    *out = d;
    return TOLL_OK;
}

void toll_mse_data_free(toll_mse_data *d)
{
    if (!d)
        return;
    toll_allocator a = d->alloc;
    clear_lists(d);
    toll__free(&a, d, sizeof *d);
}

int toll_mse_data_nlists(const toll_mse_data *d) { return d ? d->K : 0; }

const char *toll_mse_data_list_name(const toll_mse_data *d, int j)
{
    if (!d || j < 0 || j >= d->K)
        return NULL;
    return d->names[j];
}

int toll_mse_data_list_index(const toll_mse_data *d, const char *name)
{
    if (!d || !name)
        return -1;
    for (int j = 0; j < d->K; j++)
        if (strcmp(d->names[j], name) == 0)
            return j;
    return -1;
}

size_t toll_mse_data_nstrata(const toll_mse_data *d)
{
    return d ? d->nstrata : 0;
}

const char *toll_mse_data_stratum_name(const toll_mse_data *d, size_t s)
{
    if (!d || s >= d->nstrata)
        return NULL;
    return d->strata[s];
}

/* The stratum called name[0..len), or TOLL_MSE_NO_STRATUM. */
static size_t strata_find(const toll_mse_data *d, const char *name,
                          size_t len)
{
    if (!d->nslots)
        return TOLL_MSE_NO_STRATUM;
    size_t mask = d->nslots - 1;
    for (size_t i = toll__hash_bytes(name, len) & mask;; i = (i + 1) & mask) {
        size_t v = d->slots[i];
        if (!v)
            return TOLL_MSE_NO_STRATUM;
        v--;
        if (v < d->nstrata && strlen(d->strata[v]) == len &&
            memcmp(d->strata[v], name, len) == 0)
            return v;
    }
}

/* Put stratum s in the index (which has room). */
static void strata_place(toll_mse_data *d, size_t s)
{
    size_t mask = d->nslots - 1;
    const char *nm = d->strata[s];
    size_t i = toll__hash_bytes(nm, strlen(nm)) & mask;
    while (d->slots[i])
        i = (i + 1) & mask;
    d->slots[i] = s + 1;
    d->nused++;
}

/* Make room in the index for one more stratum (rebuilt from the strata
 * when it fills up, which also drops the slots of undone loads). */
static toll_status strata_reserve(toll_mse_data *d, toll_error *err)
{
    if ((d->nused + 1) * 2 <= d->nslots)
        return TOLL_OK;
    size_t n = 16;
    while (n < (d->nstrata + 1) * 2 + 2) {
        if (n > SIZE_MAX / 2 / sizeof *d->slots)
            return toll__nomem(err);
        n *= 2;
    }
    size_t *slots = toll__calloc(&d->alloc, n, sizeof *slots);
    if (!slots)
        return toll__nomem(err);
    toll__free(&d->alloc, d->slots, d->nslots * sizeof *d->slots);
    d->slots = slots;
    d->nslots = n;
    d->nused = 0;
    for (size_t s = 0; s < d->nstrata; s++)
        strata_place(d, s);
    return TOLL_OK;
}

size_t toll_mse_data_stratum_index(const toll_mse_data *d, const char *name)
{
    if (!d)
        return TOLL_MSE_NO_STRATUM;
    if (!name)
        name = "";
    return strata_find(d, name, strlen(name));
}

/* Index of stratum `name` (len bytes), created if absent. */
static toll_status stratum_get(toll_mse_data *d, const char *name,
                               size_t len, size_t *idx, toll_error *err);

toll_status toll__mse_stratum_get(toll_mse_data *d, const char *name,
                                  size_t len, size_t *idx, toll_error *err)
{
    return stratum_get(d, name, len, idx, err);
}

static toll_status stratum_get(toll_mse_data *d, const char *name,
                               size_t len, size_t *idx, toll_error *err)
{
    size_t found = strata_find(d, name, len);
    if (found != TOLL_MSE_NO_STRATUM) {
        *idx = found;
        return TOLL_OK;
    }
    toll_status st = strata_reserve(d, err);
    if (st)
        return st;
    if (d->nstrata == d->counts_cap) {
        size_t ncap = d->counts_cap ? d->counts_cap * 2 : 4;
        if (ncap > SIZE_MAX / (d->ncells * sizeof *d->counts))
            return toll__nomem(err);
        int64_t *nc = toll__realloc(&d->alloc, d->counts,
                                    d->counts_cap * d->ncells * sizeof *nc,
                                    ncap * d->ncells * sizeof *nc);
        if (!nc)
            return toll__nomem(err);
        d->counts = nc;
        d->counts_cap = ncap;
    }
    if (toll__grow(&d->alloc, (void **)&d->strata, &d->strata_cap,
                   d->nstrata + 1, sizeof *d->strata))
        return toll__nomem(err);
    char *copy = toll__strndup(&d->alloc, name, len);
    if (!copy)
        return toll__nomem(err);
    d->strata[d->nstrata] = copy;
    memset(d->counts + d->nstrata * d->ncells, 0,
           d->ncells * sizeof *d->counts);
    *idx = d->nstrata++;
    strata_place(d, *idx);
    return TOLL_OK;
}

static toll_status no_lists(toll_error *err)
{
    return toll__err(err, TOLL_EINVAL, "the data set has no lists yet (load "
                                       "a file or name the lists)");
}

static toll_status add_cell(toll_mse_data *d, const char *stratum,
                            unsigned pattern, int64_t count, toll_error *err)
{
    if (count < 0)
        return toll__err(err, TOLL_EINVAL, "count %lld is negative",
                         (long long)count);
    const char *nm = stratum ? stratum : "";
    size_t s0 = toll_mse_data_stratum_index(d, nm);
    if (s0 != TOLL_MSE_NO_STRATUM) {
        int64_t *c = &d->counts[s0 * d->ncells + pattern];
        if (*c > INT64_MAX - count)
            return toll__err(err, TOLL_ERANGE, "count overflows");
        *c += count;
        return TOLL_OK;
    }
    size_t s;
    toll_status st = stratum_get(d, nm, strlen(nm), &s, err);
    if (st)
        return st;
    d->counts[s * d->ncells + pattern] += count;
    return TOLL_OK;
}

/* Parse a pattern of exactly K '0'/'1' characters into a bit mask. */
static int parse_pattern(const toll_mse_data *d, const char *p, size_t len,
                         unsigned *out)
{
    if (len != (size_t)d->K)
        return 0;
    unsigned m = 0;
    for (size_t j = 0; j < len; j++) {
        if (p[j] == '1')
            m |= 1u << j;
        else if (p[j] != '0')
            return 0;
    }
    *out = m;
    return 1;
}

toll_status toll_mse_data_add_pattern(toll_mse_data *d, const char *stratum,
                                      const char *pattern, int64_t count,
                                      toll_error *err)
{
    if (!d || !pattern)
        return toll__err(err, TOLL_EINVAL, "toll_mse_data_add_pattern: "
                                           "NULL argument");
    if (d->K == 0)
        return no_lists(err);
    unsigned m;
    if (!parse_pattern(d, pattern, strlen(pattern), &m))
        return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "pattern", pattern,
                            strlen(pattern),
                            "capture history \"%s\" is not %d characters 0/1",
                            pattern, d->K);
    if (m == 0)
        return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "pattern", pattern,
                            strlen(pattern),
                            "capture history \"%s\" is on no list (the "
                            "unobserved cell cannot be counted)", pattern);
    return add_cell(d, stratum, m, count, err);
}

toll_status toll_mse_data_add_record(toll_mse_data *d, const char *stratum,
                                     const unsigned char *flags, size_t nflags,
                                     toll_error *err)
{
    if (!d || !flags)
        return toll__err(err, TOLL_EINVAL, "toll_mse_data_add_record: "
                                           "NULL argument");
    if (d->K == 0)
        return no_lists(err);
    if (nflags != (size_t)d->K)
        return toll__err(err, TOLL_EINVAL,
                         "record has %zu list flags, the data set has %d "
                         "lists", nflags, d->K);
    unsigned m = 0;
    for (int j = 0; j < d->K; j++)
        if (flags[j])
            m |= 1u << j;
    if (m == 0)
        return toll__err(err, TOLL_EINVAL, "record is on no list");
    return add_cell(d, stratum, m, 1, err);
}

const int64_t *toll__mse_row(const toll_mse_data *d, size_t s, int64_t *buf)
{
    if (s != TOLL_MSE_TOTAL)
        return d->counts + s * d->ncells;
    memset(buf, 0, d->ncells * sizeof *buf);
    for (size_t t = 0; t < d->nstrata; t++)
        for (unsigned p = 1; p < d->ncells; p++)
            buf[p] += d->counts[t * d->ncells + p];
    return buf;
}

int64_t toll_mse_data_count(const toll_mse_data *d, size_t s,
                            unsigned pattern)
{
    if (!d || pattern == 0 || pattern >= d->ncells)
        return 0;
    if (s == TOLL_MSE_TOTAL) {
        int64_t t = 0;
        for (size_t k = 0; k < d->nstrata; k++)
            t += d->counts[k * d->ncells + pattern];
        return t;
    }
    if (s >= d->nstrata)
        return 0;
    return d->counts[s * d->ncells + pattern];
}

int64_t toll_mse_data_observed(const toll_mse_data *d, size_t s)
{
    if (!d)
        return 0;
    int64_t t = 0;
    for (unsigned p = 1; p < d->ncells; p++)
        t += toll_mse_data_count(d, s, p);
    return t;
}

toll_status toll__mse_check_stratum(const toll_mse_data *d, size_t s,
                                    toll_error *err)
{
    if (!d)
        return toll__err(err, TOLL_EINVAL, "data set is NULL");
    if (d->nstrata == 0)
        return toll__err(err, TOLL_EINVAL, "no capture histories have been "
                                           "added");
    if (s != TOLL_MSE_TOTAL && s >= d->nstrata)
        return toll__err(err, TOLL_EINVAL, "stratum %zu does not exist "
                                           "(there are %zu)", s, d->nstrata);
    return TOLL_OK;
}

/* ---- overlap of the lists --------------------------------------------------- */

/* Records on each list (nlist) and on two lists or more, from the counts of
 * one stratum (or the pooled row); shared: lists with a record also on
 * another list. */
static int64_t overlap_of(const toll_mse_data *d, const int64_t *row,
                          int64_t *nlist, unsigned *shared)
{
    int64_t multi = 0;
    *shared = 0;
    for (int j = 0; j < d->K; j++)
        nlist[j] = 0;
    for (unsigned p = 1; p < d->ncells; p++) {
        if (row[p] == 0)
            continue;
        for (int j = 0; j < d->K; j++)
            if ((p >> j) & 1u)
                nlist[j] += row[p];
        if (__builtin_popcount(p) >= 2) {
            multi += row[p];
            *shared |= p;
        }
    }
    return multi;
}

unsigned toll_mse_data_isolated(const toll_mse_data *d, size_t s)
{
    if (!d || d->nstrata == 0 || (s != TOLL_MSE_TOTAL && s >= d->nstrata))
        return 0;
    int64_t buf[1u << TOLL_MSE_MAX_LISTS];
    int64_t nlist[TOLL_MSE_MAX_LISTS];
    unsigned shared;
    overlap_of(d, toll__mse_row(d, s, buf), nlist, &shared);
    unsigned iso = 0;
    for (int j = 0; j < d->K; j++)
        if (nlist[j] > 0 && !((shared >> j) & 1u))
            iso |= 1u << j;
    return iso;
}

size_t toll__mse_isolated_names(const toll_mse_data *d, unsigned mask,
                                char *buf, size_t cap)
{
    size_t n = 0, left = mask ? (size_t)__builtin_popcount(mask) : 0;
    if (cap)
        buf[0] = '\0';
    for (int j = 0; j < d->K; j++) {
        if (!((mask >> j) & 1u))
            continue;
        left--;
        const char *sep = n == 0 ? "" : left == 0 ? " and " : ", ";
        int w = snprintf(buf + (n < cap ? n : cap), n < cap ? cap - n : 0,
                         "%s'%s'", sep, d->names[j]);
        if (w > 0)
            n += (size_t)w;
    }
    return n;
}

unsigned toll__mse_isolated_text(const toll_mse_data *d, size_t s,
                                 char *buf, size_t cap)
{
    unsigned iso = toll_mse_data_isolated(d, s);
    if (cap)
        buf[0] = '\0';
    if (!iso)
        return 0;
    char names[512];
    toll__mse_isolated_names(d, iso, names, sizeof names);
    int one = __builtin_popcount(iso) == 1;
    snprintf(buf, cap, "%s %s share%s no record with any other list",
             one ? "list" : "lists", names, one ? "s" : "");
    return iso;
}

static toll_status no_overlap(const toll_mse_data *d, size_t s,
                              toll_error *err)
{
    int64_t buf[1u << TOLL_MSE_MAX_LISTS];
    int64_t nlist[TOLL_MSE_MAX_LISTS];
    unsigned shared;
    const int64_t *row = toll__mse_row(d, s, buf);
    if (overlap_of(d, row, nlist, &shared) > 0 ||
        toll_mse_data_observed(d, s) == 0)
        return TOLL_OK;
    unsigned with = 0;
    for (int j = 0; j < d->K; j++)
        if (nlist[j] > 0)
            with |= 1u << j;
    char names[512];
    toll__mse_isolated_names(d, with, names, sizeof names);
    int one = __builtin_popcount(with) == 1;
    return toll__err(err, TOLL_EMODEL,
                     "%s%s%sno record is on two lists: %s %s %s, so multiple "
                     "systems estimation has nothing to go on",
                     d->nstrata > 1 ? "stratum '" : "",
                     d->nstrata > 1 ? d->strata[s] : "",
                     d->nstrata > 1 ? "': " : "",
                     one ? "only the list" : "the lists", names,
                     one ? "has records" : "do not overlap");
}

toll_status toll_mse_data_check_overlap(const toll_mse_data *d, size_t s,
                                        toll_error *err)
{
    toll_status st = toll__mse_check_stratum(d, s, err);
    if (st)
        return st;
    if (s != TOLL_MSE_TOTAL)
        return no_overlap(d, s, err);
    for (size_t i = 0; i < d->nstrata; i++)
        if ((st = no_overlap(d, i, err)))
            return st;
    return TOLL_OK;
}

/* ---- CSV loading ------------------------------------------------------------ */

/* CSV is read by the tokenizer of the report loader
 * (src/io/csv/csvscan.c); its reading of quotes, blanks and line ends is
 * the rule here too. */

typedef struct csv_ctx {
    toll_mse_data *d;
    const char *name;
    const char *const *lists;
    const char *stratum_col; /* NULL: "stratum" (optional); "": none */
    int name_lists;     /* the data set has no lists: name them "A", "B",
                           ... by the width of the first pattern */
    toll_error *err;
    toll_status st;     /* first error */
    long rec_line;      /* line where the current row starts */
    long nrec;          /* records seen (header = 0) */
    /* current row: fields as offsets into buf, each NUL-terminated */
    toll__buf buf;
    size_t *off;
    size_t noff, off_cap;
    /* header mapping */
    int header_done;
    int table_form;
    long col_pattern, col_count, col_stratum;
    long col_list[TOLL_MSE_MAX_LISTS];
    size_t ncols;
    char **colnames;    /* header names (for messages) */
    /* pattern tables: the line of the row that gave each cell of each
     * stratum (index s * ncells + pattern; 0: none yet), so that a
     * repeated capture history names both rows */
    long *row_of;
    size_t row_of_cap;
} csv_ctx;

static const char *fld(const csv_ctx *c, long i)
{
    if (i < 0 || (size_t)i >= c->noff)
        return NULL;
    return c->buf.data + c->off[i];
}

/* Trim ASCII spaces: returns pointer and sets *len. */
static const char *trim(const char *s, size_t *len)
{
    size_t n = strlen(s);
    toll__trim_blank(&s, &n);
    *len = n;
    return s;
}

static void csv_header(csv_ctx *c)
{
    toll_mse_data *d = c->d;
    c->ncols = c->noff;
    c->colnames = toll__calloc(&d->alloc, c->ncols ? c->ncols : 1,
                               sizeof *c->colnames);
    if (!c->colnames) {
        c->st = toll__nomem(c->err);
        return;
    }
    c->col_pattern = c->col_count = c->col_stratum = -1;
    for (int j = 0; j < TOLL_MSE_MAX_LISTS; j++)
        c->col_list[j] = -1;
    for (size_t i = 0; i < c->ncols; i++) {
        size_t n;
        const char *h = trim(fld(c, (long)i), &n);
        c->colnames[i] = toll__strndup(&d->alloc, h, n);
        if (!c->colnames[i]) {
            c->st = toll__nomem(c->err);
            return;
        }
        if (toll__strncaseeq(h, n, "pattern") && c->col_pattern < 0)
            c->col_pattern = (long)i;
        else if (toll__strncaseeq(h, n, "count") && c->col_count < 0)
            c->col_count = (long)i;
        else if (!c->stratum_col && toll__strncaseeq(h, n, "stratum") &&
                 c->col_stratum < 0)
            c->col_stratum = (long)i;
        else if (c->stratum_col && c->stratum_col[0] &&
                 strcmp(c->colnames[i], c->stratum_col) == 0 &&
                 c->col_stratum < 0)
            c->col_stratum = (long)i;
    }
    if (c->stratum_col && c->stratum_col[0] && c->col_stratum < 0) {
        c->st = toll__seterr(c->err, TOLL_EPARSE, c->name, c->rec_line, -1,
                             c->stratum_col, NULL, 0,
                             "missing stratum column '%s'", c->stratum_col);
        return;
    }
    c->table_form = c->col_pattern >= 0 && c->col_count >= 0;
    if (c->table_form)
        return;
    if (c->name_lists) {
        c->st = toll__seterr(c->err, TOLL_EINVAL, c->name, c->rec_line, -1,
                             NULL, NULL, 0,
                             "name the lists: without 'pattern' and 'count' "
                             "columns they cannot be told from the file");
        return;
    }
    for (int j = 0; j < d->K; j++) {
        const char *want = c->lists ? c->lists[j] : d->names[j];
        for (size_t i = 0; i < c->ncols; i++)
            if (strcmp(c->colnames[i], want) == 0) {
                c->col_list[j] = (long)i;
                break;
            }
        if (c->col_list[j] < 0) {
            c->st = toll__seterr(c->err, TOLL_EPARSE, c->name, c->rec_line,
                                 -1, want, NULL, 0,
                                 "missing column '%s' (expected a 0/1 column "
                                 "per list, or 'pattern' and 'count' "
                                 "columns)", want);
            return;
        }
    }
}

/* A data set without lists takes "A", "B", ... from the width of the
 * first pattern (p, n bytes, trimmed) of a pattern,count table. */
static void csv_name_lists(csv_ctx *c, const char *p, size_t n)
{
    int bits = 1;
    for (size_t i = 0; i < n; i++)
        bits = bits && (p[i] == '0' || p[i] == '1');
    if (!bits) {
        c->st = toll__seterr(c->err, TOLL_EPARSE, c->name, c->rec_line,
                             c->nrec - 1, "pattern", p, n,
                             "cannot read \"%.*s\" as a capture history "
                             "(0/1 for each list)",
                             (int)(n > 60 ? 60 : n), p);
        return;
    }
    if (n < TOLL_MSE_MIN_LISTS || n > TOLL_MSE_MAX_LISTS) {
        c->st = toll__seterr(c->err, TOLL_EPARSE, c->name, c->rec_line,
                             c->nrec - 1, "pattern", p, n,
                             "capture history \"%.*s\" is %zu characters "
                             "wide (multiple systems estimation needs 2 to "
                             "%d lists)",
                             (int)(n > 60 ? 60 : n), p, n,
                             TOLL_MSE_MAX_LISTS);
        return;
    }
    char names_buf[TOLL_MSE_MAX_LISTS][2];
    const char *names[TOLL_MSE_MAX_LISTS];
    for (size_t j = 0; j < n; j++) {
        names_buf[j][0] = (char)('A' + j);
        names_buf[j][1] = '\0';
        names[j] = names_buf[j];
    }
    c->st = set_lists(c->d, (int)n, names, c->err);
    c->name_lists = 0;
}

static int read_flag(const char *s, size_t n, int *out)
{
    if ((n == 1 && s[0] == '1') || toll__strncaseeq(s, n, "true") ||
        toll__strncaseeq(s, n, "yes")) {
        *out = 1;
        return 1;
    }
    if ((n == 1 && s[0] == '0') || toll__strncaseeq(s, n, "false") ||
        toll__strncaseeq(s, n, "no")) {
        *out = 0;
        return 1;
    }
    return 0;
}

static void csv_data_row(csv_ctx *c)
{
    toll_mse_data *d = c->d;
    const char *stratum = "";
    if (c->col_stratum >= 0 && fld(c, c->col_stratum))
        stratum = fld(c, c->col_stratum);
    size_t sn;
    stratum = trim(stratum, &sn);
    unsigned m = 0;
    int64_t count = 1;
    if (c->table_form) {
        const char *p = fld(c, c->col_pattern);
        const char *q = fld(c, c->col_count);
        if (!p || !q) {
            c->st = toll__seterr(c->err, TOLL_EPARSE, c->name, c->rec_line,
                                 c->nrec - 1, NULL, NULL, 0,
                                 "row has %zu fields, the header has %zu",
                                 c->noff, c->ncols);
            return;
        }
        size_t pn, qn;
        p = trim(p, &pn);
        q = trim(q, &qn);
        if (c->name_lists) {
            csv_name_lists(c, p, pn);
            if (c->st)
                return;
        }
        int okp = parse_pattern(d, p, pn, &m);
        if (!okp || m == 0) {
            c->st = toll__seterr(c->err, TOLL_EPARSE, c->name, c->rec_line,
                                 c->nrec - 1, "pattern", p, pn,
                                 okp
                                     ? "capture history \"%.*s\" is on no "
                                       "list"
                                     : "cannot read \"%.*s\" as a capture "
                                       "history of %d lists (0/1 each)",
                                 (int)(pn > 60 ? 60 : pn), p, d->K);
            return;
        }
        char tmp[32];
        int ok = qn > 0 && qn < sizeof tmp;
        for (size_t i = 0; ok && i < qn; i++)
            ok = q[i] >= '0' && q[i] <= '9';
        if (ok) {
            memcpy(tmp, q, qn);
            tmp[qn] = '\0';
            errno = 0;
            char *end;
            long long v = strtoll(tmp, &end, 10);
            ok = errno == 0 && *end == '\0';
            count = (int64_t)v;
        }
        if (!ok) {
            c->st = toll__seterr(c->err, TOLL_EPARSE, c->name, c->rec_line,
                                 c->nrec - 1, "count", q, qn,
                                 "cannot read \"%.*s\" as a non-negative "
                                 "whole number",
                                 (int)(qn > 60 ? 60 : qn), q);
            return;
        }
    } else {
        for (int j = 0; j < d->K; j++) {
            const char *v = fld(c, c->col_list[j]);
            const char *col = c->colnames[c->col_list[j]];
            if (!v) {
                c->st = toll__seterr(c->err, TOLL_EPARSE, c->name, c->rec_line,
                                     c->nrec - 1, col, NULL, 0,
                                     "row has %zu fields, the header has %zu",
                                     c->noff, c->ncols);
                return;
            }
            size_t vn;
            v = trim(v, &vn);
            int f;
            if (!read_flag(v, vn, &f)) {
                c->st = toll__seterr(c->err, TOLL_EPARSE, c->name, c->rec_line,
                                     c->nrec - 1, col, v, vn,
                                     vn ? "cannot read \"%.*s\" as 0 or 1"
                                        : "%.*sempty list flag (expected 0 "
                                          "or 1)",
                                     (int)(vn > 60 ? 60 : vn), v);
                return;
            }
            if (f)
                m |= 1u << j;
        }
        if (m == 0) {
            c->st = toll__seterr(c->err, TOLL_EPARSE, c->name, c->rec_line,
                                 c->nrec - 1, NULL, NULL, 0,
                                 "record is on none of the lists");
            return;
        }
    }
    size_t s;
    toll_status st = stratum_get(d, stratum, sn, &s, c->err);
    if (st) {
        c->st = st;
        return;
    }
    if (c->table_form) {
        size_t at = s * d->ncells + m;
        if (at >= c->row_of_cap) {
            size_t old = c->row_of_cap;
            if (toll__grow(&d->alloc, (void **)&c->row_of, &c->row_of_cap,
                           at + 1, sizeof *c->row_of)) {
                c->st = toll__nomem(c->err);
                return;
            }
            memset(c->row_of + old, 0,
                   (c->row_of_cap - old) * sizeof *c->row_of);
        }
        if (c->row_of[at]) {
            char pat[TOLL_MSE_MAX_LISTS + 1];
            for (int j = 0; j < d->K; j++)
                pat[j] = (m >> j) & 1u ? '1' : '0';
            pat[d->K] = '\0';
            c->st = toll__seterr(
                c->err, TOLL_EPARSE, c->name, c->rec_line, c->nrec - 1,
                "pattern", pat, (size_t)d->K,
                "capture history \"%s\"%s%.*s%s is on lines %ld and %ld: a "
                "pattern table has one row per capture history%s",
                pat, sn ? " in stratum \"" : "", (int)(sn > 60 ? 60 : sn),
                stratum, sn ? "\"" : "", c->row_of[at], c->rec_line,
                c->col_stratum >= 0 ? " and stratum" : "");
            return;
        }
        c->row_of[at] = c->rec_line;
    }
    int64_t *cell = &d->counts[s * d->ncells + m];
    if (*cell > INT64_MAX - count) {
        c->st = toll__seterr(c->err, TOLL_ERANGE, c->name, c->rec_line,
                             c->nrec - 1, "count", NULL, 0, "count overflows");
        return;
    }
    *cell += count;
}

/* One row from the tokenizer: its cells copied, NUL-terminated. */
static toll_status csv_row(void *vctx, const toll__csvscan *sc)
{
    csv_ctx *c = vctx;
    c->noff = 0;
    c->buf.len = 0;
    c->rec_line = sc->row_line;
    if (sc->ncells > c->off_cap &&
        toll__grow(c->buf.alloc, (void **)&c->off, &c->off_cap, sc->ncells,
                   sizeof *c->off))
        return c->st = toll__nomem(c->err);
    for (size_t j = 0; j < sc->ncells; j++) {
        c->off[c->noff++] = c->buf.len;
        if (toll__buf_append(&c->buf, toll__csv_cell(sc, j),
                             sc->cells[j].len) ||
            toll__buf_putc(&c->buf, '\0'))
            return c->st = toll__nomem(c->err);
    }
    if (!c->header_done) {
        c->header_done = 1;
        csv_header(c);
    } else {
        c->nrec++;
        csv_data_row(c);
    }
    return c->st;
}

void toll_mse_load_options_init(toll_mse_load_options *opts)
{
    if (!opts)
        return;
    opts->lists = NULL;
    opts->nlists = 0;
    opts->stratum_column = NULL;
    opts->delimiter = 0;
}

/* A load in progress: the tokenizer, the row context and what is needed
 * to undo the load. */
typedef struct mse_load {
    csv_ctx c;
    toll__csvscan sc;
    int started;        /* a chunk was fed (the byte-order mark is
                           looked for in the first one) */
    int had_lists;      /* the data set had lists before the load */
    size_t saved_nstrata, saved_n;
    int64_t *saved;     /* counts before the load */
} mse_load;

static toll_status load_begin(mse_load *L, toll_mse_data *d, const char *name,
                              const toll_mse_load_options *opts,
                              toll_error *err)
{
    toll_mse_load_options def;
    if (!opts) {
        toll_mse_load_options_init(&def);
        opts = &def;
    }
    memset(L, 0, sizeof *L);
    csv_ctx *c = &L->c;
    c->d = d;
    c->name = name;
    c->lists = opts->lists;
    c->stratum_col = opts->stratum_column;
    c->err = err;
    toll__buf_init(&c->buf, &d->alloc);
    if (opts->delimiter) {
        toll_status st =
            toll__csv_delimiter_check(opts->delimiter, "delimiter", err);
        if (st)
            return st;
    }
    toll__csv_init(&L->sc, &d->alloc, opts->delimiter ? opts->delimiter : ',');
    L->had_lists = d->K > 0;
    if (opts->lists) {
        if (!L->had_lists) {
            if (opts->nlists > TOLL_MSE_MAX_LISTS)
                return toll__err(err, TOLL_EINVAL,
                                 "multiple systems estimation needs 2 to %d "
                                 "lists, got %zu", TOLL_MSE_MAX_LISTS,
                                 opts->nlists);
            toll_status st = check_names((int)opts->nlists, opts->lists, err);
            if (st)
                return st;
        } else {
            if (opts->nlists != (size_t)d->K)
                return toll__err(err, TOLL_EINVAL,
                                 "%zu list columns given, the data set has "
                                 "%d lists", opts->nlists, d->K);
            for (size_t j = 0; j < opts->nlists; j++)
                if (!opts->lists[j] || !*opts->lists[j])
                    return toll__err(err, TOLL_EINVAL, "list column %zu has "
                                                       "no name", j + 1);
        }
    }
    L->saved_nstrata = d->nstrata;
    L->saved_n = d->nstrata * d->ncells;
    if (L->saved_n) {
        L->saved = toll__alloc(&d->alloc, L->saved_n * sizeof *L->saved);
        if (!L->saved)
            return toll__nomem(err);
        memcpy(L->saved, d->counts, L->saved_n * sizeof *L->saved);
    }
    if (!L->had_lists) {
        if (opts->lists) /* they name the lists: the columns are the names */
            return set_lists(d, (int)opts->nlists, opts->lists, err);
        c->name_lists = 1;
    }
    return TOLL_OK;
}

/* The tokenizer's own failure (memory, an open quote) as an error. */
static toll_status scan_fail(mse_load *L, toll_status st)
{
    if (!L->sc.own_error)
        return st;
    if (st == TOLL_ENOMEM)
        return toll__nomem(L->c.err);
    return toll__seterr(L->c.err, TOLL_EPARSE, L->c.name, L->sc.row_line, -1,
                        NULL, NULL, 0,
                        "malformed CSV (unterminated quoted field; the row "
                        "starts here)");
}

static toll_status load_feed(mse_load *L, const char *p, size_t n)
{
    if (!L->started) {
        L->started = 1;
        if (n >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) {
            p += 3; /* UTF-8 byte-order mark */
            n -= 3;
        }
    }
    toll_status st = toll__csv_feed(&L->sc, p, n, csv_row, &L->c);
    return st ? scan_fail(L, st) : TOLL_OK;
}

static toll_status load_finish(mse_load *L)
{
    csv_ctx *c = &L->c;
    toll_status st = toll__csv_finish(&L->sc, csv_row, c);
    if (st)
        return scan_fail(L, st);
    if (!c->header_done)
        return toll__seterr(c->err, TOLL_EPARSE, c->name, 0, -1, NULL, NULL,
                            0, "empty file: expected a header row");
    if (c->name_lists)
        return toll__seterr(c->err, TOLL_EPARSE, c->name, 0, -1, NULL, NULL,
                            0, "no capture histories: the number of lists "
                               "cannot be told (name the lists)");
    return TOLL_OK;
}

/* Free the load; on failure (st) undo it. */
static toll_status load_end(mse_load *L, toll_status st)
{
    csv_ctx *c = &L->c;
    toll_mse_data *d = c->d;
    if (st && !L->had_lists) {
        clear_lists(d); /* the lists came with the load: drop them too */
    } else if (st) {
        for (size_t s = L->saved_nstrata; s < d->nstrata; s++)
            toll__free(&d->alloc, d->strata[s], strlen(d->strata[s]) + 1);
        d->nstrata = L->saved_nstrata;
        if (L->saved)
            memcpy(d->counts, L->saved, L->saved_n * sizeof *L->saved);
    }
    if (c->colnames) {
        for (size_t i = 0; i < c->ncols; i++)
            if (c->colnames[i])
                toll__free(&d->alloc, c->colnames[i],
                           strlen(c->colnames[i]) + 1);
        toll__free(&d->alloc, c->colnames,
                   (c->ncols ? c->ncols : 1) * sizeof *c->colnames);
    }
    toll__free(&d->alloc, c->off, c->off_cap * sizeof *c->off);
    toll__free(&d->alloc, c->row_of, c->row_of_cap * sizeof *c->row_of);
    toll__buf_free(&c->buf);
    toll__csv_free(&L->sc);
    toll__free(&d->alloc, L->saved, L->saved_n * sizeof *L->saved);
    return st;
}

toll_status toll_mse_data_load_buffer(toll_mse_data *d, const char *text,
                                      size_t len, const char *name,
                                      const toll_mse_load_options *opts,
                                      toll_error *err)
{
    if (!d || (!text && len))
        return toll__err(err, TOLL_EINVAL, "toll_mse_data_load_buffer: "
                                           "NULL argument");
    mse_load L;
    toll_status st = load_begin(&L, d, name ? name : "<buffer>", opts, err);
    if (!st)
        st = load_feed(&L, text ? text : "", len);
    if (!st)
        st = load_finish(&L);
    return load_end(&L, st);
}

toll_status toll_mse_data_load_file(toll_mse_data *d, const char *path,
                                    const toll_mse_load_options *opts,
                                    toll_error *err)
{
    if (!d || !path)
        return toll__err(err, TOLL_EINVAL, "toll_mse_data_load_file: NULL "
                                           "argument");
    FILE *f = fopen(path, "rb");
    if (!f)
        return toll__seterr(err, TOLL_EIO, path, 0, -1, NULL, NULL, 0,
                            "cannot open: %s", strerror(errno));
    size_t cap = 1u << 16;
    char *chunk = toll__alloc(&d->alloc, cap);
    if (!chunk) {
        fclose(f);
        return toll__nomem(err);
    }
    mse_load L;
    toll_status st = load_begin(&L, d, path, opts, err);
    size_t n;
    while (!st && (n = fread(chunk, 1, cap, f)) > 0)
        st = load_feed(&L, chunk, n);
    if (!st && ferror(f))
        st = toll__seterr(err, TOLL_EIO, path, 0, -1, NULL, NULL, 0,
                          "read error");
    if (!st)
        st = load_finish(&L);
    st = load_end(&L, st);
    toll__free(&d->alloc, chunk, cap);
    fclose(f);
    return st;
}

/* ---- model strings ---------------------------------------------------------- */

/* Resolve one list token (name or 1-based index). */
static int list_token(const toll_mse_data *d, const char *s, size_t n)
{
    int allnum = n > 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            allnum = 0;
    if (allnum) {
        if (n > 2)
            return -1;
        int v = 0;
        for (size_t i = 0; i < n; i++)
            v = v * 10 + (s[i] - '0');
        return (v >= 1 && v <= d->K) ? v - 1 : -1;
    }
    for (int j = 0; j < d->K; j++)
        if (strlen(d->names[j]) == n && memcmp(d->names[j], s, n) == 0)
            return j;
    return -1;
}

toll_status toll_mse_model_parse(const toll_mse_data *d, const char *spec,
                                 toll_mse_model *out, toll_error *err)
{
    if (!d || !out)
        return toll__err(err, TOLL_EINVAL, "toll_mse_model_parse: NULL "
                                           "argument");
    *out = 0;
    if (!spec)
        spec = "";
    size_t sl;
    const char *t = trim(spec, &sl);
    if (sl == 0 || toll__strncaseeq(t, sl, "independence") ||
        toll__strncaseeq(t, sl, "indep"))
        return TOLL_OK;
    toll_mse_model m = 0;
    const char *s = spec;
    while (*s) {
        /* one term up to '+' */
        const char *e = s;
        while (*e && *e != '+')
            e++;
        int idx[TOLL_MSE_MAX_LISTS + 1];
        int nidx = 0;
        const char *q = s;
        while (q < e) {
            while (q < e && toll__is_blank((unsigned char)*q))
                q++;
            const char *r = q;
            while (r < e && *r != '*' && *r != ':' && *r != ' ' && *r != '\t')
                r++;
            if (r == q)
                return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "model",
                                    spec, strlen(spec),
                                    "model \"%s\": empty term", spec);
            int j = list_token(d, q, (size_t)(r - q));
            if (j < 0)
                return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "model",
                                    q, (size_t)(r - q),
                                    "model \"%s\": unknown list \"%.*s\"",
                                    spec, (int)(r - q), q);
            if (nidx <= TOLL_MSE_MAX_LISTS)
                idx[nidx++] = j;
            q = r;
            while (q < e && toll__is_blank((unsigned char)*q))
                q++;
            if (q < e) {
                if (*q != '*' && *q != ':')
                    return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1,
                                        "model", spec, strlen(spec),
                                        "model \"%s\": expected '*', ':' or "
                                        "'+' after \"%.*s\"", spec,
                                        (int)(r - s), s);
                q++;
                while (q < e && toll__is_blank((unsigned char)*q))
                    q++;
                if (q >= e)
                    return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1,
                                        "model", spec, strlen(spec),
                                        "model \"%s\": a list is missing "
                                        "after '*'", spec);
            }
        }
        if (nidx == 0)
            return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "model", spec,
                                strlen(spec), "model \"%s\": empty term",
                                spec);
        /* distinct lists of the term: a list named twice ("A*A") is an
         * error, not an interaction of a list with itself */
        unsigned set = 0;
        int nd = 0;
        for (int k = 0; k < nidx; k++) {
            if (set & (1u << idx[k]))
                return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "model",
                                    spec, strlen(spec),
                                    "model \"%s\": the term \"%.*s\" names "
                                    "list %s twice (an interaction joins "
                                    "different lists)",
                                    spec, (int)(e - s), s,
                                    d->names[idx[k]]);
            set |= 1u << idx[k];
            nd++;
        }
        if (nd >= 3)
            return toll__seterr(err, TOLL_EMODEL, NULL, 0, -1, "model", spec,
                                strlen(spec),
                                "model \"%s\": the term \"%.*s\" is a %d-way "
                                "interaction; %s", spec, (int)(e - s), s, nd,
                                nd == d->K
                                    ? "with every list it is the saturated "
                                      "model, which is not identifiable (the "
                                      "unobserved cell has no data to fit it)"
                                    : "only main effects and two-way "
                                      "interactions are supported");
        if (nd == 2) {
            int a = -1, b = -1;
            for (int j = 0; j < d->K; j++)
                if (set & (1u << j)) {
                    if (a < 0)
                        a = j;
                    else
                        b = j;
                }
            m |= (toll_mse_model)1 << toll_mse_pair_bit(a, b);
        }
        s = *e ? e + 1 : e;
        if (*e && !*s)
            return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "model", spec,
                                strlen(spec), "model \"%s\": ends with '+'",
                                spec);
    }
    *out = m;
    return TOLL_OK;
}

size_t toll_mse_model_format(const toll_mse_data *d, toll_mse_model model,
                             char *buf, size_t size)
{
    size_t n = 0;
    if (!d) {
        if (buf && size)
            buf[0] = '\0';
        return 0;
    }
    /* count the full length while copying what fits */
#define PUT(str, len)                                                        \
    do {                                                                     \
        size_t l_ = (len);                                                   \
        if (buf && n < size) {                                               \
            size_t room_ = size - n - 1;                                     \
            memcpy(buf + n, (str), l_ < room_ ? l_ : room_);                 \
        }                                                                    \
        n += l_;                                                             \
    } while (0)
    for (int j = 0; j < d->K; j++) {
        if (j)
            PUT(" + ", 3);
        PUT(d->names[j], strlen(d->names[j]));
    }
    for (int jj = 1; jj < d->K; jj++)
        for (int ii = 0; ii < jj; ii++) {
            if (!(model & ((toll_mse_model)1 << toll_mse_pair_bit(ii, jj))))
                continue;
            PUT(" + ", 3);
            PUT(d->names[ii], strlen(d->names[ii]));
            PUT("*", 1);
            PUT(d->names[jj], strlen(d->names[jj]));
        }
#undef PUT
    if (buf && size)
        buf[n < size ? n : size - 1] = '\0';
    return n;
}

/* ---- totals over strata ------------------------------------------------------ */

static void prefix_stratum(const toll_mse_data *d, size_t s, toll_error *err)
{
    if (!err)
        return;
    char old[sizeof err->message];
    memcpy(old, err->message, sizeof old);
    size_t n = 0, cap = sizeof err->message - 1;
    const char *parts[3] = {"stratum '", d->strata[s], "': "};
    for (int i = 0; i < 3; i++)
        for (const char *q = parts[i]; *q && n < cap; q++)
            err->message[n++] = *q;
    for (const char *q = old; *q && n < cap; q++)
        err->message[n++] = *q;
    err->message[n] = '\0';
}

toll_status toll__mse_total(const toll_mse_data *d, size_t stratum,
                            toll__mse_one_fn fn, const void *arg,
                            const toll_mse_options *o, toll_mse_estimate *out,
                            toll_error *err)
{
    if (stratum != TOLL_MSE_TOTAL)
        return fn(d, stratum, arg, o, out, err);
    if (d->nstrata == 1) {
        toll_status st = fn(d, 0, arg, o, out, err);
        if (!st)
            out->stratum = TOLL_MSE_TOTAL;
        return st;
    }
    toll_mse_estimate tot, one;
    double var = 0.0;
    unsigned flags = 0;
    for (size_t s = 0; s < d->nstrata; s++) {
        toll_status st = fn(d, s, arg, o, &one, err);
        if (st) {
            prefix_stratum(d, s, err);
            return st;
        }
        if (s == 0) {
            tot = one;
            tot.observed = tot.n_hat = tot.deviance = tot.loglik = 0.0;
            tot.aic = tot.bic = 0.0;
            tot.df = tot.npar = 0;
            tot.iterations = 0;
            tot.warnings = 0;
            tot.warning[0] = '\0';
        }
        tot.observed += one.observed;
        tot.n_hat += one.n_hat;
        var += one.se * one.se;
        tot.deviance += one.deviance;
        tot.df += one.df;
        tot.npar += one.npar;
        tot.loglik += one.loglik;
        tot.aic += one.aic;
        tot.bic += one.bic;
        if (one.iterations > tot.iterations)
            tot.iterations = one.iterations;
        flags |= one.warnings;
        if (one.warnings)
            toll__mse_warn(&tot, TOLL_MSE_W_STRATA, "stratum '%s': %s",
                           d->strata[s], one.warning);
        if (isinf(one.hi))
            tot.warnings |= TOLL_MSE_W_UNBOUNDED;
    }
    tot.stratum = TOLL_MSE_TOTAL;
    tot.se = sqrt(var);
    tot.n_profile = tot.n_hat;
    tot.warnings |= flags & (TOLL_MSE_W_DF0 | TOLL_MSE_W_ZERO_CELLS |
                             TOLL_MSE_W_F2_ZERO | TOLL_MSE_W_SPARSE |
                             TOLL_MSE_W_ISOLATED);
    toll__mse_lognormal_ci(tot.observed, tot.n_hat, var, o->level, &tot.lo,
                           &tot.hi);
    if (tot.warnings & TOLL_MSE_W_UNBOUNDED)
        tot.hi = INFINITY;
    if (tot.interval == TOLL_MSE_CI_PROFILE)
        toll__mse_warn(&tot, TOLL_MSE_W_APPROX_CI,
                       "interval of the total is log-normal from the summed "
                       "variances");
    tot.interval = TOLL_MSE_CI_LOGNORMAL;
    *out = tot;
    return TOLL_OK;
}

/* ---- two-list estimators ---------------------------------------------------- */

typedef struct two_arg {
    int a, b;
    int chapman;
} two_arg;

static toll_status two_one(const toll_mse_data *d, size_t s, const void *varg,
                           const toll_mse_options *o, toll_mse_estimate *out,
                           toll_error *err)
{
    const two_arg *t = varg;
    int64_t buf[1u << TOLL_MSE_MAX_LISTS];
    const int64_t *row = toll__mse_row(d, s, buf);
    double n1 = 0, n2 = 0, m = 0;
    for (unsigned p = 1; p < d->ncells; p++) {
        int ia = (p >> t->a) & 1, ib = (p >> t->b) & 1;
        if (ia)
            n1 += (double)row[p];
        if (ib)
            n2 += (double)row[p];
        if (ia && ib)
            m += (double)row[p];
    }
    toll__mse_est_init(out, t->chapman ? TOLL_MSE_CHAPMAN
                                       : TOLL_MSE_LINCOLN_PETERSEN, s);
    out->lists[0] = t->a;
    out->lists[1] = t->b;
    snprintf(out->model_name, sizeof out->model_name, "%s,%s",
             d->names[t->a], d->names[t->b]);
    out->observed = n1 + n2 - m;
    double nh, var;
    if (t->chapman) {
        nh = (n1 + 1.0) * (n2 + 1.0) / (m + 1.0) - 1.0;
        var = (n1 + 1.0) * (n2 + 1.0) * (n1 - m) * (n2 - m) /
              ((m + 1.0) * (m + 1.0) * (m + 2.0));
    } else {
        if (m == 0)
            return toll__err(err, TOLL_EMODEL,
                             "lincoln-petersen(%s, %s): no record is on both "
                             "lists, so N = n1 n2 / m is unbounded (Chapman's "
                             "form is defined)", d->names[t->a],
                             d->names[t->b]);
        nh = n1 * n2 / m;
        var = n1 * n2 * (n1 - m) * (n2 - m) / (m * m * m);
    }
    out->n_hat = nh;
    out->n_profile = nh;
    out->se = sqrt(var > 0 ? var : 0);
    toll__mse_lognormal_ci(out->observed, nh, var, o->level, &out->lo,
                           &out->hi);
    out->interval = TOLL_MSE_CI_LOGNORMAL;
    if (m == 0)
        toll__mse_warn(out, TOLL_MSE_W_ZERO_CELLS,
                       "no record is on both %s and %s", d->names[t->a],
                       d->names[t->b]);
    if (nh > 10.0 * out->observed)
        toll__mse_warn(out, TOLL_MSE_W_SPARSE,
                       "estimate is more than 10 times the observed count: "
                       "little overlap between the lists");
    return TOLL_OK;
}

static toll_status two_list(const toll_mse_data *d, size_t stratum, int a,
                            int b, int chapman, const toll_mse_options *opts,
                            toll_mse_estimate *out, toll_error *err)
{
    if (!out)
        return toll__err(err, TOLL_EINVAL, "output estimate is NULL");
    toll_status st = toll__mse_check_stratum(d, stratum, err);
    if (st)
        return st;
    if (a < 0 || b < 0 || a >= d->K || b >= d->K || a == b)
        return toll__err(err, TOLL_EINVAL,
                         "two-list estimators need two different lists "
                         "among 0..%d, got %d and %d", d->K - 1, a, b);
    toll_mse_options o;
    st = toll__mse_opts(opts, &o, err);
    if (st)
        return st;
    two_arg t = {a, b, chapman};
    return toll__mse_total(d, stratum, two_one, &t, &o, out, err);
}

toll_status toll_mse_lincoln_petersen(const toll_mse_data *d, size_t stratum,
                                      int a, int b,
                                      const toll_mse_options *opts,
                                      toll_mse_estimate *out, toll_error *err)
{
    return two_list(d, stratum, a, b, 0, opts, out, err);
}

toll_status toll_mse_chapman(const toll_mse_data *d, size_t stratum, int a,
                             int b, const toll_mse_options *opts,
                             toll_mse_estimate *out, toll_error *err)
{
    return two_list(d, stratum, a, b, 1, opts, out, err);
}

/* ---- Chao's lower bound ------------------------------------------------------ */

static toll_status chao_one(const toll_mse_data *d, size_t s, const void *arg,
                            const toll_mse_options *o, toll_mse_estimate *out,
                            toll_error *err)
{
    (void)arg;
    int64_t buf[1u << TOLL_MSE_MAX_LISTS];
    const int64_t *row = toll__mse_row(d, s, buf);
    double S = 0, f1 = 0, f2 = 0;
    for (unsigned p = 1; p < d->ncells; p++) {
        int k = __builtin_popcount(p);
        S += (double)row[p];
        if (k == 1)
            f1 += (double)row[p];
        else if (k == 2)
            f2 += (double)row[p];
    }
    toll__mse_est_init(out, TOLL_MSE_CHAO, s);
    out->observed = S;
    if (S == 0)
        return toll__err(err, TOLL_EMODEL, "chao: no individual observed");
    double nh, var;
    if (f2 > 0) {
        double r = f1 / f2;
        nh = S + f1 * f1 / (2.0 * f2);
        var = f2 * (0.25 * r * r * r * r + r * r * r + 0.5 * r * r);
    } else {
        nh = S + f1 * (f1 - 1.0) / 2.0;
        var = f1 * (f1 - 1.0) / 2.0 +
              f1 * (2.0 * f1 - 1.0) * (2.0 * f1 - 1.0) / 4.0 -
              f1 * f1 * f1 * f1 / (4.0 * nh);
        if (var < 0)
            var = 0;
        toll__mse_warn(out, TOLL_MSE_W_F2_ZERO,
                       "no individual is on exactly two lists (f2 = 0): "
                       "bias-corrected form S + f1(f1-1)/2 used");
    }
    out->n_hat = nh;
    out->n_profile = nh;
    out->se = sqrt(var);
    toll__mse_lognormal_ci(S, nh, var, o->level, &out->lo, &out->hi);
    out->interval = TOLL_MSE_CI_LOGNORMAL;
    if (nh > 10.0 * S)
        toll__mse_warn(out, TOLL_MSE_W_SPARSE,
                       "estimate is more than 10 times the observed count");
    (void)err;
    return TOLL_OK;
}

toll_status toll_mse_chao(const toll_mse_data *d, size_t stratum,
                          const toll_mse_options *opts, toll_mse_estimate *out,
                          toll_error *err)
{
    if (!out)
        return toll__err(err, TOLL_EINVAL, "output estimate is NULL");
    toll_status st = toll__mse_check_stratum(d, stratum, err);
    if (st)
        return st;
    toll_mse_options o;
    st = toll__mse_opts(opts, &o, err);
    if (st)
        return st;
    return toll__mse_total(d, stratum, chao_one, NULL, &o, out, err);
}
