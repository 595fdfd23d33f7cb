"""Details that read wrong when missed: times without seconds, no empty part between separators, and the
original text beside each field of a translation."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from flask import render_template_string
from flask_babel import force_locale

from lms import i18n
from lms.courses.models import Course
from lms.extensions import db
from lms.i18n import DEFAULT_LANGUAGES
from tests.pages import text_of
from tests.test_attendance_pages import CohortWithSessions

SECONDS = re.compile(r"\d:\d\d:\d\d")
STARTS = datetime(2026, 12, 6, 2, 0, 0, tzinfo=UTC)  # 6:00 PM on Dec 5 in Seattle


@pytest.mark.parametrize("language", DEFAULT_LANGUAGES)
def test_a_time_range_shows_hours_and_minutes_without_seconds_in_every_language(app, language):
    with app.test_request_context(), force_locale(language):
        shown = i18n.time_range(STARTS, STARTS + timedelta(hours=2))
    assert not SECONDS.search(shown), shown
    assert re.search(r"\d:00", shown) or "18.00" in shown, shown


def test_a_time_range_reads_day_start_and_end_in_the_program_time_zone(app):
    with app.test_request_context(), force_locale("en"):
        assert i18n.time_range(STARTS, STARTS + timedelta(hours=2)) == "Dec 5, 2026, 6:00\u202fPM – 8:00\u202fPM"


def test_my_sessions_lists_each_session_without_seconds(app, make_user, make_course, login, admin):
    cohort = CohortWithSessions(app, make_user, login, make_course(), admin)
    cohort.schedule(timedelta(days=2, seconds=17))
    page = text_of(cohort.client_of(cohort.lan).get("/my/sessions"))
    assert "Evening circle" in page
    assert not SECONDS.search(page)


def test_empty_parts_of_a_details_line_are_left_out_with_their_separator(app):
    with app.test_request_context():
        line = render_template_string("{{ ['Círculo de reflexión', '', None, ' ', '2026/12/05']|join_parts }}")
        assert line == "Círculo de reflexión · 2026/12/05"
        assert render_template_string("{{ ['<b>', 'x']|join_parts }}") == "&lt;b&gt; · x"
        assert i18n.join_parts(["Course session", "", "Cohort 1"]) == "Course session · Cohort 1"


def test_the_translation_form_shows_the_original_of_each_field_marked_with_its_language(admin_client, make_course):
    made = make_course(modules=2)
    first, second = made.module_ids
    body = admin_client.get(f"/admin/courses/{made.course_id}/translations/es").get_data(as_text=True)
    for field_id, original in [("title", "Course 1"), ("summary", "Summary 1"),
                               (f"module_{first}_title", "Module 1"), (f"module_{first}_content", "Content **1**"),
                               (f"module_{first}_reflection_prompt", "What did you notice?"),
                               (f"module_{second}_content", "Content **2**")]:
        shown = re.search(rf'<div class="translation-source" id="{field_id}-source">(.*?)</div>\s*</div>', body, re.S)
        assert shown, f"no original above #{field_id}"
        assert f'lang="en" dir="auto">{original}' in shown.group(1)
        assert body.index(f'id="{field_id}-source"') < body.index(f'id="{field_id}"')


def test_a_course_without_professional_development_hours_shows_no_hours(app, make_course, client):
    with_hours, without = make_course(), make_course()
    with app.app_context():
        db.session.get(Course, without.course_id).pd_hours = 0
        db.session.commit()
    assert "6 hours" in text_of(client.get(f"/courses/{with_hours.course_id}"))
    for url in (f"/courses/{without.course_id}", "/courses"):
        assert "0 hours" not in text_of(client.get(url)), url
