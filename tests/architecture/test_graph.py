"""The checker itself, on small made-up graphs and sources: it must see a cycle and an upward import."""

from __future__ import annotations

from pathlib import Path

from tests.architecture.graph import Layer, build_graph, cycles, imports_of, shortest_cycle, violations

LAYERS = (
    Layer("low", ("app.low.*",), (), "the bottom"),
    Layer("high", ("app.high.*", "app.main"), ("low",), "uses low"),
)


def test_a_planted_cycle_is_found_and_a_chain_is_not() -> None:
    chain = {"a": frozenset({"b"}), "b": frozenset({"c"}), "c": frozenset()}
    assert cycles(chain) == []
    planted = {**chain, "c": frozenset({"a"}), "d": frozenset({"d"}), "e": frozenset({"a"})}
    assert cycles(planted) == [["a", "b", "c"]]
    assert shortest_cycle(planted, ["a", "b", "c"]) == ["a", "b", "c", "a"]


def test_two_separate_cycles_are_both_reported() -> None:
    graph = {"a": frozenset({"b"}), "b": frozenset({"a"}), "x": frozenset({"y"}), "y": frozenset({"x", "a"})}
    assert cycles(graph) == [["a", "b"], ["x", "y"]]


def test_an_upward_import_and_an_unplaced_module_are_violations() -> None:
    graph = {
        "app.low.a": frozenset({"app.low.b"}),  # within a layer: fine
        "app.low.b": frozenset({"app.high.x"}),  # up: not fine
        "app.high.x": frozenset({"app.low.a"}),  # down: fine
        "app.main": frozenset({"app.stray"}),
        "app.stray": frozenset(),
    }
    assert violations(graph, LAYERS) == [
        "app.low.b (low) imports app.high.x (high)",
        "app.stray (imported by app.main) is in no layer: add it to the table",
        "app.stray is in no layer: add it to the table",
    ]


def test_function_level_relative_and_from_imports_all_count() -> None:
    modules = {"pkg", "pkg.a", "pkg.b", "pkg.c", "pkg.sub", "pkg.sub.d", "other"}
    source = (
        "from pkg import b\n"  # a submodule, by from-import
        "from pkg.sub import something\n"  # a name in a package: the package
        "def f():\n"
        "    from . import c\n"  # function-level and relative
        "    import pkg.sub.d.deeper\n"  # the nearest module we know
        "if False:\n"
        "    import other\n"
        "import os\n"
    )
    assert imports_of(source, "pkg.a", False, modules) == {"pkg.b", "pkg.sub", "pkg.c", "pkg.sub.d", "other"}


def test_the_graph_is_read_from_files(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("from .a import x\n")
    (tmp_path / "pkg" / "a.py").write_text("def f():\n    import pkg\n")
    graph = build_graph(tmp_path, ["pkg"])
    assert graph == {"pkg": frozenset({"pkg.a"}), "pkg.a": frozenset({"pkg"})}
    assert cycles(graph) == [["pkg", "pkg.a"]]
