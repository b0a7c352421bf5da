"""The /info topics on safe migration, each ending with a one-tap question to an officer.

Only facts from shared/FACTS.md, in plain words; the data's sources are named in that file. Phone
numbers and addresses are not part of the text: they come from ``data/contacts.json`` (where each
has its source) and are filled in when the topic is shown."""

from __future__ import annotations

from collections.abc import Sequence

from flows.conversation import Handler, Turn, global_button
from flows.emergency import service_label
from flows.steps import Option
from flows.text import M, Msg, Text

TOPICS: dict[str, tuple[Msg, tuple[Msg, ...]]] = {
    "procedure": (
        M("The official procedure"),
        (
            M(
                "Legal placement goes through a licensed placement company (P3MI) or a "
                "government-to-government scheme."
            ),
            M("Check the company with /cek before you pay or hand over documents."),
            M(
                "You get a written work contract, pre-departure orientation (OPP), a medical check, "
                "BPJS Ketenagakerjaan social security and a work visa — never a tourist visa."
            ),
        ),
    ),
    "documents": (
        M("Documents"),
        (
            M(
                "You need a passport issued through the official procedure, a work visa, a signed "
                "work contract (Perjanjian Kerja) and BPJS Ketenagakerjaan membership."
            ),
            M("Your passport and ID are yours: no agent or employer may keep them."),
        ),
    ),
    "costs": (
        M("Who pays which costs"),
        (
            M("UU 18/2017 says migrant workers may not be charged placement costs."),
            M(
                "For domestic workers, caregivers, cooks, family drivers, gardeners, cleaners, farm "
                "workers and migrant fishing crew, the employer pays the placement costs "
                "(Peraturan BP2MI 9/2020)."
            ),
            M("Fees paid into a personal bank account are a warning sign."),
        ),
    ),
    "rights": (
        M("Your rights abroad"),
        (
            M(
                "You have the right to your wages as in the contract, to keep your documents, to move "
                "freely and to contact your family."
            ),
            M("If wages are unpaid, you are ill or you want to go home: /bantuan."),
            M("If you are held, beaten or threatened: /darurat."),
        ),
    ),
    "channels": (
        M("Official channels"),
        (
            M("KP2MI (Kementerian Pelindungan Pekerja Migran Indonesia) protects migrant workers."),
            M("Polri PPA-PPO handles trafficking and crimes against women and children."),
            M(
                "The Indonesian embassy or consulate (KBRI / KJRI / KDEI) in your country has its own "
                "hotline."
            ),
        ),
    ),
}
# The national channels (services of data/contacts.json) listed after a topic's text.
CHANNELS: dict[str, tuple[str, ...]] = {"channels": ("lapor", "kemnaker")}
ASK_OFFICER = Option("officer", M("Ask an officer"))
OTHER_TOPIC = Option("topics", M("Other topics"))


class Info(Handler):
    flow_id = "info"

    def options_shown(self, t: Turn) -> Sequence[Option]:
        if t.st.step == "topics":
            return [Option(key, title) for key, (title, _) in TOPICS.items()]
        return (ASK_OFFICER, OTHER_TOPIC)

    def on_text(self, t: Turn, text: str) -> None:
        if t.st.step == "topic" and t.ctx.understand.choice(text, self.options_shown(t)) is None:
            # Words under a topic are a question: to an officer, with one tap to confirm.
            t.st.clear_flow()
            t.then = ("officer", text.strip())
            return
        super().on_text(t, text)

    def start(self, t: Turn) -> None:
        t.st.flow, t.st.step, t.st.data = self.flow_id, "topics", {}
        t.next_question()
        self.prompt(t)

    def prompt(self, t: Turn) -> None:
        if t.st.step == "topics":
            options = [Option(key, title) for key, (title, _) in TOPICS.items()]
            t.say(M("Safe migration: choose a topic."), buttons=t.options(options, 1))
            return
        topic = str(t.st.data.get("topic"))
        title, lines = TOPICS[topic]
        numbers: list[Text] = [
            M("• {service}: {number}", service=service_label(n.service), number=n.number)
            for service in CHANNELS.get(topic, ())
            for n in t.ctx.contacts.national
            if n.service == service
        ]
        t.say(
            M("<b>{title}</b>", title=title),
            *lines,
            *numbers,
            buttons=[*t.options([ASK_OFFICER, OTHER_TOPIC], 2), [global_button("menu", M("Menu"))]],
        )

    def on_choice(self, t: Turn, choice: str) -> None:
        if t.st.step == "topics" and choice in TOPICS:
            t.st.step, t.st.data = "topic", {"topic": choice}
            t.next_question()
            self.prompt(t)
        elif t.st.step == "topic" and choice == OTHER_TOPIC.id:
            self.start(t)
        elif t.st.step == "topic" and choice == ASK_OFFICER.id:
            t.then = ("officer", "")  # the engine owns command dispatch
        else:
            super().on_choice(t, choice)
