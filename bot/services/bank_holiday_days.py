"""England and Wales bank holidays as the holidays library gives them, written down for the years most used.

Asking the library costs a tenth of a second of CPU in every process that dates a meeting (its registry
imports each of the countries it knows before it answers for one). bot.services.calendar takes a year's
days from here when the installed library is the version they were written from, and asks the library
otherwise, so the answers are the library's either way. After an upgrade of holidays, write the table
anew with `python -m bot.services.bank_holiday_days` (tests/services/test_calendar.py compares the two).
"""

from __future__ import annotations

from datetime import date
from functools import cache

#: The version of holidays these days were written from.
HOLIDAYS_VERSION = "0.109"

#: Each year's weekday bank holidays, as MM-DD.
DAYS: dict[int, str] = {
    2000: "01-03 04-21 04-24 05-01 05-29 08-28 12-25 12-26",
    2001: "01-01 04-13 04-16 05-07 05-28 08-27 12-25 12-26",
    2002: "01-01 03-29 04-01 05-06 06-03 06-04 08-26 12-25 12-26",
    2003: "01-01 04-18 04-21 05-05 05-26 08-25 12-25 12-26",
    2004: "01-01 04-09 04-12 05-03 05-31 08-30 12-27 12-28",
    2005: "01-03 03-25 03-28 05-02 05-30 08-29 12-26 12-27",
    2006: "01-02 04-14 04-17 05-01 05-29 08-28 12-25 12-26",
    2007: "01-01 04-06 04-09 05-07 05-28 08-27 12-25 12-26",
    2008: "01-01 03-21 03-24 05-05 05-26 08-25 12-25 12-26",
    2009: "01-01 04-10 04-13 05-04 05-25 08-31 12-25 12-28",
    2010: "01-01 04-02 04-05 05-03 05-31 08-30 12-27 12-28",
    2011: "01-03 04-22 04-25 04-29 05-02 05-30 08-29 12-26 12-27",
    2012: "01-02 04-06 04-09 05-07 06-04 06-05 08-27 12-25 12-26",
    2013: "01-01 03-29 04-01 05-06 05-27 08-26 12-25 12-26",
    2014: "01-01 04-18 04-21 05-05 05-26 08-25 12-25 12-26",
    2015: "01-01 04-03 04-06 05-04 05-25 08-31 12-25 12-28",
    2016: "01-01 03-25 03-28 05-02 05-30 08-29 12-26 12-27",
    2017: "01-02 04-14 04-17 05-01 05-29 08-28 12-25 12-26",
    2018: "01-01 03-30 04-02 05-07 05-28 08-27 12-25 12-26",
    2019: "01-01 04-19 04-22 05-06 05-27 08-26 12-25 12-26",
    2020: "01-01 04-10 04-13 05-08 05-25 08-31 12-25 12-28",
    2021: "01-01 04-02 04-05 05-03 05-31 08-30 12-27 12-28",
    2022: "01-03 04-15 04-18 05-02 06-02 06-03 08-29 09-19 12-26 12-27",
    2023: "01-02 04-07 04-10 05-01 05-08 05-29 08-28 12-25 12-26",
    2024: "01-01 03-29 04-01 05-06 05-27 08-26 12-25 12-26",
    2025: "01-01 04-18 04-21 05-05 05-26 08-25 12-25 12-26",
    2026: "01-01 04-03 04-06 05-04 05-25 08-31 12-25 12-28",
    2027: "01-01 03-26 03-29 05-03 05-31 08-30 12-27 12-28",
    2028: "01-03 04-14 04-17 05-01 05-29 08-28 12-25 12-26",
    2029: "01-01 03-30 04-02 05-07 05-28 08-27 12-25 12-26",
    2030: "01-01 04-19 04-22 05-06 05-27 08-26 12-25 12-26",
    2031: "01-01 04-11 04-14 05-05 05-26 08-25 12-25 12-26",
    2032: "01-01 03-26 03-29 05-03 05-31 08-30 12-27 12-28",
    2033: "01-03 04-15 04-18 05-02 05-30 08-29 12-26 12-27",
    2034: "01-02 04-07 04-10 05-01 05-29 08-28 12-25 12-26",
    2035: "01-01 03-23 03-26 05-07 05-28 08-27 12-25 12-26",
    2036: "01-01 04-11 04-14 05-05 05-26 08-25 12-25 12-26",
    2037: "01-01 04-03 04-06 05-04 05-25 08-31 12-25 12-28",
    2038: "01-01 04-23 04-26 05-03 05-31 08-30 12-27 12-28",
    2039: "01-03 04-08 04-11 05-02 05-30 08-29 12-26 12-27",
    2040: "01-02 03-30 04-02 05-07 05-28 08-27 12-25 12-26",
}


def written(year: int) -> frozenset[date] | None:
    """The year's days from the table, or None when the table cannot say (another year, another version)."""
    if year not in DAYS or _installed() != HOLIDAYS_VERSION:
        return None
    return frozenset(date(year, int(day[:2]), int(day[3:])) for day in DAYS[year].split())


@cache
def _installed() -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("holidays")
    except PackageNotFoundError:
        return None


def from_library(year: int) -> frozenset[date]:
    """The year's weekday bank holidays, asked of the library: its weekend dates (a Saturday's Boxing
    Day) are not days off, and a year's answer can hold a day of the next."""
    import holidays  # here: a tenth of a second, which a process the table answers never pays

    days = holidays.country_holidays("GB", subdiv="ENG", years=year)
    return frozenset(d for d in days if d.year == year and d.weekday() < 5)


def _table() -> str:
    """The version and table above, as the installed library gives them: paste it over them."""
    from importlib.metadata import version

    lines = [
        "#: The version of holidays these days were written from.",
        f'HOLIDAYS_VERSION = "{version("holidays")}"',
        "",
        "#: Each year's weekday bank holidays, as MM-DD.",
        "DAYS: dict[int, str] = {",
    ]
    for year in sorted(DAYS):
        days = " ".join(d.strftime("%m-%d") for d in sorted(from_library(year)))
        lines.append(f'    {year}: "{days}",')
    return "\n".join([*lines, "}"])


if __name__ == "__main__":
    print(_table())
