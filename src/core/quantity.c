/*
 * src/core/quantity.c - the quantity parser (toll_quantity_parse), and
 * toll_quantity_make / toll_quantity_format.
 *
 * The parser works on (text, len) with a cursor and never reads past len.
 * It allocates nothing and keeps no state outside the stack, so it is
 * thread-safe; with no lexicon it reads the static default table of
 * src/core/lexicon.c.
 *
 * Grammar (ASCII case-insensitive, after trimming whitespace):
 *   "" | "-"                             unknown
 *   unknown | unclear | na | n/a         unknown
 *   none | no | no one | no-one | nobody [0, 0]            "none"
 *   none to N                            [0, N]             "range"
 *   N                                    [N, N] ("none" when N is 0)
 *   N - M | N to M | N or M              [N, M]             "range"
 *   between N and|to|- M                 [N, M]             "range"
 *   at least | no|not fewer than | no|not less than N, N or more, N+
 *                                        [N, open]          "at least"
 *   more than | over | upwards of N      [N+1, open]        "more than"
 *   up to | as many as | at most | no|not more|greater|higher than N,
 *   N or fewer, N or less                [0, N]             "up to"
 *   fewer than | less than N             [0, N-1]           "fewer than"
 *   about | ~ | around | approximately | roughly | some | an estimated |
 *   estimated N                          [round((1-t)N), round((1+t)N)]
 *   nearly | almost N                    [min(round(0.9N), N-1), N-1]
 *   lexicon word [[of] dozen|hundred(s)|thousand(s)|lakh(s)|million(s)|
 *   crore(s)|billion(s)|trillion(s)]    the entry (times the multiplier)
 *   lexicon word to|or|- lexicon word    [first's low, second's high]
 * followed by words that cannot change the number: the first word after
 * the quantity may not be number-like (trailing_number), and after a none
 * word no number may follow at all.  Every count is at most
 * TOLL__COUNT_MAX (2^53).
 * N is digits ("1,450", "2 thousand", "1.5 million", "5k", "2 mln", "3
 * lakh", and the lexicon's scale words) or English number words ("one
 * hundred and fifty", "twenty-three", "a dozen", "one crore twenty lakh").
 * "-" is also any of U+2010..U+2015 and U+2212.
 */
#include "core/core.h"

#include <math.h>
#include <stdio.h>

/* ---- results of the internal parser ------------------------------------ */

typedef enum perr {
    P_OK = 0,
    P_NONUM,    /* no number here (not an error by itself) */
    P_SYNTAX,   /* cannot read */
    P_FRACTION, /* 3.5 */
    P_NEGATIVE, /* -4 */
    P_OVERFLOW, /* > INT64_MAX */
    P_ORDER,    /* low > high */
    P_NEARLY,   /* nearly N with N < 2 */
    P_BELOW0,   /* fewer than 0 */
    P_TRAILING  /* number-like text after the quantity */
} perr;

typedef struct cur {
    const char *s;
    size_t n;                /* end (exclusive) */
    size_t i;                /* position */
    const toll__lexscale *sc; /* the lexicon's scale abbreviations */
    size_t nsc;
} cur;

typedef struct num {
    int64_t v;
    int64_t scale; /* trailing multiplier word ("three thousand": 1000), 1 */
} num;

/* ---- character helpers ----------------------------------------------- */

static int is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

static int is_alnum(unsigned char c)
{
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static void skip_ws(cur *c)
{
    while (c->i < c->n && toll__is_space((unsigned char)c->s[c->i]))
        c->i++;
}

/* Length of a dash at the cursor ('-', U+2010..U+2015, U+2212), or 0. */
static size_t dash_len(const cur *c)
{
    size_t r = c->n - c->i;
    const unsigned char *p = (const unsigned char *)c->s + c->i;
    if (r >= 1 && p[0] == '-')
        return 1;
    if (r >= 3 && p[0] == 0xE2) {
        if (p[1] == 0x80 && p[2] >= 0x90 && p[2] <= 0x95)
            return 3;
        if (p[1] == 0x88 && p[2] == 0x92)
            return 3;
    }
    return 0;
}

/* Match a phrase (whole words) at the cursor; returns its length or 0. */
static size_t match(const cur *c, const char *w)
{
    return toll__match_phrase(c->s + c->i, c->n - c->i, w, strlen(w));
}

/* Consume optional whitespace then the phrase; on failure restore. */
static int eat(cur *c, const char *w)
{
    size_t save = c->i;
    skip_ws(c);
    size_t m = match(c, w);
    if (!m) {
        c->i = save;
        return 0;
    }
    c->i += m;
    return 1;
}

static int mul_ok(int64_t a, int64_t b, int64_t *r)
{
    if (a < 0 || b < 0)
        return 0;
    if (b != 0 && a > INT64_MAX / b)
        return 0;
    *r = a * b;
    return 1;
}

static int add_ok(int64_t a, int64_t b, int64_t *r)
{
    if (a < 0 || b < 0 || a > INT64_MAX - b)
        return 0;
    *r = a + b;
    return 1;
}

/* ---- number words ------------------------------------------------------- */

static const char *const units[] = {
    "zero",    "one",     "two",       "three",    "four",
    "five",    "six",     "seven",     "eight",    "nine",
    "ten",     "eleven",  "twelve",    "thirteen", "fourteen",
    "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"};
static const char *const tens[] = {"twenty", "thirty",  "forty",  "fifty",
                                   "sixty",  "seventy", "eighty", "ninety"};

typedef struct scale_word {
    const char *w;
    int64_t v;
} scale_word;

/* Big scales, in the order they may not repeat or grow ("one crore twenty
 * lakh" is 12,000,000). */
static const scale_word bigs[] = {{"trillion", INT64_C(1000000000000)},
                                  {"billion", INT64_C(1000000000)},
                                  {"crore", INT64_C(10000000)},
                                  {"million", INT64_C(1000000)},
                                  {"lakh", INT64_C(100000)},
                                  {"thousand", INT64_C(1000)}};

/* Abbreviated scales, read only after digits, written apart or joined
 * ("5k", "2.5 mln", "2bn"). */
static const scale_word abbrevs[] = {{"k", INT64_C(1000)},
                                     {"m", INT64_C(1000000)},
                                     {"mln", INT64_C(1000000)},
                                     {"bn", INT64_C(1000000000)}};

/* A built-in abbreviation or one of the lexicon's scale words at the
 * cursor: its scale, or 0. */
static int64_t match_abbrev(const cur *c, size_t *len)
{
    for (size_t k = 0; k < sizeof abbrevs / sizeof abbrevs[0]; k++) {
        size_t m = match(c, abbrevs[k].w);
        if (m) {
            *len = m;
            return abbrevs[k].v;
        }
    }
    for (size_t k = 0; k < c->nsc; k++) {
        size_t m = toll__match_phrase(c->s + c->i, c->n - c->i, c->sc[k].word,
                                      c->sc[k].len);
        if (m) {
            *len = m;
            return c->sc[k].scale;
        }
    }
    return 0;
}

/* Match a unit word (0..19) at the cursor: returns value or -1, *len. */
static int match_unit(const cur *c, size_t *len)
{
    for (int u = 19; u >= 0; u--) { /* longest first: "fourteen" > "four" */
        size_t m = match(c, units[u]);
        if (m) {
            *len = m;
            return u;
        }
    }
    return -1;
}

static int match_tens(const cur *c, size_t *len)
{
    for (int t = 0; t < 8; t++) {
        size_t m = match(c, tens[t]);
        if (m) {
            *len = m;
            return (t + 2) * 10;
        }
    }
    return -1;
}

static int64_t match_big(const cur *c, size_t *len)
{
    for (size_t k = 0; k < sizeof bigs / sizeof bigs[0]; k++) {
        size_t m = match(c, bigs[k].w);
        if (m) {
            *len = m;
            return bigs[k].v;
        }
    }
    return 0;
}

enum wkind { W_START, W_A, W_ZERO, W_UNIT, W_TEEN, W_TENS, W_HUNDRED,
             W_BIG, W_DOZEN };

/* 1 if a multiplier word (hundred/thousand/million/billion/dozen) is next
 * (after whitespace). */
static int scale_follows(const cur *c0)
{
    cur c = *c0;
    size_t l;
    skip_ws(&c);
    return match(&c, "hundred") || match(&c, "dozen") || match_big(&c, &l);
}

/* English number words.  P_NONUM if none at the cursor. */
static perr parse_words(cur *c, num *out)
{
    size_t start = c->i;
    int64_t total = 0, cur_v = 0, big_last = INT64_MAX, scale = 1;
    enum wkind last = W_START;
    size_t len;

    /* "a hundred", "a thousand", "a dozen" */
    {
        size_t m = match(c, "a");
        if (m) {
            cur t = *c;
            t.i += m;
            if (t.i < t.n && toll__is_space((unsigned char)t.s[t.i]) &&
                scale_follows(&t)) {
                c->i += m;
                cur_v = 1;
                last = W_A;
            }
        }
    }

    for (;;) {
        size_t save = c->i;
        if (last != W_START)
            skip_ws(c);
        if (c->i >= c->n)
            goto stop;

        if (last == W_HUNDRED || last == W_BIG) {
            /* "one hundred and fifty": "and" only before a smaller number */
            size_t m = match(c, "and");
            if (m) {
                cur t = *c;
                t.i += m;
                skip_ws(&t);
                size_t l2;
                if (t.i > c->i + m && (match_unit(&t, &l2) > 0 ||
                                       match_tens(&t, &l2) > 0)) {
                    c->i = t.i;
                    save = c->i; /* the next word must follow */
                }
            }
        }

        int u = match_unit(c, &len);
        if (u >= 0) {
            if (u == 0) {
                if (last != W_START)
                    goto stop;
                c->i += len;
                last = W_ZERO;
                continue;
            }
            if (last == W_ZERO || last == W_UNIT || last == W_TEEN ||
                last == W_A || last == W_DOZEN)
                goto stop;
            if (last == W_TENS && u >= 10)
                goto stop;
            if (last == W_HUNDRED && cur_v % 100 != 0)
                goto stop;
            cur_v += u;
            c->i += len;
            last = u >= 10 ? W_TEEN : W_UNIT;
            scale = 1;
            continue;
        }
        int t = match_tens(c, &len);
        if (t > 0) {
            if (last != W_START && last != W_HUNDRED && last != W_BIG)
                goto stop;
            if (last == W_HUNDRED && cur_v % 100 != 0)
                goto stop;
            cur_v += t;
            c->i += len;
            last = W_TENS;
            scale = 1;
            /* "twenty-three" */
            if (c->i < c->n && c->s[c->i] == '-') {
                cur h = *c;
                h.i++;
                size_t l2;
                int u2 = match_unit(&h, &l2);
                if (u2 >= 1 && u2 <= 9) {
                    cur_v += u2;
                    c->i = h.i + l2;
                    last = W_UNIT;
                }
            }
            continue;
        }
        size_t m = match(c, "hundred");
        if (m) {
            if (!(last == W_A || last == W_UNIT || last == W_TEEN ||
                  last == W_TENS) ||
                cur_v >= 100)
                goto stop;
            cur_v *= 100;
            c->i += m;
            last = W_HUNDRED;
            scale = 100;
            continue;
        }
        int64_t bv = match_big(c, &len);
        if (bv) {
            if (!(last == W_A || last == W_UNIT || last == W_TEEN ||
                  last == W_TENS || last == W_HUNDRED || last == W_DOZEN) ||
                cur_v == 0 || bv >= big_last)
                goto stop;
            int64_t part;
            if (!mul_ok(cur_v, bv, &part) || !add_ok(total, part, &total))
                return P_OVERFLOW;
            cur_v = 0;
            c->i += len;
            big_last = bv;
            last = W_BIG;
            scale = bv;
            continue;
        }
        m = match(c, "dozen");
        if (m) {
            if (last == W_START)
                cur_v = 1;
            else if (!(last == W_A || last == W_UNIT || last == W_TEEN ||
                       last == W_TENS))
                goto stop;
            cur_v *= 12;
            c->i += m;
            last = W_DOZEN;
            scale = 12;
            continue;
        }
    stop:
        c->i = save;
        break;
    }
    if (last == W_START || last == W_A) {
        c->i = start;
        return P_NONUM;
    }
    if (!add_ok(total, cur_v, &out->v))
        return P_OVERFLOW;
    out->scale = scale;
    return P_OK;
}

/* ---- digits ----------------------------------------------------------- */

/* Digits with optional comma groups, optional fraction, optional multiplier
 * words ("2 thousand", "1.5 million", "2 dozen"). */
static perr parse_digits(cur *c, num *out)
{
    const char *s = c->s;
    int64_t v = 0;
    int overflow = 0;
    size_t g = 0; /* digits in the first group */
    while (c->i < c->n && is_digit((unsigned char)s[c->i])) {
        if (!mul_ok(v, 10, &v) || !add_ok(v, s[c->i] - '0', &v))
            overflow = 1;
        c->i++;
        g++;
    }
    /* thousands separators: ",ddd" groups */
    while (c->i + 1 < c->n && s[c->i] == ',' &&
           is_digit((unsigned char)s[c->i + 1])) {
        size_t k = 0;
        size_t j = c->i + 1;
        while (j < c->n && is_digit((unsigned char)s[j]))
            j++;
        k = j - c->i - 1;
        if (k != 3 || g > 3)
            return P_SYNTAX; /* "1,45", "1450,000" */
        for (size_t p = c->i + 1; p < j; p++)
            if (!mul_ok(v, 10, &v) || !add_ok(v, s[p] - '0', &v))
                overflow = 1;
        c->i = j;
    }
    /* fraction */
    int64_t pow10 = 1;
    int frac = 0, frac_overflow = 0;
    if (c->i + 1 < c->n && s[c->i] == '.' &&
        is_digit((unsigned char)s[c->i + 1])) {
        c->i++;
        frac = 1;
        while (c->i < c->n && is_digit((unsigned char)s[c->i])) {
            if (!mul_ok(v, 10, &v) || !add_ok(v, s[c->i] - '0', &v) ||
                !mul_ok(pow10, 10, &pow10))
                frac_overflow = 1;
            c->i++;
        }
    }
    /* multiplier words, growing: "2 hundred thousand"; an abbreviation
     * may be joined to the digits ("5k", "2.5m") */
    int64_t mult = 1, last = 0;
    if (c->i < c->n && is_alnum((unsigned char)s[c->i])) {
        size_t m;
        int64_t sv = match_abbrev(c, &m);
        if (!sv)
            return P_SYNTAX; /* "92abc" */
        mult = last = sv;
        c->i += m;
    }
    for (;;) {
        cur t = *c;
        skip_ws(&t);
        if (t.i == c->i)
            break; /* a word needs a space before it */
        size_t m;
        int64_t sv = 0;
        if ((m = match(&t, "dozen")) != 0)
            sv = 12;
        else if ((m = match(&t, "hundred")) != 0)
            sv = 100;
        else if ((sv = match_big(&t, &m)) == 0)
            sv = match_abbrev(&t, &m);
        if (!sv || sv <= last || (last == 12))
            break;
        if (!mul_ok(mult, sv, &mult))
            return P_OVERFLOW;
        last = sv;
        c->i = t.i + m;
    }
    if (frac) {
        if (mult == 1)
            return P_FRACTION;
        if (frac_overflow || overflow)
            return P_OVERFLOW;
        int64_t p;
        if (!mul_ok(v, mult, &p))
            return P_OVERFLOW;
        if (p % pow10 != 0)
            return P_FRACTION;
        out->v = p / pow10;
    } else {
        if (overflow || !mul_ok(v, mult, &out->v))
            return P_OVERFLOW;
    }
    out->scale = mult;
    return P_OK;
}

/* A number at the cursor (after optional whitespace).  On P_NONUM the
 * cursor is unchanged. */
static perr parse_number(cur *c, num *out)
{
    size_t save = c->i;
    skip_ws(c);
    if (c->i >= c->n) {
        c->i = save;
        return P_NONUM;
    }
    if (is_digit((unsigned char)c->s[c->i]))
        return parse_digits(c, out);
    size_t d = dash_len(c);
    if (d && c->i + d < c->n && is_digit((unsigned char)c->s[c->i + d]))
        return P_NEGATIVE;
    perr r = parse_words(c, out);
    if (r == P_NONUM)
        c->i = save;
    return r;
}

/* ---- result building -------------------------------------------------- */

/* The best of a range with no best of its own: its midpoint. */
static inline double range_mid(int64_t low, int64_t high)
{
    return (double)low + ((double)high - (double)low) / 2.0;
}

static void set_range(toll_quantity *q, int64_t low, int64_t high,
                      const char *rule)
{
    q->known = 1;
    q->low = low;
    q->high = high;
    if (high == TOLL_OPEN)
        q->best = (double)low;
    else
        q->best = range_mid(low, high);
    q->has_best = 0;
    size_t n = strlen(rule); /* no snprintf on the parser's path */
    if (n >= sizeof q->rule)
        n = sizeof q->rule - 1;
    memcpy(q->rule, rule, n);
    q->rule[n] = '\0';
}

static void set_exact(toll_quantity *q, int64_t v)
{
    set_range(q, v, v, v == 0 ? "none" : "exact");
    q->best = (double)v;
    q->has_best = 1;
}

/* Details for the error message. */
typedef struct pdetail {
    int64_t a, b;
    size_t at, tlen; /* the token a trailing-words error names */
    int none_word;   /* the quantity was a none word ("none", "no one") */
} pdetail;

/* If a range continues at the cursor (dash/"to"/"or" + number, or "and"
 * when `and_ok`), parse it: returns P_OK with *b, P_NONUM if none (cursor
 * unchanged), or an error. */
static perr range_tail(cur *c, int and_ok, num *b)
{
    size_t save = c->i;
    skip_ws(c);
    size_t d = dash_len(c);
    size_t m = 0;
    if (d)
        c->i += d;
    else if ((m = match(c, "to")) != 0 || (m = match(c, "or")) != 0 ||
             (and_ok && (m = match(c, "and")) != 0))
        c->i += m;
    else {
        c->i = save;
        return P_NONUM;
    }
    if (m && (c->i >= c->n || !toll__is_space((unsigned char)c->s[c->i]))) {
        c->i = save;
        return P_NONUM;
    }
    perr r = parse_number(c, b);
    if (r == P_NONUM)
        c->i = save;
    return r;
}

static perr make_range(num a, num b, toll_quantity *q, pdetail *det)
{
    /* "2-3 thousand": the second number's multiplier applies to both */
    if (a.scale == 1 && b.scale > 1) {
        int64_t sa;
        if (mul_ok(a.v, b.scale, &sa) && sa <= b.v)
            a.v = sa;
    }
    if (a.v > b.v) {
        det->a = a.v;
        det->b = b.v;
        return P_ORDER;
    }
    set_range(q, a.v, b.v, "range");
    return P_OK;
}

/* ---- keywords ----------------------------------------------------------- */

typedef enum kwkind {
    K_ATLEAST, K_MORE, K_UPTO, K_FEWER, K_ABOUT, K_NEARLY, K_BETWEEN,
    K_NONE, K_UNKNOWN
} kwkind;

static const struct {
    const char *w;
    kwkind k;
} keywords[] = {
    {"at least", K_ATLEAST},      {"no fewer than", K_ATLEAST},
    {"no less than", K_ATLEAST},  {"more than", K_MORE},
    {"over", K_MORE},             {"upwards of", K_MORE},
    {"up to", K_UPTO},            {"as many as", K_UPTO},
    {"at most", K_UPTO},          {"no more than", K_UPTO},
    {"not more than", K_UPTO},    {"no greater than", K_UPTO},
    {"not greater than", K_UPTO}, {"no higher than", K_UPTO},
    {"not higher than", K_UPTO},  {"not fewer than", K_ATLEAST},
    {"not less than", K_ATLEAST}, {"fewer than", K_FEWER},
    {"less than", K_FEWER},       {"~", K_ABOUT},
    {"about", K_ABOUT},
    {"around", K_ABOUT},          {"approximately", K_ABOUT},
    {"roughly", K_ABOUT},         {"some", K_ABOUT},
    {"an estimated", K_ABOUT},    {"estimated", K_ABOUT},
    {"nearly", K_NEARLY},         {"almost", K_NEARLY},
    {"between", K_BETWEEN},       {"none", K_NONE},
    {"no", K_NONE},               {"no one", K_NONE},
    {"no-one", K_NONE},           {"nobody", K_NONE},
    {"unknown", K_UNKNOWN},       {"unclear", K_UNKNOWN},
    {"na", K_UNKNOWN},            {"n/a", K_UNKNOWN},
};

static int64_t round_count(double x)
{
    double r = round(x);
    if (r <= 0)
        return 0;
    return (int64_t)r;
}

/* After "at least N" and the like: a range here is an error. */
static perr no_range_after(cur *c)
{
    size_t save = c->i;
    num b;
    perr r = range_tail(c, 0, &b);
    c->i = save;
    if (r == P_OK)
        return P_SYNTAX;
    if (r == P_NONUM)
        return P_OK;
    return r;
}

static perr apply_keyword(cur *c, kwkind k, double tol, toll_quantity *q,
                          pdetail *det)
{
    num a, b;
    perr r;
    switch (k) {
    case K_NONE:
        /* "none to 5": zero as the low of a range; any other number after
         * a none word is refused by the trailing-words rule */
        r = range_tail(c, 0, &b);
        if (r == P_OK) {
            a.v = 0;
            a.scale = 1;
            return make_range(a, b, q, det);
        }
        if (r != P_NONUM)
            return r;
        set_exact(q, 0);
        snprintf(q->rule, sizeof q->rule, "none");
        det->none_word = 1;
        return P_OK;
    case K_UNKNOWN:
        memset(q, 0, sizeof *q);
        snprintf(q->rule, sizeof q->rule, "unknown");
        return P_OK;
    case K_BETWEEN:
        if ((r = parse_number(c, &a)) != P_OK)
            return r;
        r = range_tail(c, 1, &b);
        if (r == P_NONUM)
            return P_SYNTAX;
        if (r != P_OK)
            return r;
        return make_range(a, b, q, det);
    default:
        break;
    }
    if ((r = parse_number(c, &a)) != P_OK)
        return r;
    if ((r = no_range_after(c)) != P_OK)
        return r;
    int64_t n = a.v;
    switch (k) {
    case K_ATLEAST:
        set_range(q, n, TOLL_OPEN, "at least");
        return P_OK;
    case K_MORE:
        if (n == INT64_MAX)
            return P_OVERFLOW;
        set_range(q, n + 1, TOLL_OPEN, "more than");
        return P_OK;
    case K_UPTO:
        set_range(q, 0, n, "up to");
        return P_OK;
    case K_FEWER:
        if (n < 1) {
            det->a = n;
            return P_BELOW0;
        }
        set_range(q, 0, n - 1, "fewer than");
        return P_OK;
    case K_ABOUT: {
        double lo = round((double)n * (1.0 - tol));
        double hi = round((double)n * (1.0 + tol));
        if (hi >= 9223372036854775807.0)
            return P_OVERFLOW;
        int64_t low = round_count(lo), high = round_count(hi);
        if (low > n)
            low = n;
        if (high < n)
            high = n;
        set_range(q, low, high, "about");
        q->best = (double)n;
        q->has_best = 1;
        return P_OK;
    }
    case K_NEARLY: {
        if (n < 2) {
            det->a = n;
            return P_NEARLY;
        }
        int64_t low = round_count((double)n * 0.9);
        if (low > n - 1)
            low = n - 1;
        set_range(q, low, n - 1, "nearly");
        return P_OK;
    }
    default:
        return P_SYNTAX;
    }
}

/* ---- lexicon ------------------------------------------------------------ */

static size_t match_lexicon(const cur *c, const toll__lexentry *e, size_t n,
                            size_t *which)
{
    size_t best = 0;
    for (size_t i = 0; i < n; i++) {
        size_t m = toll__match_phrase(c->s + c->i, c->n - c->i, e[i].word,
                                      e[i].len);
        if (m > best) {
            best = m;
            *which = i;
        }
    }
    return best;
}

static const scale_word lex_mults[] = {
    {"dozen", 12},
    {"hundreds", 100},           {"hundred", 100},
    {"thousands", 1000},         {"thousand", 1000},
    {"lakhs", 100000},           {"lakh", 100000},
    {"millions", 1000000},       {"million", 1000000},
    {"crores", 10000000},        {"crore", 10000000},
    {"billions", 1000000000},    {"billion", 1000000000},
    {"trillions", INT64_C(1000000000000)},
    {"trillion", INT64_C(1000000000000)},
};

/* The entry e matched at the cursor (len bytes), with an optional
 * multiplier ("several hundred", "tens of thousands"): its bounds. */
static perr lexicon_bounds(cur *c, const toll__lexentry *e, size_t len,
                           int64_t *low, int64_t *high, double *best)
{
    c->i += len;
    int64_t mult = 1;
    {
        cur t = *c;
        skip_ws(&t);
        if (t.i > c->i) {
            size_t m = match(&t, "of");
            if (m) {
                cur u = t;
                u.i += m;
                skip_ws(&u);
                if (u.i > t.i + m)
                    t = u;
            }
            for (size_t k = 0; k < sizeof lex_mults / sizeof lex_mults[0];
                 k++) {
                m = match(&t, lex_mults[k].w);
                if (m) {
                    mult = lex_mults[k].v;
                    c->i = t.i + m;
                    break;
                }
            }
        }
    }
    *high = TOLL_OPEN;
    if (!mul_ok(e->low, mult, low))
        return P_OVERFLOW;
    if (e->high != TOLL_OPEN && !mul_ok(e->high, mult, high))
        return P_OVERFLOW;
    *best = e->best >= 0 ? e->best * (double)mult : -1.0;
    return P_OK;
}

/* A lexicon word, or a range of two ("dozens to hundreds": the first's
 * low to the second's high, no best of its own). */
static perr apply_lexicon(cur *c, const toll__lexentry *lex, size_t nlex,
                          size_t which, size_t len, toll_quantity *q,
                          pdetail *det)
{
    int64_t low, high, low2, high2;
    double best, best2;
    perr r = lexicon_bounds(c, &lex[which], len, &low, &high, &best);
    if (r != P_OK)
        return r;
    /* a second word after a dash, "to" or "or" */
    cur t = *c;
    skip_ws(&t);
    size_t d = dash_len(&t), m = 0;
    if (d)
        t.i += d;
    else if ((m = match(&t, "to")) != 0 || (m = match(&t, "or")) != 0)
        t.i += m;
    if (d || m) {
        size_t at = t.i;
        skip_ws(&t);
        size_t which2 = 0;
        size_t len2 = match_lexicon(&t, lex, nlex, &which2);
        if (len2 && (d || t.i > at)) {
            if ((r = lexicon_bounds(&t, &lex[which2], len2, &low2, &high2,
                                    &best2)) != P_OK)
                return r;
            if (high2 != TOLL_OPEN && low > high2) {
                det->a = low;
                det->b = high2;
                return P_ORDER;
            }
            *c = t;
            set_range(q, low, high2, "lexicon");
            snprintf(q->rule, sizeof q->rule, "lexicon: %s to %s",
                     lex[which].word, lex[which2].word);
            return P_OK;
        }
    }
    set_range(q, low, high, "lexicon");
    if (best >= 0) {
        q->best = best;
        q->has_best = 1;
    }
    snprintf(q->rule, sizeof q->rule, "lexicon: %s", lex[which].word);
    return P_OK;
}

/* ---- the count cap ------------------------------------------------------ */

int toll__count_ok(int64_t v) { return v >= 0 && v <= TOLL__COUNT_MAX; }

int toll__best_ok(double v)
{
    return v >= 0 && v <= (double)TOLL__COUNT_MAX;
}

/* ---- JSON numbers ------------------------------------------------------- */

/*
 * A non-negative whole number from a JSON number as written (exactly, no
 * floating point): "12", "12.0", "1.2e1", "1e3".
 */
int toll__number_count(const char *s, size_t len, int64_t *out)
{
    size_t i = 0;
    int neg = 0;
    if (i < len && s[i] == '-') {
        neg = 1;
        i++;
    }
    /* significant digits (integer and fraction parts) and exponent */
    const char *ip = s + i;
    size_t il = 0, fl = 0;
    while (i < len && s[i] >= '0' && s[i] <= '9') {
        i++;
        il++;
    }
    const char *fp = s + i + 1;
    if (i < len && s[i] == '.') {
        i++;
        while (i < len && s[i] >= '0' && s[i] <= '9') {
            i++;
            fl++;
        }
        if (fl == 0)
            return TOLL__NUM_BAD;
    }
    if (il == 0)
        return TOLL__NUM_BAD;
    int64_t exp = 0;
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        int eneg = 0;
        if (i < len && (s[i] == '+' || s[i] == '-'))
            eneg = s[i++] == '-';
        size_t start = i;
        while (i < len && s[i] >= '0' && s[i] <= '9') {
            if (exp < 100000)
                exp = exp * 10 + (s[i] - '0');
            i++;
        }
        if (i == start)
            return TOLL__NUM_BAD;
        if (eneg)
            exp = -exp;
    }
    if (i != len)
        return TOLL__NUM_BAD;
    /* The digits d1..dn (integer then fraction) times 10^(exp - fl). */
    int64_t scale = exp - (int64_t)fl;
    /* Strip leading zeros and trailing zeros (moving them into scale). */
    char digits[64];
    size_t nd = 0, total = il + fl;
    int started = 0, big = 0;
    for (size_t k = 0; k < total; k++) {
        char c = k < il ? ip[k] : fp[k - il];
        if (!started && c == '0')
            continue;
        started = 1;
        if (nd < sizeof digits)
            digits[nd++] = c;
        else if (c != '0')
            big = 1; /* too many significant digits for any int64 */
        else
            scale++; /* trailing zero beyond the buffer */
    }
    if (nd == 0) { /* zero, whatever its form */
        *out = 0;
        return TOLL__NUM_OK;
    }
    if (neg)
        return TOLL__NUM_NEGATIVE;
    while (nd > 0 && digits[nd - 1] == '0') {
        nd--;
        scale++;
    }
    if (scale < 0)
        return TOLL__NUM_FRACTION;
    if (big || (int64_t)nd + scale > 19)
        return TOLL__NUM_BIG;
    uint64_t v = 0;
    for (size_t k = 0; k < nd; k++)
        v = v * 10 + (uint64_t)(digits[k] - '0');
    for (int64_t k = 0; k < scale; k++)
        v *= 10;
    if (v > (uint64_t)TOLL__COUNT_MAX)
        return TOLL__NUM_BIG;
    *out = (int64_t)v;
    return TOLL__NUM_OK;
}

/* A number (non-negative decimal, optional exponent) as a double. */
int toll__number_decimal(const char *s, size_t len, double *out)
{
    size_t i = 0;
    double v = 0;
    int digits = 0, neg = 0;
    if (i < len && s[i] == '-') {
        neg = 1;
        i++;
    }
    while (i < len && s[i] >= '0' && s[i] <= '9') {
        v = v * 10 + (s[i++] - '0');
        digits++;
    }
    if (i < len && s[i] == '.') {
        i++;
        double f = 0.1;
        while (i < len && s[i] >= '0' && s[i] <= '9') {
            v += (s[i++] - '0') * f;
            f /= 10;
            digits++;
        }
    }
    if (!digits)
        return TOLL__NUM_BAD;
    if (i < len && (s[i] == 'e' || s[i] == 'E')) {
        i++;
        int eneg = 0, e = 0;
        if (i < len && (s[i] == '+' || s[i] == '-'))
            eneg = s[i++] == '-';
        size_t start = i;
        while (i < len && s[i] >= '0' && s[i] <= '9') {
            if (e < 1000)
                e = e * 10 + (s[i] - '0');
            i++;
        }
        if (i == start)
            return TOLL__NUM_BAD;
        for (int k = 0; k < e; k++)
            v = eneg ? v / 10 : v * 10;
    }
    if (i != len)
        return TOLL__NUM_BAD;
    if (neg && v != 0)
        return TOLL__NUM_NEGATIVE;
    if (!toll__best_ok(v))
        return TOLL__NUM_BIG;
    *out = v;
    return TOLL__NUM_OK;
}

const char *toll__number_problem(int code)
{
    switch (code) {
    case TOLL__NUM_NEGATIVE: return "is negative";
    case TOLL__NUM_FRACTION: return "is not a whole number";
    case TOLL__NUM_BIG:
        return "is too large (above the largest count accepted, "
               TOLL__COUNT_MAX_TEXT ")";
    default: return "is not a number";
    }
}

int toll__number_digits(const char *s, size_t len, int64_t *out)
{
    int rc = TOLL__NUM_OK;
    uint64_t n = 0;
    if (s[0] == '-' && len > 1)
        rc = TOLL__NUM_NEGATIVE;
    for (size_t i = 0; i < len && rc == TOLL__NUM_OK; i++) {
        if (s[i] < '0' || s[i] > '9')
            rc = TOLL__NUM_BAD;
        else if (n > ((uint64_t)TOLL__COUNT_MAX - (uint64_t)(s[i] - '0')) /
                         10)
            rc = TOLL__NUM_BIG;
        else
            n = n * 10 + (uint64_t)(s[i] - '0');
    }
    *out = (int64_t)n;
    return rc;
}

int toll__quantity_number(const char *s, size_t len, toll_quantity *out)
{
    int64_t n;
    int rc = toll__number_count(s, len, &n);
    memset(out, 0, sizeof *out);
    if (rc == TOLL__NUM_OK)
        set_exact(out, n);
    return rc;
}

/* ---- plain counts and ranges -------------------------------------------- */

/* Up to 18 ASCII digits (no overflow) from s[*i]; the count of digits. */
static inline size_t fast_digits(const char *s, size_t len, size_t *i,
                                 int64_t *v)
{
    size_t j = *i;
    int64_t x = 0;
    while (j < len && j - *i < 18 && is_digit((unsigned char)s[j]))
        x = x * 10 + (s[j++] - '0');
    size_t nd = j - *i;
    *i = j;
    *v = x;
    return nd;
}

/*
 * "92" and "85-92" as parse_text reads them (parse_number then range_tail,
 * make_range; no multiplier word, separator or space can occur), without
 * its keyword and lexicon scans.  Texts with more than 18 digits to a
 * count, and ranges whose low exceeds their high (an error to word), are
 * left to it.
 */
int toll__quantity_fast(const char *s, size_t len, int64_t *low,
                        int64_t *high, double *best)
{
    int64_t x, y;
    size_t i = 0;
    if (len == 0 || len > 37 || !fast_digits(s, len, &i, &x) ||
        x > TOLL__COUNT_MAX)
        return TOLL__QFAST_NO;
    if (i == len) {
        *low = *high = x;
        *best = (double)x;
        return TOLL__QFAST_COUNT;
    }
    if (s[i] != '-')
        return TOLL__QFAST_NO;
    i++;
    if (!fast_digits(s, len, &i, &y) || i != len || x > y ||
        y > TOLL__COUNT_MAX)
        return TOLL__QFAST_NO;
    *low = x;
    *high = y;
    *best = range_mid(x, y);
    return TOLL__QFAST_RANGE;
}

/* ---- the parser --------------------------------------------------------- */

static perr parse_text(cur *c, const toll__lexentry *lex, size_t nlex,
                       double tol, toll_quantity *q, pdetail *det)
{
    /* longest keyword and longest lexicon word at the start */
    size_t kwlen = 0, kwi = 0;
    for (size_t k = 0; k < sizeof keywords / sizeof keywords[0]; k++) {
        size_t m = match(c, keywords[k].w);
        if (m > kwlen) {
            kwlen = m;
            kwi = k;
        }
    }
    size_t lexi = 0;
    size_t lexlen = match_lexicon(c, lex, nlex, &lexi);

    if (kwlen && kwlen >= lexlen) {
        cur k = *c;
        k.i += kwlen;
        perr r = apply_keyword(&k, keywords[kwi].k, tol, q, det);
        if (r == P_NONUM && lexlen)
            return apply_lexicon(c, lex, nlex, lexi, lexlen, q, det);
        *c = k;
        return r == P_NONUM ? P_SYNTAX : r;
    }
    if (lexlen)
        return apply_lexicon(c, lex, nlex, lexi, lexlen, q, det);

    num a, b;
    perr r = parse_number(c, &a);
    if (r != P_OK)
        return r == P_NONUM ? P_SYNTAX : r;

    /* "N or more", "N or fewer", "N+" */
    if (eat(c, "or more")) {
        set_range(q, a.v, TOLL_OPEN, "at least");
        return P_OK;
    }
    if (eat(c, "or fewer") || eat(c, "or less")) {
        set_range(q, 0, a.v, "up to");
        return P_OK;
    }
    {
        size_t save = c->i;
        skip_ws(c);
        if (c->i < c->n && c->s[c->i] == '+') {
            c->i++;
            set_range(q, a.v, TOLL_OPEN, "at least");
            return P_OK;
        }
        c->i = save;
    }
    r = range_tail(c, 0, &b);
    if (r == P_OK)
        return make_range(a, b, q, det);
    if (r != P_NONUM)
        return r;
    set_exact(q, a.v);
    return P_OK;
}

/* Scale words the parser reads (besides the units and tens), and words
 * it does not read that may still be part of a number. */
static const char *const read_words[] = {
    "hundred", "thousand", "lakh", "million", "crore", "billion", "trillion",
    "dozen", "k", "m", "mln", "bn",
};
static const char *const numberish_words[] = {
    "hundreds", "thousands", "lakhs", "millions", "crores", "billions",
    "trillions", "dozens", "score", "scores", "mn", "point", "half",
    "quarter",
};

int toll__number_word(const char *w, size_t n)
{
    for (int u = 0; u < 20; u++)
        if (toll__strncaseeq(w, n, units[u]))
            return 1;
    for (int t = 0; t < 8; t++)
        if (toll__strncaseeq(w, n, tens[t]))
            return 1;
    for (size_t k = 0; k < sizeof read_words / sizeof read_words[0]; k++)
        if (toll__strncaseeq(w, n, read_words[k]))
            return 1;
    return 0;
}

/* 1 if the letters w[0..n) are a word that is, or may be, part of a
 * number: one the parser reads (toll__number_word), a plural or other
 * number-like word it does not ("millions", "point", "mn"), or any word
 * ending in "illion(s)" ("zillion"). */
static int numberish_word(const char *w, size_t n)
{
    if (toll__number_word(w, n))
        return 1;
    for (size_t k = 0; k < sizeof numberish_words / sizeof numberish_words[0];
         k++)
        if (toll__strncaseeq(w, n, numberish_words[k]))
            return 1;
    if (n > 0 && (w[n - 1] == 's' || w[n - 1] == 'S'))
        n--;
    return n >= 6 && toll__strncaseeq(w + n - 6, 6, "illion");
}

/*
 * The trailing-words rule: after a quantity only words that cannot change
 * its number may follow ("at least 150 civilians").  The first word after
 * it may not be number-like: a digit, a number or scale word, or a
 * lexicon word ("12, 000", "2 zillion", "5 million million", "one point
 * five"); after it, or after an opening bracket, the text is a remark
 * ("92 people, including 40 children", "5 (3 children)").  After a none
 * word (`all`) no number-like word may follow anywhere ("no 50 killed").
 * Returns 1 and the offending token (*at, *tlen), else 0.
 */
static int trailing_number(const cur *c, const toll__lexentry *lex,
                           size_t nlex, int all, size_t *at, size_t *tlen)
{
    size_t i = c->i;
    while (i < c->n) {
        unsigned char ch = (unsigned char)c->s[i];
        if ((ch == '(' || ch == '[') && !all)
            return 0;
        if (!is_alnum(ch)) {
            i++;
            continue;
        }
        size_t j = i;
        while (j < c->n && is_alnum((unsigned char)c->s[j]))
            j++;
        int bad = 0;
        for (size_t k = i; k < j && !bad; k++)
            bad = is_digit((unsigned char)c->s[k]);
        if (!bad)
            bad = numberish_word(c->s + i, j - i);
        for (size_t k = 0; k < c->nsc && !bad; k++)
            bad = toll__strncaseeq(c->s + i, j - i, c->sc[k].word);
        if (!bad) {
            cur t = {c->s, c->n, i, NULL, 0};
            size_t w;
            bad = match_lexicon(&t, lex, nlex, &w) != 0;
        }
        if (bad) {
            *at = i;
            *tlen = j - i;
            return 1;
        }
        if (!all)
            return 0;
        i = j;
    }
    return 0;
}

/* Longest prefix of s[0..n) of at most max bytes ending on a UTF-8
 * character boundary. */
static size_t utf8_cut(const char *s, size_t n, size_t max)
{
    if (n <= max)
        return n;
    size_t k = max;
    while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
        k--;
    return k;
}

toll_status toll_quantity_parse(const char *text, size_t len,
                                const toll_parse_options *opts,
                                toll_quantity *out, toll_error *err)
{
    if (!out)
        return toll__err(err, TOLL_EINVAL, "toll_quantity_parse: out is NULL");
    memset(out, 0, sizeof *out);
    if (!text && len)
        return toll__err(err, TOLL_EINVAL,
                         "toll_quantity_parse: text is NULL");
    double tol = opts ? opts->about_tolerance : 0.1;
    if (!(tol >= 0.0 && tol < 1.0))
        return toll__err(err, TOLL_EINVAL,
                         "about_tolerance %g is not in [0, 1)", tol);
    const toll__lexentry *lex;
    size_t nlex;
    if (opts && opts->lexicon) {
        lex = opts->lexicon->e;
        nlex = opts->lexicon->n;
    } else {
        toll__lexicon_default(&lex, &nlex);
    }

    cur c = {text, len, 0, NULL, 0};
    if (opts && opts->lexicon) {
        c.sc = opts->lexicon->sc;
        c.nsc = opts->lexicon->nsc;
    }
    skip_ws(&c);
    while (c.n > c.i && toll__is_space((unsigned char)c.s[c.n - 1]))
        c.n--;
    if (c.i == c.n || (dash_len(&c) && c.i + dash_len(&c) == c.n)) {
        /* "" and a lone dash: unknown */
        snprintf(out->rule, sizeof out->rule, "unknown");
        return TOLL_OK;
    }

    int64_t lo, hi;
    double best;
    int fast = opts && toll__lexicon_digit_led(opts->lexicon)
                   ? TOLL__QFAST_NO
                   : toll__quantity_fast(c.s + c.i, c.n - c.i, &lo, &hi,
                                         &best);
    if (fast == TOLL__QFAST_COUNT) {
        set_exact(out, lo);
        return TOLL_OK;
    }
    if (fast == TOLL__QFAST_RANGE) {
        set_range(out, lo, hi, "range");
        return TOLL_OK;
    }

    pdetail det = {0, 0, 0, 0, 0};
    perr r = parse_text(&c, lex, nlex, tol, out, &det);
    if (r == P_OK && trailing_number(&c, lex, nlex, det.none_word, &det.at,
                                     &det.tlen))
        r = P_TRAILING; /* "1 000", "2 zillion", "no 5" */
    if (r == P_OK && out->known &&
        (!toll__count_ok(out->low) ||
         (out->high != TOLL_OPEN && !toll__count_ok(out->high)) ||
         !toll__best_ok(out->best)))
        r = P_OVERFLOW; /* "several trillion" of a lexicon's open word */
    if (r == P_OK)
        return TOLL_OK;

    memset(out, 0, sizeof *out);
    char why[128] = "";
    switch (r) {
    case P_FRACTION:
        snprintf(why, sizeof why, ": not a whole number");
        break;
    case P_NEGATIVE:
        snprintf(why, sizeof why, ": negative number");
        break;
    case P_OVERFLOW:
        snprintf(why, sizeof why,
                 ": number too large (above the largest count accepted, "
                 TOLL__COUNT_MAX_TEXT ")");
        break;
    case P_BELOW0:
        snprintf(why, sizeof why,
                 ": \"fewer than %lld\" leaves no whole number below it",
                 (long long)det.a);
        break;
    case P_TRAILING:
        snprintf(why, sizeof why,
                 ": \"%.*s\" after the quantity looks like part of a number",
                 (int)utf8_cut(text + det.at, det.tlen, 60), text + det.at);
        break;
    case P_ORDER:
        snprintf(why, sizeof why, ": low %lld is greater than high %lld",
                 (long long)det.a, (long long)det.b);
        break;
    case P_NEARLY:
        snprintf(why, sizeof why,
                 ": \"nearly %lld\" leaves no whole number below it "
                 "(needs 2 or more)",
                 (long long)det.a);
        break;
    default:
        break;
    }
    size_t show = utf8_cut(text, len, 120);
    return toll__seterr(err, TOLL_EPARSE, NULL, 0, -1, NULL, text, len,
                        "cannot read \"%.*s%s\" as a quantity%s", (int)show,
                        text, show < len ? "..." : "", why);
}

/* 1 when the grammar alone (no lexicon) reads the whole of w[0..len),
 * with the reading in *q. */
static int read_alone(const char *w, size_t len, toll_quantity *q)
{
    pdetail det = {0, 0, 0, 0, 0};
    cur c = {w, len, 0, NULL, 0};
    memset(q, 0, sizeof *q);
    skip_ws(&c);
    while (c.n > c.i && toll__is_space((unsigned char)c.s[c.n - 1]))
        c.n--;
    if (c.i == c.n || (dash_len(&c) && c.i + dash_len(&c) == c.n))
        return 1;
    if (parse_text(&c, NULL, 0, 0.1, q, &det) != P_OK)
        return 0;
    skip_ws(&c);
    return c.i == c.n;
}

int toll__quantity_reads(const char *w, size_t len)
{
    toll_quantity q;
    return read_alone(w, len, &q);
}

int toll__quantity_unknown(const char *s, size_t len)
{
    toll_quantity q;
    return read_alone(s, len, &q) && !q.known;
}

void toll_parse_options_init(toll_parse_options *opts)
{
    if (!opts)
        return;
    opts->lexicon = NULL;
    opts->about_tolerance = 0.1;
}

/* ---- make / format ------------------------------------------------------ */

toll_status toll_quantity_make(int64_t low, int64_t high, int has_best,
                               double best, toll_quantity *out,
                               toll_error *err)
{
    if (!out)
        return toll__err(err, TOLL_EINVAL, "toll_quantity_make: out is NULL");
    memset(out, 0, sizeof *out);
    if (low < 0)
        return toll__err(err, TOLL_EREPORT, "negative count %lld",
                         (long long)low);
    if (high != TOLL_OPEN && high < 0)
        return toll__err(err, TOLL_EREPORT, "negative count %lld",
                         (long long)high);
    if (high != TOLL_OPEN && low > high)
        return toll__err(err, TOLL_EREPORT, "low %lld is greater than high %lld",
                         (long long)low, (long long)high);
    if (!toll__count_ok(low) || (high != TOLL_OPEN && !toll__count_ok(high)))
        return toll__err(err, TOLL_EREPORT,
                         "count %lld is above the largest count accepted, "
                         TOLL__COUNT_MAX_TEXT,
                         (long long)(toll__count_ok(low) ? high : low));
    if (has_best) {
        if (!isfinite(best))
            return toll__err(err, TOLL_EREPORT,
                             "best %g is not a finite number", best);
        if (best > (double)TOLL__COUNT_MAX)
            return toll__err(err, TOLL_EREPORT,
                             "best %.17g is above the largest count "
                             "accepted, " TOLL__COUNT_MAX_TEXT,
                             best);
        if (high == TOLL_OPEN && best < (double)low)
            return toll__err(err, TOLL_EREPORT,
                             "best %g is outside [%lld, open)", best,
                             (long long)low);
        if (high != TOLL_OPEN && (best < (double)low || best > (double)high))
            return toll__err(err, TOLL_EREPORT, "best %g is outside [%lld, %lld]",
                             best, (long long)low, (long long)high);
    }
    set_range(out, low, high, "object");
    if (has_best) {
        out->best = best;
        out->has_best = 1;
    }
    return TOLL_OK;
}

/* Write v (>= 0 expected) into p with optional thousands separators. */
static size_t fmt_count(char *p, int64_t v, int thousands)
{
    char rev[32];
    size_t n = 0, digits = 0;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    do {
        if (thousands && digits && digits % 3 == 0)
            rev[n++] = ',';
        rev[n++] = (char)('0' + (int)(u % 10));
        digits++;
        u /= 10;
    } while (u);
    size_t k = 0;
    if (v < 0)
        p[k++] = '-';
    while (n)
        p[k++] = rev[--n];
    p[k] = '\0';
    return k;
}

size_t toll_quantity_format(const toll_quantity *q, int thousands, char *buf,
                            size_t size)
{
    char tmp[96];
    size_t n = 0;
    if (!q || !q->known) {
        memcpy(tmp, "unknown", 8);
        n = 7;
    } else {
        n = fmt_count(tmp, q->low, thousands);
        if (q->high == TOLL_OPEN) {
            tmp[n++] = '+';
            tmp[n] = '\0';
        } else if (q->high != q->low) {
            memcpy(tmp + n, "\xE2\x80\x93", 3); /* EN DASH */
            n += 3;
            n += fmt_count(tmp + n, q->high, thousands);
        }
    }
    if (buf && size) {
        size_t k = n < size - 1 ? n : size - 1;
        memcpy(buf, tmp, k);
        buf[k] = '\0';
    }
    return n;
}
