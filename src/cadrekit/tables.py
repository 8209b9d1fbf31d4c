"""Read the spreadsheets instructors already keep: .xlsx, or .csv as Excel saves it (UTF-8 or GBK)."""

from __future__ import annotations

from pathlib import Path


def read_sheet(path: Path):
    """Every cell as text, header in row 1, blank lines kept so that row numbers match Excel's.

    Raises OSError when the file cannot be opened and ValueError, with the reason and the fix,
    when it is not a spreadsheet this can read.
    """
    import pandas as pd  # instructor-side only

    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return pd.read_excel(path, dtype=str, keep_default_na=False)
    if suffix not in (".csv", ".txt"):
        raise ValueError(f"不支持的文件类型 {path.suffix}；请用 .xlsx 或 .csv")
    for encoding in ("utf-8-sig", "gb18030"):  # Excel on Chinese Windows saves CSV as GBK
        try:
            return pd.read_csv(path, dtype=str, keep_default_na=False, skip_blank_lines=False, encoding=encoding)
        except UnicodeDecodeError:
            continue
    raise ValueError("文件编码既不是 UTF-8 也不是 GBK；请在 Excel 中另存为 .xlsx")
