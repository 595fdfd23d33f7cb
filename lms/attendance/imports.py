"""Attendance from a video meeting's participant report (Zoom, Teams or Meet export as CSV).

Rows for one person (by email, else by name) are merged; overlapping join/leave spans count once.
People are matched to the roster by email, then by name; the rest can be matched by hand. Nothing is
saved until the facilitator confirms, and saving the same report again changes nothing.
"""

import csv
import io
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l

from lms.accounts.models import User
from lms.attendance.models import LearningSession, Source, Status
from lms.attendance.roster import roster
from lms.attendance.services import Mark, mark

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

    def proposed(self, min_minutes: int) -> Status:
        return Status.PRESENT if self.minutes >= min_minutes else Status.ABSENT


@dataclass
class ImportPlan:
    participants: list[Participant]
    file_errors: list

    @property
    def matched(self) -> list[Participant]:
        return [p for p in self.participants if p.user is not None]

    @property
    def unmatched(self) -> list[Participant]:
        return [p for p in self.participants if p.user is None]


def _column(headers: list[str], names: tuple[str, ...]) -> str | None:
    return next((h for h in headers if h in names), None)


def _time(value: str) -> datetime | None:
    for pattern in TIME_FORMATS:
        try:
            return datetime.strptime(value.strip(), pattern)
        except ValueError:
            continue
    return None


def _merged_minutes(spans: list[tuple[datetime, datetime]], durations: list[int]) -> int:
    """Minutes covered by the join/leave spans, overlaps counted once; summed durations if times are missing."""
    if not spans or len(spans) != len(durations):
        return sum(durations)
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


def read_report(text: str) -> tuple[list[Participant], list]:
    """Participants of a report, or the reasons it cannot be read."""
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
            duration = row.get(duration_col, "") if duration_col else ""
            person["durations"].append(int(float(duration)) if duration.replace(".", "", 1).isdigit()
                                       else int(((left - joined).total_seconds() if joined and left else 0) // 60))
            person["lines"].append(number)
    except csv.Error:
        return [], [_l("This is not a CSV file we can read. Save it as CSV (UTF-8) and try again.")]
    return [Participant(key, p["name"], p["email"], _merged_minutes(p["spans"], p["durations"]), p["lines"])
            for key, p in people.items()], []


def plan_import(session: LearningSession, text: str, by_hand: dict[str, int] | None = None) -> ImportPlan:
    """Match the report's people to the session's roster; `by_hand` maps participant keys to user ids."""
    participants, errors = read_report(text)
    if errors:
        return ImportPlan([], errors)
    people = roster(session)
    by_email = {u.email: u for u in people}
    by_name: dict[str, list[User]] = {}
    for u in people:
        for name in {fold(u.full_name), fold(u.native_name or "")} - {""}:
            by_name.setdefault(name, []).append(u)
    by_id = {u.id: u for u in people}
    taken: set[int] = set()
    for p in participants:
        if p.email and p.email in by_email:
            p.user, p.how = by_email[p.email], "email"
        elif len(by_name.get(fold(p.name), [])) == 1:
            p.user, p.how = by_name[fold(p.name)][0], "name"
        elif (by_hand or {}).get(p.key) in by_id:
            p.user, p.how = by_id[by_hand[p.key]], "hand"
        if p.user is not None and p.user.id in taken:
            p.user, p.how = None, ""  # two report entries cannot be one roster person
        elif p.user is not None:
            taken.add(p.user.id)
    return ImportPlan(participants, [])


def apply_import(session: LearningSession, plan: ImportPlan, min_minutes: int, *, by: User) -> int:
    """Save the matched people's minutes and proposed status; return how many records changed."""
    return mark(session, [Mark(p.user.id, p.proposed(min_minutes), p.minutes) for p in plan.matched],
                by=by, source=Source.IMPORT)
