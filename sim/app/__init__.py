"""The web app for planners (Solara): set up an estate, design interventions, run, read the answer.

Started with ``python run_sim.py app`` (README, "Web app"). The top layer beside the command line:
it reaches the model only through the comparison pipeline (:mod:`sim.runs.pipeline`) and the
inputs layer, so the page and the command line give the same numbers for the same scenario files.
"""
