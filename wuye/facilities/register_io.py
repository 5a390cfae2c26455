"""Excel export and import of the register with a row-by-row error report."""
