"""Record audit events."""

from lms.accounts.models import User
from lms.audit.models import Action, AuditEvent
from lms.core.security_log import security_event
from lms.extensions import db


def record(action: Action, *, actor: User | None, target: User | None = None, **details) -> AuditEvent:
    """Append an event to the audit log and to the security log."""
    event = AuditEvent(
        action=action.value,
        actor_id=actor.id if actor else None,
        target_user_id=target.id if target else None,
        details={k: str(v) for k, v in details.items()},
    )
    db.session.add(event)
    db.session.flush()
    security_event(action.value, actor_id=event.actor_id, target=event.target_user_id, **event.details)
    return event
