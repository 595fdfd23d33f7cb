"""Trainees' certificate pages, and the mentor's sign-off for a mentee."""

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from lms.accounts.models import Role, User
from lms.courses.models import Cohort, Program
from lms.credentials import documents, services
from lms.credentials.eligibility import program_day, rule_for, trainee_eligibility
from lms.credentials.forms import NameForm
from lms.credentials.models import Certificate, NameStyle
from lms.extensions import db
from lms.mentoring.models import MentorAssignment
from lms.sqltypes import utcnow

bp = Blueprint("certificates", __name__)


@bp.get("/my/certificates")
def mine():
    form = NameForm(data={"name_style": services.name_style(current_user).value})
    return _mine(form)


@bp.post("/my/certificates/name")
def set_name():
    form = NameForm()
    if not form.validate_on_submit():
        return _mine(form), 422
    services.set_name_style(current_user, NameStyle(form.name_style.data))
    db.session.commit()
    flash(_("Your certificates will show your name this way."), "success")
    return redirect(url_for(".mine"))


@bp.get("/my/certificates/preview/<lms_id:program_id>.pdf")
def preview(program_id):
    """How the certificate will look, marked as a preview; nothing is stored."""
    found = next((f for f in trainee_eligibility(current_user) if f.cohort.program_id == program_id), None)
    if found is None:
        abort(404)
    rule = rule_for(program_id)
    names = documents.printed_names(current_user, services.name_style(current_user))
    if services.unprintable(names):
        abort(422)
    try:
        pdf = services.render_pdf(documents.certificate_data(
            program=found.cohort.program, names=names, pd_hours=found.pd_hours,
            completed_on=found.completed_on or program_day(utcnow()),
            issuer=rule.issuer or documents.default_issuer(), signatory_name=rule.signatory_name,
            signatory_title=rule.signatory_title, serial=_("PREVIEW"),
            verify_url=documents.external_url("lms.verify.index"),
            language=documents.certificate_language(current_user)))
    except services.CertificateError as error:
        flash(str(error.message), "error")
        return redirect(url_for(".mine"))
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": 'attachment; filename="certificate-preview.pdf"', "Cache-Control": "private, no-store"})


@bp.get("/my/certificates/<lms_id:certificate_id>/certificate.pdf")
def download(certificate_id):
    return documents.pdf_response(_own(certificate_id))


@bp.get("/my/certificates/<lms_id:certificate_id>/credential.jwt")
def credential(certificate_id):
    """The signed Open Badges 3.0 credential, for a digital wallet."""
    certificate = _own(certificate_id)
    return Response(certificate.credential, mimetype="application/jwt", headers={
        "Content-Disposition": f'attachment; filename="credential-{certificate.serial}.jwt"'})


@bp.post("/mentor/mentees/<lms_id:user_id>/programs/<lms_id:program_id>/sign-off")
def sign_off(user_id, program_id):
    trainee, program = _mentee(user_id, program_id)
    try:
        services.sign_off(current_user, trainee, program)
    except services.CertificateError:
        abort(404)
    db.session.commit()
    flash(_("You signed off %(name)s for the certificate.", name=trainee.full_name), "success")
    return redirect(url_for("lms.mentor.mentee", trainee_id=trainee.id))


@bp.post("/mentor/mentees/<lms_id:user_id>/programs/<lms_id:program_id>/sign-off/withdraw")
def withdraw_sign_off(user_id, program_id):
    trainee, program = _mentee(user_id, program_id)
    try:
        services.withdraw_sign_off(current_user, trainee, program)
    except services.CertificateError:
        abort(404)
    db.session.commit()
    flash(_("Your sign-off is withdrawn."), "success")
    return redirect(url_for("lms.mentor.mentee", trainee_id=trainee.id))


def _mine(form):
    certificates = db.session.scalars(select(Certificate).where(Certificate.trainee_id == current_user.id)
                                      .order_by(Certificate.issued_at.desc())).all()
    style = services.name_style(current_user)
    return render_template("lms/credentials/mine.html", form=form, found=trainee_eligibility(current_user),
                           certificates=certificates,
                           unprintable=services.unprintable(documents.printed_names(current_user, style)))


def _own(certificate_id: int) -> Certificate:
    """One of the current user's certificates, or 404: nobody else's is reachable by id."""
    certificate = db.session.scalar(select(Certificate).where(Certificate.id == certificate_id,
                                                              Certificate.trainee_id == current_user.id))
    if certificate is None:
        abort(404)
    return certificate


def _mentee(user_id: int, program_id: int) -> tuple[User, Program]:
    """The current mentor's mentee in a cohort of the program, found through the assignment, or 404."""
    if not current_user.has_role(Role.MENTOR):
        abort(403)
    trainee = db.session.scalar(
        select(User).join(MentorAssignment, MentorAssignment.trainee_id == User.id)
        .join(Cohort, Cohort.id == MentorAssignment.cohort_id)
        .where(User.id == user_id, MentorAssignment.mentor_id == current_user.id,
               MentorAssignment.ended_at.is_(None), Cohort.program_id == program_id).limit(1))
    if trainee is None:
        abort(404)
    return trainee, db.session.get(Program, program_id)
