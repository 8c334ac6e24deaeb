/* tests/test_reconcile.c - reports -> incidents: policies, self-reports,
 * provenance, flags, grades, place and time, the incidents table.
 *
 * Stores are built in fixtures with toll__reports_append (no loader). */
#include "store/store.h"
#include "reconcile/reconcile.h"
#include "render/render.h"
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* ---- fixture ------------------------------------------------------------- */

#define OPEN TOLL_OPEN
#define UNK -1 /* unknown quantity: low = -1 */

typedef struct qspec {
    const char *cat; /* NULL ends the list */
    int64_t low, high;
    double best;
} qspec;

typedef struct rspec {
    const char *incident;     /* NULL: unkeyed */
    const char *source;       /* NULL: "src" */
    const char *source_actor; /* NULL: none */
    const char *actors;       /* "Russia;Syria", NULL: none */
    const char *region;       /* "Syria/Idlib", NULL: none */
    const char *date;         /* "YYYY-MM-DD" or "YYYY-MM", NULL: none */
    const char *date_end;     /* NULL: end of `date` */
    qspec q[4];
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

/* An actor name, as the loaders intern it: by its identity. */
static uint32_t A(toll_reports *r, const char *s)
{
    uint32_t id = 0;
    if (!s)
        return 0;
    ck_assert_int_eq(toll__reports_intern_actor(r, s, strlen(s), &id),
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

static int32_t D(const char *s, int last)
{
    int y = 0, m = 0, d = 0;
    int k = sscanf(s, "%d-%d-%d", &y, &m, &d);
    ck_assert_int_ge(k, 2);
    if (k == 3)
        return toll_date_from_ymd(y, m, d);
    if (!last)
        return toll_date_from_ymd(y, m, 1);
    return m == 12 ? toll_date_from_ymd(y + 1, 1, 1) - 1
                   : toll_date_from_ymd(y, m + 1, 1) - 1;
}

/* Append one report; its line is its 1-based index, its file "fx.json". */
static void add(toll_reports *r, const rspec *s)
{
    toll__qcell q[4];
    size_t nq = 0;
    for (; nq < 4 && s->q[nq].cat; nq++) {
        q[nq].category = S(r, s->q[nq].cat);
        q[nq].low = s->q[nq].low;
        q[nq].high = s->q[nq].low < 0 ? 0 : s->q[nq].high;
        q[nq].best = s->q[nq].low < 0 ? 0 : s->q[nq].best;
    }
    toll__row row;
    memset(&row, 0, sizeof row);
    row.incident = S(r, s->incident);
    row.source = S(r, s->source ? s->source : "src");
    row.source_actor = A(r, s->source_actor);
    row.actors = SET(r, s->actors);
    row.region = S(r, s->region);
    row.date_start = s->date ? D(s->date, 0) : TOLL_NO_DATE;
    row.date_end = s->date_end ? D(s->date_end, 1)
                   : s->date   ? D(s->date, 1)
                               : TOLL_NO_DATE;
    row.file = S(r, "fx.json");
    row.line = (uint32_t)r->n + 1;
    row.q = q;
    row.nq = nq;
    ck_assert_int_eq(toll__reports_append(r, &row, NULL), TOLL_OK);
}

#define ADD(r, ...) add((r), &(rspec){__VA_ARGS__})

static toll_reports *store(void)
{
    toll_reports *r = NULL;
    ck_assert_int_eq(toll_reports_new(NULL, &r, NULL), TOLL_OK);
    return r;
}

static toll_incidents *rec(toll_reports *r, toll_policy p,
                           toll_self_reports self)
{
    toll_reconcile_options o;
    toll_reconcile_options_init(&o);
    o.policy = p;
    o.self_reports = self;
    toll_incidents *inc = NULL;
    toll_error e;
    toll_status st = toll_reconcile(r, &o, NULL, &inc, &e);
    ck_assert_msg(st == TOLL_OK, "reconcile failed: %s", e.message);
    ck_assert_ptr_nonnull(inc);
    return inc;
}

static toll_incidents *rec_default(toll_reports *r)
{
    toll_incidents *inc = NULL;
    ck_assert_int_eq(toll_reconcile(r, NULL, NULL, &inc, NULL), TOLL_OK);
    return inc;
}

/* The cell of incident c for category `cat`, or SIZE_MAX. */
static size_t cell(const toll_incidents *inc, size_t c, const char *cat)
{
    const toll_reports *r = inc->reports;
    for (size_t k = 0; k < inc->c_count[c]; k++) {
        size_t j = inc->c_begin[c] + k;
        if (strcmp(toll__str(&r->strings, inc->c_category[j]), cat) == 0)
            return j;
    }
    return SIZE_MAX;
}

static size_t must_cell(const toll_incidents *inc, size_t c, const char *cat)
{
    size_t j = cell(inc, c, cat);
    ck_assert_msg(j != SIZE_MAX, "no cell for %s", cat);
    return j;
}

/* The seed example: rescuers say "at least 150" and 152 bodies; the
 * accused air force's ministry says 0. */
static toll_reports *seed_store(int second_source)
{
    toll_reports *r = store();
    ADD(r, .incident = "idlib-1", .source = "Syrian Civil Defence",
        .actors = "Russia", .region = "Syria/Idlib", .date = "2016-09-25",
        .q = {{"killed", 150, OPEN, 150}});
    ADD(r, .incident = "idlib-1", .source = "Syrian Civil Defence",
        .actors = "Russia", .region = "Syria/Idlib/Ariha",
        .date = "2016-09", .q = {{"killed", 152, 152, 152}});
    ADD(r, .incident = "idlib-1", .source = "Russian Defence Ministry",
        .source_actor = "Russia", .actors = "Russia",
        .q = {{"killed", 0, 0, 0}});
    if (second_source)
        ADD(r, .incident = "idlib-1", .source = "SOHR", .actors = "Russia",
            .q = {{"killed", 140, 160, 151}});
    return r;
}

/* ---- names and parsing --------------------------------------------------- */

START_TEST(names_should_match_the_documented_strings)
{
    ck_assert_str_eq(toll_policy_name(TOLL_POLICY_ENVELOPE), "envelope");
    ck_assert_str_eq(toll_policy_name(TOLL_POLICY_CONSERVATIVE),
                     "conservative");
    ck_assert_str_eq(toll_grade_name(TOLL_GRADE_NONE), "");
    ck_assert_str_eq(toll_grade_name(TOLL_GRADE_SELF_ONLY), "self-only");
    ck_assert_str_eq(toll_grade_name(TOLL_GRADE_SINGLE), "single");
    ck_assert_str_eq(toll_grade_name(TOLL_GRADE_CORROBORATED),
                     "corroborated");
    ck_assert_str_eq(toll_grade_name(TOLL_GRADE_CONFIRMED), "confirmed");
}
END_TEST

START_TEST(parse_should_accept_names_case_insensitively)
{
    toll_policy p = TOLL_POLICY_ENVELOPE;
    toll_self_reports s = TOLL_SELF_EXCLUDE;
    toll_grade g = TOLL_GRADE_NONE;
    ck_assert_int_eq(toll_policy_parse("Conservative", &p, NULL), TOLL_OK);
    ck_assert_int_eq(p, TOLL_POLICY_CONSERVATIVE);
    ck_assert_int_eq(toll_policy_parse("ENVELOPE", &p, NULL), TOLL_OK);
    ck_assert_int_eq(p, TOLL_POLICY_ENVELOPE);
    ck_assert_int_eq(toll_self_reports_parse("Include", &s, NULL), TOLL_OK);
    ck_assert_int_eq(s, TOLL_SELF_INCLUDE);
    ck_assert_int_eq(toll_self_reports_parse("exclude", &s, NULL), TOLL_OK);
    ck_assert_int_eq(s, TOLL_SELF_EXCLUDE);
    ck_assert_int_eq(toll_grade_parse("Self-Only", &g, NULL), TOLL_OK);
    ck_assert_int_eq(g, TOLL_GRADE_SELF_ONLY);
    ck_assert_int_eq(toll_grade_parse("self_only", &g, NULL), TOLL_OK);
    ck_assert_int_eq(g, TOLL_GRADE_SELF_ONLY);
    ck_assert_int_eq(toll_grade_parse("CORROBORATED", &g, NULL), TOLL_OK);
    ck_assert_int_eq(g, TOLL_GRADE_CORROBORATED);
    ck_assert_int_eq(toll_grade_parse("single", &g, NULL), TOLL_OK);
    ck_assert_int_eq(g, TOLL_GRADE_SINGLE);
    ck_assert_int_eq(toll_grade_parse("confirmed", &g, NULL), TOLL_OK);
    ck_assert_int_eq(g, TOLL_GRADE_CONFIRMED);
    ck_assert_int_eq(toll_grade_parse("none", &g, NULL), TOLL_OK);
    ck_assert_int_eq(g, TOLL_GRADE_NONE);
}
END_TEST

START_TEST(parse_should_name_the_bad_text_and_the_accepted_values)
{
    toll_error e;
    toll_policy p = TOLL_POLICY_CONSERVATIVE;
    ck_assert_int_eq(toll_policy_parse("envelop", &p, &e), TOLL_EINVAL);
    ck_assert_int_eq(p, TOLL_POLICY_CONSERVATIVE); /* untouched */
    ck_assert_int_eq(e.code, TOLL_EINVAL);
    ck_assert_str_eq(e.text, "envelop");
    ck_assert_ptr_nonnull(strstr(e.message, "\"envelop\""));
    ck_assert_ptr_nonnull(strstr(e.message, "envelope"));
    ck_assert_ptr_nonnull(strstr(e.message, "conservative"));

    toll_self_reports s;
    ck_assert_int_eq(toll_self_reports_parse("maybe", &s, &e), TOLL_EINVAL);
    ck_assert_ptr_nonnull(strstr(e.message, "\"maybe\""));
    ck_assert_ptr_nonnull(strstr(e.message, "exclude"));
    ck_assert_ptr_nonnull(strstr(e.message, "include"));

    toll_grade g;
    ck_assert_int_eq(toll_grade_parse("fair", &g, &e), TOLL_EINVAL);
    ck_assert_ptr_nonnull(strstr(e.message, "\"fair\""));
    ck_assert_ptr_nonnull(strstr(e.message, "self-only"));
    ck_assert_ptr_nonnull(strstr(e.message, "corroborated"));
    ck_assert_int_eq(toll_grade_parse("single ", &g, &e), TOLL_EINVAL);
    ck_assert_int_eq(toll_grade_parse(NULL, &g, &e), TOLL_EINVAL);
    ck_assert_int_eq(toll_policy_parse("envelope", NULL, &e), TOLL_EINVAL);
}
END_TEST

START_TEST(options_init_should_give_envelope_and_exclude)
{
    toll_reconcile_options o;
    memset(&o, 0xff, sizeof o);
    toll_reconcile_options_init(&o);
    ck_assert_int_eq(o.policy, TOLL_POLICY_ENVELOPE);
    ck_assert_int_eq(o.self_reports, TOLL_SELF_EXCLUDE);
}
END_TEST

START_TEST(reconcile_should_reject_null_and_bad_arguments)
{
    toll_error e;
    toll_incidents *inc = (toll_incidents *)&e;
    ck_assert_int_eq(toll_reconcile(NULL, NULL, NULL, &inc, &e), TOLL_EINVAL);
    ck_assert_ptr_null(inc);
    toll_reports *r = store();
    ck_assert_int_eq(toll_reconcile(r, NULL, NULL, NULL, &e), TOLL_EINVAL);
    toll_reconcile_options o;
    toll_reconcile_options_init(&o);
    o.policy = (toll_policy)7;
    ck_assert_int_eq(toll_reconcile(r, &o, NULL, &inc, &e), TOLL_EINVAL);
    toll_incidents_free(NULL);
    ck_assert_uint_eq(toll_incidents_count(NULL), 0);
    ck_assert_ptr_null(toll_incidents_reports(NULL));
    toll_reports_free(r);
}
END_TEST

/* ---- grouping ---------------------------------------------------------- */

START_TEST(empty_store_should_give_no_incidents)
{
    toll_reports *r = store();
    toll_incidents *inc = rec_default(r);
    ck_assert_uint_eq(toll_incidents_count(inc), 0);
    ck_assert_ptr_eq(toll_incidents_reports(inc), r);
    toll_table *t = NULL;
    ck_assert_int_eq(toll_incidents_table(inc, NULL, &t, NULL), TOLL_OK);
    ck_assert_uint_eq(toll_table_nrows(t), 0);
    ck_assert_uint_eq(toll_table_ncols(t), 25);
    toll_table_free(t);
    toll_incidents_free(inc);
    toll_reports_free(r);
}
END_TEST

START_TEST(reports_without_any_category_should_form_incidents_with_no_figures)
{
    /* no report carries a category: the store holds no figure cells at
     * all, and reconcile must not index into them */
    toll_reports *r = store();
    static const char text[] = "{\"incident\": \"a\", \"source\": \"A\"}\n"
                               "{\"incident\": \"a\", \"source\": \"B\"}\n";
    ck_assert_int_eq(toll_reports_load_buffer(r, text, sizeof text - 1, NULL,
                                              NULL, NULL, NULL),
                     TOLL_OK);
    toll_incidents *inc = rec_default(r);
    ck_assert_uint_eq(toll_incidents_count(inc), 1);
    toll_incidents_free(inc);
    toll_reports_free(r);
}
END_TEST

START_TEST(reports_sharing_a_key_should_form_one_incident_in_first_seen_order)
{
    toll_reports *r = store();
    ADD(r, .incident = "B", .q = {{"killed", 1, 1, 1}});
    ADD(r, .incident = "A", .q = {{"killed", 2, 2, 2}});
    ADD(r, .incident = "B", .q = {{"killed", 3, 3, 3}});
    ADD(r, .incident = "A", .q = {{"killed", 4, 4, 4}});
    ADD(r, .incident = "B", .q = {{"killed", 5, 5, 5}});
    toll_incidents *inc = rec_default(r);
    ck_assert_uint_eq(toll_incidents_count(inc), 2);
    ck_assert_str_eq(toll__str(&r->strings, inc->key[0]), "B");
    ck_assert_str_eq(toll__str(&r->strings, inc->key[1]), "A");
    ck_assert_uint_eq(inc->r_count[0], 3);
    ck_assert_uint_eq(inc->r_count[1], 2);
    ck_assert_uint_eq(inc->first_report[0], 0);
    ck_assert_uint_eq(inc->first_report[1], 1);
    const uint32_t *b = inc->report_idx + inc->r_begin[0];
    const uint32_t *a = inc->report_idx + inc->r_begin[1];
    ck_assert_uint_eq(b[0], 0);
    ck_assert_uint_eq(b[1], 2);
    ck_assert_uint_eq(b[2], 4);
    ck_assert_uint_eq(a[0], 1);
    ck_assert_uint_eq(a[1], 3);
    ck_assert_int_eq(inc->c_low[must_cell(inc, 0, "killed")], 1);
    ck_assert_int_eq(inc->c_high[must_cell(inc, 1, "killed")], 4);
    toll_incidents_free(inc);
    toll_reports_free(r);
}
END_TEST

START_TEST(unkeyed_reports_should_be_incidents_of_their_own)
{
    toll_reports *r = store();
    ADD(r, .q = {{"killed", 1, 1, 1}});
    ADD(r, .incident = "A", .q = {{"killed", 2, 2, 2}});
    ADD(r, .q = {{"killed", 3, 3, 3}});
    ADD(r, .incident = "A", .q = {{"killed", 4, 4, 4}});
    toll_incidents *inc = rec_default(r);
    ck_assert_uint_eq(toll_incidents_count(inc), 3);
    ck_assert_uint_eq(inc->key[0], 0);
    ck_assert_uint_eq(inc->first_report[0], 0);
    ck_assert_uint_eq(inc->r_count[0], 1);
    ck_assert_uint_eq(inc->r_count[1], 2);
    ck_assert_uint_eq(inc->key[2], 0);
    ck_assert_uint_eq(inc->first_report[2], 2);
    ck_assert_int_eq(inc->c_low[must_cell(inc, 2, "killed")], 3);
    toll_incidents_free(inc);
    toll_reports_free(r);
}
END_TEST

/* ---- policies ------------------------------------------------------------ */

START_TEST(envelope_should_take_min_low_max_high_and_median_best)
{
    toll_reports *r = store();
    ADD(r, .incident = "A", .q = {{"killed", 10, 20, 15}});
    ADD(r, .incident = "A", .q = {{"killed", 12, 30, 20}});
    ADD(r, .incident = "A", .q = {{"killed", 8, 8, 8}});
    toll_incidents *inc = rec_default(r);
    size_t j = must_cell(inc, 0, "killed");
    ck_assert_int_eq(inc->c_low[j], 8);
    ck_assert_int_eq(inc->c_high[j], 30);
    ck_assert_double_eq(inc->c_best[j], 15);
    ck_assert_uint_eq(inc->c_n_reports[j], 3);
    ck_assert(inc->c_flags[j] & TOLL__C_KNOWN);
    ck_assert(!(inc->c_flags[j] & TOLL__C_OPEN));
    toll_incidents_free(inc);
    toll_reports_free(r);
}
END_TEST

START_TEST(envelope_should_use_the_low_of_an_open_range_as_its_high)
{
    toll_reports *r = store();
    ADD(r, .incident = "A", .q = {{"killed", 150, OPEN, 150}});
    ADD(r, .incident = "A", .q = {{"killed", 100, 120, 110}});
    toll_incidents *inc = rec_default(r);
    size_t j = must_cell(inc, 0, "killed");
    ck_assert_int_eq(inc->c_low[j], 100);
    ck_assert_int_eq(inc->c_high[j], 150);
    ck_assert_uint_eq(inc->c_high_report[j], 0);
    ck_assert(inc->c_flags[j] & TOLL__C_OPEN);
    ck_assert(inc->flags[0] & TOLL_FLAG_OPEN);
    toll_incidents_free(inc);
    toll_reports_free(r);
}
END_TEST

START_TEST(envelope_best_should_be_the_mean_of_the_middle_two_for_even_count)
{
    toll_reports *r = store();
    ADD(r, .incident = "A", .q = {{"killed", 40, 40, 40}});
    ADD(r, .incident = "A", .q = {{"killed", 10, 10, 10}});
    ADD(r, .incident = "A", .q = {{"killed", 30, 30, 30}});
    ADD(r, .incident = "A", .q = {{"killed", 20, 21, 21}});
    toll_incidents *inc = rec_default(r);
    size_t j = must_cell(inc, 0, "killed");
    ck_assert_double_eq(inc->c_best[j], 25.5);
    toll_incidents_free(inc);
    toll_reports_free(r);
}
END_TEST

START_TEST(conservative_should_take_the_minimum_low_for_low_high_and_best)
{
    toll_reports *r = store();
    ADD(r, .incident = "A", .q = {{"killed", 36, 40, 38}});
    ADD(r, .incident = "A", .q = {{"killed", 30, OPEN, 30}});
    ADD(r, .incident = "A", .q = {{"killed", 45, 45, 45}});
    toll_incidents *inc = rec(r, TOLL_POLICY_CONSERVATIVE, TOLL_SELF_EXCLUDE);
    size_t j = must_cell(inc, 0, "killed");
    ck_assert_int_eq(inc->c_low[j], 30);
    ck_assert_int_eq(inc->c_high[j], 30);
    ck_assert_double_eq(inc->c_best[j], 30);
    ck_assert_uint_eq(inc->c_low_report[j], 1);
    ck_assert_uint_eq(inc->c_high_report[j], 1);
    ck_assert_int_eq(inc->opts.policy, TOLL_POLICY_CONSERVATIVE);
    toll_incidents_free(inc);
    toll_reports_free(r);
}
END_TEST

START_TEST(unknown_figures_should_not_enter_the_bounds)
{
    toll_reports *r = store();
    ADD(r, .incident = "A", .q = {{"killed", UNK, 0, 0}});
    ADD(r, .incident = "A", .q = {{"killed", 7, 9, 8}});
    toll_incidents *inc = rec_default(r);
    size_t j = must_cell(inc, 0, "killed");
    ck_assert_int_eq(inc->c_low[j], 7);
    ck_assert_int_eq(inc->c_high[j], 9);
    ck_assert_uint_eq(inc->c_n_reports[j], 1);
    ck_assert_uint_eq(inc->c_low_report[j], 1);
    toll_incidents_free(inc);
    toll_reports_free(r);
}
END_TEST

START_TEST(missing_category_should_have_no_cell_not_zero)
{
    toll_reports *r = store();
    ADD(r, .incident = "A", .q = {{"injured", 3, 3, 3}});
    ADD(r, .incident = "B", .q = {{"killed", 5, 5, 5}});
    ADD(r, .incident = "B", .q = {{"children_killed", UNK, 0, 0}});
    toll_incidents *inc = rec_default(r);
    ck_assert_uint_eq(inc->c_count[0], 1);
    ck_assert_uint_eq(cell(inc, 0, "killed"), SIZE_MAX);
    /* B: killed known; children_killed given but unknown: a cell without
     * a known figure */
    ck_assert_uint_eq(inc->c_count[1], 2);
    ck_assert_uint_eq(cell(inc, 1, "injured"), SIZE_MAX);
    size_t j = must_cell(inc, 1, "children_killed");
    ck_assert(!(inc->c_flags[j] & TOLL__C_KNOWN));
    ck_assert_uint_eq(inc->c_n_reports[j], 0);
    ck_assert_int_eq(inc->c_low[j], -1);
    ck_assert(isnan(inc->c_best[j]));
    ck_assert_uint_eq(inc->c_low_report[j], UINT32_MAX);
    toll_incidents_free(inc);
    toll_reports_free(r);
}
END_TEST

START_TEST(cells_should_follow_the_category_first_seen_order)
{
    toll_reports *r = store();
    ADD(r, .incident = "A", .q = {{"killed", 1, 1, 1}});
    ADD(r, .incident = "B", .q = {{"injured", 2, 2, 2}, {"killed", 3, 3, 3}});
    toll_incidents *inc = rec_default(r);
    ck_assert_uint_eq(inc->c_count[1], 2);
    ck_assert_str_eq(toll__str(&r->strings, inc->c_category[inc->c_begin[1]]),
                     "killed");
    ck_assert_str_eq(
        toll__str(&r->strings, inc->c_category[inc->c_begin[1] + 1]),
        "injured");
    ck_assert_uint_eq(inc->nc, 3);
    toll_incidents_free(inc);
    toll_reports_free(r);
}
END_TEST

/* ---- provenance ---------------------------------------------------------- */

START_TEST(provenance_should_name_the_reports_that_set_the_bounds)
{
    toll_reports *r = store();
    ADD(r, .incident = "A", .q = {{"killed", 20, 25, 22}});
    ADD(r, .incident = "A", .q = {{"killed", 12, 30, 20}});
    ADD(r, .incident = "A", .q = {{"killed", 12, 30, 20}}); /* ties */
    ADD(r, .incident = "A", .q = {{"killed", 18, 18, 18}});
    toll_incidents *inc = rec_default(r);
    size_t j = must_cell(inc, 0, "killed");
    ck_assert_uint_eq(inc->c_low_report[j], 1);
    ck_assert_uint_eq(inc->c_high_report[j], 1);
    toll_incidents_free(inc);
    toll_reports_free(r);
}
END_TEST

/* ---- self-reports -------------------------------------------------------- */

START_TEST(self_report_should_be_excluded_from_the_bounds_by_default)
{
    toll_reports *r = store();
    ADD(r, .incident = "A", .source = "Monitor", .actors = "Russia",
        .q = {{"killed", 36, 36, 36}});
    ADD(r, .incident = "A", .source = "MoD", .source_actor = "Russia",
        .actors = "Russia", .q = {{"killed", 2, 2, 2}});
    toll_incidents *inc = rec_default(r);
    size_t j = must_cell(inc, 0, "killed");
    ck_assert_int_eq(inc->c_low[j], 36);
    ck_assert_int_eq(inc->c_high[j], 36);
    ck_assert_uint_eq(inc->c_n_reports[j], 1);
    ck_assert(inc->c_flags[j] & TOLL__C_HAS_SELF);
    toll_incidents_free(inc);
    toll_reports_free(r);
}
END_TEST

START_TEST(self_report_should_enter_the_bounds_with_include)
{
    toll_reports *r = store();
    ADD(r, .incident = "A", .source = "Monitor", .actors = "Russia",
        .q = {{"killed", 36, 36, 36}});
    ADD(r, .incident = "A", .source = "MoD", .source_actor = "Russia",
        .actors = "Russia", .q = {{"killed", 2, 2, 2}});
    toll_incidents *inc = rec(r, TOLL_POLICY_ENVELOPE, TOLL_SELF_INCLUDE);
    size_t j = must_cell(inc, 0, "killed");
    ck_assert_int_eq(inc->c_low[j], 2);
    ck_assert_uint_eq(inc->c_low_report[j], 1);
    ck_assert_int_eq(inc->c_high[j], 36);
    ck_assert_uint_eq(inc->c_n_reports[j], 2);
    ck_assert_double_eq(inc->c_best[j], 19);
    toll_incidents_free(inc);
    toll_reports_free(r);
}
END_TEST

/* The red-team case: a denial (0) by "russia" about "Russia" must be a
 * self-report, not an independent source that lowers the range and makes
 * the grade corroborated. */
START_TEST(self_report_denial_with_other_case_should_not_be_independent)
{
    toll_reports *r = store();
    ADD(r, .incident = "A", .source = "Ministry", .source_actor = "russia",
        .actors = "Russia", .q = {{"killed", 0, 0, 0}});
    ADD(r, .incident = "A", .source = "SOHR", .actors = "Russia",
        .q = {{"killed", 12, 12, 12}});
    toll_incidents *inc = rec_default(r);
    size_t j = must_cell(inc, 0, "killed");
    ck_assert_int_eq(inc->c_low[j], 12);
    ck_assert_int_eq(inc->c_high[j], 12);
    ck_assert_uint_eq(inc->c_n_reports[j], 1);
    ck_assert(inc->c_flags[j] & TOLL__C_HAS_SELF);
    ck_assert_uint_eq(inc->n_sources[0], 1);
    ck_assert_int_eq(inc->grade[0], TOLL_GRADE_SINGLE);
    ck_assert(inc->flags[0] & TOLL_FLAG_DENIED);
    toll_incidents_free(inc);
    toll_reports_free(r);
}
END_TEST

START_TEST(self_report_should_match_across_white_space_variants)
{
    toll_reports *r = store();
    ADD(r, .incident = "A", .source = "Ministry",
        .source_actor = " Russian \t Federation  ",
        .actors = "Russian Federation", .q = {{"killed", 0, 0, 0}});
    ADD(r, .incident = "A", .source = "SOHR", .actors = "russian  federation",
        .q = {{"killed", 12, 12, 12}});
    toll_incidents *inc = rec_default(r);
    size_t j = must_cell(inc, 0, "killed");
    ck_assert_int_eq(inc->c_low[j], 12);
    ck_assert_uint_eq(inc->c_n_reports[j], 1);
    ck_assert(inc->c_flags[j] & TOLL__C_HAS_SELF);
    ck_assert(!(inc->flags[0] & TOLL_FLAG_CONTESTED)); /* one actor set */
    toll_incidents_free(inc);
    toll_reports_free(r);
}
END_TEST

START_TEST(self_report_should_match_under_unicode_case_folding)
{
    toll_reports *r = store();
    ADD(r, .incident = "A", .source = "Ministerium",
        .source_actor = "ÖSTERREICH", .actors = "Österreich",
        .q = {{"killed", 0, 0, 0}});
    ADD(r, .incident = "A", .source = "Monitor", .actors = "österreich",
        .q = {{"killed", 5, 5, 5}});
    toll_incidents *inc = rec_default(r);
    size_t j = must_cell(inc, 0, "killed");
    ck_assert_int_eq(inc->c_low[j], 5);
    ck_assert_uint_eq(inc->c_n_reports[j], 1);
    ck_assert(inc->c_flags[j] & TOLL__C_HAS_SELF);
    toll_incidents_free(inc);
    toll_reports_free(r);
}
END_TEST

START_TEST(source_actor_outside_the_alleged_actors_should_not_be_self)
{
    toll_reports *r = store();
    ADD(r, .incident = "A", .source = "Monitor", .actors = "Russia",
        .q = {{"killed", 36, 36, 36}});
    ADD(r, .incident = "A", .source = "SANA", .source_actor = "Syria",
        .q = {{"killed", 2, 2, 2}});
    toll_incidents *inc = rec_default(r);
    size_t j = must_cell(inc, 0, "killed");
    ck_assert_int_eq(inc->c_low[j], 2);
    ck_assert(!(inc->c_flags[j] & TOLL__C_HAS_SELF));
    ck_assert_uint_eq(inc->n_sources[0], 2);
    toll_incidents_free(inc);
    toll_reports_free(r);
}
END_TEST

START_TEST(denial_should_never_lower_the_minimum)
{
    toll_reports *r = seed_store(0);
    toll_incidents *inc = rec_default(r);
    ck_assert_uint_eq(toll_incidents_count(inc), 1);
    size_t j = must_cell(inc, 0, "killed");
    ck_assert_int_eq(inc->c_low[j], 150);
    ck_assert_uint_eq(inc->c_low_report[j], 0);
    ck_assert_int_eq(inc->c_high[j], 152);
    ck_assert_uint_eq(inc->c_high_report[j], 1);
    ck_assert_double_eq(inc->c_best[j], 151);
    ck_assert(inc->flags[0] & TOLL_FLAG_DENIED);
    ck_assert(inc->flags[0] & TOLL_FLAG_OPEN);
    ck_assert(!(inc->flags[0] & TOLL_FLAG_CONTESTED));
    ck_assert_int_eq(inc->grade[0], TOLL_GRADE_SINGLE);
    ck_assert_uint_eq(inc->n_sources[0], 1);
    toll_incidents_free(inc);
    toll_reports_free(r);
}
END_TEST

START_TEST(party_own_figure_should_be_kept)
{
    toll_reports *r = seed_store(0);
    toll_incidents *inc = rec_default(r);
    size_t j = must_cell(inc, 0, "killed");
    ck_assert(inc->c_flags[j] & TOLL__C_HAS_SELF);
    ck_assert_int_eq(inc->c_self_low[j], 0);
    ck_assert_int_eq(inc->c_self_high[j], 0);
    ck_assert_double_eq(inc->c_self_best[j], 0);
    ck_assert_uint_eq(inc->c_self_report[j], 2);
    toll_incidents_free(inc);
    toll_reports_free(r);
}
END_TEST

START_TEST(several_self_reports_should_give_their_envelope_and_first_report)
{
    toll_reports *r = store();
    ADD(r, .incident = "A", .source = "Monitor", .actors = "Russia",
        .q = {{"killed", 30, 30, 30}});
    ADD(r, .incident = "A", .source = "MoD", .source_actor = "Russia",
        .actors = "Russia", .q = {{"killed", 4, 6, 5}});
    ADD(r, .incident = "A", .source = "TASS", .source_actor = "Russia",
        .q = {{"killed", 2, 3, 3}});
    toll_incidents *inc = rec_default(r);
    size_t j = must_cell(inc, 0, "killed");
    ck_assert_int_eq(inc->c_self_low[j], 2);
    ck_assert_int_eq(inc->c_self_high[j], 6);
    ck_assert_double_eq(inc->c_self_best[j], 4);
    ck_assert_uint_eq(inc->c_self_report[j], 1);
    toll_incidents_free(inc);
    toll_reports_free(r);
}
END_TEST

START_TEST(cell_without_self_figure_should_have_none)
{
    toll_reports *r = store();
    ADD(r, .incident = "A", .q = {{"killed", 3, 3, 3}});
    toll_incidents *inc = rec_default(r);
    size_t j = must_cell(inc, 0, "killed");
    ck_assert(!(inc->c_flags[j] & TOLL__C_HAS_SELF));
    ck_assert_int_eq(inc->c_self_low[j], -1);
    ck_assert_int_eq(inc->c_self_high[j], -1);
    ck_assert(isnan(inc->c_self_best[j]));
    ck_assert_uint_eq(inc->c_self_report[j], UINT32_MAX);
    toll_incidents_free(inc);
    toll_reports_free(r);
}
END_TEST

/* ---- flags ------------------------------------------------------------------ */

START_TEST(denied_should_need_a_self_zero_and_an_included_figure_above_zero)
{
    toll_reports *r = store();
    /* A: denial against 36 -> denied */
    ADD(r, .incident = "A", .actors = "Russia", .q = {{"killed", 36, 36, 36}});
    ADD(r, .incident = "A", .source = "MoD", .source_actor = "Russia",
        .q = {{"killed", 0, 0, 0}});
    /* B: the self-report says 3, not 0 -> not denied */
    ADD(r, .incident = "B", .actors = "Russia", .q = {{"killed", 36, 36, 36}});
    ADD(r, .incident = "B", .source = "MoD", .source_actor = "Russia",
        .q = {{"killed", 3, 3, 3}});
    /* C: everyone says 0 -> not denied */
    ADD(r, .incident = "C", .actors = "Russia", .q = {{"killed", 0, 0, 0}});
    ADD(r, .incident = "C", .source = "MoD", .source_actor = "Russia",
        .q = {{"killed", 0, 0, 0}});
    /* D: denial of injured only; killed has no self figure */
    ADD(r, .incident = "D", .actors = "Russia",
        .q = {{"killed", 5, 5, 5}, {"injured", 8, 8, 8}});
    ADD(r, .incident = "D", .source = "MoD", .source_actor = "Russia",
        .q = {{"injured", 0, 0, 0}});
    toll_incidents *inc = rec_default(r);
    ck_assert(inc->c_flags[must_cell(inc, 0, "killed")] & TOLL__C_DENIED);
    ck_assert(inc->flags[0] & TOLL_FLAG_DENIED);
    ck_assert(!(inc->flags[1] & TOLL_FLAG_DENIED));
    ck_assert(!(inc->flags[2] & TOLL_FLAG_DENIED));
    ck_assert(inc->flags[3] & TOLL_FLAG_DENIED);
    ck_assert(!(inc->c_flags[must_cell(inc, 3, "killed")] & TOLL__C_DENIED));
    ck_assert(inc->c_flags[must_cell(inc, 3, "injured")] & TOLL__C_DENIED);
    toll_incidents_free(inc);
    toll_reports_free(r);
}
END_TEST

START_TEST(open_flag_should_come_from_an_included_open_high_only)
{
    toll_reports *r = store();
    ADD(r, .incident = "A", .q = {{"killed", 5, OPEN, 5}});
    ADD(r, .incident = "B", .actors = "Russia", .q = {{"killed", 5, 5, 5}});
    ADD(r, .incident = "B", .source = "MoD", .source_actor = "Russia",
        .q = {{"killed", 1, OPEN, 1}});
    toll_incidents *inc = rec_default(r);
    ck_assert(inc->flags[0] & TOLL_FLAG_OPEN);
    ck_assert(!(inc->flags[1] & TOLL_FLAG_OPEN)); /* open self-report */
    toll_incidents_free(inc);
    inc = rec(r, TOLL_POLICY_ENVELOPE, TOLL_SELF_INCLUDE);
    ck_assert(inc->flags[1] & TOLL_FLAG_OPEN);
    toll_incidents_free(inc);
    toll_reports_free(r);
}
END_TEST

START_TEST(contested_should_flag_non_self_reports_naming_different_actors)
{
    toll_reports *r = store();
    /* A: Russia vs Russia + Syria -> contested */
    ADD(r, .incident = "A", .source = "X", .actors = "Russia",
        .q = {{"killed", 1, 1, 1}});
    ADD(r, .incident = "A", .source = "Y", .actors = "Syria;Russia",
        .q = {{"killed", 1, 1, 1}});
    /* B: same set, and one report naming nobody -> not contested */
    ADD(r, .incident = "B", .source = "X", .actors = "Russia;Syria",
        .q = {{"killed", 1, 1, 1}});
    ADD(r, .incident = "B", .source = "Y", .q = {{"killed", 1, 1, 1}});
    ADD(r, .incident = "B", .source = "Z", .actors = "Syria;Russia",
        .q = {{"killed", 1, 1, 1}});
    /* C: only the self-report names another set -> not contested */
    ADD(r, .incident = "C", .source = "X", .actors = "Russia",
        .q = {{"killed", 1, 1, 1}});
    ADD(r, .incident = "C", .source = "MoD", .source_actor = "Russia",
        .actors = "Russia;US", .q = {{"killed", 0, 0, 0}});
    toll_incidents *inc = rec_default(r);
    ck_assert(inc->flags[0] & TOLL_FLAG_CONTESTED);
    ck_assert(!(inc->flags[1] & TOLL_FLAG_CONTESTED));
    ck_assert(!(inc->flags[2] & TOLL_FLAG_CONTESTED));
    toll_incidents_free(inc);
    toll_reports_free(r);
}
END_TEST

/* ---- actors ----------------------------------------------------------- */

START_TEST(incident_actors_should_be_the_union_of_the_reports_sets)
{
    toll_reports *r = store();
    ADD(r, .incident = "A", .actors = "Russia", .q = {{"killed", 1, 1, 1}});
    ADD(r, .incident = "A", .actors = "Syria", .q = {{"killed", 1, 1, 1}});
    ADD(r, .incident = "B", .actors = "Russia", .q = {{"killed", 1, 1, 1}});
    ADD(r, .incident = "B", .actors = "Syria;Russia",
        .q = {{"killed", 1, 1, 1}});
    ADD(r, .incident = "C", .q = {{"killed", 1, 1, 1}});
    uint32_t rs = r->actors[3];
    toll_incidents *inc = rec_default(r);
    const toll__setpool *sp = &r->actor_sets;
    ck_assert_uint_ne(inc->actors[0], 0);
    ck_assert_str_eq(toll__str(&r->strings, sp->label[inc->actors[0]]),
                     "Russia + Syria");
    ck_assert_uint_eq(inc->actors[1], rs); /* reused */
    ck_assert_uint_eq(inc->actors[0], rs); /* same set, same id */
    ck_assert_uint_eq(inc->actors[2], 0);
    toll_incidents_free(inc);
    toll_reports_free(r);
}
END_TEST

START_TEST(a_new_union_set_should_be_the_incidents_own_and_leave_the_store)
{
    toll_reports *r = store();
    ADD(r, .incident = "A", .actors = "Russia", .q = {{"killed", 1, 1, 1}});
    ADD(r, .incident = "A", .actors = "US", .q = {{"killed", 1, 1, 1}});
    size_t nsets = r->actor_sets.count, nstr = r->strings.count;
    uint32_t r0 = r->actors[0], r1 = r->actors[1];
    toll_incidents *inc = rec_default(r);
    /* the store is as it was; the union is the first set past its sets */
    ck_assert_uint_eq(r->actor_sets.count, nsets);
    ck_assert_uint_eq(r->strings.count, nstr);
    ck_assert_uint_eq(inc->actors[0], nsets);
    ck_assert_uint_eq(toll__inc_nsets(inc), nsets + 1);
    ck_assert_str_eq(toll__inc_str(inc, toll__inc_set_label(inc,
                                                            inc->actors[0])),
                     "Russia + US");
    ck_assert_uint_eq(r->actors[0], r0);
    ck_assert_uint_eq(r->actors[1], r1);
    ck_assert_uint_eq(toll__inc_set_size(inc, inc->actors[0]), 2);
    ck_assert(toll__inc_set_contains(inc, inc->actors[0], S(r, "US")));
    /* Reconciling again gives the same id, in its own pools. */
    toll_incidents *again = rec_default(r);
    ck_assert_uint_eq(r->actor_sets.count, nsets);
    ck_assert_uint_eq(again->actors[0], inc->actors[0]);
    toll_incidents_free(again);
    toll_incidents_free(inc);
    toll_reports_free(r);
}
END_TEST

/* ---- grades ------------------------------------------------------------- */

START_TEST(grade_should_be_confirmed_when_a_party_acknowledges_deaths)
{
    toll_reports *r = store();
    ADD(r, .incident = "A", .actors = "US", .q = {{"killed", 10, 12, 11}});
    ADD(r, .incident = "A", .source = "CENTCOM", .source_actor = "US",
        .q = {{"injured", UNK, 0, 0}, {"killed", 2, 2, 2}});
    toll_incidents *inc = rec_default(r);
    ck_assert_int_eq(inc->grade[0], TOLL_GRADE_CONFIRMED);
    ck_assert_uint_eq(inc->n_sources[0], 1);
    toll_incidents_free(inc);
    toll_reports_free(r);
}
END_TEST

START_TEST(grade_should_be_corroborated_with_two_distinct_non_self_sources)
{
    toll_reports *r = seed_store(1);
    toll_incidents *inc = rec_default(r);
    ck_assert_int_eq(inc->grade[0], TOLL_GRADE_CORROBORATED);
    ck_assert_uint_eq(inc->n_sources[0], 2);
    size_t j = must_cell(inc, 0, "killed");
    ck_assert_int_eq(inc->c_low[j], 140);
    ck_assert_uint_eq(inc->c_low_report[j], 3);
    ck_assert_int_eq(inc->c_high[j], 160);
    ck_assert(inc->flags[0] & TOLL_FLAG_DENIED);
    toll_incidents_free(inc);
    toll_reports_free(r);
}
END_TEST

START_TEST(grade_should_be_single_with_one_source_reporting_twice)
{
    toll_reports *r = store();
    ADD(r, .incident = "A", .source = "SOHR", .q = {{"killed", 1, 1, 1}});
    ADD(r, .incident = "A", .source = "SOHR", .q = {{"killed", 2, 2, 2}});
    toll_incidents *inc = rec_default(r);
    ck_assert_int_eq(inc->grade[0], TOLL_GRADE_SINGLE);
    ck_assert_uint_eq(inc->n_sources[0], 1);
    toll_incidents_free(inc);
    toll_reports_free(r);
}
END_TEST

START_TEST(grade_should_be_self_only_with_only_self_reports)
{
    toll_reports *r = store();
    ADD(r, .incident = "A", .source = "MoD", .source_actor = "Russia",
        .actors = "Russia", .q = {{"killed", 0, 0, 0}});
    toll_incidents *inc = rec_default(r);
    ck_assert_int_eq(inc->grade[0], TOLL_GRADE_SELF_ONLY);
    ck_assert_uint_eq(inc->n_sources[0], 0);
    size_t j = must_cell(inc, 0, "killed");
    ck_assert(!(inc->c_flags[j] & TOLL__C_KNOWN));
    ck_assert(inc->c_flags[j] & TOLL__C_HAS_SELF);
    ck_assert(!(inc->flags[0] & TOLL_FLAG_DENIED));
    toll_incidents_free(inc);
    toll_reports_free(r);
}
END_TEST

/* ---- place and time ------------------------------------------------------ */

START_TEST(region_should_be_the_longest_when_all_lie_on_one_path)
{
    toll_reports *r = store();
    ADD(r, .incident = "A", .region = "Syria/Idlib", .q = {{"killed", 1, 1, 1}});
    ADD(r, .incident = "A", .region = "Syria/Idlib/Ariha",
        .q = {{"killed", 1, 1, 1}});
    ADD(r, .incident = "A", .q = {{"killed", 1, 1, 1}});
    ADD(r, .incident = "A", .region = "Syria", .q = {{"killed", 1, 1, 1}});
    ADD(r, .incident = "B", .q = {{"killed", 1, 1, 1}});
    toll_incidents *inc = rec_default(r);
    ck_assert_str_eq(toll__inc_str(inc, inc->region[0]),
                     "Syria/Idlib/Ariha");
    ck_assert(!(inc->flags[0] & TOLL_FLAG_PLACE_CONFLICT));
    ck_assert_uint_eq(inc->region[1], 0);
    ck_assert(!(inc->flags[1] & TOLL_FLAG_PLACE_CONFLICT));
    toll_incidents_free(inc);
    toll_reports_free(r);
}
END_TEST

START_TEST(region_should_be_the_common_prefix_and_flag_a_conflict_otherwise)
{
    toll_reports *r = store();
    ADD(r, .incident = "A", .region = "Syria/Idlib/Ariha",
        .q = {{"killed", 1, 1, 1}});
    ADD(r, .incident = "A", .region = "Syria/Idlib/Saraqib",
        .q = {{"killed", 1, 1, 1}});
    /* "Syria/Id" is not a level-wise prefix of "Syria/Idlib" */
    ADD(r, .incident = "B", .region = "Syria/Id", .q = {{"killed", 1, 1, 1}});
    ADD(r, .incident = "B", .region = "Syria/Idlib", .q = {{"killed", 1, 1, 1}});
    ADD(r, .incident = "C", .region = "Syria/Aleppo", .q = {{"killed", 1, 1, 1}});
    ADD(r, .incident = "C", .region = "Iraq/Mosul", .q = {{"killed", 1, 1, 1}});
    toll_incidents *inc = rec_default(r);
    ck_assert_str_eq(toll__inc_str(inc, inc->region[0]), "Syria/Idlib");
    ck_assert(inc->flags[0] & TOLL_FLAG_PLACE_CONFLICT);
    ck_assert_str_eq(toll__inc_str(inc, inc->region[1]), "Syria");
    ck_assert(inc->flags[1] & TOLL_FLAG_PLACE_CONFLICT);
    ck_assert_uint_eq(inc->region[2], 0);
    ck_assert(inc->flags[2] & TOLL_FLAG_PLACE_CONFLICT);
    toll_incidents_free(inc);
    toll_reports_free(r);
}
END_TEST

START_TEST(dates_should_be_the_intersection_of_the_spans)
{
    toll_reports *r = store();
    ADD(r, .incident = "A", .date = "2016-09", .q = {{"killed", 1, 1, 1}});
    ADD(r, .incident = "A", .date = "2016-09-25", .q = {{"killed", 1, 1, 1}});
    ADD(r, .incident = "A", .q = {{"killed", 1, 1, 1}});
    ADD(r, .incident = "B", .date = "2016-09-20", .date_end = "2016-09-27",
        .q = {{"killed", 1, 1, 1}});
    ADD(r, .incident = "B", .date = "2016-09-25", .date_end = "2016-10-02",
        .q = {{"killed", 1, 1, 1}});
    ADD(r, .incident = "C", .q = {{"killed", 1, 1, 1}});
    toll_incidents *inc = rec_default(r);
    ck_assert_int_eq(inc->date_start[0], toll_date_from_ymd(2016, 9, 25));
    ck_assert_int_eq(inc->date_end[0], toll_date_from_ymd(2016, 9, 25));
    ck_assert(!(inc->flags[0] & TOLL_FLAG_DATE_CONFLICT));
    ck_assert_int_eq(inc->date_start[1], toll_date_from_ymd(2016, 9, 25));
    ck_assert_int_eq(inc->date_end[1], toll_date_from_ymd(2016, 9, 27));
    ck_assert(!(inc->flags[1] & TOLL_FLAG_DATE_CONFLICT));
    ck_assert_int_eq(inc->date_start[2], TOLL_NO_DATE);
    ck_assert_int_eq(inc->date_end[2], TOLL_NO_DATE);
    ck_assert(!(inc->flags[2] & TOLL_FLAG_DATE_CONFLICT));
    toll_incidents_free(inc);
    toll_reports_free(r);
}
END_TEST

START_TEST(dates_should_be_the_union_and_flag_a_conflict_when_disjoint)
{
    toll_reports *r = store();
    ADD(r, .incident = "A", .date = "2016-09-25", .q = {{"killed", 1, 1, 1}});
    ADD(r, .incident = "A", .date = "2016-10", .q = {{"killed", 1, 1, 1}});
    ADD(r, .incident = "A", .date = "2016-09-26", .q = {{"killed", 1, 1, 1}});
    toll_incidents *inc = rec_default(r);
    ck_assert_int_eq(inc->date_start[0], toll_date_from_ymd(2016, 9, 25));
    ck_assert_int_eq(inc->date_end[0], toll_date_from_ymd(2016, 10, 31));
    ck_assert(inc->flags[0] & TOLL_FLAG_DATE_CONFLICT);
    toll_incidents_free(inc);
    toll_reports_free(r);
}
END_TEST

/* ---- the incidents table --------------------------------------------------- */

static const char *tstr(const toll_table *t, const char *col, size_t i)
{
    long j = toll_table_column_index(t, col);
    ck_assert_msg(j >= 0, "no column %s", col);
    return toll_table_string(t, (size_t)j, i);
}

static double tdbl(const toll_table *t, const char *col, size_t i)
{
    long j = toll_table_column_index(t, col);
    ck_assert_msg(j >= 0, "no column %s", col);
    const double *d = toll_table_double(t, (size_t)j);
    ck_assert_ptr_nonnull(d);
    return d[i];
}

static int64_t tint(const toll_table *t, const char *col, size_t i)
{
    long j = toll_table_column_index(t, col);
    ck_assert_msg(j >= 0, "no column %s", col);
    const int64_t *d = toll_table_int64(t, (size_t)j);
    ck_assert_ptr_nonnull(d);
    return d[i];
}

START_TEST(incidents_table_should_have_the_documented_columns)
{
    static const char *names[] = {
        "incident", "category", "date_start", "date_end", "region", "actor",
        "grade", "reports", "sources", "low", "best", "high", "open",
        "denied", "contested", "place_conflict", "date_conflict",
        "low_source", "low_report", "high_source", "high_report",
        "self_source", "self_low", "self_best", "self_high"};
    static const toll_coltype types[] = {
        TOLL_COL_STRING, TOLL_COL_STRING, TOLL_COL_STRING, TOLL_COL_STRING,
        TOLL_COL_STRING, TOLL_COL_STRING, TOLL_COL_STRING, TOLL_COL_INT64,
        TOLL_COL_INT64,  TOLL_COL_DOUBLE, TOLL_COL_DOUBLE, TOLL_COL_DOUBLE,
        TOLL_COL_INT64,  TOLL_COL_INT64,  TOLL_COL_INT64,  TOLL_COL_INT64,
        TOLL_COL_INT64,  TOLL_COL_STRING, TOLL_COL_STRING, TOLL_COL_STRING,
        TOLL_COL_STRING, TOLL_COL_STRING, TOLL_COL_DOUBLE, TOLL_COL_DOUBLE,
        TOLL_COL_DOUBLE};
    toll_reports *r = seed_store(0);
    toll_incidents *inc = rec_default(r);
    toll_table *t = NULL;
    ck_assert_int_eq(toll_incidents_table(inc, NULL, &t, NULL), TOLL_OK);
    ck_assert_uint_eq(toll_table_ncols(t), 25);
    for (size_t j = 0; j < 25; j++) {
        ck_assert_str_eq(toll_table_column_name(t, j), names[j]);
        ck_assert_int_eq(toll_table_column_type(t, j), types[j]);
    }
    ck_assert_uint_eq(toll_table_nkeys(t), 0);
    ck_assert_int_eq(toll_table_additive(t), 1);
    ck_assert_int_eq(t->is_summary, 0);
    toll_table_free(t);
    toll_incidents_free(inc);
    toll_reports_free(r);
}
END_TEST

START_TEST(incidents_table_should_show_the_seed_incident)
{
    toll_reports *r = seed_store(0);
    toll_incidents *inc = rec_default(r);
    toll_table *t = NULL;
    ck_assert_int_eq(toll_incidents_table(inc, NULL, &t, NULL), TOLL_OK);
    toll_incidents_free(inc); /* the table owns its strings */
    inc = NULL;
    ck_assert_uint_eq(toll_table_nrows(t), 1);
    ck_assert_str_eq(tstr(t, "incident", 0), "idlib-1");
    ck_assert_str_eq(tstr(t, "category", 0), "killed");
    ck_assert_str_eq(tstr(t, "date_start", 0), "2016-09-25");
    ck_assert_str_eq(tstr(t, "date_end", 0), "2016-09-25");
    ck_assert_str_eq(tstr(t, "region", 0), "Syria/Idlib/Ariha");
    ck_assert_str_eq(tstr(t, "actor", 0), "Russia");
    ck_assert_str_eq(tstr(t, "grade", 0), "single");
    ck_assert_int_eq(tint(t, "reports", 0), 3);
    ck_assert_int_eq(tint(t, "sources", 0), 1);
    ck_assert_double_eq(tdbl(t, "low", 0), 150);
    ck_assert_double_eq(tdbl(t, "best", 0), 151);
    ck_assert_double_eq(tdbl(t, "high", 0), 152);
    ck_assert_int_eq(tint(t, "open", 0), 1);
    ck_assert_int_eq(tint(t, "denied", 0), 1);
    ck_assert_int_eq(tint(t, "contested", 0), 0);
    ck_assert_int_eq(tint(t, "place_conflict", 0), 0);
    ck_assert_int_eq(tint(t, "date_conflict", 0), 0);
    ck_assert_str_eq(tstr(t, "low_source", 0), "Syrian Civil Defence");
    ck_assert_str_eq(tstr(t, "low_report", 0), "fx.json:1");
    ck_assert_str_eq(tstr(t, "high_source", 0), "Syrian Civil Defence");
    ck_assert_str_eq(tstr(t, "high_report", 0), "fx.json:2");
    ck_assert_str_eq(tstr(t, "self_source", 0), "Russian Defence Ministry");
    ck_assert_double_eq(tdbl(t, "self_low", 0), 0);
    ck_assert_double_eq(tdbl(t, "self_best", 0), 0);
    ck_assert_double_eq(tdbl(t, "self_high", 0), 0);
    toll_table_free(t);
    toll_reports_free(r);
}
END_TEST

START_TEST(incidents_table_should_list_cells_and_mark_missing_values)
{
    toll_reports *r = store();
    /* unkeyed incident, two categories, one with only an unknown figure */
    ADD(r, .source = "AP", .q = {{"killed", 4, 4, 4}, {"injured", UNK, 0, 0}});
    /* keyed incident with no quantity at all */
    ADD(r, .incident = "K", .source = "AFP", .actors = "Russia;Syria",
        .region = "Syria", .date = "2016-09-01");
    ADD(r, .incident = "K", .source = "AFP", .actors = "Russia",
        .region = "Iraq", .date = "2016-10-01");
    toll_incidents *inc = rec_default(r);
    toll_table *t = NULL;
    ck_assert_int_eq(toll_incidents_table(inc, NULL, &t, NULL), TOLL_OK);
    ck_assert_uint_eq(toll_table_nrows(t), 3);
    ck_assert_str_eq(tstr(t, "incident", 0), "fx.json:1");
    ck_assert_str_eq(tstr(t, "incident", 1), "fx.json:1");
    ck_assert_str_eq(tstr(t, "category", 0), "killed");
    ck_assert_str_eq(tstr(t, "category", 1), "injured");
    ck_assert_ptr_null(tstr(t, "date_start", 0));
    ck_assert_ptr_null(tstr(t, "region", 0));
    ck_assert_ptr_null(tstr(t, "actor", 0));
    ck_assert_str_eq(tstr(t, "low_report", 0), "fx.json:1");
    ck_assert_ptr_null(tstr(t, "self_source", 0));
    ck_assert(isnan(tdbl(t, "self_low", 0)));
    ck_assert(isnan(tdbl(t, "self_best", 0)));
    ck_assert(isnan(tdbl(t, "self_high", 0)));
    ck_assert(isnan(tdbl(t, "low", 1)));
    ck_assert(isnan(tdbl(t, "best", 1)));
    ck_assert(isnan(tdbl(t, "high", 1)));
    ck_assert_ptr_null(tstr(t, "low_source", 1));
    ck_assert_ptr_null(tstr(t, "low_report", 1));
    /* the incident without cells: one row, category missing */
    ck_assert_str_eq(tstr(t, "incident", 2), "K");
    ck_assert_ptr_null(tstr(t, "category", 2));
    ck_assert(isnan(tdbl(t, "low", 2)));
    ck_assert_str_eq(tstr(t, "actor", 2), "Russia + Syria");
    ck_assert_ptr_null(tstr(t, "region", 2)); /* Syria vs Iraq */
    toll_table_free(t);
    toll_incidents_free(inc);
    toll_reports_free(r);
}
END_TEST

START_TEST(incidents_table_should_show_conflicts_and_contested_blame)
{
    toll_reports *r = store();
    ADD(r, .incident = "K", .source = "AFP", .actors = "Russia",
        .region = "Syria/Aleppo", .date = "2016-09-01",
        .q = {{"killed", 1, 1, 1}});
    ADD(r, .incident = "K", .source = "AP", .actors = "Syria",
        .region = "Iraq", .date = "2016-10-01", .q = {{"killed", 2, 2, 2}});
    toll_incidents *inc = rec_default(r);
    toll_table *t = NULL;
    ck_assert_int_eq(toll_incidents_table(inc, NULL, &t, NULL), TOLL_OK);
    ck_assert_int_eq(tint(t, "contested", 0), 1);
    ck_assert_int_eq(tint(t, "place_conflict", 0), 1);
    ck_assert_int_eq(tint(t, "date_conflict", 0), 1);
    ck_assert_int_eq(tint(t, "open", 0), 0);
    ck_assert_int_eq(tint(t, "denied", 0), 0);
    ck_assert_str_eq(tstr(t, "grade", 0), "corroborated");
    ck_assert_str_eq(tstr(t, "date_start", 0), "2016-09-01");
    ck_assert_str_eq(tstr(t, "date_end", 0), "2016-10-01");
    ck_assert_ptr_null(tstr(t, "region", 0));
    toll_table_free(t);
    toll_incidents_free(inc);
    toll_reports_free(r);
}
END_TEST

/* ---- allocation failures --------------------------------------------------- */

static toll_reports *mixed_store(const toll_allocator *a)
{
    toll_reports *r = NULL;
    ck_assert_int_eq(toll_reports_new(a, &r, NULL), TOLL_OK);
    ADD(r, .incident = "idlib-1", .source = "Syrian Civil Defence",
        .actors = "Russia", .region = "Syria/Idlib/Ariha", .date = "2016-09",
        .q = {{"killed", 150, OPEN, 150}, {"injured", UNK, 0, 0}});
    ADD(r, .incident = "idlib-1", .source = "SOHR", .actors = "US",
        .region = "Syria/Idlib/Saraqib", .date = "2016-09-25",
        .q = {{"killed", 152, 152, 152}});
    ADD(r, .incident = "idlib-1", .source = "MoD", .source_actor = "Russia",
        .q = {{"killed", 0, 0, 0}});
    ADD(r, .source = "AP", .region = "Iraq/Mosul", .q = {{"killed", 3, 9, 5}});
    ADD(r, .incident = "K", .source = "AFP", .actors = "Syria");
    return r;
}

/* ---- reports gathered in blocks of incidents -------------------------------- */

static toll_incidents *rec_threads(toll_reports *r, size_t threads)
{
    toll_reconcile_options o;
    toll_reconcile_options_init(&o);
    o.threads = threads;
    toll_incidents *inc = NULL;
    toll_error e;
    ck_assert_msg(toll_reconcile(r, &o, NULL, &inc, &e) == TOLL_OK,
                  "reconcile failed: %s", e.message);
    return inc;
}

START_TEST(incident_with_more_reports_than_a_gather_block_should_use_all)
{
    /* 5,000 reports of one incident, each followed by an incident of its
     * own: more than one block of reports, its reports far apart */
    toll_reports *r = store();
    char name[32], src[32];
    for (int i = 0; i < 5000; i++) {
        snprintf(src, sizeof src, "s%d", i % 7);
        ADD(r, .incident = "big", .source = src,
            .actors = i == 4999 ? "Syria" : "Russia", .region = "Syria/Idlib",
            .q = {{"killed", 100 + i, 100 + i, 100 + i}});
        snprintf(name, sizeof name, "small-%d", i);
        ADD(r, .incident = name, .q = {{"killed", 1, 1, 1}});
    }
    for (size_t threads = 1; threads <= 2; threads++) {
        toll_incidents *inc = rec_threads(r, threads);
        ck_assert_uint_eq(inc->n, 5001);
        ck_assert_uint_eq(inc->r_count[0], 5000);
        ck_assert_uint_eq(inc->n_sources[0], 7);
        ck_assert_uint_eq(toll__inc_set_size(inc, inc->actors[0]), 2);
        ck_assert(inc->flags[0] & TOLL_FLAG_CONTESTED);
        size_t j = must_cell(inc, 0, "killed");
        ck_assert_int_eq(inc->c_low[j], 100);
        ck_assert_int_eq(inc->c_high[j], 5099);
        ck_assert_double_eq(inc->c_best[j], 2599.5);
        ck_assert_uint_eq(inc->c_low_report[j], 0);
        ck_assert_uint_eq(inc->c_high_report[j], 9998);
        ck_assert_uint_eq(inc->c_n_reports[j], 5000);
        j = must_cell(inc, 5000, "killed");
        ck_assert_uint_eq(inc->c_low_report[j], 9999);
        ck_assert_uint_eq(inc->r_count[5000], 1);
        toll_incidents_free(inc);
    }
    toll_reports_free(r);
}
END_TEST

START_TEST(reports_of_one_incident_in_different_blocks_should_keep_their_cells)
{
    /* incident A's two reports are 3,000 incidents apart, so they are
     * gathered with different neighbours; each report has several cells */
    toll_reports *r = store();
    ADD(r, .incident = "A", .date = "2016-01-02",
        .q = {{"killed", 5, 5, 5}, {"injured", 2, 2, 2}});
    for (int i = 0; i < 3000; i++)
        ADD(r, .q = {{"injured", i, i, i}});
    ADD(r, .incident = "A", .date = "2016-01",
        .q = {{"missing", 3, 3, 3}, {"killed", 9, 9, 9}, {"injured", 1, 1, 1}});
    for (size_t threads = 1; threads <= 2; threads++) {
        toll_incidents *inc = rec_threads(r, threads);
        ck_assert_uint_eq(inc->n, 3001);
        ck_assert_uint_eq(inc->c_count[0], 3);
        const char *order[] = {"killed", "injured", "missing"};
        for (size_t k = 0; k < 3; k++)
            ck_assert_str_eq(toll__str(&r->strings,
                                       inc->c_category[inc->c_begin[0] + k]),
                             order[k]);
        size_t j = must_cell(inc, 0, "killed");
        ck_assert_int_eq(inc->c_low[j], 5);
        ck_assert_int_eq(inc->c_high[j], 9);
        ck_assert_uint_eq(inc->c_low_report[j], 0);
        ck_assert_uint_eq(inc->c_high_report[j], 3001);
        j = must_cell(inc, 0, "injured");
        ck_assert_int_eq(inc->c_low[j], 1);
        ck_assert_int_eq(inc->c_high[j], 2);
        j = must_cell(inc, 0, "missing");
        ck_assert_int_eq(inc->c_low[j], 3);
        ck_assert_uint_eq(inc->c_low_report[j], 3001);
        ck_assert_int_eq(inc->date_start[0], toll_date_from_ymd(2016, 1, 2));
        ck_assert_int_eq(inc->date_end[0], toll_date_from_ymd(2016, 1, 2));
        j = must_cell(inc, 2999, "injured");
        ck_assert_int_eq(inc->c_low[j], 2998);
        toll_incidents_free(inc);
    }
    toll_reports_free(r);
}
END_TEST

START_TEST(reconcile_should_fail_cleanly_at_every_allocation)
{
    toll_reports *r = mixed_store(NULL);
    int ok = 0;
    for (long n = 1; n < 200 && !ok; n++) {
        failing_alloc f;
        failing_alloc_init(&f, n);
        toll_incidents *inc = NULL;
        toll_error e;
        toll_status st = toll_reconcile(r, NULL, &f.a, &inc, &e);
        ck_assert_msg(st == TOLL_OK || st == TOLL_ENOMEM,
                      "n=%ld: status %d", n, (int)st);
        if (st == TOLL_OK) {
            ok = 1;
            ck_assert_uint_eq(toll_incidents_count(inc), 3);
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

START_TEST(incidents_table_should_fail_cleanly_at_every_allocation)
{
    toll_reports *r = mixed_store(NULL);
    toll_incidents *inc = rec_default(r);
    int ok = 0;
    for (long n = 1; n < 1000 && !ok; n++) {
        failing_alloc f;
        failing_alloc_init(&f, n);
        toll_table *t = NULL;
        toll_status st = toll_incidents_table(inc, &f.a, &t, NULL);
        ck_assert_msg(st == TOLL_OK || st == TOLL_ENOMEM,
                      "n=%ld: status %d", n, (int)st);
        if (st == TOLL_OK) {
            ok = 1;
            ck_assert_uint_eq(toll_table_nrows(t), 4);
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

/* The allocator (the store's, which reconcile uses) fails while reconcile
 * interns a new union set or region prefix into the incidents' pools. */
START_TEST(reconcile_should_fail_cleanly_when_interning_a_derived_value_fails)
{
    int ok = 0;
    for (long n = 0; n < 200 && !ok; n++) {
        failing_alloc f;
        failing_alloc_init(&f, 0);
        toll_reports *r = mixed_store(&f.a);
        size_t nsets = r->actor_sets.count;
        f.fail_at = f.count + 1 + n;
        toll_incidents *inc = NULL;
        toll_status st = toll_reconcile(r, NULL, NULL, &inc, NULL);
        ck_assert_msg(st == TOLL_OK || st == TOLL_ENOMEM,
                      "n=%ld: status %d", n, (int)st);
        if (st == TOLL_OK) {
            ok = 1;
            ck_assert_uint_eq(r->actor_sets.count, nsets); /* untouched */
            ck_assert_uint_eq(toll__inc_nsets(inc), nsets + 1);
            ck_assert_str_eq(toll__inc_str(inc, inc->region[0]),
                             "Syria/Idlib");
        }
        f.fail_at = 0;
        toll_incidents_free(inc);
        toll_reports_free(r);
        ck_assert_int_eq(f.live, 0);
    }
    ck_assert_msg(ok, "never succeeded");
}
END_TEST

static Suite *reconcile_suite(void)
{
    Suite *s = suite_create("reconcile");
    TCase *tc = tcase_create("names");
    tcase_add_test(tc, names_should_match_the_documented_strings);
    tcase_add_test(tc, parse_should_accept_names_case_insensitively);
    tcase_add_test(tc, parse_should_name_the_bad_text_and_the_accepted_values);
    tcase_add_test(tc, options_init_should_give_envelope_and_exclude);
    tcase_add_test(tc, reconcile_should_reject_null_and_bad_arguments);
    suite_add_tcase(s, tc);

    tc = tcase_create("grouping");
    tcase_add_test(tc, empty_store_should_give_no_incidents);
    tcase_add_test(tc, reports_without_any_category_should_form_incidents_with_no_figures);
    tcase_add_test(tc,
        reports_sharing_a_key_should_form_one_incident_in_first_seen_order);
    tcase_add_test(tc, unkeyed_reports_should_be_incidents_of_their_own);
    suite_add_tcase(s, tc);

    tc = tcase_create("policies");
    tcase_add_test(tc, envelope_should_take_min_low_max_high_and_median_best);
    tcase_add_test(tc, envelope_should_use_the_low_of_an_open_range_as_its_high);
    tcase_add_test(tc,
        envelope_best_should_be_the_mean_of_the_middle_two_for_even_count);
    tcase_add_test(tc,
        conservative_should_take_the_minimum_low_for_low_high_and_best);
    tcase_add_test(tc, unknown_figures_should_not_enter_the_bounds);
    tcase_add_test(tc, missing_category_should_have_no_cell_not_zero);
    tcase_add_test(tc, cells_should_follow_the_category_first_seen_order);
    tcase_add_test(tc, provenance_should_name_the_reports_that_set_the_bounds);
    suite_add_tcase(s, tc);

    tc = tcase_create("self-reports");
    tcase_add_test(tc, self_report_should_be_excluded_from_the_bounds_by_default);
    tcase_add_test(tc, self_report_should_enter_the_bounds_with_include);
    tcase_add_test(tc,
        source_actor_outside_the_alleged_actors_should_not_be_self);
    tcase_add_test(tc,
        self_report_denial_with_other_case_should_not_be_independent);
    tcase_add_test(tc, self_report_should_match_across_white_space_variants);
    tcase_add_test(tc, self_report_should_match_under_unicode_case_folding);
    tcase_add_test(tc, denial_should_never_lower_the_minimum);
    tcase_add_test(tc, party_own_figure_should_be_kept);
    tcase_add_test(tc,
        several_self_reports_should_give_their_envelope_and_first_report);
    tcase_add_test(tc, cell_without_self_figure_should_have_none);
    suite_add_tcase(s, tc);

    tc = tcase_create("flags");
    tcase_add_test(tc,
        denied_should_need_a_self_zero_and_an_included_figure_above_zero);
    tcase_add_test(tc, open_flag_should_come_from_an_included_open_high_only);
    tcase_add_test(tc,
        contested_should_flag_non_self_reports_naming_different_actors);
    suite_add_tcase(s, tc);

    tc = tcase_create("actors");
    tcase_add_test(tc, incident_actors_should_be_the_union_of_the_reports_sets);
    tcase_add_test(tc,
        a_new_union_set_should_be_the_incidents_own_and_leave_the_store);
    suite_add_tcase(s, tc);

    tc = tcase_create("grades");
    tcase_add_test(tc,
        grade_should_be_confirmed_when_a_party_acknowledges_deaths);
    tcase_add_test(tc,
        grade_should_be_corroborated_with_two_distinct_non_self_sources);
    tcase_add_test(tc, grade_should_be_single_with_one_source_reporting_twice);
    tcase_add_test(tc, grade_should_be_self_only_with_only_self_reports);
    suite_add_tcase(s, tc);

    tc = tcase_create("place-time");
    tcase_add_test(tc, region_should_be_the_longest_when_all_lie_on_one_path);
    tcase_add_test(tc,
        region_should_be_the_common_prefix_and_flag_a_conflict_otherwise);
    tcase_add_test(tc, dates_should_be_the_intersection_of_the_spans);
    tcase_add_test(tc,
        dates_should_be_the_union_and_flag_a_conflict_when_disjoint);
    suite_add_tcase(s, tc);

    tc = tcase_create("table");
    tcase_add_test(tc, incidents_table_should_have_the_documented_columns);
    tcase_add_test(tc, incidents_table_should_show_the_seed_incident);
    tcase_add_test(tc,
        incidents_table_should_list_cells_and_mark_missing_values);
    tcase_add_test(tc,
        incidents_table_should_show_conflicts_and_contested_blame);
    suite_add_tcase(s, tc);

    tc = tcase_create("gather");
    tcase_add_test(tc, incident_with_more_reports_than_a_gather_block_should_use_all);
    tcase_add_test(tc,
        reports_of_one_incident_in_different_blocks_should_keep_their_cells);
    suite_add_tcase(s, tc);

    tc = tcase_create("alloc");
    tcase_add_test(tc, reconcile_should_fail_cleanly_at_every_allocation);
    tcase_add_test(tc, incidents_table_should_fail_cleanly_at_every_allocation);
    tcase_add_test(tc,
        reconcile_should_fail_cleanly_when_interning_a_derived_value_fails);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return toll_test_run(reconcile_suite()); }
