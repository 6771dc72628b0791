"""Device diagnostics: psutil snapshot, named automated checks, redaction, log tails."""
