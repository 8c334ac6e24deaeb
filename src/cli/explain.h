/*
 * src/cli/explain.h - `toll incidents --explain`: why reports were linked.
 */
#ifndef TOLL_SRC_CLI_EXPLAIN_H
#define TOLL_SRC_CLI_EXPLAIN_H

#include <stdio.h>

#include "toll/toll.h"

/*
 * Print the links table (toll_incidents_links_table) as text: for each
 * incident its key on a line of its own, then one explanation per link,
 * indented, e.g.
 *   auto:seeds.jsonl:3
 *     seeds.jsonl:3 ~ seeds.jsonl:7: 0 days apart, same region
 *     Syria/Idlib, shared actor Russia
 * (one line per link), incidents separated by a blank line.  Prints
 * nothing for a table without rows.  Returns 0, or -1 on a write error.
 */
int toll_cli_print_links(const toll_table *links, FILE *out);

#endif /* TOLL_SRC_CLI_EXPLAIN_H */
