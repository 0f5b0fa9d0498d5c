"""Paper claim forms: the CMS-1500 (02/12) and the UB-04, rendered as PDF from a ``Claim``.

- :func:`cms1500_pdf` prints a professional claim, either on a drawn facsimile of the form
  (``mode="full"``) or as data alone for pre-printed red forms (``mode="data_only"``);
- :func:`ub04_pdf` prints an institutional claim's data aligned to the pre-printed UB-04.

Positions live in one table per form (:mod:`revcycle.forms.layout`) that both modes share. The
output is deterministic: the same claim gives the same bytes. This package imports only the
standard library, :mod:`revcycle.domain` and reportlab.
"""

from revcycle.forms.cms1500 import Cms1500Extras, cms1500_pdf
from revcycle.forms.common import ClaimDoesNotFitForm, FormMode, WrongFormForClaim
from revcycle.forms.ub04 import Ub04Extras, ub04_pdf

__all__ = [
    "ClaimDoesNotFitForm",
    "Cms1500Extras",
    "FormMode",
    "Ub04Extras",
    "WrongFormForClaim",
    "cms1500_pdf",
    "ub04_pdf",
]
