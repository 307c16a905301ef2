"""Mask exactness against the two mapping errors of the public Target-DPO code: masks shifted by one
token under a BOS-adding tokenizer, and a line end glued into a multi-character token. Tokens are
masked exactly when their characters overlap a masked line (its line break included), for a
Qwen2-style and a Llama-style BOS-adding tokenizer, chat-templated and plain."""

import pytest
from conftest import record, tiny_model, tokenizer
from trl import DPOConfig

from target_dpo_trl.trainer import TargetDPOTrainer, pairs_dataset

PROMPT = "def total(xs):\n"
REJECTED = "    s = 0\n    for x in xs:\n        s -= x\n    return s\n"
CHOSEN = "    s = 0\n    for x in xs:\n        s += x\n    return s\n"
LINE = (REJECTED.index("        s -= x"), REJECTED.index("    return s"))  # the D- line with its "\n"


def _trainer(tok, records, tmp_path, variant="target-dpo"):
    args = DPOConfig(output_dir=str(tmp_path), per_device_train_batch_size=1, max_steps=1, report_to=[],
                     use_cpu=True, precompute_ref_log_probs=False, logging_steps=1, save_strategy="no")
    return TargetDPOTrainer(model=tiny_model(), ref_model=tiny_model(seed=1), args=args, processing_class=tok,
                            train_dataset=pairs_dataset(records), variant=variant)


@pytest.mark.parametrize("style", ["qwen2", "llama"])
@pytest.mark.parametrize("chat", [False, True])
def test_rejected_mask_is_the_tokens_overlapping_the_line(style, chat, tmp_path):
    tok = tokenizer(style)
    prompt = [{"role": "user", "content": PROMPT}] if chat else PROMPT
    t = _trainer(tok, [record(prompt, CHOSEN, REJECTED, [LINE])], tmp_path)
    assert t.dropped_pairs == 0
    e = t.train_dataset[0]
    mask = e["rejected_focal_mask"]
    assert len(mask) == len(e["rejected_ids"])
    assert e["chosen_focal_mask"] == [1] * len(e["chosen_ids"])  # target-dpo leaves y+ whole
    ids = e["prompt_ids"] + e["rejected_ids"]
    pieces = [tok.decode([i]) for i in e["rejected_ids"]]
    masked = "".join(p for p, m in zip(pieces, mask) if m)
    assert "s -= x" in masked, (masked, pieces)
    assert "return" not in masked and "for" not in masked, (masked, pieces)
    if style == "llama" and not chat:
        assert ids[0] == tok.bos_token_id  # the BOS that shifted upstream masks by one
    # The token that holds the D- line's line break is masked (glued to the next line's indent or
    # not); the first token that starts after the line is not.
    full = tok.apply_chat_template(prompt + [{"role": "assistant", "content": REJECTED}], tokenize=False) if chat else PROMPT + REJECTED + tok.eos_token
    start = full.index(REJECTED)
    enc = tok(full, add_special_tokens=not chat, return_offsets_mapping=True)
    offsets = enc["offset_mapping"][len(e["prompt_ids"]):]
    brk = start + LINE[1] - 1
    holder = next(i for i, (s, t) in enumerate(offsets) if s <= brk < t)
    after = next(i for i, (s, _) in enumerate(offsets) if s >= start + LINE[1])
    assert (mask[holder], mask[after]) == (1, 0)


def test_a_pair_whose_completion_the_template_rewrites_is_dropped_and_counted(tmp_path):
    tok = tokenizer("qwen2")
    # A template that strips the assistant's text: the completion is not in the string TRL
    # tokenises, so no span can be placed; the pair is dropped, not trained with a shifted mask.
    tok.chat_template = (
        "{%- for m in messages %}{{- '<|im_start|>' + m.role + '\\n' + (m.content.strip() if m.role == 'assistant' "
        "else m.content) + '<|im_end|>\\n' }}{%- endfor %}{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}"
    )
    chat = [{"role": "user", "content": PROMPT}]
    good = record(chat, CHOSEN.strip(), REJECTED.strip(), [(LINE[0] - 4, LINE[1] - 4)])
    bad = record(chat, CHOSEN, REJECTED, [LINE])
    t = _trainer(tok, [good, bad], tmp_path)
    assert (t.dropped_pairs, len(t.train_dataset)) == (1, 1)


def test_hybrid_pairs_without_target_masks_keep_whole_completions(tmp_path):
    tok = tokenizer("qwen2")
    t = _trainer(tok, [record(PROMPT, CHOSEN, REJECTED, [LINE], target_masks=False)], tmp_path, variant="hybrid")
    e = t.train_dataset[0]
    assert e["rejected_focal_mask"] == [1] * len(e["rejected_ids"])


def test_symmetric_masks_the_chosen_side_too(tmp_path):
    tok = tokenizer("qwen2")
    cline = (CHOSEN.index("        s += x"), CHOSEN.index("    return s"))
    t = _trainer(tok, [record(PROMPT, CHOSEN, REJECTED, [LINE], chosen_spans=[cline])], tmp_path, variant="symmetric")
    e = t.train_dataset[0]
    pieces = [tok.decode([i]) for i, m in zip(e["chosen_ids"], e["chosen_focal_mask"]) if m]
    assert "s += x" in "".join(pieces) and "return" not in "".join(pieces)
