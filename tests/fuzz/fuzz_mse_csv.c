/*
 * tests/fuzz/fuzz_mse_csv.c - libFuzzer harness: MSE capture-history CSV
 * loading (both forms: 0/1 membership columns and pattern,count; into a
 * data set with lists, or one without that takes its lists from the
 * load), then the estimators on whatever loaded.
 *
 * Checks: a failed load fills toll_error and leaves the data set as it was
 * (same lists, same strata, same counts); estimates are never NaN (as toll/mse.h
 * promises) and errors are TOLL_EMODEL / TOLL_ENUMERIC / TOLL_EINVAL /
 * TOLL_ERANGE / TOLL_ENOMEM with a message; no block is live after the
 * free.
 */
#include "fuzz_common.h"

#include <math.h>

static const char SEED[] = "A,B,C,D,stratum\n1,0,0,1,north\n"
                           "1,1,0,0,north\n0,1,1,0,south\n1,0,1,1,\n";

static void check_est(toll_status st, const toll_mse_estimate *est,
                      const toll_error *e)
{
    FUZZ_CHECK(st == TOLL_OK || st == TOLL_EMODEL || st == TOLL_ENUMERIC ||
               st == TOLL_EINVAL || st == TOLL_ERANGE || st == TOLL_ENOMEM);
    if (st) {
        fuzz_check_error(e, st);
        return;
    }
    FUZZ_CHECK(!isnan(est->n_hat) && !isnan(est->se));
    FUZZ_CHECK(!isnan(est->lo) && !isnan(est->hi));
    FUZZ_CHECK(memchr(est->warning, '\0', sizeof est->warning) != NULL);
    FUZZ_CHECK(memchr(est->model_name, '\0', sizeof est->model_name) != NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    uint64_t h = fuzz_hash(data, size);
    fuzz_alloc f;
    fuzz_alloc_init(&f);
    static const char *const names[] = {"A", "B", "C", "D"};
    static const char *const cols[] = {"x", "y", "z", "w"};
    int K = 2 + (int)(h % 3);
    /* no lists: the load names them (from cols, or A, B, ... by the
     * width of the first pattern) */
    int listless = !((h >> 2) & 1) && ((h >> 16) & 1);
    toll_mse_data *d = NULL;
    toll_error e;
    if (toll_mse_data_new(listless ? 0 : K, listless ? NULL : names, &f.a,
                          &d, &e) != TOLL_OK)
        abort();
    /* earlier data that a failed load must keep */
    if ((h >> 2) & 1) {
        toll_status st = toll_mse_data_load_buffer(d, SEED, sizeof SEED - 1,
                                                   "seed.csv", NULL, &e);
        FUZZ_CHECK(st == TOLL_OK);
    }
    size_t ns0 = toll_mse_data_nstrata(d);
    int64_t before[4][16];
    for (size_t s = 0; s < ns0 && s < 4; s++)
        for (unsigned p = 0; p < 16; p++)
            before[s][p] = toll_mse_data_count(d, s, p);

    if (((h >> 3) & 7) == 0)
        f.fail_at = f.count + 1 + (long)((h >> 6) % 64);
    char *copy = malloc(size ? size : 1);
    memcpy(copy, data, size);
    toll_mse_load_options lo;
    toll_mse_load_options_init(&lo);
    if ((h >> 12) & 1) {
        lo.lists = cols;
        lo.nlists = (size_t)K;
    }
    toll_status st = toll_mse_data_load_buffer(d, copy, size, "fuzz.csv",
                                               &lo, &e);
    free(copy);
    f.fail_at = 0;
    FUZZ_CHECK(st == TOLL_OK || st == TOLL_EPARSE || st == TOLL_ERANGE ||
               st == TOLL_ENOMEM || st == TOLL_EINVAL);
    if (st) {
        fuzz_check_error(&e, st);
        FUZZ_CHECK(toll_mse_data_nstrata(d) == ns0);
        FUZZ_CHECK(toll_mse_data_nlists(d) == (listless ? 0 : K));
        for (size_t s = 0; s < ns0 && s < 4; s++)
            for (unsigned p = 0; p < 16; p++)
                FUZZ_CHECK(toll_mse_data_count(d, s, p) == before[s][p]);
    }
    K = toll_mse_data_nlists(d);
    if (toll_mse_data_nstrata(d) > 0) {
        toll_mse_options o;
        toll_mse_options_init(&o);
        o.profile = (int)((h >> 13) & 1);
        o.max_iter = 50;
        toll_mse_estimate est;
        size_t strat = (h >> 14) & 1 ? TOLL_MSE_TOTAL : 0;
        st = toll_mse_chao(d, strat, &o, &est, &e);
        check_est(st, &est, &e);
        st = toll_mse_chapman(d, strat, 0, 1, &o, &est, &e);
        check_est(st, &est, &e);
        st = toll_mse_lincoln_petersen(d, strat, 0, K - 1, &o, &est, &e);
        check_est(st, &est, &e);
        if (K >= 3) {
            st = toll_mse_loglinear(d, strat, 0, &o, &est, &e);
            check_est(st, &est, &e);
            toll_mse_model m;
            if (toll_mse_model_parse(d, "A*B", &m, &e) == TOLL_OK) {
                st = toll_mse_loglinear(d, strat, m, &o, &est, &e);
                check_est(st, &est, &e);
            }
        }
        if (K == 3 && ((h >> 15) & 3) == 0) {
            toll_mse_results *res = NULL;
            st = toll_mse_search(d, strat, TOLL_MSE_AIC, &o, NULL, &res, &e);
            FUZZ_CHECK(st == TOLL_OK || st == TOLL_EMODEL ||
                       st == TOLL_ENUMERIC || st == TOLL_ERANGE ||
                       st == TOLL_EINVAL);
            if (st == TOLL_OK) {
                for (size_t i = 0; i < toll_mse_results_count(res); i++)
                    check_est(TOLL_OK, toll_mse_results_get(res, i), &e);
                check_est(TOLL_OK, toll_mse_results_average(res), &e);
            } else {
                fuzz_check_error(&e, st);
            }
            toll_mse_results_free(res);
        }
    }
    toll_mse_data_free(d);
    FUZZ_CHECK(f.live == 0);
    return 0;
}
