/*
 * src/cli/commands.h - the commands of `toll` (src/cli/summarize.c,
 * incidents.c, parse.c, link.c; `toll mse` in src/cli/mse.h).
 *
 * Each takes the command's name as typed and the arguments after it, and
 * returns the exit status: 0 success, 1 bad data or input/output error,
 * 2 usage error.
 */
#ifndef TOLL_SRC_CLI_COMMANDS_H
#define TOLL_SRC_CLI_COMMANDS_H

#include "mse.h"

/* The whole program: `toll ARGS...` (src/cli/main.c).  The executable's
 * main (src/cli/entry.c) and the Python package's `toll` command and
 * `python -m toll` (python/_core.c) both call it. */
int toll_cli_main(int argc, char **argv);

int toll_cli_summarize(const char *name, int argc, char **argv);
int toll_cli_incidents(const char *name, int argc, char **argv);
int toll_cli_parse(const char *name, int argc, char **argv);
int toll_cli_link(const char *name, int argc, char **argv);

/* The help texts (`toll CMD --help`, `toll help CMD`). */
extern const char TOLL_CLI_SUMMARIZE_HELP[];
extern const char TOLL_CLI_INCIDENTS_HELP[];
extern const char TOLL_CLI_PARSE_HELP[];
extern const char TOLL_CLI_LINK_HELP[];

#endif /* TOLL_SRC_CLI_COMMANDS_H */
