"""Runs: replicates in worker processes, their summaries, and the output folders they are written to."""
