#!/usr/bin/env bash
# netgen a network, then run it on the TLM model through the driver; `subbit run` exits 1 when any
# output differs from the golden reference.
#   run_network.sh SUBBIT CONFIG WORKFILE "RUN_ARGS" NETGEN_ARGS...
set -euo pipefail
subbit=$1 config=$2 net=$3 run_args=$4
shift 4
mkdir -p "$(dirname "$net")"
"$subbit" netgen "$@" -o "$net" >/dev/null
# shellcheck disable=SC2086
"$subbit" run --config "$config" --network "$net" $run_args | tail -5
