"""Audit events, which the database refuses to change or delete."""

import enum
from datetime import datetime

from sqlalchemy import JSON, DDL, ForeignKey, Index, String, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.extensions import db
from lms.i18n import lazy_gettext as _l
from lms.sqltypes import UTCDateTime, utcnow


class Action(enum.StrEnum):
    ROLE_GRANTED = "role_granted"
    ROLE_REVOKED = "role_revoked"
    USER_DEACTIVATED = "user_deactivated"
    USER_REACTIVATED = "user_reactivated"
    ADMIN_CREATED = "admin_created"
    ACCOUNT_RECLAIMED = "account_reclaimed"
    ENROLLMENTS_IMPORTED = "enrollments_imported"
    USER_ERASED = "user_erased"
    MENTOR_ASSIGNED = "mentor_assigned"
    MENTOR_UNASSIGNED = "mentor_unassigned"
    MENTOR_OVER_CAPACITY = "mentor_over_capacity"
    MENTOR_INVITED = "mentor_invited"
    SESSION_LOG_DELETED = "session_log_deleted"
    CERTIFICATE_ISSUED = "certificate_issued"
    CERTIFICATE_OVERRIDE = "certificate_override"
    CERTIFICATE_REVOKED = "certificate_revoked"
    CERTIFICATE_REISSUED = "certificate_reissued"
    CERTIFICATE_RULES_CHANGED = "certificate_rules_changed"
    REPORT_EXACT_COUNTS = "report_exact_counts"

    @property
    def label(self):
        return ACTION_LABELS[self]


ACTION_LABELS = {
    Action.ROLE_GRANTED: _l("Role granted"),
    Action.ROLE_REVOKED: _l("Role revoked"),
    Action.USER_DEACTIVATED: _l("Account deactivated"),
    Action.USER_REACTIVATED: _l("Account reactivated"),
    Action.ADMIN_CREATED: _l("Administrator created"),
    Action.ACCOUNT_RECLAIMED: _l("Account taken back: new password, sessions ended, address confirmed"),
    Action.ENROLLMENTS_IMPORTED: _l("Enrollments imported"),
    Action.USER_ERASED: _l("Personal data erased"),
    Action.MENTOR_ASSIGNED: _l("Mentor assigned"),
    Action.MENTOR_UNASSIGNED: _l("Mentor assignment ended"),
    Action.MENTOR_OVER_CAPACITY: _l("Mentor capacity exceeded"),
    Action.MENTOR_INVITED: _l("Invited to become a mentor"),
    Action.SESSION_LOG_DELETED: _l("Session log deleted"),
    Action.CERTIFICATE_ISSUED: _l("Certificate issued"),
    Action.CERTIFICATE_OVERRIDE: _l("Certificate issued without every requirement met"),
    Action.CERTIFICATE_REVOKED: _l("Certificate revoked"),
    Action.CERTIFICATE_REISSUED: _l("Certificate reissued"),
    Action.CERTIFICATE_RULES_CHANGED: _l("Certificate rules changed"),
    Action.REPORT_EXACT_COUNTS: _l("Program report shown with exact counts"),
}


class AuditEvent(db.Model):
    __tablename__ = "lms_audit_event"
    __table_args__ = (Index("ix_lms_audit_event_created_at", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Who did it; None when it came from the command line.
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("lms_user.id"), index=True)
    action: Mapped[str] = mapped_column(String(64))
    #: The person the action was done to, if any.
    target_user_id: Mapped[int | None] = mapped_column(ForeignKey("lms_user.id"), index=True)
    #: The facts of the event, e.g. {"role": "mentor"}; never passwords or private notes.
    details: Mapped[dict] = mapped_column(JSON, default=dict)

    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id])
    target_user: Mapped[User | None] = relationship(foreign_keys=[target_user_id])

    @property
    def action_label(self):
        try:
            return Action(self.action).label
        except ValueError:
            return self.action


# The same statements are in the initial migration; create_all (tests) uses these.
APPEND_ONLY_DDL = {
    "sqlite": [
        "CREATE TRIGGER lms_audit_event_no_update BEFORE UPDATE ON lms_audit_event "
        "BEGIN SELECT RAISE(ABORT, 'lms_audit_event is append-only'); END",
        "CREATE TRIGGER lms_audit_event_no_delete BEFORE DELETE ON lms_audit_event "
        "BEGIN SELECT RAISE(ABORT, 'lms_audit_event is append-only'); END",
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION lms_audit_event_append_only() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'lms_audit_event is append-only'; END $$",
        "CREATE TRIGGER lms_audit_event_append_only BEFORE UPDATE OR DELETE ON lms_audit_event "
        "FOR EACH ROW EXECUTE FUNCTION lms_audit_event_append_only()",
    ],
}

for _dialect, _statements in APPEND_ONLY_DDL.items():
    for _statement in _statements:
        event.listen(
            AuditEvent.__table__, "after_create", DDL(_statement).execute_if(dialect=_dialect)
        )
event.listen(
    AuditEvent.__table__, "after_drop",
    DDL("DROP FUNCTION IF EXISTS lms_audit_event_append_only()").execute_if(dialect="postgresql"),
)
