"""`make bench`: every benchmark module, run in one process so ratios compare like with like."""
