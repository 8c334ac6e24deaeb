/* tests/test_ingest_csv.c - CSV with a header row into the store. */
#define _POSIX_C_SOURCE 200809L
#include "testutil.h"

#include "store/store.h"
#include "reconcile/reconcile.h"
#include "render/render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- helpers --------------------------------------------------------------- */

static toll_reports *new_store(void)
{
    toll_reports *r = NULL;
    ck_assert_int_eq(toll_reports_new(NULL, &r, NULL), TOLL_OK);
    return r;
}

/* Load CSV text with an optional map spec; lenient as given. */
static toll_status load_map(toll_reports *r, const char *text,
                            const char *spec, int lenient, size_t *n,
                            toll_error *err)
{
    toll_colmap *map = NULL;
    toll_load_options o;
    toll_load_options_init(&o);
    o.format = TOLL_FORMAT_CSV;
    o.lenient = lenient;
    if (spec) {
        ck_assert_int_eq(toll_colmap_new(NULL, &map, NULL), TOLL_OK);
        ck_assert_int_eq(toll_colmap_parse(map, spec, err), TOLL_OK);
        o.colmap = map;
    }
    toll_status st = toll_reports_load_buffer(r, text, strlen(text),
                                              "reports.csv", &o, n, err);
    toll_colmap_free(map);
    return st;
}

static toll_status load(toll_reports *r, const char *text, toll_error *err)
{
    return load_map(r, text, NULL, 0, NULL, err);
}

static const char *S(const toll_reports *r, uint32_t id)
{
    return toll__str(&r->strings, id);
}




static void assert_fails(const char *text, const char *spec, toll_status code,
                         const char *want)
{
    toll_reports *r = new_store();
    toll_error err;
    toll_error_clear(&err);
    toll_status st = load_map(r, text, spec, 0, NULL, &err);
    ck_assert_msg(st == code, "got %s (%s), want %s", toll_status_name(st),
                  err.message, toll_status_name(code));
    ck_assert_msg(strstr(err.message, want) != NULL,
                  "message \"%s\" lacks \"%s\"", err.message, want);
    ck_assert_uint_eq(toll_reports_count(r), 0);
    toll_reports_free(r);
}

/* ---- fields ----------------------------------------------------------------- */

START_TEST(csv_should_read_fields_by_header_names)
{
    toll_reports *r = new_store();
    toll_error err;
    size_t n = 0;
    const char *text =
        "incident,source,source_kind,date,region,actor,killed,injured,"
        "children_killed,url,comment\n"
        "a1,SOHR,monitor,2016-09-25,Syria/Aleppo/Bustan al-Qasr,"
        "Russia; Syria,92,dozens,,https://x.org,first\n"
        "a1,White Helmets,rescue,2016-09,Syria/Aleppo,Russia,at least 150,,"
        "4,,\n";
    ck_assert_int_eq(load_map(r, text, NULL, 0, &n, &err), TOLL_OK);
    ck_assert_uint_eq(n, 2);
    ck_assert_str_eq(S(r, r->incident[0]), "a1");
    ck_assert_str_eq(S(r, r->source[1]), "White Helmets");
    ck_assert_int_eq(r->source_kind[1], TOLL_SOURCE_RESCUE);
    ck_assert_int_eq(r->date_start[0], toll_date_from_ymd(2016, 9, 25));
    ck_assert_int_eq(r->date_end[1], toll_date_from_ymd(2016, 9, 30));
    ck_assert_str_eq(S(r, r->region[0]), "Syria/Aleppo/Bustan al-Qasr");
    ck_assert_str_eq(S(r, r->actor_sets.label[r->actors[0]]),
                     "Russia + Syria");
    ck_assert_str_eq(S(r, r->actor_sets.label[r->actors[1]]), "Russia");
    assert_qcell(report_cell(r, 0, "killed"), 92, 92, 92);
    ck_assert_int_eq(report_cell(r, 0, "injured")->low, 24);
    ck_assert_int_eq(report_cell(r, 0, "children_killed")->low, -1); /* empty */
    assert_qcell(report_cell(r, 1, "killed"), 150, TOLL_OPEN, 150);
    ck_assert_int_eq(report_cell(r, 1, "injured")->low, -1);
    assert_qcell(report_cell(r, 1, "children_killed"), 4, 4, 4);
    ck_assert_str_eq(S(r, r->url[0]), "https://x.org");
    ck_assert_str_eq(report_extra(r, 0, "comment"), "first");
    ck_assert_uint_eq(r->x_count[1], 0); /* empty cells are not kept */
    ck_assert_uint_eq(r->line[0], 2);
    ck_assert_uint_eq(r->line[1], 3);
    ck_assert_str_eq(S(r, r->file[0]), "reports.csv");
    toll_reports_free(r);
}
END_TEST

START_TEST(csv_should_use_the_separator_options)
{
    toll_reports *r = new_store();
    toll_error err;
    toll_load_options o;
    toll_load_options_init(&o);
    ck_assert_int_eq(o.csv_delimiter, ',');
    ck_assert_int_eq(o.actor_separator, ';');
    ck_assert_int_eq(o.region_separator, '/');
    o.csv_delimiter = ';';
    o.actor_separator = ',';
    o.region_separator = '>';
    const char *text = "source;actor;region\n"
                       "a;\"Russia, Syria\";Syria > Idlib\n";
    ck_assert_int_eq(toll_reports_load_buffer(r, text, strlen(text), "x.csv",
                                              &o, NULL, &err),
                     TOLL_OK);
    ck_assert_str_eq(S(r, r->actor_sets.label[r->actors[0]]),
                     "Russia + Syria");
    ck_assert_str_eq(S(r, r->region[0]), "Syria/Idlib");
    toll_reports_free(r);
}
END_TEST

START_TEST(csv_should_give_the_exact_message_for_unreadable_quantities)
{
    toll_reports *r = new_store();
    toll_error err;
    const char *text = "source,killed\n"
                       "a,3\n"
                       "b,at leest 5\n";
    ck_assert_int_eq(load(r, text, &err), TOLL_EPARSE);
    ck_assert_str_eq(err.message, "reports.csv:3: field 'killed': cannot "
                                  "read \"at leest 5\" as a quantity");
    ck_assert_int_eq(err.record, 1);
    ck_assert_uint_eq(toll_reports_count(r), 0);
    toll_reports_free(r);
}
END_TEST

START_TEST(csv_quoted_newlines_should_keep_line_numbers)
{
    toll_reports *r = new_store();
    toll_error err;
    const char *text = "source,note,killed\n"
                       "a,\"two\nlines\",1\n"
                       "b,\"three\r\nlines\rhere\",2\n"
                       "c,plain,3\n"
                       "d,\"x\",at leest 5\n";
    ck_assert_int_eq(load(r, text, &err), TOLL_EPARSE);
    ck_assert_ptr_nonnull(strstr(err.message, "reports.csv:8: field 'killed'"));
    size_t n = 0;
    ck_assert_int_eq(load_map(r, text, NULL, 1, &n, &err), TOLL_OK);
    ck_assert_uint_eq(n, 3);
    ck_assert_uint_eq(r->line[0], 2);
    ck_assert_uint_eq(r->line[1], 4);
    ck_assert_uint_eq(r->line[2], 7);
    ck_assert_str_eq(S(r, r->note[0]), "two\nlines");
    ck_assert_str_eq(S(r, r->note[1]), "three\r\nlines\rhere");
    ck_assert_int_eq(toll_reports_reject(r, 0)->line, 8);
    toll_reports_free(r);
}
END_TEST

START_TEST(csv_should_accept_crlf_and_cr_line_ends)
{
    toll_reports *r = new_store();
    toll_error err;
    ck_assert_int_eq(load(r, "source,killed\r\na,1\r\n\r\nb,2\r\n", &err),
                     TOLL_OK);
    ck_assert_uint_eq(toll_reports_count(r), 2);
    ck_assert_uint_eq(r->line[0], 2);
    ck_assert_uint_eq(r->line[1], 4);
    ck_assert_int_eq(load(r, "source,killed\ra,1\rb,2\r\rc,x y z\r", &err),
                     TOLL_EPARSE);
    ck_assert_int_eq(err.line, 5);
    ck_assert_int_eq(load(r, "source,killed\ra,1\rb,2", &err), TOLL_OK);
    ck_assert_uint_eq(toll_reports_count(r), 4);
    ck_assert_uint_eq(r->line[3], 3);
    ck_assert_int_eq(report_cell(r, 3, "killed")->low, 2);
    toll_reports_free(r);
}
END_TEST

START_TEST(csv_ragged_rows_should_name_the_line)
{
    assert_fails("source,killed\na,1\nb,2,3\n", NULL, TOLL_EREPORT,
                 "reports.csv:3: the row has 3 cells but the header has 2");
    assert_fails("source,killed,injured\na,1\n", NULL, TOLL_EREPORT,
                 "reports.csv:2: the row has 2 cells but the header has 3");
    toll_reports *r = new_store();
    toll_error err;
    size_t n = 0;
    ck_assert_int_eq(load_map(r, "source,killed\na,1\nb,2,3\nc,3\n", NULL, 1,
                              &n, &err),
                     TOLL_OK);
    ck_assert_uint_eq(n, 2);
    ck_assert_uint_eq(toll_reports_reject_count(r), 1);
    ck_assert_int_eq(toll_reports_reject(r, 0)->line, 3);
    toll_reports_free(r);
}
END_TEST

START_TEST(csv_with_only_a_header_or_nothing_should_load_nothing)
{
    toll_reports *r = new_store();
    toll_error err;
    size_t n = 9;
    const char *texts[] = {"", "source,killed\n", "source,killed",
                           "\xEF\xBB\xBFsource,killed\r\n", "\n\n  \n",
                           "source,killed\n,\n,\n"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        ck_assert_int_eq(load_map(r, texts[i], NULL, 0, &n, &err), TOLL_OK);
        ck_assert_uint_eq(n, 0);
    }
    ck_assert_uint_eq(toll_reports_count(r), 0);
    toll_reports_free(r);
}
END_TEST

START_TEST(csv_should_skip_a_bom_and_validate_utf8)
{
    toll_reports *r = new_store();
    toll_error err;
    ck_assert_int_eq(load(r, "\xEF\xBB\xBFsource,killed\nAl-Jazeera,1\n",
                          &err),
                     TOLL_OK);
    ck_assert_str_eq(S(r, r->source[0]), "Al-Jazeera");
    toll_reports_free(r);
    assert_fails("source,note\na,caf\xE9\n", NULL, TOLL_EPARSE,
                 "reports.csv:2: field 'note': invalid UTF-8");
}
END_TEST

START_TEST(csv_header_problems_should_fail_the_load)
{
    assert_fails("source,killed,killed\na,1,2\n", NULL, TOLL_EREPORT,
                 "reports.csv:1: column 'killed' appears twice");
    toll_reports *r = new_store();
    toll_error err;
    ck_assert_int_eq(load_map(r, "source,deaths\na,1\n",
                              "killed=deaths_min..deaths_max", 1, NULL, &err),
                     TOLL_EREPORT);
    ck_assert_str_eq(err.message,
                     "reports.csv:1: field 'killed': column 'deaths_min' of "
                     "the column map is not in the header");
    ck_assert_int_eq(load_map(r, "source,note\na,\"open\n", NULL, 1, NULL,
                              &err),
                     TOLL_EPARSE);
    ck_assert_ptr_nonnull(strstr(err.message, "reports.csv:2: unterminated"));
    ck_assert_uint_eq(toll_reports_count(r), 0);
    toll_reports_free(r);
}
END_TEST

START_TEST(csv_validation_errors_should_name_the_record)
{
    assert_fails("source,killed\n,1\n", NULL, TOLL_EREPORT,
                 "reports.csv:2: missing required field 'source'");
    assert_fails("source,killed\na,-3\n", NULL, TOLL_EPARSE,
                 "reports.csv:2: field 'killed'");
    assert_fails("source,source_kind\na,blog\n", NULL, TOLL_EREPORT,
                 "field 'source_kind': unknown source kind \"blog\"");
    assert_fails("source,region\na,Syria//Idlib\n", NULL, TOLL_EREPORT,
                 "reports.csv:2: field 'region': region \"Syria//Idlib\" has "
                 "an empty level");
    assert_fails("source,date_start,date_end\na,2015-03-02,2015-03-01\n",
                 NULL, TOLL_EREPORT, "field 'date_end': date_end");
    assert_fails("source,date\na,2015-02-30\n", NULL, TOLL_EPARSE,
                 "reports.csv:2: field 'date': \"2015-02-30\" is not a "
                 "valid date");
}
END_TEST

/* ---- column maps --------------------------------------------------------------------- */

START_TEST(csv_map_should_read_low_high_pairs)
{
    toll_reports *r = new_store();
    toll_error err;
    const char *text = "outlet,dmin,dmax\n"
                       "a,13,46\n"
                       "b,,\n"
                       "c,5,\n"
                       "d,,7\n"
                       "e, 12 ,12\n";
    ck_assert_int_eq(load_map(r, text, "source=outlet,killed=dmin..dmax", 0,
                              NULL, &err),
                     TOLL_OK);
    assert_qcell(report_cell(r, 0, "killed"), 13, 46, 29.5);
    ck_assert_int_eq(report_cell(r, 1, "killed")->low, -1);
    assert_qcell(report_cell(r, 2, "killed"), 5, TOLL_OPEN, 5);
    assert_qcell(report_cell(r, 3, "killed"), 0, 7, 3.5);
    assert_qcell(report_cell(r, 4, "killed"), 12, 12, 12);
    ck_assert_uint_eq(r->x_count[0], 0); /* mapped columns are consumed */
    toll_reports_free(r);
}
END_TEST

START_TEST(csv_map_pairs_should_reject_bad_counts_naming_the_column)
{
    assert_fails("source,dmin,dmax\na,abc,4\n", "killed=dmin..dmax",
                 TOLL_EREPORT,
                 "reports.csv:2: field 'dmin': \"abc\" is not a whole number "
                 "(expected a count for 'killed')");
    assert_fails("source,dmin,dmax\na,1,-4\n", "killed=dmin..dmax",
                 TOLL_EREPORT, "field 'dmax': \"-4\" is negative");
    assert_fails("source,dmin,dmax\na,2.5,4\n", "killed=dmin..dmax",
                 TOLL_EREPORT, "field 'dmin'");
    assert_fails("source,dmin,dmax\na,9,4\n", "killed=dmin..dmax",
                 TOLL_EREPORT,
                 "field 'dmin': low 9 is greater than high 4");
    assert_fails("source,dmin,dmax\na,1,99999999999999999999\n",
                 "killed=dmin..dmax", TOLL_EREPORT, "is too large");
}
END_TEST

START_TEST(csv_map_should_read_low_best_high)
{
    toll_reports *r = new_store();
    toll_error err;
    const char *text = "source,low,best,high\n"
                       "UCDP,10,12,20\n"
                       "UCDP,10,,20\n"
                       "UCDP,,3,\n"
                       "UCDP,1,2.5,4\n";
    ck_assert_int_eq(load_map(r, text, "killed=low..best..high", 0, NULL,
                              &err),
                     TOLL_OK);
    assert_qcell(report_cell(r, 0, "killed"), 10, 20, 12);
    assert_qcell(report_cell(r, 1, "killed"), 10, 20, 15);
    assert_qcell(report_cell(r, 2, "killed"), 0, TOLL_OPEN, 3);
    assert_qcell(report_cell(r, 3, "killed"), 1, 4, 2.5);
    toll_reports_free(r);
    assert_fails("source,low,best,high\nUCDP,10,30,20\n",
                 "killed=low..best..high", TOLL_EREPORT, "field 'best'");
}
END_TEST

START_TEST(csv_map_should_build_regions_from_columns)
{
    toll_reports *r = new_store();
    toll_error err;
    const char *text = "source,country,adm_1,adm_2\n"
                       "a,Syria,Idlib,Khan Shaykhun\n"
                       "b,Syria,Idlib,\n"
                       "c,Syria,,\n"
                       "d,,,\n";
    ck_assert_int_eq(load_map(r, text, "region=country/adm_1/adm_2", 0, NULL,
                              &err),
                     TOLL_OK);
    ck_assert_str_eq(S(r, r->region[0]), "Syria/Idlib/Khan Shaykhun");
    ck_assert_str_eq(S(r, r->region[1]), "Syria/Idlib");
    ck_assert_str_eq(S(r, r->region[2]), "Syria");
    ck_assert_uint_eq(r->region[3], 0);
    toll_reports_free(r);
    assert_fails("source,country,adm_1,adm_2\na,Syria,,Khan\n",
                 "region=country/adm_1/adm_2", TOLL_EREPORT,
                 "reports.csv:2: field 'adm_1': empty region level");
}
END_TEST

START_TEST(csv_map_should_rename_columns_and_set_constants)
{
    toll_reports *r = new_store();
    toll_error err;
    const char *text = "belligerent,killed,when,deaths\n"
                       "\"Russia, Syria\",old,2016-01,5\n";
    toll_colmap *map = NULL;
    ck_assert_int_eq(toll_colmap_new(NULL, &map, NULL), TOLL_OK);
    ck_assert_int_eq(toll_colmap_parse(map,
                                       "source='Airwars',source_kind='monitor',"
                                       "actor=belligerent,date=when,"
                                       "killed=deaths",
                                       &err),
                     TOLL_OK);
    toll_load_options o;
    toll_load_options_init(&o);
    o.colmap = map;
    o.actor_separator = ',';
    ck_assert_int_eq(toll_reports_load_buffer(r, text, strlen(text), "a.csv",
                                              &o, NULL, &err),
                     TOLL_OK);
    ck_assert_str_eq(S(r, r->source[0]), "Airwars");
    ck_assert_int_eq(r->source_kind[0], TOLL_SOURCE_MONITOR);
    ck_assert_str_eq(S(r, r->actor_sets.label[r->actors[0]]),
                     "Russia + Syria");
    ck_assert_int_eq(r->date_start[0], toll_date_from_ymd(2016, 1, 1));
    assert_qcell(report_cell(r, 0, "killed"), 5, 5, 5);
    /* the column named like a mapped target is kept as an extra */
    ck_assert_str_eq(report_extra(r, 0, "killed"), "old");
    ck_assert_uint_eq(r->x_count[0], 1);
    toll_reports_free(r);
    toll_colmap_free(map);
    assert_fails("outlet,killed\n,1\n", "source=outlet", TOLL_EREPORT,
                 "missing required field 'source' (column 'outlet' is "
                 "empty)");
}
END_TEST

/* ---- files ------------------------------------------------------------------------------ */

START_TEST(csv_files_should_stream_across_chunks)
{
    char path[64];
    snprintf(path, sizeof path, "/tmp/toll_ingest_%ld.CSV", (long)getpid());
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    fputs("source,note,killed\r\n", f);
    size_t nrec = 30000;
    long line = 2;
    for (size_t i = 0; i < nrec; i++) {
        if (i % 7 == 0) {
            fprintf(f, "s%zu,\"multi\r\nline %zu\",%zu\r\n", i, i, i);
        } else {
            fprintf(f, "s%zu,%0*zu,%zu\r\n", i, (int)(i % 97), i, i);
        }
    }
    fclose(f);
    toll_reports *r = new_store();
    toll_error err;
    size_t n = 0;
    ck_assert_int_eq(toll_reports_load_file(r, path, NULL, &n, &err),
                     TOLL_OK);
    ck_assert_uint_eq(n, nrec);
    for (size_t i = 0; i < nrec; i++) {
        char want[32];
        snprintf(want, sizeof want, "s%zu", i);
        ck_assert_str_eq(S(r, r->source[i]), want);
        ck_assert_uint_eq(r->line[i], (uint32_t)line);
        ck_assert_int_eq(report_cell(r, i, "killed")->low, (int64_t)i);
        line += i % 7 == 0 ? 2 : 1;
    }
    toll_reports_free(r);
    remove(path);
}
END_TEST

START_TEST(csv_should_read_the_airwars_file_with_a_map)
{
    char path[1024];
    if (!toll_test_shared_path(
            path, sizeof path,
            "airwars/airwars_syria_incidents_normalized_996.csv"))
        return;
    toll_colmap *map = NULL;
    toll_error err;
    ck_assert_int_eq(toll_colmap_new(NULL, &map, NULL), TOLL_OK);
    ck_assert_int_eq(
        toll_colmap_parse(map,
                          "source='Airwars',source_kind='monitor',"
                          "id=airwars_id,url=canonical_url,"
                          "date=incident_date,region=country/region_en,"
                          "killed=civilian_deaths_min..civilian_deaths_max,"
                          "injured=civilian_injuries_min..civilian_injuries_"
                          "max,children_killed=children_killed_min.."
                          "children_killed_max,actor=alleged_belligerent",
                          &err),
        TOLL_OK);
    toll_load_options o;
    toll_load_options_init(&o);
    o.colmap = map;
    o.lenient = 1;
    o.actor_separator = ',';
    toll_reports *r = new_store();
    size_t n = 0;
    ck_assert_int_eq(toll_reports_load_file(r, path, &o, &n, &err), TOLL_OK);
    ck_assert_uint_eq(n, 996);
    ck_assert_uint_eq(toll_reports_reject_count(r), 0);
    /* first row: "YPG, Russian Military, Turkish Military", 6-6 killed */
    ck_assert_uint_eq(toll__set_size(&r->actor_sets, r->actors[0]), 3);
    assert_qcell(report_cell(r, 0, "killed"), 6, 6, 6);
    assert_qcell(report_cell(r, 0, "injured"), 6, 8, 7);
    ck_assert_str_eq(S(r, r->region[0]), "Syria/Aleppo");
    ck_assert_uint_eq(r->line[995], 997);
    toll_reports_free(r);
    toll_colmap_free(map);
}
END_TEST

/* ---- allocation failure -------------------------------------------------------------------- */

START_TEST(csv_out_of_memory_should_fail_cleanly)
{
    const char *text = "source,region,actor,dmin,dmax,note\n"
                       "a,Syria/Idlib,X;Y,1,5,n1\n"
                       "b,Syria,Y,,,n2\n";
    int succeeded = 0;
    for (long k = 1; k < 10000 && !succeeded; k++) {
        failing_alloc f;
        failing_alloc_init(&f, 0);
        toll_reports *r = NULL;
        toll_error err;
        ck_assert_int_eq(toll_reports_new(&f.a, &r, NULL), TOLL_OK);
        ck_assert_int_eq(load(r, "source\nfirst\n", &err), TOLL_OK);
        size_t nstrings = r->strings.count;
        f.fail_at = f.count + k;
        toll_status st = load_map(r, text, "killed=dmin..dmax", (int)(k % 2),
                                  NULL, &err);
        if (st == TOLL_OK) {
            succeeded = 1;
            ck_assert_uint_eq(toll_reports_count(r), 3);
        } else {
            ck_assert_msg(st == TOLL_ENOMEM, "k=%ld: %s", k, err.message);
            ck_assert_uint_eq(toll_reports_count(r), 1);
            ck_assert_uint_eq(r->strings.count, nstrings);
            ck_assert_str_eq(S(r, r->source[0]), "first");
        }
        toll_reports_free(r);
        ck_assert_int_eq(f.live, 0);
    }
    ck_assert(succeeded);
}
END_TEST


/* ---- field names in any case, warnings, the date window, file names ------- */

START_TEST(csv_standard_names_should_match_in_any_case)
{
    toll_reports *r = new_store();
    toll_error err;
    const char *csv = "SOURCE,Killed,Date,Children_Killed\n"
                      "A,5,2020-01-02,2\n";
    ck_assert_int_eq(load(r, csv, &err), TOLL_OK);
    ck_assert_uint_eq(toll_reports_count(r), 1);
    ck_assert_str_eq(S(r, r->source[0]), "A");
    assert_qcell(report_cell(r, 0, "killed"), 5, 5, 5);
    assert_qcell(report_cell(r, 0, "children_killed"), 2, 2, 2);
    ck_assert_int_eq(r->date_start[0], toll_date_from_ymd(2020, 1, 2));
    ck_assert_uint_eq(toll_reports_warning_count(r), 0);
    toll_reports_free(r);
}
END_TEST

START_TEST(csv_headers_differing_only_by_case_should_fail_naming_both)
{
    assert_fails("source,killed,Killed\nA,1,2\n", NULL, TOLL_EREPORT,
                 "'killed' and 'Killed' both name the field 'killed'");
    assert_fails("Date,source,date\n2020,A,2020\n", NULL, TOLL_EREPORT,
                 "'Date' and 'date' both name the field 'date'");
}
END_TEST

START_TEST(csv_without_any_category_should_warn_listing_the_kept_fields)
{
    toll_reports *r = new_store();
    toll_error err;
    ck_assert_int_eq(load(r, "source,deaths,place\nA,5,X\n", &err), TOLL_OK);
    ck_assert_uint_eq(toll_reports_count(r), 1);
    ck_assert_uint_eq(toll_reports_warning_count(r), 1);
    const toll_error *w = toll_reports_warning(r, 0);
    ck_assert_ptr_nonnull(w);
    ck_assert_int_eq(w->code, TOLL_OK);
    ck_assert_str_eq(w->file, "reports.csv");
    ck_assert_ptr_nonnull(
        strstr(w->message, "no report carries any casualty category"));
    ck_assert_ptr_nonnull(strstr(w->message, "'deaths', 'place'"));
    ck_assert_ptr_nonnull(strstr(w->message, "--map"));
    ck_assert_ptr_null(toll_reports_warning(r, 1));
    /* a load with a category clears the warnings of the last one */
    ck_assert_int_eq(load(r, "source,killed\nA,5\n", &err), TOLL_OK);
    ck_assert_uint_eq(toll_reports_warning_count(r), 0);
    /* a load of no report at all does not warn */
    ck_assert_int_eq(load(r, "source,deaths\n", &err), TOLL_OK);
    ck_assert_uint_eq(toll_reports_warning_count(r), 0);
    toll_reports_free(r);
}
END_TEST

START_TEST(csv_warnings_should_survive_a_copy_and_go_with_a_failed_load)
{
    toll_reports *r = new_store(), *c = NULL;
    toll_error err;
    ck_assert_int_eq(load(r, "source,deaths\nA,5\n", &err), TOLL_OK);
    ck_assert_int_eq(toll_reports_copy(r, NULL, &c, &err), TOLL_OK);
    ck_assert_uint_eq(toll_reports_warning_count(c), 1);
    ck_assert_str_eq(toll_reports_warning(c, 0)->message,
                     toll_reports_warning(r, 0)->message);
    ck_assert_int_eq(load(r, "source,deaths\nA,5\n,6\n", &err), TOLL_EREPORT);
    ck_assert_uint_eq(toll_reports_warning_count(r), 0);
    toll_reports_free(c);
    toll_reports_free(r);
}
END_TEST

START_TEST(csv_dates_outside_the_window_should_be_record_errors)
{
    toll_reports *r = new_store();
    toll_error err;
    size_t n = 0;
    const char *csv = "source,killed,date\nA,1,2020-01-01\nB,2,8306-05-01\n"
                      "C,3,1899-12\n";
    ck_assert_int_eq(load(r, csv, &err), TOLL_EREPORT);
    ck_assert_int_eq(err.line, 3);
    ck_assert_str_eq(err.field, "date");
    ck_assert_str_eq(err.text, "8306-05-01");
    ck_assert_ptr_nonnull(strstr(err.message, "outside the window"));
    ck_assert_int_eq(load_map(r, csv, NULL, 1, &n, &err), TOLL_OK);
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_eq(toll_reports_reject_count(r), 2);
    ck_assert_int_eq(toll_reports_reject(r, 1)->line, 4);
    toll_reports_free(r);
}
END_TEST

START_TEST(csv_date_window_option_should_widen_and_be_checked)
{
    toll_reports *r = new_store();
    toll_error err;
    size_t n = 0;
    toll_load_options o;
    toll_load_options_init(&o);
    o.date_window_from = 1800;
    o.date_window_to = 9000;
    const char *csv = "source,killed,date_start,date_end\n"
                      "A,1,1850-01-01,8306-05-01\n";
    ck_assert_int_eq(toll_reports_load_buffer(r, csv, strlen(csv), "w.csv",
                                              &o, &n, &err),
                     TOLL_OK);
    ck_assert_uint_eq(n, 1);
    o.date_window_from = 2000;
    o.date_window_to = 1990;
    ck_assert_int_eq(toll_reports_load_buffer(r, csv, strlen(csv), "w.csv",
                                              &o, &n, &err),
                     TOLL_EINVAL);
    ck_assert_str_eq(err.field, "date_window");
    ck_assert_uint_eq(toll_reports_count(r), 1);
    toll_reports_free(r);
}
END_TEST

START_TEST(csv_files_with_unknown_extensions_should_need_a_format)
{
    char dir[] = "/tmp/toll_ext_XXXXXX", path[64];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/reports.md", dir);
    FILE *f = fopen(path, "w");
    ck_assert_ptr_nonnull(f);
    fputs("source,killed\nA,5\n", f);
    fclose(f);
    toll_reports *r = new_store();
    toll_error err;
    ck_assert_int_eq(toll_reports_load_file(r, path, NULL, NULL, &err),
                     TOLL_EINVAL);
    ck_assert_str_eq(err.file, path);
    ck_assert_ptr_nonnull(strstr(err.message, "unknown file extension '.md'"));
    ck_assert_ptr_nonnull(strstr(err.message, ".json, .jsonl, .ndjson or .csv"));
    toll_load_options o;
    toll_load_options_init(&o);
    o.format = TOLL_FORMAT_CSV;
    size_t n = 0;
    ck_assert_int_eq(toll_reports_load_file(r, path, &o, &n, &err), TOLL_OK);
    ck_assert_uint_eq(n, 1);
    /* a directory says so */
    ck_assert_int_eq(toll_reports_load_file(r, dir, &o, NULL, &err), TOLL_EIO);
    ck_assert_str_eq(err.file, dir);
    ck_assert_ptr_nonnull(strstr(err.message, "is a directory"));
    ck_assert_uint_eq(toll_reports_count(r), 1);
    toll_reports_free(r);
    unlink(path);
    rmdir(dir);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("ingest_csv");
    TCase *tc = tcase_create("csv");
    tcase_set_timeout(tc, 120);
    tcase_add_test(tc, csv_should_read_fields_by_header_names);
    tcase_add_test(tc, csv_should_use_the_separator_options);
    tcase_add_test(tc,
                   csv_should_give_the_exact_message_for_unreadable_quantities);
    tcase_add_test(tc, csv_quoted_newlines_should_keep_line_numbers);
    tcase_add_test(tc, csv_should_accept_crlf_and_cr_line_ends);
    tcase_add_test(tc, csv_ragged_rows_should_name_the_line);
    tcase_add_test(tc, csv_with_only_a_header_or_nothing_should_load_nothing);
    tcase_add_test(tc, csv_should_skip_a_bom_and_validate_utf8);
    tcase_add_test(tc, csv_header_problems_should_fail_the_load);
    tcase_add_test(tc, csv_validation_errors_should_name_the_record);
    tcase_add_test(tc, csv_map_should_read_low_high_pairs);
    tcase_add_test(tc, csv_map_pairs_should_reject_bad_counts_naming_the_column);
    tcase_add_test(tc, csv_map_should_read_low_best_high);
    tcase_add_test(tc, csv_map_should_build_regions_from_columns);
    tcase_add_test(tc, csv_map_should_rename_columns_and_set_constants);
    tcase_add_test(tc, csv_files_should_stream_across_chunks);
    tcase_add_test(tc, csv_should_read_the_airwars_file_with_a_map);
    tcase_add_test(tc, csv_out_of_memory_should_fail_cleanly);
    tcase_add_test(tc, csv_standard_names_should_match_in_any_case);
    tcase_add_test(tc, csv_headers_differing_only_by_case_should_fail_naming_both);
    tcase_add_test(tc,
                   csv_without_any_category_should_warn_listing_the_kept_fields);
    tcase_add_test(tc,
                   csv_warnings_should_survive_a_copy_and_go_with_a_failed_load);
    tcase_add_test(tc, csv_dates_outside_the_window_should_be_record_errors);
    tcase_add_test(tc, csv_date_window_option_should_widen_and_be_checked);
    tcase_add_test(tc, csv_files_with_unknown_extensions_should_need_a_format);
    suite_add_tcase(s, tc);
    return toll_test_run(s);
}
