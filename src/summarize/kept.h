/*
 * src/summarize/kept.h - kept fields (columns that are not report fields, such as
 * UCDP's type_of_violence) as group keys and filters of toll_summarize.
 * Private to toll (src/summarize/kept.c).
 *
 * An incident's value of a kept field is the value of its first report (in
 * load order) that keeps the field; none (string id 0) when no report does.
 */
#ifndef TOLL_SRC_SUMMARIZE_KEPT_H
#define TOLL_SRC_SUMMARIZE_KEPT_H

#include "reconcile/reconcile.h"
#include "render/render.h"
#include "toll/summarize.h" /* toll_where_item */

/* 1 and *key (string id of the name) when some report keeps a field named
 * s[0..len); else 0.  Names starting with "toll:" are toll's own. */
int toll__kept_find(const toll_reports *r, const char *s, size_t len,
                    uint32_t *key);

/* Append the names of the kept fields ("a, b, c"; at most `max`, then
 * "...") to b; "none" when there are none. */
toll_status toll__kept_list(const toll_reports *r, toll__buf *b, size_t max);

/* The kept field `key` of every incident, materialised at once: `pool`
 * (initialised here with a; free it with toll__strpool_free) receives the
 * distinct values, *vals (inc->n entries, allocated with a) each
 * incident's value as an id of `pool` (0: none).  The store keeps the
 * values as text (src/store/store.h); this is where summaries intern
 * them.  TOLL_ENOMEM: nothing is left allocated. */
toll_status toll__kept_incident_values(const toll_incidents *inc, uint32_t key,
                                       const toll_allocator *a,
                                       toll__strpool *pool, uint32_t **vals);

/* Rank of a data grade (ASCII case-insensitive): confirmed 5, fair 4,
 * weak 3, contested 2, discounted 1; 0 for anything else. */
int toll__data_grade_rank(const char *s, size_t len);

/* The name of the kept field holding grades that come from the data. */
#define TOLL__DATA_GRADE "data_grade"

/* One kept field filtered by `where`. */
typedef struct toll__wfield {
    const char *name;       /* points into the caller's item */
    size_t name_len;
    uint32_t key;
    toll__strpool pool;     /* the field's values (toll__kept_incident_values) */
    uint32_t *vals;         /* per incident: an id of pool */
    const char **want;      /* wanted values (into the items) */
    size_t *want_len;
    size_t nwant, want_cap;
} toll__wfield;

/* The compiled where / min_data_grade filters. */
typedef struct toll__where {
    const toll_allocator *a;
    size_t n_inc;
    toll__wfield *f;
    size_t nf, f_cap;
    int min_rank;           /* 0: no data-grade filter */
    toll__strpool dg_pool;  /* the data_grade values */
    uint32_t *dg_vals;      /* data_grade value per incident (dg_pool id) */
} toll__where;

/* Compile the filters items[0..n).  texts: the text form each item was
 * parsed from (toll_summarize_where_parse), named in messages, or NULL
 * for items given as structs.  Bad items give TOLL_EINVAL naming the
 * option ("where", "where_items" / "min_data_grade") and the item. */
toll_status toll__where_init(toll__where *w, const toll_incidents *inc,
                             const toll_where_item *items, size_t n,
                             const char *const *texts,
                             const char *min_data_grade,
                             const toll_allocator *a, toll_error *err);
/* 1 when some filter is set. */
int toll__where_active(const toll__where *w);
/* 1 when incident i passes every filter. */
int toll__where_match(const toll__where *w, size_t i);
/* "; where a=1|2, b=x; data grade >= fair" for the table caption. */
toll_status toll__where_caption(const toll__where *w,
                                const char *min_data_grade, toll__buf *b);
void toll__where_free(toll__where *w);

#endif /* TOLL_SRC_SUMMARIZE_KEPT_H */
