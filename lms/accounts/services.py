"""What can happen to an account. Services flush; the caller commits."""

from sqlalchemy import exc, func, or_, select

from lms import signals
from lms.accounts import twofactor
from lms.accounts.models import Role, User, UserRole
from lms.accounts.passwords import hash_password, verify_password
from lms.accounts.sessions import end_all_sessions
from lms.audit.models import Action
from lms.audit.services import record
from lms.extensions import db
from lms.i18n import lazy_gettext as _l
from lms.sqltypes import utcnow


class AccountError(ValueError):
    """A business rule refused the change; `field` names the form field it concerns."""

    def __init__(self, message, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


#: Stored instead of a hash for accounts made for someone else: no password can match it,
#: so the person sets their own through the password reset.
UNUSABLE_PASSWORD = "!unusable"


def create_user(
    *, email: str, full_name: str, password: str | None, native_name: str | None = None,
    locale: str = "en", roles: tuple[Role, ...] = (Role.TRAINEE,),
) -> User:
    """Create an account; refuse an email that is taken in any letter case."""
    email = normalise_email(email)
    if find_by_email(email) is not None:
        raise _email_taken()
    user = User(
        email=email, full_name=full_name.strip(), native_name=(native_name or "").strip() or None,
        locale=locale, password_hash=hash_password(password) if password else UNUSABLE_PASSWORD,
        roles=[UserRole(role=role) for role in roles],
    )
    try:
        with db.session.begin_nested():
            db.session.add(user)
    except exc.IntegrityError:
        raise _email_taken() from None
    signals.user_registered.send(user)
    return user


def _email_taken() -> AccountError:
    return AccountError(_l("An account with this email already exists."), field="email")


def authenticate(email: str, password: str) -> User | None:
    """Return the user these credentials belong to, or None; rehash an outdated hash."""
    user = find_by_email(email)
    # An account with no password yet (made by an import) is checked against the stand-in hash, as an unknown
    # email is: the same work, so the time taken does not tell which accounts exist.
    usable = user is not None and user.password_hash != UNUSABLE_PASSWORD
    matches, needs_rehash = verify_password(user.password_hash if usable else None, password)
    if not matches:
        return None
    if needs_rehash:
        user.password_hash = hash_password(password)
        db.session.flush()
    return user


def update_profile(user: User, *, full_name: str, native_name: str | None, locale: str) -> None:
    user.full_name = full_name.strip()
    user.native_name = (native_name or "").strip() or None
    user.locale = locale
    db.session.flush()


def mark_email_verified(user: User) -> None:
    user.email_verified_at = user.email_verified_at or utcnow()
    db.session.flush()


def is_unproven_registration(user: User) -> bool:
    """Someone chose a password for this address but never proved they receive its mail.

    Whoever registered first may not own the address, so nothing granted to the address by someone
    else (a role, an imported enrollment) may go to this account until it is verified.
    """
    return user.email_verified_at is None and user.password_hash != UNUSABLE_PASSWORD


#: Roles that reach other people's records: only an address its owner has proved may receive them
#: (SECURITY.md 34). Trainee is what anyone gets by registering, so it needs no proof.
ROLES_NEEDING_A_PROVEN_ADDRESS = frozenset({Role.MENTOR, Role.ADMIN})


def refuse_unproven_address(user: User, role: Role) -> None:
    """Whoever registered an address first may not own it: grant nothing that reaches others until it is proved."""
    needs_proof = role in ROLES_NEEDING_A_PROVEN_ADDRESS and not user.has_role(role)  # "already has it" says more
    if needs_proof and is_unproven_registration(user):
        raise AccountError(_l("This person has not verified their email address yet. "
                              "Ask them to verify it from their account page; then grant the role."), field="role")


def reclaim(user: User, password: str, *, by: User | None) -> None:
    """Take an account back from whoever holds it: new password, no sessions, no second factor, address proven."""
    had_two_factor = user.totp_secret_ciphertext is not None
    set_password(user, password)
    if had_two_factor:
        twofactor.disable(user)
    was_verified = user.email_verified_at is not None
    mark_email_verified(user)
    record(Action.ACCOUNT_RECLAIMED, actor=by, target=user,
           two_factor_removed=had_two_factor, was_verified=was_verified)


def set_locale(user: User, locale: str) -> None:
    user.locale = locale
    db.session.flush()


def change_password(user: User, *, current: str, new: str) -> None:
    matches, _ = verify_password(user.password_hash, current)
    if not matches:
        raise AccountError(_l("Your current password is not correct."), field="current_password")
    set_password(user, new)


def set_password(user: User, password: str) -> None:
    """Store a new password and end every session that used the old one."""
    user.password_hash = hash_password(password)
    end_all_sessions(user)


def grant_role(user: User, role: Role, *, by: User | None) -> None:
    if user.has_role(role):
        raise AccountError(_l("This person already has that role."), field="role")
    user.roles.append(UserRole(role=role, granted_by_id=by.id if by else None))
    db.session.flush()
    record(Action.ROLE_GRANTED, actor=by, target=user, role=role.value)
    signals.role_changed.send(user, role=role, granted=True, by=by)


def revoke_role(user: User, role: Role, *, by: User) -> None:
    if not user.has_role(role):
        raise AccountError(_l("This person does not have that role."))
    if role is Role.ADMIN and user.id == by.id:
        raise AccountError(_l("You cannot remove your own administrator role."))
    if role is Role.ADMIN:
        _refuse_if_last_admin(user)
    user.roles = [r for r in user.roles if r.role is not role]
    db.session.flush()
    record(Action.ROLE_REVOKED, actor=by, target=user, role=role.value)
    signals.role_changed.send(user, role=role, granted=False, by=by)


def deactivate(user: User, *, by: User) -> None:
    if user.id == by.id:
        raise AccountError(_l("You cannot deactivate your own account."))
    if not user.is_active:
        raise AccountError(_l("This account is already deactivated."))
    if user.has_role(Role.ADMIN):
        _refuse_if_last_admin(user)
    user.is_active = False
    end_all_sessions(user)
    record(Action.USER_DEACTIVATED, actor=by, target=user)
    signals.user_status_changed.send(user, active=False, by=by)


def reactivate(user: User, *, by: User) -> None:
    if user.erased_at is not None:
        raise AccountError(_l("This person's personal data was erased, so the account cannot be reactivated."))
    if user.is_active:
        raise AccountError(_l("This account is already active."))
    user.is_active = True
    db.session.flush()
    record(Action.USER_REACTIVATED, actor=by, target=user)
    signals.user_status_changed.send(user, active=True, by=by)


def _refuse_if_last_admin(user: User) -> None:
    others = db.session.scalar(
        select(func.count()).select_from(UserRole).join(User, User.id == UserRole.user_id)
        .where(UserRole.role == Role.ADMIN, User.is_active, User.id != user.id)
    )
    if not others:
        raise AccountError(_l("The program needs at least one active administrator."))


def search_users(query: str = "", role: Role | None = None, active: bool | None = None):
    """A select of users matching a name or email fragment, a role and a status, by name."""
    stmt = select(User).order_by(func.lower(User.full_name), User.id)
    query = query.strip()
    if query:
        escaped = query.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        stmt = stmt.where(or_(
            func.lower(User.full_name).like(pattern, escape="\\"),
            func.lower(User.native_name).like(pattern, escape="\\"),
            User.email.like(pattern, escape="\\"),
        ))
    if role is not None:
        stmt = stmt.where(User.roles.any(UserRole.role == role))
    if active is not None:
        stmt = stmt.where(User.is_active.is_(active))
    return stmt
