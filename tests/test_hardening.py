"""Settings and helpers whose strength a test must hold: hashing, ReportLab, spreadsheet cells, codes."""

import configparser
import re
from importlib.metadata import version
from pathlib import Path

import argon2
import pytest
from packaging.version import Version

from lms.core.spreadsheet import cell_text, safe_cell
from lms.credentials.models import Certificate, new_code
from lms.extension import DEFAULTS
from wsgi import create_app

ROOT = Path(__file__).resolve().parent.parent


def test_passwords_are_hashed_with_argon2id_at_least_as_strongly_as_argon2_cffi_chooses():
    defaults = argon2.PasswordHasher()
    assert DEFAULTS["LMS_ARGON2_TIME_COST"] >= defaults.time_cost
    assert DEFAULTS["LMS_ARGON2_MEMORY_COST"] >= defaults.memory_cost
    assert DEFAULTS["LMS_ARGON2_PARALLELISM"] >= defaults.parallelism
    app = create_app("production", SECRET_KEY="s" * 40, SQLALCHEMY_DATABASE_URI="postgresql://lms@localhost/lms",
                     LMS_RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/0", LMS_ENCRYPTION_KEYS=["k" * 43 + "="],
                     LMS_PUBLIC_URL="https://learn.example.org", LMS_CREDENTIAL_SIGNING_KEY="A" * 43)
    hasher = app.extensions["lms"].password_hasher
    assert hasher.hash("a passphrase").startswith("$argon2id$")
    assert (hasher.time_cost, hasher.memory_cost) == (defaults.time_cost, defaults.memory_cost)


def test_reportlab_is_a_version_without_the_known_code_execution_flaw():
    """CVE-2023-33733 (code run from paragraph markup) was fixed in 3.6.13; the package asks for 4.0 or later."""
    assert Version(version("reportlab")) >= Version("3.6.13")
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    assert "reportlab>=4.0" in config["options"]["install_requires"].split()


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_a_cell_a_spreadsheet_would_run_is_written_as_text_and_read_back_as_it_was(start):
    value = f"{start}HYPERLINK(\"https://evil.example\")"
    assert safe_cell(value) == "'" + value
    assert cell_text(safe_cell(value)) == value


def test_ordinary_cells_are_left_alone():
    assert [safe_cell(v) for v in ("Nguyễn Thị Lan", "O'Brien", 12, None)] == ["Nguyễn Thị Lan", "O'Brien", "12", ""]
    assert cell_text("'quoted by its writer") == "'quoted by its writer"


def test_verification_codes_carry_192_random_bits_and_the_database_keeps_them_unique():
    codes = [new_code() for _ in range(2_000)]
    assert len(set(codes)) == len(codes)
    assert all(len(code) == 32 and re.fullmatch(r"[A-Za-z0-9_-]+", code) for code in codes)  # 32 × 6 bits
    column = Certificate.__table__.c.code
    assert column.unique and column.default.arg.__name__ == "new_code"
