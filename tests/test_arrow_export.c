/*
 * tests/test_arrow_export.c - tables as Arrow C streams
 * (toll_table_export_arrow, src/render/arrow.c): formats, values, nulls,
 * zero-copy buffers, lifetimes and allocation failures, read back with a
 * minimal consumer written here (the C Data Interface needs no library).
 */
#include "render/render.h"
#include "testutil.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- a table with a column of every type and kind ----------------------- */

enum { C_NAME, C_DAY, C_N, C_FLAG, C_X, C_COUNT, NC, NR = 4 };

/* name   day         n   flag  x     count
 * "a"    2016-09-25  7   1     1.5   3
 * null   null        0   0     NaN   NaN
 * "b"    2024-02-29  -2  1     -0.5  12
 * "a"    1969-12-31  9   0     4     0 */
static toll_status build(const toll_allocator *a, toll_table **out)
{
    static const char *const names[NC] = {"name", "day", "n", "flag", "x",
                                          "count"};
    static const toll_coltype types[NC] = {
        TOLL_COL_STRING, TOLL_COL_STRING, TOLL_COL_INT64,
        TOLL_COL_INT64,  TOLL_COL_DOUBLE, TOLL_COL_DOUBLE};
    static const toll_colkind kinds[NC] = {
        TOLL_KIND_PLAIN, TOLL_KIND_DATE,  TOLL_KIND_COUNT,
        TOLL_KIND_FLAG,  TOLL_KIND_PLAIN, TOLL_KIND_COUNT};
    static const char *const name[NR] = {"a", "", "b", "a"};
    static const char *const day[NR] = {"2016-09-25", "", "2024-02-29",
                                        "1969-12-31"};
    static const int64_t n[NR] = {7, 0, -2, 9}, flag[NR] = {1, 0, 1, 0};
    const double x[NR] = {1.5, NAN, -0.5, 4}, count[NR] = {3, NAN, 12, 0};
    toll_table *t = NULL;
    toll_status st = toll__table_new(a, NC, NR, &t);
    for (size_t j = 0; j < NC && !st; j++)
        if (!(st = toll__table_set_column(t, j, names[j], types[j])))
            st = toll__table_set_kind(t, j, kinds[j]);
    for (size_t i = 0; i < NR && !st; i++) {
        st = toll__table_put_str(t, C_NAME, i, name[i], strlen(name[i]));
        if (!st)
            st = toll__table_put_str(t, C_DAY, i, day[i], strlen(day[i]));
        if (st)
            break;
        ((int64_t *)t->cols[C_N].data)[i] = n[i];
        ((int64_t *)t->cols[C_FLAG].data)[i] = flag[i];
        ((double *)t->cols[C_X].data)[i] = x[i];
        ((double *)t->cols[C_COUNT].data)[i] = count[i];
    }
    if (st) {
        toll_table_free(t);
        return st;
    }
    *out = t;
    return TOLL_OK;
}

static toll_table *table(const toll_allocator *a)
{
    toll_table *t = NULL;
    ck_assert_int_eq(build(a, &t), TOLL_OK);
    return t;
}

/* ---- a minimal consumer ------------------------------------------------- */

static int valid(const struct ArrowArray *c, int64_t i)
{
    const uint8_t *bits = c->buffers[0];
    i += c->offset;
    return !bits || ((bits[i >> 3] >> (i & 7)) & 1);
}

static int bit(const struct ArrowArray *c, size_t b, int64_t i)
{
    const uint8_t *bits = c->buffers[b];
    i += c->offset;
    return (bits[i >> 3] >> (i & 7)) & 1;
}

/* The string of row i of a dictionary child, or NULL when null. */
static char *dict_string(const struct ArrowArray *c, int64_t i, char *buf,
                         size_t n)
{
    if (!valid(c, i))
        return NULL;
    int32_t k = ((const int32_t *)c->buffers[1])[c->offset + i];
    const struct ArrowArray *d = c->dictionary;
    ck_assert_int_lt(k, d->length);
    const int32_t *off = d->buffers[1];
    const char *data = d->buffers[2];
    int len = off[k + 1] - off[k];
    snprintf(buf, n, "%.*s", len, data + off[k]);
    return buf;
}

/* Read the stream: its schema and its one batch, then the end. */
static void consume(struct ArrowArrayStream *s, struct ArrowSchema *schema,
                    struct ArrowArray *batch)
{
    ck_assert_int_eq(s->get_schema(s, schema), 0);
    ck_assert_ptr_nonnull(schema->release);
    ck_assert_int_eq(s->get_next(s, batch), 0);
    ck_assert_ptr_nonnull(batch->release);
    struct ArrowArray end;
    memset(&end, 0xab, sizeof end);
    ck_assert_int_eq(s->get_next(s, &end), 0);
    ck_assert_ptr_null(end.release);
}

/* ---- tests -------------------------------------------------------------- */

START_TEST(test_schema_formats_names_and_dictionaries)
{
    toll_table *t = table(NULL);
    struct ArrowSchema s;
    ck_assert_int_eq(toll_table_export_arrow_schema(t, &s, NULL), TOLL_OK);
    ck_assert_str_eq(s.format, "+s");
    ck_assert_int_eq(s.n_children, NC);
    static const char *const fmt[NC] = {"i", "tdD", "l", "b", "g", "l"};
    static const char *const names[NC] = {"name", "day", "n", "flag", "x",
                                          "count"};
    for (int j = 0; j < NC; j++) {
        ck_assert_str_eq(s.children[j]->format, fmt[j]);
        ck_assert_str_eq(s.children[j]->name, names[j]);
        ck_assert(s.children[j]->flags & ARROW_FLAG_NULLABLE);
        if (j == C_NAME) {
            ck_assert_ptr_nonnull(s.children[j]->dictionary);
            ck_assert_str_eq(s.children[j]->dictionary->format, "u");
        } else {
            ck_assert_ptr_null(s.children[j]->dictionary);
        }
    }
    s.release(&s);
    ck_assert_ptr_null(s.release);
    toll_table_free(t);
}
END_TEST

START_TEST(test_stream_values_and_nulls)
{
    failing_alloc f;
    failing_alloc_init(&f, 0);
    toll_table *t = table(&f.a);
    struct ArrowArrayStream s;
    struct ArrowSchema schema;
    struct ArrowArray b;
    ck_assert_int_eq(toll_table_export_arrow(t, &s, NULL), TOLL_OK);
    consume(&s, &schema, &b);
    ck_assert_int_eq(b.length, NR);
    ck_assert_int_eq(b.n_children, NC);
    struct ArrowArray *const *c = b.children;
    char buf[32];

    ck_assert_int_eq(c[C_NAME]->null_count, 1);
    ck_assert_int_eq(c[C_NAME]->dictionary->length, 2);
    ck_assert_str_eq(dict_string(c[C_NAME], 0, buf, sizeof buf), "a");
    ck_assert_ptr_null(dict_string(c[C_NAME], 1, buf, sizeof buf));
    ck_assert_str_eq(dict_string(c[C_NAME], 2, buf, sizeof buf), "b");
    ck_assert_str_eq(dict_string(c[C_NAME], 3, buf, sizeof buf), "a");

    const int32_t *days = c[C_DAY]->buffers[1];
    ck_assert_int_eq(c[C_DAY]->null_count, 1);
    ck_assert_int_eq(days[0], toll_date_from_ymd(2016, 9, 25));
    ck_assert(!valid(c[C_DAY], 1));
    ck_assert_int_eq(days[2], toll_date_from_ymd(2024, 2, 29));
    ck_assert_int_eq(days[3], -1);

    const int64_t *n = c[C_N]->buffers[1];
    ck_assert_int_eq(c[C_N]->null_count, 0);
    ck_assert_int_eq(n[0], 7);
    ck_assert_int_eq(n[2], -2);

    ck_assert_int_eq(c[C_FLAG]->null_count, 0);
    ck_assert_int_eq(bit(c[C_FLAG], 1, 0), 1);
    ck_assert_int_eq(bit(c[C_FLAG], 1, 1), 0);
    ck_assert_int_eq(bit(c[C_FLAG], 1, 2), 1);
    ck_assert_int_eq(bit(c[C_FLAG], 1, 3), 0);

    const double *x = c[C_X]->buffers[1];
    ck_assert_int_eq(c[C_X]->null_count, 1);
    ck_assert(valid(c[C_X], 0) && x[0] == 1.5);
    ck_assert(!valid(c[C_X], 1));
    ck_assert(valid(c[C_X], 2) && x[2] == -0.5);

    const int64_t *count = c[C_COUNT]->buffers[1];
    ck_assert_int_eq(c[C_COUNT]->null_count, 1);
    ck_assert(valid(c[C_COUNT], 0) && count[0] == 3);
    ck_assert(!valid(c[C_COUNT], 1));
    ck_assert(valid(c[C_COUNT], 2) && count[2] == 12);
    ck_assert(valid(c[C_COUNT], 3) && count[3] == 0);

    b.release(&b);
    schema.release(&schema);
    s.release(&s);
    ck_assert_ptr_null(s.release);
    toll_table_free(t);
    ck_assert_int_eq(f.live, 0);
}
END_TEST

START_TEST(test_numbers_point_at_the_table_buffers)
{
    toll_table *t = table(NULL);
    struct ArrowArray b;
    ck_assert_int_eq(toll_table_export_arrow_array(t, &b, NULL), TOLL_OK);
    ck_assert_ptr_eq(b.children[C_N]->buffers[1], toll_table_int64(t, C_N));
    ck_assert_ptr_eq(b.children[C_X]->buffers[1], toll_table_double(t, C_X));
    b.release(&b);
    toll_table_free(t);
}
END_TEST

START_TEST(test_exports_outlive_the_freed_table)
{
    failing_alloc f;
    failing_alloc_init(&f, 0);
    toll_table *t = table(&f.a);
    struct ArrowArrayStream s;
    struct ArrowArray b;
    ck_assert_int_eq(toll_table_export_arrow(t, &s, NULL), TOLL_OK);
    toll_table_free(t); /* the stream keeps it */
    ck_assert_int_eq(s.get_next(&s, &b), 0);
    s.release(&s);
    /* a child moved out of the batch outlives the batch */
    struct ArrowArray n = *b.children[C_N];
    b.children[C_N]->release = NULL;
    b.release(&b);
    ck_assert_int_gt(f.live, 0);
    ck_assert_int_eq(((const int64_t *)n.buffers[1])[3], 9);
    n.release(&n);
    ck_assert_int_eq(f.live, 0);
}
END_TEST

START_TEST(test_empty_table_exports_empty_arrays)
{
    toll_table *t = NULL;
    ck_assert_int_eq(toll__table_new(NULL, 2, 0, &t), TOLL_OK);
    ck_assert_int_eq(toll__table_set_column(t, 0, "s", TOLL_COL_STRING),
                     TOLL_OK);
    ck_assert_int_eq(toll__table_set_column(t, 1, "d", TOLL_COL_DOUBLE),
                     TOLL_OK);
    struct ArrowArray b;
    ck_assert_int_eq(toll_table_export_arrow_array(t, &b, NULL), TOLL_OK);
    ck_assert_int_eq(b.length, 0);
    ck_assert_int_eq(b.children[0]->length, 0);
    ck_assert_int_eq(b.children[0]->dictionary->length, 0);
    const int32_t *offsets = b.children[0]->dictionary->buffers[1];
    ck_assert_int_eq(offsets[0], 0);
    b.release(&b);
    toll_table_free(t);
}
END_TEST

START_TEST(test_incidents_table_kinds_export)
{
    toll_reports *r = NULL;
    toll_incidents *inc = NULL;
    toll_table *t = NULL;
    ck_assert_int_eq(toll_reports_new(NULL, &r, NULL), TOLL_OK);
    ck_assert_int_eq(toll_reports_load_file(
                         r, TOLL_EXAMPLE_DATA_DIR "/seeds.jsonl", NULL, NULL,
                         NULL),
                     TOLL_OK);
    ck_assert_int_eq(toll_reconcile(r, NULL, NULL, &inc, NULL), TOLL_OK);
    ck_assert_int_eq(toll_incidents_table(inc, NULL, &t, NULL), TOLL_OK);
    toll_incidents_free(inc);
    toll_reports_free(r);
    struct ArrowSchema s;
    ck_assert_int_eq(toll_table_export_arrow_schema(t, &s, NULL), TOLL_OK);
    static const struct {
        const char *name, *format;
    } want[] = {{"incident", "i"}, {"date_start", "tdD"}, {"reports", "l"},
                {"low", "l"},      {"best", "g"},         {"open", "b"},
                {"contested", "b"}};
    for (size_t w = 0; w < sizeof want / sizeof *want; w++) {
        size_t j = toll_table_column_index(t, want[w].name);
        ck_assert_uint_lt(j, (size_t)s.n_children);
        ck_assert_str_eq(s.children[j]->format, want[w].format);
    }
    s.release(&s);
    toll_table_free(t);
}
END_TEST

START_TEST(test_repeated_names_get_a_suffix)
{
    toll_table *t = NULL;
    static const char *const names[4] = {"region", "x", "region", "region_2"};
    ck_assert_int_eq(toll__table_new(NULL, 4, 1, &t), TOLL_OK);
    for (size_t j = 0; j < 4; j++)
        ck_assert_int_eq(toll__table_set_column(t, j, names[j],
                                                TOLL_COL_INT64),
                         TOLL_OK);
    struct ArrowSchema s;
    ck_assert_int_eq(toll_table_export_arrow_schema(t, &s, NULL), TOLL_OK);
    ck_assert_str_eq(s.children[0]->name, "region");
    ck_assert_str_eq(s.children[1]->name, "x");
    ck_assert_str_eq(s.children[2]->name, "region_3"); /* region_2 is taken */
    ck_assert_str_eq(s.children[3]->name, "region_2");
    s.release(&s);
    toll_table_free(t);
}
END_TEST

START_TEST(test_null_arguments_are_errors)
{
    toll_error e;
    struct ArrowArrayStream s;
    struct ArrowArray a;
    struct ArrowSchema sc;
    ck_assert_int_eq(toll_table_export_arrow(NULL, &s, &e), TOLL_EINVAL);
    ck_assert_ptr_null(s.release);
    ck_assert_ptr_nonnull(strstr(e.message, "table is NULL"));
    ck_assert_int_eq(toll_table_export_arrow_array(NULL, &a, NULL),
                     TOLL_EINVAL);
    ck_assert_ptr_null(a.release);
    ck_assert_int_eq(toll_table_export_arrow_schema(NULL, &sc, NULL),
                     TOLL_EINVAL);
    ck_assert_ptr_null(sc.release);
    toll_table *t = table(NULL);
    ck_assert_int_eq(toll_table_export_arrow(t, NULL, &e), TOLL_EINVAL);
    toll_table_free(t);
}
END_TEST

/* Fail allocation n, n = 1, 2, ... of a whole export and read: every
 * failure is ENOMEM (a status, or an errno with a message from the
 * stream), and nothing leaks. */
START_TEST(test_allocation_failures_leak_nothing)
{
    int succeeded = 0;
    for (long n = 1; n < 400 && !succeeded; n++) {
        failing_alloc f;
        failing_alloc_init(&f, 0);
        toll_table *t = table(&f.a);
        f.fail_at = f.count + n;
        struct ArrowArrayStream s;
        toll_error e;
        toll_status st = toll_table_export_arrow(t, &s, &e);
        toll_table_free(t);
        if (st) {
            ck_assert_int_eq(st, TOLL_ENOMEM);
            ck_assert_ptr_null(s.release);
            ck_assert_int_eq(f.live, 0);
            continue;
        }
        struct ArrowSchema schema;
        struct ArrowArray b;
        int rc = s.get_schema(&s, &schema);
        if (rc) {
            ck_assert_int_eq(rc, ENOMEM);
            ck_assert_ptr_null(schema.release);
            ck_assert_ptr_nonnull(s.get_last_error(&s));
        } else {
            schema.release(&schema);
            rc = s.get_next(&s, &b);
            if (rc) {
                ck_assert_int_eq(rc, ENOMEM);
                ck_assert_ptr_null(b.release);
                ck_assert_ptr_nonnull(
                    strstr(s.get_last_error(&s), "memory"));
            } else {
                b.release(&b);
                succeeded = 1;
            }
        }
        s.release(&s);
        ck_assert_int_eq(f.live, 0);
    }
    ck_assert(succeeded);
}
END_TEST

/* A get_next that ran out of memory leaves the stream where it was: with
 * memory again, the next call hands out the batch. */
START_TEST(test_get_next_after_a_failure_gives_the_batch)
{
    long failures = 0, n;
    for (n = 1; n < 400; n++) {
        failing_alloc f;
        failing_alloc_init(&f, 0);
        toll_table *t = table(&f.a);
        struct ArrowArrayStream s;
        ck_assert_int_eq(toll_table_export_arrow(t, &s, NULL), TOLL_OK);
        toll_table_free(t);
        struct ArrowArray b;
        f.fail_at = f.count + n;
        int rc = s.get_next(&s, &b);
        f.fail_at = 0;
        if (!rc) { /* n beyond the export's allocations: done */
            b.release(&b);
            s.release(&s);
            ck_assert_int_eq(f.live, 0);
            break;
        }
        ck_assert_int_eq(rc, ENOMEM);
        failures++;
        ck_assert_int_eq(s.get_next(&s, &b), 0);
        ck_assert_ptr_nonnull(b.release);
        ck_assert_int_eq(b.n_children, NC);
        ck_assert_int_eq(((const int64_t *)b.children[C_N]->buffers[1])[3], 9);
        b.release(&b);
        s.release(&s);
        ck_assert_int_eq(f.live, 0);
    }
    ck_assert_int_lt(n, 400); /* the export succeeded in the end */
    ck_assert_int_gt(failures, 5);
}
END_TEST

START_TEST(test_kind_must_fit_the_type)
{
    toll_table *t = table(NULL);
    ck_assert_int_eq(toll__table_set_kind(t, C_NAME, TOLL_KIND_FLAG),
                     TOLL_EINVAL);
    ck_assert_int_eq(toll__table_set_kind(t, C_X, TOLL_KIND_DATE),
                     TOLL_EINVAL);
    ck_assert_int_eq(toll_table_column_kind(t, C_DAY), TOLL_KIND_DATE);
    ck_assert_int_eq(toll_table_column_kind(t, NC), TOLL_KIND_PLAIN);
    toll_table_free(t);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("arrow_export");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, test_schema_formats_names_and_dictionaries);
    tcase_add_test(tc, test_stream_values_and_nulls);
    tcase_add_test(tc, test_numbers_point_at_the_table_buffers);
    tcase_add_test(tc, test_exports_outlive_the_freed_table);
    tcase_add_test(tc, test_empty_table_exports_empty_arrays);
    tcase_add_test(tc, test_incidents_table_kinds_export);
    tcase_add_test(tc, test_repeated_names_get_a_suffix);
    tcase_add_test(tc, test_null_arguments_are_errors);
    tcase_add_test(tc, test_allocation_failures_leak_nothing);
    tcase_add_test(tc, test_get_next_after_a_failure_gives_the_batch);
    tcase_add_test(tc, test_kind_must_fit_the_type);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return toll_test_run(suite()); }
