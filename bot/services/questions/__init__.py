"""Questions in plain language: read into typed intents (interpret), dates in words (dates)."""

from bot.services.questions.interpret import PlanTerms, find_code, interpret, normalise, typed_command

__all__ = ["PlanTerms", "find_code", "interpret", "normalise", "typed_command"]
