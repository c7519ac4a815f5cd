/* Reads the tensors of a BERT encoder by their Hugging Face names from a
 * safetensors file, whether the checkpoint stores them bare
 * ("embeddings.*", BertModel) or under "bert." (BertForX heads). */
#ifndef ACCELTRAN_BERT_TENSORS_H
#define ACCELTRAN_BERT_TENSORS_H

#include <stdint.h>

#include "at_error.h"
#include "safetensors.h"

typedef struct bert_tensors {
    const st_file *st;
    const char *prefix; /* "" or "bert." */
    at_err *err;
} bert_tensors;

/* Picks the prefix from the file's tensor names. */
void bert_tensors_init(bert_tensors *t, const st_file *st, at_err *err);

/* st_read_f32 of prefix + name with shape [d0] (ndim 1) or [d0, d1]. */
int bert_tensors_read(const bert_tensors *t, const char *name, int ndim, int64_t d0, int64_t d1,
                      float **out);

#endif
