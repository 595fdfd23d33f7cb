"""A person's data export includes their attendance and check-ins, and nobody else's marks or names."""

import json

import pytest

from tests.test_attendance_pages import HOUR, MINUTE, CohortWithSessions


@pytest.fixture
def cohort(app, make_user, make_course, login, admin):
    """Lan checked in to tonight's session; Tomás marked last week's: Lan late for 40 minutes, Cabdi absent."""
    cohort = CohortWithSessions(app, make_user, login, make_course(), admin)
    cohort.facilitator = make_user("mentor", full_name="Tomás Reyes", email="tomas@example.org")
    cohort.past = cohort.schedule(-170 * HOUR, title="Home visits and trust", facilitator=cohort.facilitator)
    cohort.mark(cohort.past, {cohort.lan: "late"}, minutes=40, by=cohort.facilitator)
    cohort.mark(cohort.past, {cohort.cabdi: "absent"}, minutes=0, by=cohort.facilitator)
    cohort.tonight = cohort.schedule(-5 * MINUTE, title="Evening circle", facilitator=cohort.facilitator)
    lan = cohort.client_of(cohort.lan)
    lan.post_form(f"/sessions/{cohort.tonight}/check-in", {"code": cohort.code(cohort.tonight)})
    return cohort


def exported(cohort, person) -> dict:
    response = cohort.client_of(person).get("/account/export.json")
    assert response.status_code == 200
    return json.loads(response.get_data(as_text=True))


def test_my_data_holds_my_attendance_at_each_session_with_its_status_minutes_and_source(cohort):
    data = exported(cohort, cohort.lan)
    marks = [{key: row[key] for key in ("session", "kind", "course", "cohort", "status", "minutes", "source",
                                        "marked_by_me")} for row in data["attendance"]]
    code, cohort_name = cohort.made.code, data["enrollments"][0]["cohort"]
    (_, checked_in_minutes, _), = cohort.records(cohort.tonight).values()  # the minutes left when she checked in
    assert marks == [
        {"session": "Home visits and trust", "kind": "course", "course": code, "cohort": cohort_name,
         "status": "late", "minutes": 40, "source": "facilitator", "marked_by_me": False},
        {"session": "Evening circle", "kind": "course", "course": code, "cohort": cohort_name,
         "status": "present", "minutes": checked_in_minutes, "source": "check_in", "marked_by_me": True},
    ]
    assert all(row["starts_at"] < row["ends_at"] and row["marked_at"] for row in data["attendance"])


def test_my_data_lists_each_check_in_even_after_the_facilitator_corrected_it(cohort):
    (_, checked_in_minutes, _), = cohort.records(cohort.tonight).values()
    cohort.mark(cohort.tonight, {cohort.lan: "excused"}, minutes=0, by=cohort.facilitator)
    data = exported(cohort, cohort.lan)
    [check_in] = data["check_ins"]
    assert (check_in["session"], check_in["status"], check_in["minutes"]) == (
        "Evening circle", "present", checked_in_minutes)
    assert check_in["checked_in_at"] and check_in["starts_at"]
    assert [row["source"] for row in data["attendance"]] == ["facilitator", "facilitator"]


def test_my_data_holds_no_one_elses_attendance_nor_who_on_the_staff_marked_mine(cohort):
    body = json.dumps(exported(cohort, cohort.lan), ensure_ascii=False)
    assert "absent" not in body, "Cabdi's mark"
    for someone_else in ("Cabdi", "cabdi@example.org", "Rosa", "Tomás", "tomas@example.org"):
        assert someone_else not in body


def test_a_trainee_with_no_attendance_exports_empty_lists(cohort):
    data = exported(cohort, cohort.rosa)
    assert data["attendance"] == [] and data["check_ins"] == []
