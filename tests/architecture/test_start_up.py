"""What a `qib` command loads: the cron tick and the digest preview start without the libraries they never
use (Bolt, the stemmer's thirty languages, the holidays registry, matplotlib), each a tenth of a second
or more of CPU in every process; and a handler module imports first, in any order, not only in the
order the app happens to load them.

Each case is a fresh interpreter, as a command is: what an earlier test imported cannot hide a load."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

#: Never imported to start a tick, a dry run or a digest preview (matplotlib: until a chart is drawn).
HEAVY = ("slack_bolt", "snowballstemmer", "holidays", "matplotlib")

#: What `qib tick` (real or --dry-run) and `qib digest --preview` import before they run.
COMMANDS = (
    "bot.cli",
    "bot.cli_runtime",
    "bot.deps",
    "bot.dry_run",
    "bot.scheduler",
    "bot.slack_client",
    "bot.console_render",
    "bot.usecases.board_paper",
)

_LOADED = (
    "import sys\n"
    "print(' '.join(sorted({m.split('.')[0] for m in sys.modules} & set(sys.argv[1].split(',')))))\n"
)


def _run(source: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", source, *args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize("first", ["handlers.digest.render", "handlers.questions", "handlers.status.render"])
def test_the_tick_and_the_digest_preview_start_without_the_heavy_libraries(first: str) -> None:
    # `first` is imported before anything else: the renderer the tick binds, and the modules that share
    # its imports, must import in any order.
    done = _run("".join(f"import {m}\n" for m in (first, *COMMANDS)) + _LOADED, ",".join(HEAVY))
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == []
