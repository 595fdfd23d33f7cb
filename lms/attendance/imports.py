"""Attendance from a video meeting's participant report (Zoom, Teams or Meet export as CSV).

Rows for one person (by email, else by name) are merged; overlapping join/leave spans count once, and
only the time within the session counts (report times are read in the program's time zone), never more
than the session lasts. People are matched to the roster by email, then by name; the rest can be matched
by hand, each roster person to one entry of the report. An import only fills people nobody marked and
updates what an earlier import saved: a facilitator's mark or a check-in is left as it is. Nothing is
saved until the facilitator confirms, and saving the same report again changes nothing.
"""

import csv
import io
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app

from lms.accounts.models import User
from lms.attendance.models import AttendanceRecord, LearningSession, Source, Status
from lms.attendance.roster import roster
from lms.attendance.services import AttendanceError, Mark, lock_session, mark, records_of, session_minutes
from lms.i18n import lazy_gettext as _l

MAX_ROWS = 5_000
#: Header names used by the common video-meeting exports, lower-cased.
NAME_COLUMNS = ("name (original name)", "name", "participant", "full name")
EMAIL_COLUMNS = ("user email", "email", "email address")
JOIN_COLUMNS = ("join time", "joined", "first join")
LEAVE_COLUMNS = ("leave time", "left", "last leave")
DURATION_COLUMNS = ("duration (minutes)", "duration (mins)", "duration", "time in call (minutes)")
TIME_FORMATS = ("%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %I:%M %p", "%Y-%m-%d %H:%M:%S",
                "%Y-%m-%dT%H:%M:%S", "%d/%m/%Y %H:%M:%S")


def fold(text: str) -> str:
    """Compare names without letter case, accents or extra spaces: "Nguyễn  Thị Lan" ~ "nguyen thi lan"."""
    decomposed = unicodedata.normalize("NFKD", text.replace("Đ", "D").replace("đ", "d"))
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).casefold().split())


@dataclass
class Participant:
    """One person of the report, with their rows merged."""

    key: str
    name: str
    email: str
    minutes: int
    lines: list[int] = field(default_factory=list)
    user: User | None = None
    how: str = ""  # "email", "name" or "hand"
    #: Why the hand match chosen for this entry was refused.
    error: str = ""
    #: The record a facilitator or a check-in made for the matched person; the import leaves it as it is.
    kept: AttendanceRecord | None = None

    def proposed(self, min_minutes: int) -> Status:
        return Status.PRESENT if self.minutes >= min_minutes else Status.ABSENT


@dataclass
class ImportPlan:
    participants: list[Participant]
    file_errors: list
    by_hand: dict[str, int] = field(default_factory=dict)

    @property
    def matched(self) -> list[Participant]:
        return [p for p in self.participants if p.user is not None]

    @property
    def unmatched(self) -> list[Participant]:
        return [p for p in self.participants if p.user is None]

    @property
    def choosable(self) -> list[Participant]:
        """Entries not matched by email or name: the facilitator says who they are."""
        return [p for p in self.participants if p.how in ("", "hand")]

    @property
    def refused(self) -> list[Participant]:
        return [p for p in self.participants if p.error]


def _column(headers: list[str], names: tuple[str, ...]) -> str | None:
    return next((h for h in headers if h in names), None)


def _time(value: str) -> datetime | None:
    for pattern in TIME_FORMATS:
        try:
            return datetime.strptime(value.strip(), pattern)
        except ValueError:
            continue
    return None


#: Bigger than any meeting's minutes: a report's number is cut to it before any arithmetic.
HUGE_MINUTES = 1_000_000


def _duration(value: str) -> int | None:
    """Minutes written as a plain number ("45", "44.5"), or None."""
    if not value.replace(".", "", 1).isdigit():
        return None
    return int(min(float(value), HUGE_MINUTES))


def _merged_minutes(spans: list[tuple[datetime, datetime]], durations: list[int],
                    within: tuple[datetime, datetime] | None = None) -> int:
    """Minutes covered by the join/leave spans within `within`, overlaps counted once; summed durations if
    times are missing."""
    if not spans or len(spans) != len(durations):
        return min(sum(durations), HUGE_MINUTES)
    if within is not None:
        spans = [(max(s, within[0]), min(e, within[1])) for s, e in spans]
        spans = [(s, e) for s, e in spans if e > s]
        if not spans:
            return 0
    spans.sort()
    total, (start, end) = 0, spans[0]
    for s, e in spans[1:]:
        if s <= end:
            end = max(end, e)
        else:
            total += (end - start).total_seconds()
            start, end = s, e
    total += (end - start).total_seconds()
    return int(round(total / 60))


def _is_header(line: str) -> bool:
    """The participants' header: whole cells name a name column and a join-time, email or duration column.

    Cells, not substrings: Zoom's "with meeting data" export starts with a meeting summary whose
    "User Name" and "Participants" columns contain "name" and "participant".
    """
    try:
        cells = {cell.strip().lower() for cell in next(csv.reader([line]), [])}
    except csv.Error:  # e.g. a field over the size limit: not a header we can use
        return False
    # Teams and Meet reports may have only names and durations.
    return bool(cells & set(NAME_COLUMNS)) and bool(cells & set(JOIN_COLUMNS + EMAIL_COLUMNS + DURATION_COLUMNS))


def read_report(text: str, within: tuple[datetime, datetime] | None = None) -> tuple[list[Participant], list]:
    """Participants of a report, or the reasons it cannot be read; only time `within` (naive local) counts."""
    lines = text.lstrip("\ufeff").splitlines()
    start = next((i for i, line in enumerate(lines) if _is_header(line)), None)
    if start is None:
        return [], [_l("This file has no column for names and join times or emails. Export the participant "
                       "report as CSV and try again.")]
    reader = csv.DictReader(io.StringIO("\n".join(lines[start:])))
    headers = [(h or "").strip().lower() for h in reader.fieldnames or []]
    name_col, email_col = _column(headers, NAME_COLUMNS), _column(headers, EMAIL_COLUMNS)
    join_col, leave_col = _column(headers, JOIN_COLUMNS), _column(headers, LEAVE_COLUMNS)
    duration_col = _column(headers, DURATION_COLUMNS)
    if name_col is None or (duration_col is None and (join_col is None or leave_col is None)):
        return [], [_l("The report needs a name column and either a duration or join and leave times.")]
    people: dict[str, dict] = {}
    try:
        for number, raw in enumerate(reader, start=start + 2):
            if number - start > MAX_ROWS:
                return [], [_l("The report has more than %(max)s rows.", max=MAX_ROWS)]
            row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items() if k}
            name, email = row.get(name_col, ""), row.get(email_col, "").lower() if email_col else ""
            if not name and not email:
                continue
            person = people.setdefault(email or fold(name), {"name": name, "email": email, "spans": [],
                                                             "durations": [], "lines": []})
            joined, left = _time(row.get(join_col, "")), _time(row.get(leave_col, ""))
            if joined and left and left >= joined:
                person["spans"].append((joined, left))
            duration = _duration(row.get(duration_col, "") if duration_col else "")
            person["durations"].append(duration if duration is not None
                                       else int(((left - joined).total_seconds() if joined and left else 0) // 60))
            person["lines"].append(number)
    except csv.Error:
        return [], [_l("This is not a CSV file we can read. Save it as CSV (UTF-8) and try again.")]
    return [Participant(key, p["name"], p["email"], _merged_minutes(p["spans"], p["durations"], within),
                        p["lines"]) for key, p in people.items()], []


def _local_window(session: LearningSession) -> tuple[datetime, datetime]:
    zone = ZoneInfo(current_app.config["LMS_TIMEZONE"])
    return (session.starts_at.astimezone(zone).replace(tzinfo=None),
            session.ends_at.astimezone(zone).replace(tzinfo=None))


def plan_import(session: LearningSession, text: str, by_hand: dict[str, int] | None = None) -> ImportPlan:
    """Match the report's people to the session's roster; `by_hand` maps participant keys to user ids.

    Email and name matches come first, for the whole report; a hand match naming someone an entry
    already matches is refused with a message for that entry, never taken silently.
    """
    by_hand = dict(by_hand or {})
    participants, errors = read_report(text, _local_window(session))
    if errors:
        return ImportPlan([], errors, by_hand)
    length = session_minutes(session)
    for p in participants:
        p.minutes = min(p.minutes, length)
    people = roster(session)
    by_email = {u.email: u for u in people}
    by_name: dict[str, list[User]] = {}
    for u in people:
        for name in {fold(u.full_name), fold(u.native_name or "")} - {""}:
            by_name.setdefault(name, []).append(u)
    by_id = {u.id: u for u in people}
    taken: dict[int, Participant] = {}

    def take(p: Participant, user: User, how: str) -> None:
        p.user, p.how = user, how
        taken[user.id] = p

    for p in participants:
        if p.email and p.email in by_email and by_email[p.email].id not in taken:
            take(p, by_email[p.email], "email")
    for p in participants:
        named = by_name.get(fold(p.name), [])
        if p.user is None and len(named) == 1 and named[0].id not in taken:
            take(p, named[0], "name")
    for p in participants:
        chosen = by_id.get(by_hand.get(p.key)) if p.user is None else None
        if chosen is not None and chosen.id in taken:
            p.error = _l("%(name)s is already matched to “%(entry)s” in this report. Choose someone else or "
                         "leave this one out.", name=chosen.full_name, entry=taken[chosen.id].name)
        elif chosen is not None:
            take(p, chosen, "hand")
    records = records_of(session)
    for p in participants:
        record = records.get(p.user.id) if p.user else None
        p.kept = record if record is not None and record.source is not Source.IMPORT else None
    return ImportPlan(participants, [], by_hand)


def apply_import(session: LearningSession, plan: ImportPlan, min_minutes: int, *, by: User) -> int:
    """Save the matched people's minutes and proposed status; return how many records changed.

    People a facilitator marked or who checked in are left as they are, as the records read now (not
    when the preview was made) say.
    """
    if plan.refused:
        raise AttendanceError(_l("Some people are matched to two entries of the report. Nothing was saved."))
    lock_session(session)
    records = records_of(session)
    return mark(session, [Mark(p.user.id, p.proposed(min_minutes), p.minutes) for p in plan.matched
                          if p.user.id not in records or records[p.user.id].source is Source.IMPORT],
                by=by, source=Source.IMPORT)
