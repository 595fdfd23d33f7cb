"""`flask lms backup` and `restore` round-trip the whole database, on SQLite and on PostgreSQL.

A restore takes only a backup of this program, at a schema this code knows, and changes nothing
when it refuses one; backups and the folder made for them are their owner's alone.
"""

import os
import sqlite3
import stat
import subprocess
import uuid
from contextlib import closing
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from flask_migrate import Migrate
from sqlalchemy import create_engine, func, inspect, select, text
from sqlalchemy.engine import make_url

from lms.accounts.models import User
from lms.audit.models import AuditEvent
from lms.core import backup
from lms.courses.models import Course
from lms.extensions import db
from tests.conftest import make_host_app, release
from tests.test_cli import run
from wsgi import MIGRATIONS

HEAD = ScriptDirectory(MIGRATIONS).get_current_head()


@pytest.fixture
def app(tmp_path):
    """The host app as deployed: Flask-Migrate set up, the database at the newest revision."""
    app = make_host_app(tmp_path)
    Migrate(app, db, directory=MIGRATIONS)
    set_revision(app, HEAD)
    yield app
    with app.app_context(), db.engine.begin() as connection:  # the tables the per-process database keeps
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        connection.execute(text("DROP TABLE IF EXISTS invoices"))
    release(app)


@pytest.fixture
def permissive_umask():
    """The common umask 022, under which a file made carelessly is readable by everyone."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def set_revision(app, revision: str | None) -> None:
    """Put the database at `revision` as `flask db upgrade` would leave it; None: as create_all leaves it."""
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        if revision is not None:
            connection.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) PRIMARY KEY)"))
            connection.execute(text("INSERT INTO alembic_version (version_num) VALUES (:r)"), {"r": revision})


def snapshot(app) -> dict:
    with app.app_context():
        return {
            "people": sorted(db.session.execute(select(User.email, User.full_name, User.native_name)).all()),
            "courses": sorted(db.session.scalars(select(Course.code))),
            "audit": db.session.scalar(select(func.count()).select_from(AuditEvent)),
            "tables": sorted(inspect(db.engine).get_table_names()),
            "schema": backup.schema_revision(),
        }


def written_file(result) -> Path:
    return Path(result.output.split(" to ")[1].split(" (")[0])


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def foreign_backup(app, tmp_path):
    """A backup of another application's database, holding one table `invoices`, made as `backup` makes one."""
    path = tmp_path / "accounting.backup"
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite":
        with closing(sqlite3.connect(path)) as other:
            other.executescript("CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount INTEGER);"
                                "INSERT INTO invoices VALUES (1, 100);")
        yield path
        return
    name = f"lms_accounting_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    server = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        other = create_engine(url.set(database=name))
        with other.begin() as connection:
            connection.execute(text("CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount INTEGER)"))
            connection.execute(text("INSERT INTO invoices VALUES (1, 100)"))
        other.dispose()
        env = dict(os.environ, **({"PGPASSWORD": str(url.password)} if url.password else {}))
        address = url.set(drivername="postgresql", database=name, password=None).render_as_string()
        subprocess.run([app.config["LMS_PG_DUMP"], "--format=custom", "--no-owner", "--no-privileges",
                        f"--file={path}", "--dbname", address], env=env, check=True, capture_output=True)
        yield path
    finally:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


def test_a_restore_brings_back_exactly_the_data_of_the_backup(app, make_user, make_course, tmp_path):
    make_user("admin", full_name="Ada Admin")
    make_user(full_name="Nguyễn Thị Lan", native_name="阮氏蘭")
    make_course()
    before = snapshot(app)
    made = run(app, "backup", "--output", str(tmp_path / "nightly" / "lms.backup"))
    assert made.exit_code == 0, made.output
    assert written_file(made) == tmp_path / "nightly" / "lms.backup" and written_file(made).stat().st_size > 0
    assert "Backing up" in made.output and f"(schema {HEAD})" in made.output

    make_user(full_name="Added After The Backup")
    with app.app_context():
        db.session.scalar(select(User).where(User.full_name == "Nguyễn Thị Lan")).full_name = "Changed"
        db.session.commit()
    assert snapshot(app) != before

    restored = run(app, "restore", str(tmp_path / "nightly" / "lms.backup"), "--yes")
    assert restored.exit_code == 0, restored.output
    assert snapshot(app) == before
    assert "Restored" in restored.output


def test_the_default_backup_goes_to_the_instance_folder_named_by_time(app, tmp_path):
    app.instance_path = str(tmp_path)
    made = run(app, "backup")
    assert made.exit_code == 0, made.output
    path = written_file(made)
    assert path.parent == Path(app.instance_path) / "backups" and path.name.startswith("lms-")
    assert path.suffix in (".sqlite3", ".dump")


def test_restore_asks_before_replacing_the_data(app, make_user, tmp_path):
    make_user(full_name="Kept")
    run(app, "backup", "--output", str(tmp_path / "b"))
    make_user(full_name="Also kept")
    refused = run(app, "restore", str(tmp_path / "b"), input="n\n")
    assert refused.exit_code == 1 and "This replaces all data in" in refused.output
    assert "Also kept" in [name for _, name, _ in snapshot(app)["people"]]


def test_a_file_that_is_not_a_backup_is_refused_before_asking_and_nothing_changes(app, make_user, tmp_path):
    make_user(full_name="Still here")
    before = snapshot(app)
    junk = tmp_path / "notes.txt"
    junk.write_text("not a database\n" * 100)
    refused = run(app, "restore", str(junk))
    assert refused.exit_code == 1 and "is not a" in refused.stderr and "Nothing was changed." in refused.stderr
    assert "This replaces all data" not in refused.output
    assert snapshot(app) == before


def test_a_dump_of_another_database_is_refused_and_nothing_changes(app, make_user, foreign_backup):
    make_user(full_name="Still here")
    before = snapshot(app)
    refused = run(app, "restore", str(foreign_backup), "--yes")
    assert refused.exit_code == 1, refused.output
    assert refused.stderr.strip() == (f"Error: {foreign_backup} is not a backup of this program "
                                      "(no alembic_version, lms_audit_event, lms_user table). Nothing was changed.")
    with app.app_context(), pytest.raises(backup.BackupError, match="is not a backup of this program"):
        backup.restore(foreign_backup)  # the function checks too, for callers other than the command
    assert snapshot(app) == before and "invoices" not in snapshot(app)["tables"]


def test_a_backup_that_also_holds_another_applications_tables_is_refused(app, make_user, tmp_path):
    make_user(full_name="Still here")
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(text("CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount INTEGER)"))
    assert run(app, "backup", "--output", str(tmp_path / "mixed.backup")).exit_code == 0
    with app.app_context(), db.engine.begin() as connection:
        connection.execute(text("DROP TABLE invoices"))
    before = snapshot(app)
    refused = run(app, "restore", str(tmp_path / "mixed.backup"), "--yes")
    assert refused.exit_code == 1, refused.output
    assert "holds tables that are not the program's (invoices). Nothing was changed." in refused.stderr
    assert snapshot(app) == before and "invoices" not in snapshot(app)["tables"]


@pytest.mark.parametrize(("revision", "refusal"), [
    (None, "is not a backup of this program (no alembic_version table)"),  # a copy made without the migrations
    ("9999_from_the_future", "is at schema revision 9999_from_the_future, which this version of the program does "
     "not know: restore it with the version that made it, or a newer one. Nothing was changed."),
], ids=["made without the migrations", "from a newer version of the program"])
def test_a_backup_at_no_schema_or_one_this_code_does_not_know_is_refused(app, make_user, tmp_path, revision,
                                                                        refusal):
    set_revision(app, revision)
    make_user(full_name="In the copy")
    assert run(app, "backup", "--output", str(tmp_path / "other.backup")).exit_code == 0
    set_revision(app, HEAD)
    make_user(full_name="Added after")
    before = snapshot(app)
    refused = run(app, "restore", str(tmp_path / "other.backup"), "--yes")
    assert refused.exit_code == 1, refused.output
    assert refusal in refused.stderr
    assert snapshot(app) == before and before["schema"] == HEAD


def test_a_backup_and_the_folder_made_for_it_are_readable_by_their_owner_only(app, tmp_path, permissive_umask):
    app.instance_path = str(tmp_path / "instance")
    made = run(app, "backup")
    assert made.exit_code == 0, made.output
    assert mode(written_file(made)) == 0o600
    assert mode(written_file(made).parent) == 0o700


def test_a_backup_is_never_readable_by_others_while_it_is_written(app, tmp_path, permissive_umask):
    folder = tmp_path / "nightly"
    seen = {}

    def look(done, total):
        seen.update({path.name: mode(path) for path in folder.iterdir()})

    with app.app_context():
        written = backup.backup(folder / "lms.backup", progress=look)
    assert ".lms.backup.partial" in seen and set(seen.values()) == {0o600}, seen
    assert mode(written) == 0o600


def test_an_existing_backup_folder_keeps_its_mode(app, tmp_path, permissive_umask):
    folder = tmp_path / "shared"
    folder.mkdir(mode=0o750)
    made = run(app, "backup", "--output", str(folder / "lms.backup"))
    assert made.exit_code == 0, made.output
    assert mode(folder) == 0o750 and mode(folder / "lms.backup") == 0o600


def test_a_failed_backup_leaves_no_file_behind(app, tmp_path):
    target = tmp_path / "out" / "lms.backup"
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path / 'missing' / 'nothing.sqlite3'}"
    else:
        app.config["LMS_PG_DUMP"] = "/bin/false"
    failed = run(app, "backup", "--output", str(target))
    assert failed.exit_code == 1 and "Error:" in failed.output
    assert not target.parent.exists() or not any(target.parent.iterdir())
