"""The payer and clearinghouse simulator: plans, benefits, adjudication, X12 responses."""
