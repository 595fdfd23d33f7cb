"""Self-registration creates a trainee; bad input is explained next to the field and saves nothing."""

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from lms.accounts.models import Role, User
from lms.extensions import db
from tests.conftest import PASSWORD


def registration(**overrides):
    data = {
        "full_name": "Selam Tesfaye", "native_name": "ሰላም ተስፋዬ", "email": "selam@example.org",
        "locale": "am", "password": PASSWORD, "confirm": PASSWORD,
    }
    data.update(overrides)
    return data


def count_users(app):
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(User))


def field_error(html, field_id):
    """The error paragraph rendered next to a field, or None."""
    marker = f'id="{field_id}-error"'
    if marker not in html:
        return None
    start = html.index(marker)
    return html[start:html.index("</p>", start)]


def test_registering_creates_a_logged_in_trainee(app, client):
    response = client.post_form("/register", registration())
    assert response.status_code == 302
    with app.app_context():
        user = db.session.scalar(select(User))
        assert user.email == "selam@example.org"
        assert user.native_name == "ሰላም ተስፋዬ"
        assert user.locale == "am"
        assert user.role_names == {Role.TRAINEE}
        assert user.password_hash.startswith("$argon2id$")
    assert "Selam Tesfaye" in client.get("/").get_data(as_text=True)


def test_registration_ignores_fields_the_form_does_not_declare(app, client):
    client.post_form("/register", registration(role="admin", roles="admin", is_active="0"))
    with app.app_context():
        user = db.session.scalar(select(User))
        assert user.role_names == {Role.TRAINEE}
        assert user.is_active


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"full_name": ""}, "full_name", "Enter your full name."),
        ({"full_name": "   "}, "full_name", "Enter your full name."),
        ({"full_name": "x" * 10_000}, "full_name", "Use 200 characters or fewer."),
        ({"native_name": "名" * 201}, "native_name", "Use 200 characters or fewer."),
        ({"email": ""}, "email", "Enter your email address."),
        ({"email": "not an email"}, "email", "Enter an email address like name@example.org."),
        ({"email": "selam@"}, "email", "Enter an email address like name@example.org."),
        ({"password": "", "confirm": ""}, "password", "Enter a password."),
        ({"password": "short", "confirm": "short"}, "password", "Use between 8 and 256 characters."),
        ({"confirm": "something else"}, "confirm", "The two passwords do not match."),
        ({"locale": "xx"}, "locale", "Not a valid choice."),
    ],
)
def test_bad_input_is_explained_next_to_the_field_and_saves_nothing(app, client, overrides, field, message):
    data = registration(**overrides)
    response = client.post_form("/register", data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert message in (field_error(html, field) or "")
    assert 'aria-invalid="true"' in html
    assert "There is a problem" in html
    if field not in ("email", "password", "confirm") and data["email"]:
        assert 'value="selam@example.org"' in html, "what was typed is kept"
    assert count_users(app) == 0


def test_a_ten_thousand_character_name_is_kept_in_the_field(client):
    html = client.post_form("/register", registration(full_name="Ab" * 5_000)).get_data(as_text=True)
    assert f'value="{"Ab" * 5_000}"' in html


@pytest.mark.parametrize("field", ["full_name", "native_name"])
@pytest.mark.parametrize("name", ["Selam\n2026-12-08 INFO lms.security forged", "Selam\rTesfaye", "Selam\u2028Tesfaye",
                                  "Selam\x1b[31mTesfaye"])
def test_a_name_on_more_than_one_line_or_with_control_characters_is_refused(app, client, field, name):
    html = client.post_form("/register", registration(**{field: name})).get_data(as_text=True)
    assert "Write the name on one line" in field_error(html, field)
    assert count_users(app) == 0


def test_the_model_refuses_a_name_with_a_line_break_whatever_wrote_it(app):
    with app.app_context(), pytest.raises(ValueError, match="line break"):
        User(email="selam@example.org", full_name="Selam\nTesfaye", password_hash="x")


def test_names_joined_in_their_own_scripts_are_kept(app, client):
    """Zero-width joiners and right-to-left marks are part of names in Persian, Arabic and Indic scripts."""
    client.post_form("/register", registration(native_name="\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645"))
    assert count_users(app) == 1


def test_an_email_taken_in_another_letter_case_is_refused_next_to_the_field(app, client, make_user):
    make_user(email="selam@example.org")
    response = client.post_form("/register", registration(email="  Selam@Example.ORG "))
    html = response.get_data(as_text=True)
    assert "An account with this email already exists." in field_error(html, "email")
    assert 'value="Selam Tesfaye"' in html
    assert count_users(app) == 1


def test_email_is_stored_lower_case(app, client):
    client.post_form("/register", registration(email="Selam.Tesfaye@Example.org"))
    with app.app_context():
        assert db.session.scalar(select(User.email)) == "selam.tesfaye@example.org"


def test_the_database_refuses_a_mixed_case_or_duplicate_email(app, ctx, make_user):
    make_user(email="a@example.org")
    for email in ("A@example.org", "a@example.org"):
        db.session.add(User(email=email, full_name="X", password_hash="x"))
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()


def test_registration_can_be_turned_off(tmp_path):
    from tests.conftest import drop_tables, make_host_app

    app = make_host_app(tmp_path, LMS_ALLOW_REGISTRATION=False)
    try:
        client = app.test_client()
        assert client.get("/register").status_code == 404
        assert "Create an account" not in client.get("/login").get_data(as_text=True)
    finally:
        drop_tables(app)


def test_concurrent_registrations_with_one_email_create_one_account(app):
    from concurrent.futures import ThreadPoolExecutor

    clients = [app.test_client() for _ in range(10)]
    tokens = [c.csrf_token() for c in clients]

    def register(n):
        return clients[n].post("/register", data=registration(
            email="Same@Example.org" if n % 2 else "same@example.org", csrf_token=tokens[n]))

    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = sorted(r.status_code for r in pool.map(register, range(10)))
    assert statuses == [200] * 9 + [302]
    assert count_users(app) == 1


def test_when_the_early_check_misses_a_race_the_unique_constraint_still_refuses(app, ctx, monkeypatch):
    from lms.accounts import services

    services.create_user(email="lan@example.org", full_name="Lan", password=PASSWORD)
    monkeypatch.setattr(services, "find_by_email", lambda email: None)  # as if both checked at once
    with pytest.raises(services.AccountError, match="already exists") as refused:
        services.create_user(email="LAN@example.org", full_name="Lan again", password=PASSWORD)
    assert refused.value.field == "email"
    db.session.commit()
    assert count_users(app) == 1
