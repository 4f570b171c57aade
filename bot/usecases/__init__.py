"""Use cases: one Slack-free call per interaction.

Each takes who asks (`base.Asker`: Slack user id, plan, now, today, the deployment's admins), the session
factory to open its own sessions from, and the parsed input, and returns a typed result: the feature's
own (a change made, a view to show) or a shared outcome from results.py (`Refused(reason, field)` for
anything the user can act on, never an exception). Permission, fallback and retry decisions live here,
so handlers only parse a payload, call one use case and render what it returns; the console and the
CLI can call the same functions. One module per feature: admin (owners, delegates), board_paper (the
paper the digest, the summary and the preview share), digest, home, inspection, measures, meetings,
questions, redaction, screening, status, threads (an area's announcement thread) and updates (quick
updates, the form, revised due dates, corrections); form_fields names the update form's inputs.

Layers: handlers -> usecases -> services -> models.
"""
