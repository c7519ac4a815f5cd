/* The command line's failure reporting (cli.h): every failure prints
 * "acceltran CMD: message" on stderr and, when the command line has
 * --json, one JSON object on stdout at exit unless the command printed its
 * own: {"ok": false, "command": CMD, "exit_code": N, "error": MESSAGE}.
 * The CLI is a program running one command, so this state is the
 * process's. */
#include <jansson.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static struct {
    int json, printed;
    char msg[1024];
    char alarm_text[1536]; /* what the wall-clock limit prints (prepared, written by the handler) */
    size_t alarm_len, alarm_json_len;
} g_cli;

void cli_json_mode(int on)
{
    g_cli.json = on;
}

void cli_error(const char *cmd, const char *fmt, ...)
{
    char m[sizeof g_cli.msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m, sizeof m, fmt, ap);
    va_end(ap);
    fprintf(stderr, "acceltran%s%s: %s\n", cmd && *cmd ? " " : "", cmd ? cmd : "", m);
    if (!g_cli.msg[0]) /* the first failure is the cause */
        snprintf(g_cli.msg, sizeof g_cli.msg, "%s", m);
}

void cli_json_done(void)
{
    g_cli.printed = 1;
}

static char *error_object(const char *cmd, int rc, const char *msg)
{
    json_t *j = json_object();
    json_object_set_new(j, "ok", json_false());
    json_object_set_new(j, "command", json_string(cmd ? cmd : ""));
    json_object_set_new(j, "exit_code", json_integer(rc));
    json_object_set_new(j, "error", json_string(msg && *msg ? msg : "failed"));
    char *s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    return s;
}

int cli_exit(const char *cmd, int rc)
{
    if (rc && g_cli.json && !g_cli.printed) {
        char *s = error_object(cmd, rc, g_cli.msg);
        if (s) {
            fflush(stdout);
            puts(s);
            free(s);
        }
    }
    return rc;
}

static void on_alarm(int sig)
{
    (void)sig;
    /* async-signal-safe: prepared bytes, write, _exit */
    ssize_t w = write(STDERR_FILENO, g_cli.alarm_text, g_cli.alarm_len);
    if (g_cli.json && !g_cli.printed)
        w = write(STDOUT_FILENO, g_cli.alarm_text + g_cli.alarm_len, g_cli.alarm_json_len);
    (void)w;
    _exit(CLI_RUN_ERROR);
}

int cli_wall_limit(const char *cmd, const char *what, unsigned seconds)
{
    if (!seconds)
        return 0;
    char m[512];
    snprintf(m, sizeof m,
             "%s: wall-clock limit of %u s reached (--wall-limit; the device-time limits are separate); stopped",
             what, seconds);
    int n = snprintf(g_cli.alarm_text, sizeof g_cli.alarm_text, "\nacceltran %s: %s\n", cmd, m);
    if (n < 0 || (size_t)n >= sizeof g_cli.alarm_text)
        return -1;
    g_cli.alarm_len = (size_t)n;
    char *s = error_object(cmd, CLI_RUN_ERROR, m);
    if (s) {
        int k = snprintf(g_cli.alarm_text + n, sizeof g_cli.alarm_text - (size_t)n, "%s\n", s);
        g_cli.alarm_json_len = k > 0 && (size_t)k < sizeof g_cli.alarm_text - (size_t)n ? (size_t)k : 0;
        free(s);
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGALRM, &sa, NULL))
        return -1;
    alarm(seconds);
    return 0;
}
