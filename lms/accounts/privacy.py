"""A person's right to their data: download everything held about them; erasure by an admin.

Erasure removes what identifies the person and what they wrote, and keeps the rows that program
counts rest on (enrollments, completions, ratings), attached to an anonymous account.
"""

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import joinedload, selectinload

from lms.accounts.models import Role, User, new_session_token
from lms.accounts.services import UNUSABLE_PASSWORD, AccountError
from lms.accounts.twofactor import disable as disable_two_factor
from lms.attendance.models import AttendanceChange, AttendanceRecord, LearningSession, Source
from lms.audit.models import Action, AuditEvent
from lms.audit.services import record
from lms.demographics.models import Demographics
from lms.enrollment.models import CourseEvaluation, Enrollment, ModuleProgress
from lms.extensions import db
from lms.i18n import lazy_gettext as _l
from lms.notifications.models import Notification
from lms.sqltypes import utcnow


def _iso(value):
    return value.isoformat() if value is not None else None


def export(user: User) -> dict:
    """Everything held about `user`, as plain JSON-ready data."""
    enrollments = db.session.scalars(
        select(Enrollment).where(Enrollment.user_id == user.id)
        .options(joinedload(Enrollment.course), joinedload(Enrollment.cohort), joinedload(Enrollment.evaluation),
                 selectinload(Enrollment.progress).joinedload(ModuleProgress.module))
        .order_by(Enrollment.id)).unique().all()
    notifications = db.session.scalars(
        select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)).all()
    events = db.session.scalars(
        select(AuditEvent).where(or_(AuditEvent.target_user_id == user.id, AuditEvent.actor_id == user.id))
        .order_by(AuditEvent.id)).all()
    return {
        "exported_at": _iso(utcnow()),
        "account": {
            "email": user.email, "full_name": user.full_name, "name_in_own_script": user.native_name,
            "language": user.locale, "roles": sorted(r.value for r in user.role_names),
            "created_at": _iso(user.created_at), "email_verified_at": _iso(user.email_verified_at),
            "two_factor_enabled": user.two_factor_enabled,
        },
        "enrollments": [{
            "course": e.course.code, "course_title": e.course.title, "cohort": e.cohort.name,
            "language": e.language, "status": e.status.value, "enrolled_at": _iso(e.enrolled_at),
            "waitlisted_at": _iso(e.waitlisted_at), "withdrawn_at": _iso(e.withdrawn_at),
            "completed_at": _iso(e.completed_at),
            "modules": [{"module": p.module.title, "completed_at": _iso(p.completed_at),
                         "reflection": p.reflection, "reflection_shared_with_mentor": p.reflection_shared}
                        for p in e.progress],
            "evaluation": None if e.evaluation is None else {
                "overall": e.evaluation.rating_overall, "relevance": e.evaluation.rating_relevance,
                "language": e.evaluation.rating_language, "comments": e.evaluation.comments,
                "consent_to_quote": e.evaluation.consent_to_quote, "created_at": _iso(e.evaluation.created_at)},
        } for e in enrollments],
        **_mentoring(user),
        **_attendance(user),
        "about_me": _demographics(user),
        "notifications": [{"kind": n.kind, "details": n.params, "created_at": _iso(n.created_at),
                           "read_at": _iso(n.read_at)} for n in notifications],
        "account_history": [{"action": e.action, "details": e.details, "at": _iso(e.created_at),
                             "by_me": e.actor_id == user.id} for e in events],
    }


def _mentoring(user: User) -> dict:
    """The person's mentors, groups and the sessions they attended; a mentor's private notes never leave."""
    from lms.mentoring.overview import attended_sessions, my_groups, my_mentors

    return {
        "mentors": [{"mentor": a.mentor.full_name, "cohort": a.cohort.name, "from": _iso(a.started_at),
                     "until": _iso(a.ended_at)} for a in my_mentors(user)],
        "reflective_groups": [{"group": g.name, "mentor": g.mentor.full_name} for g in my_groups(user)],
        "sessions_attended": [{"date": s.held_on.isoformat(), "mentor": s.mentor.full_name,
                               "group": s.group.name if s.group else None, "minutes": s.duration_minutes,
                               "summary": s.summary} for s in attended_sessions(user)],
    }


def _attendance(user: User) -> dict:
    """The person's attendance at each session and each time they checked in; who else marked it stays out."""
    sessions = (joinedload(LearningSession.course), joinedload(LearningSession.cohort),
                joinedload(LearningSession.group))
    records = db.session.execute(
        select(AttendanceRecord, LearningSession).join(LearningSession)
        .where(AttendanceRecord.trainee_id == user.id).options(*sessions)
        .order_by(LearningSession.starts_at, LearningSession.id)).all()
    # From the history, so a check-in a facilitator later corrected is still listed.
    check_ins = db.session.execute(
        select(AttendanceChange, LearningSession).join(LearningSession)
        .where(AttendanceChange.trainee_id == user.id, AttendanceChange.source == Source.CHECK_IN)
        .options(*sessions).order_by(AttendanceChange.id)).all()
    return {
        "attendance": [{**_session(s), "status": r.status.value, "minutes": r.minutes, "source": r.source.value,
                        "marked_at": _iso(r.updated_at), "marked_by_me": r.updated_by_id == user.id}
                       for r, s in records],
        "check_ins": [{**_session(s), "checked_in_at": _iso(c.changed_at), "status": c.status.value,
                       "minutes": c.minutes} for c, s in check_ins],
    }


def _session(s: LearningSession) -> dict:
    return {"session": s.title, "kind": s.kind.value, "course": s.course.code if s.course else None,
            "cohort": s.cohort.name if s.cohort else None, "group": s.group.name if s.group else None,
            "starts_at": _iso(s.starts_at), "ends_at": _iso(s.ends_at), "cancelled": s.is_cancelled}


def _demographics(user: User) -> dict | None:
    """The optional answers the person gave about themselves, as they gave them."""
    answers = db.session.get(Demographics, user.id)
    if answers is None:
        return None
    return {"race_ethnicity": "prefer not to say" if answers.race_declined else [c.name for c in answers.races],
            "languages": "prefer not to say" if answers.languages_declined
            else [row.language for row in answers.language_rows],
            "provider_role": answers.provider_role and answers.provider_role.value,
            "formal_training": answers.formal_training and answers.formal_training.value,
            "updated_at": _iso(answers.updated_at)}


def erase(user: User, *, by: User) -> None:
    """Remove the person's personal data; keep anonymous rows so program counts stay right."""
    if user.id == by.id:
        raise AccountError(_l("You cannot erase your own account."))
    if user.has_role(Role.ADMIN):
        raise AccountError(_l("Remove the administrator role first."))
    if user.erased_at is not None:
        raise AccountError(_l("This person's data was already erased."))
    enrollment_ids = select(Enrollment.id).where(Enrollment.user_id == user.id).scalar_subquery()
    db.session.execute(update(ModuleProgress).where(ModuleProgress.enrollment_id.in_(enrollment_ids))
                       .values(reflection=None, reflection_shared=False))
    db.session.execute(update(CourseEvaluation).where(CourseEvaluation.enrollment_id.in_(enrollment_ids))
                       .values(comments="", consent_to_quote=False))
    db.session.execute(delete(Notification).where(Notification.user_id == user.id))
    db.session.execute(delete(Demographics).where(Demographics.user_id == user.id))
    disable_two_factor(user)
    user.email = f"erased-{user.id}@erased.invalid"
    user.full_name = "—"
    user.native_name = None
    user.password_hash = UNUSABLE_PASSWORD
    user.session_token = new_session_token()
    user.email_verified_at = None
    user.is_active = False
    user.erased_at = utcnow()
    db.session.flush()
    record(Action.USER_ERASED, actor=by, target=user)
