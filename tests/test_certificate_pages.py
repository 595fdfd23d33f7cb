"""Certificate pages, request by request: issuing and revoking as an admin, a trainee's own certificates and
preview, public verification, Open Badges, who may fetch which file, the command line, and what pages cost.

Who may open which page at all is the access matrix's business (tests/test_access_policy.py); these tests
check what the pages do once open, and read the database after every request. The rules themselves are
tested through the services in tests/test_certificates.py, whose Office sets each scene up.
"""

import hashlib
import io
import re
import shutil
import threading
import time
import zipfile
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import jwt
import pytest
from babel.dates import format_date
from sqlalchemy import func, select

from lms.accounts import services as accounts
from lms.accounts.models import User
from lms.accounts.sessions import AUTH_AT
from lms.courses.models import Module, Program
from lms.credentials import badges, services
from lms.credentials.eligibility import cohort_trainee_ids
from lms.credentials.models import CertificateRule, CertificateStatus, MentorSignoff, NameStyle
from lms.enrollment.evaluations import submit_evaluation
from lms.enrollment.progress import complete_module
from lms.extensions import db
from lms.mentoring import logs
from lms.mentoring.models import SessionFormat
from tests.test_certificates import LINEAR_B, Office, pdf_text
from tests.pages import after, field_error, table_rows, tag, text_of, words_of

needs_pdftotext = pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")
COMPLETED = datetime(2026, 3, 3, 18, 0, tzinfo=UTC)


@pytest.fixture
def office(app, admin, make_user, make_course):
    return Office(app, admin, make_user, make_course)


@pytest.fixture
def lan(office):
    """Lan has completed the cohort's course on March 3, 2026; her name in her own script is Vietnamese."""
    trainee = office.trainee("Lan Nguyen", native_name="Nguyễn Thị Lan", email="lan@example.org")
    office.complete(trainee, at=COMPLETED)
    return trainee


def summary(response) -> list[tuple[str, str]]:
    """The (term, description) pairs of the page's summary list."""
    body = response.get_data(as_text=True)
    return [(words_of(term), words_of(value))
            for term, value in re.findall(r"<dt>(.*?)</dt>\s*<dd\b[^>]*>(.*?)</dd>", body, re.S)]


def issue_url(office, user) -> str:
    return f"/admin/certificates/cohorts/{office.made.cohort_id}/trainees/{user.id}"


def stale_login(client) -> None:
    with client.session_transaction() as session:
        session[AUTH_AT] = int(time.time()) - 3600


def long_date(day) -> str:
    return format_date(day, "long", locale="en")


# Issuing as an admin


def test_the_issue_page_asks_for_a_reason_next_to_the_field_and_saves_nothing_without_one(
        office, admin_client, admin):
    bea = office.trainee("Bea Ito")  # has not completed the course
    page = admin_client.get(issue_url(office, bea))
    assert "Missing: ✗ Course C-001: Course 1 completed" in text_of(page)
    assert 'name="reason"' in page.get_data(as_text=True)

    refused = admin_client.post_form(issue_url(office, bea), {"reason": "  "})
    assert refused.status_code == 422
    assert field_error(refused.get_data(as_text=True), "reason") == (
        "Bea Ito has not met every requirement. Give a reason to issue anyway.")
    assert office.certificates() == [] and office.audit("certificate_issued") == []

    reason = "Finished the course on paper during a power cut."
    issued = admin_client.post_form(issue_url(office, bea), {"reason": reason})
    [certificate] = office.certificates()
    assert issued.headers["Location"] == f"/admin/certificates/{certificate.id}"
    assert f"Certificate {certificate.serial} is issued." in after(admin_client, issued)
    assert certificate.override_reason == reason
    assert [(actor, target) for actor, target, _ in office.audit("certificate_issued")] == [(admin.id, bea.id)]
    assert [d["reason"] for _, _, d in office.audit("certificate_override")] == [reason]


def test_an_eligible_trainee_is_issued_one_without_a_reason_field(office, admin_client, lan):
    page = admin_client.get(issue_url(office, lan)).get_data(as_text=True)
    assert 'name="reason"' not in page
    assert admin_client.post_form(issue_url(office, lan)).status_code == 302
    assert [c.trainee_id for c in office.certificates()] == [lan.id]


def test_a_name_no_font_can_print_is_refused_on_the_issue_page_naming_the_character(office, admin_client):
    ama = office.trainee("Ama Owusu", native_name=f"Ama {LINEAR_B}")
    office.complete(ama)
    office.set_name(ama, style=NameStyle.OWN_SCRIPT)

    refused = admin_client.post_form(issue_url(office, ama))
    assert refused.status_code == 422
    assert f"The name cannot be printed: no font has {LINEAR_B}." in text_of(refused)
    assert office.certificates() == [] and office.audit("certificate_issued") == []


def test_the_issue_page_answers_404_for_someone_without_a_seat_in_the_cohort(office, admin_client, make_user):
    outsider = make_user(full_name="Olga Outside")
    assert admin_client.get(issue_url(office, outsider)).status_code == 404
    assert admin_client.post_form(issue_url(office, outsider), {"reason": "Please"}).status_code == 404
    assert office.certificates() == []


def test_simultaneous_issue_requests_from_several_admins_give_one_certificate(app, office, lan, make_user, login):
    clients = []
    for _ in range(6):
        client = app.test_client()
        login(client, make_user("admin"))
        clients.append(client)
    tokens = [c.csrf_token() for c in clients]
    barrier = threading.Barrier(len(clients))

    def send(i):
        barrier.wait()
        return clients[i].post(issue_url(office, lan), data={"reason": "", "csrf_token": tokens[i]})

    with ThreadPoolExecutor(max_workers=len(clients)) as pool:
        responses = list(pool.map(send, range(len(clients))))
    [certificate] = office.certificates()
    assert [r.status_code for r in responses] == [302] * len(clients)
    assert {r.headers["Location"] for r in responses} == {f"/admin/certificates/{certificate.id}"}
    assert len(office.audit("certificate_issued")) == 1


# A trainee's own certificates


def test_a_trainee_downloads_the_stored_pdf_every_time_even_after_changing_their_name(office, lan, client_as):
    office.issue(lan)
    client = client_as(lan)
    first = client.get(f"/my/certificates/{office.certificates()[0].id}/certificate.pdf")
    office.set_name(lan, full_name="Lan Tran", style=NameStyle.BOTH)
    second = client.get(f"/my/certificates/{office.certificates()[0].id}/certificate.pdf")

    [stored] = office.certificates()
    assert first.status_code == second.status_code == 200
    assert first.data == second.data == stored.pdf
    assert hashlib.sha256(second.data).hexdigest() == stored.sha256
    assert second.mimetype == "application/pdf"
    assert second.headers["Content-Disposition"] == f'attachment; filename="certificate-{stored.serial}.pdf"'
    assert "no-store" in second.headers["Cache-Control"]


@needs_pdftotext
def test_the_preview_shows_the_chosen_name_marked_preview_and_stores_nothing(office, lan, client_as, tmp_path):
    client = client_as(lan)
    saved = client.post_form("/my/certificates/name", {"name_style": "both"})
    assert "Your certificates will show your name this way." in after(client, saved)

    preview = client.get(f"/my/certificates/preview/{office.made.program_id}.pdf")
    assert preview.status_code == 200 and preview.mimetype == "application/pdf"
    assert "no-store" in preview.headers["Cache-Control"]
    text = pdf_text(preview.data, tmp_path)
    assert "Lan Nguyen" in text and "Nguyễn Thị Lan" in text and "PREVIEW" in text

    client.post_form("/my/certificates/name", {"name_style": "own_script"})
    text = pdf_text(client.get(f"/my/certificates/preview/{office.made.program_id}.pdf").data, tmp_path)
    assert "Nguyễn Thị Lan" in text and "Lan Nguyen" not in text
    assert office.certificates() == [] and office.audit("certificate_issued") == []


def test_a_name_style_that_is_not_offered_is_refused_and_nothing_changes(office, lan, client_as, app):
    refused = client_as(lan).post_form("/my/certificates/name", {"name_style": "nickname"})
    assert refused.status_code == 422
    with app.app_context():
        assert services.name_style(db.session.get(User, lan.id)) is NameStyle.LEGAL


def test_a_trainee_whose_chosen_name_cannot_be_printed_is_told_which_character_and_gets_no_preview(
        office, client_as):
    ama = office.trainee("Ama Owusu", native_name=f"Ama {LINEAR_B}")
    office.set_name(ama, style=NameStyle.OWN_SCRIPT)
    client = client_as(ama)
    page = client.get("/my/certificates")
    assert f"Your name cannot be printed yet: no font has {LINEAR_B}." in text_of(page)
    assert "/my/certificates/preview/" not in page.get_data(as_text=True)
    assert client.get(f"/my/certificates/preview/{office.made.program_id}.pdf").status_code == 422


def test_a_preview_that_cannot_be_laid_out_says_why_instead_of_failing(office, client_as):
    ama = office.trainee("Ama Owusu", native_name="\u200b")
    office.set_name(ama, style=NameStyle.OWN_SCRIPT)
    client = client_as(ama)
    refused = client.get(f"/my/certificates/preview/{office.made.program_id}.pdf")
    assert "The certificate cannot be laid out" in after(client, refused)


def test_my_certificates_shows_the_checklist_of_what_is_met_and_what_is_missing(office, lan, client_as):
    office.rules(requires_mentor_signoff=True)
    page = text_of(client_as(lan).get("/my/certificates"))
    assert "Still to do: 1" in page
    assert "Met: ✓ Course C-001: Course 1 completed" in page
    assert "Missing: ✗ Mentor's sign-off" in page

    office.sign_off(lan)
    assert "You have met every requirement." in text_of(client_as(lan).get("/my/certificates"))
    office.issue(lan)
    page = text_of(client_as(lan).get("/my/certificates"))
    assert "You hold this certificate." in page and office.certificates()[0].serial in page


# Verification


def test_the_verify_page_shows_only_the_printed_name_program_date_issuer_serial_and_status(office, lan, app):
    office.issue(lan, reason=None)
    [certificate] = office.certificates()
    response = app.test_client().get(f"/verify/{certificate.code}")

    assert response.status_code == 200
    assert "noindex" in response.headers["X-Robots-Tag"]
    assert summary(response) == [
        ("Name", "Lan Nguyen"), ("Program", "Program 1"), ("Completed on", "March 3, 2026"),
        ("Issuer", "King County Best Starts for Kids"), ("Serial number", certificate.serial)]
    page = text_of(response)
    assert "This certificate is valid." in page
    for private in ("lan@example.org", "Nguyễn Thị Lan", "Cohort 1", "Course 1", "Mai Vu", str(certificate.sha256)):
        assert private not in page


def test_a_name_with_markup_is_shown_as_text_on_the_verify_and_cohort_pages(office, admin_client, app):
    name = '<script>alert(1)</script> "><img src=x onerror=alert(2)> {{7*7}}'
    trainee = office.trainee(name)
    office.complete(trainee)
    office.issue(trainee)
    [certificate] = office.certificates()
    assert certificate.printed_name == name
    for response in (app.test_client().get(f"/verify/{certificate.code}"),
                     admin_client.get(f"/admin/certificates/cohorts/{office.made.cohort_id}")):
        body = response.get_data(as_text=True)
        assert "<script>alert" not in body and "<img src=x" not in body
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body and "{{7*7}}" in text_of(response)


def test_an_unknown_code_answers_404_with_a_message_and_noindex(app):
    response = app.test_client().get("/verify/not-a-real-code")
    assert response.status_code == 404
    assert "No certificate has this code." in text_of(response)
    assert "noindex" in response.headers["X-Robots-Tag"]


def test_the_search_box_leads_to_the_codes_page(office, lan, app):
    office.issue(lan)
    code = office.certificates()[0].code
    client = app.test_client()
    assert client.get("/verify", query_string={"code": f"  {code} "}).headers["Location"] == f"/verify/{code}"
    assert client.get("/verify", query_string={"code": ""}).status_code == 422


def test_a_revoked_certificate_shows_as_revoked_with_the_date_on_its_verify_page(office, lan, admin_client, app):
    office.issue(lan)
    [certificate] = office.certificates()
    url = f"/admin/certificates/{certificate.id}/revoke"

    refused = admin_client.post_form(url, {"revoke-reason": " "})
    assert refused.status_code == 422
    assert field_error(refused.get_data(as_text=True), "revoke-reason") == "Give the reason."
    assert office.certificates()[0].status is CertificateStatus.VALID

    revoked = admin_client.post_form(url, {"revoke-reason": "Attendance records were falsified."})
    assert "The certificate is revoked." in after(admin_client, revoked)
    [certificate] = office.certificates()
    assert certificate.status is CertificateStatus.REVOKED
    day = certificate.revoked_at.astimezone(ZoneInfo(app.config["LMS_TIMEZONE"])).date()
    page = text_of(app.test_client().get(f"/verify/{certificate.code}"))
    assert f"This certificate was revoked on {long_date(day)}." in page
    assert "This certificate is valid." not in page
    assert [d["reason"] for _, _, d in office.audit("certificate_revoked")] == ["Attendance records were falsified."]


def test_a_reissued_certificate_shows_as_superseded_without_giving_away_the_new_one(office, lan, admin_client, app):
    office.issue(lan)
    [old] = office.certificates()
    office.set_name(lan, full_name="Lan Tran")
    reissued = admin_client.post_form(f"/admin/certificates/{old.id}/reissue", {"reissue-reason": "Name corrected."})
    _, new = office.certificates()
    assert reissued.headers["Location"] == f"/admin/certificates/{new.id}"

    anonymous = app.test_client()
    old_page = anonymous.get(f"/verify/{old.code}")
    assert "This certificate was replaced by a newer one." in text_of(old_page)
    assert new.code not in old_page.get_data(as_text=True) and "Lan Tran" not in text_of(old_page)
    assert ("Name", "Lan Nguyen") in summary(old_page)
    new_page = anonymous.get(f"/verify/{new.code}")
    assert "This certificate is valid." in text_of(new_page) and ("Name", "Lan Tran") in summary(new_page)
    assert [d["replaces"] for _, _, d in office.audit("certificate_reissued")] == [old.serial]


def test_an_uploaded_pdf_passes_only_when_it_is_exactly_the_issued_file(office, lan, app):
    office.issue(lan)
    [certificate] = office.certificates()
    client = app.test_client()

    exact = client.post_form("/verify/file", {"file": (io.BytesIO(certificate.pdf), "certificate.pdf")})
    assert exact.status_code == 200
    assert "This file is exactly the certificate the program issued." in text_of(exact)
    assert ("Name", "Lan Nguyen") in summary(exact)

    changed = bytearray(certificate.pdf)
    changed[len(changed) // 2] ^= 0x01
    forged = client.post_form("/verify/file", {"file": (io.BytesIO(bytes(changed)), "certificate.pdf")})
    assert forged.status_code == 404
    assert "This file is not a certificate the program issued, or it was changed after it was issued." in (
        text_of(forged))
    assert "Lan Nguyen" not in text_of(forged)


def test_an_upload_that_is_not_a_pdf_is_refused_next_to_the_field(app):
    refused = app.test_client().post_form("/verify/file", {"file": (io.BytesIO(b"<script>"), "page.html")})
    assert refused.status_code == 422
    assert field_error(refused.get_data(as_text=True), "file") == "Choose a file ending in .pdf."


def test_the_verify_pages_share_one_rate_limit_per_address(office, lan, app):
    office.issue(lan)
    code = office.certificates()[0].code
    app.config["LMS_VERIFY_LIMIT"] = "3 per minute"
    client = app.test_client()
    assert [client.get(path).status_code for path in (f"/verify/{code}", "/verify", f"/verify/{code}")] == [
        200, 200, 200]
    limited = client.get("/verify/issuer.json")
    assert limited.status_code == 429 and "noindex" in limited.headers["X-Robots-Tag"]


def test_parallel_verifications_are_counted_before_any_is_looked_up(office, lan, app, monkeypatch):
    """Twenty-five look-ups at once from one address while each takes a while: ten are answered, the rest refused."""
    from lms.credentials import public_views
    from tests.test_throttles import at_once

    office.issue(lan)
    code = office.certificates()[0].code
    app.config["LMS_VERIFY_LIMIT"] = "10 per minute"
    answered, real_render = [], public_views.render_template

    def slow_render(*args, **kwargs):
        answered.append(args)
        time.sleep(0.2)
        return real_render(*args, **kwargs)

    monkeypatch.setattr(public_views, "render_template", slow_render)
    answers = at_once([app.test_client() for _ in range(25)], lambda b: b.get(f"/verify/{code}").status_code)
    assert len(answered) <= 10
    assert sorted(answers) == [200] * len(answered) + [429] * (25 - len(answered))


# Open Badges


def test_the_credential_verifies_with_the_published_key_and_its_revocation_is_published(
        office, lan, app, client_as):
    office.issue(lan)
    [certificate] = office.certificates()
    anonymous = app.test_client()
    token = anonymous.get(f"/verify/{certificate.code}/credential.jwt").get_data(as_text=True)
    key = anonymous.get("/verify/key.json").get_json()

    assert jwt.get_unverified_header(token)["kid"] == "http://localhost/verify/key.json" == key["kid"]
    document = badges.verify(token, key)
    credential_id = f"http://localhost/verify/{certificate.code}"
    assert document["id"] == credential_id
    assert document["credentialStatus"]["id"] == "http://localhost/verify/revocations.json"
    assert document["credentialSubject"]["identifier"][0]["identityHash"] == "Lan Nguyen"
    assert certificate.sha256 in document["evidence"][0]["description"]
    mine = client_as(lan).get(f"/my/certificates/{certificate.id}/credential.jwt")
    assert mine.get_data(as_text=True) == token and "no-store" in mine.headers["Cache-Control"]

    def revoked_ids():
        listed = anonymous.get("/verify/revocations.json").get_json()["revokedCredentials"]
        return [entry["id"] for entry in listed if entry["revoked"]]

    assert revoked_ids() == []
    office.revoke(certificate.id)
    assert revoked_ids() == [credential_id]
    assert document["issuer"]["name"] == anonymous.get("/verify/issuer.json").get_json()["name"]
    assert "no-store" in anonymous.get(f"/verify/{certificate.code}").headers["Cache-Control"]


def test_a_credential_signed_with_another_key_does_not_verify_with_the_published_one(office, lan, app):
    office.issue(lan)
    anonymous = app.test_client()
    token = anonymous.get(f"/verify/{office.certificates()[0].code}/credential.jwt").get_data(as_text=True)
    document = badges.verify(token, anonymous.get("/verify/key.json").get_json())
    forged = badges.sign(document, badges.signing_key("someone else's secret"), kid="http://localhost/verify/key.json")
    with pytest.raises(badges.BadgeVerificationError):
        badges.verify(forged, anonymous.get("/verify/key.json").get_json())


# Who sees what


@pytest.mark.parametrize("who", ["another trainee", "her mentor", "an admin"])
@pytest.mark.parametrize("file", ["certificate.pdf", "credential.jwt"])
def test_another_persons_certificate_answers_404_by_id(office, lan, client_as, admin, who, file):
    office.issue(lan)
    certificate_id = office.certificates()[0].id
    user = {"another trainee": office.trainee("Bea Ito"), "her mentor": office.mentor, "an admin": admin}[who]
    client = client_as(user)
    assert client.get(f"/my/certificates/{certificate_id}/{file}").status_code == 404
    assert client.get(f"/my/certificates/{certificate_id + 1}/{file}").status_code == 404, "the same for none"
    assert client_as(lan).get(f"/my/certificates/{certificate_id}/{file}").status_code == 200


def test_a_mentor_sees_which_mentees_hold_a_certificate(office, lan, client_as):
    office.rules(requires_mentor_signoff=True)
    bea, cal = office.trainee("Bea Ito"), office.trainee("Cal Moreno")
    office.complete(bea)
    office.sign_off(lan)
    office.sign_off(bea)
    office.issue(lan)
    serial = office.certificates()[0].serial

    rows = {row[0].split(" Nguyễn")[0]: row[-1] for row in table_rows(client_as(office.mentor).get("/mentor"))}
    assert rows == {"Lan Nguyen": f"Holds it ({serial})", "Bea Ito": "Signed off", "Cal Moreno": "—"}
    assert cal.id not in {c.trainee_id for c in office.certificates()}


def test_only_the_current_mentor_signs_off_and_withdraws(office, lan, client_as, app):
    bruno = office.add_mentor("Bruno Silva")
    url = f"/mentor/mentees/{lan.id}/programs/{office.made.program_id}/sign-off"

    def signoffs():
        with app.app_context():
            return db.session.execute(select(MentorSignoff.trainee_id, MentorSignoff.mentor_id)).all()

    assert client_as(bruno).post_form(url).status_code == 404
    assert signoffs() == []
    mai = client_as(office.mentor)
    signed = mai.post_form(url)
    assert signed.headers["Location"] == f"/mentor/mentees/{lan.id}"
    assert "You signed off Lan Nguyen for the certificate." in after(mai, signed)
    assert signoffs() == [(lan.id, office.mentor.id)]

    assert client_as(bruno).post_form(f"{url}/withdraw").status_code == 404
    assert signoffs() == [(lan.id, office.mentor.id)]
    assert mai.post_form(f"{url}/withdraw").status_code == 302
    assert signoffs() == []


# The cohort's certificates


def test_the_cohort_page_lists_every_trainee_with_what_is_met_and_missing(office, lan, admin_client):
    office.trainee("Bea Ito")
    url = f"/admin/certificates/cohorts/{office.made.cohort_id}"
    assert table_rows(admin_client.get(url)) == [
        ["Bea Ito", "Missing: Course C-001: Course 1 completed", "—"], ["Lan Nguyen", "All met", "—"]]
    office.issue(lan)
    serial = office.certificates()[0].serial
    assert ["Lan Nguyen", "All met", f"{serial} Valid"] in table_rows(admin_client.get(url))


def test_issuing_to_every_eligible_trainee_goes_a_batch_at_a_time_and_says_how_many_wait(
        office, admin_client, app):
    app.config["LMS_CERTIFICATE_BATCH"] = 2
    for name in ("Ama Owusu", "Bea Ito", "Cal Moreno"):
        office.complete(office.trainee(name))
    office.trainee("Dana Wu")  # not eligible
    url = f"/admin/certificates/cohorts/{office.made.cohort_id}/issue"

    first = admin_client.post_form(url)
    assert "2 certificates issued. 1 eligible trainee is still waiting." in after(admin_client, first)
    assert len(office.certificates()) == 2
    second = admin_client.post_form(url, headers={"Accept": "application/json"})
    assert second.get_json() == {"issued": 1, "waiting": 0, "refused": []}
    assert admin_client.post_form(url, headers={"Accept": "application/json"}).get_json() == {
        "issued": 0, "waiting": 0, "refused": []}
    assert len(office.certificates()) == 3 and len(office.audit("certificate_issued")) == 3


def test_a_batch_says_who_could_not_be_issued_and_why(office, admin_client):
    bea = office.trainee("Bea Ito", native_name=f"Bea {LINEAR_B}")
    office.complete(bea)
    office.set_name(bea, style=NameStyle.OWN_SCRIPT)
    response = admin_client.post_form(f"/admin/certificates/cohorts/{office.made.cohort_id}/issue",
                                      headers={"Accept": "application/json"})
    assert response.get_json() == {"issued": 0, "waiting": 1, "refused": [
        f"Bea Ito: The name cannot be printed: no font has {LINEAR_B}. Ask the trainee to check how their name is "
        "written."]}
    assert office.certificates() == []


def test_the_cohort_zip_holds_the_pdf_of_every_valid_certificate(office, admin_client):
    people = [office.trainee(name) for name in ("Ama Owusu", "Bea Ito", "Cal Moreno")]
    for person in people:
        office.complete(person)
    revoked = office.issue(people[0])
    office.revoke(revoked)
    for person in people[1:]:
        office.issue(person)

    response = admin_client.get(f"/admin/certificates/cohorts/{office.made.cohort_id}/certificates.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response.headers["Cache-Control"]
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    valid = {f"certificate-{c.serial}.pdf": c.pdf for c in office.certificates() if c.id != revoked}
    assert sorted(archive.namelist()) == sorted(valid)
    assert {name: archive.read(name) for name in archive.namelist()} == valid


def test_the_cohort_zip_asks_an_admin_whose_login_is_not_recent_to_log_in_again(office, admin_client):
    stale_login(admin_client)
    response = admin_client.get(f"/admin/certificates/cohorts/{office.made.cohort_id}/certificates.zip")
    assert response.status_code == 302 and response.headers["Location"].startswith("/reauthenticate?next=")


@pytest.mark.parametrize("action", ["revoke", "reissue"])
def test_revoking_and_reissuing_ask_an_admin_whose_login_is_not_recent_to_log_in_again(
        office, lan, admin_client, action):
    office.issue(lan)
    [certificate] = office.certificates()
    stale_login(admin_client)
    response = admin_client.post_form(f"/admin/certificates/{certificate.id}/{action}",
                                      {f"{action}-reason": "Because."})
    assert response.status_code == 302 and response.headers["Location"].startswith("/reauthenticate")
    assert [c.status for c in office.certificates()] == [CertificateStatus.VALID]


def test_issuing_asks_an_admin_whose_login_is_not_recent_to_log_in_again(office, lan, admin_client):
    stale_login(admin_client)
    response = admin_client.post_form(issue_url(office, lan))
    assert response.status_code == 302 and response.headers["Location"].startswith("/reauthenticate")
    assert office.certificates() == []


# The program's rules


def rules_form(**typed) -> dict:
    return {"requires_attendance": "y", "attendance_percent": "80", "min_individual_hours": "0",
            "min_group_hours": "2", "min_total_hours": "0", "issuer": "", "signatory_name": "Dr. Marisol Peña",
            "signatory_title": "Program Director", **typed}


@pytest.mark.parametrize("field, typed, message", [
    ("min_individual_hours", "-1", "Enter a number from 0 to 999."),
    ("min_total_hours", "1000", "Enter a number from 0 to 999."),
    ("min_group_hours", "two", "Not a valid decimal value. Enter a number from 0 to 999."),
    ("attendance_percent", "101", "Enter a number from 0 to 100."),
    ("attendance_percent", "-5", "Enter a number from 0 to 100."),
])
def test_bad_rules_are_refused_next_to_the_field_keeping_what_was_typed_and_saving_nothing(
        office, admin_client, app, field, typed, message):
    url = f"/admin/certificates/programs/{office.made.program_id}/rules"
    refused = admin_client.post_form(url, rules_form(**{field: typed}))
    assert refused.status_code == 422
    body = refused.get_data(as_text=True)
    assert field_error(body, field) == message
    assert f'value="{typed}"' in tag(body, field)
    assert 'value="Dr. Marisol Peña"' in tag(body, "signatory_name")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(CertificateRule)) == 0
        assert db.session.get(Program, office.made.program_id).attendance_warning_percent == 70
    assert office.audit("certificate_rules_changed") == []


def test_saved_rules_apply_and_the_form_shows_them_back_with_the_chosen_courses(office, admin_client, app, admin):
    second = office.add_course()
    url = f"/admin/certificates/programs/{office.made.program_id}/rules"
    saved = admin_client.post_form(url, rules_form(courses=[str(second.course_id)], requires_mentor_signoff="y"))
    assert saved.status_code == 302
    with app.app_context():
        rule = db.session.get(CertificateRule, office.made.program_id)
        assert ([c.id for c in rule.courses], rule.min_group_hours, rule.requires_mentor_signoff) == (
            [second.course_id], Decimal("2"), True)
        assert db.session.get(Program, office.made.program_id).attendance_warning_percent == 80
    assert [actor for actor, _, _ in office.audit("certificate_rules_changed")] == [admin.id]

    body = admin_client.get(url).get_data(as_text=True)
    boxes = {value: "checked" in box for box, value in re.findall(
        r'(<input\b[^>]*name="courses"[^>]*value="(\d+)"[^>]*>)', body)}
    assert boxes == {str(office.made.course_id): False, str(second.course_id): True}
    assert 'value="80"' in tag(body, "attendance_percent") and 'value="2.0"' in tag(body, "min_group_hours")


# The command line


@pytest.mark.parametrize("workers", [[], ["--workers", "2"]], ids=["default", "two-processes"])
def test_the_command_line_issues_to_the_eligible_and_a_second_run_issues_nothing(office, app, workers):
    ready = [office.trainee(name) for name in ("Ama Owusu", "Bea Ito")]
    for person in ready:
        office.complete(person)
    office.trainee("Cal Moreno")  # not eligible
    command = ["lms", "certificates", "issue", "--cohort", str(office.made.cohort_id), *workers]

    first = app.test_cli_runner().invoke(args=command)
    assert first.exit_code == 0, first.output
    assert "Issued 2; 0 already held one; 1 not eligible yet." in first.output
    second = app.test_cli_runner().invoke(args=command)
    assert "Issued 0; 2 already held one; 1 not eligible yet." in second.output
    certificates = office.certificates()
    assert sorted(c.trainee_id for c in certificates) == sorted(p.id for p in ready)
    assert {c.issued_by_id for c in certificates} == {None}
    assert [actor for actor, _, _ in office.audit("certificate_issued")] == [None, None]
    assert all(c.pdf.startswith(b"%PDF-") and hashlib.sha256(c.pdf).hexdigest() == c.sha256 for c in certificates)


def test_the_command_line_names_an_unknown_cohort(app):
    result = app.test_cli_runner().invoke(args=["lms", "certificates", "issue", "--cohort", "999"])
    assert result.exit_code != 0 and "There is no cohort 999." in result.output


# What the pages cost


#: The pages whose cost must not grow with the cohort: (who, path).
COUNTED_PAGES = [("admin", "/admin/certificates/cohorts/{cohort}"), ("trainee", "/my/certificates")]
IN_LIST = re.compile(r"\bIN \((?:[^()]|\([^()]*\))*\)")


def grow(office, size: int) -> None:
    """Trainees up to `size` in all, each meeting every rule (course, hours, sign-off, evaluation) and issued one."""
    with office.app.app_context():
        start = db.session.scalar(select(func.count()).select_from(User))
        ids = [accounts.create_user(email=f"cohort{n}@example.org", full_name=f"Cohort {n:03d}", password=None).id
               for n in range(start, start + size - len(cohort_trainee_ids(office.cohort)))]
        db.session.commit()
    office.enroll(ids)
    with office.work():
        mentor, program = db.session.get(User, office.mentor.id), db.session.get(Program, office.made.program_id)
        module = db.session.get(Module, office.made.module_ids[0])
        for trainee in db.session.scalars(select(User).where(User.id.in_(ids))):
            enrollment = office.enrollment(trainee, office.made)
            complete_module(enrollment, module)
            submit_evaluation(enrollment, overall=5, relevance=5, language_rating=5, comments="", consent=False,
                              language="en")
            services.sign_off(mentor, trainee, program)
        logs.save_session(mentor, None, group=None, attendee_ids=ids, held_on=COMPLETED.date(), duration_minutes=60,
                          format=SessionFormat.VIDEO, language="en", topic_ids=[], summary="", notes="")
        services.issue_eligible(office.cohort, by=office.admin)


@pytest.mark.parametrize("who, path", COUNTED_PAGES)
def test_a_certificate_page_runs_as_many_queries_for_30_trainees_as_for_5(
        office, lan, client_as, admin, count_queries, who, path):
    office.rules(requires_mentor_signoff=True, requires_evaluation=True, min_total_hours=Decimal("1"))
    client = client_as({"admin": admin, "trainee": lan}[who])
    url = path.format(cohort=office.made.cohort_id)

    def statements_for(size: int) -> list[str]:
        grow(office, size)
        client.get(url)  # the first request may warm caches
        with count_queries() as statements:
            assert client.get(url).status_code == 200
        return [IN_LIST.sub("IN (...)", " ".join(s.split())) for s in statements]

    small, large = statements_for(5), statements_for(30)
    assert len(office.certificates()) == 29, "everyone but Lan, who has no sign-off, holds one"
    extra = Counter(large) - Counter(small)
    assert len(large) == len(small), f"{url}: {len(small)} statements for 5, {len(large)} for 30:\n" + "\n".join(
        f"{n}x {s[:300]}" for s, n in extra.items())
