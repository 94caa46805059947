"""Batch parameter sweeps: sweep files, experiment designs, runs on Dask, resumable parquet, analysis."""
