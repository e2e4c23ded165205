"""Presenting results: text tables (``tables``), CSV and JSON (``formats``).

The other packages return data; this one turns it into what a person or another program reads.
Only this package may import matplotlib, and lazily, inside the function that plots.
"""
