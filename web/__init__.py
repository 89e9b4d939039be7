"""Templates, static assets and the widget demo: package data of `assistant.web` (see pyproject.toml)."""
