"""Column types shared by every domain."""

from datetime import datetime, timezone

from sqlalchemy import DateTime, Enum
from sqlalchemy.types import TypeDecorator


def utcnow() -> datetime:
    """Return the current time as an aware UTC datetime."""
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """A timestamp stored in UTC and always read back as an aware datetime.

    SQLite has no time zones, so values are normalised to UTC on the way in and
    marked as UTC on the way out; PostgreSQL stores them as timestamptz.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are ambiguous; pass an aware UTC datetime")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def string_enum(cls, name: str) -> Enum:
    """A Python string enum stored as its values in a VARCHAR(16) with a CHECK constraint (no native type)."""
    return Enum(cls, name=name, native_enum=False, create_constraint=True, length=16,
                values_callable=lambda members: [m.value for m in members])
