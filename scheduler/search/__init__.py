"""Searches around the model: the greedy first-fit schedule, the neighbourhood search, and how a phase's time
is shared."""
