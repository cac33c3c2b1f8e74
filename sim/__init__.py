"""sustain: the sustainment simulator for FMS follow-on support decisions."""

__version__ = "0.1.0"
