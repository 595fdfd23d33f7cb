"""iCalendar files: a private feed of a person's upcoming sessions, and one file per session."""

import secrets
from datetime import timedelta
from urllib.parse import urlsplit

from flask_babel import gettext as _
from icalendar import Calendar, Event
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from lms.accounts.models import User
from lms.attendance.models import CalendarToken, LearningSession
from lms.attendance.roster import roster_pairs
from lms.core.links import public_url
from lms.extensions import db
from lms.sqltypes import utcnow

FEED_DAYS_BACK = 30
FEED_DAYS_AHEAD = 365


def reset_token(user: User) -> CalendarToken:
    """Give the person a new feed address; the old one, if any, stops working."""
    token = db.session.get(CalendarToken, user.id) or CalendarToken(user_id=user.id)
    token.token, token.created_at = secrets.token_urlsafe(32), utcnow()
    db.session.add(token)
    db.session.flush()
    return token


def user_for_token(token: str) -> User | None:
    row = db.session.scalar(select(CalendarToken).where(CalendarToken.token == token))
    user = db.session.get(User, row.user_id) if row else None
    return user if user is not None and user.is_active else None


def sessions_for(user: User) -> list[LearningSession]:
    """Sessions the person is on the roster of or facilitates, from a month ago to a year ahead."""
    now = utcnow()
    window = (LearningSession.starts_at >= now - timedelta(days=FEED_DAYS_BACK),
              LearningSession.starts_at <= now + timedelta(days=FEED_DAYS_AHEAD))
    pairs = roster_pairs(*window, user_id=user.id)
    return db.session.scalars(
        select(LearningSession).options(joinedload(LearningSession.facilitator))
        .where(*window, or_(LearningSession.id.in_(select(pairs.c.session_id)),
                            LearningSession.facilitator_id == user.id))
        .order_by(LearningSession.starts_at)).all()


def calendar_bytes(sessions: list[LearningSession], name: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//BIPOC Community of Leaders LMS//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", name)
    site = urlsplit(public_url("lms.core.home")).netloc  # a stable UID, whatever Host the calendar app sends
    for session in sessions:
        event = Event()
        event.add("uid", f"lms-session-{session.id}@{site}")
        event.add("dtstamp", utcnow())
        event.add("dtstart", session.starts_at)
        event.add("dtend", session.ends_at)
        event.add("summary", session.title)
        event.add("status", "CANCELLED" if session.is_cancelled else "CONFIRMED")
        where = session.video_url or session.place
        if where:
            event.add("location", where)
        if session.video_url:
            event.add("url", session.video_url)
        event.add("description", _("Facilitator: %(name)s", name=session.facilitator.full_name))
        calendar.add_component(event)
    return calendar.to_ical()
