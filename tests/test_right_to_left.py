"""In Arabic, serials, codes, emails and addresses keep their left-to-right order: on pages inside an isolating
element, in inputs typed left to right, and in PDFs as one left-to-right run."""

import re
import shutil
import subprocess

import pytest
from flask import render_template_string

from lms.accounts.models import User
from lms.courses.models import Cohort, Course
from lms.extensions import db
from tests.pages import tag
from tests.pdfs import pdf_text
from tests.test_attendance_pages import DAY, CohortWithSessions
from tests.test_certificates import Office

needs_pdftotext = pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")
ARABIC = {"Accept-Language": "ar"}
BIDI_MARKS = "[\u200e\u200f\u202a-\u202e\u2066-\u2069]"


def isolated(body: str, value: str) -> bool:
    """Whether ``value`` stands in the page inside a left-to-right isolating element."""
    return f'<bdi dir="ltr">{value}</bdi>' in body


@pytest.fixture
def office(app, admin, make_user, make_course):
    return Office(app, admin, make_user, make_course)


@pytest.fixture
def amira(office):
    """Amira reads the program in Arabic and holds its certificate."""
    trainee = office.trainee("Amira Haddad", native_name="أميرة حداد", email="amira@example.org", locale="ar")
    office.complete(trainee)
    office.issue(trainee)
    return trainee


def test_in_arabic_my_certificates_shows_the_serial_inside_a_left_to_right_isolate(office, amira, client_as):
    serial = office.certificates()[0].serial
    body = client_as(amira).get("/my/certificates").get_data(as_text=True)
    assert 'dir="rtl"' in body
    assert isolated(body, serial)


def test_in_arabic_the_public_verify_page_shows_the_serial_inside_a_left_to_right_isolate(office, amira, client):
    certificate = office.certificates()[0]
    body = client.get(f"/verify/{certificate.code}", headers=ARABIC).get_data(as_text=True)
    assert 'dir="rtl"' in body
    assert isolated(body, certificate.serial)


def test_in_arabic_the_admins_see_emails_and_serials_inside_left_to_right_isolates(
        app, office, amira, make_user, client_as):
    arabic_admin = client_as(make_user("admin", full_name="Office", locale="ar"))
    certificate = office.certificates()[0]
    assert isolated(arabic_admin.get(f"/admin/users/{amira.id}").get_data(as_text=True), "amira@example.org")
    assert isolated(arabic_admin.get("/admin/users").get_data(as_text=True), "amira@example.org")
    assert isolated(arabic_admin.get(f"/admin/certificates/{certificate.id}").get_data(as_text=True),
                    certificate.serial)


def test_in_arabic_a_trainee_sees_their_own_email_inside_a_left_to_right_isolate(amira, client_as):
    assert isolated(client_as(amira).get("/account").get_data(as_text=True), "amira@example.org")


def test_in_arabic_a_course_code_stays_left_to_right_in_the_catalog(client, make_course):
    made = make_course()
    assert isolated(client.get("/courses", headers=ARABIC).get_data(as_text=True), made.code)
    assert isolated(client.get(f"/courses/{made.course_id}", headers=ARABIC).get_data(as_text=True), made.code)


@pytest.mark.parametrize(("path", "field_id"), [("/verify", "code"), ("/login", "email"), ("/register", "email")])
def test_in_arabic_code_and_email_inputs_are_typed_left_to_right(client, path, field_id):
    body = client.get(path, headers=ARABIC).get_data(as_text=True)
    assert 'dir="rtl"' in body
    assert 'dir="ltr"' in tag(body, field_id)


def test_names_and_other_words_are_not_forced_left_to_right(client):
    body = client.get("/register", headers=ARABIC).get_data(as_text=True)
    assert "dir=" not in tag(body, "full_name")


def test_the_ltr_filter_escapes_what_it_isolates(app):
    with app.test_request_context():
        assert render_template_string("{{ v|ltr }}", v='<script>"x"</script>') == (
            '<bdi dir="ltr">&lt;script&gt;&#34;x&#34;&lt;/script&gt;</bdi>')
        assert render_template_string("{{ _('Certificate %(serial)s', serial=v|ltr) }}", v="<b>1</b>") == (
            'Certificate <bdi dir="ltr">&lt;b&gt;1&lt;/b&gt;</bdi>')
        assert render_template_string("[{{ v|ltr }}]", v="") == "[]"


@needs_pdftotext
def test_an_arabic_certificate_prints_its_serial_and_address_in_reading_order(app, office, amira, tmp_path):
    certificate = office.certificates()[0]
    with app.app_context():
        path = tmp_path / "certificate.pdf"
        path.write_bytes(db.session.get(type(certificate), certificate.id).pdf)
    words = re.sub(BIDI_MARKS, "", pdf_text(path)).split()  # pdftotext brackets each run with embeddings
    assert certificate.serial in words
    assert any(word.startswith("http") and word.endswith(certificate.code) for word in words)


def test_in_arabic_the_attendance_changes_isolate_each_name_and_point_the_arrow_the_way_they_read(
        app, make_user, make_course, login, admin):
    cohort = CohortWithSessions(app, make_user, login, make_course(), admin)
    with app.app_context():
        db.session.get(User, cohort.mentor.id).locale = "ar"
        db.session.commit()
    held = cohort.schedule(-2 * DAY)
    cohort.mark(held, {cohort.lan: "present"}, minutes=60)
    body = cohort.client_of(cohort.mentor).get(f"/sessions/{held}/attendance").get_data(as_text=True)
    assert 'dir="rtl"' in body
    changes = body[body.index('<ul class="link-list">'):]
    assert "<bdi>Lan Nguyen</bdi> ← " in changes and "<bdi>Mai Vu</bdi>" in changes
    assert "→" not in changes


def printed_line(path, word: str) -> str:
    """The words of the first page's line that holds ``word``, as they stand from left to right."""
    page = subprocess.run(["pdftotext", "-bbox", "-f", "1", "-l", "1", str(path), "-"],
                          capture_output=True, text=True, check=True).stdout
    boxes = [(float(x), float(y), text) for x, y, text in
             re.findall(r'<word xMin="([\d.]+)" yMin="([\d.]+)"[^>]*>([^<]*)</word>', page)]
    line = next(y for _, y, text in boxes if word in text)
    return " ".join(text for x, y, text in sorted(boxes) if abs(y - line) < 1)


@needs_pdftotext
@pytest.mark.parametrize(("filters", "printed"), [("cohort", "2026 Spring"), ("course", "101-B · Home visiting")])
def test_an_arabic_report_pdf_prints_the_filters_cohort_and_course_code_in_reading_order(
        app, make_user, client_as, make_course, tmp_path, filters, printed):
    made = make_course()
    with app.app_context():
        db.session.get(Cohort, made.cohort_id).name = "2026 Spring"
        course = db.session.get(Course, made.course_id)
        course.code, course.title = "101-B", "Home visiting"
        db.session.commit()
    office = client_as(make_user("admin", full_name="Office", locale="ar"))
    path = tmp_path / "report.pdf"
    path.write_bytes(office.get(f"/admin/reports/report.pdf?{filters}={getattr(made, filters + '_id')}").data)
    # Unisolated, the digits take the Arabic direction: "Spring 2026", "B · Home visiting-101".
    assert printed in printed_line(path, printed.split()[-1])


def test_in_arabic_the_report_page_isolates_each_part_of_its_filter_line(app, make_user, client_as, make_course):
    made = make_course()
    with app.app_context():
        db.session.get(Cohort, made.cohort_id).name = "2026 Spring"
        db.session.get(Course, made.course_id).code = "101-B"
        db.session.commit()
    office = client_as(make_user("admin", full_name="Office", locale="ar"))
    body = office.get(f"/admin/reports?cohort={made.cohort_id}&course={made.course_id}").get_data(as_text=True)
    assert "<strong>\u20682026 Spring\u2069 · \u2066101-B\u2069 · " in body


def test_a_plain_text_email_in_arabic_keeps_its_link_on_a_line_of_its_own(app, amira, monkeypatch):
    from lms.accounts import emails

    sent = []
    monkeypatch.setattr(emails, "send_mail", lambda to, subject, body: sent.append(body))
    with app.test_request_context():
        emails.send_password_reset(db.session.get(User, amira.id))
    link = next(line for line in sent[0].splitlines() if "://" in line)
    assert re.fullmatch(r"https?://\S+", link), "nothing right to left shares the link's line"
