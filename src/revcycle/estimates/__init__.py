"""Patient cost estimates and Good Faith Estimates, as pure computations.

- :mod:`revcycle.estimates.pricing`: the expected allowed amount of each planned service (the
  payer's contract, else the fee schedule; self-pay: the fee schedule less a discount);
- :mod:`revcycle.estimates.engine`: the patient's share of each service from the benefits of a
  271 (deductible, then copay or coinsurance, capped by the out-of-pocket remaining);
- :mod:`revcycle.estimates.calendar`: business days and US federal holidays;
- :mod:`revcycle.estimates.gfe`: the Good Faith Estimate's content and its issue deadline.

Nothing here reads a clock, a database or a file: it imports ``revcycle.domain`` only.
"""
