"""Attendance sheets as CSV, formula-safe: one per session, and one per cohort with a column a session."""

import csv
import io
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import and_, select

from lms.accounts.models import User
from lms.attendance.models import AttendanceRecord, LearningSession
from lms.attendance.roster import Rate, roster_pairs
from lms.core.spreadsheet import safe_cell
from lms.extensions import db


def session_csv(session: LearningSession, people: list[User], records: dict[int, AttendanceRecord]) -> str:
    """A row a person: status, minutes, how it was marked (source), by whom and when (UTC)."""
    markers = {r.updated_by_id for r in records.values()} - {None}
    names = dict(db.session.execute(select(User.id, User.full_name).where(User.id.in_(markers))).all()) \
        if markers else {}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["name", "name_in_own_script", "email", "status", "minutes", "source", "marked_by",
                     "marked_at"])
    for person in people:
        record = records.get(person.id)
        writer.writerow([safe_cell(v) for v in (
            person.full_name, person.native_name, person.email,
            record.status.value if record else "not marked", record.minutes if record else "",
            record.source.value if record else "", names.get(record.updated_by_id, "") if record else "",
            record.updated_at.isoformat() if record else "")])
    return out.getvalue()


def cohort_csv(cohort_id: int, rates: dict[int, Rate], excused_rule: str) -> str:
    """A row a person, a column a session of the cohort (its status, or blank when not on its roster).

    Session columns are headed with the start in the program's time zone, which the header names.
    """
    sessions = db.session.scalars(select(LearningSession).where(
        LearningSession.cohort_id == cohort_id).order_by(LearningSession.starts_at)).all()
    pairs = roster_pairs(LearningSession.cohort_id == cohort_id)
    rows = db.session.execute(
        select(pairs.c.session_id, pairs.c.user_id, AttendanceRecord.status)
        .outerjoin(AttendanceRecord, and_(AttendanceRecord.session_id == pairs.c.session_id,
                                          AttendanceRecord.trainee_id == pairs.c.user_id))).all()
    cells = {(user_id, session_id): status.value if status else "not marked" for session_id, user_id, status in rows}
    people = db.session.scalars(select(User).where(User.id.in_(select(pairs.c.user_id)))).all()
    out = io.StringIO()
    writer = csv.writer(out)
    zone = current_app.config["LMS_TIMEZONE"]
    writer.writerow(["name", "email", *(safe_cell(f"{s.starts_at.astimezone(ZoneInfo(zone)):%Y-%m-%d %H:%M} {zone} "
                                                  f"{s.title}") for s in sessions), "attendance_rate_percent"])
    for user in sorted(people, key=lambda u: (u.full_name.lower(), u.id)):
        rate = rates.get(user.id)
        writer.writerow([safe_cell(v) for v in (
            user.full_name, user.email, *(cells.get((user.id, s.id), "") for s in sessions),
            rate.percent(excused_rule) if rate else "")])
    return out.getvalue()
