"""Rendering the outcomes every use case shares, the same way on every surface."""

from __future__ import annotations

from typing import NoReturn, TypeVar

from bot.services.errors import InvalidInput
from bot.usecases.results import Refused

T = TypeVar("T")


def ok(result: T | Refused) -> T:
    """The use case's result; a refusal goes to the app's error reply (the reason shown as it is, privately),
    which is how every handler has always answered something the user can act on."""
    if isinstance(result, Refused):
        refuse(result)
    return result


def refuse(result: Refused) -> NoReturn:
    raise InvalidInput(result.reason, field=result.field, also=result.also)
