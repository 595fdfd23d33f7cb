"""`flask lms backup` and `restore` round-trip the whole database, on SQLite and on PostgreSQL."""

from pathlib import Path

from sqlalchemy import func, select

from lms.accounts.models import User
from lms.audit.models import AuditEvent
from lms.courses.models import Course
from lms.extensions import db
from tests.test_cli import run


def snapshot(app) -> dict:
    with app.app_context():
        return {
            "people": sorted(db.session.execute(select(User.email, User.full_name, User.native_name)).all()),
            "courses": sorted(db.session.scalars(select(Course.code))),
            "audit": db.session.scalar(select(func.count()).select_from(AuditEvent)),
        }


def written_file(result) -> Path:
    return Path(result.output.split(" to ")[1].split(" (")[0])


def test_a_restore_brings_back_exactly_the_data_of_the_backup(app, make_user, make_course, tmp_path):
    make_user("admin", full_name="Ada Admin")
    make_user(full_name="Nguyễn Thị Lan", native_name="阮氏蘭")
    make_course()
    before = snapshot(app)
    made = run(app, "backup", "--output", str(tmp_path / "nightly" / "lms.backup"))
    assert made.exit_code == 0, made.output
    assert written_file(made) == tmp_path / "nightly" / "lms.backup" and written_file(made).stat().st_size > 0
    assert "Backing up" in made.output

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


def test_a_file_that_is_not_a_backup_is_refused_and_nothing_changes(app, make_user, tmp_path):
    make_user(full_name="Still here")
    before = snapshot(app)
    junk = tmp_path / "notes.txt"
    junk.write_text("not a database\n" * 100)
    refused = run(app, "restore", str(junk), "--yes")
    assert refused.exit_code == 1 and "Nothing was changed." in refused.output
    assert snapshot(app) == before


def test_a_failed_backup_leaves_no_file_behind(app, tmp_path):
    target = tmp_path / "out" / "lms.backup"
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        app.config["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{tmp_path / 'missing' / 'nothing.sqlite3'}"
    else:
        app.config["LMS_PG_DUMP"] = "/bin/false"
    failed = run(app, "backup", "--output", str(target))
    assert failed.exit_code == 1 and "Error:" in failed.output
    assert not target.parent.exists() or not any(target.parent.iterdir())
