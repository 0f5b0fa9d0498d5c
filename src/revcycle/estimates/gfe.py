"""The Good Faith Estimate of the No Surprises Act (45 CFR 149.610): its timing and its text.

Who gets one: uninsured patients, and insured patients who will not file a claim with their
plan (self-pay by choice). When it is due, counted in business days (:mod:`.calendar`) from the
day the service was scheduled (or the patient asked):

- asked for by the patient: within 3 business days of the request;
- scheduled at least 10 business days ahead: within 3 business days of scheduling;
- scheduled at least 3 business days ahead: within 1 business day of scheduling;
- scheduled fewer than 3 business days ahead: no deadline (a GFE may still be given).

"Ahead" counts the business days after the scheduling day up to and including the day of
service. A GFE issued on or before its deadline met it. Each GFE is kept 6 years; a bill at
least $400 above the GFE for any one provider or facility may be disputed within 120 calendar
days of the bill (patient-provider dispute resolution).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from revcycle.domain.money import Money
from revcycle.estimates.calendar import add_business_days, business_days_between

ON_REQUEST = "on_request"
TEN_DAYS_AHEAD = "scheduled_10_business_days_ahead"
THREE_DAYS_AHEAD = "scheduled_3_business_days_ahead"
NOT_REQUIRED = "scheduled_less_than_3_business_days_ahead"

# (minimum business days ahead, business days allowed to issue, rule), the first that holds
TIMING: tuple[tuple[int, int, str], ...] = ((10, 3, TEN_DAYS_AHEAD), (3, 1, THREE_DAYS_AHEAD))
REQUEST_DAYS = 3
DISPUTE_THRESHOLD = Money("400.00")
DISPUTE_DAYS = 120
RETENTION_YEARS = 6
HELP_PHONE = "1-800-985-3059"
HELP_WEB = "www.cms.gov/nosurprises"

DISCLAIMERS: tuple[str, ...] = (
    "This Good Faith Estimate shows the costs of items and services that are reasonably "
    "expected for your health care needs for an item or service. The estimate is based on "
    "information known at the time the estimate was created.",
    "The Good Faith Estimate does not include any unknown or unexpected costs that may arise "
    "during treatment. You could be charged more if complications or special circumstances "
    "occur. This is only an estimate: actual items, services or charges may differ from it.",
    "Items or services that must be scheduled separately, listed on this estimate, are not "
    "included in it; you will get a separate Good Faith Estimate for them when they are "
    "scheduled. Any other separately scheduled items or services are not included either.",
    "A Good Faith Estimate is not a contract and does not require you to obtain the items or "
    "services from any of the providers or facilities identified in it.",
)


def dispute_notice(issued: date) -> str:
    return (
        "You have the right to initiate a patient-provider dispute resolution process if you "
        f"are billed at least ${DISPUTE_THRESHOLD.amount:,.0f} more than this Good Faith "
        "Estimate for any provider or facility listed. You must start the dispute within "
        f"{DISPUTE_DAYS} calendar days of the date on the original bill; there is a $25 fee "
        "to use the process. To start it, or for questions and more information about your "
        f"right to a Good Faith Estimate, visit {HELP_WEB} or call {HELP_PHONE}. Keep a copy of "
        f"this Good Faith Estimate (issued {issued.strftime('%m/%d/%Y')}) in a safe place, or "
        "take pictures of it: you may need it if you are billed a higher amount."
    )


@dataclass(frozen=True, slots=True)
class Deadline:
    """When a GFE had to be issued. ``due`` is ``None`` when timing does not require one."""

    scheduled_on: date  # the day the service was scheduled, or the patient asked
    scheduled_date: date | None
    requested: bool
    business_days_ahead: int | None
    due: date | None
    rule: str

    def met_by(self, issued: date) -> bool:
        return self.due is None or issued <= self.due


def deadline(scheduled_on: date, scheduled_date: date | None, requested: bool) -> Deadline:
    """The deadline a GFE had to meet (rules in the module docstring)."""
    ahead = (
        business_days_between(scheduled_on, scheduled_date) if scheduled_date is not None else None
    )
    if requested:
        due = add_business_days(scheduled_on, REQUEST_DAYS)
        return Deadline(scheduled_on, scheduled_date, True, ahead, due, ON_REQUEST)
    for minimum, days, rule in TIMING:
        if ahead is not None and ahead >= minimum:
            due = add_business_days(scheduled_on, days)
            return Deadline(scheduled_on, scheduled_date, False, ahead, due, rule)
    return Deadline(scheduled_on, scheduled_date, False, ahead, None, NOT_REQUIRED)


def retain_until(issued: date) -> date:
    """The last day a GFE must be kept (6 years; February 29 keeps to February 28)."""
    try:
        return issued.replace(year=issued.year + RETENTION_YEARS)
    except ValueError:
        return issued.replace(year=issued.year + RETENTION_YEARS, day=28)


def dispute_window_ends(bill_date: date) -> date:
    return bill_date + timedelta(days=DISPUTE_DAYS)


def may_dispute(estimated: Money, billed: Money, bill_date: date, today: date) -> bool:
    """Whether a bill from one provider or facility can go to dispute resolution: at least
    $400 above its estimate, and within 120 days of the bill."""
    return billed - estimated >= DISPUTE_THRESHOLD and today <= dispute_window_ends(bill_date)
