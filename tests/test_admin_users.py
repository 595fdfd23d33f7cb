"""Admins find people, grant and revoke roles, and deactivate accounts; each change is audited."""

import re

import pytest
from sqlalchemy import select

from lms.accounts.models import Role, User
from lms.audit.models import AuditEvent
from lms.extensions import db


def audit_events(app):
    with app.app_context():
        return [(e.action, e.actor_id, e.target_user_id, e.details)
                for e in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))]


def roles_of(app, user):
    with app.app_context():
        return db.session.get(User, user.id).role_names


def test_an_admin_grants_the_mentor_role_and_the_audit_log_shows_it(app, admin, admin_client, make_user):
    graduate = make_user(full_name="Amina Warsame", verified=True)
    response = admin_client.post_form(f"/admin/users/{graduate.id}/roles", {"role": "mentor"})
    assert response.status_code == 302
    assert roles_of(app, graduate) == {Role.TRAINEE, Role.MENTOR}, "a graduate stays a trainee"
    assert audit_events(app) == [("role_granted", admin.id, graduate.id, {"role": "mentor"})]

    log = admin_client.get("/admin/audit").get_data(as_text=True)
    assert "Role granted" in log and "Amina Warsame" in log and "Ada Admin" in log and "Mentor" in log


NOT_VERIFIED = ("This person has not verified their email address yet. Ask them to verify it from their account page; "
                "then grant the role.")


def role_field(html):
    """The role control on a person's page: its label, hint, error and select."""
    return re.search(r'<div class="field[^"]*">\s*<label[^>]*for="role".*?</select>', html, re.S).group(0)


@pytest.mark.parametrize("role", ["mentor", "admin"])
def test_an_unverified_self_registration_cannot_collect_a_mentor_or_admin_role(app, admin_client, make_user, role):
    squatter = make_user(email="office@example.org", full_name="Program Office")  # registered, never verified
    response = admin_client.post_form(f"/admin/users/{squatter.id}/roles", {"role": role})
    assert response.status_code == 422
    control = role_field(response.get_data(as_text=True))
    assert NOT_VERIFIED in control and 'aria-invalid="true"' in control, "the refusal sits at the role control"
    assert re.search(rf'<option selected value="{role}">', control), "the chosen role stays chosen"
    assert roles_of(app, squatter) == {Role.TRAINEE}
    assert audit_events(app) == []


def test_an_unverified_self_registration_may_still_be_made_a_trainee(app, admin_client, make_user):
    newcomer = make_user(None)
    response = admin_client.post_form(f"/admin/users/{newcomer.id}/roles", {"role": "trainee"})
    assert response.status_code == 302
    assert roles_of(app, newcomer) == {Role.TRAINEE}, "what anyone gets by registering needs no proof"


def test_once_the_person_verifies_their_address_the_role_can_be_granted(app, admin, admin_client, make_user):
    from lms.accounts import tokens

    graduate = make_user(email="hodan@example.org")
    assert admin_client.post_form(f"/admin/users/{graduate.id}/roles", {"role": "mentor"}).status_code == 422
    with app.app_context():
        link = f"/account/verify/{tokens.make_verify_token(db.session.get(User, graduate.id))}"
    assert app.test_client().post_form(link).status_code == 302  # the owner follows the emailed link

    response = admin_client.post_form(f"/admin/users/{graduate.id}/roles", {"role": "mentor"})
    assert response.status_code == 302
    assert roles_of(app, graduate) == {Role.TRAINEE, Role.MENTOR}
    assert audit_events(app) == [("role_granted", admin.id, graduate.id, {"role": "mentor"})]


def test_an_account_an_import_made_may_be_granted_a_role_before_its_owner_sets_a_password(app, admin_client,
                                                                                         make_user):
    """No one can log in to it until the owner chooses a password through the emailed link, which proves the address."""
    imported = make_user(password=None)
    response = admin_client.post_form(f"/admin/users/{imported.id}/roles", {"role": "mentor"})
    assert response.status_code == 302
    assert roles_of(app, imported) == {Role.TRAINEE, Role.MENTOR}


def test_the_persons_page_says_whether_their_address_is_verified(admin_client, make_user):
    verified = admin_client.get(f"/admin/users/{make_user(verified=True).id}").get_data(as_text=True)
    assert "(verified)" in verified and "not verified" not in verified
    assert "Mentor and administrator roles can be granted once" not in verified

    unverified = admin_client.get(f"/admin/users/{make_user().id}").get_data(as_text=True)
    assert "(not verified yet)" in unverified
    assert "Mentor and administrator roles can be granted once this person has verified their email address." \
        in role_field(unverified), "the role control says what it cannot do yet"

    imported = admin_client.get(f"/admin/users/{make_user(password=None).id}").get_data(as_text=True)
    assert "no password chosen; choosing one through the emailed link verifies the address" in imported
    assert "Mentor and administrator roles can be granted once" not in imported


def test_granting_a_role_twice_is_refused_without_a_second_audit_entry(app, admin_client, make_user):
    mentor = make_user("mentor")
    response = admin_client.post_form(f"/admin/users/{mentor.id}/roles", {"role": "mentor"}, follow_redirects=True)
    assert "already has that role" in response.get_data(as_text=True)
    assert audit_events(app) == []


def test_an_admin_revokes_a_role(app, admin, admin_client, make_user):
    mentor = make_user(roles=["trainee", "mentor"])
    admin_client.post_form(f"/admin/users/{mentor.id}/roles/mentor/revoke")
    assert roles_of(app, mentor) == {Role.TRAINEE}
    assert audit_events(app) == [("role_revoked", admin.id, mentor.id, {"role": "mentor"})]


def test_an_admin_cannot_remove_their_own_admin_role(app, admin, admin_client, make_user):
    make_user("admin")
    response = admin_client.post_form(f"/admin/users/{admin.id}/roles/admin/revoke", follow_redirects=True)
    assert "You cannot remove your own administrator role." in response.get_data(as_text=True)
    assert Role.ADMIN in roles_of(app, admin)


def test_the_last_active_admin_cannot_be_deactivated_or_demoted(app, admin, make_user):
    from lms.accounts import services

    other = make_user("admin")
    with app.app_context():
        acting = db.session.get(User, other.id)
        target = db.session.get(User, admin.id)
        services.deactivate(acting, by=target)  # the only other admin leaves...
        with pytest.raises(services.AccountError, match="at least one active administrator"):
            services.deactivate(target, by=acting)
        with pytest.raises(services.AccountError, match="at least one active administrator"):
            services.revoke_role(target, Role.ADMIN, by=acting)


def test_an_admin_deactivates_and_reactivates_an_account(app, admin, admin_client, make_user, client, login):
    trainee = make_user()
    admin_client.post_form(f"/admin/users/{trainee.id}/deactivate")
    with app.app_context():
        assert db.session.get(User, trainee.id).is_active is False
    assert client.post_form("/login", {"email": trainee.email, "password": "correct horse battery"}).status_code == 200

    admin_client.post_form(f"/admin/users/{trainee.id}/reactivate")
    login(client, trainee)
    assert [a for a, *_ in audit_events(app)] == ["user_deactivated", "user_reactivated"]


def test_deactivation_keeps_the_persons_records(app, admin_client, make_user):
    trainee = make_user(full_name="Keisha Johnson")
    admin_client.post_form(f"/admin/users/{trainee.id}/deactivate")
    html = admin_client.get("/admin/users?status=inactive").get_data(as_text=True)
    assert "Keisha Johnson" in html and "Deactivated" in html


def test_an_admin_cannot_deactivate_themselves(app, admin, admin_client):
    response = admin_client.post_form(f"/admin/users/{admin.id}/deactivate", follow_redirects=True)
    assert "You cannot deactivate your own account." in response.get_data(as_text=True)


def test_the_role_form_ignores_unknown_roles(app, admin_client, make_user):
    trainee = make_user()
    admin_client.post_form(f"/admin/users/{trainee.id}/roles", {"role": "superuser"})
    assert roles_of(app, trainee) == {Role.TRAINEE}
    assert admin_client.post_form(f"/admin/users/{trainee.id}/roles/superuser/revoke").status_code == 404


def test_an_unknown_person_answers_404(admin_client):
    assert admin_client.get("/admin/users/99999").status_code == 404
    assert admin_client.post_form("/admin/users/99999/deactivate").status_code == 404


@pytest.mark.parametrize("role", ["trainee", "mentor"])
def test_people_without_the_admin_role_are_refused(app, make_user, login, role):
    person = make_user(role)
    other = make_user()
    client = app.test_client()
    login(client, person)
    assert client.get("/admin/users").status_code == 403
    assert client.get(f"/admin/users/{other.id}").status_code == 403
    assert client.post_form(f"/admin/users/{other.id}/roles", {"role": "admin"}).status_code == 403
    assert roles_of(app, person) == {Role(role)}


def test_the_list_is_paginated(app, admin_client, make_user):
    app.config["LMS_PAGE_SIZE"] = 5
    for n in range(11):
        make_user(full_name=f"Trainee {n:02d}")
    first = admin_client.get("/admin/users").get_data(as_text=True)
    assert "12 people found" in first
    assert "Page 1 of 3" in first and 'rel="next"' in first
    third = admin_client.get("/admin/users?page=3").get_data(as_text=True)
    assert len(re.findall(r'href="/admin/users/\d+"', third)) == 2
    assert admin_client.get("/admin/users?page=99").status_code == 200


@pytest.mark.parametrize(("query", "found", "hidden"), [
    ("ольга", "Olga Ivanova", "Wang Fang"),
    ("王", "Wang Fang", "Olga Ivanova"),
    ("NGUYỄN", "Nguyễn Thị Lan", "Olga Ivanova"),
    ("wang@", "Wang Fang", "Nguyễn Thị Lan"),
    ("100%", None, "Wang Fang"),
])
def test_search_finds_names_in_every_script_and_emails(admin_client, make_user, query, found, hidden):
    make_user(full_name="Olga Ivanova", native_name="Ольга Иванова")
    make_user(full_name="Wang Fang", native_name="王芳", email="wang@example.org")
    make_user(full_name="Nguyễn Thị Lan")
    html = admin_client.get("/admin/users", query_string={"q": query}).get_data(as_text=True)
    if found:
        assert found in html
    assert hidden not in html
    assert f'value="{query}"' in html, "the search box keeps what was typed"


def test_filters_by_role_and_status(admin_client, make_user):
    make_user("mentor", full_name="Rosa Delgado")
    make_user(full_name="Keisha Johnson", active=False)
    mentors = admin_client.get("/admin/users?role=mentor").get_data(as_text=True)
    assert "Rosa Delgado" in mentors and "Keisha Johnson" not in mentors
    inactive = admin_client.get("/admin/users?status=inactive").get_data(as_text=True)
    assert "Keisha Johnson" in inactive and "Rosa Delgado" not in inactive


def test_the_list_runs_a_fixed_number_of_queries_however_many_people(app, admin_client, make_user, count_queries):
    for n in range(3):
        make_user(full_name=f"P{n}")
    with count_queries() as few:
        admin_client.get("/admin/users")
    for n in range(20):
        make_user(full_name=f"Q{n}")
    with count_queries() as many:
        admin_client.get("/admin/users")
    assert len(many) == len(few)
