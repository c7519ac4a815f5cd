#include "bert_tensors.h"

#include <stdio.h>

void bert_tensors_init(bert_tensors *t, const st_file *st, at_err *err)
{
    t->st = st;
    t->err = err;
    t->prefix = "";
    if (!st_find(st, "embeddings.word_embeddings.weight") &&
        st_find(st, "bert.embeddings.word_embeddings.weight"))
        t->prefix = "bert.";
}

int bert_tensors_read(const bert_tensors *t, const char *name, int ndim, int64_t d0, int64_t d1,
                      float **out)
{
    char full[256];
    snprintf(full, sizeof full, "%s%s", t->prefix, name);
    int64_t shape[2] = {d0, d1};
    return st_read_f32(t->st, full, ndim, shape, out, t->err);
}
