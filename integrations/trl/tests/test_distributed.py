"""Two CPU processes with DDP train 10 steps through the CLI, and their loss curve equals a
one-process run with the same global batch within 1e-4: DDP averages the two processes' gradients
and TRL gathers their losses.

The processes are started by `torch.distributed.run` (gloo; the Trainer's accelerate runs the DDP):
`accelerate launch --cpu --num_processes 2` starts several CPU processes only through MPI, which
these machines lack; without it, it silently runs one."""

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import record, tiny_model, tokenizer

PKG = Path(__file__).resolve().parents[1]


def _data(path: Path) -> Path:
    # Four pairs of equal lengths: every step's global batch is all of them (in either launch, in
    # any order), two per process under DDP, so the curves must agree.
    rows = []
    for i in range(1, 5):
        rej = f"    y = x * {i}\n    return y - 1\n"
        cho = f"    y = x * {i}\n    return y + 1\n"
        line = (rej.index("    return"), len(rej))
        rows.append(record(f"def f{i}(x):\n", cho, rej, [line]))
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def _losses(out: Path) -> list[float]:
    return [h["loss"] for h in json.loads((out / "log_history.json").read_text()) if "loss" in h]


def test_two_cpu_processes_match_one(tmp_path):
    model_dir = tmp_path / "model"
    tiny_model().save_pretrained(model_dir)
    tokenizer("qwen2").save_pretrained(model_dir)
    data = _data(tmp_path / "pairs.jsonl")
    common = ["--data", str(data), "--model", str(model_dir), "--variant", "target-rpo", "--max-steps", "10",
              "--lr", "1e-3", "--grad-accum", "1", "--max-length", "256", "--warmup-ratio", "0", "--cpu", "--seed", "3"]
    env = {**os.environ, "PYTHONPATH": str(PKG), "OMP_NUM_THREADS": "1", "TOKENIZERS_PARALLELISM": "false"}
    one, two = tmp_path / "one", tmp_path / "two"
    r = subprocess.run([sys.executable, "-m", "target_dpo_trl.train", *common, "--batch-size", "4", "--out", str(one)],
                       env=env, capture_output=True, text=True, cwd=PKG)
    assert r.returncode == 0, r.stderr[-3000:]
    r = subprocess.run([sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2",
                        "-m", "target_dpo_trl.train", *common, "--batch-size", "2", "--out", str(two)],
                       env=env, capture_output=True, text=True, cwd=PKG)
    assert r.returncode == 0, r.stderr[-3000:]
    assert "process 2 of 2" in r.stderr, "two processes ran"
    a, b = _losses(one), _losses(two)
    assert len(a) == len(b) == 10
    assert max(abs(x - y) for x, y in zip(a, b)) < 1e-4, "\n".join(f"{x:.6f} {y:.6f}" for x, y in zip(a, b))
    assert a[-1] < a[0], "the loss goes down"
