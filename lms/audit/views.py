"""The audit log, readable by admins."""

from flask import Blueprint, current_app, render_template, request
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from lms.accounts.access import require_role
from lms.accounts.models import Role
from lms.audit.models import Action, AuditEvent
from lms.extensions import db

bp = Blueprint("audit", __name__, url_prefix="/admin/audit")
bp.before_request(require_role(Role.ADMIN))


@bp.get("")
def index():
    action = request.args.get("action", "")
    stmt = (
        select(AuditEvent)
        .options(selectinload(AuditEvent.actor), selectinload(AuditEvent.target_user))
        .order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    )
    if action in set(Action):
        stmt = stmt.where(AuditEvent.action == action)
    else:
        action = ""
    person = request.args.get("user", type=int)
    if person is not None:
        stmt = stmt.where(or_(AuditEvent.actor_id == person, AuditEvent.target_user_id == person))
    page = db.paginate(stmt, per_page=current_app.config["LMS_PAGE_SIZE"], error_out=False)
    return render_template(
        "lms/audit/index.html", page=page, actions=list(Action), action=action,
        role_labels={role.value: role.label for role in Role},
    )
