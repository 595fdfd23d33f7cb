"""A realistic demo program for trying the app: run by `flask lms demo-data`.

Running it again creates only what is missing, so nothing is duplicated.
"""

from lms.demo.courses import build_courses
from lms.demo.people import DEMO_PASSWORD, DemoLogin, build_people

__all__ = ["DEMO_PASSWORD", "DemoLogin", "build_demo"]


def build_demo() -> list[DemoLogin]:
    logins = build_people()
    build_courses()
    return logins
