from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from clinic_app.formatting import age, clinic_time, html_datetime, phone_for_links, phone_for_people
from clinic_app.mail.outbox import retry_delay


def test_times_are_shown_in_the_clinic_zone_with_the_zone_named():
    winter = datetime(2026, 11, 22, 17, 5, tzinfo=UTC)
    summer = datetime(2026, 7, 1, 16, 30, tzinfo=UTC)
    assert clinic_time(winter, "America/Los_Angeles") == "Sunday, November 22, 2026 at 9:05 AM PST"
    assert clinic_time(summer, "America/Los_Angeles") == "Wednesday, July 1, 2026 at 9:30 AM PDT"


def test_phone_numbers_are_written_the_american_way():
    assert phone_for_people("+15035550142") == "(503) 555-0142"
    assert phone_for_people("+442079460958") == "+44 20 7946 0958"
    assert phone_for_people(None) == ""


def test_phone_links_are_in_e164_however_the_number_is_written():
    assert phone_for_links("(503) 555-0142") == "+15035550142"
    assert phone_for_links("503.555.0142") == "+15035550142"
    assert phone_for_links("(555) 555-0100") == "+15555550100", "a sample number is still linked as set"
    assert phone_for_links("+44 20 7946 0958") == "+442079460958"
    assert phone_for_links("+15035550142") == "+15035550142"


def test_times_for_html_are_in_utc_to_the_second():
    moment = datetime(2026, 11, 22, 9, 5, 9, 123456, tzinfo=timezone(timedelta(hours=-8)))
    assert html_datetime(moment) == "2026-11-22T17:05:09Z"
    assert html_datetime(datetime(2026, 11, 22, 17, 5, 9, 999999)) == "2026-11-22T17:05:09Z"


def test_retry_delay_doubles_from_thirty_seconds_up_to_two_hours():
    assert [retry_delay(n).total_seconds() for n in range(1, 6)] == [30, 60, 120, 240, 480]
    assert retry_delay(9).total_seconds() == 7200
    assert retry_delay(30).total_seconds() == 7200


def test_age_is_short_and_plain():
    now = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
    assert age(now - timedelta(seconds=30), now) == "just now"
    assert age(now - timedelta(minutes=12), now) == "12 min ago"
    assert age(now - timedelta(hours=3, minutes=59), now) == "3 h ago"
    assert age(now - timedelta(days=1, hours=2), now) == "1 day ago"
    assert age(now - timedelta(days=9), now) == "9 days ago"
