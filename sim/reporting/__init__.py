"""Reports: figures and self-contained HTML pages built from the runs' tables."""
