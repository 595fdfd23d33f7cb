"""Attendance: session schedules, rosters, taking attendance, check-in, imports, rates, calendars."""
