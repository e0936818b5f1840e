"""duebot: database models, set-up, careful queries and the interaction log."""
