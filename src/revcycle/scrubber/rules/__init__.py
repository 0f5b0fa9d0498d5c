"""Scrubber rules by family: structure, providers, patient and coverage, coding, payer."""
