"""Translated messages escape the values put into them on a page, and keep them as they are in plain text.

Issue 17: Flask-Babel's lazy strings claim to be markup whole, so a trainee's name, a CSV cell or a course
title put into `_l("... %(name)s ...", name=...)` reached pages raw. CSP stops scripts, not a
`<meta http-equiv=refresh>` that sends the reader elsewhere.
"""

import ast
import csv
import importlib
import io
import re
from pathlib import Path

from flask import render_template_string
from markupsafe import escape

from lms.accounts.models import User
from lms.courses.models import Cohort, Course
from lms.enrollment.services import enroll
from lms.extensions import db
from lms.i18n import lazy_gettext
from lms.mentoring import services as mentoring
from tests.pages import text_of, words_of

PACKAGE = Path(__file__).resolve().parent.parent / "lms"
EVIL = '<meta http-equiv="refresh" content="0;url=https://evil.example">'
#: A name that must read the same on the page: escaped once, never "&amp;amp;".
HONEST = "Gutiérrez & Co O'Brien"
PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?([a-zA-Z])")
FLASK_BABEL_LAZY = {"lazy_gettext", "lazy_ngettext", "lazy_pgettext", "lazy_npgettext"}


def package_sources():
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path, ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def lazy_messages() -> list[tuple[str, str, str]]:
    """(module, place, message) of every `_l("...")` in the package with a text placeholder (`%(name)s`)."""
    found = []
    for path, tree in package_sources():
        module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "_l"
                    and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)
                    and any(kind in "sra" for _, kind in PLACEHOLDER.findall(node.args[0].value))):
                found.append((module, f"{path.relative_to(PACKAGE.parent)}:{node.lineno}", node.args[0].value))
    return found


def filled(message: str, value: str) -> dict:
    """`value` for every text placeholder of the message; a number for the numeric ones."""
    return {name: value if kind in "sra" else 7 for name, kind in PLACEHOLDER.findall(message)}


def test_the_package_makes_lazy_messages_only_with_its_escaping_lazy_gettext():
    imported = [f"{path.relative_to(PACKAGE.parent)}:{node.lineno}"
                for path, tree in package_sources() for node in ast.walk(tree)
                if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("flask_babel")
                and {alias.name for alias in node.names} & FLASK_BABEL_LAZY]
    assert imported == [], "import lazy_gettext from lms.i18n, whose messages escape their values on a page"


def test_every_lazy_message_escapes_the_values_put_into_it_on_a_page_and_keeps_them_in_plain_text(app):
    messages = lazy_messages()
    assert len(messages) > 40, "the walk found the package's messages"
    raw_on_page, changed_in_text = [], []
    with app.test_request_context():
        for module, place, text in messages:
            message = vars(importlib.import_module(module))["_l"](text, **filled(text, EVIL))
            page = render_template_string("{{ m }}", m=message)
            if "<meta" in page or str(escape(EVIL)) not in page:
                raw_on_page.append(f"{place}: {page}")
            if EVIL not in str(message) or "&lt;" in str(message):
                changed_in_text.append(f"{place}: {message}")
    assert raw_on_page == [], "shown on a page, a message escapes each value put into it"
    assert changed_in_text == [], "as plain text (email, PDF, CSV, log), a message keeps each value as it is"


def test_a_flashed_message_shows_its_values_escaped_once_after_the_session_carries_it(app):
    serializer = app.session_interface.get_signing_serializer(app).serializer
    with app.test_request_context():
        message = lazy_gettext("%(name)s holds no seat in this cohort.", name=f"{HONEST} {EVIL}")
        carried = serializer.loads(serializer.dumps({"_flashes": [("error", message)]}))["_flashes"][0][1]
        page = render_template_string("<div>{{ m }}</div>", m=carried)
    assert "<meta" not in page
    assert words_of(page) == f"{HONEST} {EVIL} holds no seat in this cohort."


def test_the_bulk_enroll_preview_shows_a_cell_holding_markup_as_text(app, admin_client, make_course):
    made = make_course()
    rows = io.StringIO()
    csv.writer(rows).writerows([["email", "name", "cohort", "language"],
                                ["new@example.org", "New Person", f"{HONEST} {EVIL}", "en"]])
    response = admin_client.post_form(f"/admin/courses/{made.course_id}/import",
                                      {"file": (io.BytesIO(rows.getvalue().encode()), "people.csv")},
                                      content_type="multipart/form-data")
    assert response.status_code == 200
    assert "<meta http-equiv" not in response.get_data(as_text=True), "no element comes from the file"
    assert f"No cohort named “{HONEST} {EVIL}” runs this course." in text_of(response)


def test_a_mentor_at_capacity_named_with_markup_is_named_as_text_in_the_message(app, admin, admin_client,
                                                                                make_user, make_course):
    made = make_course()
    mentor = make_user("mentor", full_name=f"{HONEST} {EVIL}")
    bea, cal = make_user(full_name="Bea Ito"), make_user(full_name="Cal Moreno")
    with app.app_context():
        course, cohort = db.session.get(Course, made.course_id), db.session.get(Cohort, made.cohort_id)
        for trainee in (bea, cal):
            enroll(db.session.get(User, trainee.id), course, cohort, "en")
        mentoring.save_profile(db.session.get(User, mentor.id), languages=["en"], bio="", is_active=True,
                               max_mentees=1)
        mentoring.assign(db.session.get(User, mentor.id), db.session.get(User, bea.id), cohort,
                         by=db.session.get(User, admin.id))
        db.session.commit()

    response = admin_client.post_form(f"/admin/mentoring/cohorts/{made.cohort_id}/trainees/{cal.id}",
                                      {"mentor": mentor.id, "reason": ""})
    assert response.status_code == 200
    assert "<meta http-equiv" not in response.get_data(as_text=True), "no element comes from the mentor's name"
    assert (f"{HONEST} {EVIL} already mentors 1 people, the most they take. To assign anyway, give a reason."
            in text_of(response))

