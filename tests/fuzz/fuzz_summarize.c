/*
 * tests/fuzz/fuzz_summarize.c - libFuzzer harness: summaries of fuzzed
 * reports.  The input is loaded as JSONL (when it starts with '{') or CSV,
 * leniently, reconciled, and summarised with options taken from a hash of
 * the input: group keys (actor, region, region:0, period by any unit,
 * category, grade), span, attribution, an interval (independent or
 * comonotone, any engine, few draws), max_rows 10^5 or sometimes 1-8, and
 * sometimes a failing allocation.  Extreme counts come from the input (the seed corpus
 * holds counts near 2^53 and 2^63 and open ranges).
 *
 * Checks: no call crashes; a summary either fails with TOLL_ERANGE /
 * TOLL_EINVAL / TOLL_ENOMEM and a message, or every row has
 * low <= best <= high, finite totals at most 2^53, and quantiles in
 * order; no block is live after the free.
 */
#include "fuzz_common.h"

#include <math.h>

static void check_table(const toll_table *t)
{
    size_t lo = toll_table_column_index(t, "low");
    size_t be = toll_table_column_index(t, "best");
    size_t hi = toll_table_column_index(t, "high");
    size_t q0 = toll_table_column_index(t, "q025");
    size_t q1 = toll_table_column_index(t, "q500");
    size_t q2 = toll_table_column_index(t, "q975");
    FUZZ_CHECK(lo != TOLL_NPOS && be != TOLL_NPOS && hi != TOLL_NPOS);
    const double *l = toll_table_double(t, lo), *b = toll_table_double(t, be),
                 *h = toll_table_double(t, hi);
    for (size_t r = 0; r < toll_table_nrows(t); r++) {
        FUZZ_CHECK(l[r] >= 0.0 && l[r] <= b[r] && b[r] <= h[r]);
        FUZZ_CHECK(h[r] <= 9007199254740992.0);
        if (q0 != TOLL_NPOS) {
            const double *a = toll_table_double(t, q0),
                         *m = toll_table_double(t, q1),
                         *z = toll_table_double(t, q2);
            FUZZ_CHECK(!isnan(a[r]) && !isnan(m[r]) && !isnan(z[r]));
            FUZZ_CHECK(a[r] <= m[r] && m[r] <= z[r]);
            FUZZ_CHECK(a[r] >= l[r] * (1.0 - 1e-9) - 1e-9);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const keys[] = {"actor", "region", "region:0",
                                       "period", "category", "grade"};
    static const char *const units[] = {"day", "week", "month", "quarter",
                                        "year"};
    uint64_t h = fuzz_hash(data, size);
    fuzz_alloc f;
    fuzz_alloc_init(&f);
    toll_reports *rep = NULL;
    toll_incidents *inc = NULL;
    toll_error e;
    if (toll_reports_new(&f.a, &rep, &e) != TOLL_OK)
        abort();
    toll_load_options lo;
    toll_load_options_init(&lo);
    lo.lenient = 1;
    lo.format = size && data[0] == '{' ? TOLL_FORMAT_JSONL : TOLL_FORMAT_CSV;
    toll_status st = toll_reports_load_buffer(rep, (const char *)data, size,
                                              "fuzz", &lo, NULL, &e);
    if (st == TOLL_OK && toll_reconcile(rep, NULL, &f.a, &inc, &e) != TOLL_OK)
        inc = NULL;
    for (int pass = 0; inc && pass < 3; pass++, h = h * 6364136223846793005u +
                                                    1442695040888963407u) {
        char by[128] = "";
        int picked = 0; /* region and region:0 exclude each other */
        for (size_t k = 0; k < 6; k++) {
            if (!((h >> k) & 1) || (k == 2 && (picked & 2)))
                continue;
            picked |= 1 << k;
            snprintf(by + strlen(by), sizeof by - strlen(by), "%s%s%s%s",
                     by[0] ? "," : "", keys[k], k == 3 ? ":" : "",
                     k == 3 ? units[(h >> 8) % 5] : "");
        }
        toll_summarize_options o;
        toll_summarize_options_init(&o);
        o.by = by;
        o.span = (toll_span)((h >> 12) & 1);
        o.attribution = (toll_attribution)((h >> 13) % 3);
        o.interval.method = (toll_interval_method)((h >> 16) % 3);
        o.interval.engine = (toll_interval_engine)((h >> 18) % 4);
        o.interval.draws = 50;
        /* prorating a span of centuries by day is legal but slow: at most
         * 10^5 rows here, sometimes 1-8 */
        o.max_rows = ((h >> 20) & 7) == 0 ? 1 + (size_t)((h >> 23) % 8)
                                          : 100000;
        if (((h >> 26) & 15) == 0)
            f.fail_at = f.count + 1 + (long)((h >> 30) % 64);
        toll_table *t = NULL;
        st = toll_summarize(inc, &o, NULL, &t, &e);
        f.fail_at = 0;
        FUZZ_CHECK(st == TOLL_OK || st == TOLL_ERANGE || st == TOLL_EINVAL ||
                   st == TOLL_ENOMEM);
        if (st) {
            fuzz_check_error(&e, st);
            FUZZ_CHECK(t == NULL);
            continue;
        }
        FUZZ_CHECK(toll_table_nrows(t) <= o.max_rows);
        check_table(t);
        toll_table_free(t);
    }
    toll_incidents_free(inc);
    toll_reports_free(rep);
    FUZZ_CHECK(f.live == 0);
    return 0;
}
