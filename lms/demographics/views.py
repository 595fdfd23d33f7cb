"""A person's own optional answers: see, change or clear them."""

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from lms.core.forms import apply_error
from lms.demographics import categories, services
from lms.demographics.forms import DemographicsForm
from lms.demographics.models import FormalTraining, ProviderRole
from lms.extensions import db

bp = Blueprint("demographics", __name__, url_prefix="/my/about-me")


def _form(answers) -> DemographicsForm:
    data = {} if answers is None else {
        "races": [c.id for c in answers.races], "race_declined": answers.race_declined,
        "languages": [row.language for row in answers.language_rows],
        "languages_declined": answers.languages_declined,
        "provider_role": answers.provider_role and answers.provider_role.value,
        "formal_training": answers.formal_training and answers.formal_training.value}
    form = DemographicsForm(data=data)
    chosen = set(data.get("races", []))
    form.races.choices = [SelectChoice(c.id, categories.category_label(c)) for c in categories.categories()
                          if c.is_active or c.id in chosen]
    form.languages.choices = [SelectChoice(code, categories.language_name(code))
                              for code in categories.SPOKEN_LANGUAGES]
    return form


@bp.route("", methods=["GET", "POST"])
def edit():
    answers = services.answers_of(current_user)
    form = _form(answers)
    if form.validate_on_submit():
        chosen = {c.id: c for c in categories.categories()}
        try:
            services.save_answers(
                current_user, races=[chosen[i] for i in form.races.data], race_declined=form.race_declined.data,
                languages=form.languages.data, languages_declined=form.languages_declined.data,
                provider_role=ProviderRole(form.provider_role.data) if form.provider_role.data else None,
                formal_training=FormalTraining(form.formal_training.data) if form.formal_training.data else None)
        except services.DemographicsError as error:
            db.session.rollback()
            apply_error(form, error)
        else:
            db.session.commit()
            flash(_("Thank you. Your answers are saved."), "success")
            return redirect(url_for(".edit"))
    status = 422 if form.is_submitted() else 200
    return render_template("lms/demographics/edit.html", form=form, answers=answers), status


@bp.post("/clear")
def clear():
    services.clear_answers(current_user)
    db.session.commit()
    flash(_("Your answers are cleared."), "success")
    return redirect(url_for(".edit"))
