/* tests/link_fixture.h - stores for the probabilistic linker's suites
 * (tests/test_link_pipeline.c, tests/test_link_cluster.c): reports
 * appended with toll__reports_append, a model with chosen weights, and a
 * synthetic generator of multi-source reports of known incidents. */
#ifndef TOLL_TESTS_LINK_FIXTURE_H
#define TOLL_TESTS_LINK_FIXTURE_H

#include "link/pipeline.h"
#include "store/store.h"
#include "testutil.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct lrep {
    const char *key;     /* NULL: unkeyed */
    const char *source;  /* NULL: "src" */
    const char *region;  /* NULL: none */
    int day;             /* days after 2020-01-01; -1: no date */
    int days;            /* span length - 1 (0: one day) */
    const char *place;   /* NULL: none */
    double lat, lon;     /* both 0: none */
    const char *actors;  /* "A;B", NULL: none */
    int64_t killed;      /* 0: no figure */
} lrep;

static inline uint32_t lf_str(toll_reports *r, const char *s)
{
    uint32_t id = 0;
    if (s)
        ck_assert_int_eq(
            toll__strpool_intern(&r->strings, s, strlen(s), &id), TOLL_OK);
    return id;
}

static inline uint32_t lf_set(toll_reports *r, const char *list)
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
    ck_assert_int_eq(
        toll__setpool_intern(&r->actor_sets, &r->strings, ids, n, &id),
        TOLL_OK);
    return id;
}

/* Append one report; file "lk.json", line its 1-based index. */
static inline void lf_add(toll_reports *r, const lrep *s)
{
    toll__qcell q = {lf_str(r, "killed"), s->killed, s->killed,
                     (double)s->killed};
    toll__row row;
    memset(&row, 0, sizeof row);
    row.incident = lf_str(r, s->key);
    row.source = lf_str(r, s->source ? s->source : "src");
    row.actors = lf_set(r, s->actors);
    row.region = lf_str(r, s->region);
    int32_t d0 = toll_date_from_ymd(2020, 1, 1);
    row.date_start = s->day < 0 ? TOLL_NO_DATE : d0 + s->day;
    row.date_end = s->day < 0 ? TOLL_NO_DATE : d0 + s->day + s->days;
    row.location = lf_str(r, s->place);
    row.lat = s->lat == 0 && s->lon == 0 ? NAN : s->lat;
    row.lon = s->lat == 0 && s->lon == 0 ? NAN : s->lon;
    row.file = lf_str(r, "lk.json");
    row.line = (uint32_t)r->n + 1;
    row.q = &q;
    row.nq = s->killed > 0 ? 1 : 0;
    ck_assert_int_eq(toll__reports_append(r, &row, NULL), TOLL_OK);
}

#define LADD(r, ...) lf_add((r), &(lrep){__VA_ARGS__})

static inline toll_reports *lf_store(void)
{
    toll_reports *r = NULL;
    ck_assert_int_eq(toll_reports_new(NULL, &r, NULL), TOLL_OK);
    return r;
}

/*
 * A model where only the place decides: place "same" weighs +13.2 bits,
 * every other place level -2.4; actors "same" adds +3.3; every other level
 * weighs 0; prior 0.01 (-6.6 bits).  So two reports at one place match
 * with p 0.99 (0.999 with the same actors), others have p < 0.001.
 */
static inline toll_link_model *lf_place_model(void)
{
    toll_link_model *m = NULL;
    ck_assert_int_eq(toll_link_model_new(NULL, &m, NULL), TOLL_OK);
    for (int c = 0; c < TOLL_LINK_NCOMPARISONS; c++) {
        size_t nl = toll_link_level_count(c);
        for (size_t k = 0; k < nl; k++) {
            double v = 1.0 / (double)nl, mm = v, uu = v;
            if (c == TOLL_LINK_PLACE) {
                mm = k == 0 ? 0.9 : 0.02;
                uu = k == 0 ? 0.9 / 9410.0 : 0.02 * 32.0 / (double)nl;
            } else if (c == TOLL_LINK_ACTORS && k == 0) {
                mm = 0.5;
                uu = 0.05;
            }
            if (uu >= 1.0)
                uu = 0.99;
            ck_assert_int_eq(toll_link_model_set_level(m, c, k, mm, uu, NULL),
                             TOLL_OK);
        }
    }
    ck_assert_int_eq(toll_link_model_set_prior(m, 0.01, NULL), TOLL_OK);
    return m;
}

static inline toll_links *lf_link(const toll_reports *r,
                                  const toll_link_options *o)
{
    toll_links *l = NULL;
    toll_error e;
    toll_error_clear(&e);
    toll_status st = toll_link_reports(r, o, NULL, &l, &e);
    ck_assert_msg(st == TOLL_OK, "toll_link_reports: %s", e.message);
    return l;
}

/* Incident of report i (links' private view, src/link/pipeline.h). */
static inline uint32_t lf_inc(const toll_links *l, size_t i)
{
    return l->incident_of[i];
}

/* ---- synthetic reports of known incidents ------------------------------ */

static inline uint64_t lf_rand(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}
static inline double lf_unif(uint64_t *x)
{
    return (double)(lf_rand(x) >> 11) / 9007199254740992.0;
}

/*
 * n_inc incidents over `days` days in `ngov` governorates of one country
 * (each governorate ~ 1 degree across), each reported by each of 4
 * sources with probability 0.7 (at least one): the date is off by one day
 * with probability 0.25; a sixth of the reports give neither place nor
 * coordinates, a third give no coordinates; place names are spelled with
 * a variant now and then; actors one of three; killed +-20%.  truth[i]
 * receives the incident of report i (room for 4 * n_inc).  Returns the
 * number of reports.
 */
static inline size_t lf_synth(toll_reports *r, size_t n_inc, int days,
                              int ngov, uint64_t seed, uint32_t *truth)
{
    static const char *const sources[] = {"airwars", "snhr", "ucdp",
                                          "news"};
    static const char *const actors[] = {"Russia", "Syria", "Coalition"};
    static const char *const syl[] = {"kafr", "tal", "deir", "ain",
                                      "jisr", "ras",  "khan", "maarat",
                                      "bab",  "saraqib", "sheikh", "umm"};
    static const char *const tail[] = {"nabl", "rifa", "hamra", "zor",
                                       "shughur", "baydar", "nouman",
                                       "sultan", "hiss", "tamanah",
                                       "arab", "qasr", "halab", "idlib"};
    uint64_t x = seed;
    size_t n = 0;
    char region[64], place[64], alt[80];
    for (size_t c = 0; c < n_inc; c++) {
        int gov = (int)(lf_rand(&x) % (uint64_t)ngov);
        int day = (int)(lf_rand(&x) % (uint64_t)days);
        double lat = 30.0 + gov + lf_unif(&x), lon = 36.0 + lf_unif(&x);
        snprintf(region, sizeof region, "Syria/Gov%d", gov);
        snprintf(place, sizeof place, "%s %s %u",
                 syl[lf_rand(&x) % 12], tail[lf_rand(&x) % 14],
                 (unsigned)(lf_rand(&x) % 1000));
        snprintf(alt, sizeof alt, "al-%s", place);
        const char *act = actors[lf_rand(&x) % 3];
        int64_t killed = 1 + (int64_t)(lf_rand(&x) % 40);
        int any = 0;
        for (int s = 0; s < 4; s++) {
            if (lf_unif(&x) > 0.7 && !(s == 3 && !any))
                continue;
            any = 1;
            double u = lf_unif(&x);
            int noplace = u < 1.0 / 6.0, nocoord = noplace || u < 0.5;
            int d = day + (lf_unif(&x) < 0.25 ? 1 : 0);
            int64_t k = killed + (int64_t)((lf_unif(&x) - 0.5) * 0.4 *
                                           (double)killed);
            lrep rep = {NULL, sources[s], region, d, 0,
                        noplace ? NULL : (lf_unif(&x) < 0.2 ? alt : place),
                        nocoord ? 0 : lat + (lf_unif(&x) - 0.5) * 0.01,
                        nocoord ? 0 : lon + (lf_unif(&x) - 0.5) * 0.01,
                        lf_unif(&x) < 0.9 ? act : NULL, k > 0 ? k : 1};
            lf_add(r, &rep);
            truth[n++] = (uint32_t)c;
        }
    }
    return n;
}

/* Pairwise F1 of the assignment inc[] against truth[] (n reports). */
static inline double lf_pairwise_f1(const uint32_t *inc,
                                    const uint32_t *truth, size_t n)
{
    double tp = 0, fp = 0, fn = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++) {
            int p = inc[i] == inc[j], t = truth[i] == truth[j];
            tp += p && t;
            fp += p && !t;
            fn += !p && t;
        }
    return tp ? 2 * tp / (2 * tp + fp + fn) : 0.0;
}

#endif /* TOLL_TESTS_LINK_FIXTURE_H */
