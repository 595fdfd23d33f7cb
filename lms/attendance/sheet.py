"""The take-attendance sheet: a status and minutes field for each person, and what the page showed them as.

Each row carries `seen-<id>`, the status and minutes the page was loaded with ("present:60", "late:",
or "" for not marked), so the service can leave out rows nobody touched and refuse rows someone else
changed in the meantime. A row without it counts as loaded unmarked.
"""

from dataclasses import dataclass, field

from flask_babel import gettext as _

from lms.attendance.models import AttendanceRecord, Status
from lms.attendance.services import NOT_MARKED, Mark, Shown, shown

#: A day: more minutes than any session lasts.
MAX_MINUTES = 1440


def seen_token(state: Shown) -> str:
    status, minutes = state
    return "" if status is None else f"{status.value}:{'' if minutes is None else minutes}"


def parse_seen(token: str) -> Shown:
    """What a row's hidden field says the page showed; anything unreadable counts as not marked."""
    status, _sep, minutes = token.partition(":")
    if status not in set(Status) or not (minutes == "" or minutes.isdigit()):
        return NOT_MARKED
    return Status(status), int(minutes) if minutes else None


@dataclass
class Sheet:
    """A posted sheet: the marks, what was typed and seen by person id, and errors as (field, message)."""

    marks: list[Mark] = field(default_factory=list)
    typed: dict[int, tuple[str, str]] = field(default_factory=dict)
    seen: dict[int, str] = field(default_factory=dict)
    errors: dict[int, tuple[str, str]] = field(default_factory=dict)


def read_sheet(form) -> Sheet:
    """The marks posted for each person. Any posted id is passed on: the service refuses those off the roster.

    A row is known by its status or its seen field: a group of radio buttons with none chosen posts no status.
    """
    ids = {int(key) for prefix in ("status-", "seen-") for k in form
           if k.startswith(prefix) and (key := k[len(prefix):]).isdigit()}
    sheet = Sheet()
    for uid in sorted(ids):
        status, minutes = form.get(f"status-{uid}", ""), form.get(f"minutes-{uid}", "").strip()
        sheet.typed[uid], sheet.seen[uid] = (status, minutes), form.get(f"seen-{uid}", "")
        seen = parse_seen(sheet.seen[uid])
        if minutes and not (minutes.isdigit() and int(minutes) <= MAX_MINUTES):
            sheet.errors[uid] = ("minutes", _("Enter the minutes as a whole number from 0 to %(max)s.",
                                              max=MAX_MINUTES))
        elif status == "" and seen != NOT_MARKED:
            sheet.errors[uid] = ("status", _("A mark cannot be removed. Choose Absent or Excused instead."))
        elif status == "" and minutes:
            sheet.errors[uid] = ("status", _("Choose a status for the minutes you typed."))
        elif status != "" and status not in set(Status):
            sheet.errors[uid] = ("status", _("Choose a status from the list."))
        elif status:
            sheet.marks.append(Mark(uid, Status(status), int(minutes) if minutes else None, seen=seen))
    return sheet


def shown_again(sheet: Sheet, records: dict[int, AttendanceRecord],
                changed: dict[int, AttendanceRecord | None]) -> tuple[dict, dict]:
    """What a refused sheet shows again: (typed, seen) by person id.

    Rows left as loaded show the records as they are now; rows the person changed keep what they typed
    and what the page was loaded with, except rows someone else changed, which now count as seen.
    """
    typed, seen = {}, {uid: seen_token(shown(r)) for uid, r in records.items()}
    for uid, (status, minutes) in sheet.typed.items():
        if seen_token(parse_seen(sheet.seen[uid])) == (f"{status}:{minutes}" if status else ""):
            continue
        typed[uid] = (status, minutes)
        if uid not in changed:
            seen[uid] = sheet.seen[uid]
    return typed, seen
