"""The pure core: state, commands, events and the rules that turn one into the other.

Nothing here does I/O, reads the clock or makes random ids; callers pass them in.
"""
