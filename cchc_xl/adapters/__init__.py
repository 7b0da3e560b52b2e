"""Adapters to host applications (the Excel button through xlwings). No logic of their own."""
