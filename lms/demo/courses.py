"""The demo program's courses and cohorts, in English, Spanish and Amharic, with enrollments."""

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from lms.accounts.models import Role, User, UserRole
from lms.courses import services as catalog
from lms.courses.models import Cohort, Course, CourseFormat, Program
from lms.enrollment import evaluations, progress
from lms.enrollment.models import Enrollment
from lms.enrollment.services import enroll, program_today
from lms.demo.voices import COMMENTS, REFLECTIONS
from lms.extensions import db

PROGRAM = "BIPOC Community of Leaders Certificate"

#: code -> course: its own language, translations, modules (title, content, minutes, prompt).
COURSES = {
    "BCL-101": {
        "language": "en", "format": "self_paced", "hours": Decimal("6"), "sequential": False,
        "title": "Foundations of Infant and Early Childhood Mental Health",
        "summary": "How babies and young children grow through relationships, and how providers "
                   "support their social and emotional development.",
        "modules": [
            ("What is infant and early childhood mental health?",
             "Infant and early childhood mental health is the developing capacity of a child from "
             "birth to five to **form close relationships**, to experience and express emotions, and "
             "to explore and learn, in the context of family, community and culture.", 30, None),
            ("Relationships are the foundation",
             "Children learn to feel safe through caring, predictable relationships.\n\n"
             "- How do I get my needs met?\n- How do I feel safe?\n- How do I express my feelings?", 45, None),
            ("Reflective practice: noticing ourselves",
             "Reflective practice means examining our own actions, values and reactions so that we "
             "keep learning. It is most powerful in a safe group.", 40,
             "Think of a child whose behaviour challenged you this week. What did you feel, and what "
             "might the child have been trying to tell you?"),
        ],
        "translations": {
            "es": ("Fundamentos de la salud mental infantil y de la primera infancia",
                   "Cómo los bebés y niños pequeños crecen a través de las relaciones, y cómo apoyar su "
                   "desarrollo social y emocional.",
                   [("¿Qué es la salud mental infantil y de la primera infancia?",
                     "Es la capacidad en desarrollo de un niño, desde el nacimiento hasta los cinco años, de "
                     "**formar relaciones cercanas**, sentir y expresar emociones, y explorar y aprender, en "
                     "el contexto de su familia, comunidad y cultura.", ""),
                    ("Las relaciones son la base",
                     "Los niños aprenden a sentirse seguros a través de relaciones cariñosas y predecibles.", ""),
                    ("La práctica reflexiva: observarnos a nosotros mismos",
                     "La práctica reflexiva significa examinar nuestras acciones, valores y reacciones para "
                     "seguir aprendiendo.",
                     "Piense en un niño cuyo comportamiento le desafió esta semana. ¿Qué sintió usted, y qué "
                     "podría estar tratando de decirle el niño?")]),
            # Only the first module is translated yet: the others show in English, marked.
            "am": ("የሕፃናትና የቅድመ ልጅነት የአእምሮ ጤና መሠረቶች",
                   "ሕፃናትና ትናንሽ ልጆች በግንኙነት እንዴት እንደሚያድጉ፣ እና ማኅበራዊና ስሜታዊ እድገታቸውን እንዴት እንደግፍ።",
                   [("የሕፃናትና የቅድመ ልጅነት የአእምሮ ጤና ምንድን ነው?",
                     "ከልደት እስከ አምስት ዓመት ያለ ልጅ **የቅርብ ግንኙነት የመፍጠር**፣ ስሜቶችን የመለማመድና የመግለጽ፣ "
                     "እንዲሁም የመመርመርና የመማር ችሎታው ነው።", "")]),
        },
    },
    "BCL-102": {
        "language": "en", "format": "live_virtual", "hours": Decimal("8"), "sequential": True,
        "prerequisites": ["BCL-101"],
        "title": "Implicit Bias and Culturally Responsive Practice",
        "summary": "Recognising implicit bias, systemic inequities and power in our services, and "
                   "building anti-racist, culturally responsive partnerships with families.",
        "modules": [
            ("Understanding implicit bias",
             "Implicit biases are attitudes we hold without knowing it. They shape who we notice, "
             "praise or discipline.", 60, "Where might implicit bias show up in your daily routines?"),
            ("Systemic inequities, power and privilege",
             "History and experience shape our assumptions and our interactions with families.", 60, None),
            ("Culturally responsive partnerships with families",
             "Families are the experts on their children. Leaning into difficult conversations builds "
             "authentic partnerships.", 45,
             "Describe a time a family's perspective differed from yours. What helped you hold both?"),
        ],
        "translations": {
            "es": ("Sesgo implícito y práctica culturalmente receptiva",
                   "Reconocer el sesgo implícito, las inequidades sistémicas y el poder en nuestros servicios.",
                   [("Entender el sesgo implícito",
                     "Los sesgos implícitos son actitudes que tenemos sin saberlo.",
                     "¿Dónde podría aparecer el sesgo implícito en sus rutinas diarias?"),
                    ("Inequidades sistémicas, poder y privilegio",
                     "La historia y la experiencia forman nuestras suposiciones.", ""),
                    ("Alianzas culturalmente receptivas con las familias",
                     "Las familias son las expertas en sus hijos.",
                     "Describa una ocasión en que la perspectiva de una familia fue distinta de la suya.")]),
        },
    },
    "BCL-103": {
        "language": "es", "format": "in_person", "hours": Decimal("4"), "sequential": False,
        "title": "Autocuidado y prevención del agotamiento",
        "summary": "Cuidar de nosotros mismos para poder cuidar de los niños y las familias.",
        "modules": [
            ("Reconocer el agotamiento",
             "El trabajo con niños pequeños es exigente. Reconocer las señales del agotamiento es el "
             "primer paso.", 30, "¿Qué señales de cansancio nota usted en su cuerpo?"),
            ("Estrategias de autocuidado en comunidad",
             "El autocuidado también es colectivo: nos apoyamos unos a otros.", 30, None),
        ],
        "translations": {
            "en": ("Self-care and burnout prevention",
                   "Caring for ourselves so that we can care for children and families.",
                   [("Recognising burnout",
                     "Working with young children is demanding. Recognising the signs of burnout is the "
                     "first step.", "What signs of tiredness do you notice in your body?"),
                    ("Self-care strategies in community",
                     "Self-care is collective too: we support one another.", "")]),
        },
    },
}


def build_courses() -> None:
    program = db.session.scalar(select(Program).where(Program.name == PROGRAM))
    if program is not None:
        return
    program = catalog.save_program(Program(), name=PROGRAM, description=(
        "Reflective practice that connects social justice and early social-emotional development, "
        "by and for BIPOC providers in King County."))
    courses = {code: _course(program, code, spec) for code, spec in COURSES.items()}
    today = program_today()
    spring = catalog.save_cohort(
        Cohort(program_id=program.id), name="Cohort 1 · English and Spanish", languages=["en", "es"],
        course_ids=[c.id for c in courses.values()], starts_on=today - timedelta(days=45),
        ends_on=today + timedelta(days=135), capacity=30, enrollment_open=True,
        enrollment_opens_on=None, enrollment_closes_on=None)
    fall = catalog.save_cohort(
        Cohort(program_id=program.id), name="Cohort 2 · Multilingual", languages=["en", "am", "so", "vi"],
        course_ids=[courses["BCL-101"].id, courses["BCL-102"].id], starts_on=today + timedelta(days=60),
        ends_on=today + timedelta(days=240), capacity=20, enrollment_open=True,
        enrollment_opens_on=today - timedelta(days=14), enrollment_closes_on=today + timedelta(days=50))
    _enroll_trainees(courses, spring, fall)


def _course(program, code, spec) -> Course:
    course = catalog.save_course(
        Course(program_id=program.id), prerequisite_ids=[], code=code, title=spec["title"],
        summary=spec["summary"], default_language=spec["language"], format=CourseFormat(spec["format"]),
        pd_hours=spec["hours"], sequential=spec["sequential"])
    for title, content, minutes, prompt in spec["modules"]:
        catalog.add_module(course, title=title, content=content, estimated_minutes=minutes,
                           is_required=True, reflection_prompt=prompt)
    db.session.refresh(course)
    for language, (title, summary, modules) in spec["translations"].items():
        catalog.save_translation(course, language, title=title, summary=summary, modules={
            module.id: {"title": t, "content": c, "reflection_prompt": p}
            for module, (t, c, p) in zip(course.modules, modules)})
    if spec.get("prerequisites"):
        required = db.session.scalars(select(Course).where(Course.code.in_(spec["prerequisites"]))).all()
        course.prerequisites = list(required)
    db.session.flush()
    db.session.refresh(course)  # its translations were added as rows: load them, so its languages are known
    return course


def _enroll_trainees(courses, spring, fall) -> None:
    trainees = db.session.scalars(
        select(User).join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.TRAINEE).order_by(User.id)).all()
    foundations = courses["BCL-101"]
    said = {}  # what the trainees wrote so far, so that no two write the same
    finished = []  # who completed the foundations, mentors aside
    for n, person in enumerate(trainees):
        cohort = spring if n % 2 == 0 else fall
        enrollment = enroll(person, foundations, cohort, _language(person, foundations, cohort), by_admin=True)
        if cohort is spring:
            _make_progress(enrollment, n % 4 + (3 if n % 3 == 0 else 0), said)
            if enrollment.completed_at is not None and not person.has_role(Role.MENTOR):
                finished.append(person)
    # The mentor who is still a trainee, and the first trainee to finish the foundations, finished every course
    # of the program: graduates (the trainee is listed under Graduates, to be invited to mentor).
    for person in [p for p in trainees if p.has_role(Role.MENTOR)] + finished[:1]:
        for course in (courses["BCL-102"], courses["BCL-103"]):
            enrollment = enroll(person, course, spring, _language(person, course, spring), by_admin=True)
            _make_progress(enrollment, len(course.modules), said)


def _language(person: User, course: Course, cohort: Cohort) -> str:
    """The person's own language where the course and the cohort offer it, English otherwise."""
    return person.locale if person.locale in course.languages and person.locale in cohort.languages else "en"


def _make_progress(enrollment: Enrollment, done: int, said: dict) -> None:
    """Complete the first `done` modules, answering their prompts, and evaluate the course once complete."""
    course, language, person = enrollment.course, enrollment.language, enrollment.user
    for position, module in enumerate(course.modules[:done]):
        answers = REFLECTIONS.get((course.code, position))
        reflection = _next(said, answers, language, (course.code, position)) if answers else None
        progress.complete_module(enrollment, module, reflection, shared=reflection is not None and person.id % 2 == 0)
    if enrollment.completed_at is not None:
        comment, consent = _next(said, COMMENTS, language, "comment")
        evaluations.submit_evaluation(
            enrollment, overall=4 if person.id % 3 == 0 else 5, relevance=4 if person.id % 4 == 0 else 5,
            language_rating=5 if language == person.locale else 4, comments=comment, consent=consent,
            language=language)


def _next(said: dict, texts: dict[str, list], language: str, key):
    """The next of `texts` in `language` (else English): each is used once before any is used again."""
    language = language if language in texts else "en"
    n = said[key, language] = said.get((key, language), -1) + 1
    return texts[language][n % len(texts[language])]
