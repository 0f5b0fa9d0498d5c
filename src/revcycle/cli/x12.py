"""``revcycle x12 validate|parse|ack``: plain argparse, imports only what the command uses
(the whole process, start-up included, is what the benchmark measures).

Exit statuses (scripts rely on them):
- validate: 0 valid (warnings allowed), 1 error findings, 2 unreadable (not X12 at all);
- parse: 0 whenever the file could be read as X12 (findings go into the JSON), 2 unreadable;
- ack: 0 when the acknowledgment was written, 2 unreadable.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

EXIT_OK, EXIT_FINDINGS, EXIT_UNREADABLE = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="revcycle x12", description="Read, validate and acknowledge X12 5010 files."
    )
    sub = p.add_subparsers(dest="command", required=True)
    v = sub.add_parser("validate", help="SNIP 1-3 validation; exit 0 valid, 1 errors, 2 unreadable")
    v.add_argument("files", nargs="+", type=Path)
    v.add_argument("--json", action="store_true", help="print the findings as JSON")
    pr = sub.add_parser("parse", help="print the transactions as JSON")
    pr.add_argument("file", type=Path)
    pr.add_argument("--json", action="store_true", help="JSON output (the default and only format)")
    a = sub.add_parser("ack", help="write the 999 (or TA1) a clearinghouse would send for FILE")
    a.add_argument("file", type=Path)
    a.add_argument("-o", "--output", type=Path, help="write here instead of standard output")
    return p


def _dump(data: Any) -> None:
    import json

    sys.stdout.write(json.dumps(data, indent=None, separators=(",", ":")))
    sys.stdout.write("\n")


def _validate(files: list[Path], as_json: bool) -> int:
    from revcycle.x12.errors import NotX12
    from revcycle.x12.reader import Reader
    from revcycle.x12.validator import Validator

    status = EXIT_OK
    results: list[dict[str, Any]] = []
    for path in files:
        try:
            report = Validator().run(Reader(path))
        except (NotX12, OSError) as exc:
            status = EXIT_UNREADABLE
            results.append(
                {"file": str(path), "readable": False, "valid": False, "error": str(exc)}
            )
            if not as_json:
                print(f"{path}: unreadable: {exc}")
            continue
        if not report.valid and status == EXIT_OK:
            status = EXIT_FINDINGS
        if as_json:
            results.append(
                {
                    "file": str(path),
                    "readable": True,
                    "valid": report.valid,
                    "errors": report.errors,
                    "warnings": report.warnings,
                    "segments": report.segments,
                    "transactions": [
                        {
                            "type": s.spec_key or s.st01,
                            "control_number": s.control_number,
                            "accepted": s.accepted,
                        }
                        for ic in report.interchanges
                        for g in ic.groups
                        for s in g.sets
                    ],
                    "findings": [f.to_json() for f in report.findings],
                }
            )
        else:
            verdict = "valid" if report.valid else f"{report.errors} errors"
            print(f"{path}: {verdict}, {report.warnings} warnings, {report.segments} segments")
            for f in report.findings[:20]:
                print(f"  {f.severity}: {f.message} [{f.code}] at {f.location}")
            if len(report.findings) > 20:
                print(f"  ... {len(report.findings) - 20} more")
    if as_json:
        _dump({"files": results})
    return status


def _parse(path: Path) -> int:
    from revcycle.x12.errors import NotX12
    from revcycle.x12.parse import parse

    try:
        data, _ = parse(path)
    except (NotX12, OSError) as exc:
        _dump(
            {
                "file": str(path),
                "readable": False,
                "error": str(exc),
                "transactions": [],
                "findings": [],
            }
        )
        return EXIT_UNREADABLE
    _dump({"file": str(path), "readable": True, **data})
    return EXIT_OK


def _ack(path: Path, output: Path | None) -> int:
    from datetime import datetime

    from revcycle.x12.acks import build_acks
    from revcycle.x12.control import InMemoryControlNumbers
    from revcycle.x12.errors import NotX12
    from revcycle.x12.reader import Reader
    from revcycle.x12.validator import Validator

    try:
        report = Validator().run(Reader(path))
    except (NotX12, OSError) as exc:
        print(f"{path}: unreadable: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    acks = build_acks(report, InMemoryControlNumbers(), datetime.now().astimezone())
    text = "".join(a.text for a in acks)
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="latin-1")
    return EXIT_OK


def main(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    if args.command == "validate":
        return _validate(args.files, args.json)
    if args.command == "parse":
        return _parse(args.file)
    return _ack(args.file, args.output)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
