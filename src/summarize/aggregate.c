/*
 * src/summarize/aggregate.c - the general aggregation path.
 *
 * One pass over the incidents.  For each incident that passes the filters,
 * the codes of its single-valued keys (region, grade, and actor/period when
 * they do not expand) are looked up once; the keys that expand (actor under
 * split/each attribution, period under prorating, category when it is a
 * key) are enumerated; each resulting tuple of key codes is found in (or
 * added to) an open-addressing hash map of groups, whose accumulators are
 * updated.  Groups are then sorted by the rank of each key code and
 * written out as a table (src/summarize/summarize.c).
 *
 * Only cells with TOLL__C_KNOWN contribute: an incident whose only figures
 * are self-reports or unknown does not enter the totals (not even its
 * `incidents` count).
 */
#include "summarize/summarize_int.h"

static int region_matches(const ctx *c, uint32_t id)
{
    size_t len = toll__inc_strlen(c->inc, id);
    const char *s = toll__inc_str(c->inc, id);
    if (len < c->prefix_len || memcmp(s, c->prefix, c->prefix_len) != 0)
        return 0;
    return len == c->prefix_len || s[c->prefix_len] == '/';
}

static int actors_match(const ctx *c, uint32_t set)
{
    if (set == 0)
        return c->filter_unknown;
    for (size_t k = 0; k < c->n_filter_actors; k++)
        if (c->filter_actors[k] &&
            toll__inc_set_contains(c->inc, set, c->filter_actors[k]))
            return 1;
    return 0;
}

/* Apply one contribution to its group. */
static toll_status apply(ctx *c, const pending *p)
{
    toll_status st = TOLL_OK;
    gacc *ga = group_of(c->ta, &c->g, p->key, &st);
    if (!ga)
        return st;
    ga->incidents += 1;
    ga->reports += p->reports;
    ga->open += (p->cf & TOLL__C_OPEN) != 0;
    ga->denied += (p->cf & TOLL__C_DENIED) != 0;
    ga->contested += p->contested;
    /* low <= best <= high, times one share: the order holds in every
     * contribution and so in every sum (docs/aggregation.md) */
    ga->low += (double)p->low * p->share;
    ga->best += p->best * p->share;
    ga->high += (double)p->high * p->share;
    if (c->iv) /* probabilistic interval: the same range and share */
        st = toll__iv_add(c->iv, (size_t)(ga - c->g.acc), p->low, p->high,
                          p->best, p->share, (p->cf & TOLL__C_OPEN) != 0);
    return st;
}

/* Apply the pending contributions, in order, after prefetching their
 * groups' slots. */
static toll_status flush_pending(ctx *c)
{
    groups *g = &c->g;
    toll_status st = TOLL_OK;
    for (size_t k = 0; k < c->npend; k++) {
        const uint32_t *key = c->pend[k].key;
        if (g->dense) {
            size_t j = 0;
            while (j < g->nk && !(key[j] >> g->bits[j]))
                j++;
            if (j == g->nk)
                PREFETCH(g->index + dense_pos(g, key));
        } else {
            uint32_t h = hash_key(key, g->nk);
            PREFETCH(g->slots + 2 * (h & (g->slots_cap - 1)));
        }
    }
    for (size_t k = 0; k < c->npend && !st; k++)
        st = apply(c, &c->pend[k]);
    c->npend = 0;
    return st;
}

toll_status toll__aggregate(ctx *c, toll_error *err)
{
    const toll_incidents *inc = c->inc;
    const toll_allocator *a = c->ta;
    toll_status st = TOLL_OK;
    uint32_t key[MAX_KEYS] = {0};

    for (size_t i = 0; i < inc->n; i++) {
        /* ---- filters ---- */
        if (inc->grade[i] < c->min_grade)
            continue;
        int32_t ds = inc->date_start[i];
        if (c->from != TOLL_NO_DATE || c->to != TOLL_NO_DATE) {
            if (ds == TOLL_NO_DATE)
                continue;
            if (c->from != TOLL_NO_DATE && ds < c->from)
                continue;
            if (c->to != TOLL_NO_DATE && ds > c->to)
                continue;
        }
        if (c->prefix_len && !region_matches(c, inc->region[i]))
            continue;
        if (c->n_filter_actors && !actors_match(c, inc->actors[i]))
            continue;
        if (toll__where_active(&c->where) && !toll__where_match(&c->where, i))
            continue;
        /* Cells that count. */
        size_t cb = inc->c_begin[i], cn = inc->c_count[i], nknown = 0;
        for (size_t k = cb; k < cb + cn; k++)
            if ((inc->c_flags[k] & TOLL__C_KNOWN) &&
                (c->all_categories || inc->c_category[k] == c->category))
                nknown++;
        if (nknown == 0)
            continue;

        /* ---- single-valued keys ---- */
        uint32_t set = inc->actors[i];
        if (c->region_dim >= 0 &&
            (st = toll__region_code(c, &c->dims[c->region_dim], inc->region[i],
                                    &key[c->region_dim])))
            goto fail;
        if (c->grade_dim >= 0) {
            dim *d = &c->dims[c->grade_dim];
            unsigned gr = inc->grade[i] < 5 ? inc->grade[i] : 0;
            if (!d->by_id[gr]) {
                const char *l = toll__grade_label(gr);
                dim_val v = {l, strlen(l), (int64_t)gr, 0};
                uint32_t code;
                if ((st = toll__dim_push(a, d, v, &code)))
                    goto fail;
                d->by_id[gr] = code + 1;
            }
            key[c->grade_dim] = d->by_id[gr] - 1;
        }
        for (size_t k = 0; k < c->ndims; k++) /* kept fields */
            if (c->dims[k].kind == DIM_FIELD &&
                (st = toll__string_code(c, &c->dims[k], c->dims[k].fvals[i],
                                        &key[k])))
                goto fail;

        /* ---- actors: parts ---- */
        size_t na = 1;
        double ashare = 1.0;
        if (c->actor_dim >= 0) {
            dim *d = &c->dims[c->actor_dim];
            if (c->attribution == TOLL_ATTR_JOINT || set == 0) {
                uint32_t lid =
                    set ? toll__inc_set_label(inc, set) : c->unknown_actor;
                if ((st = toll__string_code(c, d, lid, &c->aparts[0].code)))
                    goto fail;
            } else {
                na = toll__inc_set_size(inc, set);
                if (na > c->aparts_cap &&
                    (st = toll__grow(a, (void **)&c->aparts, &c->aparts_cap,
                                     na, sizeof *c->aparts)))
                    goto fail;
                const uint32_t *m = toll__inc_set_members(inc, set);
                for (size_t k = 0; k < na; k++)
                    if ((st = toll__string_code(c, d, m[k],
                                                &c->aparts[k].code)))
                        goto fail;
                if (c->attribution == TOLL_ATTR_SPLIT)
                    ashare = 1.0 / (double)na;
            }
        }

        /* ---- periods: parts ---- */
        size_t np = 1;
        int64_t tdays = 1;
        c->pparts[0].days = 1;
        if (c->period_dim >= 0) {
            dim *d = &c->dims[c->period_dim];
            int32_t de = inc->date_end[i];
            if (ds == TOLL_NO_DATE) {
                if ((st = toll__period_code(a, d, TOLL__NO_PERIOD,
                                            &c->pparts[0].code)))
                    goto fail;
            } else if (c->span == TOLL_SPAN_START || de == TOLL_NO_DATE ||
                       de <= ds ||
                       (inc->flags[i] & TOLL_FLAG_DATE_CONFLICT) ||
                       toll__period_count(d->unit, ds, de) == 0) {
                /* date-conflicted incidents (their reports' spans do not
                 * meet) are not prorated over the hull of the spans: they
                 * count where they start, as under span start (so do
                 * spans with an end outside the years periods cover) */
                int32_t last;
                if ((st = day_code(a, d, ds, &c->pparts[0].code, &last)))
                    goto fail;
            } else {
                tdays = (int64_t)de - ds + 1;
                uint64_t nper = toll__period_count(d->unit, ds, de);
                if (nper > c->max_rows) {
                    char f[16], t[16], keys[160];
                    toll_date_format(ds, f);
                    toll_date_format(de, t);
                    toll__keys_text(c, keys, sizeof keys);
                    toll__seterr(err, TOLL_ERANGE, NULL, 0, -1, "max_rows",
                                 NULL, 0,
                                 "span prorate by %s: the incident dated "
                                 "%s..%s would make %llu rows (one per "
                                 "%s), more than max_rows (%zu)",
                                 keys, f, t, (unsigned long long)nper,
                                 toll__period_unit_name(d->unit),
                                 c->max_rows);
                    return TOLL_ERANGE;
                }
                np = 0;
                for (int64_t day = ds; day <= de;) {
                    int32_t last;
                    if (np + 1 > c->pparts_cap &&
                        (st = toll__grow(a, (void **)&c->pparts,
                                         &c->pparts_cap, np + 1,
                                         sizeof *c->pparts)))
                        goto fail;
                    if ((st = day_code(a, d, (int32_t)day,
                                       &c->pparts[np].code, &last)))
                        goto fail;
                    int64_t end = last < de ? last : de;
                    c->pparts[np].days = end - day + 1;
                    np++;
                    day = end + 1;
                }
            }
        }

        /* ---- enumerate and accumulate ---- */
        int64_t r_count = inc->r_count[i];
        int contested = (inc->flags[i] & TOLL_FLAG_CONTESTED) != 0;
        for (size_t k = cb; k < cb + cn; k++) {
            uint8_t cf = inc->c_flags[k];
            if (!(cf & TOLL__C_KNOWN) ||
                !(c->all_categories || inc->c_category[k] == c->category))
                continue;
            if (c->category_dim >= 0 &&
                (st = toll__string_code(c, &c->dims[c->category_dim],
                                        inc->c_category[k],
                                        &key[c->category_dim])))
                goto fail;
            int64_t lo = inc->c_low[k], hi = inc->c_high[k];
            double best = inc->c_best[k];
            toll__kclamp(&lo, &hi, &best);
            for (size_t pi = 0; pi < np; pi++) {
                /* prorating: low, best and high alike times the part's
                 * days over the incident's days */
                double pshare = np > 1 ? (double)c->pparts[pi].days /
                                             (double)tdays
                                       : 1.0;
                if (c->period_dim >= 0)
                    key[c->period_dim] = c->pparts[pi].code;
                for (size_t ai = 0; ai < na; ai++) {
                    if (c->actor_dim >= 0)
                        key[c->actor_dim] = c->aparts[ai].code;
                    pending *p = &c->pend[c->npend++];
                    memcpy(p->key, key, sizeof p->key);
                    p->low = lo;
                    p->best = best;
                    p->high = hi;
                    p->share = ashare * pshare;
                    p->reports = r_count;
                    p->cf = cf;
                    p->contested = (uint8_t)contested;
                    if (c->npend == PENDING && (st = flush_pending(c)))
                        goto fail;
                }
            }
        }
    }
    if ((st = flush_pending(c)))
        goto fail;
    goto cleanup;
fail:
    if (st == TOLL_ERANGE && c->g.n >= c->g.max)
        toll__rows_fail(c, err);
    else
        toll__group_fail(st, err);
cleanup:
    return st;
}
