from __future__ import annotations

from datetime import UTC, datetime, timedelta

from clinic_app.accounts.rules import FREE_TRIES, LOCK_AFTER, LOCK_FOR, after_failure, wait_left

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def test_the_first_wrong_passwords_cost_nothing():
    for before in range(FREE_TRIES - 1):
        assert after_failure(before, NOW).blocked_until is None


def test_then_each_try_waits_twice_as_long():
    waits = [
        after_failure(before, NOW).blocked_until - NOW for before in range(FREE_TRIES - 1, FREE_TRIES + 3)
    ]
    assert waits == [
        timedelta(seconds=5),
        timedelta(seconds=10),
        timedelta(seconds=20),
        timedelta(seconds=40),
    ]


def test_many_failures_lock_the_account_for_a_while():
    state = after_failure(LOCK_AFTER - 1, NOW)
    assert state.locked and state.blocked_until == NOW + LOCK_FOR


def test_wait_left():
    assert wait_left(None, NOW) is None
    assert wait_left(NOW - timedelta(seconds=1), NOW) is None
    assert wait_left(NOW + timedelta(seconds=7), NOW) == timedelta(seconds=7)


def test_long_but_guessable_passwords_are_refused_with_a_reason():
    from clinic_app.accounts.rules import password_problem

    assert password_problem("short", []) == "Use at least 12 characters."
    for guessable in ("aaaaaaaaaaaa", "password1234", "abcdefghijkl", "hunter2hunter2"):
        problem = password_problem(guessable, [])
        assert problem and problem.startswith("That password is too easy to guess."), guessable
    assert password_problem("dana.desk@clinic.example", ["dana.desk@clinic.example", "Dana Desk"])
    assert password_problem("correct horse battery staple", []) is None
