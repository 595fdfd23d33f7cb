"""Every page the demo's people reach reads whole: on a phone and a desktop, left to right and right to left."""

import threading

import pytest
from werkzeug.serving import make_server

from tests.browser.checks import broken_table_words, overflow
from tests.browser.conftest import DESKTOP, PHONE
from tests.conftest import drop_tables, make_host_app
from tests.translated_pages import PEOPLE, crawl, demo_app, logged_in

SCREENS = pytest.mark.parametrize("screen", [PHONE, DESKTOP], ids=["phone", "desktop"])
#: English, a longer-worded Latin script, Ethiopic and right-to-left Arabic.
LANGUAGES = pytest.mark.parametrize("language", ["en", "es", "am", "ar"])


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    app = make_host_app(tmp_path_factory.mktemp("demo"))
    yield demo_app(app)
    drop_tables(app)


@pytest.fixture(scope="module")
def served(demo):
    server = make_server("127.0.0.1", 0, demo, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture(scope="module")
def walked(demo):
    """The pages each role reaches by following links from the home page."""
    return {role: crawl(demo, logged_in(demo, role)) for role in PEOPLE}


def browser_as(browser, demo, served, role, language, screen):
    """A browser of its own, logged in as the role (the test client's session cookie), in the language."""
    client = logged_in(demo, role)
    client.post_form("/language", {"language": language})
    context = browser.new_context(viewport=screen, locale=language)
    name = demo.config["SESSION_COOKIE_NAME"]
    context.add_cookies([{"name": name, "value": client.get_cookie(name).value, "url": served}])
    return context


@SCREENS
@LANGUAGES
def test_no_table_word_breaks_and_no_page_is_wider_than_the_screen(browser, demo, served, walked, language, screen):
    problems = []
    for role, pages in walked.items():
        context = browser_as(browser, demo, served, role, language, screen)
        page = context.new_page()
        for url in pages:
            page.goto(served + url)
            found = broken_table_words(page)
            wider = overflow(page)
            if wider > 0:
                found.append(f"{wider}px wider than the screen")
            problems += [f"{role} {url}: {problem}" for problem in found]
        context.close()
    assert not problems, "\n".join(problems)
