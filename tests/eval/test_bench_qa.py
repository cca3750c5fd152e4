"""The QA benchmark runs end to end on a small generated store and reports sane figures.

Timing targets are not asserted (the machine is shared); the run is the smoke configuration scaled
down (30 documents, 6 + 2 questions, 2 rendered documents) to stay well under a minute.
"""

from __future__ import annotations

from pathlib import Path

from eval.bench_qa import SMOKE, Config, bench_qa, carries, make_questions, numbers

TINY = Config(sizes=(30,), questions=6, search_questions=2, rounds=1, real_docs=0, rendered=2, validate=False,
              profile=True)


def test_questions_are_templated_over_generated_orgs_and_carry_their_expected_figure() -> None:
    qs = make_questions(200, SMOKE.questions, SMOKE.search_questions)
    assert len([q for q in qs if q.tool != "search"]) == SMOKE.questions
    assert len([q for q in qs if q.tool == "search"]) == SMOKE.search_questions
    assert len({q.doc for q in qs}) == len(qs)  # one document per question
    for q in qs:
        assert numbers(q.expected) and str(q.corpus_index) and "年" in q.text
    assert carries("收入总计6,178.64万元", "6178.64") and not carries("收入总计6178.65万元", "6178.64")


def test_bench_qa_smoke() -> None:
    r = bench_qa(Path("."), True, config=TINY, log=lambda _m: None)
    s = r["stores"]["30"]
    assert s["documents"] == 30 and s["vector_entries"] > 0
    assert s["build"]["store"]["documents"] == 30 and s["build"]["index"]["vector_entries"] == s["vector_entries"]
    for block in (s["answer"], s["answer_search"], s["retrieval"]["search"], s["retrieval"]["vector_half"],
                  s["retrieval"]["bm25_half"], s["baseline_vector"]):
        assert block["n"] > 0 and block["p95_ms"] > 0 and block["p95_ms"] >= block["p50_ms"]
    assert s["answer"]["questions"] == 6 and s["answer"]["structured"] >= 5
    assert s["answer"]["accuracy"] >= 0.8  # the structured answers carry the truth's figure
    for key in ("top1_carries_expected", "top3_carries_expected"):
        assert 0 <= s["retrieval"][key] <= 1 and 0 <= s["baseline_vector"][key] <= 1
    assert s["catalog"]["cold_load_s"] >= 0 and s["overheads"]["store_signature_ms"] >= 0
    assert s["profile"] and all(p["cum_ms_per_question"] >= 0 for p in s["profile"])
    b = r["index_build"]
    assert b["documents"] == 2 and b["vector_entries"] > 0 and b["vector_entries_per_s"] > 0
    assert r["peak_rss_mb"]["self"] > 0
    assert r["targets"] == {"answer_p95_ms": 300, "retrieval_p95_ms": 200}
