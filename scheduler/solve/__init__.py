"""A solve: its options and result types, its run state, its baseline (a re-plan's previous schedule or
none), the priority phase, the secondary goals, and `solver.solve()` that puts them in order."""
