"""Notifications are stored as a kind and parameters, and worded when read, in the reader's language."""

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import db
from lms.sqltypes import UTCDateTime, utcnow


class Notification(db.Model):
    __tablename__ = "lms_notification"
    __table_args__ = (Index("ix_lms_notification_user_unread", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("lms_user.id", ondelete="CASCADE"))
    #: Which message this is, e.g. "seat_offered"; see lms.notifications.services.MESSAGES.
    kind: Mapped[str] = mapped_column(String(64))
    #: Values for the message, e.g. {"course_id": 3}; names are looked up when shown.
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
