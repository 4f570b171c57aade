"""Use cases: one Slack-free call per interaction.

Each takes a typed request (who asks, which plan, the clock, the parsed input) and returns a typed result
(see results.py). Permission, fallback and retry decisions live here, so handlers only parse a payload,
call one use case and render what it returns; the console and the CLI call the same functions.
Layers: handlers -> usecases -> services -> models.
"""
