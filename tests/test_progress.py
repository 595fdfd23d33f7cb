"""Progress through a course: modules, reflections, completion, evaluation, and the dashboard.

Most tests go through the real views as a trainee would; a few call the pure helpers directly.
"""

import re
from collections import Counter
from datetime import date, timedelta
from html import unescape
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
from markupsafe import escape
from sqlalchemy import func, insert, select

from lms.accounts.models import User
from lms.courses import services as catalog
from lms.courses.content import module_text, render_markdown
from lms.courses.models import Cohort, CohortLanguage, Course, CourseFormat, Module, Program, cohort_course
from lms.enrollment import evaluations
from lms.enrollment.models import CourseEvaluation, Enrollment, EnrollmentStatus, ModuleProgress
from lms.enrollment.progress import Progress, unlocked_module_ids
from lms.enrollment.services import EnrollmentError
from lms.extensions import db
from lms.notifications.models import Notification
from lms.sqltypes import utcnow

LOCKED = "This module opens when you have a seat and have finished the modules before it."
NOT_TRANSLATED = "(not translated yet: shown in English)"
GOOD_RATINGS = {"rating_overall": "5", "rating_relevance": "4", "rating_language": "3"}


# --- helpers ---------------------------------------------------------------------------------------

def module_url(enrollment_id, module_id, action=None):
    return f"/my/courses/{enrollment_id}/modules/{module_id}" + (f"/{action}" if action else "")


def evaluation_url(enrollment_id):
    return f"/my/courses/{enrollment_id}/evaluation"


def complete(client, enrollment_id, module_id, **kwargs):
    return client.post_form(module_url(enrollment_id, module_id, "complete"), **kwargs)


def reflect(client, enrollment_id, module_id, text, *, shared=False, **kwargs):
    data = {"reflection": text, **({"shared": "y"} if shared else {})}
    return client.post_form(module_url(enrollment_id, module_id, "reflection"), data, **kwargs)


def evaluate(client, enrollment_id, data, **kwargs):
    return client.post_form(evaluation_url(enrollment_id), data, **kwargs)


def progress_rows(app, enrollment_id):
    """{module_id: (completed?, reflection, shared?)} as stored."""
    with app.app_context():
        rows = db.session.scalars(select(ModuleProgress).where(ModuleProgress.enrollment_id == enrollment_id))
        return {p.module_id: (p.completed_at is not None, p.reflection, p.reflection_shared) for p in rows}


def completed_at(app, enrollment_id):
    with app.app_context():
        return db.session.scalar(select(Enrollment.completed_at).where(Enrollment.id == enrollment_id))


def stored_evaluations(app):
    with app.app_context():
        rows = db.session.scalars(select(CourseEvaluation).order_by(CourseEvaluation.id))
        return [(e.enrollment_id, e.rating_overall, e.rating_relevance, e.rating_language, e.comments,
                 e.consent_to_quote) for e in rows]


def notification_kinds(app, user_id):
    with app.app_context():
        return db.session.scalars(select(Notification.kind).where(Notification.user_id == user_id)
                                  .order_by(Notification.id)).all()


def change_module(app, module_id, **fields):
    """Edit a module through the catalog service, as the program office would."""
    with app.app_context():
        catalog.update_module(db.session.get(Module, module_id), **fields)
        db.session.commit()


def translate(app, course_id, language, *, title, modules):
    with app.app_context():
        catalog.save_translation(db.session.get(Course, course_id), language, title=title, summary="",
                                 modules=modules)
        db.session.commit()


def text_of(response):
    return response.get_data(as_text=True)


def field_error(page, field_id):
    """The error paragraph shown next to a form field, or None."""
    match = re.search(rf'<p class="field__error" id="{field_id}-error">(.*?)</p>', page, re.S)
    return unescape(re.sub(r"<[^>]+>", "", match.group(1))).strip() if match else None


def module_content(page):
    return re.search(r'<div class="module-content"[^>]*>(.*?)</div>', page, re.S).group(1)


def card_for(page, title):
    """The dashboard card of the course with this title."""
    cards = [c for c in page.split('<li class="card">')[1:] if title in c]
    assert len(cards) == 1, f"{title!r} is on {len(cards)} cards"
    return cards[0].split("</li>")[0]


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def elements(html, tag):
    """The attributes of every `tag` element a browser would build from `html`."""
    parser = _Elements()
    parser.feed(html)
    return [attrs for name, attrs in parser.found if name == tag]


def site_scripts_only(html) -> bool:
    """The page's scripts are at most the site's own warning about unsaved text: nothing inline or injected."""
    return [s.get("src") for s in elements(html, "script")] in ([], ["/lms-static/unsaved.js"])


@pytest.fixture
def enrolled(app, make_user, login, enroll_form):
    """Enroll a new trainee through the course page; return their logged-in client, user and enrollment id."""

    def enroll(made, language="en", user=None):
        user = user or make_user()
        client = app.test_client()
        login(client, user)
        enroll_form(client, made, language)
        with app.app_context():
            enrollment_id = db.session.scalar(select(Enrollment.id).where(
                Enrollment.user_id == user.id, Enrollment.course_id == made.course_id))
        assert enrollment_id is not None
        return client, user, enrollment_id

    return enroll


# --- 1. completing modules completes the course ----------------------------------------------------

def test_a_course_completes_when_its_last_required_module_is_done(app, make_course, enrolled):
    made = make_course(modules=3)
    client, trainee, enrollment_id = enrolled(made)
    first, second, third = made.module_ids

    assert complete(client, enrollment_id, first).status_code == 302
    assert complete(client, enrollment_id, second).status_code == 302
    assert completed_at(app, enrollment_id) is None
    assert notification_kinds(app, trainee.id) == []

    complete(client, enrollment_id, third)
    assert progress_rows(app, enrollment_id) == {m: (True, None, False) for m in made.module_ids}
    assert completed_at(app, enrollment_id) is not None


def test_optional_modules_do_not_count_towards_completion(app, make_course, enrolled):
    made = make_course(modules=3)
    required, optional, last_required = made.module_ids
    change_module(app, optional, is_required=False)
    client, _, enrollment_id = enrolled(made)

    complete(client, enrollment_id, required)
    complete(client, enrollment_id, last_required)

    assert completed_at(app, enrollment_id) is not None
    assert optional not in progress_rows(app, enrollment_id)


def test_a_course_with_no_required_modules_completes_when_every_module_is_done(app, make_course, enrolled):
    made = make_course(modules=2)
    for module_id in made.module_ids:
        change_module(app, module_id, is_required=False)
    client, _, enrollment_id = enrolled(made)

    complete(client, enrollment_id, made.module_ids[0])
    assert completed_at(app, enrollment_id) is None
    complete(client, enrollment_id, made.module_ids[1])
    assert completed_at(app, enrollment_id) is not None


def test_completing_a_course_notifies_the_trainee_on_the_dashboard(app, make_course, enrolled):
    made = make_course(modules=1, title="Trauma-informed care")
    client, trainee, enrollment_id = enrolled(made)

    complete(client, enrollment_id, made.module_ids[0])

    assert notification_kinds(app, trainee.id) == ["course_completed"]
    assert "You completed Trauma-informed care. Congratulations!" in text_of(client.get("/"))


def test_marking_a_done_module_complete_again_changes_nothing(app, make_course, enrolled):
    made = make_course(modules=1)
    client, trainee, enrollment_id = enrolled(made)
    complete(client, enrollment_id, made.module_ids[0])
    first_completion = completed_at(app, enrollment_id)

    complete(client, enrollment_id, made.module_ids[0])

    assert completed_at(app, enrollment_id) == first_completion
    assert notification_kinds(app, trainee.id) == ["course_completed"]


# --- 2. sequential courses ---------------------------------------------------------------------------

def test_in_a_sequential_course_a_module_stays_locked_until_the_ones_before_it_are_done(app, make_course, enrolled):
    made = make_course(modules=3, sequential=True)
    client, _, enrollment_id = enrolled(made)
    first, second, _third = made.module_ids

    response = client.get(module_url(enrollment_id, second))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/courses/{made.course_id}")
    assert LOCKED in text_of(client.get(response.headers["Location"]))

    complete(client, enrollment_id, first)
    assert client.get(module_url(enrollment_id, second)).status_code == 200


def test_completing_a_locked_module_is_refused_and_saves_nothing(app, make_course, enrolled):
    made = make_course(modules=3, sequential=True)
    client, _, enrollment_id = enrolled(made)

    page = text_of(complete(client, enrollment_id, made.module_ids[2], follow_redirects=True))

    assert "Finish the modules before this one first." in page
    assert progress_rows(app, enrollment_id) == {}


def test_a_locked_module_accepts_no_reflection(app, make_course, enrolled):
    made = make_course(modules=2, sequential=True)
    locked = made.module_ids[1]
    change_module(app, locked, reflection_prompt="What will you try?")
    client, _, enrollment_id = enrolled(made)

    reflect(client, enrollment_id, locked, "Written before the module opened")

    assert progress_rows(app, enrollment_id) == {}


def test_an_optional_module_in_a_sequential_course_does_not_lock_the_ones_after_it(app, make_course, enrolled):
    made = make_course(modules=3, sequential=True)
    first, optional, third = made.module_ids
    change_module(app, optional, is_required=False)
    client, _, enrollment_id = enrolled(made)

    assert client.get(module_url(enrollment_id, optional)).status_code == 302
    complete(client, enrollment_id, first)
    assert client.get(module_url(enrollment_id, third)).status_code == 200
    complete(client, enrollment_id, third)
    assert completed_at(app, enrollment_id) is not None


def test_a_non_sequential_course_opens_every_module(app, make_course, enrolled):
    made = make_course(modules=3, sequential=False)
    client, _, enrollment_id = enrolled(made)
    last = made.module_ids[-1]

    assert client.get(module_url(enrollment_id, last)).status_code == 200
    complete(client, enrollment_id, last)
    assert progress_rows(app, enrollment_id) == {last: (True, None, False)}


def module(id, required=True):
    return SimpleNamespace(id=id, is_required=required)


def done(*module_ids):
    return {m: SimpleNamespace(completed_at=utcnow()) for m in module_ids}


@pytest.mark.parametrize(("modules", "rows", "unlocked"), [
    ([module(1), module(2), module(3)], {}, {1}),
    ([module(1), module(2), module(3)], done(1), {1, 2}),
    ([module(1), module(2, required=False), module(3), module(4)], done(1), {1, 2, 3}),
    ([module(1, required=False), module(2)], {}, {1, 2}),
    ([module(1), module(2), module(3)], done(1, 2, 3), {1, 2, 3}),
])
def test_sequential_unlocking_follows_the_required_modules(modules, rows, unlocked):
    enrollment = SimpleNamespace(course=SimpleNamespace(sequential=True))
    assert unlocked_module_ids(enrollment, modules, rows) == unlocked


def test_a_non_sequential_course_unlocks_everything_whatever_is_done():
    enrollment = SimpleNamespace(course=SimpleNamespace(sequential=False))
    assert unlocked_module_ids(enrollment, [module(1), module(2), module(3)], {}) == {1, 2, 3}


# --- 3. only people with a seat work in modules -----------------------------------------------------

@pytest.fixture
def without_a_seat(app, make_course, make_user, enrolled):
    """A trainee who is waitlisted or withdrawn: their client, enrollment id and the course."""

    def make(status):
        made = make_course(modules=2, capacity=1)
        holder_client, _, holder_enrollment = enrolled(made)
        client, _, enrollment_id = enrolled(made)
        if status == "withdrawn":
            holder_client.post_form(f"/my/courses/{holder_enrollment}/withdraw")
            client.post_form(f"/my/courses/{enrollment_id}/withdraw")
        with app.app_context():
            assert db.session.get(Enrollment, enrollment_id).status.value == status
        return client, enrollment_id, made

    return make


@pytest.mark.parametrize("status", ["waitlisted", "withdrawn"])
def test_a_trainee_without_a_seat_cannot_open_a_module(status, without_a_seat):
    client, enrollment_id, made = without_a_seat(status)

    response = client.get(module_url(enrollment_id, made.module_ids[0]))

    assert response.status_code == 302
    assert LOCKED in text_of(client.get(response.headers["Location"]))


@pytest.mark.parametrize("status", ["waitlisted", "withdrawn"])
def test_a_trainee_without_a_seat_cannot_complete_a_module_or_reflect(app, status, without_a_seat):
    client, enrollment_id, made = without_a_seat(status)

    page = text_of(complete(client, enrollment_id, made.module_ids[0], follow_redirects=True))
    reflect(client, enrollment_id, made.module_ids[0], "Sneaking in")

    assert "You need a seat in this course first." in page
    assert progress_rows(app, enrollment_id) == {}


# --- 4. reflections are private ---------------------------------------------------------------------

def test_a_trainee_answers_the_reflection_prompt(app, make_course, enrolled):
    made = make_course(prompt="What did you notice about the child's cues?")
    client, _, enrollment_id = enrolled(made)
    first = made.module_ids[0]

    page = text_of(client.get(module_url(enrollment_id, first)))
    assert "What did you notice about the child&#39;s cues?" in page

    response = reflect(client, enrollment_id, first, "  She looked away when the room got loud.  ")

    assert response.headers["Location"].endswith(module_url(enrollment_id, first))
    assert progress_rows(app, enrollment_id) == {first: (False, "She looked away when the room got loud.", False)}
    assert "She looked away when the room got loud." in text_of(client.get(module_url(enrollment_id, first)))


def test_sharing_a_reflection_with_the_mentor_is_stored_and_can_be_taken_back(app, make_course, enrolled):
    made = make_course()
    client, _, enrollment_id = enrolled(made)
    first = made.module_ids[0]

    reflect(client, enrollment_id, first, "For my mentor", shared=True)
    assert progress_rows(app, enrollment_id)[first] == (False, "For my mentor", True)
    assert "Shared with your mentor" in text_of(client.get("/my/journal"))

    reflect(client, enrollment_id, first, "For me only", shared=False)
    assert progress_rows(app, enrollment_id)[first] == (False, "For me only", False)
    assert "Private" in text_of(client.get("/my/journal"))


@pytest.mark.parametrize(("method", "action"), [
    ("get", None),
    ("post", "complete"),
    ("post", "reflection"),
])
def test_a_trainee_gets_404_on_the_modules_of_someone_elses_enrollment(app, make_course, enrolled, method, action):
    made = make_course()
    _, _, owners_enrollment = enrolled(made)
    other_client, _, _ = enrolled(made)
    url = module_url(owners_enrollment, made.module_ids[0], action)

    response = other_client.get(url) if method == "get" else other_client.post_form(
        url, {"reflection": "Not mine to write"})

    assert response.status_code == 404
    assert progress_rows(app, owners_enrollment) == {}


def test_the_journal_lists_only_my_own_reflections(app, make_course, enrolled):
    made = make_course()
    mine_client, _, mine = enrolled(made)
    theirs_client, _, theirs = enrolled(made)
    reflect(mine_client, mine, made.module_ids[0], "My own thoughts")
    reflect(theirs_client, theirs, made.module_ids[0], "Someone else's secret")

    journal = text_of(mine_client.get("/my/journal"))

    assert "My own thoughts" in journal
    assert "secret" not in journal


def test_a_reflection_over_10000_characters_is_refused_next_to_the_field(app, make_course, enrolled):
    made = make_course()
    client, _, enrollment_id = enrolled(made)

    response = reflect(client, enrollment_id, made.module_ids[0], "x" * 10_001)

    assert response.status_code == 200
    assert field_error(text_of(response), "reflection") == "Error: Use 10000 characters or fewer."
    assert progress_rows(app, enrollment_id) == {}


def test_a_reflection_of_exactly_10000_characters_is_kept(app, make_course, enrolled):
    made = make_course()
    client, _, enrollment_id = enrolled(made)

    reflect(client, enrollment_id, made.module_ids[0], "x" * 10_000)

    assert progress_rows(app, enrollment_id)[made.module_ids[0]][1] == "x" * 10_000


def test_marking_a_module_complete_saves_the_reflection_typed_on_its_page(app, make_course, enrolled):
    made = make_course(modules=2)
    client, _, enrollment_id = enrolled(made)
    first = made.module_ids[0]

    response = complete(client, enrollment_id, first,
                        data={"reflection": "  I slowed down at pick-up.  ", "shared": "y"})

    assert progress_rows(app, enrollment_id) == {first: (True, "I slowed down at pick-up.", True)}
    page = text_of(client.get(response.headers["Location"]))
    assert "Your reflection is saved." in page and "Module marked complete." in page


def test_the_complete_button_of_a_module_with_a_prompt_sends_the_reflection_form(app, make_course, enrolled):
    made = make_course(modules=2)
    client, _, enrollment_id = enrolled(made)
    page = client.get(module_url(enrollment_id, made.module_ids[0])).get_data(as_text=True)

    [form] = [f for f in elements(page, "form") if f.get("id") == "reflection-form"]
    [button] = [b for b in elements(page, "button") if b.get("formaction")]
    assert button["form"] == "reflection-form"
    assert button["formaction"] == module_url(enrollment_id, made.module_ids[0], "complete")


def test_a_reflection_refused_when_completing_keeps_what_was_typed_and_saves_nothing(app, make_course, enrolled):
    made = make_course(modules=1)
    client, _, enrollment_id = enrolled(made)
    too_long = "x" * 10_001

    response = complete(client, enrollment_id, made.module_ids[0], data={"reflection": too_long, "shared": "y"})

    page = text_of(response)
    assert field_error(page, "reflection") == "Error: Use 10000 characters or fewer."
    textarea = re.search(r'<textarea[^>]*name="reflection"[^>]*>(.*?)</textarea>', page, re.S).group(1)
    assert textarea.strip() == too_long
    assert progress_rows(app, enrollment_id) == {}
    assert completed_at(app, enrollment_id) is None


def test_completing_without_a_reflection_field_keeps_the_saved_reflection(app, make_course, enrolled):
    made = make_course(modules=2)
    client, _, enrollment_id = enrolled(made)
    first = made.module_ids[0]
    reflect(client, enrollment_id, first, "Kept from before", shared=True)

    complete(client, enrollment_id, first)

    assert progress_rows(app, enrollment_id) == {first: (True, "Kept from before", True)}


def test_a_module_without_a_prompt_refuses_a_reflection_posted_with_completing(app, make_course, enrolled):
    made = make_course(modules=2)
    client, _, enrollment_id = enrolled(made)

    complete(client, enrollment_id, made.module_ids[1], data={"reflection": "Nowhere to keep this"})

    assert progress_rows(app, enrollment_id) == {}


@pytest.mark.parametrize("payload", [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "{{7*7}}",
])
def test_a_reflection_is_shown_as_text_never_as_markup(app, make_course, enrolled, payload):
    made = make_course()
    client, _, enrollment_id = enrolled(made)
    reflect(client, enrollment_id, made.module_ids[0], payload)

    module_page = text_of(client.get(module_url(enrollment_id, made.module_ids[0])))
    journal = text_of(client.get("/my/journal"))

    textarea = re.search(r'<textarea[^>]*name="reflection"[^>]*>(.*?)</textarea>', module_page, re.S).group(1)
    entry = re.search(r'<p class="reflection-text" dir="auto">(.*?)</p>', journal, re.S).group(1)
    assert unescape(textarea).strip() == payload
    assert unescape(entry) == payload
    for page in (module_page, journal):
        assert str(escape(payload)) in page
        assert site_scripts_only(page)
        assert not [img for img in elements(page, "img") if "onerror" in img]


# --- 5. module content is sanitised Markdown --------------------------------------------------------

UNSAFE_MARKDOWN = """# Big heading

Some **bold** advice.

<script>alert(1)</script>

[click me](javascript:alert(1))

<a href="javascript:alert(2)">raw link</a>

<img src=x onerror=alert(3)>
"""


def test_module_markdown_is_rendered_to_sanitised_html(app, make_course, enrolled):
    made = make_course(modules=1)
    change_module(app, made.module_ids[0], content=UNSAFE_MARKDOWN)
    client, _, enrollment_id = enrolled(made)

    page = text_of(client.get(module_url(enrollment_id, made.module_ids[0])))
    content = module_content(page)

    assert "<strong>bold</strong>" in content
    assert site_scripts_only(page)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in content
    assert "click me" in content
    assert not [a for a in elements(page, "a") if "javascript" in a.get("href", "").lower()]
    assert elements(content, "img") == []
    assert elements(content, "h1") == [] and "<h2>Big heading</h2>" in content
    assert len(elements(page, "h1")) == 1


@pytest.mark.parametrize(("source", "expected"), [
    ("**bold**", "<p><strong>bold</strong></p>"),
    ("# Title", "<h2>Title</h2>"),
    ("##### Deep", "<h6>Deep</h6>"),
    ("###### Deepest", "<h6>Deepest</h6>"),
    ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
    ("[site](https://example.org)", '<a href="https://example.org" rel="noopener noreferrer">site</a>'),
])
def test_markdown_renders_to_safe_html(source, expected):
    assert expected in render_markdown(source)


@pytest.mark.parametrize("source", [
    "[x](javascript:alert(1))",
    "[x](JavaScript:alert(1))",
    "<javascript:alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "![x](javascript:alert(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
])
def test_markdown_never_makes_a_script_link(source):
    html = render_markdown(source)
    links = [a.get("href", "") for a in elements(html, "a")] + [i.get("src", "") for i in elements(html, "img")]
    assert not [url for url in links if url.lower().startswith(("javascript", "data"))]


# --- 6. one course, several languages, one completion -----------------------------------------------

def test_a_course_taken_in_spanish_shows_spanish_and_marks_what_is_not_translated(app, make_course, enrolled):
    made = make_course(modules=2, translations={"es": "Curso en español"})
    translate(app, made.course_id, "es", title="Curso en español",
              modules={made.module_ids[0]: {"title": "Primer módulo"}})
    client, _, enrollment_id = enrolled(made, language="es")

    translated = text_of(client.get(module_url(enrollment_id, made.module_ids[0])))
    untranslated = text_of(client.get(module_url(enrollment_id, made.module_ids[1])))

    assert '<span lang="es" dir="auto">Curso en español</span>' in translated
    assert '<span lang="es" dir="auto">Primer módulo</span><' in translated
    assert f'<span lang="en" dir="auto">Module 2</span> <small class="fallback-note">{NOT_TRANSLATED}</small>' \
        in untranslated
    assert NOT_TRANSLATED in module_content_note(untranslated)
    assert "Curso en español" in text_of(client.get("/"))
    assert "Curso en español" in text_of(client.get(f"/courses/{made.course_id}"))


def module_content_note(page):
    """The note above a module's content, when it is shown in the default language."""
    before_content = page.split('<div class="module-content"')[0]
    return before_content.rsplit("</h1>", 1)[-1]


def test_switching_language_keeps_progress_and_the_course_completes_once(app, make_course, enrolled, enroll_form):
    made = make_course(modules=2, translations={"es": "Curso en español"})
    client, trainee, enrollment_id = enrolled(made, language="es")
    first, second = made.module_ids

    complete(client, enrollment_id, first)
    client.post_form(f"/my/courses/{enrollment_id}/language", {"language": "en"})
    assert "1 of 2 required modules" in text_of(client.get("/"))
    assert progress_rows(app, enrollment_id) == {first: (True, None, False)}

    complete(client, enrollment_id, second)
    finished = completed_at(app, enrollment_id)
    client.post_form(f"/my/courses/{enrollment_id}/language", {"language": "es"})
    complete(client, enrollment_id, second)
    enroll_form(client, made, language="es")

    with app.app_context():
        assert db.session.execute(select(Enrollment.id, Enrollment.language).where(
            Enrollment.course_id == made.course_id)).all() == [(enrollment_id, "es")]
    assert finished is not None and completed_at(app, enrollment_id) == finished
    assert notification_kinds(app, trainee.id) == ["course_completed"]


def test_an_untranslated_module_falls_back_to_the_default_language(app, make_course):
    made = make_course(modules=1, translations={"es": "Curso"})
    with app.app_context():
        text = module_text(db.session.get(Module, made.module_ids[0]), "es", "en")
    assert (text.title.value, text.title.language, text.title.fallback) == ("Module 1", "en", True)
    assert (text.content.value, text.content.fallback) == ("Content **1**", True)


# --- 7. the course evaluation -----------------------------------------------------------------------

@pytest.fixture
def finished(app, make_course, enrolled):
    """A trainee who completed a one-module course: their client and enrollment id."""
    made = make_course(modules=1)
    client, _, enrollment_id = enrolled(made)
    response = complete(client, enrollment_id, made.module_ids[0])
    assert completed_at(app, enrollment_id) is not None
    return SimpleNamespace(client=client, enrollment_id=enrollment_id, made=made, response=response)


def test_completing_a_course_leads_to_the_evaluation(finished):
    assert finished.response.headers["Location"].endswith(evaluation_url(finished.enrollment_id))
    page = text_of(finished.client.get(evaluation_url(finished.enrollment_id)))
    assert "Evaluate the course" in page and 'name="rating_overall"' in page


def test_an_evaluation_stores_ratings_comments_and_consent(app, finished):
    response = evaluate(finished.client, finished.enrollment_id,
                        {**GOOD_RATINGS, "comments": "  Useful with toddlers.  ", "consent_to_quote": "y"})

    assert response.status_code == 302
    assert stored_evaluations(app) == [(finished.enrollment_id, 5, 4, 3, "Useful with toddlers.", True)]


def test_an_evaluation_without_consent_is_not_quotable(app, finished):
    evaluate(finished.client, finished.enrollment_id, {**GOOD_RATINGS, "comments": "Private opinion"})
    assert stored_evaluations(app) == [(finished.enrollment_id, 5, 4, 3, "Private opinion", False)]


@pytest.mark.parametrize(("field", "value"), [
    ("rating_overall", "6"),
    ("rating_relevance", "0"),
    ("rating_language", "-1"),
    ("rating_overall", "five"),
    ("rating_relevance", "4.5"),
    ("rating_language", ""),
    ("rating_overall", None),
])
def test_a_rating_outside_1_to_5_is_refused_next_to_the_field(app, finished, field, value):
    data = {**GOOD_RATINGS, field: value}
    if value is None:
        del data[field]

    response = evaluate(finished.client, finished.enrollment_id, data)

    assert response.status_code == 200
    assert field_error(text_of(response), field)
    assert stored_evaluations(app) == []


def test_a_missing_rating_asks_for_one_from_1_to_5(app, finished):
    response = evaluate(finished.client, finished.enrollment_id, {"rating_overall": "4"})
    page = text_of(response)
    assert field_error(page, "rating_relevance") == "Choose a rating from 1 to 5."
    assert field_error(page, "rating_language") == "Choose a rating from 1 to 5."
    assert field_error(page, "rating_overall") is None


def test_a_course_is_evaluated_only_once(app, finished):
    evaluate(finished.client, finished.enrollment_id, {**GOOD_RATINGS, "comments": "First"})

    response = evaluate(finished.client, finished.enrollment_id,
                        {"rating_overall": "1", "rating_relevance": "1", "rating_language": "1", "comments": "Second"})

    assert response.status_code == 302
    assert stored_evaluations(app) == [(finished.enrollment_id, 5, 4, 3, "First", False)]
    assert finished.client.get(evaluation_url(finished.enrollment_id)).status_code == 302


def test_the_evaluation_service_refuses_a_second_evaluation(app, finished):
    with app.app_context():
        enrollment = db.session.get(Enrollment, finished.enrollment_id)
        for attempt in range(2):
            if attempt:
                with pytest.raises(EnrollmentError, match="already evaluated"):
                    evaluations.submit_evaluation(enrollment, overall=2, relevance=2, language_rating=2,
                                                  comments="", consent=False, language="en")
            else:
                evaluations.submit_evaluation(enrollment, overall=5, relevance=5, language_rating=5,
                                              comments="", consent=False, language="en")
        db.session.commit()
    assert [row[1] for row in stored_evaluations(app)] == [5]


def test_a_course_cannot_be_evaluated_before_it_is_completed(app, make_course, enrolled):
    made = make_course(modules=2)
    client, _, enrollment_id = enrolled(made)
    complete(client, enrollment_id, made.module_ids[0])

    assert client.get(evaluation_url(enrollment_id)).status_code == 302
    response = evaluate(client, enrollment_id, GOOD_RATINGS)

    assert response.headers["Location"].endswith(f"/courses/{made.course_id}")
    assert stored_evaluations(app) == []
    with app.app_context():
        with pytest.raises(EnrollmentError, match="once you have completed it"):
            evaluations.submit_evaluation(db.session.get(Enrollment, enrollment_id), overall=5, relevance=5,
                                          language_rating=5, comments="", consent=False, language="en")


def test_a_trainee_gets_404_on_someone_elses_evaluation(app, finished, enrolled):
    other_client, _, _ = enrolled(finished.made)

    assert other_client.get(evaluation_url(finished.enrollment_id)).status_code == 404
    assert evaluate(other_client, finished.enrollment_id, GOOD_RATINGS).status_code == 404
    assert stored_evaluations(app) == []


# --- 8. the dashboard -------------------------------------------------------------------------------

def test_the_dashboard_shows_progress_the_next_module_the_waitlist_and_courses_to_evaluate(
        app, make_course, make_user, enrolled):
    trainee = make_user()
    learning = make_course(modules=3, title="Responsive caregiving")
    change_module(app, learning.module_ids[2], is_required=False)
    full = make_course(modules=1, capacity=1, title="Home visiting basics")
    done_course = make_course(modules=1, title="Reflective supervision")
    enrolled(full)
    client, _, learning_id = enrolled(learning, user=trainee)
    enrolled(full, user=trainee)
    _, _, done_id = enrolled(done_course, user=trainee)
    complete(client, learning_id, learning.module_ids[0])
    complete(client, done_id, done_course.module_ids[0])

    page = text_of(client.get("/"))

    card = card_for(page, "Responsive caregiving")
    assert "1 of 2 required modules" in card
    assert re.search(rf'Next: <a href="{module_url(learning_id, learning.module_ids[1])}">', card)
    assert "On the waitlist: number 1" in card_for(page, "Home visiting basics")
    card = card_for(page, "Reflective supervision")
    assert "Completed on" in card and f'href="{evaluation_url(done_id)}"' in card

    evaluate(client, done_id, GOOD_RATINGS)
    assert evaluation_url(done_id) not in card_for(text_of(client.get("/")), "Reflective supervision")


def test_the_dashboard_leaves_out_withdrawn_courses(app, make_course, enrolled):
    kept, left = make_course(title="Kept course"), make_course(title="Left course")
    client, trainee, _ = enrolled(kept)
    _, _, left_id = enrolled(left, user=trainee)
    client.post_form(f"/my/courses/{left_id}/withdraw")

    page = text_of(client.get("/"))

    assert "Kept course" in page and "Left course" not in page


def test_progress_counts_required_modules_only():
    assert Progress(done=1, required=2).percent == 50
    assert Progress(done=2, required=2).percent == 100
    assert Progress(done=0, required=3).percent == 0


# --- 8 and 9. pages run a fixed number of statements ------------------------------------------------

def bulk_courses(app, n, *, prefix, modules=3):
    """Create `n` courses in a program of their own, each run by its own cohort, with modules.

    Core bulk inserts, so 500 courses take a moment. Returns [(course_id, cohort_id, [module_ids])].
    """
    now, today = utcnow(), date.today()
    with app.app_context():
        program_id = db.session.execute(insert(Program).values(
            name=f"Bulk program {prefix}", description="", is_archived=False, created_at=now)
            .returning(Program.id)).scalar_one()
        db.session.execute(insert(Course.__table__), [dict(
            program_id=program_id, code=f"{prefix}-{i:04d}", default_language="en", title=f"{prefix} course {i}",
            summary="", pd_hours=3, format=CourseFormat.SELF_PACED, sequential=False, is_archived=False,
            created_at=now) for i in range(n)])
        db.session.execute(insert(Cohort.__table__), [dict(
            program_id=program_id, name=f"{prefix} cohort {i}", starts_on=today, ends_on=today + timedelta(days=90),
            capacity=1000, enrollment_open=True, is_archived=False, created_at=now) for i in range(n)])
        course_ids = db.session.scalars(select(Course.id).where(Course.program_id == program_id)
                                        .order_by(Course.code)).all()
        cohort_ids = db.session.scalars(select(Cohort.id).where(Cohort.program_id == program_id)
                                        .order_by(Cohort.id)).all()
        db.session.execute(insert(CohortLanguage.__table__), [dict(cohort_id=c, language="en") for c in cohort_ids])
        db.session.execute(insert(cohort_course), [dict(cohort_id=c, course_id=k)
                                                   for c, k in zip(cohort_ids, course_ids)])
        db.session.execute(insert(Module.__table__), [dict(
            course_id=k, position=p, title=f"Module {p}", content="Read **this**", estimated_minutes=20,
            is_required=True, reflection_prompt=None, is_archived=False)
            for k in course_ids for p in range(1, modules + 1)])
        module_ids = {}
        for course_id, module_id in db.session.execute(
                select(Module.course_id, Module.id).where(Module.course_id.in_(course_ids))
                .order_by(Module.course_id, Module.position)):
            module_ids.setdefault(course_id, []).append(module_id)
        db.session.commit()
    return [(k, c, module_ids[k]) for k, c in zip(course_ids, cohort_ids)]


def bulk_users(app, n, *, prefix):
    now = utcnow()
    with app.app_context():
        db.session.execute(insert(User.__table__), [dict(
            email=f"{prefix}{i}@example.org", full_name=f"{prefix} {i}", locale="en", password_hash="!",
            is_active=True, created_at=now) for i in range(n)])
        ids = db.session.scalars(select(User.id).where(User.email.like(f"{prefix}%@example.org"))).all()
        db.session.commit()
    return ids


def bulk_enroll(app, pairs, *, state="in progress"):
    """Enroll (user_id, (course_id, cohort_id, module_ids)) pairs; in progress means the first module is done."""
    now = utcnow()
    status = EnrollmentStatus.WAITLISTED if state == "waitlisted" else EnrollmentStatus.ENROLLED
    with app.app_context():
        db.session.execute(insert(Enrollment.__table__), [dict(
            user_id=user_id, course_id=course_id, cohort_id=cohort_id, language="en", status=status,
            created_at=now + timedelta(microseconds=i),
            enrolled_at=now if status is EnrollmentStatus.ENROLLED else None,
            waitlisted_at=now if status is EnrollmentStatus.WAITLISTED else None,
            completed_at=now if state == "completed" else None)
            for i, (user_id, (course_id, cohort_id, _)) in enumerate(pairs)])
        enrollment_ids = {(u, k): e for e, u, k in db.session.execute(
            select(Enrollment.id, Enrollment.user_id, Enrollment.course_id))}
        finished = {"in progress": 1, "completed": None, "waitlisted": 0}[state]
        rows = [dict(enrollment_id=enrollment_ids[(user_id, course_id)], module_id=module_id, completed_at=now,
                     reflection_shared=False, updated_at=now)
                for user_id, (course_id, _, module_ids) in pairs for module_id in module_ids[:finished]]
        if rows:
            db.session.execute(insert(ModuleProgress.__table__), rows)
        db.session.commit()


def assert_same_statements(small, large):
    """The same number of statements, else name the ones that grew with the data."""
    def kinds(statements):
        return Counter(re.sub(r"IN \([^)]*\)", "IN (...)", " ".join(s.split()))[:150] for s in statements)

    grew = {k: (kinds(small)[k], n) for k, n in kinds(large).items() if n > kinds(small)[k]}
    assert len(large) == len(small), f"{len(small)} statements became {len(large)}; these grew: {grew}"


def statements_for(app, count_queries, url, client=None):
    client = client or app.test_client()
    assert client.get(url).status_code == 200  # warm up: the first request of an app loads a few things
    with count_queries() as statements:
        response = client.get(url)
    assert response.status_code == 200
    return statements


@pytest.mark.parametrize("state", ["in progress", "completed", "waitlisted"])
def test_the_dashboard_runs_as_many_statements_for_500_enrollments_as_for_5(
        app, make_user, login, count_queries, state):
    few, many = make_user(), make_user()
    bulk_enroll(app, [(few.id, c) for c in bulk_courses(app, 5, prefix="F")], state=state)
    bulk_enroll(app, [(many.id, c) for c in bulk_courses(app, 500, prefix="M")], state=state)
    counts = {}
    for person in (few, many):
        client = app.test_client()
        login(client, person)
        counts[person.id] = statements_for(app, count_queries, "/", client)
    page = text_of(client.get("/"))
    assert page.count('<li class="card">') == 500

    assert_same_statements(counts[few.id], counts[many.id])


def test_the_catalog_runs_as_many_statements_for_500_courses_as_for_5(app, count_queries):
    bulk_courses(app, 5, prefix="A")
    with_5 = statements_for(app, count_queries, "/courses")
    bulk_courses(app, 495, prefix="B")
    with_500 = statements_for(app, count_queries, "/courses")
    assert "500 courses found" in text_of(app.test_client().get("/courses"))

    assert_same_statements(with_5, with_500)


@pytest.mark.parametrize("viewer", ["visitor", "enrolled trainee"])
def test_a_course_page_runs_as_many_statements_for_500_trainees_as_for_5(
        app, make_user, login, count_queries, viewer):
    [course] = bulk_courses(app, 1, prefix="P")
    client = app.test_client()
    if viewer == "enrolled trainee":
        me = make_user()
        bulk_enroll(app, [(me.id, course)])
        login(client, me)
    bulk_enroll(app, [(u, course) for u in bulk_users(app, 5, prefix="few")])
    with_5 = statements_for(app, count_queries, f"/courses/{course[0]}", client)
    bulk_enroll(app, [(u, course) for u in bulk_users(app, 495, prefix="many")])
    with_500 = statements_for(app, count_queries, f"/courses/{course[0]}", client)
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Enrollment)) == 500 + (viewer != "visitor")

    assert_same_statements(with_5, with_500)
