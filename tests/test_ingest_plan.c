/* tests/test_ingest_plan.c - the per-header plan of the CSV reader
 * (src/io/csv/plan.c) loads exactly what the generic row path loads: the
 * same store (strings and their ids, actor sets, every column, quantities,
 * extras, categories, rejects, repairs), the same status and error, on
 * random headers, cells, errors and options, and under allocation
 * failures.  The generic path alone is had through the test hook
 * toll__plan_set_enabled(0). */
#define _POSIX_C_SOURCE 200809L
#include "testutil.h"

#include "io/io.h"
#include "io/csv/plan.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- helpers ------------------------------------------------------------------ */

typedef struct text {
    char *s;
    size_t len, cap;
} text;

static void put(text *t, const char *s, size_t n)
{
    if (t->len + n + 1 > t->cap) {
        t->cap = (t->len + n + 1) * 2;
        t->s = realloc(t->s, t->cap);
        ck_assert_ptr_nonnull(t->s);
    }
    memcpy(t->s + t->len, s, n);
    t->len += n;
    t->s[t->len] = '\0';
}

static void puts_(text *t, const char *s) { put(t, s, strlen(s)); }

/* A small deterministic generator (xorshift64*). */
static uint64_t rng_state;
static uint32_t rnd(uint32_t n)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * UINT64_C(2685821657736338717)) >> 33) % n;
}
static const char *pick(const char *const *v, size_t n) { return v[rnd((uint32_t)n)]; }
#define PICK(v) pick(v, sizeof v / sizeof v[0])

static toll_reports *new_store(const toll_allocator *a)
{
    toll_reports *r = NULL;
    ck_assert_int_eq(toll_reports_new(a, &r, NULL), TOLL_OK);
    return r;
}

static toll_status load(toll_reports *r, const char *s, size_t len,
                        const toll_load_options *o, int plan, size_t *n,
                        toll_error *err)
{
    toll_load_options opts = *o;
    opts.format = TOLL_FORMAT_CSV;
    toll__plan_set_enabled(plan);
    toll_error_clear(err);
    toll_status st = toll_reports_load_buffer(r, s, len, "in.csv", &opts, n,
                                              err);
    toll__plan_set_enabled(1);
    return st;
}

static void same_error(const toll_error *a, const toll_error *b)
{
    ck_assert_int_eq(a->code, b->code);
    ck_assert_str_eq(a->message, b->message);
    ck_assert_str_eq(a->file, b->file);
    ck_assert_str_eq(a->field, b->field);
    ck_assert_str_eq(a->text, b->text);
    ck_assert_int_eq(a->line, b->line);
    ck_assert_int_eq(a->record, b->record);
}

#define SAME_COL(c)                                                           \
    ck_assert_msg(a->n == 0 || (!a->c && !b->c) ||                            \
                      (a->c && b->c &&                                        \
                       memcmp(a->c, b->c, a->n * sizeof *a->c) == 0),         \
                  "column " #c " differs")

/* The two stores hold the same data under the same ids. */
static void same_store(const toll_reports *a, const toll_reports *b)
{
    ck_assert_uint_eq(a->strings.count, b->strings.count);
    for (size_t i = 1; i < a->strings.count; i++) {
        ck_assert_uint_eq(a->strings.len[i], b->strings.len[i]);
        ck_assert(memcmp(a->strings.str[i], b->strings.str[i],
                         a->strings.len[i]) == 0);
    }
    ck_assert_uint_eq(a->actor_sets.count, b->actor_sets.count);
    for (size_t i = 1; i < a->actor_sets.count; i++) {
        ck_assert_uint_eq(a->actor_sets.size[i], b->actor_sets.size[i]);
        ck_assert_uint_eq(a->actor_sets.label[i], b->actor_sets.label[i]);
        ck_assert(memcmp(toll__set_members(&a->actor_sets, (uint32_t)i),
                         toll__set_members(&b->actor_sets, (uint32_t)i),
                         a->actor_sets.size[i] * sizeof(uint32_t)) == 0);
    }
    ck_assert_uint_eq(a->n, b->n);
    SAME_COL(incident);
    SAME_COL(source);
    SAME_COL(source_kind);
    SAME_COL(source_actor);
    SAME_COL(date_start);
    SAME_COL(date_end);
    SAME_COL(region);
    SAME_COL(actors);
    SAME_COL(id);
    SAME_COL(url);
    SAME_COL(note);
    SAME_COL(file);
    SAME_COL(line);
    SAME_COL(q_begin);
    SAME_COL(q_count);
    SAME_COL(x_begin);
    SAME_COL(x_count);
    ck_assert_uint_eq(a->nq, b->nq);
    for (size_t i = 0; i < a->nq; i++) {
        ck_assert_uint_eq(a->q[i].category, b->q[i].category);
        ck_assert_int_eq(a->q[i].low, b->q[i].low);
        ck_assert_int_eq(a->q[i].high, b->q[i].high);
        ck_assert(a->q[i].best == b->q[i].best);
    }
    ck_assert_uint_eq(a->nx, b->nx);
    ck_assert(a->nx == 0 || memcmp(a->x, b->x, a->nx * sizeof *a->x) == 0);
    SAME_COL(x_text);
    ck_assert_uint_eq(a->nxtext, b->nxtext);
    ck_assert(a->nxtext == 0 || memcmp(a->xtext, b->xtext, a->nxtext) == 0);
    ck_assert_uint_eq(a->ncategories, b->ncategories);
    ck_assert(a->ncategories == 0 ||
              memcmp(a->categories, b->categories,
                     a->ncategories * sizeof *a->categories) == 0);
    ck_assert_uint_eq(a->nrejects, b->nrejects);
    for (size_t i = 0; i < a->nrejects; i++)
        same_error(&a->rejects[i], &b->rejects[i]);
    ck_assert_uint_eq(a->nrepairs, b->nrepairs);
    ck_assert(a->nrepairs == 0 ||
              memcmp(a->repairs, b->repairs,
                     a->nrepairs * sizeof *a->repairs) == 0);
}

/* Load `s` into a fresh store (after `before`, when given) with the plan
 * and without: same status, error, count and store. */
static void check_same(const char *before, const char *s, size_t len,
                       const toll_load_options *o)
{
    toll_reports *a = new_store(NULL), *b = new_store(NULL);
    toll_error ea, eb;
    size_t na = 0, nb = 0;
    if (before) {
        ck_assert_int_eq(load(a, before, strlen(before), o, 1, NULL, &ea),
                         TOLL_OK);
        ck_assert_int_eq(load(b, before, strlen(before), o, 0, NULL, &eb),
                         TOLL_OK);
    }
    toll_status sa = load(a, s, len, o, 1, &na, &ea);
    toll_status sb = load(b, s, len, o, 0, &nb, &eb);
    ck_assert_msg(sa == sb, "status %d with the plan, %d without, on:\n%s",
                  sa, sb, s);
    ck_assert_uint_eq(na, nb);
    if (sa)
        same_error(&ea, &eb);
    same_store(a, b);
    toll_reports_free(a);
    toll_reports_free(b);
}

/* Is the plan built for this header (under options o)? */
static int plan_taken(const char *const *names, size_t n,
                      const toll_load_options *o)
{
    toll_reports *r = new_store(NULL);
    toll__ingest in;
    toll__plan p;
    toll__member *m = calloc(n, sizeof *m);
    ck_assert_ptr_nonnull(m);
    memset(&in, 0, sizeof in);
    memset(&p, 0, sizeof p);
    in.r = r;
    in.opts = o;
    in.name = "in.csv";
    in.record = -1;
    for (size_t j = 0; j < n; j++) {
        m[j].key = names[j];
        m[j].klen = strlen(names[j]);
    }
    in.m = m;
    ck_assert_int_eq(toll__bind(&in, &in.bind, m, n, 1), TOLL_OK);
    toll__plan_build(&in, &p, n);
    int ok = p.ok;
    toll__plan_free(&in, &p);
    toll__free(&r->alloc, in.bind.slot, in.bind.slot_cap * sizeof *in.bind.slot);
    toll__free(&r->alloc, in.bind.extra, in.bind.extra_cap);
    toll__free(&r->alloc, in.q, in.q_cap * sizeof *in.q);
    toll__free(&r->alloc, in.x, in.x_cap * sizeof *in.x);
    toll__free(&r->alloc, in.xkey, in.xkey_cap * sizeof *in.xkey);
    free(m);
    toll_reports_free(r);
    return ok;
}

/* ---- random CSV ------------------------------------------------------------------ */

static const char *const COLS[] = {
    "incident", "source",   "source_kind", "source_actor", "date",
    "date_start", "date_end", "region",    "actor",        "id",
    "url",      "note",     "killed",      "injured",      "data_grade",
    "comment",  ""};
#define NCOLS (sizeof COLS / sizeof COLS[0])

static const char *const LONG_REGION =
    "Syria/Rif Dimashq/Markaz Rif Dimashq/Jaramana and the eastern "
    "outskirts";
static const char *const LONG_ACTORS =
    "Syrian Arab Army; Hay'at Tahrir al-Sham; Free Syrian Army; "
    "Islamic State";

static const char *cell(const char *col)
{
    static char buf[128];
    if (rnd(12) == 0)
        return ""; /* blank anywhere */
    if (!strcmp(col, "incident") || !strcmp(col, "id")) {
        static const char *const v[] = {" inc-3 ", "inc,7", "12", "inc-1 "};
        if (rnd(2))
            return PICK(v);
        snprintf(buf, sizeof buf, "inc-%u", rnd(25));
        return buf;
    }
    if (!strcmp(col, "source")) {
        static const char *const v[] = {
            "Reuters", "AP", "  ", "Src, Inc", "S\xc3\xbcr", "AFP ",
            "A source with a name longer than fifty-six bytes in all, yes"};
        return PICK(v);
    }
    if (!strcmp(col, "source_kind")) {
        static const char *const v[] = {"media", "MEDIA", "un", " ngo ",
                                        "bogus", "party", "Monitor", ""};
        return PICK(v);
    }
    if (!strcmp(col, "source_actor")) {
        static const char *const v[] = {"", "Army", "Rebels", " Army "};
        return PICK(v);
    }
    if (!strncmp(col, "date", 4)) {
        static const char *const v[] = {
            "2014-02",    "2014",       "2014-13-01", "bad",
            "2014-02-30", " 2014-01-05", "2014-01-05T10:00", "2013-12-31",
            "05/01/2014", " "};
        if (rnd(2))
            return PICK(v);
        snprintf(buf, sizeof buf, "2014-01-%02u", 1 + rnd(28));
        return buf;
    }
    if (!strcmp(col, "region")) {
        static const char *const v[] = {
            "Syria/Idlib",  "Syria//Idlib", "Syria / Aleppo / X",
            "A/B/C",        "A/B;C",        "Syria",
            " Syria/Hama ", "/Syria",     " "};
        return rnd(5) ? PICK(v) : LONG_REGION;
    }
    if (!strcmp(col, "actor")) {
        static const char *const v[] = {"US;Syria", "Syria", " ; ", "A;;B",
                                        "B;A",      "A|B",   "Syria; US"};
        return rnd(5) ? PICK(v) : LONG_ACTORS;
    }
    if (!strcmp(col, "killed") || !strcmp(col, "injured")) {
        static const char *const v[] = {
            "92",        "85-92",   "92-85",     "at least 5",
            "unknown",   "abc",     "5 to 10",   "-3",
            "123456789012345678901234", "0", "7 ", "1,234"};
        if (rnd(2))
            return PICK(v);
        snprintf(buf, sizeof buf, "%u", rnd(60));
        return buf;
    }
    if (!strcmp(col, "url") || !strcmp(col, "note") ||
        !strcmp(col, "comment")) {
        static const char *const v[] = {"x", "http://a/b", "a \"q\" b",
                                        "line\nbreak", "n\xff"};
        return rnd(8) ? PICK(v) : v[4];
    }
    {
        static const char *const v[] = {"A", "B", "a,b", ""};
        return PICK(v);
    }
}

/* One cell as CSV: quoted when it needs it, or at random. */
static void put_cell(text *t, const char *s)
{
    if (rnd(10) == 0 || strpbrk(s, ",\"\n\r") ||
        (s[0] == ' ' && rnd(2))) {
        puts_(t, "\"");
        for (const char *p = s; *p; p++) {
            put(t, p, 1);
            if (*p == '"')
                put(t, "\"", 1); /* "" inside quotes */
        }
        puts_(t, "\"");
    } else {
        puts_(t, s);
    }
}

/* A random CSV text: a header over a random subset of COLS in random
 * order, then rows (some blank, some short, some with a NUL). */
static void random_csv(text *t, size_t *ncols_out)
{
    size_t idx[NCOLS], n = 0;
    for (size_t k = 0; k < NCOLS; k++)
        idx[k] = k;
    for (size_t k = NCOLS; k > 1; k--) {
        size_t j = rnd((uint32_t)k);
        size_t x = idx[k - 1];
        idx[k - 1] = idx[j];
        idx[j] = x;
    }
    n = 2 + rnd((uint32_t)NCOLS - 1);
    /* the source, most of the time */
    int has_source = 0;
    for (size_t k = 0; k < n; k++)
        has_source |= !strcmp(COLS[idx[k]], "source");
    if (!has_source && rnd(4))
        idx[rnd((uint32_t)n)] = 1;
    t->len = 0;
    for (size_t k = 0; k < n; k++) {
        if (k)
            puts_(t, ",");
        puts_(t, COLS[idx[k]]);
    }
    puts_(t, rnd(3) ? "\n" : "\r\n");
    size_t rows = 1 + rnd(30);
    for (size_t i = 0; i < rows; i++) {
        size_t cells = n;
        if (rnd(40) == 0)
            cells = n + 1;
        if (rnd(40) == 0) {
            for (size_t k = 1; k < n; k++)
                puts_(t, ",");
            puts_(t, "\n");
            continue;
        }
        for (size_t k = 0; k < cells; k++) {
            if (k)
                puts_(t, rnd(30) ? "," : " , ");
            put_cell(t, cell(k < n ? COLS[idx[k]] : "note"));
        }
        if (rnd(60) == 0)
            put(t, "\0", 1);
        puts_(t, "\n");
    }
    *ncols_out = n;
}

static void random_options(toll_load_options *o)
{
    toll_load_options_init(o);
    o->lenient = rnd(3) != 0;
    o->repair = rnd(3) == 0 ? TOLL_REPAIR_ON : TOLL_REPAIR_DEFAULT;
    if (rnd(4) == 0)
        o->region_separator = ';';
    if (rnd(4) == 0)
        o->actor_separator = '|';
    if (rnd(5) == 0)
        o->date_format = "%d/%m/%Y";
}

/* ---- tests ------------------------------------------------------------------------ */

START_TEST(planned_row_should_equal_generic_row_on_random_headers)
{
    text t = {0};
    rng_state = UINT64_C(0x9E3779B97F4A7C15) + (uint64_t)_i;
    for (int k = 0; k < 400; k++) {
        toll_load_options o;
        size_t n;
        random_options(&o);
        random_csv(&t, &n);
        check_same(NULL, t.s, t.len, &o);
    }
    free(t.s);
}
END_TEST

START_TEST(strict_failure_should_keep_earlier_data_as_the_generic_path)
{
    const char *before = "incident,source,killed\ni1,AP,5\ni2,AP,6-7\n";
    const char *bad = "source,region,killed,date\n"
                      "AP,Syria/Idlib,5,2014-01-01\n"
                      "AP,Syria/Hama,at least 4,2014-01-02\n"
                      "AP,Syria//Hama,3,2014-01-03\n";
    toll_load_options o;
    toll_load_options_init(&o);
    check_same(before, bad, strlen(bad), &o);
    /* and the failure is the generic path's own */
    toll_reports *r = new_store(NULL);
    toll_error e;
    ck_assert_int_eq(load(r, before, strlen(before), &o, 1, NULL, &e), TOLL_OK);
    ck_assert_int_eq(load(r, bad, strlen(bad), &o, 1, NULL, &e), TOLL_EREPORT);
    ck_assert_int_eq(e.line, 4);
    ck_assert_str_eq(e.field, "region");
    ck_assert_uint_eq(toll_reports_count(r), 2);
    toll_reports_free(r);
}
END_TEST

START_TEST(planned_row_should_read_every_field_as_generic_row)
{
    const char *csv =
        "note,killed,actor,region,date_end,date_start,source_actor,"
        "source_kind,source,incident,id,url,injured,grade\n"
        "n1,85-92,Syria; US,Syria/Idlib/X,2014-01-09,2014-01-02,Army,MEDIA,"
        "Reuters, inc-1 ,7,http://u,at least 3,A\n"
        ",92,,\" \",\" \",\" \",,,AP,,,,,\n"
        "\" quoted, note \",\"5\",\"A;B\",\" Syria / Hama \",,,,un,AFP,i2,,,"
        "unknown,\n";
    toll_load_options o;
    toll_load_options_init(&o);
    check_same(NULL, csv, strlen(csv), &o);
    toll_reports *r = new_store(NULL);
    toll_error e;
    ck_assert_int_eq(load(r, csv, strlen(csv), &o, 1, NULL, &e), TOLL_OK);
    ck_assert_uint_eq(toll_reports_count(r), 3);
    ck_assert_str_eq(toll__str(&r->strings, r->incident[0]), "inc-1");
    ck_assert_str_eq(toll__str(&r->strings, r->region[2]), "Syria/Hama");
    ck_assert_str_eq(toll__str(&r->strings, r->actor_sets.label[r->actors[0]]),
                     "Syria + US");
    ck_assert_str_eq(report_extra(r, 0, "grade"), "A");
    assert_qcell(report_cell(r, 0, "killed"), 85, 92, 88.5);
    toll_reports_free(r);
}
END_TEST

START_TEST(planned_row_should_give_up_on_errors_in_every_field)
{
    /* each row has one error, in a different field; lenient */
    const char *csv =
        "incident,source,source_kind,date,date_start,date_end,region,actor,"
        "killed\n"
        "i1,,media,,,,,,1\n"
        "i2,AP,bogus,,,,,,1\n"
        "i3,AP,media,2014-13-01,,,,,1\n"
        "i4,AP,media,2014-01-01,2014-01-01,,,,1\n"
        "i5,AP,media,,2014-01-05,2014-01-01,,,1\n"
        "i6,AP,media,,,,A//B,,1\n"
        "i7,AP,media,,,,,,abc\n"
        "i8,AP,media,,,,,,92-85\n"
        "i9,AP,media,,,,,,\xff\n"
        "i10,AP,media,,,,,,1,2\n";
    toll_load_options o;
    toll_load_options_init(&o);
    o.lenient = 1;
    check_same(NULL, csv, strlen(csv), &o);
    toll_reports *r = new_store(NULL);
    toll_error e;
    ck_assert_int_eq(load(r, csv, strlen(csv), &o, 1, NULL, &e), TOLL_OK);
    ck_assert_uint_eq(toll_reports_count(r), 0);
    ck_assert_uint_eq(toll_reports_reject_count(r), 10);
    o.lenient = 0;
    check_same(NULL, csv, strlen(csv), &o);
    toll_reports_free(r);
}
END_TEST

START_TEST(plan_should_take_headers_read_by_name_or_by_plain_map)
{
    static const char *const plain[] = {"incident", "source", "killed",
                                        "extra", ""};
    toll_load_options o;
    toll_load_options_init(&o);
    ck_assert(plan_taken(plain, 5, &o));
    toll_colmap *map = NULL;
    ck_assert_int_eq(toll_colmap_new(NULL, &map, NULL), TOLL_OK);
    ck_assert_int_eq(toll_colmap_parse(map, "source=extra,killed=incident",
                                       NULL),
                     TOLL_OK);
    o.colmap = map;
    ck_assert(plan_taken(plain, 5, &o));
    toll_colmap_free(map);
}
END_TEST

START_TEST(plan_should_leave_ranges_levels_constants_and_kept_fields_alone)
{
    static const char *const cols[] = {"a", "b", "c"};
    static const char *const maps[] = {
        "source=a,killed=b..c",    "source=a,region=b/c",
        "source=a,killed=b..c..a", "source=a,keep:grade=b",
        "source='AP',killed=a",    "source=a,actor=b+c"};
    for (size_t k = 0; k < sizeof maps / sizeof maps[0]; k++) {
        toll_load_options o;
        toll_load_options_init(&o);
        toll_colmap *map = NULL;
        ck_assert_int_eq(toll_colmap_new(NULL, &map, NULL), TOLL_OK);
        toll_error e;
        if (toll_colmap_parse(map, maps[k], &e) != TOLL_OK) {
            toll_colmap_free(map);
            ck_abort_msg("map %s: %s", maps[k], e.message);
        }
        o.colmap = map;
        ck_assert_msg(!plan_taken(cols, 3, &o), "map %s", maps[k]);
        /* and such loads are the generic path's */
        const char *csv = "a,b,c\nAP,3,5\nAP,,7\n";
        check_same(NULL, csv, strlen(csv), &o);
        toll_colmap_free(map);
    }
}
END_TEST

START_TEST(planned_rows_should_equal_generic_rows_with_presets)
{
    const char *csv = "id,relid,year,active_year,type_of_violence,"
                      "conflict_new_id,conflict_name,dyad_new_id,dyad_name,"
                      "side_a,side_b,source_article,where_description,"
                      "country,adm_1,adm_2,date_start,date_end,deaths_a,"
                      "deaths_b,deaths_civilians,deaths_unknown,best,high,"
                      "low,where_prec,date_prec,event_clarity\n"
                      "1,R1,2014,1,1,10,C,20,D,Gov,Reb,Art,W,Syria,Idlib,X,"
                      "2014-01-01 00:00:00.000,2014-01-02 00:00:00.000,1,2,3,"
                      "0,6,8,5,1,1,1\n";
    static const char *const presets[] = {"ucdp-ged", "airwars", "ibc",
                                          "acled"};
    for (size_t k = 0; k < sizeof presets / sizeof presets[0]; k++) {
        toll_load_options o;
        toll_load_options_init(&o);
        o.preset = presets[k];
        o.lenient = 1;
        check_same(NULL, csv, strlen(csv), &o);
    }
}
END_TEST

START_TEST(planned_load_should_survive_every_allocation_failure)
{
    text t = {0};
    rng_state = UINT64_C(12345);
    toll_load_options o;
    size_t n;
    toll_load_options_init(&o);
    o.lenient = 1;
    random_csv(&t, &n);
    const char *csv = "incident,source,source_kind,date_start,region,actor,"
                      "killed,note,extra\n"
                      "i1,AP,media,2014-01-01,Syria/Idlib,A;B,5,n,x\n"
                      "i2,Reuters,un,2014-01-02,Syria/Hama,B,6-8,,y\n"
                      "i1,AP,media,2014-01-01,Syria/Idlib,A;B,at least 5,n,\n"
                      "i3,AP,bogus,2014-01-01,Syria/Idlib,A;B,5,n,x\n";
    toll_reports *ref = new_store(NULL);
    toll_error e;
    ck_assert_int_eq(load(ref, csv, strlen(csv), &o, 0, NULL, &e), TOLL_OK);
    int completed = 0;
    for (long k = 1; k < 400 && !completed; k++) {
        failing_alloc fa;
        failing_alloc_init(&fa, k);
        toll_reports *r = NULL;
        if (toll_reports_new(&fa.a, &r, NULL) != TOLL_OK) {
            ck_assert_int_eq(fa.live, 0);
            continue;
        }
        toll_status st = load(r, csv, strlen(csv), &o, 1, NULL, &e);
        if (st == TOLL_OK) {
            same_store(r, ref);
            completed = fa.count < k; /* nothing failed */
        } else {
            ck_assert_int_eq(st, TOLL_ENOMEM);
            ck_assert_uint_eq(toll_reports_count(r), 0);
        }
        toll_reports_free(r);
        ck_assert_int_eq(fa.live, 0);
    }
    ck_assert(completed);
    toll_reports_free(ref);
    free(t.s);
}
END_TEST

START_TEST(planned_load_should_equal_generic_load_on_a_large_file)
{
    /* more distinct texts than the memos hold, long texts, read in one
     * buffer: the plan's own readers for memo misses */
    text t = {0};
    puts_(&t, "incident,source,source_kind,date_start,date_end,region,actor,"
              "killed,comment\n");
    rng_state = UINT64_C(777);
    char row[512];
    for (int i = 0; i < 6000; i++) {
        snprintf(row, sizeof row,
                 "inc-%u,Source %u,%s,20%02u-%02u-%02u,%s,"
                 "Country %u/Province %u/District with a long name %u,"
                 "Actor %u;Actor %u,%u-%u,%s\n",
                 rnd(3000), rnd(40), rnd(2) ? "media" : "ngo", 10 + rnd(10),
                 1 + rnd(12), 1 + rnd(28), rnd(3) ? "" : "2031-01-01",
                 rnd(3), rnd(50), rnd(400), rnd(60), rnd(60), rnd(50),
                 50 + rnd(50), rnd(5) ? "" : "c");
        puts_(&t, row);
    }
    toll_load_options o;
    toll_load_options_init(&o);
    check_same(NULL, t.s, t.len, &o);
    free(t.s);
}
END_TEST

START_TEST(ascii_check_should_find_a_nul_or_a_non_ascii_byte_anywhere_in_the_row)
{
    /* rows of every length up to 70 bytes, one odd byte at every place:
     * a NUL or a bad byte is rejected naming its column, a valid
     * two-byte character loads */
    toll_load_options o;
    toll_load_options_init(&o);
    o.lenient = 1;
    for (size_t len = 1; len <= 70; len++) {
        for (size_t at = 0; at < len; at++) {
            for (int kind = 0; kind < 3; kind++) {
                text t = {0};
                puts_(&t, "source,note\nAP,");
                for (size_t k = 0; k < len; k++) {
                    if (k != at)
                        put(&t, "x", 1);
                    else if (kind == 0)
                        put(&t, "\0", 1);
                    else if (kind == 1)
                        put(&t, "\xff", 1);
                    else
                        put(&t, "\xc3\xbc", 2);
                }
                puts_(&t, "\n");
                toll_reports *r = new_store(NULL);
                toll_error e;
                ck_assert_int_eq(load(r, t.s, t.len, &o, 1, NULL, &e),
                                 TOLL_OK);
                if (kind == 2) {
                    ck_assert_uint_eq(toll_reports_count(r), 1);
                } else {
                    ck_assert_uint_eq(toll_reports_count(r), 0);
                    ck_assert_uint_eq(toll_reports_reject_count(r), 1);
                    ck_assert_str_eq(toll_reports_reject(r, 0)->field, "note");
                }
                toll_reports_free(r);
                free(t.s);
            }
        }
    }
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("ingest_plan");
    TCase *tc = tcase_create("plan");
    tcase_set_timeout(tc, 120);
    tcase_add_loop_test(tc,
                        planned_row_should_equal_generic_row_on_random_headers,
                        0, 5);
    tcase_add_test(tc, strict_failure_should_keep_earlier_data_as_the_generic_path);
    tcase_add_test(tc, planned_row_should_read_every_field_as_generic_row);
    tcase_add_test(tc, planned_row_should_give_up_on_errors_in_every_field);
    tcase_add_test(tc, plan_should_take_headers_read_by_name_or_by_plain_map);
    tcase_add_test(tc,
                   plan_should_leave_ranges_levels_constants_and_kept_fields_alone);
    tcase_add_test(tc, planned_rows_should_equal_generic_rows_with_presets);
    tcase_add_test(tc, planned_load_should_survive_every_allocation_failure);
    tcase_add_test(tc, planned_load_should_equal_generic_load_on_a_large_file);
    tcase_add_test(
        tc, ascii_check_should_find_a_nul_or_a_non_ascii_byte_anywhere_in_the_row);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return toll_test_run(suite()); }
