"""A running bot freezes what start-up made, so full collections during requests stay short."""

from __future__ import annotations

import gc

from bot.heap import collector_paused, freeze_start_up_heap


def test_what_start_up_made_is_out_of_the_collectors_sight():
    gc.unfreeze()
    try:
        made = [object() for _ in range(100)]
        freeze_start_up_heap()
        assert gc.get_freeze_count() >= len(made)
    finally:
        gc.unfreeze()


def test_the_collector_is_paused_inside_and_left_as_it_was_after():
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # a caller's own pause is not ended by ours
    finally:
        gc.enable()


def test_the_collector_comes_back_when_the_build_fails():
    try:
        with collector_paused():
            raise ValueError("not valid YAML")
    except ValueError:
        pass
    assert gc.isenabled()
