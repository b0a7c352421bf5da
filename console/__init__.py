"""The agencies' desk: the staff web console (``helpline console``), a FastAPI + Jinja2 + htmx
application on the bot's database, run as its own process. It sits above ``bot`` (whose service
it calls for every action on a ticket, so cards and notices go out exactly as from Telegram);
nothing imports it."""
