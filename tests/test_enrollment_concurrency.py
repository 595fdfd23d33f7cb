"""Seats and the one-enrollment rule hold when many requests arrive at once (SQLite file and PostgreSQL)."""

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select

from lms.enrollment.models import Enrollment, EnrollmentStatus
from lms.enrollment.services import waitlist_positions
from lms.extensions import db

REQUESTS = 40


def post_all_at_once(clients, made):
    """Send one enroll request per client, released together by a barrier."""
    tokens = [c.csrf_token() for c in clients]
    barrier = threading.Barrier(len(clients))

    def send(i):
        barrier.wait()
        return clients[i].post(f"/courses/{made.course_id}/enroll",
                               data={"cohort": made.cohort_id, "language": "en", "csrf_token": tokens[i]})

    with ThreadPoolExecutor(max_workers=len(clients)) as pool:
        return [r.status_code for r in pool.map(send, range(len(clients)))]


def test_forty_simultaneous_requests_by_one_trainee_make_one_enrollment(app, make_user, login, make_course):
    made = make_course(capacity=5)
    trainee = make_user()
    clients = [app.test_client() for _ in range(REQUESTS)]
    for client in clients:
        login(client, trainee)
    statuses = post_all_at_once(clients, made)
    assert statuses == [302] * REQUESTS, "no request failed"
    with app.app_context():
        rows = db.session.scalars(select(Enrollment)).all()
        assert [(e.user_id, e.status) for e in rows] == [(trainee.id, EnrollmentStatus.ENROLLED)]


def test_forty_simultaneous_trainees_never_exceed_the_seats(app, make_user, login, make_course):
    made = make_course(capacity=10)
    clients = []
    for _ in range(REQUESTS):
        client = app.test_client()
        login(client, make_user())
        clients.append(client)
    statuses = post_all_at_once(clients, made)
    assert statuses == [302] * REQUESTS
    with app.app_context():
        rows = db.session.scalars(select(Enrollment)).all()
        seated = [e for e in rows if e.status is EnrollmentStatus.ENROLLED]
        waiting = [e for e in rows if e.status is EnrollmentStatus.WAITLISTED]
        assert (len(seated), len(waiting)) == (10, 30)
        assert sorted(waitlist_positions(waiting).values()) == list(range(1, 31))
