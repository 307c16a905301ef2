#!/usr/bin/env bash
# Prepares, on this (CPU) machine, what bench/peer/device_run.sh needs on a GPU machine (issue #7).
# That machine has no deno and no internet, so the benchmark travels as one program:
#   .device/compare.js     bench/peer/compare.ts and everything it imports (lib/, tfjs and its
#                          webgpu/wasm backends from node_modules) as one self-contained
#                          `deno bundle`, run there with `deno run -A --no-config`;
#   .device/deno.xz        this machine's deno executable (the same 2.9 runtime), xz-compressed;
#   .device/deno.version   its `deno --version`, so an unchanged deno is not compressed again;
#   .gl/*.deb              the Vulkan/EGL loader packages (amd64) that the device README says to
#                          carry and unpack there: Deno's WebGPU reaches NVIDIA GPUs through
#                          libvulkan.so.1.
# Both folders are ignored by .gitignore; the device run names them in `carry` (limit: 64 MiB
# with the working tree). Why not `deno compile`: it downloads its base runtime (denort) from
# dl.deno.land, which this machine cannot reach; npm's @deno/linux-x64-glibc ships only `deno`,
# and a plain deno given as DENORT_BIN ignores the embedded program (it starts its REPL).
# A bundle plus the same runtime is the same program in two files.
#
# Usage: bash bench/peer/build_device.sh [--no-gl]   (from anywhere; needs deno, xz, apt-get)
#   --no-gl  skip the apt-get download of the loader packages (keep .gl/ as it is).
# WebGPU needs no flag in Deno 2.9 (navigator.gpu is stable).
set -euo pipefail

main() {
  local root
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
  cd "$root"
  local gl=1
  if [[ "${1:-}" == "--no-gl" ]]; then gl=0; fi
  mkdir -p .device /tmp/peer-device

  echo "build_device.sh: deno bundle bench/peer/compare.ts -> .device/compare.js" >&2
  deno bundle --quiet --platform deno -o /tmp/peer-device/bundle.js bench/peer/compare.ts
  # tfjs-backend-wasm's Emscripten loader reads the CommonJS __dirname/__filename (unset in an
  # ES module): define them as the bundle's own folder and file.
  {
    echo "var __dirname = import.meta.dirname, __filename = import.meta.filename;"
    cat /tmp/peer-device/bundle.js
  } >.device/compare.js
  rm /tmp/peer-device/bundle.js

  local deno version
  deno="$(readlink -f "$(command -v deno)")"
  version="$("$deno" --version | tr '\n' ' ')"
  if [[ -f .device/deno.xz && -f .device/deno.version &&
    "$(cat .device/deno.version)" == "$version" ]]; then
    echo "build_device.sh: .device/deno.xz is already $version" >&2
  else
    echo "build_device.sh: xz -T2 -9 $deno ($version) -> .device/deno.xz (about 2 minutes)" >&2
    rm -f .device/deno.version
    xz -T2 -9 -c "$deno" >.device/deno.xz.tmp
    mv .device/deno.xz.tmp .device/deno.xz
    echo "$version" >.device/deno.version
  fi

  if ((gl)); then
    # Exactly the device README's recipe (amd64 packages, whatever this machine's architecture).
    echo "build_device.sh: apt-get download of the Vulkan/EGL loaders -> .gl/" >&2
    mkdir -p .gl /tmp/amd64/partial
    local o=(-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64)
    apt-get "${o[@]}" update >&2
    (cd .gl && apt-get "${o[@]}" download libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 \
      libgles2 >&2)
  fi
  ls -l .device .gl >&2
  # What travels besides the carried folders: tracked and untracked-not-ignored files.
  local tree carried
  tree=$(git ls-files -z --cached --others --exclude-standard | xargs -0 du -cb 2>/dev/null |
    tail -1 | cut -f1)
  carried=$(du -cb .device .gl | tail -1 | cut -f1)
  echo "build_device.sh: working tree $((tree / 1048576)) MiB + .device and .gl" \
    "$((carried / 1048576)) MiB = $(((tree + carried) / 1048576)) MiB (limit 64 MiB)" >&2
}

main "$@"
