"""Spreadsheet packages: the safety gate, the opened package, the reader, the surgical writer, the builder."""
