"""Running replicates: the runner, executors (serial, process pool, Dask), branching of paired
scenarios, paired comparisons, atomic output folders, the manifest and progress bars.
"""
