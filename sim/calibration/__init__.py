"""Calibration and validation: targets from the reports, the model's matching quantities, the fit."""
