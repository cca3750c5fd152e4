"""Synthetic budget / final-account disclosures with exact ground truth.

    from eval.synth import generate, DefectSpec
    doc = generate(7, "final_accounts", n_units=3, defects=DefectSpec(arithmetic=1, ocr_z_2=1))
    doc.text            # corpus-style text (TAB-separated table cells)
    doc.truth.tables    # every table: kind, title, title line, every numeric cell (row key, column, printed, line)
    doc.truth.projects  # projects: amount, 绩效目标 元, 自评 年初/全年预算/执行/结余/执行率/得分, narrative 元 figures
    doc.truth.narrative # every figure quoted in 情况说明, with the table cell it quotes or what it is computed from
    doc.truth.roundings # identities that miss by 尾数 only (a validator reports them as rounding)
    doc.truth.defects   # injected defects: type, table, row, column, original and new printed text, line

``write_corpus(out_dir, n, seed)`` writes ``<name>.txt`` + ``<name>.truth.json`` pairs;
``python -m eval.synth --out DIR -n 10 --seed 1`` does the same from the shell.
"""

from eval.synth.corpus import generate, write_corpus
from eval.synth.model import Defect, DefectSpec, SynthDoc, SynthTruth

__all__ = ["Defect", "DefectSpec", "SynthDoc", "SynthTruth", "generate", "write_corpus"]
