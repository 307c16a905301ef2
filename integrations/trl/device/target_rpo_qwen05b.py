"""Device check (one GPU, at most 10 minutes): Target-RPO through TargetDPOTrainer on a random-init
Qwen2.5-0.5B-shaped model, printing the step time and the peak GPU memory.

Usage (on a machine with a CUDA GPU and python/requirements-hf.txt installed):
    PYTHONPATH=integrations/trl python integrations/trl/device/target_rpo_qwen05b.py [--steps 30]

No download: the model is random (Qwen2.5-0.5B's shape: 24 layers, hidden 896, 14 heads, 2 KV
heads, vocabulary 151,936, tied), the tokenizer is testing/hf_peer's Qwen2-style one, and the 64
pairs are made here in the kit's v2 format. bf16, per-device batch 1 x accumulation 16 as in the
paper's recipe, reference log-probs precomputed.
"""

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import torch
from transformers import Qwen2Config, Qwen2ForCausalLM, TrainerCallback
from trl import DPOConfig

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "integrations" / "trl" / "tests"))
from conftest import record, tokenizer  # noqa: E402

from target_dpo_trl.trainer import TargetDPOTrainer, pairs_dataset, variant_config  # noqa: E402


class _Timer(TrainerCallback):
    def __init__(self):
        self.times, self._t = [], None

    def on_step_begin(self, *a, **k):
        torch.cuda.synchronize()
        self._t = time.perf_counter()

    def on_step_end(self, *a, **k):
        torch.cuda.synchronize()
        self.times.append(time.perf_counter() - self._t)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=30)
    a = ap.parse_args()
    assert torch.cuda.is_available(), "no CUDA device"
    cfg = Qwen2Config(vocab_size=151936, hidden_size=896, intermediate_size=4864, num_hidden_layers=24,
                      num_attention_heads=14, num_key_value_heads=2, max_position_embeddings=32768,
                      rope_theta=1e6, tie_word_embeddings=True)
    torch.manual_seed(0)
    model = Qwen2ForCausalLM(cfg)
    rows = []
    for i in range(64):
        rej = "".join(f"    v{j} = x * {j + i}\n" for j in range(40)) + "    return v0 - 1\n"
        cho = rej.replace("return v0 - 1", "return v0 + 1")
        start = rej.index("    return")
        rows.append(record(f"def f{i}(x):\n", cho, rej, [(start, len(rej))]))
    tok = tokenizer("qwen2")
    with tempfile.TemporaryDirectory() as out:
        args = DPOConfig(output_dir=out, per_device_train_batch_size=1, gradient_accumulation_steps=16,
                         learning_rate=1e-5, beta=0.1, lr_scheduler_type="cosine", warmup_steps=0.03,
                         max_steps=a.steps, max_length=2048, bf16=True, precompute_ref_log_probs=True,
                         logging_steps=1, save_strategy="no", report_to=[], **variant_config("target-rpo", 1.0))
        timer = _Timer()
        trainer = TargetDPOTrainer(model=model, args=args, processing_class=tok, train_dataset=pairs_dataset(rows),
                                   variant="target-rpo", callbacks=[timer])
        torch.cuda.reset_peak_memory_stats()
        trainer.train()
    steady = timer.times[3:] or timer.times
    print(json.dumps({
        "device": torch.cuda.get_device_name(0),
        "steps": len(timer.times),
        "step_s_median": sorted(steady)[len(steady) // 2],
        "peak_memory_gib": torch.cuda.max_memory_allocated() / 2**30,
        "dropped_pairs": trainer.dropped_pairs,
        "final_loss": [h["loss"] for h in trainer.state.log_history if "loss" in h][-1],
    }))


if __name__ == "__main__":
    main()
