"""Every page of the demo program, in every language: no English the catalog translates, dates and numbers by Babel."""

from zoneinfo import ZoneInfo

import pytest
from babel.dates import format_date, format_datetime, format_time
from babel.numbers import format_decimal, format_percent
from sqlalchemy import select

from lms import i18n
from lms.accounts.models import User
from lms.attendance.models import LearningSession
from lms.extensions import db
from lms.languages import catalogs
from tests.conftest import drop_tables, make_host_app
from tests.pages import text_of
from tests.test_catalogs import LANGUAGES
from tests.translated_pages import ISO_DATE, PEOPLE, Leaks, crawl, demo_app, logged_in, texts

def words(text: str) -> str:
    """Text as text_of gives it: Babel's narrow and no-break spaces become plain ones."""
    return " ".join(text.split())


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    app = make_host_app(tmp_path_factory.mktemp("demo"))
    yield demo_app(app)
    drop_tables(app)


@pytest.fixture(scope="module")
def clients(demo):
    """A browser per role, logged in once."""
    return {role: logged_in(demo, role) for role in PEOPLE}


@pytest.fixture(scope="module")
def walked(demo, clients):
    """The pages each role reaches by following links, found in English."""
    walked = {}
    for role, client in clients.items():
        client.post_form("/language", {"language": "en"})
        walked[role] = crawl(demo, client)
    return walked


@pytest.fixture
def reader(clients):
    def read_in(role, language):
        clients[role].post_form("/language", {"language": language})
        return clients[role]

    return read_in


def test_the_walk_reaches_the_main_pages_of_every_role(walked):
    assert {"/", "/courses", "/login", "/register", "/verify"} <= set(walked["visitor"])
    assert {"/my/sessions", "/my/mentoring", "/my/certificates", "/my/journal", "/my/about-me", "/account"} <= set(
        walked["trainee"])
    assert {"/mentor", "/mentor/sessions", "/mentor/profile", "/sessions/mine"} <= set(walked["mentor"])
    assert {"/admin/programs", "/admin/mentoring", "/admin/attendance", "/admin/certificates", "/admin/reports",
            "/admin/users", "/admin/languages", "/admin/audit"} <= set(walked["admin"])
    assert sum(len(pages) for pages in walked.values()) >= 80


def test_the_check_finds_english_that_a_catalog_translates_and_skips_text_marked_as_english(reader):
    html = reader("visitor", "en").get("/login").get_data(as_text=True)
    found = Leaks("es").found_in(html, "es")
    assert "Skip to main content" in found and "Log in" in found
    assert Leaks("es").found_in('<p lang="en">Log in</p><p>Iniciar sesión</p>', "es") == []
    assert Leaks("es").found_in('<p>Welcome back, Ana.</p>', "es") == ["Welcome back, Ana."]


@pytest.mark.parametrize("language", LANGUAGES)
def test_no_page_shows_english_that_the_language_translates(reader, walked, language):
    leaks, tag, problems = Leaks(language), i18n.lang_tag(language), {}
    for role, pages in walked.items():
        client = reader(role, language)
        for url in [*pages, "/no-such-page"]:
            html = client.get(url).get_data(as_text=True)
            assert f'<html lang="{tag}"' in html, url
            if found := leaks.found_in(html, tag):
                problems[f"{role} {url}"] = found
    assert not problems


@pytest.mark.parametrize("language", ["en", "ar", "ko", "ru"])
def test_no_page_shows_a_date_in_machine_format(reader, walked, language):
    problems = {}
    for role, pages in walked.items():
        client = reader(role, language)
        for url in pages:
            if found := [t for t in texts(client.get(url).get_data(as_text=True), i18n.lang_tag(language))
                         if ISO_DATE.search(t)]:
                problems[f"{role} {url}"] = found
    assert not problems


@pytest.mark.parametrize("language", ["en", "es", "vi", "zh_Hant", "ru", "ko", "am", "ar"])
def test_dates_times_and_numbers_are_written_the_readers_way(demo, reader, language):
    with demo.app_context():
        person = db.session.scalar(select(User).where(User.email == PEOPLE["trainee"]))
        session = db.session.scalar(select(LearningSession).order_by(LearningSession.starts_at).limit(1))
    zone = ZoneInfo(demo.config["LMS_TIMEZONE"])
    admin = reader("admin", language)
    joined = text_of(admin.get(f"/admin/users/{person.id}"))
    assert words(format_date(person.created_at.astimezone(zone), "long", locale=language)) in joined
    overview = text_of(admin.get("/admin/languages"))
    total = len(catalogs.template_ids())
    assert words(format_decimal(total, locale=language)) in overview
    assert words(format_percent(1, locale=language)) in overview
    sessions = text_of(admin.get(f"/admin/attendance/cohorts/{session.cohort_id}"))
    starts = session.starts_at.astimezone(zone)
    assert words(format_date(starts, "medium", locale=language)) in sessions
    assert words(format_time(starts, "short", locale=language)) in sessions
    assert words(format_datetime(starts, "medium", locale=language)) not in sessions, "a session time shows seconds"
