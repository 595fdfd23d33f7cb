"""Security events as one JSON object per line: time (UTC), event, actor, address, object.

JSON encoding escapes newlines, so nothing typed into a form can forge a second line. Callers
pass ids and short codes, never passwords, tokens, emails or note text.
"""

import json
import logging

from flask import has_request_context, request
from flask_login import current_user

from lms.sqltypes import utcnow

log = logging.getLogger("lms.security")
#: Parts of an address that are as good as a password (a reset or verification link, a calendar feed).
SECRET_ARGS = ("token",)


def logged_path() -> str:
    """The request's path as a log may keep it: its secret parts replaced by their names."""
    path = request.path
    for name in SECRET_ARGS:
        value = (request.view_args or {}).get(name)
        if value:
            path = path.replace(str(value), f"<{name}>")
    return path


def security_event(event: str, *, actor_id: int | None = None, **fields) -> None:
    record = {"time": utcnow().isoformat(timespec="seconds"), "event": event}
    if actor_id is None and has_request_context() and current_user and current_user.is_authenticated:
        actor_id = current_user.id
    record["actor"] = actor_id
    if has_request_context():
        record["address"] = request.remote_addr
        record.setdefault("path", logged_path())
    record.update(fields)
    log.info(json.dumps(record, ensure_ascii=False, default=str))
