"""The notification templates the campus processes send (``string.Template`` placeholders).

Kept in code, reviewed like code: a template is part of a process's behaviour. Rendering (and
HTML escaping of values) is ``connectors.comms.templates.render``.
"""

from __future__ import annotations

from connectors.comms.templates import NotificationTemplate

TEMPLATES: dict[str, NotificationTemplate] = {
    "welcome": NotificationTemplate(
        subject="Welcome to $school, $first_name",
        text=(
            "Hello $first_name,\n\nyour accounts are ready:\n$accounts\n\nYour login is $login.\n"
        ),
    ),
    "financial-hold-placed": NotificationTemplate(
        subject="A financial hold was placed on your account",
        text=(
            "Hello $name,\n\nthe bursar placed a $hold_type hold ($reason). Until it is lifted, "
            "your course access and library borrowing are paused.\n"
        ),
    ),
    "financial-hold-lifted": NotificationTemplate(
        subject="Your financial hold was lifted",
        text="Hello $name,\n\nyour $hold_type hold is lifted: courses and borrowing are back.\n",
    ),
    "exam-review-requested": NotificationTemplate(
        subject="$count flagged session(s) to review: $exam",
        text=(
            "The proctoring platform flagged $count session(s) of $exam: $students.\n"
            "Please review them before $deadline; without a decision the outcome is '$default'.\n"
        ),
    ),
}
