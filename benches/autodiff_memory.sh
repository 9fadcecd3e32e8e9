#!/usr/bin/env bash
# Peak resident memory of `pounce eval` (values, gradient, Jacobian and Hessian at
# x0) on the ten largest CUTE corpus models, beside the ASL's peak memory for the
# same files from ../shared/reference/asl-timing-cute.tsv (asldump --time).
#
# Run from the project root after `cargo build --release`:
#     bash benches/autodiff_memory.sh
# Same run: after `bash benches/asl/build.sh`, set POUNCE_ASLDUMP=target/asl/asldump
# and the ASL column is `/usr/bin/time -f %M` of `asldump MODEL.nl` (the same
# evaluations and full JSON output as `pounce eval`), measured right after pounce.
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=../shared/corpus/cute/ampl
table=../shared/reference/asl-timing-cute.tsv
printf '%-10s %12s %12s %7s\n' model pounce_kib asl_kib ratio
for name in drcav3lq curly30 dtoc1l curly10 hager3 liswet2 liswet1 liswet10 liswet12 hues-mod; do
    pounce_kib=$( { /usr/bin/time -f %M target/release/pounce eval "$corpus/$name.nl" >/dev/null; } 2>&1 | tail -1)
    if [ -n "${POUNCE_ASLDUMP:-}" ]; then
        asl_kib=$( { /usr/bin/time -f %M "$POUNCE_ASLDUMP" "$corpus/$name.nl" >/dev/null; } 2>&1 | tail -1)
    else
        asl_kib=$(awk -F'\t' -v n="$name" '$1 == n && $2 == "ampl" { print $11 }' "$table")
    fi
    ratio=$(awk -v a="$pounce_kib" -v b="$asl_kib" 'BEGIN { printf "%.2f", a / b }')
    printf '%-10s %12s %12s %7s\n' "$name" "$pounce_kib" "$asl_kib" "$ratio"
done
