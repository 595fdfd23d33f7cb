"""The append-only audit log of who changed what, for whom and when."""
