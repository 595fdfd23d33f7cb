"""Admin pages: how complete and how reviewed each language's translation is, and files for reviewers."""

from flask import Blueprint, Response, abort, render_template, request, send_file
from flask_sqlalchemy.pagination import Pagination

from lms import i18n
from lms.accounts.access import require_role
from lms.accounts.models import Role
from lms.languages import catalogs, review

bp = Blueprint("languages", __name__, url_prefix="/admin/languages")
bp.before_request(require_role(Role.ADMIN))

#: Which messages the language page lists: ?show=...
SHOWN = {
    "unreviewed": lambda m: not catalogs.is_reviewed(m),
    "untranslated": lambda m: not catalogs.is_translated(m),
    "all": lambda m: True,
}


class ListPagination(Pagination):
    """Pages of a list already in memory, for the pagination macro."""

    def _query_items(self):
        return self._query_args["items"][self._query_offset:self._query_offset + self.per_page]

    def _query_count(self):
        return len(self._query_args["items"])


def _language_or_404(code: str) -> str:
    if code not in i18n.supported_languages() or not catalogs.po_path(code).exists():
        abort(404)
    return code


@bp.get("")
def index():
    languages = [code for code in i18n.supported_languages() if catalogs.po_path(code).exists()]
    return render_template("lms/languages/index.html", statuses=[catalogs.status(code) for code in languages])


@bp.get("/<code>")
def language(code):
    _language_or_404(code)
    show = request.args.get("show") if request.args.get("show") in SHOWN else "unreviewed"
    items = [m for m in catalogs.messages(code) if SHOWN[show](m)]
    page = ListPagination(per_page=50, items=items, error_out=False)
    return render_template("lms/languages/language.html", status=catalogs.status(code), code=code, show=show,
                           page=page, tag=i18n.lang_tag(code), english=catalogs.source_text,
                           translation=catalogs.translation_text, state=catalogs.state)


@bp.get("/<code>/review.csv")
def review_csv(code):
    _language_or_404(code)
    return Response(review.export_csv(code), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="review-{code}.csv"'})


@bp.get("/<code>/messages.po")
def catalog_file(code):
    return send_file(catalogs.po_path(_language_or_404(code)), mimetype="text/x-gettext-translation",
                     as_attachment=True, download_name=f"messages-{code}.po")
