"""Messages the program sends a person: shown on their dashboard, in their language."""
