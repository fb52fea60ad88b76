"""Upload filters (spec 7.2): a data set's `upload_filters` name, by the original's dotted
names, what to do with the parsed sheets before they become records. The default keeps the
first sheet. The original's DVLA-specific reshapers (`backdrop.contrib.evl_upload_filters.*`)
are not carried over; naming one is an error, never an import of the name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType

from backdrop.core.errors import UploadInvalid
from backdrop.core.upload.sheets import Sheet

SheetFilter = Callable[[Sequence[Sheet]], list[Sheet]]
FIRST_SHEET = "backdrop.core.upload.filters.first_sheet_filter"


def first_sheet_filter(sheets: Sequence[Sheet]) -> list[Sheet]:
    """Only the first sheet (of a workbook; a CSV file has one)."""
    return list(sheets[:1])


FILTERS: Mapping[str, SheetFilter] = MappingProxyType({FIRST_SHEET: first_sheet_filter})


def filtered_sheet(sheets: Sequence[Sheet], names: Sequence[str]) -> Sheet:
    """The one sheet left after applying the named filters in order (none named: the first
    sheet). Raises UploadInvalid for an unknown name, or when not exactly one sheet is left."""
    unknown = [name for name in names if name not in FILTERS]
    if unknown:
        raise UploadInvalid(f"Unknown upload filter: {', '.join(unknown)}")
    chosen = list(sheets)
    for name in names or (FIRST_SHEET,):
        chosen = FILTERS[name](chosen)
    if len(chosen) != 1:
        raise UploadInvalid("The upload filters must leave exactly one sheet")
    return chosen[0]
