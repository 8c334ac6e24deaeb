/*
 * toll/link_compare.h - the comparisons of the probabilistic linker
 * (toll/link.h, docs/linking.md) and the place-name normalisation table.
 *
 * The linker compares two reports field by field.  Each comparison puts a
 * pair in one of a few levels, level 0 being the strongest agreement; the
 * model (toll/link_model.h) gives every level a weight, the log2 Bayes
 * factor log2(m / u).  The comparisons and their levels are fixed; their
 * names are the ones a model file (JSON) and the pairs table use.
 *
 *   date      "0" (the spans overlap or touch), "1", "2-3", "4+" days
 *             apart, "unknown" (a report has no date)
 *   distance  great-circle distance between the coordinates, widened by
 *             both reports' precision radii: "<1km", "<5km", "<25km",
 *             "25km+", "unknown" (a report has no coordinates)
 *   place     the place names after normalisation (below): "same",
 *             "sounds-alike" (same phonetic key), "close" (Jaro-Winkler
 *             >= 0.92), "similar" (>= 0.80), "different", "unknown" (a
 *             report names no place)
 *   region    the region paths: "same" (they agree at the deepest level
 *             both give), "district" (same governorate, different
 *             district), "governorate" (different governorates), "unknown"
 *             (a report gives no governorate)
 *   actors    the actor sets: "same", "overlap", "disjoint", "unnamed"
 *             (a report names no actor)
 *   figures   the killed ranges: "overlap", "close", "far", "unknown"
 *   source    "different", "same" (the same `source`)
 *
 * All functions here are thread-safe; returned strings are static.
 */
#ifndef TOLL_LINK_COMPARE_H
#define TOLL_LINK_COMPARE_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum toll_link_comparison {
    TOLL_LINK_DATE = 0,
    TOLL_LINK_DISTANCE,
    TOLL_LINK_PLACE,
    TOLL_LINK_REGION,
    TOLL_LINK_ACTORS,
    TOLL_LINK_FIGURES,
    TOLL_LINK_SOURCE,
    TOLL_LINK_NCOMPARISONS
} toll_link_comparison;

/* The most levels any comparison has. */
#define TOLL_LINK_MAX_LEVELS 6

/* "date", "distance", ...; "" when cmp is out of range. */
TOLL_API const char *toll_link_comparison_name(int cmp);
/* The comparison named `name` (case-insensitive) into *out.  TOLL_EINVAL
 * naming the text and the known comparisons. */
TOLL_API toll_status toll_link_comparison_parse(const char *name, int *out,
                                                toll_error *err);
/* Number of levels of comparison cmp (0 when out of range). */
TOLL_API size_t toll_link_level_count(int cmp);
/* Name of level `level` of comparison cmp ("" when out of range). */
TOLL_API const char *toll_link_level_name(int cmp, size_t level);
/* The level of comparison cmp named `name` (case-insensitive) into *out.
 * TOLL_EINVAL naming the comparison, the text and the level names. */
TOLL_API toll_status toll_link_level_parse(int cmp, const char *name,
                                           size_t *out, toll_error *err);

/* --- Place-name normalisation ----------------------------------------- */

/*
 * A normalisation table: the data that place names are normalised with
 * before they are compared (docs/linking.md, "Place names").  The default
 * table handles case, diacritics, the Arabic article (al-, el-, ad-, ...),
 * hyphens and apostrophes, generic words ("village", "countryside of")
 * and common transliteration pairs (sh/ch, ou/u, ei/ay, q/k, kh/h,
 * doubled vowels).  A JSON file can replace or extend it.
 * Opaque; owned by whoever created it.
 */
typedef struct toll_link_names toll_link_names;

/* A new table holding the default rules.  *out owns it (free with
 * toll_link_names_free).  `alloc` NULL: the default allocator. */
TOLL_API toll_status toll_link_names_new(const toll_allocator *alloc,
                                         toll_link_names **out,
                                         toll_error *err);
TOLL_API void toll_link_names_free(toll_link_names *names);

/* Add the rules of a JSON table (format in docs/linking.md) to `names`
 * ({"replace": true, ...} starts from an empty table).  TOLL_EPARSE or
 * TOLL_EINVAL naming `name`, the key and the text; `names` is then
 * unchanged. */
TOLL_API toll_status toll_link_names_load_json(toll_link_names *names,
                                               const char *json, size_t len,
                                               const char *name,
                                               toll_error *err);
/* Same, from a file (TOLL_EIO naming it). */
TOLL_API toll_status toll_link_names_load_file(toll_link_names *names,
                                               const char *path,
                                               toll_error *err);

/* The normalised form of the place name text[0..len) (UTF-8) into
 * out[0..cap): NUL-terminated, truncated to cap - 1 bytes.  Returns the
 * length of the whole normalised form (as snprintf does).  The same
 * function the linker uses; `names` NULL: the default table. */
TOLL_API size_t toll_link_names_normalise(const toll_link_names *names,
                                          const char *text, size_t len,
                                          char *out, size_t cap);

/* The Jaro-Winkler similarity (0..1) of two strings, byte-wise, with
 * prefix scale 0.1 over at most 4 bytes. */
TOLL_API double toll_link_jaro_winkler(const char *a, size_t alen,
                                       const char *b, size_t blen);

/* The great-circle distance in km between two points in WGS84 degrees
 * (haversine, mean Earth radius 6371.0088 km). */
TOLL_API double toll_link_distance_km(double lat1, double lon1, double lat2,
                                      double lon2);

#ifdef __cplusplus
}
#endif
#endif /* TOLL_LINK_COMPARE_H */
