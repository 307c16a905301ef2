"""transformers' side of bench/hf/compare_decode.ts: greedy decoding with the KV cache.

Usage: python torch_decode.py FOLDER --tokens N --threads T --prompt-len P [--make]

--make first writes a random Qwen2.5-Coder-0.5B-shaped model (bfloat16) into FOLDER. Then the
model is loaded in float32, a P-token prompt (ids 100 … 100 + P - 1) is decoded greedily for N new
tokens (min = max, so EOS does not end it early), and one JSON line reports the decode time,
tokens/s and the process's peak resident memory.
"""

import argparse
import json
import resource
import time

import torch
from transformers import AutoModelForCausalLM, Qwen2Config

# Qwen2.5-Coder-0.5B's shape (its config.json on the hub), random weights.
SHAPE = dict(
    vocab_size=151936,
    hidden_size=896,
    intermediate_size=4864,
    num_hidden_layers=24,
    num_attention_heads=14,
    num_key_value_heads=2,
    max_position_embeddings=32768,
    rope_theta=1000000.0,
    rms_norm_eps=1e-6,
    tie_word_embeddings=True,
    bos_token_id=None,
    eos_token_id=None,
)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("folder")
    ap.add_argument("--tokens", type=int, default=128)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--prompt-len", type=int, default=16)
    ap.add_argument("--make", action="store_true")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    if a.make:
        torch.manual_seed(0)
        AutoModelForCausalLM.from_config(Qwen2Config(**SHAPE)).to(torch.bfloat16).save_pretrained(a.folder)
    t0 = time.perf_counter()
    model = AutoModelForCausalLM.from_pretrained(a.folder, dtype=torch.float32).eval()
    load_s = time.perf_counter() - t0
    ids = torch.tensor([list(range(100, 100 + a.prompt_len))])
    with torch.no_grad():
        model.generate(ids, max_new_tokens=4, min_new_tokens=4, do_sample=False)  # warm-up
        t0 = time.perf_counter()
        out = model.generate(ids, max_new_tokens=a.tokens, min_new_tokens=a.tokens, do_sample=False)
        decode_s = time.perf_counter() - t0
    print(json.dumps({
        "side": "transformers",
        "loadSeconds": load_s,
        "decodeSeconds": decode_s,
        "tokensPerSecond": a.tokens / decode_s,
        "peakRssMiB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "generated": out[0, a.prompt_len:].tolist(),
        "torch": torch.__version__,
    }))


if __name__ == "__main__":
    main()
