"""/qib: the command itself (handlers.commands.slash), its parser and its router of subcommands.

The package imports nothing: every feature registers its subcommands through handlers.commands.router,
and a renderer imported on its own must not bring the whole of /qib (every question it can answer) with it."""
