"""Benchmark of the Python package (not a test): run it by hand.

    python bindings/python/benches/bench.py [--n 100000] [--repeat 3]

1. ``payrules.run`` on N worker-months (a dict in memory → response dict
   with Decimal amounts) against the ``payrules run`` CLI on the same JSON
   (file in → file out), both measured here; reports the ratio.
2. ``payrules.monthly`` (the typed batch) throughput in worker-months per
   second, from dicts and from ``payrules.Worker`` objects.

The population is ``payrules.synth.monthly_request``, a mirror of the Rust
``src/synth.rs``. The CLI is ``target/release/payrules`` of this repository
(built with ``cargo build --release --bin payrules`` if missing).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import payrules
from payrules.synth import monthly_request

ROOT = Path(__file__).resolve().parents[3]


def best(fn, repeat):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    n = args.n
    req = monthly_request(n, "2026-11")
    cli = ROOT / "target" / "release" / "payrules"
    if not cli.exists():
        subprocess.run(["cargo", "build", "--release", "--bin", "payrules"], cwd=ROOT, check=True)

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "request.json")
        out = os.path.join(tmp, "response.json")
        with open(path, "w", encoding="utf-8") as f:
            json.dump(req, f, ensure_ascii=False)
        t_cli = best(lambda: subprocess.run([str(cli), "run", path, "--output", out], check=True), args.repeat)
        with open(out, encoding="utf-8") as f:
            want = payrules._run.parse_response(f.read())
        got = payrules.run(req)
        assert got == want, "payrules.run and the CLI disagree"
        t_run = best(lambda: payrules.run(req), args.repeat)
        # Where the time goes.
        body = payrules._run.request_json(req)
        t_enc = best(lambda: payrules._run.request_json(req), args.repeat)
        status, text, _ = payrules._run.run_text(body)
        t_c = best(lambda: payrules._run.run_text(body), args.repeat)
        t_dec = best(lambda: payrules._run.parse_response(text), args.repeat)

    print(f"payrules.run, {n:,} worker-months (best of {args.repeat}):")
    print(f"  CLI  payrules run FILE --output FILE : {t_cli:.3f} s")
    print(f"  payrules.run(dict) -> dict           : {t_run:.3f} s   ratio {t_run / t_cli:.2f}x the CLI")
    print(f"    request to JSON (floats refused)   : {t_enc:.3f} s")
    print(f"    payrules_run_json (C ABI)          : {t_c:.3f} s")
    print(f"    response JSON -> dict of Decimals  : {t_dec:.3f} s")

    workers, assessments = req["workers"], req["assessments"]
    grades = {a["worker_id"]: a["grade"] for a in assessments}
    objs = [payrules.Worker(**w) for w in workers]
    slips = payrules.monthly(workers, grades, "2026-11")
    assert len(slips) == n and sum(s.gross for s in slips) == got["totals"]["gross"]
    policy = payrules.Policy.builtin()
    t_dicts = best(lambda: payrules.monthly(workers, grades, "2026-11", policy=policy), args.repeat)
    t_objs = best(lambda: payrules.monthly(objs, grades, "2026-11", policy=policy), args.repeat)
    t_recs = best(lambda: payrules.monthly(workers, assessments, "2026-11", policy=policy), args.repeat)
    print(f"payrules.monthly, {n:,} worker-months (best of {args.repeat}):")
    print(f"  dicts, grades {{id: grade}}    : {t_dicts:.3f} s = {n / t_dicts:,.0f} worker-months/s")
    print(f"  dicts, assessment records    : {t_recs:.3f} s = {n / t_recs:,.0f} worker-months/s")
    print(f"  payrules.Worker objects      : {t_objs:.3f} s = {n / t_objs:,.0f} worker-months/s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
