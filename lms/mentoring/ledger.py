"""A trainee's reflective supervision/consultation hours: individual and group, by mentor and date."""

import csv
import io
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from lms.accounts.models import User
from lms.core.spreadsheet import safe_cell
from lms.extensions import db
from lms.mentoring.models import ReflectiveSession, SessionFormat, SessionStatus, session_attendee


@dataclass(frozen=True)
class LedgerEntry:
    held_on: date
    mentor: User
    group: bool
    format: SessionFormat
    minutes: int

    @property
    def hours(self) -> Decimal:
        return (Decimal(self.minutes) / 60).quantize(Decimal("0.01"))


@dataclass(frozen=True)
class Ledger:
    entries: list[LedgerEntry]

    def _hours(self, group: bool | None) -> Decimal:
        """The sum of the rows' hours as printed, so a ledger always adds up on paper."""
        return sum((e.hours for e in self.entries if group is None or e.group is group), Decimal("0.00"))

    @property
    def individual_hours(self) -> Decimal:
        return self._hours(False)

    @property
    def group_hours(self) -> Decimal:
        return self._hours(True)

    @property
    def total_hours(self) -> Decimal:
        return self._hours(None)

    def by_mentor(self) -> list[tuple[User, Decimal, Decimal]]:
        """(mentor, individual hours, group hours) per mentor, by name."""
        mentors = {e.mentor.id: e.mentor for e in self.entries}
        return [(m, Ledger([e for e in self.entries if e.mentor.id == m.id]).individual_hours,
                 Ledger([e for e in self.entries if e.mentor.id == m.id]).group_hours)
                for m in sorted(mentors.values(), key=lambda u: u.full_name.lower())]


def ledger_for(trainee: User) -> Ledger:
    """Every logged session the trainee attended, oldest first, in one query."""
    sessions = db.session.scalars(
        select(ReflectiveSession).join(session_attendee, session_attendee.c.session_id == ReflectiveSession.id)
        .options(joinedload(ReflectiveSession.mentor))
        .where(session_attendee.c.trainee_id == trainee.id, ReflectiveSession.status == SessionStatus.LOGGED)
        .order_by(ReflectiveSession.held_on, ReflectiveSession.id)).all()
    return Ledger([LedgerEntry(s.held_on, s.mentor, s.is_group, s.format, s.duration_minutes) for s in sessions])


def ledger_csv(ledger: Ledger) -> str:
    """The ledger as CSV, one row a session, then the totals; formula-like cells neutralised."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["date", "rsc_provider", "type", "format", "hours"])
    for entry in ledger.entries:
        writer.writerow([safe_cell(v) for v in (
            entry.held_on.isoformat(), entry.mentor.full_name, "group" if entry.group else "individual",
            entry.format.value, entry.hours)])
    for label, value in (("individual", ledger.individual_hours), ("group", ledger.group_hours),
                         ("total", ledger.total_hours)):
        writer.writerow(["", "", label, "", value])
    return out.getvalue()
