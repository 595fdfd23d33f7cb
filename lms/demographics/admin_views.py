"""Admin pages: the race/ethnicity categories people choose from. No admin page shows anyone's answers."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from lms.accounts.access import require_role
from lms.accounts.models import Role
from lms.core.forms import apply_error
from lms.demographics import categories, services
from lms.demographics.forms import CategoryForm
from lms.demographics.models import RaceCategory
from lms.extensions import db

bp = Blueprint("demographics_admin", __name__, url_prefix="/admin/reports/categories")
bp.before_request(require_role(Role.ADMIN))


def _page(form: CategoryForm, status: int = 200):
    return render_template("lms/demographics/categories.html", form=form, categories=categories.categories(),
                           label=categories.category_label), status


@bp.route("", methods=["GET", "POST"])
def index():
    form = CategoryForm()
    if form.validate_on_submit():
        try:
            services.add_category(form.name.data)
        except services.DemographicsError as error:
            db.session.rollback()
            apply_error(form, error)
        else:
            db.session.commit()
            flash(_("Category added."), "success")
            return redirect(url_for(".index"))
    return _page(form, 422 if form.is_submitted() else 200)


@bp.route("/<lms_id:category_id>", methods=["GET", "POST"])
def edit(category_id):
    category = db.get_or_404(RaceCategory, category_id)
    form = CategoryForm(data={"name": categories.category_label(category)})
    if form.validate_on_submit():
        try:
            services.rename_category(category, form.name.data)
        except services.DemographicsError as error:
            db.session.rollback()
            apply_error(form, error)
        else:
            db.session.commit()
            flash(_("Category renamed."), "success")
            return redirect(url_for(".index"))
    return render_template("lms/demographics/category_form.html", form=form, category=category), (
        422 if form.is_submitted() else 200)


@bp.post("/<lms_id:category_id>/toggle")
def toggle(category_id):
    category = db.get_or_404(RaceCategory, category_id)
    services.set_category_active(category, not category.is_active)
    db.session.commit()
    return redirect(url_for(".index"))


@bp.post("/<lms_id:category_id>/move")
def move(category_id):
    category = db.get_or_404(RaceCategory, category_id)
    services.move_category(category, -1 if request.form.get("direction") == "up" else 1)
    db.session.commit()
    return redirect(url_for(".index"))
