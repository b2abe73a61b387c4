"""The solver's models: CP-SAT (variables, the rules between meetings, strengthening, objectives), pools of
rooms, the LP relaxation's bound, MaxSAT on the breaks, and the static bound."""
