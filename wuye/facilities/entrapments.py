"""Elevator entrapments (电梯困人): one tap, three calendar-minute clocks, the emergency group."""
