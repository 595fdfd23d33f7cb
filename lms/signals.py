"""Signals a host app can subscribe to; services send them after a flush."""

from blinker import Namespace

_signals = Namespace()

#: Sent with the new user when someone registers or is created by the CLI.
user_registered = _signals.signal("lms.user-registered")
#: Sent with the user whose roles changed; kwargs: role, granted (bool), by.
role_changed = _signals.signal("lms.role-changed")
#: Sent with the user who was deactivated or reactivated; kwargs: active (bool), by.
user_status_changed = _signals.signal("lms.user-status-changed")
#: Sent with an Enrollment that got a seat or a waitlist place; kwargs: status.
enrolled = _signals.signal("lms.enrolled")
#: Sent with an Enrollment the trainee gave up.
withdrawn = _signals.signal("lms.withdrawn")
#: Sent with a ModuleProgress when a module is marked complete.
module_completed = _signals.signal("lms.module-completed")
#: Sent with an Enrollment whose required modules are all complete.
course_completed = _signals.signal("lms.course-completed")
#: Sent with a Certificate just issued (or reissued); kwargs: by.
certificate_issued = _signals.signal("lms.certificate-issued")
#: Sent with a Certificate just revoked; kwargs: by.
certificate_revoked = _signals.signal("lms.certificate-revoked")
