"""SQL goes through the ORM or bound parameters: no statement is built by pasting values into its text."""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "lms"
#: Calls that hand their first argument to the database as SQL text.
SQL_CALLS = {"text", "exec_driver_sql", "execute", "executescript"}
#: Statements pasted together on purpose, and why that is safe: (file, the pasted text as written).
ALLOWED = {
    # The version table's name comes from the app's own Flask-Migrate settings, never from a request.
    ("core/backup.py", "f'SELECT version_num FROM {version_table}'"),
    ("core/backup.py", "f'SELECT version_num FROM \"{version_table}\"'"),
    # An int() of the app's configuration: SQLite's PRAGMA takes no bound parameters.
    ("extension.py", "f'PRAGMA busy_timeout = {busy_timeout_ms}'"),
}


def pasted_statements(package: Path = PACKAGE) -> set[tuple[str, str]]:
    """(file, text) of each SQL call whose statement is an f-string, a % or + of strings, or a .format()."""
    found = set()
    for path in package.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and node.args):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            sql = node.args[0]
            built = isinstance(sql, (ast.JoinedStr, ast.BinOp)) or (
                isinstance(sql, ast.Call) and getattr(sql.func, "attr", "") == "format")
            if name in SQL_CALLS and built:
                found.add((path.relative_to(package).as_posix(), ast.unparse(sql)))
    return found


def test_no_statement_pastes_a_value_into_its_sql():
    assert pasted_statements() - ALLOWED == set()


def test_the_check_finds_a_pasted_statement(tmp_path):
    (tmp_path / "views.py").write_text("db.session.execute(text(f'SELECT id FROM lms_user WHERE email = {email}'))\n")
    assert pasted_statements(tmp_path) == {("views.py", "f'SELECT id FROM lms_user WHERE email = {email}'")}
