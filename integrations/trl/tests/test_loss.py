"""Loss values: with all-ones masks TargetDPOTrainer is stock DPOTrainer (loss and gradients, same
tiny random model, same batch), and a hand-made pair's Target-DPO and Target-RPO losses equal the
masked sums of log-probs computed here by hand."""

import copy

import torch
import torch.nn.functional as F
from conftest import record, tiny_model, tokenizer
from datasets import Dataset
from trl import DPOConfig, DPOTrainer

from target_dpo_trl.trainer import TargetDPOTrainer, pairs_dataset, variant_config

PROMPT = "def total(xs):\n"
REJECTED = "    s = 0\n    for x in xs:\n        s -= x\n    return s\n"
CHOSEN = "    s = 0\n    for x in xs:\n        s += x\n    return s\n"
LINE = (REJECTED.index("        s -= x"), REJECTED.index("    return s"))
BETA = 0.1


def _args(tmp_path, **kw):
    return DPOConfig(output_dir=str(tmp_path), per_device_train_batch_size=2, max_steps=1, report_to=[], use_cpu=True,
                     precompute_ref_log_probs=False, beta=BETA, save_strategy="no", bf16=False, **kw)


def _loss_and_grads(trainer):
    batch = next(iter(trainer.get_train_dataloader()))
    trainer.model.zero_grad()
    loss = trainer.compute_loss(trainer.model, batch)
    loss.backward()
    return loss.item(), {n: p.grad.clone() for n, p in trainer.model.named_parameters() if p.grad is not None}, batch


def test_all_ones_masks_equal_stock_dpo(tmp_path):
    tok = tokenizer("qwen2")
    pairs = [(PROMPT, CHOSEN, REJECTED), ("def f(x):\n", "    return x + 1\n", "    return x - 1\n")]
    policy, ref = tiny_model(), tiny_model(seed=1)
    stock = DPOTrainer(model=copy.deepcopy(policy), ref_model=copy.deepcopy(ref), args=_args(tmp_path / "a"),
                       processing_class=tok,
                       train_dataset=Dataset.from_list([{"prompt": p, "chosen": c, "rejected": r} for p, c, r in pairs]))
    ours = TargetDPOTrainer(model=copy.deepcopy(policy), ref_model=copy.deepcopy(ref), args=_args(tmp_path / "b"),
                            processing_class=tok, variant="target-dpo",
                            train_dataset=pairs_dataset([record(p, c, r, [(0, 3)], target_masks=False) for p, c, r in pairs]))
    torch.manual_seed(0)
    a_loss, a_grads, _ = _loss_and_grads(stock)
    torch.manual_seed(0)
    b_loss, b_grads, _ = _loss_and_grads(ours)
    assert abs(a_loss - b_loss) < 1e-7
    assert a_grads.keys() == b_grads.keys()
    for n in a_grads:
        assert torch.allclose(a_grads[n], b_grads[n], atol=1e-7), n


def _logps(model, ids):
    with torch.no_grad():
        logits = model(torch.tensor([ids])).logits[0, :-1]
    return F.log_softmax(logits.double(), -1).gather(1, torch.tensor(ids[1:])[:, None])[:, 0]


def test_target_dpo_and_rpo_losses_equal_the_hand_computed_masked_sums(tmp_path):
    tok = tokenizer("qwen2")
    policy, ref = tiny_model(), tiny_model(seed=1)
    for variant, lam in (("target-dpo", 0.0), ("target-rpo", 0.5)):
        t = TargetDPOTrainer(model=copy.deepcopy(policy), ref_model=copy.deepcopy(ref),
                             args=_args(tmp_path / variant, **variant_config(variant, lam)), processing_class=tok,
                             train_dataset=pairs_dataset([record(PROMPT, CHOSEN, REJECTED, [LINE])]), variant=variant)
        e = t.train_dataset[0]
        n = len(e["prompt_ids"])
        sums = {}
        for side in ("chosen", "rejected"):
            ids = e["prompt_ids"] + e[f"{side}_ids"]
            mask = torch.tensor(e[f"{side}_focal_mask"], dtype=torch.float64)
            assert (side == "chosen") == bool(mask.all())
            sums[side] = [float((_logps(m, ids)[n - 1:] * mask).sum()) for m in (policy, ref)]
        margin = (sums["chosen"][0] - sums["chosen"][1]) - (sums["rejected"][0] - sums["rejected"][1])
        want = -F.logsigmoid(torch.tensor(BETA * margin)).item()
        if variant == "target-rpo":  # + λ · mean NLL over the chosen tokens (EOS included)
            chosen_ids = e["prompt_ids"] + e["chosen_ids"]
            want += lam * -float(_logps(policy, chosen_ids)[n - 1:].mean())
        got = t.compute_loss(t.model, next(iter(t.get_train_dataloader()))).item()
        assert abs(got - want) < 1e-5, (variant, got, want)
