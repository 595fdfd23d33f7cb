"""Self check-in: a 6-digit code that changes every minute, valid from shortly before a session to its end.

The code is an HMAC of the session's secret and the current minute, so a code from one session never
works for another, and a code seen today is useless for a future session. Check-in closes when the
session ends: someone arriving after the end did not attend it.
"""

import hashlib
import hmac
import math
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import format_datetime
from sqlalchemy import select

from lms.accounts.models import User
from lms.attendance.models import AttendanceRecord, LearningSession, Source, Status
from lms.attendance.roster import roster_ids
from lms.attendance.services import AttendanceError, Mark, lock_session, mark, session_minutes
from lms.extensions import db
from lms.i18n import lazy_gettext as _l
from lms.sqltypes import utcnow

STEP_SECONDS = 60


def _step(moment: datetime) -> int:
    return int(moment.timestamp()) // STEP_SECONDS


def code_at(session: LearningSession, moment: datetime) -> str:
    digest = hmac.new(session.checkin_secret.encode(), f"{session.id}:{_step(moment)}".encode(),
                      hashlib.sha256).digest()
    return f"{int.from_bytes(digest[:8], 'big') % 1_000_000:06d}"


def window(session: LearningSession) -> tuple[datetime, datetime]:
    """Check-in opens the configured margin before the start and closes at the end."""
    margin = timedelta(minutes=current_app.config["LMS_CHECKIN_MARGIN_MINUTES"])
    return session.starts_at - margin, session.ends_at


def is_open(session: LearningSession, now: datetime | None = None) -> bool:
    opens, closes = window(session)
    return not session.is_cancelled and opens <= (now or utcnow()) < closes


def check_in(session: LearningSession, trainee: User, code: str, now: datetime | None = None) -> AttendanceRecord:
    """Check a trainee on the roster in once with the current code (or the one just before it)."""
    now = now or utcnow()
    opens, closes = window(session)
    if session.is_cancelled:
        raise AttendanceError(_l("This session was cancelled."))
    if now < opens:
        raise AttendanceError(_l("Check-in opens at %(time)s.", time=format_datetime(opens, "short")), "code")
    if now >= closes:
        raise AttendanceError(_l("Check-in closed at %(time)s.", time=format_datetime(closes, "short")), "code")
    digits = "".join(ch for ch in code if ch.isdigit())
    valid = {code_at(session, now), code_at(session, now - timedelta(seconds=STEP_SECONDS))}
    if not any(hmac.compare_digest(digits, c) for c in valid):
        raise AttendanceError(_l("This code is not the current code of this session. Ask the facilitator for "
                                 "the code on the screen now."), "code")
    if trainee.id not in roster_ids(session):
        raise AttendanceError(_l("You are not on the roster of this session."))
    lock_session(session)
    existing = db.session.scalar(select(AttendanceRecord).where(
        AttendanceRecord.session_id == session.id, AttendanceRecord.trainee_id == trainee.id)
        .execution_options(populate_existing=True))
    if existing is not None and existing.source is Source.CHECK_IN:
        raise AttendanceError(_l("You have already checked in to this session."))
    if existing is not None:
        raise AttendanceError(_l("Your attendance for this session is already recorded by the facilitator."))
    late = now > session.starts_at + timedelta(minutes=current_app.config["LMS_LATE_AFTER_MINUTES"])
    # The minutes left until the end, a started minute counting whole: at least 1 while check-in is open.
    minutes = math.ceil((session.ends_at - max(now, session.starts_at)).total_seconds() / 60)
    mark(session, [Mark(trainee.id, Status.LATE if late else Status.PRESENT,
                        min(minutes, session_minutes(session)))], by=trainee, source=Source.CHECK_IN)
    return db.session.get(AttendanceRecord, (session.id, trainee.id))
