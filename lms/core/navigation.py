"""Where to send people after a form: only ever to a path on this site."""

from urllib.parse import urlsplit

from flask import url_for


def safe_next_url(target: str | None, fallback_endpoint: str = "lms.core.home") -> str:
    """Return `target` if it is a local path, else the URL of the fallback endpoint."""
    if target and _is_local_path(target):
        return target
    return url_for(fallback_endpoint)


def _is_local_path(target: str) -> bool:
    if any(ch in target for ch in "\\\r\n\t") or any(ord(ch) < 32 for ch in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//")
