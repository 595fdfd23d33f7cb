"""Who may reach a view: login is the blueprint-wide default; roles are checked here."""

from flask import abort, current_app, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.accounts.models import Role
from lms.core.security_log import security_event


def require_role(role: Role):
    """A before_request hook: 403 for users without `role`; admins must also use a second factor."""

    def check():
        if not current_user.is_authenticated:
            return None
        if not current_user.has_role(role):
            security_event("access_denied", role=role.value)
            abort(403)
        if role is Role.ADMIN and current_app.config["LMS_ADMIN_REQUIRES_2FA"] \
                and not current_user.two_factor_enabled:
            flash(_("Administrators need a second factor. Set it up to continue."), "info")
            return redirect(url_for("lms.two_factor.index"))
        return None

    return check
