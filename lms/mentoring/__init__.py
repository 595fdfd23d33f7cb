"""Mentoring: mentor profiles, assignments, reflective groups and confidential session logs."""
