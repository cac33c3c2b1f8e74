"""The scenario file format: typed models, loading and validation. Only this package knows YAML."""

from sim.scenario.load import (
    Problem,
    ScenarioError,
    load_scenario,
    parse_text,
    scenario_hash,
    validate_mapping,
)
from sim.scenario.models import DAYS_PER_MONTH, Scenario

__all__ = ["DAYS_PER_MONTH", "Problem", "Scenario", "ScenarioError", "load_scenario",
           "parse_text", "scenario_hash", "validate_mapping"]
