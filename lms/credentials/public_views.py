"""Public verification: anyone checks a certificate by its code or by uploading the PDF; no login.

Pages show only the name as printed, the program, the completion date, the issuer, the serial and the
status.
They are rate-limited per address and kept out of search engines.
"""

import hashlib

from flask import Blueprint, current_app, jsonify, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from lms.credentials import documents
from lms.credentials.forms import UploadForm, VerifyForm
from lms.credentials.models import Certificate, CertificateStatus
from lms.extensions import db, limiter

bp = Blueprint("verify", __name__, url_prefix="/verify")


def _limit():
    return current_app.config["LMS_VERIFY_LIMIT"]


# Every request is counted before its page is looked up, so look-ups sent in parallel cannot pass the limit.
limiter.shared_limit(_limit, scope="verify")(bp)


@bp.after_request
def no_index(response):
    """Out of search engines, and never cached: a revocation must show at once."""
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("")
def index():
    form = VerifyForm(request.args)
    if request.args and form.validate():
        return redirect(url_for(".show", code=form.code.data))
    return render_template("lms/credentials/verify.html", form=form, upload=UploadForm(),
                           searched=bool(request.args)), 422 if form.errors else 200


@bp.get("/<code>")
def show(code):
    certificate = db.session.scalar(select(Certificate).options(joinedload(Certificate.program))
                                    .where(Certificate.code == code))
    return render_template("lms/credentials/verified.html", certificate=certificate), 200 if certificate else 404


@bp.post("/file")
def check_file():
    """Whether an uploaded PDF is, byte for byte, a certificate we issued."""
    upload = UploadForm()
    if not upload.validate_on_submit():
        return render_template("lms/credentials/verify.html", form=VerifyForm(), upload=upload, searched=False), 422
    digest = hashlib.sha256(upload.file.data.read()).hexdigest()
    certificate = db.session.scalar(select(Certificate).options(joinedload(Certificate.program))
                                    .where(Certificate.sha256 == digest))
    return render_template("lms/credentials/verified.html", certificate=certificate,
                           uploaded=True), 200 if certificate else 404


@bp.get("/<code>/credential.jwt")
def credential(code):
    certificate = db.session.scalar(select(Certificate).where(Certificate.code == code))
    if certificate is None:
        return jsonify(error="not found"), 404
    return current_app.response_class(certificate.credential, mimetype="application/jwt")


@bp.get("/issuer.json")
def issuer():
    """The issuer's profile with its public key, which wallets use to check credentials."""
    return jsonify(documents.issuer_profile())


@bp.get("/key.json")
def key():
    """The public key credentials are signed with, as a JWK (its address is the tokens' `kid`)."""
    return jsonify(documents.public_key())


@bp.get("/revocations.json")
def revocations():
    """The credentials the issuer revoked, as Open Badges' revocation list."""
    codes = db.session.scalars(select(Certificate.code).where(Certificate.status != CertificateStatus.VALID))
    return jsonify(documents.revocation_list(codes))

