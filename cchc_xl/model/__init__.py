"""Pure data: catalogs, codes and defined names, layout, expressions, numbers. No I/O beyond package data."""
