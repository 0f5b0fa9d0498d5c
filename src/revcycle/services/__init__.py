"""Use cases. Each takes a ``Context`` (who acts, for which practice, on which clock) and a
unit of work from ``ports``; none knows which database or transport is behind them."""
