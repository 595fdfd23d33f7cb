"""The audit log is append-only in the database itself, and readable by admins."""

import pytest
from sqlalchemy import delete, text, update
from sqlalchemy.exc import DatabaseError

from lms.accounts.models import User
from lms.audit.models import Action, AuditEvent
from lms.audit.services import record
from lms.extensions import db


@pytest.fixture
def event_id(app, make_user):
    person = make_user()
    with app.app_context():
        event = record(Action.ROLE_GRANTED, actor=None, target=db.session.get(User, person.id), role="mentor")
        db.session.commit()
        return event.id


@pytest.mark.parametrize("statement", [
    lambda id_: update(AuditEvent).where(AuditEvent.id == id_).values(action="role_revoked"),
    lambda id_: delete(AuditEvent).where(AuditEvent.id == id_),
])
def test_the_database_refuses_to_change_or_delete_an_audit_event(app, event_id, statement):
    with app.app_context():
        with pytest.raises(DatabaseError, match="append-only"):
            db.session.execute(statement(event_id))
        db.session.rollback()
        assert db.session.get(AuditEvent, event_id).action == "role_granted"


def test_events_are_recorded_in_utc(app, event_id):
    with app.app_context():
        created = db.session.get(AuditEvent, event_id).created_at
        assert created.utcoffset().total_seconds() == 0


def test_a_person_with_audit_history_cannot_be_deleted(app, make_user, event_id):
    with app.app_context():
        with pytest.raises(DatabaseError):
            db.session.execute(text("DELETE FROM lms_user"))
        db.session.rollback()


def test_the_audit_page_filters_by_action_and_person(app, admin, admin_client, make_user):
    lan = make_user(full_name="Nguyễn Thị Lan", verified=True)
    minh = make_user(full_name="Trần Văn Minh")
    admin_client.post_form(f"/admin/users/{lan.id}/roles", {"role": "mentor"})
    admin_client.post_form(f"/admin/users/{minh.id}/deactivate")

    everything = admin_client.get("/admin/audit").get_data(as_text=True)
    assert "Nguyễn Thị Lan" in everything and "Trần Văn Minh" in everything
    granted = admin_client.get("/admin/audit?action=role_granted").get_data(as_text=True)
    assert "Nguyễn Thị Lan" in granted and "Trần Văn Minh" not in granted
    about_minh = admin_client.get(f"/admin/audit?user={minh.id}").get_data(as_text=True)
    assert "Account deactivated" in about_minh and "Nguyễn Thị Lan" not in about_minh
    assert admin_client.get("/admin/audit?action=<script>").status_code == 200


def test_the_audit_page_is_for_admins_only(app, make_user, login):
    client = app.test_client()
    login(client, make_user(roles=["trainee", "mentor"]))
    assert client.get("/admin/audit").status_code == 403


def test_the_audit_page_runs_a_fixed_number_of_queries(app, admin, admin_client, make_user, count_queries):
    def grant_to_new_people(n):
        for _ in range(n):
            person = make_user(verified=True)
            admin_client.post_form(f"/admin/users/{person.id}/roles", {"role": "mentor"})

    grant_to_new_people(2)
    with count_queries() as few:
        admin_client.get("/admin/audit")
    grant_to_new_people(10)
    with count_queries() as many:
        admin_client.get("/admin/audit")
    assert len(many) == len(few)
