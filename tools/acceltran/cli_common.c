#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

#define DEFAULT_MODEL "models/all-MiniLM-L6-v2"

static int is_dir_with_config(const char *dir)
{
    char p[PATH_MAX];
    snprintf(p, sizeof p, "%s/config.json", dir);
    return access(p, R_OK) == 0;
}

const char *cli_model_dir(const char *given, char *buf, size_t len)
{
    if (given)
        return given;
    const char *env = getenv("ACCELTRAN_MODEL_DIR");
    if (env && *env)
        return env;
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n > 0) {
        exe[n] = 0;
        /* <repo>/build/bin/acceltran -> <repo> */
        for (int up = 0; up < 3; up++) {
            char *slash = strrchr(exe, '/');
            if (!slash)
                break;
            *slash = 0;
        }
        snprintf(buf, len, "%s/%s", exe, DEFAULT_MODEL);
        if (is_dir_with_config(buf))
            return buf;
    }
    snprintf(buf, len, "%s", DEFAULT_MODEL);
    return buf;
}

int cli_tokenizer_load(const char *model_dir, size_t max_len, cli_tokenizer *out, at_err *err)
{
    char path[PATH_MAX];
    memset(out, 0, sizeof *out);
    snprintf(path, sizeof path, "%s/vocab.txt", model_dir);
    int rc = at_vocab_load(path, &out->vocab, err);
    if (rc)
        return rc;
    at_tokenizer_opts opts = {.lowercase = 1, .tokenize_cjk = 1, .max_len = max_len};
    rc = at_tokenizer_new(out->vocab, &opts, &out->tok, err);
    if (rc) {
        at_vocab_free(out->vocab);
        out->vocab = NULL;
    }
    return rc;
}

void cli_tokenizer_free(cli_tokenizer *t)
{
    at_tokenizer_free(t->tok);
    at_vocab_free(t->vocab);
    t->tok = NULL;
    t->vocab = NULL;
}

long cli_parse_long(const char *cmd, const char *opt, const char *s, long lo, long hi)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi) {
        cli_error(cmd, "%s wants an integer in [%ld, %ld], got '%s'", opt, lo, hi, s);
        return -1;
    }
    return v;
}

void cli_bad_option(const char *cmd, const char *arg, const char *const *with_value)
{
    if (cli_option_needs_value(arg, with_value))
        cli_error(cmd, "option '%s' needs a value (see acceltran %s --help)", arg, cmd);
    else
        cli_error(cmd, "unknown option '%s' (see acceltran %s --help)", arg, cmd);
}

int cli_option_needs_value(const char *arg, const char *const *names)
{
    for (size_t i = 0; names && names[i]; i++)
        if (!strcmp(arg, names[i]))
            return 1;
    return 0;
}
