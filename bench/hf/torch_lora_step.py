"""transformers + PEFT's side of bench/hf/compare_lora_step.ts: LoRA Target-DPO steps on torch CPU.

Usage: python torch_lora_step.py FOLDER --tokens T --prompt-len P --threads N --rank R --steps S [--make]

--make first writes the random Qwen2.5-Coder-0.5B-shaped model (bench/hf/torch_decode.py's
shape). Then: the model in float32, PEFT LoRA (rank R, alpha 2R, dropout 0, all seven
projections), one pair of T-token sequences (P prompt tokens, fixed ids), reference log-probs
computed once with the adapters disabled, and S timed AdamW steps of the Target-DPO loss (the
rejected side masked to its second half) after one warm-up step, as TRL computes a step: logits,
log-softmax, gathered token log-probs. One JSON line reports tokens/s and peak resident memory.
"""

import argparse
import json
import resource
import time

import torch
import torch.nn.functional as F
from peft import LoraConfig, get_peft_model
from transformers import AutoModelForCausalLM, Qwen2Config

from torch_decode import SHAPE

TARGETS = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]


def sequences(tokens: int, prompt: int):
    chosen = [100 + (i * 7) % 5000 for i in range(tokens)]
    rejected = [100 + (i * 11) % 5000 for i in range(tokens - 1)] + [chosen[-1]]  # the same EOS
    return torch.tensor([chosen, rejected]), prompt


def token_logps(model, ids):
    logits = model(input_ids=ids).logits[:, :-1].float()
    return torch.log_softmax(logits, -1).gather(2, ids[:, 1:, None])[..., 0]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("folder")
    ap.add_argument("--tokens", type=int, default=512)
    ap.add_argument("--prompt-len", type=int, default=64)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--rank", type=int, default=16)
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--make", action="store_true")
    ap.add_argument("--device", default="cpu", help="cpu, or cuda for the GPU script (bench/hf/device_lora_step.sh)")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    if a.make:
        torch.manual_seed(0)
        AutoModelForCausalLM.from_config(Qwen2Config(**SHAPE)).to(torch.bfloat16).save_pretrained(a.folder)
    base = AutoModelForCausalLM.from_pretrained(a.folder, dtype=torch.float32).to(a.device)
    model = get_peft_model(base, LoraConfig(r=a.rank, lora_alpha=2 * a.rank, lora_dropout=0.0, target_modules=TARGETS))
    model.train()
    ids, p = sequences(a.tokens, a.prompt_len)
    ids = ids.to(a.device)
    t = a.tokens - 1
    mask = torch.zeros(2, t, device=a.device)
    mask[:, p - 1 :] = 1
    mask[1, : p - 1 + (t - p + 1) // 2] = 0  # m-: the rejected completion's second half
    with torch.no_grad(), model.disable_adapter():
        ref = token_logps(model, ids)
    opt = torch.optim.AdamW([q for q in model.parameters() if q.requires_grad], lr=1e-4, weight_decay=0.0)
    times = []
    for step in range(a.steps + 1):
        t0 = time.perf_counter()
        logps = token_logps(model, ids)
        margin = 0.1 * (((logps[0] - ref[0]) * mask[0]).sum() - ((logps[1] - ref[1]) * mask[1]).sum())
        loss = F.softplus(-margin)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if a.device != "cpu":
            torch.cuda.synchronize()
        if step > 0:
            times.append(time.perf_counter() - t0)
    step_s = sum(times) / len(times)
    print(json.dumps({
        "side": f"transformers + PEFT ({a.device})",
        "stepSeconds": step_s,
        "tokensPerSecond": 2 * a.tokens / step_s,
        "peakRssMiB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }))


if __name__ == "__main__":
    main()
