"""The plan file's YAML loader (bot/services/planfile/reading.py) builds exactly what the safe loader it
extends builds, value for value and type for type, or fails the same way: its tag cache and its shortcut
for text scalars change only how long a file takes to read."""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import given
from hypothesis import strategies as st

from bot.services.planfile.reading import _FastLoader, _SafeBase
from seeds import DURHAM
from tests.properties.strategies import examples

# Plain scalars that YAML reads as other types (or nearly does), quoted ones, and YAML's own marks.
SCALARS = [
    "yes", "No", "on", "OFF", "true", "False", "null", "~", "Null", "", "0", "-1", "+12", "0x1F", "0o17",
    "017", "1_000", "1e3", "1.5", ".inf", "-.Inf", ".nan", "2020-02-20", "2020-2-2", "2020-02-30",
    "2020-02-20 09:00:00", "2020-02-20T09:00:00Z", "12:30:00", "190:20:30", "M-07", "AFI-1", "on track",
    "iro-ops", "=", "<<", "'yes'", '"0x1F"', "'2020-02-20'", '"on track"', "!!str 12", "!!int '7'",
    "!!binary aGk=", "!!python/name:os.system", "&a x", "*a", "é", "🎉", "a: b", "[1, 2]", "{k: v}",
]  # fmt: skip
KEYS = ["code", "title", "yes", "1", "2020-01-01", "<<", "null", "~", "on", "x"]


def same(a: Any, b: Any) -> bool:
    """Equal, and of the same types all the way down (1 is not True, '1' is not 1)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return (
            list(a) == list(b)
            and all(same(ka, kb) for ka, kb in zip(a, b, strict=True))
            and all(same(a[k], b[k]) for k in a)
        )
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return a == b or (a != a and b != b)  # nan


def load(text: str, loader: Any) -> Any:
    try:
        return ("ok", yaml.load(text, Loader=loader))  # noqa: S506 - both are safe loaders
    except (yaml.YAMLError, ValueError, RecursionError) as exc:
        return ("error", type(exc).__name__, str(exc))


scalar = st.one_of(st.sampled_from(SCALARS), st.text(alphabet="ay0-:. #'\"", max_size=5))
entry = st.tuples(st.sampled_from(KEYS), scalar).map(lambda kv: f"{kv[0]}: {kv[1]}")
flow = st.lists(entry, max_size=5).map(lambda items: "- {" + ", ".join(items) + "}")
block = st.lists(entry, min_size=1, max_size=5).map(lambda items: "- " + "\n  ".join(items))
seq = st.lists(scalar, max_size=5).map(lambda items: "- [" + ", ".join(items) + "]")
documents = st.lists(st.one_of(flow, block, seq), max_size=8).map(
    lambda items: (
        "base: &b {code: M-1, due: 2020-02-20, on: yes}\nitems:\n"
        + "".join("  " + item.replace("\n", "\n  ") + "\n" for item in items)
        + "merged: {<<: *b, code: M-2}\nagain: *b\n"
    )
)


@examples(300)
@given(documents)
def test_the_fast_loader_builds_what_the_safe_loader_builds(text):
    fast, safe = load(text, _FastLoader), load(text, _SafeBase)
    assert fast[0] == safe[0], (fast, safe)
    assert same(fast, safe) if fast[0] == "ok" else fast == safe


def test_the_fast_loader_reads_the_durham_plan_as_the_safe_loader_does():
    text = DURHAM.read_text(encoding="utf-8")
    assert same(load(text, _FastLoader), load(text, _SafeBase))
    assert issubclass(_FastLoader, yaml.SafeLoader if _SafeBase is yaml.SafeLoader else yaml.CSafeLoader)
