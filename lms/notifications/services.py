"""Send notifications and word them in the reader's language."""

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from lms.extensions import db
from lms.notifications.models import Notification
from lms.sqltypes import utcnow

#: kind -> message; parameters named *_id are resolved to names when shown.
MESSAGES = {
    "seat_offered": _l("A seat opened in %(course)s and it is yours: you are now enrolled."),
    "course_completed": _l("You completed %(course)s. Congratulations!"),
    "enrolled_by_admin": _l("The program office enrolled you in %(course)s."),
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
    """The person's unread notifications, worded in `language`, course names in it where translated."""
    from lms.courses.content import course_text, reading_language
    from lms.courses.models import Course

    notifications = unread(user_id)
    course_ids = {n.params["course_id"] for n in notifications if "course_id" in n.params}
    titles = {c.id: course_text(c, reading_language(c, language)).title.value
              for c in db.session.scalars(select(Course).where(Course.id.in_(course_ids)))} if course_ids else {}
    return worded(notifications, titles)


def worded(notifications: list[Notification], course_titles: dict[int, str]) -> list[tuple[Notification, str]]:
    """Pair each notification with its message in the current language, course names filled in."""
    result = []
    for notification in notifications:
        params = {"course": course_titles.get(notification.params.get("course_id"), ""), **notification.params}
        result.append((notification, str(MESSAGES[notification.kind]) % params))
    return result
