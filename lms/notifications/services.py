"""Send notifications and word them in the reader's language."""

from sqlalchemy import select, update

from lms.extensions import db
from lms.i18n import lazy_gettext as _l
from lms.notifications.models import Notification
from lms.sqltypes import utcnow

#: kind -> message; parameters named *_id are resolved to names when shown.
MESSAGES = {
    "seat_offered": _l("A seat opened in %(course)s and it is yours: you are now enrolled."),
    "course_completed": _l("You completed %(course)s. Congratulations!"),
    "enrolled_by_admin": _l("The program office enrolled you in %(course)s."),
    "mentor_assigned": _l("%(mentor)s is your mentor in %(cohort)s."),
    "mentee_assigned": _l("You are now the mentor of %(trainee)s in %(cohort)s."),
    "group_joined": _l("You joined the reflective-practice group %(group)s."),
    "mentor_invited": _l("The program invites you to become a mentor. See your invitation under My mentoring."),
}


def notify(user_id: int, kind: str, **params) -> Notification:
    if kind not in MESSAGES:
        raise ValueError(f"unknown notification kind {kind!r}")
    notification = Notification(user_id=user_id, kind=kind, params=params)
    db.session.add(notification)
    db.session.flush()
    return notification


def unread(user_id: int, limit: int = 20) -> list[Notification]:
    return db.session.scalars(
        select(Notification).where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)
    ).all()


def mark_all_read(user_id: int) -> None:
    db.session.execute(update(Notification).where(
        Notification.user_id == user_id, Notification.read_at.is_(None)).values(read_at=utcnow()))


def unread_messages(user_id: int, language: str) -> list[tuple[Notification, str]]:
    """The person's unread notifications, worded in `language`, with names looked up in a few queries."""
    from lms.accounts.models import User
    from lms.courses.content import course_text, reading_language
    from lms.courses.models import Cohort, Course
    from lms.mentoring.models import ReflectiveGroup

    notifications = unread(user_id)

    def ids(key):
        return {n.params[key] for n in notifications if key in n.params}

    def lookup(model, key, name):
        wanted = ids(key)
        return {o.id: name(o) for o in db.session.scalars(select(model).where(model.id.in_(wanted)))} if wanted else {}

    names = {
        "course": lookup(Course, "course_id", lambda c: course_text(c, reading_language(c, language)).title.value),
        "cohort": lookup(Cohort, "cohort_id", lambda c: c.name),
        "mentor": lookup(User, "mentor_id", lambda u: u.full_name),
        "trainee": lookup(User, "trainee_id", lambda u: u.full_name),
        "group": lookup(ReflectiveGroup, "group_id", lambda g: g.name),
    }
    return worded(notifications, names)


def worded(notifications: list[Notification], names: dict[str, dict[int, str]]) -> list[tuple[Notification, str]]:
    """Pair each notification with its message in the current language, names filled in."""
    result = []
    for notification in notifications:
        params = {kind: names.get(kind, {}).get(notification.params.get(f"{kind}_id"), "")
                  for kind in ("course", "cohort", "mentor", "trainee", "group")}
        result.append((notification, str(MESSAGES[notification.kind]) % params))
    return result
