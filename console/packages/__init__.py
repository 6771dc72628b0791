"""The escalation package file: a ZIP tier 2 can verify before trusting."""
