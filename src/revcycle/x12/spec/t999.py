"""999 Implementation Acknowledgment (005010X231A1) as data."""

from __future__ import annotations

from revcycle.x12.spec.model import UNBOUNDED, TransactionSpec, loop, seg

_CTX = "CTX01 CTX01-1 CTX01-2? CTX02? CTX03? CTX04? CTX05? CTX06?"

ACK_999 = TransactionSpec(
    "999",
    "999",
    "FA",
    ("005010X231A1",),
    "Implementation Acknowledgment",
    loop(
        "ST",
        "Header",
        "R",
        1,
        seg("AK1", "R", 1, "Functional Group Response Header", "AK101 AK102 AK103"),
        loop(
            "2000",
            "Transaction Set Response Header",
            "S",
            UNBOUNDED,
            seg(
                "AK2",
                "R",
                1,
                "Transaction Set Response Header",
                "AK201@TRANSACTION_SET AK202 AK203?",
            ),
            loop(
                "2100",
                "Error Identification",
                "S",
                UNBOUNDED,
                seg(
                    "IK3",
                    "R",
                    1,
                    "Error Identification",
                    "IK301 IK302 IK303? IK304@SEGMENT_SYNTAX_ERROR",
                ),
                seg("CTX", "S", 10, "Segment Context", _CTX),
                loop(
                    "2110",
                    "Implementation Data Element Note",
                    "S",
                    99,
                    seg(
                        "IK4",
                        "R",
                        1,
                        "Implementation Data Element Note",
                        "IK401 IK401-1 IK401-2? IK401-3? IK402? IK403@ELEMENT_SYNTAX_ERROR IK404?",
                    ),
                    seg("CTX", "S", 10, "Element Context", _CTX),
                ),
            ),
            seg(
                "IK5",
                "R",
                1,
                "Transaction Set Response Trailer",
                "IK501@IK5_CODE IK502?@SET_SYNTAX_ERROR IK503?@SET_SYNTAX_ERROR"
                " IK504?@SET_SYNTAX_ERROR IK505?@SET_SYNTAX_ERROR IK506?@SET_SYNTAX_ERROR",
            ),
        ),
        seg(
            "AK9",
            "R",
            1,
            "Functional Group Response Trailer",
            "AK901@AK9_CODE AK902 AK903 AK904 AK905?@GROUP_SYNTAX_ERROR"
            " AK906?@GROUP_SYNTAX_ERROR AK907?@GROUP_SYNTAX_ERROR AK908?@GROUP_SYNTAX_ERROR"
            " AK909?@GROUP_SYNTAX_ERROR",
        ),
    ),
)
