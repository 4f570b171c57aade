"""A running bot freezes what start-up made, so full collections during requests stay short."""

from __future__ import annotations

import gc

from bot.heap import freeze_start_up_heap


def test_what_start_up_made_is_out_of_the_collectors_sight():
    gc.unfreeze()
    try:
        made = [object() for _ in range(100)]
        freeze_start_up_heap()
        assert gc.get_freeze_count() >= len(made)
    finally:
        gc.unfreeze()
