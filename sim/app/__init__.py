"""The web app for planners (Solara): set up an estate, design interventions, run, read the answer."""
