/* acceltran tokenize: token ids of each text, one line per text. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: acceltran tokenize [--model-dir DIR] [--max-len N] TEXT...\n"
               "\n"
               "Prints the BERT uncased WordPiece ids of each TEXT, [CLS] ... [SEP] included,\n"
               "space separated, one line per TEXT.\n"
               "\n"
               "  --model-dir DIR  folder with vocab.txt (default: models/all-MiniLM-L6-v2)\n"
               "  --max-len N      truncate to N ids including [CLS] and [SEP] (default 512)\n"
               "  --help           this text\n");
}

int cmd_tokenize(int argc, char **argv)
{
    const char *model_dir = NULL;
    long max_len = 512;
    int i = 1;
    for (; i < argc && argv[i][0] == '-'; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--")) {
            i++;
            break;
        } else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            usage(stdout);
            return 0;
        } else if (!strcmp(a, "--model-dir") && i + 1 < argc) {
            model_dir = argv[++i];
        } else if (!strcmp(a, "--max-len") && i + 1 < argc) {
            if ((max_len = cli_parse_long("tokenize", a, argv[++i], 2, 1 << 20)) < 0)
                return CLI_USAGE_ERROR;
        } else {
            cli_bad_option("tokenize", a);
            return CLI_USAGE_ERROR;
        }
    }
    if (i >= argc) {
        fprintf(stderr, "acceltran tokenize: no TEXT given (see acceltran tokenize --help)\n");
        return CLI_USAGE_ERROR;
    }
    char buf[PATH_MAX];
    model_dir = cli_model_dir(model_dir, buf, sizeof buf);
    cli_tokenizer t;
    at_err err = {0};
    if (cli_tokenizer_load(model_dir, (size_t)max_len, &t, &err)) {
        fprintf(stderr, "acceltran tokenize: %s\n", err.msg);
        return CLI_RUN_ERROR;
    }
    int32_t *ids = malloc((size_t)max_len * sizeof *ids);
    int rc = 0;
    if (!ids) {
        fprintf(stderr, "acceltran tokenize: out of memory\n");
        rc = CLI_RUN_ERROR;
    }
    for (; i < argc && !rc; i++) {
        size_t n = 0;
        if (at_tokenize(t.tok, argv[i], ids, (size_t)max_len, &n, &err)) {
            fprintf(stderr, "acceltran tokenize: text %d: %s\n", i, err.msg);
            rc = CLI_RUN_ERROR;
            break;
        }
        for (size_t k = 0; k < n; k++)
            printf("%s%d", k ? " " : "", ids[k]);
        putchar('\n');
    }
    free(ids);
    cli_tokenizer_free(&t);
    return rc;
}
