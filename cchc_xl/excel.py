"""Stable entry point of the Excel Kiểm tra button: distributed .xlsm files run
``import cchc_xl.excel; cchc_xl.excel.validate_button()`` through xlwings, so this name must not move.
The adapter itself lives in :mod:`cchc_xl.adapters.excel`."""

from cchc_xl.adapters.excel import clear_button, validate_button

__all__ = ["clear_button", "validate_button"]
