"""The demo data gives the program report the shape of the tables the program publishes."""

from collections import Counter
from datetime import date

from sqlalchemy import select

from lms.accounts.models import User
from lms.demographics.categories import BUILTIN_CATEGORIES
from lms.demographics.models import Demographics
from lms.extensions import db
from lms.reports.data import Filters
from lms.reports.report import build
from tests.test_cli import run

#: ../shared/context/003: participants of all cohorts by race/ethnicity, and by language.
PUBLISHED_RACE = {"Native American/Alaskan": 5, "African American": 15, "Asian": 16, "Hispanic or Latino": 78,
                  "Mixed Heritage": 2, "Pacific Islander": 1, "Caucasian": 55, "Other": 5}
PUBLISHED_LANGUAGE = {"English only": 82, "Bilingual Spanish": 65, "Multilingual other": 13}


def test_the_demo_report_up_to_june_2025_has_the_published_tables_shape_and_counts(app):
    assert run(app, "demo-data").exit_code == 0
    with app.test_request_context():
        report = build(Filters(end=date(2025, 6, 30)), exact=True)
        race, language = report.breakdowns[0], report.breakdowns[1]
        labels = [row[0].text for row in race.rows]
        assert labels[:8] == list(PUBLISHED_RACE) == list(BUILTIN_CATEGORIES.values())
        assert labels[8:] == ["Two or more", "Prefer not to say", "Not answered", "All participants"]
        assert {row[0].text: row[-2].text for row in language.rows[:3]} == {
            name: str(count) for name, count in PUBLISHED_LANGUAGE.items()}
        assert report.cohort_names == ["Cohort 2023", "Cohort 2024"]
        assert race.rows[-1][-2].text == "160"
        # Counting every category each person chose gives the published race table exactly.
        graduates = select(Demographics).join(User, User.id == Demographics.user_id).where(
            User.email.like("graduate%"))
        chosen = Counter(category.name for answers in db.session.scalars(graduates) for category in answers.races)
        assert dict(chosen) == PUBLISHED_RACE


def test_the_demo_report_as_published_hides_the_small_counts(app):
    assert run(app, "demo-data").exit_code == 0
    with app.test_request_context():
        race = build(Filters(end=date(2025, 6, 30))).breakdowns[0]
    shown = {row[0].text: row[-2].text for row in race.rows}
    assert shown["Pacific Islander"] == shown["Mixed Heritage"] == shown["Native American/Alaskan"] == "<5"
    assert shown["Hispanic or Latino"] == "67" and shown["Two or more"] == "17"
