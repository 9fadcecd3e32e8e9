#!/usr/bin/env bash
# Builds the AMPL Solver Library (ASL) peers used by the same-run benchmarks:
#   target/asl/asldump       ../shared/tools/asldump.c (values, derivatives, --time K)
#   target/asl/aslread       benches/asl/aslread.c (reading time of the ASL alone)
#   target/asl/asldump-eval  `asldump-eval eval FILE [--point P]`, the `pounce eval`
#                            calling form, so ../shared/tools/check_eval.py can run the
#                            ASL through its --pounce argument as a sanity check
#
# The ASL is Debian's `libamplsolver-dev` (installed here if missing). Its asl.h
# (2019-07-02) has no `Sphese` member, the Hessian entry point with an error flag
# that asldump.c calls; later ASL versions put it in place of `Sphes`. The shim
# below edits a temporary copy of the headers, never the installed ones: the
# `Sphes` member becomes an anonymous union of `Sphes` and a 7-argument `Sphese`.
# Both are one function pointer at the same offset, so the layout the prebuilt
# library was compiled against is unchanged; the library's Sphes ignores the
# extra argument, which the x86-64 calling convention passes harmlessly.
#
# Run from anywhere: bash benches/asl/build.sh
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
shared="$root/../shared"
out="$root/target/asl"
incdir=/usr/include/ampl-netlib-solvers
lib=/usr/lib/x86_64-linux-gnu/libamplsolver.a

if ! dpkg-query -W -f='${Status}' libamplsolver-dev 2>/dev/null | grep -q 'install ok installed'; then
    echo "installing libamplsolver-dev" >&2
    sudo_cmd=()
    [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
    "${sudo_cmd[@]}" apt-get install -y libamplsolver-dev >&2
fi
[ -f "$incdir/asl.h" ] && [ -f "$lib" ] || { echo "ASL headers or library missing" >&2; exit 1; }

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cp "$incdir"/*.h "$tmp"/
if ! grep -q 'Sphese' "$tmp/asl.h"; then
    sed -i 's|^\([[:space:]]*\)void (\*Sphes)[[:space:]]*(ASL\*, SputInfo\*\*, real \*H, int nobj, real \*ow, real \*y);|\1union { void (*Sphes)(ASL*, SputInfo**, real *H, int nobj, real *ow, real *y); void (*Sphese)(ASL*, SputInfo**, real *H, int nobj, real *ow, real *y, fint *nerror); };|' "$tmp/asl.h"
    grep -q 'void (\*Sphese)' "$tmp/asl.h" || { echo "asl.h shim did not apply" >&2; exit 1; }
fi

mkdir -p "$out"
cc -O2 -I"$tmp" "$shared/tools/asldump.c" "$lib" -lm -ldl -o "$out/asldump"
cc -O2 -Wall -I"$tmp" "$root/benches/asl/aslread.c" "$lib" -lm -ldl -o "$out/aslread"
cat > "$out/asldump-eval" <<'WRAP'
#!/bin/sh
# `asldump-eval eval FILE [--point P]`: asldump in the calling form of `pounce eval`.
[ "$1" = eval ] && shift
exec "$(dirname "$0")/asldump" "$@"
WRAP
chmod +x "$out/asldump-eval"
echo "built $out/asldump, $out/aslread, $out/asldump-eval" \
    "(libamplsolver-dev $(dpkg-query -W -f='${Version}' libamplsolver-dev))" >&2
