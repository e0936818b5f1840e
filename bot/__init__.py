"""duebot: conversation side (channels, inbound handling, NLU, routing, console, API, CLI)."""
