/*
 * src/core/region.h - the rule of a region path (src/core/region.c): levels
 * from the country down, separated by '/', none of them empty.  The
 * loaders (src/io/record.c) and the region filter of summaries
 * (src/summarize/summarize.c) both apply it.  Nothing here is public API.
 */
#ifndef TOLL_SRC_CORE_REGION_H
#define TOLL_SRC_CORE_REGION_H

#include <stddef.h>

/* 1 when the level s[0..len) is empty: nothing but blanks. */
int toll__region_level_empty(const char *s, size_t len);

/*
 * 1 when the path s[0..len) has an empty level ("Syria//Idlib", "/Idlib",
 * "Syria/ /Idlib"), levels being separated by `sep`; then *at (may be
 * NULL) is the offset of that level.  An empty path (len 0) has no levels
 * and is not reported.
 */
int toll__region_has_empty_level(const char *s, size_t len, char sep,
                                 size_t *at);

#endif /* TOLL_SRC_CORE_REGION_H */
