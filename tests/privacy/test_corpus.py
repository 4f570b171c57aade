"""The screen measured against a labelled corpus of realistic update notes (tests/privacy/corpus.yaml).

Thresholds from the information governance sign-off: every hard identifier caught, at least 95% of
soft identifiers caught, at most 3% of clean notes wrongly flagged. The figures are printed (run with
`-s`, or read the captured output of a failure) and quoted in the README's privacy section.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

import pytest
import yaml

from bot.services.planfile import read_plan_file
from bot.services.privacy import HARD_KINDS, SOFT_KINDS, find_personal_data
from bot.services.privacy_words import Staff
from seeds import DURHAM

CORPUS = Path(__file__).with_name("corpus.yaml")
# The kinds a label may be satisfied by: a record ID is a case reference, a "child's name" a name.
SAME = {"record_id": "case_number", "child_name": "person_name"}
TODAY = date(2020, 3, 1)  # the notes were written around the Durham board of February 2020


def _notes() -> list[dict]:
    return yaml.safe_load(CORPUS.read_text(encoding="utf-8"))["notes"]


def _staff() -> Staff:
    doc = read_plan_file(DURHAM)
    return Staff.of((p.name, p.role, p.email) for p in doc.people)


def _kinds(text: str, staff: Staff) -> set[str]:
    return {SAME.get(f.kind, f.kind) for f in find_personal_data(text, staff=staff, today=TODAY)}


def measure() -> dict[str, object]:
    staff = _staff()
    labelled: Counter[str] = Counter()
    caught: Counter[str] = Counter()
    missed = []
    clean = flagged = 0
    false_positives = []
    for note in _notes():
        found = _kinds(note["text"], staff)
        labels = [*note.get("hard", []), *note.get("soft", [])]
        if not labels:
            clean += 1
            if found:
                flagged += 1
                false_positives.append((note["text"], sorted(found)))
            continue
        for kind in labels:
            labelled[kind] += 1
            if kind in found:
                caught[kind] += 1
            else:
                missed.append((kind, note["text"], sorted(found)))
    return {
        "labelled": labelled,
        "caught": caught,
        "missed": missed,
        "clean": clean,
        "flagged": flagged,
        "false_positives": false_positives,
    }


def _rate(caught: int, total: int) -> float:
    return 100.0 * caught / total if total else 100.0


def test_the_corpus_has_the_notes_the_sign_off_asks_for():
    notes = _notes()
    assert len(notes) >= 300
    assert sum(1 for n in notes if n.get("hard")) >= 120
    assert sum(1 for n in notes if n.get("soft") and not n.get("hard")) >= 80
    assert sum(1 for n in notes if not n.get("hard") and not n.get("soft")) >= 100
    for note in notes:
        assert set(note.get("hard", [])) <= HARD_KINDS, note
        assert set(note.get("soft", [])) <= SOFT_KINDS, note


def test_the_screen_meets_the_thresholds_on_the_corpus(capsys):
    m = measure()
    labelled, caught = m["labelled"], m["caught"]
    assert isinstance(labelled, Counter) and isinstance(caught, Counter)
    lines = ["kind                 caught / labelled"]
    for kind in sorted(labelled):
        lines.append(
            f"{kind:<20} {caught[kind]:>4} / {labelled[kind]:<4} {_rate(caught[kind], labelled[kind]):6.1f}%"
        )
    hard_total = sum(labelled[k] for k in labelled if k in HARD_KINDS)
    hard_caught = sum(caught[k] for k in labelled if k in HARD_KINDS)
    soft_total = sum(labelled[k] for k in labelled if k in SOFT_KINDS)
    soft_caught = sum(caught[k] for k in labelled if k in SOFT_KINDS)
    clean, flagged = int(m["clean"]), int(m["flagged"])  # type: ignore[call-overload]
    lines += [
        f"hard identifiers caught: {hard_caught}/{hard_total} ({_rate(hard_caught, hard_total):.1f}%)",
        f"soft identifiers caught: {soft_caught}/{soft_total} ({_rate(soft_caught, soft_total):.1f}%)",
        f"clean notes wrongly flagged: {flagged}/{clean} ({_rate(flagged, clean):.1f}%)",
    ]
    lines += [f"missed {kind}: {text!r} (found {found})" for kind, text, found in m["missed"]]  # type: ignore[attr-defined]
    lines += [f"false positive: {text!r} {found}" for text, found in m["false_positives"]]  # type: ignore[attr-defined]
    with capsys.disabled():
        print("\n" + "\n".join(lines))
    for kind in labelled:
        if kind in HARD_KINDS:
            assert caught[kind] == labelled[kind], f"{kind}: every hard identifier must be caught"
    assert _rate(soft_caught, soft_total) >= 95.0
    assert _rate(flagged, clean) <= 3.0


@pytest.mark.parametrize(
    "text",
    [
        "…escalated drift on Jayden Smith's plan…",
        "…7 year old girl in Seaham whose mum is Kerry Smith",
        "Jayden (aged 7) plan escalated by IRO",
    ],
)
def test_the_notes_from_the_issue_need_an_override(text):
    found = find_personal_data(text, staff=_staff(), today=TODAY)
    assert found and not any(f.hard for f in found)


@pytest.mark.parametrize(
    "text", ["…case 1234567 in Liquidlogic", "NHS 943 476 5919 and DOB 14/03/2012 for Jayden"]
)
def test_the_notes_from_the_issue_with_hard_identifiers_are_hard(text):
    assert any(f.hard for f in find_personal_data(text, staff=_staff(), today=TODAY))
