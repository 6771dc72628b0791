"""The vocabularies every layer shares.

Values are stored in databases and package files: never rename one.
"""

from __future__ import annotations

from enum import StrEnum


class Channel(StrEnum):
    PHONE = "phone"
    EMAIL = "email"
    CHAT = "chat"
    WALK_IN = "walk_in"
    PORTAL = "portal"


class Category(StrEnum):
    EMAIL = "email"
    VPN = "vpn"
    LOGIN_SSO = "login_sso"
    NETWORK = "network"
    PRINTER = "printer"
    HARDWARE = "hardware"
    SOFTWARE = "software"
    ACCESS_REQUEST = "access_request"
    SECURITY = "security"
    OTHER = "other"


class TicketStatus(StrEnum):
    OPEN = "open"
    """Intake done, troubleshooting under way."""
    PENDING_REVIEW = "pending_review"
    """An escalation waits in the supervisor review queue."""
    RETURNED = "returned"
    """A supervisor sent the escalation back to its agent."""
    ESCALATED = "escalated"
    """The package is frozen and handed to tier 2 (possibly still in the outbox)."""
    RESOLVED = "resolved"
    """Fixed at tier 1."""
    CLOSED = "closed"


class Impact(StrEnum):
    """Who is affected (ITIL impact)."""

    SINGLE_USER = "single_user"
    TEAM = "team"
    """A team or department."""
    SITE = "site"
    """A whole site or the whole organization."""


class Urgency(StrEnum):
    """How badly work is affected (ITIL urgency)."""

    WORK_STOPPED = "work_stopped"
    DEGRADED = "degraded"
    MINOR = "minor"


class Priority(StrEnum):
    P1 = "P1"
    P2 = "P2"
    P3 = "P3"
    P4 = "P4"
    P5 = "P5"


class Trigger(StrEnum):
    """The legitimate reasons to escalate past tier 1."""

    TIME_EXCEEDED = "time_exceeded"
    ACCESS_REQUIRED = "access_required"
    COMPLEXITY = "complexity"
    INTEGRATION_FAILURE = "integration_failure"
    SECURITY = "security"


class Role(StrEnum):
    AGENT = "agent"
    TECHNICIAN = "technician"
    SUPERVISOR = "supervisor"


class OutboxState(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
