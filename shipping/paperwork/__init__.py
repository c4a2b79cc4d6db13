"""Warehouse paperwork as PDF (reportlab): pick lists, packing slips with a return form, printable labels.

The builders here take plain data (`shipping.paperwork.selectors` reads it) and return bytes;
they neither query the database nor know who asked. Every barcode is Code 128 with its value
printed under it, so a person can type what a scanner cannot read (and tests can read it back).
"""
