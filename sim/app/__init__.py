"""The web app for planners (issue 13): set up an estate, design interventions, run, read the answer."""
