"""Finding an area or milestone from what someone typed, pinned on the Durham plan. Every test runs
twice: reading what it needs from the database, and searching the plan's entries kept for the revision
(as the bot does), which must find exactly the same."""

from __future__ import annotations

import pytest

from bot.services.search import MAX_CHOICES, SearchResult, normalise_code, search


@pytest.fixture(params=["read", "kept"])
def db(request, sessions, kept, durham):
    """The `read` session reads what each search needs; the `kept` one searches the kept entries (the
    Durham plan imported first, so that they are read after it)."""
    with sessions() if request.param == "read" else kept() as session:
        yield session


def matched(result: SearchResult) -> tuple[str, str] | None:
    assert result.kind == "match", result
    assert result.match is not None and result.choices == []
    return (result.match.kind, result.match.code)


def choice_codes(result: SearchResult) -> list[str]:
    assert result.kind == "choices", result
    assert result.match is None
    return [c.code for c in result.choices]


# ------------------------------------------------------------------ codes


@pytest.mark.parametrize("typed", ["M-07", "m7", "m-07", "M07", "m 07", "how is m7 doing?", "status of M-07"])
def test_a_milestone_code_in_any_spelling_is_a_match(db, durham, typed):
    assert matched(search(db, durham, typed)) == ("milestone", "M-07")


@pytest.mark.parametrize("typed", ["AFI-5", "afi5", "afi 5", "Afi-05"])
def test_an_area_code_in_any_spelling_is_a_match(db, durham, typed):
    assert matched(search(db, durham, typed)) == ("area", "AFI-5")


def test_a_priority_code_is_a_match(db, durham):
    assert matched(search(db, durham, "sp 2")) == ("priority", "SP-2")


def test_two_codes_are_offered_as_choices(db, durham):
    assert choice_codes(search(db, durham, "M-03 or M-05?")) == ["M-03", "M-05"]


def test_a_code_the_plan_does_not_have_finds_nothing(db, durham):
    assert search(db, durham, "M-99").kind == "none"


@pytest.mark.parametrize("typed", ["ZZ-17", "X17", "17"])
def test_a_code_the_plan_does_not_have_is_not_found_by_its_number_in_a_title(db, durham, typed):
    """No code ZZ-17: the plan's titles that mention 16 and 17 year olds are not what was asked about."""
    assert search(db, durham, typed).kind == "none"


def test_codes_normalise_to_letters_and_unpadded_numbers():
    assert normalise_code("M-07") == normalise_code("m7") == normalise_code("M 007") == "m-7"
    assert normalise_code("AFI-5") == "afi-5"
    assert normalise_code("M-10") == "m-10"


def test_two_part_and_dotted_codes_keep_their_parts():
    assert normalise_code("M1-2") == normalise_code("m1.2") == normalise_code("M-1-02") == "m-1-2"
    assert normalise_code("M1-2") != normalise_code("M-12")
    assert normalise_code("1.1") == "1-1" and normalise_code("M0.1") == "m-0-1"


# ------------------------------------------------------------------ words


@pytest.mark.parametrize(
    "typed",
    [
        "foster carer reviews",
        "fostr carer reveiws",  # typos
        "reviews foster carer",  # word order
        "How are we doing on foster carer reviews?",  # filler
        "status of foster carers' reviews",
        "timeliness of foster carer reviews",
    ],
)
def test_foster_carer_reviews_is_the_area_not_its_milestones(db, durham, typed):
    # AFI-5's title is exactly these words; its milestones M-16 and M-17 also mention them, so the
    # area (which holds them both) is the clear answer.
    assert matched(search(db, durham, typed)) == ("area", "AFI-5")


def test_words_only_one_milestone_has_pick_that_milestone(db, durham):
    assert matched(search(db, durham, "foster carer reviews addressed")) == ("milestone", "M-16")
    assert matched(search(db, durham, "liquidlogic")) == ("milestone", "M-08")
    assert matched(search(db, durham, "peer support")) == ("milestone", "M-10")


def test_private_fostering_is_the_area_that_holds_both_its_milestones(db, durham):
    # AFI-4's description names "private fostering"; M-19 and M-20 (both in AFI-4) say it in their titles.
    assert matched(search(db, durham, "private fostering")) == ("area", "AFI-4")


def test_area_titles_and_descriptions_are_searched(db, durham):
    assert matched(search(db, durham, "children missing education")) == ("area", "AFI-6")
    assert matched(search(db, durham, "children returning home")) == ("area", "AFI-2")
    assert matched(search(db, durham, "management oversight")) == ("area", "AFI-1")
    assert matched(search(db, durham, "homeless 16 and 17 year olds")) == ("area", "AFI-4")


def test_an_owner_name_finds_what_they_own(db, durham):
    assert matched(search(db, durham, "Quinn Walsh")) == ("milestone", "M-18")
    assert sorted(choice_codes(search(db, durham, "alex morgan"))) == ["M-05", "M-16"]


def test_words_several_entries_share_give_a_short_choice_list(db, durham):
    found = choice_codes(search(db, durham, "supervision"))
    assert {"M-06", "M-07", "M-09", "SP-2"} <= set(found)
    assert len(found) <= MAX_CHOICES
    assert choice_codes(search(db, durham, "reflective supervision"))[:2] == ["SP-2", "M-09"]


def test_a_common_word_gives_at_most_eight_choices(db, durham):
    assert len(choice_codes(search(db, durham, "children"))) == MAX_CHOICES


@pytest.mark.parametrize("typed", ["xylophone quantum", "", "?", "how are we doing on", "status"])
def test_nothing_close_is_none(db, durham, typed):
    result = search(db, durham, typed)
    assert result.kind == "none" and result.match is None and result.choices == []


def test_the_words_searched_for_drop_the_filler(db, durham):
    assert search(db, durham, "How are we doing on foster carer reviews?").words == (
        "foster",
        "carer",
        "review",
    )


# ------------------------------------------------------------------ meaning, not one shared word


@pytest.mark.parametrize("typed", ["supervision", "supervisions", "supervising", "Supervision?"])
def test_every_form_of_a_word_finds_every_milestone_about_it(db, durham, typed):
    codes = choice_codes(search(db, durham, typed))
    assert {"M-06", "M-07", "M-08", "M-09", "SP-2"} <= set(codes)


def test_fostering_finds_what_was_privately_fostered(db, durham):
    assert matched(search(db, durham, "private fostering")) == ("area", "AFI-4")


@pytest.mark.parametrize("typed", ["adult services", "highways work"])
def test_one_common_word_shared_with_the_plan_is_not_a_match(db, durham, typed):
    result = search(db, durham, typed)
    assert result.kind == "none", result


def test_a_generic_word_beside_a_known_subject_still_finds_the_subject(db, durham):
    codes = choice_codes(search(db, durham, "supervision sessions"))
    assert {"M-06", "M-07"} <= set(codes)


def test_words_stemmed_on_several_threads_at_once_get_their_own_stems():
    """waitress answers on several threads; a Snowball stemmer keeps the word it is working on."""
    import itertools
    import sys
    import threading

    import snowballstemmer

    from bot.services import search as searching

    bases = ["supervisions", "fostering", "reviewing", "assessments", "planning", "visited", "consultations"]
    words = [base + "".join(tail) for base in bases for tail in itertools.product("abcdefgh", repeat=3)]
    alone = snowballstemmer.stemmer("english")
    expected = {w: alone.stemWord(w) for w in words}
    seen: dict[str, str] = {}
    errors: list[BaseException] = []

    def stem_all() -> None:
        try:
            for word in words:
                seen[word] = searching._normal_word(word)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    searching._normal_word.cache_clear()
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads take turns as often as they can
    try:
        threads = [threading.Thread(target=stem_all) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(interval)
        searching._normal_word.cache_clear()
    assert errors == []
    assert seen == expected
