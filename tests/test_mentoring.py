"""Mentoring: profiles, assignments within capacity, private session logs, hours ledgers, graduates who mentor.

Each test is one rule of the "Mentoring" issue. The confidentiality rules (SECURITY.md 12, 14 and 26)
are checked through the pages people reach and in the raw database rows, not only in the services.
"""

import csv
import io
import re
import subprocess
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import func, select, text

from lms.accounts.models import Role, User
from lms.audit.models import AuditEvent
from lms.core import crypto
from lms.core.clock import program_today
from lms.courses.models import Cohort, Course, Module
from lms.enrollment.models import Enrollment, ModuleProgress
from lms.enrollment.progress import complete_module
from lms.enrollment.services import enroll
from lms.extensions import db
from lms.mentoring import invitations, logs, services
from lms.mentoring.models import (
    MentorAssignment, MentorInvitation, MentorProfile, ReflectiveGroup, ReflectiveSession, SessionFormat,
    SessionRevision, SessionStatus, Topic,
)
from lms.notifications.models import Notification
from tests.pages import table_rows, words_of

#: What was said in the sessions of the `circle` fixture. Summaries go to attendees; notes to nobody.
SUMMARY_BEA = "Bea named a moment of power at drop-off and what she wants to try next week."
NOTES_BEA = "Bea may leave her centre before spring; follow up gently about the director."
SUMMARY_GROUP = "The circle compared morning routines that honour home languages."
NOTES_GROUP = "Cal stayed away again; ask the cohort lead whether he is safe."
SUMMARY_DANA = "Dana mapped the families she serves and the supports each one trusts."
NOTES_DANA = "Dana disclosed a family crisis; confidential, do not share with the office."
CONFIDENTIAL = (SUMMARY_BEA, NOTES_BEA, SUMMARY_GROUP, NOTES_GROUP, SUMMARY_DANA, NOTES_DANA)
A_WEEKDAY = date(2025, 1, 10)


# --- Setting mentoring up the way the program office does, through the services -------------------------

class Office:
    """The program office at work: every call runs the services in an app context and commits."""

    def __init__(self, app, admin, make_user):
        self.app, self.admin_id, self.make_user = app, admin.id, make_user

    @contextmanager
    def work(self):
        with self.app.app_context():
            yield
            db.session.commit()

    def mentor(self, full_name, *, languages=("en",), max_mentees=8, max_groups=2, active=True, **fields) -> User:
        user = self.make_user("mentor", full_name=full_name, **fields)
        with self.work():
            services.save_profile(db.session.get(User, user.id), languages=list(languages), bio="",
                                  is_active=active, max_mentees=max_mentees, max_groups=max_groups)
        return user

    def trainee(self, made, full_name, *, language="en", **fields) -> User:
        user = self.make_user(full_name=full_name, **fields)
        self.enroll(user, made, language)
        return user

    def enroll(self, user, made, language="en") -> None:
        with self.work():
            enroll(db.session.get(User, user.id), db.session.get(Course, made.course_id),
                   db.session.get(Cohort, made.cohort_id), language)

    def assign(self, mentor, trainee, made, *, reason=None) -> int:
        with self.work():
            assignment = services.assign(db.session.get(User, mentor.id), db.session.get(User, trainee.id),
                                         db.session.get(Cohort, made.cohort_id),
                                         by=db.session.get(User, self.admin_id), reason=reason)
            return assignment.id

    def group(self, mentor, made, members, *, name="Thursday circle", language="en") -> int:
        with self.work():
            group = services.create_group(db.session.get(User, mentor.id), db.session.get(Cohort, made.cohort_id),
                                          name=name, language=language, trainee_ids=[m.id for m in members],
                                          by=db.session.get(User, self.admin_id))
            return group.id

    def log(self, mentor, attendees, *, group=None, held_on=A_WEEKDAY, minutes=60, summary="", notes="",
            topics=(), planned=False, format=SessionFormat.VIDEO) -> int:
        with self.work():
            topic_ids = db.session.scalars(select(Topic.id).where(Topic.key.in_(topics))).all()
            session = logs.save_session(
                db.session.get(User, mentor.id), None,
                group=db.session.get(ReflectiveGroup, group) if group else None,
                attendee_ids=[a.id for a in attendees], held_on=held_on, duration_minutes=minutes, format=format,
                language="en", topic_ids=topic_ids, summary=summary, notes=notes, planned=planned)
            return session.id

    def complete_course(self, user, made) -> None:
        with self.work():
            enrollment = db.session.scalar(select(Enrollment).where(
                Enrollment.user_id == user.id, Enrollment.course_id == made.course_id))
            for module_id in made.module_ids:
                complete_module(enrollment, db.session.get(Module, module_id))


@pytest.fixture
def office(app, admin, make_user):
    return Office(app, admin, make_user)


@pytest.fixture
def circle(office, make_course):
    """Amara mentors Bea and facilitates a group of Bea and Cal; Bruno mentors Dana. Each has logged sessions.

    Bea came to the group session; Cal, a member, did not.
    """
    made = make_course()
    amara, bruno = office.mentor("Amara Okafor"), office.mentor("Bruno Silva")
    bea, cal, dana = (office.trainee(made, name) for name in ("Bea Ito", "Cal Moreno", "Dana Wu"))
    office.assign(amara, bea, made)
    office.assign(bruno, dana, made)
    group = office.group(amara, made, [bea, cal])
    return SimpleNamespace(
        made=made, amara=amara, bruno=bruno, bea=bea, cal=cal, dana=dana, group=group,
        one_to_one=office.log(amara, [bea], summary=SUMMARY_BEA, notes=NOTES_BEA,
                              topics=["implicit_bias", "power_dynamics"]),
        group_session=office.log(amara, [bea], group=group, held_on=A_WEEKDAY + timedelta(days=7), minutes=90,
                                 summary=SUMMARY_GROUP, notes=NOTES_GROUP),
        bruno_session=office.log(bruno, [dana], minutes=45, summary=SUMMARY_DANA, notes=NOTES_DANA),
    )


def session_form(*, attendees, group=0, held_on=A_WEEKDAY, minutes=60, summary="", notes="", topics=(),
                 planned=False, format="video", language="en") -> dict:
    """The fields of the mentor's session form, as a browser posts them."""
    data = {"group": group, "held_on": held_on.isoformat(), "duration_minutes": minutes, "format": format,
            "language": language, "attendees": [str(i) for i in attendees], "topics": [str(i) for i in topics],
            "summary": summary, "notes": notes}
    if planned:
        data["planned"] = "y"
    return data


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.get_data(as_text=True)


def section(html: str, heading_id: str) -> str:
    """The part of a page from the heading with this id to the end of its section."""
    return html.split(f'id="{heading_id}"', 1)[1].split("</section>", 1)[0]


def field_error(html: str, field: str) -> str:
    """The error shown next to a form field, or "" when there is none."""
    match = re.search(rf'<p class="field__error" id="{field}-error">(.*?)</p>', html, re.S)
    return re.sub(r"\s+", " ", match.group(1)) if match else ""


def current_assignments(app, **where) -> list[tuple[int, int]]:
    with app.app_context():
        return db.session.execute(
            select(MentorAssignment.mentor_id, MentorAssignment.trainee_id)
            .filter_by(**where).where(MentorAssignment.ended_at.is_(None)).order_by(MentorAssignment.id)).all()


def session_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(ReflectiveSession))


# --- 1. Mentor profile ---------------------------------------------------------------------------------

def test_admin_sets_a_mentors_languages_capacity_bio_and_pause(app, office, admin_client):
    amara = office.mentor("Amara Okafor")
    response = admin_client.post_form(f"/admin/mentoring/mentors/{amara.id}", {
        "languages": ["es", "vi"], "max_mentees": "3", "max_groups": "1",
        "bio": "Early-childhood coach for twenty years."})  # is_active unticked: paused
    assert response.status_code == 302
    with app.app_context():
        profile = db.session.get(MentorProfile, amara.id)
        assert (profile.languages, profile.max_mentees, profile.max_groups, profile.bio, profile.is_active) == (
            ["es", "vi"], 3, 1, "Early-childhood coach for twenty years.", False)
    row = page(admin_client.get("/admin/mentoring")).split("Amara Okafor", 1)[1].split("</tr>", 1)[0]
    assert "0 of 3" in row and "0 of 1" in row and "Paused" in row


def test_mentor_edits_languages_bio_and_pause_but_not_their_own_capacity(app, office, client_as):
    amara = office.mentor("Amara Okafor", max_mentees=3, max_groups=1)
    client = client_as(amara)
    response = client.post_form("/mentor/profile", {
        "languages": ["en", "so"], "bio": "I mentor in Somali and English.", "is_active": "y",
        "max_mentees": "99", "max_groups": "9"})  # fields the mentor's form does not declare
    assert response.status_code == 302
    with app.app_context():
        profile = db.session.get(MentorProfile, amara.id)
        assert (profile.languages, profile.bio, profile.is_active) == (["en", "so"], "I mentor in Somali and English.",
                                                                       True)
        assert (profile.max_mentees, profile.max_groups) == (3, 1)
    assert "You take up to 3 mentees and 1 groups." in page(client.get("/mentor/profile"))


def test_a_paused_mentor_gets_no_new_mentees_and_is_not_suggested(app, office, make_course, admin_client):
    made = make_course()
    paused = office.mentor("Pia Paused", active=False)
    office.mentor("Amara Okafor")
    bea = office.trainee(made, "Bea Ito")
    url = f"/admin/mentoring/cohorts/{made.cohort_id}/trainees/{bea.id}"
    assert "Pia Paused" not in page(admin_client.get(url))
    assert admin_client.post_form(url, {"mentor": paused.id, "reason": "She asked for Bea."}).status_code == 200
    assert current_assignments(app, trainee_id=bea.id) == []
    with app.app_context():
        with pytest.raises(services.MentoringError, match="paused"):
            services.assign(db.session.get(User, paused.id), db.session.get(User, bea.id),
                            db.session.get(Cohort, made.cohort_id), by=db.session.get(User, office.admin_id))


# --- 2. Assignments, groups, suggestions and capacity --------------------------------------------------

def test_assigning_tells_the_trainee_and_the_mentor(app, office, make_course, admin_client, client_as):
    made = make_course()
    amara, bea = office.mentor("Amara Okafor"), office.trainee(made, "Bea Ito")
    response = admin_client.post_form(f"/admin/mentoring/cohorts/{made.cohort_id}/trainees/{bea.id}",
                                      {"mentor": amara.id, "reason": ""})
    assert response.status_code == 302
    assert current_assignments(app, cohort_id=made.cohort_id) == [(amara.id, bea.id)]
    with app.app_context():
        cohort = db.session.get(Cohort, made.cohort_id).name
        assert db.session.execute(select(Notification.user_id, Notification.kind, Notification.params)
                                  .order_by(Notification.id)).all() == [
            (bea.id, "mentor_assigned", {"mentor_id": amara.id, "cohort_id": made.cohort_id}),
            (amara.id, "mentee_assigned", {"trainee_id": bea.id, "cohort_id": made.cohort_id})]
    assert f"Amara Okafor is your mentor in {cohort}." in page(client_as(bea).get("/"))
    assert f"You are now the mentor of Bea Ito in {cohort}." in page(client_as(amara).get("/"))


def test_reassignment_ends_the_old_assignment_and_keeps_it_in_the_history(app, office, make_course, admin_client,
                                                                          client_as):
    made = make_course()
    amara, bruno, bea = office.mentor("Amara Okafor"), office.mentor("Bruno Silva"), office.trainee(made, "Bea Ito")
    url = f"/admin/mentoring/cohorts/{made.cohort_id}/trainees/{bea.id}"
    assert admin_client.post_form(url, {"mentor": amara.id}).status_code == 302
    assert admin_client.post_form(url, {"mentor": bruno.id}).status_code == 302

    with app.app_context():
        history = db.session.scalars(select(MentorAssignment).where(MentorAssignment.trainee_id == bea.id)
                                     .order_by(MentorAssignment.id)).all()
        assert [(a.mentor_id, a.ended_at is None) for a in history] == [(amara.id, False), (bruno.id, True)]
        assert history[0].started_at <= history[0].ended_at <= history[1].started_at
        told = db.session.execute(select(Notification.user_id, Notification.kind).where(
            Notification.kind.in_(["mentor_assigned", "mentee_assigned"])).order_by(Notification.id)).all()
        assert told == [(bea.id, "mentor_assigned"), (amara.id, "mentee_assigned"),
                        (bea.id, "mentor_assigned"), (bruno.id, "mentee_assigned")]
        cohort = db.session.get(Cohort, made.cohort_id).name

    admin_history = page(admin_client.get(url)).split("<h2>History</h2>", 1)[1]
    assert re.search(r"Bruno Silva: [^<]+ – now", admin_history)
    assert re.search(r"Amara Okafor: [^<]+ – [^<]*\d", admin_history)
    mine = section(page(client_as(bea).get("/my/mentoring")), "mentor")
    assert "<strong>Bruno Silva</strong>" in mine and "Earlier: Amara Okafor (" in mine
    assert f"Bruno Silva is your mentor in {cohort}." in page(client_as(bea).get("/"))
    assert f"You are now the mentor of Bea Ito in {cohort}." in page(client_as(bruno).get("/"))
    # The former mentor no longer reaches Bea, nor records her in a new session.
    former = client_as(amara)
    assert former.get(f"/mentor/mentees/{bea.id}").status_code == 404
    assert field_error(page(former.post_form("/mentor/sessions/new", session_form(attendees=[bea.id]))), "attendees")
    assert session_count(app) == 0


def test_suggestions_rank_by_language_then_free_places_then_cohort(app, office, make_course, admin_client):
    made, elsewhere = make_course(), make_course()
    # She prefers Spanish (her interface language) and takes the course in English.
    trainee = office.trainee(made, "Rosa Diaz", language="en", locale="es")
    # Names run against the expected order, so an alphabetical sort would fail.
    yara = office.mentor("Yara Preferred", languages=["es"], max_mentees=2)
    office.assign(yara, office.trainee(elsewhere, "Mentee Elsewhere"), elsewhere)  # one place left
    office.mentor("Xavier Spoken", languages=["en"], max_mentees=9)
    office.mentor("Wendy Roomy", languages=["fr"], max_mentees=10)
    victor = office.mentor("Victor Cohort", languages=["fr"], max_mentees=10)
    office.assign(victor, office.trainee(made, "Mentee Here"), made)  # nine places left, works in this cohort
    office.mentor("Ursula Level", languages=["fr"], max_mentees=9)  # nine places left, not in this cohort
    office.mentor("Tara Paused", languages=["es"], max_mentees=20, active=False)
    expected = ["Yara Preferred", "Xavier Spoken", "Wendy Roomy", "Victor Cohort", "Ursula Level"]

    with app.app_context():
        ranked = services.suggest_mentors(db.session.get(User, trainee.id), db.session.get(Cohort, made.cohort_id))
        assert [s.mentor.full_name for s in ranked] == expected
        assert [(s.speaks_preferred, s.speaks_other, s.remaining, s.in_cohort) for s in ranked] == [
            (True, True, 1, False), (False, True, 9, False), (False, False, 10, False), (False, False, 9, True),
            (False, False, 9, False)]
    table = page(admin_client.get(f"/admin/mentoring/cohorts/{made.cohort_id}/trainees/{trainee.id}"))
    table = table.split("Suggested mentors", 1)[1].split("</table>", 1)[0]
    assert re.findall(r"<tr>\s*<td\b[^>]*>([^<(]+?)\s*(?:<|\()", table) == expected


def test_over_capacity_assignment_needs_a_written_reason_which_is_audited(app, office, make_course, admin_client):
    made = make_course()
    amara = office.mentor("Amara Okafor", max_mentees=1)
    office.assign(amara, office.trainee(made, "Bea Ito"), made)
    cal = office.trainee(made, "Cal Moreno")
    url = f"/admin/mentoring/cohorts/{made.cohort_id}/trainees/{cal.id}"

    refused = page(admin_client.post_form(url, {"mentor": amara.id, "reason": "   "}))
    assert "Amara Okafor already mentors 1 people, the most they take. To assign anyway, give a reason." in (
        field_error(refused, "reason"))
    assert current_assignments(app, trainee_id=cal.id) == []

    reason = "Cal asked for Amara: they share a home language and a town."
    assert admin_client.post_form(url, {"mentor": amara.id, "reason": reason}).status_code == 302
    with app.app_context():
        assignment = db.session.scalar(select(MentorAssignment).where(MentorAssignment.trainee_id == cal.id))
        assert (assignment.mentor_id, assignment.over_capacity_reason, assignment.ended_at) == (amara.id, reason, None)
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "mentor_over_capacity"))
        assert (event.actor_id, event.target_user_id, event.details["reason"]) == (office.admin_id, amara.id, reason)
        assert event.details["trainee"] == str(cal.id)


def test_capacity_holds_when_ten_assignments_are_saved_at_the_same_moment(app, office, make_course):
    made = make_course(capacity=20)
    amara = office.mentor("Amara Okafor", max_mentees=3)
    trainee_ids = [office.trainee(made, f"Trainee {n}").id for n in range(10)]
    barrier = threading.Barrier(len(trainee_ids))

    def assign(trainee_id):
        """One admin's request: its own app context and database session."""
        with app.app_context():
            mentor, trainee = db.session.get(User, amara.id), db.session.get(User, trainee_id)
            cohort, by = db.session.get(Cohort, made.cohort_id), db.session.get(User, office.admin_id)
            _ = mentor.roles, by.roles
            barrier.wait()
            try:
                services.assign(mentor, trainee, cohort, by=by)
                db.session.commit()
                return "assigned"
            except services.MentoringError as error:
                db.session.rollback()
                return f"refused at {error.field}"

    with ThreadPoolExecutor(max_workers=len(trainee_ids)) as pool:
        outcomes = list(pool.map(assign, trainee_ids))
    assert sorted(outcomes) == ["assigned"] * 3 + ["refused at reason"] * 7
    assert len(current_assignments(app, mentor_id=amara.id)) == 3


def test_admin_creates_a_reflective_group_of_the_cohorts_trainees(app, office, make_course, admin_client, client_as):
    made, other = make_course(), make_course()
    amara = office.mentor("Amara Okafor", languages=["es"])
    bea, cal = office.trainee(made, "Bea Ito"), office.trainee(made, "Cal Moreno")
    outsider = office.trainee(other, "Eli Outside")
    url = f"/admin/mentoring/cohorts/{made.cohort_id}/groups/new"
    form = {"name": "Circulo de los jueves", "mentor": amara.id, "language": "es"}

    assert admin_client.post_form(url, {**form, "members": [bea.id, outsider.id]}).status_code == 200
    assert admin_client.post_form(url, {**form, "members": [bea.id, cal.id]}).status_code == 302
    with app.app_context():
        group = db.session.scalar(select(ReflectiveGroup))
        assert (group.name, group.mentor_id, group.cohort_id, group.language) == (
            "Circulo de los jueves", amara.id, made.cohort_id, "es")
        assert {m.trainee_id for m in group.members} == {bea.id, cal.id}
        assert sorted(db.session.scalars(select(Notification.user_id).where(Notification.kind == "group_joined"))) == (
            sorted([bea.id, cal.id]))
        with pytest.raises(services.MentoringError, match="Only trainees enrolled in the cohort"):
            services.set_members(group, [bea.id, outsider.id])
    assert "<strong>Circulo de los jueves</strong> · with Amara Okafor" in page(client_as(bea).get("/my/mentoring"))
    groups = section(page(client_as(amara).get("/mentor")), "groups")
    assert "Circulo de los jueves" in groups and "Bea Ito, Cal Moreno" in groups


def test_a_group_beyond_the_mentors_capacity_needs_a_written_reason(app, office, make_course, admin_client):
    made = make_course()
    amara = office.mentor("Amara Okafor", max_groups=1)
    office.group(amara, made, [], name="First circle")
    url = f"/admin/mentoring/cohorts/{made.cohort_id}/groups/new"
    form = {"name": "Second circle", "mentor": amara.id, "language": "en"}

    refused = page(admin_client.post_form(url, form))
    assert "Amara Okafor already facilitates 1 groups" in field_error(refused, "reason")
    reason = "Only Amara runs groups in Somali this term."
    assert admin_client.post_form(url, {**form, "reason": reason}).status_code == 302
    with app.app_context():
        assert db.session.scalars(select(ReflectiveGroup.name).order_by(ReflectiveGroup.id)).all() == [
            "First circle", "Second circle"]
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "mentor_over_capacity"))
        assert (event.target_user_id, event.details["reason"]) == (amara.id, reason)


# --- 3. Session logs -----------------------------------------------------------------------------------

def test_mentor_logs_a_session_with_their_mentee_and_topics(app, circle, client_as):
    client = client_as(circle.amara)
    with app.app_context():
        topic = db.session.scalar(select(Topic.id).where(Topic.key == "self_care"))
    form = page(client.get("/mentor/sessions/new"))
    assert "Bea Ito" in form and "Dana Wu" not in form and "Cal Moreno" not in form
    response = client.post_form("/mentor/sessions/new", session_form(
        attendees=[circle.bea.id], minutes=50, format="phone", language="es", topics=[topic],
        summary="We planned a rest day.", notes="Tired; watch for burnout."))
    assert response.status_code == 302
    session_id = int(response.headers["Location"].rsplit("/", 1)[1])
    with app.app_context():
        session = db.session.get(ReflectiveSession, session_id)
        assert (session.mentor_id, session.group_id, session.status, session.held_on, session.duration_minutes,
                session.format, session.language) == (circle.amara.id, None, SessionStatus.LOGGED, A_WEEKDAY, 50,
                                                       SessionFormat.PHONE, "es")
        assert [u.id for u in session.attendees] == [circle.bea.id]
        assert [t.key for t in session.topics] == ["self_care"]
        assert logs.read_notes(session) == "Tired; watch for burnout."
    shown = page(client.get(f"/mentor/sessions/{session_id}"))
    assert "We planned a rest day." in shown and "Tired; watch for burnout." in shown
    assert "Self-care and burnout" in shown and "Bea Ito" in shown


@pytest.mark.parametrize("attendees", [["dana"], ["bea", "dana"]], ids=["another mentors mentee", "one forged"])
def test_mentor_cannot_log_a_session_for_a_trainee_not_assigned_to_them(app, circle, client_as, attendees):
    before = session_count(app)
    forged = [getattr(circle, name).id for name in attendees]
    response = client_as(circle.amara).post_form("/mentor/sessions/new", session_form(
        attendees=forged, summary="Forged", notes="Forged"))
    assert field_error(page(response), "attendees")
    assert session_count(app) == before


def test_a_group_session_records_only_the_members_of_the_mentors_own_group(app, office, circle, client_as):
    bruno_group = office.group(circle.bruno, circle.made, [circle.dana], name="Bruno circle")
    before = session_count(app)
    amara = client_as(circle.amara)
    response = amara.post_form(f"/mentor/sessions/new?group={circle.group}", session_form(
        group=circle.group, attendees=[circle.cal.id, circle.dana.id]))
    assert field_error(page(response), "attendees")
    # Another mentor's group is not hers to choose, and its members are not offered.
    assert "Dana Wu" not in page(amara.get(f"/mentor/sessions/new?group={bruno_group}"))
    response = amara.post_form(f"/mentor/sessions/new?group={bruno_group}", session_form(
        group=bruno_group, attendees=[circle.dana.id]))
    assert field_error(page(response), "group")
    assert session_count(app) == before


def test_the_logging_service_refuses_people_the_mentor_may_not_record(app, office, circle):
    bruno_group = office.group(circle.bruno, circle.made, [circle.dana], name="Bruno circle")
    with app.app_context():
        amara = db.session.get(User, circle.amara.id)

        def log(attendees, group=None):
            logs.save_session(amara, None, group=db.session.get(ReflectiveGroup, group) if group else None,
                              attendee_ids=[a.id for a in attendees], held_on=A_WEEKDAY, duration_minutes=60,
                              format=SessionFormat.VIDEO, language="en", topic_ids=[], summary="", notes="")

        with pytest.raises(services.MentoringError, match="only record trainees assigned to you") as refused:
            log([circle.dana])
        assert refused.value.field == "attendees"
        with pytest.raises(services.MentoringError):
            log([circle.cal])  # in her group, not her mentee: only a group session may record him
        with pytest.raises(services.MentoringError, match="You do not facilitate this group"):
            log([circle.dana], group=bruno_group)
        db.session.rollback()
    assert session_count(app) == 3


@pytest.mark.parametrize("method, path", [
    ("GET", "/mentor/sessions/{session}"),
    ("GET", "/mentor/sessions/{session}/edit"),
    ("POST", "/mentor/sessions/{session}/edit"),
    ("POST", "/mentor/sessions/{session}/delete"),
    ("GET", "/mentor/mentees/{mentee}"),
])
def test_mentor_cannot_read_change_or_delete_another_mentors_logs_or_mentees(app, circle, client_as, method, path):
    url = path.format(session=circle.bruno_session, mentee=circle.dana.id)
    amara = client_as(circle.amara)
    if method == "POST":
        response = amara.post_form(url, session_form(attendees=[circle.dana.id], summary="Mine", notes="Mine"))
    else:
        response = amara.get(url)
    assert response.status_code == 404
    assert NOTES_DANA not in response.get_data(as_text=True)
    with app.app_context():
        session = db.session.get(ReflectiveSession, circle.bruno_session)
        assert (session.summary, logs.read_notes(session), session.revisions) == (SUMMARY_DANA, NOTES_DANA, [])


def test_an_admin_who_is_also_a_mentor_cannot_open_another_mentors_log(circle, make_user, client_as):
    both = client_as(make_user(roles=["admin", "mentor"], full_name="Office Mentor"))
    assert both.get(f"/mentor/sessions/{circle.one_to_one}").status_code == 404
    assert both.get(f"/mentor/sessions/{circle.one_to_one}/edit").status_code == 404


def test_admin_sees_hours_dates_attendance_and_topics_never_notes_or_summaries(app, circle, admin_client):
    pages = {
        "lms.mentoring_admin.index": "/admin/mentoring",
        "lms.mentoring_admin.mentor": f"/admin/mentoring/mentors/{circle.amara.id}",
        "lms.mentoring_admin.cohort": f"/admin/mentoring/cohorts/{circle.made.cohort_id}",
        "lms.mentoring_admin.assign": f"/admin/mentoring/cohorts/{circle.made.cohort_id}/trainees/{circle.bea.id}",
        "lms.mentoring_admin.new_group": f"/admin/mentoring/cohorts/{circle.made.cohort_id}/groups/new",
        "lms.mentoring_admin.group": f"/admin/mentoring/groups/{circle.group}",
        "lms.mentoring_admin.sessions": "/admin/mentoring/sessions",
        "lms.mentoring_admin.topic_list": "/admin/mentoring/topics",
        "lms.mentoring_admin.graduates": "/admin/mentoring/graduates",
    }
    every_get = {r.endpoint for r in app.url_map.iter_rules()
                 if r.endpoint.startswith("lms.mentoring_admin.") and "GET" in r.methods}
    assert set(pages) == every_get, "a new admin mentoring page must be checked here"
    elsewhere = ["/", f"/admin/mentoring/sessions?mentor={circle.amara.id}",
                 f"/admin/mentoring/mentors/{circle.bruno.id}", "/admin/users", f"/admin/users/{circle.bea.id}",
                 f"/admin/users/{circle.amara.id}", "/admin/audit", "/account/export.json", "/healthz"]
    for url in [*pages.values(), *elsewhere]:
        body = page(admin_client.get(url))
        for secret in CONFIDENTIAL:
            assert secret not in body, f"{url} shows {secret!r}"

    rows = [" | ".join(cells) for cells in table_rows(admin_client.get("/admin/mentoring/sessions"))]
    assert len(rows) == 3
    one_to_one = next(r for r in rows if "Individual" in r and "Bea Ito" in r)
    assert "Amara Okafor" in one_to_one and "| 60 |" in one_to_one
    assert "Implicit bias, Power dynamics" in one_to_one and "Jan 10, 2025" in one_to_one
    group = next(r for r in rows if "Group: Thursday circle" in r)
    assert "| 90 |" in group and "Bea Ito" in group and "Cal Moreno" not in group


def test_private_notes_are_never_stored_in_clear(app, circle, client_as, caplog):
    caplog.set_level("DEBUG")
    client = client_as(circle.amara)
    edited = client.post_form(f"/mentor/sessions/{circle.one_to_one}/edit", session_form(
        attendees=[circle.bea.id], summary="Updated summary.", notes="Updated private notes about Bea."))
    assert edited.status_code == 302
    with app.app_context():
        notes = db.session.execute(text("SELECT notes_ciphertext FROM lms_reflective_session")).scalars().all()
        snapshots = db.session.execute(text("SELECT snapshot_ciphertext FROM lms_session_revision")).scalars().all()
    assert len(notes) == 3 and len(snapshots) == 1
    for stored in [*notes, *snapshots]:
        assert stored.startswith("gAAAAA"), "a Fernet token"
        for secret in (NOTES_BEA, NOTES_GROUP, NOTES_DANA, "Updated private notes", "Bea may leave"):
            assert secret not in stored
    assert SUMMARY_BEA not in snapshots[0], "the earlier summary is in the encrypted snapshot only"
    # Nor in the audit log or the security log, when the session is deleted.
    assert client.post_form(f"/mentor/sessions/{circle.one_to_one}/delete").status_code == 302
    with app.app_context():
        audit = str(db.session.execute(text("SELECT details FROM lms_audit_event")).scalars().all())
    assert '"session_log_deleted"' in caplog.text
    for secret in (NOTES_BEA, SUMMARY_BEA, "Updated private notes", "Updated summary"):
        assert secret not in audit and secret not in caplog.text


def test_notes_decrypt_with_only_the_new_key_after_rotate_keys(app, circle, client_as):
    client = client_as(circle.amara)
    assert client.post_form(f"/mentor/sessions/{circle.one_to_one}/edit", session_form(
        attendees=[circle.bea.id], summary=SUMMARY_BEA, notes="Second thoughts.")).status_code == 302
    with app.app_context():
        old_keys = crypto.configured_keys(app.config)
    new_key = Fernet.generate_key().decode()
    app.config["LMS_ENCRYPTION_KEYS"] = [new_key, *old_keys]
    app.extensions["lms"].fernet = None

    result = app.test_cli_runner().invoke(args=["lms", "rotate-keys"])
    assert result.exit_code == 0, result.output
    # three sessions' notes, one earlier version, and the office administrator's TOTP secret
    assert "Re-encrypted 5 items" in result.output

    app.config["LMS_ENCRYPTION_KEYS"] = [new_key]
    app.extensions["lms"].fernet = None
    with app.app_context():
        session = db.session.get(ReflectiveSession, circle.one_to_one)
        assert logs.read_notes(session) == "Second thoughts."
        assert [h["notes"] for h in logs.history(session)] == [NOTES_BEA]
        assert logs.read_notes(db.session.get(ReflectiveSession, circle.bruno_session)) == NOTES_DANA
        raw = db.session.execute(text("SELECT notes_ciphertext FROM lms_reflective_session")).scalars().all()
        raw += db.session.execute(text("SELECT snapshot_ciphertext FROM lms_session_revision")).scalars().all()
        raw += db.session.execute(text(
            "SELECT totp_secret_ciphertext FROM lms_user WHERE totp_secret_ciphertext IS NOT NULL")).scalars().all()
    for token in raw:
        with pytest.raises(InvalidToken):
            Fernet(old_keys[0]).decrypt(token.encode())
    shown = page(client.get(f"/mentor/sessions/{circle.one_to_one}"))
    assert "Second thoughts." in shown and NOTES_BEA in shown


def test_edits_keep_the_earlier_version_for_the_mentor(app, circle, client_as):
    client = client_as(circle.amara)
    response = client.post_form(f"/mentor/sessions/{circle.one_to_one}/edit", session_form(
        attendees=[circle.bea.id], minutes=75, summary="Bea chose one routine to change.",
        notes="Calmer than last week."))
    assert response.status_code == 302
    shown = client.get(f"/mentor/sessions/{circle.one_to_one}")
    assert shown.status_code == 200
    current, earlier = page(shown).split("Earlier versions", 1)
    assert not re.search(r">[^<]*\d{4}-\d{2}-\d{2}", earlier), "the earlier version's date is written for people"
    assert "Bea chose one routine to change." in current and "Calmer than last week." in current
    assert "75 minutes" in current
    assert SUMMARY_BEA in earlier and NOTES_BEA in earlier and "60 minutes" in earlier
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(SessionRevision)) == 1
    # Bea reads the current summary only, never an earlier one.
    mine = page(client_as(circle.bea).get("/my/mentoring"))
    assert "Bea chose one routine to change." in mine and SUMMARY_BEA not in mine


def test_editing_a_log_after_a_reassignment_keeps_the_former_mentee_and_her_hours(app, office, make_course, client_as):
    """Bea was Amara's mentee when they met: moving her to Bruno must not drop her from that log, nor her hours."""
    made = make_course()
    amara, bruno = office.mentor("Amara Okafor"), office.mentor("Bruno Silva")
    bea, cal = office.trainee(made, "Bea Ito"), office.trainee(made, "Cal Moreno")
    office.assign(amara, bea, made)
    office.assign(amara, cal, made)
    held = office.log(amara, [bea, cal], summary="We met at the centre.", notes="Both tired.")
    office.assign(bruno, bea, made)

    client = client_as(amara)  # corrects the summary, submitting the form as it is shown
    form = page(client.get(f"/mentor/sessions/{held}/edit"))
    ticked = re.findall(r'<input checked id="attendees-\d+" name="attendees" type="checkbox" value="(\d+)">', form)
    response = client.post_form(f"/mentor/sessions/{held}/edit", session_form(
        attendees=ticked, summary="We met at the centre library.", notes="Both tired."))
    assert response.status_code == 302, field_error(response.get_data(as_text=True), "attendees")
    with app.app_context():
        session = db.session.get(ReflectiveSession, held)
        assert session.summary == "We met at the centre library."
        assert sorted(u.id for u in session.attendees) == sorted([bea.id, cal.id])
    assert "Total: 1 hours." in page(client_as(bea).get("/my/mentoring"))


def test_a_planned_session_of_a_group_that_has_since_ended_can_still_be_logged(app, office, circle, client_as):
    with app.app_context():
        held_on = program_today() - timedelta(days=2)
    planned = office.log(circle.amara, [], group=circle.group, held_on=held_on, planned=True)
    with office.work():  # the group's last meeting; the office then ends the group
        services.end_group(db.session.get(ReflectiveGroup, circle.group))
    client = client_as(circle.amara)
    assert f"/mentor/sessions/{planned}/edit" in section(page(client.get("/mentor")), "waiting")
    response = client.post_form(f"/mentor/sessions/{planned}/edit", session_form(
        group=circle.group, attendees=[circle.bea.id, circle.cal.id], held_on=held_on))
    assert response.status_code == 302, field_error(response.get_data(as_text=True), "group")
    with app.app_context():
        session = db.session.get(ReflectiveSession, planned)
        assert (session.status, session.group_id) == (SessionStatus.LOGGED, circle.group)


def test_mentor_deletes_their_log_with_its_notes_and_history(app, circle, client_as):
    client = client_as(circle.amara)
    client.post_form(f"/mentor/sessions/{circle.one_to_one}/edit", session_form(
        attendees=[circle.bea.id], summary="Edited", notes="Edited"))
    assert client.post_form(f"/mentor/sessions/{circle.one_to_one}/delete").status_code == 302
    assert client.get(f"/mentor/sessions/{circle.one_to_one}").status_code == 404
    with app.app_context():
        assert db.session.get(ReflectiveSession, circle.one_to_one) is None
        assert db.session.scalar(select(func.count()).select_from(SessionRevision)) == 0
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "session_log_deleted"))
        assert event.details == {"session": str(circle.one_to_one), "held_on": "2025-01-10"}


def test_admin_edits_the_topic_list_mentors_choose_from(app, circle, admin_client, client_as):
    assert admin_client.post_form("/admin/mentoring/topics", {"name": "Language justice"}).status_code == 302
    with app.app_context():
        implicit_bias = db.session.scalar(select(Topic.id).where(Topic.key == "implicit_bias"))
    assert admin_client.post_form(f"/admin/mentoring/topics/{implicit_bias}/toggle").status_code == 302
    form = page(client_as(circle.amara).get("/mentor/sessions/new"))
    assert "Language justice" in form and "Power dynamics" in form and "Implicit bias" not in form
    # A topic taken out of use stays on the sessions that have it.
    assert "Implicit bias, Power dynamics" in page(admin_client.get("/admin/mentoring/sessions"))


# --- 4. The trainee's side -----------------------------------------------------------------------------

def test_trainee_sees_summaries_of_the_sessions_they_attended_and_never_notes(app, circle, client_as):
    bea = page(client_as(circle.bea).get("/my/mentoring"))
    assert "<strong>Amara Okafor</strong>" in section(bea, "mentor")
    assert "<strong>Thursday circle</strong> · with Amara Okafor" in section(bea, "group")
    assert SUMMARY_BEA in bea and SUMMARY_GROUP in bea and "Power dynamics" in bea
    # Cal belongs to the group but missed its session: he sees the group, not what was said there.
    cal = page(client_as(circle.cal).get("/my/mentoring"))
    assert "<strong>Thursday circle</strong>" in section(cal, "group")
    assert SUMMARY_GROUP not in cal and SUMMARY_BEA not in cal
    dana = page(client_as(circle.dana).get("/my/mentoring"))
    assert SUMMARY_DANA in dana and SUMMARY_BEA not in dana and SUMMARY_GROUP not in dana
    for trainee in (circle.bea, circle.cal, circle.dana):
        client = client_as(trainee)
        for url in ("/my/mentoring", "/my/mentoring/hours", "/my/mentoring/hours.csv", "/account/export.json"):
            body = page(client.get(url))
            for notes in (NOTES_BEA, NOTES_GROUP, NOTES_DANA):
                assert notes not in body, f"{trainee.full_name} reads notes on {url}"
        assert client.get(f"/mentor/sessions/{circle.one_to_one}").status_code == 403


@pytest.fixture
def ledger(office, make_course):
    """Bea's sessions: two individual with Amara, one group with a mentor whose name looks like a formula."""
    made = make_course()
    amara = office.mentor("Amara Okafor")
    formula = office.mentor('=HYPERLINK("http://evil.example","Ruth")')
    bea, cal = office.trainee(made, "Bea Ito"), office.trainee(made, "Cal Moreno")
    office.assign(amara, bea, made)
    office.assign(amara, cal, made)
    group = office.group(formula, made, [bea, cal])
    office.log(amara, [bea], held_on=date(2025, 1, 10), minutes=60)
    office.log(amara, [bea, cal], held_on=date(2025, 2, 14), minutes=90, format=SessionFormat.IN_PERSON)
    office.log(formula, [bea, cal], group=group, held_on=date(2025, 3, 1), minutes=45)
    office.log(amara, [cal], held_on=date(2025, 3, 2), minutes=120)  # Bea was not there
    office.log(amara, [bea], held_on=date(2025, 3, 3), minutes=120, planned=True)  # not held yet
    return SimpleNamespace(bea=bea, amara=amara, formula=formula)


def test_hours_ledger_totals_individual_and_group_hours_by_mentor_and_date(ledger, client_as):
    client = client_as(ledger.bea)
    assert "Individual: 2.5 hours. Group: 0.75 hours. Total: 3.25 hours." in page(client.get("/my/mentoring"))
    hours = page(client.get("/my/mentoring/hours"))
    assert "Amara Okafor: individual 2.5, group 0</li>" in hours
    assert "=HYPERLINK(&#34;http://evil.example&#34;,&#34;Ruth&#34;): individual 0, group 0.75" in hours
    assert re.findall(r"<dd>([\d.]+)</dd>", hours) == ["2.5", "0.75", "3.25"]


def test_hours_page_without_hours_says_so_once_and_shows_no_empty_lists(client_as, make_user):
    hours = page(client_as(make_user()).get("/my/mentoring/hours"))
    assert hours.count("No hours yet.") == 1
    assert "By mentor" not in hours and "<li>—</li>" not in hours


def test_hours_ledger_csv_has_one_row_a_session_and_neutralises_formulas(ledger, client_as):
    response = client_as(ledger.bea).get("/my/mentoring/hours.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.cache_control.no_store
    assert list(csv.reader(io.StringIO(response.get_data(as_text=True)))) == [
        ["date", "rsc_provider", "type", "format", "hours"],
        ["2025-01-10", "Amara Okafor", "individual", "video", "1.00"],
        ["2025-02-14", "Amara Okafor", "individual", "in_person", "1.50"],
        ["2025-03-01", '\'=HYPERLINK("http://evil.example","Ruth")', "group", "video", "0.75"],
        ["", "", "individual", "", "2.50"],
        ["", "", "group", "", "0.75"],
        ["", "", "total", "", "3.25"],
    ]


def test_hours_ledger_pdf_downloads_as_a_private_attachment(ledger, client_as, tmp_path):
    response = client_as(ledger.bea).get("/my/mentoring/hours.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.cache_control.no_store
    path = tmp_path / "hours.pdf"
    path.write_bytes(response.data)
    shown = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                           check=True).stdout
    assert "Bea Ito" in shown
    assert re.search(r"Total\s+3\.25", shown)


# --- 5. The mentor's side ------------------------------------------------------------------------------

def test_mentor_home_shows_mentees_progress_groups_sessions_to_log_and_hours(app, office, circle, client_as):
    with app.app_context():
        today = program_today()
    with office.work():  # Bea has done one of the course's two modules
        enrollment = db.session.scalar(select(Enrollment).where(Enrollment.user_id == circle.bea.id))
        complete_module(enrollment, db.session.get(Module, circle.made.module_ids[0]))
    past = office.log(circle.amara, [circle.bea], held_on=today - timedelta(days=3), planned=True)
    future = office.log(circle.amara, [circle.bea], held_on=today + timedelta(days=7), planned=True)
    client = client_as(circle.amara)

    home = page(client.get("/mentor"))
    mentees = section(home, "mentees")
    assert "Bea Ito" in mentees and f"{circle.made.code}: 1 of 2" in words_of(mentees) and "Dana Wu" not in mentees
    assert "Thursday circle" in section(home, "groups")
    waiting, planned = section(home, "waiting").split("<h3>", 1)
    assert f"/mentor/sessions/{past}/edit" in waiting and f"/mentor/sessions/{future}/edit" not in waiting
    assert "Planned" in planned
    assert "2.5 hours in 2 sessions" in home  # the planned sessions are not hours yet
    mentee = page(client.get(f"/mentor/mentees/{circle.bea.id}"))
    assert circle.made.code in mentee and "Bea Ito" in mentee

    # Logging the waiting session takes it off the list and adds its hour.
    assert client.post_form(f"/mentor/sessions/{past}/edit", session_form(
        attendees=[circle.bea.id], held_on=today - timedelta(days=3))).status_code == 302
    home = page(client.get("/mentor"))
    assert f"/mentor/sessions/{past}/edit" not in section(home, "waiting")
    assert "Nothing to log. Thank you!" in section(home, "waiting")
    assert "3.5 hours in 3 sessions" in home


# --- 6. From trainee to mentor -------------------------------------------------------------------------

@pytest.fixture
def graduates(office, make_course, make_user):
    """A program of two courses: Gina completed both, Jo only the first, Ivy both but she already mentors."""
    first = make_course()
    second = make_course(program_id=first.program_id)
    gina = office.trainee(first, "Gina Graduate")
    jo = office.trainee(first, "Jo Halfway")
    ivy = make_user(roles=["trainee", "mentor"], full_name="Ivy Mentor")
    office.enroll(ivy, first)
    for person in (gina, jo, ivy):
        office.enroll(person, second)
    for person, made in ((gina, first), (gina, second), (jo, first), (ivy, first), (ivy, second)):
        office.complete_course(person, made)
    return SimpleNamespace(gina=gina, jo=jo, ivy=ivy)


def trainee_history(app, user) -> tuple:
    """What a person did as a trainee: enrollments with their completion, and modules done."""
    with app.app_context():
        enrollments = db.session.execute(select(
            Enrollment.course_id, Enrollment.cohort_id, Enrollment.status, Enrollment.completed_at)
            .where(Enrollment.user_id == user.id).order_by(Enrollment.id)).all()
        modules = db.session.scalar(select(func.count()).select_from(ModuleProgress).join(Enrollment).where(
            Enrollment.user_id == user.id, ModuleProgress.completed_at.is_not(None)))
        return enrollments, modules


def roles_of(app, user) -> set:
    with app.app_context():
        return set(db.session.get(User, user.id).role_names)


def test_admin_invites_a_graduate_who_completed_every_course_of_a_program(app, graduates, admin_client, client_as):
    listed = page(admin_client.get("/admin/mentoring/graduates"))
    assert "Gina Graduate" in listed
    assert "Jo Halfway" not in listed and "Ivy Mentor" not in listed
    response = admin_client.post_form(f"/admin/mentoring/graduates/{graduates.gina.id}/invite",
                                      {"message": "Your families trust you; we would love you to mentor."})
    assert response.status_code == 302
    with app.app_context():
        invitation = db.session.scalar(select(MentorInvitation))
        assert (invitation.user_id, invitation.answered_at) == (graduates.gina.id, None)
        assert db.session.scalar(select(Notification.params).where(
            Notification.user_id == graduates.gina.id, Notification.kind == "mentor_invited")) == {
            "invitation_id": invitation.id}
        assert db.session.scalar(select(AuditEvent.target_user_id).where(AuditEvent.action == "mentor_invited")) == (
            graduates.gina.id)
    gina = client_as(graduates.gina)
    assert "The program invites you to become a mentor." in page(gina.get("/"))
    mine = page(gina.get("/my/mentoring"))
    assert "You are invited to become a mentor" in mine
    assert "Your families trust you; we would love you to mentor." in mine


@pytest.fixture
def invited(app, office, graduates):
    with office.work():
        invitation = invitations.invite(db.session.get(User, graduates.gina.id),
                                        by=db.session.get(User, office.admin_id))
        graduates.invitation = invitation.id
    return graduates


def test_accepting_adds_the_mentor_role_and_keeps_the_trainee_history(app, invited, admin_client, client_as):
    before = trainee_history(app, invited.gina)
    gina = client_as(invited.gina)
    response = gina.post_form(f"/my/mentoring/invitation/{invited.invitation}/accept")
    assert response.status_code == 302 and response.headers["Location"] == "/mentor/profile"
    assert roles_of(app, invited.gina) == {Role.TRAINEE, Role.MENTOR}
    assert trainee_history(app, invited.gina) == before
    assert all(completed is not None for *_, completed in before[0]) and before[1] == 4
    with app.app_context():
        invitation = db.session.get(MentorInvitation, invited.invitation)
        assert invitation.accepted is True and invitation.answered_at is not None
        assert db.session.get(MentorProfile, invited.gina.id) is not None
    assert gina.get("/mentor").status_code == 200
    assert "Gina Graduate" not in page(admin_client.get("/admin/mentoring/graduates"))


def test_declining_adds_no_role(app, invited, client_as):
    gina = client_as(invited.gina)
    assert gina.post_form(f"/my/mentoring/invitation/{invited.invitation}/decline").status_code == 302
    assert roles_of(app, invited.gina) == {Role.TRAINEE}
    with app.app_context():
        invitation = db.session.get(MentorInvitation, invited.invitation)
        assert invitation.accepted is False and invitation.answered_at is not None
    assert gina.get("/mentor").status_code == 403
    assert "You are invited to become a mentor" not in page(gina.get("/my/mentoring"))


@pytest.mark.parametrize("answer", ["accept", "decline"])
def test_answering_someone_elses_invitation_is_404(app, invited, client_as, answer):
    jo = client_as(invited.jo)
    assert jo.post_form(f"/my/mentoring/invitation/{invited.invitation}/{answer}").status_code == 404
    assert roles_of(app, invited.jo) == {Role.TRAINEE} and roles_of(app, invited.gina) == {Role.TRAINEE}
    with app.app_context():
        assert db.session.get(MentorInvitation, invited.invitation).answered_at is None
