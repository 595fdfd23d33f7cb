"""Mentoring pages: each opens for its own user, shows what it should, and costs a fixed number of queries.

The query counts are compared on one program that grows between two requests of the same page: from 5
sessions to 500 (bulk-inserted with SQLAlchemy core), and from 5 mentees and group members to 50.
"""

import re
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import insert, select

from lms.accounts.models import User
from lms.core.clock import program_today
from lms.courses.models import Cohort, Course, Module
from lms.enrollment.models import Enrollment
from lms.enrollment.progress import complete_module, save_reflection
from lms.enrollment.services import enroll
from lms.extensions import db
from lms.mentoring import invitations, logs, services
from lms.mentoring.models import (
    ReflectiveGroup, ReflectiveSession, SessionFormat, Topic, session_attendee, session_topic,
)
from lms.sqltypes import utcnow

SUMMARY = "We talked about slowing down the mornings."
NOTES = "Lan seems tired; ask about her sleep next time."
REFLECTION = "I noticed my own hurry at drop-off."


class Program:
    """A mentor with mentees and a reflective group in one cohort, the sessions they held, a client per role."""

    def __init__(self, app, make_user, make_course, login, admin):
        self.app, self.make_user, self.admin_id = app, make_user, admin.id
        self.made = make_course(modules=2, capacity=500)
        self.mentor = make_user("mentor", full_name="Mai Vu", email="mai@example.org")
        self.trainee = make_user(full_name="Lan Nguyen", native_name="Nguyễn Thị Lan", email="lan@example.org")
        self.graduate = make_user(full_name="Hodan Cali", email="hodan@example.org")
        with app.app_context():
            mentor, by = db.session.get(User, self.mentor.id), db.session.get(User, admin.id)
            services.save_profile(mentor, languages=["en", "vi"], bio="", is_active=True, max_mentees=100,
                                  max_groups=4)
            self.group_id = services.create_group(mentor, db.session.get(Cohort, self.made.cohort_id),
                                                  name="Thursday circle", language="en", trainee_ids=[], by=by).id
            db.session.commit()
        self.mentee_ids: list[int] = []
        self.add_mentees(5)
        with app.app_context():
            trainee = db.session.get(User, self.trainee.id)
            enrollment = db.session.scalar(select(Enrollment).where(Enrollment.user_id == trainee.id))
            module = db.session.get(Module, self.made.module_ids[0])
            save_reflection(enrollment, module, REFLECTION, shared=True)
            complete_module(enrollment, module)
            self.session_id = logs.save_session(
                db.session.get(User, self.mentor.id), None, group=None, attendee_ids=[trainee.id],
                held_on=program_today(), duration_minutes=50, format=SessionFormat.VIDEO, language="en",
                topic_ids=db.session.scalars(select(Topic.id).limit(2)).all(), summary=SUMMARY, notes=NOTES).id
            graduate = db.session.get(User, self.graduate.id)
            finished = enroll(graduate, db.session.get(Course, self.made.course_id),
                              db.session.get(Cohort, self.made.cohort_id), "en")
            for module_id in self.made.module_ids:
                complete_module(finished, db.session.get(Module, module_id))
            invitations.invite(graduate, by=db.session.get(User, admin.id), message="Would you mentor?")
            db.session.commit()
        self.clients = {}
        for who, user in (("mentor", self.mentor), ("trainee", self.trainee), ("admin", admin)):
            self.clients[who] = app.test_client()
            login(self.clients[who], user)

    @property
    def ids(self) -> dict[str, int]:
        return {"trainee": self.trainee.id, "cohort": self.made.cohort_id, "group": self.group_id,
                "session": self.session_id, "mentor": self.mentor.id}

    def add_mentees(self, count: int) -> None:
        """Enroll trainees up to `count` in all, assign them to the mentor and put them in the group.

        The newcomers also attended every group session held so far, as group members do.
        """
        new = [self.trainee] if not self.mentee_ids else []
        new += [self.make_user(full_name=f"Mentee {len(self.mentee_ids) + n:03d}")
                for n in range(count - len(self.mentee_ids) - len(new))]
        with self.app.app_context():
            course, cohort = db.session.get(Course, self.made.course_id), db.session.get(Cohort, self.made.cohort_id)
            mentor, by = db.session.get(User, self.mentor.id), db.session.get(User, self.admin_id)
            for made in new:
                trainee = db.session.get(User, made.id)
                enroll(trainee, course, cohort, "en")
                services.assign(mentor, trainee, cohort, by=by)
            self.mentee_ids += [u.id for u in new]
            services.set_members(db.session.get(ReflectiveGroup, self.group_id), self.mentee_ids)
            group_sessions = db.session.scalars(select(ReflectiveSession.id).where(
                ReflectiveSession.group_id == self.group_id)).all()
            if group_sessions:
                db.session.execute(insert(session_attendee), [
                    {"session_id": s, "trainee_id": u.id} for s in group_sessions for u in new])
            db.session.commit()

    def add_sessions(self, count: int) -> None:
        """Bulk-insert sessions: individual ones with Lan, group ones with every member; a tenth planned."""
        with self.app.app_context():
            today, now = program_today(), utcnow()
            topic_ids = db.session.scalars(select(Topic.id).order_by(Topic.id)).all()
            start = db.session.scalar(select(db.func.count()).select_from(ReflectiveSession))
            rows = []
            for n in range(start, start + count):
                planned = n % 10 == 0
                held_on = today + timedelta(days=n % 20 + 1) if planned and n % 20 == 0 else today - timedelta(days=n)
                rows.append({
                    "mentor_id": self.mentor.id, "group_id": self.group_id if n % 2 else None,
                    "status": "planned" if planned else "logged", "held_on": held_on,
                    "duration_minutes": 90 if n % 2 else 45, "format": "video", "language": "en", "summary": "",
                    "created_at": now, "updated_at": now,
                })
            table = ReflectiveSession.__table__
            new_ids = db.session.scalars(
                insert(table).returning(table.c.id, sort_by_parameter_order=True), rows).all()
            attendees, topics = [], []
            for n, (row, session_id) in enumerate(zip(rows, new_ids)):
                people = self.mentee_ids if row["group_id"] else [self.trainee.id]
                attendees += [{"session_id": session_id, "trainee_id": t} for t in people]
                topics += [{"session_id": session_id, "topic_id": topic_ids[(n + k) % len(topic_ids)]}
                           for k in range(2)]
            db.session.execute(insert(session_attendee), attendees)
            db.session.execute(insert(session_topic), topics)
            db.session.commit()

    def get(self, who: str, path: str):
        return self.clients[who].get(path.format(**self.ids))


@pytest.fixture
def program(app, make_user, make_course, login, admin):
    return Program(app, make_user, make_course, login, admin)


#: The pages whose cost must not grow with the sessions and people they list.
COUNTED_PAGES = [
    ("mentor", "/mentor"),
    ("mentor", "/mentor/sessions"),
    ("mentor", "/mentor/mentees/{trainee}"),
    ("trainee", "/my/mentoring"),
    ("trainee", "/my/mentoring/hours"),
    ("trainee", "/my/mentoring/hours.csv"),
    ("admin", "/admin/mentoring/sessions"),
    ("admin", "/admin/mentoring/cohorts/{cohort}"),
]
IN_LIST = re.compile(r"\bIN \((?:[^()]|\([^()]*\))*\)")


def statements_of(program, count_queries, who, path) -> list[str]:
    """The SQL statements one request of the page runs, with IN (...) lists folded to compare them."""
    with count_queries() as statements:
        response = program.get(who, path)
    assert response.status_code == 200, f"{who} {path}"
    return [IN_LIST.sub("IN (...)", " ".join(s.split())) for s in statements]


def assert_same_cost(small: list[str], large: list[str], what: str) -> None:
    extra = Counter(large) - Counter(small)
    assert len(large) == len(small), (
        f"{what}: {len(small)} statements before, {len(large)} after; run more often:\n"
        + "\n".join(f"{n}x {s[:300]}" for s, n in extra.items()))


@pytest.mark.parametrize("who, path", COUNTED_PAGES)
def test_a_page_runs_as_many_queries_with_500_sessions_as_with_5(program, count_queries, who, path):
    program.add_sessions(4)  # and the one the mentor logged through the form
    program.get(who, path)  # the first request of a client may warm caches
    small = statements_of(program, count_queries, who, path)
    program.add_sessions(495)
    with program.app.app_context():
        assert db.session.scalar(select(db.func.count()).select_from(ReflectiveSession)) == 500
    large = statements_of(program, count_queries, who, path)
    assert_same_cost(small, large, f"{path} with 500 sessions")


@pytest.mark.parametrize("who, path", COUNTED_PAGES)
def test_a_page_runs_as_many_queries_with_50_mentees_as_with_5(program, count_queries, who, path):
    program.add_sessions(19)
    program.get(who, path)
    small = statements_of(program, count_queries, who, path)
    program.add_mentees(50)
    with program.app.app_context():
        group = db.session.get(ReflectiveGroup, program.group_id)
        assert len([m for m in group.members if m.left_at is None]) == 50
    large = statements_of(program, count_queries, who, path)
    assert_same_cost(small, large, f"{path} with 50 mentees in the group")


def test_the_big_program_still_adds_up(program):
    """The bulk-inserted sessions count like logged ones: Lan's hours and the CSV include them."""
    program.add_sessions(99)
    csv = program.get("trainee", "/my/mentoring/hours.csv").get_data(as_text=True)
    rows = csv.splitlines()
    # The 50-minute session logged through the form, then n = 1..99: odd ones are 90-minute group sessions,
    # even ones 45-minute individual sessions, and the 9 multiples of 10 are only planned.
    assert len(rows) == 1 + 1 + 90 + 3
    assert rows[-1] == ",,total,,105.83"  # (50 + 40 * 45 + 50 * 90) / 60


#: Every mentoring page, as its own user sees it, and a line of what it must show.
PAGES = [
    ("mentor", "/mentor", "Lan Nguyen"),
    ("mentor", "/mentor/sessions", "Individual session"),
    ("mentor", "/mentor/sessions/new", "Log a session"),
    ("mentor", "/mentor/sessions/new?group={group}", "Mentee 001"),
    ("mentor", "/mentor/sessions/{session}", NOTES),
    ("mentor", "/mentor/sessions/{session}/edit", NOTES),
    ("mentor", "/mentor/mentees/{trainee}", REFLECTION),
    ("mentor", "/mentor/profile", "My mentor profile"),
    ("trainee", "/my/mentoring", SUMMARY),
    ("trainee", "/my/mentoring/hours", "Mai Vu"),
    ("admin", "/admin/mentoring", "Mai Vu"),
    ("admin", "/admin/mentoring/mentors/{mentor}", "Most mentees at a time"),
    ("admin", "/admin/mentoring/cohorts/{cohort}", "Thursday circle"),
    ("admin", "/admin/mentoring/cohorts/{cohort}/trainees/{trainee}", "speaks their language"),
    ("admin", "/admin/mentoring/cohorts/{cohort}/groups/new", "New group"),
    ("admin", "/admin/mentoring/groups/{group}", "Thursday circle"),
    ("admin", "/admin/mentoring/sessions", "Lan Nguyen"),
    ("admin", "/admin/mentoring/sessions?mentor={mentor}", "Mai Vu"),
    ("admin", "/admin/mentoring/topics", "Implicit bias"),
    ("admin", "/admin/mentoring/graduates", "Hodan Cali"),
]
#: A script or style written into the page, which the CSP blocks (script files from the site are fine).
INLINE = re.compile(r"<script\b(?![^>]*\bsrc=)|<style\b|\sstyle\s*=", re.IGNORECASE)


@pytest.mark.parametrize("who, path, shows", PAGES)
def test_every_mentoring_page_opens_for_its_user_without_inline_scripts_or_styles(program, who, path, shows):
    program.add_sessions(30)
    response = program.get(who, path)
    assert response.status_code == 200, f"{who} {path}"
    html = response.get_data(as_text=True)
    assert shows in html
    assert not INLINE.search(html), f"{path} has an inline script or style, which the CSP blocks"
    if not path.startswith("/mentor/sessions/{session}"):
        assert NOTES not in html, "the private notes only ever show on the mentor's own session pages"
    if who == "admin":
        assert SUMMARY not in html, "admins never read what was said in a session"


@pytest.mark.parametrize("path, kind", [("/my/mentoring/hours.csv", "text/csv"),
                                        ("/my/mentoring/hours.pdf", "application/pdf")])
def test_the_trainee_downloads_the_hours(program, path, kind):
    response = program.get("trainee", path)
    assert response.status_code == 200
    assert response.mimetype == kind
    assert "attachment" in response.headers["Content-Disposition"]
    assert "no-store" in response.headers["Cache-Control"]


def test_the_mentors_pages_show_the_group_and_the_invited_graduate_sees_the_invitation(program, login):
    home = program.get("mentor", "/mentor").get_data(as_text=True)
    assert "Thursday circle" in home and "Mentee 001" in home
    graduate = program.app.test_client()
    login(graduate, program.graduate)
    page = graduate.get("/my/mentoring").get_data(as_text=True)
    assert "You are invited to become a mentor" in page and "Would you mentor?" in page
    assert not INLINE.search(page)
