"""Two tokenizers built locally with Python `tokenizers`, and what they make of 1,200 strings.

Usage: python make_tokenizers.py OUT_DIR

OUT_DIR/qwen2/tokenizer.json: byte-level BPE with Qwen2's split pattern (no BOS).
OUT_DIR/llama/tokenizer.json: SentencePiece-style BPE (metaspace, byte fallback) whose
post-processor adds a BOS token, as Llama and DeepSeek-Coder tokenizers do.
OUT_DIR/expected.json: the strings (code, CRLF, tabs, non-ASCII, emoji) and, per tokenizer, each
string's ids and offsets, the offsets converted here from code points to UTF-16 code units.
"""

import json
import random
import sys
from pathlib import Path

from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors, trainers

QWEN2_SPLIT = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+"
)
PIECES = [
    "def ", "return ", "for i in range(", "):\n", "\n    ", "\t", "\r\n", "x", " + ", " == ", "# ", "print(",
    "'s", "'re", "naïve", "café", "Ωmega", "中文字符", "日本語", "😀", "👍🏽", "👨‍👩‍👧", "e\u0301", "✓", "  ", "0", "123",
    "if a < b:", "\"\"\"doc\"\"\"", "[1, 2, 3]", "{'k': v}", "lambda y: y ** 2", "\u00a0", "ß", "İ",
]


def strings(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    out = ["", " ", "\n", "\r\n", "\t\t", "😀", "a😀b", "\r\n\r\n"]
    while len(out) < n:
        out.append("".join(rng.choice(PIECES) for _ in range(rng.randint(1, 14))))
    return out


def utf16(text: str, cp: int) -> int:
    return len(text[:cp].encode("utf-16-le")) // 2


def qwen2() -> Tokenizer:
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(QWEN2_SPLIT), behavior="isolated"),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
    ])
    tok.decoder = decoders.ByteLevel()
    tok.normalizer = normalizers.NFC()
    trainer = trainers.BpeTrainer(
        vocab_size=600,
        special_tokens=["<|endoftext|>", "<|im_start|>", "<|im_end|>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    tok.train_from_iterator(strings(3000, 1), trainer)
    return tok


def llama() -> Tokenizer:
    tok = Tokenizer(models.BPE(byte_fallback=True, unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="first")
    tok.decoder = decoders.Sequence([decoders.Replace("\u2581", " "), decoders.ByteFallback(), decoders.Fuse()])
    trainer = trainers.BpeTrainer(
        vocab_size=700,
        special_tokens=["<unk>", "<s>", "</s>"] + [f"<0x{b:02X}>" for b in range(256)],
    )
    tok.train_from_iterator(strings(3000, 2), trainer)
    tok.post_processor = processors.TemplateProcessing(single="<s> $A", special_tokens=[("<s>", tok.token_to_id("<s>"))])
    return tok


def main() -> None:
    out = Path(sys.argv[1])
    texts = strings(1200, 3)
    expected = {"strings": texts}
    for name, tok in (("qwen2", qwen2()), ("llama", llama())):
        (out / name).mkdir(parents=True, exist_ok=True)
        tok.save(str(out / name / "tokenizer.json"))
        rows = []
        for text in texts:
            enc = tok.encode(text)
            rows.append({"ids": enc.ids, "offsets": [[utf16(text, s), utf16(text, e)] for s, e in enc.offsets]})
        expected[name] = rows
    (out / "expected.json").write_text(json.dumps(expected))


if __name__ == "__main__":
    main()
