#!/usr/bin/env bash
# Issue 15's GPU check, for when a GPU machine is lent (prepared, not yet run): the LoRA
# Target-DPO step of bench/hf/compare_lora_step.ts (random Qwen2.5-Coder-0.5B shape, one pair of
# 512-token sequences, rank 16 on all seven projections) on the kit's webgpu backend against
# transformers + PEFT on torch CUDA, on the same GPU, printing the ratio. At most DEVICE_BUDGET_S
# seconds (default 540: run it with the device tool's timeout_s=600), each side under its own
# `timeout`, everything logged to $OUT/lora_step.log and each side's JSON line to $OUT.
#
# The device machine reaches no registry: the model folder (runs/bench/qwen2.5-coder-0.5b-shape,
# ~1 GB) is made there by torch_lora_step.py --make, which needs a Python with torch and peft
# (DEVICE_PYTHON, default python3); deno comes as bench/peer/build_device.sh packs it
# (.device/deno.xz, carry [".device", ".gl"]).
set -uo pipefail
cd "$(dirname "$0")/../.."
out=${OUT:-/tmp/device-lora-out}
mkdir -p "$out"
log="$out/lora_step.log"
budget=${DEVICE_BUDGET_S:-540}
start=$(date +%s)
left() { echo $(( budget - ($(date +%s) - start) )); }
python=${DEVICE_PYTHON:-python3}
deno=${DEVICE_DENO:-deno}
if [ ! -x "$(command -v "$deno")" ] && [ -f .device/deno.xz ]; then
  xz -dc .device/deno.xz > /tmp/deno && chmod +x /tmp/deno && deno=/tmp/deno
fi
folder=runs/bench/qwen2.5-coder-0.5b-shape
make=(); [ -f "$folder/config.json" ] || make=(--make)
{
  nvidia-smi -L 2>&1 || true
  "$python" -c "import torch, peft; print('torch', torch.__version__, 'cuda', torch.cuda.is_available(), 'peft', peft.__version__)"
} >>"$log" 2>&1
common=(--tokens 512 --prompt-len 64 --rank 16 --steps 3)
PYTHONPATH=bench/hf timeout "$(left)" "$python" bench/hf/torch_lora_step.py "$folder" "${common[@]}" \
  --device cuda "${make[@]}" >"$out/torch_cuda.json" 2>>"$log"
timeout "$(left)" "$deno" run -A bench/hf/kit_lora_step.ts "$folder" "${common[@]}" --backend webgpu \
  >"$out/kit_webgpu.json" 2>>"$log"
"$python" - "$out" <<'PY'
import json, sys, pathlib
out = pathlib.Path(sys.argv[1])
try:
    t, k = (json.loads(out.joinpath(f).read_text().strip().splitlines()[-1]) for f in ("torch_cuda.json", "kit_webgpu.json"))
except Exception as e:  # noqa: BLE001
    print(f"no ratio: {e}")
else:
    print(f"{t['side']}: {t['tokensPerSecond']:.1f} tok/s; {k['side']}: {k['tokensPerSecond']:.1f} tok/s; "
          f"ours/torch {k['tokensPerSecond'] / t['tokensPerSecond']:.2f}x")
PY
