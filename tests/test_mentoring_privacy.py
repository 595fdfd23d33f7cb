"""A person's data export includes their mentoring, and never a mentor's private notes."""

import json
from datetime import date

from lms.accounts.models import User
from lms.courses.models import Cohort, Course
from lms.enrollment.services import enroll
from lms.extensions import db
from lms.mentoring import logs, services
from lms.mentoring.models import SessionFormat


def test_the_export_holds_my_mentor_and_sessions_but_no_private_notes(app, make_user, make_course, login, admin):
    made = make_course()
    trainee, mentor = make_user(full_name="Bea Ito"), make_user("mentor", full_name="Amara Diallo")
    with app.app_context():
        bea, amara = db.session.get(User, trainee.id), db.session.get(User, mentor.id)
        cohort = db.session.get(Cohort, made.cohort_id)
        enroll(bea, db.session.get(Course, made.course_id), cohort, "en")
        services.assign(amara, bea, cohort, by=db.session.get(User, admin.id))
        logs.save_session(amara, None, group=None, attendee_ids=[bea.id], held_on=date(2026, 11, 2),
                          duration_minutes=45, format=SessionFormat.PHONE, language="en", topic_ids=[],
                          summary="We talked about morning routines.", notes="Bea seemed tired; check in.")
        db.session.commit()
    client = app.test_client()
    login(client, trainee)
    data = json.loads(client.get("/account/export.json").get_data(as_text=True))
    assert data["mentors"][0]["mentor"] == "Amara Diallo" and data["mentors"][0]["until"] is None
    assert data["sessions_attended"] == [{"date": "2026-11-02", "mentor": "Amara Diallo", "group": None,
                                          "minutes": 45, "summary": "We talked about morning routines."}]
    assert "check in" not in json.dumps(data)
