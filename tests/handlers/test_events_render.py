"""What a person is told when their message carried a child's details."""

from __future__ import annotations

from handlers.events.privacy_guard import refusal


def test_the_refusal_names_the_kinds_and_never_the_data() -> None:
    one = refusal(("nhs_number",))
    assert one.startswith(":no_entry: Your message contains personal data (") and "delete it" in one
    two = refusal(("nhs_number", "date_of_birth", "odd_kind"))
    assert " and odd kind)" in two and two.count(",") >= 1
