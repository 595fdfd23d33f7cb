"""The printable sign-in sheet: translate and format here, lay out in the framework-free engine."""

from flask import current_app
from flask_babel import gettext as _

from certificates import SignInData, SignInRow, render_sign_in_sheet
from lms import i18n
from lms.accounts.models import User
from lms.attendance.models import LearningSession


def sign_in_pdf(session: LearningSession, people: list[User]) -> bytes:
    scope = session.group.name if session.group else session.cohort.name if session.cohort else ""
    return render_sign_in_sheet(SignInData(
        title=session.title, subtitle=i18n.join_parts((str(session.kind.label), scope)),
        when=i18n.time_range(session.starts_at, session.ends_at),
        where=i18n.ltr_text(session.video_url) or session.place, facilitator=session.facilitator.full_name,
        rows=tuple(SignInRow(p.full_name, p.native_name) for p in people),
        labels={"number": "#", "name": _("Name"), "name_in_own_script": _("Name in own script"),
                "signature": _("Signature"), "time_in": _("Time in"), "facilitator": _("Facilitator"),
                "when": _("When"), "where": _("Where"), "page": _("Page {page} of {pages}"),
                "blank_rows_note": _("Add walk-in participants below.")},
        page_size=current_app.config["LMS_PAPER_SIZE"],
        right_to_left=i18n.text_direction(i18n.current_language_code()) == "rtl",
    ))
