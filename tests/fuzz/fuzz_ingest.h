/*
 * tests/fuzz/fuzz_ingest.h - the body of the ingest harnesses
 * (fuzz_json.c, fuzz_jsonl.c, fuzz_csv.c), which define FUZZ_FORMAT.
 *
 * Input: optional first line "#map:SPEC" (a column map spec, parsed with
 * toll_colmap_parse; a bad spec is simply not used), then the report data.
 * Options (strict/lenient, delimiters, an allocation to fail) come from a
 * hash of the whole input.
 *
 * Per input: load one good record, then the fuzz data into the same store,
 * and check the load's contract:
 *   - a failed load leaves the store as it was (count 1) with no rejects,
 *     and fills the error (code == status, message set);
 *   - a successful load adds n_loaded reports; in lenient mode every reject
 *     has a message; in strict mode there are none;
 *   - then reconcile, the incidents table, a summary by every key, and all
 *     four renderings run (OK or ENOMEM only);
 *   - after freeing everything no block is live.
 */
#include "fuzz_common.h"

#include <cjson/cJSON.h>
#include <csv.h>

#ifndef FUZZ_FORMAT
#error "define FUZZ_FORMAT"
#endif

static const char GOOD[] =
    "{\"incident\":\"g1\",\"source\":\"SNHR\",\"date\":\"2016-09-25\","
    "\"region\":\"Syria/Aleppo\",\"actor\":[\"Russia\"],\"killed\":92}\n";

typedef struct obuf {
    char *p;
    size_t len, cap;
} obuf;

static int obuf_write(void *ctx, const char *data, size_t len)
{
    obuf *b = ctx;
    if (b->len + len + 1 > b->cap) {
        size_t cap = (b->len + len + 1) * 2;
        char *p = realloc(b->p, cap);
        if (!p)
            return 1;
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, data, len);
    b->len += len;
    b->p[b->len] = '\0';
    return 0;
}

typedef struct csvcount {
    size_t fields, rows, ncols;
    int bad;
} csvcount;

static void csv_cb_field(void *s, size_t len, void *ctx)
{
    (void)s;
    (void)len;
    ((csvcount *)ctx)->fields++;
}

static void csv_cb_row(int c, void *ctx)
{
    csvcount *k = ctx;
    (void)c;
    if (k->fields != k->ncols)
        k->bad = 1;
    k->fields = 0;
    k->rows++;
}

/* The JSON rendering is valid JSON (an array of one object per row, plus
 * a totals row at most); every CSV row has one field per column. */
static void check_output(const toll_table *t, toll_render_format f,
                         const obuf *b)
{
    size_t nrows = toll_table_nrows(t), ncols = toll_table_ncols(t);
    if (f == TOLL_RENDER_JSON) {
        cJSON *root = cJSON_ParseWithLength(b->p, b->len);
        FUZZ_CHECK(root != NULL);
        FUZZ_CHECK(cJSON_IsArray(root));
        size_t n = (size_t)cJSON_GetArraySize(root);
        FUZZ_CHECK(n == nrows || n == nrows + 1);
        const cJSON *row;
        cJSON_ArrayForEach(row, root)
        {
            FUZZ_CHECK(cJSON_IsObject(row));
            FUZZ_CHECK((size_t)cJSON_GetArraySize(row) == ncols);
        }
        cJSON_Delete(root);
    } else if (f == TOLL_RENDER_CSV) {
        struct csv_parser p;
        csvcount k = {0, 0, ncols, 0};
        FUZZ_CHECK(csv_init(&p, CSV_STRICT | CSV_STRICT_FINI) == 0);
        FUZZ_CHECK(csv_parse(&p, b->p, b->len, csv_cb_field, csv_cb_row,
                             &k) == b->len);
        FUZZ_CHECK(csv_fini(&p, csv_cb_field, csv_cb_row, &k) == 0);
        csv_free(&p);
        FUZZ_CHECK(!k.bad);
        FUZZ_CHECK(k.rows == nrows + 1 || k.rows == nrows + 2);
    }
}

static void render_all(const toll_table *t)
{
    static const toll_render_format fmts[] = {
        TOLL_RENDER_CSV, TOLL_RENDER_JSON, TOLL_RENDER_MARKDOWN,
        TOLL_RENDER_TEXT};
    for (size_t i = 0; i < sizeof fmts / sizeof fmts[0]; i++) {
        toll_error e;
        obuf b = {NULL, 0, 0};
        toll_status st = toll_table_render(t, fmts[i], (int)(i & 1),
                                           obuf_write, &b, &e);
        FUZZ_CHECK(st == TOLL_OK || st == TOLL_ENOMEM);
        if (st)
            fuzz_check_error(&e, st);
        else if (b.p)
            check_output(t, fmts[i], &b);
        free(b.p);
    }
}

static void downstream(toll_reports *r, uint64_t h)
{
    toll_error e;
    toll_incidents *inc = NULL;
    toll_reconcile_options ro;
    toll_reconcile_options_init(&ro);
    ro.policy = (h >> 20) & 1 ? TOLL_POLICY_CONSERVATIVE : TOLL_POLICY_ENVELOPE;
    ro.self_reports = (h >> 21) & 1 ? TOLL_SELF_INCLUDE : TOLL_SELF_EXCLUDE;
    toll_status st = toll_reconcile(r, &ro, NULL, &inc, &e);
    FUZZ_CHECK(st == TOLL_OK || st == TOLL_ENOMEM);
    if (st) {
        fuzz_check_error(&e, st);
        return;
    }
    toll_table *t = NULL;
    st = toll_incidents_table(inc, NULL, &t, &e);
    FUZZ_CHECK(st == TOLL_OK || st == TOLL_ENOMEM);
    if (st == TOLL_OK) {
        FUZZ_CHECK(toll_table_nrows(t) >= toll_incidents_count(inc));
        render_all(t);
        toll_table_free(t);
        t = NULL;
    }
    static const char *const bys[] = {
        "actor,period:month", "region:1,period:year,category",
        "grade,period:quarter,actor", "region,period:day", ""};
    toll_summarize_options so;
    toll_summarize_options_init(&so);
    unsigned k = (unsigned)((h >> 22) % 5);
    so.by = bys[k];
    so.attribution = (toll_attribution)((h >> 25) % 3);
    /* Prorating splits an incident over every period it spans: a report
     * spanning the whole date window makes ~1,500 monthly rows (~46,000
     * daily ones) - correct, but slow for a fuzz iteration of the whole
     * pipeline, so only years are prorated here (fuzz_summarize prorates
     * by every unit, under max_rows). */
    so.span = k == 1 && ((h >> 27) & 1) ? TOLL_SPAN_PRORATE : TOLL_SPAN_START;
    st = toll_summarize(inc, &so, NULL, &t, &e);
    FUZZ_CHECK(st == TOLL_OK || st == TOLL_ENOMEM);
    if (st == TOLL_OK) {
        render_all(t);
        toll_table_free(t);
    }
    toll_incidents_free(inc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint64_t h = fuzz_hash(data, size);
    fuzz_alloc f;
    fuzz_alloc_init(&f);
    toll_error e;
    toll_reports *r = NULL;
    toll_colmap *map = NULL;
    const char *body = (const char *)data;
    size_t blen = size;

    if (toll_reports_new(&f.a, &r, &e) != TOLL_OK)
        abort();
    toll_load_options o;
    toll_load_options_init(&o);
    o.format = TOLL_FORMAT_JSONL;
    size_t n = 0;
    if (toll_reports_load_buffer(r, GOOD, sizeof GOOD - 1, "good.jsonl", &o,
                                 &n, &e) != TOLL_OK)
        abort();
    FUZZ_CHECK(n == 1 && toll_reports_count(r) == 1);

    /* "#map:SPEC\n" prefix */
    if (size >= 5 && memcmp(data, "#map:", 5) == 0) {
        const char *nl = memchr(data, '\n', size);
        size_t sl = nl ? (size_t)(nl - body) - 5 : size - 5;
        char *spec = malloc(sl + 1);
        memcpy(spec, body + 5, sl);
        spec[sl] = '\0';
        if (toll_colmap_new(&f.a, &map, &e) != TOLL_OK)
            abort();
        toll_status st = toll_colmap_parse(map, spec, &e);
        FUZZ_CHECK(st == TOLL_OK || st == TOLL_EINVAL);
        if (st)
            fuzz_check_error(&e, st);
        free(spec);
        body = nl ? nl + 1 : body + size;
        blen = size - (size_t)(body - (const char *)data);
    }

    toll_load_options_init(&o);
    o.format = FUZZ_FORMAT;
    o.lenient = (int)(h & 1);
    o.colmap = map;
    static const char delims[] = {',', ';', '\t', '|'};
    o.csv_delimiter = delims[(h >> 1) & 3];
    o.actor_separator = (h >> 3) & 1 ? '|' : ';';
    o.region_separator = (h >> 4) & 1 ? '>' : '/';
    o.parse.about_tolerance = ((h >> 5) & 1) ? 0.25 : 0.1;
    /* one input in eight: fail one allocation of the load */
    if (((h >> 6) & 7) == 0)
        f.fail_at = f.count + 1 + (long)((h >> 9) % 400);

    /* Copy the body so ASan sees reads past its end. */
    char *copy = malloc(blen ? blen : 1);
    memcpy(copy, body, blen);
    n = 12345;
    toll_status st =
        toll_reports_load_buffer(r, copy, blen, "fuzz", &o, &n, &e);
    free(copy);
    FUZZ_CHECK(st < TOLL_STATUS_COUNT);
    if (st != TOLL_OK) {
        fuzz_check_error(&e, st);
        FUZZ_CHECK(n == 0);
        FUZZ_CHECK(toll_reports_count(r) == 1);
        FUZZ_CHECK(toll_reports_reject_count(r) == 0);
        FUZZ_CHECK(f.fail_at || st != TOLL_ENOMEM);
    } else {
        FUZZ_CHECK(toll_reports_count(r) == 1 + n);
        size_t nrej = toll_reports_reject_count(r);
        FUZZ_CHECK(o.lenient || nrej == 0);
        for (size_t i = 0; i < nrej; i++) {
            const toll_error *re = toll_reports_reject(r, i);
            FUZZ_CHECK(re != NULL);
            FUZZ_CHECK(re->code == TOLL_EREPORT || re->code == TOLL_EPARSE);
            fuzz_check_error(re, re->code);
        }
        for (size_t i = 0; i < toll_reports_category_count(r); i++)
            FUZZ_CHECK(toll_reports_category(r, i) != NULL);
    }
    downstream(r, h);
    toll_colmap_free(map);
    toll_reports_free(r);
    FUZZ_CHECK(f.live == 0);
    return 0;
}
