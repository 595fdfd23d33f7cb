"""Services send signals a host app can subscribe to."""

from lms import signals
from lms.accounts import services
from lms.accounts.models import Role, User
from lms.extensions import db
from tests.conftest import PASSWORD


def test_services_send_signals_after_their_change(app, ctx, make_user):
    received = []
    admin = db.session.get(User, make_user("admin").id)

    def on(name):
        def receiver(sender, **kwargs):
            received.append((name, sender.email, kwargs.get("role"), kwargs.get("granted", kwargs.get("active"))))
        return receiver

    handlers = {"registered": on("registered"), "role": on("role"), "status": on("status")}
    with signals.user_registered.connected_to(handlers["registered"]), \
            signals.role_changed.connected_to(handlers["role"]), \
            signals.user_status_changed.connected_to(handlers["status"]):
        user = services.create_user(email="lan@example.org", full_name="Lan", password=PASSWORD)
        services.grant_role(user, Role.MENTOR, by=admin)
        services.deactivate(user, by=admin)
    assert received == [
        ("registered", "lan@example.org", None, None),
        ("role", "lan@example.org", Role.MENTOR, True),
        ("status", "lan@example.org", None, False),
    ]
