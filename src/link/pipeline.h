/*
 * src/link/pipeline.h - private interface of the probabilistic linker's
 * pipeline (toll/link.h, docs/linking.md):
 *   src/link/options.c  options and their one check
 *   src/link/nodes.c    nodes (a report, or the reports of one key) and
 *                       their features, read from the store
 *   src/link/block.c    blocking: the candidate pairs of nodes
 *   src/link/fit.c      u from random pairs, m and the prior by EM over
 *                       the pairs where matches are common, labelled fit
 *   src/link/cluster.c  scoring, clustering, toll_link_reports
 *   src/link/links.c    the links object, its tables and accessors
 * src/reconcile/link.c reads struct toll_links (TOLL_LINK_AUTO).
 */
#ifndef TOLL_SRC_LINK_PIPELINE_H
#define TOLL_SRC_LINK_PIPELINE_H

#include "link/link_int.h"
#include "store/store.h"

/* ---- nodes (src/link/nodes.c) ------------------------------------------ */

typedef struct toll__lk_nodes {
    const toll_allocator *a;
    size_t n;                 /* nodes */
    uint32_t *node_of;        /* report -> node (every report has one) */
    size_t nrep_alloc;        /* entries allocated for node_of */
    uint32_t *first;          /* node -> its first report (store order) */
    uint32_t *key;            /* node -> `incident` string id, 0 unkeyed */
    uint8_t *linkable;        /* node -> 1: dated, span <= max_span */
    toll__lk_feat *feat;      /* node -> features (point into the store,
                                 `places` and `actors`) */
    uint64_t *country;        /* node -> hash of the region's first level,
                                 0 none */
    uint64_t *gov;            /* node -> hash of the first two levels,
                                 0 none */
    uint32_t *src_begin;      /* node -> first of its sources in srcs */
    uint32_t *src_count;
    uint32_t *srcs;           /* sources (string ids), sorted, per node */
    size_t nsrcs;
    uint32_t *actors;         /* actor ids, sorted, per node */
    size_t nactors;
    char *places;             /* normalised place names, per node */
    size_t places_len;
} toll__lk_nodes;

/* Build the nodes of `r` (names NULL: the default table; max_span as in
 * toll_link_options).  Scratch and the nodes from `a`. */
toll_status toll__lk_nodes_build(const toll_reports *r,
                                 const toll_link_names *names, int max_span,
                                 const toll_allocator *a, toll__lk_nodes *out,
                                 toll_error *err);
void toll__lk_nodes_free(toll__lk_nodes *nd);

/* ---- blocking (src/link/block.c) ---------------------------------------- */

/* A candidate pair of nodes a < b; `code` packs the level vector
 * (toll__lk_pack), `decision` a toll__lk_decision. */
typedef struct toll__lk_pair {
    uint32_t a, b;
    uint16_t code;
    uint8_t decision;
} toll__lk_pair;

typedef struct toll__lk_pairs {
    toll__lk_pair *v;
    size_t n, cap;
} toll__lk_pairs;

/* Radius (km) within which nodes with coordinates in different
 * governorates of one country are candidates, before precision. */
#define TOLL__LK_CELL_KM 25.0
/* The precision radius counted by blocking is capped at this (km). */
#define TOLL__LK_TOL_CAP_KM 25.0f

/* Append the candidate pairs of `nd` (window_days as in the options) to
 * *out, in no particular order.  TOLL_ENOMEM. */
toll_status toll__lk_block(const toll__lk_nodes *nd, int window_days,
                           const toll_allocator *a, toll__lk_pairs *out,
                           toll_error *err);

/* ---- level vectors ------------------------------------------------------ */

/* Number of distinct level vectors (the product of the level counts). */
#define TOLL__LK_NCODES 19200u

uint16_t toll__lk_pack(const uint8_t levels[TOLL_LINK_NCOMPARISONS]);
void toll__lk_unpack(uint16_t code, uint8_t levels[TOLL_LINK_NCOMPARISONS]);

/* Levels of every pair (its `code`), on two threads when `threads` >= 2
 * (the same result). */
void toll__lk_score(const toll__lk_nodes *nd, toll__lk_pairs *p,
                    int threads);
/* 1 when scoring should use two threads (opts->threads, the pair count). */
int toll__lk_use_threads(size_t threads, size_t npairs);

/* ---- fitting (src/link/fit.c) ------------------------------------------- */

/* Set u from random pairs of nodes (seeded), m and the prior by EM over
 * the candidate pairs `p` (levels scored), starting from `model`. */
toll_status toll__lk_fit(const toll__lk_nodes *nd, const toll__lk_pairs *p,
                         unsigned long long seed, toll_link_model *model,
                         const toll_allocator *a, toll_error *err);
/* u of date and region from the level shares of the candidate pairs `p`
 * (levels scored): the blocking makes these alike in every candidate. */
toll_status toll__lk_blocked_u(const toll__lk_pairs *p, toll_link_model *model,
                               const toll_allocator *a, toll_error *err);
/* Set u from random pairs of nodes (seeded). */
toll_status toll__lk_fit_u(const toll__lk_nodes *nd, unsigned long long seed,
                           toll_link_model *model, const toll_allocator *a,
                           toll_error *err);

/* ---- the links object (src/link/links.c) -------------------------------- */

typedef enum toll__lk_decision {
    TOLL__LK_BELOW = 0,
    TOLL__LK_REVIEW,
    TOLL__LK_MERGED,
    TOLL__LK_SAME_INCIDENT,
    TOLL__LK_SAME_SOURCE,
    TOLL__LK_INCOMPATIBLE
} toll__lk_decision;

const char *toll__lk_decision_name(int d);

struct toll_links {
    toll_allocator alloc;
    const void *store;        /* identity of the store linked (never read) */
    toll_link_model *model;   /* owned copy */
    double lower, upper;
    double weight[TOLL__LK_NCODES]; /* prior weight + level weights */
    toll__strpool strings;    /* copies of the texts shown */
    size_t nreports;
    uint32_t *node_of;        /* report -> node */
    uint32_t *loc;            /* report -> "FILE:LINE" (strings) */
    uint32_t *id;             /* report -> id (strings), 0 none */
    uint32_t *source;         /* report -> source (strings) */
    uint32_t *incident_of;    /* report -> incident (order of first report) */
    uint32_t *key;            /* incident -> assigned key (strings) */
    uint32_t *inc_nodes;      /* incident -> number of nodes */
    size_t nincidents;
    size_t nnodes;
    uint32_t *node_first;     /* node -> first report */
    uint8_t *node_review;     /* node -> 1: has a review pair */
    double *node_p;           /* node -> weakest merged pair (NaN none) */
    toll__lk_pair *pairs;     /* strongest first */
    size_t npairs;
};

/* The match probability of a pair of `links`. */
static inline double toll__lk_pair_p(const toll_links *l,
                                     const toll__lk_pair *p)
{
    return toll__lk_probability(l->weight[p->code]);
}

#endif /* TOLL_SRC_LINK_PIPELINE_H */
