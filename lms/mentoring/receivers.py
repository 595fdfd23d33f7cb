"""React to other domains' signals: a new mentor gets a profile with sensible defaults."""

from lms import signals
from lms.accounts.models import Role


@signals.role_changed.connect
def give_new_mentors_a_profile(user, role, granted, **_):
    if granted and role is Role.MENTOR:
        from lms.mentoring.services import profile_of

        profile_of(user)
