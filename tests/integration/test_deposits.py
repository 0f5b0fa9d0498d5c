"""Bank deposits and EFT reconciliation on the real databases: CSV and BAI2 files import once,
bad files import nothing, and posted 835 payments are matched to their deposits."""

from __future__ import annotations

import json

import pytest
import typer
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from revcycle.api.app import create_app
from revcycle.cli.accounting_cmds import deposits as deposits_app
from revcycle.cli.common import reset_state
from revcycle.config import Settings
from revcycle.db.accounting_repo import accounting_store
from revcycle.db.accounting_tables import deposit_files, deposit_matches, deposits, era_payments
from revcycle.domain.errors import PermissionDenied
from revcycle.domain.user import User
from revcycle.posting.bank import BankFileRejected
from revcycle.services import auth
from revcycle.services.context import Context
from revcycle.services.deposits import import_deposits, list_deposits
from revcycle.services.reconciliation import reconcile
from tests.integration.test_era_post import pcn, post, remit_file
from tests.integration.test_inbox import paid_in_full
from tests.integration.test_submission import ready_claims

CSV = (
    "Posting Date,Description,Credit,Reference Number\n"
    '06/15/2026,"ACME HEALTH HCCLAIMPMT TRN*1*EFT0001*1234567890\\",80.00,BR100\n'
    "06/16/2026,BANK FEE,(5.00),BR101\n"
    "06/17/2026,MOBILE DEPOSIT,55.00,BR102\n"
)

BAI2 = """\
01,021000021,PRAIRIEFM,260617,0800,7,80,,2/
02,PRAIRIEFM,021000021,1,260616,2400,USD,2/
03,000123456789,USD,010,100000,,/
16,165,7900,0,BR200,,ACME HEALTH HCCLAIMPMT TRN*1*EFT0002*1234567890\\/
16,165,8000,0,BR201,,ACME HEALTH HCCLAIMPMT/
49,115900,4/
98,115900,1,6/
99,115900,1,8/
"""


def rows(engine, table) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


def import_(ctx, text: str, fmt: str | None = None):
    return import_deposits(ctx, text.encode(), name="bank", fmt=fmt, store=accounting_store)


def post_and_record(ctx, content: bytes) -> None:
    """Post an 835: its BPR/TRN are kept in the posting's own transaction."""
    assert post(ctx, content)["status"] == "posted"


def test_a_csv_and_a_bai2_file_import_their_credits(billing, engine):
    ctx = billing.ctx
    first = import_(ctx, CSV)
    assert (first.status, first.file_format, first.imported, first.debits_skipped) == (
        "imported",
        "csv",
        2,
        1,
    )
    assert first.total.to_json() == "135.00"
    second = import_(ctx, BAI2)
    assert (second.file_format, second.imported, second.total.to_json()) == ("bai2", 2, "159.00")
    stored = list_deposits(ctx, store=accounting_store)
    assert [(d.reference, d.amount.to_json(), d.trace_number) for d in stored] == [
        ("BR100", "80.00", "EFT0001"),
        ("BR200", "79.00", "EFT0002"),
        ("BR201", "80.00", ""),
        ("BR102", "55.00", ""),
    ]


def test_importing_the_same_file_twice_imports_nothing_new(billing, engine):
    ctx = billing.ctx
    assert import_(ctx, CSV).imported == 2
    again = import_(ctx, CSV)
    assert (again.status, again.imported) == ("already_imported", 0)
    # another file repeating a known deposit (same reference, date and amount) adds only the new
    overlapping = CSV + "06/18/2026,ACH CREDIT,12.00,BR103\n"
    more = import_(ctx, overlapping)
    assert (more.imported, more.duplicates) == (1, 2)
    assert rows(engine, deposits) == 3 and rows(engine, deposit_files) == 2


def test_a_bai2_file_with_a_wrong_control_total_imports_nothing(billing, engine):
    bad = BAI2.replace("98,115900,1,6/", "98,115000,1,6/")
    with pytest.raises(BankFileRejected) as err:
        import_(billing.ctx, bad)
    assert [(e.field, e.reason) for e in err.value.errors] == [("record 7", "bai2.group_total")]
    assert rows(engine, deposits) == 0 and rows(engine, deposit_files) == 0


def test_a_bad_csv_row_imports_nothing(billing, engine):
    with pytest.raises(BankFileRejected) as err:
        import_(billing.ctx, CSV + "06/31/2026,ACH CREDIT,12.00,BR104\n")
    assert [e.field for e in err.value.errors] == ["line 5.date"]
    assert rows(engine, deposits) == 0


@pytest.fixture
def posted(billing):
    """Four 835s from SIMPPO: EFT0001 and EFT0002 have deposits with their trace (EFT0002's is
    $1 short), EFT0003 a deposit of the same amount two business days later without a trace,
    EFT0004 none; and one deposit (BR102, $55) has no ERA."""
    ctx = billing.ctx
    ids = ready_claims(billing, [billing.self_pt, billing.child_pt])
    pcns = [pcn(ctx, i) for i in ids]
    for n, (claim_pcn, trace) in enumerate(
        [(pcns[0], "EFT0001"), (pcns[1], "EFT0002"), (pcns[0], "EFT0003"), (pcns[1], "EFT0004")]
    ):
        content = remit_file([paid_in_full(claim_pcn, f"ICN{n}")], trace=trace, start=700 + n * 10)
        post_and_record(ctx, content)
    import_(ctx, CSV)
    import_(ctx, BAI2)
    return ctx


def test_reconciliation_matches_by_trace_then_by_amount_and_date(posted, engine):
    report = reconcile(posted, store=accounting_store).to_json()
    matched = {m["era"]["trace_number"]: (m["kind"], m["deposit"]["reference"], m["difference"])
               for m in report["matched"]}  # fmt: skip
    assert matched == {
        "EFT0001": ("trace", "BR100", "0.00"),
        "EFT0002": ("trace", "BR200", "-1.00"),
        "EFT0003": ("amount_date", "BR201", "0.00"),
    }
    [variance] = report["variances"]
    assert (variance["era"]["amount"], variance["deposit"]["amount"]) == ("80.00", "79.00")
    assert [e["trace_number"] for e in report["eras_without_deposit"]] == ["EFT0004"]
    assert [d["reference"] for d in report["deposits_without_era"]] == ["BR102"]
    assert report["new_matches"] == 3
    assert report["totals"]["eras_without_deposit"] == "80.00"


def test_matches_are_persisted_and_kept(posted, engine):
    reconcile(posted, store=accounting_store)
    assert rows(engine, deposit_matches) == 3
    again = reconcile(posted, store=accounting_store)
    assert again.new_matches == 0 and len(again.matched) == 3
    assert rows(engine, deposit_matches) == 3


def test_era_payments_keep_the_bpr_and_trn_of_each_posted_835(posted, engine):
    with engine.connect() as conn:
        first = conn.execute(select(era_payments).order_by(era_payments.c.id)).first()
    assert first is not None
    assert (first.trace_number, first.originating_company, first.method, first.payer_id) == (
        "EFT0001",
        "1234567890",
        "ACH",
        "SIMPPO",
    )
    assert (first.payee_npi, first.payee_tin, str(first.amount)) == (
        "1234567893",
        "123456789",
        "80.00",
    )


def test_a_coder_may_not_import_deposits(billing, clock):
    coder = Context.for_user(
        User(billing.ctx.practice_id, "cody", "coder"), clock, billing.ctx.uow_factory
    )
    with pytest.raises(PermissionDenied):
        import_(coder, CSV)


def test_deposits_from_the_command_line(posted, database_url, tmp_path, monkeypatch):
    monkeypatch.setenv("REVCYCLE_CLOCK", "2026-06-18T12:00:00+00:00")
    app = typer.Typer()
    app.add_typer(deposits_app, name="deposits")
    bank = tmp_path / "bank.bai2"
    bank.write_text(BAI2.replace("BR201", "BR301").replace("260616", "260615"))
    runner = CliRunner()

    def run(*args: str, code: int = 0) -> dict:
        reset_state(database_url, None)
        result = runner.invoke(app, ["deposits", *args, "--db", database_url])
        assert result.exit_code == code, (result.stdout, result.stderr, result.exception)
        return json.loads(result.stdout) if "--json" in args else {}

    imported = run("import", str(bank), "--json")
    assert imported["format"] == "bai2" and imported["deposits_imported"] == 2
    assert run("import", str(bank), "--json")["status"] == "already_imported"
    report = run("reconcile", "--json")
    assert len(report["matched"]) == 4 and report["eras_without_deposit"] == []
    bank.write_text(BAI2.replace("99,115900,1,8/", "99,115900,1,9/"))
    run("import", str(bank), code=2)
    reset_state(None, None)


def test_deposits_over_the_api(posted, database_url, clock):
    auth.create_user(posted, "billy", "biller", "correct horse battery")
    with TestClient(create_app(Settings(database_url=database_url, clock=clock))) as api:
        token = api.post(
            "/api/v1/auth/token", data={"username": "billy", "password": "correct horse battery"}
        ).json()["access_token"]
        h = {"Authorization": f"Bearer {token}"}
        r = api.post("/api/v1/deposits/import?format=csv", content=CSV + "06/19/2026,X,1.00,Z\n",
                     headers=h)  # fmt: skip
        assert r.status_code == 201 and r.json()["deposits_imported"] == 1, r.text
        assert len(api.get("/api/v1/deposits", headers=h).json()) == 5
        report = api.post("/api/v1/deposits/reconcile", headers=h).json()
        assert {m["era"]["trace_number"] for m in report["matched"]} == {
            "EFT0001",
            "EFT0002",
            "EFT0003",
        }
        bad = api.post("/api/v1/deposits/import", content=BAI2.replace("49,115900", "49,1"),
                       headers=h)  # fmt: skip
        assert bad.status_code == 422
        assert bad.json()["detail"][0]["loc"] == ["body", "record 6"]
