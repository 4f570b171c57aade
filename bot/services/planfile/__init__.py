"""Import and export of whole plans (YAML), idempotent by code and never losing progress history."""

from __future__ import annotations

from bot.services.planfile.exporting import dump_yaml, export_plan
from bot.services.planfile.importing import find_plan, import_plan
from bot.services.planfile.reading import (
    MAX_FILE_BYTES,
    MAX_PROBLEM_CHARS,
    ImportReport,
    Progress,
    parse_plan_text,
    read_plan_file,
)
from bot.services.planfile.validate import Loc, check_references

__all__ = [
    "ImportReport",
    "MAX_FILE_BYTES",
    "MAX_PROBLEM_CHARS",
    "Progress",
    "parse_plan_text",
    "read_plan_file",
    "Loc",
    "check_references",
    "dump_yaml",
    "export_plan",
    "find_plan",
    "import_plan",
]
