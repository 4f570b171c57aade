"""The layers hold at the import level: no import cycle anywhere in our code, no import up a layer.

The table below is the architecture; a new module must be placed in it (an unplaced one fails), and a
change of a layer's allowed imports is a decision to make here, with its reason, not in passing."""

from __future__ import annotations

from pathlib import Path

from tests.architecture.graph import (
    Layer,
    build_graph,
    cycles,
    discover,
    external_imports,
    layer_of,
    shortest_cycle,
    violations,
)

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("bot", "handlers", "models", "seeds", "benchmarks", "qib_testing", "tests")
BELOW_HANDLERS = ("usecases", "deps", "services", "models", "infrastructure")
PACKAGE = ("handlers", "scheduling", "slack_jobs", *BELOW_HANDLERS)
SLACK = ("slack_bolt", "slack_sdk")

LAYERS = (
    Layer(
        "infrastructure",
        ("bot", "bot.settings", "bot.logs", "bot.metrics", "bot.channels", "bot.heap", "seeds.*"),
        (),
        "settings, log format, metrics, the channel-id cache, seed data: leaves any layer may use",
        SLACK,
    ),
    Layer(
        "models", ("models.*",), ("infrastructure",), "tables and the database; knows nothing above", SLACK
    ),
    Layer(
        "services",
        ("bot.services.*",),
        ("models", "infrastructure"),
        "the domain: rules and queries on a session it is given; no Slack, no handler, no use case",
        SLACK,
    ),
    Layer(
        "deps",
        ("bot.deps",),
        ("services", "models", "infrastructure"),
        "the long-lived factories a request is served with (sessions, clock, plan)",
        SLACK,
    ),
    Layer(
        "usecases",
        ("bot.usecases.*",),
        ("deps", "services", "models", "infrastructure"),
        "one Slack-free call per interaction: typed request in, typed result out",
        SLACK,
    ),
    Layer(
        "slack_jobs",
        ("bot.redaction_runner",),
        BELOW_HANDLERS,
        "work on Slack's side that both a handler and the tick start (edits after a redaction)",
    ),
    Layer(
        "handlers",
        ("handlers.*",),
        ("slack_jobs", *BELOW_HANDLERS),
        "Slack adapters: parse a payload, call a use case or service, render",
    ),
    Layer(
        "scheduling",
        ("bot.scheduler.base", "bot.scheduler.digest_post", "bot.scheduler.reminders", "bot.scheduler.tick"),
        ("slack_jobs", *BELOW_HANDLERS),
        "the tick; its renderers are injected (bot.scheduler binds handlers'), so it imports no handler",
    ),
    Layer(
        "composition",
        (
            "bot.__main__",
            "bot.app",
            "bot.cli",
            "bot.cli_plan",
            "bot.cli_runtime",
            "bot.outbox_worker",
            "bot.console",
            "bot.console_clock",
            "bot.console_render",
            "bot.console_slack",
            "bot.dry_run",
            "bot.http",
            "bot.kept_http",
            "bot.modes",
            "bot.respond",
            "bot.scheduler",
            "bot.slack_client",
            "bot.socket_mode",
            "bot.workers",
        ),
        PACKAGE,
        "entry points that build and run the app: they may import anything; nothing imports them back",
    ),
    Layer(
        "test_support",
        ("qib_testing.*",),
        ("composition", *PACKAGE),
        "constants, builders and the Slack signer shared by tests and benchmarks",
    ),
    Layer(
        "benchmarks",
        ("benchmarks.*",),
        ("test_support", "composition", *PACKAGE),
        "measurements of the package; never the tests",
    ),
    Layer(
        "tests",
        ("tests.*",),
        ("benchmarks", "test_support", "composition", *PACKAGE),
        "the tests may use everything; nothing imports them",
    ),
)


def _graph() -> dict[str, frozenset[str]]:
    return build_graph(ROOT, [p for p in PACKAGES if (ROOT / p).is_dir()])


def test_there_is_no_import_cycle() -> None:
    graph = _graph()
    found = cycles(graph)
    assert not found, "import cycles (each: one cycle, then every module caught in it):\n" + "\n".join(
        f"{' -> '.join(shortest_cycle(graph, c))}  [{len(c)} modules: {', '.join(c)}]" for c in found
    )


def test_no_module_imports_up_a_layer_or_sits_in_none() -> None:
    found = violations(_graph(), LAYERS)
    assert not found, "\n".join(found)


def test_the_lower_layers_do_not_import_slack() -> None:
    found = []
    for name, path in discover(ROOT, ["bot", "handlers", "models", "seeds"]).items():
        layer = layer_of(name, LAYERS)
        bad = external_imports(path.read_text()) & set(layer.forbidden_external if layer else ())
        if bad:
            found.append(f"{name} ({layer.name if layer else '-'}) imports {', '.join(sorted(bad))}")
    assert not found, "\n".join(found)


def test_every_layer_named_in_the_table_exists() -> None:
    names = {layer.name for layer in LAYERS}
    assert len(names) == len(LAYERS)
    for layer in LAYERS:
        assert set(layer.may_import) <= names, layer.name
        assert layer.name not in layer.may_import, layer.name
