"""One capability per module, each a library call returning data. Commands never import commands."""
