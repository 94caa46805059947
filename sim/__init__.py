"""Agent-based simulator of employment and education interventions in disadvantaged housing areas."""

__version__ = "0.1.0"
