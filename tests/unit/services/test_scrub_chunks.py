"""Scrub runs split their claims into chunks: in order, bounded, a claim once a chunk."""

from revcycle.services.scrubbing import chunked


def test_claims_are_chunked_in_order_at_most_size_a_chunk() -> None:
    assert list(chunked([1, 2, 3, 4, 5], 2)) == [[1, 2], [3, 4], [5]]
    assert list(chunked([], 2)) == []


def test_a_claim_named_again_starts_a_new_chunk() -> None:
    assert list(chunked([1, 2, 1, 3], 10)) == [[1, 2], [1, 3]]
    assert list(chunked([7, 7, 7], 10)) == [[7], [7], [7]]
