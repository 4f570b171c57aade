"""The bot the tests drive (qib_testing.bots.serve_bot) costs next to nothing while it waits, so the
suite's CPU goes to what the tests ask of it."""

from __future__ import annotations

import time

from qib_testing.bots import serve_bot


def test_a_waiting_bot_uses_next_to_no_cpu(database_url, engine, slack):
    """Its server loop sleeps on its sockets between requests. A loop that polls them without waiting
    (waitress took the old 0.05 s timeout as 0) spent a core on it for as long as the bot ran."""
    with serve_bot(database_url, engine, slack):
        started = time.process_time()
        time.sleep(0.5)
        spent = time.process_time() - started
    assert spent < 0.05, f"{spent:.2f} s of CPU in 0.5 s of waiting"
