"""Security headers on every response, and no caching of anything private."""

from flask import Response, current_app
from flask_login import current_user

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


def add_security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    if response.mimetype == "text/html":
        headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        headers.setdefault("X-Frame-Options", "DENY")
    if current_app.config["LMS_HSTS"]:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    private = {"no-store", "private"} <= {d.strip() for d in response.headers.get("Cache-Control", "").split(",")}
    if not private and not response.cache_control.public and current_user and current_user.is_authenticated:
        response.cache_control.no_store = True
        response.cache_control.private = True
        response.vary.add("Cookie")
    return response
