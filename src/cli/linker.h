/*
 * src/cli/linker.h - the options of the probabilistic linker (toll/link.h)
 * shared by `toll link` and, with --link auto, `toll incidents` and `toll
 * summarize`: --link-window, --link-upper, --link-lower,
 * --link-same-source, --link-max-span, --link-model, --link-names,
 * --link-labels and --seed (src/cli/linker.c).
 *
 * Values are parsed here and checked by the library (toll_link_options_
 * check, the parse functions of toll/link.h): the CLI holds no rule of its
 * own about them.
 */
#ifndef TOLL_SRC_CLI_LINKER_H
#define TOLL_SRC_CLI_LINKER_H

#include "toll/toll.h"

#include "args.h"

/* Help lines of the linker's options. */
#define TOLL_CLI_LINKER_HELP                                                   \
    "  --link-window N        candidate pairs: spans within N days (default\n" \
    "                         2)\n"                                            \
    "  --link-upper P         merge pairs with a match probability >= P\n"     \
    "                         (default 0.9)\n"                                 \
    "  --link-lower P         every two reports of an incident need a pair\n" \
    "                         >= P; pairs in [lower, upper) not merged are\n"  \
    "                         listed for review (default 0.5)\n"              \
    "  --link-same-source S   forbid (default): an incident holds one report\n" \
    "                         (or key) per source; allow\n"                    \
    "  --link-model FILE      use the model in FILE (JSON, as written by\n"    \
    "                         'toll link --write-model') as given: no fitting\n" \
    "  --link-names FILE      place-name normalisation rules (JSON) added to\n" \
    "                         the default ones\n"                              \
    "  --link-labels FILE     CSV with columns report_a, report_b, match\n"    \
    "                         (1/0, true/false, yes/no); a report is FILE:LINE\n" \
    "                         as in the output, or its 0-based index in load\n" \
    "                         order: fit the model's m from these pairs\n"

/* Help line of --seed (link, incidents; summarize has its own). */
#define TOLL_CLI_LINKER_SEED_HELP                                              \
    "  --seed N               random pairs for the model's u (default 1; the\n" \
    "                         same seed gives the same result)\n"

/* What the linker options gave. */
typedef struct toll_cli_linker {
    toll_link_options opts;  /* window, thresholds, same source, max span,
                                seed (model and names: set by
                                toll_cli_linker_prepare) */
    const char *model_file;  /* --link-model */
    const char *names_file;  /* --link-names */
    const char *labels_file; /* --link-labels */
    const char *given;       /* the first linker option given ("link-model"),
                                NULL when none */
    int max_span_given;      /* --link-max-span (both linkers) */
} toll_cli_linker;

void toll_cli_linker_init(toll_cli_linker *l);

/* Apply a linker option (--seed included); CLI_NOT_MINE for another. */
int toll_cli_linker_option(toll_cli_linker *l, const toll_cli_args *a,
                           const toll_cli_opt *o, const char *val);

/*
 * After the parse.  `mode` is the --link mode of incidents and summarize
 * (ignored for `toll link`, which always runs the linker): the linker's
 * options need --link auto, --link-max-span needs a linker; then the
 * library's check of the options (thresholds in order ...).  Returns
 * CLI_OK or CLI_USAGE after printing why.
 */
int toll_cli_linker_check(const toll_cli_linker *l, toll_link_mode mode,
                          const toll_cli_args *a);

/* What toll_cli_linker_prepare made (free with toll_cli_linker_free). */
typedef struct toll_cli_linker_data {
    toll_link_model *model;
    toll_link_names *names;
} toll_cli_linker_data;

/*
 * Read --link-names and --link-model, and fit the model of --link-labels,
 * for linking `reports`; fill *opts (the options with the model and names
 * of *d, which must outlive their use).  Returns CLI_OK or an exit status
 * after printing why.
 */
int toll_cli_linker_prepare(const toll_cli_linker *l,
                            const toll_reports *reports,
                            toll_cli_linker_data *d, toll_link_options *opts);
void toll_cli_linker_free(toll_cli_linker_data *d);

#endif /* TOLL_SRC_CLI_LINKER_H */
