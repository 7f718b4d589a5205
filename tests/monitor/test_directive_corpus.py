"""The labelled corpus of how outlets report documents: overall targets, and no pattern below its recorded floor.

``bench/directive_signal.py`` prints the same figures (and ``--write-floor`` records a new floor
when a change improves a pattern); this test makes a regression of any pattern fail the suite.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from directive_corpus import judge, load_corpus, score, shipped_rules

FLOOR = Path(__file__).with_name("directive_corpus_floor.json")


@pytest.fixture(scope="module")
def result() -> dict:
    cds, every = shipped_rules()
    return score([judge(case, cds, every) for case in load_corpus()])


def test_the_corpus_is_large_and_varied(result: dict) -> None:
    assert result["cases"] >= 650 and result["patterns"] >= 60
    positives = sum(p["alerts"]["tp"] + p["alerts"]["fn"] for p in result["per_pattern"].values())
    assert positives >= 80


def test_overall_precision_and_recall(result: dict) -> None:
    alerts = result["overall"]["alerts"]
    assert alerts["recall"] >= 0.98 and alerts["precision"] >= 0.97, "\n".join(result["wrong"])
    assert result["overall"]["numbers"]["precision"] >= 0.99  # a teaser's number is never the article's


def test_no_pattern_regresses_below_its_floor(result: dict) -> None:
    floor = json.loads(FLOOR.read_text(encoding="utf-8"))
    worse = []
    for pattern, kinds in floor.items():
        got = result["per_pattern"].get(pattern)
        if got is None:
            worse.append(f"{pattern}: missing from the corpus")
            continue
        for kind, figures in kinds.items():
            for measure, minimum in figures.items():
                if got[kind][measure] + 1e-9 < minimum:
                    worse.append(f"{pattern} {kind} {measure}: {got[kind][measure]} < {minimum}")
    assert not worse, "\n".join(worse + result["wrong"])


def test_every_pattern_meets_the_bar(result: dict) -> None:
    low = [f"{p}: {f['alerts']}" for p, f in result["per_pattern"].items()
           if f["alerts"]["precision"] < 0.9 or f["alerts"]["recall"] < 0.9]
    assert not low, "\n".join(low)
