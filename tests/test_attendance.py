"""Attendance: rosters from enrollment periods, rates, marking with history, check-in codes, report imports,
calendars and exports.

Each test is one rule of the "Attendance" issue, checked through the services in lms/attendance within an
app context. Times are built from a fixed NOW that the tests pass to the services; enrollment and group
dates, which the services stamp with the wall clock, are moved to the times a test names.
"""

import csv
import io
import itertools
from datetime import datetime, timedelta, timezone

import pytest
from icalendar import Calendar
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from lms.accounts.models import Role, User
from lms.accounts.services import create_user, revoke_role
from lms.attendance import calendar, checkin, exports, imports, services
from lms.attendance.models import AttendanceChange, AttendanceRecord, LearningSession, SessionKind, Source, Status
from lms.attendance.roster import Rate, rates, rates_by, roster_ids
from lms.attendance.services import AttendanceError, Mark
from lms.attendance.trainee import attendance_by_cohort
from lms.courses import services as catalog
from lms.courses.models import Cohort, Course, CourseFormat
from lms.enrollment.models import Enrollment, EnrollmentPeriod
from lms.enrollment.services import enroll, withdraw
from lms.extensions import db
from lms.mentoring import services as mentoring
from lms.mentoring.models import GroupMember, ReflectiveGroup
from lms.sqltypes import utcnow

#: The moment the tests call "now": 10:00 on a Wednesday in Los Angeles, the program's time zone.
NOW = datetime(2025, 3, 12, 17, 0, tzinfo=timezone.utc)
MINUTE, HOUR, DAY = timedelta(minutes=1), timedelta(hours=1), timedelta(days=1)
LONG_AGO = NOW - 90 * DAY
ZOOM_HEADER = "Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest"


# --- A program, its people and its sessions, made through the services ---------------------------------

class School:
    """A cohort running two courses, another program's cohort, a mentor and an admin; more on demand.

    Everything is flushed in the test's app context, never committed.
    """

    def __init__(self, made, other):
        self._numbers = itertools.count(1)
        self.cohort = db.session.get(Cohort, made.cohort_id)
        self.course = db.session.get(Course, made.course_id)
        self.second_course = catalog.save_course(
            Course(program_id=made.program_id), prerequisite_ids=[], code="C-2ND", title="Second course",
            summary="", default_language="en", pd_hours=6, format=CourseFormat.LIVE_VIRTUAL)
        self.cohort.courses.append(self.second_course)
        self.other_cohort = db.session.get(Cohort, other.cohort_id)
        self.other_course = db.session.get(Course, other.course_id)
        self.mentor = self.person("Mo Mentor", Role.MENTOR)
        self.admin = self.person("Ada Admin", Role.ADMIN)
        self.admin.totp_enabled_at = LONG_AGO  # admins use a second factor
        db.session.flush()

    @property
    def program(self):
        return self.cohort.program

    def person(self, full_name: str, role: Role = Role.TRAINEE, *, email=None, native_name=None) -> User:
        return create_user(email=email or f"person{next(self._numbers)}@example.org", full_name=full_name,
                           native_name=native_name, password=None, roles=(role,))

    def trainee(self, full_name="Trainee", *, enrolled=LONG_AGO, course=None, cohort=None, **fields) -> User:
        """A trainee who got a seat in `course` (the first course by default) at `enrolled`."""
        user = self.person(full_name, **fields)
        self.enroll(user, enrolled, course=course, cohort=cohort)
        return user

    def enroll(self, user: User, when: datetime, *, course=None, cohort=None) -> None:
        enrollment = enroll(user, course or self.course, cohort or self.cohort, "en", by_admin=True)
        db.session.execute(update(EnrollmentPeriod).where(
            EnrollmentPeriod.enrollment_id == enrollment.id, EnrollmentPeriod.ended_at.is_(None))
            .values(started_at=when))

    def withdraw(self, user: User, when: datetime) -> None:
        enrollment = db.session.scalar(select(Enrollment).filter_by(user_id=user.id, course_id=self.course.id))
        period = db.session.scalar(select(EnrollmentPeriod).filter_by(enrollment_id=enrollment.id, ended_at=None))
        withdraw(enrollment)
        period.ended_at = when
        db.session.flush()

    def group(self, *members: User, joined=LONG_AGO) -> ReflectiveGroup:
        group = mentoring.create_group(self.mentor, self.cohort, name="Circle", language="en",
                                       trainee_ids=[m.id for m in members], by=self.admin)
        for row in group.members:
            row.joined_at = joined
        db.session.flush()
        return group

    def leave_group(self, group: ReflectiveGroup, user: User, when: datetime) -> None:
        mentoring.set_members(group, [m.trainee_id for m in group.members
                                      if m.left_at is None and m.trainee_id != user.id])
        db.session.get(GroupMember, (group.id, user.id)).left_at = when
        db.session.flush()

    def session(self, starts=NOW - DAY, *, minutes=60, kind=SessionKind.COURSE, course=None, cohort=None,
                group=None, facilitator=None, title="Session", cancelled=False) -> LearningSession:
        """A session of the first course by default; a fixed check-in secret keeps its codes reproducible."""
        session = services.save_session(
            LearningSession(checkin_secret=f"secret-{next(self._numbers)}"), kind=kind, title=title,
            starts_at=starts, ends_at=starts + minutes * MINUTE, facilitator=facilitator or self.mentor,
            language="en", course=(course or self.course) if kind is SessionKind.COURSE else None,
            cohort=cohort or self.cohort, group=group)
        if cancelled:
            services.set_cancelled(session, True)
        return session

    def mark(self, session, user, status=Status.PRESENT, minutes=None, *, by=None) -> int:
        return services.mark(session, [Mark(user.id, status, minutes)], by=by or self.mentor,
                             source=Source.FACILITATOR)


@pytest.fixture
def school(ctx, make_course):
    return School(make_course(), make_course())


def rate_of(user: User, now=NOW) -> Rate | None:
    return rates(by="trainee", now=now, user_id=user.id).get(user.id)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def error_text(excinfo) -> str:
    return str(excinfo.value.message)


# --- Rosters: everyone enrolled at the session's start --------------------------------------------------

def test_a_course_sessions_roster_is_everyone_seated_in_that_course_and_cohort(school):
    ana = school.trainee("Ana")
    school.trainee("Ben", course=school.second_course)
    school.trainee("Cy", course=school.other_course, cohort=school.other_cohort)
    assert roster_ids(school.session()) == {ana.id}


def test_a_cohort_gatherings_roster_is_everyone_in_any_course_of_the_cohort(school):
    ana, ben = school.trainee("Ana"), school.trainee("Ben", course=school.second_course)
    school.enroll(ana, LONG_AGO, course=school.second_course)
    school.trainee("Cy", course=school.other_course, cohort=school.other_cohort)
    assert roster_ids(school.session(kind=SessionKind.COHORT)) == {ana.id, ben.id}


def test_a_group_meetings_roster_is_the_groups_members(school):
    ana, _ben = school.trainee("Ana"), school.trainee("Ben")
    meeting = school.session(kind=SessionKind.GROUP, group=school.group(ana))
    assert roster_ids(meeting) == {ana.id}


def test_people_who_enrolled_after_a_session_started_are_not_on_its_roster(school):
    school.trainee("Ana", enrolled=NOW - DAY + MINUTE)
    assert roster_ids(school.session(NOW - DAY)) == set()


def test_people_who_withdrew_before_a_session_are_not_on_its_roster(school):
    ana = school.trainee("Ana")
    before, after = school.session(NOW - 3 * DAY), school.session(NOW - DAY)
    school.withdraw(ana, NOW - 2 * DAY)
    assert (roster_ids(before), roster_ids(after)) == ({ana.id}, set())


def test_a_person_who_left_a_group_is_off_later_meetings_but_stays_on_earlier_ones(school):
    ana, ben = school.trainee("Ana"), school.trainee("Ben")
    group = school.group(ana, ben)
    earlier = school.session(NOW - 3 * DAY, kind=SessionKind.GROUP, group=group)
    later = school.session(NOW - DAY, kind=SessionKind.GROUP, group=group)
    school.leave_group(group, ben, NOW - 2 * DAY)
    assert (roster_ids(earlier), roster_ids(later)) == ({ana.id, ben.id}, {ana.id})


# --- Rates ----------------------------------------------------------------------------------------------

def test_nobody_is_counted_absent_for_sessions_before_they_enrolled(school):
    early = school.trainee("Early")
    for day in (5, 4, 3):
        school.session(NOW - day * DAY)
    late = school.trainee("Late", enrolled=NOW - 2 * DAY - HOUR)
    school.mark(school.session(NOW - 2 * DAY), late)
    school.session(NOW - DAY)
    assert (rate_of(early), rate_of(late)) == (Rate(5, 0, 0), Rate(2, 1, 0))
    assert rate_of(late).percent("excluded") == 50.0


def test_cancelled_sessions_and_sessions_not_yet_ended_do_not_count(school):
    ana = school.trainee("Ana")
    school.mark(school.session(NOW - 2 * DAY), ana)
    cancelled = school.session(NOW - DAY)
    school.mark(cancelled, ana, Status.ABSENT)
    services.set_cancelled(cancelled, True)
    school.session(NOW - 30 * MINUTE, minutes=60)  # still running
    school.session(NOW + DAY)
    assert rate_of(ana) == Rate(1, 1, 0)


def test_an_unmarked_held_session_counts_as_absent(school):
    ana = school.trainee("Ana")
    school.mark(school.session(NOW - 2 * DAY), ana)
    school.session(NOW - DAY)
    assert rate_of(ana) == Rate(2, 1, 0)
    assert rate_of(ana).percent("excluded") == 50.0


def test_late_counts_as_attended(school):
    ana = school.trainee("Ana")
    school.mark(school.session(NOW - 2 * DAY), ana, Status.LATE)
    school.mark(school.session(NOW - DAY), ana, Status.ABSENT)
    assert rate_of(ana) == Rate(2, 1, 0)


@pytest.mark.parametrize(("rule", "percent"), [("attended", 50.0), ("excluded", 33.3), ("absent", 25.0)])
def test_an_excused_absence_counts_as_the_program_rule_says(school, rule, percent):
    ana = school.trainee("Ana")
    for day, status in enumerate((Status.PRESENT, Status.EXCUSED, Status.ABSENT), start=2):
        school.mark(school.session(NOW - day * DAY), ana, status)
    school.session(NOW - DAY)  # not marked
    assert rate_of(ana) == Rate(4, 1, 1)
    assert rate_of(ana).percent(rule) == percent


def test_a_rate_with_nothing_to_count_has_no_percent():
    assert Rate(1, 0, 1).percent("excluded") is None


def test_rates_by_trainee_course_group_cohort_and_all_match_a_hand_count_and_come_in_one_query(
        school, count_queries):
    ana, ben = school.trainee("Ana"), school.trainee("Ben")
    cy = school.trainee("Cy", course=school.second_course)
    school.enroll(ben, LONG_AGO, course=school.second_course)
    dee = school.trainee("Dee", course=school.other_course, cohort=school.other_cohort)
    group = school.group(ana, cy)
    first = school.session(NOW - 4 * DAY)
    second = school.session(NOW - 3 * DAY, course=school.second_course)
    gathering = school.session(NOW - 2 * DAY, kind=SessionKind.COHORT)
    meeting = school.session(NOW - DAY, kind=SessionKind.GROUP, group=group)
    elsewhere = school.session(NOW - DAY, course=school.other_course, cohort=school.other_cohort)
    for session, person, status in [(first, ana, Status.PRESENT), (first, ben, Status.EXCUSED),
                                    (second, ben, Status.LATE), (second, cy, Status.PRESENT),
                                    (gathering, ana, Status.PRESENT), (gathering, ben, Status.PRESENT),
                                    (meeting, cy, Status.PRESENT), (elsewhere, dee, Status.PRESENT)]:
        school.mark(session, person, status)
    in_cohort = LearningSession.cohort_id == school.cohort.id

    assert rates(in_cohort, by="trainee", now=NOW) == {
        ana.id: Rate(3, 2, 0), ben.id: Rate(3, 2, 1), cy.id: Rate(3, 2, 0)}
    assert rates(in_cohort, by="course", now=NOW) == {
        school.course.id: Rate(2, 1, 1), school.second_course.id: Rate(2, 2, 0), None: Rate(5, 3, 0)}
    assert rates(in_cohort, by="group", now=NOW) == {group.id: Rate(2, 1, 0), None: Rate(7, 5, 1)}
    assert rates(by="cohort", now=NOW) == {school.cohort.id: Rate(9, 6, 1), school.other_cohort.id: Rate(1, 1, 0)}
    assert rates(in_cohort, by="all", now=NOW) == {0: Rate(9, 6, 1)}
    assert rates(by="trainee_cohort", now=NOW, user_id=ben.id) == {(ben.id, school.cohort.id): Rate(3, 2, 1)}

    groupings = ("trainee", "course", "group", "cohort", "trainee_cohort", "all")
    with count_queries() as statements:
        together = rates_by(in_cohort, by=groupings, now=NOW)
    assert len(statements) == 1
    assert together == {grouping: rates(in_cohort, by=grouping, now=NOW) for grouping in groupings}


@pytest.mark.parametrize(("attended", "threshold", "warning"), [(1, 70, True), (2, 70, False), (1, 50, False)])
def test_a_trainee_is_warned_only_below_the_programs_threshold(school, attended, threshold, warning):
    school.program.attendance_warning_percent = threshold
    ana = school.trainee("Ana")
    for day in (1, 2):
        school.mark(school.session(NOW - day * DAY), ana, Status.PRESENT if day <= attended else Status.ABSENT)
    [mine] = attendance_by_cohort(ana)
    assert (mine.cohort, mine.percent, mine.warning) == (school.cohort, 50.0 * attended, warning)


def test_a_trainees_rate_follows_the_programs_excused_rule(school):
    school.program.excused_absences = "attended"
    ana = school.trainee("Ana")
    school.mark(school.session(NOW - 2 * DAY), ana, Status.EXCUSED)
    school.mark(school.session(NOW - DAY), ana, Status.ABSENT)
    assert [a.percent for a in attendance_by_cohort(ana)] == [50.0]


def test_cohort_rates_take_the_same_number_of_queries_for_3_or_30_trainees(school, count_queries):
    def queries_for_cohort_of(size: int) -> int:
        cohort = catalog.save_cohort(Cohort(program_id=school.program.id), name=f"Cohort of {size}",
                                     languages=["en"], course_ids=[school.course.id], starts_on=NOW.date(),
                                     ends_on=NOW.date() + 90 * DAY, capacity=size)
        people = [school.trainee(f"Trainee {n}", cohort=cohort) for n in range(size)]
        for day in (1, 2):
            session = school.session(NOW - day * DAY, cohort=cohort)
            for person in people[::2]:
                school.mark(session, person)
        db.session.flush()
        with count_queries() as statements:
            result = rates(LearningSession.cohort_id == cohort.id, by="trainee", now=NOW)
        assert len(result) == size
        return len(statements)

    assert queries_for_cohort_of(3) == queries_for_cohort_of(30) == 1


# --- Marking --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("outsider", ["another cohort's trainee", "enrolled later", "no such user"])
def test_marking_refuses_the_whole_batch_when_any_id_is_not_on_the_roster(school, outsider):
    ana = school.trainee("Ana")
    session = school.session()
    stranger_id = {
        "another cohort's trainee": lambda: school.trainee(course=school.other_course, cohort=school.other_cohort).id,
        "enrolled later": lambda: school.trainee(enrolled=NOW).id,
        "no such user": lambda: 10_000_000,
    }[outsider]()
    with pytest.raises(AttendanceError):
        services.mark(session, [Mark(ana.id, Status.PRESENT), Mark(stranger_id, Status.PRESENT)],
                      by=school.mentor, source=Source.FACILITATOR)
    assert (count(AttendanceRecord), count(AttendanceChange)) == (0, 0)


def test_marking_a_cancelled_session_is_refused(school):
    ana = school.trainee("Ana")
    with pytest.raises(AttendanceError) as excinfo:
        school.mark(school.session(cancelled=True), ana)
    assert error_text(excinfo) == "This session was cancelled."
    assert count(AttendanceRecord) == 0


def test_marking_the_same_again_changes_nothing_and_adds_no_history(school):
    ana, session = school.trainee("Ana"), school.session()
    assert school.mark(session, ana, Status.PRESENT, 60) == 1
    marked_at = services.records_of(session)[ana.id].updated_at
    assert school.mark(session, ana, Status.PRESENT, 60, by=school.admin) == 0
    record = services.records_of(session)[ana.id]
    assert (record.updated_at, record.updated_by_id, len(services.history(session))) == (
        marked_at, school.mentor.id, 1)


def test_every_change_is_kept_with_who_made_it_and_when(school):
    ana, session = school.trainee("Ana"), school.session()
    before = utcnow()
    school.mark(session, ana, Status.PRESENT, 60)
    school.mark(session, ana, Status.ABSENT, 0, by=school.admin)
    school.mark(session, ana, Status.LATE, 40)
    after = utcnow()
    assert [(c.status, c.minutes, c.source, c.changed_by_id) for c in services.history(session)] == [
        (Status.LATE, 40, Source.FACILITATOR, school.mentor.id),
        (Status.ABSENT, 0, Source.FACILITATOR, school.admin.id),
        (Status.PRESENT, 60, Source.FACILITATOR, school.mentor.id)]
    assert all(before <= c.changed_at <= after for c in services.history(session))
    record = services.records_of(session)[ana.id]
    assert (record.status, record.updated_by_id) == (Status.LATE, school.mentor.id)


def test_mark_all_present_marks_only_the_unmarked_for_the_whole_session_and_exceptions_can_follow(school):
    ana, ben, cy = school.trainee("Ana"), school.trainee("Ben"), school.trainee("Cy")
    session = school.session(minutes=90)
    school.mark(session, ana, Status.ABSENT, 0)
    assert services.mark_all_present(session, by=school.mentor) == 2
    school.mark(session, cy, Status.LATE, 70)
    assert {uid: (r.status, r.minutes) for uid, r in services.records_of(session).items()} == {
        ana.id: (Status.ABSENT, 0), ben.id: (Status.PRESENT, 90), cy.id: (Status.LATE, 70)}
    assert services.mark_all_present(session, by=school.mentor) == 0


@pytest.mark.parametrize(("who", "allowed"), [("facilitator", True), ("admin", True), ("trainee", False),
                                              ("another mentor", False)])
def test_only_the_facilitator_and_admins_can_take_attendance(school, who, allowed):
    person = {"facilitator": lambda: school.mentor, "admin": lambda: school.admin,
              "trainee": lambda: school.trainee("Ana"),
              "another mentor": lambda: school.person("Other Mentor", Role.MENTOR)}[who]()
    assert services.can_take_attendance(person, school.session()) is allowed


def test_an_admin_without_a_second_factor_cannot_take_attendance(app, school):
    newcomer = school.person("New Admin", Role.ADMIN)
    session = school.session()
    assert services.can_take_attendance(newcomer, session) is False
    app.config["LMS_ADMIN_REQUIRES_2FA"] = False
    assert services.can_take_attendance(newcomer, session) is True


def test_a_facilitator_whose_mentor_role_was_removed_can_no_longer_take_attendance(school):
    session = school.session()
    revoke_role(school.mentor, Role.MENTOR, by=school.admin)
    assert school.mentor.has_role(Role.MENTOR) is False
    assert services.can_take_attendance(school.mentor, session) is False


def test_an_admin_facilitator_takes_attendance_with_the_second_factor(school):
    office = school.person("Office Facilitator", Role.ADMIN)
    session = school.session(facilitator=office)
    assert services.can_take_attendance(office, session) is False
    office.totp_enabled_at = NOW
    assert services.can_take_attendance(office, session) is True


def test_a_mark_made_from_a_page_that_showed_an_older_state_is_refused_and_nothing_is_saved(school):
    ana, ben = school.trainee("Ana"), school.trainee("Ben")
    session = school.session()
    school.mark(session, ana, Status.PRESENT, 60)
    school.mark(session, ana, Status.EXCUSED, None, by=school.admin)  # after the mentor's page loaded
    with pytest.raises(services.AttendanceConflict) as excinfo:
        services.mark(session, [Mark(ana.id, Status.LATE, 40, seen=(Status.PRESENT, 60)),
                                Mark(ben.id, Status.ABSENT, 0, seen=services.NOT_MARKED)],
                      by=school.mentor, source=Source.FACILITATOR)
    assert list(excinfo.value.changed) == [ana.id]
    assert {uid: (r.status, r.minutes) for uid, r in services.records_of(session).items()} == {
        ana.id: (Status.EXCUSED, None)}


def test_a_row_left_as_the_page_showed_it_does_not_undo_a_newer_mark(school):
    ana, ben = school.trainee("Ana"), school.trainee("Ben")
    session = school.session()
    school.mark(session, ana, Status.PRESENT, 60)
    school.mark(session, ana, Status.EXCUSED, None, by=school.admin)  # after the mentor's page loaded
    changed = services.mark(session, [Mark(ana.id, Status.PRESENT, 60, seen=(Status.PRESENT, 60)),
                                      Mark(ben.id, Status.LATE, 40, seen=services.NOT_MARKED)],
                            by=school.mentor, source=Source.FACILITATOR)
    assert changed == 1
    assert {uid: (r.status, r.minutes) for uid, r in services.records_of(session).items()} == {
        ana.id: (Status.EXCUSED, None), ben.id: (Status.LATE, 40)}


# --- Scheduling -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("minutes", [0, -30])
def test_a_session_must_end_after_it_starts(school, minutes):
    with pytest.raises(AttendanceError) as excinfo:
        school.session(minutes=minutes)
    assert excinfo.value.field == "ends_at"


def test_the_facilitator_must_be_a_mentor_or_an_admin(school):
    with pytest.raises(AttendanceError) as excinfo:
        school.session(facilitator=school.trainee("Ana"))
    assert excinfo.value.field == "facilitator"
    assert school.session(facilitator=school.admin).facilitator_id == school.admin.id


def test_a_course_session_needs_a_course_that_the_cohort_runs(school):
    with pytest.raises(AttendanceError) as excinfo:
        school.session(course=school.other_course)
    assert excinfo.value.field == "course"
    assert school.session(course=school.second_course).course_id == school.second_course.id


def test_each_kind_of_session_keeps_only_the_scope_it_needs(school):
    group = school.group(school.trainee("Ana"))
    gathering = services.save_session(
        LearningSession(), kind=SessionKind.COHORT, title="Gathering", starts_at=NOW, ends_at=NOW + HOUR,
        facilitator=school.mentor, language="en", course=school.course, cohort=school.cohort, group=group)
    meeting = services.save_session(
        LearningSession(), kind=SessionKind.GROUP, title="Circle", starts_at=NOW, ends_at=NOW + HOUR,
        facilitator=school.mentor, language="en", course=school.course, cohort=school.other_cohort, group=group)
    assert (gathering.course_id, gathering.cohort_id, gathering.group_id) == (None, school.cohort.id, None)
    assert (meeting.course_id, meeting.cohort_id, meeting.group_id) == (None, school.cohort.id, group.id)


@pytest.mark.parametrize(("kind", "field"), [(SessionKind.COHORT, "cohort"), (SessionKind.GROUP, "group")])
def test_a_gathering_needs_a_cohort_and_a_group_meeting_a_group(school, kind, field):
    with pytest.raises(AttendanceError) as excinfo:
        services.save_session(LearningSession(), kind=kind, title="Session", starts_at=NOW, ends_at=NOW + HOUR,
                              facilitator=school.mentor, language="en")
    assert excinfo.value.field == field


@pytest.mark.parametrize("scope", ["course session without a course", "cohort gathering with a course",
                                   "group meeting without a group", "ending before it starts"])
def test_the_database_refuses_a_session_whose_scope_does_not_match_its_kind(school, scope):
    group = school.group(school.trainee("Ana"))
    kind, fields = {
        "course session without a course": (SessionKind.COURSE, {"cohort_id": school.cohort.id}),
        "cohort gathering with a course": (SessionKind.COHORT, {"cohort_id": school.cohort.id,
                                                                "course_id": school.course.id}),
        "group meeting without a group": (SessionKind.GROUP, {"cohort_id": school.cohort.id}),
        "ending before it starts": (SessionKind.GROUP, {"group_id": group.id, "ends_at": NOW - HOUR}),
    }[scope]
    row = LearningSession(**{"kind": kind, "title": "Bad", "starts_at": NOW, "ends_at": NOW + HOUR,
                             "language": "en", "facilitator_id": school.mentor.id, **fields})
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(row)


# --- Check-in -------------------------------------------------------------------------------------------

@pytest.fixture
def live(school):
    """A 90-minute session starting at NOW, and Ana on its roster."""
    return school.session(NOW, minutes=90), school.trainee("Ana")


def check_in(session, person, at, code_at=None):
    return checkin.check_in(session, person, checkin.code_at(session, code_at or at), now=at)


@pytest.mark.parametrize("at", [NOW - 15 * MINUTE, NOW, NOW + 89 * MINUTE])
def test_the_current_code_is_accepted_from_the_margin_before_the_start_until_the_end(live, at):
    session, ana = live
    assert check_in(session, ana, at).source is Source.CHECK_IN


def test_check_in_is_refused_before_the_window_opens(live):
    session, ana = live
    with pytest.raises(AttendanceError) as excinfo:
        check_in(session, ana, NOW - 16 * MINUTE)
    assert error_text(excinfo) == "Check-in opens at 3/12/25, 9:45\u202fAM."


@pytest.mark.parametrize("at", [NOW + 90 * MINUTE, NOW + 95 * MINUTE, NOW + 106 * MINUTE])
def test_check_in_closes_when_the_session_ends(live, at):
    session, ana = live
    with pytest.raises(AttendanceError) as excinfo:
        check_in(session, ana, at)
    assert error_text(excinfo) == "Check-in closed at 3/12/25, 11:30\u202fAM."
    assert not checkin.is_open(session, at)
    assert count(AttendanceRecord) == 0


def test_the_check_in_window_follows_the_configured_margin(app, live):
    session, ana = live
    app.config["LMS_CHECKIN_MARGIN_MINUTES"] = 5
    with pytest.raises(AttendanceError):
        check_in(session, ana, NOW - 10 * MINUTE)
    assert check_in(session, ana, NOW - 5 * MINUTE).status is Status.PRESENT


def test_a_code_of_another_session_is_refused_in_the_same_minute(school, live):
    session, ana = live
    other = school.session(NOW, minutes=90)
    assert checkin.code_at(other, NOW) not in {checkin.code_at(session, NOW), checkin.code_at(session, NOW - MINUTE)}
    with pytest.raises(AttendanceError) as excinfo:
        checkin.check_in(session, ana, checkin.code_at(other, NOW), now=NOW)
    assert excinfo.value.field == "code"


@pytest.mark.parametrize(("code_age", "accepted"), [(MINUTE, True), (2 * MINUTE, False)])
def test_the_previous_minutes_code_is_accepted_but_not_an_older_one(live, code_age, accepted):
    session, ana = live
    at = NOW + 20 * MINUTE + 30 * timedelta(seconds=1)
    assert (checkin.code_at(session, at - code_age) in {checkin.code_at(session, at),
                                                        checkin.code_at(session, at - MINUTE)}) is accepted
    if accepted:
        assert check_in(session, ana, at, code_at=at - code_age).trainee_id == ana.id
    else:
        with pytest.raises(AttendanceError):
            check_in(session, ana, at, code_at=at - code_age)


def test_a_code_is_accepted_with_spaces_between_its_digits(live):
    session, ana = live
    code = checkin.code_at(session, NOW)
    assert checkin.check_in(session, ana, f" {code[:3]} {code[3:]} ", now=NOW).status is Status.PRESENT


def test_a_trainee_checks_in_only_once(live):
    session, ana = live
    check_in(session, ana, NOW)
    with pytest.raises(AttendanceError) as excinfo:
        check_in(session, ana, NOW + 5 * MINUTE)
    assert error_text(excinfo) == "You have already checked in to this session."
    assert len(services.history(session)) == 1


def test_check_in_is_refused_once_the_facilitator_has_marked_the_trainee(school, live):
    session, ana = live
    school.mark(session, ana, Status.ABSENT, 0)
    with pytest.raises(AttendanceError) as excinfo:
        check_in(session, ana, NOW)
    assert error_text(excinfo) == "Your attendance for this session is already recorded by the facilitator."
    assert services.records_of(session)[ana.id].status is Status.ABSENT


@pytest.mark.parametrize(("at", "status", "minutes"), [
    (NOW - 5 * MINUTE, Status.PRESENT, 90), (NOW + 10 * MINUTE, Status.PRESENT, 80),
    (NOW + 11 * MINUTE, Status.LATE, 79), (NOW + 89 * MINUTE + 30 * timedelta(seconds=1), Status.LATE, 1)])
def test_checking_in_after_the_late_threshold_is_late_and_minutes_run_to_the_end(live, at, status, minutes):
    session, ana = live
    record = check_in(session, ana, at)
    assert (record.status, record.minutes, record.updated_by_id) == (status, minutes, ana.id)


def test_the_late_threshold_comes_from_the_config(app, live):
    session, ana = live
    app.config["LMS_LATE_AFTER_MINUTES"] = 0
    assert check_in(session, ana, NOW + MINUTE).status is Status.LATE


def test_people_not_on_the_roster_cannot_check_in(school, live):
    session, _ana = live
    latecomer = school.trainee("Latecomer", enrolled=NOW + MINUTE)
    with pytest.raises(AttendanceError) as excinfo:
        check_in(session, latecomer, NOW + 5 * MINUTE)
    assert error_text(excinfo) == "You are not on the roster of this session."
    assert count(AttendanceRecord) == 0


def test_check_in_to_a_cancelled_session_is_refused(live):
    session, ana = live
    services.set_cancelled(session, True)
    with pytest.raises(AttendanceError) as excinfo:
        check_in(session, ana, NOW)
    assert error_text(excinfo) == "This session was cancelled."
    assert not checkin.is_open(session, NOW)


# --- Importing a video meeting's participant report ------------------------------------------------------

def zoom(*rows: tuple[str, str, str, str]) -> str:
    """A Zoom participant report: (name, email, joined, left) with times like "10:05" on the session's day."""
    lines = [ZOOM_HEADER]
    for name, email, joined, left in rows:
        minutes = (datetime.strptime(left, "%H:%M") - datetime.strptime(joined, "%H:%M")).seconds // 60
        lines.append(f"{name},{email},03/12/2025 {joined}:00 AM,03/12/2025 {left}:00 AM,{minutes},No")
    return "\n".join(lines) + "\n"


def minutes_by_name(plan) -> dict[str, int]:
    return {p.name: p.minutes for p in plan.participants}


def matches(plan) -> dict[str, tuple[int | None, str]]:
    return {p.name: (p.user.id if p.user else None, p.how) for p in plan.participants}


def test_a_persons_rows_are_merged_and_overlapping_time_counts_once(school, live):
    session, _ana = live
    report = zoom(("Ana Lopez", "ana@example.org", "10:00", "10:30"),
                  ("Ana Lopez", "ana@example.org", "10:20", "10:50"),
                  ("Ana Lopez", "ANA@example.org", "11:00", "11:10"),
                  ("Ben Okafor", "", "10:05", "10:35"))
    plan = imports.plan_import(session, report)
    assert (minutes_by_name(plan), plan.file_errors) == ({"Ana Lopez": 60, "Ben Okafor": 30}, [])
    assert [p.lines for p in plan.participants] == [[2, 3, 4], [5]]


@pytest.mark.parametrize("header", ["Name,Duration", "Full Name,Duration (Minutes)"])
def test_a_report_with_only_names_and_durations_adds_up_the_durations(live, header):
    session, _ana = live
    plan = imports.plan_import(session, f"{header}\nAna Lopez,40\nBen Okafor,25\nAna Lopez,15\n")
    assert (minutes_by_name(plan), plan.file_errors) == ({"Ana Lopez": 55, "Ben Okafor": 25}, [])


def test_the_minimum_minutes_decide_present_or_absent(school, live):
    session, ana = live
    ben = school.trainee("Ben Okafor", email="ben@example.org")
    ana_row = ("Ana", ana.email, "10:00", "10:45")
    plan = imports.plan_import(session, zoom(ana_row, ("Ben Okafor", "ben@example.org", "10:00", "10:44")))
    assert imports.apply_import(session, plan, 45, by=school.mentor) == 2
    assert {uid: (r.status, r.minutes, r.source) for uid, r in services.records_of(session).items()} == {
        ana.id: (Status.PRESENT, 45, Source.IMPORT), ben.id: (Status.ABSENT, 44, Source.IMPORT)}


def test_people_are_matched_by_email_first_then_by_name_without_case_or_accents(school, live):
    session, ana = live
    lan = school.trainee("Lan Nguyen", native_name="Nguyễn Thị Lan")
    jose = school.trainee("José Ramírez")
    plan = imports.plan_import(session, zoom(
        ("José Ramírez", ana.email.upper(), "10:00", "11:00"),
        ("nguyen  THI lan", "lan.phone@example.net", "10:00", "11:00"),
        ("JOSE RAMIREZ", "", "10:00", "11:00")))
    assert matches(plan) == {"José Ramírez": (ana.id, "email"), "nguyen  THI lan": (lan.id, "name"),
                             "JOSE RAMIREZ": (jose.id, "name")}


def test_a_name_two_people_on_the_roster_share_stays_unmatched(school, live):
    session, _ana = live
    school.trainee("Sam Lee")
    school.trainee("Sam Lee")
    plan = imports.plan_import(session, zoom(("Sam Lee", "sam@example.net", "10:00", "11:00")))
    assert matches(plan) == {"Sam Lee": (None, "")}


def test_unmatched_people_can_be_matched_by_hand(school, live):
    session, _ana = live
    sam = school.trainee("Sam Lee")
    report = zoom(("Samuel's iPad", "", "10:00", "11:00"))
    [participant] = imports.plan_import(session, report).unmatched
    plan = imports.plan_import(session, report, by_hand={participant.key: sam.id})
    assert matches(plan) == {"Samuel's iPad": (sam.id, "hand")}


def test_people_not_on_the_roster_cannot_be_matched_by_hand(school, live):
    session, _ana = live
    stranger = school.trainee("Stranger", course=school.other_course, cohort=school.other_cohort)
    plan = imports.plan_import(session, zoom(("Stranger", "", "10:00", "11:00")),
                               by_hand={"stranger": stranger.id})
    assert matches(plan) == {"Stranger": (None, "")}
    assert imports.apply_import(session, plan, 0, by=school.mentor) == 0


def test_two_report_entries_cannot_both_be_one_person(school, live):
    session, ana = live
    plan = imports.plan_import(session, zoom(("Ana", ana.email, "10:00", "10:30"),
                                             ("Ana's phone", "", "10:30", "11:00")),
                               by_hand={"ana's phone": ana.id})
    assert matches(plan) == {"Ana": (ana.id, "email"), "Ana's phone": (None, "")}
    assert [p.name for p in plan.refused] == ["Ana's phone"]


def test_importing_the_same_report_again_changes_nothing(school, live):
    session, ana = live
    report = zoom(("Ana", ana.email, "10:00", "11:00"))
    assert imports.apply_import(session, imports.plan_import(session, report), 45, by=school.mentor) == 1
    assert imports.apply_import(session, imports.plan_import(session, report), 45, by=school.mentor) == 0
    assert count(AttendanceChange) == 1


def test_an_import_leaves_a_facilitators_mark_and_a_check_in_as_they_are(school, live):
    session, ana = live
    ben, cy = school.trainee("Ben Okafor", email="ben@example.org"), school.trainee("Cy", email="cy@example.org")
    school.mark(session, ana, Status.EXCUSED)
    checkin.check_in(session, ben, checkin.code_at(session, NOW), now=NOW)
    report = zoom(("Ana", ana.email, "10:00", "10:10"), ("Ben", "ben@example.org", "10:00", "10:10"),
                  ("Cy", "cy@example.org", "10:00", "11:00"))
    plan = imports.plan_import(session, report)
    assert {p.name: p.kept.status if p.kept else None for p in plan.participants} == {
        "Ana": Status.EXCUSED, "Ben": Status.PRESENT, "Cy": None}
    assert imports.apply_import(session, plan, 45, by=school.mentor) == 1
    assert {uid: (r.status, r.source) for uid, r in services.records_of(session).items()} == {
        ana.id: (Status.EXCUSED, Source.FACILITATOR), ben.id: (Status.PRESENT, Source.CHECK_IN),
        cy.id: (Status.PRESENT, Source.IMPORT)}


def test_importing_the_same_report_after_a_facilitator_corrected_it_changes_nothing(school, live):
    session, ana = live
    report = zoom(("Ana", ana.email, "10:00", "10:30"))
    assert imports.apply_import(session, imports.plan_import(session, report), 45, by=school.mentor) == 1
    school.mark(session, ana, Status.EXCUSED)  # the facilitator knows better
    assert imports.apply_import(session, imports.plan_import(session, report), 45, by=school.mentor) == 0
    assert services.records_of(session)[ana.id].status is Status.EXCUSED


def test_an_import_updates_what_an_earlier_import_saved(school, live):
    session, ana = live
    imports.apply_import(session, imports.plan_import(session, zoom(("Ana", ana.email, "10:00", "10:30"))), 45,
                         by=school.mentor)
    longer = imports.plan_import(session, zoom(("Ana", ana.email, "10:00", "11:00")))
    assert imports.apply_import(session, longer, 45, by=school.mentor) == 1
    assert (services.records_of(session)[ana.id].status, services.records_of(session)[ana.id].minutes) == (
        Status.PRESENT, 60)


def test_a_hand_match_naming_someone_already_matched_is_refused_and_the_email_match_stays(school, live):
    session, ana = live
    report = zoom(("Someone's phone", "", "10:00", "10:05"), ("Ana", ana.email, "10:00", "11:00"))
    plan = imports.plan_import(session, report, by_hand={"someone's phone": ana.id})
    assert matches(plan) == {"Someone's phone": (None, ""), "Ana": (ana.id, "email")}
    assert [str(p.error) for p in plan.refused] == [
        "Ana is already matched to “Ana” in this report. Choose someone else or leave this one out."]
    with pytest.raises(AttendanceError):
        imports.apply_import(session, plan, 45, by=school.mentor)
    assert count(AttendanceRecord) == 0


def test_two_hand_matches_cannot_name_the_same_person(school, live):
    session, ana = live
    plan = imports.plan_import(session, zoom(("Phone", "", "10:00", "10:05"), ("Tablet", "", "10:00", "11:00")),
                               by_hand={"phone": ana.id, "tablet": ana.id})
    assert matches(plan) == {"Phone": (ana.id, "hand"), "Tablet": (None, "")}
    assert [p.name for p in plan.refused] == ["Tablet"]


@pytest.mark.parametrize(("rows", "minutes"), [
    ("Ana,ana@example.org,03/12/2025 09:00:00 AM,03/12/2025 01:00:00 PM,240,No", 90),  # joined early, left late
    ("Ana,ana@example.org,03/12/2025 10:30:00 AM,03/13/2025 10:30:00 AM,1440,No", 60),
    ("Ana,ana@example.org,03/11/2025 10:00:00 AM,03/11/2025 11:00:00 AM,60,No", 0),  # the day before
    ("Ana,ana@example.org,,,3000000000,No", 90),
    ("Ana,ana@example.org,,," + "9" * 400 + ",No", 90),
])
def test_imported_minutes_count_only_the_time_of_the_session_and_never_more_than_it_lasts(school, live, rows,
                                                                                           minutes):
    session, ana = live
    report = f"{ZOOM_HEADER}\n{rows.replace('ana@example.org', ana.email)}\n"
    plan = imports.plan_import(session, report)
    assert minutes_by_name(plan) == {"Ana": minutes}
    imports.apply_import(session, plan, 45, by=school.mentor)
    assert services.records_of(session)[ana.id].minutes == minutes


@pytest.mark.parametrize(("text", "error"), [
    ("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "This file has no column for names and join times or emails."),
    ("Topic,Start Time\nWeekly circle,03/12/2025 10:00:00 AM\n",
     "This file has no column for names and join times or emails."),
    ("Name (Original Name),User Email\nAna,ana@example.org\n",
     "The report needs a name column and either a duration or join and leave times."),
    ('Name,Duration\n"Ana' + "x" * 200_000 + '",5\n', "This is not a CSV file we can read."),
])
def test_an_unreadable_file_gives_a_clear_error_and_no_participants(live, text, error):
    session, _ana = live
    plan = imports.plan_import(session, text)
    assert plan.participants == []
    assert [str(e) for e in plan.file_errors][0].startswith(error)


def test_a_byte_order_mark_and_lines_before_the_header_are_skipped(live):
    session, ana = live
    report = ("\ufeffMeeting ID,Topic,Start Time,End Time,User Email,Duration (Minutes),Participants\n"
              "812 3456 7890,Weekly circle,03/12/2025 10:00:00 AM,03/12/2025 11:30:00 AM,host@example.org,90,1\n"
              "\n" + zoom(("Ana", ana.email, "10:00", "11:00")))
    plan = imports.plan_import(session, report)
    assert (matches(plan), minutes_by_name(plan), plan.file_errors) == ({"Ana": (ana.id, "email")}, {"Ana": 60}, [])


# --- Calendars ------------------------------------------------------------------------------------------

def test_resetting_the_calendar_address_retires_the_old_one(school):
    ana = school.trainee("Ana")
    old = calendar.reset_token(ana).token
    assert calendar.user_for_token(old) == ana
    new = calendar.reset_token(ana).token
    assert new != old
    assert (calendar.user_for_token(old), calendar.user_for_token(new)) == (None, ana)


def test_an_inactive_persons_calendar_address_does_not_resolve(school):
    ana = school.trainee("Ana")
    token = calendar.reset_token(ana).token
    ana.is_active = False
    assert calendar.user_for_token(token) is None


def test_a_calendar_lists_the_sessions_on_the_persons_roster_and_those_they_facilitate(school):
    ana, other_mentor = school.trainee("Ana"), school.person("Other Mentor", Role.MENTOR)
    soon = utcnow() + 2 * DAY
    mine = school.session(soon)
    gathering = school.session(soon + DAY, kind=SessionKind.COHORT, facilitator=other_mentor)
    elsewhere = school.session(soon + 2 * DAY, course=school.second_course, facilitator=other_mentor)
    abroad = school.session(soon, course=school.other_course, cohort=school.other_cohort, facilitator=other_mentor)
    assert calendar.sessions_for(ana) == [mine, gathering]
    assert calendar.sessions_for(school.mentor) == [mine]
    assert calendar.sessions_for(other_mentor) == [abroad, gathering, elsewhere]


def test_a_calendar_file_has_its_times_in_utc_and_marks_cancelled_sessions(app, school):
    held = school.session(NOW, minutes=90, title="Circle on routines")
    dropped = school.session(NOW + DAY, title="Dropped", cancelled=True)
    with app.test_request_context():
        parsed = Calendar.from_ical(calendar.calendar_bytes([held, dropped], "My sessions"))
    events = {str(e["SUMMARY"]): e for e in parsed.walk("VEVENT")}
    assert events["Circle on routines"]["DTSTART"].to_ical() == b"20250312T170000Z"
    assert events["Circle on routines"]["DTEND"].to_ical() == b"20250312T183000Z"
    assert (str(events["Circle on routines"]["STATUS"]), str(events["Dropped"]["STATUS"])) == (
        "CONFIRMED", "CANCELLED")


# --- Exports --------------------------------------------------------------------------------------------

def rows_of(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_spreadsheet_formulas_in_names_are_neutralised_in_both_sheets(school, start):
    name = f'{start}HYPERLINK("https://evil.example/","Open")'
    person = school.trainee(name, native_name=f"{start}1+1")
    session = school.session()
    school.mark(session, person)
    session_rows = rows_of(exports.session_csv(session, [person], services.records_of(session)))
    cohort_rows = rows_of(exports.cohort_csv(school.cohort.id, {}, "excluded"))
    assert session_rows[1][:2] == [f"'{name}", f"'{start}1+1"]
    assert cohort_rows[1][0] == f"'{name}"


def test_the_cohort_sheet_has_a_column_a_session_headed_in_the_programs_time_zone_and_the_rate(app, school):
    app.config["LMS_TIMEZONE"] = "America/Los_Angeles"
    ana = school.trainee("Ana", email="ana@example.org")
    ben = school.trainee("Ben", email="ben@example.org", enrolled=NOW - 2 * DAY - HOUR)
    opening = school.session(NOW - 3 * DAY, title="Opening")
    second = school.session(NOW - 2 * DAY, title="Second")
    school.session(NOW - DAY, title="Third")
    for session, person, status in [(opening, ana, Status.PRESENT), (second, ana, Status.ABSENT),
                                    (second, ben, Status.LATE)]:
        school.mark(session, person, status)
    sheet = exports.cohort_csv(school.cohort.id, rates(LearningSession.cohort_id == school.cohort.id,
                                                       by="trainee", now=NOW), "excluded")
    assert rows_of(sheet) == [
        ["name", "email", "2025-03-09 10:00 America/Los_Angeles Opening",
         "2025-03-10 10:00 America/Los_Angeles Second", "2025-03-11 10:00 America/Los_Angeles Third",
         "attendance_rate_percent"],
        ["Ana", "ana@example.org", "present", "absent", "not marked", "33.3"],
        ["Ben", "ben@example.org", "", "late", "not marked", "50.0"],
    ]
