"""The locale comes from the person's choice, then the browser, then English; lang and dir follow."""

import re

import pytest

from lms.accounts.models import User
from lms.extensions import db


def html_tag(response):
    return re.search(r"<html[^>]*>", response.get_data(as_text=True)).group(0)


@pytest.mark.parametrize(("accept", "tag"), [
    (None, '<html lang="en" dir="ltr">'),
    ("ar", '<html lang="ar" dir="rtl">'),
    ("ar-SA,ar;q=0.9", '<html lang="ar" dir="rtl">'),
    ("es-MX,es;q=0.9,en;q=0.8", '<html lang="es" dir="ltr">'),
    ("zh-TW,zh;q=0.9", '<html lang="zh-Hant" dir="ltr">'),
    ("zh-CN", '<html lang="zh-Hans" dir="ltr">'),
    ("tl", '<html lang="fil" dir="ltr">'),
    ("de-DE,so;q=0.5", '<html lang="so" dir="ltr">'),
    ("de-DE", '<html lang="en" dir="ltr">'),
])
def test_the_browser_language_is_used_when_nobody_chose(client, accept, tag):
    headers = {"Accept-Language": accept} if accept else {}
    assert html_tag(client.get("/", headers=headers)) == tag


def test_a_choice_in_the_switcher_beats_the_browser(client):
    client.post_form("/language", {"language": "vi", "next": "/login"})
    assert html_tag(client.get("/", headers={"Accept-Language": "es"})) == '<html lang="vi" dir="ltr">'


def test_the_switcher_returns_to_the_page_and_only_to_a_local_one(client):
    assert client.post_form("/language", {"language": "ko", "next": "/login?x=1"}).headers["Location"] == "/login?x=1"
    assert client.post_form("/language", {"language": "ko", "next": "https://evil.example/"}).headers["Location"] == "/"


def test_the_switcher_ignores_a_language_the_program_does_not_offer(client):
    client.post_form("/language", {"language": "xx"})
    assert html_tag(client.get("/")) == '<html lang="en" dir="ltr">'


def test_a_logged_in_persons_language_is_saved_and_follows_them(app, client, make_user, login):
    user = make_user(locale="ko")
    login(client, user)
    assert html_tag(client.get("/", headers={"Accept-Language": "es"})) == '<html lang="ko" dir="ltr">'
    client.post_form("/language", {"language": "ar"})
    with app.app_context():
        assert db.session.get(User, user.id).locale == "ar"
    other_browser = app.test_client()
    login(other_browser, user)
    assert html_tag(other_browser.get("/")) == '<html lang="ar" dir="rtl">'


def test_the_switcher_lists_every_language_in_its_own_name(client):
    html = client.get("/").get_data(as_text=True)
    for name in ("English", "Español", "Tiếng Việt", "中文 (简体)", "中文 (繁體)", "Soomaali",
                 "Русский", "Українська", "한국어", "አማርኛ", "Tagalog", "العربية"):
        assert name in html
    assert '<label for="lms-language">' in html


def test_a_host_can_offer_fewer_languages(tmp_path):
    from tests.conftest import drop_tables, make_host_app

    app = make_host_app(tmp_path, LMS_LANGUAGES=["en", "es"])
    try:
        html = app.test_client().get("/", headers={"Accept-Language": "ar"}).get_data(as_text=True)
        assert '<html lang="en"' in html and "العربية" not in html
    finally:
        drop_tables(app)
