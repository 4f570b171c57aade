"""The import graph of our own code, read from the source (no module is imported to build it).

Every `import` and `from … import` counts, at module level or inside a function, under `if TYPE_CHECKING`
or not: a function-level import that dodges a cycle at start-up is still the same dependency."""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

Graph = Mapping[str, frozenset[str]]


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def discover(root: Path, packages: Iterable[str]) -> dict[str, Path]:
    """Every module of `packages` under `root`, by dotted name."""
    found: dict[str, Path] = {}
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            found[module_name(root, path)] = path
    return found


def _targets(node: ast.AST, importer: str, is_package: bool) -> Iterable[str]:
    if isinstance(node, ast.Import):
        for alias in node.names:
            yield alias.name
        return
    if not isinstance(node, ast.ImportFrom):
        return
    base = node.module or ""
    if node.level:
        anchor = importer.split(".") if is_package else importer.split(".")[:-1]
        anchor = anchor[: len(anchor) - (node.level - 1)]
        base = ".".join([*anchor, *([base] if base else [])])
    for alias in node.names:
        yield f"{base}.{alias.name}"  # a submodule if there is one; resolved below
        yield base


def imports_of(source: str, importer: str, is_package: bool, modules: Iterable[str]) -> frozenset[str]:
    """The modules among `modules` that this source imports. `from pkg import name` depends on
    `pkg.name` when that is a module, else on `pkg` itself; `import a.b.c` on the nearest known module."""
    known = set(modules)
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Import | ast.ImportFrom):
            continue
        candidates = list(_targets(node, importer, is_package))
        if isinstance(node, ast.ImportFrom):
            # pairs: (pkg.name, pkg)
            for submodule, base in zip(candidates[::2], candidates[1::2], strict=True):
                hit = submodule if submodule in known else _nearest(base, known)
                if hit:
                    found.add(hit)
        else:
            for name in candidates:
                hit = _nearest(name, known)
                if hit:
                    found.add(hit)
    found.discard(importer)
    return frozenset(found)


def _nearest(name: str, known: set[str]) -> str | None:
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in known:
            return candidate
        parts.pop()
    return None


def build_graph(root: Path, packages: Iterable[str]) -> dict[str, frozenset[str]]:
    modules = discover(root, packages)
    return {
        name: imports_of(path.read_text(), name, path.name == "__init__.py", modules)
        for name, path in modules.items()
    }


def cycles(graph: Graph) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each sorted: every
    module in one can reach every other, so each is at least one import cycle."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: list[list[str]] = []
    counter = 0

    def visit(start: str) -> None:
        nonlocal counter
        work: list[tuple[str, list[str]]] = [(start, sorted(graph.get(start, ())))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, pending = work[-1]
            if pending:
                nxt = pending.pop()
                if nxt not in index:
                    index[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, sorted(graph.get(nxt, ()))))
                elif nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def shortest_cycle(graph: Graph, component: list[str]) -> list[str]:
    """One shortest import cycle through the component's first module, to show in a failure: a → b → a."""
    start, members = component[0], set(component)
    came_from: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following: list[str] = []
        for node in frontier:
            for nxt in sorted(graph.get(node, ())):
                if nxt == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(came_from[path[-1]])
                    return [*reversed(path), start]
                if nxt in members and nxt not in came_from:
                    came_from[nxt] = node
                    following.append(nxt)
        frontier = following
    return component


@dataclass(frozen=True)
class Layer:
    """A named set of modules and the layers it may import (its own always). A member is a module's
    dotted name, or `name.*` for a package and everything under it; the most specific member wins."""

    name: str
    members: tuple[str, ...]
    may_import: tuple[str, ...]
    reason: str
    forbidden_external: tuple[str, ...] = ()

    def holds(self, module: str) -> int:
        """How specific the best matching member is (0: not this layer; an exact name beats a subtree)."""
        best = 0
        for member in self.members:
            if member.endswith(".*"):
                root = member[:-2]
                if module == root or module.startswith(root + "."):
                    best = max(best, 2 * len(root))
            elif module == member:
                best = max(best, 2 * len(member) + 1)
        return best


def layer_of(module: str, layers: Iterable[Layer]) -> Layer | None:
    best = max(layers, key=lambda layer: layer.holds(module), default=None)
    return best if best is not None and best.holds(module) else None


def violations(graph: Graph, layers: Iterable[Layer]) -> list[str]:
    """Every import into a layer the importer may not use, and every module placed in no layer."""
    table = list(layers)
    found: list[str] = []
    for importer, targets in sorted(graph.items()):
        own = layer_of(importer, table)
        if own is None:
            found.append(f"{importer} is in no layer: add it to the table")
            continue
        for target in sorted(targets):
            theirs = layer_of(target, table)
            if theirs is None:
                found.append(f"{target} (imported by {importer}) is in no layer: add it to the table")
            elif theirs is not own and theirs.name not in own.may_import:
                found.append(f"{importer} ({own.name}) imports {target} ({theirs.name})")
    return found


def external_imports(source: str) -> frozenset[str]:
    """The top-level names of every absolute import in `source` (`slack_sdk` for `slack_sdk.errors`)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            found.add(node.module.split(".")[0])
    return frozenset(found)
