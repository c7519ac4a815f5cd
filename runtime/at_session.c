/* See at_session.h. */
#include "at_session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "at_port_cosim.h"
#include "at_synth.h"

void at_batch_free(at_batch *b)
{
    if (!b)
        return;
    if (b->ids)
        for (size_t i = 0; i < b->n; i++)
            free(b->ids[i]);
    free(b->ids);
    free(b->lens);
    memset(b, 0, sizeof *b);
}

int at_session_tokenize(const at_session *s, const char *const *texts, size_t n, at_batch *b, at_err *err)
{
    memset(b, 0, sizeof *b);
    if (!s->tok)
        return at_err_set(err, AT_EINVAL, "tokenize: the session's model has no tokenizer (synthetic model)");
    b->ids = calloc(n ? n : 1, sizeof *b->ids);
    b->lens = calloc(n ? n : 1, sizeof *b->lens);
    if (!b->ids || !b->lens) {
        at_batch_free(b);
        return at_err_set(err, AT_ENOMEM, "tokenize: out of memory");
    }
    b->n = n;
    for (size_t i = 0; i < n; i++) {
        b->ids[i] = malloc(s->max_len * sizeof *b->ids[i]);
        if (!b->ids[i]) {
            at_batch_free(b);
            return at_err_set(err, AT_ENOMEM, "tokenize: out of memory");
        }
        int rc = at_tokenize(s->tok, texts[i], b->ids[i], s->max_len, &b->lens[i], err);
        if (rc) {
            char m[sizeof err->msg];
            snprintf(m, sizeof m, "%s", err ? err->msg : "");
            at_batch_free(b);
            return at_err_set(err, rc, "sentence %zu: %s", i, m);
        }
        b->tokens += b->lens[i];
    }
    return 0;
}

void at_session_close(at_session *s)
{
    if (!s)
        return;
    at_infer_destroy(s->infer);
    at_drv_close(s->drv);
    at_port_close(&s->port);
    at_quant_free(s->model);
    at_tokenizer_free(s->tok);
    at_vocab_free(s->vocab);
    free(s);
}

int at_session_open(const at_session_opts *o, at_session **out, at_err *err)
{
    *out = NULL;
    if (!o || (!o->model_dir && !o->synth))
        return at_err_set(err, AT_EINVAL, "session: no model folder");
    const at_synth_shape *shape = NULL;
    if (o->synth && !(shape = at_synth_find(o->synth)))
        return at_err_set(err, AT_EINVAL, "session: unknown synthetic model '%s' (bert-tiny, bert-base)", o->synth);
    at_session *s = calloc(1, sizeof *s);
    if (!s)
        return at_err_set(err, AT_ENOMEM, "session: out of memory");
    snprintf(s->backend, sizeof s->backend, "%s", o->backend ? o->backend : "fmodel");
    snprintf(s->config, sizeof s->config, "%s", o->config ? o->config : "tiny");
    /* the calibration sentences are always cut at the same length, so the
     * scales do not depend on the caller's max_len */
    s->max_len = AT_SESSION_CALIB_LEN;
    int rc;
    if (shape) {
        at_quant_opts sq = {.headroom = o->headroom, .threads = o->threads};
        if ((rc = at_synth_qmodel(shape, o->synth_seed, &sq, &s->model, err)))
            goto fail;
        s->max_len = o->max_len ? o->max_len : AT_SESSION_CALIB_LEN;
        goto device;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/vocab.txt", o->model_dir);
    at_tokenizer_opts to = {.lowercase = 1, .tokenize_cjk = 1, .max_len = s->max_len};
    rc = at_vocab_load(path, &s->vocab, err);
    if (!rc)
        rc = at_tokenizer_new(s->vocab, &to, &s->tok, err);
    if (rc)
        goto fail;
    /* calibration */
    at_batch cb;
    if ((rc = at_session_tokenize(s, at_calib_sentences, at_calib_sentence_count, &cb, err)))
        goto fail;
    at_quant_opts qo = {.headroom = o->headroom, .threads = o->threads};
    rc = at_quant_build_ids(o->model_dir, (const int32_t *const *)cb.ids, cb.lens, cb.n, &qo, &s->model, err);
    at_batch_free(&cb);
    if (!rc && o->max_len && o->max_len != AT_SESSION_CALIB_LEN) {
        at_tokenizer_free(s->tok);
        s->tok = NULL;
        s->max_len = o->max_len;
        to.max_len = o->max_len;
        rc = at_tokenizer_new(s->vocab, &to, &s->tok, err);
    }
    if (rc)
        goto fail;
device:
    if (o->no_device)
        goto done;
    uint64_t mem = o->mem_bytes ? o->mem_bytes : 256ull << 20;
    at_port_cosim_opts po = {s->backend, s->config, mem, 0};
    if ((rc = at_port_cosim_open(&po, &s->port, err)))
        goto fail;
    char dtb[4096];
    if (o->dtb)
        snprintf(dtb, sizeof dtb, "%s", o->dtb);
    else
        snprintf(dtb, sizeof dtb, "%s/firmware/%s.dtb", getenv("BUILD") ? getenv("BUILD") : "build", s->config);
    at_drv_opts dopt = {.bo_arena_bytes = mem - (mem >> 4)};
    if ((rc = at_drv_open(&s->port, dtb, &dopt, &s->drv, err)))
        goto fail;
    if ((rc = at_infer_create(s->drv, s->model, &s->infer, err)))
        goto fail;
done:
    if (rc)
        goto fail;
    *out = s;
    return 0;
fail:
    at_session_close(s);
    return rc;
}
