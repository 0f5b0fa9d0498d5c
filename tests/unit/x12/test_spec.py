import pytest

from revcycle.x12.errors import SpecError
from revcycle.x12.spec import ENVELOPE, REGISTRY, key_for, load
from revcycle.x12.spec.check import check_dictionary, check_segment, check_spec
from revcycle.x12.spec.model import parse_rules


def test_dictionary_references_only_defined_elements_and_composites():
    assert check_dictionary() == []


@pytest.mark.parametrize("key", sorted(REGISTRY))
def test_every_spec_references_defined_elements_and_code_lists(key):
    assert check_spec(load(key)) == []


def test_envelope_rules_reference_defined_elements():
    for rule in ENVELOPE.values():
        assert check_segment(rule, "envelope") == []


def test_the_check_notices_an_undefined_code_list():
    from revcycle.x12.spec.model import seg

    rule = seg("NM1", "R", 1, "Test", "NM101@NO_SUCH_LIST")
    assert any("NO_SUCH_LIST" in p for p in check_segment(rule, "t"))


def test_a_rule_token_for_another_segment_is_a_spec_error():
    with pytest.raises(SpecError):
        parse_rules("NM1", "N301")


def test_versions_choose_the_spec():
    assert key_for("837", "005010X222A1") == "837P"
    assert key_for("837", "005010X223A2") == "837I"
    assert key_for("835", "005010X221A1") == "835"
    assert key_for("277", "005010X214") == "277CA"
    assert key_for("277", "005010X212") == "277"
    assert key_for("270", "005010X279A1") == "270"
    assert key_for("271", "005010X279") == "271"
    assert key_for("276", "005010X212") == "276"
    assert key_for("278", "005010X217") is None
