"""Fixtures: tiny random models and the tokenizers of testing/hf_peer (built here, by transformers
and Python `tokenizers`), and v2 pair records written the way the kit writes them."""

import hashlib
import sys
from pathlib import Path

import pytest
import torch
from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast, Qwen2Config, Qwen2ForCausalLM

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "testing" / "hf_peer"))
from make_chat import LLAMA_STYLE, QWEN_STYLE  # noqa: E402
from make_tokenizers import llama, qwen2  # noqa: E402


def tokenizer(style: str) -> PreTrainedTokenizerFast:
    if style == "qwen2":
        t = PreTrainedTokenizerFast(tokenizer_object=qwen2(), eos_token="<|im_end|>", pad_token="<|endoftext|>")
        t.chat_template = QWEN_STYLE
    else:
        t = PreTrainedTokenizerFast(tokenizer_object=llama(), bos_token="<s>", eos_token="</s>", unk_token="<unk>", pad_token="</s>")
        t.chat_template = LLAMA_STYLE
    return t


def tiny_model(style: str = "qwen2", seed: int = 0):
    torch.manual_seed(seed)
    common = dict(vocab_size=768, hidden_size=32, intermediate_size=64, num_hidden_layers=2, num_attention_heads=4,
                  num_key_value_heads=2, max_position_embeddings=512, initializer_range=0.2)
    if style == "qwen2":
        return Qwen2ForCausalLM(Qwen2Config(**common, tie_word_embeddings=True)).float()
    return LlamaForCausalLM(LlamaConfig(**common)).float()


def record(prompt, chosen, rejected, rejected_spans, chosen_spans=(), target_masks=True):
    sha = lambda t: hashlib.sha256(t.encode()).hexdigest()  # noqa: E731
    return {
        "schema": "target-dpo.pairs/v2", "task_id": "t/0", "teacher": "miniflow:miniflow-v1", "diff_method": "lcs",
        "prompt": prompt, "chosen": chosen, "rejected": rejected,
        "chosen_sha256": sha(chosen), "rejected_sha256": sha(rejected),
        "chosen_lines": [], "rejected_lines": [],
        "chosen_spans": [list(s) for s in chosen_spans], "rejected_spans": [list(s) for s in rejected_spans],
        "context_lines": 0, "empty_rejected": "non-empty", "target_masks": target_masks,
    }


@pytest.fixture
def tmp_out(tmp_path):
    return tmp_path
