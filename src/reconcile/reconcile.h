/*
 * src/reconcile/reconcile.h - the incidents that reconcile builds
 * (struct toll_incidents): the interface later stages (summarize, stats)
 * read.
 */
#ifndef TOLL_SRC_RECONCILE_RECONCILE_H
#define TOLL_SRC_RECONCILE_RECONCILE_H

#include "store/store.h"

/* ---- incidents ----------------------------------------------------------- */

/* Per-(incident, category) cell flags */
#define TOLL__C_OPEN    0x01u
#define TOLL__C_DENIED  0x02u
#define TOLL__C_HAS_SELF 0x04u /* a self-report gives a known figure */
#define TOLL__C_KNOWN   0x08u  /* an included report gives a known figure */

struct toll_incidents {
    toll_allocator alloc;
    const toll_reports *reports;
    toll_reconcile_options opts;

    size_t n;                 /* incidents */
    uint32_t *key;            /* incident key string id, 0 = unkeyed */
    uint32_t *first_report;   /* report index of the first report */
    uint32_t *r_begin;        /* into report_idx */
    uint32_t *r_count;        /* reports of the incident */
    uint32_t *report_idx;     /* flattened report indices (len = reports) */
    uint32_t *n_sources;      /* distinct non-self sources */
    uint32_t *region;         /* string id of the reconciled region */
    int32_t *date_start, *date_end;
    uint32_t *actors;         /* actor set id: union of reports' actors */
    uint8_t *grade;           /* toll_grade */
    uint8_t *flags;           /* TOLL_FLAG_* */
    uint32_t *c_begin;        /* first cell of incident i */
    uint16_t *c_count;

    size_t nc;                /* cells, grouped by incident */
    uint32_t *c_category;     /* string id */
    int64_t *c_low, *c_high;  /* bounds over included reports (high finite) */
    double *c_best;
    uint8_t *c_flags;         /* TOLL__C_* */
    uint32_t *c_low_report, *c_high_report; /* report indices */
    uint32_t *c_n_reports;    /* reports giving a known value (included) */
    int64_t *c_self_low, *c_self_high;      /* party's own figure, -1 none */
    double *c_self_best;
    uint32_t *c_self_report;  /* report index, UINT32_MAX none */
    /* key codes built on demand by toll_summarize (src/summarize_kernel.h),
     * published atomically; NULL until then */
    struct toll__aggcache *agg_cache;
};

/* Free incidents->agg_cache (src/summarize_kernel.c); toll_incidents_free
 * calls it.  Accepts NULL. */
void toll__aggcache_free(toll_incidents *inc);

#endif /* TOLL_SRC_RECONCILE_RECONCILE_H */
