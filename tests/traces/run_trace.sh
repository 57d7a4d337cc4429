#!/usr/bin/env bash
# Generates a network and its register-level trace, then replays the trace on the TLM model.
#   run_trace.sh SUBBIT CONFIG WORKDIR NETGEN_ARGS...
set -euo pipefail
subbit=$1 config=$2 dir=$3
shift 3
mkdir -p "$dir"
"$subbit" netgen "$@" -o "$dir/net.safetensors" >/dev/null
"$subbit" trace-gen --network "$dir/net.safetensors" --config "$config" -o "$dir" >/dev/null
"$subbit" trace-run "$dir/test.trace" --config "$config"
