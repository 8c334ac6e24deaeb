/*
 * src/io/presets.c - import presets: column maps and load defaults for UCDP
 * GED, ACLED, Airwars-style and IBC/ESOC files.  docs/importers.md
 * documents each mapping; keep the two in step.
 */
#include "io/io.h"

#include <stdio.h>
#include <stdlib.h>

/* UCDP GED where_prec (UCDP GED codebook): the radius within which the
 * event's coordinates place it. */
static const toll_preset_precision ucdp_where_prec[] = {
    {"1", 0},   /* the exact place */
    {"2", 25},  /* within 25 km of the place */
    {"3", 50},  /* a second-order administrative division */
    {"4", 150}, /* a first-order administrative division */
    {"5", 50},  /* a linear feature, or between places */
    {"6", 500}, /* the country */
    {"7", 500}, /* international waters or airspace */
};

/* ACLED geo_precision (ACLED codebook). */
static const toll_preset_precision acled_geo_precision[] = {
    {"1", 2},   /* the town itself */
    {"2", 25},  /* near the town, or a part of a region */
    {"3", 100}, /* a larger region: its provincial capital */
};

#define CODES(t) (t), sizeof(t) / sizeof((t)[0])

static const toll_preset presets[] = {
    {"ucdp-ged",
     "UCDP Georeferenced Event Dataset: one report per event, low/best/high, "
     "side_a + side_b, country/adm_1/adm_2",
     "incident=id,source='UCDP GED',source_kind='monitor',"
     "killed=low..best..high,actor=side_a+side_b?,"
     "region=country/adm_1?/adm_2?,date_start=date_start,date_end=date_end,"
     "lat=latitude,lon=longitude,location=where_coordinates",
     0, NULL, NULL, TOLL_REPAIR_ON, "ucdp-ged", "where_prec",
     CODES(ucdp_where_prec)},
    {"acled",
     "ACLED events: fatalities as a point value, actor1 + actor2, "
     "country/admin1/admin2/admin3",
     "incident=event_id_cnty,source='ACLED',source_kind='monitor',"
     "date=event_date,killed=fatalities,actor=actor1+actor2?,"
     "region=country/admin1?/admin2?/admin3?,note=notes?,"
     "lat=latitude,lon=longitude,location=location",
     0, "%d %B %Y|%d-%B-%Y|%d/%m/%Y|%d-%m-%Y", NULL, TOLL_REPAIR_OFF,
     "acled", "geo_precision", CODES(acled_geo_precision)},
    {"airwars",
     "Airwars-style incidents: alleged belligerents (comma list), min/max "
     "pairs, grading_en kept as data_grade, source 'Airwars'",
     "incident=incident_code,id=airwars_id?,source='Airwars',"
     "source_kind='monitor',"
     "date=incident_date,actor=alleged_belligerent,"
     "region=country/region_en?,"
     "killed=civilian_deaths_min..civilian_deaths_max,"
     "injured=civilian_injuries_min?..civilian_injuries_max?,"
     "children_killed=children_killed_min?..children_killed_max?,"
     "women_killed=women_killed_min?..women_killed_max?,"
     "men_killed=men_killed_min?..men_killed_max?,"
     "militants_killed=militants_killed_min?..militants_killed_max?,"
     "url=canonical_url?,keep:data_grade=grading_en?,"
     "lat=latitude,lon=longitude,location=location_en",
     ',', NULL, NULL, TOLL_REPAIR_OFF, "airwars", NULL, NULL, 0},
    {"ibc",
     "Iraq Body Count incidents as coded by ESOC: Latin-1, dates like "
     "20-Mar-03, Min..Max, governorate/district",
     "incident=col1,id=Code?,source='IBC',source_kind='monitor',"
     "date_start=Start,date_end=end,killed=Min..Max,"
     "region=governorate/district?,note=location?,location=location",
     0, "%d-%b-%y", "latin-1", TOLL_REPAIR_OFF, "ibc", NULL, NULL, 0},
};

#define N_PRESETS (sizeof presets / sizeof presets[0])

size_t toll_preset_count(void) { return N_PRESETS; }

const toll_preset *toll_preset_at(size_t i)
{
    return i < N_PRESETS ? &presets[i] : NULL;
}

const toll_preset *toll__preset_lookup(const char *name)
{
    if (!name)
        return NULL;
    size_t n = strlen(name);
    if (toll__strncaseeq(name, n, "ucdp") || toll__strncaseeq(name, n, "ged"))
        return &presets[0];
    for (size_t i = 0; i < N_PRESETS; i++)
        if (toll__strncaseeq(name, n, presets[i].name))
            return &presets[i];
    return NULL;
}

toll_status toll_preset_find(const char *name, const toll_preset **out,
                             toll_error *err)
{
    const toll_preset *p = toll__preset_lookup(name);
    if (out)
        *out = p;
    if (p)
        return TOLL_OK;
    if (!name)
        return toll__err(err, TOLL_EINVAL, "toll_preset_find: name is NULL");
    size_t n = strlen(name);
    return toll__seterr(err, TOLL_ENOTFOUND, NULL, 0, -1, "preset", name, n,
                        "unknown preset '%.*s' (expected ucdp-ged, acled, "
                        "airwars or ibc)",
                        (int)(n < 80 ? n : 80), name);
}

int toll__preset_precision(const toll_preset *p, const char *s, size_t len,
                           double *km)
{
    if (!p || !len)
        return 0;
    for (size_t i = 0; i < p->n_precision_codes; i++) {
        const char *c = p->precision_codes[i].code;
        if (strlen(c) == len && memcmp(c, s, len) == 0) {
            *km = p->precision_codes[i].km;
            return 1;
        }
    }
    /* a number equal to a code ("2.0", as a float column writes it) */
    char buf[32], *end = NULL;
    if (len >= sizeof buf)
        return 0;
    memcpy(buf, s, len);
    buf[len] = '\0';
    double v = strtod(buf, &end);
    if (end != buf + len || v != v)
        return 0;
    for (size_t i = 0; i < p->n_precision_codes; i++)
        if (strtod(p->precision_codes[i].code, NULL) == v) {
            *km = p->precision_codes[i].km;
            return 1;
        }
    return 0;
}

void toll__preset_codes(const toll_preset *p, char *buf, size_t size)
{
    size_t o = 0;
    if (size)
        buf[0] = '\0';
    for (size_t i = 0; p && i < p->n_precision_codes && o < size; i++) {
        int k = snprintf(buf + o, size - o, "%s%s", i ? ", " : "",
                         p->precision_codes[i].code);
        if (k < 0)
            break;
        o += (size_t)k;
    }
}
