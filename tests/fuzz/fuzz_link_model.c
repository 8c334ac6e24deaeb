/*
 * tests/fuzz/fuzz_link_model.c - libFuzzer harness: the linker's model
 * JSON (src/link/model.c).
 *
 * Loads the input into a default model and checks: an error fills
 * toll_error and leaves the model exactly as it was; a model that loads
 * has every m, u and the prior inside (0, 1), writes (17 significant
 * digits) and loads back bit for bit, and writes the same text again; the
 * weight and match probability of a level vector taken from the input's
 * hash are finite.  A copy made through the counting allocator (sometimes
 * failing) leaves no block live.
 */
#include "fuzz_common.h"
#include "link/link_int.h"

#include <math.h>

typedef struct text {
    char *data;
    size_t len, cap;
} text;

static int text_write(void *ctx, const char *d, size_t n)
{
    text *t = ctx;
    if (t->len + n + 1 > t->cap) {
        size_t cap = (t->len + n + 1) * 2;
        char *p = realloc(t->data, cap);
        if (!p)
            return 1;
        t->data = p;
        t->cap = cap;
    }
    memcpy(t->data + t->len, d, n);
    t->len += n;
    t->data[t->len] = '\0';
    return 0;
}

static int same(const toll_link_model *a, const toll_link_model *b)
{
    return memcmp(&a->prior, &b->prior, sizeof a->prior) == 0 &&
           memcmp(a->m, b->m, sizeof a->m) == 0 &&
           memcmp(a->u, b->u, sizeof a->u) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint64_t h = fuzz_hash(data, size);
    fuzz_alloc f;
    fuzz_alloc_init(&f);
    toll_link_model *model = NULL, *before = NULL, *back = NULL;
    toll_error e;
    if (toll_link_model_new(&f.a, &model, &e) != TOLL_OK ||
        toll_link_model_copy(model, NULL, &before, &e) != TOLL_OK)
        abort();
    char *copy = malloc(size ? size : 1);
    memcpy(copy, data, size);
    toll_status st =
        toll_link_model_load_json(model, copy, size, "fuzz.json", &e);
    free(copy);
    FUZZ_CHECK(st == TOLL_OK || st == TOLL_EPARSE || st == TOLL_EINVAL);
    if (st) {
        fuzz_check_error(&e, st);
        FUZZ_CHECK(same(model, before));
    } else {
        FUZZ_CHECK(model->prior > 0 && model->prior < 1);
        for (int c = 0; c < TOLL_LINK_NCOMPARISONS; c++)
            for (size_t l = 0; l < toll_link_level_count(c); l++)
                FUZZ_CHECK(model->m[c][l] > 0 && model->m[c][l] < 1 &&
                           model->u[c][l] > 0 && model->u[c][l] < 1);
        text t1 = {0}, t2 = {0};
        FUZZ_CHECK(toll_link_model_write_json(model, text_write, &t1, &e) ==
                   TOLL_OK);
        if (toll_link_model_new(NULL, &back, &e) != TOLL_OK)
            abort();
        st = toll_link_model_load_json(back, t1.data, t1.len, "written", &e);
        if (st)
            fprintf(stderr, "%s\n", e.message);
        FUZZ_CHECK(st == TOLL_OK);
        FUZZ_CHECK(same(model, back));
        FUZZ_CHECK(toll_link_model_write_json(back, text_write, &t2, &e) ==
                   TOLL_OK);
        FUZZ_CHECK(t1.len == t2.len && memcmp(t1.data, t2.data, t1.len) == 0);
        free(t1.data);
        free(t2.data);
        uint8_t lv[TOLL_LINK_NCOMPARISONS];
        uint64_t x = h;
        for (int c = 0; c < TOLL_LINK_NCOMPARISONS; c++) {
            lv[c] = (uint8_t)(x % toll_link_level_count(c));
            x /= toll_link_level_count(c);
        }
        double w = toll__lk_weight(model, lv, NULL) +
                   toll__lk_prior_weight(model);
        double p = toll__lk_probability(w);
        FUZZ_CHECK(isfinite(w) && p >= 0.0 && p <= 1.0);
        toll_link_model_free(back);
    }
    /* a copy through the counting allocator, sometimes failing */
    toll_link_model *c2 = NULL;
    if ((h >> 8) & 1)
        f.fail_at = f.count + 1;
    st = toll_link_model_copy(model, NULL, &c2, &e);
    FUZZ_CHECK(st == TOLL_OK || (st == TOLL_ENOMEM && c2 == NULL));
    f.fail_at = 0;
    if (c2)
        FUZZ_CHECK(same(model, c2));
    toll_link_model_free(c2);
    toll_link_model_free(before);
    toll_link_model_free(model);
    FUZZ_CHECK(f.live == 0);
    return 0;
}
