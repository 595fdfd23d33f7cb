"""Mentor profiles, assignments and reflective groups, within each mentor's capacity.

Services flush; the caller commits. Capacity is counted under a lock on the mentor's profile row,
so two admins saving at once cannot both take the last place.
"""

from dataclasses import dataclass

from sqlalchemy import exc, func, select, update
from sqlalchemy.orm import selectinload

from lms.accounts.models import Role, User
from lms.audit.models import Action
from lms.audit.services import record
from lms.courses.models import Cohort
from lms.enrollment.models import Enrollment, EnrollmentStatus
from lms.extensions import db
from lms.i18n import lazy_gettext as _l
from lms.mentoring.models import GroupMember, MentorAssignment, MentorProfile, ReflectiveGroup
from lms.notifications.services import notify
from lms.sqltypes import utcnow


class MentoringError(ValueError):
    """A mentoring rule refused the change; `field` names the form field it concerns, if any."""

    def __init__(self, message, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def profile_of(user: User) -> MentorProfile:
    """The mentor's profile, created with defaults the first time."""
    profile = db.session.get(MentorProfile, user.id)
    if profile is None:
        profile = MentorProfile.blank(user)
        db.session.add(profile)
        db.session.flush()
    return profile


def save_profile(user: User, *, languages: list[str], bio: str, is_active: bool,
                 max_mentees: int | None = None, max_groups: int | None = None) -> MentorProfile:
    if not user.has_role(Role.MENTOR):
        raise MentoringError(_l("This person does not have the mentor role."))
    profile = profile_of(user)
    profile.languages, profile.bio, profile.is_active = languages, bio or "", is_active
    if max_mentees is not None:
        profile.max_mentees = max_mentees
    if max_groups is not None:
        profile.max_groups = max_groups
    db.session.flush()
    return profile


@dataclass(frozen=True)
class Load:
    mentees: int
    groups: int


def loads(mentor_ids: list[int]) -> dict[int, Load]:
    """Current mentees and groups per mentor, in two queries."""
    mentees = dict(db.session.execute(
        select(MentorAssignment.mentor_id, func.count()).where(
            MentorAssignment.mentor_id.in_(mentor_ids), MentorAssignment.ended_at.is_(None))
        .group_by(MentorAssignment.mentor_id)).all())
    groups = dict(db.session.execute(
        select(ReflectiveGroup.mentor_id, func.count()).where(
            ReflectiveGroup.mentor_id.in_(mentor_ids), ReflectiveGroup.ended_at.is_(None))
        .group_by(ReflectiveGroup.mentor_id)).all())
    return {i: Load(mentees.get(i, 0), groups.get(i, 0)) for i in mentor_ids}


def _active_mentor_profile(mentor: User) -> MentorProfile:
    if not mentor.has_role(Role.MENTOR) or not mentor.is_active:
        raise MentoringError(_l("Choose a person with the mentor role."), "mentor")
    profile = profile_of(mentor)
    if not profile.is_active:
        raise MentoringError(_l("This mentor is paused and takes no new mentees or groups."), "mentor")
    # A no-op update takes the row's write lock: concurrent saves for one mentor queue up here.
    db.session.execute(update(MentorProfile).where(MentorProfile.user_id == mentor.id)
                       .values(user_id=MentorProfile.user_id))
    return profile


def _in_cohort(trainee_ids, cohort: Cohort) -> set[int]:
    return set(db.session.scalars(select(Enrollment.user_id).where(
        Enrollment.cohort_id == cohort.id, Enrollment.user_id.in_(trainee_ids),
        Enrollment.status != EnrollmentStatus.WITHDRAWN)))


def _check_capacity(count: int, limit: int, reason: str | None, message) -> str | None:
    reason = (reason or "").strip() or None
    if count >= limit and reason is None:
        raise MentoringError(message, "reason")
    return reason if count >= limit else None


def current_assignment(trainee: User, cohort: Cohort) -> MentorAssignment | None:
    return db.session.scalar(select(MentorAssignment).where(
        MentorAssignment.trainee_id == trainee.id, MentorAssignment.cohort_id == cohort.id,
        MentorAssignment.ended_at.is_(None)))


def assign(mentor: User, trainee: User, cohort: Cohort, *, by: User, reason: str | None = None) -> MentorAssignment:
    """Make `mentor` the trainee's mentor in the cohort, ending any earlier assignment there."""
    if mentor.id == trainee.id:
        raise MentoringError(_l("A mentor cannot mentor themselves."), "mentor")
    if trainee.id not in _in_cohort([trainee.id], cohort):
        raise MentoringError(_l("This trainee is not enrolled in the cohort."))
    profile = _active_mentor_profile(mentor)
    current = current_assignment(trainee, cohort)
    if current is not None and current.mentor_id == mentor.id:
        return current
    load = loads([mentor.id])[mentor.id]
    over = _check_capacity(load.mentees, profile.max_mentees, reason, _l(
        "%(name)s already mentors %(n)s people, the most they take. To assign anyway, give a reason.",
        name=mentor.full_name, n=load.mentees))
    if current is not None:
        end_assignment(current, by=by)
    assignment = MentorAssignment(mentor_id=mentor.id, trainee_id=trainee.id, cohort_id=cohort.id,
                                  over_capacity_reason=over)
    try:
        with db.session.begin_nested():
            db.session.add(assignment)
    except exc.IntegrityError:
        raise MentoringError(_l("Someone else just changed this trainee's mentor. Reload and check.")) from None
    record(Action.MENTOR_ASSIGNED, actor=by, target=trainee, mentor=mentor.id, cohort=cohort.id)
    if over:
        record(Action.MENTOR_OVER_CAPACITY, actor=by, target=mentor, reason=over, trainee=trainee.id)
    notify(trainee.id, "mentor_assigned", mentor_id=mentor.id, cohort_id=cohort.id)
    notify(mentor.id, "mentee_assigned", trainee_id=trainee.id, cohort_id=cohort.id)
    return assignment


def end_assignment(assignment: MentorAssignment, *, by: User) -> None:
    """End an assignment; it stays in the history with its dates."""
    if assignment.ended_at is None:
        assignment.ended_at = utcnow()
        db.session.flush()
        record(Action.MENTOR_UNASSIGNED, actor=by, target=assignment.trainee, mentor=assignment.mentor_id)


def create_group(mentor: User, cohort: Cohort, *, name: str, language: str, trainee_ids: list[int],
                 by: User, reason: str | None = None) -> ReflectiveGroup:
    profile = _active_mentor_profile(mentor)
    load = loads([mentor.id])[mentor.id]
    over = _check_capacity(load.groups, profile.max_groups, reason, _l(
        "%(name)s already facilitates %(n)s groups, the most they take. To add one anyway, give a reason.",
        name=mentor.full_name, n=load.groups))
    group = ReflectiveGroup(name=name, cohort_id=cohort.id, mentor_id=mentor.id, language=language,
                            over_capacity_reason=over)
    db.session.add(group)
    db.session.flush()
    set_members(group, trainee_ids)
    if over:
        record(Action.MENTOR_OVER_CAPACITY, actor=by, target=mentor, reason=over, group=group.id)
    return group


def set_members(group: ReflectiveGroup, trainee_ids: list[int]) -> None:
    """Make the group's current members exactly these trainees of its cohort; leavers stay in history."""
    wanted = set(trainee_ids)
    outside = wanted - _in_cohort(wanted, group.cohort)
    if outside:
        raise MentoringError(_l("Only trainees enrolled in the cohort can join its groups."), "members")
    now = utcnow()
    rows = {m.trainee_id: m for m in group.members}
    for trainee_id in wanted:
        row = rows.get(trainee_id)
        if row is None:
            group.members.append(GroupMember(trainee_id=trainee_id, joined_at=now))
            notify(trainee_id, "group_joined", group_id=group.id)
        elif row.left_at is not None:
            row.left_at, row.joined_at = None, now
    for trainee_id, row in rows.items():
        if trainee_id not in wanted and row.left_at is None:
            row.left_at = now
    db.session.flush()


def end_group(group: ReflectiveGroup) -> None:
    group.ended_at = group.ended_at or utcnow()
    db.session.flush()


@dataclass(frozen=True)
class Suggestion:
    mentor: User
    profile: MentorProfile
    speaks_preferred: bool
    speaks_other: bool
    remaining: int
    in_cohort: bool


def suggest_mentors(trainee: User, cohort: Cohort, limit: int = 8) -> list[Suggestion]:
    """Active mentors ranked by shared language (preferred, then spoken), remaining capacity, then cohort."""
    spoken = {trainee.locale} | set(db.session.scalars(select(Enrollment.language).where(
        Enrollment.user_id == trainee.id, Enrollment.status != EnrollmentStatus.WITHDRAWN)))
    rows = db.session.execute(
        select(User, MentorProfile).join(MentorProfile, MentorProfile.user_id == User.id)
        .options(selectinload(MentorProfile.language_rows))
        .where(MentorProfile.is_active, User.is_active, User.id != trainee.id)).all()
    rows = [(user, profile) for user, profile in rows if user.has_role(Role.MENTOR)]
    ids = [user.id for user, _ in rows]
    load = loads(ids)
    in_cohort = set(db.session.scalars(select(MentorAssignment.mentor_id).where(
        MentorAssignment.cohort_id == cohort.id, MentorAssignment.ended_at.is_(None)))) | set(
        db.session.scalars(select(ReflectiveGroup.mentor_id).where(
            ReflectiveGroup.cohort_id == cohort.id, ReflectiveGroup.ended_at.is_(None))))
    suggestions = [Suggestion(
        mentor=user, profile=profile, speaks_preferred=trainee.locale in profile.languages,
        speaks_other=bool(spoken & set(profile.languages)),
        remaining=profile.max_mentees - load[user.id].mentees, in_cohort=user.id in in_cohort,
    ) for user, profile in rows]
    suggestions.sort(key=lambda s: (not s.speaks_preferred, not s.speaks_other, -s.remaining, not s.in_cohort,
                                    s.mentor.full_name.lower()))
    return suggestions[:limit]
