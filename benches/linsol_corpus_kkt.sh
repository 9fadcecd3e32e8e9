#!/bin/sh
# KKT matrices of the ten largest CUTE models (by n + m), written by pounce
# itself (kkt_dump_iter), then the linsol benchmark on them.
#   benches/linsol_corpus_kkt.sh [DIR]   (default DIR: target/kkt-dumps)
# Run from the repository root; needs ../shared/corpus.
set -e
dir=${1:-target/kkt-dumps}
mkdir -p "$dir"
cargo build --release --quiet
corpus=${POUNCE_CORPUS:-../shared/corpus}/cute/ampl
# model:iteration (a late iteration where the solve has one, the restoration
# phase's KKT matrix for drcav3lq, where the solve spends its time)
for mk in dtoc1l:4 liswet5:30 liswet4:30 liswet3:30 liswet2:30 liswet12:90 \
          liswet10:120 liswet1:30 drcav3lq:2 broydn3d:2; do
  m=${mk%%:*}; k=${mk##*:}
  target/release/pounce "$corpus/$m.nl" solver_selection=nlp max_iter=$((k + 1)) \
    kkt_dump_iter=$k kkt_dump_file="$dir/$m" > "$dir/$m.log" 2>&1 || true
  test -f "$dir/$m.mtx" || { echo "no KKT dump for $m (see $dir/$m.log)"; exit 1; }
done
cargo bench --bench linsol -- $(for m in dtoc1l liswet5 liswet4 liswet3 liswet2 \
  liswet12 liswet10 liswet1 drcav3lq broydn3d; do echo "$dir/$m.mtx"; done)
