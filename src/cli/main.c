/*
 * src/cli/main.c - the `toll` command-line tool.
 *
 *   toll summarize [FILE...] [options]   totals by actor, region, period ...
 *   toll incidents [FILE...] [options]   the reconciled incidents
 *   toll parse TEXT... [options]         how quantity texts are read
 *
 * The CLI is the only part of toll that prints.  It uses the public API
 * only (toll/toll.h).  Options are parsed by hand (no getopt), so the file
 * is plain C11.  Exit status: 0 success, 1 bad data / input-output error,
 * 2 usage error (unknown option or command, bad option value).
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <gsl/gsl_errno.h>

#include "toll/toll.h"

#include "explain.h"
#include "imports.h"
#include "mse.h" /* toll mse; summarize --interval */

#ifndef TOLL_SOURCE_EXAMPLE_DIR
#define TOLL_SOURCE_EXAMPLE_DIR ""
#endif
#ifndef TOLL_EXAMPLE_DIR
#define TOLL_EXAMPLE_DIR ""
#endif
#define EXAMPLE_FILE "seeds.jsonl"

enum { CLI_OK = 0, CLI_DATA = 1, CLI_USAGE = 2 };

enum { CMD_SUMMARIZE = 1u, CMD_INCIDENTS = 2u, CMD_PARSE = 4u };

/* ---- help texts ---------------------------------------------------------- */

static const char MAIN_HELP[] =
    "usage: toll <command> [options]\n"
    "\n"
    "Reconcile conflicting casualty reports into defensible numbers.\n"
    "\n"
    "Commands:\n"
    "  summarize [FILE...]   totals by actor, region, period, category or grade\n"
    "  incidents [FILE...]   reconciled incidents with ranges, flags, grades and\n"
    "                        the reports that set each bound\n"
    "  parse TEXT...         show how quantity texts (\"about 350\") are read\n"
    "  mse FILE              estimate how many no list recorded (multiple\n"
    "                        systems estimation, capture-recapture)\n"
    "  help [COMMAND]        show help for toll or for one command\n"
    "\n"
    "FILE is JSON (.json), JSON Lines (.jsonl, .ndjson) or CSV (.csv); '-' reads\n"
    "standard input.  Without FILE, summarize and incidents use the bundled\n"
    "example (seeds.jsonl; the environment variable TOLL_EXAMPLE overrides it).\n"
    "\n"
    "Options:\n"
    "  -h, --help      show this help (toll COMMAND --help: the command's options)\n"
    "  -V, --version   print the version\n"
    "\n"
    "Exit status: 0 success, 1 bad data or input/output error, 2 usage error.\n";

#define LOAD_HELP                                                              \
    "Reconcile options:\n"                                                     \
    "  --policy P             envelope (default): low = min of lows, high =\n" \
    "                         max of highs (\"at least N\" counts N), best =\n" \
    "                         median; conservative: the lowest figure\n"     \
    "  --self-reports S       exclude (default): a party's figure about its\n" \
    "                         own strike is kept aside; include: counted\n"     \
    "  --link MODE            none (default): a report without an incident\n" \
    "                         key is an incident of its own; auto: link such\n" \
    "                         reports when their dates are within --link-days,\n" \
    "                         their regions agree at --link-level and they\n" \
    "                         name a common actor (docs/linking.md)\n"        \
    "  --link-days N          date window, +/- N days (default 1)\n"          \
    "  --link-level K         regions agree on their first K+1 levels (0: the\n" \
    "                         country; default 1, e.g. Syria/Idlib; -1 or\n"  \
    "                         full: the whole path)\n"                        \
    "  --link-actors A        overlap (default): actor sets must overlap;\n"  \
    "                         ignore: actors are not compared\n"              \
    "  --link-max-span N      a report spanning more than N days (default 7)\n" \
    "                         links only to reports with the same span; 0: no\n" \
    "                         limit\n"                                         \
    "\n"                                                                       \
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
    "  --threads N            threads for loading CSV / JSON Lines (two from\n" \
    "                         4 MiB), reconciling (two from 65,536\n"          \
    "                         incidents) and simulating intervals (rows of\n"  \
    "                         more than 65,536 ranges): 0 auto (default), 1,\n" \
    "                         or 2; same result\n"

static const char SUMMARIZE_HELP[] =
    "usage: toll summarize [FILE...] [options]\n"
    "\n"
    "Reconcile the reports of each incident and total the incidents by group:\n"
    "incidents, reports, sums of low, best and high, and counts of incidents\n"
    "with an open-ended figure, a denial, or contested blame.\n"
    "\n"
    "Grouping:\n"
    "  --by KEYS              comma-separated keys: actor, region, region:K,\n"
    "                         period:day|week|month|quarter|year, category,\n"
    "                         grade, or a kept field (type_of_violence);\n"
    "                         '' for one row (default: actor,period:month)\n"
    "  --category NAME        category to total: killed (default), injured,\n"
    "                         children_killed, ... (all with --by category)\n"
    "  --attribution A        joint (default): one row per set of actors;\n"
    "                         split: each of n actors gets 1/n;\n"
    "                         each: each actor gets the full count (rows then\n"
    "                         do not add up)\n"
    "  --span S               start (default): a multi-day incident counts in\n"
    "                         the period it starts; prorate: split by days\n"
    "\n"
    "Filters:\n"
    "  --min-grade G          self-only, single, corroborated or confirmed\n"
    "  --from DATE            incidents starting on or after DATE\n"
    "                         (YYYY-MM-DD, YYYY-MM or YYYY)\n"
    "  --to DATE              incidents starting on or before DATE (a month\n"
    "                         or year includes all of it)\n"
    "  --region PREFIX        e.g. Syria/Idlib\n"
    "  --actor NAME           incidents naming NAME (repeat for several)\n"
    "  --where FIELD=VALUE    incidents whose kept field FIELD (a column the\n"
    "                         reports keep, e.g. type_of_violence) is VALUE;\n"
    "                         repeat: same field OR, different fields AND\n"
    "  --min-data-grade G     grade from the data (kept field data_grade):\n"
    "                         confirmed, fair, weak, contested or discounted\n"
    "\n" LOAD_HELP
    "\n" TOLL_CLI_INTERVAL_HELP
    "\n"
    "Output:\n"
    "  --format F             text (default), csv, json or md\n"
    "  --totals               add a totals row to csv and json (text and md\n"
    "                         always have one)\n";

static const char INCIDENTS_HELP[] =
    "usage: toll incidents [FILE...] [options]\n"
    "\n"
    "Reconcile the reports of each incident and list the incidents: one row\n"
    "per incident and category, with dates, region, actors, grade, the range\n"
    "low/best/high, flags (open, denied, contested, place and date conflicts),\n"
    "the report that set each bound, and the party's own figure.\n"
    "\n" LOAD_HELP
    "\n"
    "Output:\n"
    "  --format F             text (default), csv, json or md\n"
    "  --explain              instead of the incidents, list why reports were\n"
    "                         linked (with --link auto): one line per link in\n"
    "                         text, the links table in csv, json and md\n";

static const char PARSE_HELP[] =
    "usage: toll parse TEXT... [options]\n"
    "\n"
    "Show how each TEXT is read as a quantity: its low and high bounds (high\n"
    "may be open), best value and the rule that matched, e.g.\n"
    "  about 350 -> low 315, high 385, best 350 (rule: about)\n"
    "Texts that say the number is unknown print 'unknown'; unreadable texts\n"
    "are errors (exit status 1).\n"
    "\n"
    "Options:\n"
    "  --lexicon FILE.json    extra vague words\n"
    "  --lexicon-preset NAME  default, acled or empty (default: default)\n"
    "  --about-tolerance T    \"about N\" means N -/+ T*N (default 0.1)\n"
    "  --format F             text (default) or json (one object per line)\n";

/* ---- options ------------------------------------------------------------- */

enum opt_id {
    O_HELP, O_BY, O_CATEGORY, O_POLICY, O_SELF, O_ATTR, O_SPAN, O_MIN_GRADE,
    O_FROM, O_TO, O_REGION, O_ACTOR, O_FORMAT, O_TOTALS, O_MAP, O_MAP_FILE,
    O_LEXICON, O_PRESET, O_TOLERANCE, O_LENIENT, O_FORMAT_IN, O_ACTOR_SEP,
    O_REGION_SEP, O_DELIMITER,
    O_INTERVAL_OPT, /* --interval, --dist, ... (src/cli/mse.c) */
    O_LINK, O_LINK_DAYS, O_LINK_LEVEL, O_LINK_ACTORS, O_EXPLAIN,
    O_LINK_MAX_SPAN,
    O_IMPORT_PRESET, O_REPAIR, O_NO_REPAIR, O_ENCODING, O_DATE_FORMAT,
    O_WHERE, O_MIN_DATA_GRADE, O_THREADS
};

#define CMD_LOAD (CMD_SUMMARIZE | CMD_INCIDENTS)
#define CMD_ALL (CMD_SUMMARIZE | CMD_INCIDENTS | CMD_PARSE)

typedef struct optdef {
    const char *name; /* without the leading "--" */
    enum opt_id id;
    int has_arg;
    unsigned cmds;    /* commands that accept it */
} optdef;

static const optdef OPTIONS[] = {
    {"help", O_HELP, 0, CMD_ALL},
    {"by", O_BY, 1, CMD_SUMMARIZE},
    {"category", O_CATEGORY, 1, CMD_SUMMARIZE},
    {"attribution", O_ATTR, 1, CMD_SUMMARIZE},
    {"span", O_SPAN, 1, CMD_SUMMARIZE},
    {"min-grade", O_MIN_GRADE, 1, CMD_SUMMARIZE},
    {"from", O_FROM, 1, CMD_SUMMARIZE},
    {"to", O_TO, 1, CMD_SUMMARIZE},
    {"region", O_REGION, 1, CMD_SUMMARIZE},
    {"actor", O_ACTOR, 1, CMD_SUMMARIZE},
    {"totals", O_TOTALS, 0, CMD_SUMMARIZE},
    {"interval", O_INTERVAL_OPT, 1, CMD_SUMMARIZE},
    {"dist", O_INTERVAL_OPT, 1, CMD_SUMMARIZE},
    {"quantiles", O_INTERVAL_OPT, 1, CMD_SUMMARIZE},
    {"open-cap", O_INTERVAL_OPT, 1, CMD_SUMMARIZE},
    {"engine", O_INTERVAL_OPT, 1, CMD_SUMMARIZE},
    {"draws", O_INTERVAL_OPT, 1, CMD_SUMMARIZE},
    {"seed", O_INTERVAL_OPT, 1, CMD_SUMMARIZE},
    {"policy", O_POLICY, 1, CMD_LOAD},
    {"self-reports", O_SELF, 1, CMD_LOAD},
    {"map", O_MAP, 1, CMD_LOAD},
    {"map-file", O_MAP_FILE, 1, CMD_LOAD},
    {"lenient", O_LENIENT, 0, CMD_LOAD},
    {"format-in", O_FORMAT_IN, 1, CMD_LOAD},
    {"actor-sep", O_ACTOR_SEP, 1, CMD_LOAD},
    {"region-sep", O_REGION_SEP, 1, CMD_LOAD},
    {"delimiter", O_DELIMITER, 1, CMD_LOAD},
    {"link", O_LINK, 1, CMD_LOAD},
    {"link-days", O_LINK_DAYS, 1, CMD_LOAD},
    {"link-level", O_LINK_LEVEL, 1, CMD_LOAD},
    {"link-actors", O_LINK_ACTORS, 1, CMD_LOAD},
    {"link-max-span", O_LINK_MAX_SPAN, 1, CMD_LOAD},
    {"explain", O_EXPLAIN, 0, CMD_INCIDENTS},
    {"preset", O_IMPORT_PRESET, 1, CMD_LOAD},
    {"repair", O_REPAIR, 0, CMD_LOAD},
    {"no-repair", O_NO_REPAIR, 0, CMD_LOAD},
    {"encoding", O_ENCODING, 1, CMD_LOAD},
    {"date-format", O_DATE_FORMAT, 1, CMD_LOAD},
    {"threads", O_THREADS, 1, CMD_LOAD},
    {"where", O_WHERE, 1, CMD_SUMMARIZE},
    {"min-data-grade", O_MIN_DATA_GRADE, 1, CMD_SUMMARIZE},
    {"lexicon", O_LEXICON, 1, CMD_ALL},
    {"lexicon-preset", O_PRESET, 1, CMD_ALL},
    {"about-tolerance", O_TOLERANCE, 1, CMD_ALL},
    {"format", O_FORMAT, 1, CMD_ALL},
};

/* Everything the command line asked for.  Strings point into argv. */
typedef struct cli {
    unsigned cmd;
    const char *cmd_name;
    const char **args;   /* positional: files or texts */
    size_t nargs;
    const char **maps;   /* --map specs, in order */
    size_t nmaps;
    const char **actors; /* --actor names */
    size_t nactors;
    const char *map_file;
    const char *lexicon_file;
    const char *lexicon_preset;
    double about_tolerance;
    int have_tolerance;
    toll_format format_in;
    int lenient;
    char delimiter, actor_sep, region_sep; /* 0: library default */
    toll_reconcile_options rec;
    toll_summarize_options sum;
    toll_render_format format;
    int json_out;        /* parse: --format json */
    int totals;
    int help;
    int explain;         /* incidents: --explain */
    const char *import_preset; /* --preset (docs/importers.md) */
    int repair;          /* toll_repair_mode */
    const char *encoding, *date_format;
    size_t threads;      /* --threads (0: auto) */
    const char **wheres; /* --where items */
    size_t nwheres;
    int link_tuned;      /* --link-days/--link-level/--link-actors given */
} cli;

static void cli_free(cli *c)
{
    free(c->args);
    free(c->maps);
    free(c->actors);
    free(c->wheres);
}

static const char *cmd_help(unsigned cmd)
{
    switch (cmd) {
    case CMD_SUMMARIZE: return SUMMARIZE_HELP;
    case CMD_INCIDENTS: return INCIDENTS_HELP;
    case CMD_PARSE: return PARSE_HELP;
    default: return MAIN_HELP;
    }
}

static unsigned cmd_lookup(const char *name)
{
    if (strcmp(name, "summarize") == 0) return CMD_SUMMARIZE;
    if (strcmp(name, "incidents") == 0) return CMD_INCIDENTS;
    if (strcmp(name, "parse") == 0) return CMD_PARSE;
    return 0;
}

static int usage_error(const cli *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Print "toll: <message> (see 'toll CMD --help')"; return CLI_USAGE. */
static int usage_error(const cli *c, const char *fmt, ...)
{
    va_list ap;
    fputs("toll: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (see 'toll %s --help')\n", c->cmd_name);
    return CLI_USAGE;
}

/* Print a library error: its message as is, or a fallback naming the
 * option when the library gave none. */
static int value_error(const cli *c, const toll_error *err, const char *opt,
                       const char *val)
{
    if (err && err->message[0]) {
        fprintf(stderr, "%s\n", err->message);
        return CLI_USAGE;
    }
    return usage_error(c, "invalid value for --%s: '%s'", opt, val);
}

/* A one-character separator: "x", or "tab" / "\t" for a tab. */
static int parse_char(const char *s, char *out)
{
    if (strcmp(s, "tab") == 0 || strcmp(s, "\\t") == 0) {
        *out = '\t';
        return 1;
    }
    if (s[0] != '\0' && s[1] == '\0') {
        *out = s[0];
        return 1;
    }
    return 0;
}

static int parse_format_in(const char *s, toll_format *out)
{
    if (strcmp(s, "json") == 0) *out = TOLL_FORMAT_JSON;
    else if (strcmp(s, "jsonl") == 0 || strcmp(s, "ndjson") == 0)
        *out = TOLL_FORMAT_JSONL;
    else if (strcmp(s, "csv") == 0) *out = TOLL_FORMAT_CSV;
    else if (strcmp(s, "auto") == 0) *out = TOLL_FORMAT_AUTO;
    else return 0;
    return 1;
}

/* Apply one option.  Returns CLI_OK or an exit status. */
static int apply_option(cli *c, const optdef *o, const char *val)
{
    toll_error err;
    toll_error_clear(&err);
    switch (o->id) {
    case O_HELP: c->help = 1; break;
    case O_BY: c->sum.by = val; break;
    case O_CATEGORY: c->sum.category = val; break;
    case O_FROM: c->sum.date_from = val; break;
    case O_TO: c->sum.date_to = val; break;
    case O_REGION: c->sum.region_prefix = val; break;
    case O_ACTOR: c->actors[c->nactors++] = val; break;
    case O_TOTALS: c->totals = 1; break;
    case O_INTERVAL_OPT:
        if (toll_cli_interval_option(o->name, val, &c->sum.interval) != 0)
            return CLI_USAGE;
        break;
    case O_MAP: c->maps[c->nmaps++] = val; break;
    case O_MAP_FILE: c->map_file = val; break;
    case O_LEXICON: c->lexicon_file = val; break;
    case O_PRESET: c->lexicon_preset = val; break;
    case O_LENIENT: c->lenient = 1; break;
    case O_POLICY:
        if (toll_policy_parse(val, &c->rec.policy, &err) != TOLL_OK)
            return value_error(c, &err, o->name, val);
        break;
    case O_SELF:
        if (toll_self_reports_parse(val, &c->rec.self_reports, &err) != TOLL_OK)
            return value_error(c, &err, o->name, val);
        break;
    case O_ATTR:
        if (toll_attribution_parse(val, &c->sum.attribution, &err) != TOLL_OK)
            return value_error(c, &err, o->name, val);
        break;
    case O_SPAN:
        if (toll_span_parse(val, &c->sum.span, &err) != TOLL_OK)
            return value_error(c, &err, o->name, val);
        break;
    case O_MIN_GRADE:
        if (toll_grade_parse(val, &c->sum.min_grade, &err) != TOLL_OK)
            return value_error(c, &err, o->name, val);
        break;
    case O_FORMAT:
        if (c->cmd == CMD_PARSE) {
            if (strcmp(val, "json") == 0) c->json_out = 1;
            else if (strcmp(val, "text") == 0) c->json_out = 0;
            else
                return usage_error(c, "invalid value for --%s: '%s' "
                                   "(text or json)", o->name, val);
        } else if (toll_render_format_parse(val, &c->format) != TOLL_OK) {
            return usage_error(c, "invalid value for --%s: '%s' "
                               "(csv, json, md or text)", o->name, val);
        }
        break;
    case O_FORMAT_IN:
        if (!parse_format_in(val, &c->format_in))
            return usage_error(c, "invalid value for --%s: '%s' "
                               "(json, jsonl or csv)", o->name, val);
        break;
    case O_TOLERANCE: {
        char *end = NULL;
        errno = 0;
        double t = strtod(val, &end);
        if (errno != 0 || end == val || *end != '\0' || !(t >= 0.0 && t < 1.0))
            return usage_error(c, "invalid value for --%s: '%s' "
                               "(a number from 0 to below 1)", o->name, val);
        c->about_tolerance = t;
        c->have_tolerance = 1;
        break;
    }
    case O_ACTOR_SEP:
        if (!parse_char(val, &c->actor_sep))
            return usage_error(c, "--%s takes one character, not '%s'",
                               o->name, val);
        break;
    case O_REGION_SEP:
        if (!parse_char(val, &c->region_sep))
            return usage_error(c, "--%s takes one character, not '%s'",
                               o->name, val);
        break;
    case O_DELIMITER:
        if (!parse_char(val, &c->delimiter))
            return usage_error(c, "--%s takes one character, not '%s'",
                               o->name, val);
        break;
    case O_LINK:
        if (toll_link_mode_parse(val, &c->rec.link, &err) != TOLL_OK)
            return usage_error(c, "invalid value for --%s: '%s' (none or "
                               "auto)", o->name, val);
        break;
    case O_LINK_DAYS:
    case O_LINK_MAX_SPAN:
    case O_LINK_LEVEL: {
        char *end = NULL;
        errno = 0;
        long v = strtol(val, &end, 10);
        int full = o->id == O_LINK_LEVEL && strcmp(val, "full") == 0;
        if (!full && (errno != 0 || end == val || *end != '\0' ||
                      v < (o->id == O_LINK_LEVEL ? -1 : 0) ||
                      v > TOLL_LINK_MAX_DAYS))
            return usage_error(c, "invalid value for --%s: '%s' (%s)",
                               o->name, val,
                               o->id == O_LINK_LEVEL
                                   ? "a level >= 0, or -1 or full for the "
                                     "whole path"
                                   : "a whole number of days >= 0");
        if (o->id == O_LINK_DAYS)
            c->rec.link_days = (int)v;
        else if (o->id == O_LINK_MAX_SPAN)
            c->rec.link_max_span = (int)v;
        else
            c->rec.link_region_level = full ? TOLL_LINK_FULL_PATH : (int)v;
        c->link_tuned = 1;
        break;
    }
    case O_LINK_ACTORS:
        if (strcmp(val, "overlap") == 0)
            c->rec.link_require_actor = 1;
        else if (strcmp(val, "ignore") == 0)
            c->rec.link_require_actor = 0;
        else
            return usage_error(c, "invalid value for --%s: '%s' (overlap or "
                               "ignore)", o->name, val);
        c->link_tuned = 1;
        break;
    case O_EXPLAIN: c->explain = 1; break;
    case O_IMPORT_PRESET:
        if (toll_preset_find(val, NULL, &err) != TOLL_OK) {
            fprintf(stderr, "toll: %s; the presets:\n", err.message);
            toll_cli_print_presets(stderr);
            return CLI_USAGE;
        }
        c->import_preset = val;
        break;
    case O_REPAIR: c->repair = TOLL_REPAIR_ON; break;
    case O_NO_REPAIR: c->repair = TOLL_REPAIR_OFF; break;
    case O_ENCODING: c->encoding = val; break;
    case O_DATE_FORMAT: c->date_format = val; break;
    case O_THREADS: {
        char *end = NULL;
        errno = 0;
        long v = strtol(val, &end, 10);
        if (errno != 0 || end == val || *end != '\0' || v < 0 || v > 64)
            return usage_error(c, "invalid value for --%s: '%s' (0 for "
                               "auto, 1, 2, ...)", o->name, val);
        c->threads = (size_t)v;
        c->rec.threads = (size_t)v;
        c->sum.interval.threads = (size_t)v;
        break;
    }
    case O_WHERE: c->wheres[c->nwheres++] = val; break;
    case O_MIN_DATA_GRADE: c->sum.min_data_grade = val; break;
    }
    return CLI_OK;
}

/* Parse argv[0..argc) (the arguments after the command name). */
static int parse_args(cli *c, int argc, char **argv)
{
    size_t n = (size_t)argc + 1;
    c->args = calloc(n, sizeof *c->args);
    c->maps = calloc(n, sizeof *c->maps);
    c->actors = calloc(n, sizeof *c->actors);
    c->wheres = calloc(n, sizeof *c->wheres);
    if (!c->args || !c->maps || !c->actors || !c->wheres) {
        fputs("toll: out of memory\n", stderr);
        return CLI_DATA;
    }
    int only_args = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (only_args || a[0] != '-' || a[1] == '\0') { /* "-" is stdin */
            c->args[c->nargs++] = a;
            continue;
        }
        if (strcmp(a, "--") == 0) {
            only_args = 1;
            continue;
        }
        if (strcmp(a, "-h") == 0) {
            c->help = 1;
            continue;
        }
        if (a[1] != '-')
            return usage_error(c, "unknown option '%s'", a);
        const char *name = a + 2;
        const char *eq = strchr(name, '=');
        size_t len = eq ? (size_t)(eq - name) : strlen(name);
        const optdef *o = NULL;
        for (size_t k = 0; k < sizeof OPTIONS / sizeof OPTIONS[0]; k++) {
            if (strlen(OPTIONS[k].name) == len &&
                strncmp(OPTIONS[k].name, name, len) == 0) {
                o = &OPTIONS[k];
                break;
            }
        }
        if (!o)
            return usage_error(c, "unknown option '%s'", a);
        if (!(o->cmds & c->cmd))
            return usage_error(c, "option '--%s' does not apply to '%s'",
                               o->name, c->cmd_name);
        const char *val = NULL;
        if (o->has_arg) {
            if (eq) {
                val = eq + 1;
            } else if (i + 1 < argc) {
                val = argv[++i];
            } else {
                return usage_error(c, "option '--%s' needs a value",
                                   o->name);
            }
        } else if (eq) {
            return usage_error(c, "option '--%s' takes no value", o->name);
        }
        int rc = apply_option(c, o, val);
        if (rc != CLI_OK)
            return rc;
    }
    return CLI_OK;
}

/* ---- output helpers ------------------------------------------------------ */

static int write_file(void *ctx, const char *data, size_t len)
{
    return fwrite(data, 1, len, (FILE *)ctx) != len;
}

/* A double as an integer when integral, else with up to 2 decimals. */
static void fmt_num(double v, char *buf, size_t size)
{
    if (v == floor(v) && fabs(v) < 1e15) {
        snprintf(buf, size, "%.0f", v);
        return;
    }
    snprintf(buf, size, "%.2f", v);
    size_t n = strlen(buf);
    while (n > 0 && buf[n - 1] == '0')
        buf[--n] = '\0';
    if (n > 0 && buf[n - 1] == '.')
        buf[--n] = '\0';
}

static void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': fputs("\\\"", f); break;
        case '\\': fputs("\\\\", f); break;
        case '\n': fputs("\\n", f); break;
        case '\r': fputs("\\r", f); break;
        case '\t': fputs("\\t", f); break;
        default:
            if (*p < 0x20) fprintf(f, "\\u%04x", *p);
            else fputc(*p, f);
        }
    }
    fputc('"', f);
}

static int finish_output(void)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fputs("toll: error writing the output\n", stderr);
        return CLI_DATA;
    }
    return CLI_OK;
}

/* ---- lexicon --------------------------------------------------------------- */

/* Build the lexicon the options ask for into *lex (NULL when the built-in
 * default will do) and fill *popts. */
static int make_parse_options(const cli *c, toll_lexicon **lex,
                              toll_parse_options *popts)
{
    toll_error err;
    toll_error_clear(&err);
    toll_parse_options_init(popts);
    if (c->have_tolerance)
        popts->about_tolerance = c->about_tolerance;
    *lex = NULL;
    if (!c->lexicon_preset && !c->lexicon_file)
        return CLI_OK;
    const char *preset = c->lexicon_preset ? c->lexicon_preset : "default";
    toll_status st = toll_lexicon_new_preset(preset, NULL, lex, &err);
    if (st == TOLL_ENOTFOUND || st == TOLL_EINVAL) {
        fprintf(stderr, "toll: unknown lexicon preset '%s' (default, acled "
                "or empty)\n", preset);
        return CLI_USAGE;
    }
    if (st != TOLL_OK) {
        fprintf(stderr, "%s\n", err.message);
        return CLI_DATA;
    }
    if (c->lexicon_file &&
        toll_lexicon_load_file(*lex, c->lexicon_file, &err) != TOLL_OK) {
        fprintf(stderr, "%s\n", err.message);
        toll_lexicon_free(*lex);
        *lex = NULL;
        return CLI_DATA;
    }
    popts->lexicon = *lex;
    return CLI_OK;
}

/* ---- toll parse ------------------------------------------------------------ */

static void print_quantity(const cli *c, const char *text,
                           const toll_quantity *q)
{
    char low[32], high[32], best[48];
    if (c->json_out) {
        fputs("{\"text\": ", stdout);
        json_string(stdout, text);
        if (!q->known) {
            fputs(", \"known\": false, \"low\": null, \"high\": null, "
                  "\"best\": null, \"has_best\": false, \"rule\": ", stdout);
        } else {
            fmt_num(q->best, best, sizeof best);
            if (q->high == TOLL_OPEN) snprintf(high, sizeof high, "null");
            else snprintf(high, sizeof high, "%lld", (long long)q->high);
            printf(", \"known\": true, \"low\": %lld, \"high\": %s, "
                   "\"best\": %s, \"has_best\": %s, \"rule\": ",
                   (long long)q->low, high, best,
                   q->has_best ? "true" : "false");
        }
        json_string(stdout, q->rule);
        fputs("}\n", stdout);
        return;
    }
    if (!q->known) {
        printf("%s -> unknown\n", text);
        return;
    }
    snprintf(low, sizeof low, "%lld", (long long)q->low);
    if (q->high == TOLL_OPEN) snprintf(high, sizeof high, "open");
    else snprintf(high, sizeof high, "%lld", (long long)q->high);
    fmt_num(q->best, best, sizeof best);
    printf("%s -> low %s, high %s, best %s (rule: %s)\n", text, low, high,
           best, q->rule);
}

static int cmd_parse(const cli *c)
{
    if (c->nargs == 0)
        return usage_error(c, "'%s' needs at least one TEXT", c->cmd_name);
    toll_lexicon *lex = NULL;
    toll_parse_options popts;
    int rc = make_parse_options(c, &lex, &popts);
    if (rc != CLI_OK)
        return rc;
    for (size_t i = 0; i < c->nargs; i++) {
        toll_quantity q;
        toll_error err;
        toll_error_clear(&err);
        const char *t = c->args[i];
        if (toll_quantity_parse(t, strlen(t), &popts, &q, &err) != TOLL_OK) {
            fflush(stdout); /* keep stdout and stderr in order */
            fprintf(stderr, "%s\n", err.message);
            rc = CLI_DATA;
            continue;
        }
        print_quantity(c, t, &q);
    }
    toll_lexicon_free(lex);
    int out = finish_output();
    return rc != CLI_OK ? rc : out;
}

/* ---- loading ----------------------------------------------------------------- */

static int file_exists(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return 0;
    fclose(f);
    return 1;
}

/* argv[0], for finding the example next to an installed binary. */
static const char *g_argv0 = "";

/* The bundled example: $TOLL_EXAMPLE, else the source tree's data/, else the
 * installed share/toll/, else ../share/toll/ next to this binary (when the
 * install was moved).  Writes the path into buf; 0 if none exists. */
static int find_example(char *buf, size_t size)
{
    const char *env = getenv("TOLL_EXAMPLE");
    if (env && env[0]) {
        snprintf(buf, size, "%s", env);
        return 1; /* a missing file is reported by the load itself */
    }
    const char *dirs[] = {TOLL_SOURCE_EXAMPLE_DIR, TOLL_EXAMPLE_DIR};
    for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
        if (!dirs[i][0])
            continue;
        snprintf(buf, size, "%s/%s", dirs[i], EXAMPLE_FILE);
        if (file_exists(buf))
            return 1;
    }
    const char *slash = strrchr(g_argv0, '/');
    if (slash) {
        int dirlen = (int)(slash - g_argv0);
        snprintf(buf, size, "%.*s/../share/toll/%s", dirlen, g_argv0,
                 EXAMPLE_FILE);
        if (file_exists(buf))
            return 1;
    }
    return 0;
}

/* Read all of `f` into a new buffer (free it); NULL on a read error or
 * when memory runs out. */
static char *read_all(FILE *f, size_t *len)
{
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap);
    if (!buf)
        return NULL;
    for (;;) {
        if (n == cap) {
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                return NULL;
            }
            buf = nb;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}

/* The last component of a path. */
static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* Load `path` into `reports`.  "-" reads standard input (named "<stdin>"
 * in messages).  With `short_name`, the file is read here and loaded as a
 * buffer named by its base name, so that messages and provenance say
 * "seeds.jsonl:3" whatever the directory it was found in. */
static toll_status load_one(toll_reports *reports, const char *path,
                            int short_name, const toll_load_options *lopts,
                            toll_error *err)
{
    if (strcmp(path, "-") != 0 && !short_name)
        return toll_reports_load_file(reports, path, lopts, NULL, err);

    FILE *f = stdin;
    const char *name = "<stdin>";
    if (strcmp(path, "-") != 0) {
        name = base_name(path);
        f = fopen(path, "rb");
        if (!f) {
            snprintf(err->message, sizeof err->message, "%s: cannot open: %s",
                     path, strerror(errno));
            err->code = TOLL_EIO;
            return TOLL_EIO;
        }
    }
    size_t len = 0;
    char *data = read_all(f, &len);
    if (f != stdin)
        fclose(f);
    if (!data) {
        snprintf(err->message, sizeof err->message, "%s: cannot read it",
                 f == stdin ? name : path);
        err->code = TOLL_EIO;
        return TOLL_EIO;
    }
    toll_load_options o = *lopts;
    if (o.format == TOLL_FORMAT_AUTO && strcmp(path, "-") != 0) {
        /* the file name tells the format, as toll_reports_load_file does */
        const char *dot = strrchr(name, '.');
        if (dot && strcmp(dot, ".csv") == 0) o.format = TOLL_FORMAT_CSV;
        else if (dot && strcmp(dot, ".json") == 0) o.format = TOLL_FORMAT_JSON;
        else if (dot && (strcmp(dot, ".jsonl") == 0 ||
                         strcmp(dot, ".ndjson") == 0))
            o.format = TOLL_FORMAT_JSONL;
    }
    toll_status st = toll_reports_load_buffer(reports, data, len, name, &o,
                                              NULL, err);
    free(data);
    return st;
}

/* Exit status for a failed library call. */
static int status_exit(toll_status st)
{
    return st == TOLL_EINVAL ? CLI_USAGE : CLI_DATA;
}

/* Print the rejects of the last (lenient) load; add them to *total. */
static void print_rejects(const toll_reports *reports, size_t *total)
{
    size_t n = toll_reports_reject_count(reports);
    for (size_t i = 0; i < n; i++) {
        const toll_error *e = toll_reports_reject(reports, i);
        if (e)
            fprintf(stderr, "warning: %s\n", e->message);
    }
    *total += n;
}

/* Load every FILE (or the example) into a new store *out. */
static int load_reports(const cli *c, const toll_parse_options *popts,
                        toll_reports **out)
{
    toll_error err;
    toll_error_clear(&err);
    toll_colmap *map = NULL;
    toll_reports *reports = NULL;
    char example[4096];
    const char *example_arg[1];
    const char *const *files = c->args;
    size_t nfiles = c->nargs, rejected = 0;
    int rc = CLI_OK;
    toll_status st;

    if (nfiles == 0) {
        if (!find_example(example, sizeof example)) {
            fprintf(stderr, "toll: cannot find the bundled example (%s) in "
                    "%s or %s; give a FILE or set TOLL_EXAMPLE\n",
                    EXAMPLE_FILE, TOLL_SOURCE_EXAMPLE_DIR, TOLL_EXAMPLE_DIR);
            return CLI_DATA;
        }
        example_arg[0] = example;
        files = example_arg;
        nfiles = 1;
    }

    toll_load_options lopts;
    toll_load_options_init(&lopts);
    lopts.format = c->format_in;
    lopts.lenient = c->lenient;
    lopts.parse = *popts;
    if (c->delimiter) lopts.csv_delimiter = c->delimiter;
    if (c->actor_sep) lopts.actor_separator = c->actor_sep;
    if (c->region_sep) lopts.region_separator = c->region_sep;
    lopts.preset = c->import_preset; /* docs/importers.md */
    lopts.repair = c->repair;
    lopts.encoding = c->encoding;
    lopts.date_format = c->date_format;
    lopts.threads = c->threads;

    if (c->map_file || c->nmaps > 0) {
        int bad_spec = 0; /* a bad --map SPEC is a usage error */
        st = toll_colmap_new(NULL, &map, &err);
        if (st == TOLL_OK && c->map_file)
            st = toll_colmap_load_file(map, c->map_file, &err);
        for (size_t i = 0; st == TOLL_OK && i < c->nmaps; i++) {
            st = toll_colmap_parse(map, c->maps[i], &err);
            bad_spec = st == TOLL_EINVAL;
        }
        if (st != TOLL_OK) {
            fprintf(stderr, "%s\n", err.message);
            rc = bad_spec ? CLI_USAGE : CLI_DATA;
            goto cleanup;
        }
        lopts.colmap = map;
    }

    st = toll_reports_new(NULL, &reports, &err);
    if (st != TOLL_OK) {
        fprintf(stderr, "%s\n", err.message);
        rc = CLI_DATA;
        goto cleanup;
    }
    for (size_t i = 0; i < nfiles; i++) {
        st = load_one(reports, files[i], c->nargs == 0, &lopts, &err);
        if (st != TOLL_OK) {
            fprintf(stderr, "%s\n", err.message);
            rc = CLI_DATA;
            goto cleanup;
        }
        if (c->lenient)
            print_rejects(reports, &rejected);
    }
    if (rejected > 0)
        fprintf(stderr, "toll: %zu record(s) rejected\n", rejected);
    toll_cli_print_repairs(reports, stderr);
    *out = reports;
    reports = NULL;

cleanup:
    toll_reports_free(reports);
    toll_colmap_free(map);
    return rc;
}

/* ---- toll summarize / toll incidents --------------------------------------- */

static int cmd_table(cli *c)
{
    toll_error err;
    toll_error_clear(&err);
    toll_lexicon *lex = NULL;
    toll_reports *reports = NULL;
    toll_incidents *incidents = NULL;
    toll_table *table = NULL;
    toll_parse_options popts;
    toll_status st;

    int rc = make_parse_options(c, &lex, &popts);
    if (rc != CLI_OK)
        goto cleanup;
    rc = load_reports(c, &popts, &reports);
    if (rc != CLI_OK)
        goto cleanup;

    st = toll_reconcile(reports, &c->rec, NULL, &incidents, &err);
    if (st != TOLL_OK) {
        fprintf(stderr, "%s\n", err.message);
        rc = status_exit(st);
        goto cleanup;
    }

    if (c->cmd == CMD_SUMMARIZE) {
        c->sum.actors = c->actors;
        c->sum.n_actors = c->nactors;
        c->sum.where = c->wheres;
        c->sum.n_where = c->nwheres;
        st = toll_summarize(incidents, &c->sum, NULL, &table, &err);
    } else if (c->explain) {
        if (c->rec.link != TOLL_LINK_AUTO)
            fputs("toll: note: without --link auto no reports are linked\n",
                  stderr);
        st = toll_incidents_links_table(incidents, NULL, &table, &err);
    } else {
        st = toll_incidents_table(incidents, NULL, &table, &err);
    }
    if (st != TOLL_OK) {
        fprintf(stderr, "%s\n", err.message);
        rc = status_exit(st);
        goto cleanup;
    }
    if (c->cmd == CMD_SUMMARIZE && !toll_table_additive(table))
        fputs("toll: note: with --attribution each, every incident counts "
              "once for each of its actors, so the rows do not add up\n",
              stderr);

    if (c->explain && c->format == TOLL_RENDER_TEXT) /* src/cli/explain.c */
        st = toll_cli_print_links(table, stdout) ? TOLL_EIO : TOLL_OK;
    else
        st = toll_table_render(table, c->format, c->totals, write_file,
                               stdout, &err);
    if (st != TOLL_OK) {
        fflush(stdout);
        fprintf(stderr, "%s\n", err.message[0] ? err.message
                                              : "toll: error writing the output");
        rc = CLI_DATA;
        goto cleanup;
    }
    rc = finish_output();

cleanup:
    toll_table_free(table);
    toll_incidents_free(incidents);
    toll_reports_free(reports);
    toll_lexicon_free(lex);
    return rc;
}

/* ---- main ------------------------------------------------------------------- */

static int run_command(unsigned cmd, const char *name, int argc, char **argv)
{
    cli c;
    memset(&c, 0, sizeof c);
    c.cmd = cmd;
    c.cmd_name = name;
    c.format_in = TOLL_FORMAT_AUTO;
    c.format = TOLL_RENDER_TEXT;
    toll_reconcile_options_init(&c.rec);
    toll_summarize_options_init(&c.sum);
    c.sum.by = "actor,period:month";

    int rc = parse_args(&c, argc, argv);
    if (rc == CLI_OK && !c.help && c.link_tuned &&
        c.rec.link != TOLL_LINK_AUTO)
        rc = usage_error(&c, "--link-days, --link-level, --link-actors and "
                         "--link-max-span need --link auto");
    if (rc == CLI_OK && c.help) {
        fputs(cmd_help(cmd), stdout);
        rc = finish_output();
    } else if (rc == CLI_OK) {
        rc = cmd == CMD_PARSE ? cmd_parse(&c) : cmd_table(&c);
    }
    cli_free(&c);
    return rc;
}

int main(int argc, char **argv)
{
    /* GSL's default handler aborts; toll reports errors as statuses. */
    gsl_set_error_handler_off();
    /* JSON loads parse into a per-load arena (toll/reports.h): the program,
     * not the library, installs cJSON's process-wide hooks. */
    cJSON_Hooks hooks = {toll_json_hook_malloc, toll_json_hook_free};
    cJSON_InitHooks(&hooks);
    if (argc > 0 && argv[0])
        g_argv0 = argv[0];

    if (argc < 2) {
        fputs(MAIN_HELP, stderr);
        return CLI_USAGE;
    }
    const char *a = argv[1];
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
        fputs(MAIN_HELP, stdout);
        return finish_output();
    }
    if (strcmp(a, "--version") == 0 || strcmp(a, "-V") == 0) {
        printf("toll %s\n", toll_version());
        return finish_output();
    }
    if (strcmp(a, "help") == 0) {
        if (argc > 3) {
            fputs("toll: 'help' takes at most one COMMAND (see 'toll --help')\n",
                  stderr);
            return CLI_USAGE;
        }
        if (argc == 3 && strcmp(argv[2], "mse") == 0) {
            fputs(TOLL_CLI_MSE_HELP, stdout);
            return finish_output();
        }
        unsigned cmd = 0;
        if (argc == 3 && (cmd = cmd_lookup(argv[2])) == 0 &&
            strcmp(argv[2], "help") != 0) {
            fprintf(stderr, "toll: unknown command '%s' (see 'toll --help')\n",
                    argv[2]);
            return CLI_USAGE;
        }
        fputs(cmd_help(cmd), stdout);
        return finish_output();
    }
    if (strcmp(a, "mse") == 0) /* src/cli/mse.c */
        return toll_cli_mse(argc - 2, argv + 2);
    unsigned cmd = cmd_lookup(a);
    if (cmd == 0) {
        if (a[0] == '-')
            fprintf(stderr, "toll: unknown option '%s' (see 'toll --help')\n",
                    a);
        else
            fprintf(stderr, "toll: unknown command '%s' (see 'toll --help')\n",
                    a);
        return CLI_USAGE;
    }
    return run_command(cmd, a, argc - 2, argv + 2);
}
