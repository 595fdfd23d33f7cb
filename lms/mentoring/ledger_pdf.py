"""The hours ledger as PDF: translate and format here, lay out in the framework-free engine."""

from flask import current_app
from flask_babel import format_date, format_decimal
from flask_babel import gettext as _

from certificates import LedgerData, LedgerRow, render_ledger
from lms import i18n
from lms.accounts.models import User
from lms.core.clock import program_today
from lms.mentoring.ledger import Ledger


def ledger_pdf(trainee: User, ledger: Ledger) -> bytes:
    language = i18n.current_language_code()
    hours = lambda value: format_decimal(value, format="#,##0.00")  # noqa: E731
    return render_ledger(LedgerData(
        title=_("Reflective supervision/consultation hours"),
        program=current_app.config["LMS_SITE_NAME"] or _("BIPOC Community of Leaders Certificate Program"),
        trainee_name=trainee.full_name, trainee_name_native=trainee.native_name,
        generated_on_text=_("Generated on %(day)s", day=format_date(program_today(), "long")),
        rows=tuple(LedgerRow(held_on=e.held_on, mentor=e.mentor.full_name,
                             kind=_("Group") if e.group else _("Individual"), format=str(e.format.label),
                             hours=e.hours) for e in ledger.entries),
        totals=((_("Individual"), hours(ledger.individual_hours)), (_("Group"), hours(ledger.group_hours)),
                (_("Total"), hours(ledger.total_hours))),
        labels={
            "provider": _("Provider"), "program": _("Program"), "date": _("Date"), "mentor": _("RSC provider"),
            "kind": _("Individual / group"), "format": _("Format"), "hours": _("Hours"),
            "no_sessions": _("No reflective supervision/consultation sessions recorded."),
            "provider_signature": _("Provider signature"), "mentor_signature": _("RSC provider signature"),
            "signature_date": _("Date"), "page": _("Page {page} of {pages}"),
        },
        format_date=lambda day: format_date(day, "medium"), format_hours=hours,
        page_size=current_app.config["LMS_PAPER_SIZE"], right_to_left=i18n.text_direction(language) == "rtl",
    ))
