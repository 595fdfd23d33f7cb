"""A form that creates something, sent twice (a double click, two tabs, a resend), creates one row."""

import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from lms.accounts.models import User
from lms.courses.models import Cohort, Course, Module, Program
from lms.demographics.models import RaceCategory
from lms.extensions import db
from lms.mentoring.models import Topic
from tests.pages import field_error, text_of
from tests.test_accounts_registration import registration
from tests.test_course_admin import cohort_form, course_form, module_form

ONCE = re.compile(r'name="once" type="hidden" value="([^"]+)"|type="hidden" name="once" value="([^"]+)"'
                  r'|name="once"[^>]*value="([^"]+)"')

#: page -> (who sends it, the data, what it creates)
CREATE_FORMS = {
    "program": ("/admin/programs/new", "admin", {"name": "Early Learning Equity", "description": ""}, Program),
    "cohort": ("/admin/programs/{program_id}/cohorts/new", "admin", cohort_form(), Cohort),
    "course": ("/admin/programs/{program_id}/courses/new", "admin", course_form(), Course),
    "module": ("/admin/courses/{course_id}/modules/new", "admin", module_form("Home visits"), Module),
    "topic": ("/admin/mentoring/topics", "admin", {"name": "Language justice"}, Topic),
    "category": ("/admin/reports/categories", "admin", {"name": "Middle Eastern or North African"}, RaceCategory),
    "registration": ("/register", "visitor", registration(), User),
}


def token_on(client, url) -> str:
    found = ONCE.search(client.get(url).get_data(as_text=True))
    assert found, f"{url} has no one-time token"
    return next(group for group in found.groups() if group)


def count(app, model) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


#: Create pages whose forms need more people to fill in; they carry the token all the same.
MORE_CREATE_PAGES = {
    "group": "/admin/mentoring/cohorts/{cohort_id}/groups/new",
    "learning session": "/admin/attendance/cohorts/{cohort_id}/sessions/new",
}


@pytest.fixture
def sender(app, admin, login, make_course):
    """A new browser for the form's sender, and the form's address."""
    made = make_course()

    def open_browser(form):
        url, who, _data, _model = CREATE_FORMS.get(form) or (MORE_CREATE_PAGES[form], "admin", None, None)
        client = app.test_client()
        if who == "admin":
            login(client, admin)
        return client, url.format(program_id=made.program_id, course_id=made.course_id, cohort_id=made.cohort_id)

    return open_browser


@pytest.mark.parametrize("form", [*CREATE_FORMS, *MORE_CREATE_PAGES])
def test_every_create_page_carries_a_new_one_time_token(sender, form):
    client, url = sender(form)
    assert token_on(client, url) != token_on(client, url)


@pytest.mark.parametrize("form", CREATE_FORMS)
def test_the_same_page_sent_twice_at_the_same_instant_creates_one_row(app, sender, form):
    _url, _who, data, model = CREATE_FORMS[form]
    (first, url), (second, _) = sender(form), sender(form)  # two tabs: two sessions, one page
    once = token_on(first, url)
    posts = [(client, {**data, "once": once, "csrf_token": client.csrf_token()}) for client in (first, second)]
    before = count(app, model)
    barrier = threading.Barrier(2)

    def send(post):
        barrier.wait()
        return post[0].post(url, data=post[1]).status_code

    with ThreadPoolExecutor(max_workers=2) as pool:
        statuses = sorted(pool.map(send, posts))
    assert statuses.count(302) == 1, statuses  # the other shows the form again, saying why
    assert count(app, model) == before + 1


@pytest.mark.parametrize("form", ["program", "module", "topic"])
def test_a_page_sent_again_later_is_refused_with_the_reason_and_saves_nothing(app, sender, form):
    _url, _who, data, model = CREATE_FORMS[form]
    client, url = sender(form)
    once = token_on(client, url)
    assert client.post_form(url, {**data, "once": once}).status_code == 302
    before = count(app, model)
    again = client.post_form(url, {**data, "once": once})
    assert again.status_code in (200, 422)
    assert "This form was already sent, and what it asked for was saved then." in text_of(again)
    assert count(app, model) == before


def test_a_refused_page_keeps_its_token_and_goes_through_once_corrected(app, sender):
    client, url = sender("program")
    once = token_on(client, url)
    refused = client.post_form(url, {"name": "", "description": "", "once": once})
    assert field_error(refused.get_data(as_text=True), "name") == "Enter a name."
    assert f'value="{once}"' in refused.get_data(as_text=True)
    assert client.post_form(url, {"name": "Early Learning Equity", "description": "", "once": once}).status_code == 302
    assert count(app, Program) == 2  # make_course's program and this one
