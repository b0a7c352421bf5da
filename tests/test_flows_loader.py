"""The ARCHITECTURE rule "a flow that references a missing step or choice fails when it is loaded":
broken flow definitions raise ``FlowError`` at declaration time; the shipped flows load."""

from __future__ import annotations

import pytest

from flows.assist import ASSIST
from flows.report import REPORT
from flows.steps import (
    END,
    Ask,
    Branch,
    Choose,
    Collect,
    Confirm,
    Flow,
    FlowError,
    Option,
    resolve,
)
from flows.text import M

YES, NO = Option("yes", M("Yes")), Option("no", M("No"))


def question(step_id: str, nxt: str | Branch = "summary", options: tuple[Option, ...] = (YES, NO)) -> Choose:
    return Choose(step_id, (M("Question?"),), options, step_id, nxt)


def summary(*editable: str) -> Confirm:
    return Confirm("summary", tuple((e, M("Part")) for e in editable))


def test_a_consistent_flow_loads() -> None:
    flow = Flow.of(
        "ok",
        question("first", Branch("first", {"yes": "story"}, "summary")),
        Ask("story", (M("Tell us."),), "story", "files"),
        Collect("files", (M("Files?"),), "files", "summary"),
        summary("first", "story"),
    )
    assert flow.start == "first"
    assert list(flow.steps) == ["first", "story", "files", "summary"]


def test_end_is_a_valid_target() -> None:
    flow = Flow.of("short", question("only", END))
    assert flow.steps["only"].next == END  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        ((question("a", "nowhere"), summary()), "next step 'nowhere' is not defined"),
        ((Ask("a", (M("?"),), "a", "nowhere"), summary()), "next step 'nowhere' is not defined"),
        ((Collect("a", (M("?"),), "a", "nowhere"), summary()), "next step 'nowhere' is not defined"),
        (
            (question("a", Branch("a", {"yes": "ghost"}, "summary")), summary()),
            "next step 'ghost' is not defined",
        ),
        (
            (question("a", Branch("a", {"yes": "summary"}, "ghost")), summary()),
            "next step 'ghost' is not defined",
        ),
        (
            (
                question("a", Branch("a", {"yes": Branch("b", {"x": "deep"}, "summary")}, "summary")),
                summary(),
            ),
            "next step 'deep' is not defined",
        ),
        ((question("a"), question("a"), summary()), "duplicate step ids"),
        ((question("a", options=(YES, YES)), summary()), "duplicate option ids"),
        ((question("a", options=()), summary()), "a choice needs options"),
        ((question("a"), summary("a", "ghost")), "editable 'ghost' is not defined"),
    ],
    ids=[
        "choose-next",
        "ask-next",
        "collect-next",
        "branch-case",
        "branch-default",
        "nested-branch",
        "duplicate-step",
        "duplicate-option",
        "no-options",
        "editable",
    ],
)
def test_broken_flows_fail_when_loaded(steps: tuple[object, ...], message: str) -> None:
    with pytest.raises(FlowError, match=message):
        Flow.of("broken", *steps)  # type: ignore[arg-type]


def test_a_flow_needs_steps() -> None:
    with pytest.raises(FlowError, match="needs steps"):
        Flow.of("empty")


def test_an_undefined_start_step_fails() -> None:
    with pytest.raises(FlowError, match="start step 'ghost' is not defined"):
        Flow("broken", "ghost", {"summary": summary()})


def test_a_step_registered_under_another_id_fails() -> None:
    with pytest.raises(FlowError, match="registered as 'b' has id 'a'"):
        Flow("broken", "b", {"b": question("a")})


def test_flow_error_is_a_value_error() -> None:
    assert issubclass(FlowError, ValueError)


@pytest.mark.parametrize("flow", [REPORT, ASSIST], ids=["report", "assist"])
def test_the_shipped_flows_load(flow: Flow) -> None:
    rebuilt = Flow.of(flow.id, *flow.steps.values())
    assert rebuilt == flow
    assert flow.start == "category"
    confirms = [s for s in flow.steps.values() if isinstance(s, Confirm)]
    assert len(confirms) == 1


@pytest.mark.parametrize("flow", [REPORT, ASSIST], ids=["report", "assist"])
def test_every_step_of_the_shipped_flows_is_reachable(flow: Flow) -> None:
    seen, todo = set(), [flow.start]
    while todo:
        current = todo.pop()
        if current in seen or current == END:
            continue
        seen.add(current)
        found = flow.steps[current]
        if isinstance(found, Confirm):
            todo += [target for target, _ in found.editable]
            continue
        todo += _targets(found.next)
    assert seen == set(flow.steps)


def _targets(nxt: str | Branch) -> list[str]:
    if isinstance(nxt, Branch):
        return [t for n in (*nxt.cases.values(), nxt.default) for t in _targets(n)]
    return [nxt]


def test_resolve_follows_nested_branches() -> None:
    nxt = Branch("a", {"x": Branch("b", {"y": "deep"}, "b-default")}, "a-default")
    assert resolve(nxt, {"a": "x", "b": "y"}) == "deep"
    assert resolve(nxt, {"a": "x", "b": "z"}) == "b-default"
    assert resolve(nxt, {}) == "a-default"
    assert resolve("plain", {}) == "plain"


def test_the_report_flow_branches_to_the_missing_relative_questions() -> None:
    category = REPORT.steps["category"]
    assert isinstance(category, Choose)
    assert resolve(category.next, {"category": "missing"}) == "missing_name"
    assert resolve(category.next, {"category": "held"}) == "danger"
