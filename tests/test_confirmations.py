"""Risky actions ask first, on a page of their own: withdraw, revoke, archive, erase, deactivate, remove a role.

The page where the action is offered links to a confirmation page (no JavaScript); opening it changes
nothing and says what will happen; only its form's POST acts. Who may open which page is the access
matrix's business (tests/test_access_policy.py).
"""

import re
from dataclasses import dataclass
from typing import Callable

import pytest

from lms.accounts import services as accounts
from lms.accounts.models import Role, User
from lms.courses.models import Cohort, Course, Module, Program
from lms.credentials import services as credentials
from lms.credentials.models import Certificate, CertificateStatus
from lms.enrollment.models import Enrollment, EnrollmentStatus
from lms.enrollment.services import enroll
from lms.extensions import db
from tests.pages import after, text_of


@dataclass
class Risky:
    offered_on: str  # the page that offers the action
    url: str  # the confirmation page, and the address its form posts to
    says: str  # a sentence of what will happen
    form: dict  # what the confirmation form posts
    state: Callable[[], object]  # what the action changes, read from the database


@pytest.fixture
def world(app, make_user, make_course, admin):
    made = make_course()
    trainee = make_user(full_name="Hodan Cali", email="hodan@example.org")
    mentor = make_user("mentor", full_name="Vũ Thị Mai", email="mai@example.org")
    with app.app_context():
        course, cohort = db.session.get(Course, made.course_id), db.session.get(Cohort, made.cohort_id)
        enrollment = enroll(db.session.get(User, trainee.id), course, cohort, "en")
        certificate = credentials.issue(db.session.get(User, trainee.id), cohort, by=db.session.get(User, admin.id),
                                        override_reason="Transcript from another agency checked.")
        db.session.commit()
        return type("World", (), {"made": made, "trainee": trainee, "mentor": mentor,
                                  "enrollment_id": enrollment.id, "certificate_id": certificate.id})


def read(app, model, key, attribute):
    with app.app_context():
        return getattr(db.session.get(model, key), attribute)


def risky_action(app, world, name) -> Risky:
    w, m = world, world.made
    user = w.trainee.id
    return {
        "withdraw": Risky(
            f"/courses/{m.course_id}", f"/my/courses/{w.enrollment_id}/withdraw",
            "The seat goes to the first person on the waitlist", {},
            lambda: read(app, Enrollment, w.enrollment_id, "status") is EnrollmentStatus.WITHDRAWN),
        "revoke a certificate": Risky(
            f"/admin/certificates/{w.certificate_id}", f"/admin/certificates/{w.certificate_id}/revoke",
            "will no longer be valid", {"revoke-reason": "Issued to the wrong person."},
            lambda: read(app, Certificate, w.certificate_id, "status") is CertificateStatus.REVOKED),
        "archive a program": Risky(
            f"/admin/programs/{m.program_id}", f"/admin/programs/{m.program_id}/archive",
            "Its courses leave the catalog", {},
            lambda: read(app, Program, m.program_id, "is_archived")),
        "archive a cohort": Risky(
            f"/admin/programs/{m.program_id}", f"/admin/cohorts/{m.cohort_id}/archive",
            "Nobody can enroll in it any more", {},
            lambda: read(app, Cohort, m.cohort_id, "is_archived")),
        "archive a course": Risky(
            f"/admin/courses/{m.course_id}", f"/admin/courses/{m.course_id}/archive",
            "It leaves the catalog and its page closes", {},
            lambda: read(app, Course, m.course_id, "is_archived")),
        "remove a module": Risky(
            f"/admin/courses/{m.course_id}", f"/admin/modules/{m.module_ids[0]}/archive",
            "It disappears from the course for everyone", {},
            lambda: read(app, Module, m.module_ids[0], "is_archived")),
        "deactivate an account": Risky(
            f"/admin/users/{user}", f"/admin/users/{user}/deactivate", "They can no longer log in", {},
            lambda: not read(app, User, user, "is_active")),
        "erase a person's data": Risky(
            f"/admin/users/{user}", f"/admin/users/{user}/erase", "This cannot be undone", {"confirm": "erase"},
            lambda: read(app, User, user, "erased_at") is not None),
        "remove a role": Risky(
            f"/admin/users/{w.mentor.id}", f"/admin/users/{w.mentor.id}/roles/mentor/revoke",
            "They can no longer open the mentor pages", {},
            lambda: not read(app, User, w.mentor.id, "has_role")(Role.MENTOR)),
    }[name]


ACTIONS = ["withdraw", "revoke a certificate", "archive a program", "archive a cohort", "archive a course",
           "remove a module", "deactivate an account", "erase a person's data", "remove a role"]


def client_for(name, world, client_as, admin):
    return client_as(world.trainee if name == "withdraw" else admin)


@pytest.mark.parametrize("name", ACTIONS)
def test_a_risky_action_is_offered_as_a_link_to_its_confirmation_page_not_as_a_button(
        app, world, client_as, admin, name):
    action, client = risky_action(app, world, name), client_for(name, world, client_as, admin)
    body = client.get(action.offered_on).get_data(as_text=True)
    assert f'href="{action.url}"' in body
    assert f'action="{action.url}"' not in body


@pytest.mark.parametrize("name", ACTIONS)
def test_opening_the_confirmation_page_changes_nothing_and_says_what_will_happen(
        app, world, client_as, admin, name):
    action, client = risky_action(app, world, name), client_for(name, world, client_as, admin)
    response = client.get(action.url)
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    form = re.search(r'<form method="post" action="([^"]+)" class="confirm', body)
    assert form and form.group(1) == action.url
    assert 'name="csrf_token"' in body and ">Cancel</a>" in body
    assert action.says in text_of(response)
    assert not action.state()


@pytest.mark.parametrize("name", ACTIONS)
def test_confirming_does_what_the_page_said(app, world, client_as, admin, name):
    action, client = risky_action(app, world, name), client_for(name, world, client_as, admin)
    client.get(action.url)
    response = client.post_form(action.url, action.form)
    assert response.status_code == 302, after(client, response)
    assert action.state()


def test_erasing_without_ticking_the_box_erases_nothing(app, world, admin_client):
    response = admin_client.post_form(f"/admin/users/{world.trainee.id}/erase")
    assert "Tick the box to confirm that the erasure cannot be undone." in after(admin_client, response)
    assert read(app, User, world.trainee.id, "erased_at") is None


def test_revoking_without_a_reason_is_refused_next_to_the_field_on_the_confirmation_page(app, world, admin_client):
    response = admin_client.post_form(f"/admin/certificates/{world.certificate_id}/revoke", {"revoke-reason": ""})
    assert response.status_code == 422
    assert 'id="revoke-reason-error"' in response.get_data(as_text=True)
    assert read(app, Certificate, world.certificate_id, "status") is CertificateStatus.VALID


def test_an_erased_account_cannot_be_reactivated_and_is_not_offered_to_be(app, world, admin, admin_client):
    user = world.trainee.id
    admin_client.post_form(f"/admin/users/{user}/erase", {"confirm": "erase"})
    page = admin_client.get(f"/admin/users/{user}")
    assert "Reactivate account" not in text_of(page)
    assert f'action="/admin/users/{user}/reactivate"' not in page.get_data(as_text=True)
    response = admin_client.post_form(f"/admin/users/{user}/reactivate")
    assert "This person's personal data was erased, so the account cannot be reactivated." in after(
        admin_client, response)
    assert read(app, User, user, "is_active") is False
    with app.app_context(), pytest.raises(accounts.AccountError):
        accounts.reactivate(db.session.get(User, user), by=db.session.get(User, admin.id))
