/* tests/test_table.c - result tables: builder, accessors, rendering. */
#include "store/store.h"
#include "reconcile/reconcile.h"
#include "render/render.h"
#include "testutil.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- helpers ------------------------------------------------------------- */

static toll_table *new_table(const toll_allocator *a, size_t ncols,
                             size_t nrows)
{
    toll_table *t = NULL;
    ck_assert_int_eq(toll__table_new(a, ncols, nrows, &t), TOLL_OK);
    ck_assert_ptr_nonnull(t);
    return t;
}

static void set_str(toll_table *t, size_t j, size_t i, const char *s)
{
    uint32_t code;
    ck_assert_int_eq(toll__table_dict_add(t, j, s, strlen(s), &code), TOLL_OK);
    ((uint32_t *)t->cols[j].data)[i] = code;
}

/* A summary table: actor | incidents reports low best high open denied
 * contested, with three rows. */
static toll_status build_summary(const toll_allocator *a, toll_table **out)
{
    static const char *const names[] = {"actor", "incidents", "reports",
                                        "low", "best", "high", "open",
                                        "denied", "contested"};
    static const char *const actors[] = {"Russia", "Syria", "Türkiye"};
    static const double low[] = {1098, 5, 0}, high[] = {1450, 5, 2.5},
                        best[] = {1200, 5, 7.5};
    toll_table *t = NULL;
    toll_status st = toll__table_new(a, 9, 3, &t);
    if (st)
        return st;
    for (size_t j = 0; j < 9 && !st; j++)
        st = toll__table_set_column(
            t, j, names[j],
            j == 0 ? TOLL_COL_STRING
                   : (j >= 3 && j <= 5) ? TOLL_COL_DOUBLE : TOLL_COL_INT64);
    for (size_t i = 0; i < 3 && !st; i++) {
        uint32_t code;
        st = toll__table_dict_add(t, 0, actors[i], strlen(actors[i]), &code);
        if (st)
            break;
        ((uint32_t *)t->cols[0].data)[i] = code;
        ((int64_t *)t->cols[1].data)[i] = (int64_t)(1000 * i + 12);
        ((int64_t *)t->cols[2].data)[i] = (int64_t)(2 * i + 3);
        ((double *)t->cols[3].data)[i] = low[i];
        ((double *)t->cols[4].data)[i] = best[i];
        ((double *)t->cols[5].data)[i] = high[i];
        ((int64_t *)t->cols[6].data)[i] = (int64_t)i;
        ((int64_t *)t->cols[7].data)[i] = 1;
        ((int64_t *)t->cols[8].data)[i] = 0;
    }
    if (!st)
        st = toll__table_set_caption(t, "killed; policy envelope");
    if (st) {
        toll_table_free(t);
        return st;
    }
    t->nkeys = 1;
    t->is_summary = 1;
    *out = t;
    return TOLL_OK;
}

static char *render(const toll_table *t, toll_render_format f, int totals)
{
    char *buf = NULL;
    size_t len = 0;
    toll_error err;
    toll_status st = toll_table_render_string(t, f, totals, &buf, &len, &err);
    ck_assert_msg(st == TOLL_OK, "render failed: %s", err.message);
    ck_assert_uint_eq(len, strlen(buf));
    return buf;
}

/* The n-th line (0-based) of text, copied into a static buffer. */
static const char *line_of(const char *text, int n)
{
    static char buf[1024];
    const char *p = text;
    for (int i = 0; i < n && p; i++) {
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    if (!p)
        return "";
    size_t len = strcspn(p, "\n");
    if (len >= sizeof buf)
        len = sizeof buf - 1;
    memcpy(buf, p, len);
    buf[len] = '\0';
    return buf;
}

static size_t utf8_len(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}

/* ---- builder and accessors -------------------------------------------- */

START_TEST(table_new_should_make_columns_of_the_given_types)
{
    toll_table *t = new_table(NULL, 3, 2);
    ck_assert_int_eq(toll__table_set_column(t, 0, "name", TOLL_COL_STRING),
                     TOLL_OK);
    ck_assert_int_eq(toll__table_set_column(t, 1, "n", TOLL_COL_INT64),
                     TOLL_OK);
    ck_assert_int_eq(toll__table_set_column(t, 2, "x", TOLL_COL_DOUBLE),
                     TOLL_OK);
    ck_assert_uint_eq(toll_table_nrows(t), 2);
    ck_assert_uint_eq(toll_table_ncols(t), 3);
    ck_assert_str_eq(toll_table_column_name(t, 1), "n");
    ck_assert_int_eq(toll_table_column_type(t, 0), TOLL_COL_STRING);
    ck_assert_int_eq(toll_table_column_type(t, 1), TOLL_COL_INT64);
    ck_assert_int_eq(toll_table_column_type(t, 2), TOLL_COL_DOUBLE);
    ck_assert_int_eq(toll_table_int64(t, 1)[1], 0);
    ck_assert(toll_table_double(t, 2)[0] == 0.0);
    /* Unfilled string cells are missing. */
    ck_assert_uint_eq(toll_table_codes(t, 0)[0], TOLL_NULL_CODE);
    ck_assert_ptr_null(toll_table_string(t, 0, 0));
    ck_assert_int_eq(toll_table_additive(t), 1);
    ck_assert_uint_eq(toll_table_nkeys(t), 0);
    ck_assert_str_eq(toll_table_caption(t), "");
    toll_table_free(t);
}
END_TEST

START_TEST(table_set_column_should_reject_bad_index_and_type)
{
    toll_table *t = new_table(NULL, 1, 1);
    ck_assert_int_eq(toll__table_set_column(t, 1, "x", TOLL_COL_INT64),
                     TOLL_EINVAL);
    ck_assert_int_eq(toll__table_set_column(t, 0, "x", (toll_coltype)7),
                     TOLL_EINVAL);
    ck_assert_int_eq(toll__table_set_column(t, 0, NULL, TOLL_COL_INT64),
                     TOLL_EINVAL);
    /* Setting a column twice replaces it. */
    ck_assert_int_eq(toll__table_set_column(t, 0, "a", TOLL_COL_STRING),
                     TOLL_OK);
    set_str(t, 0, 0, "v");
    ck_assert_int_eq(toll__table_set_column(t, 0, "b", TOLL_COL_DOUBLE),
                     TOLL_OK);
    ck_assert_str_eq(toll_table_column_name(t, 0), "b");
    ck_assert_ptr_nonnull(toll_table_double(t, 0));
    toll_table_free(t);
}
END_TEST

START_TEST(table_dict_add_should_return_one_code_per_distinct_string)
{
    toll_table *t = new_table(NULL, 2, 0);
    ck_assert_int_eq(toll__table_set_column(t, 0, "s", TOLL_COL_STRING),
                     TOLL_OK);
    ck_assert_int_eq(toll__table_set_column(t, 1, "n", TOLL_COL_INT64),
                     TOLL_OK);
    uint32_t a, b, c, d, e;
    ck_assert_int_eq(toll__table_dict_add(t, 0, "Idlib", 5, &a), TOLL_OK);
    ck_assert_int_eq(toll__table_dict_add(t, 0, "Aleppo", 6, &b), TOLL_OK);
    ck_assert_int_eq(toll__table_dict_add(t, 0, "Idlibx", 5, &c), TOLL_OK);
    ck_assert_int_eq(toll__table_dict_add(t, 0, "Idl", 3, &d), TOLL_OK);
    ck_assert_int_eq(toll__table_dict_add(t, 0, "", 0, &e), TOLL_OK);
    ck_assert_uint_eq(a, 0);
    ck_assert_uint_eq(b, 1);
    ck_assert_uint_eq(c, a); /* only 5 bytes taken */
    ck_assert_uint_eq(d, 2);
    ck_assert_uint_eq(e, 3);
    size_t n;
    const char *const *dict = toll_table_dict(t, 0, &n);
    ck_assert_uint_eq(n, 4);
    ck_assert_str_eq(dict[0], "Idlib");
    ck_assert_str_eq(dict[2], "Idl");
    ck_assert_str_eq(dict[3], "");
    /* Not a string column. */
    ck_assert_int_eq(toll__table_dict_add(t, 1, "x", 1, &a), TOLL_EINVAL);
    ck_assert_ptr_null(toll_table_dict(t, 1, &n));
    ck_assert_uint_eq(n, 0);
    toll_table_free(t);
}
END_TEST

START_TEST(table_dict_add_should_dedupe_a_hundred_thousand_values)
{
    enum { N = 100000 };
    toll_table *t = new_table(NULL, 1, 0);
    ck_assert_int_eq(toll__table_set_column(t, 0, "s", TOLL_COL_STRING),
                     TOLL_OK);
    char buf[32];
    for (int round = 0; round < 2; round++)
        for (uint32_t i = 0; i < N; i++) {
            int len = snprintf(buf, sizeof buf, "value-%u", i);
            uint32_t code;
            ck_assert_int_eq(
                toll__table_dict_add(t, 0, buf, (size_t)len, &code), TOLL_OK);
            if (code != i)
                ck_abort_msg("value %u got code %u", i, code);
        }
    size_t n;
    const char *const *dict = toll_table_dict(t, 0, &n);
    ck_assert_uint_eq(n, N);
    ck_assert_str_eq(dict[N - 1], "value-99999");
    toll_table_free(t);
}
END_TEST

START_TEST(table_accessors_should_return_null_for_wrong_type_or_range)
{
    toll_table *t = NULL;
    ck_assert_int_eq(build_summary(NULL, &t), TOLL_OK);
    ck_assert_ptr_null(toll_table_int64(t, 0));
    ck_assert_ptr_null(toll_table_double(t, 1));
    ck_assert_ptr_null(toll_table_codes(t, 1));
    ck_assert_ptr_null(toll_table_int64(t, 99));
    ck_assert_ptr_null(toll_table_column_name(t, 99));
    ck_assert_ptr_null(toll_table_string(t, 1, 0));
    ck_assert_ptr_null(toll_table_string(t, 0, 3));
    ck_assert_ptr_nonnull(toll_table_int64(t, 1));
    ck_assert_str_eq(toll_table_string(t, 0, 2), "Türkiye");
    ck_assert_uint_eq(toll_table_column_index(t, "high"), 5);
    ck_assert_uint_eq(toll_table_column_index(t, "nope"), TOLL_NPOS);
    ck_assert_uint_eq(toll_table_column_index(NULL, "high"), TOLL_NPOS);
    ck_assert_uint_eq(toll_table_nkeys(t), 1);
    ck_assert_str_eq(toll_table_caption(t), "killed; policy envelope");
    ck_assert_uint_eq(toll_table_nrows(NULL), 0);
    toll_table_free(t);
}
END_TEST

START_TEST(table_free_should_accept_null)
{
    toll_table_free(NULL);
}
END_TEST

START_TEST(render_format_parse_should_accept_names_in_any_case)
{
    toll_render_format f;
    ck_assert_int_eq(toll_render_format_parse("csv", &f, NULL), TOLL_OK);
    ck_assert_int_eq(f, TOLL_RENDER_CSV);
    ck_assert_int_eq(toll_render_format_parse("JSON", &f, NULL), TOLL_OK);
    ck_assert_int_eq(f, TOLL_RENDER_JSON);
    ck_assert_int_eq(toll_render_format_parse("md", &f, NULL), TOLL_OK);
    ck_assert_int_eq(f, TOLL_RENDER_MARKDOWN);
    ck_assert_int_eq(toll_render_format_parse("Markdown", &f, NULL), TOLL_OK);
    ck_assert_int_eq(f, TOLL_RENDER_MARKDOWN);
    ck_assert_int_eq(toll_render_format_parse("text", &f, NULL), TOLL_OK);
    ck_assert_int_eq(f, TOLL_RENDER_TEXT);
}
END_TEST

START_TEST(render_format_parse_should_reject_unknown_names)
{
    toll_render_format f = TOLL_RENDER_JSON;
    ck_assert_int_eq(toll_render_format_parse("xml", &f, NULL), TOLL_EINVAL);
    ck_assert_int_eq(toll_render_format_parse("", &f, NULL), TOLL_EINVAL);
    ck_assert_int_eq(toll_render_format_parse("csvx", &f, NULL), TOLL_EINVAL);
    ck_assert_int_eq(toll_render_format_parse(NULL, &f, NULL), TOLL_EINVAL);
    ck_assert_int_eq(f, TOLL_RENDER_JSON);
}
END_TEST

START_TEST(render_format_parse_should_name_the_text_and_the_formats)
{
    toll_render_format f;
    toll_error err;
    toll_error_clear(&err);
    ck_assert_int_eq(toll_render_format_parse("xml", &f, &err), TOLL_EINVAL);
    ck_assert_int_eq(err.code, TOLL_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.message, "\"xml\""));
    ck_assert_ptr_nonnull(strstr(err.message, "csv, json, md"));
    ck_assert_ptr_nonnull(strstr(err.message, "text"));
}
END_TEST

/* ---- CSV --------------------------------------------------------------- */

/* A listing: s (string), n (int64), x (double); 4 rows. */
static toll_table *listing(void)
{
    toll_table *t = new_table(NULL, 3, 4);
    ck_assert_int_eq(toll__table_set_column(t, 0, "s", TOLL_COL_STRING),
                     TOLL_OK);
    ck_assert_int_eq(toll__table_set_column(t, 1, "n", TOLL_COL_INT64),
                     TOLL_OK);
    ck_assert_int_eq(toll__table_set_column(t, 2, "x", TOLL_COL_DOUBLE),
                     TOLL_OK);
    set_str(t, 0, 0, "plain");
    set_str(t, 0, 1, "a,b \"q\"");
    set_str(t, 0, 2, "line\nbreak");
    /* row 3: missing string */
    int64_t *n = t->cols[1].data;
    double *x = t->cols[2].data;
    n[0] = 1;
    n[1] = -20;
    n[2] = 300;
    n[3] = 4000;
    x[0] = 1450;
    x[1] = 100.0 / 3;
    x[2] = NAN;
    x[3] = 0.5;
    return t;
}

START_TEST(cell_text_should_format_as_the_text_renderer)
{
    toll_table *t = listing();
    char buf[64];
    static const char *const want[3][4] = {
        {"plain", "a,b \"q\"", "line\nbreak", ""},
        {"1", "-20", "300", "4,000"},
        {"1,450", "33.3", "", "0.5"}};
    for (size_t j = 0; j < 3; j++)
        for (size_t i = 0; i < 4; i++) {
            size_t n = toll_table_cell_text(t, j, i, buf, sizeof buf);
            ck_assert_str_eq(buf, want[j][i]);
            ck_assert_uint_eq(n, strlen(want[j][i]));
        }
    /* truncated to the buffer, the whole length returned */
    ck_assert_uint_eq(toll_table_cell_text(t, 1, 3, buf, 3), 5);
    ck_assert_str_eq(buf, "4,");
    ck_assert_uint_eq(toll_table_cell_text(t, 0, 0, NULL, 0), 5);
    ck_assert_uint_eq(toll_table_cell_text(t, 9, 0, buf, sizeof buf), 0);
    ck_assert_str_eq(buf, "");
    toll_table_free(t);
}
END_TEST

START_TEST(csv_should_quote_fields_with_commas_quotes_and_newlines)
{
    toll_table *t = listing();
    char *s = render(t, TOLL_RENDER_CSV, 0);
    ck_assert_str_eq(s, "s,n,x\n"
                        "plain,1,1450\n"
                        "\"a,b \"\"q\"\"\",-20,33.33\n"
                        "\"line\nbreak\",300,\n"
                        ",4000,0.5\n");
    toll_table_buffer_free(t, s);
    toll_table_free(t);
}
END_TEST

START_TEST(csv_should_print_doubles_integral_or_with_two_decimals)
{
    toll_table *t = new_table(NULL, 1, 6);
    ck_assert_int_eq(toll__table_set_column(t, 0, "x", TOLL_COL_DOUBLE),
                     TOLL_OK);
    double *x = t->cols[0].data;
    x[0] = 7.5;
    x[1] = 2.0 / 3;
    x[2] = -0.001;
    x[3] = 1e6;
    x[4] = 0.999;
    x[5] = -12.25;
    char *s = render(t, TOLL_RENDER_CSV, 0);
    ck_assert_str_eq(s, "x\n7.5\n0.67\n0\n1000000\n1\n-12.25\n");
    toll_table_buffer_free(t, s);
    toll_table_free(t);
}
END_TEST

START_TEST(csv_totals_should_add_a_total_row_summing_measures)
{
    toll_table *t = NULL;
    ck_assert_int_eq(build_summary(NULL, &t), TOLL_OK);
    char *s = render(t, TOLL_RENDER_CSV, 1);
    ck_assert_str_eq(line_of(s, 0),
                     "actor,incidents,reports,low,best,high,open,denied,"
                     "contested");
    ck_assert_str_eq(line_of(s, 1), "Russia,12,3,1098,1200,1450,0,1,0");
    ck_assert_str_eq(line_of(s, 3), "Türkiye,2012,7,0,7.5,2.5,2,1,0");
    ck_assert_str_eq(line_of(s, 4), "Total,3036,15,1103,1212.5,1457.5,3,3,0");
    ck_assert_str_eq(line_of(s, 5), "");
    toll_table_buffer_free(t, s);
    /* Without totals: no Total row. */
    s = render(t, TOLL_RENDER_CSV, 0);
    ck_assert_ptr_null(strstr(s, "Total"));
    toll_table_buffer_free(t, s);
    toll_table_free(t);
}
END_TEST

START_TEST(csv_totals_should_leave_other_key_columns_empty)
{
    toll_table *t = new_table(NULL, 3, 2);
    ck_assert_int_eq(toll__table_set_column(t, 0, "actor", TOLL_COL_STRING),
                     TOLL_OK);
    ck_assert_int_eq(toll__table_set_column(t, 1, "period", TOLL_COL_STRING),
                     TOLL_OK);
    ck_assert_int_eq(toll__table_set_column(t, 2, "low", TOLL_COL_DOUBLE),
                     TOLL_OK);
    set_str(t, 0, 0, "A");
    set_str(t, 0, 1, "B");
    set_str(t, 1, 0, "2016-09");
    set_str(t, 1, 1, "2016-10");
    ((double *)t->cols[2].data)[0] = 1;
    ((double *)t->cols[2].data)[1] = NAN;
    t->nkeys = 2;
    t->is_summary = 1;
    char *s = render(t, TOLL_RENDER_CSV, 1);
    ck_assert_str_eq(line_of(s, 3), "Total,,1");
    toll_table_buffer_free(t, s);
    toll_table_free(t);
}
END_TEST

/* ---- JSON -------------------------------------------------------------- */

START_TEST(json_should_write_an_array_of_row_objects)
{
    toll_table *t = listing();
    char *s = render(t, TOLL_RENDER_JSON, 0);
    ck_assert_str_eq(s, "[\n"
                        "  {\"s\": \"plain\", \"n\": 1, \"x\": 1450},\n"
                        "  {\"s\": \"a,b \\\"q\\\"\", \"n\": -20, \"x\": 33.33},\n"
                        "  {\"s\": \"line\\nbreak\", \"n\": 300, \"x\": null},\n"
                        "  {\"s\": null, \"n\": 4000, \"x\": 0.5}\n"
                        "]\n");
    toll_table_buffer_free(t, s);
    toll_table_free(t);
}
END_TEST

START_TEST(json_should_escape_control_characters_and_keep_utf8)
{
    toll_table *t = new_table(NULL, 1, 1);
    ck_assert_int_eq(toll__table_set_column(t, 0, "k\"ey", TOLL_COL_STRING),
                     TOLL_OK);
    set_str(t, 0, 0, "a\\b\t\x01\r Türkiye \xE2\x80\x93 \xFF");
    char *s = render(t, TOLL_RENDER_JSON, 0);
    ck_assert_str_eq(s, "[\n  {\"k\\\"ey\": \"a\\\\b\\t\\u0001\\r Türkiye "
                        "\xE2\x80\x93 \xEF\xBF\xBD\"}\n]\n");
    toll_table_buffer_free(t, s);
    toll_table_free(t);
}
END_TEST

START_TEST(json_totals_should_add_a_total_row_object)
{
    toll_table *t = NULL;
    ck_assert_int_eq(build_summary(NULL, &t), TOLL_OK);
    char *s = render(t, TOLL_RENDER_JSON, 1);
    ck_assert_str_eq(line_of(s, 4),
                     "  {\"actor\": \"Total\", \"incidents\": 3036, "
                     "\"reports\": 15, \"low\": 1103, \"best\": 1212.5, "
                     "\"high\": 1457.5, \"open\": 3, \"denied\": 3, "
                     "\"contested\": 0}");
    ck_assert_str_eq(line_of(s, 5), "]");
    toll_table_buffer_free(t, s);
    toll_table_free(t);
}
END_TEST

START_TEST(json_should_write_an_empty_array_for_no_rows)
{
    toll_table *t = new_table(NULL, 1, 0);
    ck_assert_int_eq(toll__table_set_column(t, 0, "n", TOLL_COL_INT64),
                     TOLL_OK);
    char *s = render(t, TOLL_RENDER_JSON, 0);
    ck_assert_str_eq(s, "[]\n");
    toll_table_buffer_free(t, s);
    s = render(t, TOLL_RENDER_CSV, 0);
    ck_assert_str_eq(s, "n\n");
    toll_table_buffer_free(t, s);
    toll_table_free(t);
}
END_TEST

/* ---- Markdown ------------------------------------------------------------ */

START_TEST(markdown_summary_should_show_ranges_and_a_totals_row)
{
    toll_table *t = NULL;
    ck_assert_int_eq(build_summary(NULL, &t), TOLL_OK);
    char *s = render(t, TOLL_RENDER_MARKDOWN, 0);
    ck_assert_str_eq(
        s,
        "killed; policy envelope\n"
        "\n"
        "| actor   | incidents | reports |         range |    best | open "
        "| denied | contested |\n"
        "| ------- | --------: | ------: | ------------: | ------: | ---: "
        "| -----: | --------: |\n"
        "| Russia  |        12 |       3 |   1,098\xE2\x80\x93"
        "1,450 |   1,200 |    0 |      1 |         0 |\n"
        "| Syria   |     1,012 |       5 |             5 |       5 |    1 "
        "|      1 |         0 |\n"
        "| Türkiye |     2,012 |       7 |         0\xE2\x80\x93"
        "2.5 |     7.5 |    2 |      1 |         0 |\n"
        "| Total   |     3,036 |      15 | 1,103\xE2\x80\x93"
        "1,457.5 | 1,212.5 |    3 |      3 |         0 |\n");
    toll_table_buffer_free(t, s);
    toll_table_free(t);
}
END_TEST

START_TEST(markdown_should_escape_pipes_in_cells)
{
    toll_table *t = new_table(NULL, 1, 1);
    ck_assert_int_eq(toll__table_set_column(t, 0, "name", TOLL_COL_STRING),
                     TOLL_OK);
    set_str(t, 0, 0, "a|b\nc");
    char *s = render(t, TOLL_RENDER_MARKDOWN, 0);
    ck_assert_str_eq(s, "| name   |\n| ------ |\n| a\\|b c |\n");
    toll_table_buffer_free(t, s);
    toll_table_free(t);
}
END_TEST

START_TEST(markdown_should_end_with_an_italic_note_when_not_additive)
{
    toll_table *t = NULL;
    ck_assert_int_eq(build_summary(NULL, &t), TOLL_OK);
    t->additive = 0;
    char *s = render(t, TOLL_RENDER_MARKDOWN, 0);
    const char *note = "\n*Note: attribution 'each' counts an incident once "
                       "for every actor it names; rows do not add up.*\n";
    size_t n = strlen(s), m = strlen(note);
    ck_assert_uint_ge(n, m);
    ck_assert_str_eq(s + n - m, note);
    toll_table_buffer_free(t, s);
    t->additive = 1;
    s = render(t, TOLL_RENDER_MARKDOWN, 0);
    ck_assert_ptr_null(strstr(s, "Note:"));
    toll_table_buffer_free(t, s);
    toll_table_free(t);
}
END_TEST

START_TEST(markdown_listing_should_render_columns_plainly)
{
    toll_table *t = listing();
    char *s = render(t, TOLL_RENDER_MARKDOWN, 1);
    ck_assert_str_eq(s, "| s          |    n |     x |\n"
                        "| ---------- | ---: | ----: |\n"
                        "| plain      |    1 |  1450 |\n"
                        "| a,b \"q\"    |  -20 | 33.33 |\n"
                        "| line break |  300 |       |\n"
                        "|            | 4000 |   0.5 |\n");
    toll_table_buffer_free(t, s);
    toll_table_free(t);
}
END_TEST

/* ---- text ------------------------------------------------------------------- */

START_TEST(text_summary_should_align_columns_by_code_points)
{
    toll_table *t = NULL;
    ck_assert_int_eq(build_summary(NULL, &t), TOLL_OK);
    char *s = render(t, TOLL_RENDER_TEXT, 0);
    ck_assert_str_eq(line_of(s, 0), "killed; policy envelope");
    ck_assert_str_eq(line_of(s, 1),
                     "actor    incidents  reports          range     best  "
                     "open  denied  contested");
    ck_assert_str_eq(line_of(s, 2),
                     "-------  ---------  -------  -------------  -------  "
                     "----  ------  ---------");
    ck_assert_str_eq(line_of(s, 5),
                     "Türkiye      2,012        7          0\xE2\x80\x93"
                     "2.5      7.5     2       1          0");
    ck_assert_str_eq(line_of(s, 6),
                     "Total        3,036       15  1,103\xE2\x80\x93"
                     "1,457.5  1,212.5     3       3          0");
    ck_assert_str_eq(line_of(s, 7), "");
    /* Every table line has the same display width. */
    size_t w = utf8_len(line_of(s, 1));
    for (int i = 2; i <= 6; i++)
        ck_assert_uint_eq(utf8_len(line_of(s, i)), w);
    toll_table_buffer_free(t, s);
    toll_table_free(t);
}
END_TEST

START_TEST(text_should_add_a_note_line_when_not_additive)
{
    toll_table *t = NULL;
    ck_assert_int_eq(build_summary(NULL, &t), TOLL_OK);
    t->additive = 0;
    char *s = render(t, TOLL_RENDER_TEXT, 0);
    ck_assert_str_eq(line_of(s, 7),
                     "Note: attribution 'each' counts an incident once for "
                     "every actor it names; rows do not add up.");
    toll_table_buffer_free(t, s);
    toll_table_free(t);
}
END_TEST

START_TEST(text_should_omit_the_caption_line_when_empty)
{
    toll_table *t = NULL;
    ck_assert_int_eq(build_summary(NULL, &t), TOLL_OK);
    ck_assert_int_eq(toll__table_set_caption(t, ""), TOLL_OK);
    char *s = render(t, TOLL_RENDER_TEXT, 0);
    ck_assert(strncmp(s, "actor", 5) == 0);
    toll_table_buffer_free(t, s);
    s = render(t, TOLL_RENDER_MARKDOWN, 0);
    ck_assert(strncmp(s, "| actor", 7) == 0);
    toll_table_buffer_free(t, s);
    toll_table_free(t);
}
END_TEST

START_TEST(text_listing_should_have_no_totals_or_ranges)
{
    toll_table *t = listing();
    char *s = render(t, TOLL_RENDER_TEXT, 1);
    ck_assert_str_eq(s, "s              n      x\n"
                        "----------  ----  -----\n"
                        "plain          1   1450\n"
                        "a,b \"q\"      -20  33.33\n"
                        "line break   300\n"
                        "            4000    0.5\n");
    toll_table_buffer_free(t, s);
    toll_table_free(t);
}
END_TEST

START_TEST(pretty_numbers_should_use_separators_and_one_decimal)
{
    toll_table *t = new_table(NULL, 4, 1);
    ck_assert_int_eq(toll__table_set_column(t, 0, "actor", TOLL_COL_STRING),
                     TOLL_OK);
    ck_assert_int_eq(toll__table_set_column(t, 1, "incidents", TOLL_COL_INT64),
                     TOLL_OK);
    ck_assert_int_eq(toll__table_set_column(t, 2, "best", TOLL_COL_DOUBLE),
                     TOLL_OK);
    ck_assert_int_eq(toll__table_set_column(t, 3, "extra", TOLL_COL_DOUBLE),
                     TOLL_OK);
    set_str(t, 0, 0, "A");
    ((int64_t *)t->cols[1].data)[0] = -1234567;
    ((double *)t->cols[2].data)[0] = 1234.96;
    ((double *)t->cols[3].data)[0] = 999.44;
    t->nkeys = 1;
    t->is_summary = 1;
    char *s = render(t, TOLL_RENDER_TEXT, 0);
    ck_assert_str_eq(line_of(s, 2), "A      -1,234,567  1,235  999.4");
    toll_table_buffer_free(t, s);
    toll_table_free(t);
}
END_TEST

/* ---- numbers: the renderers against snprintf ----------------------------- */

/* The renderers' number texts as they were made with snprintf (the
 * reference the printf-free formatting must equal byte for byte). */
static void ref_double(char *buf, size_t size, double v)
{
    if (isnan(v)) {
        buf[0] = '\0';
        return;
    }
    if (isinf(v)) {
        snprintf(buf, size, "%s", v < 0 ? "-inf" : "inf");
        return;
    }
    if (v == floor(v)) {
        snprintf(buf, size, "%.0f", v == 0 ? 0.0 : v);
        return;
    }
    snprintf(buf, size, "%.2f", v);
    char *dot = strchr(buf, '.');
    if (dot) {
        char *e = buf + strlen(buf);
        while (e > dot + 1 && e[-1] == '0')
            *--e = '\0';
        if (e == dot + 1)
            *dot = '\0';
    }
    if (strcmp(buf, "-0") == 0)
        snprintf(buf, size, "0");
}

static void ref_separators(char *buf, size_t size)
{
    char tmp[512];
    const char *p = buf;
    size_t o = 0;
    if (*p == '-')
        tmp[o++] = *p++;
    size_t digits = strspn(p, "0123456789");
    for (size_t i = 0; i < digits; i++) {
        if (i && (digits - i) % 3 == 0)
            tmp[o++] = ',';
        tmp[o++] = p[i];
    }
    snprintf(tmp + o, sizeof tmp - o, "%s", p + digits);
    snprintf(buf, size, "%s", tmp);
}

static void ref_pretty(char *buf, size_t size, double v)
{
    if (isnan(v) || isinf(v)) {
        ref_double(buf, size, v);
        return;
    }
    double r = round(v * 10.0) / 10.0;
    if (!isfinite(r))
        r = v;
    if (r == 0)
        r = 0;
    snprintf(buf, size, r == floor(r) ? "%.0f" : "%.1f", r);
    ref_separators(buf, size);
}

static uint64_t num_state = 12345;
static uint64_t num_rnd(void)
{
    uint64_t z = (num_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Row i's adversarial double: random bits, ties k / 2^n, decimal ties and
 * their neighbours, negative zero, tiny negatives, 1e15..1e22, integers
 * near 2^53, 2^63 and 2^64, NaN and infinities. */
static double adversarial_double(size_t i)
{
    uint64_t b = num_rnd();
    double v;
    switch (i % 12) {
    case 0:
        memcpy(&v, &b, sizeof v);
        return v;
    case 1:
        return ldexp((double)(int64_t)(b % 20000) - 10000.0, -(int)(b >> 58));
    case 2: {
        double t = ((double)(b % 1000000) * 10.0 + 5.0) / 1000.0;
        return (b >> 63) ? nextafter(t, 0.0) : nextafter(t, INFINITY);
    }
    case 3:
        return (b & 1) ? -0.0 : -0.004 * (double)(b % 3);
    case 4:
        return pow(10.0, 15.0 + (double)(b % 7000) / 1000.0) *
               ((b >> 63) ? -1.0 : 1.0);
    case 5:
        return ldexp(1.0, 53 + (int)(b % 12)) + (double)(int)(b % 5) - 2.0;
    case 6: {
        static const double special[] = {NAN, INFINITY, -INFINITY, 0x1p63,
                                         -0x1p63, 0x1p64, 1e300, 2.675,
                                         0.125, 0.375, -2.5, 5e-324};
        return special[b % 12];
    }
    case 7:
        return (double)(b % 100000) / 100.0;
    case 8:
        return (double)(b % 1000000) / 8.0 - 60000.0;
    case 9: /* decimal ties at one decimal (the pretty formats) */
        return ((double)(b % 100000) * 10.0 + 5.0) / 100.0;
    case 10:
        return (double)(int64_t)(b >> (b % 64)) * ((b & 2) ? -1.0 : 1.0);
    default:
        return (double)(b % 1000) + 0.5;
    }
}

#define NUM_ROWS 24000

/* name | i (int64) | v (double), rows of adversarial values. */
static toll_table *number_table(int summary)
{
    toll_table *t = new_table(NULL, 3, NUM_ROWS);
    ck_assert_int_eq(toll__table_set_column(t, 0, "name", TOLL_COL_STRING),
                     TOLL_OK);
    ck_assert_int_eq(toll__table_set_column(t, 1, "incidents",
                                            TOLL_COL_INT64), TOLL_OK);
    ck_assert_int_eq(toll__table_set_column(t, 2, "best", TOLL_COL_DOUBLE),
                     TOLL_OK);
    num_state = 12345;
    for (size_t i = 0; i < NUM_ROWS; i++) {
        char name[32];
        snprintf(name, sizeof name, "r%zu", i);
        set_str(t, 0, i, name);
        uint64_t b = num_rnd();
        int64_t iv = (int64_t)(b >> (b % 64));
        if (i % 3 == 0)
            iv = -iv;
        if (i == 1)
            iv = INT64_MIN;
        if (i == 2)
            iv = INT64_MAX;
        ((int64_t *)t->cols[1].data)[i] = iv;
        ((double *)t->cols[2].data)[i] = adversarial_double(i);
    }
    if (summary) {
        t->nkeys = 1;
        t->is_summary = 1;
    }
    return t;
}

/* got == want, else fail naming the first line that differs. */
static void assert_same_text(const char *got, const char *want)
{
    size_t line = 1, i = 0, start = 0;
    while (got[i] && got[i] == want[i]) {
        if (got[i] == '\n') {
            line++;
            start = i + 1;
        }
        i++;
    }
    ck_assert_msg(got[i] == want[i], "line %zu differs: \"%.*s\" vs \"%.*s\"",
                  line, (int)strcspn(got + start, "\n"), got + start,
                  (int)strcspn(want + start, "\n"), want + start);
}

static void append(toll__buf *b, const char *s)
{
    ck_assert_int_eq(toll__buf_append(b, s, strlen(s)), TOLL_OK);
}

START_TEST(csv_and_json_numbers_should_equal_the_snprintf_rendering)
{
    toll_table *t = number_table(0);
    const int64_t *iv = toll_table_int64(t, 1);
    const double *dv = toll_table_double(t, 2);
    char num[512], line[1200];
    for (int totals = 0; totals <= 1; totals++) {
        toll__buf csv, json;
        toll__buf_init(&csv, toll_default_allocator());
        toll__buf_init(&json, toll_default_allocator());
        append(&csv, "name,incidents,best\n");
        append(&json, "[\n");
        uint64_t isum = 0;
        double dsum = 0;
        for (size_t i = 0; i <= NUM_ROWS; i++) {
            if (i == NUM_ROWS && !totals)
                break;
            int64_t x = iv[i < NUM_ROWS ? i : 0];
            double v = dv[i < NUM_ROWS ? i : 0];
            if (i == NUM_ROWS) {
                x = (int64_t)isum;
                v = dsum;
            } else {
                isum += (uint64_t)x;
                if (!isnan(v))
                    dsum += v;
            }
            char name[32];
            snprintf(name, sizeof name, i < NUM_ROWS ? "r%zu" : "Total", i);
            ref_double(num, sizeof num, v);
            snprintf(line, sizeof line, "%s,%" PRId64 ",%s\n", name, x, num);
            append(&csv, line);
            snprintf(line, sizeof line,
                     "  {\"name\": \"%s\", \"incidents\": %" PRId64
                     ", \"best\": %s}%s\n",
                     name, x, isfinite(v) ? num : "null",
                     i + 1 < NUM_ROWS + (size_t)totals ? "," : "");
            append(&json, line);
        }
        append(&json, "]\n");
        char *got = render(t, TOLL_RENDER_CSV, totals);
        assert_same_text(got, csv.data);
        toll_table_buffer_free(t, got);
        got = render(t, TOLL_RENDER_JSON, totals);
        assert_same_text(got, json.data);
        toll_table_buffer_free(t, got);
        toll__buf_free(&csv);
        toll__buf_free(&json);
    }
    toll_table_free(t);
}
END_TEST

/* The last two cells of a Markdown row "| a | b | c |" or of a text row
 * (cells separated by two or more blanks), trimmed. */
static void last_cells(const char *row, int markdown, char *a, char *b)
{
    char tmp[1200];
    snprintf(tmp, sizeof tmp, "%s", row);
    char *cells[8];
    int n = 0;
    if (markdown) {
        for (char *p = strtok(tmp, "|"); p && n < 8; p = strtok(NULL, "|"))
            cells[n++] = p;
    } else {
        char *p = tmp;
        while (*p && n < 8) {
            while (*p == ' ')
                p++;
            if (!*p)
                break;
            cells[n++] = p;
            char *e = strstr(p, "  ");
            if (!e)
                break;
            *e = '\0';
            p = e + 2;
        }
    }
    ck_assert_int_ge(n, 2);
    for (int k = 0; k < 2; k++) {
        char *c = cells[n - 2 + k];
        while (*c == ' ')
            c++;
        size_t len = strlen(c);
        while (len && c[len - 1] == ' ')
            c[--len] = '\0';
        strcpy(k ? b : a, c);
    }
}

START_TEST(markdown_and_text_numbers_should_equal_the_snprintf_rendering)
{
    /* summary: pretty numbers (one decimal, separators); listing: plain */
    for (int summary = 0; summary <= 1; summary++) {
        toll_table *t = number_table(summary);
        const int64_t *iv = toll_table_int64(t, 1);
        const double *dv = toll_table_double(t, 2);
        for (int markdown = 0; markdown <= 1; markdown++) {
            char *got = render(t, markdown ? TOLL_RENDER_MARKDOWN
                                           : TOLL_RENDER_TEXT, 0);
            const char *p = got;
            /* skip the caption (none), header and rule */
            for (int k = 0; k < 2; k++)
                p = strchr(p, '\n') + 1;
            for (size_t i = 0; i < NUM_ROWS; i++) {
                char row[1200], a[600], b[600], wa[600], wb[600];
                size_t len = strcspn(p, "\n");
                ck_assert_uint_lt(len, sizeof row);
                memcpy(row, p, len);
                row[len] = '\0';
                p += len + 1;
                if (summary) {
                    ref_pretty(wb, sizeof wb, dv[i]);
                    snprintf(wa, sizeof wa, "%" PRId64, iv[i]);
                    ref_separators(wa, sizeof wa);
                } else {
                    ref_double(wb, sizeof wb, dv[i]);
                    snprintf(wa, sizeof wa, "%" PRId64, iv[i]);
                }
                if (!wb[0] && !markdown) { /* NaN: empty last cell */
                    char *e = row + strlen(row);
                    while (e > row && e[-1] == ' ')
                        *--e = '\0';
                    const char *sp = strrchr(row, ' ');
                    ck_assert_str_eq(sp ? sp + 1 : row, wa);
                    continue;
                }
                last_cells(row, markdown, a, b);
                if (!wb[0]) { /* Markdown: the empty cell is blanks */
                    ck_assert_msg(strstr(row, wa) != NULL, "row %s", row);
                    continue;
                }
                ck_assert_msg(strcmp(a, wa) == 0 && strcmp(b, wb) == 0,
                              "row %zu: \"%s\" \"%s\", expected \"%s\" "
                              "\"%s\"", i, a, b, wa, wb);
            }
            toll_table_buffer_free(t, got);
        }
        toll_table_free(t);
    }
}
END_TEST

/* ---- write callback ------------------------------------------------------ */

typedef struct wctx {
    int calls, fail_at;
    size_t bytes;
} wctx;

static int counting_write(void *ctx, const char *data, size_t len)
{
    wctx *w = ctx;
    (void)data;
    w->calls++;
    w->bytes += len;
    return w->fail_at && w->calls >= w->fail_at;
}

START_TEST(render_should_return_eio_when_the_write_callback_fails)
{
    toll_table *t = NULL;
    ck_assert_int_eq(build_summary(NULL, &t), TOLL_OK);
    for (int f = TOLL_RENDER_CSV; f <= TOLL_RENDER_TEXT; f++) {
        wctx w = {0, 1, 0};
        toll_error err;
        toll_error_clear(&err);
        ck_assert_int_eq(toll_table_render(t, (toll_render_format)f, 1,
                                           counting_write, &w, &err),
                         TOLL_EIO);
        ck_assert_int_eq(err.code, TOLL_EIO);
        ck_assert_ptr_nonnull(strstr(err.message, "write"));
        ck_assert_int_eq(w.calls, 1);
    }
    toll_table_free(t);
}
END_TEST

START_TEST(render_should_stop_at_a_failure_in_a_later_chunk)
{
    enum { N = 5000 };
    toll_table *t = new_table(NULL, 1, N);
    ck_assert_int_eq(toll__table_set_column(t, 0, "n", TOLL_COL_INT64),
                     TOLL_OK);
    wctx ok = {0, 0, 0};
    ck_assert_int_eq(toll_table_render(t, TOLL_RENDER_JSON, 0, counting_write,
                                       &ok, NULL),
                     TOLL_OK);
    ck_assert_int_gt(ok.calls, 2);
    wctx w = {0, 2, 0};
    ck_assert_int_eq(toll_table_render(t, TOLL_RENDER_JSON, 0, counting_write,
                                       &w, NULL),
                     TOLL_EIO);
    ck_assert_int_eq(w.calls, 2);
    toll_table_free(t);
}
END_TEST

START_TEST(render_should_reject_null_arguments_and_bad_formats)
{
    toll_table *t = listing();
    toll_error err;
    char *buf = (char *)1;
    ck_assert_int_eq(toll_table_render(t, TOLL_RENDER_CSV, 0, NULL, NULL,
                                       &err),
                     TOLL_EINVAL);
    ck_assert_int_eq(toll_table_render_string(NULL, TOLL_RENDER_CSV, 0, &buf,
                                              NULL, &err),
                     TOLL_EINVAL);
    ck_assert_ptr_null(buf);
    ck_assert_int_eq(toll_table_render_string(t, (toll_render_format)9, 0,
                                              &buf, NULL, &err),
                     TOLL_EINVAL);
    toll_table_buffer_free(t, NULL);
    toll_table_free(t);
}
END_TEST

/* ---- allocation failures --------------------------------------------------- */

START_TEST(table_should_survive_every_allocation_failure)
{
    int completed = 0;
    for (long n = 1; n < 2000 && !completed; n++) {
        failing_alloc f;
        failing_alloc_init(&f, n);
        toll_table *t = NULL;
        toll_status st = build_summary(&f.a, &t);
        if (st == TOLL_OK) {
            completed = 1;
            for (int fm = TOLL_RENDER_CSV; fm <= TOLL_RENDER_TEXT; fm++) {
                char *buf = NULL;
                toll_error err;
                st = toll_table_render_string(t, (toll_render_format)fm, 1,
                                              &buf, NULL, &err);
                ck_assert(st == TOLL_OK || st == TOLL_ENOMEM);
                if (st == TOLL_OK)
                    toll_table_buffer_free(t, buf);
                else {
                    ck_assert_ptr_null(buf);
                    ck_assert_int_eq(err.code, TOLL_ENOMEM);
                    completed = 0;
                }
            }
            toll_table_free(t);
        } else {
            ck_assert_int_eq(st, TOLL_ENOMEM);
            ck_assert_ptr_null(t);
        }
        ck_assert_int_eq(f.live, 0);
    }
    ck_assert(completed);
}
END_TEST

START_TEST(table_dict_add_should_leave_the_dictionary_intact_on_failure)
{
    for (long n = 1; n < 200; n++) {
        failing_alloc f;
        failing_alloc_init(&f, 0);
        toll_table *t = NULL;
        ck_assert_int_eq(toll__table_new(&f.a, 1, 0, &t), TOLL_OK);
        ck_assert_int_eq(toll__table_set_column(t, 0, "s", TOLL_COL_STRING),
                         TOLL_OK);
        f.fail_at = f.count + n;
        char buf[16];
        uint32_t i, code;
        toll_status st = TOLL_OK;
        for (i = 0; i < 100 && !st; i++) {
            snprintf(buf, sizeof buf, "v%u", i);
            st = toll__table_dict_add(t, 0, buf, strlen(buf), &code);
        }
        size_t nd;
        const char *const *d = toll_table_dict(t, 0, &nd);
        f.fail_at = 0;
        if (st) {
            ck_assert_int_eq(st, TOLL_ENOMEM);
            ck_assert_uint_eq(nd, i - 1);
        }
        for (uint32_t k = 0; k < nd; k++) {
            snprintf(buf, sizeof buf, "v%u", k);
            ck_assert_str_eq(d[k], buf);
            ck_assert_int_eq(
                toll__table_dict_add(t, 0, buf, strlen(buf), &code), TOLL_OK);
            ck_assert_uint_eq(code, k);
        }
        toll_table_free(t);
        ck_assert_int_eq(f.live, 0);
    }
}
END_TEST

static Suite *table_suite(void)
{
    Suite *s = suite_create("table");
    TCase *b = tcase_create("builder");
    tcase_add_test(b, table_new_should_make_columns_of_the_given_types);
    tcase_add_test(b, table_set_column_should_reject_bad_index_and_type);
    tcase_add_test(b, table_dict_add_should_return_one_code_per_distinct_string);
    tcase_add_test(b, table_dict_add_should_dedupe_a_hundred_thousand_values);
    tcase_add_test(b, table_accessors_should_return_null_for_wrong_type_or_range);
    tcase_add_test(b, table_free_should_accept_null);
    tcase_add_test(b, render_format_parse_should_accept_names_in_any_case);
    tcase_add_test(b, render_format_parse_should_reject_unknown_names);
    tcase_add_test(b, render_format_parse_should_name_the_text_and_the_formats);
    suite_add_tcase(s, b);

    TCase *r = tcase_create("render");
    tcase_add_test(r, cell_text_should_format_as_the_text_renderer);
    tcase_add_test(r, csv_should_quote_fields_with_commas_quotes_and_newlines);
    tcase_add_test(r, csv_should_print_doubles_integral_or_with_two_decimals);
    tcase_add_test(r, csv_totals_should_add_a_total_row_summing_measures);
    tcase_add_test(r, csv_totals_should_leave_other_key_columns_empty);
    tcase_add_test(r, json_should_write_an_array_of_row_objects);
    tcase_add_test(r, json_should_escape_control_characters_and_keep_utf8);
    tcase_add_test(r, json_totals_should_add_a_total_row_object);
    tcase_add_test(r, json_should_write_an_empty_array_for_no_rows);
    tcase_add_test(r, markdown_summary_should_show_ranges_and_a_totals_row);
    tcase_add_test(r, markdown_should_escape_pipes_in_cells);
    tcase_add_test(r, markdown_should_end_with_an_italic_note_when_not_additive);
    tcase_add_test(r, markdown_listing_should_render_columns_plainly);
    tcase_add_test(r, text_summary_should_align_columns_by_code_points);
    tcase_add_test(r, text_should_add_a_note_line_when_not_additive);
    tcase_add_test(r, text_should_omit_the_caption_line_when_empty);
    tcase_add_test(r, text_listing_should_have_no_totals_or_ranges);
    tcase_add_test(r, pretty_numbers_should_use_separators_and_one_decimal);
    tcase_add_test(r, render_should_return_eio_when_the_write_callback_fails);
    tcase_add_test(r, render_should_stop_at_a_failure_in_a_later_chunk);
    tcase_add_test(r, render_should_reject_null_arguments_and_bad_formats);
    suite_add_tcase(s, r);

    TCase *nb = tcase_create("numbers");
    tcase_set_timeout(nb, 120);
    tcase_add_test(nb, csv_and_json_numbers_should_equal_the_snprintf_rendering);
    tcase_add_test(nb,
                   markdown_and_text_numbers_should_equal_the_snprintf_rendering);
    suite_add_tcase(s, nb);

    TCase *m = tcase_create("memory");
    tcase_set_timeout(m, 120);
    tcase_add_test(m, table_should_survive_every_allocation_failure);
    tcase_add_test(m, table_dict_add_should_leave_the_dictionary_intact_on_failure);
    suite_add_tcase(s, m);
    return s;
}

int main(void) { return toll_test_run(table_suite()); }
