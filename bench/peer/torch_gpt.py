"""PyTorch peer of the kit's GPT training step (bench/peer/).

The model is architecturally identical to lib/model/gpt.ts: learned token + position
embeddings, pre-LayerNorm blocks (causal multi-head self-attention with a fused qkv
projection, GELU-tanh MLP with hidden size mlp_ratio * d_model), a final LayerNorm and a
tied output embedding (logits = h @ wte.T). No dropout. GPT-2 init: weights ~ N(0, 0.02),
the two residual projections per block ~ N(0, 0.02 / sqrt(2 * n_layer)), biases 0,
LayerNorm gains 1.

The optimizer step mirrors lib/train/train.ts: global-norm clipping to 1.0, then AdamW
(lr 3e-4, betas 0.9/0.999, eps 1e-8, decoupled weight decay 0.1 on matrices only).

Two step kinds, each forward + backward + clip + optimizer step:
  lm:  B x T next-token cross-entropy (token mean).        tokens per step = B * T
  dpo: B pairs -> 2B sequences (chosen rows, then rejected rows) of length T;
       per-token log-probs (log_softmax gathered at the targets), masked sums S(y; m),
       constant reference log-probs given as input (computed once from the initial
       weights, outside the timed loop; the reference model never runs in the step),
       loss = mean -logsigmoid(beta * ((pc - rc) - (pr - rr)))  (DPO Eq. 2, DESIGN §2).
                                                            tokens per step = 2 * B * T
Every step trains on one fixed batch, so the loss must fall across the timed steps (a
correctness check printed with the numbers); the first DPO loss is ln 2 exactly, because
the reference log-probs equal the initial policy's.

`--device cuda` puts the model, the batch and the optimizer state on the first CUDA GPU
(full fp32: torch's default matmul precision "highest", no TF32) and synchronizes the device
before each step's timer is read; `--device cpu` (the default) runs as before, with `--threads`
intra-op threads. The JSON names the device in `deviceKind` ("cpu" or "cuda") and `device`
(torch.cuda.get_device_name, or the CPU's model name from /proc/cpuinfo).

Prints one JSON object on stdout and a summary on stderr. Run it with Debian's interpreter (/usr/bin/python3);
bench/peer/run_peer.sh sets the fair environment (OPENBLAS_CORETYPE, OMP_WAIT_POLICY). On a GPU
machine run it with that machine's own python3 (whose torch has CUDA), e.g. through
`bench/peer/compare.ts --peer-python python3 --peer-device cuda`.
"""

import argparse
import ctypes
import json
import math
import os
import platform
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

INIT_STD = 0.02
LN_EPS = 1e-5


class Block(nn.Module):
    """Pre-LayerNorm transformer block: x + attn(ln1(x)), then x + mlp(ln2(x))."""

    def __init__(self, d_model: int, n_head: int, mlp_ratio: int, context: int):
        super().__init__()
        self.n_head = n_head
        self.ln1 = nn.LayerNorm(d_model, eps=LN_EPS)
        self.qkv = nn.Linear(d_model, 3 * d_model)
        self.proj = nn.Linear(d_model, d_model)
        self.ln2 = nn.LayerNorm(d_model, eps=LN_EPS)
        self.fc = nn.Linear(d_model, mlp_ratio * d_model)
        self.fc_out = nn.Linear(mlp_ratio * d_model, d_model)
        mask = torch.tril(torch.ones(context, context, dtype=torch.bool))
        self.register_buffer("causal", mask.view(1, 1, context, context), persistent=False)

    def attention(self, x: torch.Tensor) -> torch.Tensor:
        b, t, d = x.shape
        hd = d // self.n_head
        q, k, v = self.qkv(x).split(d, dim=2)  # 3 x [B, T, D]
        q = q.view(b, t, self.n_head, hd).transpose(1, 2)  # [B, H, T, hd]
        k = k.view(b, t, self.n_head, hd).transpose(1, 2)  # [B, H, T, hd]
        v = v.view(b, t, self.n_head, hd).transpose(1, 2)  # [B, H, T, hd]
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(hd))  # [B, H, T, T]
        att = att.masked_fill(~self.causal[:, :, :t, :t], float("-inf"))
        att = F.softmax(att, dim=-1)
        y = (att @ v).transpose(1, 2).contiguous().view(b, t, d)  # [B, T, D]
        return self.proj(y)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attention(self.ln1(x))
        return x + self.fc_out(F.gelu(self.fc(self.ln2(x)), approximate="tanh"))


class GPT(nn.Module):
    """Decoder-only transformer with tied input/output embeddings."""

    def __init__(self, vocab: int, d_model: int, n_layer: int, n_head: int, mlp_ratio: int,
                 context: int):
        super().__init__()
        self.wte = nn.Embedding(vocab, d_model)
        self.wpe = nn.Embedding(context, d_model)
        self.blocks = nn.ModuleList(
            Block(d_model, n_head, mlp_ratio, context) for _ in range(n_layer))
        self.lnf = nn.LayerNorm(d_model, eps=LN_EPS)
        residual_std = INIT_STD / math.sqrt(2 * n_layer)
        for name, p in self.named_parameters():
            if p.dim() == 1 and name.split(".")[-2] in ("ln1", "ln2", "lnf") \
                    and name.endswith("weight"):
                nn.init.ones_(p)  # LayerNorm gains
            elif p.dim() == 1:
                nn.init.zeros_(p)  # biases, LayerNorm shifts
            elif name.endswith("proj.weight") or name.endswith("fc_out.weight"):
                nn.init.normal_(p, 0.0, residual_std)
            else:
                nn.init.normal_(p, 0.0, INIT_STD)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        _, t = ids.shape
        x = self.wte(ids) + self.wpe.weight[:t]  # [B, T, D]
        for blk in self.blocks:
            x = blk(x)
        return self.lnf(x) @ self.wte.weight.t()  # [B, T, V] (tied output embedding)


def token_logps(logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    """l_i = log_softmax(logits)[target_i]: [B, T, V], [B, T] -> [B, T]."""
    return torch.gather(F.log_softmax(logits, dim=-1), 2, targets.unsqueeze(-1)).squeeze(-1)


def make_optimizer(model: nn.Module, lr: float, weight_decay: float) -> torch.optim.AdamW:
    """AdamW with decay on matrices only (rank >= 2), as lib/train/adamw.ts and nanoGPT."""
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    groups = [{"params": decay, "weight_decay": weight_decay},
              {"params": no_decay, "weight_decay": 0.0}]
    return torch.optim.AdamW(groups, lr=lr, betas=(0.9, 0.999), eps=1e-8)


def blas_info() -> dict:
    """Which BLAS library the process loaded, and OpenBLAS's kernel (core) name if it is one."""
    with open("/proc/self/maps") as f:
        libs = sorted({line.split()[-1] for line in f
                       if "blas" in line.split()[-1].lower() and line.split()[-1].startswith("/")})
    info: dict = {"loadedLibraries": libs}
    for path in libs:
        lib = ctypes.CDLL(path)  # already loaded: the same handle torch uses
        if hasattr(lib, "openblas_get_corename"):
            lib.openblas_get_corename.restype = ctypes.c_char_p
            lib.openblas_get_config.restype = ctypes.c_char_p
            info["openblasCorename"] = lib.openblas_get_corename().decode()
            info["openblasConfig"] = lib.openblas_get_config().decode()
            info["openblasThreads"] = lib.openblas_get_num_threads()
            break
    try:
        import threadpoolctl  # optional; Debian package python3-threadpoolctl
        info["threadpoolctl"] = threadpoolctl.threadpool_info()
    except ImportError:
        info["threadpoolctl"] = None
    return info


def cpu_name() -> str:
    """The CPU's model name (first "model name" line of /proc/cpuinfo), or platform.machine()."""
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.machine() or "unknown CPU"


def time_steps(step, warmup: int, steps: int, sync=lambda: None) -> tuple[
        list[float], list[float], list[float]]:
    """Runs warmup + steps calls of step().

    Returns the wall seconds and the process CPU seconds (all threads, user + system) of each
    timed step, and the losses of every step. `sync` waits for the device's queued work (CUDA:
    torch.cuda.synchronize); it is called before each step's timers start and stop.
    """
    losses, seconds, cpu = [], [], []
    for i in range(warmup + steps):
        sync()
        t0, c0 = time.perf_counter(), time.process_time()
        losses.append(step())
        sync()
        if i >= warmup:
            seconds.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
    return seconds, cpu, losses


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--vocab", type=int, default=256)
    ap.add_argument("--d-model", type=int, default=128)
    ap.add_argument("--layers", type=int, default=4)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--mlp-ratio", type=int, default=4)
    ap.add_argument("--context", type=int, default=256)
    ap.add_argument("--batch", type=int, default=16, help="sequences (lm) or pairs (dpo)")
    ap.add_argument("--prompt", type=int, default=64, help="dpo prompt tokens (mask 0)")
    ap.add_argument("--beta", type=float, default=0.1)
    ap.add_argument("--lr", type=float, default=3e-4)
    ap.add_argument("--weight-decay", type=float, default=0.1)
    ap.add_argument("--grad-clip", type=float, default=1.0)
    ap.add_argument("--threads", type=int, default=2, help="torch intra-op CPU threads")
    ap.add_argument("--device", choices=["cpu", "cuda"], default="cpu",
                    help="where the model and batch live (cuda: the first GPU)")
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--steps", type=int, default=10)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--only", choices=["lm", "dpo", "both"], default="both")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    B, T, V = args.batch, args.context, args.vocab
    if args.device == "cuda" and not torch.cuda.is_available():
        sys.exit("torch_gpt.py: --device cuda, but torch %s sees no CUDA device" % torch.__version__)
    dev = torch.device(args.device)
    sync = torch.cuda.synchronize if args.device == "cuda" else (lambda: None)

    def new_model() -> tuple[GPT, torch.optim.AdamW]:
        # Initialised on the CPU with the CPU generator (the same weights on every device),
        # then moved.
        torch.manual_seed(args.seed)
        model = GPT(V, args.d_model, args.layers, args.heads, args.mlp_ratio, T).to(dev)
        return model, make_optimizer(model, args.lr, args.weight_decay)

    def update(model: GPT, opt: torch.optim.AdamW, loss: torch.Tensor) -> float:
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), args.grad_clip)
        opt.step()
        return loss.item()

    gen = torch.Generator().manual_seed(args.seed)
    result: dict = {"config": {
        "vocab": V, "dModel": args.d_model, "layers": args.layers, "heads": args.heads,
        "mlpRatio": args.mlp_ratio, "context": T, "batch": B, "lr": args.lr,
        "weightDecay": args.weight_decay, "gradClip": args.grad_clip, "beta": args.beta,
        "warmup": args.warmup, "steps": args.steps,
    }}

    result["params"] = sum(p.numel() for p in new_model()[0].parameters())

    if args.only in ("lm", "both"):
        model, opt = new_model()
        seq = torch.randint(0, V, (B, T + 1), generator=gen).to(dev)
        ids, targets = seq[:, :-1], seq[:, 1:]  # [B, T] each

        def lm_step() -> float:
            logits = model(ids)  # [B, T, V]
            loss = F.cross_entropy(logits.reshape(B * T, V), targets.reshape(B * T))
            return update(model, opt, loss)

        seconds, cpu, losses = time_steps(lm_step, args.warmup, args.steps, sync)
        result["lmTokensPerStep"] = B * T
        result["lmCpuSecondsPerStep"] = statistics.median(cpu)
        result["lmSecondsPerStep"] = statistics.median(seconds)
        result["lmBestSecondsPerStep"] = min(seconds)
        result["lmTokensPerSec"] = B * T / statistics.median(seconds)
        result["lmLosses"] = losses

    if args.only in ("dpo", "both"):
        model, opt = new_model()
        seq = torch.randint(0, V, (2 * B, T + 1), generator=gen).to(dev)
        ids, targets = seq[:, :-1], seq[:, 1:]  # [2B, T]: chosen rows 0..B-1, rejected B..2B-1
        mask = torch.zeros(2 * B, T)
        mask[:, args.prompt - 1:] = 1.0  # completion targets, as lib/train collates them
        mask = mask.to(dev)
        with torch.no_grad():  # constant reference log-probs from the initial weights
            ref = (token_logps(model(ids), targets) * mask).sum(-1)  # [2B]
        ref_chosen, ref_rejected = ref[:B], ref[B:]

        def dpo_step() -> float:
            logps = token_logps(model(ids), targets)  # [2B, T]
            seq_logp = (logps * mask).sum(-1)  # S(y; m), [2B]
            pc, pr = seq_logp[:B], seq_logp[B:]
            margin = args.beta * ((pc - ref_chosen) - (pr - ref_rejected))  # [B]
            loss = -F.logsigmoid(margin).mean()
            return update(model, opt, loss)

        seconds, cpu, losses = time_steps(dpo_step, args.warmup, args.steps, sync)
        result["dpoTokensPerStep"] = 2 * B * T
        result["dpoCpuSecondsPerStep"] = statistics.median(cpu)
        result["dpoSecondsPerStep"] = statistics.median(seconds)
        result["dpoBestSecondsPerStep"] = min(seconds)
        result["dpoTokensPerSec"] = 2 * B * T / statistics.median(seconds)
        result["dpoLosses"] = losses

    result.update({
        "tokenConvention": "lm: B*T per step; dpo: 2*B*T per step (chosen + rejected rows)",
        "torchVersion": torch.__version__,
        "threads": torch.get_num_threads(),
        "deviceKind": args.device,
        "device": torch.cuda.get_device_name(dev) if args.device == "cuda" else cpu_name(),
        "float32MatmulPrecision": torch.get_float32_matmul_precision(),
        "env": {k: os.environ.get(k) for k in (
            "OPENBLAS_CORETYPE", "OMP_WAIT_POLICY", "OPENBLAS_L2_SIZE", "OMP_NUM_THREADS",
            "OPENBLAS_NUM_THREADS", "ATEN_CPU_CAPABILITY", "ONEDNN_MAX_CPU_ISA")},
        "blas": blas_info(),
        "torchConfig": torch.__config__.show(),
        "parallelInfo": torch.__config__.parallel_info(),
        "loadAvg": os.getloadavg(),
    })
    print(json.dumps(result))
    print_summary(result)


def print_summary(d: dict) -> None:
    """A human-readable summary of the result on stderr."""
    blas = d["blas"]
    print("torch_gpt.py: torch %s on %s %s, %d threads, OpenBLAS core %s, load %s" % (
        d["torchVersion"], d["deviceKind"], d["device"], d["threads"],
        blas.get("openblasCorename", "(not OpenBLAS)"),
        " ".join("%.1f" % x for x in d["loadAvg"])), file=sys.stderr)
    for kind in ("lm", "dpo"):
        if kind + "TokensPerSec" in d:
            losses = d[kind + "Losses"]
            print("torch_gpt.py: %-3s %6.0f tokens/s (%d tokens/step, %.3f s/step, "
                  "%.3f CPU s/step), loss %.4f -> %.4f" % (
                      kind, d[kind + "TokensPerSec"], d[kind + "TokensPerStep"],
                      d[kind + "SecondsPerStep"], d[kind + "CpuSecondsPerStep"], losses[0],
                      losses[-1]), file=sys.stderr)


if __name__ == "__main__":
    main()
