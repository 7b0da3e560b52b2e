"""The reader seam: each source turns a file (our workbook, a data file, a foreign layout) into model records."""
