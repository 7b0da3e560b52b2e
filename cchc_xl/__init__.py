"""cchc-xl: spreadsheet-native toolkit for commune CCHC reports and the PAR Index self-assessment.

The public library API mirrors the command line: every command is a function returning plain data.
"""

__version__ = "0.1.0"
