/* Shared pieces of the acceltran command line. */
#ifndef ACCELTRAN_CLI_H
#define ACCELTRAN_CLI_H

#include <stddef.h>
#include <stdint.h>

#include "at_error.h"
#include "tokenizer.h"

#define CLI_USAGE_ERROR 2 /* exit code for bad arguments */
#define CLI_RUN_ERROR 1   /* exit code for a failure while running */

int cmd_tokenize(int argc, char **argv);
int cmd_embed(int argc, char **argv);
int cmd_perf(int argc, char **argv);

/* Model directory: --model-dir if given, else $ACCELTRAN_MODEL_DIR, else
 * models/all-MiniLM-L6-v2 next to the repository the binary was built in
 * (<exe>/../../models/...), else the same path under the current folder. */
const char *cli_model_dir(const char *given, char *buf, size_t len);

/* Vocabulary plus tokenizer loaded from dir/vocab.txt. */
typedef struct cli_tokenizer {
    at_vocab *vocab;
    at_tokenizer *tok;
} cli_tokenizer;

int cli_tokenizer_load(const char *model_dir, size_t max_len, cli_tokenizer *out, at_err *err);
void cli_tokenizer_free(cli_tokenizer *t);

/* Failures (cli_error.c): "acceltran CMD: message" on stderr; with --json
 * on the command line (cli_json_mode, set by main) cli_exit prints
 * {"ok": false, "command", "exit_code", "error"} on stdout unless the
 * command printed its own JSON (cli_json_done). */
void cli_json_mode(int on);
void cli_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void cli_json_done(void);
int cli_exit(const char *cmd, int rc);
/* Stops the program with a clear error (and the JSON object) after seconds
 * of wall time (0: no limit); what names the run, e.g. "rtl simulation". */
int cli_wall_limit(const char *cmd, const char *what, unsigned seconds);

/* Prints the "energy" line of a command's text output: the estimate's total
 * and its units (cli_energy.c). */
struct at_energy;
void cli_print_energy(const struct at_energy *e);

/* Parses a positive integer option value; prints an error and returns -1 if
 * it is not one in [lo, hi]. */
long cli_parse_long(const char *cmd, const char *opt, const char *s, long lo, long hi);

/* 1 when arg is one of the NULL-terminated names (an option that takes a
 * value, given last without it). */
int cli_option_needs_value(const char *arg, const char *const *names);

/* Prints "acceltran CMD: option 'X' needs a value" when X is one of the
 * NULL-terminated with_value names (given last, without its value), else
 * "unknown option 'X' (see acceltran CMD --help)". */
void cli_bad_option(const char *cmd, const char *arg, const char *const *with_value);

#endif
