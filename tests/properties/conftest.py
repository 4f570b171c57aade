"""The end-to-end bot, for the property tests that drive it over HTTP."""

from tests.security.conftest import bot, slack  # noqa: F401
