"""GET /healthz tells a load balancer whether the database answers."""

from tests.conftest import make_host_app


def test_healthz_answers_200_with_json_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}


def test_healthz_answers_503_with_a_retry_time_when_the_database_does_not(tmp_path):
    unreachable = f"sqlite:///{tmp_path}/no/such/folder/lms.sqlite3"
    app = make_host_app(tmp_path, create_tables=False, SQLALCHEMY_DATABASE_URI=unreachable)
    response = app.test_client().get("/healthz")
    assert response.status_code == 503 and response.headers["Retry-After"] == "30"
    assert response.json["status"] == "unavailable"


def test_healthz_answers_503_when_postgresql_is_down(tmp_path):
    closed_port = "postgresql+psycopg://lms@127.0.0.1:1/lms?connect_timeout=2"
    app = make_host_app(tmp_path, create_tables=False, SQLALCHEMY_DATABASE_URI=closed_port)
    assert app.test_client().get("/healthz").status_code == 503
