"""/qib text and plain questions: parse_command and interpret, on any text."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bot.services.text import unescape_slack
from handlers.commands.parse import ALIASES, CommandText, parse_command
from handlers.commands.router import ROUTES
from handlers.events.interpret import interpret, strip_mentions
from tests.properties.strategies import SUBCOMMANDS, command_text, examples, words

KNOWN = frozenset(ROUTES)
EXAMPLES = examples(300)


@EXAMPLES
@given(st.one_of(st.none(), command_text))
def test_parse_command_reads_any_text(text):
    parsed = parse_command(text)
    assert isinstance(parsed, CommandText)
    assert parsed.name and parsed.name == parsed.name.strip() and not any(c.isspace() for c in parsed.name)
    assert parsed.args == parsed.args.strip()
    if not (text or "").split():
        assert parsed == CommandText("help", "")
    else:
        first = (text or "").split()[0].lower()
        assert parsed.name == ALIASES.get(first, first)
        assert parsed.args in (text or "")


@EXAMPLES
@given(st.sampled_from(sorted(KNOWN)), words, st.sampled_from([" ", "  ", "\t", " \n "]))
def test_a_subcommand_and_its_words_come_back_apart(name, args, gap):
    parsed = parse_command(f"  {name.upper()}{gap}{args}  ")
    assert parsed.name == name
    assert parsed.args == args.strip()


@EXAMPLES
@given(command_text)
def test_interpret_reads_any_text_to_a_known_subcommand(text):
    parsed = interpret(text, KNOWN)
    assert isinstance(parsed, CommandText)
    assert parsed.name in KNOWN or parsed.name in SUBCOMMANDS
    assert isinstance(parsed.args, str)


@EXAMPLES
@given(command_text, st.sampled_from(["<@UBOT111>", "<@UBOT111|qib>", "<@W0BOT>"]))
def test_a_leading_mention_of_the_bot_changes_nothing(text, mention):
    assert interpret(f"{mention} {text}", KNOWN) == interpret(text, KNOWN)
    assert strip_mentions(f"{mention} {text}") == strip_mentions(text)


@EXAMPLES
@given(st.sampled_from(sorted(KNOWN - {"help"})), words)
def test_a_subcommand_typed_to_the_bot_is_that_subcommand(name, args):
    parsed = interpret(f"<@UBOT111> {name} {args}", KNOWN)
    assert parsed.name == name
    typed = unescape_slack(strip_mentions(args))  # Slack's escaping undone once, after its mentions went
    assert parsed.args == " ".join(typed.split()) or parsed.args == typed.strip()
