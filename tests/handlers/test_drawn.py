"""Replies drawn from kept answers are drawn once per answer; fresh answers are drawn every time, and a
caller extending its reply never changes the next one."""

from __future__ import annotations

from dataclasses import dataclass

from bot.services.read_model import freeze
from handlers import blocks as bk
from handlers.blocks import Reply
from handlers.drawn import blocks_once, drawn_once, forget


@dataclass(frozen=True)
class Answer:
    lines: list[str]


drawn: list[Answer] = []


@drawn_once
def render(answer: Answer, *, title: str = "Plan") -> Reply:
    drawn.append(answer)
    return Reply(text=title, blocks=[bk.section(line) for line in answer.lines])


def setup_function() -> None:
    forget()
    drawn.clear()


def test_a_kept_answer_is_drawn_once():
    kept = freeze(Answer(["a", "b"]))
    first, second = render(kept), render(kept)
    assert first == second and len(drawn) == 1
    assert render(kept, title="Other").text == "Other" and len(drawn) == 2  # other arguments, other reply


def test_a_fresh_answer_is_drawn_every_time():
    fresh = Answer(["a"])
    render(fresh)
    render(fresh)
    assert len(drawn) == 2


def test_a_new_kept_answer_is_drawn_again():
    render(freeze(Answer(["before"])))
    after = render(freeze(Answer(["after"])))
    assert "after" in str(after.blocks) and len(drawn) == 2


def test_extending_a_reply_does_not_change_the_next():
    kept = freeze(Answer(["a"]))
    render(kept).blocks.append(bk.section("added by a caller"))
    assert "added by a caller" not in str(render(kept).blocks)


blocks_drawn: list[Answer | None] = []


@blocks_once
def part(answer: Answer | None) -> list[dict]:
    blocks_drawn.append(answer)
    return [bk.section(line) for line in (answer.lines if answer else ["nobody"])]


def test_a_part_of_a_view_is_drawn_once_and_each_caller_gets_its_own_list():
    blocks_drawn.clear()
    kept = freeze(Answer(["a"]))
    first = part(kept)
    first.append(bk.section("added by a caller"))
    second = part(kept)
    assert len(blocks_drawn) == 1 and "added by a caller" not in str(second) and len(second) == 1
    part(None), part(None)
    assert len(blocks_drawn) == 3, "no kept answer: drawn every time"
