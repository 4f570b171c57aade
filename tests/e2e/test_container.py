"""The container's moving parts, tested without Docker: the entrypoint script, the health check, compose."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import yaml
from sqlalchemy import create_engine, inspect

from models.db import current_revision
from qib_testing.bots import Bot

ROOT = Path(__file__).resolve().parents[2]
ENTRYPOINT = ROOT / "docker" / "entrypoint.sh"


def entrypoint(database_url: str, *command: str, **extra: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "QIB_", "LOG_"))}
    env.update(DATABASE_URL=database_url, PATH=f"{Path(sys.executable).parent}:{env.get('PATH', '')}")
    env.update(extra)
    return subprocess.run(
        ["sh", str(ENTRYPOINT), *command], env=env, capture_output=True, text=True, timeout=120
    )


def test_the_entrypoint_upgrades_a_new_database_then_becomes_the_command(tmp_path):
    url = f"sqlite:///{tmp_path / 'new.sqlite3'}"
    done = entrypoint(url, sys.executable, "-c", "print('bot started')")
    assert done.returncode == 0, done.stderr
    engine = create_engine(url)
    assert done.stdout.splitlines()[-2:] == [
        f"database at revision {current_revision(engine)}",
        "bot started",
    ]
    assert inspect(engine).has_table("plan")
    engine.dispose()


def test_the_entrypoint_runs_on_an_up_to_date_database(database_url, engine):
    done = entrypoint(database_url, sys.executable, "-c", "print('bot started')")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "bot started"


def test_a_failed_migration_stops_the_container_before_the_bot_starts():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens here once the socket closes
    done = entrypoint(
        f"postgresql://nobody@127.0.0.1:{port}/qib", sys.executable, "-c", "print('bot started')"
    )
    assert done.returncode != 0
    assert "bot started" not in done.stdout


def healthcheck_command() -> list[str]:
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    found = re.search(r"HEALTHCHECK .*?CMD (\[.*\])", text)
    assert found, "the Dockerfile has no HEALTHCHECK"
    return json.loads(found.group(1))


def test_the_image_health_check_passes_on_a_healthy_bot_and_fails_on_none(bot: Bot):
    command = healthcheck_command()
    command[0] = sys.executable
    port = bot.http.base_url.rsplit(":", 1)[1]
    ok = subprocess.run(command, env={**os.environ, "QIB_PORT": port}, capture_output=True, timeout=30)
    assert ok.returncode == 0, ok.stderr
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        closed = str(s.getsockname()[1])
    down = subprocess.run(command, env={**os.environ, "QIB_PORT": closed}, capture_output=True, timeout=30)
    assert down.returncode != 0


def test_the_image_is_slim_non_root_multi_stage_and_migrates_on_start():
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    stages = re.split(r"^FROM ", text, flags=re.MULTILINE)[1:]
    assert len(stages) == 2 and "slim" in text
    final = stages[-1]
    assert "--from=build /opt/qib /opt/qib" in final
    assert not re.search(r"apt-get|gcc|build-essential|pip install", final)  # no build tools in the image
    assert re.search(r"^USER qib$", final, flags=re.MULTILINE)
    assert 'ENTRYPOINT ["qib-entrypoint"]' in final and "/healthz" in final
    assert "qib db upgrade" in ENTRYPOINT.read_text(encoding="utf-8")


def test_compose_runs_two_http_replicas_on_one_postgresql_16_with_a_volume():
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert services["db"]["image"] == "postgres:16"
    assert any(v.endswith(":/var/lib/postgresql/data") for v in services["db"]["volumes"])
    bots = [s for s in services.values() if s.get("image") == "qib-bot:local"]
    assert len(bots) == 2
    urls = {b["environment"]["DATABASE_URL"] for b in bots}
    assert len(urls) == 1 and "@db:5432/" in urls.pop()
    assert all(b["environment"]["QIB_HTTP"] == "true" for b in bots)
