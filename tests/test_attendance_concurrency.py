"""Marking holds when check-ins, facilitators and imports arrive at once (SQLite file and PostgreSQL)."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from lms.attendance.models import AttendanceChange
from lms.extensions import db
from tests.test_attendance_pages import CohortWithSessions, sheet

TRAINEES = 12


@pytest.fixture
def cohort(app, make_user, make_course, login, admin):
    return CohortWithSessions(app, make_user, login, make_course(capacity=500), admin)


def post_all_at_once(requests):
    """Send every (client, url, form) at the same moment, released together by a barrier."""
    tokens = [client.csrf_token() for client, _url, _form in requests]
    barrier = threading.Barrier(len(requests))

    def send(i):
        client, url, form = requests[i]
        barrier.wait()
        return client.post(url, data={**form, "csrf_token": tokens[i]}).status_code

    with ThreadPoolExecutor(max_workers=len(requests)) as pool:
        return list(pool.map(send, range(len(requests))))


def test_check_ins_from_two_tabs_and_marking_everyone_present_at_once_record_each_person_once(app, cohort):
    trainees = [cohort.add_trainee(f"Trainee {n:02d}") for n in range(TRAINEES)]
    running = cohort.schedule(-timedelta(minutes=5))
    code = cohort.code(running)
    tabs = [(client, f"/sessions/{running}/check-in", {"code": code})
            for person in trainees for client in (cohort.client_of(person), app.test_client())]
    for (client, _url, _form), person in zip(tabs[1::2], trainees):
        cohort.login(client, person)
    facilitator = (cohort.client_of(cohort.mentor), f"/sessions/{running}/attendance/all-present", {})
    statuses = post_all_at_once([facilitator, *tabs])
    assert statuses[0] == 302, "marking everyone present did not fail"
    check_ins = statuses[1:]
    assert set(check_ins) <= {200, 302}, "no check-in failed"
    records = cohort.records(running)
    assert set(records) == cohort.roster_ids(running)
    checked_in = {uid for uid, (_status, _minutes, source) in records.items() if source == "check_in"}
    assert len(checked_in) == check_ins.count(302)  # one tab of each person at most
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AttendanceChange)) == len(records)


def test_a_facilitator_saving_while_people_check_in_saves_all_of_it_or_none(app, cohort):
    trainees = [cohort.add_trainee(f"Trainee {n:02d}") for n in range(TRAINEES)]
    running = cohort.schedule(-timedelta(minutes=5))
    code = cohort.code(running)
    everyone_absent = sheet(*((person, "absent", "0") for person in [cohort.lan, cohort.cabdi, cohort.rosa, *trainees]))
    facilitator = (cohort.client_of(cohort.mentor), f"/sessions/{running}/attendance", everyone_absent)
    tabs = [(cohort.client_of(person), f"/sessions/{running}/check-in", {"code": code}) for person in trainees]
    statuses = post_all_at_once([facilitator, *tabs])
    records = cohort.records(running)
    sources = {source for _status, _minutes, source in records.values()}
    if statuses[0] == 302:  # the sheet was saved first: nobody checked in after it
        assert statuses[1:] == [200] * TRAINEES
        assert sources == {"facilitator"} and len(records) == TRAINEES + 3
    else:  # someone checked in first: the sheet, loaded with nobody marked, saved nothing
        assert statuses[0] == 422
        assert set(statuses[1:]) <= {200, 302}
        assert sources == {"check_in"} and len(records) == statuses[1:].count(302)
