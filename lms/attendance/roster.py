"""Rosters and attendance rates, computed in SQL.

A session's roster is everyone who held a seat in its course (or in any course of its cohort), or was
in its group, when it started. Rates count sessions that have ended and were not cancelled; an
admin-set rule (Program.excused_absences) says whether an excused absence counts as attended, is
left out, or counts as absent.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, func, or_, select, union_all

from lms.accounts.models import User
from lms.attendance.models import AttendanceRecord, LearningSession, SessionKind, Status
from lms.enrollment.models import EnrollmentPeriod
from lms.extensions import db
from lms.mentoring.models import GroupMember

S, P, G, R = LearningSession, EnrollmentPeriod, GroupMember, AttendanceRecord


def _active_at(start_col, end_col, moment):
    return and_(start_col <= moment, or_(end_col.is_(None), end_col > moment))


def roster_pairs(*conditions, user_id: int | None = None):
    """A subquery of (session_id, user_id): who is on the roster of the sessions matching `conditions`."""
    period_user = [P.user_id == user_id] if user_id is not None else []
    member = [G.trainee_id == user_id] if user_id is not None else []
    course = (select(S.id.label("session_id"), P.user_id.label("user_id"))
              .join(P, and_(P.course_id == S.course_id, P.cohort_id == S.cohort_id,
                            _active_at(P.started_at, P.ended_at, S.starts_at)))
              .where(S.kind == SessionKind.COURSE, *conditions, *period_user))
    cohort = (select(S.id.label("session_id"), P.user_id.label("user_id"))
              .join(P, and_(P.cohort_id == S.cohort_id, _active_at(P.started_at, P.ended_at, S.starts_at)))
              .where(S.kind == SessionKind.COHORT, *conditions, *period_user).distinct())
    group = (select(S.id.label("session_id"), G.trainee_id.label("user_id"))
             .join(G, and_(G.group_id == S.group_id, _active_at(G.joined_at, G.left_at, S.starts_at)))
             .where(S.kind == SessionKind.GROUP, *conditions, *member))
    return union_all(course, cohort, group).subquery("roster")


def roster_ids(session: LearningSession) -> set[int]:
    pairs = roster_pairs(S.id == session.id)
    return set(db.session.scalars(select(pairs.c.user_id)))


def roster(session: LearningSession) -> list[User]:
    pairs = roster_pairs(S.id == session.id)
    return db.session.scalars(select(User).where(User.id.in_(select(pairs.c.user_id)))
                              .order_by(func.lower(User.full_name), User.id)).all()


@dataclass(frozen=True)
class Rate:
    expected: int
    attended: int
    excused: int

    def __add__(self, other: "Rate") -> "Rate":
        return Rate(self.expected + other.expected, self.attended + other.attended, self.excused + other.excused)

    def percent(self, excused_rule: str) -> float | None:
        """The attendance rate under the program's rule for excused absences; None with nothing to count."""
        attended = self.attended + (self.excused if excused_rule == "attended" else 0)
        expected = self.expected - (self.excused if excused_rule == "excluded" else 0)
        return round(100 * attended / expected, 1) if expected > 0 else None


#: What each grouping keys its rates by; "all" has the single key 0.
GROUPINGS = {"trainee": ("user",), "course": ("course",), "group": ("group",), "cohort": ("cohort",),
             "trainee_cohort": ("user", "cohort"), "all": ()}


def rates_by(*conditions, by: tuple[str, ...], now: datetime, user_id: int | None = None) -> dict[str, dict]:
    """Rates of held sessions matching `conditions` under each grouping of `by` (see GROUPINGS).

    One query counts at the grain the groupings share (at most a row per person, course and group), and
    the groupings add those counts up, so a report by trainee, course, group and cohort costs one pass.
    """
    pairs = roster_pairs(S.ends_at < now, S.is_cancelled.is_(False), *conditions, user_id=user_id)
    columns = {"user": pairs.c.user_id, "course": S.course_id, "group": S.group_id, "cohort": S.cohort_id}
    grain = sorted({name for grouping in by for name in GROUPINGS[grouping]})
    keys = [columns[name] for name in grain]
    rows = db.session.execute(
        select(*keys, func.count(),
               func.sum(case((R.status.in_([Status.PRESENT, Status.LATE]), 1), else_=0)),
               func.sum(case((R.status == Status.EXCUSED, 1), else_=0)))
        .select_from(pairs).join(S, S.id == pairs.c.session_id)
        .outerjoin(R, and_(R.session_id == pairs.c.session_id, R.trainee_id == pairs.c.user_id))
        .group_by(*keys)).all()
    result: dict[str, dict] = {grouping: {} for grouping in by}
    for row in rows:
        values = dict(zip(grain, row))
        rate = Rate(int(row[-3]), int(row[-2] or 0), int(row[-1] or 0))
        for grouping, found in result.items():
            key = tuple(values[name] for name in GROUPINGS[grouping])
            key = key[0] if len(key) == 1 else (key or 0)
            found[key] = found[key] + rate if key in found else rate
    return result


def rates(*conditions, by: str, now: datetime, user_id: int | None = None) -> dict:
    """Rates of held sessions matching `conditions` under one grouping of GROUPINGS."""
    return rates_by(*conditions, by=(by,), now=now, user_id=user_id)[by]


def cohort_rates(cohort_id: int, *, by: str, now: datetime) -> dict:
    return rates(S.cohort_id == cohort_id, by=by, now=now)


def trainee_rates(user_id: int, *, now: datetime) -> dict[int, Rate]:
    """One person's rate in each cohort they were on a roster of, keyed by cohort id."""
    return rates(by="cohort", now=now, user_id=user_id)
