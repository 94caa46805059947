"""Inputs: scenario and area files, overrides, residents CSVs, and the one-line errors they raise."""
