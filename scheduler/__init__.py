"""bilateral's core: schedule the requested bilateral meetings of a conference, prove how good the schedule is,
explain what it leaves out, and publish it.

The packages follow the pipeline, each importing only those before it (`tests/test_layering.py`):
contract → rules → model → registry → search → explain → solve → publish → cli, with `check` (the independent
validator) beside them, knowing only the contract.
"""
