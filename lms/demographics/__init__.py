"""Self-identified demographics: optional answers, kept apart from the profile, read only in aggregate."""
