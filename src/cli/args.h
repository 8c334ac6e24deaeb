/*
 * src/cli/args.h - the argv parser of every `toll` command.
 *
 * One table (src/cli/args.c) names every option: its long name, the
 * commands that take it, whether it takes a value and whether each use
 * adds a value (repeated options) or the last one counts.  Accepted forms:
 * "--name", "--name value", "--name=value", "-h" for --help, "-" as a
 * positional argument (standard input) and "--" (everything after it is
 * positional).  Usage errors print "toll: ... (see 'toll CMD --help')".
 *
 * The rules of option values, the same for every option:
 *  - an empty value is an error, except for the options that give it a
 *    meaning (CLI_EMPTY: --by '' is the total only, --stratum '' the
 *    unnamed stratum, --stratum-column '' no stratum column, --model ''
 *    the independence model);
 *  - a number is the whole value: no blanks, no trailing text ("2x"), no
 *    hex, inf or nan (toll_cli_parse_*); each option then checks its range
 *    and sign;
 *  - an option that takes one value may be repeated and the last one
 *    counts (as in most Unix tools, so that a later option overrides an
 *    alias or a script's default); options marked CLI_REPEAT collect every
 *    value instead.
 */
#ifndef TOLL_SRC_CLI_ARGS_H
#define TOLL_SRC_CLI_ARGS_H

#include <stdarg.h>
#include <stddef.h>

#include "toll/toll.h"

/* Exit status of the `toll` command. */
enum { CLI_OK = 0, CLI_DATA = 1, CLI_USAGE = 2 };

/* The commands, as bits of toll_cli_opt.cmds. */
enum {
    CLI_SUMMARIZE = 1u,
    CLI_INCIDENTS = 2u,
    CLI_PARSE = 4u,
    CLI_MSE = 8u,
    CLI_LINK = 16u
};

/* Every option of every command. */
typedef enum toll_cli_opt_id {
    O_HELP,
    /* summarize */
    O_BY, O_CATEGORY, O_ATTR, O_SPAN, O_MIN_GRADE, O_FROM, O_TO, O_REGION,
    O_ACTOR, O_TOTALS, O_WHERE, O_MIN_DATA_GRADE, O_MAX_ROWS, O_STREAM,
    O_INTERVAL, O_DIST, O_QUANTILES, O_OPEN_CAP, O_ENGINE, O_DRAWS, O_SEED,
    /* summarize and incidents: reconcile and load */
    O_POLICY, O_SELF, O_LINK, O_LINK_DAYS, O_LINK_LEVEL, O_LINK_ACTORS,
    O_LINK_MAX_SPAN, O_MAP, O_MAP_FILE, O_LENIENT, O_FORMAT_IN, O_ACTOR_SEP,
    O_REGION_SEP, O_DELIMITER, O_IMPORT_PRESET, O_REPAIR, O_NO_REPAIR,
    O_ENCODING, O_DATE_FORMAT, O_DATE_WINDOW, O_THREADS, O_NO_PROGRESS,
    /* the probabilistic linker (link; incidents and summarize with --link
       auto): src/cli/linker.h */
    O_LINK_WINDOW, O_LINK_UPPER, O_LINK_LOWER, O_LINK_SAME_SOURCE,
    O_LINK_MODEL, O_LINK_NAMES, O_LINK_LABELS,
    /* link */
    O_PAIRS, O_REVIEW, O_WRITE_MODEL,
    /* incidents */
    O_EXPLAIN,
    /* summarize, incidents and parse */
    O_LEXICON, O_LEXICON_PRESET, O_TOLERANCE, O_FORMAT,
    /* mse */
    O_LISTS, O_STRATUM_COLUMN, O_STRATUM, O_STRATIFY_BY, O_MODEL, O_SEARCH, O_SENSITIVITY,
    O_ESTIMATOR, O_PAIR, O_FROM_INCIDENTS, O_LOGNORMAL, O_LEVEL,
    /* mse --estimator lcmcr (with O_SEED and O_THREADS) */
    O_KSTAR, O_BURNIN, O_SAMPLES, O_THIN, O_CHAINS,
    /* mse --bootstrap (with O_SEED and O_THREADS) */
    O_BOOTSTRAP, O_BOOTSTRAP_METHOD,
    /* mse --capture-frequencies */
    O_CAPTURE_FREQUENCIES, O_MAX_CAPTURES,
    /* mse --from-incidents --link auto: estimates at several thresholds */
    O_LINK_THRESHOLDS,
    O_COUNT
} toll_cli_opt_id;

/* Flags of an option. */
enum {
    CLI_VALUE = 1u, /* takes a value */
    CLI_REPEAT = 2u, /* each use adds a value (toll_cli_args.list) */
    CLI_EMPTY = 4u   /* an empty value means something (else an error) */
};

typedef struct toll_cli_opt {
    const char *name; /* without the leading "--" */
    toll_cli_opt_id id;
    unsigned flags;   /* CLI_VALUE, CLI_REPEAT */
    unsigned cmds;    /* the commands that take it */
} toll_cli_opt;

/* The parsed command line.  Strings point into argv. */
typedef struct toll_cli_args {
    unsigned cmd;          /* CLI_SUMMARIZE, ... */
    const char *cmd_name;  /* "summarize", ... */
    const char **pos;      /* positional arguments, in order */
    size_t npos;
    const char **list[O_COUNT]; /* values of a repeated option, in order */
    size_t nlist[O_COUNT];
    int help;              /* -h or --help given */
} toll_cli_args;

/*
 * Called for each option that is not repeated (nor --help), in the order
 * of argv, with its value (NULL for an option without one).  Returns
 * CLI_OK, or an exit status (after printing why), which stops the parse.
 */
typedef int (*toll_cli_apply_fn)(void *ctx, const toll_cli_args *a,
                                 const toll_cli_opt *opt, const char *val);

/*
 * Parse argv[0..argc) (the arguments after the command name) of command
 * `cmd` called `name` into *a (free with toll_cli_args_free, also after a
 * failure).  Returns CLI_OK or an exit status, after printing why.
 */
int toll_cli_args_parse(toll_cli_args *a, unsigned cmd, const char *name,
                        int argc, char **argv, toll_cli_apply_fn apply,
                        void *ctx);
void toll_cli_args_free(toll_cli_args *a);

/* The values of repeated option `id` (count in *n). */
const char *const *toll_cli_args_list(const toll_cli_args *a,
                                      toll_cli_opt_id id, size_t *n);

/* Print "toll: <message> (see 'toll CMD --help')"; return CLI_USAGE. */
int toll_cli_usage(const char *cmd_name, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int toll_cli_vusage(const char *cmd_name, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

/* "invalid value for --OPT: 'VAL' (ACCEPTED)" as a usage error. */
int toll_cli_bad_value(const toll_cli_args *a, const toll_cli_opt *o,
                       const char *val, const char *accepted);

/* A library's message for a bad value, as is; without one, the usage
 * error "invalid value for --OPT: 'VAL'".  Returns CLI_USAGE. */
int toll_cli_value_error(const toll_cli_args *a, const toll_cli_opt *o,
                         const char *val, const toll_error *err);

/* A one-character value: "x", or "tab" / "\t" for a tab; else a usage
 * error "--OPT takes one character, not 'VAL'".  For --delimiter the
 * character must also pass the library's toll_csv_delimiter_check. */
int toll_cli_char_value(const toll_cli_args *a, const toll_cli_opt *o,
                        const char *val, char *out);

/* An output format (csv, json, md or text); else a usage error. */
int toll_cli_format_value(const toll_cli_args *a, const toll_cli_opt *o,
                          const char *val, toll_render_format *out);

/* The whole of `s` as a number; 1 on success, 0 if it is not one (blanks,
 * trailing text, hex, inf or nan), or out of the type's range (and for
 * toll_cli_parse_ullong, negative). */
int toll_cli_parse_double(const char *s, double *out);
int toll_cli_parse_long(const char *s, long *out);
int toll_cli_parse_ullong(const char *s, unsigned long long *out);

#endif /* TOLL_SRC_CLI_ARGS_H */
