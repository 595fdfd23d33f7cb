"""The program report: the figures of lms/reports/data.py, with small counts hidden, ready to show.

Participants by race/ethnicity, language and role share their cohort totals, so those totals are
suppressed once and every table keeps them as they are. Rates and hours are shown only for groups
of at least k people; a percentage of a hidden count is hidden.
"""

from collections import Counter
from dataclasses import dataclass

from flask import current_app
from flask_babel import format_decimal, format_percent
from flask_babel import gettext as _

from lms.demographics.categories import LanguageGroup, category_label
from lms.demographics.models import FormalTraining, ProviderRole
from lms.reports import data
from lms.reports.suppression import COMPLEMENT, WITHHELD, Cell, Table, suppress


@dataclass(frozen=True)
class Shown:
    """A cell as printed: its text, and whether it hides the count."""

    text: str
    hidden: bool = False


@dataclass(frozen=True)
class Breakdown:
    """Participants by the answers to one question, per cohort and in all."""

    key: str
    title: str
    note: str
    header: list[str]
    rows: list[list[Shown]]  # label, one cell per cohort, all cohorts, share of all
    bars: list[tuple[str, float | None, str]]  # label, value (None: hidden), text


@dataclass(frozen=True)
class Report:
    k: int
    exact: bool
    cohort_names: list[str]
    summary_header: list[str]
    summary: list[list[Shown]]  # one row per cohort, then all cohorts
    #: Why totals are hidden, when they had to be; else "".
    summary_note: str
    completion_bars: list[tuple[str, float | None, str]]
    breakdowns: list[Breakdown]
    quotes: list[str]

    @property
    def tables(self) -> dict[str, tuple[str, list[str], list[list[Shown]], str]]:
        """Every table by key: title, header, rows and note (what the CSV exports)."""
        found = {"summary": (_("Participation and completion by cohort"), self.summary_header, self.summary,
                             self.summary_note)}
        found.update({b.key: (b.title, b.header, b.rows, b.note) for b in self.breakdowns})
        return found


def build(filters: data.Filters, *, exact: bool = False) -> Report:
    """Gather the figures for ``filters`` and hide what must be hidden (unless ``exact``)."""
    k = current_app.config["LMS_REPORT_MIN_CELL"]
    facts = data.gather(filters)
    header = [_("Cohort"), _("Participants"), _("Enrollments"), _("Completed"), _("Completion rate"),
              _("Attendance rate"), _("Reflective-practice hours"), _("Certificates issued")]
    if not facts.cohorts:
        return Report(k, exact, [], header, [], "", [], [], facts.quotes)
    per_cohort = data.counts_by_cohort(facts, dict.fromkeys(facts.cohort_of, "all"), ["all"])[0]
    people = suppress([per_cohort], k)
    show = _Shower(k, exact)
    summary, bars, note = _summary(facts, people, show)
    return Report(k, exact, [c.name for c in facts.cohorts], header, summary, note, bars,
                  [_breakdown(facts, *question, people.totals_row, show) for question in _questions(facts)],
                  facts.quotes)


def _questions(facts: data.Facts):
    """(key, title, [(answer key, label)], note) for each question the report breaks participants down by."""
    chosen = set(facts.answers.get("race", {}).values())
    races = [(str(c.id), category_label(c)) for c in facts.categories if c.is_active or str(c.id) in chosen]
    tail = [(data.DECLINED, _("Prefer not to say")), (data.NOT_ANSWERED, _("Not answered"))]
    return [
        ("race", _("Participants by race/ethnicity"),
         races + [(data.TWO_OR_MORE, _("Two or more"))] + tail,
         _("People who chose more than one category are counted once, under “Two or more”.")),
        ("language", _("Participants by language"), [(g.value, str(g.label)) for g in LanguageGroup] + tail,
         _("From the languages people speak: English only; bilingual Spanish (anyone who speaks Spanish); "
           "multilingual other (another language besides English).")),
        ("role", _("Participants by provider role"),
         [(r.value, str(r.label)) for r in ProviderRole if r is not ProviderRole.DECLINED] + tail, ""),
        ("training", _("Participants by formal training"),
         [(t.value, str(t.label)) for t in FormalTraining if t is not FormalTraining.DECLINED] + tail, ""),
    ]


def _breakdown(facts, key, title, rows, note, totals, show) -> Breakdown:
    counts = data.counts_by_cohort(facts, facts.answers[key], [answer for answer, _ in rows])
    table = suppress(counts, show.k, totals_row=totals)
    columns = table.columns
    body, bars = [], []
    for r, (_answer, label) in enumerate(rows):
        total = table.cell(r, columns)
        share = show.share(total, table.cell(table.rows, columns))
        body.append([Shown(label), *(show.count(table.cell(r, c)) for c in range(columns)), show.count(total), share])
        bars.append((label, None if share.hidden or not share.text else total.value, share.text or "0"))
    body.append([Shown(_("All participants")),
                 *(show.count(cell) for cell in table.totals_row), Shown(format_percent(1) if table.cell(
                     table.rows, columns).value else "")])
    header = [_("Answer"), *[c.name for c in facts.cohorts], _("All cohorts"), _("Share of all")]
    return Breakdown(key, title, " ".join(filter(None, [note, show.why(table.withheld, table.hides_totals)])),
                     header, body, bars)


def _summary(facts: data.Facts, people_table: Table, show: "_Shower"):
    """One row per cohort and one for all: counts, rates and hours; the completion-rate bars; the note."""
    cohorts, k, totals = facts.cohorts, show.k, people_table.totals_row
    enrolled = [facts.enrollments.get(c.id, (0, 0)) for c in cohorts]
    completion = suppress([[done for _, done in enrolled], [n - done for n, done in enrolled]], k)
    certified_in = Counter(cohort for user, cohort in facts.cohort_of.items() if user in facts.certified)
    certified = [certified_in[c.id] for c in cohorts]
    people = [cell.value for cell in totals[:-1]]
    certificates = suppress([certified, [n - done for n, done in zip(people, certified)]], k, totals_row=totals)
    # A figure hidden for one small cohort would be the all-cohorts figure less the shown ones: hide more.
    hours_hidden = _complemented(people, k)
    attendance_hidden = _complemented([facts.attendance.get(c.id, (0, 0, 0))[2] for c in cohorts], k)
    minutes: dict[int | None, int] = {}
    for user, cohort in facts.cohort_of.items():
        minutes[cohort] = minutes.get(cohort, 0) + facts.reflective_minutes.get(user, 0)
    rows, bars = [], []
    for c, cohort in enumerate([*cohorts, None]):
        column = c if cohort is not None else len(cohorts)
        if cohort is None:
            attended, expected, counted = (sum(v[i] for v in facts.attendance.values()) for i in range(3))
            spent = sum(minutes.values())
        else:
            attended, expected, counted = facts.attendance.get(cohort.id, (0, 0, 0))
            spent = minutes.get(cohort.id, 0)
        group, name = totals[column], cohort.name if cohort else _("All cohorts")
        rate = show.share(completion.cell(0, column), completion.cell(2, column))
        rows.append([
            Shown(name), show.count(group),
            show.count(completion.cell(2, column)), show.count(completion.cell(0, column)), rate,
            show.measure(format_percent(attended / expected, "#,##0.#%") if expected else "", counted,
                         complement=column in attendance_hidden),
            show.measure(format_decimal(data.hours(spent), "#,##0.#"), group.value,
                         complement=column in hours_hidden),
            show.count(certificates.cell(0, column)),
        ])
        done, enrollments = completion.cell(0, column).value, completion.cell(2, column).value
        bars.append((name, None if rate.hidden or not enrollments else 100 * done / enrollments, rate.text or "—"))
    columns = len(cohorts)
    shown_totals = [*totals, *completion.cells[2], completion.cell(0, columns), certificates.cell(0, columns)]
    return rows, bars, show.why(completion.withheld or certificates.withheld,
                                any(cell.hidden == COMPLEMENT for cell in shown_totals))


def _complemented(people: list[int], k: int) -> set[int]:
    """Groups whose rates or hours are hidden: those under k, then the smallest others until they hold k people."""
    hidden = {i for i, n in enumerate(people) if 0 < n < k}
    for i in sorted((i for i, n in enumerate(people) if n >= k), key=lambda i: (people[i], i)):
        if not hidden or sum(people[j] for j in hidden) >= k:
            break
        hidden.add(i)
    return hidden


class _Shower:
    """Turns cells into text: hidden counts as "<k", "*" or "—", unless exact counts were chosen."""

    def __init__(self, k: int, exact: bool):
        self.k, self.exact = k, exact

    def why(self, withheld: bool, hides_totals: bool) -> str:
        """Say in words why a table is withheld, or why totals it shows are hidden."""
        if self.exact:
            return ""
        if withheld:
            return _("This table is withheld: too few people to show it without revealing small counts.")
        if hides_totals:
            return _("Some totals are hidden too (“*”): there are so few people in some groups that, with "
                     "every total published, a count from 1 to %(last)s could be worked out.", last=self.k - 1)
        return ""

    def count(self, cell: Cell) -> Shown:
        if self.exact or cell.shown:
            return Shown(format_decimal(cell.value))
        if cell.hidden == COMPLEMENT:
            return Shown("*", True)
        if cell.hidden == WITHHELD:
            return Shown("—", True)
        return Shown(f"<{self.k}", True)

    def share(self, part: Cell, whole: Cell) -> Shown:
        """``part`` as a percentage of ``whole``; hidden when either is, or the whole group is under k."""
        if not whole.value:
            return Shown("")
        if not self.exact and (not part.shown or not whole.shown or whole.value < self.k):
            return Shown("—", True)
        return Shown(format_percent(part.value / whole.value, "#,##0.#%"))

    def measure(self, text: str, people: int, *, complement: bool = False) -> Shown:
        """A rate or a number of hours about ``people``: shown only for a group of at least k (and not complement)."""
        if not text:
            return Shown("")
        return Shown(text) if self.exact or (people >= self.k and not complement) else Shown("—", True)
