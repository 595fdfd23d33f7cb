"""The demo program's people: an administrator, mentors and trainees writing in many scripts."""

import unicodedata
from dataclasses import dataclass

from lms.accounts import twofactor
from lms.accounts.models import Role
from lms.accounts.services import create_user, find_by_email
from lms.sqltypes import utcnow

DEMO_PASSWORD = "community-2026"
DEMO_DOMAIN = "example.org"

#: (full name, name in own script, interface language)
ADMINS = [("Jordan Ellis", None, "en")]
MENTORS = [
    # A graduate of an earlier cohort: a mentor now, still a trainee in the records.
    ("Amina Warsame", None, "so"),
    ("Rosa María Delgado", None, "es"),
    ("Phạm Thị Hoa", None, "vi"),
    ("Tigist Bekele", "ትግስት በቀለ", "am"),
]
TRAINEES = [
    ("Nguyễn Thị Lan", None, "vi"), ("Trần Văn Minh", None, "vi"),
    ("Lê Hoàng Anh", None, "vi"), ("Đặng Thu Hà", None, "vi"),
    ("Cabdi Xasan Maxamed", None, "so"), ("Hodan Cali Faarax", None, "so"),
    ("Faadumo Yuusuf Cumar", None, "so"), ("Sahra Maxamuud Nuur", None, "so"),
    ("Selam Tesfaye", "ሰላም ተስፋዬ", "am"), ("Meron Alemu", "ሜሮን ዓለሙ", "am"),
    ("Yonas Kidane", "ዮናስ ኪዳነ", "am"),
    ("Wang Fang", "王芳", "zh_Hans"), ("Li Wei", "李伟", "zh_Hans"),
    ("Chen Mei-ling", "陳美玲", "zh_Hant"), ("Lin Chia-hui", "林佳慧", "zh_Hant"),
    ("Kim Min-ji", "김민지", "ko"), ("Park Ji-hoon", "박지훈", "ko"),
    ("Olga Ivanova", "Ольга Иванова", "ru"), ("Dmitri Sokolov", "Дмитрий Соколов", "ru"),
    ("Oksana Kovalenko", "Оксана Коваленко", "uk"), ("Iryna Shevchenko", "Ірина Шевченко", "uk"),
    ("Fatima Al-Zahra", "فاطمة الزهراء", "ar"), ("Omar Haddad", "عمر حداد", "ar"),
    ("Layla Mansour", "ليلى منصور", "ar"),
    ("María José Hernández", None, "es"), ("Guadalupe Ramírez", None, "es"),
    ("José Luis Martínez", None, "es"), ("Ana Sofía Gutiérrez", None, "es"),
    ("Juan Carlos Peña", None, "es"), ("Rosa Elena Castillo", None, "es"),
    ("Maria Santos", None, "fil"), ("Jocelyn Dela Cruz", None, "fil"),
    ("Ramon Bautista", None, "fil"),
    ("Keisha Johnson", None, "en"), ("Aaliyah Washington", None, "en"),
    ("Tanisha Brooks", None, "en"), ("Dana Whitehorse", None, "en"),
    ("Malia Fonoti", None, "en"), ("Sarah Miller", None, "en"), ("Jessica Tran", None, "en"),
]


@dataclass(frozen=True)
class DemoLogin:
    email: str
    name: str
    roles: tuple[Role, ...]
    created: bool


def demo_email(full_name: str) -> str:
    """A plain-ASCII address from a name: "Nguyễn Thị Lan" -> nguyen.thi.lan@example.org."""
    ascii_name = unicodedata.normalize("NFKD", full_name.replace("Đ", "D").replace("đ", "d"))
    ascii_name = ascii_name.encode("ascii", "ignore").decode().lower()
    local = ".".join("".join(c for c in part if c.isalnum()) for part in ascii_name.replace("-", " ").split())
    return f"{local}@{DEMO_DOMAIN}"


def build_people() -> list[DemoLogin]:
    """Create the demo people that do not exist yet; running it again duplicates nothing."""
    people = (
        [(p, (Role.ADMIN,)) for p in ADMINS]
        + [(p, (Role.TRAINEE, Role.MENTOR) if i == 0 else (Role.MENTOR,)) for i, p in enumerate(MENTORS)]
        + [(p, (Role.TRAINEE,)) for p in TRAINEES]
    )
    logins = []
    for (full_name, native_name, locale), roles in people:
        email = demo_email(full_name)
        created = find_by_email(email) is None
        if created:
            user = create_user(email=email, full_name=full_name, native_name=native_name,
                               locale=locale, password=DEMO_PASSWORD, roles=roles)
            if Role.ADMIN in roles:
                twofactor.begin_setup(user)
                user.totp_enabled_at = utcnow()
        logins.append(DemoLogin(email=email, name=full_name, roles=roles, created=created))
    return logins

