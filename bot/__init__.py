"""qib-bot: the application (settings, app factory, runtime modes, CLI, scheduler) and its domain services."""
