"""Reading a plan file: YAML parsed safely, with problems told at the line the author wrote."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from bot.heap import collector_paused
from bot.services.errors import PlanFileError
from bot.services.planfile.validate import (
    Loc,
    _file_position,
    _readable_entries,
    _reference_problems,
    check_references,
)
from bot.services.privacy_planfile import personal_data_problems
from models.planfile import (
    PlanDoc,
)

MAX_FILE_BYTES = 20_000_000

MAX_PROBLEM_CHARS = 300

# libyaml's parser is several times faster than PyYAML's own on a large file; both are safe loaders.
_SafeBase: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_STR_TAG = "tag:yaml.org,2002:str"


class _FastLoader(_SafeBase):
    """The safe loader, with the same tags and the same objects, in less Python time per scalar.

    A 5 MB plan file has about 390,000 scalars, most of them the same few keys and values: each plain
    scalar's tag is worked out once per file (PyYAML tries its implicit-type regexps on every one), and a
    text scalar is its own value (what SafeConstructor's construct_yaml_str returns for it). Nothing is
    constructed that the safe loader would not construct.
    """

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self._tags: dict[tuple[str, Any], str] = {}

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is not yaml.ScalarNode or self.yaml_path_resolvers:  # a path resolver depends on where
            return super().resolve(kind, value, implicit)
        key = (value, implicit)
        tag = self._tags.get(key)
        if tag is None:
            tag = self._tags[key] = super().resolve(kind, value, implicit)
        return tag

    def construct_object(self, node: Any, deep: bool = False) -> Any:
        if node.tag == _STR_TAG and type(node) is yaml.ScalarNode:
            return node.value  # as construct_yaml_str: a scalar holds nothing to recurse into
        return super().construct_object(node, deep)


_RETELL_BELOW = 1_000_000


def _load_yaml(text: str) -> Any:
    try:
        with collector_paused():  # the collector would walk the growing node tree again and again
            return yaml.load(text, Loader=_FastLoader)  # noqa: S506 - a safe loader
    except yaml.YAMLError:
        if _SafeBase is yaml.SafeLoader or len(text) > _RETELL_BELOW:
            raise
        # PyYAML's own parser words its errors more plainly than libyaml; a small file is quick to re-read.
        return yaml.safe_load(text)


Progress = Callable[[int, int], None]


@dataclass
class ImportReport:
    plan_id: int
    created: bool
    changes: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- reading and validating


def parse_plan_text(text: str, source: str = "<plan>") -> PlanDoc:
    """Parse and validate a plan file; raise PlanFileError naming every wrong entry and field."""
    if len(text.encode()) > MAX_FILE_BYTES:
        raise PlanFileError(source, [f"the file is larger than {MAX_FILE_BYTES // 1_000_000} MB"])
    try:
        raw = _load_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(exc, "problem", None) or "not valid YAML"
        raise PlanFileError(source, [f"{where}{problem}"]) from None
    except ValueError as exc:  # PyYAML builds dates itself: 2020-02-30 raises from datetime.date
        raise PlanFileError(source, [f"not valid YAML: {exc} (a date that does not exist?)"]) from None
    except RecursionError:
        raise PlanFileError(source, ["not valid YAML: nested too deeply"]) from None
    if not isinstance(raw, dict):
        raise PlanFileError(source, ["the file must be a YAML mapping with plan, areas, milestones..."])
    try:
        doc = PlanDoc.model_validate(raw)
    except ValidationError as exc:
        raise PlanFileError(source, _problems_of_unreadable(raw, exc, text)) from None
    problems = check_references(doc) + personal_data_problems(doc)
    if problems:
        raise PlanFileError(source, problems)
    return doc


def _problems_of_unreadable(raw: dict[Any, Any], exc: ValidationError, text: str) -> list[str]:
    """Every problem of a file that failed validation, in file order: type errors, keys that are not
    text (named as the file wrote them), and reference errors among the entries that can still be read."""
    located: list[tuple[tuple[int, ...], str]] = []
    key_parents: dict[Loc, None] = {}  # an ordered set
    tree: list[Any] = []  # YAML's node tree, composed once and only when a value needs quoting as written
    for err in exc.errors():
        if err["type"] == "invalid_key":  # pydantic's loc for such a key is a repr: find the key itself
            key_parents[tuple(err["loc"][:-1])] = None
            continue
        if _read_as_other_than_text(err):
            if not tree:
                tree.append(_compose(text))
            located.append((_file_position(raw, err["loc"]), _quote_it(err, raw, tree[0])))
            continue
        located.append((_file_position(raw, err["loc"]), _describe(err, raw)))
    if key_parents:
        located += _non_text_keys(raw, list(key_parents), text)
    located += [
        (_file_position(raw, loc), problem) for loc, problem in _reference_problems(_readable_entries(raw))
    ]
    located.sort(key=lambda item: item[0])
    return [_clip(problem) for _, problem in located]


def _non_text_keys(raw: dict[Any, Any], parents: list[Loc], text: str) -> list[tuple[tuple[int, ...], str]]:
    """`plan.2020-01-01: is not a field ...`: every key of a plan file is a field name, so a key YAML reads
    as a number, a date, true or null is an unknown field, named as written."""
    found: list[tuple[tuple[int, ...], str]] = []
    tree: list[Any] = []  # YAML's node tree, composed once and only when a key needs naming
    for parent in parents:
        node: Any = raw
        for step in parent:
            if isinstance(node, dict):
                node = node.get(step)
            elif isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
                node = node[step]
            else:
                node = None
        if not isinstance(node, dict):
            continue
        for key in node:
            if not isinstance(key, str):
                loc = (*parent, key)
                path = _loc_text(raw, parent)
                if not tree:
                    tree.append(_compose(text))
                name = _written_key(tree[0] if len(found) < _NAMED_AS_WRITTEN else None, loc)
                found.append(
                    (
                        _file_position(raw, loc),
                        f"{path + '.' if path else ''}{name}: is not a field of the plan file (check the spelling)",
                    )
                )
    return found


# Past this many, a key is named as YAML reads it (2020-01-01 for 2020-1-1): only 50 problems are shown.
_NAMED_AS_WRITTEN = 200


def _compose(text: str) -> Any:
    """YAML's node tree, which keeps each key as written; a large file is not read a second time."""
    if len(text) > _RETELL_BELOW:
        return None
    try:
        return yaml.compose(text, Loader=_FastLoader)
    except (yaml.YAMLError, RecursionError):
        return None


def _written_key(tree: Any, loc: Loc) -> str:
    """The key at `loc` as the file spells it (`2020-01-01`, `yes`, `0x10`), found in YAML's node tree."""
    fallback = yaml.safe_dump(loc[-1], default_flow_style=True).strip().removesuffix("...").strip()
    try:
        node: Any = tree
        loader = yaml.SafeLoader("")
        for step in loc:
            if isinstance(node, yaml.MappingNode):
                matches = [
                    (k, v)
                    for k, v in node.value
                    if isinstance(k, yaml.ScalarNode)
                    and (
                        k.tag == _STR_TAG and k.value == step
                        if isinstance(step, str)
                        else k.tag != _STR_TAG and _same_key(loader.construct_object(k), step)
                    )
                ]
                if not matches:
                    return fallback
                key_node, node = matches[-1]
            elif isinstance(node, yaml.SequenceNode) and isinstance(step, int):
                key_node, node = None, node.value[step]
            else:
                return fallback
        return str(key_node.value) if key_node is not None else fallback
    except (yaml.YAMLError, IndexError, ValueError, TypeError):
        return fallback


def _read_as_other_than_text(err: Any) -> bool:
    """A code or key written bare that YAML reads as a number, a date or true/false (`code: 1.10`)."""
    return err["type"] == "string_type" and isinstance(err["input"], int | float | date)


def _quote_it(err: Any, raw: dict[str, Any], tree: Any) -> str:
    """`milestones[1].code: 1.10 is read as a number: write it in quotes, "1.10"`, as the file wrote it:
    YAML has already made 1.10 the number 1.1 (and 010 the number 8)."""
    value = err["input"]
    kind = "true or false" if isinstance(value, bool) else "a date" if isinstance(value, date) else "a number"
    written = _written_value(tree, err["loc"]) or str(value)
    path = ".".join(_path_parts(err["loc"], raw)) or "file"
    return _clip(f'{path}: {written} is read as {kind}: write it in quotes, "{written}"')


def _written_value(tree: Any, loc: Loc) -> str | None:
    """The plain scalar at `loc` as the file spells it, from YAML's node tree; None if it cannot be found."""
    node: Any = tree
    for step in loc:
        if isinstance(node, yaml.MappingNode) and isinstance(step, str):
            values = [v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == step]
            if not values:
                return None
            node = values[-1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and 0 <= step < len(node.value):
            node = node.value[step]
        else:
            return None
    return str(node.value) if isinstance(node, yaml.ScalarNode) else None


def _same_key(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b


def _loc_text(raw: Any, loc: Loc) -> str:
    """`milestones[4] (M-05).updates[0]` for a path of string keys and list indexes."""
    parts: list[str] = []
    node = raw
    for step in loc:
        if isinstance(step, int) and isinstance(node, list) and parts:
            parts[-1] += f"[{step}]"
            node = node[step] if step < len(node) else None
            label = node.get("code") or node.get("key") if isinstance(node, dict) else None
            if isinstance(label, str):
                parts[-1] += f" ({label})"
        else:
            parts.append(str(step))
            node = node.get(step) if isinstance(node, dict) else None
    return ".".join(parts)


def _clip(line: str) -> str:
    # A message quotes what was written: a megabyte-long value must not make a megabyte-long message.
    return line if len(line) <= MAX_PROBLEM_CHARS else line[: MAX_PROBLEM_CHARS - 1] + "…"


def read_plan_file(path: str | Path) -> PlanDoc:
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > MAX_FILE_BYTES:
            raise PlanFileError(str(p), [f"the file is larger than {MAX_FILE_BYTES // 1_000_000} MB"])
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PlanFileError(str(p), [f"cannot read it: {exc}"]) from None
    return parse_plan_text(text, str(p))


def _describe(err: Any, raw: dict[str, Any]) -> str:
    """`milestones[4] (M-05).due: "31.06.18" is not a date`: path, the entry's code, the problem."""
    parts = _path_parts(err["loc"], raw)
    path = ".".join(parts) or "file"
    line = f"{path}: {_error_message(err, parts)}"
    # A message quotes what was written: a megabyte-long value must not make a megabyte-long message.
    return line if len(line) <= MAX_PROBLEM_CHARS else line[: MAX_PROBLEM_CHARS - 1] + "…"


def _path_parts(loc: Any, raw: dict[str, Any]) -> list[str]:
    """The error's location as the author reads it: `milestones[4] (M-05)`, `due`."""
    parts: list[str] = []
    node: Any = raw
    for i, step in enumerate(loc):
        if isinstance(step, int) and isinstance(node, list) and parts:
            parts[-1] += f"[{step}]"
            node = node[step] if isinstance(node, list) and step < len(node) else None
            label = node.get("code") or node.get("key") if isinstance(node, dict) else None
            if isinstance(label, str) and label and i < len(loc) - 1:
                parts[-1] += f" ({label})"
        else:
            if step in {"function-after[_rrule(), str]"}:
                continue
            if not str(step).startswith(("function-", "constrained-")):
                parts.append(str(step))
            node = node.get(step) if isinstance(node, dict) else None
    return parts


def _error_message(err: Any, parts: list[str]) -> str:
    """Pydantic's message for the error, reworded for plan authors where it is about the file's form."""
    kind = err["type"]
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        return "is not a field of the plan file (check the spelling)"
    if kind == "string_pattern_mismatch":
        return f'"{err["input"]}" is not in the expected form ({_pattern_hint(parts[-1] if parts else "")})'
    if kind == "enum":
        return f'"{err["input"]}" is not one of: {err["ctx"]["expected"]}'
    if kind in {"int_parsing", "int_type"}:
        return f'"{err["input"]}" is not a whole number'
    if kind in {"less_than_equal", "greater_than_equal"}:
        return f"{err['input']} is out of range ({err['msg'].lower()})"
    return str(err["msg"]).removeprefix("Value error, ")


def _pattern_hint(name: str) -> str:
    return {
        "code": "letters and digits, in parts joined by - or ., e.g. M-07, M1-2 or 1.1",
        "area": "an area code such as AFI-1 or 2",
        "priority": "a priority code such as SP-1",
        "key": "lower-case letters, digits, dots, dashes, e.g. iro-ops",
        "owner": "a person key such as iro-ops",
        "chair": "a person key",
        "delegate": "a person key",
        "author": "a person key",
        "slack_user_id": "a Slack user id such as U012ABCDEF",
        "email": "an email address",
        "evidence_url": "an http(s) link",
    }.get(name.split("[")[0], "see docs/plan-file.md")
