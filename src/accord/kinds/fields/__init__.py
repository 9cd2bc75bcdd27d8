"""Field kinds: what task data looks like."""
