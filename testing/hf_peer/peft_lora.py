"""torch + PEFT as the peer of the kit's LoRA training on tiny random Qwen2 and Llama models.

Usage:
  python peft_lora.py OUT_DIR
      For each family, OUT_DIR/<name>/ gets a model folder (save_pretrained, float32), a PEFT
      adapter with random A and B (adapter/, written by PEFT), pairs.json (token ids and D+/D-
      spans), and expected.json: what torch + PEFT compute on those pairs with the reference
      being the same model with the adapters disabled: the Target-DPO and Target-RPO losses
      (beta 0.1, lambda 1), the gradients of every lora_A/lora_B for both, and the adapter
      weights after 5 AdamW steps of Target-DPO on the whole batch (constant lr, no clipping).
  python peft_lora.py read MODEL_DIR ADAPTER_DIR MERGED_DIR IDS_JSON OUT_JSON
      Logits of the ids in IDS_JSON ([[...], ...]) from PeftModel.from_pretrained(MODEL_DIR,
      ADAPTER_DIR) and from the merged folder loaded by transformers alone.

The losses are written here from the definitions (Target-DPO Eq. 4-6, RPO Eq. 7-8); nothing here
is committed output: the kit's tests make it anew each run.
"""

import json
import sys
from pathlib import Path

import torch
import torch.nn.functional as F
from peft import LoraConfig, PeftModel, get_peft_model
from transformers import AutoModelForCausalLM, LlamaConfig, Qwen2Config

BETA, LAMBDA, LR, WD, STEPS = 0.1, 1.0, 1e-2, 0.01, 5
EOS = 2
TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]
COMMON = dict(
    vocab_size=96,
    hidden_size=32,
    intermediate_size=48,
    num_hidden_layers=2,
    num_attention_heads=4,
    max_position_embeddings=128,
    rms_norm_eps=1e-6,
    initializer_range=0.2,
    bos_token_id=None,
    eos_token_id=EOS,
    pad_token_id=None,
)
FAMILIES = {
    "qwen2": Qwen2Config(**COMMON, num_key_value_heads=2, rope_theta=1e6, tie_word_embeddings=True),
    "llama": LlamaConfig(**COMMON, num_key_value_heads=2, rope_theta=1e4, tie_word_embeddings=False),
}
# (prompt, chosen, rejected, chosen D+ spans, rejected D- spans), completions without EOS.
PAIRS = [
    ([5, 17, 33, 8], [40, 41, 42, 43, 44], [40, 41, 60, 61, 44, 45], [[2, 4]], [[2, 4]]),
    ([9, 3, 77], [12, 13, 14], [12, 90, 14, 15], [[1, 2]], [[1, 2], [3, 4]]),
    ([21, 22, 23, 24, 25, 26], [30, 31], [30, 70, 71], [[1, 2]], [[1, 3]]),
]


def span_mask(n, spans):
    m = torch.zeros(n)
    for s, e in spans:
        m[s:e] = 1
    return m


def side_logps(model, prompt, completion):
    """Log-probs of completion + EOS after the prompt, one sequence alone (no padding)."""
    ids = torch.tensor([prompt + completion + [EOS]])
    logits = model(input_ids=ids).logits[0].float()
    logp = torch.log_softmax(logits, -1)
    p = len(prompt)
    targets = ids[0, p:]
    return logp[p - 1 : p - 1 + len(targets)].gather(1, targets[:, None])[:, 0]


def losses(model, ref):
    """Target-DPO and Target-RPO (means over the batch) and the RPO NLL."""
    margins, nlls = [], []
    for (prompt, chosen, rejected, _, rspans), (rc, rr) in zip(PAIRS, ref):
        pc = side_logps(model, prompt, chosen)
        pr = side_logps(model, prompt, rejected)
        m_plus = torch.ones(len(chosen) + 1)  # the chosen side keeps m = 1 (EOS included)
        m_minus = torch.cat([span_mask(len(rejected), rspans), torch.zeros(1)])
        r_plus = BETA * ((pc - rc) * m_plus).sum()
        r_minus = BETA * ((pr - rr) * m_minus).sum()
        margins.append(r_plus - r_minus)
        nlls.append(-(pc * m_plus).sum() / m_plus.sum())
    dpo = torch.stack([F.softplus(-m) for m in margins]).mean()
    nll = torch.stack(nlls).mean()
    return {"target-dpo": dpo, "target-rpo": dpo + LAMBDA * nll}


def lora_params(model):
    return {n: p for n, p in model.named_parameters() if "lora_" in n}


def kit_name(name):
    """PEFT's parameter name -> its saved tensor name (the kit's names): drop `.default`."""
    return name.replace(".default.weight", ".weight")


def make(out: Path, family: str) -> None:
    folder = out / family
    torch.manual_seed(0)
    AutoModelForCausalLM.from_config(FAMILIES[family]).float().save_pretrained(folder / "model")
    base = AutoModelForCausalLM.from_pretrained(folder / "model", dtype=torch.float32)
    config = LoraConfig(r=4, lora_alpha=8, lora_dropout=0.0, target_modules=TARGETS, task_type="CAUSAL_LM")
    model = get_peft_model(base, config)
    gen = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for p in lora_params(model).values():
            p.copy_(torch.randn(p.shape, generator=gen) * 0.3)
    model.save_pretrained(folder / "adapter")
    model.eval()  # no dropout anywhere (rate 0 too)
    with torch.no_grad(), model.disable_adapter():
        ref = [(side_logps(model, p, c), side_logps(model, p, r)) for p, c, r, _, _ in PAIRS]
    expected = {"losses": {}, "grads": {}}
    for variant in ["target-dpo", "target-rpo"]:
        model.zero_grad()
        loss = losses(model, ref)[variant]
        loss.backward()
        expected["losses"][variant] = loss.item()
        expected["grads"][variant] = {kit_name(n): p.grad.flatten().tolist() for n, p in lora_params(model).items()}
    params = list(lora_params(model).values())
    opt = torch.optim.AdamW(params, lr=LR, betas=(0.9, 0.999), eps=1e-8, weight_decay=WD)
    curve = []
    for _ in range(STEPS):
        opt.zero_grad()
        loss = losses(model, ref)["target-dpo"]
        loss.backward()
        curve.append(loss.item())
        opt.step()
    expected["curve"] = curve
    expected["after"] = {kit_name(n): p.detach().flatten().tolist() for n, p in lora_params(model).items()}
    expected["hyper"] = {"beta": BETA, "lambda": LAMBDA, "lr": LR, "weightDecay": WD, "steps": STEPS}
    (folder / "expected.json").write_text(json.dumps(expected))
    pairs = [
        {"promptIds": p, "chosenIds": c, "rejectedIds": r, "chosenSpans": cs, "rejectedSpans": rs}
        for p, c, r, cs, rs in PAIRS
    ]
    (folder / "pairs.json").write_text(json.dumps({"eosId": EOS, "pairs": pairs}))


def read(model_dir, adapter_dir, merged_dir, ids_json, out_json) -> None:
    ids = torch.tensor(json.loads(Path(ids_json).read_text()))
    base = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32)
    peft = PeftModel.from_pretrained(base, adapter_dir).eval()
    merged = AutoModelForCausalLM.from_pretrained(merged_dir, dtype=torch.float32).eval()
    with torch.no_grad():
        out = {"peft": peft(input_ids=ids).logits.flatten().tolist(), "merged": merged(input_ids=ids).logits.flatten().tolist()}
    Path(out_json).write_text(json.dumps(out))


if __name__ == "__main__":
    if sys.argv[1] == "read":
        read(*sys.argv[2:7])
    else:
        out = Path(sys.argv[1])
        for family in FAMILIES:
            make(out, family)
