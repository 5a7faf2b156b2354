"""Made-up data for the demo and the benchmarks, built with the areas' own create functions."""
