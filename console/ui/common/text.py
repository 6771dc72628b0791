"""Words and times as people read them on every screen: no codes, local time, short forms."""

from __future__ import annotations

from datetime import datetime

_WORDS = {"vpn": "VPN", "login_sso": "Login / SSO", "sso": "SSO"}


def humanize(value: str) -> str:
    """``pending_review`` -> ``Pending review``; known acronyms keep their capitals."""
    if value in _WORDS:
        return _WORDS[value]
    text = value.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def short_local_time(moment: datetime, now: datetime) -> str:
    """A compact local time: ``14:05`` today, ``3 Mar 14:05`` this year, else ``3 Mar 2023``."""
    local = moment.astimezone()
    today = now.astimezone()
    if local.date() == today.date():
        return local.strftime("%H:%M")
    if local.year == today.year:
        return f"{local.day} {local.strftime('%b %H:%M')}"
    return f"{local.day} {local.strftime('%b %Y')}"


def full_local_time(moment: datetime) -> str:
    """``2024-06-14 15:30 CEST``: the whole local time, for a tooltip."""
    return moment.astimezone().strftime("%Y-%m-%d %H:%M %Z").strip()


def local_now() -> datetime:
    """Now, in the local time zone."""
    return datetime.now().astimezone()
