"""The one rule for when two spellings name the same plan code (models/codes.py)."""

from __future__ import annotations

import pytest

from models.codes import code_key, code_order, normal_code


@pytest.mark.parametrize(
    ("a", "b"),
    [("m7", "M-07"), ("m1.2", "M1-2"), ("AFI 5", "afi-5"), ("M 007", "M-7"), ("1.1", "01-1")],
)
def test_spellings_of_one_code_share_a_key(a: str, b: str) -> None:
    assert code_key(a) == code_key(b) is not None


def test_m1_2_is_not_m12() -> None:
    assert code_key("M1-2") != code_key("M-12")


def test_text_that_is_not_a_code_has_no_key() -> None:
    assert code_key("on track!") is None
    assert normal_code("") == ""


def test_a_long_line_that_ends_in_a_separator_is_answered_at_once() -> None:
    """What a fuzzer found: a pasted link and a trailing dash made the spelling rule backtrack for
    minutes (runs of letters could be split every way before the match failed). It must not hang."""
    typed = "p <https://example.gov.uk/e|evidence> review -" + " evidencereviewexample" * 20 + " -"
    assert normal_code(typed) == ""
    assert code_key("x" * 5000 + "-") is None


def test_codes_are_ordered_as_people_count_them() -> None:
    codes = ["M-10", "A10.1", "10", "M-02", "A2.1", "2", "A1.10", "A1.2", "M1-2"]
    assert sorted(codes, key=code_order) == [
        "2",
        "10",
        "A1.2",
        "A1.10",
        "A2.1",
        "A10.1",
        "M1-2",
        "M-02",
        "M-10",
    ]
