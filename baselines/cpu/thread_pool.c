#include "thread_pool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TP_MAX_THREADS 256

typedef struct tp_helper {
    thread_pool *pool;
    int worker;
    pthread_t tid;
} tp_helper;

struct thread_pool {
    int n_threads; /* caller included */
    int n_started; /* helpers actually running */
    tp_helper *helpers;

    pthread_mutex_t mu;
    pthread_cond_t work_cv; /* a new job or shutdown */
    pthread_cond_t done_cv; /* the last helper finished the job */
    unsigned long generation;
    int running; /* helpers that have not finished the current job */
    int shutdown;

    /* the current job; written under mu before generation is bumped */
    thread_pool_fn fn;
    void *ctx;
    size_t n_items;
    atomic_size_t next;
};

int thread_pool_online_cpus(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    if (n < 1)
        return 1;
    if (n > TP_MAX_THREADS)
        return TP_MAX_THREADS;
    return (int)n;
}

static void tp_run_items(thread_pool *p, int worker)
{
    for (;;) {
        size_t i = atomic_fetch_add_explicit(&p->next, 1, memory_order_relaxed);
        if (i >= p->n_items)
            break;
        p->fn(p->ctx, i, worker);
    }
}

static void *tp_main(void *arg)
{
    tp_helper *h = arg;
    thread_pool *p = h->pool;
    unsigned long seen = 0;

    pthread_mutex_lock(&p->mu);
    for (;;) {
        while (!p->shutdown && p->generation == seen)
            pthread_cond_wait(&p->work_cv, &p->mu);
        if (p->shutdown)
            break;
        seen = p->generation;
        pthread_mutex_unlock(&p->mu);

        tp_run_items(p, h->worker);

        pthread_mutex_lock(&p->mu);
        if (--p->running == 0)
            pthread_cond_signal(&p->done_cv);
    }
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

int thread_pool_create(int n_threads, thread_pool **out, at_err *err)
{
    *out = NULL;
    if (n_threads <= 0)
        n_threads = thread_pool_online_cpus();
    if (n_threads > TP_MAX_THREADS)
        n_threads = TP_MAX_THREADS;

    thread_pool *p = calloc(1, sizeof *p);
    if (!p)
        return at_err_set(err, AT_ENOMEM, "thread pool: out of memory");
    p->n_threads = n_threads;
    atomic_init(&p->next, 0);
    if (n_threads > 1) {
        p->helpers = calloc((size_t)n_threads - 1, sizeof *p->helpers);
        if (!p->helpers) {
            free(p);
            return at_err_set(err, AT_ENOMEM, "thread pool: out of memory");
        }
    }
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->work_cv, NULL);
    pthread_cond_init(&p->done_cv, NULL);

    for (int i = 0; i < n_threads - 1; i++) {
        tp_helper *h = &p->helpers[i];
        h->pool = p;
        h->worker = i + 1;
        int rc = pthread_create(&h->tid, NULL, tp_main, h);
        if (rc != 0) {
            thread_pool_destroy(p);
            return at_err_set(err, AT_EIO,
                              "thread pool: cannot start thread %d of %d: %s",
                              i + 2, n_threads, strerror(rc));
        }
        p->n_started++;
    }
    *out = p;
    return AT_OK;
}

void thread_pool_destroy(thread_pool *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->shutdown = 1;
    pthread_cond_broadcast(&p->work_cv);
    pthread_mutex_unlock(&p->mu);
    for (int i = 0; i < p->n_started; i++)
        pthread_join(p->helpers[i].tid, NULL);
    pthread_cond_destroy(&p->done_cv);
    pthread_cond_destroy(&p->work_cv);
    pthread_mutex_destroy(&p->mu);
    free(p->helpers);
    free(p);
}

int thread_pool_size(const thread_pool *p)
{
    return p ? p->n_threads : 1;
}

void thread_pool_parallel_for(thread_pool *p, size_t n_items,
                              thread_pool_fn fn, void *ctx)
{
    if (n_items == 0)
        return;
    if (!p || p->n_started == 0 || n_items == 1) {
        for (size_t i = 0; i < n_items; i++)
            fn(ctx, i, 0);
        return;
    }
    pthread_mutex_lock(&p->mu);
    p->fn = fn;
    p->ctx = ctx;
    p->n_items = n_items;
    atomic_store_explicit(&p->next, 0, memory_order_relaxed);
    p->running = p->n_started;
    p->generation++;
    pthread_cond_broadcast(&p->work_cv);
    pthread_mutex_unlock(&p->mu);

    tp_run_items(p, 0);

    pthread_mutex_lock(&p->mu);
    while (p->running > 0)
        pthread_cond_wait(&p->done_cv, &p->mu);
    pthread_mutex_unlock(&p->mu);
}
