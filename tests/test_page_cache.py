"""Kept pages (lms/core/pagecache.py): fast to show again, never stale, never someone else's."""

import re
import time

import pytest
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from lms.accounts.sessions import SEEN_AT
from lms.core import pagecache
from lms.core.once import page_token
from lms.courses.models import Course
from lms.extensions import db
from tests.conftest import CSRF_INPUT, make_host_app, release, statements_run

#: On every page of someone logged in, and on no visitor's page.
LOG_OUT = 'action="/logout"'


def rename(app, course_id, title):
    with app.app_context():
        db.session.get(Course, course_id).title = title
        db.session.commit()


@pytest.fixture
def signed_in(client_as):
    """A client logged in as `user` that has seen the welcome message (a page with a message is never kept)."""
    def sign_in(user):
        client = client_as(user)
        client.get("/")
        return client

    return sign_in


def version(app) -> str:
    with app.app_context():
        return app.extensions["lms"].page_cache.version.read()


@pytest.mark.parametrize("who", ["visitor", "trainee", "admin"])
def test_a_page_shown_again_runs_no_sql_at_all(app, make_course, make_user, signed_in, admin, who):
    made = make_course()
    client, path = {"visitor": (app.test_client(), "/courses"),
                    "trainee": (signed_in(make_user()), "/"),
                    "admin": (signed_in(admin), f"/admin/courses/{made.course_id}/roster")}[who]
    first = client.get(path)
    with statements_run(app) as run:
        again = client.get(path)
    assert again.status_code == first.status_code == 200
    assert run == []
    assert CSRF_INPUT.sub("", again.text) == CSRF_INPUT.sub("", first.text)


def test_a_change_to_the_data_shows_on_the_next_showing(app, client, make_course):
    made = make_course(title="Reflective practice")
    assert "Reflective practice" in client.get("/courses").text
    rename(app, made.course_id, "Reflective supervision")
    assert "Reflective supervision" in client.get("/courses").text


def test_a_change_made_by_another_worker_shows_too(app, tmp_path, client, make_course):
    made = make_course(title="Reflective practice")
    other = make_host_app(tmp_path, create_tables=False)  # another process: its own kept pages, same version
    assert "Reflective practice" in client.get(f"/courses/{made.course_id}").text
    try:
        rename(other, made.course_id, "Reflective supervision")
    finally:
        release(other)
    assert "Reflective supervision" in client.get(f"/courses/{made.course_id}").text


def test_a_statement_that_writes_changes_the_version_and_reading_does_not(app, client, make_course):
    made = make_course()
    before = version(app)
    client.get("/courses")
    client.get(f"/courses/{made.course_id}")
    assert version(app) == before
    with app.app_context():
        db.session.execute(update(Course).where(Course.id == made.course_id).values(title="Renamed"))
        db.session.commit()
    assert version(app) != before


def test_a_write_rolled_back_keeps_the_version(app, make_course):
    made = make_course()
    before = version(app)
    with app.app_context():
        db.session.get(Course, made.course_id).title = "Never saved"
        db.session.flush()
        db.session.rollback()
        db.session.commit()
    assert version(app) == before


def test_a_page_kept_for_one_trainee_is_never_shown_to_another(make_user, signed_in):
    amina, bao = make_user(full_name="Amina Yusuf"), make_user(full_name="Bao Tran")
    assert "Amina Yusuf" in signed_in(amina).get("/").text
    page = signed_in(bao).get("/").text
    assert "Bao Tran" in page and "Amina Yusuf" not in page


def test_a_visitor_never_gets_the_page_kept_for_someone_logged_in(app, make_user, signed_in):
    assert LOG_OUT in signed_in(make_user()).get("/courses").text
    assert LOG_OUT not in app.test_client().get("/courses").text


def test_an_admin_page_kept_for_an_admin_is_still_refused_to_a_trainee(admin, make_user, signed_in, make_course):
    roster = f"/admin/courses/{make_course().course_id}/roster"
    assert signed_in(admin).get(roster).status_code == 200
    assert signed_in(make_user()).get(roster).status_code in (403, 404)


def test_each_language_has_its_own_page(app, client):
    english = client.get("/courses").text
    spanish = client.get("/courses", headers={"Accept-Language": "es"}).text
    assert spanish != english and 'lang="es"' in spanish
    client.post_form("/language", {"language": "vi"})
    assert 'lang="vi"' in client.get("/courses").text


def test_each_showing_carries_a_csrf_token_for_its_own_session(app):
    first, second = app.test_client(), app.test_client()
    tokens = [CSRF_INPUT.search(c.get("/courses").text).group(1) for c in (first, second)]
    assert tokens[0] != tokens[1]
    for client, token in zip((first, second), tokens):
        answer = client.post("/language", data={"language": "es", "csrf_token": token, "next": "/courses"})
        assert answer.status_code == 302


def test_a_kept_page_gets_new_one_time_tokens_each_time_it_is_shown(app):
    with app.test_request_context("/"):
        from flask_wtf.csrf import generate_csrf

        csrf, once_a, once_b = generate_csrf(), page_token(), page_token()
        pieces, gaps = pagecache._punch(f'<input value="{csrf}"><input value="{once_a}"><input value="{once_b}">')
        shown = [pagecache._fill(pieces, gaps).decode() for _ in range(2)]
    values = [re.findall(r'value="([^"]+)"', page) for page in shown]
    assert [v[0] for v in values] == [csrf, csrf]
    once = [token for v in values for token in v[1:]]
    assert len(set(once)) == 4 and not {once_a, once_b} & set(once)


def test_a_message_is_shown_once_and_never_kept(app, make_user, client_as, make_course, enroll_form):
    made = make_course()
    client = client_as(make_user())
    enroll_form(client, made)
    assert "Welcome to the course!" in client.get(f"/courses/{made.course_id}").text
    assert "Welcome to the course!" not in client.get(f"/courses/{made.course_id}").text


def test_a_session_past_its_idle_timeout_is_not_answered_from_the_cache(app, make_user, signed_in):
    client = signed_in(make_user(full_name="Amina Yusuf"))
    assert "Amina Yusuf" in client.get("/").text
    with client.session_transaction() as session:
        session[SEEN_AT] = int(time.time()) - app.config["LMS_SESSION_IDLE_MINUTES"] * 60 - 5
    assert "Amina Yusuf" not in client.get("/").text


def test_a_logged_out_session_gets_the_visitors_page(make_user, signed_in):
    client = signed_in(make_user())
    assert LOG_OUT in client.get("/courses").text
    client.post_form("/logout")
    assert LOG_OUT not in client.get("/courses").text


def test_the_cache_can_be_turned_off(tmp_path, make_course):
    app = make_host_app(tmp_path, LMS_PAGE_CACHE_SECONDS=0)
    try:
        assert app.extensions["lms"].page_cache is None
        client = app.test_client()
        client.get("/courses")
        with statements_run(app) as run:
            assert client.get("/courses").status_code == 200
        assert run
    finally:
        release(app)


def test_the_version_lives_in_redis_when_rate_limits_do(tmp_path, redis_url):
    app = make_host_app(tmp_path, LMS_RATELIMIT_STORAGE_URI=redis_url, RATELIMIT_STORAGE_URI=redis_url)
    try:
        cache = app.extensions["lms"].page_cache
        assert isinstance(cache.version, pagecache.RedisVersion)
        before = cache.version.read()
        with app.app_context():
            db.session.execute(update(Course).values(title="Renamed"))
            db.session.commit()
        assert cache.version.read() != before
    finally:
        release(app)


def test_an_unreachable_version_renders_every_page(app, client, monkeypatch, make_course):
    make_course(title="Reflective practice")

    def fail():
        raise OSError("gone")

    monkeypatch.setattr(app.extensions["lms"].page_cache.version, "read", fail)
    client.get("/courses")
    with statements_run(app) as run:
        assert "Reflective practice" in client.get("/courses").text
    assert run


def test_the_limiter_skips_kept_pages_only_while_no_limit_can_apply_to_them(app):
    # Checked as the rule, not by setting a default limit: the limiter is shared by every app of the process.
    with app.test_request_context("/courses"):
        assert pagecache.unlimited_kept_page()
    for setting in ("RATELIMIT_DEFAULT", "RATELIMIT_APPLICATION"):
        app.config[setting] = "3 per minute"
        with app.test_request_context("/courses"):
            assert not pagecache.unlimited_kept_page()
        del app.config[setting]
    for path, method in (("/courses", "POST"), ("/login", "GET")):
        with app.test_request_context(path, method=method):
            assert not pagecache.unlimited_kept_page()


def test_a_savepoint_rolled_back_keeps_the_write_before_it_counted(app, make_course):
    made = make_course()
    before = version(app)
    with app.app_context():
        db.session.get(Course, made.course_id).title = "Saved"
        db.session.flush()
        with pytest.raises(IntegrityError), db.session.begin_nested():
            db.session.add(Course(id=made.course_id, code="DUP", title="A clash", program_id=made.program_id))
        db.session.commit()
    assert version(app) != before


def test_a_version_that_cannot_be_changed_drops_the_kept_pages_and_is_changed_when_it_can(
        app, client, monkeypatch, make_course, caplog):
    made = make_course(title="Reflective practice")
    cache = app.extensions["lms"].page_cache
    client.get("/courses")
    assert len(cache.pages._cache) == 1
    before = version(app)
    real_change = cache.version.change
    monkeypatch.setattr(cache.version, "change", lambda: (_ for _ in ()).throw(OSError("Redis is hung")))
    rename(app, made.course_id, "Reflective supervision")
    assert cache.pages._cache == {} and cache.change_owed
    with statements_run(app) as run:
        assert "Reflective supervision" in client.get("/courses").text
    assert run, "rendered, not kept, while the version is out of reach"
    assert caplog.text.count("The page version is out of reach") == 1

    monkeypatch.setattr(cache.version, "change", real_change)
    monkeypatch.setattr(pagecache.time, "monotonic", lambda: cache.retry_at + 1)
    client.get("/courses")
    assert version(app) != before and not cache.change_owed
    assert "The page version is back" in caplog.text
