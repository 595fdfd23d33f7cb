"""Record audit events."""

import logging

from lms.accounts.models import User
from lms.audit.models import Action, AuditEvent
from lms.extensions import db

log = logging.getLogger("lms.audit")


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
    log.info(
        "audit action=%s actor=%s target=%s details=%r",
        action.value, event.actor_id, event.target_user_id, event.details,
    )
    return event
