"""Admin pages that list people, grant and revoke roles, and deactivate accounts."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.accounts import privacy, services
from lms.accounts.access import require_role
from lms.accounts.sessions import recent_login_required
from lms.accounts.forms import RoleForm, UserSearchForm
from lms.accounts.models import Role, User
from lms.extensions import db

bp = Blueprint("users", __name__, url_prefix="/admin/users")
bp.before_request(require_role(Role.ADMIN))


@bp.get("")
def index():
    form = UserSearchForm(request.args)
    form.validate()
    stmt = services.search_users(
        form.q.data or "",
        role=Role(form.role.data) if form.role.data and not form.role.errors else None,
        active={"active": True, "inactive": False}.get(form.status.data),
    )
    page = db.paginate(stmt, per_page=current_app.config["LMS_PAGE_SIZE"], error_out=False)
    return render_template("lms/admin/users.html", form=form, page=page)


@bp.get("/<lms_id:user_id>")
def detail(user_id):
    return _detail(db.get_or_404(User, user_id), RoleForm())


@bp.post("/<lms_id:user_id>/roles")
@recent_login_required
def grant_role(user_id):
    user = db.get_or_404(User, user_id)
    form = RoleForm()
    if not form.validate():
        flash(_("Choose a role to grant."), "error")
        return redirect(url_for(".detail", user_id=user.id))
    role = Role(form.role.data)
    try:
        services.refuse_unproven_address(user, role)
        services.grant_role(user, role, by=current_user)
    except services.AccountError as error:
        db.session.rollback()
        form.role.errors.append(error.message)
        return _detail(user, form), 422
    db.session.commit()
    flash(_("%(role)s role granted.", role=role.label), "success")
    return redirect(url_for(".detail", user_id=user.id))


def _detail(user, role_form):
    return render_template("lms/admin/user.html", user=user, role_form=role_form,
                           unproven=services.is_unproven_registration(user))


@bp.get("/<lms_id:user_id>/roles/<any(trainee, mentor, admin):role>/revoke")
@recent_login_required
def confirm_revoke_role(user_id, role):
    user, role = db.get_or_404(User, user_id), Role(role)
    if not user.has_role(role):
        abort(404)
    return _confirm("role", user, url_for(".revoke_role", user_id=user.id, role=role.value), role=role)


@bp.post("/<lms_id:user_id>/roles/<any(trainee, mentor, admin):role>/revoke")
@recent_login_required
def revoke_role(user_id, role):
    user = db.get_or_404(User, user_id)
    role = Role(role)
    return _run(lambda: services.revoke_role(user, role, by=current_user), user,
                _("%(role)s role removed.", role=role.label))


@bp.get("/<lms_id:user_id>/deactivate")
@recent_login_required
def confirm_deactivate(user_id):
    user = db.get_or_404(User, user_id)
    return _confirm("deactivate", user, url_for(".deactivate", user_id=user.id))


@bp.post("/<lms_id:user_id>/deactivate")
@recent_login_required
def deactivate(user_id):
    user = db.get_or_404(User, user_id)
    return _run(lambda: services.deactivate(user, by=current_user), user,
                _("The account is deactivated. The person can no longer log in."))


@bp.post("/<lms_id:user_id>/reactivate")
@recent_login_required
def reactivate(user_id):
    user = db.get_or_404(User, user_id)
    return _run(lambda: services.reactivate(user, by=current_user), user,
                _("The account is active again."))


@bp.get("/<lms_id:user_id>/erase")
@recent_login_required
def confirm_erase(user_id):
    user = db.get_or_404(User, user_id)
    return _confirm("erase", user, url_for(".erase", user_id=user.id))


@bp.post("/<lms_id:user_id>/erase")
@recent_login_required
def erase(user_id):
    user = db.get_or_404(User, user_id)
    if request.form.get("confirm") != "erase":
        flash(_("Tick the box to confirm that the erasure cannot be undone."), "error")
        return redirect(url_for(".confirm_erase", user_id=user.id))
    return _run(lambda: privacy.erase(user, by=current_user), user,
                _("The person's personal data is erased. Their course counts remain, anonymously."))


def _confirm(kind, user, action, **context):
    """The page that says what the action will do; only its form's POST does it."""
    return render_template("lms/admin/confirm.html", kind=kind, user=user, action=action, **context)


def _run(action, user, success_message):
    """Run one account service as the current admin, commit once, and report the outcome."""
    try:
        action()
    except services.AccountError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(success_message, "success")
    return redirect(url_for(".detail", user_id=user.id))
