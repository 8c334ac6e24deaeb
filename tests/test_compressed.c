/* tests/test_compressed.c - compressed and archived input
 * (src/io/compressed.c): gzip streams and ZIP archives holding one data
 * file load as the plain file does; archives holding none or several, a
 * workbook, damaged or truncated data and binary formats toll does not
 * read are errors naming the file; a failed load keeps what was loaded. */
#define _POSIX_C_SOURCE 200809L
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef TOLL_TEST_DATA_DIR
#define TOLL_TEST_DATA_DIR "tests/data"
#endif
#define DIR TOLL_TEST_DATA_DIR "/compressed/"
#define PLAIN TOLL_TEST_DATA_DIR "/acled_sample.csv"

/* ---- helpers ----------------------------------------------------------------- */

static toll_reports *new_store(void)
{
    toll_reports *r = NULL;
    ck_assert_int_eq(toll_reports_new(NULL, &r, NULL), TOLL_OK);
    return r;
}

static toll_status load_file(toll_reports *r, const char *path, size_t *n,
                             toll_error *err)
{
    toll_load_options o;
    toll_load_options_init(&o);
    o.preset = "acled";
    return toll_reports_load_file(r, path, &o, n, err);
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    ck_assert_int_eq(fseek(f, 0, SEEK_END), 0);
    long n = ftell(f);
    ck_assert_int_ge(n, 0);
    rewind(f);
    char *buf = malloc((size_t)n + 1);
    ck_assert_ptr_nonnull(buf);
    ck_assert_uint_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return buf;
}

/* The reports of r as CSV, with every "name" replaced by "F" (the report
 * column names the file). */
static char *reports_csv(const toll_reports *r, const char *name)
{
    toll_table *t = NULL;
    toll_error err;
    ck_assert_int_eq(toll_reports_table(r, NULL, &t, &err), TOLL_OK);
    char *out = NULL;
    size_t len = 0;
    ck_assert_int_eq(
        toll_table_render_string(t, TOLL_RENDER_CSV, 0, &out, &len, &err),
        TOLL_OK);
    char *copy = malloc(len + 1);
    ck_assert_ptr_nonnull(copy);
    size_t nl = strlen(name), o = 0;
    for (size_t i = 0; i < len;) {
        if (nl && i + nl <= len && memcmp(out + i, name, nl) == 0) {
            copy[o++] = 'F';
            i += nl;
        } else {
            copy[o++] = out[i++];
        }
    }
    copy[o] = '\0';
    toll_table_buffer_free(t, out);
    toll_table_free(t);
    return copy;
}

/* Load path and check it gives the plain sample's reports; `shown` is the
 * name its reports carry. */
static void assert_same_as_plain(const char *path, const char *shown)
{
    toll_reports *a = new_store(), *b = new_store();
    toll_error err;
    size_t na = 0, nb = 0;
    ck_assert_msg(load_file(a, PLAIN, &na, &err) == TOLL_OK, "%s",
                  err.message);
    ck_assert_msg(load_file(b, path, &nb, &err) == TOLL_OK, "%s: %s", path,
                  err.message);
    ck_assert_uint_eq(na, 6);
    ck_assert_uint_eq(nb, na);
    char *ca = reports_csv(a, PLAIN), *cb = reports_csv(b, shown);
    ck_assert_str_eq(cb, ca);
    free(ca);
    free(cb);
    toll_reports_free(a);
    toll_reports_free(b);
}

/* The load of path fails with `code` and a message holding `want`. */
static void assert_fails(const char *path, toll_status code, const char *want)
{
    toll_reports *r = new_store();
    toll_error err;
    toll_status st = load_file(r, path, NULL, &err);
    ck_assert_msg(st == code, "%s: got %s (%s)", path, toll_status_name(st),
                  err.message);
    ck_assert_msg(strstr(err.message, want) != NULL, "%s: %s", path,
                  err.message);
    ck_assert_uint_eq(toll_reports_count(r), 0);
    toll_reports_free(r);
}

/* ---- gzip --------------------------------------------------------------------- */

START_TEST(a_gzip_file_should_load_as_the_plain_file)
{
    assert_same_as_plain(DIR "acled.csv.gz", DIR "acled.csv.gz");
}
END_TEST

START_TEST(gzip_members_one_after_another_should_read_as_one_stream)
{
    assert_same_as_plain(DIR "acled_members.csv.gz",
                         DIR "acled_members.csv.gz");
}
END_TEST

START_TEST(a_gzip_buffer_should_load_as_the_plain_file)
{
    size_t len = 0;
    char *gz = slurp(DIR "acled.csv.gz", &len);
    toll_reports *r = new_store();
    toll_error err;
    toll_load_options o;
    toll_load_options_init(&o);
    o.preset = "acled";
    size_t n = 0;
    ck_assert_msg(toll_reports_load_buffer(r, gz, len, "upload", &o, &n,
                                           &err) == TOLL_OK,
                  "%s", err.message);
    ck_assert_uint_eq(n, 6);
    toll_reports *p = new_store();
    ck_assert_int_eq(load_file(p, PLAIN, NULL, &err), TOLL_OK);
    char *a = reports_csv(p, PLAIN), *b = reports_csv(r, "upload");
    ck_assert_str_eq(b, a);
    free(a);
    free(b);
    toll_reports_free(p);
    toll_reports_free(r);
    free(gz);
}
END_TEST

START_TEST(truncated_gzip_data_should_fail_naming_the_file)
{
    size_t len = 0;
    char *gz = slurp(DIR "acled.csv.gz", &len);
    toll_reports *r = new_store();
    toll_error err;
    ck_assert_int_eq(toll_reports_load_buffer(r, gz, len / 2, "half.csv.gz",
                                              NULL, NULL, &err),
                     TOLL_EIO);
    ck_assert_ptr_nonnull(strstr(err.message, "half.csv.gz"));
    ck_assert_ptr_nonnull(strstr(err.message, "truncated gzip data"));
    ck_assert_uint_eq(toll_reports_count(r), 0);
    toll_reports_free(r);
    free(gz);
}
END_TEST

START_TEST(corrupt_gzip_data_should_fail_and_keep_what_was_loaded)
{
    size_t len = 0;
    char *gz = slurp(DIR "acled.csv.gz", &len);
    for (size_t i = 40; i < 80; i++)
        gz[i] = (char)(gz[i] ^ 0x5a);
    toll_reports *r = new_store();
    toll_error err;
    ck_assert_int_eq(load_file(r, PLAIN, NULL, &err), TOLL_OK);
    toll_load_options o;
    toll_load_options_init(&o);
    o.preset = "acled";
    toll_status st =
        toll_reports_load_buffer(r, gz, len, "bad.csv.gz", &o, NULL, &err);
    ck_assert_int_ne(st, TOLL_OK);
    ck_assert_ptr_nonnull(strstr(err.message, "bad.csv.gz"));
    ck_assert_uint_eq(toll_reports_count(r), 6);
    toll_reports_free(r);
    free(gz);
}
END_TEST

/* ---- ZIP ----------------------------------------------------------------------- */

START_TEST(a_zip_holding_one_data_file_should_load_it_named_inside_the_archive)
{
    assert_same_as_plain(DIR "acled.zip",
                         DIR "acled.zip/export/acled_sample.csv");
}
END_TEST

START_TEST(a_stored_zip_member_should_load)
{
    assert_same_as_plain(DIR "acled_stored.zip",
                         DIR "acled_stored.zip/acled_sample.csv");
}
END_TEST

START_TEST(a_zip_member_with_zip64_headers_should_load)
{
    assert_same_as_plain(DIR "acled_zip64.zip",
                         DIR "acled_zip64.zip/acled_sample.csv");
}
END_TEST

START_TEST(a_zip_buffer_should_load)
{
    size_t len = 0;
    char *zip = slurp(DIR "acled.zip", &len);
    toll_reports *r = new_store();
    toll_error err;
    toll_load_options o;
    toll_load_options_init(&o);
    o.preset = "acled";
    size_t n = 0;
    ck_assert_msg(toll_reports_load_buffer(r, zip, len, "ged.zip", &o, &n,
                                           &err) == TOLL_OK,
                  "%s", err.message);
    ck_assert_uint_eq(n, 6);
    char *csv = reports_csv(r, "");
    ck_assert_ptr_nonnull(strstr(csv, "ged.zip/export/acled_sample.csv:2"));
    free(csv);
    toll_reports_free(r);
    free(zip);
}
END_TEST

START_TEST(a_zip_of_several_data_files_should_fail_naming_them)
{
    assert_fails(DIR "two.zip", TOLL_EPARSE,
                 "the ZIP archive holds 2 data files (a.csv, b.jsonl)");
}
END_TEST

START_TEST(a_zip_without_a_data_file_should_fail_listing_what_it_holds)
{
    assert_fails(DIR "nodata.zip", TOLL_EPARSE,
                 "holds no .csv, .json, .jsonl or .ndjson file (it holds: "
                 "README.txt)");
}
END_TEST

START_TEST(an_excel_workbook_should_fail_saying_so)
{
    assert_fails(DIR "book.xlsx", TOLL_EPARSE, "an Excel workbook (.xlsx)");
}
END_TEST

START_TEST(a_damaged_zip_member_should_fail_its_crc_check)
{
    size_t len = 0;
    char *zip = slurp(DIR "acled_stored.zip", &len);
    /* a stored member: change one byte of its text */
    char *p = strstr(zip + 30, "Ariha");
    ck_assert_ptr_nonnull(p);
    p[0] = 'B';
    toll_reports *r = new_store();
    toll_error err;
    toll_load_options o;
    toll_load_options_init(&o);
    o.preset = "acled";
    ck_assert_int_eq(
        toll_reports_load_buffer(r, zip, len, "d.zip", &o, NULL, &err),
        TOLL_EIO);
    ck_assert_ptr_nonnull(strstr(err.message, "CRC-32 mismatch"));
    ck_assert_uint_eq(toll_reports_count(r), 0);
    toll_reports_free(r);
    free(zip);
}
END_TEST

START_TEST(a_truncated_zip_should_fail_naming_the_file)
{
    size_t len = 0;
    char *zip = slurp(DIR "acled.zip", &len);
    toll_reports *r = new_store();
    toll_error err;
    ck_assert_int_eq(toll_reports_load_buffer(r, zip, len - 30, "cut.zip",
                                              NULL, NULL, &err),
                     TOLL_EPARSE);
    ck_assert_ptr_nonnull(strstr(err.message, "cut.zip"));
    toll_reports_free(r);
    free(zip);
}
END_TEST

/* ---- what toll does not read ------------------------------------------------------- */

START_TEST(binary_formats_should_be_named_not_misread)
{
    static const struct {
        const char *bytes;
        size_t len;
        const char *what;
    } cases[] = {
        {"PAR1\x15\x04", 6, "this is a Parquet file, not CSV or JSON"},
        {"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 8, "an OLE2 document"},
        {"BZh91AY", 7, "bzip2-compressed data"},
        {"\xfd" "7zXZ\x00\x00", 7, "xz-compressed data"},
        {"%PDF-1.7", 8, "a PDF document"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        toll_reports *r = new_store();
        toll_error err;
        ck_assert_int_eq(toll_reports_load_buffer(r, cases[i].bytes,
                                                  cases[i].len, "in", NULL,
                                                  NULL, &err),
                         TOLL_EPARSE);
        ck_assert_msg(strstr(err.message, cases[i].what) != NULL, "%s",
                      err.message);
        ck_assert_ptr_nonnull(strstr(err.message, "in: "));
        toll_reports_free(r);
    }
}
END_TEST

START_TEST(a_file_named_gz_that_is_not_gzip_should_fail_saying_so)
{
    char dir[] = "/tmp/toll-test-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char path[64];
    snprintf(path, sizeof path, "%s/a.csv.gz", dir);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs("source,killed\na,1\n", f);
    fclose(f);
    assert_fails(path, TOLL_EPARSE,
                 "the name says gzip, but the file does not start as gzip "
                 "data does");
    unlink(path);
    rmdir(dir);
}
END_TEST

START_TEST(compressed_loads_out_of_memory_should_fail_cleanly)
{
    const char *paths[] = {DIR "acled.csv.gz", DIR "acled.zip"};
    for (size_t k = 0; k < 2; k++) {
        int succeeded = 0;
        for (long fail_at = 1; fail_at < 400 && !succeeded; fail_at++) {
            failing_alloc fa;
            failing_alloc_init(&fa, fail_at);
            toll_reports *r = NULL;
            if (toll_reports_new(&fa.a, &r, NULL) != TOLL_OK) {
                ck_assert_int_eq(fa.live, 0);
                continue;
            }
            toll_error err;
            toll_status st = load_file(r, paths[k], NULL, &err);
            ck_assert_msg(st == TOLL_OK || st == TOLL_ENOMEM, "%s: %s",
                          paths[k], err.message);
            succeeded = st == TOLL_OK;
            if (!succeeded)
                ck_assert_uint_eq(toll_reports_count(r), 0);
            toll_reports_free(r);
            ck_assert_int_eq(fa.live, 0);
        }
        ck_assert_msg(succeeded, "%s never loaded", paths[k]);
    }
}
END_TEST

static Suite *compressed_suite(void)
{
    Suite *s = suite_create("compressed");
    TCase *tc = tcase_create("compressed");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, a_gzip_file_should_load_as_the_plain_file);
    tcase_add_test(tc,
                   gzip_members_one_after_another_should_read_as_one_stream);
    tcase_add_test(tc, a_gzip_buffer_should_load_as_the_plain_file);
    tcase_add_test(tc, truncated_gzip_data_should_fail_naming_the_file);
    tcase_add_test(tc,
                   corrupt_gzip_data_should_fail_and_keep_what_was_loaded);
    tcase_add_test(
        tc,
        a_zip_holding_one_data_file_should_load_it_named_inside_the_archive);
    tcase_add_test(tc, a_stored_zip_member_should_load);
    tcase_add_test(tc, a_zip_member_with_zip64_headers_should_load);
    tcase_add_test(tc, a_zip_buffer_should_load);
    tcase_add_test(tc, a_zip_of_several_data_files_should_fail_naming_them);
    tcase_add_test(tc,
                   a_zip_without_a_data_file_should_fail_listing_what_it_holds);
    tcase_add_test(tc, an_excel_workbook_should_fail_saying_so);
    tcase_add_test(tc, a_damaged_zip_member_should_fail_its_crc_check);
    tcase_add_test(tc, a_truncated_zip_should_fail_naming_the_file);
    tcase_add_test(tc, binary_formats_should_be_named_not_misread);
    tcase_add_test(tc, a_file_named_gz_that_is_not_gzip_should_fail_saying_so);
    tcase_add_test(tc, compressed_loads_out_of_memory_should_fail_cleanly);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return toll_test_run(compressed_suite()); }
