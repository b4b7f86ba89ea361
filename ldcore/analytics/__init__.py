"""Pure computation (pandas/numpy/scipy): no I/O, no sessions."""
