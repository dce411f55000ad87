#!/usr/bin/env bash
# Compares the criterion benchmarks of two commits in one run.
#
#   bash scripts/bench-ab.sh BASE_REV [ROUNDS] [BENCH...]
#
# Builds the benches of BASE_REV (in a temporary worktree, its own target
# dir under target/bench-ab) and of the working tree, then runs each bench
# binary alternately — base, new, base, new… — ROUNDS times (default 2), and
# prints, for every benchmark, the median of its per-round medians on each
# side and new/base (the sides alternate, so a machine that slows down for a
# while moves both alike), the best round's new/base, and each side's ratio
# to `engine/baseline/sum_1m` of the same round. Benches default to all four.
set -euo pipefail
cd "$(dirname "$0")/.."
base="${1:?usage: bench-ab.sh BASE_REV [ROUNDS] [BENCH...]}"
rounds="${2:-2}"
shift $(( $# >= 2 ? 2 : 1 ))
benches=("$@")
[ ${#benches[@]} -gt 0 ] || benches=(engine whatif tax ffi)
# engine holds the baseline: run it in every case.
case " ${benches[*]} " in *" engine "*) ;; *) benches=(engine "${benches[@]}") ;; esac

out=target/bench-ab
mkdir -p "$out"
wt="$out/base-tree"
if [ ! -d "$wt" ]; then git worktree add --detach "$wt" "$base" >/dev/null; fi
git -C "$wt" checkout -q --detach "$base"

bin_of() { # dir bench -> path of the bench executable
  (cd "$1" && CARGO_TARGET_DIR="$2" cargo bench --no-run --bench "$3" --message-format=json 2>/dev/null) |
    python3 -c 'import json,sys
for l in sys.stdin:
    m=json.loads(l)
    if m.get("reason")=="compiler-artifact" and m.get("executable") and "bench" in m["target"]["kind"]: print(m["executable"])' | tail -1
}

declare -A exe
for b in "${benches[@]}"; do
  echo "== building $b (base $base, new)" >&2
  exe["base:$b"]=$(bin_of "$wt" "$PWD/$out/base-target" "$b")
  exe["new:$b"]=$(bin_of "." "$PWD/target" "$b")
done

raw="$out/raw.tsv"
: >"$raw"
for r in $(seq 1 "$rounds"); do
  for b in "${benches[@]}"; do
    for side in base new; do
      echo "== round $r: $b ($side)" >&2
      dir=.; [ "$side" = base ] && dir="$wt"
      (cd "$dir" && "${exe[$side:$b]}" --bench --warm-up-time 1 --measurement-time 3 --noplot 2>/dev/null) |
        python3 -c '
import re,sys
side,rnd=sys.argv[1],sys.argv[2]
text=sys.stdin.read()
unit={"ps":1e-12,"ns":1e-9,"µs":1e-6,"us":1e-6,"ms":1e-3,"s":1.0}
for m in re.finditer(r"^(\S+)\s*(?:\n\s*)?time:\s+\[\S+ \S+ (\S+) (\S+) \S+ \S+\]", text, re.M):
    print(f"{side}\t{rnd}\t{m.group(1)}\t{float(m.group(2))*unit[m.group(3)]:.9f}")
' "$side" "$r" >>"$raw"
    done
  done
done

python3 - "$raw" "$base" <<'PY'
import sys,statistics
from collections import defaultdict
rows=[l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
t=defaultdict(list); base_of={}
for side,rnd,name,sec in rows:
    t[(side,name)].append((int(rnd),float(sec)))
BASE="engine/baseline/sum_1m"
def ratio(side,name):
    b=dict(t[(side,BASE)]); out=[]
    for rnd,s in t[(side,name)]:
        if rnd in b: out.append(s/b[rnd])
    return statistics.median(out) if out else float("nan")
names=sorted({n for (_,n) in t})
print(f"# benchmarks, {sys.argv[2]} (base) vs working tree (new): median of {max(r for _,r,_,_ in rows)} rounds, alternating")
print(f"| benchmark | base | new | new/base (medians) | new/base (best rounds) | base ÷ baseline | new ÷ baseline |")
print(f"|---|---|---|---|---|---|---|")
def fmt(s):
    return f"{s*1e3:.1f} ms" if s<1 else f"{s:.3f} s"
for n in names:
    if not t[("base",n)] or not t[("new",n)]: continue
    bs=statistics.median(s for _,s in t[("base",n)]); ns=statistics.median(s for _,s in t[("new",n)])
    bb=min(s for _,s in t[("base",n)]); nb=min(s for _,s in t[("new",n)])
    print(f"| {n} | {fmt(bs)} | {fmt(ns)} | {ns/bs:.3f} | {nb/bb:.3f} | {ratio('base',n):.1f} | {ratio('new',n):.1f} |")
PY
