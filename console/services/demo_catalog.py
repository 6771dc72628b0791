"""Sample help desk material for ``agent-console demo seed``: people, places and real problems.

Each scenario is what a good tier 1 agent would have written for that call; the seeder mixes
them with names and times so demos and benchmarks look like a real queue.
"""

from __future__ import annotations

from dataclasses import dataclass

from console.domain.enums import Category, Trigger


@dataclass(frozen=True, slots=True)
class Scenario:
    category: Category
    summary: str
    what_is_wrong: str
    tried: tuple[tuple[str, str], ...]
    error: str
    trigger: Trigger
    queue: str
    resolution: str
    """What fixed it when tier 1 resolved it instead."""
    facts: tuple[tuple[str, str], ...] = ()


SCENARIOS: tuple[Scenario, ...] = (
    Scenario(
        Category.EMAIL,
        "Outlook cannot send mail since this morning",
        "Outlook on the caller's laptop leaves every outgoing message in the Outbox since about "
        "08:30; receiving still works.",
        (
            ("Checked Outlook is online (not Work Offline)", "online"),
            ("Sent a test message to self", "stayed in Outbox"),
            ("Restarted Outlook and the laptop", "no change"),
            ("Checked webmail", "sending works in webmail"),
        ),
        "Task 'name@example.com - Sending' reported error (0x800CCC0F): 'The connection to the "
        "server was interrupted.'",
        Trigger.INTEGRATION_FAILURE,
        "messaging",
        "Removed a stuck 30 MB message from the Outbox",
        (("mail_client", "Outlook 365 (16.0.17928)"),),
    ),
    Scenario(
        Category.EMAIL,
        "Shared mailbox missing from Outlook for the finance team",
        "The finance@ shared mailbox disappeared from Outlook for all six people in Finance "
        "after yesterday's license change.",
        (
            ("Checked mailbox permissions in the admin view available to tier 1", "no access"),
            ("Asked a second user to restart Outlook", "still missing"),
        ),
        "You don't have permission to open this mailbox.",
        Trigger.ACCESS_REQUIRED,
        "messaging",
        "Re-added the mailbox through File > Account Settings",
    ),
    Scenario(
        Category.VPN,
        "VPN will not connect from home",
        "GlobalProtect stops at 'Connecting...' and times out after 60 seconds from the caller's "
        "home network; it worked on Friday.",
        (
            ("Confirmed internet works at home (browsing fine)", "works"),
            ("Checked the VPN adapter is present", "present"),
            ("Tested TCP 443 to vpn.example.com", "timed out"),
            ("Tried the phone hotspot", "connects on hotspot"),
        ),
        "GlobalProtect: Gateway vpn.example.com: The network connection is unreachable or the "
        "gateway is unresponsive.",
        Trigger.INTEGRATION_FAILURE,
        "network",
        "Reinstalled the VPN client from the company portal",
        (("vpn_client", "GlobalProtect 6.2.1"), ("vpn_protocol", "ssl")),
    ),
    Scenario(
        Category.VPN,
        "Several remote staff cannot reach VPN",
        "At least eight remote workers in Sales report the VPN drops every few minutes since "
        "10:15 today.",
        (
            ("Checked the status page", "no incident posted"),
            ("Compared with two other callers", "same symptom, different ISPs"),
        ),
        "The VPN connection was terminated by the remote gateway (error 809).",
        Trigger.COMPLEXITY,
        "network",
        "Told callers to reconnect after the gateway restart",
        (("vpn_client", "Windows built-in IKEv2"), ("vpn_protocol", "ikev2")),
    ),
    Scenario(
        Category.LOGIN_SSO,
        "Account locked after password change",
        "The caller changed her password this morning and her account locks again within "
        "minutes of every unlock.",
        (
            ("Unlocked the account in the directory tool", "locked again in 4 minutes"),
            (
                "Asked the caller to sign out of her phone's mail app",
                "phone still tries old password",
            ),
        ),
        "Your account has been locked. Contact your support person to unlock it, then try again.",
        Trigger.COMPLEXITY,
        "identity",
        "Removed the old password from the phone's mail account and unlocked",
    ),
    Scenario(
        Category.LOGIN_SSO,
        "MFA prompt never arrives",
        "Sign-in to the HR portal waits for the Authenticator approval, which never arrives on "
        "the caller's new phone.",
        (
            ("Checked the phone has network and notifications on", "ok"),
            ("Tried the six-digit code option", "code rejected"),
            ("Checked phone time is automatic", "was 3 minutes off, fixed, still rejected"),
        ),
        "AADSTS50076: Due to a configuration change made by your administrator, you must use "
        "multi-factor authentication.",
        Trigger.ACCESS_REQUIRED,
        "identity",
        "Re-registered the Authenticator app on the new phone",
    ),
    Scenario(
        Category.NETWORK,
        "No internet on the third floor",
        "Wired desks on the third floor get no internet since 14:00; laptops on Wi-Fi work.",
        (
            ("Checked the link light on the caller's port", "off"),
            ("Moved the caller to another desk on the same floor", "no link either"),
            ("Checked default gateway", "none (169.254 address)"),
        ),
        "No internet access. Your computer appears to be correctly configured, but the device or "
        "resource (DNS server) is not responding.",
        Trigger.COMPLEXITY,
        "network",
        "Replaced the patch cable",
    ),
    Scenario(
        Category.NETWORK,
        "Wi-Fi keeps dropping in the meeting rooms",
        "Laptops in meeting rooms B1-B4 lose Wi-Fi every 10-20 minutes and reconnect after a "
        "minute.",
        (
            ("Forgot and re-joined the network", "still drops"),
            ("Updated the Wi-Fi driver", "still drops"),
            ("Checked signal strength", "-78 dBm in B3"),
        ),
        "The wireless network connection was disconnected (reason code 4: inactivity).",
        Trigger.COMPLEXITY,
        "network",
        "Switched the laptop to the 5 GHz band",
    ),
    Scenario(
        Category.PRINTER,
        "Printer shows offline for accounting",
        "The accounting printer PRN-ACC-02 shows Offline for everyone in Accounting; the panel "
        "shows ready.",
        (
            ("Power cycled the printer", "still offline"),
            ("Pinged the printer's address", "no reply"),
            ("Printed a config page", "printer has a new IP address"),
        ),
        "Printer 'PRN-ACC-02' is offline.",
        Trigger.ACCESS_REQUIRED,
        "print",
        "Cleared the queue and restarted the print spooler",
    ),
    Scenario(
        Category.HARDWARE,
        "Laptop will not charge",
        "The caller's laptop battery stays at 3% on AC power and the charge light blinks amber.",
        (
            ("Tried another wall socket", "no change"),
            ("Tried a colleague's charger", "charges with the other charger"),
        ),
        "Battery: 3% available (plugged in, not charging).",
        Trigger.COMPLEXITY,
        "desktop-support",
        "Swapped the charger from stock",
    ),
    Scenario(
        Category.HARDWARE,
        "External monitor not detected",
        "The second monitor on the caller's docking station shows 'No signal' since the laptop "
        "was replaced.",
        (
            ("Reseated the DisplayPort cable", "no change"),
            ("Tried the monitor with another laptop", "works"),
            ("Updated the dock firmware", "update failed"),
        ),
        "Dock firmware update failed: error 0x0000001F (device not supported).",
        Trigger.COMPLEXITY,
        "desktop-support",
        "Pressed Win+P and selected Extend",
    ),
    Scenario(
        Category.SOFTWARE,
        "Excel crashes opening the budget workbook",
        "Excel closes without a message whenever the caller opens Budget-2027.xlsx from the "
        "finance share; other workbooks open.",
        (
            ("Opened Excel in safe mode", "workbook opens"),
            ("Disabled add-ins one by one", "crash returns with the reporting add-in"),
        ),
        "Faulting application name: EXCEL.EXE, version 16.0.17928.20114, faulting module "
        "name: ReportingAddin.dll, exception code: 0xc0000005",
        Trigger.COMPLEXITY,
        "applications",
        "Ran an Office quick repair",
    ),
    Scenario(
        Category.SOFTWARE,
        "Needs Visio installed",
        "The caller needs Microsoft Visio for a process-mapping project starting Monday; the "
        "install needs administrator rights.",
        (("Checked the software portal", "Visio not offered to this user"),),
        "This app has been blocked by your system administrator.",
        Trigger.ACCESS_REQUIRED,
        "applications",
        "Installed from the software portal",
    ),
    Scenario(
        Category.ACCESS_REQUEST,
        "Access to the Projects share",
        "New starter needs read-write access to \\\\files\\Projects\\Atlas, approved by "
        "her manager "
        "in the request.",
        (("Confirmed the manager's approval in the request", "approved"),),
        "\\\\files\\Projects\\Atlas is not accessible. You might not have permission to use this "
        "network resource.",
        Trigger.ACCESS_REQUIRED,
        "identity",
        "Added the user to the existing Atlas-RW group",
    ),
    Scenario(
        Category.SECURITY,
        "Clicked a link in a suspicious email",
        "The caller clicked a link in an email that claimed to be from Payroll and typed her "
        "password on the page before noticing the address.",
        (
            ("Told the caller not to delete the email", "kept"),
            ("Disconnected the laptop from the network", "done at 11:42"),
            ("Reset the caller's password", "done"),
        ),
        "From: payroll@examp1e-hr.com  Subject: Action required: confirm your salary details",
        Trigger.SECURITY,
        "security",
        "Reported the message with the Report Phishing button",
    ),
)

FIRST_NAMES = (
    "Ana",
    "Ben",
    "Chloe",
    "Dev",
    "Elif",
    "Farid",
    "Grace",
    "Hiro",
    "Ines",
    "Jonas",
    "Kemi",
    "Luis",
    "Maya",
    "Nils",
    "Olga",
    "Priya",
    "Quinn",
    "Rosa",
    "Sami",
    "Tariq",
    "Uma",
    "Viktor",
    "Wen",
    "Yusuf",
    "Zoe",
)
LAST_NAMES = (
    "Almeida",
    "Brandt",
    "Chen",
    "Dubois",
    "Eriksen",
    "Fischer",
    "Garcia",
    "Haddad",
    "Ivanova",
    "Jensen",
    "Kowalski",
    "Lindqvist",
    "Moreau",
    "Nakamura",
    "Okafor",
    "Patel",
    "Rossi",
    "Schmidt",
    "Tanaka",
    "Varga",
    "Weber",
    "Yilmaz",
)
CLIENTS = (
    ("Northwind Traders", "northwind.example", ("Head office", "Warehouse", "Lyon branch")),
    ("Contoso Health", "contoso-health.example", ("Main clinic", "Lab", "Remote")),
    ("Fabrikam Legal", "fabrikam.example", ("Level 12", "Level 14")),
    ("Example Corp", "example.com", ("HQ", "Remote", "Plant 2")),
)
AGENTS = (
    ("aiko", "Aiko Mori", "agent"),
    ("bruno", "Bruno Costa", "agent"),
    ("carla", "Carla Nunez", "agent"),
    ("dmitri", "Dmitri Volkov", "agent"),
    ("emma", "Emma Novak", "agent"),
    ("femi", "Femi Adeyemi", "agent"),
    ("gus", "Gus Larsen", "agent"),
    ("hana", "Hana Kim", "agent"),
    ("tomas", "Tomas Ruiz", "technician"),
    ("vera", "Vera Lind", "technician"),
    ("sofia", "Sofia Marino", "supervisor"),
    ("rahul", "Rahul Mehta", "supervisor"),
)
