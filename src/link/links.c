/*
 * src/link/links.c - the links object of the probabilistic linker: its
 * accessors and its two tables (toll/link.h).
 */
#include "link/pipeline.h"
#include "render/render.h"

#include <math.h>
#include <stdio.h>

static const char *const decision_names[] = {
    "below", "review", "merged", "same incident", "same source",
    "incompatible"};

const char *toll__lk_decision_name(int d)
{
    return d >= 0 && d <= TOLL__LK_INCOMPATIBLE ? decision_names[d] : "";
}

const toll_link_model *toll_links_model(const toll_links *l)
{
    return l ? l->model : NULL;
}
size_t toll_links_report_count(const toll_links *l)
{
    return l ? l->nreports : 0;
}
size_t toll_links_incident_count(const toll_links *l)
{
    return l ? l->nincidents : 0;
}
size_t toll_links_pair_count(const toll_links *l)
{
    return l ? l->npairs : 0;
}

/* Row i of string column j = string `id` of the links' pool. */
static toll_status put_id(toll_table *t, size_t j, size_t i,
                          const toll_links *l, uint32_t id)
{
    if (!id)
        return TOLL_OK;
    return toll__table_put_str(t, j, i, toll__str(&l->strings, id),
                               toll__strlen(&l->strings, id));
}

static toll_status new_table(const toll_links *l, const toll_allocator *alloc,
                             size_t ncols, size_t nrows,
                             const char *const *names,
                             const toll_coltype *types, toll_table **out)
{
    toll_status st =
        toll__table_new(alloc ? alloc : &l->alloc, ncols, nrows, out);
    for (size_t j = 0; j < ncols && !st; j++)
        st = toll__table_set_column(*out, j, names[j], types[j]);
    if (st) {
        toll_table_free(*out);
        *out = NULL;
        return st;
    }
    (*out)->nkeys = 0;
    (*out)->is_summary = 0;
    (*out)->additive = 1;
    return TOLL_OK;
}

static toll_status table_error(toll_status st, const char *what,
                               toll_error *err)
{
    if (st == TOLL_ENOMEM)
        return toll__nomem(err);
    return toll__err(err, st, "cannot build the %s table: %s", what,
                     toll_strerror(st));
}

enum { A_REPORT, A_ID, A_SOURCE, A_INCIDENT, A_P, A_STATUS, A_NCOLS };

toll_status toll_links_assignments(const toll_links *l,
                                   const toll_allocator *alloc,
                                   toll_table **out, toll_error *err)
{
    static const char *const names[A_NCOLS] = {
        "report", "id", "source", "incident", "match_probability", "status"};
    static const toll_coltype types[A_NCOLS] = {
        TOLL_COL_STRING, TOLL_COL_STRING, TOLL_COL_STRING,
        TOLL_COL_STRING, TOLL_COL_DOUBLE, TOLL_COL_STRING};
    if (!out)
        return toll__err(err, TOLL_EINVAL,
                         "toll_links_assignments: out is NULL");
    *out = NULL;
    if (!l)
        return toll__err(err, TOLL_EINVAL,
                         "toll_links_assignments: links is NULL");
    toll_table *t = NULL;
    toll_status st =
        new_table(l, alloc, A_NCOLS, l->nreports, names, types, &t);
    double *pcol = t ? (double *)t->cols[A_P].data : NULL;
    for (size_t i = 0; i < l->nreports && !st; i++) {
        uint32_t k = l->node_of[i], c = l->incident_of[i];
        const char *status = l->node_review[k]    ? "review"
                             : l->inc_nodes[c] > 1 ? "linked"
                                                   : "single";
        pcol[i] = l->node_p[k];
        if ((st = put_id(t, A_REPORT, i, l, l->loc[i])) ||
            (st = put_id(t, A_ID, i, l, l->id[i])) ||
            (st = put_id(t, A_SOURCE, i, l, l->source[i])) ||
            (st = put_id(t, A_INCIDENT, i, l, l->key[c])))
            break;
        st = toll__table_put_str(t, A_STATUS, i, status, strlen(status));
    }
    if (st) {
        toll_table_free(t);
        return table_error(st, "assignments", err);
    }
    *out = t;
    return TOLL_OK;
}

/* Pairs table columns: 6 leading, 2 per comparison, 4 trailing. */
#define P_LEAD 6
#define P_NCOLS (P_LEAD + 2 * TOLL_LINK_NCOMPARISONS + 4)

static int pair_wanted(const toll__lk_pair *p, toll_link_pairs_which which)
{
    switch (which) {
    case TOLL_LINK_PAIRS_REVIEW:
        return p->decision == TOLL__LK_REVIEW;
    case TOLL_LINK_PAIRS_MERGED:
        return p->decision == TOLL__LK_MERGED;
    default:
        return 1;
    }
}

toll_status toll_links_pairs(const toll_links *l, toll_link_pairs_which which,
                             const toll_allocator *alloc, toll_table **out,
                             toll_error *err)
{
    if (!out)
        return toll__err(err, TOLL_EINVAL, "toll_links_pairs: out is NULL");
    *out = NULL;
    if (!l)
        return toll__err(err, TOLL_EINVAL, "toll_links_pairs: links is NULL");
    if ((unsigned)which > TOLL_LINK_PAIRS_MERGED)
        return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "which", NULL, 0,
                            "toll_links_pairs: unknown selection %d",
                            (int)which);
    char namebuf[TOLL_LINK_NCOMPARISONS][2][32];
    const char *names[P_NCOLS] = {"report_a", "report_b", "id_a",
                                  "id_b",     "source_a", "source_b"};
    toll_coltype types[P_NCOLS];
    for (int j = 0; j < P_LEAD; j++)
        types[j] = TOLL_COL_STRING;
    for (int c = 0; c < TOLL_LINK_NCOMPARISONS; c++) {
        snprintf(namebuf[c][0], sizeof namebuf[c][0], "%s",
                 toll_link_comparison_name(c));
        snprintf(namebuf[c][1], sizeof namebuf[c][1], "%s_weight",
                 toll_link_comparison_name(c));
        names[P_LEAD + 2 * c] = namebuf[c][0];
        names[P_LEAD + 2 * c + 1] = namebuf[c][1];
        types[P_LEAD + 2 * c] = TOLL_COL_STRING;
        types[P_LEAD + 2 * c + 1] = TOLL_COL_DOUBLE;
    }
    const int tail = P_LEAD + 2 * TOLL_LINK_NCOMPARISONS;
    names[tail] = "prior_weight";
    names[tail + 1] = "weight";
    names[tail + 2] = "match_probability";
    names[tail + 3] = "decision";
    types[tail] = types[tail + 1] = types[tail + 2] = TOLL_COL_DOUBLE;
    types[tail + 3] = TOLL_COL_STRING;

    size_t nrows = 0;
    for (size_t i = 0; i < l->npairs; i++)
        nrows += pair_wanted(&l->pairs[i], which);
    toll_table *t = NULL;
    toll_status st = new_table(l, alloc, P_NCOLS, nrows, names, types, &t);
    const double pw = toll__lk_prior_weight(l->model);
    size_t row = 0;
    for (size_t i = 0; i < l->npairs && !st; i++) {
        const toll__lk_pair *p = &l->pairs[i];
        if (!pair_wanted(p, which))
            continue;
        uint32_t ra = l->node_first[p->a], rb = l->node_first[p->b];
        if ((st = put_id(t, 0, row, l, l->loc[ra])) ||
            (st = put_id(t, 1, row, l, l->loc[rb])) ||
            (st = put_id(t, 2, row, l, l->id[ra])) ||
            (st = put_id(t, 3, row, l, l->id[rb])) ||
            (st = put_id(t, 4, row, l, l->source[ra])) ||
            (st = put_id(t, 5, row, l, l->source[rb])))
            break;
        uint8_t lv[TOLL_LINK_NCOMPARISONS];
        double per[TOLL_LINK_NCOMPARISONS];
        toll__lk_unpack(p->code, lv);
        toll__lk_weight(l->model, lv, per);
        for (int c = 0; c < TOLL_LINK_NCOMPARISONS && !st; c++) {
            const char *ln = toll_link_level_name(c, lv[c]);
            st = toll__table_put_str(t, (size_t)(P_LEAD + 2 * c), row, ln,
                                     strlen(ln));
            ((double *)t->cols[P_LEAD + 2 * c + 1].data)[row] = per[c];
        }
        if (st)
            break;
        ((double *)t->cols[tail].data)[row] = pw;
        ((double *)t->cols[tail + 1].data)[row] = l->weight[p->code];
        ((double *)t->cols[tail + 2].data)[row] = toll__lk_pair_p(l, p);
        const char *d = toll__lk_decision_name(p->decision);
        st = toll__table_put_str(t, (size_t)tail + 3, row, d, strlen(d));
        row++;
    }
    if (st) {
        toll_table_free(t);
        return table_error(st, "pairs", err);
    }
    *out = t;
    return TOLL_OK;
}
