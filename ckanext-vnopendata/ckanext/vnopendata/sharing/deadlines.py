"""Working days in Vietnam: answer deadlines and grant expiry instants.

An agency answers an access request within a number of working days
(`ckanext.vnopendata.requests.response_days`, default 2: Decree 194/2025
Art 40(3) amending Decree 47/2020; whether it survives Decree 278/2025 is
unverified, hence the setting). Working days skip weekends and Vietnam's
public holidays, Tết included, and count the Saturdays the government
swaps in as working days (the `holidays` package knows both).
"""

from __future__ import annotations

import datetime
import functools
from zoneinfo import ZoneInfo

import ckan.plugins.toolkit as tk
import holidays

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


@functools.lru_cache(maxsize=8)
def _calendar(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("VN", years=range(year - 1, year + 3))


def response_days() -> int:
    return int(tk.config.get("ckanext.vnopendata.requests.response_days"))


def vietnam_today(now: datetime.datetime | None = None) -> datetime.date:
    """Today's date in Vietnam; `now` is naive UTC as CKAN stores it."""
    now = now or datetime.datetime.utcnow()
    return now.replace(tzinfo=datetime.timezone.utc).astimezone(VIETNAM).date()


def is_working_day(day: datetime.date) -> bool:
    return _calendar(day.year).is_working_day(day)


def due_date(received: datetime.datetime, days: int | None = None) -> datetime.date:
    """The last working day for the answer to a request received at
    `received` (naive UTC): the Nth working day after the day received."""
    day = vietnam_today(received)
    return _calendar(day.year).get_nth_working_day(day, days or response_days())


def is_overdue(due: datetime.date, now: datetime.datetime | None = None) -> bool:
    return vietnam_today(now) > due


def end_of_day_utc(day: datetime.date) -> datetime.datetime:
    """Midnight in Vietnam after `day`, as naive UTC: when access that lasts
    "until `day`" ends."""
    midnight = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(), VIETNAM)
    return midnight.astimezone(datetime.timezone.utc).replace(tzinfo=None)
