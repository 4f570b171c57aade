"""Handlers parse, call one use case and render: no listener or subcommand body over 25 lines.

A listener is an `on_*` function (what Bolt calls) or a subcommand (`(ask, args)`). Docstrings do not
count.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

HANDLERS = Path(__file__).resolve().parents[2] / "handlers"
LIMIT = 25


def _is_listener(fn: ast.FunctionDef) -> bool:
    params = [a.arg for a in fn.args.args]
    return fn.name.startswith("on_") or params == ["ask", "args"]


def body_lines(fn: ast.FunctionDef) -> int:
    body = fn.body
    if isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:] or body
    return (body[-1].end_lineno or body[-1].lineno) - body[0].lineno + 1


def listeners() -> list[tuple[str, int]]:
    found = []
    for path in sorted(HANDLERS.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef) and _is_listener(node):
                found.append(
                    (f"{path.relative_to(HANDLERS.parent)}:{node.lineno} {node.name}", body_lines(node))
                )
    return found


def test_there_are_listeners_to_check() -> None:
    assert len(listeners()) > 20


@pytest.mark.parametrize(("where", "lines"), listeners(), ids=[w for w, _ in listeners()])
def test_a_listener_body_is_short(where: str, lines: int) -> None:
    assert lines <= LIMIT, f"{where} has {lines} lines: move its decisions into a use case"
