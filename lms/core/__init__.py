"""Pages that belong to no single domain: home, health, language, errors."""
