"""A trainee finds a course, enrolls, works through it and evaluates it, in a real browser."""

from playwright.sync_api import expect

from lms.accounts.models import User
from lms.courses.models import Cohort, Course
from lms.enrollment.services import enroll
from lms.extensions import db
from tests.browser.checks import overflow as page_overflow
from tests.browser.conftest import PHONE


def test_a_trainee_enrolls_completes_a_course_and_evaluates_it(live_server, new_page, make_user, make_course,
                                                               log_in):
    make_course(modules=2, title="Foundations of Infant Mental Health", translations={"es": "Fundamentos"})
    make_user(email="lan@example.org", full_name="Nguyễn Thị Lan")
    page = new_page(viewport=PHONE)
    log_in(page, "lan@example.org")

    page.get_by_role("link", name="Courses").first.click()
    page.get_by_label("Search courses").fill("foundations")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Foundations of Infant Mental Health").click()
    page.get_by_label("Language of the course").select_option("es")
    page.get_by_role("button", name="Enroll for free").click()
    expect(page.get_by_role("status")).to_contain_text("You are enrolled")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Fundamentos")
    expect(page.get_by_text("(not translated yet: shown in English)").first).to_be_visible()

    page.get_by_role("link", name="Module 1").click()
    page.get_by_label("Your reflection").fill("I noticed my own hurry in the mornings.")
    page.get_by_label("Let my mentor read this reflection").check()
    page.get_by_role("button", name="Save reflection").click()
    expect(page.get_by_role("status")).to_contain_text("Your reflection is saved.")
    page.get_by_role("button", name="Mark this module complete").click()
    page.get_by_role("link", name="Module 2").click()
    page.get_by_role("button", name="Mark this module complete").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Evaluate the course")
    for question in ("Overall, how useful", "What I learned applies", "I could learn in a language"):
        page.get_by_role("group", name=question).get_by_label("5").check()
    page.get_by_label("What would you like to tell the program?").fill("Thank you for having an open dialogue.")
    page.get_by_label("The program may quote my comments").check()
    page.get_by_role("button", name="Send my evaluation").click()
    expect(page.get_by_role("status")).to_contain_text("Thank you for your evaluation.")
    expect(page.get_by_text("You completed Foundations of Infant Mental Health")).to_be_visible()

    page.get_by_role("link", name="My reflection journal").click()
    expect(page.get_by_text("I noticed my own hurry in the mornings.")).to_be_visible()
    expect(page.get_by_text("Shared with your mentor")).to_be_visible()
    overflow = page_overflow(page)
    assert overflow <= 0


def test_an_admin_builds_a_course_and_enrolls_people_from_a_file(live_server, page, make_user, tmp_path, log_in):
    make_user("admin", email="office@example.org", full_name="Program Office")
    log_in(page, "office@example.org")
    page.get_by_role("link", name="Programs").first.click()
    page.get_by_role("link", name="New program").click()
    page.get_by_label("Name").fill("BIPOC Community of Leaders Certificate")
    page.get_by_role("button", name="Save").click()

    page.get_by_role("link", name="New course").click()
    page.get_by_label("Code").fill("bcl-101")
    page.get_by_label("Title").fill("Foundations")
    page.get_by_label("Professional-development hours").fill("6")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("BCL-101 · Foundations")
    page.get_by_role("link", name="Add a module").click()
    page.get_by_label("Title").fill("Relationships are the foundation")
    page.get_by_label("Content (Markdown)").fill("Children learn to feel **safe**.")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("link", name="Relationships are the foundation", exact=True)).to_be_visible()

    page.get_by_role("link", name="BIPOC Community of Leaders Certificate", exact=True).click()
    page.get_by_role("link", name="New cohort").click()
    page.get_by_label("Name").fill("Cohort 1")
    page.get_by_label("Español").check()
    page.get_by_label("Starts on").fill("2027-01-11")
    page.get_by_label("Ends on").fill("2026-12-01")
    page.get_by_label("Seats in each course").fill("2")
    page.get_by_label("BCL-101 · Foundations").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The cohort cannot end before it starts.").first).to_be_visible()
    expect(page.get_by_label("Name")).to_have_value("Cohort 1")
    page.get_by_label("Ends on").fill("2027-06-30")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("cell", name="Cohort 1", exact=True)).to_be_visible()

    page.get_by_role("link", name="BCL-101 · Foundations").click()
    page.get_by_role("link", name="Enroll from a file").click()
    people = tmp_path / "people.csv"
    people.write_text("email,name,cohort,language\nlan@example.org,Nguyễn Thị Lan,Cohort 1,en\n"
                      "hodan@example.org,Hodan Cali,Cohort 1,en\nmeron@example.org,Meron Alemu,Cohort 1,en\n")
    page.get_by_label("CSV file").set_input_files(str(people))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("row").filter(has_text="meron@example.org")).to_contain_text("Waitlist")
    page.get_by_role("button", name="Import these rows").click()
    expect(page.get_by_role("status").first).to_contain_text("3 rows imported.")
    expect(page.get_by_role("row").filter(has_text="Nguyễn Thị Lan")).to_contain_text("Enrolled")


def _enrolled_in_a_course_with_a_prompt(app, make_user, make_course) -> str:
    """Lan holds a seat in a two-module course whose first module asks for a reflection; its page's path."""
    made = make_course(modules=2, title="Foundations of Infant Mental Health", prompt="What did you notice?")
    lan = make_user(email="lan@example.org", full_name="Nguyễn Thị Lan")
    with app.app_context():
        enrollment = enroll(db.session.get(User, lan.id), db.session.get(Course, made.course_id),
                            db.session.get(Cohort, made.cohort_id), "en")
        db.session.commit()
        return f"/my/courses/{enrollment.id}/modules/{made.module_ids[0]}"


def test_a_reflection_typed_before_marking_the_module_complete_is_saved(app, live_server, new_page, make_user,
                                                                         make_course, log_in):
    module = _enrolled_in_a_course_with_a_prompt(app, make_user, make_course)
    page = new_page(viewport=PHONE)
    log_in(page, "lan@example.org")
    page.goto(live_server + module)

    page.get_by_label("Your reflection").fill("I noticed my own hurry in the mornings.")
    page.get_by_role("button", name="Mark this module complete").click()

    expect(page.get_by_role("status").filter(has_text="Module marked complete.")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Your reflection is saved.")).to_be_visible()
    page.goto(f"{live_server}/my/journal")
    expect(page.get_by_role("article")).to_contain_text("I noticed my own hurry in the mornings.")
    expect(page.get_by_role("article")).to_contain_text("Private")


def test_leaving_a_changed_reflection_asks_first_but_saving_it_does_not(app, live_server, new_page, make_user,
                                                                          make_course, log_in):
    module = _enrolled_in_a_course_with_a_prompt(app, make_user, make_course)
    page = new_page()
    log_in(page, "lan@example.org")
    page.goto(live_server + module)
    asked = []

    def stay(dialog):
        asked.append(dialog.type)
        dialog.dismiss()

    page.on("dialog", stay)
    home = page.get_by_role("navigation", name="Main menu").get_by_role("link", name="Home")
    page.get_by_label("Your reflection").press_sequentially("Half a thought")
    home.click()
    expect(page.get_by_label("Your reflection")).to_have_value("Half a thought")
    assert asked == ["beforeunload"]
    assert page.url == live_server + module

    page.get_by_role("button", name="Save reflection").click()
    expect(page.get_by_role("status")).to_contain_text("Your reflection is saved.")
    home.click()
    expect(page.get_by_role("link", name="My reflection journal")).to_be_visible()
    assert asked == ["beforeunload"], "saving the form, and leaving it saved, asked nothing more"
