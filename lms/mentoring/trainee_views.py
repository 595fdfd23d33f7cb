"""A trainee's mentoring: my mentor and group, the sessions I attended, my hours, an invitation."""

from flask import Blueprint, Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from lms.extensions import db
from lms.mentoring import invitations, overview, topics
from lms.mentoring.ledger import ledger_csv, ledger_for
from lms.mentoring.ledger_pdf import ledger_pdf
from lms.mentoring.models import MentorInvitation

bp = Blueprint("my_mentoring", __name__, url_prefix="/my/mentoring")


@bp.get("")
def index():
    return render_template(
        "lms/mentoring/trainee_home.html", assignments=overview.my_mentors(current_user),
        groups=overview.my_groups(current_user), sessions=overview.attended_sessions(current_user),
        ledger=ledger_for(current_user), invitation=invitations.open_invitation(current_user),
        topic_label=topics.topic_label)


@bp.get("/hours")
def hours():
    return render_template("lms/mentoring/hours.html", ledger=ledger_for(current_user))


@bp.get("/hours.csv")
def hours_csv():
    return Response(ledger_csv(ledger_for(current_user)), mimetype="text/csv", headers={
        "Content-Disposition": 'attachment; filename="reflective-practice-hours.csv"', "Cache-Control": "no-store"})


@bp.get("/hours.pdf")
def hours_pdf():
    body = ledger_pdf(current_user, ledger_for(current_user))
    return Response(body, mimetype="application/pdf", headers={
        "Content-Disposition": 'attachment; filename="reflective-practice-hours.pdf"', "Cache-Control": "no-store"})


def _own_invitation(invitation_id: int) -> MentorInvitation:
    return db.session.scalar(select(MentorInvitation).where(
        MentorInvitation.id == invitation_id, MentorInvitation.user_id == current_user.id)) or abort(404)


@bp.post("/invitation/<lms_id:invitation_id>/<any(accept, decline):answer>")
def answer_invitation(invitation_id, answer):
    invitation = _own_invitation(invitation_id)
    try:
        invitations.answer(invitation, accept=answer == "accept")
    except invitations.MentoringError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for(".index"))
    db.session.commit()
    if answer == "accept":
        flash(_("Welcome, mentor! Tell us the languages you mentor in."), "success")
        return redirect(url_for("lms.mentor.profile"))
    flash(_("Thank you for letting us know."), "success")
    return redirect(url_for(".index"))
