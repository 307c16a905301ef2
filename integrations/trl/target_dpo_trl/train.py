"""Train a model on the kit's v2 pairs with TargetDPOTrainer.

    python -m target_dpo_trl.train --data pairs.v2.jsonl --model PATH --variant target-rpo --out DIR
        [--beta 0.1] [--rpo-lambda 1.0] [--lr 1e-5] [--epochs 3] [--max-steps N]
        [--batch-size 1] [--grad-accum 16] [--max-length 2048]
        [--warmup-ratio 0.03] [--scheduler cosine] [--seed 0] [--bf16] [--cpu] [--precompute-ref]

Launch it on many processes: `python -m torch.distributed.run --nproc_per_node 2 -m
target_dpo_trl.train ... --cpu` (two CPU processes, DDP over gloo), or `accelerate launch
--config_file configs/zero3_8gpu.yaml -m target_dpo_trl.train ... --bf16` (DeepSpeed ZeRO-3 on 8
GPUs, the paper's recipe). The per-step loss goes to
`DIR/log_history.json`, and the number of pairs dropped for a tokenisation mismatch to stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from transformers import AutoModelForCausalLM, AutoTokenizer
from trl import DPOConfig

from .data import PairsFileError, read_pairs
from .trainer import VARIANTS, TargetDPOTrainer, pairs_dataset, variant_config


def parse(argv):
    p = argparse.ArgumentParser(prog="python -m target_dpo_trl.train", description=__doc__.split("\n")[0])
    p.add_argument("--data", required=True)
    p.add_argument("--model", required=True)
    p.add_argument("--variant", required=True, choices=list(VARIANTS))
    p.add_argument("--out", required=True)
    p.add_argument("--beta", type=float, default=0.1)
    p.add_argument("--rpo-lambda", type=float, default=1.0)
    p.add_argument("--lr", type=float, default=1e-5)
    p.add_argument("--epochs", type=float, default=3)
    p.add_argument("--max-steps", type=int, default=-1)
    p.add_argument("--batch-size", type=int, default=1)
    p.add_argument("--grad-accum", type=int, default=16)
    p.add_argument("--max-length", type=int, default=2048)
    p.add_argument("--warmup-ratio", type=float, default=0.03, help="a fraction of the steps (transformers 5: warmup_steps < 1)")
    p.add_argument("--scheduler", default="cosine")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--bf16", action="store_true")
    p.add_argument("--cpu", action="store_true")
    p.add_argument("--precompute-ref", action="store_true", help="reference log-probs once, before training")
    return p.parse_args(argv)


def main(argv=None) -> int:
    a = parse(argv)
    try:
        records = read_pairs(a.data)
    except (PairsFileError, OSError) as e:
        print(f"target_dpo_trl.train: {e}", file=sys.stderr)
        return 2
    tok = AutoTokenizer.from_pretrained(a.model)
    model = AutoModelForCausalLM.from_pretrained(a.model)
    args = DPOConfig(
        output_dir=a.out, beta=a.beta, learning_rate=a.lr, num_train_epochs=a.epochs, max_steps=a.max_steps,
        per_device_train_batch_size=a.batch_size, gradient_accumulation_steps=a.grad_accum, max_length=a.max_length,
        warmup_steps=a.warmup_ratio, lr_scheduler_type=a.scheduler, seed=a.seed, bf16=a.bf16, use_cpu=a.cpu,
        precompute_ref_log_probs=a.precompute_ref, logging_steps=1, save_strategy="no", report_to=[],
        **variant_config(a.variant, a.rpo_lambda),
    )
    trainer = TargetDPOTrainer(model=model, args=args, processing_class=tok, train_dataset=pairs_dataset(records),
                               variant=a.variant)
    print(f"target_dpo_trl.train: process {trainer.accelerator.process_index + 1} of "
          f"{trainer.accelerator.num_processes}: {len(trainer.train_dataset)} pairs, {trainer.dropped_pairs} dropped "
          "(re-tokenisation differs from TRL's)", file=sys.stderr)
    trainer.train()
    if trainer.is_world_process_zero():
        trainer.save_model(a.out)
        Path(a.out, "log_history.json").write_text(json.dumps(trainer.state.log_history, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
