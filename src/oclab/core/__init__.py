"""The model-agnostic engine: parameters, random streams, the time loop, executors, results."""
