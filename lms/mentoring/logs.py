"""Reflective session logs: what a session was is open to admins; what was said stays private.

The summary goes to the trainees who attended; the private notes are encrypted for the mentor who
wrote them. Every edit keeps the earlier state, encrypted, for that mentor's history.
"""

import json
from datetime import date

from sqlalchemy import select

from lms.accounts.models import User
from lms.audit.models import Action
from lms.audit.services import record
from lms.core import crypto
from lms.extensions import db
from lms.i18n import lazy_gettext as _l
from lms.mentoring.models import (
    GroupMember, MentorAssignment, ReflectiveGroup, ReflectiveSession, SessionFormat, SessionRevision,
    SessionStatus, Topic,
)
from lms.mentoring.services import MentoringError


def mentees_of(mentor: User) -> list[User]:
    """Trainees currently assigned to the mentor, in any cohort."""
    return db.session.scalars(
        select(User).join(MentorAssignment, MentorAssignment.trainee_id == User.id)
        .where(MentorAssignment.mentor_id == mentor.id, MentorAssignment.ended_at.is_(None))
        .order_by(User.full_name).distinct()).all()


def groups_of(mentor: User, *, current_only: bool = True) -> list[ReflectiveGroup]:
    stmt = select(ReflectiveGroup).where(ReflectiveGroup.mentor_id == mentor.id)
    if current_only:
        stmt = stmt.where(ReflectiveGroup.ended_at.is_(None))
    return db.session.scalars(stmt.order_by(ReflectiveGroup.name)).all()


def allowed_attendees(mentor: User, group: ReflectiveGroup | None,
                      session: ReflectiveSession | None = None) -> set[int]:
    """Who may be recorded as attending: the group's current members, or the mentor's mentees.

    People already recorded on a session stay allowed when it is edited, even if they have since
    left the group or moved to another mentor: correcting a log must not erase their hours.
    """
    if group is not None:
        allowed = set(db.session.scalars(select(GroupMember.trainee_id).where(
            GroupMember.group_id == group.id, GroupMember.left_at.is_(None))))
    else:
        allowed = {u.id for u in mentees_of(mentor)}
    if session is not None:
        allowed |= {u.id for u in session.attendees}
    return allowed


def _snapshot(session: ReflectiveSession) -> str:
    return json.dumps({
        "held_on": session.held_on.isoformat(), "duration_minutes": session.duration_minutes,
        "format": session.format.value, "language": session.language, "status": session.status.value,
        "attendees": [u.id for u in session.attendees], "topics": [t.id for t in session.topics],
        "summary": session.summary, "notes": read_notes(session),
    })


def save_session(mentor: User, session: ReflectiveSession | None, *, group: ReflectiveGroup | None,
                 attendee_ids: list[int], held_on: date, duration_minutes: int, format: SessionFormat,
                 language: str, topic_ids: list[int], summary: str, notes: str,
                 planned: bool = False) -> ReflectiveSession:
    """Log (or plan) a session of the mentor's own, with attendees they are allowed to record."""
    if group is not None and group.mentor_id != mentor.id:
        raise MentoringError(_l("You do not facilitate this group."), "group")
    forged = set(attendee_ids) - allowed_attendees(mentor, group, session)
    if forged:
        raise MentoringError(_l("You can only record trainees assigned to you, or members of your group."),
                             "attendees")
    if not planned and not attendee_ids:
        raise MentoringError(_l("Choose who attended."), "attendees")
    if session is None:
        session = ReflectiveSession(mentor_id=mentor.id)
        db.session.add(session)
    elif session.mentor_id != mentor.id:
        raise MentoringError(_l("This is not your session."))
    else:
        session.revisions.append(SessionRevision(snapshot_ciphertext=crypto.encrypt(_snapshot(session))))
    session.group_id = group.id if group else None
    session.status = SessionStatus.PLANNED if planned else SessionStatus.LOGGED
    session.held_on, session.duration_minutes, session.format, session.language = (
        held_on, duration_minutes, format, language)
    session.attendees = db.session.scalars(select(User).where(User.id.in_(attendee_ids))).all()
    session.topics = db.session.scalars(select(Topic).where(Topic.id.in_(topic_ids))).all()
    session.summary = (summary or "").strip()
    session.notes_ciphertext = crypto.encrypt(notes.strip()) if notes and notes.strip() else None
    db.session.flush()
    return session


def read_notes(session: ReflectiveSession) -> str:
    return crypto.decrypt(session.notes_ciphertext) if session.notes_ciphertext else ""


def history(session: ReflectiveSession) -> list[dict]:
    """Earlier states of the session, oldest first, decrypted for its mentor."""
    states = [{"revised_at": r.revised_at, **json.loads(crypto.decrypt(r.snapshot_ciphertext))}
              for r in session.revisions]
    for state in states:
        state["held_on"] = date.fromisoformat(state["held_on"])
    return states


def delete_session(session: ReflectiveSession, *, by: User) -> None:
    """Delete a session with its notes and history; the audit log keeps only that it happened."""
    record(Action.SESSION_LOG_DELETED, actor=by, session=session.id, held_on=session.held_on.isoformat())
    db.session.delete(session)
    db.session.flush()


def rotate_encryption() -> int:
    """Re-encrypt every note, history snapshot and TOTP secret with the newest key; return how many."""
    count = 0
    for user in db.session.scalars(select(User).where(User.totp_secret_ciphertext.is_not(None))):
        user.totp_secret_ciphertext = crypto.rotate(user.totp_secret_ciphertext)
        count += 1
    for session in db.session.scalars(select(ReflectiveSession).where(
            ReflectiveSession.notes_ciphertext.is_not(None))):
        session.notes_ciphertext = crypto.rotate(session.notes_ciphertext)
        count += 1
    for revision in db.session.scalars(select(SessionRevision)):
        revision.snapshot_ciphertext = crypto.rotate(revision.snapshot_ciphertext)
        count += 1
    db.session.flush()
    return count
