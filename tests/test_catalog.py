"""The catalog: anyone can browse, search, filter by language and format, and see the seats left."""

import pytest

from lms.courses.models import CourseFormat


@pytest.fixture
def courses(make_course):
    return {
        "foundations": make_course(title="Foundations of Infant Mental Health", capacity=3,
                                   translations={"es": "Fundamentos de la salud mental", "am": "የአእምሮ ጤና መሠረቶች"}),
        "bias": make_course(title="Implicit Bias", course_format=CourseFormat.LIVE_VIRTUAL),
        "self_care": make_course(title="Self-care", course_format=CourseFormat.IN_PERSON,
                                 translations={"es": "Autocuidado"}),
    }


def titles(client, **query):
    html = client.get("/courses", query_string=query).get_data(as_text=True)
    return [name for name in ("Foundations of Infant Mental Health", "Fundamentos de la salud mental",
                              "Implicit Bias", "Self-care", "Autocuidado") if name in html]


def test_anyone_can_browse_the_catalog(client, courses):
    assert titles(client) == ["Foundations of Infant Mental Health", "Implicit Bias", "Self-care"]


def test_the_catalog_shows_titles_in_the_readers_language_where_translated(client, courses):
    spanish = client.get("/courses", headers={"Accept-Language": "es"})
    html = spanish.get_data(as_text=True)
    assert "Fundamentos de la salud mental" in html and "Autocuidado" in html
    assert "Implicit Bias" in html, "a course without Spanish shows its own title"


@pytest.mark.parametrize(("query", "expected"), [
    ({"language": "es"}, ["Foundations of Infant Mental Health", "Self-care"]),
    ({"language": "am"}, ["Foundations of Infant Mental Health"]),
    ({"language": "ko"}, []),
    ({"format": "live_virtual"}, ["Implicit Bias"]),
    ({"format": "in_person", "language": "es"}, ["Self-care"]),
    ({"q": "bias"}, ["Implicit Bias"]),
    ({"q": "FUNDAMENTOS"}, ["Foundations of Infant Mental Health"]),
    ({"q": "መሠረቶች"}, ["Foundations of Infant Mental Health"]),
    ({"q": "100%_"}, []),
    ({"format": "nonsense", "language": "xx"}, ["Foundations of Infant Mental Health", "Implicit Bias", "Self-care"]),
])
def test_search_and_filters(client, courses, query, expected):
    assert titles(client, **query) == expected


def test_the_catalog_shows_the_seats_left_and_a_full_course(app, client, courses, make_user, login, enroll_form):
    for _ in range(2):
        other = app.test_client()
        login(other, make_user())
        enroll_form(other, courses["foundations"])
    assert "1 seat left" in client.get("/courses").get_data(as_text=True)
    last = app.test_client()
    login(last, make_user())
    enroll_form(last, courses["foundations"])
    assert "full: join the waitlist" in client.get("/courses").get_data(as_text=True)


def test_a_cohort_with_enrollment_closed_says_so(client, make_course):
    make_course(title="Closed course", enrollment_open=False)
    assert "enrollment closed" in client.get("/courses").get_data(as_text=True)


HOSTILE = '<script>alert(1)</script> "><img src=x onerror=alert(2)> {{7*7}}'


def test_a_course_title_holding_markup_or_a_template_reads_as_text_on_every_page(client, make_course, admin_client):
    made = make_course(title=HOSTILE)
    for page in (client.get("/courses").text, client.get(f"/courses/{made.course_id}").text,
                 admin_client.get(f"/admin/courses/{made.course_id}").text):
        assert "<script>alert(1)" not in page and "<img src=x" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt; &#34;&gt;&lt;img src=x onerror=alert(2)&gt; {{7*7}}" in page
