#!/usr/bin/env bash
# The main job on a fresh machine: install what is missing, build, then run full inferences of a
# FleXOR LeNet-5 on the default accelerator configuration (TLM model, through the driver) and
# print the report: per-layer cycles, utilization, DRAM traffic, roofline, energy, area, accuracy,
# golden check; the same as an HTML page with plots, CSV and a Perfetto trace in build/demo/report/.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/build.sh >/dev/null
export SYSTEMC_DISABLE_COPYRIGHT_MESSAGE=1
network=networks/lenet5_flexor0.8.safetensors
if [ ! -f "$network" ]; then
  # No trained network shipped: a seeded synthetic one (timing is right, accuracy is chance).
  mkdir -p build/demo
  network=build/demo/lenet5_flexor0.8.safetensors
  ./build/subbit netgen lenet5 --scheme flexor --bits 0.8 --seed 1 -o "$network" >/dev/null
fi
echo "== Network: $network"
./build/subbit inspect "$network"
echo
echo "== Accelerator (configs/default.yaml), 100 Fashion-MNIST test images"
./build/subbit run --config configs/default.yaml --network "$network" --dataset fashion-mnist --images 100 --jobs 2 --report build/demo/report
