"""Who takes what: enrollment, the waitlist, progress through modules, completion, evaluation."""
