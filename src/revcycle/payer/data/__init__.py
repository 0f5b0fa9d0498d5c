"""The simulator's shipped configuration: clearinghouse, payers, plans, fee schedules, edits,
and the documented scenario member IDs (JSON, amounts as strings)."""
