# English on a 12-hour clock, for the operators who ask for it (oms/clock.py): the same day-first
# dates as oms/formats/en, only the time of day changes ("29/11/2026 2:03 PM").
DATE_FORMAT = "d/m/Y"
SHORT_DATE_FORMAT = "d/m/Y"
DATETIME_FORMAT = "d/m/Y g:i A"
SHORT_DATETIME_FORMAT = "d/m/Y g:i A"
TIME_FORMAT = "g:i A"
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
FIRST_DAY_OF_WEEK = 1
