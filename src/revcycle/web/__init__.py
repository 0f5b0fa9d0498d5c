"""Templates and static files of the workbench."""
