"""Absolute addresses on the public site, for emails, QR codes and certificates.

They are built under LMS_PUBLIC_URL, never from the request's Host header, which a client chooses:
a poisoned Host would otherwise put an attacker's site into a password-reset email or, for good,
into a certificate.
"""

from flask import current_app, has_request_context, url_for


def public_url(endpoint: str, *, required: bool = False, **values) -> str:
    """The absolute address of `endpoint` under LMS_PUBLIC_URL.

    Without LMS_PUBLIC_URL (a host site that has not set it) the current request's address is used,
    unless `required` (for what is printed and kept, like a certificate's verification link).
    """
    base = current_app.config["LMS_PUBLIC_URL"]
    if not base:
        if required or not has_request_context():
            raise RuntimeError("Set LMS_PUBLIC_URL to the site's public address, e.g. https://learn.example.org.")
        return url_for(endpoint, _external=True, **values)
    with current_app.test_request_context(base_url=base):
        return url_for(endpoint, _external=True, **values)
