"""What the report's cover states: dates in the ROC (民國) and Gregorian calendars, Taiwan time, the regulation's
version, and the people who sign it off."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .data import ExportData

ROC_EPOCH = 1911  # 民國 1 年 = 1912
REGULATION_KIND = "self_regulatory_rules"


def taipei() -> dt.tzinfo:
    """Asia/Taipei (UTC+8, no daylight saving since 1979): from the tz database, else the fixed offset."""
    try:
        return ZoneInfo("Asia/Taipei")
    except ZoneInfoNotFoundError:  # a system without tzdata
        return dt.timezone(dt.timedelta(hours=8), "Asia/Taipei")


def roc_date(day: dt.date) -> str:
    """民國115年11月29日 for 2026-11-29 (the Republic of China calendar, year 1 = 1912)."""
    if day.year <= ROC_EPOCH:
        raise ValueError(f"{day.isoformat()} is before the ROC calendar (1912)")
    return f"民國{day.year - ROC_EPOCH}年{day.month}月{day.day}日"


def both_dates(day: dt.date) -> str:
    """民國115年11月29日（2026-11-29）"""
    return f"{roc_date(day)}（{day.isoformat()}）"


def taipei_time(moment: dt.datetime) -> str:
    """民國115年11月29日 09:00（2026-11-29 09:00 Asia/Taipei, UTC+8） for 01:00 UTC."""
    local = (moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)).astimezone(taipei())
    return f"{roc_date(local.date())} {local:%H:%M}（{local:%Y-%m-%d %H:%M} Asia/Taipei, UTC+8）"


def confidentiality(d: ExportData) -> str:
    """The marking every page of the report and the workbook carries."""
    return (f"機密 CONFIDENTIAL · 限{d.meta.company or d.meta.tenant}內部及主管機關檢查使用 "
            "for the company and examination by the competent authority only")


def regulation_version(d: ExportData) -> str:
    """The regulation the trace read: the instrument's title, then the stored version's label and first day in
    force when the export has them, else the instrument's own dates and that it is the seed text."""
    instruments = d.nodes.get("Instrument", [])
    own = next((i for i in instruments if i.get("kind") == REGULATION_KIND), None)
    if own is None:
        return "種子條文 seed text"
    dates = [f"{label} {both_dates(own[key])}" for key, label in
             (("promulgated_on", "發布 promulgated"), ("effective_from", "施行 in force from")) if own.get(key)]
    count = len(d.provisions)
    title = f"{own['title']} {own.get('title_en') or ''}".strip()
    if d.meta.regulation_version:  # the stored version the trace read (regtrace.versions)
        since = d.meta.regulation_effective_from
        when = (f"{both_dates(since)}起施行 in force from" if since
                else "條文未載施行日 the text states no date of effect")
        return "；".join([title, f"版本 version {d.meta.regulation_version}", when, f"{count} 條文 provisions"])
    return title + "；" + "；".join([*dates, f"種子條文 seed text, {count} 條文 provisions"])


@dataclass(frozen=True)
class Signatory:
    """One line of the sign-off block: the role, and a name and date when given (else left blank to sign)."""

    role_zh: str
    role_en: str
    name: str | None = None
    date: dt.date | None = None


ROLES = (("製表", "Prepared by"), ("覆核", "Reviewed by"), ("核准", "Approved by"))


@dataclass(frozen=True)
class SignOff:
    """製表 / 覆核 / 核准: who prepared, reviewed and approved the report (names and dates, each optional)."""

    prepared_by: str | None = None
    prepared_on: dt.date | None = None
    reviewed_by: str | None = None
    reviewed_on: dt.date | None = None
    approved_by: str | None = None
    approved_on: dt.date | None = None

    def lines(self) -> list[Signatory]:
        values = ((self.prepared_by, self.prepared_on), (self.reviewed_by, self.reviewed_on),
                  (self.approved_by, self.approved_on))
        return [Signatory(zh, en, name, day) for (zh, en), (name, day) in zip(ROLES, values, strict=True)]
