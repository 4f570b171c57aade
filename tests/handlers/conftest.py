"""Renderer tests import single handler modules; the subcommand modules still reach each other through
handlers.commands at import, so it is loaded first, in the order the app loads it."""

import handlers.commands  # noqa: F401
