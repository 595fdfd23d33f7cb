"""Issue, revoke and reissue certificates; set the rules, sign-offs and name choices they depend on.

Issuing renders the PDF and signs the Open Badges credential once; both are stored and never made
again. A valid certificate per trainee and program is unique in the database, and issuing takes the
trainee's row lock first, so two requests at once give one certificate.
"""

import hashlib
from concurrent.futures import ProcessPoolExecutor
from contextlib import nullcontext
from multiprocessing import get_context
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from certificates import CertificateData, UnprintableText, missing_characters, render_certificate
from lms import signals
from lms.accounts.models import User
from lms.audit.models import Action
from lms.audit.services import record
from lms.courses.models import Cohort, Course, Program
from lms.credentials import documents
from lms.credentials.eligibility import Eligibility, cohort_eligibility, program_day, rule_for
from lms.credentials.models import (
    Certificate, CertificatePreference, CertificateRule, CertificateStatus, MentorSignoff, NameStyle, new_code,
    new_serial,
)
from lms.extensions import db
from lms.i18n import lazy_gettext as _l
from lms.mentoring.models import MentorAssignment
from lms.sqltypes import utcnow


NOT_LAID_OUT = _l("The certificate cannot be laid out: a name has nothing printable, or a name, the issuer or "
                  "the signatory is too long. Check the trainee's name and the program's certificate rules.")


class CertificateError(ValueError):
    """A certificate rule refused the change; `field` names the form field it concerns, if any."""

    def __init__(self, message, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def name_style(user: User) -> NameStyle:
    preference = db.session.get(CertificatePreference, user.id)
    return preference.name_style if preference else NameStyle.LEGAL


def set_name_style(user: User, style: NameStyle) -> None:
    preference = db.session.get(CertificatePreference, user.id) or CertificatePreference(user_id=user.id)
    preference.name_style = style
    db.session.add(preference)
    db.session.flush()


def unprintable(names: tuple[str, ...]) -> str:
    """The characters of `names` that no shipped font has, named, or an empty string."""
    return ", ".join(dict.fromkeys(missing_characters(" ".join(names))))


def save_rule(program: Program, *, course_ids: list[int], by: User, **values) -> CertificateRule:
    """Set what the program's certificate asks for (attendance_percent goes to the program's warning line)."""
    rule = rule_for(program.id)
    courses = db.session.scalars(select(Course).where(Course.id.in_(course_ids),
                                                      Course.program_id == program.id)).all()
    if len(courses) != len(set(course_ids)):
        raise CertificateError(_l("Choose courses of this program."), "courses")
    if "attendance_percent" in values:
        program.attendance_warning_percent = values.pop("attendance_percent")
    for name, value in values.items():
        setattr(rule, name, value)
    rule.courses = list(courses)
    db.session.add(rule)
    db.session.flush()
    record(Action.CERTIFICATE_RULES_CHANGED, actor=by, program=program.id)
    return rule


def sign_off(mentor: User, trainee: User, program: Program) -> MentorSignoff:
    """Record the mentor's sign-off; only a current mentor of the trainee in a cohort of the program may."""
    _check_mentor(mentor, trainee, program)
    signoff = db.session.get(MentorSignoff, (trainee.id, program.id))
    if signoff is None:
        signoff = MentorSignoff(trainee_id=trainee.id, program_id=program.id, mentor_id=mentor.id)
        db.session.add(signoff)
        db.session.flush()
    return signoff


def withdraw_sign_off(mentor: User, trainee: User, program: Program) -> None:
    _check_mentor(mentor, trainee, program)
    signoff = db.session.get(MentorSignoff, (trainee.id, program.id))
    if signoff is not None and signoff.mentor_id == mentor.id:
        db.session.delete(signoff)
        db.session.flush()


def _check_mentor(mentor: User, trainee: User, program: Program) -> None:
    assigned = db.session.scalar(select(MentorAssignment.id).join(Cohort, Cohort.id == MentorAssignment.cohort_id)
                                 .where(MentorAssignment.mentor_id == mentor.id,
                                        MentorAssignment.trainee_id == trainee.id,
                                        MentorAssignment.ended_at.is_(None), Cohort.program_id == program.id))
    if assigned is None:
        raise CertificateError(_l("Only the trainee's current mentor can sign off."))


@dataclass(frozen=True)
class Prepared:
    """A certificate rendered and signed, not saved yet."""

    certificate: Certificate
    eligibility: Eligibility


def prepare(found: Eligibility, *, override_reason: str | None = None, now: datetime | None = None) -> Prepared:
    """Render the PDF and sign the credential of one trainee's certificate (nothing is saved)."""
    draft = _draft(found, override_reason, now or utcnow())
    return _complete(draft, render_pdf(draft.data))


@dataclass(frozen=True)
class _Draft:
    certificate: Certificate
    data: CertificateData
    eligibility: Eligibility


def _draft(found: Eligibility, override_reason: str | None, now: datetime) -> _Draft:
    """Everything about a certificate but its PDF and badge; refuses the ineligible and unprintable."""
    if not found.eligible and not (override_reason or "").strip():
        raise CertificateError(_l("%(name)s has not met every requirement. Give a reason to issue anyway.",
                                  name=found.trainee.full_name), "reason")
    trainee, cohort, program = found.trainee, found.cohort, found.cohort.program
    names = documents.printed_names(trainee, name_style(trainee))
    missing = unprintable(names)
    if missing:
        raise CertificateError(_l("The name cannot be printed: no font has %(characters)s. Ask the trainee to "
                                  "check how their name is written.", characters=missing), "name")
    rule = rule_for(program.id)
    completed_on = found.completed_on or program_day(now)
    issuer = rule.issuer or current_app.config["LMS_CERTIFICATE_ISSUER"]
    code, serial = new_code(), new_serial(now.year)
    language = documents.certificate_language(trainee)
    data = documents.certificate_data(
        program=program, names=names, pd_hours=found.pd_hours, completed_on=completed_on, issuer=issuer,
        signatory_name=rule.signatory_name, signatory_title=rule.signatory_title, serial=serial,
        verify_url=documents.external_url("lms.verify.show", code=code), language=language)
    certificate = Certificate(
        serial=serial, code=code, trainee_id=trainee.id, program_id=program.id, cohort_id=cohort.id,
        status=CertificateStatus.VALID, printed_name="\n".join(names), language=language,
        pd_hours=found.pd_hours, completed_on=completed_on, issuer=issuer, issued_at=now,
        override_reason=None if found.eligible else override_reason.strip())
    return _Draft(certificate, data, found)


def render_pdf(data: CertificateData) -> bytes:
    """The PDF, or a CertificateError saying why it cannot be printed."""
    result = _render_in_worker(data)
    if isinstance(result, bytes):
        return result
    raise CertificateError(_unrenderable(result), "name")


def _unrenderable(characters: tuple[str, ...]):
    if characters:
        return _l("The certificate cannot be printed: no font has %(characters)s.", characters=", ".join(characters))
    return NOT_LAID_OUT


def _render_in_worker(data: CertificateData) -> bytes | tuple[str, ...]:
    """Render (also in a worker process); text that cannot be printed comes back as its characters, and
    text that cannot be laid out (too long, or nothing visible) as no characters, never as an exception."""
    try:
        return render_certificate(data)
    except UnprintableText as error:
        return error.characters
    except ValueError:
        return ()


def _complete(draft: _Draft, pdf: bytes) -> Prepared:
    certificate = draft.certificate
    certificate.pdf, certificate.sha256 = pdf, hashlib.sha256(pdf).hexdigest()
    certificate.credential = documents.signed_badge(certificate, draft.eligibility.cohort.program,
                                                    draft.data.verify_url)
    return Prepared(certificate, draft.eligibility)


def save(prepared: Prepared, *, by: User | None) -> Certificate:
    """Store a prepared certificate, unless the trainee got a valid one meanwhile (then return that one)."""
    certificate = prepared.certificate
    lock_trainee(certificate.trainee_id)
    existing = valid_certificate(certificate.trainee_id, certificate.program_id)
    if existing is not None:
        return existing
    certificate.issued_by_id = by.id if by else None
    try:
        with db.session.begin_nested():
            db.session.add(certificate)
    except IntegrityError:  # another worker issued it between our check and insert
        return valid_certificate(certificate.trainee_id, certificate.program_id)
    trainee = db.session.get(User, certificate.trainee_id)
    record(Action.CERTIFICATE_ISSUED, actor=by, target=trainee, serial=certificate.serial,
           program=certificate.program_id)
    if certificate.override_reason:
        record(Action.CERTIFICATE_OVERRIDE, actor=by, target=trainee, serial=certificate.serial,
               reason=certificate.override_reason,
               missing="; ".join(str(check.label) for check in prepared.eligibility.missing))
    signals.certificate_issued.send(certificate, by=by)
    return certificate


def issue(trainee: User, cohort: Cohort, *, by: User | None, override_reason: str | None = None) -> Certificate:
    """The trainee's valid certificate for the cohort's program: the one they hold, or a new one."""
    existing = valid_certificate(trainee.id, cohort.program_id)
    if existing is not None:
        return existing
    [found] = cohort_eligibility(cohort, [trainee.id]) or [None]
    if found is None:
        raise CertificateError(_l("%(name)s holds no seat in this cohort.", name=trainee.full_name))
    return save(prepare(found, override_reason=override_reason), by=by)


@dataclass
class BatchResult:
    issued: list[Certificate] = field(default_factory=list)
    already: int = 0
    not_eligible: int = 0
    refused: list[tuple[User, str]] = field(default_factory=list)
    #: Eligible trainees who still hold none after this batch (the refused among them).
    waiting: int = 0


def issue_eligible(cohort: Cohort, *, by: User | None, limit: int | None = None, progress=None,
                   workers: int = 1, checklists: list[Eligibility] | None = None) -> BatchResult:
    """Issue to every eligible trainee of the cohort who holds none yet (at most `limit`).

    Renders first and saves after, so the write lock is held only for the inserts; with `workers`
    above 1 the PDFs render in that many processes (the engine needs no app). `progress` is called
    with the number rendered so far. `checklists`, the cohort's eligibility if the caller has it.
    """
    result = BatchResult()
    drafts = []
    now = utcnow()
    for found in cohort_eligibility(cohort) if checklists is None else checklists:
        if found.certificate is not None:
            result.already += 1
        elif not found.eligible:
            result.not_eligible += 1
        else:
            result.waiting += 1
            if limit is not None and len(drafts) >= limit:
                continue
            try:
                drafts.append(_draft(found, None, now))
            except CertificateError as error:
                result.refused.append((found.trainee, str(error.message)))
    prepared = []
    # Forked workers only render: they never touch the database connections they inherit.
    with ProcessPoolExecutor(workers, mp_context=get_context("fork")) if workers > 1 else nullcontext() as pool:
        pdfs = pool.map(_render_in_worker, [d.data for d in drafts], chunksize=8) if pool else \
            map(_render_in_worker, (d.data for d in drafts))
        for n, (draft, pdf) in enumerate(zip(drafts, pdfs), start=1):
            if isinstance(pdf, bytes):
                prepared.append(_complete(draft, pdf))
            else:
                result.refused.append((draft.eligibility.trainee, str(_unrenderable(pdf))))
            if progress:
                progress(n)
    for item in prepared:
        certificate = save(item, by=by)
        if certificate is item.certificate:
            result.issued.append(certificate)
        else:
            result.already += 1
        result.waiting -= 1
    return result


def revoke(certificate: Certificate, *, reason: str, by: User) -> None:
    _lock(certificate)
    if certificate.status is not CertificateStatus.VALID:
        raise CertificateError(_l("Only a valid certificate can be revoked."))
    if not reason.strip():
        raise CertificateError(_l("Give the reason for revoking."), "reason")
    certificate.status = CertificateStatus.REVOKED
    certificate.revoked_at, certificate.revoked_by_id, certificate.revocation_reason = utcnow(), by.id, reason.strip()
    db.session.flush()
    record(Action.CERTIFICATE_REVOKED, actor=by, target=certificate.trainee, serial=certificate.serial,
           reason=certificate.revocation_reason)
    signals.certificate_revoked.send(certificate, by=by)


def reissue(certificate: Certificate, *, by: User, reason: str) -> Certificate:
    """A new certificate with a new serial in place of this valid one, which shows as superseded from now on.

    For corrections (a name, a typo): the new one prints the same hours and completion date, and the
    trainee's name as they now want it; it is not an occasion to check the rules again.
    """
    _lock(certificate)
    if certificate.status is not CertificateStatus.VALID:
        raise CertificateError(_l("Only a valid certificate can be reissued."))
    if not reason.strip():
        raise CertificateError(_l("Give the reason for reissuing."), "reason")
    same = Eligibility(certificate.trainee, certificate.cohort, pd_hours=certificate.pd_hours,
                       completed_on=certificate.completed_on)
    prepared = prepare(same)
    prepared.certificate.override_reason = certificate.override_reason
    certificate.status = CertificateStatus.SUPERSEDED
    db.session.flush()
    new = save(prepared, by=by)
    certificate.superseded_by_id = new.id
    db.session.flush()
    record(Action.CERTIFICATE_REISSUED, actor=by, target=certificate.trainee, serial=new.serial,
           replaces=certificate.serial, reason=reason.strip())
    return new


def valid_certificate(trainee_id: int, program_id: int) -> Certificate | None:
    return db.session.scalars(select(Certificate).where(
        Certificate.trainee_id == trainee_id, Certificate.program_id == program_id,
        Certificate.status == CertificateStatus.VALID)).first()


def _lock(certificate: Certificate) -> None:
    """Take the trainee's lock, then reload the certificate: another admin may have changed it meanwhile."""
    lock_trainee(certificate.trainee_id)
    db.session.refresh(certificate)


def lock_trainee(trainee_id: int) -> None:
    """Serialise certificate changes for one trainee (a no-op update takes the row's write lock)."""
    db.session.execute(update(User).where(User.id == trainee_id).values(id=User.id)
                       .execution_options(synchronize_session=False))
