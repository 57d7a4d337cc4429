#!/usr/bin/env bash
# A trace whose CRC is wrong must fail, naming the layer: the check can fail.
#   expect_failure.sh SUBBIT CONFIG TRACE_DIR WORKDIR
set -uo pipefail
subbit=$1 config=$2 src=$3 dir=$4
mkdir -p "$dir"
cp "$src"/image.bin "$src"/input.bin "$dir"/
sed 's/^\(crc [^ ]* [^ ]* \)0x[0-9a-f]*\( conv2\)$/\10xdeadbeef\2/' "$src/test.trace" > "$dir/test.trace"
out=$("$subbit" trace-run "$dir/test.trace" --config "$config" 2>&1)
rc=$?
echo "$out"
[ $rc -eq 1 ] && grep -q "CRC of 'conv2' is" <<<"$out"
