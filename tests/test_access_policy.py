"""Every LMS route is public on purpose or refuses anonymous users; roles decide the rest.

The policy table lists every endpoint. A new route that is not in it fails
test_every_route_is_in_the_policy_table, so nobody adds a page without deciding who may see it.
"""

import re

import pytest

from lms.views import PUBLIC_ENDPOINTS

ANON, TRAINEE, MENTOR, ADMIN = "anonymous", "trainee", "mentor", "admin"
#: Redirected to the login page (a 302 whose Location is /login?next=...).
LOGIN = "login"

EVERYONE = {ANON: 200, TRAINEE: 200, MENTOR: 200, ADMIN: 200}
SIGNED_IN = {ANON: LOGIN, TRAINEE: 200, MENTOR: 200, ADMIN: 200}
REDIRECTS = {ANON: LOGIN, TRAINEE: 302, MENTOR: 302, ADMIN: 302}
#: Someone else's enrollment: nobody else may see it, an admin included (they use the roster).
NOT_YOURS = {ANON: LOGIN, TRAINEE: 404, MENTOR: 404, ADMIN: 404}


#: Pages of the mentor's own; an admin who is not a mentor is refused like a trainee.
MENTORS = {ANON: LOGIN, TRAINEE: 403, MENTOR: 200, ADMIN: 403}
#: A session facilitated by another mentor: only an admin may take its attendance.
FACILITATOR_OR_ADMIN = {ANON: LOGIN, TRAINEE: 404, MENTOR: 404, ADMIN: 200}
#: Another mentor's session or mentee: a mentor gets 404, never someone else's.
ANOTHER_MENTORS = {ANON: LOGIN, TRAINEE: 403, MENTOR: 404, ADMIN: 403}


def admin_only(status=200):
    return {ANON: LOGIN, TRAINEE: 403, MENTOR: 403, ADMIN: status}


#: endpoint -> (method, path, {who: expected status}). Placeholders name objects of another person.
POLICY = {
    "lms.core.home": ("GET", "/", EVERYONE),
    "lms.core.healthz": ("GET", "/healthz", EVERYONE),
    "lms.core.set_language": ("POST", "/language", {ANON: 302, TRAINEE: 302, MENTOR: 302, ADMIN: 302}),
    "lms.static": ("GET", "/lms-static/lms.css", EVERYONE),
    "lms.accounts.login": ("GET", "/login", {ANON: 200, TRAINEE: 302, MENTOR: 302, ADMIN: 302}),
    "lms.accounts.register": ("GET", "/register", {ANON: 200, TRAINEE: 302, MENTOR: 302, ADMIN: 302}),
    "lms.accounts.logout": ("POST", "/logout", REDIRECTS),
    "lms.accounts.two_factor_login": ("GET", "/login/two-factor", {ANON: 302, TRAINEE: 302, MENTOR: 302, ADMIN: 302}),
    "lms.accounts.forgot_password": ("GET", "/password/forgot", EVERYONE),
    "lms.accounts.reset_password": ("GET", "/password/reset/not-a-token", {ANON: 302, TRAINEE: 302, MENTOR: 302,
                                                                           ADMIN: 302}),
    "lms.accounts.verify_email": ("GET", "/account/verify/not-a-token", {ANON: 302, TRAINEE: 302, MENTOR: 302,
                                                                         ADMIN: 302}),
    "lms.accounts.resend_verification": ("POST", "/account/verify", REDIRECTS),
    "lms.accounts.reauthenticate": ("GET", "/reauthenticate", SIGNED_IN),
    "lms.accounts.export_data": ("GET", "/account/export.json", SIGNED_IN),
    "lms.accounts.account": ("GET", "/account", SIGNED_IN),
    "lms.two_factor.index": ("GET", "/account/two-factor", SIGNED_IN),
    "lms.two_factor.begin": ("POST", "/account/two-factor/setup", REDIRECTS),
    "lms.two_factor.setup": ("GET", "/account/two-factor/setup", REDIRECTS),
    "lms.two_factor.confirm": ("POST", "/account/two-factor/confirm", REDIRECTS),
    "lms.two_factor.new_recovery_codes": ("POST", "/account/two-factor/recovery-codes",
                                          {ANON: LOGIN, TRAINEE: 302, MENTOR: 302, ADMIN: 200}),
    "lms.two_factor.disable": ("POST", "/account/two-factor/disable", REDIRECTS),
    "lms.accounts.change_password": ("GET", "/account/password", SIGNED_IN),
    "lms.users.index": ("GET", "/admin/users", admin_only()),
    "lms.users.detail": ("GET", "/admin/users/{user}", admin_only()),
    "lms.users.grant_role": ("POST", "/admin/users/{user}/roles", admin_only(302)),
    #: Risky actions: a GET of the action's address shows what it will do; only the POST does it.
    "lms.users.confirm_revoke_role": ("GET", "/admin/users/{user}/roles/trainee/revoke", admin_only()),
    "lms.users.confirm_deactivate": ("GET", "/admin/users/{user}/deactivate", admin_only()),
    "lms.users.confirm_erase": ("GET", "/admin/users/{user}/erase", admin_only()),
    "lms.users.revoke_role": ("POST", "/admin/users/{user}/roles/trainee/revoke", admin_only(302)),
    "lms.users.deactivate": ("POST", "/admin/users/{user}/deactivate", admin_only(302)),
    "lms.users.reactivate": ("POST", "/admin/users/{user}/reactivate", admin_only(302)),
    "lms.users.erase": ("POST", "/admin/users/{user}/erase", admin_only(302)),
    "lms.audit.index": ("GET", "/admin/audit", admin_only()),
    "lms.courses.catalog": ("GET", "/courses", EVERYONE),
    "lms.courses.detail": ("GET", "/courses/{course}", EVERYONE),
    "lms.enrollment.enroll": ("POST", "/courses/{course}/enroll", REDIRECTS),
    "lms.enrollment.withdraw": ("POST", "/my/courses/{enrollment}/withdraw", NOT_YOURS),
    "lms.enrollment.confirm_withdraw": ("GET", "/my/courses/{enrollment}/withdraw", NOT_YOURS),
    "lms.enrollment.change_language": ("POST", "/my/courses/{enrollment}/language", NOT_YOURS),
    "lms.enrollment.module": ("GET", "/my/courses/{enrollment}/modules/{module}", NOT_YOURS),
    "lms.enrollment.complete_module": ("POST", "/my/courses/{enrollment}/modules/{module}/complete", NOT_YOURS),
    "lms.enrollment.save_reflection": ("POST", "/my/courses/{enrollment}/modules/{module}/reflection", NOT_YOURS),
    "lms.enrollment.evaluation": ("GET", "/my/courses/{enrollment}/evaluation", NOT_YOURS),
    "lms.enrollment.journal": ("GET", "/my/journal", SIGNED_IN),
    "lms.enrollment.read_notifications": ("POST", "/my/notifications/read", REDIRECTS),
    "lms.programs.index": ("GET", "/admin/programs", admin_only()),
    "lms.programs.new_program": ("GET", "/admin/programs/new", admin_only()),
    "lms.programs.program": ("GET", "/admin/programs/{program}", admin_only()),
    "lms.programs.edit_program": ("GET", "/admin/programs/{program}/edit", admin_only()),
    "lms.programs.archive_program": ("POST", "/admin/programs/{program}/archive", admin_only(302)),
    "lms.programs.confirm_archive_program": ("GET", "/admin/programs/{program}/archive", admin_only()),
    "lms.programs.restore_program": ("POST", "/admin/programs/{program}/restore", admin_only(302)),
    "lms.programs.new_cohort": ("GET", "/admin/programs/{program}/cohorts/new", admin_only()),
    "lms.programs.edit_cohort": ("GET", "/admin/cohorts/{cohort}/edit", admin_only()),
    "lms.programs.archive_cohort": ("POST", "/admin/cohorts/{cohort}/archive", admin_only(302)),
    "lms.programs.confirm_archive_cohort": ("GET", "/admin/cohorts/{cohort}/archive", admin_only()),
    "lms.programs.restore_cohort": ("POST", "/admin/cohorts/{cohort}/restore", admin_only(302)),
    "lms.course_admin.new_course": ("GET", "/admin/programs/{program}/courses/new", admin_only()),
    "lms.course_admin.course": ("GET", "/admin/courses/{course}", admin_only()),
    "lms.course_admin.edit_course": ("GET", "/admin/courses/{course}/edit", admin_only()),
    "lms.course_admin.archive_course": ("POST", "/admin/courses/{course}/archive", admin_only(302)),
    "lms.course_admin.confirm_archive_course": ("GET", "/admin/courses/{course}/archive", admin_only()),
    "lms.course_admin.restore_course": ("POST", "/admin/courses/{course}/restore", admin_only(302)),
    "lms.course_admin.new_module": ("GET", "/admin/courses/{course}/modules/new", admin_only()),
    "lms.course_admin.edit_module": ("GET", "/admin/modules/{module}/edit", admin_only()),
    "lms.course_admin.move_module": ("POST", "/admin/modules/{module}/move?direction=down", admin_only(400)),
    "lms.course_admin.archive_module": ("POST", "/admin/modules/{module}/archive", admin_only(302)),
    "lms.course_admin.confirm_archive_module": ("GET", "/admin/modules/{module}/archive", admin_only()),
    "lms.course_admin.translation": ("GET", "/admin/courses/{course}/translations/es", admin_only()),
    "lms.rosters.index": ("GET", "/admin/courses/{course}/roster", admin_only()),
    "lms.rosters.export": ("GET", "/admin/courses/{course}/roster.csv", admin_only()),
    "lms.rosters.bulk_import": ("GET", "/admin/courses/{course}/import", admin_only()),
    "lms.rosters.confirm_import": ("POST", "/admin/courses/{course}/import/confirm", admin_only(409)),
    "lms.rosters.evaluation_summary": ("GET", "/admin/courses/{course}/evaluations", admin_only()),
    "lms.mentor.index": ("GET", "/mentor", MENTORS),
    "lms.mentor.sessions": ("GET", "/mentor/sessions", MENTORS),
    "lms.mentor.new_session": ("GET", "/mentor/sessions/new", MENTORS),
    "lms.mentor.profile": ("GET", "/mentor/profile", MENTORS),
    "lms.mentor.session": ("GET", "/mentor/sessions/{session}", ANOTHER_MENTORS),
    "lms.mentor.edit_session": ("GET", "/mentor/sessions/{session}/edit", ANOTHER_MENTORS),
    "lms.mentor.delete_session": ("POST", "/mentor/sessions/{session}/delete", ANOTHER_MENTORS),
    "lms.mentor.mentee": ("GET", "/mentor/mentees/{user}", ANOTHER_MENTORS),
    "lms.my_mentoring.index": ("GET", "/my/mentoring", SIGNED_IN),
    "lms.my_mentoring.hours": ("GET", "/my/mentoring/hours", SIGNED_IN),
    "lms.my_mentoring.hours_csv": ("GET", "/my/mentoring/hours.csv", SIGNED_IN),
    "lms.my_mentoring.hours_pdf": ("GET", "/my/mentoring/hours.pdf", SIGNED_IN),
    "lms.my_mentoring.answer_invitation": ("POST", "/my/mentoring/invitation/{invitation}/accept", NOT_YOURS),
    "lms.mentoring_admin.index": ("GET", "/admin/mentoring", admin_only()),
    "lms.mentoring_admin.mentor": ("GET", "/admin/mentoring/mentors/{mentor}", admin_only()),
    "lms.mentoring_admin.cohort": ("GET", "/admin/mentoring/cohorts/{cohort}", admin_only()),
    "lms.mentoring_admin.assign": ("GET", "/admin/mentoring/cohorts/{cohort}/trainees/{user}", admin_only()),
    "lms.mentoring_admin.end_assignment": ("POST", "/admin/mentoring/assignments/{assignment}/end", admin_only(302)),
    "lms.mentoring_admin.new_group": ("GET", "/admin/mentoring/cohorts/{cohort}/groups/new", admin_only()),
    "lms.mentoring_admin.group": ("GET", "/admin/mentoring/groups/{group}", admin_only()),
    "lms.mentoring_admin.end_group": ("POST", "/admin/mentoring/groups/{group}/end", admin_only(302)),
    "lms.mentoring_admin.sessions": ("GET", "/admin/mentoring/sessions", admin_only()),
    "lms.mentoring_admin.topic_list": ("GET", "/admin/mentoring/topics", admin_only()),
    "lms.mentoring_admin.toggle_topic": ("POST", "/admin/mentoring/topics/1/toggle", admin_only(302)),
    "lms.mentoring_admin.graduates": ("GET", "/admin/mentoring/graduates", admin_only()),
    "lms.mentoring_admin.invite": ("POST", "/admin/mentoring/graduates/{user}/invite", admin_only(302)),
    "lms.attendance.facilitating": ("GET", "/sessions/mine", SIGNED_IN),
    "lms.attendance.my_sessions": ("GET", "/my/sessions", SIGNED_IN),
    "lms.attendance.reset_calendar": ("POST", "/my/calendar/reset", REDIRECTS),
    "lms.attendance.feed": ("GET", "/calendar/not-a-token.ics", {ANON: 404, TRAINEE: 404, MENTOR: 404, ADMIN: 404}),
    #: Taking attendance: the session's facilitator (another mentor here) or an admin.
    "lms.attendance.take": ("GET", "/sessions/{learning}/attendance", FACILITATOR_OR_ADMIN),
    "lms.attendance.all_present": ("POST", "/sessions/{learning}/attendance/all-present",
                                   {**FACILITATOR_OR_ADMIN, ADMIN: 302}),
    "lms.attendance.show_code": ("GET", "/sessions/{learning}/code", FACILITATOR_OR_ADMIN),
    "lms.attendance.import_report": ("GET", "/sessions/{learning}/import", FACILITATOR_OR_ADMIN),
    "lms.attendance.confirm_import": ("POST", "/sessions/{learning}/import/confirm",
                                      {**FACILITATOR_OR_ADMIN, ADMIN: 400}),
    "lms.attendance.session_sheet": ("GET", "/sessions/{learning}/attendance.csv", FACILITATOR_OR_ADMIN),
    "lms.attendance.sign_in_sheet": ("GET", "/sessions/{learning}/sign-in.pdf", FACILITATOR_OR_ADMIN),
    #: The session's own page-like files: on its roster, its facilitator or an admin.
    "lms.attendance.session_ics": ("GET", "/sessions/{learning}.ics", FACILITATOR_OR_ADMIN),
    #: Checking in: only people on its roster (the matrix's trainee is not); others get 404.
    "lms.attendance.check_in": ("GET", "/sessions/{learning}/check-in", FACILITATOR_OR_ADMIN),
    "lms.attendance_admin.index": ("GET", "/admin/attendance", admin_only()),
    "lms.attendance_admin.cohort": ("GET", "/admin/attendance/cohorts/{cohort}", admin_only()),
    "lms.attendance_admin.cohort_sheet": ("GET", "/admin/attendance/cohorts/{cohort}/attendance.csv", admin_only()),
    "lms.attendance_admin.new_session": ("GET", "/admin/attendance/cohorts/{cohort}/sessions/new", admin_only()),
    "lms.attendance_admin.edit_session": ("GET", "/admin/attendance/sessions/{learning}/edit", admin_only()),
    "lms.attendance_admin.cancel_session": ("POST", "/admin/attendance/sessions/{learning}/cancel", admin_only(302)),
    "lms.attendance_admin.restore_session": ("POST", "/admin/attendance/sessions/{learning}/restore",
                                             admin_only(302)),
    "lms.certificates.mine": ("GET", "/my/certificates", SIGNED_IN),
    "lms.certificates.set_name": ("POST", "/my/certificates/name", {ANON: LOGIN, TRAINEE: 422, MENTOR: 422,
                                                                    ADMIN: 422}),
    #: Another person's certificate, or the preview of a program one is not in: 404 for everyone, admins too.
    "lms.certificates.preview": ("GET", "/my/certificates/preview/{program}.pdf", NOT_YOURS),
    "lms.certificates.download": ("GET", "/my/certificates/{certificate}/certificate.pdf", NOT_YOURS),
    "lms.certificates.credential": ("GET", "/my/certificates/{certificate}/credential.jwt", NOT_YOURS),
    "lms.certificates.sign_off": ("POST", "/mentor/mentees/{user}/programs/{program}/sign-off", ANOTHER_MENTORS),
    "lms.certificates.withdraw_sign_off": ("POST", "/mentor/mentees/{user}/programs/{program}/sign-off/withdraw",
                                           ANOTHER_MENTORS),
    "lms.certificates_admin.index": ("GET", "/admin/certificates", admin_only()),
    "lms.certificates_admin.rules": ("GET", "/admin/certificates/programs/{program}/rules", admin_only()),
    "lms.certificates_admin.cohort": ("GET", "/admin/certificates/cohorts/{cohort}", admin_only()),
    "lms.certificates_admin.issue_eligible": ("POST", "/admin/certificates/cohorts/{cohort}/issue", admin_only(302)),
    "lms.certificates_admin.trainee": ("GET", "/admin/certificates/cohorts/{cohort}/trainees/{user}", admin_only()),
    "lms.certificates_admin.issue_one": ("POST", "/admin/certificates/cohorts/{cohort}/trainees/{user}",
                                         admin_only(302)),
    "lms.certificates_admin.certificate": ("GET", "/admin/certificates/{certificate}", admin_only()),
    "lms.certificates_admin.revoke": ("POST", "/admin/certificates/{certificate}/revoke", admin_only(422)),
    "lms.certificates_admin.confirm_revoke": ("GET", "/admin/certificates/{certificate}/revoke", admin_only()),
    "lms.certificates_admin.reissue": ("POST", "/admin/certificates/{certificate}/reissue", admin_only(422)),
    "lms.certificates_admin.download": ("GET", "/admin/certificates/{certificate}/certificate.pdf", admin_only()),
    "lms.certificates_admin.archive": ("GET", "/admin/certificates/cohorts/{cohort}/certificates.zip", admin_only()),
    #: A person's own optional answers: there is no one else's to reach.
    "lms.demographics.edit": ("GET", "/my/about-me", SIGNED_IN),
    "lms.demographics.clear": ("POST", "/my/about-me/clear", REDIRECTS),
    "lms.demographics_admin.index": ("GET", "/admin/reports/categories", admin_only()),
    "lms.demographics_admin.edit": ("GET", "/admin/reports/categories/1", admin_only()),
    "lms.demographics_admin.toggle": ("POST", "/admin/reports/categories/1/toggle", admin_only(302)),
    "lms.demographics_admin.move": ("POST", "/admin/reports/categories/1/move", admin_only(302)),
    "lms.reports.index": ("GET", "/admin/reports", admin_only()),
    "lms.reports.exact_counts": ("POST", "/admin/reports", admin_only()),
    "lms.reports.table_csv": ("GET", "/admin/reports/summary.csv", admin_only()),
    "lms.reports.pdf": ("GET", "/admin/reports/report.pdf", admin_only()),
    "lms.languages.index": ("GET", "/admin/languages", admin_only()),
    "lms.languages.language": ("GET", "/admin/languages/es", admin_only()),
    "lms.languages.review_csv": ("GET", "/admin/languages/es/review.csv", admin_only()),
    "lms.languages.catalog_file": ("GET", "/admin/languages/es/messages.po", admin_only()),
    #: Public verification: anyone, no login.
    "lms.verify.index": ("GET", "/verify", EVERYONE),
    "lms.verify.show": ("GET", "/verify/{code}", EVERYONE),
    "lms.verify.check_file": ("POST", "/verify/file", {ANON: 422, TRAINEE: 422, MENTOR: 422, ADMIN: 422}),
    "lms.verify.credential": ("GET", "/verify/{code}/credential.jwt", EVERYONE),
    "lms.verify.issuer": ("GET", "/verify/issuer.json", EVERYONE),
    "lms.verify.key": ("GET", "/verify/key.json", EVERYONE),
    "lms.verify.revocations": ("GET", "/verify/revocations.json", EVERYONE),
}


@pytest.fixture
def world(app, make_user, make_course):
    """Another person, enrolled in a course with modules: the objects the matrix reaches for."""

    from lms.accounts.models import User
    from lms.courses.models import Cohort, Course
    from lms.enrollment.services import enroll
    from lms.extensions import db

    from datetime import date, timedelta

    from lms.attendance import services as attendance
    from lms.attendance.models import LearningSession, SessionKind
    from lms.credentials import services as credentials
    from lms.mentoring import invitations, logs, services
    from lms.sqltypes import utcnow
    from lms.mentoring.models import SessionFormat

    other = make_user(full_name="Someone Else")
    their_mentor = make_user("mentor", full_name="Their Mentor")
    office = make_user("admin", full_name="Program Office")
    made = make_course()
    with app.app_context():
        trainee, mentor, cohort = (db.session.get(User, other.id), db.session.get(User, their_mentor.id),
                                   db.session.get(Cohort, made.cohort_id))
        by = db.session.get(User, office.id)
        enrollment = enroll(trainee, db.session.get(Course, made.course_id), cohort, "en")
        assignment = services.assign(mentor, trainee, cohort, by=by)
        group = services.create_group(mentor, cohort, name="Group", language="en", trainee_ids=[trainee.id], by=by)
        session = logs.save_session(mentor, None, group=None, attendee_ids=[trainee.id], held_on=date.today(),
                                    duration_minutes=60, format=SessionFormat.VIDEO, language="en", topic_ids=[],
                                    summary="Shared", notes="Private")
        invitation = invitations.invite(trainee, by=by)
        starts = utcnow() + timedelta(days=2)
        learning = attendance.save_session(
            LearningSession(), kind=SessionKind.COURSE, title="Session", starts_at=starts,
            ends_at=starts + timedelta(hours=1), facilitator=mentor, language="en",
            course=db.session.get(Course, made.course_id), cohort=cohort)
        certificate = credentials.issue(trainee, cohort, by=by, override_reason="For the access matrix")
        db.session.commit()
        return {"user": other.id, "course": made.course_id, "cohort": made.cohort_id,
                "certificate": certificate.id, "code": certificate.code, "program": made.program_id,
                "module": made.module_ids[0], "enrollment": enrollment.id,
                "mentor": mentor.id, "assignment": assignment.id, "group": group.id, "session": session.id,
                "invitation": invitation.id, "learning": learning.id}


def test_every_route_is_in_the_policy_table(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint.startswith("lms.")}
    assert endpoints == set(POLICY)


def test_the_public_list_is_exactly_what_anonymous_users_may_reach(app):
    reachable = {endpoint for endpoint, (_, _, expected) in POLICY.items() if expected[ANON] != LOGIN}
    assert PUBLIC_ENDPOINTS == reachable


#: POSTs that change the person's own session or second factor go last, logging out at the very end.
LAST = ("lms.two_factor.begin", "lms.two_factor.disable", "lms.accounts.logout")


def answer(client, method: str, url: str):
    response = client.post_form(url) if method == "POST" else client.get(url)
    if response.status_code == 302 and re.match(r"^/login\?next=", response.headers["Location"]):
        return LOGIN
    return response.status_code


@pytest.mark.parametrize("who", [ANON, TRAINEE, MENTOR, ADMIN])
def test_role_by_endpoint_matrix(app, make_user, login, world, who):
    """One person of each kind tries every endpoint: every read first, then every change."""
    client = app.test_client()
    if who != ANON:
        login(client, make_user(who))
    order = sorted(POLICY, key=lambda e: (e in LAST and LAST.index(e) + 1, POLICY[e][0] == "POST", e))
    wrong = []
    for endpoint in order:
        method, path, expected = POLICY[endpoint]
        got = answer(client, method, path.format(**world))
        if got != expected[who]:
            wrong.append(f"{endpoint}: {method} {path} gave {got}, expected {expected[who]}")
    assert not wrong, f"{who}:\n" + "\n".join(wrong)


def test_no_get_route_changes_state(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("lms.") and POLICY[rule.endpoint][0] == "POST":
            assert "GET" not in rule.methods, rule


def test_every_post_needs_a_csrf_token(app, make_user, login, world):
    client = app.test_client()
    login(client, make_user("admin"))
    for endpoint, (method, path, _) in sorted(POLICY.items()):
        if method == "POST":
            response = client.post(path.format(**world))
            assert response.status_code == 400, endpoint
            assert "This form has expired" in response.get_data(as_text=True), endpoint
