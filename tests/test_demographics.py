"""A person's optional "about me" answers: theirs to give, change or clear; admins edit only the category list.

Answers are read back only by the person (and their data download); no admin page shows them
(SECURITY.md item 27). Erasing a person deletes them.
"""

import html
import json
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import func, select

from lms.accounts.models import User
from lms.courses.models import Cohort, Course
from lms.demographics import services
from lms.demographics.categories import LanguageGroup, language_group
from lms.demographics.models import Demographics, RaceCategory, SpokenLanguage, demographics_race
from lms.enrollment.services import enroll
from lms.extensions import db
from tests.pages import after, field_error, text_of

ABOUT_ME = "/my/about-me"
CATEGORIES = "/admin/reports/categories"
BOTH_RACES = "Choose categories or “Prefer not to say”, not both."
BOTH_LANGUAGES = "Choose languages or “Prefer not to say”, not both."
DUPLICATE = "There is already a category with this name."
SPANISH_CATALOG = Path(__file__).resolve().parent.parent / "lms" / "translations" / "es" / "LC_MESSAGES" / "messages.po"


def category_id(app, name: str) -> int:
    with app.app_context():
        return db.session.scalar(select(RaceCategory.id).where(RaceCategory.name == name))


def add_category(app, name: str) -> int:
    with app.app_context():
        category = services.add_category(name)
        db.session.commit()
        return category.id


def stored(app, user_id: int) -> dict | None:
    """The person's answers as saved, or None when there are none."""
    with app.app_context():
        answers = db.session.get(Demographics, user_id)
        if answers is None:
            return None
        return {"races": [c.name for c in answers.races], "race_declined": answers.race_declined,
                "languages": sorted(row.language for row in answers.language_rows),
                "languages_declined": answers.languages_declined,
                "provider_role": answers.provider_role and answers.provider_role.value,
                "formal_training": answers.formal_training and answers.formal_training.value}


def save(app, user_id: int, *, races=(), languages=(), provider_role=None, formal_training=None) -> None:
    """Save a person's answers through the service, categories named in English."""
    from lms.demographics.models import FormalTraining, ProviderRole

    with app.app_context():
        chosen = db.session.scalars(select(RaceCategory).where(RaceCategory.name.in_(races))).all()
        services.save_answers(db.session.get(User, user_id), races=chosen, race_declined=False,
                              languages=list(languages), languages_declined=False,
                              provider_role=ProviderRole(provider_role) if provider_role else None,
                              formal_training=FormalTraining(formal_training) if formal_training else None)
        db.session.commit()


def choices(body: str, name: str) -> dict[str, str]:
    """The options a checkbox or radio group offers: value -> label."""
    found = {}
    for tag in re.findall(rf'<input\b[^>]*\bname="{name}"[^>]*>', body):
        element_id, value = re.search(r'\bid="([^"]+)"', tag).group(1), re.search(r'\bvalue="([^"]*)"', tag).group(1)
        label = re.search(rf'<label for="{re.escape(element_id)}">(.*?)</label>', body, re.S).group(1)
        found[html.unescape(value)] = html.unescape(label).strip()
    return found


def checked(body: str, name: str) -> set[str]:
    """The values of the boxes (or radio buttons) of a group that are ticked."""
    return {html.unescape(re.search(r'\bvalue="([^"]*)"', tag).group(1))
            for tag in re.findall(rf'<input\b[^>]*\bname="{name}"[^>]*>', body) if re.search(r"\schecked\b", tag)}


def error_next_to(body: str, group: str) -> str:
    """The message shown in a checkbox group, which the group's fieldset points to."""
    found = re.search(rf'<p class="field__error" id="{group}-error">(.*?)</p>', body, re.S)
    assert found, f"no error next to {group}"
    fieldset = body[:found.start()].rsplit("<fieldset", 1)[1]
    assert re.search(rf'aria-describedby="[^"]*\b{group}-error\b', fieldset), "the group does not point to its error"
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", found.group(1))).replace("Error:", "").split())


def listed(admin_client) -> list[str]:
    """The categories on the admin list, in order, as the admin reads them."""
    body = admin_client.get(CATEGORIES).get_data(as_text=True)
    items = re.search(r'<ol class="role-list">(.*?)</ol>', body, re.S).group(1)
    return [" ".join(html.unescape(re.sub(r"<[^>]+>", " ", span)).split())
            for span in re.findall(r"<li><span>(.*?)</span>", items, re.S)]


@pytest.fixture
def trainee(app, make_user, login):
    """A logged-in trainee: (the user, their browser)."""
    person = make_user(full_name="Luz Ortega")
    browser = app.test_client()
    login(browser, person)
    return person, browser


# --- A person's own answers ---------------------------------------------------------------------


def test_a_trainee_saves_their_answers_and_sees_them_again(app, trainee):
    person, browser = trainee
    asian, latino = category_id(app, "Asian"), category_id(app, "Hispanic or Latino")
    response = browser.post_form(ABOUT_ME, {"races": [asian, latino], "languages": ["en", "es"],
                                            "provider_role": "home_visitor", "formal_training": "yes"})
    assert "Thank you. Your answers are saved." in after(browser, response)

    assert stored(app, person.id) == {
        "races": ["Asian", "Hispanic or Latino"], "race_declined": False, "languages": ["en", "es"],
        "languages_declined": False, "provider_role": "home_visitor", "formal_training": "yes"}
    page = browser.get(ABOUT_ME).get_data(as_text=True)
    assert checked(page, "races") == {str(asian), str(latino)}
    assert checked(page, "languages") == {"en", "es"}
    assert checked(page, "provider_role") == {"home_visitor"}
    assert checked(page, "formal_training") == {"yes"}
    assert checked(page, "race_declined") == checked(page, "languages_declined") == set()


def test_every_question_is_optional(app, trainee):
    person, browser = trainee
    response = browser.post_form(ABOUT_ME, {"languages_declined": "y"})
    assert response.status_code == 302
    assert stored(app, person.id) == {"races": [], "race_declined": False, "languages": [],
                                      "languages_declined": True, "provider_role": None, "formal_training": None}


def test_saving_again_replaces_the_earlier_answers(app, trainee):
    person, browser = trainee
    browser.post_form(ABOUT_ME, {"races": [category_id(app, "Asian")], "languages": ["en", "vi"]})
    browser.post_form(ABOUT_ME, {"race_declined": "y", "languages": ["vi", "so"]})
    answers = stored(app, person.id)
    assert (answers["races"], answers["race_declined"], answers["languages"]) == ([], True, ["so", "vi"])


@pytest.mark.parametrize("group, declined, message", [
    ("races", "race_declined", BOTH_RACES),
    ("languages", "languages_declined", BOTH_LANGUAGES),
])
def test_choosing_answers_and_prefer_not_to_say_together_is_refused_and_nothing_is_saved(
        app, trainee, group, declined, message):
    person, browser = trainee
    chosen = {"races": [str(category_id(app, "Asian")), str(category_id(app, "Caucasian"))],
              "languages": ["en", "so"]}[group]
    response = browser.post_form(ABOUT_ME, {group: chosen, declined: "y", "provider_role": "parent_educator"})

    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert error_next_to(body, group) == message
    assert checked(body, group) == set(chosen), "what the person chose is kept"
    assert checked(body, declined) == {"y"}
    assert checked(body, "provider_role") == {"parent_educator"}
    assert stored(app, person.id) is None


@pytest.mark.parametrize("field, value", [
    ("races", "9999"),
    ("races", "not-a-number"),
    ("languages", "xx"),
    ("provider_role", "admin"),
    ("formal_training", "maybe"),
])
def test_an_answer_that_is_not_on_the_list_is_refused(app, trainee, field, value):
    person, browser = trainee
    response = browser.post_form(ABOUT_ME, {field: value})
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert stored(app, person.id) is None


def test_the_service_refuses_a_language_that_is_not_on_the_list(app, make_user):
    person = make_user()
    with app.app_context(), pytest.raises(services.DemographicsError) as refused:
        services.save_answers(db.session.get(User, person.id), races=[], race_declined=False, languages=["xx"],
                              languages_declined=False, provider_role=None, formal_training=None)
    assert refused.value.field == "languages"


def test_clearing_removes_every_answer(app, trainee):
    person, browser = trainee
    browser.post_form(ABOUT_ME, {"races": [category_id(app, "Asian")], "languages": ["en", "es"],
                                 "provider_role": "early_care", "formal_training": "no"})
    assert stored(app, person.id) is not None

    response = browser.post_form(f"{ABOUT_ME}/clear")
    assert "Your answers are cleared." in after(browser, response)
    assert stored(app, person.id) is None
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(demographics_race)) == 0
        assert db.session.scalar(select(func.count()).select_from(SpokenLanguage)) == 0
    page = browser.get(ABOUT_ME).get_data(as_text=True)
    assert checked(page, "races") == checked(page, "languages") == checked(page, "provider_role") == set()


def test_a_category_taken_out_of_use_is_no_longer_offered_but_still_shown_to_who_chose_it(
        app, admin_client, trainee, make_user, login):
    person, browser = trainee
    other = make_user()
    others_browser = app.test_client()
    login(others_browser, other)
    pacific = category_id(app, "Pacific Islander")
    browser.post_form(ABOUT_ME, {"races": [pacific]})

    admin_client.post_form(f"{CATEGORIES}/{pacific}/toggle")

    assert "Pacific Islander" not in choices(others_browser.get(ABOUT_ME).get_data(as_text=True), "races").values()
    refused = others_browser.post_form(ABOUT_ME, {"races": [pacific]})
    assert refused.status_code == 422 and stored(app, other.id) is None
    page = browser.get(ABOUT_ME).get_data(as_text=True)
    assert choices(page, "races")[str(pacific)] == "Pacific Islander"
    assert checked(page, "races") == {str(pacific)}
    resaved = browser.post_form(ABOUT_ME, {"races": [pacific], "languages": ["en"]})
    assert resaved.status_code == 302, "the person can keep the answer they gave"
    assert stored(app, person.id)["races"] == ["Pacific Islander"]


# --- The admin's category list ------------------------------------------------------------------


def test_an_admin_adds_a_category_and_trainees_can_choose_it(app, admin_client, trainee):
    _, browser = trainee
    response = admin_client.post_form(CATEGORIES, {"name": "  Somali  "})
    assert "Category added." in after(admin_client, response)
    assert listed(admin_client)[-1] == "Somali"
    assert list(choices(browser.get(ABOUT_ME).get_data(as_text=True), "races").values())[-1] == "Somali"


@pytest.mark.parametrize("name", ["Asian", "asian", "  ASIAN ", "somali"])
def test_a_duplicate_category_name_is_refused_whatever_its_letter_case(app, admin_client, name):
    add_category(app, "Somali")
    before = listed(admin_client)
    response = admin_client.post_form(CATEGORIES, {"name": name})
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "name") == DUPLICATE
    assert listed(admin_client) == before


def test_renaming_to_another_categorys_name_is_refused(app, admin_client):
    other = category_id(app, "Other")
    response = admin_client.post_form(f"{CATEGORIES}/{other}", {"name": "CAUCASIAN"})
    assert response.status_code == 422
    assert field_error(response.get_data(as_text=True), "name") == DUPLICATE
    with app.app_context():
        kept = db.session.get(RaceCategory, other)
        assert (kept.name, kept.key) == ("Other", "other")


def test_a_renamed_built_in_category_shows_the_admins_wording_in_every_language(app, admin_client, make_user, login):
    caucasian = category_id(app, "Caucasian")
    response = admin_client.post_form(f"{CATEGORIES}/{caucasian}", {"name": "White"})
    assert "Category renamed." in after(admin_client, response)
    with app.app_context():
        renamed = db.session.get(RaceCategory, caucasian)
        assert (renamed.name, renamed.key) == ("White", None), "a renamed category is no longer translated"
    assert "White" in listed(admin_client) and "Caucasian" not in listed(admin_client)

    spanish = app.test_client()
    login(spanish, make_user(locale="es"))
    assert choices(spanish.get(ABOUT_ME).get_data(as_text=True), "races")[str(caucasian)] == "White"


def test_an_admin_reorders_categories_and_the_form_follows(app, admin_client, trainee):
    _, browser = trainee
    first, second, third = listed(admin_client)[:3]
    admin_client.post_form(f"{CATEGORIES}/{category_id(app, third)}/move", {"direction": "up"})
    assert listed(admin_client)[:3] == [first, third, second]
    admin_client.post_form(f"{CATEGORIES}/{category_id(app, first)}/move", {"direction": "down"})
    assert listed(admin_client)[:3] == [third, first, second]
    assert list(choices(browser.get(ABOUT_ME).get_data(as_text=True), "races").values())[:3] == [third, first, second]


def test_moving_the_first_category_up_or_the_last_down_changes_nothing(app, admin_client):
    names = listed(admin_client)
    admin_client.post_form(f"{CATEGORIES}/{category_id(app, names[0])}/move", {"direction": "up"})
    admin_client.post_form(f"{CATEGORIES}/{category_id(app, names[-1])}/move", {"direction": "down"})
    assert listed(admin_client) == names


def test_an_admin_takes_a_category_out_of_use_and_back(app, admin_client, trainee):
    _, browser = trainee
    other = category_id(app, "Other")
    admin_client.post_form(f"{CATEGORIES}/{other}/toggle")
    assert "Other (not in use)" in listed(admin_client)
    assert str(other) not in choices(browser.get(ABOUT_ME).get_data(as_text=True), "races")

    admin_client.post_form(f"{CATEGORIES}/{other}/toggle")
    assert "Other" in listed(admin_client)
    assert str(other) in choices(browser.get(ABOUT_ME).get_data(as_text=True), "races")


@pytest.mark.parametrize("role", ["trainee", "mentor"])
def test_trainees_and_mentors_cannot_reach_the_category_list_or_the_report(app, make_user, login, role):
    browser = app.test_client()
    login(browser, make_user(role))
    asian = category_id(app, "Asian")
    for method, url, data in [
        ("GET", CATEGORIES, None), ("POST", CATEGORIES, {"name": "Injected"}),
        ("GET", f"{CATEGORIES}/{asian}", None), ("POST", f"{CATEGORIES}/{asian}", {"name": "Renamed"}),
        ("POST", f"{CATEGORIES}/{asian}/toggle", {}), ("POST", f"{CATEGORIES}/{asian}/move", {"direction": "up"}),
        ("GET", "/admin/reports", None), ("POST", "/admin/reports", {}),
        ("GET", "/admin/reports/race.csv", None), ("GET", "/admin/reports/report.pdf", None),
    ]:
        response = browser.post_form(url, data) if method == "POST" else browser.get(url)
        assert response.status_code == 403, f"{method} {url}"
    with app.app_context():
        asian_now = db.session.get(RaceCategory, asian)
        assert (asian_now.name, asian_now.is_active, asian_now.position) == ("Asian", True, 2)
        assert db.session.scalar(select(func.count()).select_from(RaceCategory)) == 8


def test_no_admin_page_shows_a_persons_answers(app, admin_client, make_user, make_course):
    person = make_user(full_name="Hodan Abdi")
    add_category(app, "Zapotec")
    made = make_course()
    with app.app_context():
        enroll(db.session.get(User, person.id), db.session.get(Course, made.course_id),
               db.session.get(Cohort, made.cohort_id), "en")
        db.session.commit()
    save(app, person.id, races=["Zapotec"], languages=["ti"], provider_role="mental_health", formal_training="yes")

    for url in (f"/admin/users/{person.id}", "/admin/users", f"/admin/courses/{made.course_id}/roster",
                f"/admin/courses/{made.course_id}/roster.csv"):
        response = admin_client.get(url)
        assert response.status_code == 200, url
        page = response.get_data(as_text=True)
        assert "Hodan Abdi" in page, url
        for answer in ("Zapotec", "Tigrinya", "Mental-health provider", "With formal training"):
            assert answer not in page, f"{url} shows {answer!r}"


# --- Erasure and the person's own data download ---------------------------------------------------


def test_erasing_a_person_deletes_their_answers(app, admin_client, make_user):
    person, other = make_user(), make_user()
    save(app, person.id, races=["Asian"], languages=["en", "ko"], provider_role="early_care")
    save(app, other.id, races=["Asian"], languages=["es"])

    response = admin_client.post_form(f"/admin/users/{person.id}/erase", {"confirm": "erase"})
    assert response.status_code == 302
    assert stored(app, person.id) is None
    with app.app_context():
        assert db.session.scalars(select(demographics_race.c.user_id)).all() == [other.id]
        assert db.session.scalars(select(SpokenLanguage.user_id)).all() == [other.id]
    assert stored(app, other.id)["races"] == ["Asian"], "erasing one person leaves another's answers alone"


def test_the_data_download_includes_the_persons_answers(app, trainee):
    person, browser = trainee
    assert json.loads(browser.get("/account/export.json").get_data(as_text=True))["about_me"] is None

    browser.post_form(ABOUT_ME, {"races": [category_id(app, "Asian"), category_id(app, "Other")],
                                 "languages_declined": "y", "provider_role": "home_visitor"})
    about_me = json.loads(browser.get("/account/export.json").get_data(as_text=True))["about_me"]
    assert about_me["race_ethnicity"] == ["Asian", "Other"]
    assert about_me["languages"] == "prefer not to say"
    assert (about_me["provider_role"], about_me["formal_training"]) == ("home_visitor", None)
    assert about_me["updated_at"]


# --- How answers are read --------------------------------------------------------------------------


@pytest.mark.parametrize("languages, group", [
    (["en"], LanguageGroup.ENGLISH_ONLY),
    (["es"], LanguageGroup.BILINGUAL_SPANISH),
    (["en", "es"], LanguageGroup.BILINGUAL_SPANISH),
    (["es", "vi", "en"], LanguageGroup.BILINGUAL_SPANISH),
    (["en", "so"], LanguageGroup.MULTILINGUAL_OTHER),
    (["vi"], LanguageGroup.MULTILINGUAL_OTHER),
    (["other"], LanguageGroup.MULTILINGUAL_OTHER),
    ([], None),
])
def test_the_language_group_is_derived_from_the_languages_spoken(languages, group):
    assert language_group(languages) is group


def test_built_in_category_names_are_shown_in_the_readers_language(app, make_user, login):
    with open(SPANISH_CATALOG, "rb") as f:
        catalog = read_po(f)
    message = catalog.get("Hispanic or Latino")
    assert message is not None and message.string and not message.fuzzy, "every catalog translates every message"
    browser = app.test_client()
    login(browser, make_user(locale="es"))
    page = browser.get(ABOUT_ME)
    assert choices(page.get_data(as_text=True), "races")[str(category_id(app, "Hispanic or Latino"))] == message.string
    assert "Hispanic or Latino" not in text_of(page)


def test_the_answers_are_stored_apart_from_the_profile_and_the_profile_does_not_reach_them():
    """No column of the account holds an answer, and the account model has no path to the answers."""
    answers = {"race", "races", "race_declined", "languages", "languages_declined", "provider_role",
               "formal_training", "demographics"}
    assert not answers & set(User.__table__.columns.keys())
    assert not answers & set(User.__mapper__.relationships.keys())
    for table in (demographics_race, SpokenLanguage.__table__):  # the answers hang off the answers' own row
        assert {fk.column.table.name for fk in table.foreign_keys} <= {"lms_demographics", "lms_race_category"}
    [person] = Demographics.__table__.c.user_id.foreign_keys
    assert person.column.table.name == "lms_user" and person.ondelete == "CASCADE"  # erased with the person
