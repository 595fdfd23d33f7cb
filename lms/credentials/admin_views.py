"""Admin pages: each program's certificate rules, a cohort's eligibility, issuing, revoking and reissuing."""

import zipfile

from flask import Blueprint, Response, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from wtforms.fields.choices import SelectChoice

from lms.accounts.access import require_role
from lms.accounts.models import Role, User
from lms.accounts.sessions import recent_login_required
from lms.core.forms import apply_error
from lms.core.security_log import security_event
from lms.courses.models import Cohort, Program
from lms.credentials import documents, services
from lms.credentials.eligibility import cohort_eligibility, required_courses, rule_for
from lms.credentials.forms import IssueForm, ReissueForm, RevokeForm, RuleForm
from lms.credentials.models import Certificate, CertificateStatus
from lms.extensions import db

bp = Blueprint("certificates_admin", __name__, url_prefix="/admin/certificates")
bp.before_request(require_role(Role.ADMIN))


@bp.get("")
def index():
    programs = db.session.scalars(select(Program).options(joinedload(Program.cohorts))
                                  .where(Program.is_archived.is_(False)).order_by(Program.name)).unique().all()
    return render_template("lms/credentials/admin/index.html", programs=programs)


@bp.route("/programs/<lms_id:program_id>/rules", methods=["GET", "POST"])
def rules(program_id):
    program = db.get_or_404(Program, program_id)
    rule = rule_for(program.id)
    form = RuleForm(obj=rule, attendance_percent=program.attendance_warning_percent)
    if request.method == "GET":  # obj's Course objects would win over ids passed in, and checking one fails
        form.courses.data = [c.id for c in rule.courses]
    chosen = {c.id for c in rule.courses}  # an archived course chosen earlier stays listed, so it is not dropped
    form.courses.choices = [SelectChoice(c.id, f"{c.code} · {c.title}") for c in program.courses
                            if not c.is_archived or c.id in chosen]
    if form.validate_on_submit():
        try:
            services.save_rule(program, course_ids=form.courses.data or [], by=current_user, **{
                name: getattr(form, name).data for name in (
                    "requires_attendance", "attendance_percent", "min_individual_hours", "min_group_hours",
                    "min_total_hours", "requires_mentor_signoff", "requires_evaluation", "issuer",
                    "signatory_name", "signatory_title")})
        except services.CertificateError as error:
            db.session.rollback()
            apply_error(form, error)
        else:
            db.session.commit()
            flash(_("The certificate rules are saved."), "success")
            return redirect(url_for(".index"))
    return render_template("lms/credentials/admin/rules.html", program=program, form=form), 422 if form.errors else 200


@bp.get("/cohorts/<lms_id:cohort_id>")
def cohort(cohort_id):
    cohort = db.get_or_404(Cohort, cohort_id)
    found = cohort_eligibility(cohort)
    return render_template("lms/credentials/admin/cohort.html", cohort=cohort, found=found,
                           courses=required_courses(rule_for(cohort.program_id), cohort),
                           waiting=sum(1 for f in found if f.eligible and f.certificate is None),
                           batch=current_app.config["LMS_CERTIFICATE_BATCH"])


@bp.post("/cohorts/<lms_id:cohort_id>/issue")
@recent_login_required
def issue_eligible(cohort_id):
    """Issue to the next batch of eligible trainees; the page repeats this until none is waiting."""
    cohort = db.get_or_404(Cohort, cohort_id)
    result = services.issue_eligible(cohort, by=current_user, limit=current_app.config["LMS_CERTIFICATE_BATCH"])
    db.session.commit()
    waiting = result.waiting
    if request.accept_mimetypes.best == "application/json":
        if not waiting or not result.issued:  # the page stops and reloads: say there who could not be issued
            for person, reason in result.refused:
                flash(f"{person.full_name}: {reason}", "error")
        return jsonify(issued=len(result.issued), waiting=waiting,
                       refused=[f"{person.full_name}: {reason}" for person, reason in result.refused])
    issued = ngettext("%(num)s certificate issued.", "%(num)s certificates issued.", len(result.issued))
    flash(f"{issued} " + (ngettext("%(num)s eligible trainee is still waiting.",
                                   "%(num)s eligible trainees are still waiting.", waiting) if waiting
                          else _("Every eligible trainee now holds one.")), "success")
    for person, reason in result.refused:
        flash(f"{person.full_name}: {reason}", "error")
    return redirect(url_for(".cohort", cohort_id=cohort.id))


@bp.get("/cohorts/<lms_id:cohort_id>/trainees/<lms_id:user_id>")
def trainee(cohort_id, user_id):
    cohort, found = _eligibility(cohort_id, user_id)
    return _trainee_page(cohort, found, IssueForm())


@bp.post("/cohorts/<lms_id:cohort_id>/trainees/<lms_id:user_id>")
@recent_login_required
def issue_one(cohort_id, user_id):
    cohort, found = _eligibility(cohort_id, user_id)
    form = IssueForm()
    if form.validate_on_submit():
        try:
            certificate = services.issue(found.trainee, cohort, by=current_user, override_reason=form.reason.data)
        except services.CertificateError as error:
            db.session.rollback()
            apply_error(form, error)
        else:
            db.session.commit()
            flash(_("Certificate %(serial)s is issued.", serial=certificate.serial), "success")
            return redirect(url_for(".certificate", certificate_id=certificate.id))
    return _trainee_page(cohort, found, form), 422


@bp.get("/<lms_id:certificate_id>")
def certificate(certificate_id):
    certificate = db.get_or_404(Certificate, certificate_id)
    return render_template("lms/credentials/admin/certificate.html", certificate=certificate,
                           reissue_form=ReissueForm(prefix="reissue"), people=_people(certificate))


@bp.get("/<lms_id:certificate_id>/revoke")
@recent_login_required
def confirm_revoke(certificate_id):
    """Say what revoking does and ask for the reason; nothing changes until it is posted."""
    certificate = db.get_or_404(Certificate, certificate_id)
    return render_template("lms/credentials/admin/confirm_revoke.html", certificate=certificate,
                           form=RevokeForm(prefix="revoke"))


@bp.post("/<lms_id:certificate_id>/revoke")
@recent_login_required
def revoke(certificate_id):
    certificate = db.get_or_404(Certificate, certificate_id)
    form = RevokeForm(prefix="revoke")
    if form.validate_on_submit():
        try:
            services.revoke(certificate, reason=form.reason.data, by=current_user)
        except services.CertificateError as error:
            db.session.rollback()
            apply_error(form, error)
        else:
            db.session.commit()
            flash(_("The certificate is revoked."), "success")
            return redirect(url_for(".certificate", certificate_id=certificate.id))
    return render_template("lms/credentials/admin/confirm_revoke.html", certificate=certificate, form=form), 422


@bp.post("/<lms_id:certificate_id>/reissue")
@recent_login_required
def reissue(certificate_id):
    certificate = db.get_or_404(Certificate, certificate_id)
    form = ReissueForm(prefix="reissue")
    if form.validate_on_submit():
        try:
            new = services.reissue(certificate, reason=form.reason.data, by=current_user)
        except services.CertificateError as error:
            db.session.rollback()
            apply_error(form, error)
        else:
            db.session.commit()
            flash(_("A new certificate is issued in place of this one."), "success")
            return redirect(url_for(".certificate", certificate_id=new.id))
    return render_template("lms/credentials/admin/certificate.html", certificate=certificate,
                           people=_people(certificate), reissue_form=form), 422


@bp.get("/<lms_id:certificate_id>/certificate.pdf")
def download(certificate_id):
    certificate = db.get_or_404(Certificate, certificate_id)
    return documents.pdf_response(certificate)


@bp.get("/cohorts/<lms_id:cohort_id>/certificates.zip")
@recent_login_required
def archive(cohort_id):
    """Every valid certificate of the cohort, streamed as a ZIP, one PDF loaded at a time."""
    cohort = db.get_or_404(Cohort, cohort_id)
    ids = db.session.execute(select(Certificate.id, Certificate.serial).where(
        Certificate.cohort_id == cohort.id, Certificate.status == CertificateStatus.VALID)
        .order_by(Certificate.serial)).all()
    security_event("certificates_exported", cohort=cohort.id, count=len(ids))
    return Response(_zip_stream(current_app._get_current_object(), ids), mimetype="application/zip", headers={
        "Content-Disposition": f'attachment; filename="certificates-cohort-{cohort.id}.zip"',
        "Cache-Control": "no-store"})


def _zip_stream(app, ids):
    class Sink:
        def __init__(self):
            self.chunks = []

        def write(self, data):
            self.chunks.append(bytes(data))
            return len(data)

        def flush(self):
            pass

        def take(self):
            data, self.chunks = b"".join(self.chunks), []
            return data

    sink = Sink()
    with app.app_context():
        with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_STORED) as archive:
            for certificate_id, serial in ids:
                pdf = db.session.scalar(select(Certificate.pdf).where(Certificate.id == certificate_id))
                archive.writestr(f"certificate-{serial}.pdf", pdf)
                yield sink.take()
        yield sink.take()


def _eligibility(cohort_id: int, user_id: int):
    """The cohort and one trainee's checklist in it, or 404 for someone holding no seat there."""
    cohort = db.get_or_404(Cohort, cohort_id)
    [found] = cohort_eligibility(cohort, [user_id]) or [None]
    if found is None:
        abort(404)
    return cohort, found


def _trainee_page(cohort, found, form):
    return render_template("lms/credentials/admin/trainee.html", cohort=cohort, found=found, form=form,
                           history=_history(found.trainee.id, cohort.program_id))


def _people(certificate: Certificate) -> dict[int, User]:
    ids = {certificate.issued_by_id, certificate.revoked_by_id} - {None}
    return {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}


def _history(user_id: int, program_id: int) -> list[Certificate]:
    return db.session.scalars(select(Certificate).where(Certificate.trainee_id == user_id,
                                                        Certificate.program_id == program_id)
                              .order_by(Certificate.issued_at.desc())).all()

