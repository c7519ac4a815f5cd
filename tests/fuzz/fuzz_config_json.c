/* libFuzzer harness for config.json loading (runtime/bert_config.c).
 * bert_config_load takes a path, so each input is written to a private
 * temporary file first. Seeds: tests/fuzz/corpus/config_json/ (the
 * model's config.json and variants). Checks: no crash, leak or sanitizer
 * report; a failure is a negative AT_E* code whose message names the
 * file; a success satisfies every documented constraint (positive sizes,
 * hidden divisible by heads, pad id inside the vocabulary, eps in (0, 1)). */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bert_config.h"
#include "fuzz_util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *path = fuzz_tmp_write("config", data, size);
    bert_config c;
    at_err e;
    memset(&e, 0, sizeof e);
    int rc = bert_config_load(path, &c, &e);
    if (rc != 0) {
        if (rc > 0 || e.code != rc || !strstr(e.msg, path))
            abort();
        return 0;
    }
    if (c.vocab_size < 1 || c.hidden < 1 || c.layers < 1 || c.heads < 1 || c.intermediate < 1 ||
        c.max_positions < 1 || c.type_vocab < 1 || c.hidden % c.heads != 0 ||
        c.pad_token_id < 0 || c.pad_token_id >= c.vocab_size || !(c.ln_eps > 0 && c.ln_eps < 1) ||
        !isfinite(c.ln_eps))
        abort();
    return 0;
}
