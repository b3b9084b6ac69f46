"""The editorial workflow: the transition rulebook, roles, services, checklist, revisions."""
