"""Enrollment is free and one step; full courses have a waitlist; the database keeps it to one."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from lms.accounts.models import User
from lms.courses.models import Cohort, Course
from lms.enrollment import services
from lms.enrollment.models import Enrollment, EnrollmentStatus
from lms.core.clock import program_today
from lms.extensions import db
from lms.notifications.models import Notification


def enrollments(app, course_id):
    with app.app_context():
        return [(e.user_id, e.status.value, e.language) for e in db.session.scalars(
            select(Enrollment).where(Enrollment.course_id == course_id).order_by(Enrollment.id))]


def test_a_trainee_enrolls_in_one_step(app, client, make_user, login, make_course, enroll_form):
    made = make_course(translations={"es": "Curso"})
    trainee = make_user()
    login(client, trainee)
    response = enroll_form(client, made, language="es")
    assert response.status_code == 302
    assert enrollments(app, made.course_id) == [(trainee.id, "enrolled", "es")]
    page = client.get(f"/courses/{made.course_id}").get_data(as_text=True)
    assert "You are enrolled in" in page


def test_enrolling_twice_gives_one_enrollment(app, client, make_user, login, make_course, enroll_form):
    made = make_course()
    login(client, make_user())
    enroll_form(client, made)
    enroll_form(client, made)
    assert len(enrollments(app, made.course_id)) == 1


def test_the_database_refuses_a_second_enrollment_for_the_same_course(app, make_user, make_course):
    made = make_course()
    user = make_user()
    with app.app_context():
        for _ in range(2):
            db.session.add(Enrollment(user_id=user.id, course_id=made.course_id, cohort_id=made.cohort_id,
                                      language="en", status=EnrollmentStatus.WAITLISTED,
                                      waitlisted_at=services.utcnow()))
        with pytest.raises(IntegrityError):
            db.session.flush()


def test_the_database_refuses_an_enrollment_in_a_cohort_that_does_not_run_the_course(app, make_user, make_course):
    first, second = make_course(), make_course()
    user = make_user()
    with app.app_context():
        db.session.add(Enrollment(user_id=user.id, course_id=first.course_id, cohort_id=second.cohort_id,
                                  language="en", status=EnrollmentStatus.ENROLLED, enrolled_at=services.utcnow()))
        with pytest.raises(IntegrityError):
            db.session.flush()


def test_a_full_course_puts_people_on_the_waitlist_in_order(app, make_user, login, make_course, enroll_form):
    made = make_course(capacity=1)
    people = [make_user() for _ in range(3)]
    clients = []
    for person in people:
        client = app.test_client()
        login(client, person)
        enroll_form(client, made)
        clients.append(client)
    assert [s for _, s, _ in enrollments(app, made.course_id)] == ["enrolled", "waitlisted", "waitlisted"]
    assert "number 2" in clients[2].get(f"/courses/{made.course_id}").get_data(as_text=True)
    assert "On the waitlist: number 1" in clients[1].get("/").get_data(as_text=True)


def test_a_freed_seat_goes_to_the_first_person_waiting_who_is_told(app, make_user, login, make_course, enroll_form):
    made = make_course(capacity=1)
    holder, first, second = make_user(), make_user(), make_user()
    clients = {}
    for person in (holder, first, second):
        clients[person.id] = app.test_client()
        login(clients[person.id], person)
        enroll_form(clients[person.id], made)
    with app.app_context():
        holder_enrollment = db.session.scalar(select(Enrollment.id).where(Enrollment.user_id == holder.id))
    clients[holder.id].post_form(f"/my/courses/{holder_enrollment}/withdraw")
    assert enrollments(app, made.course_id) == [
        (holder.id, "withdrawn", "en"), (first.id, "enrolled", "en"), (second.id, "waitlisted", "en")]
    with app.app_context():
        assert db.session.scalar(select(Notification.kind).where(Notification.user_id == first.id)) == "seat_offered"
        assert db.session.scalar(select(func.count()).select_from(Notification).where(
            Notification.user_id == second.id)) == 0
    home = clients[first.id].get("/").get_data(as_text=True)
    assert "A seat opened in Course" in home and "it is yours" in home


def test_withdrawing_and_coming_back_reuses_the_one_enrollment(app, client, make_user, login, make_course, enroll_form):
    made = make_course()
    login(client, make_user())
    enroll_form(client, made)
    with app.app_context():
        enrollment_id = db.session.scalar(select(Enrollment.id))
    client.post_form(f"/my/courses/{enrollment_id}/withdraw")
    enroll_form(client, made)
    with app.app_context():
        assert db.session.scalars(select(Enrollment.id)).all() == [enrollment_id]
        assert db.session.get(Enrollment, enrollment_id).status is EnrollmentStatus.ENROLLED


@pytest.mark.parametrize(("window", "reason"), [
    ({"enrollment_open": False}, "Enrollment for this cohort is closed."),
    ({"opens_on": 3}, "Enrollment opens on"),  # days from the program's today
    ({"closes_on": -1}, "Enrollment for this cohort is closed."),
])
def test_enrollment_outside_the_open_window_is_refused_with_the_reason(app, make_user, make_course, window, reason):
    # The program's date (LMS_TIMEZONE), not the machine's: they differ for hours each day (found at 00:20 UTC).
    with app.app_context():
        today = program_today()
    made = make_course(**{key: today + timedelta(days=value) if key.endswith("_on") else value
                          for key, value in window.items()})
    user = make_user()
    with app.app_context():
        with pytest.raises(services.EnrollmentError, match=reason):
            services.enroll(db.session.get(User, user.id), db.session.get(Course, made.course_id),
                            db.session.get(Cohort, made.cohort_id), "en")


def test_the_course_page_explains_a_refusal(app, client, make_user, login, make_course, enroll_form):
    made = make_course(enrollment_open=False)
    login(client, make_user())
    response = enroll_form(client, made)
    assert "Enrollment for this cohort is closed." in client.get(response.headers["Location"]).get_data(as_text=True)
    assert enrollments(app, made.course_id) == []


def test_prerequisites_are_enforced_with_the_missing_courses_named(app, client, make_user, login, make_course,
                                                                   enroll_form):
    basics = make_course(title="Foundations")
    advanced = make_course(prerequisites=[basics.course_id], program_id=basics.program_id)
    trainee = make_user()
    login(client, trainee)
    enroll_form(client, advanced)
    assert enrollments(app, advanced.course_id) == []
    with app.app_context():
        with pytest.raises(services.EnrollmentError, match="First complete: Foundations"):
            services.enroll(db.session.get(User, trainee.id), db.session.get(Course, advanced.course_id),
                            db.session.get(Cohort, advanced.cohort_id), "en")
    page = client.get(f"/courses/{advanced.course_id}").get_data(as_text=True)
    assert "To enroll, first complete:" in page and "Foundations" in page


def test_a_language_the_course_is_not_offered_in_is_refused(app, client, make_user, login, make_course, enroll_form):
    made = make_course()
    login(client, make_user())
    enroll_form(client, made, language="ko")
    assert enrollments(app, made.course_id) == []


def test_the_program_office_may_enroll_outside_the_window(app, make_user, make_course):
    made = make_course(enrollment_open=False)
    user = make_user()
    with app.app_context():
        enrollment = services.enroll(db.session.get(User, user.id), db.session.get(Course, made.course_id),
                                     db.session.get(Cohort, made.cohort_id), "en", by_admin=True)
        assert enrollment.status is EnrollmentStatus.ENROLLED


def test_a_trainee_cannot_withdraw_or_switch_someone_elses_enrollment(app, make_user, login, make_course, enroll_form):
    made = make_course()
    owner, other = make_user(), make_user()
    owner_client, other_client = app.test_client(), app.test_client()
    login(owner_client, owner)
    login(other_client, other)
    enroll_form(owner_client, made)
    with app.app_context():
        enrollment_id = db.session.scalar(select(Enrollment.id))
    assert other_client.post_form(f"/my/courses/{enrollment_id}/withdraw").status_code == 404
    assert other_client.post_form(f"/my/courses/{enrollment_id}/language", {"language": "es"}).status_code == 404
    assert enrollments(app, made.course_id) == [(owner.id, "enrolled", "en")]


def test_switching_language_keeps_the_one_enrollment(app, client, make_user, login, make_course, enroll_form):
    made = make_course(translations={"es": "Curso en español"})
    trainee = make_user()
    login(client, trainee)
    enroll_form(client, made)
    with app.app_context():
        enrollment_id = db.session.scalar(select(Enrollment.id))
    client.post_form(f"/my/courses/{enrollment_id}/language", {"language": "es"})
    assert enrollments(app, made.course_id) == [(trainee.id, "enrolled", "es")]
    assert "Curso en español" in client.get(f"/courses/{made.course_id}").get_data(as_text=True)


def test_more_seats_move_people_up_from_the_waitlist(app, make_user, make_course):
    from lms.courses import services as catalog

    made = make_course(capacity=1)
    people = [make_user() for _ in range(3)]
    with app.app_context():
        course, cohort = db.session.get(Course, made.course_id), db.session.get(Cohort, made.cohort_id)
        for person in people:
            services.enroll(db.session.get(User, person.id), course, cohort, "en")
        catalog.save_cohort(cohort, languages=cohort.languages, course_ids=[course.id], name=cohort.name,
                            starts_on=cohort.starts_on, ends_on=cohort.ends_on, capacity=2,
                            enrollment_open=True, enrollment_opens_on=None, enrollment_closes_on=None)
        db.session.commit()
    assert [s for _, s, _ in enrollments(app, made.course_id)] == ["enrolled", "enrolled", "waitlisted"]
