"""``duebot demo``: a self-contained servicing fortnight against local stand-ins."""
