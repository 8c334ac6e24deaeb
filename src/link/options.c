/*
 * src/link/options.c - the options of the probabilistic linker
 * (toll/link.h): defaults, the one check, and the same-source names.
 */
#include "link/pipeline.h"

#include <math.h>
#include <string.h>

const char *toll_link_same_source_name(toll_link_same_source v)
{
    switch (v) {
    case TOLL_LINK_SAME_SOURCE_FORBID:
        return "forbid";
    case TOLL_LINK_SAME_SOURCE_ALLOW:
        return "allow";
    }
    return "";
}

toll_status toll_link_same_source_parse(const char *s,
                                        toll_link_same_source *out,
                                        toll_error *err)
{
    if (!out)
        return toll__err(err, TOLL_EINVAL,
                         "toll_link_same_source_parse: out is NULL");
    size_t n = s ? strlen(s) : 0;
    if (s && toll__strncaseeq(s, n, "forbid")) {
        *out = TOLL_LINK_SAME_SOURCE_FORBID;
        return TOLL_OK;
    }
    if (s && toll__strncaseeq(s, n, "allow")) {
        *out = TOLL_LINK_SAME_SOURCE_ALLOW;
        return TOLL_OK;
    }
    return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "same_source", s, n,
                        "unknown same-source rule '%.*s' (expected forbid "
                        "or allow)",
                        (int)(n < 64 ? n : 64), s ? s : "");
}

toll_status toll_link_label_match_parse(const char *text, int *match,
                                        toll_error *err)
{
    static const char *const yes[] = {"1", "true", "yes", "y", "t"};
    static const char *const no[] = {"0", "false", "no", "n", "f"};
    if (!match)
        return toll__err(err, TOLL_EINVAL,
                         "toll_link_label_match_parse: match is NULL");
    const char *s = text ? text : "";
    size_t n = strlen(s);
    toll__trim_space(&s, &n);
    for (size_t k = 0; k < sizeof yes / sizeof yes[0]; k++) {
        if (toll__strncaseeq(s, n, yes[k])) {
            *match = 1;
            return TOLL_OK;
        }
        if (toll__strncaseeq(s, n, no[k])) {
            *match = 0;
            return TOLL_OK;
        }
    }
    return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "match", s, n,
                        "'%.*s' is not a match label (expected 1/0, "
                        "true/false or yes/no)",
                        (int)(n < 64 ? n : 64), s);
}

void toll_link_options_init(toll_link_options *opts)
{
    if (!opts)
        return;
    memset(opts, 0, sizeof *opts);
    opts->window_days = TOLL_LINK_DEFAULT_WINDOW;
    opts->upper = TOLL_LINK_DEFAULT_UPPER;
    opts->lower = TOLL_LINK_DEFAULT_LOWER;
    opts->same_source = TOLL_LINK_SAME_SOURCE_FORBID;
    opts->max_span = TOLL_LINK_DEFAULT_MAX_SPAN;
    opts->seed = 1;
}

static int is_probability(double p) { return p > 0.0 && p < 1.0; }

toll_status toll_link_options_check(const toll_link_options *o,
                                    toll_error *err)
{
    if (!o)
        return toll__err(err, TOLL_EINVAL,
                         "toll_link_options_check: options are NULL");
    if (o->window_days < 0 || o->window_days > TOLL_LINK_MAX_DAYS)
        return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "window_days",
                            NULL, 0,
                            "window_days must be from 0 to %d, not %d",
                            TOLL_LINK_MAX_DAYS, o->window_days);
    if (!is_probability(o->upper))
        return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "upper", NULL, 0,
                            "upper must be a probability above 0 and below "
                            "1, not %g",
                            o->upper);
    if (!is_probability(o->lower))
        return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "lower", NULL, 0,
                            "lower must be a probability above 0 and below "
                            "1, not %g",
                            o->lower);
    if (o->lower > o->upper)
        return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "lower", NULL, 0,
                            "lower (%g) must not be above upper (%g)",
                            o->lower, o->upper);
    if ((unsigned)o->same_source > TOLL_LINK_SAME_SOURCE_ALLOW)
        return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "same_source",
                            NULL, 0, "unknown same-source rule %d",
                            (int)o->same_source);
    if (o->max_span < 0 || o->max_span > TOLL_LINK_MAX_DAYS)
        return toll__seterr(err, TOLL_EINVAL, NULL, 0, -1, "max_span", NULL,
                            0,
                            "max_span must be from 0 (no limit) to %d, not "
                            "%d",
                            TOLL_LINK_MAX_DAYS, o->max_span);
    return TOLL_OK;
}
