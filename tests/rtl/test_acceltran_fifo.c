/* The Verilated acceltran_fifo (Width 8, Depth 4, built with --assert):
 * order, the count, a push into a full FIFO taken with a pop in the same
 * cycle, clear; and the negative cases that prove the protocol assertions
 * run: a push into a full FIFO (no pop) and a pop from an empty one, each
 * in a child process, must stop it (Verilator's $stop aborts) with the
 * assertion's name in its output, while a child doing only legal
 * operations exits normally. */
// rtl-test-configs: tiny
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "acceltran_fifo_unit.h"
#include "check.h"

#define DEPTH 4

static void t_order(void)
{
    fifo_unit *u = fifo_unit_new();
    CHECK(u != NULL, "fifo_unit_new");
    if (!u)
        return;
    CHECK(fifo_unit_count(u) == 0, "count after reset %u", fifo_unit_count(u));
    for (int i = 0; i < DEPTH; i++)
        fifo_unit_cycle(u, 1, (uint8_t)(0x10 + i), 0, 0);
    CHECK(fifo_unit_count(u) == DEPTH, "count when full %u", fifo_unit_count(u));
    CHECK(fifo_unit_head(u) == 0x10, "head 0x%02x want 0x10", fifo_unit_head(u));
    /* full: a push with a pop in the same cycle is legal and taken */
    fifo_unit_cycle(u, 1, 0x20, 1, 0);
    CHECK(fifo_unit_count(u) == DEPTH, "count after push+pop when full %u", fifo_unit_count(u));
    static const uint8_t want[DEPTH] = {0x11, 0x12, 0x13, 0x20};
    for (int i = 0; i < DEPTH; i++) {
        CHECK(fifo_unit_head(u) == want[i], "pop %d: head 0x%02x want 0x%02x", i, fifo_unit_head(u), want[i]);
        fifo_unit_cycle(u, 0, 0, 1, 0);
    }
    CHECK(fifo_unit_count(u) == 0, "count after draining %u", fifo_unit_count(u));
    /* clear wins over a push, and a push into a full FIFO being cleared is legal */
    for (int i = 0; i < DEPTH; i++)
        fifo_unit_cycle(u, 1, (uint8_t)i, 0, 0);
    fifo_unit_cycle(u, 1, 0x55, 0, 1);
    CHECK(fifo_unit_count(u) == 0, "count after clear %u", fifo_unit_count(u));
    fifo_unit_cycle(u, 1, 0x66, 0, 0);
    CHECK(fifo_unit_count(u) == 1 && fifo_unit_head(u) == 0x66, "after clear: count %u head 0x%02x",
          fifo_unit_count(u), fifo_unit_head(u));
    fifo_unit_free(u);
}

enum child_mode { LEGAL, OVERFLOW, UNDERFLOW };

static void child_body(enum child_mode m)
{
    fifo_unit *u = fifo_unit_new();
    if (!u)
        _exit(3);
    for (int i = 0; i < DEPTH; i++)
        fifo_unit_cycle(u, 1, (uint8_t)i, 0, 0);
    if (m == OVERFLOW)
        fifo_unit_cycle(u, 1, 0xAA, 0, 0); /* full, no pop */
    for (int i = 0; i < DEPTH; i++)
        fifo_unit_cycle(u, 0, 0, 1, 0);
    if (m == UNDERFLOW)
        fifo_unit_cycle(u, 0, 0, 1, 0); /* empty */
    fifo_unit_cycle(u, 0, 0, 0, 0);
    printf("child: not stopped\n");
    fflush(stdout);
    fifo_unit_free(u);
    _exit(0);
}

/* Runs child_body(m) in a child with stdout and stderr into out; returns
 * the wait status (-1 when the child could not run). */
static int run_child(enum child_mode m, char *out, size_t cap)
{
    int fd[2];
    if (pipe(fd))
        return -1;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        close(fd[0]);
        dup2(fd[1], 1);
        dup2(fd[1], 2);
        close(fd[1]);
        child_body(m);
    }
    close(fd[1]);
    size_t n = 0;
    ssize_t r;
    char sink[512];
    while ((r = read(fd[0], n < cap - 1 ? out + n : sink, n < cap - 1 ? cap - 1 - n : sizeof sink)) > 0)
        if (n < cap - 1)
            n += (size_t)r; /* past cap: drained into sink so the child never blocks */
    out[n] = 0;
    close(fd[0]);
    int st = 0;
    if (waitpid(pid, &st, 0) != pid)
        return -1;
    return st;
}

static void expect_stop(enum child_mode m, const char *assertion)
{
    char out[8192];
    int st = run_child(m, out, sizeof out);
    CHECK(st != -1, "%s: the child did not run", assertion);
    int stopped = st != -1 && (WIFSIGNALED(st) || (WIFEXITED(st) && WEXITSTATUS(st) != 0));
    CHECK(stopped, "%s: the child was not stopped (status 0x%x), output:\n%s", assertion, st, out);
    CHECK(strstr(out, assertion) != NULL, "%s not named in the child's output:\n%s", assertion, out);
    CHECK(strstr(out, "not stopped") == NULL, "%s: the child ran on past the violation:\n%s", assertion, out);
    printf("  %s fired: %s\n", assertion, WIFSIGNALED(st) ? "child aborted" : "child exited non-zero");
}

static void t_legal_child(void)
{
    char out[8192];
    int st = run_child(LEGAL, out, sizeof out);
    CHECK(st != -1 && WIFEXITED(st) && WEXITSTATUS(st) == 0, "legal child: status 0x%x, output:\n%s", st, out);
    CHECK(strstr(out, "not stopped") != NULL && strstr(out, "Assertion failed") == NULL,
          "legal child output:\n%s", out);
}

static void t_overflow_fires(void) { expect_stop(OVERFLOW, "FifoNoOverflow_A"); }
static void t_underflow_fires(void) { expect_stop(UNDERFLOW, "FifoNoUnderflow_A"); }

int main(void)
{
    RUN_CASE(t_order);
    RUN_CASE(t_legal_child);
    RUN_CASE(t_overflow_fires);
    RUN_CASE(t_underflow_fires);
    return check_finish("fifo_" TEST_CONFIG);
}
