"""The contract: the input file (its shape, its parsing), the immutable domain objects, the schedule document,
the rules' names and the objective's figures."""
