/*
 * src/cli/linker.c - the probabilistic linker's options (see linker.h):
 * parsing them, the checks after the parse, and reading the model, the
 * place-name rules and the labelled pairs they name.
 */
#include "linker.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

void toll_cli_linker_init(toll_cli_linker *l)
{
    memset(l, 0, sizeof *l);
    toll_link_options_init(&l->opts);
}

int toll_cli_linker_option(toll_cli_linker *l, const toll_cli_args *a,
                           const toll_cli_opt *o, const char *val)
{
    toll_error err;
    toll_error_clear(&err);
    switch (o->id) {
    case O_LINK_WINDOW: {
        long v = 0;
        if (!toll_cli_parse_long(val, &v) || v < 0 || v > TOLL_LINK_MAX_DAYS)
            return toll_cli_bad_value(a, o, val,
                                      "a whole number of days >= 0");
        l->opts.window_days = (int)v;
        break;
    }
    case O_LINK_UPPER:
    case O_LINK_LOWER: {
        double p = 0.0;
        if (!toll_cli_parse_double(val, &p))
            return toll_cli_bad_value(a, o, val, "a probability");
        /* its range and the order of the two: toll_link_options_check */
        *(o->id == O_LINK_UPPER ? &l->opts.upper : &l->opts.lower) = p;
        break;
    }
    case O_LINK_SAME_SOURCE:
        if (toll_link_same_source_parse(val, &l->opts.same_source, &err) !=
            TOLL_OK)
            return toll_cli_bad_value(a, o, val, "forbid or allow");
        break;
    case O_LINK_MODEL: l->model_file = val; break;
    case O_LINK_NAMES: l->names_file = val; break;
    case O_LINK_LABELS: l->labels_file = val; break;
    case O_SEED: {
        unsigned long long v = 0;
        if (!toll_cli_parse_ullong(val, &v))
            return toll_cli_bad_value(a, o, val, "a whole number >= 0");
        l->opts.seed = v;
        break;
    }
    case O_LINK_MAX_SPAN: {
        long v = 0;
        if (!toll_cli_parse_long(val, &v) || v < 0 || v > TOLL_LINK_MAX_DAYS)
            return toll_cli_bad_value(a, o, val,
                                      "a whole number of days >= 0");
        l->opts.max_span = (int)v;
        l->max_span_given = 1;
        return CLI_OK; /* both linkers: not an option of this one only */
    }
    default: return CLI_NOT_MINE;
    }
    if (!l->given)
        l->given = o->name;
    return CLI_OK;
}

int toll_cli_linker_check(const toll_cli_linker *l, toll_link_mode mode,
                          const toll_cli_args *a)
{
    int command = a->cmd == CLI_LINK;
    if (!command && l->given && mode != TOLL_LINK_AUTO)
        return toll_cli_usage(a->cmd_name, "--%s needs --link auto",
                              l->given);
    if (!command && l->max_span_given && mode == TOLL_LINK_NONE)
        return toll_cli_usage(a->cmd_name, "--link-max-span needs --link "
                              "auto or --link rule");
    if (l->model_file && l->labels_file)
        return toll_cli_usage(a->cmd_name, "--link-model and --link-labels "
                              "exclude each other (a model is used as "
                              "given; labels fit one)");
    toll_error err;
    toll_error_clear(&err);
    if (toll_link_options_check(&l->opts, &err) != TOLL_OK)
        return toll_cli_usage(a->cmd_name, "%s", err.message);
    return CLI_OK;
}

/* ---- labelled pairs (--link-labels) ---------------------------------------- */

/* Read all of `path` into a new NUL-terminated buffer (free it); NULL
 * after printing why. */
static char *read_text(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "toll: %s: cannot open: %s\n", path, strerror(errno));
        return NULL;
    }
    size_t cap = 4096, n = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (!buf)
            break;
        if (cap - n < 2) {
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0)
            break;
    }
    if (buf && ferror(f)) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    if (!buf) {
        fprintf(stderr, "toll: %s: cannot read it\n", path);
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

/*
 * Split the CSV record at *p (one line; fields may be quoted with "", a
 * doubled quote inside standing for one) in place into at most `max`
 * fields; *p moves to the next line.  Returns the number of fields, or -1
 * for an unterminated quote.
 */
static int split_record(char **p, char **fields, int max)
{
    char *s = *p, *w = s;
    int n = 0;
    for (;;) {
        char *start = w;
        if (*s == '"') {
            s++;
            for (;;) {
                if (*s == '\0' || *s == '\n')
                    return -1;
                if (*s == '"' && s[1] == '"') {
                    *w++ = '"';
                    s += 2;
                } else if (*s == '"') {
                    s++;
                    break;
                } else {
                    *w++ = *s++;
                }
            }
        }
        while (*s && *s != ',' && *s != '\n' && *s != '\r')
            *w++ = *s++;
        char end = *s;
        if (n < max)
            fields[n] = start;
        n++;
        if (end == ',') {
            *w = '\0';
            s++;
            w = s;
            continue;
        }
        *w = '\0'; /* may overwrite the end of line: `end` holds it */
        if (end == '\r')
            s++;
        if (end == '\n' || (end == '\r' && *s == '\n'))
            s++;
        break;
    }
    *p = s;
    return n;
}

/* The names of the reports (the report column of the reports table,
 * FILE:LINE) sorted, each with its index: a label's report is found by
 * binary search, so reading L labels of n reports costs O((n + L) log n). */
typedef struct named_report {
    const char *name;
    size_t index;
} named_report;

static int cmp_named(const void *x, const void *y)
{
    const named_report *a = x, *b = y;
    int c = strcmp(a->name, b->name);
    return c ? c : (a->index > b->index) - (a->index < b->index);
}

/* The sorted names of the n reports of `t` (free it); NULL when out of
 * memory. */
static named_report *name_index(const toll_table *t, size_t jrep, size_t n)
{
    named_report *v = malloc((n ? n : 1) * sizeof *v);
    if (!v)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        const char *r = toll_table_string(t, jrep, i);
        v[i].name = r ? r : "";
        v[i].index = i;
    }
    qsort(v, n, sizeof *v, cmp_named);
    return v;
}

/* The report named `text`: a 0-based index, or FILE:LINE as in the
 * report column of the reports table (the first in load order when two
 * share a name).  1 when found. */
static int find_report(const named_report *names, size_t n, const char *text,
                       size_t *out)
{
    unsigned long long v = 0;
    if (toll_cli_parse_ullong(text, &v)) {
        if (v >= n)
            return 0;
        *out = (size_t)v;
        return 1;
    }
    size_t lo = 0, hi = n;
    while (lo < hi) { /* the first name >= text */
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(names[mid].name, text) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == n || strcmp(names[lo].name, text) != 0)
        return 0;
    *out = names[lo].index;
    return 1;
}

/* A label's match column: toll_link_label_match_parse's words. */
static int parse_match(const char *s, int *out)
{
    return toll_link_label_match_parse(s, out, NULL) == TOLL_OK;
}

/* Read the labelled pairs of `path` into *out (free it), *n of them.
 * CLI_OK or CLI_DATA after printing why (naming the file, line, column
 * and text). */
static int read_labels(const char *path, const toll_reports *reports,
                       toll_link_label **out, size_t *n)
{
    toll_error err;
    toll_error_clear(&err);
    toll_table *t = NULL;
    named_report *index = NULL;
    toll_link_label *labels = NULL;
    size_t len = 0, count = 0, cap = 0;
    int rc = CLI_DATA;
    char *text = read_text(path, &len);
    if (!text)
        return CLI_DATA;
    if (toll_reports_table(reports, NULL, &t, &err) != TOLL_OK) {
        fprintf(stderr, "%s\n", err.message);
        goto done;
    }
    size_t nrep = toll_reports_count(reports);
    index = name_index(t, toll_table_column_index(t, "report"), nrep);
    if (!index) {
        fputs("toll: out of memory\n", stderr);
        goto done;
    }
    enum { MAXF = 64 };
    char *f[MAXF];
    char *p = text;
    if (!strncmp(p, "\xEF\xBB\xBF", 3))
        p += 3; /* a byte order mark */
    int nf = split_record(&p, f, MAXF);
    int col[3] = {-1, -1, -1};
    static const char *const names[3] = {"report_a", "report_b", "match"};
    for (int k = 0; k < nf && k < MAXF; k++)
        for (int c = 0; c < 3; c++)
            if (strcmp(f[k], names[c]) == 0)
                col[c] = k;
    for (int c = 0; c < 3; c++)
        if (col[c] < 0) {
            fprintf(stderr, "toll: %s:1: no column '%s' (the labels need "
                    "report_a, report_b and match)\n", path, names[c]);
            goto done;
        }
    for (long line = 2; *p; line++) {
        nf = split_record(&p, f, MAXF);
        if (nf < 0) {
            fprintf(stderr, "toll: %s:%ld: unterminated quote\n", path, line);
            goto done;
        }
        if (nf == 1 && f[0][0] == '\0')
            continue; /* a blank line */
        toll_link_label lab;
        size_t idx[2] = {0, 0};
        for (int c = 0; c < 3; c++) {
            const char *v = col[c] < nf ? f[col[c]] : "";
            int ok = c < 2 ? find_report(index, nrep, v, &idx[c])
                           : parse_match(v, &lab.match);
            if (!ok) {
                fprintf(stderr, "toll: %s:%ld: %s: '%s' is not %s\n", path,
                        line, names[c], v,
                        c < 2 ? "a report (FILE:LINE as in the output, or "
                                "a 0-based index in load order)"
                              : "1/0, true/false or yes/no");
                goto done;
            }
        }
        lab.report_a = idx[0];
        lab.report_b = idx[1];
        if (count == cap) {
            size_t nc = cap ? cap * 2 : 64;
            toll_link_label *nl = realloc(labels, nc * sizeof *nl);
            if (!nl) {
                fputs("toll: out of memory\n", stderr);
                goto done;
            }
            labels = nl;
            cap = nc;
        }
        labels[count++] = lab;
    }
    *out = labels;
    *n = count;
    labels = NULL;
    rc = CLI_OK;
done:
    free(labels);
    free(index);
    toll_table_free(t);
    free(text);
    return rc;
}

/* ---- reading what the options name ----------------------------------------- */

int toll_cli_linker_prepare(const toll_cli_linker *l,
                            const toll_reports *reports,
                            toll_cli_linker_data *d, toll_link_options *opts)
{
    toll_error err;
    toll_error_clear(&err);
    toll_status st = TOLL_OK;
    *opts = l->opts;
    opts->model = NULL;
    opts->names = NULL;
    if (l->names_file) {
        st = toll_link_names_new(NULL, &d->names, &err);
        if (st == TOLL_OK)
            st = toll_link_names_load_file(d->names, l->names_file, &err);
        if (st != TOLL_OK)
            goto failed;
        opts->names = d->names;
    }
    if (l->model_file) {
        st = toll_link_model_new(NULL, &d->model, &err);
        if (st == TOLL_OK)
            st = toll_link_model_load_file(d->model, l->model_file, &err);
        if (st != TOLL_OK)
            goto failed;
        opts->model = d->model;
    }
    if (l->labels_file) {
        toll_link_label *labels = NULL;
        size_t n = 0;
        int rc = read_labels(l->labels_file, reports, &labels, &n);
        if (rc != CLI_OK)
            return rc;
        st = toll_link_fit_labelled(reports, opts, labels, n, NULL,
                                    &d->model, &err);
        free(labels);
        if (st != TOLL_OK)
            goto failed;
        opts->model = d->model;
    }
    return CLI_OK;
failed:
    fprintf(stderr, "%s\n", err.message);
    return CLI_DATA;
}

void toll_cli_linker_free(toll_cli_linker_data *d)
{
    toll_link_model_free(d->model);
    toll_link_names_free(d->names);
    memset(d, 0, sizeof *d);
}
