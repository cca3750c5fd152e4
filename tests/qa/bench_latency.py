"""Latency of ``answer()`` on the three-document store (not a test; run by hand).

    BUDGETLENS_HOME=/tmp/qa-home python -m tests.qa.bench_latency [rounds]

Prints the cold first call, then p50/p95 over ``rounds`` passes of the question set (warm caches:
catalog, lexicon, embedding model, BM25), structured and search questions apart.
"""

from __future__ import annotations

import statistics
import sys
import time

from extractor.config import home
from extractor.store import open_store
from qa_app.engine import answer
from schemas.answers import Answer
from tests.qa.test_answers import QUESTIONS

FOLLOW_UPS = [("汾阳市应急管理局2024年预算收入总计多少？基本支出和项目支出各占多少？", "那大同呢？"),
              ("阳城县应急管理局2024年执行率最低的三个项目", "按全年预算数算呢？")]
EXTRA = ["火星探测器的发射费用是多少？", "煤矿安全监管的工作职责", "汾阳市应急管理局2024年预算中，应急救援(2240108)安排了多少？"]


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def main(rounds: int = 5) -> None:
    store = open_store(home())
    t = time.perf_counter()
    answer(store, QUESTIONS[0])
    print(f"cold first answer: {time.perf_counter() - t:.2f}s")
    answer(store, "阳城县应急管理局的内设机构有哪些？")  # loads the embedding model
    timings: dict[str, list[float]] = {"computed": [], "search/none": []}
    for _ in range(rounds):
        for q in QUESTIONS + EXTRA:
            t = time.perf_counter()
            a = answer(store, q)
            timings["computed" if a.kind.value == "computed" else "search/none"].append(time.perf_counter() - t)
        for first, follow in FOLLOW_UPS:
            prev: Answer = answer(store, first)
            t = time.perf_counter()
            answer(store, follow, [prev])
            timings["computed"].append(time.perf_counter() - t)
    everything = [x for v in timings.values() for x in v]
    for name, v in {**timings, "all": everything}.items():
        print(f"{name:12s} n={len(v):3d} p50={1000 * statistics.median(v):7.1f} ms  p95={1000 * pct(v, 0.95):7.1f} ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
