"""TRL (integrations/trl's TargetDPOTrainer on TRL 1.16) as the peer of the kit's own loss on a
Hugging Face model: the loss of one batch holding every pair of a v2 pairs file.

Usage: python trl_loss.py POLICY_DIR REFERENCE_DIR PAIRS_V2 VARIANT BATCH OUT_JSON

The policy and the reference are model folders (loaded in float32; the reference runs on the fly,
not precomputed); BATCH pairs per batch (the first batch is scored). OUT_JSON gets the loss, the
number of pairs TRL kept and the batch's token ids, so the caller can check it scored the same
sequences.
"""

import json
import sys
from pathlib import Path

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer
from trl import DPOConfig

from target_dpo_trl.data import read_pairs
from target_dpo_trl.trainer import TargetDPOTrainer, pairs_dataset, variant_config


def main(policy_dir, ref_dir, pairs, variant, batch, out) -> None:
    records = read_pairs(pairs)
    args = DPOConfig(output_dir=str(Path(out).parent / "trl-out"), per_device_train_batch_size=int(batch), max_steps=1,
                     report_to=[], use_cpu=True, precompute_ref_log_probs=False, beta=0.1, save_strategy="no",
                     bf16=False, max_length=None, **variant_config(variant, 1.0))
    trainer = TargetDPOTrainer(
        model=AutoModelForCausalLM.from_pretrained(policy_dir, dtype=torch.float32),
        ref_model=AutoModelForCausalLM.from_pretrained(ref_dir, dtype=torch.float32),
        args=args, processing_class=AutoTokenizer.from_pretrained(policy_dir),
        train_dataset=pairs_dataset(records), variant=variant)
    # In dataset order (the trainer's own sampler shuffles): the batch is the first BATCH pairs.
    data = trainer.train_dataset.select(range(int(batch)))
    batch_in = trainer.data_collator([data[i] for i in range(len(data))])
    trainer.model.eval()
    with torch.no_grad():
        loss = trainer.compute_loss(trainer.model, batch_in)
    Path(out).write_text(json.dumps({"loss": loss.item(), "kept": len(trainer.train_dataset),
                                     "prompt_ids": [data[i]["prompt_ids"] for i in range(len(data))],
                                     "chosen_ids": [data[i]["chosen_ids"] for i in range(len(data))]}))


if __name__ == "__main__":
    main(*sys.argv[1:7])
