"""The troubleshoot step: one playbook node at a time beside the transcript."""
