"""Import every domain's models, so migrations and create_all see every table."""

from lms.accounts.models import Role, User, UserRole  # noqa: F401
from lms.audit.models import AuditEvent  # noqa: F401
