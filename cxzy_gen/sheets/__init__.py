"""Spreadsheets in and out: import from Excel/WPS/CSV, export for printing, blank templates, ballot tallies."""
