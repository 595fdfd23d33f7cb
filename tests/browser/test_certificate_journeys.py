"""Certificates in a real browser: issue a cohort's, override and revoke, download and verify, and check every page."""

import re
import shutil
import subprocess
import zipfile

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask_babel import format_date
from playwright.sync_api import expect
from sqlalchemy import select

from lms.accounts.models import User
from lms.courses.models import Cohort, Course, Module, Program
from lms.credentials import services
from lms.credentials.models import Certificate, CertificateStatus, NameStyle
from lms.enrollment.progress import complete_module
from lms.enrollment.services import enroll
from lms.extensions import db
from tests.browser.checks import overflow as page_overflow
from tests.browser.conftest import DESKTOP, PHONE
from tests.conftest import PASSWORD, totp_code

COURSE = "Foundations of Infant Mental Health"
#: Trainees who completed the cohort's course: their legal name, and name in their own script.
FINISHED = {"Nguyễn Thị Lan": None, "Hodan Cali": None, "Olga Petrova": "Ольга Петрова",
            "Selam Tesfaye": "ሰላም ተስፋዬ", "Fatima Al-Zahra": "فاطمة الزهراء"}
#: A trainee who has not completed it.
UNFINISHED = "Carmen Ruiz"
EMAILS = {"Nguyễn Thị Lan": "lan@example.org", "Hodan Cali": "hodan@example.org", "Olga Petrova": "olga@example.org",
          "Selam Tesfaye": "selam@example.org", "Fatima Al-Zahra": "fatima@example.org",
          UNFINISHED: "carmen@example.org"}
SERIAL = re.compile(r"\d{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}")
needs_pdftotext = pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils")


class World:
    """A cohort running one course: an admin, five trainees who completed it and one who has not."""

    def __init__(self, app, make_user, make_course, language="en"):
        self.app = app
        self.made = make_course(modules=1, title=COURSE)
        self.office = make_user("admin", email="office@example.org", full_name="Program Office", locale=language)
        self.trainees = {name: make_user(email=email, full_name=name, native_name=FINISHED.get(name), locale=language)
                         for name, email in EMAILS.items()}
        with app.app_context():
            course, cohort = db.session.get(Course, self.made.course_id), db.session.get(Cohort, self.made.cohort_id)
            module = db.session.get(Module, self.made.module_ids[0])
            services.save_rule(db.session.get(Program, self.made.program_id), course_ids=[course.id],
                               by=db.session.get(User, self.office.id), issuer="King County Best Starts for Kids",
                               signatory_name="Jordan Ellis", signatory_title="Program Director")
            for name, trainee in self.trainees.items():
                enrollment = enroll(db.session.get(User, trainee.id), course, cohort, "en")
                if name != UNFINISHED:
                    complete_module(enrollment, module)
            db.session.commit()

    def issue(self, name, *, override_reason=None) -> Certificate:
        """Issue the trainee's certificate as the office would; return it detached."""
        with self.app.app_context():
            certificate = services.issue(db.session.get(User, self.trainees[name].id),
                                         db.session.get(Cohort, self.made.cohort_id),
                                         by=db.session.get(User, self.office.id), override_reason=override_reason)
            db.session.commit()
            db.session.refresh(certificate)
            db.session.expunge(certificate)
            return certificate

    def certificates(self) -> list[Certificate]:
        with self.app.app_context():
            return db.session.scalars(select(Certificate).order_by(Certificate.id)).all()


def _menu(page, name):
    return page.get_by_role("navigation", name="Main menu").get_by_role("link", name=name, exact=True)


def _row(page, name):
    return page.get_by_role("row").filter(has=page.get_by_role("link", name=name, exact=True))


def pdf_text(path) -> str:
    """The words pdftotext reads from the PDF, spaces collapsed."""
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(text.split())


def test_an_admin_issues_to_every_eligible_trainee_in_batches_with_a_progress_bar(app, live_server, page, make_user,
                                                                                   make_course, log_in):
    app.config["LMS_CERTIFICATE_BATCH"] = 2
    world = World(app, make_user, make_course)
    log_in(page, "office@example.org")
    _menu(page, "Certificates").click()
    page.get_by_role("link", name="Cohort 1", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Certificates in Cohort 1")
    for name in FINISHED:
        expect(_row(page, name)).to_contain_text("All met")
    expect(_row(page, UNFINISHED)).to_contain_text(f"Missing: Course {world.made.code}: {COURSE} completed")

    seen = []
    page.expose_function("noteProgress", lambda value, most, text: seen.append((value, most, text)))
    page.evaluate("""() => {
      const bar = document.querySelector("[data-batch-progress] progress");
      const status = document.querySelector("[data-batch-status]");
      new MutationObserver(() => window.noteProgress(bar.value, bar.max, status.textContent))
        .observe(status, {childList: true, characterData: true, subtree: true});
    }""")
    with page.expect_navigation():  # the page reloads once every batch is done
        page.get_by_role("button", name="Issue to every eligible trainee (5)").click()
        expect(page.get_by_role("progressbar", name="Certificates issued")).to_be_visible()
    assert seen == [(2, 5, "2 / 5"), (4, 5, "4 / 5"), (5, 5, "5 / 5")]

    for name in FINISHED:
        expect(_row(page, name)).to_contain_text(SERIAL)
        expect(_row(page, name)).to_contain_text("Valid")
    expect(_row(page, UNFINISHED).get_by_role("cell").last).to_have_text("—")
    expect(page.get_by_role("button", name=re.compile("Issue to every eligible trainee"))).to_have_count(0)
    with page.expect_download() as archive:
        page.get_by_role("link", name="All valid certificates (ZIP)").click()
    with zipfile.ZipFile(archive.value.path()) as certificates:
        assert sorted(certificates.namelist()) == sorted(f"certificate-{c.serial}.pdf" for c in world.certificates())
        assert len(certificates.namelist()) == 5


def test_without_javascript_each_click_issues_one_batch(app, live_server, browser, make_user, make_course, log_in):
    app.config["LMS_CERTIFICATE_BATCH"] = 3
    world = World(app, make_user, make_course)
    context = browser.new_context(viewport=DESKTOP, java_script_enabled=False)
    try:
        page = context.new_page()
        log_in(page, "office@example.org")
        page.goto(f"{live_server}/admin/certificates/cohorts/{world.made.cohort_id}")
        page.get_by_role("button", name="Issue to every eligible trainee (5)").click()
        expect(page.get_by_role("status")).to_have_text("3 certificates issued. 2 eligible trainees are still waiting.")
        page.get_by_role("button", name="Issue to every eligible trainee (2)").click()
        expect(page.get_by_role("status")).to_have_text("2 certificates issued. Every eligible trainee now holds one.")
    finally:
        context.close()
    assert len(world.certificates()) == 5


def test_a_trainee_whose_name_cannot_be_printed_is_named_when_the_batch_stops(app, live_server, page, make_user,
                                                                              make_course, log_in):
    world = World(app, make_user, make_course)
    ayaan = make_user(email="ayaan@example.org", full_name="Ayaan Mohamed", native_name="Ayaan \U0001F600")
    with app.app_context():
        user = db.session.get(User, ayaan.id)
        services.set_name_style(user, NameStyle.OWN_SCRIPT)
        enrollment = enroll(user, db.session.get(Course, world.made.course_id),
                            db.session.get(Cohort, world.made.cohort_id), "en")
        complete_module(enrollment, db.session.get(Module, world.made.module_ids[0]))
        db.session.commit()
    log_in(page, "office@example.org")
    page.goto(f"{live_server}/admin/certificates/cohorts/{world.made.cohort_id}")
    with page.expect_navigation():
        page.get_by_role("button", name="Issue to every eligible trainee (6)").click()
    expect(page.get_by_role("alert")).to_have_text("Ayaan Mohamed: The name cannot be printed: no font has \U0001F600. "
                                                   "Ask the trainee to check how their name is written.")
    expect(_row(page, "Ayaan Mohamed").get_by_role("cell").last).to_have_text("—")
    expect(_row(page, "Hodan Cali")).to_contain_text(SERIAL)
    assert len(world.certificates()) == 5


def test_an_admin_whose_login_is_not_recent_confirms_it_before_issuing_or_exporting(app, live_server, page, make_user,
                                                                                   make_course, log_in):
    world = World(app, make_user, make_course)
    log_in(page, "office@example.org")
    cohort_page = f"{live_server}/admin/certificates/cohorts/{world.made.cohort_id}"
    page.goto(cohort_page)
    app.config["LMS_RECENT_LOGIN_MINUTES"] = -1  # as if the login were long ago

    page.get_by_role("link", name="All valid certificates (ZIP)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm it is you")
    page.go_back()
    page.get_by_role("button", name="Issue to every eligible trainee (5)").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm it is you")
    assert world.certificates() == []

    app.config["LMS_RECENT_LOGIN_MINUTES"] = 10
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_label("Code from your authenticator app, or a recovery code").fill(totp_code(app, world.office.id))
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(cohort_page)
    with page.expect_navigation():
        page.get_by_role("button", name="Issue to every eligible trainee (5)").click()
    expect(_row(page, "Hodan Cali")).to_contain_text(SERIAL)
    assert len(world.certificates()) == 5


def test_issuing_to_an_ineligible_trainee_needs_a_reason_and_a_revoked_certificate_shows_as_revoked(
        app, live_server, new_page, make_user, make_course, log_in):
    world = World(app, make_user, make_course)
    office = new_page()
    log_in(office, "office@example.org")
    office.goto(f"{live_server}/admin/certificates/cohorts/{world.made.cohort_id}")
    office.get_by_role("link", name=UNFINISHED, exact=True).click()
    expect(office.get_by_role("heading", level=1)).to_have_text(UNFINISHED)
    expect(office.get_by_role("listitem").filter(has_text=COURSE)).to_contain_text("Missing:")

    office.get_by_role("button", name="Issue the certificate").click()
    summary = office.get_by_role("alert")
    expect(summary).to_contain_text("There is a problem")
    refusal = f"{UNFINISHED} has not met every requirement. Give a reason to issue anyway."
    reason = office.get_by_label("Reason to issue although a requirement is not met")
    expect(reason).to_have_attribute("aria-invalid", "true")
    expect(reason).to_have_accessible_description(re.compile(re.escape(refusal)))
    summary.get_by_role("link", name=refusal).click()
    expect(reason).to_be_focused()
    assert world.certificates() == []

    reason.fill("Completed the course at another agency; transcript checked.")
    office.get_by_role("button", name="Issue the certificate").click()
    expect(office.get_by_role("status")).to_contain_text(re.compile(rf"Certificate {SERIAL.pattern} is issued\."))
    expect(office.locator("main dl")).to_contain_text("Completed the course at another agency; transcript checked.")
    verify_url = office.get_by_role("link", name="Public verification page").get_attribute("href")

    office.get_by_role("link", name="Revoke this certificate").click()
    expect(office.get_by_role("heading", level=1)).to_contain_text("Revoke certificate")
    office.get_by_label("Why it is revoked").fill("Issued by mistake: the transcript was for another person.")
    office.get_by_role("button", name="Revoke this certificate").click()
    expect(office.get_by_role("status")).to_contain_text("The certificate is revoked.")
    [certificate] = world.certificates()
    assert certificate.status is CertificateStatus.REVOKED
    with app.test_request_context():
        revoked_on = format_date(certificate.revoked_at, "long")
    expect(office.locator("main dl")).to_contain_text("Issued by mistake: the transcript was for another person.")

    visitor = new_page(viewport=PHONE)
    visitor.goto(live_server + verify_url)
    expect(visitor.get_by_role("status")).to_have_text(f"This certificate was revoked on {revoked_on}.")
    expect(visitor.locator("main dl")).to_contain_text(UNFINISHED)


@needs_pdftotext
def test_a_trainee_prints_both_names_and_anyone_verifies_the_certificate_by_code_and_by_file(
        app, live_server, new_page, make_user, make_course, log_in, tmp_path):
    world = World(app, make_user, make_course)
    legal, native = "Fatima Al-Zahra", "فاطمة الزهراء"
    trainee = new_page(viewport=PHONE)
    log_in(trainee, "fatima@example.org")
    _menu(trainee, "My certificates").click()
    expect(trainee.get_by_role("heading", level=1)).to_have_text("My certificates")
    expect(trainee.locator("main section.card")).to_contain_text(
        "You have met every requirement. The program office will issue your certificate.")
    trainee.get_by_label("Both").check()
    trainee.get_by_role("button", name="Save").click()
    expect(trainee.get_by_role("status")).to_contain_text("Your certificates will show your name this way.")
    expect(trainee.get_by_label("Both")).to_be_checked()

    with trainee.expect_download() as preview:
        trainee.get_by_role("link", name="Preview my certificate (PDF)").click()
    assert preview.value.suggested_filename == "certificate-preview.pdf"
    text = pdf_text(preview.value.path())
    assert legal in text and native in text and "PREVIEW" in text

    issued = world.issue(legal)
    trainee.reload()
    expect(trainee.locator("main ul.link-list")).to_contain_text(f"{issued.serial} · Valid")
    with trainee.expect_download() as download:
        trainee.get_by_role("link", name="Download (PDF)").click()
    assert download.value.suggested_filename == f"certificate-{issued.serial}.pdf"
    pdf = tmp_path / "certificate.pdf"
    download.value.save_as(pdf)
    text = pdf_text(pdf)
    assert legal in text and native in text and issued.serial in text
    code = re.search(r"/verify/([\w-]+)", text).group(1)  # the code printed under the QR code

    visitor = new_page()
    visitor.goto(live_server)
    _menu(visitor, "Verify a certificate").click()
    visitor.get_by_label("Verification code").fill(code)
    visitor.get_by_role("button", name="Verify").click()
    expect(visitor).to_have_url(f"{live_server}/verify/{code}")
    expect(visitor.get_by_role("status")).to_have_text("This certificate is valid.")
    name = visitor.locator("main dl div").filter(has_text="Name")
    expect(name).to_contain_text(legal)
    expect(name).to_contain_text(native)

    visitor.get_by_role("link", name="Verify a certificate").first.click()
    visitor.get_by_label("Certificate (PDF)").set_input_files(pdf)
    visitor.get_by_role("button", name="Check the file").click()
    expect(visitor.get_by_role("status")).to_have_text(
        "This file is exactly the certificate the program issued. This certificate is valid.")

    changed = tmp_path / "changed.pdf"
    changed.write_bytes(pdf.read_bytes().replace(b"%%EOF", b"%%EOF\n", 1))
    visitor.goto(f"{live_server}/verify")
    visitor.get_by_label("Certificate (PDF)").set_input_files(changed)
    visitor.get_by_role("button", name="Check the file").click()
    expect(visitor.get_by_role("status")).to_have_text(
        "This file is not a certificate the program issued, or it was changed after it was issued.")


#: Who sees them (None: a visitor who is not logged in), and the certificate pages to check.
CERTIFICATE_PAGES = {
    "fatima@example.org": ["/my/certificates"],
    None: ["/verify", "/verify/{code}"],
    "office@example.org": [
        "/admin/certificates", "/admin/certificates/programs/{program}/rules",
        "/admin/certificates/cohorts/{cohort}", "/admin/certificates/cohorts/{cohort}/trainees/{unfinished}",
        "/admin/certificates/{certificate}",
    ],
}
#: What the page itself carries inline; the CSP refuses it (script files from the site are fine).
INLINE = "document.querySelectorAll('[style], style, script:not([src])').length"


def _assert_fits_and_passes_axe(page, what, language):
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if language == "ar" else "ltr")
    assert page.evaluate(INLINE) == 0, f"{what} has inline scripts or styles"
    overflow = page_overflow(page)
    assert overflow <= 0, f"{what} is {overflow}px wider than the screen"
    results = Axe().run(page, options={"runOnly": ["wcag2a", "wcag2aa", "wcag21aa"]})
    assert results.violations_count == 0, f"{what}:\n{results.generate_report()}"


@pytest.mark.parametrize("language", ["en", "ar"])
def test_certificate_pages_fit_the_screen_and_pass_axe(app, live_server, new_page, make_user, make_course, log_in,
                                                       language):
    world = World(app, make_user, make_course, language)
    world.issue("Fatima Al-Zahra")
    certificate = world.issue("Selam Tesfaye")
    ids = {"code": certificate.code, "program": world.made.program_id, "cohort": world.made.cohort_id,
           "unfinished": world.trainees[UNFINISHED].id, "certificate": certificate.id}
    pages, blocked, pages_seen = {}, [], []
    for email in CERTIFICATE_PAGES:
        page = pages[email] = new_page(locale=language)
        page.on("console", lambda message: blocked.append(message.text)
                if "Content Security Policy" in message.text else None)
        if email:
            log_in(page, email)
    for viewport in (PHONE, DESKTOP):  # one login each for both sizes keeps this test quick
        for email, paths in CERTIFICATE_PAGES.items():
            page = pages[email]
            page.set_viewport_size(viewport)
            for path in paths:
                path = path.format(**ids)
                response = page.goto(live_server + path)
                assert response.status == 200, path
                _assert_fits_and_passes_axe(page, f"{path} at {viewport['width']}px", language)
                pages_seen.append(path)
    assert not blocked, f"the CSP blocked {blocked}"
    assert len(pages_seen) == 2 * sum(len(paths) for paths in CERTIFICATE_PAGES.values()) == 16

    office = pages["office@example.org"]
    office.goto(f"{live_server}/admin/certificates/cohorts/{ids['cohort']}/trainees/{ids['unfinished']}")
    office.locator("main form button[type=submit]").click()
    expect(office.locator("#reason")).to_have_attribute("aria-invalid", "true")
    _assert_fits_and_passes_axe(office, "the override form with an error", language)
    office.set_viewport_size(PHONE)
    _assert_fits_and_passes_axe(office, "the override form with an error on a phone", language)
