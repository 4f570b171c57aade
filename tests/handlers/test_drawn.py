"""Replies drawn from kept answers are drawn once per answer (the board paper once per kept paper and
day); fresh answers are drawn every time, and a caller extending its reply never changes the next one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.services import read_model
from bot.services.digest import Digest
from bot.services.read_model import freeze
from bot.settings import Settings
from bot.usecases import board_paper
from handlers import blocks as bk
from handlers.blocks import Reply
from handlers.drawn import blocks_once, drawn_once, forget, paper_drawn_once
from models.db import make_sessionmaker
from tests.usecases.support import NOW


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


papers_drawn: list[Digest] = []


@paper_drawn_once
def paper_reply(paper: Digest, *, shared: bool = False) -> Reply:
    papers_drawn.append(paper)
    return Reply(text=f"{paper.plan_title} {paper.generated_at:%d %B}", blocks=[])


def _papers(sessions, plan_id: int, *moments: datetime) -> list[Digest]:
    with sessions() as db:
        return [board_paper.preview_in(db, plan_id, Settings(_env_file=None), at) for at in moments]


def test_the_kept_board_paper_is_drawn_once_a_day_whatever_its_moment(engine, durham):
    papers_drawn.clear()
    read_model.answers.clear()
    morning, later, tomorrow = _papers(
        make_sessionmaker(engine), durham, NOW, NOW + timedelta(hours=2), NOW + timedelta(days=1)
    )
    assert morning.generated_at != later.generated_at  # each request's copy has its own moment
    assert paper_reply(morning).text == paper_reply(later).text and len(papers_drawn) == 1
    assert paper_reply(morning, shared=True) and len(papers_drawn) == 2  # other arguments, other reply
    assert "04 February" in paper_reply(tomorrow).text and len(papers_drawn) == 3


def test_a_board_paper_not_kept_is_drawn_every_time(sessions, durham):
    papers_drawn.clear()
    first, again = _papers(sessions, durham, NOW, NOW)  # sessions that keep no answers
    paper_reply(first), paper_reply(again)
    assert len(papers_drawn) == 2
