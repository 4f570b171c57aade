import pytest

from bot.modes import choose_mode
from bot.settings import Settings, SettingsError

BOT = {"slack_bot_token": "xoxb-1"}
APP = {"slack_app_token": "xapp-1"}
SECRET = {"slack_signing_secret": "s3cret"}


def settings(**values) -> Settings:
    return Settings(_env_file=None, **values)


def test_no_slack_settings_means_the_console():
    assert choose_mode(settings()) == "console"


def test_bot_and_app_tokens_mean_socket_mode():
    assert choose_mode(settings(**BOT, **APP)) == "socket"


def test_http_needs_asking_for_and_a_signing_secret():
    assert choose_mode(settings(**BOT, **SECRET), want_http=True) == "http"
    assert choose_mode(settings(**BOT, **SECRET, qib_http=True)) == "http"
    assert choose_mode(settings(**BOT, **APP, **SECRET), want_http=True) == "http"


@pytest.mark.parametrize(
    ("values", "want_http", "message"),
    [
        (BOT, False, "SLACK_BOT_TOKEN is set but Socket Mode needs SLACK_APP_TOKEN too"),
        (APP, False, "SLACK_APP_TOKEN is set but Socket Mode needs SLACK_BOT_TOKEN too"),
        (SECRET, False, "SLACK_SIGNING_SECRET is set but HTTP mode needs SLACK_BOT_TOKEN too"),
        ({**BOT, **SECRET}, False, "add --http"),
        (BOT, True, "HTTP mode needs SLACK_SIGNING_SECRET"),
        ({}, True, "HTTP mode needs SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET"),
    ],
)
def test_a_partial_configuration_says_what_is_missing_for_which_mode(values, want_http, message):
    with pytest.raises(SettingsError, match=message):
        choose_mode(settings(**values), want_http=want_http)


def test_secrets_never_show_in_the_settings_repr():
    s = settings(**BOT, **APP, **SECRET)
    assert "xoxb-1" not in repr(s) and "s3cret" not in repr(s) and "xapp-1" not in str(s)
