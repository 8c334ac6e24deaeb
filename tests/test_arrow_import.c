/* tests/test_arrow_import.c - toll_reports_load_arrow: the rows of an Arrow
 * C stream load as the same records in a JSON array do (every type read,
 * nulls, dictionaries, offsets), errors name the row and field, lenient
 * loads, failed loads leave the store as it was, allocation failures. */
#include "testutil.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- hand-built streams ------------------------------------------------- */

#define MAXC 20
#define MAXB 3

typedef struct tstream {
    struct ArrowSchema top, col[MAXC], dict[MAXC];
    struct ArrowSchema *cptr[MAXC];
    struct ArrowArray batch[MAXB], arr[MAXB][MAXC], darr[MAXB][MAXC];
    struct ArrowArray *aptr[MAXB][MAXC];
    const void *bufs[MAXB][MAXC][4], *dbufs[MAXB][MAXC][4];
    const void *topbuf[1];
    int ncols, nbatches, next;
    int fail_at;     /* get_next fails at this batch (-1: never) */
    int schema_out;  /* schemas handed out and not released */
    int batches_out; /* batches handed out and not released */
} tstream;

static void ts_init(tstream *t)
{
    memset(t, 0, sizeof *t);
    t->fail_at = -1;
    t->top.format = "+s";
    t->top.name = "";
}

static int ts_col(tstream *t, const char *name, const char *format)
{
    int c = t->ncols++;
    ck_assert_int_le(t->ncols, MAXC);
    t->col[c].format = format;
    t->col[c].name = name;
    t->col[c].flags = ARROW_FLAG_NULLABLE;
    t->cptr[c] = &t->col[c];
    return c;
}

/* Column c is dictionary-encoded (its format the indices'). */
static void ts_dict(tstream *t, int c, const char *values_format)
{
    t->dict[c].format = values_format;
    t->dict[c].name = "";
    t->col[c].dictionary = &t->dict[c];
}

static int ts_batch(tstream *t, int64_t length)
{
    int b = t->nbatches++;
    ck_assert_int_le(t->nbatches, MAXB);
    t->batch[b].length = length;
    t->batch[b].n_buffers = 1;
    t->batch[b].buffers = t->topbuf;
    return b;
}

/* Column c of batch b: buffers (validity, b1, b2), nbuf of them. */
static void ts_data(tstream *t, int b, int c, int nbuf, const void *valid,
                    const void *b1, const void *b2)
{
    struct ArrowArray *a = &t->arr[b][c];
    a->length = t->batch[b].length + t->batch[b].offset;
    a->null_count = valid ? -1 : 0;
    a->n_buffers = nbuf;
    t->bufs[b][c][0] = valid;
    t->bufs[b][c][1] = b1;
    t->bufs[b][c][2] = b2;
    a->buffers = t->bufs[b][c];
    t->aptr[b][c] = a;
}

static void ts_dict_data(tstream *t, int b, int c, int64_t length, int nbuf,
                         const void *b1, const void *b2)
{
    struct ArrowArray *d = &t->darr[b][c];
    d->length = length;
    d->n_buffers = nbuf;
    t->dbufs[b][c][1] = b1;
    t->dbufs[b][c][2] = b2;
    d->buffers = t->dbufs[b][c];
    t->arr[b][c].dictionary = d;
}

static void schema_release(struct ArrowSchema *s)
{
    ((tstream *)s->private_data)->schema_out--;
    s->release = NULL;
}

static void array_release(struct ArrowArray *a)
{
    ((tstream *)a->private_data)->batches_out--;
    a->release = NULL;
}

static int get_schema(struct ArrowArrayStream *s, struct ArrowSchema *out)
{
    tstream *t = s->private_data;
    *out = t->top;
    out->n_children = t->ncols;
    out->children = t->cptr;
    out->release = schema_release;
    out->private_data = t;
    t->schema_out++;
    return 0;
}

static int get_next(struct ArrowArrayStream *s, struct ArrowArray *out)
{
    tstream *t = s->private_data;
    if (t->next == t->fail_at)
        return EIO;
    if (t->next >= t->nbatches) {
        memset(out, 0, sizeof *out);
        return 0;
    }
    int b = t->next++;
    *out = t->batch[b];
    out->n_children = t->ncols;
    out->children = t->aptr[b];
    out->release = array_release;
    out->private_data = t;
    t->batches_out++;
    return 0;
}

static const char *last_error(struct ArrowArrayStream *s)
{
    (void)s;
    return "the producer broke";
}

static void stream_release(struct ArrowArrayStream *s) { s->release = NULL; }

static struct ArrowArrayStream ts_stream(tstream *t)
{
    struct ArrowArrayStream s = {get_schema, get_next, last_error,
                                 stream_release, t};
    t->next = 0;
    return s;
}

/* ---- helpers -------------------------------------------------------------- */

static char *table_csv(const toll_reports *r)
{
    toll_table *t = NULL;
    ck_assert_int_eq(toll_reports_table(r, NULL, &t, NULL), TOLL_OK);
    char *buf = NULL;
    size_t len = 0;
    ck_assert_int_eq(toll_table_render_string(t, TOLL_RENDER_CSV, 0, &buf,
                                              &len, NULL),
                     TOLL_OK);
    char *copy = malloc(len + 1);
    ck_assert_ptr_nonnull(copy);
    memcpy(copy, buf, len + 1);
    toll_table_buffer_free(t, buf);
    toll_table_free(t);
    return copy;
}

static toll_reports *new_store(void)
{
    toll_reports *r = NULL;
    ck_assert_int_eq(toll_reports_new(NULL, &r, NULL), TOLL_OK);
    return r;
}

/* The table of `json` loaded as a JSON array named "<arrow>". */
static char *json_table(const char *json, const toll_load_options *o)
{
    toll_reports *r = new_store();
    toll_error err;
    toll_load_options opts;
    if (o)
        opts = *o;
    else
        toll_load_options_init(&opts);
    opts.format = TOLL_FORMAT_JSON;
    ck_assert_msg(toll_reports_load_buffer(r, json, strlen(json), "<arrow>",
                                           &opts, NULL, &err) == TOLL_OK,
                  "%s", err.message);
    char *csv = table_csv(r);
    toll_reports_free(r);
    return csv;
}

static toll_status load(toll_reports *r, tstream *t,
                        const toll_load_options *o, size_t *n,
                        toll_error *err)
{
    struct ArrowArrayStream s = ts_stream(t);
    toll_error_clear(err);
    toll_status st = toll_reports_load_arrow(r, &s, NULL, o, n, err);
    ck_assert_int_eq(t->schema_out, 0);
    ck_assert_int_eq(t->batches_out, 0);
    return st;
}

/* ---- every type ------------------------------------------------------------- */

/* Two rows of every type read; row 2 mostly null. */
static const int32_t SRC_OFF[] = {0, 4, 7};
static const char SRC[] = "SNHRAFP";
static const uint8_t ROW0[] = {0x01}; /* only row 1 valid */
static const int32_t KILLED[] = {92, 0};
static const uint8_t INJURED[] = {3, 200};
static const int16_t I16[] = {-7, 0};
static const int64_t BIG[] = {-9000000000LL, 0};
static const uint64_t UBIG[] = {18446744073709551615ULL, 1};
static const double LAT[] = {36.2, NAN};
static const double LON[] = {37.15, 0};
static const float SCORE[] = {2.5f, 0.1f};
static const int32_t DATE[] = {17069, 0}; /* 2016-09-25 */
static const int64_t D64[] = {17070LL * 86400000, 0};
static const int64_t TS[] = {17069LL * 86400000 + 45000000, 17069LL * 86400000};
static const uint8_t FLAG[] = {0x01}; /* true, false */
static const int64_t NOTE_OFF[] = {0, 2, 2};
static const char NOTE[] = "n1";
/* string views: one inline, one in a data buffer */
static const char REGION_DATA[] = "Syria/Aleppo/East";
static uint8_t REGION_VIEWS[32];
static const int64_t REGION_SIZES[] = {17};
static const int8_t ACTOR_IDX[] = {1, 0};
static const int32_t ACTOR_OFF[] = {0, 5, 11};
static const char ACTOR[] = "SyriaRussia";

static void type_stream(tstream *t)
{
    int32_t n = 5, len = 17, buf = 0, off = 0;
    memset(REGION_VIEWS, 0, sizeof REGION_VIEWS);
    memcpy(REGION_VIEWS, &n, 4);
    memcpy(REGION_VIEWS + 4, "Homs!", 5);
    memcpy(REGION_VIEWS + 16, &len, 4);
    memcpy(REGION_VIEWS + 20, REGION_DATA, 4);
    memcpy(REGION_VIEWS + 24, &buf, 4);
    memcpy(REGION_VIEWS + 28, &off, 4);

    ts_init(t);
    int b = ts_batch(t, 2), c;
    c = ts_col(t, "source", "u");
    ts_data(t, b, c, 3, NULL, SRC_OFF, SRC);
    c = ts_col(t, "killed", "i");
    ts_data(t, b, c, 2, ROW0, KILLED, NULL);
    c = ts_col(t, "injured", "C");
    ts_data(t, b, c, 2, NULL, INJURED, NULL);
    c = ts_col(t, "small", "s");
    ts_data(t, b, c, 2, ROW0, I16, NULL);
    c = ts_col(t, "big", "l");
    ts_data(t, b, c, 2, ROW0, BIG, NULL);
    c = ts_col(t, "ubig", "L");
    ts_data(t, b, c, 2, ROW0, UBIG, NULL);
    c = ts_col(t, "lat", "g");
    ts_data(t, b, c, 2, NULL, LAT, NULL); /* NaN: missing */
    c = ts_col(t, "lon", "g");
    ts_data(t, b, c, 2, ROW0, LON, NULL);
    c = ts_col(t, "score", "f");
    ts_data(t, b, c, 2, NULL, SCORE, NULL);
    c = ts_col(t, "date", "tdD");
    ts_data(t, b, c, 2, ROW0, DATE, NULL);
    c = ts_col(t, "d64", "tdm");
    ts_data(t, b, c, 2, ROW0, D64, NULL);
    c = ts_col(t, "ts", "tsm:");
    ts_data(t, b, c, 2, NULL, TS, NULL);
    c = ts_col(t, "flag", "b");
    ts_data(t, b, c, 2, NULL, FLAG, NULL);
    c = ts_col(t, "nothing", "n");
    ts_data(t, b, c, 0, NULL, NULL, NULL);
    c = ts_col(t, "note", "U");
    ts_data(t, b, c, 3, NULL, NOTE_OFF, NOTE);
    c = ts_col(t, "region", "vu");
    ts_data(t, b, c, 4, NULL, REGION_VIEWS, REGION_DATA);
    t->bufs[b][c][3] = REGION_SIZES;
    c = ts_col(t, "actor", "c");
    ts_dict(t, c, "u");
    ts_data(t, b, c, 2, NULL, ACTOR_IDX, NULL);
    ts_dict_data(t, b, c, 2, 3, ACTOR_OFF, ACTOR);
}

static const char *const TYPE_JSON =
    "[{\"source\":\"SNHR\",\"killed\":92,\"injured\":3,\"small\":-7,"
    "\"big\":-9000000000,\"ubig\":18446744073709551615,"
    "\"lat\":36.2,\"lon\":37.15,\"score\":2.5,\"date\":\"2016-09-25\","
    "\"d64\":\"2016-09-26\",\"ts\":\"2016-09-25T12:30:00\",\"flag\":true,"
    "\"nothing\":null,\"note\":\"n1\",\"region\":\"Homs!\","
    "\"actor\":\"Russia\"},\n"
    "{\"source\":\"AFP\",\"killed\":null,\"injured\":200,\"small\":null,"
    "\"big\":null,\"ubig\":null,\"lat\":null,\"lon\":null,\"score\":0.1,"
    "\"date\":null,\"d64\":null,\"ts\":\"2016-09-25\",\"flag\":false,"
    "\"nothing\":null,\"note\":\"\",\"region\":\"Syria/Aleppo/East\","
    "\"actor\":\"Syria\"}]";

START_TEST(every_type_should_load_as_the_same_json_records)
{
    tstream t;
    type_stream(&t);
    toll_reports *r = new_store();
    toll_error err;
    size_t n = 0;
    ck_assert_msg(load(r, &t, NULL, &n, &err) == TOLL_OK, "%s", err.message);
    ck_assert_uint_eq(n, 2);
    char *got = table_csv(r), *want = json_table(TYPE_JSON, NULL);
    ck_assert_str_eq(got, want);
    ck_assert_ptr_nonnull(strstr(got, "Syria/Aleppo/East"));
    ck_assert_ptr_nonnull(strstr(got, "2016-09-25T12:30:00"));
    free(got);
    free(want);
    toll_reports_free(r);
}
END_TEST

/* Slices: a batch with an offset, columns with offsets of their own. */
START_TEST(sliced_arrays_should_read_from_their_offsets)
{
    static const int32_t off[] = {0, 1, 2, 3};
    static const char src[] = "abc";
    static const int64_t killed[] = {0, 1, 2, 3};
    tstream t;
    ts_init(&t);
    int b = ts_batch(&t, 2);
    t.batch[b].offset = 1; /* rows 1 and 2 of the columns below */
    int c = ts_col(&t, "source", "u");
    ts_data(&t, b, c, 3, NULL, off, src);
    c = ts_col(&t, "killed", "l");
    ts_data(&t, b, c, 2, NULL, killed, NULL);
    t.arr[b][c].offset = 1; /* and one more in this column */
    t.arr[b][c].length = 4;
    toll_reports *r = new_store();
    toll_error err;
    ck_assert_msg(load(r, &t, NULL, NULL, &err) == TOLL_OK, "%s",
                  err.message);
    char *got = table_csv(r),
         *want = json_table("[{\"source\":\"b\",\"killed\":2},\n"
                            "{\"source\":\"c\",\"killed\":3}]",
                            NULL);
    ck_assert_str_eq(got, want);
    free(got);
    free(want);
    toll_reports_free(r);
}
END_TEST

/* ---- the rules of records ------------------------------------------------- */

static const int32_t AB_OFF[] = {0, 1, 2, 3};
static const char AB[] = "abc";

/* source a, b, c; killed given as texts */
static void text_stream(tstream *t, const int32_t *koff, const char *k)
{
    ts_init(t);
    int b = ts_batch(t, 3);
    int c = ts_col(t, "source", "u");
    ts_data(t, b, c, 3, NULL, AB_OFF, AB);
    c = ts_col(t, "killed", "u");
    ts_data(t, b, c, 3, NULL, koff, k);
}

static const int32_t BAD_OFF[] = {0, 1, 11, 12};
static const char BAD[] = "5at leest 57";

START_TEST(strict_errors_should_name_the_row_field_and_text)
{
    tstream t;
    text_stream(&t, BAD_OFF, BAD);
    toll_reports *r = new_store();
    toll_error err;
    size_t n = 9;
    ck_assert_int_eq(load(r, &t, NULL, &n, &err), TOLL_EPARSE);
    ck_assert_uint_eq(n, 0);
    ck_assert_str_eq(err.file, "<arrow>");
    ck_assert_int_eq(err.line, 2);
    ck_assert_int_eq(err.record, 1);
    ck_assert_str_eq(err.field, "killed");
    ck_assert_str_eq(err.text, "at leest 5");
    ck_assert_uint_eq(toll_reports_count(r), 0);
    toll_reports_free(r);
}
END_TEST

START_TEST(lenient_loads_should_reject_rows_and_keep_the_rest)
{
    tstream t;
    text_stream(&t, BAD_OFF, BAD);
    toll_load_options o;
    toll_load_options_init(&o);
    o.lenient = 1;
    toll_reports *r = new_store();
    toll_error err;
    size_t n = 0;
    ck_assert_int_eq(load(r, &t, &o, &n, &err), TOLL_OK);
    ck_assert_uint_eq(n, 2);
    ck_assert_uint_eq(toll_reports_reject_count(r), 1);
    ck_assert_int_eq(toll_reports_reject(r, 0)->record, 1);
    ck_assert_str_eq(toll_reports_reject(r, 0)->field, "killed");
    toll_reports_free(r);
}
END_TEST

START_TEST(a_failed_load_should_leave_the_store_as_it_was)
{
    static const int32_t ok_off[] = {0, 1, 2, 3};
    tstream good, bad;
    text_stream(&good, ok_off, "123");
    text_stream(&bad, BAD_OFF, BAD);
    toll_reports *r = new_store();
    toll_error err;
    ck_assert_int_eq(load(r, &good, NULL, NULL, &err), TOLL_OK);
    char *before = table_csv(r);
    ck_assert_int_eq(load(r, &bad, NULL, NULL, &err), TOLL_EPARSE);
    text_stream(&bad, ok_off, "123"); /* and a producer failing */
    bad.fail_at = 0;
    ck_assert_int_eq(load(r, &bad, NULL, NULL, &err), TOLL_EIO);
    char *after = table_csv(r);
    ck_assert_str_eq(before, after);
    ck_assert_uint_eq(toll_reports_count(r), 3);
    free(before);
    free(after);
    toll_reports_free(r);
}
END_TEST

START_TEST(producer_errors_should_give_eio_with_its_message)
{
    static const int32_t ok_off[] = {0, 1, 2, 3};
    tstream t;
    text_stream(&t, ok_off, "123");
    t.fail_at = 1; /* after the first batch */
    toll_reports *r = new_store();
    toll_error err;
    ck_assert_int_eq(load(r, &t, NULL, NULL, &err), TOLL_EIO);
    ck_assert_ptr_nonnull(strstr(err.message, "the producer broke"));
    ck_assert_uint_eq(toll_reports_count(r), 0);
    toll_reports_free(r);
}
END_TEST

START_TEST(rows_should_be_numbered_across_batches)
{
    static const int32_t off[] = {0, 1, 2};
    static const int32_t koff[] = {0, 1, 2};
    tstream t;
    ts_init(&t);
    int c0 = ts_col(&t, "source", "u"), c1 = ts_col(&t, "killed", "u");
    int b = ts_batch(&t, 2);
    ts_data(&t, b, c0, 3, NULL, off, "ab");
    ts_data(&t, b, c1, 3, NULL, koff, "12");
    b = ts_batch(&t, 2);
    ts_data(&t, b, c0, 3, NULL, off, "cd");
    ts_data(&t, b, c1, 3, NULL, koff, "3x");
    toll_reports *r = new_store();
    toll_error err;
    ck_assert_int_eq(load(r, &t, NULL, NULL, &err), TOLL_EPARSE);
    ck_assert_int_eq(err.record, 3);
    ck_assert_int_eq(err.line, 4);
    ck_assert_str_eq(err.field, "killed");
    toll_reports_free(r);
}
END_TEST

START_TEST(invalid_utf8_should_reject_the_row_naming_the_field)
{
    static const int32_t koff[] = {0, 1, 3, 4};
    tstream t;
    text_stream(&t, koff, "1\xff\xfe" "3");
    toll_reports *r = new_store();
    toll_error err;
    ck_assert_int_eq(load(r, &t, NULL, NULL, &err), TOLL_EPARSE);
    ck_assert_int_eq(err.record, 1);
    ck_assert_str_eq(err.field, "killed");
    ck_assert_ptr_nonnull(strstr(err.message, "invalid UTF-8"));
    toll_reports_free(r);
}
END_TEST

START_TEST(a_dictionary_index_outside_should_name_the_row)
{
    static const int8_t idx[] = {0, 5, 0};
    static const int32_t voff[] = {0, 1};
    tstream t;
    ts_init(&t);
    int b = ts_batch(&t, 3);
    int c = ts_col(&t, "source", "c");
    ts_dict(&t, c, "u");
    ts_data(&t, b, c, 2, NULL, idx, NULL);
    ts_dict_data(&t, b, c, 1, 3, voff, "a");
    toll_reports *r = new_store();
    toll_error err;
    ck_assert_int_eq(load(r, &t, NULL, NULL, &err), TOLL_EPARSE);
    ck_assert_int_eq(err.record, 1);
    ck_assert_str_eq(err.field, "source");
    ck_assert_ptr_nonnull(strstr(err.message, "dictionary index 5"));
    toll_reports_free(r);
}
END_TEST

START_TEST(infinite_counts_should_be_refused_and_nan_unknown)
{
    static const double k[] = {3, NAN, INFINITY};
    tstream t;
    ts_init(&t);
    int b = ts_batch(&t, 3);
    int c = ts_col(&t, "source", "u");
    ts_data(&t, b, c, 3, NULL, AB_OFF, AB);
    c = ts_col(&t, "killed", "g");
    ts_data(&t, b, c, 2, NULL, k, NULL);
    toll_reports *r = new_store();
    toll_error err;
    ck_assert_int_eq(load(r, &t, NULL, NULL, &err), TOLL_EPARSE);
    ck_assert_int_eq(err.record, 2);
    ck_assert_str_eq(err.field, "killed");
    ck_assert_str_eq(err.text, "inf");
    t.batch[b].length = 2; /* without the infinity */
    ck_assert_int_eq(load(r, &t, NULL, NULL, &err), TOLL_OK);
    char *got = table_csv(r),
         *want = json_table("[{\"source\":\"a\",\"killed\":3},\n"
                            "{\"source\":\"b\",\"killed\":null}]",
                            NULL);
    ck_assert_str_eq(got, want);
    free(got);
    free(want);
    toll_reports_free(r);
}
END_TEST

START_TEST(an_integer_year_mapped_to_date_should_read_as_a_year)
{
    static const int64_t year[] = {2014, 2015};
    tstream t;
    ts_init(&t);
    int b = ts_batch(&t, 2);
    int c = ts_col(&t, "source", "u");
    ts_data(&t, b, c, 3, NULL, AB_OFF, AB);
    c = ts_col(&t, "year", "l");
    ts_data(&t, b, c, 2, NULL, year, NULL);
    toll_load_options o;
    toll_load_options_init(&o);
    toll_colmap *map = NULL;
    ck_assert_int_eq(toll_colmap_new(NULL, &map, NULL), TOLL_OK);
    ck_assert_int_eq(toll_colmap_parse(map, "date=year", NULL), TOLL_OK);
    o.colmap = map;
    toll_reports *r = new_store();
    toll_error err;
    ck_assert_msg(load(r, &t, &o, NULL, &err) == TOLL_OK, "%s", err.message);
    char *got = table_csv(r),
         *want = json_table("[{\"source\":\"a\",\"year\":\"2014\"},\n"
                            "{\"source\":\"b\",\"year\":\"2015\"}]",
                            &o);
    ck_assert_str_eq(got, want);
    ck_assert_ptr_nonnull(strstr(got, "2014-01-01,2014-12-31"));
    free(got);
    free(want);
    toll_reports_free(r);
    toll_colmap_free(map);
}
END_TEST

START_TEST(a_map_column_missing_from_the_schema_should_fail_the_load)
{
    tstream t;
    text_stream(&t, BAD_OFF, BAD);
    toll_load_options o;
    toll_load_options_init(&o);
    toll_colmap *map = NULL;
    ck_assert_int_eq(toll_colmap_new(NULL, &map, NULL), TOLL_OK);
    ck_assert_int_eq(toll_colmap_parse(map, "killed=deaths", NULL), TOLL_OK);
    o.colmap = map;
    toll_reports *r = new_store();
    toll_error err;
    ck_assert_int_eq(load(r, &t, &o, NULL, &err), TOLL_EREPORT);
    ck_assert_ptr_nonnull(strstr(err.message, "'deaths'"));
    ck_assert_int_eq(err.record, -1);
    toll_reports_free(r);
    toll_colmap_free(map);
}
END_TEST

START_TEST(unreadable_types_should_be_refused_naming_column_and_format)
{
    static const int32_t off[] = {0, 1, 2, 3};
    const char *const names[] = {"killed", "blob"};
    const char *const needles[] = {"toll cannot read", "no text to keep"};
    for (int k = 0; k < 2; k++) {
        tstream t;
        ts_init(&t);
        int b = ts_batch(&t, 3);
        int c = ts_col(&t, "source", "u");
        ts_data(&t, b, c, 3, NULL, AB_OFF, AB);
        c = ts_col(&t, names[k], "z"); /* binary */
        ts_data(&t, b, c, 3, NULL, off, "xyz");
        toll_reports *r = new_store();
        toll_error err;
        ck_assert_int_eq(load(r, &t, NULL, NULL, &err), TOLL_EINVAL);
        ck_assert_str_eq(err.field, names[k]);
        ck_assert_str_eq(err.text, "z");
        ck_assert_msg(strstr(err.message, needles[k]) != NULL, "%s",
                      err.message);
        ck_assert_uint_eq(toll_reports_count(r), 0);
        toll_reports_free(r);
    }
}
END_TEST

START_TEST(a_batch_not_matching_the_schema_should_fail_the_load)
{
    tstream t;
    text_stream(&t, BAD_OFF, BAD);
    t.arr[0][1].n_buffers = 1; /* a utf8 column without its offsets */
    toll_reports *r = new_store();
    toll_error err;
    ck_assert_int_eq(load(r, &t, NULL, NULL, &err), TOLL_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.message, "column 'killed'"));
    toll_reports_free(r);
}
END_TEST

START_TEST(loads_should_survive_every_allocation_failure)
{
    char *want = json_table(TYPE_JSON, NULL);
    for (long k = 1; k < 5000; k++) {
        failing_alloc fa;
        failing_alloc_init(&fa, k);
        toll_reports *r = NULL;
        toll_status st = toll_reports_new(&fa.a, &r, NULL);
        if (st == TOLL_OK) {
            tstream t;
            type_stream(&t);
            toll_error err;
            st = load(r, &t, NULL, NULL, &err);
            ck_assert(st == TOLL_OK || st == TOLL_ENOMEM);
            if (st == TOLL_ENOMEM) {
                ck_assert_uint_eq(toll_reports_count(r), 0);
            } else {
                fa.fail_at = 0;
                char *got = table_csv(r);
                ck_assert_str_eq(got, want);
                free(got);
            }
            toll_reports_free(r);
        }
        ck_assert_int_eq(fa.live, 0);
        if (st == TOLL_OK)
            break;
    }
    free(want);
}
END_TEST

static Suite *arrow_suite(void)
{
    Suite *s = suite_create("arrow_import");
    TCase *tc = tcase_create("load");
    tcase_add_test(tc, every_type_should_load_as_the_same_json_records);
    tcase_add_test(tc, sliced_arrays_should_read_from_their_offsets);
    tcase_add_test(tc, strict_errors_should_name_the_row_field_and_text);
    tcase_add_test(tc, lenient_loads_should_reject_rows_and_keep_the_rest);
    tcase_add_test(tc, a_failed_load_should_leave_the_store_as_it_was);
    tcase_add_test(tc, producer_errors_should_give_eio_with_its_message);
    tcase_add_test(tc, rows_should_be_numbered_across_batches);
    tcase_add_test(tc, invalid_utf8_should_reject_the_row_naming_the_field);
    tcase_add_test(tc, a_dictionary_index_outside_should_name_the_row);
    tcase_add_test(tc, infinite_counts_should_be_refused_and_nan_unknown);
    tcase_add_test(tc, an_integer_year_mapped_to_date_should_read_as_a_year);
    tcase_add_test(tc,
                   a_map_column_missing_from_the_schema_should_fail_the_load);
    tcase_add_test(tc,
                   unreadable_types_should_be_refused_naming_column_and_format);
    tcase_add_test(tc, a_batch_not_matching_the_schema_should_fail_the_load);
    tcase_add_test(tc, loads_should_survive_every_allocation_failure);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return toll_test_run(arrow_suite()); }
