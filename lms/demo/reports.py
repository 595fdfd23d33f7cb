"""Earlier cohorts and self-identified answers, so the program report has something to show.

The two earlier cohorts hold 160 graduates whose answers reproduce the program's published tables
(../shared/context/003...): counting every category a person chose gives Native American/Alaskan 5,
African American 15, Asian 16, Hispanic or Latino 78, Mixed Heritage 2, Pacific Islander 1,
Caucasian 55, Other 5; and by language, English only 82, bilingual Spanish 65, multilingual other 13.
"""

from datetime import date, datetime, time, timezone
from itertools import cycle

from sqlalchemy import select

from lms.accounts.models import Role, User, UserRole
from lms.accounts.services import create_user
from lms.courses import services as catalog
from lms.courses.models import Cohort, Course, Program
from lms.demographics import categories
from lms.demographics.models import FormalTraining, ProviderRole, RaceCategory
from lms.demographics.services import save_answers
from lms.demo.courses import PROGRAM
from lms.enrollment.models import Enrollment, EnrollmentPeriod, EnrollmentStatus, ModuleProgress
from lms.extensions import db

#: (name, starts, ends) of the earlier cohorts; their graduates alternate between them.
EARLIER_COHORTS = [("Cohort 2023", date(2023, 9, 12), date(2024, 5, 30)),
                   ("Cohort 2024", date(2024, 9, 10), date(2025, 5, 29))]
#: (categories, how many people chose exactly these): 143 chose one, 17 chose two.
RACE_ANSWERS = [
    (("hispanic_latino", "caucasian"), 6), (("native_american", "caucasian"), 2),
    (("african_american", "hispanic_latino"), 3), (("asian", "caucasian"), 4), (("other", "hispanic_latino"), 2),
    (("native_american",), 3), (("african_american",), 12), (("asian",), 12), (("hispanic_latino",), 67),
    (("mixed_heritage",), 2), (("pacific_islander",), 1), (("caucasian",), 43), (("other",), 3),
]
ASIAN_LANGUAGES = cycle(["vi", "zh", "ko", "fil"])
ROLES = [ProviderRole.EARLY_CARE_EDUCATOR] * 14 + [ProviderRole.HOME_VISITOR] * 6 + [
    ProviderRole.MENTAL_HEALTH_PROVIDER] * 5 + [ProviderRole.PARENT_EDUCATOR] * 4 + [ProviderRole.OTHER] * 2 + [
    ProviderRole.DECLINED]
TRAINING = [FormalTraining.YES] * 9 + [FormalTraining.NO] * 6 + [FormalTraining.DECLINED]
FIRST = {"es": ["María", "José", "Lucía", "Carmen", "Ana", "Luis", "Rosa", "Elena", "Sofía", "Jorge", "Isabel"],
         "en": ["Alex", "Jamie", "Taylor", "Morgan", "Jordan", "Casey", "Riley", "Avery", "Quinn", "Robin",
                "Drew"]}
LAST = {"es": ["García", "López", "Hernández", "Flores", "Morales", "Ruiz", "Torres", "Vargas", "Reyes"],
        "en": ["Smith", "Johnson", "Lee", "Brown", "Davis", "Wilson", "Young", "Clark", "Hall", "Allen"]}
#: The current trainees' answers by interface language: (categories, languages spoken).
BY_LOCALE = {
    "vi": (("asian",), ["vi", "en"]), "so": (("african_american",), ["so", "en"]),
    "am": (("african_american",), ["am", "en"]), "zh_Hans": (("asian",), ["zh", "en"]),
    "zh_Hant": (("asian",), ["zh", "en"]), "ko": (("asian",), ["ko", "en"]), "ru": (("caucasian",), ["ru", "en"]),
    "uk": (("caucasian",), ["uk", "en"]), "ar": (("other",), ["ar", "en"]),
    "es": (("hispanic_latino",), ["es", "en"]), "fil": (("asian",), ["fil", "en"]), "en": (("caucasian",), ["en"]),
}


def build_reports() -> None:
    """Add the earlier cohorts with their graduates, and answers for most current trainees."""
    program = db.session.scalar(select(Program).where(Program.name == PROGRAM))
    if program is None or db.session.scalar(select(Cohort.id).where(Cohort.name == EARLIER_COHORTS[0][0])):
        return
    categories.seed_builtin_categories()
    by_key = {c.key: c for c in db.session.scalars(select(RaceCategory).where(RaceCategory.key.is_not(None)))}
    foundations = db.session.scalar(select(Course).where(Course.code == "BCL-101"))
    cohorts = [catalog.save_cohort(
        Cohort(program_id=program.id), name=name, languages=["en", "es"], course_ids=[foundations.id],
        starts_on=starts, ends_on=ends, capacity=100, enrollment_open=False, enrollment_opens_on=None,
        enrollment_closes_on=None) for name, starts, ends in EARLIER_COHORTS]
    n = 0
    spanish_left, somali_left = 65, 1  # and every Asian single speaks another language: 12 + 1 = 13
    for keys, how_many in RACE_ANSWERS:
        for _ in range(how_many):
            if keys == ("hispanic_latino",) and spanish_left:
                spanish_left, languages = spanish_left - 1, ["es", "en"]
            elif keys == ("asian",):
                languages = [next(ASIAN_LANGUAGES), "en"]
            elif keys == ("african_american",) and somali_left:
                somali_left, languages = 0, ["so", "en"]
            else:
                languages = ["en"]
            person = _graduate(n, "es" if "es" in languages else "en", cohorts[n % 2], foundations)
            save_answers(person, races=[by_key[key] for key in keys], race_declined=False, languages=languages,
                         languages_declined=False, provider_role=ROLES[n % len(ROLES)],
                         formal_training=TRAINING[n % len(TRAINING)])
            n += 1
    _current_answers(by_key)


def _graduate(n: int, language: str, cohort: Cohort, course: Course) -> User:
    """A graduate of an earlier cohort: enrolled at its start, finished at its end; cannot log in."""
    names = (FIRST[language][n % len(FIRST[language])], LAST[language][n // 3 % len(LAST[language])])
    person = create_user(email=f"graduate{n + 1:03d}@example.org", full_name=" ".join(names), password=None,
                         locale=language)
    started = datetime.combine(cohort.starts_on, time(17), timezone.utc)
    finished = datetime.combine(cohort.ends_on, time(17), timezone.utc)
    enrollment = Enrollment(user_id=person.id, course_id=course.id, cohort_id=cohort.id, language=language,
                            status=EnrollmentStatus.ENROLLED, enrolled_at=started, completed_at=finished)
    db.session.add(enrollment)
    db.session.flush()
    db.session.add(EnrollmentPeriod(enrollment_id=enrollment.id, user_id=person.id, course_id=course.id,
                                    cohort_id=cohort.id, started_at=started))
    db.session.add_all(ModuleProgress(enrollment_id=enrollment.id, module_id=module.id, completed_at=finished)
                       for module in course.modules)  # finished means every module done, as their pages show
    return person


def _current_answers(by_key: dict) -> None:
    """Most current trainees answer; every seventh does not, and one prefers not to say."""
    trainees = db.session.scalars(
        select(User).join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.TRAINEE, User.email.not_like("graduate%")).order_by(User.id)).all()
    for n, person in enumerate(trainees):
        if n % 7 == 6:
            continue
        keys, languages = BY_LOCALE.get(person.locale, (("other",), ["en"]))
        save_answers(person, races=[] if n == 3 else [by_key[key] for key in keys], race_declined=n == 3,
                     languages=languages, languages_declined=False, provider_role=ROLES[n % len(ROLES)],
                     formal_training=TRAINING[n % len(TRAINING)])
