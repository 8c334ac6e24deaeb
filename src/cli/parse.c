/*
 * src/cli/parse.c - `toll parse`: how quantity texts are read.
 */
#include "commands.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common.h"

const char TOLL_CLI_PARSE_HELP[] =
    "usage: toll parse TEXT... [options]\n"
    "\n"
    "Show how each TEXT is read as a quantity: its low and high bounds (high\n"
    "may be open), best value and the rule that matched, e.g.\n"
    "  about 350 -> low 315, high 385, best 350 (rule: about)\n"
    "Texts that say the number is unknown print 'unknown'; unreadable texts\n"
    "are errors (exit status 1).\n"
    "\n"
    "Options:\n"
    "  --lexicon FILE.json    extra vague words\n"
    "  --lexicon-preset NAME  default, acled or empty (default: default)\n"
    "  --about-tolerance T    \"about N\" means N -/+ T*N (default 0.1)\n"
    "  --format F             text (default) or json (one object per line)\n";

typedef struct parse_cli {
    toll_cli_reading reading;
    int json_out; /* --format json */
} parse_cli;

/* A double as an integer when integral, else with up to 2 decimals. */
static void fmt_num(double v, char *buf, size_t size)
{
    if (v == floor(v) && fabs(v) < 1e15) {
        snprintf(buf, size, "%.0f", v);
        return;
    }
    snprintf(buf, size, "%.2f", v);
    size_t n = strlen(buf);
    while (n > 0 && buf[n - 1] == '0')
        buf[--n] = '\0';
    if (n > 0 && buf[n - 1] == '.')
        buf[--n] = '\0';
}

static void json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': fputs("\\\"", f); break;
        case '\\': fputs("\\\\", f); break;
        case '\n': fputs("\\n", f); break;
        case '\r': fputs("\\r", f); break;
        case '\t': fputs("\\t", f); break;
        default:
            if (*p < 0x20) fprintf(f, "\\u%04x", *p);
            else fputc(*p, f);
        }
    }
    fputc('"', f);
}

static void print_quantity(int json_out, const char *text,
                           const toll_quantity *q)
{
    char low[32], high[32], best[48];
    if (json_out) {
        fputs("{\"text\": ", stdout);
        json_string(stdout, text);
        if (!q->known) {
            fputs(", \"known\": false, \"low\": null, \"high\": null, "
                  "\"best\": null, \"has_best\": false, \"rule\": ", stdout);
        } else {
            fmt_num(q->best, best, sizeof best);
            if (q->high == TOLL_OPEN) snprintf(high, sizeof high, "null");
            else snprintf(high, sizeof high, "%lld", (long long)q->high);
            printf(", \"known\": true, \"low\": %lld, \"high\": %s, "
                   "\"best\": %s, \"has_best\": %s, \"rule\": ",
                   (long long)q->low, high, best,
                   q->has_best ? "true" : "false");
        }
        json_string(stdout, q->rule);
        fputs("}\n", stdout);
        return;
    }
    if (!q->known) {
        printf("%s -> unknown\n", text);
        return;
    }
    snprintf(low, sizeof low, "%lld", (long long)q->low);
    if (q->high == TOLL_OPEN) snprintf(high, sizeof high, "open");
    else snprintf(high, sizeof high, "%lld", (long long)q->high);
    fmt_num(q->best, best, sizeof best);
    printf("%s -> low %s, high %s, best %s (rule: %s)\n", text, low, high,
           best, q->rule);
}

static int apply(void *ctx, const toll_cli_args *a, const toll_cli_opt *o,
                 const char *val)
{
    parse_cli *c = ctx;
    if (o->id != O_FORMAT)
        return toll_cli_reading_option(&c->reading, a, o, val);
    if (strcmp(val, "json") == 0)
        c->json_out = 1;
    else if (strcmp(val, "text") == 0)
        c->json_out = 0;
    else
        return toll_cli_bad_value(a, o, val, "text or json");
    return CLI_OK;
}

static int run(const parse_cli *c, const toll_cli_args *a)
{
    if (a->npos == 0)
        return toll_cli_usage(a->cmd_name, "'%s' needs at least one TEXT",
                              a->cmd_name);
    toll_lexicon *lex = NULL;
    toll_parse_options popts;
    int rc = toll_cli_parse_options(&c->reading, &lex, &popts);
    if (rc != CLI_OK)
        return rc;
    for (size_t i = 0; i < a->npos; i++) {
        toll_quantity q;
        toll_error err;
        toll_error_clear(&err);
        const char *t = a->pos[i];
        if (toll_quantity_parse(t, strlen(t), &popts, &q, &err) != TOLL_OK) {
            fflush(stdout); /* keep stdout and stderr in order */
            fprintf(stderr, "%s\n", err.message);
            rc = CLI_DATA;
            continue;
        }
        print_quantity(c->json_out, t, &q);
    }
    toll_lexicon_free(lex);
    int out = toll_cli_finish_output();
    return rc != CLI_OK ? rc : out;
}

int toll_cli_parse(const char *name, int argc, char **argv)
{
    parse_cli c;
    memset(&c, 0, sizeof c);
    toll_cli_args a;
    int rc = toll_cli_args_parse(&a, CLI_PARSE, name, argc, argv, apply, &c);
    if (rc == CLI_OK && a.help) {
        fputs(TOLL_CLI_PARSE_HELP, stdout);
        rc = toll_cli_finish_output();
    } else if (rc == CLI_OK) {
        rc = run(&c, &a);
    }
    toll_cli_args_free(&a);
    return rc;
}
