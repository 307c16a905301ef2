#!/usr/bin/env bash
# PyTorch peer of the training benchmark: installs Debian's python3-torch when it is missing,
# then runs bench/peer/torch_gpt.py (the reference configuration) with the peer's fair setup.
#
# Usage: bash bench/peer/run_peer.sh [--plain-env] [--coretype NAME] [torch_gpt.py options]
#   stdout: torch_gpt.py's JSON object (one line); stderr: the setup and a summary.
#   --plain-env      run without the fair setup (to measure what it is worth).
#   --coretype NAME  pin OpenBLAS kernel family NAME instead of Cooperlake (e.g. Haswell, the
#                    AVX2 kernels; bench/peer/compare.ts --coretype pins both sides to it).
#
# Fair setup, set only for the peer's command:
#   OPENBLAS_CORETYPE=Cooperlake  pin OpenBLAS's AVX-512 kernels instead of trusting its CPU
#                                 detection, which falls back to a generic kernel on CPUs that
#                                 0.3.21 does not know (on this project's Xeon it already picks
#                                 SkylakeX, whose sgemm is the same, so the pin costs nothing);
#   OMP_WAIT_POLICY=PASSIVE       torch's OpenMP workers sleep instead of spinning against
#                                 OpenBLAS's own threads on the 2 shared cores;
#   OPENBLAS_L2_SIZE unset        a safety override some shells here export; the peer gets
#                                 OpenBLAS's own cache model.
# Debian's interpreter is used on purpose: python3-torch is built for /usr/bin/python3, and the
# pyenv python3 on PATH does not see it.
set -euo pipefail

# The body is one function, read whole before it runs, so editing this file mid-run is safe.
main() {
  PY=/usr/bin/python3
  HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
  # libopenblas0 is only a Recommends of libtorch1.13: without it apt installs the reference
  # (netlib) BLAS, and torch's matmuls run unoptimised.
  PACKAGES=(python3-torch libopenblas0)

  fair=1
  coretype=Cooperlake
  while (($# > 0)); do
    case "$1" in
      --plain-env) fair=0; shift ;;
      --coretype)
        [[ -n "${2:-}" ]] || { echo "run_peer.sh: --coretype needs a kernel family name" >&2; exit 2; }
        coretype="$2"; shift 2 ;;
      *) break ;;
    esac
  done

  missing=()
  "$PY" -c "import torch" 2>/dev/null || missing+=(python3-torch)
  dpkg-query -W -f='${Status}' libopenblas0 2>/dev/null | grep -q "install ok installed" ||
    missing+=(libopenblas0)
  if ((${#missing[@]} > 0)); then
    if [[ "$(id -u)" != 0 ]]; then
      echo "run_peer.sh: missing ${missing[*]}; install them as root with:" >&2
      echo "  apt-get update && apt-get install -y ${PACKAGES[*]}" >&2
      exit 1
    fi
    echo "run_peer.sh: installing ${missing[*]} (apt-get)" >&2
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y "${PACKAGES[@]}" >&2; then
      apt-get update >&2
      DEBIAN_FRONTEND=noninteractive apt-get install -y "${PACKAGES[@]}" >&2
    fi
  fi

  if ((fair)); then
    setup=(env -u OPENBLAS_L2_SIZE "OPENBLAS_CORETYPE=$coretype" OMP_WAIT_POLICY=PASSIVE)
    echo "run_peer.sh: fair setup: OPENBLAS_CORETYPE=$coretype OMP_WAIT_POLICY=PASSIVE" \
      "(OPENBLAS_L2_SIZE unset)" >&2
  else
    setup=(env)
    echo "run_peer.sh: plain environment (no fair setup)" >&2
  fi

  "${setup[@]}" "$PY" "$HERE/torch_gpt.py" "$@"
}

main "$@"
