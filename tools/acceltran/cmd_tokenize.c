/* acceltran tokenize: token ids of each text, one line per text. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: acceltran tokenize [--model-dir DIR] [--max-len N] [--json] TEXT...\n"
               "\n"
               "Prints the BERT uncased WordPiece ids of each TEXT, [CLS] ... [SEP] included,\n"
               "space separated, one line per TEXT.\n"
               "\n"
               "  --model-dir DIR  folder with vocab.txt (default: models/all-MiniLM-L6-v2)\n"
               "  --max-len N      truncate to N ids including [CLS] and [SEP] (default 512)\n"
               "  --json           print one JSON object: {\"ids\": [[...] per TEXT]}\n"
               "  --help           this text\n");
}

static const char *const with_value[] = {"--model-dir", "--max-len", NULL};

int cmd_tokenize(int argc, char **argv)
{
    const char *model_dir = NULL;
    long max_len = 512;
    int json = 0;
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--")) {
            i++;
            break;
        } else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--json")) {
            json = 1;
        } else if (!strcmp(a, "--model-dir") && i + 1 < argc) {
            model_dir = argv[++i];
        } else if (!strcmp(a, "--max-len") && i + 1 < argc) {
            if ((max_len = cli_parse_long("tokenize", a, argv[++i], 2, 1 << 20)) < 0)
                return CLI_USAGE_ERROR;
        } else {
            cli_bad_option("tokenize", a, with_value);
            return CLI_USAGE_ERROR;
        }
    }
    if (i >= argc) {
        cli_error("tokenize", "no TEXT given (see acceltran tokenize --help)");
        return CLI_USAGE_ERROR;
    }
    char buf[PATH_MAX];
    model_dir = cli_model_dir(model_dir, buf, sizeof buf);
    cli_tokenizer t;
    at_err err = {0};
    if (cli_tokenizer_load(model_dir, (size_t)max_len, &t, &err)) {
        cli_error("tokenize", "%s", err.msg);
        return CLI_RUN_ERROR;
    }
    int32_t *ids = malloc((size_t)max_len * sizeof *ids);
    int rc = 0;
    if (!ids) {
        cli_error("tokenize", "out of memory");
        rc = CLI_RUN_ERROR;
    }
    json_t *all = json ? json_array() : NULL;
    for (; i < argc && !rc; i++) {
        size_t n = 0;
        if (at_tokenize(t.tok, argv[i], ids, (size_t)max_len, &n, &err)) {
            cli_error("tokenize", "text %d: %s", i, err.msg);
            rc = CLI_RUN_ERROR;
            break;
        }
        if (all) {
            json_t *row = json_array();
            for (size_t k = 0; k < n; k++)
                json_array_append_new(row, json_integer(ids[k]));
            json_array_append_new(all, row);
            continue;
        }
        for (size_t k = 0; k < n; k++)
            printf("%s%d", k ? " " : "", ids[k]);
        putchar('\n');
    }
    if (all && !rc) {
        json_t *o = json_pack("{s:o}", "ids", all);
        char *js = o ? json_dumps(o, JSON_COMPACT) : NULL;
        if (js) {
            puts(js);
            free(js);
            cli_json_done();
        } else {
            cli_error("tokenize", "JSON output failed");
            rc = CLI_RUN_ERROR;
        }
        json_decref(o);
    } else if (all) {
        json_decref(all);
    }
    free(ids);
    cli_tokenizer_free(&t);
    return rc;
}
