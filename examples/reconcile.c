/*
 * examples/reconcile.c - the smallest complete toll program.
 *
 * Loads a file of casualty reports, reconciles the reports of each incident
 * into one range per casualty category, totals the incidents by actor and
 * month, and prints the table.  It uses only the public API (toll/toll.h).
 *
 *   make run                         # the bundled example, as installed
 *   ./reconcile my-reports.csv       # your own file (.json, .jsonl, .csv)
 *
 * Every toll call returns a toll_status; when it is not TOLL_OK, the
 * toll_error we pass in holds a message ready to show to the user, e.g.
 *   reports.csv:118: field 'killed': cannot read "at leest 5" as a quantity
 */
#include <stdio.h>

#include <toll/toll.h>

/* The default input: the bundled example in the installed share directory.
 * The Makefile passes the real path. */
#ifndef TOLL_EXAMPLE_FILE
#define TOLL_EXAMPLE_FILE "/usr/local/share/toll/seeds.jsonl"
#endif

/* toll renders through a callback: here, one that writes to a FILE *.
 * Returning non-zero stops the rendering with TOLL_EIO. */
static int write_to_file(void *ctx, const char *data, size_t len)
{
    return fwrite(data, 1, len, (FILE *)ctx) != len;
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : TOLL_EXAMPLE_FILE;
    toll_error err;               /* filled by any call that fails */
    toll_reports *reports = NULL; /* the report store */
    toll_incidents *incidents = NULL;
    toll_table *table = NULL;
    size_t n_loaded = 0;
    int status = 1;

    toll_error_clear(&err);

    /* 1. An empty store (NULL: the C library's malloc and free). */
    if (toll_reports_new(NULL, &reports, &err) != TOLL_OK)
        goto done;

    /* 2. Load the file.  NULL options: format from the file name, strict
     *    (one bad record fails the whole load and adds nothing). */
    if (toll_reports_load_file(reports, path, NULL, &n_loaded, &err) != TOLL_OK)
        goto done;
    fprintf(stderr, "%s: %zu reports\n", path, n_loaded);

    /* 3. Reconcile: reports sharing an `incident` key become one incident.
     *    NULL options: the envelope policy (low = lowest low, high = highest
     *    high, best = median), self-reports kept aside as the party's own
     *    figure.  The incidents refer to the store, so free them first. */
    if (toll_reconcile(reports, NULL, NULL, &incidents, &err) != TOLL_OK)
        goto done;

    /* 4. Total the killed by actor and month. */
    toll_summarize_options opts;
    toll_summarize_options_init(&opts);
    opts.by = "actor,period:month";
    opts.category = "killed";
    if (toll_summarize(incidents, &opts, NULL, &table, &err) != TOLL_OK)
        goto done;

    /* 5. Print it as an aligned text table (with a totals row). */
    if (toll_table_render(table, TOLL_RENDER_TEXT, 1, write_to_file, stdout,
                          &err) != TOLL_OK)
        goto done;
    status = 0;

done:
    if (status != 0)
        fprintf(stderr, "%s\n", err.message);
    /* Free in reverse order of creation; each _free accepts NULL. */
    toll_table_free(table);
    toll_incidents_free(incidents);
    toll_reports_free(reports);
    return status;
}
