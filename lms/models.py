"""Import every domain's models, so migrations and create_all see every table."""

from lms.accounts.models import RecoveryCode, Role, User, UserRole  # noqa: F401
from lms.audit.models import AuditEvent  # noqa: F401
from lms.courses.models import (  # noqa: F401
    Cohort, CohortLanguage, Course, CourseTranslation, Module, ModuleTranslation, Program,
)
from lms.enrollment.models import CourseEvaluation, Enrollment, ModuleProgress  # noqa: F401
from lms.notifications.models import Notification  # noqa: F401
from lms.mentoring.models import (  # noqa: F401
    GroupMember, MentorAssignment, MentorInvitation, MentorLanguage, MentorProfile, ReflectiveGroup,
    ReflectiveSession, SessionRevision, Topic,
)
from lms.attendance.models import AttendanceChange, AttendanceRecord, CalendarToken, LearningSession  # noqa: F401
from lms.enrollment.models import EnrollmentPeriod  # noqa: F401
from lms.credentials.models import (  # noqa: F401
    Certificate, CertificatePreference, CertificateRule, MentorSignoff,
)
from lms.demographics.models import Demographics, RaceCategory, SpokenLanguage  # noqa: F401
from lms.core.once import FormSubmission  # noqa: F401
