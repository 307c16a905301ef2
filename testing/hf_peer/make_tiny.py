"""Tiny random Qwen2 and Llama checkpoints, made and run by transformers, for the kit's parity tests.

Usage: python make_tiny.py OUT_DIR

For each case below, OUT_DIR/<name>/ is a model folder written by `save_pretrained` (in the case's
dtype, sharded where the case says so), with the family's tokenizer of make_tokenizers.py and a
chat template (make_chat.py) saved beside it, and OUT_DIR/<name>/reference.json holds what
transformers computes from the saved weights, read back in float32: the logits of two fixed
prompts, the greedy continuation (32 tokens, KV cache) of each, and the greedy continuation of a
chat-formatted prompt. Nothing here is committed output: the kit's tests make it anew each run.
"""

import json
import sys
from pathlib import Path

import torch
from transformers import AutoModelForCausalLM, LlamaConfig, PreTrainedTokenizerFast, Qwen2Config

sys.path.insert(0, str(Path(__file__).parent))
from make_chat import LLAMA_STYLE, QWEN_STYLE  # noqa: E402
from make_tokenizers import llama, qwen2  # noqa: E402

VOCAB = 768  # covers both tokenizers' vocabularies (600 and 700)
CHAT = [{"role": "user", "content": "Write add(a, b) in Python 😀"}]
PROMPTS = [[1, 17, 33, 5, 64, 2, 90, 41, 8, 77, 12, 3], [4, 4, 60, 21, 9, 88, 35, 50, 6, 1, 70, 15]]
NEW_TOKENS = 32

COMMON = dict(
    vocab_size=VOCAB,
    hidden_size=64,
    intermediate_size=112,
    num_hidden_layers=2,
    num_attention_heads=4,
    max_position_embeddings=256,
    rms_norm_eps=1e-6,
    # Wide weights make the argmax decisive, so greedy decoding does not hinge on 1e-7 ties.
    initializer_range=0.2,
    bos_token_id=None,
    eos_token_id=None,
    pad_token_id=None,
)

CASES = {
    # Qwen2.5-style: q/k/v biases, GQA 4:2, theta 1e6, tied embeddings; float32, one file.
    "qwen2-f32": (Qwen2Config(**COMMON, num_key_value_heads=2, rope_theta=1e6, tie_word_embeddings=True), torch.float32, None),
    # Qwen2 with its own LM head, saved in bfloat16 and sharded.
    "qwen2-bf16-sharded": (Qwen2Config(**COMMON, num_key_value_heads=1, rope_theta=1e4, tie_word_embeddings=False), torch.bfloat16, "60KB"),
    # DeepSeek-Coder-style Llama: linear RoPE scaling (factor 4), theta 1e5, untied; float32.
    "llama-linear-f32": (
        LlamaConfig(**COMMON, num_key_value_heads=4, rope_theta=1e5, rope_scaling={"rope_type": "linear", "factor": 4.0}, tie_word_embeddings=False),
        torch.float32,
        None,
    ),
    # SmolLM2-style Llama: GQA 4:2, tied; bfloat16, sharded.
    "llama-bf16-sharded": (LlamaConfig(**COMMON, num_key_value_heads=2, rope_theta=1e4, tie_word_embeddings=True), torch.bfloat16, "40KB"),
}


def tokenizer(family: str) -> PreTrainedTokenizerFast:
    if family == "qwen2":
        fast = PreTrainedTokenizerFast(tokenizer_object=qwen2(), eos_token="<|im_end|>", pad_token="<|endoftext|>")
        fast.chat_template = QWEN_STYLE
    else:
        fast = PreTrainedTokenizerFast(tokenizer_object=llama(), bos_token="<s>", eos_token="</s>", unk_token="<unk>")
        fast.chat_template = LLAMA_STYLE
    return fast


def make(out: Path, name: str, config, dtype, shard) -> None:
    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_config(config).to(dtype)
    folder = out / name
    kwargs = {"max_shard_size": shard} if shard else {}
    model.save_pretrained(folder, safe_serialization=True, **kwargs)
    tok = tokenizer(config.model_type)
    tok.save_pretrained(folder)
    ref = AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32).eval()
    ids = torch.tensor(PROMPTS)
    with torch.no_grad():
        logits = ref(ids).logits
        new = ref.generate(ids, max_new_tokens=NEW_TOKENS, min_new_tokens=NEW_TOKENS, do_sample=False, use_cache=True)
        chat_ids = tok.apply_chat_template(CHAT, add_generation_prompt=True, tokenize=True, return_dict=False)
        chat_ids = torch.tensor([list(chat_ids)])
        chat_new = ref.generate(chat_ids, max_new_tokens=16, min_new_tokens=16, do_sample=False, use_cache=True)
    (folder / "reference.json").write_text(
        json.dumps(
            {
                "prompts": PROMPTS,
                "logits": logits.flatten().tolist(),
                "shape": list(logits.shape),
                "greedy": new[:, ids.shape[1] :].tolist(),
                "chat": {
                    "messages": CHAT,
                    "promptIds": chat_ids[0].tolist(),
                    "generatedIds": chat_new[0, chat_ids.shape[1] :].tolist(),
                },
                "dtype": str(dtype),
                "sharded": shard is not None,
            }
        )
    )


def main() -> None:
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    for name, (config, dtype, shard) in CASES.items():
        make(out, name, config, dtype, shard)
    print(json.dumps({"cases": list(CASES), "torch": torch.__version__}))


if __name__ == "__main__":
    main()
