"""Operation logs (运行记录): readings per item on its schedule; out-of-range readings open a fault."""
