from pathlib import Path

import pytest

from revcycle.x12.errors import NotX12
from revcycle.x12.reader import Reader, detect
from tests.unit.x12.corpus import path

ISA = "ISA*00*          *00*          *ZZ*SENDER         *ZZ*RECEIVER       *260101*1200*^*00501*000000001*0*T*:~"


def test_delimiters_come_from_the_isa():
    d = detect(ISA.replace("*", "|").replace(":~", "!\n"))
    assert (d.element, d.component, d.repetition, d.segment) == ("|", "!", "^", "\n")


def test_segments_are_split_with_or_without_line_breaks():
    text = ISA + "GS*HC*A*B*20260101*1200*1*X*005010X222A1~\r\nGE*0*1~IEA*1*000000001~"
    segs = list(Reader(text))
    assert [s[0] for s in segs] == ["ISA", "GS", "GE", "IEA"]
    assert segs[1][8] == "005010X222A1"


def test_several_interchanges_each_with_its_own_delimiters():
    second = ISA.replace("*", "|").replace(":~", "!#")
    text = ISA + "IEA*0*000000001~\n" + second + "IEA|0|000000001#"
    reader = Reader(text)
    segs = list(reader)
    assert [s[0] for s in segs] == ["ISA", "IEA", "ISA", "IEA"]
    assert reader.delimiters.element == "|"


def test_reading_a_file_in_small_chunks_gives_the_same_segments(monkeypatch):
    import revcycle.x12.reader as reader_mod

    f = path("835/edi835p__emedny_sample.txt")
    whole = list(Reader(f))
    monkeypatch.setattr(reader_mod, "CHUNK", 7)
    with f.open("rb") as fh:
        assert list(Reader(fh)) == whole


def test_custom_delimiters_sample_is_read():
    segs = list(Reader(path("270/kartik__270_custom_delimiters.x12")))
    assert segs[0][0] == "ISA" and segs[-1][0] == "IEA"


@pytest.mark.parametrize("text", ["", "hello world", "ISA", "ISA*00*short~", "<xml/>", "ISAAAAAAA"])
def test_input_that_is_not_x12_raises_not_x12(text):
    with pytest.raises(NotX12):
        list(Reader(text))


def test_a_path_is_read(tmp_path: Path):
    f = tmp_path / "a.x12"
    f.write_text(ISA + "IEA*0*000000001~")
    assert len(list(Reader(f))) == 2
