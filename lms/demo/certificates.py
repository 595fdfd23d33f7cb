"""Demo certificate rules, and a few certificates already issued (others eligible, waiting)."""

from decimal import Decimal

from sqlalchemy import select

from lms.accounts.models import User
from lms.courses.models import Cohort, Course
from lms.credentials import services
from lms.credentials.models import CertificateRule
from lms.extensions import db


def build_certificates(admin: User) -> None:
    if db.session.scalar(select(CertificateRule.program_id).limit(1)) is not None:
        return
    cohort = db.session.scalars(select(Cohort).order_by(Cohort.id)).first()
    foundations = db.session.scalar(select(Course).where(Course.code == "BCL-101"))
    if cohort is None or foundations is None:
        return
    services.save_rule(
        cohort.program, course_ids=[foundations.id], by=admin, requires_attendance=True, attendance_percent=70,
        min_individual_hours=Decimal("0"), min_group_hours=Decimal("0"), min_total_hours=Decimal("0"),
        requires_mentor_signoff=False, requires_evaluation=True, issuer="",
        signatory_name="Dr. Marisol Peña", signatory_title="Program Director, Best Starts for Kids")
    services.issue_eligible(cohort, by=admin, limit=2)
