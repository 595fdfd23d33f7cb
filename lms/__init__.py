"""A Flask extension that runs a professional-development certificate program."""

from lms import signals
from lms.extension import LMS
from lms.extensions import db

__version__ = "0.1.0"
__all__ = ["LMS", "db", "signals", "__version__"]
