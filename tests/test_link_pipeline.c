/* tests/test_link_pipeline.c - the probabilistic linker's pipeline
 * (src/link/): options, nodes, blocking (against a brute-force oracle),
 * the fitted model against a labelled fit on synthetic reports of known
 * incidents, the assignments and pairs tables, and reconcile with
 * link=auto, link=rule and precomputed links. */
#include "link_fixture.h"
#include "reconcile/reconcile.h"
#include "reconcile/link.h"

/* ---- options ------------------------------------------------------------- */

START_TEST(options_init_should_give_the_documented_defaults)
{
    toll_link_options o;
    memset(&o, 0x5a, sizeof o);
    toll_link_options_init(&o);
    ck_assert_int_eq(o.window_days, 2);
    ck_assert_double_eq(o.upper, 0.9);
    ck_assert_double_eq(o.lower, 0.5);
    ck_assert_int_eq(o.same_source, TOLL_LINK_SAME_SOURCE_FORBID);
    ck_assert_int_eq(o.max_span, 7);
    ck_assert_ptr_null(o.model);
    ck_assert_ptr_null(o.names);
    ck_assert_uint_eq(o.seed, 1);
    ck_assert_uint_eq(o.threads, 0);
    ck_assert_int_eq(toll_link_options_check(&o, NULL), TOLL_OK);
}
END_TEST

/* The check of o fails with EINVAL and a message holding `want`. */
static void assert_bad(const toll_link_options *o, const char *want)
{
    toll_error e;
    toll_error_clear(&e);
    ck_assert_int_eq(toll_link_options_check(o, &e), TOLL_EINVAL);
    ck_assert_msg(strstr(e.message, want), "'%s' lacks '%s'", e.message,
                  want);
}

START_TEST(options_check_should_name_the_bad_field_and_value)
{
    toll_link_options o;
    toll_link_options_init(&o);
    o.lower = 0.95;
    assert_bad(&o, "lower (0.95) must not be above upper (0.9)");
    toll_link_options_init(&o);
    o.upper = 1.0;
    assert_bad(&o, "upper must be a probability above 0 and below 1, not 1");
    toll_link_options_init(&o);
    o.lower = 0.0;
    assert_bad(&o, "lower must be a probability above 0 and below 1, not 0");
    toll_link_options_init(&o);
    o.window_days = -1;
    assert_bad(&o, "window_days must be from 0 to 36600, not -1");
    toll_link_options_init(&o);
    o.window_days = TOLL_LINK_MAX_DAYS + 1;
    assert_bad(&o, "window_days");
    toll_link_options_init(&o);
    o.max_span = -2;
    assert_bad(&o, "max_span must be from 0 (no limit) to 36600, not -2");
    toll_reports *r = lf_store();
    toll_links *l = NULL;
    toll_error e;
    o.max_span = -2;
    ck_assert_int_eq(toll_link_reports(r, &o, NULL, &l, &e), TOLL_EINVAL);
    ck_assert_ptr_null(l);
    toll_reconcile_options ro;
    toll_reconcile_options_init(&ro);
    ro.link = TOLL_LINK_AUTO;
    ro.linker.upper = 2.0;
    toll_incidents *inc = NULL;
    ck_assert_int_eq(toll_reconcile(r, &ro, NULL, &inc, &e), TOLL_EINVAL);
    ck_assert_ptr_nonnull(strstr(e.message, "upper"));
    toll_reports_free(r);
}
END_TEST

START_TEST(same_source_names_should_round_trip)
{
    toll_link_same_source v = TOLL_LINK_SAME_SOURCE_ALLOW;
    ck_assert_str_eq(toll_link_same_source_name(TOLL_LINK_SAME_SOURCE_FORBID),
                     "forbid");
    ck_assert_str_eq(toll_link_same_source_name(TOLL_LINK_SAME_SOURCE_ALLOW),
                     "allow");
    ck_assert_str_eq(toll_link_same_source_name((toll_link_same_source)9), "");
    ck_assert_int_eq(toll_link_same_source_parse("FORBID", &v, NULL), TOLL_OK);
    ck_assert_int_eq(v, TOLL_LINK_SAME_SOURCE_FORBID);
    ck_assert_int_eq(toll_link_same_source_parse("allow", &v, NULL), TOLL_OK);
    ck_assert_int_eq(v, TOLL_LINK_SAME_SOURCE_ALLOW);
    toll_error e;
    ck_assert_int_eq(toll_link_same_source_parse("maybe", &v, &e),
                     TOLL_EINVAL);
    ck_assert_ptr_nonnull(strstr(e.message, "'maybe'"));
}
END_TEST

START_TEST(level_vectors_should_pack_and_unpack)
{
    size_t product = 1;
    for (int c = 0; c < TOLL_LINK_NCOMPARISONS; c++)
        product *= toll_link_level_count(c);
    ck_assert_uint_eq(product, TOLL__LK_NCODES);
    for (uint32_t code = 0; code < TOLL__LK_NCODES; code += 7) {
        uint8_t lv[TOLL_LINK_NCOMPARISONS];
        toll__lk_unpack((uint16_t)code, lv);
        for (int c = 0; c < TOLL_LINK_NCOMPARISONS; c++)
            ck_assert_uint_lt(lv[c], toll_link_level_count(c));
        ck_assert_uint_eq(toll__lk_pack(lv), code);
    }
}
END_TEST

/* ---- blocking -------------------------------------------------------------- */

/* Nodes and candidate pairs of r (defaults but window and max_span). */
static size_t pairs_of(const toll_reports *r, int window, toll__lk_nodes *nd,
                       toll__lk_pairs *p)
{
    toll_allocator a;
    toll__alloc_init(&a, NULL);
    static toll_allocator keep;
    keep = a;
    ck_assert_int_eq(toll__lk_nodes_build(r, NULL, 7, &keep, nd, NULL),
                     TOLL_OK);
    memset(p, 0, sizeof *p);
    ck_assert_int_eq(toll__lk_block(nd, window, &keep, p, NULL), TOLL_OK);
    return p->n;
}

static void free_pairs(toll__lk_nodes *nd, toll__lk_pairs *p)
{
    toll__free(nd->a, p->v, p->cap * sizeof *p->v);
    toll__lk_nodes_free(nd);
}

/* Number of candidate pairs of the reports of r. */
static size_t count_pairs(const toll_reports *r, int window)
{
    toll__lk_nodes nd;
    toll__lk_pairs p;
    size_t n = pairs_of(r, window, &nd, &p);
    free_pairs(&nd, &p);
    return n;
}

START_TEST(blocking_should_keep_pairs_within_the_window)
{
    toll_reports *r = lf_store();
    LADD(r, .source = "a", .region = "Syria/Idlib", .day = 10);
    LADD(r, .source = "b", .region = "Syria/Idlib", .day = 13);
    ck_assert_uint_eq(count_pairs(r, 2), 0);
    ck_assert_uint_eq(count_pairs(r, 3), 1);
    LADD(r, .source = "c", .region = "Syria/Idlib", .day = 5, .days = 6);
    /* [5, 11] overlaps the first and is 2 days from the second */
    ck_assert_uint_eq(count_pairs(r, 2), 2);
    toll_reports_free(r);
}
END_TEST

START_TEST(blocking_should_never_pair_two_countries)
{
    toll_reports *r = lf_store();
    LADD(r, .source = "a", .region = "Syria/Idlib", .day = 1, .lat = 36.0,
         .lon = 36.5);
    LADD(r, .source = "b", .region = "Turkey/Hatay", .day = 1, .lat = 36.0,
         .lon = 36.5);
    LADD(r, .source = "c", .region = "Turkey", .day = 1);
    ck_assert_uint_eq(count_pairs(r, 2), 1); /* Turkey/Hatay ~ Turkey */
    toll_reports_free(r);
}
END_TEST

START_TEST(blocking_should_pair_governorates_only_by_close_coordinates)
{
    toll_reports *r = lf_store();
    LADD(r, .source = "a", .region = "Syria/Idlib", .day = 1);
    LADD(r, .source = "b", .region = "Syria/Aleppo", .day = 1);
    ck_assert_uint_eq(count_pairs(r, 2), 0);
    toll_reports_free(r);

    r = lf_store(); /* 11 km apart across the boundary */
    LADD(r, .source = "a", .region = "Syria/Idlib", .day = 1, .lat = 36.0,
         .lon = 36.60);
    LADD(r, .source = "b", .region = "Syria/Aleppo", .day = 1, .lat = 36.1,
         .lon = 36.60);
    ck_assert_uint_eq(count_pairs(r, 2), 1);
    toll_reports_free(r);

    r = lf_store(); /* 55 km apart */
    LADD(r, .source = "a", .region = "Syria/Idlib", .day = 1, .lat = 36.0,
         .lon = 36.60);
    LADD(r, .source = "b", .region = "Syria/Aleppo", .day = 1, .lat = 36.5,
         .lon = 36.60);
    ck_assert_uint_eq(count_pairs(r, 2), 0);
    toll_reports_free(r);

    r = lf_store(); /* a report naming only the country pairs with both */
    LADD(r, .source = "a", .region = "Syria/Idlib", .day = 1);
    LADD(r, .source = "b", .region = "Syria/Aleppo", .day = 1);
    LADD(r, .source = "c", .region = "Syria", .day = 2);
    ck_assert_uint_eq(count_pairs(r, 2), 2);
    toll_reports_free(r);
}
END_TEST

START_TEST(blocking_should_leave_undated_and_vague_reports_alone)
{
    toll_reports *r = lf_store();
    LADD(r, .source = "a", .region = "Syria/Idlib", .day = 1);
    LADD(r, .source = "b", .region = "Syria/Idlib", .day = -1);
    LADD(r, .source = "c", .region = "Syria/Idlib", .day = 0, .days = 30);
    ck_assert_uint_eq(count_pairs(r, 2), 0);
    toll_reports_free(r);
}
END_TEST

/* The blocking rule, pair by pair (docs/linking.md, "Blocking"). */
static int oracle(const toll__lk_nodes *nd, uint32_t x, uint32_t y, int w)
{
    const toll__lk_feat *a = &nd->feat[x], *b = &nd->feat[y];
    if (!nd->linkable[x] || !nd->linkable[y])
        return 0;
    int64_t hi = a->d0 > b->d0 ? a->d0 : b->d0;
    int64_t lo = a->d1 < b->d1 ? a->d1 : b->d1;
    if (hi - lo > w)
        return 0;
    if (nd->country[x] != nd->country[y])
        return 0;
    if (!nd->gov[x] || !nd->gov[y] || nd->gov[x] == nd->gov[y])
        return 1;
    if (isnan(a->lat) || isnan(b->lat))
        return 0;
    double ta = a->tol_km < 25 ? a->tol_km : 25, tb = b->tol_km < 25 ? b->tol_km : 25;
    return toll_link_distance_km(a->lat, a->lon, b->lat, b->lon) <=
           25.0 + ta + tb;
}

static int pair_cmp(const void *pa, const void *pb)
{
    const toll__lk_pair *x = pa, *y = pb;
    if (x->a != y->a)
        return x->a < y->a ? -1 : 1;
    return x->b < y->b ? -1 : x->b > y->b;
}

START_TEST(blocking_should_find_exactly_the_pairs_of_its_rule)
{
    static const char *const regions[] = {
        "Syria/Idlib", "Syria/Aleppo", "Syria", NULL, "Iraq/Nineveh",
        "Iraq", "Syria/Idlib/Ariha", "Syria/Hama"};
    uint64_t x = 99;
    toll_reports *r = lf_store();
    for (int i = 0; i < 1500; i++) {
        int coords = lf_unif(&x) < 0.6;
        lrep rep = {NULL, "s", regions[lf_rand(&x) % 8],
                    (int)(lf_rand(&x) % 60), (int)(lf_rand(&x) % 3) *
                                                 (lf_unif(&x) < 0.2),
                    NULL, coords ? 35.0 + lf_unif(&x) * 1.5 : 0,
                    coords ? 36.0 + lf_unif(&x) * 1.5 : 0, NULL, 0};
        lf_add(r, &rep);
    }
    for (int w = 0; w <= 3; w += 3) {
        toll__lk_nodes nd;
        toll__lk_pairs p;
        pairs_of(r, w, &nd, &p);
        qsort(p.v, p.n, sizeof *p.v, pair_cmp);
        size_t want = 0;
        for (uint32_t a = 0; a < nd.n; a++)
            for (uint32_t b = a + 1; b < nd.n; b++) {
                if (!oracle(&nd, a, b, w))
                    continue;
                want++;
                toll__lk_pair key = {a, b, 0, 0};
                ck_assert_msg(bsearch(&key, p.v, p.n, sizeof key, pair_cmp),
                              "pair %u %u missing (window %d)", a, b, w);
            }
        ck_assert_uint_eq(p.n, want); /* and no other, none twice */
        for (size_t i = 1; i < p.n; i++)
            ck_assert(pair_cmp(&p.v[i - 1], &p.v[i]) < 0);
        ck_assert_uint_gt(want, 1000);
        free_pairs(&nd, &p);
    }
    toll_reports_free(r);
}
END_TEST

START_TEST(nodes_should_take_the_features_their_reports_give)
{
    toll_reports *r = lf_store();
    LADD(r, .key = "K", .source = "u", .region = "Syria/Idlib", .day = 3,
         .actors = "Russia");
    LADD(r, .source = "x", .region = "Syria/Idlib", .day = 9);
    LADD(r, .key = "K", .source = "v", .region = "Syria/Idlib/Ariha",
         .day = 5, .place = "Ariha", .lat = 35.8, .lon = 36.6,
         .actors = "Syria;Russia", .killed = 12);
    toll__lk_nodes nd;
    toll_allocator a;
    toll__alloc_init(&a, NULL);
    ck_assert_int_eq(toll__lk_nodes_build(r, NULL, 7, &a, &nd, NULL),
                     TOLL_OK);
    ck_assert_uint_eq(nd.n, 2);
    ck_assert_uint_eq(nd.node_of[0], nd.node_of[2]);
    const toll__lk_feat *f = &nd.feat[nd.node_of[0]];
    ck_assert_int_eq(f->d1 - f->d0, 2); /* the union of the spans */
    ck_assert_uint_eq(f->n_actors, 2);
    ck_assert_uint_eq(nd.src_count[nd.node_of[0]], 2);
    ck_assert_int_eq(f->low, 12);
    ck_assert_double_eq_tol(f->lat, 35.8, 1e-9);
    ck_assert_ptr_nonnull(f->place);
    ck_assert_uint_eq(f->region_len, strlen("Syria/Idlib")); /* first */
    ck_assert_uint_eq(nd.first[nd.node_of[0]], 0);
    toll__lk_nodes_free(&nd);
    toll_reports_free(r);
}
END_TEST

/* ---- fitting --------------------------------------------------------------- */

START_TEST(an_unlabelled_fit_should_come_close_to_the_labelled_one)
{
    /* 1200 incidents of up to 4 sources each over 200 days, 3
     * governorates: a governorate-day holds 2 incidents on average, so a
     * report has several candidates of other incidents.  The fit without
     * labels must find the m of the levels that decide a match (same
     * place, coordinates within 1 km, same day) within 0.15 of the fit
     * with every candidate pair labelled, and link within 0.05 of the
     * pairwise F1 that the labelled model reaches (on the bench data the
     * two are within 0.01), and above 0.75: a fit that lost the match
     * class (EM learning "same day and actors") falls below 0.5 here. */
    toll_reports *r = lf_store();
    uint32_t *truth = malloc(4 * 1200 * sizeof *truth);
    size_t n = lf_synth(r, 1200, 200, 3, 5, truth);
    toll_link_options o;
    toll_link_options_init(&o);
    toll_link_model *fit = NULL, *lab = NULL;
    toll_error e;
    ck_assert_int_eq(toll_link_fit(r, &o, NULL, &fit, &e), TOLL_OK);

    toll__lk_nodes nd;
    toll__lk_pairs p;
    pairs_of(r, o.window_days, &nd, &p);
    toll_link_label *labels = malloc(p.n * sizeof *labels);
    for (size_t i = 0; i < p.n; i++) {
        labels[i].report_a = nd.first[p.v[i].a];
        labels[i].report_b = nd.first[p.v[i].b];
        labels[i].match =
            truth[labels[i].report_a] == truth[labels[i].report_b];
    }
    ck_assert_int_eq(
        toll_link_fit_labelled(r, &o, labels, p.n, NULL, &lab, &e), TOLL_OK);
    static const int strong[][2] = {{TOLL_LINK_PLACE, 0},
                                    {TOLL_LINK_DISTANCE, 0},
                                    {TOLL_LINK_DATE, 0}};
    for (size_t k = 0; k < 3; k++) {
        double mf, ml;
        toll_link_model_level(fit, strong[k][0], (size_t)strong[k][1], &mf,
                              NULL, NULL);
        toll_link_model_level(lab, strong[k][0], (size_t)strong[k][1], &ml,
                              NULL, NULL);
        ck_assert_msg(fabs(mf - ml) < 0.15, "%s %s: m %.3f fitted, %.3f "
                      "labelled",
                      toll_link_comparison_name(strong[k][0]),
                      toll_link_level_name(strong[k][0],
                                           (size_t)strong[k][1]),
                      mf, ml);
    }
    toll_links *l = lf_link(r, &o);
    double f1 = lf_pairwise_f1(l->incident_of, truth, n);
    toll_links_free(l);
    o.model = lab;
    l = lf_link(r, &o);
    double f1_lab = lf_pairwise_f1(l->incident_of, truth, n);
    ck_assert_msg(f1 >= 0.75 && f1 >= f1_lab - 0.05,
                  "pairwise F1 %.3f fitted, %.3f labelled", f1, f1_lab);
    toll_links_free(l);
    free(labels);
    free_pairs(&nd, &p);
    toll_link_model_free(fit);
    toll_link_model_free(lab);
    free(truth);
    toll_reports_free(r);
}
END_TEST

START_TEST(a_labelled_fit_should_reject_bad_labels)
{
    toll_reports *r = lf_store();
    LADD(r, .source = "a", .region = "Syria/Idlib", .day = 1);
    LADD(r, .source = "b", .region = "Syria/Idlib", .day = 1);
    toll_link_label bad[] = {{0, 5, 1}, {0, 1, 0}};
    toll_link_model *m = NULL;
    toll_error e;
    ck_assert_int_eq(toll_link_fit_labelled(r, NULL, bad, 2, NULL, &m, &e),
                     TOLL_EINVAL);
    ck_assert_ptr_nonnull(strstr(e.message, "label 0 names report 5"));
    toll_link_label none[] = {{0, 1, 0}};
    ck_assert_int_eq(toll_link_fit_labelled(r, NULL, none, 1, NULL, &m, &e),
                     TOLL_EINVAL);
    ck_assert_ptr_nonnull(strstr(e.message, "no match"));
    ck_assert_ptr_null(m);
    toll_reports_free(r);
}
END_TEST

/* ---- tables ---------------------------------------------------------------- */

static toll_reports *two_strikes(void)
{
    toll_reports *r = lf_store();
    LADD(r, .source = "a", .region = "Syria/Idlib", .day = 0,
         .place = "Kafr Nabl");
    LADD(r, .source = "b", .region = "Syria/Idlib", .day = 1,
         .place = "Kafr Nabl");
    LADD(r, .key = "c:7", .source = "c", .region = "Syria/Idlib", .day = 0,
         .place = "Kafr Nabl");
    LADD(r, .source = "a", .region = "Syria/Idlib", .day = 0,
         .place = "Maarat al-Numan");
    return r;
}

START_TEST(assignments_should_have_the_documented_columns_and_values)
{
    toll_link_model *m = lf_place_model();
    toll_reports *r = two_strikes();
    toll_link_options o;
    toll_link_options_init(&o);
    o.model = m;
    toll_links *l = lf_link(r, &o);
    ck_assert_uint_eq(toll_links_report_count(l), 4);
    ck_assert_uint_eq(toll_links_incident_count(l), 2);
    toll_table *t = NULL;
    ck_assert_int_eq(toll_links_assignments(l, NULL, &t, NULL), TOLL_OK);
    static const char *const cols[] = {"report",   "id",
                                       "source",   "incident",
                                       "match_probability", "status"};
    ck_assert_uint_eq(toll_table_ncols(t), 6);
    for (size_t j = 0; j < 6; j++)
        ck_assert_str_eq(toll_table_column_name(t, j), cols[j]);
    ck_assert_uint_eq(toll_table_nrows(t), 4);
    ck_assert_str_eq(toll_table_string(t, 0, 0), "lk.json:1");
    for (size_t i = 0; i < 3; i++) {
        ck_assert_str_eq(toll_table_string(t, 3, i), "c:7");
        ck_assert_str_eq(toll_table_string(t, 5, i), "linked");
        ck_assert(toll_table_double(t, 4)[i] > 0.9);
    }
    ck_assert_str_eq(toll_table_string(t, 3, 3), "auto:lk.json:4");
    ck_assert_str_eq(toll_table_string(t, 5, 3), "single");
    ck_assert(isnan(toll_table_double(t, 4)[3]));
    toll_table_free(t);
    toll_links_free(l);
    toll_reports_free(r);
    toll_link_model_free(m);
}
END_TEST

START_TEST(pairs_should_have_the_documented_columns_strongest_first)
{
    toll_link_model *m = lf_place_model();
    toll_reports *r = two_strikes();
    toll_link_options o;
    toll_link_options_init(&o);
    o.model = m;
    toll_links *l = lf_link(r, &o);
    toll_table *t = NULL;
    ck_assert_int_eq(toll_links_pairs(l, TOLL_LINK_PAIRS_ALL, NULL, &t, NULL),
                     TOLL_OK);
    ck_assert_uint_eq(toll_table_ncols(t), 6 + 2 * 7 + 4);
    ck_assert_str_eq(toll_table_column_name(t, 0), "report_a");
    ck_assert_str_eq(toll_table_column_name(t, 5), "source_b");
    ck_assert_str_eq(toll_table_column_name(t, 6), "date");
    ck_assert_str_eq(toll_table_column_name(t, 7), "date_weight");
    ck_assert_str_eq(toll_table_column_name(t, 19), "source_weight");
    ck_assert_str_eq(toll_table_column_name(t, 20), "prior_weight");
    ck_assert_str_eq(toll_table_column_name(t, 21), "weight");
    ck_assert_str_eq(toll_table_column_name(t, 22), "match_probability");
    ck_assert_str_eq(toll_table_column_name(t, 23), "decision");
    ck_assert_uint_eq(toll_table_nrows(t), toll_links_pair_count(l));
    ck_assert_uint_eq(toll_table_nrows(t), 6); /* all four in one window */
    const double *p = toll_table_double(t, 22), *w = toll_table_double(t, 21);
    for (size_t i = 1; i < toll_table_nrows(t); i++)
        ck_assert(p[i - 1] >= p[i]);
    double sum = toll_table_double(t, 20)[0];
    for (int c = 0; c < 7; c++)
        sum += toll_table_double(t, (size_t)(7 + 2 * c))[0];
    ck_assert_double_eq_tol(sum, w[0], 1e-9);
    ck_assert_str_eq(toll_table_string(t, 10, 0), "same"); /* place */
    size_t merged = 0, below = 0;
    for (size_t i = 0; i < toll_table_nrows(t); i++) {
        merged += !strcmp(toll_table_string(t, 23, i), "merged");
        below += !strcmp(toll_table_string(t, 23, i), "below");
    }
    ck_assert_uint_eq(merged, 2);
    ck_assert_uint_eq(below, 3);
    toll_table_free(t);
    ck_assert_int_eq(
        toll_links_pairs(l, TOLL_LINK_PAIRS_MERGED, NULL, &t, NULL), TOLL_OK);
    ck_assert_uint_eq(toll_table_nrows(t), 2);
    toll_table_free(t);
    ck_assert_int_eq(toll_links_pairs(l, (toll_link_pairs_which)5, NULL, &t,
                                      NULL),
                     TOLL_EINVAL);
    toll_links_free(l);
    toll_reports_free(r);
    toll_link_model_free(m);
}
END_TEST

START_TEST(links_should_outlive_their_store)
{
    toll_link_model *m = lf_place_model();
    toll_reports *r = two_strikes();
    toll_link_options o;
    toll_link_options_init(&o);
    o.model = m;
    toll_links *l = lf_link(r, &o);
    toll_reports_free(r);
    toll_link_model_free(m);
    toll_table *t = NULL;
    ck_assert_int_eq(toll_links_assignments(l, NULL, &t, NULL), TOLL_OK);
    ck_assert_str_eq(toll_table_string(t, 2, 1), "b");
    toll_table_free(t);
    ck_assert_double_eq(toll_link_model_prior(toll_links_model(l)), 0.01);
    toll_links_free(l);
}
END_TEST

/* ---- reconcile ------------------------------------------------------------- */

START_TEST(reconcile_auto_should_take_the_linker_incidents)
{
    toll_link_model *m = lf_place_model();
    toll_reports *r = two_strikes();
    toll_reconcile_options o;
    toll_reconcile_options_init(&o);
    ck_assert_int_eq(o.linker.window_days, 2);
    ck_assert_ptr_null(o.links);
    o.link = TOLL_LINK_AUTO;
    o.linker.model = m;
    toll_incidents *inc = NULL;
    toll_error e;
    ck_assert_int_eq(toll_reconcile(r, &o, NULL, &inc, &e), TOLL_OK);
    ck_assert_uint_eq(toll_incidents_count(inc), 2);
    ck_assert_str_eq(toll__inc_str(inc, inc->key[0]), "c:7");
    ck_assert_uint_eq(inc->r_count[0], 3);
    ck_assert_uint_eq(toll_incidents_link_count(inc), 2);
    toll_table *t = NULL;
    ck_assert_int_eq(toll_incidents_links_table(inc, NULL, &t, &e), TOLL_OK);
    ck_assert_uint_eq(toll_table_ncols(t), 10);
    ck_assert_str_eq(toll_table_column_name(t, 9), "match_probability");
    ck_assert(toll_table_double(t, 9)[0] > 0.9);
    const char *why = toll_table_string(t, 8, 0);
    ck_assert_ptr_nonnull(strstr(why, "place same (+13.20)"));
    ck_assert_ptr_nonnull(strstr(why, "match probability 0.98"));
    ck_assert_str_eq(toll_table_string(t, 6, 0), "Syria/Idlib");
    toll_table_free(t);
    toll_incidents_free(inc);

    /* precomputed links: the same incidents */
    toll_links *l = lf_link(r, &o.linker);
    o.links = l;
    o.linker.upper = 7.0; /* not used with precomputed links */
    ck_assert_int_eq(toll_reconcile(r, &o, NULL, &inc, &e), TOLL_OK);
    ck_assert_uint_eq(toll_incidents_count(inc), 2);
    ck_assert_uint_eq(inc->r_count[0], 3);
    toll_incidents_free(inc);

    /* links of another store: an error */
    toll_reports *other = two_strikes();
    ck_assert_int_eq(toll_reconcile(other, &o, NULL, &inc, &e), TOLL_EINVAL);
    ck_assert_ptr_nonnull(strstr(e.message, "another store"));
    toll_reports_free(other);
    toll_links_free(l);
    toll_reports_free(r);
    toll_link_model_free(m);
}
END_TEST

START_TEST(reconcile_rule_should_link_as_before)
{
    toll_reports *r = lf_store();
    LADD(r, .source = "a", .region = "Syria/Idlib", .day = 0,
         .actors = "Russia");
    LADD(r, .source = "a", .region = "Syria/Idlib", .day = 1,
         .actors = "Russia");
    LADD(r, .key = "k", .source = "b", .region = "Syria/Idlib", .day = 1,
         .actors = "Russia");
    toll_reconcile_options o;
    toll_reconcile_options_init(&o);
    o.link = TOLL_LINK_RULE;
    toll_incidents *inc = NULL;
    ck_assert_int_eq(toll_reconcile(r, &o, NULL, &inc, NULL), TOLL_OK);
    ck_assert_uint_eq(toll_incidents_count(inc), 2); /* keyed stays apart */
    ck_assert_str_eq(toll__inc_str(inc, inc->key[0]), "auto:lk.json:1");
    toll_table *t = NULL;
    ck_assert_int_eq(toll_incidents_links_table(inc, NULL, &t, NULL),
                     TOLL_OK);
    ck_assert_uint_eq(toll_table_ncols(t), 9);
    toll_table_free(t);
    toll_incidents_free(inc);
    toll_reports_free(r);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("link_pipeline");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, options_init_should_give_the_documented_defaults);
    tcase_add_test(tc, options_check_should_name_the_bad_field_and_value);
    tcase_add_test(tc, same_source_names_should_round_trip);
    tcase_add_test(tc, level_vectors_should_pack_and_unpack);
    tcase_add_test(tc, blocking_should_keep_pairs_within_the_window);
    tcase_add_test(tc, blocking_should_never_pair_two_countries);
    tcase_add_test(tc,
                   blocking_should_pair_governorates_only_by_close_coordinates);
    tcase_add_test(tc, blocking_should_leave_undated_and_vague_reports_alone);
    tcase_add_test(tc, blocking_should_find_exactly_the_pairs_of_its_rule);
    tcase_add_test(tc, nodes_should_take_the_features_their_reports_give);
    tcase_add_test(tc,
                   an_unlabelled_fit_should_come_close_to_the_labelled_one);
    tcase_add_test(tc, a_labelled_fit_should_reject_bad_labels);
    tcase_add_test(tc,
                   assignments_should_have_the_documented_columns_and_values);
    tcase_add_test(tc,
                   pairs_should_have_the_documented_columns_strongest_first);
    tcase_add_test(tc, links_should_outlive_their_store);
    tcase_add_test(tc, reconcile_auto_should_take_the_linker_incidents);
    tcase_add_test(tc, reconcile_rule_should_link_as_before);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return toll_test_run(suite()); }
