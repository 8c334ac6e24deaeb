/*
 * src/cli/entry.c - the `toll` executable: the program is
 * toll_cli_main (src/cli/main.c), which the Python package's `toll`
 * command calls too.
 */
#include "commands.h"

int main(int argc, char **argv) { return toll_cli_main(argc, argv); }
