"""Walk the demo program's pages as each role, and find English that a catalog translates left on a page."""

import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from sqlalchemy import select

from lms.accounts.models import User
from lms.extensions import db
from lms.languages import catalogs
from tests.conftest import totp_code
from tests.test_cli import run

DEMO_PASSWORD = "community-2026"
#: The demo's people, one per role.
PEOPLE = {
    "visitor": None,
    "trainee": "nguyen.thi.lan@example.org",
    "mentor": "rosa.maria.delgado@example.org",
    "admin": "jordan.ellis@example.org",
}
#: Links that act or download rather than show a page.
NOT_PAGES = re.compile(r"/logout|/lms-static/|\.(pdf|csv|ics|po|json|png|svg)(\?|$)|/download|/export|/feed/")
ATTRIBUTES = {"title", "aria-label", "placeholder", "alt"}
ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def demo_app(app):
    assert run(app, "demo-data").exit_code == 0
    return app


def logged_in(app, role):
    client = app.test_client()
    if PEOPLE[role]:
        with app.app_context():
            user = db.session.scalar(select(User).where(User.email == PEOPLE[role]))
        response = client.post_form("/login", {"email": user.email, "password": DEMO_PASSWORD})
        if response.headers["Location"].startswith("/login/two-factor"):
            client.post_form(response.headers["Location"], {"code": totp_code(app, user.id)})
    return client


def crawl(app, client, limit=60) -> list[str]:
    """One address per endpoint reachable by links from the home page, breadth first."""
    adapter = app.url_map.bind("localhost")
    seen_endpoints, pages, queue = set(), [], ["/"]
    while queue and len(pages) < limit:
        url = queue.pop(0)
        try:
            endpoint, _ = adapter.match(urlsplit(url).path)
        except Exception:  # noqa: BLE001 - a link the app does not route is not ours to walk
            continue
        if endpoint in seen_endpoints:
            continue
        seen_endpoints.add(endpoint)
        response = client.get(url)
        assert response.status_code == 200 or response.status_code in (302, 303), f"{url}: {response.status_code}"
        if response.mimetype != "text/html" or response.status_code != 200:
            continue
        pages.append(url)
        for href in re.findall(r'href="([^"#]+)"', response.get_data(as_text=True)):
            target = urljoin(url, href.replace("&amp;", "&"))
            if target.startswith("/") and not NOT_PAGES.search(target):
                queue.append(target)
    return pages


class _Texts(HTMLParser):
    """The texts a reader of the page's language sees or hears, skipping parts marked as another language."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self, language):
        super().__init__()
        self.stack, self.texts, self.language = [], [], language

    def _ours(self):
        return all(lang in (None, self.language) for _tag, lang in self.stack) and not any(
            tag in ("script", "style") for tag, _ in self.stack)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        own = attrs.get("lang")
        if tag != "html" and (own is None or own == self.language) and self._ours():
            self.texts.extend(value for name, value in attrs.items() if name in ATTRIBUTES and value)
        if tag not in self.VOID:
            self.stack.append((tag, None if tag == "html" else own))

    def handle_endtag(self, tag):
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data):
        if self._ours() and data.strip():
            self.texts.append(" ".join(data.split()))


def texts(html: str, language_tag: str) -> list[str]:
    parser = _Texts(language_tag)
    parser.feed(html)
    return parser.texts


class Leaks:
    """The English messages a language's catalog translates, as patterns to look for on its pages."""

    def __init__(self, language: str):
        exact, patterns = set(), []
        for message in catalogs.messages(language):
            for english, translation in _pairs(message):
                if not translation or translation == english or not re.search(r"[A-Za-z]{3}", english):
                    continue
                literal = catalogs.PLACEHOLDER.split(english)
                if len(literal) == 1:
                    exact.add(" ".join(english.split()))
                elif sum(len(part.strip()) for part in literal) >= 12:
                    patterns.append(re.compile(".+?".join(re.escape(" ".join(part.split())) for part in literal)))
        self.exact, self.patterns = exact, patterns

    def found_in(self, html: str, language_tag: str) -> list[str]:
        found = []
        for text in texts(html, language_tag):
            if text in self.exact or any(p.fullmatch(text) for p in self.patterns):
                found.append(text)
        return found


def _pairs(message):
    if isinstance(message.id, tuple):
        strings = catalogs.forms(message)
        return [(message.id[0], strings[0]), (message.id[1], strings[-1])]
    return [(message.id, message.string)]
