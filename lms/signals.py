"""Signals a host app can subscribe to; services send them after a flush."""

from blinker import Namespace

_signals = Namespace()

#: Sent with the new user when someone registers or is created by the CLI.
user_registered = _signals.signal("lms.user-registered")
#: Sent with the user whose roles changed; kwargs: role, granted (bool), by.
role_changed = _signals.signal("lms.role-changed")
#: Sent with the user who was deactivated or reactivated; kwargs: active (bool), by.
user_status_changed = _signals.signal("lms.user-status-changed")
