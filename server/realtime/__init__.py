"""Live fan-out: the broker (a doorbell between processes) and the per-process Hub."""
