#!/usr/bin/env bash
# Runs the NumPy peer of the simulator benchmark in its own virtual
# environment (benches/.venv) and prints its wall time.
#
# OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE are unset for the run alone: some
# machines set them to work around old OpenBLAS builds, and they slow a
# current NumPy. The script prints the BLAS kernel NumPy then uses.
#
# Usage: benches/run_peer.sh [--family hmm|isotropic] [--trials 200]
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
venv="$here/.venv"

if [[ ! -x "$venv/bin/python" ]]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet numpy threadpoolctl
fi

start=$(date +%s.%N)
env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$venv/bin/python" "$here/numpy_peer.py" "$@"
end=$(date +%s.%N)
echo "wall time including start-up: $(echo "$end - $start" | bc) s"
