#!/usr/bin/env bash
# subbit sweep (docs/sweep.md): a grid of points, each a `subbit run --json` in a child process.
#   grid:     configs/default.yaml × buffers.weight_kib [32, 64] × generated lenet5 [int8, flexor0.8] = 4
#             points with -j 2: results.csv and results.json hold 4 ok rows in id order, each with the cycles
#             and energy of a direct `subbit run --json` of the point's config.yaml and network; the override
#             is in config.yaml; pareto.html renders in headless Chromium (when installed) with nothing on
#             the console. Two trained networks with their training reports: the reports' accuracy in the
#             table, a label with a comma and quotes, the accuracy plots drawn.
#   resume:   run; delete one result.json; run again: only that point runs, 3 are skipped, and the tables
#             are byte-identical to the first run's; a third run runs nothing; a changed spec (run.seed)
#             reruns every point; SIGTERM in the middle of a run leaves no temporary files and a rerun
#             completes the same tables.
#   slurm:    --slurm writes sweep.slurm (array 0-3, each task `sweep ... --point $SLURM_ARRAY_TASK_ID`),
#             merge.slurm and submit.sh, generates the networks and points and runs nothing; running each
#             array task by hand and then merge.slurm gives the table of a local run; --merge names a
#             missing point; submit.sh (with a fake sbatch) queues the merge after the array.
#   bad-spec: broken sweep files and options are refused with file:line, the field and what was expected,
#             exit status 1, nothing on stdout and no output folder; an invalid grid value is a failed
#             point with the config loader's message.
#   sweep.sh SUBBIT ROOT CHECK
set -euo pipefail
subbit=$1 root=$2 check=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
write_spec() {  # write_spec FILE [extra YAML appended]
  cat > "$1" <<EOF
name: accept
configs: [$root/configs/default.yaml]
grid:
  buffers.weight_kib: [32, 64]
networks:
  - generate: lenet5
    schemes: [int8, flexor0.8]
${2:-}
EOF
}
sweep() { "$subbit" sweep "$@"; }

case "$check" in
  grid)
    write_spec "$tmp/s.yaml"
    sweep "$tmp/s.yaml" -o "$tmp/out" -j 2 > "$tmp/stdout" 2> "$tmp/stderr" || fail "sweep failed: $(cat "$tmp/stderr")"
    grep -q "4 points (4 run" "$tmp/stdout" || fail "summary: $(cat "$tmp/stdout")"
    python3 - "$tmp/out" <<'PY' || fail "tables"
import csv, json, sys
d = sys.argv[1]
rows = list(csv.DictReader(open(d + "/results.csv")))
assert [r["id"] for r in rows] == ["0000", "0001", "0002", "0003"], rows
assert all(r["status"] == "ok" and r["error"] == "" for r in rows), rows
assert [r["buffers.weight_kib"] for r in rows] == ["32", "32", "64", "64"]
assert [r["scheme"] for r in rows] == ["int8", "flexor0.8"] * 2
assert [r["bits_per_weight"] for r in rows] == ["8.0", "0.8"] * 2, [r["bits_per_weight"] for r in rows]
assert all(r["config"] == "edge-16x16" and r["model"] == "lenet5" for r in rows)
assert any(r["pareto_energy_latency"] == "true" for r in rows)
j = json.load(open(d + "/results.json"))
assert j["sweep"]["name"] == "accept" and len(j["points"]) == 4
for r, p in zip(rows, j["points"]):
    assert int(r["cycles"]) == p["cycles"] and float(r["energy_uj"]) == p["energy_uj"], (r, p)
PY
    grep -q '^  weight_kib: 32$' "$tmp/out/points/0000/config.yaml" || fail "0000/config.yaml lacks the override"
    grep -q '^  weight_kib: 64$' "$tmp/out/points/0003/config.yaml" || fail "0003/config.yaml lacks the override"
    for id in 0000 0003; do
      net=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["spec"]["network"]["file"])' "$tmp/out/points/$id/point.json")
      "$subbit" run --json --config "$tmp/out/points/$id/config.yaml" --network "$net" > "$tmp/direct.json"
      python3 - "$tmp/direct.json" "$tmp/out/points/$id/result.json" "$tmp/out/results.json" "$id" <<'PY' || fail "point $id differs from a direct run"
import json, sys
direct, result, table = (json.load(open(p)) for p in sys.argv[1:4])
rec = [p for p in table["points"] if p["id"] == sys.argv[4]][0]
assert direct["cycles"] == result["cycles"] == rec["cycles"], (direct["cycles"], result["cycles"], rec["cycles"])
assert direct["energy"]["per_inference_uj"] == rec["energy_uj"]
PY
    done
    [ "$(grep -c '"cycles"' "$tmp/out/points/0000/result.json")" -ge 1 ] || fail "result.json"
    if command -v chromium > /dev/null || fail "chromium is missing (scripts/install-deps.sh installs it)"; then
      mkdir -p "$tmp/profile"
      timeout 120 chromium --headless=new --no-sandbox --disable-gpu --no-first-run --user-data-dir="$tmp/profile" --enable-logging=stderr --v=0 \
        --window-size=1280,3000 --dump-dom "file://$tmp/out/pareto.html" > "$tmp/dom.html" 2> "$tmp/chromium.log" || fail "chromium: $(tail -5 "$tmp/chromium.log")"
      grep -q 'data-status="ok" class="note">charts drawn: energy_latency:4 area_latency:4' "$tmp/dom.html" || fail "pareto.html did not render: $(grep -o '<div id="status"[^<]*' "$tmp/dom.html")"
      ! grep CONSOLE "$tmp/chromium.log" || fail "pareto.html logged to the console"
    fi
    # Trained networks with their training reports: the report's accuracy, and the accuracy plots.
    cat > "$tmp/t.yaml" <<EOF
configs: [$root/configs/default.yaml]
networks:
  - file: $root/networks/lenet5_binary.safetensors
    accuracy: $root/networks/lenet5_binary.json
  - file: $root/networks/lenet5_flexor0.8.safetensors
    label: flexor, 0.8 "trained"
    accuracy: $root/networks/lenet5_flexor0.8.json
EOF
    sweep "$tmp/t.yaml" -o "$tmp/t" -j 2 > /dev/null 2> "$tmp/stderr" || fail "trained sweep: $(cat "$tmp/stderr")"
    python3 - "$tmp/t" "$root/networks" <<'PY' || fail "trained sweep tables"
import csv, json, sys
rows = list(csv.DictReader(open(sys.argv[1] + "/results.csv")))
want = [json.load(open(sys.argv[2] + "/lenet5_" + s + ".json"))["pytorch_integer_accuracy"] for s in ("binary", "flexor0.8")]
assert [float(r["accuracy"]) for r in rows] == want, rows
assert [r["network"] for r in rows] == ["lenet5_binary", 'flexor, 0.8 "trained"'] and [r["scheme"] for r in rows] == ["binary", "flexor0.8"], rows
assert all(r["status"] == "ok" and r["pareto_accuracy_energy"] == "true" for r in rows), rows  # binary: more accurate; flexor: less energy
PY
    if command -v chromium > /dev/null || fail "chromium is missing (scripts/install-deps.sh installs it)"; then
      timeout 120 chromium --headless=new --no-sandbox --disable-gpu --no-first-run --user-data-dir="$tmp/profile" --enable-logging=stderr --v=0 \
        --window-size=1280,3000 --dump-dom "file://$tmp/t/pareto.html" > "$tmp/dom.html" 2> "$tmp/chromium.log" || fail "chromium: $(tail -5 "$tmp/chromium.log")"
      grep -q 'data-status="ok" class="note">charts drawn: energy_latency:2 area_latency:2 accuracy_energy:2 accuracy_latency:2' "$tmp/dom.html" ||
        fail "trained pareto.html did not render: $(grep -o '<div id="status"[^<]*' "$tmp/dom.html")"
      ! grep CONSOLE "$tmp/chromium.log" || fail "trained pareto.html logged to the console"
    fi
    ;;
  resume)
    write_spec "$tmp/s.yaml"
    sweep "$tmp/s.yaml" -o "$tmp/out" -j 2 > /dev/null 2>&1 || fail "first run"
    cp "$tmp/out/results.csv" "$tmp/first.csv"
    cp "$tmp/out/results.json" "$tmp/first.json"
    rm "$tmp/out/points/0002/result.json"
    sweep "$tmp/s.yaml" -o "$tmp/out" -j 2 > "$tmp/stdout" 2> "$tmp/stderr" || fail "second run: $(cat "$tmp/stderr")"
    grep -q "4 points; 3 already done (skipped), 1 to run" "$tmp/stderr" || fail "second run: $(cat "$tmp/stderr")"
    [ "$(grep -c '\] point ' "$tmp/stderr")" = 1 ] && grep -q '\[1/1\] point 0002 ok' "$tmp/stderr" || fail "second run ran: $(cat "$tmp/stderr")"
    cmp "$tmp/first.csv" "$tmp/out/results.csv" || fail "results.csv changed"
    cmp "$tmp/first.json" "$tmp/out/results.json" || fail "results.json changed"
    sweep "$tmp/s.yaml" -o "$tmp/out" > /dev/null 2> "$tmp/stderr" || fail "third run"
    grep -q "4 already done (skipped), 0 to run" "$tmp/stderr" || fail "third run: $(cat "$tmp/stderr")"
    # A changed spec reruns its points.
    write_spec "$tmp/s.yaml" $'run:\n  seed: 2'
    sweep "$tmp/s.yaml" -o "$tmp/out" -j 2 > /dev/null 2> "$tmp/stderr" || fail "changed spec"
    grep -q "0 already done (skipped), 4 to run" "$tmp/stderr" || fail "changed spec: $(cat "$tmp/stderr")"
    # Interrupted (SIGTERM to the sweep): children stopped, no temporary files; the rerun completes.
    write_spec "$tmp/s.yaml"
    "$subbit" sweep "$tmp/s.yaml" -o "$tmp/int" -j 1 > /dev/null 2> "$tmp/int.err" &
    pid=$!
    for _ in $(seq 500); do  # until the first point has finished: the sweep is running points
      ! ls "$tmp"/int/points/*/result.json > /dev/null 2>&1 || break
      sleep 0.02
    done
    kill -TERM $pid 2> /dev/null || true
    rc=0
    wait $pid || rc=$?
    [ $rc = 0 ] || [ $rc = 130 ] || fail "interrupted sweep exited with $rc"
    ! find "$tmp/int" -name '*.tmp*' | grep . || fail "temporary files left"
    for f in "$tmp"/int/points/*/result.json; do [ -e "$f" ] || continue; python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$f" || fail "$f half-written"; done
    sweep "$tmp/s.yaml" -o "$tmp/int" -j 2 > /dev/null 2>&1 || fail "rerun after interruption"
    cmp "$tmp/first.csv" "$tmp/int/results.csv" || fail "results.csv after interruption differs"
    ;;
  slurm)
    write_spec "$tmp/s.yaml"
    sweep "$tmp/s.yaml" -o "$tmp/sl" --slurm > "$tmp/stdout" 2>&1 || fail "--slurm: $(cat "$tmp/stdout")"
    for f in sweep.slurm merge.slurm submit.sh; do [ -x "$tmp/sl/$f" ] || fail "$f not written"; done
    grep -qx '#SBATCH --array=0-3' "$tmp/sl/sweep.slurm" || fail "array range: $(cat "$tmp/sl/sweep.slurm")"
    exe=$(readlink -f "$subbit")
    grep -qxF "exec '$exe' sweep '$tmp/s.yaml' -o '$tmp/sl' --point \"\$SLURM_ARRAY_TASK_ID\"" "$tmp/sl/sweep.slurm" || fail "array command: $(cat "$tmp/sl/sweep.slurm")"
    grep -qxF "exec '$exe' sweep '$tmp/s.yaml' -o '$tmp/sl' --merge" "$tmp/sl/merge.slurm" || fail "merge command: $(cat "$tmp/sl/merge.slurm")"
    [ -s "$tmp/sl/networks/lenet5_flexor0.8.safetensors" ] && [ -s "$tmp/sl/points/0003/config.yaml" ] || fail "networks or points not prepared"
    ! ls "$tmp"/sl/points/*/result.json 2> /dev/null || fail "--slurm ran points"
    # The cluster, simulated: every array task, then the merge job.
    for k in 0 1 2 3; do SLURM_ARRAY_TASK_ID=$k bash "$tmp/sl/sweep.slurm" > /dev/null 2>&1 || fail "array task $k"; done
    SLURM_ARRAY_TASK_ID=2 bash "$tmp/sl/sweep.slurm" 2>&1 | grep -q "point 0002 already done, skipped" || fail "a rerun task is not skipped"
    bash "$tmp/sl/merge.slurm" > /dev/null 2>&1 || fail "merge job"
    sweep "$tmp/s.yaml" -o "$tmp/local" -j 2 > /dev/null 2>&1 || fail "local run"
    cmp "$tmp/sl/results.csv" "$tmp/local/results.csv" || fail "merged table differs from a local run's"
    # A missing point is named by --merge and listed as missing.
    rm "$tmp/sl/points/0001/result.json"
    sweep "$tmp/s.yaml" -o "$tmp/sl" --merge > /dev/null 2> "$tmp/stderr" || fail "--merge with a missing point"
    grep -q "1 points missing (no result of the current spec): 0001" "$tmp/stderr" || fail "--merge: $(cat "$tmp/stderr")"
    grep -q '^0001,.*,missing,$' "$tmp/sl/results.csv" || fail "0001 not missing in the table"
    # submit.sh with a fake sbatch: the merge depends on the array's job id.
    mkdir -p "$tmp/bin"
    cat > "$tmp/bin/sbatch" <<EOF
#!/bin/sh
echo "\$*" >> "$tmp/sbatch.log"
n=\$(wc -l < "$tmp/sbatch.log")
[ "\$n" = 1 ] && echo "4242;cluster" || echo 4243
EOF
    chmod +x "$tmp/bin/sbatch"
    PATH="$tmp/bin:$PATH" sh "$tmp/sl/submit.sh" > "$tmp/stdout" || fail "submit.sh"
    [ "$(sed -n 1p "$tmp/sbatch.log")" = "--parsable sweep.slurm" ] || fail "sbatch 1: $(cat "$tmp/sbatch.log")"
    [ "$(sed -n 2p "$tmp/sbatch.log")" = "--parsable --dependency=afterany:4242 merge.slurm" ] || fail "sbatch 2: $(cat "$tmp/sbatch.log")"
    ;;
  bad-spec)
    expect() {  # expect MESSAGE -- ARGS...: refused with MESSAGE on stderr, nothing on stdout, no output folder
      local want=$1
      shift 2
      rm -rf "$tmp/o"
      local rc=0
      "$subbit" sweep "$@" > "$tmp/stdout" 2> "$tmp/stderr" || rc=$?
      [ $rc = 1 ] || fail "exit status $rc for: $want"
      grep -qF -- "$want" "$tmp/stderr" || fail "expected: $want; got: $(cat "$tmp/stderr")"
      [ ! -s "$tmp/stdout" ] || fail "output on stdout for: $want"
      [ ! -e "$tmp/o" ] || fail "output folder written for: $want"
    }
    write_spec "$tmp/ok.yaml"
    write_spec "$tmp/b1.yaml" "colour: red"
    expect "b1.yaml:8: field 'colour': unknown key (expected one of: name, configs, grid, networks, run)" -- "$tmp/b1.yaml" -o "$tmp/o"
    printf 'configs: [nope.yaml]\nnetworks:\n  - generate: lenet5\n    schemes: [int8]\n' > "$tmp/b2.yaml"
    expect "b2.yaml:1: field 'configs[0]': expected an architecture config file (YAML), got \"nope.yaml\" (no such file: $tmp/nope.yaml)" -- "$tmp/b2.yaml" -o "$tmp/o"
    printf 'configs: [%s]\nnetworks: []\n' "$root/configs/default.yaml" > "$tmp/b3.yaml"
    expect "b3.yaml:2: field 'networks': expected a non-empty list of networks (each file: or generate:), got an empty list" -- "$tmp/b3.yaml" -o "$tmp/o"
    printf 'configs: [%s]\nnetworks:\n  - generate: lenet5\n    schemes: [int8, flexor0.33]\n' "$root/configs/default.yaml" > "$tmp/b4.yaml"
    expect "b4.yaml:4: field 'networks[0].schemes': expected a weight scheme (int8, binary, bcqN, uniformN, ternary, signed_binary, flexorB)" -- "$tmp/b4.yaml" -o "$tmp/o"
    printf 'configs: [%s]\nnetworks:\n  - generate: alexnet\n    schemes: [int8]\n' "$root/configs/default.yaml" > "$tmp/b5.yaml"
    expect "b5.yaml:3: field 'networks[0].generate': expected a netgen model (one of lenet5, resnet20, resnet18, mlp, ffn, fc), got \"alexnet\"" -- "$tmp/b5.yaml" -o "$tmp/o"
    printf 'configs: [%s]\ngrid:\n  pe_array.rowz: [8]\nnetworks:\n  - generate: lenet5\n    schemes: [int8]\n' "$root/configs/default.yaml" > "$tmp/b6.yaml"
    expect "b6.yaml:3: field 'grid.pe_array.rowz': expected an architecture config field (docs/config.md)" -- "$tmp/b6.yaml" -o "$tmp/o"
    grep -qF "did you mean 'rows'?" "$tmp/stderr" || fail "no suggestion: $(cat "$tmp/stderr")"
    printf 'configs: [%s]\nnetworks:\n  - file: %s\n    accuracy: %s\n' "$root/configs/default.yaml" "$root/networks/lenet5_binary.safetensors" "$root/configs/default.yaml" > "$tmp/b7.yaml"
    expect "b7.yaml:4: field 'networks[0].accuracy': expected a training report (JSON)" -- "$tmp/b7.yaml" -o "$tmp/o"
    expect "$tmp/missing.yaml: no such file, expected a sweep file (YAML)" -- "$tmp/missing.yaml" -o "$tmp/o"
    expect "sweep --jobs: expected a number of processes from 1 to 4096, got '0'" -- "$tmp/ok.yaml" -o "$tmp/o" -j 0
    expect "sweep --jobs: expected a number of processes from 1 to 4096, got 'x'" -- "$tmp/ok.yaml" -o "$tmp/o" --jobs x
    # --point out of range: refused before anything is written.
    expect "sweep --point: expected a point index from 0 to 3, got '4'" -- "$tmp/ok.yaml" -o "$tmp/o" --point 4
    # An invalid value of a real field: a failed point with the loader's message, the others run.
    printf 'configs: [%s]\ngrid:\n  pe_array.rows: [8, 300]\nnetworks:\n  - generate: lenet5\n    schemes: [int8]\n' "$root/configs/default.yaml" > "$tmp/inv.yaml"
    rc=0
    sweep "$tmp/inv.yaml" -o "$tmp/inv" -j 2 > /dev/null 2> "$tmp/stderr" || rc=$?
    [ $rc = 1 ] || fail "a failed point: exit status $rc"
    grep -q "points not ok: 0001" "$tmp/stderr" || fail "failed point not named: $(cat "$tmp/stderr")"
    grep -q "^0000,.*,ok,$" "$tmp/inv/results.csv" || fail "0000 not ok"
    grep -qF "0001,edge-16x16,300,lenet5 int8,lenet5,int8,8.0,,,,,,,,,,,,,false,false,false,false,failed,\"subbit: error: $tmp/inv/points/0001/config.yaml:5: field 'pe_array.rows': expected a positive integer ≤ 256, got \"\"300\"\"\"" "$tmp/inv/results.csv" ||
      fail "0001: $(cat "$tmp/inv/results.csv")"
    grep -qF "points/0001/config.yaml:" "$tmp/inv/points/0001/error.txt" || fail "error.txt: $(cat "$tmp/inv/points/0001/error.txt")"
    ;;
  *) fail "unknown check $check" ;;
esac
echo "ok: $check"
