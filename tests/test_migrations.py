"""Migrations build the same schema as the models, on SQLite and PostgreSQL, both ways."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import Column, Integer, MetaData, inspect, text
from sqlalchemy.exc import DatabaseError

import lms.models  # noqa: F401
from lms.extensions import db
from tests.conftest import database_url
from wsgi import create_app


@pytest.fixture
def migrated_app(tmp_path):
    """The standalone app on an empty database, for running Alembic against."""
    app = create_app("testing", SQLALCHEMY_DATABASE_URI=database_url(tmp_path))
    with app.app_context():
        _empty(app)
        yield app
        db.session.remove()
        _empty(app)


def _empty(app):
    db.drop_all()
    with db.engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


def lms_tables():
    return {name for name in inspect(db.engine).get_table_names() if name.startswith("lms_")}


def drift(metadata):
    """What autogenerate would write to turn the database into `metadata`."""
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "render_as_batch": True})
        return compare_metadata(context, metadata)


def test_upgrade_downgrade_and_upgrade_again(migrated_app):
    upgrade()
    assert lms_tables() == set(db.metadata.tables)
    downgrade(revision="base")
    assert lms_tables() == set()
    upgrade()
    assert lms_tables() == set(db.metadata.tables)


def test_models_and_migrations_agree(migrated_app):
    upgrade()
    assert drift(db.metadata) == []
    result = migrated_app.test_cli_runner().invoke(args=["db", "check"])
    assert result.exit_code == 0, result.output


def test_the_drift_check_notices_a_model_change_without_a_migration(migrated_app):
    upgrade()
    changed = MetaData(naming_convention=db.metadata.naming_convention)
    for table in db.metadata.tables.values():
        table.to_metadata(changed)
    changed.tables["lms_user"].append_column(Column("nickname", Integer))
    differences = drift(changed)
    assert [(d[0], d[3].name) for d in differences if d[0] == "add_column"] == [("add_column", "nickname")]


def test_the_migrated_audit_log_is_append_only(migrated_app):
    upgrade()
    with db.engine.begin() as conn:
        conn.execute(text(
            "INSERT INTO lms_audit_event (created_at, action, details) "
            "VALUES (CURRENT_TIMESTAMP, 'admin_created', '{}')"))
    with pytest.raises(DatabaseError, match="append-only"):
        with db.engine.begin() as conn:
            conn.execute(text("UPDATE lms_audit_event SET action = 'role_granted'"))
