"""The board pack's views: its charts, its HTML page and its files, from plain domain values."""
