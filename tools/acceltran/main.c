/* acceltran: command-line front end. Each subcommand lives in cmd_*.c. */
#include <stdio.h>
#include <string.h>

#include "acceltran_hw.h"
#include "cli.h"
#include "cli_device.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: acceltran COMMAND [OPTIONS] [ARGS]\n"
            "\n"
            "commands:\n"
            "  tokenize TEXT...     print the BERT WordPiece token ids of each text\n"
            "  embed SENTENCE...    print the cosine-similarity matrix of sentence embeddings\n"
            "  info                 probe the (simulated) device and print its configuration\n"
            "  gemm M N K           run a random int16 GEMM on the device and check it\n"
            "  perf --model M       run an encoder on synthetic tokens and print its device figures\n"
            "  help                 this text\n"
            "\n"
            "'acceltran COMMAND --help' describes a command. Exit status: 0 ok, 1 failure,\n"
            "2 bad arguments.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CLI_USAGE_ERROR;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "help") || !strcmp(cmd, "--help") || !strcmp(cmd, "-h")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(cmd, "--version")) {
        printf("acceltran %u.%u.%u\n", AT_VERSION_MAJOR, AT_VERSION_MINOR, AT_VERSION_PATCH);
        return 0;
    }
    /* --json anywhere among the options: failures print a JSON error object too */
    for (int i = 2; i < argc && strcmp(argv[i], "--"); i++)
        if (!strcmp(argv[i], "--json"))
            cli_json_mode(1);
    if (!strcmp(cmd, "tokenize"))
        return cli_exit(cmd, cmd_tokenize(argc - 1, argv + 1));
    if (!strcmp(cmd, "embed"))
        return cli_exit(cmd, cmd_embed(argc - 1, argv + 1));
    if (!strcmp(cmd, "info"))
        return cli_exit(cmd, cmd_info(argc - 1, argv + 1));
    if (!strcmp(cmd, "gemm"))
        return cli_exit(cmd, cmd_gemm(argc - 1, argv + 1));
    if (!strcmp(cmd, "perf"))
        return cli_exit(cmd, cmd_perf(argc - 1, argv + 1));
    cli_error("", "unknown command '%s' (see acceltran --help)", cmd);
    return cli_exit(cmd, CLI_USAGE_ERROR);
}
