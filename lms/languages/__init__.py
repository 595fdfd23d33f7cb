"""The interface languages: how complete and how reviewed each translation is."""
