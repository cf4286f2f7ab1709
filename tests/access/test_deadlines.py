"""Working-day deadlines with Vietnam's holidays, Tết included."""

from __future__ import annotations

import datetime

import pytest

from ckanext.vnopendata.sharing import deadlines


def utc(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text)


@pytest.mark.parametrize(
    ("received_utc", "days", "due"),
    [
        # Monday 09:00 in Hà Nội: Tuesday, Wednesday.
        ("2026-03-02T02:00:00", 2, "2026-03-04"),
        # Friday: the weekend does not count.
        ("2026-03-06T02:00:00", 2, "2026-03-10"),
        # Friday 23:30 in Hà Nội is still Friday although UTC says 16:30.
        ("2026-03-06T16:30:00", 1, "2026-03-09"),
        # 00:30 Saturday in Hà Nội is Friday 17:30 UTC: received on Saturday.
        ("2026-03-06T17:30:00", 1, "2026-03-09"),
        # Tết 2026: 16-20 February are holidays.
        ("2026-02-13T02:00:00", 2, "2026-02-24"),
        # Tết 2027 (4-10 February).
        ("2027-02-03T02:00:00", 1, "2027-02-11"),
        # National Day 2026 (31 August - 2 September off).
        ("2026-08-28T02:00:00", 2, "2026-09-04"),
    ],
)
def test_due_date_counts_working_days_in_vietnam(received_utc, days, due):
    assert deadlines.due_date(utc(received_utc), days).isoformat() == due


def test_a_swapped_saturday_is_a_working_day():
    # 22 August 2026 (a Saturday) is worked in exchange for 31 August.
    assert deadlines.is_working_day(datetime.date(2026, 8, 22))
    assert not deadlines.is_working_day(datetime.date(2026, 8, 31))


@pytest.mark.ckan_config("ckanext.vnopendata.requests.response_days", "5")
def test_the_number_of_days_is_a_setting():
    assert deadlines.response_days() == 5
    assert deadlines.due_date(utc("2026-03-02T02:00:00")).isoformat() == "2026-03-09"


def test_overdue_only_after_the_due_day_ends_in_vietnam():
    due = datetime.date(2026, 3, 4)
    assert not deadlines.is_overdue(due, utc("2026-03-04T16:59:59"))
    assert deadlines.is_overdue(due, utc("2026-03-04T17:00:00"))
