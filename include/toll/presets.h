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
 * The presets are static data: every function here is thread-safe and the
 * returned pointers live forever.
 */
#ifndef TOLL_PRESETS_H
#define TOLL_PRESETS_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

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
