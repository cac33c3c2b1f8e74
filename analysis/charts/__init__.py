"""Briefing charts, one module per kind; each function returns a ``style.Chart`` whose title
states the finding, or ``None`` when the result holds nothing to plot."""
