"""Who may reach a view: login is the blueprint-wide default; roles are checked here."""

from flask import abort
from flask_login import current_user

from lms.accounts.models import Role


def require_role(role: Role):
    """A before_request hook that answers 403 to logged-in users without `role`."""

    def check():
        if current_user.is_authenticated and not current_user.has_role(role):
            abort(403)

    return check
