"""Renderers of command results: text, JSON and XLSX/DOCX outputs. No click here."""
