/* tests/test_aggregate.c - the columnar fast path of toll_summarize
 * (src/summarize/kernel.c and fast_aggregate in src/summarize/summarize.c) against
 * the general path.
 *
 * Incidents are built by hand (random, seeded) so that every combination
 * of actors (joint sets, none, an actor named "unknown"), regions at
 * several depths, dates (spans, none), missing values, categories, grades
 * and flags is covered.  Tables are compared in full: names, types,
 * dictionaries, codes, integers, the bits of every double, caption, keys
 * and additivity. */
#include "store/store.h"
#include "reconcile/reconcile.h"
#include "render/render.h"
#include "summarize/kernel.h"
#include "testutil.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- random incidents ------------------------------------------------------- */

typedef struct fixture {
    toll_reports *r;
    toll_incidents *inc;
} fixture;

static uint64_t rng_state;

static uint32_t rnd(uint32_t n)
{
    rng_state = rng_state * 6364136223846793005ull + 1442695040888963407ull;
    return n ? (uint32_t)((rng_state >> 33) % n) : 0;
}

static uint32_t intern(toll_reports *r, const char *s)
{
    uint32_t id = 0;
    ck_assert_int_eq(toll__strpool_intern(&r->strings, s, strlen(s), &id),
                     TOLL_OK);
    return id;
}

static void note_category(toll_reports *r, uint32_t id)
{
    for (size_t k = 0; k < r->ncategories; k++)
        if (r->categories[k] == id)
            return;
    ck_assert_int_eq(toll__grow(&r->alloc, (void **)&r->categories,
                                &r->categories_cap, r->ncategories + 1,
                                sizeof *r->categories),
                     TOLL_OK);
    r->categories[r->ncategories++] = id;
}

#define ALLOC_ARR(field, n)                                                   \
    do {                                                                      \
        inc->field = toll__calloc(a, (n) ? (n) : 1, sizeof *inc->field);      \
        ck_assert_ptr_nonnull(inc->field);                                    \
    } while (0)

static const char *const ACTORS[] = {"Army", "Rebels", "ISIL", "unknown",
                                     "Militia", "Police", "Coalition"};
static const char *const CATS[] = {"killed", "injured", "missing"};

/*
 * n random incidents: `nactors` actor names (joint sets of 1-3 of them,
 * or none), `nregions` regions of depth 1-4, dates over `ndays` days from
 * 2014-01-01 (a tenth with no date, a fifth spanning up to 90 days), 0-3
 * cells in random categories with random flags, low/high/best (some
 * unknown, NaN best, fractional best).
 */
static fixture fx_random(uint64_t seed, size_t n, size_t nactors,
                         size_t nregions, uint32_t ndays,
                         const toll_allocator *alloc)
{
    fixture fx;
    rng_state = seed;
    ck_assert_int_eq(toll_reports_new(alloc, &fx.r, NULL), TOLL_OK);
    toll_reports *r = fx.r;
    const toll_allocator *a = &r->alloc;
    toll_incidents *inc = toll__calloc(a, 1, sizeof *inc);
    ck_assert_ptr_nonnull(inc);
    inc->alloc = r->alloc;
    inc->reports = r;
    inc->opts.policy = TOLL_POLICY_ENVELOPE;
    inc->opts.self_reports = TOLL_SELF_EXCLUDE;
    size_t cap = 3 * n;
    inc->n = n;
    ALLOC_ARR(key, n);
    ALLOC_ARR(r_count, n);
    ALLOC_ARR(region, n);
    ALLOC_ARR(date_start, n);
    ALLOC_ARR(date_end, n);
    ALLOC_ARR(actors, n);
    ALLOC_ARR(grade, n);
    ALLOC_ARR(flags, n);
    ALLOC_ARR(c_begin, n);
    ALLOC_ARR(c_count, n);
    ALLOC_ARR(c_category, cap);
    ALLOC_ARR(c_low, cap);
    ALLOC_ARR(c_high, cap);
    ALLOC_ARR(c_best, cap);
    ALLOC_ARR(c_flags, cap);
    int32_t day0 = toll_date_from_ymd(2014, 1, 1);
    size_t c = 0;
    for (size_t i = 0; i < n; i++) {
        char buf[96];
        snprintf(buf, sizeof buf, "inc-%zu", i);
        inc->key[i] = intern(r, buf);
        inc->r_count[i] = 1 + rnd(6);
        if (rnd(12) == 0) {
            inc->region[i] = 0;
        } else {
            uint32_t x = rnd((uint32_t)nregions);
            int depth = 1 + (int)(x % 4);
            int len = snprintf(buf, sizeof buf, "C%u", x % 3);
            for (int d = 1; d < depth; d++)
                len += snprintf(buf + len, sizeof buf - (size_t)len, "/L%d-%u",
                                d, (x / (unsigned)(3 * d)) % 7);
            inc->region[i] = intern(r, buf);
        }
        if (rnd(10) == 0) {
            inc->date_start[i] = inc->date_end[i] = TOLL_NO_DATE;
        } else {
            inc->date_start[i] = day0 + (int32_t)rnd(ndays);
            inc->date_end[i] = inc->date_start[i] +
                               (rnd(5) == 0 ? (int32_t)rnd(90) : 0);
        }
        inc->actors[i] = 0;
        if (rnd(8)) {
            uint32_t ids[3];
            size_t na = 1 + rnd(3);
            for (size_t k = 0; k < na; k++) {
                uint32_t x = rnd((uint32_t)nactors);
                if (x < sizeof ACTORS / sizeof *ACTORS) {
                    ids[k] = intern(r, ACTORS[x]);
                } else {
                    snprintf(buf, sizeof buf, "Actor %u", x);
                    ids[k] = intern(r, buf);
                }
            }
            ck_assert_int_eq(toll__setpool_intern(&r->actor_sets, &r->strings,
                                                  ids, na, &inc->actors[i]),
                             TOLL_OK);
        }
        inc->grade[i] = (uint8_t)(1 + rnd(4));
        inc->flags[i] = (uint8_t)(rnd(4) == 0 ? TOLL_FLAG_CONTESTED : 0);
        inc->c_begin[i] = (uint32_t)c;
        size_t ncell = rnd(4), first = rnd(3);
        for (size_t k = 0; k < ncell; k++) {
            uint32_t cat = intern(r, CATS[(first + k) % 3]);
            note_category(r, cat);
            inc->c_category[c] = cat;
            int64_t lo = rnd(6) == 0 ? -1 : (int64_t)rnd(200);
            int64_t hi = rnd(5) == 0 ? lo : lo + (int64_t)rnd(50);
            inc->c_low[c] = lo;
            inc->c_high[c] = hi;
            uint32_t b = rnd(6);
            inc->c_best[c] = b == 0   ? NAN
                             : b == 1 ? (double)lo + 0.1 * rnd(10)
                             : b == 2 ? 1e16 * (rnd(2) ? 1 : -1)
                                      : (double)(lo + (hi - lo) / 2);
            unsigned f = rnd(5) ? TOLL__C_KNOWN : 0;
            f |= rnd(6) == 0 ? TOLL__C_OPEN : 0;
            f |= rnd(9) == 0 ? TOLL__C_DENIED : 0;
            f |= rnd(9) == 0 ? TOLL__C_HAS_SELF : 0;
            inc->c_flags[c] = (uint8_t)f;
            c++;
            inc->c_count[i]++;
        }
    }
    inc->nc = cap; /* the arrays' size (cells beyond c are unused) */
    /* the incidents' id space: every string and set here is the store's */
    inc->nstr = r->strings.count;
    inc->nsets = r->actor_sets.count;
    inc->ncategories = r->ncategories;
    ck_assert_int_eq(toll__strpool_init(&inc->own_strings, &inc->alloc),
                     TOLL_OK);
    ck_assert_int_eq(toll__setpool_init(&inc->own_sets, &inc->alloc), TOLL_OK);
    inc->ext = toll__calloc(a, 1, sizeof *inc->ext);
    ck_assert_ptr_nonnull(inc->ext);
    fx.inc = inc;
    return fx;
}

/* Drop summarize's cached key codes (the incidents' summarize cell,
 * src/reconcile/reconcile.h). */
static void cache_drop(toll_incidents *inc)
{
    toll__incext *x = inc->ext->summarize;
    if (x)
        x->destroy(&inc->alloc, x);
    inc->ext->summarize = NULL;
}

/* The published cache of summarize (NULL: none). */
#define CACHE(inc)                                                            \
    ((const struct toll__aggcache *)(const void *)(inc)->ext->summarize)

#define FREE_ARR(field, n)                                                    \
    toll__free(a, inc->field, ((n) ? (n) : 1) * sizeof *inc->field)

static void fx_free(fixture *fx)
{
    toll_incidents *inc = fx->inc;
    const toll_allocator *a = &fx->r->alloc;
    size_t n = inc->n, nc = inc->nc;
    FREE_ARR(key, n);
    FREE_ARR(r_count, n);
    FREE_ARR(region, n);
    FREE_ARR(date_start, n);
    FREE_ARR(date_end, n);
    FREE_ARR(actors, n);
    FREE_ARR(grade, n);
    FREE_ARR(flags, n);
    FREE_ARR(c_begin, n);
    FREE_ARR(c_count, n);
    FREE_ARR(c_category, nc);
    FREE_ARR(c_low, nc);
    FREE_ARR(c_high, nc);
    FREE_ARR(c_best, nc);
    FREE_ARR(c_flags, nc);
    cache_drop(inc); /* summarize's cached key codes */
    toll__free(a, inc->ext, sizeof *inc->ext);
    toll__setpool_free(&inc->own_sets);
    toll__strpool_free(&inc->own_strings);
    toll__free(a, inc, sizeof *inc);
    toll_reports_free(fx->r);
}

/* ---- comparing the paths ------------------------------------------------------ */

static void expect_same_tables(const toll_table *x, const toll_table *y,
                               const char *what)
{
    ck_assert_msg(toll_table_nrows(x) == toll_table_nrows(y),
                  "%s: rows %zu vs %zu", what, toll_table_nrows(x),
                  toll_table_nrows(y));
    ck_assert_uint_eq(toll_table_ncols(x), toll_table_ncols(y));
    ck_assert_uint_eq(toll_table_nkeys(x), toll_table_nkeys(y));
    ck_assert_int_eq(toll_table_additive(x), toll_table_additive(y));
    ck_assert_str_eq(toll_table_caption(x), toll_table_caption(y));
    size_t nr = toll_table_nrows(x);
    for (size_t j = 0; j < toll_table_ncols(x); j++) {
        ck_assert_str_eq(toll_table_column_name(x, j),
                         toll_table_column_name(y, j));
        toll_coltype t = toll_table_column_type(x, j);
        ck_assert_int_eq(t, toll_table_column_type(y, j));
        if (t == TOLL_COL_STRING) {
            size_t nx = 0, ny = 0;
            const char *const *dx = toll_table_dict(x, j, &nx);
            const char *const *dy = toll_table_dict(y, j, &ny);
            ck_assert_msg(nx == ny, "%s: column %zu: dictionary of %zu vs %zu",
                          what, j, nx, ny);
            for (size_t k = 0; k < nx; k++)
                ck_assert_str_eq(dx[k], dy[k]);
            if (nr)
                ck_assert_msg(memcmp(toll_table_codes(x, j),
                                     toll_table_codes(y, j),
                                     nr * sizeof(uint32_t)) == 0,
                              "%s: column %zu: codes differ", what, j);
        } else if (t == TOLL_COL_INT64) {
            if (nr)
                ck_assert_msg(memcmp(toll_table_int64(x, j),
                                     toll_table_int64(y, j),
                                     nr * sizeof(int64_t)) == 0,
                              "%s: column %s differs", what,
                              toll_table_column_name(x, j));
        } else if (nr) { /* doubles: the same bits */
            ck_assert_msg(memcmp(toll_table_double(x, j),
                                 toll_table_double(y, j),
                                 nr * sizeof(double)) == 0,
                          "%s: column %s differs", what,
                          toll_table_column_name(x, j));
        }
    }
}

/* 1 when the automatic choice of the last compare_paths ran over cached
 * key codes. */
static int last_cached;

/* Summarize with the three paths (automatic: cached codes when it can;
 * the fast path with codes made for the call; the general path), compare,
 * and return what the automatic choice ran (without the cached flag). */
static int compare_paths(const fixture *fx, const toll_summarize_options *o)
{
    toll_table *fast = NULL, *general = NULL, *uncached = NULL;
    toll_error err;
    int used_fast = -1, used_general = -1, used_uncached = -1;
    char what[256];
    snprintf(what, sizeof what, "by '%s', category '%s'",
             o->by ? o->by : "", o->category ? o->category : "(default)");
    ck_assert_msg(toll__summarize_path(fx->inc, o, NULL, TOLL__AGG_AUTO,
                                       &used_fast, &fast, &err) == TOLL_OK,
                  "%s: %s", what, err.message);
    ck_assert_msg(toll__summarize_path(fx->inc, o, NULL, TOLL__AGG_GENERAL,
                                       &used_general, &general,
                                       &err) == TOLL_OK,
                  "%s: %s", what, err.message);
    ck_assert_msg(toll__summarize_path(fx->inc, o, NULL, TOLL__AGG_UNCACHED,
                                       &used_uncached, &uncached,
                                       &err) == TOLL_OK,
                  "%s: %s", what, err.message);
    ck_assert_int_eq(used_general, TOLL__AGG_USED_GENERAL);
    ck_assert_int_eq(used_uncached & TOLL__AGG_USED_CACHED, 0);
    expect_same_tables(fast, general, what);
    expect_same_tables(uncached, general, what);
    toll_table_free(fast);
    toll_table_free(general);
    toll_table_free(uncached);
    last_cached = (used_fast & TOLL__AGG_USED_CACHED) != 0;
    return used_fast & ~TOLL__AGG_USED_CACHED;
}

static int compare_by(const fixture *fx, const char *by, const char *category)
{
    toll_summarize_options o;
    toll_summarize_options_init(&o);
    o.by = by;
    o.category = category;
    return compare_paths(fx, &o);
}

/* The keys the fast path takes (kind by kind; at most one of each). */
static const char *const KEYS[][6] = {
    {"actor", NULL},
    {"region", "region:0", "region:1", "region:2", NULL},
    {"period:day", "period:week", "period:month", "period:quarter",
     "period:year", NULL},
    {"category", NULL},
    {"grade", NULL},
};
#define NKINDS 5

/* Every by-list of up to `maxk` keys of distinct kinds, in every order of
 * kinds (each variant of a kind), with category killed and default. */
static size_t compare_all_by_lists(const fixture *fx, size_t maxk,
                                   int *saw_dense, int *saw_hash)
{
    size_t count = 0;
    /* kinds chosen as a sequence of distinct kinds (permutations) */
    size_t seq[NKINDS], var[NKINDS];
    for (size_t len = 0; len <= maxk; len++) {
        size_t total = 1;
        for (size_t k = 0; k < len; k++)
            total *= NKINDS;
        for (size_t code = 0; code < total; code++) {
            size_t x = code, used = 0, ok = 1;
            for (size_t k = 0; k < len; k++) {
                seq[k] = x % NKINDS;
                x /= NKINDS;
                if (used & ((size_t)1 << seq[k]))
                    ok = 0;
                used |= (size_t)1 << seq[k];
            }
            if (!ok)
                continue;
            /* variants: vary each kind's variant with the code, so that all
             * variants appear across the lists */
            for (size_t rep = 0; rep < 5; rep++) {
                char by[128] = "";
                size_t bl = 0;
                int any_more = 0;
                for (size_t k = 0; k < len; k++) {
                    size_t nv = 0;
                    while (KEYS[seq[k]][nv])
                        nv++;
                    var[k] = (rep + code) % nv;
                    any_more |= rep < nv;
                    bl += (size_t)snprintf(by + bl, sizeof by - bl, "%s%s",
                                           k ? "," : "", KEYS[seq[k]][var[k]]);
                }
                if (rep && !any_more)
                    break;
                for (int cat = 0; cat < 3; cat++) {
                    int u = compare_by(fx, by, cat == 0   ? "killed"
                                               : cat == 1 ? NULL
                                                          : "injured");
                    ck_assert_msg(u == TOLL__AGG_USED_DENSE ||
                                      u == TOLL__AGG_USED_HASH,
                                  "by '%s' did not take the fast path (%d)",
                                  by, u);
                    *saw_dense |= u == TOLL__AGG_USED_DENSE;
                    *saw_hash |= u == TOLL__AGG_USED_HASH;
                    count++;
                }
            }
        }
    }
    return count;
}

/* ---- tests ------------------------------------------------------------------- */

START_TEST(fast_path_should_equal_general_path_on_every_by_list)
{
    fixture fx = fx_random(11, 3000, 12, 60, 2000, NULL);
    int dense = 0, hash = 0;
    size_t n = compare_all_by_lists(&fx, 3, &dense, &hash);
    ck_assert_uint_gt(n, 300);
    ck_assert(dense);
    fx_free(&fx);
}
END_TEST

START_TEST(fast_path_should_equal_general_path_on_other_random_sets)
{
    for (uint64_t seed = 1; seed <= 6; seed++) {
        size_t n = 1 + rnd(4000);
        fixture fx = fx_random(seed * 977, n, 1 + seed * 5, 1 + seed * 30,
                               1 + (uint32_t)seed * 700, NULL);
        const char *lists[] = {"actor,region:1,period:month",
                               "actor,region,period:day",
                               "period:year,grade,actor,category",
                               "region:2,category,period:week", "", NULL};
        for (size_t k = 0; lists[k]; k++) {
            compare_by(&fx, lists[k], "killed");
            compare_by(&fx, lists[k], NULL);
        }
        fx_free(&fx);
    }
}
END_TEST

START_TEST(fast_path_should_use_dense_groups_when_the_keys_have_few_values)
{
    fixture fx = fx_random(5, 2000, 5, 10, 400, NULL);
    ck_assert_int_eq(compare_by(&fx, "actor,region:0,period:year", "killed"),
                     TOLL__AGG_USED_DENSE);
    ck_assert_int_eq(compare_by(&fx, "", "killed"), TOLL__AGG_USED_DENSE);
    fx_free(&fx);
}
END_TEST

START_TEST(fast_path_should_hash_groups_beyond_the_dense_limit)
{
    /* 25 actors (joint sets of up to 3: thousands of labels) x 400
     * regions x 3,000 days: far more positions than 2^21 */
    fixture fx = fx_random(21, 20000, 25, 400, 3000, NULL);
    ck_assert_int_eq(compare_by(&fx, "actor,region,period:day", "killed"),
                     TOLL__AGG_USED_HASH);
    ck_assert_int_eq(compare_by(&fx, "category,period:day,region,actor", NULL),
                     TOLL__AGG_USED_HASH);
    fx_free(&fx);
}
END_TEST

START_TEST(options_outside_the_fast_path_should_fall_back_to_the_general_path)
{
    fixture fx = fx_random(31, 1500, 8, 30, 900, NULL);
    const char *actors[] = {"Army"};
    for (int k = 0; k < 8; k++) {
        toll_summarize_options o;
        toll_summarize_options_init(&o);
        o.by = "actor,region:1,period:month";
        switch (k) {
        case 0: o.attribution = TOLL_ATTR_SPLIT; break;
        case 1: o.attribution = TOLL_ATTR_EACH; break;
        case 2: o.span = TOLL_SPAN_PRORATE; break;
        case 3: o.min_grade = TOLL_GRADE_CORROBORATED; break;
        case 4: o.date_from = "2014-06"; o.date_to = "2015"; break;
        case 5: o.region_prefix = "C1"; break;
        case 6: o.actors = actors; o.n_actors = 1; break;
        default: o.interval.method = TOLL_INTERVAL_INDEPENDENT; break;
        }
        ck_assert_msg(compare_paths(&fx, &o) == TOLL__AGG_USED_GENERAL,
                      "option %d took the fast path", k);
    }
    fx_free(&fx);
}
END_TEST

START_TEST(attribution_and_span_without_their_keys_should_keep_the_fast_path)
{
    fixture fx = fx_random(41, 1500, 8, 30, 900, NULL);
    toll_summarize_options o;
    toll_summarize_options_init(&o);
    o.by = "region,period:month";
    o.attribution = TOLL_ATTR_SPLIT; /* no actor key: nothing to split */
    ck_assert_int_eq(compare_paths(&fx, &o), TOLL__AGG_USED_DENSE);
    o.by = "actor,region";
    o.attribution = TOLL_ATTR_JOINT;
    o.span = TOLL_SPAN_PRORATE; /* no period key: nothing to prorate */
    ck_assert_int_eq(compare_paths(&fx, &o), TOLL__AGG_USED_DENSE);
    fx_free(&fx);
}
END_TEST

START_TEST(fast_path_should_add_best_in_the_general_paths_order)
{
    /* one group; best values whose sum depends on the order of addition */
    fixture fx = fx_random(51, 3000, 1, 1, 1, NULL);
    toll_incidents *inc = fx.inc;
    for (size_t k = 0; k < inc->nc; k++)
        inc->c_best[k] = (k % 3 == 0) ? 1e16 : (k % 3 == 1) ? -1e16 : 0.3;
    ck_assert_int_eq(compare_by(&fx, "", "killed"), TOLL__AGG_USED_DENSE);
    ck_assert_int_eq(compare_by(&fx, "category", NULL), TOLL__AGG_USED_DENSE);
    fx_free(&fx);
}
END_TEST

START_TEST(fast_path_with_no_records_should_give_no_rows)
{
    fixture fx = fx_random(61, 500, 4, 5, 30, NULL);
    for (size_t k = 0; k < fx.inc->nc; k++)
        fx.inc->c_flags[k] &= (uint8_t)~TOLL__C_KNOWN;
    toll_table *t = NULL;
    toll_summarize_options o;
    toll_summarize_options_init(&o);
    o.by = "actor,region";
    int used = -1;
    ck_assert_int_eq(toll__summarize_path(fx.inc, &o, NULL, TOLL__AGG_AUTO,
                                          &used, &t, NULL),
                     TOLL_OK);
    ck_assert_int_eq(used, TOLL__AGG_USED_DENSE | TOLL__AGG_USED_CACHED);
    ck_assert_uint_eq(toll_table_nrows(t), 0);
    toll_table_free(t);
    compare_by(&fx, "actor,region", NULL);
    fx_free(&fx);
}
END_TEST

START_TEST(fast_path_records_should_sum_to_the_incidents_column)
{
    /* a record is one known cell in the category: count them directly */
    fixture fx = fx_random(71, 2500, 9, 40, 1000, NULL);
    const toll_incidents *inc = fx.inc;
    uint32_t killed = 0;
    ck_assert(toll__strpool_find(&fx.r->strings, "killed", 6, &killed));
    size_t want_killed = 0, want_all = 0;
    for (size_t i = 0; i < inc->n; i++)
        for (size_t k = inc->c_begin[i]; k < inc->c_begin[i] + inc->c_count[i];
             k++)
            if (inc->c_flags[k] & TOLL__C_KNOWN) {
                want_all++;
                want_killed += inc->c_category[k] == killed;
            }
    for (int all = 0; all < 2; all++) {
        toll_summarize_options o;
        toll_summarize_options_init(&o);
        o.by = all ? "category,actor,region" : "actor,region";
        toll_table *t = NULL;
        ck_assert_int_eq(toll_summarize(inc, &o, NULL, &t, NULL), TOLL_OK);
        const int64_t *v = toll_table_int64(
            t, toll_table_column_index(t, "incidents"));
        size_t sum = 0;
        for (size_t r = 0; r < toll_table_nrows(t); r++)
            sum += (size_t)v[r];
        ck_assert_uint_eq(sum, all ? want_all : want_killed);
        toll_table_free(t);
    }
    fx_free(&fx);
}
END_TEST

START_TEST(fast_path_should_handle_days_too_far_apart_for_the_day_table)
{
    /* dates spread over ~16,000 years: wider than the day table */
    fixture fx = fx_random(91, 1200, 6, 20, 400, NULL);
    for (size_t i = 0; i < fx.inc->n; i++)
        if (fx.inc->date_start[i] != TOLL_NO_DATE) {
            int32_t d = toll_date_from_ymd(1 + (int)rnd(9000), 1 + (int)rnd(12),
                                           1 + (int)rnd(28));
            if (i % 3 == 0)
                d -= 2900000; /* before year 1 */
            fx.inc->date_start[i] = fx.inc->date_end[i] = d;
        }
    ck_assert_int_eq(compare_by(&fx, "period:year,actor", "killed"),
                     TOLL__AGG_USED_DENSE);
    int u = compare_by(&fx, "period:day,region:0", NULL);
    ck_assert(u == TOLL__AGG_USED_DENSE || u == TOLL__AGG_USED_HASH);
    fx_free(&fx);
}
END_TEST

/* Fail each allocation of a summarize in turn: TOLL_ENOMEM, nothing
 * leaked, and the table once nothing fails.  `path`: TOLL__AGG_AUTO or
 * TOLL__AGG_UNCACHED; `cold`: the incidents' cached key codes are dropped
 * before each call, so that building them fails too (and what a failed
 * call published is freed with them). */
static void alloc_failures(const char *by, size_t nactors, size_t nregions,
                           int want_used, int path, int cold)
{
    failing_alloc fa;
    failing_alloc_init(&fa, 0);
    fixture fx = fx_random(81, 3000, nactors, nregions, 3000, &fa.a);
    toll_summarize_options o;
    toll_summarize_options_init(&o);
    o.by = by;
    int used = 0;
    toll_table *want = NULL;
    ck_assert_int_eq(toll__summarize_path(fx.inc, &o, NULL, path, &used,
                                          &want, NULL),
                     TOLL_OK);
    ck_assert_int_eq(used, want_used);
    if (cold)
        cache_drop(fx.inc);
    long live = fa.live, failures = 0;
    for (long k = 1;; k++) {
        toll_table *t = NULL;
        toll_error err;
        fa.count = 0;
        fa.fail_at = k;
        toll_status st = toll__summarize_path(fx.inc, &o, NULL, path, &used,
                                              &t, &err);
        fa.fail_at = 0;
        if (cold)
            cache_drop(fx.inc);
        if (st == TOLL_OK) {
            expect_same_tables(t, want, by);
            toll_table_free(t);
            ck_assert_int_eq(fa.live, live);
            break;
        }
        ck_assert_int_eq(st, TOLL_ENOMEM);
        ck_assert_int_eq(err.code, TOLL_ENOMEM);
        ck_assert_ptr_null(t);
        ck_assert_int_eq(fa.live, live);
        failures++;
        ck_assert_int_lt(k, 100000);
    }
    ck_assert_int_gt(failures, 10);
    toll_table_free(want);
    fx_free(&fx);
    ck_assert_int_eq(fa.live, 0);
}

START_TEST(fast_path_allocation_failures_should_give_enomem_without_leaks)
{
    alloc_failures("actor,region:1,period:month", 5, 10,
                   TOLL__AGG_USED_DENSE | TOLL__AGG_USED_CACHED,
                   TOLL__AGG_AUTO, 0);
    alloc_failures("actor,region:1,period:month", 5, 10, TOLL__AGG_USED_DENSE,
                   TOLL__AGG_UNCACHED, 0);
}
END_TEST

START_TEST(hashed_groups_allocation_failures_should_give_enomem_without_leaks)
{
    alloc_failures("category,actor,region,period:day", 25, 400,
                   TOLL__AGG_USED_HASH | TOLL__AGG_USED_CACHED,
                   TOLL__AGG_AUTO, 0);
    alloc_failures("category,actor,region,period:day", 25, 400,
                   TOLL__AGG_USED_HASH, TOLL__AGG_UNCACHED, 0);
}
END_TEST

/* ---- cached key codes ------------------------------------------------------ */

/* Period units in slot order (src/summarize/summarize.c: P_DAY .. P_YEAR). */
#define P_MONTH_SLOT 2
#define P_YEAR_SLOT 4

static toll_table *summarize_auto(const fixture *fx, const char *by,
                                  const char *category, int *used)
{
    toll_summarize_options o;
    toll_summarize_options_init(&o);
    o.by = by;
    o.category = category;
    toll_table *t = NULL;
    toll_error err;
    ck_assert_msg(toll__summarize_path(fx->inc, &o, NULL, TOLL__AGG_AUTO,
                                       used, &t, &err) == TOLL_OK,
                  "by '%s': %s", by, err.message);
    return t;
}

START_TEST(cached_codes_summary_should_equal_a_summary_on_fresh_incidents)
{
    fixture fx = fx_random(101, 4000, 9, 80, 1500, NULL);
    const char *lists[] = {"actor,region:1,period:month",
                           "region,period:day,actor", "grade,category",
                           "period:week,region:0", NULL};
    for (size_t k = 0; lists[k]; k++) {
        int used = 0;
        cache_drop(fx.inc);
        toll_table *cold = summarize_auto(&fx, lists[k], NULL, &used);
        ck_assert_int_ne(used & TOLL__AGG_USED_CACHED, 0);
        ck_assert_ptr_nonnull(CACHE(fx.inc));
        /* warm: every list before this one left its codes too */
        for (size_t j = 0; j <= k; j++) {
            toll_table *warm = summarize_auto(&fx, lists[j], "killed", &used);
            toll_table_free(warm);
        }
        toll_table *warm = summarize_auto(&fx, lists[k], NULL, &used);
        ck_assert_int_ne(used & TOLL__AGG_USED_CACHED, 0);
        expect_same_tables(warm, cold, lists[k]);
        toll_table_free(cold);
        toll_table_free(warm);
    }
    fx_free(&fx);
}
END_TEST

START_TEST(cached_codes_should_be_built_once_and_reused)
{
    fixture fx = fx_random(103, 2000, 6, 40, 800, NULL);
    int used = 0;
    toll_table_free(summarize_auto(&fx, "actor,region:2,period:year", NULL,
                                   &used));
    const struct toll__aggcache *c = CACHE(fx.inc);
    ck_assert_ptr_nonnull(c);
    const toll__kcol *a = c->col[TOLL__KC_ACTOR],
                     *r = c->col[TOLL__KC_REGION + 3],
                     *p = c->col[TOLL__KC_PERIOD + P_YEAR_SLOT];
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(r);
    ck_assert_ptr_nonnull(p);
    ck_assert_ptr_null(c->col[TOLL__KC_REGION]); /* region: not asked */
    ck_assert_uint_eq(a->n, fx.inc->n);
    toll_table_free(summarize_auto(&fx, "period:year,actor", "killed", &used));
    ck_assert_ptr_eq(CACHE(fx.inc), c);
    ck_assert_ptr_eq(c->col[TOLL__KC_ACTOR], a);
    ck_assert_ptr_eq(c->col[TOLL__KC_PERIOD + P_YEAR_SLOT], p);
    fx_free(&fx);
}
END_TEST

START_TEST(cached_codes_should_number_values_in_the_tables_order)
{
    fixture fx = fx_random(107, 3000, 7, 50, 900, NULL);
    int used = 0;
    toll_table_free(summarize_auto(&fx, "actor,region,period:month,category",
                                   NULL, &used));
    const struct toll__aggcache *c = CACHE(fx.inc);
    int slots[] = {TOLL__KC_ACTOR, TOLL__KC_REGION, TOLL__KC_CATEGORY};
    for (size_t s = 0; s < 3; s++) {
        const toll__kcol *col = c->col[slots[s]];
        ck_assert_ptr_nonnull(col);
        for (size_t v = 1; v < col->ncodes; v++) {
            size_t la = col->len[v - 1], lb = col->len[v];
            int cmp = memcmp(col->str[v - 1], col->str[v], la < lb ? la : lb);
            ck_assert(cmp < 0 || (cmp == 0 && la < lb));
        }
    }
    const toll__kcol *p = c->col[TOLL__KC_PERIOD + P_MONTH_SLOT];
    for (size_t v = 1; v < p->ncodes; v++)
        ck_assert(p->num[v - 1] < p->num[v]);
    fx_free(&fx);
}
END_TEST

START_TEST(region_levels_beyond_the_cache_should_use_the_uncached_fast_path)
{
    fixture fx = fx_random(109, 1500, 5, 40, 600, NULL);
    char by[64];
    snprintf(by, sizeof by, "region:%d,actor", TOLL__KC_MAX_LEVELS);
    ck_assert_int_eq(compare_by(&fx, by, "killed"), TOLL__AGG_USED_DENSE);
    ck_assert_int_eq(last_cached, 0);
    snprintf(by, sizeof by, "region:%d,actor", TOLL__KC_MAX_LEVELS - 1);
    ck_assert_int_eq(compare_by(&fx, by, "killed"), TOLL__AGG_USED_DENSE);
    ck_assert_int_eq(last_cached, 1);
    fx_free(&fx);
}
END_TEST

START_TEST(cache_building_allocation_failures_should_give_enomem_without_leaks)
{
    alloc_failures("actor,region:1,period:month", 5, 10,
                   TOLL__AGG_USED_DENSE | TOLL__AGG_USED_CACHED,
                   TOLL__AGG_AUTO, 1);
    alloc_failures("category,actor,region,period:day", 25, 400,
                   TOLL__AGG_USED_HASH | TOLL__AGG_USED_CACHED,
                   TOLL__AGG_AUTO, 1);
}
END_TEST

typedef struct race_arg {
    const fixture *fx;
    const char *by;
    toll_table *t;
    toll_status st;
} race_arg;

static void *race_summarize(void *p)
{
    race_arg *x = p;
    toll_summarize_options o;
    toll_summarize_options_init(&o);
    o.by = x->by;
    x->st = toll_summarize(x->fx->inc, &o, NULL, &x->t, NULL);
    return NULL;
}

START_TEST(concurrent_summaries_building_the_cache_should_agree)
{
    fixture fx = fx_random(113, 20000, 12, 200, 2000, NULL);
    const char *lists[] = {"actor,region:1,period:month",
                           "region,actor,period:day", "category,grade"};
    for (int round = 0; round < 6; round++) {
        const char *by = lists[round % 3];
        toll_table *want = NULL;
        toll_summarize_options o;
        toll_summarize_options_init(&o);
        o.by = by;
        ck_assert_int_eq(toll__summarize_path(fx.inc, &o, NULL,
                                              TOLL__AGG_GENERAL, NULL, &want,
                                              NULL),
                         TOLL_OK);
        cache_drop(fx.inc); /* both threads find no codes */
        race_arg x[2] = {{&fx, by, NULL, TOLL_OK}, {&fx, by, NULL, TOLL_OK}};
        pthread_t th[2];
        for (int k = 0; k < 2; k++)
            ck_assert_int_eq(pthread_create(&th[k], NULL, race_summarize,
                                            &x[k]),
                             0);
        for (int k = 0; k < 2; k++) {
            ck_assert_int_eq(pthread_join(th[k], NULL), 0);
            ck_assert_int_eq(x[k].st, TOLL_OK);
            expect_same_tables(x[k].t, want, by);
            toll_table_free(x[k].t);
        }
        toll_table_free(want);
    }
    fx_free(&fx);
}
END_TEST

static Suite *aggregate_suite(void)
{
    Suite *s = suite_create("aggregate");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, fast_path_should_equal_general_path_on_every_by_list);
    tcase_add_test(tc, fast_path_should_equal_general_path_on_other_random_sets);
    tcase_add_test(tc,
                   fast_path_should_use_dense_groups_when_the_keys_have_few_values);
    tcase_add_test(tc, fast_path_should_hash_groups_beyond_the_dense_limit);
    tcase_add_test(tc,
                   options_outside_the_fast_path_should_fall_back_to_the_general_path);
    tcase_add_test(tc,
                   attribution_and_span_without_their_keys_should_keep_the_fast_path);
    tcase_add_test(tc, fast_path_should_add_best_in_the_general_paths_order);
    tcase_add_test(tc,
                   fast_path_should_handle_days_too_far_apart_for_the_day_table);
    tcase_add_test(tc, fast_path_with_no_records_should_give_no_rows);
    tcase_add_test(tc, fast_path_records_should_sum_to_the_incidents_column);
    tcase_add_test(tc,
                   fast_path_allocation_failures_should_give_enomem_without_leaks);
    tcase_add_test(tc,
                   hashed_groups_allocation_failures_should_give_enomem_without_leaks);
    suite_add_tcase(s, tc);
    /* the key codes cached per incidents object (a case of its own:
     * CK_RUN_CASE=cache runs it alone, e.g. under valgrind) */
    tc = tcase_create("cache");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc,
                   cached_codes_summary_should_equal_a_summary_on_fresh_incidents);
    tcase_add_test(tc, cached_codes_should_be_built_once_and_reused);
    tcase_add_test(tc, cached_codes_should_number_values_in_the_tables_order);
    tcase_add_test(tc,
                   region_levels_beyond_the_cache_should_use_the_uncached_fast_path);
    tcase_add_test(tc,
                   cache_building_allocation_failures_should_give_enomem_without_leaks);
    tcase_add_test(tc, concurrent_summaries_building_the_cache_should_agree);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return toll_test_run(aggregate_suite());
}
