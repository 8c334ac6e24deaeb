/* tests/test_link_cluster.c - the probabilistic linker's clustering
 * (src/link/cluster.c): one node per source by default, no chaining,
 * strongest pairs first, keyed groups as nodes, review pairs, and the
 * same result on one thread and two. */
#include "link_fixture.h"

/* Options with the place-only model of tests/link_fixture.h. */
static toll_link_options opts_with(const toll_link_model *m)
{
    toll_link_options o;
    toll_link_options_init(&o);
    o.model = m;
    return o;
}

static const char *decision_of(const toll_links *l, size_t ra, size_t rb)
{
    uint32_t a = l->node_of[ra], b = l->node_of[rb];
    for (size_t i = 0; i < l->npairs; i++) {
        const toll__lk_pair *p = &l->pairs[i];
        if ((p->a == a && p->b == b) || (p->a == b && p->b == a))
            return toll__lk_decision_name(p->decision);
    }
    return "(not a pair)";
}

START_TEST(two_reports_of_one_source_should_stay_apart_by_default)
{
    toll_link_model *m = lf_place_model();
    toll_reports *r = lf_store();
    LADD(r, .source = "a", .region = "Syria/Idlib", .day = 0,
         .place = "Kafr Nabl");
    LADD(r, .source = "a", .region = "Syria/Idlib", .day = 0,
         .place = "Kafr Nabl");
    toll_link_options o = opts_with(m);
    toll_links *l = lf_link(r, &o);
    ck_assert_uint_ne(lf_inc(l, 0), lf_inc(l, 1));
    ck_assert_str_eq(decision_of(l, 0, 1), "same source");
    toll_links_free(l);
    toll_reports_free(r);
    toll_link_model_free(m);
}
END_TEST

START_TEST(same_source_allow_should_let_one_source_merge)
{
    toll_link_model *m = lf_place_model();
    toll_reports *r = lf_store();
    LADD(r, .source = "a", .region = "Syria/Idlib", .day = 0,
         .place = "Kafr Nabl");
    LADD(r, .source = "a", .region = "Syria/Idlib", .day = 0,
         .place = "Kafr Nabl");
    toll_link_options o = opts_with(m);
    o.same_source = TOLL_LINK_SAME_SOURCE_ALLOW;
    toll_links *l = lf_link(r, &o);
    ck_assert_uint_eq(lf_inc(l, 0), lf_inc(l, 1));
    ck_assert_str_eq(decision_of(l, 0, 1), "merged");
    toll_links_free(l);
    toll_reports_free(r);
    toll_link_model_free(m);
}
END_TEST

START_TEST(a_third_source_should_not_bridge_two_reports_of_one_source)
{
    toll_link_model *m = lf_place_model();
    toll_reports *r = lf_store();
    LADD(r, .source = "a", .region = "Syria/Idlib", .day = 0,
         .place = "Kafr Nabl");
    LADD(r, .source = "b", .region = "Syria/Idlib", .day = 0,
         .place = "Kafr Nabl");
    LADD(r, .source = "a", .region = "Syria/Idlib", .day = 1,
         .place = "Kafr Nabl");
    toll_link_options o = opts_with(m);
    toll_links *l = lf_link(r, &o);
    ck_assert_uint_ne(lf_inc(l, 0), lf_inc(l, 2));
    ck_assert_uint_eq(toll_links_incident_count(l), 2);
    toll_links_free(l);
    toll_reports_free(r);
    toll_link_model_free(m);
}
END_TEST

START_TEST(strong_pairs_should_not_chain_across_an_incompatible_pair)
{
    /* A~B and B~C are strong; A and C are 4 days apart, not a candidate
     * pair (window 2): never all three in one incident. */
    toll_link_model *m = lf_place_model();
    toll_reports *r = lf_store();
    LADD(r, .source = "a", .region = "Syria/Idlib", .day = 0,
         .place = "Tal Rifaat");
    LADD(r, .source = "b", .region = "Syria/Idlib", .day = 2,
         .place = "Tal Rifaat");
    LADD(r, .source = "c", .region = "Syria/Idlib", .day = 4,
         .place = "Tal Rifaat");
    toll_link_options o = opts_with(m);
    toll_links *l = lf_link(r, &o);
    ck_assert_str_eq(decision_of(l, 0, 2), "(not a pair)");
    ck_assert(!(lf_inc(l, 0) == lf_inc(l, 1) && lf_inc(l, 1) == lf_inc(l, 2)));
    ck_assert_uint_eq(toll_links_incident_count(l), 2);
    /* one of the two strong pairs merged, the other is incompatible */
    int merged = !strcmp(decision_of(l, 0, 1), "merged") +
                 !strcmp(decision_of(l, 1, 2), "merged");
    int incompatible = !strcmp(decision_of(l, 0, 1), "incompatible") +
                       !strcmp(decision_of(l, 1, 2), "incompatible");
    ck_assert_int_eq(merged, 1);
    ck_assert_int_eq(incompatible, 1);
    toll_links_free(l);
    toll_reports_free(r);
    toll_link_model_free(m);
}
END_TEST

START_TEST(the_strongest_pair_should_merge_first)
{
    /* B matches A (same place and actors) more strongly than C (same
     * place); A and C share a source, so B can join only one: A. */
    toll_link_model *m = lf_place_model();
    for (int order = 0; order < 2; order++) {
        toll_reports *r = lf_store();
        lrep a = {.source = "s1", .region = "Syria/Idlib", .day = 0,
                  .place = "Ariha", .actors = "Russia"};
        lrep b = {.source = "s2", .region = "Syria/Idlib", .day = 0,
                  .place = "Ariha", .actors = "Russia"};
        lrep c = {.source = "s1", .region = "Syria/Idlib", .day = 0,
                  .place = "Ariha", .actors = "Syria"};
        /* order 1 puts C first, so that load order cannot decide */
        lf_add(r, order ? &c : &a);
        lf_add(r, &b);
        lf_add(r, order ? &a : &c);
        size_t ia = order ? 2 : 0, ic = order ? 0 : 2;
        toll_link_options o = opts_with(m);
        toll_links *l = lf_link(r, &o);
        ck_assert_uint_eq(lf_inc(l, ia), lf_inc(l, 1));
        ck_assert_uint_ne(lf_inc(l, ic), lf_inc(l, 1));
        ck_assert_str_eq(decision_of(l, ic, 1), "same source");
        toll_links_free(l);
        toll_reports_free(r);
    }
    toll_link_model_free(m);
}
END_TEST

START_TEST(reports_sharing_a_key_should_link_as_one_node)
{
    /* Two reports of key K (one names the place, one gives the date
     * range) and an unkeyed report of another source at the same place:
     * one incident keyed K. */
    toll_link_model *m = lf_place_model();
    toll_reports *r = lf_store();
    LADD(r, .key = "ucdp:1", .source = "ucdp", .region = "Syria/Idlib",
         .day = 3, .place = "Saraqib");
    LADD(r, .key = "ucdp:1", .source = "ucdp", .region = "Syria/Idlib",
         .day = 3);
    LADD(r, .source = "news", .region = "Syria/Idlib", .day = 4,
         .place = "Saraqib");
    toll_link_options o = opts_with(m);
    toll_links *l = lf_link(r, &o);
    ck_assert_uint_eq(l->nnodes, 2);
    ck_assert_uint_eq(lf_inc(l, 0), lf_inc(l, 2));
    ck_assert_uint_eq(lf_inc(l, 1), lf_inc(l, 2));
    ck_assert_str_eq(toll__str(&l->strings, l->key[lf_inc(l, 2)]),
                     "ucdp:1");
    toll_links_free(l);
    toll_reports_free(r);
    toll_link_model_free(m);
}
END_TEST

START_TEST(reports_sharing_a_key_should_never_be_split)
{
    /* Key K's reports are 30 days apart, each matching another report
     * strongly: K stays whole (a span over max_span stays unlinked, but
     * never split). */
    toll_link_model *m = lf_place_model();
    toll_reports *r = lf_store();
    LADD(r, .key = "K", .source = "k", .region = "Syria/Idlib", .day = 0,
         .place = "Binnish");
    LADD(r, .key = "K", .source = "k", .region = "Syria/Idlib", .day = 30,
         .place = "Binnish");
    LADD(r, .source = "x", .region = "Syria/Idlib", .day = 0,
         .place = "Binnish");
    LADD(r, .source = "y", .region = "Syria/Idlib", .day = 30,
         .place = "Binnish");
    toll_link_options o = opts_with(m);
    o.max_span = 0; /* no limit: K spans 31 days and is linkable */
    toll_links *l = lf_link(r, &o);
    ck_assert_uint_eq(lf_inc(l, 0), lf_inc(l, 1));
    toll_links_free(l);
    o.max_span = 7;
    l = lf_link(r, &o);
    ck_assert_uint_eq(lf_inc(l, 0), lf_inc(l, 1));
    ck_assert_uint_ne(lf_inc(l, 0), lf_inc(l, 2));
    ck_assert_uint_ne(lf_inc(l, 0), lf_inc(l, 3));
    toll_links_free(l);
    toll_reports_free(r);
    toll_link_model_free(m);
}
END_TEST

START_TEST(a_pair_between_the_thresholds_should_be_left_for_review)
{
    toll_link_model *m = lf_place_model();
    toll_reports *r = lf_store();
    LADD(r, .source = "a", .region = "Syria/Idlib", .day = 0,
         .place = "Kafr Nabl");
    LADD(r, .source = "b", .region = "Syria/Idlib", .day = 0,
         .place = "Kafr Nabl");
    toll_link_options o = opts_with(m);
    o.upper = 0.995; /* the pair's probability is 0.99 */
    toll_links *l = lf_link(r, &o);
    ck_assert_uint_ne(lf_inc(l, 0), lf_inc(l, 1));
    ck_assert_str_eq(decision_of(l, 0, 1), "review");
    toll_table *t = NULL;
    ck_assert_int_eq(toll_links_assignments(l, NULL, &t, NULL), TOLL_OK);
    ck_assert_str_eq(toll_table_string(t, 5, 0), "review");
    ck_assert_str_eq(toll_table_string(t, 5, 1), "review");
    toll_table_free(t);
    ck_assert_int_eq(
        toll_links_pairs(l, TOLL_LINK_PAIRS_REVIEW, NULL, &t, NULL),
        TOLL_OK);
    ck_assert_uint_eq(toll_table_nrows(t), 1);
    toll_table_free(t);
    toll_links_free(l);
    toll_reports_free(r);
    toll_link_model_free(m);
}
END_TEST

/* The assignments of l as one string per report (incident key). */
static void assert_same_links(const toll_links *x, const toll_links *y)
{
    ck_assert_uint_eq(x->nreports, y->nreports);
    ck_assert_uint_eq(x->npairs, y->npairs);
    ck_assert_uint_eq(x->nincidents, y->nincidents);
    for (size_t i = 0; i < x->nreports; i++)
        ck_assert_uint_eq(x->incident_of[i], y->incident_of[i]);
    for (size_t i = 0; i < x->npairs; i++) {
        ck_assert_uint_eq(x->pairs[i].a, y->pairs[i].a);
        ck_assert_uint_eq(x->pairs[i].b, y->pairs[i].b);
        ck_assert_uint_eq(x->pairs[i].code, y->pairs[i].code);
        ck_assert_uint_eq(x->pairs[i].decision, y->pairs[i].decision);
    }
    ck_assert_double_eq(toll_link_model_prior(x->model),
                        toll_link_model_prior(y->model));
}

START_TEST(one_thread_and_two_should_give_the_same_links)
{
    toll_reports *r = lf_store();
    uint32_t *truth = malloc(4 * 3000 * sizeof *truth);
    lf_synth(r, 3000, 120, 4, 7, truth);
    toll_link_options o;
    toll_link_options_init(&o);
    o.seed = 42;
    o.threads = 1;
    toll_links *one = lf_link(r, &o);
    o.threads = 2;
    toll_links *two = lf_link(r, &o);
    ck_assert_uint_gt(one->npairs, 1000);
    assert_same_links(one, two);
    toll_links_free(two);
    o.threads = 1; /* and again: the same seed, the same result */
    two = lf_link(r, &o);
    assert_same_links(one, two);
    toll_links_free(one);
    toll_links_free(two);
    free(truth);
    toll_reports_free(r);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("link_cluster");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, two_reports_of_one_source_should_stay_apart_by_default);
    tcase_add_test(tc, same_source_allow_should_let_one_source_merge);
    tcase_add_test(tc,
                   a_third_source_should_not_bridge_two_reports_of_one_source);
    tcase_add_test(tc,
                   strong_pairs_should_not_chain_across_an_incompatible_pair);
    tcase_add_test(tc, the_strongest_pair_should_merge_first);
    tcase_add_test(tc, reports_sharing_a_key_should_link_as_one_node);
    tcase_add_test(tc, reports_sharing_a_key_should_never_be_split);
    tcase_add_test(tc,
                   a_pair_between_the_thresholds_should_be_left_for_review);
    tcase_add_test(tc, one_thread_and_two_should_give_the_same_links);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return toll_test_run(suite()); }
