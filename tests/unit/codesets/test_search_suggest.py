from __future__ import annotations

import json
import time
from datetime import date

import pytest

from revcycle.codesets import UnknownCodeSystem, search, suggest
from revcycle.codesets.hcpcs import load_hcpcs_file
from revcycle.codesets.search import affirmed_words, clauses, expand, stem, tokenize


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("DM2 w hyperglycemia", "E1165"),
        ("htn", "I10"),
        ("chest pain", "R079"),
        ("CHF", "I509"),
        ("COPD exacerbation", "J441"),
        ("UTI", "N390"),
        ("low back pain", "M5450"),
        ("E11.9", "E119"),
    ],
)
def test_search_ranks_the_expected_code_first(cs, query, expected):
    assert search(query, "icd10cm", codesets=cs)[0].code == expected


def test_search_finds_inclusion_terms(cs):
    assert "M722" in [h.code for h in search("plantar fasciitis", codesets=cs)[:3]]


def test_search_is_fast_after_the_index_is_built(cs):
    search("warm up", codesets=cs)
    started = time.perf_counter()
    for q in ("type 2 diabetes with diabetic chronic kidney disease", "fracture of femur"):
        search(q, codesets=cs)
    assert (time.perf_counter() - started) / 2 < 0.05


def test_search_over_hcpcs_when_loaded(cs, fixtures):
    loaded = cs.with_hcpcs(load_hcpcs_file(fixtures / "HCPC2026_JAN_ANWEB.txt"))
    assert search("glucose monitor", "hcpcs", codesets=loaded)[0].code == "E0607"
    assert search("glucose monitor", "hcpcs", codesets=cs) == []
    assert search("office visit", "cpt", codesets=cs) == []
    with pytest.raises(UnknownCodeSystem):
        search("x", "snomed", codesets=cs)


def test_search_on_a_date_without_a_version_returns_nothing(cs):
    assert search("htn", dos=date(2027, 1, 1), codesets=cs) == []


def test_text_helpers():
    assert stem("fractures") == "fracture" and stem("injuries") == "injury"
    assert stem("diabetes") == "diabete" or stem("diabetes") == "diabetes"
    assert expand(tokenize("htn and DM2")) == [
        "essential",
        "hypertension",
        "and",
        "type",
        "2",
        "diabetes",
        "mellitus",
    ]
    assert clauses("No fever. Cough; chest pain") == ["No fever", "Cough", "chest pain"]


def test_negation_and_uncertainty_drop_words_up_to_a_comma_or_but():
    assert affirmed_words("denies chest pain, reports cough") == ["reports", "cough"]
    assert affirmed_words("no fever but has rash") == ["has", "rash"]
    assert affirmed_words("rule out pneumonia") == []
    assert affirmed_words("family history of colon cancer") == []


def test_suggest_gives_billable_codes_with_their_phrase(cs):
    found = suggest("62 yo male with htn and DM2, denies chest pain.", codesets=cs)
    codes = [s.code for s in found]
    assert "I10" in codes and "E119" in codes
    assert "R079" not in codes
    dm = next(s for s in found if s.code == "E119")
    assert dm.billable and dm.phrase == "DM2"
    assert dm.children and all(c.startswith("E11") for c in dm.children)


def test_suggest_returns_nothing_for_an_empty_note(cs):
    assert suggest("", codesets=cs) == []
    assert suggest("Denies fever.", codesets=cs) == []


def test_suggest_accuracy_on_the_note_fixture(cs, fixtures):
    cases = [json.loads(x) for x in (fixtures / "notes.jsonl").read_text().splitlines() if x]
    assert len(cases) >= 50
    version = cs.icd10cm.latest()
    top5 = 0
    for case in cases:
        assert all(version.get(c) and version.get(c).billable for c in case["expected"])
        got = [s.code for s in suggest(case["note"], limit=5, codesets=cs)]
        top5 += any(g in case["expected"] for g in got)
    assert top5 / len(cases) >= 0.85
