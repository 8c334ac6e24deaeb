/* tests/test_table.c - result tables: builder, accessors, rendering. */
#include "internal.h"
#include "testutil.h"

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
    ck_assert_int_eq(toll_table_column_index(t, "high"), 5);
    ck_assert_int_eq(toll_table_column_index(t, "nope"), -1);
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
    ck_assert_int_eq(toll_render_format_parse("csv", &f), TOLL_OK);
    ck_assert_int_eq(f, TOLL_RENDER_CSV);
    ck_assert_int_eq(toll_render_format_parse("JSON", &f), TOLL_OK);
    ck_assert_int_eq(f, TOLL_RENDER_JSON);
    ck_assert_int_eq(toll_render_format_parse("md", &f), TOLL_OK);
    ck_assert_int_eq(f, TOLL_RENDER_MARKDOWN);
    ck_assert_int_eq(toll_render_format_parse("Markdown", &f), TOLL_OK);
    ck_assert_int_eq(f, TOLL_RENDER_MARKDOWN);
    ck_assert_int_eq(toll_render_format_parse("text", &f), TOLL_OK);
    ck_assert_int_eq(f, TOLL_RENDER_TEXT);
}
END_TEST

START_TEST(render_format_parse_should_reject_unknown_names)
{
    toll_render_format f = TOLL_RENDER_JSON;
    ck_assert_int_eq(toll_render_format_parse("xml", &f), TOLL_EINVAL);
    ck_assert_int_eq(toll_render_format_parse("", &f), TOLL_EINVAL);
    ck_assert_int_eq(toll_render_format_parse("csvx", &f), TOLL_EINVAL);
    ck_assert_int_eq(toll_render_format_parse(NULL, &f), TOLL_EINVAL);
    ck_assert_int_eq(f, TOLL_RENDER_JSON);
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
    suite_add_tcase(s, b);

    TCase *r = tcase_create("render");
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

    TCase *m = tcase_create("memory");
    tcase_set_timeout(m, 120);
    tcase_add_test(m, table_should_survive_every_allocation_failure);
    tcase_add_test(m, table_dict_add_should_leave_the_dictionary_intact_on_failure);
    suite_add_tcase(s, m);
    return s;
}

int main(void) { return toll_test_run(table_suite()); }
