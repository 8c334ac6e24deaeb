/*
 * src/cli/args.c - the argv parser of every `toll` command (see args.h).
 * Options are parsed by hand (no getopt), so the file is plain C11.
 */
#include "args.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CMD_LOAD (CLI_SUMMARIZE | CLI_INCIDENTS)
#define CMD_READ (CMD_LOAD | CLI_LINK)  /* the load options */
#define CMD_QTY (CLI_SUMMARIZE | CLI_INCIDENTS | CLI_PARSE | CLI_LINK)
#define CMD_ALL (CMD_QTY | CLI_MSE)

#define V CLI_VALUE
#define R (CLI_VALUE | CLI_REPEAT)
#define E (CLI_VALUE | CLI_EMPTY)

static const toll_cli_opt OPTIONS[] = {
    {"help", O_HELP, 0, CMD_ALL},
    {"by", O_BY, E, CLI_SUMMARIZE},
    {"category", O_CATEGORY, V, CLI_SUMMARIZE},
    {"attribution", O_ATTR, V, CLI_SUMMARIZE},
    {"span", O_SPAN, V, CLI_SUMMARIZE},
    {"min-grade", O_MIN_GRADE, V, CLI_SUMMARIZE},
    {"from", O_FROM, V, CLI_SUMMARIZE},
    {"to", O_TO, V, CLI_SUMMARIZE},
    {"region", O_REGION, V, CLI_SUMMARIZE},
    {"actor", O_ACTOR, R, CLI_SUMMARIZE},
    {"totals", O_TOTALS, 0, CLI_SUMMARIZE},
    {"max-rows", O_MAX_ROWS, V, CLI_SUMMARIZE},
    {"stream", O_STREAM, 0, CLI_SUMMARIZE},
    {"interval", O_INTERVAL, V, CLI_SUMMARIZE},
    {"dist", O_DIST, V, CLI_SUMMARIZE},
    {"quantiles", O_QUANTILES, V, CLI_SUMMARIZE},
    {"open-cap", O_OPEN_CAP, V, CLI_SUMMARIZE},
    {"engine", O_ENGINE, V, CLI_SUMMARIZE},
    {"draws", O_DRAWS, V, CLI_SUMMARIZE},
    {"seed", O_SEED, V, CMD_READ | CLI_MSE},
    {"policy", O_POLICY, V, CMD_LOAD},
    {"self-reports", O_SELF, V, CMD_LOAD},
    {"map", O_MAP, R, CMD_READ},
    {"map-file", O_MAP_FILE, V, CMD_READ},
    {"lenient", O_LENIENT, 0, CMD_READ},
    {"format-in", O_FORMAT_IN, V, CMD_READ},
    {"actor-sep", O_ACTOR_SEP, V, CMD_READ},
    {"region-sep", O_REGION_SEP, V, CMD_READ},
    {"delimiter", O_DELIMITER, V, CMD_READ | CLI_MSE},
    {"link", O_LINK, V, CMD_LOAD | CLI_MSE},
    {"link-days", O_LINK_DAYS, V, CMD_LOAD},
    {"link-level", O_LINK_LEVEL, V, CMD_LOAD},
    {"link-actors", O_LINK_ACTORS, V, CMD_LOAD},
    {"link-max-span", O_LINK_MAX_SPAN, V, CMD_READ | CLI_MSE},
    {"link-window", O_LINK_WINDOW, V, CMD_READ | CLI_MSE},
    {"link-upper", O_LINK_UPPER, V, CMD_READ | CLI_MSE},
    {"link-lower", O_LINK_LOWER, V, CMD_READ | CLI_MSE},
    {"link-same-source", O_LINK_SAME_SOURCE, V, CMD_READ | CLI_MSE},
    {"link-model", O_LINK_MODEL, V, CMD_READ | CLI_MSE},
    {"link-names", O_LINK_NAMES, V, CMD_READ | CLI_MSE},
    {"link-labels", O_LINK_LABELS, V, CMD_READ | CLI_MSE},
    {"pairs", O_PAIRS, 0, CLI_LINK},
    {"review", O_REVIEW, 0, CLI_LINK},
    {"write-model", O_WRITE_MODEL, V, CLI_LINK},
    {"explain", O_EXPLAIN, 0, CLI_INCIDENTS},
    {"preset", O_IMPORT_PRESET, V, CMD_READ},
    {"repair", O_REPAIR, 0, CMD_READ},
    {"no-repair", O_NO_REPAIR, 0, CMD_READ},
    {"encoding", O_ENCODING, V, CMD_READ},
    {"date-format", O_DATE_FORMAT, V, CMD_READ},
    {"date-window", O_DATE_WINDOW, V, CMD_READ},
    {"threads", O_THREADS, V, CMD_READ | CLI_MSE},
    {"no-progress", O_NO_PROGRESS, 0, CMD_READ},
    {"where", O_WHERE, R, CLI_SUMMARIZE},
    {"min-data-grade", O_MIN_DATA_GRADE, V, CLI_SUMMARIZE},
    {"lexicon", O_LEXICON, V, CMD_QTY},
    {"lexicon-preset", O_LEXICON_PRESET, V, CMD_QTY},
    {"about-tolerance", O_TOLERANCE, V, CMD_QTY},
    {"format", O_FORMAT, V, CMD_ALL},
    {"lists", O_LISTS, V, CLI_MSE},
    {"stratum-column", O_STRATUM_COLUMN, E, CLI_MSE},
    {"stratum", O_STRATUM, E, CLI_MSE},
    {"stratify-by", O_STRATIFY_BY, V, CLI_MSE},
    {"model", O_MODEL, E, CLI_MSE},
    {"search", O_SEARCH, V, CLI_MSE},
    {"sensitivity", O_SENSITIVITY, V, CLI_MSE},
    {"estimator", O_ESTIMATOR, V, CLI_MSE},
    {"pair", O_PAIR, V, CLI_MSE},
    {"from-incidents", O_FROM_INCIDENTS, 0, CLI_MSE},
    {"lognormal", O_LOGNORMAL, 0, CLI_MSE},
    {"level", O_LEVEL, V, CLI_MSE},
    {"kstar", O_KSTAR, V, CLI_MSE},
    {"burnin", O_BURNIN, V, CLI_MSE},
    {"samples", O_SAMPLES, V, CLI_MSE},
    {"thin", O_THIN, V, CLI_MSE},
    {"chains", O_CHAINS, V, CLI_MSE},
    {"bootstrap", O_BOOTSTRAP, V, CLI_MSE},
    {"bootstrap-method", O_BOOTSTRAP_METHOD, V, CLI_MSE},
    {"capture-frequencies", O_CAPTURE_FREQUENCIES, V, CLI_MSE},
    {"max-captures", O_MAX_CAPTURES, V, CLI_MSE},
    {"link-thresholds", O_LINK_THRESHOLDS, V, CLI_MSE},
};

#undef V
#undef R
#undef E

int toll_cli_vusage(const char *cmd_name, const char *fmt, va_list ap)
{
    fputs("toll: ", stderr);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, " (see 'toll %s --help')\n", cmd_name);
    return CLI_USAGE;
}

int toll_cli_usage(const char *cmd_name, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = toll_cli_vusage(cmd_name, fmt, ap);
    va_end(ap);
    return rc;
}

int toll_cli_bad_value(const toll_cli_args *a, const toll_cli_opt *o,
                       const char *val, const char *accepted)
{
    return toll_cli_usage(a->cmd_name, "invalid value for --%s: '%s' (%s)",
                          o->name, val, accepted);
}

int toll_cli_value_error(const toll_cli_args *a, const toll_cli_opt *o,
                         const char *val, const toll_error *err)
{
    if (err && err->message[0]) {
        fprintf(stderr, "%s\n", err->message);
        return CLI_USAGE;
    }
    return toll_cli_usage(a->cmd_name, "invalid value for --%s: '%s'",
                          o->name, val);
}

int toll_cli_char_value(const toll_cli_args *a, const toll_cli_opt *o,
                        const char *val, char *out)
{
    if (strcmp(val, "tab") == 0 || strcmp(val, "\\t") == 0) {
        *out = '\t';
        return CLI_OK;
    }
    if (val[0] != '\0' && val[1] == '\0') {
        toll_error err;
        toll_error_clear(&err);
        if (o->id == O_DELIMITER &&
            toll_csv_delimiter_check(val[0], &err) != TOLL_OK)
            return toll_cli_usage(a->cmd_name, "--%s: %s", o->name,
                                  err.message);
        *out = val[0];
        return CLI_OK;
    }
    return toll_cli_usage(a->cmd_name, "--%s takes one character, not '%s'",
                          o->name, val);
}

int toll_cli_format_value(const toll_cli_args *a, const toll_cli_opt *o,
                          const char *val, toll_render_format *out)
{
    if (toll_render_format_parse(val, out, NULL) != TOLL_OK)
        return toll_cli_bad_value(a, o, val, "csv, json, md or text");
    return CLI_OK;
}

/* The characters a number may hold: digits, then (for decimals) a point
 * and an exponent.  The whole value must be the number: no blanks around
 * it (strtod and strtol would skip leading ones), no hex, inf or nan. */
static int number_chars(const char *s, int decimal)
{
    if (!s[0])
        return 0;
    for (const char *p = s; *p; p++) {
        int ok = (*p >= '0' && *p <= '9') ||
                 ((*p == '-' || *p == '+') &&
                  (p == s || (decimal && (p[-1] == 'e' || p[-1] == 'E')))) ||
                 (decimal && (*p == '.' || *p == 'e' || *p == 'E'));
        if (!ok)
            return 0;
    }
    return 1;
}

int toll_cli_parse_double(const char *s, double *out)
{
    char *end = NULL;
    if (!number_chars(s, 1))
        return 0;
    errno = 0;
    double v = strtod(s, &end);
    if (errno != 0 || end == s || *end != '\0' || !isfinite(v))
        return 0;
    *out = v;
    return 1;
}

int toll_cli_parse_long(const char *s, long *out)
{
    char *end = NULL;
    if (!number_chars(s, 0))
        return 0;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0')
        return 0;
    *out = v;
    return 1;
}

int toll_cli_parse_ullong(const char *s, unsigned long long *out)
{
    char *end = NULL;
    if (!number_chars(s, 0) || s[0] == '-')
        return 0;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || end == s || *end != '\0')
        return 0;
    *out = v;
    return 1;
}

static const toll_cli_opt *find_option(const char *name, size_t len)
{
    for (size_t k = 0; k < sizeof OPTIONS / sizeof OPTIONS[0]; k++)
        if (strlen(OPTIONS[k].name) == len &&
            strncmp(OPTIONS[k].name, name, len) == 0)
            return &OPTIONS[k];
    return NULL;
}

static int out_of_memory(void)
{
    fputs("toll: out of memory\n", stderr);
    return CLI_DATA;
}

/* Add a value of a repeated option (room for every argument). */
static int add_to_list(toll_cli_args *a, toll_cli_opt_id id, const char *val,
                       int argc)
{
    if (!a->list[id]) {
        a->list[id] = calloc((size_t)argc + 1, sizeof *a->list[id]);
        if (!a->list[id])
            return out_of_memory();
    }
    a->list[id][a->nlist[id]++] = val;
    return CLI_OK;
}

int toll_cli_args_parse(toll_cli_args *a, unsigned cmd, const char *name,
                        int argc, char **argv, toll_cli_apply_fn apply,
                        void *ctx)
{
    memset(a, 0, sizeof *a);
    a->cmd = cmd;
    a->cmd_name = name;
    a->pos = calloc((size_t)argc + 1, sizeof *a->pos);
    if (!a->pos)
        return out_of_memory();
    int only_args = 0;
    for (int i = 0; i < argc; i++) {
        const char *arg = argv[i];
        if (only_args || arg[0] != '-' || arg[1] == '\0') { /* "-": stdin */
            a->pos[a->npos++] = arg;
            continue;
        }
        if (strcmp(arg, "--") == 0) {
            only_args = 1;
            continue;
        }
        if (strcmp(arg, "-h") == 0) {
            a->help = 1;
            continue;
        }
        if (arg[1] != '-')
            return toll_cli_usage(name, "unknown option '%s'", arg);
        const char *oname = arg + 2;
        const char *eq = strchr(oname, '=');
        const toll_cli_opt *o =
            find_option(oname, eq ? (size_t)(eq - oname) : strlen(oname));
        if (!o)
            return toll_cli_usage(name, "unknown option '%s'", arg);
        if (!(o->cmds & cmd))
            return toll_cli_usage(name, "option '--%s' does not apply to "
                                  "'%s'", o->name, name);
        const char *val = NULL;
        if (o->flags & CLI_VALUE) {
            if (eq)
                val = eq + 1;
            else if (i + 1 < argc)
                val = argv[++i];
            else
                return toll_cli_usage(name, "option '--%s' needs a value",
                                      o->name);
            if (!val[0] && !(o->flags & CLI_EMPTY))
                return toll_cli_usage(name, "option '--%s' needs a value, "
                                      "not an empty string", o->name);
        } else if (eq) {
            return toll_cli_usage(name, "option '--%s' takes no value",
                                  o->name);
        }
        int rc;
        if (o->id == O_HELP) {
            a->help = 1;
            rc = CLI_OK;
        } else if (o->flags & CLI_REPEAT) {
            rc = add_to_list(a, o->id, val, argc);
        } else {
            rc = apply(ctx, a, o, val);
        }
        if (rc != CLI_OK)
            return rc;
    }
    return CLI_OK;
}

void toll_cli_args_free(toll_cli_args *a)
{
    free(a->pos);
    for (size_t k = 0; k < O_COUNT; k++)
        free(a->list[k]);
    memset(a, 0, sizeof *a);
}

const char *const *toll_cli_args_list(const toll_cli_args *a,
                                      toll_cli_opt_id id, size_t *n)
{
    *n = a->nlist[id];
    return a->list[id];
}
