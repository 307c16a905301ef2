"""`TargetDPOTrainer`: TRL's `DPOTrainer` with the focal masks of Target-DPO in its `completion_mask`.

Since TRL 0.29 one `completion_mask` decides which completion tokens count, for the policy's
log-probs, the reference's (precomputed too) and the `sft` term. Target-DPO (Eq. 4-6) sums the
rejected side's log-probs over the critical tokens `m-` only, for the policy and the reference
alike: so the rejected rows of that mask are multiplied by `m-`, and, for the symmetric ablation,
the chosen rows by the `D+` mask. Everything else is stock TRL.

The masks come from the export's character spans through the model's own tokenizer offsets, on the
very string TRL tokenises (the chat template applied, or prompt + completion + EOS). Before
training, each re-tokenised sequence must equal TRL's ids; a pair that does not is dropped and
counted (`dropped_pairs`), never trained with a shifted mask.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import torch
from datasets import Dataset
from trl import DPOTrainer
from trl.trainer.dpo_trainer import DataCollatorForPreference

from .masks import focal_token_mask

logger = logging.getLogger(__name__)

# name: (rejected side masked by m-, chosen side masked by D+, RPO's sft term)
VARIANTS = {
    "dpo": (False, False, False),
    "rpo": (False, False, True),
    "target-dpo": (True, False, False),
    "target-rpo": (True, False, True),
    "symmetric": (True, True, False),
    # The data decides these two: the hybrid split (`target_masks: false` on half the pairs) and
    # the widened context were drawn by the kit at export.
    "hybrid": (True, False, False),
    "diff-aug": (True, False, False),
}


def variant_config(variant: str, rpo_lambda: float = 1.0) -> dict:
    """The `DPOConfig` fields of a variant: `loss_type` and `loss_weights` (RPO: sigmoid + λ·sft)."""
    if variant not in VARIANTS:
        raise ValueError(f"unknown variant {variant!r} (known: {', '.join(VARIANTS)})")
    sft = VARIANTS[variant][2]
    return {"loss_type": ["sigmoid", "sft"] if sft else ["sigmoid"], "loss_weights": [1.0, rpo_lambda] if sft else [1.0]}


@dataclass
class FocalCollator(DataCollatorForPreference):
    """TRL's preference collator, with `completion_mask` multiplied by each row's focal mask."""

    def torch_call(self, examples):
        out = super().torch_call(examples)
        rows = [[0] * len(e["prompt_ids"]) + list(e["chosen_focal_mask"]) for e in examples]
        rows += [[0] * len(e["prompt_ids"]) + list(e["rejected_focal_mask"]) for e in examples]
        if self.max_length is not None:
            sl = slice(None, self.max_length) if self.truncation_mode == "keep_start" else slice(-self.max_length, None)
            rows = [r[sl] for r in rows]
        width = out["completion_mask"].shape[1]
        focal = torch.zeros_like(out["completion_mask"])
        for i, r in enumerate(rows):
            focal[i, : len(r)] = torch.tensor(r, dtype=focal.dtype)
        out["completion_mask"] = out["completion_mask"] * focal[:, :width]
        return out


class TargetDPOTrainer(DPOTrainer):
    """`DPOTrainer` for the kit's v2 pairs (see `read_pairs` and `pairs_dataset`), one variant of
    `VARIANTS`. Pairs whose re-tokenisation differs from TRL's are dropped; `dropped_pairs` counts them."""

    def __init__(self, *args, variant: str = "target-dpo", **kwargs):
        if variant not in VARIANTS:
            raise ValueError(f"unknown variant {variant!r} (known: {', '.join(VARIANTS)})")
        self.variant = variant
        self.mask_rejected, self.mask_chosen, _ = VARIANTS[variant]
        self.dropped_pairs = 0
        tok = kwargs.get("processing_class")
        train_args = kwargs.get("args")
        if tok is None or train_args is None:
            raise ValueError("TargetDPOTrainer needs processing_class= and args= (a DPOConfig)")
        if kwargs.get("data_collator") is None:
            tok = getattr(tok, "tokenizer", tok)
            pad = train_args.pad_token or tok.pad_token or tok.eos_token
            kwargs["data_collator"] = FocalCollator(
                pad_token_id=tok.convert_tokens_to_ids(pad),
                max_length=train_args.max_length,
                truncation_mode=train_args.truncation_mode,
                pad_to_multiple_of=train_args.pad_to_multiple_of,
            )
        super().__init__(*args, **kwargs)

    def _prepare_dataset(self, dataset, processing_class, args, dataset_name):
        dataset = super()._prepare_dataset(dataset, processing_class, args, dataset_name)
        tok = getattr(processing_class, "tokenizer", processing_class)
        dataset = dataset.map(lambda e: self._focal_masks(e, tok), desc=f"Focal masks of {dataset_name}")
        before = len(dataset)
        dataset = dataset.filter(lambda e: e["focal_ok"])
        dropped = before - len(dataset)
        self.dropped_pairs += dropped
        if dropped:
            logger.warning("%s: %d of %d pairs dropped: their re-tokenisation differs from TRL's", dataset_name, dropped, before)
        return dataset

    def _set_signature_columns_if_needed(self):
        super()._set_signature_columns_if_needed()
        # TRL keeps only these columns (TRL issue #3349): the masks must be among them.
        for column in ("chosen_focal_mask", "rejected_focal_mask"):
            if column not in self._signature_columns:
                self._signature_columns.append(column)

    def _focal_masks(self, e: dict, tok) -> dict:
        out = {"focal_ok": True}
        for side in ("chosen", "rejected"):
            text, start, enc = _rendered(e, side, tok)
            n_prompt = len(e["prompt_ids"])
            ids = e["prompt_ids"] + e[f"{side}_ids"]
            if start < 0 or enc["input_ids"] != ids:
                out["focal_ok"] = False
            masked = self.mask_rejected if side == "rejected" else self.mask_chosen
            if masked and e["target_masks"]:
                out[f"{side}_focal_mask"] = focal_token_mask(enc["offset_mapping"][n_prompt:], e[f"{side}_spans"], start)
            else:
                out[f"{side}_focal_mask"] = [1] * len(e[f"{side}_ids"])
            if len(out[f"{side}_focal_mask"]) != len(e[f"{side}_ids"]):
                out["focal_ok"] = False
                out[f"{side}_focal_mask"] = [1] * len(e[f"{side}_ids"])
        return out


def _rendered(e: dict, side: str, tok):
    """The string TRL tokenised for prompt + `side`, where the completion starts in it, and its
    encoding with offsets (code points)."""
    completion = e[side]
    if isinstance(e["prompt"], list):  # conversational: the chat template TRL applies
        content = completion[0]["content"]
        full = tok.apply_chat_template(e["prompt"] + completion, tokenize=False)
        prompt = tok.apply_chat_template(e["prompt"], add_generation_prompt=True, tokenize=False)
        start = len(prompt) if full.startswith(prompt) and full[len(prompt):].startswith(content) else -1
        return full, start, tok(full, add_special_tokens=False, return_offsets_mapping=True)
    # TRL appends the EOS text to a plain completion that lacks it
    full = e["prompt"] + completion
    return full, len(e["prompt"]), tok(full, return_offsets_mapping=True)


def pairs_dataset(records: list[dict]) -> Dataset:
    """A TRL preference dataset of v2 records: conversational when the prompt is messages."""
    rows = []
    for r in records:
        chat = isinstance(r["prompt"], list)
        side = (lambda t: [{"role": "assistant", "content": t}]) if chat else (lambda t: t)
        rows.append({
            "prompt": r["prompt"],
            "chosen": side(r["chosen"]),
            "rejected": side(r["rejected"]),
            "chosen_spans": r["chosen_spans"],
            "rejected_spans": r["rejected_spans"],
            "target_masks": r["target_masks"],
        })
    return Dataset.from_list(rows)
