"""Turning state and events into what each kind of viewer sees: HTML fragments or JSON."""
