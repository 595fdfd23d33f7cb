"""Program reports: participation, completion and attendance, with small counts hidden."""
