"""Absolute addresses on the public site, for emails, QR codes and certificates.

They are built under LMS_PUBLIC_URL, never from the request's Host header, which a client chooses:
a poisoned Host would otherwise put an attacker's site into a password-reset email or, for good,
into a certificate. Only a development site (LMS_DEVELOPMENT), which its developer alone reaches,
builds them from the address served, so `flask run --port 5101` links to port 5101.
"""

from flask import current_app, has_request_context, url_for

#: Where `flask run` serves unless told otherwise: a development site's address outside a request.
FLASK_RUN_URL = "http://127.0.0.1:5000"


def public_url(endpoint: str, *, required: bool = False, **values) -> str:
    """The absolute address of `endpoint` under LMS_PUBLIC_URL.

    Without LMS_PUBLIC_URL the current request's address is used: on a development site for every
    link, elsewhere (a host site that has not set it) unless `required` (for what is printed and
    kept, like a certificate's verification link). A development site outside a request (the CLI)
    uses FLASK_RUN_URL.
    """
    base = current_app.config["LMS_PUBLIC_URL"]
    development = current_app.config["LMS_DEVELOPMENT"]
    if not base and has_request_context() and (development or not required):
        return url_for(endpoint, _external=True, **values)
    if not base and not development:
        raise RuntimeError("Set LMS_PUBLIC_URL to the site's public address, e.g. https://learn.example.org.")
    with current_app.test_request_context(base_url=base or FLASK_RUN_URL):
        return url_for(endpoint, _external=True, **values)
