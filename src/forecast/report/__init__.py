"""Reports: the figure style, tables written reproducibly, and number formatting."""
