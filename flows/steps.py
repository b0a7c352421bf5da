"""Building blocks of flows, declared as data. A flow that names a missing step fails at load time."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from flows.text import Msg, Text


class FlowError(ValueError):
    """A flow definition is inconsistent (unknown step, duplicate id, empty options)."""


@dataclass(frozen=True)
class Option:
    """A button. ``means`` ("yes", "no" or "unsure") lets a typed "ya", "nggak" or "tidak tahu"
    choose it; options without it are chosen by their label only."""

    id: str
    label: Text
    means: str | None = None


@dataclass(frozen=True)
class Branch:
    """Go to ``cases[data[field]]``, or ``default`` when the answer is not listed. Branches nest."""

    field: str
    cases: Mapping[str, Next]
    default: Next


Next = str | Branch


@dataclass(frozen=True)
class Choose:
    """A question answered with one button. The chosen option id is stored in ``data[field]``.

    ``countries``: the options are countries, and a typed name of any country answers (its ISO
    code is stored); a country already known (chosen on the emergency card) is not asked again.
    ``emergency``: the option that means danger now; choosing it shows the emergency card before
    the next question."""

    id: str
    prompt: tuple[Text, ...]
    options: tuple[Option, ...]
    field: str
    next: Next
    columns: int = 1
    countries: bool = False
    emergency: str | None = None


@dataclass(frozen=True)
class Ask:
    """A question answered in free text (or a location, for ``place``). ``skip`` adds a button that
    leaves the field empty. ``max_len`` is what fits the field (a name, a city); a longer text is
    kept as a note, never cut, and the question asked again. A story (``kind`` text) has no limit.
    ``country``: the answer names a country, understood to its ISO code where it can be."""

    id: str
    prompt: tuple[Text, ...]
    field: str
    next: Next
    kind: str = "text"  # text | place | phone | short
    max_len: int | None = None
    skip: Option | None = None
    accepts_files: bool = False
    country: bool = False


@dataclass(frozen=True)
class Collect:
    """Evidence: photos, documents, voice notes, any number of them, until Done or Skip."""

    id: str
    prompt: tuple[Text, ...]
    field: str
    next: Next


@dataclass(frozen=True)
class Confirm:
    """The summary of what was entered, with Send / Edit / Cancel. ``editable`` lists the steps
    the person may go back to."""

    id: str
    editable: tuple[tuple[str, Msg], ...]


Step = Choose | Ask | Collect | Confirm
END = "end"


@dataclass(frozen=True)
class Flow:
    id: str
    start: str
    steps: Mapping[str, Step] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.start not in self.steps:
            raise FlowError(f"{self.id}: start step {self.start!r} is not defined")
        for key, step in self.steps.items():
            if key != step.id:
                raise FlowError(f"{self.id}: step registered as {key!r} has id {step.id!r}")
            if isinstance(step, Choose) and not step.options:
                raise FlowError(f"{self.id}.{step.id}: a choice needs options")
            if isinstance(step, Choose | Ask | Collect):
                for target in _targets(step.next):
                    if target != END and target not in self.steps:
                        raise FlowError(f"{self.id}.{step.id}: next step {target!r} is not defined")
            if isinstance(step, Confirm):
                for target, _ in step.editable:
                    if target not in self.steps:
                        raise FlowError(f"{self.id}.{step.id}: editable {target!r} is not defined")
            if isinstance(step, Choose):
                ids = [o.id for o in step.options]
                if len(ids) != len(set(ids)):
                    raise FlowError(f"{self.id}.{step.id}: duplicate option ids")

    @classmethod
    def of(cls, flow_id: str, *steps: Step) -> Flow:
        """Declare a flow from its steps in order; the first one is where it starts."""
        if not steps:
            raise FlowError(f"{flow_id}: a flow needs steps")
        ids = [s.id for s in steps]
        if len(ids) != len(set(ids)):
            raise FlowError(f"{flow_id}: duplicate step ids")
        return cls(flow_id, steps[0].id, {s.id: s for s in steps})


def _targets(nxt: Next) -> tuple[str, ...]:
    if isinstance(nxt, Branch):
        return tuple(t for n in (*nxt.cases.values(), nxt.default) for t in _targets(n))
    return (nxt,)


def resolve(nxt: Next, data: Mapping[str, object]) -> str:
    while isinstance(nxt, Branch):
        nxt = nxt.cases.get(str(data.get(nxt.field)), nxt.default)
    return nxt
