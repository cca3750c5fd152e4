"""python -m eval.synth --out DIR -n 10 --seed 1 [--budget-share 0.5] [--defect-rate 0.3] [-j 2]"""

from __future__ import annotations

import argparse
import sys
import time

from eval.synth.corpus import write_corpus


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m eval.synth", description=__doc__)
    ap.add_argument("--out", required=True, help="output directory")
    ap.add_argument("-n", type=int, default=10, help="number of documents")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--budget-share", type=float, default=0.5, help="share of budgets (the rest: final accounts)")
    ap.add_argument("--defect-rate", type=float, default=0.3, help="share of documents with injected defects")
    ap.add_argument("--max-units", type=int, default=4, help="most units in a multi-unit 部门 document")
    ap.add_argument("-j", "--workers", type=int, default=1, help="processes (the corpus is the same for any number)")
    a = ap.parse_args(argv)
    t0 = time.perf_counter()
    paths = write_corpus(a.out, a.n, a.seed, kind_mix={"budget": a.budget_share, "final_accounts": 1 - a.budget_share},
                         defect_rate=a.defect_rate, max_units=a.max_units, workers=a.workers)
    dt = time.perf_counter() - t0
    print(f"wrote {len(paths)} documents (+ .truth.json) to {a.out} in {dt:.2f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
