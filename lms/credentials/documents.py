"""What goes on a trainee's certificate, in their language: the engine's data and the signed badge."""

from datetime import date
from decimal import Decimal

from flask import Response, current_app
from flask_babel import force_locale, format_date, format_decimal
from flask_babel import gettext as _

from certificates import CertificateData
from lms import i18n
from lms.accounts.models import User
from lms.core.links import public_url
from lms.credentials import badges
from lms.credentials.models import NameStyle


def certificate_language(user: User) -> str:
    """The trainee's language when the interface has it, English otherwise."""
    return user.locale if user.locale in i18n.supported_languages() else "en"


def printed_names(user: User, style: NameStyle) -> tuple[str, ...]:
    """The name line(s) as the trainee chose them; their own script only when they gave it."""
    native = (user.native_name or "").strip()
    if style is NameStyle.OWN_SCRIPT and native:
        return (native,)
    if style is NameStyle.BOTH and native and native != user.full_name:
        return (user.full_name, native)
    return (user.full_name,)


def external_url(endpoint: str, **values) -> str:
    """An absolute address under LMS_PUBLIC_URL, which certificates print and keep (set it, outside development)."""
    return public_url(endpoint, required=True, **values)


def certificate_data(*, program, names: tuple[str, ...], pd_hours: Decimal | None, completed_on: date, issuer: str,
                     signatory_name: str, signatory_title: str, serial: str, verify_url: str,
                     language: str) -> CertificateData:
    """The engine's input, its words in `language`."""
    with force_locale(language):
        return CertificateData(
            program_title=program.name, names=names,
            hours=format_decimal(pd_hours, format="#,##0.#") if pd_hours else None,  # no "0 hours" line
            completed_on=format_date(completed_on, "long"),
            issuer=issuer, signatory_name=signatory_name, signatory_title=signatory_title, serial=serial,
            verify_url=verify_url, labels=labels(), rtl=i18n.text_direction(language) == "rtl",
            page_size=current_app.config["LMS_PAPER_SIZE"])


def labels() -> dict[str, str]:
    """The certificate's own words, in the current language."""
    return {
        "title": _("Certificate of Completion"),
        "presented": _("This certifies that"),
        "completed": _("has completed"),
        "hours": _("%(hours)s professional-development hours", hours="{hours}"),
        "completed_on": _("Completed on %(date)s", date="{date}"),
        "issued_by": _("Issued by %(issuer)s", issuer="{issuer}"),
        "serial": _("Serial number"),
        "verify": _("Verify at"),
        "signature": _("Signature"),
    }



def pdf_response(certificate) -> Response:
    """The stored PDF as a download, never cached by a shared cache."""
    return Response(certificate.pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="certificate-{certificate.serial}.pdf"',
        "Cache-Control": "private, no-store"})


def default_issuer() -> str:
    return current_app.config["LMS_CERTIFICATE_ISSUER"]


def _key():
    return badges.signing_key(current_app.config["SECRET_KEY"], current_app.config["LMS_CREDENTIAL_SIGNING_KEY"])


def _issuer_id() -> str:
    return external_url("lms.verify.issuer")


def _kid() -> str:
    return external_url("lms.verify.key")


def public_key() -> dict:
    return badges.public_jwk(_key().public_key(), kid=_kid())


def issuer_profile() -> dict:
    """The issuer's Open Badges profile, with the public key credentials are signed with."""
    key = _key()
    return badges.issuer_profile(_issuer_id(), default_issuer(), external_url("lms.verify.index"),
                                 key.public_key(), kid=_kid())


def revocation_list(codes) -> dict:
    """The revocation list of every credential that is no longer valid."""
    return badges.revocation_list(_issuer_id(), external_url("lms.verify.revocations"),
                                  [external_url("lms.verify.show", code=code) for code in codes])


def signed_badge(certificate, program, verify_url: str) -> str:
    """The certificate's Open Badges 3.0 credential, signed (a VC-JWT)."""
    key = _key()
    data = badges.BadgeData(
        credential_id=verify_url, issuer_id=_issuer_id(), issuer_name=default_issuer(),
        achievement_id=external_url("lms.verify.index") + f"#program-{program.id}",
        achievement_name=program.name, achievement_description=program.description or program.name,
        criteria=program.description or program.name, subject_name=certificate.printed_name.replace("\n", " / "),
        subject_id=None, valid_from=certificate.issued_at, status_url=external_url("lms.verify.revocations"),
        pdf_sha256=certificate.sha256)
    return badges.sign(badges.credential(data), key, kid=_kid())
