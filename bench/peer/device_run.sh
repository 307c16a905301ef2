#!/usr/bin/env bash
# Issue #7 on a GPU machine: the kit's webgpu backend (Deno's WebGPU -> Vulkan -> the NVIDIA
# driver) against PyTorch, with bench/peer/compare.ts, as ONE device command of at most
# DEVICE_BUDGET_S seconds (default 450: run it with the device tool's timeout_s=480).
#
# Prepared here by bench/peer/build_device.sh (.device/deno.xz, .device/compare.js, .gl/*.deb;
# the machine has no deno and no internet); the device command, in the copied working tree's root:
#   bash bench/peer/device_run.sh        with carry [".device", ".gl"]
#
# Steps, each under its own `timeout` cut to what is left of the budget, so one hang cannot eat
# it; everything is logged to $OUT/run.log and each comparison's stdout (table + --json line)
# to its own file in $OUT (as it comes, so a killed run still returns what it printed):
#   setup   unpack .gl/*.deb into / + ldconfig (the Vulkan/EGL loaders), unpack the deno runtime,
#           nvidia-smi -L, the python3 torch's CUDA device;
#   probe   compare.ts --backend webgpu --adapter-only (seconds): if no adapter, or only a
#           CPU fallback, set VK_DRIVER_FILES / __EGL_VENDOR_LIBRARY_FILENAMES to the NVIDIA
#           files under /usr/local/nvidia (the device README's recipe) and probe again; if
#           that fails too, torch_gpt.py --device cuda runs alone ($OUT/torch_cuda.json);
#   lm      ours webgpu vs torch cuda, --only lm  (ours: 1 warm-up + 4 timed steps);
#   dpo     ours webgpu vs torch cuda, --only dpo, --dpo-micro 1 (the whole 32-row batch);
#   cpu     ours webgpu vs torch on the CPU with 2 threads (the issue's reference peer, with
#           the fair setup), --only both, when enough budget is left.
#
# Environment (all optional):
#   DEVICE_DRY=1        local dry run of this script: no dpkg/ldconfig/nvidia-smi, the peer on
#                       the CPU with /usr/bin/python3, OUT=/tmp/device-dry-out unless set;
#   DEVICE_BUDGET_S     total seconds for all steps (default 450);
#   DEVICE_STEPS / DEVICE_WARMUP         ours' timed / warm-up steps (default 4 / 1);
#   DEVICE_TORCH_STEPS / DEVICE_TORCH_WARMUP  the peer's (default 10 / 3);
#   DEVICE_BACKEND      ours' backend (default webgpu); DEVICE_ONLY_STEPS: which of
#                       "lm dpo cpu" to run (default all three).
set -uo pipefail

main() {
  local start
  start=$(date +%s)
  local dry=${DEVICE_DRY:-0}
  local budget=${DEVICE_BUDGET_S:-450}
  local steps=${DEVICE_STEPS:-4} warmup=${DEVICE_WARMUP:-1}
  local tsteps=${DEVICE_TORCH_STEPS:-10} twarmup=${DEVICE_TORCH_WARMUP:-3}
  local backend=${DEVICE_BACKEND:-webgpu}
  local which=${DEVICE_ONLY_STEPS-"lm dpo cpu"}
  local python=python3 gpu_peer=cuda
  if [[ "$dry" == 1 ]]; then
    python=/usr/bin/python3
    gpu_peer=cpu
    OUT=${OUT:-/tmp/device-dry-out}
  fi
  if [[ -z "${OUT:-}" ]]; then
    echo "device_run.sh: OUT is not set (the device tool sets it; locally use DEVICE_DRY=1)" >&2
    exit 2
  fi
  mkdir -p "$OUT"
  LOG="$OUT/run.log"
  : >"$LOG"
  cd "$(dirname "${BASH_SOURCE[0]}")/../.." || exit 2

  log() { echo "[$(date -u +%H:%M:%S) +$(($(date +%s) - start))s] $*" | tee -a "$LOG" >&2; }

  # ---- setup
  log "setup: dry=$dry budget=${budget}s backend=$backend steps=$steps+$warmup torch=$tsteps+$twarmup"
  if [[ "$dry" != 1 ]]; then
    for f in .gl/*.deb; do dpkg -x "$f" /; done
    ldconfig
    ldconfig -p | grep -E "libvulkan|libEGL" | tee -a "$LOG" >&2
  fi
  local deno=/tmp/peer-deno/deno
  mkdir -p "$(dirname "$deno")"
  # xz, or Python's lzma where the image has no xz.
  if ! { if command -v xz >/dev/null; then xz -dc .device/deno.xz; else "$python" -c \
    "import lzma, shutil, sys; shutil.copyfileobj(lzma.open('.device/deno.xz'), sys.stdout.buffer)"; \
    fi; } >"$deno"; then
    log "FATAL: cannot unpack .device/deno.xz (was .device carried? run build_device.sh here)"
    exit 3
  fi
  chmod +x "$deno"
  [[ -f .device/compare.js ]] || { log "FATAL: no .device/compare.js"; exit 3; }
  log "$("$deno" --version | head -1); compare.js $(wc -c <.device/compare.js) bytes"
  # Deno's WebGPU warns on every start without it.
  export XDG_RUNTIME_DIR=/tmp/peer-xdg
  mkdir -p "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
  export DENO_DIR=/tmp/peer-deno/cache NO_COLOR=1 PYTHONUNBUFFERED=1
  if [[ "$dry" != 1 ]]; then
    nvidia-smi -L 2>&1 | tee -a "$LOG" >&2
    nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm --format=csv 2>&1 |
      tee -a "$LOG" >&2
  fi
  timeout 60 "$python" -c "import torch; print('python3 torch', torch.__version__, \
'cuda', torch.cuda.is_available(), torch.cuda.get_device_name(0) if torch.cuda.is_available() \
else '-')" 2>&1 | tee -a "$LOG" >&2

  # Remaining seconds of the budget, and a step's timeout: min(cap, remaining - 5).
  left() { echo $((budget - ($(date +%s) - start))); }
  cap() { local l; l=$(left); echo $(($1 < l - 5 ? $1 : l - 5)); }

  # ---- probe: is the NVIDIA Vulkan driver found?
  local run=("$deno" run -A --no-config --no-lock .device/compare.js)
  probe() {
    timeout -k 5 60 "${run[@]}" --backend webgpu --adapter-only >"$OUT/probe.json" 2>>"$LOG"
    local rc=$?
    cat "$OUT/probe.json" | tee -a "$LOG" >&2
    ((rc == 0)) && ! grep -q '"isFallbackAdapter":true' "$OUT/probe.json"
  }
  if [[ "$backend" == webgpu ]]; then
    log "probe: webgpu adapter"
    if ! probe && [[ "$dry" != 1 ]]; then
      local icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
      local egl=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
      log "probe: no GPU adapter; ICD files: $(ls /usr/share/vulkan/icd.d /etc/vulkan/icd.d \
        /usr/local/nvidia/share/vulkan/icd.d 2>&1 | tr '\n' ' ')"
      [[ -f "$icd" ]] && export VK_DRIVER_FILES="$icd"
      [[ -f "$egl" ]] && export __EGL_VENDOR_LIBRARY_FILENAMES="$egl"
      log "probe again with VK_DRIVER_FILES=${VK_DRIVER_FILES:-} " \
        "__EGL_VENDOR_LIBRARY_FILENAMES=${__EGL_VENDOR_LIBRARY_FILENAMES:-}"
      if ! probe; then
        log "probe: still no GPU adapter; nvidia libraries: $(ldconfig -p | grep -cE \
          'libnvidia|libGLX_nvidia|libEGL_nvidia') ($(ldconfig -p | grep -oE \
          'lib(GLX|EGL)_nvidia[^ ]*' | sort -u | tr '\n' ' '))"
        # The peer's GPU numbers at least (the comparisons below then fail in seconds).
        log "torch_cuda: torch_gpt.py --device cuda alone (timeout $(cap 120)s)"
        timeout -k 5 "$(cap 120)" "$python" bench/peer/torch_gpt.py --device "$gpu_peer" \
          --steps "$tsteps" --warmup "$twarmup" >"$OUT/torch_cuda.json" 2> >(tee -a "$LOG" >&2)
      fi
    fi
  fi

  # ---- the comparisons
  local common=(--backend "$backend" --steps "$steps" --warmup "$warmup"
    --torch-steps "$tsteps" --torch-warmup "$twarmup" --peer-python "$python"
    --peer-script bench/peer/torch_gpt.py --json)
  compare() { # name cap(seconds) [compare.ts options]
    local name=$1 t
    t=$(cap "$2")
    shift 2
    if ((t < 30)); then
      log "$name: skipped, ${t}s of the budget left"
      return
    fi
    log "$name: start (timeout ${t}s): compare.js ${common[*]} $*"
    timeout -k 10 "$t" "${run[@]}" "${common[@]}" "$@" 2>&1 >"$OUT/$name.out" | tee -a "$LOG" >&2
    local rc=${PIPESTATUS[0]}
    grep -v '^{' "$OUT/$name.out" | tee -a "$LOG"
    log "$name: exit $rc$( ((rc == 124 || rc == 137)) && echo ' (timed out)')"
  }
  for s in $which; do
    case "$s" in
      lm) compare lm 170 --only lm --peer-device "$gpu_peer" ;;
      dpo) compare dpo 170 --only dpo --dpo-micro 1 --peer-device "$gpu_peer" ;;
      cpu) compare cpu 200 --only both --dpo-micro 1 --peer-device cpu ;;
      *) log "unknown step $s (expected lm, dpo, cpu)" ;;
    esac
  done
  log "done; files in $OUT: $(ls "$OUT" | tr '\n' ' ')"
}

main "$@"
