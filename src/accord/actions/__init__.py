"""Every state change, as ``do_*`` functions; one module per noun.

An action takes a session opened by `Database.write` and the acting user, checks the
invariants, writes, and records an audit event. It never commits: the caller's ``write`` block
does, so an action's work lands whole or not at all.
"""
