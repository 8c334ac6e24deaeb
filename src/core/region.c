/*
 * src/core/region.c - the rule of a region path (see region.h).
 */
#include "core/region.h"

#include "base/base.h"

int toll__region_level_empty(const char *s, size_t len)
{
    toll__trim_space(&s, &len);
    return len == 0;
}

int toll__region_has_empty_level(const char *s, size_t len, char sep,
                                 size_t *at)
{
    if (len == 0)
        return 0;
    size_t start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && s[i] != sep)
            continue;
        if (toll__region_level_empty(s + start, i - start)) {
            if (at)
                *at = start;
            return 1;
        }
        start = i + 1;
    }
    return 0;
}
