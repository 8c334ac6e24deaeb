/*
 * src/link/levels.c - the names of the linker's comparisons and of their
 * levels (toll/link_compare.h): the one table that model files, the pairs
 * table and the comparisons (src/link/compare.c) share.
 */
#include "link/link_int.h"

#include <stdio.h>
#include <string.h>

static const char *const cmp_names[TOLL_LINK_NCOMPARISONS] = {
    "date", "distance", "place", "region", "actors", "figures", "source"};

/* Each comparison's levels and their number (read on every scored pair:
 * no counting of the names). */
static const struct {
    size_t count;
    const char *names[TOLL_LINK_MAX_LEVELS + 1];
} levels[TOLL_LINK_NCOMPARISONS] = {
    {5, {"0", "1", "2-3", "4+", "unknown", NULL}},
    {5, {"<1km", "<5km", "<25km", "25km+", "unknown", NULL}},
    {6, {"same", "sounds-alike", "close", "similar", "different", "unknown",
         NULL}},
    {4, {"same", "district", "governorate", "unknown", NULL}},
    {4, {"same", "overlap", "disjoint", "unnamed", NULL}},
    {4, {"overlap", "close", "far", "unknown", NULL}},
    {2, {"different", "same", NULL}},
};

const char *toll_link_comparison_name(int cmp)
{
    return cmp >= 0 && cmp < TOLL_LINK_NCOMPARISONS ? cmp_names[cmp] : "";
}

toll_status toll_link_comparison_parse(const char *name, int *out,
                                       toll_error *err)
{
    size_t n = name ? strlen(name) : 0;
    for (int c = 0; name && c < TOLL_LINK_NCOMPARISONS; c++)
        if (toll__strncaseeq(name, n, cmp_names[c])) {
            if (out)
                *out = c;
            return TOLL_OK;
        }
    return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "comparison", name,
                        n,
                        "unknown comparison '%.*s' (expected date, distance, "
                        "place, region, actors, figures or source)",
                        (int)(n < 64 ? n : 64), name ? name : "");
}

size_t toll_link_level_count(int cmp)
{
    if (cmp < 0 || cmp >= TOLL_LINK_NCOMPARISONS)
        return 0;
    return levels[cmp].count;
}

const char *toll_link_level_name(int cmp, size_t level)
{
    return level < toll_link_level_count(cmp) ? levels[cmp].names[level] : "";
}

toll_status toll_link_level_parse(int cmp, const char *name, size_t *out,
                                  toll_error *err)
{
    size_t nl = toll_link_level_count(cmp);
    if (nl == 0)
        return toll__err(err, TOLL_ERANGE, "comparison %d is out of range",
                         cmp);
    size_t n = name ? strlen(name) : 0;
    for (size_t k = 0; name && k < nl; k++)
        if (toll__strncaseeq(name, n, levels[cmp].names[k])) {
            if (out)
                *out = k;
            return TOLL_OK;
        }
    char list[160];
    size_t used = 0;
    list[0] = '\0';
    for (size_t k = 0; k < nl && used < sizeof list; k++) {
        int w = snprintf(list + used, sizeof list - used, "%s'%s'",
                         k == 0 ? "" : (k + 1 == nl ? " or " : ", "),
                         levels[cmp].names[k]);
        if (w < 0)
            break;
        used += (size_t)w;
    }
    return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, cmp_names[cmp], name,
                        n, "unknown level '%.*s' of comparison %s (expected "
                        "%s)", (int)(n < 64 ? n : 64), name ? name : "",
                        cmp_names[cmp], list);
}
