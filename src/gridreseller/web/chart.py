"""The activity page's bar chart, laid out here and drawn by the template as inline
SVG (no script, nothing from another host): one bar per day, the messages sent with
the refused ones stacked above them in another colour."""

from __future__ import annotations

from dataclasses import dataclass

from gridreseller.services.activity import Activity

WIDTH = 720
HEIGHT = 180
TOP = 16  # room for the scale's label
BOTTOM = 22  # room for the first and last days' labels
GAP = 0.2  # of a day's width, between bars


@dataclass(frozen=True)
class Bar:
    day: str
    x: float
    width: float
    sent_y: float
    sent_height: float
    refused_y: float
    refused_height: float
    messages: int
    recipients: int
    refused: int

    @property
    def label(self) -> str:
        """What a pointer over the bar (and a screen reader) is told."""
        return (
            f"{self.day}: {self.messages} sent to {self.recipients} recipients, "
            f"{self.refused} refused"
        )


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    top: int  # a full bar's top
    baseline: float
    scale: int  # the messages a full-height bar stands for
    bars: list[Bar]


def chart_of(found: Activity) -> Chart:
    days = found.days
    scale = max([d.total.messages + d.total.messages_refused for d in days] + [1])
    plot = HEIGHT - TOP - BOTTOM
    step = WIDTH / max(len(days), 1)
    bars = []
    for index, day in enumerate(days):
        sent = plot * day.total.messages / scale
        refused = plot * day.total.messages_refused / scale
        baseline = HEIGHT - BOTTOM
        bars.append(
            Bar(
                day=day.day.isoformat(),
                x=round(index * step + step * GAP / 2, 2),
                width=round(step * (1 - GAP), 2),
                sent_y=round(baseline - sent, 2),
                sent_height=round(sent, 2),
                refused_y=round(baseline - sent - refused, 2),
                refused_height=round(refused, 2),
                messages=day.total.messages,
                recipients=day.total.recipients,
                refused=day.total.messages_refused,
            )
        )
    return Chart(WIDTH, HEIGHT, TOP, HEIGHT - BOTTOM, scale, bars)
