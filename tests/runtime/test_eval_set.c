/* The evaluation sentences (tests/data/sentences/eval.txt, used by the
 * end-to-end tests and bench_dynatran / bench_model) are kept apart from
 * the calibration set (runtime/at_calib_set.c): a scale calibrated on the
 * sentences it is measured on would hide clipping (docs/quantization.md).
 * Checks: at least 64 evaluation sentences, none empty or repeated, and
 * none equal to a calibration sentence, compared exactly and after case
 * folding of ASCII letters and collapsing of white space. */
#include <ctype.h>
#include <string.h>

#include "at_quant.h"
#include "check.h"

/* Lower-cased ASCII, runs of white space as one blank, trimmed. */
static void norm(const char *in, char *out, size_t cap)
{
    size_t n = 0;
    int blank = 1;
    for (const unsigned char *p = (const unsigned char *)in; *p && n + 1 < cap; p++) {
        if (isspace(*p)) {
            blank = 1;
            continue;
        }
        if (blank && n)
            out[n++] = ' ';
        blank = 0;
        if (n + 1 < cap)
            out[n++] = (char)tolower(*p);
    }
    out[n] = 0;
}

static void case_apart(void)
{
    FILE *f = fopen("tests/data/sentences/eval.txt", "r");
    CHECK(f, "tests/data/sentences/eval.txt not found (run from the repository root)");
    if (!f)
        return;
    static char eval[256][2048];
    char line[8192], a[2048], b[2048];
    size_t n = 0;
    while (fgets(line, sizeof line, f) && n < 256) {
        line[strcspn(line, "\n")] = 0;
        CHECK(strlen(line) < sizeof eval[0], "eval sentence %zu is %zu bytes long", n, strlen(line));
        norm(line, eval[n], sizeof eval[0]);
        CHECK(eval[n][0], "eval sentence %zu is empty", n);
        for (size_t c = 0; c < at_calib_sentence_count; c++) {
            CHECK(strcmp(line, at_calib_sentences[c]), "eval sentence %zu is calibration sentence %zu: %s", n, c,
                  line);
            norm(at_calib_sentences[c], a, sizeof a);
            CHECK(strcmp(eval[n], a), "eval sentence %zu equals calibration sentence %zu up to case and spacing: %s",
                  n, c, line);
        }
        for (size_t j = 0; j < n; j++)
            CHECK(strcmp(eval[n], eval[j]), "eval sentences %zu and %zu are the same: %s", j, n, line);
        n++;
    }
    fclose(f);
    CHECK(n >= 64, "%zu evaluation sentences (at least 64)", n);
    CHECK(at_calib_sentence_count >= 32, "%zu calibration sentences", at_calib_sentence_count);
    norm("  A  b\tC ", b, sizeof b);
    CHECK(!strcmp(b, "a b c"), "normalisation: '%s'", b);
    if (!check_g.case_failed)
        printf("  %zu evaluation sentences, %zu calibration sentences, none shared\n", n, at_calib_sentence_count);
}

int main(void)
{
    RUN_CASE(case_apart);
    return check_finish("runtime_eval_set");
}
