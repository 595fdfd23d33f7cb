"""The program report (admin): tables, charts, CSV and PDF; small counts hidden unless exact counts are chosen."""

from flask import Blueprint, Response, abort, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from lms import i18n
from lms.accounts.access import require_role
from lms.accounts.models import Role
from lms.accounts.sessions import recent_login_required
from lms.audit.models import Action
from lms.audit.services import record
from lms.core.security_log import security_event
from lms.courses.models import Cohort, Course
from lms.extensions import db
from lms.reports import charts, exports
from lms.reports.data import Filters
from lms.reports.forms import FilterForm
from lms.reports.report import build

bp = Blueprint("reports", __name__, url_prefix="/admin/reports")
bp.before_request(require_role(Role.ADMIN))


def _filters() -> tuple[FilterForm, Filters | None]:
    """The filter form read from the address, and the filters when they are valid."""
    form = FilterForm(formdata=request.args)
    cohorts = db.session.scalars(select(Cohort).order_by(Cohort.starts_on.desc(), Cohort.id)).all()
    courses = db.session.scalars(select(Course).order_by(Course.code)).all()
    form.cohort.choices = [SelectChoice(0, _("All cohorts"))] + [SelectChoice(c.id, c.name) for c in cohorts]
    form.course.choices = [SelectChoice(0, _("All courses"))] + [
        SelectChoice(c.id, f"{c.code} · {c.title}") for c in courses]
    form.language.choices = [SelectChoice("", _("All languages"))] + [
        SelectChoice(code, name) for code, name in i18n.language_choices()]
    if request.args and not form.validate():
        return form, None
    return form, Filters(cohort_id=form.cohort.data or None, course_id=form.course.data or None,
                         start=form.start.data, end=form.end.data, language=form.language.data or None)


def _described(form: FilterForm, *, isolated: bool = False) -> str:
    """The filters in words, printed under the report's title.

    ``isolated`` (the page and the PDF): each name, date and code is wrapped in a Unicode isolate, so in a
    right-to-left report "C-001" and "Cohort 1" keep their order and none runs into its neighbour.
    """
    ltr, auto = (i18n.ltr_text, i18n.auto_text) if isolated else (str, str)
    label = {(name, choice.value): choice.label for name in ("cohort", "course", "language")
             for choice in form[name].choices}
    parts = [auto(label["cohort", form.cohort.data]) if form.cohort.data else _("All cohorts")]
    if form.course.data:
        course = db.session.get(Course, form.course.data)  # loaded with the choices: no query
        parts.append(f"{ltr(course.code)} · {auto(course.title)}")
    if form.start.data or form.end.data:
        parts.append(" – ".join(auto(format_date(day, "medium")) if day else "…"
                                for day in (form.start.data, form.end.data)))
    if form.language.data:
        parts.append(auto(label["language", form.language.data]))
    return " · ".join(parts)


def _chart(bars, title_id: str, table_id: str) -> Markup:
    rtl = i18n.text_direction(i18n.current_language_code()) == "rtl"
    return charts.bar_chart([charts.Bar(*bar) for bar in bars], title_id=title_id, table_id=table_id, rtl=rtl)


@bp.get("")
def index():
    return _report(exact=False)


@bp.post("")
def exact_counts():
    """The report with small counts shown: a POST (with its CSRF token), as it writes the audit entry."""
    return _report(exact=True)


def _report(*, exact: bool):
    form, filters = _filters()
    if filters is None:
        return render_template("lms/reports/index.html", form=form, report=None), 422
    if exact:
        record(Action.REPORT_EXACT_COUNTS, actor=current_user, filters=_described(form))
        db.session.commit()
    report = build(filters, exact=exact)
    args = dict(request.args)
    links = {"exact": url_for(".exact_counts", **args), "suppressed": url_for(".index", **args),
             "pdf": url_for(".pdf", **args), "csv": lambda key: url_for(".table_csv", key=key, **args)}
    return render_template("lms/reports/index.html", form=form, report=report, chart=_chart, links=links,
                           legend=exports.legend(report), description=_described(form, isolated=True))


@bp.get("/<key>.csv")
@recent_login_required
def table_csv(key):
    form, filters = _filters()
    if filters is None:
        abort(400)
    report = build(filters)
    if key not in report.tables:
        abort(404)
    title, header, rows, note = report.tables[key]
    notes = [_described(form), note, *exports.legend(report)]
    security_event("report_exported", table=key)
    return Response(exports.table_csv(title, header, rows, notes), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="report-{key}.csv"', "Cache-Control": "no-store"})


@bp.get("/report.pdf")
@recent_login_required
def pdf():
    form, filters = _filters()
    if filters is None:
        abort(400)
    security_event("report_exported", table="pdf")
    body = exports.report_pdf(build(filters), _described(form, isolated=True))
    return Response(body, mimetype="application/pdf", headers={
        "Content-Disposition": 'attachment; filename="program-report.pdf"', "Cache-Control": "no-store"})
