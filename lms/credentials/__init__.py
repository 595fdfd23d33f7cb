"""Certificates: eligibility, issuing, verification and Open Badges."""
