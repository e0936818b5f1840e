"""duebot: time side (planning, contact guard, dispatch, follow-ups)."""
