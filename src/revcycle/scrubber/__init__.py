"""The claim scrubber: Finding, Rule, the rule registry and rules/<family>.py (claims issue)."""
