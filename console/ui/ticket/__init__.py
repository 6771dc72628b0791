"""One ticket's workspace: composes the intake, troubleshoot, diagnostics and handoff
steps, and exports the handoff (Markdown, PDF, the package)."""
