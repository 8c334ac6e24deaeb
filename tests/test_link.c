/* tests/test_link.c - link=rule: linking unkeyed reports by date window,
 * region prefix and shared actors (src/reconcile/link.c); the links and their
 * explanations; a brute-force oracle; synthetic duplicates with known truth
 * (pairwise precision and recall); allocation failures; large n.
 *
 * Stores are built with toll__reports_append (no loader).
 * Environment: TOLL_LINK_N sets n of the large-n tests (default 200000;
 * docs/linking.md quotes n = 1000000 from a build without sanitizers). */
#include "store/store.h"
#include "reconcile/reconcile.h"
#include "render/render.h"
#include "reconcile/link.h"
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* ---- fixture ------------------------------------------------------------- */

typedef struct rspec {
    const char *incident; /* NULL: unkeyed */
    const char *source;   /* NULL: "src" */
    const char *actors;   /* "Russia;Syria", NULL: none */
    const char *region;   /* "Syria/Idlib", NULL: none */
    const char *date;     /* "YYYY-MM-DD", NULL: none */
    const char *date_end; /* NULL: same as date */
    int64_t killed;       /* -1: no figure */
} rspec;

static uint32_t S(toll_reports *r, const char *s)
{
    uint32_t id = 0;
    if (!s)
        return 0;
    ck_assert_int_eq(toll__strpool_intern(&r->strings, s, strlen(s), &id),
                     TOLL_OK);
    return id;
}

static uint32_t SET(toll_reports *r, const char *list)
{
    uint32_t ids[8], id = 0;
    size_t n = 0;
    if (!list)
        return 0;
    for (const char *p = list; *p && n < 8;) {
        const char *e = strchr(p, ';');
        size_t len = e ? (size_t)(e - p) : strlen(p);
        ck_assert_int_eq(toll__reports_intern_actor(r, p, len, &ids[n]),
                         TOLL_OK);
        n++;
        p += len + (e ? 1 : 0);
    }
    ck_assert_int_eq(toll__setpool_intern(&r->actor_sets, &r->strings, ids, n,
                                          &id),
                     TOLL_OK);
    return id;
}

static int32_t D(const char *s)
{
    int y = 0, m = 0, d = 0;
    ck_assert_int_eq(sscanf(s, "%d-%d-%d", &y, &m, &d), 3);
    return toll_date_from_ymd(y, m, d);
}

/* Append one report with ids already interned; line = index + 1. */
static void add_row(toll_reports *r, uint32_t incident, uint32_t source,
                    uint32_t actors, uint32_t region, int32_t start,
                    int32_t end, uint32_t file, int64_t killed,
                    uint32_t killed_id)
{
    toll__qcell q = {killed_id, killed, killed, (double)killed};
    toll__row row;
    memset(&row, 0, sizeof row);
    row.incident = incident;
    row.source = source;
    row.actors = actors;
    row.region = region;
    row.date_start = start;
    row.date_end = end;
    row.file = file;
    row.line = (uint32_t)r->n + 1;
    row.q = &q;
    row.nq = killed >= 0 ? 1 : 0;
    ck_assert_int_eq(toll__reports_append(r, &row, NULL), TOLL_OK);
}

/* Append one report; its file is "fx.json", its line its 1-based index. */
static void add(toll_reports *r, const rspec *s)
{
    int32_t start = s->date ? D(s->date) : TOLL_NO_DATE;
    int32_t end = s->date_end ? D(s->date_end) : start;
    add_row(r, S(r, s->incident), S(r, s->source ? s->source : "src"),
            SET(r, s->actors), S(r, s->region), start, end, S(r, "fx.json"),
            s->killed ? s->killed : -1, S(r, "killed"));
}

#define ADD(r, ...) add((r), &(rspec){__VA_ARGS__})

static toll_reports *store(void)
{
    toll_reports *r = NULL;
    ck_assert_int_eq(toll_reports_new(NULL, &r, NULL), TOLL_OK);
    return r;
}

static toll_reconcile_options auto_opts(void)
{
    toll_reconcile_options o;
    toll_reconcile_options_init(&o);
    o.link = TOLL_LINK_RULE;
    return o;
}

static toll_incidents *rec(toll_reports *r, const toll_reconcile_options *o)
{
    toll_incidents *inc = NULL;
    toll_error e;
    toll_error_clear(&e);
    toll_status st = toll_reconcile(r, o, NULL, &inc, &e);
    ck_assert_msg(st == TOLL_OK, "reconcile failed: %s", e.message);
    return inc;
}

static toll_incidents *rec_auto(toll_reports *r)
{
    toll_reconcile_options o = auto_opts();
    return rec(r, &o);
}

/* The incident of report i. */
static size_t incident_of(const toll_incidents *inc, size_t i)
{
    for (size_t c = 0; c < inc->n; c++)
        for (uint32_t k = 0; k < inc->r_count[c]; k++)
            if (inc->report_idx[inc->r_begin[c] + k] == i)
                return c;
    ck_abort_msg("report %zu is in no incident", i);
    return SIZE_MAX;
}

static int same_incident(const toll_incidents *inc, size_t a, size_t b)
{
    return incident_of(inc, a) == incident_of(inc, b);
}

static const char *key_of(const toll_incidents *inc, size_t c)
{
    uint32_t k = inc->key[c];
    return k ? toll__inc_str(inc, k) : ""; /* src/reconcile/reconcile.h */
}

/* Two unkeyed reports with the given fields; 1 if auto-linked. */
static int pair_linked(const toll_reconcile_options *o, const rspec *a,
                       const rspec *b)
{
    toll_reports *r = store();
    add(r, a);
    add(r, b);
    toll_incidents *inc = rec(r, o);
    int linked = toll_incidents_count(inc) == 1;
    ck_assert_uint_eq(toll_incidents_link_count(inc), linked ? 1 : 0);
    toll_incidents_free(inc);
    toll_reports_free(r);
    return linked;
}

#define PAIR(o, A, B) pair_linked((o), &(rspec)A, &(rspec)B)
#define R(...) {__VA_ARGS__}

/* ---- names and options ---------------------------------------------------- */

START_TEST(link_mode_names_should_round_trip)
{
    toll_link_mode m = TOLL_LINK_NONE;
    ck_assert_str_eq(toll_link_mode_name(TOLL_LINK_NONE), "none");
    ck_assert_str_eq(toll_link_mode_name(TOLL_LINK_AUTO), "auto");
    ck_assert_int_eq(toll_link_mode_parse("AUTO", &m, NULL), TOLL_OK);
    ck_assert_int_eq(m, TOLL_LINK_AUTO);
    ck_assert_int_eq(toll_link_mode_parse("none", &m, NULL), TOLL_OK);
    ck_assert_int_eq(m, TOLL_LINK_NONE);
    ck_assert_str_eq(toll_link_mode_name(TOLL_LINK_RULE), "rule");
    ck_assert_int_eq(toll_link_mode_parse("Rule", &m, NULL), TOLL_OK);
    ck_assert_int_eq(m, TOLL_LINK_RULE);
    toll_error e;
    ck_assert_int_eq(toll_link_mode_parse("fuzzy", &m, &e), TOLL_EINVAL);
    ck_assert_ptr_nonnull(strstr(e.message, "\"fuzzy\""));
    ck_assert_ptr_nonnull(strstr(e.message, "\"auto\""));
    ck_assert_int_eq(toll_link_mode_parse(NULL, &m, NULL), TOLL_EINVAL);
}
END_TEST

START_TEST(options_init_should_give_no_linking_and_documented_defaults)
{
    toll_reconcile_options o;
    memset(&o, 0x5a, sizeof o);
    toll_reconcile_options_init(&o);
    ck_assert_int_eq(o.link, TOLL_LINK_NONE);
    ck_assert_int_eq(o.link_days, 1);
    ck_assert_int_eq(o.link_region_level, 1);
    ck_assert_int_eq(o.link_require_actor, 1);
    ck_assert_int_eq(o.link_max_span, 7);
}
END_TEST

START_TEST(bad_link_options_should_fail_naming_the_field)
{
    toll_reports *r = store();
    ADD(r, .actors = "A", .region = "X/Y", .date = "2016-01-01");
    toll_incidents *inc = NULL;
    toll_error e;
    toll_reconcile_options o = auto_opts();
    o.link_days = -1;
    ck_assert_int_eq(toll_reconcile(r, &o, NULL, &inc, &e), TOLL_EINVAL);
    ck_assert_str_eq(e.field, "link_days");
    ck_assert_ptr_null(inc);
    o = auto_opts();
    o.link_region_level = -2;
    ck_assert_int_eq(toll_reconcile(r, &o, NULL, &inc, &e), TOLL_EINVAL);
    ck_assert_str_eq(e.field, "link_region_level");
    o = auto_opts();
    o.link_max_span = -1;
    ck_assert_int_eq(toll_reconcile(r, &o, NULL, &inc, &e), TOLL_EINVAL);
    ck_assert_str_eq(e.field, "link_max_span");
    o = auto_opts();
    o.link = (toll_link_mode)7;
    ck_assert_int_eq(toll_reconcile(r, &o, NULL, &inc, &e), TOLL_EINVAL);
    ck_assert_str_eq(e.field, "link");
    /* with link none the other fields are not looked at */
    toll_reconcile_options_init(&o);
    o.link_days = -5;
    inc = rec(r, &o);
    toll_incidents_free(inc);
    toll_reports_free(r);
}
END_TEST

/* ---- the three conditions -------------------------------------------------- */

START_TEST(link_none_should_keep_unkeyed_reports_apart)
{
    toll_reports *r = store();
    ADD(r, .actors = "Russia", .region = "Syria/Idlib", .date = "2016-09-25");
    ADD(r, .actors = "Russia", .region = "Syria/Idlib", .date = "2016-09-25");
    toll_incidents *inc = rec(r, NULL);
    ck_assert_uint_eq(toll_incidents_count(inc), 2);
    ck_assert_uint_eq(toll_incidents_link_count(inc), 0);
    toll_incidents_free(inc);
    inc = rec_auto(r);
    ck_assert_uint_eq(toll_incidents_count(inc), 1);
    ck_assert_uint_eq(toll_incidents_link_count(inc), 1);
    toll_incidents_free(inc);
    toll_reports_free(r);
}
END_TEST

START_TEST(window_should_include_its_edge_and_exclude_beyond_it)
{
    toll_reconcile_options o = auto_opts();
    /* d = 1: one day apart links, two days apart does not */
    ck_assert(PAIR(&o, R(.actors = "A", .region = "X/Y", .date = "2016-01-01"),
                   R(.actors = "A", .region = "X/Y", .date = "2016-01-02")));
    ck_assert(!PAIR(&o, R(.actors = "A", .region = "X/Y", .date = "2016-01-01"),
                    R(.actors = "A", .region = "X/Y", .date = "2016-01-03")));
    /* order of the reports does not matter */
    ck_assert(PAIR(&o, R(.actors = "A", .region = "X/Y", .date = "2016-01-02"),
                   R(.actors = "A", .region = "X/Y", .date = "2016-01-01")));
    /* d = 3 */
    o.link_days = 3;
    ck_assert(PAIR(&o, R(.actors = "A", .region = "X/Y", .date = "2016-01-01"),
                   R(.actors = "A", .region = "X/Y", .date = "2016-01-04")));
    ck_assert(!PAIR(&o, R(.actors = "A", .region = "X/Y", .date = "2016-01-01"),
                    R(.actors = "A", .region = "X/Y", .date = "2016-01-05")));
    /* d = 0: the same day only */
    o.link_days = 0;
    ck_assert(PAIR(&o, R(.actors = "A", .region = "X/Y", .date = "2016-01-01"),
                   R(.actors = "A", .region = "X/Y", .date = "2016-01-01")));
    ck_assert(!PAIR(&o, R(.actors = "A", .region = "X/Y", .date = "2016-01-01"),
                    R(.actors = "A", .region = "X/Y", .date = "2016-01-02")));
}
END_TEST

START_TEST(window_should_measure_the_gap_between_spans)
{
    toll_reconcile_options o = auto_opts();
    /* [1..5] and [6]: 1 day apart */
    ck_assert(PAIR(&o, R(.actors = "A", .region = "X/Y", .date = "2016-01-01",
                         .date_end = "2016-01-05"),
                   R(.actors = "A", .region = "X/Y", .date = "2016-01-06")));
    /* [1..3] and [6]: 3 days apart */
    ck_assert(!PAIR(&o, R(.actors = "A", .region = "X/Y", .date = "2016-01-01",
                          .date_end = "2016-01-03"),
                    R(.actors = "A", .region = "X/Y", .date = "2016-01-06")));
    /* a span containing the other: overlapping, 0 days apart */
    o.link_days = 0;
    o.link_max_span = 0;
    ck_assert(PAIR(&o, R(.actors = "A", .region = "X/Y", .date = "2016-01-01",
                         .date_end = "2016-01-31"),
                   R(.actors = "A", .region = "X/Y", .date = "2016-01-15")));
}
END_TEST

START_TEST(region_should_agree_at_the_level_and_ignore_deeper_levels)
{
    toll_reconcile_options o = auto_opts(); /* level 1 */
    ck_assert(!PAIR(&o,
                    R(.actors = "A", .region = "Syria/Idlib",
                      .date = "2016-01-01"),
                    R(.actors = "A", .region = "Syria/Aleppo",
                      .date = "2016-01-01")));
    ck_assert(PAIR(&o,
                   R(.actors = "A", .region = "Syria/Idlib/Ariha",
                     .date = "2016-01-01"),
                   R(.actors = "A", .region = "Syria/Idlib/Saraqib",
                     .date = "2016-01-01")));
    ck_assert(PAIR(&o,
                   R(.actors = "A", .region = "Syria/Idlib",
                     .date = "2016-01-01"),
                   R(.actors = "A", .region = "Syria/Idlib/Saraqib",
                     .date = "2016-01-01")));
    /* level 0: the country */
    o.link_region_level = 0;
    ck_assert(PAIR(&o,
                   R(.actors = "A", .region = "Syria/Idlib",
                     .date = "2016-01-01"),
                   R(.actors = "A", .region = "Syria/Aleppo",
                     .date = "2016-01-01")));
    ck_assert(!PAIR(&o,
                    R(.actors = "A", .region = "Syria", .date = "2016-01-01"),
                    R(.actors = "A", .region = "Iraq", .date = "2016-01-01")));
    /* level 2 tells districts apart */
    o.link_region_level = 2;
    ck_assert(!PAIR(&o,
                    R(.actors = "A", .region = "Syria/Idlib/Ariha",
                      .date = "2016-01-01"),
                    R(.actors = "A", .region = "Syria/Idlib/Saraqib",
                      .date = "2016-01-01")));
    /* a level is a whole path component, not a string prefix */
    o.link_region_level = 0;
    ck_assert(!PAIR(&o,
                    R(.actors = "A", .region = "Syria/X", .date = "2016-01-01"),
                    R(.actors = "A", .region = "SyriaX/X",
                      .date = "2016-01-01")));
}
END_TEST

START_TEST(full_path_level_should_require_the_same_region)
{
    toll_reconcile_options o = auto_opts();
    o.link_region_level = TOLL_LINK_FULL_PATH;
    ck_assert(PAIR(&o,
                   R(.actors = "A", .region = "Syria/Idlib/Ariha",
                     .date = "2016-01-01"),
                   R(.actors = "A", .region = "Syria/Idlib/Ariha",
                     .date = "2016-01-01")));
    ck_assert(!PAIR(&o,
                    R(.actors = "A", .region = "Syria/Idlib",
                      .date = "2016-01-01"),
                    R(.actors = "A", .region = "Syria/Idlib/Ariha",
                      .date = "2016-01-01")));
}
END_TEST

START_TEST(region_coarser_than_the_level_should_not_be_linked)
{
    toll_reconcile_options o = auto_opts(); /* level 1 */
    ck_assert(!PAIR(&o,
                    R(.actors = "A", .region = "Syria", .date = "2016-01-01"),
                    R(.actors = "A", .region = "Syria", .date = "2016-01-01")));
    ck_assert(!PAIR(&o,
                    R(.actors = "A", .region = "Syria", .date = "2016-01-01"),
                    R(.actors = "A", .region = "Syria/Idlib",
                      .date = "2016-01-01")));
    o.link_region_level = 0;
    ck_assert(PAIR(&o,
                   R(.actors = "A", .region = "Syria", .date = "2016-01-01"),
                   R(.actors = "A", .region = "Syria/Idlib",
                     .date = "2016-01-01")));
}
END_TEST

START_TEST(actor_sets_should_overlap)
{
    toll_reconcile_options o = auto_opts();
    ck_assert(!PAIR(&o,
                    R(.actors = "Russia", .region = "X/Y",
                      .date = "2016-01-01"),
                    R(.actors = "ISIS", .region = "X/Y",
                      .date = "2016-01-01")));
    ck_assert(PAIR(&o,
                   R(.actors = "Russia;Syria", .region = "X/Y",
                     .date = "2016-01-01"),
                   R(.actors = "Russia", .region = "X/Y",
                     .date = "2016-01-01")));
    ck_assert(PAIR(&o,
                   R(.actors = "Russia;Syria", .region = "X/Y",
                     .date = "2016-01-01"),
                   R(.actors = "Syria;US", .region = "X/Y",
                     .date = "2016-01-01")));
}
END_TEST

/* Actor identity (src/base/fold.c): the same actor in another case,
 * spacing or Unicode form is a shared actor, named by its first spelling. */
START_TEST(actor_in_another_spelling_should_be_shared)
{
    toll_reconcile_options o = auto_opts();
    ck_assert(PAIR(&o,
                   R(.actors = "Russia", .region = "X/Y",
                     .date = "2016-01-01"),
                   R(.actors = "RUSSIA", .region = "X/Y",
                     .date = "2016-01-01")));
    ck_assert(PAIR(&o,
                   R(.actors = "Russian Federation", .region = "X/Y",
                     .date = "2016-01-01"),
                   R(.actors = " russian  federation", .region = "X/Y",
                     .date = "2016-01-01")));
    ck_assert(PAIR(&o,
                   R(.actors = "Österreich", .region = "X/Y",
                     .date = "2016-01-01"),
                   R(.actors = "ÖSTERREICH", .region = "X/Y",
                     .date = "2016-01-01")));
    toll_reports *r = store();
    ADD(r, .source = "SNHR", .actors = "russia", .region = "Syria/Idlib",
        .date = "2016-01-01", .killed = 3);
    ADD(r, .source = "AFP", .actors = "Russia", .region = "Syria/Idlib",
        .date = "2016-01-01", .killed = 4);
    toll_incidents *inc = rec_auto(r);
    ck_assert_uint_eq(toll_incidents_count(inc), 1);
    ck_assert_uint_eq(toll_incidents_link_count(inc), 1);
    toll_link k;
    ck_assert_int_eq(toll_incidents_link(inc, 0, &k, NULL), TOLL_OK);
    ck_assert_uint_eq(k.n_shared_actors, 1);
    ck_assert_str_eq(toll_incidents_link_shared_actor(inc, 0, 0), "russia");
    toll_incidents_free(inc);
    toll_reports_free(r);
}
END_TEST

START_TEST(reports_without_actors_should_link_only_when_actors_are_ignored)
{
    toll_reconcile_options o = auto_opts();
    ck_assert(!PAIR(&o, R(.region = "X/Y", .date = "2016-01-01"),
                    R(.region = "X/Y", .date = "2016-01-01")));
    ck_assert(!PAIR(&o, R(.region = "X/Y", .date = "2016-01-01"),
                    R(.actors = "A", .region = "X/Y", .date = "2016-01-01")));
    o.link_require_actor = 0;
    ck_assert(PAIR(&o, R(.region = "X/Y", .date = "2016-01-01"),
                   R(.actors = "A", .region = "X/Y", .date = "2016-01-01")));
    ck_assert(PAIR(&o,
                   R(.actors = "B", .region = "X/Y", .date = "2016-01-01"),
                   R(.actors = "A", .region = "X/Y", .date = "2016-01-02")));
    ck_assert(!PAIR(&o,
                    R(.actors = "B", .region = "X/Y", .date = "2016-01-01"),
                    R(.actors = "A", .region = "X/Y", .date = "2016-01-03")));
}
END_TEST

START_TEST(reports_without_dates_or_regions_should_not_be_linked)
{
    toll_reconcile_options o = auto_opts();
    ck_assert(!PAIR(&o, R(.actors = "A", .region = "X/Y"),
                    R(.actors = "A", .region = "X/Y")));
    ck_assert(!PAIR(&o, R(.actors = "A", .date = "2016-01-01"),
                    R(.actors = "A", .date = "2016-01-01")));
    o.link_region_level = 0;
    o.link_require_actor = 0;
    ck_assert(!PAIR(&o, R(.date = "2016-01-01"), R(.date = "2016-01-01")));
}
END_TEST

/* ---- clusters --------------------------------------------------------------- */

START_TEST(links_should_be_transitive)
{
    toll_reports *r = store();
    /* 1-2 and 2-3 one day apart; 1 and 3 two days apart */
    ADD(r, .actors = "A", .region = "X/Y", .date = "2016-01-01");
    ADD(r, .actors = "A", .region = "X/Y", .date = "2016-01-02");
    ADD(r, .actors = "A", .region = "X/Y", .date = "2016-01-03");
    ADD(r, .actors = "A", .region = "X/Y", .date = "2016-01-05");
    toll_incidents *inc = rec_auto(r);
    ck_assert_uint_eq(toll_incidents_count(inc), 2);
    ck_assert(same_incident(inc, 0, 2));
    ck_assert(!same_incident(inc, 0, 3));
    ck_assert_uint_eq(inc->r_count[0], 3);
    ck_assert_uint_eq(toll_incidents_link_count(inc), 2);
    toll_incidents_free(inc);
    toll_reports_free(r);
}
END_TEST

START_TEST(transitivity_should_pass_through_different_actors)
{
    toll_reports *r = store();
    ADD(r, .actors = "Russia", .region = "X/Y", .date = "2016-01-01");
    ADD(r, .actors = "US", .region = "X/Y", .date = "2016-01-01");
    ADD(r, .actors = "Russia;US", .region = "X/Y", .date = "2016-01-02");
    toll_incidents *inc = rec_auto(r);
    ck_assert_uint_eq(toll_incidents_count(inc), 1);
    ck_assert_uint_eq(toll_incidents_link_count(inc), 2);
    toll_incidents_free(inc);
    toll_reports_free(r);
}
END_TEST

/* A long span stays in the window after shorter, later reports of the same
 * actor: the sweep must remember the report that ends last. */
START_TEST(long_span_should_stay_in_the_window)
{
    toll_reconcile_options o = auto_opts();
    o.link_max_span = 0; /* no limit: the 20-day span is not vague */
    toll_reports *r = store();
    ADD(r, .actors = "A", .region = "X/Y", .date = "2016-01-01",
        .date_end = "2016-01-20");
    ADD(r, .actors = "A", .region = "X/Y", .date = "2016-01-02");
    ADD(r, .actors = "A", .region = "X/Y", .date = "2016-01-10");
    ADD(r, .actors = "A", .region = "X/Y", .date = "2016-01-21");
    ADD(r, .actors = "A", .region = "X/Y", .date = "2016-01-23");
    toll_incidents *inc = rec(r, &o);
    ck_assert_uint_eq(toll_incidents_count(inc), 2);
    ck_assert(same_incident(inc, 0, 3));
    ck_assert(!same_incident(inc, 0, 4));
    toll_incidents_free(inc);
    toll_reports_free(r);
}
END_TEST

/* "2013" to "2021": a span longer than link_max_span links only to the
 * very same span, so it cannot chain the incidents of nine years. */
START_TEST(vague_span_should_link_only_to_the_same_span)
{
    toll_reconcile_options o = auto_opts(); /* max span 7 */
    toll_reports *r = store();
    ADD(r, .actors = "A", .region = "X/Y", .date = "2013-01-01",
        .date_end = "2021-12-31");
    ADD(r, .actors = "A", .region = "X/Y", .date = "2016-01-01");
    ADD(r, .actors = "A", .region = "X/Y", .date = "2013-01-01",
        .date_end = "2021-12-31");
    ADD(r, .actors = "A", .region = "X/Y", .date = "2013-01-01",
        .date_end = "2021-12-30");
    ADD(r, .actors = "A", .region = "X/Y", .date = "2017-09-19",
        .date_end = "2017-09-27"); /* 9 days: vague at 7 */
    ADD(r, .actors = "A", .region = "X/Y", .date = "2017-09-19",
        .date_end = "2017-09-27");
    ADD(r, .actors = "A", .region = "X/Y", .date = "2017-09-20");
    ADD(r, .actors = "A", .region = "X/Y", .date = "2017-09-21",
        .date_end = "2017-09-27"); /* 7 days: not vague */
    toll_incidents *inc = rec(r, &o);
    ck_assert(same_incident(inc, 0, 2));
    ck_assert(!same_incident(inc, 0, 1));
    ck_assert(!same_incident(inc, 0, 3));
    ck_assert(same_incident(inc, 4, 5));
    ck_assert(!same_incident(inc, 4, 6));
    ck_assert(same_incident(inc, 6, 7));
    ck_assert_uint_eq(toll_incidents_count(inc), 5);
    toll_incidents_free(inc);
    /* 0: no limit - the long spans chain everything */
    o.link_max_span = 0;
    inc = rec(r, &o);
    ck_assert_uint_eq(toll_incidents_count(inc), 1);
    toll_incidents_free(inc);
    o.link_max_span = 9;
    inc = rec(r, &o);
    ck_assert(same_incident(inc, 4, 6));
    ck_assert(!same_incident(inc, 0, 1));
    toll_incidents_free(inc);
    toll_reports_free(r);
}
END_TEST

START_TEST(keyed_reports_should_keep_their_key_and_not_absorb_unkeyed_ones)
{
    toll_reports *r = store();
    ADD(r, .incident = "K1", .actors = "A", .region = "X/Y",
        .date = "2016-01-01");
    ADD(r, .actors = "A", .region = "X/Y", .date = "2016-01-01");
    ADD(r, .incident = "K1", .actors = "B", .region = "Q/R",
        .date = "2016-05-01");
    ADD(r, .incident = "K2", .actors = "A", .region = "X/Y",
        .date = "2016-01-01");
    ADD(r, .actors = "A", .region = "X/Y", .date = "2016-01-02");
    toll_incidents *inc = rec_auto(r);
    ck_assert_uint_eq(toll_incidents_count(inc), 3);
    ck_assert_str_eq(key_of(inc, 0), "K1");
    ck_assert_uint_eq(inc->r_count[0], 2);
    ck_assert(same_incident(inc, 0, 2));
    ck_assert(!same_incident(inc, 0, 1));
    ck_assert(same_incident(inc, 1, 4));
    ck_assert_str_eq(key_of(inc, 1), "auto:fx.json:2");
    ck_assert_str_eq(key_of(inc, 2), "K2");
    ck_assert_uint_eq(toll_incidents_link_count(inc), 1);
    toll_incidents_free(inc);
    toll_reports_free(r);
}
END_TEST

START_TEST(linked_incident_should_be_keyed_after_its_first_report)
{
    toll_reports *r = store();
    ADD(r, .actors = "A", .region = "X/Y", .date = "2016-03-01");
    ADD(r, .actors = "B", .region = "X/Y", .date = "2016-01-05");
    ADD(r, .actors = "A", .region = "X/Y", .date = "2016-02-29");
    ADD(r, .actors = "B", .region = "X/Y", .date = "2016-01-04");
    toll_incidents *inc = rec_auto(r);
    ck_assert_uint_eq(toll_incidents_count(inc), 2);
    /* incidents in order of their first report */
    ck_assert_str_eq(key_of(inc, 0), "auto:fx.json:1");
    ck_assert_str_eq(key_of(inc, 1), "auto:fx.json:2");
    ck_assert_uint_eq(inc->first_report[1], 1);
    /* the incidents table shows the key */
    toll_table *t = NULL;
    ck_assert_int_eq(toll_incidents_table(inc, NULL, &t, NULL), TOLL_OK);
    ck_assert_str_eq(toll_table_string(t, 0, 0), "auto:fx.json:1");
    ck_assert_str_eq(toll_table_string(t, 0, 1), "auto:fx.json:2");
    toll_table_free(t);
    toll_incidents_free(inc);
    /* a second reconcile finds the same keys (interned once) */
    size_t nstr = r->strings.count;
    inc = rec_auto(r);
    ck_assert_uint_eq(r->strings.count, nstr);
    ck_assert_str_eq(key_of(inc, 0), "auto:fx.json:1");
    toll_incidents_free(inc);
    toll_reports_free(r);
}
END_TEST

START_TEST(unlinked_report_should_stay_unkeyed)
{
    toll_reports *r = store();
    ADD(r, .actors = "A", .region = "X/Y", .date = "2016-03-01");
    ADD(r, .actors = "A", .region = "X/Y", .date = "2016-04-01");
    toll_incidents *inc = rec_auto(r);
    ck_assert_uint_eq(toll_incidents_count(inc), 2);
    ck_assert_uint_eq(inc->key[0], 0);
    toll_table *t = NULL;
    ck_assert_int_eq(toll_incidents_table(inc, NULL, &t, NULL), TOLL_OK);
    ck_assert_str_eq(toll_table_string(t, 0, 0), "fx.json:1");
    toll_table_free(t);
    toll_incidents_free(inc);
    toll_reports_free(r);
}
END_TEST

START_TEST(linked_reports_should_be_reconciled_as_one_incident)
{
    toll_reports *r = store();
    ADD(r, .source = "SNHR", .actors = "Russia", .region = "Syria/Idlib",
        .date = "2016-09-25", .killed = 92);
    ADD(r, .source = "Headline", .actors = "Russia;Syria",
        .region = "Syria/Idlib/Ariha", .date = "2016-09-26", .killed = 85);
    toll_incidents *inc = rec_auto(r);
    ck_assert_uint_eq(toll_incidents_count(inc), 1);
    ck_assert_uint_eq(inc->n_sources[0], 2);
    ck_assert_int_eq(inc->grade[0], TOLL_GRADE_CORROBORATED);
    ck_assert_int_eq(inc->c_low[inc->c_begin[0]], 85);
    ck_assert_int_eq(inc->c_high[inc->c_begin[0]], 92);
    /* the spans do not intersect: a date conflict, as for keyed reports */
    ck_assert(inc->flags[0] & TOLL_FLAG_DATE_CONFLICT);
    toll_incidents_free(inc);
    toll_reports_free(r);
}
END_TEST

/* ---- explanations ------------------------------------------------------------- */

static toll_reports *explain_store(void)
{
    toll_reports *r = store();
    ADD(r, .incident = "k", .source = "X", .actors = "Russia",
        .region = "Syria/Idlib", .date = "2016-09-25");
    ADD(r, .source = "SNHR", .actors = "Russia;Syria",
        .region = "Syria/Idlib/Ariha", .date = "2016-09-25");
    ADD(r, .source = "AFP", .actors = "Russia", .region = "Syria/Idlib",
        .date = "2016-09-25");
    ADD(r, .source = "SOHR", .actors = "Russia;Syria", .region = "Syria/Idlib",
        .date = "2016-09-26", .date_end = "2016-09-27");
    ADD(r, .source = "Lone", .actors = "ISIS", .region = "Iraq/Mosul",
        .date = "2016-09-25");
    return r;
}

START_TEST(link_should_say_which_reports_and_why)
{
    toll_reports *r = explain_store();
    toll_incidents *inc = rec_auto(r);
    ck_assert_uint_eq(toll_incidents_count(inc), 3);
    ck_assert_uint_eq(toll_incidents_link_count(inc), 2);
    toll_link k;
    ck_assert_int_eq(toll_incidents_link(inc, 0, &k, NULL), TOLL_OK);
    ck_assert_uint_eq(k.incident, 1);
    ck_assert_uint_eq(k.report_a, 1);
    ck_assert_uint_eq(k.report_b, 2);
    ck_assert_str_eq(k.file_a, "fx.json");
    ck_assert_int_eq(k.line_a, 2);
    ck_assert_int_eq(k.line_b, 3);
    ck_assert_str_eq(k.source_a, "SNHR");
    ck_assert_str_eq(k.source_b, "AFP");
    ck_assert_int_eq(k.days_apart, 0);
    ck_assert_str_eq(k.region, "Syria/Idlib");
    ck_assert_uint_eq(k.n_shared_actors, 1);
    ck_assert_str_eq(toll_incidents_link_shared_actor(inc, 0, 0), "Russia");
    ck_assert_ptr_null(toll_incidents_link_shared_actor(inc, 0, 1));
    ck_assert_int_eq(toll_incidents_link(inc, 1, &k, NULL), TOLL_OK);
    ck_assert_uint_eq(k.report_a, 1);
    ck_assert_uint_eq(k.report_b, 3);
    ck_assert_int_eq(k.days_apart, 1);
    ck_assert_uint_eq(k.n_shared_actors, 2);
    ck_assert_str_eq(toll_incidents_link_shared_actor(inc, 1, 0), "Russia");
    ck_assert_str_eq(toll_incidents_link_shared_actor(inc, 1, 1), "Syria");
    toll_error e;
    ck_assert_int_eq(toll_incidents_link(inc, 2, &k, &e), TOLL_ERANGE);
    ck_assert_ptr_null(toll_incidents_link_shared_actor(inc, 2, 0));
    ck_assert_int_eq(toll_incidents_link(NULL, 0, &k, NULL), TOLL_EINVAL);
    toll_incidents_free(inc);
    toll_reports_free(r);
}
END_TEST

START_TEST(links_table_should_have_the_documented_columns_and_sentences)
{
    static const char *names[] = {"incident",   "report_a",      "report_b",
                                  "source_a",   "source_b",      "days_apart",
                                  "region",     "shared_actors", "explanation"};
    toll_reports *r = explain_store();
    toll_incidents *inc = rec_auto(r);
    toll_table *t = NULL;
    ck_assert_int_eq(toll_incidents_links_table(inc, NULL, &t, NULL),
                     TOLL_OK);
    ck_assert_uint_eq(toll_table_ncols(t), 9);
    for (size_t j = 0; j < 9; j++)
        ck_assert_str_eq(toll_table_column_name(t, j), names[j]);
    ck_assert_uint_eq(toll_table_nrows(t), 2);
    ck_assert_str_eq(toll_table_string(t, 0, 0), "auto:fx.json:2");
    ck_assert_str_eq(toll_table_string(t, 1, 0), "fx.json:2");
    ck_assert_str_eq(toll_table_string(t, 2, 1), "fx.json:4");
    ck_assert_str_eq(toll_table_string(t, 3, 0), "SNHR");
    ck_assert_str_eq(toll_table_string(t, 4, 1), "SOHR");
    ck_assert_int_eq(toll_table_int64(t, 5)[0], 0);
    ck_assert_int_eq(toll_table_int64(t, 5)[1], 1);
    ck_assert_str_eq(toll_table_string(t, 6, 0), "Syria/Idlib");
    ck_assert_str_eq(toll_table_string(t, 7, 1), "Russia + Syria");
    ck_assert_str_eq(toll_table_string(t, 8, 0),
                     "fx.json:2 ~ fx.json:3: 0 days apart, same region "
                     "Syria/Idlib, shared actor Russia");
    ck_assert_str_eq(toll_table_string(t, 8, 1),
                     "fx.json:2 ~ fx.json:4: 1 day apart, same region "
                     "Syria/Idlib, shared actors Russia + Syria");
    toll_table_free(t);
    toll_incidents_free(inc);

    /* without linking: an empty table with the same columns */
    inc = rec(r, NULL);
    ck_assert_int_eq(toll_incidents_links_table(inc, NULL, &t, NULL),
                     TOLL_OK);
    ck_assert_uint_eq(toll_table_nrows(t), 0);
    ck_assert_uint_eq(toll_table_ncols(t), 9);
    toll_table_free(t);
    toll_incidents_free(inc);
    ck_assert_int_eq(toll_incidents_links_table(NULL, NULL, &t, NULL),
                     TOLL_EINVAL);
    toll_reports_free(r);
}
END_TEST

START_TEST(explanation_should_say_when_actors_were_not_compared)
{
    toll_reports *r = store();
    ADD(r, .actors = "A", .region = "X/Y", .date = "2016-01-01");
    ADD(r, .region = "X/Y/Z", .date = "2016-01-03");
    toll_reconcile_options o = auto_opts();
    o.link_require_actor = 0;
    o.link_days = 2;
    toll_incidents *inc = rec(r, &o);
    toll_table *t = NULL;
    ck_assert_int_eq(toll_incidents_links_table(inc, NULL, &t, NULL),
                     TOLL_OK);
    ck_assert_uint_eq(toll_table_nrows(t), 1);
    ck_assert_str_eq(toll_table_string(t, 8, 0),
                     "fx.json:1 ~ fx.json:2: 2 days apart, same region X/Y, "
                     "actors not compared");
    ck_assert_ptr_null(toll_table_string(t, 7, 0));
    toll_table_free(t);
    toll_incidents_free(inc);
    toll_reports_free(r);
}
END_TEST

/* ---- a brute-force oracle ------------------------------------------------------ */

static uint64_t rng_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}
static unsigned rng_below(uint64_t *s, unsigned n)
{
    return (unsigned)(rng_next(s) % n);
}
static double rng_unit(uint64_t *s)
{
    return (double)(rng_next(s) >> 11) / 9007199254740992.0;
}

/* The conditions of toll/link.h, checked directly on two reports. */
static int oracle_linkable(const toll_reports *r,
                           const toll_reconcile_options *o, size_t i)
{
    if (r->incident[i] || !r->region[i])
        return 0;
    if (r->date_start[i] == TOLL_NO_DATE && r->date_end[i] == TOLL_NO_DATE)
        return 0;
    if (o->link_require_actor && !r->actors[i])
        return 0;
    if (o->link_region_level >= 0) {
        const char *s = toll__str(&r->strings, r->region[i]);
        int levels = 1;
        for (; *s; s++)
            levels += *s == '/';
        if (levels < o->link_region_level + 1)
            return 0;
    }
    return 1;
}

static size_t oracle_prefix(const char *s, int level)
{
    size_t len = strlen(s);
    if (level < 0)
        return len;
    int seps = 0;
    for (size_t p = 0; p < len; p++)
        if (s[p] == '/' && ++seps == level + 1)
            return p;
    return len;
}

static int oracle_pair(const toll_reports *r, const toll_reconcile_options *o,
                       size_t i, size_t j)
{
    if (!oracle_linkable(r, o, i) || !oracle_linkable(r, o, j))
        return 0;
    int32_t si = r->date_start[i], ei = r->date_end[i];
    int32_t sj = r->date_start[j], ej = r->date_end[j];
    int vi = o->link_max_span && ei - si + 1 > o->link_max_span;
    int vj = o->link_max_span && ej - sj + 1 > o->link_max_span;
    if (vi != vj || (vi && (si != sj || ei != ej)))
        return 0;
    int64_t gap = (int64_t)(si > sj ? si : sj) - (ei < ej ? ei : ej);
    if (gap > o->link_days)
        return 0;
    const char *gi = toll__str(&r->strings, r->region[i]);
    const char *gj = toll__str(&r->strings, r->region[j]);
    size_t pi = oracle_prefix(gi, o->link_region_level);
    size_t pj = oracle_prefix(gj, o->link_region_level);
    if (pi != pj || memcmp(gi, gj, pi) != 0)
        return 0;
    if (!o->link_require_actor)
        return 1;
    const toll__setpool *sp = &r->actor_sets;
    for (size_t a = 0; a < toll__set_size(sp, r->actors[i]); a++)
        if (toll__set_contains(sp, r->actors[j],
                               toll__set_members(sp, r->actors[i])[a]))
            return 1;
    return 0;
}

static uint32_t oracle_find(uint32_t *p, uint32_t x)
{
    while (p[x] != x)
        x = p[x] = p[p[x]];
    return x;
}

START_TEST(clusters_should_equal_the_components_of_the_pairwise_links)
{
    static const char *regions[] = {"C", "C/A", "C/A/x", "C/A/y", "C/B",
                                    "C/B/x", "D/A", "D/A/x"};
    static const char *actor_sets[] = {NULL, "R", "S", "R;S", "T", "S;T"};
    uint64_t seed = 12345;
    for (int round = 0; round < 60; round++) {
        toll_reports *r = store();
        size_t n = 20 + rng_below(&seed, 180);
        for (size_t i = 0; i < n; i++) {
            const char *inc = rng_below(&seed, 10) == 0 ? "K" : NULL;
            int32_t s = 17000 + (int32_t)rng_below(&seed, 30);
            int32_t e = s + (rng_below(&seed, 5) == 0
                                 ? (int32_t)rng_below(&seed, 6) : 0);
            if (rng_below(&seed, 10) == 0) { /* a few shared long spans */
                s = 17000 + (int32_t)rng_below(&seed, 2);
                e = s + 9 + (int32_t)rng_below(&seed, 2);
            }
            if (rng_below(&seed, 20) == 0)
                s = e = TOLL_NO_DATE;
            const char *g = rng_below(&seed, 20) == 0
                                ? NULL
                                : regions[rng_below(&seed, 8)];
            add_row(r, S(r, inc), S(r, "src"),
                    SET(r, actor_sets[rng_below(&seed, 6)]), S(r, g), s, e,
                    S(r, "f"), 1, S(r, "killed"));
        }
        toll_reconcile_options o = auto_opts();
        o.link_days = (int)rng_below(&seed, 3);
        o.link_region_level = (int)rng_below(&seed, 4) - 1;
        o.link_require_actor = rng_below(&seed, 4) != 0;
        o.link_max_span = (int)rng_below(&seed, 3) * 3; /* 0, 3 or 6 */
        toll_incidents *inc = rec(r, &o);

        uint32_t *p = malloc(n * sizeof *p);
        size_t *of = malloc(n * sizeof *of);
        ck_assert(p && of);
        for (size_t i = 0; i < n; i++) {
            p[i] = (uint32_t)i;
            of[i] = SIZE_MAX;
        }
        for (size_t i = 0; i < n; i++)
            for (size_t j = i + 1; j < n; j++)
                if (oracle_pair(r, &o, i, j))
                    p[oracle_find(p, (uint32_t)i)] = oracle_find(p,
                                                                 (uint32_t)j);
        for (size_t c = 0; c < inc->n; c++)
            for (uint32_t k = 0; k < inc->r_count[c]; k++)
                of[inc->report_idx[inc->r_begin[c] + k]] = c;
        for (size_t i = 0; i < n; i++) {
            ck_assert_uint_ne(of[i], SIZE_MAX);
            for (size_t j = i + 1; j < n; j++) {
                int same_truth = r->incident[i] && r->incident[i] ==
                                                       r->incident[j];
                if (!r->incident[i] && !r->incident[j])
                    same_truth = oracle_find(p, (uint32_t)i) ==
                                 oracle_find(p, (uint32_t)j);
                ck_assert_msg(same_truth == (of[i] == of[j]),
                              "round %d (d=%d level=%d actors=%d span=%d): "
                              "reports %zu and %zu",
                              round, o.link_days, o.link_region_level,
                              o.link_require_actor, o.link_max_span, i, j);
            }
        }
        /* every link is a qualifying pair; one link per merge */
        size_t nl = toll_incidents_link_count(inc), expect = 0;
        for (size_t c = 0; c < inc->n; c++)
            if (!r->incident[inc->first_report[c]])
                expect += inc->r_count[c] - 1;
        ck_assert_uint_eq(nl, expect);
        for (size_t k = 0; k < nl; k++) {
            toll_link l;
            ck_assert_int_eq(toll_incidents_link(inc, k, &l, NULL), TOLL_OK);
            ck_assert(oracle_pair(r, &o, l.report_a, l.report_b));
            ck_assert_uint_eq(of[l.report_a], l.incident);
            ck_assert_uint_eq(of[l.report_b], l.incident);
            ck_assert(l.days_apart <= o.link_days);
        }
        free(p);
        free(of);
        toll_incidents_free(inc);
        toll_reports_free(r);
    }
}
END_TEST

/* ---- synthetic duplicates with known truth ------------------------------------ */

/*
 * T true incidents over `days` days in a country of 14 governorates of 5
 * districts each; actors drawn from a Syria-like mix.  Each incident is
 * reported 1-4 times (mean 2.25); each report is noisy:
 *   date:   exact 70%, +/-1 day 24%, +/-2 days 6%; 10% give a 2-4 day span
 *           around the date instead;
 *   region: district 70%, governorate only 30%;
 *   actors: the true set 80%, one of a joint pair 10%, a wrong actor 5%,
 *           none 5%.
 * truth[i] is report i's true incident.  No report carries a key.
 */
typedef struct gen {
    size_t incidents;
    int days;
    uint64_t seed;
} gen;

#define GEN_GOVS 14
#define GEN_DISTRICTS 5

static uint32_t *generate(toll_reports *r, const gen *g)
{
    static const char *sets[] = {"Russia", "Russia;Syria", "Syria",
                                 "Coalition", "Turkey", "ISIS"};
    static const double set_p[] = {0.30, 0.25, 0.20, 0.10, 0.05, 0.10};
    uint32_t set_id[6], single[6], wrong[3], gov[GEN_GOVS],
        dist[GEN_GOVS][GEN_DISTRICTS], killed = S(r, "killed"),
        file = S(r, "synthetic.jsonl"), src[4];
    char buf[64];
    for (int k = 0; k < 6; k++)
        set_id[k] = SET(r, sets[k]);
    single[0] = SET(r, "Russia");
    single[1] = SET(r, "Syria");
    wrong[0] = SET(r, "Unknown");
    wrong[1] = SET(r, "Hezbollah");
    wrong[2] = SET(r, "Iran");
    for (int k = 0; k < 4; k++) {
        snprintf(buf, sizeof buf, "source-%d", k);
        src[k] = S(r, buf);
    }
    for (int a = 0; a < GEN_GOVS; a++) {
        snprintf(buf, sizeof buf, "Syria/G%02d", a);
        gov[a] = S(r, buf);
        for (int b = 0; b < GEN_DISTRICTS; b++) {
            snprintf(buf, sizeof buf, "Syria/G%02d/D%d", a, b);
            dist[a][b] = S(r, buf);
        }
    }
    uint64_t s = g->seed;
    size_t cap = g->incidents * 4, n = 0;
    uint32_t *truth = malloc(cap * sizeof *truth);
    ck_assert_ptr_nonnull(truth);
    for (size_t t = 0; t < g->incidents; t++) {
        int32_t day = 16800 + (int32_t)rng_below(&s, (unsigned)g->days);
        int a = (int)rng_below(&s, GEN_GOVS), b = (int)rng_below(&s,
                                                                GEN_DISTRICTS);
        double u = rng_unit(&s), acc = 0;
        int set = 5;
        for (int k = 0; k < 6; k++)
            if (u < (acc += set_p[k])) {
                set = k;
                break;
            }
        double v = rng_unit(&s);
        int nrep = v < 0.30 ? 1 : v < 0.60 ? 2 : v < 0.85 ? 3 : 4;
        for (int k = 0; k < nrep; k++) {
            double w = rng_unit(&s);
            int off = w < 0.70 ? 0 : w < 0.94 ? 1 : 2;
            if (off && rng_below(&s, 2))
                off = -off;
            int32_t rs = day + off, re = rs;
            if (rng_unit(&s) < 0.10) {
                rs = day - (int32_t)rng_below(&s, 3);
                re = day + (int32_t)rng_below(&s, 3);
            }
            uint32_t region = rng_unit(&s) < 0.70 ? dist[a][b] : gov[a];
            double x = rng_unit(&s);
            uint32_t actors = set_id[set];
            if (x < 0.80)
                actors = set_id[set];
            else if (x < 0.90)
                actors = set == 1 ? single[rng_below(&s, 2)] : set_id[set];
            else if (x < 0.95)
                actors = wrong[rng_below(&s, 3)];
            else
                actors = 0;
            add_row(r, 0, src[k], actors, region, rs, re, file,
                    (int64_t)rng_below(&s, 50), killed);
            truth[n++] = (uint32_t)t;
        }
    }
    return truth;
}

static int u64_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static double pairs(double k) { return k * (k - 1) / 2; }

/* Pairwise precision and recall of the incidents against truth[]. */
static void score(const toll_incidents *inc, const uint32_t *truth,
                  size_t n, double *precision, double *recall)
{
    uint64_t *cell = malloc(n * sizeof *cell);
    size_t *tsize = calloc(n, sizeof *tsize);
    ck_assert(cell && tsize);
    double predicted = 0, actual = 0, both = 0;
    for (size_t c = 0; c < inc->n; c++) {
        predicted += pairs(inc->r_count[c]);
        for (uint32_t k = 0; k < inc->r_count[c]; k++) {
            uint32_t i = inc->report_idx[inc->r_begin[c] + k];
            cell[i] = (uint64_t)c << 32 | truth[i];
        }
    }
    for (size_t i = 0; i < n; i++)
        tsize[truth[i]]++;
    for (size_t t = 0; t < n; t++)
        actual += pairs((double)tsize[t]);
    qsort(cell, n, sizeof *cell, u64_cmp);
    for (size_t i = 0, j; i < n; i = j) {
        for (j = i + 1; j < n && cell[j] == cell[i]; j++)
            ;
        both += pairs((double)(j - i));
    }
    *precision = predicted ? both / predicted : 1;
    *recall = actual ? both / actual : 1;
    free(cell);
    free(tsize);
}

static void run_synthetic(size_t incidents, int days, int level,
                          double *precision, double *recall, size_t *nrep)
{
    toll_reports *r = store();
    gen g = {incidents, days, 2024};
    uint32_t *truth = generate(r, &g);
    toll_reconcile_options o = auto_opts();
    o.link_region_level = level;
    toll_incidents *inc = rec(r, &o);
    *nrep = r->n;
    score(inc, truth, r->n, precision, recall);
    free(truth);
    toll_incidents_free(inc);
    toll_reports_free(r);
}

/*
 * Thresholds.  The noise model bounds recall: a pair can only be linked
 * when both reports name an overlapping actor set (each does with
 * probability about 0.9: 5% wrong, 5% none, and joint Russia+Syria
 * reports sometimes name one each) and their dates fall within the window
 * (about 0.94 of pairs at d = 1), so about 0.9^2 * 0.94 = 0.76 of the true
 * pairs at level 1; at level 2 both must also give the district (0.7^2),
 * about 0.37.  Precision is bounded by density: a report's 3-day window
 * at level 1 holds on average 3 * 2.25 * density reports of other
 * incidents in its governorate, about 45% of which share an actor, and
 * every such false link merges two whole clusters.
 *   - Sparse (600 incidents in two years: 0.06 per governorate-day, about
 *     the density of Airwars' Syria incidents): expected precision about
 *     0.8 at level 1; we require 0.75 and recall 0.68.
 *   - Dense (3000 incidents: 0.29 per governorate-day): at level 1 the
 *     clusters chain (precision below 0.5); level 2 (districts) restores
 *     precision (expected about 0.85, we require 0.80) at the cost of the
 *     reports that give only a governorate (recall about 0.37; we
 *     require 0.33).  The trade-off itself is asserted: level 2 must be
 *     more precise and level 1 must recall more.
 * docs/linking.md has the whole table (density x level x window).
 */
START_TEST(synthetic_duplicates_should_be_found_with_good_precision_and_recall)
{
    double ps, rs, p1, r1, p2, r2;
    size_t ns, n1, n2;
    run_synthetic(600, 730, 1, &ps, &rs, &ns);
    run_synthetic(3000, 730, 1, &p1, &r1, &n1);
    run_synthetic(3000, 730, 2, &p2, &r2, &n2);
    printf("link precision/recall (pairwise), synthetic duplicates, d = 1:\n"
           "   600 incidents, %zu reports, level 1: precision %.3f recall "
           "%.3f\n"
           "  3000 incidents, %zu reports, level 1: precision %.3f recall "
           "%.3f\n"
           "  3000 incidents, %zu reports, level 2: precision %.3f recall "
           "%.3f\n",
           ns, ps, rs, n1, p1, r1, n2, p2, r2);
    fflush(stdout);
    ck_assert_msg(ps >= 0.75, "sparse precision %.3f", ps);
    ck_assert_msg(rs >= 0.68, "sparse recall %.3f", rs);
    ck_assert_msg(p2 >= 0.80, "dense level-2 precision %.3f", p2);
    ck_assert_msg(r2 >= 0.33, "dense level-2 recall %.3f", r2);
    ck_assert_msg(p2 > p1, "level 2 should be more precise");
    ck_assert_msg(r1 > r2, "level 1 should recall more");
}
END_TEST

/* ---- allocation failures --------------------------------------------------- */

static toll_reports *fail_store(const toll_allocator *a)
{
    toll_reports *r = NULL;
    ck_assert_int_eq(toll_reports_new(a, &r, NULL), TOLL_OK);
    ADD(r, .incident = "k", .actors = "A", .region = "X/Y/Z",
        .date = "2016-01-01");
    ADD(r, .actors = "A", .region = "X/P/Z", .date = "2016-01-01");
    ADD(r, .actors = "A;B", .region = "X/P/W", .date = "2016-01-02");
    ADD(r, .actors = "B", .region = "X/P/V", .date = "2016-01-03");
    ADD(r, .actors = "B", .region = "X/Q", .date = "2016-01-03");
    ADD(r, .actors = "B", .region = "X/Q", .date = "2016-01-03");
    return r;
}

START_TEST(reconcile_with_links_should_fail_cleanly_at_every_allocation)
{
    toll_reports *r = fail_store(NULL);
    toll_reconcile_options o = auto_opts();
    int ok = 0;
    for (long n = 1; n < 300 && !ok; n++) {
        failing_alloc f;
        failing_alloc_init(&f, n);
        toll_incidents *inc = NULL;
        toll_error e;
        toll_status st = toll_reconcile(r, &o, &f.a, &inc, &e);
        ck_assert_msg(st == TOLL_OK || st == TOLL_ENOMEM,
                      "n=%ld: status %d", n, (int)st);
        if (st == TOLL_OK) {
            ok = 1;
            ck_assert_uint_eq(toll_incidents_count(inc), 3);
            ck_assert_uint_eq(toll_incidents_link_count(inc), 3);
        } else {
            ck_assert_ptr_null(inc);
            ck_assert_int_eq(e.code, TOLL_ENOMEM);
        }
        toll_incidents_free(inc);
        ck_assert_int_eq(f.live, 0);
    }
    ck_assert_msg(ok, "never succeeded");
    toll_reports_free(r);
}
END_TEST

START_TEST(links_table_should_fail_cleanly_at_every_allocation)
{
    toll_reports *r = fail_store(NULL);
    toll_incidents *inc = rec_auto(r);
    int ok = 0;
    for (long n = 1; n < 1000 && !ok; n++) {
        failing_alloc f;
        failing_alloc_init(&f, n);
        toll_table *t = NULL;
        toll_status st = toll_incidents_links_table(inc, &f.a, &t, NULL);
        ck_assert_msg(st == TOLL_OK || st == TOLL_ENOMEM,
                      "n=%ld: status %d", n, (int)st);
        if (st == TOLL_OK) {
            ok = 1;
            ck_assert_uint_eq(toll_table_nrows(t), 3);
        } else {
            ck_assert_ptr_null(t);
        }
        toll_table_free(t);
        ck_assert_int_eq(f.live, 0);
    }
    ck_assert_msg(ok, "never succeeded");
    toll_incidents_free(inc);
    toll_reports_free(r);
}
END_TEST

/* The store's own allocator fails while linking interns a region prefix
 * ("X/P") or an "auto:" key into it. */
START_TEST(linking_should_fail_cleanly_when_interning_into_the_store_fails)
{
    int ok = 0;
    for (long n = 0; n < 300 && !ok; n++) {
        failing_alloc f;
        failing_alloc_init(&f, 0);
        toll_reports *r = fail_store(&f.a);
        f.fail_at = f.count + 1 + n;
        toll_incidents *inc = NULL;
        toll_reconcile_options o = auto_opts();
        toll_status st = toll_reconcile(r, &o, NULL, &inc, NULL);
        ck_assert_msg(st == TOLL_OK || st == TOLL_ENOMEM,
                      "n=%ld: status %d", n, (int)st);
        if (st == TOLL_OK) {
            ok = 1;
            ck_assert_uint_eq(toll_incidents_count(inc), 3);
            ck_assert_str_eq(key_of(inc, 1), "auto:fx.json:2");
        } else {
            ck_assert_ptr_null(inc);
        }
        f.fail_at = 0;
        toll_incidents_free(inc);
        toll_reports_free(r);
        ck_assert_int_eq(f.live, 0);
    }
    ck_assert_msg(ok, "never succeeded");
}
END_TEST

/* ---- large n ------------------------------------------------------------------ */

static size_t large_n(void)
{
    const char *e = getenv("TOLL_LINK_N");
    long v = e ? strtol(e, NULL, 10) : 0;
    return v > 0 ? (size_t)v : 200000;
}

static double now(void)
{
    struct timespec ts;
    timespec_get(&ts, TIME_UTC);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static double time_reconcile(toll_reports *r, const toll_reconcile_options *o,
                             toll_incidents **inc)
{
    double t0 = now();
    *inc = rec(r, o);
    return now() - t0;
}

/* The linking step alone (src/reconcile/link.c), without the rest of reconcile. */
static double time_link_step(toll_reports *r, const toll_reconcile_options *o)
{
    /* an incidents object with only what the step uses: its id space
     * (src/reconcile/reconcile.h) and its links */
    toll_incidents *inc = toll__incidents_new(&r->alloc);
    ck_assert_ptr_nonnull(inc);
    inc->reports = r;
    inc->nstr = r->strings.count;
    inc->nsets = r->actor_sets.count;
    ck_assert_int_eq(toll__strpool_init(&inc->own_strings, &inc->alloc),
                     TOLL_OK);
    uint32_t *first = malloc(r->n * sizeof *first);
    ck_assert_ptr_nonnull(first);
    double t0 = now();
    ck_assert_int_eq(toll__link_reports(inc, o, &r->alloc, first, NULL),
                     TOLL_OK);
    double t = now() - t0;
    free(first);
    toll__strpool_free(&inc->own_strings);
    toll__incidents_delete(inc);
    return t;
}

/* n/4 incidents of 4 reports each, spread over 50 regions x 2 actors, one
 * incident per (region, actor) every 3 days: with d = 1 no two incidents
 * touch, so exactly n/4 incidents come out. */
START_TEST(large_n_should_link_exactly_and_fast)
{
    size_t n = large_n() / 4 * 4;
    toll_reports *r = store();
    uint32_t region[50], actors[2], file = S(r, "big.jsonl"),
        killed = S(r, "killed"), src = S(r, "s");
    char buf[32];
    for (int k = 0; k < 50; k++) {
        snprintf(buf, sizeof buf, "C/G%d/D%d", k, k % 7);
        region[k] = S(r, buf);
    }
    actors[0] = SET(r, "A;B");
    actors[1] = SET(r, "C");
    for (size_t t = 0; t < n / 4; t++) {
        size_t cell = t % 100;
        int32_t day = (int32_t)(t / 100) * 3;
        for (int k = 0; k < 4; k++)
            add_row(r, 0, src, actors[cell % 2], region[cell / 2],
                    day + (k == 3), day + (k == 3), file, 1, killed);
    }
    toll_reconcile_options o = auto_opts();
    toll_incidents *inc;
    double t_step = time_link_step(r, &o);
    double t_link = time_reconcile(r, &o, &inc);
    ck_assert_uint_eq(toll_incidents_count(inc), n / 4);
    ck_assert_uint_eq(toll_incidents_link_count(inc), n / 4 * 3);
    toll_incidents_free(inc);
    toll_reconcile_options_init(&o);
    double t_none = time_reconcile(r, &o, &inc);
    ck_assert_uint_eq(toll_incidents_count(inc), n);
    toll_incidents_free(inc);

    /* dense: every report in one bucket on one day with one actor */
    toll_reports *dense = store();
    uint32_t one = S(dense, "C/G/D"), a = SET(dense, "A"),
             f2 = S(dense, "dense.jsonl"), k2 = S(dense, "killed"),
             s2 = S(dense, "s");
    for (size_t i = 0; i < n; i++)
        add_row(dense, 0, s2, a, one, 17000, 17000, f2, 1, k2);
    o = auto_opts();
    double t_dense_step = time_link_step(dense, &o);
    double t_dense = time_reconcile(dense, &o, &inc);
    ck_assert_uint_eq(toll_incidents_count(inc), 1);
    ck_assert_uint_eq(toll_incidents_link_count(inc), n - 1);
    toll_table *t = NULL;
    double t0 = now();
    ck_assert_int_eq(toll_incidents_links_table(inc, NULL, &t, NULL),
                     TOLL_OK);
    double t_table = now() - t0;
    ck_assert_uint_eq(toll_table_nrows(t), n - 1);
    toll_table_free(t);
    toll_incidents_free(inc);
    printf("link timing, n = %zu reports:\n"
           "  spread: linking step %.3f s; reconcile link=auto %.3f s "
           "(n/4 incidents), link=none %.3f s\n"
           "  dense (one bucket, one day, one actor): linking step %.3f s; "
           "reconcile %.3f s; links table (n-1 rows) %.3f s\n",
           n, t_step, t_link, t_none, t_dense_step, t_dense, t_table);
    fflush(stdout);
    toll_reports_free(dense);
    toll_reports_free(r);
}
END_TEST

static Suite *link_suite(void)
{
    Suite *s = suite_create("link");
    TCase *tc = tcase_create("options");
    tcase_add_test(tc, link_mode_names_should_round_trip);
    tcase_add_test(tc, options_init_should_give_no_linking_and_documented_defaults);
    tcase_add_test(tc, bad_link_options_should_fail_naming_the_field);
    suite_add_tcase(s, tc);

    tc = tcase_create("conditions");
    tcase_add_test(tc, link_none_should_keep_unkeyed_reports_apart);
    tcase_add_test(tc, window_should_include_its_edge_and_exclude_beyond_it);
    tcase_add_test(tc, window_should_measure_the_gap_between_spans);
    tcase_add_test(tc,
        region_should_agree_at_the_level_and_ignore_deeper_levels);
    tcase_add_test(tc, full_path_level_should_require_the_same_region);
    tcase_add_test(tc, region_coarser_than_the_level_should_not_be_linked);
    tcase_add_test(tc, actor_sets_should_overlap);
    tcase_add_test(tc, actor_in_another_spelling_should_be_shared);
    tcase_add_test(tc,
        reports_without_actors_should_link_only_when_actors_are_ignored);
    tcase_add_test(tc, reports_without_dates_or_regions_should_not_be_linked);
    suite_add_tcase(s, tc);

    tc = tcase_create("clusters");
    tcase_add_test(tc, links_should_be_transitive);
    tcase_add_test(tc, transitivity_should_pass_through_different_actors);
    tcase_add_test(tc, long_span_should_stay_in_the_window);
    tcase_add_test(tc, vague_span_should_link_only_to_the_same_span);
    tcase_add_test(tc,
        keyed_reports_should_keep_their_key_and_not_absorb_unkeyed_ones);
    tcase_add_test(tc, linked_incident_should_be_keyed_after_its_first_report);
    tcase_add_test(tc, unlinked_report_should_stay_unkeyed);
    tcase_add_test(tc, linked_reports_should_be_reconciled_as_one_incident);
    tcase_add_test(tc,
        clusters_should_equal_the_components_of_the_pairwise_links);
    suite_add_tcase(s, tc);

    tc = tcase_create("explain");
    tcase_add_test(tc, link_should_say_which_reports_and_why);
    tcase_add_test(tc,
        links_table_should_have_the_documented_columns_and_sentences);
    tcase_add_test(tc, explanation_should_say_when_actors_were_not_compared);
    suite_add_tcase(s, tc);

    tc = tcase_create("quality");
    tcase_add_test(tc,
        synthetic_duplicates_should_be_found_with_good_precision_and_recall);
    tcase_set_timeout(tc, 300);
    suite_add_tcase(s, tc);

    tc = tcase_create("failure");
    tcase_add_test(tc,
        reconcile_with_links_should_fail_cleanly_at_every_allocation);
    tcase_add_test(tc, links_table_should_fail_cleanly_at_every_allocation);
    tcase_add_test(tc,
        linking_should_fail_cleanly_when_interning_into_the_store_fails);
    suite_add_tcase(s, tc);

    tc = tcase_create("large");
    tcase_add_test(tc, large_n_should_link_exactly_and_fast);
    tcase_set_timeout(tc, 600);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return toll_test_run(link_suite()); }
