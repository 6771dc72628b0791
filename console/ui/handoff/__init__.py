"""The handoff step: the five things, priority, triggers, the completeness meter, attachments."""
