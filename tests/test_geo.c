/* tests/test_geo.c - the place of a report: lat, lon, location and
 * precision_km (README, "Report format"), the presets that fill them, and
 * the dataset-qualified keys of presets. */
#define _POSIX_C_SOURCE 200809L
#include "testutil.h"

#include "io/io.h"
#include "io/csv/plan.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- helpers ----------------------------------------------------------------- */

static toll_reports *new_store(void)
{
    toll_reports *r = NULL;
    ck_assert_int_eq(toll_reports_new(NULL, &r, NULL), TOLL_OK);
    return r;
}

static const char *S(const toll_reports *r, uint32_t id)
{
    return toll__str(&r->strings, id);
}

/* Load `text` named `name` (its extension tells the format) with a
 * column map spec (NULL: none) and a preset (NULL: none). */
static toll_status load(toll_reports *r, const char *text, const char *name,
                        const char *map, const char *preset, int lenient,
                        toll_error *err)
{
    toll_load_options o;
    toll_load_options_init(&o);
    toll_colmap *m = NULL;
    if (map) {
        ck_assert_int_eq(toll_colmap_new(NULL, &m, NULL), TOLL_OK);
        ck_assert_int_eq(toll_colmap_parse(m, map, NULL), TOLL_OK);
        o.colmap = m;
    }
    o.preset = preset;
    o.lenient = lenient;
    o.format = strstr(name, ".csv")     ? TOLL_FORMAT_CSV
               : strstr(name, ".jsonl") ? TOLL_FORMAT_JSONL
                                        : TOLL_FORMAT_JSON;
    toll_status st =
        toll_reports_load_buffer(r, text, strlen(text), name, &o, NULL, err);
    toll_colmap_free(m);
    return st;
}

/* A strict load of `text` that must fail with TOLL_EREPORT on `line`,
 * naming `field` and `text_shown`, its message holding `fragment`, and
 * adding nothing; then a lenient load that rejects that record only. */
static void assert_record_error(const char *text, const char *name,
                                const char *map, const char *preset,
                                long line, const char *field,
                                const char *text_shown, const char *fragment,
                                size_t lenient_count)
{
    toll_reports *r = new_store();
    toll_error err;
    ck_assert_int_eq(load(r, text, name, map, preset, 0, &err), TOLL_EREPORT);
    ck_assert_int_eq(err.line, line);
    ck_assert_str_eq(err.field, field);
    ck_assert_str_eq(err.text, text_shown);
    ck_assert_msg(strstr(err.message, fragment), "message: %s", err.message);
    ck_assert_uint_eq(toll_reports_count(r), 0);
    ck_assert_int_eq(load(r, text, name, map, preset, 1, &err), TOLL_OK);
    ck_assert_uint_eq(toll_reports_count(r), lenient_count);
    ck_assert_uint_eq(toll_reports_reject_count(r), 1);
    ck_assert_int_eq(toll_reports_reject(r, 0)->line, line);
    ck_assert_str_eq(toll_reports_reject(r, 0)->field, field);
    toll_reports_free(r);
}

static double table_num(const toll_table *t, const char *name, size_t i)
{
    long j = toll_table_column_index(t, name);
    ck_assert_msg(j >= 0, "no column %s", name);
    ck_assert_int_eq(toll_table_column_type(t, (size_t)j), TOLL_COL_DOUBLE);
    return toll_table_double(t, (size_t)j)[i];
}

/* ---- reading the fields -------------------------------------------------------- */

/* The short decimals of real files are read without strtod (an exact
 * integer divided by a power of ten); the value must be strtod's, bit for
 * bit, for every sign, length and position of the point, and for the
 * longer forms that still go through strtod. */
START_TEST(coordinates_should_read_as_strtod_reads_them)
{
    srand(20261207);
    char text[64];
    for (long it = 0; it < 200000; it++) {
        int ndig = 1 + rand() % 17, point = rand() % (ndig + 1);
        size_t n = 0;
        if (rand() % 3 == 0)
            text[n++] = rand() % 2 ? '-' : '+';
        for (int d = 0; d < ndig; d++) {
            if (d == point && d > 0)
                text[n++] = '.';
            /* the integer part stays below 180: at most 2 digits */
            text[n++] = (char)('0' + (d < point && d < ndig - 2 && d > 1
                                          ? 0
                                          : rand() % 10));
        }
        if (point == ndig && rand() % 2)
            text[n++] = '.';
        if (it % 50 == 0)
            n += (size_t)sprintf(text + n, "e-%d", rand() % 3);
        text[n] = '\0';
        double got = -1;
        int rc = toll__geo_number(TOLL__GEO_LON, text, n, &got);
        double want = strtod(text, NULL) + 0.0;
        if (!(want >= -180 && want <= 180)) {
            ck_assert_int_eq(rc, TOLL__GEO_RANGE);
            continue;
        }
        ck_assert_msg(rc == TOLL__GEO_OK, "%s: %d", text, rc);
        ck_assert_msg(memcmp(&got, &want, sizeof got) == 0,
                      "%s: %.17g, strtod %.17g", text, got, want);
    }
}
END_TEST

START_TEST(json_coordinates_should_be_read_from_numbers_and_numeric_text)
{
    toll_reports *r = new_store();
    toll_error err;
    const char *text =
        "{\"source\": \"A\", \"lat\": 36.2, \"lon\": \"37.15\"}\n"
        "{\"source\": \"A\", \"lat\": \"-33.5e0\", \"lon\": -70}\n";
    ck_assert_msg(load(r, text, "g.jsonl", NULL, NULL, 0, &err) == TOLL_OK,
                  "%s", err.message);
    ck_assert_double_eq(r->lat[0], 36.2);
    ck_assert_double_eq(r->lon[0], 37.15);
    ck_assert_double_eq(r->lat[1], -33.5);
    ck_assert_double_eq(r->lon[1], -70);
    toll_reports_free(r);
}
END_TEST

START_TEST(csv_coordinates_should_be_read_from_columns_named_in_any_case)
{
    toll_reports *r = new_store();
    toll_error err;
    const char *text = "source,LAT,Lon,Location,Precision_KM\n"
                       "A,36.2,37.15,  Aleppo  ,25\n";
    ck_assert_msg(load(r, text, "g.csv", NULL, NULL, 0, &err) == TOLL_OK,
                  "%s", err.message);
    ck_assert_double_eq(r->lat[0], 36.2);
    ck_assert_double_eq(r->lon[0], 37.15);
    ck_assert_str_eq(S(r, r->location[0]), "Aleppo"); /* trimmed */
    ck_assert_float_eq(r->precision_km[0], 25);
    ck_assert_ptr_null(report_extra(r, 0, "LAT")); /* a field, not kept */
    toll_reports_free(r);
}
END_TEST

START_TEST(empty_null_or_missing_coordinates_should_be_none)
{
    toll_reports *r = new_store();
    toll_error err;
    const char *text = "{\"source\": \"A\", \"lat\": null, \"lon\": null}\n"
                       "{\"source\": \"A\", \"lat\": \"\", \"lon\": \" \"}\n"
                       "{\"source\": \"A\"}\n";
    ck_assert_msg(load(r, text, "g.jsonl", NULL, NULL, 0, &err) == TOLL_OK,
                  "%s", err.message);
    for (size_t i = 0; i < 3; i++) {
        ck_assert(isnan(r->lat[i]) && isnan(r->lon[i]));
        ck_assert_uint_eq(r->location[i], 0);
        ck_assert(!toll__precision_stated(r->precision_km[i]));
    }
    toll_reports_free(r);
}
END_TEST

START_TEST(a_column_map_should_feed_the_place_fields)
{
    toll_reports *r = new_store();
    toll_error err;
    const char *text = "source,Y,X,place,radius\nA,36.2,37.15,Aleppo,5\n";
    ck_assert_msg(load(r, text, "g.csv",
                       "lat=Y,lon=X,location=place,precision_km=radius", NULL,
                       0, &err) == TOLL_OK,
                  "%s", err.message);
    ck_assert_double_eq(r->lat[0], 36.2);
    ck_assert_double_eq(r->lon[0], 37.15);
    ck_assert_str_eq(S(r, r->location[0]), "Aleppo");
    ck_assert_float_eq(r->precision_km[0], 5);
    toll_reports_free(r);
}
END_TEST

START_TEST(csv_plan_and_generic_path_should_store_the_same_place)
{
    const char *text = "source,lat,lon,location,precision_km\n"
                       "A,36.2,37.15,Aleppo,0\nA,,,Idlib,\nA,1,2,,\n";
    toll_reports *a = new_store(), *b = new_store();
    toll_error err;
    ck_assert_int_eq(load(a, text, "g.csv", NULL, NULL, 0, &err), TOLL_OK);
    toll__plan_set_enabled(0);
    ck_assert_int_eq(load(b, text, "g.csv", NULL, NULL, 0, &err), TOLL_OK);
    toll__plan_set_enabled(1);
    for (size_t i = 0; i < 3; i++) {
        ck_assert(memcmp(&a->lat[i], &b->lat[i], sizeof a->lat[i]) == 0);
        ck_assert(memcmp(&a->lon[i], &b->lon[i], sizeof a->lon[i]) == 0);
        ck_assert(memcmp(&a->precision_km[i], &b->precision_km[i],
                         sizeof a->precision_km[i]) == 0);
        ck_assert_uint_eq(a->location[i], b->location[i]);
    }
    ck_assert(toll__precision_stated(a->precision_km[0])); /* a stated 0 */
    ck_assert(!toll__precision_stated(a->precision_km[2]));
    toll_reports_free(a);
    toll_reports_free(b);
}
END_TEST

/* ---- bad input: one record error each -------------------------------------------- */

START_TEST(lat_without_lon_should_be_a_record_error_naming_lon)
{
    assert_record_error("source,lat,lon,killed\nA,36.2,,1\nA,1,2,1\n", "g.csv",
                        NULL, NULL, 2, "lon", "36.2", "'lon' is missing", 1);
}
END_TEST

START_TEST(lon_without_lat_should_be_a_record_error_naming_lat)
{
    assert_record_error("{\"source\": \"A\", \"lon\": 37}\n"
                        "{\"source\": \"A\"}\n",
                        "g.jsonl", NULL, NULL, 1, "lat", "37",
                        "'lat' is missing", 1);
}
END_TEST

START_TEST(lat_out_of_range_should_be_a_record_error)
{
    assert_record_error("source,lat,lon\nA,1,2\nA,91,2\n", "g.csv", NULL,
                        NULL, 3, "lat", "91", "is out of range", 1);
}
END_TEST

START_TEST(lon_out_of_range_should_be_a_record_error)
{
    assert_record_error("source,lat,lon\nA,1,-181\n", "g.csv", NULL, NULL, 2,
                        "lon", "-181", "is out of range", 0);
}
END_TEST

START_TEST(a_coordinate_that_is_not_a_number_should_be_a_record_error)
{
    assert_record_error("source,lat,lon\nA,abc,2\n", "g.csv", NULL, NULL, 2,
                        "lat", "abc", "is not a number", 0);
    assert_record_error("source,lat,lon\nA,nan,2\n", "g.csv", NULL, NULL, 2,
                        "lat", "nan", "is not a number", 0);
    assert_record_error("source,lat,lon\nA,1,inf\n", "g.csv", NULL, NULL, 2,
                        "lon", "inf", "is not a number", 0);
    assert_record_error("{\"source\": \"A\", \"lat\": 1e999, \"lon\": 1}\n",
                        "g.jsonl", NULL, NULL, 1, "lat", "1e999",
                        "is out of range", 0);
    assert_record_error("{\"source\": \"A\", \"lat\": [1], \"lon\": 1}\n",
                        "g.jsonl", NULL, NULL, 1, "lat", "[1]",
                        "expected a number", 0);
}
END_TEST

START_TEST(a_precision_out_of_range_should_be_a_record_error)
{
    assert_record_error("source,lat,lon,precision_km\nA,1,2,-1\n", "g.csv",
                        NULL, NULL, 2, "precision_km", "-1",
                        "is out of range", 0);
    assert_record_error("source,lat,lon,precision_km\nA,1,2,20037.6\n",
                        "g.csv", NULL, NULL, 2, "precision_km", "20037.6",
                        "is out of range", 0);
}
END_TEST

START_TEST(a_precision_without_coordinates_should_be_a_record_error)
{
    assert_record_error("source,lat,lon,precision_km\nA,,,25\n", "g.csv", NULL,
                        NULL, 2, "precision_km", "25",
                        "without coordinates", 0);
}
END_TEST

START_TEST(a_mapped_coordinate_error_should_name_the_input_column)
{
    assert_record_error("source,Y,X\nA,95,2\n", "g.csv", "lat=Y,lon=X", NULL,
                        2, "Y", "95", "is out of range", 0);
}
END_TEST

/* ---- the store's functions carry the columns --------------------------------- */

START_TEST(reports_table_should_show_the_place_columns)
{
    toll_reports *r = new_store();
    toll_error err;
    const char *text = "source,lat,lon,location,precision_km\n"
                       "A,36.2,37.15,Aleppo,0\nA,1,2,,\nA,,,,\n";
    ck_assert_int_eq(load(r, text, "g.csv", NULL, NULL, 0, &err), TOLL_OK);
    toll_table *t = NULL;
    ck_assert_int_eq(toll_reports_table(r, NULL, &t, &err), TOLL_OK);
    ck_assert_str_eq(toll_table_column_name(t, 12), "lat");
    ck_assert_str_eq(toll_table_column_name(t, 13), "lon");
    ck_assert_str_eq(toll_table_column_name(t, 14), "location");
    ck_assert_str_eq(toll_table_column_name(t, 15), "precision_km");
    ck_assert_double_eq(table_num(t, "lat", 0), 36.2);
    ck_assert_double_eq(table_num(t, "lon", 0), 37.15);
    ck_assert_str_eq(toll_table_string(t, 14, 0), "Aleppo");
    ck_assert_double_eq(table_num(t, "precision_km", 0), 0); /* stated */
    ck_assert(!signbit(table_num(t, "precision_km", 0)));
    ck_assert(isnan(table_num(t, "precision_km", 1)));      /* not stated */
    ck_assert(isnan(table_num(t, "lat", 2)));
    ck_assert_ptr_null(toll_table_string(t, 14, 2));
    toll_table_free(t);
    toll_reports_free(r);
}
END_TEST

START_TEST(a_copy_should_carry_the_place_columns)
{
    toll_reports *r = new_store(), *c = NULL;
    toll_error err;
    ck_assert_int_eq(load(r, "source,lat,lon,location,precision_km\n"
                             "A,36.2,37.15,Aleppo,3\n",
                          "g.csv", NULL, NULL, 0, &err),
                     TOLL_OK);
    ck_assert_int_eq(toll_reports_copy(r, NULL, &c, &err), TOLL_OK);
    toll_reports_free(r);
    ck_assert_double_eq(c->lat[0], 36.2);
    ck_assert_double_eq(c->lon[0], 37.15);
    ck_assert_str_eq(S(c, c->location[0]), "Aleppo");
    ck_assert_float_eq(c->precision_km[0], 3);
    toll_reports_free(c);
}
END_TEST

START_TEST(a_split_load_should_keep_the_place_of_every_report)
{
    /* ~200 KiB: split on two threads (threads = 2) */
    toll__buf b;
    toll_allocator a;
    toll__alloc_init(&a, NULL);
    toll__buf_init(&b, &a);
    ck_assert_int_eq(toll__buf_appendf(&b, "source,lat,lon,location,"
                                           "precision_km,killed\n"),
                     TOLL_OK);
    for (int i = 0; i < 6000; i++)
        ck_assert_int_eq(toll__buf_appendf(&b, "S%d,%d.5,%d.25,place %d,%d,1\n",
                                           i % 7, i % 80, i % 170, i % 300,
                                           i % 50),
                         TOLL_OK);
    toll_reports *one = new_store(), *two = new_store();
    toll_load_options o;
    toll_load_options_init(&o);
    o.format = TOLL_FORMAT_CSV;
    o.threads = 1;
    toll_error err;
    ck_assert_int_eq(toll_reports_load_buffer(one, b.data, b.len, "g.csv", &o,
                                              NULL, &err),
                     TOLL_OK);
    o.threads = 2;
    ck_assert_int_eq(toll_reports_load_buffer(two, b.data, b.len, "g.csv", &o,
                                              NULL, &err),
                     TOLL_OK);
    ck_assert_uint_eq(one->n, 6000);
    ck_assert_uint_eq(two->n, 6000);
    for (size_t i = 0; i < 6000; i++) {
        ck_assert_double_eq(one->lat[i], two->lat[i]);
        ck_assert_double_eq(one->lon[i], two->lon[i]);
        ck_assert_float_eq(one->precision_km[i], two->precision_km[i]);
        ck_assert_str_eq(S(one, one->location[i]), S(two, two->location[i]));
    }
    ck_assert_double_eq(two->lat[5999], 5999 % 80 + 0.5);
    toll_reports_free(one);
    toll_reports_free(two);
    toll__buf_free(&b);
}
END_TEST

START_TEST(a_failed_strict_load_should_roll_back_the_place_columns)
{
    toll_reports *r = new_store();
    toll_error err;
    ck_assert_int_eq(load(r, "source,lat,lon,location\nA,1,2,Here\n", "g.csv",
                          NULL, NULL, 0, &err),
                     TOLL_OK);
    ck_assert_int_eq(load(r, "source,lat,lon,location\nB,3,4,There\nB,91,1,X\n",
                          "h.csv", NULL, NULL, 0, &err),
                     TOLL_EREPORT);
    ck_assert_uint_eq(toll_reports_count(r), 1);
    ck_assert_double_eq(r->lat[0], 1);
    ck_assert_str_eq(S(r, r->location[0]), "Here");
    toll_reports_free(r);
}
END_TEST

/* ---- presets ------------------------------------------------------------------- */

#define GED_GEO_HEADER                                                       \
    "id,side_a,side_b,country,adm_1,adm_2,where_prec,where_coordinates,"     \
    "latitude,longitude,date_start,date_end,low,best,high\n"

START_TEST(ucdp_preset_should_fill_the_place_and_translate_where_prec)
{
    toll_reports *r = new_store();
    toll_error err;
    const char *text = GED_GEO_HEADER
        "300380,Gov,IS,Syria,Aleppo,,2,Al Bab town,36.37,37.51,"
        "2017-01-01,2017-01-01,1,2,3\n"
        "300381,Gov,IS,Syria,Aleppo,,1,Manbij,36.52,37.95,"
        "2017-01-02,2017-01-02,1,1,1\n";
    ck_assert_msg(load(r, text, "ged.csv", NULL, "ucdp-ged", 0, &err) ==
                      TOLL_OK,
                  "%s", err.message);
    ck_assert_double_eq(r->lat[0], 36.37);
    ck_assert_double_eq(r->lon[0], 37.51);
    ck_assert_str_eq(S(r, r->location[0]), "Al Bab town");
    ck_assert_float_eq(r->precision_km[0], 25);
    ck_assert_float_eq(r->precision_km[1], 0);
    ck_assert(toll__precision_stated(r->precision_km[1])); /* exact place */
    ck_assert_str_eq(report_extra(r, 0, "where_prec"), "2"); /* still kept */
    ck_assert_ptr_null(report_extra(r, 0, "latitude"));
    toll_reports_free(r);
}
END_TEST

START_TEST(ucdp_preset_should_reject_an_unknown_where_prec_code)
{
    const char *text = GED_GEO_HEADER
        "1,Gov,IS,Syria,,,9,X,36,37,2017-01-01,2017-01-01,1,1,1\n";
    assert_record_error(text, "ged.csv", NULL, "ucdp-ged", 2, "where_prec",
                        "9", "unknown where_prec code \"9\"", 0);
}
END_TEST

START_TEST(a_user_precision_map_should_replace_the_preset_codes)
{
    toll_reports *r = new_store();
    toll_error err;
    const char *text = "id,side_a,side_b,country,adm_1,adm_2,where_prec,"
                       "where_coordinates,latitude,longitude,date_start,"
                       "date_end,low,best,high,radius\n"
                       "1,Gov,IS,Syria,,,9,X,36,37,2017-01-01,2017-01-01,"
                       "1,1,1,7.5\n";
    ck_assert_msg(load(r, text, "ged.csv", "precision_km=radius", "ucdp-ged",
                       0, &err) == TOLL_OK,
                  "%s", err.message);
    ck_assert_float_eq(r->precision_km[0], 7.5);
    ck_assert_str_eq(report_extra(r, 0, "where_prec"), "9");
    toll_reports_free(r);
}
END_TEST

START_TEST(acled_preset_should_translate_geo_precision)
{
    toll_reports *r = new_store();
    toll_error err;
    toll_load_options o;
    toll_load_options_init(&o);
    o.preset = "acled";
    ck_assert_msg(toll_reports_load_file(r,
                                         TOLL_TEST_DATA_DIR "/acled_sample.csv",
                                         &o, NULL, &err) == TOLL_OK,
                  "%s", err.message);
    ck_assert_double_eq(r->lat[0], 35.8);
    ck_assert_double_eq(r->lon[0], 36.6);
    ck_assert_str_eq(S(r, r->location[0]), "Ariha");
    ck_assert_float_eq(r->precision_km[0], 2); /* geo_precision 1 */
    ck_assert_str_eq(report_extra(r, 0, "geo_precision"), "1");
    toll_reports_free(r);
}
END_TEST

START_TEST(airwars_preset_should_fill_the_place_and_key_by_incident_code)
{
    toll_reports *r = new_store();
    toll_error err;
    toll_load_options o;
    toll_load_options_init(&o);
    o.preset = "airwars";
    ck_assert_msg(toll_reports_load_file(
                      r, TOLL_TEST_DATA_DIR "/airwars_sample.csv", &o, NULL,
                      &err) == TOLL_OK,
                  "%s", err.message);
    ck_assert_str_eq(S(r, r->incident[0]), "airwars:XS001");
    ck_assert_str_eq(S(r, r->id[0]), "900001");
    ck_assert(isnan(r->lat[0])); /* blank in the sample */
    ck_assert_str_eq(S(r, r->location[0]), "Somewhere, Aleppo");
    toll_reports_free(r);
}
END_TEST

START_TEST(ibc_preset_should_keep_location_as_note_and_location)
{
    toll_reports *r = new_store();
    toll_error err;
    toll_load_options o;
    toll_load_options_init(&o);
    o.preset = "ibc";
    o.lenient = 1;
    ck_assert_int_eq(toll_reports_load_file(r,
                                            TOLL_TEST_DATA_DIR "/ibc_sample.csv",
                                            &o, NULL, &err),
                     TOLL_OK);
    ck_assert_str_eq(S(r, r->location[1]), "Basra, caf\xC3\xA9 district");
    ck_assert_str_eq(S(r, r->note[1]), "Basra, caf\xC3\xA9 district");
    ck_assert_str_eq(S(r, r->incident[1]), "ibc:2");
    toll_reports_free(r);
}
END_TEST

START_TEST(a_user_incident_map_should_give_unqualified_keys)
{
    toll_reports *r = new_store();
    toll_error err;
    const char *text = GED_GEO_HEADER
        "300380,Gov,IS,Syria,,,1,X,36,37,2017-01-01,2017-01-01,1,1,1\n";
    ck_assert_msg(load(r, text, "ged.csv", "incident=id", "ucdp-ged", 0,
                       &err) == TOLL_OK,
                  "%s", err.message);
    ck_assert_str_eq(S(r, r->incident[0]), "300380");
    toll_reports_free(r);
}
END_TEST

START_TEST(preset_keys_of_two_datasets_should_never_merge)
{
    /* GED event 300380 and Airwars incident "300380": one key as written,
     * two incidents once qualified */
    toll_reports *r = new_store();
    toll_error err;
    const char *ged = GED_GEO_HEADER
        "300380,Gov,IS,Syria,,,1,X,36,37,2017-01-01,2017-01-01,1,1,1\n";
    const char *aw =
        "airwars_id,incident_code,incident_date,country,region_en,"
        "alleged_belligerent,civilian_deaths_min,civilian_deaths_max,"
        "civilian_injuries_min,civilian_injuries_max,children_killed_min,"
        "children_killed_max,women_killed_min,women_killed_max,"
        "men_killed_min,men_killed_max,militants_killed_min,"
        "militants_killed_max,canonical_url,grading_en,latitude,longitude,"
        "location_en\n"
        "9,300380,2017-01-01,Syria,Aleppo,Russia,2,4,,,,,,,,,,,u,Fair,36,37,"
        "X\n";
    ck_assert_msg(load(r, ged, "ged.csv", NULL, "ucdp-ged", 0, &err) ==
                      TOLL_OK,
                  "%s", err.message);
    ck_assert_msg(load(r, aw, "aw.csv", NULL, "airwars", 0, &err) == TOLL_OK,
                  "%s", err.message);
    ck_assert_uint_eq(toll_reports_count(r), 2);
    ck_assert_str_eq(S(r, r->incident[0]), "ucdp-ged:300380");
    ck_assert_str_eq(S(r, r->incident[1]), "airwars:300380");
    toll_incidents *inc = NULL;
    ck_assert_int_eq(toll_reconcile(r, NULL, NULL, &inc, &err), TOLL_OK);
    ck_assert_uint_eq(toll_incidents_count(inc), 2);
    toll_incidents_free(inc);
    toll_reports_free(r);
}
END_TEST

/* The real files (TOLL_SHARED_DATA): GED Syria and Airwars Syria in one
 * store share no key. */
START_TEST(real_ged_and_airwars_should_share_no_key)
{
    char ged[1024], aw[1024];
    if (!toll_test_shared_path(ged, sizeof ged,
                               "ucdp/ucdp_ged_syria_2016_2019.csv") ||
        !toll_test_shared_path(aw, sizeof aw,
                               "airwars/airwars_syria_incidents_normalized_"
                               "996.csv"))
        return;
    toll_reports *r = new_store();
    toll_error err;
    toll_load_options o;
    toll_load_options_init(&o);
    o.preset = "ucdp-ged";
    o.lenient = 1;
    ck_assert_msg(toll_reports_load_file(r, ged, &o, NULL, &err) == TOLL_OK,
                  "%s", err.message);
    size_t n_ged = toll_reports_count(r);
    o.preset = "airwars";
    ck_assert_msg(toll_reports_load_file(r, aw, &o, NULL, &err) == TOLL_OK,
                  "%s", err.message);
    size_t n = toll_reports_count(r);
    ck_assert_uint_gt(n_ged, 1000);
    ck_assert_uint_gt(n, n_ged);
    size_t with_place = 0;
    for (size_t i = 0; i < n; i++) {
        const char *k = S(r, r->incident[i]);
        ck_assert_msg(strncmp(k, i < n_ged ? "ucdp-ged:" : "airwars:",
                              i < n_ged ? 9 : 8) == 0,
                      "report %zu: key %s", i, k);
        with_place += !isnan(r->lat[i]);
    }
    ck_assert_uint_gt(with_place, n_ged / 2);
    toll_reports_free(r);
}
END_TEST

static Suite *geo_suite(void)
{
    Suite *s = suite_create("geo");
    TCase *tc = tcase_create("fields");
    tcase_add_test(tc,
                   json_coordinates_should_be_read_from_numbers_and_numeric_text);
    tcase_add_test(tc,
                   csv_coordinates_should_be_read_from_columns_named_in_any_case);
    tcase_add_test(tc, empty_null_or_missing_coordinates_should_be_none);
    tcase_add_test(tc, coordinates_should_read_as_strtod_reads_them);
    tcase_add_test(tc, a_column_map_should_feed_the_place_fields);
    tcase_add_test(tc, csv_plan_and_generic_path_should_store_the_same_place);
    suite_add_tcase(s, tc);

    tc = tcase_create("errors");
    tcase_add_test(tc, lat_without_lon_should_be_a_record_error_naming_lon);
    tcase_add_test(tc, lon_without_lat_should_be_a_record_error_naming_lat);
    tcase_add_test(tc, lat_out_of_range_should_be_a_record_error);
    tcase_add_test(tc, lon_out_of_range_should_be_a_record_error);
    tcase_add_test(tc,
                   a_coordinate_that_is_not_a_number_should_be_a_record_error);
    tcase_add_test(tc, a_precision_out_of_range_should_be_a_record_error);
    tcase_add_test(tc,
                   a_precision_without_coordinates_should_be_a_record_error);
    tcase_add_test(tc, a_mapped_coordinate_error_should_name_the_input_column);
    suite_add_tcase(s, tc);

    tc = tcase_create("store");
    tcase_add_test(tc, reports_table_should_show_the_place_columns);
    tcase_add_test(tc, a_copy_should_carry_the_place_columns);
    tcase_add_test(tc, a_split_load_should_keep_the_place_of_every_report);
    tcase_add_test(tc, a_failed_strict_load_should_roll_back_the_place_columns);
    suite_add_tcase(s, tc);

    tc = tcase_create("presets");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc,
                   ucdp_preset_should_fill_the_place_and_translate_where_prec);
    tcase_add_test(tc, ucdp_preset_should_reject_an_unknown_where_prec_code);
    tcase_add_test(tc, a_user_precision_map_should_replace_the_preset_codes);
    tcase_add_test(tc, acled_preset_should_translate_geo_precision);
    tcase_add_test(tc,
                   airwars_preset_should_fill_the_place_and_key_by_incident_code);
    tcase_add_test(tc, ibc_preset_should_keep_location_as_note_and_location);
    tcase_add_test(tc, a_user_incident_map_should_give_unqualified_keys);
    tcase_add_test(tc, preset_keys_of_two_datasets_should_never_merge);
    tcase_add_test(tc, real_ged_and_airwars_should_share_no_key);
    suite_add_tcase(s, tc);
    return s;
}

int main(void) { return toll_test_run(geo_suite()); }
