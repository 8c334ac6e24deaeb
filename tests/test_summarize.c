/* tests/test_summarize.c - aggregation of incidents into summary tables.
 *
 * The incidents are built by hand (fixture below) so that these tests do
 * not depend on ingest or reconcile. */
#include "store/store.h"
#include "reconcile/reconcile.h"
#include "render/render.h"
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- fixture --------------------------------------------------------------- */

#define FX_MAX_CELLS 3

typedef struct fx_cell {
    const char *category;
    int64_t low, high;
    double best;
    unsigned flags; /* TOLL__C_*; 0 is turned into TOLL__C_KNOWN */
} fx_cell;

typedef struct fx_inc {
    const char *region;  /* NULL: none */
    const char *start;   /* "2016-09-25"; NULL: no date */
    const char *end;     /* NULL: same as start */
    const char *actors;  /* "A;B"; NULL: none */
    toll_grade grade;    /* 0: single */
    unsigned flags;      /* TOLL_FLAG_* */
    unsigned reports;    /* 0: 1 */
    fx_cell cells[FX_MAX_CELLS];
} fx_inc;

#define NO_FIGURE 0x80u /* cell flags value meaning "flags 0" */

typedef struct fixture {
    toll_reports *r;
    toll_incidents *inc;
} fixture;

static uint32_t intern(toll_reports *r, const char *s)
{
    uint32_t id = 0;
    ck_assert_int_eq(toll__strpool_intern(&r->strings, s, strlen(s), &id),
                     TOLL_OK);
    return id;
}

static int32_t day(const char *s)
{
    int32_t first, last;
    toll_error err;
    ck_assert_msg(toll_date_parse(s, strlen(s), &first, &last, &err) == TOLL_OK,
                  "bad date %s", s);
    return first;
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

static fixture fx_build(const fx_inc *in, size_t n)
{
    fixture fx;
    ck_assert_int_eq(toll_reports_new(NULL, &fx.r, NULL), TOLL_OK);
    toll_reports *r = fx.r;
    const toll_allocator *a = &r->alloc;
    toll_incidents *inc = toll__calloc(a, 1, sizeof *inc);
    ck_assert_ptr_nonnull(inc);
    inc->alloc = r->alloc;
    inc->reports = r;
    inc->opts.policy = TOLL_POLICY_ENVELOPE;
    inc->opts.self_reports = TOLL_SELF_EXCLUDE;
    size_t nc = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < FX_MAX_CELLS && in[i].cells[k].category; k++)
            nc++;
    inc->n = n;
    inc->nc = nc;
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
    ALLOC_ARR(c_category, nc);
    ALLOC_ARR(c_low, nc);
    ALLOC_ARR(c_high, nc);
    ALLOC_ARR(c_best, nc);
    ALLOC_ARR(c_flags, nc);
    size_t c = 0;
    for (size_t i = 0; i < n; i++) {
        char key[32];
        snprintf(key, sizeof key, "inc-%zu", i);
        inc->key[i] = intern(r, key);
        inc->r_count[i] = in[i].reports ? in[i].reports : 1;
        inc->region[i] = in[i].region ? intern(r, in[i].region) : 0;
        inc->date_start[i] = in[i].start ? day(in[i].start) : TOLL_NO_DATE;
        inc->date_end[i] = in[i].end ? day(in[i].end) : inc->date_start[i];
        inc->actors[i] = 0;
        if (in[i].actors) {
            uint32_t ids[8];
            size_t na = 0;
            char buf[256];
            snprintf(buf, sizeof buf, "%s", in[i].actors);
            for (char *tok = strtok(buf, ";"); tok && na < 8;
                 tok = strtok(NULL, ";"))
                ck_assert_int_eq(toll__reports_intern_actor(
                                     r, tok, strlen(tok), &ids[na++]),
                                 TOLL_OK);
            ck_assert_int_eq(toll__setpool_intern(&r->actor_sets, &r->strings,
                                                  ids, na, &inc->actors[i]),
                             TOLL_OK);
        }
        inc->grade[i] = (uint8_t)(in[i].grade ? in[i].grade : TOLL_GRADE_SINGLE);
        inc->flags[i] = (uint8_t)in[i].flags;
        inc->c_begin[i] = (uint32_t)c;
        for (size_t k = 0; k < FX_MAX_CELLS && in[i].cells[k].category; k++) {
            const fx_cell *fc = &in[i].cells[k];
            inc->c_category[c] = intern(r, fc->category);
            note_category(r, inc->c_category[c]);
            inc->c_low[c] = fc->low;
            inc->c_high[c] = fc->high;
            inc->c_best[c] = fc->best;
            inc->c_flags[c] = (uint8_t)(fc->flags == NO_FIGURE ? 0
                                        : fc->flags ? fc->flags
                                                    : TOLL__C_KNOWN);
            c++;
            inc->c_count[i]++;
        }
    }
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
    if (inc->ext->summarize) /* summarize's cached key codes */
        inc->ext->summarize->destroy(&inc->alloc, inc->ext->summarize);
    toll__free(a, inc->ext, sizeof *inc->ext);
    toll__setpool_free(&inc->own_sets);
    toll__strpool_free(&inc->own_strings);
    toll__free(a, inc, sizeof *inc);
    toll_reports_free(fx->r);
}

#define KILLED(lo, hi, be) {"killed", lo, hi, be, 0}

/* ---- helpers ---------------------------------------------------------------- */

static toll_table *summarize_ok(const fixture *fx,
                                const toll_summarize_options *o)
{
    toll_table *t = NULL;
    toll_error err;
    toll_error_clear(&err);
    toll_status st = toll_summarize(fx->inc, o, NULL, &t, &err);
    ck_assert_msg(st == TOLL_OK, "summarize failed: %s", err.message);
    ck_assert_ptr_nonnull(t);
    return t;
}

static toll_table *summarize_by(const fixture *fx, const char *by)
{
    toll_summarize_options o;
    toll_summarize_options_init(&o);
    o.by = by;
    return summarize_ok(fx, &o);
}

static size_t col(const toll_table *t, const char *name)
{
    size_t j = toll_table_column_index(t, name);
    ck_assert_msg(j != TOLL_NPOS, "no column %s", name);
    return j;
}

static const char *key_at(const toll_table *t, const char *name, size_t row)
{
    const char *s = toll_table_string(t, col(t, name), row);
    ck_assert_ptr_nonnull(s);
    return s;
}

static int64_t int_at(const toll_table *t, const char *name, size_t row)
{
    const int64_t *v = toll_table_int64(t, col(t, name));
    ck_assert_ptr_nonnull(v);
    ck_assert_uint_lt(row, toll_table_nrows(t));
    return v[row];
}

static double dbl_at(const toll_table *t, const char *name, size_t row)
{
    const double *v = toll_table_double(t, col(t, name));
    ck_assert_ptr_nonnull(v);
    ck_assert_uint_lt(row, toll_table_nrows(t));
    return v[row];
}

/* Row whose first key column equals `key`; fails if absent. */
static size_t row_of(const toll_table *t, const char *key)
{
    for (size_t i = 0; i < toll_table_nrows(t); i++) {
        const char *s = toll_table_string(t, 0, i);
        if (s && strcmp(s, key) == 0)
            return i;
    }
    ck_abort_msg("no row %s", key);
    return 0;
}

#define ASSERT_NEAR(x, y) ck_assert_double_eq_tol((x), (y), 1e-9)

static void expect_error(const fixture *fx, const toll_summarize_options *o,
                         const char *needle)
{
    toll_table *t = (toll_table *)1;
    toll_error err;
    toll_error_clear(&err);
    ck_assert_int_eq(toll_summarize(fx->inc, o, NULL, &t, &err), TOLL_EINVAL);
    ck_assert_ptr_null(t);
    ck_assert_int_eq(err.code, TOLL_EINVAL);
    ck_assert_msg(strstr(err.message, needle) != NULL,
                  "message '%s' lacks '%s'", err.message, needle);
}

static void expect_by_error(const fixture *fx, const char *by,
                            const char *needle)
{
    toll_summarize_options o;
    toll_summarize_options_init(&o);
    o.by = by;
    expect_error(fx, &o, needle);
}

/* A small mixed data set used by several tests. */
static const fx_inc BASIC[] = {
    {"Syria/Idlib/Khan Shaykhun", "2016-09-25", NULL, "Russia", 0, 0, 2,
     {KILLED(10, 20, 15)}},
    {"Syria/Idlib/Saraqib", "2016-09-28", NULL, "Syria;Russia", 0, 0, 3,
     {KILLED(4, 4, 4)}},
    {"Syria/Aleppo", "2016-10-02", NULL, "Syria", 0, 0, 1,
     {KILLED(100, 150, 120)}},
    {"Syria/Idlibx", "2016-11-01", NULL, NULL, 0, 0, 1, {KILLED(1, 1, 1)}},
};
#define NBASIC (sizeof BASIC / sizeof *BASIC)

/* ---- names and options -------------------------------------------------------- */

START_TEST(attribution_parse_should_read_names_and_reject_others)
{
    toll_attribution a;
    toll_error err;
    ck_assert_int_eq(toll_attribution_parse("joint", &a, &err), TOLL_OK);
    ck_assert_int_eq(a, TOLL_ATTR_JOINT);
    ck_assert_int_eq(toll_attribution_parse("SPLIT", &a, &err), TOLL_OK);
    ck_assert_int_eq(a, TOLL_ATTR_SPLIT);
    ck_assert_int_eq(toll_attribution_parse("each", &a, &err), TOLL_OK);
    ck_assert_int_eq(a, TOLL_ATTR_EACH);
    ck_assert_int_eq(toll_attribution_parse("both", &a, &err), TOLL_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.message, "'both'"));
    ck_assert_str_eq(err.field, "attribution");
    ck_assert_str_eq(toll_attribution_name(TOLL_ATTR_SPLIT), "split");
    ck_assert_str_eq(toll_attribution_name(TOLL_ATTR_EACH), "each");
    ck_assert_str_eq(toll_attribution_name(TOLL_ATTR_JOINT), "joint");
    ck_assert_str_eq(toll_attribution_name((toll_attribution)9), "");
}
END_TEST

START_TEST(span_parse_should_read_names_and_reject_others)
{
    toll_span s;
    toll_error err;
    ck_assert_int_eq(toll_span_parse("start", &s, &err), TOLL_OK);
    ck_assert_int_eq(s, TOLL_SPAN_START);
    ck_assert_int_eq(toll_span_parse("Prorate", &s, &err), TOLL_OK);
    ck_assert_int_eq(s, TOLL_SPAN_PRORATE);
    ck_assert_int_eq(toll_span_parse("end", &s, &err), TOLL_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.message, "'end'"));
    ck_assert_int_eq(toll_span_parse(NULL, &s, &err), TOLL_EINVAL);
    ck_assert_str_eq(toll_span_name(TOLL_SPAN_PRORATE), "prorate");
    ck_assert_str_eq(toll_span_name(TOLL_SPAN_START), "start");
}
END_TEST

START_TEST(options_init_should_set_defaults)
{
    toll_summarize_options o;
    memset(&o, 0xff, sizeof o);
    toll_summarize_options_init(&o);
    ck_assert_ptr_null(o.by);
    ck_assert_ptr_null(o.category);
    ck_assert_int_eq(o.attribution, TOLL_ATTR_JOINT);
    ck_assert_int_eq(o.span, TOLL_SPAN_START);
    ck_assert_int_eq(o.min_grade, TOLL_GRADE_NONE);
    ck_assert_ptr_null(o.date_from);
    ck_assert_ptr_null(o.date_to);
    ck_assert_ptr_null(o.region_prefix);
    ck_assert_ptr_null(o.actors);
    ck_assert_uint_eq(o.n_actors, 0);
    ck_assert_uint_eq(o.max_rows, TOLL_SUMMARIZE_DEFAULT_MAX_ROWS);
}
END_TEST

/* ---- warnings ---------------------------------------------------------------- */

START_TEST(summarize_without_any_category_should_warn)
{
    toll_reports *r = NULL;
    toll_incidents *inc = NULL;
    toll_table *t = NULL;
    toll_error err;
    ck_assert_int_eq(toll_reports_new(NULL, &r, NULL), TOLL_OK);
    const char *csv = "source,deaths\nA,5\n";
    toll_load_options o;
    toll_load_options_init(&o);
    o.format = TOLL_FORMAT_CSV;
    ck_assert_int_eq(toll_reports_load_buffer(r, csv, strlen(csv), "d.csv", &o,
                                              NULL, &err),
                     TOLL_OK);
    ck_assert_int_eq(toll_reconcile(r, NULL, NULL, &inc, &err), TOLL_OK);
    ck_assert_int_eq(toll_summarize(inc, NULL, NULL, &t, &err), TOLL_OK);
    ck_assert_uint_eq(toll_table_warning_count(t), 1);
    ck_assert_ptr_nonnull(strstr(toll_table_warning(t, 0)->message,
                                 "no report carries any casualty category"));
    ck_assert_ptr_nonnull(strstr(toll_table_warning(t, 0)->message,
                                 "'deaths'"));
    ck_assert_ptr_null(toll_table_warning(t, 1));
    toll_table_free(t);
    toll_incidents_free(inc);
    /* with a category: no warning */
    csv = "source,killed\nA,5\n";
    ck_assert_int_eq(toll_reports_load_buffer(r, csv, strlen(csv), "k.csv", &o,
                                              NULL, &err),
                     TOLL_OK);
    ck_assert_int_eq(toll_reconcile(r, NULL, NULL, &inc, &err), TOLL_OK);
    ck_assert_int_eq(toll_summarize(inc, NULL, NULL, &t, &err), TOLL_OK);
    ck_assert_uint_eq(toll_table_warning_count(t), 0);
    toll_table_free(t);
    toll_incidents_free(inc);
    toll_reports_free(r);
}
END_TEST

/* ---- basic aggregation ---------------------------------------------------------- */

START_TEST(summarize_without_keys_should_give_one_total_row)
{
    fixture fx = fx_build(BASIC, NBASIC);
    toll_table *t = summarize_ok(&fx, NULL);
    ck_assert_uint_eq(toll_table_nrows(t), 1);
    ck_assert_uint_eq(toll_table_nkeys(t), 0);
    ck_assert_uint_eq(toll_table_ncols(t), 8);
    static const char *const names[] = {"incidents", "reports", "low",
                                        "best",      "high",    "open",
                                        "denied",    "contested"};
    for (size_t j = 0; j < 8; j++) {
        ck_assert_str_eq(toll_table_column_name(t, j), names[j]);
        ck_assert_int_eq(toll_table_column_type(t, j),
                         (j >= 2 && j <= 4) ? TOLL_COL_DOUBLE : TOLL_COL_INT64);
    }
    ck_assert_int_eq(int_at(t, "incidents", 0), 4);
    ck_assert_int_eq(int_at(t, "reports", 0), 7);
    ASSERT_NEAR(dbl_at(t, "low", 0), 115);
    ASSERT_NEAR(dbl_at(t, "best", 0), 140);
    ASSERT_NEAR(dbl_at(t, "high", 0), 175);
    ck_assert_int_eq(toll_table_additive(t), 1);
    ck_assert_int_eq(t->is_summary, 1);
    toll_table_free(t);
    fx_free(&fx);
}
END_TEST

START_TEST(summarize_should_put_the_options_in_the_caption)
{
    fixture fx = fx_build(BASIC, NBASIC);
    toll_table *t = summarize_ok(&fx, NULL);
    ck_assert_str_eq(toll_table_caption(t), "killed; policy envelope; "
                                            "self-reports exclude; "
                                            "attribution joint; span start");
    toll_table_free(t);
    fx.inc->opts.policy = TOLL_POLICY_CONSERVATIVE;
    fx.inc->opts.self_reports = TOLL_SELF_INCLUDE;
    toll_summarize_options o;
    toll_summarize_options_init(&o);
    o.by = "actor,period:month";
    o.attribution = TOLL_ATTR_SPLIT;
    o.span = TOLL_SPAN_PRORATE;
    t = summarize_ok(&fx, &o);
    ck_assert_str_eq(toll_table_caption(t), "killed; policy conservative; "
                                            "self-reports include; "
                                            "attribution split; span prorate");
    toll_table_free(t);
    fx_free(&fx);
}
END_TEST

START_TEST(cells_without_a_known_figure_should_not_enter_totals)
{
    static const fx_inc in[] = {
        {"A", "2016-01-01", NULL, "X", 0, 0, 2, {KILLED(5, 5, 5)}},
        /* only a self-report / unknown figure */
        {"A", "2016-01-02", NULL, "X", 0, 0, 4,
         {{"killed", 0, 0, 0, TOLL__C_HAS_SELF}}},
        {"A", "2016-01-03", NULL, "X", 0, 0, 8,
         {{"killed", 0, 0, 0, NO_FIGURE}}},
        /* only another category */
        {"A", "2016-01-04", NULL, "X", 0, 0, 16,
         {{"injured", 3, 3, 3, 0}}},
    };
    fixture fx = fx_build(in, 4);
    toll_table *t = summarize_by(&fx, "actor");
    ck_assert_uint_eq(toll_table_nrows(t), 1);
    ck_assert_int_eq(int_at(t, "incidents", 0), 1);
    ck_assert_int_eq(int_at(t, "reports", 0), 2);
    ASSERT_NEAR(dbl_at(t, "low", 0), 5);
    toll_table_free(t);
    fx_free(&fx);
}
END_TEST

START_TEST(summarize_should_count_open_denied_and_contested)
{
    static const fx_inc in[] = {
        {"A", "2016-01-01", NULL, "X", 0, TOLL_FLAG_CONTESTED, 1,
         {{"killed", 5, 9, 5, TOLL__C_KNOWN | TOLL__C_OPEN}}},
        {"A", "2016-01-02", NULL, "X", 0, 0, 1,
         {{"killed", 2, 2, 2, TOLL__C_KNOWN | TOLL__C_DENIED}}},
        {"A", "2016-01-03", NULL, "X", 0, TOLL_FLAG_CONTESTED, 1,
         {{"killed", 1, 1, 1, TOLL__C_KNOWN | TOLL__C_OPEN |
                                  TOLL__C_DENIED}}},
    };
    fixture fx = fx_build(in, 3);
    toll_table *t = summarize_by(&fx, "");
    ck_assert_int_eq(int_at(t, "open", 0), 2);
    ck_assert_int_eq(int_at(t, "denied", 0), 2);
    ck_assert_int_eq(int_at(t, "contested", 0), 2);
    ck_assert_int_eq(int_at(t, "incidents", 0), 3);
    toll_table_free(t);
    fx_free(&fx);
}
END_TEST

START_TEST(summarize_of_no_incidents_should_give_no_rows)
{
    fixture fx = fx_build(NULL, 0);
    toll_table *t = summarize_by(&fx, "actor,period:month");
    ck_assert_uint_eq(toll_table_nrows(t), 0);
    ck_assert_uint_eq(toll_table_nkeys(t), 2);
    ck_assert_uint_eq(toll_table_ncols(t), 10);
    ck_assert_str_eq(toll_table_column_name(t, 0), "actor");
    ck_assert_str_eq(toll_table_column_name(t, 1), "period");
    toll_table_free(t);
    t = summarize_by(&fx, NULL);
    ck_assert_uint_eq(toll_table_nrows(t), 0);
    toll_table_free(t);
    fx_free(&fx);
}
END_TEST

/* ---- actor and attribution ------------------------------------------------------- */

START_TEST(by_actor_joint_should_group_by_the_actor_set_label)
{
    fixture fx = fx_build(BASIC, NBASIC);
    toll_table *t = summarize_by(&fx, "actor");
    ck_assert_uint_eq(toll_table_nrows(t), 4);
    ck_assert_str_eq(toll_table_column_name(t, 0), "actor");
    /* byte order */
    ck_assert_str_eq(key_at(t, "actor", 0), "Russia");
    ck_assert_str_eq(key_at(t, "actor", 1), "Russia + Syria");
    ck_assert_str_eq(key_at(t, "actor", 2), "Syria");
    ck_assert_str_eq(key_at(t, "actor", 3), "unknown");
    ASSERT_NEAR(dbl_at(t, "low", 1), 4);
    ck_assert_int_eq(int_at(t, "reports", 1), 3);
    ASSERT_NEAR(dbl_at(t, "high", 2), 150);
    ck_assert_int_eq(toll_table_additive(t), 1);
    toll_table_free(t);
    fx_free(&fx);
}
END_TEST

START_TEST(by_actor_split_should_share_low_best_and_high)
{
    static const fx_inc in[] = {
        {"A", "2016-01-01", NULL, "Russia;Syria", 0, 0, 3,
         {KILLED(5, 11, 8)}},
        {"A", "2016-01-01", NULL, "Russia", 0, 0, 1, {KILLED(1, 1, 1)}},
        {"A", "2016-01-01", NULL, "Iran;Russia;Syria", 0, 0, 1,
         {KILLED(3, 3, 3)}},
    };
    fixture fx = fx_build(in, 3);
    toll_summarize_options o;
    toll_summarize_options_init(&o);
    o.by = "actor";
    o.attribution = TOLL_ATTR_SPLIT;
    toll_table *t = summarize_ok(&fx, &o);
    ck_assert_uint_eq(toll_table_nrows(t), 3);
    size_t ru = row_of(t, "Russia"), sy = row_of(t, "Syria"),
           ir = row_of(t, "Iran");
    ck_assert_uint_eq(ir, 0);
    ck_assert_uint_eq(ru, 1);
    ck_assert_uint_eq(sy, 2);
    ASSERT_NEAR(dbl_at(t, "low", ru), 2.5 + 1 + 1);
    ASSERT_NEAR(dbl_at(t, "high", ru), 5.5 + 1 + 1);
    ASSERT_NEAR(dbl_at(t, "best", ru), 4 + 1 + 1);
    ASSERT_NEAR(dbl_at(t, "low", sy), 3.5);
    ASSERT_NEAR(dbl_at(t, "low", ir), 1);
    /* Every incident counts once in each of its actors' rows. */
    ck_assert_int_eq(int_at(t, "incidents", ru), 3);
    ck_assert_int_eq(int_at(t, "incidents", sy), 2);
    ck_assert_int_eq(int_at(t, "reports", sy), 4);
    /* The shares add up to the whole. */
    double sum = 0;
    for (size_t i = 0; i < 3; i++)
        sum += dbl_at(t, "low", i);
    ASSERT_NEAR(sum, 9);
    ck_assert_int_eq(toll_table_additive(t), 1);
    toll_table_free(t);
    fx_free(&fx);
}
END_TEST

START_TEST(by_actor_each_should_give_full_counts_and_be_non_additive)
{
    static const fx_inc in[] = {
        {"A", "2016-01-01", NULL, "Russia;Syria", 0, 0, 3,
         {KILLED(5, 11, 8)}},
        {"A", "2016-01-01", NULL, NULL, 0, 0, 1, {KILLED(1, 1, 1)}},
    };
    fixture fx = fx_build(in, 2);
    toll_summarize_options o;
    toll_summarize_options_init(&o);
    o.by = "actor";
    o.attribution = TOLL_ATTR_EACH;
    toll_table *t = summarize_ok(&fx, &o);
    ck_assert_uint_eq(toll_table_nrows(t), 3);
    size_t ru = row_of(t, "Russia"), sy = row_of(t, "Syria"),
           un = row_of(t, "unknown");
    ASSERT_NEAR(dbl_at(t, "low", ru), 5);
    ASSERT_NEAR(dbl_at(t, "high", sy), 11);
    ASSERT_NEAR(dbl_at(t, "best", sy), 8);
    ASSERT_NEAR(dbl_at(t, "low", un), 1);
    ck_assert_int_eq(int_at(t, "incidents", ru), 1);
    ck_assert_int_eq(toll_table_additive(t), 0);
    ck_assert_ptr_nonnull(strstr(toll_table_caption(t), "attribution each"));
    /* The text rendering carries the note. */
    char *s = NULL;
    ck_assert_int_eq(toll_table_render_string(t, TOLL_RENDER_TEXT, 0, &s, NULL,
                                              NULL),
                     TOLL_OK);
    ck_assert_ptr_nonnull(strstr(s, "rows do not add up"));
    toll_table_buffer_free(t, s);
    toll_table_free(t);
    /* Without an actor key, attribution does not multiply anything. */
    o.by = "period:year";
    t = summarize_ok(&fx, &o);
    ASSERT_NEAR(dbl_at(t, "low", 0), 6);
    ck_assert_int_eq(toll_table_additive(t), 1);
    toll_table_free(t);
    fx_free(&fx);
}
END_TEST

START_TEST(actor_named_unknown_should_share_the_unknown_row)
{
    static const fx_inc in[] = {
        {"A", "2016-01-01", NULL, "unknown", 0, 0, 1, {KILLED(2, 2, 2)}},
        {"A", "2016-01-01", NULL, NULL, 0, 0, 1, {KILLED(1, 1, 1)}},
    };
    fixture fx = fx_build(in, 2);
    toll_table *t = summarize_by(&fx, "actor");
    ck_assert_uint_eq(toll_table_nrows(t), 1);
    ck_assert_str_eq(key_at(t, "actor", 0), "unknown");
    ASSERT_NEAR(dbl_at(t, "low", 0), 3);
    toll_table_free(t);
    fx_free(&fx);
}
END_TEST

/* ---- region -------------------------------------------------------------------------- */

START_TEST(by_region_should_group_by_the_full_path)
{
    static const fx_inc in[] = {
        {"Syria/Idlib/Khan Shaykhun", "2016-01-01", NULL, "X", 0, 0, 1,
         {KILLED(1, 1, 1)}},
        {"Syria/Idlib/Khan Shaykhun", "2016-01-01", NULL, "X", 0, 0, 1,
         {KILLED(2, 2, 2)}},
        {"Syria/Idlib", "2016-01-01", NULL, "X", 0, 0, 1, {KILLED(4, 4, 4)}},
        {NULL, "2016-01-01", NULL, "X", 0, 0, 1, {KILLED(8, 8, 8)}},
    };
    fixture fx = fx_build(in, 4);
    toll_table *t = summarize_by(&fx, "region");
    ck_assert_uint_eq(toll_table_nrows(t), 3);
    ck_assert_str_eq(key_at(t, "region", 0), "");
    ck_assert_str_eq(key_at(t, "region", 1), "Syria/Idlib");
    ck_assert_str_eq(key_at(t, "region", 2), "Syria/Idlib/Khan Shaykhun");
    ASSERT_NEAR(dbl_at(t, "low", 0), 8);
    ASSERT_NEAR(dbl_at(t, "low", 2), 3);
    toll_table_free(t);
    fx_free(&fx);
}
END_TEST

START_TEST(by_region_level_should_keep_the_first_levels)
{
    static const fx_inc in[] = {
        {"Syria/Idlib/Khan Shaykhun", "2016-01-01", NULL, "X", 0, 0, 1,
         {KILLED(1, 1, 1)}},
        {"Syria/Idlib/Saraqib", "2016-01-01", NULL, "X", 0, 0, 1,
         {KILLED(2, 2, 2)}},
        {"Syria/Aleppo", "2016-01-01", NULL, "X", 0, 0, 1, {KILLED(4, 4, 4)}},
        {"Syria", "2016-01-01", NULL, "X", 0, 0, 1, {KILLED(8, 8, 8)}},
        {"Iraq/Mosul", "2016-01-01", NULL, "X", 0, 0, 1, {KILLED(16, 16, 16)}},
    };
    fixture fx = fx_build(in, 5);
    toll_table *t = summarize_by(&fx, "region:0");
    ck_assert_uint_eq(toll_table_nrows(t), 2);
    ck_assert_str_eq(toll_table_column_name(t, 0), "region");
    ck_assert_str_eq(key_at(t, "region", 0), "Iraq");
    ck_assert_str_eq(key_at(t, "region", 1), "Syria");
    ASSERT_NEAR(dbl_at(t, "low", 1), 15);
    toll_table_free(t);
    t = summarize_by(&fx, "region:1");
    ck_assert_uint_eq(toll_table_nrows(t), 4);
    ck_assert_str_eq(key_at(t, "region", 0), "Iraq/Mosul");
    ck_assert_str_eq(key_at(t, "region", 1), "Syria");
    ck_assert_str_eq(key_at(t, "region", 2), "Syria/Aleppo");
    ck_assert_str_eq(key_at(t, "region", 3), "Syria/Idlib");
    ASSERT_NEAR(dbl_at(t, "low", 3), 3);
    ck_assert_int_eq(int_at(t, "incidents", 3), 2);
    toll_table_free(t);
    t = summarize_by(&fx, "region:5");
    ck_assert_uint_eq(toll_table_nrows(t), 5);
    toll_table_free(t);
    fx_free(&fx);
}
END_TEST

/* ---- periods ------------------------------------------------------------------------- */

static void expect_period(const char *date, const char *unit,
                          const char *label)
{
    fx_inc in[1] = {{"A", date, NULL, "X", 0, 0, 1, {KILLED(1, 1, 1)}}};
    fixture fx = fx_build(in, 1);
    char by[32];
    snprintf(by, sizeof by, "period:%s", unit);
    toll_table *t = summarize_by(&fx, by);
    ck_assert_uint_eq(toll_table_nrows(t), 1);
    ck_assert_str_eq(toll_table_column_name(t, 0), "period");
    ck_assert_str_eq(key_at(t, "period", 0), label);
    toll_table_free(t);
    fx_free(&fx);
}

START_TEST(period_labels_should_follow_each_unit)
{
    expect_period("2016-09-25", "day", "2016-09-25");
    expect_period("2016-09-25", "week", "2016-W38");
    expect_period("2016-09-25", "month", "2016-09");
    expect_period("2016-09-25", "quarter", "2016-Q3");
    expect_period("2016-09-25", "year", "2016");
    expect_period("2016-01-05", "quarter", "2016-Q1");
    expect_period("2016-12-31", "quarter", "2016-Q4");
    expect_period("0987-03-01", "year", "0987");
}
END_TEST

START_TEST(iso_weeks_should_belong_to_their_iso_year)
{
    expect_period("2015-12-31", "week", "2015-W53");
    expect_period("2016-01-03", "week", "2015-W53");
    expect_period("2016-01-04", "week", "2016-W01");
    expect_period("2018-12-31", "week", "2019-W01");
    expect_period("2020-12-31", "week", "2020-W53");
}
END_TEST

START_TEST(periods_should_sort_chronologically_with_no_date_last)
{
    static const fx_inc in[] = {
        {"A", "2017-01-15", NULL, "X", 0, 0, 1, {KILLED(1, 1, 1)}},
        {"A", NULL, NULL, "X", 0, 0, 1, {KILLED(2, 2, 2)}},
        {"A", "2016-12-15", NULL, "X", 0, 0, 1, {KILLED(4, 4, 4)}},
        {"A", "2016-02-15", NULL, "X", 0, 0, 1, {KILLED(8, 8, 8)}},
        {"A", "2016-12-01", NULL, "X", 0, 0, 1, {KILLED(16, 16, 16)}},
    };
    fixture fx = fx_build(in, 5);
    toll_table *t = summarize_by(&fx, "period:month");
    ck_assert_uint_eq(toll_table_nrows(t), 4);
    ck_assert_str_eq(key_at(t, "period", 0), "2016-02");
    ck_assert_str_eq(key_at(t, "period", 1), "2016-12");
    ck_assert_str_eq(key_at(t, "period", 2), "2017-01");
    ck_assert_str_eq(key_at(t, "period", 3), "");
    ASSERT_NEAR(dbl_at(t, "low", 1), 20);
    ASSERT_NEAR(dbl_at(t, "low", 3), 2);
    toll_table_free(t);
    fx_free(&fx);
}
END_TEST

START_TEST(span_start_should_count_an_incident_where_it_starts)
{
    static const fx_inc in[] = {
        {"A", "2016-12-30", "2017-01-02", "X", 0, 0, 1, {KILLED(10, 20, 15)}},
    };
    fixture fx = fx_build(in, 1);
    toll_table *t = summarize_by(&fx, "period:month");
    ck_assert_uint_eq(toll_table_nrows(t), 1);
    ck_assert_str_eq(key_at(t, "period", 0), "2016-12");
    ASSERT_NEAR(dbl_at(t, "low", 0), 10);
    ASSERT_NEAR(dbl_at(t, "high", 0), 20);
    toll_table_free(t);
    fx_free(&fx);
}
END_TEST

static toll_table *prorated(const fixture *fx, const char *by)
{
    toll_summarize_options o;
    toll_summarize_options_init(&o);
    o.by = by;
    o.span = TOLL_SPAN_PRORATE;
    return summarize_ok(fx, &o);
}

START_TEST(prorate_should_split_across_a_year_boundary_by_days)
{
    static const fx_inc in[] = {
        {"A", "2016-12-30", "2017-01-02", "X", 0, 0, 2, {KILLED(10, 20, 15)}},
    };
    fixture fx = fx_build(in, 1);
    toll_table *t = prorated(&fx, "period:month");
    ck_assert_uint_eq(toll_table_nrows(t), 2);
    ck_assert_str_eq(key_at(t, "period", 0), "2016-12");
    ck_assert_str_eq(key_at(t, "period", 1), "2017-01");
    for (size_t i = 0; i < 2; i++) {
        ASSERT_NEAR(dbl_at(t, "low", i), 5);
        ASSERT_NEAR(dbl_at(t, "high", i), 10);
        ASSERT_NEAR(dbl_at(t, "best", i), 7.5);
        ck_assert_int_eq(int_at(t, "incidents", i), 1);
        ck_assert_int_eq(int_at(t, "reports", i), 2);
    }
    toll_table_free(t);
    t = prorated(&fx, "period:year");
    ck_assert_str_eq(key_at(t, "period", 0), "2016");
    ck_assert_str_eq(key_at(t, "period", 1), "2017");
    ASSERT_NEAR(dbl_at(t, "low", 0), 5);
    ASSERT_NEAR(dbl_at(t, "high", 1), 10);
    toll_table_free(t);
    fx_free(&fx);
}
END_TEST

START_TEST(prorate_should_apportion_low_best_and_high_alike_by_days)
{
    /* 7 over 3 days, 2 of them in January: each of low, best and high
     * gets 2/3 in January and 1/3 in February (docs/aggregation.md). */
    static const fx_inc in[] = {
        {"A", "2016-01-30", "2016-02-01", "X", 0, 0, 1, {KILLED(7, 7, 7)}},
    };
    fixture fx = fx_build(in, 1);
    toll_table *t = prorated(&fx, "period:month");
    ck_assert_uint_eq(toll_table_nrows(t), 2);
    ck_assert_str_eq(key_at(t, "period", 0), "2016-01");
    ASSERT_NEAR(dbl_at(t, "low", 0), 14.0 / 3);
    ASSERT_NEAR(dbl_at(t, "low", 1), 7.0 / 3);
    ASSERT_NEAR(dbl_at(t, "high", 0), 14.0 / 3);
    ASSERT_NEAR(dbl_at(t, "high", 1), 7.0 / 3);
    ASSERT_NEAR(dbl_at(t, "best", 0), 14.0 / 3);
    ASSERT_NEAR(dbl_at(t, "best", 1), 7.0 / 3);
    toll_table_free(t);
    fx_free(&fx);
}
END_TEST

START_TEST(prorate_should_apportion_three_periods_by_days)
{
    /* 2016-01-31 .. 2016-03-01: 1 + 29 + 1 days (leap year); low 10 and
     * high and best 31 each get 1/31, 29/31 and 1/31. */
    static const fx_inc in[] = {
        {"A", "2016-01-31", "2016-03-01", "X", 0, 0, 1, {KILLED(10, 31, 31)}},
    };
    fixture fx = fx_build(in, 1);
    toll_table *t = prorated(&fx, "period:month");
    ck_assert_uint_eq(toll_table_nrows(t), 3);
    ASSERT_NEAR(dbl_at(t, "low", 0), 10.0 / 31);
    ASSERT_NEAR(dbl_at(t, "low", 1), 290.0 / 31);
    ASSERT_NEAR(dbl_at(t, "low", 2), 10.0 / 31);
    ASSERT_NEAR(dbl_at(t, "high", 0), 1);
    ASSERT_NEAR(dbl_at(t, "high", 1), 29);
    ASSERT_NEAR(dbl_at(t, "high", 2), 1);
    ASSERT_NEAR(dbl_at(t, "best", 1), 29);
    toll_table_free(t);
    /* By quarter all three months fall in Q1. */
    t = prorated(&fx, "period:quarter");
    ck_assert_uint_eq(toll_table_nrows(t), 1);
    ASSERT_NEAR(dbl_at(t, "low", 0), 10);
    toll_table_free(t);
    fx_free(&fx);
}
END_TEST

START_TEST(prorate_should_split_weeks_and_days)
{
    /* Sunday 2016-01-03 (2015-W53) .. Tuesday 2016-01-05 (2016-W01). */
    static const fx_inc in[] = {
        {"A", "2016-01-03", "2016-01-05", "X", 0, 0, 1, {KILLED(3, 6, 4.5)}},
    };
    fixture fx = fx_build(in, 1);
    toll_table *t = prorated(&fx, "period:week");
    ck_assert_uint_eq(toll_table_nrows(t), 2);
    ck_assert_str_eq(key_at(t, "period", 0), "2015-W53");
    ck_assert_str_eq(key_at(t, "period", 1), "2016-W01");
    ASSERT_NEAR(dbl_at(t, "low", 0), 1);
    ASSERT_NEAR(dbl_at(t, "low", 1), 2);
    ASSERT_NEAR(dbl_at(t, "high", 0), 2);
    ASSERT_NEAR(dbl_at(t, "high", 1), 4);
    ASSERT_NEAR(dbl_at(t, "best", 0), 1.5);
    toll_table_free(t);
    t = prorated(&fx, "period:day");
    ck_assert_uint_eq(toll_table_nrows(t), 3);
    ck_assert_str_eq(key_at(t, "period", 2), "2016-01-05");
    ASSERT_NEAR(dbl_at(t, "low", 0), 1);
    ASSERT_NEAR(dbl_at(t, "high", 2), 2);
    toll_table_free(t);
    /* Without a period key prorating changes nothing. */
    t = prorated(&fx, "actor");
    ck_assert_uint_eq(toll_table_nrows(t), 1);
    ASSERT_NEAR(dbl_at(t, "low", 0), 3);
    toll_table_free(t);
    fx_free(&fx);
}
END_TEST

START_TEST(prorate_and_split_should_combine)
{
    static const fx_inc in[] = {
        {"A", "2016-12-30", "2017-01-02", "Russia;Syria", 0, 0, 1,
         {KILLED(10, 20, 15)}},
    };
    fixture fx = fx_build(in, 1);
    toll_summarize_options o;
    toll_summarize_options_init(&o);
    o.by = "actor,period:month";
    o.span = TOLL_SPAN_PRORATE;
    o.attribution = TOLL_ATTR_SPLIT;
    toll_table *t = summarize_ok(&fx, &o);
    ck_assert_uint_eq(toll_table_nrows(t), 4);
    ck_assert_str_eq(key_at(t, "actor", 0), "Russia");
    ck_assert_str_eq(key_at(t, "period", 0), "2016-12");
    ck_assert_str_eq(key_at(t, "actor", 1), "Russia");
    ck_assert_str_eq(key_at(t, "period", 1), "2017-01");
    ck_assert_str_eq(key_at(t, "actor", 3), "Syria");
    for (size_t i = 0; i < 4; i++) {
        ASSERT_NEAR(dbl_at(t, "low", i), 2.5);
        ASSERT_NEAR(dbl_at(t, "high", i), 5);
        ASSERT_NEAR(dbl_at(t, "best", i), 3.75);
        ck_assert_int_eq(int_at(t, "incidents", i), 1);
    }
    toll_table_free(t);
    fx_free(&fx);
}
END_TEST

/* ---- category and grade ----------------------------------------------------------- */

static const fx_inc CATS[] = {
    {"A", "2016-01-01", NULL, "X", TOLL_GRADE_CONFIRMED, 0, 1,
     {KILLED(10, 10, 10), {"injured", 20, 30, 25, 0},
      {"children_killed", 2, 2, 2, 0}}},
    {"A", "2016-01-02", NULL, "X", TOLL_GRADE_SELF_ONLY, 0, 1,
     {KILLED(1, 1, 1), {"injured", 2, 2, 2, 0}}},
    {"A", "2016-01-03", NULL, "X", TOLL_GRADE_CORROBORATED, 0, 1,
     {KILLED(100, 100, 100)}},
    {"A", "2016-01-04", NULL, "X", TOLL_GRADE_SINGLE, 0, 1,
     {KILLED(1000, 1000, 1000)}},
};
#define NCATS (sizeof CATS / sizeof *CATS)

START_TEST(by_category_should_total_every_category)
{
    fixture fx = fx_build(CATS, NCATS);
    toll_table *t = summarize_by(&fx, "category");
    ck_assert_uint_eq(toll_table_nrows(t), 3);
    ck_assert_str_eq(key_at(t, "category", 0), "children_killed");
    ck_assert_str_eq(key_at(t, "category", 1), "injured");
    ck_assert_str_eq(key_at(t, "category", 2), "killed");
    ASSERT_NEAR(dbl_at(t, "high", 1), 32);
    ck_assert_int_eq(int_at(t, "incidents", 1), 2);
    ASSERT_NEAR(dbl_at(t, "low", 2), 1111);
    ck_assert_ptr_nonnull(strstr(toll_table_caption(t), "all categories"));
    toll_table_free(t);
    /* An explicit category restricts the category key to it. */
    toll_summarize_options o;
    toll_summarize_options_init(&o);
    o.by = "category";
    o.category = "injured";
    t = summarize_ok(&fx, &o);
    ck_assert_uint_eq(toll_table_nrows(t), 1);
    ck_assert_str_eq(key_at(t, "category", 0), "injured");
    toll_table_free(t);
    fx_free(&fx);
}
END_TEST

START_TEST(category_option_should_choose_the_category_to_total)
{
    fixture fx = fx_build(CATS, NCATS);
    toll_summarize_options o;
    toll_summarize_options_init(&o);
    o.category = "injured";
    toll_table *t = summarize_ok(&fx, &o);
    ck_assert_uint_eq(toll_table_nrows(t), 1);
    ASSERT_NEAR(dbl_at(t, "low", 0), 22);
    ck_assert_int_eq(int_at(t, "incidents", 0), 2);
    ck_assert(strncmp(toll_table_caption(t), "injured;", 8) == 0);
    toll_table_free(t);
    o.category = "nonexistent";
    expect_error(&fx, &o, "unknown category 'nonexistent'");
    fx_free(&fx);
}
END_TEST

START_TEST(by_grade_should_sort_strongest_first)
{
    fixture fx = fx_build(CATS, NCATS);
    toll_table *t = summarize_by(&fx, "grade");
    ck_assert_uint_eq(toll_table_nrows(t), 4);
    ck_assert_str_eq(key_at(t, "grade", 0), "confirmed");
    ck_assert_str_eq(key_at(t, "grade", 1), "corroborated");
    ck_assert_str_eq(key_at(t, "grade", 2), "single");
    ck_assert_str_eq(key_at(t, "grade", 3), "self-only");
    ASSERT_NEAR(dbl_at(t, "low", 2), 1000);
    toll_table_free(t);
    fx_free(&fx);
}
END_TEST

START_TEST(keys_should_appear_in_the_order_given)
{
    fixture fx = fx_build(CATS, NCATS);
    toll_table *t = summarize_by(&fx, "grade, category ,period:year");
    ck_assert_uint_eq(toll_table_nkeys(t), 3);
    ck_assert_str_eq(toll_table_column_name(t, 0), "grade");
    ck_assert_str_eq(toll_table_column_name(t, 1), "category");
    ck_assert_str_eq(toll_table_column_name(t, 2), "period");
    ck_assert_str_eq(toll_table_column_name(t, 3), "incidents");
    ck_assert_uint_eq(toll_table_nrows(t), 7);
    /* confirmed: children_killed, injured, killed; then corroborated ... */
    ck_assert_str_eq(key_at(t, "grade", 0), "confirmed");
    ck_assert_str_eq(key_at(t, "category", 0), "children_killed");
    ck_assert_str_eq(key_at(t, "category", 2), "killed");
    ck_assert_str_eq(key_at(t, "grade", 3), "corroborated");
    ck_assert_str_eq(key_at(t, "grade", 6), "self-only");
    ck_assert_str_eq(key_at(t, "category", 6), "killed");
    ck_assert_str_eq(key_at(t, "period", 6), "2016");
    toll_table_free(t);
    fx_free(&fx);
}
END_TEST

START_TEST(rows_should_sort_by_every_key_in_turn)
{
    static const fx_inc in[] = {
        {"B", "2016-03-01", NULL, "Syria", 0, 0, 1, {KILLED(1, 1, 1)}},
        {"A", "2016-03-01", NULL, "Syria", 0, 0, 1, {KILLED(1, 1, 1)}},
        {"A", "2016-01-01", NULL, "Syria", 0, 0, 1, {KILLED(1, 1, 1)}},
        {"A", "2016-02-01", NULL, "Russia", 0, 0, 1, {KILLED(1, 1, 1)}},
        {"A", "2015-12-01", NULL, "Syria", 0, 0, 1, {KILLED(1, 1, 1)}},
    };
    fixture fx = fx_build(in, 5);
    toll_table *t = summarize_by(&fx, "actor,period:month,region");
    static const char *const want[][3] = {
        {"Russia", "2016-02", "A"}, {"Syria", "2015-12", "A"},
        {"Syria", "2016-01", "A"},  {"Syria", "2016-03", "A"},
        {"Syria", "2016-03", "B"}};
    ck_assert_uint_eq(toll_table_nrows(t), 5);
    for (size_t i = 0; i < 5; i++) {
        ck_assert_str_eq(key_at(t, "actor", i), want[i][0]);
        ck_assert_str_eq(key_at(t, "period", i), want[i][1]);
        ck_assert_str_eq(key_at(t, "region", i), want[i][2]);
    }
    toll_table_free(t);
    fx_free(&fx);
}
END_TEST

/* ---- filters ---------------------------------------------------------------------- */

START_TEST(min_grade_should_keep_incidents_at_or_above_it)
{
    fixture fx = fx_build(CATS, NCATS);
    toll_summarize_options o;
    toll_summarize_options_init(&o);
    o.min_grade = TOLL_GRADE_CORROBORATED;
    toll_table *t = summarize_ok(&fx, &o);
    ASSERT_NEAR(dbl_at(t, "low", 0), 110);
    ck_assert_int_eq(int_at(t, "incidents", 0), 2);
    ck_assert_ptr_nonnull(strstr(toll_table_caption(t), "corroborated"));
    toll_table_free(t);
    fx_free(&fx);
}
END_TEST

START_TEST(date_window_should_keep_incidents_starting_in_it)
{
    static const fx_inc in[] = {
        {"A", "2016-08-31", "2016-09-02", "X", 0, 0, 1, {KILLED(1, 1, 1)}},
        {"A", "2016-09-01", NULL, "X", 0, 0, 1, {KILLED(2, 2, 2)}},
        {"A", "2016-09-30", "2016-10-05", "X", 0, 0, 1, {KILLED(4, 4, 4)}},
        {"A", "2016-10-01", NULL, "X", 0, 0, 1, {KILLED(8, 8, 8)}},
        {"A", NULL, NULL, "X", 0, 0, 1, {KILLED(16, 16, 16)}},
    };
    fixture fx = fx_build(in, 5);
    toll_summarize_options o;
    toll_summarize_options_init(&o);
    /* A partial date_to includes its whole month. */
    o.date_from = "2016-09";
    o.date_to = "2016-09";
    toll_table *t = summarize_ok(&fx, &o);
    ASSERT_NEAR(dbl_at(t, "low", 0), 6);
    toll_table_free(t);
    o.date_from = "2016-09-02";
    o.date_to = NULL;
    t = summarize_ok(&fx, &o);
    ASSERT_NEAR(dbl_at(t, "low", 0), 12);
    toll_table_free(t);
    o.date_from = NULL;
    o.date_to = "2016";
    t = summarize_ok(&fx, &o);
    ASSERT_NEAR(dbl_at(t, "low", 0), 15);
    ck_assert_ptr_nonnull(strstr(toll_table_caption(t), "..2016-12-31"));
    toll_table_free(t);
    fx_free(&fx);
}
END_TEST

START_TEST(region_prefix_should_match_whole_levels)
{
    fixture fx = fx_build(BASIC, NBASIC);
    toll_summarize_options o;
    toll_summarize_options_init(&o);
    o.by = "region";
    o.region_prefix = "Syria/Idlib";
    toll_table *t = summarize_ok(&fx, &o);
    ck_assert_uint_eq(toll_table_nrows(t), 2);
    ck_assert_str_eq(key_at(t, "region", 0), "Syria/Idlib/Khan Shaykhun");
    ck_assert_str_eq(key_at(t, "region", 1), "Syria/Idlib/Saraqib");
    toll_table_free(t);
    o.region_prefix = "Syria/Idlib/Saraqib/";
    t = summarize_ok(&fx, &o);
    ck_assert_uint_eq(toll_table_nrows(t), 1);
    toll_table_free(t);
    o.region_prefix = "Syria/Idl";
    t = summarize_ok(&fx, &o);
    ck_assert_uint_eq(toll_table_nrows(t), 0);
    toll_table_free(t);
    o.region_prefix = "Syria";
    t = summarize_ok(&fx, &o);
    ck_assert_uint_eq(toll_table_nrows(t), 4);
    toll_table_free(t);
    fx_free(&fx);
}
END_TEST

START_TEST(actors_filter_should_keep_incidents_naming_any_of_them)
{
    fixture fx = fx_build(BASIC, NBASIC);
    toll_summarize_options o;
    toll_summarize_options_init(&o);
    o.by = "actor";
    const char *const russia[] = {"Russia"};
    o.actors = russia;
    o.n_actors = 1;
    toll_table *t = summarize_ok(&fx, &o);
    ck_assert_uint_eq(toll_table_nrows(t), 2);
    ck_assert_str_eq(key_at(t, "actor", 0), "Russia");
    ck_assert_str_eq(key_at(t, "actor", 1), "Russia + Syria");
    toll_table_free(t);
    const char *const two[] = {"Nobody", "unknown"};
    o.actors = two;
    o.n_actors = 2;
    t = summarize_ok(&fx, &o);
    ck_assert_uint_eq(toll_table_nrows(t), 1);
    ck_assert_str_eq(key_at(t, "actor", 0), "unknown");
    toll_table_free(t);
    const char *const none[] = {"Nobody"};
    o.actors = none;
    o.n_actors = 1;
    t = summarize_ok(&fx, &o);
    ck_assert_uint_eq(toll_table_nrows(t), 0);
    toll_table_free(t);
    fx_free(&fx);
}
END_TEST

/* Actor identity (src/base/fold.c): a filter names an actor in any
 * spelling; the rows are labelled with the first spelling stored. */
static const fx_inc SPELLED[] = {
    {"Syria/Idlib", "2016-09-25", NULL, "Russia", 0, 0, 1,
     {KILLED(10, 20, 15)}},
    {"Syria/Idlib", "2016-09-26", NULL, "RUSSIA", 0, 0, 1, {KILLED(4, 4, 4)}},
    {"Austria/Wien", "2016-09-27", NULL, "Österreich", 0, 0, 1,
     {KILLED(1, 1, 1)}},
    {"Syria/Aleppo", "2016-10-02", NULL, NULL, 0, 0, 1, {KILLED(2, 2, 2)}},
};
#define NSPELLED (sizeof SPELLED / sizeof *SPELLED)

/* Summarize SPELLED by actor with the actor filter `name`. */
static toll_table *spelled_by_actor(fixture *fx, const char *name)
{
    toll_summarize_options o;
    toll_summarize_options_init(&o);
    o.by = "actor";
    const char *const one[] = {name};
    o.actors = one;
    o.n_actors = 1;
    return summarize_ok(fx, &o);
}

START_TEST(by_actor_should_group_spellings_under_the_first)
{
    fixture fx = fx_build(SPELLED, NSPELLED);
    toll_summarize_options o;
    toll_summarize_options_init(&o);
    o.by = "actor";
    toll_table *t = summarize_ok(&fx, &o);
    ck_assert_uint_eq(toll_table_nrows(t), 3);
    ck_assert_str_eq(key_at(t, "actor", 0), "Russia");
    ck_assert_int_eq(int_at(t, "incidents", 0), 2);
    ck_assert_str_eq(key_at(t, "actor", 1), "unknown");
    ck_assert_str_eq(key_at(t, "actor", 2), "Österreich");
    toll_table_free(t);
    fx_free(&fx);
}
END_TEST

START_TEST(actors_filter_should_match_the_actor_in_another_case)
{
    fixture fx = fx_build(SPELLED, NSPELLED);
    toll_table *t = spelled_by_actor(&fx, "rUSSIA");
    ck_assert_uint_eq(toll_table_nrows(t), 1);
    ck_assert_str_eq(key_at(t, "actor", 0), "Russia");
    ck_assert_int_eq(int_at(t, "incidents", 0), 2);
    toll_table_free(t);
    fx_free(&fx);
}
END_TEST

START_TEST(actors_filter_should_ignore_surrounding_and_repeated_white_space)
{
    fixture fx = fx_build(SPELLED, NSPELLED);
    toll_table *t = spelled_by_actor(&fx, "  Russia\t ");
    ck_assert_uint_eq(toll_table_nrows(t), 1);
    ck_assert_int_eq(int_at(t, "incidents", 0), 2);
    toll_table_free(t);
    t = spelled_by_actor(&fx, "Rus sia");
    ck_assert_uint_eq(toll_table_nrows(t), 0);
    toll_table_free(t);
    fx_free(&fx);
}
END_TEST

START_TEST(actors_filter_should_fold_non_ascii_letters)
{
    fixture fx = fx_build(SPELLED, NSPELLED);
    toll_table *t = spelled_by_actor(&fx, "ÖSTERREICH");
    ck_assert_uint_eq(toll_table_nrows(t), 1);
    ck_assert_str_eq(key_at(t, "actor", 0), "Österreich");
    toll_table_free(t);
    t = spelled_by_actor(&fx, "OSTERREICH"); /* the umlaut is a letter */
    ck_assert_uint_eq(toll_table_nrows(t), 0);
    toll_table_free(t);
    fx_free(&fx);
}
END_TEST

START_TEST(actors_filter_unknown_should_match_in_any_case)
{
    fixture fx = fx_build(SPELLED, NSPELLED);
    toll_table *t = spelled_by_actor(&fx, "UNKNOWN");
    ck_assert_uint_eq(toll_table_nrows(t), 1);
    ck_assert_str_eq(key_at(t, "actor", 0), "unknown");
    toll_table_free(t);
    fx_free(&fx);
}
END_TEST

START_TEST(where_actor_should_filter_by_actor_identity)
{
    fixture fx = fx_build(SPELLED, NSPELLED);
    toll_summarize_options o;
    toll_summarize_options_init(&o);
    o.by = "actor";
    const char *const where[] = {"Actor= rUSSIA "};
    o.where = where;
    o.n_where = 1;
    toll_table *t = summarize_ok(&fx, &o);
    ck_assert_uint_eq(toll_table_nrows(t), 1);
    ck_assert_str_eq(key_at(t, "actor", 0), "Russia");
    ck_assert_int_eq(int_at(t, "incidents", 0), 2);
    ck_assert_ptr_nonnull(strstr(toll_table_caption(t), "; actors rUSSIA"));
    toll_table_free(t);
    /* as structs, with an alternative: the same field ORs */
    toll_where_item items[2] = {{"actor", 5, "ÖSTERREICH", 11},
                                {"ACTOR", 5, "unknown", 7}};
    o.where = NULL;
    o.n_where = 0;
    o.where_items = items;
    o.n_where_items = 2;
    t = summarize_ok(&fx, &o);
    ck_assert_uint_eq(toll_table_nrows(t), 2);
    ck_assert_str_eq(key_at(t, "actor", 0), "unknown");
    ck_assert_str_eq(key_at(t, "actor", 1), "Österreich");
    toll_table_free(t);
    fx_free(&fx);
}
END_TEST

/* ---- errors ----------------------------------------------------------------------- */

START_TEST(unknown_group_keys_should_be_rejected)
{
    fixture fx = fx_build(BASIC, NBASIC);
    expect_by_error(&fx, "actor,foo",
                    "unknown group key 'foo' (expected actor, region, "
                    "region:K, period:day|week|month|quarter|year, category, "
                    "grade)");
    expect_by_error(&fx, "period", "needs a unit");
    expect_by_error(&fx, "period:fortnight", "period:fortnight");
    expect_by_error(&fx, "region:x", "region:x");
    expect_by_error(&fx, "region:", "region:");
    expect_by_error(&fx, "actor:2", "unknown group key 'actor:2'");
    expect_by_error(&fx, "actor,,grade", "empty group key");
    expect_by_error(&fx, "actor,region:1,region", "given twice");
    fx_free(&fx);
}
END_TEST

START_TEST(bad_options_should_be_rejected_naming_the_option)
{
    fixture fx = fx_build(BASIC, NBASIC);
    toll_summarize_options o;
    toll_summarize_options_init(&o);
    o.date_from = "2016-13";
    expect_error(&fx, &o, "date_from");
    toll_summarize_options_init(&o);
    o.date_to = "soon";
    expect_error(&fx, &o, "date_to");
    toll_summarize_options_init(&o);
    o.date_from = "2017";
    o.date_to = "2016";
    expect_error(&fx, &o, "after");
    toll_summarize_options_init(&o);
    o.attribution = (toll_attribution)7;
    expect_error(&fx, &o, "attribution");
    toll_summarize_options_init(&o);
    o.span = (toll_span)7;
    expect_error(&fx, &o, "span");
    toll_summarize_options_init(&o);
    o.min_grade = (toll_grade)9;
    expect_error(&fx, &o, "min_grade");
    toll_summarize_options_init(&o);
    o.n_actors = 1;
    expect_error(&fx, &o, "actors");
    toll_table *t = (toll_table *)1;
    ck_assert_int_eq(toll_summarize(NULL, NULL, NULL, &t, NULL), TOLL_EINVAL);
    ck_assert_ptr_null(t);
    fx_free(&fx);
}
END_TEST

/* ---- memory ---------------------------------------------------------------------- */

START_TEST(summarize_should_use_the_given_allocator_for_the_table)
{
    fixture fx = fx_build(BASIC, NBASIC);
    failing_alloc f;
    failing_alloc_init(&f, 0);
    toll_table *t = NULL;
    ck_assert_int_eq(toll_summarize(fx.inc, NULL, &f.a, &t, NULL), TOLL_OK);
    ck_assert_int_gt(f.live, 0);
    toll_table_free(t);
    ck_assert_int_eq(f.live, 0);
    fx_free(&fx);
}
END_TEST

START_TEST(summarize_should_survive_every_allocation_failure)
{
    fixture fx = fx_build(BASIC, NBASIC);
    toll_allocator saved = fx.inc->alloc;
    toll_summarize_options o;
    toll_summarize_options_init(&o);
    o.by = "actor,region:1,period:day,category,grade";
    o.attribution = TOLL_ATTR_SPLIT;
    o.span = TOLL_SPAN_PRORATE;
    int done = 0;
    for (long n = 1; n < 5000 && !done; n++) {
        failing_alloc f;
        failing_alloc_init(&f, n);
        fx.inc->alloc = f.a; /* temporaries */
        toll_table *t = NULL;
        toll_error err;
        toll_status st = toll_summarize(fx.inc, &o, &f.a, &t, &err);
        fx.inc->alloc = saved;
        if (st == TOLL_OK) {
            ck_assert_uint_eq(toll_table_nrows(t), 5);
            toll_table_free(t);
            done = 1;
        } else {
            ck_assert_int_eq(st, TOLL_ENOMEM);
            ck_assert_int_eq(err.code, TOLL_ENOMEM);
            ck_assert_ptr_null(t);
        }
        ck_assert_int_eq(f.live, 0);
    }
    ck_assert(done);
    fx_free(&fx);
}
END_TEST

START_TEST(summarize_should_handle_many_groups)
{
    enum { N = 20000 };
    fx_inc *in = calloc(N, sizeof *in);
    char(*regions)[16] = calloc(N, sizeof *regions);
    ck_assert_ptr_nonnull(in);
    ck_assert_ptr_nonnull(regions);
    for (size_t i = 0; i < N; i++) {
        snprintf(regions[i], sizeof regions[i], "R%05zu", i % 5000);
        in[i].region = regions[i];
        in[i].start = "2016-01-01";
        in[i].actors = "X";
        in[i].cells[0] = (fx_cell)KILLED(1, 2, 1.5);
    }
    fixture fx = fx_build(in, N);
    toll_table *t = summarize_by(&fx, "region");
    ck_assert_uint_eq(toll_table_nrows(t), 5000);
    for (size_t i = 0; i < 5000; i++) {
        char want[16];
        snprintf(want, sizeof want, "R%05zu", i);
        ck_assert_str_eq(key_at(t, "region", i), want);
        ck_assert_int_eq(int_at(t, "incidents", i), 4);
        ASSERT_NEAR(dbl_at(t, "high", i), 8);
    }
    toll_table_free(t);
    fx_free(&fx);
    free(in);
    free(regions);
}
END_TEST

/* ---- by and where as structs ------------------------------------------------- */

/* Reports with actors, regions, dates, two categories and a kept field. */
static const char *const STRUCT_REPORTS =
    "{\"incident\":\"e1\",\"source\":\"A\",\"date\":\"2016-09-25\","
    "\"region\":\"Syria/Idlib/Saraqib\",\"actor\":[\"Russia\"],"
    "\"killed\":5,\"injured\":2,\"tv\":\"1\"}\n"
    "{\"incident\":\"e1\",\"source\":\"B\",\"date\":\"2016-09-25\","
    "\"region\":\"Syria/Idlib/Saraqib\",\"actor\":[\"Russia\"],"
    "\"killed\":\"4-7\",\"tv\":\"1\"}\n"
    "{\"incident\":\"e2\",\"source\":\"A\",\"date\":\"2016-11-02\","
    "\"region\":\"Syria/Aleppo\",\"actor\":[\"Syria\"],\"killed\":9,"
    "\"tv\":\"3\"}\n"
    "{\"incident\":\"e3\",\"source\":\"C\",\"date\":\"2017-01-10\","
    "\"region\":\"Iraq/Mosul\",\"killed\":3}\n";

static fixture load_struct_reports(void)
{
    fixture fx;
    toll_error err;
    ck_assert_int_eq(toll_reports_new(NULL, &fx.r, NULL), TOLL_OK);
    ck_assert_msg(toll_reports_load_buffer(fx.r, STRUCT_REPORTS,
                                           strlen(STRUCT_REPORTS), "s.jsonl",
                                           NULL, NULL, &err) == TOLL_OK,
                  "%s", err.message);
    ck_assert_int_eq(toll_reconcile(fx.r, NULL, NULL, &fx.inc, &err),
                     TOLL_OK);
    return fx;
}

static void free_struct_reports(fixture *fx)
{
    toll_incidents_free(fx->inc);
    toll_reports_free(fx->r);
}

static char *csv_of(toll_table *t)
{
    char *buf = NULL;
    size_t len = 0;
    ck_assert_int_eq(toll_table_render_string(t, TOLL_RENDER_CSV, 0, &buf,
                                              &len, NULL),
                     TOLL_OK);
    char *copy = malloc(len + 1);
    ck_assert_ptr_nonnull(copy);
    memcpy(copy, buf, len + 1);
    toll_table_buffer_free(t, buf);
    toll_table_free(t);
    return copy;
}

/* The summary with `by` as text equals the one with `keys` as structs. */
static void expect_same_as_text(const fixture *fx, const char *by,
                                const toll_group_key *keys, size_t n)
{
    toll_summarize_options o;
    toll_summarize_options_init(&o);
    o.by = by;
    char *text = csv_of(summarize_ok(fx, &o));
    toll_summarize_options_init(&o);
    o.keys = keys;
    o.n_keys = n;
    char *structs = csv_of(summarize_ok(fx, &o));
    ck_assert_str_eq(structs, text);
    free(text);
    free(structs);
}

START_TEST(struct_keys_should_summarize_as_the_text_form_for_every_kind)
{
    fixture fx = load_struct_reports();
    toll_group_key k;
    memset(&k, 0, sizeof k);
    k.kind = TOLL_KEY_ACTOR;
    expect_same_as_text(&fx, "actor", &k, 1);
    k.kind = TOLL_KEY_REGION;
    expect_same_as_text(&fx, "region", &k, 1);
    k.levels = 2;
    expect_same_as_text(&fx, "region:1", &k, 1);
    k.levels = 0;
    static const char *const units[] = {"period:day", "period:week",
                                        "period:month", "period:quarter",
                                        "period:year"};
    k.kind = TOLL_KEY_PERIOD;
    for (int u = TOLL_PERIOD_DAY; u <= TOLL_PERIOD_YEAR; u++) {
        k.unit = (toll_period_unit)u;
        expect_same_as_text(&fx, units[u], &k, 1);
    }
    k.kind = TOLL_KEY_CATEGORY;
    expect_same_as_text(&fx, "category", &k, 1);
    k.kind = TOLL_KEY_GRADE;
    expect_same_as_text(&fx, "grade", &k, 1);
    k.kind = TOLL_KEY_FIELD;
    k.field = "tv";
    k.field_len = 2;
    expect_same_as_text(&fx, "tv", &k, 1);
    toll_group_key two[2] = {{TOLL_KEY_PERIOD, 0, TOLL_PERIOD_YEAR, NULL, 0},
                             {TOLL_KEY_ACTOR, 0, TOLL_PERIOD_DAY, NULL, 0}};
    expect_same_as_text(&fx, "period:year, actor", two, 2);
    free_struct_reports(&fx);
}
END_TEST

START_TEST(by_parse_should_fill_one_key_per_item)
{
    toll_group_key k[TOLL_SUMMARIZE_MAX_KEYS];
    size_t n = 99;
    const char *text = " Region:2 ,period:Quarter,tv";
    ck_assert_int_eq(toll_summarize_by_parse(text, k, TOLL_SUMMARIZE_MAX_KEYS,
                                             &n, NULL),
                     TOLL_OK);
    ck_assert_uint_eq(n, 3);
    ck_assert_int_eq(k[0].kind, TOLL_KEY_REGION);
    ck_assert_int_eq(k[0].levels, 3);
    ck_assert_int_eq(k[1].kind, TOLL_KEY_PERIOD);
    ck_assert_int_eq(k[1].unit, TOLL_PERIOD_QUARTER);
    ck_assert_int_eq(k[2].kind, TOLL_KEY_FIELD);
    ck_assert_uint_eq(k[2].field_len, 2);
    ck_assert_ptr_eq(k[2].field, text + strlen(text) - 2);
    ck_assert_int_eq(toll_summarize_by_parse("  ", k, 8, &n, NULL), TOLL_OK);
    ck_assert_uint_eq(n, 0);
}
END_TEST

static void expect_by_parse_error(const char *text, size_t cap,
                                  const char *err_text, const char *needle)
{
    toll_group_key k[TOLL_SUMMARIZE_MAX_KEYS];
    size_t n = 0;
    toll_error err;
    toll_error_clear(&err);
    ck_assert_int_eq(toll_summarize_by_parse(text, k, cap, &n, &err),
                     TOLL_EINVAL);
    ck_assert_str_eq(err.field, "by");
    ck_assert_str_eq(err.text, err_text);
    ck_assert_msg(strstr(err.message, needle) != NULL,
                  "message '%s' lacks '%s'", err.message, needle);
}

START_TEST(by_parse_errors_should_name_the_text)
{
    expect_by_parse_error("actor,period:fortnight", 8, "period:fortnight",
                          "unknown period unit 'fortnight' in "
                          "'period:fortnight'");
    expect_by_parse_error("region:x", 8, "region:x",
                          "bad region level in group key 'region:x'");
    expect_by_parse_error("period", 8, "period", "needs a unit");
    expect_by_parse_error("actor:1", 8, "actor:1",
                          "unknown group key 'actor:1'");
    expect_by_parse_error("actor,,grade", 8, "actor,,grade",
                          "empty group key in 'actor,,grade'");
    expect_by_parse_error("actor, Actor", 8, "Actor",
                          "group key 'actor' given twice in 'actor, Actor'");
    expect_by_parse_error("actor,grade", 1, "actor,grade",
                          "too many group keys in 'actor,grade' (at most 1)");
}
END_TEST

START_TEST(struct_keys_should_be_checked)
{
    fixture fx = load_struct_reports();
    toll_summarize_options o;
    toll_summarize_options_init(&o);
    toll_group_key k[2];
    memset(k, 0, sizeof k);
    k[0].kind = TOLL_KEY_FIELD;
    o.keys = k;
    o.n_keys = 1;
    expect_error(&fx, &o, "group key 0: a kept field needs a name");
    k[0].field = "nope";
    k[0].field_len = 4;
    expect_error(&fx, &o, "unknown group key 'nope'");
    k[0].kind = TOLL_KEY_PERIOD;
    k[0].unit = (toll_period_unit)9;
    expect_error(&fx, &o, "group key 0: unknown period unit 9");
    k[0].kind = TOLL_KEY_GRADE;
    k[1].kind = TOLL_KEY_GRADE;
    o.n_keys = 2;
    expect_error(&fx, &o, "group key 'grade' given twice");
    free_struct_reports(&fx);
}
END_TEST

START_TEST(by_and_keys_together_should_be_an_error_naming_both)
{
    fixture fx = load_struct_reports();
    toll_summarize_options o;
    toll_summarize_options_init(&o);
    toll_group_key k = {TOLL_KEY_ACTOR, 0, TOLL_PERIOD_DAY, NULL, 0};
    o.by = "region";
    o.keys = &k;
    o.n_keys = 1;
    expect_error(&fx, &o, "both by ('region') and keys (1 group keys)");
    toll_summarize_options_init(&o);
    const char *w[] = {"tv=1"};
    toll_where_item wi = {"tv", 2, "1", 1};
    o.where = w;
    o.n_where = 1;
    o.where_items = &wi;
    o.n_where_items = 1;
    expect_error(&fx, &o, "both where (1 items) and where_items (1 items)");
    free_struct_reports(&fx);
}
END_TEST

START_TEST(struct_where_items_should_filter_as_the_text_form)
{
    fixture fx = load_struct_reports();
    static const char *const texts[][2] = {
        {"tv=1", NULL}, {"tv = 3", "tv=1"}, {"tv=", NULL}};
    static const toll_where_item items[][2] = {
        {{"tv", 2, "1", 1}, {NULL, 0, NULL, 0}},
        {{"tv", 2, "3", 1}, {"tv", 2, "1", 1}},
        {{"tv", 2, NULL, 0}, {NULL, 0, NULL, 0}}};
    for (size_t c = 0; c < 3; c++) {
        size_t n = texts[c][1] ? 2 : 1;
        toll_summarize_options o;
        toll_summarize_options_init(&o);
        o.by = "actor";
        o.where = (const char *const *)texts[c];
        o.n_where = n;
        char *text = csv_of(summarize_ok(&fx, &o));
        o.where = NULL;
        o.n_where = 0;
        o.where_items = items[c];
        o.n_where_items = n;
        char *structs = csv_of(summarize_ok(&fx, &o));
        ck_assert_str_eq(structs, text);
        free(text);
        free(structs);
    }
    free_struct_reports(&fx);
}
END_TEST

START_TEST(where_parse_should_split_and_trim_and_name_bad_items)
{
    toll_where_item w;
    const char *item = " tv = 1 ";
    ck_assert_int_eq(toll_summarize_where_parse(item, &w, NULL), TOLL_OK);
    ck_assert_uint_eq(w.field_len, 2);
    ck_assert_int_eq(memcmp(w.field, "tv", 2), 0);
    ck_assert_uint_eq(w.value_len, 1);
    ck_assert_int_eq(w.value[0], '1');
    ck_assert_int_eq(toll_summarize_where_parse("tv=", &w, NULL), TOLL_OK);
    ck_assert_uint_eq(w.value_len, 0);
    toll_error err;
    toll_error_clear(&err);
    ck_assert_int_eq(toll_summarize_where_parse("tv", &w, &err), TOLL_EINVAL);
    ck_assert_str_eq(err.field, "where");
    ck_assert_str_eq(err.text, "tv");
    ck_assert_ptr_nonnull(strstr(err.message, "where item 'tv': expected "
                                              "FIELD=VALUE"));
    toll_error_clear(&err);
    ck_assert_int_eq(toll_summarize_where_parse(" =1", &w, &err),
                     TOLL_EINVAL);
    ck_assert_str_eq(err.text, " =1");
}
END_TEST

START_TEST(struct_where_item_on_an_unknown_field_should_name_it)
{
    fixture fx = load_struct_reports();
    toll_summarize_options o;
    toll_summarize_options_init(&o);
    toll_where_item wi = {"dyad", 4, "7", 1};
    o.where_items = &wi;
    o.n_where_items = 1;
    toll_table *t = NULL;
    toll_error err;
    toll_error_clear(&err);
    ck_assert_int_eq(toll_summarize(fx.inc, &o, NULL, &t, &err), TOLL_EINVAL);
    ck_assert_str_eq(err.field, "where_items");
    ck_assert_str_eq(err.text, "dyad=7");
    ck_assert_ptr_nonnull(strstr(err.message, "no report keeps a field "
                                              "'dyad'"));
    free_struct_reports(&fx);
}
END_TEST


/* ---- invariants, limits and checked totals ----------------------------------- */

/* Every row of t has low <= best <= high, and its quantiles (when any)
 * are in order within [low, high] (above high only with open ranges). */
static void expect_ordered_rows(const toll_table *t, const char *what)
{
    const double *lo = toll_table_double(t, col(t, "low"));
    const double *be = toll_table_double(t, col(t, "best"));
    const double *hi = toll_table_double(t, col(t, "high"));
    size_t q0 = toll_table_column_index(t, "q025");
    size_t q2 = toll_table_column_index(t, "q975");
    for (size_t r = 0; r < toll_table_nrows(t); r++) {
        double tol = 1e-9 * (1.0 + fabs(hi[r]));
        ck_assert_msg(lo[r] <= be[r] && be[r] <= hi[r],
                      "%s: row %zu has low %.17g, best %.17g, high %.17g",
                      what, r, lo[r], be[r], hi[r]);
        if (q0 != TOLL_NPOS) {
            const double *a = toll_table_double(t, q0);
            const double *b = toll_table_double(t, q2);
            /* an open high is capped at open_cap x low for the interval,
             * above the row's high */
            int open = toll_table_int64(t, col(t, "open"))[r] != 0;
            ck_assert_msg(a[r] >= lo[r] - tol && a[r] <= b[r] &&
                              (open || b[r] <= hi[r] + tol),
                          "%s: row %zu has q025 %.17g, q975 %.17g outside "
                          "[%.17g, %.17g]",
                          what, r, a[r], b[r], lo[r], hi[r]);
        }
    }
}

START_TEST(prorate_should_keep_best_within_low_and_high_for_one_report)
{
    /* The red-team case: 1306 over 2016 by month gave January low = high
     * = 115 with best 110.6. */
    static const fx_inc in[] = {
        {"X", "2016-01-01", "2016-12-31", "A", 0, 0, 1,
         {KILLED(1306, 1306, 1306)}},
    };
    fixture fx = fx_build(in, 1);
    toll_table *t = prorated(&fx, "period:month");
    ck_assert_uint_eq(toll_table_nrows(t), 12);
    expect_ordered_rows(t, "1306 by month");
    ASSERT_NEAR(dbl_at(t, "low", 0), 1306.0 * 31 / 366);
    ASSERT_NEAR(dbl_at(t, "best", 0), 1306.0 * 31 / 366);
    ASSERT_NEAR(dbl_at(t, "high", 0), 1306.0 * 31 / 366);
    toll_table_free(t);
    fx_free(&fx);
}
END_TEST

/* Random incidents (seeded): dates in 2015..2017 spanning up to 400 days
 * (some undated, some date-conflicted), 1-3 of 4 actors, 3 regions, two
 * categories, ranges with best anywhere in them, some open. */
#define RND_N 300
static fx_inc rnd_inc[RND_N];
static char rnd_dates[RND_N][2][16];
static uint64_t rnd_state;

static uint64_t rnd(void)
{
    rnd_state = rnd_state * 6364136223846793005ull + 1442695040888963407ull;
    return rnd_state >> 33;
}

static fixture random_fixture(uint64_t seed)
{
    static const char *const actors[] = {"A", "B", "A;B", "A;B;C", "C", NULL};
    static const char *const regions[] = {"S/I", "S/A", "T", NULL};
    rnd_state = seed;
    memset(rnd_inc, 0, sizeof rnd_inc);
    for (size_t i = 0; i < RND_N; i++) {
        fx_inc *f = &rnd_inc[i];
        int32_t ds = toll_date_from_ymd(2015, 1, 1) + (int32_t)(rnd() % 1000);
        int32_t de = ds + (int32_t)(rnd() % 4 == 0 ? rnd() % 400 : 0);
        toll_date_format(ds, rnd_dates[i][0]);
        toll_date_format(de, rnd_dates[i][1]);
        f->start = rnd() % 20 ? rnd_dates[i][0] : NULL;
        f->end = f->start ? rnd_dates[i][1] : NULL;
        f->actors = actors[rnd() % 6];
        f->region = regions[rnd() % 4];
        f->grade = (toll_grade)(1 + rnd() % 4);
        f->flags = rnd() % 10 == 0 ? TOLL_FLAG_DATE_CONFLICT : 0;
        f->reports = (unsigned)(1 + rnd() % 3);
        for (size_t k = 0; k < 2; k++) {
            int64_t lo = (int64_t)(rnd() % 1000);
            int64_t hi = lo + (int64_t)(rnd() % 3 ? rnd() % 500 : 0);
            double be = rnd() % 5 ? (double)lo + (double)(rnd() % 1001) /
                                                     1000.0 * (double)(hi - lo)
                                  : NAN;
            f->cells[k] = (fx_cell){k ? "injured" : "killed", lo, hi, be,
                                    rnd() % 8 ? 0u
                                              : TOLL__C_KNOWN | TOLL__C_OPEN};
        }
    }
    return fx_build(rnd_inc, RND_N);
}

static double col_sum(const toll_table *t, const char *name)
{
    double s = 0.0;
    for (size_t r = 0; r < toll_table_nrows(t); r++)
        s += dbl_at(t, name, r);
    return s;
}

START_TEST(prorated_totals_should_equal_unprorated_totals)
{
    static const char *const units[] = {"period:day", "period:week",
                                        "period:month", "period:quarter",
                                        "period:year"};
    static const char *const cols[] = {"low", "best", "high"};
    for (uint64_t seed = 1; seed <= 3; seed++) {
        fixture fx = random_fixture(seed);
        for (size_t u = 0; u < 5; u++)
            for (int attr = TOLL_ATTR_JOINT; attr <= TOLL_ATTR_SPLIT; attr++) {
                toll_summarize_options o;
                toll_summarize_options_init(&o);
                o.by = units[u];
                o.attribution = (toll_attribution)attr;
                toll_table *a = summarize_ok(&fx, &o);
                o.span = TOLL_SPAN_PRORATE;
                toll_table *b = summarize_ok(&fx, &o);
                for (size_t m = 0; m < 3; m++) {
                    double x = col_sum(a, cols[m]), y = col_sum(b, cols[m]);
                    ck_assert_msg(fabs(x - y) <= 1e-9 * (1.0 + fabs(x)),
                                  "seed %llu by %s: %s total %.17g unprorated, "
                                  "%.17g prorated",
                                  (unsigned long long)seed, units[u], cols[m],
                                  x, y);
                }
                toll_table_free(a);
                toll_table_free(b);
            }
        fx_free(&fx);
    }
}
END_TEST

START_TEST(every_row_should_have_low_best_high_in_order)
{
    static const char *const keys[] = {"actor", "region:0", "period:month",
                                       "category", "grade"};
    static const char *const units[] = {"day", "week", "month", "quarter",
                                        "year"};
    fixture fx = random_fixture(7);
    for (unsigned mask = 0; mask < 32; mask++)
        for (int span = 0; span <= 1; span++)
            for (int attr = 0; attr <= 2; attr++)
                for (int iv = 0; iv <= 2; iv++) {
                    char by[128] = "";
                    for (size_t k = 0; k < 5; k++)
                        if (mask >> k & 1) {
                            if (k == 2) /* the unit varies with the mask */
                                snprintf(by + strlen(by),
                                         sizeof by - strlen(by),
                                         "%speriod:%s", by[0] ? "," : "",
                                         units[mask % 5]);
                            else
                                snprintf(by + strlen(by),
                                         sizeof by - strlen(by), "%s%s",
                                         by[0] ? "," : "", keys[k]);
                        }
                    toll_summarize_options o;
                    toll_summarize_options_init(&o);
                    o.by = by;
                    o.span = (toll_span)span;
                    o.attribution = (toll_attribution)attr;
                    o.interval.method = (toll_interval_method)iv;
                    o.interval.draws = 200;
                    toll_table *t = summarize_ok(&fx, &o);
                    char what[200];
                    snprintf(what, sizeof what,
                             "by '%s' span %d attribution %d interval %d",
                             by, span, attr, iv);
                    expect_ordered_rows(t, what);
                    toll_table_free(t);
                }
    fx_free(&fx);
}
END_TEST

START_TEST(best_outside_its_range_should_be_held_within_low_and_high)
{
    static const fx_inc in[] = {
        {"X", "2016-01-01", NULL, "A", 0, 0, 1, {KILLED(10, 20, 50)}},
        {"X", "2016-01-02", NULL, "B", 0, 0, 1, {KILLED(10, 20, 2)}},
    };
    fixture fx = fx_build(in, 2);
    toll_summarize_options o;
    toll_summarize_options_init(&o);
    o.by = "actor";
    for (int general = 0; general <= 1; general++) {
        o.min_grade = general ? TOLL_GRADE_SINGLE : TOLL_GRADE_NONE;
        toll_table *t = summarize_ok(&fx, &o);
        ASSERT_NEAR(dbl_at(t, "best", 0), 20);
        ASSERT_NEAR(dbl_at(t, "best", 1), 10);
        toll_table_free(t);
    }
    fx_free(&fx);
}
END_TEST

START_TEST(prorate_should_count_date_conflicted_incidents_at_their_start)
{
    static const fx_inc in[] = {
        {"X", "2016-01-20", "2016-06-10", "A", 0, TOLL_FLAG_DATE_CONFLICT, 2,
         {KILLED(10, 20, 15)}},
    };
    fixture fx = fx_build(in, 1);
    toll_table *t = prorated(&fx, "period:month");
    ck_assert_uint_eq(toll_table_nrows(t), 1);
    ck_assert_str_eq(key_at(t, "period", 0), "2016-01");
    ASSERT_NEAR(dbl_at(t, "low", 0), 10);
    ASSERT_NEAR(dbl_at(t, "best", 0), 15);
    ASSERT_NEAR(dbl_at(t, "high", 0), 20);
    toll_table_free(t);
    fx_free(&fx);
}
END_TEST

static void expect_range_error(const fixture *fx,
                               const toll_summarize_options *o,
                               const char *field, const char *needle)
{
    toll_table *t = (toll_table *)1;
    toll_error err;
    toll_error_clear(&err);
    ck_assert_int_eq(toll_summarize(fx->inc, o, NULL, &t, &err), TOLL_ERANGE);
    ck_assert_ptr_null(t);
    ck_assert_str_eq(err.field, field);
    ck_assert_msg(strstr(err.message, needle) != NULL,
                  "message '%s' lacks '%s'", err.message, needle);
}

START_TEST(prorate_over_a_span_beyond_max_rows_should_stop_naming_it)
{
    /* the mistyped year 8306: 2.3 million days */
    static const fx_inc in[] = {
        {"X", "2016-01-01", "8306-12-31", "A", 0, 0, 1, {KILLED(5, 5, 5)}},
    };
    fixture fx = fx_build(in, 1);
    toll_summarize_options o;
    toll_summarize_options_init(&o);
    o.by = "period:day";
    o.span = TOLL_SPAN_PRORATE;
    o.max_rows = 1000000;
    expect_range_error(&fx, &o, "max_rows",
                       "span prorate by period:day: the incident dated "
                       "2016-01-01..8306-12-31 would make 2297740 rows");
    o.by = "period:year"; /* 6291 rows: fine */
    toll_table *t = summarize_ok(&fx, &o);
    ck_assert_uint_eq(toll_table_nrows(t), 6291);
    toll_table_free(t);
    fx_free(&fx);
}
END_TEST

START_TEST(more_groups_than_max_rows_should_stop_naming_the_keys)
{
    fixture fx = fx_build(BASIC, NBASIC);
    toll_summarize_options o;
    toll_summarize_options_init(&o);
    o.by = "region,period:day";
    o.max_rows = 3;
    /* the fast path and the general path (a filter) */
    expect_range_error(&fx, &o, "max_rows",
                       "the summary by region,period:day would have more "
                       "than 3 rows");
    o.min_grade = TOLL_GRADE_SINGLE;
    expect_range_error(&fx, &o, "max_rows",
                       "the summary by region,period:day would have more "
                       "than 3 rows");
    o.max_rows = 4;
    toll_table *t = summarize_ok(&fx, &o);
    ck_assert_uint_eq(toll_table_nrows(t), 4);
    toll_table_free(t);
    fx_free(&fx);
}
END_TEST

START_TEST(totals_beyond_2_53_should_be_an_error_naming_the_row_and_column)
{
    static const fx_inc in[] = {
        {"X", "2016-01-01", NULL, "A", 0, 0, 1,
         {KILLED(5, INT64_C(9007199254740992), 5)}},
        {"X", "2016-01-02", NULL, "A", 0, 0, 1,
         {KILLED(5, INT64_C(9007199254740992), 5)}},
        {"X", "2016-01-03", NULL, "B", 0, 0, 1, {KILLED(1, 2, 1)}},
    };
    fixture fx = fx_build(in, 3);
    toll_summarize_options o;
    toll_summarize_options_init(&o);
    o.by = "actor";
    expect_range_error(&fx, &o, "high",
                       "the high total of the row actor=A is "
                       "18014398509481984, at or beyond 2^53");
    o.by = "period:day"; /* each row fits, their sum does not */
    expect_range_error(&fx, &o, "high",
                       "the high total of all rows (the totals row)");
    o.min_grade = TOLL_GRADE_SINGLE; /* the general path too */
    expect_range_error(&fx, &o, "high", "the totals row");
    fx_free(&fx);
}
END_TEST

START_TEST(totals_reaching_2_53_should_be_exact_or_an_error)
{
    /* 2^53 + 1 rounds to 2^53 in doubles: from two incidents a total of
     * 2^53 is an error; one incident's own 2^53 is exact */
    static const fx_inc in[] = {
        {"X", "2016-01-01", NULL, "A", 0, 0, 1,
         {KILLED(5, INT64_C(9007199254740992), 5)}},
        {"X", "2016-01-02", NULL, "A", 0, 0, 1, {KILLED(1, 1, 1)}},
    };
    fixture fx = fx_build(in, 2);
    toll_summarize_options o;
    toll_summarize_options_init(&o);
    o.by = "actor";
    expect_range_error(&fx, &o, "high",
                       "the high total of the row actor=A is "
                       "9007199254740992, at or beyond 2^53");
    o.by = "period:day"; /* each row is one incident: exact */
    expect_range_error(&fx, &o, "high",
                       "the high total of all rows (the totals row)");
    fx_free(&fx);
    fx = fx_build(in, 1);
    o.by = "actor";
    toll_table *t = summarize_ok(&fx, &o);
    ck_assert_uint_eq(toll_table_nrows(t), 1);
    toll_table_free(t);
    fx_free(&fx);
}
END_TEST

START_TEST(interval_bounds_beyond_2_53_should_be_an_error_not_a_wrap)
{
    /* a single 2^63 - 1 gave q025 = q500 = q975 = 0 */
    static const fx_inc in[] = {
        {"X", "2016-01-01", NULL, "A", 0, 0, 1,
         {KILLED(0, INT64_MAX, 0)}},
    };
    fixture fx = fx_build(in, 1);
    toll_summarize_options o;
    toll_summarize_options_init(&o);
    o.by = "actor";
    o.interval.method = TOLL_INTERVAL_INDEPENDENT;
    o.interval.engine = TOLL_ENGINE_SIMULATE;
    expect_range_error(&fx, &o, "high", "actor=A");
    fx_free(&fx);
}
END_TEST

START_TEST(open_high_capped_beyond_int64_should_name_the_cause)
{
    /* "at least 5000000000000000000": 2 x low does not fit int64; the
     * message was "too many groups or key values" */
    static const fx_inc in[] = {
        {"X", "2016-01-01", NULL, "A", 0, 0, 1,
         {{"killed", INT64_C(5000000000000000000),
           INT64_C(5000000000000000000), NAN,
           TOLL__C_KNOWN | TOLL__C_OPEN}}},
    };
    fixture fx = fx_build(in, 1);
    toll_summarize_options o;
    toll_summarize_options_init(&o);
    o.by = "actor";
    o.interval.method = TOLL_INTERVAL_INDEPENDENT;
    toll_table *t = (toll_table *)1;
    toll_error err;
    toll_error_clear(&err);
    ck_assert_int_eq(toll_summarize(fx.inc, &o, NULL, &t, &err), TOLL_ERANGE);
    ck_assert_msg(strstr(err.message, "too many groups") == NULL &&
                      strstr(err.message, "beyond 2^53") != NULL,
                  "message '%s'", err.message);
    fx_free(&fx);
}
END_TEST

static Suite *summarize_suite(void)
{
    Suite *s = suite_create("summarize");
    TCase *n = tcase_create("options");
    tcase_add_test(n, attribution_parse_should_read_names_and_reject_others);
    tcase_add_test(n, span_parse_should_read_names_and_reject_others);
    tcase_add_test(n, options_init_should_set_defaults);
    tcase_add_test(n, unknown_group_keys_should_be_rejected);
    tcase_add_test(n, bad_options_should_be_rejected_naming_the_option);
    suite_add_tcase(s, n);

    TCase *a = tcase_create("aggregate");
    tcase_add_test(a, summarize_without_keys_should_give_one_total_row);
    tcase_add_test(a, summarize_should_put_the_options_in_the_caption);
    tcase_add_test(a, cells_without_a_known_figure_should_not_enter_totals);
    tcase_add_test(a, summarize_should_count_open_denied_and_contested);
    tcase_add_test(a, summarize_of_no_incidents_should_give_no_rows);
    tcase_add_test(a, by_actor_joint_should_group_by_the_actor_set_label);
    tcase_add_test(a, by_actor_split_should_share_low_best_and_high);
    tcase_add_test(a, by_actor_each_should_give_full_counts_and_be_non_additive);
    tcase_add_test(a, actor_named_unknown_should_share_the_unknown_row);
    tcase_add_test(a, by_region_should_group_by_the_full_path);
    tcase_add_test(a, by_region_level_should_keep_the_first_levels);
    tcase_add_test(a, by_category_should_total_every_category);
    tcase_add_test(a, category_option_should_choose_the_category_to_total);
    tcase_add_test(a, by_grade_should_sort_strongest_first);
    tcase_add_test(a, keys_should_appear_in_the_order_given);
    tcase_add_test(a, rows_should_sort_by_every_key_in_turn);
    suite_add_tcase(s, a);

    TCase *p = tcase_create("periods");
    tcase_add_test(p, period_labels_should_follow_each_unit);
    tcase_add_test(p, iso_weeks_should_belong_to_their_iso_year);
    tcase_add_test(p, periods_should_sort_chronologically_with_no_date_last);
    tcase_add_test(p, span_start_should_count_an_incident_where_it_starts);
    tcase_add_test(p, prorate_should_split_across_a_year_boundary_by_days);
    tcase_add_test(p, prorate_should_apportion_low_best_and_high_alike_by_days);
    tcase_add_test(p, prorate_should_apportion_three_periods_by_days);
    tcase_add_test(p, prorate_should_keep_best_within_low_and_high_for_one_report);
    tcase_add_test(p, prorate_should_count_date_conflicted_incidents_at_their_start);
    tcase_add_test(p, prorate_should_split_weeks_and_days);
    tcase_add_test(p, prorate_and_split_should_combine);
    suite_add_tcase(s, p);

    TCase *f = tcase_create("filters");
    tcase_add_test(f, min_grade_should_keep_incidents_at_or_above_it);
    tcase_add_test(f, date_window_should_keep_incidents_starting_in_it);
    tcase_add_test(f, region_prefix_should_match_whole_levels);
    tcase_add_test(f, actors_filter_should_keep_incidents_naming_any_of_them);
    tcase_add_test(f, by_actor_should_group_spellings_under_the_first);
    tcase_add_test(f, actors_filter_should_match_the_actor_in_another_case);
    tcase_add_test(f,
        actors_filter_should_ignore_surrounding_and_repeated_white_space);
    tcase_add_test(f, actors_filter_should_fold_non_ascii_letters);
    tcase_add_test(f, actors_filter_unknown_should_match_in_any_case);
    tcase_add_test(f, where_actor_should_filter_by_actor_identity);
    suite_add_tcase(s, f);

    TCase *k = tcase_create("structs");
    tcase_add_test(k, struct_keys_should_summarize_as_the_text_form_for_every_kind);
    tcase_add_test(k, by_parse_should_fill_one_key_per_item);
    tcase_add_test(k, by_parse_errors_should_name_the_text);
    tcase_add_test(k, struct_keys_should_be_checked);
    tcase_add_test(k, by_and_keys_together_should_be_an_error_naming_both);
    tcase_add_test(k, struct_where_items_should_filter_as_the_text_form);
    tcase_add_test(k, where_parse_should_split_and_trim_and_name_bad_items);
    tcase_add_test(k, struct_where_item_on_an_unknown_field_should_name_it);
    suite_add_tcase(s, k);

    TCase *v = tcase_create("invariants");
    tcase_set_timeout(v, 120);
    tcase_add_test(v, best_outside_its_range_should_be_held_within_low_and_high);
    tcase_add_test(v, prorated_totals_should_equal_unprorated_totals);
    tcase_add_test(v, every_row_should_have_low_best_high_in_order);
    tcase_add_test(v, prorate_over_a_span_beyond_max_rows_should_stop_naming_it);
    tcase_add_test(v, more_groups_than_max_rows_should_stop_naming_the_keys);
    tcase_add_test(v, totals_beyond_2_53_should_be_an_error_naming_the_row_and_column);
    tcase_add_test(v, totals_reaching_2_53_should_be_exact_or_an_error);
    tcase_add_test(v, interval_bounds_beyond_2_53_should_be_an_error_not_a_wrap);
    tcase_add_test(v, open_high_capped_beyond_int64_should_name_the_cause);
    suite_add_tcase(s, v);

    TCase *m = tcase_create("memory");
    tcase_set_timeout(m, 120);
    tcase_add_test(m, summarize_should_use_the_given_allocator_for_the_table);
    tcase_add_test(m, summarize_should_survive_every_allocation_failure);
    tcase_add_test(m, summarize_should_handle_many_groups);
    tcase_add_test(m, summarize_without_any_category_should_warn);
    suite_add_tcase(s, m);
    return s;
}

int main(void) { return toll_test_run(summarize_suite()); }
