/*
 * src/stats/mse_incidents.c - capture histories from reconciled incidents
 * (toll_mse_data_from_incidents): an incident is an individual, its
 * non-self sources are the lists it is on.
 */
#include "core/period.h"
#include "stats/mse.h"

#include <stdio.h>
#include <stdlib.h>

/* ---- stratification keys ------------------------------------------------ */

enum strat_kind { ST_NONE, ST_REGION, ST_PERIOD };

typedef struct strat {
    enum strat_kind kind;
    int levels;          /* region: levels kept (0: all) */
    toll_period_unit unit;
} strat;

static toll_status parse_strat(const char *s, strat *out, toll_error *err)
{
    static const char expected[] =
        "(expected region, region:K or period:day|week|month|quarter|year)";
    memset(out, 0, sizeof *out);
    if (!s)
        return TOLL_OK;
    size_t n = strlen(s);
    toll__trim_blank(&s, &n);
    if (n == 0)
        return TOLL_OK;
    const char *colon = memchr(s, ':', n);
    size_t nn = colon ? (size_t)(colon - s) : n;
    const char *arg = colon ? colon + 1 : "";
    size_t alen = colon ? n - nn - 1 : 0;
    if (toll__strncaseeq(s, nn, "region")) {
        out->kind = ST_REGION;
        if (colon) {
            long k = 0;
            size_t i = 0;
            for (; i < alen && arg[i] >= '0' && arg[i] <= '9' && k < 1000; i++)
                k = k * 10 + (arg[i] - '0');
            if (alen == 0 || i != alen)
                return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1,
                                    "stratify_by", s, n,
                                    "bad region level in '%.*s' %s", (int)n,
                                    s, expected);
            out->levels = (int)k + 1;
        }
        return TOLL_OK;
    }
    if (toll__strncaseeq(s, nn, "period") && colon) {
        toll_status st = toll__period_unit_parse(arg, alen, "stratify_by", s,
                                                 n, &out->unit, err);
        if (!st)
            out->kind = ST_PERIOD;
        return st;
    }
    return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "stratify_by", s, n,
                        "cannot stratify by '%.*s' %s", (int)n, s, expected);
}

/* ---- list names --------------------------------------------------------- */

static int bad_name_char(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '+' ||
           c == '*' || c == ':' || c == ',';
}

/* A valid MSE list name from a source name, distinct from names[0..j). */
static void list_name(const char *src, char *const *names, int j,
                      char out[64])
{
    char base[64];
    size_t o = 0;
    int digits = 1;
    for (const char *p = src; *p && o < 60; p++) {
        char c = bad_name_char(*p) ? '_' : *p;
        base[o++] = c;
        digits &= c >= '0' && c <= '9';
    }
    base[o] = '\0';
    if (o == 0 || digits) {
        char tmp[64];
        snprintf(tmp, sizeof tmp, "S%.61s", base);
        memcpy(base, tmp, sizeof base);
    }
    snprintf(out, 64, "%s", base);
    for (unsigned k = 2; k < 100; k++) { /* j < 8: a few tries do */
        int clash = 0;
        for (int i = 0; i < j && !clash; i++)
            clash = strcmp(names[i], out) == 0;
        if (!clash)
            return;
        snprintf(out, 64, "%.56s_%u", base, k % 100u);
    }
}

/* ---- label map (stratum labels by key) ---------------------------------- */

typedef struct label {
    char *s;
    int64_t num;      /* periods: sort number; else 0 */
    size_t stratum;
} label;

typedef struct labels {
    label *v;
    size_t n, cap;
    /* key -> label index + 1, open addressing */
    uint64_t *keys;
    uint32_t *slot;
    size_t slots;
} labels;

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    x ^= x >> 33;
    return x;
}

static toll_status labels_rehash(const toll_allocator *a, labels *L,
                                 size_t ncap)
{
    uint64_t *k = toll__calloc(a, ncap, sizeof *k);
    uint32_t *s = toll__calloc(a, ncap, sizeof *s);
    if (!k || !s) {
        toll__free(a, k, ncap * sizeof *k);
        toll__free(a, s, ncap * sizeof *s);
        return TOLL_ENOMEM;
    }
    for (size_t i = 0; i < L->slots; i++) {
        if (!L->slot[i])
            continue;
        size_t j = mix64(L->keys[i]) & (ncap - 1);
        while (s[j])
            j = (j + 1) & (ncap - 1);
        s[j] = L->slot[i];
        k[j] = L->keys[i];
    }
    toll__free(a, L->keys, L->slots * sizeof *L->keys);
    toll__free(a, L->slot, L->slots * sizeof *L->slot);
    L->keys = k;
    L->slot = s;
    L->slots = ncap;
    return TOLL_OK;
}

/* The label id (index + 1) of `key`, or 0 when absent. */
static uint32_t labels_find(const labels *L, uint64_t key)
{
    size_t mask = L->slots - 1;
    for (size_t j = mix64(key) & mask; L->slot[j]; j = (j + 1) & mask)
        if (L->keys[j] == key)
            return L->slot[j];
    return 0;
}

static toll_status labels_add(const toll_allocator *a, labels *L,
                              uint64_t key, const char *s, size_t len,
                              int64_t num, uint32_t *id)
{
    if ((L->n + 1) * 2 > L->slots &&
        labels_rehash(a, L, L->slots ? L->slots * 2 : 64))
        return TOLL_ENOMEM;
    if (L->n >= UINT32_MAX - 1 ||
        toll__grow(a, (void **)&L->v, &L->cap, L->n + 1, sizeof *L->v))
        return TOLL_ENOMEM;
    char *copy = toll__strndup(a, s, len);
    if (!copy)
        return TOLL_ENOMEM;
    L->v[L->n].s = copy;
    L->v[L->n].num = num;
    L->v[L->n].stratum = 0;
    size_t mask = L->slots - 1, j = mix64(key) & mask;
    while (L->slot[j])
        j = (j + 1) & mask;
    L->slot[j] = (uint32_t)(L->n + 1);
    L->keys[j] = key;
    *id = (uint32_t)(L->n + 1);
    L->n++;
    return TOLL_OK;
}

static void labels_free(const toll_allocator *a, labels *L)
{
    for (size_t i = 0; i < L->n; i++)
        toll__free(a, L->v[i].s, strlen(L->v[i].s) + 1);
    toll__free(a, L->v, L->cap * sizeof *L->v);
    toll__free(a, L->keys, L->slots * sizeof *L->keys);
    toll__free(a, L->slot, L->slots * sizeof *L->slot);
}

typedef struct sort_ent {
    const label *l;
    size_t idx;
} sort_ent;

static int cmp_label(const void *pa, const void *pb)
{
    const label *a = ((const sort_ent *)pa)->l, *b = ((const sort_ent *)pb)->l;
    if (a->num != b->num)
        return a->num < b->num ? -1 : 1;
    return strcmp(a->s, b->s);
}

/* Sources, sorted by name. */
typedef struct src_ent {
    const char *name;
    uint32_t id;
} src_ent;

static int cmp_src_ent(const void *pa, const void *pb)
{
    const src_ent *a = pa, *b = pb;
    return strcmp(a->name, b->name);
}

/* ---- the data set ------------------------------------------------------- */

toll_status toll_mse_data_from_incidents(const toll_incidents *inc,
                                         const char *const *lists,
                                         size_t nlists, const char *stratify_by,
                                         const toll_allocator *alloc,
                                         toll_mse_data **out, toll_error *err)
{
    if (!out)
        return toll__err(err, TOLL_EINVAL,
                         "toll_mse_data_from_incidents: out is NULL");
    *out = NULL;
    if (!inc)
        return toll__err(err, TOLL_EINVAL,
                         "toll_mse_data_from_incidents: incidents is NULL");
    strat sk;
    toll_status st = parse_strat(stratify_by, &sk, err);
    if (st)
        return st;
    const toll_reports *rep = inc->reports;
    const toll__strpool *sp = &rep->strings;
    const toll_allocator *a = &inc->alloc; /* temporaries */
    uint32_t src_id[TOLL_MSE_MAX_LISTS];
    int K = 0;
    src_ent *found = NULL;
    size_t nfound = 0, found_cap = 0;
    uint8_t *seen = NULL;
    size_t seen_n = 0;
    uint32_t *inc_label = NULL;
    uint8_t *inc_mask = NULL;
    labels L;
    memset(&L, 0, sizeof L);
    sort_ent *order = NULL;
    toll_mse_data *d = NULL;
    char *names[TOLL_MSE_MAX_LISTS];
    char name_buf[TOLL_MSE_MAX_LISTS][64];

    /* ---- the lists ---- */
    if (lists) {
        if (nlists < TOLL_MSE_MIN_LISTS || nlists > TOLL_MSE_MAX_LISTS) {
            st = toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "lists", NULL, 0,
                              "%zu lists given; multiple systems estimation "
                              "takes %d to %d",
                              nlists, TOLL_MSE_MIN_LISTS, TOLL_MSE_MAX_LISTS);
            goto cleanup;
        }
        for (size_t j = 0; j < nlists; j++) {
            const char *nm = lists[j];
            uint32_t id = 0;
            if (!nm || !*nm ||
                !toll__strpool_find(sp, nm, strlen(nm), &id) || id == 0 ||
                id >= inc->nstr) { /* a source loaded after them */
                st = toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "lists", nm,
                                  nm ? strlen(nm) : 0,
                                  "no report has the source '%s'",
                                  nm ? nm : "");
                goto cleanup;
            }
            for (size_t i = 0; i < j; i++)
                if (src_id[i] == id) {
                    st = toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "lists",
                                      nm, strlen(nm),
                                      "source '%s' is named twice", nm);
                    goto cleanup;
                }
            src_id[j] = id;
        }
        K = (int)nlists;
    } else {
        /* every non-self source, by name */
        seen_n = sp->count;
        seen = toll__calloc(a, seen_n ? seen_n : 1, 1);
        if (!seen)
            goto nomem;
        for (size_t i = 0; i < inc->n; i++) {
            uint32_t b = inc->r_begin[i], n = inc->r_count[i];
            for (uint32_t k = 0; k < n; k++) {
                uint32_t r = inc->report_idx[b + k];
                uint32_t sa = toll__reports_opt(rep->source_actor, r),
                         src = rep->source[r];
                if (sa && toll__inc_set_contains(inc, inc->actors[i], sa))
                    continue;
                if (src == 0 || src >= seen_n || seen[src])
                    continue;
                seen[src] = 1;
                if (toll__grow(a, (void **)&found, &found_cap, nfound + 1,
                               sizeof *found))
                    goto nomem;
                found[nfound].name = toll__str(sp, src);
                found[nfound].id = src;
                nfound++;
            }
        }
        if (nfound > 1)
            qsort(found, nfound, sizeof *found, cmp_src_ent);
        if (nfound < TOLL_MSE_MIN_LISTS || nfound > TOLL_MSE_MAX_LISTS) {
            toll__buf nb;
            toll__buf_init(&nb, a);
            toll_status s2 = TOLL_OK;
            for (size_t j = 0; j < nfound && j < 12 && !s2; j++)
                s2 = toll__buf_appendf(&nb, "%s%s", j ? ", " : "",
                                       found[j].name);
            if (!s2 && nfound > 12)
                s2 = toll__buf_appendf(&nb, ", ...");
            st = toll__seterr(
                err, TOLL_EINVAL, NULL, 0, -1, "lists", NULL, 0,
                "the incidents have %zu non-self sources (%s); multiple "
                "systems estimation takes %d to %d lists: name them",
                nfound, s2 || !nb.data ? "" : nb.data, TOLL_MSE_MIN_LISTS,
                TOLL_MSE_MAX_LISTS);
            toll__buf_free(&nb);
            goto cleanup;
        }
        K = (int)nfound;
        for (int j = 0; j < K; j++)
            src_id[j] = found[j].id;
    }
    for (int j = 0; j < K; j++) {
        list_name(toll__str(sp, src_id[j]), names, j, name_buf[j]);
        names[j] = name_buf[j];
    }
    if ((st = toll_mse_data_new(K, (const char *const *)names, alloc, &d,
                                err)))
        goto cleanup;

    /* ---- capture histories and stratum labels ---- */
    inc_label = toll__alloc(a, (inc->n ? inc->n : 1) * sizeof *inc_label);
    inc_mask = toll__alloc(a, inc->n ? inc->n : 1);
    if (!inc_label || !inc_mask)
        goto nomem;
    if (labels_rehash(a, &L, 64))
        goto nomem;
    for (size_t i = 0; i < inc->n; i++) {
        unsigned mask = 0;
        uint32_t b = inc->r_begin[i], n = inc->r_count[i];
        for (uint32_t k = 0; k < n; k++) {
            uint32_t r = inc->report_idx[b + k];
            uint32_t sa = toll__reports_opt(rep->source_actor, r),
                     src = rep->source[r];
            if (sa && toll__inc_set_contains(inc, inc->actors[i], sa))
                continue;
            for (int j = 0; j < K; j++)
                if (src_id[j] == src)
                    mask |= 1u << j;
        }
        inc_mask[i] = (uint8_t)mask;
        inc_label[i] = 0;
        if (!mask || sk.kind == ST_NONE)
            continue;
        uint64_t key;
        int32_t ds = inc->date_start[i];
        if (sk.kind == ST_REGION)
            key = inc->region[i];
        else
            key = ds == TOLL_NO_DATE ? UINT64_MAX : (uint64_t)(uint32_t)ds;
        uint32_t id = labels_find(&L, key);
        if (!id) {
            char buf[TOLL__PERIOD_LABEL_SIZE];
            const char *s = "";
            size_t len = 0;
            int64_t num = 0;
            if (sk.kind == ST_REGION) {
                /* the incidents' id space (src/reconcile/reconcile.h) */
                s = toll__inc_str(inc, inc->region[i]);
                len = toll__inc_strlen(inc, inc->region[i]);
                if (sk.levels > 0) {
                    int cnt = 0;
                    for (size_t c = 0; c < len; c++)
                        if (s[c] == '/' && ++cnt == sk.levels) {
                            len = c;
                            break;
                        }
                }
            } else if (ds != TOLL_NO_DATE) {
                num = toll__period_number(sk.unit, ds);
                len = toll__period_label(sk.unit, num, buf, sizeof buf);
                s = buf;
            } else {
                num = INT64_MIN; /* no date: first */
            }
            if (labels_add(a, &L, key, s, len, num, &id))
                goto nomem;
        }
        inc_label[i] = id;
    }

    /* ---- strata in order of their labels (distinct labels may share a
     * name: several days of a month) ---- */
    if (L.n) {
        order = toll__alloc(a, L.n * sizeof *order);
        if (!order)
            goto nomem;
        for (size_t k = 0; k < L.n; k++) {
            order[k].l = &L.v[k];
            order[k].idx = k;
        }
        qsort(order, L.n, sizeof *order, cmp_label);
        for (size_t k = 0; k < L.n; k++) {
            label *l = &L.v[order[k].idx];
            if ((st = toll__mse_stratum_get(d, l->s, strlen(l->s), &l->stratum,
                                            err)))
                goto cleanup;
        }
    }
    for (size_t i = 0; i < inc->n; i++) {
        unsigned mask = inc_mask[i];
        if (!mask)
            continue;
        size_t s;
        if (inc_label[i])
            s = L.v[inc_label[i] - 1].stratum;
        else if ((st = toll__mse_stratum_get(d, "", 0, &s, err)))
            goto cleanup;
        d->counts[s * d->ncells + mask] += 1;
    }
    if (d->nstrata == 0) {
        st = toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "lists", NULL, 0,
                          "no incident was reported by any of the %d lists",
                          K);
        goto cleanup;
    }
    *out = d;
    d = NULL;
    goto cleanup;
nomem:
    st = toll__nomem(err);
cleanup:
    toll_mse_data_free(d);
    toll__free(a, found, found_cap * sizeof *found);
    toll__free(a, seen, seen_n ? seen_n : 1);
    toll__free(a, inc_label, (inc->n ? inc->n : 1) * sizeof *inc_label);
    toll__free(a, inc_mask, inc->n ? inc->n : 1);
    toll__free(a, order, L.n * sizeof *order);
    labels_free(a, &L);
    return st;
}
