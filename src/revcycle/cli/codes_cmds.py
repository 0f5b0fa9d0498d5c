"""``revcycle codes``: look up, search and suggest codes, check coding, load CMS / user files.

Contract other scripts rely on: ``revcycle codes lookup CODE [--system S] [--dos YYYY-MM-DD]
--json`` prints one JSON object (``code``, ``system``, ``found``, ``valid_on_dos``,
``billable``, ``description``, ``note``, ``version``) and exits 0 when the code is found, 1 when
it is not (malformed codes included), 2 on a usage error (an unknown system, a bad date).

Every command calls ``services.codesets_service``; heavy modules are imported inside the
commands so ``revcycle --help`` stays quick.  Progress and notices go to stderr.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from revcycle.cli.common import (
    DbOpt,
    JsonOpt,
    err_console,
    fail,
    handled,
    out_console,
    print_json,
    state,
)

if TYPE_CHECKING:
    from revcycle.services.codesets_service import CodeSetService

codes = typer.Typer(
    help="Code sets: ICD-10-CM/PCS, HCPCS, CPT, modifiers, POS, CARC/RARC, NCCI, fee schedule.",
    no_args_is_help=True,
)

SystemOpt = Annotated[
    str,
    typer.Option(
        "--system", "-s", help="icd10cm, icd10pcs, hcpcs, cpt, modifier, pos, carc or rarc"
    ),
]
DosOpt = Annotated[
    str | None,
    typer.Option("--dos", help="Date of service YYYY-MM-DD", show_default=False),
]

_notices: set[str] = set()


def _say_once(message: str) -> None:
    """A notice printed at most once per process (on stderr)."""
    if message not in _notices:
        _notices.add(message)
        err_console.print(f"[yellow]note:[/yellow] {message}", highlight=False)


def _date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        fail(2, f"{option}: {value!r} is not a date (YYYY-MM-DD)")
        raise AssertionError from None


def _service(db: str | None) -> CodeSetService:
    from revcycle.db.codeset_store import SqlCodeSetStore
    from revcycle.services.codesets_service import CodeSetService

    return CodeSetService(SqlCodeSetStore(state(db).engine))


def _cpt_notice(svc: CodeSetService) -> None:
    from revcycle.codesets.catalog import NO_CPT_NOTICE

    if not svc.cpt_loaded():
        _say_once(NO_CPT_NOTICE)


@codes.command("lookup")
def lookup_cmd(
    code: Annotated[str, typer.Argument(help="The code, with or without its dot")],
    system: SystemOpt = "icd10cm",
    dos: DosOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Look one code up: found, valid on the date of service, billable, description.

    Exit status 0 when found, 1 when not found (malformed codes included), 2 on a usage error.
    """
    when = _date(dos, "--dos")
    with handled():
        svc = _service(db)
        result = svc.lookup(code, system, when)
        if system == "cpt":
            _cpt_notice(svc)
    if as_json:
        print_json(result.as_dict())
    else:
        facts = ["found" if result.found else "not found"]
        if result.billable is not None:
            facts.append("billable" if result.billable else "not billable")
        if result.valid_on_dos is not None and when is not None:
            facts.append(("valid" if result.valid_on_dos else "not valid") + f" on {when}")
        version = f" [{result.version}]" if result.version else ""
        out_console.print(
            f"{result.code} ({result.system}{version}): {', '.join(facts)}", highlight=False
        )
        if result.description:
            out_console.print(f"  {result.description}", highlight=False)
        if result.note:
            out_console.print(f"  {result.note}", highlight=False)
    raise typer.Exit(0 if result.found else 1)


@codes.command("search")
def search_cmd(
    text: Annotated[str, typer.Argument(help='Words, e.g. "DM2 w hyperglycemia", "htn"')],
    system: Annotated[str, typer.Option("--system", "-s", help="icd10cm, hcpcs or cpt")] = (
        "icd10cm"
    ),
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, max=200)] = 10,
    dos: DosOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Rank codes by relevance to words, synonyms and abbreviations."""
    from revcycle.services.codesets_service import hit_dict

    when = _date(dos, "--dos")
    with handled():
        svc = _service(db)
        hits = [hit_dict(h, system) for h in svc.search(text, system, limit=limit, dos=when)]
        if system == "cpt":
            _cpt_notice(svc)
    if as_json:
        print_json(hits)
        return
    from rich.table import Table

    t = Table("code", "billable", "description")
    for h in hits:
        t.add_row(str(h["code"]), "yes" if h["billable"] else "no", str(h["description"]))
    out_console.print(t)


@codes.command("suggest")
def suggest_cmd(
    note: Annotated[Path, typer.Option("--note", help="Clinical note text file ('-': stdin)")],
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, max=50)] = 10,
    dos: DosOpt = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Propose ICD-10-CM codes for a clinical note, each with the phrase that supports it."""
    from revcycle.services.codesets_service import suggestion_dict

    when = _date(dos, "--dos")
    if str(note) == "-":
        text = sys.stdin.read()
    else:
        try:
            text = note.read_text("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            fail(2, f"--note: cannot read {note}: {exc}")
            raise AssertionError from None
    with handled():
        found = _service(db).suggest(text, limit=limit, dos=when)
    if as_json:
        print_json([suggestion_dict(s) for s in found])
        return
    from rich.table import Table

    from revcycle.codesets.search import display

    t = Table("code", "billable", "description", "supported by", "billable children")
    for s in found:
        t.add_row(
            display(s.code, "icd10cm"),
            "yes" if s.billable else "no",
            s.description,
            s.phrase,
            ", ".join(display(c, "icd10cm") for c in s.children),
        )
    out_console.print(t)


def _parse_line(text: str) -> Any:
    """``CODE[:MOD,MOD][*UNITS][@POINTERS]`` -> a service line, e.g. ``97110:59*2@1,2``."""
    from revcycle.codesets import ServiceLine

    rest, _, pointers = text.partition("@")
    rest, _, units = rest.partition("*")
    code, _, mods = rest.partition(":")
    try:
        return ServiceLine(
            code.strip().upper(),
            tuple(m.strip().upper() for m in mods.split(",") if m.strip()),
            int(units) if units else 1,
            tuple(int(p) for p in pointers.split(",") if p.strip()) if pointers else (1,),
        )
    except ValueError:
        fail(2, f"--line: {text!r} is not CODE[:MOD,MOD][*UNITS][@POINTERS]")
        raise AssertionError from None


@codes.command("check")
def check_cmd(
    dos: Annotated[str, typer.Option("--dos", help="Date of service YYYY-MM-DD")],
    dx: Annotated[list[str], typer.Option("--dx", help="Diagnosis, in claim order; repeat")],
    line: Annotated[
        list[str] | None,
        typer.Option("--line", help="CODE[:MOD,MOD][*UNITS][@POINTERS]; repeat"),
    ] = None,
    age: Annotated[int | None, typer.Option("--age", min=0, max=130)] = None,
    sex: Annotated[str | None, typer.Option("--sex", help="F or M")] = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Validate the coding of one encounter; exit 1 when any finding is an error."""
    when = _date(dos, "--dos")
    assert when is not None
    lines = [_parse_line(v) for v in line or []]
    with handled():
        svc = _service(db)
        findings = svc.validate(dos=when, diagnoses=dx, lines=lines, age=age, sex=sex)
        if lines:
            _cpt_notice(svc)
    if as_json:
        print_json(
            [
                {
                    "code": f.code,
                    "severity": f.severity,
                    "message": f.message,
                    "location": f.location,
                }
                for f in findings
            ]
        )
    else:
        for f in findings:
            colour = {"error": "red", "warning": "yellow"}.get(f.severity, "blue")
            out_console.print(
                f"[{colour}]{f.severity}[/{colour}] {f.location}: {f.message} ({f.code})",
                highlight=False,
            )
        if not findings:
            out_console.print("no findings")
    raise typer.Exit(1 if any(f.severity == "error" for f in findings) else 0)


@contextmanager
def _progress(label: str) -> Iterator[Any]:
    """A progress display on stderr: a spinner while parsing, a bar while storing rows."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    ) as bar:
        task = bar.add_task(f"parsing {label}", total=None)

        def tick(done: int, total: int) -> None:
            bar.update(task, description=f"storing {label}", total=total, completed=done)

        yield tick


@codes.command("load")
def load_cmd(
    system: Annotated[
        str,
        typer.Argument(help="icd10cm, icd10pcs, hcpcs, cpt, carc, rarc, ptp, mue, rvu or gpci"),
    ],
    file: Annotated[Path, typer.Argument(help="The file, in its published layout")],
    effective: Annotated[
        str | None,
        typer.Option("--effective", help="First date of service (required for icd10cm/pcs)"),
    ] = None,
    effective_to: Annotated[
        str | None,
        typer.Option("--effective-to", help="Last date of service (default: end of the FY)"),
    ] = None,
    name: Annotated[
        str | None,
        typer.Option("--name", help="Version name (default: FY2027 style, or the file name)"),
    ] = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Load a CMS (or licensed) code file; all or nothing, replacing the previous version."""
    from revcycle.services.codesets_service import version_dict

    start, end = _date(effective, "--effective"), _date(effective_to, "--effective-to")
    if not file.is_file():
        fail(2, f"{file}: no such file")
    with handled():
        ctx = state(db).context(need_practice=False)
        svc = _service(db)
        with _progress(file.name) as tick:
            saved = svc.load(
                ctx, system, file, effective=start, effective_to=end, name=name, progress=tick
            )
    out = version_dict(saved)
    if as_json:
        print_json(out)
    else:
        out_console.print(
            f"loaded {saved.system} {saved.name}: {saved.row_count} rows from {saved.source_file}"
            + (f", effective {saved.effective_from}" if saved.effective_from else ""),
            highlight=False,
        )


@codes.command("versions")
def versions_cmd(
    system: Annotated[str | None, typer.Option("--system", "-s")] = None,
    db: DbOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """List loaded versions (active and replaced) and what is bundled."""
    from revcycle.services.codesets_service import version_dict

    with handled():
        svc = _service(db)
        items = [version_dict(v) for v in svc.versions(system)]
        _cpt_notice(svc)
    if as_json:
        print_json(items)
        return
    from rich.table import Table

    from revcycle.codesets.icd10cm import FY2026_END, FY2026_START

    t = Table("id", "system", "name", "effective", "rows", "active", "loaded", "file")
    t.add_row("-", "icd10cm", "FY2026", f"{FY2026_START}..{FY2026_END}", "", "yes", "", "bundled")
    for v in items:
        span = f"{v['effective_from'] or ''}..{v['effective_to'] or ''}".strip(".")
        t.add_row(
            str(v["id"]),
            str(v["system"]),
            str(v["name"]),
            span,
            str(v["row_count"]),
            "yes" if v["active"] else "no",
            str(v["loaded_at"])[:19],
            str(v["source_file"]),
        )
    out_console.print(t)
