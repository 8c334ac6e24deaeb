/*
 * src/cli/common.h - what the `toll` commands share: reading quantities
 * (the lexicon options), loading and reconciling reports (the load
 * options), writing the output, exit statuses.
 */
#ifndef TOLL_SRC_CLI_COMMON_H
#define TOLL_SRC_CLI_COMMON_H

#include <stdio.h>

#include "toll/toll.h"

#include "args.h"
#include "linker.h"

/* Help lines of the reconcile and load options (summarize, incidents). */
#define TOLL_CLI_LOAD_HELP                                                     \
    "Reconcile options:\n"                                                     \
    "  --policy P             envelope (default): low = min of lows, high =\n" \
    "                         max of highs (\"at least N\" counts N), best =\n" \
    "                         median; conservative: the lowest figure\n"     \
    "  --self-reports S       exclude (default): a party's figure about its\n" \
    "                         own strike is kept aside; include: counted\n"     \
    "  --link MODE            none (default): a report without an incident\n" \
    "                         key is an incident of its own; auto: link the\n" \
    "                         reports of one incident across sources with the\n" \
    "                         probabilistic linker (the options below, as\n"  \
    "                         for 'toll link'); rule: link unkeyed reports\n" \
    "                         when their dates are within --link-days, their\n" \
    "                         regions agree at --link-level and they name a\n" \
    "                         common actor (docs/linking.md)\n"               \
    "  --link-days N          rule: date window, +/- N days (default 1)\n"   \
    "  --link-level K         rule: regions agree on their first K+1 levels\n" \
    "                         (0: the country; default 1, e.g. Syria/Idlib;\n" \
    "                         -1 or full: the whole path)\n"                 \
    "  --link-actors A        rule: overlap (default): actor sets must\n"    \
    "                         overlap; ignore: actors are not compared\n"    \
    "  --link-max-span N      auto and rule: a report spanning more than N\n" \
    "                         days (default 7) is not linked (rule: only to\n" \
    "                         reports with the same span); 0: no limit\n"    \
    TOLL_CLI_LINKER_HELP                                                       \
    "\n" TOLL_CLI_READ_HELP

/* Help lines of the load options (summarize, incidents, link). */
#define TOLL_CLI_READ_HELP                                                     \
    "Load options:\n"                                                          \
    "  --format-in F          json, jsonl or csv (default: from the file name)\n" \
    "  --map SPEC             column map, e.g.\n"                              \
    "                         'killed=deaths_low..deaths_high,actor=side_a'\n" \
    "  --map-file FILE.json   column map from a JSON file\n"                   \
    "  --lexicon FILE.json    extra vague words, e.g. {\"scores\": {\"low\": 40,\n" \
    "                         \"high\": 99, \"best\": 60}}\n"                  \
    "  --lexicon-preset NAME  default, acled or empty (default: default)\n"    \
    "  --about-tolerance T    \"about N\" means N -/+ T*N (default 0.1)\n"     \
    "  --lenient              skip bad records, listing each on stderr;\n"      \
    "                         default: one bad record fails the load\n"        \
    "  --delimiter C          CSV field delimiter (default ','; 'tab' for tab)\n" \
    "  --actor-sep C          CSV separator of joint actors (default ';')\n"   \
    "  --region-sep C         separator of region levels (default '/')\n"   \
    "  --preset NAME          import preset: ucdp-ged, acled, airwars or ibc\n" \
    "                         (docs/importers.md); --map adds to its map\n"  \
    "  --repair, --no-repair  repair figures out of order (low > high, best\n" \
    "                         outside) by widening, each listed on stderr\n" \
    "                         (default: on for ucdp-ged, else off)\n"        \
    "  --encoding E           utf-8 (default), latin-1 or windows-1252\n"    \
    "  --date-format F        e.g. '%d-%b-%y' (several: '|'), then ISO dates\n" \
    "  --date-window FROM:TO  years of plausible dates; a report dated\n"    \
    "                         outside is a bad record (default 1900 to the\n" \
    "                         current year + 1)\n"                            \
    "  --no-progress          no progress bar (one is drawn on stderr when it\n" \
    "                         is a terminal and a load takes over a second,\n" \
    "                         or $TOLL_PROGRESS_DELAY seconds)\n" \
    "  --threads N            threads for loading CSV / JSON Lines (two from\n" \
    "                         4 MiB), reconciling (two from 65,536\n"          \
    "                         incidents) and simulating intervals (rows of\n"  \
    "                         more than 65,536 ranges): 0 auto (default), 1,\n" \
    "                         or 2; same result\n"

/* Not an option of the group: the caller applies it itself. */
#define CLI_NOT_MINE (-1)

/* ---- output ---------------------------------------------------------------- */

/* A toll_write_fn writing to the FILE * ctx. */
int toll_cli_write_file(void *ctx, const char *data, size_t len);

/* Flush stdout: CLI_OK, or CLI_DATA after "toll: error writing the
 * output". */
int toll_cli_finish_output(void);

/* Exit status for a failed library call: CLI_USAGE for TOLL_EINVAL, else
 * CLI_DATA. */
int toll_cli_status_exit(toll_status st);

/* Render `table` to stdout, then flush; on failure print the library's
 * message (or "toll: error writing the output") and return CLI_DATA. */
/* Print the warnings of a table as "toll: warning: MESSAGE" on stderr. */
void toll_cli_print_table_warnings(const toll_table *table);
/* Print each repair of the store as "repair: MESSAGE"; returns how many. */
size_t toll_cli_print_repair_lines(const toll_reports *reports, FILE *out);
/* Print the rejects (with `lenient`; added to *rejected) and the warnings
 * of the last load into `reports`. */
void toll_cli_print_load_notes(const toll_reports *reports, int lenient,
                               size_t *rejected);
int toll_cli_render(const toll_table *table, toll_render_format format,
                    int totals);

/* After a failed write of the output: print err's message, or "toll:
 * error writing the output" without one; return CLI_DATA. */
int toll_cli_output_failed(const toll_error *err);

/* ---- reading quantities (summarize, incidents, parse) --------------------- */

typedef struct toll_cli_reading {
    const char *lexicon_file;   /* --lexicon */
    const char *lexicon_preset; /* --lexicon-preset */
    double about_tolerance;     /* --about-tolerance, when have_tolerance */
    int have_tolerance;
} toll_cli_reading;

/* Apply --lexicon, --lexicon-preset or --about-tolerance; CLI_NOT_MINE for
 * another option. */
int toll_cli_reading_option(toll_cli_reading *r, const toll_cli_args *a,
                            const toll_cli_opt *o, const char *val);

/* Build the lexicon the options ask for into *lex (NULL when the built-in
 * default will do; free it with toll_lexicon_free) and fill *popts. */
int toll_cli_parse_options(const toll_cli_reading *r, toll_lexicon **lex,
                           toll_parse_options *popts);

/* ---- loading and reconciling (summarize, incidents) ------------------------ */

typedef struct toll_cli_input {
    toll_cli_reading reading;
    toll_format format_in;       /* --format-in */
    int lenient;
    char delimiter, actor_sep, region_sep; /* 0: library default */
    const char *map_file;
    const char *import_preset;   /* --preset (docs/importers.md) */
    int repair;                  /* toll_repair_mode */
    const char *encoding, *date_format;
    int date_window_from, date_window_to; /* --date-window (0: default) */
    size_t threads;              /* --threads (0: auto) */
    int no_progress;             /* --no-progress */
    toll_reconcile_options rec;
    int link_tuned;              /* --link-days/-level/-actors */
    toll_cli_linker linker;      /* the probabilistic linker's options
                                    (src/cli/linker.h) */
} toll_cli_input;

void toll_cli_input_init(toll_cli_input *in);

/* Apply a reading, load or reconcile option; CLI_NOT_MINE for another. */
int toll_cli_input_option(toll_cli_input *in, const toll_cli_args *a,
                          const toll_cli_opt *o, const char *val);

/* After the parse: the usage error of link tuning without --link rule. */
int toll_cli_input_check(const toll_cli_input *in, const toll_cli_args *a);
/* After the parse: the linker's options (toll_cli_linker_check). */
int toll_cli_input_linker_check(const toll_cli_input *in,
                                const toll_cli_args *a);

/* The load options of `in` and the --map / --map-file column map (*map:
 * free it with toll_colmap_free after the loads; NULL without one).
 * Returns CLI_OK or an exit status, after printing why. */
int toll_cli_load_options(const toll_cli_input *in, const toll_cli_args *a,
                          const toll_parse_options *popts,
                          toll_load_options *lopts, toll_colmap **map);

/* The lexicon, reports and incidents of a command. */
typedef struct toll_cli_data {
    toll_lexicon *lexicon;
    toll_reports *reports;
    toll_incidents *incidents;
    toll_cli_linker_data linker; /* the model and names of --link auto */
} toll_cli_data;

/* Load every FILE of `a` (or the bundled example) with the options of
 * `in`, listing rejects and repairs on stderr, and reconcile them into
 * *d (zeroed first; free with toll_cli_data_free, also after a failure).
 * Returns CLI_OK or an exit status, after printing why. */
int toll_cli_data_load(toll_cli_data *d, const toll_cli_input *in,
                       const toll_cli_args *a);
/* The same without reconciling (d->incidents stays NULL): `toll link`. */
int toll_cli_data_load_reports(toll_cli_data *d, const toll_cli_input *in,
                               const toll_cli_args *a);
void toll_cli_data_free(toll_cli_data *d);

/* Where the bundled example is looked for next to the binary: argv[0]. */
void toll_cli_set_argv0(const char *argv0);

#endif /* TOLL_SRC_CLI_COMMON_H */
