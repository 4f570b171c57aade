"""`make test` draws the same examples on every run (HYPOTHESIS_PROFILE=ci); `make fuzz` explores."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DRAW = """
import tests.conftest  # registers the profiles and loads the one HYPOTHESIS_PROFILE names
from hypothesis import given, strategies as st
from tests.properties.strategies import examples

seen = []

@examples(30)
@given(st.text(max_size=20))
def draw(text):
    seen.append(text)

draw()
print(repr(seen))
"""


def drawn(profile: str) -> str:
    env = {**os.environ, "HYPOTHESIS_PROFILE": profile, "QIB_PROPERTY_SCALE": "1"}
    done = subprocess.run(
        [sys.executable, "-c", DRAW], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_ci_profile_draws_the_same_examples_every_run():
    assert drawn("ci") == drawn("ci")


def test_the_fuzz_profile_draws_new_examples_each_run():
    assert drawn("fuzz") != drawn("fuzz")


def make_sees(target: str) -> list[str]:
    """The HYPOTHESIS_PROFILE each command of `make TARGET` runs with (its commands echo it, not run)."""
    env = {k: v for k, v in os.environ.items() if k != "HYPOTHESIS_PROFILE"}
    done = subprocess.run(
        ["make", "--no-print-directory", "-o", ".venv/.installed", target, "BIN=sh -c 'echo profile=$$HYPOTHESIS_PROFILE' x"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    return [line for line in done.stdout.splitlines() if line.startswith("profile=")]


def test_make_test_selects_the_ci_profile_and_make_fuzz_the_fuzz_profile():
    assert set(make_sees("test")) == {"profile=ci"}
    assert set(make_sees("test-sqlite")) == {"profile=ci"}
    assert set(make_sees("fuzz")) == {"profile=fuzz"}


def test_make_clean_removes_the_example_database():
    clean = (ROOT / "Makefile").read_text(encoding="utf-8").split("\nclean:", 1)[1]
    assert ".hypothesis" in clean.split("\n\n", 1)[0]
