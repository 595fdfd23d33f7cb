"""What the program teaches: programs, cohorts, courses, modules and their translations."""
