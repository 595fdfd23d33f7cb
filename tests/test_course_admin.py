"""Admins build programs, cohorts and courses, see who is in a course, enroll people from a file
and read evaluations; bad input is explained next to its field and saves nothing."""

import csv
import html
import io
import re
from datetime import date, datetime, timezone
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select

from lms.accounts import services as accounts
from lms.accounts.models import User
from lms.audit.models import AuditEvent
from lms.courses import services as catalog
from lms.courses.models import (
    Cohort, Course, CourseFormat, CourseTranslation, Module, ModuleTranslation, Program,
)
from lms.enrollment import evaluations
from lms.enrollment.models import Enrollment, EnrollmentStatus, ModuleProgress
from lms.extensions import db
from lms.notifications.models import Notification
from tests.conftest import PASSWORD
from tests.pages import text_of

LONG = "x" * 10_000


# --- reading pages ---------------------------------------------------------------------------------

def field_error(page: str, field_id: str) -> str | None:
    """The message shown next to a field, without the screen-reader prefix."""
    match = re.search(rf'<p class="field__error" id="{re.escape(field_id)}-error">(.*?)</p>', page, re.S)
    if not match:
        return None
    text = re.sub(r'<span class="visually-hidden">.*?</span>', "", match.group(1), flags=re.S)
    return html.unescape(" ".join(text.split()))


def typed(page: str, field_id: str) -> str:
    """What an input or textarea holds, as the browser would show it."""
    textarea = re.search(rf'<textarea[^>]*\bid="{re.escape(field_id)}"[^>]*>\r?\n?(.*?)</textarea>', page, re.S)
    if textarea:
        return html.unescape(textarea.group(1))
    tag = re.search(rf'<input[^>]*\bid="{re.escape(field_id)}"[^>]*>', page)
    assert tag, f"no field {field_id}"
    value = re.search(r'\bvalue="([^"]*)"', tag.group(0))
    return html.unescape(value.group(1)) if value else ""


def checked(page: str, name: str) -> list[str]:
    """The values of the ticked checkboxes called `name`."""
    tags = re.findall(rf'<input[^>]*\bname="{re.escape(name)}"[^>]*>', page)
    return [re.search(r'\bvalue="([^"]*)"', t).group(1) for t in tags if re.search(r"\bchecked\b", t)]


class _TableBody(HTMLParser):
    def __init__(self):
        super().__init__()
        self.rows, self.cell, self.in_body = [], None, False

    def handle_starttag(self, tag, attrs):
        if tag == "tbody":
            self.in_body = True
        elif self.in_body and tag == "tr":
            self.rows.append([])
        elif self.in_body and tag == "td":
            self.cell = []

    def handle_endtag(self, tag):
        if tag == "tbody":
            self.in_body = False
        elif tag == "td" and self.cell is not None:
            self.rows[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def table_rows(page: str) -> list[list[str]]:
    """The text of every cell in the page's table bodies, row by row."""
    parser = _TableBody()
    parser.feed(page)
    return parser.rows


def text(response) -> str:
    return response.get_data(as_text=True)


# --- reading the database --------------------------------------------------------------------------

def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def people_and_places(app) -> tuple[list, list]:
    """Every account and every enrollment, as plain tuples to compare before and after."""
    with app.app_context():
        people = sorted((u.email, u.full_name, u.locale) for u in db.session.scalars(select(User)))
        places = sorted((e.user.email, e.cohort_id, e.language, e.status.value)
                        for e in db.session.scalars(select(Enrollment)))
        return people, places


# --- building things -------------------------------------------------------------------------------

def cohort_form(**changes) -> dict:
    data = {"name": "Spring 2031", "languages": ["es", "vi"], "starts_on": "2031-03-01", "ends_on": "2031-06-30",
            "capacity": "30", "enrollment_open": "y", "enrollment_opens_on": "2031-01-15",
            "enrollment_closes_on": "2031-02-28", "courses": []}
    data.update(changes)
    return data


def course_form(**changes) -> dict:
    data = {"code": "BCL-101", "title": "Building Culturally Responsive Classrooms",
            "summary": "Ways to welcome every family.", "default_language": "en", "format": "live_virtual",
            "pd_hours": "7.5", "sequential": "y", "prerequisites": []}
    data.update(changes)
    return data


def module_form(title, **changes) -> dict:
    data = {"title": title, "content": f"About **{title}**", "estimated_minutes": "20", "is_required": "y",
            "reflection_prompt": ""}
    data.update(changes)
    return data


def add_cohort(app, made, name) -> int:
    with app.app_context():
        cohort = catalog.save_cohort(
            Cohort(program_id=made.program_id), name=name, languages=["en"], course_ids=[made.course_id],
            starts_on=date.today(), ends_on=date(2099, 1, 1), capacity=20, enrollment_open=True,
            enrollment_opens_on=None, enrollment_closes_on=None)
        db.session.commit()
        return cohort.id


def place(app, made, user, *, cohort_id=None, status="enrolled", completed=False, done_modules=0) -> int:
    """Put a person in the course directly, with `done_modules` required modules completed."""
    now = datetime.now(timezone.utc)
    with app.app_context():
        enrollment = Enrollment(
            user_id=user.id, course_id=made.course_id, cohort_id=cohort_id or made.cohort_id, language="en",
            status=EnrollmentStatus(status), enrolled_at=now if status == "enrolled" else None,
            waitlisted_at=now if status == "waitlisted" else None,
            withdrawn_at=now if status == "withdrawn" else None, completed_at=now if completed else None)
        db.session.add(enrollment)
        db.session.flush()
        for module_id in made.module_ids[:done_modules]:
            db.session.add(ModuleProgress(enrollment_id=enrollment.id, module_id=module_id, completed_at=now))
        db.session.commit()
        return enrollment.id


def bulk_place(app, made, numbers) -> None:
    """Insert trainees and their enrollments with two core INSERTs each, fast enough for hundreds."""
    now = datetime.now(timezone.utc)
    emails = [f"bulk{n:04d}@example.org" for n in numbers]
    with app.app_context():
        db.session.execute(User.__table__.insert(), [
            {"email": email, "full_name": f"Bulk Trainee {email[4:8]}", "password_hash": "x", "locale": "en",
             "is_active": True, "created_at": now} for email in emails])
        ids = db.session.scalars(select(User.id).where(User.email.in_(emails))).all()
        db.session.execute(Enrollment.__table__.insert(), [
            {"user_id": user_id, "course_id": made.course_id, "cohort_id": made.cohort_id, "language": "en",
             "status": "enrolled", "created_at": now, "enrolled_at": now} for user_id in ids])
        db.session.commit()


# --- 1. building the program -----------------------------------------------------------------------

def test_an_admin_creates_a_program(app, admin_client):
    response = admin_client.post_form("/admin/programs/new", {
        "name": "  Early Learning Equity  ", "description": "Free courses for early educators."})
    with app.app_context():
        program = db.session.scalars(select(Program)).one()
        assert (program.name, program.description, program.is_archived) == (
            "Early Learning Equity", "Free courses for early educators.", False)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/programs/{program.id}")
    assert "Early Learning Equity" in text(admin_client.get("/admin/programs"))


def test_an_admin_creates_a_course_with_its_settings_and_prerequisites(app, admin_client, make_course):
    basics = make_course(title="Foundations")
    response = admin_client.post_form(f"/admin/programs/{basics.program_id}/courses/new", course_form(
        prerequisites=[basics.course_id]))
    assert response.status_code == 302
    with app.app_context():
        course = db.session.scalar(select(Course).where(Course.code == "BCL-101"))
        assert (course.program_id, course.title, course.summary, course.default_language, course.format,
                course.pd_hours, course.sequential, course.is_archived) == (
            basics.program_id, "Building Culturally Responsive Classrooms", "Ways to welcome every family.",
            "en", CourseFormat.LIVE_VIRTUAL, Decimal("7.5"), True, False)
        assert [c.id for c in course.prerequisites] == [basics.course_id]
    assert response.headers["Location"].endswith(f"/admin/courses/{course.id}")
    page = text_of(admin_client.get(f"/admin/courses/{course.id}"))
    assert "BCL-101 · Building Culturally Responsive Classrooms" in page and "Live virtual" in page


def test_an_admin_edits_a_course(app, admin_client, make_course):
    made = make_course()
    form_page = text(admin_client.get(f"/admin/courses/{made.course_id}/edit"))
    assert typed(form_page, "code") == made.code
    admin_client.post_form(f"/admin/courses/{made.course_id}/edit", course_form(
        code=made.code, title="Renamed", format="in_person", pd_hours="3", sequential=""))
    with app.app_context():
        course = db.session.get(Course, made.course_id)
        assert (course.title, course.format, course.pd_hours, course.sequential) == (
            "Renamed", CourseFormat.IN_PERSON, Decimal("3"), False)


def test_an_admin_creates_a_cohort_with_languages_dates_seats_window_and_courses(app, admin_client, make_course):
    made = make_course()
    form_page = text(admin_client.get(f"/admin/programs/{made.program_id}/cohorts/new"))
    assert 'type="checkbox"' in form_page and 'value="vi"' in form_page, "languages are checkboxes"
    response = admin_client.post_form(f"/admin/programs/{made.program_id}/cohorts/new",
                                      cohort_form(courses=[made.course_id]))
    assert response.status_code == 302
    with app.app_context():
        cohort = db.session.scalar(select(Cohort).where(Cohort.name == "Spring 2031"))
        assert (cohort.program_id, cohort.languages, cohort.starts_on, cohort.ends_on, cohort.capacity,
                cohort.enrollment_open, cohort.enrollment_opens_on, cohort.enrollment_closes_on) == (
            made.program_id, ["es", "vi"], date(2031, 3, 1), date(2031, 6, 30), 30,
            True, date(2031, 1, 15), date(2031, 2, 28))
        assert [c.id for c in cohort.courses] == [made.course_id]


def test_an_admin_edits_a_cohorts_languages_and_seats(app, admin_client, make_course):
    made = make_course(cohort_languages=("en", "es"))
    page = text(admin_client.get(f"/admin/cohorts/{made.cohort_id}/edit"))
    assert checked(page, "languages") == ["en", "es"] and checked(page, "courses") == [str(made.course_id)]
    admin_client.post_form(f"/admin/cohorts/{made.cohort_id}/edit", cohort_form(
        name="Renamed cohort", languages=["en", "so"], capacity="5", enrollment_open="",
        enrollment_opens_on="", enrollment_closes_on="", courses=[made.course_id]))
    with app.app_context():
        cohort = db.session.get(Cohort, made.cohort_id)
        assert (cohort.name, cohort.languages, cohort.capacity, cohort.enrollment_open,
                cohort.enrollment_opens_on, cohort.enrollment_closes_on) == (
            "Renamed cohort", ["en", "so"], 5, False, None, None)


def module_order(app, course_id) -> list[str]:
    with app.app_context():
        return [m.title for m in db.session.get(Course, course_id).modules]


def test_an_admin_adds_modules_and_reorders_them(app, admin_client, make_course):
    made = make_course(modules=0)
    for title in ("Welcome", "Listening", "Planning"):
        response = admin_client.post_form(f"/admin/courses/{made.course_id}/modules/new", module_form(title))
        assert response.status_code == 302
    with app.app_context():
        modules = {m.title: m for m in db.session.scalars(select(Module))}
        assert [(m.title, m.position, m.estimated_minutes, m.is_required) for m in modules.values()] == [
            ("Welcome", 1, 20, True), ("Listening", 2, 20, True), ("Planning", 3, 20, True)]
    ids = {title: m.id for title, m in modules.items()}

    admin_client.post_form(f"/admin/modules/{ids['Planning']}/move", {"direction": "up"})
    assert module_order(app, made.course_id) == ["Welcome", "Planning", "Listening"]
    admin_client.post_form(f"/admin/modules/{ids['Welcome']}/move", {"direction": "down"})
    assert module_order(app, made.course_id) == ["Planning", "Welcome", "Listening"]

    page = text(admin_client.get(f"/admin/courses/{made.course_id}"))
    assert page.index("Planning") < page.index("Welcome") < page.index("Listening")


def test_moving_past_either_end_changes_nothing_and_an_unknown_direction_is_refused(app, admin_client,
                                                                                    make_course):
    made = make_course(modules=2)
    first, last = made.module_ids
    admin_client.post_form(f"/admin/modules/{first}/move", {"direction": "up"})
    admin_client.post_form(f"/admin/modules/{last}/move", {"direction": "down"})
    assert module_order(app, made.course_id) == ["Module 1", "Module 2"]
    assert admin_client.post_form(f"/admin/modules/{first}/move", {"direction": "sideways"}).status_code == 400


def test_an_admin_removes_a_module_which_is_archived_not_deleted(app, admin_client, make_course):
    made = make_course(modules=3)
    response = admin_client.post_form(f"/admin/modules/{made.module_ids[1]}/archive", follow_redirects=True)
    assert "Progress recorded on it is kept." in text(response)
    with app.app_context():
        assert db.session.get(Module, made.module_ids[1]).is_archived is True
    assert module_order(app, made.course_id) == ["Module 1", "Module 3"]
    admin_client.post_form(f"/admin/modules/{made.module_ids[2]}/move", {"direction": "up"})
    assert module_order(app, made.course_id) == ["Module 3", "Module 1"]


def test_an_admin_translates_a_course_and_its_modules_into_spanish(app, admin_client, make_course, client):
    made = make_course(modules=2)  # module 1 has a reflection prompt, module 2 has none
    first, second = made.module_ids
    page = text(admin_client.get(f"/admin/courses/{made.course_id}/translations/es"))
    assert f'id="module_{first}_reflection_prompt"' in page
    assert f'id="module_{second}_reflection_prompt"' not in page

    response = admin_client.post_form(f"/admin/courses/{made.course_id}/translations/es", {
        "title": "Curso de prueba", "summary": "Un resumen.",
        f"module_{first}_title": "Bienvenida", f"module_{first}_content": "Contenido *uno*",
        f"module_{first}_reflection_prompt": "¿Qué notaste?",
        f"module_{second}_title": "Escuchar", f"module_{second}_content": ""})
    assert response.status_code == 302
    with app.app_context():
        course = db.session.get(Course, made.course_id)
        assert course.languages == ["en", "es"]
        assert [(t.language, t.title, t.summary) for t in course.translations] == [
            ("es", "Curso de prueba", "Un resumen.")]
        rows = {(r.module_id, r.language): (r.title, r.content, r.reflection_prompt)
                for r in db.session.scalars(select(ModuleTranslation))}
        assert rows == {(first, "es"): ("Bienvenida", "Contenido *uno*", "¿Qué notaste?"),
                        (second, "es"): ("Escuchar", "", "")}

    spanish = text(client.get(f"/courses/{made.course_id}", headers={"Accept-Language": "es"}))
    assert "Curso de prueba" in spanish and "Bienvenida" in spanish and "Escuchar" in spanish

    page = text(admin_client.get(f"/admin/courses/{made.course_id}/translations/es"))
    assert (typed(page, "title"), typed(page, f"module_{first}_content")) == ("Curso de prueba", "Contenido *uno*")
    admin_client.post_form(f"/admin/courses/{made.course_id}/translations/es", {
        "title": "Curso revisado", "summary": "", f"module_{first}_title": "Bienvenida"})
    with app.app_context():
        assert [(t.title, t.summary) for t in db.session.get(Course, made.course_id).translations] == [
            ("Curso revisado", "")]
        assert count(app, ModuleTranslation) == 2, "saving again updates the rows"


def test_a_translation_into_the_courses_own_or_an_unknown_language_answers_404(admin_client, make_course):
    made = make_course()
    assert admin_client.get(f"/admin/courses/{made.course_id}/translations/en").status_code == 404
    assert admin_client.get(f"/admin/courses/{made.course_id}/translations/xx").status_code == 404


def archived(app, model, object_id) -> bool:
    with app.app_context():
        return db.session.get(model, object_id).is_archived


def test_an_admin_archives_and_restores_a_course_a_cohort_and_a_program(app, admin_client, make_course):
    made = make_course()
    for model, url in ((Course, f"/admin/courses/{made.course_id}/archive"),
                       (Cohort, f"/admin/cohorts/{made.cohort_id}/archive"),
                       (Program, f"/admin/programs/{made.program_id}/archive")):
        object_id = {Course: made.course_id, Cohort: made.cohort_id, Program: made.program_id}[model]
        assert admin_client.post_form(url).status_code == 302
        assert archived(app, model, object_id) is True, model.__name__
        admin_client.post_form(url)
        assert archived(app, model, object_id) is True, f"archiving twice keeps the {model.__name__} archived"
        admin_client.post_form(url.replace("/archive", "/restore"))
        assert archived(app, model, object_id) is False, model.__name__
    assert count(app, Course) == count(app, Cohort) == count(app, Program) == 1, "nothing is deleted"


# --- 2. bad input ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "message"), [
    ("   ", "Enter a name."),
    (LONG, "Use 200 characters or fewer."),
    ("Existing Program", "A program with this name already exists."),
])
def test_a_bad_program_name_is_explained_next_to_the_field_and_saves_nothing(app, admin_client, name, message):
    with app.app_context():
        catalog.save_program(Program(), name="Existing Program", description="")
        db.session.commit()
    response = admin_client.post_form("/admin/programs/new", {"name": name, "description": "Typed by hand"})
    page = text(response)
    assert response.status_code == 200
    assert field_error(page, "name") == message
    assert typed(page, "description") == "Typed by hand"
    assert count(app, Program) == 1


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"title": ""}, "title", "Enter a title."),
    ({"title": LONG}, "title", "Use 200 characters or fewer."),
    ({"code": ""}, "code", "Enter a short code, like BCL-101."),
    ({"code": "C-001"}, "code", "Another course already uses this code."),
])
def test_bad_course_input_is_explained_next_to_the_field_and_saves_nothing(app, admin_client, make_course,
                                                                          changes, field, message):
    made = make_course()
    assert made.code == "C-001"
    sent = course_form(**changes)
    response = admin_client.post_form(f"/admin/programs/{made.program_id}/courses/new", sent)
    page = text(response)
    assert response.status_code == 200
    assert field_error(page, field) == message
    assert [typed(page, f) for f in ("code", "title", "summary")] == [sent["code"], sent["title"], sent["summary"]]
    assert count(app, Course) == 1


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"name": ""}, "name", "Enter a name."),
    ({"name": LONG}, "name", "Use 200 characters or fewer."),
    ({"name": "Cohort 1"}, "name", "This program already has a cohort with this name."),
    ({"ends_on": "2031-02-28"}, "ends_on", "The cohort cannot end before it starts."),
    ({"enrollment_closes_on": "2031-01-14"}, "enrollment_closes_on", "Enrollment cannot close before it opens."),
    ({"capacity": "0"}, "capacity", "Enter a number from 1 to 10000."),
    ({"languages": []}, "languages", "Choose at least one language."),
])
def test_bad_cohort_input_is_explained_next_to_the_field_and_saves_nothing(app, admin_client, make_course,
                                                                          changes, field, message):
    made = make_course()
    sent = cohort_form(courses=[made.course_id], **changes)
    response = admin_client.post_form(f"/admin/programs/{made.program_id}/cohorts/new", sent)
    page = text(response)
    assert response.status_code == 200
    assert field_error(page, field) == message
    assert [typed(page, f) for f in ("name", "starts_on", "ends_on", "capacity")] == [
        sent["name"], sent["starts_on"], sent["ends_on"], sent["capacity"]]
    assert checked(page, "languages") == sent["languages"]
    assert checked(page, "courses") == [str(made.course_id)]
    assert count(app, Cohort) == 1


@pytest.mark.parametrize(("changes", "field", "message"), [
    ({"title": ""}, "title", "Enter a title."),
    ({"title": LONG}, "title", "Use 200 characters or fewer."),
    ({"estimated_minutes": "0"}, "estimated_minutes", "Enter a number from 1 to 1000."),
])
def test_bad_module_input_is_explained_next_to_the_field_and_saves_nothing(app, admin_client, make_course,
                                                                          changes, field, message):
    made = make_course(modules=1)
    sent = module_form("Trauma-informed care") | changes
    page = text(admin_client.post_form(f"/admin/courses/{made.course_id}/modules/new", sent))
    assert field_error(page, field) == message
    assert (typed(page, "title"), typed(page, "content")) == (sent["title"], sent["content"])
    assert count(app, Module) == 1


def test_a_translation_without_a_title_is_refused_and_saves_nothing(app, admin_client, make_course):
    made = make_course(modules=1)
    page = text(admin_client.post_form(f"/admin/courses/{made.course_id}/translations/es", {
        "title": "", "summary": "Un resumen.", f"module_{made.module_ids[0]}_title": "Bienvenida"}))
    assert field_error(page, "title") == "Enter the translated title."
    assert typed(page, f"module_{made.module_ids[0]}_title") == "Bienvenida"
    assert count(app, CourseTranslation) == count(app, ModuleTranslation) == 0


# --- 3. archived things leave the public pages -----------------------------------------------------

def test_an_archived_course_leaves_the_catalog_and_its_page_answers_404(admin_client, client, make_course):
    made = make_course(title="Trauma-Informed Practice")
    admin_client.post_form(f"/admin/courses/{made.course_id}/archive")
    assert "Trauma-Informed Practice" not in text(client.get("/courses"))
    assert client.get(f"/courses/{made.course_id}").status_code == 404

    admin_client.post_form(f"/admin/courses/{made.course_id}/restore")
    assert "Trauma-Informed Practice" in text(client.get("/courses"))
    assert client.get(f"/courses/{made.course_id}").status_code == 200


def test_an_archived_program_takes_its_courses_out_of_the_catalog(admin_client, client, make_course):
    made = make_course(title="Trauma-Informed Practice")
    other = make_course(title="Family Partnerships")
    admin_client.post_form(f"/admin/programs/{made.program_id}/archive")
    catalog_page = text(client.get("/courses"))
    assert "Trauma-Informed Practice" not in catalog_page and "Family Partnerships" in catalog_page
    assert client.get(f"/courses/{made.course_id}").status_code == 404
    assert client.get(f"/courses/{other.course_id}").status_code == 200


def test_an_archived_cohort_is_no_longer_offered(admin_client, client, make_course):
    made = make_course(title="Trauma-Informed Practice")
    assert "Cohort 1" in text(client.get(f"/courses/{made.course_id}"))
    admin_client.post_form(f"/admin/cohorts/{made.cohort_id}/archive")
    assert "Cohort 1" not in text(client.get(f"/courses/{made.course_id}"))
    assert "No cohort is running this course right now." in text(client.get("/courses"))


def test_an_archived_module_leaves_the_course_page_but_keeps_the_progress_on_it(
        app, admin_client, make_user, login, make_course, enroll_form):
    made = make_course(modules=2, title="Trauma-Informed Practice")
    trainee = make_user()
    trainee_client = app.test_client()
    login(trainee_client, trainee)
    enroll_form(trainee_client, made)
    with app.app_context():
        enrollment_id = db.session.scalar(select(Enrollment.id))
    trainee_client.post_form(f"/my/courses/{enrollment_id}/modules/{made.module_ids[0]}/complete")
    page = text(trainee_client.get(f"/courses/{made.course_id}"))
    assert "Module 1" in page and "Module 2" in page

    admin_client.post_form(f"/admin/modules/{made.module_ids[0]}/archive")

    page = text(trainee_client.get(f"/courses/{made.course_id}"))
    assert "Module 1" not in page and "Module 2" in page
    assert trainee_client.get(f"/my/courses/{enrollment_id}/modules/{made.module_ids[0]}").status_code == 404
    with app.app_context():
        progress = db.session.get(ModuleProgress, (enrollment_id, made.module_ids[0]))
        assert progress is not None and progress.completed_at is not None


@pytest.mark.parametrize("archive", ["course", "program"])
def test_nobody_can_enroll_in_an_archived_course_or_a_course_of_an_archived_program(
        app, admin_client, make_user, login, make_course, enroll_form, archive):
    made = make_course()
    admin_client.post_form({"course": f"/admin/courses/{made.course_id}/archive",
                            "program": f"/admin/programs/{made.program_id}/archive"}[archive])
    trainee_client = app.test_client()
    login(trainee_client, make_user())
    enroll_form(trainee_client, made)
    assert count(app, Enrollment) == 0


# --- 4. a cohort keeps the courses people are enrolled in ------------------------------------------

def existing_cohort_form(app, cohort_id, **changes) -> dict:
    with app.app_context():
        cohort = db.session.get(Cohort, cohort_id)
        current = {"name": cohort.name, "languages": cohort.languages, "starts_on": cohort.starts_on.isoformat(),
                   "ends_on": cohort.ends_on.isoformat(), "capacity": str(cohort.capacity),
                   "enrollment_opens_on": "", "enrollment_closes_on": "", "courses": [c.id for c in cohort.courses]}
    return cohort_form(**{**current, **changes})


def runs(app, cohort_id) -> list[int]:
    with app.app_context():
        return [c.id for c in db.session.get(Cohort, cohort_id).courses]


def test_an_admin_cannot_remove_a_course_from_a_cohort_while_people_are_enrolled(app, admin_client, make_user,
                                                                                   make_course):
    made = make_course()
    place(app, made, make_user())
    response = admin_client.post_form(f"/admin/cohorts/{made.cohort_id}/edit",
                                      existing_cohort_form(app, made.cohort_id, courses=[], capacity="40"))
    assert response.status_code == 200
    assert field_error(text(response), "courses") == (
        "People are enrolled in a course you removed; withdraw them first.")
    assert runs(app, made.cohort_id) == [made.course_id]
    with app.app_context():
        assert db.session.get(Cohort, made.cohort_id).capacity == 20, "nothing else was saved either"


def test_an_admin_may_remove_a_course_nobody_is_enrolled_in(app, admin_client, make_course):
    made = make_course()
    response = admin_client.post_form(f"/admin/cohorts/{made.cohort_id}/edit",
                                      existing_cohort_form(app, made.cohort_id, courses=[]))
    assert response.status_code == 302
    assert runs(app, made.cohort_id) == []


@pytest.mark.parametrize("enrolled", [True, False], ids=["with people enrolled", "with nobody enrolled"])
def test_editing_a_cohort_keeps_an_archived_course_it_runs(app, admin_client, make_user, make_course, enrolled):
    made = make_course()
    if enrolled:
        place(app, made, make_user())
    admin_client.post_form(f"/admin/courses/{made.course_id}/archive")
    form_page = text(admin_client.get(f"/admin/cohorts/{made.cohort_id}/edit"))
    response = admin_client.post_form(f"/admin/cohorts/{made.cohort_id}/edit", existing_cohort_form(
        app, made.cohort_id, capacity="40", courses=checked(form_page, "courses")))
    assert response.status_code == 302, field_error(text(response), "courses")
    assert runs(app, made.cohort_id) == [made.course_id], "the admin never removed the course"
    with app.app_context():
        assert db.session.get(Cohort, made.cohort_id).capacity == 40


# --- 5. the roster ---------------------------------------------------------------------------------

def roster_names(client, made, **args) -> list[str]:
    response = client.get(f"/admin/courses/{made.course_id}/roster", query_string=args)
    assert response.status_code == 200
    return [row[0] for row in table_rows(text(response))]


def test_the_roster_is_paginated(app, admin_client, make_user, make_course):
    app.config["LMS_PAGE_SIZE"] = 2
    made = make_course()
    for name in ("Ama", "Bao", "Chidi", "Dara", "Eun"):
        place(app, made, make_user(full_name=name))
    pages = [roster_names(admin_client, made, page=n) for n in (1, 2, 3)]
    assert pages == [["Ama", "Bao"], ["Chidi", "Dara"], ["Eun"]]
    first = text(admin_client.get(f"/admin/courses/{made.course_id}/roster"))
    assert "5 people" in first and "Page 1 of 3" in first and 'rel="next"' in first
    assert roster_names(admin_client, made, page=4) == []


def test_the_roster_sorts_by_name_ignoring_letter_case_both_ways(app, admin_client, make_user, make_course):
    made = make_course()
    for name in ("Carmen", "adwoa", "Bao"):
        place(app, made, make_user(full_name=name))
    assert roster_names(admin_client, made, sort="name") == ["adwoa", "Bao", "Carmen"]
    assert roster_names(admin_client, made, sort="name", dir="desc") == ["Carmen", "Bao", "adwoa"]


def test_the_roster_sorts_by_progress_both_ways(app, admin_client, make_user, make_course):
    made = make_course(modules=3)
    for name, done in (("Bao", 2), ("Adwoa", 0), ("Carmen", 1)):
        place(app, made, make_user(full_name=name), done_modules=done)
    assert roster_names(admin_client, made, sort="progress") == ["Adwoa", "Carmen", "Bao"]
    assert roster_names(admin_client, made, sort="progress", dir="desc") == ["Bao", "Carmen", "Adwoa"]
    rows = table_rows(text(admin_client.get(f"/admin/courses/{made.course_id}/roster")))
    assert [(row[0], row[5]) for row in rows] == [("Adwoa", "0 of 3"), ("Bao", "2 of 3"), ("Carmen", "1 of 3")]


@pytest.mark.parametrize(("args", "expected"), [
    ({}, ["Ana", "Ben", "Cleo"]),
    ({"status": "enrolled"}, ["Ana"]),
    ({"status": "waitlisted"}, ["Ben"]),
    ({"status": "completed"}, ["Cleo"]),
    ({"status": "withdrawn"}, ["Dev"]),
    ({"status": "all"}, ["Ana", "Ben", "Cleo", "Dev"]),
    ({"cohort": "first"}, ["Ana", "Ben"]),
    ({"cohort": "second"}, ["Cleo"]),
    ({"cohort": "second", "status": "all"}, ["Cleo", "Dev"]),
])
def test_the_roster_filters_by_cohort_and_status(app, admin_client, make_user, make_course, args, expected):
    made = make_course()
    cohorts = {"first": made.cohort_id, "second": add_cohort(app, made, "Evening cohort")}
    place(app, made, make_user(full_name="Ana"))
    place(app, made, make_user(full_name="Ben"), status="waitlisted")
    place(app, made, make_user(full_name="Cleo"), cohort_id=cohorts["second"], completed=True)
    place(app, made, make_user(full_name="Dev"), cohort_id=cohorts["second"], status="withdrawn")
    if "cohort" in args:
        args = dict(args, cohort=cohorts[args["cohort"]])
    assert roster_names(admin_client, made, **args) == expected


def test_the_roster_runs_the_same_number_of_queries_for_5_and_500_trainees(app, admin_client, make_course,
                                                                            count_queries):
    made = make_course(capacity=1_000, modules=3)
    urls = [f"/admin/courses/{made.course_id}/roster",
            f"/admin/courses/{made.course_id}/roster?sort=progress&dir=desc"]

    def statements_per_page():
        admin_client.get(urls[0])  # the same warm-up before each count
        counts = []
        for url in urls:
            with count_queries() as statements:
                assert admin_client.get(url).status_code == 200
            counts.append(len(statements))
        return counts

    bulk_place(app, made, range(5))
    few = statements_per_page()
    bulk_place(app, made, range(5, 500))
    many = statements_per_page()
    assert many == few
    page = text(admin_client.get(urls[0]))
    assert "500 people" in page and len(table_rows(page)) == app.config["LMS_PAGE_SIZE"]


# --- 6. the roster as CSV --------------------------------------------------------------------------

FORMULAS = ['=HYPERLINK("http://evil")', "+SUM(A1:A9)", "-2+3", "@cmd"]


def test_the_roster_csv_is_a_private_attachment_whose_cells_never_run_as_formulas(app, admin_client, make_user,
                                                                                   make_course):
    made = make_course()
    for name in [*FORMULAS, "Plain Name"]:
        place(app, made, make_user(full_name=name))
    response = admin_client.get(f"/admin/courses/{made.course_id}/roster.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response.headers["Cache-Control"]
    rows = list(csv.DictReader(io.StringIO(text(response))))
    assert sorted(row["name"] for row in rows) == sorted(["'" + name for name in FORMULAS] + ["Plain Name"])
    assert {row["status"] for row in rows} == {"enrolled"}


# --- 7. enrolling people from a file ---------------------------------------------------------------

def upload(client, made, content: str, filename="people.csv"):
    return client.post_form(f"/admin/courses/{made.course_id}/import",
                            {"file": (io.BytesIO(content.encode()), filename)}, content_type="multipart/form-data")


def confirm(client, made, content: str):
    return client.post_form(f"/admin/courses/{made.course_id}/import/confirm", {"content": content})


def outcomes(page: str) -> list[tuple[str, str]]:
    """Each previewed row's email and result."""
    return [(row[1], row[5]) for row in table_rows(page)]


def verify_email(app, user):
    """As if the person had followed the link of their verification email."""
    with app.app_context():
        accounts.mark_email_verified(db.session.get(User, user.id))
        db.session.commit()


@pytest.fixture
def import_course(app, make_user, make_course):
    """A course in English and Spanish with three seats, one taken by an enrolled person."""
    made = make_course(capacity=3, translations={"es": "Curso"})
    place(app, made, make_user(email="enrolled@example.org"))
    verify_email(app, make_user(email="returning@example.org", full_name="Returning Person"))
    with app.app_context():
        made.cohort_name = db.session.get(Cohort, made.cohort_id).name
    return made


def good_file(made) -> str:
    return ("email,name,cohort,language\n"
            f"Enrolled@Example.org,,{made.cohort_name},en\n"
            f"returning@example.org,,{made.cohort_name},en\n"
            f"nueva@example.org,Nueva Persona,{made.cohort_name},es\n"
            f"late@example.org,Late Comer,{made.cohort_name.upper()},en\n")


def test_the_import_preview_shows_each_rows_outcome_and_saves_nothing(app, admin_client, import_course):
    before = people_and_places(app)
    page = text(upload(admin_client, import_course, good_file(import_course)))
    assert outcomes(page) == [
        ("enrolled@example.org", "Already enrolled: no change"),
        ("returning@example.org", "Seat"),
        ("nueva@example.org", "New account and a seat"),
        ("late@example.org", "Waitlist"),
    ]
    assert "No problems found: 1 new accounts, 2 seats, 1 on the waitlist, 1 unchanged." in page
    assert "Import these rows" in page
    assert people_and_places(app) == before
    assert count(app, AuditEvent) == 0


def test_confirming_a_good_file_enrolls_everyone_at_once_and_is_audited(app, admin, admin_client, import_course):
    content = typed(text(upload(admin_client, import_course, good_file(import_course))), "content")
    response = confirm(admin_client, import_course, content)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/courses/{import_course.course_id}/roster")
    people, places = people_and_places(app)
    assert ("nueva@example.org", "Nueva Persona", "es") in people
    assert ("late@example.org", "Late Comer", "en") in people
    cohort = import_course.cohort_id
    assert places == [("enrolled@example.org", cohort, "en", "enrolled"),
                      ("late@example.org", cohort, "en", "waitlisted"),
                      ("nueva@example.org", cohort, "es", "enrolled"),
                      ("returning@example.org", cohort, "en", "enrolled")]
    with app.app_context():
        event = db.session.scalars(select(AuditEvent)).one()
        assert (event.action, event.actor_id, event.details) == (
            "enrollments_imported", admin.id,
            {"course": import_course.code, "rows": "4", "unchanged": "1", "refused": "0"})
        assert db.session.scalar(select(func.count()).select_from(Notification).where(
            Notification.kind == "enrolled_by_admin")) == 3
    assert "4 rows imported." in text(admin_client.get(response.headers["Location"]))


def test_importing_the_same_file_twice_changes_nothing_the_second_time(app, admin_client, import_course):
    content = typed(text(upload(admin_client, import_course, good_file(import_course))), "content")
    confirm(admin_client, import_course, content)
    after_first = people_and_places(app), count(app, Notification)

    page = text(upload(admin_client, import_course, good_file(import_course)))
    assert {result for _, result in outcomes(page)} == {"Already enrolled: no change"}
    confirm(admin_client, import_course, typed(page, "content"))
    assert (people_and_places(app), count(app, Notification)) == after_first


UNPROVEN = ("Refused: An account with this email exists but its address has not been verified; "
            "ask the person to verify it, then import again.")


def register(app, email):
    """Someone registers `email` through the real form; they never prove they receive its mail."""
    response = app.test_client().post_form("/register", {
        "full_name": "First Comer", "email": email, "locale": "en", "password": PASSWORD, "confirm": PASSWORD})
    assert response.status_code == 302


def test_a_row_for_an_unverified_self_registration_is_refused_on_its_line_and_the_rest_is_imported(
        app, admin_client, import_course):
    register(app, "office@example.org")
    content = ("email,name,cohort,language\n"
               f"office@example.org,Program Office,{import_course.cohort_name},en\n"
               f"nueva@example.org,Nueva Persona,{import_course.cohort_name},es\n")
    page = text(upload(admin_client, import_course, content))
    assert outcomes(page) == [("office@example.org", UNPROVEN), ("nueva@example.org", "New account and a seat")]
    assert "1 row is refused; its line below says why." in page and "Import these rows" in page

    response = confirm(admin_client, import_course, typed(page, "content"))
    assert response.status_code == 200
    result = text(response)
    assert outcomes(result) == [("office@example.org", UNPROVEN), ("nueva@example.org", "New account and a seat")]
    assert "1 rows imported." in result and "1 row is refused" in result
    places = people_and_places(app)[1]
    assert [email for email, *_ in places] == ["enrolled@example.org", "nueva@example.org"]
    with app.app_context():
        office = accounts.find_by_email("office@example.org")
        assert db.session.scalar(select(func.count()).select_from(Notification).where(
            Notification.user_id == office.id)) == 0
        details = db.session.scalars(select(AuditEvent.details)).one()
        assert (details["rows"], details["refused"]) == ("2", "1")


def test_once_the_person_verifies_their_address_the_same_row_is_imported(app, admin_client, import_course):
    register(app, "office@example.org")
    content = f"email,name,cohort,language\noffice@example.org,,{import_course.cohort_name},en\n"
    assert outcomes(text(upload(admin_client, import_course, content))) == [("office@example.org", UNPROVEN)]
    with app.app_context():
        accounts.mark_email_verified(accounts.find_by_email("office@example.org"))
        db.session.commit()
    page = text(upload(admin_client, import_course, content))
    assert outcomes(page) == [("office@example.org", "Seat")]
    assert confirm(admin_client, import_course, typed(page, "content")).status_code == 302
    assert ("office@example.org", import_course.cohort_id, "en", "enrolled") in people_and_places(app)[1]


def test_an_account_an_import_made_is_enrolled_by_the_next_import_before_its_owner_logs_in(
        app, admin_client, import_course, make_course):
    first = f"email,name,cohort,language\nnueva@example.org,Nueva Persona,{import_course.cohort_name},es\n"
    confirm(admin_client, import_course, typed(text(upload(admin_client, import_course, first)), "content"))
    other = make_course(capacity=3)
    with app.app_context():
        other.cohort_name = db.session.get(Cohort, other.cohort_id).name
    second = f"email,name,cohort,language\nnueva@example.org,,{other.cohort_name},en\n"
    page = text(upload(admin_client, other, second))
    assert outcomes(page) == [("nueva@example.org", "Seat")]
    assert confirm(admin_client, other, typed(page, "content")).status_code == 302
    assert ("nueva@example.org", other.cohort_id, "en", "enrolled") in people_and_places(app)[1]


BAD_ROWS = [
    ("not-an-email,Someone,{cohort},en", "“not-an-email” is not an email address."),
    ("someone@example.org,Someone,Nowhere Cohort,en", "No cohort named “Nowhere Cohort” runs this course."),
    ("someone@example.org,Someone,{cohort},ko", "The course is not offered in “ko”; use one of en, es."),
    ("good@example.org,Good Again,{cohort},en", "This email appears more than once in the file."),
    ("someone@example.org,,{cohort},en", "A new person needs a name."),
    ("someone@example.org," + "n" * 201 + ",{cohort},en", "The name is longer than 200 characters."),
    ('someone@example.org,"Some\none",{cohort},en',
     "Write the name on one line, without tabs or other special characters."),
]


@pytest.mark.parametrize(("bad_row", "problem"), BAD_ROWS)
def test_a_bad_row_is_explained_on_its_line_and_nothing_can_be_imported(app, admin_client, import_course,
                                                                          bad_row, problem):
    before = people_and_places(app)
    content = ("email,name,cohort,language\n"
               f"good@example.org,Good Person,{import_course.cohort_name},en\n"
               + bad_row.format(cohort=import_course.cohort_name) + "\n")
    page = text(upload(admin_client, import_course, content))
    rows = table_rows(page)
    assert rows[1][0] == "3" and rows[1][5] == f"Problem: {problem}"
    assert "nothing was saved" in page
    assert "Import these rows" not in page and 'name="content"' not in page
    assert people_and_places(app) == before


def test_a_file_without_a_needed_column_is_refused_and_nothing_can_be_imported(app, admin_client, import_course):
    before = people_and_places(app)
    page = text(upload(admin_client, import_course, "email,name,cohort\nnew@example.org,New,Cohort 1\n"))
    assert "The file needs the columns email, name, cohort, language; missing: language." in page
    assert "Import these rows" not in page
    assert people_and_places(app) == before


def test_a_tampered_confirmation_is_checked_again_and_saves_nothing(app, admin_client, import_course):
    before = people_and_places(app), count(app, AuditEvent)
    content = typed(text(upload(admin_client, import_course, good_file(import_course))), "content")
    tampered = content + f"intruder@example.org,Intruder,{import_course.cohort_name},ko\n"
    response = confirm(admin_client, import_course, tampered)
    assert response.status_code == 409
    page = text(response)
    assert "Nothing was saved" in page and "The course is not offered in “ko”" in page
    assert (people_and_places(app), count(app, AuditEvent)) == before


# --- 8. evaluations --------------------------------------------------------------------------------

def test_the_evaluation_summary_shows_averages_and_only_consented_comments_without_names(
        app, admin_client, make_user, make_course):
    made = make_course()
    answers = [("Wanjiru Kamau", 5, 4, 5, "Changed how I greet families.", True),
               ("Tomás Herrera", 3, 4, 4, "The facilitator was late every week.", False),
               ("Linh Tran", 4, 5, 3, "", True)]
    for name, overall, relevance, language, comments, consent in answers:
        enrollment_id = place(app, made, make_user(full_name=name), completed=True)
        with app.app_context():
            evaluations.submit_evaluation(db.session.get(Enrollment, enrollment_id), overall=overall,
                                          relevance=relevance, language_rating=language, comments=comments,
                                          consent=consent, language="en")
            db.session.commit()

    page = text(admin_client.get(f"/admin/courses/{made.course_id}/evaluations"))
    averages = dict(re.findall(r"<dt>(.*?)</dt><dd>(.*?)</dd>", page))
    assert "3 evaluations." in page
    assert averages == {"Overall usefulness": "4", "Applies to work with children and families": "4.3",
                        "Could learn in a comfortable language": "4"}
    quotes = re.findall(r"<blockquote[^>]*>(.*?)</blockquote>", page, re.S)
    assert quotes == ["Changed how I greet families."]
    for name, *_ in answers:
        assert name not in page and html.escape(name) not in page


# --- 9. only admins ---------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["trainee", "mentor"])
def test_people_without_the_admin_role_get_403_on_course_admin_pages(app, make_user, login, make_course, role):
    made = make_course()
    client = app.test_client()
    login(client, make_user(role))
    for url in ("/admin/programs", f"/admin/courses/{made.course_id}", f"/admin/courses/{made.course_id}/roster",
                f"/admin/courses/{made.course_id}/roster.csv", f"/admin/courses/{made.course_id}/evaluations"):
        assert client.get(url).status_code == 403, url
    assert client.post_form("/admin/programs/new", {"name": "Sneaky"}).status_code == 403
    assert client.post_form(f"/admin/courses/{made.course_id}/archive").status_code == 403
    assert upload(client, made, "email,name,cohort,language\n").status_code == 403
    assert count(app, Program) == 1 and archived(app, Course, made.course_id) is False
