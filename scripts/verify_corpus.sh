#!/usr/bin/env bash
# Solves every model of the given corpus directories with pounce, then checks each
# solution reported optimal (solve_result_num 0) with `pounce verify`.
#
# usage: scripts/verify_corpus.sh POUNCE OUT_DIR CORPUS_DIR... [-- SOLVE_OPTION...]
#
# One model at a time, 60 s limit each (POUNCE_VERIFY_TIMEOUT overrides). Writes
# OUT_DIR/<corpus>/<model>.{log,sol,ver} and OUT_DIR/results.tsv
# (corpus, model, solve_result_num or "none", verify exit status or "-"), then prints the
# counts. Exits 1 when a solution reported optimal does not verify.
set -uo pipefail
pounce=$(realpath "$1")
out=$(realpath -m "$2")
shift 2
dirs=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do dirs+=("$(realpath "$1")"); shift; done
[ $# -gt 0 ] && shift
limit=${POUNCE_VERIFY_TIMEOUT:-60}
mkdir -p "$out"
results="$out/results.tsv"
: > "$results"
for dir in "${dirs[@]}"; do
    name=$(basename "$(dirname "$dir")")-$(basename "$dir")
    work="$out/$name"
    mkdir -p "$work"
    for nl in "$dir"/*.nl; do
        model=$(basename "$nl" .nl)
        cp "$nl" "$work/$model.nl"
        (cd "$work" && timeout "$limit" "$pounce" "$model.nl" -AMPL "$@" > "$model.log" 2>&1)
        code=none
        if [ -f "$work/$model.sol" ]; then
            code=$(awk '$1 == "objno" && NF == 3 { print $3 }' "$work/$model.sol" | tail -1)
            [ -n "$code" ] || code=unreadable
        fi
        verified=-
        if [ "$code" = 0 ]; then
            "$pounce" verify "$work/$model.nl" "$work/$model.sol" > "$work/$model.ver" 2>&1
            verified=$?
        fi
        rm -f "$work/$model.nl"
        printf '%s\t%s\t%s\t%s\n' "$name" "$model" "$code" "$verified" >> "$results"
    done
done
awk -F'\t' '
    { total++; if ($3 == "0") { opt++; if ($4 == "0") ok++; else bad = bad " " $1 "/" $2 } }
    $3 == "none" { nosol++ }
    END {
        printf "models %d, reported optimal %d, verified %d, no .sol %d\n", total, opt, ok, nosol
        if (bad != "") { print "not verified:" bad; exit 1 }
    }' "$results"
