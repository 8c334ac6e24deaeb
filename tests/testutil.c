/* tests/testutil.c - helpers shared by the Check suites. */
#define _POSIX_C_SOURCE 200809L
#include "testutil.h"
#include "store/store.h"
#include "reconcile/reconcile.h"
#include "render/render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int toll_test_run(Suite *suite)
{
    SRunner *sr = srunner_create(suite);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

static void *f_malloc(void *ctx, size_t size)
{
    failing_alloc *f = ctx;
    f->count++;
    if (f->fail_at && f->count >= f->fail_at)
        return NULL;
    void *p = malloc(size ? size : 1);
    if (p)
        f->live++;
    return p;
}

static void *f_realloc(void *ctx, void *p, size_t old_size, size_t size)
{
    failing_alloc *f = ctx;
    (void)old_size;
    f->count++;
    if (f->fail_at && f->count >= f->fail_at)
        return NULL;
    void *q = realloc(p, size ? size : 1);
    if (q && !p)
        f->live++;
    return q;
}

static void f_free(void *ctx, void *p, size_t size)
{
    failing_alloc *f = ctx;
    (void)size;
    if (p) {
        f->live--;
        free(p);
    }
}

void failing_alloc_init(failing_alloc *f, long fail_at)
{
    memset(f, 0, sizeof *f);
    f->fail_at = fail_at;
    f->a.malloc = f_malloc;
    f->a.realloc = f_realloc;
    f->a.free = f_free;
    f->a.ctx = f;
}

static void *l_malloc(void *ctx, size_t n)
{
    locked_alloc *l = ctx;
    pthread_mutex_lock(&l->mu);
    void *p = l->f.a.malloc(l->f.a.ctx, n);
    pthread_mutex_unlock(&l->mu);
    return p;
}

static void *l_realloc(void *ctx, void *p, size_t o, size_t n)
{
    locked_alloc *l = ctx;
    pthread_mutex_lock(&l->mu);
    void *q = l->f.a.realloc(l->f.a.ctx, p, o, n);
    pthread_mutex_unlock(&l->mu);
    return q;
}

static void l_free(void *ctx, void *p, size_t n)
{
    locked_alloc *l = ctx;
    pthread_mutex_lock(&l->mu);
    l->f.a.free(l->f.a.ctx, p, n);
    pthread_mutex_unlock(&l->mu);
}

void locked_alloc_init(locked_alloc *l)
{
    failing_alloc_init(&l->f, 0);
    pthread_mutex_init(&l->mu, NULL);
    l->a.malloc = l_malloc;
    l->a.realloc = l_realloc;
    l->a.free = l_free;
    l->a.ctx = l;
}

void locked_alloc_destroy(locked_alloc *l)
{
    pthread_mutex_destroy(&l->mu);
}

const toll__qcell *report_cell(const toll_reports *r, size_t i,
                               const char *cat)
{
    for (size_t k = 0; k < r->q_count[i]; k++) {
        const toll__qcell *c = &r->q[r->q_begin[i] + k];
        if (strcmp(toll__str(&r->strings, c->category), cat) == 0)
            return c;
    }
    return NULL;
}

const char *report_extra(const toll_reports *r, size_t i, const char *key)
{
    /* the value NUL-terminated, in one of a few rotating buffers (the
     * store keeps kept values as text spans: src/store/store.h) */
    static char buf[8][4096];
    static unsigned next;
    uint32_t id = 0;
    const char *s;
    size_t len;
    if (!toll__strpool_find(&r->strings, key, strlen(key), &id) ||
        !toll__reports_kept_value(r, i, id, &s, &len))
        return NULL;
    char *b = buf[next++ % 8];
    ck_assert_uint_lt(len, sizeof buf[0]);
    memcpy(b, s, len);
    b[len] = '\0';
    return b;
}

void assert_qcell(const toll__qcell *c, int64_t lo, int64_t hi, double best)
{
    ck_assert_ptr_nonnull(c);
    ck_assert_int_eq(c->low, lo);
    ck_assert_int_eq(c->high, hi);
    ck_assert_double_eq_tol(c->best, best, 1e-9);
}

int toll_test_shared_path(char *buf, size_t n, const char *rel)
{
    const char *dir = getenv("TOLL_SHARED_DATA");
    if (dir == NULL || *dir == '\0') {
        fprintf(stderr, "%s: skipped: set TOLL_SHARED_DATA to the shared "
                        "datasets directory\n", rel);
        return 0;
    }
    int len = snprintf(buf, n, "%s/%s", dir, rel);
    if (len < 0 || (size_t)len >= n) {
        fprintf(stderr, "%s/%s: skipped: path too long\n", dir, rel);
        return 0;
    }
    if (access(buf, R_OK) != 0) {
        fprintf(stderr, "%s: skipped: not found in TOLL_SHARED_DATA\n", buf);
        return 0;
    }
    return 1;
}
