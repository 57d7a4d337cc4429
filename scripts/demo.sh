#!/usr/bin/env bash
# The main job on a fresh machine: install what is missing, build, run a full inference on the
# default configuration and print a short report.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/build.sh >/dev/null
network=networks/lenet5_flexor0.8.safetensors
if [ ! -f "$network" ]; then
  mkdir -p build/demo
  network=build/demo/lenet5_flexor0.8.safetensors
  ./build/subbit netgen lenet5 --scheme flexor --bits 0.8 --seed 1 -o "$network" >/dev/null
fi
echo "== Network: $network"
./build/subbit inspect "$network"
echo
echo "== Golden reference on 1000 Fashion-MNIST test images"
./build/subbit golden --network "$network" --dataset fashion-mnist --images 1000
