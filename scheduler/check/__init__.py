"""The validator: every rule and figure of a schedule checked from the contract alone, sharing no code with the
solver."""
