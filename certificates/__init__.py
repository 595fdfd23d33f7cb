"""The certificate engine: given the data to print, return PDF bytes.

It knows nothing of Flask or the database, so it can be tested, benchmarked and reused on
its own. The LMS calls it and wraps the bytes in a download. Text in any of the program's
scripts goes through :mod:`certificates.text`, which picks a shipped font for each run of
characters (:mod:`certificates.fonts`); check names with :func:`can_print` before printing.
"""

from certificates.certificate import CertificateData, UnprintableText, render_certificate
from certificates.fonts import can_print, missing_characters
from certificates.ledger import LedgerData, LedgerRow, render_ledger
from certificates.report import ReportBar, ReportData, ReportTable, render_report
from certificates.sign_in import SignInData, SignInRow, render_sign_in_sheet

__all__ = [
    "CertificateData", "LedgerData", "LedgerRow", "ReportBar", "ReportData", "ReportTable", "SignInData", "SignInRow",
    "UnprintableText", "can_print", "missing_characters", "render_certificate", "render_ledger", "render_report",
    "render_sign_in_sheet",
]
