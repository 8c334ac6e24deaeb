/*
 * toll/presets.h - import presets: ready-made load settings for published
 * casualty datasets (docs/importers.md).
 *
 *   "ucdp-ged"  UCDP Georeferenced Event Dataset (CSV as downloaded)
 *   "acled"     ACLED event exports
 *   "airwars"   Airwars-style civilian-harm incident tables
 *   "ibc"       Iraq Body Count incidents as coded by ESOC
 *
 * A preset is a column map (toll_colmap_parse syntax) plus defaults for a
 * few load options.  Use it through toll_load_options.preset; the load then
 * builds the preset's column map, appends the caller's `colmap` entries
 * (which override the preset's for the same target) and uses the preset's
 * defaults for the options the caller left at their defaults (actor
 * separator ';', date_format NULL, encoding NULL, repair
 * TOLL_REPAIR_DEFAULT).  Columns a preset does not map are kept as fields
 * under their own names (type_of_violence, dyad_new_id, date_prec, ...):
 * toll_summarize can group on them and filter on them.
 *
 * Keys a preset assigns (its `incident` column) are qualified by the
 * dataset: "ucdp-ged:300380", "airwars:RS4802", "acled:SYR1234",
 * "ibc:21084" (key_prefix, then ':', then the key as written), so that
 * two datasets loaded into one store never share a key.  A caller's
 * column map that gives `incident` itself gives keys as written.
 *
 * A preset's precision codes (UCDP where_prec, ACLED geo_precision) stay
 * kept fields under their own names and are also translated to the
 * report's precision_km by the preset's code table (docs/importers.md); a
 * code not in the table is a record error naming the column and the
 * text.  A caller's column map that gives `precision_km` replaces the
 * translation.
 *
 * The presets are static data: every function here is thread-safe and the
 * returned pointers live forever.
 */
#ifndef TOLL_PRESETS_H
#define TOLL_PRESETS_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* One precision code of a preset and its radius. */
typedef struct toll_preset_precision {
    const char *code;        /* as written in the column: "2" */
    double km;               /* radius within which the place is known */
} toll_preset_precision;

typedef struct toll_preset {
    const char *name;        /* "ucdp-ged" */
    const char *description; /* one line, for help texts */
    const char *colmap;      /* column map spec (toll_colmap_parse) */
    char actor_separator;    /* separator of actors within a cell; 0: the
                                load option's (default ';') */
    const char *date_format; /* NULL: ISO dates only */
    const char *encoding;    /* NULL: UTF-8 */
    int repair;              /* toll_repair_mode used when the load option
                                is TOLL_REPAIR_DEFAULT */
    const char *key_prefix;  /* the dataset qualifying the preset's keys
                                ("ucdp-ged": "ucdp-ged:300380") */
    const char *precision_column; /* column of precision codes, translated
                                to precision_km by precision_codes; NULL:
                                none */
    const toll_preset_precision *precision_codes;
    size_t n_precision_codes;
} toll_preset;

/* Number of presets, and preset i (NULL when out of range). */
TOLL_API size_t toll_preset_count(void);
TOLL_API const toll_preset *toll_preset_at(size_t i);

/* The preset named `name` (case-insensitive; "ucdp" and "ged" are accepted
 * for "ucdp-ged").  TOLL_ENOTFOUND naming the known presets when there is
 * none; *out (may be NULL) receives the preset. */
TOLL_API toll_status toll_preset_find(const char *name,
                                      const toll_preset **out,
                                      toll_error *err);

#ifdef __cplusplus
}
#endif
#endif /* TOLL_PRESETS_H */
