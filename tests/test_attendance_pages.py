"""Attendance pages, request by request: marking, checking in, importing a meeting report, scheduling,
rates and warnings, calendars and exports, and what each page costs as the roster grows.

Who may open which page is the access matrix's business (tests/test_access_policy.py); these tests check
what the pages do once open, and read the database after every request.
"""

import csv
import html
import io
import json
import logging
import re
import shutil
import subprocess
import time
from collections import Counter
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select, update

from lms.accounts import services as accounts
from lms.accounts.models import Role, User
from lms.accounts.sessions import AUTH_AT
from lms.attendance import checkin, services
from lms.attendance.roster import roster_ids
from lms.attendance.models import AttendanceChange, AttendanceRecord, LearningSession, SessionKind, Source, Status
from lms.courses.models import Cohort, Course, Program
from lms.enrollment.models import EnrollmentPeriod
from lms.enrollment.services import enroll
from lms.extensions import db
from lms.mentoring import services as mentoring
from lms.mentoring.models import GroupMember, ReflectiveGroup
from lms.sqltypes import utcnow
from tests.pages import after, field_error, table_rows, tag, text_of

MINUTE, HOUR, DAY = timedelta(minutes=1), timedelta(hours=1), timedelta(days=1)
#: A name a spreadsheet would run as a command if the export did not neutralise it.
FORMULA = "=cmd|' /C calc'!A0"
#: A Zoom participant report exported "with meeting data": the meeting's summary, then one row per join.
#: {n} stands for n minutes after the session's start, in the program's time zone (see zoom_report).
ZOOM_REPORT = """\
Topic,Meeting ID,User Name,User Email,Department,Group,Has Zoom Rooms,Creation Time,Start Time,End Time,\
Duration (Minutes),Participants
Evening circle,812 3456 7890,Mai Vu,mai@example.org,,,No,{-10000},{0},{60},60,5

Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest,Recording Consent,In Waiting Room
Lan N. (Lan Nguyen),LAN@example.org,{0},{30},30,No,Y,No
Lan N. (Lan Nguyen),lan@example.org,{25},{55},30,No,Y,No
cabdi  maxamed,,{20},{60},40,Yes,Y,No
iPhone de Rosa,,{8},{60},52,Yes,Y,No
Guest Speaker,guest@example.net,{0},{60},60,Yes,Y,No
"""


class CohortWithSessions:
    """A course cohort whose trainees Lan, Cabdi and Rosa enrolled a month ago; Mai mentors them and facilitates."""

    def __init__(self, app, make_user, login, made, admin):
        self.app, self.make_user, self.login, self.made, self.admin = app, make_user, login, made, admin
        self.mentor = make_user("mentor", full_name="Mai Vu", email="mai@example.org")
        with app.app_context():
            mentoring.save_profile(db.session.get(User, self.mentor.id), languages=["en"], bio="", is_active=True,
                                   max_mentees=100, max_groups=4)
            db.session.commit()
        self.lan = self.add_trainee("Lan Nguyen", email="lan@example.org")
        self.cabdi = self.add_trainee("Cabdi Maxamed", email="cabdi@example.org")
        self.rosa = self.add_trainee("Rosa Díaz", email="rosa@example.org")
        self._clients = {}

    def add_trainee(self, full_name: str, *, enrolled_ago: timedelta | None = 30 * DAY, **fields) -> User:
        """A trainee holding a seat for `enrolled_ago` (None: from now on), assigned to Mai."""
        user = self.make_user(full_name=full_name, **fields)
        self.enroll([user.id], enrolled_ago=enrolled_ago)
        return user

    def add_roster(self, count: int) -> None:
        """Enroll `count` more trainees at once (no passwords: they never log in)."""
        with self.app.app_context():
            start = db.session.scalar(select(func.count()).select_from(User))
            ids = [accounts.create_user(email=f"roster{n}@example.org", full_name=f"Roster {n:03d}", password=None).id
                   for n in range(start, start + count)]
            db.session.commit()
        self.enroll(ids)

    def enroll(self, user_ids: list[int], *, enrolled_ago: timedelta | None = 30 * DAY) -> None:
        with self.app.app_context():
            course, cohort = db.session.get(Course, self.made.course_id), db.session.get(Cohort, self.made.cohort_id)
            mentor, by = db.session.get(User, self.mentor.id), db.session.get(User, self.admin.id)
            for user_id in user_ids:
                trainee = db.session.get(User, user_id)
                enroll(trainee, course, cohort, "en")
                mentoring.assign(mentor, trainee, cohort, by=by)
            if enrolled_ago is not None:
                db.session.execute(update(EnrollmentPeriod).where(EnrollmentPeriod.user_id.in_(user_ids))
                                   .values(started_at=utcnow() - enrolled_ago))
            db.session.commit()

    def add_group(self, name: str, members: list[User]) -> int:
        """A reflective group of Mai's whose members joined a month ago."""
        with self.app.app_context():
            group = mentoring.create_group(
                db.session.get(User, self.mentor.id), db.session.get(Cohort, self.made.cohort_id), name=name,
                language="en", trainee_ids=[m.id for m in members], by=db.session.get(User, self.admin.id))
            db.session.execute(update(GroupMember).where(GroupMember.group_id == group.id)
                               .values(joined_at=utcnow() - 30 * DAY))
            db.session.commit()
            return group.id

    def schedule(self, starts_in: timedelta, minutes: int = 60, *, title="Evening circle", facilitator=None,
                 group_id=None, made=None) -> int:
        """A session of the cohort's course (or of a group) starting `starts_in` from now; Mai facilitates."""
        made = made or self.made
        with self.app.app_context():
            starts = utcnow() + starts_in
            session = services.save_session(
                LearningSession(), kind=SessionKind.GROUP if group_id else SessionKind.COURSE, title=title,
                starts_at=starts, ends_at=starts + minutes * MINUTE, language="en",
                facilitator=db.session.get(User, (facilitator or self.mentor).id),
                course=db.session.get(Course, made.course_id), cohort=db.session.get(Cohort, made.cohort_id),
                group=db.session.get(ReflectiveGroup, group_id) if group_id else None)
            db.session.commit()
            return session.id

    def mark(self, session_id: int, statuses: dict[User, str], *, minutes: int | None = None, by=None) -> None:
        with self.app.app_context():
            services.mark(db.session.get(LearningSession, session_id),
                          [services.Mark(user.id, Status(status), minutes) for user, status in statuses.items()],
                          by=db.session.get(User, (by or self.mentor).id), source=Source.FACILITATOR)
            db.session.commit()

    def mark_everyone_present(self, session_id: int) -> None:
        with self.app.app_context():
            services.mark_all_present(db.session.get(LearningSession, session_id),
                                      by=db.session.get(User, self.mentor.id))
            db.session.commit()

    def roster_ids(self, session_id: int) -> set[int]:
        with self.app.app_context():
            return roster_ids(db.session.get(LearningSession, session_id))

    def records(self, session_id: int) -> dict[int, tuple[str, int | None, str]]:
        """{trainee id: (status, minutes, source)} as stored."""
        with self.app.app_context():
            return {r.trainee_id: (r.status.value, r.minutes, r.source.value) for r in db.session.scalars(
                select(AttendanceRecord).where(AttendanceRecord.session_id == session_id))}

    def changes(self, session_id: int) -> int:
        with self.app.app_context():
            return db.session.scalar(select(func.count()).select_from(AttendanceChange)
                                     .where(AttendanceChange.session_id == session_id))

    def local_start(self, session_id: int) -> datetime:
        """When the session starts on the program's clock, as a meeting tool's report writes it."""
        with self.app.app_context():
            zone = ZoneInfo(self.app.config["LMS_TIMEZONE"])
            return db.session.get(LearningSession, session_id).starts_at.astimezone(zone).replace(tzinfo=None)

    def code(self, session_id: int, moment: datetime | None = None) -> str:
        """The check-in code the session's screen shows at `moment` (now by default)."""
        with self.app.app_context():
            return checkin.code_at(db.session.get(LearningSession, session_id), moment or utcnow())

    def client_of(self, user: User):
        """A client logged in as `user`, made once per test."""
        if user.id not in self._clients:
            self._clients[user.id] = self.app.test_client()
            self.login(self._clients[user.id], user)
        return self._clients[user.id]


@pytest.fixture
def cohort(app, make_user, make_course, login, admin):
    return CohortWithSessions(app, make_user, login, make_course(capacity=500), admin)


@pytest.fixture
def mai(cohort):
    return cohort.client_of(cohort.mentor)


@pytest.fixture
def lan(cohort):
    return cohort.client_of(cohort.lan)


@pytest.fixture
def office(cohort, admin):
    """The admin, logged in just now (exports ask for a recent login)."""
    return cohort.client_of(admin)


def sheet(*rows) -> dict:
    """The take-attendance form: (person, status, minutes typed[, what the page showed]) for each row.

    What the page showed is "status:minutes" as the hidden field carries it; left out, the row was unmarked.
    """
    form = {}
    for person, status, minutes, *seen in rows:
        form[f"status-{person.id}"], form[f"minutes-{person.id}"] = status, minutes
        if seen:
            form[f"seen-{person.id}"] = seen[0]
    return form


def status_choices(body: str, uid: int) -> dict[str, bool]:
    """A person's status radio buttons on the sheet: {value: checked?}, in the page's order."""
    return {value: bool(checked) for value, checked in re.findall(
        rf'<input type="radio" name="status-{uid}" value="([^"]*)"( checked)?>', body)}


def chosen_status(body: str, uid: int) -> str | None:
    """The status the sheet shows as chosen for a person ("" for not marked), or None if none is."""
    return next((value for value, checked in status_choices(body, uid).items() if checked), None)


def loaded_sheet(client, session_id: int) -> dict:
    """The take-attendance form as the browser would post it untouched: every row, as the page was loaded."""
    body = client.get(f"/sessions/{session_id}/attendance").get_data(as_text=True)
    form = {}
    for uid in sorted(set(re.findall(r'name="status-(\d+)"', body))):
        if (chosen := chosen_status(body, int(uid))) is not None:  # a group with nothing chosen posts nothing
            form[f"status-{uid}"] = chosen
        form[f"minutes-{uid}"] = re.search(r'value="([^"]*)"', tag(body, f"minutes-{uid}")).group(1)
        form[f"seen-{uid}"] = hidden(body, f"seen-{uid}")
    return form


def changed(form: dict, *rows) -> dict:
    """The loaded form with these rows changed: (person, status, minutes)."""
    return {**form, **{k: v for person, status, minutes in rows
                       for k, v in ((f"status-{person.id}", status), (f"minutes-{person.id}", minutes))}}


# Taking attendance


def test_the_facilitator_saves_each_persons_status_and_minutes(cohort, mai):
    held = cohort.schedule(-2 * DAY)
    response = mai.post_form(f"/sessions/{held}/attendance", sheet(
        (cohort.lan, "present", "55"), (cohort.cabdi, "absent", ""), (cohort.rosa, "", "")))
    assert response.headers["Location"] == f"/sessions/{held}/attendance"
    assert "Attendance saved (2 changes)." in after(mai, response)
    assert cohort.records(held) == {cohort.lan.id: ("present", 55, "facilitator"),
                                    cohort.cabdi.id: ("absent", None, "facilitator")}


@pytest.mark.parametrize("who", ["a trainee on the roster", "another mentor"])
def test_only_the_facilitator_or_an_admin_may_post_marks(cohort, who):
    held = cohort.schedule(-2 * DAY)
    poster = cohort.lan if who.startswith("a trainee") else cohort.make_user("mentor", full_name="Other Mentor")
    response = cohort.client_of(poster).post_form(f"/sessions/{held}/attendance", sheet(
        (cohort.lan, "present", "60")))
    assert response.status_code == 404
    assert cohort.records(held) == {} and cohort.changes(held) == 0


@pytest.mark.parametrize("forged", ["someone who enrolled after the session started", "an id nobody has"])
def test_a_mark_for_someone_off_the_roster_is_refused_and_nothing_of_the_batch_is_saved(cohort, mai, forged):
    started = cohort.schedule(-30 * MINUTE)
    late = cohort.add_trainee("Late Comer", enrolled_ago=None)
    forged_id = late.id if forged.startswith("someone") else 987_654
    form = {**sheet((cohort.lan, "present", "30")), f"status-{forged_id}": "present", f"minutes-{forged_id}": "30"}
    response = mai.post_form(f"/sessions/{started}/attendance", form)
    assert response.status_code == 422
    page = text_of(response)
    assert "Attendance can only be taken for people on this session's roster." in page
    assert "Late Comer" not in page
    assert 'value="30"' in tag(response.get_data(as_text=True), f"minutes-{cohort.lan.id}")
    assert cohort.records(started) == {} and cohort.changes(started) == 0


@pytest.mark.parametrize("minutes", ["abc", "-5", "99999"])
def test_minutes_that_are_not_a_whole_number_up_to_a_day_are_refused_next_to_the_field(cohort, mai, minutes):
    held = cohort.schedule(-2 * DAY)
    response = mai.post_form(f"/sessions/{held}/attendance", sheet(
        (cohort.lan, "present", "50"), (cohort.cabdi, "late", minutes)))
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    cabdi, lan = f"minutes-{cohort.cabdi.id}", f"minutes-{cohort.lan.id}"
    assert field_error(body, cabdi) == "Enter the minutes as a whole number from 0 to 1440."
    assert f'value="{minutes}"' in tag(body, cabdi)
    assert 'value="50"' in tag(body, lan) and "aria-invalid" not in tag(body, lan)
    assert chosen_status(body, cohort.cabdi.id) == "late"
    assert "Nothing was saved. Correct these rows:" in text_of(response)
    assert cohort.records(held) == {} and cohort.changes(held) == 0


def test_all_present_marks_everyone_not_marked_yet_and_then_the_exceptions_are_changed(cohort, mai):
    held = cohort.schedule(-2 * DAY, minutes=90)
    cohort.mark(held, {cohort.rosa: "excused"})
    page = after(mai, mai.post_form(f"/sessions/{held}/attendance/all-present"))
    assert "2 people marked present. Now change the exceptions." in page
    assert cohort.records(held) == {cohort.lan.id: ("present", 90, "facilitator"),
                                    cohort.cabdi.id: ("present", 90, "facilitator"),
                                    cohort.rosa.id: ("excused", None, "facilitator")}
    response = mai.post_form(f"/sessions/{held}/attendance", sheet(
        (cohort.lan, "present", "90", "present:90"), (cohort.cabdi, "late", "60", "present:90"),
        (cohort.rosa, "absent", "", "excused:")))
    assert "Attendance saved (2 changes)." in after(mai, response)
    assert cohort.records(held) == {cohort.lan.id: ("present", 90, "facilitator"),
                                    cohort.cabdi.id: ("late", 60, "facilitator"),
                                    cohort.rosa.id: ("absent", None, "facilitator")}
    assert cohort.changes(held) == 5


NOT_STARTED = "This session has not started yet. Attendance can be marked from"


def test_a_session_that_has_not_started_shows_its_roster_with_nothing_to_mark(cohort, mai):
    next_week = cohort.schedule(7 * DAY)
    response = mai.get(f"/sessions/{next_week}/attendance")
    body, page = response.get_data(as_text=True), text_of(response)
    assert NOT_STARTED in page
    assert all(person.full_name in page for person in (cohort.lan, cohort.cabdi, cohort.rosa))
    assert 'name="status-' not in body and 'name="minutes-' not in body
    assert "Mark everyone not marked yet as present" not in page and "Save attendance" not in page
    assert "Import a video meeting report" not in page


@pytest.mark.parametrize("who", ["the facilitator", "an admin"])
def test_nobody_marks_a_session_before_it_starts(cohort, who):
    next_week = cohort.schedule(7 * DAY)
    client = cohort.client_of(cohort.mentor if who == "the facilitator" else cohort.admin)
    response = client.post_form(f"/sessions/{next_week}/attendance", sheet((cohort.lan, "present", "60")))
    assert response.status_code == 422 and NOT_STARTED in text_of(response)
    assert NOT_STARTED in after(client, client.post_form(f"/sessions/{next_week}/attendance/all-present"))
    assert cohort.records(next_week) == {} and cohort.changes(next_week) == 0


def test_marking_opens_at_the_start_and_check_in_keeps_its_window_before_it(cohort, mai, lan):
    soon, started = cohort.schedule(10 * MINUTE), cohort.schedule(-1 * MINUTE, title="Morning circle")
    assert mai.post_form(f"/sessions/{soon}/attendance", sheet((cohort.cabdi, "present", "60"))).status_code == 422
    lan.post_form(f"/sessions/{soon}/check-in", {"code": cohort.code(soon)})  # 10 minutes early: on time
    assert cohort.records(soon) == {cohort.lan.id: ("present", 60, "check_in")}
    response = mai.post_form(f"/sessions/{started}/attendance", sheet((cohort.cabdi, "present", "60")))
    assert "Attendance saved (1 changes)." in after(mai, response)


def test_a_meeting_report_is_not_imported_before_the_session_starts(cohort, mai):
    next_week = cohort.schedule(7 * DAY)
    page = mai.get(f"/sessions/{next_week}/import")
    assert NOT_STARTED in text_of(page) and 'name="file"' not in page.get_data(as_text=True)
    response = upload(mai, next_week, zoom_report(cohort, next_week))
    assert response.status_code == 422 and NOT_STARTED in text_of(response)
    confirm = {"content": "Name (Original Name),User Email,Duration (Minutes)\nLan Nguyen,lan@example.org,60\n",
               "min_minutes": "50"}
    response = mai.post_form(f"/sessions/{next_week}/import/confirm", confirm)
    assert response.status_code == 422 and NOT_STARTED in text_of(response)
    assert cohort.records(next_week) == {} and cohort.changes(next_week) == 0


def test_a_page_loaded_before_someone_elses_change_does_not_undo_it(cohort, mai, office):
    held = cohort.schedule(-2 * DAY)
    cohort.mark(held, {cohort.lan: "present", cohort.cabdi: "present"}, minutes=60)
    stale = loaded_sheet(mai, held)  # Mai opens the page...
    office.post_form(f"/sessions/{held}/attendance", changed(loaded_sheet(office, held), (cohort.lan, "excused", "")))
    # ...and, without reloading, changes only Cabdi; the browser posts every row.
    response = mai.post_form(f"/sessions/{held}/attendance", changed(stale, (cohort.cabdi, "late", "40")))
    assert "Attendance saved (1 changes)." in after(mai, response)
    assert cohort.records(held) == {cohort.lan.id: ("excused", None, "facilitator"),
                                    cohort.cabdi.id: ("late", 40, "facilitator")}


def test_a_row_someone_else_changed_since_the_page_was_loaded_is_refused_and_what_was_typed_is_kept(
        cohort, mai, office):
    held = cohort.schedule(-2 * DAY)
    cohort.mark(held, {cohort.lan: "present"}, minutes=60)
    stale = loaded_sheet(mai, held)
    office.post_form(f"/sessions/{held}/attendance", changed(loaded_sheet(office, held), (cohort.lan, "excused", "")))
    response = mai.post_form(f"/sessions/{held}/attendance", changed(
        stale, (cohort.lan, "late", "30"), (cohort.cabdi, "absent", "0")))
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Someone else changed attendance since you opened this page. Nothing was saved." in text_of(response)
    assert field_error(body, f"status-{cohort.lan.id}") == (
        "Changed since you opened the page, now: Excused. Save again to replace it with yours.")
    assert chosen_status(body, cohort.lan.id) == "late"
    assert 'value="30"' in tag(body, f"minutes-{cohort.lan.id}")
    assert chosen_status(body, cohort.cabdi.id) == "absent"
    assert cohort.records(held) == {cohort.lan.id: ("excused", None, "facilitator")}
    # Having seen the newer mark, saving the page again replaces it on purpose.
    again = {k: hidden(body, k) if k.startswith("seen-") else v for k, v in changed(
        stale, (cohort.lan, "late", "30"), (cohort.cabdi, "absent", "0")).items()}
    assert "Attendance saved (2 changes)." in after(mai, mai.post_form(f"/sessions/{held}/attendance", again))
    assert cohort.records(held) == {cohort.lan.id: ("late", 30, "facilitator"),
                                    cohort.cabdi.id: ("absent", 0, "facilitator")}


def test_each_person_is_a_group_of_status_buttons_named_after_them_with_their_minutes_beside(cohort, mai):
    held = cohort.schedule(-2 * DAY)
    cohort.mark(held, {cohort.lan: "late"}, minutes=40)
    body = mai.get(f"/sessions/{held}/attendance").get_data(as_text=True)
    row = re.search(rf'<fieldset[^>]*id="status-{cohort.lan.id}".*?</fieldset>', body, re.S).group(0)
    assert re.search(r"<legend[^>]*>Lan Nguyen</legend>", row)
    assert re.findall(r'<label class="mark__choice[^"]*"><input type="radio"[^>]*><span>(.*?)</span></label>', row) == [
        "Present", "Late", "Excused", "Absent"]
    assert chosen_status(body, cohort.lan.id) == "late"
    assert 'value="40"' in tag(row, f"minutes-{cohort.lan.id}")
    assert "Minutes attended by Lan Nguyen" in row and "<select" not in row


def test_a_row_whose_status_buttons_were_left_unchosen_but_has_minutes_is_refused(cohort, mai):
    held = cohort.schedule(-2 * DAY)
    response = mai.post_form(f"/sessions/{held}/attendance", {
        **sheet((cohort.lan, "present", "50")), f"seen-{cohort.cabdi.id}": "", f"minutes-{cohort.cabdi.id}": "45"})
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), f"status-{cohort.cabdi.id}") == (
        "Choose a status for the minutes you typed.")
    assert cohort.records(held) == {} and cohort.changes(held) == 0


def test_a_marked_row_offers_no_not_marked_and_clearing_it_is_refused_next_to_the_field(cohort, mai):
    held = cohort.schedule(-2 * DAY)
    cohort.mark(held, {cohort.lan: "present"}, minutes=60)
    body = mai.get(f"/sessions/{held}/attendance").get_data(as_text=True)
    assert status_choices(body, cohort.lan.id) == {
        "present": True, "late": False, "excused": False, "absent": False}
    assert status_choices(body, cohort.cabdi.id) == {
        "present": False, "late": False, "excused": False, "absent": False, "": True}
    response = mai.post_form(f"/sessions/{held}/attendance", changed(loaded_sheet(mai, held), (cohort.lan, "", "")))
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), f"status-{cohort.lan.id}") == (
        "A mark cannot be removed. Choose Absent or Excused instead.")
    assert cohort.records(held) == {cohort.lan.id: ("present", 60, "facilitator")}


@pytest.mark.parametrize("status, minutes, message", [
    ("here", "60", "Choose a status from the list."),
    ("", "45", "Choose a status for the minutes you typed."),
])
def test_a_status_that_cannot_be_saved_is_refused_next_to_the_field(cohort, mai, status, minutes, message):
    held = cohort.schedule(-2 * DAY)
    response = mai.post_form(f"/sessions/{held}/attendance", sheet(
        (cohort.lan, "present", "50"), (cohort.cabdi, status, minutes)))
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), f"status-{cohort.cabdi.id}") == message
    assert cohort.records(held) == {} and cohort.changes(held) == 0


def test_an_admin_without_a_second_factor_is_sent_to_set_it_up_from_a_sessions_pages(cohort, make_user):
    held = cohort.schedule(-2 * DAY)
    newcomer = cohort.client_of(make_user("admin", full_name="New Admin", two_factor=False))
    for path in (f"/sessions/{held}/attendance", f"/sessions/{held}/attendance.csv", f"/sessions/{held}/import",
                 f"/sessions/{held}/code", "/sessions/987654/attendance"):
        response = newcomer.get(path)
        assert (response.status_code, response.headers.get("Location")) == (302, "/account/two-factor"), path
    newcomer.post_form(f"/sessions/{held}/attendance", sheet((cohort.lan, "absent", "0")))
    newcomer.post_form(f"/sessions/{held}/attendance/all-present")
    assert cohort.records(held) == {}


def test_a_facilitator_who_is_no_longer_a_mentor_cannot_open_or_post_their_sessions(app, cohort, mai):
    held = cohort.schedule(-2 * DAY)
    assert mai.get(f"/sessions/{held}/attendance").status_code == 200
    with app.app_context():
        accounts.revoke_role(db.session.get(User, cohort.mentor.id), Role.MENTOR,
                             by=db.session.get(User, cohort.admin.id))
        db.session.commit()
    assert mai.get(f"/sessions/{held}/attendance").status_code == 404
    assert mai.get(f"/sessions/{held}/attendance.csv").status_code == 404
    assert mai.post_form(f"/sessions/{held}/attendance", sheet((cohort.lan, "absent", "0"))).status_code == 404
    assert cohort.records(held) == {}


def test_the_changes_say_who_marked_what_newest_first(cohort, mai, office, admin):
    held = cohort.schedule(-2 * DAY)
    mai.post_form(f"/sessions/{held}/attendance", sheet((cohort.lan, "present", "60")))
    office.post_form(f"/sessions/{held}/attendance", sheet((cohort.lan, "late", "45", "present:60")))
    assert cohort.records(held) == {cohort.lan.id: ("late", 45, "facilitator")}
    page = text_of(mai.get(f"/sessions/{held}/attendance"))
    newest, oldest = "Lan Nguyen → Late (45 minutes) · Ada Admin", "Lan Nguyen → Present (60 minutes) · Mai Vu"
    assert newest in page and oldest in page
    assert page.index(newest) < page.index(oldest)


# Checking in


def test_someone_on_the_roster_checks_in_with_the_code_on_the_screen(cohort, lan):
    soon = cohort.schedule(10 * MINUTE)  # check-in opens 15 minutes before the start
    link = f"/sessions/{soon}/check-in?code={cohort.code(soon)}"  # what the QR code opens
    assert f'value="{cohort.code(soon)}"' in tag(lan.get(link).get_data(as_text=True), "code")
    response = lan.post_form(link, {"code": cohort.code(soon)})
    assert response.headers["Location"] == "/my/sessions"
    assert "You are checked in: Present." in after(lan, response)
    assert cohort.records(soon) == {cohort.lan.id: ("present", 60, "check_in")}


def test_checking_in_more_than_ten_minutes_after_the_start_counts_as_late(cohort, lan):
    running = cohort.schedule(-20 * MINUTE)
    response = lan.post_form(f"/sessions/{running}/check-in", {"code": cohort.code(running)})
    assert "You are checked in: Late." in after(lan, response)
    (status, minutes, source), = cohort.records(running).values()
    assert (status, source) == ("late", "check_in") and 38 <= minutes <= 40


def wrong_code(cohort, session_id) -> str:
    """A code that is not valid for the session in the minutes around now."""
    valid = {cohort.code(session_id, utcnow() + n * MINUTE) for n in (-1, 0, 1)}
    return next(code for code in (f"{n:06d}" for n in range(1_000_000)) if code not in valid)


@pytest.mark.parametrize("whose", ["a mistyped code", "the code of another session at the same time"])
def test_a_code_that_is_not_this_sessions_current_code_is_refused_next_to_the_field(cohort, lan, whose):
    soon, other = cohort.schedule(5 * MINUTE), cohort.schedule(5 * MINUTE, title="Parallel session")
    code = wrong_code(cohort, soon) if whose == "a mistyped code" else cohort.code(other)
    response = lan.post_form(f"/sessions/{soon}/check-in", {"code": code})
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert field_error(body, "code") == ("This code is not the current code of this session. "
                                         "Ask the facilitator for the code on the screen now.")
    assert f'value="{code}"' in tag(body, "code")
    assert cohort.records(soon) == {} and cohort.records(other) == {}


@pytest.mark.parametrize("starts_in, message", [
    (2 * DAY, "Check-in opens at"), (-3 * HOUR, "Check-in closed at"),
    (-70 * MINUTE, "Check-in closed at"),  # ended ten minutes ago: closed when it ended
])
def test_the_current_code_is_refused_outside_the_check_in_window(cohort, lan, starts_in, message):
    session = cohort.schedule(starts_in)
    response = lan.post_form(f"/sessions/{session}/check-in", {"code": cohort.code(session)})
    assert field_error(response.get_data(as_text=True), "code").startswith(message)
    assert cohort.records(session) == {}


def test_nobody_checks_in_twice(cohort, lan):
    running = cohort.schedule(-5 * MINUTE)
    after(lan, lan.post_form(f"/sessions/{running}/check-in", {"code": cohort.code(running)}))
    again = lan.post_form(f"/sessions/{running}/check-in", {"code": cohort.code(running)})
    assert "You have already checked in to this session." in text_of(again)
    assert cohort.changes(running) == 1


def test_someone_not_on_the_roster_cannot_open_or_post_the_check_in(cohort):
    running = cohort.schedule(-5 * MINUTE)
    late = cohort.client_of(cohort.add_trainee("Late Comer", enrolled_ago=None))
    assert late.get(f"/sessions/{running}/check-in").status_code == 404
    assert late.post_form(f"/sessions/{running}/check-in", {"code": cohort.code(running)}).status_code == 404
    assert cohort.records(running) == {}


def test_check_in_codes_cannot_be_guessed_more_than_ten_wrong_tries_in_ten_minutes(app, cohort, lan, caplog):
    running = cohort.schedule(-5 * MINUTE)
    url, token = f"/sessions/{running}/check-in", lan.csrf_token()
    guesses = [lan.post(url, data={"code": f"{n:06d}", "csrf_token": token}).status_code for n in range(10)]
    assert guesses == [200] * 10
    response = lan.post(url, data={"code": cohort.code(running), "csrf_token": token})
    assert response.status_code == 429
    assert field_error(response.get_data(as_text=True), "code").startswith(
        "Too many wrong codes. Try again in 10 minutes, or ask the facilitator to mark you.")
    assert cohort.records(running) == {}
    again = app.test_client()  # logging in afresh does not start the count over
    cohort.login(again, cohort.lan)
    assert again.post_form(url, {"code": cohort.code(running)}).status_code == 429
    other = cohort.schedule(-5 * MINUTE, title="Another session")  # the limit is per session
    assert lan.post_form(f"/sessions/{other}/check-in", {"code": cohort.code(other)}).status_code == 302


def test_the_check_in_limit_comes_from_the_config_and_a_check_in_does_not_count(app, cohort, lan):
    app.config["LMS_CHECKIN_LIMIT"] = "1 per 10 minutes"
    running = cohort.schedule(-5 * MINUTE)
    url = f"/sessions/{running}/check-in"
    assert lan.post_form(url, {"code": cohort.code(running)}).status_code == 302
    assert lan.post_form(url, {"code": wrong_code(cohort, running)}).status_code == 200
    assert lan.post_form(url, {"code": cohort.code(running)}).status_code == 429


def test_parallel_wrong_check_in_codes_are_counted_before_any_is_checked(app, cohort, lan, monkeypatch):
    """Twenty-five codes posted at once while each check takes a while: ten are checked, the rest refused."""
    from tests.test_throttles import at_once

    running = cohort.schedule(-5 * MINUTE)
    checked, real_check_in = [], checkin.check_in

    def slow_check_in(*args):
        checked.append(args)
        time.sleep(0.2)
        return real_check_in(*args)

    monkeypatch.setattr(checkin, "check_in", slow_check_in)
    url, token, cookie = f"/sessions/{running}/check-in", lan.csrf_token(), lan.get_cookie("session").value
    browsers = [app.test_client() for _ in range(25)]
    for browser in browsers:
        browser.set_cookie("session", cookie)
    answers = at_once(browsers, lambda b: b.post(url, data={"code": wrong_code(cohort, running),
                                                            "csrf_token": token}).status_code)
    assert len(checked) <= 10
    assert sorted(answers) == [200] * len(checked) + [429] * (25 - len(checked))


REFRESH = '<meta http-equiv="refresh" content="20">'


def test_the_code_page_shows_the_current_code_and_its_qr_code_while_check_in_is_open(cohort, mai):
    soon = cohort.schedule(5 * MINUTE)
    before = cohort.code(soon)
    body = mai.get(f"/sessions/{soon}/code").get_data(as_text=True)
    shown = re.search(r'class="checkin-code__digits"[^>]*>(\d{3}) (\d{3})</p>', body)
    assert shown and shown.group(1) + shown.group(2) in {before, cohort.code(soon)}
    assert re.search(r'<figure class="qr-code"><svg\b', body)


def test_the_code_page_shows_no_code_before_check_in_opens(cohort, mai):
    later = cohort.schedule(2 * DAY)
    response = mai.get(f"/sessions/{later}/code")
    body = response.get_data(as_text=True)
    assert "checkin-code__digits" not in body and "<svg" not in body
    assert "Check-in is open from" in text_of(response)


def test_the_code_page_refreshes_itself_only_when_asked(cohort, mai):
    soon = cohort.schedule(5 * MINUTE)
    plain = mai.get(f"/sessions/{soon}/code").get_data(as_text=True)
    assert REFRESH not in plain and f'href="/sessions/{soon}/code?refresh=1"' in plain
    shared_screen = mai.get(f"/sessions/{soon}/code?refresh=1").get_data(as_text=True)
    assert REFRESH in shared_screen and re.search(r"checkin-code__digits[^>]*>\d{3} \d{3}<", shared_screen)


# Importing a video meeting report


def zoom_report(cohort, session_id: int, report: str = ZOOM_REPORT) -> bytes:
    """The report with its {n} placeholders turned into times n minutes after the session's start."""
    start = cohort.local_start(session_id)
    return re.sub(r"\{(-?\d+)\}", lambda m: f"{start + int(m.group(1)) * MINUTE:%m/%d/%Y %I:%M:%S %p}",
                  report).encode()


def upload(client, session_id, content: bytes, filename="participants.csv", min_minutes="50"):
    return client.post_form(f"/sessions/{session_id}/import", {
        "file": (io.BytesIO(content), filename), "min_minutes": min_minutes}, content_type="multipart/form-data")


def hidden(body: str, name: str) -> str:
    found = re.search(rf'<input[^>]*name="{name}"[^>]*value="([^"]*)"', body)
    assert found, f"no hidden field {name}"
    return html.unescape(found.group(1))


def test_a_report_is_previewed_with_matches_and_proposed_statuses_before_anything_is_saved(cohort, mai):
    held = cohort.schedule(-2 * DAY)
    response = upload(mai, held, zoom_report(cohort, held))
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert table_rows(response) == [
        ["Lan N. (Lan Nguyen) lan@example.org", "Lan Nguyen", "55", "Present"],  # 6:00-6:55, overlap counted once
        ["cabdi maxamed", "Cabdi Maxamed", "40", "Absent"],  # matched by name, under the 50 minutes asked
    ]
    page = text_of(response)
    assert "iPhone de Rosa · 52 minutes" in page and "Guest Speaker (guest@example.net) · 60 minutes" in page
    assert 'name="match-iphone de rosa"' in body and 'name="match-guest@example.net"' in body
    assert cohort.records(held) == {} and cohort.changes(held) == 0


def test_confirming_saves_the_matches_and_a_row_matched_by_hand_and_saving_again_changes_nothing(cohort, mai):
    held = cohort.schedule(-2 * DAY)
    preview = upload(mai, held, zoom_report(cohort, held)).get_data(as_text=True)
    confirm = {"content": hidden(preview, "content"), "min_minutes": hidden(preview, "min_minutes"),
               "match-iphone de rosa": str(cohort.rosa.id), "match-guest@example.net": ""}
    response = mai.post_form(f"/sessions/{held}/import/confirm", confirm)
    assert response.headers["Location"] == f"/sessions/{held}/attendance"
    assert "Report imported: 3 changes." in after(mai, response)
    assert cohort.records(held) == {cohort.lan.id: ("present", 55, "import"),
                                    cohort.cabdi.id: ("absent", 40, "import"),
                                    cohort.rosa.id: ("present", 52, "import")}
    assert "Report imported: 0 changes." in after(mai, mai.post_form(f"/sessions/{held}/import/confirm", confirm))
    assert cohort.changes(held) == 3


def test_the_preview_says_who_is_left_as_marked_and_confirming_leaves_them(cohort, mai):
    held = cohort.schedule(-2 * DAY)
    cohort.mark(held, {cohort.cabdi: "excused"})
    response = upload(mai, held, zoom_report(cohort, held))
    assert table_rows(response) == [
        ["Lan N. (Lan Nguyen) lan@example.org", "Lan Nguyen", "55", "Present"],
        ["cabdi maxamed", "Cabdi Maxamed", "40", "Left as marked: Excused"],
    ]
    preview = response.get_data(as_text=True)
    confirm = {"content": hidden(preview, "content"), "min_minutes": hidden(preview, "min_minutes")}
    assert "Report imported: 1 changes." in after(mai, mai.post_form(f"/sessions/{held}/import/confirm", confirm))
    assert cohort.records(held) == {cohort.lan.id: ("present", 55, "import"),
                                    cohort.cabdi.id: ("excused", None, "facilitator")}
    assert "Report imported: 0 changes." in after(mai, mai.post_form(f"/sessions/{held}/import/confirm", confirm))


def test_a_hand_match_of_someone_already_matched_is_refused_next_to_the_row_keeping_the_choices(cohort, mai):
    held = cohort.schedule(-2 * DAY)
    preview = upload(mai, held, zoom_report(cohort, held)).get_data(as_text=True)
    confirm = {"content": hidden(preview, "content"), "min_minutes": hidden(preview, "min_minutes"),
               "match-iphone de rosa": str(cohort.rosa.id), "match-guest@example.net": str(cohort.lan.id)}
    response = mai.post_form(f"/sessions/{held}/import/confirm", confirm)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert "Some people are matched to two entries of the report. Nothing was saved." in text_of(response)
    assert field_error(body, "match-2") == ("Lan Nguyen is already matched to “Lan N. (Lan Nguyen)” in this "
                                            "report. Choose someone else or leave this one out.")
    assert re.search(rf'name="match-iphone de rosa".*?<option value="{cohort.rosa.id}" selected>', body, re.S)
    assert cohort.records(held) == {}
    fixed = {**confirm, "match-guest@example.net": ""}
    assert "Report imported: 3 changes." in after(mai, mai.post_form(f"/sessions/{held}/import/confirm", fixed))
    assert cohort.records(held)[cohort.rosa.id] == ("present", 52, "import")


def test_a_file_that_is_not_a_csv_is_refused_next_to_the_field(cohort, mai):
    held = cohort.schedule(-2 * DAY)
    response = upload(mai, held, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", filename="report.png")
    body = response.get_data(as_text=True)
    assert field_error(body, "file") == "Choose a file ending in .csv."
    assert "Matched" not in text_of(response)
    assert cohort.records(held) == {}


# Scheduling (admins)


def schedule_form(cohort, **typed) -> dict:
    return {"kind": "course", "title": "Evening circle", "cohort": cohort.made.cohort_id,
            "course": cohort.made.course_id, "group": "0", "starts_at": "2026-03-10T18:00",
            "ends_at": "2026-03-10T20:00", "facilitator": cohort.mentor.id, "language": "en", "place": "Room B",
            "video_url": "", **typed}


def all_sessions(app) -> list[LearningSession]:
    with app.app_context():
        return db.session.scalars(select(LearningSession)).all()


@pytest.mark.parametrize("day, starts", [
    ("2026-03-10", datetime(2026, 3, 11, 1, 0, tzinfo=timezone.utc)),  # daylight saving time since 8 March: UTC-7
    ("2026-03-05", datetime(2026, 3, 6, 2, 0, tzinfo=timezone.utc)),  # standard time: UTC-8
])
def test_a_session_typed_in_the_programs_time_zone_is_stored_in_utc_and_shown_back_as_typed(
        app, cohort, office, day, starts):
    app.config["LMS_TIMEZONE"] = "America/Los_Angeles"
    new = f"/admin/attendance/cohorts/{cohort.made.cohort_id}/sessions/new"
    response = office.post_form(new, schedule_form(cohort, starts_at=f"{day}T18:00", ends_at=f"{day}T20:00"))
    assert response.headers["Location"] == f"/admin/attendance/cohorts/{cohort.made.cohort_id}"
    session, = all_sessions(app)
    assert (session.starts_at, session.ends_at) == (starts, starts + 2 * HOUR)
    assert (session.kind, session.course_id, session.facilitator_id) == (
        SessionKind.COURSE, cohort.made.course_id, cohort.mentor.id)
    edit = office.get(f"/admin/attendance/sessions/{session.id}/edit").get_data(as_text=True)
    assert re.search(rf'value="{day}[T ]18:00(:00)?"', tag(edit, "starts_at"))
    assert re.search(rf'value="{day}[T ]20:00(:00)?"', tag(edit, "ends_at"))


def test_a_session_that_ends_before_it_starts_is_refused_next_to_the_end_and_keeps_what_was_typed(
        app, cohort, office):
    response = office.post_form(f"/admin/attendance/cohorts/{cohort.made.cohort_id}/sessions/new",
                                schedule_form(cohort, title="Backwards", ends_at="2026-03-10T17:00"))
    body = response.get_data(as_text=True)
    assert field_error(body, "ends_at") == "The session must end after it starts."
    assert 'value="Backwards"' in tag(body, "title")
    assert re.search(r'value="2026-03-10[T ]18:00', tag(body, "starts_at"))
    assert re.search(r'value="2026-03-10[T ]17:00', tag(body, "ends_at"))
    assert all_sessions(app) == []


@pytest.mark.parametrize("field", ["starts_at", "ends_at"])
def test_a_time_the_clocks_skip_in_spring_is_refused_next_to_the_field(app, cohort, office, field):
    app.config["LMS_TIMEZONE"] = "America/Los_Angeles"
    typed = {"starts_at": "2026-03-08T02:30", "ends_at": "2026-03-08T04:00"} if field == "starts_at" else {
        "starts_at": "2026-03-08T01:00", "ends_at": "2026-03-08T02:15"}
    response = office.post_form(f"/admin/attendance/cohorts/{cohort.made.cohort_id}/sessions/new",
                                schedule_form(cohort, **typed))
    body = response.get_data(as_text=True)
    assert field_error(body, field) == ("This time does not exist in America/Los_Angeles: the clocks go forward "
                                        "then. Choose a time before or after the change.")
    assert re.search(rf'value="{typed[field]}', tag(body, field))
    assert all_sessions(app) == []


def test_an_autumn_time_that_happens_twice_is_taken_as_the_first_one(app, cohort, office):
    app.config["LMS_TIMEZONE"] = "America/Los_Angeles"
    response = office.post_form(f"/admin/attendance/cohorts/{cohort.made.cohort_id}/sessions/new",
                                schedule_form(cohort, starts_at="2026-11-01T01:30", ends_at="2026-11-01T03:00"))
    assert response.status_code == 302
    session, = all_sessions(app)
    # 1:30 daylight time (UTC-7), not the 1:30 an hour later in standard time; 3:00 is standard time (UTC-8).
    assert (session.starts_at, session.ends_at) == (datetime(2026, 11, 1, 8, 30, tzinfo=timezone.utc),
                                                    datetime(2026, 11, 1, 11, 0, tzinfo=timezone.utc))


def test_a_course_session_without_a_course_is_refused_next_to_the_course(app, cohort, office):
    response = office.post_form(f"/admin/attendance/cohorts/{cohort.made.cohort_id}/sessions/new",
                                schedule_form(cohort, course="0"))
    assert field_error(response.get_data(as_text=True), "course") == "Choose a course that this cohort runs."
    assert all_sessions(app) == []


def test_cancelling_and_putting_back_on_are_two_actions_and_a_cancelled_session_counts_for_nobody(
        app, cohort, office):
    kept, cancelled = cohort.schedule(-3 * DAY), cohort.schedule(-2 * DAY)
    cohort.mark(kept, {cohort.lan: "present"})
    report = f"/admin/attendance/cohorts/{cohort.made.cohort_id}"
    assert ["Lan Nguyen (below 70%)", "2", "1", "0", "50%"] in table_rows(office.get(report))
    assert "The session is cancelled." in after(office, office.post_form(
        f"/admin/attendance/sessions/{cancelled}/cancel"))
    assert [s.is_cancelled for s in all_sessions(app) if s.id == cancelled] == [True]
    assert ["Lan Nguyen", "1", "1", "0", "100%"] in table_rows(office.get(report))
    assert "Your attendance in Cohort 1: 100%" in text_of(cohort.client_of(cohort.lan).get("/my/sessions"))
    assert "The session is on again." in after(office, office.post_form(
        f"/admin/attendance/sessions/{cancelled}/restore"))
    assert [s.is_cancelled for s in all_sessions(app) if s.id == cancelled] == [False]


@pytest.mark.parametrize("action, cancelled", [("cancel", True), ("restore", False)])
def test_cancelling_or_putting_back_on_twice_keeps_the_session_as_asked(app, cohort, office, action, cancelled):
    session = cohort.schedule(2 * DAY)
    for _ in range(2):  # a double click, or a second tab
        assert office.post_form(f"/admin/attendance/sessions/{session}/{action}").status_code == 302
    assert [s.is_cancelled for s in all_sessions(app)] == [cancelled]
    page = office.get(f"/admin/attendance/cohorts/{cohort.made.cohort_id}").get_data(as_text=True)
    other = "restore" if cancelled else "cancel"
    assert f'action="/admin/attendance/sessions/{session}/{other}"' in page


def test_the_cohort_report_gives_rates_by_trainee_course_and_group_and_marks_those_below_the_line(cohort, office):
    group = cohort.add_group("Thursday circle", [cohort.lan])
    first, second = cohort.schedule(-3 * DAY), cohort.schedule(-2 * DAY)
    meeting = cohort.schedule(-1 * DAY, group_id=group)
    upcoming = cohort.schedule(2 * DAY)
    cohort.mark(first, {cohort.lan: "present", cohort.cabdi: "present", cohort.rosa: "present"})
    cohort.mark(second, {cohort.lan: "present", cohort.cabdi: "absent", cohort.rosa: "excused"})
    cohort.mark(meeting, {cohort.lan: "late"})
    response = office.get(f"/admin/attendance/cohorts/{cohort.made.cohort_id}")
    rows = {row[0]: row[1:] for row in table_rows(response)}
    assert rows == {
        "Lan Nguyen": ["3", "3", "0", "100%"],
        "Cabdi Maxamed (below 70%)": ["2", "1", "0", "50%"],
        "Rosa Díaz": ["2", "1", "1", "100%"],  # the excused absence is left out
    }
    body = response.get_data(as_text=True)
    assert len(re.findall(r'<tr class="row--error">', body)) == 1
    page = text_of(response)
    assert "Whole cohort 83.3%" in page  # 5 attended of 7, one excused left out
    assert f"{cohort.made.code}: 80%" in page and "Thursday circle: 100%" in page
    assert "Excused absences are left out of the rate. Below 70% shows a warning." in page
    assert f'href="/sessions/{upcoming}/attendance"' in body


@pytest.mark.parametrize("rule, percent, says", [
    ("excluded", "66.7%", "Excused absences are left out of the rate."),
    ("attended", "75%", "Excused absences count as attended."),
    ("absent", "50%", "Excused absences count as absences."),
])
def test_the_programs_rule_for_excused_absences_and_warning_line_decide_the_report(
        app, cohort, office, rule, percent, says):
    held = [cohort.schedule(-n * DAY) for n in (4, 3, 2, 1)]
    cohort.mark(held[0], {cohort.lan: "present"})
    cohort.mark(held[1], {cohort.lan: "present"})
    cohort.mark(held[2], {cohort.lan: "excused"})  # and no mark for the last one: absent
    response = office.post_form(f"/admin/programs/{cohort.made.program_id}/edit", {
        "name": "Program 1", "description": "", "excused_absences": rule, "attendance_warning_percent": "80"})
    assert response.status_code == 302
    with app.app_context():
        program = db.session.get(Program, cohort.made.program_id)
        assert (program.excused_absences, program.attendance_warning_percent) == (rule, 80)
    report = office.get(f"/admin/attendance/cohorts/{cohort.made.cohort_id}")
    assert ["Lan Nguyen (below 80%)", "4", "2", "1", percent] in table_rows(report)
    assert f"{says} Below 80% shows a warning." in text_of(report)


# Warnings


@pytest.fixture
def lan_attended(cohort):
    """Lan's record in two held sessions: present in the first, `second` in the other."""
    def attend(second: str) -> None:
        first, other = cohort.schedule(-3 * DAY), cohort.schedule(-2 * DAY)
        cohort.mark(first, {cohort.lan: "present"})
        cohort.mark(other, {cohort.lan: second})
    return attend


def test_a_trainee_below_the_line_is_warned_and_so_is_their_mentor(cohort, lan, mai, lan_attended):
    lan_attended("absent")
    warning = "Your attendance in Cohort 1: 50% This is below 70%, the level the certificate asks for."
    assert warning in text_of(lan.get("/"))
    assert warning in text_of(lan.get("/my/sessions"))
    assert ["Lan Nguyen", "Cohort 1", f"{cohort.made.code}: 0 of 2", "50% low", "—"] in table_rows(mai.get("/mentor"))
    mentee = mai.get(f"/mentor/mentees/{cohort.lan.id}")
    assert '<p class="flash flash--error">' in mentee.get_data(as_text=True)
    assert "Attendance: 50% Below the program's warning line." in text_of(mentee)


def test_a_trainee_above_the_line_sees_their_rate_and_no_warning(cohort, lan, mai, lan_attended):
    lan_attended("late")
    assert "This is below" not in text_of(lan.get("/"))
    sessions = text_of(lan.get("/my/sessions"))
    assert "Your attendance in Cohort 1: 100%" in sessions and "This is below" not in sessions
    assert ["Lan Nguyen", "Cohort 1", f"{cohort.made.code}: 0 of 2", "100%", "—"] in table_rows(mai.get("/mentor"))
    mentee = mai.get(f"/mentor/mentees/{cohort.lan.id}")
    assert "Attendance: 100%" in text_of(mentee) and "warning line" not in text_of(mentee)


def test_a_trainee_reads_their_rate_written_the_way_their_language_writes_numbers(cohort):
    olga = cohort.add_trainee("Olga Ivanova", email="olga@example.org", locale="es")
    held = [cohort.schedule(-n * DAY) for n in (3, 2, 1)]
    cohort.mark(held[0], {olga: "present"})
    cohort.mark(held[1], {olga: "present"})
    page = text_of(cohort.client_of(olga).get("/my/sessions"))
    assert "Cohort 1: 66,7%" in page and "66.7" not in page


# Calendars


FEED = re.compile(r"http://localhost/calendar/([\w-]+)\.ics")


def test_a_private_feed_lists_the_persons_sessions_in_their_language_without_logging_in(
        app, cohort, make_course):
    olga = cohort.add_trainee("Olga Ivanova", email="olga@example.org", locale="es")
    upcoming = cohort.schedule(2 * DAY, title="Evening circle")
    cohort.schedule(3 * DAY, title="Another cohort's session", made=make_course())
    client = cohort.client_of(olga)
    assert FEED.search(client.get("/my/sessions").get_data(as_text=True)) is None
    assert client.post_form("/my/calendar/reset").headers["Location"] == "/my/sessions"
    token = FEED.search(client.get("/my/sessions").get_data(as_text=True)).group(1)
    feed = app.test_client().get(f"/calendar/{token}.ics")
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    assert "no-store" in feed.headers["Cache-Control"]
    ical = feed.get_data(as_text=True)
    assert "X-WR-CALNAME:Mis sesiones" in ical
    assert re.findall(r"^SUMMARY:(.*?)\r?$", ical, re.M) == ["Evening circle"]
    assert f"UID:lms-session-{upcoming}@localhost" in ical


def test_the_calendar_address_and_its_uids_are_under_the_public_url_whatever_the_host_header(app, cohort, lan):
    app.config.update(LMS_PUBLIC_URL="https://learn.example.org", LMS_DEVELOPMENT=False)
    upcoming = cohort.schedule(2 * DAY, title="Evening circle")
    lan.post_form("/my/calendar/reset")
    page = lan.get("/my/sessions").get_data(as_text=True)  # asked for at http://localhost
    [token] = re.findall(r"https://learn\.example\.org/calendar/([\w-]+)\.ics", page)
    ical = app.test_client().get(f"/calendar/{token}.ics", headers={"Host": "attacker.example"}).get_data(as_text=True)
    assert f"UID:lms-session-{upcoming}@learn.example.org" in ical


def test_a_new_calendar_address_retires_the_old_one(app, cohort, lan):
    lan.post_form("/my/calendar/reset")
    old = FEED.search(lan.get("/my/sessions").get_data(as_text=True)).group(1)
    lan.post_form("/my/calendar/reset")
    new = FEED.search(lan.get("/my/sessions").get_data(as_text=True)).group(1)
    assert new != old
    anonymous = app.test_client()
    assert anonymous.get(f"/calendar/{old}.ics").status_code == 404
    assert anonymous.get(f"/calendar/{new}.ics").status_code == 200


def test_someone_on_the_roster_downloads_a_session_for_their_calendar(cohort, lan):
    upcoming = cohort.schedule(2 * DAY, title="Evening circle")
    response = lan.get(f"/sessions/{upcoming}.ics")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    assert response.headers["Content-Disposition"] == f'attachment; filename="session-{upcoming}.ics"'
    ical = response.get_data(as_text=True)
    assert "SUMMARY:Evening circle" in ical and "DESCRIPTION:Facilitator: Mai Vu" in ical


# Exports


def csv_rows(response) -> list[list[str]]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "no-store" in response.headers["Cache-Control"]
    assert response.headers["Content-Disposition"].startswith("attachment;")
    return list(csv.reader(io.StringIO(response.get_data(as_text=True))))


def test_the_session_sheet_is_formula_safe_and_not_cached(cohort, mai):
    cohort.add_trainee(FORMULA, email="calc@example.org")
    held = cohort.schedule(-2 * DAY)
    cohort.mark(held, {cohort.lan: "present"}, minutes=60)
    rows = csv_rows(mai.get(f"/sessions/{held}/attendance.csv"))
    by_name = {row[0]: row[3:6] for row in rows[1:]}
    assert by_name == {"'" + FORMULA: ["not marked", "", ""], "Cabdi Maxamed": ["not marked", "", ""],
                       "Lan Nguyen": ["present", "60", "facilitator"], "Rosa Díaz": ["not marked", "", ""]}


def test_the_session_sheet_says_how_each_mark_was_made_and_by_whom(cohort, mai, lan, office, admin):
    running = cohort.schedule(-5 * MINUTE)
    lan.post_form(f"/sessions/{running}/check-in", {"code": cohort.code(running)})
    cohort.mark(running, {cohort.cabdi: "excused"}, by=admin)
    rows = csv_rows(mai.get(f"/sessions/{running}/attendance.csv"))
    assert rows[0] == ["name", "name_in_own_script", "email", "status", "minutes", "source", "marked_by",
                       "marked_at"]
    by_name = {row[0]: row[5:7] for row in rows[1:]}
    assert by_name == {"Cabdi Maxamed": ["facilitator", "Ada Admin"], "Lan Nguyen": ["check_in", "Lan Nguyen"],
                       "Rosa Díaz": ["", ""]}


def test_downloading_a_session_sheet_or_sign_in_sheet_is_written_to_the_security_log(cohort, mai, caplog):
    held = cohort.schedule(-2 * DAY)
    caplog.set_level(logging.INFO, logger="lms.security")
    assert mai.get(f"/sessions/{held}/attendance.csv").status_code == 200
    assert mai.get(f"/sessions/{held}/sign-in.pdf").status_code == 200
    events = [json.loads(r.getMessage()) for r in caplog.records if r.name == "lms.security"]
    assert [(e["event"], e["actor"], e["session"], e["file"]) for e in events] == [
        ("attendance_exported", cohort.mentor.id, held, "csv"),
        ("attendance_exported", cohort.mentor.id, held, "sign-in sheet")]


def test_the_cohort_sheet_heads_each_session_with_its_start_in_the_programs_time_zone(app, cohort, office):
    app.config["LMS_TIMEZONE"] = "Asia/Ho_Chi_Minh"
    held = cohort.schedule(-2 * DAY, title="Evening circle")
    with app.app_context():
        starts = db.session.get(LearningSession, held).starts_at.astimezone(ZoneInfo("Asia/Ho_Chi_Minh"))
    header = csv_rows(office.get(f"/admin/attendance/cohorts/{cohort.made.cohort_id}/attendance.csv"))[0]
    assert header[2] == f"{starts:%Y-%m-%d %H:%M} Asia/Ho_Chi_Minh Evening circle"


def test_the_cohort_sheet_is_formula_safe_and_not_cached(cohort, office):
    cohort.add_trainee(FORMULA, email="calc@example.org")
    held = cohort.schedule(-2 * DAY)
    cohort.mark(held, {cohort.lan: "present"})
    rows = csv_rows(office.get(f"/admin/attendance/cohorts/{cohort.made.cohort_id}/attendance.csv"))
    by_name = {row[0]: row[1:] for row in rows[1:]}
    assert by_name["'" + FORMULA] == ["calc@example.org", "not marked", "0.0"]
    assert by_name["Lan Nguyen"] == ["lan@example.org", "present", "100.0"]
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_the_cohort_sheet_asks_an_admin_whose_login_is_not_recent_to_log_in_again(cohort, office):
    with office.session_transaction() as session:
        session[AUTH_AT] = int(time.time()) - 3600
    response = office.get(f"/admin/attendance/cohorts/{cohort.made.cohort_id}/attendance.csv")
    assert response.status_code == 302 and response.headers["Location"].startswith("/reauthenticate?next=")


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")
def test_the_sign_in_sheet_is_a_pdf_listing_the_roster(cohort, mai, tmp_path):
    started = cohort.schedule(-30 * MINUTE)
    cohort.add_trainee("Late Comer", enrolled_ago=None)  # not on the roster of a session that had started
    response = mai.get(f"/sessions/{started}/sign-in.pdf")
    assert response.mimetype == "application/pdf" and response.data.startswith(b"%PDF-")
    assert response.headers["Content-Disposition"] == f'attachment; filename="sign-in-{started}.pdf"'
    assert "no-store" in response.headers["Cache-Control"]
    (tmp_path / "sheet.pdf").write_bytes(response.data)
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "sheet.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert [name for name in ("Cabdi Maxamed", "Lan Nguyen", "Rosa Díaz", "Late Comer") if name in text] == [
        "Cabdi Maxamed", "Lan Nguyen", "Rosa Díaz"]
    assert text.index("Cabdi Maxamed") < text.index("Lan Nguyen") < text.index("Rosa Díaz")


# What the pages cost


#: The pages whose cost must not grow with the roster: (who, path).
COUNTED_PAGES = [("mentor", "/sessions/{held}/attendance"), ("trainee", "/my/sessions"),
                 ("admin", "/admin/attendance/cohorts/{cohort}"), ("mentor", "/mentor")]
IN_LIST = re.compile(r"\bIN \((?:[^()]|\([^()]*\))*\)")


@pytest.mark.parametrize("who, path", COUNTED_PAGES)
def test_a_page_runs_as_many_queries_for_50_trainees_as_for_5(cohort, count_queries, admin, who, path):
    held = [cohort.schedule(-n * DAY) for n in (3, 2, 1)]
    cohort.schedule(-5 * MINUTE)  # check-in open now
    cohort.schedule(2 * DAY)
    client = cohort.client_of({"mentor": cohort.mentor, "trainee": cohort.lan, "admin": admin}[who])
    url = path.format(held=held[0], cohort=cohort.made.cohort_id)

    def statements_for(roster_size: int) -> list[str]:
        cohort.add_roster(roster_size - len(cohort.roster_ids(held[0])))
        for session_id in held:
            cohort.mark_everyone_present(session_id)
        assert len(cohort.records(held[0])) == roster_size
        client.get(url)  # the first request may warm caches
        with count_queries() as statements:
            assert client.get(url).status_code == 200
        return [IN_LIST.sub("IN (...)", " ".join(s.split())) for s in statements]

    small, large = statements_for(5), statements_for(50)
    extra = Counter(large) - Counter(small)
    assert len(large) == len(small), f"{url}: {len(small)} statements for 5, {len(large)} for 50:\n" + "\n".join(
        f"{n}x {s[:300]}" for s, n in extra.items())


def test_a_session_title_holding_markup_or_a_template_reads_as_text_for_trainee_and_facilitator(cohort, lan, mai):
    hostile = '<script>alert(1)</script> "><img src=x onerror=alert(2)> {{7*7}}'
    held = cohort.schedule(-DAY, title=hostile)
    for page in (lan.get("/my/sessions").text, mai.get(f"/sessions/{held}/attendance").text):
        assert "<script>alert(1)" not in page and "<img src=x" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "{{7*7}}" in page
