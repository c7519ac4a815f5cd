/* A small pthread pool for data-parallel loops.
 *
 * thread_pool_parallel_for(pool, n, fn, ctx) calls fn(ctx, i, worker) once
 * for every i in [0, n) and returns when all calls have finished. Items are
 * handed out dynamically (an atomic counter), so which worker runs which
 * item varies from run to run: fn must make each item's result depend only
 * on the item, never on the worker or the order (worker is in
 * [0, thread_pool_size(pool)) and is meant for picking per-worker scratch).
 *
 * The calling thread takes part in the work, so a pool of n threads starts
 * n - 1 helpers; a pool of 1 (or a NULL pool) runs everything inline on the
 * caller. Idle helpers sleep on a condition variable (no spinning).
 *
 * A pool is a handle with no global state; one pool may be used by one
 * thread at a time (parallel_for calls on the same pool must not overlap,
 * and fn must not call parallel_for on the pool that runs it). */
#ifndef ACCELTRAN_THREAD_POOL_H
#define ACCELTRAN_THREAD_POOL_H

#include <stddef.h>

#include "at_error.h"

typedef struct thread_pool thread_pool;

typedef void (*thread_pool_fn)(void *ctx, size_t item, int worker);

/* Number of online CPUs (at least 1). */
int thread_pool_online_cpus(void);

/* Creates a pool of n_threads (<= 0: one per online CPU; capped at 256).
 * Errors: AT_ENOMEM, or AT_EIO when a thread cannot be started. */
int thread_pool_create(int n_threads, thread_pool **out, at_err *err);

/* Joins the helpers and frees the pool. NULL is allowed. */
void thread_pool_destroy(thread_pool *pool);

/* Threads taking part in parallel_for (the caller included); 1 for NULL. */
int thread_pool_size(const thread_pool *pool);

/* Runs fn(ctx, i, worker) for i in [0, n_items); pool may be NULL. */
void thread_pool_parallel_for(thread_pool *pool, size_t n_items,
                              thread_pool_fn fn, void *ctx);

#endif
