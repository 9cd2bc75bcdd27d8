"""Question kinds: what an answer looks like."""
