"""Remittance -> journal entries; balances; COB hand-off to the next payer."""
