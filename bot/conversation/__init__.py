"""Borrower conversations: what a reply means in context, what to do about it, and doing it.

Layers, one module each:

- ``keywords``   Twilio's own opt-out / opt-in / help keywords (a table).
- ``facts``      frozen inputs: the inbound message, who sent it, their account, the open context.
- ``actions``    frozen outputs: the state changes and the answer a reply calls for.
- ``understand`` the classifier's reading, adjusted by what we last asked (pure).
- ``decide``     the rule table from intents to actions (pure; no I/O, takes ``now``).
- ``loading``    facts from the database.
- ``apply``      the one function that changes state, stores the answer and logs it all.
- ``service``    one stored inbound message, start to finish (claim → decide → apply → kick).
- ``processor``  background handling of stored messages, crash recovery.
- ``runtime``    what ``serve`` starts: the processor, the Telegram webhook or long poller.
"""
