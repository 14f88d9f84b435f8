"""Notification templates with ``string.Template`` (``$name`` / ``${name}`` placeholders).

Chosen over Jinja2 on purpose: templates are edited by school staff, and ``string.Template``
cannot run code or reach attributes, so a template can only ever insert the values given. Values
are HTML-escaped in the HTML part; a missing value is an error that names it, never a blank.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from string import Template

from pydantic import BaseModel


class TemplateError(ValueError):
    """A template uses a placeholder that has no value, or is itself invalid."""


class NotificationTemplate(BaseModel):
    subject: str
    text: str
    html: str | None = None

    def placeholders(self) -> set[str]:
        names: set[str] = set()
        for part in (self.subject, self.text, self.html or ""):
            names |= set(Template(part).get_identifiers())
        return names


class RenderedNotification(BaseModel):
    subject: str
    text: str
    html: str | None = None


def render(template: NotificationTemplate, values: Mapping[str, object]) -> RenderedNotification:
    missing = sorted(template.placeholders() - set(values))
    if missing:
        raise TemplateError(f"no value for placeholder(s): {', '.join(missing)}")
    plain = {k: str(v) for k, v in values.items()}
    escaped = {k: html.escape(v) for k, v in plain.items()}
    try:
        return RenderedNotification(
            subject=Template(template.subject).substitute(plain).replace("\n", " "),
            text=Template(template.text).substitute(plain),
            html=Template(template.html).substitute(escaped) if template.html else None,
        )
    except ValueError as exc:  # e.g. a lone "$" followed by something that is not a name
        raise TemplateError(f"invalid template: {exc}") from exc
