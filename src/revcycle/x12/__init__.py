"""The X12 5010 engine: one spec-driven reader, validator and writer.

- ``spec/``: transactions described as data (837P, 837I, 835, 277CA, 999; envelopes and TA1);
- ``reader``: streaming tokenizer, delimiters from each ISA;
- ``validator`` (+ ``snip3``): SNIP 1-3 findings with positions and 999 codes;
- ``acks``: the 999 / TA1 a clearinghouse would send, and reading inbound ones;
- ``writer``: serialization with envelopes and control numbers (``control``);
- ``mapping/``: domain objects <-> transactions (claims, remittances, claim statuses);
- ``parse``: the JSON of ``revcycle x12 parse``.

This package imports nothing heavy at import time: the CLI's start-up is part of what users
wait for.
"""
