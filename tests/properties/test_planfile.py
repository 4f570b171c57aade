"""Plan files: any text, and the Durham seed mutated at random, is either a PlanDoc or a PlanFileError;
importing an accepted file succeeds, and an import that fails part-way leaves nothing behind."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import yaml
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from bot.services.errors import PlanFileError
from bot.services.planfile import MAX_PROBLEM_CHARS, import_plan, parse_plan_text
from models import Base
from models.planfile import PlanDoc
from seeds import DURHAM
from tests.properties.strategies import examples

NOW = datetime(2020, 2, 3, 9, 0, tzinfo=UTC)
SEED_TEXT = DURHAM.read_text(encoding="utf-8")
SEED = yaml.safe_load(SEED_TEXT)
NASTY = [":", "-", " ", "\t", "\n", '"', "'", "[", "]", "{", "}", "&", "*", "!", "%", "|", ">", "#", "?", ",",
         "0", "9", "a", "Z", "\x00", "\x1b", "\u202e", "\ufeff", "é", "🎉", "\\", "@", "`"]  # fmt: skip


def outcome(text: str) -> PlanDoc | PlanFileError:
    try:
        return parse_plan_text(text, "fuzz.yaml")
    except PlanFileError as exc:
        return exc


def check_refusal(exc: PlanFileError) -> None:
    assert exc.source == "fuzz.yaml" and exc.problems
    assert str(exc).startswith("fuzz.yaml: the plan file is not valid, nothing was imported:")
    assert all(0 < len(p) <= MAX_PROBLEM_CHARS for p in exc.problems)


# ------------------------------------------------------------------ text


@examples(150)
@given(st.one_of(st.text(max_size=400), st.binary(max_size=200).map(lambda b: b.decode("latin-1"))))
def test_any_text_is_a_plan_or_a_refusal(text):
    result = outcome(text)
    if isinstance(result, PlanFileError):
        check_refusal(result)


@st.composite
def mutated_text(draw: Any) -> str:
    text = SEED_TEXT
    for _ in range(draw(st.integers(1, 4))):
        lines = text.splitlines(keepends=True)
        kind = draw(st.sampled_from(["delete", "duplicate", "swap", "char", "insert", "truncate"]))
        if kind == "delete" and lines:
            del lines[draw(st.integers(0, len(lines) - 1))]
        elif kind == "duplicate" and lines:
            i = draw(st.integers(0, len(lines) - 1))
            lines.insert(i, lines[i])
        elif kind == "swap" and len(lines) > 1:
            i, j = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
            lines[i], lines[j] = lines[j], lines[i]
        if kind in ("delete", "duplicate", "swap"):
            text = "".join(lines)
            continue
        at = draw(st.integers(0, max(0, len(text) - 1)))
        if kind == "char":
            text = text[:at] + draw(st.sampled_from(NASTY)) + text[at + 1 :]
        elif kind == "insert":
            text = text[:at] + draw(st.one_of(st.sampled_from(NASTY), st.text(max_size=12))) + text[at:]
        else:
            text = text[:at]
    return text


@examples(150)
@given(mutated_text())
def test_the_seed_mutated_as_text_is_a_plan_or_a_refusal(text):
    result = outcome(text)
    if isinstance(result, PlanFileError):
        check_refusal(result)


# ------------------------------------------------------------------ structure

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(["2020-02-30", "2020-13-01", "10:00", "25:61", "M-05", "AFI-1", "iro-ops", "head-csc",
                     "U0QIB0002", "FREQ=MONTHLY;BYDAY=+3TH", "FREQ=DAILY;COUNT=0", "FREQ=YEARLY;BYMONTH=13",
                     "Mars/Olympus", "complete", "amber", "x" * 600, "a\x00b", "\x1b[31m", "moved", "cancelled"]),
    st.dates().map(str),
    st.datetimes().map(str),
)  # fmt: skip
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)


def paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            found += paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            found += paths(v, (*prefix, i))
    return found


ALL_PATHS = [p for p in paths(SEED) if p]


@st.composite
def mutated_doc(draw: Any) -> dict:
    data = copy.deepcopy(SEED)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(ALL_PATHS))
        parent: Any = data
        try:
            for step in path[:-1]:
                parent = parent[step]
            last = path[-1]
            kind = draw(st.sampled_from(["replace", "delete", "duplicate", "extra"]))
            if kind == "replace":
                parent[last] = draw(values)
            elif kind == "delete":
                del parent[last]
            elif kind == "duplicate" and isinstance(parent, list):
                parent.insert(last, copy.deepcopy(parent[last]))
            elif kind == "extra" and isinstance(parent, dict):
                parent[draw(st.text(min_size=1, max_size=8))] = draw(values)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier mutation removed this path
    return data


# libyaml's emitter writes the same YAML as PyYAML's own (each mutated seed loads back as the same data)
# in a tenth of the time, which was most of the time these tests took.
_Dumper: Any = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def dump(data: Any) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False)


@examples(150)
@given(mutated_doc())
def test_the_seed_mutated_in_structure_is_a_plan_or_a_refusal(data):
    result = outcome(dump(data))
    if isinstance(result, PlanFileError):
        check_refusal(result)


# ------------------------------------------------------------------ import


def snapshot(db: Session) -> list[tuple]:
    rows = []
    for table in Base.metadata.sorted_tables:
        order = list(table.primary_key.columns) or list(table.columns)
        rows += [(table.name, *map(repr, row)) for row in db.execute(select(table).order_by(*order))]
    return rows


@examples(40)
@given(st.one_of(mutated_doc().map(dump), mutated_text()))
def test_an_accepted_file_imports_without_error(sessions, durham, text):
    """Over the Durham plan (so entries are updated, not only created); rolled back after each example."""
    try:
        doc = parse_plan_text(text, "fuzz.yaml")
    except PlanFileError:
        return
    with sessions() as db:
        before = snapshot(db)
    with sessions() as db:
        try:
            import_plan(db, doc, now=NOW, actor="fuzz")
            db.flush()
        except PlanFileError as exc:  # what only the database can tell (a Slack id held by someone kept)
            assert exc.problems and "nothing was imported" in str(exc)
        finally:
            db.rollback()
    with sessions() as db:
        assert snapshot(db) == before


class Boom(RuntimeError):
    pass


@examples(40)
@given(st.sampled_from([SEED, *[]]).map(copy.deepcopy) | mutated_doc(), st.integers(1, 40), st.booleans())
def test_an_import_that_fails_part_way_leaves_the_database_as_it_was(sessions, durham, data, fail_at, fresh):
    """A failure at the n-th statement of the import (the database gone, a bug) rolls everything back."""
    try:
        doc = parse_plan_text(dump(data), "fuzz.yaml")
    except PlanFileError:
        return
    if fresh:  # a new plan rather than an update of Durham's
        doc = doc.model_copy(update={"plan": doc.plan.model_copy(update={"title": "Another plan"})})
    with sessions() as db:
        before = snapshot(db)
    engine = sessions.engine
    seen = {"n": 0}

    def fail_later(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            seen["n"] += 1
            if seen["n"] == fail_at:
                raise Boom(f"statement {fail_at} failed")

    event.listen(engine, "before_cursor_execute", fail_later)
    try:
        with sessions.begin() as db:
            import_plan(db, doc, now=NOW, actor="fuzz")
    except Exception as exc:  # the injected failure, however the driver wraps it
        assert "Boom" in repr(exc) or isinstance(exc, Boom)
    finally:
        event.remove(engine, "before_cursor_execute", fail_later)
    with sessions() as db:
        after = snapshot(db)
    if seen["n"] >= fail_at:
        assert after == before  # nothing of the failed import is left
    else:  # the import wrote fewer statements than fail_at and committed: undo it for the next example
        with sessions.begin() as db:
            for table in reversed(Base.metadata.sorted_tables):
                db.execute(table.delete())
        with sessions.begin() as db:
            import_plan(db, parse_plan_text(SEED_TEXT), now=NOW)


# ------------------------------------------------------------------ cases the fuzzing found


def with_change(change) -> str:
    data = copy.deepcopy(SEED)
    change(data)
    return dump(data)


def swap_slack_ids(d: dict) -> None:
    a, b = d["people"][1], d["people"][2]
    a["slack_user_id"], b["slack_user_id"] = b["slack_user_id"], a["slack_user_id"]


REFUSED = {
    "two exceptions for one meeting date": (
        lambda d: d["board"]["overrides"].append(
            {"date": "2020-08-20", "action": "moved", "to": "2020-08-27"}
        ),
        "board.overrides[2].date: 2020-08-20 has an exception already",
    ),
    "the same exception twice": (
        lambda d: d["board"]["overrides"].append(dict(d["board"]["overrides"][0])),
        "board.overrides[2].date",
    ),
    "NUL in a title (PostgreSQL cannot store it)": (
        lambda d: d["areas"][0].update(title="Management\x00oversight"),
        "areas[0] (AFI-1).title: contains the control character U+0000",
    ),
    "an escape sequence in a name": (
        lambda d: d["people"][0].update(name="Sam \x1b[2J Carter"),
        "people[0] (head-csc).name: contains the control character U+001B",
    ),
    "a bidi override in a note": (
        lambda d: d["milestones"][0]["updates"][0].update(note="fine \u202e enif"),
        "contains the control character U+202E",
    ),
}


def test_known_traps_are_refused_with_the_entry_and_field():
    for name, (change, expected) in REFUSED.items():
        result = outcome(with_change(change))
        assert isinstance(result, PlanFileError), name
        assert any(expected in p for p in result.problems), (name, result.problems)


def test_tabs_and_line_breaks_in_text_are_still_fine():
    result = outcome(with_change(lambda d: d["areas"][0].update(description="Line one\n\tLine two\r\nthree")))
    assert isinstance(result, PlanDoc)


def test_two_people_swapping_slack_ids_imports(sessions, durham):
    with sessions.begin() as db:
        report = import_plan(db, parse_plan_text(with_change(swap_slack_ids)), now=NOW)
    assert 'person iro-ops: slack_user_id "U0QIB0002" -> "U0QIB0003"' in report.changes
    from models import Person

    with sessions() as db:
        ids = dict(db.execute(select(Person.key, Person.slack_user_id)).all())
    assert (ids["iro-ops"], ids["iro-ops-2"]) == ("U0QIB0003", "U0QIB0002")


def test_a_slack_id_held_by_someone_kept_from_before_is_refused_and_nothing_changes(sessions, durham):
    def drop_and_reuse(d: dict) -> None:
        gone = d["people"].pop(3)  # sm-resources stays in the database, with its Slack id
        d["people"][1]["slack_user_id"] = gone["slack_user_id"]
        for m in d["milestones"]:
            if m.get("owner") == gone["key"]:
                m["owner"] = "iro-ops"

    with sessions() as db:
        before = snapshot(db)
    try:
        with sessions.begin() as db:
            import_plan(db, parse_plan_text(with_change(drop_and_reuse)), now=NOW)
        raise AssertionError("imported")
    except PlanFileError as exc:
        assert "U0QIB0004 belongs to sm-resources, who is in the database but not in this file" in str(exc)
    with sessions() as db:
        assert snapshot(db) == before


# ------------------------------------------------------------------ keys that are not text

KEYS_NOT_TEXT = st.one_of(
    st.integers(-(10**6), 10**6), st.booleans(), st.none(), st.dates(), st.floats(allow_nan=False)
)


@examples(60)
@given(KEYS_NOT_TEXT, st.sampled_from(["top", "plan", "board", "milestone"]), st.integers(0, 20))
def test_a_key_that_is_not_text_is_refused_and_named_as_written(key, where, index):
    data = copy.deepcopy(SEED)
    milestone = index % len(data["milestones"])
    target, prefix = {
        "top": (data, ""),
        "plan": (data["plan"], "plan."),
        "board": (data["board"], "board."),
        "milestone": (
            data["milestones"][milestone],
            f"milestones[{milestone}] ({data['milestones'][milestone]['code']}).",
        ),
    }[where]
    target[key] = "x"
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    written = yaml.safe_dump(key, default_flow_style=True).strip().removesuffix("...").strip()
    result = outcome(text)
    assert isinstance(result, PlanFileError)
    check_refusal(result)
    assert f"{prefix}{written}: is not a field of the plan file (check the spelling)" in result.problems
