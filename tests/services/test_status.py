from datetime import date, timedelta

from bot.services.status import Health, health, is_stale, roll_up

TODAY = date(2020, 2, 7)


def test_overdue_milestone_counts_as_overdue_whatever_its_status():
    assert health("on track", TODAY - timedelta(days=1), TODAY) is Health.OVERDUE


def test_a_milestone_due_today_is_not_overdue_yet():
    assert health("on track", TODAY, TODAY) is Health.ON_TRACK


def test_complete_is_complete_even_after_its_due_date():
    assert health("complete", TODAY - timedelta(days=30), TODAY) is Health.COMPLETE


def test_worst_milestone_wins_the_roll_up():
    assert roll_up([Health.ON_TRACK, Health.AT_RISK, Health.COMPLETE]) is Health.AT_RISK
    assert roll_up([Health.AT_RISK, Health.OVERDUE]) is Health.OVERDUE


def test_all_complete_rolls_up_to_complete_and_empty_to_nothing():
    assert roll_up([Health.COMPLETE, Health.COMPLETE]) is Health.COMPLETE
    assert roll_up([]) is None


def test_work_under_way_with_some_not_started_reads_on_track():
    assert roll_up([Health.ON_TRACK, Health.NOT_STARTED]) is Health.ON_TRACK
    assert roll_up([Health.NOT_STARTED, Health.NOT_STARTED]) is Health.NOT_STARTED


def test_stale_means_no_update_since_the_previous_meeting():
    meeting = date(2020, 1, 16)
    assert is_stale(date(2020, 1, 10), meeting)
    assert not is_stale(date(2020, 1, 16), meeting)
    assert is_stale(None, meeting)
    assert not is_stale(None, None)
