#!/usr/bin/env bash
# Side-by-side benchmark: JuPedSim 1.4.2 (jupedsim_bench.py, copied from shared/research) and
# Agora's crowd engine (`agora bench crowd`) on the same scenario (100 m x 100 m square, 4 exits
# 5 m wide, CFSM with JuPedSim's defaults, v0 1.2 m/s, r 0.2 m, dt 0.01 s), back to back on the
# same machine. Not part of the tests. Run it on an otherwise idle machine:
#
#   benchmarks/crowd/compare.sh                 # N = 1000, 10000, 50000 (about 10 minutes)
#   AGENTS="10000" benchmarks/crowd/compare.sh  # one N
#
# The virtualenv (JuPedSim and its runtime dependencies only, ~90 MB: the wheel's visualiser
# dependencies PySide6 and VTK are skipped with --no-deps) goes to $VENV, by default
# ~/.cache/agora/jupedsim-venv. The agora binary is built with `cargo build --release -p cli`.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
venv="${VENV:-$HOME/.cache/agora/jupedsim-venv}"
agents="${AGENTS:-1000 10000 50000}"

if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --no-deps jupedsim==1.4.2
    "$venv/bin/pip" install --quiet numpy shapely deprecated wrapt
fi

# AGORA=path/to/agora uses a binary already built (e.g. the dev profile, where the workspace
# builds crowd_sim and every dependency with opt-level 3 but keeps debug assertions).
if [ -z "${AGORA:-}" ]; then
    (cd "$root" && cargo build --release --quiet -p cli)
fi
agora="${AGORA:-${CARGO_TARGET_DIR:-$root/target}/release/agora}"

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo
echo "== JuPedSim $("$venv/bin/python" -c 'import jupedsim; print(jupedsim.__version__)')"
"$venv/bin/python" "$here/jupedsim_bench.py" --n $agents --json "${JSON_OUT:-/dev/null}"
echo
echo "== agora bench crowd"
"$agora" bench crowd --agents "$(echo $agents | tr ' ' ',')"
