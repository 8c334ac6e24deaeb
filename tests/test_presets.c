/* tests/test_presets.c - import presets (UCDP GED, ACLED, Airwars, IBC),
 * repairs, encodings and date formats; on committed fixtures, and on the
 * real files in $TOLL_SHARED_DATA when it is set. */
#define _POSIX_C_SOURCE 200809L
#include "testutil.h"

#include "io/io.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef TOLL_TEST_DATA_DIR
#define TOLL_TEST_DATA_DIR "tests/data"
#endif
#ifndef TOLL_EXAMPLE_DATA_DIR
#define TOLL_EXAMPLE_DATA_DIR "data"
#endif

#define UCDP_SAMPLE TOLL_EXAMPLE_DATA_DIR "/ucdp/ged241_myanmar_sample.csv"

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

static const char *label(const toll_reports *r, size_t i)
{
    return S(r, r->actor_sets.label[r->actors[i]]);
}




static int32_t ymd(int y, int m, int d) { return toll_date_from_ymd(y, m, d); }

/* Load `text` (CSV) with a preset and options. */
static toll_status load_text(toll_reports *r, const char *text,
                             const char *preset, int repair, int lenient,
                             size_t *n, toll_error *err)
{
    toll_load_options o;
    toll_load_options_init(&o);
    o.format = TOLL_FORMAT_CSV;
    o.preset = preset;
    o.repair = repair;
    o.lenient = lenient;
    return toll_reports_load_buffer(r, text, strlen(text), "ged.csv", &o, n,
                                    err);
}

static toll_status load_path(toll_reports *r, const char *path,
                             const char *preset, int lenient, size_t *n,
                             toll_error *err)
{
    toll_load_options o;
    toll_load_options_init(&o);
    o.preset = preset;
    o.lenient = lenient;
    return toll_reports_load_file(r, path, &o, n, err);
}

/* A GED header and rows: id,relid,type_of_violence,dyad_new_id,side_a,
 * side_b,country,adm_1,adm_2,date_prec,where_prec,date_start,date_end,
 * low,best,high (the real files have more columns; the preset needs
 * these). */
#define GED_HEADER                                                           \
    "id,relid,type_of_violence,dyad_new_id,side_a,side_b,country,adm_1,"      \
    "adm_2,date_prec,where_prec,date_start,date_end,low,best,high\n"

/* ---- the preset table ----------------------------------------------------------- */

START_TEST(preset_find_should_accept_names_and_aliases)
{
    const toll_preset *p = NULL;
    ck_assert_uint_eq(toll_preset_count(), 4);
    ck_assert_int_eq(toll_preset_find("ucdp-ged", &p, NULL), TOLL_OK);
    ck_assert_str_eq(p->name, "ucdp-ged");
    ck_assert_int_eq(toll_preset_find("UCDP", &p, NULL), TOLL_OK);
    ck_assert_str_eq(p->name, "ucdp-ged");
    ck_assert_int_eq(toll_preset_find("Airwars", &p, NULL), TOLL_OK);
    ck_assert_str_eq(p->name, "airwars");
    ck_assert_int_eq(p->actor_separator, ',');
    ck_assert_int_eq(toll_preset_find("ibc", &p, NULL), TOLL_OK);
    ck_assert_str_eq(p->encoding, "latin-1");
    for (size_t i = 0; i < toll_preset_count(); i++) {
        /* every preset's map parses */
        toll_colmap *m = NULL;
        toll_error err;
        ck_assert_int_eq(toll_colmap_new(NULL, &m, NULL), TOLL_OK);
        ck_assert_msg(toll_colmap_parse(m, toll_preset_at(i)->colmap, &err) ==
                          TOLL_OK,
                      "%s: %s", toll_preset_at(i)->name, err.message);
        toll_colmap_free(m);
    }
    ck_assert_ptr_null(toll_preset_at(4));
}
END_TEST

START_TEST(unknown_presets_and_options_should_be_option_errors)
{
    toll_reports *r = new_store();
    toll_error err;
    const toll_preset *p = (const toll_preset *)1;
    ck_assert_int_eq(toll_preset_find("gdelt", &p, &err), TOLL_ENOTFOUND);
    ck_assert_ptr_null(p);
    ck_assert_ptr_nonnull(strstr(err.message, "unknown preset 'gdelt'"));
    ck_assert_int_eq(load_text(r, "source\na\n", "gdelt", 0, 0, NULL, &err),
                     TOLL_EINVAL);
    ck_assert_str_eq(err.field, "preset");

    toll_load_options o;
    toll_load_options_init(&o);
    o.encoding = "ebcdic";
    ck_assert_int_eq(toll_reports_load_buffer(r, "source\na\n", 9, "x.csv", &o,
                                              NULL, &err),
                     TOLL_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.message, "unknown encoding 'ebcdic'"));
    o.encoding = NULL;
    o.date_format = "%d-%q-%y";
    ck_assert_int_eq(toll_reports_load_buffer(r, "source\na\n", 9, "x.csv", &o,
                                              NULL, &err),
                     TOLL_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.message, "unknown directive '%q'"));
    o.date_format = "%d-%m";
    ck_assert_int_eq(toll_reports_load_buffer(r, "source\na\n", 9, "x.csv", &o,
                                              NULL, &err),
                     TOLL_EINVAL);
    ck_assert_ptr_nonnull(strstr(err.message, "needs a year"));
    o.date_format = NULL;
    o.repair = 7;
    ck_assert_int_eq(toll_reports_load_buffer(r, "source\na\n", 9, "x.csv", &o,
                                              NULL, &err),
                     TOLL_EINVAL);
    ck_assert_uint_eq(toll_reports_count(r), 0);
    toll_reports_free(r);
}
END_TEST

/* ---- UCDP GED ------------------------------------------------------------------ */

START_TEST(ucdp_preset_should_make_one_report_per_event)
{
    toll_reports *r = new_store();
    toll_error err;
    size_t n = 0;
    ck_assert_msg(load_path(r, UCDP_SAMPLE, "ucdp-ged", 0, &n, &err) ==
                      TOLL_OK,
                  "%s", err.message);
    ck_assert_uint_eq(n, 113);
    ck_assert_uint_eq(toll_reports_reject_count(r), 0);
    /* the first event: id 48528, one-sided violence in Rakhine, 1992 */
    ck_assert_str_eq(S(r, r->incident[0]), "ucdp-ged:48528"); /* qualified */
    ck_assert_str_eq(S(r, r->id[0]), "48528");
    ck_assert_str_eq(S(r, r->source[0]), "UCDP GED");
    ck_assert_int_eq(r->source_kind[0], TOLL_SOURCE_MONITOR);
    ck_assert_str_eq(label(r, 0), "Civilians + Government of Myanmar (Burma)");
    ck_assert_str_eq(S(r, r->region[0]), "Myanmar (Burma)/Rakhine state");
    ck_assert_int_eq(r->date_start[0], ymd(1992, 2, 29));
    ck_assert_int_eq(r->date_end[0], ymd(1992, 2, 29));
    assert_qcell(report_cell(r, 0, "killed"), 34, 34, 34);
    ck_assert_str_eq(report_extra(r, 0, "type_of_violence"), "3");
    ck_assert_str_eq(report_extra(r, 0, "dyad_dset_id"), "144");
    ck_assert_str_eq(report_extra(r, 0, "relid"), "MYA-1992-3-775-5");
    ck_assert_ptr_nonnull(report_extra(r, 0, "dyad_new_id"));
    ck_assert_ptr_nonnull(report_extra(r, 0, "conflict_new_id"));
    ck_assert_ptr_nonnull(report_extra(r, 0, "date_prec"));
    ck_assert_ptr_nonnull(report_extra(r, 0, "where_prec"));
    ck_assert_str_eq(report_extra(r, 0, "active_year"), "TRUE");
    ck_assert_str_eq(report_extra(r, 0, "region"), "Asia"); /* UCDP's own region */
    /* mapped columns are not kept twice */
    ck_assert_ptr_null(report_extra(r, 0, "side_a"));
    ck_assert_ptr_null(report_extra(r, 0, "low"));
    ck_assert_ptr_null(report_extra(r, 0, "adm_1"));
    ck_assert_uint_eq(toll_reports_category_count(r), 1);
    ck_assert_str_eq(toll_reports_category(r, 0), "killed");
    toll_reports_free(r);
}
END_TEST

START_TEST(ucdp_preset_should_read_the_three_date_forms)
{
    toll_reports *r = new_store();
    toll_error err;
    const char *text =
        GED_HEADER
        "1,R1,1,11,Gov,Rebels,Myanmar,Kachin state,,1,2,2022-11-05,"
        "2022-11-05,1,2,3\n"
        "2,R2,1,11,Gov,Rebels,Myanmar,Kachin state,,1,2,"
        "2022-11-05 00:00:00.000,2022-11-07 00:00:00.000,0,0,0\n"
        "3,R3,3,12,Gov,Civilians,Myanmar,,,4,5,2022-11-05T00:00:00,"
        "2022-11-30T00:00:00,5,5,9\n";
    ck_assert_msg(load_text(r, text, "ucdp-ged", 0, 0, NULL, &err) == TOLL_OK,
                  "%s", err.message);
    ck_assert_int_eq(r->date_start[0], ymd(2022, 11, 5));
    ck_assert_int_eq(r->date_end[0], ymd(2022, 11, 5));
    ck_assert_int_eq(r->date_start[1], ymd(2022, 11, 5));
    ck_assert_int_eq(r->date_end[1], ymd(2022, 11, 7));
    ck_assert_int_eq(r->date_start[2], ymd(2022, 11, 5));
    ck_assert_int_eq(r->date_end[2], ymd(2022, 11, 30));
    assert_qcell(report_cell(r, 0, "killed"), 1, 3, 2);
    assert_qcell(report_cell(r, 1, "killed"), 0, 0, 0);
    ck_assert_str_eq(S(r, r->region[0]), "Myanmar/Kachin state");
    ck_assert_str_eq(S(r, r->region[2]), "Myanmar");
    ck_assert_str_eq(label(r, 2), "Civilians + Gov");
    ck_assert_str_eq(report_extra(r, 2, "date_prec"), "4");
    ck_assert_uint_eq(toll_reports_repair_count(r), 0);
    toll_reports_free(r);
}
END_TEST

START_TEST(ucdp_preset_should_repair_figures_out_of_order_and_list_them)
{
    toll_reports *r = new_store();
    toll_error err;
    const char *text = GED_HEADER
        "1,R1,1,11,Gov,Rebels,Myanmar,,,1,1,2019-01-01,2019-01-01,46,37,31\n"
        "2,R2,1,11,Gov,Rebels,Myanmar,,,1,1,2019-01-02,2019-01-02,0,3,0\n"
        "3,R3,1,11,Gov,Rebels,Myanmar,,,1,1,2019-01-03,2019-01-03,1,0,3\n"
        "4,R4,1,11,Gov,Rebels,Myanmar,,,1,1,2019-01-04,2019-01-04,2,4,9\n";
    size_t n = 0;
    ck_assert_msg(load_text(r, text, "ucdp-ged", TOLL_REPAIR_DEFAULT, 0, &n,
                            &err) == TOLL_OK,
                  "%s", err.message);
    ck_assert_uint_eq(n, 4);
    assert_qcell(report_cell(r, 0, "killed"), 31, 46, 37);
    assert_qcell(report_cell(r, 1, "killed"), 0, 3, 3);
    assert_qcell(report_cell(r, 2, "killed"), 0, 3, 0);
    assert_qcell(report_cell(r, 3, "killed"), 2, 9, 4); /* consistent: unchanged */
    ck_assert_uint_eq(toll_reports_repair_count(r), 3);
    toll_error rep;
    ck_assert_int_eq(toll_reports_repair(r, 0, &rep), TOLL_OK);
    ck_assert_int_eq(rep.code, TOLL_OK);
    ck_assert_str_eq(rep.file, "ged.csv");
    ck_assert_int_eq(rep.line, 2);
    ck_assert_int_eq(rep.record, 0);
    ck_assert_str_eq(rep.field, "killed");
    ck_assert_str_eq(rep.text, "low 46, best 37, high 31");
    ck_assert_str_eq(rep.message,
                     "ged.csv:2: field 'killed': low 46, best 37, high 31: "
                     "out of order; range widened to low 31, high 46 (best "
                     "37 kept)");
    ck_assert_int_eq(toll_reports_repair(r, 2, &rep), TOLL_OK);
    ck_assert_int_eq(rep.line, 4);
    ck_assert_str_eq(rep.text, "low 1, best 0, high 3");
    ck_assert_int_eq(toll_reports_repair(r, 3, &rep), TOLL_ERANGE);
    /* an input column cannot pose as a repair */
    ck_assert_int_eq(load_text(r, "source,toll:repair\nx,0\x1fk\x1ft\x1fm\n",
                               NULL, 0, 0, NULL, &err),
                     TOLL_OK);
    ck_assert_uint_eq(toll_reports_repair_count(r), 3);
    /* the repairs stay with their reports after another load */
    ck_assert_int_eq(load_text(r, "source\nx\n", NULL, 0, 0, NULL, &err),
                     TOLL_OK);
    ck_assert_uint_eq(toll_reports_repair_count(r), 3);
    ck_assert_int_eq(toll_reports_repair(r, 2, &rep), TOLL_OK);
    ck_assert_int_eq(rep.line, 4);
    toll_reports_free(r);
}
END_TEST

START_TEST(without_repair_rows_out_of_order_should_be_rejected)
{
    toll_reports *r = new_store();
    toll_error err;
    const char *text = GED_HEADER
        "1,R1,1,11,Gov,Rebels,Myanmar,,,1,1,2019-01-01,2019-01-01,2,2,2\n"
        "2,R2,1,11,Gov,Rebels,Myanmar,,,1,1,2019-01-02,2019-01-02,6,6,5\n";
    ck_assert_int_eq(load_text(r, text, "ucdp-ged", TOLL_REPAIR_OFF, 0, NULL,
                               &err),
                     TOLL_EREPORT);
    ck_assert_ptr_nonnull(strstr(err.message, "ged.csv:3: field 'low'"));
    ck_assert_uint_eq(toll_reports_count(r), 0);
    size_t n = 0;
    ck_assert_int_eq(load_text(r, text, "ucdp-ged", TOLL_REPAIR_OFF, 1, &n,
                               &err),
                     TOLL_OK);
    ck_assert_uint_eq(n, 1);
    ck_assert_uint_eq(toll_reports_reject_count(r), 1);
    ck_assert_uint_eq(toll_reports_repair_count(r), 0);
    /* repair on without a preset, through a plain column map */
    toll_reports_free(r);
    r = new_store();
    toll_colmap *m = NULL;
    ck_assert_int_eq(toll_colmap_new(NULL, &m, NULL), TOLL_OK);
    ck_assert_int_eq(toll_colmap_parse(m, "killed=lo..hi,source='S'", NULL),
                     TOLL_OK);
    toll_load_options o;
    toll_load_options_init(&o);
    o.colmap = m;
    o.repair = TOLL_REPAIR_ON;
    const char *t2 = "lo,hi\n7,0\n";
    ck_assert_int_eq(toll_reports_load_buffer(r, t2, strlen(t2), "x.csv", &o,
                                              NULL, &err),
                     TOLL_OK);
    assert_qcell(report_cell(r, 0, "killed"), 0, 7, 3.5);
    ck_assert_uint_eq(toll_reports_repair_count(r), 1);
    ck_assert_int_eq(toll_reports_repair(r, 0, &err), TOLL_OK);
    ck_assert_str_eq(err.text, "low 7, high 0");
    toll_colmap_free(m);
    toll_reports_free(r);
}
END_TEST

START_TEST(repair_should_cut_a_region_level_holding_a_slash)
{
    toll_reports *r = new_store();
    toll_error err;
    const char *text = GED_HEADER
        "1,R1,1,11,Gov,Rebels,Myanmar,Sagaing,Hkamti/Naga Hills,1,2,"
        "2001-01-01,2001-01-01,1,1,1\n"
        "2,R2,1,11,Gov,Rebels,Myanmar,A/B,C,1,2,2001-01-01,2001-01-01,1,1,1\n";
    ck_assert_msg(load_text(r, text, "ucdp-ged", 0, 0, NULL, &err) == TOLL_OK,
                  "%s", err.message);
    ck_assert_str_eq(S(r, r->region[0]), "Myanmar/Sagaing");
    ck_assert_str_eq(S(r, r->region[1]), "Myanmar");
    ck_assert_uint_eq(toll_reports_repair_count(r), 2);
    toll_error rep;
    ck_assert_int_eq(toll_reports_repair(r, 0, &rep), TOLL_OK);
    ck_assert_str_eq(rep.field, "region");
    ck_assert_str_eq(rep.text, "Hkamti/Naga Hills");
    ck_assert_ptr_nonnull(
        strstr(rep.message, "region cut to \"Myanmar/Sagaing\""));
    /* without repair: rejected */
    toll_reports_free(r);
    r = new_store();
    ck_assert_int_eq(load_text(r, text, "ucdp-ged", TOLL_REPAIR_OFF, 0, NULL,
                               &err),
                     TOLL_EREPORT);
    ck_assert_ptr_nonnull(strstr(err.message, "contains '/'"));
    toll_reports_free(r);
}
END_TEST

START_TEST(a_failed_strict_load_should_drop_its_repairs)
{
    toll_reports *r = new_store();
    toll_error err;
    const char *text = GED_HEADER
        "1,R1,1,11,Gov,Rebels,Myanmar,,,1,1,2019-01-01,2019-01-01,2,1,1\n"
        "2,R2,1,11,Gov,Rebels,Myanmar,,,1,1,2019-13-02,2019-01-02,1,1,1\n";
    ck_assert_int_eq(load_text(r, text, "ucdp-ged", 0, 0, NULL, &err),
                     TOLL_EPARSE);
    ck_assert_uint_eq(toll_reports_count(r), 0);
    ck_assert_uint_eq(toll_reports_repair_count(r), 0);
    ck_assert_int_eq(load_text(r, text, "ucdp-ged", 0, 1, NULL, &err),
                     TOLL_OK);
    ck_assert_uint_eq(toll_reports_count(r), 1);
    ck_assert_uint_eq(toll_reports_reject_count(r), 1);
    ck_assert_uint_eq(toll_reports_repair_count(r), 1);
    toll_reports_free(r);
}
END_TEST

START_TEST(a_column_map_should_add_to_and_override_the_preset)
{
    toll_reports *r = new_store();
    toll_error err;
    toll_colmap *m = NULL;
    ck_assert_int_eq(toll_colmap_new(NULL, &m, NULL), TOLL_OK);
    ck_assert_int_eq(toll_colmap_parse(m,
                                       "source='UCDP GED 24.1',actor=side_a,"
                                       "keep:violence=type_of_violence",
                                       &err),
                     TOLL_OK);
    toll_load_options o;
    toll_load_options_init(&o);
    o.preset = "ucdp-ged";
    o.colmap = m;
    const char *text = GED_HEADER
        "1,R1,1,11,Gov,Rebels,Myanmar,,,1,1,2019-01-01,2019-01-01,1,1,1\n";
    ck_assert_int_eq(toll_reports_load_buffer(r, text, strlen(text), "g.csv",
                                              &o, NULL, &err),
                     TOLL_OK);
    ck_assert_str_eq(S(r, r->source[0]), "UCDP GED 24.1");
    ck_assert_str_eq(label(r, 0), "Gov");
    ck_assert_str_eq(report_extra(r, 0, "violence"), "1");
    ck_assert_ptr_null(report_extra(r, 0, "type_of_violence"));
    ck_assert_ptr_nonnull(report_extra(r, 0, "side_b")); /* no longer mapped */
    toll_colmap_free(m);
    toll_reports_free(r);
}
END_TEST

START_TEST(a_preset_column_missing_from_the_header_should_fail_the_load)
{
    toll_reports *r = new_store();
    toll_error err;
    ck_assert_int_eq(load_text(r, "id,low,best,high\n1,1,1,1\n", "ucdp-ged", 0,
                               0, NULL, &err),
                     TOLL_EREPORT);
    ck_assert_ptr_nonnull(strstr(err.message, "is not in the header"));
    toll_reports_free(r);
}
END_TEST

/* The columns of a preset's map that a header must have (not marked
 * "COLUMN?", not a constant, not the place columns older extracts lack),
 * with a value for each that every preset reads. */
typedef struct required_cols {
    const char *name[32];
    const char *value[32];
    size_t n;
} required_cols;

static required_cols preset_required(const toll_colmap *map)
{
    required_cols rc;
    memset(&rc, 0, sizeof rc);
    for (size_t i = 0; i < map->n; i++) {
        const toll__cmentry *e = &map->e[i];
        if (e->shape == TOLL__CM_CONST || e->field == TOLL__F_LAT ||
            e->field == TOLL__F_LON || e->field == TOLL__F_LOCATION)
            continue;
        for (size_t k = 0; k < e->ncols; k++) {
            if (e->optional_cols >> k & 1)
                continue;
            int dup = 0;
            for (size_t j = 0; j < rc.n; j++)
                dup |= strcmp(rc.name[j], e->col[k]) == 0;
            if (dup)
                continue;
            ck_assert_uint_lt(rc.n, 32);
            rc.name[rc.n] = e->col[k];
            rc.value[rc.n] =
                e->field == TOLL__F_CATEGORY ? "3"
                : e->field == TOLL__F_DATE || e->field == TOLL__F_DATE_START ||
                        e->field == TOLL__F_DATE_END
                    ? "2020-01-02"
                    : "x";
            rc.n++;
        }
    }
    return rc;
}

/* A CSV of the required columns but `skip` (or all when skip >= n). */
static void required_csv(const required_cols *rc, size_t skip, char *buf,
                         size_t size)
{
    size_t off = 0;
    for (int row = 0; row < 2; row++) {
        int first = 1;
        for (size_t j = 0; j < rc->n; j++) {
            if (j == skip)
                continue;
            off += (size_t)snprintf(buf + off, size - off, "%s%s",
                                    first ? "" : ",",
                                    row ? rc->value[j] : rc->name[j]);
            first = 0;
        }
        off += (size_t)snprintf(buf + off, size - off, "\n");
        ck_assert_uint_lt(off, size);
    }
}

START_TEST(every_preset_should_load_a_header_of_its_required_columns_only)
{
    for (size_t p = 0; p < toll_preset_count(); p++) {
        const toll_preset *pr = toll_preset_at(p);
        toll_colmap *map = NULL;
        toll_error err;
        ck_assert_int_eq(toll_colmap_new(NULL, &map, &err), TOLL_OK);
        ck_assert_int_eq(toll_colmap_parse(map, pr->colmap, &err), TOLL_OK);
        required_cols rc = preset_required(map);
        ck_assert_uint_gt(rc.n, 3);
        char csv[4096];
        required_csv(&rc, SIZE_MAX, csv, sizeof csv);
        toll_reports *r = new_store();
        size_t n = 0;
        ck_assert_msg(load_text(r, csv, pr->name, TOLL_REPAIR_DEFAULT, 0, &n,
                                &err) == TOLL_OK,
                      "%s: %s\n%s", pr->name, err.message, csv);
        ck_assert_uint_eq(n, 1);
        assert_qcell(report_cell(r, 0, "killed"), 3, 3, 3);
        toll_reports_free(r);
        /* and each required column is required */
        for (size_t j = 0; j < rc.n; j++) {
            required_csv(&rc, j, csv, sizeof csv);
            r = new_store();
            ck_assert_msg(load_text(r, csv, pr->name, TOLL_REPAIR_DEFAULT, 0,
                                    NULL, &err) == TOLL_EREPORT,
                          "%s without %s loaded", pr->name, rc.name[j]);
            ck_assert_msg(strstr(err.message, rc.name[j]) &&
                              strstr(err.message, "is not in the header"),
                          "%s", err.message);
            toll_reports_free(r);
        }
        toll_colmap_free(map);
    }
}
END_TEST

START_TEST(acled_preset_should_load_an_export_without_actor2)
{
    toll_reports *r = new_store();
    toll_error err;
    size_t n = 0;
    const char *csv =
        "event_id_cnty,event_date,fatalities,actor1,assoc_actor_1,country,"
        "admin1\n"
        "SYR1,01 March 2020,3,Military Forces of Syria,,Syria,Idlib\n";
    ck_assert_msg(load_text(r, csv, "acled", TOLL_REPAIR_DEFAULT, 0, &n,
                            &err) == TOLL_OK,
                  "%s", err.message);
    ck_assert_uint_eq(n, 1);
    ck_assert_str_eq(label(r, 0), "Military Forces of Syria");
    ck_assert_str_eq(S(r, r->region[0]), "Syria/Idlib");
    ck_assert_int_eq(r->date_start[0], ymd(2020, 3, 1));
    toll_reports_free(r);
}
END_TEST

START_TEST(half_of_an_optional_range_should_fail_the_load)
{
    toll_reports *r = new_store();
    toll_error err;
    const char *csv = "incident_code,incident_date,civilian_deaths_min,"
                      "civilian_deaths_max,alleged_belligerent,country,"
                      "civilian_injuries_min\n"
                      "A1,2020-01-02,1,2,X,Syria,4\n";
    ck_assert_int_eq(load_text(r, csv, "airwars", TOLL_REPAIR_DEFAULT, 0,
                               NULL, &err),
                     TOLL_EREPORT);
    ck_assert_ptr_nonnull(strstr(err.message,
                                 "column 'civilian_injuries_max' of the "
                                 "column map is not in the header"));
    toll_reports_free(r);
}
END_TEST

/* ---- ACLED --------------------------------------------------------------------- */

START_TEST(acled_preset_should_read_the_codebook_columns)
{
    toll_reports *r = new_store();
    toll_error err;
    size_t n = 0;
    ck_assert_msg(load_path(r, TOLL_TEST_DATA_DIR "/acled_sample.csv", "acled",
                            0, &n, &err) == TOLL_OK,
                  "%s", err.message);
    ck_assert_uint_eq(n, 6);
    ck_assert_str_eq(S(r, r->incident[0]), "acled:SYN1001");
    ck_assert_str_eq(S(r, r->source[0]), "ACLED");
    ck_assert_int_eq(r->source_kind[0], TOLL_SOURCE_MONITOR);
    /* 15 January 2023, 2023-01-16, 16-January-2023, 17 Jan 2023, 31/01/2023 */
    ck_assert_int_eq(r->date_start[0], ymd(2023, 1, 15));
    ck_assert_int_eq(r->date_start[1], ymd(2023, 1, 16));
    ck_assert_int_eq(r->date_start[2], ymd(2023, 1, 16));
    ck_assert_int_eq(r->date_start[3], ymd(2023, 1, 17));
    ck_assert_int_eq(r->date_start[5], ymd(2023, 1, 31));
    ck_assert_int_eq(r->date_end[5], ymd(2023, 1, 31));
    ck_assert_str_eq(label(r, 0), "HTS: Hayat Tahrir al-Sham + Military "
                                  "Forces of Syria (2000-2024)");
    ck_assert_str_eq(label(r, 2), "Unidentified Armed Group (Syria)");
    ck_assert_str_eq(S(r, r->region[0]), "Syria/Idlib/Ariha/Ariha");
    ck_assert_str_eq(S(r, r->region[2]), "Syria/Aleppo/Jebel Saman");
    assert_qcell(report_cell(r, 0, "killed"), 4, 4, 4);
    assert_qcell(report_cell(r, 2, "killed"), 0, 0, 0);
    assert_qcell(report_cell(r, 4, "killed"), 12, 12, 12);
    ck_assert_ptr_nonnull(strstr(S(r, r->note[3]), "\"low wages\""));
    ck_assert_str_eq(report_extra(r, 0, "event_type"), "Battles");
    ck_assert_str_eq(report_extra(r, 1, "sub_event_type"), "Air/drone strike");
    ck_assert_str_eq(report_extra(r, 1, "civilian_targeting"), "Civilian targeting");
    ck_assert_ptr_null(report_extra(r, 0, "civilian_targeting")); /* empty */
    ck_assert_str_eq(report_extra(r, 1, "interaction"), "78");
    ck_assert_str_eq(report_extra(r, 1, "source"), "SOHR; Syrian Civil Defense");
    ck_assert_str_eq(report_extra(r, 1, "source_scale"), "National-Other");
    ck_assert_str_eq(report_extra(r, 3, "assoc_actor_1"), "Teachers (Syria)");
    ck_assert_str_eq(report_extra(r, 5, "time_precision"), "3");
    toll_reports_free(r);
}
END_TEST

/* ---- Airwars ------------------------------------------------------------------- */

START_TEST(airwars_preset_should_read_belligerents_pairs_and_grades)
{
    toll_reports *r = new_store();
    toll_error err;
    size_t n = 0;
    ck_assert_msg(load_path(r, TOLL_TEST_DATA_DIR "/airwars_sample.csv",
                            "airwars", 0, &n, &err) == TOLL_OK,
                  "%s", err.message);
    ck_assert_uint_eq(n, 8);
    ck_assert_str_eq(S(r, r->incident[0]), "airwars:XS001");
    ck_assert_str_eq(S(r, r->id[0]), "900001");
    ck_assert_str_eq(S(r, r->source[0]), "Airwars");
    ck_assert_int_eq(r->source_kind[0], TOLL_SOURCE_MONITOR);
    ck_assert_str_eq(label(r, 1),
                     "Russian Military + Turkish Military + YPG");
    ck_assert_uint_eq(toll__set_size(&r->actor_sets, r->actors[1]), 3);
    ck_assert_str_eq(S(r, r->region[0]), "Syria/Aleppo");
    ck_assert_int_eq(r->date_start[0], ymd(2022, 3, 1));
    assert_qcell(report_cell(r, 0, "killed"), 13, 46, 29.5);
    assert_qcell(report_cell(r, 0, "injured"), 2, 5, 3.5);
    assert_qcell(report_cell(r, 0, "children_killed"), 3, 9, 6);
    ck_assert_int_eq(report_cell(r, 0, "women_killed")->low, -1); /* blank pair */
    ck_assert_int_eq(report_cell(r, 6, "killed")->low, -1);
    assert_qcell(report_cell(r, 7, "killed"), 3, TOLL_OPEN, 3); /* min, no max */
    ck_assert_str_eq(report_extra(r, 0, "data_grade"), "Fair");
    ck_assert_str_eq(report_extra(r, 1, "data_grade"), "Contested");
    ck_assert_str_eq(report_extra(r, 2, "data_grade"), "Confirmed");
    ck_assert_str_eq(report_extra(r, 5, "data_grade"), "Discounted");
    ck_assert_ptr_null(report_extra(r, 6, "data_grade"));
    ck_assert_ptr_null(report_extra(r, 0, "grading_en")); /* renamed */
    ck_assert_str_eq(report_extra(r, 0, "assessment"), "Fair");
    ck_assert_ptr_null(report_extra(r, 0, "incident_code")); /* the key */
    ck_assert_ptr_null(report_extra(r, 0, "airwars_id"));    /* the id */
    ck_assert_str_eq(S(r, r->url[0]),
                     "https://example.org/civilian-casualties/xs001/");
    toll_reports_free(r);
}
END_TEST

/* ---- IBC ------------------------------------------------------------------------ */

START_TEST(ibc_preset_should_read_latin1_cr_files_and_name_bad_rows)
{
    toll_reports *r = new_store();
    toll_error err;
    const char *path = TOLL_TEST_DATA_DIR "/ibc_sample.csv";
    ck_assert_int_eq(load_path(r, path, "ibc", 0, NULL, &err), TOLL_EREPORT);
    ck_assert_ptr_nonnull(strstr(err.message, "ibc_sample.csv:4: field 'Min': "
                                              "low 7 is greater than high 0"));
    ck_assert_uint_eq(toll_reports_count(r), 0);
    size_t n = 0;
    ck_assert_int_eq(load_path(r, path, "ibc", 1, &n, &err), TOLL_OK);
    ck_assert_uint_eq(n, 3);
    ck_assert_uint_eq(toll_reports_reject_count(r), 2);
    ck_assert_int_eq(toll_reports_reject(r, 0)->line, 4);
    ck_assert_int_eq(toll_reports_reject(r, 1)->line, 5);
    ck_assert_ptr_nonnull(strstr(toll_reports_reject(r, 1)->message,
                                 "empty region level"));
    ck_assert_str_eq(S(r, r->incident[0]), "ibc:1");
    ck_assert_str_eq(S(r, r->id[0]), "s001");
    ck_assert_str_eq(S(r, r->source[0]), "IBC");
    ck_assert_int_eq(r->date_start[0], ymd(2003, 3, 20));
    ck_assert_int_eq(r->date_end[0], ymd(2003, 4, 9));
    ck_assert_int_eq(r->date_start[1], ymd(2003, 3, 21));
    ck_assert_int_eq(r->date_end[1], ymd(2003, 3, 21));
    ck_assert_int_eq(r->date_start[2], ymd(2009, 12, 31));
    assert_qcell(report_cell(r, 0, "killed"), 14, 20, 17);
    ck_assert_str_eq(S(r, r->region[1]), "Basrah/Basrah");
    ck_assert_str_eq(S(r, r->note[1]), "Basra, caf\xC3\xA9 district");
    ck_assert_str_eq(report_extra(r, 2, "insurgent"), "1");
    ck_assert_str_eq(report_extra(r, 0, "coalition"), "1");
    toll_reports_free(r);
}
END_TEST

START_TEST(encodings_should_transcode_to_utf8)
{
    toll_reports *r = new_store();
    toll_error err;
    toll_load_options o;
    toll_load_options_init(&o);
    const char latin1[] = "source,note\nS,caf\xE9 \x80\x93\n";
    /* as UTF-8 the bytes are invalid */
    ck_assert_int_eq(toll_reports_load_buffer(r, latin1, strlen(latin1),
                                              "x.csv", &o, NULL, &err),
                     TOLL_EPARSE);
    o.encoding = "latin-1";
    ck_assert_int_eq(toll_reports_load_buffer(r, latin1, strlen(latin1),
                                              "x.csv", &o, NULL, &err),
                     TOLL_OK);
    ck_assert_str_eq(S(r, r->note[0]), "caf\xC3\xA9 \xC2\x80\xC2\x93");
    o.encoding = "Windows-1252";
    ck_assert_int_eq(toll_reports_load_buffer(r, latin1, strlen(latin1),
                                              "x.csv", &o, NULL, &err),
                     TOLL_OK);
    /* 0x80 is the euro sign, 0x93 a left double quote */
    ck_assert_str_eq(S(r, r->note[1]),
                     "caf\xC3\xA9 \xE2\x82\xAC\xE2\x80\x9C");
    toll_reports_free(r);
}
END_TEST

START_TEST(the_date_format_option_should_apply_to_every_date_field)
{
    toll_reports *r = new_store();
    toll_error err;
    toll_load_options o;
    toll_load_options_init(&o);
    o.date_format = "%d/%m/%Y|%b %Y";
    const char *text = "source,date_start,date_end,date\n"
                       "a,01/02/2003,05/02/2003,\n"
                       "b,,,Mar 2003\n"
                       "c,,,2003-04-01\n"
                       "d,,,31/02/2003\n";
    ck_assert_int_eq(toll_reports_load_buffer(r, text, strlen(text), "d.csv",
                                              &o, NULL, &err),
                     TOLL_EPARSE);
    ck_assert_str_eq(err.message,
                     "d.csv:5: field 'date': cannot read \"31/02/2003\" as "
                     "a date (%d/%m/%Y|%b %Y, or YYYY-MM-DD)");
    o.lenient = 1;
    ck_assert_int_eq(toll_reports_load_buffer(r, text, strlen(text), "d.csv",
                                              &o, NULL, &err),
                     TOLL_OK);
    ck_assert_uint_eq(toll_reports_count(r), 3);
    ck_assert_int_eq(r->date_start[0], ymd(2003, 2, 1));
    ck_assert_int_eq(r->date_end[0], ymd(2003, 2, 5));
    ck_assert_int_eq(r->date_start[1], ymd(2003, 3, 1));
    ck_assert_int_eq(r->date_end[1], ymd(2003, 3, 31));
    ck_assert_int_eq(r->date_start[2], ymd(2003, 4, 1));
    toll_reports_free(r);
}
END_TEST

START_TEST(a_preset_load_out_of_memory_should_fail_cleanly)
{
    int succeeded = 0;
    for (long k = 1; k < 20000 && !succeeded; k++) {
        failing_alloc f;
        failing_alloc_init(&f, 0);
        toll_reports *r = NULL;
        toll_error err;
        ck_assert_int_eq(toll_reports_new(&f.a, &r, NULL), TOLL_OK);
        size_t nstrings = r->strings.count;
        f.fail_at = f.count + k;
        toll_load_options o;
        toll_load_options_init(&o);
        o.preset = k % 2 ? "ibc" : "airwars";
        o.lenient = 1;
        toll_status st = toll_reports_load_file(
            r,
            k % 2 ? TOLL_TEST_DATA_DIR "/ibc_sample.csv"
                  : TOLL_TEST_DATA_DIR "/airwars_sample.csv",
            &o, NULL, &err);
        if (st == TOLL_OK && k % 2) {
            succeeded = 1;
            ck_assert_uint_eq(toll_reports_count(r), 3);
        } else if (st != TOLL_OK) {
            ck_assert_msg(st == TOLL_ENOMEM, "k=%ld: %s", k, err.message);
            ck_assert_uint_eq(toll_reports_count(r), 0);
            ck_assert_uint_eq(r->strings.count, nstrings);
        }
        toll_reports_free(r);
        ck_assert_int_eq(f.live, 0);
    }
    ck_assert(succeeded);
}
END_TEST

/* ---- the real files (skipped without TOLL_SHARED_DATA) --------------------------- */

static void real_file(const char *rel, const char *preset, int lenient,
                      size_t want_n, size_t want_rejects,
                      size_t want_repairs)
{
    char path[1024];
    if (!toll_test_shared_path(path, sizeof path, rel))
        return;
    toll_reports *r = new_store();
    toll_error err;
    size_t n = 0;
    ck_assert_msg(load_path(r, path, preset, lenient, &n, &err) == TOLL_OK,
                  "%s", err.message);
    ck_assert_uint_eq(n, want_n);
    ck_assert_uint_eq(toll_reports_reject_count(r), want_rejects);
    ck_assert_uint_eq(toll_reports_repair_count(r), want_repairs);
    toll_reports_free(r);
}

START_TEST(real_ucdp_files_should_load_with_their_repairs)
{
    /* Myanmar: 10 events with figures out of order, 2 with two districts */
    real_file("ucdp/ucdp_ged_myanmar.csv", "ucdp-ged", 0, 7374, 0, 12);
    real_file("ucdp/ucdp_ged_mexico.csv", "ucdp-ged", 0, 18957, 0, 89);
    real_file("ucdp/ucdp_ged_syria_2016_2019.csv", "ucdp-ged", 0, 16566, 0,
              101);
}
END_TEST

START_TEST(real_airwars_file_should_reject_the_incident_with_a_bad_longitude)
{
    /* CS1033 (line 405) gives longitude 4239.00416 */
    real_file("airwars/airwars_syria_incidents_normalized_996.csv", "airwars",
              1, 995, 1, 0);
    char path[1024];
    if (!toll_test_shared_path(
            path, sizeof path,
            "airwars/airwars_syria_incidents_normalized_996.csv"))
        return;
    toll_reports *r = new_store();
    toll_error err;
    ck_assert_int_eq(load_path(r, path, "airwars", 0, NULL, &err),
                     TOLL_EREPORT);
    ck_assert_ptr_nonnull(strstr(err.message, ":405: field 'longitude': lon "
                                              "\"4239.00416\" is out of "
                                              "range"));
    toll_reports_free(r);
}
END_TEST

START_TEST(real_ibc_file_should_load_leniently_listing_its_bad_rows)
{
    /* 18 rows with Min > Max, 3 with a district but no governorate */
    real_file("ibc/ibc_esoc_incidents_2003_2009.csv", "ibc", 1, 21079, 21, 0);
    char path[1024];
    if (!toll_test_shared_path(path, sizeof path,
                               "ibc/ibc_esoc_incidents_2003_2009.csv"))
        return;
    toll_reports *r = new_store();
    toll_error err;
    ck_assert_int_eq(load_path(r, path, "ibc", 0, NULL, &err), TOLL_EREPORT);
    ck_assert_ptr_nonnull(
        strstr(err.message, ":6: field 'Min': low 7 is greater than high 0"));
    toll_reports_free(r);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("presets");
    TCase *tc = tcase_create("presets");
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, preset_find_should_accept_names_and_aliases);
    tcase_add_test(tc, unknown_presets_and_options_should_be_option_errors);
    tcase_add_test(tc, ucdp_preset_should_make_one_report_per_event);
    tcase_add_test(tc, ucdp_preset_should_read_the_three_date_forms);
    tcase_add_test(tc,
                   ucdp_preset_should_repair_figures_out_of_order_and_list_them);
    tcase_add_test(tc, without_repair_rows_out_of_order_should_be_rejected);
    tcase_add_test(tc, repair_should_cut_a_region_level_holding_a_slash);
    tcase_add_test(tc, a_failed_strict_load_should_drop_its_repairs);
    tcase_add_test(tc, a_column_map_should_add_to_and_override_the_preset);
    tcase_add_test(tc,
                   a_preset_column_missing_from_the_header_should_fail_the_load);
    tcase_add_test(tc, acled_preset_should_read_the_codebook_columns);
    tcase_add_test(tc,
                   every_preset_should_load_a_header_of_its_required_columns_only);
    tcase_add_test(tc, acled_preset_should_load_an_export_without_actor2);
    tcase_add_test(tc, half_of_an_optional_range_should_fail_the_load);
    tcase_add_test(tc, airwars_preset_should_read_belligerents_pairs_and_grades);
    tcase_add_test(tc, ibc_preset_should_read_latin1_cr_files_and_name_bad_rows);
    tcase_add_test(tc, encodings_should_transcode_to_utf8);
    tcase_add_test(tc, the_date_format_option_should_apply_to_every_date_field);
    tcase_add_test(tc, a_preset_load_out_of_memory_should_fail_cleanly);
    tcase_add_test(tc, real_ucdp_files_should_load_with_their_repairs);
    tcase_add_test(
        tc, real_airwars_file_should_reject_the_incident_with_a_bad_longitude);
    tcase_add_test(tc, real_ibc_file_should_load_leniently_listing_its_bad_rows);
    suite_add_tcase(s, tc);
    return toll_test_run(s);
}
