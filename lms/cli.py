"""The `flask lms ...` command group."""

import os
import sys
from pathlib import Path

import click
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from flask.cli import AppGroup

from lms.accounts import services
from lms.accounts.models import Role
from lms.accounts.passwords import PASSWORD_MAX, PASSWORD_MIN, is_weak
from lms.audit.models import Action
from lms.audit.services import record
from lms.extensions import db

lms_cli = AppGroup("lms", help="Run the certificate program.")


@lms_cli.command("create-admin")
@click.argument("email")
@click.option("--name", help="Full name; defaults to the part of the email before the @.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--reset-password", is_flag=True,
              help="Take an existing account over: set a new password, end its sessions, remove its second factor.")
def create_admin(email, name, password_stdin, reset_password):
    """Create an administrator, or make an existing account one."""
    try:
        email = validate_email(email, check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise click.BadParameter(str(error), param_hint="EMAIL") from None
    user = services.find_by_email(email)
    if user is not None and reset_password:
        services.reclaim(user, _read_password(password_stdin), by=None)
        if not user.has_role(Role.ADMIN):
            services.grant_role(user, Role.ADMIN, by=None)
        db.session.commit()
        click.echo(f"Took over {user.email}: new password, every session ended, second factor removed, "
                   "address marked verified. It is an administrator.")
        return
    if user is not None:
        if user.has_role(Role.ADMIN):
            click.echo(f"{user.email} is already an administrator.")
            return
        if user.email_verified_at is None:
            # Whoever registered the address first may not own it: they would get the role (SECURITY.md 34).
            raise click.ClickException(
                f"The address {user.email} has not been verified, so this account may belong to someone else "
                "who registered it first. Nothing was changed.\n"
                "Either ask the person to verify it (on their account page they can ask for a verification "
                "email; choosing a password through \"Forgot your password\" verifies it too), then run this "
                "again;\n"
                "or run this again with --reset-password to take the account over: you choose a new password, "
                "every session of the account ends, its second factor is removed and it becomes an "
                "administrator.")
        services.grant_role(user, Role.ADMIN, by=None)
        db.session.commit()
        click.echo(f"{user.email} is now an administrator.")
        return
    password = _read_password(password_stdin)
    user = services.create_user(email=email, full_name=name or email.split("@")[0],
                                password=password, roles=(Role.ADMIN,))
    record(Action.ADMIN_CREATED, actor=None, target=user)
    db.session.commit()
    click.echo(f"Created administrator {user.email}.")


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
        raise click.ClickException(f"The password must have {PASSWORD_MIN} to {PASSWORD_MAX} characters.")
    if is_weak(password):
        raise click.ClickException("This password is too easy to guess. Try a few words you will remember.")
    return password


@lms_cli.command("demo-data")
def demo_data():
    """Load a demo program with people in many languages; safe to run twice."""
    if not current_app.config["LMS_ALLOW_DEMO_DATA"]:
        raise click.ClickException("Demo data is turned off for this configuration (LMS_ALLOW_DEMO_DATA).")
    from lms.demo import DEMO_PASSWORD, build_demo

    logins = build_demo()
    db.session.commit()
    created = sum(login.created for login in logins)
    click.echo(f"Demo data ready: {created} people created, {len(logins) - created} already there.")
    click.echo("The program has 2 cohorts and 3 courses in English, Spanish and Amharic.")
    click.echo(f"Every demo account uses the password: {DEMO_PASSWORD}")
    click.echo("Administrators use a second factor. For the demo administrator, get a code with:")
    click.echo("  .venv/bin/flask --app wsgi lms demo-code jordan.ellis@example.org")
    for role in (Role.ADMIN, Role.MENTOR, Role.TRAINEE):
        holders = [login for login in logins if role in login.roles]
        shown = holders if role is not Role.TRAINEE else holders[:3]
        click.echo(f"  {role.value.title()}s ({len(holders)}):")
        for login in shown:
            click.echo(f"    {login.email:<36} {login.name}")
        if len(shown) < len(holders):
            click.echo(f"    ... and {len(holders) - len(shown)} more, listed under Admin > People.")


@lms_cli.command("demo-code")
@click.argument("email")
def demo_code(email):
    """Print a two-factor code for a demo account (demo configurations only)."""
    from lms.accounts.twofactor import current_code
    from lms.demo.people import DEMO_DOMAIN

    user = services.find_by_email(email)
    if not current_app.config["LMS_ALLOW_DEMO_DATA"] or user is None or not user.email.endswith("@" + DEMO_DOMAIN):
        raise click.ClickException("Codes are only printed for demo accounts, where demo data is allowed.")
    if not user.two_factor_enabled:
        raise click.ClickException(f"{user.email} does not use two-factor authentication.")
    click.echo(current_code(user))


@lms_cli.command("generate-key")
def generate_key():
    """Print a new encryption key for LMS_ENCRYPTION_KEYS."""
    from lms.core.crypto import generate_key as new_key

    click.echo(new_key())


@lms_cli.command("rotate-keys")
def rotate_keys():
    """Re-encrypt private notes with the first key of LMS_ENCRYPTION_KEYS, so older keys can be removed."""
    from lms.mentoring.logs import rotate_encryption

    count = rotate_encryption()
    db.session.commit()
    click.echo(f"Re-encrypted {count} items with the newest key.")


@lms_cli.command("generate-signing-key")
def generate_signing_key():
    """Print a new Ed25519 seed for LMS_CREDENTIAL_SIGNING_KEY (signs Open Badges credentials)."""
    import base64
    import secrets

    click.echo(base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode())


@lms_cli.group("certificates")
def certificates_cli():
    """Issue certificates."""


@certificates_cli.command("issue")
@click.option("--cohort", "cohort_id", type=int, required=True, help="The cohort's id (see Admin > Certificates).")
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="Processes that render the PDFs; defaults to the number of CPUs.")
def issue_certificates(cohort_id, workers):
    """Issue a certificate to every eligible trainee of a cohort who holds none yet."""
    from lms.courses.models import Cohort
    from lms.credentials import services
    from lms.credentials.eligibility import cohort_eligibility

    cohort = db.session.get(Cohort, cohort_id)
    if cohort is None:
        raise click.ClickException(f"There is no cohort {cohort_id}.")
    checklists = cohort_eligibility(cohort)
    waiting = sum(1 for found in checklists if found.eligible and found.certificate is None)
    with click.progressbar(length=waiting, label=f"Issuing in {cohort.name}", file=sys.stderr,
                           show_pos=True) as bar:
        done = [0]

        def advance(n):
            bar.update(n - done[0])
            done[0] = n

        result = services.issue_eligible(cohort, by=None, progress=advance, checklists=checklists,
                                         workers=workers or min(os.cpu_count() or 1, max(1, waiting // 50)))
    db.session.commit()
    click.echo(f"Issued {len(result.issued)}; {result.already} already held one; "
               f"{result.not_eligible} not eligible yet.")
    for person, reason in result.refused:
        click.echo(f"Refused for {person.full_name}: {reason}", err=True)


@lms_cli.group("translations")
def translations_cli():
    """Hand a catalog to community reviewers and merge their review back."""


def _catalog_language(language: str) -> str:
    from lms.languages import catalogs

    if not catalogs.po_path(language).exists():
        raise click.BadParameter(f"there is no catalog for {language!r}", param_hint="LANGUAGE")
    return language


@translations_cli.command("export-review")
@click.argument("language", callback=lambda _ctx, _param, value: _catalog_language(value))
@click.argument("output", type=click.File("w", encoding="utf-8"), default="-")
def export_review(language, output):
    """Write LANGUAGE's catalog as a spreadsheet (CSV) for reviewers."""
    from lms.languages import review

    output.write(review.export_csv(language))


@translations_cli.command("import-review")
@click.argument("language", callback=lambda _ctx, _param, value: _catalog_language(value))
@click.argument("spreadsheet", type=click.File("r", encoding="utf-8-sig"))
def import_review(language, spreadsheet):
    """Merge a reviewed spreadsheet into LANGUAGE's .po file; nothing changes if a row is wrong."""
    from lms.languages import review

    merged = review.merge_csv(language, spreadsheet.read())
    for problem in merged.problems:
        click.echo(problem, err=True)
    if merged.problems:
        sys.exit(1)
    click.echo(f"{merged.changed} messages changed, {merged.reviewed} newly reviewed. "
               "Run `make translations` to compile, then commit the .po file.")


@lms_cli.command("backup")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path),
              help="The file to write; defaults to LMS_BACKUP_DIR/lms-<UTC time>.sqlite3 or .dump.")
def backup_command(output):
    """Copy the whole database to a file, safely while the app runs."""
    from datetime import UTC, datetime

    from lms.core import backup

    if output is None:
        folder = Path(current_app.instance_path) / current_app.config["LMS_BACKUP_DIR"]
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        output = folder / f"lms-{stamp}{backup.suffix(backup.database_url())}"
    with click.progressbar(length=100, label="Backing up", file=sys.stderr) as bar:
        try:
            written = backup.backup(output, progress=_advance(bar))
        except backup.BackupError as error:
            raise click.ClickException(str(error)) from None
    click.echo(f"Backed up the database (schema {backup.schema_revision()}) to {written} "
               f"({written.stat().st_size:,} bytes).")


@lms_cli.command("restore")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def restore_command(source, yes):
    """Replace every table of the database with a backup's. Stop the app's workers first."""
    from lms.core import backup

    where = backup.database_url().render_as_string(hide_password=True)
    try:
        backup.check(source)  # before asking; restore() checks again, and changes nothing if it refuses
    except backup.BackupError as error:
        raise click.ClickException(f"{error}. Nothing was changed.") from None
    if not yes:
        click.confirm(f"This replaces all data in {where} with {source}. Continue?", abort=True)
    with click.progressbar(length=100, label="Restoring", file=sys.stderr) as bar:
        try:
            backup.restore(source, progress=_advance(bar))
        except backup.BackupError as error:
            raise click.ClickException(f"{error}. Nothing was changed.") from None
    click.echo(f"Restored {source} into {where} (schema {backup.schema_revision()}). "
               "If the backup is older than this version, run `flask --app wsgi db upgrade` before starting the app.")


def _advance(bar):
    """Move a 0-100 progress bar to done/total."""
    def advance(done, total):
        bar.update(max(0, round(100 * done / max(total, 1)) - bar.pos))
    return advance
