/*
 * src/cli/imports.h - the CLI side of the importers: repairs and presets
 * (docs/importers.md).
 */
#ifndef TOLL_SRC_CLI_IMPORTS_H
#define TOLL_SRC_CLI_IMPORTS_H

#include <stdio.h>

#include "toll/toll.h"

/* Print each repair of the reports as "repair: MESSAGE" to `out`, then
 * "toll: N figure(s) or region(s) repaired"; nothing when there are none.
 * Returns the number of repairs. */
size_t toll_cli_print_repairs(const toll_reports *reports, FILE *out);

/* Print the import presets, one per line ("  ucdp-ged  UCDP ..."). */
void toll_cli_print_presets(FILE *out);

#endif /* TOLL_SRC_CLI_IMPORTS_H */
