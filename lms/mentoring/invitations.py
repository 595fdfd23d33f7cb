"""From trainee to mentor: admins see graduates and invite them; accepting adds the mentor role."""

from sqlalchemy import and_, exc, func, select

from lms.accounts.models import Role, User, UserRole
from lms.accounts.services import grant_role
from lms.audit.models import Action
from lms.audit.services import record
from lms.courses.models import Course, Program
from lms.enrollment.models import Enrollment
from lms.extensions import db
from lms.i18n import lazy_gettext as _l
from lms.mentoring.models import MentorInvitation
from lms.mentoring.services import MentoringError, profile_of
from lms.notifications.services import notify
from lms.sqltypes import utcnow


def graduates_query():
    """Active people who completed every current course of a program and are not mentors yet."""
    required = (select(Course.program_id, func.count().label("n")).join(Program)
                .where(Course.is_archived.is_(False), Program.is_archived.is_(False))
                .group_by(Course.program_id).subquery())
    done = (select(Enrollment.user_id, Course.program_id, func.count().label("n"))
            .join(Course, Course.id == Enrollment.course_id)
            .where(Enrollment.completed_at.is_not(None), Course.is_archived.is_(False))
            .group_by(Enrollment.user_id, Course.program_id).subquery())
    mentors = select(UserRole.user_id).where(UserRole.role == Role.MENTOR)
    return (select(User).join(done, done.c.user_id == User.id)
            .join(required, and_(required.c.program_id == done.c.program_id, required.c.n == done.c.n))
            .where(User.is_active, User.id.not_in(mentors)).distinct().order_by(User.full_name))


def open_invitation(user: User) -> MentorInvitation | None:
    return db.session.scalar(select(MentorInvitation).where(
        MentorInvitation.user_id == user.id, MentorInvitation.answered_at.is_(None)))


def invite(user: User, *, by: User, message: str = "") -> MentorInvitation:
    if user.has_role(Role.MENTOR):
        raise MentoringError(_l("This person is already a mentor."))
    invitation = MentorInvitation(user_id=user.id, invited_by_id=by.id, message=(message or "").strip())
    try:
        with db.session.begin_nested():
            db.session.add(invitation)
    except exc.IntegrityError:
        raise MentoringError(_l("This person already has an invitation waiting for an answer.")) from None
    record(Action.MENTOR_INVITED, actor=by, target=user)
    notify(user.id, "mentor_invited", invitation_id=invitation.id)
    return invitation


def answer(invitation: MentorInvitation, *, accept: bool) -> None:
    """Accept (the mentor role is added; the trainee history stays) or decline an invitation."""
    if invitation.answered_at is not None:
        raise MentoringError(_l("This invitation was already answered."))
    invitation.answered_at, invitation.accepted = utcnow(), accept
    user = invitation.user
    if accept and not user.has_role(Role.MENTOR):
        grant_role(user, Role.MENTOR, by=user)
        profile_of(user)
    db.session.flush()
