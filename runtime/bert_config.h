/* config.json of a BERT model (Hugging Face layout). */
#ifndef ACCELTRAN_BERT_CONFIG_H
#define ACCELTRAN_BERT_CONFIG_H

#include "at_error.h"

typedef struct bert_config {
    int vocab_size;
    int hidden;          /* hidden_size */
    int layers;          /* num_hidden_layers */
    int heads;           /* num_attention_heads */
    int intermediate;    /* intermediate_size */
    int max_positions;   /* max_position_embeddings */
    int type_vocab;      /* type_vocab_size */
    int pad_token_id;
    double ln_eps;       /* layer_norm_eps */
} bert_config;

/* Loads and validates (positive sizes, hidden divisible by heads,
 * hidden_act "gelu", model_type "bert" when present). Missing or mistyped
 * keys give AT_EFORMAT with the key and file named. */
int bert_config_load(const char *path, bert_config *cfg, at_err *err);

#endif
