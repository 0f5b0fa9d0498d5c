"""Denial classification, work queues, corrections, appeals, underpayments."""
