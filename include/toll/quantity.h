/*
 * toll/quantity.h - casualty quantities and the vague-word lexicon.
 *
 * A quantity is a range [low, high] of whole numbers of people, where high
 * may be open (unbounded), with a real-valued best estimate; or unknown.
 * Quantities are parsed from integers, {"low","high","best"} objects, or
 * English text ("at least 150", "85-92", "about 350", "dozens").
 */
#ifndef TOLL_QUANTITY_H
#define TOLL_QUANTITY_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Value of toll_quantity.high when the range is open above. */
#define TOLL_OPEN INT64_C(-1)

/* The largest count accepted anywhere, 2^53 (9,007,199,254,740,992): every
 * whole number up to it is exact as a double.  Larger counts, in text,
 * JSON, CSV or Python numbers, are errors. */
#define TOLL_COUNT_MAX INT64_C(9007199254740992)

/* A parsed quantity.  A plain value owned by the caller. */
typedef struct toll_quantity {
    int known;      /* 0: unknown (null, "unknown", empty); other fields 0 */
    int64_t low;    /* >= 0 */
    int64_t high;   /* >= low, or TOLL_OPEN */
    double best;    /* in [low, high] (or >= low when open) */
    int has_best;   /* 1 if best was given explicitly or implied by the rule
                       (exact value, "about N", lexicon best); 0 if derived
                       (open low bound or midpoint) */
    char rule[48];  /* which rule matched: "exact", "range", "at least",
                       "more than", "up to", "about", "nearly", "none",
                       "unknown", "object", "lexicon: dozens", ... */
} toll_quantity;

/* Opaque vague-word lexicon ("dozens" -> [24, 99], best 36). */
typedef struct toll_lexicon toll_lexicon;

/*
 * Create the default lexicon (a couple, a few, a handful, several, dozens,
 * scores, tens, hundreds, thousands, many), using `alloc` (NULL: default).
 * On success *out owns a new lexicon; release it with toll_lexicon_free.
 */
TOLL_API toll_status toll_lexicon_new(const toll_allocator *alloc,
                                      toll_lexicon **out, toll_error *err);

/*
 * Create a named preset lexicon.  Presets: "default", "acled" (ACLED
 * codebook point values: several/many/plural -> 10 etc., see README), and
 * "empty".  Unknown names give TOLL_ENOTFOUND.  *out as for toll_lexicon_new.
 */
TOLL_API toll_status toll_lexicon_new_preset(const char *name,
                                             const toll_allocator *alloc,
                                             toll_lexicon **out,
                                             toll_error *err);

/*
 * Load lexicon entries from JSON text `json` of `len` bytes (no NUL needed).
 * Accepted forms:
 *   {"replace": bool, "words": {"dozens": {"low":24,"high":99,"best":36}, ...},
 *    "scales": {"mn": 1000000, ...}}
 *   {"dozens": {"low": 24, "high": 99, "best": 36}, ...}     (extends)
 * "high": null means open; "best" is optional; "scales" adds scale words
 * (see toll_lexicon_set_scale).  With "replace": true the existing entries
 * and scale words are dropped first.  `name` names the input in errors.
 * Errors (TOLL_EPARSE, naming `name`, the line and the word): invalid JSON;
 * a word holding \u0000, given twice, or read by the parser itself ("5",
 * "twenty", "none", "unknown", "about a dozen"); a bad entry; a count above
 * TOLL_COUNT_MAX.  On error the lexicon is unchanged.
 */
TOLL_API toll_status toll_lexicon_load_json(toll_lexicon *lex,
                                            const char *json, size_t len,
                                            const char *name, toll_error *err);

/* Same, reading the file at `path`. */
TOLL_API toll_status toll_lexicon_load_file(toll_lexicon *lex,
                                            const char *path, toll_error *err);

/*
 * Add or replace one entry.  `word` is matched case-insensitively, whole
 * words, at the start of the text ("dozens of civilians").  high may be
 * TOLL_OPEN; best < 0 means "no best".  A word the parser reads itself
 * ("5", "twenty", "none") and counts above TOLL_COUNT_MAX are TOLL_EINVAL.
 */
TOLL_API toll_status toll_lexicon_set(toll_lexicon *lex, const char *word,
                                      int64_t low, int64_t high, double best,
                                      toll_error *err);

/*
 * Add or replace a scale word, read after digits like the built-in
 * abbreviations k, m, mln and bn: with "mn" -> 1000000, "2 mn" and "2mn"
 * read 2,000,000.  `word` is ASCII letters, matched case-insensitively; it
 * may not be a word the parser reads as part of a number ("k", "million",
 * "dozen", "zillion"); scale is from 2 to TOLL_COUNT_MAX.  Errors are
 * TOLL_EINVAL naming the word; the lexicon is then unchanged.
 */
TOLL_API toll_status toll_lexicon_set_scale(toll_lexicon *lex,
                                            const char *word, int64_t scale,
                                            toll_error *err);

/* Number of scale words (none in the presets). */
TOLL_API size_t toll_lexicon_scale_count(const toll_lexicon *lex);

/* Scale word i (0 <= i < toll_lexicon_scale_count), in insertion order:
 * *word points into the lexicon and stays valid until it is changed or
 * freed.  TOLL_ENOTFOUND when i is out of range. */
TOLL_API toll_status toll_lexicon_scale_entry(const toll_lexicon *lex,
                                              size_t i, const char **word,
                                              int64_t *scale);

/* Number of entries (vague words; scale words are counted apart). */
TOLL_API size_t toll_lexicon_count(const toll_lexicon *lex);

/*
 * Entry i (0 <= i < count), in insertion order.  *word points into the
 * lexicon and stays valid until the lexicon is changed or freed.
 * best is < 0 when the entry has none.
 */
TOLL_API toll_status toll_lexicon_entry(const toll_lexicon *lex, size_t i,
                                        const char **word, int64_t *low,
                                        int64_t *high, double *best);

/* Free a lexicon.  Accepts NULL. */
TOLL_API void toll_lexicon_free(toll_lexicon *lex);

/* Options for parsing text quantities.  Initialise with
 * toll_parse_options_init, then override. */
typedef struct toll_parse_options {
    const toll_lexicon *lexicon; /* NULL: the built-in default lexicon */
    double about_tolerance;      /* "about N" -> [round((1-t)N), round((1+t)N)];
                                    default 0.1 */
} toll_parse_options;

TOLL_API void toll_parse_options_init(toll_parse_options *opts);

/*
 * Parse English text `text` of `len` bytes (UTF-8; no NUL needed) into *out.
 * Case-insensitive; Unicode dashes (U+2010..U+2015, U+2212) are accepted as
 * range dashes; trailing words that cannot change the number are ignored
 * ("at least 150 civilians"), but a number-like word right after the
 * quantity is an error ("12, 000", "2 zillion", "5 million million"), as is
 * any number after a none word ("no 5") and any count above TOLL_COUNT_MAX
 * (the message names the cap).
 * `opts` may be NULL for defaults.  Unknown text ("unknown", "unclear", "NA",
 * "N/A", "n/a", a lone "-", "") gives TOLL_OK with out->known == 0.  Unreadable text gives TOLL_EPARSE with
 * err->text set to the text and err->message
 *   cannot read "at leest 5" as a quantity
 * (callers that know the file, line and field add them).  Thread-safe as
 * long as the lexicon is not being modified.
 */
TOLL_API toll_status toll_quantity_parse(const char *text, size_t len,
                                         const toll_parse_options *opts,
                                         toll_quantity *out, toll_error *err);

/*
 * Build a quantity from explicit bounds, validating them: low >= 0,
 * high == TOLL_OPEN or high >= low, best (if has_best) within [low, high]
 * (or >= low when open).  Errors are TOLL_EREPORT with a message saying
 * which rule was broken ("low 9 is greater than high 5").  Without a best,
 * best is low for an open range and the midpoint otherwise.
 */
TOLL_API toll_status toll_quantity_make(int64_t low, int64_t high, int has_best,
                                        double best, toll_quantity *out,
                                        toll_error *err);

/*
 * Write a display form of `q` into buf (always NUL-terminated, truncated to
 * size): "92", "85–92", "150+", "unknown".  With `thousands` non-zero,
 * numbers get thousands separators ("1,098–1,450").  Returns the length the
 * full string needs, like snprintf.
 */
TOLL_API size_t toll_quantity_format(const toll_quantity *q, int thousands,
                                     char *buf, size_t size);

#ifdef __cplusplus
}
#endif
#endif /* TOLL_QUANTITY_H */
