"""The admin-editable list of reflective-practice topics; the built-in ones are translated."""

from flask_babel import gettext
from sqlalchemy import select

from lms.extensions import db
from lms.mentoring.models import Topic


def N_(message: str) -> str:
    """Mark a string for translation without translating it here (it is stored, then shown translated)."""
    return message


#: key -> English name. The migration inserts these rows; their names are shown translated.
BUILTIN_TOPICS = {
    "implicit_bias": N_("Implicit bias"),
    "systemic_inequities": N_("Systemic inequities"),
    "power_dynamics": N_("Power dynamics"),
    "privilege": N_("Privilege"),
    "generational_trauma": N_("Generational trauma"),
    "self_care": N_("Self-care and burnout"),
    "family_engagement": N_("Family engagement"),
    "cultural_identity": N_("Cultural identity"),
    "social_emotional_development": N_("Social-emotional development"),
}


def topic_label(topic: Topic) -> str:
    return gettext(BUILTIN_TOPICS[topic.key]) if topic.key in BUILTIN_TOPICS else topic.name


def active_topics() -> list[Topic]:
    return db.session.scalars(select(Topic).where(Topic.is_active).order_by(Topic.id)).all()


def seed_builtin_topics() -> None:
    """Add the built-in topics that are missing (databases made without migrations, demo data)."""
    present = set(db.session.scalars(select(Topic.key).where(Topic.key.is_not(None))))
    db.session.add_all(Topic(key=key, name=name) for key, name in BUILTIN_TOPICS.items() if key not in present)
    db.session.flush()


def save_topic(topic: Topic, *, name: str, is_active: bool) -> Topic:
    topic.name, topic.is_active = name, is_active
    db.session.add(topic)
    db.session.flush()
    return topic
