"""The demo program's mentoring: mentor profiles in several languages, assignments, groups, sessions."""

from datetime import timedelta

from sqlalchemy import select

from lms.accounts.models import Role, User
from lms.courses.models import Cohort
from lms.core.clock import program_today
from lms.enrollment.models import Enrollment
from lms.extensions import db
from lms.mentoring import logs, services, topics
from lms.mentoring.models import MentorAssignment, SessionFormat, Topic

#: mentor email -> (languages, bio)
PROFILES = {
    "amina.warsame@example.org": (["so", "en"], "Graduate of the first cohort; early care educator for 12 years."),
    "rosa.maria.delgado@example.org": (["es", "en"], "Mental-health consultant; grew up in Yakima Valley."),
    "pham.thi.hoa@example.org": (["vi", "en"], "Home visitor and parent educator."),
    "tigist.bekele@example.org": (["am", "en"], "Infant mental health specialist from Addis Ababa."),
}


def build_mentoring(admin: User) -> None:
    if db.session.scalar(select(MentorAssignment.id).limit(1)) is not None:
        return
    topics.seed_builtin_topics()
    mentors = {}
    for email, (languages, bio) in PROFILES.items():
        mentor = db.session.scalar(select(User).where(User.email == email))
        services.save_profile(mentor, languages=languages, bio=bio, is_active=True, max_mentees=8, max_groups=2)
        mentors[email] = mentor
    for cohort in db.session.scalars(select(Cohort).order_by(Cohort.id)):
        _assign_cohort(cohort, list(mentors.values()), admin)


def _assign_cohort(cohort: Cohort, mentors: list[User], admin: User) -> None:
    trainees = db.session.scalars(
        select(User).join(Enrollment, Enrollment.user_id == User.id)
        .where(Enrollment.cohort_id == cohort.id).order_by(User.id).distinct()).all()
    trainees = [t for t in trainees if not t.has_role(Role.MENTOR)]
    for trainee in trainees:
        best = services.suggest_mentors(trainee, cohort, limit=1)
        if best and best[0].remaining > 0:
            services.assign(best[0].mentor, trainee, cohort, by=admin)
    spanish = [t for t in trainees if t.locale == "es"]
    # One reflective group, in the cohort that teaches in Spanish and has begun: its sessions are in the past.
    if spanish and "es" in cohort.languages and cohort.starts_on <= program_today():
        rosa = next(m for m in mentors if m.email.startswith("rosa"))
        group = services.create_group(rosa, cohort, name=f"Círculo de reflexión · {cohort.name}", language="es",
                                      trainee_ids=[t.id for t in spanish], by=admin, reason="Demo")
        _log_sessions(rosa, group, [t.id for t in spanish])


def _log_sessions(mentor: User, group, attendee_ids: list[int]) -> None:
    today = program_today()
    topic_ids = [t.id for t in db.session.scalars(select(Topic).where(
        Topic.key.in_(["implicit_bias", "cultural_identity", "self_care"])))]
    for weeks_ago, topic in zip((6, 4, 2), topic_ids, strict=False):
        logs.save_session(
            mentor, None, group=group, attendee_ids=attendee_ids, held_on=today - timedelta(weeks=weeks_ago),
            duration_minutes=90, format=SessionFormat.VIDEO, language="es", topic_ids=[topic],
            summary="Compartimos cómo nuestras propias historias influyen en nuestro trabajo con las familias.",
            notes="Notas privadas de la mentora.")
    logs.save_session(mentor, None, group=group, attendee_ids=[], held_on=today - timedelta(days=1),
                      duration_minutes=90, format=SessionFormat.IN_PERSON, language="es", topic_ids=[],
                      summary="", notes="", planned=True)
