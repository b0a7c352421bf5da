"""/hapus (/delete): remove the bot's messages from this chat, for someone whose phone may be
looked at by the person they fear. One confirmation, then the caller deletes what Telegram allows
(messages younger than 48 hours). The only thing left is one short word that it was done: the
chat itself stays in the person's chat list until they delete it, which the prompt tells them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from flows.conversation import Handler, Turn, global_button
from flows.events import ChatDeletionRequested
from flows.steps import Option
from flows.text import M

# How long Telegram lets a bot delete a message in a private chat (Bot API deleteMessage).
DELETABLE_FOR = timedelta(hours=48)


class ClearChat(Handler):
    flow_id = "clear_chat"
    may_pass = False
    YES = Option("clear", M("Yes, delete the messages"), means="yes")
    NO = Option("keep", M("No, keep them"), means="no")

    def options_shown(self, t: Turn) -> Sequence[Option]:
        return (self.YES, self.NO)

    def start(self, t: Turn) -> None:
        t.st.clear_flow()
        t.st.flow, t.st.step = self.flow_id, "confirm"
        t.next_question()
        self.prompt(t)

    def prompt(self, t: Turn) -> None:
        t.say(
            # TRANSLATORS: {period} is a duration in words, e.g. "48 hours".
            M(
                "Delete the messages of this chat from your phone? Telegram lets the bot delete "
                "messages of the last {period}. Your reports stay with the officers.",
                period=DELETABLE_FOR,
            ),
            M("To remove older messages too, delete this chat in Telegram yourself."),
            buttons=t.options([self.YES, self.NO], 2),
        )

    def on_choice(self, t: Turn, choice: str) -> None:
        if choice == self.YES.id:
            t.st.clear_flow()
            t.next_question()  # the buttons of the deleted messages must not work any more
            t.emit(ChatDeletionRequested(t.ctx.now))
            t.say(M("Deleted."))
        elif choice == self.NO.id:
            t.st.clear_flow()
            t.say(M("Nothing was deleted."), buttons=[[global_button("menu", M("Menu"))]])
        else:
            super().on_choice(t, choice)
