/*
 * src/cli/mse.h - the `toll mse` command (src/cli/mse.c).
 */
#ifndef TOLL_SRC_CLI_MSE_H
#define TOLL_SRC_CLI_MSE_H

#include "toll/toll.h"

/* `toll mse ARGS...` (name: "mse"; argv: the arguments after it).  Returns
 * the exit status: 0 success, 1 bad data or a model that cannot be fitted,
 * 2 usage error. */
int toll_cli_mse(const char *name, int argc, char **argv);

/* The help text of `toll mse`. */
extern const char TOLL_CLI_MSE_HELP[];

#endif /* TOLL_SRC_CLI_MSE_H */
