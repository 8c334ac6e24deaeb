/*
 * src/cli/main.c - the `toll` command-line tool: help, --version and the
 * commands (one file each, src/cli/commands.h).
 *
 *   toll summarize [FILE...] [options]   totals by actor, region, period ...
 *   toll incidents [FILE...] [options]   the reconciled incidents
 *   toll link [FILE...] [options]        link reports across sources
 *   toll parse TEXT... [options]         how quantity texts are read
 *   toll mse FILE [options]              multiple systems estimation
 *
 * The CLI is the only part of toll that prints.  It uses the public API
 * only (toll/toll.h); its options are parsed by src/cli/args.c.  Exit
 * status: 0 success, 1 bad data / input-output error, 2 usage error
 * (unknown option or command, bad option value).
 */
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <gsl/gsl_errno.h>

#include "toll/toll.h"

#include "commands.h"
#include "common.h"

static const char MAIN_HELP[] =
    "usage: toll <command> [options]\n"
    "\n"
    "Reconcile conflicting casualty reports into defensible numbers.\n"
    "\n"
    "Commands:\n"
    "  summarize [FILE...]   totals by actor, region, period, category or grade\n"
    "  incidents [FILE...]   reconciled incidents with ranges, flags, grades and\n"
    "                        the reports that set each bound\n"
    "  link [FILE...]        link the reports of one incident across sources\n"
    "                        (probabilistic record linkage)\n"
    "  parse TEXT...         show how quantity texts (\"about 350\") are read\n"
    "  mse FILE              estimate how many no list recorded (multiple\n"
    "                        systems estimation, capture-recapture)\n"
    "  help [COMMAND]        show help for toll or for one command\n"
    "\n"
    "FILE is JSON (.json), JSON Lines (.jsonl, .ndjson) or CSV (.csv); '-' reads\n"
    "standard input.  Without FILE, summarize, incidents and link use the\n"
    "bundled example (seeds.jsonl; the environment variable TOLL_EXAMPLE\n"
    "overrides it).\n"
    "\n"
    "Options:\n"
    "  -h, --help      show this help (toll COMMAND --help: the command's options)\n"
    "  -V, --version   print the version\n"
    "\n"
    "Exit status: 0 success, 1 bad data or input/output error, 2 usage error.\n";

typedef struct command {
    const char *name;
    int (*run)(const char *name, int argc, char **argv);
    const char *help;
} command;

static const command COMMANDS[] = {
    {"summarize", toll_cli_summarize, TOLL_CLI_SUMMARIZE_HELP},
    {"incidents", toll_cli_incidents, TOLL_CLI_INCIDENTS_HELP},
    {"link", toll_cli_link, TOLL_CLI_LINK_HELP},
    {"parse", toll_cli_parse, TOLL_CLI_PARSE_HELP},
    {"mse", toll_cli_mse, TOLL_CLI_MSE_HELP},
};

static const command *find_command(const char *name)
{
    for (size_t k = 0; k < sizeof COMMANDS / sizeof COMMANDS[0]; k++)
        if (strcmp(COMMANDS[k].name, name) == 0)
            return &COMMANDS[k];
    return NULL;
}

/* `toll help [COMMAND]`. */
static int help(int argc, char **argv)
{
    if (argc > 3) {
        fputs("toll: 'help' takes at most one COMMAND (see 'toll --help')\n",
              stderr);
        return CLI_USAGE;
    }
    const char *text = MAIN_HELP;
    if (argc == 3 && strcmp(argv[2], "help") != 0) {
        const command *cmd = find_command(argv[2]);
        if (!cmd) {
            fprintf(stderr, "toll: unknown command '%s' (see 'toll --help')\n",
                    argv[2]);
            return CLI_USAGE;
        }
        text = cmd->help;
    }
    fputs(text, stdout);
    return toll_cli_finish_output();
}

int toll_cli_main(int argc, char **argv)
{
    /* GSL's default handler aborts; toll reports errors as statuses. */
    gsl_set_error_handler_off();
    /* JSON loads parse into a per-load arena (toll/reports.h): the program,
     * not the library, installs cJSON's process-wide hooks. */
    cJSON_Hooks hooks = {toll_json_hook_malloc, toll_json_hook_free};
    cJSON_InitHooks(&hooks);
    if (argc > 0 && argv[0])
        toll_cli_set_argv0(argv[0]);

    if (argc < 2) {
        fputs(MAIN_HELP, stderr);
        return CLI_USAGE;
    }
    const char *a = argv[1];
    if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
        fputs(MAIN_HELP, stdout);
        return toll_cli_finish_output();
    }
    if (strcmp(a, "--version") == 0 || strcmp(a, "-V") == 0) {
        printf("toll %s\n", toll_version());
        return toll_cli_finish_output();
    }
    if (strcmp(a, "help") == 0)
        return help(argc, argv);
    const command *cmd = find_command(a);
    if (!cmd) {
        if (a[0] == '-')
            fprintf(stderr, "toll: unknown option '%s' (see 'toll --help')\n",
                    a);
        else
            fprintf(stderr, "toll: unknown command '%s' (see 'toll --help')\n",
                    a);
        return CLI_USAGE;
    }
    return cmd->run(a, argc - 2, argv + 2);
}
